"""The LTL parser: every operator, Spot's priorities, atoms, errors with carets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ltl_strategies import formulas, words

from cdcheck.checker import ltl_ast as A
from cdcheck.checker.ltl_eval import LassoWord, evaluate
from cdcheck.checker.ltl_parse import LtlError, SourceOffset, parse, render_error, tokenize

a, b, c, d = (A.Atom(n) for n in "abcd")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", A.TRUE),
        ("TRUE", A.TRUE),
        ("1", A.TRUE),
        ("false", A.FALSE),
        ("False", A.FALSE),
        ("0", A.FALSE),
        ("!a", A.Not(a)),
        ("~a", A.Not(a)),
        ("a & b", A.And(a, b)),
        ("a && b", A.And(a, b)),
        ("a /\\ b", A.And(a, b)),
        ("a | b", A.Or(a, b)),
        ("a || b", A.Or(a, b)),
        ("a \\/ b", A.Or(a, b)),
        ("a -> b", A.Implies(a, b)),
        ("a => b", A.Implies(a, b)),
        ("a --> b", A.Implies(a, b)),
        ("a <-> b", A.Equiv(a, b)),
        ("a <=> b", A.Equiv(a, b)),
        ("a <--> b", A.Equiv(a, b)),
        ("a xor b", A.Xor(a, b)),
        ("a ^ b", A.Xor(a, b)),
        ("X a", A.Next(a)),
        ("F a", A.Finally(a)),
        ("<> a", A.Finally(a)),
        ("G a", A.Globally(a)),
        ("[] a", A.Globally(a)),
        ("a U b", A.Until(a, b)),
        ("a R b", A.Release(a, b)),
        ("a V b", A.Release(a, b)),
        ("a W b", A.WeakUntil(a, b)),
        ("a M b", A.StrongRelease(a, b)),
        ("(a)", a),
        ("((a))", a),
    ],
)
def test_every_operator_and_spelling(text: str, expected: A.Formula) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # -> and <-> share the loosest level and group to the right
        ("a -> b -> c", A.Implies(a, A.Implies(b, c))),
        ("a <-> b -> c", A.Equiv(a, A.Implies(b, c))),
        ("a -> b <-> c", A.Implies(a, A.Equiv(b, c))),
        # | looser than xor looser than &
        ("a | b & c", A.Or(a, A.And(b, c))),
        ("a & b | c", A.Or(A.And(a, b), c)),
        ("a xor b & c", A.Xor(a, A.And(b, c))),
        ("a | b xor c", A.Or(a, A.Xor(b, c))),
        ("a | b -> c", A.Implies(A.Or(a, b), c)),
        # & | xor group to the left
        ("a & b & c", A.And(A.And(a, b), c)),
        ("a | b | c", A.Or(A.Or(a, b), c)),
        ("a xor b xor c", A.Xor(A.Xor(a, b), c)),
        # U R W M: tighter than &, one level, to the right
        ("a & b U c", A.And(a, A.Until(b, c))),
        ("a U b & c", A.And(A.Until(a, b), c)),
        ("a U b U c", A.Until(a, A.Until(b, c))),
        ("a U b R c", A.Until(a, A.Release(b, c))),
        ("a W b M c", A.WeakUntil(a, A.StrongRelease(b, c))),
        # prefix operators bind tightest
        ("!a U b", A.Until(A.Not(a), b)),
        ("F a U b", A.Until(A.Finally(a), b)),
        ("G a & b", A.And(A.Globally(a), b)),
        ("X a -> b", A.Implies(A.Next(a), b)),
        ("! a & b", A.And(A.Not(a), b)),
        ("G F a", A.Globally(A.Finally(a))),
        ("!G !a", A.Not(A.Globally(A.Not(a)))),
        ("[]<>a", A.Globally(A.Finally(a))),
        ("G(a -> F b)", A.Globally(A.Implies(a, A.Finally(b)))),
    ],
)
def test_precedence_and_associativity(text: str, expected: A.Formula) -> None:
    assert parse(text) == expected


def test_spot_compact_prefix_operators() -> None:
    # Spot: a word starting with F, G or X not followed by a digit is that operator.
    assert parse("GFa") == A.Globally(A.Finally(a))
    assert parse("FINISHED") == A.Finally(A.Atom("INISHED"))
    assert parse("XGa") == A.Next(A.Globally(a))
    # ... but followed by a digit it is an atom
    assert parse("X1 & F2 & G0") == A.And(A.And(A.Atom("X1"), A.Atom("F2")), A.Atom("G0"))
    # other capitalised words are atoms
    assert parse("Up U Running") == A.Until(A.Atom("Up"), A.Atom("Running"))


def test_structured_atoms() -> None:
    assert parse("deadlock") == A.Atom("deadlock")
    assert parse("at(i, place)") == A.Atom("at", ("i", "place"))
    assert parse("active(i.port)") == A.Atom("active", ("i.port",))
    assert parse("connected(i.use, j.provide)") == A.Atom("connected", ("i.use", "j.provide"))
    assert parse("head(sensor1) = idb1") == A.Atom("head", ("sensor1",), "idb1")
    assert parse("mode = 3") == A.Atom("mode", (), "3")
    assert parse("completed(listener1, idb4)") == A.Atom("completed", ("listener1", "idb4"))
    assert parse("executed(node2, 3)") == A.Atom("executed", ("node2", "3"))
    # argument and value positions never split F/G/X words
    assert parse("at(Gateway, Xfer) = Fine") == A.Atom("at", ("Gateway", "Xfer"), "Fine")


def test_atom_text_and_spans() -> None:
    text = "G (head(sensor1) = idb1 -> F done)"
    f = parse(text)
    assert isinstance(f, A.Globally) and isinstance(f.arg, A.Implies)
    atom = f.arg.left
    assert isinstance(atom, A.Atom)
    assert str(atom) == "head(sensor1) = idb1"
    assert atom.span is not None
    assert text[atom.span[0] : atom.span[1]] == "head(sensor1) = idb1"
    done = f.arg.right
    assert isinstance(done, A.Finally) and isinstance(done.arg, A.Atom)
    assert done.arg.span == (text.index("done"), text.index("done") + 4)


def test_quoted_atoms() -> None:
    q = parse('"a <= b + c"')
    assert q == A.Atom("a <= b + c", quoted=True)
    assert str(q) == '"a <= b + c"'
    assert parse('"G" U "x\\"y"') == A.Until(A.Atom("G", quoted=True), A.Atom('x"y', quoted=True))
    # as in Spot, a quoted plain name is that plain atom
    assert parse('"p" & p') == A.And(A.Atom("p"), A.Atom("p"))


def _error(text: str) -> LtlError:
    with pytest.raises(LtlError) as info:
        parse(text)
    return info.value


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("G (p -> )", 8, "expected a formula after `->`"),
        ("p &", 3, "expected a formula after `&`"),
        ("(a & b", 0, "this `(` is never closed"),
        ("a b", 2, "expected an operator"),
        ("a)", 1, "unmatched `)`"),
        ("& a", 0, "`&` needs a formula on its left"),
        ("U a", 0, "`U` needs a formula on its left"),
        ("at(i,", 5, "expected an argument"),
        ("at(i,)", 5, "expected an argument"),
        ("f(a b)", 4, "expected `,` or `)`"),
        ("head(s) =", 9, "expected a value"),
        ("G ()", 2, "empty parentheses"),
        ("", 0, "empty formula"),
        ("   ", 0, "empty formula"),
        ("p $ q", 2, "unexpected character `$`"),
        ("3", 0, "a number is not a formula"),
        ('"abc', 0, "never closed"),
        ("12ab", 0, "is not a name"),
        ("p = = q", 4, "expected a value"),
        ("p & (q, r)", 6, "`,` may only separate"),
        ("G = p", 2, "expected a formula after `G`, found `=`"),
        ("p & = q", 4, "expected a formula after `&`"),
        ("(p) = q", 4, "`=` may only follow"),
    ],
)
def test_errors_point_at_the_culprit(text: str, column: int, message: str) -> None:
    err = _error(text)
    assert message in err.message
    assert err.start == column


def test_render_error_draws_a_caret() -> None:
    err = _error("G (p -> )")
    shown = render_error(err, "G (p -> )")
    lines = shown.splitlines()
    assert lines[0].startswith("error: expected a formula after `->`")
    assert lines[1] == "  G (p -> )"
    assert lines[2] == "  " + " " * 8 + "^"


def test_render_error_with_a_file_offset() -> None:
    text = "G (at(i, up) -> F done) & (p"
    err = _error(text)
    shown = render_error(err, text, SourceOffset("plan.cd", line=12, col=17))
    head = shown.splitlines()[0]
    assert head == "plan.cd:12:43: error: this `(` is never closed"
    # second line of a multi-line formula: the column is that line's own
    text2 = "G (p ->\n   )"
    err2 = _error(text2)
    head2 = render_error(err2, text2, SourceOffset("f.cd", line=3, col=10)).splitlines()
    assert head2[0] == "f.cd:4:4: error: expected a formula after `->`, found `)`"
    assert head2[1] == "     )"
    assert head2[2] == "     ^"


def test_tokenize_spans_are_exact() -> None:
    text = "a <-> [] b"
    toks = tokenize(text)
    assert [(t.type, text[t.start_pos : t.end_pos]) for t in toks] == [
        ("NAME", "a"),
        ("EQUIV", "<->"),
        ("GLOBALLY", "[]"),
        ("NAME", "b"),
    ]


@settings(max_examples=300, deadline=None)
@given(formulas())
def test_print_then_parse_is_identity(f: A.Formula) -> None:
    assert parse(A.to_text(f)) == f


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "b(",
                ")",
                ",",
                "=",
                "1",
                "&",
                "|",
                "->",
                "<->",
                "!",
                "G",
                "F",
                "X",
                "U",
                "R",
                "W",
                "M",
                "xor",
                "(",
                "[]",
                "<>",
                '"q"',
                "x.y",
                " ",
                "$",
                "~",
                "7",
                "[",
                "]",
                ":",
                "X[2]",
                "F[1:",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_any_text_parses_or_fails_with_ltl_error(text: str) -> None:
    try:
        f = parse(text)
    except LtlError as err:
        assert 0 <= err.start <= len(text)
        assert err.end > err.start
        assert render_error(err, text)
    else:
        assert parse(A.to_text(f)) == f


@pytest.mark.parametrize(
    "text",
    ["(" * 3000 + "p" + ")" * 3000, "!" * 5000 + "p", " & ".join(["p"] * 5000), "G " * 300 + "p"],
)
def test_too_deep_is_an_error_not_a_crash(text: str) -> None:
    err = _error(text)
    assert "nested too deeply" in err.message


def test_deep_but_allowed_formulas_go_through_every_pass() -> None:
    from cdcheck.checker.buchi import translate
    from cdcheck.checker.ltl_eval import LassoWord, evaluate
    from cdcheck.checker.ltl_parse import MAX_DEPTH
    from cdcheck.checker.ltl_rewrite import nnf

    word = LassoWord((), (frozenset({A.Atom("p")}),))
    for text in ("F " * MAX_DEPTH + "p", " & ".join(f"p{i}" for i in range(MAX_DEPTH + 1))):
        f = parse(text)
        assert parse(A.to_text(f)) == f
        assert evaluate(nnf(f, negate=True), word) != evaluate(f, word)
        assert translate(f).num_states >= 1


def test_unicode_spellings() -> None:
    assert parse("□ ◇ a") == A.Globally(A.Finally(a))
    assert parse("¬a ∧ b ∨ c → d") == A.Implies(A.Or(A.And(A.Not(a), b), c), d)
    assert parse("a ↔ ○ b ⊕ c") == A.Equiv(a, A.Xor(A.Next(b), c))


_STRUCTURED = (
    A.Atom("deadlock"),
    A.Atom("at", ("i", "place")),
    A.Atom("active", ("i.port",)),
    A.Atom("connected", ("i.use", "j.provide")),
    A.Atom("head", ("sensor1",), "idb1"),
    A.Atom("mode", (), "3"),
    A.Atom("executed", ("node2", "3")),
    A.Atom("a <= b", quoted=True),
    A.Atom("F", quoted=True),
    A.Atom('say "hi"', quoted=True),
)


@settings(max_examples=200, deadline=None)
@given(formulas(depth=4, atoms=_STRUCTURED))
def test_print_then_parse_is_identity_with_structured_atoms(f: A.Formula) -> None:
    assert parse(A.to_text(f)) == f


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("X[3] a", "X X X a"),
        ("X[0] a", "a"),
        ("X[!] a", "X a"),
        ("F[1:3] a", "X (a | X (a | X a))"),
        ("G[0:2] a", "a & X (a & X a)"),
        ("F[2:] a", "X X F a"),
        ("G[1:] a", "X G a"),
        ("F[2:2] a & b", "X X a & b"),
    ],
)
def test_spot_bounded_sugar(text: str, expected: str) -> None:
    assert parse(text) == parse(expected)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 3), st.integers(0, 3), words())
def test_bounded_sugar_means_what_spot_says(n: int, extra: int, w: LassoWord) -> None:
    """F[n:m] a holds iff a holds at some step in n..m; G[n:m] iff at all of them."""
    m = n + extra
    steps = []
    i = 0
    for k in range(m + 1):
        if k >= n:
            steps.append(i)
        i = w.succ(i)
    assert evaluate(parse(f"F[{n}:{m}] a"), w) == any(a in w.letter(j) for j in steps)
    assert evaluate(parse(f"G[{n}:{m}] a"), w) == all(a in w.letter(j) for j in steps)


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("F[3:1] p", 4, "empty range"),
        ("X[a] p", 2, "expected a number in `[...]`"),
        ("F[1:2 p", 6, "expected `]`"),
        ("G[1] p", 3, "expected `:`"),
        ("F[1: p", 5, "expected an upper bound"),
        ("X[999] p", 2, "too large"),
        ("G[2:]", 5, "expected a formula after `]`"),
        ("a ] b", 2, "may only appear in bounds"),
    ],
)
def test_bound_errors(text: str, column: int, message: str) -> None:
    err = _error(text)
    assert message in err.message
    assert err.start == column
