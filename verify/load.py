"""A plan from a file, its includes resolved and statically checked."""

from __future__ import annotations

from cdcheck.lang import ast as A
from cdcheck.lang.check import check_plan
from cdcheck.lang.diagnostics import PlanError, SourceCache, render
from cdcheck.lang.loader import Loader


def load_checked(path: str) -> tuple[A.Plan, SourceCache, list[str]]:
    """Load, resolve includes and statically check a plan; warnings are returned
    rendered. Raises `PlanError` (with every diagnostic and the texts read)
    when the plan has an error."""
    loader = Loader()
    plan = loader.load(path)
    diagnostics = check_plan(plan)
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise PlanError(diagnostics, loader.sources)
    warnings = [render(d, loader.sources) for d in diagnostics]
    return plan, loader.sources, warnings


def load(path: str) -> A.Plan:
    """The checked plan of a file (warnings dropped); `PlanError` on an error."""
    return load_checked(path)[0]


def sources_of(exc: PlanError) -> SourceCache:
    """The texts the loader read; failing that (an error raised before any
    loader, e.g. by the goals reader), the files named by the diagnostics."""
    if exc.sources is not None:
        return exc.sources
    cache = SourceCache()
    for d in exc.diagnostics:
        try:
            with open(d.span.file, encoding="utf-8", errors="replace") as fh:
                cache.add(d.span.file, fh.read(Loader().max_bytes))
        except OSError:
            pass
    return cache
