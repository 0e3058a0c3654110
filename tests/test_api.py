"""The public Python API: `from cdcheck import load, verify`, without the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cdcheck import Options, PropertyError, load, verify
from cdcheck.checker.search import Verdict
from cdcheck.lang.diagnostics import PlanError

ROOT = Path(__file__).parent.parent
CPS = str(ROOT / "models" / "cps" / "update.cd")
BROKEN = str(ROOT / "models" / "broken" / "missing-wait.cd")


def verdicts(outcome: object) -> dict[str, Verdict]:
    report = outcome.report  # type: ignore[attr-defined]
    return {p.name: p.verdict for p in report.properties}


def test_verify_a_shipped_model_with_the_default_suite() -> None:
    outcome = verify(load(CPS))
    assert verdicts(outcome) == {
        "deadlock-free": Verdict.HOLDS,
        "port-consistency": Verdict.HOLDS,
        "terminates": Verdict.HOLDS,
        "sensor_waits_for_listener": Verdict.HOLDS,
    }
    assert outcome.exit_code == 0
    assert all(outcome.figures[name].states > 0 for name in verdicts(outcome))


def test_verify_finds_the_violated_plan_property_with_a_trace() -> None:
    outcome = verify(load(BROKEN), Options(property=("api_after_replicas",)))
    (prop,) = outcome.report.properties
    assert prop.verdict is Verdict.VIOLATED and prop.steps
    assert outcome.exit_code == 1


def test_options_select_formulas_and_limits() -> None:
    outcome = verify(load(CPS), Options(ltl=("G !deadlock",), por=False, max_states=50))
    (prop,) = outcome.report.properties
    assert prop.verdict is Verdict.UNKNOWN
    assert outcome.exit_code == 3


def test_bad_input_raises_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(PropertyError):
        verify(load(CPS), Options(ltl=("G (",)))
    bad = tmp_path / "bad.cd"
    bad.write_text("type T {\n")
    with pytest.raises(PlanError):
        load(str(bad))


def test_no_argparse_past_the_command_line() -> None:
    """Only checker/cli.py may name argparse: the strategy takes `Options`."""
    for folder in ("verify", "api", "lang", "spec", "checker"):
        for path in (ROOT / folder).glob("*.py"):
            if path.name == "cli.py":
                continue
            names = {
                alias.name
                for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names
            } | {
                node.module
                for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.ImportFrom) and node.module
            }
            assert "argparse" not in names, path


def test_the_checker_algorithms_never_import_the_verify_package() -> None:
    """Layering: lang -> spec -> checker; verify sits above them, like the CLI."""
    for folder in ("lang", "spec", "checker"):
        for path in (ROOT / folder).glob("*.py"):
            if path.name == "cli.py":
                continue
            assert "cdcheck.verify" not in path.read_text(), path
