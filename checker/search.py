"""Breadth-first exploration for safety properties.

Generic over any transition system that offers `initial_states()` and
`successors(state)` (pairs of step and next state). One pass checks any number
of invariants and, optionally, deadlock freedom; because the search is
breadth-first, the first violation found for each property has a shortest
counterexample. Limits (states, depth, time, memory) end the search with the
verdict UNKNOWN and an honest account of how far it got, never a silent
"holds".
"""

from __future__ import annotations

import itertools
import os
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

from .store import NO_PARENT, StateStore, packed_width

S = TypeVar("S", bound=Hashable)
A = TypeVar("A")
A_co = TypeVar("A_co", covariant=True)


class Explorable(Protocol[S, A_co]):
    """What the search needs of a transition system (a subset of the full seam)."""

    def initial_states(self) -> Iterable[S]: ...

    def successors(self, state: S) -> Iterable[tuple[A_co, S]]: ...


class Verdict(Enum):
    HOLDS = "holds"
    VIOLATED = "violated"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Limits:
    """Bounds on a search; None means unbounded."""

    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    max_memory_mb: int | None = None


NO_LIMITS = Limits()


@dataclass(frozen=True)
class Invariant(Generic[S]):
    """A named state predicate that must hold in every reachable state."""

    name: str
    holds: Callable[[S], bool]


@dataclass(frozen=True)
class Trace(Generic[S, A]):
    """A run: states[0] is initial, steps[i] leads from states[i] to states[i+1].

    `loop_start` is set for a lasso: the run continues forever by repeating
    steps from states[loop_start] back to it (the last state equals
    states[loop_start]).
    """

    states: tuple[S, ...]
    steps: tuple[A, ...]
    loop_start: int | None = None

    def __len__(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class Stats:
    states: int
    transitions: int
    depth: int
    frontier: int
    seconds: float
    memory_mb: float
    complete: bool
    levels: tuple[int, ...] = ()
    """levels[k] = number of states first reached after exactly k steps."""
    grown_mb: float = 0.0
    """Resident memory gained during the search (the store, mostly)."""

    @property
    def bytes_per_state(self) -> float:
        return self.grown_mb * 2**20 / self.states if self.states else 0.0

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else float(self.states)


@dataclass(frozen=True)
class PropertyResult(Generic[S, A]):
    name: str
    verdict: Verdict
    trace: Trace[S, A] | None = None
    reason: str = ""


@dataclass(frozen=True)
class SearchResult(Generic[S, A]):
    results: tuple[PropertyResult[S, A], ...]
    stats: Stats
    stopped_by: str | None = None
    """Which limit ended the search early, in words; None if it completed."""


DEADLOCK = "deadlock-free"

Progress = Callable[[Stats], None]


def memory_mb() -> float:
    """Resident memory of this process, from /proc (0 where unavailable)."""
    try:
        with open("/proc/self/statm") as fh:
            resident_pages = int(fh.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


@dataclass
class _Run(Generic[S, A]):
    system: Explorable[S, A]
    invariants: Sequence[Invariant[S]]
    check_deadlock: bool
    is_final: Callable[[S], bool]
    limits: Limits
    progress: Progress | None
    progress_every: float
    store: StateStore[S] = field(default_factory=StateStore)
    violations: dict[str, int] = field(default_factory=dict)
    transitions: int = 0
    depth: int = 0
    frontier: int = 0
    started: float = field(default_factory=time.perf_counter)
    start_mb: float = field(default_factory=memory_mb)
    truncated: bool = False
    levels: list[int] = field(default_factory=list)

    def stats(self, complete: bool) -> Stats:
        return Stats(
            states=len(self.store),
            transitions=self.transitions,
            depth=self.depth,
            frontier=self.frontier,
            seconds=time.perf_counter() - self.started,
            memory_mb=(now_mb := memory_mb()),
            complete=complete,
            grown_mb=max(0.0, now_mb - self.start_mb),
            levels=tuple(self.levels),
        )

    def pending(self) -> list[Invariant[S]]:
        return [inv for inv in self.invariants if inv.name not in self.violations]

    def record(self, number: int, state: S) -> None:
        depth = self.store.depth(number)
        if depth == len(self.levels):
            self.levels.append(0)
        self.levels[depth] += 1
        for inv in self.pending():
            if not inv.holds(state):
                self.violations[inv.name] = number

    def all_violated(self) -> bool:
        wanted = len(self.invariants) + (1 if self.check_deadlock else 0)
        return wanted > 0 and len(self.violations) >= wanted

    def limit_reached(self) -> str | None:
        lim = self.limits
        if lim.max_states is not None and len(self.store) >= lim.max_states:
            return f"the state limit ({lim.max_states:,} states) was reached"
        if lim.timeout is not None and time.perf_counter() - self.started > lim.timeout:
            return f"the time limit ({lim.timeout:g} s) was reached"
        if lim.max_memory_mb is not None and memory_mb() > lim.max_memory_mb:
            return f"the memory limit ({lim.max_memory_mb:,} MB) was reached"
        return None

    def explore(self) -> str | None:
        queue: deque[int] = deque()
        for init in self.system.initial_states():
            number, new = self.store.add(init, NO_PARENT, 0)
            if new:
                self.record(number, init)
                queue.append(number)
        last_report = time.perf_counter()
        bound = self.limits.max_depth
        expanded = 0
        while queue and not self.all_violated():
            number = queue.popleft()
            depth = self.store.depth(number)
            self.depth = max(self.depth, depth)
            state = self.store.state(number)
            successors = list(self.system.successors(state))
            if not successors:
                if (
                    self.check_deadlock
                    and DEADLOCK not in self.violations
                    and not self.is_final(state)
                ):
                    self.violations[DEADLOCK] = number
            elif bound is not None and depth >= bound:
                if any(nxt not in self.store for _, nxt in successors):
                    self.truncated = True
            else:
                for _step, nxt in successors:
                    self.transitions += 1
                    child, new = self.store.add(nxt, number, depth + 1)
                    if new:
                        self.record(child, nxt)
                        queue.append(child)
            expanded += 1
            if expanded % 256 == 0:
                self.frontier = len(queue)
                reason = self.limit_reached()
                if reason is not None:
                    return reason
                now = time.perf_counter()
                if self.progress is not None and now - last_report >= self.progress_every:
                    last_report = now
                    self.progress(self.stats(complete=False))
        self.frontier = len(queue)
        return None


def follow(
    system: Explorable[S, A], steps: Sequence[A], stays: Callable[[A], bool] = lambda _a: False
) -> Trace[S, A]:
    """The run of `system` taking `steps` in turn from its first initial state
    that allows them: how a trace found on a bisimilar system with the same
    step labels (a quotient) is shown on the system itself. A step for which
    `stays` holds keeps the state (the stutter of a finished run). A step
    the system does not offer is a bug in that bisimulation: ValueError."""
    for start in system.initial_states():
        states = _walk(system, start, steps, stays)
        if states is not None:
            return Trace(tuple(states), tuple(steps))
    raise ValueError(f"the steps do not replay: {list(steps)!r}")


def follow_lasso(
    system: Explorable[S, A],
    trace: Trace[S, A],
    stays: Callable[[A], bool] = lambda _a: False,
    rounds: int = 64,
) -> Trace[S, A]:
    """`follow` for a lasso: the stem once, then the loop again and again until
    the system comes back to a state it was in at the start of a round (the
    quotient's loop may need several rounds on the system: a forgotten
    answer is remembered after the first). The loop is then those rounds."""
    assert trace.loop_start is not None
    stem, loop = trace.steps[: trace.loop_start], trace.steps[trace.loop_start :]
    prefix = follow(system, stem, stays)
    states, steps = list(prefix.states), list(stem)
    seen = {states[-1]: 0}
    for k in range(1, rounds + 1):
        walked = _walk(system, states[-1], loop, stays)
        if walked is None:
            raise ValueError(f"the loop does not replay: {list(loop)!r}")
        states += walked[1:]
        steps += loop
        start = seen.get(states[-1])
        if start is not None:
            return Trace(tuple(states), tuple(steps), len(stem) + start * len(loop))
        seen[states[-1]] = k
    raise ValueError(f"the loop does not close within {rounds} rounds: {list(loop)!r}")


def _walk(
    system: Explorable[S, A], start: S, steps: Sequence[A], stays: Callable[[A], bool]
) -> list[S] | None:
    states = [start]
    for step in steps:
        if stays(step):
            states.append(states[-1])
            continue
        nxt = next((t for a, t in system.successors(states[-1]) if a == step), None)
        if nxt is None:
            return None
        states.append(nxt)
    return states


def rebuild_trace(system: Explorable[S, A], store: StateStore[S], number: int) -> Trace[S, A]:
    """The path to state `number`, with its steps recomputed from the semantics."""
    path = [store.state(n) for n in store.path_to(number)]
    steps: list[A] = []
    for before, after in itertools.pairwise(path):
        steps.append(find_step(system, before, after))
    return Trace(tuple(path), tuple(steps))


def find_step(system: Explorable[S, A], before: S, after: S) -> A:
    for step, nxt in system.successors(before):
        if nxt == after:
            return step
    raise AssertionError("trace does not replay: no step leads to the recorded successor")


def check_safety(
    system: Explorable[S, A],
    invariants: Sequence[Invariant[S]] = (),
    *,
    check_deadlock: bool = False,
    is_final: Callable[[S], bool] = lambda _s: False,
    limits: Limits = NO_LIMITS,
    progress: Progress | None = None,
    progress_every: float = 0.25,
) -> SearchResult[S, A]:
    """Explore breadth-first; report each invariant (and deadlock freedom).

    A state without successors is a deadlock unless `is_final` says it is a
    proper end (for a plan: every program finished). A violated property gets a
    shortest counterexample. If a limit stops the search, properties not yet
    violated are UNKNOWN, and the reason says which limit and how far it got.
    """
    run: _Run[S, A] = _Run(
        system,
        invariants,
        check_deadlock,
        is_final,
        limits,
        progress,
        progress_every,
        StateStore(packed_width(system)),
    )
    stopped_by = run.explore()
    if stopped_by is None and run.truncated:
        stopped_by = f"the depth bound ({limits.max_depth} steps) was reached"
    everything_violated = run.all_violated() and stopped_by is None
    stats = run.stats(complete=stopped_by is None and not everything_violated)
    names = [inv.name for inv in invariants] + ([DEADLOCK] if check_deadlock else [])
    results: list[PropertyResult[S, A]] = []
    for name in names:
        if name in run.violations:
            trace = rebuild_trace(system, run.store, run.violations[name])
            reason = (
                "a reachable state has no successor and is not final"
                if name == DEADLOCK
                else "a reachable state violates it"
            )
            results.append(PropertyResult(name, Verdict.VIOLATED, trace, reason))
        elif stopped_by is None:
            results.append(PropertyResult(name, Verdict.HOLDS))
        else:
            why = stopped_by
            within = (
                f"no violation within {limits.max_depth} steps"
                if run.truncated
                else f"no violation in the {stats.states:,} states explored"
            )
            results.append(PropertyResult(name, Verdict.UNKNOWN, None, f"{within}; {why}"))
    return SearchResult(tuple(results), stats, stopped_by)


def count_states(system: Explorable[S, Any], limits: Limits = NO_LIMITS) -> Stats:
    """Explore everything and return the figures (used by benchmarks and conformance)."""
    return check_safety(system, limits=limits).stats
