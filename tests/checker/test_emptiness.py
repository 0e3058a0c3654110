"""LTL model checking by product emptiness, on hand-written and random systems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from cdcheck.checker import ltl as L
from cdcheck.checker.buchi import translate
from cdcheck.checker.emptiness import STUTTER, check_ltl
from cdcheck.checker.search import NO_LIMITS, Limits, Verdict

from .systems import Counter, Graph

P, Q, R = L.Atom("p"), L.Atom("q"), L.Atom("r")


def check(system, formula: str, labels, fairness=None, limits=NO_LIMITS):  # type: ignore[no-untyped-def]
    f = L.parse(formula)
    aut = translate(L.Not(f))
    return check_ltl(
        system,
        aut,
        lambda atom, s: atom in labels(s),
        name=formula,
        fairness=fairness,
        limits=limits,
    )[0]


def replay_is_a_run(system, trace) -> None:  # type: ignore[no-untyped-def]
    for i, step in enumerate(trace.steps):
        before, after = trace.states[i], trace.states[i + 1]
        succ = list(system.successors(before))
        if step is STUTTER:
            assert not succ and before == after
        else:
            assert (step, after) in succ
    assert trace.loop_start is not None
    assert trace.states[trace.loop_start] == trace.states[-1]


def test_response_on_a_counter() -> None:
    system = Counter(4)
    labels = lambda s: {P} if s == 0 else ({Q} if s == 2 else set())  # noqa: E731
    assert check(system, "G (p -> F q)", labels).verdict is Verdict.HOLDS
    assert check(system, "G F p", labels).verdict is Verdict.HOLDS
    r = check(system, "F G p", labels)
    assert r.verdict is Verdict.VIOLATED and r.trace is not None
    replay_is_a_run(system, r.trace)


def test_deadlock_stutters() -> None:
    g = Graph({0: [("a", 1)], 1: []})
    labels = lambda s: {P} if s == 1 else set()  # noqa: E731
    assert check(g, "F p", labels).verdict is Verdict.HOLDS
    r = check(g, "G F !p", labels)
    assert r.verdict is Verdict.VIOLATED and r.trace is not None
    assert r.trace.steps[-1] is STUTTER
    replay_is_a_run(g, r.trace)


@dataclass(frozen=True)
class TwoLoops:
    """Two processes, each toggling its own bit forever; `done` is never reached."""

    def initial_states(self) -> Iterable[tuple[int, int]]:
        return [(0, 0)]

    def successors(self, s: tuple[int, int]) -> Iterable[tuple[str, tuple[int, int]]]:
        yield ("p0", (1 - s[0], s[1]))
        yield ("p1", (s[0], 1 - s[1]))


def test_weak_fairness_per_process() -> None:
    system = TwoLoops()
    labels = lambda s: {P} if s[0] == 1 else set()  # noqa: E731
    unfair = check(system, "G F p", labels)
    assert unfair.verdict is Verdict.VIOLATED and unfair.trace is not None
    # the unfair counterexample starves process 0 on its cycle
    cycle = unfair.trace.steps[unfair.trace.loop_start :]
    assert "p0" not in cycle
    fair = check(system, "G F p", labels, fairness=lambda step: step)
    assert fair.verdict is Verdict.HOLDS


def test_fair_counterexample_takes_every_enabled_process() -> None:
    system = TwoLoops()
    labels = lambda s: {P} if s == (1, 1) else set()  # noqa: E731
    r = check(system, "G F p", labels, fairness=lambda step: step)
    # both processes run forever yet p may never hold (they alternate)
    assert r.verdict is Verdict.VIOLATED and r.trace is not None
    cycle = r.trace.steps[r.trace.loop_start :]
    assert {"p0", "p1"} <= set(cycle)
    replay_is_a_run(system, r.trace)


def test_limit_gives_unknown() -> None:
    r = check(Counter(10**6), "G F (p | !p)", lambda s: set(), limits=Limits(max_states=500))
    assert r.verdict in (Verdict.UNKNOWN, Verdict.HOLDS)
    r = check(Counter(10**6), "F p", lambda s: set(), limits=Limits(max_states=500))
    assert r.verdict is Verdict.UNKNOWN and "state limit" in r.reason


# ---------------------------------------------------------------------------- random

atoms3 = st.sampled_from([P, Q, R])


def formulas(depth: int) -> st.SearchStrategy[L.Formula]:
    leaf = st.one_of(atoms3, st.just(L.TRUE))
    if depth == 0:
        return leaf
    sub = formulas(depth - 1)
    return st.one_of(
        leaf,
        sub.map(L.Not),
        sub.map(L.Next),
        sub.map(L.Globally),
        sub.map(L.Finally),
        st.tuples(sub, sub).map(lambda t: L.And(*t)),
        st.tuples(sub, sub).map(lambda t: L.Or(*t)),
        st.tuples(sub, sub).map(lambda t: L.Until(*t)),
        st.tuples(sub, sub).map(lambda t: L.Release(*t)),
    )


systems = st.builds(
    lambda edges, labels: (Graph(edges), labels),
    st.dictionaries(
        st.integers(0, 4),
        st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 4)), max_size=2),
        max_size=5,
    ),
    st.dictionaries(st.integers(0, 4), st.frozensets(atoms3), max_size=5),
)


def lassos(g: Graph, bound: int) -> Iterable[tuple[list[int], int]]:
    """Every run shape up to `bound` states: a path and the index its end loops back to."""

    def extend(path: list[int]) -> Iterable[tuple[list[int], int]]:
        succ = [t for _, t in g.successors(path[-1])] or [path[-1]]
        for t in succ:
            if t in path:
                yield path, path.index(t)
            elif len(path) < bound:
                yield from extend([*path, t])

    yield from extend([0])


@settings(max_examples=300, deadline=None)
@given(systems, formulas(3))
def test_random_against_lasso_enumeration(case, f: L.Formula) -> None:  # type: ignore[no-untyped-def]
    g, labels = case
    letters = lambda s: frozenset(labels.get(s, frozenset()))  # noqa: E731
    r = check_ltl(g, translate(L.Not(f)), lambda a, s: a in letters(s), name="f")[0]
    violated_somewhere = any(
        not L.evaluate(
            f,
            L.LassoWord(
                tuple(letters(s) for s in path[:loop]),
                tuple(letters(s) for s in path[loop:]),
            ),
        )
        for path, loop in lassos(g, 6)
    )
    if violated_somewhere:
        assert r.verdict is Verdict.VIOLATED
    if r.verdict is Verdict.VIOLATED:
        assert r.trace is not None and r.trace.loop_start is not None
        replay_is_a_run(g, r.trace)
        states = r.trace.states
        word = L.LassoWord(
            tuple(letters(s) for s in states[: r.trace.loop_start]),
            tuple(letters(s) for s in states[r.trace.loop_start : -1]),
        )
        assert not L.evaluate(f, word)
    else:
        assert r.verdict is Verdict.HOLDS
