"""A generic planner: agents on finite automata, coordinated by signals, solved with Z3.

A planning problem is a set of agents. Each agent moves between named states
by steps (labelled edges with a cost); while it rests in a state or runs a
step, each of its named signals is on, off, rising (off at the start, possibly
on during the step) or falling (on at the start, possibly off during it).
Couplings say that one agent's signal may be on only while another agent's
signal is on (a `Need`), and that the rising steps of some signals never run at
the same time (an `Exclusive` group). Goals constrain where agents end, which
steps they must take and how their signals end.

The solver gives every agent a bounded sequence of steps and every step an
integer start and end time; couplings become disjunctions between the time
intervals of the segments (rests and steps) of the two agents. The total cost
is minimized by parts when it can be (each agent's cheapest run in the part
made of it and what it depends on is a lower bound; if these runs can be
scheduled together, the plan is optimal), else by Z3's optimizer. Bounds start
at what each agent's own goals need and grow only for the agents whose "one
more step stays unused" assumption is in an unsatisfiable core, so agents that
need not move keep one segment. When no
growth is possible, the goals are unsatisfiable: a minimal subset of them
(a Z3 core shrunk by deletion) is returned for explanation.

Nothing here knows Concerto-D: `cdcheck.spec.planning` builds the problem from
a plan and turns the schedule into programs.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import z3

Shape = Literal["off", "on", "rising", "falling"]
INFINITY = 1_000_000
"""The end of the last rest: later than any step of any schedule."""

SignalRef = tuple[str, str]
"""(agent, signal)."""


class StepLike(Protocol):
    """One edge of an agent's automaton: `label` from `source` to `target`."""

    @property
    def label(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def cost(self) -> int: ...
    def shape(self, signal: str) -> str:
        """`on`, `off`, `rising` or `falling`: the signal while the step runs."""
        ...


class AgentLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def states(self) -> tuple[str, ...]: ...
    @property
    def start(self) -> str: ...
    @property
    def steps(self) -> Sequence[StepLike]: ...
    def on_states(self, signal: str) -> frozenset[str]:
        """The states in which the signal is on."""
        ...


class GoalLike(Protocol):
    """`kind` is `end` (agent ends in one of `states`), `takes` (agent takes a step
    labelled `label`) or `signal` (agent's `signal` ends on iff `on`)."""

    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def states(self) -> frozenset[str]: ...
    @property
    def label(self) -> str: ...
    @property
    def signal(self) -> str: ...
    @property
    def on(self) -> bool: ...


class ProblemLike(Protocol):
    """Agents; needs `(user, provider)`: the user's signal may be on only while the
    provider's is steadily on; exclusive pairs: rising steps of the two signals
    never overlap; goals; the largest number of steps of one agent."""

    @property
    def agents(self) -> Sequence[AgentLike]: ...
    @property
    def needs(self) -> Sequence[tuple[SignalRef, SignalRef]]: ...
    @property
    def exclusives(self) -> Sequence[tuple[SignalRef, SignalRef]]: ...
    @property
    def goals(self) -> Sequence[GoalLike]: ...
    @property
    def max_steps(self) -> int: ...


@dataclass(frozen=True)
class Scheduled:
    agent: str
    index: int
    """Position of the step in the agent's sequence, from 1."""
    label: str
    source: str
    target: str
    cost: int
    start: int
    end: int


SegmentRef = tuple[str, int, bool]
"""(agent, index, is_step): step `index`, or the rest after step `index` (0: initial)."""


@dataclass(frozen=True)
class Order:
    """In the schedule, segment `before` ends no later than segment `after` starts
    (for `need-on`: no later than `after` ends). `provider` is the provider's
    signal of the need that imposed it (None for an exclusive pair)."""

    before: SegmentRef
    after: SegmentRef
    kind: Literal["need-rising", "need-on", "exclusive"]
    provider: SignalRef | None


@dataclass(frozen=True)
class Solution:
    steps: tuple[Scheduled, ...]
    orders: tuple[Order, ...]
    cost: int
    bounds: tuple[tuple[str, int], ...]
    seconds: float
    rounds: int

    def of(self, agent: str) -> list[Scheduled]:
        return sorted((s for s in self.steps if s.agent == agent), key=lambda s: s.index)


@dataclass(frozen=True)
class Infeasible:
    core: tuple[GoalLike, ...]
    """A minimal set of goals that cannot hold together (within `bound` steps per agent)."""
    bound: int
    seconds: float


class PlannerError(Exception):
    """The problem is malformed (unknown agent, state or signal in a goal)."""


# ----------------------------------------------------------------------------- encoding


@dataclass
class _Encoding:
    """Z3 variables of one agent at a given capacity (number of step slots)."""

    agent: AgentLike
    capacity: int
    state: list[Any] = field(default_factory=list)  # 0..capacity
    op: list[Any] = field(default_factory=list)  # 1..capacity (index 0 unused)
    start: list[Any] = field(default_factory=list)
    end: list[Any] = field(default_factory=list)

    def state_is(self, k: int, names: Iterable[str]) -> Any:
        names = set(names)
        if k == 0:  # the start is known: fold it
            return z3.BoolVal(self.agent.start in names)
        idx = [i for i, n in enumerate(self.agent.states) if n in names]
        if len(idx) == len(self.agent.states):
            return z3.BoolVal(True)
        return z3.Or([self.state[k] == i for i in idx]) if idx else z3.BoolVal(False)

    def op_in(self, k: int, indices: Iterable[int]) -> Any:
        idx = list(indices)
        return z3.Or([self.op[k] == i for i in idx]) if idx else z3.BoolVal(False)


IDLE = -1


def _encode_agent(agent: AgentLike, capacity: int, solver: Any) -> _Encoding:
    enc = _Encoding(agent, capacity)
    n = agent.name
    enc.state = [z3.Int(f"st|{n}|{k}") for k in range(capacity + 1)]
    enc.op = [None, *(z3.Int(f"op|{n}|{k}") for k in range(1, capacity + 1))]
    enc.start = [z3.IntVal(0), *(z3.Int(f"s|{n}|{k}") for k in range(1, capacity + 1))]
    enc.end = [z3.IntVal(0), *(z3.Int(f"e|{n}|{k}") for k in range(1, capacity + 1))]
    solver.add(enc.state[0] == agent.states.index(agent.start))
    for k in range(capacity + 1):
        solver.add(enc.state[k] >= 0, enc.state[k] < len(agent.states))
    for k in range(1, capacity + 1):
        op = enc.op[k]
        solver.add(op >= IDLE, op < len(agent.steps))
        solver.add(z3.Implies(op == IDLE, enc.state[k] == enc.state[k - 1]))
        for i, step in enumerate(agent.steps):
            solver.add(
                z3.Implies(
                    op == i,
                    z3.And(
                        enc.state[k - 1] == agent.states.index(step.source),
                        enc.state[k] == agent.states.index(step.target),
                    ),
                )
            )
        if k > 1:
            solver.add(z3.Implies(enc.op[k - 1] == IDLE, op == IDLE))
        solver.add(enc.start[k] >= enc.end[k - 1])
        solver.add(z3.If(op == IDLE, enc.end[k] == enc.start[k], enc.end[k] > enc.start[k]))
        solver.add(enc.end[k] < INFINITY)
    return enc


@dataclass(frozen=True)
class _Segment:
    """A rest (after step `index`) or a step (`index`), with its time interval and
    the condition under which its shape for one signal is the given class."""

    ref: SegmentRef
    start: Any
    end: Any


_SEGMENT_CACHE: dict[int, list[_Segment]] = {}


def _segments(enc: _Encoding) -> list[_Segment]:
    found = _SEGMENT_CACHE.get(id(enc))
    if found is None:
        found = _SEGMENT_CACHE[id(enc)] = _compute_segments(enc)
    return found


def _compute_segments(enc: _Encoding) -> list[_Segment]:
    out = []
    n = enc.agent.name
    for k in range(enc.capacity + 1):
        nxt = enc.start[k + 1] if k < enc.capacity else z3.IntVal(INFINITY)
        out.append(_Segment((n, k, False), enc.end[k], nxt))
        if k < enc.capacity:
            out.append(_Segment((n, k + 1, True), enc.start[k + 1], enc.end[k + 1]))
    return out


_CLASS_CACHE: dict[tuple[int, str, SegmentRef], dict[str, Any]] = {}


def _classes(enc: _Encoding, signal: str, seg: _Segment) -> dict[str, Any]:
    key = (id(enc), signal, seg.ref)
    found = _CLASS_CACHE.get(key)
    if found is None:
        found = _compute_classes(enc, signal, seg)
        found["not_on"] = z3.simplify(z3.Not(found["on"]))
        # which conditions are false, known once here rather than per segment pair
        found["dead"] = frozenset(c for c, x in found.items() if z3.is_false(x))
        _CLASS_CACHE[key] = found
    return found


def _compute_classes(enc: _Encoding, signal: str, seg: _Segment) -> dict[str, Any]:
    """Conditions for the segment to be, for `signal`: `on` (surely and steadily on),
    `rising`, `possibly` (on at its start, maybe later off), `off` (not on at start)."""
    agent, k, is_step = enc.agent, seg.ref[1], seg.ref[2]
    on_states = agent.on_states(signal)
    if not is_step:
        on = enc.state_is(k, on_states)
        return {
            "on": on,
            "rising": z3.BoolVal(False),
            "possibly": on,
            "off": z3.simplify(z3.Not(on)),
        }
    by: dict[str, list[int]] = {"on": [], "rising": [], "falling": [], "off": []}
    for i, step in enumerate(agent.steps):
        by[step.shape(signal)].append(i)
    return {
        "on": enc.op_in(k, by["on"]),
        "rising": enc.op_in(k, by["rising"]),
        "possibly": enc.op_in(k, by["on"] + by["falling"]),
        "falling": enc.op_in(k, by["falling"]),
        "off": enc.op_in(k, by["off"] + by["rising"]),
    }


def _before(a: _Segment, b: _Segment) -> Any:
    return a.end <= b.start


def _when(solver: Any, conditions: Sequence[Any], then: Any) -> Any | None:
    """Add `conditions -> then` unless a condition is false; return the conjunction."""
    if any(z3.is_false(c) for c in conditions):
        return None
    live = [c for c in conditions if not z3.is_true(c)]
    cond = z3.And(live) if len(live) > 1 else (live[0] if live else z3.BoolVal(True))
    solver.add(z3.Implies(cond, then) if live else then)
    return cond


def _encode_need(
    need: tuple[SignalRef, SignalRef], encs: dict[str, _Encoding], solver: Any, orders: bool
) -> list[tuple[Any, Order]]:
    """Clauses of one coupling; returns the orders a model can choose, with their
    literal (none unless `orders`: only a model that becomes a plan needs them)."""
    user, provider = need
    u, p = encs[user[0]], encs[provider[0]]
    choices: list[tuple[Any, Order]] = []
    u_segs = [(s, _classes(u, user[1], s)) for s in _segments(u)]
    p_segs = [(s, _classes(p, provider[1], s)) for s in _segments(p)]
    for us, uc in u_segs:
        u_dead = uc["dead"]
        if "rising" in u_dead and "possibly" in u_dead:
            continue
        for ps, pc in p_segs:
            p_dead = pc["dead"]
            # (pairs whose conditions are all false get no clause: decided before
            # any term is built, the costly part of building the encoding)
            rising = "rising" not in u_dead and "not_on" not in p_dead
            off = "possibly" not in u_dead and "off" not in p_dead
            falling = ps.ref[2] and "possibly" not in u_dead and "falling" not in p_dead
            if not (rising or off or falling):
                continue
            a, b = _before(us, ps), _before(ps, us)
            # a rising user never overlaps a provider that is not steadily on
            cond = _when(solver, [uc["rising"], pc["not_on"]], z3.Or(a, b)) if rising else None
            if cond is not None and orders:
                choices.append((z3.And(cond, a), Order(us.ref, ps.ref, "need-rising", provider)))
                choices.append((z3.And(cond, b), Order(ps.ref, us.ref, "need-rising", provider)))
            # a user that may be on never overlaps a provider that is off
            if off:
                _when(solver, [uc["possibly"], pc["off"]], z3.Or(a, b))
            if falling:
                # ... and is off before a falling provider step ends (the runtime
                # holds the provider until then), or comes after it
                ends = us.end <= ps.end
                cond = _when(solver, [uc["possibly"], pc["falling"]], z3.Or(ends, b))
                if cond is not None and orders:
                    choices.append((z3.And(cond, ends), Order(us.ref, ps.ref, "need-on", provider)))
    return choices


def _encode_exclusive(
    pair: tuple[SignalRef, SignalRef], encs: dict[str, _Encoding], solver: Any, orders: bool
) -> list[tuple[Any, Order]]:
    choices: list[tuple[Any, Order]] = []
    members = list(pair)
    for i, (a_name, a_sig) in enumerate(members):
        for b_name, b_sig in members[i + 1 :]:
            if a_name == b_name:
                continue
            ea, eb = encs[a_name], encs[b_name]
            for sa in _segments(ea):
                if not sa.ref[2]:
                    continue
                ra = _classes(ea, a_sig, sa)["rising"]
                if z3.is_false(ra):
                    continue
                for sb in _segments(eb):
                    if not sb.ref[2]:
                        continue
                    rb = _classes(eb, b_sig, sb)["rising"]
                    x, y = _before(sa, sb), _before(sb, sa)
                    cond = _when(solver, [ra, rb], z3.Or(x, y))
                    if cond is not None and orders:
                        choices.append((z3.And(cond, x), Order(sa.ref, sb.ref, "exclusive", None)))
                        choices.append((z3.And(cond, y), Order(sb.ref, sa.ref, "exclusive", None)))
    return choices


def _goal_formula(goal: GoalLike, encs: dict[str, _Encoding]) -> Any:
    c = goal
    enc = encs.get(c.agent)
    if enc is None:
        raise PlannerError(f"goal `{goal.key}` names unknown agent `{c.agent}`")
    last = enc.capacity
    if c.kind == "end":
        unknown = c.states - set(enc.agent.states)
        if unknown:
            raise PlannerError(f"goal `{goal.key}`: unknown state(s) {sorted(unknown)}")
        return enc.state_is(last, c.states)
    if c.kind == "takes":
        idx = [i for i, s in enumerate(enc.agent.steps) if s.label == c.label]
        return z3.Or([enc.op_in(k, idx) for k in range(1, last + 1)]) if last else z3.BoolVal(False)
    on = enc.agent.on_states(c.signal)
    return enc.state_is(last, on) if c.on else z3.Not(enc.state_is(last, on))


@dataclass
class _Built:
    solver: Any
    encs: dict[str, _Encoding]
    goal_lits: dict[Any, GoalLike]
    idle_lits: dict[Any, str]
    choices: list[tuple[Any, Order]]
    """Empty unless built for the optimizer: only its model becomes a plan."""
    cost: Any
    """The total cost; 0 unless built for the optimizer."""


def _build(
    problem: ProblemLike, capacity: dict[str, int], slack: set[str], optimize: bool
) -> _Built:
    solver: Any = z3.Optimize() if optimize else z3.Solver()
    _CLASS_CACHE.clear()
    _SEGMENT_CACHE.clear()
    encs = {a.name: _encode_agent(a, capacity[a.name], solver) for a in problem.agents}
    choices: list[tuple[Any, Order]] = []
    for need in problem.needs:
        choices.extend(_encode_need(need, encs, solver, optimize))
    for ex in problem.exclusives:
        choices.extend(_encode_exclusive(ex, encs, solver, optimize))
    goal_lits: dict[Any, GoalLike] = {}
    for g in problem.goals:
        lit = z3.Bool(f"goal|{g.key}")
        solver.add(z3.Implies(lit, _goal_formula(g, encs)))
        goal_lits[lit] = g
    idle_lits: dict[Any, str] = {}
    for name in slack:
        enc = encs[name]
        lit = z3.Bool(f"idle|{name}")
        solver.add(z3.Implies(lit, enc.op[enc.capacity] == IDLE))
        idle_lits[lit] = name
    cost_terms = []
    for enc in encs.values() if optimize else ():  # only a plan's cost is read
        for k in range(1, enc.capacity + 1):
            for i, step in enumerate(enc.agent.steps):
                cost_terms.append(z3.If(enc.op[k] == i, step.cost, 0))
    cost = z3.Sum(cost_terms) if cost_terms else z3.IntVal(0)
    return _Built(solver, encs, goal_lits, idle_lits, choices, cost)


def _own_bound(
    agent: AgentLike,
    goals: Sequence[GoalLike],
    limit: int,
    must_drop: frozenset[str] = frozenset(),
    keep_on: str | None = None,
) -> int:
    """The fewest steps that satisfy the agent's own goals (breadth-first), passing
    through a state where each signal of `must_drop` is off; with `keep_on`, using
    only steps and states that keep that signal steadily on. `limit + 1` if none."""
    ends = [g for g in goals if g.agent == agent.name]
    required = frozenset({c.label for c in ends if c.kind == "takes"})

    def ok(state: str) -> bool:
        for c in ends:
            if c.kind == "end" and state not in c.states:
                return False
            if c.kind == "signal" and (state in agent.on_states(c.signal)) != c.on:
                return False
        return True

    def dropped(state: str) -> frozenset[str]:
        return frozenset(x for x in must_drop if state not in agent.on_states(x))

    if keep_on is not None and agent.start not in agent.on_states(keep_on):
        return limit + 1
    start = (agent.start, frozenset[str](), dropped(agent.start))
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        (state, taken, off), depth = queue.popleft()
        if ok(state) and required <= taken and off == must_drop:
            return depth
        if depth == limit:
            continue
        for step in agent.steps:
            if step.source != state:
                continue
            if keep_on is not None and step.shape(keep_on) != "on":
                continue
            shaped = {x for x in must_drop if step.shape(x) in ("falling", "rising")}
            nxt = (
                step.target,
                taken | ({step.label} & required),
                off | dropped(step.target) | frozenset(shaped),
            )
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, depth + 1))
    return limit + 1


def _initial_bounds(problem: ProblemLike) -> tuple[dict[str, int], dict[str, frozenset[str]]]:
    """Lower bounds: each agent's own goals, then the cascade of couplings: a
    provider that cannot meet its goals while keeping a signal on makes every
    user on at the start drop its signal at some point, which may in turn make
    the user's own provided signals drop."""
    limit = problem.max_steps
    agents = {a.name: a for a in problem.agents}
    users: dict[SignalRef, list[SignalRef]] = {}
    for user, provider in problem.needs:
        users.setdefault(provider, []).append(user)
    must_drop: dict[str, set[str]] = {a: set() for a in agents}
    bound = {n: min(limit, _own_bound(a, problem.goals, limit)) for n, a in agents.items()}
    todo = [n for n, b in bound.items() if b > 0]
    while todo:
        name = todo.pop()
        agent = agents[name]
        drops = frozenset(must_drop[name])
        for (prov, sig), us in users.items():
            if prov != name or agent.start not in agent.on_states(sig):
                continue
            steady = _own_bound(agent, problem.goals, limit, drops, keep_on=sig)
            if steady <= limit:
                continue
            for u_name, u_sig in us:
                u = agents[u_name]
                if u.start not in u.on_states(u_sig) or u_sig in must_drop[u_name]:
                    continue
                must_drop[u_name].add(u_sig)
                b = _own_bound(u, problem.goals, limit, frozenset(must_drop[u_name]))
                bound[u_name] = max(bound[u_name], min(b, limit))
                todo.append(u_name)
    return bound, {n: frozenset(d) for n, d in must_drop.items()}


def solve(problem: ProblemLike) -> Solution | Infeasible:
    """Plan: grow per-agent bounds guided by cores, then minimize cost at those bounds
    (by parts when the parts' optima fit together, else with the optimizer)."""
    t0 = time.perf_counter()
    _validate(problem)
    limit = problem.max_steps
    bound, _must_drop = _initial_bounds(problem)
    parts = _by_parts(problem, bound, 1, t0)
    if isinstance(parts, Solution):
        return parts
    if parts is _FITS_NOT:
        built = _optimizer(problem, bound)
        if built.solver.check() == z3.sat:  # the lower bounds suffice
            return _extract(problem, built, bound, 1, t0)
    rounds = 1
    while True:
        rounds += 1
        slack = {n for n, b in bound.items() if b < limit}
        capacity = {n: b + (1 if n in slack else 0) for n, b in bound.items()}
        built = _build(problem, capacity, slack, optimize=False)
        result = built.solver.check(*built.goal_lits, *built.idle_lits)
        if result == z3.sat:
            break
        core = built.solver.unsat_core()
        grow = [built.idle_lits[lit] for lit in core if lit in built.idle_lits]
        if not grow:
            return _infeasible(problem, t0)
        # cores are not minimal: grow only the least grown agents of the core
        least = min(bound[name] for name in grow)
        for name in grow:
            if bound[name] == least:
                bound[name] += 1
    parts = _by_parts(problem, bound, rounds, t0)
    if isinstance(parts, Solution):
        return parts
    built = _optimizer(problem, bound)
    if built.solver.check() != z3.sat:  # pragma: no cover - same constraints as above
        raise PlannerError("the optimizer lost a plan the solver found")
    return _extract(problem, built, bound, rounds, t0)


# ----------------------------------------------------------------------------- by parts


@dataclass(frozen=True)
class _Part:
    """A relaxation of the problem: some of its agents, with only the couplings
    and goals among them. Every plan of the whole problem, cut down to these
    agents, is a plan of the part; so the part's cheapest run of one agent costs
    no more than that agent's run in any plan of the whole."""

    agents: tuple[AgentLike, ...]
    needs: tuple[tuple[SignalRef, SignalRef], ...]
    exclusives: tuple[tuple[SignalRef, SignalRef], ...]
    goals: tuple[GoalLike, ...]
    max_steps: int


_UNREACHABLE = object()
"""`_by_parts`: some part has no plan at the bounds, so neither has the whole."""
_FITS_NOT = object()
"""`_by_parts`: the parts' cheapest runs do not fit together: ask the optimizer."""


def _by_parts(
    problem: ProblemLike, bound: dict[str, int], rounds: int, t0: float
) -> Solution | object:
    """The optimum at `bound` without the optimizer, when the problem allows it.

    Each agent that may move gets a lower bound on its cost: its cheapest run in
    the part made of it and everything it depends on (its providers, theirs, ...);
    the sum is a lower bound on any plan's cost. Then every agent is given that
    cheapest run and only the times are searched for: a schedule found is a plan
    whose cost is the lower bound, hence optimal. Parts that are the same up to
    names (the sites of a deployment) are solved once. The whole problem's
    encoding and its MaxSAT proof, which grow with every site, are never built."""
    agents = {a.name: a for a in problem.agents}
    providers: dict[str, list[str]] = {}
    for user, (p_name, p_sig) in problem.needs:
        p = agents[p_name]
        if bound[p_name] == 0 and p.start in p.on_states(p_sig):
            continue  # steadily on for ever: no clause of the need binds the user
        providers.setdefault(user[0], []).append(p_name)
    runs: dict[str, tuple[int, ...]] = {}
    cache: dict[object, tuple[int, ...] | None] = {}
    shapes: dict[tuple[str, tuple[str, ...]], object] = {}
    for name in agents:
        if bound[name] == 0:
            runs[name] = ()
            continue
        members = _upstream(name, providers)
        part = _part_of(problem, members)
        key = _part_key(part, bound, shapes)
        if key not in cache:
            cache[key] = _cheapest_run(part, bound)
        run = cache[key]
        if run is None:
            return _UNREACHABLE
        runs[name] = run
    if not all(_meets_goals(agents[g.agent], runs[g.agent], g) for g in problem.goals):
        return _FITS_NOT  # an agent that cannot move misses a goal
    return _schedule(problem, agents, runs, bound, rounds, t0)


def _upstream(name: str, providers: dict[str, list[str]]) -> list[str]:
    """The agent, then breadth-first everything it depends on through needs (but
    for providers that never move and stay on: leaving them out of a part only
    relaxes it further, and loses nothing)."""
    members = [name]
    seen = {name}
    k = 0
    while k < len(members):
        for p in providers.get(members[k], ()):
            if p not in seen:
                seen.add(p)
                members.append(p)
        k += 1
    return members


def _part_of(problem: ProblemLike, members: list[str]) -> _Part:
    inside = set(members)
    agents = {a.name: a for a in problem.agents if a.name in inside}
    return _Part(
        tuple(agents[n] for n in members),
        tuple(n for n in problem.needs if n[0][0] in inside and n[1][0] in inside),
        tuple(x for x in problem.exclusives if x[0][0] in inside and x[1][0] in inside),
        tuple(g for g in problem.goals if g.agent in inside),
        problem.max_steps,
    )


def _part_key(
    part: _Part, bound: dict[str, int], shapes: dict[tuple[str, tuple[str, ...]], object]
) -> object:
    """The part with its agents numbered in order and their names dropped: two
    parts with one key are the same problem up to names (numbering is the
    renaming), so the first agent's cheapest run (as step indices) is the same."""
    index = {a.name: i for i, a in enumerate(part.agents)}
    signals: dict[str, set[str]] = {a.name: set() for a in part.agents}
    for pair in (*part.needs, *part.exclusives):
        for agent, signal in pair:
            signals[agent].add(signal)
    for g in part.goals:
        if g.kind == "signal":
            signals[g.agent].add(g.signal)
    described = []
    for a in part.agents:
        sigs = tuple(sorted(signals[a.name]))
        shape = shapes.get((a.name, sigs))
        if shape is None:
            shape = shapes[(a.name, sigs)] = (
                a.states,
                a.start,
                tuple(
                    (s.label, s.source, s.target, s.cost, tuple(s.shape(x) for x in sigs))
                    for s in a.steps
                ),
                tuple(tuple(sorted(a.on_states(x))) for x in sigs),
            )
        described.append((bound[a.name], sigs, shape))

    def pairs(
        items: Iterable[tuple[SignalRef, SignalRef]],
    ) -> tuple[tuple[tuple[int, str], tuple[int, str]], ...]:
        return tuple(sorted(((index[u], s), (index[p], t)) for (u, s), (p, t) in items))

    goals = tuple(
        sorted(
            (index[g.agent], g.kind, tuple(sorted(g.states)), g.label, g.signal, g.on)
            for g in part.goals
        )
    )
    return (tuple(described), pairs(part.needs), pairs(part.exclusives), goals)


def _cheapest_run(part: _Part, bound: dict[str, int]) -> tuple[int, ...] | None:
    """The part's first agent's cheapest run (step indices) at `bound`, None if the
    part has no plan. Cost levels are tried upwards; the part is small."""
    capacity = {a.name: bound[a.name] for a in part.agents}
    text, texts = _part_text(part, capacity)
    root = texts[part.agents[0].name]
    floor = _own_cheapest(root.agent, part.goals, root.capacity)
    if floor is None:
        return None
    solver = z3.Solver()
    solver.from_string(text)
    ops = [z3.Int(root.op(k)) for k in range(1, root.capacity + 1)]
    cost = z3.Sum(
        [z3.IntVal(0)]
        + [z3.If(op == i, step.cost, 0) for op in ops for i, step in enumerate(root.agent.steps)]
    )
    for level in _cost_levels(root.agent, root.capacity):
        if level < floor:
            continue
        solver.push()
        solver.add(cost <= level)
        if solver.check() == z3.sat:
            model = solver.model()
            values = (model.eval(op, model_completion=True).as_long() for op in ops)
            return tuple(itertools.takewhile(lambda op: op != IDLE, values))
        solver.pop()
    return None


_Cond = bool | str
"""A condition of the text encoding: known (a bool) or an SMT-LIB term."""
_IDLE = f"(- {-IDLE})"
"""IDLE in SMT-LIB, which has no negative literals."""


def _disjunction(terms: list[str]) -> _Cond:
    return f"(or {' '.join(terms)})" if terms else False


def _negation(c: _Cond) -> _Cond:
    return (not c) if isinstance(c, bool) else f"(not {c})"


@dataclass(frozen=True)
class _TextAgent:
    """One agent of `_part_text`: the variables of `_encode_agent`, as names."""

    agent: AgentLike
    tag: int
    capacity: int

    def state(self, k: int) -> str:
        return f"st{self.tag}_{k}"

    def op(self, k: int) -> str:
        return f"op{self.tag}_{k}"

    def start(self, k: int) -> str:
        return f"s{self.tag}_{k}" if k else "0"

    def end(self, k: int) -> str:
        return f"e{self.tag}_{k}" if k else "0"

    def state_is(self, k: int, names: Iterable[str]) -> _Cond:
        names = set(names)
        if k == 0:
            return self.agent.start in names
        idx = [i for i, n in enumerate(self.agent.states) if n in names]
        if len(idx) == len(self.agent.states):
            return True
        return _disjunction([f"(= {self.state(k)} {i})" for i in idx])

    def op_in(self, k: int, indices: Iterable[int]) -> _Cond:
        return _disjunction([f"(= {self.op(k)} {i})" for i in indices])

    def segments(self) -> list[tuple[SegmentRef, str, str]]:
        out = []
        for k in range(self.capacity + 1):
            nxt = self.start(k + 1) if k < self.capacity else str(INFINITY)
            out.append(((self.agent.name, k, False), self.end(k), nxt))
            if k < self.capacity:
                out.append(((self.agent.name, k + 1, True), self.start(k + 1), self.end(k + 1)))
        return out

    def classes(self, signal: str, ref: SegmentRef) -> dict[str, _Cond]:
        """`_compute_classes`, with `not_on`."""
        k, is_step = ref[1], ref[2]
        if not is_step:
            on = self.state_is(k, self.agent.on_states(signal))
            off = _negation(on)
            return {"on": on, "rising": False, "possibly": on, "off": off, "not_on": off}
        by: dict[str, list[int]] = {"on": [], "rising": [], "falling": [], "off": []}
        for i, step in enumerate(self.agent.steps):
            by[step.shape(signal)].append(i)
        on = self.op_in(k, by["on"])
        return {
            "on": on,
            "rising": self.op_in(k, by["rising"]),
            "possibly": self.op_in(k, by["on"] + by["falling"]),
            "falling": self.op_in(k, by["falling"]),
            "off": self.op_in(k, by["off"] + by["rising"]),
            "not_on": _negation(on),
        }


def _part_text(part: _Part, capacity: dict[str, int]) -> tuple[str, dict[str, _TextAgent]]:
    """The clauses `_build` asserts for `part` at `capacity`, every goal required,
    as SMT-LIB text (choice literals and costs left out): the same formulas,
    written in a fraction of the time the Python API takes to build them (a test
    proves the two encodings equivalent)."""
    decls: list[str] = []
    out: list[str] = []

    def when(conditions: list[_Cond], then: str) -> None:
        if any(c is False for c in conditions):
            return
        live = [c for c in conditions if c is not True]
        if not live:
            out.append(then)
        else:
            cond = f"(and {' '.join(map(str, live))})" if len(live) > 1 else str(live[0])
            out.append(f"(=> {cond} {then})")

    texts: dict[str, _TextAgent] = {}
    for tag, agent in enumerate(part.agents):
        t = texts[agent.name] = _TextAgent(agent, tag, capacity[agent.name])
        n_states, n_steps = len(agent.states), len(agent.steps)
        for k in range(t.capacity + 1):
            decls.append(f"(declare-const {t.state(k)} Int)")
            out.append(f"(and (>= {t.state(k)} 0) (< {t.state(k)} {n_states}))")
        out.append(f"(= {t.state(0)} {agent.states.index(agent.start)})")
        for k in range(1, t.capacity + 1):
            op, st, prev = t.op(k), t.state(k), t.state(k - 1)
            decls.append(f"(declare-const {op} Int)")
            decls.append(f"(declare-const {t.start(k)} Int)(declare-const {t.end(k)} Int)")
            out.append(f"(and (>= {op} {_IDLE}) (< {op} {n_steps}))")
            out.append(f"(=> (= {op} {_IDLE}) (= {st} {prev}))")
            for i, step in enumerate(agent.steps):
                src, tgt = agent.states.index(step.source), agent.states.index(step.target)
                out.append(f"(=> (= {op} {i}) (and (= {prev} {src}) (= {st} {tgt})))")
            if k > 1:
                out.append(f"(=> (= {t.op(k - 1)} {_IDLE}) (= {op} {_IDLE}))")
            s, e = t.start(k), t.end(k)
            out.append(f"(>= {s} {t.end(k - 1)})")
            out.append(f"(ite (= {op} {_IDLE}) (= {e} {s}) (> {e} {s}))")
            out.append(f"(< {e} {INFINITY})")
    for user, provider in part.needs:
        u, p = texts[user[0]], texts[provider[0]]
        p_segs = [(seg, p.classes(provider[1], seg[0])) for seg in p.segments()]
        for u_ref, u_start, u_end in u.segments():
            uc = u.classes(user[1], u_ref)
            if uc["rising"] is False and uc["possibly"] is False:
                continue
            for (p_ref, p_start, p_end), pc in p_segs:
                apart = f"(or (<= {u_end} {p_start}) (<= {p_end} {u_start}))"
                when([uc["rising"], pc["not_on"]], apart)
                when([uc["possibly"], pc["off"]], apart)
                if p_ref[2]:
                    ends = f"(or (<= {u_end} {p_end}) (<= {p_end} {u_start}))"
                    when([uc["possibly"], pc["falling"]], ends)
    for (a_name, a_sig), (b_name, b_sig) in part.exclusives:
        if a_name == b_name:
            continue
        a, b = texts[a_name], texts[b_name]
        for a_ref, a_start, a_end in a.segments():
            if not a_ref[2] or a.classes(a_sig, a_ref)["rising"] is False:
                continue
            for b_ref, b_start, b_end in b.segments():
                if not b_ref[2]:
                    continue
                apart = f"(or (<= {a_end} {b_start}) (<= {b_end} {a_start}))"
                when([a.classes(a_sig, a_ref)["rising"], b.classes(b_sig, b_ref)["rising"]], apart)
    for g in part.goals:
        t = texts[g.agent]
        last = t.capacity
        goal: _Cond
        if g.kind == "end":
            unknown = g.states - set(t.agent.states)
            if unknown:
                raise PlannerError(f"goal `{g.key}`: unknown state(s) {sorted(unknown)}")
            goal = t.state_is(last, g.states)
        elif g.kind == "takes":
            idx = [i for i, s in enumerate(t.agent.steps) if s.label == g.label]
            goal = _disjunction([str(t.op_in(k, idx)) for k in range(1, last + 1) if idx])
        else:
            on = t.state_is(last, t.agent.on_states(g.signal))
            goal = on if g.on else _negation(on)
        when([], "false" if goal is False else "true" if goal is True else goal)
    return "".join(decls) + "".join(f"(assert {c})" for c in out), texts


def _own_cheapest(agent: AgentLike, goals: Sequence[GoalLike], capacity: int) -> int | None:
    """The cost of the agent's cheapest run of at most `capacity` steps meeting its
    own goals, alone (Dijkstra): no level below it needs asking the solver."""
    own = [g for g in goals if g.agent == agent.name]
    required = frozenset(g.label for g in own if g.kind == "takes")
    start = (agent.start, frozenset[str](), 0)
    heap: list[tuple[int, int, tuple[str, frozenset[str], int]]] = [(0, 0, start)]
    seen: set[tuple[str, frozenset[str], int]] = set()
    tie = 0
    while heap:
        cost, _, node = heapq.heappop(heap)
        if node in seen:
            continue
        seen.add(node)
        state, taken, depth = node
        if required <= taken and all(_meets_state(agent, state, g) for g in own):
            return cost
        if depth == capacity:
            continue
        for step in agent.steps:
            if step.source == state:
                tie += 1
                nxt = (step.target, taken | ({step.label} & required), depth + 1)
                heapq.heappush(heap, (cost + step.cost, tie, nxt))
    return None


def _meets_state(agent: AgentLike, state: str, goal: GoalLike) -> bool:
    """An `end` or `signal` goal holds when the agent ends in `state` (`takes`: yes)."""
    if goal.kind == "end":
        return state in goal.states
    if goal.kind == "signal":
        return (state in agent.on_states(goal.signal)) == goal.on
    return True


def _meets_goals(agent: AgentLike, run: tuple[int, ...], goal: GoalLike) -> bool:
    last = agent.steps[run[-1]].target if run else agent.start
    if goal.kind == "takes":
        return any(agent.steps[i].label == goal.label for i in run)
    return _meets_state(agent, last, goal)


@dataclass(frozen=True)
class _Timed:
    """A segment of an agent whose run is fixed: a rest in `state`, or `step`;
    its start and end are SMT-LIB terms (a variable or a number)."""

    ref: SegmentRef
    start: str
    end: str
    state: str
    step: StepLike | None

    def shape(self, agent: AgentLike, signal: str) -> str:
        if self.step is not None:
            return self.step.shape(signal)
        return "on" if self.state in agent.on_states(signal) else "off"


def _schedule(
    problem: ProblemLike,
    agents: dict[str, AgentLike],
    runs: dict[str, tuple[int, ...]],
    bound: dict[str, int],
    rounds: int,
    t0: float,
) -> Solution | object:
    """Times for fixed runs, under the clauses of `_encode_need` and
    `_encode_exclusive` with every condition known. A run of n steps is the
    general encoding with its slots after n idle (an idle slot splits a rest in
    two; placed at the end of time, both halves lie within the rest here, so
    every clause on them holds): a schedule here is a plan there. The clauses
    are written as SMT-LIB text and parsed at once: building them one by one
    through Z3's Python API costs more than solving them."""
    decls: list[str] = []
    clauses: list[str] = []
    segments: dict[str, list[_Timed]] = {}
    latest = INFINITY - problem.max_steps - 1
    for i, (name, run) in enumerate(runs.items()):
        agent = agents[name]
        segs: list[_Timed] = []
        prev_end, state = "0", agent.start
        for k, op in enumerate(run, start=1):
            start, end = f"s{i}_{k}", f"e{i}_{k}"
            decls.append(f"(declare-const {start} Int)(declare-const {end} Int)")
            clauses.append(f"(and (<= {prev_end} {start}) (< {start} {end}) (< {end} {latest}))")
            segs.append(_Timed((name, k - 1, False), prev_end, start, state, None))
            step = agent.steps[op]
            segs.append(_Timed((name, k, True), start, end, step.source, step))
            prev_end, state = end, step.target
        segs.append(_Timed((name, len(run), False), prev_end, str(INFINITY), state, None))
        segments[name] = segs
    choices: list[tuple[str, str, Order]] = []
    """(x, y, order): the order holds when time x <= time y."""

    def apart(x: _Timed, y: _Timed) -> None:
        clauses.append(f"(or (<= {x.end} {y.start}) (<= {y.end} {x.start}))")

    for user, provider in problem.needs:
        u_agent, p_agent = agents[user[0]], agents[provider[0]]
        u_segs = [(s, s.shape(u_agent, user[1])) for s in segments[user[0]]]
        p_segs = [(s, s.shape(p_agent, provider[1])) for s in segments[provider[0]]]
        for us, u in u_segs:
            possibly = u in ("on", "falling")
            if not possibly and u != "rising":
                continue
            for ps, p in p_segs:
                if u == "rising" and p != "on":
                    apart(us, ps)
                    choices.append(
                        (us.end, ps.start, Order(us.ref, ps.ref, "need-rising", provider))
                    )
                    choices.append(
                        (ps.end, us.start, Order(ps.ref, us.ref, "need-rising", provider))
                    )
                if possibly and p in ("off", "rising"):
                    apart(us, ps)
                if possibly and p == "falling":
                    clauses.append(f"(or (<= {us.end} {ps.end}) (<= {ps.end} {us.start}))")
                    choices.append((us.end, ps.end, Order(us.ref, ps.ref, "need-on", provider)))
    for (a_name, a_sig), (b_name, b_sig) in problem.exclusives:
        if a_name == b_name:
            continue
        a_agent, b_agent = agents[a_name], agents[b_name]
        for sa in segments[a_name]:
            if sa.step is None or sa.shape(a_agent, a_sig) != "rising":
                continue
            for sb in segments[b_name]:
                if sb.step is None or sb.shape(b_agent, b_sig) != "rising":
                    continue
                apart(sa, sb)
                choices.append((sa.end, sb.start, Order(sa.ref, sb.ref, "exclusive", None)))
                choices.append((sb.end, sa.start, Order(sb.ref, sa.ref, "exclusive", None)))
    solver = z3.Solver()
    solver.from_string("".join(decls) + "".join(f"(assert {c})" for c in clauses))
    if solver.check() != z3.sat:
        return _FITS_NOT
    model = solver.model()
    values = {d.name(): model[d].as_long() for d in model.decls()}

    def time_of(term: str) -> int:
        return values[term] if term in values else int(term)

    steps = [
        Scheduled(
            name,
            s.ref[1],
            s.step.label,
            s.step.source,
            s.step.target,
            s.step.cost,
            time_of(s.start),
            time_of(s.end),
        )
        for name, segs in segments.items()
        for s in segs
        if s.step is not None
    ]
    orders: list[Order] = []
    seen: set[Order] = set()
    for x, y, order in choices:
        if order not in seen and time_of(x) <= time_of(y):
            seen.add(order)
            orders.append(order)
    return Solution(
        tuple(steps),
        tuple(orders),
        sum(s.cost for s in steps),
        tuple(sorted(bound.items())),
        time.perf_counter() - t0,
        rounds,
    )


def _optimizer(problem: ProblemLike, bound: dict[str, int]) -> _Built:
    """The total cost as weighted soft constraints, one per agent and cost level
    (`cost_a <= level_j`, weight `level_{j+1} - level_j`): the violated weights
    sum to the cost above every agent's cheapest sequence, and Z3's core-guided
    MaxSAT finds the minimum far faster than an arithmetic objective."""
    built = _build(problem, bound, set(), optimize=True)
    for lit in built.goal_lits:
        built.solver.add(lit)
    for enc in built.encs.values():
        levels = _cost_levels(enc.agent, enc.capacity)
        if len(levels) < 2:
            continue
        cost = z3.Sum(
            [
                z3.If(enc.op[k] == i, step.cost, 0)
                for k in range(1, enc.capacity + 1)
                for i, step in enumerate(enc.agent.steps)
            ]
        )
        for low, high in itertools.pairwise(levels):
            built.solver.add_soft(cost <= low, high - low)
    return built


def _cost_levels(agent: AgentLike, capacity: int) -> list[int]:
    """Every total cost a sequence of at most `capacity` steps of the agent can have."""
    frontier = {(agent.start, 0)}
    costs = {0}
    for _ in range(capacity):
        nxt = set()
        for state, cost in frontier:
            for step in agent.steps:
                if step.source == state:
                    nxt.add((step.target, cost + step.cost))
        costs |= {c for _, c in nxt}
        frontier = nxt
    return sorted(costs)


def _validate(problem: ProblemLike) -> None:
    names = {a.name: a for a in problem.agents}
    for g in problem.goals:
        if g.agent not in names:
            raise PlannerError(f"goal `{g.key}` names unknown agent `{g.agent}`")
    for need in problem.needs:
        for agent, _sig in need:
            if agent not in names:
                raise PlannerError(f"coupling names unknown agent `{agent}`")


def _extract(
    problem: ProblemLike, built: _Built, bound: dict[str, int], rounds: int, t0: float
) -> Solution:
    model = built.solver.model()
    steps: list[Scheduled] = []
    for enc in built.encs.values():
        for k in range(1, enc.capacity + 1):
            op = model.eval(enc.op[k], model_completion=True).as_long()
            if op == IDLE:
                break
            step = enc.agent.steps[op]
            steps.append(
                Scheduled(
                    enc.agent.name,
                    k,
                    step.label,
                    step.source,
                    step.target,
                    step.cost,
                    model.eval(enc.start[k], model_completion=True).as_long(),
                    model.eval(enc.end[k], model_completion=True).as_long(),
                )
            )
    used = {(s.agent, s.index) for s in steps}

    def real(ref: SegmentRef) -> bool:
        agent, k, is_step = ref
        return (agent, k) in used if is_step else (k == 0 or (agent, k) in used)

    orders = []
    seen = set()
    for lit, order in built.choices:
        if not (real(order.before) and real(order.after)):
            continue
        if order not in seen and z3.is_true(model.eval(lit, model_completion=True)):
            seen.add(order)
            orders.append(order)
    cost = model.eval(built.cost, model_completion=True).as_long()
    return Solution(
        tuple(steps),
        tuple(orders),
        cost,
        tuple(sorted(bound.items())),
        time.perf_counter() - t0,
        rounds,
    )


def _infeasible(problem: ProblemLike, t0: float) -> Infeasible:
    """A minimal unsatisfiable subset of the goals, every agent at the largest bound."""
    full = {a.name: problem.max_steps for a in problem.agents}
    built = _build(problem, full, set(), optimize=False)
    lits = list(built.goal_lits)
    if built.solver.check(*lits) == z3.sat:
        # unsatisfiable only under the smaller bounds: cannot happen, bounds only grow
        raise PlannerError("goals unsatisfiable under grown bounds but not at the limit")
    core = [lit for lit in built.solver.unsat_core() if lit in built.goal_lits]
    k = 0
    while k < len(core):
        trial = core[:k] + core[k + 1 :]
        if built.solver.check(*trial) == z3.unsat:
            smaller = set(built.solver.unsat_core())
            core = [lit for lit in trial if lit in smaller]
        else:
            k += 1
    goals = tuple(built.goal_lits[lit] for lit in core)
    return Infeasible(goals, problem.max_steps, time.perf_counter() - t0)
