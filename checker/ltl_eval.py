"""A direct evaluator of LTL on ultimately periodic words: the test oracle.

A lasso word `u v^ω` has finitely many distinct suffixes, one per position of
`u v`; the successor of the last position is the first position of the loop.
`f U g` at position i is decided by walking the successors of i: it holds if g
is met before f fails, and fails if f fails first or the walk comes back to a
position it has seen (then the pattern repeats forever without g). Release is
the dual walk. This is the textbook definition read literally, deliberately
independent of the automaton code it checks (no fixpoints, no automata).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ltl_ast as A
from .ltl_ast import Formula

Valuation = frozenset[A.Atom]


@dataclass(frozen=True)
class LassoWord:
    """`prefix` then `loop` repeated forever; each letter is the set of true atoms."""

    prefix: tuple[Valuation, ...]
    loop: tuple[Valuation, ...]

    def __post_init__(self) -> None:
        if not self.loop:
            raise ValueError("the loop of a lasso word must not be empty")

    def __len__(self) -> int:
        return len(self.prefix) + len(self.loop)

    def letter(self, i: int) -> Valuation:
        return self.prefix[i] if i < len(self.prefix) else self.loop[i - len(self.prefix)]

    def succ(self, i: int) -> int:
        return i + 1 if i + 1 < len(self) else len(self.prefix)


def evaluate(f: Formula, word: LassoWord, position: int = 0) -> bool:
    """Whether the suffix of `word` from `position` satisfies f.

    Subformulas are evaluated children first (an explicit post-order, so deep
    formulas need no recursion), each to its truth value at every position.
    """
    if not 0 <= position < len(word):
        raise ValueError(f"position {position} outside the lasso of length {len(word)}")
    n = len(word)
    walks = [_walk(word, i) for i in range(n)]
    value: dict[Formula, tuple[bool, ...]] = {}
    for g in _post_order(f):
        if g not in value:
            value[g] = tuple(_at(g, i, value, word, walks[i]) for i in range(n))
    return value[f][position]


def _walk(word: LassoWord, i: int) -> list[int]:
    """The positions i, succ(i), ... up to the first repeat: every distinct suffix from i on."""
    seen: list[int] = []
    while i not in seen:
        seen.append(i)
        i = word.succ(i)
    return seen


def _post_order(f: Formula) -> list[Formula]:
    out: list[Formula] = []
    stack: list[tuple[Formula, bool]] = [(f, False)]
    while stack:
        g, expanded = stack.pop()
        if expanded:
            out.append(g)
            continue
        stack.append((g, True))
        stack.extend((c, False) for c in reversed(A.children(g)))
    return out


def _at(
    g: Formula, i: int, value: dict[Formula, tuple[bool, ...]], word: LassoWord, walk: list[int]
) -> bool:
    """The truth of g at position i, from its children's values."""
    if isinstance(g, A.TrueF):
        return True
    if isinstance(g, A.FalseF):
        return False
    if isinstance(g, A.Atom):
        return g in word.letter(i)
    if isinstance(g, A.Not):
        return not value[g.arg][i]
    if isinstance(g, A.Next):
        return value[g.arg][word.succ(i)]
    if isinstance(g, A.Finally):
        return any(value[g.arg][j] for j in walk)
    if isinstance(g, A.Globally):
        return all(value[g.arg][j] for j in walk)
    left, right = value[g.left], value[g.right]
    if isinstance(g, A.And):
        return left[i] and right[i]
    if isinstance(g, A.Or):
        return left[i] or right[i]
    if isinstance(g, A.Implies):
        return not left[i] or right[i]
    if isinstance(g, A.Equiv):
        return left[i] == right[i]
    if isinstance(g, A.Xor):
        return left[i] != right[i]
    if isinstance(g, A.Until):
        return _until(left, right, walk)
    if isinstance(g, A.Release):
        return _release(left, right, walk)
    if isinstance(g, A.WeakUntil):
        return _until(left, right, walk) or all(left[j] for j in walk)
    # a M b: b holds up to and including a position where a holds too
    both = tuple(x and y for x, y in zip(left, right, strict=True))
    return _until(right, both, walk)


def _until(left: tuple[bool, ...], right: tuple[bool, ...], walk: list[int]) -> bool:
    """Right is met along the walk before left fails; a walk that loops back never meets it."""
    for j in walk:
        if right[j]:
            return True
        if not left[j]:
            return False
    return False


def _release(left: tuple[bool, ...], right: tuple[bool, ...], walk: list[int]) -> bool:
    """Right holds along the walk until and including a position where left holds (or forever)."""
    for j in walk:
        if not right[j]:
            return False
        if left[j]:
            return True
    return True
