"""`checker.por_goal` on generated plans: invariants built from random
propositional formulas over random atoms, searched with the goal condition
(no visibility, no cycle proviso) and without any reduction, must get the same
verdict; a counterexample under reduction is a run of the full semantics that
ends in a violation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from strategies import plans
from test_por_plans import Prop, final, invariant, replays

from cdcheck.checker import ltl as L
from cdcheck.checker.por import reduced
from cdcheck.checker.por_goal import GoalKeys
from cdcheck.checker.predicates import compile_predicate
from cdcheck.checker.search import Invariant, Limits, check_safety
from cdcheck.lang import ast as A
from cdcheck.spec.model import compile_plan
from cdcheck.spec.state import GlobalState
from cdcheck.spec.system import ConcertoSystem

FULL_LIMIT = 20_000


def propositional(atoms: tuple[L.Atom, ...], depth: int) -> st.SearchStrategy[L.Formula]:
    leaf = st.one_of(st.sampled_from(atoms), st.just(L.TRUE), st.just(L.FALSE))
    if depth == 0:
        return leaf
    sub = propositional(atoms, depth - 1)
    return st.one_of(
        leaf,
        sub.map(L.Not),
        st.tuples(sub, sub).map(lambda t: L.And(*t)),
        st.tuples(sub, sub).map(lambda t: L.Or(*t)),
        st.tuples(sub, sub).map(lambda t: L.Implies(*t)),
        st.tuples(sub, sub).map(lambda t: L.Equiv(*t)),
    )


def compare(plan: A.Plan, data: st.DataObject, depth: int) -> None:
    sysm = ConcertoSystem(compile_plan(plan))
    props: list[Prop] = [invariant(sysm, data) for _ in range(data.draw(st.integers(1, 4)))]
    atoms = tuple(L.Atom(f"p{k}") for k in range(len(props)))
    preds: dict[L.Atom, Callable[[GlobalState], bool]] = {
        a: p[1] for a, p in zip(atoms, props, strict=True)
    }
    keys = {a: p[2] for a, p in zip(atoms, props, strict=True)}
    f = data.draw(propositional(atoms, depth))
    holds = compile_predicate(f, preds.__getitem__)
    inv = Invariant[GlobalState]("f", holds)
    full = check_safety(sysm, [inv], limits=Limits(max_states=FULL_LIMIT))
    assume(full.stopped_by is None)
    goal = GoalKeys([f], keys.__getitem__, preds.__getitem__)
    # violations alone, as the command line searches them: a state from which
    # the goal's closure holds no enabled step is not expanded
    by_goal = reduced(sysm, cycle_proviso=False, goal=goal, deadlocks=False)
    red = check_safety(by_goal, [inv], is_final=final(sysm))
    event(f"verdict: {full.results[0].verdict.value}")
    event(f"states pruned: {min(by_goal.stats.pruned, 1)}")
    assert red.results[0].verdict == full.results[0].verdict, str(f)
    assert red.stats.states <= full.stats.states
    replays(sysm, red, ("f", holds, frozenset()))


SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@settings(max_examples=60, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=3), st.data())
def test_goal_condition_same_verdicts_on_random_invariants(
    plan: A.Plan, data: st.DataObject
) -> None:
    compare(plan, data, depth=3)


@pytest.mark.slow
@settings(max_examples=500, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4, max_instances=5), st.data())
def test_goal_condition_on_500_plans(plan: A.Plan, data: st.DataObject) -> None:
    compare(plan, data, depth=4)
