"""Fuzzing every front end: no input may crash, hang, or exit outside {0,1,2,3}.

Each test has a small default run (a few seconds) and a slow twin, marked
`slow`, of at least 5,000 inputs (`pytest -m slow tests/fuzz`). Inputs:
mutations of the shipped models and of `cdcheck family` outputs
(`cdcheck MUTANT --summary`), random LTL formula strings (`--ltl`), mutations
of the Spark jobs (`cdcheck spark`), random bytes, and random flag
combinations. Hypothesis' example database is off: a failing input is printed
by Hypothesis and saved by the harness, then kept in tests/bad/.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdcheck.lang.families import generate

from .harness import MODELS, check_outcome, run_main, run_process, write

DEFAULT = 25
SLOW = 5000


def _settings(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


PLANS = sorted(p for p in MODELS.glob("*/*.cd"))
JOBS = sorted(MODELS.glob("spark/*.py"))
FAMILY_TEXTS = [
    (f"{family}-{n}", generate(family, n))
    for family in ("cps-update", "cps-deploy", "openstack-deploy", "mariadb-deploy")
    for n in (1, 2)
]
TOKENS = [
    "type",
    "node",
    "hosts",
    "program",
    "include",
    "behavior",
    "places",
    "initial",
    "running",
    "station",
    "of",
    "use",
    "provide",
    "on",
    "cost",
    "start",
    "at",
    "add",
    "del",
    "con",
    "dcon",
    "pushB",
    "wait",
    "as",
    "property",
    "goal",
    "{",
    "}",
    "(",
    ")",
    ":",
    ",",
    ".",
    "->",
    "=",
    "@",
    "#",
    "//",
    ";",
    "\n",
    " ",
    "x",
    "a",
    "0",
    "1",
    "9" * 30,
    "9" * 5000,
    '"types.cd"',
    'include "/dev/zero"',
    'include "."',
    'include "/dev/null"',
    "\u00e9",
    "\x00",
    "\t",
    "G F done",
    "isActive",
    "isConnected",
]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` after a few line and token mutations (delete, duplicate, swap,
    insert a token, cut a slice, repeat a block)."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["del", "dup", "swap", "insert", "cut", "repeat", "char"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "del" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            lines[i] = line[:k] + " " + draw(st.sampled_from(TOKENS)) + " " + line[k:]
        elif op == "cut":
            j = draw(st.integers(i, min(len(lines), i + 5)))
            del lines[i:j]
            lines = lines or [""]  # a cut of every line leaves one empty line
        elif op == "repeat":
            j = draw(st.integers(i, min(len(lines), i + 12)))
            lines[j:j] = lines[i:j] * draw(st.integers(1, 20))
        else:
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            lines[i] = line[:k] + draw(st.characters()) + line[k + 1 :]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of models/ (so that a mutant's includes resolve), never the repository."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(MODELS, root / "models")
    return root


def _plan_case(workdir: Path, data: Any) -> None:
    source = data.draw(st.sampled_from(PLANS))
    text = data.draw(mutated(source.read_text()))
    target = workdir / "models" / source.parent.name / "MUTANT.cd"
    path = write(target, text.encode("utf-8", "surrogatepass"))
    outcome = run_main([path, "--summary"])
    check_outcome(outcome, file_input=True, keep=(f"{source.stem}-mutant.cd", target.read_bytes()))


def _family_case(workdir: Path, data: Any) -> None:
    name, text = data.draw(st.sampled_from(FAMILY_TEXTS))
    target = workdir / f"{name}-mutant.cd"
    path = write(target, data.draw(mutated(text)).encode("utf-8", "surrogatepass"))
    check_outcome(
        run_main([path, "--summary"]), file_input=True, keep=(target.name, target.read_bytes())
    )


LTL_TOKENS = [
    "G",
    "F",
    "X",
    "U",
    "R",
    "W",
    "M",
    "!",
    "&",
    "|",
    "->",
    "<->",
    "xor",
    "[]",
    "<>",
    "(",
    ")",
    "deadlock",
    "done",
    "true",
    "false",
    "at(listener1, running)",
    "at(",
    ",",
    "active(listener1.ip)",
    "refusing(sensor1.x)",
    "connected(a.b, c.d)",
    "exists(x)",
    "head(sensor1) = idb1",
    "queued(listener1, idb1)",
    "executed(node1, 2)",
    "inbox_empty(node1)",
    "9" * 5000,
    "\u00e9",
    "=",
    ".",
    "x",
    " ",
]


def _ltl_case(workdir: Path, data: Any) -> None:
    formula = "".join(data.draw(st.lists(st.sampled_from(LTL_TOKENS), max_size=12)))
    plan = str(workdir / "models" / "cps" / "update.cd")
    outcome = run_main([plan, "--ltl", formula, "--max-states", "300", "--timeout", "5", "--quiet"])
    check_outcome(outcome, file_input=False)


def _spark_case(workdir: Path, data: Any) -> None:
    source = data.draw(st.sampled_from(JOBS))
    target = workdir / "job_mutant.py"
    path = write(target, data.draw(mutated(source.read_text())).encode("utf-8", "surrogatepass"))
    outcome = run_main(["spark", path, "--timeout", "1"])
    check_outcome(outcome, file_input=True, keep=(f"{source.stem}-mutant.py", target.read_bytes()))


def _bytes_case(workdir: Path, data: Any) -> None:
    blob = data.draw(st.binary(max_size=2000))
    target = workdir / "random.cd"
    path = write(target, blob)
    check_outcome(run_main([path, "--summary"]), file_input=True, keep=("random-bytes.cd", blob))


FLAGS: list[list[str]] = [
    ["--summary"],
    ["--no-por"],
    ["--compare-por"],
    ["--exact-fifo"],
    ["--quiet"],
    ["--fair", "nodes"],
    ["--fair", "steps"],
    ["--fair", "sometimes"],
    ["--property", "terminates"],
    ["--property", "deadlock-free"],
    ["--property", "nope"],
    ["--ltl", "G !deadlock"],
    ["--ltl", "F done"],
    ["--ltl", "G ("],
    ["--max-states", "50"],
    ["--max-states", "-1"],
    ["--max-states", "x"],
    ["--max-depth", "3"],
    ["--timeout", "0"],
    ["--max-memory", "64"],
    ["--engine", "bmc"],
    ["--engine", "nope"],
    ["--depth", "2"],
    ["--explain"],
    ["--invariant-por", "flags"],
    ["--seed", "3"],
]


TINY = """type T {
  places a, b
  initial a
  behavior go { t1: a -> b }
}
node n hosts i {
  start i: T at a
  program { pushB i go as x
  wait i x }
}
"""


def _flags_case(workdir: Path, data: Any) -> None:
    plan = workdir / "tiny.cd"
    if not plan.exists():
        plan.write_text(TINY)
    chosen = data.draw(st.lists(st.sampled_from(FLAGS), max_size=4))
    argv = [str(plan), "--max-states", "200", "--timeout", "3"]
    for flag in chosen:
        argv += flag
    if data.draw(st.booleans()):
        argv = ["run", *argv]
    check_outcome(run_main(argv), file_input=False)


CASES: dict[str, Callable[[Path, Any], None]] = {
    "plans": _plan_case,
    "families": _family_case,
    "ltl": _ltl_case,
    "spark": _spark_case,
    "bytes": _bytes_case,
    "flags": _flags_case,
}


def _make(case: Callable[[Path, Any], None], n: int) -> Callable[[Path], None]:
    @_settings(n)
    @given(data=st.data())
    def run(workdir: Path, data: Any) -> None:
        case(workdir, data)

    return run


@pytest.mark.parametrize("front_end", sorted(CASES))
def test_fuzz_default(workdir: Path, front_end: str) -> None:
    _make(CASES[front_end], DEFAULT)(workdir)


@pytest.mark.slow
@pytest.mark.parametrize("front_end", sorted(CASES))
def test_fuzz_slow(workdir: Path, front_end: str) -> None:
    _make(CASES[front_end], SLOW)(workdir)


@pytest.mark.parametrize(
    "argv",
    [
        ["{dir}/zero.cd", "--summary"],
        ["{dir}/fifo.cd", "--summary"],
        ["spark", "{dir}/fifo.py"],
    ],
)
def test_no_hang_in_a_subprocess(tmp_path: Path, argv: list[str]) -> None:
    """What in-process runs cannot bound: inputs that used to hang (an include
    of /dev/zero, a FIFO with no writer), under a hard timeout."""
    import os

    (tmp_path / "zero.cd").write_text('include "/dev/zero"\n')
    os.mkfifo(tmp_path / "fifo.cd")
    os.mkfifo(tmp_path / "fifo.py")
    outcome = run_process([a.format(dir=tmp_path) for a in argv], timeout=20)
    check_outcome(outcome, file_input=True)
    assert outcome.code == 2
