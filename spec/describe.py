"""What a step changed, in the fewest words a person needs.

A counterexample is read by someone who wants to know what happened, not to
compare two records: "listener1: -running +paused", "sensor1.rcvService:
inactive", "node3: did `wait listener1 idb4`". Each line names the instance or
node, then only the parts that differ: places entered and left, transitions
started and ended, behaviors queued and finished, port activity that flipped,
connections, the instruction executed, cached answers, and the messages that
were queued, sent or consumed.
"""

from __future__ import annotations

from .model import Model, bits
from .rules import is_active
from .state import Inst, NodeState, cache_get, msg_question
from .system import ConcertoSystem

_CACHE_WORDS = {0: "forgotten", 1: "false", 2: "true", 3: "unknown"}


def _names(bitset: int, names: tuple[str, ...] | list[str]) -> list[str]:
    return [names[i] for i in bits(bitset)]


def instance_changes(m: Model, name: str, a: Inst | None, b: Inst | None) -> list[str]:
    """The lines for one instance that changed."""
    if a is None and b is None:
        return []
    if a is None:
        assert b is not None
        places = ", ".join(_names(b.places, m.types[b.type].places)) or "no place"
        return [f"{name}: created at {places}"]
    if b is None:
        return [f"{name}: deleted"]
    t = m.types[a.type]
    parts: list[str] = []
    parts += [f"-{p}" for p in _names(a.places & ~b.places, t.places)]
    parts += [f"+{p}" for p in _names(b.places & ~a.places, t.places)]
    parts += [f"started {x}" for x in _names(b.running & ~a.running, t.trans_names)]
    ended = b.endings & ~a.endings
    for e in bits(ended):
        parts.append(
            f"{t.trans_names[t.ending_trans[e]]} arrived at {t.stations[t.ending_station[e]]}"
        )
    if a.queue != b.queue:
        if b.queue == a.queue[1:]:
            pid, beh = a.queue[0]
            parts.append(f"finished {m.push_ids[pid]} ({t.behavior_names[beh]})")
        elif b.queue[:-1] == a.queue:
            pid, beh = b.queue[-1]
            parts.append(f"queued {t.behavior_names[beh]} as {m.push_ids[pid]}")
        else:
            queue = " ".join(f"{m.push_ids[p]}:{t.behavior_names[x]}" for p, x in b.queue)
            parts.append(f"queue now [{queue}]")
    lines = [f"{name}: {', '.join(parts)}"] if parts else []
    for port in t.groups:
        was, now = is_active(m, a, port), is_active(m, b, port)
        if was != now:
            state = {True: "active", False: "inactive", None: "unknown"}[now]
            lines.append(f"{name}.{m.ports[port][1]}: {state}")
    return lines


def node_changes(system: ConcertoSystem, n: int, a: NodeState, b: NodeState) -> list[str]:
    """The lines for one node that changed, instances first."""
    m = system.model
    nm = m.nodes[n]
    out: list[str] = []
    for slot, (x, y) in enumerate(zip(a.instances, b.instances, strict=True)):
        if x != y:
            out += instance_changes(m, m.instances[nm.slots[slot]], x, y)
    if a.pc != b.pc:
        out.append(f"{nm.name}: did `{nm.program[a.pc].text}`")
    for c in bits(a.conns & ~b.conns):
        out.append(f"{nm.name}: forgets connection {m.conn_text(c)}")
    for c in bits(b.conns & ~a.conns):
        out.append(f"{nm.name}: knows connection {m.conn_text(c)}")
    if a.cache != b.cache:
        for q in range(len(m.questions)):
            before, after = cache_get(a.cache, q), cache_get(b.cache, q)
            if before != after:
                text = f"{m.question_text(q)}@{m.instances[m.questions[q].dst]}"
                out.append(f"{nm.name}: caches {text} = {_CACHE_WORDS[after]}")
    if a.outgoing != b.outgoing:
        new = [q for q in b.outgoing if q not in a.outgoing]
        if new:
            asks = ", ".join(system.msg_text(msg_question(q)) for q in new)
            out.append(f"{nm.name}: will ask {asks}")
    if a.pending != b.pending:
        new = [q for q in b.pending if q not in a.pending]
        if new:
            out.append(
                f"{nm.name}: must answer "
                + ", ".join(system.msg_text(msg_question(q)) for q in new)
            )
    if len(b.inbox) > len(a.inbox):
        out.append(f"{nm.name}: receives {system.msg_text(b.inbox[-1])}")
    return out


def changes(system: ConcertoSystem, before: tuple[int, ...], after: tuple[int, ...]) -> list[str]:
    """Every line of change between two global states, node by node."""
    out: list[str] = []
    for n in range(len(system.model.nodes)):
        if before[n] != after[n]:
            out += node_changes(system, n, system.node(before, n), system.node(after, n))
    return out
