"""Per-key (sum, count) with combineByKey, the classic average pattern."""

from pyspark import SparkContext


def create(v: int) -> tuple[int, int]:
    return (v, 1)


def merge_value(c: tuple[int, int], v: int) -> tuple[int, int]:
    return (c[0] + v, c[1] + 1)


def merge_combiners(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return (a[0] + b[0], a[1] + b[1])


sc = SparkContext("local[2]", "combine_by_key_average")
scores = sc.parallelize([("ann", 3), ("bob", 4), ("ann", 5)], 2)
sums = scores.combineByKey(create, merge_value, merge_combiners)  # expect: PROVED
print(sums.mapValues(lambda c: c[0] / c[1]).collect())
