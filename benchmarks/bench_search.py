"""Explicit search figures: one command, one table.

    python benchmarks/bench_search.py                 # CPS update n=1..3, OpenStack deploy 1..2
    python benchmarks/bench_search.py --max-states 2000000 --timeout 600 --cps 1 2 3 4

Each row runs in its own process (so peak memory is that row's alone): the
family's plan is generated, compiled, and explored breadth-first for
deadlock freedom (the default `G !deadlock`, no reduction). Columns: states,
transitions, seconds, states/s, peak resident memory, and bytes per state
(resident memory grown during the search divided by the states stored).
A row that hits a limit says so in the last column.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def one(family: str, n: int, max_states: int, timeout: float) -> dict[str, object]:
    from cdcheck.checker.search import Limits, check_safety, memory_mb
    from cdcheck.lang.check import check_plan
    from cdcheck.lang.families import generate
    from cdcheck.lang.loader import Loader
    from cdcheck.spec.model import compile_plan
    from cdcheck.spec.system import ConcertoSystem

    plan = Loader().load_text(generate(family, n), f"{family}-{n}.cd")
    assert not [d for d in check_plan(plan) if d.is_error]
    system = ConcertoSystem(compile_plan(plan))
    before = memory_mb()
    started = time.perf_counter()
    result = check_safety(
        system,
        check_deadlock=True,
        is_final=system.atoms().done,
        limits=Limits(max_states=max_states, timeout=timeout),
    )
    seconds = time.perf_counter() - started
    s = result.stats
    grown = max(0.0, memory_mb() - before) * 2**20
    return {
        "states": s.states,
        "transitions": s.transitions,
        "seconds": seconds,
        "bytes_per_state": grown / s.states if s.states else 0.0,
        "verdict": result.results[0].verdict.value,
        "stopped_by": result.stopped_by or "",
    }


def run_row(family: str, n: int, max_states: int, timeout: float) -> dict[str, object]:
    cmd = [
        sys.executable,
        __file__,
        "--one",
        family,
        str(n),
        "--max-states",
        str(max_states),
        "--timeout",
        str(timeout),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    row: dict[str, object] = json.loads(out) if proc.returncode == 0 else {"error": proc.returncode}
    row["peak_mb"] = usage.ru_maxrss / 1024
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cps", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--openstack", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--max-states", type=int, default=1_000_000)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--one", nargs=2, metavar=("FAMILY", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], int(args.one[1]), args.max_states, args.timeout)))
        return
    rows = [("cps-update", n) for n in args.cps] + [("openstack-deploy", n) for n in args.openstack]
    head = (
        f"{'family':<18}{'n':>3}{'states':>12}{'transitions':>14}{'seconds':>10}"
        f"{'states/s':>11}{'peak MB':>10}{'B/state':>9}  verdict"
    )
    print(head)
    print("-" * len(head))
    for family, n in rows:
        r = run_row(family, n, args.max_states, args.timeout)
        if "error" in r:
            print(f"{family:<18}{n:>3}  failed with exit code {r['error']}")
            continue
        secs = float(r["seconds"])  # type: ignore[arg-type]
        states = int(r["states"])  # type: ignore[call-overload]
        verdict = str(r["verdict"]) + (f" ({r['stopped_by']})" if r["stopped_by"] else "")
        print(
            f"{family:<18}{n:>3}{states:>12,}{int(r['transitions']):>14,}"  # type: ignore[call-overload]
            f"{secs:>10.2f}{states / secs if secs else 0:>11,.0f}{float(r['peak_mb']):>10,.0f}"  # type: ignore[arg-type]
            f"{float(r['bytes_per_state']):>9,.0f}  {verdict}",  # type: ignore[arg-type]
            flush=True,
        )


if __name__ == "__main__":
    main()
