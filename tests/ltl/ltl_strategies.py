"""Hypothesis strategies shared by the LTL tests: formulas and lasso words."""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from cdcheck.checker import ltl_ast as A
from cdcheck.checker.ltl_eval import LassoWord

ATOMS = (A.Atom("a"), A.Atom("b"), A.Atom("c"))
UNARY = (A.Not, A.Next, A.Globally, A.Finally)
BINARY = (
    A.And,
    A.Or,
    A.Implies,
    A.Equiv,
    A.Xor,
    A.Until,
    A.Release,
    A.WeakUntil,
    A.StrongRelease,
)


def leaves(atoms: tuple[A.Atom, ...] = ATOMS) -> st.SearchStrategy[A.Formula]:
    return st.one_of(st.sampled_from(atoms), st.sampled_from((A.TRUE, A.FALSE)))


@cache
def formulas(depth: int = 5, atoms: tuple[A.Atom, ...] = ATOMS) -> st.SearchStrategy[A.Formula]:
    """Random formulas of syntax-tree depth at most `depth`, using every operator."""
    if depth == 0:
        return leaves(atoms)
    sub = formulas(depth - 1, atoms)
    unary = st.sampled_from(UNARY).flatmap(lambda op: sub.map(op))
    binary = st.sampled_from(BINARY).flatmap(
        lambda op: st.tuples(sub, sub).map(lambda lr: op(lr[0], lr[1]))
    )
    return st.one_of(st.sampled_from(atoms), unary, binary, leaves(atoms))


def valuations(atoms: tuple[A.Atom, ...] = ATOMS) -> st.SearchStrategy[frozenset[A.Atom]]:
    return st.frozensets(st.sampled_from(atoms))


def words(atoms: tuple[A.Atom, ...] = ATOMS) -> st.SearchStrategy[LassoWord]:
    """Ultimately periodic words: a prefix of 0-4 letters and a loop of 1-4."""
    return st.builds(
        LassoWord,
        st.lists(valuations(atoms), max_size=4).map(tuple),
        st.lists(valuations(atoms), min_size=1, max_size=4).map(tuple),
    )
