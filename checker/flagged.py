"""Invariants under the deadlock-preserving reduction: each violation is
recorded in a flag that stays set, so a stubborn-set search that keeps the
reachable deadlocks also keeps the reachable violations.

Why. The two other ways to preserve an invariant `G p` through stubborn sets
(`checker.por`) put into every stubborn set the steps that may change `p`:
visibility expands such states fully; the goal condition adds the writers
of what must change before `p` can fail, and those wait on the protocol
(answers, other nodes), so the closure grows to most of the plan. Port
consistency of the planner's CPS plan with 3 pairs was undecided after 11
million states that way, while its deadlock search takes 4,662.

What. `Flagged(system, watched)` appends one flag per invariant to each
state (states must be tuples): the flag is set in the first state where the
invariant is false and never cleared. A step that may write a key the
invariant reads also reads and writes the flag's own key (`FLAG, k`): two
such steps no longer commute (the flag remembers the state between them),
every other step leaves the flag alone and commutes as before. Searching
the flagged system with the deadlock-preserving stubborn sets and the cycle
proviso (`reduced(flagged, cycle_proviso=True)`), and checking that no flag
is set, decides the invariants.

Why that is sound. "Flag k is set" is a stable property: once true it stays
true along every path. Take a shortest path w from a state s of the reduced
graph to a flagged state. If the stubborn set T(s) holds a step of w, the
first such step can be moved to the front (D1): its successor is one step
closer. If not, any enabled step t of T(s) stays enabled along w and
commutes with it (D1, D2), so from t(s) the path w leads to t applied to the
end of w, which is flagged too (stability): no farther. The distance never
grows; along a cycle of the reduced graph it would stay the same, but every
such cycle holds a fully expanded state (the cycle proviso), where the first
step of w is in the set. So a flagged state is reached. The argument needs
the flags to commute with steps that do not touch the invariant, which holds
because the invariant reads only its `keys` (the caller's promise, as for the
goal condition) and the flag is set exactly when the invariant is false.

Cost. The search is the deadlock search, plus the orders of steps that touch
one invariant's keys, plus full expansion on cycles. For the planner's
plans, whose reachable graphs have no cycle on the quiet system, each
port-consistency conjunct took as many states as the deadlock search.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from .por import Reducible
from .search import Invariant, PropertyResult, SearchResult, Trace

S = TypeVar("S", bound=tuple[Any, ...])
A = TypeVar("A")
G = TypeVar("G", bound=Hashable)

Key = Hashable

FLAG = "<violation flag>"
"""The first part of a flag's footprint key `(FLAG, k)`; systems' keys are
never such pairs."""


@dataclass(frozen=True)
class Watched(Generic[S]):
    """An invariant to flag: its name, its predicate on the system's states,
    and every footprint key the predicate reads."""

    name: str
    holds: Callable[[S], bool]
    keys: frozenset[Key]


@dataclass(frozen=True)
class _Footprint:
    reads: frozenset[Hashable]
    writes: frozenset[Hashable]


class Flagged(Generic[S, A, G]):
    """`system` with a violation flag per watched invariant (module docstring).
    A state is the system's tuple followed by one 0/1 flag per invariant."""

    def __init__(self, system: Reducible[S, A, G], watched: Sequence[Watched[S]]) -> None:
        self.system = system
        self.watched = tuple(watched)
        width = getattr(system, "state_width", None)
        self.state_width = None if width is None else width + len(self.watched)
        """Packed like the system's states, one more int per flag."""
        self._groups: dict[G, _Footprint] | None = None
        self._touched_by: dict[G, tuple[int, ...]] = {}
        self.inert: Callable[[tuple[Any, ...], G], Iterable[G]] | None = (
            self._inert if hasattr(system, "inert") else None
        )
        """The system's inert conflicts (`checker.por.Reduced`), when it names
        some: which steps can come before which is a property of its runs,
        which the flags do not change."""

    def inner(self, state: tuple[Any, ...]) -> S:
        """The system's state inside a flagged one."""
        return state[: len(state) - len(self.watched)]  # type: ignore[return-value]

    def _flags(self, state: S, before: Iterable[int]) -> tuple[int, ...]:
        return tuple(
            1 if flag or not w.holds(state) else 0
            for flag, w in zip(before, self.watched, strict=True)
        )

    def initial_states(self) -> list[tuple[Any, ...]]:
        none = (0,) * len(self.watched)
        return [(*s, *self._flags(s, none)) for s in self.system.initial_states()]

    def successors(self, state: tuple[Any, ...]) -> list[tuple[A, tuple[Any, ...]]]:
        """Only the invariants whose keys the step's group may write are
        evaluated again: the others read nothing it changes."""
        k = len(self.watched)
        inner, flags = state[: len(state) - k], state[len(state) - k :]
        out = []
        for step, nxt in self.system.successors(inner):  # type: ignore[arg-type]
            after = list(flags)
            for j in self._touched(self.system.group_of(inner, step)):  # type: ignore[arg-type]
                if not after[j] and not self.watched[j].holds(nxt):
                    after[j] = 1
            out.append((step, (*nxt, *after)))
        return out

    def _touched(self, group: G) -> tuple[int, ...]:
        """The watched invariants a step of `group` may change."""
        found = self._touched_by.get(group)
        if found is None:
            writes = self.system.por_groups()[group].writes
            found = tuple(j for j, w in enumerate(self.watched) if writes & w.keys)
            self._touched_by[group] = found
        return found

    def por_groups(self) -> Mapping[G, _Footprint]:
        """The system's groups; one that may write a watched invariant's key
        also reads and writes that invariant's flag."""
        if self._groups is None:
            groups: dict[G, _Footprint] = {}
            for g, fp in self.system.por_groups().items():
                flags = frozenset(
                    (FLAG, k) for k, w in enumerate(self.watched) if fp.writes & w.keys
                )
                groups[g] = _Footprint(fp.reads | flags, fp.writes | flags)
            self._groups = groups
        return self._groups

    def _inert(self, state: tuple[Any, ...], group: G) -> Iterable[G]:
        return self.system.inert(self.inner(state), group)  # type: ignore[attr-defined,no-any-return]

    def group_of(self, state: tuple[Any, ...], step: A) -> G:
        return self.system.group_of(self.inner(state), step)

    def enabling_sets(self, state: tuple[Any, ...], group: G) -> Sequence[Iterable[Key]]:
        """The system's: no flag ever disables a step."""
        return self.system.enabling_sets(self.inner(state), group)

    def invariants(self) -> list[Invariant[tuple[Any, ...]]]:
        """One invariant per watched one, under its name: its flag is unset."""
        first = -len(self.watched)
        return [Invariant(w.name, _unset(first + k)) for k, w in enumerate(self.watched)]

    def unflagged(self, search: SearchResult[Any, A]) -> SearchResult[S, A]:
        """A search of the flagged system with its traces on the system's states."""
        results = tuple(self._unflag(r) for r in search.results)
        return replace(search, results=results)

    def _unflag(self, result: PropertyResult[Any, A]) -> PropertyResult[S, A]:
        if result.trace is None:
            return result
        trace = result.trace
        states = tuple(self.inner(s) for s in trace.states)
        return replace(result, trace=Trace(states, trace.steps, trace.loop_start))


def _unset(index: int) -> Callable[[tuple[Any, ...]], bool]:
    return lambda state: state[index] == 0
