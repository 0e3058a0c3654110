"""Well-formedness of states: what every reachable state must satisfy.

`state_invariants` returns the list of violations (empty when the state is
well formed). The hypothesis tests run it on every successor of generated
plans; a violation means a rule built a state the formalization cannot reach.
"""

from __future__ import annotations

from .model import Model, bits
from .state import CACHE_UNKNOWN, GlobalState, NodeState, Stuck, cache_get
from .system import ConcertoSystem


def node_invariants(m: Model, n: int, s: NodeState) -> list[str]:
    nm = m.nodes[n]
    name = nm.name
    out: list[str] = []
    nq = len(m.questions)
    if len(s.instances) != len(nm.slots):
        out.append(f"{name}: {len(s.instances)} instance slots, expected {len(nm.slots)}")
    for slot, inst in enumerate(s.instances):
        if inst is None:
            continue
        who = f"{name}/{m.instances[nm.slots[slot]]}"
        if not 0 <= inst.type < len(m.types):
            out.append(f"{who}: bad type {inst.type}")
            continue
        t = m.types[inst.type]
        if inst.places >> len(t.places):
            out.append(f"{who}: marks a place out of range")
        if inst.running >> len(t.trans_src):
            out.append(f"{who}: runs a transition out of range")
        if inst.endings >> len(t.ending_trans):
            out.append(f"{who}: ending out of range")
        for _pid, b in inst.queue:
            if not 0 <= b < len(t.behaviors):
                out.append(f"{who}: queued behavior {b} out of range")
        if inst.running or inst.endings:
            if not inst.queue:
                out.append(f"{who}: running transitions or endings without a behavior")
            else:
                head = t.behaviors[inst.queue[0][1]]
                if inst.running & ~head:
                    out.append(f"{who}: runs a transition outside the head behavior")
                for e in bits(inst.endings):
                    tr = t.ending_trans[e]
                    if not (head >> tr & 1):
                        out.append(f"{who}: ending of a transition outside the head behavior")
                    if not (t.trans_stations[tr] >> t.ending_station[e] & 1):
                        out.append(f"{who}: ending at a station its transition does not target")
    if not 0 <= s.pc <= len(nm.program):
        out.append(f"{name}: program counter {s.pc} out of range")
    if s.conns >> len(m.connections):
        out.append(f"{name}: connection out of range")
    if s.cache >> (2 * nq):
        out.append(f"{name}: cache entry out of range")
    for entry in s.stuck:
        if not 0 <= entry.q < nq or cache_get(s.cache, entry.q) != CACHE_UNKNOWN:
            out.append(f"{name}: unreduced cache value without an unknown cache entry")
    if s.history >> nq:
        out.append(f"{name}: history entry out of range")
    for q in s.outgoing:
        if not 0 <= q < nq:
            out.append(f"{name}: outgoing question out of range")
        elif nm.inventory >> m.questions[q].dst & 1:
            out.append(f"{name}: outgoing question {m.question_text(q)} is local")
    for q in s.pending:
        if not 0 <= q < nq:
            out.append(f"{name}: pending question out of range")
        elif not (nm.inventory >> m.questions[q].dst & 1):
            out.append(f"{name}: pending question {m.question_text(q)} is not for this node")
    for msg in s.inbox:
        q, code = (msg.q, 3) if isinstance(msg, Stuck) else (msg >> 2, msg & 3)
        if not 0 <= q < nq:
            out.append(f"{name}: message out of range")
        elif code == 0 and not (nm.inventory >> m.questions[q].dst & 1):
            out.append(f"{name}: received question {m.question_text(q)} not for this node")
    return out


def state_invariants(system: ConcertoSystem, state: GlobalState) -> list[str]:
    """Every violation of well-formedness in a global state (empty if none)."""
    m = system.model
    if len(state) != len(m.nodes):
        return [f"{len(state)} node states for {len(m.nodes)} nodes"]
    out: list[str] = []
    for n in range(len(m.nodes)):
        out.extend(node_invariants(m, n, system.node(state, n)))
    return out
