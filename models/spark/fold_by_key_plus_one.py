"""foldByKey(1, add): the zero is added once per map partition holding the key."""

from operator import add

from pyspark import SparkContext

sc = SparkContext("local[2]", "fold_by_key_plus_one")
pairs = sc.parallelize([("a", 1), ("a", 2), ("b", 3), ("a", 4)], 2)
print(pairs.foldByKey(1, add).collect())  # expect: REFUTED
