"""Mutated jobs never crash the reader or the checker: a verdict or a located diagnostic."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdcheck.checker import spark as S
from cdcheck.lang.diagnostics import PlanError
from cdcheck.lang.pyspark import read_job
from cdcheck.spec import rdd

MODELS = Path(__file__).resolve().parents[2] / "models" / "spark"
TEXTS = [p.read_text() for p in sorted(MODELS.glob("*.py"))]
TOKENS = [
    "a", "b", "0", "1.5", "'s'", "(", ")", ",", "+", "-", "*", "/", "//", "%", "max", "min",
    "lambda a, b: ", "x", "[", "]", " if ", " else ", "not ", "True", "None", "len", ":",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        j = min(len(text), i + draw(st.integers(0, 6)))
        text = text[:i] + draw(st.sampled_from(["", *TOKENS])) + text[j:]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated())
def test_mutated_jobs_give_a_verdict_or_a_located_diagnostic(text: str) -> None:
    try:
        sites = read_job("fuzz.py", text)
    except PlanError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert d.span.file == "fuzz.py" and d.span.line >= 1 and d.span.col >= 1
        return
    for site in sites:
        result = S.check_site(site, "pyspark", rdd, timeout_s=2.0)
        assert result.verdict in ("PROVED", "REFUTED", "UNKNOWN")
