"""checker/smt.py on hand-written symbolic systems (no Concerto-D)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import z3

from cdcheck.checker import smt
from cdcheck.checker.search import Verdict


@dataclass(frozen=True)
class Counter:
    """x starts at 0 and steps +1 while x < limit (or wraps to 0 if `wrap`)."""

    limit: int
    wrap: bool = False

    def state_vars(self) -> list[tuple[str, Any]]:
        return [("x", z3.IntSort())]

    def input_vars(self) -> list[tuple[str, Any]]:
        return []

    def init(self, v: Mapping[str, Any]) -> Any:
        return v["x"] == 0

    def trans(self, v: Mapping[str, Any], i: Mapping[str, Any], w: Mapping[str, Any]) -> Any:
        step = z3.And(v["x"] < self.limit, w["x"] == v["x"] + 1)
        if self.wrap:
            return z3.Or(step, z3.And(v["x"] == self.limit, w["x"] == 0))
        return step

    def domain(self, v: Mapping[str, Any]) -> Any:
        return z3.And(v["x"] >= 0, v["x"] <= self.limit)


@dataclass(frozen=True)
class Mutex:
    """Two processes, idle(0) -> waiting(1) -> critical(2) -> idle; a process
    enters only if the other is not critical (`broken`: it enters anyway)."""

    broken: bool = False

    def state_vars(self) -> list[tuple[str, Any]]:
        return [("p0", z3.IntSort()), ("p1", z3.IntSort())]

    def input_vars(self) -> list[tuple[str, Any]]:
        return [("who", z3.BoolSort())]

    def init(self, v: Mapping[str, Any]) -> Any:
        return z3.And(v["p0"] == 0, v["p1"] == 0)

    def trans(self, v: Mapping[str, Any], i: Mapping[str, Any], w: Mapping[str, Any]) -> Any:
        def move(me: str, other: str) -> Any:
            enter = z3.And(v[me] == 1, w[me] == 2)
            if not self.broken:
                enter = z3.And(enter, v[other] != 2)
            return z3.And(
                w[other] == v[other],
                z3.Or(
                    z3.And(v[me] == 0, w[me] == 1),
                    enter,
                    z3.And(v[me] == 2, w[me] == 0),
                ),
            )

        return z3.If(i["who"], move("p0", "p1"), move("p1", "p0"))

    def domain(self, v: Mapping[str, Any]) -> Any:
        return z3.And(*[z3.And(v[p] >= 0, v[p] <= 2) for p in ("p0", "p1")])


def exclusive(v: Mapping[str, Any]) -> Any:
    return z3.Not(z3.And(v["p0"] == 2, v["p1"] == 2))


@pytest.mark.parametrize("engine", ["bmc", "kind", "pdr"])
def test_counter_overflow_found_at_its_depth(engine: str) -> None:
    r = smt.run(engine, Counter(5), lambda v: v["x"] < 4, depth=10, timeout=30)
    assert r.verdict is Verdict.VIOLATED
    assert [s["x"] for s in r.trace] == [0, 1, 2, 3, 4]


def test_bmc_never_proves() -> None:
    r = smt.bmc(Counter(3), lambda v: v["x"] <= 3, 6)
    assert r.verdict is Verdict.UNKNOWN


@pytest.mark.parametrize("engine", ["kind", "pdr"])
def test_counter_bound_proved(engine: str) -> None:
    r = smt.run(engine, Counter(3, wrap=True), lambda v: v["x"] <= 3, depth=5, timeout=30)
    assert r.verdict is Verdict.HOLDS, r.reason
    assert r.certificate


def test_kind_needs_depth_for_non_inductive_property() -> None:
    # x != 5 is not 1-inductive from x = 4, but no path of distinct states
    # reaches it when the limit is 3: the domain (x <= 3) makes it inductive.
    r = smt.kinduction(Counter(3), lambda v: v["x"] != 5, 3)
    assert r.verdict is Verdict.HOLDS


@pytest.mark.parametrize("engine", ["kind", "pdr"])
def test_mutex_proved(engine: str) -> None:
    r = smt.run(engine, Mutex(), exclusive, depth=8, timeout=30)
    assert r.verdict is Verdict.HOLDS, r.reason


@pytest.mark.parametrize("engine", ["bmc", "kind", "pdr"])
def test_broken_mutex_violated_with_a_real_trace(engine: str) -> None:
    m = Mutex(broken=True)
    r = smt.run(engine, m, exclusive, depth=8, timeout=30)
    assert r.verdict is Verdict.VIOLATED
    assert r.trace[0] == {"p0": 0, "p1": 0}
    last = r.trace[-1]
    assert last["p0"] == 2 and last["p1"] == 2
    assert len(r.trace) == 5  # shortest: both wait, both enter


def test_escape_states_make_the_verdict_unknown() -> None:
    r = smt.bmc(Counter(5), lambda v: v["x"] < 10, 8, escape=lambda v: v["x"] >= 3)
    assert r.verdict is Verdict.UNKNOWN
    assert "bounds" in r.reason


def test_pdr_invariant_is_rechecked() -> None:
    m = Mutex()
    not_inductive = smt.check_invariant(m, lambda v: v["p0"] != 2, exclusive)
    assert not_inductive is not None and "trans" in not_inductive
    assert smt.check_invariant(m, exclusive, exclusive) is None
    r = smt.pdr(m, exclusive, timeout=30)
    assert r.verdict is Verdict.HOLDS


def test_bad_domain_is_refused() -> None:
    @dataclass(frozen=True)
    class Lying(Counter):
        def domain(self, v: Mapping[str, Any]) -> Any:
            return v["x"] <= 1

    r = smt.kinduction(Lying(5), lambda v: v["x"] < 4, 2)
    assert r.verdict is Verdict.UNKNOWN
    assert "domain" in r.reason


def test_bmc_finds_a_bad_state_without_successor_below_the_bound() -> None:
    # the counter stops at 3 (no successor): bad x == 3 must be found with bound 8
    r = smt.bmc(Counter(3), lambda v: v["x"] != 3, 8)
    assert r.verdict is Verdict.VIOLATED
    assert [s["x"] for s in r.trace] == [0, 1, 2, 3]


def test_houdini_keeps_the_inductive_lemmas_and_proves() -> None:
    # "p0 critical => p1 not critical" alone is the property; with the wrong
    # guess "p0 never waits" Houdini must drop the guess and still prove it
    lemmas = [
        smt.Lemma("p0 never waits", lambda v: v["p0"] != 1),
        smt.Lemma("p0 in range", lambda v: z3.And(v["p0"] >= 0, v["p0"] <= 2)),
    ]
    r = smt.houdini(Mutex(), exclusive, lemmas, timeout=30)
    assert r.verdict is Verdict.HOLDS, r.reason
    assert "p0 in range" in r.certificate and "p0 never waits" not in r.certificate


def test_houdini_needs_the_right_lemmas() -> None:
    # x <= 3 on the wrapping counter needs no lemma; x != 2 is false: never proved
    assert smt.houdini(Counter(3, wrap=True), lambda v: v["x"] <= 3, []).verdict is Verdict.HOLDS
    wrong = [smt.Lemma("x is never 2", lambda v: v["x"] != 2)]
    r = smt.houdini(Counter(3, wrap=True), lambda v: v["x"] != 2, wrong)
    assert r.verdict is Verdict.UNKNOWN
    assert "not implied" in r.reason


def test_houdini_takes_the_systems_own_lemmas() -> None:
    @dataclass(frozen=True)
    class WithLemmas(Counter):
        def lemmas(self, deadline: float | None = None) -> list[smt.Lemma]:
            return [smt.Lemma("x in range", lambda v: z3.And(v["x"] >= 0, v["x"] <= self.limit))]

    r = smt.run("houdini", WithLemmas(3, wrap=True), lambda v: v["x"] != 7, timeout=30)
    assert r.verdict is Verdict.HOLDS
    assert "x in range" in r.certificate
