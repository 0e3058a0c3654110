"""The Concerto-D semantics as a Z3 transition relation (for BMC, k-induction, PDR).

Same rules as `spec.rules`, rule for rule, over state variables instead of
Python values. Per node `n` (variable names start with `n<k>.`):

* per instance slot `s`: `present`, one Bool per place (`pl`), transition term
  (`rt`) and ending (`en`); the behavior queue as two Ints `qh <= qt` into a
  static sequence: a slot's queue only ever receives its initial items and then
  the pushes of its node's program, in program order, so the queue is always a
  window `seq[qh:qt]` of that sequence (a re-added instance starts with
  `qh = qt`);
* a Bool per connection the node can ever hold, the program counter `pc`,
  the answer cache as one Int code per question the node can ever cache
  (0 absent, 1 false, 2 true, 3 unknown, as `spec.state`), a history Bool per
  question it can ask;
* outgoingQuestions, pendingQuestions and the inbox as bounded arrays of Ints
  with a length. outgoingQuestions never holds a question twice, so its bound is
  exact; the others get a capacity derived from the plan (one slot per
  (asker, question) that can reach the node). An append to a full list sets
  the global flag `ovf` instead, and a state with `ovf` has no successor: the
  engines treat reaching it as "unknown", never as "proved".

Absent instances and empty list positions hold canonical values (false, 0,
`qh = qt`), so that equal explicit states have one encoding (simple-path
constraints rely on it) and `project` can map an explicit state onto it.

An answer that does not reduce (`spec.state.Stuck`, note N2) is encoded by
its code only (3, unknown): the unreduced term it carries never influences a
guard, so the symbolic system is the explicit one with Stuck answers'
contents forgotten; counts differ, reachable behaviors do not.

Each step picks one *action* (a rule applied to fixed objects: node, slot,
queue position, place, question...) through an input variable `act`; the
action list reads as the rule names of `spec.rules.RULE_NAMES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import z3

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
    bits,
)
from .state import CACHE_FALSE, CACHE_TRUE, GlobalState, Stuck

if TYPE_CHECKING:
    from .lemmas import Candidate

Vars = Mapping[str, z3.ExprRef]
Tri3 = tuple[z3.BoolRef, z3.BoolRef]
"""A three-valued Bool as (is true, is false); both false = unknown."""

T_ = z3.BoolVal(True)
F_ = z3.BoolVal(False)


class SymbolicUnsupported(Exception):
    """The plan uses something this encoding does not cover (the verdict is unknown)."""


class SymbolicAtomError(ValueError):
    """An atom the symbolic encoding cannot read."""


def _or(xs: Sequence[z3.BoolRef]) -> z3.BoolRef:
    xs = [x for x in xs if not z3.is_false(x)]
    if not xs:
        return F_
    return xs[0] if len(xs) == 1 else z3.Or(*xs)


def _and(xs: Sequence[z3.BoolRef]) -> z3.BoolRef:
    xs = [x for x in xs if not z3.is_true(x)]
    if not xs:
        return T_
    return xs[0] if len(xs) == 1 else z3.And(*xs)


@dataclass(frozen=True)
class Action:
    """One rule applied to fixed objects: guard and updates over the current
    variables (`updates` maps a variable name to its next value)."""

    rule: str
    node: int
    peer: int
    args: tuple[int, ...]
    guard: z3.BoolRef
    updates: tuple[tuple[str, z3.ExprRef], ...]


@dataclass(frozen=True)
class _Slot:
    node: int
    slot: int
    inst: int
    type: int
    seq: tuple[tuple[int, int], ...]
    """(push id, behavior) in the order they can enter the queue."""
    init_len: int
    push_pos: dict[int, int] = field(default_factory=dict)
    """program counter of a valid pushB on this slot -> its position in seq."""


@dataclass(frozen=True)
class _Layout:
    """Which variables node `n` has (static, derived from the plan)."""

    conns: tuple[int, ...]
    cacheable: tuple[int, ...]
    askable: tuple[int, ...]
    out_cap: int
    pend_cap: int
    inbox_cap: int


class SymbolicConcerto:
    """The symbolic transition system of a compiled plan.

    Satisfies `cdcheck.checker.smt.SymbolicSystem` structurally: `state_vars`,
    `input_vars`, `init`, `trans`, `domain`; plus `enabled`, `atom`, `project`
    and `action_of` for properties, replay and explanations."""

    def __init__(self, model: Model, scale: int = 1, bitvec: bool = True) -> None:
        self.model = model
        self.bitvec = bitvec
        """Bounded ints as bit-vectors (BMC, k-induction: bit-blasting) or as
        mathematical integers (PDR: Spacer generalizes arithmetic far better)."""
        self.scale = scale
        """Multiplies the derived capacities of inboxes and pending lists
        (callers retry with a larger scale after an overflow)."""
        self.slots = self._slots()
        self.layout = self._layouts()
        biggest = max(
            [4 * len(model.questions) + 3]
            + [len(nm.program) + 1 for nm in model.nodes]
            + [len(sl.seq) + 1 for row in self.slots for sl in row]
            + [lay.inbox_cap + lay.pend_cap + lay.out_cap + 8 for lay in self.layout]
        )
        # bit-vectors: signed comparisons, values never near the sign bit
        self.int_sort = z3.BitVecSort(biggest.bit_length() + 2) if bitvec else z3.IntSort()
        self._sorts: dict[str, z3.SortRef] = {}
        self._declare()
        self.v: dict[str, z3.ExprRef] = {
            name: z3.Const(name, sort) for name, sort in self._sorts.items()
        }
        self.actions: tuple[Action, ...] = tuple(self._actions(self.v))

    # ------------------------------------------------------------------ static layout

    def _slots(self) -> list[list[_Slot]]:
        m = self.model
        out: list[list[_Slot]] = []
        for n, (nm, init) in enumerate(zip(m.nodes, m.initial, strict=True)):
            types: dict[int, set[int]] = {k: set() for k in range(len(nm.slots))}
            iq: dict[int, tuple[tuple[int, int], ...]] = {}
            for ii in init.instances:
                types[ii.slot].add(ii.type)
                iq[ii.slot] = ii.queue
            for ins in nm.program:
                if ins.op == ADD:
                    types[nm.slot_of[ins.inst]].add(ins.arg)
            row = []
            for k, inst in enumerate(nm.slots):
                ts = types[k] or {m.instance_type[inst]}
                if len(ts) != 1 or min(ts) < 0:
                    raise SymbolicUnsupported(
                        f"instance {m.instances[inst]} has several types on node {nm.name}"
                    )
                ty = min(ts)
                seq = list(iq.get(k, ()))
                push_pos = {}
                for pc, ins in enumerate(nm.program):
                    if ins.op == PUSH and ins.inst == inst and ins.arg >= 0 and ins.beh_type == ty:
                        push_pos[pc] = len(seq)
                        seq.append((ins.push, ins.arg))
                row.append(_Slot(n, k, inst, ty, tuple(seq), len(iq.get(k, ())), push_pos))
            out.append(row)
        return out

    def _layouts(self) -> list[_Layout]:
        m = self.model
        pconns: list[set[int]] = []
        askable: list[set[int]] = []
        for nm, init in zip(m.nodes, m.initial, strict=True):
            cs = set(bits(init.conns)) | {i.arg for i in nm.program if i.op == CON}
            pconns.append(cs)
            qs: set[int] = set()
            for c in cs:
                qs |= {m.q_active_use[c], m.q_connected[c], m.q_refusing[c]}
            for ins in nm.program:
                if ins.op == DCON:
                    c = ins.arg
                    qs |= {m.q_active_use[c], m.q_ondisc_user[c], m.q_ondisc_prov[c]}
                if ins.op == WAIT:
                    qs.add(m.q_completed[(ins.inst, ins.arg)])
            askable.append({q for q in qs if not (nm.inventory >> m.questions[q].dst & 1)})
        incoming = [0] * len(m.nodes)
        askers: dict[int, int] = {}
        for a in askable:
            for q in a:
                askers[q] = askers.get(q, 0) + 1
                for y in m.hosts_of[m.questions[q].dst]:
                    incoming[y] += 1
        out = []
        for n in range(len(m.nodes)):
            init_cache = {q for q in range(len(m.questions)) if m.initial[n].cache >> (2 * q) & 3}
            # one question per (asker, question) routed here, one answer per
            # asker of each question this node asks (note N3: answers to
            # another asker's question can land here too)
            cap = (incoming[n] + sum(askers[q] for q in askable[n])) * self.scale
            out.append(
                _Layout(
                    conns=tuple(sorted(pconns[n])),
                    cacheable=tuple(sorted(askable[n] | init_cache)),
                    askable=tuple(sorted(askable[n])),
                    out_cap=len(askable[n]),
                    pend_cap=incoming[n] * self.scale,
                    inbox_cap=max(cap, 0),
                )
            )
        del nm
        return out

    def _declare(self) -> None:
        B, N = z3.BoolSort(), self.int_sort
        s = self._sorts
        for n, row in enumerate(self.slots):
            ty_of = self.model.types
            for sl in row:
                t = ty_of[sl.type]
                p = f"n{n}.s{sl.slot}."
                s[p + "present"] = B
                for x in range(len(t.places)):
                    s[p + f"pl{x}"] = B
                for x in range(len(t.trans_src)):
                    s[p + f"rt{x}"] = B
                for x in range(len(t.ending_trans)):
                    s[p + f"en{x}"] = B
                s[p + "qh"] = N
                s[p + "qt"] = N
            lay = self.layout[n]
            for c in lay.conns:
                s[f"n{n}.c{c}"] = B
            s[f"n{n}.pc"] = N
            for q in lay.cacheable:
                s[f"n{n}.k{q}"] = N
            for q in lay.askable:
                s[f"n{n}.h{q}"] = B
            for lst, cap in (("o", lay.out_cap), ("pe", lay.pend_cap), ("i", lay.inbox_cap)):
                s[f"n{n}.{lst}len"] = N
                for j in range(cap):
                    s[f"n{n}.{lst}{j}"] = N
        s["ovf"] = B

    # ------------------------------------------------------------------ protocol

    def state_vars(self) -> list[tuple[str, z3.SortRef]]:
        return list(self._sorts.items())

    def input_vars(self) -> list[tuple[str, z3.SortRef]]:
        if not self.bitvec:
            return [("act", z3.IntSort())]
        return [("act", z3.BitVecSort(max(len(self.actions), 1).bit_length() + 2))]

    def init(self, v: Vars) -> z3.BoolRef:
        m = self.model
        eqs: list[z3.BoolRef] = [v["ovf"] == False]  # noqa: E712
        for n, row in enumerate(self.slots):
            init = m.initial[n]
            started = {ii.slot: ii for ii in init.instances}
            for sl in row:
                t = m.types[sl.type]
                p = f"n{n}.s{sl.slot}."
                ii = started.get(sl.slot)
                eqs.append(v[p + "present"] == (ii is not None))
                places = ii.places if ii is not None else 0
                for x in range(len(t.places)):
                    eqs.append(v[p + f"pl{x}"] == bool(places >> x & 1))
                for x in range(len(t.trans_src)):
                    eqs.append(v[p + f"rt{x}"] == False)  # noqa: E712
                for x in range(len(t.ending_trans)):
                    eqs.append(v[p + f"en{x}"] == False)  # noqa: E712
                eqs.append(v[p + "qh"] == 0)
                eqs.append(v[p + "qt"] == sl.init_len)
            lay = self.layout[n]
            for c in lay.conns:
                eqs.append(v[f"n{n}.c{c}"] == bool(init.conns >> c & 1))
            eqs.append(v[f"n{n}.pc"] == 0)
            for q in lay.cacheable:
                eqs.append(v[f"n{n}.k{q}"] == (init.cache >> (2 * q) & 3))
            for q in lay.askable:
                eqs.append(v[f"n{n}.h{q}"] == False)  # noqa: E712
            for lst, cap in (("o", lay.out_cap), ("pe", lay.pend_cap), ("i", lay.inbox_cap)):
                eqs.append(v[f"n{n}.{lst}len"] == 0)
                for j in range(cap):
                    eqs.append(v[f"n{n}.{lst}{j}"] == 0)
        return _and(eqs)

    def domain(self, v: Vars) -> z3.BoolRef:
        """Ranges every reachable state satisfies (inductive; the engines check it)."""
        m = self.model
        out: list[z3.BoolRef] = []
        lists: list[z3.BoolRef] = []
        for n, row in enumerate(self.slots):
            for sl in row:
                p = f"n{n}.s{sl.slot}."
                qh, qt = v[p + "qh"], v[p + "qt"]
                out += [qh >= 0, qh <= qt, qt >= sl.init_len, qt <= len(sl.seq)]
                for pc in range(len(m.nodes[n].program) + 1):
                    tail = sl.init_len + sum(1 for x in sl.push_pos if x < pc)
                    out.append(z3.Implies(v[f"n{n}.pc"] == pc, qt == tail))
            lay = self.layout[n]
            out += [v[f"n{n}.pc"] >= 0, v[f"n{n}.pc"] <= len(m.nodes[n].program)]
            for q in lay.cacheable:
                out += [v[f"n{n}.k{q}"] >= 0, v[f"n{n}.k{q}"] <= 3]
            for lst, cap in (("o", lay.out_cap), ("pe", lay.pend_cap), ("i", lay.inbox_cap)):
                ln = v[f"n{n}.{lst}len"]
                out += [ln >= 0, ln <= cap]
                for j in range(cap):
                    lists.append(z3.Implies(ln <= j, v[f"n{n}.{lst}{j}"] == 0))
        # An overflowing append may leave a list non-canonical; nothing follows it.
        return z3.And(_and(out), z3.Or(v["ovf"], _and(lists)))

    def trans(self, v: Vars, i: Vars, w: Vars) -> z3.BoolRef:
        """`act` picks one action; it holds with its updates, every other
        variable keeps its value."""
        act = i["act"]
        writers: dict[str, list[int]] = {k: [] for k in self._sorts}
        parts: list[z3.BoolRef] = [act >= 0, act < len(self.actions)]
        for a_idx, a in enumerate(self.actions):
            body = [a.guard] + [w[k] == e for k, e in a.updates]
            for k, _ in a.updates:
                writers[k].append(a_idx)
            parts.append(z3.Implies(act == a_idx, _and(body)))
        for k, ws in writers.items():
            if not ws:
                parts.append(w[k] == self.v[k])
            else:
                parts.append(z3.Or(w[k] == self.v[k], *[act == a for a in ws]))
        # one substitution of the whole relation (none when v are our own variables)
        sub = [(self.v[k], v[k]) for k in self._sorts if not z3.eq(self.v[k], v[k])]
        return z3.substitute(_and(parts), *sub) if sub else _and(parts)

    def enabled(self, v: Vars) -> z3.BoolRef:
        """Some action is enabled (the negation of Maude's normal form)."""
        sub = [(self.v[k], v[k]) for k in self._sorts]
        return z3.substitute(_or([a.guard for a in self.actions]), *sub)

    # ------------------------------------------------------------------ expression helpers

    def _num(self, k: int) -> z3.ExprRef:
        return z3.BitVecVal(k, self.int_sort) if self.bitvec else z3.IntVal(k)

    def _present(self, v: Vars, n: int, inst: int, exclude: int = -1) -> z3.BoolRef:
        k = self.model.nodes[n].slot_of.get(inst)
        if k is None or k == exclude:
            return F_
        return v[f"n{n}.s{k}.present"]

    def _pl(self, v: Vars, sl: _Slot, x: int) -> z3.BoolRef:
        return v[f"n{sl.node}.s{sl.slot}.pl{x}"]

    def _rt(self, v: Vars, sl: _Slot, x: int) -> z3.BoolRef:
        return v[f"n{sl.node}.s{sl.slot}.rt{x}"]

    def _en(self, v: Vars, sl: _Slot, x: int) -> z3.BoolRef:
        return v[f"n{sl.node}.s{sl.slot}.en{x}"]

    def _head_is(self, v: Vars, sl: _Slot, j: int) -> z3.BoolRef:
        p = f"n{sl.node}.s{sl.slot}."
        return z3.And(v[p + "qh"] == j, v[p + "qt"] > j)

    def _conn(self, v: Vars, n: int, c: int) -> z3.BoolRef:
        key = f"n{n}.c{c}"
        return v.get(key, F_)

    def _cache(self, v: Vars, n: int, q: int) -> z3.ArithRef:
        key = f"n{n}.k{q}"
        return v[key] if key in v else self._num(0)

    def _active_marking(
        self, v: Vars, sl: _Slot, port: int, drop_place: int = -1, add_running: int = 0
    ) -> z3.BoolRef:
        g = self.model.types[sl.type].groups.get(port)
        if g is None:
            return F_
        if add_running & g.transitions:
            return T_
        xs = [self._pl(v, sl, x) for x in bits(g.places) if x != drop_place]
        xs += [self._rt(v, sl, x) for x in bits(g.transitions)]
        xs += [self._en(v, sl, x) for x in bits(g.endings)]
        return _or(xs)

    def _absent(self, kind: int) -> Tri3:
        if self.model.profile == "maude":
            return F_, F_
        return (T_, F_) if kind == REFUSING else (F_, T_)

    def _is_active(self, v: Vars, sl: _Slot, port: int, present: z3.BoolRef) -> Tri3:
        am = self._active_marking(v, sl, port)
        at, af = self._absent(ACTIVE)
        return (
            z3.Or(z3.And(present, am), z3.And(z3.Not(present), at)),
            z3.Or(z3.And(present, z3.Not(am)), z3.And(z3.Not(present), af)),
        )

    def _refusing_val(self, v: Vars, sl: _Slot, port: int) -> z3.BoolRef:
        t = self.model.types[sl.type]
        g = t.groups.get(port)
        if g is None:
            return T_
        busy = _or(
            [self._rt(v, sl, x) for x in bits(g.transitions)]
            + [self._en(v, sl, x) for x in bits(g.endings)]
        )
        marked = _or([self._pl(v, sl, x) for x in bits(g.places)])
        leaves = []
        for j, (_pid, b) in enumerate(sl.seq):
            stay = [self._pl(v, sl, x) for x in bits(g.places & ~g.exits[b])]
            leaves.append(z3.And(self._head_is(v, sl, j), z3.Not(_or(stay))))
        return z3.And(z3.Not(busy), z3.Or(z3.Not(marked), _or(leaves)))

    def _is_refusing(self, v: Vars, sl: _Slot, port: int, present: z3.BoolRef) -> Tri3:
        r = self._refusing_val(v, sl, port)
        at, af = self._absent(REFUSING)
        return (
            z3.Or(z3.And(present, r), z3.And(z3.Not(present), at)),
            z3.Or(z3.And(present, z3.Not(r)), z3.And(z3.Not(present), af)),
        )

    def _pc_in(self, v: Vars, n: int, pcs: Sequence[int]) -> z3.BoolRef:
        return _or([v[f"n{n}.pc"] == p for p in pcs])

    def _queued(self, v: Vars, sl: _Slot, pid: int) -> z3.BoolRef:
        p = f"n{sl.node}.s{sl.slot}."
        qh, qt = v[p + "qh"], v[p + "qt"]
        return _or([z3.And(qh <= j, qt > j) for j, (x, _) in enumerate(sl.seq) if x == pid])

    def _local(self, v: Vars, n: int, q: int, exclude: int = -1, pc: int | None = None) -> Tri3:
        """`spec.rules.local_answer` (slot `exclude` hidden; `pc` static if known)."""
        m = self.model
        nm = m.nodes[n]
        qq = m.questions[q]
        kind = qq.kind
        if kind in (ACTIVE, REFUSING):
            k = nm.slot_of.get(qq.dst)
            if k is None or k == exclude:
                return self._absent(kind)
            sl = self.slots[n][k]
            pres = self._present(v, n, qq.dst)
            if kind == ACTIVE:
                return self._is_active(v, sl, qq.arg, pres)
            return self._is_refusing(v, sl, qq.arg, pres)
        if kind == CONNECTED:
            c = self._conn(v, n, qq.arg)
            return c, z3.Not(c)
        pcs = range(len(nm.program) + 1)
        if kind == ONDISC:
            good = [p for p in pcs if p >= len(nm.program) or not (nm.dcon_after[p] >> qq.arg & 1)]
            val = z3.BoolVal(pc in good) if pc is not None else self._pc_in(v, n, good)
            return val, z3.Not(val)
        assert kind == COMPLETED
        pend = [p for p in pcs if (qq.dst, qq.arg) in nm.push_rest[p]]
        pp = z3.BoolVal(pc in pend) if pc is not None else self._pc_in(v, n, pend)
        k = nm.slot_of.get(qq.dst)
        queued: z3.BoolRef = F_
        if k is not None and k != exclude:
            sl = self.slots[n][k]
            queued = z3.And(self._present(v, n, qq.dst), self._queued(v, sl, qq.arg))
        return z3.And(z3.Not(queued), z3.Not(pp)), z3.Or(queued, pp)

    def _question(self, v: Vars, n: int, q: int, exclude: int = -1, pc: int | None = None) -> Tri3:
        if self.model.nodes[n].inventory >> self.model.questions[q].dst & 1:
            return self._local(v, n, q, exclude, pc)
        code = self._cache(v, n, q)
        return code == CACHE_TRUE, code == CACHE_FALSE

    def _askable(self, v: Vars, n: int, q: int, undesired: int) -> z3.BoolRef:
        hk = f"n{n}.h{q}"
        if hk not in v:
            return F_
        lay = self.layout[n]
        olen = v[f"n{n}.olen"]
        in_out = [z3.And(olen > j, v[f"n{n}.o{j}"] == q) for j in range(lay.out_cap)]
        return z3.And(z3.Not(v[hk]), z3.Not(_or(in_out)), self._cache(v, n, q) != undesired)

    def _append(
        self, v: Vars, n: int, lst: str, cap: int, items: Sequence[tuple[z3.BoolRef, z3.ExprRef]]
    ) -> tuple[list[tuple[str, z3.ExprRef]], z3.BoolRef]:
        """Updates appending the items whose condition holds, in order, and the
        overflow condition (more items than free positions)."""
        ln = v[f"n{n}.{lst}len"]
        pos: z3.ArithRef = ln
        placed: list[tuple[z3.BoolRef, z3.ArithRef, z3.ExprRef]] = []
        for cond, val in items:
            placed.append((cond, pos, val))
            pos = pos + z3.If(cond, self._num(1), self._num(0))
        ups: list[tuple[str, z3.ExprRef]] = []
        for j in range(cap):
            e: z3.ExprRef = v[f"n{n}.{lst}{j}"]
            for cond, at, val in reversed(placed):
                e = z3.If(z3.And(cond, at == j), val, e)
            ups.append((f"n{n}.{lst}{j}", e))
        ups.append((f"n{n}.{lst}len", z3.If(pos > cap, ln, pos)))
        return ups, pos > cap

    def _pop(self, v: Vars, n: int, lst: str, cap: int) -> list[tuple[str, z3.ExprRef]]:
        ups: list[tuple[str, z3.ExprRef]] = [
            (f"n{n}.{lst}{j}", v[f"n{n}.{lst}{j + 1}"] if j + 1 < cap else self._num(0))
            for j in range(cap)
        ]
        ups.append((f"n{n}.{lst}len", v[f"n{n}.{lst}len"] - 1))
        return ups

    # ------------------------------------------------------------------ actions

    def _actions(self, v: Vars) -> Iterator[Action]:
        m = self.model
        ok = z3.Not(v["ovf"])
        for n, row in enumerate(self.slots):
            for sl in row:
                for a in self._component_actions(v, sl):
                    yield Action(a.rule, a.node, a.peer, a.args, z3.And(ok, a.guard), a.updates)
            for pc, ins in enumerate(m.nodes[n].program):
                for a in self._program_actions(v, n, pc, ins.op):
                    yield Action(a.rule, a.node, a.peer, a.args, z3.And(ok, a.guard), a.updates)
        for a in self._communication_actions(v):
            yield Action(a.rule, a.node, a.peer, a.args, z3.And(ok, a.guard), a.updates)

    def _overflowing(
        self, a: Action, ups: list[tuple[str, z3.ExprRef]], overflow: z3.BoolRef
    ) -> Action:
        if z3.is_false(z3.simplify(overflow)):
            return Action(a.rule, a.node, a.peer, a.args, a.guard, (*a.updates, *ups))
        return Action(
            a.rule, a.node, a.peer, a.args, a.guard, (*a.updates, *ups, ("ovf", overflow))
        )

    def _ask(
        self,
        v: Vars,
        n: int,
        rule: str,
        args: tuple[int, ...],
        match: z3.BoolRef,
        asks: list[tuple[z3.BoolRef, z3.ExprRef]],
    ) -> Action:
        """An AskQuestionFor... action: `asks` pairs a collect condition with its
        question; enabled when `match` holds and some question is collected,
        it appends the collected ones to outgoingQuestions (in order)."""
        ups, ovf = self._append(v, n, "o", self.layout[n].out_cap, asks)
        guard = z3.And(match, _or([c for c, _ in asks]))
        return self._overflowing(Action(rule, n, -1, args, guard, ()), ups, ovf)

    def _component_actions(self, v: Vars, sl: _Slot) -> Iterator[Action]:
        m = self.model
        n = sl.node
        t = m.types[sl.type]
        pre = f"n{n}.s{sl.slot}."
        present = v[pre + "present"]
        i = sl.inst
        lay = self.layout[n]
        nm = m.nodes[n]
        prov_conns = [c for c in lay.conns if m.connections[c].provider == i]
        for j, (_pid, b) in enumerate(sl.seq):
            head = z3.And(present, self._head_is(v, sl, j))
            # FiringTransitions / AskQuestionForFiringTransitions
            for p in range(len(t.places)):
                out = t.trans_from[b][p]
                if not out:
                    continue
                match = z3.And(head, self._pl(v, sl, p))
                safe = []
                asks: list[tuple[z3.BoolRef, z3.ExprRef]] = []
                for c in prov_conns:
                    k = m.connections[c]
                    _a_t, a_f = self._question(v, n, m.q_active_pro[c])
                    after = self._active_marking(v, sl, k.provide, p, out)
                    _u_t, u_f = self._question(v, n, m.q_active_use[c])
                    safe.append(z3.Implies(self._conn(v, n, c), z3.Or(a_f, after, u_f)))
                    if not (nm.inventory >> k.user & 1):
                        q = m.q_active_use[c]
                        now = self._active_marking(v, sl, k.provide)
                        cond = z3.And(
                            self._conn(v, n, c),
                            self._askable(v, n, q, CACHE_FALSE),
                            now,
                            z3.Not(after),
                        )
                        asks.append((cond, self._num(q)))
                ups: list[tuple[str, z3.ExprRef]] = [(pre + f"pl{p}", F_)]
                ups += [(pre + f"rt{x}", T_) for x in bits(out)]
                yield Action(
                    "FiringTransitions", n, -1, (i, p), z3.And(match, _and(safe)), tuple(ups)
                )
                if asks:
                    yield self._ask(v, n, "AskQuestionForFiringTransitions", (i, p), match, asks)
            # EnteringPlace / AskQuestionForEnteringPlace
            for st in range(len(t.stations)):
                at = [self._en(v, sl, e) for e in bits(t.endings_at_station[st])]
                if not at:
                    continue
                req = [self._en(v, sl, e) for e in bits(t.join_req[b][st])]
                match = z3.And(head, _or(at), _and(req))
                place = t.station_place[st]
                guard = []
                asks = []
                for g in t.use_of_place[place]:
                    activated = z3.Not(self._active_marking(v, sl, g.port))
                    cands = [
                        c for c in lay.conns if m.conn_by_user_port.get((i, g.port), 0) >> c & 1
                    ]
                    connected = []
                    refusing_f = []
                    for idx, c in enumerate(cands):
                        prov = m.connections[c].provider
                        cv = self._conn(v, n, c)
                        if nm.inventory >> prov & 1:
                            connected.append(cv)
                        else:
                            connected.append(z3.And(cv, self._cache(v, n, m.q_connected[c]) == 2))
                        first = z3.And(cv, *[z3.Not(self._conn(v, n, d)) for d in cands[:idx]])
                        _r_t, r_f = self._question(v, n, m.q_refusing[c], exclude=sl.slot)
                        refusing_f.append(z3.And(first, r_f))
                    guard.append(z3.Implies(activated, z3.And(_or(connected), _or(refusing_f))))
                    wanted = ((m.q_connected, CACHE_TRUE), (m.q_refusing, CACHE_FALSE))
                    for qsel, undesired in wanted:
                        conds = []
                        for c in cands:
                            if nm.inventory >> m.connections[c].provider & 1:
                                continue
                            q = qsel[c]
                            conds.append(
                                (z3.And(self._conn(v, n, c), self._askable(v, n, q, undesired)), q)
                            )
                        if conds:
                            val: z3.ExprRef = self._num(conds[-1][1])
                            for cond, q in reversed(conds[:-1]):
                                val = z3.If(cond, self._num(q), val)
                            asks.append((z3.And(activated, _or([c for c, _ in conds])), val))
                ups = [(pre + f"pl{place}", T_)]
                ups += [(pre + f"en{e}", F_) for e in bits(t.endings_at_station[st])]
                enter = z3.And(match, _and(guard))
                yield Action("EnteringPlace", n, -1, (i, st), enter, tuple(ups))
                if asks:
                    yield self._ask(v, n, "AskQuestionForEnteringPlace", (i, st), match, asks)
            # FinishingBehavior
            idle = [z3.Not(self._rt(v, sl, x)) for x in range(len(t.trans_src))]
            idle += [z3.Not(self._en(v, sl, x)) for x in range(len(t.ending_trans))]
            idle += [z3.Not(self._pl(v, sl, x)) for x in bits(t.sources[b])]
            yield Action(
                "FinishingBehavior",
                n,
                -1,
                (i, _pid),
                z3.And(head, _and(idle)),
                ((pre + "qh", self._num(j + 1)),),
            )
        # EndingTransition
        for x in range(len(t.trans_src)):
            for st in bits(t.trans_stations[x]):
                yield Action(
                    "EndingTransition",
                    n,
                    -1,
                    (i, x, st),
                    z3.And(present, self._rt(v, sl, x)),
                    ((pre + f"rt{x}", F_), (pre + f"en{t.ending_of[x][st]}", T_)),
                )

    def _reset_slot(self, n: int, sl: _Slot, present: bool) -> list[tuple[str, z3.ExprRef]]:
        t = self.model.types[sl.type]
        pre = f"n{n}.s{sl.slot}."
        ups: list[tuple[str, z3.ExprRef]] = [(pre + "present", z3.BoolVal(present))]
        ups += [
            (pre + f"pl{x}", z3.BoolVal(present and x == t.initial)) for x in range(len(t.places))
        ]
        ups += [(pre + f"rt{x}", F_) for x in range(len(t.trans_src))]
        ups += [(pre + f"en{x}", F_) for x in range(len(t.ending_trans))]
        ups.append((pre + "qh", self.v[pre + "qt"]))
        return ups

    def _program_actions(self, v: Vars, n: int, pc: int, op: int) -> Iterator[Action]:
        m = self.model
        nm = m.nodes[n]
        ins = nm.program[pc]
        at = v[f"n{n}.pc"] == pc
        nxt: tuple[str, z3.ExprRef] = (f"n{n}.pc", self._num(pc + 1))
        lay = self.layout[n]
        if op == ADD:
            sl = self.slots[n][nm.slot_of[ins.inst]]
            if sl.type != ins.arg:
                return
            yield Action(
                "AddComponentInstance",
                n,
                -1,
                (ins.inst,),
                z3.And(at, z3.Not(self._present(v, n, ins.inst))),
                (*self._reset_slot(n, sl, True), nxt),
            )
        elif op == DEL:
            k2 = nm.slot_of.get(ins.inst)
            if k2 is None:
                return
            mention = [self._conn(v, n, c) for c in lay.conns if m.conn_mentions[ins.inst] >> c & 1]
            yield Action(
                "DeleteComponentInstance",
                n,
                -1,
                (ins.inst,),
                z3.And(at, self._present(v, n, ins.inst), z3.Not(_or(mention))),
                (*self._reset_slot(n, self.slots[n][k2], False), nxt),
            )
        elif op == CON:
            c = ins.arg
            k = m.connections[c]
            if k.user == k.provider:
                return
            taken = m.conn_by_user_port[(k.user, k.use)]
            same = [self._conn(v, n, d) for d in lay.conns if taken >> d & 1]
            yield Action(
                "ConnectPorts",
                n,
                -1,
                (c,),
                z3.And(
                    at,
                    z3.Or(self._present(v, n, k.user), self._present(v, n, k.provider)),
                    z3.Not(_or(same)),
                ),
                ((f"n{n}.c{c}", T_), nxt),
            )
        elif op == DCON:
            c = ins.arg
            k = m.connections[c]
            held = z3.And(at, self._conn(v, n, c))
            ou_t, _ = self._question(v, n, m.q_ondisc_user[c], pc=pc)
            op_t, _ = self._question(v, n, m.q_ondisc_prov[c], pc=pc)
            _, au_f = self._question(v, n, m.q_active_use[c], pc=pc)
            if f"n{n}.c{c}" in v:
                yield Action(
                    "DisconnectPorts",
                    n,
                    -1,
                    (c,),
                    z3.And(held, ou_t, op_t, au_f),
                    ((f"n{n}.c{c}", F_), nxt),
                )
            asks: list[tuple[z3.BoolRef, z3.ExprRef]] = []
            if not (nm.inventory >> k.user & 1):
                for q, und in ((m.q_active_use[c], CACHE_FALSE), (m.q_ondisc_user[c], CACHE_TRUE)):
                    asks.append((self._askable(v, n, q, und), self._num(q)))
            elif not (nm.inventory >> k.provider & 1):
                q = m.q_ondisc_prov[c]
                asks.append((self._askable(v, n, q, CACHE_TRUE), self._num(q)))
            if asks:
                yield self._ask(v, n, "AskQuestionForDisconnectPorts", (c,), held, asks)
        elif op == PUSH:
            k3 = nm.slot_of.get(ins.inst)
            if k3 is None or pc not in self.slots[n][k3].push_pos:
                return
            pre = f"n{n}.s{k3}."
            yield Action(
                "PushingBehavior",
                n,
                -1,
                (ins.inst, ins.push),
                z3.And(at, self._present(v, n, ins.inst)),
                ((pre + "qt", v[pre + "qt"] + 1), nxt),
            )
        elif op == WAIT:
            q = m.q_completed[(ins.inst, ins.arg)]
            pres = [v[f"n{n}.s{k}.present"] for k in range(len(nm.slots))]
            if m.profile == "maude":
                cond = _or(
                    [
                        z3.And(pres[k], self._question(v, n, q, exclude=k, pc=pc)[0])
                        for k in range(len(nm.slots))
                    ]
                )
            else:
                cond = z3.And(_or(pres), self._question(v, n, q, pc=pc)[0])
            yield Action("Waiting", n, -1, (ins.inst, ins.arg), z3.And(at, cond), (nxt,))
            if not (nm.inventory >> ins.inst & 1):
                asks = [(self._askable(v, n, q, CACHE_TRUE), self._num(q))]
                yield self._ask(v, n, "AskQuestionForWait", (ins.inst, ins.arg), at, asks)

    def _communication_actions(self, v: Vars) -> Iterator[Action]:
        m = self.model
        nodes = range(len(m.nodes))
        askers: dict[int, list[int]] = {}
        for x in nodes:
            for q in self.layout[x].askable:
                askers.setdefault(q, []).append(x)
        # SendQuestion
        for x in nodes:
            lx = self.layout[x]
            for q in lx.askable:
                for y in m.hosts_of[m.questions[q].dst]:
                    if y == x:
                        continue
                    ly = self.layout[y]
                    ups = self._pop(v, x, "o", lx.out_cap)
                    ups.append((f"n{x}.h{q}", T_))
                    aups, ovf = self._append(v, y, "i", ly.inbox_cap, [(T_, self._num(4 * q))])
                    base = Action(
                        "SendQuestion",
                        x,
                        y,
                        (q,),
                        z3.And(v[f"n{x}.olen"] > 0, v[f"n{x}.o0"] == q),
                        tuple(ups),
                    )
                    yield self._overflowing(base, aups, ovf)
        # SendAnswer
        for x in nodes:
            lx = self.layout[x]
            if not lx.pend_cap:
                continue
            for q in sorted(askers):
                if not (m.nodes[x].inventory >> m.questions[q].dst & 1):
                    continue
                vt, vf = self._local(v, x, q)
                code = z3.If(vt, self._num(2), z3.If(vf, self._num(1), self._num(3)))
                reset = self._reset_updates(v, x, q, vf)
                for y in askers[q]:
                    if y == x:
                        continue
                    ly = self.layout[y]
                    il = v[f"n{y}.ilen"]
                    holds = [z3.And(il > j, v[f"n{y}.i{j}"] == 4 * q) for j in range(ly.inbox_cap)]
                    guard = z3.And(
                        v[f"n{x}.pelen"] > 0,
                        v[f"n{x}.pe0"] == q,
                        v[f"n{y}.h{q}"],
                        z3.Not(_or(holds)),
                    )
                    ups = self._pop(v, x, "pe", lx.pend_cap) + reset
                    aups, ovf = self._append(v, y, "i", ly.inbox_cap, [(T_, 4 * q + code)])
                    base = Action("SendAnswer", x, y, (q,), guard, tuple(ups))
                    yield self._overflowing(base, aups, ovf)
        # ReceiveQuestion / ReceiveAnswer
        for n in nodes:
            ln = self.layout[n]
            if not ln.inbox_cap:
                continue
            il, i0 = v[f"n{n}.ilen"], v[f"n{n}.i0"]
            for q in sorted(askers):
                if m.nodes[n].inventory >> m.questions[q].dst & 1 and ln.pend_cap:
                    ups = self._pop(v, n, "i", ln.inbox_cap)
                    aups, ovf = self._append(v, n, "pe", ln.pend_cap, [(T_, self._num(q))])
                    base = Action(
                        "ReceiveQuestion", n, -1, (q,), z3.And(il > 0, i0 == 4 * q), tuple(ups)
                    )
                    yield self._overflowing(base, aups, ovf)
            for q in ln.askable:
                ups = self._pop(v, n, "i", ln.inbox_cap)
                ups += [(f"n{n}.h{q}", F_), (f"n{n}.k{q}", i0 - 4 * q)]
                yield Action(
                    "ReceiveAnswer",
                    n,
                    -1,
                    (q,),
                    z3.And(il > 0, i0 > 4 * q, i0 <= 4 * q + 3, v[f"n{n}.h{q}"]),
                    tuple(ups),
                )

    def _reset_updates(
        self, v: Vars, x: int, q: int, answered_false: z3.BoolRef
    ) -> list[tuple[str, z3.ExprRef]]:
        """getIdsForReset/resetState: answering isActive(U)@u = false forgets the
        first cached isRefusing(_)@p, p the provider of u.U's first connection on x."""
        m = self.model
        qq = m.questions[q]
        if qq.kind != ACTIVE:
            return []
        lx = self.layout[x]
        cands = [c for c in lx.conns if m.conn_by_user_port.get((qq.dst, qq.arg), 0) >> c & 1]
        forget: dict[int, z3.BoolRef] = {}
        for idx, c in enumerate(cands):
            first = z3.And(
                answered_false,
                self._conn(v, x, c),
                *[z3.Not(self._conn(v, x, d)) for d in cands[:idx]],
            )
            rs = m.refusing_by_dst(m.connections[c].provider)
            for r_idx, r in enumerate(rs):
                if f"n{x}.k{r}" not in v:
                    continue
                earlier = [self._cache(v, x, r2) == 0 for r2 in rs[:r_idx]]
                cond = z3.And(first, self._cache(v, x, r) != 0, *earlier)
                forget[r] = z3.Or(forget.get(r, F_), cond)
        return [
            (f"n{x}.k{r}", z3.If(cond, self._num(0), self._cache(v, x, r)))
            for r, cond in forget.items()
        ]

    # ------------------------------------------------------------------ atoms

    def done(self, v: Vars) -> z3.BoolRef:
        m = self.model
        out: list[z3.BoolRef] = []
        for n, row in enumerate(self.slots):
            out.append(v[f"n{n}.pc"] == len(m.nodes[n].program))
            for sl in row:
                p = f"n{n}.s{sl.slot}."
                out.append(z3.Or(z3.Not(v[p + "present"]), v[p + "qh"] == v[p + "qt"]))
        return _and(out)

    def deadlock(self, v: Vars) -> z3.BoolRef:
        """No action enabled, not done (and not an overflow state, which has no
        successor by construction)."""
        return z3.And(z3.Not(self.enabled(v)), z3.Not(self.done(v)), z3.Not(v["ovf"]))

    def overflow(self, v: Vars) -> z3.BoolRef:
        return v["ovf"]

    def _locations(self, inst: int) -> list[_Slot]:
        return [
            row[nm.slot_of[inst]]
            for nm, row in zip(self.model.nodes, self.slots, strict=True)
            if inst in nm.slot_of
        ]

    def _found(self, v: Vars, inst: int) -> list[tuple[z3.BoolRef, _Slot]]:
        """(this location holds the instance found first, slot), as props._finder."""
        out = []
        earlier: list[z3.BoolRef] = []
        for sl in self._locations(inst):
            pres = v[f"n{sl.node}.s{sl.slot}.present"]
            out.append((z3.And(pres, *[z3.Not(e) for e in earlier]), sl))
            earlier.append(pres)
        return out

    def atom(self, text: str, resolve: AtomNames) -> Callable[[Vars], z3.BoolRef]:
        """The atom of `spec.props` as a Z3 formula builder (same meaning)."""
        key = " ".join(text.split())
        match = _CALL.match(key)
        if match is None:
            raise SymbolicAtomError(f"cannot read atom `{text}`")
        name, argtext, rhs = match.group(1), match.group(2), match.group(3)
        args = [a.strip() for a in argtext.split(",")] if argtext else []
        m = self.model
        if name == "done" and argtext is None:
            return self.done
        if name == "deadlock" and argtext is None:
            return self.deadlock
        if name == "at":
            i = resolve.inst(args[0])
            x = m.types[m.instance_type[i]].places.index(args[1])
            return lambda v: _or([z3.And(f, self._pl(v, sl, x)) for f, sl in self._found(v, i)])
        if name in ("active", "refusing"):
            i, port = resolve.port(args[0])
            if name == "active":
                return lambda v: _or(
                    [z3.And(f, self._active_marking(v, sl, port)) for f, sl in self._found(v, i)]
                )

            def refusing(v: Vars) -> z3.BoolRef:
                found = self._found(v, i)
                none = _and([z3.Not(v[f"n{sl.node}.s{sl.slot}.present"]) for _, sl in found])
                return z3.Or(
                    none, _or([z3.And(f, self._refusing_val(v, sl, port)) for f, sl in found])
                )

            return refusing
        if name == "connected":
            u, use = resolve.port(args[0])
            p, pro = resolve.port(args[1])
            c = resolve.conn(u, use, p, pro)
            if c is None:
                return lambda v: F_
            where = [resolve.node(args[2])] if len(args) == 3 else list(range(len(m.nodes)))
            return lambda v: _or([self._conn(v, n, c) for n in where])
        if name == "exists":
            i = resolve.inst(args[0])
            return lambda v: _or([f for f, _ in self._found(v, i)])
        if name in ("head", "queued", "completed"):
            i = resolve.inst(args[0])
            pid = resolve.push(rhs if name == "head" and rhs is not None else args[-1])
            if name == "head":
                return lambda v: _or(
                    [
                        z3.And(f, self._head_is(v, sl, j))
                        for f, sl in self._found(v, i)
                        for j, (x, _) in enumerate(sl.seq)
                        if x == pid
                    ]
                )

            def queued(v: Vars) -> z3.BoolRef:
                return _or([z3.And(f, self._queued(v, sl, pid)) for f, sl in self._found(v, i)])

            if name == "queued":
                return queued

            def completed(v: Vars) -> z3.BoolRef:
                rest = []
                for n, nm in enumerate(m.nodes):
                    pcs = [p for p in range(len(nm.program) + 1) if (i, pid) in nm.push_rest[p]]
                    rest.append(z3.Not(self._pc_in(v, n, pcs)))
                return z3.And(z3.Not(queued(v)), _and(rest))

            return completed
        if name == "executed":
            n = resolve.node(args[0])
            k = min(int(args[1]), len(m.nodes[n].program) + 1)
            return lambda v: v[f"n{n}.pc"] >= k
        if name == "inbox_empty":
            n = resolve.node(args[0])
            if not self.layout[n].inbox_cap:
                return lambda v: T_
            return lambda v: v[f"n{n}.ilen"] == 0
        raise SymbolicAtomError(f"atom `{text}` has no symbolic encoding")

    # ------------------------------------------------------------------ explicit <-> symbolic

    def project(self, nodes: Sequence[object]) -> dict[str, int | bool]:
        """The symbolic valuation of an explicit state (a sequence of
        `spec.state.NodeState`), for replay."""
        m = self.model
        out: dict[str, int | bool] = {"ovf": False}
        for n, s in enumerate(nodes):
            nm = m.nodes[n]
            lay = self.layout[n]
            pc: int = s.pc  # type: ignore[attr-defined]
            for sl in self.slots[n]:
                t = m.types[sl.type]
                p = f"n{n}.s{sl.slot}."
                inst = s.instances[sl.slot]  # type: ignore[attr-defined]
                qt = sl.init_len + sum(1 for x in sl.push_pos if x < pc)
                out[p + "present"] = inst is not None
                out[p + "qt"] = qt
                out[p + "qh"] = qt - (len(inst.queue) if inst is not None else 0)
                for x in range(len(t.places)):
                    out[p + f"pl{x}"] = inst is not None and bool(inst.places >> x & 1)
                for x in range(len(t.trans_src)):
                    out[p + f"rt{x}"] = inst is not None and bool(inst.running >> x & 1)
                for x in range(len(t.ending_trans)):
                    out[p + f"en{x}"] = inst is not None and bool(inst.endings >> x & 1)
            for c in lay.conns:
                out[f"n{n}.c{c}"] = bool(s.conns >> c & 1)  # type: ignore[attr-defined]
            out[f"n{n}.pc"] = pc
            for q in lay.cacheable:
                out[f"n{n}.k{q}"] = s.cache >> (2 * q) & 3  # type: ignore[attr-defined]
            for q in lay.askable:
                out[f"n{n}.h{q}"] = bool(s.history >> q & 1)  # type: ignore[attr-defined]
            inbox = [
                4 * x.q + 3 if isinstance(x, Stuck) else x
                for x in s.inbox  # type: ignore[attr-defined]
            ]
            lists = (
                ("o", lay.out_cap, list(s.outgoing)),  # type: ignore[attr-defined]
                ("pe", lay.pend_cap, list(s.pending)),  # type: ignore[attr-defined]
                ("i", lay.inbox_cap, inbox),
            )
            for lst, cap, items in lists:
                if len(items) > cap:
                    out["ovf"] = True
                out[f"n{n}.{lst}len"] = min(len(items), cap)
                for j in range(cap):
                    out[f"n{n}.{lst}{j}"] = items[j] if j < len(items) else 0
            del nm
        return out

    def concrete_successors(
        self, val: Mapping[str, int | bool]
    ) -> list[tuple[int, dict[str, int | bool]]]:
        """Every (action, next valuation) from a concrete valuation, by
        evaluating guards and updates (no solver): what `trans` allows."""
        sub = [(self.v[k], self._const(k, x)) for k, x in val.items() if k in self.v]
        out = []
        for idx, a in enumerate(self.actions):
            if not z3.is_true(z3.simplify(z3.substitute(a.guard, *sub))):
                continue
            nxt = dict(val)
            for k, e in a.updates:
                r = z3.simplify(z3.substitute(e, *sub))
                nxt[k] = z3.is_true(r) if z3.is_bool(r) else _int_value(r)
            out.append((idx, nxt))
        return out

    def _const(self, name: str, x: int | bool) -> z3.ExprRef:
        if self._sorts[name] == z3.BoolSort():
            return z3.BoolVal(bool(x))
        return self._num(int(x))

    def holds(self, f: Callable[[Vars], z3.BoolRef], val: Mapping[str, int | bool]) -> bool:
        """The value of a state formula on a concrete valuation."""
        sub = [(self.v[k], self._const(k, x)) for k, x in val.items() if k in self.v]
        return bool(z3.is_true(z3.simplify(z3.substitute(f(self.v), *sub))))

    def commands(self) -> list[tuple[z3.BoolRef, tuple[tuple[str, z3.ExprRef], ...]]]:
        """The actions as guarded commands over `self.v` (`checker.smt.HasCommands`)."""
        return [(a.guard, a.updates) for a in self.actions]

    def lemmas(self, deadline: float | None = None) -> list[Candidate]:
        """Candidate lemmas for Houdini, mined from the plan (`spec.lemmas`)."""
        from .lemmas import candidates

        return candidates(self, deadline)

    def describe_action(self, idx: int) -> str:
        a = self.actions[idx]
        peer = f" -> {self.model.nodes[a.peer].name}" if a.peer >= 0 else ""
        return f"{a.rule} at {self.model.nodes[a.node].name}{peer} {a.args}"


def _int_value(r: z3.ExprRef) -> int:
    return int(r.as_signed_long() if z3.is_bv(r) else r.as_long())


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_CALL = re.compile(rf"^\s*({_NAME})\s*(?:\((.*)\))?\s*(?:=\s*({_NAME}))?\s*$")


class AtomNames:
    """Name resolution for atoms, shared with `spec.props` (same errors)."""

    def __init__(self, atoms: object) -> None:
        self._atoms = atoms

    def inst(self, name: str) -> int:
        return self._atoms._inst(name)  # type: ignore[attr-defined, no-any-return]

    def port(self, ref: str) -> tuple[int, int]:
        return self._atoms._port(ref)  # type: ignore[attr-defined, no-any-return]

    def node(self, name: str) -> int:
        return self._atoms._node(name)  # type: ignore[attr-defined, no-any-return]

    def push(self, name: str) -> int:
        return self._atoms._push(name)  # type: ignore[attr-defined, no-any-return]

    def conn(self, u: int, use: int, p: int, pro: int) -> int | None:
        from .model import Connection

        model: Model = self._atoms.model  # type: ignore[attr-defined]
        return model.conn_index.get(Connection(u, use, p, pro))


def replay(
    system: object, sym: SymbolicConcerto, valuations: Sequence[Mapping[str, int | bool]]
) -> list[tuple[object, GlobalState]]:
    """Follow a symbolic run through the explicit successor function: each
    symbolic state must be the projection of a successor of the previous
    explicit state. Returns [(step or None, explicit state)]; raises
    `ReplayError` at the first state that does not match."""
    sysm = system
    states = list(sysm.initial_states())  # type: ignore[attr-defined]
    cur = None
    for s0 in states:
        if _matches(sym.project(sysm.nodes(s0)), valuations[0]):  # type: ignore[attr-defined]
            cur = s0
    if cur is None:
        raise ReplayError(0, "the symbolic initial state is not the explicit one")
    out: list[tuple[object, GlobalState]] = [(None, cur)]
    for k in range(1, len(valuations)):
        nxt = None
        for step, s2 in sysm.successors(cur):  # type: ignore[attr-defined]
            if _matches(sym.project(sysm.nodes(s2)), valuations[k]):  # type: ignore[attr-defined]
                nxt = (step, s2)
                break
        if nxt is None:
            raise ReplayError(k, "no explicit successor has the symbolic state")
        out.append(nxt)
        cur = nxt[1]
    return out


def _matches(proj: Mapping[str, int | bool], val: Mapping[str, int | bool]) -> bool:
    return all(val.get(k, x) == x for k, x in proj.items())


class ReplayError(AssertionError):
    """A symbolic counterexample the explicit semantics cannot follow: a bug in
    one of the two encodings."""

    def __init__(self, index: int, what: str) -> None:
        super().__init__(f"symbolic trace does not replay at state {index}: {what}")
        self.index = index
