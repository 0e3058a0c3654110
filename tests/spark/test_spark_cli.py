"""`cdcheck spark`: output lines, exit codes, JSON and SARIF, bad input, --replay without Spark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdcheck.checker import spark_replay
from cdcheck.checker.cli import main

MODELS = Path(__file__).resolve().parents[2] / "models" / "spark"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_all_proved_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["spark", str(MODELS / "reduce_add.py")], capsys)
    assert code == 0
    assert "reduce_add.py:9 reduce(add) PROVED assoc(f)" in out


def test_refuted_exits_1_with_counterexample(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["spark", str(MODELS / "fold_plus_one.py")], capsys)
    assert code == 1
    line = next(x for x in out.splitlines() if "fold(1, add)" in x)
    assert "REFUTED f(u, zero) = u; values=[] partitions=[[]] distributed=2 sequential=1" in line


def test_unknown_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["spark", str(MODELS / "opaque_helper.py")], capsys)
    assert code == 3
    assert "UNKNOWN" in out and "uninterpreted" in out


def test_scala_engine_changes_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    job = str(MODELS / "reduce_concat.py")
    assert run(["spark", job], capsys)[0] == 0
    code, out, _ = run(["spark", "--engine", "scala", job], capsys)
    assert code == 1 and "REFUTED comm(f)" in out and "orders=[[1, 0]]" in out


def test_json_and_sarif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    j, s = tmp_path / "out.json", tmp_path / "out.sarif"
    job = str(MODELS / "max_nan.py")
    code, _, _ = run(["spark", job, "--json", str(j), "--sarif", str(s)], capsys)
    assert code == 1
    data = json.loads(j.read_text())
    assert data["exit"] == 1
    (res,) = [r for r in data["results"] if r["op"] == "max"]
    assert res["verdict"] == "REFUTED"
    assert "nan" in json.dumps(res["counterexample"]["values"])
    sarif = json.loads(s.read_text())
    assert sarif["version"] == "2.1.0"
    levels = {r["level"] for r in sarif["runs"][0]["results"]}
    assert "error" in levels
    loc = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["region"]["startLine"] >= 1


def test_bad_inputs_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("rdd = sc.parallelize([1, 2]\n")
    code, out, err = run(["spark", str(bad)], capsys)
    assert code == 2 and f"{bad}:1:" in err and "Traceback" not in err + out
    empty = tmp_path / "empty.py"
    empty.write_text("print('no spark here')\n")
    code, _, err = run(["spark", str(empty)], capsys)
    assert code == 2 and "no RDD operation" in err
    code, _, err = run(["spark", str(tmp_path / "missing.py")], capsys)
    assert code == 2 and "cannot read" in err
    code, _, _ = run(["spark", str(MODELS / "reduce_add.py"), "--timeout", "0"], capsys)
    assert code == 2
    code, _, _ = run(["spark", str(MODELS / "reduce_add.py"), "--engine", "flink"], capsys)
    assert code == 2


def test_replay_without_pyspark_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(spark_replay, "pyspark_available", lambda: False)
    code, _, err = run(["spark", str(MODELS / "fold_plus_one.py"), "--replay"], capsys)
    assert code == 2
    assert "pyspark" in err and "cdcheck[spark]" in err


def test_replay_verdict_compares_spark_with_the_prediction() -> None:
    from cdcheck.checker.spark_replay import Replay, SparkRaised

    assert Replay(2, 2, 1, True).agrees
    assert not Replay(1, 2, 1, True).agrees
    assert Replay(float("nan"), float("nan"), 0.0, True).agrees
    assert Replay(SparkRaised("empty"), rdd_failure(), None, True).agrees
    assert not Replay(SparkRaised("boom"), 3, 3, True).agrees


def rdd_failure() -> object:
    from cdcheck.spec.rdd import EMPTY_REDUCE

    return EMPTY_REDUCE
