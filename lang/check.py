"""Static checks of a resolved plan (placeholder, filled in below)."""

from __future__ import annotations

from . import ast as A
from .diagnostics import Diagnostic


def check_plan(plan: A.Plan) -> list[Diagnostic]:
    return []
