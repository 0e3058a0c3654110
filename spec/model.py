"""Compile a checked plan into an immutable, integer-indexed model.

Everything the rules need that does not depend on the state is computed here,
once: the group marking of every port as bit sets, the transitions of every
behavior leaving every place, the endings an AND-join at a station waits for,
the places from which a behavior leaves a port's group, the universe of
questions the plan can ever ask, and, per node and program counter, what the
remaining program still contains (for `onDisconnect` and `isCompleted`).

Orders matter. A few Maude equations pick "the first" element of a set (the
first connection of a use port, the first cached `isRefusing` entry to forget,
the order of a batch of collected questions). Maude orders constants by
declaration, so the model numbers instances, ports, connections and questions
in the order of the plan and `spec.export_maude` declares the constants in that
same order: the exported module then makes the same choices as this model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cdcheck.lang import ast as A

# Question kinds, in the order Maude declares the query constructors.
ACTIVE, REFUSING, CONNECTED, COMPLETED, ONDISC = 0, 1, 2, 3, 4
KIND_NAMES = ("isActive", "isRefusing", "isConnected", "isCompleted", "onDisconnect")

# Instruction opcodes.
ADD, DEL, CON, DCON, PUSH, WAIT = 0, 1, 2, 3, 4, 5
OP_NAMES = ("add", "del", "con", "dcon", "pushB", "wait")

Profile = Literal["maude", "intended"]
"""`maude`: the formalization as written (isActive/isRefusing of an absent
instance do not reduce, an unknown value). `intended`: the values the Maude
comments announce (false / true)."""


class ModelError(Exception):
    """The plan refers to something the model cannot resolve (should have been
    caught by lang.check)."""


def bits(mask: int) -> list[int]:
    """Indices of the set bits of `mask`, ascending."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


@dataclass(frozen=True)
class PortGroup:
    """A port bound to a group of places, with its Maude group marking."""

    port: int
    kind: Literal["use", "provide"]
    places: int
    stations: int
    transitions: int
    endings: int
    exits: tuple[int, ...]
    """Per behavior: the group places from which the behavior leaves the group
    (>= 1 transition from the place, all of them to stations outside)."""


@dataclass(frozen=True, eq=False)
class TypeModel:
    name: str
    places: tuple[str, ...]
    initial: int
    stations: tuple[str, ...]
    station_place: tuple[int, ...]
    trans_src: tuple[int, ...]
    trans_stations: tuple[int, ...]
    trans_names: tuple[str, ...]
    trans_index: dict[str, int]
    """Every transition name of the type -> its term (names of equal terms share one)."""
    ending_of: tuple[dict[int, int], ...]
    """ending_of[t][station] = bit index of te(t, station)."""
    ending_trans: tuple[int, ...]
    ending_station: tuple[int, ...]
    endings_at_station: tuple[int, ...]
    behaviors: tuple[int, ...]
    """Transition bit set of each behavior term."""
    behavior_names: tuple[str, ...]
    behavior_index: dict[str, int]
    trans_from: tuple[tuple[int, ...], ...]
    """trans_from[b][p] = transitions of behavior b leaving place p."""
    sources: tuple[int, ...]
    join_req: tuple[tuple[int, ...], ...]
    """join_req[b][s] = endings te(t, s) for t in b targeting s (AND-join)."""
    uses: tuple[PortGroup, ...]
    provides: tuple[PortGroup, ...]
    groups: dict[int, PortGroup]
    use_of_place: tuple[tuple[PortGroup, ...], ...]
    """use_of_place[p] = use ports whose group contains p (port order)."""


EMPTY_GROUP_PLACES = 0


@dataclass(frozen=True)
class Connection:
    user: int
    use: int
    provider: int
    provide: int


@dataclass(frozen=True)
class Question:
    kind: int
    dst: int
    arg: int
    """port id (isActive/isRefusing), connection (isConnected/onDisconnect),
    push id (isCompleted)."""


@dataclass(frozen=True)
class Instr:
    op: int
    inst: int = -1
    arg: int = -1
    """add: type; con/dcon: connection; pushB: behavior (-1 if unknown); wait: push id."""
    push: int = -1
    beh_type: int = -1
    text: str = ""


@dataclass(frozen=True, eq=False)
class NodeModel:
    name: str
    inventory: int
    """Bit set of instance ids (Maude nodeInventory); never changes."""
    slots: tuple[int, ...]
    """The instance ids this node can ever hold (started or added here)."""
    slot_of: dict[int, int]
    program: tuple[Instr, ...]
    dcon_after: tuple[int, ...]
    """dcon_after[pc] = connections with a dcon in program[pc+1:]."""
    push_rest: tuple[frozenset[tuple[int, int]], ...]
    """push_rest[pc] = (instance, push id) of the pushB in program[pc:]."""


@dataclass(frozen=True)
class InitialInstance:
    slot: int
    type: int
    places: int
    queue: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class InitialNode:
    instances: tuple[InitialInstance, ...]
    conns: int
    cache: int


@dataclass(frozen=True, eq=False)
class Model:
    """A compiled plan. Compared and hashed by identity (it holds lookup dicts)."""

    profile: Profile
    types: tuple[TypeModel, ...]
    type_index: dict[str, int]
    instances: tuple[str, ...]
    instance_index: dict[str, int]
    instance_type: tuple[int, ...]
    push_ids: tuple[str, ...]
    push_index: dict[str, int]
    ports: tuple[tuple[int, str, str], ...]
    """(type, name, kind) of each global port id."""
    connections: tuple[Connection, ...]
    conn_index: dict[Connection, int]
    questions: tuple[Question, ...]
    question_index: dict[Question, int]
    nodes: tuple[NodeModel, ...]
    initial: tuple[InitialNode, ...]
    # derived indexes
    conn_by_provider: tuple[int, ...]
    conn_by_user_port: dict[tuple[int, int], int]
    conn_mentions: tuple[int, ...]
    host_of: tuple[int, ...]
    """Node whose inventory holds each instance (-1: none)."""
    hosts_of: tuple[tuple[int, ...], ...]
    q_active_use: tuple[int, ...]
    q_active_pro: tuple[int, ...]
    q_refusing: tuple[int, ...]
    q_connected: tuple[int, ...]
    q_ondisc_user: tuple[int, ...]
    q_ondisc_prov: tuple[int, ...]
    q_completed: dict[tuple[int, int], int] = field(default_factory=dict)
    refusing_of: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """refusing_of[p] = the isRefusing(_)@p questions, in Maude's map order."""

    def refusing_by_dst(self, dst: int) -> tuple[int, ...]:
        return self.refusing_of.get(dst, ())

    def group(self, type_: int, port: int) -> PortGroup | None:
        return self.types[type_].groups.get(port)

    def q(self, kind: int, dst: int, arg: int) -> int:
        """Index of a question, -1 if the plan can never ask or cache it."""
        return self.question_index.get(Question(kind, dst, arg), -1)

    def conn_text(self, c: int) -> str:
        k = self.connections[c]
        return (
            f"{self.instances[k.user]}.{self.ports[k.use][1]} -- "
            f"{self.instances[k.provider]}.{self.ports[k.provide][1]}"
        )

    def question_text(self, q: int) -> str:
        qq = self.questions[q]
        if qq.kind in (ACTIVE, REFUSING):
            arg = f"{self.instances[qq.dst]}.{self.ports[qq.arg][1]}"
            return f"{KIND_NAMES[qq.kind]}({arg})"
        if qq.kind == COMPLETED:
            return f"isCompleted({self.instances[qq.dst]}, {self.push_ids[qq.arg]})"
        return f"{KIND_NAMES[qq.kind]}({self.conn_text(qq.arg)})@{self.instances[qq.dst]}"


# --------------------------------------------------------------------------- compile


def _compile_type(t: A.ComponentType, port_base: int) -> tuple[TypeModel, list[tuple[str, str]]]:
    places = tuple(p.text for p in t.places)
    pidx = {p: i for i, p in enumerate(places)}
    stations = list(places)
    station_place = list(range(len(places)))
    for st in t.stations:
        if st.name.text in pidx or st.name.text in stations:
            raise ModelError(f"type {t.name}: station `{st.name}` clashes with a name")
        if st.place.text not in pidx:
            raise ModelError(f"type {t.name}: station `{st.name}` of unknown place {st.place}")
        stations.append(st.name.text)
        station_place.append(pidx[st.place.text])
    sidx = {s: i for i, s in enumerate(stations)}
    if t.initial is None or t.initial.text not in pidx:
        raise ModelError(f"type {t.name}: no valid initial place")

    defs: dict[str, A.TransitionDef] = {}
    for b in t.behaviors:
        for it in b.items:
            if isinstance(it, A.TransitionDef):
                defs.setdefault(it.name.text, it)
    term_index: dict[tuple[int, frozenset[int]], int] = {}
    trans_src: list[int] = []
    trans_st: list[int] = []
    trans_names: list[str] = []

    def term_of(d: A.TransitionDef) -> int:
        if d.source.text not in pidx:
            raise ModelError(f"type {t.name}: transition {d.name}: unknown place {d.source}")
        sts = []
        for tg in d.targets:
            if tg.text not in sidx:
                raise ModelError(f"type {t.name}: transition {d.name}: unknown station {tg}")
            sts.append(sidx[tg.text])
        key = (pidx[d.source.text], frozenset(sts))
        if key not in term_index:
            term_index[key] = len(trans_src)
            trans_src.append(key[0])
            trans_st.append(sum(1 << s for s in key[1]))
            trans_names.append(d.name.text)
        return term_index[key]

    beh_terms: list[int] = []
    beh_names: list[str] = []
    beh_index: dict[str, int] = {}
    for b in t.behaviors:
        mask = 0
        for it in b.items:
            tdef = defs.get(it.name.text)
            if tdef is None:
                raise ModelError(f"type {t.name}: unknown transition {it.name}")
            mask |= 1 << term_of(tdef)
        if mask not in beh_terms:
            beh_terms.append(mask)
            beh_names.append(b.name.text)
        beh_index[b.name.text] = beh_terms.index(mask)

    ending_of: list[dict[int, int]] = []
    ending_trans: list[int] = []
    ending_station: list[int] = []
    for ti in range(len(trans_src)):
        emap: dict[int, int] = {}
        for s in bits(trans_st[ti]):
            emap[s] = len(ending_trans)
            ending_trans.append(ti)
            ending_station.append(s)
        ending_of.append(emap)
    endings_at_station = [0] * len(stations)
    for e, s in enumerate(ending_station):
        endings_at_station[s] |= 1 << e

    trans_from = []
    sources = []
    join_req = []
    for bm in beh_terms:
        tf = [0] * len(places)
        src = 0
        jr = [0] * len(stations)
        for ti in bits(bm):
            tf[trans_src[ti]] |= 1 << ti
            src |= 1 << trans_src[ti]
            for s in bits(trans_st[ti]):
                jr[s] |= 1 << ending_of[ti][s]
        trans_from.append(tuple(tf))
        sources.append(src)
        join_req.append(tuple(jr))

    uses: list[PortGroup] = []
    provides: list[PortGroup] = []
    groups: dict[int, PortGroup] = {}
    port_decls: list[tuple[str, str]] = []
    for k, port in enumerate(t.ports):
        gp = 0
        for pname in port.places:
            if pname.text not in pidx:
                raise ModelError(f"type {t.name}: port {port.name}: unknown place {pname}")
            gp |= 1 << pidx[pname.text]
        gs = sum(1 << s for s in range(len(stations)) if gp >> station_place[s] & 1)
        gt = 0
        for ti in range(len(trans_src)):
            if gp >> trans_src[ti] & 1 and trans_st[ti] & ~gs == 0:
                gt |= 1 << ti
        ge = 0
        for ti in bits(gt):
            for e in ending_of[ti].values():
                ge |= 1 << e
        exits = []
        for bi in range(len(beh_terms)):
            ex = 0
            for p in bits(gp):
                out = trans_from[bi][p]
                if out and all(trans_st[ti] & gs == 0 for ti in bits(out)):
                    ex |= 1 << p
            exits.append(ex)
        g = PortGroup(port_base + k, port.kind, gp, gs, gt, ge, tuple(exits))
        groups[g.port] = g
        (uses if port.kind == "use" else provides).append(g)
        port_decls.append((port.name.text, port.kind))
    use_of_place = tuple(tuple(g for g in uses if g.places >> p & 1) for p in range(len(places)))
    tm = TypeModel(
        name=t.name.text,
        places=places,
        initial=pidx[t.initial.text],
        stations=tuple(stations),
        station_place=tuple(station_place),
        trans_src=tuple(trans_src),
        trans_stations=tuple(trans_st),
        trans_names=tuple(trans_names),
        trans_index={name: term_of(d) for name, d in defs.items()},
        ending_of=tuple(ending_of),
        ending_trans=tuple(ending_trans),
        ending_station=tuple(ending_station),
        endings_at_station=tuple(endings_at_station),
        behaviors=tuple(beh_terms),
        behavior_names=tuple(beh_names),
        behavior_index=beh_index,
        trans_from=tuple(trans_from),
        sources=tuple(sources),
        join_req=tuple(join_req),
        uses=tuple(uses),
        provides=tuple(provides),
        groups=groups,
        use_of_place=use_of_place,
    )
    return tm, port_decls


class _Names:
    """First-appearance numbering."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def add(self, name: str) -> int:
        if name not in self.index:
            self.index[name] = len(self.index)
        return self.index[name]


def compile_plan(plan: A.Plan, profile: Profile = "maude") -> Model:
    """Compile a plan that passed lang.check into a Model."""
    types: list[TypeModel] = []
    type_index: dict[str, int] = {}
    ports: list[tuple[int, str, str]] = []
    port_index: dict[tuple[int, str], int] = {}
    for t in plan.types:
        if t.name.text in type_index:
            continue
        tm, decls = _compile_type(t, len(ports))
        type_index[t.name.text] = len(types)
        for name, kind in decls:
            port_index[(len(types), name)] = len(ports)
            ports.append((len(types), name, kind))
        types.append(tm)

    # Instances: hosts, starts, adds, in node order; their types.
    inst = _Names()
    inst_type: dict[int, int] = {}

    def type_of_name(name: A.Ident) -> int:
        if name.text not in type_index:
            raise ModelError(f"unknown type {name}")
        return type_index[name.text]

    for n in plan.nodes:
        for h in n.hosts:
            inst.add(h.text)
        for s in n.starts:
            inst_type.setdefault(inst.add(s.instance.text), type_of_name(s.type))
        for ins in n.program:
            if isinstance(ins, A.Add):
                inst_type.setdefault(inst.add(ins.instance.text), type_of_name(ins.type))

    def iid(name: A.Ident) -> int:
        return inst.add(name.text)

    pushes = _Names()
    conn_keys: set[tuple[int, int, int, int]] = set()

    def conn_key(c: A.Connection) -> tuple[int, int, int, int]:
        u, p = iid(c.user.instance), iid(c.provider.instance)
        if u not in inst_type or p not in inst_type:
            raise ModelError(f"connection {c}: instance of unknown type")
        ku = port_index.get((inst_type[u], c.user.port.text))
        kp = port_index.get((inst_type[p], c.provider.port.text))
        if ku is None or kp is None:
            raise ModelError(f"connection {c}: unknown port")
        key = (u, ku, p, kp)
        conn_keys.add(key)
        return key

    # First pass over everything that names connections, instances and push ids.
    for n in plan.nodes:
        for ac in n.connections:
            conn_key(ac)
        for e in n.cache:
            if e.query.connection is not None:
                conn_key(e.query.connection)
        for qdecl in n.queues:
            iid(qdecl.instance)
            for pu in qdecl.pushes:
                pushes.add(pu.push_id.text)
        for ins in n.program:
            if isinstance(ins, A.Con | A.Dcon):
                conn_key(ins.connection)
            elif isinstance(ins, A.PushB | A.Wait):
                iid(ins.instance)
                pushes.add(ins.push_id.text)
            elif isinstance(ins, A.Del):
                iid(ins.instance)
    for n in plan.nodes:
        for e in n.cache:
            if e.query.kind == "isCompleted" and e.query.push_id is not None:
                pushes.add(e.query.push_id.text)
    connections = tuple(Connection(*k) for k in sorted(conn_keys))
    conn_index = {c: i for i, c in enumerate(connections)}

    def cidx(c: A.Connection) -> int:
        return conn_index[Connection(*conn_key(c))]

    # Question universe.
    qset: set[Question] = set()
    for ci, kc in enumerate(connections):
        qset.update(
            {
                Question(ACTIVE, kc.user, kc.use),
                Question(ACTIVE, kc.provider, kc.provide),
                Question(REFUSING, kc.provider, kc.provide),
                Question(CONNECTED, kc.provider, ci),
                Question(ONDISC, kc.user, ci),
                Question(ONDISC, kc.provider, ci),
            }
        )
    waits: list[tuple[int, int]] = []
    for n in plan.nodes:
        for ins in n.program:
            if isinstance(ins, A.Wait):
                waits.append((iid(ins.instance), pushes.index[ins.push_id.text]))
    for w in waits:
        qset.add(Question(COMPLETED, *w))

    def query_question(qr: A.Query) -> Question:
        if qr.kind in ("isActive", "isRefusing"):
            assert qr.port is not None
            i = iid(qr.port.instance)
            if i not in inst_type:
                raise ModelError(f"cache: instance {qr.port.instance} of unknown type")
            port = port_index.get((inst_type[i], qr.port.port.text))
            if port is None:
                raise ModelError(f"cache: unknown port {qr.port}")
            dst = iid(qr.dst) if qr.dst else i
            return Question(ACTIVE if qr.kind == "isActive" else REFUSING, dst, port)
        if qr.kind in ("isConnected", "onDisconnect"):
            assert qr.connection is not None
            ci = cidx(qr.connection)
            if qr.dst is None:
                if qr.kind == "onDisconnect":
                    raise ModelError("cache: onDisconnect needs an explicit @dst")
                dst = connections[ci].provider
            else:
                dst = iid(qr.dst)
            return Question(CONNECTED if qr.kind == "isConnected" else ONDISC, dst, ci)
        assert qr.instance is not None and qr.push_id is not None
        i = iid(qr.instance)
        dst = iid(qr.dst) if qr.dst else i
        return Question(COMPLETED, dst, pushes.index[qr.push_id.text])

    caches: list[list[tuple[Question, bool]]] = []
    for n in plan.nodes:
        entries = [(query_question(e.query), e.value) for e in n.cache]
        qset.update(q for q, _ in entries)
        caches.append(entries)
    questions = tuple(sorted(qset, key=lambda q: (q.dst, q.kind, q.arg)))
    question_index = {q: i for i, q in enumerate(questions)}

    # Nodes.
    nodes: list[NodeModel] = []
    initials: list[InitialNode] = []
    for n, entries in zip(plan.nodes, caches, strict=True):
        inventory = 0
        for h in n.hosts:
            inventory |= 1 << iid(h)
        slot_list: list[int] = []
        local_type: dict[int, int] = {}
        for s in n.starts:
            i = iid(s.instance)
            if i not in slot_list:
                slot_list.append(i)
            local_type.setdefault(i, type_of_name(s.type))
        prog: list[Instr] = []
        for ins in n.program:
            if isinstance(ins, A.Add):
                i = iid(ins.instance)
                if i not in slot_list:
                    slot_list.append(i)
                local_type.setdefault(i, type_of_name(ins.type))
                prog.append(
                    Instr(ADD, i, type_of_name(ins.type), text=f"add {ins.instance}: {ins.type}")
                )
            elif isinstance(ins, A.Del):
                prog.append(Instr(DEL, iid(ins.instance), text=f"del {ins.instance}"))
            elif isinstance(ins, A.Con):
                prog.append(Instr(CON, -1, cidx(ins.connection), text=f"con {ins.connection}"))
            elif isinstance(ins, A.Dcon):
                prog.append(Instr(DCON, -1, cidx(ins.connection), text=f"dcon {ins.connection}"))
            elif isinstance(ins, A.PushB):
                i = iid(ins.instance)
                ty = local_type.get(i, inst_type.get(i, -1))
                beh = types[ty].behavior_index.get(ins.behavior.text, -1) if ty >= 0 else -1
                prog.append(
                    Instr(
                        PUSH,
                        i,
                        beh,
                        pushes.index[ins.push_id.text],
                        ty,
                        text=f"pushB {ins.instance} {ins.behavior} as {ins.push_id}",
                    )
                )
            else:
                prog.append(
                    Instr(
                        WAIT,
                        iid(ins.instance),
                        pushes.index[ins.push_id.text],
                        text=f"wait {ins.instance} {ins.push_id}",
                    )
                )
        dcon_after = []
        push_rest = []
        for pc in range(len(prog) + 1):
            da = 0
            for ins2 in prog[pc + 1 :]:
                if ins2.op == DCON:
                    da |= 1 << ins2.arg
            dcon_after.append(da)
            push_rest.append(frozenset((x.inst, x.push) for x in prog[pc:] if x.op == PUSH))
        slots = tuple(slot_list)
        slot_of = {i: k for k, i in enumerate(slots)}
        nodes.append(
            NodeModel(
                n.name.text,
                inventory,
                slots,
                slot_of,
                tuple(prog),
                tuple(dcon_after),
                tuple(push_rest),
            )
        )
        queues: dict[int, tuple[tuple[int, int], ...]] = {}
        for qd in n.queues:
            i = iid(qd.instance)
            ty = local_type.get(i, -1)
            if ty < 0:
                raise ModelError(f"node {n.name}: queue of instance {qd.instance} not started here")
            items = []
            for pu in qd.pushes:
                b = types[ty].behavior_index.get(pu.behavior.text)
                if b is None:
                    raise ModelError(f"queue {qd.instance}: unknown behavior {pu.behavior}")
                items.append((pushes.index[pu.push_id.text], b))
            queues[i] = queues.get(i, ()) + tuple(items)
        inits = []
        for s in n.starts:
            i = iid(s.instance)
            ty = local_type[i]
            pl = 0
            for pname in s.places:
                if pname.text not in types[ty].places:
                    raise ModelError(f"start {s.instance}: unknown place {pname}")
                pl |= 1 << types[ty].places.index(pname.text)
            inits.append(InitialInstance(slot_of[i], ty, pl, queues.get(i, ())))
        conns = 0
        for ac in n.connections:
            conns |= 1 << cidx(ac)
        cache = 0
        for qq, v in entries:
            qk = question_index[qq]
            cache = (cache & ~(3 << 2 * qk)) | ((2 if v else 1) << 2 * qk)
        initials.append(InitialNode(tuple(inits), conns, cache))

    n_inst = len(inst.index)
    instances = tuple(sorted(inst.index, key=inst.index.__getitem__))
    conn_by_provider = [0] * n_inst
    conn_mentions = [0] * n_inst
    conn_by_user_port: dict[tuple[int, int], int] = {}
    for ci, kc in enumerate(connections):
        conn_by_provider[kc.provider] |= 1 << ci
        conn_mentions[kc.provider] |= 1 << ci
        conn_mentions[kc.user] |= 1 << ci
        key = (kc.user, kc.use)
        conn_by_user_port[key] = conn_by_user_port.get(key, 0) | 1 << ci
    host_of = [-1] * n_inst
    hosts_of: list[list[int]] = [[] for _ in range(n_inst)]
    for k, nm in enumerate(nodes):
        for i in bits(nm.inventory):
            hosts_of[i].append(k)
            if host_of[i] < 0:
                host_of[i] = k

    refusing_lists: dict[int, list[int]] = {}
    for k, qq in enumerate(questions):
        if qq.kind == REFUSING:
            refusing_lists.setdefault(qq.dst, []).append(k)
    refusing_of = {d: tuple(v) for d, v in refusing_lists.items()}

    def qi(kind: int, dst: int, arg: int) -> int:
        return question_index[Question(kind, dst, arg)]

    return Model(
        profile=profile,
        types=tuple(types),
        type_index=type_index,
        instances=instances,
        instance_index=dict(inst.index),
        instance_type=tuple(inst_type.get(i, -1) for i in range(n_inst)),
        push_ids=tuple(sorted(pushes.index, key=pushes.index.__getitem__)),
        push_index=dict(pushes.index),
        ports=tuple(ports),
        connections=connections,
        conn_index=conn_index,
        questions=questions,
        question_index=question_index,
        nodes=tuple(nodes),
        initial=tuple(initials),
        conn_by_provider=tuple(conn_by_provider),
        conn_by_user_port=conn_by_user_port,
        conn_mentions=tuple(conn_mentions),
        host_of=tuple(host_of),
        hosts_of=tuple(tuple(h) for h in hosts_of),
        q_active_use=tuple(qi(ACTIVE, c.user, c.use) for c in connections),
        q_active_pro=tuple(qi(ACTIVE, c.provider, c.provide) for c in connections),
        q_refusing=tuple(qi(REFUSING, c.provider, c.provide) for c in connections),
        q_connected=tuple(qi(CONNECTED, c.provider, k) for k, c in enumerate(connections)),
        q_ondisc_user=tuple(qi(ONDISC, c.user, k) for k, c in enumerate(connections)),
        q_ondisc_prov=tuple(qi(ONDISC, c.provider, k) for k, c in enumerate(connections)),
        q_completed={w: qi(COMPLETED, *w) for w in waits},
        refusing_of=refusing_of,
    )
