"""Diagnostics: what is wrong with a plan, where, and how to fix it.

Every problem the front end finds is a `Diagnostic` with a stable code, a
severity, a span and an optional hint ("did you mean ..."). The front end never
lets any other exception escape for bad input: it collects diagnostics and
raises `PlanError` once, so the command line can print all of them and exit 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .ast import Span

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    span: Span
    hint: str | None = None
    notes: tuple[tuple[str, Span], ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def headline(self) -> str:
        return f"{self.span}: {self.severity}[{self.code}]: {self.message}"


class PlanError(Exception):
    """Bad input: carries every diagnostic found (at least one error)."""

    def __init__(
        self, diagnostics: Sequence[Diagnostic], sources: SourceCache | None = None
    ) -> None:
        self.diagnostics = tuple(diagnostics)
        self.sources = sources
        """The texts read so far (set by the Loader), so that reporting the
        error shows the lines without reading the files again; text given in
        memory (`load_text`) is only there."""
        first = next((d for d in self.diagnostics if d.is_error), self.diagnostics[0])
        super().__init__(first.headline())


class SourceCache:
    """Keeps the text of every file read, so diagnostics can show the line."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._lines: dict[str, list[str]] = {}

    def add(self, path: str, text: str) -> None:
        self._texts[path] = text
        self._lines.pop(path, None)

    def line(self, path: str, number: int) -> str | None:
        text = self._texts.get(path)
        if text is None or number < 1:
            return None
        lines = self._lines.get(path)
        if lines is None:  # split once per file: a diagnostic per line stays linear
            lines = self._lines[path] = text.splitlines()
        return lines[number - 1] if number <= len(lines) else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest known name, if one is close enough."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def render(diagnostic: Diagnostic, sources: SourceCache | None = None) -> str:
    """`file:line:col: error[E123]: message`, the source line, a caret, hints."""
    out = [diagnostic.headline()]
    span = diagnostic.span
    text = sources.line(span.file, span.line) if sources else None
    if text is not None:
        gutter = f"{span.line:>4} | "
        out.append(gutter + text.expandtabs(1))
        width = span.end_col - span.col if span.end_line == span.line else 1
        out.append(" " * (len(gutter) + span.col - 1) + "^" * max(1, width))
    if diagnostic.hint:
        out.append(f"  = help: {diagnostic.hint}")
    for note, where in diagnostic.notes:
        out.append(f"  = note: {note} ({where})")
    return "\n".join(out)


def render_all(diagnostics: Iterable[Diagnostic], sources: SourceCache | None = None) -> str:
    diags = list(diagnostics)
    parts = [render(d, sources) for d in diags]
    errors = sum(d.is_error for d in diags)
    warnings = len(diags) - errors
    parts.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n\n".join(parts)
