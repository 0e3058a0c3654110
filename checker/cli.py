"""The command line: the composition root.

This is the one module of `checker` that knows Concerto-D: it wires the front
end (`cdcheck.lang`) and the semantics (`cdcheck.spec`) to the generic
algorithms. Every subcommand is a `_cmd_*` function registered in
`_build_parser`; every failure on bad input ends in a located message and exit
code 2, never in a traceback.

Exit codes (for CI): 0 ok / property holds, 1 property violated, 2 bad input or
usage, 3 inconclusive (a limit was reached).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from rich.console import Console

from cdcheck.lang import ast as A
from cdcheck.lang.check import check_plan
from cdcheck.lang.diagnostics import PlanError, SourceCache, render, render_all
from cdcheck.lang.loader import Loader

EXIT_OK = 0
EXIT_VIOLATED = 1
EXIT_BAD_INPUT = 2
EXIT_UNKNOWN = 3

EPILOG = """\
examples:
  cdcheck models/cps/update.cd              check a plan: default suite and its properties
  cdcheck plan.cd --ltl "G !deadlock"       check one formula (repeatable)
  cdcheck plan.cd --property terminates     check one named property
  cdcheck plan.cd --sarif r.sarif --junit r.xml --trace-out t.json
  cdcheck plan.cd --summary                 only parse, check statically, summarize
  cdcheck run plan.cd --seed 3              one random execution, as a trace
  cdcheck export --to maude plan.cd         the plan as a module of the Maude formalization
  cdcheck fmt --check models/*/*.cd         CI: fail if a plan is not formatted
  cdcheck family cps-update 3 > cps3.cd     print a generated plan of a family
  cdcheck plan assembly.cd --goals g.yaml -o plan.cd   synthesize a verified plan
  cdcheck spark job.py                      prove a Spark job's aggregations with Z3

commands: check (the default), run, export, fmt, family, plan, spark; `cdcheck COMMAND -h`
exit codes: 0 ok, 1 property violated, 2 bad input or usage, 3 inconclusive
"""


def _version() -> str:
    try:
        return version("cdcheck")
    except PackageNotFoundError:  # running from a source tree without install
        return "unknown"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors raise instead of exiting, so that main decides."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message}\n\n{self.format_usage()}")


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True, emoji=False)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def _report_plan_error(exc: PlanError, sources: SourceCache) -> int:
    _stderr().print(render_all(exc.diagnostics, sources), markup=False)
    return EXIT_BAD_INPUT


def load_checked(path: str) -> tuple[A.Plan, SourceCache, list[str]]:
    """Load, resolve includes and statically check a plan; warnings are returned rendered."""
    loader = Loader()
    plan = loader.load(path)
    diagnostics = check_plan(plan)
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise PlanError(diagnostics, loader.sources)
    warnings = [render(d, loader.sources) for d in diagnostics]
    return plan, loader.sources, warnings


# ----------------------------------------------------------------------------- check


def _cmd_check(args: argparse.Namespace) -> int:
    """`cdcheck plan.cd`: static checks, then every selected property by search."""
    from cdcheck.spec.model import ModelError, compile_plan
    from cdcheck.spec.system import ConcertoSystem

    problem = _check_flags(args)
    if problem:
        _stderr().print(f"cdcheck: error: {problem}", markup=False)
        return EXIT_BAD_INPUT
    try:
        plan, _sources, warnings = load_checked(args.plan)
    except PlanError as exc:
        return _report_plan_error(exc, _sources_of(exc))
    err = _stderr()
    for w in warnings:
        err.print(w, markup=False)
    if args.summary:
        _print_summary(plan)
        return EXIT_OK
    try:
        system = ConcertoSystem(compile_plan(plan, args.profile))
    except ModelError as exc:
        err.print(f"{args.plan}:1:1: error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    try:
        properties = _select_properties(plan, args)
        goals = [
            replace(
                _compile_property(p, system),
                fair="steps" if (p.name == "terminates" and p.origin == "default") else args.fair,
            )
            for p in properties
        ]
    except _PropertyError as exc:
        err.print(str(exc), markup=False)
        return EXIT_BAD_INPUT
    return _run_checks(plan, system, goals, args)


@dataclass(frozen=True)
class _Property:
    name: str
    formula: str
    file: str
    line: int
    col: int
    origin: str  # "plan", "default" or "command line"


@dataclass(frozen=True)
class _Goal:
    prop: _Property
    formula: Any
    predicate: Any  # a state predicate for invariants, None otherwise
    deadlock: bool  # `G !deadlock`, decided by the search itself
    valuation: Any = None  # atom values for the automaton, for every other formula
    fair: str = "none"

    @property
    def is_safety(self) -> bool:
        return self.valuation is None


class _PropertyError(Exception):
    """A property that cannot be checked: bad formula, unknown atom or name."""


def _check_flags(args: argparse.Namespace) -> str | None:
    for flag in ("max_states", "max_depth", "max_memory"):
        value = getattr(args, flag)
        if value is not None and value <= 0:
            return f"--{flag.replace('_', '-')} must be positive, got {value}"
    if args.timeout is not None and args.timeout <= 0:
        return f"--timeout must be positive, got {args.timeout:g}"
    if args.summary and (args.ltl or args.property):
        return "--summary only parses and checks the plan: drop --ltl and --property"
    return None


def _default_properties(plan: A.Plan) -> list[_Property]:
    """deadlock-free, port-consistency and terminates. `terminates` is checked
    under weak fairness per step (see _cmd_check): per-node fairness is too weak
    for it, since a node that keeps answering other nodes' questions counts as
    moving while its own transition starves."""
    from cdcheck.spec.suite import port_consistency_formula

    return [
        _Property("deadlock-free", "G !deadlock", plan.path, 1, 1, "default"),
        _Property("port-consistency", port_consistency_formula(plan), plan.path, 1, 1, "default"),
        _Property("terminates", "F done", plan.path, 1, 1, "default"),
    ]


def _select_properties(plan: A.Plan, args: argparse.Namespace) -> list[_Property]:
    from cdcheck.lang.diagnostics import did_you_mean

    own = [
        _Property(
            p.name.text,
            p.formula,
            p.formula_span.file,
            p.formula_span.line,
            p.formula_span.col,
            "plan",
        )
        for p in plan.properties
    ]
    available = {p.name: p for p in [*_default_properties(plan), *own]}
    chosen: list[_Property] = []
    for name in args.property or []:
        if name not in available:
            hint = did_you_mean(name, available) or f"known: {', '.join(available)}"
            raise _PropertyError(f"cdcheck: error: no property named `{name}` ({hint})")
        chosen.append(available[name])
    for k, text in enumerate(args.ltl or [], start=1):
        chosen.append(_Property(f"ltl-{k}", text, "--ltl", 1, 1, "command line"))
    if not chosen:
        chosen = list(available.values())
    return chosen


def _compile_property(prop: _Property, system: Any) -> _Goal:
    from cdcheck.checker import ltl as L
    from cdcheck.checker.predicates import compile_predicate
    from cdcheck.spec.props import AtomError

    offset = L.SourceOffset(prop.file, prop.line, prop.col) if prop.origin == "plan" else None
    label = "--ltl formula" if prop.origin == "command line" else "formula"
    try:
        formula = L.parse(prop.formula)
    except L.LtlError as exc:
        raise _PropertyError(L.render_error(exc, prop.formula, offset, label=label)) from None
    atoms = system.atoms()

    def resolve(atom: L.Atom) -> Any:
        try:
            return atoms.compile(str(atom))
        except AtomError as exc:
            start, end = atom.span or (0, len(prop.formula))
            raise _PropertyError(
                L.render_error(L.LtlError(str(exc), start, end), prop.formula, offset, label=label)
            ) from None

    for atom in L.atoms(formula):
        resolve(atom)
    if formula == L.Globally(L.Not(L.Atom("deadlock"))):
        return _Goal(prop, formula, None, True)
    state_formula = L.invariant_of(formula)
    if state_formula is None:  # not `G p`: the automaton product decides it
        return _Goal(prop, formula, None, False, valuation=_valuation(resolve))
    predicate = compile_predicate(state_formula, resolve)
    return _Goal(prop, formula, predicate, False)


def _valuation(resolve: Callable[[Any], Any]) -> Callable[[Any, Any], bool]:
    """Atom values for the automaton, each atom's predicate compiled once."""
    compiled: dict[Any, Any] = {}

    def value(atom: Any, state: Any) -> bool:
        pred = compiled.get(atom)
        if pred is None:
            pred = compiled[atom] = resolve(atom)
        return bool(pred(state))

    return value


def _run_checks(plan: A.Plan, system: Any, goals: list[_Goal], args: argparse.Namespace) -> int:
    from cdcheck.checker import ltl as L
    from cdcheck.checker.buchi import translate
    from cdcheck.checker.emptiness import check_ltl
    from cdcheck.checker.progress import ProgressDisplay
    from cdcheck.checker.report import (
        Location,
        Report,
        build_property_report,
        render_json,
        render_junit,
        render_sarif,
        render_terminal,
    )
    from cdcheck.checker.search import Invariant, Limits, check_safety
    from cdcheck.spec.diagnose import explain_blocked

    memory = args.max_memory if args.max_memory is not None else _default_memory_limit()
    limits = Limits(args.max_states, args.max_depth, args.timeout, memory)
    safety = [g for g in goals if g.is_safety]
    deadlock_goal = next((g for g in safety if g.deadlock), None)
    atoms = system.atoms()
    results: dict[str, Any] = {}
    stats_of: dict[str, Any] = {}
    stopped: str | None = None
    notes: list[str] = []
    quiet_states = 0
    if args.por and not args.exact_fifo and args.engine in ("explicit", "auto"):
        proved, proved_stats, quiet_notes = _decide_quietly(system, goals, limits)
        quiet_states = max((s.states for s in proved_stats.values()), default=0)
        results.update(proved)
        stats_of.update(proved_stats)
        notes += quiet_notes
        safety = [g for g in safety if g.prop.name not in proved]
    if safety and args.engine in ("explicit", "auto"):
        # with the reduction, each property is searched alone: the stubborn
        # sets must wait for whatever could violate the properties searched
        batches = [[g] for g in safety] if args.por else [safety]
        for batch in batches:
            decide = _decide_by_conjuncts if args.por else _decide_safety
            if args.por and _together(system, batch, args):
                # the quiet deadlock search tells what a flagged search costs
                decide = partial(_decide_conjuncts_together, first_bound=2 * quiet_states)
            decided, batch_stats, batch_stopped, batch_notes = decide(
                system, batch, args, limits, plan.path
            )
            results.update(decided)
            stats_of.update(batch_stats)
            stopped = stopped or batch_stopped
            notes += [n for n in batch_notes if n not in notes]
        if args.compare_por:
            full = check_safety(
                system,
                invariants=[Invariant(g.prop.name, g.predicate) for g in safety if not g.deadlock],
                check_deadlock=deadlock_goal is not None,
                is_final=atoms.done,
                limits=limits,
            )
            reduced_states = max(s.states for s in stats_of.values())
            notes.append(
                f"reduction: {reduced_states:,} states against {full.stats.states:,} without "
                f"({full.stats.seconds:.2f} s)"
                + ("" if full.stats.complete else ", the full search stopped by a limit")
            )
    for g in safety if args.engine != "explicit" else ():
        prior = results.get(g.prop.name)
        if prior is None or prior.verdict.value == "unknown":
            results[g.prop.name], stats_of[g.prop.name] = _symbolic_check(system, g, args)
    liveness = [g for g in goals if not g.is_safety and g.prop.name not in results]
    forgetful = _forgetful(system, args) if liveness else system
    for g in liveness:
        fairness = {"nodes": _node_of, "steps": _step_identity}.get(g.fair)
        if forgetful is not system:
            g = replace(g, valuation=_compile_property(g.prop, forgetful).valuation)
        explored, por_note = _maybe_reduced_ltl(forgetful, g, args)
        notes += por_note
        with ProgressDisplay(f"checking {g.prop.name}", quiet=args.quiet) as progress:
            result, stats = check_ltl(
                explored,
                translate(L.Not(g.formula)),
                g.valuation,
                name=g.prop.name,
                fairness=fairness,
                limits=limits,
                progress=progress,
            )
        if result.trace is not None and forgetful is not system:
            result = replace(result, trace=_on_plain(system, result.trace))
        results[g.prop.name] = result
        stats_of[g.prop.name] = stats
    describe = _describe_with_stutter(system)
    reports = []
    for g in goals:
        result = results[g.prop.name]
        explain: Callable[[Any], Sequence[str]] | None = None
        if g.deadlock:
            explain = partial(explain_blocked, system)
        elif not g.is_safety and result.trace is not None:
            explain = _starvation_explainer(system, result.trace)
        elif g.predicate is not None and g.prop.origin != "default":
            explain = partial(_atom_values, g.formula, system.atoms())
        reports.append(
            build_property_report(
                result,
                formula=_shown_formula(g.prop) + _fairness_note(g.fair),
                location=Location(
                    g.prop.file if g.prop.origin == "plan" else plan.path,
                    g.prop.line,
                    g.prop.col,
                ),
                describe=describe,
                state_view=partial(_state_view, system),
                explain=explain,
            )
        )
    report = Report(
        plan.path, tuple(reports), _merge_stats(list(stats_of.values())), stopped, tuple(notes)
    )
    out = _stdout()
    render_terminal(report, out, fold=_QUIET_RULES)
    _print_results_table(report, stats_of)
    options = {k: v for k, v in vars(args).items() if k not in ("plan",) and not callable(v)}
    renderers: list[tuple[str | None, Callable[[], str]]] = [
        (args.json, lambda: render_json(report, options)),
        (args.sarif, lambda: render_sarif(report, _version())),
        (args.junit, lambda: render_junit(report)),
    ]
    for path, write in renderers:
        if path:
            _write_output(path, write())
    if args.trace_out:
        _write_trace(args.trace_out, report)
    return report.exit_code


def _symbolic_check(system: Any, goal: _Goal, args: argparse.Namespace) -> tuple[Any, Any]:
    """One invariant by a Z3 engine (`--engine`; `auto`: k-induction, then PDR).
    Inbox capacities are doubled after an overflow (twice); a counterexample is
    replayed through the explicit semantics and must violate the property there."""
    from cdcheck.checker import ltl as L
    from cdcheck.checker import smt
    from cdcheck.checker.search import PropertyResult, Stats, Trace, Verdict
    from cdcheck.spec.symbolic import AtomNames, SymbolicConcerto, SymbolicUnsupported, replay

    engines = ["kind", "pdr"] if args.engine == "auto" else [args.engine]
    names = AtomNames(system.atoms())
    timeout = args.timeout or 120.0
    result: Any = None
    formula = L.Not(L.Atom("deadlock")) if goal.deadlock else L.invariant_of(goal.formula)
    for scale in (1, 2, 4):
        for engine in engines:
            try:  # Spacer generalizes over integers, the others bit-blast
                sym = SymbolicConcerto(system.model, scale, bitvec=engine not in ("pdr", "houdini"))
            except SymbolicUnsupported as exc:
                return PropertyResult(goal.prop.name, Verdict.UNKNOWN, reason=str(exc)), None
            prop = smt.state_formula(formula, partial(_symbolic_atom, sym, names))
            result = smt.run(
                engine, sym, prop, depth=args.depth, escape=sym.overflow, timeout=timeout
            )
            if result.verdict is not Verdict.UNKNOWN:
                break
        if not (result.verdict is Verdict.UNKNOWN and result.trace):
            break
    stats = Stats(0, 0, result.depth, 0, result.seconds, 0.0, result.verdict is not Verdict.UNKNOWN)
    if result.verdict is Verdict.VIOLATED:
        run = replay(system, sym, result.trace)
        last = run[-1][1]
        bad = system.atoms().deadlock(last) if goal.deadlock else not goal.predicate(last)
        if not bad:
            raise AssertionError(f"{goal.prop.name}: replayed symbolic trace does not violate it")
        trace = Trace(tuple(s for _, s in run), tuple(step for step, _ in run[1:]))
        reason = f"found by {result.engine} (replayed)"
        return PropertyResult(goal.prop.name, Verdict.VIOLATED, trace, reason), stats
    if result.verdict is Verdict.HOLDS:
        if args.explain:
            _stdout().print(
                f"{goal.prop.name}: proved by {result.engine}; certificate:\n{result.certificate}",
                markup=False,
            )
        proved = f"proved by {result.engine}"
        return PropertyResult(goal.prop.name, Verdict.HOLDS, reason=proved), stats
    return PropertyResult(goal.prop.name, Verdict.UNKNOWN, reason=result.reason), stats


def _symbolic_atom(sym: Any, names: Any, atom: Any) -> Any:
    return sym.atom(str(atom), names)


def _atom_values(formula: Any, atoms: Any, state: Any) -> list[str]:
    """The value of each atom of a violated invariant in the violating state."""
    from cdcheck.checker import ltl as L

    values = [
        f"{atom} = {str(bool(atoms.compile(str(atom))(state))).lower()}"
        for atom in sorted(L.atoms(formula), key=str)
    ]
    return ["in the last state: " + ", ".join(values)] if values else []


def _default_memory_limit() -> int | None:
    """80% of the memory available when the check starts (from /proc/meminfo).

    A state explosion then ends in verdict "unknown" (exit 3) with the figures
    reached, instead of the kernel killing the process with nothing said.
    """
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(int(line.split()[1]) / 1024 * 0.8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _decide_safety(
    system: Any, goals: list[_Goal], args: argparse.Namespace, limits: Any, label: str
) -> tuple[dict[str, Any], dict[str, Any], str | None, list[str]]:
    """Results, figures, the limit that stopped a search (if any) and notes for
    safety goals searched together: on the FIFO relaxation first when it is
    used (a proof there is a proof), then on the exact semantics for the goals
    it found violated (its counterexamples may need an order the FIFOs
    forbid, so only the exact search reports one). A relaxed search stopped by
    a limit ends the matter: the exact one is no smaller. Deadlock freedom
    found on the relaxation of a plan whose questions have several askers is
    not a proof (an answer may reach the wrong asker there, and checking that
    it cannot, `RelaxedSystem.takeable`, takes a far larger search than the
    exact semantics with forgotten answers): the exact search decides."""
    from cdcheck.checker.search import Verdict

    results: dict[str, Any] = {}
    stats_of: dict[str, Any] = {}
    notes: list[str] = []
    stopped: str | None = None
    transfers = True
    relaxation = _relaxed_goals(system, goals, args)
    if relaxation is not None:
        relaxed, relaxed_goals = relaxation
        search, _ = _safety_search(relaxed, relaxed_goals, args, limits, label)
        for g in relaxed_goals:
            result = _result_of(search, g)
            if result.verdict is Verdict.VIOLATED:
                continue  # only the exact semantics reports a violation
            stats_of[g.prop.name] = search.stats
            if result.verdict is Verdict.UNKNOWN:
                stopped = search.stopped_by
            elif g.deadlock and not relaxed.deadlocks_transfer:
                notes.append(
                    f"no deadlock on the FIFO relaxation ({search.stats.states:,} states); "
                    "as some questions have several askers, an answer may reach the wrong "
                    "one there, so deadlock freedom is decided on the exact FIFO semantics "
                    "(docs/relaxation.md)"
                )
                transfers = False
                del stats_of[g.prop.name]
                continue
            where = f"on {relaxed.title}"
            if result.reason and where not in result.reason:
                result = replace(result, reason=f"{result.reason} ({where})")
            results[g.prop.name] = replace(result, reason=result.reason or f"proved {where}")
        proved = [name for name, r in results.items() if r.verdict is Verdict.HOLDS]
        if proved and stopped is None:
            names = ", ".join(f"`{name}`" for name in proved)
            notes.append(f"{names}: proved on {relaxed.title} ({relaxed.summary})")
    pending = [g for g in goals if g.prop.name not in results]
    if pending:
        if relaxation is not None and transfers:
            names = ", ".join(f"`{g.prop.name}`" for g in pending)
            notes.append(f"{names}: searched on the exact FIFO semantics")
        exact = _forgetful(system, args)
        exact_goals = [_on_system(g, exact) for g in pending] if exact is not system else pending
        search, por_note = _safety_search(exact, exact_goals, args, limits, label)
        notes += por_note
        stopped = stopped or search.stopped_by
        for g in exact_goals:
            result = _result_of(search, g)
            if result.trace is not None and exact is not system:
                result = replace(result, trace=_on_plain(system, result.trace))
            results[g.prop.name] = result
            stats_of[g.prop.name] = search.stats
    return results, stats_of, stopped, notes


def _conjunct_goals(goal: _Goal, system: Any) -> list[_Goal]:
    """An invariant `G (p1 & ... & pk)` as k goals `G pi` named `name#i`
    (the goal itself when it has one conjunct, or is deadlock freedom).

    Why: with the reduction, a search waits for every step that could violate
    one of the invariants it checks (the goal condition of `checker.por`):
    searching each conjunct alone waits for far less. Port consistency of CPS
    with 2 pairs, on the whole plan: 7 searches, 377,394 states in 100 s,
    where one search of the whole did not finish in 10 minutes (with local
    views, 1,728 states)."""
    from cdcheck.checker import ltl as L
    from cdcheck.checker.predicates import compile_predicate

    state_formula = None if goal.deadlock else L.invariant_of(goal.formula)
    parts = _conjuncts(state_formula) if state_formula is not None else []
    if len(parts) < 2:
        return [goal]
    atoms = system.atoms()
    return [
        replace(
            goal,
            prop=replace(goal.prop, name=f"{goal.prop.name}#{k}"),
            formula=L.Globally(part),
            predicate=compile_predicate(part, lambda a: atoms.compile(str(a))),
        )
        for k, part in enumerate(parts, 1)
    ]


def _conjuncts(f: Any) -> list[Any]:
    """The conjuncts of a state formula, nested `&` flattened, left to right."""
    from cdcheck.checker import ltl as L

    if isinstance(f, L.And):
        return _conjuncts(f.left) + _conjuncts(f.right)
    return [f]


def _shorter_violation(
    violated: Any, result: Any, name: str, k: int, parts: list[_Goal], part: _Goal
) -> Any:
    """The violation to show for the invariant `name` once conjunct k's
    search gave `result` (violated): the shorter of it and `violated`."""
    from cdcheck.checker import ltl as L

    reason = (
        f"conjunct {k} of {len(parts)} violated: {L.to_text(part.formula)}"
        if len(parts) > 1
        else ""
    )
    if result.reason:
        reason = f"{reason}; {result.reason}" if reason else result.reason
    if violated is None or _steps(result) < _steps(violated):
        return replace(result, name=name, reason=reason)
    return violated


def _conjunction_result(name: str, searched: str, violated: Any, undecided: list[str]) -> Any:
    """The invariant's result from its conjuncts': the shortest violation,
    else unknown when one is undecided, else proved; `searched` says how."""
    from cdcheck.checker.search import PropertyResult, Verdict

    if violated is not None:
        return violated
    if undecided:
        return PropertyResult(
            name, Verdict.UNKNOWN, reason=f"{searched}; conjuncts {', '.join(undecided)} undecided"
        )
    return PropertyResult(name, Verdict.HOLDS, reason=f"proved: {searched}")


def _decide_by_conjuncts(
    system: Any, goals: list[_Goal], args: argparse.Namespace, limits: Any, label: str
) -> tuple[dict[str, Any], dict[str, Any], str | None, list[str]]:
    """`_decide_safety` for one goal, one search per conjunct of its invariant
    (`_conjunct_goals`), sharing the time limit; `--max-states` bounds each.
    A conjunct that reads a few nodes only is first searched on their local
    view (`_on_local_view`), and on the whole plan only if that does not
    prove it.

    After a violation, the other conjuncts are searched only below its length,
    and the shortest counterexample found is shown (it violates the whole
    invariant); the goal holds when every conjunct does, and is unknown when
    none is violated and some is undecided."""
    import time

    from cdcheck.checker.search import Verdict

    (goal,) = goals
    parts = _conjunct_goals(goal, system)
    name = goal.prop.name
    start = time.monotonic()
    figures: list[Any] = []
    notes: list[str] = []
    states: list[str] = []
    local: list[str] = []
    undecided: list[str] = []
    stopped: str | None = None
    violated: Any = None
    for k, part in enumerate(parts, 1):
        budget = limits.timeout
        if budget is not None:
            budget -= time.monotonic() - start
            if budget <= 0 and violated is not None:
                break  # the verdict is known; a shorter counterexample would be a bonus
            if budget <= 0:
                undecided.append(str(k))
                stopped = stopped or "the time limit"
                continue
        part_limits = replace(limits, timeout=budget)
        if violated is not None:
            # only a shorter counterexample matters now: search below its length
            shorter = _steps(violated) - 1
            if shorter < 0:
                break
            if limits.max_depth is not None:
                shorter = min(shorter, limits.max_depth)
            part_limits = replace(part_limits, max_depth=shorter)
        proof = _on_local_view(system, part, args, part_limits, label)
        if proof is not None and proof[0].verdict is Verdict.HOLDS:
            result, stats, nodes = proof
            figures.append(stats)
            states.append(f"{stats.states:,}")
            local.append(f"{k} on {nodes}" if len(parts) > 1 else nodes)
            continue
        if proof is not None and budget is not None:
            budget = limits.timeout - (time.monotonic() - start)
            part_limits = replace(limits, timeout=max(budget, 0.001))
        if len(parts) == 1:
            decided, stats_of, part_stopped, part_notes = _decide_safety(
                system, goals, args, part_limits, label
            )
            if proof is not None:
                stats_of = {name: _summed([proof[1], *stats_of.values()])}
            return decided, stats_of, part_stopped, part_notes
        if proof is not None:
            figures.append(proof[1])
        decided, stats_of, part_stopped, part_notes = _decide_safety(
            system, [part], args, part_limits, label
        )
        result = decided[part.prop.name]
        figures += stats_of.values()
        states.append(f"{sum(s.states for s in stats_of.values()):,}")
        own = f"`{part.prop.name}`"
        notes += [
            n.replace(own, f"`{name}` (conjunct {k})")
            for n in part_notes
            if ": proved on the FIFO relaxation" not in n
        ]
        if result.verdict is Verdict.VIOLATED:
            violated = _shorter_violation(violated, result, name, k, parts, part)
            continue
        if result.verdict is Verdict.UNKNOWN and violated is None:
            undecided.append(str(k))
            stopped = stopped or part_stopped
    if len(parts) == 1:
        searched = f"proved on the local view of {local[0]}"
    else:
        searched = f"its {len(parts)} conjuncts searched one by one ({', '.join(states)} states)"
        if local:
            searched += f"; proved on local views: {'; '.join(local)}"
    if local:
        searched += " (the other nodes unconstrained: docs/relaxation.md)"
    notes.append(f"`{name}`: {searched}")
    result = _conjunction_result(name, searched, violated, undecided)
    return {name: result}, {name: _summed(figures)}, stopped, notes


def _together(system: Any, goals: list[_Goal], args: argparse.Namespace) -> bool:
    """Whether an invariant's conjuncts are searched together, with violation
    flags (`_decide_conjuncts_together`): when flags are forced, or by
    default when the quiet system stands for the plan and keeps its atoms."""
    from cdcheck.spec.quiet import obstacles

    if args.invariant_por == "flags":
        return True
    return (
        args.invariant_por == "auto"
        and not args.exact_fifo
        and not obstacles(system.model)
        and all(not g.deadlock and _kept_by_quiet(g.formula) for g in goals)
    )


def _decide_conjuncts_together(
    system: Any,
    goals: list[_Goal],
    args: argparse.Namespace,
    limits: Any,
    label: str,
    first_bound: int = 0,
) -> tuple[dict[str, Any], dict[str, Any], str | None, list[str]]:
    """`_decide_by_conjuncts` with violation flags (`--invariant-por flags`).

    The conjuncts are searched together, one flag each, in one search of the
    plan (`checker.flagged`), which costs about what the deadlock search
    does whatever their number: first within `first_bound` states (at least
    `FLAGGED_FIRST_STATES`); if that does not decide them, each conjunct that reads a few nodes is
    searched on their local view (`_on_local_view`, whose size does not grow
    with the plan), and the others together again, without that bound. The
    goal holds when every conjunct does; a violated conjunct's
    counterexample is the shortest one found; else it is unknown when one is
    undecided."""
    import time

    from cdcheck.checker.search import Verdict

    (goal,) = goals
    parts = _conjunct_goals(goal, system)
    name = goal.prop.name
    start = time.monotonic()
    figures: list[Any] = []
    local: list[str] = []
    notes: list[str] = []

    def together(rest: list[_Goal], bound: int | None) -> tuple[dict[str, Any], Any, str | None]:
        budget = None if limits.timeout is None else limits.timeout - (time.monotonic() - start)
        part_limits = replace(limits, timeout=budget)
        if bound is not None:
            part_limits = replace(part_limits, max_states=min(bound, limits.max_states or bound))
        decided, stats_of, stopped, part_notes = _decide_safety(
            system, rest, args, part_limits, label
        )
        figures.extend(stats_of.values())
        notes.extend(n for n in part_notes if n not in notes and not n.startswith("`"))
        return decided, _summed(list(stats_of.values())), stopped

    bound = max(first_bound, FLAGGED_FIRST_STATES)
    decided, stats, stopped = together(parts, bound if len(parts) > 1 else None)
    rest = parts
    if stopped is not None and not any(r.verdict is Verdict.VIOLATED for r in decided.values()):
        rest = []
        for k, part in enumerate(parts, 1):
            proof = _on_local_view(system, part, args, limits, label)
            if proof is not None:
                figures.append(proof[1])
            if proof is not None and proof[0].verdict is Verdict.HOLDS:
                local.append(f"{k} on {proof[2]}")
            else:
                rest.append(part)
        decided, stats, stopped = together(rest, None) if rest else ({}, None, None)
    index = {part.prop.name: k for k, part in enumerate(parts, 1)}
    violated: Any = None
    undecided: list[str] = []
    places: set[str] = set()
    for part in rest:
        k = index[part.prop.name]
        result = decided[part.prop.name]
        if result.verdict is Verdict.VIOLATED:
            violated = _shorter_violation(violated, result, name, k, parts, part)
        elif result.verdict is Verdict.UNKNOWN:
            undecided.append(str(k))
        else:
            places.add(
                result.reason.removeprefix("proved ").split(" (")[0]
                if result.reason.startswith("proved on ")
                else "on the exact FIFO semantics"
            )
    searched = ""
    if rest:
        which = ", ".join(str(index[p.prop.name]) for p in rest)
        which = f"its {len(parts)} conjuncts" if len(rest) == len(parts) else f"conjuncts {which}"
        which = f"{which} searched together" if len(parts) > 1 else "searched"
        searched = f"{which} {' and '.join(sorted(places))}" if places else which
        if places == {"on the quiet system"}:
            searched += ", one violation flag each" if len(parts) > 1 else " with a violation flag"
        searched += f" ({stats.states:,} states)"
    if local:
        on_views = f"proved on local views: {'; '.join(local)}"
        on_views += " (the other nodes unconstrained: docs/relaxation.md)"
        searched = f"{searched}; {on_views}" if searched else on_views
    notes.append(f"`{name}`: {searched}")
    result = _conjunction_result(name, searched, violated, undecided)
    return {name: result}, {name: _summed(figures)}, stopped, notes


FLAGGED_FIRST_STATES = 50_000
"""The first search of all conjuncts together stops here; local views are
then tried for the conjuncts they can prove (docs/por.md)."""


LOCAL_VIEW_STATES = 100_000
"""A local view that has not proved its conjunct within this many states
gives way to the search of the whole plan."""


def _on_local_view(
    system: Any, part: _Goal, args: argparse.Namespace, limits: Any, label: str
) -> tuple[Any, Any, str] | None:
    """The result, figures and node names of a search of one conjunct on the
    local view of the nodes it reads (`spec.local_view`: those nodes of the
    FIFO relaxation, every other node free to send anything): None when
    there is no such view (the reduction is off, the conjunct reads every
    node, the inboxes, or deadlock). Only a proof counts: a violation there
    may be the unconstrained nodes' doing."""
    from cdcheck.checker import ltl as L
    from cdcheck.spec.local_view import local_view
    from cdcheck.spec.quiet import QuietLocalView, obstacles

    if not args.por or args.exact_fifo or part.deadlock:
        return None
    atoms = [str(a) for a in L.atoms(part.formula)]
    quiet = not obstacles(system.model) and _kept_by_quiet(part.formula)
    view = local_view(system.model, atoms, QuietLocalView if quiet else None)
    if view is None:
        return None
    cap = (
        LOCAL_VIEW_STATES
        if limits.max_states is None
        else min(limits.max_states, LOCAL_VIEW_STATES)
    )
    goal = _on_system(part, view)
    search, _ = _safety_search(view, [goal], args, replace(limits, max_states=cap), label)
    nodes = ", ".join(system.model.nodes[n].name for n in view.kept)
    return _result_of(search, goal), search.stats, nodes


def _steps(result: Any) -> int:
    """The length of a result's counterexample (the shortest one is shown)."""
    return len(result.trace.steps) if result.trace is not None else 0


def _summed(figures: list[Any]) -> Any:
    """Figures of several searches of one property: their states, transitions
    and time added up, the deepest depth, the largest memory."""
    from cdcheck.checker.search import Stats

    unique = list({id(s): s for s in figures}.values())
    if not unique:
        return Stats(0, 0, 0, 0, 0.0, 0.0, False)
    return Stats(
        states=sum(s.states for s in unique),
        transitions=sum(s.transitions for s in unique),
        depth=max(s.depth for s in unique),
        frontier=sum(s.frontier for s in unique),
        seconds=sum(s.seconds for s in unique),
        memory_mb=max(s.memory_mb for s in unique),
        complete=all(s.complete for s in unique),
        grown_mb=max(s.grown_mb for s in unique),
    )


def _on_plain(system: Any, trace: Any) -> Any:
    """A trace of the forgetful system followed on `system` (Maude's states)."""
    from cdcheck.checker.emptiness import STUTTER
    from cdcheck.checker.search import follow, follow_lasso

    def stays(step: Any) -> bool:
        return step is STUTTER

    if trace.loop_start is None:
        return follow(system, trace.steps, stays)
    return follow_lasso(system, trace, stays)


_NOT_IN_QUIET = ("deadlock", "inbox_empty")
"""Atoms that read what the quiet system does not keep (successors, inboxes)."""


def _kept_by_quiet(formula: Any) -> bool:
    """Does every atom of `formula` read only what the quiet system keeps?"""
    from cdcheck.checker import ltl as L

    return not any(str(a).split("(")[0].strip() in _NOT_IN_QUIET for a in L.atoms(formula))


def _end_state_formula(goal: _Goal) -> Any:
    """ψ when `goal` is `F ψ` or `F G ψ` under weak fairness per step, ψ a
    state formula whose atoms a finished plan can no longer change (every
    atom but the two of `_NOT_IN_QUIET`); else None."""
    from cdcheck.checker import ltl as L

    f = goal.formula
    if goal.fair != "steps" or not isinstance(f, L.Finally):
        return None
    inner = f.arg.arg if isinstance(f.arg, L.Globally) else f.arg
    if not L.is_propositional(inner) or not _kept_by_quiet(inner):
        return None
    return inner


def _decide_quietly(
    system: Any, goals: list[_Goal], limits: Any
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Deadlock freedom, termination and `F (G) ψ` under weak fairness per
    step, proved at once on the quiet system (spec.quiet): one search with
    the deadlock-preserving reduction, where every end state must be a
    finished plan satisfying each ψ. Only proofs are taken from it; anything
    else is decided as before, on the exact semantics."""
    from cdcheck.checker import ltl as L
    from cdcheck.checker.por import reduced
    from cdcheck.checker.predicates import compile_predicate
    from cdcheck.checker.search import Invariant, PropertyResult, Verdict, check_safety
    from cdcheck.spec.quiet import QuietSystem, obstacles

    ends = {g.prop.name: _end_state_formula(g) for g in goals if not g.is_safety}
    ends = {name: f for name, f in ends.items() if f is not None}
    if not ends:
        return {}, {}, []
    names = ", ".join(f"`{n}`" for n in ends)
    why_not = obstacles(system.model)
    if why_not:
        return {}, {}, [f"{names} not proved on the quiet system (docs/quiet.md): {why_not[0]}"]
    quiet = QuietSystem(system.model)
    atoms = quiet.atoms()
    invariants = [
        Invariant(
            name,
            compile_predicate(L.Implies(L.Atom("done"), f), lambda a: atoms.compile(str(a))),
        )
        for name, f in ends.items()
    ]
    search = check_safety(
        reduced(quiet, cycle_proviso=False),
        invariants,
        check_deadlock=True,
        is_final=atoms.done,
        limits=limits,
    )
    verdicts = {r.name: r.verdict for r in search.results}
    figures = f"{search.stats.states:,} states"
    if verdicts.get("deadlock-free") is not Verdict.HOLDS:
        what = (
            "has a deadlock" if verdicts.get("deadlock-free") is Verdict.VIOLATED else "undecided"
        )
        return {}, {}, [f"quiet system {what} ({figures}): {names} decided on the exact semantics"]
    proved: dict[str, Any] = {}
    for g in goals:
        if g.deadlock or (g.prop.name in ends and verdicts[g.prop.name] is Verdict.HOLDS):
            proved[g.prop.name] = PropertyResult(
                g.prop.name, Verdict.HOLDS, reason="proved on the quiet system"
            )
    shown = ", ".join(f"`{n}`" for n in proved)
    note = (
        f"{shown}: proved on the quiet system, where hosts answer only the awaited value "
        f"({figures}; docs/quiet.md)"
    )
    return proved, dict.fromkeys(proved, search.stats), [note]


def _forgetful(system: Any, args: argparse.Namespace) -> Any:
    """The system the exact searches explore (safety after the relaxation, and
    every LTL formula, fairness included): with the reduction, the plan's
    states with the cached answers that keep their askers asking forgotten
    (spec.forget: a bisimulation with the same step labels, which preserves
    fairness per step too, so a counterexample is followed step by step on
    `system` to be shown with Maude's states); without it (`--no-por`),
    `system` itself."""
    from cdcheck.spec.system import ConcertoSystem

    if not args.por:
        return system
    return ConcertoSystem(system.model, forget=True)


def _on_system(goal: _Goal, system: Any) -> _Goal:
    """A safety goal with its predicate compiled on `system`'s states."""
    from cdcheck.checker import ltl as L
    from cdcheck.checker.predicates import compile_predicate

    if goal.deadlock:
        return goal
    atoms = system.atoms()
    state_formula = L.invariant_of(goal.formula) or L.TRUE
    return replace(
        goal, predicate=compile_predicate(state_formula, lambda a: atoms.compile(str(a)))
    )


def _result_of(search: Any, goal: _Goal) -> Any:
    """A safety goal's result in a search, under the goal's name."""
    key = "deadlock-free" if goal.deadlock else goal.prop.name
    found = next(r for r in search.results if r.name == key)
    return replace(found, name=goal.prop.name)


def _safety_search(
    system: Any, goals: list[_Goal], args: argparse.Namespace, limits: Any, label: str
) -> tuple[Any, list[str]]:
    """One breadth-first search for all `goals` (reduced with `--por`)."""
    from cdcheck.checker.progress import ProgressDisplay
    from cdcheck.checker.search import Invariant, check_safety

    explored, note, flagged = _maybe_reduced(system, goals, args)
    invariants = [Invariant(g.prop.name, g.predicate) for g in goals if not g.deadlock]
    is_final = system.atoms().done
    if flagged is not None:
        invariants = flagged.invariants()
        is_final = _on_inner(flagged, is_final)
    with ProgressDisplay(f"checking {label}", quiet=args.quiet) as progress:
        search = check_safety(
            explored,
            invariants=invariants,
            check_deadlock=any(g.deadlock for g in goals),
            is_final=is_final,
            limits=limits,
            progress=progress,
        )
    if flagged is not None:
        search = flagged.unflagged(search)
    return search, note


def _on_inner(flagged: Any, predicate: Any) -> Any:
    """A predicate of the system's states, read on flagged states."""
    inner = flagged.inner
    return lambda state: predicate(inner(state))


def _relaxed_goals(
    system: Any, safety: list[_Goal], args: argparse.Namespace
) -> tuple[Any, list[_Goal]] | None:
    """The over-approximation to search first and the goals it can prove,
    compiled on it; None when none is used. With `--por` (it is what lets
    stubborn sets separate the senders to one node): the quiet system
    (spec.quiet) when it stands for the plan and every goal reads only what
    it keeps, else the FIFO relaxation (spec.relaxed), for invariants that do
    not mention `deadlock` and for deadlock freedom (a proof on the
    relaxation only when no question has several askers)."""
    from cdcheck.checker import ltl as L
    from cdcheck.spec.quiet import QuietSystem, obstacles
    from cdcheck.spec.relaxed import RelaxedSystem

    if not args.por or args.exact_fifo:
        return None
    usable = [
        g for g in safety if g.deadlock or not any(str(a) == "deadlock" for a in L.atoms(g.formula))
    ]
    if not usable:
        return None
    quiet = not obstacles(system.model) and all(
        g.deadlock or _kept_by_quiet(g.formula) for g in usable
    )
    relaxed = QuietSystem(system.model) if quiet else RelaxedSystem(system.model)
    return relaxed, [_on_system(g, relaxed) for g in usable]


def _flags_for(system: Any, args: argparse.Namespace) -> bool:
    """Whether invariants on `system` are kept by violation flags: always with
    `--invariant-por flags`; by default on the quiet system and its views,
    whose runs do not poll. Where nodes poll, the cycle proviso of the flags
    expands most states fully (CPS update with 2 pairs: undecided in 300 s
    on the exact semantics, 1,728 states with the goal condition)."""
    from cdcheck.spec.quiet import QuietLocalView, QuietSystem

    if args.invariant_por == "auto":
        return isinstance(system, (QuietSystem, QuietLocalView))
    return bool(args.invariant_por == "flags")


def _maybe_reduced(
    system: Any, safety: list[_Goal], args: argparse.Namespace
) -> tuple[Any, list[str], Any]:
    """The system to search, notes, and the `checker.flagged.Flagged` system
    inside it when invariants are flagged (None otherwise).

    With `--por`, stubborn sets keep every deadlock. Invariants are kept by
    violation flags (`--invariant-por flags`, the default: the deadlock
    search plus the orders of steps that touch one invariant, and the cycle
    proviso) or by the goal condition (`--invariant-por goal`,
    `checker.por_goal`: the writers of what must change before an invariant
    can fail, no proviso, and states from which no violation is reachable
    are not expanded).
    """
    from cdcheck.checker import ltl as L
    from cdcheck.checker.flagged import Flagged, Watched
    from cdcheck.checker.por import reduced
    from cdcheck.checker.por_goal import GoalKeys
    from cdcheck.spec.por_groups import atom_keys

    if not args.por:
        return system, [], None
    invariants = [g for g in safety if not g.deadlock]
    keys: dict[Any, frozenset[object]] = {}
    for g in invariants:
        for atom in L.atoms(g.formula):
            found = atom_keys(system.model, str(atom))
            if found is None:
                return (
                    system,
                    [f"partial-order reduction switched off: `{g.prop.name}` uses `{atom}`"],
                    None,
                )
            keys[atom] = found
    if not invariants:
        return reduced(system, cycle_proviso=False), [], None
    if _flags_for(system, args):
        flagged = Flagged(
            system,
            [
                Watched(
                    g.prop.name,
                    g.predicate,
                    frozenset().union(*(keys[a] for a in L.atoms(g.formula))),
                )
                for g in invariants
            ],
        )
        return reduced(flagged, cycle_proviso=True), [], flagged
    atoms = system.atoms()
    goal = GoalKeys(
        [L.invariant_of(g.formula) or L.TRUE for g in invariants],
        keys.__getitem__,
        lambda atom: atoms.compile(str(atom)),
    )
    deadlocks = any(g.deadlock for g in safety)
    return reduced(system, cycle_proviso=False, goal=goal, deadlocks=deadlocks), [], None


def _maybe_reduced_ltl(system: Any, goal: _Goal, args: argparse.Namespace) -> tuple[Any, list[str]]:
    """The system for one LTL property: reduced with `--por` when the reduction
    preserves the property, else itself with a note saying why not.

    Stubborn sets with the visibility and cycle provisos preserve LTL without
    X (stutter-invariant formulas) whose atoms name their footprint keys; they
    do not preserve fairness constraints (a step the reduction postpones along
    a cycle is exactly what fairness is about), nor X.
    """
    from cdcheck.checker import ltl as L
    from cdcheck.checker.por import reduced
    from cdcheck.spec.por_groups import atom_keys

    if not args.por:
        return system, []
    name = goal.prop.name
    if goal.fair != "none":
        return system, [
            f"partial-order reduction not used for `{name}`: it is checked under fairness"
        ]
    if L.has_next(goal.formula):
        return system, [f"partial-order reduction not used for `{name}`: it uses X (next)"]
    visible: set[object] = set()
    for atom in L.atoms(goal.formula):
        keys = atom_keys(system.model, str(atom))
        if keys is None:
            return system, [f"partial-order reduction not used for `{name}`: it uses `{atom}`"]
        visible |= keys
    return reduced(system, visible), []


def _node_of(step: Any) -> Any:
    return step.node


def _step_identity(step: Any) -> Any:
    return step


def _fairness_note(fair: str) -> str:
    notes = {"nodes": "   [weak fairness per node]", "steps": "   [weak fairness per step]"}
    return notes.get(fair, "")


def _merge_stats(stats: list[Any]) -> Any:
    """Figures of the whole run: the largest search, the time of all of them."""
    from cdcheck.checker.search import Stats

    unique = list({id(s): s for s in stats}.values())
    if not unique:
        return Stats(0, 0, 0, 0, 0.0, 0.0, True)
    largest = max(unique, key=lambda s: s.states)
    return replace(
        largest,
        depth=max(s.depth for s in unique),
        seconds=sum(s.seconds for s in unique),
        memory_mb=max(s.memory_mb for s in unique),
        complete=all(s.complete for s in unique),
    )


def _describe_with_stutter(system: Any) -> Callable[[Any, Any, Any], Any]:
    from cdcheck.checker.emptiness import STUTTER
    from cdcheck.spec.describe import changes
    from cdcheck.spec.system import StepView

    def describe(step: Any, before: Any, after: Any) -> Any:
        if step is STUTTER:
            return StepView("(stutter)", (), "no step is possible: the run stays here", ())
        view = system.describe(step, before, after)
        return replace(view, changes=tuple(changes(system, before, after)))

    return describe


def _starvation_explainer(system: Any, trace: Any) -> Callable[[Any], Sequence[str]]:
    """Why the cycle of a lasso goes on forever: who moves, who starves, who is stuck."""
    from cdcheck.checker.emptiness import STUTTER
    from cdcheck.spec.diagnose import explain_blocked

    def explain(_last: Any) -> list[str]:
        m = system.model
        start = trace.loop_start
        cycle_states = trace.states[start:-1] or trace.states[-1:]
        cycle_steps = [st for st in trace.steps[start:] if st is not STUTTER]
        if not cycle_steps:
            blocked = explain_blocked(system, trace.states[-1])
            return ["the run ends in a state without successors:"] + [f"  {b}" for b in blocked]
        moved = {st.node for st in cycle_steps}
        lines = []
        for n, nm in enumerate(m.nodes):
            if n in moved:
                rules = sorted({st.rule for st in cycle_steps if st.node == n})
                lines.append(f"{nm.name} keeps moving on the cycle ({', '.join(rules)})")
            elif all(any(st.node == n for st, _ in system.successors(s)) for s in cycle_states):
                lines.append(
                    f"{nm.name} could move in every state of the cycle but never does "
                    "(an unfair scheduler starves it; --fair nodes rules that out)"
                )
            else:
                lines.append(f"{nm.name} does not move on the cycle")
        return lines

    return explain


_QUIET_RULES = frozenset({"SendQuestion", "ReceiveQuestion", "SendAnswer", "ReceiveAnswer"})


def _shown_formula(prop: _Property) -> str:
    if prop.name == "port-consistency" and prop.origin == "default":
        return "G (for every connection: active(user port) -> active(provide port))"
    return prop.formula


def _state_view(system: Any, state: Any) -> dict[str, Any]:
    """A state as named variables (for ITF traces): per node and per instance."""
    from cdcheck.spec.model import bits

    m = system.model
    view: dict[str, Any] = {}
    for n, nm in enumerate(m.nodes):
        s = system.node(state, n)
        view[f"{nm.name}.pc"] = s.pc
        view[f"{nm.name}.next"] = (
            nm.program[s.pc].text if s.pc < len(nm.program) else "(program finished)"
        )
        view[f"{nm.name}.connections"] = frozenset(m.conn_text(c) for c in bits(s.conns))
        view[f"{nm.name}.inbox"] = [system.msg_text(x) for x in s.inbox]
        for slot, inst in enumerate(s.instances):
            name = m.instances[nm.slots[slot]]
            view[name] = "absent" if inst is None else system.inst_text(inst)
    return view


def _write_output(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        _stderr().print(f"cdcheck: error: cannot write {path}: {exc.strerror}", markup=False)
        raise SystemExit(EXIT_BAD_INPUT) from None


def _write_trace(path: str, report: Any) -> None:
    import json

    from cdcheck.checker.report import to_itf

    violated = [p for p in report.properties if p.states]
    if not violated:
        _stderr().print(f"no counterexample: {path} not written", markup=False)
        return
    first = violated[0]
    _write_output(path, json.dumps(to_itf(first, report.plan), indent=2) + "\n")
    _stderr().print(f"trace of `{first.name}` written to {path} (ITF)", markup=False)


def _print_results_table(report: Any, stats: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table("property", "verdict", "states", "transitions", "depth", "seconds", box=None)
    for p in report.properties:
        s = stats.get(p.name) or report.stats
        table.add_row(
            p.name,
            p.verdict.value,
            f"{s.states:,}",
            f"{s.transitions:,}",
            str(s.depth) if s.depth else "-",
            f"{s.seconds:.2f}",
        )
    _stdout().print(table)


def _sources_of(exc: PlanError) -> SourceCache:
    """The texts the loader read; failing that (an error raised before any
    loader, e.g. by the goals reader), the files named by the diagnostics."""
    if exc.sources is not None:
        return exc.sources
    cache = SourceCache()
    for d in exc.diagnostics:
        try:
            with open(d.span.file, encoding="utf-8", errors="replace") as fh:
                cache.add(d.span.file, fh.read(Loader().max_bytes))
        except OSError:
            pass
    return cache


def _print_summary(plan: A.Plan) -> None:
    from rich.table import Table

    out = _stdout()
    instances = sum(len(n.hosts) for n in plan.nodes)
    connections = {(str(c.user), str(c.provider)) for n in plan.nodes for c in n.connections} | {
        (str(i.connection.user), str(i.connection.provider))
        for n in plan.nodes
        for i in n.program
        if isinstance(i, A.Con)
    }
    out.print(
        f"[bold]{plan.path}[/bold]: {len(plan.types)} types, {len(plan.nodes)} nodes, "
        f"{instances} instances, {len(connections)} connections, "
        f"{sum(len(n.program) for n in plan.nodes)} instructions, "
        f"{len(plan.properties)} properties"
    )
    table = Table("node", "hosts", "present", "connections", "program", box=None)
    for n in plan.nodes:
        table.add_row(
            n.name.text,
            ", ".join(h.text for h in n.hosts) or "-",
            ", ".join(f"{s.instance}@{'+'.join(p.text for p in s.places)}" for s in n.starts)
            or "-",
            str(len(n.connections)),
            f"{len(n.program)} instr.",
        )
    out.print(table)
    for p in plan.properties:
        out.print(f"property [bold]{p.name}[/bold]: {p.formula}", markup=True)


# ----------------------------------------------------------------------------- fmt


def _cmd_fmt(args: argparse.Namespace) -> int:
    from cdcheck.lang.parser import comments, parse_source
    from cdcheck.lang.printer import format_file

    loader = Loader()
    status = EXIT_OK
    for path in args.files:
        try:
            text = loader.read_text(path)
            tree = parse_source(text, path)
        except PlanError as exc:
            _report_plan_error(exc, loader.sources)
            return EXIT_BAD_INPUT
        formatted = format_file(tree, comments(text))
        if formatted == text:
            continue
        if args.check:
            _stderr().print(f"{path}: would be reformatted", markup=False)
            status = EXIT_VIOLATED
            continue
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(formatted)
        _stderr().print(f"{path}: reformatted", markup=False)
    return status


# ----------------------------------------------------------------------------- family


def _cmd_family(args: argparse.Namespace) -> int:
    from cdcheck.lang.families import FAMILIES, generate

    if args.name not in FAMILIES:
        known = ", ".join(sorted(FAMILIES))
        _stderr().print(f"cdcheck family: unknown family `{args.name}` (known: {known})")
        return EXIT_BAD_INPUT
    if args.size < 1 or args.size > 10_000:
        _stderr().print("cdcheck family: N must be between 1 and 10000")
        return EXIT_BAD_INPUT
    sys.stdout.write(generate(args.name, args.size))
    return EXIT_OK


# ----------------------------------------------------------------------------- spark


def _cmd_spark(args: argparse.Namespace) -> int:
    """`cdcheck spark job.py`: wires the PySpark reader and the RDD semantics to the checker."""
    import json

    from cdcheck.checker import spark as S
    from cdcheck.lang.pyspark import read_job_file
    from cdcheck.spec import rdd

    if args.timeout <= 0:
        _stderr().print("cdcheck spark: --timeout must be positive", markup=False)
        return EXIT_BAD_INPUT
    if args.replay:
        from cdcheck.checker.spark_replay import pyspark_available

        if not pyspark_available():
            _stderr().print(
                "cdcheck spark: --replay needs pyspark (pip install 'cdcheck[spark]') and Java 17",
                markup=False,
            )
            return EXIT_BAD_INPUT
    try:
        sites = read_job_file(args.job, args.engine)
    except PlanError as exc:
        return _report_plan_error(exc, _sources_of(exc))
    if not sites:
        _stderr().print(
            f"{args.job}:1:1: error: no RDD operation of the catalog found", markup=False
        )
        return EXIT_BAD_INPUT
    results = S.check_sites(sites, args.engine, rdd, args.timeout)
    out = _stdout()
    for r in results:
        out.print(r.line_text(), markup=False)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(S.to_json(results), fh, indent=2)
    if args.sarif:
        with open(args.sarif, "w", encoding="utf-8") as fh:
            json.dump(S.to_sarif(results, _version()), fh, indent=2)
    if args.replay:
        _replay_spark(sites, results)
    return S.exit_code(results)


def _replay_spark(sites: Sequence[object], results: Sequence[object]) -> None:
    from cdcheck.checker import spark as S
    from cdcheck.checker.spark_replay import ReplayError, local_spark, run_on_spark

    todo = [
        (site, r)
        for site, r in zip(sites, results, strict=True)
        if isinstance(r, S.Result) and r.counterexample is not None
    ]
    out = _stdout()
    if not todo:
        out.print("replay: no counterexample to replay", markup=False)
        return
    with local_spark() as sc:
        for site, r in todo:
            assert r.counterexample is not None
            try:
                rep = run_on_spark(sc, site, r.counterexample)  # type: ignore[arg-type]
            except ReplayError as exc:
                out.print(f"{r.file}:{r.line} replay failed: {exc}", markup=False)
                continue
            status = "as predicted" if rep.agrees else "NOT as predicted"
            if not rep.forced_order:
                status += " (the counterexample needs a merge order local Spark may not take)"
            out.print(
                f"{r.file}:{r.line} replay on Spark {sc.version}: spark={S._show(rep.spark)} "
                f"predicted={S._show(rep.predicted)} sequential={S._show(rep.sequential)} "
                f"{status}",
                markup=False,
            )


# ----------------------------------------------------------------------------- run


def _cmd_run(args: argparse.Namespace) -> int:
    """`cdcheck run plan.cd`: one random execution of the semantics, as a trace."""
    import random

    from rich.text import Text

    from cdcheck.spec.diagnose import explain_blocked
    from cdcheck.spec.model import ModelError, compile_plan
    from cdcheck.spec.system import ConcertoSystem

    if args.steps < 0:
        _stderr().print("cdcheck run: --steps must be >= 0", markup=False)
        return EXIT_BAD_INPUT
    try:
        plan, _sources, warnings = load_checked(args.plan)
    except PlanError as exc:
        return _report_plan_error(exc, _sources_of(exc))
    for w in warnings:
        _stderr().print(w, markup=False)
    try:
        system = ConcertoSystem(compile_plan(plan, args.profile))
    except ModelError as exc:
        _stderr().print(f"{args.plan}:1:1: error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    rng = random.Random(args.seed)
    out = _stdout()
    atoms = system.atoms()
    state = system.initial_states()[0]
    out.print(f"run of {args.plan} (seed {args.seed}, profile {args.profile})", markup=False)
    for k in range(1, args.steps + 1):
        if atoms.done(state):
            out.print(
                Text(
                    f"done after {k - 1} steps: every program finished, every queue empty",
                    style="bold green",
                )
            )
            return EXIT_OK
        succ = list(system.successors(state))
        if not succ:
            out.print(Text(f"deadlock after {k - 1} steps", style="bold red"))
            for line in explain_blocked(system, state):
                out.print(f"  {line}", markup=False)
            return EXIT_VIOLATED
        step, nxt = rng.choice(succ)
        view = system.describe(step, state, nxt)
        head = Text(f"{k:5d} ", style="dim")
        head.append(f"{'/'.join(view.nodes):<14}", style="cyan")
        head.append(f" {view.rule:<32}", style="bold")
        head.append(f" {view.objects}")
        out.print(head)
        for change in view.changes:
            out.print(Text(f"{'':6}{change}", style="dim"))
        state = nxt
    if atoms.done(state):
        out.print(Text(f"done after {args.steps} steps", style="bold green"))
        return EXIT_OK
    out.print(
        Text(f"step bound {args.steps} reached (neither done nor deadlocked)", style="yellow")
    )
    return EXIT_UNKNOWN


# ----------------------------------------------------------------------------- export


def _cmd_export(args: argparse.Namespace) -> int:
    """`cdcheck export --to maude plan.cd`: the plan as a module of the Maude formalization."""
    from cdcheck.spec.export_maude import export_maude, module_name_of
    from cdcheck.spec.model import ModelError, compile_plan

    try:
        plan, _sources, warnings = load_checked(args.plan)
    except PlanError as exc:
        return _report_plan_error(exc, _sources_of(exc))
    for w in warnings:
        _stderr().print(w, markup=False)
    try:
        text = export_maude(compile_plan(plan), args.module or module_name_of(args.plan))
    except ModelError as exc:
        _stderr().print(f"{args.plan}:1:1: error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            _stderr().print(f"cdcheck export: cannot write {args.output}: {exc.strerror}")
            return EXIT_BAD_INPUT
    else:
        sys.stdout.write(text)
    return EXIT_OK


# ----------------------------------------------------------------------------- plan


def _cmd_plan(args: argparse.Namespace) -> int:
    """`cdcheck plan assembly.cd --goals goals.yaml [-o plan.cd]`: synthesize the
    per-node programs with the Z3 planner, then check them like any plan (default
    suite plus `F G (goals reached)`). A plan that fails its own check is never
    written. Exit 0 planned and verified, 1 goals impossible or the plan fails,
    2 bad input, 3 the check hit a limit."""
    import os

    from cdcheck.checker.planner import Infeasible, PlannerError, solve
    from cdcheck.lang.check import check_goal_items
    from cdcheck.lang.goals import read_goals
    from cdcheck.lang.printer import format_file
    from cdcheck.spec import planning as SP

    err, out = _stderr(), _stdout()
    problem = _check_flags(args) or (
        "--max-steps must be positive" if args.max_steps <= 0 else None
    )
    if problem:
        err.print(f"cdcheck plan: error: {problem}", markup=False)
        return EXIT_BAD_INPUT
    loader = Loader()
    try:
        plan, _sources, warnings = load_checked(args.plan)
        root = loader.parse_file(args.plan)
        items = tuple(i for block in plan.goals for i in block.items)
        if args.goals:
            extra = read_goals(loader.read_text(args.goals), args.goals)
            diagnostics = check_goal_items(plan, extra)
            if any(d.is_error for d in diagnostics):
                raise PlanError(diagnostics)
            items += extra
    except PlanError as exc:
        return _report_plan_error(exc, _sources_of(exc))
    for w in warnings:
        err.print(w, markup=False)
    if not items:
        err.print(
            f"{args.plan}:1:1: error: no goals: give --goals FILE or a `goal {{ }}` block",
            markup=False,
        )
        return EXIT_BAD_INPUT
    try:
        asm = SP.assembly_of(plan)
        goals = SP.expand_goals(asm, items)
        result = solve(SP.problem_of(asm, goals, args.max_steps))
    except (SP.PlanningError, PlannerError) as exc:
        err.print(f"{args.plan}:1:1: error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    if isinstance(result, Infeasible):
        out.print(
            f"no plan: the goals cannot all be reached ({result.seconds:.2f} s)", markup=False
        )
        for line in SP.explain(asm, result):
            out.print(line, markup=False)
        for g in result.core:
            item = goals.source[g.key]
            out.print(f"  {item.span}: `{g.key}`", markup=False)
        return EXIT_VIOLATED
    programs = SP.programs_of(asm, result)
    target = args.output or os.path.join(
        os.path.dirname(args.plan), "plan-" + os.path.basename(args.plan)
    )
    here = os.path.dirname(os.path.abspath(target))
    includes = tuple(
        A.Include(
            os.path.relpath(
                os.path.join(os.path.dirname(os.path.abspath(args.plan)), inc.path), here
            )
        )
        for inc in root.includes
    )
    formula = SP.goals_formula(goals, programs.push_ids, result)
    synthesized = A.SourceFile(
        target,
        includes,
        root.types,
        SP.planned_nodes(asm, programs),
        (*root.properties, A.Property(A.Ident("goals_reached"), formula)),
        (A.GoalBlock(items),),
    )
    text = format_file(synthesized)
    out.print(
        f"planned in {result.seconds:.2f} s: cost {result.cost}, "
        f"{sum(len(p) for p in programs.programs.values())} instructions, "
        f"{len(programs.waits)} waits",
        markup=False,
    )
    out.print(text, markup=False)
    return _verify_synthesized(text, target, args)


def _verify_synthesized(text: str, target: str, args: argparse.Namespace) -> int:
    """Check the synthesized plan from its text, as `cdcheck check` would; write it
    only when every property holds."""
    from cdcheck.spec.model import compile_plan
    from cdcheck.spec.system import ConcertoSystem

    loader = Loader()
    err = _stderr()
    try:
        plan = loader.load_text(text, target)
        diagnostics = check_plan(plan)
        if any(d.is_error for d in diagnostics):
            raise PlanError(diagnostics)
        system = ConcertoSystem(compile_plan(plan, args.profile))
        goals = [
            replace(_compile_property(p, system), fair="steps")
            if p.name in ("terminates", "goals_reached")
            else _compile_property(p, system)
            for p in [
                *_default_properties(plan),
                _Property("goals_reached", plan.properties[-1].formula, target, 1, 1, "plan"),
            ]
        ]
    except (PlanError, _PropertyError, Exception) as exc:  # a planner bug, said loudly
        err.print(f"cdcheck plan: BUG: the synthesized plan does not load: {exc}", markup=False)
        return EXIT_VIOLATED
    check_args = _build_parser()[1]["check"][0].parse_args([target])  # every default
    for name in ("max_states", "max_depth", "timeout", "max_memory", "quiet", "profile"):
        setattr(check_args, name, getattr(args, name))
    code = _run_checks(plan, system, goals, check_args)
    if code == EXIT_OK:
        if args.output:
            _write_output(args.output, text)
            err.print(f"plan written to {args.output}", markup=False)
        return EXIT_OK
    if code == EXIT_UNKNOWN:
        err.print(
            "cdcheck plan: the check of the synthesized plan hit a limit: NOT verified, "
            "not written",
            markup=False,
        )
        return EXIT_UNKNOWN
    err.print(
        "cdcheck plan: BUG: the synthesized plan FAILS its own check (above); not written",
        markup=False,
    )
    return EXIT_VIOLATED


# ----------------------------------------------------------------------------- main

Command = Callable[[argparse.Namespace], int]


def _build_parser() -> tuple[_Parser, dict[str, tuple[_Parser, Command]]]:
    top = _Parser(
        prog="cdcheck",
        description="Check Concerto-D reconfiguration plans before they touch a cluster.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"cdcheck {_version()}")
    commands: dict[str, tuple[_Parser, Command]] = {}

    def sub(name: str, help_text: str, run: Command) -> _Parser:
        p = _Parser(prog=f"cdcheck {name}", description=help_text)
        commands[name] = (p, run)
        return p

    check = sub("check", "check a plan: static checks, then its properties", _cmd_check)
    check.add_argument("plan", help="the .cd plan file")
    check.add_argument(
        "--ltl",
        action="append",
        metavar="F",
        help="an LTL formula to check (repeatable); replaces the default selection",
    )
    check.add_argument(
        "--property",
        action="append",
        metavar="NAME",
        help="check only this property of the plan or of the default suite (repeatable)",
    )
    check.add_argument("--summary", action="store_true", help="only parse, check and summarize")
    check.add_argument("--max-states", type=int, metavar="N", help="stop after N states (exit 3)")
    check.add_argument(
        "--max-depth", type=int, metavar="K", help="bounded check: explore K steps deep (exit 3)"
    )
    check.add_argument("--timeout", type=float, metavar="S", help="stop after S seconds (exit 3)")
    check.add_argument(
        "--max-memory",
        type=int,
        metavar="MB",
        help="stop above MB of resident memory (exit 3); default: 80%% of the available memory",
    )
    check.add_argument("--quiet", action="store_true", help="no progress display")
    check.add_argument("--json", metavar="FILE", help="write a JSON summary of the run")
    check.add_argument("--trace-out", metavar="FILE", help="write the counterexample as ITF JSON")
    check.add_argument("--sarif", metavar="FILE", help="write SARIF 2.1.0 results")
    check.add_argument("--junit", metavar="FILE", help="write JUnit XML results")
    check.add_argument(
        "--por",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="partial-order reduction (stubborn sets; for deadlocks and invariants on the "
        "FIFO relaxation first) for deadlocks, invariants and LTL without X checked "
        "without fairness (on by default; --no-por searches every interleaving)",
    )
    check.add_argument(
        "--invariant-por",
        choices=("auto", "flags", "goal"),
        default="auto",
        help="how the reduction keeps invariant violations: a flag per invariant that "
        "stays set, searched with the deadlock-preserving stubborn sets and the cycle "
        "proviso; or the goal condition (the writers of what must change first); auto "
        "(default): flags on the quiet system, which does not poll, the goal elsewhere",
    )
    check.add_argument(
        "--compare-por",
        action="store_true",
        help="search with and without the reduction and report both state counts",
    )
    check.add_argument(
        "--exact-fifo",
        action="store_true",
        help="with --por, search only the exact FIFO semantics, never its relaxation "
        "nor the quiet system (docs/relaxation.md, docs/quiet.md)",
    )
    check.add_argument(
        "--fair",
        choices=["none", "nodes", "steps"],
        default="none",
        help="weak fairness for LTL properties: per node, or per rule instance "
        "(the default `terminates` check always uses per rule instance)",
    )
    check.add_argument(
        "--profile",
        choices=["maude", "intended"],
        default="maude",
        help="semantics profile (docs/semantics-notes.md); default: maude",
    )
    check.add_argument(
        "--engine",
        choices=["explicit", "bmc", "kind", "pdr", "houdini", "auto"],
        default="explicit",
        help="invariants by explicit search (default), Z3 bounded model checking, "
        "k-induction, PDR, Houdini over mined lemmas, or auto (explicit, then k-induction "
        "and PDR if a limit stops it)",
    )
    check.add_argument(
        "--depth", type=int, default=30, metavar="K", help="bmc bound / largest k (default 30)"
    )
    check.add_argument(
        "--explain", action="store_true", help="print the certificate of symbolic proofs"
    )

    fmt = sub("fmt", "rewrite plans in canonical form", _cmd_fmt)
    fmt.add_argument("files", nargs="+", help=".cd files")
    fmt.add_argument("--check", action="store_true", help="only report files not formatted")

    fam = sub("family", "print the plan of a parametric family at size N", _cmd_family)
    fam.add_argument("name", help="cps-update, cps-deploy, openstack-deploy, openstack-update")
    fam.add_argument("size", type=int, help="listener/sensor pairs or sites")

    spark = sub(
        "spark", "prove or refute that a PySpark job's result is its sequential one", _cmd_spark
    )
    spark.add_argument("job", help="the PySpark program (.py), read, never run")
    spark.add_argument("--engine", choices=["pyspark", "scala"], default="pyspark")
    spark.add_argument("--timeout", type=float, default=20.0, help="seconds per call site")
    spark.add_argument("--json", metavar="F", help="write the verdicts as JSON to F")
    spark.add_argument("--sarif", metavar="F", help="write the verdicts as SARIF to F")
    spark.add_argument(
        "--replay", action="store_true", help="rerun each counterexample on local Spark"
    )

    run = sub("run", "execute one random run of a plan and print the trace", _cmd_run)
    run.add_argument("plan", help="the .cd plan file")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument("--steps", type=int, default=1000, help="step bound (default 1000)")
    run.add_argument(
        "--profile",
        choices=["maude", "intended"],
        default="maude",
        help="semantics profile (docs/semantics-notes.md)",
    )

    plan = sub("plan", "synthesize per-node programs from goals, then check them", _cmd_plan)
    plan.add_argument("plan", metavar="assembly", help="the .cd assembly (nodes, no programs)")
    plan.add_argument("--goals", metavar="FILE", help="Ballet goal.yaml (else the `goal` block)")
    plan.add_argument("-o", "--output", metavar="FILE", help="write the verified plan to FILE")
    plan.add_argument(
        "--max-steps", type=int, default=6, metavar="K", help="behaviors per instance (6)"
    )
    for flag, kind, text in (
        ("--max-states", int, "stop the check after N states (exit 3)"),
        ("--max-depth", int, "bounded check: K steps deep (exit 3)"),
        ("--timeout", float, "stop the check after S seconds (exit 3)"),
        ("--max-memory", int, "stop the check above MB of memory (exit 3)"),
    ):
        plan.add_argument(flag, type=kind, help=text)
    plan.add_argument("--quiet", action="store_true", help="no progress display")
    plan.add_argument(
        "--profile", choices=["maude", "intended"], default="maude", help="semantics profile"
    )
    plan.set_defaults(summary=False, ltl=None, property=None)

    export = sub("export", "write a plan for another tool", _cmd_export)
    export.add_argument("plan", help="the .cd plan file")
    export.add_argument("--to", choices=["maude"], required=True, help="target format")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default stdout)")
    export.add_argument("--module", help="Maude module name (default: from the file name)")
    return top, commands


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    top, commands = _build_parser()
    try:
        if args_list and args_list[0] in commands:
            parser, run = commands[args_list[0]]
            args = parser.parse_args(args_list[1:])
        else:
            if not args_list or args_list[0].startswith("-"):
                top.parse_args(args_list)  # --help / --version exit here
                raise _UsageError(
                    "cdcheck: error: give a plan file or a command\n\n" + top.format_usage()
                )
            parser, run = commands["check"]
            args = parser.parse_args(args_list)
        return run(args)
    except _UsageError as exc:
        sys.stderr.write(str(exc))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("cdcheck: interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
