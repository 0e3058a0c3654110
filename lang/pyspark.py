"""Reading a PySpark job: RDD pipelines, catalog call sites, UDFs as Z3 terms.

The job is parsed with Python's `ast` and never executed. Each call of a
catalog operation on an RDD becomes a `Site` that names the operation, where
it is written, the element (or value) type flowing into it and the user's
functions. A user function (a lambda, a small module-level `def`, or a known
builtin such as `operator.add` or `max`) becomes a `Udf`, one interpreter of
the pure subset run on two back ends:

- `sym`: Z3 terms, with sorts that mirror the runtime (int -> Int, or 64-bit
  bit vectors for the Scala engine's Long; float -> IEEE double, never Real;
  str -> String); this is what the laws are stated over;
- `py`: Python values, with Python's own operators (and Long wrap-around for
  the Scala engine); this is what replays a counterexample through
  `spec/rdd.py`, independently of the Z3 encoding.

A function outside the subset becomes an uninterpreted function on the Z3
side, is recorded in `Udf.opaque`, and has no Python meaning: verdicts that
depend on it are "unknown". Bad input (a syntax error, an operation called with
the wrong arguments, a type that cannot be inferred) is a located
`Diagnostic`, raised once as `PlanError`.
"""

from __future__ import annotations

import ast
import math
import operator
import os
import re
import stat
import struct
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import z3

from .ast import Span
from .diagnostics import Diagnostic, PlanError, SourceCache

Engine = Literal["pyspark", "scala"]

# ----------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Ty:
    """A value type of the subset: int, float, str, bool, tuples and lists of them."""

    kind: Literal["int", "float", "str", "bool", "tuple", "list"]
    items: tuple[Ty, ...] = ()

    def __str__(self) -> str:
        if self.kind == "tuple":
            return (
                "(" + ", ".join(map(str, self.items)) + ("," if len(self.items) == 1 else "") + ")"
            )
        if self.kind == "list":
            return f"list[{self.items[0]}]"
        return self.kind


INT, FLOAT, STR, BOOL = Ty("int"), Ty("float"), Ty("str"), Ty("bool")
FLOAT64 = z3.Float64()
RNE = z3.RNE()
LONG_BITS = 64


def parse_type(text: str) -> Ty | None:
    """`int`, `float`, `str`, `bool`, `(int, str)`, `tuple[int, float]`, `list[int]`."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    return _type_of_annotation(node)


def _type_of_annotation(node: ast.expr) -> Ty | None:
    if isinstance(node, ast.Name):
        return {"int": INT, "float": FLOAT, "str": STR, "bool": BOOL}.get(node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return parse_type(node.value)
    if isinstance(node, ast.Tuple):
        items = [_type_of_annotation(e) for e in node.elts]
        return None if any(i is None for i in items) else Ty("tuple", tuple(i for i in items if i))
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        items = [_type_of_annotation(e) for e in args]
        if any(i is None for i in items):
            return None
        clean = tuple(i for i in items if i)
        if node.value.id in ("tuple", "Tuple"):
            return Ty("tuple", clean)
        if node.value.id in ("list", "List", "Iterable", "Sequence") and len(clean) == 1:
            return Ty("list", clean)
    return None


def type_of_value(v: Any) -> Ty | None:
    """The type of a Python constant (bool before int: bool is an int in Python)."""
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, int):
        return INT
    if isinstance(v, float):
        return FLOAT
    if isinstance(v, str):
        return STR
    if isinstance(v, tuple):
        items = [type_of_value(x) for x in v]
        return None if any(i is None for i in items) else Ty("tuple", tuple(i for i in items if i))
    return None


def join_types(a: Ty | None, b: Ty | None) -> Ty | None:
    """The common type of two literals (int and float join to float)."""
    if a is None or b is None:
        return a or b
    if a == b:
        return a
    if {a.kind, b.kind} == {"int", "float"}:
        return FLOAT
    if a.kind == b.kind == "tuple" and len(a.items) == len(b.items):
        items = [join_types(x, y) for x, y in zip(a.items, b.items, strict=True)]
        return None if any(i is None for i in items) else Ty("tuple", tuple(i for i in items if i))
    return None


# ----------------------------------------------------------------------------- domains


def _sort(ty: Ty, engine: Engine) -> z3.SortRef:
    if ty.kind == "int":
        return z3.BitVecSort(LONG_BITS) if engine == "scala" else z3.IntSort()
    if ty.kind == "float":
        return FLOAT64
    if ty.kind == "str":
        return z3.StringSort()
    if ty.kind == "bool":
        return z3.BoolSort()
    raise ValueError(f"no single sort for {ty}")


def _decode_z3_string(text: str) -> str:
    return re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda m: chr(int(m.group(1), 16)), text)


@dataclass(frozen=True)
class Domain:
    """A value type under one engine: fresh Z3 values, equality, model read-back.

    Tuples are Python tuples of Z3 terms, so that the translated functions can
    index them directly; equality is identity of values (NaN equals NaN, 0.0
    differs from -0.0), i.e. what `repr` of the results would show.
    """

    ty: Ty
    engine: Engine

    @property
    def name(self) -> str:
        return str(self.ty) if not (self.ty == INT and self.engine == "scala") else "Long"

    def fresh(self, prefix: str) -> Any:
        if self.ty.kind == "tuple":
            return tuple(
                Domain(t, self.engine).fresh(f"{prefix}_{i}") for i, t in enumerate(self.ty.items)
            )
        if self.ty.kind == "list":
            raise ValueError("lists have no fresh symbolic value of unknown length")
        return z3.Const(prefix, _sort(self.ty, self.engine))

    def equal(self, a: Any, b: Any) -> z3.BoolRef:
        if isinstance(a, tuple | list) or isinstance(b, tuple | list):
            if not (isinstance(a, tuple | list) and isinstance(b, tuple | list)):
                return z3.BoolVal(False)
            if len(a) != len(b):
                return z3.BoolVal(False)
            items = self.ty.items if self.ty.kind == "tuple" else (self.ty.items * len(a))
            return z3.And(
                *[Domain(t, self.engine).equal(x, y) for t, x, y in zip(items, a, b, strict=False)]
            )
        return _eq_terms(self._term(a), self._term(b))

    def _term(self, v: Any) -> Any:
        return v if isinstance(v, z3.ExprRef) else self.const(v)

    def const(self, v: Any) -> Any:
        """The Z3 value of a Python value of this type."""
        if self.ty.kind in ("tuple", "list"):
            items = self.ty.items if self.ty.kind == "tuple" else self.ty.items * len(v)
            return tuple(Domain(t, self.engine).const(x) for t, x in zip(items, v, strict=True))
        return _lift(v, _sort(self.ty, self.engine))

    def value(self, model: z3.ModelRef, term: Any) -> Any:
        """The Python value a model gives a symbolic value of this type."""
        if isinstance(term, tuple | list):
            items = self.ty.items if self.ty.kind == "tuple" else self.ty.items * len(term)
            out = [Domain(t, self.engine).value(model, x) for t, x in zip(items, term, strict=True)]
            return tuple(out) if isinstance(term, tuple) else out
        if not isinstance(term, z3.ExprRef):
            return term
        v = model.eval(term, model_completion=True)
        return z3_to_python(v)


def z3_to_python(v: z3.ExprRef) -> Any:
    """A concrete Z3 value as the Python value it stands for."""
    if z3.is_int_value(v):
        return v.as_long()
    if z3.is_bv_value(v):
        return v.as_signed_long()
    if z3.is_true(v):
        return True
    if z3.is_false(v):
        return False
    if isinstance(v, z3.FPNumRef):
        if v.isNaN():
            return math.nan
        bits = z3.simplify(z3.fpToIEEEBV(v))
        return float(struct.unpack(">d", bits.as_long().to_bytes(8, "big"))[0])
    if z3.is_string_value(v):
        return _decode_z3_string(v.as_string())
    raise ValueError(f"cannot read back the Z3 value {v}")


def _eq_terms(a: z3.ExprRef, b: z3.ExprRef) -> z3.BoolRef:
    return a == b  # structural identity (fpEQ would make NaN differ from itself)


def _lift(v: Any, sort: z3.SortRef) -> z3.ExprRef:
    if isinstance(v, z3.ExprRef):
        return v
    if sort == z3.IntSort():
        return z3.IntVal(int(v))
    if isinstance(sort, z3.BitVecSortRef):
        return z3.BitVecVal(int(v), sort.size())
    if isinstance(sort, z3.FPSortRef):
        return z3.FPVal(float(v), sort)
    if sort == z3.StringSort():
        return z3.StringVal(str(v))
    if sort == z3.BoolSort():
        return z3.BoolVal(bool(v))
    raise ValueError(f"cannot lift {v!r} to {sort}")


# ----------------------------------------------------------------------------- back ends


class Unsupported(Exception):
    """A construct outside the pure subset, with where it was written."""

    def __init__(self, node: ast.AST, what: str) -> None:
        super().__init__(what)
        self.node = node
        self.what = what


class NoPythonMeaning(Exception):
    """An opaque function was called while evaluating on Python values."""


def _wrap_long(v: int) -> int:
    return ((v + (1 << 63)) % (1 << 64)) - (1 << 63)


class PyOps:
    """Python's operators on Python values (Scala engine: Long arithmetic on ints)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _int(self, v: Any) -> Any:
        if self.engine == "scala" and isinstance(v, int) and not isinstance(v, bool):
            return _wrap_long(v)
        return v

    def binop(self, node: ast.AST, op: ast.operator, a: Any, b: Any) -> Any:
        both_int = isinstance(a, int) and isinstance(b, int)
        if isinstance(op, ast.Add):
            return self._int(a + b)
        if isinstance(op, ast.Sub):
            return self._int(a - b)
        if isinstance(op, ast.Mult):
            return self._int(a * b)
        if isinstance(op, ast.Div):
            return a / b
        if isinstance(op, ast.FloorDiv):
            if self.engine == "scala" and both_int:
                q = abs(a) // abs(b)
                return self._int(q if (a >= 0) == (b >= 0) else -q)
            return self._int(a // b)
        if isinstance(op, ast.Mod):
            if self.engine == "scala" and both_int:
                r = abs(a) % abs(b)
                return r if a >= 0 else -r
            return a % b
        raise Unsupported(node, f"operator {type(op).__name__}")

    def neg(self, a: Any) -> Any:
        return self._int(-a)

    def compare(self, node: ast.AST, op: ast.cmpop, a: Any, b: Any) -> Any:
        fns: dict[type, Callable[[Any, Any], Any]] = {
            ast.Lt: operator.lt,
            ast.LtE: operator.le,
            ast.Gt: operator.gt,
            ast.GtE: operator.ge,
            ast.Eq: operator.eq,
            ast.NotEq: operator.ne,
        }
        fn = fns.get(type(op))
        if fn is None:
            raise Unsupported(node, f"comparison {type(op).__name__}")
        return fn(a, b)

    def ite(self, c: Any, a: Callable[[], Any], b: Callable[[], Any]) -> Any:
        return a() if c else b()

    def and_(self, a: Any, b: Callable[[], Any]) -> Any:
        return a and b()

    def or_(self, a: Any, b: Callable[[], Any]) -> Any:
        return a or b()

    def not_(self, a: Any) -> Any:
        return not a

    def abs_(self, a: Any) -> Any:
        return self._int(abs(a))

    def len_(self, a: Any) -> Any:
        return len(a)

    def opaque(self, node: ast.AST, name: str, args: Sequence[Any], out: Ty) -> Any:
        raise NoPythonMeaning(name)

    def to_float(self, a: Any) -> Any:
        return float(a)


class Z3Ops:
    """The same operators on Z3 terms, with sorts that mirror the runtime."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.int_sort: z3.SortRef = z3.BitVecSort(LONG_BITS) if engine == "scala" else z3.IntSort()
        self.opaque_used: list[str] = []
        self.side: list[z3.BoolRef] = []  # divisors are not zero (Python would raise)

    def _is_int(self, a: Any) -> bool:
        if isinstance(a, bool):
            return False
        if isinstance(a, int):
            return True
        return isinstance(a, z3.ExprRef) and a.sort() == self.int_sort

    def _is_float(self, a: Any) -> bool:
        return isinstance(a, float) or (isinstance(a, z3.ExprRef) and a.sort() == FLOAT64)

    def _is_str(self, a: Any) -> bool:
        return isinstance(a, str) or (isinstance(a, z3.ExprRef) and a.sort() == z3.StringSort())

    def _is_bool(self, a: Any) -> bool:
        return isinstance(a, bool | z3.BoolRef)

    def to_float(self, a: Any) -> Any:
        if isinstance(a, int | float) and not isinstance(a, bool):
            return z3.FPVal(float(a), FLOAT64)
        if isinstance(a, z3.ExprRef) and a.sort() == FLOAT64:
            return a
        if isinstance(a, z3.ExprRef) and a.sort() == z3.IntSort():
            return z3.fpToFP(RNE, z3.ToReal(a), FLOAT64)
        if isinstance(a, z3.BitVecRef):
            return z3.fpSignedToFP(RNE, a, FLOAT64)
        raise TypeError(f"not a number: {a}")

    def _num_pair(self, node: ast.AST, a: Any, b: Any) -> tuple[Any, Any, str]:
        if self._is_int(a) and self._is_int(b):
            return _lift(a, self.int_sort), _lift(b, self.int_sort), "int"
        if (self._is_int(a) or self._is_float(a)) and (self._is_int(b) or self._is_float(b)):
            return self.to_float(a), self.to_float(b), "float"
        if self._is_str(a) and self._is_str(b):
            return _lift(a, z3.StringSort()), _lift(b, z3.StringSort()), "str"
        if self._is_bool(a) and self._is_bool(b):
            return _lift(a, z3.BoolSort()), _lift(b, z3.BoolSort()), "bool"
        # a type error in the job (Python would raise TypeError), not a construct to model
        raise TypeError(f"operands of different types ({_describe(a)}, {_describe(b)})")

    def binop(self, node: ast.AST, op: ast.operator, a: Any, b: Any) -> Any:
        if isinstance(op, ast.Add) and isinstance(a, tuple) and isinstance(b, tuple):
            return a + b
        if isinstance(op, ast.Div):
            x, y = self.to_float(a), self.to_float(b)
            self.side.append(z3.Not(z3.fpIsZero(y)))
            return z3.fpDiv(RNE, x, y)
        x, y, kind = self._num_pair(node, a, b)
        if kind == "str":
            if isinstance(op, ast.Add):
                return z3.Concat(x, y)
            raise Unsupported(node, "string operator other than +")
        if kind == "bool":
            raise Unsupported(node, "arithmetic on booleans")
        if kind == "float":
            fp: dict[type, Callable[[Any, Any, Any], Any]] = {
                ast.Add: z3.fpAdd,
                ast.Sub: z3.fpSub,
                ast.Mult: z3.fpMul,
            }
            if type(op) in fp:
                return fp[type(op)](RNE, x, y)
            raise Unsupported(node, f"float operator {type(op).__name__}")
        if isinstance(op, ast.Add):
            return x + y
        if isinstance(op, ast.Sub):
            return x - y
        if isinstance(op, ast.Mult):
            return x * y
        if isinstance(op, ast.FloorDiv | ast.Mod):
            self.side.append(y != 0)
            if self.engine == "scala":  # Long `/` and `%` truncate toward zero
                return x / y if isinstance(op, ast.FloorDiv) else z3.SRem(x, y)
            # Python floors; Z3's div is Euclidean: they agree for a positive divisor
            q = z3.If(y > 0, x / y, (-x) / (-y))
            return q if isinstance(op, ast.FloorDiv) else x - y * q
        raise Unsupported(node, f"operator {type(op).__name__}")

    def neg(self, a: Any) -> Any:
        if self._is_float(a):
            return z3.fpNeg(self.to_float(a))
        return -_lift(a, self.int_sort) if self._is_int(a) else -a

    def compare(self, node: ast.AST, op: ast.cmpop, a: Any, b: Any) -> Any:
        if isinstance(a, tuple) or isinstance(b, tuple):
            return self._compare_tuples(node, op, a, b)
        x, y, kind = self._num_pair(node, a, b)
        if isinstance(op, ast.Eq):
            return z3.fpEQ(x, y) if kind == "float" else x == y
        if isinstance(op, ast.NotEq):
            return z3.Not(z3.fpEQ(x, y)) if kind == "float" else x != y
        if kind == "bool":
            raise Unsupported(node, "ordering of booleans")
        if kind == "float":
            fns = {ast.Lt: z3.fpLT, ast.LtE: z3.fpLEQ, ast.Gt: z3.fpGT, ast.GtE: z3.fpGEQ}
            if type(op) in fns:
                return fns[type(op)](x, y)
        if kind == "int" and self.engine == "scala":
            fns2: dict[type, Callable[[Any, Any], Any]] = {
                ast.Lt: operator.lt,
                ast.LtE: operator.le,
                ast.Gt: operator.gt,
                ast.GtE: operator.ge,
            }  # z3py's < on bit vectors is signed, as Long's is
            if type(op) in fns2:
                return fns2[type(op)](x, y)
        ops: dict[type, Callable[[Any, Any], Any]] = {
            ast.Lt: operator.lt,
            ast.LtE: operator.le,
            ast.Gt: operator.gt,
            ast.GtE: operator.ge,
        }
        if type(op) in ops:
            return ops[type(op)](x, y)
        raise Unsupported(node, f"comparison {type(op).__name__}")

    def _compare_tuples(self, node: ast.AST, op: ast.cmpop, a: Any, b: Any) -> Any:
        if not (isinstance(a, tuple) and isinstance(b, tuple)) or len(a) != len(b):
            raise Unsupported(node, "comparison of tuples of different shapes")
        eq = ast.Eq()
        if isinstance(op, ast.Eq | ast.NotEq):
            same = z3.And(*[self.compare(node, eq, x, y) for x, y in zip(a, b, strict=True)])
            return same if isinstance(op, ast.Eq) else z3.Not(same)
        # lexicographic: the first differing position decides, as in Python
        strict = isinstance(op, ast.Lt | ast.Gt)
        result: Any = z3.BoolVal(not strict)
        for x, y in reversed(list(zip(a, b, strict=True))):
            result = z3.If(self.compare(node, eq, x, y), result, self.compare(node, op, x, y))
        return result

    def ite(self, c: Any, a: Callable[[], Any], b: Callable[[], Any]) -> Any:
        return self.merge(_lift(c, z3.BoolSort()), a(), b())

    def merge(self, c: z3.BoolRef, x: Any, y: Any) -> Any:
        if isinstance(x, tuple) or isinstance(y, tuple):
            if not (isinstance(x, tuple) and isinstance(y, tuple)) or len(x) != len(y):
                raise TypeError("branches of different shapes")
            return tuple(self.merge(c, p, q) for p, q in zip(x, y, strict=True))
        if self._is_float(x) or self._is_float(y):
            return z3.If(c, self.to_float(x), self.to_float(y))
        if self._is_int(x) and self._is_int(y):
            return z3.If(c, _lift(x, self.int_sort), _lift(y, self.int_sort))
        if self._is_str(x) and self._is_str(y):
            return z3.If(c, _lift(x, z3.StringSort()), _lift(y, z3.StringSort()))
        if self._is_bool(x) and self._is_bool(y):
            return z3.If(c, _lift(x, z3.BoolSort()), _lift(y, z3.BoolSort()))
        raise TypeError(f"branches of different types ({_describe(x)}, {_describe(y)})")

    def _bool(self, node: ast.AST, a: Any) -> z3.BoolRef:
        if not self._is_bool(a):
            raise Unsupported(node, "`and`/`or`/`not` on a non-boolean")
        return _lift(a, z3.BoolSort())

    def and_(self, a: Any, b: Callable[[], Any]) -> Any:
        return z3.And(_lift(a, z3.BoolSort()), _lift(b(), z3.BoolSort()))

    def or_(self, a: Any, b: Callable[[], Any]) -> Any:
        return z3.Or(_lift(a, z3.BoolSort()), _lift(b(), z3.BoolSort()))

    def not_(self, a: Any) -> Any:
        return z3.Not(_lift(a, z3.BoolSort()))

    def abs_(self, a: Any) -> Any:
        if self._is_float(a):
            return z3.fpAbs(self.to_float(a))
        x = _lift(a, self.int_sort)
        return z3.If(x < 0, -x, x)

    def len_(self, a: Any) -> Any:
        if isinstance(a, tuple | list):
            return _lift(len(a), self.int_sort)
        length = z3.Length(_lift(a, z3.StringSort()))
        return z3.Int2BV(length, LONG_BITS) if self.engine == "scala" else length

    def opaque(self, node: ast.AST, name: str, args: Sequence[Any], out: Ty) -> Any:
        flat = [x for a in args for x in _flatten(a)]
        if out.kind == "tuple":
            return tuple(self.opaque(node, f"{name}_{i}", args, t) for i, t in enumerate(out.items))
        fn = z3.Function(name, *[x.sort() for x in flat], _sort(out, self.engine))
        self.opaque_used.append(name)
        return fn(*flat)


def _flatten(v: Any) -> list[z3.ExprRef]:
    if isinstance(v, tuple | list):
        return [x for item in v for x in _flatten(item)]
    if isinstance(v, z3.ExprRef):
        return [v]
    return [_lift(v, _sort_of_literal(v))]


def _sort_of_literal(v: Any) -> z3.SortRef:
    if isinstance(v, bool):
        return z3.BoolSort()
    if isinstance(v, int):
        return z3.IntSort()
    if isinstance(v, float):
        return FLOAT64
    return z3.StringSort()


def _describe(v: Any) -> str:
    if isinstance(v, z3.ExprRef):
        return str(v.sort())
    return type(v).__name__


# ----------------------------------------------------------------------------- the interpreter

Ops = PyOps | Z3Ops

_OPERATOR_FNS = {
    "add": ast.Add(),
    "sub": ast.Sub(),
    "mul": ast.Mult(),
    "truediv": ast.Div(),
    "floordiv": ast.FloorDiv(),
    "mod": ast.Mod(),
    "concat": ast.Add(),
}


@dataclass
class _Module:
    """What the interpreter may call: module-level defs, constants, import aliases."""

    defs: dict[str, ast.FunctionDef] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    operator_modules: set[str] = field(default_factory=set)
    operator_names: dict[str, str] = field(default_factory=dict)  # local name -> operator fn


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Interp:
    """Evaluates the pure subset on one back end. Calls of module defs are inlined."""

    MAX_DEPTH = 16

    def __init__(self, ops: Ops, module: _Module, partial: bool = False) -> None:
        self.ops = ops
        self.module = module
        self.depth = 0
        self.partial = partial  # unknown calls become uninterpreted functions

    # expressions
    def expr(self, node: ast.expr, env: dict[str, Any]) -> Any:
        ops = self.ops
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool | int | float | str):
                return node.value
            raise Unsupported(node, f"constant {node.value!r}")
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            if node.id in self.module.constants:
                return self.module.constants[node.id]
            raise Unsupported(node, f"free variable `{node.id}`")
        if isinstance(node, ast.BinOp):
            return ops.binop(node, node.op, self.expr(node.left, env), self.expr(node.right, env))
        if isinstance(node, ast.UnaryOp):
            v = self.expr(node.operand, env)
            if isinstance(node.op, ast.USub):
                return ops.neg(v)
            if isinstance(node.op, ast.UAdd):
                return v
            if isinstance(node.op, ast.Not):
                return ops.not_(v)
            raise Unsupported(node, "unary operator")
        if isinstance(node, ast.BoolOp):
            value = self.expr(node.values[0], env)
            for rest in node.values[1:]:
                thunk = _thunk(self, rest, env)
                value = (
                    ops.and_(value, thunk)
                    if isinstance(node.op, ast.And)
                    else ops.or_(value, thunk)
                )
            return value
        if isinstance(node, ast.Compare):
            left = self.expr(node.left, env)
            result: Any = None
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = self.expr(right_node, env)
                c = ops.compare(node, op, left, right)
                result = c if result is None else ops.and_(result, _const_thunk(c))
                left = right
            return result
        if isinstance(node, ast.IfExp):
            c = self.expr(node.test, env)
            try:
                return ops.ite(c, _thunk(self, node.body, env), _thunk(self, node.orelse, env))
            except TypeError as exc:
                raise Unsupported(node, str(exc)) from exc
        if isinstance(node, ast.Tuple):
            return tuple(self.expr(e, env) for e in node.elts)
        if isinstance(node, ast.List):
            return [self.expr(e, env) for e in node.elts]
        if isinstance(node, ast.Subscript):
            base = self.expr(node.value, env)
            index = self.expr(node.slice, env)
            if isinstance(base, tuple | list) and isinstance(index, int):
                if -len(base) <= index < len(base):
                    return base[index]
                raise Unsupported(node, f"index {index} out of range")
            raise Unsupported(node, "indexing other than a tuple by a constant")
        if isinstance(node, ast.Call):
            return self.call(node, env)
        if isinstance(node, ast.Lambda):
            raise Unsupported(node, "a lambda inside a function")
        raise Unsupported(node, f"{type(node).__name__} expression")

    def call(self, node: ast.Call, env: dict[str, Any]) -> Any:
        if node.keywords:
            raise Unsupported(node, "keyword arguments")
        args = [self.expr(a, env) for a in node.args]
        name = _callee_name(node.func)
        op_name = self._operator_name(node.func)
        if op_name is not None and len(args) == 2:
            return self.ops.binop(node, _OPERATOR_FNS[op_name], args[0], args[1])
        if name in ("max", "min") and isinstance(node.func, ast.Name):
            if len(args) == 1 and isinstance(args[0], list):
                args = list(args[0])
            if not args:
                raise Unsupported(node, f"{name}() of nothing")
            if isinstance(self.ops, PyOps):  # Python's own builtins, not a re-encoding
                return max(args) if name == "max" else min(args)
            cmp = ast.Gt() if name == "max" else ast.Lt()
            acc = args[0]
            for b in args[1:]:  # Python keeps the first unless a later one is strictly better
                acc = self.ops.ite(
                    self.ops.compare(node, cmp, b, acc), _const_thunk(b), _const_thunk(acc)
                )
            return acc
        if name == "abs" and len(args) == 1:
            return self.ops.abs_(args[0])
        if name == "len" and len(args) == 1:
            return self.ops.len_(args[0])
        if name == "float" and len(args) == 1:
            return self.ops.to_float(args[0])
        if name == "sum" and len(args) in (1, 2) and isinstance(args[0], list):
            acc = args[1] if len(args) == 2 else 0
            for x in args[0]:
                acc = self.ops.binop(node, ast.Add(), acc, x)
            return acc
        if name in ("list", "tuple", "sorted") and len(args) == 1 and isinstance(args[0], list):
            if name == "sorted":
                raise Unsupported(node, "sorted()")
            return list(args[0]) if name == "list" else tuple(args[0])
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "join"
            and isinstance(node.func.value, ast.Constant)
            and isinstance(node.func.value.value, str)
            and len(args) == 1
            and isinstance(args[0], list)
        ):
            sep = node.func.value.value
            out: Any = ""
            for i, x in enumerate(args[0]):
                out = self.ops.binop(node, ast.Add(), out, x if i == 0 else sep)
                if i:
                    out = self.ops.binop(node, ast.Add(), out, x)
            return out
        if isinstance(node.func, ast.Name) and node.func.id in self.module.defs:
            fdef = self.module.defs[node.func.id]
            if not self.partial:
                return self.apply_def(fdef, args)
            try:
                return self.apply_def(fdef, args)
            except Unsupported:
                # a helper outside the subset, of declared result type: uninterpreted
                out = _type_of_annotation(fdef.returns) if fdef.returns is not None else None
                if out is None or out.kind == "list":
                    raise
                return self.ops.opaque(node, _uf_name(fdef.name), args, out)
        raise Unsupported(node, f"call of `{name or ast.unparse(node.func)}`")

    def _operator_name(self, func: ast.expr) -> str | None:
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.module.operator_modules
            and func.attr in _OPERATOR_FNS
        ):
            return func.attr
        if isinstance(func, ast.Name) and func.id in self.module.operator_names:
            return self.module.operator_names[func.id]
        return None

    # statements (bodies of module-level defs)
    def apply_def(self, fdef: ast.FunctionDef, args: Sequence[Any]) -> Any:
        params = [a.arg for a in fdef.args.args]
        if fdef.args.vararg or fdef.args.kwarg or fdef.args.kwonlyargs or fdef.args.defaults:
            raise Unsupported(fdef, "parameters other than plain positional ones")
        if len(params) != len(args):
            raise Unsupported(
                fdef, f"`{fdef.name}` takes {len(params)} arguments, given {len(args)}"
            )
        if self.depth >= self.MAX_DEPTH:
            raise Unsupported(fdef, f"recursion in `{fdef.name}`")
        self.depth += 1
        try:
            env = dict(zip(params, args, strict=True))
            try:
                self.block(fdef.body, env)
            except _Return as r:
                return r.value
            raise Unsupported(fdef, f"`{fdef.name}` can end without `return`")
        finally:
            self.depth -= 1

    def block(self, body: Sequence[ast.stmt], env: dict[str, Any]) -> None:
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.Return):
                if stmt.value is None:
                    raise Unsupported(stmt, "`return` without a value")
                raise _Return(self.expr(stmt.value, env))
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue  # docstring
            if isinstance(stmt, ast.Pass):
                continue
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                self.assign(stmt.targets[0], self.expr(stmt.value, env), env)
                continue
            if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                self.assign(stmt.target, self.expr(stmt.value, env), env)
                continue
            if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                current = self.expr(stmt.target, env)
                env[stmt.target.id] = self.ops.binop(
                    stmt, stmt.op, current, self.expr(stmt.value, env)
                )
                continue
            if isinstance(stmt, ast.If):
                self.if_stmt(stmt, list(body[i + 1 :]), env)
                return
            raise Unsupported(stmt, f"{type(stmt).__name__} statement")

    def if_stmt(self, stmt: ast.If, rest: list[ast.stmt], env: dict[str, Any]) -> None:
        """`if c: ... else: ...` followed by `rest`: both paths run to their `return`."""
        cond = self.expr(stmt.test, env)

        def path(branch: list[ast.stmt]) -> Callable[[], Any]:
            def run() -> Any:
                local = dict(env)
                try:
                    self.block(branch + rest, local)
                except _Return as r:
                    return r.value
                raise Unsupported(stmt, "a path through `if` that does not `return`")

            return run

        try:
            raise _Return(self.ops.ite(cond, path(list(stmt.body)), path(list(stmt.orelse))))
        except TypeError as exc:
            raise Unsupported(stmt, str(exc)) from exc

    def assign(self, target: ast.expr, value: Any, env: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
            return
        if isinstance(target, ast.Tuple) and isinstance(value, tuple | list):
            if len(target.elts) != len(value):
                raise Unsupported(target, "unpacking of the wrong length")
            for t, v in zip(target.elts, value, strict=True):
                self.assign(t, v, env)
            return
        raise Unsupported(target, "assignment target")


def _const_thunk(value: Any) -> Callable[[], Any]:
    return lambda: value


def _thunk(interp: _Interp, node: ast.expr, env: dict[str, Any]) -> Callable[[], Any]:
    return lambda: interp.expr(node, env)


def _callee_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


# ----------------------------------------------------------------------------- user functions


@dataclass(frozen=True)
class Udf:
    """A user function: the same pure-subset code, evaluated on Z3 terms or Python values.

    `out` is the declared (or inferred) result type; `opaque` names what had
    to be modelled as uninterpreted. `symmetric_via` (functions of a group,
    `groupByKey().mapValues(g)`) lists binary operators whose
    right-commutativity makes `g` order-insensitive, or None when `g` uses the
    order of its group in a way the subset cannot summarize.
    """

    text: str
    arity: int
    out_ty: Ty
    engine: Engine
    _params: tuple[str, ...]
    _body: ast.expr | None
    _def: ast.FunctionDef | None
    _module: _Module = field(repr=False, compare=False)
    _builtin: str | None = None
    _constant: Any = None
    opaque: tuple[str, ...] = ()
    problem: str | None = None
    symmetric_via: tuple[Udf, ...] | None = None
    partial: bool = False  # only the calls named in `opaque` are uninterpreted, not the whole
    side_conditions: list[z3.BoolRef] = field(default_factory=list, compare=False, repr=False)

    @property
    def out(self) -> Domain:
        return Domain(self.out_ty, self.engine)

    def _run(self, ops: Ops, args: Sequence[Any]) -> Any:
        interp = _Interp(ops, self._module, self.partial)
        if self._builtin is not None:
            if self._builtin == "const":
                return self._constant
            node = ast.Constant(0)
            if self._builtin in ("max", "min"):
                call = ast.Call(ast.Name(self._builtin), [ast.Name("a"), ast.Name("b")], [])
                return interp.expr(call, {"a": args[0], "b": args[1]})
            return ops.binop(node, _OPERATOR_FNS[self._builtin], args[0], args[1])
        if self._def is not None:
            return interp.apply_def(self._def, args)
        assert self._body is not None
        return interp.expr(self._body, dict(zip(self._params, args, strict=True)))

    def sym(self, *args: Any) -> Any:
        """Z3 terms in, Z3 term (or tuple of terms) out, coerced to `out`."""
        if self.opaque and not self.partial:
            ops = Z3Ops(self.engine)
            return ops.opaque(ast.Constant(0), _uf_name(self.text), list(args), self.out_ty)
        ops = Z3Ops(self.engine)
        result = self._run(ops, args)
        self.side_conditions.extend(ops.side)  # where Python would raise instead
        return coerce(result, self.out_ty, self.engine)

    def py(self, *args: Any) -> Any:
        """Python values in, Python value out (raises NoPythonMeaning if opaque)."""
        if self.opaque:
            raise NoPythonMeaning(", ".join(self.opaque))
        result = self._run(PyOps(self.engine), args)
        if self.out_ty == FLOAT and isinstance(result, int) and not isinstance(result, bool):
            return float(result)
        return result


def _uf_name(text: str) -> str:
    return "uf_" + re.sub(r"\W+", "_", text)[:40]


def coerce(v: Any, ty: Ty, engine: Engine) -> Any:
    """Lift Python constants and int terms into the sort of `ty`."""
    if ty.kind == "tuple":
        if not isinstance(v, tuple) or len(v) != len(ty.items):
            raise TypeError(f"expected a value of type {ty}, got {_describe(v)}")
        return tuple(coerce(x, t, engine) for x, t in zip(v, ty.items, strict=True))
    if ty.kind == "list":
        if not isinstance(v, list | tuple):
            raise TypeError(f"expected a list, got {_describe(v)}")
        return [coerce(x, ty.items[0], engine) for x in v]
    if isinstance(v, tuple | list):
        raise TypeError(f"expected a value of type {ty}, got a tuple")
    sort = _sort(ty, engine)
    if ty.kind == "float":
        if isinstance(v, z3.ExprRef) and v.sort() == sort:
            return v
        return Z3Ops(engine).to_float(v)
    if isinstance(v, z3.ExprRef):
        if v.sort() != sort:
            raise TypeError(f"expected a value of type {ty}, got {v.sort()}")
        return v
    if ty.kind == "int" and isinstance(v, float):
        raise TypeError(f"expected a value of type {ty}, got float")
    return _lift(v, sort)


def ty_of(v: Any, engine: Engine) -> Ty | None:
    """The type of a value built by the Z3 back end."""
    if isinstance(v, tuple):
        items = [ty_of(x, engine) for x in v]
        return None if any(i is None for i in items) else Ty("tuple", tuple(i for i in items if i))
    if isinstance(v, z3.ExprRef):
        s = v.sort()
        if s == FLOAT64:
            return FLOAT
        if s == z3.StringSort():
            return STR
        if s == z3.BoolSort():
            return BOOL
        if s == z3.IntSort() or isinstance(s, z3.BitVecSortRef):
            return INT
        return None
    return type_of_value(v)


def builtin_udf(name: str, ty: Ty, engine: Engine) -> Udf:
    """`operator.add`, `max`, `min`, ... as a two-argument function of type ty."""
    return Udf(name, 2, ty, engine, ("a", "b"), None, None, _Module(), _builtin=name)


def constant_udf(text: str, value: Any, ty: Ty, engine: Engine) -> Udf:
    """A zero value, as a function of no arguments."""
    return Udf(text, 0, ty, engine, (), None, None, _Module(), _builtin="const", _constant=value)


# ----------------------------------------------------------------------------- call sites

ELEMENTWISE = ("map", "flatMap", "filter", "mapValues", "keyBy", "values", "keys")
BY_CONSTRUCTION = ("collect", "count", "take", "first")
ORDER_SENSITIVE = {
    "mapPartitions": "needs g to be a homomorphism for ++ (give the element type to decide)",
    "mapPartitionsWithIndex": "partition-dependent by design (uses the partition index)",
    "union": "list order interleaves inputs that share a partitioner; bag-equal only",
    "zipWithIndex": "needs a deterministic upstream order",
    "sortBy": "ties keep shuffle-arrival order unless the key function is injective",
    "distinct": "set-equal only; order is hash order",
    "cartesian": "list order is partition-blocked; bag-equal only",
    "join": "bag-equal only; order within a key is fetch order",
    "groupByKey": "group order is fetch order; its consumer was not recognized",
}
AGGREGATIONS = (
    "reduce",
    "max",
    "min",
    "sum",
    "fold",
    "aggregate",
    "treeReduce",
    "treeAggregate",
    "reduceByKey",
    "foldByKey",
    "aggregateByKey",
    "combineByKey",
)
CATALOG = (*ELEMENTWISE, *BY_CONSTRUCTION, *ORDER_SENSITIVE, *AGGREGATIONS)


@dataclass(frozen=True)
class Site:
    """One call of a catalog operation, with what the checker needs to decide it.

    `kind` is "aggregation" (laws to prove), "elementwise"/"construction"
    (equal by construction), or "order" (a condition this checker does not
    decide: `problem` says which). For aggregations, `elem` is the domain of
    the values combined (the values of (key, value) pairs for *ByKey), `key`
    a concrete key for searching counterexamples, `acc` the accumulator
    domain, `fns` the user's functions by the catalog's parameter names.
    """

    file: str
    line: int
    col: int
    op: str
    text: str
    kind: Literal["aggregation", "elementwise", "construction", "order"]
    elem: Domain | None = None
    acc: Domain | None = None
    key: Any = None
    fns: tuple[tuple[str, Udf], ...] = ()
    problem: str | None = None
    depth: int = 2

    @property
    def span(self) -> Span:
        return Span(self.file, self.line, self.col, self.line, self.col + 1)

    def fn(self, name: str) -> Udf | None:
        return dict(self.fns).get(name)


@dataclass(frozen=True)
class _Rdd:
    """What the reader knows of an RDD expression: its element type and a sample key."""

    elem: Ty | None
    key: Any = None
    grouped: bool = False  # the result of groupByKey(): values are groups


_DIRECTIVE = re.compile(r"#\s*cdcheck:\s*elem\s*=\s*(.+?)\s*$")


class _Reader:
    def __init__(self, path: str, text: str, engine: Engine) -> None:
        self.path = path
        self.text = text
        self.lines = text.splitlines()
        self.engine = engine
        self.module = _Module()
        self.sites: list[Site] = []
        self.errors: list[Diagnostic] = []

    # diagnostics
    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0) + 1
        end_line = getattr(node, "end_lineno", None) or line
        end_col = (getattr(node, "end_col_offset", None) or col) + 1
        return Span(self.path, line, col, end_line, end_col)

    def error(self, node: ast.AST, code: str, message: str, hint: str | None = None) -> None:
        self.errors.append(Diagnostic("error", code, message, self.span(node), hint))

    def directive(self, node: ast.AST) -> Ty | None:
        """A `# cdcheck: elem=T` comment on the node's lines, or alone on the line above."""
        first = getattr(node, "lineno", 1)
        last = getattr(node, "end_lineno", None) or first
        above = first - 1
        own_line = 1 <= above <= len(self.lines) and self.lines[above - 1].lstrip().startswith("#")
        for n in [*range(first, last + 1), *([above] if own_line else [])]:
            if 1 <= n <= len(self.lines):
                m = _DIRECTIVE.search(self.lines[n - 1])
                if m:
                    ty = parse_type(m.group(1))
                    if ty is None:
                        self.errors.append(
                            Diagnostic(
                                "error",
                                "SP003",
                                f"cannot read the element type `{m.group(1)}`",
                                Span(self.path, n, 1, n, 2),
                                "write e.g. `# cdcheck: elem=int` or `elem=(str, float)`",
                            )
                        )
                    return ty
        return None

    # the module
    def read(self, tree: ast.Module) -> None:
        for stmt in tree.body:
            self.collect_module_names(stmt)
        env: dict[str, _Rdd] = {}
        self.walk(tree.body, env)
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef):
                self.walk(stmt.body, dict(env))

    def collect_module_names(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.FunctionDef):
            self.module.defs[stmt.name] = stmt
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "operator":
                    self.module.operator_modules.add(alias.asname or "operator")
        elif isinstance(stmt, ast.ImportFrom) and stmt.module == "operator":
            for alias in stmt.names:
                if alias.name in _OPERATOR_FNS:
                    self.module.operator_names[alias.asname or alias.name] = alias.name
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            value = _literal(stmt.value)
            if value is not _NOT_LITERAL:
                self.module.constants[stmt.targets[0].id] = value

    def walk(self, body: Sequence[ast.stmt], env: dict[str, _Rdd]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.ClassDef):
                continue
            if isinstance(stmt, ast.Assign):
                rdd = self.rdd_expr(stmt.value, env)
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        if rdd is not None:
                            env[target.id] = rdd
                        else:
                            env.pop(target.id, None)
                continue
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.expr):
                    self.rdd_expr(child, env)
                elif isinstance(child, ast.stmt):
                    self.walk([child], env)
            if isinstance(stmt, ast.If | ast.For | ast.While | ast.With | ast.Try):
                for part in ("body", "orelse", "finalbody"):
                    self.walk(getattr(stmt, part, []), env)

    def rdd_expr(self, node: ast.expr, env: dict[str, _Rdd]) -> _Rdd | None:
        """The RDD an expression denotes (if any); records the catalog calls on the way."""
        if isinstance(node, ast.Name):
            return env.get(node.id)
        if not isinstance(node, ast.Call):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.rdd_expr(child, env)
            return None
        func = node.func
        if not isinstance(func, ast.Attribute):
            for a in node.args:
                self.rdd_expr(a, env)
            return None
        if func.attr in ("parallelize", "textFile", "range"):
            for a in node.args:
                self.rdd_expr(a, env)
            return self.source(node)
        base = self.rdd_expr(func.value, env)
        for a in node.args:
            self.rdd_expr(a, env)
        if base is None:
            return None
        return self.method(node, func.attr, base, env)

    def source(self, node: ast.Call) -> _Rdd:
        declared = self.directive(node)
        attr = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        if attr == "textFile":
            return _Rdd(declared or STR)
        if attr == "range":
            return _Rdd(declared or INT)
        if not node.args:
            return _Rdd(declared)
        data = node.args[0]
        if (
            isinstance(data, ast.Call)
            and isinstance(data.func, ast.Name)
            and data.func.id == "range"
        ):
            return _Rdd(declared or INT)
        value = _literal(data)
        if value is _NOT_LITERAL and isinstance(data, ast.Name):
            value = self.module.constants.get(data.id, _NOT_LITERAL)
        if isinstance(value, tuple | list) and value:
            ty: Ty | None = type_of_value(value[0])
            for v in value[1:]:
                ty = join_types(ty, type_of_value(v))
            key = value[0][0] if isinstance(value[0], tuple) and len(value[0]) == 2 else None
            return _Rdd(declared or ty, key)
        return _Rdd(declared)

    def method(self, node: ast.Call, name: str, base: _Rdd, env: dict[str, _Rdd]) -> _Rdd | None:
        if base.grouped and name == "mapValues":
            self.aggregation(node, "groupByKey.mapValues", base)
            return _Rdd(None)
        if base.grouped:
            self.order_site(node, "groupByKey", base)
        if name in ("cache", "persist", "repartition", "coalesce", "unpersist", "setName"):
            return base
        if name in ("map", "flatMap", "filter", "mapValues", "keyBy", "values", "keys"):
            self.sites.append(self.plain(node, name, "elementwise"))
            return _Rdd(self.elementwise_type(node, name, base), base.key if name in (
                "filter", "mapValues") else None)  # fmt: skip
        if name in BY_CONSTRUCTION:
            self.sites.append(self.plain(node, name, "construction"))
            return None
        if name == "groupByKey":
            return _Rdd(base.elem, base.key, grouped=True)
        if name == "sortBy" and base.elem is not None and self.ascending(node):
            self.aggregation(node, name, base)  # decided by the key's injectivity
            return _Rdd(base.elem, base.key)
        if name == "mapPartitions" and (base.elem is not None or self.directive(node)):
            self.aggregation(node, name, base)  # decided by search: g(xs ++ ys) = g(xs) ++ g(ys)
            return _Rdd(None)
        if name in ORDER_SENSITIVE:
            self.order_site(node, name, base)
            return _Rdd(None)
        if name in AGGREGATIONS:
            self.aggregation(node, name, base)
            return _Rdd(None) if name.endswith("ByKey") else None
        return None

    def ascending(self, node: ast.Call) -> bool:
        """`sortBy(f)` or `sortBy(f, True)`: the stable ascending sort is the spec."""
        flag = node.args[1] if len(node.args) > 1 else None
        for k in node.keywords:
            if k.arg == "ascending":
                flag = k.value
        return flag is None or _literal(flag) is True

    def plain(self, node: ast.Call, op: str, kind: Literal["elementwise", "construction"]) -> Site:
        span = self.span(node.func)
        line, col, text = span.end_line, span.end_col - len(op), self.call_text(node, op)
        impure = self.impurity(node.args[0]) if kind == "elementwise" and node.args else None
        if impure is not None:  # recomputation may then give other results: out of scope
            return Site(
                self.path, line, col, op, text, "order", problem=f"impure function: {impure}"
            )
        return Site(self.path, line, col, op, text, kind)

    def impurity(self, fn: ast.expr) -> str | None:
        """A syntactic purity check of a user function (and the module defs it calls):
        randomness, clocks, I/O, `global`, or mutating a variable it does not own."""
        todo: list[ast.AST] = [fn]
        seen: set[str] = set()
        while todo:
            root = todo.pop()
            if isinstance(root, ast.Name) and root.id in self.module.defs:
                if root.id in seen:
                    continue
                seen.add(root.id)
                root = self.module.defs[root.id]
            owned = {a.arg for a in getattr(getattr(root, "args", None), "args", [])}
            owned |= {
                t.id for n in ast.walk(root) if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, ast.Name)
            }  # fmt: skip
            for n in ast.walk(root):
                where = self.span(n)
                if isinstance(n, ast.Global | ast.Nonlocal):
                    return f"`{type(n).__name__.lower()}` at {where}"
                if not isinstance(n, ast.Call):
                    continue
                dotted = ast.unparse(n.func)
                head = dotted.split(".")[0]
                if head in _IMPURE_MODULES or dotted in _IMPURE_CALLS:
                    return f"calls `{dotted}` at {where}"
                if (
                    isinstance(n.func, ast.Attribute)
                    and n.func.attr in _MUTATORS
                    and isinstance(n.func.value, ast.Name)
                    and n.func.value.id not in owned
                ):
                    return f"mutates `{n.func.value.id}` with `{n.func.attr}` at {where}"
                if isinstance(n.func, ast.Name) and n.func.id in self.module.defs:
                    todo.append(n.func)
        return None

    def order_site(self, node: ast.Call, op: str, base: _Rdd) -> None:
        span = self.span(node.func)
        self.sites.append(
            Site(
                self.path,
                span.end_line,
                span.end_col - len(op.split(".")[-1]),
                op,
                self.call_text(node, op),
                "order",
                problem=ORDER_SENSITIVE[op],
            )
        )

    def call_text(self, node: ast.Call, op: str) -> str:
        args = ", ".join(ast.unparse(a) for a in node.args)
        kws = ", ".join(f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords)
        inner = ", ".join(x for x in (args, kws) if x)
        text = f"{op}({inner})"
        return text if len(text) <= 80 else text[:77] + "..."

    def elementwise_type(self, node: ast.Call, name: str, base: _Rdd) -> Ty | None:
        declared = self.directive(node)
        if declared is not None:
            return declared
        if name == "filter":
            return base.elem
        if base.elem is None or not node.args:
            return None
        if name in ("values", "keys"):
            if base.elem.kind == "tuple" and len(base.elem.items) == 2:
                return base.elem.items[1 if name == "values" else 0]
            return None
        arg_ty = base.elem
        if name == "mapValues":
            if base.elem.kind != "tuple" or len(base.elem.items) != 2:
                return None
            arg_ty = base.elem.items[1]
        try:
            udf = self.udf(node.args[0], 1, (arg_ty,), None)
        except Unsupported:
            return None
        if udf is None or udf.opaque:
            return None
        if name == "map":
            return udf.out_ty
        if name == "mapValues":
            return Ty("tuple", (base.elem.items[0], udf.out_ty))
        if name == "keyBy":
            return Ty("tuple", (udf.out_ty, base.elem))
        return None  # flatMap: the items of an iterable the subset does not type

    # aggregations
    def aggregation(self, node: ast.Call, op: str, base: _Rdd) -> None:
        short = op.split(".")[-1]
        span = self.span(node.func)
        col = span.end_col - len(short)
        where = Site(self.path, span.end_line, col, op, self.call_text(node, op), "aggregation")
        keyed = op.endswith("ByKey") or op == "groupByKey.mapValues"
        elem = self.directive(node) or base.elem or self.hinted_elem(node, op, keyed)
        if elem is None:
            self.error(
                node,
                "SP002",
                f"cannot tell the element type of the RDD `{short}` is called on",
                "write `# cdcheck: elem=int` (or float, str, (str, int), ...) on the line of the "
                "call or of the RDD's source",
            )
            return
        if keyed:
            if elem.kind != "tuple" or len(elem.items) != 2:
                self.error(
                    node, "SP004", f"`{short}` needs (key, value) pairs, elements are {elem}"
                )
                return
            key = base.key if base.key is not None else _default_of(elem.items[0])
            elem = elem.items[1]
        else:
            key = None
        try:
            site = self.build(node, op, elem, where)
        except _KeyedExtreme:
            self.sites.append(
                Site(
                    where.file, where.line, where.col, op, where.text, "order",
                    problem=f"`{op}(key=...)`: which of tied elements is kept is not modelled",
                )
            )  # fmt: skip
            return
        except _ArgError as exc:
            self.error(node, "SP005", str(exc))
            return
        except TypeError as exc:
            self.error(node, "SP006", f"`{short}`: {exc}")
            return
        self.sites.append(
            Site(
                site.file, site.line, site.col, site.op, site.text, site.kind, site.elem,
                site.acc, key if keyed else None, site.fns, site.problem, site.depth,
            )
        )  # fmt: skip

    def hinted_elem(self, node: ast.Call, op: str, keyed: bool) -> Ty | None:
        """The element type from the annotations of the user function's parameters."""
        position, param = {
            "aggregate": (1, 1), "treeAggregate": (1, 1), "aggregateByKey": (1, 1),
            "fold": (1, 1), "foldByKey": (1, 1), "combineByKey": (0, 0),
        }.get(op, (0, 1))  # fmt: skip
        if position >= len(node.args):
            return None
        fn = node.args[position]
        if not (isinstance(fn, ast.Name) and fn.id in self.module.defs):
            return None
        params = self.module.defs[fn.id].args.args
        if param >= len(params) or params[param].annotation is None:
            return None
        annotation = params[param].annotation
        assert annotation is not None
        ty = _type_of_annotation(annotation)
        if ty is None or not keyed:
            return ty
        return Ty("tuple", (INT, ty))  # the key's type is not hinted: a concrete int key

    def build(self, node: ast.Call, op: str, elem_ty: Ty, where: Site) -> Site:
        engine = self.engine
        elem = Domain(elem_ty, engine)
        args = list(node.args)
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        problem: str | None = None
        fns: dict[str, Udf] = {}
        acc_ty = elem_ty
        depth = 2

        def arg(i: int, name: str, required: bool = True) -> ast.expr | None:
            if i < len(args):
                return args[i]
            if name in kw:
                return kw[name]
            if required:
                raise _ArgError(f"`{op.split('.')[-1]}` needs the argument `{name}`")
            return None

        def need_udf(i: int, name: str, arity: int, params: tuple[Ty, ...], out: Ty | None) -> Udf:
            nonlocal problem
            expr = arg(i, name)
            assert expr is not None
            udf = self.udf(expr, arity, params, out)
            if udf is None:
                raise _ArgError(f"`{ast.unparse(expr)}` is not a function of {arity} argument(s)")
            if udf.problem and problem is None:
                problem = udf.problem
            return udf

        if op in ("reduce", "treeReduce", "reduceByKey"):
            fns["f"] = need_udf(0, "f", 2, (elem_ty, elem_ty), elem_ty)
            if op == "treeReduce":
                depth = self.int_arg(arg(1, "depth", False), 2)
        elif op in ("max", "min"):
            if args or kw:
                raise _KeyedExtreme(op)
            fns["f"] = builtin_udf(op, elem_ty, engine)
        elif op == "sum":
            if elem_ty not in (INT, FLOAT):
                raise TypeError(f"sum of {elem_ty} elements")
            fns["f"] = builtin_udf("add", elem_ty, engine)
            fns["zero"] = constant_udf("0", 0.0 if elem_ty == FLOAT else 0, elem_ty, engine)
        elif op in ("fold", "foldByKey"):
            fns["zero"] = self.zero(arg(0, "zeroValue"), elem_ty)
            fns["f"] = need_udf(1, "op" if op == "fold" else "func", 2, (elem_ty, elem_ty), elem_ty)
        elif op in ("aggregate", "treeAggregate", "aggregateByKey"):
            zero_node = arg(0, "zeroValue")
            assert zero_node is not None
            zero_value = _literal(zero_node)
            acc_ty0 = type_of_value(zero_value) if zero_value is not _NOT_LITERAL else None
            if acc_ty0 is None:
                raise _ArgError(f"the zero value `{ast.unparse(zero_node)}` is not a literal")
            acc_ty = self.widen(arg(1, "seqOp"), acc_ty0, elem_ty)
            fns["zero"] = self.zero(zero_node, acc_ty)
            fns["seqOp"] = need_udf(1, "seqOp", 2, (acc_ty, elem_ty), acc_ty)
            fns["combOp"] = need_udf(2, "combOp", 2, (acc_ty, acc_ty), acc_ty)
            if op == "treeAggregate":
                depth = self.int_arg(arg(3, "depth", False), 2)
        elif op == "combineByKey":
            create = need_udf(0, "createCombiner", 1, (elem_ty,), None)
            acc_ty = create.out_ty
            fns["createCombiner"] = create
            fns["mergeValue"] = need_udf(1, "mergeValue", 2, (acc_ty, elem_ty), acc_ty)
            fns["mergeCombiners"] = need_udf(2, "mergeCombiners", 2, (acc_ty, acc_ty), acc_ty)
        elif op == "groupByKey.mapValues":
            g = need_udf(0, "f", 1, (Ty("list", (elem_ty,)),), None)
            acc_ty = g.out_ty
            fns["g"] = g
        elif op == "sortBy":
            fns["keyfunc"] = need_udf(0, "keyfunc", 1, (elem_ty,), None)
        elif op == "mapPartitions":
            g = need_udf(0, "f", 1, (Ty("list", (elem_ty,)),), None)
            if not g.opaque and g.out_ty.kind != "list":
                raise TypeError(f"`{g.text}` must return a list, not {g.out_ty}")
            acc_ty = g.out_ty
            fns["g"] = g
        if depth < 1:
            raise _ArgError("depth must be >= 1")
        return Site(
            where.file, where.line, where.col, op, where.text, "aggregation", elem,
            Domain(acc_ty, engine), None, tuple(fns.items()), problem, depth,
        )  # fmt: skip

    def int_arg(self, node: ast.expr | None, default: int) -> int:
        if node is None:
            return default
        value = _literal(node)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _ArgError(f"`{ast.unparse(node)}` is not an integer literal")

    def widen(self, seq_node: ast.expr | None, acc: Ty, elem: Ty) -> Ty:
        """A literal zero `0` whose seqOp adds floats makes a float accumulator."""
        if seq_node is None:
            return acc
        try:
            udf = self.udf(seq_node, 2, (acc, elem), None)
        except Unsupported:
            return acc
        if udf is None or udf.opaque:
            return acc
        joined = join_types(acc, udf.out_ty)
        return joined or acc

    def zero(self, node: ast.expr | None, ty: Ty) -> Udf:
        assert node is not None
        value = _literal(node)
        if value is _NOT_LITERAL and isinstance(node, ast.Name):
            value = self.module.constants.get(node.id, _NOT_LITERAL)
        if value is _NOT_LITERAL:
            raise _ArgError(f"the zero value `{ast.unparse(node)}` is not a literal")
        value = _convert(value, ty)
        if value is None:
            raise TypeError(f"the zero value `{ast.unparse(node)}` is not of type {ty}")
        return constant_udf(ast.unparse(node), value, ty, self.engine)

    # user functions
    def udf(self, node: ast.expr, arity: int, params: tuple[Ty, ...], out: Ty | None) -> Udf | None:
        """The function an argument denotes, typed by running it on fresh Z3 values."""
        engine = self.engine
        text = ast.unparse(node)
        if len(text) > 60:
            text = text[:57] + "..."
        body: ast.expr | None = None
        fdef: ast.FunctionDef | None = None
        names: tuple[str, ...] = ()
        builtin: str | None = None
        if isinstance(node, ast.Lambda):
            a = node.args
            if a.vararg or a.kwarg or a.kwonlyargs or a.defaults or len(a.args) != arity:
                return None
            names, body = tuple(x.arg for x in a.args), node.body
        elif isinstance(node, ast.Name) and node.id in self.module.defs:
            fdef = self.module.defs[node.id]
            if len(fdef.args.args) != arity:
                return None
            names = tuple(x.arg for x in fdef.args.args)
            params = tuple(
                (_type_of_annotation(x.annotation) if x.annotation is not None else None) or p
                for x, p in zip(fdef.args.args, params, strict=True)
            )
            if out is None and fdef.returns is not None:
                out = _type_of_annotation(fdef.returns)
        elif arity == 2 and isinstance(node, ast.Name) and node.id in ("max", "min"):
            builtin = node.id
        elif arity == 1 and isinstance(node, ast.Name) and node.id in _GROUP_BUILTINS:
            names = ("group",)  # `mapValues(len)` is `mapValues(lambda group: len(group))`
            body = ast.Call(ast.Name(node.id, ast.Load()), [ast.Name("group", ast.Load())], [])
        elif arity == 2:
            interp = _Interp(PyOps(engine), self.module)
            builtin = interp._operator_name(node)
            if builtin is None:
                return self.opaque_udf(
                    node, text, arity, params, out, "not a function of the subset"
                )
        else:
            return self.opaque_udf(node, text, arity, params, out, "not a function of the subset")
        if builtin is not None:
            ty = out or params[0]
            return builtin_udf(builtin, ty, engine)
        module = self.module
        probe = Udf(text, arity, out or INT, engine, names, body, fdef, module)
        fresh = [_probe_value(t, engine, f"p{i}") for i, t in enumerate(params)]
        opaque: tuple[str, ...] = ()
        problem: str | None = None
        try:
            result = probe._run(Z3Ops(engine), fresh)
        except Unsupported as exc:
            why = f"{exc.what} at {self.span(exc.node)}"
            partial = Udf(text, arity, out or INT, engine, names, body, fdef, module, partial=True)
            ops = Z3Ops(engine)
            try:  # only the unknown calls uninterpreted: laws may still hold for every one
                result = partial._run(ops, fresh)
            except (Unsupported, TypeError, z3.Z3Exception):
                return self.opaque_udf(node, text, arity, params, out, why)
            if not ops.opaque_used:
                return self.opaque_udf(node, text, arity, params, out, why)
            opaque = tuple(dict.fromkeys(ops.opaque_used))
            problem = f"`{text}` calls what is modelled as an uninterpreted function: {why}"
        except (TypeError, z3.Z3Exception) as exc:
            raise TypeError(f"in `{text}`: {exc}") from exc
        if isinstance(result, list):
            item: Ty | None = params[0].items[0] if params and params[0].kind == "list" else INT
            if result:
                item = ty_of(result[0], engine)
                for other in result[1:]:
                    item = join_types(item, ty_of(other, engine))
            got: Ty | None = Ty("list", (item,)) if item is not None else None
        else:
            got = ty_of(result, engine)
        if got is None:
            raise TypeError(f"in `{text}`: cannot type the result {_describe(result)}")
        final = out if out is not None else got
        if out is not None and join_types(out, got) != out:
            raise TypeError(f"`{text}` returns {got} where {out} is expected")
        symmetric: tuple[Udf, ...] | None = None
        if arity == 1 and params and params[0].kind == "list":
            symmetric = self.symmetric_parts(body, fdef, names, params[0].items[0])
        return Udf(
            text, arity, final, engine, names, body, fdef, module, opaque=opaque,
            problem=problem, symmetric_via=symmetric, partial=bool(opaque),
        )  # fmt: skip

    def opaque_udf(
        self, node: ast.expr, text: str, arity: int, params: tuple[Ty, ...], out: Ty | None,
        why: str,
    ) -> Udf:  # fmt: skip
        ty = out or (params[0] if params and params[0].kind != "list" else INT)
        return Udf(
            text, arity, ty, self.engine, (), None, None, self.module,
            opaque=(text,), problem=f"`{text}` is modelled as an uninterpreted function: {why}",
        )  # fmt: skip

    def symmetric_parts(
        self, body: ast.expr | None, fdef: ast.FunctionDef | None, names: tuple[str, ...], elem: Ty
    ) -> tuple[Udf, ...] | None:
        """If the group is only used through sum/max/min/len, the folds that must commute."""
        if not names:
            return None
        group = names[0]
        roots: list[ast.AST] = [body] if body is not None else list(fdef.body if fdef else [])
        folds: list[Udf] = []
        allowed_parents: set[int] = set()
        for root in roots:
            for n in ast.walk(root):
                if (
                    isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Name)
                    and n.func.id in ("sum", "max", "min", "len")
                    and len(n.args) == 1
                    and isinstance(n.args[0], ast.Name)
                    and n.args[0].id == group
                ):
                    allowed_parents.add(id(n.args[0]))
                    if n.func.id == "sum":
                        folds.append(builtin_udf("add", elem, self.engine))
                    elif n.func.id in ("max", "min"):
                        folds.append(builtin_udf(n.func.id, elem, self.engine))
        for root in roots:
            for n in ast.walk(root):
                if (
                    isinstance(n, ast.Name)
                    and n.id == group
                    and id(n) not in allowed_parents
                    and isinstance(n.ctx, ast.Load)
                ):
                    return None
        return tuple(folds)


_IMPURE_MODULES = {"random", "time", "datetime", "uuid", "os", "secrets", "sys", "socket"}
_IMPURE_CALLS = {"print", "open", "input", "np.random.rand", "numpy.random.rand", "id", "hash"}
_MUTATORS = {"add", "append", "extend", "update", "pop", "setdefault", "insert", "remove", "clear"}

_GROUP_BUILTINS = ("len", "sum", "max", "min", "list", "tuple", "sorted")


class _ArgError(Exception):
    pass


class _KeyedExtreme(Exception):
    """`max(key=...)`/`min(key=...)`: not an aggregation this checker models."""


_NOT_LITERAL: Any = object()


def _literal(node: ast.expr) -> Any:
    """The value of a constant expression (numbers, strings, tuples, lists, nan/inf)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float | str):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = _literal(node.operand)
        if isinstance(v, int | float) and not isinstance(v, bool):
            return -v if isinstance(node.op, ast.USub) else v
        return _NOT_LITERAL
    if isinstance(node, ast.Tuple | ast.List):
        items = [_literal(e) for e in node.elts]
        if any(i is _NOT_LITERAL for i in items):
            return _NOT_LITERAL
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "float"
        and len(node.args) == 1
    ):
        v = _literal(node.args[0])
        if isinstance(v, str) and v.strip().lower() in ("nan", "inf", "-inf", "+inf"):
            return float(v)
        if isinstance(v, int | float) and not isinstance(v, bool):
            return float(v)
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "math"
        and node.attr in ("nan", "inf")
    ):
        return math.nan if node.attr == "nan" else math.inf
    return _NOT_LITERAL


def _convert(value: Any, ty: Ty) -> Any:
    """A literal as a value of `ty` (int literals are floats where floats are expected)."""
    if ty.kind == "tuple":
        if not isinstance(value, tuple) or len(value) != len(ty.items):
            return None
        items = [_convert(v, t) for v, t in zip(value, ty.items, strict=True)]
        return None if any(i is None for i in items) else tuple(items)
    if ty == FLOAT and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if type_of_value(value) == ty:
        return value
    return None


def _default_of(ty: Ty) -> Any:
    if ty.kind == "tuple":
        return tuple(_default_of(t) for t in ty.items)
    return {"int": 0, "float": 0.0, "str": "k", "bool": False}.get(ty.kind, 0)


def _probe_value(ty: Ty, engine: Engine, name: str) -> Any:
    if ty.kind == "list":
        return [Domain(ty.items[0], engine).fresh(f"{name}_{i}") for i in range(2)]
    return Domain(ty, engine).fresh(name)


# ----------------------------------------------------------------------------- entry


def read_job(path: str, text: str, engine: Engine = "pyspark") -> list[Site]:
    """Every catalog call site of a PySpark job, in source order.

    Raises PlanError with located diagnostics for a syntax error, an operation
    called with unusable arguments, or an element type that cannot be inferred.
    """
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence": not ours to print
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = exc.offset or 1
        span = Span(path, line, col, exc.end_lineno or line, (exc.end_offset or col) + 0)
        raise PlanError([Diagnostic("error", "SP001", f"syntax error: {exc.msg}", span)]) from None
    reader = _Reader(path, text, engine)
    reader.read(tree)
    if reader.errors:
        raise PlanError(reader.errors)
    return sorted(reader.sites, key=lambda s: (s.line, s.col))


def read_job_file(path: str, engine: Engine = "pyspark", max_bytes: int = 1 << 20) -> list[Site]:
    """`read_job` on a file; an unreadable file is a located diagnostic too.

    Only a regular file is opened (a FIFO would block, a device never end),
    and every PlanError carries the text read, so that reporting it never
    opens the file again."""
    sources = SourceCache()

    def cannot(reason: str) -> PlanError:
        return PlanError(
            [
                Diagnostic(
                    "error", "SP000", f"cannot read the job: {reason}", Span(path, 1, 1, 1, 1)
                )
            ],
            sources,
        )

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise cannot("not a regular file")
        with open(path, encoding="utf-8") as fh:
            text = fh.read(max_bytes + 1)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise cannot(str(exc)) from None
    if len(text) > max_bytes:
        raise cannot("the job is larger than 1 MiB")
    sources.add(path, text)
    try:
        return read_job(path, text, engine)
    except PlanError as exc:
        exc.sources = exc.sources or sources
        raise
