"""Property tests of the front end.

1. Random ASTs (syntactically valid, names drawn partly from the language's own
   keywords to exercise the contextual keyword handling) print to text that
   parses back to an equal AST.
2. Random byte mutations of real plans end in a model or in the project's own
   PlanError, never in any other exception.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdcheck.lang import ast as A
from cdcheck.lang.check import check_plan
from cdcheck.lang.diagnostics import PlanError
from cdcheck.lang.loader import Loader
from cdcheck.lang.parser import parse_source
from cdcheck.lang.printer import format_file

KEYWORDS = [
    "type", "places", "initial", "running", "station", "of", "behavior", "use", "provide",
    "on", "node", "hosts", "start", "queue", "as", "connected", "cache", "program", "add",
    "del", "con", "dcon", "pushB", "wait", "property", "include", "at", "goal", "component",
    "port", "forall",
]  # fmt: skip
# `cost` is the one word that cannot name a transition (it may follow one).

names = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True),
    st.sampled_from(KEYWORDS),
).filter(lambda s: s not in ("true", "false", "cost"))
idents = names.map(A.Ident)
ident_tuples = st.lists(idents, min_size=1, max_size=3).map(tuple)


@st.composite
def transition_defs(draw: st.DrawFn) -> A.TransitionDef:
    cost = draw(st.none() | st.integers(0, 99))
    return A.TransitionDef(draw(idents), draw(idents), draw(ident_tuples), cost)


behavior_items = st.one_of(transition_defs(), idents.map(A.TransitionRef))


@st.composite
def component_types(draw: st.DrawFn) -> A.ComponentType:
    return A.ComponentType(
        draw(idents),
        draw(ident_tuples),
        draw(st.none() | idents),
        draw(st.none() | idents),
        tuple(draw(st.lists(st.builds(A.Station, idents, idents), max_size=2))),
        tuple(
            draw(
                st.lists(
                    st.builds(A.Behavior, idents, st.lists(behavior_items, max_size=3).map(tuple)),
                    max_size=3,
                )
            )
        ),
        tuple(
            draw(
                st.lists(
                    st.builds(A.Port, st.sampled_from(["use", "provide"]), idents, ident_tuples),
                    max_size=3,
                )
            )
        ),
    )


port_refs = st.builds(A.PortRef, idents, idents)
connections = st.builds(A.Connection, port_refs, port_refs)
dsts = st.none() | idents
queries = st.one_of(
    st.builds(A.Query, st.sampled_from(["isActive", "isRefusing"]), port=port_refs, dst=dsts),
    st.builds(
        A.Query,
        st.sampled_from(["isConnected", "onDisconnect"]),
        connection=connections,
        dst=dsts,
    ),
    st.builds(A.Query, st.just("isCompleted"), instance=idents, push_id=idents, dst=dsts),
)
instructions = st.one_of(
    st.builds(A.Add, idents, idents),
    st.builds(A.Del, idents),
    st.builds(A.Con, connections),
    st.builds(A.Dcon, connections),
    st.builds(A.PushB, idents, idents, idents),
    st.builds(A.Wait, idents, idents),
)


def small(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[tuple[object, ...]]:
    return st.lists(strategy, max_size=3).map(tuple)


nodes = st.builds(
    A.NodeDecl,
    idents,
    st.lists(idents, max_size=3).map(tuple),
    small(st.builds(A.StartInstance, idents, idents, ident_tuples)),
    small(
        st.builds(
            A.InitialQueue,
            idents,
            st.lists(st.builds(A.Push, idents, idents), min_size=1, max_size=2).map(tuple),
        )
    ),
    small(connections),
    small(st.builds(A.CacheEntry, queries, st.booleans())),
    st.lists(instructions, max_size=5).map(tuple),
)
formulas = st.from_regex(r"[A-Za-z0-9_()!&|<>=\-\[\], ]{0,30}", fullmatch=True).map(str.strip)
properties = st.builds(A.Property, idents, formulas.filter(bool))
includes = st.builds(A.Include, st.from_regex(r"[a-z/._-]{1,12}", fullmatch=True))

goal_idents = idents.filter(lambda i: i.text != "forall")  # `forall` there means every one
goal_items = st.one_of(
    st.builds(A.BehaviorGoal, st.none() | goal_idents, idents),
    st.builds(A.ComponentGoal, st.none() | goal_idents, idents),
    st.builds(A.PortGoal, st.none() | st.builds(A.PortRef, goal_idents, idents), idents),
)
goal_blocks = st.builds(A.GoalBlock, st.lists(goal_items, max_size=4).map(tuple))


@st.composite
def source_files(draw: st.DrawFn) -> A.SourceFile:
    return A.SourceFile(
        "random.cd",
        tuple(draw(st.lists(includes, max_size=2))),
        tuple(draw(st.lists(component_types(), max_size=3))),
        tuple(draw(st.lists(nodes, max_size=3))),
        tuple(draw(st.lists(properties, max_size=3))),
        tuple(draw(st.lists(goal_blocks, max_size=2))),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source_files())
def test_print_then_parse_is_identity(tree: A.SourceFile) -> None:
    text = format_file(tree)
    assert parse_source(text, "random.cd") == tree
    # and the canonical text is a fixed point
    assert format_file(parse_source(text, "random.cd")) == text


MODELS = Path(__file__).parent.parent / "models"
SEEDS = [p for p in sorted(MODELS.rglob("*.cd")) if p.stat().st_size < 20_000][:12]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(SEEDS))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "dup"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "delete" and data:
            del data[pos : pos + draw(st.integers(1, 20))]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        else:
            start = draw(st.integers(0, max(0, len(data) - 1)))
            data[pos:pos] = data[start : start + draw(st.integers(1, 40))]
    return str(path), bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_give_a_model_or_a_diagnostic(case: tuple[str, bytes]) -> None:
    path, data = case
    loader = Loader()
    try:
        text = loader.decode(data, path)
        plan = loader.load_text(text, path)
        check_plan(plan)
    except PlanError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert d.span.line >= 1 and d.span.col >= 1
