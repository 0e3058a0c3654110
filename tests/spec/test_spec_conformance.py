"""Conformance with the Maude formalization on the CPS example.

Figures obtained by running Maude 3 (Python binding `maude` 1.6.0) on the
formalization (Concerto-D/concertod-maude@3bf9485, files 1-12) with the
module `cdcheck export --to maude` writes; commands in docs/semantics-notes.md.
"""

from __future__ import annotations

import pytest
from spec_helpers import CPS1, CPS2, bfs_levels, inst_of, reachable, system_of_file

from cdcheck.spec.invariants import state_invariants
from cdcheck.spec.system import ConcertoSystem

# Maude `search [, k] globalsystem =>* S:System`, k = 0..15 (number of solutions).
MAUDE_CPS2_LEVELS = [
    1,
    4,
    13,
    35,
    85,
    190,
    397,
    784,
    1480,
    2689,
    4729,
    8087,
    13484,
    21971,
    35062,
    54887,
]


def test_cps_reachable_states_equal_maude_full_search() -> None:
    sysm = system_of_file(CPS1)
    assert len(reachable(sysm)) == 11_145


def test_cps_profile_intended_changes_nothing_here() -> None:
    """The CPS example never asks about an absent instance nor waits locally."""
    from cdcheck.lang.loader import Loader
    from cdcheck.spec.model import compile_plan
    from cdcheck.spec.system import ConcertoSystem

    sysm = ConcertoSystem(compile_plan(Loader().load(CPS1), "intended"))
    assert len(reachable(sysm)) == 11_145


def test_cps_search1_final_state_back_in_running() -> None:
    """14_Results-search.maude, first search: a normal form with sensor1 and
    listener1 back in running, empty queues and programs."""
    sysm = system_of_file(CPS1)
    m = sysm.model
    run_s = m.types[m.type_index["Sensor"]].places.index("running")
    run_l = m.types[m.type_index["Listener"]].places.index("running")
    finals = []
    for s in reachable(sysm):
        if any(True for _ in sysm.successors(s)):
            continue
        sen, lis = inst_of(sysm, s, "sensor1"), inst_of(sysm, s, "listener1")
        assert sen is not None and lis is not None
        programs_done = all(sysm.node(s, n).pc == len(nm.program) for n, nm in enumerate(m.nodes))
        if (
            sen.places == 1 << run_s
            and lis.places == 1 << run_l
            and not sen.queue
            and not lis.queue
            and not sen.running | sen.endings | lis.running | lis.endings
            and programs_done
        ):
            finals.append(s)
    assert finals
    atoms = sysm.atoms()
    assert all(atoms.compile("done")(s) and not atoms.compile("deadlock")(s) for s in finals)


def test_cps_search2_no_start_before_update_completed() -> None:
    """14_Results-search.maude, second search: no solution."""
    sysm = system_of_file(CPS1)
    atoms = sysm.atoms()
    head = atoms.compile("head(sensor1) = idb1")
    completed = atoms.compile("completed(listener1, idb4)")
    states = reachable(sysm)
    assert any(head(s) for s in states)  # the start push does happen
    assert not any(head(s) and not completed(s) for s in states)


def test_cps_every_reachable_state_is_well_formed() -> None:
    sysm = system_of_file(CPS1)
    bad = [v for s in reachable(sysm) for v in state_invariants(sysm, s)]
    assert bad == []


def test_cps2_bfs_levels_equal_maude_up_to_10() -> None:
    assert bfs_levels(system_of_file(CPS2), 10) == MAUDE_CPS2_LEVELS[:11]


@pytest.mark.slow
def test_cps2_bfs_levels_equal_maude_up_to_15() -> None:
    assert bfs_levels(system_of_file(CPS2), 15) == MAUDE_CPS2_LEVELS


def _family(name: str, n: int) -> ConcertoSystem:
    families = pytest.importorskip("cdcheck.lang.families")
    from cdcheck.lang import ast as A
    from cdcheck.lang.parser import parse_source
    from cdcheck.spec.model import compile_plan

    src = parse_source(families.generate(name, n), f"<{name} {n}>")
    return ConcertoSystem(compile_plan(A.Plan(name, src.types, src.nodes, ())))


def test_family_cps_update_2_is_the_fixture() -> None:
    assert bfs_levels(_family("cps-update", 2), 8) == MAUDE_CPS2_LEVELS[:9]


def test_cps_deploy_levels_equal_maude() -> None:
    """Questions to instances not yet added: unreduced answers (N2) matter here."""
    levels = bfs_levels(_family("cps-deploy", 1), 20)
    assert (levels[12], levels[20]) == (527, 4_531)  # Maude: 527, 4,531


@pytest.mark.slow
def test_cps3_levels_equal_maude() -> None:
    levels = bfs_levels(_family("cps-update", 3), 10)
    assert (levels[8], levels[10]) == (4_432, 17_770)  # Maude: 4,432, 17,770
