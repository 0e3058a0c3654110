"""A direct evaluator of LTL on ultimately periodic words: the test oracle.

A lasso word `u v^ω` has finitely many distinct suffixes, one per position of
`u v`; the successor of the last position is the first position of the loop.
`f U g` at position i is decided by walking the successors of i: it holds if g
is met before f fails, and fails if f fails first or the walk comes back to a
position it has seen (then the pattern repeats forever without g). Release is
the dual walk. This is the textbook definition read literally, deliberately
independent of the automaton code it checks.
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
    """Whether the suffix of `word` from `position` satisfies f."""
    memo: dict[tuple[Formula, int], bool] = {}

    def holds(g: Formula, i: int) -> bool:
        key = (g, i)
        cached = memo.get(key)
        if cached is not None:
            return cached
        result = _holds(g, i)
        memo[key] = result
        return result

    def walk(i: int) -> list[int]:
        seen: list[int] = []
        while i not in seen:
            seen.append(i)
            i = word.succ(i)
        return seen

    def until(left: Formula, right: Formula, i: int) -> bool:
        for j in walk(i):
            if holds(right, j):
                return True
            if not holds(left, j):
                return False
        return False

    def release(left: Formula, right: Formula, i: int) -> bool:
        for j in walk(i):
            if not holds(right, j):
                return False
            if holds(left, j):
                return True
        return True

    def _holds(g: Formula, i: int) -> bool:
        if isinstance(g, A.TrueF):
            return True
        if isinstance(g, A.FalseF):
            return False
        if isinstance(g, A.Atom):
            return g in word.letter(i)
        if isinstance(g, A.Not):
            return not holds(g.arg, i)
        if isinstance(g, A.And):
            return holds(g.left, i) and holds(g.right, i)
        if isinstance(g, A.Or):
            return holds(g.left, i) or holds(g.right, i)
        if isinstance(g, A.Implies):
            return not holds(g.left, i) or holds(g.right, i)
        if isinstance(g, A.Equiv):
            return holds(g.left, i) == holds(g.right, i)
        if isinstance(g, A.Xor):
            return holds(g.left, i) != holds(g.right, i)
        if isinstance(g, A.Next):
            return holds(g.arg, word.succ(i))
        if isinstance(g, A.Finally):
            return any(holds(g.arg, j) for j in walk(i))
        if isinstance(g, A.Globally):
            return all(holds(g.arg, j) for j in walk(i))
        if isinstance(g, A.Until):
            return until(g.left, g.right, i)
        if isinstance(g, A.Release):
            return release(g.left, g.right, i)
        if isinstance(g, A.WeakUntil):
            return until(g.left, g.right, i) or all(holds(g.left, j) for j in walk(i))
        # a M b: b holds up to and including a position where a holds too
        return until(g.right, A.And(g.left, g.right), i)

    if not 0 <= position < len(word):
        raise ValueError(f"position {position} outside the lasso of length {len(word)}")
    return holds(f, position)
