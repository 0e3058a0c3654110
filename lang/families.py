"""Parametric families of plans, generated from one description each.

A family is a plan that grows with one parameter N (listener/sensor pairs,
OpenStack sites, database replicas). Benchmarks and tests need the same plan at
many sizes, and the shipped models in `models/` are instances of these families
at small N; writing them by hand would let the copies drift apart. So every
family is *described* here once (types, placement, connections, programs) and
turned into a plan by one generator, which applies the derivation rules of the
Maude model maker (`concerto2maude.py`, see ../shared/reference/MODELS.md):

* a node's `connected` set = every connection one of its instances uses or
  provides (`get_connections`);
* a node's answer cache, for every instance present in the initial state and
  each of its use-port connections `(u, up) -- (p, pp)`:
  `isConnected(conn) = true` and `isRefusing(p.pp) = (p's place not in pp's
  group)` — generated even when `p` is local, as the generator does
  (`gen_maude_messages`);
* a node's inventory (`hosts`) = its initial instances, then those it `add`s.

The output is built as AST objects and printed with `lang.printer.format_file`,
so it is canonical and round-trips through the parser by construction.

Every plan was reasoned through against the Maude rules (SEMANTICS.md §2–3);
the comments on each program say which rule makes each `wait` necessary. Two
hazards of the Maude protocol shape the programs:

1. **Stale "not refusing" answers.** A cached `isRefusing = false` is sticky; it
   is forgotten only when the user's node answers `isActive(use) = false` to
   the provider's node (`resetState`). A user that leaves a provider and comes
   back must therefore wait for the provider's *leaving* behavior to complete
   (the provider could not fire it before that answer), exactly as the CPS
   sensor waits for the listener's `update`.
2. **One question, two askers.** Answers carry no recipient: `SendAnswer` may
   deliver both answers to the same asker, whose inbox then stops forever on
   the second one (its question is no longer in `history`), while the other
   asker never hears back. The correct plans here never let two nodes have the
   same remote question (same destination and query) in flight at once: users
   of a shared provider are chained with `wait`s (replicas join one at a time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from . import ast as A
from .printer import format_file

# ----------------------------------------------------------------------------- types

Trans = tuple[str, str, str, int | None]
"""(name, source place, target place, cost)."""


@dataclass(frozen=True)
class TypeSpec:
    """A component type as data; `ast()` gives its AST."""

    name: str
    places: tuple[str, ...]
    initial: str
    running: str
    behaviors: tuple[tuple[str, tuple[Trans, ...]], ...]
    ports: tuple[tuple[A.PortKind, str, tuple[str, ...]], ...]

    def group(self, port: str) -> tuple[str, ...]:
        for _, name, places in self.ports:
            if name == port:
                return places
        raise KeyError(f"{self.name} has no port {port}")

    def ast(self) -> A.ComponentType:
        behaviors = tuple(
            A.Behavior(
                _id(b),
                tuple(A.TransitionDef(_id(t), _id(s), (_id(d),), c) for t, s, d, c in ts),
            )
            for b, ts in self.behaviors
        )
        return A.ComponentType(
            _id(self.name),
            tuple(_id(p) for p in self.places),
            _id(self.initial),
            _id(self.running),
            (),
            behaviors,
            tuple(A.Port(k, _id(n), tuple(_id(p) for p in ps)) for k, n, ps in self.ports),
        )


def _id(text: str) -> A.Ident:
    return A.Ident(text)


def _t(name: str, src: str, dst: str, cost: int | None = None) -> Trans:
    return (name, src, dst, cost)


def _use(name: str, *places: str) -> tuple[A.PortKind, str, tuple[str, ...]]:
    return ("use", name, places)


def _provide(name: str, *places: str) -> tuple[A.PortKind, str, tuple[str, ...]]:
    return ("provide", name, places)


# CPS (MODELS.md §1, `cps.py` = 13_example_update_cps.maude). Duplicate parallel
# transitions (deploy11/deploy12, start11..13) are kept as written.
CPS_TYPES: tuple[TypeSpec, ...] = (
    TypeSpec(
        "Database",
        ("initiated", "configured", "bootstrapped", "deployed", "registered"),
        "initiated",
        "deployed",
        (
            (
                "deploy",
                (
                    _t("deploy11", "initiated", "configured"),
                    _t("deploy12", "initiated", "configured"),
                    _t("deploy2", "configured", "bootstrapped"),
                    _t("deploy3", "bootstrapped", "deployed"),
                ),
            ),
            ("interrupt", (_t("interrupt1", "deployed", "registered"),)),
            ("pause", (_t("pause1", "registered", "bootstrapped"),)),
            ("update", (_t("update", "registered", "configured"),)),
            ("uninstall", (_t("uninstall1", "registered", "initiated"),)),
        ),
        (_provide("service", "deployed"),),
    ),
    TypeSpec(
        "System",
        ("deployed", "configured", "initiated"),
        "initiated",
        "deployed",
        (
            (
                "deploy",
                (
                    _t("deploy11", "initiated", "configured"),
                    _t("deploy12", "initiated", "configured"),
                    _t("deploy13", "initiated", "configured"),
                    _t("deploy2", "configured", "deployed"),
                ),
            ),
            ("interrupt", (_t("interrupt1", "deployed", "configured"),)),
            ("stop", (_t("stop1", "deployed", "initiated"),)),
        ),
        (_use("dbService", "deployed", "configured"), _provide("service", "deployed")),
    ),
    TypeSpec(
        "Listener",
        ("running", "configured", "paused", "off"),
        "off",
        "running",
        (
            (
                "deploy",
                (
                    _t("deploy1", "off", "paused"),
                    _t("deploy2", "paused", "configured"),
                    _t("deploy3", "configured", "running"),
                ),
            ),
            ("update", (_t("update1", "running", "paused"),)),
            ("destroy", (_t("destroy1", "paused", "off"),)),
        ),
        (
            _use("sysService", "running", "configured"),
            _provide("rcv", "running"),
            _provide("config", "running", "configured"),
        ),
    ),
    TypeSpec(
        "Sensor",
        ("running", "configured", "installed", "provisioned", "off"),
        "off",
        "running",
        (
            (
                "start",
                (
                    _t("start11", "off", "provisioned"),
                    _t("start12", "off", "provisioned"),
                    _t("start13", "off", "provisioned"),
                    _t("start2", "provisioned", "installed"),
                    _t("start3", "installed", "configured"),
                    _t("start4", "configured", "running"),
                ),
            ),
            ("pause", (_t("pause1", "running", "provisioned"),)),
            ("stop", (_t("stop1", "provisioned", "off"),)),
        ),
        (
            _use("rcvService", "running", "configured"),
            _use("configService", "running", "configured", "installed"),
        ),
    ),
)


def _mariadb_os(name: str, worker: bool) -> TypeSpec:
    """MariaDB_master / MariaDB_worker of the OpenStack assembly (costs from Ballet)."""
    places = (
        "initiated",
        "configured",
        "bootstrapped",
        "restarted",
        "registered",
        "deployed",
        "interrupted",
    )
    ports = [
        _use("haproxy_service", "bootstrapped", "restarted"),
        _use("common_service", "restarted", "registered", "deployed", "interrupted"),
    ]
    if worker:
        ports.append(
            _use(
                "master_service",
                "bootstrapped",
                "restarted",
                "registered",
                "deployed",
                "interrupted",
            )
        )
    ports.append(_provide("service", "deployed"))
    return TypeSpec(
        name,
        places,
        "initiated",
        "deployed",
        (
            (
                "deploy",
                (
                    _t("configure0", "initiated", "configured", 3),
                    _t("configure1", "initiated", "configured", 5),
                    _t("bootstrap", "configured", "bootstrapped", 26),
                    _t("start", "bootstrapped", "restarted", 13),
                    _t("register", "restarted", "registered", 3),
                    _t("deploy", "registered", "deployed", 13),
                ),
            ),
            ("interrupt", (_t("interrupt", "deployed", "interrupted"),)),
            ("pause", (_t("pause", "interrupted", "bootstrapped"),)),
            ("update", (_t("update", "interrupted", "configured", 2),)),
            ("uninstall", (_t("uninstall", "interrupted", "initiated", 5),)),
        ),
        tuple(ports),
    )


def _pulled_service(name: str, pulls: int, keystone: bool) -> TypeSpec:
    """Keystone (one pull, no keystone port), Glance and Neutron (three pulls)."""
    pull = (
        (_t("pull", "initiated", "pulled"),)
        if pulls == 1
        else tuple(_t(f"pull{k}", "initiated", "pulled") for k in range(pulls))
    )
    ports = [_use("mariadb_service", "pulled", "deployed")]
    if keystone:
        ports.append(_use("keystone_service", "pulled", "deployed"))
    ports.append(_provide("service", "deployed"))
    return TypeSpec(
        name,
        ("initiated", "pulled", "deployed"),
        "initiated",
        "deployed",
        (
            ("deploy", (*pull, _t("deploy", "pulled", "deployed"))),
            ("stop", (_t("stop", "deployed", "pulled"),)),
            ("uninstall", (_t("turnoff", "deployed", "initiated"),)),
        ),
        tuple(ports),
    )


def _simple_os(name: str, uses_facts: bool) -> TypeSpec:
    ports = [_use("facts_service", "deployed")] if uses_facts else []
    ports.append(_provide("service", "deployed"))
    return TypeSpec(
        name,
        ("initiated", "deployed"),
        "initiated",
        "deployed",
        (
            ("deploy", (_t("deploy", "initiated", "deployed"),)),
            ("uninstall", (_t("uninstall", "deployed", "initiated"),)),
        ),
        tuple(ports),
    )


# OpenStack (MODELS.md §3, Ballet `simplified/type/openstack.py`): the 12 types.
OPENSTACK_TYPES: tuple[TypeSpec, ...] = (
    _mariadb_os("MariaDB_master", worker=False),
    _mariadb_os("MariaDB_worker", worker=True),
    _pulled_service("Keystone", 1, keystone=False),
    TypeSpec(
        "Nova",
        ("initiated", "pulled", "ready", "restarted", "deployed", "interrupted"),
        "initiated",
        "deployed",
        (
            (
                "deploy",
                (
                    _t("pull0", "initiated", "pulled"),
                    _t("pull1", "initiated", "pulled"),
                    _t("pull2", "initiated", "pulled"),
                    _t("ready0", "pulled", "ready"),
                    _t("ready1", "pulled", "ready"),
                    _t("start", "ready", "restarted"),
                    _t("deploy", "restarted", "deployed"),
                    _t("cell_setup", "pulled", "deployed"),
                ),
            ),
            ("interrupt", (_t("interrupt", "deployed", "interrupted"),)),
            ("pause", (_t("pause", "interrupted", "ready"),)),
            ("update", (_t("unpull", "interrupted", "pulled"),)),
            ("uninstall", (_t("uninstall", "interrupted", "initiated"),)),
        ),
        (
            _use("mariadb_service", "pulled", "ready", "restarted", "deployed"),
            _use("keystone_service", "ready", "restarted", "deployed", "interrupted"),
            _provide("service", "deployed"),
        ),
    ),
    _pulled_service("Neutron", 3, keystone=True),
    _pulled_service("Glance", 3, keystone=True),
    _simple_os("Facts", uses_facts=False),
    _simple_os("HAProxy", uses_facts=True),
    _simple_os("MemCached", uses_facts=True),
    _simple_os("OvSwitch", uses_facts=True),
    _simple_os("RabbitMQ", uses_facts=True),
    TypeSpec(
        "Common",
        ("initiated", "configured", "deployed"),
        "initiated",
        "deployed",
        (
            (
                "deploy",
                (
                    _t("configure", "initiated", "configured"),
                    _t("deploy", "configured", "deployed"),
                ),
            ),
            ("stop", (_t("stop", "deployed", "configured"),)),
            ("uninstall", (_t("uninstall", "deployed", "initiated"),)),
        ),
        (_use("facts_service", "configured", "deployed"), _provide("service", "deployed")),
    ),
)

# MariaDB primary/replica deployment (designed for cdcheck; see models/mariadb/README.md).
MARIADB_TYPES: tuple[TypeSpec, ...] = (
    TypeSpec(
        "DbMaster",
        ("initiated", "configured", "bootstrapped", "started", "running", "interrupted"),
        "initiated",
        "running",
        (
            (
                "deploy",
                (
                    _t("configure", "initiated", "configured", 3),
                    _t("bootstrap", "configured", "bootstrapped", 26),
                    _t("start", "bootstrapped", "started", 13),
                ),
            ),
            ("expose", (_t("expose", "started", "running", 2),)),
            ("interrupt", (_t("interrupt", "running", "interrupted", 1),)),
            ("update", (_t("update", "interrupted", "configured", 2),)),
            ("uninstall", (_t("uninstall", "interrupted", "initiated", 5),)),
        ),
        (_provide("service", "started", "running"), _provide("api", "running")),
    ),
    TypeSpec(
        "DbWorker",
        (
            "initiated",
            "configured",
            "registered",
            "bootstrapped",
            "started",
            "running",
            "suspended",
        ),
        "initiated",
        "running",
        (
            (
                "deploy",
                (
                    _t("configure", "initiated", "configured", 3),
                    _t("register", "configured", "registered", 3),
                    _t("bootstrap", "registered", "bootstrapped", 26),
                    _t("start", "bootstrapped", "started", 13),
                    _t("expose", "started", "running", 2),
                ),
            ),
            ("interrupt", (_t("interrupt", "running", "suspended", 1),)),
            ("update", (_t("update", "suspended", "configured", 2),)),
            ("uninstall", (_t("uninstall", "suspended", "initiated", 5),)),
        ),
        (
            _use("master", "registered", "bootstrapped", "started", "running", "suspended"),
            _provide("api", "running"),
        ),
    ),
)

# ----------------------------------------------------------------------------- plans

Conn = tuple[str, str, str, str]
"""(user, use port, provider, provide port)."""

Instr = tuple[str, ...]
"""("add", id, type) | ("del", id) | ("con"|"dcon", u, up, p, pp) | ("pushB", id, beh, pid)
| ("wait", id, pid)."""


@dataclass
class Assembly:
    """What a family describes; `source()` derives the rest (connections, caches, hosts).

    `present` maps instances of the initial state to their place (an update
    scenario); instances created by `add` must not be listed there.
    """

    types: tuple[TypeSpec, ...]
    types_of: dict[str, str]
    placement: dict[str, list[str]]
    connections: list[Conn]
    present: dict[str, str] = field(default_factory=dict)
    programs: dict[str, list[Instr]] = field(default_factory=dict)
    properties: list[tuple[str, str]] = field(default_factory=list)
    local_cache: bool = False
    """Also cache questions to instances of the same node, as the Maude generator does.
    Such entries are never read (local questions are evaluated on the spot, and
    `cdcheck` warns about them); only the CPS families keep them, to reproduce the
    Maude example exactly."""

    def source(self, path: str = "<family>") -> A.SourceFile:
        spec = {t.name: t for t in self.types}
        nodes = []
        for node, local in self.placement.items():
            program = self.programs.get(node, [])
            hosts = [i for i in local if i in self.present]
            hosts += [ins[1] for ins in program if ins[0] == "add" and ins[1] not in hosts]
            mine = set(hosts)
            # connections known at the start: those of instances present at the start;
            # the others are made by the program's `con` (ConnectPorts refuses a use
            # port that the node already has in a connection)
            present = {i for i in hosts if i in self.present}
            conns = [c for c in self.connections if c[0] in present or c[2] in present]
            cache: list[A.CacheEntry] = []
            for inst in hosts:
                if inst not in self.present:
                    continue
                for c in self.connections:
                    if c[0] != inst or c[2] not in self.present:
                        continue
                    if c[2] in mine and not self.local_cache:
                        continue
                    group = spec[self.types_of[c[2]]].group(c[3])
                    cache.append(A.CacheEntry(A.Query("isConnected", connection=_conn(c)), True))
                    cache.append(
                        A.CacheEntry(
                            A.Query("isRefusing", port=A.PortRef(_id(c[2]), _id(c[3]))),
                            self.present[c[2]] not in group,
                        )
                    )
            cache = list({e.query: e for e in cache[::-1]}.values())[::-1]  # a map: first wins
            nodes.append(
                A.NodeDecl(
                    _id(node),
                    tuple(_id(h) for h in hosts),
                    tuple(
                        A.StartInstance(_id(i), _id(self.types_of[i]), (_id(self.present[i]),))
                        for i in hosts
                        if i in self.present
                    ),
                    (),
                    tuple(_conn(c) for c in conns),
                    tuple(cache),
                    tuple(_instr(i) for i in program),
                )
            )
        props = tuple(A.Property(_id(n), f) for n, f in self.properties)
        return A.SourceFile(path, (), tuple(t.ast() for t in self.types), tuple(nodes), props)


def _conn(c: Conn) -> A.Connection:
    return A.Connection(A.PortRef(_id(c[0]), _id(c[1])), A.PortRef(_id(c[2]), _id(c[3])))


def _instr(i: Instr) -> A.Instruction:
    match i:
        case ("add", inst, typ):
            return A.Add(_id(inst), _id(typ))
        case ("del", inst):
            return A.Del(_id(inst))
        case ("con", u, up, p, pp):
            return A.Con(_conn((u, up, p, pp)))
        case ("dcon", u, up, p, pp):
            return A.Dcon(_conn((u, up, p, pp)))
        case ("pushB", inst, beh, pid):
            return A.PushB(_id(inst), _id(beh), _id(pid))
        case ("wait", inst, pid):
            return A.Wait(_id(inst), _id(pid))
    raise ValueError(f"not an instruction: {i!r}")


def _conj(parts: Sequence[str]) -> str:
    """`a & b & ...` with each part parenthesized, or the single part as is."""
    return parts[0] if len(parts) == 1 else " & ".join(f"({p})" for p in parts)


def _disj_at(inst: str, places: Iterable[str]) -> str:
    parts = [f"at({inst}, {p})" for p in places]
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _touching(conns: list[Conn], local: Iterable[str]) -> list[Instr]:
    """`con` of every connection with an endpoint among `local`: the Maude ConnectPorts
    rule needs one endpoint present on the node, and the provider's node must hold the
    connection too, or the user's `isConnected` question is answered false forever."""
    mine = set(local)
    return [("con", *c) for c in conns if c[0] in mine or c[2] in mine]


# ----------------------------------------------------------------------------- CPS


def _cps_base(n: int) -> tuple[dict[str, str], dict[str, list[str]], list[Conn]]:
    types_of = {"mydb0": "Database", "mysys0": "System"}
    placement: dict[str, list[str]] = {"node1": ["mydb0"], "node2": ["mysys0"]}
    conns: list[Conn] = [("mysys0", "dbService", "mydb0", "service")]
    for i in range(1, n + 1):
        types_of[f"listener{i}"] = "Listener"
        types_of[f"sensor{i}"] = "Sensor"
        placement["node2"].append(f"listener{i}")
        conns.append((f"listener{i}", "sysService", "mysys0", "service"))
    for i in range(1, n + 1):
        placement[f"node{2 + i}"] = [f"sensor{i}"]
        conns.append((f"sensor{i}", "rcvService", f"listener{i}", "rcv"))
        conns.append((f"sensor{i}", "configService", f"listener{i}", "config"))
    return types_of, placement, conns


def cps_update(n: int) -> Assembly:
    """`update_cps(n)` of the model maker; n = 1 is the Maude example itself.

    Each sensor pauses (releasing both ports of its listener), waits for its
    listener's `update` push, then starts again; the wait is what makes the
    sensor's stale cached `isRefusing(...) = false` harmless (see module doc).
    """
    types_of, placement, conns = _cps_base(n)
    present = {"mydb0": "deployed", "mysys0": "deployed"}
    present.update({f"listener{i}": "running" for i in range(1, n + 1)})
    present.update({f"sensor{i}": "running" for i in range(1, n + 1)})
    programs: dict[str, list[Instr]] = {"node2": []}
    for i in range(1, n + 1):
        programs["node2"] += [
            ("pushB", f"listener{i}", "update", f"idb{2 + 2 * i}"),
            ("pushB", f"listener{i}", "deploy", f"idb{3 + 2 * i}"),
        ]
        programs[f"node{2 + i}"] = [
            ("pushB", f"sensor{i}", "pause", "idb0"),
            ("wait", f"listener{i}", f"idb{2 + 2 * i}"),
            ("pushB", f"sensor{i}", "start", "idb1"),
        ]
    prop = _conj(
        [
            f"head(sensor{i}) = idb1 -> completed(listener{i}, idb{2 + 2 * i})"
            for i in range(1, n + 1)
        ]
    )
    return Assembly(
        CPS_TYPES,
        types_of,
        placement,
        conns,
        present,
        programs,
        [("sensor_waits_for_listener", f"G ({prop})")],
        local_cache=True,
    )


def cps_deploy(n: int) -> Assembly:
    """`db_deploy`, `sys_deploy(n)`, `sensor_deploy(i)` of `cps.py`, all nodes empty at first.

    One deliberate difference: the model maker pushes `deploy` on sensors, a
    behavior the Sensor type lacks (the program would block forever); the
    sensor's deploying behavior is `start`, which is pushed here.
    """
    types_of, placement, conns = _cps_base(n)
    node2: list[Instr] = [
        ("add", "mysys0", "System"),
        ("con", "mysys0", "dbService", "mydb0", "service"),
    ]
    for i in range(1, n + 1):
        node2 += [
            ("add", f"listener{i}", "Listener"),
            ("con", f"listener{i}", "sysService", "mysys0", "service"),
            ("con", f"sensor{i}", "rcvService", f"listener{i}", "rcv"),
            ("con", f"sensor{i}", "configService", f"listener{i}", "config"),
        ]
    node2.append(("pushB", "mysys0", "deploy", "bsys1"))
    node2 += [("pushB", f"listener{i}", "deploy", f"idb{i}lst1") for i in range(1, n + 1)]
    programs: dict[str, list[Instr]] = {
        "node1": [
            ("add", "mydb0", "Database"),
            ("con", "mysys0", "dbService", "mydb0", "service"),
            ("pushB", "mydb0", "deploy", "bdb1"),
        ],
        "node2": node2,
    }
    for i in range(1, n + 1):
        programs[f"node{2 + i}"] = [
            ("add", f"sensor{i}", "Sensor"),
            ("con", f"sensor{i}", "rcvService", f"listener{i}", "rcv"),
            ("con", f"sensor{i}", "configService", f"listener{i}", "config"),
            ("pushB", f"sensor{i}", "start", f"b{i}sens1"),
        ]
    prop = _conj(
        [
            f"{_disj_at(f'sensor{i}', ('configured', 'running'))} -> at(listener{i}, running)"
            for i in range(1, n + 1)
        ]
    )
    return Assembly(
        CPS_TYPES,
        types_of,
        placement,
        conns,
        {},
        programs,
        [("sensor_needs_running_listener", f"G ({prop})")],
    )


# ----------------------------------------------------------------------------- OpenStack

OS_INFRA = ("facts", "common", "haproxy", "memcached", "ovswitch", "rabbitmq")
OS_INFRA_TYPES = {
    "facts": "Facts",
    "common": "Common",
    "haproxy": "HAProxy",
    "memcached": "MemCached",
    "ovswitch": "OvSwitch",
    "rabbitmq": "RabbitMQ",
}
_WORKER_GROUP = ("bootstrapped", "restarted", "registered", "deployed", "interrupted")


def _openstack_base(n: int) -> tuple[dict[str, str], dict[str, list[str]], list[Conn]]:
    """The planner's assembly (MODELS.md §3): node master, per site worker_i, nova_i, neutron_i."""
    types_of: dict[str, str] = {}
    placement: dict[str, list[str]] = {}
    conns: list[Conn] = []

    def infra(x: str) -> list[str]:
        ids = [f"{c}_{x}" for c in OS_INFRA]
        for c in OS_INFRA:
            types_of[f"{c}_{x}"] = OS_INFRA_TYPES[c]
        return ids

    placement["master"] = [*infra("master"), "mariadb_master"]
    types_of["mariadb_master"] = "MariaDB_master"
    for c in ("haproxy", "common", "rabbitmq", "memcached", "ovswitch"):
        conns.append((f"{c}_master", "facts_service", "facts_master", "service"))
    conns.append(("mariadb_master", "common_service", "common_master", "service"))
    conns.append(("mariadb_master", "haproxy_service", "haproxy_master", "service"))
    for i in range(n):
        w, k, g = f"mariadb_worker_{i}", f"keystone_{i}", f"glance_{i}"
        nv, ne = f"nova_{i}", f"neutron_{i}"
        placement[f"worker_{i}"] = [*infra(str(i)), w, k, g]
        placement[f"nova_{i}"] = [nv]
        placement[f"neutron_{i}"] = [ne]
        types_of.update(
            {w: "MariaDB_worker", k: "Keystone", g: "Glance", nv: "Nova", ne: "Neutron"}
        )
        for c in ("common", "haproxy", "memcached", "ovswitch", "rabbitmq"):
            conns.append((f"{c}_{i}", "facts_service", f"facts_{i}", "service"))
        conns += [
            (w, "common_service", f"common_{i}", "service"),
            (w, "haproxy_service", f"haproxy_{i}", "service"),
            (w, "master_service", "mariadb_master", "service"),
            (k, "mariadb_service", w, "service"),
            (g, "mariadb_service", w, "service"),
            (g, "keystone_service", k, "service"),
            (nv, "mariadb_service", w, "service"),
            (nv, "keystone_service", k, "service"),
            (ne, "mariadb_service", w, "service"),
            (ne, "keystone_service", k, "service"),
        ]
    return types_of, placement, conns


def _pid(inst: str, beh: str) -> str:
    """Push ids of generated plans: one push per (instance, behavior) in these plans."""
    return f"{inst}_{beh}"


def _push(inst: str, beh: str) -> Instr:
    return ("pushB", inst, beh, _pid(inst, beh))


def _wait(inst: str, beh: str) -> Instr:
    return ("wait", inst, _pid(inst, beh))


def _os_worker_property(n: int) -> tuple[str, str]:
    parts = [
        f"{_disj_at(f'mariadb_worker_{i}', _WORKER_GROUP)} -> at(mariadb_master, deployed)"
        for i in range(n)
    ]
    return ("workers_need_master", f"G ({_conj(parts)})")


def openstack_deploy(n: int) -> Assembly:
    """Deploy n sites from nothing: add, con, pushB deploy, and waits that chain askers.

    Ports alone order the deployment (a user cannot enter its use group while
    the provider refuses). The waits exist for the second hazard of the module
    doc: every worker asks `isRefusing(mariadb_master.service)`, and nova_i and
    neutron_i ask the same questions of keystone_i and mariadb_worker_i. So
    worker_0 waits for the master's deploy, worker_i for worker_{i-1}'s (replicas
    join the cluster one at a time), nova_i for keystone_i's deploy, and
    neutron_i for nova_i's: each remote question has one asker at a time.
    """
    types_of, placement, conns = _openstack_base(n)
    programs: dict[str, list[Instr]] = {}
    local = placement["master"]
    programs["master"] = [
        *[("add", i, types_of[i]) for i in local],
        *_touching(conns, local),
        *[_push(i, "deploy") for i in local],
    ]
    for i in range(n):
        local = placement[f"worker_{i}"]
        w, k, g = f"mariadb_worker_{i}", f"keystone_{i}", f"glance_{i}"
        previous = ("mariadb_master", "deploy") if i == 0 else (f"mariadb_worker_{i - 1}", "deploy")
        programs[f"worker_{i}"] = [
            *[("add", x, types_of[x]) for x in local],
            *_touching(conns, local),
            *[_push(f"{c}_{i}", "deploy") for c in OS_INFRA],
            _wait(*previous),
            _push(w, "deploy"),
            _push(k, "deploy"),
            _push(g, "deploy"),
        ]
        nv, ne = f"nova_{i}", f"neutron_{i}"
        programs[nv] = [
            ("add", nv, "Nova"),
            *_touching(conns, [nv]),
            _wait(k, "deploy"),
            _push(nv, "deploy"),
        ]
        programs[ne] = [
            ("add", ne, "Neutron"),
            *_touching(conns, [ne]),
            _wait(nv, "deploy"),
            _push(ne, "deploy"),
        ]
    keystone = _conj([f"at(nova_{i}, ready) -> at(keystone_{i}, deployed)" for i in range(n)])
    return Assembly(
        OPENSTACK_TYPES,
        types_of,
        placement,
        conns,
        {},
        programs,
        [_os_worker_property(n), ("keystone_before_nova", f"G ({keystone})")],
    )


def _os_update_present(types_of: dict[str, str]) -> dict[str, str]:
    return {i: "deployed" for i in types_of}


def openstack_update_planner(n: int) -> Assembly:
    """The planner's update plan (MODELS.md §3), `wait(c, b)` read as Maude `wait(c, id)`.

    Per-component plans are merged into node programs: on a node every push that
    no wait precedes comes first, then each component's remaining steps, so a
    node's wait never holds back another component's independent push.

    Under the Maude semantics this plan never completes (it is kept as the
    planner wrote it, to be found by the checker; the blocked nodes keep polling,
    so it shows as a livelock, not a state without successors): nova_i's
    `keystone_service` group
    contains `interrupted`, so keystone_i's `turnoff` waits for nova_i's
    `update`; nova_i's update waits (program) for mariadb_worker_i's
    `interrupt`, which waits (port) for keystone_i to release
    `mariadb_service`. See `openstack_update` for the repaired plan.
    """
    types_of, placement, conns = _openstack_base(n)
    per: dict[str, list[Instr]] = {"mariadb_master": []}
    m = "mariadb_master"
    per[m] = [_push(m, "interrupt"), _push(m, "update"), _push(m, "deploy")]
    for i in range(n):
        w, k, g = f"mariadb_worker_{i}", f"keystone_{i}", f"glance_{i}"
        nv, ne = f"nova_{i}", f"neutron_{i}"
        per[w] = [
            _push(w, "interrupt"),
            _push(w, "update"),
            _wait(m, "interrupt"),
            _push(w, "deploy"),
        ]
        per[k] = [_push(k, "uninstall"), _wait(w, "interrupt"), _push(k, "deploy")]
        for x in (g, ne):
            per[x] = [
                _push(x, "uninstall"),
                _wait(k, "uninstall"),
                _wait(w, "interrupt"),
                _push(x, "deploy"),
            ]
        per[nv] = [
            _push(nv, "interrupt"),
            _wait(w, "interrupt"),
            _push(nv, "update"),
            _wait(k, "uninstall"),
            _push(nv, "deploy"),
        ]
    programs: dict[str, list[Instr]] = {}
    for node, local in placement.items():
        plans = [per[i] for i in local if i in per]
        lead = [[ins for ins in _leading_pushes(p)] for p in plans]
        rest = [p[len(lp) :] for p, lp in zip(plans, lead, strict=True)]
        programs[node] = [ins for lp in lead for ins in lp] + [ins for r in rest for ins in r]
    return Assembly(
        OPENSTACK_TYPES,
        types_of,
        placement,
        conns,
        _os_update_present(types_of),
        programs,
        [_os_worker_property(n)],
    )


def _leading_pushes(plan: list[Instr]) -> list[Instr]:
    out: list[Instr] = []
    for ins in plan:
        if ins[0] != "pushB":
            break
        out.append(ins)
    return out


def openstack_update(n: int) -> Assembly:
    """Update mariadb_master on n sites, repaired so that it is deadlock-free under Maude.

    Differences from the planner's plan, each forced by a Maude rule:
    * nova_i leaves with `interrupt; uninstall` (interrupted -> initiated leaves
      both of its use groups) instead of `interrupt; wait; update`, which keeps
      `keystone_service` active and closes a wait cycle (see
      `openstack_update_planner`);
    * nova_i redeploys after `wait keystone_i` (its redeploy): keystone_i could
      only turn off after nova_i answered `isActive = false`, which also cleared
      nova_i's stale cached `isRefusing(...) = false` answers;
    * neutron_i waits for nova_i's redeploy, and worker_i (i > 0) for
      worker_{i-1}'s, so that no remote question has two askers at once.
    """
    types_of, placement, conns = _openstack_base(n)
    m = "mariadb_master"
    programs: dict[str, list[Instr]] = {
        "master": [_push(m, "interrupt"), _push(m, "update"), _push(m, "deploy")]
    }
    for i in range(n):
        w, k, g = f"mariadb_worker_{i}", f"keystone_{i}", f"glance_{i}"
        nv, ne = f"nova_{i}", f"neutron_{i}"
        previous = _wait(m, "interrupt") if i == 0 else _wait(f"mariadb_worker_{i - 1}", "deploy")
        programs[f"worker_{i}"] = [
            _push(w, "interrupt"),
            _push(w, "update"),
            _push(k, "uninstall"),
            _push(g, "uninstall"),
            previous,
            _push(w, "deploy"),
            _push(k, "deploy"),
            _push(g, "deploy"),
        ]
        programs[nv] = [
            _push(nv, "interrupt"),
            _push(nv, "uninstall"),
            _wait(k, "deploy"),
            _push(nv, "deploy"),
        ]
        programs[ne] = [_push(ne, "uninstall"), _wait(nv, "deploy"), _push(ne, "deploy")]
    return Assembly(
        OPENSTACK_TYPES,
        types_of,
        placement,
        conns,
        _os_update_present(types_of),
        programs,
        [_os_worker_property(n)],
    )


# ----------------------------------------------------------------------------- MariaDB


def mariadb_deploy(n: int) -> Assembly:
    """A primary (`master`, node db0) and n replicas (`worker_k`, node db_k), from nothing.

    Replicas register one at a time (worker_1 waits for the master's deploy,
    worker_k for worker_{k-1}'s): every replica asks the master the same
    question, which must not have two askers at once. The master opens its
    client API (`expose`) only after the last replica has joined — a fact no
    port can express (the replicas use the master, not the reverse), hence the
    master's `wait`; models/broken/missing-wait.cd drops it.
    """
    types_of = {"master": "DbMaster"}
    placement: dict[str, list[str]] = {"db0": ["master"]}
    conns: list[Conn] = []
    programs: dict[str, list[Instr]] = {}
    for k in range(1, n + 1):
        types_of[f"worker{k}"] = "DbWorker"
        placement[f"db{k}"] = [f"worker{k}"]
        conns.append((f"worker{k}", "master", "master", "service"))
    programs["db0"] = [
        ("add", "master", "DbMaster"),
        *_touching(conns, ["master"]),
        ("pushB", "master", "deploy", "m_dep"),
        ("wait", f"worker{n}", f"w{n}_dep"),
        ("pushB", "master", "expose", "m_api"),
    ]
    for k in range(1, n + 1):
        before = (
            ("wait", "master", "m_dep") if k == 1 else ("wait", f"worker{k - 1}", f"w{k - 1}_dep")
        )
        programs[f"db{k}"] = [
            ("add", f"worker{k}", "DbWorker"),
            *_touching(conns, [f"worker{k}"]),
            before,
            ("pushB", f"worker{k}", "deploy", f"w{k}_dep"),
        ]
    joined = _conj([f"completed(worker{k}, w{k}_dep)" for k in range(1, n + 1)])
    joined = joined if n == 1 else f"({joined})"
    return Assembly(
        MARIADB_TYPES,
        types_of,
        placement,
        conns,
        {},
        programs,
        [("api_after_replicas", f"G (at(master, running) -> {joined})")],
    )


# ----------------------------------------------------------------------------- registry

FAMILIES: dict[str, Callable[[int], Assembly]] = {
    "cps-update": cps_update,
    "cps-deploy": cps_deploy,
    "openstack-deploy": openstack_deploy,
    "openstack-update": openstack_update_planner,
    "openstack-update-fixed": openstack_update,
    "mariadb-deploy": mariadb_deploy,
}
"""Family name -> description at size N (N >= 1)."""


def build(name: str, n: int, path: str = "<family>") -> A.SourceFile:
    """The family's plan at size n as an AST (types inline)."""
    if name not in FAMILIES:
        raise KeyError(f"unknown family {name!r} (known: {', '.join(sorted(FAMILIES))})")
    if n < 1:
        raise ValueError("a family's size must be at least 1")
    return FAMILIES[name](n).source(path)


def generate(name: str, n: int) -> str:
    """The full, self-contained, canonical plan text of family `name` at size `n`."""
    return format_file(build(name, n))


def split_types(source: A.SourceFile, include: str = "types.cd") -> tuple[str, str]:
    """(types file text, plan text that includes it): how the shipped models are saved."""
    types = A.SourceFile(source.path, (), source.types, (), ())
    plan = A.SourceFile(source.path, (A.Include(include),), (), source.nodes, source.properties)
    return format_file(types), format_file(plan)


# ----------------------------------------------------------------------------- shipped models

SHIPPED: tuple[tuple[str, str, int, str], ...] = (
    (
        "cps/deploy.cd",
        "cps-deploy",
        1,
        "Deploy the CPS (database, system, one listener/sensor pair) on three empty\n"
        "nodes: cps.py's deploy scenario, with the sensor's `start` pushed (the model\n"
        "maker pushes `deploy`, which the Sensor type lacks).",
    ),
    (
        "cps/update-2.cd",
        "cps-update",
        2,
        "update_cps(2): two listener/sensor pairs; each sensor pauses, waits for its\n"
        "listener's update, and starts again.",
    ),
    (
        "openstack/deploy.cd",
        "openstack-deploy",
        1,
        "Deploy one OpenStack site and the MariaDB master from nothing (planner assembly:\n"
        "node master, worker_0, nova_0, neutron_0).",
    ),
    (
        "openstack/update.cd",
        "openstack-update",
        1,
        "The planner's plan updating mariadb_master on one site, converted to Maude waits.\n"
        "Kept as the planner wrote it: under the Maude semantics it NEVER COMPLETES (README).",
    ),
    (
        "openstack/update-fixed.cd",
        "openstack-update-fixed",
        1,
        "Updating mariadb_master on one site, repaired to be deadlock-free under the\n"
        "Maude semantics (nova uninstalls instead of update; waits chain the askers).",
    ),
    (
        "mariadb/deploy.cd",
        "mariadb-deploy",
        2,
        "A MariaDB primary and two replicas on three nodes; replicas join one at a time,\n"
        "and the primary opens its API only after the last replica has joined.",
    ),
)
"""(path under models/, family, size, header comment) of the models saved from families."""

TYPES_HEADERS: dict[str, str] = {
    "openstack": "The 12 component types of the multi-site OpenStack assembly (Ballet's\n"
    "simplified/type/openstack.py = model-maker/examples/openstack.py; MODELS.md §3),\n"
    "with the planner's transition costs (given for the MariaDB types only).",
    "mariadb": "A MariaDB primary (DbMaster) and its replicas (DbWorker), with OpenStack-style\n"
    "lifecycles (deploy, interrupt, update, uninstall); see README.md for the ports.",
}
"""Header comments of generated types files, by model folder."""


def shipped_texts(models_dir: str) -> dict[str, str]:
    """Path -> text of every shipped model generated from a family (types.cd included).

    A family's types go to `types.cd` beside the plan, which includes it; the
    header comment says where the file comes from, so a reader knows not to edit
    it by hand. `tests/test_models.py` checks the files on disk against this.
    """
    import os

    out: dict[str, str] = {}
    for rel, family, size, header in SHIPPED:
        path = os.path.join(models_dir, rel)
        types_text, plan_text = split_types(build(family, size, path))
        head = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
        head += f"# Generated by `cdcheck family {family} {size}`; do not edit by hand.\n\n"
        out[path] = head + plan_text
        tpath = os.path.join(os.path.dirname(path), "types.cd")
        folder = os.path.basename(os.path.dirname(path))
        thead = "".join(f"# {line}\n" for line in TYPES_HEADERS.get(folder, "").splitlines())
        if thead:
            thead += f"# Generated from cdcheck.lang.families ({folder}); do not edit by hand.\n\n"
        types_text = thead + types_text
        if tpath in out and out[tpath] != types_text:
            raise AssertionError(f"{tpath}: families disagree on the types")
        out.setdefault(tpath, types_text)
    return out


def write_shipped(models_dir: str) -> list[str]:
    """Regenerate the shipped models (except hand-written types files already present).

    models/cps/types.cd is the hand transcription of the Maude example and is
    never overwritten; the tests compare it with the family's types instead.
    """
    import os

    written = []
    for path, text in shipped_texts(models_dir).items():
        if path.endswith("types.cd") and os.path.exists(path):
            continue
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        written.append(path)
    return written
