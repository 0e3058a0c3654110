"""Planning time of `cdcheck plan`, beside Ballet's published figures.

    python benchmarks/bench_planner.py                    # OpenStack 1 2 5 10, CPS 1 2 5 10
    python benchmarks/bench_planner.py --openstack 1 2 --cps 3
    python benchmarks/bench_planner.py --repeat 5         # median of 5 runs per row

For each size: the update goals of Ballet's experiments (update the MariaDB
master / the CPS database, everything ends running) on the assembly of
`cdcheck.lang.assemblies`; the time covers building the planning problem, Z3
(bounds, then the cost optimum) and writing the programs, not the model check
of the result. Ballet's planner (SANER'24, MiniZinc per component) reports
3.4-6.0 s for the OpenStack update over 1 to 10 sites; no per-size figure
was published in the facts this repository was given, so the column states the
range. Each row runs in its own process (each repetition too: `--repeat`
gives the median, the machine being shared and the times noisy).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

GOALS = {
    "openstack": "behaviors:\n  - {component: mariadb_master, behavior: update}\n"
    "components:\n  - forall: running\n",
    "cps": "behaviors:\n  - {component: database, behavior: update}\n"
    "components:\n  - forall: running\n",
}
TYPES = {"openstack": "models/openstack/types.cd", "cps": "models/cps/types.cd"}


def one(family: str, n: int) -> dict[str, object]:
    from cdcheck.checker.planner import Solution, solve
    from cdcheck.lang import assemblies
    from cdcheck.lang.goals import read_goals
    from cdcheck.lang.loader import Loader
    from cdcheck.spec import planning as S

    make = assemblies.openstack_assembly if family == "openstack" else assemblies.cps_assembly
    plan = Loader().load_text(make(n, TYPES[family]), f"{family}-{n}.cd")
    items = read_goals(GOALS[family], "goals.yaml")
    started = time.perf_counter()
    asm = S.assembly_of(plan)
    goals = S.expand_goals(asm, items)
    result = solve(S.problem_of(asm, goals))
    assert isinstance(result, Solution)
    programs = S.programs_of(asm, result)
    seconds = time.perf_counter() - started
    return {
        "family": family,
        "n": n,
        "instances": len(asm.instance_type),
        "behaviors": len(result.steps),
        "instructions": sum(len(p) for p in programs.programs.values()),
        "waits": len(programs.waits),
        "cost": result.cost,
        "seconds": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--openstack", type=int, nargs="*", default=[1, 2, 5, 10])
    parser.add_argument("--cps", type=int, nargs="*", default=[1, 2, 5, 10])
    parser.add_argument("--repeat", type=int, default=1, help="runs per row (median)")
    parser.add_argument("--row", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.row:
        print(json.dumps(one(args.row[0], int(args.row[1]))))
        return
    header = "family     n  instances  behaviors  instr.  waits   cost  seconds  Ballet"
    print(header)
    for family, sizes in (("openstack", args.openstack), ("cps", args.cps)):
        for n in sizes:
            runs = [
                json.loads(
                    subprocess.run(
                        [sys.executable, __file__, "--row", family, str(n)],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                )
                for _ in range(max(1, args.repeat))
            ]
            r = runs[0] | {"seconds": statistics.median(float(x["seconds"]) for x in runs)}
            ballet = "3.4-6.0 s (1-10 sites)" if family == "openstack" else "-"
            print(
                f"{r['family']:<9} {r['n']:>2}  {r['instances']:>9}  {r['behaviors']:>9}  "
                f"{r['instructions']:>6}  {r['waits']:>5}  {r['cost']:>5}  "
                f"{r['seconds']:>7.2f}  {ballet}"
            )


if __name__ == "__main__":
    main()
