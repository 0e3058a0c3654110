"""Partial-order reduction benchmark: states and seconds with and without it.

    python benchmarks/bench_por.py                 # CPS update 1..6, OpenStack deploy 1..3
    python benchmarks/bench_por.py --full-timeout 600   # the issue's 10-minute budget
    python benchmarks/bench_por.py --family cps-update --sizes 1 2 20

Each row checks deadlock freedom (a state without successor whose programs
are not all finished) on a family plan from `cdcheck.lang.families`, three
ways: stubborn sets on the FIFO relaxation (`spec.relaxed`, what `cdcheck`
does by default: when no deadlock is found there but some question has
several askers, the proof does not transfer, and stubborn sets on the exact
semantics with polling answers forgotten decide in the rest of the time limit,
"(exact)" in the verdict, states of that search), stubborn sets on the exact
semantics (`--exact-fifo`), and every interleaving (`--no-por`). A run that
hits its time limit shows the states reached so far, marked `>`. Deadlock freedom needs neither
visibility nor the cycle proviso (stubborn sets preserve deadlocks).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from cdcheck.checker.por import reduced
from cdcheck.checker.search import Explorable, Limits, SearchResult, check_safety
from cdcheck.lang.families import generate
from cdcheck.lang.loader import Loader
from cdcheck.spec.model import compile_plan
from cdcheck.spec.relaxed import RelaxedSystem
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


def run(family: str, n: int, mode: str, timeout: float) -> Run:
    """mode: "relaxed" (stubborn sets on the relaxation, then, as `cdcheck`
    does, on the exact semantics with forgotten answers when no deadlock was
    found and some question has several askers), "exact" (stubborn sets) or
    "full" (every interleaving)."""
    sysm = system_of(family, n)
    explored: Explorable[GlobalState, object] = sysm
    relaxed: RelaxedSystem | None = None
    if mode == "relaxed":
        sysm = relaxed = RelaxedSystem(sysm.model)
        explored = reduced(relaxed, cycle_proviso=False)
    elif mode == "exact":
        explored = reduced(sysm, cycle_proviso=False)
    start = time.perf_counter()
    res: SearchResult[GlobalState, object] = check_safety(
        explored, check_deadlock=True, is_final=finished(sysm), limits=Limits(timeout=timeout)
    )
    seconds = time.perf_counter() - start
    verdict = res.results[0].verdict.value
    if relaxed is not None and relaxed.shared and verdict == "holds":
        # as cdcheck does: no transfer to the plan; the exact semantics decides
        exact = ConcertoSystem(relaxed.model, forget=True)
        res = check_safety(
            reduced(exact, cycle_proviso=False),
            check_deadlock=True,
            is_final=finished(exact),
            limits=Limits(timeout=max(timeout - seconds, 1.0)),
        )
        seconds = time.perf_counter() - start
        verdict = f"{res.results[0].verdict.value} (exact)"
    return Run(res.stats.states, seconds, verdict, res.stopped_by is None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per reduced run")
    ap.add_argument(
        "--full-timeout", type=float, default=None, help="seconds per unreduced run (--timeout)"
    )
    ap.add_argument("--family", help="only this family")
    ap.add_argument("--sizes", type=int, nargs="*", help="only these sizes")
    ap.add_argument("--no-full", action="store_true", help="skip the unreduced runs")
    ap.add_argument("--no-exact", action="store_true", help="skip stubborn sets on the exact FIFOs")
    args = ap.parse_args(argv)
    rows = [
        (f, n)
        for f, n in DEFAULT_ROWS
        if (args.family is None or f == args.family) and (not args.sizes or n in args.sizes)
    ]
    if args.family and args.sizes:
        rows = [(args.family, n) for n in args.sizes]
    full_timeout = args.full_timeout or args.timeout
    print(
        "| plan | relaxed+POR: states | s | verdict | exact POR: states | s | verdict "
        "| full: states | s | verdict | full / relaxed+POR |"
    )
    print("|---|---:|---:|---|---:|---:|---|---:|---:|---|---:|")
    for family, n in rows:
        red = run(family, n, "relaxed", args.timeout)
        exact = None if args.no_exact else run(family, n, "exact", args.timeout)
        full = None if args.no_full else run(family, n, "full", full_timeout)
        cells = []
        for r in (red, exact, full):
            cells.append(
                "- | - | -" if r is None else f"{r.cell()} | {r.seconds:.1f} | {r.verdict}"
            )
        ratio = "-"
        if full is not None and red.complete and red.states and red.verdict != "no transfer":
            ratio = f"{'' if full.complete else '>'}{full.states / red.states:,.1f}x"
        print(f"| {family} {n} | {' | '.join(cells)} | {ratio} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
