"""max() of floats that may be NaN: Python's max is not associative with NaN."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "max_nan")
readings = sc.parallelize([1.5, float("nan"), 3.0, 2.0], 2)
print(readings.max())  # expect: REFUTED
