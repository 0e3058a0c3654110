"""The check a synthesized plan must pass before the planner writes it."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from cdcheck.lang import ast as A
from cdcheck.verify.options import Options
from cdcheck.verify.properties import Property, compile_property, default_properties
from cdcheck.verify.strategy import Outcome, decide

FAIR_PER_STEP = ("terminates", "goals_reached")
"""Checked under weak fairness per step: a plan's nodes poll, and a run that
keeps one node polling for ever while another could finish is no plan's
fault (the planner promises termination of fair runs only)."""


def verify_synthesized(plan: A.Plan, target: str, options: Options) -> Outcome:
    """The default suite, and `goals_reached` (the plan's last property, which
    the planner wrote), on the plan as read back from its text. Only the
    limits and the profile of `options` are used: the planner's promise is
    the default check, with every reduction it allows."""
    from cdcheck.spec.model import compile_plan
    from cdcheck.spec.system import ConcertoSystem

    system = ConcertoSystem(compile_plan(plan, options.profile))
    chosen = [
        *default_properties(plan),
        Property("goals_reached", plan.properties[-1].formula, target, 1, 1, "plan"),
    ]
    goals = [
        replace(compile_property(p, system), fair="steps")
        if p.name in FAIR_PER_STEP
        else compile_property(p, system)
        for p in chosen
    ]
    kept = Options(
        profile=options.profile,
        max_states=options.max_states,
        max_depth=options.max_depth,
        timeout=options.timeout,
        max_memory=options.max_memory,
        quiet=options.quiet,
    )
    return decide(plan, system, goals, kept)


@dataclass(frozen=True)
class Planned:
    """A synthesized plan as text, with what it cost to find."""

    text: str
    summary: str


@dataclass(frozen=True)
class NoPlan:
    """The goals cannot all be reached: why, and where each conflicting goal is written."""

    lines: tuple[str, ...]


def synthesize(
    plan: A.Plan,
    root: A.SourceFile,
    items: tuple[A.GoalItem, ...],
    target: str,
    max_steps: int,
) -> Planned | NoPlan:
    """Per-node programs for the goals by the Z3 planner, written as a plan
    file at `target` (its includes made relative to it), with the goals as
    the property `goals_reached`. Raises `PlanningError` or `PlannerError`
    when the assembly or the goals cannot be planned at all."""
    from cdcheck.checker.planner import Infeasible, solve
    from cdcheck.lang.printer import format_file
    from cdcheck.spec import planning as SP

    asm = SP.assembly_of(plan)
    goals = SP.expand_goals(asm, items)
    result = solve(SP.problem_of(asm, goals, max_steps))
    if isinstance(result, Infeasible):
        return NoPlan(
            (
                f"no plan: the goals cannot all be reached ({result.seconds:.2f} s)",
                *SP.explain(asm, result),
                *(f"  {goals.source[g.key].span}: `{g.key}`" for g in result.core),
            )
        )
    programs = SP.programs_of(asm, result)
    here = os.path.dirname(os.path.abspath(target))
    there = os.path.dirname(os.path.abspath(plan.path))
    includes = tuple(
        A.Include(os.path.relpath(os.path.join(there, inc.path), here)) for inc in root.includes
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
    summary = (
        f"planned in {result.seconds:.2f} s: cost {result.cost}, "
        f"{sum(len(p) for p in programs.programs.values())} instructions, "
        f"{len(programs.waits)} waits"
    )
    return Planned(format_file(synthesized), summary)
