"""Deadlock freedom and invariants: which over-approximation is searched
first, which proof transfers, and where a violation is shown.

Each step's docstring says what a proof on it transfers to and why
(docs/relaxation.md, docs/quiet.md, docs/por.md). Only proofs are taken from
an over-approximation; every violation is shown on the exact semantics.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cdcheck.verify.options import Options
from cdcheck.verify.properties import Goal, conjunct_goals, kept_by_quiet, on_system

FLAGGED_FIRST_STATES = 50_000
"""The first search of all conjuncts together stops here; local views are
then tried for the conjuncts they can prove (docs/por.md)."""


LOCAL_VIEW_STATES = 100_000
"""A local view that has not proved its conjunct within this many states
gives way to the search of the whole plan."""


def decide_safety(
    system: Any, goals: list[Goal], options: Options, limits: Any, label: str
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
    relaxation = relaxation_for(system, goals, options)
    if relaxation is not None:
        relaxed, relaxed_goals = relaxation
        search, _ = safety_search(relaxed, relaxed_goals, options, limits, label)
        for g in relaxed_goals:
            result = result_of(search, g)
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
        exact = forgetful(system, options)
        exact_goals = [on_system(g, exact) for g in pending] if exact is not system else pending
        search, por_note = safety_search(exact, exact_goals, options, limits, label)
        notes += por_note
        stopped = stopped or search.stopped_by
        for g in exact_goals:
            result = result_of(search, g)
            if result.trace is not None and exact is not system:
                result = replace(result, trace=on_plain(system, result.trace))
            results[g.prop.name] = result
            stats_of[g.prop.name] = search.stats
    return results, stats_of, stopped, notes


def shorter_violation(
    violated: Any, result: Any, name: str, k: int, parts: list[Goal], part: Goal
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
    if violated is None or steps(result) < steps(violated):
        return replace(result, name=name, reason=reason)
    return violated


def conjunction_result(name: str, searched: str, violated: Any, undecided: list[str]) -> Any:
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


def decide_by_conjuncts(
    system: Any, goals: list[Goal], options: Options, limits: Any, label: str
) -> tuple[dict[str, Any], dict[str, Any], str | None, list[str]]:
    """`decide_safety` for one goal, one search per conjunct of its invariant
    (`conjunct_goals`), sharing the time limit; `--max-states` bounds each.
    A conjunct that reads a few nodes only is first searched on their local
    view (`on_local_view`), and on the whole plan only if that does not
    prove it.

    After a violation, the other conjuncts are searched only below its length,
    and the shortest counterexample found is shown (it violates the whole
    invariant); the goal holds when every conjunct does, and is unknown when
    none is violated and some is undecided."""
    import time

    from cdcheck.checker.search import Verdict

    (goal,) = goals
    parts = conjunct_goals(goal, system)
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
            shorter = steps(violated) - 1
            if shorter < 0:
                break
            if limits.max_depth is not None:
                shorter = min(shorter, limits.max_depth)
            part_limits = replace(part_limits, max_depth=shorter)
        proof = on_local_view(system, part, options, part_limits, label)
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
            decided, stats_of, part_stopped, part_notes = decide_safety(
                system, goals, options, part_limits, label
            )
            if proof is not None:
                stats_of = {name: summed([proof[1], *stats_of.values()])}
            return decided, stats_of, part_stopped, part_notes
        if proof is not None:
            figures.append(proof[1])
        decided, stats_of, part_stopped, part_notes = decide_safety(
            system, [part], options, part_limits, label
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
            violated = shorter_violation(violated, result, name, k, parts, part)
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
    result = conjunction_result(name, searched, violated, undecided)
    return {name: result}, {name: summed(figures)}, stopped, notes


def together(system: Any, goals: list[Goal], options: Options) -> bool:
    """Whether an invariant's conjuncts are searched together, with violation
    flags (`decide_conjuncts_together`): when flags are forced, or by
    default when the quiet system stands for the plan and keeps its atoms."""
    from cdcheck.spec.quiet import obstacles

    if options.invariant_por == "flags":
        return True
    return (
        options.invariant_por == "auto"
        and not options.exact_fifo
        and not obstacles(system.model)
        and all(not g.deadlock and kept_by_quiet(g.formula) for g in goals)
    )


def decide_conjuncts_together(
    system: Any,
    goals: list[Goal],
    options: Options,
    limits: Any,
    label: str,
    first_bound: int = 0,
) -> tuple[dict[str, Any], dict[str, Any], str | None, list[str]]:
    """`decide_by_conjuncts` with violation flags (`--invariant-por flags`).

    The conjuncts are searched together, one flag each, in one search of the
    plan (`checker.flagged`), which costs about what the deadlock search
    does whatever their number: first within `first_bound` states (at least
    `FLAGGED_FIRST_STATES`); if that does not decide them, each conjunct that reads a few nodes is
    searched on their local view (`on_local_view`, whose size does not grow
    with the plan), and the others together again, without that bound. The
    goal holds when every conjunct does; a violated conjunct's
    counterexample is the shortest one found; else it is unknown when one is
    undecided."""
    import time

    from cdcheck.checker.search import Verdict

    (goal,) = goals
    parts = conjunct_goals(goal, system)
    name = goal.prop.name
    start = time.monotonic()
    figures: list[Any] = []
    local: list[str] = []
    notes: list[str] = []

    def together(rest: list[Goal], bound: int | None) -> tuple[dict[str, Any], Any, str | None]:
        budget = None if limits.timeout is None else limits.timeout - (time.monotonic() - start)
        part_limits = replace(limits, timeout=budget)
        if bound is not None:
            part_limits = replace(part_limits, max_states=min(bound, limits.max_states or bound))
        decided, stats_of, stopped, part_notes = decide_safety(
            system, rest, options, part_limits, label
        )
        figures.extend(stats_of.values())
        notes.extend(n for n in part_notes if n not in notes and not n.startswith("`"))
        return decided, summed(list(stats_of.values())), stopped

    bound = max(first_bound, FLAGGED_FIRST_STATES)
    decided, stats, stopped = together(parts, bound if len(parts) > 1 else None)
    rest = parts
    if stopped is not None and not any(r.verdict is Verdict.VIOLATED for r in decided.values()):
        rest = []
        for k, part in enumerate(parts, 1):
            proof = on_local_view(system, part, options, limits, label)
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
            violated = shorter_violation(violated, result, name, k, parts, part)
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
    result = conjunction_result(name, searched, violated, undecided)
    return {name: result}, {name: summed(figures)}, stopped, notes


def on_local_view(
    system: Any, part: Goal, options: Options, limits: Any, label: str
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

    if not options.por or options.exact_fifo or part.deadlock:
        return None
    atoms = [str(a) for a in L.atoms(part.formula)]
    quiet = not obstacles(system.model) and kept_by_quiet(part.formula)
    view = local_view(system.model, atoms, QuietLocalView if quiet else None)
    if view is None:
        return None
    cap = (
        LOCAL_VIEW_STATES
        if limits.max_states is None
        else min(limits.max_states, LOCAL_VIEW_STATES)
    )
    goal = on_system(part, view)
    search, _ = safety_search(view, [goal], options, replace(limits, max_states=cap), label)
    nodes = ", ".join(system.model.nodes[n].name for n in view.kept)
    return result_of(search, goal), search.stats, nodes


def steps(result: Any) -> int:
    """The length of a result's counterexample (the shortest one is shown)."""
    return len(result.trace.steps) if result.trace is not None else 0


def summed(figures: list[Any]) -> Any:
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


def on_plain(system: Any, trace: Any) -> Any:
    """A trace of the forgetful system followed on `system` (Maude's states)."""
    from cdcheck.checker.emptiness import STUTTER
    from cdcheck.checker.search import follow, follow_lasso

    def stays(step: Any) -> bool:
        return step is STUTTER

    if trace.loop_start is None:
        return follow(system, trace.steps, stays)
    return follow_lasso(system, trace, stays)


def forgetful(system: Any, options: Options) -> Any:
    """The system the exact searches explore (safety after the relaxation, and
    every LTL formula, fairness included): with the reduction, the plan's
    states with the cached answers that keep their askers asking forgotten
    (spec.forget: a bisimulation with the same step labels, which preserves
    fairness per step too, so a counterexample is followed step by step on
    `system` to be shown with Maude's states); without it (`--no-por`),
    `system` itself."""
    from cdcheck.spec.system import ConcertoSystem

    if not options.por:
        return system
    return ConcertoSystem(system.model, forget=True)


def result_of(search: Any, goal: Goal) -> Any:
    """A safety goal's result in a search, under the goal's name."""
    key = "deadlock-free" if goal.deadlock else goal.prop.name
    found = next(r for r in search.results if r.name == key)
    return replace(found, name=goal.prop.name)


def safety_search(
    system: Any, goals: list[Goal], options: Options, limits: Any, label: str
) -> tuple[Any, list[str]]:
    """One breadth-first search for all `goals` (reduced with `--por`)."""
    from cdcheck.checker.progress import ProgressDisplay
    from cdcheck.checker.search import Invariant, check_safety

    explored, note, flagged = maybe_reduced(system, goals, options)
    invariants = [Invariant(g.prop.name, g.predicate) for g in goals if not g.deadlock]
    is_final = system.atoms().done
    if flagged is not None:
        invariants = flagged.invariants()
        is_final = on_inner(flagged, is_final)
    with ProgressDisplay(f"checking {label}", quiet=options.quiet) as progress:
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


def on_inner(flagged: Any, predicate: Any) -> Any:
    """A predicate of the system's states, read on flagged states."""
    inner = flagged.inner
    return lambda state: predicate(inner(state))


def relaxation_for(
    system: Any, safety: list[Goal], options: Options
) -> tuple[Any, list[Goal]] | None:
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

    if not options.por or options.exact_fifo:
        return None
    usable = [
        g for g in safety if g.deadlock or not any(str(a) == "deadlock" for a in L.atoms(g.formula))
    ]
    if not usable:
        return None
    quiet = not obstacles(system.model) and all(
        g.deadlock or kept_by_quiet(g.formula) for g in usable
    )
    relaxed = QuietSystem(system.model) if quiet else RelaxedSystem(system.model)
    return relaxed, [on_system(g, relaxed) for g in usable]


def flags_for(system: Any, options: Options) -> bool:
    """Whether invariants on `system` are kept by violation flags: always with
    `--invariant-por flags`; by default on the quiet system and its views,
    whose runs do not poll. Where nodes poll, the cycle proviso of the flags
    expands most states fully (CPS update with 2 pairs: undecided in 300 s
    on the exact semantics, 1,728 states with the goal condition)."""
    from cdcheck.spec.quiet import QuietLocalView, QuietSystem

    if options.invariant_por == "auto":
        return isinstance(system, (QuietSystem, QuietLocalView))
    return bool(options.invariant_por == "flags")


def maybe_reduced(system: Any, safety: list[Goal], options: Options) -> tuple[Any, list[str], Any]:
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

    if not options.por:
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
    if flags_for(system, options):
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
