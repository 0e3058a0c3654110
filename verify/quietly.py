"""Proofs on the quiet system: deadlock freedom, termination and goals under
weak fairness per step, by one reduced deadlock search (docs/quiet.md)."""

from __future__ import annotations

from typing import Any

from cdcheck.verify.properties import Goal, end_state_formula


def decide_quietly(
    system: Any, goals: list[Goal], limits: Any
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Deadlock freedom, termination and `F (G) ψ` under weak fairness per
    step, proved at once on the quiet system (spec.quiet): one search with
    the deadlock-preserving reduction, where every end state must be a
    finished plan satisfying each ψ. Only proofs are taken from it; anything
    else is decided as before, on the exact semantics."""
    from cdcheck.checker import ltl as L
    from cdcheck.checker.por import reduced
    from cdcheck.checker.predicates import compile_predicate
    from cdcheck.checker.search import Invariant, PropertyResult, Verdict, check_safety
    from cdcheck.spec.quiet import QuietSystem, obstacles

    ends = {g.prop.name: end_state_formula(g) for g in goals if not g.is_safety}
    ends = {name: f for name, f in ends.items() if f is not None}
    if not ends:
        return {}, {}, []
    names = ", ".join(f"`{n}`" for n in ends)
    why_not = obstacles(system.model)
    if why_not:
        return {}, {}, [f"{names} not proved on the quiet system (docs/quiet.md): {why_not[0]}"]
    quiet = QuietSystem(system.model)
    atoms = quiet.atoms()
    invariants = [
        Invariant(
            name,
            compile_predicate(L.Implies(L.Atom("done"), f), lambda a: atoms.compile(str(a))),
        )
        for name, f in ends.items()
    ]
    search = check_safety(
        reduced(quiet, cycle_proviso=False),
        invariants,
        check_deadlock=True,
        is_final=atoms.done,
        limits=limits,
    )
    verdicts = {r.name: r.verdict for r in search.results}
    figures = f"{search.stats.states:,} states"
    if verdicts.get("deadlock-free") is not Verdict.HOLDS:
        what = (
            "has a deadlock" if verdicts.get("deadlock-free") is Verdict.VIOLATED else "undecided"
        )
        return {}, {}, [f"quiet system {what} ({figures}): {names} decided on the exact semantics"]
    proved: dict[str, Any] = {}
    for g in goals:
        if g.deadlock or (g.prop.name in ends and verdicts[g.prop.name] is Verdict.HOLDS):
            proved[g.prop.name] = PropertyResult(
                g.prop.name, Verdict.HOLDS, reason="proved on the quiet system"
            )
    shown = ", ".join(f"`{n}`" for n in proved)
    note = (
        f"{shown}: proved on the quiet system, where hosts answer only the awaited value "
        f"({figures}; docs/quiet.md)"
    )
    return proved, dict.fromkeys(proved, search.stats), [note]
