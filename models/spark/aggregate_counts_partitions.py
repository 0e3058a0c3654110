"""A combOp that counts merges instead of adding counts: it counts partitions."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "aggregate_counts_partitions")
nums = sc.parallelize([1, 2, 3, 4, 5], 3)
result = nums.aggregate(  # expect: REFUTED
    (0, 0),
    lambda acc, x: (acc[0] + x, acc[1] + 1),
    lambda a, b: (a[0] + b[0], a[1] + 1),
)
print(result)
