""" "Keep the first value" per key: which value is first depends on fetch order."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "combine_by_key_first")
visits = sc.parallelize([("ann", 30), ("ann", 10), ("bob", 20)], 2)
first = visits.combineByKey(  # expect: REFUTED
    lambda v: v,
    lambda c, v: c,
    lambda a, b: a,
)
print(first.collect())
