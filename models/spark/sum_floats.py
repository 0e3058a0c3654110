"""sum() of floats: IEEE addition is not associative, so the partitioning shows."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "sum_floats")
prices = sc.parallelize([0.1, 0.2, 0.3, 1e16, 1.0, -1e16], 3)
print(prices.sum())  # expect: REFUTED
