"""fold(1, add): the zero is used once per partition and once more at the driver."""

from operator import add

from pyspark import SparkContext

sc = SparkContext("local[2]", "fold_plus_one")
nums = sc.parallelize([1, 2, 3, 4, 5], 2)
print(nums.fold(1, add))  # expect: REFUTED
