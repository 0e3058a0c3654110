"""The whole pipeline of `cdcheck check` (the FIFO relaxation, then the exact
semantics; stubborn sets with the goal condition; each property searched
alone) against every interleaving, on generated plans: the default safety
properties get the same verdicts with and without `--no-por`, and a violation
is reported with a counterexample either way."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from strategies import plans

from cdcheck.checker.cli import main
from cdcheck.lang import ast as A
from cdcheck.lang.printer import format_file

LIMIT = "20000"
PROPERTIES = ["--property", "deadlock-free", "--property", "port-consistency"]


def verdicts(path: Path, *flags: str) -> dict[str, tuple[str, bool]] | None:
    """(verdict, has a counterexample) per property; None when a limit stopped it."""
    out = path.with_suffix(".json")
    code = main(
        [str(path), "--quiet", "--max-states", LIMIT, "--json", str(out), *PROPERTIES, *flags]
    )
    if code == 3:
        return None
    assert code in (0, 1)
    data = json.loads(out.read_text())
    found = {p["name"]: (p["verdict"], bool(p["steps"])) for p in data["properties"]}
    if any(v == "unknown" for v, _ in found.values()):
        return None
    return found


def compare(plan: A.Plan) -> None:
    source = A.SourceFile("random.cd", (), plan.types, plan.nodes, ())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.cd"
        path.write_text(format_file(source))
        full = verdicts(path, "--no-por")
        assume(full is not None)
        reduced = verdicts(path)
        assume(reduced is not None)
    event(f"{sorted(v for v, _ in (full or {}).values())}")
    assert reduced == full


SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}


@settings(max_examples=30, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4))
def test_default_safety_properties_same_verdicts_through_the_command(plan: A.Plan) -> None:
    compare(plan)


@pytest.mark.slow
@settings(max_examples=500, **SETTINGS)  # type: ignore[arg-type]
@given(plans(max_nodes=4, max_instances=5))
def test_default_safety_properties_on_500_plans(plan: A.Plan) -> None:
    compare(plan)
