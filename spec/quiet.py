"""The quiet system: the FIFO relaxation in which a host answers a question
only with the value its asker is waiting for.

Why. Termination is checked under weak fairness, which the partial-order
reduction does not preserve: the planner's plans with two CPS pairs or one
OpenStack site have millions of states and were never decided. Polling is
what makes termination a fairness question: a node that asks, hears "not
yet" and asks again can do so for ever. In the quiet system nobody hears
"not yet": a question waits at its host until the answer is the desired one
(true for isConnected, onDisconnect, isCompleted; false for isActive and
isRefusing). A node that would poll for ever in the plan is stuck in the
quiet system, so a livelock becomes a deadlock, and deadlocks are what the
stubborn sets preserve best: the CPS plan with two pairs is decided in 691
states.

What transfers (`QuietSystem` is `spec.relaxed.RelaxedSystem` with its
SendAnswer steps restricted, polling answers forgotten), when `obstacles`
finds nothing:

1. Every exact run has a quiet run through states with the same instances,
   markings, queues, connections and programs, the same caches once polling
   answers are forgotten, and at most the same messages. Build it from the
   run: drop every re-ask of a question already asked in the current
   episode (`spec.episodes`) and every answer with the undesired value (and
   its reception); keep the first copy of the episode at its host until the
   exact run answers the desired value, and answer it then. The host's state
   is the same at that moment, so is the value and the host's reset of
   cached refusals; the asker receives what the exact run received. Lists
   are bags in the relaxation, so dropping messages never blocks a kept
   step. This needs each answer to reach the node that asked (no two nodes
   ask one question at once: `spec.episodes.overlapping`), every undesired
   answer to be forgettable (no provider with several refusal questions,
   `spec.forget`), and every answer to reduce (every instance present from
   the start, none added or deleted).
   So an invariant of instances, markings, programs and caches that holds
   in the quiet system holds in the plan.
2. An exact deadlock has no message in flight (every list can be emptied:
   each answer reaches its asker), so it is its own image: quiet deadlock
   freedom implies deadlock freedom.
3. A weakly fair exact run that never terminates makes finitely many
   progress steps (behaviors are acyclic, programs finite). After the last
   one the hosts' answers no longer change; every copy in flight is answered
   to its asker (fairness: each such step stays enabled until taken), the
   desired answers stay cached (only refusals are reset, by answers the node
   gives, finitely often), so from some point the caches stop changing and
   no progress step is ever enabled again, or fairness would take it. The
   quiet image of such a point, with every blocked node's pending question
   left unanswered (its value is the undesired one, for ever), is a quiet
   deadlock that is not final. Hence quiet deadlock freedom implies
   termination under weak fairness per step.
4. A final quiet state (every program finished, every queue empty) changes
   no instance, marking or program any more: the goals' atoms hold there
   for ever if they hold at all. Checking them at every quiet end state
   (the reduction keeps every end state) decides `F G goals`.

The converse does not hold: a quiet deadlock may need an order the FIFOs
forbid, or a node whose answer the exact run would still deliver; the
caller then decides with the exact semantics, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache, cached_property

import networkx as nx

from .episodes import Episode, Event, episodes, happens_before, overlapping
from .local_view import LocalView
from .model import ADD, COMPLETED, DEL, PUSH, REFUSING, Model
from .por_groups import STOPS_ASKING, ConcertoGroups, GroupFootprint, GroupId, Key, _Builder
from .relaxed import RelaxedSystem
from .rules import Step, local_answer
from .state import GlobalState, Inst, NodeState, code_of_tri


@cache
def obstacles(model: Model) -> list[str]:
    """Why the quiet system may not stand for the plan (empty when it does):
    each reason in plain words, for the note printed beside the verdicts."""
    found: list[str] = []
    if model.profile != "maude":
        found.append(f"profile {model.profile} (the argument is made for profile maude)")
    if any(ins.op in (ADD, DEL) for nm in model.nodes for ins in nm.program):
        found.append("a program adds or deletes an instance (an answer may not reduce)")
    hosted = {
        nm.slots[ii.slot] for n, nm in enumerate(model.nodes) for ii in model.initial[n].instances
    }
    absent = [model.instances[q.dst] for q in model.questions if q.dst not in hosted]
    if absent:
        found.append(f"`{absent[0]}` is asked about but absent at the start")
    if any(ii.queue for node in model.initial for ii in node.instances):
        found.append("an instance starts with queued behaviors")
    askable = ConcertoGroups(model).askable
    several = sorted(
        f"{model.nodes[n].name} asks about {len(qs)} ports of `{model.instances[dst]}`"
        for n, mine in enumerate(askable)
        for dst, qs in _refusals_by_provider(model, mine).items()
        if len(qs) > 1
    )
    if several:
        found.append(f"{several[0]} (resetState forgets only one of them, spec.forget)")
    for a, b in overlapping(model)[:1]:
        found.append(
            f"`{model.question_text(a.question)}` may be asked at once by "
            f"{model.nodes[a.node].name} ({a.what}) and {model.nodes[b.node].name} ({b.what}): "
            "no wait orders them"
        )
    return found


def _refusals_by_provider(model: Model, questions: Iterable[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for q in questions:
        if model.questions[q].kind == REFUSING:
            found.setdefault(model.questions[q].dst, []).append(q)
    return found


class QuietGroups(ConcertoGroups):
    """The relaxation's transition groups, where an answer also waits for its
    value: a pending question answered with the undesired value is enabled
    only once what the value reads changes.

    An answer to `isCompleted(b)` does not read whether b is done. It is sent
    only once b is done, and from then on no step writes that value (a push
    id is pushed once, and once finished never queued again), so no step that
    writes it is ever enabled together with the answer, and two steps that are
    never enabled together need not be dependent (D1: a step of a stubborn set
    stays enabled along steps outside it). Without the read, the finishing of
    a behavior no longer pulls into its stubborn sets the answer to a future
    `wait` on another node, hence that node's program: on the planner's
    OpenStack plans, the master's finishing and every site's progress. The
    enabling sets still name the value (`_enabling`), so a disabled answer
    still waits for the finishing."""

    def _ask_blockers(self, n: int, s: NodeState, group: GroupId, inst: Inst) -> frozenset[Key]:
        """As the relaxation's, except that a question already asked becomes
        collectible again only once its cached answer is reset: its answer
        carries the awaited value, which blocks it as much as being asked."""
        found = super()._ask_blockers(n, s, group, inst)
        return frozenset((n, "reset", k[2]) if k[1] == "asked" else k for k in found)

    def _send_answer(self, n: int, q: int, y: int, unknown: bool) -> GroupFootprint:
        fp = super()._send_answer(n, q, y, unknown)
        if unknown or self.m.questions[q].kind != COMPLETED:
            return fp
        done = (n, "done", q)
        return GroupFootprint(fp.reads - {done}, fp.writes - {done})

    def _enabling(self, group: GroupId, s: NodeState) -> list[Iterable[Key]]:
        if group[0] == "senda":
            n, q = group[1], group[2]
            assert isinstance(n, int) and isinstance(q, int)
            value = code_of_tri(local_answer(self.m, n, s, q))
            if not _desired(self.m, q, value):
                # the value must change first (the relaxation's own fallback,
                # "the asker must ask", is no necessary enabling set here)
                keys = _Builder()
                self._local_answer_reads(keys, n, q)
                if q in s.pending:
                    return [keys.r]
                # not asked yet either: both must happen, so either is necessary
                # (the value's writers are the host's own steps, the question's
                # arrival may wait on a long chain through its asker)
                return [*super()._enabling(group, s), keys.r]
        return super()._enabling(group, s)


def _desired(model: Model, q: int, code: int) -> bool:
    return code == STOPS_ASKING[model.questions[q].kind]


class _AwaitedAnswers(RelaxedSystem):
    """What the quiet system and its local views share: an answer between
    two of their nodes carries the awaited value, and the stubborn sets know
    that such an answer waits for its value (`QuietGroups`)."""

    def _answers(self, step: Step) -> bool:
        return _desired(self.model, step.args[0], step.args[1])

    def _por(self) -> ConcertoGroups:
        if self._por_groups is None:
            self._por_groups = QuietGroups(self.model, bags=True)
        return self._por_groups


class QuietSystem(_AwaitedAnswers):
    """`RelaxedSystem` whose hosts answer only with the desired value (module
    docstring). Build it only for a plan without `obstacles`."""

    title = "the quiet system"
    summary = (
        "the FIFO relaxation where hosts answer only the awaited value; it includes every "
        "run of the plan up to its polling (docs/quiet.md)"
    )

    @property
    def deadlocks_transfer(self) -> bool:
        return True

    def inert(self, state: GlobalState, group: GroupId) -> list[GroupId]:
        """The answers that conflict with `group`, enabled at `state`, yet
        cannot be sent before its step (`checker.por.Reduced`): answers to a
        node that holds no copy of the question and, by the programs'
        happens-before (`spec.episodes`), can only start asking it after the
        group's event, the execution of an instruction or the finishing of
        the head behavior. An answer needs its question in the asker's
        history, which only an ask puts there, which only happens in one of
        the asker's episodes of that question.

        Why. A provider's next instruction changes what it answers to the
        users that will ask it when they come back up, much later, after
        the provider's own progress; strong stubborn sets would otherwise
        follow the enabling sets of those answers back through the users'
        whole programs, on every site of the OpenStack plans."""
        kind, n, x = group[0], group[1], group[2]
        assert isinstance(n, int) and isinstance(x, int)
        event: Event
        if kind == "prog":
            event = ("x", n, x)
        elif kind == "finish":
            inst = self._states[n][state[n]].instances[self.model.nodes[n].slot_of[x]]
            if inst is None or not inst.queue:
                return []
            k = self._push_index.get((n, inst.queue[0][0]))
            if k is None:
                return []
            event = ("f", n, k)
        else:
            return []
        found = []
        for h, q, y in self._inert_candidates(group, event):
            asker = self._states[y][state[y]]
            if not (asker.history >> q & 1 or q in asker.outgoing):
                found.append(h)
        return found

    def _inert_candidates(self, group: GroupId, event: Event) -> list[tuple[GroupId, int, int]]:
        """The answers (group, question, asker) that conflict with `group` and
        whose asker's episodes of the question all start at or after `event`:
        static, memoized per group and event; only whether the asker holds a
        copy now is left to `inert`."""
        key = (group, event)
        found = self._candidates.get(key)
        if found is None:
            later = {event, *nx.descendants(self._happens_before, event)}
            groups = self.por_groups()
            mine = groups[group]
            found = []
            for h, fp in groups.items():
                if h[0] != "senda" or not mine.conflicts(fp):
                    continue
                q, y = h[2], h[3]
                assert isinstance(q, int) and isinstance(y, int)
                asks = self._episodes.get((y, q), ())
                if all(e.start is not None and e.start in later for e in asks):
                    found.append((h, q, y))
            self._candidates[key] = found
        return found

    @cached_property
    def _happens_before(self) -> nx.DiGraph:
        return happens_before(self.model)

    @cached_property
    def _episodes(self) -> dict[tuple[int, int], list[Episode]]:
        found: dict[tuple[int, int], list[Episode]] = {}
        for e in episodes(self.model):
            found.setdefault((e.node, e.question), []).append(e)
        return found

    @cached_property
    def _push_index(self) -> dict[tuple[int, int], int]:
        return {
            (n, ins.push): k
            for n, nm in enumerate(self.model.nodes)
            for k, ins in enumerate(nm.program)
            if ins.op == PUSH
        }

    @cached_property
    def _candidates(self) -> dict[tuple[GroupId, Event], list[tuple[GroupId, int, int]]]:
        return {}


class QuietLocalView(_AwaitedAnswers, LocalView):
    """`spec.local_view.LocalView` of the quiet system: every answer, between
    kept nodes, from the environment or to it, carries the awaited value.

    The view's simulation argument (docs/relaxation.md) restricted to quiet
    runs: every answer of a quiet run carries the awaited value, so the step
    the view takes for it is one of these. An invariant of the kept nodes
    proved here holds on the quiet system, hence on the plan when the quiet
    system stands for it (`obstacles`)."""

    def _env_steps(self, n: int, s: NodeState) -> Iterator[tuple[Step, NodeState]]:
        for step, after in super()._env_steps(n, s):
            if step.rule in ("SendAnswer", "EnvAnswer") and not self._answers(step):
                continue
            yield step, after
