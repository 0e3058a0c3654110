"""Total of a list of ints with reduce(add): associative, commutative, exact."""

from operator import add

from pyspark import SparkContext

sc = SparkContext("local[2]", "reduce_add")
nums = sc.parallelize([3, 1, 4, 1, 5, 9, 2, 6], 4)
total = nums.reduce(add)  # expect: PROVED
print(total)
