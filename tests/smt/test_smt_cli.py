"""`cdcheck check --engine bmc|kind|pdr|auto`: end to end through the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from plans import DEADLOCKING

from cdcheck.checker.cli import main

ONE_NODE = """\
type T { places a, b  initial a  behavior go { t: a -> b } }
node n hosts p { start p: T at a  program { pushB p go as g  wait p g } }
"""


def _check(tmp_path: Path, text: str, *flags: str) -> int:
    path = tmp_path / "plan.cd"
    path.write_text(text)
    return main(["check", str(path), "--quiet", "--property", "deadlock-free", *flags])


@pytest.mark.parametrize("engine", ["kind", "pdr", "houdini"])
def test_proof_prints_its_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    code = _check(tmp_path, ONE_NODE, "--engine", engine, "--explain", "--timeout", "60")
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"proved by {engine}; certificate:" in out
    expected = {"kind": "k = ", "pdr": "n0.pc", "houdini": "candidate lemmas are inductive"}
    assert expected[engine] in out


@pytest.mark.slow
def test_houdini_proves_the_cps_example_deadlock_free(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = Path(__file__).parents[2] / "models" / "cps" / "update.cd"
    flags = ["--property", "deadlock-free", "--engine", "houdini", "--explain", "--timeout", "600"]
    code = main(["check", str(path), "--quiet", *flags])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "proved by houdini; certificate:" in out
    assert "each message at most once" in out  # the counting lemmas of the lists


@pytest.mark.parametrize("engine", ["bmc", "kind", "pdr"])
def test_deadlock_found_symbolically_is_replayed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    code = _check(tmp_path, DEADLOCKING, "--engine", engine, "--depth", "12", "--timeout", "60")
    out = capsys.readouterr().out
    assert code == 1, out
    assert "violated" in out and "EnteringPlace" not in out.split("violated")[0]
    assert "ConnectPorts" in out  # the rendered, replayed trace names the rules


def test_bmc_without_counterexample_is_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _check(tmp_path, ONE_NODE, "--engine", "bmc", "--depth", "4")
    assert code == 3
    assert "no counterexample within 4 steps" in capsys.readouterr().out


def test_auto_keeps_the_explicit_verdict_when_search_completes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _check(tmp_path, DEADLOCKING, "--engine", "auto")
    out = capsys.readouterr().out
    assert code == 1
    assert "proved by" not in out
