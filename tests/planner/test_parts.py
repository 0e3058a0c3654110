"""The optimum by parts (checker/planner.py `_by_parts`) is the optimizer's.

The parts give lower bounds only if their encoding is the general one: the text
encoding of a part is proved equivalent to `_build`'s (goals required). The
optimum found by parts is compared with the optimizer's at the same bounds,
and the optimizer still answers when the parts' runs do not fit together.
"""

from __future__ import annotations

from typing import Any

import pytest
import z3

from cdcheck.checker import planner as P
from cdcheck.lang.assemblies import cps_assembly, openstack_assembly
from cdcheck.spec import planning as S

from .helpers import MODELS, plan_text, sequences

CPS_GOALS = (MODELS / "cps" / "goals-update.yaml").read_text()
OS_GOALS = (MODELS / "openstack" / "goals-update.yaml").read_text()
CPS_TYPES = str(MODELS / "cps" / "types.cd")
OS_TYPES = str(MODELS / "openstack" / "types.cd")

SCENARIOS = {
    "cps-2": (cps_assembly(2, CPS_TYPES), CPS_GOALS),
    "openstack-1": (openstack_assembly(1, OS_TYPES), OS_GOALS),
    "openstack-2": (openstack_assembly(2, OS_TYPES), OS_GOALS),
}


def _problem(name: str) -> S.PlanningProblem:
    text, goals = SCENARIOS[name]
    planned = plan_text(text, f"{name}.cd", goals)
    return S.problem_of(planned.asm, planned.goals)


def _parts(problem: S.PlanningProblem) -> list[P._Part]:
    providers: dict[str, list[str]] = {}
    for user, provider in problem.needs:
        providers.setdefault(user[0], []).append(provider[0])
    parts = [P._part_of(problem, P._upstream(a.name, providers)) for a in problem.agents]
    # and the whole problem, with its exclusive pairs (no upstream part has two)
    return [*parts, P._part_of(problem, [a.name for a in problem.agents])]


@pytest.mark.parametrize("name", ["cps-2", "openstack-1"])
def test_the_text_encoding_of_a_part_is_the_general_encoding(name: str) -> None:
    problem = _problem(name)
    bound, _ = P._initial_bounds(problem)
    for part in _parts(problem):
        capacity = {a.name: bound[a.name] for a in part.agents}
        built = P._build(part, capacity, set(), optimize=False)
        text, texts = P._part_text(part, capacity)
        renamed: list[tuple[Any, Any]] = [(lit, z3.BoolVal(True)) for lit in built.goal_lits]
        for agent_name, enc in built.encs.items():
            t = texts[agent_name]
            renamed += [(enc.state[k], z3.Int(t.state(k))) for k in range(enc.capacity + 1)]
            for k in range(1, enc.capacity + 1):
                renamed += [
                    (enc.op[k], z3.Int(t.op(k))),
                    (enc.start[k], z3.Int(t.start(k))),
                    (enc.end[k], z3.Int(t.end(k))),
                ]
        general = z3.substitute(z3.And(built.solver.assertions()), *renamed)
        written = z3.And(z3.parse_smt2_string(text))
        solver = z3.Solver()
        solver.add(general != written)
        assert solver.check() == z3.unsat, [a.name for a in part.agents]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_optimum_by_parts_is_the_optimizers(name: str) -> None:
    problem = _problem(name)
    bound, _ = P._initial_bounds(problem)
    parts = P._by_parts(problem, bound, 1, 0.0)
    assert isinstance(parts, P.Solution)
    built = P._optimizer(problem, bound)
    assert built.solver.check() == z3.sat
    optimum = P._extract(problem, built, bound, 1, 0.0)
    assert parts.cost == optimum.cost
    assert sequences(parts) == sequences(optimum)


def test_the_optimizer_answers_when_the_parts_do_not_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = _problem("openstack-1")
    fast = P.solve(problem)
    monkeypatch.setattr(P, "_schedule", lambda *args: P._FITS_NOT)
    slow = P.solve(problem)
    assert isinstance(fast, P.Solution) and isinstance(slow, P.Solution)
    assert fast.cost == slow.cost
    assert sequences(fast) == sequences(slow)


def test_a_part_without_plan_sends_the_bounds_up() -> None:
    goals = (
        "ports:\n  - {component: database, port: service, status: inactive}\n"
        "components:\n  - {component: system, status: running}\n"
    )
    planned = plan_text(cps_assembly(1, CPS_TYPES), "a.cd", goals, max_steps=4)
    problem = S.problem_of(planned.asm, planned.goals, 4)
    bound, _ = P._initial_bounds(problem)
    assert P._by_parts(problem, bound, 1, 0.0) is P._UNREACHABLE
    assert isinstance(planned.result, P.Infeasible)
