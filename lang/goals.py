"""Ballet's `goal.yaml` format, read into the same goal items as a `goal { }` block.

    behaviors:  [{component: c, behavior: b}, {forall: b}]
    components: [{component: c, status: running|initial|start|<place>}, {forall: s}]
    ports:      [{component: c, port: p, status: active|inactive}, {forall: s}]

`forall` fills only what no explicit goal gives (../shared/reference/MODELS.md §3,
Ballet's gateway parser). The file is composed, not loaded, so every item keeps
the line and column it was written at: a misspelt instance is reported where it
is, like any other diagnostic, and the names are checked by `lang.check`.
"""

from __future__ import annotations

from typing import Any

import yaml

from . import ast as A
from .diagnostics import Diagnostic, PlanError

SECTIONS = ("behaviors", "components", "ports")
FIELDS = {
    "behaviors": ("component", "behavior"),
    "components": ("component", "status"),
    "ports": ("component", "port", "status"),
}


def _span(path: str, node: Any) -> A.Span:
    start, end = node.start_mark, node.end_mark
    return A.Span(path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _error(message: str, span: A.Span, hint: str | None = None) -> PlanError:
    return PlanError([Diagnostic("error", "E061", message, span, hint)])


def read_goals(text: str, path: str) -> tuple[A.GoalItem, ...]:
    """Goal items of a goal.yaml text; PlanError (E060 syntax, E061 shape) otherwise."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PlanError(
            [
                Diagnostic(
                    "error",
                    "E060",
                    f"not valid YAML: {problem}",
                    A.Span(path, line, col, line, col + 1),
                )
            ]
        ) from None
    if root is None:
        return ()
    if not isinstance(root, yaml.MappingNode):
        raise _error(
            "a goals file is a mapping of `behaviors`, `components`, `ports`", _span(path, root)
        )
    items: list[A.GoalItem] = []
    for key_node, value in root.value:
        key = key_node.value
        if key not in SECTIONS:
            raise _error(
                f"unknown section `{key}`",
                _span(path, key_node),
                "sections are " + ", ".join(f"`{s}`" for s in SECTIONS),
            )
        if isinstance(value, yaml.ScalarNode) and value.value in ("", "null", "~"):
            continue
        if not isinstance(value, yaml.SequenceNode):
            raise _error(f"`{key}` is a list of goals", _span(path, value))
        for entry in value.value:
            items.append(_item(path, key, entry))
    return tuple(items)


def _item(path: str, section: str, node: Any) -> A.GoalItem:
    span = _span(path, node)
    if not isinstance(node, yaml.MappingNode):
        raise _error(f"a goal of `{section}` is a mapping", span)
    fields: dict[str, A.Ident] = {}
    for k, v in node.value:
        if not isinstance(v, yaml.ScalarNode) or not str(v.value).strip():
            raise _error(f"`{k.value}` needs a name", _span(path, v))
        if k.value not in (*FIELDS[section], "forall"):
            raise _error(
                f"unknown field `{k.value}` in a goal of `{section}`",
                _span(path, k),
                "fields are " + ", ".join(f"`{f}`" for f in (*FIELDS[section], "forall")),
            )
        fields[k.value] = A.Ident(str(v.value), _span(path, v))
    value_field = FIELDS[section][-1]
    if "forall" in fields:
        if len(fields) > 1:
            raise _error("`forall` stands alone in its goal", span)
        value = fields["forall"]
        who = None
    else:
        missing = [f for f in FIELDS[section] if f not in fields]
        if missing:
            raise _error(
                f"goal of `{section}` without `{missing[0]}`",
                span,
                "write " + ", ".join(f"`{f}`" for f in FIELDS[section]) + ", or `forall`",
            )
        value = fields[value_field]
        who = fields["component"]
    if section == "behaviors":
        return A.BehaviorGoal(who, value, span)
    if section == "components":
        return A.ComponentGoal(who, value, span)
    ref = None if who is None else A.PortRef(who, fields["port"], span)
    return A.PortGoal(ref, value, span)
