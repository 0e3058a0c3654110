"""Candidate lemmas for Houdini, mined from templates over the plan.

Deadlock freedom and port consistency of a Concerto-D plan rest on protocol
invariants (a question in a history is in flight exactly once; an answer in an
inbox is one the node awaits; a program counter and a behavior queue move
together; a marking holds its tokens in a few places...) that neither
k-induction nor Spacer finds on the encoding of `spec.symbolic`. This module
guesses them: *atoms* over the symbolic state variables (a Bool variable, an
integer variable equal to or at least a constant, a message somewhere in a
list), instantiated for every object of the plan, combined into

* clauses of one or two atoms that share an instance (what an instance's
  marking, queue, its node's program counter and the questions about it say
  about each other),
* per list (outgoing questions, pending questions, inbox): each message at
  most once, and the length equal to the number of messages present (the
  counting argument that the bounded lists never overflow).

A candidate that fails on a reachable explicit state is discarded before any
solver call (the states come from `spec.system.ConcertoSystem`: the whole
state space when it is small, else a breadth-first prefix and random runs).
What survives is only a guess: `checker.smt.houdini` keeps the inductive part
and re-checks it, so a wrong guess costs time, never soundness.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import z3

from .model import ACTIVE, COMPLETED, CON, CONNECTED, DCON, ONDISC, REFUSING, Model

if TYPE_CHECKING:
    from .symbolic import SymbolicConcerto

Vars = Mapping[str, z3.ExprRef]
Mask = int
"""A set of sampled states, as a bit set (bit i: the i-th sampled state)."""


class Columns:
    """Sampled states, one column of values per state variable, with the
    sets of states where a variable has a value (built on first use). Atoms
    evaluate to bit sets over the samples, so that mining thousands of
    candidates is a few integer operations each."""

    def __init__(self, columns: Mapping[str, Sequence[int]]) -> None:
        self.columns = dict(columns)
        self.count = len(next(iter(self.columns.values()))) if self.columns else 0
        self.full: Mask = (1 << self.count) - 1
        self._by_value: dict[str, dict[int, Mask]] = {}

    def _index(self, var: str) -> dict[int, Mask]:
        found = self._by_value.get(var)
        if found is None:
            found = {}
            for i, x in enumerate(self.columns[var]):
                found[x] = found.get(x, 0) | 1 << i
            self._by_value[var] = found
        return found

    def eq(self, var: str, value: int) -> Mask:
        return self._index(var).get(value, 0)

    def ge(self, var: str, value: int) -> Mask:
        out = 0
        for x, mask in self._index(var).items():
            if x >= value:
                out |= mask
        return out


class Atom(Protocol):
    """A state predicate, as a Z3 formula and evaluated on many sampled states at once."""

    @property
    def name(self) -> str: ...

    @property
    def var(self) -> str: ...

    def build(self, v: Vars) -> z3.BoolRef: ...

    def eval(self, cols: Columns) -> Mask: ...


@dataclass(frozen=True)
class BoolAtom:
    """A Boolean state variable."""

    var: str
    name: str

    def build(self, v: Vars) -> z3.BoolRef:
        return v[self.var] == True  # noqa: E712  (a BoolRef either way)

    def eval(self, cols: Columns) -> Mask:
        return cols.full ^ cols.eq(self.var, 0)


@dataclass(frozen=True)
class CmpAtom:
    """An integer state variable equal to (`ge` false) or at least `k`."""

    var: str
    k: int
    ge: bool
    name: str

    def build(self, v: Vars) -> z3.BoolRef:
        x = v[self.var]
        return x >= self.k if self.ge else x == self.k

    def eval(self, cols: Columns) -> Mask:
        return cols.ge(self.var, self.k) if self.ge else cols.eq(self.var, self.k)


@dataclass(frozen=True)
class InListAtom:
    """Message (or question) `code` is somewhere in the list `prefix` (`n1.i`, ...)."""

    prefix: str
    cap: int
    code: int
    name: str

    @property
    def var(self) -> str:
        return f"{self.prefix}#{self.code}"

    def build(self, v: Vars) -> z3.BoolRef:
        names = [self.prefix + "len"] + [f"{self.prefix}{j}" for j in range(self.cap)]
        key = (self, tuple(v[n].get_id() for n in names))
        got = _BUILT.get(key)
        if got is None:
            ln = v[names[0]]
            got = _or([z3.And(ln > j, v[names[j + 1]] == self.code) for j in range(self.cap)])
            _BUILT[key] = got
        return got

    def eval(self, cols: Columns) -> Mask:
        ln = self.prefix + "len"
        out = 0
        for j in range(self.cap):
            out |= cols.ge(ln, j + 1) & cols.eq(f"{self.prefix}{j}", self.code)
        return out


_BUILT: dict[tuple[InListAtom, tuple[int, ...]], z3.BoolRef] = {}
"""InListAtom formulas by the terms they were built on (many clauses share an atom)."""


def _or(xs: Sequence[z3.BoolRef]) -> z3.BoolRef:
    if not xs:
        return z3.BoolVal(False)
    return xs[0] if len(xs) == 1 else z3.Or(*xs)


@dataclass(frozen=True)
class Clause:
    """A disjunction of atoms, each possibly negated."""

    lits: tuple[tuple[Atom, bool], ...]

    @property
    def name(self) -> str:
        return " | ".join(a.name if pos else "!" + a.name for a, pos in self.lits)

    def formula(self, v: Vars) -> z3.BoolRef:
        return _or([a.build(v) if pos else z3.Not(a.build(v)) for a, pos in self.lits])


@dataclass(frozen=True)
class ListLemma:
    """Each possible code at most once in a list, and its length the number of
    codes present: with these, an append to a list whose capacity is the
    number of codes cannot overflow (what `ovf` needs to stay false)."""

    prefix: str
    cap: int
    codes: tuple[int, ...]
    name: str
    num: Callable[[int], z3.ExprRef]

    def formula(self, v: Vars) -> z3.BoolRef:
        ln = v[self.prefix + "len"]
        one, zero = self.num(1), self.num(0)
        parts: list[z3.BoolRef] = []
        present = []
        for code in self.codes:
            at = [z3.And(ln > j, v[f"{self.prefix}{j}"] == code) for j in range(self.cap)]
            present.append(z3.If(_or(at), one, zero))
            if len(at) > 1:
                parts.append(z3.Sum(*[z3.If(a, one, zero) for a in at]) <= 1)
        # every occupied position holds one of the codes
        for j in range(self.cap):
            x = v[f"{self.prefix}{j}"]
            parts.append(z3.Implies(ln > j, _or([x == c for c in self.codes])))
        total = z3.Sum(*present) if present else zero
        parts.append(ln == total)
        return z3.And(*parts)

    def eval(self, cols: Columns) -> Mask:
        """No code twice and every occupied position holding a code; then the
        codes present are exactly as many as the occupied positions, so the
        length equation holds too."""
        ln = self.prefix + "len"
        occupied = [cols.ge(ln, j + 1) for j in range(self.cap)]
        twice = 0
        for code in self.codes:
            seen = 0
            for j in range(self.cap):
                at = occupied[j] & cols.eq(f"{self.prefix}{j}", code)
                twice |= seen & at
                seen |= at
        bad = twice
        for j in range(self.cap):
            valid = 0
            for code in self.codes:
                valid |= cols.eq(f"{self.prefix}{j}", code)
            bad |= occupied[j] & ~valid
        return cols.full & ~bad


@dataclass(frozen=True)
class Candidate:
    """A named candidate lemma (what `checker.smt.Lemma` needs, without importing checker)."""

    name: str
    formula: Callable[[Vars], z3.BoolRef]


# ---------------------------------------------------------------------- atoms of a plan


def _question_scope(m: Model, q: int) -> frozenset[int]:
    """The instances a question is about: its destination, and the peers of the
    port or the ends of the connection it names."""
    qq = m.questions[q]
    out = {qq.dst}
    if qq.kind in (ACTIVE, REFUSING):
        for k in m.connections:
            if (k.user, k.use) == (qq.dst, qq.arg) or (k.provider, k.provide) == (qq.dst, qq.arg):
                out |= {k.user, k.provider}
    elif qq.kind in (CONNECTED, ONDISC):
        k = m.connections[qq.arg]
        out |= {k.user, k.provider}
    else:
        assert qq.kind == COMPLETED
    return frozenset(out)


def _instr_scope(m: Model, n: int, pc: int) -> frozenset[int]:
    prog = m.nodes[n].program
    out: set[int] = set()
    for k in (pc - 1, pc):
        if 0 <= k < len(prog):
            ins = prog[k]
            if ins.inst >= 0:
                out.add(ins.inst)
            if ins.op in (CON, DCON):
                c = m.connections[ins.arg]
                out |= {c.user, c.provider}
    return frozenset(out)


def atoms(sym: SymbolicConcerto) -> list[tuple[Atom, frozenset[int]]]:
    """Every atom of the plan, with the instances it is about."""
    m = sym.model
    out: list[tuple[Atom, frozenset[int]]] = [(BoolAtom("ovf", "a list overflowed"), frozenset())]
    for n, row in enumerate(sym.slots):
        nm = m.nodes[n]
        node = nm.name
        for sl in row:
            t = m.types[sl.type]
            inst = m.instances[sl.inst]
            p = f"n{n}.s{sl.slot}."
            sc = frozenset({sl.inst})
            out.append((BoolAtom(p + "present", f"{inst} present"), sc))
            for x, place in enumerate(t.places):
                out.append((BoolAtom(p + f"pl{x}", f"{inst} at {place}"), sc))
            for x in range(len(t.trans_src)):
                out.append((BoolAtom(p + f"rt{x}", f"{inst} runs t{x}"), sc))
            for x in range(len(t.ending_trans)):
                out.append((BoolAtom(p + f"en{x}", f"{inst} ending e{x}"), sc))
            for j in range(len(sl.seq) + 1):
                out.append((CmpAtom(p + "qh", j, False, f"{inst} queue head = {j}"), sc))
                if j > 0:
                    out.append((CmpAtom(p + "qh", j, True, f"{inst} queue head >= {j}"), sc))
        lay = sym.layout[n]
        for c in lay.conns:
            k = m.connections[c]
            out.append(
                (
                    BoolAtom(f"n{n}.c{c}", f"{node} has {m.conn_text(c)}"),
                    frozenset({k.user, k.provider}),
                )
            )
        for pc in range(len(nm.program) + 1):
            sc = _instr_scope(m, n, pc)
            out.append((CmpAtom(f"n{n}.pc", pc, False, f"{node}.pc = {pc}"), sc))
            if pc > 0:
                out.append((CmpAtom(f"n{n}.pc", pc, True, f"{node}.pc >= {pc}"), sc))
        for q in lay.cacheable:
            sc = _question_scope(m, q)
            for code, what in ((0, "absent"), (1, "false"), (2, "true"), (3, "unknown")):
                out.append(
                    (
                        CmpAtom(
                            f"n{n}.k{q}", code, False, f"{node} caches {m.question_text(q)} {what}"
                        ),
                        sc,
                    )
                )
        for q in lay.askable:
            sc = _question_scope(m, q)
            qt = m.question_text(q)
            out.append((BoolAtom(f"n{n}.h{q}", f"{node} history has {qt}"), sc))
            out.append((InListAtom(f"n{n}.o", lay.out_cap, q, f"{node} outgoing has {qt}"), sc))
            for code, what in ((1, "false"), (2, "true"), (3, "unknown")):
                name = f"{node} inbox has answer {qt} {what}"
                out.append((InListAtom(f"n{n}.i", lay.inbox_cap, 4 * q + code, name), sc))
        for q in _routed_to(sym, n):
            sc = _question_scope(m, q)
            qt = m.question_text(q)
            out.append((InListAtom(f"n{n}.i", lay.inbox_cap, 4 * q, f"{node} inbox has {qt}"), sc))
            out.append((InListAtom(f"n{n}.pe", lay.pend_cap, q, f"{node} pending has {qt}"), sc))
    return out


def _routed_to(sym: SymbolicConcerto, n: int) -> list[int]:
    """The questions another node can send to node `n`."""
    m = sym.model
    out = set()
    for x, lay in enumerate(sym.layout):
        for q in lay.askable:
            if x != n and n in m.hosts_of[m.questions[q].dst]:
                out.add(q)
    return sorted(out)


def marking_clauses(sym: SymbolicConcerto) -> list[Clause]:
    """Per instance: present => some place, running transition or ending is marked."""
    m = sym.model
    out = []
    for n, row in enumerate(sym.slots):
        for sl in row:
            t = m.types[sl.type]
            inst = m.instances[sl.inst]
            p = f"n{n}.s{sl.slot}."
            lits: list[tuple[Atom, bool]] = [(BoolAtom(p + "present", f"{inst} present"), False)]
            lits += [
                (BoolAtom(p + f"pl{x}", f"{inst} at {pl}"), True) for x, pl in enumerate(t.places)
            ]
            lits += [
                (BoolAtom(p + f"rt{x}", f"{inst} runs t{x}"), True) for x in range(len(t.trans_src))
            ]
            lits += [
                (BoolAtom(p + f"en{x}", f"{inst} ending e{x}"), True)
                for x in range(len(t.ending_trans))
            ]
            out.append(Clause(tuple(lits)))
    return out


def flight_clauses(sym: SymbolicConcerto) -> list[Clause]:
    """Per asker and question: in the history => the question is in flight
    (in the inbox or pending list of a node hosting its destination, or its
    answer in the asker's inbox)."""
    m = sym.model
    out = []
    for y, lay in enumerate(sym.layout):
        node = m.nodes[y].name
        for q in lay.askable:
            qt = m.question_text(q)
            lits: list[tuple[Atom, bool]] = [
                (BoolAtom(f"n{y}.h{q}", f"{node} history has {qt}"), False)
            ]
            for x in m.hosts_of[m.questions[q].dst]:
                if x == y:
                    continue
                lx, nx = sym.layout[x], m.nodes[x].name
                lits.append(
                    (InListAtom(f"n{x}.i", lx.inbox_cap, 4 * q, f"{nx} inbox has {qt}"), True)
                )
                lits.append(
                    (InListAtom(f"n{x}.pe", lx.pend_cap, q, f"{nx} pending has {qt}"), True)
                )
            for code, what in ((1, "false"), (2, "true"), (3, "unknown")):
                name = f"{node} inbox has answer {qt} {what}"
                lits.append((InListAtom(f"n{y}.i", lay.inbox_cap, 4 * q + code, name), True))
            out.append(Clause(tuple(lits)))
    return out


def list_lemmas(sym: SymbolicConcerto) -> list[ListLemma]:
    m = sym.model
    out = []
    for n, lay in enumerate(sym.layout):
        node = m.nodes[n].name
        routed = _routed_to(sym, n)
        lists = (
            ("o", lay.out_cap, tuple(lay.askable), "outgoing"),
            ("pe", lay.pend_cap, tuple(routed), "pending"),
            (
                "i",
                lay.inbox_cap,
                tuple(
                    sorted(
                        [4 * q for q in routed]
                        + [4 * q + c for q in lay.askable for c in (1, 2, 3)]
                    )
                ),
                "inbox",
            ),
        )
        for lst, cap, codes, what in lists:
            if cap:
                name = f"{node} {what}: each message at most once, length = messages present"
                out.append(ListLemma(f"n{n}.{lst}", cap, codes, name, sym._num))
    return out


# ---------------------------------------------------------------------- sampling


def sample(
    sym: SymbolicConcerto,
    max_states: int = 20_000,
    runs: int = 300,
    seed: int = 0,
    deadline: float | None = None,
) -> Columns:
    """Reachable states as columns (one per state variable): the breadth-first
    prefix of at most `max_states` states, plus `runs` random runs when the
    prefix is not the whole state space."""
    from .system import ConcertoSystem

    sysm = ConcertoSystem(sym.model)
    init = sysm.initial_states()
    seen = set(init)
    todo = deque(init)
    while todo and len(seen) < max_states:
        s = todo.popleft()
        for _, s2 in sysm.successors(s):
            if s2 not in seen:
                seen.add(s2)
                todo.append(s2)
    states = list(seen)
    if todo:
        rng = random.Random(seed)
        for _ in range(runs):
            if deadline is not None and time.monotonic() > deadline:
                break
            s = rng.choice(init)
            for _ in range(100_000):
                succ = [s2 for _, s2 in sysm.successors(s)]
                if not succ:
                    break
                s = rng.choice(succ)
                if s not in seen:
                    seen.add(s)
                    states.append(s)
    names = [n for n, _ in sym.state_vars()]
    rows = [sym.project(sysm.nodes(s)) for s in states]
    return Columns({k: [int(r[k]) for r in rows] for k in names})


# ---------------------------------------------------------------------- mining


def mine(sym: SymbolicConcerto, cols: Columns) -> list[Candidate]:
    """The candidates that hold on every sampled state: unit and two-atom
    clauses over atoms sharing an instance, and the list lemmas."""
    found = atoms(sym)
    full = cols.full
    bits = [a.eval(cols) for a, _ in found]
    out: list[Candidate] = []
    constant = set()
    for idx, (a, _) in enumerate(found):
        if bits[idx] == full:
            out.append(_cand(Clause(((a, True),))))
            constant.add(idx)
        elif bits[idx] == 0:
            out.append(_cand(Clause(((a, False),))))
            constant.add(idx)
    by_inst: dict[int, list[int]] = {}
    for idx, (_, sc) in enumerate(found):
        if idx not in constant:
            for i in sc:
                by_inst.setdefault(i, []).append(idx)
    done: set[tuple[int, int]] = set()
    for members in by_inst.values():
        for x_pos, x in enumerate(members):
            ax, bx = found[x][0], bits[x]
            for y in members[x_pos + 1 :]:
                ay, by = found[y][0], bits[y]
                if ax.var == ay.var or (x, y) in done:
                    continue
                done.add((x, y))
                for px, py in ((True, True), (True, False), (False, True), (False, False)):
                    lx = bx if px else full ^ bx
                    ly = by if py else full ^ by
                    if lx | ly == full:
                        out.append(_cand(Clause(((ax, px), (ay, py)))))
    for clause in marking_clauses(sym) + flight_clauses(sym):
        holds = 0
        for a, pos in clause.lits:
            holds |= a.eval(cols) if pos else full ^ a.eval(cols)
        if holds == full:
            out.append(_cand(clause))
    for lem in list_lemmas(sym):
        if lem.eval(cols) == full:
            out.append(Candidate(lem.name, lem.formula))
    return out


def _cand(c: Clause) -> Candidate:
    return Candidate(c.name, c.formula)


def candidates(
    sym: SymbolicConcerto, deadline: float | None = None, max_states: int = 20_000
) -> list[Candidate]:
    """The candidate lemmas of a plan (see the module docstring)."""
    return mine(sym, sample(sym, max_states, deadline=deadline))
