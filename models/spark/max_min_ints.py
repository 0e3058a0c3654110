"""max() and min() of ints, and max of strings: semilattices, always right."""

from pyspark import SparkContext

sc = SparkContext("local[2]", "max_min_ints")
nums = sc.parallelize([5, -3, 12, 7], 3)
print(nums.max(), nums.min())  # expect: PROVED
names = sc.parallelize(["kim", "ada", "zoe"], 2)
print(names.reduce(lambda a, b: a if a >= b else b))  # expect: PROVED
