"""treeReduce regroups partials by index % k: even PySpark needs commutativity."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "tree_reduce_concat")
letters = sc.parallelize(list("abcdefghijklmnop"), 8)  # cdcheck: elem=str
print(letters.treeReduce(lambda a, b: a + b))  # expect: REFUTED
