"""Soundness of the reduction for LTL without X, on generated Concerto-D plans.

A random X-free formula over random state atoms is checked on the product of
the automaton of its negation with the full system and with the reduced one
(visibility: the atoms' footprint keys; cycle proviso on). The verdicts must
agree, and every lasso found under reduction must be a run of the full
semantics (step by step, a stutter step only where the full system has no
successor) whose word violates the formula.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from strategies import plans
from test_por_plans import Prop, invariant

from cdcheck.checker import ltl as L
from cdcheck.checker.buchi import translate
from cdcheck.checker.emptiness import STUTTER, check_ltl
from cdcheck.checker.por import reduced
from cdcheck.checker.search import Limits, Verdict
from cdcheck.lang import ast as A
from cdcheck.spec.model import compile_plan
from cdcheck.spec.state import GlobalState
from cdcheck.spec.system import ConcertoSystem

FULL_LIMIT = 20_000
"""Product states of the unreduced check; plans beyond it are not compared."""


def x_free(atoms: tuple[L.Atom, ...], depth: int) -> st.SearchStrategy[L.Formula]:
    """Random formulas without X: the reduction preserves only stutter-invariant ones."""
    leaf = st.one_of(st.sampled_from(atoms), st.just(L.TRUE))
    if depth == 0:
        return leaf
    sub = x_free(atoms, depth - 1)
    return st.one_of(
        leaf,
        sub.map(L.Not),
        sub.map(L.Globally),
        sub.map(L.Finally),
        st.tuples(sub, sub).map(lambda t: L.And(*t)),
        st.tuples(sub, sub).map(lambda t: L.Or(*t)),
        st.tuples(sub, sub).map(lambda t: L.Until(*t)),
        st.tuples(sub, sub).map(lambda t: L.Release(*t)),
        st.tuples(sub, sub).map(lambda t: L.WeakUntil(*t)),
    )


def compare(plan: A.Plan, data: st.DataObject, depth: int) -> None:
    sysm = ConcertoSystem(compile_plan(plan))
    props: list[Prop] = [invariant(sysm, data) for _ in range(data.draw(st.integers(1, 3)))]
    atoms = tuple(L.Atom(f"p{k}") for k in range(len(props)))
    preds: dict[L.Atom, Callable[[GlobalState], bool]] = {
        a: p[1] for a, p in zip(atoms, props, strict=True)
    }
    visible = frozenset().union(*(p[2] for p in props))
    f = data.draw(x_free(atoms, depth))
    assert not L.has_next(f)
    event(f"props: {[p[0] for p in props]}")
    automaton = translate(L.Not(f))

    def valuation(atom: L.Atom, s: GlobalState) -> bool:
        return preds[atom](s)

    full, fstats = check_ltl(
        sysm, automaton, valuation, name="f", limits=Limits(max_states=FULL_LIMIT)
    )
    assume(fstats.complete)
    red, rstats = check_ltl(reduced(sysm, visible), automaton, valuation, name="f")
    event(f"verdict: {full.verdict.value}")
    assert red.verdict == full.verdict, str(f)
    assert rstats.states <= fstats.states
    if red.verdict is not Verdict.VIOLATED:
        return
    trace = red.trace
    assert trace is not None and trace.loop_start is not None
    assert trace.states[0] in sysm.initial_states()
    for a, step, b in zip(trace.states, trace.steps, trace.states[1:], strict=False):
        if step is STUTTER:
            assert a == b and not list(sysm.successors(a))
        else:
            assert (step, b) in list(sysm.successors(a))

    def letter(s: GlobalState) -> frozenset[L.Atom]:
        return frozenset(a for a in atoms if preds[a](s))

    word = L.LassoWord(
        tuple(letter(s) for s in trace.states[: trace.loop_start]),
        tuple(letter(s) for s in trace.states[trace.loop_start : -1]),
    )
    assert not L.evaluate(f, word), str(f)


SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=3), st.data())
def test_ltl_x_free_same_verdict_with_and_without_reduction(
    plan: A.Plan, data: st.DataObject
) -> None:
    compare(plan, data, depth=2)


@pytest.mark.slow
@settings(max_examples=500, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4, max_instances=5), st.data())
def test_ltl_x_free_on_500_plans(plan: A.Plan, data: st.DataObject) -> None:
    compare(plan, data, depth=3)
