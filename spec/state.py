"""States: hashable tuples of small ints.

A node state (Maude's local configuration) is a `NodeState`; an instance a
`Inst`. Markings are int bit sets over the type's places, transition terms and
endings; the program is a counter into the node's static program; the answer
cache is one int holding two bits per question of the model's universe
(absent / false / true / unknown, see `CACHE_*`); history is a bit set over
questions; the question lists and the inbox are tuples of ints.

A global state is a tuple with one interned node-state id per node (see
`spec.system.ConcertoSystem`): equal node states are stored once, hashing a
global state hashes a few ints, and everything a rule computes on one node is
memoized per node state.

Messages are ints: `q * 4 + tag`, tag 0 for the question `q`, and the cache
code of the value (1 false, 2 true, 3 unknown) for an answer to `q`.
"""

from __future__ import annotations

from typing import NamedTuple

CACHE_ABSENT, CACHE_FALSE, CACHE_TRUE, CACHE_UNKNOWN = 0, 1, 2, 3
"""`CACHE_UNKNOWN`: an answer whose value did not reduce in Maude (a question
about an absent instance, profile `maude`); Maude stores the unreduced term."""

Tri = bool | None
"""A Maude Bool that may not reduce: True, False or None (unknown)."""


class Inst(NamedTuple):
    """One component instance: Maude's `{ type: Ct, queue: Qb, marking: m(Ps, Ts, Tes) }`."""

    type: int
    queue: tuple[tuple[int, int], ...]
    """(push id, behavior) pairs; only the head is active."""
    places: int
    running: int
    endings: int


class Stuck(NamedTuple):
    """An answer whose value did not reduce (profile `maude`): Maude sends the
    unreduced term `localQuestion(q, Is, Cs, RP)`, which embeds the answering
    node's instances, connections and program at that moment. Two such answers
    are equal only if those are; keeping them makes state counts match Maude's."""

    q: int
    node: int
    instances: tuple[Inst | None, ...]
    conns: int
    pc: int


Msg = int | Stuck
"""A message: an int (question or known answer, see module docstring) or a Stuck answer."""


class NodeState(NamedTuple):
    """One node (local configuration); the inventory and program text are static."""

    instances: tuple[Inst | None, ...]
    """Indexed by the node's slots (NodeModel.slots); None = not present."""
    conns: int
    pc: int
    cache: int
    pending: tuple[int, ...]
    outgoing: tuple[int, ...]
    history: int
    inbox: tuple[Msg, ...]
    stuck: tuple[Stuck, ...] = ()
    """Cache entries whose value is an unreduced term (code CACHE_UNKNOWN), by question."""


GlobalState = tuple[int, ...]
"""One interned node-state id per node."""


def cache_get(cache: int, q: int) -> int:
    return (cache >> (2 * q)) & 3 if q >= 0 else CACHE_ABSENT


def cache_set(cache: int, q: int, code: int) -> int:
    return (cache & ~(3 << (2 * q))) | (code << (2 * q))


def tri_of_code(code: int) -> Tri:
    if code == CACHE_TRUE:
        return True
    if code == CACHE_FALSE:
        return False
    return None


def code_of_tri(v: Tri) -> int:
    if v is None:
        return CACHE_UNKNOWN
    return CACHE_TRUE if v else CACHE_FALSE


def msg_question(q: int) -> int:
    return q * 4


def msg_answer(q: int, v: Tri) -> int:
    return q * 4 + code_of_tri(v)
