"""Spark obligations: how long Z3 takes to decide each law of small UDFs.

The goal of issue 7 is "the laws of linear-arithmetic UDFs are decided in
under 100 ms each". Each row is one law of one call site (read from a
generated one-line job, as `cdcheck spark` would), decided by
`checker.spark.prove` (sample probe, then Z3); the time is the best of
`--repeat` runs. Rows over the goal are marked `!`. Non-linear and float
rows are shown for contrast and are not part of the goal.

    python benchmarks/bench_spark.py [--engine pyspark|scala] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

from cdcheck.checker.spark import laws_for, prove
from cdcheck.lang.pyspark import Engine, read_job

GOAL_MS = 100.0

SUM_COUNT = "lambda u, x: (u[0] + x, u[1] + 1)"
PAIR_ADD = "lambda a, b: (a[0] + b[0], a[1] + b[1])"
LINEAR = [
    ("reduce +", "int", "reduce(lambda a, b: a + b)"),
    ("reduce -", "int", "reduce(lambda a, b: a - b)"),
    ("reduce 2a+b", "int", "reduce(lambda a, b: 2 * a + b)"),
    ("reduce max", "int", "reduce(lambda a, b: max(a, b))"),
    ("reduce min+1", "int", "reduce(lambda a, b: min(a, b) + 1)"),
    ("treeReduce a+b-1", "int", "treeReduce(lambda a, b: a + b - 1)"),
    ("fold 0 +", "int", "fold(0, lambda a, b: a + b)"),
    ("fold 1 +", "int", "fold(1, lambda a, b: a + b)"),
    ("fold 0 max", "int", "fold(0, lambda a, b: a if a > b else b)"),
    ("reduceByKey +", "(str, int)", "reduceByKey(lambda a, b: a + b)"),
    ("foldByKey 0 +", "(str, int)", "foldByKey(0, lambda a, b: a + b)"),
    ("aggregateByKey +", "(str, int)", "aggregateByKey(0, lambda u, x: u + x, lambda a, b: a + b)"),
    ("aggregate sum,count", "int", f"aggregate((0, 0), {SUM_COUNT}, {PAIR_ADD})"),
    ("aggregate counts parts", "int",
     f"aggregate((0, 0), {SUM_COUNT}, lambda a, b: (a[0] + b[0], a[1] + 1))"),
    ("treeAggregate sum,max", "int",
     "treeAggregate((0, 0), lambda u, x: (u[0] + x, max(u[1], x)), "
     "lambda a, b: (a[0] + b[0], max(a[1], b[1])))"),
    ("combineByKey sum,count", "(str, int)",
     f"combineByKey(lambda v: (v, 1), lambda c, v: (c[0] + v, c[1] + 1), {PAIR_ADD})"),
]  # fmt: skip
CONTRAST = [
    ("reduce concat", "str", "reduce(lambda a, b: a + b)"),
    ("reduce float +", "float", "reduce(lambda a, b: a + b)"),
    ("reduce float max", "float", "reduce(lambda a, b: max(a, b))"),
    ("reduce *", "int", "reduce(lambda a, b: a * b)"),
]


def rows(
    cases: list[tuple[str, str, str]], engine: Engine, repeat: int, linear: bool
) -> list[tuple[str, str, str, float, bool]]:
    out = []
    for label, elem, call in cases:
        text = f"rdd = sc.parallelize(data)  # cdcheck: elem={elem}\nrdd.{call}\n"
        (site,) = [s for s in read_job("bench.py", text, engine) if s.kind == "aggregation"]
        for law in laws_for(site, engine):
            best, status = float("inf"), ""
            for _ in range(repeat):
                start = time.perf_counter()
                status = prove(law, 30.0).status
                best = min(best, time.perf_counter() - start)
            out.append((label, law.name, status, best * 1000, linear))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["pyspark", "scala"], default="pyspark")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engine: Engine = args.engine
    table = rows(LINEAR, engine, args.repeat, True) + rows(CONTRAST, engine, args.repeat, False)
    width = max(len(r[0]) for r in table)
    law_width = max(len(r[1]) for r in table)
    print(f"engine: {engine}; goal: linear-arithmetic laws decided in < {GOAL_MS:.0f} ms each")
    print(f"{'call':<{width}}  {'law':<{law_width}}  {'status':<8}  {'ms':>8}")
    for call, law, status, ms, linear in table:
        mark = "!" if linear and ms >= GOAL_MS else " "
        tag = "" if linear else "  (contrast)"
        print(f"{call:<{width}}  {law:<{law_width}}  {status:<8}  {ms:8.1f}{mark}{tag}")
    linear_ms = [r[3] for r in table if r[4]]
    over = sum(ms >= GOAL_MS for ms in linear_ms)
    print(
        f"linear laws: {len(linear_ms)}, max {max(linear_ms):.1f} ms, "
        f"mean {sum(linear_ms) / len(linear_ms):.1f} ms, over the goal: {over}"
    )


if __name__ == "__main__":
    main()
