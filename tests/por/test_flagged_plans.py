"""Violation flags (checker/flagged.py) on generated plans: invariants
searched through flags and the deadlock-preserving stubborn sets get the
verdicts of the full search, on the exact semantics, the FIFO relaxation and
the quiet system, and their counterexamples are runs of that semantics."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from strategies import plans, quiet_plans
from test_por_goal import propositional
from test_por_plans import final, invariant

from cdcheck.checker import ltl as L
from cdcheck.checker.flagged import Flagged, Watched
from cdcheck.checker.por import reduced
from cdcheck.checker.predicates import compile_predicate
from cdcheck.checker.search import Invariant, Limits, check_safety
from cdcheck.lang import ast as A
from cdcheck.spec.local_view import view_of
from cdcheck.spec.model import Model, compile_plan
from cdcheck.spec.por_groups import atom_keys
from cdcheck.spec.quiet import QuietLocalView, QuietSystem, obstacles
from cdcheck.spec.relaxed import RelaxedSystem
from cdcheck.spec.state import GlobalState
from cdcheck.spec.suite import port_consistency_formula
from cdcheck.spec.system import ConcertoSystem

LIMIT = 20_000
SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}
SEMANTICS: dict[str, Callable[[Model], ConcertoSystem]] = {
    "exact": ConcertoSystem,
    "relaxed": RelaxedSystem,
    "quiet": QuietSystem,
}


def random_watched(sysm: ConcertoSystem, data: st.DataObject, k: int) -> Watched[GlobalState]:
    """A propositional formula over random invariants of test_por_plans."""
    props = [invariant(sysm, data) for _ in range(data.draw(st.integers(1, 3)))]
    atoms = tuple(L.Atom(f"p{j}") for j in range(len(props)))
    preds = {a: p[1] for a, p in zip(atoms, props, strict=True)}
    f = data.draw(propositional(atoms, 2))
    keys = frozenset().union(*(p[2] for p in props))
    return Watched(f"f{k}", compile_predicate(f, preds.__getitem__), keys)


def port_conjuncts(sysm: ConcertoSystem, plan: A.Plan) -> list[Watched[GlobalState]]:
    """Each conjunct of port consistency, its keys from the atoms' (as the
    command line builds them)."""
    formula = L.invariant_of(L.parse(port_consistency_formula(plan))) or L.TRUE
    parts: list[L.Formula] = []
    todo = [formula]
    while todo:
        f = todo.pop()
        if isinstance(f, L.And):
            todo += [f.left, f.right]
        else:
            parts.append(f)
    atoms = sysm.atoms()
    out = []
    for k, part in enumerate(parts):
        keys: set[object] = set()
        for a in L.atoms(part):
            found = atom_keys(sysm.model, str(a))
            assert found is not None
            keys |= found
        pred = compile_predicate(part, lambda a: atoms.compile(str(a)))
        out.append(Watched(f"ports{k}", pred, frozenset(keys)))
    return out


def compare(sysm: ConcertoSystem, watched: list[Watched[GlobalState]]) -> None:
    done = final(sysm)
    full = check_safety(
        sysm,
        [Invariant(w.name, w.holds) for w in watched],
        check_deadlock=True,
        is_final=done,
        limits=Limits(max_states=LIMIT),
    )
    assume(full.stopped_by is None)
    flagged = Flagged(sysm, watched)
    explored = reduced(flagged, cycle_proviso=True)
    red = flagged.unflagged(
        check_safety(
            explored,
            flagged.invariants(),
            check_deadlock=True,
            is_final=lambda s: done(flagged.inner(s)),
        )
    )
    event(f"verdicts: {sorted({r.verdict.value for r in full.results})}")
    event(f"cycle proviso used: {explored.stats.full_proviso > 0}")
    for f, r in zip(full.results, red.results, strict=True):
        assert (f.name, f.verdict) == (r.name, r.verdict)
        if r.trace is None:
            continue
        states = r.trace.states
        assert states[0] in sysm.initial_states()
        for a, step, b in zip(states, r.trace.steps, states[1:], strict=False):
            assert (step, b) in list(sysm.successors(a))
        if r.name == "deadlock-free":
            assert not list(sysm.successors(states[-1])) and not done(states[-1])
        else:
            (w,) = (w for w in watched if w.name == r.name)
            assert not w.holds(states[-1])
            assert all(w.holds(s) for s in states[:-1])


def random_invariants(plan: A.Plan, data: st.DataObject) -> None:
    semantics = data.draw(st.sampled_from(sorted(SEMANTICS)))
    event(semantics)
    sysm = SEMANTICS[semantics](compile_plan(plan))
    compare(sysm, [random_watched(sysm, data, k) for k in range(data.draw(st.integers(1, 2)))])


def port_consistency(plan: A.Plan, data: st.DataObject) -> None:
    model = compile_plan(plan)
    names = sorted(SEMANTICS) if not obstacles(model) else ["exact", "relaxed"]
    semantics = data.draw(st.sampled_from(names))
    event(semantics)
    sysm = SEMANTICS[semantics](model)
    watched = port_conjuncts(sysm, plan)
    assume(watched)
    compare(sysm, watched)


def port_consistency_on_a_view(plan: A.Plan, data: st.DataObject) -> None:
    """One conjunct on the quiet local view of the nodes it reads (as the
    command line searches it first)."""
    model = compile_plan(plan)
    assume(not obstacles(model))
    quiet = QuietSystem(model)
    conjuncts = port_conjuncts(quiet, plan)
    assume(conjuncts)
    part = data.draw(st.sampled_from(conjuncts))
    kept = frozenset(int(k[0]) for k in part.keys)  # type: ignore[index]
    view = view_of(model, kept, QuietLocalView)
    event("view" if view is not None else "no view (the whole plan, or an answer may not reduce)")
    assume(view is not None)
    assert view is not None
    on_view = port_conjuncts(view, plan)
    (mine,) = (w for w in on_view if w.name == part.name)
    compare(view, [mine])


@settings(max_examples=200, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4), st.data())
def test_flags_keep_the_verdicts_of_random_invariants(plan: A.Plan, data: st.DataObject) -> None:
    random_invariants(plan, data)


@settings(max_examples=150, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=4), st.data())
def test_flags_keep_port_consistency(plan: A.Plan, data: st.DataObject) -> None:
    port_consistency(plan, data)


@settings(max_examples=60, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=4, min_nodes=3), st.data())
def test_flags_keep_port_consistency_on_quiet_views(plan: A.Plan, data: st.DataObject) -> None:
    port_consistency_on_a_view(plan, data)


@pytest.mark.slow
@settings(max_examples=300, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=4, max_instances=5, min_nodes=3), st.data())
def test_flags_keep_port_consistency_on_300_quiet_views(plan: A.Plan, data: st.DataObject) -> None:
    port_consistency_on_a_view(plan, data)


@pytest.mark.slow
@settings(max_examples=500, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4, max_instances=5), st.data())
def test_flags_keep_the_verdicts_of_random_invariants_on_500_plans(
    plan: A.Plan, data: st.DataObject
) -> None:
    random_invariants(plan, data)


@pytest.mark.slow
@settings(max_examples=500, **SETTINGS)  # type: ignore[arg-type]
@given(
    st.one_of(plans(max_nodes=4, max_instances=5), quiet_plans(max_nodes=4, max_instances=5)),
    st.data(),
)
def test_flags_keep_port_consistency_on_500_plans(plan: A.Plan, data: st.DataObject) -> None:
    port_consistency(plan, data)
