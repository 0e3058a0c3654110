"""Differential test against Maude itself (opt-in, slow).

Needs the Python binding (`pip install maude`) and a checkout of the
formalization (github.com/Concerto-D/concertod-maude, files 1-12), named by
the environment variable CDCHECK_MAUDE_DIR. Nothing of Maude's is in this
repository: the test exports each plan with `spec.export_maude` and counts
Maude's `search [, k] globalsystem =>* S:System` solutions.

    CDCHECK_MAUDE_DIR=/path/to/concertod-maude pytest -m slow tests/spec/test_spec_maude.py
"""

from __future__ import annotations

import itertools
import os
import tempfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from spec_helpers import CPS1, bfs_levels, system_of_file
from strategies import plans

from cdcheck.lang import ast as A
from cdcheck.spec.export_maude import export_maude
from cdcheck.spec.model import compile_plan
from cdcheck.spec.system import ConcertoSystem

MAUDE_DIR = os.environ.get("CDCHECK_MAUDE_DIR", "")
FILES = [
    "1_Basic-sorts", "2_Views", "3_Basic-types", "4_Component-type", "5_Program",
    "6_Component-instance", "7_Configuration", "8_System",
    "9_Operational-semantics-functions", "10_Collect-messages",
    "11_Communication-functions", "12_Operational-semantics-Concerto-D",
]  # fmt: skip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not MAUDE_DIR or not os.path.isdir(MAUDE_DIR), reason="CDCHECK_MAUDE_DIR not set"
    ),
]

_counter = itertools.count()


@pytest.fixture(scope="module")
def maude() -> Any:
    mod = pytest.importorskip("maude")
    mod.init(advise=False)
    for f in FILES:
        mod.load(os.path.join(MAUDE_DIR, f + ".maude"))
    return mod


def maude_count(maude: Any, m: Any, depth: int) -> int:
    name = f"CDCHECK-T{next(_counter)}"
    with tempfile.NamedTemporaryFile("w", suffix=".maude", delete=False) as fh:
        fh.write(export_maude(m, name))
    maude.load(fh.name)
    os.unlink(fh.name)
    mod = maude.getModule(name + "-EXAMPLE")
    term = mod.parseTerm("globalsystem")
    pattern = mod.parseTerm("S:System")
    return sum(1 for _ in term.search(maude.ANY_STEPS, pattern, depth=depth))


def test_cps_full_search(maude: Any) -> None:
    sysm = system_of_file(CPS1)
    assert maude_count(maude, sysm.model, -1) == 11_145


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(plans())
def test_generated_plans_level_counts(maude: Any, plan: A.Plan) -> None:
    sysm = ConcertoSystem(compile_plan(plan))
    levels = bfs_levels(sysm, 12)
    depth = max(k for k, n in enumerate(levels) if n <= 3000)
    assert maude_count(maude, sysm.model, depth) == levels[depth]
