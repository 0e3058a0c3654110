"""The FIFO relaxation (spec.relaxed) against the exact semantics, and the
partial-order reduction on it against the relaxation's full search.

What the proofs on the relaxation rely on, checked on generated plans:

* simulation: the relaxed image (lists sorted, forgettable answers
  forgotten) of every exact reachable state is a relaxed reachable state (so
  an invariant proved on the relaxation holds);
* forgetting the answers that keep their askers asking is a bisimulation:
  the relaxation with and without it has the same steps from every state,
  to states with the same forgetful forms;
* deadlocks: when every element of every list can be taken in every relaxed
  reachable state (`takeable`; always so without questions asked by several
  nodes), the head of every list can be taken in every exact reachable
  state, and the image of an exact deadlock is a relaxed deadlock (so
  deadlock freedom transfers);
* the reduction on the relaxation gives the verdicts of its full search, and
  steps of independent groups commute there too.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from strategies import plans
from test_por_plans import commute, compare, final

from cdcheck.checker.por import reduced
from cdcheck.checker.search import Invariant, Limits, check_safety
from cdcheck.lang import ast as A
from cdcheck.lang.families import generate
from cdcheck.lang.loader import Loader
from cdcheck.spec.model import compile_plan
from cdcheck.spec.relaxed import RelaxedSystem, shared_questions, sorted_lists
from cdcheck.spec.state import GlobalState, NodeState
from cdcheck.spec.system import ConcertoSystem

EXACT_LIMIT = 20_000
RELAXED_LIMIT = 200_000

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

Image = tuple[NodeState, ...]


def _reachable(sysm: ConcertoSystem, limit: int) -> list[GlobalState] | None:
    seen = set(sysm.initial_states())
    todo = list(seen)
    while todo:
        s = todo.pop()
        for _step, t in sysm.successors(s):
            if t not in seen:
                if len(seen) >= limit:
                    return None
                seen.add(t)
                todo.append(t)
    return list(seen)


def _heads_can_go(exact: ConcertoSystem, s: GlobalState) -> bool:
    """Every non-empty list of every node has its head taken by some step."""
    rules = {(step.rule, step.node) for step, _ in exact.successors(s)}
    for n in range(len(exact.model.nodes)):
        ns = exact.node(s, n)
        if ns.inbox and not rules & {("ReceiveQuestion", n), ("ReceiveAnswer", n)}:
            return False
        if ns.pending and ("SendAnswer", n) not in rules:
            return False
        if ns.outgoing and ("SendQuestion", n) not in rules:
            return False
    return True


def check_relaxation(plan: A.Plan) -> None:
    model = compile_plan(plan)
    exact, relaxed = ConcertoSystem(model), RelaxedSystem(model)
    exact_states = _reachable(exact, EXACT_LIMIT)
    assume(exact_states is not None)
    assert exact_states is not None
    relaxed_states = _reachable(relaxed, RELAXED_LIMIT)
    assume(relaxed_states is not None)
    assert relaxed_states is not None
    relaxed_images = {relaxed.nodes(s): s for s in relaxed_states}
    shared = shared_questions(model)
    transfers = all(relaxed.takeable(s) for s in relaxed_states)
    assert transfers or shared
    event(f"shared questions: {bool(shared)}, takeable everywhere: {transfers}")
    deadlocks = 0
    for s in exact_states:
        image = tuple(relaxed.canonical(x) for x in exact.nodes(s))
        assert image in relaxed_images, exact.nodes(s)
        if not transfers:
            continue
        assert _heads_can_go(exact, s), exact.nodes(s)
        if not list(exact.successors(s)):
            deadlocks += 1
            assert not list(relaxed.successors(relaxed_images[image]))
    event(f"exact deadlocks: {min(deadlocks, 1)}")


def proofs_transfer(plan: A.Plan) -> None:
    """What the command line concludes: deadlock freedom and `takeable` on the
    reduced relaxation (goal condition for `takeable`) => deadlock freedom on
    the exact semantics."""
    model = compile_plan(plan)
    exact, relaxed = ConcertoSystem(model), RelaxedSystem(model)
    full = check_safety(
        exact, check_deadlock=True, is_final=final(exact), limits=Limits(max_states=EXACT_LIMIT)
    )
    assume(full.stopped_by is None)
    keys = relaxed.takeable_keys()

    def goal(s: GlobalState) -> list[list[frozenset[object]]]:
        return [[keys]] if relaxed.takeable(s) else []

    red = check_safety(
        reduced(relaxed, cycle_proviso=False, goal=goal),
        [Invariant("takeable", relaxed.takeable)],
        check_deadlock=True,
        is_final=final(relaxed),
        limits=Limits(max_states=RELAXED_LIMIT),
    )
    assume(red.stopped_by is None)
    takeable, deadlock = (r.verdict.value for r in red.results)
    if takeable == "holds" and deadlock == "holds":
        assert full.results[0].verdict.value == "holds"
    event(f"exact {full.results[0].verdict.value}, relaxed {deadlock}, takeable {takeable}")


def forgetting_is_a_bisimulation(plan: A.Plan) -> int:
    """From every state of the relaxation that keeps every answer, and from its
    forgetful form in the relaxation that forgets: the same steps, to states
    with the same forgetful forms. Guards and collect functions cannot tell a
    forgotten answer from none (spec.relaxed)."""
    model = compile_plan(plan)
    keeping, forgetting = RelaxedSystem(model, forget=False), RelaxedSystem(model)
    assert not keeping.forgettable
    states = _reachable(keeping, RELAXED_LIMIT)
    if states is None:  # too large for a test
        assume(False)
    assert states is not None

    def forgotten(nodes: Image) -> Image:
        return tuple(forgetting.canonical(ns) for ns in nodes)

    def in_forgetting(nodes: Image) -> GlobalState:
        return tuple(forgetting.intern(n, ns) for n, ns in enumerate(nodes))

    forgot = 0
    for s in states:
        nodes = keeping.nodes(s)
        image = forgotten(nodes)
        forgot += image != nodes
        want = sorted((str(step), forgotten(keeping.nodes(t))) for step, t in keeping.successors(s))
        got = sorted(
            (str(step), forgetting.nodes(t))
            for step, t in forgetting.successors(in_forgetting(image))
        )
        assert got == want, nodes
    return forgot


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4))
def test_forgetting_answers_is_a_bisimulation(plan: A.Plan) -> None:
    forgot = forgetting_is_a_bisimulation(plan)
    event(f"states with a forgotten answer: {min(forgot, 1)}")


def test_forgetting_keeps_the_refusals_of_a_provider_with_several() -> None:
    """The sensor uses two ports of its listener and caches both refusals
    (resetState deletes the first one present: those are never forgotten);
    the other answers of the plan's polling are, and the bisimulation holds."""
    plan = Loader().load_text(generate("cps-update", 1), "<cps 1>")
    assert forgetting_is_a_bisimulation(plan) > 0


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4))
def test_relaxation_simulates_the_exact_semantics(plan: A.Plan) -> None:
    check_relaxation(plan)


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4))
def test_deadlock_proofs_on_the_relaxation_transfer(plan: A.Plan) -> None:
    proofs_transfer(plan)


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4), st.data())
def test_reduction_of_the_relaxation_keeps_its_verdicts(plan: A.Plan, data: st.DataObject) -> None:
    compare(plan, data, RelaxedSystem)


@settings(max_examples=30, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4))
def test_steps_of_independent_groups_commute_in_the_relaxation(plan: A.Plan) -> None:
    commute(RelaxedSystem(compile_plan(plan)))


@pytest.mark.slow
@settings(max_examples=500, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4, max_instances=5), st.data())
def test_relaxation_on_500_plans(plan: A.Plan, data: st.DataObject) -> None:
    check_relaxation(plan)
    forgetting_is_a_bisimulation(plan)
    proofs_transfer(plan)
    compare(plan, data, RelaxedSystem)


def test_relaxed_states_are_canonical() -> None:
    """Two sends to one node in either order reach one relaxed state: what lets
    the reduction separate the senders."""
    plan = Loader().load_text(generate("cps-update", 2), "<cps 2>")
    relaxed = RelaxedSystem(compile_plan(plan))
    seen = set(relaxed.initial_states())
    todo = list(seen)
    while todo:
        s = todo.pop()
        for _step, t in relaxed.successors(s):
            for ns in relaxed.nodes(t):
                assert ns == sorted_lists(ns) == relaxed.canonical(ns)
            if t not in seen and len(seen) < 5_000:
                seen.add(t)
                todo.append(t)
    assert any(len(relaxed.nodes(s)[1].inbox) > 1 for s in seen)


def test_shared_questions_are_named() -> None:
    plan = Loader().load_text(generate("openstack-deploy", 1), "<openstack 1>")
    shared = shared_questions(compile_plan(plan))
    assert "isRefusing(keystone_0.service)@keystone_0" in shared
    cps = Loader().load_text(generate("cps-update", 3), "<cps 3>")
    assert shared_questions(compile_plan(cps)) == []
