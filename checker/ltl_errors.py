"""Formula errors: what is wrong, where, and how it is shown to a person.

An `LtlError` carries a message and the character range of the culprit in the
formula's text (0-based, end exclusive). `render_error` prints it the way
compilers do, with the formula's line and a caret under the culprit, and,
when the formula was read from a file at a known place, `file:line:col`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CODED = re.compile(r"^(E\d{3}): (.*)$", re.DOTALL)


@dataclass(frozen=True)
class SourceOffset:
    """Where the formula's first character sits in a file (1-based line and column)."""

    file: str
    line: int = 1
    col: int = 1


class LtlError(Exception):
    """A formula that cannot be read: a message and the offending character range."""

    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = max(end, start + 1)


def render_error(
    error: LtlError, text: str, offset: SourceOffset | None = None, *, label: str = "formula"
) -> str:
    """The error as `[file:line:col: ]error: message`, the formula's line, a caret below.

    With an offset the position is that of the culprit in the file (the formula
    may span lines; the first line is shifted by the offset's column).
    """
    line_no = text.count("\n", 0, error.start)
    line_start = text.rfind("\n", 0, error.start) + 1
    line_end = text.find("\n", line_start)
    if line_end < 0:
        line_end = len(text)
    col = error.start - line_start
    width = max(1, min(error.end, line_end) - error.start)
    source_line = text[line_start:line_end].expandtabs(1)
    coded = _CODED.match(error.message)  # `E037: ...`, a code of the file syntax
    kind, message = (f"error[{coded[1]}]", coded[2]) if coded else ("error", error.message)
    if offset is not None:
        file_line = offset.line + line_no
        file_col = col + (offset.col if line_no == 0 else 1)
        head = f"{offset.file}:{file_line}:{file_col}: {kind}: {message}"
    else:
        head = f"{kind}: {message} (in the {label}, column {col + 1})"
    return "\n".join([head, "  " + source_line, "  " + " " * col + "^" * width])
