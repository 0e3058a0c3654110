"""Every job of models/spark gets its expected verdict; refutations replay in spec/rdd.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cdcheck.checker import spark as S
from cdcheck.lang.pyspark import Engine, read_job_file
from cdcheck.spec import rdd

MODELS = Path(__file__).resolve().parents[2] / "models" / "spark"
JOBS = sorted(MODELS.glob("*.py"))
EXPECT = re.compile(r"#\s*expect:\s*(PROVED|REFUTED|UNKNOWN)(?:\s+scala=(PROVED|REFUTED|UNKNOWN))?")


def expectations(path: Path, engine: Engine = "pyspark") -> dict[int, str]:
    """`# expect: V` per line; `# expect: V scala=W` when the Scala engine differs."""
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if m := EXPECT.search(line):
            out[n] = m.group(2) if engine == "scala" and m.group(2) else m.group(1)
    return out


def test_enough_jobs_covering_the_catalog() -> None:
    assert len(JOBS) >= 12
    ops = {s.op for job in JOBS for s in read_job_file(str(job))}
    needed = {
        "reduce", "fold", "aggregate", "treeReduce", "treeAggregate", "reduceByKey", "foldByKey",
        "aggregateByKey", "combineByKey", "groupByKey.mapValues", "sum", "max",
    }  # fmt: skip
    assert needed <= ops
    verdicts = {v for job in JOBS for v in expectations(job).values()}
    assert verdicts == {"PROVED", "REFUTED", "UNKNOWN"}


@pytest.mark.parametrize("engine", ["pyspark", "scala"])
@pytest.mark.parametrize("job", JOBS, ids=lambda p: p.stem)
def test_job_verdicts(job: Path, engine: Engine) -> None:
    expected = expectations(job, engine)
    sites = [s for s in read_job_file(str(job), engine) if s.kind == "aggregation"]
    assert sites, "a job without an aggregation"
    for site in sites:
        assert site.line in expected, f"{job.name}:{site.line} has no `# expect:` comment"
        # bit-vector searches are slow; an unknown stays unknown with a shorter budget
        result = S.check_site(site, engine, rdd, timeout_s=30.0 if engine == "pyspark" else 8.0)
        assert result.verdict == expected[site.line], result.line_text()
        if result.verdict == "REFUTED":
            cx = result.counterexample
            assert cx is not None
            args = S._args(site, rdd, symbolic=False)
            dist, seq = rdd.replay(site.op, cx.partitions, args, engine, cx.schedule)
            assert S.same(dist, cx.distributed) and S.same(seq, cx.sequential)
            assert not S.same(dist, seq)
            line = result.line_text()
            assert f"partitions={S._show(cx.partitions)}" in line
            assert "distributed=" in line and "sequential=" in line


def test_engine_dependent_reduce_of_strings() -> None:
    job = str(MODELS / "reduce_concat.py")
    (site,) = [s for s in read_job_file(job) if s.kind == "aggregation"]
    py = S.check_site(site, "pyspark", rdd)
    assert py.verdict == "PROVED" and any("engine-dependent" in n for n in py.notes)
    (site,) = [s for s in read_job_file(job, "scala") if s.kind == "aggregation"]
    sc = S.check_site(site, "scala", rdd)
    assert sc.verdict == "REFUTED" and sc.law == "comm(f)"
    assert any(
        p != tuple(range(len(p))) for p in (sc.counterexample.schedule if sc.counterexample else ())
    )


def test_float_results_are_flagged() -> None:
    (site,) = [s for s in read_job_file(str(MODELS / "sum_floats.py")) if s.kind == "aggregation"]
    result = S.check_site(site, "pyspark", rdd)
    assert result.verdict == "REFUTED"
    assert any("float" in n for n in result.notes)


def test_sort_by_float_keys_that_may_be_nan_is_not_proved() -> None:
    from cdcheck.lang.pyspark import read_job

    text = "r = sc.parallelize([0.5, 1.0])\nr.sortBy(lambda x: x).collect()\n"
    (site,) = [s for s in read_job("j.py", text) if s.kind == "aggregation"]
    result = S.check_site(site, "pyspark", rdd)
    assert result.verdict == "UNKNOWN" and "NaN" in result.law
