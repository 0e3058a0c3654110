"""Soundness of the reduction on generated Concerto-D plans.

Every generated plan is explored twice, with and without reduction: deadlock
freedom and a random invariant must get the same verdict, and every
counterexample found under reduction must replay step by step in the full
semantics and end in a state that violates the property. A third test checks
the promise the footprints make, directly: two enabled steps whose groups do
not conflict commute and do not disable each other.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from strategies import plans

from cdcheck.checker.por import reduced
from cdcheck.checker.search import DEADLOCK, Invariant, Limits, SearchResult, check_safety
from cdcheck.lang import ast as A
from cdcheck.spec.model import Model, compile_plan
from cdcheck.spec.rules import Step
from cdcheck.spec.state import GlobalState
from cdcheck.spec.system import ConcertoSystem

FULL_LIMIT = 30_000
"""States of the unreduced search; plans beyond it are not compared."""

Prop = tuple[str, Callable[[GlobalState], bool], frozenset[object]]


def final(sysm: ConcertoSystem) -> Callable[[GlobalState], bool]:
    progs = [len(nm.program) for nm in sysm.model.nodes]

    def done(s: GlobalState) -> bool:
        return all(sysm.node(s, n).pc == k for n, k in enumerate(progs))

    return done


def invariant(sysm: ConcertoSystem, data: st.DataObject) -> Prop:
    """A random invariant and the footprint keys its atoms read."""
    m = sysm.model
    kind = data.draw(st.sampled_from(["at", "pc", "queue", "conn"]))
    n = data.draw(st.integers(0, len(m.nodes) - 1))
    nm = m.nodes[n]
    if kind == "pc" or not nm.slots:
        k = data.draw(st.integers(1, max(1, len(nm.program))))
        return f"pc{n}<{k}", (lambda s: sysm.node(s, n).pc < k), frozenset({(n, "pc")})
    slot = data.draw(st.integers(0, len(nm.slots) - 1))
    i = nm.slots[slot]
    if kind == "at":
        p = data.draw(st.integers(0, len(m.types[m.instance_type[i]].places) - 1))

        def not_at(s: GlobalState) -> bool:
            inst = sysm.node(s, n).instances[slot]
            return inst is None or not (inst.places >> p & 1)

        return f"!at({i},{p})@{n}", not_at, frozenset({(n, "mark", i, p)})
    if kind == "queue":

        def short(s: GlobalState) -> bool:
            inst = sysm.node(s, n).instances[slot]
            return inst is None or len(inst.queue) < 2

        return f"queue({i})<2@{n}", short, frozenset({(n, "head", i), (n, "qtail", i)})
    c = data.draw(st.integers(0, max(0, len(m.connections) - 1)))
    if not m.connections:
        return "true", (lambda s: True), frozenset()
    return (
        f"!conn{c}@{n}",
        (lambda s: not (sysm.node(s, n).conns >> c & 1)),
        frozenset({(n, "conn", c)}),
    )


def replays(sysm: ConcertoSystem, result: SearchResult[GlobalState, Step], prop: Prop) -> None:
    """Every counterexample is a run of the full system that violates its property."""
    done = final(sysm)
    for r in result.results:
        if r.trace is None:
            continue
        states = r.trace.states
        assert states[0] in sysm.initial_states()
        for a, step, b in zip(states, r.trace.steps, states[1:], strict=False):
            assert (step, b) in list(sysm.successors(a))
        last = states[-1]
        if r.name == DEADLOCK:
            assert list(sysm.successors(last)) == [] and not done(last)
        else:
            assert not prop[1](last)


def compare(
    plan: A.Plan, data: st.DataObject, make: Callable[[Model], ConcertoSystem] = ConcertoSystem
) -> None:
    """`make`: the semantics to reduce (the exact one, or spec.relaxed's)."""
    full_sys = make(compile_plan(plan))
    prop = invariant(full_sys, data)
    inv = Invariant[GlobalState](prop[0], prop[1])
    full = check_safety(
        full_sys,
        [inv],
        check_deadlock=True,
        is_final=final(full_sys),
        limits=Limits(max_states=FULL_LIMIT),
    )
    assume(full.stopped_by is None)
    event(f"full: {[r.verdict.value for r in full.results]}")
    # deadlock alone: no visibility, no cycle proviso (states are interned per
    # system object, so the same object serves all three runs)
    sysm = full_sys
    dl = check_safety(reduced(sysm, cycle_proviso=False), check_deadlock=True, is_final=final(sysm))
    assert dl.results[0].verdict == full.results[1].verdict
    replays(sysm, dl, prop)
    # invariant and deadlock together: visibility and cycle proviso
    red = check_safety(reduced(sysm, prop[2]), [inv], check_deadlock=True, is_final=final(sysm))
    assert [r.verdict for r in red.results] == [r.verdict for r in full.results], prop[0]
    if full.stats.complete:
        # the reduced graph is a subgraph; a search stopped at a violation may
        # meet it later in the reduced graph, after more states
        assert red.stats.states <= full.stats.states
    replays(sysm, red, prop)
    # the same through the goal condition: no visibility, no cycle proviso

    def goal(s: GlobalState) -> list[list[frozenset[object]]]:
        return [[prop[2]]] if prop[1](s) else []

    by_goal = check_safety(
        reduced(sysm, cycle_proviso=False, goal=goal),
        [inv],
        check_deadlock=True,
        is_final=final(sysm),
    )
    assert [r.verdict for r in by_goal.results] == [r.verdict for r in full.results], prop[0]
    replays(sysm, by_goal, prop)
    # the invariant alone: states from which it cannot be violated are pruned
    alone = check_safety(reduced(sysm, cycle_proviso=False, goal=goal, deadlocks=False), [inv])
    assert alone.results[0].verdict == full.results[0].verdict, prop[0]
    replays(sysm, alone, prop)


SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@settings(max_examples=50, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4), st.data())
def test_same_verdicts_with_and_without_reduction(plan: A.Plan, data: st.DataObject) -> None:
    compare(plan, data)


@pytest.mark.slow
@settings(max_examples=500, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4, max_instances=5), st.data())
def test_same_verdicts_on_500_plans(plan: A.Plan, data: st.DataObject) -> None:
    compare(plan, data)


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4))
def test_steps_of_independent_groups_commute(plan: A.Plan) -> None:
    commute(ConcertoSystem(compile_plan(plan)))


def commute(sysm: ConcertoSystem) -> None:
    """The footprints' promise, checked on the first states of a plan."""
    groups = sysm.por_groups()

    def conflict(g: object, h: object) -> bool:
        return groups[g].conflicts(groups[h])  # type: ignore[index]

    seen = set(sysm.initial_states())
    todo = list(seen)
    checked = 0
    while todo and checked < 400:
        s = todo.pop(0)
        checked += 1
        succ = list(sysm.successors(s))
        for step, t in succ:
            assert sysm.group_of(s, step) in groups
            if t not in seen:
                seen.add(t)
                todo.append(t)
        for x, (a, sa) in enumerate(succ):
            ga = sysm.group_of(s, a)
            for b, sb in succ[x + 1 :]:
                gb = sysm.group_of(s, b)
                if ga == gb or conflict(ga, gb):
                    continue
                after_a = dict(sysm.successors(sa))
                after_b = dict(sysm.successors(sb))
                assert b in after_a and a in after_b, (a, b)
                assert after_a[b] == after_b[a], (a, b)
