"""aggregateByKey(0, seqOp, add) summing values per key."""

from operator import add

from pyspark import SparkContext

sc = SparkContext("local[2]", "aggregate_by_key_sum")
sales = sc.parallelize([("fr", 10), ("de", 5), ("fr", 7)], 2)
print(sales.aggregateByKey(0, lambda acc, v: acc + v, add).collect())  # expect: PROVED
