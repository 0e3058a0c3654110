"""Mean with aggregate: a (sum, count) pair, merged component-wise."""

from pyspark import SparkContext


def add_value(acc: tuple[int, int], x: int) -> tuple[int, int]:
    return (acc[0] + x, acc[1] + 1)


def merge(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return (a[0] + b[0], a[1] + b[1])


sc = SparkContext("local[2]", "aggregate_mean")
nums = sc.parallelize([1, 2, 3, 4, 5], 3)
total, count = nums.aggregate((0, 0), add_value, merge)  # expect: PROVED
print(total / count)
