"""LTL formulas as frozen values, printed back in Spot's syntax.

Formulas are immutable and hashable so that the translator can use them (and
sets of them) as automaton states, and so that two formulas written alike are
equal. An atom keeps its source span for error messages, but the span takes no
part in equality: `p` parsed twice is one atom.

Atoms are generic on purpose: `name`, `name(arg, ...)`, `name(args) = value`,
`name = value`, or any quoted text. This module never interprets them; a
model-specific layer resolves them later (the checker core knows no
Concerto-D name). The canonical text of an atom (`str(atom)`) is what
automaton guards show.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import TypeAlias

# Words the parser reserves; an atom spelled like one must be quoted.
KEYWORDS = frozenset({"U", "R", "V", "W", "M", "X", "F", "G", "xor"})
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_PLAIN_ARG = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|[0-9]+)\Z")


def bare_name_ok(name: str) -> bool:
    """Whether `name` reads back as this very name without quotes (Spot's rules)."""
    if not _PLAIN_NAME.match(name) or name in KEYWORDS:
        return False
    if name.lower() in ("true", "false"):
        return False
    # A leading F, G or X is read as an operator unless a digit follows it.
    return not (name[0] in "FGX" and not (len(name) > 1 and name[1].isdigit()))


class _Node:
    """Base of the formula classes: a slot for the cached hash.

    Formulas are hashed over and over (as dictionary keys, inside sets of
    obligations); the generated dataclass hash would walk the whole tree each
    time, so the hash is computed once, when the node is built, and equality
    compares hashes first and walks the trees with a stack, not recursion.
    """

    __slots__ = ("_hash",)


@dataclass(frozen=True, slots=True)
class TrueF(_Node):
    """The constant true."""


@dataclass(frozen=True, slots=True)
class FalseF(_Node):
    """The constant false."""


@dataclass(frozen=True, slots=True)
class Atom(_Node):
    """An atomic proposition: `name`, `name(args)`, `... = value` or quoted text.

    `quoted` atoms (Spot's `"any text"`) keep their text in `name` with no
    arguments; they are distinct from the structured atom spelled the same.
    The parser reads a quoted plain name (`"p"`) as the plain atom `p`, as Spot does.
    `span` is the (start, end) character range in the formula's text.
    """

    name: str
    args: tuple[str, ...] = ()
    value: str | None = None
    quoted: bool = False
    span: tuple[int, int] | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        if self.quoted:
            if bare_name_ok(self.name):
                return self.name
            escaped = self.name.replace("\\", "\\\\").replace('"', '\\"')
            return f'"{escaped}"'
        text = self.name
        if self.args:
            text += "(" + ", ".join(self.args) + ")"
        if self.value is not None:
            text += f" = {self.value}"
        return text


@dataclass(frozen=True, slots=True)
class Not(_Node):
    arg: Formula


@dataclass(frozen=True, slots=True)
class And(_Node):
    left: Formula
    right: Formula


@dataclass(frozen=True, slots=True)
class Or(_Node):
    left: Formula
    right: Formula


@dataclass(frozen=True, slots=True)
class Implies(_Node):
    left: Formula
    right: Formula


@dataclass(frozen=True, slots=True)
class Equiv(_Node):
    left: Formula
    right: Formula


@dataclass(frozen=True, slots=True)
class Xor(_Node):
    left: Formula
    right: Formula


@dataclass(frozen=True, slots=True)
class Next(_Node):
    arg: Formula


@dataclass(frozen=True, slots=True)
class Globally(_Node):
    arg: Formula


@dataclass(frozen=True, slots=True)
class Finally(_Node):
    arg: Formula


@dataclass(frozen=True, slots=True)
class Until(_Node):
    """`left U right`: right eventually holds, and left holds until then."""

    left: Formula
    right: Formula


@dataclass(frozen=True, slots=True)
class Release(_Node):
    """`left R right`: right holds up to and including the first left (or forever)."""

    left: Formula
    right: Formula


@dataclass(frozen=True, slots=True)
class WeakUntil(_Node):
    """`left W right`: left U right, or G left."""

    left: Formula
    right: Formula


@dataclass(frozen=True, slots=True)
class StrongRelease(_Node):
    """`left M right`: left R right, and left eventually holds."""

    left: Formula
    right: Formula


Formula: TypeAlias = (
    TrueF
    | FalseF
    | Atom
    | Not
    | And
    | Or
    | Implies
    | Equiv
    | Xor
    | Next
    | Globally
    | Finally
    | Until
    | Release
    | WeakUntil
    | StrongRelease
)
Unary: TypeAlias = Not | Next | Globally | Finally
Binary: TypeAlias = And | Or | Implies | Equiv | Xor | Until | Release | WeakUntil | StrongRelease


_KEYS: dict[type, tuple[str, ...]] = {}


def _install_cached_hash(cls: type) -> None:
    """Hash once at construction (children are hashed already), compare without recursion."""
    names = tuple(f.name for f in fields(cls) if f.compare)
    _KEYS[cls] = names
    generated_init = cls.__init__  # type: ignore[misc]

    def __init__(self: _Node, *args: object, **kwargs: object) -> None:
        generated_init(self, *args, **kwargs)
        h = hash((cls.__name__, *(getattr(self, n) for n in names)))
        object.__setattr__(self, "_hash", h)

    def __hash__(self: _Node) -> int:
        return self._hash  # type: ignore[attr-defined,no-any-return]

    def __eq__(self: _Node, other: object) -> bool:
        if self is other:
            return True
        if type(other) is not cls or hash(self) != hash(other):
            return False
        stack: list[tuple[object, object]] = [(self, other)]
        while stack:
            x, y = stack.pop()
            if x is y:
                continue
            if type(x) is not type(y) or hash(x) != hash(y):
                return False
            for n in _KEYS[type(x)]:
                u, v = getattr(x, n), getattr(y, n)
                if isinstance(u, _Node):
                    stack.append((u, v))
                elif u != v:
                    return False
        return True

    cls.__init__ = __init__  # type: ignore[misc]
    cls.__hash__ = __hash__  # type: ignore[assignment]
    cls.__eq__ = __eq__  # type: ignore[assignment,method-assign]


for _cls in (
    TrueF,
    FalseF,
    Atom,
    Not,
    And,
    Or,
    Implies,
    Equiv,
    Xor,
    Next,
    Globally,
    Finally,
    Until,
    Release,
    WeakUntil,
    StrongRelease,
):
    _install_cached_hash(_cls)

TRUE = TrueF()
FALSE = FalseF()

# ---------------------------------------------------------------- printing

# Spot's priorities, loosest first; the parser uses the same table.
_BINARY: dict[type, tuple[str, int, bool]] = {  # operator, level, right-associative
    Implies: ("->", 1, True),
    Equiv: ("<->", 1, True),
    Or: ("|", 2, False),
    Xor: ("xor", 3, False),
    And: ("&", 4, False),
    Until: ("U", 5, True),
    Release: ("R", 5, True),
    WeakUntil: ("W", 5, True),
    StrongRelease: ("M", 5, True),
}
_UNARY: dict[type, str] = {Not: "!", Next: "X", Globally: "G", Finally: "F"}
_UNARY_LEVEL = 6
_ATOMIC_LEVEL = 7


def _level(f: Formula) -> int:
    entry = _BINARY.get(type(f))
    if entry is not None:
        return entry[1]
    return _UNARY_LEVEL if type(f) in _UNARY else _ATOMIC_LEVEL


def to_text(f: Formula) -> str:
    """The formula in Spot's syntax, with the fewest parentheses that parse back to it."""
    if isinstance(f, TrueF):
        return "true"
    if isinstance(f, FalseF):
        return "false"
    if isinstance(f, Atom):
        return str(f)
    if isinstance(f, Not | Next | Globally | Finally):
        op = _UNARY[type(f)]
        inner = to_text(f.arg)
        if _level(f.arg) < _UNARY_LEVEL:
            return f"{op}({inner})"
        return f"{op}{inner}" if op == "!" else f"{op} {inner}"
    op, level, right_assoc = _BINARY[type(f)]
    left, right = to_text(f.left), to_text(f.right)
    left_level, right_level = _level(f.left), _level(f.right)
    if left_level < level or (left_level == level and right_assoc):
        left = f"({left})"
    if right_level < level or (right_level == level and not right_assoc):
        right = f"({right})"
    return f"{left} {op} {right}"


# ---------------------------------------------------------------- queries


def children(f: Formula) -> tuple[Formula, ...]:
    """The direct subformulas, left to right."""
    if isinstance(f, TrueF | FalseF | Atom):
        return ()
    if isinstance(f, Not | Next | Globally | Finally):
        return (f.arg,)
    return (f.left, f.right)


def subformulas(f: Formula) -> Iterator[Formula]:
    """Every subformula, the formula itself first (pre-order, with repeats)."""
    stack = [f]
    while stack:
        g = stack.pop()
        yield g
        stack.extend(reversed(children(g)))


def atoms(f: Formula) -> frozenset[Atom]:
    """The atomic propositions the formula mentions."""
    return frozenset(g for g in subformulas(f) if isinstance(g, Atom))


def has_next(f: Formula) -> bool:
    """Whether X occurs: such a formula may not be stutter-invariant, so no POR."""
    return any(isinstance(g, Next) for g in subformulas(f))


_TEMPORAL = (Next, Globally, Finally, Until, Release, WeakUntil, StrongRelease)


def is_propositional(f: Formula) -> bool:
    """No temporal operator: the formula is a predicate on one state."""
    return not any(isinstance(g, _TEMPORAL) for g in subformulas(f))


def is_invariant(f: Formula) -> bool:
    """`G p` with p propositional, or a conjunction of such (`G p & G q`).

    These are exactly what a breadth-first search over states decides: the
    conjunction is `G (p & q)`, violated by any run reaching a state where the
    predicate is false. Other boolean combinations are not invariants:
    `G p | G q` is violated only by a run that reaches a !p state *and* a !q
    state (two states, one run), and `!G p` is the liveness property `F !p`;
    both need the automaton product.
    """
    if isinstance(f, Globally):
        return is_propositional(f.arg)
    if isinstance(f, And):
        return is_invariant(f.left) and is_invariant(f.right)
    return False


def invariant_predicate(f: Formula) -> Formula:
    """The state predicate every reachable state must meet, for an invariant (`is_invariant`)."""
    if isinstance(f, Globally) and is_propositional(f.arg):
        return f.arg
    if isinstance(f, And):
        return And(invariant_predicate(f.left), invariant_predicate(f.right))
    raise ValueError(f"not an invariant: {to_text(f)}")


def size(f: Formula) -> int:
    """Number of nodes of the syntax tree."""
    return sum(1 for _ in subformulas(f))
