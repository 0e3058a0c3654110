"""Golden automaton sizes for the fixed corpus, and no larger than SPIN's never claims.

The corpus (corpus.txt) has the Dwyer et al. specification patterns and
classic formulas. SPIN's figures were produced once by
`python benchmarks/bench_ltl.py --spin` (spin 6.5.2) and stored in
benchmarks/data/spin_sizes.json, so these tests need no spin.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdcheck.checker.buchi import degeneralize, translate
from cdcheck.checker.ltl_parse import parse

HERE = Path(__file__).resolve().parent
SPIN_DATA = HERE.parents[1] / "benchmarks" / "data" / "spin_sizes.json"


def _corpus() -> list[tuple[str, str, int, int, int]]:
    rows = []
    for line in (HERE / "corpus.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, rest = line.split(" | ", 1)
        formula, states, edges, sets = (x.strip() for x in rest.rsplit(" | ", 3))
        rows.append((name.strip(), formula, int(states), int(edges), int(sets)))
    return rows


CORPUS = _corpus()
SPIN: dict[str, dict[str, object]] = json.loads(SPIN_DATA.read_text())["formulas"]


def test_corpus_is_large_and_covers_the_patterns() -> None:
    assert len(CORPUS) >= 60
    names = {row[0] for row in CORPUS}
    for pattern in ("absence", "existence", "universality", "precedence", "response"):
        for scope in ("global", "before", "after", "between", "after-until"):
            assert f"{pattern}-{scope}" in names
    assert names == set(SPIN), "spin_sizes.json is out of date: run bench_ltl.py --spin"


@pytest.mark.parametrize(("name", "formula", "states", "edges", "sets"), CORPUS)
def test_golden_sizes(name: str, formula: str, states: int, edges: int, sets: int) -> None:
    aut = translate(parse(formula))
    assert (aut.num_states, aut.num_edges, aut.num_sets) == (states, edges, sets)


@pytest.mark.parametrize(("name", "formula"), [(row[0], row[1]) for row in CORPUS])
def test_no_larger_than_spin(name: str, formula: str) -> None:
    record = SPIN[name]
    assert record["formula"] == formula
    spin_states = record["states"]
    if spin_states is None:  # SPIN has no X
        assert "X" in formula
        return
    assert isinstance(spin_states, int)
    aut = translate(parse(formula))
    assert aut.num_states <= spin_states
    assert degeneralize(aut).num_states <= spin_states
