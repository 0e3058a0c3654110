"""The local view (spec.local_view: a few nodes of the relaxation, the others
an unconstrained environment) against the relaxation, on generated plans.

What a proof on the view relies on: the image of every relaxed reachable
state (the kept nodes, without the answers the environment sent them and
they have not received) is reachable in the view. Then an invariant over
the kept nodes that holds on the view holds on the relaxation, hence on the
plan; checked directly too, on the port-consistency conjuncts, against the
exact semantics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from strategies import plans
from test_relaxed import _reachable

from cdcheck.checker import ltl as L
from cdcheck.checker.por import reduced
from cdcheck.checker.por_goal import GoalKeys
from cdcheck.checker.predicates import compile_predicate
from cdcheck.checker.search import Invariant, Limits, check_safety
from cdcheck.lang import ast as A
from cdcheck.lang.families import generate
from cdcheck.lang.loader import Loader
from cdcheck.spec.local_view import LocalView, local_view, nodes_read, view_of
from cdcheck.spec.model import Model, compile_plan
from cdcheck.spec.por_groups import atom_keys
from cdcheck.spec.relaxed import RelaxedSystem
from cdcheck.spec.state import GlobalState, NodeState, Stuck
from cdcheck.spec.suite import port_consistency_formula
from cdcheck.spec.system import ConcertoSystem

LIMIT = 100_000
EXACT_LIMIT = 20_000
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


def _from_environment(model: Model, kept: frozenset[int], msg: object) -> bool:
    """An answer whose question's destination has no kept host."""
    if isinstance(msg, Stuck):
        q = msg.q
    else:
        assert isinstance(msg, int)
        if not msg & 3:
            return False
        q = msg >> 2
    return not any(y in kept for y in model.hosts_of[model.questions[q].dst])


def view_simulates_the_relaxation(
    plan: A.Plan,
    kept: frozenset[int],
    system: type[RelaxedSystem] = RelaxedSystem,
    make: Callable[[Model, frozenset[int]], LocalView] | None = None,
) -> int | None:
    """How many reachable states of `system` (the relaxation, or the quiet
    system with `make` its view) have an image that drops something; None
    when there is no view or a state space is too large for a test."""
    model = compile_plan(plan)
    found = view_of(model, kept, make)
    if found is None:
        return None
    relaxed, view = system(model), found
    states = _reachable(relaxed, LIMIT)
    seen = _reachable(view, LIMIT)
    if states is None or seen is None:
        return None
    images = {view.nodes(s) for s in seen}
    (start,) = view.initial_states()
    outside = view.nodes(start)

    def image(n: int, ns: NodeState) -> NodeState:
        if n not in kept:
            return outside[n]
        inbox = tuple(
            x
            for x in ns.inbox
            if not _from_environment(model, kept, x)
            and not (isinstance(x, int) and not x & 3 and x >> 2 in view.silent)
        )
        pending = tuple(q for q in ns.pending if q not in view.silent)
        return view.canonical(ns._replace(inbox=inbox, pending=pending))

    dropped = 0
    for s in states:
        nodes = relaxed.nodes(s)
        want = tuple(image(n, ns) for n, ns in enumerate(nodes))
        dropped += any(want[n] != nodes[n] for n in kept)
        assert want in images, nodes
    return dropped


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4, min_nodes=2), st.data())
def test_the_view_simulates_the_relaxation(plan: A.Plan, data: st.DataObject) -> None:
    nodes = range(len(plan.nodes))
    kept = frozenset(data.draw(st.sets(st.sampled_from(nodes), min_size=1)) if nodes else ())
    dropped = view_simulates_the_relaxation(plan, kept)
    assume(dropped is not None)
    event(f"states whose image drops something: {min(dropped or 0, 1)}")


def _conjuncts(f: L.Formula) -> list[L.Formula]:
    if isinstance(f, L.And):
        return _conjuncts(f.left) + _conjuncts(f.right)
    return [f]


def _atoms_of(system: ConcertoSystem) -> Callable[[L.Atom], Callable[[GlobalState], bool]]:
    atoms = system.atoms()
    return lambda a: atoms.compile(str(a))


def _conjunct_views(
    plan: A.Plan, make: Callable[[Model, frozenset[int]], LocalView] | None = None
) -> Iterator[tuple[L.Formula, LocalView | None]]:
    """Each port-consistency conjunct with its local view (None: no view)."""
    model = compile_plan(plan)
    state_formula = L.invariant_of(L.parse(port_consistency_formula(plan)))
    assert state_formula is not None
    for part in _conjuncts(state_formula):
        yield part, local_view(model, [str(a) for a in L.atoms(part)], make)


def views_prove_only_what_holds(
    plan: A.Plan, make: Callable[[Model, frozenset[int]], LocalView] | None = None
) -> list[str]:
    """Each port-consistency conjunct proved on its view (built by `make`)
    holds on the exact semantics (every interleaving)."""
    exact = ConcertoSystem(compile_plan(plan))
    outcomes = []
    for part, view in _conjunct_views(plan, make):
        if view is None:
            outcomes.append("no view")
            continue
        on_view = check_safety(
            view,
            [Invariant("p", compile_predicate(part, _atoms_of(view)))],
            limits=Limits(max_states=LIMIT),
        )
        verdict = on_view.results[0].verdict.value
        if verdict == "holds":
            full = check_safety(
                exact,
                [Invariant("p", compile_predicate(part, _atoms_of(exact)))],
                limits=Limits(max_states=EXACT_LIMIT),
            )
            assert full.results[0].verdict.value != "violated", L.to_text(part)
        outcomes.append(verdict)
    return outcomes


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4, max_instances=5, min_nodes=3))
def test_views_prove_only_what_holds(plan: A.Plan) -> None:
    for outcome in views_prove_only_what_holds(plan):
        event(f"view: {outcome}")


def reduction_keeps_the_views_verdicts(plan: A.Plan) -> list[str]:
    """On each port-consistency conjunct's view: the goal-condition stubborn
    sets (violations alone, as the command line searches) give the verdict of
    the view's full search."""
    outcomes = []
    for part, view in _conjunct_views(plan):
        if view is None:
            continue
        inv = Invariant("p", compile_predicate(part, _atoms_of(view)))
        full = check_safety(view, [inv], limits=Limits(max_states=LIMIT))
        if full.stopped_by is not None:
            continue
        keys = {a: atom_keys(view.model, str(a)) for a in L.atoms(part)}
        goal = GoalKeys([part], keys.__getitem__, _atoms_of(view))
        red = reduced(view, cycle_proviso=False, goal=goal, deadlocks=False)
        found = check_safety(red, [inv])
        assert found.results[0].verdict == full.results[0].verdict, L.to_text(part)
        assert found.stats.states <= full.stats.states
        outcomes.append(full.results[0].verdict.value)
    return outcomes


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4, max_instances=5, min_nodes=3))
def test_the_reduction_keeps_the_views_verdicts(plan: A.Plan) -> None:
    for outcome in reduction_keeps_the_views_verdicts(plan):
        event(f"view: {outcome}")


@pytest.mark.slow
@settings(max_examples=300, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4, min_nodes=2), st.data())
def test_the_view_simulates_the_relaxation_on_many_plans(plan: A.Plan, data: st.DataObject) -> None:
    nodes = range(len(plan.nodes))
    kept = frozenset(data.draw(st.sets(st.sampled_from(nodes), min_size=1)) if nodes else ())
    view_simulates_the_relaxation(plan, kept)
    views_prove_only_what_holds(plan)
    reduction_keeps_the_views_verdicts(plan)


def test_cps_port_consistency_holds_on_two_node_views() -> None:
    """CPS with one pair: each connection's conjunct holds on the view of the
    nodes hosting its user and provider."""
    plan = Loader().load_text(generate("cps-update", 1), "<cps 1>")
    model = compile_plan(plan)
    assert nodes_read(model, "deadlock") is None
    assert nodes_read(model, "inbox_empty(node1)") is None
    assert views_prove_only_what_holds(plan) == ["holds"] * 4


@pytest.mark.parametrize("kept", [{0}, {1}, {2}, {0, 1}, {1, 2}, {0, 2}])
def test_views_of_cps_simulate_its_relaxation(kept: set[int]) -> None:
    """Every view of the CPS plan with one pair (the database's, the system
    and listener's, the sensor's nodes): the system polls the database, the
    sensor and the listener ask each other, so the environment's questions
    and both of its answers are needed."""
    plan = Loader().load_text(generate("cps-update", 1), "<cps 1>")
    assert view_simulates_the_relaxation(plan, frozenset(kept)) is not None
