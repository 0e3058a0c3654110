"""When a node may be asking a question, and whether two nodes can be asking
the same question at once: a static happens-before over the plan's programs.

Why. Questions carry no sender: the host of a question asked by two nodes at
once may send both answers to one of them, and the other then waits for ever
(docs/semantics-notes.md N3). The quiet system (`spec.quiet`) is a faithful
abstraction only when that cannot happen. Checking it as an invariant costs a
search far larger than the one it enables (docs/relaxation.md), so it is
derived from the programs instead: a plan whose waits order every two nodes'
asking of a shared question never has two of them asking it at once.

An *episode* is an interval of time during which one node may hold a copy of
a question in flight (in its outgoing list or its history, the copy at the
host, or the answer on its way back). Every way a node asks gives one:

* `wait x P` (x remote) asks `isCompleted(x, P)` while it is the head
  instruction: from the execution of the instruction before it to its own;
  it passes only on a cached true, received with the last copy's answer.
* `dcon` asks `isActive` and `onDisconnect` while it is the head
  instruction, and passes only once every one of them came back with the
  desired value: the same interval.
* A behavior of a user instance that enters a place of a use port's group
  asks `isConnected` and `isRefusing` of the provider's node while it runs:
  from its start to its finish. The use port can only become active through
  such an entering, which needs both desired answers cached, so no copy is
  left in flight when the behavior finishes (it cannot finish before its
  tokens have entered their places).
* A behavior of a provider instance asks `isActive` of its users' nodes
  before a firing that would leave the provide port's group. The firing may
  happen without the answer (another token may keep the port active), so
  the copy may outlive the behavior: that episode has no known end.

Events are the executions of instructions, and the starts and finishes of
pushed behaviors. Each edge holds in every run: the instructions of a node
execute in order; a behavior starts after its push and after the previous
behavior of its instance finished (one queue per instance); a remote `wait x
P` passes only after every push of `P` on x's node finished (isCompleted is
"no such push left in the program and none queued"). A local wait gives no
edge (profile maude evaluates it without the waited instance, N1). A path from
the end of one episode to the start of another means the first is over
before the second begins; two episodes of different nodes for one question
with no path either way may overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .model import DCON, PUSH, WAIT, Model, bits
from .por_groups import ConcertoGroups

Event = tuple[str, int, int]
"""("x", n, k): instruction k of node n executes; ("s"|"f", n, k): the
behavior pushed by that instruction starts, finishes."""


@dataclass(frozen=True)
class Episode:
    """A node may ask `question` from `start` to `end` (None: the beginning of
    the run, resp. no known end)."""

    node: int
    question: int
    start: Event | None
    end: Event | None
    what: str


def happens_before(model: Model) -> nx.DiGraph:
    """The plan's event graph (module docstring): an edge u -> v means that
    in every run where v happens, u happened before it."""
    graph = nx.DiGraph()
    finishes: dict[tuple[int, int], list[Event]] = {}
    for n, nm in enumerate(model.nodes):
        last_push: dict[int, int] = {}
        for k, ins in enumerate(nm.program):
            graph.add_node(("x", n, k))
            if k:
                graph.add_edge(("x", n, k - 1), ("x", n, k))
            if ins.op == PUSH:
                graph.add_edge(("x", n, k), ("s", n, k))
                graph.add_edge(("s", n, k), ("f", n, k))
                if ins.inst in last_push:
                    graph.add_edge(("f", n, last_push[ins.inst]), ("s", n, k))
                last_push[ins.inst] = k
                finishes.setdefault((ins.inst, ins.push), []).append(("f", n, k))
    for n, nm in enumerate(model.nodes):
        for k, ins in enumerate(nm.program):
            if ins.op == WAIT and not (nm.inventory >> ins.inst & 1):
                for done in finishes.get((ins.inst, ins.arg), ()):
                    if done[1] == model.host_of[ins.inst]:
                        graph.add_edge(done, ("x", n, k))
    return graph


def _may_activate(model: Model, inst: int, behavior: int, port: int) -> bool:
    """Can `behavior` of inst's type activate the use port? Only by entering a
    place of its group through a station that no transition internal to the
    group targets: the AND-join waits for the endings of every transition of
    the behavior into that station, and an internal one keeps the port
    active until the entering."""
    ty = model.types[model.instance_type[inst]]
    group = ty.groups.get(port)
    if group is None or behavior < 0:
        return False
    into: dict[int, bool] = {}
    for t in bits(ty.behaviors[behavior]):
        internal = bool(group.transitions >> t & 1)
        for st in bits(ty.trans_stations[t]):
            if group.places >> ty.station_place[st] & 1:
                into[st] = into.get(st, False) or internal
    return not all(into.values()) if into else False


def _may_deactivate(model: Model, inst: int, behavior: int, port: int) -> bool:
    """Can a firing of `behavior` of inst's type deactivate the provide port?
    Only a firing from a place of its group none of whose transitions in the
    behavior is internal to the group (an internal one keeps it active)."""
    ty = model.types[model.instance_type[inst]]
    group = ty.groups.get(port)
    if group is None or behavior < 0:
        return False
    for p in bits(group.places):
        out = ty.trans_from[behavior][p]
        if out and not out & group.transitions:
            return True
    return False


def episodes(model: Model) -> list[Episode]:
    """Every episode of every node (module docstring)."""
    groups = ConcertoGroups(model)
    out: list[Episode] = []
    for n, nm in enumerate(model.nodes):
        for k, ins in enumerate(nm.program):
            before = ("x", n, k - 1) if k else None
            if ins.op in (WAIT, DCON):
                for q in groups.asks_prog.get((n, k), ()):
                    out.append(Episode(n, q, before, ("x", n, k), ins.text))
            if ins.op != PUSH:
                continue
            i = ins.inst
            for c in bits(model.conn_by_provider[i]):
                conn = model.connections[c]
                q = model.q_active_use[c]
                if q in groups.asks_inst.get((n, i), ()) and _may_deactivate(
                    model, i, ins.arg, conn.provide
                ):
                    out.append(Episode(n, q, ("s", n, k), None, ins.text))
            for c, conn in enumerate(model.connections):
                if conn.user != i or not _may_activate(model, i, ins.arg, conn.use):
                    continue
                for q in (model.q_connected[c], model.q_refusing[c]):
                    if q in groups.asks_inst.get((n, i), ()):
                        out.append(Episode(n, q, ("s", n, k), ("f", n, k), ins.text))
    return out


def overlapping(model: Model) -> list[tuple[Episode, Episode]]:
    """Pairs of episodes of one question on two different nodes that the
    plan does not order (empty: no two nodes ever ask a question at once)."""
    graph = happens_before(model)
    after: dict[Event, set[Event]] = {}

    def precedes(a: Episode, b: Episode) -> bool:
        if a.end is None or b.start is None:
            return False
        if a.end not in after:
            after[a.end] = nx.descendants(graph, a.end)
        return b.start in after[a.end]

    by_question: dict[int, list[Episode]] = {}
    for e in episodes(model):
        by_question.setdefault(e.question, []).append(e)
    found: list[tuple[Episode, Episode]] = []
    for eps in by_question.values():
        for x, a in enumerate(eps):
            for b in eps[x + 1 :]:
                if a.node != b.node and not precedes(a, b) and not precedes(b, a):
                    found.append((a, b))
    return found
