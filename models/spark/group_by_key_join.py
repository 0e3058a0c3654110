"""groupByKey().mapValues(",".join): the group's order is the shuffle fetch order."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "group_by_key_join")
tags = sc.parallelize([("doc1", "spark"), ("doc1", "z3"), ("doc2", "rdd")], 2)
print(tags.groupByKey().mapValues(lambda vs: ",".join(vs)).collect())  # expect: REFUTED
