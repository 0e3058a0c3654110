"""Transition groups of a Concerto-D model, for partial-order reduction.

The generic reduction (`cdcheck.checker.por`) needs a fixed universe of
transition groups, a footprint per group covering every step the group can
take in any state, and, per state, the keys that must change before a disabled
group can fire. This module derives them from the rules (spec/rules.py), one
group per:

    ("fire", n, i, p) FiringTransitions of instance i on node n from place p
    ("enter", n, i, s) EnteringPlace of i on n through station s
    ("finish", n, i)  FinishingBehavior of i on n
    ("end", n, i, t)  EndingTransition of transition t of i on n (it never
                      changes what a port question answers: a running
                      transition and its endings are in the same group markings)
    ("askf", n, i, p) AskQuestionForFiringTransitions of i on n, for its firing from p
    ("aske", n, i, s) AskQuestionForEnteringPlace of i on n, for its entering at s
    ("prog", n, k)    the k-th instruction of n's program (add/del/con/dcon/pushB/wait)
    ("askp", n, k)    AskQuestionFor{DisconnectPorts,Wait} for that instruction
    ("sendq", n, q)   SendQuestion of question q by n (to any host)
    ("senda", n, q, y)  SendAnswer of question q by n to node y (("sendas", ...):
                      the same when the answer does not reduce)
    ("recvq", n, q)   ReceiveQuestion of q on n
    ("recva", n, q)   ReceiveAnswer to q on n

Keys are per node. An instance i is split so that steps which cannot change
what others read do not conflict with them: `(n, "head", i)` the head of its
queue (FinishingBehavior pops it), `(n, "mark", i, p)` place p marked,
`(n, "run", i, t)` transition t running, `(n, "ending", i, e)` ending e
marked (so the two endings of a fork, or an ending beside the entering of
another station, do not conflict), `(n, "qtail", i)` the end of its queue
(pushB appends there),
`(n, "here", i)` its presence (add, del), `(n, "active", i, port)` and
`(n, "refusing", i, port)` what a port question answers (a firing or entering
changes only the ports whose group holds its place; EndingTransition changes
none), `(n, "done", q)` the value of an isCompleted question (pushB does not
change it: the push goes from "to be pushed" to "queued"). Then
`(n, "conn", c)` one connection of the node's set, `(n, "pc")`,
`(n, "cache", q)` a cached answer (unreduced ones included), `(n, "hist", q)`
q in history, `(n, "asked", q)` q in history or outgoing (what the collect
functions test), and the two ends of each FIFO, `(n, "out"|"pend"|"in",
"head"|"tail")`. Appending writes the tail, popping the head: when both are
enabled the queue is non-empty, so they commute (a send and the receive of a
non-empty inbox are independent). Write-only keys name one message or
question: `(n, "in+", kind, q)` it is appended to the inbox, `(n, "in-",
kind, q)` it is popped, likewise `out+`/`out-`/`pend+`/`pend-`, and
`(n, "reset", q)` a cached isRefusing forgotten: they serve as precise
necessary enabling sets (a receive waits for *its* message, not any send).

Facts used to keep footprints tight (each follows from the rules):
a node only asks about instances outside its inventory, and a question is only
sent to hosts of its destination, so an answer's addressee never has that
question among its own inbox's questions (SendAnswer's `not occurs` test is
constant); SendQuestion moves q from outgoing to history, so "asked" does
not change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .model import (
    ACTIVE,
    ADD,
    COMPLETED,
    CON,
    CONNECTED,
    DCON,
    DEL,
    ONDISC,
    PUSH,
    REFUSING,
    WAIT,
    Model,
    PortGroup,
    TypeModel,
    bits,
)
from .rules import (
    _activated_uses,
    _enterings,
    _firings,
    active_marking,
    and3,
    entering_questions,
    firing_questions,
    implies3,
    is_active,
    not3,
    question,
)
from .state import CACHE_FALSE, CACHE_TRUE, CACHE_UNKNOWN, Inst, NodeState, Stuck, cache_get

Key = tuple[object, ...]
GroupId = tuple[object, ...]

_LOCAL_PROGRAM = {
    "AddComponentInstance",
    "DeleteComponentInstance",
    "ConnectPorts",
    "DisconnectPorts",
    "PushingBehavior",
    "Waiting",
}
_ASK_PROGRAM = {"AskQuestionForDisconnectPorts", "AskQuestionForWait"}
STOPS_ASKING = {
    ACTIVE: CACHE_FALSE,
    REFUSING: CACHE_FALSE,
    CONNECTED: CACHE_TRUE,
    ONDISC: CACHE_TRUE,
    COMPLETED: CACHE_TRUE,
}
"""Per question kind, the cached value that stops the collect functions from
asking again (the desired answer)."""

_MESSAGES = {
    "SendQuestion": "sendq",
    "SendAnswer": "senda",
    "ReceiveQuestion": "recvq",
    "ReceiveAnswer": "recva",
}


@dataclass(frozen=True)
class GroupFootprint:
    reads: frozenset[Key]
    writes: frozenset[Key]

    def conflicts(self, other: GroupFootprint) -> bool:
        """Does one group write what the other reads or writes?"""
        return bool(self.writes & (other.reads | other.writes) or other.writes & self.reads)


class _Builder:
    """Accumulates reads and writes of one group (writes are also reads)."""

    def __init__(self) -> None:
        self.r: set[Key] = set()
        self.w: set[Key] = set()

    def read(self, *keys: Key) -> None:
        self.r.update(keys)

    def write(self, *keys: Key) -> None:
        self.w.update(keys)
        self.r.update(keys)

    def done(self) -> GroupFootprint:
        return GroupFootprint(frozenset(self.r), frozenset(self.w))


class ConcertoGroups:
    """The group universe of one model, and its state-dependent enabling keys."""

    def __init__(self, model: Model, bags: bool = False) -> None:
        self.m = model
        self.bags = bags
        """Lists read as bags (spec.relaxed): no head/tail keys; a step on one
        element commutes with a step on another."""
        m = model
        self.asks_inst: dict[tuple[int, int], tuple[int, ...]] = {}
        self.asks_prog: dict[tuple[int, int], tuple[int, ...]] = {}
        for n, nm in enumerate(m.nodes):
            for i in nm.slots:
                self.asks_inst[(n, i)] = self._inst_questions(n, i)
            for k, ins in enumerate(nm.program):
                qs = self._prog_questions(n, ins.op, ins.inst, ins.arg, ins.push)
                if qs is not None:
                    self.asks_prog[(n, k)] = qs
        self.askable: list[set[int]] = [set() for _ in m.nodes]
        for (n, _), qs in (*self.asks_inst.items(), *self.asks_prog.items()):
            self.askable[n].update(qs)
        self.askers: dict[int, tuple[int, ...]] = {}
        for n, mine in enumerate(self.askable):
            for q in mine:
                self.askers[q] = (*self.askers.get(q, ()), n)
        self.completion_questions: dict[int, list[int]] = {}
        for q, qq in enumerate(m.questions):
            if qq.kind == COMPLETED:
                self.completion_questions.setdefault(qq.dst, []).append(q)
        self.asks_behavior: dict[tuple[int, int, int], frozenset[int]] = {}
        """(node, instance, behavior) -> the questions the ask rules may collect
        while that behavior is the instance's head (`_behavior_questions`)."""
        for n, nm in enumerate(m.nodes):
            for i in nm.slots:
                for b in range(len(m.types[m.instance_type[i]].behaviors)):
                    self.asks_behavior[(n, i, b)] = self._behavior_questions(n, i, b)
        self.groups: dict[GroupId, GroupFootprint] = {}
        self._build()
        self._nes: dict[tuple[GroupId, int], tuple[frozenset[Key], ...]] = {}
        self._ask_reads_memo: dict[tuple[str, int], frozenset[Key]] = {}

    # ------------------------------------------------------------------ questions

    def _remote(self, n: int, inst: int) -> bool:
        return not (self.m.nodes[n].inventory >> inst & 1)

    def _inst_questions(self, n: int, i: int) -> tuple[int, ...]:
        m = self.m
        qs: list[int] = []
        for c in bits(m.conn_by_provider[i]):
            if self._remote(n, m.connections[c].user):
                qs.append(m.q_active_use[c])
        for c, k in enumerate(m.connections):
            if k.user == i and self._remote(n, k.provider):
                qs += [m.q_connected[c], m.q_refusing[c]]
        return tuple(dict.fromkeys(qs))

    def _behavior_questions(self, n: int, i: int, b: int) -> frozenset[int]:
        """What AskQuestionFor{FiringTransitions,EnteringPlace} may collect for
        instance i while behavior b is its head: `isActive` of a remote user
        when b has a transition from a place of the provide port's group (a
        firing that may leave it), `isConnected` and `isRefusing` of a remote
        provider when b has a transition to a station of a place of the use
        port's group (an entering that may activate it)."""
        m = self.m
        ty = m.types[m.instance_type[i]]
        trans = [t for t in range(len(ty.trans_src)) if ty.behaviors[b] >> t & 1]
        sources = 0
        targets = 0
        for t in trans:
            sources |= 1 << ty.trans_src[t]
            for st in range(len(ty.stations)):
                if ty.trans_stations[t] >> st & 1:
                    targets |= 1 << ty.station_place[st]
        qs: set[int] = set()
        for c in bits(m.conn_by_provider[i]):
            k = m.connections[c]
            group = m.group(m.instance_type[i], k.provide)
            if self._remote(n, k.user) and group is not None and group.places & sources:
                qs.add(m.q_active_use[c])
        for c, k in enumerate(m.connections):
            group = m.group(m.instance_type[i], k.use)
            remote = k.user == i and self._remote(n, k.provider)
            if remote and group is not None and group.places & targets:
                qs.update((m.q_connected[c], m.q_refusing[c]))
        return frozenset(qs)

    def still_askable(self, n: int, s: NodeState) -> frozenset[int]:
        """The questions node n may still put in its outgoing list from state
        s: those of the behaviors queued on its instances or pushed by the rest
        of its program, and those of its instructions not yet executed. (Only
        the enabling sets call it, which `_local_sets` memoizes per node state.)"""
        m = self.m
        nm = m.nodes[n]
        qs: set[int] = set()
        for slot, inst in enumerate(s.instances):
            if inst is not None:
                for _, b in inst.queue:
                    qs |= self.asks_behavior[(n, nm.slots[slot], b)]
        for k in range(s.pc, len(nm.program)):
            ins = nm.program[k]
            if ins.op == PUSH and ins.inst in nm.slot_of:
                ty = m.types[m.instance_type[ins.inst]]
                behaviors = [ins.arg] if ins.arg >= 0 else range(len(ty.behaviors))
                for b in behaviors:
                    qs |= self.asks_behavior[(n, ins.inst, b)]
            qs.update(self.asks_prog.get((n, k), ()))
        return frozenset(qs)

    def _prog_questions(
        self, n: int, op: int, inst: int, arg: int, push: int
    ) -> tuple[int, ...] | None:
        m = self.m
        if op == DCON:
            k = m.connections[arg]
            if self._remote(n, k.user):
                return (m.q_active_use[arg], m.q_ondisc_user[arg])
            if self._remote(n, k.provider):
                return (m.q_ondisc_prov[arg],)
            return ()
        if op == WAIT:
            if self._remote(n, inst):
                return (m.q_completed[(inst, arg)],)
            return ()
        return None

    def _question_reads(self, b: _Builder, n: int, q: int) -> None:
        """What `rules.question(m, n, s, q)` reads on node n."""
        m = self.m
        qq = m.questions[q]
        if self._remote(n, qq.dst):
            b.read((n, "cache", q))
            return
        self._local_answer_reads(b, n, q)

    def _local_answer_reads(self, b: _Builder, n: int, q: int) -> None:
        """What `rules.local_answer(m, n, s, q)` reads."""
        m = self.m
        qq = m.questions[q]
        slot_of = m.nodes[n].slot_of
        if qq.kind in (ACTIVE, REFUSING):
            if qq.dst in slot_of:
                if qq.kind == ACTIVE:
                    b.read((n, "active", qq.dst, qq.arg))
                else:  # pushing on an empty queue changes what the ports refuse
                    b.read((n, "refusing", qq.dst, qq.arg), (n, "qtail", qq.dst))
        elif qq.kind == CONNECTED:
            b.read((n, "conn", qq.arg))
        elif qq.kind == ONDISC:
            b.read((n, "pc"))
        else:
            assert qq.kind == COMPLETED
            b.read((n, "done", q))

    # ------------------------------------------------------------------ footprints

    def _firing_asks(self, n: int, i: int, p: int) -> tuple[tuple[int, int], ...]:
        """(connection, question) pairs AskQuestionForFiringTransitions may
        collect for a firing of i from p: `isActive` of a remote user whose
        provide port the firing may leave (`_fire_may_change`; otherwise the
        port stays active and the question is never collected)."""
        m = self.m
        ty = m.instance_type[i]
        found = []
        for c in bits(m.conn_by_provider[i]):
            k = m.connections[c]
            group = m.group(ty, k.provide)
            if (
                self._remote(n, k.user)
                and group is not None
                and _fire_may_change(m.types[ty], group, p)
            ):
                found.append((c, m.q_active_use[c]))
        return tuple(found)

    def _entering_ports(self, i: int, st: int) -> tuple[PortGroup, ...]:
        """The use ports an entering of i at st may activate: their group holds
        the place, and not every ending at st is a group ending (one that is
        keeps the port active already)."""
        t = self.m.types[self.m.instance_type[i]]
        return tuple(
            g for g in t.use_of_place[t.station_place[st]] if t.endings_at_station[st] & ~g.endings
        )

    def _entering_asks(self, n: int, i: int, st: int) -> tuple[int, ...]:
        """The questions AskQuestionForEnteringPlace may collect for an
        entering of i at st: `isConnected` and `isRefusing` of the remote
        providers of the ports it may activate."""
        m = self.m
        qs: list[int] = []
        for g in self._entering_ports(i, st):
            for c in bits(m.conn_by_user_port.get((i, g.port), 0)):
                if self._remote(n, m.connections[c].provider):
                    qs += [m.q_connected[c], m.q_refusing[c]]
        return tuple(dict.fromkeys(qs))

    def _ask_group(self, b: _Builder, n: int, qs: Iterable[int]) -> GroupFootprint:
        """What an ask adds to its candidate's reads: per question, its cached
        value read, its asked-ness (history or outgoing) and its append to
        the outgoing list written."""
        for q in qs:
            b.read((n, "cache", q))
            b.write((n, "asked", q), (n, "out+", q))
        self._fifo(b, (n, "out", "tail"))
        return b.done()

    def _fire_reads(self, b: _Builder, n: int, i: int, p: int) -> None:
        """isSafeToFire when leaving place p: a connection where i provides can
        only fail if the provide port's group holds p (else the port cannot go
        from active to inactive, and the implication holds whatever the user).
        The guard reads the marking only through the activity of the ports
        whose group holds p (is the port active, does something else of the
        group stay marked): only firings and enterings of that group change
        it (EndingTransition keeps it), and they write the port's keys, which
        the firing writes too."""
        m = self.m
        b.read((n, "head", i), (n, "mark", i, p))
        ty = m.instance_type[i]
        for c in bits(m.conn_by_provider[i]):
            group = m.group(ty, m.connections[c].provide)
            if group is not None and _fire_may_change(m.types[ty], group, p):
                b.read((n, "conn", c))
                self._question_reads(b, n, m.q_active_use[c])

    def _entering_port_reads(self, b: _Builder, n: int, i: int, st: int) -> None:
        """What an entering of i at st reads to tell the ports it activates:
        their activity now, and their connections."""
        m = self.m
        for g in self._entering_ports(i, st):
            b.read(*_port_keys(n, i, [g]))
            for c in bits(m.conn_by_user_port.get((i, g.port), 0)):
                b.read((n, "conn", c))

    def _enter_reads(self, b: _Builder, n: int, i: int, st: int) -> None:
        """isConnectedAndAllowed when entering through station st: only the use
        ports the entering may activate are checked, those whose group holds
        the entered place and not every ending at st (a group ending at st
        keeps the port active already). Whether each is active now: its keys,
        which the entering writes. The AND-join reads the head behavior and
        the endings at st."""
        m = self.m
        b.read((n, "head", i), *_ending_keys(n, i, m.types[m.instance_type[i]], st))
        for g in self._entering_ports(i, st):
            for c in bits(m.conn_by_user_port.get((i, g.port), 0)):
                b.read((n, "conn", c))
                if self._remote(n, m.connections[c].provider):
                    b.read((n, "cache", m.q_connected[c]))
                self._question_reads(b, n, m.q_refusing[c])

    def _build(self) -> None:
        m = self.m
        g = self.groups
        for n, nm in enumerate(m.nodes):
            for i in nm.slots:
                t = m.types[m.instance_type[i]]
                for p in range(len(t.places)):
                    b = _Builder()
                    self._fire_reads(b, n, i, p)
                    forks = {tr for tf in t.trans_from for tr in bits(tf[p])}
                    b.write((n, "mark", i, p), *((n, "run", i, tr) for tr in sorted(forks)))
                    b.write(*_port_keys(n, i, self._fired_ports(i, p)))
                    g[("fire", n, i, p)] = b.done()
                for st in range(len(t.stations)):
                    b = _Builder()
                    self._enter_reads(b, n, i, st)
                    b.write(*_ending_keys(n, i, t, st), (n, "mark", i, t.station_place[st]))
                    entered = [g for g in t.groups.values() if _enter_may_change(t, g, st)]
                    b.write(*_port_keys(n, i, entered))
                    g[("enter", n, i, st)] = b.done()
                b = _Builder()
                # The guard also asks for no transition running, no ending and
                # no source of the head behavior marked, but no step that writes
                # the marking (a firing, ending or entering of i) is ever enabled
                # beside the finishing: each needs a marked source, a running
                # transition or an ending. Steps never enabled together need
                # not be dependent; the enabling sets still name the marking
                # (`_no_candidate`). A new head behavior changes which marked
                # places exit their groups.
                b.write((n, "head", i), *((n, "refusing", i, port) for port in t.groups))
                b.write(*((n, "done", q) for q in self.completion_questions.get(i, ())))
                g[("finish", n, i)] = b.done()
                for tr in range(len(t.trans_src)):
                    b = _Builder()
                    b.write((n, "run", i, tr))
                    b.write(*((n, "ending", i, e) for e in t.ending_of[tr].values()))
                    g[("end", n, i, tr)] = b.done()
                # an ask reads its candidate as the firing or entering does
                # (the head, the place or the endings at the station, the
                # activity of the ports it may change) and the connections
                for p in range(len(t.places)):
                    pairs = self._firing_asks(n, i, p)
                    if pairs:
                        b = _Builder()
                        b.read((n, "head", i), (n, "mark", i, p))
                        b.read(*_port_keys(n, i, self._fired_ports(i, p)))
                        b.read(*((n, "conn", c) for c, _ in pairs))
                        g[("askf", n, i, p)] = self._ask_group(b, n, (q for _, q in pairs))
                for st in range(len(t.stations)):
                    qs = self._entering_asks(n, i, st)
                    if qs:
                        b = _Builder()
                        b.read((n, "head", i), *_ending_keys(n, i, t, st))
                        self._entering_port_reads(b, n, i, st)
                        g[("aske", n, i, st)] = self._ask_group(b, n, qs)
            for k in range(len(nm.program)):
                g[("prog", n, k)] = self._instruction(n, k)
                qs = self.asks_prog.get((n, k), ())
                if qs:
                    b = _Builder()
                    b.read((n, "pc"))
                    ins = nm.program[k]
                    if ins.op == DCON:
                        b.read((n, "conn", ins.arg))
                    for q in qs:
                        b.read((n, "cache", q))
                        b.write((n, "asked", q), (n, "out+", q))
                    self._fifo(b, (n, "out", "tail"))
                    g[("askp", n, k)] = b.done()
            for q in sorted(self.askable[n]):
                b = _Builder()
                b.write((n, "out-", q), (n, "hist", q))
                self._fifo(b, (n, "out", "head"))
                for y in m.hosts_of[m.questions[q].dst]:
                    if y != n:
                        b.write((y, "in+", 0, q))
                        self._fifo(b, (y, "in", "tail"))
                g[("sendq", n, q)] = b.done()
                b = _Builder()
                b.write((n, "in-", 1, q), (n, "hist", q), (n, "cache", q), (n, "asked", q))
                self._fifo(b, (n, "in", "head"))
                g[("recva", n, q)] = b.done()
            for q, qq in enumerate(m.questions):
                if not (nm.inventory >> qq.dst & 1):
                    continue
                b = _Builder()
                b.write((n, "in-", 0, q), (n, "pend+", q))
                self._fifo(b, (n, "in", "head"), (n, "pend", "tail"))
                g[("recvq", n, q)] = b.done()
                for y in self.askers.get(q, ()):
                    if y == n:
                        continue
                    g[("senda", n, q, y)] = self._send_answer(n, q, y, unknown=False)
                    if self._may_be_unknown(n, q):
                        g[("sendas", n, q, y)] = self._send_answer(n, q, y, unknown=True)

    def _instruction(self, n: int, k: int) -> GroupFootprint:
        m = self.m
        nm = m.nodes[n]
        ins = nm.program[k]
        b = _Builder()
        b.write((n, "pc"))
        op = ins.op
        if op == PUSH:
            b.read((n, "here", ins.inst))
            b.write((n, "qtail", ins.inst))
        elif op in (ADD, DEL):
            b.write(*self._whole_instance(n, ins.inst))
            for c in bits(m.conn_mentions[ins.inst]):
                b.read((n, "conn", c))
        elif op == CON:
            kc = m.connections[ins.arg]
            for i in (kc.user, kc.provider):
                if i in nm.slot_of:
                    b.read((n, "here", i))
            for c in bits(m.conn_by_user_port.get((kc.user, kc.use), 0)):
                b.read((n, "conn", c))
            b.write((n, "conn", ins.arg))
        elif op == DCON:
            c = ins.arg
            b.write((n, "conn", c))
            for q in (m.q_ondisc_user[c], m.q_ondisc_prov[c], m.q_active_use[c]):
                self._question_reads(b, n, q)
        else:
            assert op == WAIT
            for i in nm.slots:
                b.read((n, "here", i))
            q = m.q_completed[(ins.inst, ins.arg)]
            self._question_reads(b, n, q)
            if ins.inst in nm.slot_of:
                # profile maude hides the matched instance: the queue and the
                # pending pushes are then read directly
                b.read((n, "head", ins.inst), (n, "qtail", ins.inst))
        return b.done()

    def _fired_ports(self, i: int, p: int) -> list[PortGroup]:
        """The ports of i whose activity or refusal a firing from p may change."""
        t = self.m.types[self.m.instance_type[i]]
        return [g for g in t.groups.values() if _fire_may_change(t, g, p)]

    def _holding(self, n: int, i: int, place: int) -> list[Key]:
        """Port keys of the ports of i whose group holds `place`."""
        groups = self.m.types[self.m.instance_type[i]].groups.values()
        return _port_keys(n, i, [g for g in groups if g.places >> place & 1])

    def _marking_keys(self, n: int, i: int) -> list[Key]:
        """The keys of instance i's marking: places, running transitions and
        the endings at each station."""
        t = self.m.types[self.m.instance_type[i]]
        return [
            *((n, "mark", i, p) for p in range(len(t.places))),
            *((n, "run", i, tr) for tr in range(len(t.trans_src))),
            *(key for st in range(len(t.stations)) for key in _ending_keys(n, i, t, st)),
        ]

    def instance_keys(self, n: int, i: int) -> list[Key]:
        """The keys of instance i's head behavior and marking (what the old
        single instance key stood for; its queue's tail is `qtail`)."""
        return [(n, "head", i), *self._marking_keys(n, i)]

    def _whole_instance(self, n: int, i: int) -> list[Key]:
        """Every key of instance i on node n (what add and del change)."""
        keys: list[Key] = [*self.instance_keys(n, i), (n, "here", i), (n, "qtail", i)]
        for port in self.m.types[self.m.instance_type[i]].groups:
            keys += [(n, "active", i, port), (n, "refusing", i, port)]
        keys += [(n, "done", q) for q in self.completion_questions.get(i, ())]
        return keys

    def _may_be_unknown(self, n: int, q: int) -> bool:
        """Can node n's `local_answer` of q be unknown (an absent instance,
        profile maude)? Not when the instance is there from the start and n's
        program never deletes it: then the unreduced answer's group, whose
        footprint reads the whole node, does not exist."""
        m = self.m
        qq = m.questions[q]
        if m.profile != "maude" or qq.kind not in (ACTIVE, REFUSING):
            return False
        slot = m.nodes[n].slot_of.get(qq.dst)
        present = any(ii.slot == slot for ii in m.initial[n].instances)
        deleted = any(ins.op == DEL and ins.inst == qq.dst for ins in m.nodes[n].program)
        return not present or deleted

    def _send_answer(self, n: int, q: int, y: int, unknown: bool) -> GroupFootprint:
        """SendAnswer of q by n; `unknown`: the answer does not reduce (its
        destination is absent), which is a group of its own because the
        unreduced answer carries the node's instances, connections and program."""
        m = self.m
        nm = m.nodes[n]
        qq = m.questions[q]
        b = _Builder()
        b.write((n, "pend-", q))
        self._fifo(b, (n, "pend", "head"))
        self._local_answer_reads(b, n, q)
        if unknown:
            # an unreduced answer carries the node's instances, connections, program
            for i in nm.slots:
                b.read(*self._whole_instance(n, i))
            for c in range(len(m.connections)):
                b.read((n, "conn", c))
            b.read((n, "pc"))
        if qq.kind == ACTIVE:  # getIdsForReset / resetState
            for c in bits(m.conn_by_user_port.get((qq.dst, qq.arg), 0)):
                b.read((n, "conn", c))
                for r in m.refusing_by_dst(m.connections[c].provider):
                    b.write((n, "cache", r), (n, "reset", r))
        b.read((y, "hist", q))
        b.write((y, "in+", 1, q))
        self._fifo(b, (y, "in", "tail"))
        return b.done()

    def _fifo(self, b: _Builder, *ends: Key) -> None:
        """Write the ends of a FIFO list (nothing when lists are bags)."""
        if not self.bags:
            b.write(*ends)

    # ------------------------------------------------------------------ per state

    def group_of(
        self, n: int, s: NodeState, rule: str, args: tuple[int, ...], peer: int
    ) -> GroupId:
        """The group of a step of `rule` on node n (the sender for two-node rules)."""
        if rule == "EndingTransition":
            return ("end", n, args[0], args[1])
        if rule == "FiringTransitions":
            return ("fire", n, args[0], args[1])
        if rule == "EnteringPlace":
            return ("enter", n, args[0], args[1])
        if rule == "FinishingBehavior":
            return ("finish", n, args[0])
        if rule == "AskQuestionForFiringTransitions":
            return ("askf", n, args[0], args[1])
        if rule == "AskQuestionForEnteringPlace":
            return ("aske", n, args[0], args[1])
        if rule in _LOCAL_PROGRAM:
            return ("prog", n, s.pc)
        if rule in _ASK_PROGRAM:
            return ("askp", n, s.pc)
        if rule == "SendAnswer":
            return ("sendas" if args[1] == CACHE_UNKNOWN else "senda", n, args[0], peer)
        return (_MESSAGES[rule], n, args[0])

    def enabling_sets(
        self, group: GroupId, state: tuple[int, ...], nodes: list[list[NodeState]]
    ) -> tuple[frozenset[Key], ...]:
        """Alternative necessary enabling sets of `group`, disabled in the global
        `state` (node ids into `nodes`): the node-local ones of `_local_sets`,
        plus, for an answer, "the addressee must ask first" when it has not."""
        n = group[1]
        assert isinstance(n, int)
        found = self._local_sets(group, n, state[n], nodes[n][state[n]])
        if group[0] in ("senda", "sendas"):
            y, q = group[3], group[2]
            assert isinstance(y, int) and isinstance(q, int)
            if not (nodes[y][state[y]].history >> q & 1):
                found = (*found, frozenset({(y, "hist", q)}))
        return found

    def _local_sets(
        self, group: GroupId, n: int, sid: int, s: NodeState
    ) -> tuple[frozenset[Key], ...]:
        """Alternative necessary enabling sets of `group`, disabled in a state
        whose node `group[1]` is `s`: for each, a key of it must be written
        before the group can fire. One per false conjunct that a single key
        family decides; the group's whole read set when a guard over several
        keys failed. `sid`, the interned id of `s` on node n, keys the memo."""
        key = (group, sid)
        found = self._nes.get(key)
        if found is None:
            found = self._nes[key] = tuple(frozenset(a) for a in self._enabling(group, s))
        return found

    def _fire_alternatives(
        self, n: int, s: NodeState, i: int, p: int, after: Inst
    ) -> list[Iterable[Key]]:
        """A firing of i from p, marked, whose `isSafeToFire` fails: one
        alternative per failing connection (the guard is a conjunction over
        them; any false conjunct must change first): the connection, what the
        firing reads of the instance, and what the user's activity question
        reads."""
        m = self.m
        ty = m.instance_type[i]
        alternatives: list[Iterable[Key]] = []
        for c in bits(s.conns & m.conn_by_provider[i]):
            k = m.connections[c]
            a = question(m, n, s, m.q_active_pro[c])
            b = not active_marking(m, ty, k.provide, after.places, after.running, after.endings)
            u = question(m, n, s, m.q_active_use[c])
            if implies3(and3(a, b), not3(u)) is not True:
                keys = _Builder()
                keys.read((n, "head", i), (n, "mark", i, p), (n, "conn", c))
                keys.read(*self._holding(n, i, p))
                self._question_reads(keys, n, m.q_active_use[c])
                alternatives.append(keys.r)
        return alternatives

    def _enter_alternatives(
        self, n: int, s: NodeState, i: int, inst: Inst, after: Inst, st: int
    ) -> list[Iterable[Key]]:
        """An entering of i whose AND-join holds but whose
        `isConnectedAndAllowed` fails: one alternative per use port it
        activates (a conjunction over them), with every key that port's
        conjunct reads (its connections, their isConnected caches, the
        provider's refusal)."""
        m = self.m
        alternatives: list[Iterable[Key]] = []
        for port in _activated_uses(m, inst, after, st):
            keys = _Builder()
            ty = m.types[m.instance_type[i]]
            place = ty.station_place[st]
            keys.read((n, "head", i), *_ending_keys(n, i, ty, st), *self._holding(n, i, place))
            for c in bits(m.conn_by_user_port.get((i, port), 0)):
                keys.read((n, "conn", c))
                if self._remote(n, m.connections[c].provider):
                    keys.read((n, "cache", m.q_connected[c]))
                self._question_reads(keys, n, m.q_refusing[c])
            alternatives.append(keys.r)
        return alternatives

    def _ask_reads_of(self, kind: str, n: int) -> frozenset[Key]:
        """The reads of every ask group of `kind` on node n."""
        found = self._ask_reads_memo.get((kind, n))
        if found is None:
            found = frozenset().union(
                *(fp.reads for g, fp in self.groups.items() if g[:2] == (kind, n))
            )
            self._ask_reads_memo[(kind, n)] = found
        return found

    def _no_candidate(
        self, kind: str, n: int, i: int, group: GroupId, inst: Inst
    ) -> list[Iterable[Key]]:
        """A firing, entering or finishing of i (queue not empty) whose
        instance-local conjuncts fail: the keys of a false conjunct, one
        alternative per false conjunct (the stubborn closure takes the one
        its members already write, when there is one).
        Only the head behavior's transitions run (a finishing needs none
        running), and an instance holds no ending from an earlier behavior,
        so while the head stays, only its transitions mark places or add
        endings.
        Firing from p: p must be marked, which needs a transition of the
        head behavior to p, else another head; with p marked, the head must
        change. Entering at st: every ending the AND-join of the head
        behavior needs at st must be there (one missing: it must come, or
        the head change; none needed: no ending can come before the head
        changes). Finishing: a running transition must end, an ending be
        entered, a marked source place be left (or the head change)."""
        ty = self.m.types[inst.type]
        head = inst.queue[0][1]
        if kind == "fire":
            p = group[3]
            assert isinstance(p, int)
            if inst.places >> p & 1 or not _targets(ty, head) >> p & 1:
                return [((n, "head", i),)]
            return [((n, "mark", i, p),)]
        if kind == "enter":
            st = group[3]
            assert isinstance(st, int)
            missing = ty.join_req[head][st] & ~inst.endings
            if not ty.join_req[head][st]:
                return [((n, "head", i),)]
            if missing:
                return [((n, "ending", i, e), (n, "head", i)) for e in bits(missing)]
            return [(*_ending_keys(n, i, ty, st), (n, "head", i))]
        found: list[Iterable[Key]] = [((n, "run", i, t),) for t in bits(inst.running)]
        found += [((n, "ending", i, e),) for e in bits(inst.endings)]
        marked = inst.places & ty.sources[head]
        found += [((n, "mark", i, p), (n, "head", i)) for p in bits(marked)]
        assert found, "an enabled finishing"
        return found

    def _ask_blockers(self, n: int, s: NodeState, group: GroupId, inst: Inst) -> frozenset[Key]:
        """An ask whose candidate firing or entering holds but collects no
        question: every question it could collect is blocked by one false
        conjunct (connection absent, already asked, desired value cached, the
        port's activity); all of them must be covered, since any one question
        becoming collectible enables the ask."""
        m = self.m
        kind, i, x = group[0], group[2], group[3]
        assert isinstance(i, int) and isinstance(x, int)
        keys: set[Key] = set()
        checks: list[tuple[int, int, int]] = []
        if kind == "askf":
            ty = m.types[inst.type]
            after = ty.trans_from[inst.queue[0][1]][x]
            for c, q in self._firing_asks(n, i, x):
                provide = m.connections[c].provide
                places, running = inst.places & ~(1 << x), inst.running | after
                stays = active_marking(m, inst.type, provide, places, running, inst.endings)
                if is_active(m, inst, provide) is not True or stays:
                    keys.update(_port_keys(n, i, [m.types[inst.type].groups[provide]]))
                    keys.add((n, "head", i))
                else:
                    checks.append((c, q, CACHE_FALSE))
        else:
            for g in self._entering_ports(i, x):
                conns = bits(m.conn_by_user_port.get((i, g.port), 0))
                if is_active(m, inst, g.port):
                    keys.update(_port_keys(n, i, [g]))
                    continue
                for c in conns:
                    if self._remote(n, m.connections[c].provider):
                        checks += [(c, m.q_connected[c], CACHE_TRUE)]
                        checks += [(c, m.q_refusing[c], CACHE_FALSE)]
        for c, q, undesired in checks:
            if not (s.conns >> c & 1):
                keys.add((n, "conn", c))
            elif s.history >> q & 1 or q in s.outgoing:
                keys.add((n, "asked", q))
            elif cache_get(s.cache, q) == undesired:
                keys.add((n, "cache", q))
        return frozenset(keys)

    def _enabling(self, group: GroupId, s: NodeState) -> list[Iterable[Key]]:
        kind, n, x = group[:3]
        assert isinstance(kind, str) and isinstance(n, int) and isinstance(x, int)
        m = self.m
        fp = self.groups[group]
        if kind == "end":
            return [((n, "run", x, group[3]),)]  # a firing must start it
        if kind in ("fire", "enter", "finish"):
            slot = m.nodes[n].slot_of[x]
            inst = s.instances[slot]
            if inst is None or not inst.queue:
                return [((n, "head", x), (n, "qtail", x))]
            if kind == "fire":
                for c in _firings(m, n, s):
                    if c[0] == slot and c[2] == group[3]:
                        return self._fire_alternatives(n, s, x, c[2], c[3]) or [fp.reads]
            elif kind == "enter":
                for c in _enterings(m, s):
                    if c[0] == slot and c[2] == group[3]:
                        return self._enter_alternatives(n, s, x, c[1], c[3], c[2]) or [fp.reads]
            return self._no_candidate(kind, n, x, group, inst)
        if kind in ("askf", "aske"):
            slot = m.nodes[n].slot_of[x]
            inst = s.instances[slot]
            if inst is None or not inst.queue:
                return [((n, "head", x), (n, "qtail", x))]
            where = group[3]
            assert isinstance(where, int)
            if kind == "askf":
                firing = [c for c in _firings(m, n, s) if c[0] == slot and c[2] == where]
                if not firing:
                    return self._no_candidate("fire", n, x, group, inst)
                collected = firing_questions(m, n, s, x, inst, firing[0][3])
            else:
                entering = [c for c in _enterings(m, s) if c[0] == slot and c[2] == where]
                if not entering:
                    return self._no_candidate("enter", n, x, group, inst)
                collected = entering_questions(m, n, s, x, inst, entering[0][3], where)
            if collected:
                # the rule keeps one step per resulting node state: another
                # candidate's ask (maybe of another instance of the node)
                # collects the same questions, and this one appears once
                # either's candidate or questions change
                return [self._ask_reads_of(kind, n)]
            return [self._ask_blockers(n, s, group, inst)]
        if kind in ("prog", "askp"):
            if x < s.pc:
                return [()]
            if x > s.pc:
                return [((n, "pc"),)]
            ins = m.nodes[n].program[x]
            if kind == "prog" and ins.op == WAIT and self._remote(n, ins.inst):
                if all(i is None for i in s.instances):
                    return [tuple((n, "here", i) for i in m.nodes[n].slots)]
                return [((n, "cache", m.q_completed[(ins.inst, ins.arg)]),)]
            return [fp.reads]
        if kind == "sendq":
            if x in s.outgoing:
                # (bags: a question in the list can always be sent)
                return [((n, "out-", s.outgoing[0]),)] if not self.bags else [fp.reads]
            if x not in self.still_askable(n, s):
                return [()]  # no behavior or instruction left on n can ask it
            found: list[Iterable[Key]] = [((n, "out+", x),)]
            if s.history >> x & 1 or cache_get(s.cache, x) == STOPS_ASKING[m.questions[x].kind]:
                # not askable: an answer must come back (or the cache be reset) first
                found.append(((n, "in-", 1, x), (n, "reset", x)))
            return found
        if kind in ("senda", "sendas"):
            options: list[Iterable[Key]] = []
            dst = m.questions[x].dst
            absent = s.instances[m.nodes[n].slot_of[dst]] is None
            if self._may_be_unknown(n, x) and absent != (kind == "sendas"):
                options.append(((n, "here", dst),))  # the answer has the other kind
            if x not in s.pending:
                options.append(((n, "pend+", x),))
            elif s.pending[0] != x and not self.bags:
                options.append(((n, "pend-", s.pending[0]),))
            if not options:
                options.append(((group[3], "hist", x),))
            return options
        want = 0 if kind == "recvq" else 1
        alternatives: list[Iterable[Key]] = []
        if kind == "recva" and not (s.history >> x & 1):
            alternatives.append(((n, "hist", x),))  # the question must be sent first
        messages = [_message(msg) for msg in s.inbox]
        if (want, x) not in messages:
            alternatives.append(((n, "in+", want, x),))  # it must arrive first
        if messages and messages[0] != (want, x) and not self.bags:
            alternatives.append(((n, "in-", *messages[0]),))  # the head must go first
        assert alternatives, group  # a question at the head is always receivable
        return alternatives


def _ending_keys(n: int, i: int, t: TypeModel, st: int) -> list[Key]:
    """The keys of instance i's endings at station st."""
    return [(n, "ending", i, e) for e in bits(t.endings_at_station[st])]


def _targets(t: TypeModel, b: int) -> int:
    """The places behavior b's transitions may enter (a bit set)."""
    found = 0
    for tr in bits(t.behaviors[b]):
        for st in bits(t.trans_stations[tr]):
            found |= 1 << t.station_place[st]
    return found


def _port_keys(n: int, i: int, groups: Iterable[PortGroup]) -> list[Key]:
    """Activity and refusal keys of instance i's ports of `groups`."""
    return [(n, kind, i, g.port) for g in groups for kind in ("active", "refusing")]


def _fire_may_change(t: TypeModel, group: PortGroup, p: int) -> bool:
    """Can firing from place p change whether the group's port is active or
    refusing? Only when p is in the group and some behavior starts no group
    transition from p (a transition with a station outside the group is not
    one). Otherwise a group transition runs after the firing, and p, marked
    before, does not exit the group: the port is active and not refusing
    both before and after. A transition from a place outside the group is
    not in the group marking either."""
    if not group.places >> p & 1:
        return False
    return any(tf[p] and not tf[p] & group.transitions for tf in t.trans_from)


def _enter_may_change(t: TypeModel, group: PortGroup, st: int) -> bool:
    """Can entering through station st change whether the group's port is
    active or refusing? Only when its place is in the group and either an
    ending at st is not a group ending (the port may become active) or some
    behavior leaves the group from the place (it may become refusing).
    Otherwise a group ending at st makes the port active and not refusing
    before, and the marked place, which does not exit, after."""
    place = t.station_place[st]
    if not group.places >> place & 1:
        return False
    return bool(t.endings_at_station[st] & ~group.endings) or any(
        ex >> place & 1 for ex in group.exits
    )


def _message(msg: int | Stuck) -> tuple[int, int]:
    """(0, q) for the question q, (1, q) for an answer to q."""
    if isinstance(msg, Stuck):
        return (1, msg.q)
    return (1 if msg & 3 else 0, msg >> 2)


_ATOM = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*(?:=\s*[A-Za-z_]\w*)?\s*$")


def atom_keys(model: Model, text: str) -> frozenset[Key] | None:
    """The footprint keys an atom of spec.props reads: the `visible` set of the
    reduction is the union over a formula's atoms. None when no key set can
    say it (`deadlock`: check it with the search's deadlock detection, which
    the reduction preserves, or switch the reduction off). Unknown names raise
    KeyError; spec.props gives the user-facing message first."""
    match = _ATOM.match(text)
    if match is None:
        raise KeyError(text)
    name, argtext = match.group(1), match.group(2)
    args = [a.strip() for a in argtext.split(",")] if argtext else []
    nodes = range(len(model.nodes))

    def where(inst: str) -> list[tuple[int, int]]:
        i = model.instance_index[inst.split(".", 1)[0].strip()]
        return [(n, i) for n in nodes if i in model.nodes[n].slot_of]

    def node(label: str) -> int:
        return next(k for k, nm in enumerate(model.nodes) if nm.name == label)

    def whole(kinds: tuple[str, ...], inst: str) -> frozenset[Key]:
        return frozenset((n, kind, i) for n, i in where(inst) for kind in kinds)

    if name == "deadlock":
        return None
    if name == "done":
        keys: set[Key] = {(n, "pc") for n in nodes}
        for n in nodes:
            for i in model.nodes[n].slots:
                keys |= {(n, "head", i), (n, "qtail", i)}
        return frozenset(keys)
    if name == "at":
        i = model.instance_index[args[0].strip()]
        p = model.types[model.instance_type[i]].places.index(args[1].strip())
        return frozenset((n, "mark", i, p) for n, i in where(args[0]))
    if name in ("active", "refusing"):
        inst, port_name = (x.strip() for x in args[0].split(".", 1))
        i = model.instance_index[inst]
        port = next(
            k
            for k, (t, pname, _kind) in enumerate(model.ports)
            if t == model.instance_type[i] and pname == port_name
        )
        keys = {(n, name, i, port) for n, i in where(inst)}
        if name == "refusing":
            keys |= whole(("qtail",), inst)
        return frozenset(keys)
    if name == "exists":
        return whole(("here",), args[0])
    if name in ("head", "queued"):
        return whole(("head", "qtail"), args[0])
    if name == "completed":
        # the remaining programs matter only through pushB(i, _, id), which
        # writes i's queue tail on its node: no program counter is read
        return whole(("head", "qtail"), args[0])
    if name == "connected":
        targets = [node(args[2])] if len(args) == 3 else list(nodes)
        return frozenset((n, "conn", c) for n in targets for c in range(len(model.connections)))
    if name == "executed":
        return frozenset({(node(args[0]), "pc")})
    if name == "inbox_empty":
        n = node(args[0])
        # the ends of the FIFO, and (spec.relaxed) every message of the bag
        ends: set[Key] = {(n, "in", "head"), (n, "in", "tail")}
        for q in range(len(model.questions)):
            ends |= {(n, op, kind, q) for op in ("in+", "in-") for kind in (0, 1)}
        return frozenset(ends)
    raise KeyError(text)
