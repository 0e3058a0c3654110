"""Partial-order reduction benchmark: states and seconds with and without it.

    python benchmarks/bench_por.py                 # CPS update 1..6, OpenStack deploy 1..3
    python benchmarks/bench_por.py --timeout 600   # the issue's 10-minute budget per run
    python benchmarks/bench_por.py --family cps-update --sizes 1 2

Each row checks deadlock freedom (a state without successor whose programs
are not all finished) on a family plan from `cdcheck.lang.families`, once on
the full transition system and once through `checker.por.reduced`. A run that
hits the time limit shows the states reached so far, marked `>`; the verdict
column says what each run concluded. Deadlock freedom needs neither
visibility nor the cycle proviso (stubborn sets preserve deadlocks); pass
`--proviso` to measure the cost of the cycle proviso as used for invariants.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from cdcheck.checker.por import reduced
from cdcheck.checker.search import Limits, SearchResult, check_safety
from cdcheck.lang.families import generate
from cdcheck.lang.loader import Loader
from cdcheck.spec.model import compile_plan
from cdcheck.spec.state import GlobalState
from cdcheck.spec.system import ConcertoSystem

DEFAULT_ROWS = [("cps-update", n) for n in range(1, 7)] + [
    ("openstack-deploy", n) for n in range(1, 4)
]


@dataclass(frozen=True)
class Run:
    states: int
    seconds: float
    verdict: str
    complete: bool

    def cell(self) -> str:
        mark = "" if self.complete else ">"
        return f"{mark}{self.states:,}"


def system_of(family: str, n: int) -> ConcertoSystem:
    plan = Loader().load_text(generate(family, n), f"<{family} {n}>")
    return ConcertoSystem(compile_plan(plan))


def finished(sysm: ConcertoSystem) -> Callable[[GlobalState], bool]:
    ends = [len(nm.program) for nm in sysm.model.nodes]

    def done(s: GlobalState) -> bool:
        return all(sysm.node(s, k).pc == e for k, e in enumerate(ends))

    return done


def run(family: str, n: int, por: bool, timeout: float, proviso: bool) -> Run:
    sysm = system_of(family, n)
    explored = reduced(sysm, cycle_proviso=proviso) if por else sysm
    start = time.perf_counter()
    res: SearchResult[GlobalState, object] = check_safety(
        explored,
        check_deadlock=True,
        is_final=finished(sysm),
        limits=Limits(timeout=timeout),
    )
    seconds = time.perf_counter() - start
    verdict = res.results[0].verdict.value
    return Run(res.stats.states, seconds, verdict, res.stopped_by is None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per run (default 60)")
    ap.add_argument("--family", help="only this family")
    ap.add_argument("--sizes", type=int, nargs="*", help="only these sizes")
    ap.add_argument("--proviso", action="store_true", help="keep the cycle proviso on")
    ap.add_argument("--no-full", action="store_true", help="skip the unreduced runs")
    args = ap.parse_args(argv)
    rows = [
        (f, n)
        for f, n in DEFAULT_ROWS
        if (args.family is None or f == args.family) and (not args.sizes or n in args.sizes)
    ]
    if args.family and args.sizes:
        rows = [(args.family, n) for n in args.sizes]
    print(
        "| plan | states (POR) | s (POR) | verdict (POR) "
        "| states (full) | s (full) | verdict (full) | ratio |"
    )
    print("|---|---:|---:|---|---:|---:|---|---:|")
    for family, n in rows:
        red = run(family, n, True, args.timeout, args.proviso)
        full = None if args.no_full else run(family, n, False, args.timeout, args.proviso)
        if full is None:
            fcells = "| - | - | - | - |"
        else:
            if red.complete and red.states:
                approx = "" if full.complete else ">"
                ratio = f"{approx}{full.states / red.states:.1f}x"
            else:
                ratio = "-"
            fcells = f"| {full.cell()} | {full.seconds:.1f} | {full.verdict} | {ratio} |"
        print(
            f"| {family} {n} | {red.cell()} | {red.seconds:.1f} | {red.verdict} {fcells}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
