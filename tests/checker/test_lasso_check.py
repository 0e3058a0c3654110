"""Re-checking lasso counterexamples (checker.lasso_check), and every lasso
the fair emptiness check returns passing that re-check."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import plans

from cdcheck.checker import ltl as L
from cdcheck.checker.buchi import translate
from cdcheck.checker.emptiness import STUTTER, check_ltl
from cdcheck.checker.lasso_check import lasso_problem
from cdcheck.checker.search import Limits, Trace, Verdict
from cdcheck.lang import ast as A
from cdcheck.spec.model import compile_plan
from cdcheck.spec.system import ConcertoSystem

from .systems import Graph

# process a moves 0 <-> 1 for ever; process b can leave 0 and 1 for 2, where
# it can no longer move, and a brings it back to 0
STARVING = Graph(
    {
        0: [("a", 1), ("b", 2)],
        1: [("a", 0), ("b", 2)],
        2: [("a", 0)],
    }
)


def process(step: str) -> str:
    return step[0]


def never_p(system, fairness):  # type: ignore[no-untyped-def]
    return check_ltl(
        system,
        translate(L.Not(L.parse("F p"))),
        lambda _a, _s: False,
        name="F p",
        fairness=fairness,
    )[0]


def test_a_real_fair_lasso_passes() -> None:
    trace = Trace((0, 1, 0, 2, 0), ("a", "a", "b", "a"), loop_start=0)
    assert lasso_problem(STARVING, trace, process) is None


def test_a_starving_cycle_is_not_weakly_fair() -> None:
    trace = Trace((0, 1, 0), ("a", "a"), loop_start=0)
    assert lasso_problem(STARVING, trace) is None  # a run, but unfair
    problem = lasso_problem(STARVING, trace, process)
    assert problem is not None and "'b'" in problem and "weakly fair" in problem


def test_fairness_per_step() -> None:
    # `b` from 0 and `b` from 1 are two steps with one label: the label is the identity
    trace = Trace((0, 1, 0), ("a", "a"), loop_start=0)
    assert lasso_problem(STARVING, trace, lambda step: step) is not None
    assert lasso_problem(Graph({0: [("a", 0)]}), Trace((0, 0), ("a",), 0), lambda s: s) is None


@pytest.mark.parametrize(
    ("trace", "reason"),
    [
        (Trace((0, 1), ("a",), None), "no cycle"),
        (Trace((1, 0, 1), ("a", "a"), 0), "not initial"),
        (Trace((0, 2, 0), ("a", "a"), 0), "not a successor"),
        (Trace((0, 1, 0, 1), ("a", "a", "a"), 0), "does not close"),
        (Trace((0, 0), (STUTTER,), 0), "stutters in a state with successors"),
        (Trace((0, 1), ("a",), 1), "empty"),
    ],
)
def test_what_is_not_a_lasso(trace: Trace[int, str], reason: str) -> None:
    problem = lasso_problem(STARVING, trace)
    assert problem is not None and reason in problem


def test_stutter_of_a_dead_end() -> None:
    g = Graph({0: [("a", 1)], 1: []})
    assert lasso_problem(g, Trace((0, 1, 1), ("a", STUTTER), 1), process) is None


def test_the_fair_check_returns_a_fair_lasso() -> None:
    """The component {0, 1, 2} is fair (b is disabled in 2), but the cycle
    0 -a-> 1 -a-> 0 inside it starves b: the lasso must go through 2 or take b."""
    r = never_p(STARVING, process)
    assert r.verdict is Verdict.VIOLATED and r.trace is not None
    assert lasso_problem(STARVING, r.trace, process) is None


@given(
    st.dictionaries(
        st.integers(0, 5),
        st.lists(
            st.tuples(st.sampled_from(["a0", "a1", "b0", "b1", "c0"]), st.integers(0, 5)),
            max_size=4,
        ),
    ),
)
@settings(max_examples=200, deadline=None)
def test_fair_lassos_of_random_graphs(edges: dict[int, list[tuple[str, int]]]) -> None:
    g = Graph(edges)
    for fairness in (None, process, lambda step: step):
        r = never_p(g, fairness)
        assert r.trace is not None
        assert lasso_problem(g, r.trace, fairness) is None


def _fair_lassos_pass(plan: A.Plan, formula: str) -> None:
    system = ConcertoSystem(compile_plan(plan))
    atoms = system.atoms()
    f = L.parse(formula)
    for fairness in (lambda step: step.node, lambda step: step):
        r, _ = check_ltl(
            system,
            translate(L.Not(f)),
            lambda a, s: atoms.compile(str(a))(s),
            name=formula,
            fairness=fairness,
            limits=Limits(max_states=20_000),
        )
        if r.trace is not None:
            assert lasso_problem(system, r.trace, fairness) is None


@given(plans(max_nodes=3))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fair_lassos_of_generated_plans(plan: A.Plan) -> None:
    _fair_lassos_pass(plan, "F done")


@pytest.mark.slow
@given(plans(max_nodes=4, max_instances=5))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fair_lassos_of_300_generated_plans(plan: A.Plan) -> None:
    _fair_lassos_pass(plan, "F done")


def test_openstack_update_fair_nodes_lasso_is_fair() -> None:
    """The lasso of issue 26: `F done --fair nodes` on OpenStack update kept
    nova_0 enabled on a cycle it never moved on."""
    from cdcheck.checker.cli import load_checked

    plan, _, _ = load_checked(str(Path(__file__).parents[2] / "models/openstack/update.cd"))
    system = ConcertoSystem(compile_plan(plan))
    atoms = system.atoms()
    r, _ = check_ltl(
        system,
        translate(L.Not(L.parse("F done"))),
        lambda a, s: atoms.compile(str(a))(s),
        name="F done",
        fairness=lambda step: step.node,
    )
    assert r.verdict is Verdict.VIOLATED and r.trace is not None
    assert lasso_problem(system, r.trace, lambda step: step.node) is None


def test_rechecked_turns_a_bad_lasso_into_unknown() -> None:
    from cdcheck.checker.lasso_check import rechecked
    from cdcheck.checker.search import PropertyResult

    unfair = PropertyResult("F p", Verdict.VIOLATED, Trace((0, 1, 0), ("a", "a"), 0))
    assert rechecked(unfair, STARVING) is unfair
    r = rechecked(unfair, STARVING, process)
    assert r.verdict is Verdict.UNKNOWN and r.trace is None and "'b'" in r.reason
    holds: PropertyResult[int, str] = PropertyResult("F p", Verdict.HOLDS)
    assert rechecked(holds, STARVING, process) is holds
