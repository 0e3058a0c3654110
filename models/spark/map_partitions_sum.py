"""A per-partition sum in mapPartitions: one partial sum per partition, not one sum.

`mapPartitions(g)` equals `g(collect)` only when g is a homomorphism for ++;
here every partition, even an empty one, contributes its own `[sum(it)]`.
"""

from pyspark import SparkContext

sc = SparkContext("local[2]", "map_partitions_sum")
nums = sc.parallelize([1, 2, 3, 4], 2)
print(nums.mapPartitions(lambda it: [sum(it)]).collect())  # expect: REFUTED
