"""The verification strategy: which search decides which property, in which order.

`verify(plan, options)` reads top-down as the decision procedure:

1. compile the plan and the chosen properties (`properties`);
2. prove on the quiet system what it can prove at once: deadlock freedom,
   termination and goals under weak fairness per step (`quietly`,
   docs/quiet.md) — only proofs are taken from it;
3. decide every remaining invariant and deadlock freedom (`safety`): an
   over-approximation first (quiet system or FIFO relaxation, local views
   for conjuncts that read a few nodes), a proof there is a proof; the
   exact semantics for the rest and for every violation
   (docs/relaxation.md, docs/por.md);
4. ask a Z3 engine about what the explicit search left unknown, or about
   everything with `--engine bmc|kind|pdr|houdini` (`symbolic`);
5. decide every other LTL formula by the Büchi product, reduced where the
   reduction preserves it (`liveness`);
6. build one report, with each counterexample on the plan's own states
   (`views`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from cdcheck.checker.report import Report
from cdcheck.checker.search import Limits, PropertyResult, Stats
from cdcheck.lang import ast as A
from cdcheck.verify.liveness import maybe_reduced_ltl, node_of, step_identity
from cdcheck.verify.options import Options
from cdcheck.verify.properties import Goal, compile_property, select_properties
from cdcheck.verify.quietly import decide_quietly
from cdcheck.verify.safety import (
    decide_by_conjuncts,
    decide_conjuncts_together,
    decide_safety,
    forgetful,
    on_plain,
    together,
)
from cdcheck.verify.symbolic import symbolic_check
from cdcheck.verify.views import (
    atom_values,
    describe_with_stutter,
    fairness_note,
    merge_stats,
    shown_formula,
    starvation_explainer,
    state_view,
)


@dataclass(frozen=True)
class Outcome:
    """A run's report, each property's own figures, and the certificates of
    symbolic proofs when `Options.explain` asked for them."""

    report: Report
    figures: dict[str, Stats] = field(default_factory=dict)
    certificates: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 every property holds, 1 one is violated, 3 one is undecided."""
        return self.report.exit_code


def verify(plan: A.Plan, options: Options | None = None) -> Outcome:
    """Check the chosen properties of a statically checked plan.

    Raises `cdcheck.spec.model.ModelError` when the plan does not compile and
    `cdcheck.verify.properties.PropertyError` for a bad formula or name."""
    from cdcheck.spec.model import compile_plan
    from cdcheck.spec.system import ConcertoSystem

    options = options or Options()
    system = ConcertoSystem(compile_plan(plan, options.profile))
    goals = [
        replace(
            compile_property(p, system),
            fair="steps" if (p.name == "terminates" and p.origin == "default") else options.fair,
        )
        for p in select_properties(plan, options)
    ]
    return decide(plan, system, goals, options)


def decide(plan: A.Plan, system: Any, goals: list[Goal], options: Options) -> Outcome:
    """The decision procedure for compiled goals (steps 2 to 6 above)."""
    limits = limits_of(options)
    run = _Run()
    explicit = options.engine in ("explicit", "auto")
    safety = [g for g in goals if g.is_safety]
    quiet_states = 0
    if options.por and not options.exact_fifo and explicit:
        quiet_states = prove_quietly(system, goals, limits, run)
        safety = [g for g in safety if g.prop.name not in run.results]
    if safety and explicit:
        deadlocks = any(g.deadlock for g in goals)
        decide_safety_goals(plan, system, safety, options, limits, quiet_states, deadlocks, run)
    if options.engine != "explicit":
        decide_symbolically(system, safety, options, run)
    decide_liveness(system, [g for g in goals if not g.is_safety], options, limits, run)
    return run.outcome(plan, system, goals)


def limits_of(options: Options) -> Limits:
    """The search limits; the memory guard defaults to 80% of what is free."""
    memory = options.max_memory if options.max_memory is not None else default_memory_limit()
    return Limits(options.max_states, options.max_depth, options.timeout, memory)


def prove_quietly(system: Any, goals: list[Goal], limits: Limits, run: _Run) -> int:
    """Step 2: what one reduced deadlock search of the quiet system proves
    (docs/quiet.md); returns its size, which tells what a flagged search of
    the invariants costs."""
    proved, proved_stats, notes = decide_quietly(system, goals, limits)
    run.results.update(proved)
    run.figures.update(proved_stats)
    run.notes += notes
    return max((s.states for s in proved_stats.values()), default=0)


def decide_safety_goals(
    plan: A.Plan,
    system: Any,
    safety: list[Goal],
    options: Options,
    limits: Limits,
    quiet_states: int,
    deadlocks: bool,
    run: _Run,
) -> None:
    """Step 3. With the reduction each property is searched alone: the
    stubborn sets must wait for whatever could violate the properties
    searched together (docs/por.md). Invariants of a plan the quiet system
    stands for are searched with one violation flag per conjunct; others
    conjunct by conjunct, local views first. Without the reduction, one
    search decides them all. `deadlocks`: whether deadlock freedom is asked
    (the unreduced search of `--compare-por` looks for deadlocks then, even
    when the quiet system proved it)."""
    from cdcheck.checker.search import Invariant, check_safety

    batches = [[g] for g in safety] if options.por else [safety]
    for batch in batches:
        chosen = decide_by_conjuncts if options.por else decide_safety
        if options.por and together(system, batch, options):
            chosen = partial(decide_conjuncts_together, first_bound=2 * quiet_states)
        decided, batch_stats, batch_stopped, batch_notes = chosen(
            system, batch, options, limits, plan.path
        )
        run.results.update(decided)
        run.figures.update(batch_stats)
        run.stopped = run.stopped or batch_stopped
        run.notes += [n for n in batch_notes if n not in run.notes]
    if options.compare_por:
        full = check_safety(
            system,
            invariants=[Invariant(g.prop.name, g.predicate) for g in safety if not g.deadlock],
            check_deadlock=deadlocks,
            is_final=system.atoms().done,
            limits=limits,
        )
        reduced_states = max(s.states for s in run.figures.values())
        run.notes.append(
            f"reduction: {reduced_states:,} states against {full.stats.states:,} without "
            f"({full.stats.seconds:.2f} s)"
            + ("" if full.stats.complete else ", the full search stopped by a limit")
        )


def decide_symbolically(system: Any, safety: list[Goal], options: Options, run: _Run) -> None:
    """Step 4: a Z3 engine for each invariant the explicit search did not
    decide (all of them when the engine is not `auto`)."""
    for g in safety:
        prior = run.results.get(g.prop.name)
        if prior is None or prior.verdict.value == "unknown":
            result, stats, certificate = symbolic_check(system, g, options)
            run.results[g.prop.name], run.figures[g.prop.name] = result, stats
            if certificate is not None and options.explain:
                run.certificates.append(certificate)


def decide_liveness(
    system: Any, liveness: list[Goal], options: Options, limits: Limits, run: _Run
) -> None:
    """Step 5: the Büchi product for each formula not decided yet, on the
    forgetful system with the reduction (a bisimulation that keeps step labels,
    so fairness per step too: `safety.forgetful`); a lasso is followed back
    on the plan's own states."""
    from cdcheck.checker import ltl as L
    from cdcheck.checker.buchi import translate
    from cdcheck.checker.emptiness import check_ltl
    from cdcheck.checker.lasso_check import rechecked
    from cdcheck.checker.progress import ProgressDisplay

    liveness = [g for g in liveness if g.prop.name not in run.results]
    explored_system = forgetful(system, options) if liveness else system
    for g in liveness:
        fairness = {"nodes": node_of, "steps": step_identity}.get(g.fair)
        if explored_system is not system:
            g = replace(g, valuation=compile_property(g.prop, explored_system).valuation)
        explored, por_note = maybe_reduced_ltl(explored_system, g, options)
        run.notes += por_note
        with ProgressDisplay(f"checking {g.prop.name}", quiet=options.quiet) as progress:
            result, stats = check_ltl(
                explored,
                translate(L.Not(g.formula)),
                g.valuation,
                name=g.prop.name,
                fairness=fairness,
                limits=limits,
                progress=progress,
            )
        if result.trace is not None and explored_system is not system:
            # check_ltl re-checked the lasso on the system it searched; the
            # one shown is followed on the plan's own states: checked again
            result = rechecked(
                replace(result, trace=on_plain(system, result.trace)), system, fairness
            )
        run.results[g.prop.name] = result
        run.figures[g.prop.name] = stats


@dataclass
class _Run:
    """What the steps have decided so far (mutable while the run lasts)."""

    results: dict[str, PropertyResult[Any, Any]] = field(default_factory=dict)
    figures: dict[str, Stats] = field(default_factory=dict)
    stopped: str | None = None
    notes: list[str] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)

    def outcome(self, plan: A.Plan, system: Any, goals: list[Goal]) -> Outcome:
        """Step 6: one report, the properties in the order they were asked."""
        from cdcheck.checker.report import Location, build_property_report
        from cdcheck.spec.diagnose import explain_blocked

        describe = describe_with_stutter(system)
        reports = []
        for g in goals:
            result = self.results[g.prop.name]
            explain: Callable[[Any], Sequence[str]] | None = None
            if g.deadlock:
                explain = partial(explain_blocked, system)
            elif not g.is_safety and result.trace is not None:
                explain = starvation_explainer(system, result.trace, g.fair)
            elif g.predicate is not None and g.prop.origin != "default":
                explain = partial(atom_values, g.formula, system.atoms())
            reports.append(
                build_property_report(
                    result,
                    formula=shown_formula(g.prop) + fairness_note(g.fair),
                    location=Location(
                        g.prop.file if g.prop.origin == "plan" else plan.path,
                        g.prop.line,
                        g.prop.col,
                    ),
                    describe=describe,
                    state_view=partial(state_view, system),
                    explain=explain,
                )
            )
        report = Report(
            plan.path,
            tuple(reports),
            merge_stats(list(self.figures.values())),
            self.stopped,
            tuple(self.notes),
        )
        return Outcome(report, dict(self.figures), tuple(self.certificates))


def default_memory_limit() -> int | None:
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
