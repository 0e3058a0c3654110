"""spec/symbolic.py against spec/rules.py, state by state.

For every explicit state reached (a bounded breadth-first part of each plan),
the symbolic actions enabled on its projection lead exactly to the
projections of its explicit successors, the initial projection satisfies
`init`, and `deadlock`/`done` agree. This is the strongest form of "the same
semantics": any guard or update that differs shows up as a missing or extra
successor."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import plans

from cdcheck.lang import ast as A
from cdcheck.spec.model import compile_plan
from cdcheck.spec.symbolic import SymbolicConcerto
from cdcheck.spec.system import ConcertoSystem


def _key(val: dict[str, int | bool]) -> tuple[tuple[str, int | bool], ...]:
    return tuple(sorted(val.items()))


def assert_same_successors(
    plan: A.Plan, max_states: int, profile: str = "maude", bitvec: bool = True
) -> int:
    model = compile_plan(plan, profile)  # type: ignore[arg-type]
    sysm = ConcertoSystem(model)
    sym = SymbolicConcerto(model, bitvec=bitvec)
    atoms = sysm.atoms()
    init = sysm.initial_states()
    assert sym.holds(sym.init, sym.project(sysm.nodes(init[0])))
    seen = set(init)
    todo = deque(init)
    while todo and len(seen) < max_states:
        s = todo.popleft()
        val = sym.project(sysm.nodes(s))
        if val["ovf"]:
            continue
        explicit = {_key(sym.project(sysm.nodes(s2))) for _, s2 in sysm.successors(s)}
        symbolic = {_key(v2) for _, v2 in sym.concrete_successors(val)}
        overflowed = {k for k in symbolic if dict(k)["ovf"]}
        assert explicit - symbolic == set(), (
            f"explicit successors missing symbolically from {sysm.nodes(s)}"
        )
        extra = symbolic - explicit - overflowed
        assert not extra, f"symbolic successors the explicit semantics lacks: {extra}"
        assert sym.holds(sym.deadlock, val) == atoms.deadlock(s)
        assert sym.holds(sym.done, val) == atoms.done(s)
        for _, s2 in sysm.successors(s):
            if s2 not in seen:
                seen.add(s2)
                todo.append(s2)
    return len(seen)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_symbolic_successors_are_the_explicit_ones(plan: A.Plan) -> None:
    assert_same_successors(plan, 50)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(max_nodes=4))
def test_symbolic_successors_many_plans(plan: A.Plan) -> None:
    assert_same_successors(plan, 150)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_symbolic_successors_profile_intended(plan: A.Plan) -> None:
    assert_same_successors(plan, 40, "intended")


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_symbolic_successors_integer_encoding(plan: A.Plan) -> None:
    assert_same_successors(plan, 40, bitvec=False)
