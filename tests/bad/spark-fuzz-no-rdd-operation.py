"""sum() of floats: IEEE addition is not associative, so the partitioning shows."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "sum_floats")
print(prices.sum())  # expect: REFUTED
