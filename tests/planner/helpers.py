"""Planning an assembly in memory, the way `cdcheck plan` does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cdcheck.checker import planner as P
from cdcheck.lang import ast as A
from cdcheck.lang.check import check_goal_items, check_plan
from cdcheck.lang.goals import read_goals
from cdcheck.lang.loader import Loader
from cdcheck.spec import planning as S

MODELS = Path(__file__).parent.parent.parent / "models"


@dataclass(frozen=True)
class Planned:
    asm: S.Assembly
    goals: S.GoalSet
    result: P.Solution | P.Infeasible


def plan_text(text: str, path: str, goals_yaml: str, max_steps: int = 6) -> Planned:
    plan = Loader().load_text(text, path)
    assert not [d for d in check_plan(plan) if d.is_error]
    items = read_goals(goals_yaml, "goals.yaml")
    assert not [d for d in check_goal_items(plan, items) if d.is_error]
    asm = S.assembly_of(plan)
    goals = S.expand_goals(asm, items)
    return Planned(asm, goals, P.solve(S.problem_of(asm, goals, max_steps)))


def sequences(solution: P.Solution) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in sorted(solution.steps, key=lambda s: (s.agent, s.index)):
        out.setdefault(s.agent, []).append(s.label)
    return out


def happens_before(programs: S.Programs, asm: S.Assembly) -> set[tuple[S.Occurrence, S.Occurrence]]:
    """Orders the programs enforce: an instance's behaviors in order, and a `wait`
    before everything its node does after it (transitively closed)."""
    edges: set[tuple[S.Occurrence, S.Occurrence]] = set()
    occurrences = {occ for occ in programs.push_ids}
    for inst, k in occurrences:
        if (inst, k + 1) in occurrences:
            edges.add(((inst, k), (inst, k + 1)))
    by_id = {pid: occ for occ, pid in programs.push_ids.items()}
    for prog in programs.programs.values():
        waited: list[S.Occurrence] = []
        for instr in prog:
            if isinstance(instr, A.Wait):
                waited.append(by_id[instr.push_id.text])
            elif isinstance(instr, A.PushB):
                for w in waited:
                    edges.add((w, by_id[instr.push_id.text]))
    closure = set(edges)
    changed = True
    while changed:
        changed = False
        for a, b in list(closure):
            for c, d in list(closure):
                if b == c and (a, d) not in closure:
                    closure.add((a, d))
                    changed = True
    return closure


def occurrence(programs: S.Programs, inst: str, behavior: str) -> S.Occurrence:
    return next(
        o
        for o, pid in programs.push_ids.items()
        if o[0] == inst and pid.startswith(f"{inst}_{behavior}")
    )
