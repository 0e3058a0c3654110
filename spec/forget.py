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

from .model import REFUSING, Model
from .por_groups import STOPS_ASKING
from .state import CACHE_FALSE, CACHE_TRUE, NodeState


def forgettable_answers(model: Model) -> tuple[tuple[int, int], ...]:
    """(question, cache code) pairs a forgetful system forgets (module
    docstring): the answer that keeps its asker asking, except for the refusal
    questions of a provider with several of them (resetState deletes the first
    present one). Unreduced answers (CACHE_UNKNOWN) are never forgotten."""
    out: list[tuple[int, int]] = []
    for q, qq in enumerate(model.questions):
        if qq.kind == REFUSING and len(model.refusing_by_dst(qq.dst)) > 1:
            continue
        stopping = STOPS_ASKING[qq.kind]  # the cached value that stops the asking
        out.append((q, CACHE_TRUE if stopping == CACHE_FALSE else CACHE_FALSE))
    return tuple(out)


def forget_answers(s: NodeState, forgettable: tuple[tuple[int, int], ...]) -> NodeState:
    """`s` with every forgettable cached answer removed."""
    cache = s.cache
    for q, code in forgettable:
        if (cache >> (2 * q)) & 3 == code:
            cache &= ~(3 << (2 * q))
    return s if cache == s.cache else s._replace(cache=cache)
