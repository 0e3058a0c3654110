"""The necessary enabling sets of the Concerto-D groups, checked directly on
generated plans.

The stubborn sets are only as sound as two promises of spec/por_groups.py:
independent groups commute (tests/por/test_por_plans.py checks it), and a
disabled group stays disabled until a key of each of its alternative
enabling sets is written. This module checks the second: from a state where
a group is disabled, no run whose steps all leave one of its alternatives
alone ever takes a step of that group. The verdict comparisons catch a
wrong enabling set only when it happens to hide a deadlock or a violation;
this test catches it wherever it is wrong.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from strategies import plans, quiet_plans

from cdcheck.lang import ast as A
from cdcheck.lang.loader import Loader
from cdcheck.spec import rules as R
from cdcheck.spec.model import compile_plan
from cdcheck.spec.por_groups import GroupFootprint
from cdcheck.spec.quiet import QuietSystem, obstacles
from cdcheck.spec.relaxed import RelaxedSystem
from cdcheck.spec.system import ConcertoSystem

GRAPH_STATES = 3_000
"""States of the explored graph; runs leaving it are not followed."""
SOURCES = 40
"""States (breadth-first order) whose disabled groups are checked."""
RUN_STATES = 600
"""States each avoiding run may visit."""

Edges = list[tuple[Hashable, Hashable]]


def graph(sysm: ConcertoSystem) -> tuple[dict[Hashable, Edges], list[Hashable]]:
    """The first states of the system, breadth first, with their steps' groups."""
    edges: dict[Hashable, Edges] = {}
    order: list[Hashable] = list(sysm.initial_states())
    seen = set(order)
    for s in order:
        if len(edges) >= GRAPH_STATES:
            break
        out: Edges = []
        for step, t in sysm.successors(s):  # type: ignore[arg-type]
            out.append((sysm.group_of(s, step), t))  # type: ignore[arg-type]
            if t not in seen:
                seen.add(t)
                order.append(t)
        edges[s] = out
    return edges, order


def check_enabling_sets(sysm: ConcertoSystem) -> int:
    """Check every alternative of every disabled group at the first states;
    returns how many (state, group, alternative) triples were checked."""
    groups = sysm.por_groups()
    edges, order = graph(sysm)
    checked = 0
    for s in order[:SOURCES]:
        if s not in edges:
            break
        enabled = {g for g, _ in edges[s]}
        for g in groups:
            if g in enabled:
                continue
            for alternative in sysm.enabling_sets(s, g):  # type: ignore[arg-type]
                keys = frozenset(alternative)
                avoid(edges, s, g, keys, groups)
                checked += 1
    return checked


def avoid(
    edges: dict[Hashable, Edges],
    start: Hashable,
    g: Hashable,
    keys: frozenset[object],
    groups: Mapping[Any, GroupFootprint],
) -> None:
    """No run from `start` that writes none of `keys` takes a step of g."""
    seen = {start}
    todo = [start]
    while todo and len(seen) < RUN_STATES:
        u = todo.pop()
        for h, v in edges.get(u, ()):
            assert h != g, f"{g} enabled without writing any of {sorted(map(str, keys))}"
            if groups[h].writes & keys:
                continue
            if v not in seen:
                seen.add(v)
                todo.append(v)


TWO_ASKERS = """
type T { places a  initial a  behavior stay { }  provide p on a }
type U { places x, y  initial x  behavior go { s: x -> y }  use q on y }
node n1 hosts c1 { start c1: T at a  connected c2.q -- c1.p  connected c3.q -- c1.p  program { } }
node n2 hosts c2, c3 {
  start c2: U at x
  start c3: U at x
  connected c2.q -- c1.p
  connected c3.q -- c1.p
  cache isConnected(c2.q -- c1.p) = true
  cache isConnected(c3.q -- c1.p) = true
  program { pushB c2 go as h  pushB c3 go as k }
}
"""


def test_an_ask_that_another_instance_s_ask_stands_for() -> None:
    """AskQuestionForEnteringPlace keeps one step per resulting node state:
    when c2 and c3 both may enter y and both would ask only
    `isRefusing(c1.p)`, c2's step stands for c3's, whose group is then
    disabled with an enabling set over every ask of the node."""
    model = compile_plan(Loader().load_text(TWO_ASKERS, "two-askers.cd"))
    sysm = ConcertoSystem(model)
    _, order = graph(sysm)
    merged = 0
    for s in order:
        node = sysm.node(s, 1)  # type: ignore[arg-type]
        candidates = [
            c
            for c in R._enterings(model, node)
            if R.entering_questions(model, 1, node, model.nodes[1].slots[c[0]], c[1], c[3], c[2])
        ]
        merged += len(list(R.AskQuestionForEnteringPlace(model, 1, node))) < len(candidates)
    assert merged  # the case is reached
    assert check_enabling_sets(sysm) > 1000


SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@settings(max_examples=25, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=3))
def test_enabling_sets_of_the_exact_semantics(plan: A.Plan) -> None:
    check_enabling_sets(ConcertoSystem(compile_plan(plan)))


@settings(max_examples=25, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=3))
def test_enabling_sets_of_the_relaxation(plan: A.Plan) -> None:
    check_enabling_sets(RelaxedSystem(compile_plan(plan)))


@settings(max_examples=25, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=3))
def test_enabling_sets_of_the_quiet_system(plan: A.Plan) -> None:
    model = compile_plan(plan)
    assume(not obstacles(model))
    check_enabling_sets(QuietSystem(model))


@pytest.mark.slow
@settings(max_examples=300, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4, max_instances=5))
def test_enabling_sets_on_300_plans(plan: A.Plan) -> None:
    check_enabling_sets(ConcertoSystem(compile_plan(plan)))
    check_enabling_sets(RelaxedSystem(compile_plan(plan)))


@pytest.mark.slow
@settings(max_examples=300, **SETTINGS)  # type: ignore[arg-type]
@given(quiet_plans(max_nodes=4, max_instances=5))
def test_quiet_enabling_sets_on_300_plans(plan: A.Plan) -> None:
    model = compile_plan(plan)
    assume(not obstacles(model))
    check_enabling_sets(QuietSystem(model))
