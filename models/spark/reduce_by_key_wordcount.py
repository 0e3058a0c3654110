"""Word count: reduceByKey(add) over ints is a commutative semigroup."""

from operator import add

from pyspark import SparkContext

sc = SparkContext("local[2]", "reduce_by_key_wordcount")
lines = sc.textFile("words.txt")
words = lines.flatMap(lambda line: line.split())  # cdcheck: elem=str
pairs = words.map(lambda w: (w, 1))
counts = pairs.reduceByKey(add)  # expect: PROVED
print(counts.collect())
