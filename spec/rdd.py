"""Executable semantics of Spark RDDs as lists of partitions.

This is the ground truth that the Z3 verdicts of `checker/spark.py` are tested
against, and the interpreter that replays their counterexamples in-process.
It follows ../shared/reference/SPARK-OBLIGATIONS.md operation by operation,
for two engines: `pyspark` (driver merges in partition-index order) and
`scala` (driver merges in task-completion order).

An RDD is a tuple of partitions, each a tuple of elements; empty partitions
are allowed and matter (a `fold` zero is used once per partition, empty or
not). Every nondeterministic choice Spark makes (the order in which tasks
complete, the order in which a reducer fetches map outputs) is asked of a
`Chooser`, so that one function describes every run: `IndexOrder` gives the
deterministic local-mode run, `Scripted` replays recorded choices, and
`all_schedules` enumerates every possible run.

The functions never inspect element values themselves: user functions are
passed in as callables, so the same code runs on Python values (replay, tests)
and on Z3 terms (the checker's bounded search), where the partitioning and the
schedule are concrete and only the values are symbolic. Keys of `*ByKey`
operations must be concrete (hashable Python values). Pure, no I/O.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

Engine = Literal["pyspark", "scala"]
ENGINES: tuple[Engine, ...] = ("pyspark", "scala")

T = TypeVar("T")
R = TypeVar("R")
Partitions = tuple[tuple[Any, ...], ...]
Fn1 = Callable[[Any], Any]
Fn2 = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Failure:
    """An action that raises (for instance `reduce` of an empty RDD).

    Kept as a value so that "both raise" compares equal and "one raises" does
    not, without exceptions crossing the symbolic search.
    """

    message: str


EMPTY_REDUCE = Failure("Can not reduce() empty RDD")


# ----------------------------------------------------------------------------- choices


class Chooser(Protocol):
    """Answers Spark's nondeterministic choices: a permutation of `n` things."""

    def permutation(self, n: int, why: str) -> tuple[int, ...]: ...


class IndexOrder:
    """Every choice in index order: what a lightly loaded `local[*]` run does."""

    def permutation(self, n: int, why: str) -> tuple[int, ...]:
        return tuple(range(n))


@dataclass
class Scripted:
    """Replays recorded choices; choices past the script are in index order."""

    script: Sequence[tuple[int, ...]]
    position: int = 0

    def permutation(self, n: int, why: str) -> tuple[int, ...]:
        if self.position < len(self.script):
            perm = tuple(self.script[self.position])
            self.position += 1
            if sorted(perm) != list(range(n)):
                raise ValueError(f"scripted choice {perm} is not a permutation of {n} ({why})")
            return perm
        return tuple(range(n))


@dataclass
class _Recorder:
    """Follows a prefix of choice indices, then takes choice 0; records branching."""

    prefix: list[int]
    taken: list[int]
    widths: list[int]
    perms: list[tuple[int, ...]]

    def permutation(self, n: int, why: str) -> tuple[int, ...]:
        options = math.factorial(n)
        depth = len(self.taken)
        index = self.prefix[depth] if depth < len(self.prefix) else 0
        self.taken.append(index)
        self.widths.append(options)
        perm = _nth_permutation(n, index)
        self.perms.append(perm)
        return perm


def _nth_permutation(n: int, index: int) -> tuple[int, ...]:
    """The index-th permutation of range(n) in lexicographic order (0 = identity)."""
    items = list(range(n))
    out: list[int] = []
    for i in range(n, 0, -1):
        f = math.factorial(i - 1)
        q, index = divmod(index, f)
        out.append(items.pop(q))
    return tuple(out)


def all_schedules(
    run: Callable[[Chooser], R], limit: int | None = None
) -> Iterator[tuple[tuple[tuple[int, ...], ...], R]]:
    """Every run of `run`, one per sequence of choices, identity choices first.

    Yields the choices made (replayable with `Scripted`) and the result. The
    sequence of choices may depend on earlier ones (a depth-first search over
    the tree of choices, re-running `run` from the start for each leaf).
    """
    prefix: list[int] = []
    count = 0
    while True:
        rec = _Recorder(prefix=list(prefix), taken=[], widths=[], perms=[])
        result = run(rec)
        yield tuple(rec.perms), result
        count += 1
        if limit is not None and count >= limit:
            return
        taken, widths = rec.taken, rec.widths
        i = len(taken) - 1
        while i >= 0 and taken[i] + 1 >= widths[i]:
            i -= 1
        if i < 0:
            return
        prefix = [*taken[:i], taken[i] + 1]


# ----------------------------------------------------------------------------- partitions


def compositions(n: int, k: int) -> Iterator[tuple[int, ...]]:
    """Every way to write n as an ordered sum of k sizes >= 0 (empty parts allowed)."""
    if k == 1:
        yield (n,)
        return
    for first in range(n + 1):
        for rest in compositions(n - first, k - 1):
            yield (first, *rest)


def cut(xs: Sequence[T], sizes: Sequence[int]) -> tuple[tuple[T, ...], ...]:
    """Cut a list into contiguous partitions of the given sizes."""
    if sum(sizes) != len(xs) or any(s < 0 for s in sizes):
        raise ValueError(f"sizes {tuple(sizes)} do not cut a list of {len(xs)}")
    out: list[tuple[T, ...]] = []
    start = 0
    for s in sizes:
        out.append(tuple(xs[start : start + s]))
        start += s
    return tuple(out)


def partitionings(xs: Sequence[T], max_parts: int) -> Iterator[tuple[tuple[T, ...], ...]]:
    """Every cut of xs into 1..max_parts contiguous partitions, empty ones included."""
    for k in range(1, max_parts + 1):
        for sizes in compositions(len(xs), k):
            yield cut(xs, sizes)


def collect(parts: Partitions) -> tuple[Any, ...]:
    """The abstraction function: concatenation in partition-index order."""
    return tuple(x for p in parts for x in p)


def _scala_slices(n: int, num_slices: int) -> list[tuple[int, int]]:
    """ParallelCollectionRDD.slice: partition i is [i*n/k, (i+1)*n/k)."""
    return [((i * n) // num_slices, ((i + 1) * n) // num_slices) for i in range(num_slices)]


def parallelize(xs: Sequence[T], num_slices: int, engine: Engine) -> tuple[tuple[T, ...], ...]:
    """Where `sc.parallelize(xs, num_slices)` cuts the list.

    Scala slices the elements; PySpark first batches them
    (`batchSize = max(1, min(len // numSlices, 1024))`) and the JVM slices the
    batches, so the same call gives a different layout in the two APIs.
    """
    if num_slices < 1:
        raise ValueError("num_slices must be >= 1")
    items = list(xs)
    if engine == "scala":
        return tuple(tuple(items[a:b]) for a, b in _scala_slices(len(items), num_slices))
    batch = max(1, min(len(items) // num_slices, 1024))
    batches = [items[i : i + batch] for i in range(0, len(items), batch)]
    return tuple(
        tuple(x for b in batches[a:z] for x in b)
        for a, z in _scala_slices(len(batches), num_slices)
    )


# ----------------------------------------------------------------------------- helpers


def _foldl(op: Fn2, zero: Any, xs: Sequence[Any]) -> Any:
    acc = zero
    for x in xs:
        acc = op(acc, x)
    return acc


def _driver_order(k: int, engine: Engine, chooser: Chooser) -> tuple[int, ...]:
    """PySpark collects and merges in index order; Scala merges as tasks finish."""
    if engine == "pyspark":
        return tuple(range(k))
    return chooser.permutation(k, "task completion order at the driver")


# ----------------------------------------------------------------------------- element-wise


def map_(parts: Partitions, f: Fn1) -> Partitions:
    return tuple(tuple(f(x) for x in p) for p in parts)


def filter_(parts: Partitions, pred: Fn1) -> Partitions:
    return tuple(tuple(x for x in p if pred(x)) for p in parts)


def flat_map(parts: Partitions, f: Fn1) -> Partitions:
    return tuple(tuple(y for x in p for y in f(x)) for p in parts)


def count(parts: Partitions) -> int:
    return sum(len(p) for p in parts)


def map_partitions(parts: Partitions, g: Callable[[tuple[Any, ...]], Any]) -> Partitions:
    """`collect = concat_i g(p_i)`: equal to g(collect) only if g is a ++-homomorphism."""
    return tuple(tuple(g(p)) for p in parts)


def map_partitions_with_index(
    parts: Partitions, g: Callable[[int, tuple[Any, ...]], Any]
) -> Partitions:
    return tuple(tuple(g(i, p)) for i, p in enumerate(parts))


def union(a: Partitions, b: Partitions, same_partitioner: bool = False) -> Partitions:
    """UnionRDD concatenates partition lists; PartitionerAwareUnionRDD (both inputs
    with one partitioner) makes partition i the union of the inputs' partitions i,
    which interleaves them in `collect`."""
    if same_partitioner and len(a) == len(b):
        return tuple(p + q for p, q in zip(a, b, strict=True))
    return a + b


def cartesian(a: Partitions, b: Partitions) -> Partitions:
    """Partition i * len(b) + j holds a_i x b_j: collect order is partition-blocked."""
    return tuple(tuple((x, y) for x in p for y in q) for p in a for q in b)


def zip_with_index(parts: Partitions) -> Partitions:
    """Start indices from the sizes of the earlier partitions (a counting job)."""
    out, start = [], 0
    for p in parts:
        out.append(tuple((x, start + i) for i, x in enumerate(p)))
        start += len(p)
    return tuple(out)


def take(parts: Partitions, n: int) -> tuple[Any, ...]:
    """Scans partitions 0, 1, ... and appends in partition order: a prefix of collect."""
    out: list[Any] = []
    for p in parts:
        if len(out) >= n:
            break
        out.extend(p[: n - len(out)])
    return tuple(out)


def first(parts: Partitions) -> Any:
    head = take(parts, 1)
    return head[0] if head else Failure("RDD is empty")


def distinct(parts: Partitions, chooser: Chooser, num_reduce: int = 1) -> Partitions:
    """`map(x => (x, None)).reduceByKey((x, _) => x).map(_._1)`: set-equal to the input;
    which of several ==-equal values is kept depends on the fetch order."""
    pairs = tuple(tuple((x, None) for x in p) for p in parts)
    reduced = combine_by_key(pairs, lambda v: v, lambda c, v: c, lambda a, b: a, chooser,
                             num_reduce)  # fmt: skip
    return tuple(tuple(k for k, _ in p) for p in reduced)


def sort_by(
    parts: Partitions,
    keyfunc: Fn1,
    chooser: Chooser,
    bounds: Sequence[Any] = (),
) -> Partitions:
    """Range-partition by key (`bounds`, sorted, stand for Spark's sampled ones), each
    reduce partition receives map outputs in fetch order and sorts them stably by key:
    equal keys keep their arrival order, not their input order."""
    cuts = list(bounds)
    out: list[tuple[Any, ...]] = []
    for r in range(len(cuts) + 1):
        order = chooser.permutation(len(parts), f"fetch order of sort partition {r}")
        arrived = [x for m in order for x in parts[m] if bisect.bisect_left(cuts, keyfunc(x)) == r]
        out.append(tuple(sorted(arrived, key=keyfunc)))
    return tuple(out)


def join(a: Partitions, b: Partitions, chooser: Chooser, num_reduce: int = 1) -> Partitions:
    """PySpark's python_join: tag values 1/2, union, groupByKey, then per key
    `((v, w) for v in vbuf for w in wbuf)`; bag-equal to the nested-loop join."""
    tagged = tuple(tuple((k, (1, v)) for k, v in p) for p in a) + tuple(
        tuple((k, (2, w)) for k, w in p) for p in b
    )
    groups = group_by_key(tagged, chooser, num_reduce)
    out: list[tuple[Any, ...]] = []
    for p in groups:
        rows: list[Any] = []
        for k, vs in p:
            left = [v for tag, v in vs if tag == 1]
            right = [w for tag, w in vs if tag == 2]
            rows.extend((k, (v, w)) for v in left for w in right)
        out.append(tuple(rows))
    return tuple(out)


# ----------------------------------------------------------------------------- actions


def reduce(parts: Partitions, f: Fn2, engine: Engine, chooser: Chooser) -> Any:
    """Per partition reduceLeft (empty partitions emit nothing), then merge at the driver."""
    partials = [(i, _foldl(f, p[0], p[1:])) for i, p in enumerate(parts) if p]
    if not partials:
        return EMPTY_REDUCE
    if engine == "scala":
        order = chooser.permutation(len(partials), "task completion order at the driver")
        partials = [partials[j] for j in order]
    values = [v for _, v in partials]
    return _foldl(f, values[0], values[1:])


def fold(parts: Partitions, zero: Any, op: Fn2, engine: Engine, chooser: Chooser) -> Any:
    """The zero is used k + 1 times: once per partition, once at the driver."""
    partials = [_foldl(op, zero, p) for p in parts]
    order = _driver_order(len(partials), engine, chooser)
    return _foldl(op, zero, [partials[j] for j in order])


def aggregate(
    parts: Partitions, zero: Any, seq_op: Fn2, comb_op: Fn2, engine: Engine, chooser: Chooser
) -> Any:
    """seqOp folds each partition from the zero; combOp merges from the zero at the driver."""
    partials = [_foldl(seq_op, zero, p) for p in parts]
    order = _driver_order(len(partials), engine, chooser)
    return _foldl(comb_op, zero, [partials[j] for j in order])


def sum_(parts: Partitions, add: Fn2, zero: Any, engine: Engine, chooser: Chooser) -> Any:
    """PySpark: `mapPartitions(lambda x: [sum(x)]).fold(0, add)`; Scala: `fold(0.0)(_ + _)`.

    Python's `sum` is a plain left fold from 0 up to CPython 3.11 (3.12 made
    float sums compensated); the model is the 3.11 worker.
    """
    if engine == "pyspark":
        sums = tuple((_foldl(add, zero, p),) for p in parts)
        return fold(sums, zero, add, engine, chooser)
    return fold(parts, zero, add, engine, chooser)


def py_max(a: Any, b: Any) -> Any:
    """Python's `max(a, b)`: keeps the first unless the second is greater."""
    return b if b > a else a


def py_min(a: Any, b: Any) -> Any:
    """Python's `min(a, b)`: keeps the first unless the second is smaller."""
    return b if b < a else a


def _tree_levels_pyspark(num: int, depth: int) -> list[int]:
    """The `curNumPartitions` of each regrouping level (PySpark: float division)."""
    scale = max(math.ceil(num ** (1.0 / depth)), 2)
    levels: list[int] = []
    current: float = num
    while current > scale + current / scale:
        current /= scale
        levels.append(int(current))
    return levels


def _tree_levels_scala(num: int, depth: int) -> list[int]:
    """The `curNumPartitions` of each regrouping level (Scala: integer division)."""
    scale = max(math.ceil(num ** (1.0 / depth)), 2)
    levels: list[int] = []
    current = num
    while current > scale + math.ceil(current / scale):
        current //= scale
        levels.append(current)
    return levels


def tree_aggregate(
    parts: Partitions,
    zero: Any,
    seq_op: Fn2,
    comb_op: Fn2,
    engine: Engine,
    chooser: Chooser,
    depth: int = 2,
) -> Any:
    """Per-partition fold, then levels regrouping partial i under key i % cur.

    Each level is a shuffle: the values of one key are merged in fetch order
    (a permutation of the map partitions holding it). PySpark merges them with
    `reduceByKey(combOp)` and ends with `reduce(combOp)`; Scala merges them
    with `foldByKey(zero)(combOp)` (the zero once per partial) and ends with
    `fold(zero)(combOp)`.
    """
    if depth < 1:
        raise ValueError("depth must be >= 1")
    if not parts:
        return zero
    partials: list[Any] = [_foldl(seq_op, zero, p) for p in parts]
    levels = (
        _tree_levels_pyspark(len(partials), depth)
        if engine == "pyspark"
        else _tree_levels_scala(len(partials), depth)
    )
    for cur in levels:
        merged: list[Any] = []
        for key in range(cur):
            holders = [i for i in range(len(partials)) if i % cur == key]
            order = chooser.permutation(len(holders), f"fetch order of tree key {key}")
            values = [partials[holders[j]] for j in order]
            if engine == "scala":  # foldByKey: the zero once per (key, map partition)
                values = [comb_op(zero, v) for v in values]
            merged.append(_foldl(comb_op, values[0], values[1:]))
        partials = merged
    if engine == "pyspark":
        return _foldl(comb_op, partials[0], partials[1:])
    return fold(tuple((v,) for v in partials), zero, comb_op, engine, chooser)


_NONE = (None, True)


def tree_reduce(parts: Partitions, f: Fn2, engine: Engine, chooser: Chooser, depth: int = 2) -> Any:
    """treeAggregate over "maybe" values whose zero means "nothing yet" (both APIs)."""

    def op(x: tuple[Any, bool], y: tuple[Any, bool]) -> tuple[Any, bool]:
        if x[1]:
            return y
        if y[1]:
            return x
        return (f(x[0], y[0]), False)

    if engine == "pyspark":
        wrapped = tuple(tuple((x, False) for x in p) for p in parts)
        result = tree_aggregate(wrapped, _NONE, op, op, engine, chooser, depth)
    else:  # Scala first reduces each partition to an Option, then tree-aggregates those
        options = tuple(((_foldl(f, p[0], p[1:]), False) if p else _NONE,) for p in parts)
        result = tree_aggregate(options, _NONE, op, op, engine, chooser, depth)
    return EMPTY_REDUCE if result[1] else result[0]


# ----------------------------------------------------------------------------- by key


def combine_by_key(
    parts: Partitions,
    create: Fn1,
    merge_value: Fn2,
    merge_combiners: Fn2,
    chooser: Chooser,
    num_reduce: int = 1,
    partitioner: Callable[[Hashable], int] | None = None,
) -> Partitions:
    """Map-side combine per (key, map partition), reduce-side merge in fetch order.

    Elements are (key, value) pairs with concrete keys. Each reduce partition
    fetches the map outputs in an order the chooser picks. The result is the
    reduce partitions of (key, combiner) pairs, keys in first-fetched order.
    Memory-pressure spills (which split one map partition's values further)
    are not modelled: they add partitioning, which the search covers anyway.
    """
    part_of = partitioner or (lambda key: hash(key) % num_reduce)
    map_outputs: list[dict[Hashable, Any]] = []
    for p in parts:
        combiners: dict[Hashable, Any] = {}
        for key, value in p:
            combiners[key] = (
                merge_value(combiners[key], value) if key in combiners else create(value)
            )
        map_outputs.append(combiners)
    reduced: list[tuple[tuple[Hashable, Any], ...]] = []
    for r in range(num_reduce):
        order = chooser.permutation(len(map_outputs), f"fetch order of reduce partition {r}")
        merged: dict[Hashable, Any] = {}
        for m in order:
            for key, comb in map_outputs[m].items():
                if part_of(key) != r:
                    continue
                merged[key] = merge_combiners(merged[key], comb) if key in merged else comb
        reduced.append(tuple(merged.items()))
    return tuple(reduced)


def reduce_by_key(parts: Partitions, f: Fn2, chooser: Chooser, num_reduce: int = 1) -> Partitions:
    return combine_by_key(parts, lambda v: v, f, f, chooser, num_reduce)


def fold_by_key(
    parts: Partitions, zero: Any, f: Fn2, chooser: Chooser, num_reduce: int = 1
) -> Partitions:
    """The zero is used once per (key, map partition holding the key)."""
    return combine_by_key(parts, lambda v: f(zero, v), f, f, chooser, num_reduce)


def aggregate_by_key(
    parts: Partitions, zero: Any, seq_op: Fn2, comb_op: Fn2, chooser: Chooser, num_reduce: int = 1
) -> Partitions:
    return combine_by_key(parts, lambda v: seq_op(zero, v), seq_op, comb_op, chooser, num_reduce)


def group_by_key(parts: Partitions, chooser: Chooser, num_reduce: int = 1) -> Partitions:
    """Groups as tuples whose order is the fetch order of the map outputs."""
    return combine_by_key(
        parts, lambda v: (v,), lambda c, v: (*c, v), lambda a, b: (*a, *b), chooser, num_reduce
    )


def map_values(parts: Partitions, g: Fn1) -> Partitions:
    return tuple(tuple((k, g(v)) for k, v in p) for p in parts)


def as_mapping(parts: Partitions) -> dict[Hashable, Any]:
    """The collected (key, value) pairs as a mapping: key order is hash order, not data."""
    return {k: v for p in parts for k, v in p}


# ----------------------------------------------------------------------------- sequential


def seq_reduce(xs: Sequence[Any], f: Fn2) -> Any:
    return EMPTY_REDUCE if not xs else _foldl(f, xs[0], xs[1:])


def seq_fold(xs: Sequence[Any], zero: Any, op: Fn2) -> Any:
    return _foldl(op, zero, xs)


def seq_combine_by_key(
    xs: Sequence[tuple[Hashable, Any]], create: Fn1, merge_value: Fn2
) -> dict[Hashable, Any]:
    """Per key, `foldl(mergeValue, create(v1), v2...)` in list order."""
    out: dict[Hashable, Any] = {}
    for key, value in xs:
        out[key] = merge_value(out[key], value) if key in out else create(value)
    return out


def seq_group_by_key(xs: Sequence[tuple[Hashable, Any]]) -> dict[Hashable, tuple[Any, ...]]:
    out: dict[Hashable, tuple[Any, ...]] = {}
    for key, value in xs:
        out[key] = (*out.get(key, ()), value)
    return out


# ----------------------------------------------------------------------------- uniform entry


@dataclass(frozen=True)
class OpArgs:
    """The user's functions and zero of one call, by the catalog's parameter names.

    Unused fields are None. `zero` is a value (Python or symbolic); `f` is the
    binary function (for `sum`, the addition; for `max`/`min`, Python's
    choice); `g` a function of a group or a partition; `keyfunc` the key of
    `sortBy` (Python values only: sorting compares keys in Python).
    """

    f: Fn2 | None = None
    zero: Any = None
    seq_op: Fn2 | None = None
    comb_op: Fn2 | None = None
    create: Fn1 | None = None
    merge_value: Fn2 | None = None
    merge_combiners: Fn2 | None = None
    g: Fn1 | None = None
    keyfunc: Fn1 | None = None
    depth: int = 2


def _need(fn: T | None, name: str) -> T:
    if fn is None:
        raise ValueError(f"operation needs `{name}`")
    return fn


def distributed(op: str, parts: Partitions, args: OpArgs, engine: Engine, chooser: Chooser) -> Any:
    """The result Spark computes for `op` on these partitions and this schedule.

    By-key operations return a mapping key -> value (their collect order is
    hash order, which no sequential program specifies).
    """
    if op in ("reduce", "max", "min"):
        return reduce(parts, _need(args.f, "f"), engine, chooser)
    if op == "sum":
        return sum_(parts, _need(args.f, "f"), args.zero, engine, chooser)
    if op == "fold":
        return fold(parts, args.zero, _need(args.f, "f"), engine, chooser)
    if op == "aggregate":
        return aggregate(
            parts, args.zero, _need(args.seq_op, "seqOp"), _need(args.comb_op, "combOp"), engine,
            chooser,
        )  # fmt: skip
    if op == "treeReduce":
        return tree_reduce(parts, _need(args.f, "f"), engine, chooser, args.depth)
    if op == "treeAggregate":
        return tree_aggregate(
            parts, args.zero, _need(args.seq_op, "seqOp"), _need(args.comb_op, "combOp"), engine,
            chooser, args.depth,
        )  # fmt: skip
    if op == "reduceByKey":
        return as_mapping(reduce_by_key(parts, _need(args.f, "f"), chooser))
    if op == "foldByKey":
        return as_mapping(fold_by_key(parts, args.zero, _need(args.f, "f"), chooser))
    if op == "aggregateByKey":
        return as_mapping(
            aggregate_by_key(
                parts, args.zero, _need(args.seq_op, "seqOp"), _need(args.comb_op, "combOp"),
                chooser,
            )
        )  # fmt: skip
    if op == "combineByKey":
        return as_mapping(
            combine_by_key(
                parts, _need(args.create, "createCombiner"), _need(args.merge_value, "mergeValue"),
                _need(args.merge_combiners, "mergeCombiners"), chooser,
            )
        )  # fmt: skip
    if op == "groupByKey.mapValues":
        return as_mapping(map_values(group_by_key(parts, chooser), _need(args.g, "g")))
    if op == "mapPartitions":
        return list(collect(map_partitions(parts, _need(args.g, "g"))))
    if op == "sortBy":
        return list(collect(sort_by(parts, _need(args.keyfunc, "keyfunc"), chooser)))
    raise ValueError(f"no distributed semantics for `{op}`")


def sequential(op: str, xs: Sequence[Any], args: OpArgs) -> Any:
    """The same operation on the collected list with list functions."""
    if op in ("reduce", "max", "min", "treeReduce"):
        return seq_reduce(xs, _need(args.f, "f"))
    if op in ("sum", "fold"):
        return seq_fold(xs, args.zero, _need(args.f, "f"))
    if op in ("aggregate", "treeAggregate"):
        return seq_fold(xs, args.zero, _need(args.seq_op, "seqOp"))
    if op == "reduceByKey":
        f = _need(args.f, "f")
        return seq_combine_by_key(xs, lambda v: v, f)
    if op == "foldByKey":
        f, z = _need(args.f, "f"), args.zero
        return {k: _foldl(f, z, vs) for k, vs in seq_group_by_key(xs).items()}
    if op == "aggregateByKey":
        s, z = _need(args.seq_op, "seqOp"), args.zero
        return {k: _foldl(s, z, vs) for k, vs in seq_group_by_key(xs).items()}
    if op == "combineByKey":
        return seq_combine_by_key(
            xs, _need(args.create, "createCombiner"), _need(args.merge_value, "mergeValue")
        )
    if op == "groupByKey.mapValues":
        g = _need(args.g, "g")
        return {k: g(vs) for k, vs in seq_group_by_key(xs).items()}
    if op == "mapPartitions":
        return list(_need(args.g, "g")(tuple(xs)))
    if op == "sortBy":  # Python's sort is stable: ties keep their input order
        return sorted(xs, key=_need(args.keyfunc, "keyfunc"))
    raise ValueError(f"no sequential semantics for `{op}`")


def runs(
    op: str, parts: Partitions, args: OpArgs, engine: Engine, limit: int | None = None
) -> Iterator[tuple[tuple[tuple[int, ...], ...], Any]]:
    """Every (schedule, result) of `op` on these partitions: all merge and fetch orders."""
    return all_schedules(lambda ch: distributed(op, parts, args, engine, ch), limit)


def replay(
    op: str,
    parts: Partitions,
    args: OpArgs,
    engine: Engine,
    schedule: Sequence[tuple[int, ...]] = (),
) -> tuple[Any, Any]:
    """(distributed, sequential) results of one run, for confirming a counterexample."""
    dist = distributed(op, parts, args, engine, Scripted(list(schedule)))
    return dist, sequential(op, collect(parts), args)


def all_layouts(n: int, max_parts: int) -> Iterator[tuple[int, ...]]:
    """Every partition-size vector for n elements in 1..max_parts partitions."""
    return itertools.chain.from_iterable(compositions(n, k) for k in range(1, max_parts + 1))


def make_args(**fields: Any) -> OpArgs:
    """`OpArgs` by keyword, so that a checker can build one without importing this module."""
    return OpArgs(**fields)
