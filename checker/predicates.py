"""Propositional LTL formulas as state predicates.

An invariant `G p` is checked state by state, so `p` must become a fast
function of a state. The atoms are resolved by the caller (the model knows what
`at(i, place)` means); this module only builds the boolean structure around
them, once, before the search.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from . import ltl as L

S = TypeVar("S", bound=Hashable)
Predicate = Callable[[S], bool]


def compile_predicate(
    f: L.Formula, atom: Callable[[L.Atom], Callable[[S], bool]]
) -> Callable[[S], bool]:
    """A function of a state that is true exactly where the propositional `f` holds."""
    match f:
        case L.TrueF():
            return lambda _s: True
        case L.FalseF():
            return lambda _s: False
        case L.Atom():
            return atom(f)
        case L.Not(arg=a):
            pa = compile_predicate(a, atom)
            return lambda s: not pa(s)
        case L.And(left=a, right=b):
            pa, pb = compile_predicate(a, atom), compile_predicate(b, atom)
            return lambda s: pa(s) and pb(s)
        case L.Or(left=a, right=b):
            pa, pb = compile_predicate(a, atom), compile_predicate(b, atom)
            return lambda s: pa(s) or pb(s)
        case L.Implies(left=a, right=b):
            pa, pb = compile_predicate(a, atom), compile_predicate(b, atom)
            return lambda s: (not pa(s)) or pb(s)
        case L.Equiv(left=a, right=b):
            pa, pb = compile_predicate(a, atom), compile_predicate(b, atom)
            return lambda s: pa(s) == pb(s)
        case L.Xor(left=a, right=b):
            pa, pb = compile_predicate(a, atom), compile_predicate(b, atom)
            return lambda s: pa(s) != pb(s)
    raise ValueError(f"not a propositional formula: {L.to_text(f)}")
