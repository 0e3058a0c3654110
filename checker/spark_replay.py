"""Replaying a Spark counterexample on real, local Spark (`cdcheck spark --replay`).

The counterexample's partitions are rebuilt exactly, with
`sc.parallelize(parts, len(parts)).flatMap(lambda p: p)` (one input element
per partition, each a list, so Spark's own slicing cannot move anything) and
checked with `glom`; then the operation runs with the same user functions the
checker reasoned about (their Python meaning), and Spark's result is printed
beside the predicted and the sequential ones.

Only the partitioning can be forced: the order in which a local run merges
task results or fetches shuffle blocks cannot. A counterexample that needs a
non-index merge order is reported as such, and Spark's result may then agree
with the sequential one. pyspark is an optional dependency (`cdcheck[spark]`);
a SparkContext takes seconds to start, so one is started per command.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .spark import Counterexample, Site, same


def pyspark_available() -> bool:
    return importlib.util.find_spec("pyspark") is not None


class ReplayError(Exception):
    """Spark did not lay the partitions out as asked, or could not run the operation."""


@dataclass(frozen=True)
class Replay:
    spark: Any
    predicted: Any
    sequential: Any
    forced_order: bool

    @property
    def agrees(self) -> bool:
        if isinstance(self.spark, SparkRaised):
            return hasattr(self.predicted, "message")
        return same(self.spark, self.predicted)


@contextmanager
def local_spark(cores: int = 2) -> Iterator[Any]:
    """One local SparkContext, its workers on this interpreter (so they import cdcheck)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark import SparkConf, SparkContext

    conf = (
        SparkConf()
        .setMaster(f"local[{cores}]")
        .setAppName("cdcheck-replay")
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
    )
    sc = SparkContext.getOrCreate(conf)
    sc.setLogLevel("ERROR")
    try:
        yield sc
    finally:
        sc.stop()


def _fn(site: Site, name: str) -> Callable[..., Any]:
    f = site.fn(name)
    if f is None:
        raise ReplayError(f"{site.op}: no `{name}`")
    return f.py


def _zero(site: Site) -> Any:
    z = site.fn("zero")
    if z is None:
        raise ReplayError(f"{site.op}: no zero value")
    return z.py()


def run_on_spark(sc: Any, site: Site, cx: Counterexample) -> Replay:
    """Run `site.op` on Spark over the counterexample's exact partitions."""
    parts = [list(p) for p in cx.partitions]
    rdd = sc.parallelize(parts, len(parts)).flatMap(lambda p: p)
    layout = rdd.glom().collect()
    if not same([tuple(p) for p in layout], [tuple(p) for p in parts]):
        raise ReplayError(f"Spark laid the input out as {layout}, not {parts}")
    try:
        result = _run(rdd, site, site.op)
    except ValueError as exc:  # reduce of an empty RDD raises, as the semantics predicts
        result = SparkRaised(str(exc).strip().splitlines()[-1] if str(exc).strip() else "error")
    forced = all(p == tuple(range(len(p))) for p in cx.schedule)
    return Replay(result, cx.distributed, cx.sequential, forced)


@dataclass(frozen=True)
class SparkRaised:
    """The action raised on Spark (the semantics' counterpart is a `Failure` value)."""

    message: str


def _run(rdd: Any, site: Site, op: str) -> Any:
    if op == "reduce":
        return rdd.reduce(_fn(site, "f"))
    if op == "max":
        return rdd.max()
    if op == "min":
        return rdd.min()
    if op == "sum":
        return rdd.sum()
    if op == "fold":
        return rdd.fold(_zero(site), _fn(site, "f"))
    if op == "aggregate":
        return rdd.aggregate(_zero(site), _fn(site, "seqOp"), _fn(site, "combOp"))
    if op == "treeReduce":
        return rdd.treeReduce(_fn(site, "f"), site.depth)
    if op == "treeAggregate":
        return rdd.treeAggregate(_zero(site), _fn(site, "seqOp"), _fn(site, "combOp"), site.depth)
    if op == "reduceByKey":
        return dict(rdd.reduceByKey(_fn(site, "f"), 1).collect())
    if op == "foldByKey":
        return dict(rdd.foldByKey(_zero(site), _fn(site, "f"), 1).collect())
    if op == "aggregateByKey":
        seq, comb = _fn(site, "seqOp"), _fn(site, "combOp")
        return dict(rdd.aggregateByKey(_zero(site), seq, comb, 1).collect())
    if op == "combineByKey":
        create, mv, mc = _fn(site, "createCombiner"), _fn(site, "mergeValue"), _fn(
            site, "mergeCombiners")  # fmt: skip
        return dict(rdd.combineByKey(create, mv, mc, 1).collect())
    if op == "sortBy":
        return list(rdd.sortBy(_fn(site, "keyfunc"), True, 1).collect())
    if op == "mapPartitions":
        g = _fn(site, "g")
        return list(rdd.mapPartitions(lambda it: g(list(it))).collect())
    if op == "groupByKey.mapValues":
        g = _fn(site, "g")
        return dict(rdd.groupByKey(1).mapValues(lambda vs: g(list(vs))).collect())
    raise ReplayError(f"no replay for `{op}`")


def replay_lines(sites: Sequence[object], results: Sequence[object]) -> Iterator[str]:
    """Each counterexample of `results` run on a local Spark, a line each:
    what Spark computed beside what the checker predicted."""
    from cdcheck.checker import spark as S

    todo = [
        (site, r)
        for site, r in zip(sites, results, strict=True)
        if isinstance(r, S.Result) and r.counterexample is not None
    ]
    if not todo:
        yield "replay: no counterexample to replay"
        return
    with local_spark() as sc:
        for site, r in todo:
            assert r.counterexample is not None
            try:
                rep = run_on_spark(sc, site, r.counterexample)  # type: ignore[arg-type]
            except ReplayError as exc:
                yield f"{r.file}:{r.line} replay failed: {exc}"
                continue
            status = "as predicted" if rep.agrees else "NOT as predicted"
            if not rep.forced_order:
                status += " (the counterexample needs a merge order local Spark may not take)"
            yield (
                f"{r.file}:{r.line} replay on Spark {sc.version}: spark={S._show(rep.spark)} "
                f"predicted={S._show(rep.predicted)} sequential={S._show(rep.sequential)} "
                f"{status}"
            )
