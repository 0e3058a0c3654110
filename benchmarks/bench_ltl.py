"""LTL translation benchmark: our automaton sizes against SPIN's never claims.

    python benchmarks/bench_ltl.py                  # the table (no spin needed)
    python benchmarks/bench_ltl.py --spin           # re-run spin -f, rewrite data/spin_sizes.json
    python benchmarks/bench_ltl.py --update-golden  # rewrite the sizes in tests/ltl/corpus.txt

The corpus (tests/ltl/corpus.txt) holds the Dwyer et al. specification patterns
and classic formulas. For each formula the table shows our TGBA (states, edges
as source-target-marks groups with one DNF guard each, acceptance sets), the
state count after degeneralization to a state-based Büchi automaton (what
SPIN's never claim is), SPIN's never-claim states and options, and our
translation time (best of five, from cold caches, parsing excluded). SPIN has
no `X`, `M` or `xor` and misreads `W` in `spin -f` (it takes `p W q` for one
predicate), so `W`, `M` and `xor` are unfolded for SPIN and formulas with `X`
get no SPIN figure.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cdcheck.checker import ltl_ast as A
from cdcheck.checker.buchi import clear_caches, degeneralize, translate
from cdcheck.checker.ltl_parse import parse

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "ltl" / "corpus.txt"
SPIN_DATA = ROOT / "benchmarks" / "data" / "spin_sizes.json"


@dataclass(frozen=True)
class Entry:
    name: str
    formula: str
    states: int
    edges: int
    sets: int


def load_corpus(path: Path = CORPUS) -> list[Entry]:
    entries = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, rest = line.split(" | ", 1)  # the formula may itself contain " | "
        formula, states, edges, sets = (part.strip() for part in rest.rsplit(" | ", 3))
        entries.append(Entry(name, formula, int(states), int(edges), int(sets)))
    return entries


def load_spin(path: Path = SPIN_DATA) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = json.loads(path.read_text())["formulas"]
    return data


# ---------------------------------------------------------------- SPIN


def to_spin(f: A.Formula, names: dict[A.Atom, str]) -> str:
    """Fully parenthesised SPIN LTL; W, M, xor unfolded; X refused (SPIN has none)."""

    def go(g: A.Formula) -> str:
        if isinstance(g, A.TrueF):
            return "true"
        if isinstance(g, A.FalseF):
            return "false"
        if isinstance(g, A.Atom):
            return names.setdefault(g, _spin_name(g, len(names)))
        if isinstance(g, A.Not):
            return f"!({go(g.arg)})"
        if isinstance(g, A.Next):
            raise ValueError("SPIN has no X")
        if isinstance(g, A.Globally):
            return f"[]({go(g.arg)})"
        if isinstance(g, A.Finally):
            return f"<>({go(g.arg)})"
        if isinstance(g, A.WeakUntil):  # a W b = (a U b) || [] a
            return f"(({go(g.left)}) U ({go(g.right)})) || [] ({go(g.left)})"
        if isinstance(g, A.StrongRelease):  # a M b = b U (a && b)
            return f"({go(g.right)}) U (({go(g.left)}) && ({go(g.right)}))"
        if isinstance(g, A.Xor):
            return f"!(({go(g.left)}) <-> ({go(g.right)}))"
        op = {
            A.And: "&&",
            A.Or: "||",
            A.Implies: "->",
            A.Equiv: "<->",
            A.Until: "U",
            A.Release: "V",
        }[type(g)]
        assert isinstance(g, A.And | A.Or | A.Implies | A.Equiv | A.Until | A.Release)
        return f"({go(g.left)}) {op} ({go(g.right)})"

    return go(f)


def _spin_name(atom: A.Atom, k: int) -> str:
    text = str(atom)
    if re.fullmatch(r"[a-z][a-z0-9_]*", text) and text not in ("true", "false"):
        return text
    return f"atom{k}"


def never_claim_size(text: str) -> tuple[int, int]:
    """States (groups of labels) and options (`::` lines) of a never claim."""
    states = edges = 0
    previous_was_label = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("::"):
            edges += 1
            previous_was_label = False
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*:", line):
            if not previous_was_label:
                states += 1
            previous_was_label = True
        else:
            previous_was_label = False
    return states, edges


def run_spin(entries: list[Entry]) -> None:
    spin = shutil.which("spin")
    if spin is None:
        sys.exit("spin is not installed (apt-get install spin)")
    version = subprocess.run([spin, "-V"], capture_output=True, text=True).stdout.strip()
    out: dict[str, dict[str, object]] = {}
    for e in entries:
        f = parse(e.formula)
        record: dict[str, object] = {"formula": e.formula}
        try:
            spin_formula = to_spin(f, {})
        except ValueError as exc:
            record.update(spin_formula=None, states=None, edges=None, note=str(exc))
            out[e.name] = record
            continue
        claim = subprocess.run([spin, "-f", spin_formula], capture_output=True, text=True)
        if claim.returncode != 0 or "never" not in claim.stdout:
            sys.exit(f"spin failed on {spin_formula}: {claim.stdout}{claim.stderr}")
        states, edges = never_claim_size(claim.stdout)
        record.update(spin_formula=spin_formula, states=states, edges=edges)
        out[e.name] = record
    SPIN_DATA.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "generator": "python benchmarks/bench_ltl.py --spin",
        "spin_version": version,
        "counting": "states = groups of labels in the never claim (accept_all counts); "
        "edges = `::` options",
        "formulas": out,
    }
    SPIN_DATA.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"wrote {SPIN_DATA} ({len(out)} formulas, {version})")


# ---------------------------------------------------------------- golden sizes and table


def update_golden(entries: list[Entry]) -> None:
    lines = []
    by_name = {e.name: e for e in entries}
    for line in CORPUS.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            lines.append(line)
            continue
        name = line.split(" | ")[0].strip()
        e = by_name[name]
        aut = translate(parse(e.formula))
        lines.append(
            f"{e.name} | {e.formula} | {aut.num_states} | {aut.num_edges} | {aut.num_sets}"
        )
    CORPUS.write_text("\n".join(lines) + "\n")
    print(f"rewrote {CORPUS}")


def table(entries: list[Entry]) -> None:
    spin = load_spin() if SPIN_DATA.exists() else {}
    header = (
        f"{'name':30} {'formula':52} {'st':>3} {'ed':>3} {'acc':>3} {'BA':>3} "
        f"{'spin st':>7} {'spin ed':>7} {'ms':>7}"
    )
    print(header)
    print("-" * len(header))
    total_ours = total_spin = total_ba = 0
    for e in entries:
        f = parse(e.formula)
        elapsed = float("inf")
        for _ in range(5):  # best of five, each from cold caches
            clear_caches()
            start = time.perf_counter()
            aut = translate(f)
            elapsed = min(elapsed, (time.perf_counter() - start) * 1000)
        ba = degeneralize(aut).num_states
        s = spin.get(e.name, {})
        s_states, s_edges = s.get("states"), s.get("edges")
        if isinstance(s_states, int):
            total_ours += aut.num_states
            total_ba += ba
            total_spin += s_states
        shown = e.formula if len(e.formula) <= 52 else e.formula[:49] + "..."
        print(
            f"{e.name:30} {shown:52} {aut.num_states:>3} {aut.num_edges:>3} "
            f"{aut.num_sets:>3} {ba:>3} {_fmt(s_states):>7} {_fmt(s_edges):>7} {elapsed:>7.2f}"
        )
    print(
        f"\ntotal states over formulas SPIN translates: ours {total_ours} (TGBA), "
        f"{total_ba} (degeneralized), SPIN {total_spin}"
    )


def _fmt(x: object) -> str:
    return "-" if x is None else str(x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spin", action="store_true", help="re-run spin -f, rewrite the data")
    parser.add_argument("--update-golden", action="store_true", help="rewrite corpus sizes")
    args = parser.parse_args()
    entries = load_corpus()
    if args.spin:
        run_spin(entries)
    if args.update_golden:
        update_golden(entries)
    if not args.spin and not args.update_golden:
        table(entries)


if __name__ == "__main__":
    main()
