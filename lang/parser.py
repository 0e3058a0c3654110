"""Text to AST for one `.cd` file.

The grammar is LALR (fast enough for plans of thousands of lines). Keywords are
reserved only where they can start or continue a statement: a behavior or a
transition may be called `start`, `running` or `wait`. Lark's lexer types such
a word as a keyword wherever it is spelled like one, so `parse_source` feeds
tokens one by one and turns a keyword back into a name when the parser could
not take it as a keyword at that point.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError
from lark.parsers.lalr_analysis import Shift

from . import ast as A
from .diagnostics import Diagnostic, PlanError

MAX_NUMBER = 2**63 - 1
"""The largest number the language accepts (a cost); see docs/language.md."""
_MAX_DIGITS = str(MAX_NUMBER)

_TERMINAL_NAMES = {
    "NAME": "a name",
    "STRING": 'a quoted path ("types.cd")',
    "INT": "a number",
    "BOOL": "`true` or `false`",
    "FORMULA": "an LTL formula",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "COLON": "`:`",
    "COMMA": "`,`",
    "DOT": "`.`",
    "EQUAL": "`=`",
    "AT": "`@`",
    "QUERY_PORT": "`isActive` or `isRefusing`",
    "QUERY_CONN": "`isConnected` or `onDisconnect`",
    "$END": "end of file",
}


@cache
def _parser() -> tuple[Lark, frozenset[str]]:
    grammar = resources.files(__package__).joinpath("grammar.lark").read_text()
    lark = Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True)
    keywords = frozenset(
        t.name
        for t in lark.terminals
        if t.pattern.type == "str" and str(t.pattern.value).isidentifier()
    )
    return lark, keywords


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    lark, _ = _parser()
    for t in lark.terminals:
        if t.name == name and t.pattern.type == "str":
            return f"`{t.pattern.value}`"
    return name.lower()


def _token_span(path: str, tok: Token) -> A.Span:
    line = tok.line or 1
    col = tok.column or 1
    return A.Span(path, line, col, tok.end_line or line, tok.end_column or col + 1)


def parse_source(text: str, path: str) -> A.SourceFile:
    """Parse one file's text; raise PlanError with a located message if it is not valid."""
    lark, keywords = _parser()
    interactive = lark.parse_interactive(text)
    state = interactive.parser_state
    table = state.parse_conf.parse_table.states
    try:
        for tok in interactive.lexer_thread.lex(state):  # type: ignore[no-untyped-call]
            if (
                tok.type in keywords
                and "NAME" in table[state.position]
                and not _would_shift(table, state.state_stack, tok.type)
            ):
                tok = Token.new_borrow_pos("NAME", tok.value, tok)
            interactive.feed_token(tok)
        tree = interactive.feed_eof()  # type: ignore[no-untyped-call]
    except UnexpectedInput as exc:
        raise PlanError([_syntax_diagnostic(exc, path, text)]) from None
    try:
        result = _ToAst(path).transform(tree)
    except VisitError as exc:  # a transformer bug surfaced as bad input, never a traceback
        orig = exc.orig_exc
        if isinstance(orig, PlanError):
            raise orig from None
        raise
    assert isinstance(result, A.SourceFile)
    return result


def _would_shift(table: Any, state_stack: list[int], token_type: str) -> bool:
    """Whether the parser, in this configuration, would eventually shift the token.

    Runs the LALR automaton on a copy of the state stack alone (reductions pop
    states and follow the goto), without building any tree: linear in the
    stack depth, where copying the whole parser state was linear in the file.
    """
    stack = list(state_stack)
    while True:
        action = table[stack[-1]].get(token_type)
        if action is None:
            return False
        kind, arg = action
        if kind is Shift:
            return True
        size = len(arg.expansion)
        if size:
            del stack[-size:]
        stack.append(table[stack[-1]][arg.origin.name][1])


def _syntax_diagnostic(exc: UnexpectedInput, path: str, text: str) -> Diagnostic:
    line = max(1, exc.line)
    col = max(1, exc.column)
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        char = text[pos] if pos < len(text) else ""
        return Diagnostic(
            "error",
            "E001",
            f"unexpected character {char!r}",
            A.Span(path, line, col, line, col + 1),
            hint=_expected_hint(exc.allowed or set()),
        )
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "FORMULA":  # the lexer's catch-all: report the first character
            char = str(tok.value)[:1]
            return Diagnostic(
                "error",
                "E001",
                f"unexpected character {char!r}",
                A.Span(path, line, col, line, col + 1),
                hint=_expected_hint(exc.expected or set()),
            )
        if tok.type == "$END":
            lines = text.splitlines() or [""]
            line, col = len(lines), len(lines[-1]) + 1
            found = "end of file"
            span = A.Span(path, line, col, line, col + 1)
        else:
            found = f"`{tok.value}`"
            span = _token_span(path, tok)
        return Diagnostic(
            "error",
            "E002",
            f"unexpected {found}",
            span,
            hint=_expected_hint(exc.expected or set()),
        )
    return Diagnostic("error", "E002", "syntax error", A.Span(path, line, col, line, col + 1))


def _expected_hint(expected: set[str]) -> str | None:
    names = sorted({_describe_terminal(e) for e in expected if not e.startswith("__")})
    if not names:
        return None
    if len(names) > 8:
        names = [*names[:8], "..."]
    return "expected " + ", ".join(names)


def _meta_span(path: str, meta: Any) -> A.Span:
    if getattr(meta, "empty", True):
        return A.NO_SPAN
    return A.Span(path, meta.line, meta.column, meta.end_line, meta.end_column)


@v_args(meta=True)
class _ToAst(Transformer[Token, Any]):
    """Builds the frozen AST; every node gets the span of its text."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def _span(self, meta: Any) -> A.Span:
        return _meta_span(self.path, meta)

    def _ident(self, tok: Token) -> A.Ident:
        return A.Ident(str(tok), _token_span(self.path, tok))

    # ------------------------------------------------------------------ helpers
    def name_list(self, meta: Any, items: list[Token]) -> tuple[A.Ident, ...]:
        return tuple(self._ident(t) for t in items)

    def port_ref(self, meta: Any, items: list[Token]) -> A.PortRef:
        return A.PortRef(self._ident(items[0]), self._ident(items[1]), self._span(meta))

    def connection(self, meta: Any, items: list[A.PortRef]) -> A.Connection:
        return A.Connection(items[0], items[1], self._span(meta))

    # ------------------------------------------------------------------ types
    def places(self, meta: Any, items: list[Any]) -> tuple[str, Any]:
        return ("places", items[0])

    def initial(self, meta: Any, items: list[Token]) -> tuple[str, Any]:
        return ("initial", self._ident(items[0]))

    def running(self, meta: Any, items: list[Token]) -> tuple[str, Any]:
        return ("running", self._ident(items[0]))

    def station(self, meta: Any, items: list[Token]) -> tuple[str, Any]:
        return (
            "station",
            A.Station(self._ident(items[0]), self._ident(items[1]), self._span(meta)),
        )

    def cost(self, meta: Any, items: list[Token]) -> int:
        return self._number(items[0])

    def _number(self, tok: Token) -> int:
        """A number of the language: 0 to MAX_NUMBER, checked on the digits
        before any conversion (Python refuses to convert more than 4,300)."""
        digits = str(tok).lstrip("0") or "0"
        if len(digits) > len(_MAX_DIGITS) or (
            len(digits) == len(_MAX_DIGITS) and digits > _MAX_DIGITS
        ):
            shown = digits if len(digits) <= 24 else f"{digits[:12]}...({len(digits):,} digits)"
            raise PlanError(
                [
                    Diagnostic(
                        "error",
                        "E007",
                        f"number {shown} is out of range",
                        _token_span(self.path, tok),
                        hint=f"numbers are 0 to 2^63-1 ({MAX_NUMBER:,})",
                    )
                ]
            )
        return int(digits)

    def transition_def(self, meta: Any, items: list[Any]) -> A.TransitionDef:
        cost = items[3] if len(items) > 3 else None
        return A.TransitionDef(
            self._ident(items[0]), self._ident(items[1]), items[2], cost, self._span(meta)
        )

    def transition_ref(self, meta: Any, items: list[Token]) -> A.TransitionRef:
        return A.TransitionRef(self._ident(items[0]), self._span(meta))

    def behavior(self, meta: Any, items: list[Any]) -> tuple[str, Any]:
        return (
            "behavior",
            A.Behavior(self._ident(items[0]), tuple(items[1:]), self._span(meta)),
        )

    def use_port(self, meta: Any, items: list[Any]) -> tuple[str, Any]:
        return ("port", A.Port("use", self._ident(items[0]), items[1], self._span(meta)))

    def provide_port(self, meta: Any, items: list[Any]) -> tuple[str, Any]:
        return ("port", A.Port("provide", self._ident(items[0]), items[1], self._span(meta)))

    def type_decl(self, meta: Any, items: list[Any]) -> A.ComponentType:
        name = self._ident(items[0])
        places: list[A.Ident] = []
        initial: A.Ident | None = None
        running: A.Ident | None = None
        stations: list[A.Station] = []
        behaviors: list[A.Behavior] = []
        ports: list[A.Port] = []
        for kind, value in items[1:]:
            if kind == "places":
                places.extend(value)
            elif kind == "initial":
                initial = value if initial is None else _duplicate("initial", value)
            elif kind == "running":
                running = value if running is None else _duplicate("running", value)
            elif kind == "station":
                stations.append(value)
            elif kind == "behavior":
                behaviors.append(value)
            else:
                ports.append(value)
        return A.ComponentType(
            name,
            tuple(places),
            initial,
            running,
            tuple(stations),
            tuple(behaviors),
            tuple(ports),
            self._span(meta),
        )

    # ------------------------------------------------------------------ nodes
    def hosts(self, meta: Any, items: list[Any]) -> tuple[str, Any]:
        return ("hosts", tuple(items[0]))

    def start_instance(self, meta: Any, items: list[Any]) -> tuple[str, Any]:
        return (
            "start",
            A.StartInstance(
                self._ident(items[0]), self._ident(items[1]), items[2], self._span(meta)
            ),
        )

    def push(self, meta: Any, items: list[Token]) -> A.Push:
        return A.Push(self._ident(items[0]), self._ident(items[1]), self._span(meta))

    def queue(self, meta: Any, items: list[Any]) -> tuple[str, Any]:
        return (
            "queue",
            A.InitialQueue(self._ident(items[0]), tuple(items[1:]), self._span(meta)),
        )

    def connected(self, meta: Any, items: list[Any]) -> tuple[str, Any]:
        return ("connected", items[0])

    def dst(self, meta: Any, items: list[Token]) -> A.Ident:
        return self._ident(items[0])

    def query(self, meta: Any, items: list[Any]) -> A.Query:
        span = self._span(meta)
        dst = items[-1] if isinstance(items[-1], A.Ident) else None
        head = items[0]
        if isinstance(head, Token) and head.type == "QUERY_PORT":
            return A.Query(str(head), port=items[1], dst=dst, span=span)  # type: ignore[arg-type]
        if isinstance(head, Token) and head.type == "QUERY_CONN":
            return A.Query(str(head), connection=items[1], dst=dst, span=span)  # type: ignore[arg-type]
        return A.Query(
            "isCompleted",
            instance=self._ident(items[0]),
            push_id=self._ident(items[1]),
            dst=dst,
            span=span,
        )

    def cache(self, meta: Any, items: list[Any]) -> tuple[str, Any]:
        return ("cache", A.CacheEntry(items[0], str(items[1]) == "true", self._span(meta)))

    def add(self, meta: Any, items: list[Token]) -> A.Add:
        return A.Add(self._ident(items[0]), self._ident(items[1]), self._span(meta))

    def del_(self, meta: Any, items: list[Token]) -> A.Del:
        return A.Del(self._ident(items[0]), self._span(meta))

    def con(self, meta: Any, items: list[Any]) -> A.Con:
        return A.Con(items[0], self._span(meta))

    def dcon(self, meta: Any, items: list[Any]) -> A.Dcon:
        return A.Dcon(items[0], self._span(meta))

    def push_b(self, meta: Any, items: list[Token]) -> A.PushB:
        return A.PushB(
            self._ident(items[0]), self._ident(items[1]), self._ident(items[2]), self._span(meta)
        )

    def wait(self, meta: Any, items: list[Token]) -> A.Wait:
        return A.Wait(self._ident(items[0]), self._ident(items[1]), self._span(meta))

    def program(self, meta: Any, items: list[Any]) -> tuple[str, Any]:
        return ("program", tuple(items))

    def node_decl(self, meta: Any, items: list[Any]) -> A.NodeDecl:
        name = self._ident(items[0])
        groups: dict[str, list[Any]] = {
            "hosts": [],
            "start": [],
            "queue": [],
            "connected": [],
            "cache": [],
            "program": [],
        }
        for kind, value in items[1:]:
            if kind in ("program", "hosts"):
                groups[kind].extend(value)
            else:
                groups[kind].append(value)
        return A.NodeDecl(
            name,
            tuple(groups["hosts"]),
            tuple(groups["start"]),
            tuple(groups["queue"]),
            tuple(groups["connected"]),
            tuple(groups["cache"]),
            tuple(groups["program"]),
            self._span(meta),
        )

    # ------------------------------------------------------------------ goals
    def goal_who(self, meta: Any, items: list[Token]) -> A.Ident | None:
        return self._ident(items[0]) if items else None  # no name: `forall`

    def goal_port_who(self, meta: Any, items: list[Any]) -> A.PortRef | None:
        return items[0] if items else None

    def goal_behavior(self, meta: Any, items: list[Any]) -> A.BehaviorGoal:
        return A.BehaviorGoal(items[0], self._ident(items[1]), self._span(meta))

    def goal_component(self, meta: Any, items: list[Any]) -> A.ComponentGoal:
        return A.ComponentGoal(items[0], self._ident(items[1]), self._span(meta))

    def goal_port(self, meta: Any, items: list[Any]) -> A.PortGoal:
        return A.PortGoal(items[0], self._ident(items[1]), self._span(meta))

    def goal_decl(self, meta: Any, items: list[Any]) -> A.GoalBlock:
        return A.GoalBlock(tuple(items), self._span(meta))

    # ------------------------------------------------------------------ files
    def include(self, meta: Any, items: list[Token]) -> A.Include:
        return A.Include(str(items[0])[1:-1], self._span(meta))

    def property(self, meta: Any, items: list[Token]) -> A.Property:
        formula_tok = items[1]
        raw = str(formula_tok)
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        line = formula_tok.line or 1
        col = (formula_tok.column or 1) + lead
        fspan = A.Span(self.path, line, col, line, col + len(stripped))
        return A.Property(self._ident(items[0]), stripped, fspan, self._span(meta))

    def start(self, meta: Any, items: list[Any]) -> A.SourceFile:
        return A.SourceFile(
            self.path,
            tuple(i for i in items if isinstance(i, A.Include)),
            tuple(i for i in items if isinstance(i, A.ComponentType)),
            tuple(i for i in items if isinstance(i, A.NodeDecl)),
            tuple(i for i in items if isinstance(i, A.Property)),
            tuple(i for i in items if isinstance(i, A.GoalBlock)),
        )

    def __default__(self, data: Any, children: Any, meta: Any) -> Any:
        if data == "del":
            return self.del_(meta, children)
        return Tree(data, children, meta)


def _duplicate(what: str, ident: A.Ident) -> A.Ident:
    raise PlanError(
        [
            Diagnostic(
                "error",
                "E013",
                f"`{what}` is given twice in this type",
                ident.span,
                hint=f"keep one `{what}` line",
            )
        ]
    )


def comments(text: str) -> list[A.Comment]:
    """The comments of a file that parses, in order, for the formatter."""
    lark, _ = _parser()
    lines = text.splitlines()
    found = []
    for tok in lark.lex(text, dont_ignore=True):
        if tok.type != "COMMENT":
            continue
        line = tok.line or 1
        before = lines[line - 1][: (tok.column or 1) - 1] if line <= len(lines) else ""
        blank_after = line < len(lines) and not lines[line].strip()
        found.append(A.Comment(line, str(tok).rstrip(), bool(before.strip()), blank_after))
    return found
