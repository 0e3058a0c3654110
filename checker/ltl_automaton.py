"""Büchi automata as values, and what can be done with one besides building it.

The translation (`buchi.translate`) produces a `Buchi`: a transition-based
generalized Büchi automaton whose edges carry DNF guards over atom literals and
acceptance marks. This module holds that type and the generic operations on
it: matching a guard against a state's atom values, printing, the
SCC-aware degeneralization to a state-based automaton (`StateBuchi`, for a
nested-DFS check), deciding acceptance of an ultimately periodic word (the
cross-check of the translation), and Tarjan's algorithm shared by them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypeAlias, TypeVar

from . import ltl_ast as A
from .ltl_ast import Formula
from .ltl_eval import LassoWord

Literal: TypeAlias = tuple[A.Atom, bool]
Cube: TypeAlias = frozenset[Literal]
Guard: TypeAlias = tuple[Cube, ...]  # a disjunction of cubes; () is false

TRUE_CUBE: Cube = frozenset()
N = TypeVar("N")


class Edge(NamedTuple):
    """One automaton edge: taken on letters satisfying `guard`, it visits `marks`."""

    guard: Guard
    target: int
    marks: frozenset[int]


def matches(guard: Guard, valuation: Callable[[A.Atom], bool]) -> bool:
    """Whether a state whose atoms evaluate by `valuation` satisfies the guard."""
    return any(all(valuation(atom) == pol for atom, pol in cube) for cube in guard)


def cube_text(cube: Cube) -> str:
    if not cube:
        return "true"
    lits = sorted(cube, key=lambda lit: (str(lit[0]), not lit[1]))
    return " & ".join(str(a) if pol else f"!{_atom_operand(a)}" for a, pol in lits)


def _atom_operand(a: A.Atom) -> str:
    text = str(a)
    return f"({text})" if a.value is not None else text


def guard_text(guard: Guard) -> str:
    if not guard:
        return "false"
    if len(guard) == 1:
        return cube_text(guard[0])
    return " | ".join(f"({cube_text(c)})" if len(c) > 1 else cube_text(c) for c in guard)


@dataclass(frozen=True)
class Buchi:
    """A transition-based generalized Büchi automaton.

    A run is accepting when it takes, for every set 0..num_sets-1, infinitely
    many edges carrying that mark. With num_sets == 0 every infinite run is.
    `labels[q]` names the obligations state q stands for; `set_labels[i]` the
    until-formula whose acceptance set is i.
    """

    formula: Formula
    initial: tuple[int, ...]
    edges: tuple[tuple[Edge, ...], ...]
    num_sets: int
    labels: tuple[str, ...]
    set_labels: tuple[str, ...]
    atoms: frozenset[A.Atom] = field(default=frozenset())

    def initial_states(self) -> tuple[int, ...]:
        return self.initial

    def successors(self, q: int) -> tuple[Edge, ...]:
        return self.edges[q]

    def enabled(self, q: int, valuation: Callable[[A.Atom], bool]) -> list[Edge]:
        """The edges of q a system state with these atom values can take (product step)."""
        return [e for e in self.edges[q] if matches(e.guard, valuation)]

    @property
    def num_states(self) -> int:
        return len(self.edges)

    @property
    def num_edges(self) -> int:
        """Edges as (source, target, marks) groups, each with one DNF guard."""
        return sum(len(es) for es in self.edges)

    @property
    def num_cubes(self) -> int:
        return sum(len(e.guard) for es in self.edges for e in es)

    def describe(self) -> str:
        """A readable listing, one state per block."""
        lines = [
            f"TGBA for {A.to_text(self.formula)}: {self.num_states} states, "
            f"{self.num_edges} edges, {self.num_sets} acceptance sets"
        ]
        for i, label in enumerate(self.set_labels):
            lines.append(f"  set {i}: {label}")
        for q, es in enumerate(self.edges):
            init = " (initial)" if q in self.initial else ""
            lines.append(f"  state {q}{init}: {self.labels[q]}")
            for e in es:
                marks = " {" + ",".join(map(str, sorted(e.marks))) + "}" if e.marks else ""
                lines.append(f"    [{guard_text(e.guard)}] -> {e.target}{marks}")
        return "\n".join(lines)


# ---------------------------------------------------------------- degeneralization


@dataclass(frozen=True)
class StateBuchi:
    """A state-based Büchi automaton (one acceptance set, on states), as for a nested DFS."""

    initial: tuple[int, ...]
    edges: tuple[tuple[tuple[Guard, int], ...], ...]
    accepting: frozenset[int]

    @property
    def num_states(self) -> int:
        return len(self.edges)

    @property
    def num_edges(self) -> int:
        return sum(len(es) for es in self.edges)


def degeneralize(aut: Buchi) -> StateBuchi:
    """The usual level construction, aware of strongly connected components.

    Inside a component that can accept, state (q, i) waits for set i; an edge
    advances the level through every consecutive set it carries, and level k
    (a completed round) is accepting. States of components that cannot accept
    get one copy, never accepting. With no sets, every state of an accepting
    component accepts.
    """
    k = aut.num_sets
    graph = {q: [(e.target, e.marks) for e in aut.successors(q)] for q in range(aut.num_states)}
    comp_of: dict[int, int] = {}
    good: set[int] = set()
    everything = frozenset(range(k))
    for i, comp in enumerate(sccs(graph)):
        marks: set[int] = set()
        internal = False
        for q in comp:
            comp_of[q] = i
            for t, m in graph[q]:
                if t in comp:
                    internal = True
                    marks |= m
        if internal and marks >= everything:
            good.add(i)
    ids: dict[tuple[int, int], int] = {}
    edges: list[list[tuple[Guard, int]]] = []
    todo: list[tuple[int, int]] = []

    def intern(node: tuple[int, int]) -> int:
        if node not in ids:
            ids[node] = len(edges)
            edges.append([])
            todo.append(node)
        return ids[node]

    def advance(level: int, marks: frozenset[int]) -> int:
        j = 0 if level == k else level
        while j < k and j in marks:
            j += 1
        return j

    initial = tuple(intern((q, 0)) for q in aut.initial)
    while todo:
        q, level = todo.pop()
        src = ids[(q, level)]
        for e in aut.successors(q):
            t = e.target
            if comp_of[t] not in good:
                node = (t, 0)
            elif comp_of[t] == comp_of[q]:
                node = (t, advance(level, e.marks))
            else:
                node = (t, advance(0, e.marks))
            edges[src].append((e.guard, intern(node)))
    accepting = frozenset(i for (q, level), i in ids.items() if level == k and comp_of[q] in good)
    return StateBuchi(initial, tuple(tuple(es) for es in edges), accepting)


# ---------------------------------------------------------------- acceptance of a lasso word


def accepts(aut: Buchi, word: LassoWord) -> bool:
    """Whether the automaton accepts the ultimately periodic word (used as a cross-check).

    The product of the word's lasso and the automaton is a finite graph; the
    word is accepted iff a strongly connected component reachable from an
    initial node has internal edges carrying every acceptance mark.
    """
    return _lasso_accepts(aut.initial, aut.successors, aut.num_sets, word)


def accepts_state_based(ba: StateBuchi, word: LassoWord) -> bool:
    """`accepts` for a degeneralized automaton: an accepting state must recur."""
    marked = frozenset({0})

    def successors(q: int) -> list[Edge]:
        m = marked if q in ba.accepting else frozenset()
        return [Edge(guard, t, m) for guard, t in ba.edges[q]]

    return _lasso_accepts(ba.initial, successors, 1, word)


def _lasso_accepts(
    initial: Iterable[int],
    successors: Callable[[int], Sequence[Edge]],
    num_sets: int,
    word: LassoWord,
) -> bool:
    graph: dict[tuple[int, int], list[tuple[tuple[int, int], frozenset[int]]]] = {}
    todo = [(0, q) for q in initial]
    for node in todo:
        graph.setdefault(node, [])
    while todo:
        pos, q = todo.pop()
        letter = word.letter(pos)
        nxt_pos = word.succ(pos)
        for e in successors(q):
            if matches(e.guard, letter.__contains__):
                node = (nxt_pos, e.target)
                graph[(pos, q)].append((node, e.marks))
                if node not in graph:
                    graph[node] = []
                    todo.append(node)
    everything = frozenset(range(num_sets))
    for component in sccs(graph):
        marks: set[int] = set()
        internal = False
        for node in component:
            for succ, m in graph[node]:
                if succ in component:
                    internal = True
                    marks |= m
        if internal and marks >= everything:
            return True
    return False


def sccs(graph: Mapping[N, Sequence[tuple[N, frozenset[int]]]]) -> list[frozenset[N]]:
    """Tarjan's algorithm, iterative (automata and products may be deep)."""
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    on_stack: set[N] = set()
    stack: list[N] = []
    out: list[frozenset[N]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = len(index)
                stack.append(v)
                on_stack.add(v)
            succs = graph[v]
            if i < len(succs):
                work.append((v, i + 1))
                w = succs[i][0]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                comp: list[N] = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(frozenset(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return out
