"""The abstract syntax of a `.cd` plan.

Every node is a frozen dataclass that carries the source span it came from, so
that any later stage (static checks, the semantics, a counterexample) can point
at the exact text. Spans never take part in equality: two ASTs are equal when
they say the same thing, wherever it was written (this is what the print/parse
round trip is tested against).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, order=True)
class Span:
    """A region of a source file; lines and columns count from 1."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


NO_SPAN = Span("<generated>", 0, 0, 0, 0)


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Ident:
    """A name as written, with where it was written."""

    text: str
    span: Span = _span()

    def __str__(self) -> str:
        return self.text


# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Station:
    """An extra entry point of a place (`station s of p`).

    Every place has a default station of the same name; extra stations let two
    transitions into one place arrive separately (an OR-entry) instead of
    joining.
    """

    name: Ident
    place: Ident
    span: Span = _span()


@dataclass(frozen=True)
class TransitionDef:
    """`name: source -> target, target [cost N]`; a target names a station."""

    name: Ident
    source: Ident
    targets: tuple[Ident, ...]
    cost: int | None = None
    span: Span = _span()


@dataclass(frozen=True)
class TransitionRef:
    """A transition defined in another behavior of the same type, reused here."""

    name: Ident
    span: Span = _span()


BehaviorItem = TransitionDef | TransitionRef


@dataclass(frozen=True)
class Behavior:
    name: Ident
    items: tuple[BehaviorItem, ...]
    span: Span = _span()


PortKind = Literal["use", "provide"]


@dataclass(frozen=True)
class Port:
    """A use or provide port bound to a group of places."""

    kind: PortKind
    name: Ident
    places: tuple[Ident, ...]
    span: Span = _span()


@dataclass(frozen=True)
class ComponentType:
    name: Ident
    places: tuple[Ident, ...]
    initial: Ident | None
    running: Ident | None
    stations: tuple[Station, ...]
    behaviors: tuple[Behavior, ...]
    ports: tuple[Port, ...]
    span: Span = _span()


# --------------------------------------------------------------------------- nodes


@dataclass(frozen=True)
class PortRef:
    """`instance.port`."""

    instance: Ident
    port: Ident
    span: Span = _span()

    def __str__(self) -> str:
        return f"{self.instance}.{self.port}"


@dataclass(frozen=True)
class Connection:
    """`user.usePort -- provider.providePort`: always user first, as in Maude."""

    user: PortRef
    provider: PortRef
    span: Span = _span()

    def __str__(self) -> str:
        return f"{self.user} -- {self.provider}"


QueryKind = Literal["isActive", "isRefusing", "isConnected", "onDisconnect", "isCompleted"]


@dataclass(frozen=True)
class Query:
    """A question of the protocol, as it appears in an answer cache.

    `port` is set for isActive/isRefusing, `connection` for isConnected and
    onDisconnect, `instance` and `push_id` for isCompleted. `dst` is the
    instance the question is addressed to; None means the natural one (the
    port's instance, the connection's provider, the waited instance).
    """

    kind: QueryKind
    port: PortRef | None = None
    connection: Connection | None = None
    instance: Ident | None = None
    push_id: Ident | None = None
    dst: Ident | None = None
    span: Span = _span()


@dataclass(frozen=True)
class CacheEntry:
    query: Query
    value: bool
    span: Span = _span()


@dataclass(frozen=True)
class StartInstance:
    """`start i: Type at place, place`: an instance present in the initial state."""

    instance: Ident
    type: Ident
    places: tuple[Ident, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Push:
    """One behavior push, `behavior as pushid` (in a program or an initial queue)."""

    behavior: Ident
    push_id: Ident
    span: Span = _span()


@dataclass(frozen=True)
class InitialQueue:
    """`queue i: b1 as id1, b2 as id2`: behaviors already queued on an instance."""

    instance: Ident
    pushes: tuple[Push, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Add:
    instance: Ident
    type: Ident
    span: Span = _span()


@dataclass(frozen=True)
class Del:
    instance: Ident
    span: Span = _span()


@dataclass(frozen=True)
class Con:
    connection: Connection
    span: Span = _span()


@dataclass(frozen=True)
class Dcon:
    connection: Connection
    span: Span = _span()


@dataclass(frozen=True)
class PushB:
    instance: Ident
    behavior: Ident
    push_id: Ident
    span: Span = _span()


@dataclass(frozen=True)
class Wait:
    """Wait until push `push_id` on `instance` is completed (Maude's wait(Id, IdB))."""

    instance: Ident
    push_id: Ident
    span: Span = _span()


Instruction = Add | Del | Con | Dcon | PushB | Wait


@dataclass(frozen=True)
class NodeDecl:
    name: Ident
    hosts: tuple[Ident, ...]
    starts: tuple[StartInstance, ...]
    queues: tuple[InitialQueue, ...]
    connections: tuple[Connection, ...]
    cache: tuple[CacheEntry, ...]
    program: tuple[Instruction, ...]
    span: Span = _span()


# --------------------------------------------------------------------------- goals


@dataclass(frozen=True)
class BehaviorGoal:
    """`behavior c: b`: instance `c` runs behavior `b` at least once.

    `component` None is `forall`: every instance whose type has the behavior and
    that has no behavior goal of its own.
    """

    component: Ident | None
    behavior: Ident
    span: Span = _span()


@dataclass(frozen=True)
class ComponentGoal:
    """`component c: status`: where `c` ends. The status is `running` (the type's
    running place), `initial` (its initial place), `start` (where it starts) or a
    place name. `component` None is `forall`: every instance without its own goal."""

    component: Ident | None
    status: Ident
    span: Span = _span()


@dataclass(frozen=True)
class PortGoal:
    """`port c.p: active|inactive`: how a port ends. `port` None is `forall`."""

    port: PortRef | None
    status: Ident
    span: Span = _span()


GoalItem = BehaviorGoal | ComponentGoal | PortGoal


@dataclass(frozen=True)
class GoalBlock:
    """`goal { ... }`: what a planner must reach from the assembly (Ballet's goal.yaml)."""

    items: tuple[GoalItem, ...]
    span: Span = _span()


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class Property:
    """`property name: formula`; the formula stays text, parsed by the checker."""

    name: Ident
    formula: str
    formula_span: Span = _span()
    span: Span = _span()


@dataclass(frozen=True)
class Comment:
    """A comment, kept aside from the AST for the formatter.

    `trailing` is true when code precedes it on its line; `blank_after` when an
    empty line follows it (a header comment stays apart from what follows).
    """

    line: int
    text: str
    trailing: bool
    blank_after: bool = False


@dataclass(frozen=True)
class Include:
    path: str
    span: Span = _span()


@dataclass(frozen=True)
class SourceFile:
    """One parsed file, exactly as written (includes not yet resolved)."""

    path: str
    includes: tuple[Include, ...]
    types: tuple[ComponentType, ...]
    nodes: tuple[NodeDecl, ...]
    properties: tuple[Property, ...]
    goals: tuple[GoalBlock, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A plan with its includes resolved: every type it can see, its own nodes
    and properties. This is what the static checks and the semantics consume."""

    path: str
    types: tuple[ComponentType, ...]
    nodes: tuple[NodeDecl, ...]
    properties: tuple[Property, ...]
    files: tuple[str, ...] = field(default=(), compare=False)
    goals: tuple[GoalBlock, ...] = ()
