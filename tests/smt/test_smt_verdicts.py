"""Symbolic verdicts against explicit search on generated plans.

For deadlock freedom, port consistency and a random invariant of each plan,
a symbolic verdict that is not unknown equals the explicit one, and every
symbolic counterexample replays through the explicit semantics and ends in a
violating state."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import plans

from cdcheck.checker import ltl as L
from cdcheck.checker import smt
from cdcheck.checker.predicates import compile_predicate
from cdcheck.checker.search import Invariant, Limits, Verdict, check_safety
from cdcheck.lang import ast as A
from cdcheck.spec.model import compile_plan
from cdcheck.spec.suite import port_consistency_formula
from cdcheck.spec.symbolic import AtomNames, SymbolicConcerto, replay
from cdcheck.spec.system import ConcertoSystem


def _atoms_of(sysm: ConcertoSystem) -> list[str]:
    m = sysm.model
    out = ["done"]
    for i, name in enumerate(m.instances):
        if m.instance_type[i] < 0:
            continue
        ty = m.types[m.instance_type[i]]
        out += [f"at({name}, {p})" for p in ty.places]
        out.append(f"exists({name})")
        for t, port, _ in m.ports:
            if t == m.instance_type[i]:
                out += [f"active({name}.{port})", f"refusing({name}.{port})"]
        for pid in m.push_ids:
            out += [f"head({name}) = {pid}", f"queued({name}, {pid})", f"completed({name}, {pid})"]
    for nm in m.nodes:
        out += [f"executed({nm.name}, 1)", f"inbox_empty({nm.name})"]
    return out


def check_agreement(plan: A.Plan, data: Any, engines: tuple[str, ...], timeout: float) -> None:
    model = compile_plan(plan)
    sysm = ConcertoSystem(model)
    atoms = sysm.atoms()
    texts = _atoms_of(sysm)
    a, b = data.draw(st.sampled_from(texts)), data.draw(st.sampled_from(texts))
    shape = data.draw(st.sampled_from(["G !({a})", "G (({a}) -> ({b}))", "G (({a}) | !({b}))"]))
    formulas = {
        "deadlock-free": "G !deadlock",
        "port-consistency": port_consistency_formula(plan),
        "random": shape.format(a=a, b=b),
    }
    names = AtomNames(atoms)
    for name, text in formulas.items():
        f = L.invariant_of(L.parse(text))
        assert f is not None
        deadlock = name == "deadlock-free"
        pred = compile_predicate(f, lambda at: atoms.compile(str(at)))
        search = check_safety(
            sysm,
            [] if deadlock else [Invariant(name, pred)],
            check_deadlock=deadlock,
            is_final=atoms.done,
            limits=Limits(max_states=20_000),
        )
        if search.stopped_by is not None:
            continue
        expected = search.results[0].verdict
        depth = len(search.results[0].trace or ()) if expected is Verdict.VIOLATED else 6
        sym = SymbolicConcerto(model, bitvec=engines != ("houdini",))
        prop = smt.state_formula(f, lambda at, sym=sym: sym.atom(str(at), names))
        for engine in engines:
            r = smt.run(engine, sym, prop, depth=depth, escape=sym.overflow, timeout=timeout)
            if r.verdict is Verdict.UNKNOWN:
                if r.trace:  # an overflow run is still a run of the explicit system
                    replay(sysm, sym, r.trace)
                continue
            assert r.verdict is expected, (name, text, engine, r)
            if r.verdict is Verdict.VIOLATED:
                last = replay(sysm, sym, r.trace)[-1][1]
                assert atoms.deadlock(last) if deadlock else not pred(last)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.data())
def test_symbolic_verdicts_agree(plan: A.Plan, data: Any) -> None:
    check_agreement(plan, data, ("bmc", "kind", "pdr"), timeout=2.0)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.data())
def test_houdini_verdicts_agree(plan: A.Plan, data: Any) -> None:
    check_agreement(plan, data, ("houdini",), timeout=4.0)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.data())
def test_symbolic_verdicts_agree_many(plan: A.Plan, data: Any) -> None:
    check_agreement(plan, data, ("bmc", "kind", "pdr"), timeout=3.0)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(max_nodes=4), st.data())
def test_houdini_verdicts_agree_many(plan: A.Plan, data: Any) -> None:
    check_agreement(plan, data, ("houdini",), timeout=10.0)
