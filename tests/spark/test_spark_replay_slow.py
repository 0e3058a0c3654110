"""Refutations replayed on real local Spark (slow; skipped without pyspark and Java).

Each counterexample found by the checker is rebuilt partition for partition on
a local SparkContext, and Spark must compute the predicted wrong result, not
the sequential one. Only counterexamples that need no particular merge order
are used: a local run cannot be forced to complete tasks in a given order.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cdcheck.checker import spark as S
from cdcheck.checker.spark_replay import local_spark, pyspark_available, run_on_spark
from cdcheck.lang.pyspark import read_job_file
from cdcheck.spec import rdd

MODELS = Path(__file__).resolve().parents[2] / "models" / "spark"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not pyspark_available() or shutil.which("java") is None,
        reason="needs pyspark (pip install 'cdcheck[spark]') and Java",
    ),
]


@pytest.fixture(scope="module")
def sc() -> Iterator[Any]:
    with local_spark() as context:
        yield context


@pytest.mark.parametrize(
    "job",
    [
        "fold_plus_one.py",
        "reduce_subtract.py",
        "max_nan.py",
        "aggregate_counts_partitions.py",
        "sum_floats.py",
        "fold_by_key_plus_one.py",
        "map_partitions_sum.py",
    ],
)
def test_spark_computes_the_predicted_wrong_result(sc: Any, job: str) -> None:
    (site,) = [s for s in read_job_file(str(MODELS / job)) if s.kind == "aggregation"]
    result = S.check_site(site, "pyspark", rdd)
    assert result.verdict == "REFUTED" and result.counterexample is not None
    replay = run_on_spark(sc, site, result.counterexample)
    assert replay.forced_order
    assert replay.agrees, (replay.spark, replay.predicted)
    assert not S.same(replay.spark, replay.sequential)
