"""Re-checking a lasso counterexample against the system it claims to be a run of.

Generic over any transition system (checker/system.py): a lasso (prefix,
then a cycle repeated for ever, `search.Trace` with `loop_start`) is a run
when its first state is initial, every step is a successor the system
offers, and the cycle closes. Under weak fairness, with `group` mapping a
step to its fairness class (the process that takes it for fairness per
process, the step itself for fairness per step, None for no class), the
cycle is fair when every class enabled in *every* state of the cycle is
taken by one of its steps. The stutter step of the emptiness check
(`emptiness.STUTTER`) is a run's way to go on from a state without
successors; it belongs to no class.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from .emptiness import STUTTER
from .search import PropertyResult, Trace, Verdict

S = TypeVar("S", bound=Hashable)
A = TypeVar("A")

Group = Callable[[Any], Hashable | None]


class _Runnable(Protocol[S]):
    def initial_states(self) -> Iterable[S]: ...

    def successors(self, s: S) -> Iterable[tuple[Any, S]]: ...


def lasso_problem(
    system: _Runnable[S], trace: Trace[S, A], group: Group | None = None
) -> str | None:
    """Why `trace` is not a (weakly fair, when `group` is given) lasso of
    `system`, or None when it is one."""
    if trace.loop_start is None:
        return "the trace has no cycle"
    if len(trace.states) != len(trace.steps) + 1:
        return f"{len(trace.states)} states for {len(trace.steps)} steps"
    start = trace.loop_start
    if not 0 <= start < len(trace.steps):
        return f"the cycle starts at step {start + 1} of {len(trace.steps)}: it is empty"
    if trace.states[0] not in set(system.initial_states()):
        return "the first state is not initial"
    for i, step in enumerate(trace.steps):
        before, after = trace.states[i], trace.states[i + 1]
        succ = list(system.successors(before))
        if step is STUTTER:
            if succ:
                return f"step {i + 1} stutters in a state with successors"
            if after != before:
                return f"step {i + 1} stutters to another state"
        elif not any(a == step and t == after for a, t in succ):
            return f"step {i + 1} ({step!r}) is not a successor of the state before it"
    if trace.states[-1] != trace.states[start]:
        return "the cycle does not close: its last state is not its first"
    if group is None:
        return None
    taken = {group(a) for a in trace.steps[start:] if a is not STUTTER}
    enabled: set[Hashable] | None = None
    for s in trace.states[start:-1]:
        here = {group(a) for a, _ in system.successors(s)}
        enabled = here if enabled is None else enabled & here
    starved = sorted(
        (repr(k) for k in (enabled or set()) - taken if k is not None),
    )
    if starved:
        return (
            f"the cycle is not weakly fair: {', '.join(starved)} "
            "enabled in every state of the cycle, never taken on it"
        )
    return None


def rechecked(
    result: PropertyResult[S, A], system: _Runnable[S], group: Group | None = None
) -> PropertyResult[S, A]:
    """`result` when it has no lasso or its lasso passes `lasso_problem` on
    `system` (the semantics it is shown on), else the verdict UNKNOWN with the
    reason: an unchecked lasso is never printed as a violation."""
    trace = result.trace
    if trace is None or trace.loop_start is None:
        return result
    problem = lasso_problem(system, trace, group)
    if problem is None:
        return result
    return replace(
        result,
        verdict=Verdict.UNKNOWN,
        trace=None,
        reason=f"internal error: the lasso found fails its re-check ({problem})",
    )
