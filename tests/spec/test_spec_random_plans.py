"""Generated plans: every successor is well formed; successors are deterministic."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from spec_helpers import plan_of
from strategies import plans

from cdcheck.lang import ast as A
from cdcheck.lang.check import check_plan
from cdcheck.spec.invariants import state_invariants
from cdcheck.spec.model import compile_plan
from cdcheck.spec.system import ConcertoSystem

LIMIT = 300
"""States explored per generated plan (breadth first)."""


def _explore(sysm: ConcertoSystem) -> list[tuple[object, ...]]:
    init = sysm.initial_states()
    seen = set(init)
    frontier = list(init)
    order: list[tuple[object, ...]] = list(init)
    while frontier and len(seen) < LIMIT:
        nxt = []
        for s in frontier:
            for _step, t in sysm.successors(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
                    order.append(t)
        frontier = nxt
    return order


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_generated_plans_pass_the_static_checks(plan: A.Plan) -> None:
    assert [d.headline() for d in check_plan(plan) if d.is_error] == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_successors_are_well_formed(plan: A.Plan) -> None:
    sysm = ConcertoSystem(compile_plan(plan))
    for s in _explore(sysm):
        assert state_invariants(sysm, s) == []  # type: ignore[arg-type]
        for step, t in sysm.successors(s):  # type: ignore[arg-type]
            assert state_invariants(sysm, t) == [], step
            fp = sysm.footprint(step)
            assert fp.writes and fp.reads
            assert all(k[0] in (step.node, step.peer) for k in fp.writes | fp.reads), step
            view = sysm.describe(step, s, t)  # type: ignore[arg-type]
            assert view.rule == step.rule and view.nodes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_successors_are_deterministic(plan: A.Plan) -> None:
    a = ConcertoSystem(compile_plan(plan))
    b = ConcertoSystem(compile_plan(plan))
    for s in _explore(a)[:100]:
        nodes = a.nodes(s)  # type: ignore[arg-type]
        sb = b.make_state(nodes)
        first = [(st, a.nodes(t)) for st, t in a.successors(s)]  # type: ignore[arg-type]
        again = [(st, a.nodes(t)) for st, t in a.successors(s)]  # type: ignore[arg-type]
        other = [(st, b.nodes(t)) for st, t in b.successors(sb)]
        assert first == again == other


def test_a_step_writes_what_it_changes() -> None:
    """Footprints are sound: a field that changes is in the step's writes."""
    sysm = ConcertoSystem(
        compile_plan(
            plan_of(
                """
type T { places a, b  initial a  behavior go { t: a -> b }  provide p on a }
type U { places x, y  initial x  behavior go { s: x -> y }  use q on y }
node n1 hosts c1 { start c1: T at a  connected c2.q -- c1.p  program { pushB c1 go as g } }
node n2 hosts c2 {
  start c2: U at x
  connected c2.q -- c1.p
  program { pushB c2 go as h  wait c1 g }
}
"""
            )
        )
    )
    fields = ("conns", "pc", "cache", "pending", "outgoing", "history", "inbox")
    for s in _explore(sysm):
        for step, t in sysm.successors(s):  # type: ignore[arg-type]
            w = sysm.footprint(step).writes
            for n in range(2):
                a, b = sysm.node(s, n), sysm.node(t, n)  # type: ignore[arg-type]
                for f in fields:
                    if getattr(a, f) != getattr(b, f):
                        assert (n, f) in w, (step, f)
                nm = sysm.model.nodes[n]
                for slot, (x, y) in enumerate(zip(a.instances, b.instances, strict=True)):
                    if x != y:
                        assert (n, "inst", nm.slots[slot]) in w, step


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_independent_steps_commute(plan: A.Plan) -> None:
    """Footprints are complete enough for partial-order reduction: two steps
    with independent footprints stay enabled after each other and commute."""
    from cdcheck.checker.system import independent

    sysm = ConcertoSystem(compile_plan(plan))
    for s in _explore(sysm)[:80]:
        succ = dict(sysm.successors(s))  # type: ignore[arg-type]
        steps = list(succ)
        for i, a in enumerate(steps):
            for b in steps[i + 1 :]:
                if not independent(sysm.footprint(a), sysm.footprint(b)):
                    continue
                after_a = dict(sysm.successors(succ[a]))
                after_b = dict(sysm.successors(succ[b]))
                assert b in after_a and a in after_b, (a, b)
                assert after_a[b] == after_b[a], (a, b)
