"""The plans of docs/semantics-notes.md behave as the notes say."""

from __future__ import annotations

from spec_helpers import reachable, system_of

from cdcheck.spec.diagnose import explain_blocked

T = "type T { places a, b  initial a  behavior go { t: a -> b } }\n"

N1 = T + "node n hosts p { start p: T at a  program { pushB p go as g  wait p g } }"

N3 = T + (
    "node n1 hosts p { start p: T at a  program { pushB p go as g } }\n"
    "node n2 hosts c2 { start c2: T at a  program { wait p g } }\n"
    "node n3 hosts c3 { start c3: T at a  program { wait p g } }\n"
)


def _wait_passes_with_queued_behavior(profile: str) -> bool:
    sysm = system_of(N1, profile)  # type: ignore[arg-type]
    atoms = sysm.atoms()
    queued = atoms.compile("queued(p, g)")
    waited = atoms.compile("executed(n, 2)")
    return any(queued(s) and waited(s) for s in reachable(sysm))


def test_n1_local_wait_passes_while_queued_in_profile_maude() -> None:
    assert _wait_passes_with_queued_behavior("maude")


def test_n1_local_wait_waits_in_profile_intended() -> None:
    assert not _wait_passes_with_queued_behavior("intended")


def test_n3_two_askers_can_deadlock() -> None:
    sysm = system_of(N3)
    states = reachable(sysm)
    assert len(states) == 800  # Maude: 800 (search =>* on the exported module)
    deadlock = sysm.atoms().compile("deadlock")
    stuck = [s for s in states if deadlock(s)]
    assert len(stuck) == 4
    why = "\n".join(explain_blocked(sysm, stuck[0]))
    assert "cannot be received (not in history)" in why
