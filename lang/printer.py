"""Canonical formatting of a `.cd` file.

One layout for every plan, so that diffs in review show meaning, not spacing:
includes first, then types, nodes and properties in source order; inside a type
places, initial, running, stations, behaviors, ports; inside a node starts,
queues, connections, cache, program. Comments are not kept (the AST has none),
so `cdcheck fmt` refuses to rewrite a file that has comments unless asked.
"""

from __future__ import annotations

from . import ast as A

INDENT = "  "


def _names(idents: tuple[A.Ident, ...]) -> str:
    return ", ".join(i.text for i in idents)


def format_connection(c: A.Connection) -> str:
    return f"{c.user.instance}.{c.user.port} -- {c.provider.instance}.{c.provider.port}"


def format_query(q: A.Query) -> str:
    if q.kind in ("isActive", "isRefusing"):
        assert q.port is not None
        body = f"{q.kind}({q.port.instance}.{q.port.port})"
    elif q.kind in ("isConnected", "onDisconnect"):
        assert q.connection is not None
        body = f"{q.kind}({format_connection(q.connection)})"
    else:
        body = f"isCompleted({q.instance}, {q.push_id})"
    return body + (f"@{q.dst}" if q.dst is not None else "")


def format_instruction(i: A.Instruction) -> str:
    match i:
        case A.Add():
            return f"add {i.instance}: {i.type}"
        case A.Del():
            return f"del {i.instance}"
        case A.Con():
            return f"con {format_connection(i.connection)}"
        case A.Dcon():
            return f"dcon {format_connection(i.connection)}"
        case A.PushB():
            return f"pushB {i.instance} {i.behavior} as {i.push_id}"
        case A.Wait():
            return f"wait {i.instance} {i.push_id}"
    raise TypeError(i)


def _format_item(item: A.BehaviorItem) -> str:
    if isinstance(item, A.TransitionRef):
        return item.name.text
    text = f"{item.name}: {item.source} -> {_names(item.targets)}"
    return text + (f" cost {item.cost}" if item.cost is not None else "")


def format_type(t: A.ComponentType) -> list[str]:
    lines = [f"type {t.name} {{"]
    if t.places:
        lines.append(f"{INDENT}places {_names(t.places)}")
    if t.initial is not None:
        lines.append(f"{INDENT}initial {t.initial}")
    if t.running is not None:
        lines.append(f"{INDENT}running {t.running}")
    lines.extend(f"{INDENT}station {s.name} of {s.place}" for s in t.stations)
    for b in t.behaviors:
        if not b.items:
            lines.append(f"{INDENT}behavior {b.name} {{ }}")
            continue
        lines.append(f"{INDENT}behavior {b.name} {{")
        lines.extend(f"{INDENT * 2}{_format_item(item)}" for item in b.items)
        lines.append(f"{INDENT}}}")
    lines.extend(f"{INDENT}{p.kind} {p.name} on {_names(p.places)}" for p in t.ports)
    lines.append("}")
    return lines


def format_node(n: A.NodeDecl) -> list[str]:
    head = f"node {n.name}" + (f" hosts {_names(n.hosts)}" if n.hosts else "")
    lines = [head + " {"]
    lines.extend(f"{INDENT}start {s.instance}: {s.type} at {_names(s.places)}" for s in n.starts)
    for q in n.queues:
        pushes = ", ".join(f"{p.behavior} as {p.push_id}" for p in q.pushes)
        lines.append(f"{INDENT}queue {q.instance}: {pushes}")
    lines.extend(f"{INDENT}connected {format_connection(c)}" for c in n.connections)
    lines.extend(f"{INDENT}cache {format_query(e.query)} = {str(e.value).lower()}" for e in n.cache)
    if n.program:
        lines.append(f"{INDENT}program {{")
        lines.extend(f"{INDENT * 2}{format_instruction(i)}" for i in n.program)
        lines.append(f"{INDENT}}}")
    lines.append("}")
    return lines


def format_file(f: A.SourceFile) -> str:
    """The canonical text of a file; parsing it gives back an equal AST."""
    blocks: list[list[str]] = []
    if f.includes:
        blocks.append([f'include "{i.path}"' for i in f.includes])
    blocks.extend(format_type(t) for t in f.types)
    blocks.extend(format_node(n) for n in f.nodes)
    if f.properties:
        blocks.append([f"property {p.name}: {p.formula}" for p in f.properties])
    return "\n\n".join("\n".join(b) for b in blocks) + "\n"
