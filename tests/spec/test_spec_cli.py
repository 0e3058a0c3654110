"""`cdcheck run` and `cdcheck export --to maude`."""

from __future__ import annotations

from pathlib import Path

import pytest
from spec_helpers import CPS1

from cdcheck.checker.cli import main

DEADLOCK = """
type T { places a, b  initial a  behavior go { t1: a -> b }  provide p on a }
type U { places x, y  initial x  behavior go { s1: x -> y }  use q on y }
node n1 hosts c1 { start c1: T at a  connected c2.q -- c1.p  program { pushB c1 go as g1 } }
node n2 hosts c2 { start c2: U at x  program { pushB c2 go as g2 } }
node n3 { program { wait c1 g1 } }
"""


def test_run_cps_reaches_done(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", CPS1, "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "PushingBehavior" in out and "SendQuestion" in out
    assert "done after" in out


def test_run_is_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    main(["run", CPS1, "--seed", "7", "--steps", "40"])
    first = capsys.readouterr().out
    main(["run", CPS1, "--seed", "7", "--steps", "40"])
    assert capsys.readouterr().out == first


def test_run_step_bound(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", CPS1, "--steps", "5"]) == 3
    assert "step bound 5" in capsys.readouterr().out


def test_run_deadlock_explains(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "dl.cd"
    plan.write_text(DEADLOCK)
    assert main(["run", str(plan), "--seed", "1"]) == 1
    out = capsys.readouterr().out
    assert "deadlock after" in out
    assert "use port q is not connected" in out
    assert "Waiting needs an instance on n3" in out


def test_run_bad_input(tmp_path: Path) -> None:
    plan = tmp_path / "bad.cd"
    plan.write_text("type {")
    assert main(["run", str(plan)]) == 2
    assert main(["run", CPS1, "--steps", "-1"]) == 2


def test_export_maude(tmp_path: Path) -> None:
    out = tmp_path / "cps.maude"
    assert main(["export", "--to", "maude", CPS1, "-o", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("--- UPDATE: written by `cdcheck export --to maude`.")
    assert "\nfmod UPDATE is\n" in text
    assert "op globalsystem : -> System ." in text
    assert "mod UPDATE-EXAMPLE is" in text and "inc OPERATIONAL-SEMANTICS ." in text
    assert "pushB(listener1, listenerUpdate, idb4) pushB(listener1, listenerDeploy, idb5)" in text
    assert "wait(listener1, idb4)" in text
    # declaration order is the model's: instances in plan order, then push ids
    ids = [ln.split()[1] for ln in text.splitlines() if ln.strip().endswith(": -> Id .")]
    assert ids == ["mydb0", "mysys0", "listener1", "sensor1", "idb4", "idb5", "idb0", "idb1"]
    # identical transitions collapse into one term (sensor start11/12/13)
    assert text.count("= t(sensorOff, stsensorProvisioned) .") == 1


def test_export_needs_target() -> None:
    assert main(["export", CPS1]) == 2
