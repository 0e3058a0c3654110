"""Partial-order reduction: strong stubborn sets over transition groups.

Why groups. A stubborn set must speak about transitions that are *not*
enabled yet (a disabled transition can be woken up by another one, and then
it must not be forgotten). Concrete steps only exist once enabled, so the
system names a fixed universe of *transition groups* instead (one per
instance's evolution, per program instruction, per message kind and node,
...), each with a static footprint that covers every step the group can ever
take: the keys it may read (its guard and the data its effect depends on) and
the keys it may write. Two groups are independent when neither writes what the
other reads or writes; the system promises that steps of independent groups
commute and neither disables the other in every state where both are enabled
(enabling is allowed: that is what FIFO head/tail keys rely on, a send to a
non-empty inbox and the receive of its head commute).

The reduction at a state s (Valmari's strong stubborn sets, guard-based as in
LTSmin): start from one enabled group and close the set under

* an enabled group pulls in every group it conflicts with (static, precomputed);
* a disabled group pulls in the writers of one of its *necessary enabling
  sets*, `enabling_sets(s, g)`: each is a set of keys one of which some step
  must write before g can become enabled from s; when the system knows
  several (one per false conjunct of the guard), the closure takes the one
  that adds the fewest enabled steps (LTSmin's heuristic).

Only the enabled steps of the groups in the set are explored. Every seed is
tried and the closure with the fewest enabled steps wins. This preserves every
reachable deadlock (D0-D2). For invariants and stutter-invariant (X-free) LTL
two provisos are added:

* visibility: a group is visible if it may write a key of `visible` (the keys
  the property's atoms read); a closure containing an enabled visible group
  is not used (the state is expanded fully), so a visible step is never
  explored alone while others wait;
* cycle (ignoring) proviso, closed-set form: if a reduced successor has already
  been expanded (or is the state itself), the state is expanded fully. On
  any cycle of the reduced graph, the state expanded last sees its cycle
  successor already expanded, so every cycle holds a fully expanded state
  (C3) — whatever the search order: BFS, DFS or a product with an automaton.

Invariants can instead be checked without visibility and without the cycle
proviso, through a *goal* condition (Valmari's stubborn sets for the
reachability of a goal): at each state where an invariant holds, the set
contains every writer of a key set that every path from the state to a
violation must write (`checker.por_goal` derives them from the formula). If
a violation is reachable, the first step of the set along a path to it can be
moved to the front (D1) and the rest of the path is shorter: by induction a
violation stays reachable in the reduced graph, cycles or not. So when the
set holds no enabled step, no violation is reachable from the state, and a
search for violations alone (`deadlocks=False`) does not expand it.

Decisions are memoized per state (a state expanded once is always expanded
the same way), so replaying a trace (`search.rebuild_trace`) or visiting one
system state from several product states sees one fixed reduced graph, as the
C0-C3 theorem requires (Siegel, CAV 2019, on nested DFS + POR).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from .system import FootprintLike

S = TypeVar("S", bound=Hashable)
A = TypeVar("A")
G = TypeVar("G", bound=Hashable)
"""A transition group's id."""

Key = Hashable

Goal = Callable[[S], Sequence[Sequence[Iterable[Key]]]]
"""Invariants checked by reachability of a violation (see the module
docstring): per state, one requirement per invariant that holds there, each a
list of alternative key sets such that every path from the state to a
violation writes a key of each alternative (`checker.por_goal`)."""


class Reducible(Protocol[S, A, G]):
    """What the reduction needs of a transition system.

    `por_groups()` is the static universe: group id -> footprint covering every
    step of the group in every state. `group_of(s, step)` names the group of a
    step enabled at s. `enabling_sets(s, g)`, for a group with no enabled step
    at s, gives one or more alternative key sets, each such that g cannot
    become enabled from s before some step writes one of its keys (an empty
    set: g can never be enabled again).
    """

    def initial_states(self) -> Iterable[S]: ...

    def successors(self, state: S) -> Iterable[tuple[A, S]]: ...

    def por_groups(self) -> Mapping[G, FootprintLike]: ...

    def group_of(self, state: S, step: A) -> G: ...

    def enabling_sets(self, state: S, group: G) -> Sequence[Iterable[Key]]: ...


@dataclass
class PorStats:
    """How the reduction went, for reports and benchmarks."""

    expanded: int = 0
    """States whose successors were computed (first time only)."""
    reduced: int = 0
    """Of those, states explored through a proper subset of their steps."""
    full_visible: int = 0
    """States expanded fully because every useful closure held a visible step."""
    full_proviso: int = 0
    """States expanded fully by the cycle proviso."""
    pruned: int = 0
    """States not expanded: no invariant can be violated from them (goal condition)."""
    steps_enabled: int = 0
    steps_explored: int = 0


@dataclass(frozen=True)
class _Index:
    """The static part, precomputed once: groups as ints, conflicts, writers."""

    ids: tuple[Hashable, ...]
    number: dict[Hashable, int]
    conflicts: tuple[tuple[int, ...], ...]
    writers: dict[Key, tuple[int, ...]]
    visible: tuple[bool, ...]


def _build_index(groups: Mapping[G, FootprintLike], visible: frozenset[Key]) -> _Index:
    entries = list(groups.items())
    ids: tuple[Hashable, ...] = tuple(g for g, _ in entries)
    number: dict[Hashable, int] = {g: k for k, g in enumerate(ids)}
    readers: dict[Key, list[int]] = {}
    writers: dict[Key, list[int]] = {}
    for k, (_, fp) in enumerate(entries):
        for key in fp.reads:
            readers.setdefault(key, []).append(k)
        for key in fp.writes:
            writers.setdefault(key, []).append(k)
    conflicts: list[tuple[int, ...]] = []
    for k, (_, fp) in enumerate(entries):
        dep: set[int] = set()
        for key in fp.writes:
            dep.update(readers.get(key, ()))
            dep.update(writers.get(key, ()))
        for key in fp.reads:
            dep.update(writers.get(key, ()))
        dep.discard(k)
        conflicts.append(tuple(sorted(dep)))
    vis = tuple(bool(fp.writes & visible) for _, fp in entries)
    return _Index(
        ids,
        number,
        tuple(conflicts),
        {key: tuple(v) for key, v in writers.items()},
        vis,
    )


class Reduced(Generic[S, A, G]):
    """`system` seen through the reduction: same `initial_states`/`successors`
    protocol, so `check_safety` (or any search) runs on it unchanged."""

    def __init__(
        self,
        system: Reducible[S, A, G],
        visible: Iterable[Key] = (),
        *,
        cycle_proviso: bool = True,
        goal: Goal[S] | None = None,
        deadlocks: bool = True,
    ) -> None:
        self.system = system
        self.goal = goal
        self.deadlocks = deadlocks
        """Deadlocks are searched too: a state with enabled steps keeps one (D2).
        Without it, a state where the goal's closure holds no enabled step is
        not expanded at all: no violation is reachable from it."""
        self.state_width = getattr(system, "state_width", None)
        """Same states as the system's: the same packing applies."""
        self.visible = frozenset(visible)
        self.cycle_proviso = cycle_proviso
        self.stats = PorStats()
        self._index = _build_index(system.por_groups(), self.visible)
        self._expanded: set[S] = set()
        self._full: set[S] = set()
        self._wakers_memo: dict[tuple[int, tuple[Iterable[Key], ...]], tuple[tuple[int, ...], ...]]
        self._wakers_memo = {}
        self._writers_memo: dict[frozenset[Key], frozenset[int]] = {}
        self._inert: Callable[[S, G], Iterable[G]] | None = getattr(system, "inert", None)
        self._inert_at: dict[int, frozenset[int]] = {}
        """Optional `inert(s, g)`: groups that conflict with g, enabled at s,
        yet cannot take a step from s before g has taken one; a stubborn set
        holding g need not hold them (D1 only concerns steps taken before
        g's), which cuts the chains of enabling sets a future conflict drags
        in."""

    def initial_states(self) -> Iterable[S]:
        return self.system.initial_states()

    def successors(self, state: S) -> list[tuple[A, S]]:
        succ = list(self.system.successors(state))
        known = state in self._expanded
        if not known:
            self._expanded.add(state)
            self.stats.expanded += 1
            self.stats.steps_enabled += len(succ)
        if len(succ) <= 1 or state in self._full:
            if not known:
                self.stats.steps_explored += len(succ)
            return succ
        chosen = self._choose(state, succ, count=not known)
        if chosen is None:
            return self._expand_fully(state, succ, known)
        out = [pair for pair, keep in zip(succ, chosen, strict=True) if keep]
        if not known and self.cycle_proviso:
            expanded = self._expanded
            if any(nxt == state or nxt in expanded for _, nxt in out):
                self.stats.full_proviso += 1
                return self._expand_fully(state, succ, known)
        if not known:
            self.stats.reduced += 1
            self.stats.steps_explored += len(out)
        return out

    def _expand_fully(self, state: S, succ: list[tuple[A, S]], known: bool) -> list[tuple[A, S]]:
        if not known:
            self._full.add(state)
            self.stats.steps_explored += len(succ)
        return succ

    def _choose(self, state: S, succ: list[tuple[A, S]], count: bool) -> list[bool] | None:
        """Which successors a smallest stubborn set keeps; None: all of them."""
        idx = self._index
        group_of = self.system.group_of
        enabled: dict[int, int] = {}
        tags: list[int] = []
        for step, _ in succ:
            g = idx.number.get(group_of(state, step))
            if g is None:  # a step outside the declared universe: be safe
                return None
            enabled[g] = enabled.get(g, 0) + 1
            tags.append(g)
        if len(enabled) == 1:
            return None
        best: set[int] | None = None
        best_size = len(succ)
        blocked_by_visibility = False
        nes: dict[int, tuple[tuple[int, ...], ...]] = {}
        if self._inert is not None:
            self._inert_at = {}
        goal_closure = self._forced(state, enabled, nes)
        if goal_closure is None:
            if count:
                self.stats.full_visible += 1
            return None
        forced, forced_steps, requirements = goal_closure
        if requirements and not forced_steps and not self.deadlocks:
            # no step of the closure can ever be enabled: no invariant can be
            # violated from here, and nothing else is searched for
            if count:
                self.stats.pruned += 1
            return [False] * len(succ)
        for seed in enabled:
            if idx.visible[seed]:
                blocked_by_visibility = True
                continue
            found = self._closure(state, {seed} | forced, enabled, best_size, nes)
            if found is None:
                continue
            members, size, visible_hit = found
            if visible_hit:
                blocked_by_visibility = True
                continue
            best, best_size = members, size
            if size == 1:
                break
        if best is None:
            if blocked_by_visibility and count:
                self.stats.full_visible += 1
            return None
        return [g in best for g in tags]

    def _forced(
        self, state: S, enabled: dict[int, int], nes: dict[int, tuple[tuple[int, ...], ...]]
    ) -> tuple[set[int], int, int] | None:
        """The groups the goal condition puts in every stubborn set at `state`,
        how many enabled steps they hold, and how many requirements (invariants
        holding at `state`) they answer: for each requirement, the closure
        of the writers of the alternative whose closure holds the fewest enabled
        steps (an alternative that looks cheap may wait on a long chain: a
        program counter, a message). None when every alternative of a
        requirement meets a visible step."""
        if self.goal is None:
            return set(), 0, 0
        forced: set[int] = set()
        steps = 0
        requirements = self.goal(state)
        for alternatives in requirements:
            best: tuple[int, set[int]] | None = None
            for keys in alternatives:
                found = self._closure(state, forced | self._writers(keys), enabled, 1 << 62, nes)
                if found is not None and not found[2] and (best is None or found[1] < best[0]):
                    best = (found[1], found[0])
            if best is None:
                return None
            steps, forced = best
        return forced, steps, len(requirements)

    def _writers(self, keys: Iterable[Key]) -> frozenset[int]:
        """The groups writing one of `keys` (memoized: goal alternatives repeat)."""
        frozen = frozenset(keys)
        found = self._writers_memo.get(frozen)
        if found is None:
            writers = self._index.writers
            found = frozenset(w for key in frozen for w in writers.get(key, ()))
            self._writers_memo[frozen] = found
        return found

    def _closure(
        self,
        state: S,
        start: set[int],
        enabled: dict[int, int],
        bound: int,
        nes: dict[int, tuple[tuple[int, ...], ...]],
    ) -> tuple[set[int], int, bool] | None:
        """The stubborn closure of `start` (a seed and the forced groups), or
        None once it holds `bound` or more enabled steps (it could not beat the
        best one found). The flag says the closure met an enabled visible group
        (then it is useless)."""
        idx = self._index
        members: set[int] = set()
        stack: list[int] = []
        size = 0
        deps: Iterable[int] = start
        while True:
            for h in deps:
                if h in members:
                    continue
                n = enabled.get(h)
                if n is not None:
                    if idx.visible[h]:
                        return members, size, True
                    size += n
                    if size >= bound:
                        return None
                members.add(h)
                stack.append(h)
            if not stack:
                break
            g = stack.pop()
            if g in enabled:
                deps = idx.conflicts[g]
                if self._inert is not None:
                    deps = self._active_conflicts(state, g, deps)
            else:
                alternatives = nes.get(g)
                if alternatives is None:
                    alternatives = nes[g] = self._wakers(state, g)
                deps = _cheapest(alternatives, members, enabled)
        return members, size, False

    def _active_conflicts(self, state: S, g: int, deps: Iterable[int]) -> Iterable[int]:
        """The groups g conflicts with, without those the system says are
        inert at `state` (memoized for the state being reduced)."""
        skip = self._inert_at.get(g)
        if skip is None:
            assert self._inert is not None
            number = self._index.number
            group: G = self._index.ids[g]  # type: ignore[assignment]
            skip = self._inert_at[g] = frozenset(
                number[h] for h in self._inert(state, group) if h in number
            )
        return [h for h in deps if h not in skip] if skip else deps

    def _wakers(self, state: S, g: int) -> tuple[tuple[int, ...], ...]:
        """The writers of each alternative enabling set of disabled group g."""
        idx = self._index
        group: G = idx.ids[g]  # type: ignore[assignment]  # the ids are por_groups()'s keys
        sets = self.system.enabling_sets(state, group)
        memo_key = (g, tuple(sets))
        cached = self._wakers_memo.get(memo_key)
        if cached is not None:
            return cached
        found: list[tuple[int, ...]] = []
        for keys in sets:
            out: set[int] = set()
            for key in keys:
                out.update(idx.writers.get(key, ()))
            out.discard(g)
            found.append(tuple(sorted(out)))
        if not found:
            raise ValueError(f"no enabling set for the disabled group {idx.ids[g]!r}")
        result = self._wakers_memo[memo_key] = tuple(found)
        return result


def _cheapest(
    alternatives: tuple[tuple[int, ...], ...], members: set[int], enabled: dict[int, int]
) -> tuple[int, ...]:
    """The alternative adding the fewest enabled steps, then the fewest groups."""
    if len(alternatives) == 1:
        return alternatives[0]
    best = alternatives[0]
    best_cost = (1 << 62, 0)
    for alt in alternatives:
        steps = groups = 0
        for h in alt:
            if h not in members:
                groups += 1
                steps += enabled.get(h, 0)
        cost = (steps, groups)
        if cost < best_cost:
            best, best_cost = alt, cost
    return best


def reduced(
    system: Reducible[S, A, G],
    visible: Iterable[Key] = (),
    *,
    cycle_proviso: bool = True,
    goal: Goal[S] | None = None,
    deadlocks: bool = True,
) -> Reduced[S, A, G]:
    """`system` under partial-order reduction (see the module docstring).

    `visible`: the footprint keys read by the property's atoms (empty for
    deadlock freedom alone). `cycle_proviso` may be switched off when nothing
    but deadlocks is checked (stubborn sets preserve deadlocks without it), or
    when invariants are checked through `goal` instead of `visible`.
    `deadlocks=False` (with `goal`): the search looks for violations of the
    invariants only, so states from which none is reachable are not expanded.
    """
    return Reduced(system, visible, cycle_proviso=cycle_proviso, goal=goal, deadlocks=deadlocks)
