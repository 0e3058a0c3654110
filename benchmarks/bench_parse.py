"""Front-end scaling: parse + static checks of the OpenStack family at 1, 10, 50 sites.

The goal of issue 2 is "50 sites in under 2 s". The generated text is made
first and not timed (generation is not what a user waits for when checking a
plan file); each measurement is the best of `--repeat` runs, in a fresh
`Loader` so that no parse is cached.

    python benchmarks/bench_parse.py [--sizes 1 10 50] [--repeat 3] [--megabytes 0.1 1 10]

A second table (issue 24) times `cdcheck FILE --summary`'s front end (load +
static checks) on CPS update plans of about 0.1, 1 and 10 MB, each in a fresh
process so that its peak resident memory is its own.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from cdcheck.lang.check import check_plan
from cdcheck.lang.families import generate
from cdcheck.lang.loader import Loader

FAMILIES = ("openstack-deploy", "openstack-update-fixed")
GOAL_SECONDS = 2.0


def measure(text: str, path: str, repeat: int) -> tuple[float, float, int]:
    """Best (parse, check) seconds over `repeat` runs, and the number of diagnostics."""
    best_parse = best_check = float("inf")
    found = 0
    for _ in range(repeat):
        start = time.perf_counter()
        plan = Loader().load_text(text, path)
        parsed = time.perf_counter()
        found = len(check_plan(plan))
        checked = time.perf_counter()
        best_parse = min(best_parse, parsed - start)
        best_check = min(best_check, checked - parsed)
    return best_parse, best_check, found


_CHILD = """
import resource, sys, time
from cdcheck.lang.check import check_plan
from cdcheck.lang.loader import Loader
start = time.perf_counter()
plan = Loader().load(sys.argv[1])
found = len(check_plan(plan))
took = time.perf_counter() - start
print(took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, found)
"""


def by_megabytes(sizes: list[float]) -> None:
    """Seconds and peak MB of load + static checks of CPS update plans of `sizes` MB."""
    per_pair = len(generate("cps-update", 100)) / 100
    print(f"\n{'target MB':>10}{'pairs':>8}{'MB':>8}{'seconds':>10}{'peak MB':>10}  diagnostics")
    print("-" * 59)
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes:
            pairs = max(1, round(mb * 1e6 / per_pair))
            path = os.path.join(tmp, f"cps-{pairs}.cd")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(generate("cps-update", pairs))
            out = subprocess.run(
                [sys.executable, "-c", _CHILD, path], capture_output=True, text=True, check=True
            ).stdout.split()
            size = os.path.getsize(path) / 1e6
            print(
                f"{mb:>10g}{pairs:>8}{size:>8.2f}{float(out[0]):>10.2f}{float(out[1]):>10.0f}"
                f"  {out[2]}"
            )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--megabytes", type=float, nargs="*", default=[0.1, 1.0, 10.0])
    args = ap.parse_args()
    header = f"{'family':<24}{'sites':>6}{'lines':>8}{'parse s':>10}{'check s':>10}{'total s':>10}"
    print(header + "  diagnostics")
    print("-" * (len(header) + 13))
    worst = 0.0
    for family in FAMILIES:
        for n in args.sizes:
            text = generate(family, n)
            parse_s, check_s, found = measure(text, f"<{family}-{n}>", args.repeat)
            total = parse_s + check_s
            if n == max(args.sizes):
                worst = max(worst, total)
            print(
                f"{family:<24}{n:>6}{text.count(chr(10)):>8}"
                f"{parse_s:>10.3f}{check_s:>10.3f}{total:>10.3f}  {found}"
            )
    if args.megabytes:
        by_megabytes(args.megabytes)
    verdict = "meets" if worst < GOAL_SECONDS else "MISSES"
    print(f"\nlargest size: {worst:.3f} s, {verdict} the goal of < {GOAL_SECONDS} s")
    return 0 if worst < GOAL_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
