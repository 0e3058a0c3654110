"""String concatenation with reduce: fine in PySpark (index order), not in Scala."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "reduce_concat")
letters = sc.parallelize(["a", "b", "c", "d", "e", "f", "g", "h"], 4)
print(letters.reduce(lambda a, b: a + b))  # expect: PROVED scala=REFUTED
