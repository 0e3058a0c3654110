"""groupByKey().mapValues(sum) over ints: the order of a group does not matter."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "group_by_key_sum")
pairs = sc.parallelize([("a", 1), ("b", 2), ("a", 3)], 2)
print(pairs.groupByKey().mapValues(sum).collect())  # expect: PROVED
print(pairs.groupByKey().mapValues(len).collect())  # expect: PROVED
