"""Reports: one result rendered for the terminal, JSON/ITF, SARIF and JUnit."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from rich.console import Console

from cdcheck.checker.report import (
    Location,
    Report,
    build_property_report,
    build_report,
    render_json,
    render_junit,
    render_sarif,
    render_terminal,
)
from cdcheck.checker.search import Invariant, Limits, Trace, Verdict, check_safety

from .systems import Counter, Mutex


@dataclass(frozen=True)
class View:
    rule: str
    nodes: tuple[str, ...]
    objects: str
    changes: tuple[str, ...]


def describe(step: str, before: tuple[int, ...], after: tuple[int, ...]) -> View:
    proc, action = step.split(".")
    return View(action, (proc,), f"lock={after[2]}", (f"{before} -> {after}",))


def mutex_report() -> Report:
    search = check_safety(
        Mutex(),
        [Invariant("mutex", lambda s: s[:2] != (2, 2)), Invariant("ok", lambda s: True)],
        check_deadlock=True,
    )
    props = [
        build_property_report(
            r,
            formula="G !(critical0 & critical1)",
            location=Location("plan.cd", 7, 3),
            describe=describe,
            state_view=lambda s: {"pc0": s[0], "pc1": s[1], "lock": s[2] == 1},
            explain=lambda s: [f"both processes are critical in {s}"],
        )
        for r in search.results
    ]
    return build_report("plan.cd", search, props)


def test_exit_codes() -> None:
    report = mutex_report()
    assert [p.verdict for p in report.properties] == [
        Verdict.VIOLATED,
        Verdict.HOLDS,
        Verdict.HOLDS,
    ]
    assert report.exit_code == 1
    unknown = check_safety(
        Counter(10**6), [Invariant("x", lambda s: True)], limits=Limits(max_states=300)
    )
    props = [
        build_property_report(r, formula="", location=Location("p"), describe=describe)
        for r in unknown.results
    ]
    assert build_report("p", unknown, props).exit_code == 3


def test_terminal_shows_each_step() -> None:
    buf = io.StringIO()
    render_terminal(mutex_report(), Console(file=buf, width=160, color_system=None))
    text = buf.getvalue()
    assert "✗ mutex  violated" in text
    assert "shortest counterexample, 4 steps" in text
    for action in ("check", "enter"):
        assert action in text
    assert "both processes are critical" in text


def test_json_and_itf() -> None:
    data = json.loads(render_json(mutex_report()))
    mutex = data["properties"][0]
    assert mutex["verdict"] == "violated" and len(mutex["steps"]) == 4
    itf = mutex["itf"]
    assert itf["vars"] == ["lock", "pc0", "pc1"]
    assert len(itf["states"]) == 5
    assert itf["states"][-1]["pc0"] == {"#bigint": "2"}
    assert itf["states"][1]["#meta"]["action"]["rule"] == "check"


def test_sarif_has_location_and_code_flow() -> None:
    sarif = json.loads(render_sarif(mutex_report(), "0.1.0"))
    assert sarif["version"] == "2.1.0"
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "mutex" and result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7, "startColumn": 3}
    assert len(result["codeFlows"][0]["threadFlows"][0]["locations"]) == 4


def test_junit_is_valid_xml() -> None:
    root = ET.fromstring(render_junit(mutex_report()).split("\n", 1)[1])
    assert root.get("tests") == "3" and root.get("failures") == "1"
    failure = root.find("testcase[@name='mutex']/failure")
    assert failure is not None and "enter" in (failure.text or "")


def test_lasso_is_marked() -> None:
    search = check_safety(Counter(3), [Invariant("x", lambda s: True)])
    lasso = Trace(states=(0, 1, 2, 0), steps=("p.a", "p.b", "p.c"), loop_start=0)
    from cdcheck.checker.search import PropertyResult

    result = PropertyResult("live", Verdict.VIOLATED, lasso, "a run never reaches done")
    prop = build_property_report(
        result,
        formula="F done",
        location=Location("p.cd"),
        describe=lambda a, b, c: View(a, ("n",), "", ()),
    )
    buf = io.StringIO()
    render_terminal(
        build_report("p.cd", search, [prop]), Console(file=buf, width=120, color_system=None)
    )
    assert "cycle starts here" in buf.getvalue() and "lasso" in buf.getvalue()
