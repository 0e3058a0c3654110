"""The breadth-first safety search, on hand-written and random systems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdcheck.checker.search import (
    DEADLOCK,
    Invariant,
    Limits,
    Trace,
    Verdict,
    check_safety,
    follow,
    follow_lasso,
)

from .systems import Counter, Graph, Mutex


def test_counter_invariants() -> None:
    result = check_safety(
        Counter(10),
        [Invariant("small", lambda x: x < 10), Invariant("not3", lambda x: x != 3)],
        check_deadlock=True,
    )
    small, not3, dead = result.results
    assert small.verdict is Verdict.HOLDS
    assert dead.name == DEADLOCK and dead.verdict is Verdict.HOLDS
    assert not3.verdict is Verdict.VIOLATED
    assert not3.trace is not None
    assert not3.trace.states == (0, 1, 2, 3)
    assert not3.trace.steps == ("inc", "inc", "inc")
    assert result.stats.states == 10 and result.stats.complete
    assert result.stats.levels == (1,) * 10


def test_shortest_counterexample_uses_the_shortcut() -> None:
    result = check_safety(Counter(10, reset=True), [Invariant("not9", lambda x: x != 9)])
    (r,) = result.results
    assert r.trace is not None and len(r.trace) == 9


def test_mutex_violation() -> None:
    result = check_safety(Mutex(), [Invariant("mutual exclusion", lambda s: s[:2] != (2, 2))])
    (r,) = result.results
    assert r.verdict is Verdict.VIOLATED
    assert r.trace is not None
    assert r.trace.states[-1][:2] == (2, 2)
    assert len(r.trace) == 4  # both check, then both enter


def test_deadlock_and_final_states() -> None:
    g = Graph({0: [("a", 1), ("b", 2)], 1: [("c", 3)]})
    r = check_safety(g, check_deadlock=True).results[0]
    assert r.verdict is Verdict.VIOLATED and r.trace is not None
    assert r.trace.states == (0, 2)  # the shortest path to a dead end
    ok = check_safety(g, check_deadlock=True, is_final=lambda s: s in (2, 3)).results[0]
    assert ok.verdict is Verdict.HOLDS


def test_state_limit_gives_unknown() -> None:
    result = check_safety(
        Counter(100_000), [Invariant("any", lambda x: x >= 0)], limits=Limits(max_states=1000)
    )
    (r,) = result.results
    assert r.verdict is Verdict.UNKNOWN
    assert "state limit" in r.reason and "1,000" in r.reason
    assert not result.stats.complete


def test_depth_bound() -> None:
    partial = check_safety(
        Counter(50), [Invariant("not40", lambda x: x != 40)], limits=Limits(max_depth=10)
    )
    assert partial.results[0].verdict is Verdict.UNKNOWN
    assert "within 10 steps" in partial.results[0].reason
    whole = check_safety(
        Counter(5), [Invariant("small", lambda x: x < 5)], limits=Limits(max_depth=10)
    )
    assert whole.results[0].verdict is Verdict.HOLDS
    found = check_safety(
        Counter(50), [Invariant("not4", lambda x: x != 4)], limits=Limits(max_depth=10)
    )
    assert found.results[0].verdict is Verdict.VIOLATED


def test_timeout_gives_unknown() -> None:
    result = check_safety(
        Counter(10**7), [Invariant("any", lambda x: x >= 0)], limits=Limits(timeout=0.05)
    )
    assert result.results[0].verdict is Verdict.UNKNOWN
    assert "time limit" in result.results[0].reason


graphs = st.dictionaries(
    st.integers(0, 15),
    st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 15)), max_size=3),
    max_size=16,
)


@settings(max_examples=200, deadline=None)
@given(graphs, st.frozensets(st.integers(0, 15), max_size=4))
def test_random_graphs_against_networkx(
    edges: dict[int, list[tuple[str, int]]], bad: frozenset[int]
) -> None:
    system = Graph(edges)
    result = check_safety(system, [Invariant("avoid", lambda s: s not in bad)])
    g: nx.DiGraph = nx.DiGraph()
    g.add_node(0)
    for s, outs in edges.items():
        for _, t in outs:
            g.add_edge(s, t)
    reachable = nx.descendants(g, 0) | {0}
    (r,) = result.results
    if r.verdict is Verdict.HOLDS:
        assert result.stats.states == len(reachable) and result.stats.complete
    lengths = nx.single_source_shortest_path_length(g, 0)
    hits = [lengths[b] for b in bad if b in reachable]
    if not hits:
        assert r.verdict is Verdict.HOLDS
        return
    assert r.verdict is Verdict.VIOLATED and r.trace is not None
    assert len(r.trace) == min(hits)
    assert r.trace.states[0] == 0 and r.trace.states[-1] in bad
    for (before, after), step in zip(
        zip(r.trace.states, r.trace.states[1:], strict=False), r.trace.steps, strict=True
    ):
        assert (step, after) in edges.get(before, [])


def test_count_states_explores_everything() -> None:
    from cdcheck.checker.search import count_states

    stats = count_states(Counter(25))
    assert stats.states == 25 and stats.complete


@dataclass(frozen=True)
class _PackedGraph:
    """A graph whose states are pairs of ints, declared packable."""

    edges: dict[int, list[tuple[str, int]]]
    state_width: int = 2

    def initial_states(self) -> Iterable[tuple[int, int]]:
        return [(0, 7)]

    def successors(self, s: tuple[int, int]) -> Iterable[tuple[str, tuple[int, int]]]:
        return [(label, (t, 7 + t)) for label, t in self.edges.get(s[0], [])]


@settings(max_examples=100, deadline=None)
@given(graphs, st.frozensets(st.integers(0, 15), max_size=4))
def test_packed_states_give_the_same_search(
    edges: dict[int, list[tuple[str, int]]], bad: frozenset[int]
) -> None:
    """A system that declares `state_width` is stored packed; the search, its
    figures and its counterexample (states as tuples again) are unchanged."""
    plain = check_safety(Graph(edges), [Invariant("avoid", lambda s: s not in bad)])
    packed = check_safety(_PackedGraph(edges), [Invariant("avoid", lambda s: s[0] not in bad)])
    assert packed.stats.states == plain.stats.states
    (p,), (q,) = plain.results, packed.results
    assert p.verdict == q.verdict
    if q.trace is not None and p.trace is not None:
        assert [s[0] for s in q.trace.states] == list(p.trace.states)
        assert all(type(s) is tuple and s[1] == 7 + s[0] for s in q.trace.states)


def test_store_packs_and_unpacks() -> None:
    from cdcheck.checker.store import NO_PARENT, StateStore

    store: StateStore[tuple[int, ...]] = StateStore(3)
    assert store.add((1, 2, 3), NO_PARENT, 0) == (0, True)
    assert store.add((1, 2, 3), 0, 1) == (-1, False)
    assert store.add((4_000_000_000, 0, 5), 0, 1) == (1, True)
    assert (4_000_000_000, 0, 5) in store and (1, 2, 4) not in store
    assert store.state(1) == (4_000_000_000, 0, 5) and store.path_to(1) == [0, 1]


def test_follow_replays_step_labels_on_a_bisimilar_system() -> None:
    """A trace of the counter modulo 2 (a quotient of the counter modulo 4 with
    the same labels) is followed on the counter modulo 4; a label the system
    does not offer is an error, not a silent truncation."""
    quotient = check_safety(Counter(2), [Invariant("below 1", lambda s: s < 1)])
    trace = quotient.results[0].trace
    assert trace is not None and trace.steps == ("inc",)
    followed = follow(Counter(4, reset=True), ("inc", "inc", "reset", "inc"))
    assert followed.states == (0, 1, 2, 0, 1) and followed.steps[2] == "reset"
    with pytest.raises(ValueError, match="do not replay"):
        follow(Counter(4), ("inc", "reset"))


@dataclass(frozen=True)
class Remembers:
    """x toggles on "a"; `mem` records that a step happened: forgetting `mem`
    gives the two-state cycle, whose loop takes a second round here."""

    def initial_states(self) -> Iterable[tuple[int, int]]:
        return [(0, 0)]

    def successors(self, s: tuple[int, int]) -> Iterable[tuple[str, tuple[int, int]]]:
        yield ("a", (1 - s[0], 1))


def test_follow_lasso_takes_rounds_until_the_system_closes_the_loop() -> None:
    quotient = Trace((0, 1, 0), ("a", "a"), loop_start=0)
    lasso = follow_lasso(Remembers(), quotient)
    assert lasso.states == ((0, 0), (1, 1), (0, 1), (1, 1), (0, 1))
    assert lasso.loop_start == 2 and lasso.states[2] == lasso.states[-1]
    stutter = follow_lasso(Counter(3), Trace((0, 1, 1), ("inc", "s"), 1), lambda a: a == "s")
    assert stutter.states == (0, 1, 1) and stutter.loop_start == 1
