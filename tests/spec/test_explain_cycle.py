"""The explanation of a lasso's cycle names only advice that changes the verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cdcheck.checker import ltl as L
from cdcheck.checker.buchi import translate
from cdcheck.checker.cli import load_checked
from cdcheck.checker.emptiness import check_ltl
from cdcheck.spec.diagnose import explain_cycle
from cdcheck.spec.model import compile_plan
from cdcheck.spec.system import ConcertoSystem

ROOT = Path(__file__).parents[2]


def _unfair_cycle() -> tuple[ConcertoSystem, Any, Any]:
    """OpenStack update's `F done` without fairness: a cycle that starves nova_0."""
    plan, _, _ = load_checked(str(ROOT / "models/openstack/update.cd"))
    system = ConcertoSystem(compile_plan(plan))
    atoms = system.atoms()
    r, _ = check_ltl(
        system,
        translate(L.Not(L.parse("F done"))),
        lambda a, s: atoms.compile(str(a))(s),
        name="F done",
    )
    assert r.trace is not None and r.trace.loop_start is not None
    start = r.trace.loop_start
    return system, r.trace.states[start:-1], r.trace.steps[start:]


def test_without_fairness_the_advice_is_fair_nodes() -> None:
    system, states, steps = _unfair_cycle()
    lines = explain_cycle(system, states, steps, "none")
    starved = [x for x in lines if "could move in every state" in x]
    assert starved and all("--fair nodes rules that out" in x for x in starved)


def test_under_fairness_per_step_no_flag_is_advised() -> None:
    """`terminates` is always checked under weak fairness per step: `--fair
    nodes` has no effect there, so the explanation must not name it."""
    system, states, steps = _unfair_cycle()
    for fair in ("steps", "nodes"):
        lines = explain_cycle(system, states, steps, fair)
        assert any("could move in every state" in x for x in lines)
        assert not any("--fair" in x for x in lines)
    steps_lines = explain_cycle(system, states, steps, "steps")
    assert any("weak fairness per step does not force it" in x for x in steps_lines)
