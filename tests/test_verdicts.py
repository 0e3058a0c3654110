"""The shipped models get the verdicts their READMEs promise.

The small ones run in the default suite; the large ones are `slow` (run them
with `pytest -m slow`), with a state budget: within it the verdict must be the
promised one, or "unknown" for a property that holds (never a false alarm).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdcheck.checker.cli import main

MODELS = Path(__file__).parent.parent / "models"

FAST = {
    "cps/update.cd": {
        "deadlock-free": "holds",
        "port-consistency": "holds",
        "terminates": "holds",
        "sensor_waits_for_listener": "holds",
    },
    "mariadb/deploy.cd": {
        "deadlock-free": "holds",
        "port-consistency": "holds",
        "terminates": "holds",
        "api_after_replicas": "holds",
    },
    "broken/missing-wait.cd": {
        "deadlock-free": "holds",
        "port-consistency": "holds",
        "terminates": "holds",
        "api_after_replicas": "violated",
    },
    "broken/unsatisfiable-join.cd": {
        "deadlock-free": "violated",
        "port-consistency": "holds",
        "terminates": "violated",
        "stops": "violated",
    },
}

SLOW = {
    "cps/deploy.cd": ["deadlock-free", "port-consistency"],
    "cps/update-2.cd": ["deadlock-free", "port-consistency"],
    "openstack/deploy.cd": ["deadlock-free", "port-consistency"],
    "openstack/update-fixed.cd": ["deadlock-free", "port-consistency"],
    "sparkte/deploy.cd": ["deadlock-free", "port-consistency"],
    "sparkte/update.cd": ["deadlock-free", "port-consistency"],
}


def verdicts(path: Path, tmp_path: Path, *extra: str) -> dict[str, str]:
    out = tmp_path / "summary.json"
    main([str(path), "--quiet", "--json", str(out), *extra])
    data = json.loads(out.read_text())
    return {p["name"]: p["verdict"] for p in data["properties"]}


@pytest.mark.parametrize("model", sorted(FAST))
def test_small_models(model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert verdicts(MODELS / model, tmp_path) == FAST[model]


@pytest.mark.slow
@pytest.mark.parametrize("model", sorted(SLOW))
def test_large_models_within_a_budget(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # each property is its own search, and the reduced ones run at a few
    # thousand states per second: a time budget as well as a state budget
    got = verdicts(MODELS / model, tmp_path, "--max-states", "400000", "--timeout", "60")
    for name in SLOW[model]:
        assert got[name] in ("holds", "unknown"), (name, got[name])
