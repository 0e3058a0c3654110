"""LTL formulas other than invariants: the system the Büchi product explores
and the fairness it is checked under."""

from __future__ import annotations

from typing import Any

from cdcheck.verify.options import Options
from cdcheck.verify.properties import Goal


def maybe_reduced_ltl(system: Any, goal: Goal, options: Options) -> tuple[Any, list[str]]:
    """The system for one LTL property: reduced with `--por` when the reduction
    preserves the property, else itself with a note saying why not.

    Stubborn sets with the visibility and cycle provisos preserve LTL without
    X (stutter-invariant formulas) whose atoms name their footprint keys; they
    do not preserve fairness constraints (a step the reduction postpones along
    a cycle is exactly what fairness is about), nor X.
    """
    from cdcheck.checker import ltl as L
    from cdcheck.checker.por import reduced
    from cdcheck.spec.por_groups import atom_keys

    if not options.por:
        return system, []
    name = goal.prop.name
    if goal.fair != "none":
        return system, [
            f"partial-order reduction not used for `{name}`: it is checked under fairness"
        ]
    if L.has_next(goal.formula):
        return system, [f"partial-order reduction not used for `{name}`: it uses X (next)"]
    visible: set[object] = set()
    for atom in L.atoms(goal.formula):
        keys = atom_keys(system.model, str(atom))
        if keys is None:
            return system, [f"partial-order reduction not used for `{name}`: it uses `{atom}`"]
        visible |= keys
    return reduced(system, visible), []


def node_of(step: Any) -> Any:
    return step.node


def step_identity(step: Any) -> Any:
    return step
