"""The state store of the explicit search.

States arrive as hashable values (the semantics makes them tuples of small
ints with interned parts). The store numbers them in discovery order and keeps,
per state, only the number of its parent: a counterexample is rebuilt on
demand by replaying the successor function along the parent chain, so no step
object is ever stored. Memory per state is therefore the state itself plus one
dict slot and one machine int.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable
from typing import Generic, TypeVar

S = TypeVar("S", bound=Hashable)

NO_PARENT = -1


class StateStore(Generic[S]):
    """Numbered set of visited states with parent pointers and depths."""

    def __init__(self) -> None:
        self._index: dict[S, int] = {}
        self._states: list[S] = []
        self._parent = array("q")
        self._depth = array("l")

    def __len__(self) -> int:
        return len(self._states)

    def __contains__(self, state: object) -> bool:
        return state in self._index

    def add(self, state: S, parent: int, depth: int) -> tuple[int, bool]:
        """The number of `state`, and whether it was new."""
        found = self._index.get(state)
        if found is not None:
            return found, False
        number = len(self._states)
        self._index[state] = number
        self._states.append(state)
        self._parent.append(parent)
        self._depth.append(depth)
        return number, True

    def state(self, number: int) -> S:
        return self._states[number]

    def number(self, state: S) -> int:
        return self._index[state]

    def parent(self, number: int) -> int:
        return self._parent[number]

    def depth(self, number: int) -> int:
        return self._depth[number]

    def path_to(self, number: int) -> list[int]:
        """State numbers from an initial state to `number`, inclusive."""
        path = [number]
        while self._parent[path[-1]] != NO_PARENT:
            path.append(self._parent[path[-1]])
        path.reverse()
        return path
