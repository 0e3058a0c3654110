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
from dataclasses import fields
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from rich.console import Console

from cdcheck.lang import ast as A
from cdcheck.lang.check import check_plan
from cdcheck.lang.diagnostics import PlanError, SourceCache, render_all
from cdcheck.lang.loader import Loader
from cdcheck.verify import Options, Outcome, PropertyError, load_checked
from cdcheck.verify.load import sources_of

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


# ----------------------------------------------------------------------------- check


def _cmd_check(args: argparse.Namespace) -> int:
    """`cdcheck plan.cd`: static checks, then every selected property by search."""
    from cdcheck.spec.model import ModelError
    from cdcheck.verify import verify

    problem = _check_flags(args)
    if problem:
        _stderr().print(f"cdcheck: error: {problem}", markup=False)
        return EXIT_BAD_INPUT
    try:
        plan, _sources, warnings = load_checked(args.plan)
    except PlanError as exc:
        return _report_plan_error(exc, sources_of(exc))
    err = _stderr()
    for w in warnings:
        err.print(w, markup=False)
    if args.summary:
        _print_summary(plan)
        return EXIT_OK
    try:
        outcome = verify(plan, options_of(args))
    except ModelError as exc:
        err.print(f"{args.plan}:1:1: error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    except PropertyError as exc:
        err.print(str(exc), markup=False)
        return EXIT_BAD_INPUT
    return _print_outcome(outcome, args)


def options_of(args: argparse.Namespace) -> Options:
    """The run's options from the flags of `cdcheck check` (or `cdcheck plan`, which
    has fewer: the others keep `Options`' defaults). Flags and fields share names."""
    given = {f.name: getattr(args, f.name) for f in fields(Options) if hasattr(args, f.name)}
    given.update(ltl=tuple(args.ltl or ()), property=tuple(args.property or ()))
    return Options(**given)


def _show_outcome(outcome: Outcome) -> int:
    """The report on the terminal: certificates, traces, notes, the table."""
    from cdcheck.checker.report import render_terminal
    from cdcheck.verify.views import QUIET_RULES

    out = _stdout()
    for certificate in outcome.certificates:
        out.print(certificate, markup=False)
    render_terminal(outcome.report, out, fold=QUIET_RULES)
    _print_results_table(outcome.report, outcome.figures)
    return outcome.exit_code


def _print_outcome(outcome: Outcome, args: argparse.Namespace) -> int:
    """The report on the terminal, then every file asked for; the exit code."""
    from cdcheck.checker.report import render_json, render_junit, render_sarif

    _show_outcome(outcome)
    report = outcome.report
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
        return _report_plan_error(exc, sources_of(exc))
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
        from cdcheck.checker.spark_replay import replay_lines

        for line in replay_lines(sites, results):
            out.print(line, markup=False)
    return S.exit_code(results)


# ----------------------------------------------------------------------------- run


def _cmd_run(args: argparse.Namespace) -> int:
    """`cdcheck run plan.cd`: one random execution of the semantics, as a trace."""
    from rich.text import Text

    from cdcheck.spec.model import ModelError, compile_plan
    from cdcheck.spec.system import ConcertoSystem
    from cdcheck.verify.simulate import RunStep, random_run

    if args.steps < 0:
        _stderr().print("cdcheck run: --steps must be >= 0", markup=False)
        return EXIT_BAD_INPUT
    try:
        plan, _sources, warnings = load_checked(args.plan)
    except PlanError as exc:
        return _report_plan_error(exc, sources_of(exc))
    for w in warnings:
        _stderr().print(w, markup=False)
    try:
        system = ConcertoSystem(compile_plan(plan, args.profile))
    except ModelError as exc:
        _stderr().print(f"{args.plan}:1:1: error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    out = _stdout()
    out.print(f"run of {args.plan} (seed {args.seed}, profile {args.profile})", markup=False)
    for event in random_run(system, args.seed, args.steps):
        if isinstance(event, RunStep):
            view = event.view
            head = Text(f"{event.index:5d} ", style="dim")
            head.append(f"{'/'.join(view.nodes):<14}", style="cyan")
            head.append(f" {view.rule:<32}", style="bold")
            head.append(f" {view.objects}")
            out.print(head)
            for change in view.changes:
                out.print(Text(f"{'':6}{change}", style="dim"))
        elif event.kind == "done":
            queues = "" if event.at_bound else ": every program finished, every queue empty"
            out.print(Text(f"done after {event.steps} steps{queues}", style="bold green"))
            return EXIT_OK
        elif event.kind == "deadlock":
            out.print(Text(f"deadlock after {event.steps} steps", style="bold red"))
            for line in event.blocked:
                out.print(f"  {line}", markup=False)
            return EXIT_VIOLATED
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
        return _report_plan_error(exc, sources_of(exc))
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

    from cdcheck.checker.planner import PlannerError
    from cdcheck.lang.check import check_goal_items
    from cdcheck.lang.goals import read_goals
    from cdcheck.spec.planning import PlanningError
    from cdcheck.verify.planned import NoPlan, synthesize

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
        return _report_plan_error(exc, sources_of(exc))
    for w in warnings:
        err.print(w, markup=False)
    if not items:
        err.print(
            f"{args.plan}:1:1: error: no goals: give --goals FILE or a `goal {{ }}` block",
            markup=False,
        )
        return EXIT_BAD_INPUT
    target = args.output or os.path.join(
        os.path.dirname(args.plan), "plan-" + os.path.basename(args.plan)
    )
    try:
        planned = synthesize(plan, root, items, target, args.max_steps)
    except (PlanningError, PlannerError) as exc:
        err.print(f"{args.plan}:1:1: error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    if isinstance(planned, NoPlan):
        for line in planned.lines:
            out.print(line, markup=False)
        return EXIT_VIOLATED
    text = planned.text
    out.print(planned.summary, markup=False)
    out.print(text, markup=False)
    return _verify_synthesized(text, target, args)


def _verify_synthesized(text: str, target: str, args: argparse.Namespace) -> int:
    """Check the synthesized plan from its text, as `cdcheck check` would; write it
    only when every property holds."""
    from cdcheck.spec.model import ModelError
    from cdcheck.verify.planned import verify_synthesized

    loader = Loader()
    err = _stderr()
    try:
        plan = loader.load_text(text, target)
        diagnostics = check_plan(plan)
        if any(d.is_error for d in diagnostics):
            raise PlanError(diagnostics)
    except PlanError as exc:  # a planner bug, said loudly
        err.print(f"cdcheck plan: BUG: the synthesized plan does not load: {exc}", markup=False)
        return EXIT_VIOLATED
    try:
        outcome = verify_synthesized(plan, target, options_of(args))
    except (ModelError, PropertyError) as exc:
        err.print(f"cdcheck plan: BUG: the synthesized plan does not load: {exc}", markup=False)
        return EXIT_VIOLATED
    code = _show_outcome(outcome)
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
