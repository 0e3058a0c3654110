"""The parametric families: canonical, self-contained, and faithful to MODELS.md.

The sizes asserted here are the growth laws of MODELS.md (§1.2, §3), and the
OpenStack update's instruction count is the planner's own metric, so a
generator that drops or duplicates a connection or an instruction fails.
"""

from __future__ import annotations

import os

import pytest

from cdcheck.checker.cli import main
from cdcheck.lang import ast as A
from cdcheck.lang.check import check_plan
from cdcheck.lang.families import FAMILIES, build, generate
from cdcheck.lang.loader import Loader
from cdcheck.lang.parser import parse_source
from cdcheck.lang.printer import format_file

SIZES = (1, 2, 3)


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.parametrize("n", SIZES)
def test_family_round_trips_and_checks(name: str, n: int) -> None:
    text = generate(name, n)
    parsed = parse_source(text, f"{name}-{n}.cd")
    assert parsed == build(name, n, f"{name}-{n}.cd")
    assert format_file(parsed) == text
    assert not parsed.includes, "a family's plan must be self-contained"
    plan = Loader().load_text(text, f"{name}-{n}.cd")
    diagnostics = check_plan(plan)
    # cps-update keeps the Maude generator's cache entries for local questions (W107)
    allowed = {"W107"} if name == "cps-update" else set()
    assert [d.message for d in diagnostics if d.code not in allowed] == []


def _sizes(source: A.SourceFile) -> tuple[int, int, int, int]:
    conns = {(str(c.user), str(c.provider)) for node in source.nodes for c in node.connections}
    conns |= {
        (str(i.connection.user), str(i.connection.provider))
        for node in source.nodes
        for i in node.program
        if isinstance(i, A.Con)
    }
    return (
        len(source.nodes),
        sum(len(node.hosts) for node in source.nodes),
        len(conns),
        sum(len(node.program) for node in source.nodes),
    )


@pytest.mark.parametrize("n", SIZES)
def test_cps_update_growth(n: int) -> None:
    assert _sizes(build("cps-update", n)) == (2 + n, 2 + 2 * n, 1 + 3 * n, 5 * n)


@pytest.mark.parametrize("n", SIZES)
def test_cps_deploy_growth(n: int) -> None:
    # node1: 3 instructions, node2: 3 + 5n, each sensor node: 4 (MODELS.md §1.3)
    assert _sizes(build("cps-deploy", n)) == (2 + n, 2 + 2 * n, 1 + 3 * n, 3 + 3 + 5 * n + 4 * n)


@pytest.mark.parametrize("name", ["openstack-deploy", "openstack-update", "openstack-update-fixed"])
@pytest.mark.parametrize("n", SIZES)
def test_openstack_assembly_size(name: str, n: int) -> None:
    nodes, instances, connections, _ = _sizes(build(name, n))
    assert (nodes, instances, connections) == (1 + 3 * n, 7 + 11 * n, 7 + 15 * n)


@pytest.mark.parametrize(("n", "expected"), [(1, 23), (2, 43)])
def test_openstack_planner_update_keeps_every_instruction(n: int, expected: int) -> None:
    """The planner's metric (MODELS.md §3): 23/43 instructions for 1/2 sites."""
    assert _sizes(build("openstack-update", n))[3] == expected


def test_cps_deploy_never_pushes_a_missing_behavior() -> None:
    """The model maker pushes `deploy` on sensors, which the Sensor type lacks."""
    source = build("cps-deploy", 2)
    behaviors = {t.name.text: {b.name.text for b in t.behaviors} for t in source.types}
    types_of = {
        i.instance.text: i.type.text
        for node in source.nodes
        for i in node.program
        if isinstance(i, A.Add)
    }
    for node in source.nodes:
        for i in node.program:
            if isinstance(i, A.PushB):
                assert i.behavior.text in behaviors[types_of[i.instance.text]]


def _as_sets(node: A.NodeDecl) -> A.NodeDecl:
    """A node with its set-valued fields in a fixed order (Maude keeps them as sets)."""
    return A.NodeDecl(
        node.name,
        node.hosts,
        node.starts,
        node.queues,
        tuple(sorted(node.connections, key=str)),
        tuple(sorted(node.cache, key=repr)),
        node.program,
    )


def test_cps_update_1_is_the_conformance_model() -> None:
    """`cdcheck family cps-update 1` = models/cps/update.cd after include resolution.

    Connections and cache entries are sets in Maude (and in update.cd they are
    listed in the order Maude printed them), so they are compared as sets;
    everything else, programs included, must be identical.
    """
    shipped = Loader().load(
        os.path.join(os.path.dirname(__file__), "..", "models", "cps", "update.cd")
    )
    generated = Loader().load_text(generate("cps-update", 1), "<family>")
    assert generated.types == shipped.types
    assert [_as_sets(n) for n in generated.nodes] == [_as_sets(n) for n in shipped.nodes]
    assert generated.properties == shipped.properties


def test_cli_family_prints_the_generated_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["family", "openstack-deploy", "2"]) == 0
    assert capsys.readouterr().out == generate("openstack-deploy", 2)


def test_unknown_family_and_bad_size_are_refused() -> None:
    with pytest.raises(KeyError):
        build("no-such-family", 1)
    with pytest.raises(ValueError):
        build("cps-update", 0)
    assert main(["family", "no-such-family", "1"]) == 2
    assert main(["family", "cps-update", "0"]) == 2


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_no_con_can_block_forever(name: str) -> None:
    """ConnectPorts needs an endpoint already added on the node and the use port not yet
    connected there; a `con` that breaks either blocks its node's program forever."""
    for node in build(name, 2).nodes:
        present = {s.instance.text for s in node.starts}
        used = {(str(c.user.instance), str(c.user.port)) for c in node.connections}
        for i in node.program:
            if isinstance(i, A.Add):
                present.add(i.instance.text)
            if isinstance(i, A.Con):
                c = i.connection
                assert {c.user.instance.text, c.provider.instance.text} & present, (node.name, c)
                assert (c.user.instance.text, c.user.port.text) not in used, (node.name, c)
                used.add((c.user.instance.text, c.user.port.text))
