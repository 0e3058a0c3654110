"""Canonical formatting of a `.cd` file.

One layout for every plan, so that diffs in review show meaning, not spacing:
includes first, then types, nodes, goals and properties in source order; inside a type
places, initial, running, stations, behaviors, ports; inside a node starts,
queues, connections, cache, program. Comments are not part of the AST; the
formatter takes them separately and puts each back next to the statement it
was written beside.
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


Line = tuple[str, int]
"""A printed line and the source line it stands for (0 when generated)."""


def _at(span: A.Span) -> int:
    return span.line


def format_type(t: A.ComponentType) -> list[Line]:
    lines: list[Line] = [(f"type {t.name} {{", _at(t.span))]
    if t.places:
        lines.append((f"{INDENT}places {_names(t.places)}", _at(t.places[0].span)))
    if t.initial is not None:
        lines.append((f"{INDENT}initial {t.initial}", _at(t.initial.span)))
    if t.running is not None:
        lines.append((f"{INDENT}running {t.running}", _at(t.running.span)))
    lines.extend((f"{INDENT}station {s.name} of {s.place}", _at(s.span)) for s in t.stations)
    for b in t.behaviors:
        if len(b.items) <= 1:  # a one-step behavior reads best on one line
            body = f" {_format_item(b.items[0])} " if b.items else " "
            lines.append((f"{INDENT}behavior {b.name} {{{body}}}", _at(b.span)))
            continue
        lines.append((f"{INDENT}behavior {b.name} {{", _at(b.span)))
        lines.extend((f"{INDENT * 2}{_format_item(item)}", _at(item.span)) for item in b.items)
        lines.append((f"{INDENT}}}", b.span.end_line))
    lines.extend((f"{INDENT}{p.kind} {p.name} on {_names(p.places)}", _at(p.span)) for p in t.ports)
    lines.append(("}", t.span.end_line))
    return lines


def format_node(n: A.NodeDecl) -> list[Line]:
    head = f"node {n.name}" + (f" hosts {_names(n.hosts)}" if n.hosts else "")
    lines: list[Line] = [(head + " {", _at(n.span))]
    lines.extend(
        (f"{INDENT}start {s.instance}: {s.type} at {_names(s.places)}", _at(s.span))
        for s in n.starts
    )
    for q in n.queues:
        pushes = ", ".join(f"{p.behavior} as {p.push_id}" for p in q.pushes)
        lines.append((f"{INDENT}queue {q.instance}: {pushes}", _at(q.span)))
    lines.extend((f"{INDENT}connected {format_connection(c)}", _at(c.span)) for c in n.connections)
    lines.extend(
        (f"{INDENT}cache {format_query(e.query)} = {str(e.value).lower()}", _at(e.span))
        for e in n.cache
    )
    if n.program:
        lines.append((f"{INDENT}program {{", 0))
        lines.extend((f"{INDENT * 2}{format_instruction(i)}", _at(i.span)) for i in n.program)
        lines.append((f"{INDENT}}}", 0))
    lines.append(("}", n.span.end_line))
    return lines


def format_goal_item(g: A.GoalItem) -> str:
    match g:
        case A.BehaviorGoal():
            return f"behavior {g.component or 'forall'}: {g.behavior}"
        case A.ComponentGoal():
            return f"component {g.component or 'forall'}: {g.status}"
        case A.PortGoal():
            return f"port {g.port or 'forall'}: {g.status}"
    raise TypeError(g)


def format_goals(g: A.GoalBlock) -> list[Line]:
    lines: list[Line] = [("goal {", _at(g.span))]
    lines.extend((f"{INDENT}{format_goal_item(i)}", _at(i.span)) for i in g.items)
    lines.append(("}", g.span.end_line))
    return lines


def _blocks(f: A.SourceFile) -> list[list[Line]]:
    blocks: list[list[Line]] = []
    if f.includes:
        blocks.append([(f'include "{i.path}"', _at(i.span)) for i in f.includes])
    blocks.extend(format_type(t) for t in f.types)
    blocks.extend(format_node(n) for n in f.nodes)
    blocks.extend(format_goals(g) for g in f.goals)
    if f.properties:
        blocks.append([(f"property {p.name}: {p.formula}", _at(p.span)) for p in f.properties])
    return blocks


def format_file(f: A.SourceFile, comments: list[A.Comment] | None = None) -> str:
    """The canonical text of a file; parsing it gives back an equal AST.

    With the file's comments (from `parser.comments`), each comment is kept:
    a comment on a line of its own goes before the statement that followed it,
    a comment after code stays at the end of that statement's line.
    """
    blocks = _blocks(f)
    if not comments:
        return "\n\n".join("\n".join(text for text, _ in b) for b in blocks) + "\n"
    return _with_comments(blocks, comments)


def _with_comments(blocks: list[list[Line]], comments: list[A.Comment]) -> str:
    own = sorted((c for c in comments if not c.trailing), key=lambda c: c.line)
    trailing: dict[int, list[str]] = {}
    for c in comments:
        if c.trailing:
            trailing.setdefault(c.line, []).append(c.text)
    out: list[str] = []
    sources: list[int] = []
    i = 0
    for b_index, block in enumerate(blocks):
        if b_index:
            out.append("")
            sources.append(0)
        for text, src in block:
            indent = text[: len(text) - len(text.lstrip())]
            while i < len(own) and src and own[i].line < src:
                out.append(indent + own[i].text)
                sources.append(0)
                if own[i].blank_after:
                    out.append("")
                    sources.append(0)
                i += 1
            out.append(text)
            sources.append(src)
    if i < len(own):
        out.append("")
        out.extend(c.text for c in own[i:])
        sources.extend([0] * (len(own) - i + 1))
    for line, texts in trailing.items():
        candidates = [k for k, src in enumerate(sources) if src and src <= line]
        if not candidates:
            out.insert(0, " ".join(texts))
            continue
        best = max(candidates, key=lambda k: (sources[k], -k))
        out[best] = out[best] + "  " + "  ".join(texts)
    return "\n".join(out) + "\n"
