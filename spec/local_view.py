"""The plan seen from a few nodes, the others replaced by an unconstrained
environment: a compositional over-approximation for invariants that read
only those nodes.

Why. A port-consistency conjunct speaks about one connection, hence about
the nodes hosting its user and its provider. Whether it holds rests on the
question/answer protocol between those nodes, not on what the rest of the
plan does: the sensor and the listener of the CPS plan keep their ports
consistent whatever the database does. Searching the two nodes with the
others free of any constraint gives a state space that does not grow with
the plan, where the whole plan's grows with every pair.

What it is. `LocalView(model, kept)` is `spec.relaxed.RelaxedSystem` (bag
lists, polling answers forgotten) restricted to the `kept` nodes; the others
stay at their initial state and never move. The kept nodes take every step
of the relaxation among themselves, and these steps with the environment:

* a question sent to a host outside `kept` leaves the outgoing list for the
  history, and the message is dropped (`SendQuestion`, asker's half);
* a question asked by a node outside `kept` arrives in the inbox of its
  kept host at any time, as long as the host holds fewer copies of it
  (inbox and pending) than the question has askers (`EnvQuestion`), except
  the *silent* questions: those only outside nodes ask, and whose answer
  changes nothing on the host (every kind but `isActive`, whose answer
  `false` resets cached refusals); they never arrive;
* a pending question with an asker outside `kept` is answered to it: the
  host's half of `SendAnswer` (its reset of refusal answers included), the
  answer dropped;
* a question of the history whose destination has a host outside `kept`
  gets either answer, true or false, at any time (`EnvAnswer`: the arrival
  and `ReceiveAnswer` in one step).

Why a proof there is a proof. Map a relaxed state to its kept nodes, with
the answers sent by the environment and not yet received taken out of their
inboxes, and the silent questions out of every list. Every relaxed step from
a reachable state is then a step of the view from the image, or leaves the
image unchanged:

* a step of kept nodes only is the same step (no guard reads the inbox
  except the receives; an answer that arrived from the environment is
  received by `EnvAnswer`, with the same value and the same guard, the
  question in the history);
* an answer sent by an outside host to a kept node, and every step of the
  outside nodes among themselves, leave the image unchanged;
* a silent question sent to a kept host, received, or answered leaves the
  image unchanged: no guard reads another node's question lists, the host's
  lists only for what it receives and answers, and the answer changes
  nothing else on the host;
* any other question sent by an outside node to a kept host is `EnvQuestion`: at
  any time, the copies of a question in flight (at hosts or answered and
  not yet received) are as many as its askers holding it in their history
  (sending adds one of each, receiving the answer removes one of each), so
  the host holds fewer copies than the question has askers before the new
  one arrives;
* a kept node's send to or answer for an outside node is the view's step of
  the same name (an outside asker of the answered question has it in its
  history, which the guard of `SendAnswer` demands).

So every relaxed reachable state has a reachable image, and an invariant
whose atoms read only kept nodes, and no inbox, that holds on the view holds
on the relaxation, hence on the plan (docs/relaxation.md). A violation on
the view proves nothing (the environment may do what no node would): it is
never reported.

Not covered: an answer an outside host may send without reducing it (a
question about an instance that may be absent, profile `maude`): such
answers carry the host's state, which the view cannot invent, so no view is
built (`local_view` returns None).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar

from . import rules as R
from .model import ACTIVE, Model
from .por_groups import ConcertoGroups, GroupFootprint, atom_keys
from .relaxed import RelaxedSystem
from .rules import Step
from .state import GlobalState, NodeState, code_of_tri, msg_answer, msg_question
from .system import _put2

V = TypeVar("V", bound="LocalView")

INBOX_KEYS = frozenset({"in", "in+", "in-"})
"""Footprint kinds of inbox keys (spec.por_groups): atoms reading them are
not preserved, since the view drops the environment's answers in flight."""


def nodes_read(model: Model, atom: str) -> frozenset[int] | None:
    """The nodes whose state the atom reads; None when a view cannot
    preserve it (`deadlock`, or a read of an inbox)."""
    keys = atom_keys(model, atom)
    if keys is None or any(k[1] in INBOX_KEYS for k in keys):
        return None
    return frozenset(int(k[0]) for k in keys)  # type: ignore[call-overload]


def local_view(
    model: Model, atoms: Iterable[str], make: Callable[[Model, frozenset[int]], V] | None = None
) -> LocalView | V | None:
    """The view on the nodes the atoms read; None when it would be the whole
    plan, or cannot be built (an atom it does not preserve, an outside answer
    that may not reduce). `make` builds it (default `LocalView`)."""
    kept: set[int] = set()
    for atom in atoms:
        nodes = nodes_read(model, atom)
        if nodes is None:
            return None
        kept |= nodes
    return view_of(model, frozenset(kept), make)


def view_of(
    model: Model, kept: frozenset[int], make: Callable[[Model, frozenset[int]], V] | None = None
) -> LocalView | V | None:
    """The view on `kept`; None when it would be the whole plan, or when an
    outside host may answer a kept node without reducing the answer."""
    if not kept or len(kept) == len(model.nodes):
        return None
    groups = ConcertoGroups(model)
    for x in kept:
        for q in groups.askable[x]:
            for y in model.hosts_of[model.questions[q].dst]:
                if y not in kept and groups._may_be_unknown(y, q):
                    return None
    return LocalView(model, kept) if make is None else make(model, kept)


class LocalView(RelaxedSystem):
    """The relaxation on the `kept` nodes, the others unconstrained (module
    docstring)."""

    def __init__(self, model: Model, kept: frozenset[int]) -> None:
        super().__init__(model)
        self.kept = tuple(sorted(kept))
        m = model
        groups = self._por()
        self.askers = {q: len(nodes) for q, nodes in groups.askers.items()}
        outside = {q: [y for y in nodes if y not in kept] for q, nodes in groups.askers.items()}
        self.outside_asker = {q: ys[0] for q, ys in outside.items() if ys}
        """Per question with an asker outside `kept`: one of them (for step labels)."""
        self.outside_host: dict[int, int] = {}
        """Per question a kept node may ask: a host of its destination outside `kept`."""
        for x in self.kept:
            for q in groups.askable[x]:
                hosts = [y for y in m.hosts_of[m.questions[q].dst] if y not in kept]
                if hosts:
                    self.outside_host[q] = hosts[0]
        self.silent = frozenset(
            q
            for q, ys in outside.items()
            if ys and m.questions[q].kind != ACTIVE and len(ys) == len(groups.askers[q])
        )
        """Questions asked from outside only, whose answer changes nothing on
        its host (only `isActive` answers reset cached refusals): the view
        never receives them (module docstring)."""
        self.env_questions: dict[int, tuple[int, ...]] = {
            x: tuple(
                q
                for q in sorted(self.outside_asker)
                if m.nodes[x].inventory >> m.questions[q].dst & 1 and q not in self.silent
            )
            for x in self.kept
        }
        """Per kept node: the questions the environment may send it."""
        self._env: dict[tuple[int, int], list[tuple[Step, int]]] = {}
        self._groups: dict[tuple[object, ...], GroupFootprint] | None = None

    # ------------------------------------------------------------------ partial-order reduction

    def por_groups(self) -> Mapping[tuple[object, ...], GroupFootprint]:
        """The kept nodes' groups of the relaxation (outside nodes never move),
        and one group per kind of step with the environment that is not a
        kept node's step already: ("envq", n, q) a question arriving from
        outside, ("enva", n, q) an answer from outside received."""
        if self._groups is None:
            kept = set(self.kept)
            groups = {g: fp for g, fp in super().por_groups().items() if g[1] in kept}
            for n in self.kept:
                for q in self.env_questions[n]:
                    count = {(n, "in-", 0, q), (n, "pend+", q), (n, "pend-", q)}
                    groups[("envq", n, q)] = GroupFootprint(
                        frozenset({*count, (n, "in+", 0, q)}), frozenset({(n, "in+", 0, q)})
                    )
                for q in self._por().askable[n]:
                    if q in self.outside_host:
                        keys = frozenset({(n, "hist", q), (n, "cache", q), (n, "asked", q)})
                        groups[("enva", n, q)] = GroupFootprint(keys, keys)
            self._groups = groups
        return self._groups

    def group_of(self, state: GlobalState, step: Step) -> tuple[object, ...]:
        if step.rule == "EnvQuestion":
            return ("envq", step.peer, step.args[0])
        if step.rule == "EnvAnswer":
            return ("enva", step.peer, step.args[0])
        return super().group_of(state, step)

    def enabling_sets(
        self, state: GlobalState, group: tuple[object, ...]
    ) -> tuple[frozenset[tuple[object, ...]], ...]:
        """As the relaxation's, for the kept nodes' groups, without the sets
        that only outside nodes could write (an outside asker's history: the
        environment asks without one); an environment group waits for the
        copies of its question to go (envq) or for the question to be asked
        (enva)."""
        kind, n, q = group[0], group[1], group[2]
        if kind == "envq":
            return (frozenset({(n, "pend-", q)}),)
        if kind == "enva":
            return (frozenset({(n, "hist", q)}),)
        kept = set(self.kept)
        found = tuple(
            keys
            for keys in super().enabling_sets(state, group)
            if not keys or any(k[0] in kept for k in keys)
        )
        if found:
            return found
        reads = self.por_groups()[group].reads
        return (frozenset(k for k in reads if k[0] in kept),)

    def successors(self, state: GlobalState) -> Iterator[tuple[Step, GlobalState]]:
        for n in self.kept:
            i = state[n]
            for step, j in (*self._local_succ(n, i), *self._env_succ(n, i)):
                yield step, (*state[:n], j, *state[n + 1 :])
        yield from self._kept_messages(state)

    def _kept_messages(self, state: GlobalState) -> Iterator[tuple[Step, GlobalState]]:
        """SendQuestion and SendAnswer between kept nodes (any list element first)."""
        m = self.model
        states = self._states
        kept = self.kept
        for x in kept:
            sx = states[x][state[x]]
            targets = {y for q in sx.outgoing for y in m.hosts_of[m.questions[q].dst]}
            for y in kept:
                if y in targets:
                    for step, jx, jy in self._relaxed_two(0, x, state[x], y, state[y]):
                        yield step, _put2(state, x, jx, y, jy)
        for x in kept:
            sx = states[x][state[x]]
            if not sx.pending:
                continue
            for y in kept:
                sy = states[y][state[y]]
                if y != x and any(sy.history >> q & 1 for q in sx.pending):
                    for step, jx, jy in self._relaxed_two(1, x, state[x], y, state[y]):
                        yield step, _put2(state, x, jx, y, jy)

    def _env_succ(self, n: int, i: int) -> list[tuple[Step, int]]:
        """Node n's steps with the environment (they depend on n alone: memoized)."""
        key = (n, i)
        found = self._env.get(key)
        if found is None:
            s = self._states[n][i]
            found = self._env[key] = [
                (step, self.intern(n, s2)) for step, s2 in self._env_steps(n, s)
            ]
        return found

    def _env_steps(self, n: int, s: NodeState) -> Iterator[tuple[Step, NodeState]]:
        m = self.model
        for q in dict.fromkeys(s.outgoing):
            y = self.outside_host.get(q)
            if y is not None:
                front = s._replace(outgoing=(q, *_without(s.outgoing, q)))
                sent = R.SendQuestion(m, n, front, y, self._states[y][0])
                if sent is not None:
                    yield sent[0], sent[1]
        for q in dict.fromkeys(s.pending):
            y = self.outside_asker.get(q)
            if y is not None:
                answered = R.answer_of(m, n, s._replace(pending=(q, *_without(s.pending, q))))
                if answered is not None:
                    _, v, after = answered
                    yield Step("SendAnswer", n, y, (q, code_of_tri(v))), after
        copies = Counter(s.pending)
        copies.update(msg >> 2 for msg in s.inbox if isinstance(msg, int) and not msg & 3)
        for q in self.env_questions[n]:
            if copies[q] < self.askers[q]:
                y = self.outside_asker[q]
                yield Step("EnvQuestion", y, n, (q,)), s._replace(inbox=(*s.inbox, msg_question(q)))
        for q, y in self.outside_host.items():
            if s.history >> q & 1:
                for v in (False, True):
                    front = s._replace(inbox=(msg_answer(q, v), *s.inbox))
                    for _, after in R.ReceiveAnswer(m, n, front):
                        yield Step("EnvAnswer", y, n, (q, code_of_tri(v))), after


def _without(items: tuple[int, ...], x: int) -> tuple[int, ...]:
    k = items.index(x)
    return items[:k] + items[k + 1 :]
