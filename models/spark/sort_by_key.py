"""sortBy: equal keys keep their shuffle-arrival order, not their input order.

Sorting (day, event) records by day alone ties the events of one day, so
their order depends on which map output the reducer fetched first; sorting
by the whole record is injective and matches Python's stable `sorted`.
"""

from pyspark import SparkContext

sc = SparkContext("local[2]", "sort_by_key")
log = sc.parallelize([(2, "deploy"), (1, "build"), (2, "test")], 2)
print(log.sortBy(lambda r: r[0]).collect())  # expect: REFUTED
print(log.sortBy(lambda r: (r[0], r[1])).collect())  # expect: PROVED
