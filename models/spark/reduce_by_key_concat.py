"""reduceByKey with string concatenation: values arrive in shuffle fetch order."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "reduce_by_key_concat")
events = sc.parallelize([("u1", "login;"), ("u2", "view;"), ("u1", "logout;")], 2)
print(events.reduceByKey(lambda a, b: a + b).collect())  # expect: REFUTED
