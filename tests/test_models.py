"""Every shipped model loads and passes `cdcheck`; generated ones match their family.

models/spark/ belongs to the Spark work and is checked by its own tests.
"""

from __future__ import annotations

import glob
import os

import pytest

from cdcheck.checker.cli import main
from cdcheck.lang import ast as A
from cdcheck.lang.families import build, shipped_texts
from cdcheck.lang.loader import Loader

MODELS = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "models"))
OURS = sorted(
    p
    for p in glob.glob(os.path.join(MODELS, "**", "*.cd"), recursive=True)
    if not p.startswith(os.path.join(MODELS, "spark") + os.sep)
)


def test_models_are_found() -> None:
    folders = {os.path.basename(os.path.dirname(p)) for p in OURS}
    assert {"cps", "openstack", "mariadb", "sparkte", "broken"} <= folders


@pytest.mark.parametrize("path", OURS)
def test_model_passes_cdcheck(path: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Parses and passes the static checks (the behavioral verdicts: test_verdicts.py)."""
    assert main([path, "--summary"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("folder", ["cps", "openstack", "mariadb", "sparkte", "broken"])
def test_every_model_folder_has_a_readme(folder: str) -> None:
    readme = os.path.join(MODELS, folder, "README.md")
    assert os.path.isfile(readme)
    with open(readme, encoding="utf-8") as fh:
        assert len(fh.read()) > 200


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


@pytest.mark.parametrize("path", sorted(shipped_texts(MODELS)))
def test_generated_model_is_up_to_date(path: str) -> None:
    """Files saved from a family equal a fresh generation (regenerate with
    `python -c "from cdcheck.lang.families import write_shipped; write_shipped('models')"`).

    models/cps/types.cd is the hand transcription of the Maude example and is
    compared as types, not as text.
    """
    expected = shipped_texts(MODELS)[path]
    if path == os.path.join(MODELS, "cps", "types.cd"):
        assert Loader().load(path).types == build("cps-update", 1).types
    else:
        assert _read(path) == expected


def test_missing_wait_is_the_mariadb_plan_minus_one_wait() -> None:
    correct = Loader().load(os.path.join(MODELS, "mariadb", "deploy.cd"))
    broken = Loader().load(os.path.join(MODELS, "broken", "missing-wait.cd"))
    assert broken.types == correct.types
    assert broken.properties == correct.properties
    differences = []
    for good, bad in zip(correct.nodes, broken.nodes, strict=True):
        assert (good.name, good.hosts, good.connections) == (bad.name, bad.hosts, bad.connections)
        if good.program != bad.program:
            differences.append((good.program, bad.program))
    assert len(differences) == 1
    good_program, bad_program = differences[0]
    missing = [i for i in good_program if i not in bad_program]
    assert len(missing) == 1 and isinstance(missing[0], A.Wait)
    assert [i for i in good_program if i is not missing[0]] == list(bad_program)


def test_sparkte_update_pauses_the_engine_around_the_input_master() -> None:
    """The update plan's point: the engine is paused while in_master is updated."""
    plan = Loader().load(os.path.join(MODELS, "sparkte", "update.cd"))
    pushes = {
        (i.instance.text, i.behavior.text)
        for node in plan.nodes
        for i in node.program
        if isinstance(i, A.PushB)
    }
    assert {("engine", "pause"), ("engine", "resume"), ("in_master", "update")} <= pushes
