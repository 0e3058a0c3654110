"""The quiet system's searches on the planner's plans: one deadlock search
that proves deadlock freedom, termination and the goals (docs/quiet.md), and
one search of port consistency with a violation flag per connection
(checker/flagged.py).

    python benchmarks/bench_quiet.py [--cps 1 2 3 5] [--openstack 1 2 5] [--budget 600]

Prints, per plan: what stands in the way of the quiet system (nothing when
the plan's waits order every shared question), the verdict of the quiet
deadlock search with the stubborn sets, its states and seconds, and the same
for port consistency (`--no-ports` skips it).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

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


def port_conjuncts(quiet: Any, plan: Any) -> list[Any]:
    """A watched invariant per connection of port consistency."""
    from cdcheck.checker import ltl as L
    from cdcheck.checker.flagged import Watched
    from cdcheck.checker.predicates import compile_predicate
    from cdcheck.spec.por_groups import atom_keys
    from cdcheck.spec.suite import port_consistency_formula

    todo = [L.invariant_of(L.parse(port_consistency_formula(plan))) or L.TRUE]
    atoms = quiet.atoms()
    watched = []
    while todo:
        f = todo.pop()
        if isinstance(f, L.And):
            todo += [f.right, f.left]
            continue
        keys = frozenset().union(*(atom_keys(quiet.model, str(a)) or () for a in L.atoms(f)))
        predicate = compile_predicate(f, lambda a: atoms.compile(str(a)))
        watched.append(Watched(L.to_text(f), predicate, keys))
    return watched


def ports(quiet: Any, plan: Any, budget: float) -> str:
    from cdcheck.checker.flagged import Flagged
    from cdcheck.checker.por import reduced
    from cdcheck.checker.search import Limits, Verdict, check_safety

    started = time.perf_counter()
    flagged = Flagged(quiet, port_conjuncts(quiet, plan))
    search = check_safety(
        reduced(flagged, cycle_proviso=True), flagged.invariants(), limits=Limits(timeout=budget)
    )
    seconds = time.perf_counter() - started
    verdicts = {r.verdict for r in search.results}
    verdict = next(v for v in (Verdict.VIOLATED, Verdict.UNKNOWN, Verdict.HOLDS) if v in verdicts)
    return f"  {verdict.value:<9} {search.stats.states:>10,}  {seconds:>8.1f}"


def row(family: str, n: int, budget: float, with_ports: bool) -> str:
    from cdcheck.checker.por import reduced
    from cdcheck.checker.search import Limits, check_safety
    from cdcheck.lang.loader import Loader
    from cdcheck.spec.model import compile_plan
    from cdcheck.spec.quiet import QuietSystem, obstacles

    plan = Loader().load_text(planned(family, n), f"{family}-{n}.cd")
    model = compile_plan(plan)
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
    line = (
        f"{family:<9} {n:>3}  {obstacle:<40}  {verdict:<9} "
        f"{search.stats.states:>10,}  {seconds:>8.1f}"
    )
    return line + ports(quiet, plan, budget) if with_ports and not why_not else line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cps", type=int, nargs="*", default=[1, 2, 3, 5])
    parser.add_argument("--openstack", type=int, nargs="*", default=[1, 2, 5])
    parser.add_argument("--budget", type=float, default=600.0, help="seconds per search")
    parser.add_argument("--no-ports", action="store_true", help="skip port consistency")
    args = parser.parse_args()
    head = f"{'family':<9} {'n':>3}  {'obstacle':<40}  {'quiet':<9} {'states':>10}  {'seconds':>8}"
    if not args.no_ports:
        head += f"  {'ports':<9} {'states':>10}  {'seconds':>8}"
    print(head)
    for family, sizes in (("cps", args.cps), ("openstack", args.openstack)):
        for n in sizes:
            print(row(family, n, args.budget, not args.no_ports), flush=True)


if __name__ == "__main__":
    main()
