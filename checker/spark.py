"""Spark skeletons: is a job's distributed result its sequential one?

Per call site of an aggregation, the obligations of the chosen engine (the
algebraic laws of ../shared/reference/SPARK-OBLIGATIONS.md, a sufficient
condition for "distributed = sequential" on every partitioning and every
merge order) are proved with Z3 as ground negations: `unsat` proves the law
for all values, hence for every partitioning. A law that fails is not yet a
bug (laws need only hold on reachable values), so the checker then searches
the real semantics symbolically: for every input size up to a bound, every
cut into partitions and every merge/fetch order, the distributed result of
the semantics (run on Z3 terms) is compared with the sequential one, and a
model is a concrete counterexample, replayed on Python values before it is
reported. Otherwise the verdict is unknown and says why.

This module is generic: a call site, its user functions and their value
domains are structural protocols, and the RDD semantics is passed in (the
command line passes `cdcheck.spec.rdd`). It imports neither the front end nor
the semantics.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import z3

Engine = Literal["pyspark", "scala"]
Verdict = Literal["PROVED", "REFUTED", "UNKNOWN"]
ENGINES: tuple[Engine, Engine] = ("pyspark", "scala")

# ----------------------------------------------------------------------------- protocols


class Domain(Protocol):
    """A value type: fresh symbolic values, equality as Z3 formula, model read-back."""

    @property
    def name(self) -> str: ...

    def fresh(self, prefix: str) -> Any: ...

    def equal(self, a: Any, b: Any) -> z3.BoolRef: ...

    def value(self, model: z3.ModelRef, term: Any) -> Any: ...


class Fn(Protocol):
    """A user function with a Z3 meaning (`sym`) and a Python meaning (`py`)."""

    @property
    def text(self) -> str: ...

    @property
    def opaque(self) -> tuple[str, ...]: ...

    @property
    def symmetric_via(self) -> Sequence[Fn] | None: ...

    @property
    def out(self) -> Domain: ...

    @property
    def side_conditions(self) -> list[z3.BoolRef]:
        """What `sym` has assumed so far (divisors are not zero), oldest first."""
        ...

    def sym(self, *args: Any) -> Any: ...

    def py(self, *args: Any) -> Any: ...


class Site(Protocol):
    """One call of a catalog operation, as the front end read it."""

    @property
    def file(self) -> str: ...

    @property
    def line(self) -> int: ...

    @property
    def col(self) -> int: ...

    @property
    def op(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def elem(self) -> Domain | None: ...

    @property
    def acc(self) -> Domain | None: ...

    @property
    def key(self) -> Any: ...

    @property
    def problem(self) -> str | None: ...

    @property
    def depth(self) -> int: ...

    def fn(self, name: str) -> Fn | None: ...


class Chooser(Protocol):
    def permutation(self, n: int, why: str) -> tuple[int, ...]: ...


class Semantics(Protocol):
    """The executable RDD semantics (`cdcheck.spec.rdd` satisfies it)."""

    def distributed(self, op: str, parts: Any, args: Any, engine: Engine, chooser: Any) -> Any: ...

    def sequential(self, op: str, xs: Sequence[Any], args: Any) -> Any: ...

    def all_schedules(
        self, run: Callable[[Any], Any], limit: int | None = None
    ) -> Iterator[tuple[tuple[tuple[int, ...], ...], Any]]: ...

    def replay(
        self, op: str, parts: Any, args: Any, engine: Engine, schedule: Sequence[tuple[int, ...]]
    ) -> tuple[Any, Any]: ...

    def all_layouts(self, n: int, max_parts: int) -> Iterator[tuple[int, ...]]: ...

    def make_args(self, **fields: Any) -> Any: ...


# ----------------------------------------------------------------------------- laws


@dataclass(frozen=True)
class Law:
    """A named algebraic law; `negation()` builds "some values break it" for Z3.

    `negation` is None for an obligation that no finite formula states (for
    instance "g gives the same result for every order of its group"): it can
    only be refuted by the bounded search, never proved.
    """

    name: str
    negation: Callable[[], tuple[z3.BoolRef, tuple[Any, ...]]] | None
    fns: tuple[str, ...]
    witness_domain: Domain | None = None  # set when the law's variables are elements


@dataclass(frozen=True)
class LawResult:
    """How a law fared; `witness` holds the breaking element values when there are some."""

    law: str
    status: Literal["proved", "failed", "unknown", "unprovable"]
    detail: str = ""
    seconds: float = 0.0
    witness: tuple[Any, ...] = ()


def _fresh(d: Domain, *names: str) -> list[Any]:
    return [d.fresh(n) for n in names]


def assoc(name: str, f: Fn, d: Domain, elements: bool = True) -> Law:
    def neg() -> z3.BoolRef:
        a, b, c = _fresh(d, "a", "b", "c")
        return z3.Not(d.equal(f.sym(f.sym(a, b), c), f.sym(a, f.sym(b, c)))), (a, b, c)

    return Law(f"assoc({name})", neg, (name,), d if elements else None)


def comm(name: str, f: Fn, d: Domain, elements: bool = True) -> Law:
    def neg() -> z3.BoolRef:
        a, b = _fresh(d, "a", "b")
        return z3.Not(d.equal(f.sym(a, b), f.sym(b, a))), (a, b)

    return Law(f"comm({name})", neg, (name,), d if elements else None)


def right_identity(name: str, f: Fn, zero: Fn, d: Domain, elements: bool = True) -> Law:
    def neg() -> z3.BoolRef:
        (u,) = _fresh(d, "u")
        return z3.Not(d.equal(f.sym(u, zero.sym()), u)), (u,)

    return Law(f"{name}(u, zero) = u", neg, (name, "zero"), d if elements else None)


def left_identity(name: str, f: Fn, zero: Fn, d: Domain, elements: bool = True) -> Law:
    def neg() -> z3.BoolRef:
        (u,) = _fresh(d, "u")
        return z3.Not(d.equal(f.sym(zero.sym(), u), u)), (u,)

    return Law(f"{name}(zero, u) = u", neg, (name, "zero"), d if elements else None)


def homomorphic(seq: Fn, comb: Fn, acc: Domain, elem: Domain, seq_name: str, comb_name: str) -> Law:
    """C1: seqOp(combOp(u, v), x) = combOp(u, seqOp(v, x))."""

    def neg() -> z3.BoolRef:
        u, v = _fresh(acc, "u", "v")
        (x,) = _fresh(elem, "x")
        return z3.Not(acc.equal(seq.sym(comb.sym(u, v), x), comb.sym(u, seq.sym(v, x)))), (u, v, x)

    return Law(
        f"{seq_name}({comb_name}(u, v), x) = {comb_name}(u, {seq_name}(v, x))",
        neg,
        (seq_name, comb_name),
    )


def seq_via_comb(seq: Fn, comb: Fn, zero: Fn, acc: Domain, elem: Domain) -> Law:
    """B: seqOp(u, x) = combOp(u, seqOp(zero, x))."""

    def neg() -> z3.BoolRef:
        (u,) = _fresh(acc, "u")
        (x,) = _fresh(elem, "x")
        return z3.Not(acc.equal(seq.sym(u, x), comb.sym(u, seq.sym(zero.sym(), x)))), (u, x)

    return Law("seqOp(u, x) = combOp(u, seqOp(zero, x))", neg, ("seqOp", "combOp", "zero"))


def merge_via_create(mv: Fn, mc: Fn, create: Fn, acc: Domain, elem: Domain) -> Law:
    def neg() -> z3.BoolRef:
        (c,) = _fresh(acc, "c")
        (v,) = _fresh(elem, "v")
        return z3.Not(acc.equal(mv.sym(c, v), mc.sym(c, create.sym(v)))), (c, v)

    return Law(
        "mergeValue(c, v) = mergeCombiners(c, createCombiner(v))",
        neg,
        ("mergeValue", "mergeCombiners", "createCombiner"),
    )


def right_commutative(name: str, h: Fn, d: Domain) -> Law:
    """h(h(w, x), y) = h(h(w, y), x): a fold with h ignores the order of its list."""

    def neg() -> z3.BoolRef:
        w, x, y = _fresh(d, "w", "x", "y")
        return z3.Not(d.equal(h.sym(h.sym(w, x), y), h.sym(h.sym(w, y), x))), (w, x, y)

    return Law(f"right-comm({name})", neg, ("g",), d)


def injective(k: Fn, d: Domain) -> Law:
    """k(a) = k(b) -> a = b: otherwise two tied elements may arrive in either order."""

    def neg() -> tuple[z3.BoolRef, tuple[Any, ...]]:
        a, b = _fresh(d, "a", "b")
        return z3.And(z3.Not(d.equal(a, b)), k.out.equal(k.sym(a), k.sym(b))), (a, b)

    return Law("injective(keyfunc)", neg, ("keyfunc",), d)


def never_nan(k: Fn, d: Domain) -> Law:
    """No key is (or contains) NaN: with NaN, `<` is not a total order and the result
    of a sort depends on the order its input arrives in."""

    def neg() -> tuple[z3.BoolRef, tuple[Any, ...]]:
        (a,) = _fresh(d, "a")
        nans = [z3.fpIsNaN(t) for t in _leaves(k.sym(a)) if isinstance(t.sort(), z3.FPSortRef)]
        return (z3.Or(*nans) if nans else z3.BoolVal(False)), (a,)

    return Law("keyfunc(a) is never NaN", neg, ("keyfunc",), d)


def _trivial() -> tuple[z3.BoolRef, tuple[Any, ...]]:
    return z3.BoolVal(False), ()


def laws_for(site: Site, engine: Engine) -> list[Law]:
    """The catalog's sufficient conditions for `site.op` under `engine`."""
    op, elem, acc = site.op, site.elem, site.acc
    assert elem is not None and acc is not None
    scala = engine == "scala"

    def fn(name: str) -> Fn:
        f = site.fn(name)
        if f is None:
            raise ValueError(f"{op}: missing `{name}`")
        return f

    if op in ("reduce", "max", "min"):
        f = fn("f")
        return [assoc("f", f, elem)] + ([comm("f", f, elem)] if scala else [])
    if op in ("treeReduce", "reduceByKey"):  # i % k regrouping / fetch order: both engines
        f = fn("f")
        return [assoc("f", f, elem), comm("f", f, elem)]
    if op in ("fold", "sum"):
        f, z = fn("f"), fn("zero")
        laws = [assoc("f", f, elem), right_identity("f", f, z, elem)]
        return laws + ([comm("f", f, elem)] if scala else [])
    if op == "foldByKey":  # the zero is used once per (key, map partition)
        f, z = fn("f"), fn("zero")
        return [assoc("f", f, elem), comm("f", f, elem), left_identity("f", f, z, elem)]
    if op in ("aggregate", "treeAggregate"):
        s, c, z = fn("seqOp"), fn("combOp"), fn("zero")
        laws = [
            right_identity("combOp", c, z, acc),
            homomorphic(s, c, acc, elem, "seqOp", "combOp"),
        ]
        if op == "treeAggregate" or scala:
            laws += [assoc("combOp", c, acc), comm("combOp", c, acc)]
        if scala:
            laws.append(left_identity("combOp", c, z, acc))
        return laws
    if op == "aggregateByKey":
        s, c, z = fn("seqOp"), fn("combOp"), fn("zero")
        return [
            seq_via_comb(s, c, z, acc, elem),
            homomorphic(s, c, acc, elem, "seqOp", "combOp"),
            assoc("combOp", c, acc, False),
            comm("combOp", c, acc, False),
        ]
    if op == "combineByKey":
        cr, mv, mc = fn("createCombiner"), fn("mergeValue"), fn("mergeCombiners")
        return [
            assoc("mergeCombiners", mc, acc, False),
            comm("mergeCombiners", mc, acc, False),
            merge_via_create(mv, mc, cr, acc, elem),
            homomorphic(mv, mc, acc, elem, "mergeValue", "mergeCombiners"),
        ]
    if op == "sortBy":
        return [injective(fn("keyfunc"), elem), never_nan(fn("keyfunc"), elem)]
    if op == "mapPartitions":  # a ++-homomorphism: no finite law, only the search decides
        return [Law("g(xs ++ ys) = g(xs) ++ g(ys)", None, ("g",))]
    if op == "groupByKey.mapValues":
        g = fn("g")
        parts = g.symmetric_via
        if parts is None:
            return [Law("g ignores the order of its group", None, ("g",))]
        if not parts:
            return [Law("g uses its group only through len()", _trivial, ("g",))]
        # sum(vs) folds from 0, but max(vs)/min(vs) start from the group's first value:
        # right-commutativity permutes the rest, commutativity the first (max(0.0, -0.0))
        return [law for h in parts for law in (right_commutative(h.text, h, elem),
                                               comm(h.text, h, elem))]  # fmt: skip
    raise ValueError(f"no obligations for `{op}`")


def prove(law: Law, timeout_s: float) -> LawResult:
    """Negated law unsat: proved for every value. Sat: a witness (not yet a bug).

    Linear integer and string laws are decided by Z3 in milliseconds, so Z3
    gets a short first try. Otherwise (and first, for floats) up to 1500
    small, typical values (0, 1, -1, 0.1, NaN, -0.0, "a", ...) are substituted
    into the negation: a float law is often broken by them at once, whereas
    bit-blasting IEEE arithmetic to find a witness can take from a fraction of
    a second to minutes. A hit is a real witness (Z3 evaluates the formula
    exactly), and a readable one; then Z3 runs with the rest of the time.
    """
    if law.negation is None:
        return LawResult(law.name, "unprovable")
    start = time.perf_counter()
    formula, variables = law.negation()
    leaves = _leaves(variables)
    floats = any(isinstance(v.sort(), z3.FPSortRef) for v in leaves)
    answer, model = (z3.unknown, None) if floats else _solve([formula], min(timeout_s, QUICK_S))
    if answer == z3.unknown:
        hit = _probe(formula, leaves)
        extra = [v == c for v, c in hit] if hit is not None else []
        remaining = max(0.001, timeout_s - (time.perf_counter() - start))
        answer, model = _solve([formula, *extra], remaining)
        if answer == z3.unsat and extra:  # cannot happen for a true hit; stay sound anyway
            answer, model = _solve([formula], remaining)
    took = time.perf_counter() - start
    if answer == z3.unsat:
        return LawResult(law.name, "proved", seconds=took)
    if answer == z3.sat and model is not None:
        d = law.witness_domain
        witness = tuple(d.value(model, v) for v in variables) if d is not None else ()
        return LawResult(law.name, "failed", str(model), took, witness)
    return LawResult(law.name, "unknown", "timeout", took)


QUICK_S = 0.1  # what linear laws need; longer means bit-blasting, where samples help


def _solve(
    formulas: Sequence[z3.BoolRef], timeout_s: float
) -> tuple[z3.CheckSatResult, z3.ModelRef | None]:
    solver = z3.Solver()
    solver.set("timeout", max(1, int(timeout_s * 1000)))
    solver.add(*formulas)
    answer = solver.check()
    return answer, solver.model() if answer == z3.sat else None


def _leaves(v: Any) -> list[z3.ExprRef]:
    if isinstance(v, tuple | list):
        return [x for item in v for x in _leaves(item)]
    return [v] if isinstance(v, z3.ExprRef) else []


def _samples(sort: z3.SortRef) -> list[z3.ExprRef]:
    if sort == z3.IntSort():
        return [z3.IntVal(i) for i in (0, 1, -1, 2, 3)]
    if isinstance(sort, z3.BitVecSortRef):
        return [z3.BitVecVal(i, sort.size()) for i in (0, 1, -1, 2, 3)]
    if isinstance(sort, z3.FPSortRef):
        values = (0.0, 1.0, 0.1, 0.2, 0.3, -1.0, 1e16, -1e16, -0.0, math.nan, math.inf)
        return [z3.FPVal(x, sort) for x in values]
    if sort == z3.StringSort():
        return [z3.StringVal(x) for x in ("", "a", "b", "ab")]
    if sort == z3.BoolSort():
        return [z3.BoolVal(False), z3.BoolVal(True)]
    return []


def _probe(
    formula: z3.BoolRef, leaves: Sequence[z3.ExprRef], limit: int = 1500, seconds: float = 0.5
) -> list[tuple[z3.ExprRef, z3.ExprRef]] | None:
    """Small values that make the negated law true, if a short enumeration finds some."""
    pools = [_samples(v.sort()) for v in leaves]
    if not leaves or any(not p for p in pools):
        return None
    stop = time.perf_counter() + seconds
    total = math.prod(len(p) for p in pools)
    if total <= limit:
        combos: Iterator[tuple[z3.ExprRef, ...]] = itertools.product(*pools)
    else:  # a fixed pseudo-random sample, so that every position sees every sample value
        rng = random.Random(0)
        combos = (tuple(rng.choice(p) for p in pools) for _ in range(limit))
    for count, combo in enumerate(combos):
        if count >= limit or time.perf_counter() > stop:
            return None
        pairs = list(zip(leaves, combo, strict=True))
        if z3.is_true(z3.simplify(z3.substitute(formula, *pairs))):
            return pairs
    return None


# ----------------------------------------------------------------------------- search


@dataclass(frozen=True)
class Bound:
    """How far the symbolic search over the semantics goes."""

    elements: int = 4
    partitions: int = 4
    tree_partitions: int = 5  # PySpark regroups a tree only from 5 partitions on (depth 2)
    schedules_per_layout: int = 720


@dataclass(frozen=True)
class Counterexample:
    """A concrete input on which the distributed result differs from the sequential one."""

    values: tuple[Any, ...]
    partitions: tuple[tuple[Any, ...], ...]
    schedule: tuple[tuple[int, ...], ...]
    distributed: Any
    sequential: Any


def same(a: Any, b: Any) -> bool:
    """Equality of results as `repr` would show them: NaN is NaN, 0.0 is not -0.0."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b) and not (isinstance(a, int) and isinstance(b, int)):
        return False
    return bool(a == b)


def _sym_same(d: Domain, a: Any, b: Any) -> z3.BoolRef:
    """The Z3 formula "results a and b are the same" (Failure values compare in Python)."""
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        if not (isinstance(a, Mapping) and isinstance(b, Mapping)) or a.keys() != b.keys():
            return z3.BoolVal(False)
        return z3.And(*[_sym_same(d, a[k], b[k]) for k in a]) if a else z3.BoolVal(True)
    a_plain = not isinstance(a, z3.ExprRef | tuple | list)
    b_plain = not isinstance(b, z3.ExprRef | tuple | list)
    if a_plain or b_plain:
        if a_plain and b_plain:
            return z3.BoolVal(bool(a == b))
        return z3.BoolVal(False)
    return d.equal(a, b)


def _result_domain(site: Site) -> Domain:
    if site.op in ("reduce", "max", "min", "treeReduce", "reduceByKey", "sum", "fold", "foldByKey"):
        assert site.elem is not None
        return site.elem
    if site.op == "sortBy":
        assert site.elem is not None
        return site.elem
    if site.op in ("groupByKey.mapValues", "mapPartitions"):
        g = site.fn("g")
        assert g is not None
        return g.out
    assert site.acc is not None
    return site.acc


_ARG_FIELDS = {
    "f": "f",
    "zero": "zero",
    "seqOp": "seq_op",
    "combOp": "comb_op",
    "createCombiner": "create",
    "mergeValue": "merge_value",
    "mergeCombiners": "merge_combiners",
    "g": "g",
    "keyfunc": "keyfunc",
}
CONCRETE_ONLY = ("sortBy",)  # semantics that compare values in Python: no symbolic search


def _args(site: Site, sem: Semantics, symbolic: bool) -> Any:
    fields: dict[str, Any] = {"depth": site.depth}
    for name, attr in _ARG_FIELDS.items():
        f = site.fn(name)
        if f is None:
            continue
        if name == "zero":
            fields[attr] = f.sym() if symbolic else f.py()
        elif name == "g":
            g = f
            fields[attr] = (lambda vs, g=g: g.sym(list(vs))) if symbolic else (
                lambda vs, g=g: g.py(list(vs)))  # fmt: skip
        else:
            fields[attr] = _memo(f.sym) if symbolic else f.py
    return sem.make_args(**fields)


def _memo(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Cache a symbolic function by the identity of its Z3 arguments.

    The search re-runs the semantics once per schedule, and every run folds
    the same partitions again: with the cache only new merges build terms.
    The arguments are kept alive with the result so that their ids stay valid.
    """
    cache: dict[Any, tuple[Any, tuple[Any, ...]]] = {}

    def wrapped(*args: Any) -> Any:
        key = tuple(_term_key(a) for a in args)
        hit = cache.get(key)
        if hit is None:
            hit = (fn(*args), args)
            cache[key] = hit
        return hit[0]

    return wrapped


def _term_key(v: Any) -> Any:
    if isinstance(v, z3.ExprRef):
        return ("z", v.get_id())
    if isinstance(v, tuple | list):
        return (type(v).__name__, *[_term_key(x) for x in v])
    return ("p", type(v).__name__, repr(v))


def _keyed(op: str) -> bool:
    return op.endswith("ByKey") or op == "groupByKey.mapValues"


def _cut(xs: Sequence[Any], sizes: Sequence[int]) -> tuple[tuple[Any, ...], ...]:
    out, start = [], 0
    for s in sizes:
        out.append(tuple(xs[start : start + s]))
        start += s
    return tuple(out)


def search(
    site: Site, engine: Engine, sem: Semantics, bound: Bound, deadline: float
) -> tuple[Counterexample | None, str]:
    """Smallest input (by size, then partitions) where distributed != sequential.

    One Z3 query per input size and number of partitions: the disjunction,
    over every cut and every schedule of the semantics run on symbolic values,
    of "results differ". Returns the counterexample (replayed on Python values)
    or None and why.
    """
    assert site.elem is not None
    elem = site.elem
    result_dom = _result_domain(site)
    args = _args(site, sem, symbolic=True)
    max_parts = _max_parts(site, bound)
    start_n = 1 if site.op in ("reduce", "max", "min", "treeReduce") else 0
    fns = [f for f in (site.fn(name) for name in _ARG_FIELDS) if f is not None]
    for n in range(start_n, bound.elements + 1):
        marks = [len(f.side_conditions) for f in fns]
        syms = [elem.fresh(f"x{i}") for i in range(n)]
        xs = [(site.key, v) for v in syms] if _keyed(site.op) else syms
        seq = sem.sequential(site.op, xs, args)
        for k in range(1, max_parts + 1):
            if time.monotonic() > deadline:
                return None, f"search stopped by the timeout at {n} elements, {k} partitions"
            cases: dict[int, tuple[z3.BoolRef, tuple[int, ...], tuple[tuple[int, ...], ...]]] = {}
            for sizes in sem.all_layouts(n, k):
                if len(sizes) != k:
                    continue
                parts = _cut(xs, sizes)

                def run(ch: Any, parts: Any = parts) -> Any:
                    return sem.distributed(site.op, parts, args, engine, ch)

                for schedule, dist in sem.all_schedules(run, bound.schedules_per_layout):
                    differs = z3.simplify(z3.Not(_sym_same(result_dom, dist, seq)))
                    if z3.is_false(differs):
                        continue
                    cases.setdefault(differs.get_id(), (differs, sizes, schedule))
            if not cases:
                continue
            solver = z3.Solver()
            remaining = deadline - time.monotonic()
            solver.set("timeout", max(1, int(remaining * 1000)))
            solver.add(z3.Or(*[c for c, _, _ in cases.values()]))
            # inputs on which Python raises (x / 0) are not counterexamples of equality
            solver.add(*[c for f, m in zip(fns, marks, strict=True) for c in f.side_conditions[m:]])
            answer = solver.check()
            if answer == z3.unknown:
                return None, f"search timed out at {n} elements, {k} partitions"
            if answer == z3.unsat:
                continue
            model = solver.model()
            values = [elem.value(model, v) for v in syms]
            for differs, sizes, schedule in cases.values():
                if z3.is_true(model.eval(differs, model_completion=True)):
                    concrete = [(site.key, v) for v in values] if _keyed(site.op) else values
                    try:
                        cx = confirm(site, engine, sem, _cut(concrete, sizes), schedule)
                    except (ArithmeticError, ValueError, TypeError):
                        continue  # Python raises where Z3 has a value (x / 0): not a witness
                    if cx is not None:
                        return cx, ""
            return None, "a symbolic counterexample did not replay on Python values"
    return None, f"no counterexample with <= {bound.elements} elements, <= {max_parts} partitions"


def _max_parts(site: Site, bound: Bound) -> int:
    return bound.tree_partitions if site.op.startswith("tree") else bound.partitions


def from_witnesses(
    site: Site,
    engine: Engine,
    sem: Semantics,
    proofs: Sequence[LawResult],
    bound: Bound,
    deadline: float,
) -> Counterexample | None:
    """Try the elements that broke a law as input, on every cut and schedule.

    The catalog's observation: an associativity witness (a, b, c) is usually
    a partitioning counterexample [[a], [b, c]], a commutativity witness (a, b)
    one of [[a], [b]] merged in the other order. This runs on Python values
    only, so it is cheap; the symbolic search covers what it misses.
    """
    py_args = _args(site, sem, symbolic=False)
    best: Counterexample | None = None
    max_parts = _max_parts(site, bound)
    for proof in proofs:
        if not proof.witness:
            continue
        for length in range(0, len(proof.witness) + 1):
            values = list(proof.witness[:length])
            xs = [(site.key, v) for v in values] if _keyed(site.op) else values
            for sizes in sem.all_layouts(len(xs), max_parts):
                if time.monotonic() > deadline:
                    return best
                parts = _cut(xs, sizes)

                def run(ch: Any, parts: Any = parts) -> Any:
                    return sem.distributed(site.op, parts, py_args, engine, ch)

                try:
                    seq = sem.sequential(site.op, xs, py_args)
                    for schedule, dist in sem.all_schedules(run, bound.schedules_per_layout):
                        if not same(dist, seq):
                            cx = Counterexample(tuple(xs), parts, schedule, dist, seq)
                            if best is None or _size(cx) < _size(best):
                                best = cx
                            break
                except (ArithmeticError, ValueError, TypeError):
                    break  # the witness makes Python raise (e.g. division by zero)
                if best is not None and _size(best) <= (length, len(sizes)):
                    return best
    return best


def _explaining_law(
    site: Site, engine: Engine, proofs: list[LawResult], cx: Counterexample, deadline: float
) -> LawResult:
    """The law a counterexample breaks: merge orders point at commutativity.

    Proving stopped at the first failing law; when the counterexample needs a
    non-index merge order, a commutativity law that fails names it better.
    """
    failing = next(p for p in proofs if p.status != "proved")
    reordered = any(p != tuple(range(len(p))) for p in cx.schedule)
    if not reordered or failing.law.startswith("comm("):
        return failing
    for law in laws_for(site, engine):
        if law.name.startswith("comm(") and law.name not in {p.law for p in proofs}:
            result = prove(law, max(0.05, min(5.0, deadline - time.monotonic())))
            if result.status == "failed":
                proofs.append(result)
                return result
    return failing


def _size(cx: Counterexample) -> tuple[int, int]:
    return len(cx.values), len(cx.partitions)


def confirm(
    site: Site,
    engine: Engine,
    sem: Semantics,
    parts: tuple[tuple[Any, ...], ...],
    schedule: Sequence[tuple[int, ...]],
) -> Counterexample | None:
    """Replay a candidate on Python values through the semantics; None if it agrees."""
    py_args = _args(site, sem, symbolic=False)
    dist, seq = sem.replay(site.op, parts, py_args, engine, schedule)
    if same(dist, seq):
        return None
    values = tuple(x for p in parts for x in p)
    return Counterexample(values, parts, tuple(schedule), dist, seq)


# ----------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Result:
    """The verdict of one call site, with what it rests on."""

    file: str
    line: int
    col: int
    op: str
    text: str
    verdict: Verdict
    law: str
    engine: Engine
    laws: tuple[LawResult, ...] = ()
    counterexample: Counterexample | None = None
    notes: tuple[str, ...] = field(default=())
    seconds: float = 0.0

    def line_text(self) -> str:
        head = f"{self.file}:{self.line} {self.text} {self.verdict} {self.law}"
        cx = self.counterexample
        if cx is None:
            tail = "".join(f"; {n}" for n in self.notes)
            return head + tail
        order = f" orders={[list(p) for p in cx.schedule]}" if any(
            p != tuple(range(len(p))) for p in cx.schedule) else ""  # fmt: skip
        out = (
            f"{head}; values={_show(list(cx.values))} partitions={_show(cx.partitions)}{order} "
            f"distributed={_show(cx.distributed)} sequential={_show(cx.sequential)}"
        )
        return out + "".join(f"; {n}" for n in self.notes)


def _show(v: Any) -> str:
    if isinstance(v, tuple) and v and all(isinstance(p, tuple) for p in v):
        return "[" + ", ".join(_show(list(p)) for p in v) + "]"
    if isinstance(v, list):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{_show(k)}: {_show(x)}" for k, x in v.items()) + "}"
    if hasattr(v, "message") and not isinstance(v, str | int | float | tuple):
        return f"error({v.message})"
    return repr(v)


def _is_float(d: Domain | None) -> bool:
    return d is not None and "float" in d.name


def check_site(
    site: Site,
    engine: Engine,
    sem: Semantics,
    timeout_s: float = 20.0,
    bound: Bound = Bound(),
) -> Result:
    """Prove the obligations of one call site, else search a counterexample."""
    start = time.monotonic()
    deadline = start + timeout_s

    def result(verdict: Verdict, law: str, **kw: Any) -> Result:
        return Result(
            site.file, site.line, site.col, site.op, site.text, verdict, law, engine,
            seconds=time.monotonic() - start, **kw,
        )  # fmt: skip

    if site.kind == "elementwise":
        return result("PROVED", "by construction (collect . map f = List.map f . collect)")
    if site.kind == "construction":
        return result("PROVED", "by construction (no merge of values)")
    if site.kind == "order":
        return result("UNKNOWN", f"not decided: {site.problem}")
    laws = laws_for(site, engine)
    proofs: list[LawResult] = []
    for law in laws:  # stop at the first law not proved: the search takes over from there
        remaining = max(0.05, deadline - time.monotonic())
        proofs.append(prove(law, remaining))
        if proofs[-1].status != "proved":
            break
    names = ", ".join(p.law for p in proofs)
    opaque = [p for p in (site.fn(n) for n in _ARG_FIELDS) if p is not None and p.opaque]
    notes: list[str] = []
    if all(p.status == "proved" for p in proofs):
        other = ENGINES[1] if engine == ENGINES[0] else ENGINES[0]
        weak = [
            p.law for p in (prove(law, 5.0) for law in laws_for(site, other))
            if p.status != "proved"
        ]  # fmt: skip
        if weak:
            notes.append(f"engine-dependent: under {other} {', '.join(weak)} not proved")
        uninterpreted = sorted({name.removeprefix("uf_") for f in opaque for name in f.opaque})
        if uninterpreted:
            notes.append(f"holds whatever {', '.join(uninterpreted)} compute (uninterpreted)")
        return result("PROVED", names, laws=tuple(proofs), notes=tuple(notes))
    failing = next(p for p in proofs if p.status != "proved")
    if opaque or site.problem:
        why = site.problem or f"`{opaque[0].text}` is uninterpreted"
        return result("UNKNOWN", f"{failing.law} ({failing.status}): {why}", laws=tuple(proofs))
    cx = from_witnesses(site, engine, sem, proofs, bound, deadline)
    why = ""
    if cx is None and site.op in CONCRETE_ONLY:
        why = f"the elements breaking it do not refute {site.op} (no symbolic search for it)"
    elif cx is None:
        cx, why = search(site, engine, sem, bound, deadline)
    if cx is not None:
        failing = _explaining_law(site, engine, proofs, cx, deadline)
        if site.op not in CONCRETE_ONLY and (_is_float(site.elem) or _is_float(site.acc)):
            notes.append("float result depends on partitioning and merge order")
        if engine == "scala":
            pys = [prove(law, 5.0) for law in laws_for(site, "pyspark")]
            if all(p.status == "proved" for p in pys):
                notes.append("engine-dependent: proved under pyspark")
        return result(
            "REFUTED", failing.law, laws=tuple(proofs), counterexample=cx, notes=tuple(notes)
        )
    reason = {
        "failed": "fails for some values but",
        "unknown": "timed out;",
        "unprovable": "cannot be proved by Z3 and",
    }[failing.status]
    return result("UNKNOWN", f"{failing.law} {reason} {why}", laws=tuple(proofs))


def check_sites(
    sites: Sequence[Site],
    engine: Engine,
    sem: Semantics,
    timeout_s: float = 20.0,
    bound: Bound = Bound(),
) -> list[Result]:
    """Every site; an internal failure on one is an UNKNOWN for it, not a crash of all."""
    out = []
    for s in sites:
        try:
            out.append(check_site(s, engine, sem, timeout_s, bound))
        except (z3.Z3Exception, ArithmeticError, ValueError, TypeError, RecursionError) as exc:
            why = f"internal error while checking: {type(exc).__name__}: {exc}"
            out.append(Result(s.file, s.line, s.col, s.op, s.text, "UNKNOWN", why, engine))
    return out


def exit_code(results: Sequence[Result]) -> int:
    """0 all proved, 1 something refuted, 3 unknown remains (refuted wins)."""
    if any(r.verdict == "REFUTED" for r in results):
        return 1
    if any(r.verdict == "UNKNOWN" for r in results):
        return 3
    return 0


# ----------------------------------------------------------------------------- reports


def _jsonable(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return repr(v)
    if isinstance(v, Mapping):
        return [[_jsonable(k), _jsonable(x)] for k, x in v.items()]
    if isinstance(v, tuple | list):
        return [_jsonable(x) for x in v]
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    return _show(v)


def to_json(results: Sequence[Result]) -> dict[str, Any]:
    out = []
    for r in results:
        item: dict[str, Any] = {
            "file": r.file,
            "line": r.line,
            "col": r.col,
            "op": r.op,
            "call": r.text,
            "engine": r.engine,
            "verdict": r.verdict,
            "law": r.law,
            "laws": [
                {"law": p.law, "status": p.status, "seconds": round(p.seconds, 4)} for p in r.laws
            ],
            "notes": list(r.notes),
            "seconds": round(r.seconds, 4),
        }
        if r.counterexample is not None:
            cx = r.counterexample
            item["counterexample"] = {
                "values": _jsonable(cx.values),
                "partitions": _jsonable(cx.partitions),
                "orders": _jsonable(cx.schedule),
                "distributed": _jsonable(cx.distributed),
                "sequential": _jsonable(cx.sequential),
            }
        out.append(item)
    return {"tool": "cdcheck spark", "exit": exit_code(results), "results": out}


def to_sarif(results: Sequence[Result], version: str) -> dict[str, Any]:
    level = {"PROVED": "note", "REFUTED": "error", "UNKNOWN": "warning"}
    rules = sorted({r.op for r in results})
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cdcheck",
                        "version": version,
                        "rules": [
                            {"id": f"spark/{op}", "shortDescription": {"text": f"{op} obligations"}}
                            for op in rules
                        ],
                    }
                },
                "results": [
                    {
                        "ruleId": f"spark/{r.op}",
                        "level": level[r.verdict],
                        "message": {"text": r.line_text()},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": r.file},
                                    "region": {"startLine": r.line, "startColumn": r.col},
                                }
                            }
                        ],
                    }
                    for r in results
                ],
            }
        ],
    }
