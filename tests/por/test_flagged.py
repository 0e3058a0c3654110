"""Invariants through violation flags and the deadlock-preserving reduction
(checker/flagged.py), on hand-written guarded-command systems (systems.py)."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from systems import Command, Program, State, counters, handshake, spinner_and_flag
from test_por_generic import programs

from cdcheck.checker.flagged import Flagged, Watched
from cdcheck.checker.por import reduced
from cdcheck.checker.search import Invariant, SearchResult, Verdict, check_safety


def flagged_search(
    program: Program, watched: list[Watched[State]], proviso: bool = True
) -> SearchResult[State, Any]:
    flagged = Flagged(program, watched)
    search = check_safety(
        reduced(flagged, cycle_proviso=proviso),
        flagged.invariants(),
        check_deadlock=True,
    )
    return flagged.unflagged(search)


def test_the_cycle_proviso_is_what_finds_a_flag_set_behind_a_spinner() -> None:
    """The toggle's steps never touch the watched variable: without the
    proviso the search may spin for ever and never set it."""
    watched = [Watched[State]("flag unset", lambda s: s[1] == 0, frozenset({1}))]
    ignoring = flagged_search(spinner_and_flag(), watched, proviso=False)
    assert ignoring.results[0].verdict is Verdict.HOLDS  # wrong: the flag step was ignored
    sound = flagged_search(spinner_and_flag(), watched)
    (found, _) = sound.results
    assert found.verdict is Verdict.VIOLATED and found.trace is not None
    assert found.trace.states[-1][1] == 1  # the system's state, no flag appended


def test_unwatched_counters_collapse_to_one_interleaving() -> None:
    """Watching counter 0: counters 1 and 2 still take one order, and the
    search is no larger than the deadlock search."""
    watched = [Watched[State]("x0 < 3", lambda s: s[0] < 3, frozenset({0}))]
    res = flagged_search(counters(3, 3), watched)
    assert res.results[0].verdict is Verdict.VIOLATED
    everything = flagged_search(
        counters(3, 2), [Watched[State]("x0 < 3", lambda s: s[0] < 3, frozenset({0}))]
    )
    assert everything.results[0].verdict is Verdict.HOLDS
    assert everything.stats.states == 3 * 2 + 1


def test_two_writers_of_one_invariant_keep_both_orders() -> None:
    """a then b passes through a state where a is done and b is not; the
    other order does not: the flag makes the two steps dependent."""
    program = Program(
        (0, 0),
        (Command("a", ((0, 0),), ((0, 1),)), Command("b", ((1, 0),), ((1, 1),))),
    )
    watched = [
        Watched[State]("not b alone", lambda s: not (s[1] == 1 and s[0] == 0), frozenset({0, 1}))
    ]
    res = flagged_search(program, watched)
    assert res.results[0].verdict is Verdict.VIOLATED
    unflagged = check_safety(reduced(program), [Invariant("x", watched[0].holds)])
    assert unflagged.stats.states == 3  # one order only: the plain deadlock search misses it


def test_the_handshake_conflict_is_found() -> None:
    both = Watched[State](
        "a not after b", lambda s: not (s[0] == 2 and s[1] == 1), frozenset({0, 1})
    )
    res = flagged_search(handshake(), [both])
    assert res.results[0].verdict is Verdict.VIOLATED


@settings(max_examples=300, deadline=None)
@given(programs(), st.data())
def test_random_programs_same_verdicts_through_flags(program: Program, data: st.DataObject) -> None:
    """One or two invariants over one or two variables each: the flagged
    reduced search agrees with the full search, its counterexamples are runs
    of the program ending in a violation, and its deadlocks are deadlocks."""
    nvars = len(program.init)
    watched: list[Watched[State]] = []
    for k in range(data.draw(st.integers(1, 2))):
        vs = data.draw(st.lists(st.integers(0, nvars - 1), min_size=1, max_size=2, unique=True))
        vals = [data.draw(st.integers(0, 2)) for _ in vs]

        def holds(s: State, vs: list[int] = vs, vals: list[int] = vals) -> bool:
            return not all(s[v] == c for v, c in zip(vs, vals, strict=True))

        watched.append(Watched(f"inv{k}", holds, frozenset(vs)))
    full = check_safety(program, [Invariant(w.name, w.holds) for w in watched], check_deadlock=True)
    red = flagged_search(program, watched)
    for f, r in zip(full.results, red.results, strict=True):
        assert f.name == r.name
        assert f.verdict == r.verdict, r.name
        if r.trace is not None:
            states = r.trace.states
            assert states[0] == program.init
            for a, b in itertools.pairwise(states):
                assert b in {t for _, t in program.successors(a)}
            if r.name == "deadlock-free":
                assert program.successors(states[-1]) == []
            else:
                (w,) = (w for w in watched if w.name == r.name)
                assert not w.holds(states[-1])
