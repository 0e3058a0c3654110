"""Symbolic safety with Z3: bounded model checking, k-induction, PDR (Spacer).

Generic over a symbolic transition system: named state variables, named
input variables (fresh at every step: which action fires, say), and three
formula builders `init(v)`, `trans(v, i, w)` and `domain(v)` (ranges every
reachable state satisfies; checked inductive before use, never trusted). The
property is a state formula `prop(v)`; `escape(v)` marks states where the
symbolic system stops being faithful to the system it encodes (a bounded
buffer overflowed, say): reaching one ends in UNKNOWN, never in a verdict.

Every answer is either a counterexample (a sequence of state valuations, for
the caller to replay through its explicit semantics) or a certificate: the k
of a k-induction proof, or an inductive invariant that was re-checked by
separate solver calls (init => inv, inv & trans => inv', inv => prop).

The Houdini engine needs candidate lemmas (named state formulas) from the
system (`lemmas()`, see `HasLemmas`) or its caller: it keeps the largest
subset that is inductive, and its conjunction is the invariant. The
candidates are guesses, never trusted: whatever they are, only the re-checked
conjunction can make a proof.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import z3

from .search import Verdict

Vars = Mapping[str, Any]
StateFormula = Callable[[Vars], Any]


class SymbolicSystem(Protocol):
    def state_vars(self) -> Sequence[tuple[str, Any]]: ...

    def input_vars(self) -> Sequence[tuple[str, Any]]: ...

    def init(self, v: Vars) -> Any: ...

    def trans(self, v: Vars, i: Vars, w: Vars) -> Any: ...

    def domain(self, v: Vars) -> Any: ...


Valuation = dict[str, int | bool]


@dataclass(frozen=True)
class Lemma:
    """A candidate invariant: a name for the certificate, and its formula."""

    name: str
    formula: StateFormula


class HasCommands(Protocol):
    """A symbolic system whose transition relation is a choice among guarded
    commands: (guard, updates) over the state variables as `z3.Const(name,
    sort)`, every variable not updated keeping its value. Optional: Houdini
    then checks one command at a time, and only the candidates it writes."""

    def commands(self) -> Sequence[tuple[Any, Sequence[tuple[str, Any]]]]: ...


class HasLemmas(Protocol):
    """A symbolic system that can propose candidate lemmas for Houdini."""

    def lemmas(self, deadline: float | None = None) -> Sequence[Lemma]: ...


@dataclass(frozen=True)
class SmtResult:
    """The outcome of one engine on one property."""

    engine: str
    verdict: Verdict
    trace: tuple[Valuation, ...] = ()
    """For VIOLATED: the states of the counterexample, initial first."""
    inputs: tuple[Valuation, ...] = ()
    """inputs[k] chose the step from trace[k] to trace[k + 1]."""
    certificate: str = ""
    """For HOLDS: `k = 3` or the inductive invariant, in Z3's syntax."""
    reason: str = ""
    depth: int = 0
    seconds: float = 0.0


def _unknown(engine: str, reason: str, start: float, depth: int = 0) -> SmtResult:
    """An UNKNOWN verdict, timed from `start` (time.monotonic())."""
    return SmtResult(
        engine, Verdict.UNKNOWN, reason=reason, depth=depth, seconds=time.monotonic() - start
    )


class _Unroller:
    """Copies of the variables per step, and the transition formula built once
    and substituted per step."""

    def __init__(self, system: SymbolicSystem) -> None:
        self.system = system
        self.svars = list(system.state_vars())
        self.ivars = list(system.input_vars())
        self._states: list[dict[str, Any]] = []
        self._inputs: list[dict[str, Any]] = []
        self.tv = {n: z3.Const(n, s) for n, s in self.svars}
        self.tw = {n: z3.Const(n + "'", s) for n, s in self.svars}
        self.ti = {n: z3.Const("in." + n, s) for n, s in self.ivars}
        self.template = system.trans(self.tv, self.ti, self.tw)

    def state(self, k: int) -> dict[str, Any]:
        while len(self._states) <= k:
            j = len(self._states)
            self._states.append({n: z3.Const(f"{n}@{j}", s) for n, s in self.svars})
        return self._states[k]

    def inputs(self, k: int) -> dict[str, Any]:
        while len(self._inputs) <= k:
            j = len(self._inputs)
            self._inputs.append({n: z3.Const(f"in.{n}@{j}", s) for n, s in self.ivars})
        return self._inputs[k]

    def trans(self, k: int) -> Any:
        v, w, i = self.state(k), self.state(k + 1), self.inputs(k)
        pairs = [(self.tv[n], v[n]) for n in self.tv]
        pairs += [(self.tw[n], w[n]) for n in self.tw]
        pairs += [(self.ti[n], i[n]) for n in self.ti]
        return z3.substitute(self.template, *pairs)

    def trace(self, model: Any, depth: int) -> tuple[tuple[Valuation, ...], tuple[Valuation, ...]]:
        states = tuple(_value_of(model, self.state(k)) for k in range(depth + 1))
        inputs = tuple(_value_of(model, self.inputs(k)) for k in range(depth))
        return states, inputs

    def distinct(self, a: int, b: int) -> Any:
        va, vb = self.state(a), self.state(b)
        return z3.Or(*[va[n] != vb[n] for n in va])


def _value_of(model: Any, v: Mapping[str, Any]) -> Valuation:
    out: Valuation = {}
    for n, x in v.items():
        val = model.eval(x, model_completion=True)
        out[n] = z3.is_true(val) if z3.is_bool(val) else val.as_long()
    return out


def _solver(timeout: float | None, system: SymbolicSystem | None = None) -> Any:
    """A fresh solver; for pure bit-vector/Boolean systems the QF_BV one, which
    bit-blasts (the incremental core is far slower on these interleavings)."""
    pure = system is not None and all(
        z3.is_bv_sort(srt) or srt == z3.BoolSort()
        for _, srt in [*system.state_vars(), *system.input_vars()]
    )
    s = z3.SolverFor("QF_BV") if pure else z3.Solver()
    if timeout is not None:
        s.set("timeout", max(1, int(timeout * 1000)))
    return s


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.001, deadline - time.monotonic())


def _violation(
    engine: str,
    unroll: _Unroller,
    model: Any,
    depth: int,
    prop: StateFormula,
    escape: StateFormula | None,
    start: float,
) -> SmtResult:
    states, inputs = unroll.trace(model, depth)
    last = unroll.state(depth)
    if escape is not None and z3.is_true(model.eval(escape(last), model_completion=True)):
        return SmtResult(
            engine,
            Verdict.UNKNOWN,
            states,
            inputs,
            reason=f"the symbolic encoding's bounds are exceeded after {depth} steps",
            depth=depth,
            seconds=time.monotonic() - start,
        )
    return SmtResult(
        engine, Verdict.VIOLATED, states, inputs, depth=depth, seconds=time.monotonic() - start
    )


def _guarded(prop: StateFormula, escape: StateFormula | None) -> StateFormula:
    if escape is None:
        return prop
    return lambda v: z3.And(prop(v), z3.Not(escape(v)))


def _checkpoints(depth: int) -> list[int]:
    """0, 1, 2, 4, 8, ... and `depth`: one solver call per checkpoint."""
    out, k = [0], 1
    while k < depth:
        out.append(k)
        k *= 2
    if depth > 0:
        out.append(depth)
    return out


def _bounded(
    system: SymbolicSystem,
    good: StateFormula,
    k: int,
    deadline: float | None,
) -> tuple[Any, Any, _Unroller]:
    """Is a bad state reachable within k steps? (solver result, solver, unroller)."""
    unroll = _Unroller(system)
    s = _solver(_remaining(deadline), system)
    s.add(system.init(unroll.state(0)))
    bad = [z3.Not(good(unroll.state(j))) for j in range(k + 1)]
    for j in range(k):
        # steps after the first bad state are free: a bad state without
        # successor (a deadlock) must not need k real steps
        s.add(z3.Or(*bad[: j + 1], unroll.trans(j)))
    s.add(z3.Or(*bad))
    return s.check(), s, unroll


def _first_bad(model: Any, unroll: _Unroller, good: StateFormula, k: int) -> int:
    for j in range(k + 1):
        if z3.is_false(model.eval(good(unroll.state(j)), model_completion=True)):
            return j
    return k


def bmc(
    system: SymbolicSystem,
    prop: StateFormula,
    depth: int,
    *,
    escape: StateFormula | None = None,
    timeout: float | None = None,
) -> SmtResult:
    """Counterexamples of at most `depth` steps. A bad state within k steps is
    asked at checkpoints k = 0, 1, 2, 4, ..., depth (each query covers every
    shorter path; the trace is cut at its first bad state). HOLDS is never
    answered: no counterexample up to the bound is UNKNOWN."""
    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    good = _guarded(prop, escape)
    for k in _checkpoints(depth):
        r, s, unroll = _bounded(system, good, k, deadline)
        if r == z3.sat:
            model = s.model()
            return _violation(
                "bmc", unroll, model, _first_bad(model, unroll, good, k), prop, escape, start
            )
        if r == z3.unknown:
            return _unknown(
                "bmc", f"solver gave up within {k} steps: {s.reason_unknown()}", start, depth=k
            )
    return _unknown("bmc", f"no counterexample within {depth} steps", start, depth=depth)


def check_domain(system: SymbolicSystem, timeout: float | None = None) -> str | None:
    """None if `domain` holds initially and is preserved by every step; else why not."""
    u = _Unroller(system)
    v, w = u.tv, u.tw
    s = _solver(timeout, system)
    s.add(system.init(v), z3.Not(system.domain(v)))
    if s.check() != z3.unsat:
        return "the domain constraints do not hold initially"
    s = _solver(timeout, system)
    s.add(system.domain(v), u.template, z3.Not(system.domain(w)))
    if s.check() != z3.unsat:
        return "the domain constraints are not preserved by the transition relation"
    return None


def kinduction(
    system: SymbolicSystem,
    prop: StateFormula,
    max_k: int,
    *,
    escape: StateFormula | None = None,
    timeout: float | None = None,
) -> SmtResult:
    """k-induction with simple-path constraints, k = 0..max_k: the base case is
    BMC; the step case asks for k + 1 distinct consecutive states, all in the
    domain, the first k + 1 good and the last bad."""
    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    problem = check_domain(system, _remaining(deadline))
    if problem is not None:
        return SmtResult("kind", Verdict.UNKNOWN, reason=problem)
    good = _guarded(prop, escape)
    for k in range(max_k + 1):
        # base case: no bad state within k steps
        r, base, base_u = _bounded(system, good, k, deadline)
        if r == z3.sat:
            model = base.model()
            return _violation(
                "kind", base_u, model, _first_bad(model, base_u, good, k), prop, escape, start
            )
        if r == z3.unknown:
            return _unknown(
                "kind", f"base case at k = {k}: {base.reason_unknown()}", start, depth=k
            )
        # step case: good s0..sk, distinct s0..s(k+1), bad s(k+1)
        step_u = _Unroller(system)
        step = _solver(_remaining(deadline), system)
        for j in range(k + 1):
            step.add(system.domain(step_u.state(j)), good(step_u.state(j)), step_u.trans(j))
            for i in range(j):
                step.add(step_u.distinct(i, j))
        for j in range(k + 1):
            step.add(step_u.distinct(j, k + 1))
        step.add(system.domain(step_u.state(k + 1)), z3.Not(good(step_u.state(k + 1))))
        r = step.check()
        if r == z3.unsat:
            return SmtResult(
                "kind",
                Verdict.HOLDS,
                certificate=f"k = {k + 1}: every path of {k + 1} good distinct steps "
                "ends in a good state",
                depth=k + 1,
                seconds=time.monotonic() - start,
            )
        if r == z3.unknown:
            return _unknown(
                "kind", f"step case at k = {k}: {step.reason_unknown()}", start, depth=k
            )
    return _unknown(
        "kind",
        f"not {max_k + 1}-inductive and no counterexample within {max_k} steps",
        start,
        depth=max_k,
    )


def check_invariant(
    system: SymbolicSystem,
    inv: StateFormula,
    prop: StateFormula,
    timeout: float | None = None,
    use_domain: bool = False,
) -> str | None:
    """None if `inv` is an inductive invariant implying `prop` (three separate
    solver calls); else which obligation failed. `use_domain` only once
    `check_domain` has passed."""
    u = _Unroller(system)
    v, w = u.tv, u.tw
    dom = system.domain(v) if use_domain else z3.BoolVal(True)
    checks = (
        ("init => inv", z3.And(system.init(v), z3.Not(inv(v)))),
        ("inv & trans => inv'", z3.And(inv(v), dom, u.template, z3.Not(inv(w)))),
        ("inv => property", z3.And(inv(v), z3.Not(prop(v)))),
    )
    for name, query in checks:
        s = _solver(timeout, system)
        s.add(query)
        r = s.check()
        if r != z3.unsat:
            return f"{name} fails ({r})"
    return None


def pdr(
    system: SymbolicSystem,
    prop: StateFormula,
    *,
    escape: StateFormula | None = None,
    timeout: float | None = None,
    cex_depth: int = 60,
) -> SmtResult:
    """Spacer on the CHC system init => Inv, Inv & trans => Inv', Inv & bad =>
    false. A proof is accepted only after `check_invariant` re-checks the
    invariant Spacer reports; a violation is made concrete by BMC."""
    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    good = _guarded(prop, escape)
    problem = check_domain(system, timeout)
    u = _Unroller(system)
    sorts = [s for _, s in u.svars]
    inv_rel = z3.Function("Inv", *sorts, z3.BoolSort())
    fp = z3.Fixedpoint()
    fp.set(engine="spacer")
    if timeout is not None:
        fp.set(timeout=max(1, int(timeout * 1000)))
    fp.register_relation(inv_rel)
    v = [u.tv[n] for n, _ in u.svars]
    w = [u.tw[n] for n, _ in u.svars]
    fp.declare_var(*v, *w, *u.ti.values())
    fp.rule(inv_rel(*v), system.init(u.tv))
    body = [inv_rel(*v), u.template]
    if problem is None:
        body.append(system.domain(u.tv))
    fp.rule(inv_rel(*w), body)
    try:
        r = fp.query(z3.And(inv_rel(*v), z3.Not(good(u.tv))))
    except z3.Z3Exception as exc:  # timeouts surface as "canceled"
        return _unknown("pdr", f"Spacer stopped: {exc}", start)
    if r == z3.unknown:
        return _unknown("pdr", f"Spacer gave up: {fp.reason_unknown()}", start)
    if r == z3.sat:
        found = bmc(system, prop, cex_depth, escape=escape, timeout=_remaining(deadline))
        return SmtResult(
            "pdr",
            found.verdict,
            found.trace,
            found.inputs,
            reason=found.reason or "",
            depth=found.depth,
            seconds=time.monotonic() - start,
        )
    cover = fp.get_cover_delta(-1, inv_rel)
    names = [n for n, _ in u.svars]

    def inv(vals: Vars) -> Any:
        return z3.substitute_vars(cover, *[vals[n] for n in names])

    failed = check_invariant(system, inv, good, _remaining(deadline), problem is None)
    if failed is not None:
        return _unknown("pdr", f"Spacer's invariant did not re-check: {failed}", start)
    return SmtResult(
        "pdr",
        Verdict.HOLDS,
        certificate=str(z3.simplify(inv(u.tv))),
        seconds=time.monotonic() - start,
    )


def houdini(
    system: SymbolicSystem,
    prop: StateFormula,
    lemmas: Sequence[Lemma] | None = None,
    *,
    escape: StateFormula | None = None,
    timeout: float | None = None,
) -> SmtResult:
    """Houdini: the largest inductive subset of the candidate lemmas, found by
    dropping, round after round, every candidate that fails initially or after
    one step from a state satisfying all the survivors (one solver call per
    round: its model refutes several candidates at once). If the survivors
    imply the property, their conjunction with it is re-checked by
    `check_invariant` and is the certificate. The property is first left out
    of the candidates (its next-state copy is the costliest formula) and only
    added, for a second fixpoint, if the first does not imply it. Houdini never
    finds counterexamples: otherwise the answer is UNKNOWN. `lemmas` defaults to
    the system's own (`HasLemmas`)."""
    start = time.monotonic()
    deadline = None if timeout is None else start + timeout

    def unknown(reason: str) -> SmtResult:
        return _unknown("houdini", reason, start)

    if lemmas is None:
        propose = getattr(system, "lemmas", None)
        lemmas = list(propose(deadline)) if propose is not None else []
    good = _guarded(prop, escape)
    use_domain = check_domain(system, _remaining(deadline)) is None
    rounds = 0
    kept: list[Lemma] = []
    for with_prop in (False, True):
        cands = [Lemma("the property", good), *lemmas] if with_prop else list(lemmas)
        fix = _houdini_fixpoint(system, cands, use_domain, deadline)
        if isinstance(fix, str):
            return unknown(fix)
        rounds += fix[1]
        kept = [cands[k] for k in fix[0]]
        if with_prop:
            if not fix[0] or fix[0][0] != 0:
                return unknown(
                    f"the property is not implied by the inductive part of the {len(lemmas)} "
                    f"candidate lemmas ({len(kept)} kept after {rounds} rounds)"
                )
            kept = kept[1:]
            break
        s = _solver(_remaining(deadline), system)
        u = _Unroller(system)
        s.add(*[c.formula(u.tv) for c in kept], z3.Not(good(u.tv)))
        if use_domain:
            s.add(system.domain(u.tv))
        r = s.check()
        if r == z3.unsat:
            break
        if r == z3.unknown:
            return unknown(f"solver gave up on inv => property: {s.reason_unknown()}")
    final = tuple(kept)

    def inv(vals: Vars) -> Any:
        return z3.And(good(vals), *[c.formula(vals) for c in final])

    failed = check_invariant(system, inv, good, _remaining(deadline), use_domain)
    if failed is not None:
        return unknown(f"the surviving lemmas did not re-check: {failed}")
    lines = [
        f"the property and {len(final)} of {len(lemmas)} candidate lemmas "
        f"are inductive ({rounds} rounds):"
    ]
    lines += [f"  {c.name}" for c in final]
    return SmtResult(
        "houdini",
        Verdict.HOLDS,
        certificate="\n".join(lines),
        depth=rounds,
        seconds=time.monotonic() - start,
    )


def _houdini_fixpoint(
    system: SymbolicSystem, cands: Sequence[Lemma], use_domain: bool, deadline: float | None
) -> tuple[list[int], int] | str:
    """(indices of the largest inductive subset of `cands`, rounds), or why the
    solver gave up."""
    u = _Unroller(system)
    v, w = u.tv, u.tw
    now = [c.formula(v) for c in cands]
    alive = list(range(len(cands)))
    rounds = 0
    # initiation: drop what the initial states falsify
    s = _solver(_remaining(deadline))
    s.add(system.init(v))
    while alive:
        s.push()
        s.add(z3.Not(z3.And(*[now[k] for k in alive])))
        s.set("timeout", _ms(deadline))
        r = s.check()
        if r == z3.unknown:
            return f"solver gave up on the initial states: {s.reason_unknown()}"
        if r == z3.unsat:
            s.pop()
            break
        model = s.model()
        alive = [k for k in alive if z3.is_true(model.eval(now[k], model_completion=True))]
        s.pop()
        rounds += 1
    commands = getattr(system, "commands", None)
    if commands is not None:
        return _houdini_commands(
            system, cands, now, alive, rounds, commands(), use_domain, deadline
        )
    # consecution: drop what one step from the survivors falsifies
    nxt = [c.formula(w) for c in cands]
    sel = [z3.Bool(f"houdini!{k}") for k in range(len(cands))]
    s = _solver(_remaining(deadline))
    s.add(u.template)
    if use_domain:
        s.add(system.domain(v))
    for k in alive:
        s.add(z3.Implies(sel[k], now[k]))
    while alive:
        s.push()
        s.add(z3.Or(*[z3.Not(nxt[k]) for k in alive]))
        s.set("timeout", _ms(deadline))
        r = s.check(*[sel[k] for k in alive])
        if r == z3.unknown:
            return (
                f"solver gave up after {rounds} rounds, {len(alive)} of {len(cands)} "
                f"candidates left: {s.reason_unknown()}"
            )
        if r == z3.unsat:
            s.pop()
            break
        model = s.model()
        alive = [k for k in alive if z3.is_true(model.eval(nxt[k], model_completion=True))]
        s.pop()
        rounds += 1
    return alive, rounds


def _houdini_commands(
    system: SymbolicSystem,
    cands: Sequence[Lemma],
    now: Sequence[Any],
    alive: list[int],
    rounds: int,
    commands: Sequence[tuple[Any, Sequence[tuple[str, Any]]]],
    use_domain: bool,
    deadline: float | None,
) -> tuple[list[int], int] | str:
    """Consecution command by command: a command can only falsify the
    candidates over a variable it writes, and its query is small. Passes over
    all commands until one drops nothing. (Only a faster way to the same kind
    of fixpoint: the caller re-checks the result on the whole relation.)"""
    u = _Unroller(system)
    v = u.tv
    sel = [z3.Bool(f"houdini!{k}") for k in range(len(cands))]
    s = _solver(_remaining(deadline))
    if use_domain:
        s.add(system.domain(v))
    for k in alive:
        s.add(z3.Implies(sel[k], now[k]))
    names = [_names_in(f) for f in now]
    live = set(alive)
    subs = [_Substitution([(v[n], e) for n, e in updates]) for _, updates in commands]
    writes = [frozenset(n for n, _ in updates) for _, updates in commands]
    posts: dict[tuple[int, int], Any] = {}

    def post_of(c: int, k: int) -> Any:
        got = posts.get((c, k))
        if got is None:
            got = posts[(c, k)] = subs[c](now[k])
        return got

    def also_refuted(model: Any) -> set[int]:
        """What the other commands enabled in the model's pre-state refute:
        that state satisfies every survivor, so each is a genuine
        counterexample to induction (more drops per solver call)."""
        out: set[int] = set()
        for c, (guard, _) in enumerate(commands):
            if not z3.is_true(model.eval(guard, model_completion=True)):
                continue
            for k in live:
                if (
                    k not in out
                    and names[k] & writes[c]
                    and not z3.is_true(model.eval(post_of(c, k), model_completion=True))
                ):
                    out.add(k)
        return out

    changed = True
    while changed:
        changed = False
        for c, (guard, _) in enumerate(commands):
            touched = [k for k in sorted(live) if names[k] & writes[c]]
            if not touched:
                continue
            post = {k: post_of(c, k) for k in touched}
            while touched:
                s.push()
                s.add(guard, z3.Or(*[z3.Not(post[k]) for k in touched]))
                s.set("timeout", _ms(deadline))
                r = s.check(*[sel[k] for k in sorted(live)])
                if r == z3.unknown:
                    return (
                        f"solver gave up after {rounds} rounds, {len(live)} of {len(cands)} "
                        f"candidates left: {s.reason_unknown()}"
                    )
                if r == z3.unsat:
                    s.pop()
                    break
                model = s.model()
                gone = {
                    k for k in touched if not z3.is_true(model.eval(post[k], model_completion=True))
                }
                gone |= also_refuted(model)
                s.pop()
                live -= gone
                touched = [k for k in touched if k not in gone]
                rounds += 1
                changed = True
    return sorted(live), rounds


class _Substitution:
    """`z3.substitute` with fixed pairs, without its per-call checks (the
    Python side dominated Houdini's time)."""

    def __init__(self, pairs: Sequence[tuple[Any, Any]]) -> None:
        self.keep = pairs
        self.n = len(pairs)
        self.src = (z3.Ast * self.n)()
        self.dst = (z3.Ast * self.n)()
        for j, (a, b) in enumerate(pairs):
            self.src[j] = a.as_ast()
            self.dst[j] = b.as_ast()

    def __call__(self, e: Any) -> Any:
        ctx = e.ctx
        return z3.z3._to_expr_ref(
            z3.Z3_substitute(ctx.ref(), e.as_ast(), self.n, self.src, self.dst), ctx
        )


def _names_in(f: Any) -> frozenset[str]:
    """The names of the uninterpreted constants of a formula."""
    out: set[str] = set()
    seen: set[int] = set()
    todo = [f]
    while todo:
        e = todo.pop()
        key = e.get_id()
        if key in seen:
            continue
        seen.add(key)
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out.add(e.decl().name())
        else:
            todo.extend(e.children())
    return frozenset(out)


def _ms(deadline: float | None) -> int:
    """A solver timeout in milliseconds (the z3 maximum when there is no deadline)."""
    left = _remaining(deadline)
    return 4294967295 if left is None else max(1, int(left * 1000))


ENGINES = ("bmc", "kind", "pdr", "houdini")


def run(
    engine: str,
    system: SymbolicSystem,
    prop: StateFormula,
    *,
    depth: int = 30,
    escape: StateFormula | None = None,
    timeout: float | None = None,
) -> SmtResult:
    """One engine by name (`depth`: BMC's bound, k-induction's largest k)."""
    if engine == "bmc":
        return bmc(system, prop, depth, escape=escape, timeout=timeout)
    if engine == "kind":
        return kinduction(system, prop, depth, escape=escape, timeout=timeout)
    if engine == "pdr":
        return pdr(system, prop, escape=escape, timeout=timeout, cex_depth=depth)
    if engine == "houdini":
        return houdini(system, prop, escape=escape, timeout=timeout)
    raise ValueError(f"unknown engine {engine!r}; engines: {', '.join(ENGINES)}")


def state_formula(f: Any, atom: Callable[[Any], StateFormula]) -> StateFormula:
    """A propositional LTL formula (checker.ltl AST, e.g. from `invariant_of`)
    as a state formula; `atom` gives each atom's builder."""
    from . import ltl as L

    def build(g: Any) -> StateFormula:
        if isinstance(g, L.TrueF):
            return lambda v: z3.BoolVal(True)
        if isinstance(g, L.FalseF):
            return lambda v: z3.BoolVal(False)
        if isinstance(g, L.Atom):
            return atom(g)
        if isinstance(g, L.Not):
            a = build(g.arg)
            return lambda v: z3.Not(a(v))
        op: Callable[[Any, Any], Any]
        if isinstance(g, L.And):
            op = z3.And
        elif isinstance(g, L.Or):
            op = z3.Or
        elif isinstance(g, L.Implies):
            op = z3.Implies
        elif isinstance(g, L.Equiv):
            op = _equal
        elif isinstance(g, L.Xor):
            op = z3.Xor
        else:
            raise ValueError(f"not a state formula: {L.to_text(g)}")
        left, right = build(g.left), build(g.right)
        return lambda v: op(left(v), right(v))

    return build(f)


def _equal(x: Any, y: Any) -> Any:
    return x == y
