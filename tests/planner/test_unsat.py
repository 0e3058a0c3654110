"""Impossible goal sets: each gets a minimal conflicting subset, explained in words.

Minimality is checked independently: dropping any goal of the reported core
makes the remaining goals of the core satisfiable.
"""

from __future__ import annotations

import pytest

from cdcheck.checker import planner as P
from cdcheck.lang.assemblies import cps_assembly, openstack_assembly
from cdcheck.spec import planning as S

from .helpers import MODELS, plan_text

CPS = cps_assembly(1, str(MODELS / "cps" / "types.cd"))
OS = openstack_assembly(1, str(MODELS / "openstack" / "types.cd"))

CASES = [
    (
        "db-service-off-while-system-runs",
        CPS,
        "ports:\n  - {component: database, port: service, status: inactive}\n"
        "components:\n  - {component: system, status: running}\n",
        {"port database.service: inactive", "component system: running"},
        "`system` uses `database.service`",
    ),
    (
        "database-uninstalled",
        CPS,
        "components:\n  - {component: database, status: initiated}\n  - forall: running\n",
        {"component database: initiated", "component system: running"},
        "`system` uses `database.service`",
    ),
    (
        "system-down-listener-up",
        CPS,
        "components:\n  - {component: system, status: initiated}\n"
        "  - {component: listener_0, status: running}\n",
        {"component system: initiated", "component listener_0: running"},
        "`listener_0` uses `system.service`",
    ),
    (
        "registered-yet-serving",
        CPS,
        "components:\n  - {component: database, status: registered}\n"
        "ports:\n  - {component: database, port: service, status: active}\n",
        {"component database: registered", "port database.service: active"},
        "the goals",
    ),
    (
        "master-off-worker-up",
        OS,
        "ports:\n  - {component: mariadb_master, port: service, status: inactive}\n"
        "components:\n  - {component: mariadb_worker_0, status: running}\n",
        {"port mariadb_master.service: inactive", "component mariadb_worker_0: running"},
        "`mariadb_worker_0` uses `mariadb_master.service`",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_impossible_goals_get_a_minimal_core(case: tuple[str, str, str, set[str], str]) -> None:
    _name, assembly, goals, core, words = case
    planned = plan_text(assembly, "a.cd", goals, max_steps=4)
    result = planned.result
    assert isinstance(result, P.Infeasible)
    assert {g.key for g in result.core} == core
    text = "\n".join(S.explain(planned.asm, result))
    assert words in text
    for g in core:
        assert f"`{g}`" in text
    # minimal: without any one of its goals, the rest of the core can be reached
    for dropped in result.core:
        rest = tuple(g for g in result.core if g is not dropped)
        problem = S.problem_of(planned.asm, S.GoalSet(rest, {}), 4)  # type: ignore[arg-type]
        assert isinstance(P.solve(problem), P.Solution)


def test_a_behavior_out_of_reach_within_the_bound() -> None:
    goals = (
        "behaviors:\n  - {component: database, behavior: uninstall}\n"
        "components:\n  - forall: running\n"
    )
    planned = plan_text(CPS, "a.cd", goals, max_steps=2)
    assert isinstance(planned.result, P.Infeasible)
    keys = {g.key for g in planned.result.core}
    assert keys == {"behavior database: uninstall", "component database: running"}
    assert isinstance(plan_text(CPS, "a.cd", goals, max_steps=3).result, P.Solution)
