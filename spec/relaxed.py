"""The FIFO relaxation: every list of a node (inbox, pendingQuestions,
outgoingQuestions) read as a bag.

Why. Every node has a single FIFO inbox, so two nodes sending to the same
node do not commute: the two orders leave different inboxes, and a
partial-order reduction must explore both. On the CPS family all sensors talk
to the listeners' node, and every sensor's next step ends up in every
stubborn set (docs/por.md). In the relaxation a node may take *any* element of
a list, not only its head, and a list is kept sorted: sends from different
nodes commute and reach one state.

What it is. `RelaxedSystem` has the states of `spec.system.ConcertoSystem`
(lists sorted) and the rules of `spec.rules`, each applied with the chosen
element moved to the head. It is not Maude's semantics but an
over-approximation of it, and what it proves transfers:

* Simulation. Sorting the lists of an exact state gives a relaxed state with
  the same value of every atom (atoms read lists only through membership and
  emptiness), and every exact step from the one is a relaxed step from the
  other (the exact head is one of the elements), leading to the sorted image
  of the exact successor: no guard reads a list's order, only membership. So
  the relaxed reachable states include the sorted image of every exact
  reachable state: an invariant that holds in the relaxation holds exactly.
* Deadlocks. If in every exact reachable state the head of each list can be
  taken, an exact deadlock has empty lists, so it is its own sorted image
  and a deadlock of the relaxation too: deadlock freedom of the relaxation
  implies deadlock freedom of the plan. The heads can be taken when every
  element of every list can (`RelaxedSystem.takeable`) in every relaxed
  reachable state, since taking an element depends on membership only. For
  a question collected by one node only this always holds
  (`shared_questions`); for the others the search checks it as an
  invariant. (It can fail: the host of a question asked by two nodes may
  send both answers to the same asker, whose second one then blocks the
  head of its inbox for ever.)

Forgotten answers. The relaxation also forgets the cached answers that keep
their askers asking (`spec.forget`, a bisimulation that changes no atom), so
that polling returns to the state it asked from.

The converse does not hold: a violation found in the relaxation may need an
order the FIFOs forbid, so it is never reported as such; the caller checks
the exact semantics instead (`cdcheck.checker.cli`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from . import rules as R
from .forget import forget_answers
from .model import Model
from .por_groups import ConcertoGroups
from .rules import Step
from .state import GlobalState, Msg, NodeState, Stuck
from .system import ConcertoSystem, _put2

T = TypeVar("T", bound=Msg)


def _order(msg: Msg) -> tuple[int, int, int]:
    """A total order on messages for sorting: ints first; stuck answers by
    question, then by hash (two distinct stuck answers with equal hashes keep
    their arrival order: the state is then not canonical, which costs states,
    never soundness)."""
    if isinstance(msg, Stuck):
        return (1, msg.q, hash(msg))
    return (0, msg, 0)


def sorted_lists(s: NodeState) -> NodeState:
    """The relaxed (canonical) form of a node state: its three lists sorted."""
    inbox = s.inbox
    if len(inbox) > 1:
        inbox = tuple(sorted(inbox, key=_order))
    pending = tuple(sorted(s.pending)) if len(s.pending) > 1 else s.pending
    outgoing = tuple(sorted(s.outgoing)) if len(s.outgoing) > 1 else s.outgoing
    if inbox is s.inbox and pending is s.pending and outgoing is s.outgoing:
        return s
    return s._replace(inbox=inbox, pending=pending, outgoing=outgoing)


def _fronts(items: tuple[T, ...]) -> Iterator[tuple[T, ...]]:
    """The list once with each distinct element moved to the head."""
    seen: set[T] = set()
    for k, x in enumerate(items):
        if x not in seen:
            seen.add(x)
            yield (x, *items[:k], *items[k + 1 :])


def shared_questions(model: Model) -> list[str]:
    """Why the relaxation may not preserve deadlocks: the questions that more
    than one node may collect (empty when it does).

    With one asker y for question q, at most one copy of q is ever in flight:
    y collects q only when q is neither in its history nor in its outgoing
    list, sending moves q to the history, and the history loses q only when
    y receives the answer. So an answer to q in y's inbox finds q in y's
    history, and a pending q at its host finds y waiting for it, whose inbox
    never holds the question q itself (y never hosts q's destination)."""
    groups = ConcertoGroups(model)
    return [
        f"{model.question_text(q)}@{model.instances[model.questions[q].dst]}"
        for q, askers in sorted(groups.askers.items())
        if len(askers) > 1
    ]


class RelaxedSystem(ConcertoSystem):
    """`ConcertoSystem` with bag lists (module docstring)."""

    title = "the FIFO relaxation"
    summary = (
        "a node may take any element of its message lists first), which includes every run "
        "of the plan (docs/relaxation.md"
    )

    def __init__(self, model: Model, forget: bool = True) -> None:
        super().__init__(model, forget)
        askers = self._por().askers  # the groups are needed anyway: built once
        self.shared = frozenset(q for q, nodes in askers.items() if len(nodes) > 1)
        """Questions collected by several nodes: `takeable` watches their messages."""
        self._sends: dict[tuple[int, int, int, int, int], list[tuple[Step, int, int]]] = {}

    @property
    def deadlocks_transfer(self) -> bool:
        """Does deadlock freedom here imply it for the plan? Yes when no
        question has several askers (module docstring)."""
        return not self.shared

    def canonical(self, s: NodeState) -> NodeState:
        """The relaxed form of a node state: lists sorted, forgettable answers forgotten."""
        return forget_answers(sorted_lists(s), self.forgettable)

    def intern(self, n: int, s: NodeState) -> int:
        return super().intern(n, sorted_lists(s))  # the base class forgets

    def _local_succ(self, n: int, i: int) -> list[tuple[Step, int]]:
        memo = self._local[n][i]
        if memo is None:
            m = self.model
            s = self._states[n][i]
            memo = [
                (step, self.intern(n, s2)) for rule in R.LOCAL_RULES for step, s2 in rule(m, n, s)
            ]
            for inbox in _fronts(s.inbox):
                front = s._replace(inbox=inbox)
                for receive in (R.ReceiveQuestion, R.ReceiveAnswer):
                    memo += [(step, self.intern(n, s2)) for step, s2 in receive(m, n, front)]
            self._local[n][i] = memo
        return memo

    def _relaxed_two(
        self, which: int, x: int, ix: int, y: int, iy: int
    ) -> list[tuple[Step, int, int]]:
        key = (which, x, ix, y, iy)
        found = self._sends.get(key)
        if found is None:
            sx, sy = self._states[x][ix], self._states[y][iy]
            out: list[tuple[Step, int, int]] = []
            if which == 0:
                for outgoing in _fronts(sx.outgoing):
                    r = R.SendQuestion(self.model, x, sx._replace(outgoing=outgoing), y, sy)
                    if r is not None:
                        out.append((r[0], self.intern(x, r[1]), self.intern(y, r[2])))
            else:
                for pending in _fronts(sx.pending):
                    r = R.SendAnswer(self.model, x, sx._replace(pending=pending), y, sy)
                    if r is not None and self._answers(r[0]):
                        out.append((r[0], self.intern(x, r[1]), self.intern(y, r[2])))
            found = self._sends[key] = out
        return found

    def _answers(self, step: Step) -> bool:
        """Does a host send this answer? Always here (`spec.quiet` restricts it)."""
        return True

    def _messages(self, state: GlobalState) -> Iterator[tuple[Step, GlobalState]]:
        """As `ConcertoSystem._messages`, with every element of a list as a head."""
        m = self.model
        states = self._states
        for x, ix in enumerate(state):
            sx = states[x][ix]
            targets = {y for q in sx.outgoing for y in m.hosts_of[m.questions[q].dst]}
            for y in sorted(targets):
                for step, jx, jy in self._relaxed_two(0, x, ix, y, state[y]):
                    yield step, _put2(state, x, jx, y, jy)
        for x, ix in enumerate(state):
            sx = states[x][ix]
            if sx.pending:
                for y, iy in enumerate(state):
                    if y != x and any(states[y][iy].history >> q & 1 for q in sx.pending):
                        for step, jx, jy in self._relaxed_two(1, x, ix, y, iy):
                            yield step, _put2(state, x, jx, y, jy)

    def takeable(self, state: GlobalState) -> bool:
        """Every answer to a shared question in an inbox answers a question of
        the addressee's history, and every shared question pending at a node
        has an asker elsewhere waiting for it (questions in inboxes are always
        addressed to their host; the other questions are covered by
        `shared_questions`'s argument)."""
        if not self.shared:
            return True
        nodes = self.nodes(state)
        for y, s in enumerate(nodes):
            for msg in s.inbox:
                q = msg.q if isinstance(msg, Stuck) else msg >> 2
                answer = isinstance(msg, Stuck) or msg & 3
                if answer and q in self.shared and not (s.history >> q & 1):
                    return False
            for q in s.pending:
                if q in self.shared and not any(
                    z != y and other.history >> q & 1 for z, other in enumerate(nodes)
                ):
                    return False
        return True

    def takeable_keys(self) -> frozenset[tuple[object, ...]]:
        """The stubborn-set keys `takeable` reads (spec.por_groups)."""
        keys: set[tuple[object, ...]] = set()
        for q in self.shared:
            for n in range(len(self.model.nodes)):
                keys |= {(n, "hist", q), (n, "in+", 1, q), (n, "in-", 1, q)}
                keys |= {(n, "pend+", q), (n, "pend-", q)}
        return frozenset(keys)

    def _por(self) -> ConcertoGroups:
        if self._por_groups is None:
            self._por_groups = ConcertoGroups(self.model, bags=True)
        return self._por_groups
