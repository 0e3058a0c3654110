"""Reading plans from disk: size limits, encodings, and `include` resolution.

`include "types.cd"` is resolved relative to the including file; an included
file contributes its component types (and its own includes), never its nodes or
properties, so a types library can be shared by many plans. Include cycles and
missing files are diagnostics, not exceptions.
"""

from __future__ import annotations

import gc
import os
import stat
from dataclasses import dataclass, field

from . import ast as A
from .diagnostics import Diagnostic, PlanError, SourceCache
from .parser import parse_source

MAX_FILE_BYTES = 16 * 1024 * 1024
"""16 MiB: plans are hand-written or generated text; anything larger is a mistake
(docs/language.md, E004)."""


@dataclass
class Loader:
    """Reads files once each and remembers their text for diagnostics."""

    sources: SourceCache = field(default_factory=SourceCache)
    max_bytes: int = MAX_FILE_BYTES
    _parsed: dict[str, A.SourceFile] = field(default_factory=dict)

    def read_text(self, path: str, where: A.Span | None = None) -> str:
        """The text of `path`, which must be a regular file of at most
        `max_bytes` bytes: a device, FIFO or directory is refused before it is
        read (`/dev/zero` would never end), and at most `max_bytes + 1` bytes
        are ever read."""
        span = where or A.Span(path, 1, 1, 1, 1)

        def cannot(reason: str) -> PlanError:
            return PlanError([Diagnostic("error", "E003", f"cannot read `{path}`: {reason}", span)])

        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise cannot(exc.strerror or type(exc).__name__) from None
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise cannot("IsADirectoryError")
            if not stat.S_ISREG(info.st_mode):
                raise cannot("not a regular file (a device, FIFO or socket)")
            if info.st_size > self.max_bytes:
                raise self._too_large(path, info.st_size, span)
            chunks: list[bytes] = []
            size = 0
            while size <= self.max_bytes:
                chunk = os.read(fd, self.max_bytes + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            if size > self.max_bytes:  # it grew while being read
                raise self._too_large(path, size, span)
            data = b"".join(chunks)
        except OSError as exc:
            raise cannot(exc.strerror or type(exc).__name__) from None
        finally:
            os.close(fd)
        return self.decode(data, path)

    def _too_large(self, path: str, size: int, span: A.Span) -> PlanError:
        return PlanError(
            [
                Diagnostic(
                    "error",
                    "E004",
                    f"`{path}` is {size:,} bytes; plans are limited to {self.max_bytes:,} bytes",
                    span,
                    hint="split the plan, or generate it with `cdcheck family`",
                )
            ],
            self.sources,
        )

    def decode(self, data: bytes, path: str) -> str:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = data[: exc.start]
            line = before.count(b"\n") + 1
            col = exc.start - (before.rfind(b"\n") + 1) + 1
            raise PlanError(
                [
                    Diagnostic(
                        "error",
                        "E005",
                        f"invalid UTF-8 byte 0x{data[exc.start]:02x}",
                        A.Span(path, line, col, line, col + 1),
                        hint="plans are UTF-8 text",
                    )
                ]
            ) from None
        if "\x00" in text:
            pos = text.index("\x00")
            line = text.count("\n", 0, pos) + 1
            col = pos - (text.rfind("\n", 0, pos) + 1) + 1
            raise PlanError(
                [
                    Diagnostic(
                        "error",
                        "E005",
                        "NUL byte in a text file",
                        A.Span(path, line, col, line, col + 1),
                    )
                ]
            )
        self.sources.add(path, text)
        return text

    def parse_file(self, path: str, where: A.Span | None = None) -> A.SourceFile:
        if path not in self._parsed:
            self._parsed[path] = _parse_without_gc(self.read_text(path, where), path)
        return self._parsed[path]

    def load(self, path: str) -> A.Plan:
        """Parse `path` and everything it includes; raise PlanError on bad input
        (carrying the texts read, see PlanError.sources)."""
        try:
            root = self.parse_file(path)
            return self.resolve(root)
        except PlanError as exc:
            exc.sources = exc.sources or self.sources
            raise

    def load_text(self, text: str, path: str) -> A.Plan:
        """Like load, for text already in memory (includes still read from disk)."""
        self.sources.add(path, text)
        try:
            root = _parse_without_gc(text, path)
            self._parsed[path] = root
            return self.resolve(root)
        except PlanError as exc:
            exc.sources = exc.sources or self.sources
            raise

    def resolve(self, root: A.SourceFile) -> A.Plan:
        types: list[A.ComponentType] = []
        files: list[str] = []
        diagnostics: list[Diagnostic] = []
        self._collect(root, [], types, files, diagnostics)
        if diagnostics:
            raise PlanError(diagnostics)
        return A.Plan(
            root.path, tuple(types), root.nodes, root.properties, tuple(files), root.goals
        )

    def _collect(
        self,
        file: A.SourceFile,
        stack: list[str],
        types: list[A.ComponentType],
        files: list[str],
        diagnostics: list[Diagnostic],
    ) -> None:
        key = os.path.abspath(file.path)
        if key in (os.path.abspath(f) for f in files):
            return
        files.append(file.path)
        stack = [*stack, key]
        for inc in file.includes:
            target = os.path.normpath(os.path.join(os.path.dirname(file.path), inc.path))
            if os.path.abspath(target) in stack:
                diagnostics.append(
                    Diagnostic(
                        "error",
                        "E006",
                        f"include cycle: `{inc.path}` includes this file again",
                        inc.span,
                    )
                )
                continue
            try:
                child = self.parse_file(target, inc.span)
            except PlanError as exc:
                diagnostics.extend(exc.diagnostics)
                continue
            self._collect(child, stack, types, files, diagnostics)
        types.extend(file.types)


def _parse_without_gc(text: str, path: str) -> A.SourceFile:
    """parse_source with the cyclic garbage collector paused: parsing allocates
    millions of objects and frees none, so each collection rescans them all
    for nothing (a 10 MB plan: about 27 s of parsing with it, 18 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return parse_source(text, path)
    finally:
        if enabled:
            gc.enable()


def load_plan(path: str) -> tuple[A.Plan, SourceCache]:
    loader = Loader()
    return loader.load(path), loader.sources
