"""Small helpers for the semantics tests: plans from text, states by hand."""

from __future__ import annotations

import os

from cdcheck.lang import ast as A
from cdcheck.lang.check import check_plan
from cdcheck.lang.loader import Loader
from cdcheck.lang.parser import parse_source
from cdcheck.spec.model import Model, Profile, compile_plan
from cdcheck.spec.state import GlobalState, Inst, NodeState
from cdcheck.spec.system import ConcertoSystem

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CPS1 = os.path.join(ROOT, "models", "cps", "update.cd")
CPS2 = os.path.join(ROOT, "tests", "spec", "fixtures", "cps_update_2.cd")


def plan_of(text: str) -> A.Plan:
    src = parse_source(text, "<test>")
    plan = A.Plan("<test>", src.types, src.nodes, src.properties)
    errors = [d.headline() for d in check_plan(plan) if d.is_error]
    assert not errors, errors
    return plan


def system_of(text: str, profile: Profile = "maude") -> ConcertoSystem:
    return ConcertoSystem(compile_plan(plan_of(text), profile))


def system_of_file(path: str) -> ConcertoSystem:
    return ConcertoSystem(compile_plan(Loader().load(path)))


def node_named(m: Model, name: str) -> int:
    return next(k for k, n in enumerate(m.nodes) if n.name == name)


def inst_of(sysm: ConcertoSystem, state: GlobalState, name: str) -> Inst | None:
    m = sysm.model
    i = m.instance_index[name]
    for n, nm in enumerate(m.nodes):
        if i in nm.slot_of:
            x = sysm.node(state, n).instances[nm.slot_of[i]]
            if x is not None:
                return x
    return None


def place_bits(m: Model, inst: str, *places: str) -> int:
    t = m.types[m.instance_type[m.instance_index[inst]]]
    return sum(1 << t.places.index(p) for p in places)


def with_inst(s: NodeState, slot: int, inst: Inst | None) -> NodeState:
    ins = list(s.instances)
    ins[slot] = inst
    return s._replace(instances=tuple(ins))


def reachable(sysm: ConcertoSystem, limit: int = 1_000_000) -> set[GlobalState]:
    init = sysm.initial_states()
    seen = set(init)
    frontier = list(init)
    while frontier and len(seen) < limit:
        nxt = []
        for s in frontier:
            for _step, t in sysm.successors(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    return seen


def bfs_levels(sysm: ConcertoSystem, depth: int) -> list[int]:
    """Number of states within k steps, for k = 0..depth (Maude's `search [, k]`)."""
    init = sysm.initial_states()
    seen = set(init)
    frontier = list(init)
    counts = [len(seen)]
    for _ in range(depth):
        nxt = []
        for s in frontier:
            for _step, t in sysm.successors(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
        counts.append(len(seen))
    return counts
