"""One random execution of a plan's semantics (`cdcheck run`)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from cdcheck.spec.system import ConcertoSystem, StepView


@dataclass(frozen=True)
class RunStep:
    """Step `index` (from 1) of the run, as the trace shows it."""

    index: int
    view: StepView


@dataclass(frozen=True)
class RunEnd:
    """How the run ended after `steps` steps: every program and queue done,
    a deadlock (with why each node is blocked), or the step bound."""

    kind: Literal["done", "deadlock", "bound"]
    steps: int
    blocked: tuple[str, ...] = ()
    at_bound: bool = False
    """Done exactly when the bound was reached."""


def random_run(system: ConcertoSystem, seed: int, steps: int) -> Iterator[RunStep | RunEnd]:
    """The steps of one run that picks each successor uniformly with `seed`,
    then how it ended (the last item, always a `RunEnd`)."""
    from cdcheck.spec.diagnose import explain_blocked

    rng = random.Random(seed)
    atoms = system.atoms()
    state = system.initial_states()[0]
    for k in range(1, steps + 1):
        if atoms.done(state):
            yield RunEnd("done", k - 1)
            return
        succ = list(system.successors(state))
        if not succ:
            yield RunEnd("deadlock", k - 1, tuple(explain_blocked(system, state)))
            return
        step, nxt = rng.choice(succ)
        yield RunStep(k, system.describe(step, state, nxt))
        state = nxt
    yield RunEnd("done", steps, at_bound=True) if atoms.done(state) else RunEnd("bound", steps)
