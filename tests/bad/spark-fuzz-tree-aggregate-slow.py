"""treeAggregate(0, max, max): 0 is not an identity of max on negative ints.

no reachable value breaks it: the result is right, and the checker says
"unknown" rather than claiming a proof it does not have.
"""

from pyspark import SparkContext

sc = SparkContext("local[2]", "tree_aggregate_max_zero")
nums = sc.parallelize([-5, 3, -2, 8], 2)
print(nums.treeAggregate(0, max, max))  # expect: UNKNOWN
