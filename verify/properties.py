"""The properties of a run: which are chosen, and each compiled to a goal.

A property is a formula with where it is written; a goal is the property
compiled on a transition system: a deadlock search, an invariant's state
predicate, or atom values for the Büchi product (docs/por.md says which
reduction each kind allows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cdcheck.lang import ast as A
from cdcheck.verify.options import Options


@dataclass(frozen=True)
class Property:
    name: str
    formula: str
    file: str
    line: int
    col: int
    origin: str  # "plan", "default" or "command line"


@dataclass(frozen=True)
class Goal:
    prop: Property
    formula: Any
    predicate: Any  # a state predicate for invariants, None otherwise
    deadlock: bool  # `G !deadlock`, decided by the search itself
    valuation: Any = None  # atom values for the automaton, for every other formula
    fair: str = "none"

    @property
    def is_safety(self) -> bool:
        return self.valuation is None


class PropertyError(Exception):
    """A property that cannot be checked: bad formula, unknown atom or name."""


def default_properties(plan: A.Plan) -> list[Property]:
    """deadlock-free, port-consistency and terminates. `terminates` is checked
    under weak fairness per step (see _cmd_check): per-node fairness is too weak
    for it, since a node that keeps answering other nodes' questions counts as
    moving while its own transition starves."""
    from cdcheck.spec.suite import port_consistency_formula

    return [
        Property("deadlock-free", "G !deadlock", plan.path, 1, 1, "default"),
        Property("port-consistency", port_consistency_formula(plan), plan.path, 1, 1, "default"),
        Property("terminates", "F done", plan.path, 1, 1, "default"),
    ]


def select_properties(plan: A.Plan, options: Options) -> list[Property]:
    from cdcheck.lang.diagnostics import did_you_mean

    own = [
        Property(
            p.name.text,
            p.formula,
            p.formula_span.file,
            p.formula_span.line,
            p.formula_span.col,
            "plan",
        )
        for p in plan.properties
    ]
    available = {p.name: p for p in [*default_properties(plan), *own]}
    chosen: list[Property] = []
    for name in options.property or []:
        if name not in available:
            hint = did_you_mean(name, available) or f"known: {', '.join(available)}"
            raise PropertyError(f"cdcheck: error: no property named `{name}` ({hint})")
        chosen.append(available[name])
    for k, text in enumerate(options.ltl or [], start=1):
        chosen.append(Property(f"ltl-{k}", text, "--ltl", 1, 1, "command line"))
    if not chosen:
        chosen = list(available.values())
    return chosen


def compile_property(prop: Property, system: Any) -> Goal:
    from cdcheck.checker import ltl as L
    from cdcheck.checker.predicates import compile_predicate
    from cdcheck.spec.props import AtomError

    offset = L.SourceOffset(prop.file, prop.line, prop.col) if prop.origin == "plan" else None
    label = "--ltl formula" if prop.origin == "command line" else "formula"
    try:
        formula = L.parse(prop.formula)
    except L.LtlError as exc:
        raise PropertyError(L.render_error(exc, prop.formula, offset, label=label)) from None
    atoms = system.atoms()

    def resolve(atom: L.Atom) -> Any:
        try:
            return atoms.compile(str(atom))
        except AtomError as exc:
            start, end = atom.span or (0, len(prop.formula))
            raise PropertyError(
                L.render_error(L.LtlError(str(exc), start, end), prop.formula, offset, label=label)
            ) from None

    for atom in L.atoms(formula):
        resolve(atom)
    if formula == L.Globally(L.Not(L.Atom("deadlock"))):
        return Goal(prop, formula, None, True)
    state_formula = L.invariant_of(formula)
    if state_formula is None:  # not `G p`: the automaton product decides it
        return Goal(prop, formula, None, False, valuation=valuation(resolve))
    predicate = compile_predicate(state_formula, resolve)
    return Goal(prop, formula, predicate, False)


def valuation(resolve: Callable[[Any], Any]) -> Callable[[Any, Any], bool]:
    """Atom values for the automaton, each atom's predicate compiled once."""
    compiled: dict[Any, Any] = {}

    def value(atom: Any, state: Any) -> bool:
        pred = compiled.get(atom)
        if pred is None:
            pred = compiled[atom] = resolve(atom)
        return bool(pred(state))

    return value


def conjunct_goals(goal: Goal, system: Any) -> list[Goal]:
    """An invariant `G (p1 & ... & pk)` as k goals `G pi` named `name#i`
    (the goal itself when it has one conjunct, or is deadlock freedom).

    Why: with the reduction, a search waits for every step that could violate
    one of the invariants it checks (the goal condition of `checker.por`):
    searching each conjunct alone waits for far less. Port consistency of CPS
    with 2 pairs, on the whole plan: 7 searches, 377,394 states in 100 s,
    where one search of the whole did not finish in 10 minutes (with local
    views, 1,728 states)."""
    from cdcheck.checker import ltl as L
    from cdcheck.checker.predicates import compile_predicate

    state_formula = None if goal.deadlock else L.invariant_of(goal.formula)
    parts = conjuncts(state_formula) if state_formula is not None else []
    if len(parts) < 2:
        return [goal]
    atoms = system.atoms()
    return [
        replace(
            goal,
            prop=replace(goal.prop, name=f"{goal.prop.name}#{k}"),
            formula=L.Globally(part),
            predicate=compile_predicate(part, lambda a: atoms.compile(str(a))),
        )
        for k, part in enumerate(parts, 1)
    ]


def conjuncts(f: Any) -> list[Any]:
    """The conjuncts of a state formula, nested `&` flattened, left to right."""
    from cdcheck.checker import ltl as L

    if isinstance(f, L.And):
        return conjuncts(f.left) + conjuncts(f.right)
    return [f]


def on_system(goal: Goal, system: Any) -> Goal:
    """A safety goal with its predicate compiled on `system`'s states."""
    from cdcheck.checker import ltl as L
    from cdcheck.checker.predicates import compile_predicate

    if goal.deadlock:
        return goal
    atoms = system.atoms()
    state_formula = L.invariant_of(goal.formula) or L.TRUE
    return replace(
        goal, predicate=compile_predicate(state_formula, lambda a: atoms.compile(str(a)))
    )


NOT_IN_QUIET = ("deadlock", "inbox_empty")
"""Atoms that read what the quiet system does not keep (successors, inboxes)."""


def kept_by_quiet(formula: Any) -> bool:
    """Does every atom of `formula` read only what the quiet system keeps?"""
    from cdcheck.checker import ltl as L

    return not any(str(a).split("(")[0].strip() in NOT_IN_QUIET for a in L.atoms(formula))


def end_state_formula(goal: Goal) -> Any:
    """ψ when `goal` is `F ψ` or `F G ψ` under weak fairness per step, ψ a
    state formula whose atoms a finished plan can no longer change (every
    atom but the two of `NOT_IN_QUIET`); else None."""
    from cdcheck.checker import ltl as L

    f = goal.formula
    if goal.fair != "steps" or not isinstance(f, L.Finally):
        return None
    inner = f.arg.arg if isinstance(f.arg, L.Globally) else f.arg
    if not L.is_propositional(inner) or not kept_by_quiet(inner):
        return None
    return inner
