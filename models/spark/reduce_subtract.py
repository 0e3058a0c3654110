"""reduce with subtraction: the result depends on where the partitions are cut."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "reduce_subtract")
nums = sc.parallelize(list(range(1, 11)), 3)  # cdcheck: elem=int
print(nums.reduce(lambda a, b: a - b))  # expect: REFUTED
