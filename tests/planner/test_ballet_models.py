"""Ballet's generated plans, transcribed in models/ballet/, get the verdicts
models/ballet/README.md states (the failing ones are found in seconds; the
CPS plan for one pair, which holds, needs a full exploration: slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdcheck.checker.cli import main

BALLET = Path(__file__).parent.parent.parent / "models" / "ballet"


def verdicts(path: Path, tmp_path: Path, *extra: str) -> dict[str, str]:
    out = tmp_path / "summary.json"
    main([str(path), "--quiet", "--json", str(out), *extra])
    data = json.loads(out.read_text())
    return {p["name"]: p["verdict"] for p in data["properties"]}


@pytest.mark.parametrize("model", ["openstack-update-1.cd", "cps-update-2.cd"])
def test_ballet_plans_that_never_finish(model: str, tmp_path: Path) -> None:
    assert verdicts(BALLET / model, tmp_path, "--property", "terminates") == {
        "terminates": "violated"
    }


@pytest.mark.slow
def test_ballet_cps_plan_for_one_pair_holds(tmp_path: Path) -> None:
    found = verdicts(BALLET / "cps-update-1.cd", tmp_path, "--fair", "steps")
    assert found == dict.fromkeys(
        ["deadlock-free", "port-consistency", "terminates", "goals_reached"], "holds"
    )
