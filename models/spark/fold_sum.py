"""fold(0, add) over ints: (+, 0) is a monoid, so every partitioning agrees."""

import operator

from pyspark import SparkContext

sc = SparkContext("local[2]", "fold_sum")
nums = sc.parallelize([1, 2, 3, 4, 5], 2)
print(nums.fold(0, operator.add))  # expect: PROVED
