"""Invariants by a Z3 engine (`--engine`); every counterexample is replayed
through the explicit semantics before it is believed."""

from __future__ import annotations

from functools import partial
from typing import Any

from cdcheck.verify.options import Options
from cdcheck.verify.properties import Goal


def symbolic_check(system: Any, goal: Goal, options: Options) -> tuple[Any, Any, str | None]:
    """One invariant by a Z3 engine (`--engine`; `auto`: k-induction, then PDR).
    Inbox capacities are doubled after an overflow (twice); a counterexample is
    replayed through the explicit semantics and must violate the property there."""
    from cdcheck.checker import ltl as L
    from cdcheck.checker import smt
    from cdcheck.checker.search import PropertyResult, Stats, Trace, Verdict
    from cdcheck.spec.symbolic import AtomNames, SymbolicConcerto, SymbolicUnsupported, replay

    engines = ["kind", "pdr"] if options.engine == "auto" else [options.engine]
    names = AtomNames(system.atoms())
    timeout = options.timeout or 120.0
    result: Any = None
    formula = L.Not(L.Atom("deadlock")) if goal.deadlock else L.invariant_of(goal.formula)
    for scale in (1, 2, 4):
        for engine in engines:
            try:  # Spacer generalizes over integers, the others bit-blast
                sym = SymbolicConcerto(system.model, scale, bitvec=engine not in ("pdr", "houdini"))
            except SymbolicUnsupported as exc:
                return PropertyResult(goal.prop.name, Verdict.UNKNOWN, reason=str(exc)), None, None
            prop = smt.state_formula(formula, partial(symbolic_atom, sym, names))
            result = smt.run(
                engine, sym, prop, depth=options.depth, escape=sym.overflow, timeout=timeout
            )
            if result.verdict is not Verdict.UNKNOWN:
                break
        if not (result.verdict is Verdict.UNKNOWN and result.trace):
            break
    stats = Stats(0, 0, result.depth, 0, result.seconds, 0.0, result.verdict is not Verdict.UNKNOWN)
    if result.verdict is Verdict.VIOLATED:
        run = replay(system, sym, result.trace)
        last = run[-1][1]
        bad = system.atoms().deadlock(last) if goal.deadlock else not goal.predicate(last)
        if not bad:
            raise AssertionError(f"{goal.prop.name}: replayed symbolic trace does not violate it")
        trace = Trace(tuple(s for _, s in run), tuple(step for step, _ in run[1:]))
        reason = f"found by {result.engine} (replayed)"
        return PropertyResult(goal.prop.name, Verdict.VIOLATED, trace, reason), stats, None
    if result.verdict is Verdict.HOLDS:
        proved = f"proved by {result.engine}"
        certificate = f"{goal.prop.name}: {proved}; certificate:\n{result.certificate}"
        return PropertyResult(goal.prop.name, Verdict.HOLDS, reason=proved), stats, certificate
    return PropertyResult(goal.prop.name, Verdict.UNKNOWN, reason=result.reason), stats, None


def symbolic_atom(sym: Any, names: Any, atom: Any) -> Any:
    return sym.atom(str(atom), names)
