"""reduce with a library function the checker does not model: the verdict is unknown."""

import math

from pyspark import SparkContext

sc = SparkContext("local[2]", "opaque_helper")
nums = sc.parallelize([12, 18, 27], 2)
print(nums.reduce(lambda a, b: math.gcd(a, b)))  # expect: UNKNOWN
