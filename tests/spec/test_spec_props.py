"""Atomic propositions: parsing, errors, and their meaning on the CPS example."""

from __future__ import annotations

import pytest
from spec_helpers import CPS1, system_of, system_of_file

from cdcheck.spec.props import AtomError

PLAN = """
type T { places a, b  initial a  behavior go { t: a -> b }  provide p on a }
type U { places x, y  initial x  behavior go { s: x -> y }  use q on y }
node n1 hosts c1 { start c1: T at a  connected c2.q -- c1.p  program { pushB c1 go as g } }
node n2 hosts c2 {
  start c2: U at x
  connected c2.q -- c1.p
  program { add c3: U  pushB c2 go as h  wait c1 g }
}
"""


def test_atoms_on_the_initial_state() -> None:
    sysm = system_of(PLAN)
    s0 = sysm.initial_states()[0]
    atoms = sysm.atoms()

    def holds(text: str) -> bool:
        return atoms.compile(text)(s0)

    assert holds("at(c1, a)") and not holds("at(c1, b)")
    assert holds("active(c1.p)") and not holds("active(c2.q)")
    assert not holds("refusing(c1.p)")  # marked and no behavior: not refusing
    assert holds("refusing(c2.q)")  # group unmarked: refusing
    assert holds("connected(c2.q, c1.p)") and holds("connected(c2.q, c1.p, n1)")
    assert holds("exists(c1)") and not holds("exists(c3)")
    assert not holds("head(c1) = g") and not holds("queued(c1, g)")
    assert not holds("completed(c1, g)")  # still to be pushed
    assert holds("executed(n1, 0)") and not holds("executed(n1, 1)")
    assert holds("inbox_empty(n2)")
    assert not holds("done") and not holds("deadlock")
    # absent instance: active false, refusing true
    assert not holds("active(c3.q)") and holds("refusing(c3.q)")


def test_atoms_after_a_push() -> None:
    sysm = system_of(PLAN)
    s0 = sysm.initial_states()[0]
    atoms = sysm.atoms()
    step, s1 = next((st, t) for st, t in sysm.successors(s0) if st.rule == "PushingBehavior")
    assert step.node == 0
    assert atoms.compile("head(c1) = g")(s1) and atoms.compile("queued(c1, g)")(s1)
    assert atoms.compile("executed(n1, 1)")(s1)
    assert not atoms.compile("completed(c1, g)")(s1)


@pytest.mark.parametrize(
    "text",
    [
        "at(c9, a)",
        "at(c1, zz)",
        "active(c1)",
        "active(c1.nope)",
        "head(c1)",
        "queued(c1)",
        "executed(n1, x)",
        "inbox_empty(n9)",
        "frobnicate(c1)",
        "at(c1, a) = g",
        "(((",
    ],
)
def test_bad_atoms_are_errors(text: str) -> None:
    atoms = system_of(PLAN).atoms()
    with pytest.raises(AtomError):
        atoms.compile(text)
    assert text not in atoms


def test_done_and_deadlock_on_cps() -> None:
    from spec_helpers import reachable

    sysm = system_of_file(CPS1)
    atoms = sysm.atoms()
    states = reachable(sysm)
    done = [s for s in states if atoms.compile("done")(s)]
    assert done
    assert not any(atoms.compile("deadlock")(s) for s in states)


def test_connected_provider_first_is_rejected_with_e037() -> None:
    sysm = system_of(PLAN)
    atoms = sysm.atoms()
    with pytest.raises(AtomError, match=r"^E037: `connected\(c1.p, c2.q\)` names a provide") as e:
        atoms.compile("connected(c1.p, c2.q)")
    assert e.value.code == "E037"
    with pytest.raises(AtomError, match=r"connected\(c2.q, c1.p, n1\)"):
        atoms.compile("connected(c1.p, c2.q, n1)")
    assert atoms.compile("connected(c2.q, c1.p)")(sysm.initial_states()[0])
