"""Symbolic engines against explicit search: the largest size each decides.

    python benchmarks/bench_smt.py                      # small budget, minutes
    python benchmarks/bench_smt.py --budget 600 --max-size 20 --families cps-update
    python benchmarks/bench_smt.py --families cps-update --engines houdini --sizes 1 2 5 10 20

For each family (CPS update, OpenStack update), property (deadlock-free,
port-consistency) and engine (explicit: every interleaving, `--no-por`;
explicit+por: the default reduced search, on the FIFO relaxation first; bmc,
kind, pdr, houdini: the symbolic engines), sizes 1, 2,
... (or the `--sizes` given) are tried in turn, each through the `cdcheck
check` command in its own process with a wall-clock budget, until one is not
decided (unknown, out of budget, or an error); the table gives the largest
size decided, its verdict and time.
BMC only ever decides a violation (it never proves), so on these correct
plans its column reads "-" unless a bug is found: that is the expected figure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

EXIT_VERDICT = {0: "holds", 1: "violated", 3: "unknown"}


def decide(
    family: str, n: int, prop: str, engine: str, budget: float, depth: int
) -> tuple[str, float]:
    """(verdict or failure, seconds) of one `cdcheck check` run."""
    from cdcheck.lang.families import generate

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"{family}-{n}.cd")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(generate(family, n))
        cmd = [
            sys.executable,
            "-m",
            "cdcheck.checker.cli",
            "check",
            path,
            "--quiet",
            "--property",
            prop,
            "--engine",
            "explicit" if engine.startswith("explicit") else engine,
            "--por" if engine == "explicit+por" else "--no-por",
            "--depth",
            str(depth),
            "--timeout",
            str(budget),
        ]
        started = time.perf_counter()
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=budget + 30)
        except subprocess.TimeoutExpired:
            return "out of budget", time.perf_counter() - started
        seconds = time.perf_counter() - started
        return EXIT_VERDICT.get(done.returncode, f"exit {done.returncode}"), seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", nargs="+", default=["cps-update", "openstack-update"])
    ap.add_argument("--properties", nargs="+", default=["deadlock-free", "port-consistency"])
    ap.add_argument(
        "--engines",
        nargs="+",
        default=["explicit", "explicit+por", "bmc", "kind", "pdr", "houdini"],
    )
    ap.add_argument("--budget", type=float, default=20.0, help="seconds per run (default 20)")
    ap.add_argument("--max-size", type=int, default=3, help="largest size tried (default 3)")
    ap.add_argument("--sizes", type=int, nargs="+", help="sizes tried (default 1..max-size)")
    ap.add_argument("--depth", type=int, default=30, help="bmc bound / largest k (default 30)")
    args = ap.parse_args(argv)
    rows = []
    print(f"{'family':18} {'property':17} {'engine':12} {'largest':>7}  verdict   seconds")
    for family in args.families:
        for prop in args.properties:
            for engine in args.engines:
                best, verdict, secs, why = 0, "-", 0.0, ""
                for n in args.sizes or range(1, args.max_size + 1):
                    v, s = decide(family, n, prop, engine, args.budget, args.depth)
                    if v not in ("holds", "violated"):
                        why = f"n={n}: {v} after {s:.1f} s"
                        break
                    best, verdict, secs = n, v, s
                line = f"{family:18} {prop:17} {engine:12} {best:>7}  {verdict:9} {secs:7.1f}"
                print(f"{line}  {why}", flush=True)
                rows.append((family, prop, engine, best, verdict, secs, why))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
