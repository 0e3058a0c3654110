"""spec/rdd.py against the figures measured on Spark (SPARK-OBLIGATIONS.md)."""

from __future__ import annotations

import math
import operator

import pytest

from cdcheck.spec import rdd as R

IO = R.IndexOrder()


def test_parallelize_layouts_differ_between_apis() -> None:
    assert R.parallelize(range(1, 11), 4, "pyspark") == ((1, 2), (3, 4), (5, 6), (7, 8, 9, 10))
    assert R.parallelize(range(1, 11), 4, "scala") == ((1, 2), (3, 4, 5), (6, 7), (8, 9, 10))
    assert R.parallelize([1, 2, 3], 4, "scala") == ((), (1,), (2,), (3,))


@pytest.mark.parametrize("n,expected", [(1, 17), (2, 18), (3, 19), (4, 20)])
def test_fold_uses_the_zero_k_plus_one_times(n: int, expected: int) -> None:
    parts = R.parallelize(range(1, 6), n, "pyspark")
    assert R.fold(parts, 1, operator.add, "pyspark", IO) == expected
    assert R.seq_fold(range(1, 6), 1, operator.add) == 16


@pytest.mark.parametrize("n,expected", [(1, -53), (2, 15), (3, 23), (4, 21)])
def test_reduce_subtract_depends_on_the_cut(n: int, expected: int) -> None:
    parts = R.parallelize(range(1, 11), n, "pyspark")
    assert R.reduce(parts, operator.sub, "pyspark", IO) == expected
    assert R.fold(parts, 0, operator.sub, "pyspark", IO) == 55


@pytest.mark.parametrize("n,expected", [(1, 16), (2, 17), (3, 18), (4, 19)])
def test_fold_by_key_zero_once_per_map_partition(n: int, expected: int) -> None:
    parts = R.parallelize([("k", x) for x in range(1, 6)], n, "pyspark")
    assert R.as_mapping(R.fold_by_key(parts, 1, operator.add, IO)) == {"k": expected}


@pytest.mark.parametrize(
    "n,expected",
    [(8, "abefijmncdghklop"), (9, "afgklbchmndeijop"), (16, "aeimbfjncgkodhlp")],
)
def test_pyspark_tree_reduce_merges_non_adjacent_partitions(n: int, expected: str) -> None:
    parts = R.parallelize(list("abcdefghijklmnop"), n, "pyspark")
    assert R.tree_reduce(parts, operator.add, "pyspark", IO) == expected


@pytest.mark.parametrize(
    "n,scala,pyspark",
    [(1, 139, 137), (2, 141, 138), (3, 143, 139), (4, 145, 140), (8, 155, 144), (9, 158, 145),
     (16, 173, 152)],
)  # fmt: skip
def test_tree_aggregate_zero_counts(n: int, scala: int, pyspark: int) -> None:
    add = operator.add
    s = R.tree_aggregate(R.parallelize(range(1, 17), n, "scala"), 1, add, add, "scala", IO)
    p = R.tree_aggregate(R.parallelize(range(1, 17), n, "pyspark"), 1, add, add, "pyspark", IO)
    assert (s, p) == (scala, pyspark)


def test_aggregate_counting_partitions() -> None:
    parts = R.parallelize(range(1, 6), 3, "pyspark")
    seq = lambda acc, x: (acc[0] + x, acc[1] + 1)  # noqa: E731
    comb = lambda a, b: (a[0] + b[0], a[1] + 1)  # noqa: E731
    assert (
        R.aggregate(parts, (1, 0), seq, lambda a, b: (a[0] + b[0], a[1] + b[1]), "pyspark", IO)[0]
        == 19
    )
    # the catalog's BMC witness: [[0, 0]] gives (0, 1), sequentially (0, 2)
    assert R.aggregate(((0, 0),), (0, 0), seq, comb, "pyspark", IO) == (0, 1)
    assert R.seq_fold([0, 0], (0, 0), seq) == (0, 2)


def test_scala_merges_in_any_completion_order() -> None:
    parts = (("a",), ("b",), ("c",))
    results = {r for _, r in R.runs("reduce", parts, R.OpArgs(f=operator.add), "scala")}
    assert results == {"abc", "acb", "bac", "bca", "cab", "cba"}
    pys = {r for _, r in R.runs("reduce", parts, R.OpArgs(f=operator.add), "pyspark")}
    assert pys == {"abc"}


def test_reduce_by_key_depends_on_fetch_order() -> None:
    parts = ((("k", "A"),), (("k", "B"),))
    results = {r["k"] for _, r in R.runs("reduceByKey", parts, R.OpArgs(f=operator.add), "pyspark")}
    assert results == {"AB", "BA"}


def test_empty_partitions_and_empty_rdd() -> None:
    assert R.reduce(((), (1,), ()), operator.add, "pyspark", IO) == 1
    assert R.reduce(((), ()), operator.add, "pyspark", IO) == R.EMPTY_REDUCE
    assert R.seq_reduce([], operator.add) == R.EMPTY_REDUCE
    assert R.tree_reduce(((), ()), operator.add, "scala", IO) == R.EMPTY_REDUCE


def test_max_with_nan_replayed_as_in_the_catalog() -> None:
    parts = ((6.54e-47,), (math.nan, 3.58e286))
    assert R.reduce(parts, R.py_max, "pyspark", IO) == 6.54e-47
    assert R.seq_reduce(R.collect(parts), R.py_max) == 3.58e286


def test_schedules_are_replayable() -> None:
    parts = (("a",), ("b",), ("c",))
    args = R.OpArgs(f=operator.add)
    for schedule, result in R.runs("reduce", parts, args, "scala"):
        assert R.replay("reduce", parts, args, "scala", schedule)[0] == result


def test_compositions_count_and_cut() -> None:
    assert len(list(R.compositions(4, 3))) == math.comb(6, 2)
    assert R.cut([1, 2, 3], (0, 2, 1)) == ((), (1, 2), (3,))
    with pytest.raises(ValueError):
        R.cut([1, 2], (1,))


@pytest.mark.parametrize("n,expected", [(1, 1.0), (2, 0.0), (3, 0.0), (4, 1.0)])
def test_float_sum_depends_on_partitions(n: int, expected: float) -> None:
    data = [1e16, 1.0, -1e16, 1.0]
    parts = R.parallelize(data, n, "pyspark")
    assert R.sum_(parts, operator.add, 0.0, "pyspark", IO) == expected


# ----------------------------------------------------------------------------- order-producing


def test_union_interleaves_inputs_that_share_a_partitioner() -> None:
    a = (((2, "a2"), (4, "a4")), ((1, "a1"), (3, "a3")))
    b = (((2, "b2"), (4, "b4")), ((1, "b1"), (3, "b3")))
    assert R.union(a, b, same_partitioner=True) == (
        ((2, "a2"), (4, "a4"), (2, "b2"), (4, "b4")),
        ((1, "a1"), (3, "a3"), (1, "b1"), (3, "b3")),
    )
    plain = R.union(((1, 2), (3, 4)), ((5,), (6,)))
    assert plain == ((1, 2), (3, 4), (5,), (6,))


def test_cartesian_is_partition_blocked() -> None:
    got = R.collect(R.cartesian(((1, 2),), (("x", "y"), ("z", "w"))))
    assert got[:6] == ((1, "x"), (1, "y"), (2, "x"), (2, "y"), (1, "z"), (1, "w"))
    seq = tuple((x, y) for x in (1, 2) for y in "xyzw")
    assert got != seq and sorted(got) == sorted(seq)


def test_zip_with_index_take_first() -> None:
    parts = ((), ("a", "b"), ("c",))
    assert R.collect(R.zip_with_index(parts)) == (("a", 0), ("b", 1), ("c", 2))
    assert R.take(parts, 2) == ("a", "b") and R.first(parts) == "a"
    assert isinstance(R.first(((), ())), R.Failure)


def test_map_partitions_is_not_a_homomorphism_in_general() -> None:
    parts = ((1, 2), (3,))
    assert R.collect(R.map_partitions(parts, lambda p: [sum(p)])) == (3, 3)
    assert R.collect(R.map_partitions(parts, lambda p: [x * 2 for x in p])) == (2, 4, 6)
    assert R.collect(R.map_partitions_with_index(parts, lambda i, p: [i] * len(p))) == (0, 0, 1)


def test_distinct_keeps_the_first_fetched_of_equal_values() -> None:
    parts = ((1,), (1.0,))
    kept = {R.collect(r)[0].__class__ for _, r in R.all_schedules(lambda ch: R.distinct(parts, ch))}
    assert kept == {int, float}


def test_sort_by_ties_follow_fetch_order() -> None:
    parts = (((1, "a"),), ((1, "b"),), ((0, "c"),))
    results = {
        R.collect(r)
        for _, r in R.all_schedules(lambda ch: R.sort_by(parts, lambda t: t[0], ch, bounds=[1]))
    }
    assert ((0, "c"), (1, "a"), (1, "b")) in results and ((0, "c"), (1, "b"), (1, "a")) in results
    assert all(sorted(r, key=lambda t: t[0]) == list(r) for r in results)


def test_join_is_bag_equal_to_the_nested_loop_join() -> None:
    a = ((("k", 1), ("j", 2)), (("k", 3),))
    b = ((("k", "x"),), (("k", "y"), ("j", "z")))
    seq = sorted((k, (v, w)) for k, v in R.collect(a) for k2, w in R.collect(b) if k == k2)
    for _, r in R.all_schedules(lambda ch: R.join(a, b, ch)):
        assert sorted(R.collect(r)) == seq
