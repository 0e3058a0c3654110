"""One verdict report, rendered four ways: terminal, JSON/ITF, SARIF, JUnit.

The search hands over results with raw states and steps; the composition root
turns them into a `Report` using the transition system's `describe` (a step as
words) and an optional state view (a state as named variables). Every renderer
works from the same `Report`, so the terminal, the CI annotations and the
machine-readable trace never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.text import Text

from .search import PropertyResult, SearchResult, Stats, Verdict
from .system import StepViewLike

S = TypeVar("S", bound=Hashable)
A = TypeVar("A")


@dataclass(frozen=True)
class ReportStep:
    index: int
    rule: str
    nodes: tuple[str, ...]
    objects: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Location:
    """Where a property is written (for SARIF and editor links)."""

    file: str
    line: int = 1
    col: int = 1


@dataclass(frozen=True)
class PropertyReport:
    name: str
    formula: str
    verdict: Verdict
    reason: str
    location: Location
    steps: tuple[ReportStep, ...] = ()
    states: tuple[Mapping[str, Any], ...] = ()
    loop_start: int | None = None
    explanation: tuple[str, ...] = ()
    """Extra lines after the trace (e.g. why a deadlock is a deadlock)."""


@dataclass(frozen=True)
class Report:
    plan: str
    properties: tuple[PropertyReport, ...]
    stats: Stats
    stopped_by: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        """0 all hold, 1 some violated, 3 some unknown (and none violated)."""
        verdicts = {p.verdict for p in self.properties}
        if Verdict.VIOLATED in verdicts:
            return 1
        if Verdict.UNKNOWN in verdicts:
            return 3
        return 0


def build_property_report(
    result: PropertyResult[S, A],
    *,
    formula: str,
    location: Location,
    describe: Callable[[A, S, S], StepViewLike],
    state_view: Callable[[S], Mapping[str, Any]] | None = None,
    explain: Callable[[S], Sequence[str]] | None = None,
) -> PropertyReport:
    steps: list[ReportStep] = []
    states: list[Mapping[str, Any]] = []
    explanation: tuple[str, ...] = ()
    loop_start = None
    if result.trace is not None:
        trace = result.trace
        loop_start = trace.loop_start
        for i, step in enumerate(trace.steps):
            view = describe(step, trace.states[i], trace.states[i + 1])
            steps.append(ReportStep(i + 1, view.rule, view.nodes, view.objects, view.changes))
        if state_view is not None:
            states = [state_view(s) for s in trace.states]
        if explain is not None:
            explanation = tuple(explain(trace.states[-1]))
    return PropertyReport(
        result.name,
        formula,
        result.verdict,
        result.reason,
        location,
        tuple(steps),
        tuple(states),
        loop_start,
        explanation,
    )


def build_report(
    plan: str,
    search: SearchResult[Any, Any],
    properties: Sequence[PropertyReport],
    notes: Sequence[str] = (),
) -> Report:
    return Report(plan, tuple(properties), search.stats, search.stopped_by, tuple(notes))


# ----------------------------------------------------------------------------- terminal

_MARK = {Verdict.HOLDS: "✓", Verdict.VIOLATED: "✗", Verdict.UNKNOWN: "?"}
_STYLE = {Verdict.HOLDS: "green", Verdict.VIOLATED: "bold red", Verdict.UNKNOWN: "yellow"}


def render_terminal(
    report: Report,
    console: Console,
    *,
    verbose_stats: bool = True,
    fold: frozenset[str] = frozenset(),
    fold_at: int = 4,
) -> None:
    """Verdict lines, each counterexample as a numbered step table, then figures.

    Runs of at least `fold_at` consecutive steps whose rule is in `fold` (message
    plumbing, say) are shown as one summary row, except inside a lasso's cycle.
    """
    for p in report.properties:
        head = Text()
        head.append(f"{_MARK[p.verdict]} ", style=_STYLE[p.verdict])
        head.append(p.name, style="bold")
        head.append(f"  {p.verdict.value}", style=_STYLE[p.verdict])
        if p.formula:
            head.append(f"   {p.formula}", style="dim")
        console.print(head)
        if p.verdict is Verdict.UNKNOWN and p.reason:
            console.print(Text(f"    {p.reason}", style="yellow"))
        if p.steps or p.verdict is Verdict.VIOLATED:
            _render_trace(p, console, fold, fold_at)
    s = report.stats
    if verbose_stats:
        done = "complete" if s.complete else "partial"
        console.print(
            Text(
                f"{s.states:,} states, {s.transitions:,} transitions, depth {s.depth}, "
                f"{s.seconds:.2f} s ({s.states_per_second:,.0f} states/s), "
                f"{s.memory_mb:,.0f} MB ({s.bytes_per_state:,.0f} bytes/state), "
                f"{done} exploration",
                style="dim",
            )
        )
    for note in report.notes:
        console.print(Text(note, style="dim"))


def _folded(
    steps: Sequence[ReportStep], fold: frozenset[str], fold_at: int, keep_from: int | None
) -> list[ReportStep | list[ReportStep]]:
    """Steps, with long runs of foldable ones grouped into lists."""
    out: list[ReportStep | list[ReportStep]] = []
    run: list[ReportStep] = []

    def flush() -> None:
        if len(run) >= fold_at:
            out.append(list(run))
        else:
            out.extend(run)
        run.clear()

    for st in steps:
        in_cycle = keep_from is not None and st.index > keep_from
        if st.rule in fold and not in_cycle:
            run.append(st)
        else:
            flush()
            out.append(st)
    flush()
    return out


def _render_trace(p: PropertyReport, console: Console, fold: frozenset[str], fold_at: int) -> None:
    """One line per step (number, nodes, rule, objects), its changes indented below.

    Lines rather than a table: a trace must stay readable in an 80-column CI log.
    Every cell is plain Text, never markup, since model names may contain brackets.
    """
    kind = "lasso" if p.loop_start is not None else "shortest counterexample"
    console.print(Text(f"    {p.reason} — {kind}, {len(p.steps)} steps:", style="red"))
    width = len(str(len(p.steps))) + 1
    for item in _folded(p.steps, fold, fold_at, p.loop_start):
        if isinstance(item, list):
            counts: dict[str, int] = {}
            for st in item:
                counts[st.rule] = counts.get(st.rule, 0) + 1
            what = ", ".join(f"{r} ×{k}" for r, k in counts.items())
            line = Text(f"    {item[0].index}-{item[-1].index} ", style="dim")
            line.append(f"… {len(item)} message steps ({what})", style="dim")
            console.print(line)
            continue
        step = item
        if p.loop_start is not None and step.index == p.loop_start + 1:
            console.print(Text("    ── cycle starts here ──", style="magenta"))
        line = Text(f"    {step.index:>{width}} ", style="dim")
        line.append(", ".join(step.nodes), style="cyan")
        line.append(f"  {step.rule}", style="bold")
        if step.objects:
            line.append(f"  {step.objects}")
        console.print(line)
        for change in step.changes:
            console.print(Text(f"    {'':>{width}}   {change}", style="dim"))
    if p.loop_start is not None:
        console.print(Text("    ── back to the cycle start, forever ──", style="magenta"))
    for line_text in p.explanation:
        console.print(Text(f"    {line_text}", style="red"))


# ----------------------------------------------------------------------------- JSON / ITF


def to_itf(p: PropertyReport, plan: str) -> dict[str, Any]:
    """The trace in the Informal Trace Format (Apalache): one object per state."""
    variables = sorted({k for s in p.states for k in s})
    states = []
    for i, state in enumerate(p.states):
        entry: dict[str, Any] = {"#meta": {"index": i}}
        if i > 0 and i - 1 < len(p.steps):
            step = p.steps[i - 1]
            entry["#meta"]["action"] = {
                "rule": step.rule,
                "nodes": list(step.nodes),
                "objects": step.objects,
            }
        entry.update({k: _itf_value(v) for k, v in state.items()})
        states.append(entry)
    out: dict[str, Any] = {
        "#meta": {
            "format": "ITF",
            "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
            "source": plan,
            "description": f"counterexample to {p.name}",
        },
        "vars": variables,
        "states": states,
    }
    if p.loop_start is not None:
        out["loop"] = p.loop_start
    return out


def _itf_value(v: Any) -> Any:
    if isinstance(v, bool | str) or v is None:
        return v
    if isinstance(v, int):
        return {"#bigint": str(v)}
    if isinstance(v, Mapping):
        return {"#map": [[_itf_value(k), _itf_value(x)] for k, x in v.items()]}
    if isinstance(v, set | frozenset):
        return {"#set": sorted((_itf_value(x) for x in v), key=json.dumps)}
    if isinstance(v, tuple | list):
        return [_itf_value(x) for x in v]
    return str(v)


def to_json(report: Report, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    s = report.stats
    return {
        "plan": report.plan,
        "exit_code": report.exit_code,
        "options": dict(options or {}),
        "stats": {
            "states": s.states,
            "transitions": s.transitions,
            "depth": s.depth,
            "seconds": round(s.seconds, 4),
            "memory_mb": round(s.memory_mb, 1),
            "complete": s.complete,
            "states_per_level": list(s.levels),
        },
        "stopped_by": report.stopped_by,
        "properties": [
            {
                "name": p.name,
                "formula": p.formula,
                "verdict": p.verdict.value,
                "reason": p.reason,
                "states": s.states,
                "transitions": s.transitions,
                "depth": s.depth,
                "seconds": round(s.seconds, 4),
                "location": {
                    "file": p.location.file,
                    "line": p.location.line,
                    "col": p.location.col,
                },
                "steps": [
                    {
                        "index": st.index,
                        "rule": st.rule,
                        "nodes": list(st.nodes),
                        "objects": st.objects,
                        "changes": list(st.changes),
                    }
                    for st in p.steps
                ],
                "loop_start": p.loop_start,
                "explanation": list(p.explanation),
                "itf": to_itf(p, report.plan) if p.states else None,
            }
            for p in report.properties
        ],
    }


def render_json(report: Report, options: Mapping[str, Any] | None = None) -> str:
    return json.dumps(to_json(report, options), indent=2, default=str) + "\n"


# ----------------------------------------------------------------------------- SARIF

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def to_sarif(report: Report, tool_version: str) -> dict[str, Any]:
    """SARIF 2.1.0: one rule per property, one result per violated or unknown one,
    with the counterexample as a code flow (GitHub shows it in the PR)."""
    rules = [
        {
            "id": p.name,
            "shortDescription": {"text": p.formula or p.name},
            "helpUri": "https://github.com/cdcheck/cdcheck/blob/main/docs/language.md",
        }
        for p in report.properties
    ]
    results = []
    for p in report.properties:
        if p.verdict is Verdict.HOLDS:
            continue
        loc = {
            "physicalLocation": {
                "artifactLocation": {"uri": p.location.file},
                "region": {"startLine": p.location.line, "startColumn": p.location.col},
            }
        }
        result: dict[str, Any] = {
            "ruleId": p.name,
            "level": "error" if p.verdict is Verdict.VIOLATED else "warning",
            "message": {"text": f"{p.name} {p.verdict.value}: {p.reason}"},
            "locations": [loc],
        }
        if p.steps:
            flow_locations = []
            for st in p.steps:
                text = f"{st.index}. {', '.join(st.nodes)} {st.rule} {st.objects}".strip()
                if p.loop_start is not None and st.index == p.loop_start + 1:
                    text += " (cycle starts here)"
                flow_locations.append({"location": {**loc, "message": {"text": text}}})
            result["codeFlows"] = [{"threadFlows": [{"locations": flow_locations}]}]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cdcheck",
                        "version": tool_version,
                        "informationUri": "https://github.com/cdcheck/cdcheck",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def render_sarif(report: Report, tool_version: str) -> str:
    return json.dumps(to_sarif(report, tool_version), indent=2) + "\n"


# ----------------------------------------------------------------------------- JUnit


def render_junit(report: Report) -> str:
    """JUnit XML: the plan is a test suite, each property a test case."""
    failures = sum(p.verdict is Verdict.VIOLATED for p in report.properties)
    skipped = sum(p.verdict is Verdict.UNKNOWN for p in report.properties)
    suite = ET.Element(
        "testsuite",
        name=report.plan,
        tests=str(len(report.properties)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time=f"{report.stats.seconds:.3f}",
    )
    for p in report.properties:
        case = ET.SubElement(suite, "testcase", classname=report.plan, name=p.name)
        if p.verdict is Verdict.VIOLATED:
            failure = ET.SubElement(case, "failure", message=p.reason, type="violated")
            failure.text = "\n".join(
                f"{st.index}. [{', '.join(st.nodes)}] {st.rule} {st.objects} "
                f"{'; '.join(st.changes)}".rstrip()
                for st in p.steps
            )
        elif p.verdict is Verdict.UNKNOWN:
            ET.SubElement(case, "skipped", message=p.reason)
    ET.indent(suite)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
    )
