"""Assemblies for the planner (no programs), generated for n listener/sensor pairs or n sites.

Used by the planner's tests and benchmark and to write models/*/assembly.cd.

Placements are Ballet's planner experiments (../shared/reference/MODELS.md §2-3):
CPS nodes `database`, `system`, `sensor_i` (hosting listener_i and sensor_i);
OpenStack nodes `master`, `worker_i`, `nova_i`, `neutron_i`. Everything starts
in its running place with the caches a finished deployment leaves: every remote
user knows its connection and that its provider is not refusing.
"""

from __future__ import annotations

from collections import defaultdict

from .families import OS_INFRA, OS_INFRA_TYPES

Conn = tuple[str, str, str, str]


def _render(
    include: str,
    nodes: dict[str, list[tuple[str, str, str]]],
    connections: list[Conn],
    header: str,
) -> str:
    host = {inst: node for node, insts in nodes.items() for inst, _, _ in insts}
    out = [f"# {header}", "", f'include "{include}"', ""]
    for node, insts in nodes.items():
        out.append(f"node {node} hosts {', '.join(i for i, _, _ in insts)} {{")
        for inst, typ, place in insts:
            out.append(f"  start {inst}: {typ} at {place}")
        mine = [c for c in connections if host[c[0]] == node or host[c[2]] == node]
        for u, up, p, pp in mine:
            out.append(f"  connected {u}.{up} -- {p}.{pp}")
        for u, up, p, pp in mine:
            if host[u] == node and host[p] != node:
                out.append(f"  cache isConnected({u}.{up} -- {p}.{pp}) = true")
        refusing = defaultdict(list)
        for u, _up, p, pp in mine:
            if host[u] == node and host[p] != node and f"{p}.{pp}" not in refusing:
                refusing[f"{p}.{pp}"].append(u)
                out.append(f"  cache isRefusing({p}.{pp}) = false")
        out.append("}")
        out.append("")
    return "\n".join(out)


def cps_assembly(n: int, include: str = "types.cd") -> str:
    nodes: dict[str, list[tuple[str, str, str]]] = {
        "database": [("database", "Database", "deployed")],
        "system": [("system", "System", "deployed")],
    }
    connections: list[Conn] = [("system", "dbService", "database", "service")]
    for i in range(n):
        nodes[f"sensor_{i}"] = [
            (f"listener_{i}", "Listener", "running"),
            (f"sensor_{i}", "Sensor", "running"),
        ]
        connections += [
            (f"listener_{i}", "sysService", "system", "service"),
            (f"sensor_{i}", "rcvService", f"listener_{i}", "rcv"),
            (f"sensor_{i}", "configService", f"listener_{i}", "config"),
        ]
    return _render(
        include, nodes, connections, f"CPS, {n} listener/sensor pair(s), Ballet's placement"
    )


def openstack_assembly(n: int, include: str = "types.cd") -> str:
    nodes: dict[str, list[tuple[str, str, str]]] = {}
    connections: list[Conn] = []

    def site(x: str) -> list[tuple[str, str, str]]:
        insts = [(f"{s}_{x}", OS_INFRA_TYPES[s], "deployed") for s in OS_INFRA]
        for s in ("haproxy", "common", "rabbitmq", "memcached", "ovswitch"):
            connections.append((f"{s}_{x}", "facts_service", f"facts_{x}", "service"))
        return insts

    nodes["master"] = [*site("master"), ("mariadb_master", "MariaDB_master", "deployed")]
    connections += [
        ("mariadb_master", "common_service", "common_master", "service"),
        ("mariadb_master", "haproxy_service", "haproxy_master", "service"),
    ]
    for i in range(n):
        w, k, g = f"mariadb_worker_{i}", f"keystone_{i}", f"glance_{i}"
        nodes[f"worker_{i}"] = [
            *site(str(i)),
            (w, "MariaDB_worker", "deployed"),
            (k, "Keystone", "deployed"),
            (g, "Glance", "deployed"),
        ]
        nodes[f"nova_{i}"] = [(f"nova_{i}", "Nova", "deployed")]
        nodes[f"neutron_{i}"] = [(f"neutron_{i}", "Neutron", "deployed")]
        connections += [
            (w, "common_service", f"common_{i}", "service"),
            (w, "haproxy_service", f"haproxy_{i}", "service"),
            (w, "master_service", "mariadb_master", "service"),
            (k, "mariadb_service", w, "service"),
            (g, "mariadb_service", w, "service"),
            (g, "keystone_service", k, "service"),
            (f"nova_{i}", "mariadb_service", w, "service"),
            (f"nova_{i}", "keystone_service", k, "service"),
            (f"neutron_{i}", "mariadb_service", w, "service"),
            (f"neutron_{i}", "keystone_service", k, "service"),
        ]
    return _render(include, nodes, connections, f"OpenStack, {n} site(s), Ballet's placement")
