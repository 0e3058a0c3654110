"""The generic reduction on hand-written guarded-command systems (systems.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from systems import Command, Footprint, Program, State, counters, handshake, spinner_and_flag

from cdcheck.checker.por import reduced
from cdcheck.checker.search import Explorable, Invariant, Stats, Verdict, check_safety


def count_states(system: Explorable[State, Any]) -> Stats:
    """Everything reachable (`search.count_states` checks no property, and with
    none the search stops at once: a deadlock check that never fires instead)."""
    return check_safety(system, check_deadlock=True, is_final=lambda _s: True).stats


def reachable(system: Program) -> set[State]:
    seen = set(system.initial_states())
    todo = list(seen)
    while todo:
        s = todo.pop()
        for _, t in system.successors(s):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def test_independent_counters_collapse_to_one_interleaving() -> None:
    full = count_states(counters(3, 4))
    red = count_states(reduced(counters(3, 4), cycle_proviso=False))
    assert full.states == 5**3
    assert red.states == 3 * 4 + 1  # one order of the 12 increments


def test_counters_keep_their_single_deadlock() -> None:
    system = reduced(counters(3, 2))
    res = check_safety(system, check_deadlock=True)
    (dl,) = res.results
    assert dl.verdict is Verdict.VIOLATED and dl.trace is not None
    assert dl.trace.states[-1] == (2, 2, 2)


def test_a_visible_counter_is_never_advanced_alone() -> None:
    """With counter 0 visible, every reduced state that advances counter 0 must
    be fully expanded; the other counters still interleave in one order."""
    base = counters(2, 3)
    system = reduced(base, visible={0})
    seen = [s for s in reachable(base)]
    for s in seen:
        succ = system.successors(s)
        names = {n for n, _ in succ}
        if any(n.startswith("inc0") for n in names):
            assert names == {n for n, _ in base.successors(s)}
    red = count_states(reduced(base, visible={0}))
    full = count_states(base)
    assert red.states < full.states


def test_the_cycle_proviso_solves_the_ignoring_problem() -> None:
    flag_unset = Invariant[State]("flag unset", lambda s: s[1] == 0)
    ignoring = check_safety(
        reduced(spinner_and_flag(), visible={1}, cycle_proviso=False), [flag_unset]
    )
    assert ignoring.results[0].verdict is Verdict.HOLDS  # wrong: the flag step was ignored
    sound = check_safety(reduced(spinner_and_flag(), visible={1}), [flag_unset])
    assert sound.results[0].verdict is Verdict.VIOLATED


def test_conflicting_steps_keep_both_orders() -> None:
    both_done = Invariant[State]("a not after b", lambda s: not (s[0] == 2 and s[1] == 1))
    res = check_safety(reduced(handshake(), visible={0, 1}), [both_done])
    assert res.results[0].verdict is Verdict.VIOLATED
    red = count_states(reduced(handshake()))
    assert red.states < count_states(handshake()).states


def test_decisions_are_memoized_so_replays_agree() -> None:
    program = handshake()
    system = reduced(program)
    s = program.init
    first = system.successors(s)
    assert system.successors(s) == first
    assert system.stats.expanded == 1


# --------------------------------------------------------------------------- random systems


@st.composite
def programs(draw: st.DrawFn) -> Program:
    nvars = draw(st.integers(2, 4))
    dom = 3
    cmds = []
    for k in range(draw(st.integers(2, 7))):
        gvars = draw(st.lists(st.integers(0, nvars - 1), min_size=1, max_size=2, unique=True))
        avars = draw(st.lists(st.integers(0, nvars - 1), min_size=1, max_size=2, unique=True))
        guard = tuple((v, draw(st.integers(0, dom - 1))) for v in gvars)
        assign = tuple((v, draw(st.integers(0, dom - 1))) for v in avars)
        cmds.append(Command(f"c{k}", guard, assign))
    init = tuple(draw(st.integers(0, dom - 1)) for _ in range(nvars))
    return Program(init, tuple(cmds))


@settings(max_examples=300, deadline=None)
@given(programs(), st.data())
def test_random_programs_same_verdicts(program: Program, data: st.DataObject) -> None:
    var = data.draw(st.integers(0, len(program.init) - 1))
    val = data.draw(st.integers(0, 2))
    inv = Invariant[State](f"x{var} != {val}", lambda s: s[var] != val)
    full = check_safety(program, [inv], check_deadlock=True)
    for proviso in (True, False):
        system = reduced(program, visible={var}, cycle_proviso=proviso)
        red = check_safety(system, [inv], check_deadlock=True)
        for f, r in zip(full.results, red.results, strict=True):
            if r.name == "deadlock-free" or proviso:
                assert f.verdict == r.verdict, (r.name, proviso)
            if r.trace is not None:
                trace = r.trace
                for a, b in zip(trace.states, trace.states[1:], strict=False):
                    assert b in {t for _, t in program.successors(a)}
                last = trace.states[-1]
                if r.name == "deadlock-free":
                    assert program.successors(last) == []
                else:
                    assert not inv.holds(last)


def test_the_goal_condition_solves_the_ignoring_problem_without_a_proviso() -> None:
    """The flag's writers are in every stubborn set while the invariant holds:
    no cycle proviso, no visibility, and the violation is still found."""
    flag_unset = Invariant[State]("flag unset", lambda s: s[1] == 0)

    def goal(s: State) -> list[list[frozenset[int]]]:
        return [[frozenset({1})]] if s[1] == 0 else []

    res = check_safety(reduced(spinner_and_flag(), cycle_proviso=False, goal=goal), [flag_unset])
    assert res.results[0].verdict is Verdict.VIOLATED


def test_the_goal_condition_keeps_one_order_of_unrelated_counters() -> None:
    """Watching counter 0 reaching 3: counters 1 and 2 still collapse to one order."""
    base = counters(3, 3)

    def goal(s: State) -> list[list[frozenset[int]]]:
        return [[frozenset({0})]] if s[0] != 3 else []

    red = count_states(reduced(base, cycle_proviso=False, goal=goal))
    assert red.states < count_states(base).states // 4


def test_a_violation_nothing_can_cause_is_not_searched_for() -> None:
    """The invariant can only change through a key no command writes: the
    goal's closure holds no enabled step, so a search for violations alone
    stops at the initial state; a search for deadlocks too must go on (D2)."""
    base = counters(3, 3)

    def goal(s: State) -> list[list[frozenset[int]]]:
        return [[frozenset({99})]]

    always = Invariant[State]("always", lambda s: True)
    alone = reduced(base, cycle_proviso=False, goal=goal, deadlocks=False)
    res = check_safety(alone, [always])
    assert res.results[0].verdict is Verdict.HOLDS
    assert res.stats.states == 1 and alone.stats.pruned == 1
    assert count_states(reduced(base, cycle_proviso=False, goal=goal)).states > 1


@settings(max_examples=300, deadline=None)
@given(programs(), st.data())
def test_random_programs_same_verdicts_with_the_goal_condition(
    program: Program, data: st.DataObject
) -> None:
    """An invariant over one or two variables, through the goal condition (with
    a random choice of which variable's writers the requirement names first)."""
    nvars = len(program.init)
    vs = data.draw(st.lists(st.integers(0, nvars - 1), min_size=1, max_size=2, unique=True))
    vals = [data.draw(st.integers(0, 2)) for _ in vs]

    def holds(s: State) -> bool:  # not all of the chosen variables at their value
        return not all(s[v] == c for v, c in zip(vs, vals, strict=True))

    def goal(s: State) -> list[list[frozenset[int]]]:
        # to violate it, every chosen variable not yet at its value must change
        wrong = [frozenset({v}) for v, c in zip(vs, vals, strict=True) if s[v] != c]
        return [wrong] if holds(s) else []

    inv = Invariant[State]("not all", holds)
    full = check_safety(program, [inv], check_deadlock=True)
    red = check_safety(reduced(program, cycle_proviso=False, goal=goal), [inv], check_deadlock=True)
    # violations alone: states from which none is reachable are not expanded
    alone = check_safety(reduced(program, cycle_proviso=False, goal=goal, deadlocks=False), [inv])
    (expected,) = (f for f in full.results if f.name == "not all")
    assert alone.results[0].verdict == expected.verdict
    for f, r in zip(full.results, red.results, strict=True):
        assert f.verdict == r.verdict, r.name
        if r.trace is not None:
            for a, b in zip(r.trace.states, r.trace.states[1:], strict=False):
                assert b in {t for _, t in program.successors(a)}
            if r.name != "deadlock-free":
                assert not holds(r.trace.states[-1])


class _Lying(Program):
    """Command `a` writes variable 1 but its footprint hides it."""

    def por_groups(self) -> dict[str, Footprint]:
        groups = dict(super().por_groups())
        groups["a"] = Footprint(frozenset({0}), frozenset({0}))
        return groups


def test_the_verdict_comparison_catches_a_lying_footprint() -> None:
    """The soundness tests have teeth: a footprint that omits a write makes the
    reduced search miss a violation that the full search finds."""
    program = _Lying(
        (0, 0),
        (
            Command("a", ((0, 0),), ((0, 1), (1, 1))),
            Command("b", ((1, 0),), ((1, 2),)),
        ),
    )
    never_two = Invariant[State]("x1 != 2", lambda s: s[1] != 2)
    full = check_safety(program, [never_two])
    lied = check_safety(reduced(program, visible={1}), [never_two])
    assert full.results[0].verdict is Verdict.VIOLATED
    assert lied.results[0].verdict is Verdict.HOLDS
