"""The planner on Ballet's two scenarios: the CPS update and the OpenStack master update.

Sequences are compared with Ballet's generated plans
(../shared/reference/models/*_ballet_planner.json, transcribed in models/ballet/);
the coordination is checked as the orders the programs enforce, not as text.
"""

from __future__ import annotations

import pytest

from cdcheck.checker import planner as P
from cdcheck.lang.assemblies import cps_assembly, openstack_assembly
from cdcheck.spec import planning as S

from .helpers import MODELS, happens_before, occurrence, plan_text, sequences

CPS_GOALS = (MODELS / "cps" / "goals-update.yaml").read_text()
OS_GOALS = (MODELS / "openstack" / "goals-update.yaml").read_text()
CPS_TYPES = str(MODELS / "cps" / "types.cd")
OS_TYPES = str(MODELS / "openstack" / "types.cd")

BALLET_CPS = {
    "database": ["interrupt", "update", "deploy"],
    "system": ["stop", "deploy"],
    "listener": ["update", "deploy"],
    "sensor": ["pause", "start"],  # Ballet's sensor `deploy` is `start` in types.cd
}


def ballet_cost(asm: S.Assembly, seqs: dict[str, list[str]]) -> int:
    total = 0
    for inst, behaviors in seqs.items():
        info = asm.types[asm.instance_type[inst]]
        place = asm.start[inst]
        for b in behaviors:
            move = S.simulate(info, b, place)
            assert move is not None, (inst, b, place)
            total += move.cost
            place = move.target
    return total


@pytest.mark.parametrize("n", [1, 2, 3])
def test_cps_update_is_ballets_plan(n: int) -> None:
    planned = plan_text(cps_assembly(n, CPS_TYPES), "cps.cd", CPS_GOALS)
    sol = planned.result
    assert isinstance(sol, P.Solution)
    seqs = sequences(sol)
    ballet = {inst: BALLET_CPS[inst.split("_")[0]] for inst in planned.asm.instance_type}
    assert seqs == ballet
    assert sol.cost <= ballet_cost(planned.asm, ballet)
    programs = S.programs_of(planned.asm, sol)
    order = happens_before(programs, planned.asm)
    # system redeploys after the database left; each listener after the system left
    assert (
        occurrence(programs, "database", "interrupt"),
        occurrence(programs, "system", "deploy"),
    ) in order
    for i in range(n):
        stop = occurrence(programs, "system", "stop")
        assert (stop, occurrence(programs, f"listener_{i}", "deploy")) in order
    # listeners on different nodes ask system the same question: never together
    deploys = [occurrence(programs, f"listener_{i}", "deploy") for i in range(n)]
    for a in deploys:
        for b in deploys:
            if a < b:
                assert (a, b) in order or (b, a) in order
    # sensor and listener share a node: program order, no (meaningless) local wait
    for i in range(n):
        prog = [str(x) for x in programs.programs[f"sensor_{i}"]]
        assert not any(f"wait listener_{i}" in x for x in prog)


def _openstack(n: int) -> None:
    planned = plan_text(openstack_assembly(n, OS_TYPES), "os.cd", OS_GOALS)
    sol = planned.result
    assert isinstance(sol, P.Solution)
    seqs = sequences(sol)
    assert seqs["mariadb_master"] == ["interrupt", "update", "deploy"]
    moving = {"mariadb_master"}
    for i in range(n):
        assert seqs[f"mariadb_worker_{i}"] == ["interrupt", "update", "deploy"]
        assert seqs[f"keystone_{i}"] == ["uninstall", "deploy"]
        assert seqs[f"glance_{i}"] == ["uninstall", "deploy"]
        assert seqs[f"neutron_{i}"] == ["uninstall", "deploy"]
        # nova's keystone port stays active in `interrupted`: it must leave both groups
        assert seqs[f"nova_{i}"] == ["interrupt", "uninstall", "deploy"]
        moving |= {f"{x}_{i}" for x in ("mariadb_worker", "keystone", "glance", "nova", "neutron")}
    assert set(seqs) == moving  # infrastructure services do not move
    programs = S.programs_of(planned.asm, sol)
    order = happens_before(programs, planned.asm)
    master = occurrence(programs, "mariadb_master", "interrupt")
    for i in range(n):
        worker = occurrence(programs, f"mariadb_worker_{i}", "interrupt")
        keystone = occurrence(programs, f"keystone_{i}", "uninstall")
        assert (master, occurrence(programs, f"mariadb_worker_{i}", "deploy")) in order
        for leaf in ("nova", "neutron"):
            redeploy = occurrence(programs, f"{leaf}_{i}", "deploy")
            assert (keystone, redeploy) in order
            assert (worker, redeploy) in order


@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_openstack_update_cascades(n: int) -> None:
    _openstack(n)  # 10 sites: the planning-time target of issue #9 (well under 1 s)
