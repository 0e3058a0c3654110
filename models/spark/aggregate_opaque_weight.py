"""A weighted sum whose weight function is outside the modelled subset.

`weight` calls math.log1p, so it stays an uninterpreted function of declared
type int -> int; the laws of aggregate (combOp(u, 0) = u and
(u + v) + weight(x) = u + (v + weight(x))) hold whatever it computes, so
the verdict is a proof for every possible `weight`.
"""

import math

from pyspark import SparkContext


def weight(x: int) -> int:
    return int(math.log1p(abs(x)) * 100)


sc = SparkContext("local[2]", "aggregate_opaque_weight")
nums = sc.parallelize([3, 1, 4, 1, 5], 2)
print(nums.aggregate(0, lambda acc, x: acc + weight(x), lambda a, b: a + b))  # expect: PROVED
