"""`cdcheck fmt`: canonical, idempotent, and it keeps every comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdcheck.checker.cli import main
from cdcheck.lang.parser import comments, parse_source
from cdcheck.lang.printer import format_file

MESSY = """\
# header comment

type T { places a, b  # the places
  initial a
  behavior go { t1: a -> b; t2: b -> a }
     # inside the type
  use u on b ; provide p on a
}
node n hosts i {
  start i: T at a
  program {
    # first
    pushB i go as x # why
  }
}
property p1:   G !deadlock   # a check
"""


def format_text(text: str) -> str:
    return format_file(parse_source(text, "m.cd"), comments(text))


def test_formatting_keeps_every_comment_and_is_idempotent() -> None:
    once = format_text(MESSY)
    for c in comments(MESSY):
        assert c.text in once
    assert len(comments(once)) == len(comments(MESSY))
    assert format_text(once) == once
    assert parse_source(once, "m.cd") == parse_source(MESSY, "m.cd")
    assert once.startswith("# header comment\n\ntype T {")
    assert "    pushB i go as x  # why\n" in once


def test_fmt_check_and_rewrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "p.cd"
    plan.write_text(MESSY)
    assert main(["fmt", "--check", str(plan)]) == 1
    assert plan.read_text() == MESSY
    assert main(["fmt", str(plan)]) == 0
    assert main(["fmt", "--check", str(plan)]) == 0
    assert "reformatted" in capsys.readouterr().err


def test_fmt_bad_file_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "p.cd"
    plan.write_text("type T {\n  places a,\n}\n")
    assert main(["fmt", str(plan)]) == 2
    assert f"{plan}:3:1: error[E002]" in capsys.readouterr().err


def test_shipped_models_are_formatted() -> None:
    root = Path(__file__).parent.parent / "models"
    for path in sorted(root.rglob("*.cd")):
        text = path.read_text()
        assert format_text(text) == text, f"{path} is not in canonical form (cdcheck fmt)"
