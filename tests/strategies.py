"""Hypothesis strategies for small valid Concerto-D plans (lang AST).

`plans()` draws a whole `Plan`: one to three component types (acyclic
behaviors with a single root, sometimes an extra station and multi-target
transitions, ports on random groups of places), two to four instances spread
over one to three nodes, each started (sometimes with a queued behavior) or
added by its node, connections declared initially or made by `con`, cached
answers of every kind, and short programs of pushB / wait / con / dcon / del.
Every plan it draws passes `lang.check` without errors (tested in
tests/spec/test_spec_random_plans.py), so any stage after the front end can
use it.

Sizes stay small on purpose: the semantics tests explore (a bounded part of)
the state space of each drawn plan.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from cdcheck.lang import ast as A


def _id(text: str) -> A.Ident:
    return A.Ident(text)


@st.composite
def component_types(draw: st.DrawFn, name: str) -> A.ComponentType:
    n_places = draw(st.integers(2, 4))
    places = [f"p{i}" for i in range(n_places)]
    stations: list[A.Station] = []
    if draw(st.booleans()):
        stations.append(A.Station(_id("s1"), _id(draw(st.sampled_from(places[1:])))))
    targets = places + [s.name.text for s in stations]
    place_of = {p: p for p in places} | {s.name.text: s.place.text for s in stations}
    behaviors = []
    n_trans = 0
    for b in range(draw(st.integers(1, 3))):
        order = draw(st.permutations(places))
        items: list[A.BehaviorItem] = []
        reached = [order[0]]  # one root: every join has a common ancestor (lang E022)
        for _ in range(draw(st.integers(1, 3))):
            src = draw(st.sampled_from([p for p in reached if p != order[-1]]))
            i = order.index(src)
            later = [t for t in targets if order.index(place_of[t]) > i]
            tgts = draw(st.lists(st.sampled_from(later), min_size=1, max_size=2, unique=True))
            items.append(A.TransitionDef(_id(f"t{n_trans}"), _id(src), tuple(_id(t) for t in tgts)))
            reached.extend(place_of[t] for t in tgts if place_of[t] not in reached)
            n_trans += 1
        behaviors.append(A.Behavior(_id(f"b{b}"), tuple(items)))
    ports = []
    for kind, prefix in (("use", "u"), ("provide", "r")):
        for k in range(draw(st.integers(0, 2))):
            group = draw(st.lists(st.sampled_from(places), min_size=1, max_size=3, unique=True))
            ports.append(A.Port(kind, _id(f"{prefix}{k}"), tuple(_id(p) for p in group)))  # type: ignore[arg-type]
    return A.ComponentType(
        _id(name),
        tuple(_id(p) for p in places),
        _id(places[0]),
        None,
        tuple(stations),
        tuple(behaviors),
        tuple(ports),
    )


def _ports(t: A.ComponentType, kind: str) -> list[str]:
    return [p.name.text for p in t.ports if p.kind == kind]


@st.composite
def plans(
    draw: st.DrawFn, max_nodes: int = 3, max_instances: int = 4, min_nodes: int = 1
) -> A.Plan:
    types = [draw(component_types(f"T{k}")) for k in range(draw(st.integers(1, 3)))]
    # Make sure someone can use and someone can provide, often.
    n_inst = draw(st.integers(2, max_instances))
    inst_type = [draw(st.sampled_from(types)) for _ in range(n_inst)]
    names = [f"c{i}" for i in range(n_inst)]
    n_nodes = draw(st.integers(min(min_nodes, n_inst), min(max_nodes, n_inst)))
    node_of = [i if i < n_nodes else draw(st.integers(0, n_nodes - 1)) for i in range(n_inst)]
    started = [draw(st.booleans()) for _ in range(n_inst)]

    # Connections: at most one per use port, user != provider.
    conns: list[A.Connection] = []
    for u in range(n_inst):
        for use in _ports(inst_type[u], "use"):
            cands = [
                (p, pro) for p in range(n_inst) if p != u for pro in _ports(inst_type[p], "provide")
            ]
            if cands and draw(st.booleans()):
                p, pro = draw(st.sampled_from(cands))
                conns.append(
                    A.Connection(
                        A.PortRef(_id(names[u]), _id(use)), A.PortRef(_id(names[p]), _id(pro))
                    )
                )
    initial_conn = [
        draw(st.booleans()) and started[_idx(names, c.user)] and started[_idx(names, c.provider)]
        for c in conns
    ]

    programs: list[list[A.Instruction]] = [[] for _ in range(n_nodes)]
    for i in range(n_inst):
        if not started[i]:
            programs[node_of[i]].append(A.Add(_id(names[i]), inst_type[i].name))
    for c, init in zip(conns, initial_conn, strict=True):
        if not init:
            for side in {node_of[_idx(names, c.user)], node_of[_idx(names, c.provider)]}:
                programs[side].append(A.Con(c))
    pushes: list[tuple[int, str]] = []
    for k in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, n_inst - 1))
        beh = draw(st.sampled_from(inst_type[i].behaviors)).name
        pid = f"id{k}"
        programs[node_of[i]].append(A.PushB(_id(names[i]), beh, _id(pid)))
        pushes.append((i, pid))
    for n in range(n_nodes):
        if pushes and draw(st.booleans()):
            i, pid = draw(st.sampled_from(pushes))
            programs[n].append(A.Wait(_id(names[i]), _id(pid)))
    for c in conns:
        if draw(st.integers(0, 3)) == 0:
            for side in sorted({node_of[_idx(names, c.user)], node_of[_idx(names, c.provider)]}):
                programs[side].append(A.Dcon(c))
    shuffled = [list(draw(st.permutations(p))) for p in programs]
    for i in range(n_inst):
        if draw(st.integers(0, 4)) == 0:
            shuffled[node_of[i]].append(A.Del(_id(names[i])))

    nodes = []
    for n in range(n_nodes):
        local = [i for i in range(n_inst) if node_of[i] == n]
        starts = []
        queues: list[A.InitialQueue] = []
        for i in local:
            if started[i]:
                t = inst_type[i]
                at = draw(
                    st.lists(
                        st.sampled_from([p.text for p in t.places]),
                        min_size=1,
                        max_size=2,
                        unique=True,
                    )
                )
                starts.append(A.StartInstance(_id(names[i]), t.name, tuple(_id(p) for p in at)))
                if draw(st.integers(0, 3)) == 0:
                    b = draw(st.sampled_from(t.behaviors)).name
                    queues.append(A.InitialQueue(_id(names[i]), (A.Push(b, _id(f"q{i}")),)))
        known = [
            c
            for c, init in zip(conns, initial_conn, strict=True)
            if init and (node_of[_idx(names, c.user)] == n or node_of[_idx(names, c.provider)] == n)
        ]
        cache: dict[A.Query, A.CacheEntry] = {}
        for c in conns:
            p = _idx(names, c.provider)
            if node_of[p] != n and node_of[_idx(names, c.user)] == n and draw(st.booleans()):
                for q in (
                    A.Query("isConnected", connection=c),
                    A.Query("isRefusing", port=c.provider),
                ):
                    cache.setdefault(q, A.CacheEntry(q, draw(st.booleans())))
            u = _idx(names, c.user)
            if node_of[u] != n and node_of[p] == n and draw(st.booleans()):
                for q in (
                    A.Query("isActive", port=c.user),
                    A.Query("onDisconnect", connection=c, dst=c.user.instance),
                ):
                    cache.setdefault(q, A.CacheEntry(q, draw(st.booleans())))
        for i, pid in pushes:
            if node_of[i] != n and draw(st.integers(0, 3)) == 0:
                q = A.Query("isCompleted", instance=_id(names[i]), push_id=_id(pid))
                cache.setdefault(q, A.CacheEntry(q, draw(st.booleans())))
        nodes.append(
            A.NodeDecl(
                _id(f"n{n}"),
                tuple(_id(names[i]) for i in local),
                tuple(starts),
                tuple(queues),
                tuple(known),
                tuple(cache.values()),
                tuple(_order(shuffled[n])),
            )
        )
    return A.Plan("<hypothesis>", tuple(types), tuple(nodes), ())


def _idx(names: list[str], ref: A.PortRef) -> int:
    return names.index(ref.instance.text)


def _order(prog: list[A.Instruction]) -> list[A.Instruction]:
    """Adds first (an instance must exist before its pushes), the rest as drawn."""
    adds = [i for i in prog if isinstance(i, A.Add)]
    return adds + [i for i in prog if not isinstance(i, A.Add)]


@st.composite
def quiet_plans(
    draw: st.DrawFn, max_nodes: int = 3, max_instances: int = 4, min_nodes: int = 1
) -> A.Plan:
    """`plans` with every instance started (added ones at their type's initial
    place) and no `add`, `del` or initial queue: the plans the quiet system
    may stand for (spec.quiet.obstacles), which `plans` rarely draws."""
    plan = draw(plans(max_nodes, max_instances, min_nodes))
    types = {t.name.text: t for t in plan.types}
    nodes = []
    for node in plan.nodes:
        added = [
            A.StartInstance(
                i.instance, i.type, (types[i.type.text].initial or types[i.type.text].places[0],)
            )
            for i in node.program
            if isinstance(i, A.Add)
        ]
        program = tuple(i for i in node.program if not isinstance(i, A.Add | A.Del))
        nodes.append(replace(node, starts=(*node.starts, *added), queues=(), program=program))
    return replace(plan, nodes=tuple(nodes))


SHARED_TYPE = """
type T {
  places off, on
  initial off
  behavior up { up1: off -> on }
  behavior down { down1: on -> off }
  use u on on
  provide p on on
}
"""


@st.composite
def shared_question_plans(draw: st.DrawFn) -> str:
    """Plan text where two or three nodes ask one host the same questions:
    users of one provide port activating (`isRefusing`), nodes waiting for
    one push (`isCompleted`), each asker's steps chained to the previous
    asker's or not. The generated plans of `plans` rarely share a question;
    these are what `spec.episodes` must order, or flag."""
    askers = draw(st.integers(2, 3))
    bounce = draw(st.booleans())
    host = ["pushB h down as h_down", "pushB h up as h_up"] if bounce else []
    nodes = [
        "node n0 hosts h {\n  start h: T at on\n"
        + "".join(f"  connected a{i}.u -- h.p\n" for i in range(askers))
        + "  program { "
        + " ".join(host)
        + " }\n}\n"
    ]
    for i in range(askers):
        program: list[str] = []
        if i and draw(st.integers(0, 3)):
            program.append(f"wait a{i - 1} a{i - 1}_up")
        if bounce and draw(st.integers(0, 3)):
            program.append("wait h h_up")
        program.append(f"pushB a{i} up as a{i}_up")
        if draw(st.booleans()):
            program.append(f"pushB a{i} down as a{i}_down")
        nodes.append(
            f"node n{i + 1} hosts a{i} {{\n  start a{i}: T at off\n"
            f"  connected a{i}.u -- h.p\n  program {{ {' '.join(program)} }}\n}}\n"
        )
    return SHARED_TYPE + "".join(nodes)
