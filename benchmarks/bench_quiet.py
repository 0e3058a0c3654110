"""The quiet system's deadlock search on the planner's plans: one search that
proves deadlock freedom, termination and the goals (docs/quiet.md).

    python benchmarks/bench_quiet.py [--cps 1 2 3 5] [--openstack 1 2 5] [--budget 600]

Prints, per plan: what stands in the way of the quiet system (nothing when
the plan's waits order every shared question), the verdict of the quiet
deadlock search with the stubborn sets, its states and seconds.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def planned(family: str, n: int) -> str:
    """The planner's plan for the family's update scenario, as `.cd` text."""
    from cdcheck.checker.planner import Solution, solve
    from cdcheck.lang import assemblies
    from cdcheck.lang import ast as A
    from cdcheck.lang.goals import read_goals
    from cdcheck.lang.loader import Loader
    from cdcheck.lang.printer import format_file
    from cdcheck.spec import planning as S

    folder = ROOT / "models" / family
    make = assemblies.openstack_assembly if family == "openstack" else assemblies.cps_assembly
    types = str(folder / "types.cd")
    plan = Loader().load_text(make(n, types), f"{family}-{n}.cd")
    items = read_goals((folder / "goals-update.yaml").read_text(), "goals.yaml")
    asm = S.assembly_of(plan)
    result = solve(S.problem_of(asm, S.expand_goals(asm, items)))
    assert isinstance(result, Solution)
    programs = S.programs_of(asm, result)
    source = A.SourceFile(
        f"{family}-{n}.cd", (A.Include(types),), (), S.planned_nodes(asm, programs), (), ()
    )
    return format_file(source)


def row(family: str, n: int, budget: float) -> str:
    from cdcheck.checker.por import reduced
    from cdcheck.checker.search import Limits, check_safety
    from cdcheck.lang.loader import Loader
    from cdcheck.spec.model import compile_plan
    from cdcheck.spec.quiet import QuietSystem, obstacles

    model = compile_plan(Loader().load_text(planned(family, n), f"{family}-{n}.cd"))
    started = time.perf_counter()
    why_not = obstacles(model)
    quiet = QuietSystem(model)
    search = check_safety(
        reduced(quiet, cycle_proviso=False),
        check_deadlock=True,
        is_final=quiet.atoms().done,
        limits=Limits(timeout=budget),
    )
    seconds = time.perf_counter() - started
    verdict = search.results[0].verdict.value
    obstacle = why_not[0][:40] if why_not else "none"
    return (
        f"{family:<9} {n:>3}  {obstacle:<40}  {verdict:<9} "
        f"{search.stats.states:>10,}  {seconds:>8.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cps", type=int, nargs="*", default=[1, 2, 3, 5])
    parser.add_argument("--openstack", type=int, nargs="*", default=[1, 2, 5])
    parser.add_argument("--budget", type=float, default=600.0, help="seconds per search")
    args = parser.parse_args()
    print(f"{'family':<9} {'n':>3}  {'obstacle':<40}  {'quiet':<9} {'states':>10}  {'seconds':>8}")
    for family, sizes in (("cps", args.cps), ("openstack", args.openstack)):
        for n in sizes:
            print(row(family, n, args.budget), flush=True)


if __name__ == "__main__":
    main()
