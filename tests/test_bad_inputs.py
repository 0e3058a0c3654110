"""Every diagnostic of the front end, on a hand-written bad input.

Each file in tests/bad/ is wrong in exactly one way; the test checks the code,
the line and column of the first error, exit code 2, and that no Python
traceback ever reaches the user.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cdcheck.checker.cli import main

BAD = Path(__file__).parent / "bad"

EXPECTED = {
    "E001-bad-character": ("E001", 2, 14),
    "E002-unexpected-token": ("E002", 4, 1),
    "E002-unexpected-eof": ("E002", 2, 14),
    "E002-error-on-line-100": ("E002", 100, 1),
    "E002-fuzz-cps-update-1-line-100": ("E002", 100, 2),
    "E002-fuzz-cps-update-2-line-100": ("E002", 100, 2),
    "E001-fuzz-openstack-deploy-2-line-100": ("E001", 100, 2),
    "E002-fuzz-openstack-update-line-100": ("E002", 100, 1),
    "E003-missing-include": ("E003", 1, 1),
    "E003-include-device": ("E003", 1, 1),
    "E003-include-directory": ("E003", 1, 1),
    "E006-include-cycle": ("E006", 1, 1),
    "E007-number-too-large": ("E007", 4, 33),
    "E010-duplicate-type": ("E010", 8, 6),
    "E011-duplicate-place": ("E011", 2, 16),
    "E012-no-places": ("E012", 1, 6),
    "E013-no-initial": ("E013", 1, 6),
    "E013-initial-twice": ("E013", 4, 11),
    "E014-station-clash": ("E014", 4, 11),
    "E015-unknown-initial": ("E015", 3, 11),
    "E015-unknown-source": ("E015", 4, 21),
    "E015-port-unknown-place": ("E015", 4, 19),
    "E016-duplicate-transition": ("E016", 5, 19),
    "E017-unknown-target": ("E017", 4, 26),
    "E018-unknown-transition-ref": ("E018", 5, 20),
    "E020-duplicate-behavior": ("E020", 5, 12),
    "E021-cyclic-behavior": ("E021", 4, 12),
    "E023-duplicate-port": ("E023", 5, 7),
    "E030-duplicate-node": ("E030", 9, 6),
    "E031-hosted-twice": ("E031", 9, 15),
    "E032-unknown-type": ("E032", 8, 30),
    "E033-conflicting-types": ("E033", 11, 29),
    "E034-unknown-instance": ("E034", 10, 19),
    "E035-unknown-port": ("E035", 11, 16),
    "E036-wrong-port-kind": ("E036", 11, 24),
    "E037-provide-to-use": ("E037", 11, 13),
    "E038-self-connection": ("E038", 10, 17),
    "E039-started-twice": ("E039", 10, 3),
    "E040-start-not-hosted": ("E040", 10, 9),
    "E041-queue-not-started": ("E041", 9, 9),
    "E042-unknown-behavior": ("E042", 10, 22),
    "E043-conflicting-cache": ("E043", 12, 3),
    "E044-ondisconnect-no-dst": ("E044", 12, 9),
    "E045-question-wrong-dst": ("E045", 12, 26),
    "E046-instruction-not-hosted": ("E046", 11, 19),
    "E046-con-neither-end": ("E046", 14, 17),
    "E047-wait-never-pushed": ("E047", 14, 21),
    "E050-duplicate-property": ("E050", 9, 10),
    "E062-goal-unknown-instance": ("E062", 12, 13),
    "E063-goal-unknown-behavior": ("E063", 12, 15),
    "E064-goal-unknown-port": ("E064", 12, 10),
    "E065-goal-unknown-place": ("E065", 12, 16),
    "E066-goal-no-running-place": ("E066", 12, 16),
    "E067-goal-conflict": ("E067", 13, 16),
}


def test_every_bad_file_has_an_expectation() -> None:
    assert {p.stem for p in BAD.glob("*.cd")} == set(EXPECTED)
    assert len({code for code, _, _ in EXPECTED.values()}) >= 30


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_bad_input_is_located(stem: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, line, col = EXPECTED[stem]
    path = str(BAD / f"{stem}.cd")
    status, _, err = run([path], capsys)
    assert status == 2
    first_error = next(ln for ln in err.splitlines() if "error[" in ln)
    assert first_error.startswith(f"{path}:{line}:{col}: error[{code}]"), err
    # the offending line is quoted with a caret under it
    assert "^" in err


SPARK_EXPECTED = {
    # stem: (exit code, the first line of stderr starts with, extra arguments)
    "spark-fuzz-no-rdd-operation": (2, ":1:1: error", []),
    "spark-fuzz-tree-aggregate-slow": (3, "", ["--timeout", "1"]),
}
"""Spark jobs the fuzz suite (tests/fuzz) once failed on, kept as regression cases."""


def test_every_bad_job_has_an_expectation() -> None:
    assert {p.stem for p in BAD.glob("*.py")} == set(SPARK_EXPECTED)


@pytest.mark.parametrize("stem", sorted(SPARK_EXPECTED))
def test_bad_spark_job(stem: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, start, extra = SPARK_EXPECTED[stem]
    path = str(BAD / f"{stem}.py")
    status, _, err = run(["spark", path, *extra], capsys)
    assert status == code, err
    if start:
        assert err.startswith(path + start), err


def test_missing_plan_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run([str(tmp_path / "nope.cd")], capsys)
    assert status == 2 and "E003" in err and "No such file" in err


def test_directory_as_plan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run([str(tmp_path)], capsys)
    assert status == 2 and "E003" in err


def test_huge_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    big = tmp_path / "big.cd"
    big.write_text("# padding\n" * 1_700_000)  # 17 MB, over the 16 MiB limit
    status, _, err = run([str(big)], capsys)
    assert status == 2 and "E004" in err and f"{big}:1:1" in err


def test_fifo_include_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Opening a FIFO with no writer must neither block nor be read."""
    fifo = tmp_path / "pipe.cd"
    os.mkfifo(fifo)
    plan = tmp_path / "plan.cd"
    plan.write_text('include "pipe.cd"\n')
    status, _, err = run([str(plan), "--summary"], capsys)
    assert status == 2 and f"{plan}:1:1: error[E003]" in err and "not a regular file" in err


def test_size_limit_is_a_loader_setting(tmp_path: Path) -> None:
    """A file over the loader's `max_bytes` is refused with E004."""
    from cdcheck.lang.diagnostics import PlanError
    from cdcheck.lang.loader import Loader

    plan = tmp_path / "plan.cd"
    plan.write_text("# x\n" * 100)
    with pytest.raises(PlanError) as info:
        Loader(max_bytes=100).load(str(plan))
    assert info.value.diagnostics[0].code == "E004"


def test_number_at_the_limit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """2^63-1 is a number of the language, 2^63 is not (leading zeros do not count)."""
    body = "type T {{\n  places a, b\n  initial a\n  behavior go {{ t1: a -> b cost {} }}\n}}\n"
    ok = tmp_path / "ok.cd"
    ok.write_text(body.format("000" + str(2**63 - 1)))
    status, _, err = run([str(ok), "--summary"], capsys)
    assert status == 0, err
    bad = tmp_path / "bad.cd"
    bad.write_text(body.format(str(2**63)))
    status, _, err = run([str(bad), "--summary"], capsys)
    assert status == 2 and f"{bad}:4:33: error[E007]" in err


def test_invalid_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "latin1.cd"
    bad.write_bytes(b"type T {\n  places caf\xe9\n}\n")
    status, _, err = run([str(bad)], capsys)
    assert status == 2 and f"{bad}:2:13: error[E005]" in err


def test_nul_byte(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "nul.cd"
    bad.write_bytes(b"type T {\x00}\n")
    status, _, err = run([str(bad)], capsys)
    assert status == 2 and f"{bad}:1:9: error[E005]" in err


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--frobnicate"],
        ["check"],
        ["fmt"],
        ["family"],
        ["family", "cps-update", "many"],
        ["family", "no-such-family", "2"],
        ["family", "cps-update", "0"],
    ],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(args, capsys)
    assert status == 2
    assert err.strip()


def test_all_diagnostics_are_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    plan = tmp_path / "many.cd"
    plan.write_text(
        "type T {\n  places a, b\n  initial c\n  behavior go { t1: a -> d }\n}\n"
        "node n hosts i { start i: U at a }\n"
    )
    status, _, err = run([str(plan)], capsys)
    assert status == 2
    assert "E015" in err and "E017" in err and "E032" in err
    assert "3 error(s)" in err


def test_unsatisfiable_join_is_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Only a warning: the plan may still be worth checking (it shows how the
    behavior hangs), and a start marking both places would satisfy the join."""
    plan = tmp_path / "join.cd"
    plan.write_text(
        "type Provider {\n  places uninstalled, installed, running\n  initial uninstalled\n"
        "  behavior stop {\n    stop1: running -> uninstalled\n"
        "    stop2: installed -> uninstalled\n  }\n}\n"
    )
    status, _, err = run([str(plan), "--summary"], capsys)
    assert status == 0
    assert f"{plan}:4:12: warning[W114]: join at `uninstalled`" in err


def test_warnings_do_not_fail(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    plan = tmp_path / "warn.cd"
    plan.write_text(
        "type T {\n  places a, b\n  initial a\n  behavior go { t1: a -> b }\n}\n"
        "node n hosts i {\n  program { pushB i go as x }\n}\n"
    )
    status, _, err = run([str(plan), "--summary"], capsys)
    assert status == 0
    assert "warning[W111]" in err


def test_text_given_in_memory_is_shown_from_the_loader() -> None:
    """An error in text that exists only in memory still shows its line: the
    PlanError carries the loader's texts instead of re-reading files."""
    from cdcheck.lang.diagnostics import PlanError, render_all
    from cdcheck.lang.loader import Loader

    with pytest.raises(PlanError) as info:
        Loader().load_text("node a hosts x {\n  start x: T at y ?\n}\n", "<generated>")
    assert info.value.sources is not None
    shown = render_all(info.value.diagnostics, info.value.sources)
    assert "<generated>:2:" in shown and "start x: T at y ?" in shown


def test_showing_many_lines_of_a_large_file_is_linear() -> None:
    """Issue 24: every diagnostic's line used to re-split the whole file, so a
    file of repeated blocks (one duplicate-name error per block) took minutes
    to report. 2,000 lines shown from a 2 MB text must take well under a second
    (re-splitting took about 10 ms each, 20 s in all)."""
    import time

    from cdcheck.lang.diagnostics import SourceCache

    cache = SourceCache()
    cache.add("big.cd", "".join(f"line {i} of a big plan\n" for i in range(100_000)))
    start = time.perf_counter()
    for n in range(1, 100_000, 50):
        assert cache.line("big.cd", n) == f"line {n - 1} of a big plan"
    assert time.perf_counter() - start < 2.0
