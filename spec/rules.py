"""The 18 rewrite rules of the Concerto-D formalization, one function each.

Each function is named after its Maude rule label (file
12_Operational-semantics-Concerto-D.maude; Maude spells the disconnection rule
`disconnectPorts`) and its docstring states guard and effect. Local rules take
the model, a node index and the node state and yield `(Step, new node state)`
for every way the rule applies; the two communication rules that touch two
nodes take both. All functions are pure.

The three-valued reading of the formalization is kept exactly: a question
whose answer is not known (not cached, or about an absent instance) is an
*unknown* Bool. A guard holds only if it evaluates to true in Kleene's logic;
every guard here is unate (each unknown atom occurs with one polarity), so this
coincides with Maude's "the condition reduces to true" under its Boolean-ring
BOOL equations. The collect functions, on the contrary, test "cached value
=/= desired", so an unknown value *triggers* a question.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

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
    NodeModel,
    bits,
)
from .state import (
    CACHE_FALSE,
    CACHE_TRUE,
    CACHE_UNKNOWN,
    Inst,
    Msg,
    NodeState,
    Stuck,
    Tri,
    cache_get,
    code_of_tri,
    msg_answer,
    msg_question,
    tri_of_code,
)


class Step(NamedTuple):
    """One rewrite: the rule, the node (and peer node for two-node rules, else
    -1) and the objects it touches (meaning depends on the rule, see
    `spec.system.ConcertoSystem.describe`)."""

    rule: str
    node: int
    peer: int
    args: tuple[int, ...]


RULE_NAMES = (
    "FiringTransitions",
    "EndingTransition",
    "EnteringPlace",
    "FinishingBehavior",
    "AddComponentInstance",
    "DeleteComponentInstance",
    "ConnectPorts",
    "DisconnectPorts",
    "PushingBehavior",
    "Waiting",
    "AskQuestionForFiringTransitions",
    "AskQuestionForEnteringPlace",
    "AskQuestionForDisconnectPorts",
    "AskQuestionForWait",
    "SendQuestion",
    "SendAnswer",
    "ReceiveQuestion",
    "ReceiveAnswer",
)

LocalResult = Iterator[tuple[Step, NodeState]]

# --------------------------------------------------------------------------- logic


def and3(a: Tri, b: Tri) -> Tri:
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    return None


def not3(a: Tri) -> Tri:
    return None if a is None else not a


def implies3(a: Tri, b: Tri) -> Tri:
    if a is False or b is True:
        return True
    if a is True and b is False:
        return False
    return None


# --------------------------------------------------------------------------- local predicates


def active_marking(m: Model, type_: int, port: int, places: int, running: int, ends: int) -> bool:
    """Maude `activeMarking`: the marking meets the port's group marking."""
    g = m.types[type_].groups.get(port)
    if g is None:
        return False
    return bool(places & g.places or running & g.transitions or ends & g.endings)


def is_active(m: Model, inst: Inst | None, port: int) -> Tri:
    """Maude `isActiveLocal`; an absent instance is unknown (profile maude) or false."""
    if inst is None:
        return None if m.profile == "maude" else False
    return active_marking(m, inst.type, port, inst.places, inst.running, inst.endings)


def is_refusing(m: Model, inst: Inst | None, port: int) -> Tri:
    """Maude `isRefusingLocal`: no token inside the group's transitions or endings
    and every marked group place leaves the group under the head behavior (an
    unmarked group refuses; with an empty queue a marked place never leaves)."""
    if inst is None:
        return None if m.profile == "maude" else True
    g = m.types[inst.type].groups.get(port)
    if g is None:
        return True
    if inst.running & g.transitions or inst.endings & g.endings:
        return False
    marked = inst.places & g.places
    if not marked:
        return True
    if not inst.queue:
        return False
    return marked & ~g.exits[inst.queue[0][1]] == 0


def _slot_inst(nm: NodeModel, s: NodeState, inst: int, exclude: int = -1) -> Inst | None:
    slot = nm.slot_of.get(inst)
    if slot is None or slot == exclude:
        return None
    return s.instances[slot]


def local_answer(m: Model, n: int, s: NodeState, q: int, exclude: int = -1) -> Tri:
    """Maude `localQuestion(q, Is, Cs, RP)` on node `n` (instances of slot
    `exclude` hidden, as when a rule passes the other instances only)."""
    nm = m.nodes[n]
    qq = m.questions[q]
    k = qq.kind
    if k == ACTIVE:
        return is_active(m, _slot_inst(nm, s, qq.dst, exclude), qq.arg)
    if k == REFUSING:
        return is_refusing(m, _slot_inst(nm, s, qq.dst, exclude), qq.arg)
    if k == CONNECTED:
        return bool(s.conns >> qq.arg & 1)
    if k == ONDISC:
        if s.pc >= len(nm.program):
            return True
        return not (nm.dcon_after[s.pc] >> qq.arg & 1)
    assert k == COMPLETED
    pending_push = (qq.dst, qq.arg) in nm.push_rest[s.pc]
    inst = _slot_inst(nm, s, qq.dst, exclude)
    if inst is not None and any(pid == qq.arg for pid, _ in inst.queue):
        return False
    return not pending_push


def question(m: Model, n: int, s: NodeState, q: int, exclude: int = -1) -> Tri:
    """Maude `question`: local evaluation if the destination is in the node's
    inventory, else the cached answer (unknown when absent)."""
    dst = m.questions[q].dst
    if m.nodes[n].inventory >> dst & 1:
        return local_answer(m, n, s, q, exclude)
    return tri_of_code(cache_get(s.cache, q))


def _with_inst(s: NodeState, slot: int, inst: Inst | None) -> NodeState:
    ins = list(s.instances)
    ins[slot] = inst
    return s._replace(instances=tuple(ins))


def _askable(s: NodeState, q: int, undesired: int) -> bool:
    """Collect-function test: not in history, not already outgoing, and the
    cached value is not the desired one (`undesired` is the code that blocks)."""
    return not (s.history >> q & 1) and q not in s.outgoing and cache_get(s.cache, q) != undesired


# --------------------------------------------------------------------------- component evolution


def _fire_guard(m: Model, n: int, s: NodeState, slot: int, inst: Inst, after: Inst) -> bool:
    """Maude `isSafeToFire` over the connections where the instance provides."""
    i = m.nodes[n].slots[slot]
    for c in bits(s.conns & m.conn_by_provider[i]):
        k = m.connections[c]
        a = question(m, n, s, m.q_active_pro[c])
        b = not active_marking(m, inst.type, k.provide, after.places, after.running, after.endings)
        u = question(m, n, s, m.q_active_use[c])
        if implies3(and3(a, b), not3(u)) is not True:
            return False
    return True


def _firings(m: Model, n: int, s: NodeState) -> Iterator[tuple[int, Inst, int, Inst]]:
    for slot, inst in enumerate(s.instances):
        if inst is None or not inst.queue:
            continue
        tf = m.types[inst.type].trans_from[inst.queue[0][1]]
        for p in bits(inst.places):
            out = tf[p]
            if out:
                after = inst._replace(places=inst.places & ~(1 << p), running=inst.running | out)
                yield slot, inst, p, after


def FiringTransitions(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: an instance with a head behavior B marks a place P from which B has
    transitions, and `isSafeToFire`: for every connection of the node where the
    instance provides, if the provide port is active now and inactive after
    firing then the user's use port is (known to be) inactive.
    Effect: unmark P and start all of B's transitions leaving P (fork)."""
    nm = m.nodes[n]
    for slot, inst, p, after in _firings(m, n, s):
        if _fire_guard(m, n, s, slot, inst, after):
            yield Step("FiringTransitions", n, -1, (nm.slots[slot], p)), _with_inst(s, slot, after)


def EndingTransition(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: a running transition t of an instance, and one station S of t
    (unconditional, no behavior needed).
    Effect: t stops running and one ending te(t, S) is added (a transition to
    several stations ends at one of them: a choice)."""
    nm = m.nodes[n]
    for slot, inst in enumerate(s.instances):
        if inst is None or not inst.running:
            continue
        ty = m.types[inst.type]
        for t in bits(inst.running):
            for st in bits(ty.trans_stations[t]):
                after = inst._replace(
                    running=inst.running & ~(1 << t),
                    endings=inst.endings | (1 << ty.ending_of[t][st]),
                )
                yield (
                    Step("EndingTransition", n, -1, (nm.slots[slot], t, st)),
                    _with_inst(s, slot, after),
                )


def _enterings(m: Model, s: NodeState) -> Iterator[tuple[int, Inst, int, Inst]]:
    for slot, inst in enumerate(s.instances):
        if inst is None or not inst.queue or not inst.endings:
            continue
        ty = m.types[inst.type]
        jr = ty.join_req[inst.queue[0][1]]
        for st in range(len(ty.stations)):
            at = inst.endings & ty.endings_at_station[st]
            if not at or inst.endings & jr[st] != jr[st]:
                continue
            p = ty.station_place[st]
            after = inst._replace(places=inst.places | (1 << p), endings=inst.endings & ~at)
            yield slot, inst, st, after


def _activated_uses(m: Model, inst: Inst, after: Inst, st: int) -> Iterator[int]:
    ty = m.types[inst.type]
    for g in ty.use_of_place[ty.station_place[st]]:
        if not is_active(m, inst, g.port) and is_active(m, after, g.port):
            yield g.port


def _enter_guard(
    m: Model, n: int, s: NodeState, slot: int, inst: Inst, after: Inst, st: int
) -> bool:
    """Maude `isConnectedAndAllowed` for the use ports the entering activates."""
    nm = m.nodes[n]
    i = nm.slots[slot]
    for port in _activated_uses(m, inst, after, st):
        cands = s.conns & m.conn_by_user_port.get((i, port), 0)
        if not cands:
            return False
        connected = False
        for c in bits(cands):
            p = m.connections[c].provider
            if nm.inventory >> p & 1 or cache_get(s.cache, m.q_connected[c]) == CACHE_TRUE:
                connected = True
                break
        if not connected:
            return False
        first = bits(cands)[0]
        if not3(question(m, n, s, m.q_refusing[first], exclude=slot)) is not True:
            return False
    return True


def EnteringPlace(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: an instance with a head behavior B has an ending at station S; every
    transition of B targeting S has its ending at S (AND-join); and every use port
    that entering place(S) activates is connected on this node (the provider
    confirms isConnected, or is local) and its provider is not refusing.
    Effect: mark place(S) and remove every ending at S."""
    nm = m.nodes[n]
    for slot, inst, st, after in _enterings(m, s):
        if _enter_guard(m, n, s, slot, inst, after, st):
            yield Step("EnteringPlace", n, -1, (nm.slots[slot], st)), _with_inst(s, slot, after)


def FinishingBehavior(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: an instance with a head behavior B, no running transition, no
    ending, and no marked place that is a source of B.
    Effect: pop the head of the queue."""
    nm = m.nodes[n]
    for slot, inst in enumerate(s.instances):
        if inst is None or not inst.queue or inst.running or inst.endings:
            continue
        pid, b = inst.queue[0]
        if inst.places & m.types[inst.type].sources[b]:
            continue
        yield (
            Step("FinishingBehavior", n, -1, (nm.slots[slot], pid)),
            _with_inst(s, slot, inst._replace(queue=inst.queue[1:])),
        )


# --------------------------------------------------------------------------- program


def _head(m: Model, n: int, s: NodeState, op: int) -> tuple[NodeModel, int] | None:
    nm = m.nodes[n]
    if s.pc < len(nm.program) and nm.program[s.pc].op == op:
        return nm, s.pc
    return None


def AddComponentInstance(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: head instruction add(i, T) and i is not present on the node.
    Effect: i appears with type T, an empty queue and only T's initial place
    marked; pop. (No inventory check, no port check, as in Maude.)"""
    h = _head(m, n, s, ADD)
    if h is None:
        return
    nm, pc = h
    ins = nm.program[pc]
    slot = nm.slot_of[ins.inst]
    if s.instances[slot] is not None:
        return
    new = Inst(ins.arg, (), 1 << m.types[ins.arg].initial, 0, 0)
    yield (
        Step("AddComponentInstance", n, -1, (ins.inst,)),
        _with_inst(s, slot, new)._replace(pc=pc + 1),
    )


def DeleteComponentInstance(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: head instruction del(i), i present, and no connection of the node
    mentions i. Effect: remove i (whatever its queue and marking); pop."""
    h = _head(m, n, s, DEL)
    if h is None:
        return
    nm, pc = h
    i = nm.program[pc].inst
    slot = nm.slot_of.get(i)
    if slot is None or s.instances[slot] is None or s.conns & m.conn_mentions[i]:
        return
    yield (
        Step("DeleteComponentInstance", n, -1, (i,)),
        _with_inst(s, slot, None)._replace(pc=pc + 1),
    )


def ConnectPorts(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: head instruction con(u.U -- p.P), u != p, u or p present on this
    node, and no connection of the node already uses u.U.
    Effect: add the connection to this node's set (the other side is not told); pop."""
    h = _head(m, n, s, CON)
    if h is None:
        return
    nm, pc = h
    c = nm.program[pc].arg
    k = m.connections[c]
    if k.user == k.provider:
        return
    if _slot_inst(nm, s, k.user) is None and _slot_inst(nm, s, k.provider) is None:
        return
    if s.conns & m.conn_by_user_port.get((k.user, k.use), 0):
        return
    yield Step("ConnectPorts", n, -1, (c,)), s._replace(conns=s.conns | (1 << c), pc=pc + 1)


def DisconnectPorts(m: Model, n: int, s: NodeState) -> LocalResult:
    """(Maude label `disconnectPorts`.) Guard: head instruction dcon(C) with C in
    the node's connections, onDisconnect(C) holds at the user and at the
    provider, and the user's use port is (known to be) inactive.
    Effect: remove C from this node's set; pop."""
    h = _head(m, n, s, DCON)
    if h is None:
        return
    nm, pc = h
    c = nm.program[pc].arg
    if not (s.conns >> c & 1):
        return
    g = and3(question(m, n, s, m.q_ondisc_user[c]), question(m, n, s, m.q_ondisc_prov[c]))
    g = and3(g, not3(question(m, n, s, m.q_active_use[c])))
    if g is not True:
        return
    yield Step("DisconnectPorts", n, -1, (c,)), s._replace(conns=s.conns & ~(1 << c), pc=pc + 1)


def PushingBehavior(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: head instruction pushB(i, B, id), i present on the node, and B is a
    behavior of i's type. Effect: append (id ; B) to i's queue; pop."""
    h = _head(m, n, s, PUSH)
    if h is None:
        return
    nm, pc = h
    ins = nm.program[pc]
    slot = nm.slot_of.get(ins.inst)
    if slot is None:
        return
    inst = s.instances[slot]
    if inst is None or ins.arg < 0 or inst.type != ins.beh_type:
        return
    new = inst._replace(queue=(*inst.queue, (ins.push, ins.arg)))
    yield (
        Step("PushingBehavior", n, -1, (ins.inst, ins.push)),
        _with_inst(s, slot, new)._replace(pc=pc + 1),
    )


def Waiting(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: head instruction wait(i, id), the node holds some instance j, and
    isCompleted(id)@i holds, evaluated (as Maude does) on the node's instances
    other than j: locally, id neither queued on i nor still to be pushed by this
    node's program; remotely, cached true. With j = i the queue of i is hidden,
    so in profile `maude` a local wait passes once the push is executed
    (docs/semantics-notes.md, N1); profile `intended` checks the queue.
    Effect: pop."""
    h = _head(m, n, s, WAIT)
    if h is None:
        return
    nm, pc = h
    ins = nm.program[pc]
    q = m.q_completed[(ins.inst, ins.arg)]
    present = [slot for slot, x in enumerate(s.instances) if x is not None]
    if not present:
        return
    if m.profile == "maude":
        # Maude evaluates the question on the instances *other than* the one the
        # pattern matched: matching the waited instance itself hides its queue.
        if all(question(m, n, s, q, exclude=slot) is not True for slot in present):
            return
    elif question(m, n, s, q) is not True:
        return
    yield Step("Waiting", n, -1, (ins.inst, ins.arg)), s._replace(pc=pc + 1)


# --------------------------------------------------------------------------- asking questions


def _ask(s: NodeState, qs: list[int]) -> NodeState:
    return s._replace(outgoing=s.outgoing + tuple(qs))


def firing_questions(m: Model, n: int, s: NodeState, i: int, inst: Inst, after: Inst) -> list[int]:
    """What AskQuestionForFiringTransitions collects for a firing of instance i
    (`after`: its marking once fired)."""
    nm = m.nodes[n]
    qs = []
    for c in bits(s.conns & m.conn_by_provider[i]):
        k = m.connections[c]
        q = m.q_active_use[c]
        if (
            not (nm.inventory >> k.user & 1)
            and _askable(s, q, CACHE_FALSE)
            and is_active(m, inst, k.provide) is True
            and not active_marking(
                m, inst.type, k.provide, after.places, after.running, after.endings
            )
        ):
            qs.append(q)
    return qs


def entering_questions(
    m: Model, n: int, s: NodeState, i: int, inst: Inst, after: Inst, st: int
) -> list[int]:
    """What AskQuestionForEnteringPlace collects for an entering of instance
    i through station st (`after`: its marking once entered)."""
    nm = m.nodes[n]
    qs: list[int] = []
    for port in _activated_uses(m, inst, after, st):
        cands = bits(s.conns & m.conn_by_user_port.get((i, port), 0))
        for c in cands:
            q = m.q_connected[c]
            if not (nm.inventory >> m.connections[c].provider & 1) and _askable(s, q, CACHE_TRUE):
                qs.append(q)
                break
        for c in cands:
            q = m.q_refusing[c]
            if not (nm.inventory >> m.connections[c].provider & 1) and _askable(s, q, CACHE_FALSE):
                qs.append(q)
                break
    return qs


def AskQuestionForFiringTransitions(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: as FiringTransitions' match (a place with transitions in the head
    behavior), and the collected list is non-empty: for each connection where the
    instance provides (connection order), `isActive(U)@u` if u is remote, the
    question is neither in history nor outgoing, its cached value is not false,
    and the provide port is active now and inactive after firing.
    Effect: append the collected questions to outgoingQuestions."""
    nm = m.nodes[n]
    seen: set[NodeState] = set()
    for slot, inst, p, after in _firings(m, n, s):
        i = nm.slots[slot]
        qs = firing_questions(m, n, s, i, inst, after)
        if qs:
            new = _ask(s, qs)
            if new not in seen:
                seen.add(new)
                yield Step("AskQuestionForFiringTransitions", n, -1, (i, p, *qs)), new


def AskQuestionForEnteringPlace(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: as EnteringPlace's match including the AND-join, and the collected
    list is non-empty: for each use port activated by the entering (port order),
    for the first connection of the port whose provider is remote and whose
    question is neither in history nor outgoing: `isConnected(C)@p` if not
    cached true, then likewise `isRefusing(P)@p` if not cached false.
    Effect: append the collected questions to outgoingQuestions."""
    nm = m.nodes[n]
    seen: set[NodeState] = set()
    for slot, inst, st, after in _enterings(m, s):
        i = nm.slots[slot]
        qs = entering_questions(m, n, s, i, inst, after, st)
        if qs:
            new = _ask(s, qs)
            if new not in seen:
                seen.add(new)
                yield Step("AskQuestionForEnteringPlace", n, -1, (i, st, *qs)), new


def AskQuestionForDisconnectPorts(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: head instruction dcon(C) with C in the node's connections, and the
    collected list is non-empty: if the user u is remote, `isActive(U)@u` (if not
    cached false) and `onDisconnect(C)@u` (if not cached true); otherwise, if the
    provider p is remote, `onDisconnect(C)@p` (if not cached true); each only if
    neither in history nor outgoing.
    Effect: append the collected questions to outgoingQuestions."""
    h = _head(m, n, s, DCON)
    if h is None:
        return
    nm, pc = h
    c = nm.program[pc].arg
    if not (s.conns >> c & 1):
        return
    k = m.connections[c]
    qs = []
    if not (nm.inventory >> k.user & 1):
        if _askable(s, m.q_active_use[c], CACHE_FALSE):
            qs.append(m.q_active_use[c])
        if _askable(s, m.q_ondisc_user[c], CACHE_TRUE):
            qs.append(m.q_ondisc_user[c])
    elif not (nm.inventory >> k.provider & 1) and _askable(s, m.q_ondisc_prov[c], CACHE_TRUE):
        qs.append(m.q_ondisc_prov[c])
    if qs:
        yield Step("AskQuestionForDisconnectPorts", n, -1, (c, *qs)), _ask(s, qs)


def AskQuestionForWait(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: head instruction wait(i, id), i remote, and isCompleted(id)@i neither
    in history nor outgoing nor cached true (no instance needed on the node,
    unlike Waiting). Effect: append the question to outgoingQuestions."""
    h = _head(m, n, s, WAIT)
    if h is None:
        return
    nm, pc = h
    ins = nm.program[pc]
    if nm.inventory >> ins.inst & 1:
        return
    q = m.q_completed[(ins.inst, ins.arg)]
    if _askable(s, q, CACHE_TRUE):
        yield Step("AskQuestionForWait", n, -1, (ins.inst, ins.arg, q)), _ask(s, [q])


LOCAL_RULES = (
    FiringTransitions,
    EndingTransition,
    EnteringPlace,
    FinishingBehavior,
    AddComponentInstance,
    DeleteComponentInstance,
    ConnectPorts,
    DisconnectPorts,
    PushingBehavior,
    Waiting,
    AskQuestionForFiringTransitions,
    AskQuestionForEnteringPlace,
    AskQuestionForDisconnectPorts,
    AskQuestionForWait,
)


# --------------------------------------------------------------------------- communication


def SendQuestion(
    m: Model, x: int, sx: NodeState, y: int, sy: NodeState
) -> tuple[Step, NodeState, NodeState] | None:
    """Guard: x != y, x has an outgoing question q whose destination is in y's
    inventory. Effect: pop q from x's outgoingQuestions into x's history;
    append the question message to y's inbox."""
    if x == y or not sx.outgoing:
        return None
    q = sx.outgoing[0]
    if not (m.nodes[y].inventory >> m.questions[q].dst & 1):
        return None
    return (
        Step("SendQuestion", x, y, (q,)),
        sx._replace(outgoing=sx.outgoing[1:], history=sx.history | (1 << q)),
        sy._replace(inbox=(*sy.inbox, msg_question(q))),
    )


def answer_of(m: Model, x: int, sx: NodeState) -> tuple[int, Tri, NodeState] | None:
    """The answering half of SendAnswer (depends on x only): the question at the
    head of x's pendingQuestions, its value computed now on x, and x after the
    rule (question popped, cache reset by `getIdsForReset`/`resetState`)."""
    if not sx.pending:
        return None
    q = sx.pending[0]
    v = local_answer(m, x, sx, q)
    cache = sx.cache
    qq = m.questions[q]
    if qq.kind == ACTIVE and v is False:
        cands = sx.conns & m.conn_by_user_port.get((qq.dst, qq.arg), 0)
        if cands:
            prov = m.connections[bits(cands)[0]].provider
            for r in m.refusing_by_dst(prov):
                if cache_get(cache, r):
                    cache &= ~(3 << (2 * r))
                    stuck = tuple(e for e in sx.stuck if e.q != r)
                    return q, v, sx._replace(pending=sx.pending[1:], cache=cache, stuck=stuck)
    return q, v, sx._replace(pending=sx.pending[1:], cache=cache)


def SendAnswer(
    m: Model, x: int, sx: NodeState, y: int, sy: NodeState
) -> tuple[Step, NodeState, NodeState] | None:
    """Guard: x != y, x has a pending question q, q is in y's history, and y's
    inbox does not hold the question message q.
    Effect: pop q from x's pendingQuestions; append the answer (q, value of q
    on x now) to y's inbox; if q was `isActive(U)@u` answered false, x forgets
    the first cached `isRefusing(_)@p` entry, p the provider of u.U on x.
    (y keeps q in its history until ReceiveAnswer.)"""
    if x == y:
        return None
    a = answer_of(m, x, sx)
    if a is None:
        return None
    q, v, nx = a
    if not (sy.history >> q & 1) or msg_question(q) in sy.inbox:
        return None
    msg: Msg = msg_answer(q, v)
    if v is None:
        msg = Stuck(q, x, sx.instances, sx.conns, sx.pc)
    return (
        Step("SendAnswer", x, y, (q, code_of_tri(v))),
        nx,
        sy._replace(inbox=(*sy.inbox, msg)),
    )


def ReceiveQuestion(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: the head of the node's inbox is a question whose destination is in
    its inventory. Effect: pop it and append it to pendingQuestions."""
    if not s.inbox:
        return
    msg = s.inbox[0]
    if isinstance(msg, Stuck) or msg & 3:
        return
    q = msg >> 2
    if not (m.nodes[n].inventory >> m.questions[q].dst & 1):
        return
    yield (
        Step("ReceiveQuestion", n, -1, (q,)),
        s._replace(inbox=s.inbox[1:], pending=(*s.pending, q)),
    )


def ReceiveAnswer(m: Model, n: int, s: NodeState) -> LocalResult:
    """Guard: the head of the node's inbox is an answer to a question in its
    history. Effect: pop it, remove the question from history, cache the value
    (overwriting)."""
    if not s.inbox:
        return
    msg = s.inbox[0]
    if isinstance(msg, Stuck):
        q, code = msg.q, CACHE_UNKNOWN
        stuck = tuple(sorted((*(e for e in s.stuck if e.q != q), msg)))
    else:
        q, code = msg >> 2, msg & 3
        if not code:
            return
        stuck = tuple(e for e in s.stuck if e.q != q) if s.stuck else s.stuck
    if not (s.history >> q & 1):
        return
    cache = (s.cache & ~(3 << (2 * q))) | (code << (2 * q))
    yield (
        Step("ReceiveAnswer", n, -1, (q, code)),
        s._replace(inbox=s.inbox[1:], history=s.history & ~(1 << q), cache=cache, stuck=stuck),
    )


NODE_RULES = (*LOCAL_RULES, ReceiveQuestion, ReceiveAnswer)
"""Every rule that rewrites one node, in the order successors are listed."""
