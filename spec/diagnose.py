"""Why nothing can happen: the blocked instructions and behaviors of a state.

Used when a run or a search ends in a deadlock: for every node whose program
is not finished, the head instruction and the guard that fails; for every
instance with a queued behavior, what keeps the head behavior from moving;
for every inbox, a head message nobody can take. The explanations follow the
guards of spec.rules one for one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .model import ADD, CON, DCON, DEL, PUSH, WAIT, Model, bits
from .rules import (
    _activated_uses,
    _enterings,
    _firings,
    active_marking,
    and3,
    implies3,
    not3,
    question,
)
from .state import GlobalState, Inst, NodeState, Stuck, Tri, cache_get
from .system import ConcertoSystem


def _tri(v: Tri) -> str:
    return "unknown" if v is None else ("true" if v else "false")


def _instruction(m: Model, n: int, s: NodeState) -> str | None:
    nm = m.nodes[n]
    if s.pc >= len(nm.program):
        return None
    ins = nm.program[s.pc]
    head = f"{nm.name}: `{ins.text}` blocked"

    def present(i: int) -> bool:
        slot = nm.slot_of.get(i)
        return slot is not None and s.instances[slot] is not None

    if ins.op == ADD:
        return f"{head}: `{m.instances[ins.inst]}` is already present"
    if ins.op == DEL:
        if not present(ins.inst):
            return f"{head}: `{m.instances[ins.inst]}` is not present on {nm.name}"
        cs = [m.conn_text(c) for c in bits(s.conns & m.conn_mentions[ins.inst])]
        return f"{head}: still connected ({'; '.join(cs)})"
    if ins.op == CON:
        k = m.connections[ins.arg]
        if k.user == k.provider:
            return f"{head}: user and provider are the same instance"
        if not present(k.user) and not present(k.provider):
            return f"{head}: neither end is present on {nm.name}"
        used = bits(s.conns & m.conn_by_user_port.get((k.user, k.use), 0))
        return f"{head}: the use port is already connected ({m.conn_text(used[0])})"
    if ins.op == DCON:
        c = ins.arg
        if not (s.conns >> c & 1):
            return f"{head}: {nm.name} does not hold this connection"
        parts = []
        for label, q in (
            ("onDisconnect@user", m.q_ondisc_user[c]),
            ("onDisconnect@provider", m.q_ondisc_prov[c]),
        ):
            v = question(m, n, s, q)
            if v is not True:
                parts.append(f"{label} is {_tri(v)}")
        v = question(m, n, s, m.q_active_use[c])
        if v is not False:
            parts.append(f"the use port is {'active' if v else 'possibly active (unknown)'}")
        return f"{head}: " + ", ".join(parts)
    if ins.op == PUSH:
        if not present(ins.inst):
            return f"{head}: `{m.instances[ins.inst]}` is not present on {nm.name}"
        return f"{head}: the behavior is not one of the instance's type"
    if ins.op == WAIT:
        if all(x is None for x in s.instances):
            return f"{head}: Waiting needs an instance on {nm.name} and there is none"
        q = m.q_completed[(ins.inst, ins.arg)]
        return f"{head}: isCompleted is {_tri(question(m, n, s, q))}"
    return head  # pragma: no cover


def _behavior(m: Model, n: int, s: NodeState, slot: int, inst: Inst) -> list[str]:
    nm = m.nodes[n]
    i = nm.slots[slot]
    t = m.types[inst.type]
    pid, b = inst.queue[0]
    who = f"{m.instances[i]}: behavior {t.behavior_names[b]} ({m.push_ids[pid]})"
    out: list[str] = []
    for st in range(len(t.stations)):
        if inst.endings & t.endings_at_station[st]:
            need = t.join_req[b][st] & ~inst.endings
            if need:
                missing = ", ".join(t.trans_names[t.ending_trans[e]] for e in bits(need))
                out.append(f"{who} waits at {t.stations[st]} for {missing} (AND-join)")
    for slot2, inst2, st, after in _enterings(m, s):
        if slot2 != slot:
            continue
        for port in _activated_uses(m, inst2, after, st):
            cands = bits(s.conns & m.conn_by_user_port.get((i, port), 0))
            pname = m.ports[port][1]
            place = t.places[t.station_place[st]]
            if not cands:
                out.append(f"{who} cannot enter {place}: use port {pname} is not connected")
                continue
            c = cands[0]
            conf = (
                nm.inventory >> m.connections[c].provider & 1
                or cache_get(s.cache, m.q_connected[c]) == 2
            )
            v = question(m, n, s, m.q_refusing[c], exclude=slot)
            if not conf:
                out.append(f"{who} cannot enter {place}: {m.conn_text(c)} not confirmed")
            elif v is not False:
                out.append(f"{who} cannot enter {place}: provider of {pname} refusing is {_tri(v)}")
    for slot2, inst2, p, after in _firings(m, n, s):
        if slot2 != slot:
            continue
        for c in bits(s.conns & m.conn_by_provider[i]):
            k = m.connections[c]
            a = question(m, n, s, m.q_active_pro[c])
            gone = not active_marking(
                m, inst2.type, k.provide, after.places, after.running, after.endings
            )
            u = question(m, n, s, m.q_active_use[c])
            if implies3(and3(a, gone), not3(u)) is not True:
                out.append(
                    f"{who} cannot leave {t.places[p]}: user of {m.conn_text(c)} is "
                    f"{'active' if u else 'possibly active (unknown)'}"
                )
    return out


def explain_blocked(system: ConcertoSystem, state: GlobalState) -> list[str]:
    """Human-readable reasons why the programs and behaviors of `state` are stuck."""
    m = system.model
    out: list[str] = []
    for n in range(len(m.nodes)):
        s = system.node(state, n)
        why = _instruction(m, n, s)
        if why:
            out.append(why)
        for slot, inst in enumerate(s.instances):
            if inst is not None and inst.queue and not inst.running:
                out.extend(_behavior(m, n, s, slot, inst))
        if s.inbox:
            msg = s.inbox[0]
            kind = "answer" if isinstance(msg, Stuck) or msg & 3 else "question"
            out.append(
                f"{m.nodes[n].name}: inbox head, the {kind} {system.msg_text(msg)}, cannot be "
                f"received" + (" (not in history)" if kind == "answer" else "")
            )
    return out


_STARVED = {
    "none": " (an unfair scheduler starves it; --fair nodes rules that out)",
    "nodes": "",  # a cycle fair per node cannot have one: the lasso is re-checked
    "steps": (
        " (each of its steps is disabled somewhere on the cycle, so weak fairness"
        " per step does not force it to move)"
    ),
}


def explain_cycle(
    system: ConcertoSystem,
    cycle_states: Sequence[GlobalState],
    cycle_steps: Sequence[Any],
    fair: str,
) -> list[str]:
    """Why the cycle of a lasso goes on for ever: per node, whether it moves on
    the cycle (and by which rules), could move in every state of it but never
    does, or cannot. `cycle_states` are the states the cycle goes through
    (its first state once), `cycle_steps` its steps without stutter; `fair` is
    the fairness the cycle was searched under ("none", "nodes", "steps"), so
    that the advice names only what would change the verdict."""
    moved = {st.node for st in cycle_steps}
    lines = []
    for n, nm in enumerate(system.model.nodes):
        if n in moved:
            rules = sorted({st.rule for st in cycle_steps if st.node == n})
            lines.append(f"{nm.name} keeps moving on the cycle ({', '.join(rules)})")
        elif all(any(st.node == n for st, _ in system.successors(s)) for s in cycle_states):
            lines.append(
                f"{nm.name} could move in every state of the cycle but never does"
                + _STARVED.get(fair, "")
            )
        else:
            lines.append(f"{nm.name} does not move on the cycle")
    return lines
