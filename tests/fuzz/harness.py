"""Running cdcheck on fuzzed inputs and checking what every run must satisfy.

`run_main` calls `cdcheck.checker.cli.main` in-process with stdout and stderr
captured (fast: no interpreter start-up per input); `run_process` runs the
console script in a subprocess with a hard timeout, for inputs that could
hang. `check_outcome` is the property of every front end: an int exit code in
{0, 1, 2, 3}, no Python traceback, on exit 2 for a file input a message
`file:line:col: error[...]`, and an end within the time bound. A failing input
is saved under $TMPDIR/cdcheck-fuzz-failures/, to be kept in `tests/bad/`.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cdcheck.checker.cli import main

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
TIME_BOUND = 20.0
"""Seconds any one fuzzed input may take (in-process or in a subprocess)."""
LOCATED = re.compile(r"^\S.*:\d+:\d+: error\b", re.MULTILINE)


@dataclass(frozen=True)
class Outcome:
    code: object
    out: str
    err: str
    seconds: float


def run_main(argv: Sequence[str]) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: object = main(list(argv))
        except SystemExit as exc:  # main must return, never exit
            code = f"SystemExit({exc.code!r})"
        except BaseException as exc:
            code = f"raised {type(exc).__name__}: {exc}"
    return Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - start)


def run_process(argv: Sequence[str], timeout: float = TIME_BOUND) -> Outcome:
    start = time.perf_counter()
    exe = [
        sys.executable,
        "-c",
        "import sys; from cdcheck.checker.cli import main; sys.exit(main())",
    ]
    try:
        proc = subprocess.run(
            [*exe, *argv], capture_output=True, text=True, timeout=timeout, errors="replace"
        )
    except subprocess.TimeoutExpired:
        return Outcome("timeout", "", "", time.perf_counter() - start)
    return Outcome(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start)


def save_failure(name: str, data: bytes) -> Path:
    folder = Path(tempfile.gettempdir()) / "cdcheck-fuzz-failures"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def check_outcome(
    outcome: Outcome, *, file_input: bool, keep: tuple[str, bytes] | None = None
) -> None:
    problems = []
    if not isinstance(outcome.code, int) or isinstance(outcome.code, bool):
        problems.append(f"exit {outcome.code!r} is not an int")
    elif outcome.code not in (0, 1, 2, 3):
        problems.append(f"exit code {outcome.code}")
    if "Traceback" in outcome.err or "Traceback" in outcome.out:
        problems.append("a traceback reached the user")
    if outcome.code == 2 and file_input and not LOCATED.search(outcome.err):
        problems.append("exit 2 without a file:line:col error")
    if outcome.seconds > TIME_BOUND:
        problems.append(f"took {outcome.seconds:.1f} s > {TIME_BOUND} s")
    if problems:
        where = ""
        if keep is not None:
            where = f" (input saved as {save_failure(*keep)})"
        raise AssertionError("; ".join(problems) + where + "\n" + outcome.err[-2000:])


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return os.fspath(path)
