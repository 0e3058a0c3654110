"""Concerto-D as a planning problem, and a planner's schedule back as per-node programs.

An instance is an agent whose states are its type's places and whose steps are
its behaviors, run from a resting place (one marked place, nothing running) to
the resting place the behavior ends in (forks and AND-joins simulated as the
Maude rules do). Its signals are its ports: a port is on in the places of its
group; during a behavior it rises, falls, stays on or stays off according to
the places the behavior's tokens visit.

Each connection `u.use -- p.provide` is a `Need`: u's use port may be on only
while p's provide port is steadily on. Two users of one provide port hosted on
two nodes other than the provider's ask the provider the same `isRefusing`
question; answers carry no addressee (docs/semantics-notes.md, N3), so their
activating behaviors are made mutually exclusive in time.

The schedule becomes programs: per node, the pushes of its instances' behaviors
in schedule order, each preceded by the `wait`s the protocol does not enforce by
itself:
- a remote user re-activating after its provider left waits for the provider's
  leaving behavior (its cached "not refusing" answer is stale until then);
- a provider leaving after a user activated waits for that activation;
- of two exclusive activations, the later waits for the earlier.
A provider leaving while users are active, or a user activating while the
provider is back but not yet announced, needs no wait: the rules block until
the ports allow it. Orders between instances of one node become program order
(a local `wait` passes as soon as the push executed, N1). Waits implied by other
waits are dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from cdcheck.lang import ast as A

Shape = Literal["off", "on", "rising", "falling"]
SignalRef = tuple[str, str]
"""(instance, port)."""


class PlanningError(Exception):
    """The assembly cannot be planned (an instance in several places, a goal on
    a type without a `running` place...)."""


@dataclass(frozen=True)
class Move:
    """A behavior run from a resting place: where it ends, what it visits, its cost."""

    behavior: str
    source: str
    target: str
    visited: frozenset[str]
    cost: int


@dataclass(frozen=True)
class _Type:
    decl: A.ComponentType
    station_place: dict[str, str]
    transitions: dict[str, A.TransitionDef]
    behaviors: dict[str, tuple[A.TransitionDef, ...]]
    ports: dict[str, A.Port]


def _type_info(t: A.ComponentType) -> _Type:
    stations = {p.text: p.text for p in t.places}
    stations.update({s.name.text: s.place.text for s in t.stations})
    defs = {
        item.name.text: item
        for b in t.behaviors
        for item in b.items
        if isinstance(item, A.TransitionDef)
    }
    behaviors = {
        b.name.text: tuple(
            defs[i.name.text] if isinstance(i, A.TransitionRef) else i
            for i in b.items
            if i.name.text in defs
        )
        for b in t.behaviors
    }
    return _Type(t, stations, defs, behaviors, {p.name.text: p for p in t.ports})


def simulate(info: _Type, behavior: str, source: str) -> Move | None:
    """Run `behavior` from a single token in `source`, as the rules would: fire
    every transition leaving a marked place (a fork), enter a station once every
    transition of the behavior targeting it has ended (an AND-join). None if the
    behavior does not start there, hangs, or ends in more than one place."""
    transitions = info.behaviors[behavior]
    if not any(t.source.text == source for t in transitions):
        return None
    if any(len(t.targets) != 1 for t in transitions):
        return None  # a nondeterministic end station: not planned
    into: dict[str, set[str]] = defaultdict(set)
    for t in transitions:
        into[t.targets[0].text].add(t.name.text)
    marked = {source}
    visited = {source}
    ended: dict[str, set[str]] = defaultdict(set)
    fired: set[str] = set()
    changed = True
    while changed:
        changed = False
        for place in sorted(marked):
            leaving = [t for t in transitions if t.source.text == place]
            if not leaving:
                continue
            marked.discard(place)
            for t in leaving:
                fired.add(t.name.text)
                ended[t.targets[0].text].add(t.name.text)
            changed = True
        for station, done in list(ended.items()):
            if done and done >= into[station]:
                place = info.station_place[station]
                marked.add(place)
                visited.add(place)
                del ended[station]
                changed = True
    if any(ended.values()) or len(marked) != 1:
        return None
    cost = sum(info.transitions[n].cost or 1 for n in fired)
    return Move(behavior, source, next(iter(marked)), frozenset(visited), cost)


def _shape(group: frozenset[str], move: Move) -> Shape:
    if move.source in group:
        return "on" if move.visited <= group else "falling"
    return "rising" if move.visited & group else "off"


@dataclass(frozen=True)
class BehaviorStep:
    """A behavior as a planning step, with each port's shape while it runs."""

    label: str
    source: str
    target: str
    cost: int
    shapes: tuple[tuple[str, Shape], ...]

    def shape(self, signal: str) -> Shape:
        return dict(self.shapes).get(signal, "off")


@dataclass(frozen=True)
class InstanceAgent:
    """An instance as a planning agent: places are states, ports are signals."""

    name: str
    states: tuple[str, ...]
    start: str
    steps: tuple[BehaviorStep, ...]
    groups: tuple[tuple[str, frozenset[str]], ...]

    def on_states(self, signal: str) -> frozenset[str]:
        return dict(self.groups).get(signal, frozenset())


@dataclass(frozen=True)
class PlanGoal:
    """One goal on one instance: `end` in `states`, `takes` behavior `label`, or
    port `signal` ends active iff `on`."""

    key: str
    kind: Literal["end", "takes", "signal"]
    agent: str
    states: frozenset[str] = frozenset()
    label: str = ""
    signal: str = ""
    on: bool = False


@dataclass(frozen=True)
class PlanningProblem:
    agents: tuple[InstanceAgent, ...]
    needs: tuple[tuple[SignalRef, SignalRef], ...]
    exclusives: tuple[tuple[SignalRef, SignalRef], ...]
    goals: tuple[PlanGoal, ...]
    max_steps: int


def agent_of(name: str, info: _Type, start: str) -> InstanceAgent:
    places = tuple(p.text for p in info.decl.places)
    groups = {n: frozenset(x.text for x in p.places) for n, p in info.ports.items()}
    steps = []
    for b in info.behaviors:
        for src in places:
            move = simulate(info, b, src)
            if move is None:
                continue
            shapes = tuple((n, _shape(g, move)) for n, g in groups.items())
            steps.append(BehaviorStep(b, src, move.target, move.cost, shapes))
    return InstanceAgent(name, places, start, tuple(steps), tuple(groups.items()))


# ----------------------------------------------------------------------------- problem


@dataclass(frozen=True)
class Assembly:
    """What the planner reads from a checked plan: where each instance is, on which
    node, and the connections."""

    plan: A.Plan
    types: dict[str, _Type]
    instance_type: dict[str, str]
    start: dict[str, str]
    node_of: dict[str, str]
    connections: tuple[A.Connection, ...]


def assembly_of(plan: A.Plan) -> Assembly:
    types = {t.name.text: _type_info(t) for t in plan.types}
    instance_type: dict[str, str] = {}
    start: dict[str, str] = {}
    node_of: dict[str, str] = {}
    seen: dict[str, A.Connection] = {}
    for n in plan.nodes:
        for h in n.hosts:
            node_of[h.text] = n.name.text
        for s in n.starts:
            if len(s.places) != 1:
                raise PlanningError(
                    f"{s.span}: `{s.instance}` starts in {len(s.places)} places; "
                    "the planner needs instances at rest in one place"
                )
            instance_type[s.instance.text] = s.type.text
            start[s.instance.text] = s.places[0].text
        for q in n.queues:
            raise PlanningError(f"{q.span}: the planner needs empty queues (`queue` here)")
        if n.program:
            raise PlanningError(
                f"{n.program[0].span}: node `{n.name}` already has a program; the planner "
                "writes the programs of an assembly that has none"
            )
        for c in n.connections:
            seen.setdefault(str(c), c)
    return Assembly(plan, types, instance_type, start, node_of, tuple(seen.values()))


def _goal_key(item: A.GoalItem, component: str | None = None) -> str:
    match item:
        case A.BehaviorGoal():
            return f"behavior {component or item.component}: {item.behavior}"
        case A.ComponentGoal():
            return f"component {component or item.component}: {item.status}"
        case A.PortGoal():
            return f"port {component or item.port}: {item.status}"
    raise TypeError(item)


@dataclass(frozen=True)
class GoalSet:
    """Goals expanded per instance (`forall` filled in), each with its source item."""

    goals: tuple[PlanGoal, ...]
    source: dict[str, A.GoalItem]


def expand_goals(asm: Assembly, items: tuple[A.GoalItem, ...]) -> GoalSet:
    """Expand `forall`: it fills only what no explicit goal of the same kind gives."""
    goals: list[PlanGoal] = []
    source: dict[str, A.GoalItem] = {}

    def add(goal: PlanGoal, item: A.GoalItem) -> None:
        if goal.key not in source:
            goals.append(goal)
            source[goal.key] = item

    explicit_beh = {
        i.component.text for i in items if isinstance(i, A.BehaviorGoal) and i.component
    }
    explicit_comp = {
        i.component.text for i in items if isinstance(i, A.ComponentGoal) and i.component
    }
    explicit_port = {str(i.port) for i in items if isinstance(i, A.PortGoal) and i.port}
    instances = list(asm.instance_type)
    for item in items:
        match item:
            case A.BehaviorGoal(component=None):
                for inst in instances:
                    info = asm.types[asm.instance_type[inst]]
                    if inst not in explicit_beh and item.behavior.text in info.behaviors:
                        key = _goal_key(item, inst)
                        add(PlanGoal(key, "takes", inst, label=item.behavior.text), item)
            case A.BehaviorGoal(component=c) if c is not None:
                add(PlanGoal(_goal_key(item), "takes", c.text, label=item.behavior.text), item)
            case A.ComponentGoal(component=None):
                for inst in instances:
                    if inst not in explicit_comp:
                        place = _status_place(asm, inst, item)
                        key = _goal_key(item, inst)
                        add(PlanGoal(key, "end", inst, states=frozenset({place})), item)
            case A.ComponentGoal(component=c) if c is not None:
                place = _status_place(asm, c.text, item)
                add(PlanGoal(_goal_key(item), "end", c.text, states=frozenset({place})), item)
            case A.PortGoal(port=None):
                on = item.status.text == "active"
                for inst in instances:
                    for port in asm.types[asm.instance_type[inst]].ports:
                        if f"{inst}.{port}" not in explicit_port:
                            key = _goal_key(item, f"{inst}.{port}")
                            add(PlanGoal(key, "signal", inst, signal=port, on=on), item)
            case A.PortGoal(port=ref) if ref is not None:
                on = item.status.text == "active"
                goal = PlanGoal(
                    _goal_key(item), "signal", ref.instance.text, signal=ref.port.text, on=on
                )
                add(goal, item)
    return GoalSet(tuple(goals), source)


def _status_place(asm: Assembly, inst: str, item: A.ComponentGoal) -> str:
    info = asm.types[asm.instance_type[inst]]
    status = item.status.text
    if status == "running":
        if info.decl.running is None:
            raise PlanningError(
                f"{item.status.span}: type `{info.decl.name}` of `{inst}` names no `running` place"
            )
        return info.decl.running.text
    if status == "initial":
        assert info.decl.initial is not None
        return info.decl.initial.text
    if status == "start":
        return asm.start[inst]
    return status


def problem_of(asm: Assembly, goals: GoalSet, max_steps: int = 6) -> PlanningProblem:
    agents = tuple(
        agent_of(inst, asm.types[asm.instance_type[inst]], asm.start[inst])
        for inst in asm.instance_type
    )
    needs = tuple(
        (
            (c.user.instance.text, c.user.port.text),
            (c.provider.instance.text, c.provider.port.text),
        )
        for c in asm.connections
        if c.user.instance.text in asm.start and c.provider.instance.text in asm.start
    )
    return PlanningProblem(agents, needs, _exclusives(asm, needs), goals.goals, max_steps)


def _exclusives(
    asm: Assembly, needs: tuple[tuple[SignalRef, SignalRef], ...]
) -> tuple[tuple[SignalRef, SignalRef], ...]:
    """Pairs of users on two different nodes, both remote from the provider: they
    would ask the same `isRefusing` question."""
    by_provider: dict[SignalRef, list[SignalRef]] = defaultdict(list)
    for user, provider in needs:
        by_provider[provider].append(user)
    out = []
    for provider, users in by_provider.items():
        home = asm.node_of.get(provider[0])
        remote = [u for u in users if asm.node_of.get(u[0]) != home]
        for i, a in enumerate(remote):
            for b in remote[i + 1 :]:
                if asm.node_of.get(a[0]) != asm.node_of.get(b[0]):
                    out.append((a, b))
    return tuple(out)


# ----------------------------------------------------------------------------- programs


Occurrence = tuple[str, int]
"""(instance, index of its behavior in the schedule, from 1)."""


class ScheduledStep(Protocol):
    """What a planner's schedule says of one behavior run."""

    @property
    def agent(self) -> str: ...
    @property
    def index(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class ScheduleOrder(Protocol):
    """Segment `before` (instance, index, is a behavior run) precedes `after`."""

    @property
    def before(self) -> tuple[str, int, bool]: ...
    @property
    def after(self) -> tuple[str, int, bool]: ...
    @property
    def kind(self) -> str: ...
    @property
    def provider(self) -> SignalRef | None: ...


class Schedule(Protocol):
    @property
    def steps(self) -> Sequence[ScheduledStep]: ...
    @property
    def orders(self) -> Sequence[ScheduleOrder]: ...


class GoalView(Protocol):
    """A goal as a planner reports it back in a core."""

    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def states(self) -> frozenset[str]: ...


class Unsatisfiable(Protocol):
    @property
    def core(self) -> Sequence[GoalView]: ...
    @property
    def bound(self) -> int: ...


@dataclass(frozen=True)
class Programs:
    """Per node, its instructions; with the push id of every scheduled behavior."""

    programs: dict[str, tuple[A.Instruction, ...]]
    push_ids: dict[Occurrence, str]
    waits: tuple[tuple[Occurrence, Occurrence], ...]
    """(waited, waiting): the waits kept, as orders between occurrences."""


def programs_of(asm: Assembly, solution: Schedule) -> Programs:
    push_ids = _push_ids(solution)
    timing = {(s.agent, s.index): s for s in solution.steps}
    waits = _needed_waits(asm, solution, timing)
    kept = _reduce(asm, timing, waits)
    before: dict[Occurrence, list[Occurrence]] = defaultdict(list)
    for waited, waiting in kept:
        before[waiting].append(waited)
    programs: dict[str, tuple[A.Instruction, ...]] = {}
    order = {inst: k for k, inst in enumerate(asm.instance_type)}
    for node in asm.plan.nodes:
        here = [s for s in solution.steps if asm.node_of.get(s.agent) == node.name.text]
        here.sort(key=lambda s: (s.start, order[s.agent], s.index))
        out: list[A.Instruction] = []
        for s in here:
            occ = (s.agent, s.index)
            for waited in sorted(before[occ], key=lambda o: (timing[o].end, o)):
                out.append(A.Wait(A.Ident(waited[0]), A.Ident(push_ids[waited])))
            out.append(A.PushB(A.Ident(s.agent), A.Ident(s.label), A.Ident(push_ids[occ])))
        programs[node.name.text] = tuple(out)
    return Programs(programs, push_ids, tuple(kept))


def _push_ids(solution: Schedule) -> dict[Occurrence, str]:
    ids: dict[Occurrence, str] = {}
    used: set[str] = set()
    for s in sorted(solution.steps, key=lambda s: (s.agent, s.index)):
        base = f"{s.agent}_{s.label}"
        name, k = base, 2
        while name in used:
            name, k = f"{base}_{k}", k + 1
        used.add(name)
        ids[(s.agent, s.index)] = name
    return ids


def _needed_waits(
    asm: Assembly, solution: Schedule, timing: dict[Occurrence, ScheduledStep]
) -> list[tuple[Occurrence, Occurrence]]:
    """The schedule's orders the protocol does not enforce, between two nodes."""
    out: list[tuple[Occurrence, Occurrence]] = []
    for order in solution.orders:
        b_agent, b_index, b_step = order.before
        a_agent, a_index, a_step = order.after
        if not (b_step and a_step) or order.kind == "need-on":
            continue
        if asm.node_of.get(b_agent) == asm.node_of.get(a_agent):
            continue  # program order on the node (schedule order)
        before, after = (b_agent, b_index), (a_agent, a_index)
        provider = order.provider
        if (
            order.kind == "need-rising"
            and provider is not None
            and b_agent == provider[0]
            and _shape_of(asm, timing[before], provider[1]) != "falling"
        ):
            continue  # the user activates after the provider's step: wait for a leaving one
        out.append((before, after))
    return sorted(set(out))


def _shape_of(asm: Assembly, s: ScheduledStep, port: str) -> Shape:
    info = asm.types[asm.instance_type[s.agent]]
    move = simulate(info, s.label, s.source)
    assert move is not None
    group = frozenset(x.text for x in info.ports[port].places)
    return _shape(group, move)


def _reduce(
    asm: Assembly,
    timing: dict[Occurrence, ScheduledStep],
    waits: list[tuple[Occurrence, Occurrence]],
) -> list[tuple[Occurrence, Occurrence]]:
    """Drop every wait implied by the others: a wait `x -> y` on node n makes x end
    before y and before everything n pushes after y; an instance runs its
    behaviors in order."""
    by_node: dict[str, list[Occurrence]] = defaultdict(list)
    for occ in timing:
        by_node[asm.node_of[occ[0]]].append(occ)
    for occs in by_node.values():
        occs.sort(key=lambda o: (timing[o].start, o))

    def successors(
        occ: Occurrence, current: list[tuple[Occurrence, Occurrence]]
    ) -> set[Occurrence]:
        nxt: set[Occurrence] = set()
        if (occ[0], occ[1] + 1) in timing:
            nxt.add((occ[0], occ[1] + 1))
        for x, y in current:
            if x == occ:
                node = by_node[asm.node_of[y[0]]]
                nxt.update(node[node.index(y) :])
        return nxt

    kept = list(waits)
    for w in sorted(waits, key=lambda w: timing[w[1]].start - timing[w[0]].end):
        rest = [v for v in kept if v != w]
        seen = {w[0]}
        stack = [w[0]]
        found = False
        while stack and not found:
            for n in successors(stack.pop(), rest):
                if n == w[1]:
                    found = True
                    break
                if n not in seen:
                    seen.add(n)
                    stack.append(n)
        if found:
            kept = rest
    return kept


# ----------------------------------------------------------------------------- output


def goals_formula(goals: GoalSet, push_ids: dict[Occurrence, str], solution: Schedule) -> str:
    """`F G (...)`: every goal holds from some point on, as atoms of the checker."""
    atoms = []
    for g in goals.goals:
        c = g
        if c.kind == "end":
            atoms.append(" | ".join(f"at({c.agent}, {p})" for p in sorted(c.states)))
        elif c.kind == "signal":
            atoms.append(("" if c.on else "!") + f"active({c.agent}.{c.signal})")
        else:
            occ = next(
                (s.agent, s.index)
                for s in solution.steps
                if s.agent == c.agent and s.label == c.label
            )
            atoms.append(f"completed({c.agent}, {push_ids[occ]})")
    body = " & ".join(f"({a})" for a in atoms) if atoms else "true"
    return f"F G ({body})"


def planned_nodes(asm: Assembly, programs: Programs) -> tuple[A.NodeDecl, ...]:
    out = []
    for n in asm.plan.nodes:
        out.append(
            A.NodeDecl(
                n.name,
                n.hosts,
                n.starts,
                n.queues,
                n.connections,
                n.cache,
                programs.programs.get(n.name.text, ()),
                n.span,
            )
        )
    return tuple(out)


# ----------------------------------------------------------------------------- explanations


def explain(asm: Assembly, infeasible: Unsatisfiable) -> list[str]:
    """The conflict in plain words: the goals, then the connections that tie them."""
    core = infeasible.core
    if not core:
        return [
            "the assembly itself breaks a connection: some use port is active while "
            "its provider's port is not (no goal is needed for the conflict)"
        ]
    lines = []
    if len(core) == 1:
        g = core[0]
        lines.append(
            f"the goal `{g.key}` cannot be reached: no sequence of at most "
            f"{infeasible.bound} behaviors of `{g.agent}` gets there "
            "while every connection stays consistent"
        )
    else:
        names = " and ".join(f"`{g.key}`" for g in core)
        lines.append(f"the goals {names} conflict")
    agents = {g.agent for g in core}
    for c in _connections_between(asm, agents):
        lines.append("  because " + _describe_connection(asm, c, core))
    return lines


def _connections_between(asm: Assembly, agents: set[str]) -> list[A.Connection]:
    """The connections on shortest paths between the instances named by the goals."""
    adj: dict[str, list[A.Connection]] = defaultdict(list)
    for c in asm.connections:
        adj[c.user.instance.text].append(c)
        adj[c.provider.instance.text].append(c)
    found: list[A.Connection] = []
    names = sorted(agents)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            path = _path(adj, a, b)
            for c in path:
                if c not in found:
                    found.append(c)
    if len(names) == 1:
        found = list(adj[names[0]])
    return found


def _path(adj: dict[str, list[A.Connection]], a: str, b: str) -> list[A.Connection]:
    prev: dict[str, tuple[str, A.Connection] | None] = {a: None}
    frontier = [a]
    while frontier:
        nxt = []
        for x in frontier:
            for c in adj[x]:
                y = c.provider.instance.text if c.user.instance.text == x else c.user.instance.text
                if y not in prev:
                    prev[y] = (x, c)
                    nxt.append(y)
        frontier = nxt
    if b not in prev:
        return []
    path = []
    cur = b
    while prev[cur] is not None:
        x, c = prev[cur]  # type: ignore[misc]
        path.append(c)
        cur = x
    return path[::-1]


def _describe_connection(asm: Assembly, c: A.Connection, core: Sequence[GoalView]) -> str:
    u, p = c.user.instance.text, c.provider.instance.text
    ut, pt = asm.types[asm.instance_type[u]], asm.types[asm.instance_type[p]]
    ugroup = ", ".join(x.text for x in ut.ports[c.user.port.text].places)
    pgroup = ", ".join(x.text for x in pt.ports[c.provider.port.text].places)
    end = {g.agent: g.states for g in core if g.kind == "end"}
    where = ""
    if u in end:
        where = f" (its goal place {', '.join(sorted(end[u]))} is in that group)"
    return (
        f"`{u}` uses `{c.provider}` through `{c.user}`, active in {ugroup}{where}; "
        f"`{c.provider}` is active only in {pgroup}"
    )
