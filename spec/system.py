"""The Concerto-D transition system seen by the checker.

`ConcertoSystem` implements, structurally, the generic `TransitionSystem`
protocol of `cdcheck.checker.system` (spec never imports checker): initial
states, successors labelled with steps, footprints for partial-order
reduction, the atom table, and a readable description of a step.

A global state is a tuple of node-state ids. Node states are interned per node
position, and everything that depends on one node only (the 16 single-node
rules, the sending half of SendQuestion and the answering half of SendAnswer)
is computed once per distinct node state: successor generation then mostly
recombines memoized ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import rules as R
from .forget import Forgettable, forget_answers, forgettable_answers
from .model import OP_NAMES, Model, bits
from .por_groups import ConcertoGroups, GroupFootprint
from .rules import Step
from .state import (
    CACHE_UNKNOWN,
    GlobalState,
    Inst,
    Msg,
    NodeState,
    Stuck,
    cache_get,
    msg_question,
)

if TYPE_CHECKING:
    from .props import Atoms


@dataclass(frozen=True)
class Footprint:
    """What a step reads and writes. Keys are `(node, field)` for a node field
    (`conns`, `pc`, `cache`, `pending`, `outgoing`, `history`, `inbox`) and
    `(node, "inst", instance)` for one instance."""

    reads: frozenset[tuple[object, ...]]
    writes: frozenset[tuple[object, ...]]


@dataclass(frozen=True)
class StepView:
    """A step as a trace shows it."""

    rule: str
    nodes: tuple[str, ...]
    objects: str
    changes: tuple[str, ...]


class ConcertoSystem:
    """The transition system of a compiled plan (see module docstring)."""

    def __init__(self, model: Model, forget: bool = False) -> None:
        self.model = model
        self.forgettable = forgettable_answers(model) if forget else Forgettable()
        """Answers its states forget (spec.forget; a bisimulation): none by
        default, so that states are Maude's exactly."""
        k = len(model.nodes)
        self.state_width = k
        """A global state is a tuple of k interned ids (< 2**32): the
        checker's state store may keep it packed."""
        self._ids: list[dict[NodeState, int]] = [{} for _ in range(k)]
        self._states: list[list[NodeState]] = [[] for _ in range(k)]
        self._local: list[list[list[tuple[Step, int]] | None]] = [[] for _ in range(k)]
        self._pair: dict[tuple[int, int, int, int, int], tuple[Step, int, int] | None] = {}
        self._atoms: Atoms | None = None
        self._por_groups: ConcertoGroups | None = None

    # ------------------------------------------------------------------ interning

    def intern(self, n: int, s: NodeState) -> int:
        if self.forgettable:
            s = forget_answers(s, self.forgettable)
        ids = self._ids[n]
        i = ids.get(s)
        if i is None:
            i = len(self._states[n])
            ids[s] = i
            self._states[n].append(s)
            self._local[n].append(None)
        return i

    def node(self, state: GlobalState, n: int) -> NodeState:
        """The state of node `n` in a global state."""
        return self._states[n][state[n]]

    def nodes(self, state: GlobalState) -> tuple[NodeState, ...]:
        return tuple(self._states[n][i] for n, i in enumerate(state))

    def make_state(self, nodes: Iterable[NodeState]) -> GlobalState:
        return tuple(self.intern(n, s) for n, s in enumerate(nodes))

    def interned_node_states(self) -> int:
        return sum(len(x) for x in self._states)

    # ------------------------------------------------------------------ protocol

    def initial_states(self) -> list[GlobalState]:
        m = self.model
        nodes = []
        for nm, init in zip(m.nodes, m.initial, strict=True):
            ins: list[Inst | None] = [None] * len(nm.slots)
            for ii in init.instances:
                ins[ii.slot] = Inst(ii.type, ii.queue, ii.places, 0, 0)
            nodes.append(NodeState(tuple(ins), init.conns, 0, init.cache, (), (), 0, ()))
        return [self.make_state(nodes)]

    def _local_succ(self, n: int, i: int) -> list[tuple[Step, int]]:
        memo = self._local[n][i]
        if memo is None:
            s = self._states[n][i]
            memo = [
                (step, self.intern(n, s2))
                for rule in R.NODE_RULES
                for step, s2 in rule(self.model, n, s)
            ]
            self._local[n][i] = memo
        return memo

    def _two(self, which: int, x: int, ix: int, y: int, iy: int) -> tuple[Step, int, int] | None:
        key = (which, x, ix, y, iy)
        try:
            return self._pair[key]
        except KeyError:
            pass
        rule = R.SendQuestion if which == 0 else R.SendAnswer
        r = rule(self.model, x, self._states[x][ix], y, self._states[y][iy])
        out = None if r is None else (r[0], self.intern(x, r[1]), self.intern(y, r[2]))
        self._pair[key] = out
        return out

    def successors(self, state: GlobalState) -> Iterator[tuple[Step, GlobalState]]:
        """Every (step, successor), in a fixed order: nodes in plan order, rules
        in NODE_RULES order, then SendQuestion, then SendAnswer."""
        for n, i in enumerate(state):
            for step, j in self._local_succ(n, i):
                yield step, (*state[:n], j, *state[n + 1 :])
        yield from self._messages(state)

    def _messages(self, state: GlobalState) -> Iterator[tuple[Step, GlobalState]]:
        """The steps of the two-node rules, SendQuestion then SendAnswer."""
        m = self.model
        states = self._states
        for x, ix in enumerate(state):
            sx = states[x][ix]
            if sx.outgoing:
                for y in m.hosts_of[m.questions[sx.outgoing[0]].dst]:
                    r = self._two(0, x, ix, y, state[y])
                    if r is not None:
                        yield r[0], _put2(state, x, r[1], y, r[2])
        for x, ix in enumerate(state):
            sx = states[x][ix]
            if sx.pending:
                q = sx.pending[0]
                for y, iy in enumerate(state):
                    if y != x and states[y][iy].history >> q & 1:
                        r = self._two(1, x, ix, y, iy)
                        if r is not None:
                            yield r[0], _put2(state, x, r[1], y, r[2])

    def atoms(self) -> Atoms:
        """The atom table of spec.props (built on first use)."""
        if self._atoms is None:
            from .props import Atoms

            self._atoms = Atoms(self)
        return self._atoms

    # ------------------------------------------------------------------ partial-order reduction

    def por_groups(self) -> Mapping[tuple[object, ...], GroupFootprint]:
        """Transition groups and their static footprints (spec.por_groups)."""
        return self._por().groups

    def group_of(self, state: GlobalState, step: Step) -> tuple[object, ...]:
        """The transition group of a step enabled at `state`."""
        n = step.node
        return self._por().group_of(n, self.node(state, n), step.rule, step.args, step.peer)

    def enabling_sets(
        self, state: GlobalState, group: tuple[object, ...]
    ) -> tuple[frozenset[tuple[object, ...]], ...]:
        """Alternative key sets, one of whose keys must be written before
        `group` (disabled at `state`) can fire."""
        return self._por().enabling_sets(group, state, self._states)

    def _por(self) -> ConcertoGroups:
        if self._por_groups is None:
            self._por_groups = ConcertoGroups(self.model)
        return self._por_groups

    # ------------------------------------------------------------------ footprints

    def footprint(self, step: Step) -> Footprint:
        m = self.model
        n, rule, a = step.node, step.rule, step.args
        r: set[tuple[object, ...]] = set()
        w: set[tuple[object, ...]] = set()
        nm = m.nodes[n]

        def inst(i: int, node: int = n) -> tuple[object, ...]:
            return (node, "inst", i)

        if rule in ("FiringTransitions", "AskQuestionForFiringTransitions"):
            i = a[0]
            r |= {inst(i), (n, "conns"), (n, "cache")}
            for c in bits(m.conn_by_provider[i]):
                u = m.connections[c].user
                if u in nm.slot_of:
                    r.add(inst(u))
            if rule == "FiringTransitions":
                w.add(inst(i))
            else:
                r |= {(n, "history"), (n, "outgoing")}
                w.add((n, "outgoing"))
        elif rule in ("EnteringPlace", "AskQuestionForEnteringPlace"):
            i = a[0]
            r |= {inst(i), (n, "conns"), (n, "cache")}
            for k in m.connections:
                if k.user == i and k.provider in nm.slot_of:
                    r.add(inst(k.provider))
            if rule == "EnteringPlace":
                w.add(inst(i))
            else:
                r |= {(n, "history"), (n, "outgoing")}
                w.add((n, "outgoing"))
        elif rule in ("EndingTransition", "FinishingBehavior"):
            r.add(inst(a[0]))
            w.add(inst(a[0]))
        elif rule in ("AddComponentInstance", "PushingBehavior"):
            r |= {(n, "pc"), inst(a[0])}
            w |= {(n, "pc"), inst(a[0])}
        elif rule == "DeleteComponentInstance":
            r |= {(n, "pc"), inst(a[0]), (n, "conns")}
            w |= {(n, "pc"), inst(a[0])}
        elif rule == "ConnectPorts":
            k = m.connections[a[0]]
            r |= {(n, "pc"), (n, "conns"), inst(k.user), inst(k.provider)}
            w |= {(n, "pc"), (n, "conns")}
        elif rule in ("DisconnectPorts", "AskQuestionForDisconnectPorts"):
            k = m.connections[a[0]]
            r |= {(n, "pc"), (n, "conns"), (n, "cache"), inst(k.user)}
            if rule == "DisconnectPorts":
                w |= {(n, "pc"), (n, "conns")}
            else:
                r |= {(n, "history"), (n, "outgoing")}
                w.add((n, "outgoing"))
        elif rule == "Waiting":
            r |= {(n, "pc"), (n, "cache")} | {inst(i) for i in nm.slots}
            w.add((n, "pc"))
        elif rule == "AskQuestionForWait":
            r |= {(n, "pc"), (n, "cache"), (n, "history"), (n, "outgoing")}
            w.add((n, "outgoing"))
        elif rule == "SendQuestion":
            y = step.peer
            r |= {(n, "outgoing"), (n, "history"), (y, "inbox")}
            w |= {(n, "outgoing"), (n, "history"), (y, "inbox")}
        elif rule == "SendAnswer":
            y = step.peer
            q = m.questions[a[0]]
            r |= {(n, "pending"), (n, "cache"), (n, "conns"), (n, "pc"), inst(q.dst)}
            if a[1] == CACHE_UNKNOWN:  # the unreduced answer carries every instance
                r |= {inst(i) for i in nm.slots}
            r |= {(y, "history"), (y, "inbox")}
            w |= {(n, "pending"), (n, "cache"), (y, "inbox")}
        elif rule == "ReceiveQuestion":
            r |= {(n, "inbox"), (n, "pending")}
            w |= {(n, "inbox"), (n, "pending")}
        elif rule == "ReceiveAnswer":
            r |= {(n, "inbox"), (n, "history"), (n, "cache")}
            w |= {(n, "inbox"), (n, "history"), (n, "cache")}
        else:  # pragma: no cover - every rule is listed above
            raise ValueError(rule)
        return Footprint(frozenset(r), frozenset(w))

    # ------------------------------------------------------------------ describe

    def step_objects(self, step: Step) -> str:
        m = self.model
        a = step.args
        rule = step.rule

        def it(i: int) -> str:
            return m.instances[i]

        def ty(i: int) -> int:
            t = m.instance_type[i]
            return t

        if rule in ("FiringTransitions", "AskQuestionForFiringTransitions"):
            return f"{it(a[0])} leaves {m.types[ty(a[0])].places[a[1]]}"
        if rule in ("EnteringPlace", "AskQuestionForEnteringPlace"):
            t = m.types[ty(a[0])]
            st = t.stations[a[1]]
            pl = t.places[t.station_place[a[1]]]
            return f"{it(a[0])} enters {pl}" + (f" (station {st})" if st != pl else "")
        if rule == "EndingTransition":
            t = m.types[ty(a[0])]
            return f"{it(a[0])}: {t.trans_names[a[1]]} ends at {t.stations[a[2]]}"
        if rule == "FinishingBehavior":
            return f"{it(a[0])} finishes {m.push_ids[a[1]]}"
        if rule in ("AddComponentInstance", "DeleteComponentInstance"):
            return it(a[0])
        if rule in ("ConnectPorts", "DisconnectPorts", "AskQuestionForDisconnectPorts"):
            return m.conn_text(a[0])
        if rule in ("PushingBehavior", "Waiting", "AskQuestionForWait"):
            return f"{it(a[0])} {m.push_ids[a[1]]}"
        if rule in ("SendQuestion", "ReceiveQuestion"):
            return f"{m.question_text(a[0])}@{it(m.questions[a[0]].dst)}"
        if rule in ("SendAnswer", "ReceiveAnswer"):
            v = {1: "false", 2: "true", 3: "unknown"}[a[1]]
            return f"{m.question_text(a[0])}@{it(m.questions[a[0]].dst)} = {v}"
        return ""

    def describe(self, step: Step, before: GlobalState, after: GlobalState) -> StepView:
        m = self.model
        names = [m.nodes[step.node].name]
        if step.peer >= 0:
            names.append(m.nodes[step.peer].name)
        changes: list[str] = []
        for n in range(len(m.nodes)):
            if before[n] != after[n]:
                changes.extend(self.node_changes(n, self.node(before, n), self.node(after, n)))
        return StepView(step.rule, tuple(names), self.step_objects(step), tuple(changes))

    # ------------------------------------------------------------------ rendering helpers

    def inst_text(self, inst: Inst) -> str:
        m = self.model
        t = m.types[inst.type]
        parts = [",".join(t.places[p] for p in bits(inst.places)) or "-"]
        if inst.running:
            parts.append("running " + ",".join(t.trans_names[x] for x in bits(inst.running)))
        if inst.endings:
            ends = [
                f"{t.trans_names[t.ending_trans[e]]}>{t.stations[t.ending_station[e]]}"
                for e in bits(inst.endings)
            ]
            parts.append("endings " + ",".join(ends))
        q = " ".join(f"{m.push_ids[p]}:{t.behavior_names[b]}" for p, b in inst.queue)
        parts.append(f"queue [{q}]")
        return "; ".join(parts)

    def msg_text(self, msg: Msg) -> str:
        m = self.model
        if isinstance(msg, Stuck):
            q, code = msg.q, 3
        else:
            q, code = msg >> 2, msg & 3
        text = f"{m.question_text(q)}@{m.instances[m.questions[q].dst]}"
        if code == 0:
            return "?" + text
        return f"{text}={ {1: 'false', 2: 'true', 3: 'unknown'}[code] }"

    def node_changes(self, n: int, a: NodeState, b: NodeState) -> list[str]:
        m = self.model
        nm = m.nodes[n]
        out: list[str] = []
        for slot, (x, y) in enumerate(zip(a.instances, b.instances, strict=True)):
            if x != y:
                name = m.instances[nm.slots[slot]]
                sx = "absent" if x is None else self.inst_text(x)
                sy = "absent" if y is None else self.inst_text(y)
                out.append(f"{name}: {sx}  =>  {sy}")
        if a.conns != b.conns:
            for c in bits(a.conns & ~b.conns):
                out.append(f"{nm.name}: - connection {m.conn_text(c)}")
            for c in bits(b.conns & ~a.conns):
                out.append(f"{nm.name}: + connection {m.conn_text(c)}")
        if a.pc != b.pc:
            out.append(f"{nm.name}: program done {nm.program[a.pc].text}")
        if a.cache != b.cache:
            for q in range(len(m.questions)):
                ca, cb = cache_get(a.cache, q), cache_get(b.cache, q)
                if ca != cb:
                    val = {0: "forgotten", 1: "false", 2: "true", 3: "unknown"}[cb]
                    out.append(
                        f"{nm.name}: cache {m.question_text(q)}@{m.instances[m.questions[q].dst]}"
                        f" := {val}"
                    )
        for fld in ("outgoing", "pending", "inbox"):
            la, lb = getattr(a, fld), getattr(b, fld)
            if la != lb:
                shown = [
                    self.msg_text(x) if fld == "inbox" else self.msg_text(msg_question(x))
                    for x in lb
                ]
                out.append(f"{nm.name}: {fld} [{', '.join(shown)}]")
        if a.history != b.history:
            hs = [self.msg_text(msg_question(q)) for q in bits(b.history)]
            out.append(f"{nm.name}: history {{{', '.join(hs)}}}")
        return out

    def instruction_text(self, n: int, pc: int) -> str:
        nm = self.model.nodes[n]
        if pc >= len(nm.program):
            return "(end)"
        ins = nm.program[pc]
        return ins.text or OP_NAMES[ins.op]


def _put2(state: GlobalState, x: int, ix: int, y: int, iy: int) -> GlobalState:
    lst = list(state)
    lst[x] = ix
    lst[y] = iy
    return tuple(lst)
