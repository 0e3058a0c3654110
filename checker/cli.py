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
from importlib.metadata import PackageNotFoundError, version

from rich.console import Console

from cdcheck.lang import ast as A
from cdcheck.lang.check import check_plan
from cdcheck.lang.diagnostics import PlanError, SourceCache, render_all
from cdcheck.lang.loader import Loader

EXIT_OK = 0
EXIT_VIOLATED = 1
EXIT_BAD_INPUT = 2
EXIT_UNKNOWN = 3

EPILOG = """\
examples:
  cdcheck models/cps/update.cd              check a plan (summary, diagnostics)
  cdcheck fmt models/cps/update.cd          rewrite a plan in canonical form
  cdcheck fmt --check models/**/*.cd        CI: fail if a plan is not formatted
  cdcheck family cps-update 3 > cps3.cd     print a generated plan of a family

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
    return Console(highlight=False, soft_wrap=True)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


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
        raise PlanError(diagnostics)
    from cdcheck.lang.diagnostics import render

    warnings = [render(d, loader.sources) for d in diagnostics]
    return plan, loader.sources, warnings


# ----------------------------------------------------------------------------- check


def _cmd_check(args: argparse.Namespace) -> int:
    loader_sources = SourceCache()
    try:
        plan, loader_sources, warnings = load_checked(args.plan)
    except PlanError as exc:
        return _report_plan_error(exc, _sources_of(exc, loader_sources, args.plan))
    err = _stderr()
    for w in warnings:
        err.print(w, markup=False)
    _print_summary(plan)
    return EXIT_OK


def _sources_of(exc: PlanError, fallback: SourceCache, path: str) -> SourceCache:
    """Re-read the files named by the diagnostics so that their lines can be shown."""
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
        return _report_plan_error(exc, _sources_of(exc, SourceCache(), args.job))
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
        return _report_plan_error(exc, _sources_of(exc, SourceCache(), args.plan))
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
        return _report_plan_error(exc, _sources_of(exc, SourceCache(), args.plan))
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

    check = sub("check", "parse and check a plan, print a summary", _cmd_check)
    check.add_argument("plan", help="the .cd plan file")

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
