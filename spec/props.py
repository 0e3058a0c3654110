"""Atomic propositions a user writes in LTL formulas, compiled to predicates.

Each atom is text, parsed once into a fast closure over a global state:

    deadlock                 no successor and not `done`          G !deadlock
    done                     every program finished, every queue empty
    at(i, place)             instance i is present and marks place  F at(sensor1, running)
    active(i.port)           the port's group marking meets i's marking
    refusing(i.port)         i refuses new users of its provide (or use) port
    connected(i.u, j.p)      some node holds the connection i.u -- j.p
    connected(i.u, j.p, n)   node n holds it
    exists(i)                instance i is present on some node
    head(i) = id             the head of i's queue is the push `id`
    queued(i, id)            the push `id` is in i's queue
    completed(i, id)         `id` is neither queued on i nor still to be pushed
                             by any node's remaining program (Maude's isCompleted)
    executed(n, k)           node n has executed at least k instructions
    inbox_empty(n)           node n's inbox is empty

Absent instances: `active` is false, `refusing` is true (what the Maude
comments announce for the unreduced local questions), `at`/`head`/`queued`
are false. See docs/semantics-notes.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from .model import Connection
from .rules import is_active, is_refusing
from .state import GlobalState, Inst

if TYPE_CHECKING:
    from .system import ConcertoSystem

Predicate = Callable[[GlobalState], bool]

ATOM_FORMS = (
    "deadlock",
    "done",
    "at(i, place)",
    "active(i.port)",
    "refusing(i.port)",
    "connected(i.use, j.provide[, node])",
    "exists(i)",
    "head(i) = pushid",
    "queued(i, pushid)",
    "completed(i, pushid)",
    "executed(node, k)",
    "inbox_empty(node)",
)


class AtomError(ValueError):
    """An atom that does not parse or names something the plan does not have.

    `code` is the diagnostic code of the same mistake in the plan's file
    syntax (docs/language.md), when there is one: the message then reads
    `E037: ...`, which `checker.ltl_errors.render_error` shows as `error[E037]`."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_CALL = re.compile(rf"^\s*({_NAME})\s*(?:\((.*)\))?\s*(?:=\s*({_NAME}))?\s*$")


class Atoms:
    """The atom table of a ConcertoSystem: `compile(text)` returns a predicate."""

    def __init__(self, system: ConcertoSystem) -> None:
        self.system = system
        self.model = system.model
        self._cache: dict[str, Predicate] = {}

    def names(self) -> tuple[str, ...]:
        return ATOM_FORMS

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        try:
            self.compile(text)
        except AtomError:
            return False
        return True

    def compile(self, text: str) -> Predicate:
        key = " ".join(text.split())
        pred = self._cache.get(key)
        if pred is None:
            pred = self._compile(key)
            self._cache[key] = pred
        return pred

    # ------------------------------------------------------------------ helpers

    def _inst(self, name: str) -> int:
        i = self.model.instance_index.get(name)
        if i is None:
            raise AtomError(f"unknown instance `{name}`")
        return i

    def _node(self, name: str) -> int:
        for k, nm in enumerate(self.model.nodes):
            if nm.name == name:
                return k
        raise AtomError(f"unknown node `{name}`")

    def _push(self, name: str) -> int:
        p = self.model.push_index.get(name)
        if p is None:
            raise AtomError(f"unknown push id `{name}`")
        return p

    def _port(self, ref: str) -> tuple[int, int]:
        if "." not in ref:
            raise AtomError(f"expected instance.port, got `{ref}`")
        inst, port = (x.strip() for x in ref.split(".", 1))
        i = self._inst(inst)
        ty = self.model.instance_type[i]
        for pid, (t, name, _kind) in enumerate(self.model.ports):
            if t == ty and name == port:
                return i, pid
        raise AtomError(f"`{inst}` has no port `{port}`")

    def _locations(self, i: int) -> list[tuple[int, int]]:
        return [(n, nm.slot_of[i]) for n, nm in enumerate(self.model.nodes) if i in nm.slot_of]

    def _finder(self, i: int) -> Callable[[GlobalState], Inst | None]:
        locs = self._locations(i)
        states = self.system._states

        def find(state: GlobalState) -> Inst | None:
            for n, slot in locs:
                inst = states[n][state[n]].instances[slot]
                if inst is not None:
                    return inst
            return None

        return find

    # ------------------------------------------------------------------ compile

    def _compile(self, text: str) -> Predicate:
        m = self.model
        sysm = self.system
        states = sysm._states
        match = _CALL.match(text)
        if match is None:
            raise AtomError(f"cannot read atom `{text}`; forms: {', '.join(ATOM_FORMS)}")
        name, argtext, rhs = match.group(1), match.group(2), match.group(3)
        args = [a.strip() for a in argtext.split(",")] if argtext else []
        if rhs is not None and name != "head":
            raise AtomError(f"`= {rhs}` only follows head(i)")

        def arity(k: int) -> None:
            if len(args) != k:
                raise AtomError(f"`{name}` takes {k} argument(s), got {len(args)}")

        if name == "done" and argtext is None:
            return self.done
        if name == "deadlock" and argtext is None:
            return self.deadlock
        if name == "at":
            arity(2)
            i = self._inst(args[0])
            places = m.types[m.instance_type[i]].places
            if args[1] not in places:
                raise AtomError(f"`{args[0]}` has no place `{args[1]}`")
            bit = 1 << places.index(args[1])
            find = self._finder(i)
            return lambda s: (x := find(s)) is not None and bool(x.places & bit)
        if name in ("active", "refusing"):
            arity(1)
            i, port = self._port(args[0])
            find = self._finder(i)
            if name == "active":
                return lambda s: is_active(m, find(s), port) is True
            return lambda s: (x := find(s)) is None or is_refusing(m, x, port) is True
        if name == "connected":
            if len(args) not in (2, 3):
                raise AtomError("`connected` takes i.use, j.provide and optionally a node")
            u, use = self._port(args[0])
            p, pro = self._port(args[1])
            if m.ports[use][2] == "provide" and m.ports[pro][2] == "use":
                raise AtomError(
                    f"`connected({args[0]}, {args[1]})` names a provide port first; "
                    f"connections are written user first: `connected({args[1]}, {args[0]}"
                    + (f", {args[2]})`" if len(args) == 3 else ")`"),
                    code="E037",
                )
            c = m.conn_index.get(_conn(u, use, p, pro))
            if c is None:
                return lambda s: False
            where = [self._node(args[2])] if len(args) == 3 else list(range(len(m.nodes)))
            return lambda s: any(states[n][s[n]].conns >> c & 1 for n in where)
        if name == "exists":
            arity(1)
            find = self._finder(self._inst(args[0]))
            return lambda s: find(s) is not None
        if name == "head":
            arity(1)
            if rhs is None:
                raise AtomError("write head(i) = pushid")
            find = self._finder(self._inst(args[0]))
            pid = self._push(rhs)
            return lambda s: (x := find(s)) is not None and bool(x.queue) and x.queue[0][0] == pid
        if name == "queued":
            arity(2)
            find = self._finder(self._inst(args[0]))
            pid = self._push(args[1])
            return lambda s: (x := find(s)) is not None and any(p == pid for p, _ in x.queue)
        if name == "completed":
            arity(2)
            i = self._inst(args[0])
            find = self._finder(i)
            pid = self._push(args[1])
            key = (i, pid)
            nodes = m.nodes

            def completed(s: GlobalState) -> bool:
                x = find(s)
                if x is not None and any(p == pid for p, _ in x.queue):
                    return False
                return all(
                    key not in nodes[n].push_rest[states[n][s[n]].pc] for n in range(len(nodes))
                )

            return completed
        if name == "executed":
            arity(2)
            n = self._node(args[0])
            try:
                k = int(args[1])
            except ValueError:
                raise AtomError(f"executed(node, k): `{args[1]}` is not a number") from None
            return lambda s: states[n][s[n]].pc >= k
        if name == "inbox_empty":
            arity(1)
            n = self._node(args[0])
            return lambda s: not states[n][s[n]].inbox
        raise AtomError(f"unknown atom `{text}`; forms: {', '.join(ATOM_FORMS)}")

    def done(self, state: GlobalState) -> bool:
        """Every program finished and every present instance's queue empty."""
        m = self.model
        for n, i in enumerate(state):
            s = self.system._states[n][i]
            if s.pc < len(m.nodes[n].program):
                return False
            if any(x is not None and x.queue for x in s.instances):
                return False
        return True

    def deadlock(self, state: GlobalState) -> bool:
        """No successor at all, and not done."""
        for _ in self.system.successors(state):
            return False
        return not self.done(state)


def _conn(u: int, use: int, p: int, pro: int) -> Connection:
    return Connection(u, use, p, pro)
