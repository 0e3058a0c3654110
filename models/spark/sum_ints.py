"""sum() of ints: Python ints are exact, every partitioning agrees."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "sum_ints")
print(sc.parallelize(range(1000), 7).sum())  # expect: PROVED
