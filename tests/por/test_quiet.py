"""The quiet system (spec.quiet: hosts answer only the awaited value) and the
static happens-before that licenses it (spec.episodes), against the exact
semantics on generated plans.

What `cdcheck` takes from the quiet system, and what is checked here, on
plans without obstacles: quiet deadlock freedom implies exact deadlock
freedom and termination under weak fairness per step (the fair check of
every interleaving); an invariant that holds there holds exactly; the
stubborn sets give the quiet full search's verdicts; and when the programs
order every two nodes' asking of a question, no reachable exact state has
two nodes asking it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from plans import PLANNED_CPS_2, RACE
from strategies import quiet_plans, shared_question_plans
from test_local_view import view_simulates_the_relaxation, views_prove_only_what_holds
from test_relaxed import _reachable

from cdcheck.checker import ltl as L
from cdcheck.checker.buchi import translate
from cdcheck.checker.emptiness import check_ltl
from cdcheck.checker.por import reduced
from cdcheck.checker.predicates import compile_predicate
from cdcheck.checker.search import Explorable, Invariant, Limits, Verdict, check_safety
from cdcheck.lang import ast as A
from cdcheck.lang.loader import Loader
from cdcheck.spec.episodes import overlapping
from cdcheck.spec.model import Model, compile_plan
from cdcheck.spec.quiet import QuietLocalView, QuietSystem, obstacles
from cdcheck.spec.state import GlobalState
from cdcheck.spec.suite import port_consistency_formula
from cdcheck.spec.system import ConcertoSystem

LIMIT = 50_000
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
ROOT = Path(__file__).resolve().parents[2]


def _quiet_model(plan: A.Plan) -> Model:
    model = compile_plan(plan)
    reasons = obstacles(model)
    event("obstacle" if reasons else "quiet")
    assume(not reasons)
    return model


def _port_consistency(system: ConcertoSystem, plan: A.Plan) -> Callable[[GlobalState], bool]:
    formula = L.parse(port_consistency_formula(plan))
    atoms = system.atoms()
    return compile_predicate(L.invariant_of(formula) or L.TRUE, lambda a: atoms.compile(str(a)))


def _quiet_verdicts(model: Model, plan: A.Plan, por: bool) -> tuple[Verdict, Verdict] | None:
    """(deadlock freedom, port consistency) on the quiet system, with or
    without the reduction (the reduced search proves only deadlock freedom:
    port consistency is then checked by a second, goal-free full search)."""
    quiet = QuietSystem(model)
    atoms = quiet.atoms()
    explored = reduced(quiet, cycle_proviso=False) if por else quiet
    dead = check_safety(
        explored, check_deadlock=True, is_final=atoms.done, limits=Limits(max_states=LIMIT)
    )
    ports = check_safety(
        quiet, [Invariant("ports", _port_consistency(quiet, plan))], limits=Limits(max_states=LIMIT)
    )
    if dead.stopped_by or ports.stopped_by:
        return None
    return dead.results[0].verdict, ports.results[0].verdict


def _terminates(exact: ConcertoSystem) -> Verdict:
    """`F done` under weak fairness per step, every interleaving."""
    atoms = exact.atoms()

    def value(atom: L.Atom, state: GlobalState) -> bool:
        return bool(atoms.compile(str(atom))(state))

    result, _ = check_ltl(
        exact,
        translate(L.Not(L.parse("F done"))),
        value,
        name="terminates",
        fairness=lambda step: step,
        limits=Limits(max_states=LIMIT),
    )
    return result.verdict


def quiet_proofs_hold_exactly(plan: A.Plan) -> None:
    model = _quiet_model(plan)
    found = _quiet_verdicts(model, plan, por=False)
    assume(found is not None)
    assert found is not None
    dead, ports = found
    exact = ConcertoSystem(model, forget=True)
    exact_run = check_safety(
        exact,
        [Invariant("ports", _port_consistency(exact, plan))],
        check_deadlock=True,
        is_final=exact.atoms().done,
        limits=Limits(max_states=LIMIT),
    )
    assume(exact_run.stopped_by is None)
    exact_ports, exact_dead = (r.verdict for r in exact_run.results)
    event(f"quiet deadlock-free: {dead.value}, ports: {ports.value}")
    if ports is Verdict.HOLDS:
        assert exact_ports is Verdict.HOLDS
    if dead is Verdict.HOLDS:
        assert exact_dead is Verdict.HOLDS
        termination = _terminates(exact)
        assume(termination is not Verdict.UNKNOWN)
        assert termination is Verdict.HOLDS


@settings(max_examples=60, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=3))
def test_quiet_proofs_hold_exactly(plan: A.Plan) -> None:
    quiet_proofs_hold_exactly(plan)


@pytest.mark.slow
@settings(max_examples=500, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=4, max_instances=5))
def test_quiet_proofs_hold_exactly_on_500_plans(plan: A.Plan) -> None:
    quiet_proofs_hold_exactly(plan)


def reduction_keeps_quiet_verdicts(plan: A.Plan) -> None:
    model = _quiet_model(plan)
    full = _quiet_verdicts(model, plan, por=False)
    by_por = _quiet_verdicts(model, plan, por=True)
    assume(full is not None and by_por is not None)
    event(f"deadlock-free: {full and full[0].value}")
    assert full == by_por


@settings(max_examples=60, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=4))
def test_stubborn_sets_keep_quiet_deadlocks(plan: A.Plan) -> None:
    reduction_keeps_quiet_verdicts(plan)


@pytest.mark.slow
@settings(max_examples=500, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=4, max_instances=5))
def test_stubborn_sets_keep_quiet_deadlocks_on_500_plans(plan: A.Plan) -> None:
    reduction_keeps_quiet_verdicts(plan)


def askers_at_once(model: Model, state: GlobalState, system: ConcertoSystem) -> bool:
    """Do two nodes hold one question in their outgoing list or history?"""
    holders: dict[int, int] = {}
    for n in range(len(model.nodes)):
        s = system.node(state, n)
        for q in {*s.outgoing, *(q for q in range(len(model.questions)) if s.history >> q & 1)}:
            holders[q] = holders.get(q, 0) + 1
    return any(count > 1 for count in holders.values())


def ordered_askers_never_ask_at_once(plan: A.Plan) -> None:
    model = compile_plan(plan)
    assume(not overlapping(model))
    exact = ConcertoSystem(model, forget=True)
    states = _reachable(exact, LIMIT)
    assume(states is not None)
    assert states is not None
    shared = any(len(nodes) > 1 for nodes in exact._por().askers.values())
    event(f"a question with several askers: {shared}")
    assert not any(askers_at_once(model, s, exact) for s in states)


@settings(max_examples=80, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=4))
def test_ordered_askers_never_ask_at_once(plan: A.Plan) -> None:
    ordered_askers_never_ask_at_once(plan)


# ----------------------------------------------------------------------------- hand-written

TWO_WAITERS = """
type T {
  places a, b
  initial a
  behavior go { t: a -> b }
}
node n0 hosts x {
  start x: T at a
  program { pushB x go as x_go }
}
node n1 hosts y {
  start y: T at a
  program { wait x x_go }
}
node n2 hosts z {
  start z: T at a
  program { %s wait x x_go }
}
"""


def _model(text: str) -> Model:
    return compile_plan(Loader().load_text(text, "hand.cd"))


def test_two_nodes_waiting_for_one_push_overlap_unless_a_wait_orders_them() -> None:
    both = _model(TWO_WAITERS % "")
    pairs = overlapping(both)
    assert len(pairs) == 1
    assert {both.nodes[e.node].name for e in pairs[0]} == {"n1", "n2"}
    assert "no wait orders them" in obstacles(both)[0]
    # n1 passes its wait only after x_go finished; n2 first waits for y's
    # push, which n1 makes after its wait: n2 asks only once n1 is done
    chained = TWO_WAITERS.replace(
        "program { wait x x_go }", "program { wait x x_go pushB y go as y_go }"
    )
    ordered = _model(chained % "wait y y_go")
    assert overlapping(ordered) == []
    assert obstacles(ordered) == []


def test_the_planners_cps_plans_are_quiet_and_ballets_are_not() -> None:
    ballet = compile_plan(Loader().load(str(ROOT / "models" / "ballet" / "cps-update-2.cd")))
    assert any("isCompleted(system, system_stop)" in r for r in obstacles(ballet))
    types = str(ROOT / "models" / "cps" / "types.cd")
    planned = compile_plan(Loader().load_text(PLANNED_CPS_2.replace("{types}", types), "p.cd"))
    assert obstacles(planned) == []


@settings(max_examples=30, **SETTINGS)  # type: ignore[arg-type]
@given(shared_question_plans())
def test_shared_questions_ordered_or_flagged(text: str) -> None:
    plan = Loader().load_text(text, "shared.cd")
    ordered_askers_never_ask_at_once(plan)


@settings(max_examples=20, **SETTINGS)  # type: ignore[arg-type]
@given(shared_question_plans())
def test_quiet_proofs_hold_exactly_with_shared_questions(text: str) -> None:
    quiet_proofs_hold_exactly(Loader().load_text(text, "shared.cd"))


@pytest.mark.slow
@settings(max_examples=300, **SETTINGS)  # type: ignore[arg-type]
@given(shared_question_plans())
def test_quiet_proofs_hold_exactly_with_shared_questions_on_300_plans(text: str) -> None:
    quiet_proofs_hold_exactly(Loader().load_text(text, "shared.cd"))


@settings(max_examples=15, **SETTINGS)  # type: ignore[arg-type]
@given(shared_question_plans())
def test_stubborn_sets_keep_quiet_deadlocks_with_shared_questions(text: str) -> None:
    reduction_keeps_quiet_verdicts(Loader().load_text(text, "shared.cd"))


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=4, min_nodes=2), st.data())
def test_the_quiet_view_simulates_the_quiet_system(plan: A.Plan, data: st.DataObject) -> None:
    """The local view of the quiet system (spec.quiet.QuietLocalView): the
    image of every quiet reachable state is reachable in it."""
    nodes = range(len(plan.nodes))
    kept = frozenset(data.draw(st.sets(st.sampled_from(nodes), min_size=1)) if nodes else ())
    dropped = view_simulates_the_relaxation(plan, kept, QuietSystem, QuietLocalView)
    assume(dropped is not None)


@settings(max_examples=10, **SETTINGS)  # type: ignore[arg-type]
@given(shared_question_plans(), st.data())
def test_the_quiet_view_simulates_the_quiet_system_with_shared_questions(
    text: str, data: st.DataObject
) -> None:
    plan = Loader().load_text(text, "shared.cd")
    kept = frozenset(data.draw(st.sets(st.sampled_from(range(len(plan.nodes))), min_size=1)))
    assume(view_simulates_the_relaxation(plan, kept, QuietSystem, QuietLocalView) is not None)


@settings(max_examples=15, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=4, min_nodes=3))
def test_quiet_views_prove_only_what_holds(plan: A.Plan) -> None:
    for outcome in views_prove_only_what_holds(plan, QuietLocalView):
        event(f"view: {outcome}")


def quiet_views_prove_only_what_holds(text: str) -> None:
    plan = Loader().load_text(text, "shared.cd")
    assume(not obstacles(compile_plan(plan)))
    for outcome in views_prove_only_what_holds(plan, QuietLocalView):
        event(f"view: {outcome}")


@pytest.mark.slow
@settings(max_examples=100, **SETTINGS)  # type: ignore[arg-type]
@given(shared_question_plans())
def test_quiet_views_prove_only_what_holds_on_100_plans(text: str) -> None:
    quiet_views_prove_only_what_holds(text)


@pytest.mark.slow
@settings(max_examples=200, **SETTINGS)  # type: ignore[arg-type]
@given(shared_question_plans())
def test_stubborn_sets_keep_quiet_deadlocks_with_shared_questions_on_200_plans(
    text: str,
) -> None:
    reduction_keeps_quiet_verdicts(Loader().load_text(text, "shared.cd"))


def _terminals(system: Explorable[GlobalState, Any]) -> set[GlobalState]:
    seen = set(system.initial_states())
    todo = list(seen)
    ends = set()
    while todo:
        s = todo.pop()
        succ = list(system.successors(s))
        if not succ:
            ends.add(s)
        for _, t in succ:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return ends


def test_an_answer_the_asker_may_still_ask_for_before_the_hosts_step_is_not_inert() -> None:
    """The client may ask whether the service refuses before the server's
    push of `stop` (nothing orders them): the answer conflicts with that
    push, and the orders end in different states: the server stuck behind an
    active client, the client behind a refusing server, or both done (the
    client's cached "not refusing" predates the push). The stubborn sets
    must keep all three."""
    quiet = QuietSystem(_model(RACE % ""))
    full = _terminals(quiet)
    assert len(full) == 3
    assert _terminals(reduced(quiet, cycle_proviso=False)) == full
    (start,) = quiet.initial_states()
    push = ("prog", 0, 0)
    assert quiet.inert(start, push) == []


def test_an_answer_the_asker_asks_only_after_the_hosts_step_is_inert() -> None:
    """Once the client waits for `server_stop` before deploying, it asks only
    after the server's push: the answer cannot come before it."""
    quiet = QuietSystem(_model(RACE % "wait server server_stop"))
    (start,) = quiet.initial_states()
    inert = quiet.inert(start, ("prog", 0, 0))
    assert inert and all(h[0] == "senda" and h[3] == 1 for h in inert)
    assert _terminals(reduced(quiet, cycle_proviso=False)) == _terminals(quiet)
