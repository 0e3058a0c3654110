"""The automaton accepts a lasso word exactly when the evaluator says the formula holds on it."""

from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ltl_strategies import formulas, words

from cdcheck.checker import ltl_ast as A
from cdcheck.checker.buchi import (
    Buchi,
    accepts,
    accepts_state_based,
    degeneralize,
    guard_text,
    matches,
    translate,
)
from cdcheck.checker.ltl_eval import LassoWord, evaluate
from cdcheck.checker.ltl_parse import parse

WORDS_PER_FORMULA = 5


@lru_cache(maxsize=4096)
def _aut(f: A.Formula, simplified: bool = True) -> Buchi:
    return translate(f, simplified=simplified)


def _check(f: A.Formula, ws: list[LassoWord]) -> None:
    aut = _aut(f)
    for w in ws:
        expected = evaluate(f, w)
        assert accepts(aut, w) == expected, (A.to_text(f), w, aut.describe())


_pairs = st.tuples(
    formulas(), st.lists(words(), min_size=WORDS_PER_FORMULA, max_size=WORDS_PER_FORMULA)
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pairs)
def test_automaton_agrees_with_evaluator(pair: tuple[A.Formula, list[LassoWord]]) -> None:
    """200 formulas x 5 words = 1,000 (formula, word) pairs."""
    _check(*pair)


@pytest.mark.slow
@settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pairs)
def test_automaton_agrees_with_evaluator_slow(pair: tuple[A.Formula, list[LassoWord]]) -> None:
    """4,000 formulas x 5 words = 20,000 pairs."""
    _check(*pair)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas(depth=4), st.lists(words(), min_size=3, max_size=3))
def test_unsimplified_translation_and_negation(f: A.Formula, ws: list[LassoWord]) -> None:
    """The construction alone (no rewriting) is right too, and A(f), A(!f) split every word."""
    raw = _aut(f, simplified=False)
    neg = _aut(A.Not(f))
    for w in ws:
        expected = evaluate(f, w)
        assert accepts(raw, w) == expected
        assert accepts(neg, w) != expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas(depth=4), st.lists(words(), min_size=3, max_size=3))
def test_degeneralized_automaton_accepts_the_same_words(f: A.Formula, ws: list[LassoWord]) -> None:
    aut = _aut(f)
    ba = degeneralize(aut)
    for w in ws:
        assert accepts_state_based(ba, w) == accepts(aut, w)


def test_small_automata_have_the_expected_shape() -> None:
    gf = translate(parse("G F p"))
    assert (gf.num_states, gf.num_edges, gf.num_sets) == (1, 2, 1)
    fg = translate(parse("F G p"))
    assert (fg.num_states, fg.num_sets) == (2, 1)
    resp = translate(parse("G (p -> F q)"))
    assert (resp.num_states, resp.num_sets) == (2, 1)
    inv = translate(parse("G !deadlock"))
    assert (inv.num_states, inv.num_sets) == (1, 0)
    assert translate(parse("false")).initial_states() == ()
    assert translate(parse("p & !p")).num_states == 0


def test_successors_api() -> None:
    p = A.Atom("p")
    aut = translate(parse("G F p"))
    (q0,) = aut.initial_states()
    edges = aut.successors(q0)
    assert {e.target for e in edges} == {q0}
    accepting = [e for e in edges if e.marks == frozenset({0})]
    assert len(accepting) == 1
    assert guard_text(accepting[0].guard) == "p"
    assert matches(accepting[0].guard, lambda a: a == p)
    assert not matches(accepting[0].guard, lambda a: False)
    assert all(matches(e.guard, lambda a: True) for e in edges)
    assert "state 0 (initial)" in aut.describe()


def test_guards_use_structured_atoms() -> None:
    aut = translate(parse("G (head(s1) = idb1 -> F done)"))
    texts = {guard_text(e.guard) for q in range(aut.num_states) for e in aut.successors(q)}
    assert any("head(s1) = idb1" in t for t in texts)
    assert aut.atoms == {A.Atom("head", ("s1",), "idb1"), A.Atom("done")}


def test_matches_on_false_and_true_guards() -> None:
    assert not matches((), lambda a: True)
    assert matches((frozenset(),), lambda a: False)


@pytest.mark.parametrize(
    "text",
    ["G F p", "F G p", "G (p -> F q)", "p U q", "G F p & G F q", "!(p U q)", "X X p", "p W q"],
)
def test_every_short_word_on_common_formulas(text: str) -> None:
    """Exhaustive over all lassos with prefix <= 2 and loop <= 2 letters over p, q."""
    p, q = A.Atom("p"), A.Atom("q")
    letters = [frozenset(s) for s in ([], [p], [q], [p, q])]
    f = parse(text)
    aut = translate(f)
    count = 0
    for n_prefix in range(3):
        for n_loop in range(1, 3):
            for combo in _product(letters, n_prefix + n_loop):
                w = LassoWord(tuple(combo[:n_prefix]), tuple(combo[n_prefix:]))
                assert accepts(aut, w) == evaluate(f, w), (text, w)
                count += 1
    assert count == sum(4 ** (a + b) for a in range(3) for b in range(1, 3))


def _product(letters: list[frozenset[A.Atom]], n: int) -> list[list[frozenset[A.Atom]]]:
    out: list[list[frozenset[A.Atom]]] = [[]]
    for _ in range(n):
        out = [[*xs, x] for xs in out for x in letters]
    return out


def test_enabled_edges_for_a_product_step() -> None:
    p = A.Atom("p")
    aut = translate(parse("G F p"))
    (q0,) = aut.initial_states()
    assert len(aut.enabled(q0, lambda a: a == p)) == 2
    assert [e.marks for e in aut.enabled(q0, lambda a: False)] == [frozenset()]


_SMALL = formulas(depth=2)
_RECURRENCES = st.one_of(
    _SMALL.map(lambda x: A.Globally(A.Finally(x))),
    _SMALL.map(lambda x: A.Finally(A.Globally(x))),
    st.tuples(_SMALL, _SMALL).map(lambda ab: A.Globally(A.And(ab[0], A.Finally(ab[1])))),
    _SMALL,
)
_OPS: tuple[type[A.And] | type[A.Or] | type[A.Implies], ...] = (A.And, A.Or, A.Implies)
_FAIRNESS_LIKE = st.tuples(
    st.lists(_RECURRENCES, min_size=1, max_size=4), st.sampled_from(_OPS)
).map(lambda parts_op: _fold(parts_op[1], parts_op[0]))


def _fold(op: type[A.And] | type[A.Or] | type[A.Implies], parts: list[A.Formula]) -> A.Formula:
    out = parts[0]
    for p in parts[1:]:
        out = op(out, p)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_FAIRNESS_LIKE, st.lists(words(), min_size=4, max_size=4))
def test_recurrences_and_persistences(f: A.Formula, ws: list[LassoWord]) -> None:
    """Combinations of G F x, F G x and G (a & F b): the shapes fairness premises take."""
    _check(f, ws)
    neg = _aut(A.Not(f))
    for w in ws:
        assert accepts(neg, w) != evaluate(f, w)


def test_many_recurrences_stay_one_state() -> None:
    fair = " & ".join(f"(F G e{i} -> G F m{i})" for i in range(5))
    aut = translate(parse(f"({fair}) & G !done"))
    assert (aut.num_states, aut.num_sets) == (1, 5)
