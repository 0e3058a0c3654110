"""The state store of the explicit search.

States arrive as hashable values (the semantics makes them tuples of small
ints with interned parts). The store numbers them in discovery order and keeps,
per state, only the number of its parent: a counterexample is rebuilt on
demand by replaying the successor function along the parent chain, so no step
object is ever stored.

Memory is what limits a complete search, so the store keeps as little as it
can per state: one key, one slot in a hash set, one pointer in the list that
numbers them, and two machine ints (parent, depth). There is no map from state
to number: the search only asks whether a state was seen. A system whose
states are always tuples of `width` ints in [0, 2**32) says so (its
`state_width` attribute, see `packed_width`), and the store then keeps each
state packed into a bytes object of 4 * width bytes: 49 bytes for four nodes,
against 88 for the tuple (and 28 more per int above 256 that is not shared).
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar, cast

S = TypeVar("S", bound=Hashable)

NO_PARENT = -1


def packed_width(system: object) -> int | None:
    """The width a system declares for packing (`state_width`), if any."""
    width = getattr(system, "state_width", None)
    return width if isinstance(width, int) and width >= 0 else None


def _identity(x: Any) -> Any:
    return x


class StateStore(Generic[S]):
    """Numbered set of visited states with parent pointers and depths.

    `width`: the states are tuples of that many ints in [0, 2**32), kept
    packed; None keeps states as they are."""

    def __init__(self, width: int | None = None) -> None:
        self._seen: set[Hashable] = set()
        self._keys: list[Hashable] = []
        self._parent = array("q")
        self._depth = array("i")
        self._pack: Callable[[Any], Hashable]
        self._unpack: Callable[[Any], Any]
        if width is None:
            self._pack = self._unpack = _identity
        else:
            codec = struct.Struct(f"<{width}I")
            pack = codec.pack
            self._pack = lambda state: pack(*state)
            self._unpack = codec.unpack

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, state: object) -> bool:
        return self._pack(state) in self._seen

    def add(self, state: S, parent: int, depth: int) -> tuple[int, bool]:
        """`(number, True)` for a new state; `(-1, False)` for one already
        stored (the search never needs its number)."""
        key = self._pack(state)
        seen = self._seen
        if key in seen:
            return -1, False
        seen.add(key)
        number = len(self._keys)
        self._keys.append(key)
        self._parent.append(parent)
        self._depth.append(depth)
        return number, True

    def state(self, number: int) -> S:
        return cast(S, self._unpack(self._keys[number]))

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
