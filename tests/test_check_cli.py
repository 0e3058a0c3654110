"""`cdcheck plan.cd`: the CI gate, end to end through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from plans import DEADLOCKING, MISROUTED_AFTER_RELAXED_PROOF, PLANNED_CPS_2, RACE

from cdcheck.checker.cli import main
from cdcheck.lang.families import generate

ROOT = Path(__file__).parent.parent
CPS = str(ROOT / "models" / "cps" / "update.cd")
BROKEN = str(ROOT / "models" / "broken" / "missing-wait.cd")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def planned_cps_2(tmp_path: Path) -> Path:
    """The planner's CPS plan with two pairs, its types included by path."""
    plan = tmp_path / "cps2.cd"
    plan.write_text(PLANNED_CPS_2.replace("{types}", str(ROOT / "models" / "cps" / "types.cd")))
    return plan


@pytest.fixture
def deadlocking(tmp_path: Path) -> str:
    path = tmp_path / "deadlock.cd"
    path.write_text(DEADLOCKING)
    return str(path)


def test_cps_update_holds_with_the_conformance_state_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    summary = tmp_path / "s.json"
    code, out, _ = run([CPS, "--quiet", "--no-por", "--json", str(summary)], capsys)
    assert code == 0
    assert "deadlock-free" in out and "port-consistency" in out
    data = json.loads(summary.read_text())
    assert data["stats"]["states"] == 11_145 and data["stats"]["complete"]
    assert sum(data["stats"]["states_per_level"]) == 11_145
    assert {p["verdict"] for p in data["properties"]} == {"holds"}
    assert {p["name"] for p in data["properties"]} >= {
        "deadlock-free",
        "port-consistency",
        "terminates",
    }


def test_forgotten_wait_is_caught(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([BROKEN, "--quiet"], capsys)
    assert code == 1
    assert "✗ api_after_replicas  violated" in out
    assert "shortest counterexample" in out and "EnteringPlace" in out


def test_deadlock_is_explained(
    deadlocking: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sarif, junit, trace = tmp_path / "r.sarif", tmp_path / "r.xml", tmp_path / "t.json"
    code, out, err = run(
        [
            deadlocking,
            "--quiet",
            "--sarif",
            str(sarif),
            "--junit",
            str(junit),
            "--trace-out",
            str(trace),
        ],
        capsys,
    )
    assert code == 1
    assert "✗ deadlock-free  violated" in out
    assert "cannot enter busy: provider of api refusing" in out  # why it is stuck
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"deadlock-free"}
    suite = ET.fromstring(junit.read_text().split("\n", 1)[1])
    assert int(suite.get("failures") or 0) >= 1
    itf = json.loads(trace.read_text())
    assert itf["states"] and "vars" in itf
    assert "ITF" in err


def test_ltl_invariant_from_the_command_line(
    deadlocking: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([deadlocking, "--quiet", "--ltl", "G !queued(c, g1)"], capsys)
    assert code == 1 and "ltl-1" in out
    code, out, _ = run([deadlocking, "--quiet", "--ltl", "G !at(c, busy)"], capsys)
    assert code == 0


def test_property_selection(deadlocking: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([deadlocking, "--quiet", "--property", "client_busy_needs_server"], capsys)
    assert code == 0
    assert "deadlock-free" not in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--ltl", "G (at(c, busy) -> )"], "--ltl"),
        (["--ltl", "G at(c, flying)"], "has no place `flying`"),
        (["--ltl", "G at(nobody, busy)"], "unknown instance `nobody`"),
        (["--property", "client_busy_needs_serve"], "did you mean `client_busy_needs_server`"),
        (["--max-states", "0"], "--max-states must be positive"),
        (["--timeout", "-1"], "--timeout must be positive"),
        (["--summary", "--ltl", "G true"], "--summary"),
        (["--max-depth", "x"], "invalid int value"),
    ],
)
def test_user_errors_exit_2(
    deadlocking: str, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run([deadlocking, "--quiet", *extra], capsys)
    assert code == 2
    assert message in err


def test_bad_formula_in_the_plan_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "p.cd"
    plan.write_text(DEADLOCKING.replace("G (at(c, busy) -> at(s, on))", "G (at(c, busy) -> )"))
    code, _, err = run([str(plan), "--quiet"], capsys)
    assert code == 2
    assert f"{plan}:22:54:" in err and "^" in err


def test_limits_give_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([CPS, "--quiet", "--max-states", "500"], capsys)
    assert code == 3 and "state limit" in out
    code, out, _ = run([CPS, "--quiet", "--max-depth", "5"], capsys)
    assert code == 3 and "within 5 steps" in out


def test_liveness_gives_a_lasso(deadlocking: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([deadlocking, "--quiet", "--ltl", "F at(c, busy)"], capsys)
    assert code == 1
    assert "lasso" in out and "(stutter)" in out
    assert "the run ends in a state without successors" in out


def test_default_suite_includes_termination(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([CPS, "--quiet", "--property", "terminates"], capsys)
    assert code == 0 and "✓ terminates  holds" in out and "weak fairness per step" in out


def test_node_fairness_is_weaker_than_step_fairness(capsys: pytest.CaptureFixture[str]) -> None:
    """A node that keeps answering questions counts as moving under per-node
    fairness, while its own component never enters its place: `F done` fails."""
    code, out, _ = run([CPS, "--quiet", "--ltl", "F done", "--fair", "nodes"], capsys)
    assert code == 1
    assert "cycle starts here" in out and "keeps moving on the cycle" in out
    code, _, _ = run([CPS, "--quiet", "--ltl", "F done", "--fair", "steps"], capsys)
    assert code == 0


def test_hanging_behavior_violates_termination_with_a_lasso(
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = str(ROOT / "models" / "broken" / "unsatisfiable-join.cd")
    code, out, err = run([plan, "--quiet"], capsys)
    assert code == 1
    assert "warning[W114]" in err
    assert "✗ terminates  violated" in out and "lasso" in out
    assert "waits at uninstalled for stop2 (AND-join)" in out
    assert "✓ port-consistency  holds" in out


@pytest.mark.parametrize("plan", [CPS, BROKEN])
def test_reduction_gives_the_same_verdicts(plan: str, capsys: pytest.CaptureFixture[str]) -> None:
    names = ["--property", "deadlock-free"]
    if plan == BROKEN:
        names += ["--property", "api_after_replicas"]
    full, _, _ = run([plan, "--quiet", "--no-por", *names], capsys)
    code, out, _ = run([plan, "--quiet", "--compare-por", *names], capsys)
    assert code == full
    assert "reduction:" in out and "without" in out


def test_por_covers_x_free_ltl_and_says_when_it_is_not_used(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With --por an X-free formula is checked on the reduced product (fewer
    states, same verdict); X and fairness switch it off with a visible note."""
    formula = "G (at(sensor1, running) -> F at(listener1, running))"
    _, full, _ = run([CPS, "--quiet", "--no-por", "--ltl", formula], capsys)
    code, out, _ = run([CPS, "--quiet", "--por", "--ltl", formula], capsys)
    assert code == 0 and "holds" in out and "11,145" in full and "11,145" not in out
    code, out, _ = run([BROKEN, "--quiet", "--por", "--ltl", "G !at(worker1, running)"], capsys)
    assert code == 1 and "violated" in out
    code, out, _ = run([CPS, "--quiet", "--por", "--ltl", "X done"], capsys)
    assert "partial-order reduction not used for `ltl-1`: it uses X (next)" in out
    code, out, _ = run([CPS, "--quiet", "--por", "--fair", "nodes", "--ltl", "F done"], capsys)
    assert "it is checked under fairness" in out


def test_no_por_is_accepted_and_searches_everything(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([CPS, "--quiet", "--no-por", "--property", "deadlock-free"], capsys)
    assert code == 0 and "11,145" in out
    code, out, _ = run([CPS, "--quiet", "--por", "--property", "deadlock-free"], capsys)
    assert code == 0 and "11,145" not in out


def test_por_is_on_by_default_and_proves_cps_6_on_the_relaxation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Six listener/sensor pairs: deadlock freedom on the FIFO relaxation with
    stubborn sets, a few thousand states (every interleaving: billions)."""
    plan = tmp_path / "cps6.cd"
    plan.write_text(generate("cps-update", 6))
    code, out, _ = run([str(plan), "--quiet", "--property", "deadlock-free"], capsys)
    assert code == 0 and "✓ deadlock-free  holds" in out
    assert "proved on the FIFO relaxation" in out
    states = int(out.split("deadlock-free  holds")[-1].split()[0].replace(",", ""))
    assert states < 10_000
    code, out, _ = run(
        [
            str(plan),
            "--quiet",
            "--property",
            "deadlock-free",
            "--exact-fifo",
            "--max-states",
            "20000",
        ],
        capsys,
    )
    assert code == 3 and "FIFO relaxation" not in out


def test_deadlock_freedom_transfers_only_when_answers_reach_their_askers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two nodes ask the same question: no deadlock on the relaxation is then
    not a proof (an answer may reach the wrong asker there), and the exact
    semantics decides. Here it finds the deadlock of a misrouted answer that
    the relaxation cannot show."""
    code, out, _ = run([BROKEN, "--quiet", "--property", "deadlock-free"], capsys)
    assert code == 0 and "decided on the exact FIFO semantics" in out
    plan = tmp_path / "misrouted.cd"
    plan.write_text(MISROUTED_AFTER_RELAXED_PROOF)
    code, out, _ = run([str(plan), "--quiet", "--property", "deadlock-free"], capsys)
    assert "no deadlock on the FIFO relaxation (" in out
    assert "deadlock freedom is decided on the exact FIFO semantics" in out
    assert code == 1 and "cannot be received (not in history)" in out


def test_the_exact_search_forgets_polling_answers_and_stops_at_a_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The planner's CPS plan with two pairs on the exact semantics alone
    (`--exact-fifo`: neither the relaxation nor the quiet system): the search,
    which forgets the answers that keep their askers asking, is bounded here
    by a state limit: unknown, and says what was found."""
    plan = planned_cps_2(tmp_path)
    args = [str(plan), "--quiet", "--property", "deadlock-free", "--max-states", "20000"]
    code, out, _ = run([*args, "--exact-fifo"], capsys)
    assert code == 3
    assert "the state limit (20,000 states) was reached" in out
    assert "quiet" not in out


def test_the_planners_cps_plan_with_two_pairs_terminates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deadlock freedom and termination under weak fairness per step, proved
    at once by one deadlock search on the quiet system (its waits order the
    two listeners' questions to the system): 427 states (649 before the
    finer instance keys, 1,829 before the refinements of docs/por.md), where
    the exact search needs 90,620 for deadlock freedom alone and the fair
    check of termination did not finish."""
    plan = planned_cps_2(tmp_path)
    args = [str(plan), "--quiet", "--property", "deadlock-free", "--property", "terminates"]
    code, out, _ = run(args, capsys)
    assert code == 0
    assert "`deadlock-free`, `terminates`: proved on the quiet system" in out
    assert "427 states" in out


@pytest.mark.slow
def test_the_planners_cps_plan_with_two_pairs_is_deadlock_free_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """... and the exact search alone proves deadlock freedom too (90,620
    states; 140,236 before the finer instance keys of docs/por.md)."""
    plan = planned_cps_2(tmp_path)
    args = [str(plan), "--quiet", "--property", "deadlock-free", "--exact-fifo"]
    code, out, _ = run(args, capsys)
    assert code == 0 and "90,620 states" in out


def test_an_invariant_is_searched_one_conjunct_at_a_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With the reduction each conjunct of `G (p & q)` gets a search of its own
    (the stubborn sets then wait only for what could violate it); the first
    violated conjunct gives the counterexample, and `--no-por` searches the
    whole formula once, with the same verdict."""
    formula = "G (exists(listener1) & !at(sensor1, provisioned))"
    code, out, _ = run([CPS, "--quiet", "--ltl", formula], capsys)
    assert code == 1
    assert "conjunct 2 of 2 violated: G !at(sensor1, provisioned)" in out
    assert "EnteringPlace  sensor1 enters provisioned" in out
    assert "its 2 conjuncts searched one by one" in out
    code, out, _ = run([CPS, "--quiet", "--ltl", formula, "--no-por"], capsys)
    assert code == 1 and "conjunct" not in out
    code, out, _ = run([CPS, "--property", "port-consistency"], capsys)
    assert code == 0 and "✓ port-consistency  holds" in out
    assert "its 4 conjuncts searched one by one" in out


def test_conjuncts_share_the_time_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A conjunct left without time is undecided, and so is the invariant
    (the planner's CPS plan with two pairs, through the goal condition: the
    system's connections to the listeners are not proved on their local
    views, and take 876,126 states on the quiet system)."""
    plan = planned_cps_2(tmp_path)
    args = [str(plan), "--quiet", "--property", "port-consistency", "--timeout", "3"]
    args += ["--invariant-por", "goal"]
    code, out, _ = run(args, capsys)
    assert code == 3 and "? port-consistency  unknown" in out
    assert "undecided" in out


def test_conjuncts_are_searched_together_with_violation_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same plan by default: one search of the quiet system, a violation
    flag per conjunct, about as large as the deadlock search (checker/flagged.py)."""
    plan = planned_cps_2(tmp_path)
    code, out, _ = run([str(plan), "--property", "port-consistency"], capsys)
    assert code == 0 and "✓ port-consistency  holds" in out
    line = next(ln for ln in out.splitlines() if "searched together" in ln)
    assert "its 7 conjuncts searched together on the quiet system, one violation flag each" in line
    states = int(line.split("(")[-1].split(" states")[0].replace(",", ""))
    assert states < 3_000


def test_port_consistency_is_proved_on_local_views(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CPS with six pairs: each connection's conjunct is proved on the view of
    the nodes hosting its two ends (the others unconstrained), a few hundred
    states each, where the whole plan's search does not finish."""
    plan = tmp_path / "cps6.cd"
    plan.write_text(generate("cps-update", 6))
    code, out, _ = run([str(plan), "--property", "port-consistency"], capsys)
    assert code == 0 and "✓ port-consistency  holds" in out
    assert "its 19 conjuncts searched one by one" in out
    assert "proved on local views: 1 on node1, node2;" in out
    states = int(out.split("port-consistency  holds")[-1].split()[0].replace(",", ""))
    assert states < 10_000


def test_a_violation_on_the_quiet_system_is_decided_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The quiet system's bags let the client read a stale answer after its
    reset, so its flag is set there; only the exact semantics reports a
    violation, and there port consistency holds."""
    plan = tmp_path / "race.cd"
    plan.write_text(RACE % "")
    code, out, _ = run([str(plan), "--property", "port-consistency"], capsys)
    assert code == 0 and "✓ port-consistency  holds" in out
    assert "`port-consistency`: searched on the exact FIFO semantics" in out


def test_connected_provider_first_in_ltl_is_e037(capsys: pytest.CaptureFixture[str]) -> None:
    """The file syntax rejects a connection written provider first (E037); an
    --ltl `connected(provide, use)` used to be accepted and always false."""
    plan = str(Path(__file__).parents[1] / "models/openstack/update.cd")
    wrong = "F connected(facts_master.service, haproxy_master.facts_service)"
    code, out, err = run([plan, "--quiet", "--ltl", wrong], capsys)
    assert code == 2 and not out
    assert "error[E037]:" in err and "names a provide port first" in err
    assert "`connected(haproxy_master.facts_service, facts_master.service)`" in err
    right = "F connected(haproxy_master.facts_service, facts_master.service)"
    assert run([plan, "--quiet", "--ltl", right], capsys)[0] == 0
