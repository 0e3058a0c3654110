"""Successor generation speed on the CPS update family (spec.system).

Breadth-first exploration of `cdcheck family cps-update N` with a plain
Python set as the state store; prints one row per size: states expanded,
transitions, seconds, states expanded per second. The reference point is the
Maude formalization, whose full `search` of the N=1 example (11,145 states)
takes about 2 s on the same machine (see docs/semantics-notes.md).

    python benchmarks/bench_successors.py                # N = 1, 2, 3
    python benchmarks/bench_successors.py --sizes 1 --max-states 50000
"""

from __future__ import annotations

import argparse
import time

from rich.console import Console
from rich.table import Table

from cdcheck.lang import ast as A
from cdcheck.lang.families import generate
from cdcheck.lang.parser import parse_source
from cdcheck.spec.model import compile_plan
from cdcheck.spec.system import ConcertoSystem


def system_of(family: str, n: int) -> ConcertoSystem:
    src = parse_source(generate(family, n), f"<{family} {n}>")
    return ConcertoSystem(compile_plan(A.Plan(f"{family}-{n}", src.types, src.nodes, ())))


def explore(sysm: ConcertoSystem, max_states: int) -> tuple[int, int, int, bool]:
    """BFS; returns (expanded, stored, transitions, complete)."""
    init = sysm.initial_states()
    seen = set(init)
    frontier = list(init)
    expanded = transitions = 0
    while frontier:
        nxt = []
        for s in frontier:
            expanded += 1
            for _step, t in sysm.successors(s):
                transitions += 1
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
            if len(seen) >= max_states:
                return expanded, len(seen), transitions, False
        frontier = nxt
    return expanded, len(seen), transitions, True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--family", default="cps-update")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--max-states", type=int, default=300_000)
    args = ap.parse_args()
    table = Table(
        "N", "states", "expanded", "transitions", "complete", "seconds", "expanded/s",
        "node states", title=f"{args.family}: successor generation (spec.system)",
    )  # fmt: skip
    for n in args.sizes:
        sysm = system_of(args.family, n)
        t0 = time.perf_counter()
        expanded, stored, transitions, complete = explore(sysm, args.max_states)
        dt = time.perf_counter() - t0
        table.add_row(
            str(n),
            f"{stored:,}",
            f"{expanded:,}",
            f"{transitions:,}",
            "yes" if complete else "capped",
            f"{dt:.2f}",
            f"{expanded / dt:,.0f}",
            f"{sysm.interned_node_states():,}",
        )
    Console().print(table)


if __name__ == "__main__":
    main()
