"""lang/pyspark.py: pipelines, types, diagnostics, and the two meanings of a UDF agreeing."""

from __future__ import annotations

import math

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from cdcheck.checker.spark import same
from cdcheck.lang.diagnostics import PlanError
from cdcheck.lang.pyspark import (
    FLOAT,
    INT,
    STR,
    Engine,
    NoPythonMeaning,
    Site,
    Ty,
    read_job,
    z3_to_python,
)

HEAD = "from pyspark import SparkContext\nsc = SparkContext()\n"


def sites(body: str, engine: Engine = "pyspark") -> list[Site]:
    return [s for s in read_job("job.py", HEAD + body, engine) if s.kind == "aggregation"]


def one(body: str, engine: Engine = "pyspark") -> Site:
    (site,) = sites(body, engine)
    return site


def test_types_from_literals_directives_hints_and_sources() -> None:
    assert one("sc.parallelize([1, 2.5]).reduce(max)\n").elem.ty == FLOAT
    assert one("sc.parallelize(data).sum()  # cdcheck: elem=int\n").elem.ty == INT
    assert one("# cdcheck: elem=str\nsc.parallelize(data).reduce(max)\n").elem.ty == STR
    assert one("sc.textFile('f').reduce(lambda a, b: a + b)\n").elem.ty == STR
    assert one("sc.parallelize(range(9), 3).fold(0, lambda a, b: a + b)\n").elem.ty == INT
    body = "def f(a: float, b: float) -> float:\n    return a + b\nsc.parallelize(d).reduce(f)\n"
    site = one(body)
    assert site.fn("f") is not None and site.fn("f").out_ty == FLOAT  # type: ignore[union-attr]


def test_pipeline_through_variables_map_and_by_key() -> None:
    body = (
        "words = sc.parallelize(['a', 'b', 'a'])\n"
        "pairs = words.map(lambda w: (w, 1))\n"
        "counts = pairs.reduceByKey(lambda x, y: x + y)\n"
        "print(counts.collect())\n"
    )
    all_sites = read_job("job.py", HEAD + body)
    assert [s.op for s in all_sites] == ["map", "reduceByKey", "collect"]
    rbk = all_sites[1]
    assert rbk.elem is not None and rbk.elem.ty == INT and rbk.key == "k"
    assert (rbk.line, rbk.col) == (5, 16)


def test_aggregate_accumulator_widens_to_float() -> None:
    site = one("sc.parallelize([0.5, 1.5]).aggregate(0, lambda a, x: a + x, lambda a, b: a + b)\n")
    assert site.acc is not None and site.acc.ty == FLOAT
    z = site.fn("zero")
    assert z is not None and z.py() == 0.0


def test_combine_by_key_combiner_type_from_create() -> None:
    site = one(
        "sc.parallelize([('a', 1)]).combineByKey(lambda v: (v, 1), "
        "lambda c, v: (c[0] + v, c[1] + 1), lambda a, b: (a[0] + b[0], a[1] + b[1]))\n"
    )
    assert site.acc is not None and site.acc.ty == Ty("tuple", (INT, INT))


def test_def_with_statements_and_if() -> None:
    body = (
        "def pick(a, b):\n"
        "    d = a - b\n"
        "    if d > 0:\n"
        "        return a\n"
        "    return b\n"
        "sc.parallelize([1, 2]).reduce(pick)\n"
    )
    f = one(body).fn("f")
    assert f is not None and not f.opaque
    assert f.py(3, 5) == 5 and f.py(7, 5) == 7


def test_outside_the_subset_is_opaque_and_located() -> None:
    site = one("import math\nsc.parallelize([1.0]).reduce(lambda a, b: math.hypot(a, b))\n")
    f = site.fn("f")
    assert f is not None and f.opaque
    assert site.problem is not None and "job.py:4:" in site.problem


def test_annotated_helper_outside_the_subset_is_an_uninterpreted_call() -> None:
    body = (
        "import math\n"
        "def weight(x: int) -> int:\n"
        "    return int(math.log1p(x))\n"
        "sc.parallelize([1]).aggregate(0, lambda a, x: a + weight(x), lambda a, b: a + b)\n"
    )
    seq = one(body).fn("seqOp")
    assert seq is not None and seq.opaque == ("uf_weight",) and seq.partial
    with pytest.raises(NoPythonMeaning):
        seq.py(0, 1)
    a, x = z3.Ints("a x")
    assert "uf_weight(x)" in str(seq.sym(a, x))


@pytest.mark.parametrize(
    "body,code,line",
    [
        ("x = (\n", "SP001", 3),
        ("sc.parallelize(data).reduce(max)\n", "SP002", 3),
        ("sc.parallelize([1, 2]).reduceByKey(max)\n", "SP004", 3),
        ("sc.parallelize([1, 2]).fold(start, max)\n", "SP005", 3),
        ("sc.parallelize([1, 2]).reduce(lambda a: a)\n", "SP005", 3),
        ("sc.parallelize(['a']).reduce(lambda a, b: a + 1)\n", "SP006", 3),
        ("\n\nsc.parallelize(d).reduce(max)  # cdcheck: elem=complex\n", "SP003", 5),
    ],
)
def test_bad_jobs_are_located_diagnostics(body: str, code: str, line: int) -> None:
    with pytest.raises(PlanError) as info:
        read_job("job.py", HEAD + body)
    codes = {d.code for d in info.value.diagnostics}
    assert code in codes
    first = next(d for d in info.value.diagnostics if d.code == code)
    assert first.span.file == "job.py" and first.span.line == line and first.span.col >= 1


# ----------------------------------------------------------------------------- sym == py

INT_BODIES = [
    "a + b", "a - b", "a * b", "2 * a + 3 * b - 1", "max(a, b)", "min(a, b - 1)", "abs(a - b)",
    "a // b if b != 0 else a", "a % b if b != 0 else b", "-a if a < b else b",
    "a if a >= b and b > 0 else b", "(a + b) * (a - b)", "max(a, b, 0)",
]  # fmt: skip
FLOAT_BODIES = [
    "a + b", "a - b", "a * b", "a / b if b != 0 else a", "max(a, b)", "min(a, b)", "abs(a) + b",
    "a + 1", "a if a > b else b", "0.1 * a + b",
]  # fmt: skip
STR_BODIES = [
    "a + b",
    "b + a",
    "max(a, b)",
    "min(a, b)",
    "a + ',' + b",
    "a if len(a) > len(b) else b",
]

# Z3 strings hold code points up to U+2FFFF; the job's strings are assumed to stay there
ALPHABET = st.characters(max_codepoint=0x2FFFF)
floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, -0.0, 1.0, math.nan, 1e16, 0.1]),
)


def _sym_value(site: Site, args: tuple[object, ...]) -> object:
    f = site.fn("f")
    assert f is not None and site.elem is not None
    result = f.sym(*[site.elem.const(a) for a in args])
    out = z3.Const("out", result.sort())
    solver = z3.Solver()  # simplify alone leaves some string comparisons unevaluated
    solver.add(out == result)
    assert solver.check() == z3.sat
    return z3_to_python(solver.model().eval(out, model_completion=True))


def _check_agree(site: Site, a: object, b: object) -> None:
    f = site.fn("f")
    assert f is not None
    try:
        expected = f.py(a, b)
    except (ZeroDivisionError, OverflowError):
        return
    assert same(_sym_value(site, (a, b)), expected), (f.text, a, b, expected)


@settings(max_examples=60, deadline=None)
@given(
    body=st.sampled_from(INT_BODIES),
    a=st.integers(-(2**70), 2**70),
    b=st.integers(-50, 50),
    engine=st.sampled_from(["pyspark", "scala"]),
)
def test_int_udfs_mean_the_same_in_z3_and_python(body: str, a: int, b: int, engine: Engine) -> None:
    site = one(f"sc.parallelize([1, 2]).reduce(lambda a, b: {body})\n", engine)
    if engine == "scala":
        a = ((a + 2**63) % 2**64) - 2**63
    _check_agree(site, a, b)


@settings(max_examples=60, deadline=None)
@given(body=st.sampled_from(FLOAT_BODIES), a=floats, b=floats)
def test_float_udfs_mean_the_same_in_z3_and_python(body: str, a: float, b: float) -> None:
    _check_agree(one(f"sc.parallelize([1.0]).reduce(lambda a, b: {body})\n"), a, b)


@settings(max_examples=40, deadline=None)
@given(
    body=st.sampled_from(STR_BODIES),
    a=st.text(ALPHABET, max_size=3),
    b=st.text(ALPHABET, max_size=3),
)
def test_str_udfs_mean_the_same_in_z3_and_python(body: str, a: str, b: str) -> None:
    _check_agree(one(f"sc.parallelize(['x']).reduce(lambda a, b: {body})\n"), a, b)


def test_scala_long_wraps_around() -> None:
    site = one("sc.parallelize([1, 2]).reduce(lambda a, b: a * b)\n", "scala")
    f = site.fn("f")
    assert f is not None
    assert f.py(2**62, 4) == 0
    assert _sym_value(site, (2**62, 4)) == 0
    assert site.elem is not None and site.elem.name == "Long"


@pytest.mark.parametrize(
    "body,why",
    [
        ("import random\nsc.parallelize([1]).map(lambda x: x + random.random())\n", "random"),
        ("seen = []\ndef tag(x):\n    seen.append(x)\n    return x\nsc.parallelize([1]).map(tag)\n",
         "mutates `seen`"),
        ("acc = sc.accumulator(0)\nsc.parallelize([1]).map(lambda x: acc.add(x))\n", "`acc`"),
        ("sc.parallelize([1]).filter(lambda x: print(x))\n", "print"),
    ],
)  # fmt: skip
def test_impure_element_functions_are_not_proved(body: str, why: str) -> None:
    (site,) = [s for s in read_job("job.py", HEAD + body) if s.op in ("map", "filter")]
    assert site.kind == "order" and site.problem is not None and why in site.problem


def test_pure_element_functions_with_local_state_are_proved() -> None:
    body = (
        "def ok(x):\n    out = []\n    out.append(x)\n    return x\nsc.parallelize([1]).map(ok)\n"
    )
    (site,) = [s for s in read_job("job.py", HEAD + body) if s.op == "map"]
    assert site.kind == "elementwise"
