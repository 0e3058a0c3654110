"""What must change before an invariant can be violated: the goal condition
of the partial-order reduction (`checker.por`, `Goal`).

For a state formula f that holds in a state s, `becomes(f, False, s)` lists
alternative key sets such that every path from s to a state where f is false
writes a key of each of them; the reduction then needs only the writers of
the cheapest one in its stubborn set, where visibility would need every
step that may touch an atom. The rules follow the formula's structure and
the current values of its subformulas:

* an atom changes only if a key it reads is written;
* `a & b` becomes false only if a or b does: one alternative of each, united;
* `a | b` becomes false only if each true disjunct does: any one's alternative;
* negation swaps the target; implication and equivalence are rewritten.

Generic: atoms are the checker's own, their keys and values come from the
caller.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

from . import ltl as L
from .predicates import compile_predicate

S = TypeVar("S")
Key = Hashable
Alternatives = list[frozenset[Key]]

MAX_ALTERNATIVES = 16
"""Beyond this many alternatives, one (coarser) alternative: all the keys."""


class GoalKeys(Generic[S]):
    """`goal(state)` for a list of invariants (`checker.por.Goal`)."""

    def __init__(
        self,
        invariants: Sequence[L.Formula],
        keys: Callable[[L.Atom], frozenset[Key]],
        atom: Callable[[L.Atom], Callable[[S], bool]],
    ) -> None:
        self.invariants = list(invariants)
        self.keys = keys
        self._atom = atom
        self._preds: dict[L.Formula, Callable[[S], bool]] = {}

    def __call__(self, state: S) -> list[Alternatives]:
        return [self.becomes(f, False, state) for f in self.invariants if self._value(f, state)]

    def _value(self, f: L.Formula, state: S) -> bool:
        pred = self._preds.get(f)
        if pred is None:
            pred = self._preds[f] = compile_predicate(f, self._atom)
        return pred(state)

    def _all_keys(self, f: L.Formula) -> Alternatives:
        out: set[Key] = set()
        for a in L.atoms(f):
            out |= self.keys(a)
        return [frozenset(out)]

    def becomes(self, f: L.Formula, target: bool, state: S) -> Alternatives:
        """Alternatives for f, whose value at `state` is `not target`, to take
        the value `target` (see the module docstring)."""
        match f:
            case L.TrueF() | L.FalseF():
                return [frozenset()]  # a constant never changes: nothing to wait for
            case L.Atom():
                return [self.keys(f)]
            case L.Not(arg=a):
                return self.becomes(a, not target, state)
            case L.Implies(left=a, right=b):
                return self.becomes(L.Or(L.Not(a), b), target, state)
            case L.And(left=a, right=b) if not target:
                return self._both(f, a, b, False, state)
            case L.Or(left=a, right=b) if target:
                return self._both(f, a, b, True, state)
            case L.And(left=a, right=b) | L.Or(left=a, right=b):
                # every part with the wrong value must change: any one will do
                parts = [x for x in (a, b) if self._value(x, state) != target]
                found: Alternatives = []
                for x in parts:
                    found += self.becomes(x, target, state)
                return found if len(found) <= MAX_ALTERNATIVES else self._all_keys(f)
            case _:
                return self._all_keys(f)

    def _both(
        self, f: L.Formula, a: L.Formula, b: L.Formula, target: bool, state: S
    ) -> Alternatives:
        """One of a, b (both at `not target`) must change: unite one
        alternative of each."""
        xs, ys = self.becomes(a, target, state), self.becomes(b, target, state)
        if len(xs) * len(ys) > MAX_ALTERNATIVES:
            return self._all_keys(f)
        return [x | y for x in xs for y in ys]
