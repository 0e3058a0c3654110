"""Small hand-written transition systems for testing the generic checker."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Counter:
    """x := x + 1 mod n, and optionally a reset to 0: a cycle of n states."""

    n: int
    reset: bool = False

    def initial_states(self) -> Iterable[int]:
        return [0]

    def successors(self, s: int) -> Iterable[tuple[str, int]]:
        yield ("inc", (s + 1) % self.n)
        if self.reset and s:
            yield ("reset", 0)


@dataclass(frozen=True)
class Graph:
    """An explicit graph: edges[s] lists (label, target)."""

    edges: dict[int, list[tuple[str, int]]]
    initial: tuple[int, ...] = (0,)

    def initial_states(self) -> Iterable[int]:
        return self.initial

    def successors(self, s: int) -> Iterable[tuple[str, int]]:
        return self.edges.get(s, [])


@dataclass(frozen=True)
class Mutex:
    """Two processes with a flawed lock (test, then set): both can enter.

    State: (pc0, pc1, lock); pc in {0 idle, 1 checked, 2 critical}.
    """

    def initial_states(self) -> Iterable[tuple[int, int, int]]:
        return [(0, 0, 0)]

    def successors(self, s: tuple[int, int, int]) -> Iterable[tuple[str, tuple[int, int, int]]]:
        pcs, lock = list(s[:2]), s[2]
        for i in (0, 1):
            pc = pcs[i]
            nxt = list(pcs)
            if pc == 0 and lock == 0:
                nxt[i] = 1
                yield (f"p{i}.check", (nxt[0], nxt[1], lock))
            elif pc == 1:
                nxt[i] = 2
                yield (f"p{i}.enter", (nxt[0], nxt[1], 1))
            elif pc == 2:
                nxt[i] = 0
                yield (f"p{i}.leave", (nxt[0], nxt[1], 0))
