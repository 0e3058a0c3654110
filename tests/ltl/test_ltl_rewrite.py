"""NNF and simplification preserve meaning; the formula queries say what they should."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from ltl_strategies import formulas, words

from cdcheck.checker import ltl_ast as A
from cdcheck.checker.ltl_eval import LassoWord, evaluate
from cdcheck.checker.ltl_parse import parse
from cdcheck.checker.ltl_rewrite import is_eventual, is_nnf, is_universal, nnf, simplify


@settings(max_examples=400, deadline=None)
@given(formulas(), words())
def test_nnf_preserves_meaning(f: A.Formula, w: LassoWord) -> None:
    g = nnf(f)
    assert is_nnf(g)
    assert evaluate(g, w) == evaluate(f, w)
    assert evaluate(nnf(f, negate=True), w) != evaluate(f, w)


@settings(max_examples=600, deadline=None)
@given(formulas(), words())
def test_simplify_preserves_meaning(f: A.Formula, w: LassoWord) -> None:
    g = simplify(f)
    assert is_nnf(g)
    assert evaluate(g, w) == evaluate(f, w)


@settings(max_examples=300, deadline=None)
@given(formulas(), words())
def test_pure_eventualities_and_universalities(f: A.Formula, w: LassoWord) -> None:
    # the defining laws: F e == e, G u == u, on the NNF (where the classes are defined)
    g = nnf(f)
    if is_eventual(g):
        assert evaluate(A.Finally(g), w) == evaluate(g, w)
    if is_universal(g):
        assert evaluate(A.Globally(g), w) == evaluate(g, w)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("F F p", "F p"),
        ("G G p", "G p"),
        ("F G F p", "G F p"),
        ("G F G p", "F G p"),
        ("X G F p", "G F p"),
        ("p U true", "true"),
        ("false U p", "p"),
        ("true U p", "F p"),
        ("false R p", "G p"),
        ("p R false", "false"),
        ("p W false", "G p"),
        ("p M true", "F p"),
        ("F (p U q)", "F q"),
        ("G (p R q)", "G q"),
        ("p U F q", "F q"),
        ("p R G q", "G q"),
        ("(p U r) & (q U r)", "(p & q) U r"),
        ("(p U q) | (p U r)", "p U (q | r)"),
        ("(p R q) & (p R r)", "p R (q & r)"),
        ("X p & X q", "X (p & q)"),
        ("G p & G q", "G (p & q)"),
        ("G (p & G q)", "G (p & q)"),
        ("F (p | F q)", "F (p | q)"),
        ("F p | F q", "F (p | q)"),
        ("G F p | G F q", "G F (p | q)"),
        ("F G p & F G q", "F G (p & q)"),
        ("p & !p", "false"),
        ("p | !p", "true"),
        ("!(p -> q)", "p & !q"),
        ("!G F p", "F G !p"),
        ("!(p U q)", "!p R !q"),
        ("!(p W q)", "!p M !q"),
    ],
)
def test_rules(before: str, after: str) -> None:
    assert simplify(parse(before)) == simplify(parse(after))
    assert A.size(simplify(parse(before))) <= A.size(nnf(parse(before)))


def test_simplify_reaches_the_expected_text() -> None:
    assert simplify(parse("G F G F p")) == parse("G F p")
    assert simplify(parse("(p U r) & (q U r)")) == parse("(p & q) U r")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("G !deadlock", True),
        ("G (p -> q)", True),
        ("G p & G (q | r)", True),
        ("G true", True),
        ("G p | G q", False),  # one run must reach two different bad states
        ("!G p", False),  # F !p: liveness
        ("G F p", False),
        ("G X p", False),
        ("p", False),
        ("G p & F q", False),
    ],
)
def test_is_invariant(text: str, expected: bool) -> None:
    f = parse(text)
    assert A.is_invariant(f) is expected
    if expected:
        pred = A.invariant_predicate(f)
        assert A.is_propositional(pred)


def test_invariant_predicate_conjoins_parts() -> None:
    f = parse("G p & G (q | r)")
    assert A.invariant_predicate(f) == parse("p & (q | r)")
    with pytest.raises(ValueError):
        A.invariant_predicate(parse("F p"))


def test_queries() -> None:
    f = parse("G (at(i, up) -> X F done) U q")
    assert A.atoms(f) == {A.Atom("at", ("i", "up")), A.Atom("done"), A.Atom("q")}
    assert A.has_next(f)
    assert not A.has_next(parse("G (p -> F q) & p U q W r M s"))
    assert A.is_propositional(parse("p & !q -> r xor s"))
    assert not A.is_propositional(parse("p & F q"))


@pytest.mark.parametrize(
    ("text", "predicate"),
    [
        ("G !deadlock", "!deadlock"),
        ("!F deadlock", "!deadlock"),
        ("false R p", "p"),
        ("G p & G q", "p & q"),
        ("G (p & G q)", "p & q"),
        ("true", "true"),
        ("G p | G q", None),
        ("G F p", None),
        ("F p", None),
    ],
)
def test_invariant_of(text: str, predicate: str | None) -> None:
    from cdcheck.checker.ltl_rewrite import invariant_of

    got = invariant_of(parse(text))
    if predicate is None:
        assert got is None
    else:
        assert got is not None
        assert simplify(got) == simplify(parse(predicate))
