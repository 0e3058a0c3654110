"""LTL model checking: emptiness of the product of a system and a Büchi automaton.

The automaton (from `buchi.translate(Not(f))`) accepts the runs that violate
`f`; the product of the transition system with it is explored on the fly, and
its strongly connected components (Tarjan, iteratively) are examined as soon
as each is complete. A component is a counterexample when its internal edges
carry every acceptance mark of the generalized automaton and, under weak
fairness, every fairness key that is enabled in all of its states is also
taken by one of its internal edges. The violation is shown as a lasso: a
shortest prefix to the component, then a cycle through it that visits every
required mark and, for every key enabled somewhere in the component, either
an edge taking it or a state disabling it (a short cycle that only takes the
keys enabled everywhere may keep another key enabled all along and starve it).

Why whole components suffice for weak fairness: a cycle inside a component
enables at least what every state of the component enables and takes at most
what the component takes, so if the maximal component is unfair, so is every
cycle inside it; and if it is fair and accepting, one cycle through all its
required edges is a fair accepting run.

Finite runs: a system state without successors is extended by a stutter loop
(the step `STUTTER`), as SPIN and Maude do, so `F done` fails on a deadlock.
The stutter step belongs to no process and is ignored by fairness.
"""

from __future__ import annotations

import struct
import time
from array import array
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .buchi import Buchi, matches
from .ltl import Atom
from .search import (
    NO_LIMITS,
    Explorable,
    Limits,
    PropertyResult,
    Stats,
    Trace,
    Verdict,
    memory_mb,
)
from .store import packed_width

S = TypeVar("S", bound=Hashable)
A = TypeVar("A")


class _Stutter:
    """The step of the stutter loop added to states without successors."""

    def __repr__(self) -> str:
        return "STUTTER"


STUTTER: Any = _Stutter()

FairnessKey = Callable[[Any], Hashable | None]


def _same(x: Any) -> Any:
    return x


"""Maps a step to the fairness class it belongs to (a node, a rule instance), or None."""


class _Product(Generic[S, A]):
    """The product graph, numbered in discovery order. Memory is what bounds a
    complete check, so a product state is kept as one key: when the system
    declares `state_width` (its states are tuples of that many ints below
    2**32, see checker/store.py), the state and the automaton state packed
    into one bytes object; else the pair itself."""

    def __init__(
        self,
        system: Explorable[S, A],
        automaton: Buchi,
        valuation: Callable[[Atom, S], bool],
        fairness: FairnessKey | None,
    ) -> None:
        self.system = system
        self.automaton = automaton
        self.valuation = valuation
        self.fairness = fairness
        self.keys: list[Hashable] = []
        self.ids: dict[Hashable, int] = {}
        self._succ_cache: dict[S, list[tuple[Any, S]]] = {}
        self._pack: Callable[[tuple[S, int]], Hashable]
        self._unpack: Callable[[Hashable], tuple[S, int]]
        width = packed_width(system)
        if width is None:
            self._pack = self._unpack = _same
        else:
            codec = struct.Struct(f"<{width + 1}I")
            pack, unpack = codec.pack, codec.unpack

            def packed(node: tuple[S, int]) -> Hashable:
                return pack(*node[0], node[1])  # type: ignore[misc]  # S is a tuple here

            def unpacked(key: Hashable) -> tuple[S, int]:
                values = unpack(key)  # type: ignore[arg-type]
                return values[:-1], values[-1]  # type: ignore[return-value]

            self._pack, self._unpack = packed, unpacked

    def __len__(self) -> int:
        return len(self.keys)

    def node(self, number: int) -> tuple[S, int]:
        return self._unpack(self.keys[number])

    def lookup(self, node: tuple[S, int]) -> int | None:
        return self.ids.get(self._pack(node))

    def node_id(self, node: tuple[S, int]) -> tuple[int, bool]:
        key = self._pack(node)
        found = self.ids.get(key)
        if found is not None:
            return found, False
        number = len(self.keys)
        self.ids[key] = number
        self.keys.append(key)
        return number, True

    def system_successors(self, s: S) -> list[tuple[Any, S]]:
        succ = self._succ_cache.get(s)
        if succ is None:
            succ = list(self.system.successors(s)) or [(STUTTER, s)]
            if len(self._succ_cache) < 200_000:
                self._succ_cache[s] = succ
        return succ

    def initial(self) -> Iterator[tuple[S, int]]:
        for s in self.system.initial_states():
            for q in self.automaton.initial_states():
                yield (s, q)

    def successors(
        self, node: tuple[S, int]
    ) -> Iterator[tuple[Any, tuple[S, int], frozenset[int]]]:
        """Product edges: the automaton reads the label of the source state."""
        s, q = node
        edges = [
            e
            for e in self.automaton.successors(q)
            if matches(e.guard, lambda atom: self.valuation(atom, s))
        ]
        if not edges:
            return
        for step, s2 in self.system_successors(s):
            for e in edges:
                yield step, (s2, e.target), e.marks

    def enabled_keys(self, s: S) -> frozenset[Hashable]:
        if self.fairness is None:
            return frozenset()
        keys = (self.fairness(step) for step, _ in self.system_successors(s) if step is not STUTTER)
        return frozenset(k for k in keys if k is not None)

    def key(self, step: Any) -> Hashable | None:
        if self.fairness is None or step is STUTTER:
            return None
        return self.fairness(step)


@dataclass(frozen=True)
class _Component:
    members: frozenset[int]
    required_marks: frozenset[int]
    required_keys: frozenset[Hashable]
    """Every key enabled in some state of the component: the cycle must take
    each one or pass through a state where it is disabled."""


def check_ltl(
    system: Explorable[S, A],
    automaton: Buchi,
    valuation: Callable[[Atom, S], bool],
    *,
    name: str,
    fairness: FairnessKey | None = None,
    limits: Limits = NO_LIMITS,
    progress: Callable[[Stats], None] | None = None,
) -> tuple[PropertyResult[S, A], Stats]:
    """Decide `f` given the automaton of `!f`: HOLDS, VIOLATED with a lasso, or UNKNOWN."""
    product: _Product[S, A] = _Product(system, automaton, valuation, fairness)
    started = time.perf_counter()
    transitions = 0
    # Tarjan's index of a node is its number (nodes are numbered when first
    # seen, and every new node is visited at once); `low` and the on-stack
    # flags are arrays over the numbers
    low = array("q")
    on_stack = bytearray()
    stack: list[int] = []
    found: _Component | None = None
    stopped: str | None = None
    expanded = 0
    last_report = started

    def stats(complete: bool) -> Stats:
        return Stats(
            states=len(product),
            transitions=transitions,
            depth=0,
            frontier=len(stack),
            seconds=time.perf_counter() - started,
            memory_mb=memory_mb(),
            complete=complete,
        )

    def limit_reached() -> str | None:
        if limits.max_states is not None and len(product) >= limits.max_states:
            return f"the state limit ({limits.max_states:,} product states) was reached"
        if limits.timeout is not None and time.perf_counter() - started > limits.timeout:
            return f"the time limit ({limits.timeout:g} s) was reached"
        if limits.max_memory_mb is not None and memory_mb() > limits.max_memory_mb:
            return f"the memory limit ({limits.max_memory_mb:,} MB) was reached"
        return None

    for init in list(product.initial()):
        root, new = product.node_id(init)
        if not new:
            continue
        # iterative Tarjan: frames of (node, its successor iterator)
        frames: list[tuple[int, Iterator[tuple[Any, tuple[S, int], frozenset[int]]]]] = []
        low.append(root)
        on_stack.append(1)
        stack.append(root)
        frames.append((root, product.successors(init)))
        while frames and found is None and stopped is None:
            v, it = frames[-1]
            advanced = False
            for _step, nxt, _marks in it:
                transitions += 1
                w, new = product.node_id(nxt)
                if new:
                    low.append(w)
                    on_stack.append(1)
                    stack.append(w)
                    frames.append((w, product.successors(nxt)))
                    advanced = True
                    break
                if on_stack[w] and w < low[v]:
                    low[v] = w
            if advanced:
                expanded += 1
                if expanded % 256 == 0:
                    stopped = limit_reached()
                    now = time.perf_counter()
                    if progress is not None and now - last_report > 0.25:
                        last_report = now
                        progress(stats(False))
                continue
            frames.pop()
            if frames:
                parent = frames[-1][0]
                if low[v] < low[parent]:
                    low[parent] = low[v]
            if low[v] == v:
                members: list[int] = []
                while True:
                    w = stack.pop()
                    on_stack[w] = 0
                    members.append(w)
                    if w == v:
                        break
                found = _accepting(product, frozenset(members))
        if found is not None or stopped is not None:
            break
    if found is not None:
        from .lasso_check import lasso_problem  # it imports STUTTER from here

        trace = _lasso(product, found)
        problem = lasso_problem(system, trace, fairness)
        if problem is not None:  # never printed unchecked: a bug here is no verdict
            return (
                PropertyResult(
                    name,
                    Verdict.UNKNOWN,
                    None,
                    f"internal error: the lasso found fails its re-check ({problem})",
                ),
                stats(False),
            )
        result: PropertyResult[S, A] = PropertyResult(
            name,
            Verdict.VIOLATED,
            trace,
            "a run violates it" + (" (under weak fairness)" if fairness else ""),
        )
        return result, stats(False)
    if stopped is not None:
        return (
            PropertyResult(
                name,
                Verdict.UNKNOWN,
                None,
                f"no violation in the {len(product):,} product states explored; {stopped}",
            ),
            stats(False),
        )
    return PropertyResult(name, Verdict.HOLDS), stats(True)


def _internal_edges(
    product: _Product[S, A], members: frozenset[int]
) -> Iterator[tuple[int, Any, int, frozenset[int]]]:
    for v in members:
        for step, nxt, marks in product.successors(product.node(v)):
            w = product.lookup(nxt)
            if w is not None and w in members:
                yield v, step, w, marks


def _accepting(product: _Product[S, A], members: frozenset[int]) -> _Component | None:
    """The component as a counterexample, or None if it is not accepting or not fair."""
    edges = list(_internal_edges(product, members))
    if not edges:
        return None
    marks: set[int] = set()
    taken: set[Hashable] = set()
    for _v, step, _w, m in edges:
        marks |= m
        key = product.key(step)
        if key is not None:
            taken.add(key)
    if len(marks) < product.automaton.num_sets:
        return None
    required_keys: frozenset[Hashable] = frozenset()
    if product.fairness is not None:
        states = {product.node(v)[0] for v in members}
        enabled = [product.enabled_keys(s) for s in states]
        always = frozenset.intersection(*enabled)
        if not always <= taken:
            return None
        required_keys = frozenset.union(*enabled)
    return _Component(members, frozenset(range(product.automaton.num_sets)), required_keys)


def _lasso(product: _Product[S, A], comp: _Component) -> Trace[S, A]:
    prefix_nodes, prefix_steps = _shortest_prefix(product, comp.members)
    start = prefix_nodes[-1]
    internal: dict[int, list[tuple[Any, int, frozenset[int]]]] = {}
    for v, step, w, m in _internal_edges(product, comp.members):
        internal.setdefault(v, []).append((step, w, m))
    todo_marks = set(comp.required_marks)
    # a key is settled by an edge taking it or by a state disabling it
    enabled_at: dict[int, frozenset[Hashable]] = {}

    def enabled(w: int) -> frozenset[Hashable]:
        keys = enabled_at.get(w)
        if keys is None:
            keys = enabled_at[w] = product.enabled_keys(product.node(w)[0])
        return keys

    todo_keys = set(comp.required_keys & enabled(start))
    cycle_nodes: list[int] = [start]
    cycle_steps: list[Any] = []
    current = start

    def wanted(step: Any, w: int, marks: frozenset[int]) -> bool:
        return (
            bool(marks & todo_marks)
            or product.key(step) in todo_keys
            or not todo_keys <= enabled(w)
        )

    def settle(step: Any, w: int, marks: frozenset[int]) -> None:
        todo_marks.difference_update(marks)
        todo_keys.discard(product.key(step))
        todo_keys.intersection_update(enabled(w))

    while True:
        if todo_marks or todo_keys:
            path = _path_to_edge(internal, current, wanted)
        elif not cycle_steps:  # no requirement left: any internal edge starts the cycle
            path = _path_to_edge(internal, current, lambda _step, _w, _marks: True)
        else:
            break
        if path is None:  # pragma: no cover - the component was checked to have them
            raise AssertionError("no cycle through the accepting component")
        for step, w, m in path:
            settle(step, w, m)
            cycle_steps.append(step)
            cycle_nodes.append(w)
            current = w
    back = _path_to_node(internal, current, start)
    for step, w, _m in back:
        cycle_steps.append(step)
        cycle_nodes.append(w)
    nodes = prefix_nodes + cycle_nodes[1:]
    states = tuple(product.node(n)[0] for n in nodes)
    return Trace(states, tuple(prefix_steps + cycle_steps), loop_start=len(prefix_steps))


def _shortest_prefix(
    product: _Product[S, A], targets: frozenset[int]
) -> tuple[list[int], list[Any]]:
    parent: dict[int, tuple[int, Any] | None] = {}
    queue: deque[int] = deque()
    for init in product.initial():
        n, _ = product.node_id(init)
        if n not in parent:
            parent[n] = None
            queue.append(n)
    while queue:
        v = queue.popleft()
        if v in targets:
            nodes, steps = [v], []
            link = parent[v]
            while link is not None:
                u, step = link
                nodes.append(u)
                steps.append(step)
                link = parent[u]
            nodes.reverse()
            steps.reverse()
            return nodes, steps
        for step, nxt, _m in product.successors(product.node(v)):
            w = product.lookup(nxt)
            if w is not None and w not in parent:
                parent[w] = (v, step)
                queue.append(w)
    raise AssertionError("accepting component unreachable")  # pragma: no cover


def _bfs(
    internal: dict[int, list[tuple[Any, int, frozenset[int]]]],
    start: int,
    stop: Callable[[int, Any, int, frozenset[int]], bool],
) -> list[tuple[Any, int, frozenset[int]]] | None:
    parent: dict[int, tuple[int, Any, frozenset[int]] | None] = {start: None}
    queue: deque[int] = deque([start])
    while queue:
        v = queue.popleft()
        for step, w, m in internal.get(v, []):
            if stop(v, step, w, m):
                path = [(step, w, m)]
                u = v
                while parent[u] is not None:
                    p, st, mm = parent[u]  # type: ignore[misc]
                    path.append((st, u, mm))
                    u = p
                path.reverse()
                return path
            if w not in parent:
                parent[w] = (v, step, m)
                queue.append(w)
    return None


def _path_to_edge(
    internal: dict[int, list[tuple[Any, int, frozenset[int]]]],
    start: int,
    wanted: Callable[[Any, int, frozenset[int]], bool],
) -> list[tuple[Any, int, frozenset[int]]] | None:
    return _bfs(internal, start, lambda _v, step, w, m: wanted(step, w, m))


def _path_to_node(
    internal: dict[int, list[tuple[Any, int, frozenset[int]]]], start: int, goal: int
) -> list[tuple[Any, int, frozenset[int]]]:
    if start == goal:
        return []
    path = _bfs(internal, start, lambda _v, _s, w, _m: w == goal)
    assert path is not None
    return path


def node_fairness(node_of: Callable[[Any], Hashable]) -> FairnessKey:
    """Weak fairness per process: a step's key is the process that takes it."""
    return node_of


def step_fairness(identity: Callable[[Any], Hashable] = lambda step: step) -> FairnessKey:
    """Weak fairness per rule instance: a step's key is the step itself."""
    return identity
