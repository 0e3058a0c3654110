"""How results read: the formula shown, the fairness note, each step's
description, why a lasso's cycle goes on, a state as named variables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from cdcheck.verify.properties import Property


def atom_values(formula: Any, atoms: Any, state: Any) -> list[str]:
    """The value of each atom of a violated invariant in the violating state."""
    from cdcheck.checker import ltl as L

    values = [
        f"{atom} = {str(bool(atoms.compile(str(atom))(state))).lower()}"
        for atom in sorted(L.atoms(formula), key=str)
    ]
    return ["in the last state: " + ", ".join(values)] if values else []


def fairness_note(fair: str) -> str:
    notes = {"nodes": "   [weak fairness per node]", "steps": "   [weak fairness per step]"}
    return notes.get(fair, "")


def merge_stats(stats: list[Any]) -> Any:
    """Figures of the whole run: the largest search, the time of all of them."""
    from cdcheck.checker.search import Stats

    unique = list({id(s): s for s in stats}.values())
    if not unique:
        return Stats(0, 0, 0, 0, 0.0, 0.0, True)
    largest = max(unique, key=lambda s: s.states)
    return replace(
        largest,
        depth=max(s.depth for s in unique),
        seconds=sum(s.seconds for s in unique),
        memory_mb=max(s.memory_mb for s in unique),
        complete=all(s.complete for s in unique),
    )


def describe_with_stutter(system: Any) -> Callable[[Any, Any, Any], Any]:
    from cdcheck.checker.emptiness import STUTTER
    from cdcheck.spec.describe import changes
    from cdcheck.spec.system import StepView

    def describe(step: Any, before: Any, after: Any) -> Any:
        if step is STUTTER:
            return StepView("(stutter)", (), "no step is possible: the run stays here", ())
        view = system.describe(step, before, after)
        return replace(view, changes=tuple(changes(system, before, after)))

    return describe


def starvation_explainer(system: Any, trace: Any, fair: str) -> Callable[[Any], Sequence[str]]:
    """Why the cycle of a lasso goes on forever: who moves, who starves, who
    is stuck; the advice names only a fairness that would change the verdict
    (`spec.diagnose.explain_cycle`)."""
    from cdcheck.checker.emptiness import STUTTER
    from cdcheck.spec.diagnose import explain_blocked, explain_cycle

    def explain(_last: Any) -> list[str]:
        start = trace.loop_start
        cycle_states = trace.states[start:-1] or trace.states[-1:]
        cycle_steps = [st for st in trace.steps[start:] if st is not STUTTER]
        if not cycle_steps:
            blocked = explain_blocked(system, trace.states[-1])
            return ["the run ends in a state without successors:"] + [f"  {b}" for b in blocked]
        return explain_cycle(system, cycle_states, cycle_steps, fair)

    return explain


QUIET_RULES = frozenset({"SendQuestion", "ReceiveQuestion", "SendAnswer", "ReceiveAnswer"})


def shown_formula(prop: Property) -> str:
    if prop.name == "port-consistency" and prop.origin == "default":
        return "G (for every connection: active(user port) -> active(provide port))"
    return prop.formula


def state_view(system: Any, state: Any) -> dict[str, Any]:
    """A state as named variables (for ITF traces): per node and per instance."""
    from cdcheck.spec.model import bits

    m = system.model
    view: dict[str, Any] = {}
    for n, nm in enumerate(m.nodes):
        s = system.node(state, n)
        view[f"{nm.name}.pc"] = s.pc
        view[f"{nm.name}.next"] = (
            nm.program[s.pc].text if s.pc < len(nm.program) else "(program finished)"
        )
        view[f"{nm.name}.connections"] = frozenset(m.conn_text(c) for c in bits(s.conns))
        view[f"{nm.name}.inbox"] = [system.msg_text(x) for x in s.inbox]
        for slot, inst in enumerate(s.instances):
            name = m.instances[nm.slots[slot]]
            view[name] = "absent" if inst is None else system.inst_text(inst)
    return view
