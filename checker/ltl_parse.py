"""Text to LTL formula: Spot's syntax, generic atoms, located errors.

Operators and their priorities follow Spot's grammar, loosest first:
`->` `<->` (right-associative, one level), `|`, `xor`, `&` (left-associative),
`U R W M` (right-associative, one level), then the prefix operators
`F G X !`. Spellings: `! ~`, `& && /\\`, `| || \\/`, `-> => -->`,
`<-> <=> <-->`, `xor ^`, `[]` for G, `<>` for F, `V` for R, `true false`
(any case) and `1 0`, and Spot's Unicode forms `¬ ∧ ∨ → ⇒ ↔ ⇔ ⊕ □ ◇ ○`.
Spot's bounded sugar is unfolded while parsing: `X[n] f` is n nested X,
`X[!] f` (strong next) is `X f` on infinite words, `F[n:m] f` is
`X^n (f | X (f | ... X f))` with m-n inner X, `G[n:m] f` the same with `&`,
and `F[n:] f`, `G[n:] f` are `X^n F f`, `X^n G f`.

Atoms are `name`, `name(arg, ...)`, `name = value` and `name(args) = value`,
where names may be dotted (`i.port`) and an argument or value is a name or an
integer, plus Spot's quoted atoms `"any text"`. As in Spot, a word starting with
`F`, `G` or `X` not followed by a digit is read as that operator followed by
the rest (`GFp` is `G F p`); inside an atom's argument list and after `=`,
words are always names. Spot's Wring-style `a=0`/`a=1` is not supported:
`name = value` is a structured atom resolved by the model's layer.

The tokenizer is hand-written (it needs the context rules above and exact
spans); Lark's LALR parser takes the tokens one by one, so an error knows the
token before it and can say what was expected after it.
"""

from __future__ import annotations

from functools import cache
from typing import cast

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput, UnexpectedToken, VisitError

from . import ltl_ast as A
from .ltl_errors import LtlError, SourceOffset, render_error

__all__ = ["MAX_DEPTH", "LtlError", "SourceOffset", "parse", "render_error", "tokenize"]

_GRAMMAR = r"""
%declare NAME INT QUOTED LPAR RPAR COMMA EQ NOT NEXT FINALLY GLOBALLY
%declare AND OR XOR IMPLIES EQUIV UNTIL RELEASE WEAK STRONG TRUE FALSE LSQB RSQB COLON

?start: imp

?imp: or_expr
    | or_expr IMPLIES imp      -> implies
    | or_expr EQUIV imp        -> equiv

?or_expr: xor_expr
    | or_expr OR xor_expr      -> or_
?xor_expr: and_expr
    | xor_expr XOR and_expr    -> xor
?and_expr: temporal
    | and_expr AND temporal    -> and_

?temporal: unary
    | unary UNTIL temporal     -> until
    | unary RELEASE temporal   -> release
    | unary WEAK temporal      -> weak_until
    | unary STRONG temporal    -> strong_release

?unary: primary
    | NOT unary                -> not_
    | NEXT unary               -> next_
    | FINALLY unary            -> finally_
    | GLOBALLY unary           -> globally
    | NEXT LSQB INT RSQB unary                      -> next_n
    | NEXT LSQB NOT RSQB unary                      -> next_strong
    | FINALLY LSQB INT COLON [INT] RSQB unary       -> finally_range
    | GLOBALLY LSQB INT COLON [INT] RSQB unary      -> globally_range

?primary: LPAR imp RPAR        -> paren
    | TRUE                     -> true_
    | FALSE                    -> false_
    | INT                      -> number
    | atom

atom: NAME
    | NAME LPAR args RPAR
    | NAME EQ value
    | NAME LPAR args RPAR EQ value
    | QUOTED                   -> quoted

args: arg (COMMA arg)*
?arg: NAME | INT
?value: NAME | INT
"""

# How each token reads in a message.
_DESCRIBE = {
    "NAME": "a name",
    "INT": "a number",
    "QUOTED": "a quoted atom",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "COMMA": "`,`",
    "EQ": "`=`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "COLON": "`:`",
    "$END": "the end of the formula",
}
_OPERATORS = frozenset(
    {
        "NOT",
        "NEXT",
        "FINALLY",
        "GLOBALLY",
        "AND",
        "OR",
        "XOR",
        "IMPLIES",
        "EQUIV",
        "UNTIL",
        "RELEASE",
        "WEAK",
        "STRONG",
    }
)
_BINARY_OPS = _OPERATORS - {"NOT", "NEXT", "FINALLY", "GLOBALLY"}
_FORMULA_START = frozenset(
    {"NAME", "INT", "QUOTED", "LPAR", "TRUE", "FALSE", "NOT", "NEXT", "FINALLY", "GLOBALLY"}
)

# Symbols, longest first so that `<->` wins over `<>` and `->`.
_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("<-->", "EQUIV"),
    ("-->", "IMPLIES"),
    ("<->", "EQUIV"),
    ("<=>", "EQUIV"),
    ("->", "IMPLIES"),
    ("=>", "IMPLIES"),
    ("&&", "AND"),
    ("||", "OR"),
    ("/\\", "AND"),
    ("\\/", "OR"),
    ("[]", "GLOBALLY"),
    ("<>", "FINALLY"),
    ("&", "AND"),
    ("|", "OR"),
    ("^", "XOR"),
    ("!", "NOT"),
    ("~", "NOT"),
    ("(", "LPAR"),
    (")", "RPAR"),
    (",", "COMMA"),
    ("=", "EQ"),
    ("[", "LSQB"),
    ("]", "RSQB"),
    (":", "COLON"),
    ("\u00ac", "NOT"),  # ¬
    ("\u2227", "AND"),  # ∧
    ("\u2228", "OR"),  # ∨
    ("\u2192", "IMPLIES"),  # →
    ("\u21d2", "IMPLIES"),  # ⇒
    ("\u2194", "EQUIV"),  # ↔
    ("\u21d4", "EQUIV"),  # ⇔
    ("\u2295", "XOR"),  # ⊕
    ("\u25a1", "GLOBALLY"),  # □
    ("\u25c7", "FINALLY"),  # ◇
    ("\u25cb", "NEXT"),  # ○
)
_WORDS = {
    "U": "UNTIL",
    "R": "RELEASE",
    "V": "RELEASE",
    "W": "WEAK",
    "M": "STRONG",
    "xor": "XOR",
    "X": "NEXT",
    "F": "FINALLY",
    "G": "GLOBALLY",
}
_PREFIX_LETTERS = {"X": "NEXT", "F": "FINALLY", "G": "GLOBALLY"}


# ---------------------------------------------------------------- tokens


def _is_name_start(c: str) -> bool:
    return c.isascii() and (c.isalpha() or c == "_")


def _is_name_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c == "_")


def tokenize(text: str) -> list[Token]:
    """Split a formula into tokens; `LtlError` at the first character that fits none."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    depth_args = 0  # > 0 inside an atom's argument list: words are plain names
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        prev = tokens[-1].type if tokens else None
        if c == '"':
            j, chars = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                chars.append(text[j])
                j += 1
            if j >= n:
                raise LtlError('this quoted atom is never closed (missing `"`)', i, n)
            tokens.append(_tok("QUOTED", "".join(chars), i, j + 1))
            i = j + 1
            continue
        if c.isdigit():
            j = i
            while j < n and text[j].isdigit():
                j += 1
            if j < n and _is_name_char(text[j]):
                k = j
                while k < n and (_is_name_char(text[k]) or text[k] == "."):
                    k += 1
                raise LtlError(
                    f"`{text[i:k]}` is not a name: names start with a letter or `_` "
                    "(quote it to use it as an atom)",
                    i,
                    k,
                )
            tokens.append(_tok("INT", text[i:j], i, j))
            i = j
            continue
        if _is_name_start(c):
            plain = depth_args > 0 or prev == "EQ"
            j = i
            while j < n and (_is_name_char(text[j]) or (text[j] == "." and _dotted(text, j))):
                j += 1
            word = text[i:j]
            if not plain and word in _WORDS:
                tokens.append(_tok(_WORDS[word], word, i, j))
            elif not plain and word.lower() in ("true", "false"):
                tokens.append(_tok(word.lower().upper(), word, i, j))
            elif not plain and c in _PREFIX_LETTERS and not text[i + 1].isdigit():
                # Spot: `GFp` is `G F p`; only the first letter is taken here.
                tokens.append(_tok(_PREFIX_LETTERS[c], c, i, i + 1))
                j = i + 1
            else:
                tokens.append(_tok("NAME", word, i, j))
            i = j
            continue
        for symbol, kind in _SYMBOLS:
            if text.startswith(symbol, i):
                if kind == "LPAR" and prev == "NAME" and depth_args == 0:
                    depth_args = 1
                elif kind == "LPAR" and depth_args > 0:
                    depth_args += 1
                elif kind == "RPAR" and depth_args > 0:
                    depth_args -= 1
                tokens.append(_tok(kind, symbol, i, i + len(symbol)))
                i += len(symbol)
                break
        else:
            raise LtlError(f"unexpected character `{c}`", i, i + 1)
    return tokens


def _dotted(text: str, j: int) -> bool:
    """A `.` at j continues a dotted name only if a name starts right after it."""
    return j + 1 < len(text) and _is_name_start(text[j + 1])


def _tok(kind: str, value: str, start: int, end: int) -> Token:
    return Token(kind, value, start_pos=start, end_pos=end, line=1, column=start + 1)


# ---------------------------------------------------------------- parsing


@cache
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", lexer="basic")


class _ToFormula(Transformer[Token, A.Formula]):
    """Builds formula values from the parse tree (one method per rule)."""

    def implies(self, c: list[A.Formula]) -> A.Formula:
        return A.Implies(c[0], c[2])

    def equiv(self, c: list[A.Formula]) -> A.Formula:
        return A.Equiv(c[0], c[2])

    def or_(self, c: list[A.Formula]) -> A.Formula:
        return A.Or(c[0], c[2])

    def xor(self, c: list[A.Formula]) -> A.Formula:
        return A.Xor(c[0], c[2])

    def and_(self, c: list[A.Formula]) -> A.Formula:
        return A.And(c[0], c[2])

    def until(self, c: list[A.Formula]) -> A.Formula:
        return A.Until(c[0], c[2])

    def release(self, c: list[A.Formula]) -> A.Formula:
        return A.Release(c[0], c[2])

    def weak_until(self, c: list[A.Formula]) -> A.Formula:
        return A.WeakUntil(c[0], c[2])

    def strong_release(self, c: list[A.Formula]) -> A.Formula:
        return A.StrongRelease(c[0], c[2])

    def not_(self, c: list[A.Formula]) -> A.Formula:
        return A.Not(c[1])

    def next_(self, c: list[A.Formula]) -> A.Formula:
        return A.Next(c[1])

    def finally_(self, c: list[A.Formula]) -> A.Formula:
        return A.Finally(c[1])

    def globally(self, c: list[A.Formula]) -> A.Formula:
        return A.Globally(c[1])

    def next_n(self, c: list[Token | A.Formula]) -> A.Formula:
        n = _bound(c[2])
        return _nexts(n, _formula(c[4]))

    def next_strong(self, c: list[Token | A.Formula]) -> A.Formula:
        return A.Next(_formula(c[4]))

    def finally_range(self, c: list[Token | A.Formula | None]) -> A.Formula:
        return _range(c, A.Or, A.Finally)

    def globally_range(self, c: list[Token | A.Formula | None]) -> A.Formula:
        return _range(c, A.And, A.Globally)

    def paren(self, c: list[A.Formula]) -> A.Formula:
        return c[1]

    def true_(self, c: list[Token]) -> A.Formula:
        return A.TRUE

    def false_(self, c: list[Token]) -> A.Formula:
        return A.FALSE

    def number(self, c: list[Token]) -> A.Formula:
        tok = c[0]
        if tok.value == "1":
            return A.TRUE
        if tok.value == "0":
            return A.FALSE
        raise LtlError(
            f"a number is not a formula: `{tok.value}` (only 0 and 1, for false and true)",
            _start(tok),
            _end(tok),
        )

    def quoted(self, c: list[Token]) -> A.Formula:
        tok = c[0]
        text = str(tok.value)
        # As in Spot, `"p"` and `p` are one atom; quoting matters only for other text.
        return A.Atom(text, quoted=not A.bare_name_ok(text), span=(_start(tok), _end(tok)))

    def args(self, c: list[Token]) -> tuple[Token, ...]:
        return tuple(t for t in c if t.type != "COMMA")

    def atom(self, c: list[object]) -> A.Formula:
        name = c[0]
        assert isinstance(name, Token)
        args: tuple[str, ...] = ()
        value: str | None = None
        last: Token = name
        rest = c[1:]
        if rest and isinstance(rest[0], Token) and rest[0].type == "LPAR":
            arg_tokens = rest[1]
            assert isinstance(arg_tokens, tuple)
            args = tuple(str(t.value) for t in arg_tokens)
            closing = rest[2]
            assert isinstance(closing, Token)
            last = closing
            rest = rest[3:]
        if rest:
            value_tok = rest[1]
            assert isinstance(value_tok, Token)
            value = str(value_tok.value)
            last = value_tok
        return A.Atom(str(name.value), args, value, span=(_start(name), _end(last)))


def _formula(x: object) -> A.Formula:
    assert x is not None and not isinstance(x, Token | tuple)
    return cast(A.Formula, x)


def _bound(tok: object) -> int:
    assert isinstance(tok, Token)
    n = int(tok.value)
    if n > MAX_DEPTH:
        raise LtlError(f"bound {n} is too large (at most {MAX_DEPTH})", _start(tok), _end(tok))
    return n


def _nexts(n: int, f: A.Formula) -> A.Formula:
    for _ in range(n):
        f = A.Next(f)
    return f


def _range(
    c: list[Token | A.Formula | None],
    join: type[A.And] | type[A.Or],
    unbounded: type[A.Finally] | type[A.Globally],
) -> A.Formula:
    """`F[n:m] f` / `G[n:m] f` (and `[n:]`) unfolded with X, as Spot defines them."""
    low = _bound(c[2])
    f = _formula(c[6])
    if c[4] is None:
        return _nexts(low, unbounded(f))
    high_tok = c[4]
    high = _bound(high_tok)
    if high < low:
        assert isinstance(high_tok, Token)
        raise LtlError(
            f"empty range [{low}:{high}]: the upper bound is below the lower one",
            _start(high_tok),
            _end(high_tok),
        )
    body = f
    for _ in range(high - low):
        body = join(f, A.Next(body))
    return _nexts(low, body)


def _start(tok: Token) -> int:
    return tok.start_pos or 0


def _end(tok: Token) -> int:
    return tok.end_pos if tok.end_pos is not None else _start(tok) + len(str(tok.value))


def parse(text: str) -> A.Formula:
    """Read one formula; raise `LtlError` (never another exception) if it is not valid."""
    tokens = tokenize(text)
    if not tokens:
        raise LtlError("empty formula: expected an LTL formula such as `G !deadlock`", 0, 1)
    parser = _parser().parse_interactive("")
    prev: Token | None = None
    try:
        for tok in tokens:
            parser.feed_token(tok)
            prev = tok
        tree = parser.feed_eof(prev)  # type: ignore[no-untyped-call]
    except UnexpectedToken as exc:
        raise _explain(exc, prev, tokens, text) from None
    except UnexpectedInput as exc:  # pragma: no cover - the tokenizer leaves no other kind
        raise LtlError("syntax error", 0, len(text)) from exc
    too_deep = LtlError(
        f"the formula is nested too deeply (the limit is {MAX_DEPTH} levels of operators)",
        0,
        len(text),
    )
    try:
        formula = _ToFormula().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, LtlError):
            raise exc.orig_exc from None
        if isinstance(exc.orig_exc, RecursionError):
            raise too_deep from None
        raise
    except RecursionError:
        raise too_deep from None
    assert not isinstance(formula, Token)
    if _depth(formula) > MAX_DEPTH:
        raise too_deep
    return formula


# Every later pass (NNF, simplification, printing, evaluation) recurses on the
# syntax tree; this bound keeps them far from Python's recursion limit.
MAX_DEPTH = 250


def _depth(f: A.Formula) -> int:
    """Height of the syntax tree, computed without recursion."""
    best = 0
    stack = [(f, 0)]
    while stack:
        g, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in A.children(g))
    return best


def _explain(exc: UnexpectedToken, prev: Token | None, tokens: list[Token], text: str) -> LtlError:
    """Turn the parser's complaint into a sentence about the formula's shape."""
    tok: Token = exc.token
    at_end = tok.type == "$END"
    start = len(text) if at_end else _start(tok)
    end = start + 1 if at_end else _end(tok)
    expected = set(exc.expected or ())
    found = "the end of the formula" if at_end else f"`{tok.value}`"
    in_args = _inside_atom_arguments(tokens, prev)

    bracket = _open_bracket(tokens, prev)
    if bracket is not None:
        if prev is not None and prev.type == "COLON":
            return LtlError(f"expected an upper bound or `]` after `:`, found {found}", start, end)
        if prev is not None and prev.type == "INT" and "COLON" in expected:
            return LtlError(f"expected `:` after the lower bound, found {found}", start, end)
        if prev is not None and prev.type == "INT":
            return LtlError(f"expected `]` to close the bounds, found {found}", start, end)
        return LtlError(
            f"expected a number in `[...]` (`X[n]`, `X[!]`, `F[n:m]`, `G[n:]`), found {found}",
            start,
            end,
        )
    if in_args:
        if prev is not None and prev.type in ("LPAR", "COMMA"):
            return LtlError(
                f"expected an argument (a name, `a.b` or a number) after `{prev.value}`, "
                f"found {found}",
                start,
                end,
            )
        return LtlError(f"expected `,` or `)` in the atom's arguments, found {found}", start, end)
    if prev is not None and prev.type == "EQ":
        return LtlError(
            f"expected a value (a name or a number) after `=`, found {found}", start, end
        )
    if prev is None and tok.type in _BINARY_OPS:
        return LtlError(f"`{tok.value}` needs a formula on its left", start, end)
    if prev is not None and prev.type == "RSQB":
        return LtlError(f"expected a formula after `]`, found {found}", start, end)
    if prev is not None and (prev.type in _OPERATORS or prev.type == "LPAR"):
        if prev.type == "LPAR" and tok.type == "RPAR":
            return LtlError("empty parentheses: expected a formula inside", _start(prev), end)
        return LtlError(f"expected a formula after `{prev.value}`, found {found}", start, end)
    if at_end and "RPAR" in expected:
        opening = _unclosed_paren(tokens)
        if opening is not None:
            return LtlError("this `(` is never closed", _start(opening), _end(opening))
    if tok.type == "RPAR":
        return LtlError("unmatched `)`", start, end)
    if tok.type in _FORMULA_START:
        return LtlError(
            f"expected an operator (such as `&`, `|`, `->` or `U`) before {found}", start, end
        )
    if tok.type == "EQ":
        return LtlError("`=` may only follow an atom's name, as in `head(s) = v`", start, end)
    if tok.type in ("LSQB", "RSQB", "COLON"):
        return LtlError(
            f"`{tok.value}` may only appear in bounds such as `X[2]`, `F[1:3]` or `G[2:]`",
            start,
            end,
        )
    if tok.type == "COMMA":
        return LtlError("`,` may only separate an atom's arguments", start, end)
    wanted = sorted({_DESCRIBE.get(e, e.lower()) for e in expected if not e.startswith("__")})
    return LtlError(f"unexpected {found}; expected {', '.join(wanted)}", start, end)


def _inside_atom_arguments(tokens: list[Token], prev: Token | None) -> bool:
    """Whether `prev` lies in an unclosed `name(` argument list."""
    if prev is None:
        return False
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.type == "LPAR" and depth == 0 and i > 0 and tokens[i - 1].type == "NAME":
            depth = 1
        elif tok.type == "LPAR" and depth > 0:
            depth += 1
        elif tok.type == "RPAR" and depth > 0:
            depth -= 1
        if tok is prev:
            return depth > 0
    return False


def _open_bracket(tokens: list[Token], prev: Token | None) -> Token | None:
    """The `[` of a bound still open at `prev`, if any."""
    opening: Token | None = None
    for tok in tokens:
        if tok.type == "LSQB":
            opening = tok
        elif tok.type == "RSQB":
            opening = None
        if tok is prev:
            return opening
    return None


def _unclosed_paren(tokens: list[Token]) -> Token | None:
    stack: list[Token] = []
    for tok in tokens:
        if tok.type == "LPAR":
            stack.append(tok)
        elif tok.type == "RPAR" and stack:
            stack.pop()
    return stack[-1] if stack else None
