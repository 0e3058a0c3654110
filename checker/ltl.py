"""The LTL layer the checker uses: parse, inspect, normalise, evaluate.

One import for callers; the work is split by job:

* `ltl_ast`: formula values, Spot-syntax printer, queries (`atoms`,
  `has_next`, `is_invariant`, ...);
* `ltl_parse`: the parser (Spot's operators and priorities, generic atoms);
* `ltl_errors`: `LtlError` and its rendering with a caret (and file:line:col);
* `ltl_rewrite`: negation normal form and simplifications;
* `ltl_eval`: the direct evaluator on lasso words (the test oracle).

The Büchi translation is in `buchi` (automaton type and operations in
`ltl_automaton`). Nothing here knows Concerto-D: atoms are
`name(args) = value` shapes that a model-specific layer resolves.
"""

from __future__ import annotations

from .ltl_ast import (
    FALSE,
    TRUE,
    And,
    Atom,
    Equiv,
    FalseF,
    Finally,
    Formula,
    Globally,
    Implies,
    Next,
    Not,
    Or,
    Release,
    StrongRelease,
    TrueF,
    Until,
    WeakUntil,
    Xor,
    atoms,
    has_next,
    invariant_predicate,
    is_invariant,
    is_propositional,
    size,
    subformulas,
    to_text,
)
from .ltl_eval import LassoWord, Valuation, evaluate
from .ltl_parse import LtlError, SourceOffset, parse, render_error, tokenize
from .ltl_rewrite import invariant_of, is_eventual, is_nnf, is_universal, nnf, simplify

__all__ = [
    "FALSE",
    "TRUE",
    "And",
    "Atom",
    "Equiv",
    "FalseF",
    "Finally",
    "Formula",
    "Globally",
    "Implies",
    "LassoWord",
    "LtlError",
    "Next",
    "Not",
    "Or",
    "Release",
    "SourceOffset",
    "StrongRelease",
    "TrueF",
    "Until",
    "Valuation",
    "WeakUntil",
    "Xor",
    "atoms",
    "evaluate",
    "has_next",
    "invariant_of",
    "invariant_predicate",
    "is_eventual",
    "is_invariant",
    "is_nnf",
    "is_propositional",
    "is_universal",
    "nnf",
    "parse",
    "render_error",
    "simplify",
    "size",
    "subformulas",
    "to_text",
    "tokenize",
]
