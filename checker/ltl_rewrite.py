"""Negation normal form and meaning-preserving simplifications.

Why: the size of the Büchi automaton is exponential in the number of temporal
subformulas in the worst case, so every operator removed before translation
pays off. The rules are the classic catalogue: Spot's trivial identities
(`F F f = F f`, `f U true = true`, ...), the rules of Etessami and Holzmann
(CONCUR 2000: `(a U c) & (b U c) = (a & b) U c`, `X a & X b = X (a & b)`,
`G a & G b = G (a & b)`, `F a | F b = F (a | b)`, ...) and Somenzi and Bloem's
pure eventualities and universalities (CAV 2000: `F e = e` when e is a pure
eventuality, `G u = u` when u is purely universal, `a U e = e`, `a R u = u`).
Each rule is tested against the lasso evaluator on random formulas.

`nnf` keeps `F G W M` (each has its dual in the set), and rewrites `-> <-> xor`
away; only atoms are negated in its output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from . import ltl_ast as A
from .ltl_ast import Formula

# ---------------------------------------------------------------- negation normal form


def nnf(f: Formula, negate: bool = False) -> Formula:
    """An equivalent formula (of `!f` when negate) whose negations all sit on atoms."""
    if isinstance(f, A.TrueF):
        return A.FALSE if negate else A.TRUE
    if isinstance(f, A.FalseF):
        return A.TRUE if negate else A.FALSE
    if isinstance(f, A.Atom):
        return A.Not(f) if negate else f
    if isinstance(f, A.Not):
        return nnf(f.arg, not negate)
    if isinstance(f, A.And):
        left, right = nnf(f.left, negate), nnf(f.right, negate)
        return A.Or(left, right) if negate else A.And(left, right)
    if isinstance(f, A.Or):
        left, right = nnf(f.left, negate), nnf(f.right, negate)
        return A.And(left, right) if negate else A.Or(left, right)
    if isinstance(f, A.Implies):
        return nnf(A.Or(A.Not(f.left), f.right), negate)
    if isinstance(f, A.Equiv):
        if negate:
            return nnf(A.Xor(f.left, f.right))
        both = A.And(nnf(f.left), nnf(f.right))
        neither = A.And(nnf(f.left, True), nnf(f.right, True))
        return A.Or(both, neither)
    if isinstance(f, A.Xor):
        if negate:
            return nnf(A.Equiv(f.left, f.right))
        first = A.And(nnf(f.left), nnf(f.right, True))
        second = A.And(nnf(f.left, True), nnf(f.right))
        return A.Or(first, second)
    if isinstance(f, A.Next):
        return A.Next(nnf(f.arg, negate))
    if isinstance(f, A.Finally):
        return A.Globally(nnf(f.arg, True)) if negate else A.Finally(nnf(f.arg))
    if isinstance(f, A.Globally):
        return A.Finally(nnf(f.arg, True)) if negate else A.Globally(nnf(f.arg))
    left, right = nnf(f.left, negate), nnf(f.right, negate)
    if isinstance(f, A.Until):
        return A.Release(left, right) if negate else A.Until(left, right)
    if isinstance(f, A.Release):
        return A.Until(left, right) if negate else A.Release(left, right)
    if isinstance(f, A.WeakUntil):
        return A.StrongRelease(left, right) if negate else A.WeakUntil(left, right)
    return A.WeakUntil(left, right) if negate else A.StrongRelease(left, right)


def is_nnf(f: Formula) -> bool:
    """Whether negation applies to atoms only and no `-> <-> xor` remains."""
    for g in A.subformulas(f):
        if isinstance(g, A.Implies | A.Equiv | A.Xor):
            return False
        if isinstance(g, A.Not) and not isinstance(g.arg, A.Atom):
            return False
    return True


# ---------------------------------------------------------------- syntactic classes


def is_eventual(f: Formula) -> bool:
    """A pure eventuality: `F f` is equivalent to f (closed under adding a prefix)."""
    if isinstance(f, A.TrueF | A.FalseF | A.Finally):
        return True
    if isinstance(f, A.Until):
        return is_eventual(f.right)
    if isinstance(f, A.Next | A.Globally):
        return is_eventual(f.arg)
    if isinstance(f, A.And | A.Or | A.Release | A.WeakUntil | A.StrongRelease):
        return is_eventual(f.left) and is_eventual(f.right)
    return False


def is_universal(f: Formula) -> bool:
    """Purely universal: `G f` is equivalent to f (closed under removing a prefix)."""
    if isinstance(f, A.TrueF | A.FalseF | A.Globally):
        return True
    if isinstance(f, A.Release):
        return is_universal(f.right)
    if isinstance(f, A.Next | A.Finally):
        return is_universal(f.arg)
    if isinstance(f, A.And | A.Or | A.Until | A.WeakUntil | A.StrongRelease):
        return is_universal(f.left) and is_universal(f.right)
    return False


# ---------------------------------------------------------------- simplification


def simplify(f: Formula) -> Formula:
    """An equivalent, usually smaller formula in negation normal form."""
    g = nnf(f)
    for _ in range(50):  # each pass shrinks or merges; a handful suffice in practice
        h = _simp(g)
        if h == g:
            break
        g = h
    return g


def _key(f: Formula) -> str:
    return A.to_text(f)


def _conj(items: Iterable[Formula]) -> Formula:
    parts = sorted(set(items), key=_key)
    if not parts:
        return A.TRUE
    out = parts[0]
    for p in parts[1:]:
        out = A.And(out, p)
    return out


def _disj(items: Iterable[Formula]) -> Formula:
    parts = sorted(set(items), key=_key)
    if not parts:
        return A.FALSE
    out = parts[0]
    for p in parts[1:]:
        out = A.Or(out, p)
    return out


def _flatten(f: Formula, kind: type) -> list[Formula]:
    if isinstance(f, kind):
        assert isinstance(f, A.And | A.Or)
        return _flatten(f.left, kind) + _flatten(f.right, kind)
    return [f]


def _simp(f: Formula) -> Formula:
    if isinstance(f, A.TrueF | A.FalseF | A.Atom | A.Not):
        return f
    if isinstance(f, A.Next):
        return _simp_next(_simp(f.arg))
    if isinstance(f, A.Finally):
        return _simp_finally(_simp(f.arg))
    if isinstance(f, A.Globally):
        return _simp_globally(_simp(f.arg))
    if isinstance(f, A.And):
        return _simp_and([_simp(g) for g in _flatten(f, A.And)])
    if isinstance(f, A.Or):
        return _simp_or([_simp(g) for g in _flatten(f, A.Or)])
    assert not isinstance(f, A.Implies | A.Equiv | A.Xor), "simplify works on NNF"
    left, right = _simp(f.left), _simp(f.right)
    if isinstance(f, A.Until):
        return _simp_until(left, right)
    if isinstance(f, A.Release):
        return _simp_release(left, right)
    if isinstance(f, A.WeakUntil):
        return _simp_weak_until(left, right)
    return _simp_strong_release(left, right)


def _const(f: Formula) -> bool:
    return isinstance(f, A.TrueF | A.FalseF)


def _simp_next(a: Formula) -> Formula:
    if _const(a) or (is_eventual(a) and is_universal(a)):
        return a  # X true = true, X false = false, X G F p = G F p
    return A.Next(a)


def _simp_finally(a: Formula) -> Formula:
    if is_eventual(a):
        return a  # F F a = F a, F true = true, F G F a = G F a
    if isinstance(a, A.Until):
        return _simp_finally(a.right)  # F (a U b) = F b
    if isinstance(a, A.StrongRelease):
        return _simp_finally(_simp_and([a.left, a.right]))  # F (a M b) = F (a & b)
    if isinstance(a, A.Or):
        parts = _flatten(a, A.Or)
        if any(isinstance(p, A.Finally) for p in parts):  # F (a | F b) = F (a | b)
            return _simp_finally(
                _simp_or([p.arg if isinstance(p, A.Finally) else p for p in parts])
            )
    return A.Finally(a)


def _simp_globally(a: Formula) -> Formula:
    if is_universal(a):
        return a  # G G a = G a, G true = true, G F G a = F G a
    if isinstance(a, A.Release):
        return _simp_globally(a.right)  # G (a R b) = G b
    if isinstance(a, A.WeakUntil):
        return _simp_globally(_simp_or([a.left, a.right]))  # G (a W b) = G (a | b)
    if isinstance(a, A.And):
        parts = _flatten(a, A.And)
        if any(isinstance(p, A.Globally) for p in parts):  # G (a & G b) = G (a & b)
            return _simp_globally(
                _simp_and([p.arg if isinstance(p, A.Globally) else p for p in parts])
            )
    return A.Globally(a)


def _simp_until(a: Formula, b: Formula) -> Formula:
    if _const(b) or isinstance(a, A.FalseF) or a == b or is_eventual(b):
        return b  # a U true, a U false, false U b, b U b, a U (pure eventuality)
    if isinstance(a, A.TrueF):
        return _simp_finally(b)
    if isinstance(a, A.Next) and isinstance(b, A.Next):
        return _simp_next(_simp_until(a.arg, b.arg))
    if isinstance(b, A.Until) and b.left == a:
        return b  # a U (a U c) = a U c
    return A.Until(a, b)


def _simp_release(a: Formula, b: Formula) -> Formula:
    if _const(b) or isinstance(a, A.TrueF) or a == b or is_universal(b):
        return b  # a R true, a R false, true R b, b R b, a R (purely universal)
    if isinstance(a, A.FalseF):
        return _simp_globally(b)
    if isinstance(a, A.Next) and isinstance(b, A.Next):
        return _simp_next(_simp_release(a.arg, b.arg))
    if isinstance(b, A.Release) and b.left == a:
        return b  # a R (a R c) = a R c
    return A.Release(a, b)


def _simp_weak_until(a: Formula, b: Formula) -> Formula:
    if isinstance(b, A.TrueF) or isinstance(a, A.TrueF):
        return A.TRUE
    if isinstance(a, A.FalseF) or a == b:
        return b
    if isinstance(b, A.FalseF):
        return _simp_globally(a)
    if isinstance(a, A.Next) and isinstance(b, A.Next):
        return _simp_next(_simp_weak_until(a.arg, b.arg))
    return A.WeakUntil(a, b)


def _simp_strong_release(a: Formula, b: Formula) -> Formula:
    if isinstance(a, A.FalseF) or isinstance(b, A.FalseF):
        return A.FALSE
    if isinstance(a, A.TrueF) or a == b:
        return b
    if isinstance(b, A.TrueF):
        return _simp_finally(a)
    if isinstance(a, A.Next) and isinstance(b, A.Next):
        return _simp_next(_simp_strong_release(a.arg, b.arg))
    return A.StrongRelease(a, b)


def _complement(f: Formula) -> Formula:
    return nnf(f, negate=True)


def _merge_groups(
    items: Sequence[Formula],
    pick: Callable[[Formula], tuple[str, Formula, Formula] | None],
    build: Callable[[str, Formula, list[Formula]], Formula],
) -> list[Formula]:
    """Group items by (tag, shared part) and rebuild each group of two or more as one."""
    groups: dict[tuple[str, Formula], list[Formula]] = {}
    order: list[tuple[str, Formula] | Formula] = []
    for item in items:
        picked = pick(item)
        if picked is None:
            order.append(item)
            continue
        tag, shared, varying = picked
        key = (tag, shared)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(varying)
    out: list[Formula] = []
    for entry in order:
        if isinstance(entry, tuple):
            out.append(build(entry[0], entry[1], groups[entry]))
        else:
            out.append(entry)
    return out


def _pick_and(f: Formula) -> tuple[str, Formula, Formula] | None:
    if isinstance(f, A.Globally):
        return ("G", A.TRUE, f.arg)
    if isinstance(f, A.Next):
        return ("X", A.TRUE, f.arg)
    if isinstance(f, A.Until):
        return ("U", f.right, f.left)  # (a U c) & (b U c) = (a & b) U c
    if isinstance(f, A.WeakUntil):
        return ("W", f.right, f.left)  # (a W c) & (b W c) = (a & b) W c
    if isinstance(f, A.Release):
        return ("R", f.left, f.right)  # (a R b) & (a R c) = a R (b & c)
    if isinstance(f, A.Finally) and isinstance(f.arg, A.Globally):
        return ("FG", A.TRUE, f.arg.arg)  # F G a & F G b = F G (a & b)
    return None


def _build_and(tag: str, shared: Formula, parts: list[Formula]) -> Formula:
    if len(parts) == 1:
        return _rebuild(tag, shared, parts[0])
    return _rebuild(tag, shared, _simp_and(parts))


def _pick_or(f: Formula) -> tuple[str, Formula, Formula] | None:
    if isinstance(f, A.Finally):
        if isinstance(f.arg, A.Globally):
            return None
        return ("F", A.TRUE, f.arg)
    if isinstance(f, A.Next):
        return ("X", A.TRUE, f.arg)
    if isinstance(f, A.Until):
        return ("U'", f.left, f.right)  # (a U b) | (a U c) = a U (b | c)
    if isinstance(f, A.Release):
        return ("R'", f.right, f.left)  # (a R c) | (b R c) = (a | b) R c
    if isinstance(f, A.Globally) and isinstance(f.arg, A.Finally):
        return ("GF", A.TRUE, f.arg.arg)  # G F a | G F b = G F (a | b)
    return None


def _build_or(tag: str, shared: Formula, parts: list[Formula]) -> Formula:
    if len(parts) == 1:
        return _rebuild(tag, shared, parts[0])
    return _rebuild(tag, shared, _simp_or(parts))


def _rebuild(tag: str, shared: Formula, varying: Formula) -> Formula:
    if tag == "G":
        return _simp_globally(varying)
    if tag == "X":
        return _simp_next(varying)
    if tag == "F":
        return _simp_finally(varying)
    if tag == "U":
        return _simp_until(varying, shared)
    if tag == "U'":
        return _simp_until(shared, varying)
    if tag == "W":
        return _simp_weak_until(varying, shared)
    if tag == "R":
        return _simp_release(shared, varying)
    if tag == "R'":
        return _simp_release(varying, shared)
    if tag == "FG":
        return _simp_finally(_simp_globally(varying))
    assert tag == "GF"
    return _simp_globally(_simp_finally(varying))


def _simp_and(items: list[Formula]) -> Formula:
    flat: list[Formula] = []
    for item in items:
        flat.extend(_flatten(item, A.And))
    if any(isinstance(g, A.FalseF) for g in flat):
        return A.FALSE
    parts = [g for g in dict.fromkeys(flat) if not isinstance(g, A.TrueF)]
    present = set(parts)
    if any(_complement(g) in present for g in parts):
        return A.FALSE  # f & !f
    merged = _merge_groups(parts, _pick_and, _build_and)
    if len(merged) < len(parts):
        return _simp_and(merged)
    return _conj(merged)


def _simp_or(items: list[Formula]) -> Formula:
    flat: list[Formula] = []
    for item in items:
        flat.extend(_flatten(item, A.Or))
    if any(isinstance(g, A.TrueF) for g in flat):
        return A.TRUE
    parts = [g for g in dict.fromkeys(flat) if not isinstance(g, A.FalseF)]
    present = set(parts)
    if any(_complement(g) in present for g in parts):
        return A.TRUE  # f | !f
    merged = _merge_groups(parts, _pick_or, _build_or)
    if len(merged) < len(parts):
        return _simp_or(merged)
    return _disj(merged)


def invariant_of(f: Formula) -> Formula | None:
    """The state predicate p when f means `G p` (possibly once simplified), else None.

    Recognises `G p`, conjunctions of such, and forms that simplify to them
    (`!F !p`, `G p & G q`, `false R p`, `G (p & G q)`); these are decided by
    breadth-first reachability of a state violating p.
    """
    for candidate in (f, simplify(f)):
        if A.is_invariant(candidate):
            return A.invariant_predicate(candidate)
    if isinstance(simplify(f), A.TrueF):
        return A.TRUE
    return None
