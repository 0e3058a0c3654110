"""A live progress line on stderr while a search runs.

Shown only when stderr is a terminal and the user did not ask for quiet: CI
logs stay clean, and a person watching a long search sees states,
transitions, frontier, depth, speed and memory update a few times a second.
"""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.text import Text

from .search import Stats


def format_stats(s: Stats) -> str:
    return (
        f"{s.states:,} states  {s.transitions:,} transitions  frontier {s.frontier:,}  "
        f"depth {s.depth}  {s.states_per_second:,.0f} states/s  {s.memory_mb:,.0f} MB"
    )


class ProgressDisplay:
    """Context manager; call the instance with Stats to update the line."""

    def __init__(self, label: str, *, quiet: bool = False) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.label = label
        self._live: Live | None = None

    def __enter__(self) -> ProgressDisplay:
        if self.enabled:
            console = Console(stderr=True)
            self._live = Live(Text(self.label), console=console, transient=True)
            self._live.__enter__()
        return self

    def __call__(self, stats: Stats) -> None:
        if self._live is not None:
            self._live.update(Text(f"{self.label}: {format_stats(stats)}", style="cyan"))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)
            self._live = None
