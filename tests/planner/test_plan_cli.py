"""`cdcheck plan`: bad goals are located diagnostics (exit 2), impossible goals are
explained (exit 1), a synthesized plan is written only when it passes its check."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdcheck.checker import cli
from cdcheck.checker.cli import main

from .helpers import MODELS

CPS = str(MODELS / "cps" / "assembly.cd")
GOALS = str(MODELS / "cps" / "goals-update.yaml")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.parametrize(
    ("text", "code", "where", "words"),
    [
        ("behaviors: [\n  - x\n", "E060", ":2:3:", "not valid YAML"),
        ("behavior:\n  - {component: database, behavior: update}\n", "E061", ":1:1:", "section"),
        ("behaviors:\n  - {component: databse, behavior: update}\n", "E062", ":2:17:", "database"),
        ("behaviors:\n  - {component: database, behavior: updat}\n", "E063", ":2:37:", "update"),
        ("components:\n  - {component: system, status: runing}\n", "E065", ":2:33:", "running"),
        ("ports:\n  - {component: system, port: svc, status: active}\n", "E064", ":2:31:", "port"),
        ("components:\n  - {component: system}\n", "E061", ":2:5:", "status"),
    ],
)
def test_bad_goals_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, code: str, where: str, words: str
) -> None:
    goals = tmp_path / "goals.yaml"
    goals.write_text(text)
    status, _out, err = run(["plan", CPS, "--goals", str(goals)], capsys)
    assert status == 2
    first = next(ln for ln in err.splitlines() if "error[" in ln)
    assert f"error[{code}]" in first and where in first, first
    assert words in err


def test_no_goals_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run(["plan", CPS], capsys)
    assert status == 2 and "no goals" in err


def test_impossible_goals_are_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    goals = tmp_path / "goals.yaml"
    goals.write_text(
        "components:\n  - {component: system, status: initiated}\n  - forall: running\n"
    )
    out_file = tmp_path / "plan.cd"
    status, out, _err = run(["plan", CPS, "--goals", str(goals), "-o", str(out_file)], capsys)
    assert status == 1
    assert "no plan" in out
    assert "`component system: initiated`" in out and "`component listener_0: running`" in out
    assert "goals.yaml:2:5" in out  # where each goal of the core was written
    assert not out_file.exists()


def test_a_plan_failing_its_check_is_not_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The verification step itself: the Ballet-like CPS plan without the system's
    wait never terminates; it must be refused, loudly."""
    text = (MODELS / "ballet" / "cps-update-1.cd").read_text()
    broken = "\n".join(ln for ln in text.splitlines() if "wait database" not in ln)
    target = tmp_path / "ballet" / "plan.cd"
    (tmp_path / "cps").mkdir()
    (tmp_path / "cps" / "types.cd").write_text((MODELS / "cps" / "types.cd").read_text())
    args = cli._build_parser()[1]["plan"][0].parse_args(
        [CPS, "-o", str(target), "--max-states", "20000", "--quiet"]
    )
    status = cli._verify_synthesized(broken, str(target), args)
    _out, err = capsys.readouterr()
    assert status == 1
    assert "FAILS its own check" in err
    assert not target.exists()


def test_cps_plan_is_verified_within_a_small_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deadlock freedom, termination and the goals by one quiet search (717
    states), port consistency on local views and the quiet system: verified
    and written within 30,000 states, where the exact check took 2.1 million."""
    target = tmp_path / "plan.cd"
    status, out, err = run(
        ["plan", CPS, "--goals", GOALS, "-o", str(target), "--max-states", "30000", "--quiet"],
        capsys,
    )
    assert status == 0, out + err
    assert "`deadlock-free`, `terminates`, `goals_reached`: proved on the quiet system" in out
    assert target.exists()
    assert "wait database database_interrupt" in out


@pytest.mark.slow
def test_cps_plan_is_verified_and_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "plan.cd"
    status, out, err = run(["plan", CPS, "--goals", GOALS, "-o", str(target), "--quiet"], capsys)
    assert status == 0, out + err
    assert target.exists()
    for name in ("deadlock-free", "port-consistency", "terminates", "goals_reached"):
        assert any(name in ln and "holds" in ln for ln in out.splitlines())


def test_goal_block_in_the_assembly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (MODELS / "cps" / "assembly.cd").read_text()
    text = text.replace('include "types.cd"', f'include "{MODELS / "cps" / "types.cd"}"')
    text += "\ngoal {\n  behavior database: update\n  component forall: running\n}\n"
    path = tmp_path / "assembly.cd"
    path.write_text(text)
    status, out, err = run(["plan", str(path), "--max-states", "1000", "--quiet"], capsys)
    assert status == 0, out + err  # every property within 1,000 states per search
    assert "wait database database_interrupt" in out
    assert "behavior database: update" in out  # the goals travel with the plan


def test_an_assembly_with_programs_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    goals = tmp_path / "goals.yaml"
    goals.write_text("components:\n  - forall: running\n")
    status, _out, err = run(
        ["plan", str(MODELS / "cps" / "update.cd"), "--goals", str(goals)], capsys
    )
    assert status == 2
    assert "already has a program" in err


def verified_openstack_plan(
    assembly: Path, target: Path, capsys: pytest.CaptureFixture[str]
) -> str:
    """`cdcheck plan` on an OpenStack assembly with the update goals: the
    plan is written and its four properties hold."""
    status, out, err = run(
        [
            "plan",
            str(assembly),
            "--goals",
            str(MODELS / "openstack" / "goals-update.yaml"),
            "-o",
            str(target),
            "--quiet",
        ],
        capsys,
    )
    assert status == 0, out + err
    assert target.exists()
    for name in ("deadlock-free", "port-consistency", "terminates", "goals_reached"):
        assert any(name in ln and "holds" in ln for ln in out.splitlines())
    return out


def test_openstack_plan_is_verified_and_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One site: about 1,200 states for the quiet deadlock search and 2,000
    for port consistency (Ballet's plan for the same goals is violated within
    7,416 product states)."""
    verified_openstack_plan(MODELS / "openstack" / "assembly.cd", tmp_path / "plan.cd", capsys)


@pytest.mark.slow
def test_openstack_plan_with_five_sites_is_verified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Five sites, the issue's largest: the quiet deadlock search proves
    deadlock freedom, termination and the goals, and one flagged search the
    82 conjuncts of port consistency (docs/planner.md; minutes)."""
    from cdcheck.lang.assemblies import openstack_assembly

    assembly = tmp_path / "assembly.cd"
    types = MODELS / "openstack" / "types.cd"
    assembly.write_text(openstack_assembly(5, str(types)), encoding="utf-8")
    out = verified_openstack_plan(assembly, tmp_path / "plan.cd", capsys)
    assert "proved on the quiet system" in out
