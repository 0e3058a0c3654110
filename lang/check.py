"""Static checks of a resolved plan.

A plan that passes these checks is one the semantics can compile: every name
resolves, every lifecycle is well formed (acyclic behaviors, joins that can be
satisfied, ports on known places), every connection goes from a use port to a
provide port, and every instruction acts on an instance its node hosts where
the formalization requires it. Problems that only show in some executions
(a forgotten `wait`) are not static: the model checker finds them.

Errors make the plan unusable (exit 2); warnings point at things that are legal
but almost certainly not meant (an instruction that can never execute, a cache
entry that is never consulted). All diagnostics of a plan are reported, in
source order, each with its own code; docs/language.md lists them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from . import ast as A
from .diagnostics import Diagnostic, did_you_mean


@dataclass
class TypeInfo:
    """What the checks need to know about one component type."""

    decl: A.ComponentType
    places: dict[str, A.Ident] = field(default_factory=dict)
    stations: dict[str, str] = field(default_factory=dict)  # station -> place
    transitions: dict[str, A.TransitionDef] = field(default_factory=dict)
    behaviors: dict[str, A.Behavior] = field(default_factory=dict)
    ports: dict[str, A.Port] = field(default_factory=dict)

    def ports_of(self, kind: A.PortKind) -> list[str]:
        return [name for name, p in self.ports.items() if p.kind == kind]


class _Checker:
    def __init__(self, plan: A.Plan) -> None:
        self.plan = plan
        self.out: list[Diagnostic] = []
        self.types: dict[str, TypeInfo] = {}
        self.host_of: dict[str, A.NodeDecl] = {}
        self.instance_type: dict[str, str] = {}
        self.pushes: dict[tuple[str, str], list[A.Span]] = defaultdict(list)

    # ------------------------------------------------------------------ output
    def error(self, code: str, message: str, span: A.Span, hint: str | None = None) -> None:
        self.out.append(Diagnostic("error", code, message, span, hint))

    def warning(self, code: str, message: str, span: A.Span, hint: str | None = None) -> None:
        self.out.append(Diagnostic("warning", code, message, span, hint))

    # ------------------------------------------------------------------ types
    def check_types(self) -> None:
        for t in self.plan.types:
            if t.name.text in self.types:
                first = self.types[t.name.text].decl.name.span
                self.error(
                    "E010",
                    f"type `{t.name}` is defined twice (first at {first})",
                    t.name.span,
                    "rename one of them, or include the types file only once",
                )
                continue
            self.types[t.name.text] = self.check_type(t)

    def check_type(self, t: A.ComponentType) -> TypeInfo:
        info = TypeInfo(t)
        for p in t.places:
            if p.text in info.places:
                self.error("E011", f"place `{p}` is declared twice in type `{t.name}`", p.span)
            info.places[p.text] = p
            info.stations[p.text] = p.text
        if not t.places:
            self.error("E012", f"type `{t.name}` declares no places", t.name.span)
        if t.initial is not None and t.places:
            self.check_place_ref(info, t.initial, "initial place")
        elif t.initial is None:
            self.error(
                "E013",
                f"type `{t.name}` has no initial place",
                t.name.span,
                "add a line `initial <place>`",
            )
        if t.running is not None:
            self.check_place_ref(info, t.running, "running place")
        for s in t.stations:
            if s.name.text in info.stations:
                self.error(
                    "E014",
                    f"station `{s.name}` clashes with a place or station of type `{t.name}`",
                    s.name.span,
                    "every place already has a station of its own name",
                )
                continue
            if self.check_place_ref(info, s.place, "place"):
                info.stations[s.name.text] = s.place.text
        for b in t.behaviors:
            self.collect_transitions(info, b)
        for b in t.behaviors:
            if b.name.text in info.behaviors:
                self.error(
                    "E020", f"behavior `{b.name}` is defined twice in type `{t.name}`", b.name.span
                )
                continue
            info.behaviors[b.name.text] = b
            self.check_behavior(info, b)
        for port in t.ports:
            if port.name.text in info.ports:
                self.error(
                    "E023",
                    f"port `{port.name}` is declared twice in type `{t.name}`",
                    port.name.span,
                )
                continue
            info.ports[port.name.text] = port
            for p in port.places:
                self.check_place_ref(info, p, "place", f" for port `{port.name}`")
        return info

    def check_place_ref(self, info: TypeInfo, ident: A.Ident, what: str, context: str = "") -> bool:
        if ident.text in info.places:
            return True
        self.error(
            "E015",
            f"unknown {what} `{ident}`{context} in type `{info.decl.name}`",
            ident.span,
            did_you_mean(ident.text, info.places),
        )
        return False

    def collect_transitions(self, info: TypeInfo, b: A.Behavior) -> None:
        for item in b.items:
            if not isinstance(item, A.TransitionDef):
                continue
            name = item.name.text
            if name in info.transitions:
                first = info.transitions[name]
                self.error(
                    "E016",
                    f"transition `{name}` is defined twice in type `{info.decl.name}` "
                    f"(first at {first.name.span})",
                    item.name.span,
                    "to reuse a transition in another behavior, write its name alone",
                )
                continue
            info.transitions[name] = item
            self.check_place_ref(info, item.source, "source place")
            for target in item.targets:
                if target.text not in info.stations:
                    self.error(
                        "E017",
                        f"transition `{name}` goes to unknown place or station `{target}`",
                        target.span,
                        did_you_mean(target.text, info.stations),
                    )
            if len({t.text for t in item.targets}) != len(item.targets):
                self.warning("W101", f"transition `{name}` names the same target twice", item.span)

    def behavior_transitions(self, info: TypeInfo, b: A.Behavior) -> list[A.TransitionDef]:
        found: list[A.TransitionDef] = []
        for item in b.items:
            if isinstance(item, A.TransitionDef):
                found.append(item)
            elif item.name.text in info.transitions:
                found.append(info.transitions[item.name.text])
            else:
                self.error(
                    "E018",
                    f"behavior `{b.name}` refers to unknown transition `{item.name}`",
                    item.name.span,
                    did_you_mean(item.name.text, info.transitions),
                )
        return found

    def check_behavior(self, info: TypeInfo, b: A.Behavior) -> None:
        transitions = self.behavior_transitions(info, b)
        if not b.items:
            self.warning("W102", f"behavior `{b.name}` has no transitions", b.name.span)
        known = [
            t
            for t in transitions
            if t.source.text in info.places and all(s.text in info.stations for s in t.targets)
        ]
        graph: nx.DiGraph = nx.DiGraph()
        for t in known:
            for s in t.targets:
                graph.add_edge(t.source.text, info.stations[s.text])
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            cycle = None
        if cycle:
            path = " -> ".join([cycle[0][0], *(v for _, v in cycle)])
            self.error(
                "E021",
                f"behavior `{b.name}` of type `{info.decl.name}` is cyclic: {path}",
                b.name.span,
                "the semantics has no memory of visited places: split the cycle into two behaviors",
            )
            return
        into: dict[str, list[A.TransitionDef]] = defaultdict(list)
        for t in known:
            for s in t.targets:
                into[s.text].append(t)
        for station, incoming in into.items():
            sources = sorted({t.source.text for t in incoming})
            if len(sources) < 2:
                continue
            common = set.intersection(*(nx.ancestors(graph, s) | {s} for s in sources))
            if not common:
                names = ", ".join(f"`{t.name}`" for t in incoming)
                self.warning(
                    "W114",
                    f"join at `{station}` in behavior `{b.name}` can never be satisfied: "
                    f"{names} start from places {', '.join(sources)}, which no single "
                    "token reaches together",
                    b.name.span,
                    "give each transition its own station "
                    f"(`station s1 of {info.stations[station]}`) to make an OR-entry",
                )

    # ------------------------------------------------------------------ nodes
    def check_nodes(self) -> None:
        seen_nodes: dict[str, A.NodeDecl] = {}
        for n in self.plan.nodes:
            if n.name.text in seen_nodes:
                self.error(
                    "E030",
                    f"node `{n.name}` is defined twice "
                    f"(first at {seen_nodes[n.name.text].name.span})",
                    n.name.span,
                )
            seen_nodes[n.name.text] = n
            local: set[str] = set()
            for h in n.hosts:
                if h.text in local:
                    self.error("E031", f"node `{n.name}` lists `{h}` twice", h.span)
                    continue
                local.add(h.text)
                other = self.host_of.get(h.text)
                if other is not None:
                    self.error(
                        "E031",
                        f"instance `{h}` is hosted by two nodes, `{other.name}` and `{n.name}`",
                        h.span,
                        "an instance lives on exactly one node",
                    )
                    continue
                self.host_of[h.text] = n
        self.collect_instance_types()
        for n in self.plan.nodes:
            self.check_node(n)

    def collect_instance_types(self) -> None:
        """Every instance gets its type from a `start` or an `add`; they must agree."""
        seen: dict[str, A.Ident] = {}
        declarations: list[tuple[A.Ident, A.Ident]] = []
        for n in self.plan.nodes:
            declarations.extend((s.instance, s.type) for s in n.starts)
            declarations.extend((i.instance, i.type) for i in n.program if isinstance(i, A.Add))
        for inst, typ in declarations:
            if typ.text not in self.types:
                self.error(
                    "E032",
                    f"unknown component type `{typ}`",
                    typ.span,
                    did_you_mean(typ.text, self.types),
                )
                continue
            if inst.text in self.instance_type and self.instance_type[inst.text] != typ.text:
                self.error(
                    "E033",
                    f"instance `{inst}` is given type `{typ}` here but "
                    f"`{self.instance_type[inst.text]}` at {seen[inst.text].span}",
                    typ.span,
                )
                continue
            self.instance_type[inst.text] = typ.text
            seen.setdefault(inst.text, typ)
        for name, node in self.host_of.items():
            if name not in self.instance_type:
                ident = next(h for h in node.hosts if h.text == name)
                self.warning(
                    "W103",
                    f"instance `{name}` is hosted by `{node.name}` but never started nor added",
                    ident.span,
                )

    def instance(self, ident: A.Ident) -> TypeInfo | None:
        """The type of a known instance, or a diagnostic for an unknown one."""
        typ = self.instance_type.get(ident.text)
        if typ is not None:
            return self.types[typ]
        if ident.text in self.host_of:
            return None  # hosted but of unknown type: reported where the type is
        self.error(
            "E034",
            f"unknown instance `{ident}`",
            ident.span,
            did_you_mean(ident.text, set(self.host_of) | set(self.instance_type))
            or "instances are declared by a node's `hosts` and a `start` or `add`",
        )
        return None

    def check_port(self, ref: A.PortRef, kind: A.PortKind | None) -> bool:
        info = self.instance(ref.instance)
        if info is None:
            return False
        port = info.ports.get(ref.port.text)
        if port is None:
            self.error(
                "E035",
                f"`{ref.instance}` (type `{info.decl.name}`) has no port `{ref.port}`",
                ref.port.span,
                did_you_mean(ref.port.text, info.ports),
            )
            return False
        if kind is not None and port.kind != kind:
            self.error(
                "E036",
                f"`{ref}` is a {port.kind} port, expected a {kind} port here",
                ref.port.span,
                did_you_mean(ref.port.text, info.ports_of(kind)),
            )
            return False
        return True

    def check_connection(self, c: A.Connection) -> bool:
        user_ok = self.check_port_quiet(c.user, "use")
        prov_ok = self.check_port_quiet(c.provider, "provide")
        if not (user_ok and prov_ok):
            if self.port_kind(c.user) == "provide" and self.port_kind(c.provider) == "use":
                self.error(
                    "E037",
                    f"connection `{c}` goes from a provide port to a use port",
                    c.span,
                    f"connections are written user first: `{c.provider} -- {c.user}`",
                )
                return False
            ok = self.check_port(c.user, "use")
            ok = self.check_port(c.provider, "provide") and ok
            return ok
        if c.user.instance.text == c.provider.instance.text:
            self.error(
                "E038",
                f"connection `{c}` connects an instance to itself",
                c.span,
                "the semantics requires two distinct instances (ConnectPorts)",
            )
            return False
        return True

    def port_kind(self, ref: A.PortRef) -> str | None:
        typ = self.instance_type.get(ref.instance.text)
        if typ is None:
            return None
        port = self.types[typ].ports.get(ref.port.text)
        return port.kind if port else None

    def check_port_quiet(self, ref: A.PortRef, kind: A.PortKind) -> bool:
        return self.port_kind(ref) == kind

    def check_node(self, n: A.NodeDecl) -> None:
        local = {h.text for h in n.hosts}
        started: set[str] = set()
        for s in n.starts:
            if s.instance.text in started:
                self.error("E039", f"`{s.instance}` is started twice on `{n.name}`", s.span)
                continue
            started.add(s.instance.text)
            if s.instance.text not in local:
                self.error(
                    "E040",
                    f"`start {s.instance}` on node `{n.name}`, which does not host it",
                    s.instance.span,
                    f"add it to `hosts` of `{n.name}`",
                )
            info = self.types.get(s.type.text)
            if info is None:
                continue
            for p in s.places:
                self.check_place_ref(info, p, "place")
        for q in n.queues:
            self.check_queue(n, q, started)
        known_connections: set[A.Connection] = set()
        use_ports: dict[tuple[str, str], A.Connection] = {}
        for c in n.connections:
            if not self.check_connection(c):
                continue
            if c in known_connections:
                self.warning("W104", f"connection `{c}` is listed twice on `{n.name}`", c.span)
            known_connections.add(c)
            key = (c.user.instance.text, c.user.port.text)
            if key in use_ports and use_ports[key] != c:
                self.warning(
                    "W105",
                    f"use port `{c.user}` is connected twice on `{n.name}`",
                    c.span,
                    "`con` allows one connection per use port",
                )
            use_ports[key] = c
            if c.user.instance.text not in local and c.provider.instance.text not in local:
                self.warning(
                    "W106",
                    f"node `{n.name}` knows connection `{c}` but hosts neither end",
                    c.span,
                )
        self.check_cache(n, local)
        self.check_program(n, local, started, known_connections)

    def check_queue(self, n: A.NodeDecl, q: A.InitialQueue, started: set[str]) -> None:
        if q.instance.text not in started:
            self.error(
                "E041",
                f"queue of `{q.instance}`, which is not started on `{n.name}`",
                q.instance.span,
                "only instances present in the initial state can have queued behaviors",
            )
            return
        info = self.instance(q.instance)
        for push in q.pushes:
            self.pushes[(q.instance.text, push.push_id.text)].append(push.push_id.span)
            if info is not None:
                self.check_behavior_ref(info, q.instance, push.behavior)

    def check_behavior_ref(self, info: TypeInfo, inst: A.Ident, beh: A.Ident) -> None:
        if beh.text not in info.behaviors:
            self.error(
                "E042",
                f"`{inst}` (type `{info.decl.name}`) has no behavior `{beh}`",
                beh.span,
                did_you_mean(beh.text, info.behaviors),
            )

    # ------------------------------------------------------------------ caches
    def check_cache(self, n: A.NodeDecl, local: set[str]) -> None:
        seen: dict[tuple[str, ...], A.CacheEntry] = {}
        for entry in n.cache:
            key = self.check_query(entry.query)
            if key is None:
                continue
            dst = key[0]
            if dst in local:
                self.warning(
                    "W107",
                    f"cache entry for a question to `{dst}`, which `{n.name}` hosts",
                    entry.span,
                    "local questions are evaluated on the spot, never read from the cache",
                )
            if key in seen:
                previous = seen[key]
                if previous.value != entry.value:
                    self.error(
                        "E043",
                        f"conflicting cache entries for the same question on `{n.name}` "
                        f"(first at {previous.span})",
                        entry.span,
                    )
                else:
                    self.warning("W108", "duplicate cache entry", entry.span)
            seen[key] = entry

    def check_query(self, q: A.Query) -> tuple[str, ...] | None:
        """Check a cached question; return its identity (dst first) if well formed."""
        if q.kind in ("isActive", "isRefusing"):
            assert q.port is not None
            kind: A.PortKind = "use" if q.kind == "isActive" else "provide"
            if not self.check_port(q.port, kind):
                return None
            dst = q.dst or q.port.instance
            ident: tuple[str, ...] = (q.kind, q.port.port.text)
        elif q.kind in ("isConnected", "onDisconnect"):
            assert q.connection is not None
            if not self.check_connection(q.connection):
                return None
            if q.dst is None and q.kind == "onDisconnect":
                self.error(
                    "E044",
                    "`onDisconnect` needs the instance it asks: write `onDisconnect(...)@x`",
                    q.span,
                )
                return None
            dst = q.dst or q.connection.provider.instance
            ident = (q.kind, str(q.connection))
            ends = {q.connection.user.instance.text, q.connection.provider.instance.text}
            if dst.text not in ends:
                self.error(
                    "E045",
                    f"`{q.kind}` of `{q.connection}` can only be asked to one of its ends",
                    dst.span,
                )
                return None
        else:
            assert q.instance is not None and q.push_id is not None
            if self.instance(q.instance) is None:
                return None
            dst = q.dst or q.instance
            ident = (q.kind, q.instance.text, q.push_id.text)
        if q.dst is not None and q.kind != "onDisconnect" and self.instance(q.dst) is None:
            return None
        if q.kind in ("isActive", "isRefusing", "isCompleted"):
            natural = q.port.instance if q.port is not None else q.instance
            assert natural is not None
            if dst.text != natural.text:
                self.error(
                    "E045",
                    f"`{q.kind}` is asked to the instance it is about, not `{dst}`",
                    dst.span,
                    f"drop `@{dst}`",
                )
                return None
        return (dst.text, *ident)

    # ------------------------------------------------------------------ programs
    def check_program(
        self,
        n: A.NodeDecl,
        local: set[str],
        started: set[str],
        connections: set[A.Connection],
    ) -> None:
        present = set(started)
        known = set(connections)
        for instr in n.program:
            match instr:
                case A.Add():
                    self.require_hosted(n, local, instr.instance, "add")
                    if instr.instance.text in present:
                        self.warning(
                            "W109",
                            f"`add {instr.instance}` when `{instr.instance}` is already present "
                            "blocks forever",
                            instr.span,
                        )
                    present.add(instr.instance.text)
                case A.Del():
                    if self.require_hosted(n, local, instr.instance, "del"):
                        self.instance(instr.instance)
                    present.discard(instr.instance.text)
                case A.Con():
                    if not self.check_connection(instr.connection):
                        continue
                    self.require_an_end(n, local, instr.connection, "con")
                    known.add(instr.connection)
                case A.Dcon():
                    if not self.check_connection(instr.connection):
                        continue
                    self.require_an_end(n, local, instr.connection, "dcon")
                    if instr.connection not in known:
                        self.warning(
                            "W110",
                            f"`dcon {instr.connection}`: `{n.name}` does not know this "
                            "connection at that point, so the instruction blocks forever",
                            instr.span,
                        )
                    known.discard(instr.connection)
                case A.PushB():
                    if not self.require_hosted(n, local, instr.instance, "pushB"):
                        continue
                    info = self.instance(instr.instance)
                    if info is not None:
                        self.check_behavior_ref(info, instr.instance, instr.behavior)
                    self.pushes[(instr.instance.text, instr.push_id.text)].append(
                        instr.push_id.span
                    )
                    if instr.instance.text not in present:
                        self.warning(
                            "W111",
                            f"`pushB` on `{instr.instance}`, which is not present at that point "
                            "(no `start` or earlier `add` on this node): it blocks forever",
                            instr.span,
                        )
                case A.Wait():
                    self.instance(instr.instance)

    def require_hosted(self, n: A.NodeDecl, local: set[str], inst: A.Ident, what: str) -> bool:
        if inst.text in local:
            return True
        owner = self.host_of.get(inst.text)
        if owner is None:
            self.instance(inst)
            return False
        self.error(
            "E046",
            f"`{what} {inst}` on node `{n.name}`, but `{inst}` is hosted by `{owner.name}`",
            inst.span,
            f"move the instruction to `{owner.name}`'s program",
        )
        return False

    def require_an_end(self, n: A.NodeDecl, local: set[str], c: A.Connection, what: str) -> None:
        if c.user.instance.text in local or c.provider.instance.text in local:
            return
        self.error(
            "E046",
            f"`{what} {c}` on node `{n.name}`, which hosts neither end",
            c.span,
            "each node connects only the ports of its own instances",
        )

    def check_waits(self) -> None:
        pushed_ids = defaultdict(set)
        for (inst, pid), _spans in self.pushes.items():
            pushed_ids[pid].add(inst)
        for n in self.plan.nodes:
            for instr in n.program:
                if not isinstance(instr, A.Wait):
                    continue
                if instr.instance.text not in self.instance_type:
                    continue
                if (instr.instance.text, instr.push_id.text) in self.pushes:
                    continue
                others = sorted(pushed_ids.get(instr.push_id.text, ()))
                hint = (
                    f"`{instr.push_id}` is pushed on {', '.join(others)}"
                    if others
                    else did_you_mean(
                        instr.push_id.text,
                        [pid for (inst, pid) in self.pushes if inst == instr.instance.text],
                    )
                )
                self.error(
                    "E047",
                    f"`wait {instr.instance} {instr.push_id}`: no program pushes "
                    f"`{instr.push_id}` on `{instr.instance}`",
                    instr.push_id.span,
                    hint,
                )
        for (inst, pid), spans in self.pushes.items():
            if len(spans) > 1:
                self.warning(
                    "W112",
                    f"push id `{pid}` is used twice on `{inst}` (first at {spans[0]})",
                    spans[1],
                    "a wait on it cannot tell the two pushes apart",
                )
            if pid in self.instance_type:
                self.warning(
                    "W113",
                    f"push id `{pid}` is also the name of an instance",
                    spans[0],
                    "the formalization has one sort for both: keep them distinct",
                )

    # ------------------------------------------------------------------ goals
    def check_goals(self, items: Iterable[A.GoalItem]) -> None:
        """Goals name known instances, behaviors, ports and places; one goal per thing."""
        ends: dict[str, A.GoalItem] = {}
        ports: dict[str, A.GoalItem] = {}
        for item in items:
            match item:
                case A.BehaviorGoal():
                    self.check_behavior_goal(item)
                case A.ComponentGoal():
                    self.check_component_goal(item)
                    self.check_conflict(ends, item.component, item, item.status)
                case A.PortGoal():
                    if item.status.text not in ("active", "inactive"):
                        self.error(
                            "E065",
                            f"unknown port status `{item.status}`",
                            item.status.span,
                            did_you_mean(item.status.text, ["active", "inactive"])
                            or "a port ends `active` or `inactive`",
                        )
                    if item.port is not None and not self.check_goal_port(item.port):
                        continue
                    self.check_conflict(ports, item.port, item, item.status)

    def check_goal_port(self, ref: A.PortRef) -> bool:
        info = self.goal_instance(ref.instance)
        if info is None:
            return False
        if ref.port.text not in info.ports:
            self.error(
                "E064",
                f"goal on unknown port `{ref}` (type `{info.decl.name}`)",
                ref.port.span,
                did_you_mean(ref.port.text, info.ports),
            )
            return False
        return True

    def goal_instance(self, ident: A.Ident) -> TypeInfo | None:
        typ = self.instance_type.get(ident.text)
        if typ is not None:
            return self.types[typ]
        self.error(
            "E062",
            f"goal on unknown instance `{ident}`",
            ident.span,
            did_you_mean(ident.text, self.instance_type),
        )
        return None

    def check_behavior_goal(self, item: A.BehaviorGoal) -> None:
        if item.component is None:
            if not any(item.behavior.text in t.behaviors for t in self.types.values()):
                known = {b for t in self.types.values() for b in t.behaviors}
                self.error(
                    "E063",
                    f"no type has a behavior `{item.behavior}`",
                    item.behavior.span,
                    did_you_mean(item.behavior.text, known),
                )
            return
        info = self.goal_instance(item.component)
        if info is not None and item.behavior.text not in info.behaviors:
            self.error(
                "E063",
                f"`{item.component}` (type `{info.decl.name}`) has no behavior `{item.behavior}`",
                item.behavior.span,
                did_you_mean(item.behavior.text, info.behaviors),
            )

    def check_component_goal(self, item: A.ComponentGoal) -> None:
        status = item.status.text
        infos: list[tuple[str, TypeInfo]]
        if item.component is None:
            infos = [(name, self.types[t]) for name, t in self.instance_type.items()]
        else:
            info = self.goal_instance(item.component)
            infos = [(item.component.text, info)] if info is not None else []
        for name, info in infos:
            if status in ("initial", "start"):
                continue
            if status == "running":
                if info.decl.running is None:
                    self.error(
                        "E066",
                        f"goal `running` for `{name}`, but type `{info.decl.name}` names no "
                        "running place",
                        item.status.span,
                        f"add `running <place>` to type `{info.decl.name}`, or name the place",
                    )
                    return
                continue
            if status not in info.places:
                self.error(
                    "E065",
                    f"unknown status `{status}` for `{name}` (type `{info.decl.name}`)",
                    item.status.span,
                    did_you_mean(status, [*info.places, "running", "initial", "start"])
                    or "a component ends `running`, `initial`, `start` or in a place",
                )
                return

    def check_conflict(
        self, seen: dict[str, A.GoalItem], who: object, item: A.GoalItem, status: A.Ident
    ) -> None:
        key = "forall" if who is None else str(who)
        previous = seen.get(key)
        if previous is None:
            seen[key] = item
            return
        old = previous.status if isinstance(previous, A.ComponentGoal | A.PortGoal) else None
        if old is not None and old.text != status.text:
            self.error(
                "E067",
                f"conflicting goals for `{key}`: `{old}` (at {previous.span}) and `{status}`",
                status.span,
            )

    # ------------------------------------------------------------------ properties
    def check_properties(self) -> None:
        seen: dict[str, A.Property] = {}
        for p in self.plan.properties:
            if p.name.text in seen:
                self.error(
                    "E050",
                    f"property `{p.name}` is defined twice "
                    f"(first at {seen[p.name.text].name.span})",
                    p.name.span,
                )
            seen[p.name.text] = p

    def run(self) -> list[Diagnostic]:
        self.check_types()
        self.check_nodes()
        self.check_waits()
        for block in self.plan.goals:
            self.check_goals(block.items)
        self.check_properties()
        return _dedupe(sorted(self.out, key=lambda d: (d.span.file, d.span.line, d.span.col)))


def _dedupe(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, str, A.Span]] = set()
    out = []
    for d in diags:
        key = (d.code, d.message, d.span)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def check_plan(plan: A.Plan) -> list[Diagnostic]:
    """All diagnostics of a plan, errors and warnings, in source order."""
    return _Checker(plan).run()


def check_goal_items(plan: A.Plan, items: Iterable[A.GoalItem]) -> list[Diagnostic]:
    """Diagnostics of goals given apart from the plan (a goals file), against its
    types and instances; the plan's own diagnostics are not repeated."""
    checker = _Checker(plan)
    checker.check_types()
    checker.check_nodes()
    checker.out = []
    checker.check_goals(items)
    return _dedupe(sorted(checker.out, key=lambda d: (d.span.file, d.span.line, d.span.col)))
