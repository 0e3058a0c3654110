"""What the checker needs from a transition system, and nothing more.

The algorithms (search, LTL, POR, reports) are generic over this protocol;
they never import a Concerto-D name. `cdcheck.spec.system.ConcertoSystem`
implements it structurally (spec does not import checker).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Protocol, TypeVar

S = TypeVar("S", bound=Hashable)
A = TypeVar("A", bound=Hashable)
S_contra = TypeVar("S_contra", bound=Hashable, contravariant=True)


class FootprintLike(Protocol):
    """What a step reads and writes; two steps are independent (for partial-order
    reduction) when neither writes what the other reads or writes."""

    @property
    def reads(self) -> frozenset[Hashable]: ...

    @property
    def writes(self) -> frozenset[Hashable]: ...


class StepViewLike(Protocol):
    """A step as a trace shows it: the rule, the actors, the objects, what changed."""

    @property
    def rule(self) -> str: ...

    @property
    def nodes(self) -> tuple[str, ...]: ...

    @property
    def objects(self) -> str: ...

    @property
    def changes(self) -> tuple[str, ...]: ...


class AtomTable(Protocol[S_contra]):
    """Named state predicates; `compile` raises ValueError for an unknown atom."""

    def names(self) -> tuple[str, ...]: ...

    def compile(self, text: str) -> Callable[[S_contra], bool]: ...


class TransitionSystem(Protocol[S, A]):
    """Initial states, labelled successors (deterministic order), footprints,
    atoms and step descriptions (compare Stateright's `Model`)."""

    def initial_states(self) -> Iterable[S]: ...

    def successors(self, s: S) -> Iterable[tuple[A, S]]: ...

    def footprint(self, step: A) -> FootprintLike: ...

    def atoms(self) -> AtomTable[S]: ...

    def describe(self, step: A, before: S, after: S) -> StepViewLike: ...


def independent(a: FootprintLike, b: FootprintLike) -> bool:
    """Neither step writes anything the other reads or writes."""
    return not (a.writes & (b.reads | b.writes) or b.writes & a.reads)
