"""Forgetting the cached answers that keep their askers asking.

`isRefusing = true`, `isActive = true`, `isConnected = false`,
`onDisconnect = false` and `isCompleted = false` do not stop a node from
asking again, and no rule can tell them from no answer at all: a guard holds
only when it reduces to true, which an undesired value and a missing one both
prevent (the three-valued `and`, `not` and `implies` of `spec.rules` give
"not true" on both, in isSafeToFire, isConnectedAndAllowed, disconnectPorts
and Waiting), and a collect function asks unless the desired value is cached.
The one reader of presence is resetState, which deletes the *first* present
`isRefusing` entry about a provider: refusal questions of a provider with
several of them keep their answers, and so do unreduced answers.

So replacing a node state by its forgetful form is a bisimulation (same step
labels, to states with the same forgetful forms) that changes no atom: every
verdict is kept, deadlocks and fairness included. What it saves is polling:
a node that asks, hears "not yet" and asks again returns to the state it
asked from (docs/relaxation.md has the figures).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import REFUSING, Model
from .por_groups import STOPS_ASKING
from .state import CACHE_FALSE, NodeState


@dataclass(frozen=True)
class Forgettable:
    """What a forgetful system forgets, as bit masks over the cache (two bits
    per question, `spec.state`): `when_true` marks (with the low bit of its
    field) the questions whose cached `true` is forgotten, `when_false` those
    whose `false` is. Computed once per model, so that forgetting costs a few
    integer operations per interned node state, not a loop over questions."""

    when_true: int = 0
    when_false: int = 0
    low_bits: int = 0
    """The low bit of every question's field."""

    def __bool__(self) -> bool:
        return bool(self.when_true or self.when_false)


def forgettable_answers(model: Model) -> Forgettable:
    """The answers that keep their askers asking (module docstring), except
    for the refusal questions of a provider with several of them (resetState
    deletes the first present one). Unreduced answers (CACHE_UNKNOWN) are
    never forgotten."""
    when_true = when_false = 0
    for q, qq in enumerate(model.questions):
        if qq.kind == REFUSING and len(model.refusing_by_dst(qq.dst)) > 1:
            continue
        if STOPS_ASKING[qq.kind] == CACHE_FALSE:  # a cached true keeps it asking
            when_true |= 1 << (2 * q)
        else:
            when_false |= 1 << (2 * q)
    return Forgettable(when_true, when_false, int("01" * len(model.questions) or "0", 2))


def forget_answers(s: NodeState, forgettable: Forgettable) -> NodeState:
    """`s` with every forgettable cached answer removed."""
    cache = s.cache
    low = cache & forgettable.low_bits
    high = (cache >> 1) & forgettable.low_bits
    # CACHE_FALSE = 0b01 (low bit only), CACHE_TRUE = 0b10 (high bit only)
    hit = (high & ~low & forgettable.when_true) | (low & ~high & forgettable.when_false)
    if not hit:
        return s
    return s._replace(cache=cache & ~(hit | hit << 1))
