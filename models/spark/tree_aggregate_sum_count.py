"""treeAggregate of (sum, count): a commutative monoid, safe in any tree shape."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "tree_aggregate_sum_count")
nums = sc.parallelize(list(range(100)), 16)  # cdcheck: elem=int
stats = nums.treeAggregate(  # expect: PROVED
    (0, 0),
    lambda acc, x: (acc[0] + x, acc[1] + 1),
    lambda a, b: (a[0] + b[0], a[1] + b[1]),
    depth=3,
)
print(stats)
