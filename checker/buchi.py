"""LTL to transition-based generalized Büchi automata (TGBA), after Gastin and Oddoux.

Algorithm (Gastin & Oddoux, "Fast LTL to Büchi automata translation", CAV 2001,
the LTL2BA route), in three steps:

1. The formula is simplified (`ltl_rewrite.simplify`) and put over `X U R`
   only. Each temporal subformula is a state of a *very weak alternating
   automaton* (VWAA): its transitions are pairs (cube, set of states to be
   in next), computed by unfolding `a U b = b | (a & X(a U b))` and
   `a R b = b & (a | X(a R b))`. Within a state's transitions, a pair that
   needs more letters and more successor obligations than another is dropped.
   One departure from the paper: `G F x` (split off `G (a & F x)` too) stays a
   single state with two moves, wait or meet x now, and its own acceptance
   set (the edges meeting x). Unfolded, n such conjuncts (the shape of
   fairness premises) would make 2^n intermediate states; kept whole, one.
2. A TGBA state is a set of VWAA states (a conjunction of obligations). Its
   edges are the products of its members' transitions. An edge belongs to the
   acceptance set of an until-formula u (or of a `G F x`) when it does not
   postpone u: u is not among the next obligations, or the edge's letter
   already fulfils u through one of u's own non-looping transitions (for
   `G F x`: one meeting x). Dominated edges (fewer letters, more obligations,
   fewer acceptance marks than a sibling) are removed.
3. Reduction: states whose language is empty go; acceptance marks no
   accepting run depends on are normalised (cleared inside components that
   cannot accept, set on edges between components); an acceptance set implied
   by another (every edge of one carries the other) is dropped; states are
   merged by coarsest bisimulation (same guarded, marked edges into the same
   classes); edges with the same target and marks are joined into one small
   DNF guard.

Why this route and why transition-based generalized acceptance:

* The VWAA step is linear and the obligations-as-states construction makes
  `G F p` a single state with two edges, `F G p` and `G(p -> F q)` two states
  each; the pattern corpus stays at or below SPIN's never-claim sizes (see
  benchmarks/bench_ltl.py and tests/ltl/test_ltl_sizes.py).
* Acceptance on edges, one set per until-formula, is what the translation
  produces naturally; degeneralizing would multiply states by up to the number
  of sets. The Couvreur-style SCC emptiness check the checker uses handles
  several sets directly, so `degeneralize` exists only for a nested-DFS check
  and for counting state-based sizes against SPIN's.

The automaton is built ahead (formulas are small; building it whole is what
lets states be merged), and served through an on-the-fly style interface:
`initial_states()`, `successors(q)`, `enabled(q, valuation)`, `num_sets`, and
`matches(guard, valuation)`. The automaton type, degeneralization and lasso
acceptance live in `ltl_automaton` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

from . import ltl_ast as A
from .ltl_ast import Formula
from .ltl_automaton import (
    TRUE_CUBE,
    Buchi,
    Cube,
    Edge,
    Guard,
    Literal,
    StateBuchi,
    accepts,
    accepts_state_based,
    cube_text,
    degeneralize,
    guard_text,
    matches,
    sccs,
)
from .ltl_rewrite import nnf, simplify

__all__ = [
    "Buchi",
    "Cube",
    "Edge",
    "Guard",
    "Literal",
    "StateBuchi",
    "accepts",
    "accepts_state_based",
    "clear_caches",
    "cube_text",
    "degeneralize",
    "guard_text",
    "matches",
    "to_core",
    "translate",
]

# ---------------------------------------------------------------- step 1: VWAA

Obligations: TypeAlias = frozenset[Formula]
Transitions: TypeAlias = frozenset[tuple[Cube, Obligations]]


def to_core(f: Formula) -> Formula:
    """NNF over `X U R`, plus `G F x` kept whole (see `_is_recurrence`).

    F, W and M are unfolded into U and R; `G f` becomes `false R f`, except
    that the conjuncts `F x` of f are split off as `G F x`:
    `G (a & F x) = G a & G F x`.
    """
    if isinstance(f, A.TrueF | A.FalseF | A.Atom | A.Not):
        return f
    if isinstance(f, A.Next):
        return A.Next(to_core(f.arg))
    if isinstance(f, A.Finally):
        return A.Until(A.TRUE, to_core(f.arg))
    if isinstance(f, A.Globally):
        parts = _conjuncts(f.arg)
        out: list[Formula] = []
        rest: list[Formula] = []
        for p in parts:
            if isinstance(p, A.Finally):
                out.append(A.Globally(A.Finally(to_core(p.arg))))
            else:
                rest.append(p)
        if rest:
            out.insert(0, A.Release(A.FALSE, to_core(_join_and(rest))))
        return _join_and(out)
    assert not isinstance(f, A.Implies | A.Equiv | A.Xor), "to_core expects NNF"
    left, right = to_core(f.left), to_core(f.right)
    if isinstance(f, A.WeakUntil):  # a W b = b R (a | b)
        return A.Release(right, A.Or(left, right))
    if isinstance(f, A.StrongRelease):  # a M b = b U (a & b)
        return A.Until(right, A.And(left, right))
    return type(f)(left, right)


def _join_and(parts: Sequence[Formula]) -> Formula:
    result = parts[0]
    for p in parts[1:]:
        result = A.And(result, p)
    return result


def _conjuncts(f: Formula) -> list[Formula]:
    if isinstance(f, A.And):
        return _conjuncts(f.left) + _conjuncts(f.right)
    return [f]


def _is_recurrence(f: Formula) -> bool:
    """`G F x` in core form: a state that never leaves, accepting when x holds.

    Unfolded like any `false R (true U x)`, each pending `F x` would make a new
    TGBA state (2^n of them for n such conjuncts, merged again only at the
    end). Kept whole, its transitions are "wait" and "x now" (both staying in
    `G F x`), and its acceptance set holds the edges taking "x now"
    (`_recurrence_hits`): infinitely many such edges is `G F x`.
    """
    return isinstance(f, A.Globally) and isinstance(f.arg, A.Finally)


def _consistent(cube: Cube) -> bool:
    seen: dict[A.Atom, bool] = {}
    return all(seen.setdefault(atom, pol) == pol for atom, pol in cube)


def _prune(ts: Iterable[tuple[Cube, Obligations]]) -> Transitions:
    """Drop every transition needing more letters and more obligations than another."""
    items = sorted(set(ts), key=lambda t: (len(t[0]), len(t[1])))
    kept: list[tuple[Cube, Obligations]] = []
    for cube, nxt in items:
        if not any(c <= cube and n <= nxt for c, n in kept):
            kept.append((cube, nxt))
    return frozenset(kept)


def _product(x: Transitions, y: Transitions) -> Transitions:
    out = []
    for c1, n1 in x:
        for c2, n2 in y:
            cube = c1 | c2
            if _consistent(cube):
                out.append((cube, n1 | n2))
    return _prune(out)


_ONE: Transitions = frozenset({(TRUE_CUBE, frozenset())})


# Memoised across translations (subformulas recur); bounded so a long run cannot grow them.
@lru_cache(maxsize=1 << 16)
def _bar(f: Formula) -> frozenset[Obligations]:
    """f as a disjunction of conjunctions of VWAA states (minimal sets only)."""
    if isinstance(f, A.TrueF):
        return frozenset({frozenset()})
    if isinstance(f, A.FalseF):
        return frozenset()
    if isinstance(f, A.And):
        sets = {a | b for a in _bar(f.left) for b in _bar(f.right)}
    elif isinstance(f, A.Or):
        sets = set(_bar(f.left) | _bar(f.right))
    else:
        return frozenset({frozenset({f})})
    return frozenset(s for s in sets if not any(t < s for t in sets))


@lru_cache(maxsize=1 << 16)
def _delta(f: Formula) -> Transitions:
    """The VWAA transitions of f (for a state, or any subformula while unfolding)."""
    if isinstance(f, A.TrueF):
        return _ONE
    if isinstance(f, A.FalseF):
        return frozenset()
    if isinstance(f, A.Atom):
        return frozenset({(frozenset({(f, True)}), frozenset())})
    if isinstance(f, A.Not):
        assert isinstance(f.arg, A.Atom)
        return frozenset({(frozenset({(f.arg, False)}), frozenset())})
    if isinstance(f, A.And):
        return _product(_delta(f.left), _delta(f.right))
    if isinstance(f, A.Or):
        return _prune(_delta(f.left) | _delta(f.right))
    if isinstance(f, A.Next):
        return frozenset((TRUE_CUBE, s) for s in _bar(f.arg))
    loop: Transitions = frozenset({(TRUE_CUBE, frozenset({f}))})
    if isinstance(f, A.Until):
        return _prune(_delta(f.right) | _product(_delta(f.left), loop))
    if isinstance(f, A.Release):
        return _product(_delta(f.right), _prune(_delta(f.left) | loop))
    if _is_recurrence(f):
        # Not pruned: "x now" reads more than "wait" but is what acceptance counts.
        return loop | _recurrence_hits(f)
    raise AssertionError(f"not a core formula: {A.to_text(f)}")


@lru_cache(maxsize=1 << 16)
def _recurrence_hits(f: Formula) -> Transitions:
    """The transitions of `G F x` that meet x now (and stay in `G F x`)."""
    assert isinstance(f, A.Globally) and isinstance(f.arg, A.Finally)
    return _product(_delta(f.arg.arg), frozenset({(TRUE_CUBE, frozenset({f}))}))


# ---------------------------------------------------------------- step 2: generalized automaton


@dataclass(frozen=True)
class _RawEdge:
    cube: Cube
    target: Obligations
    marks: frozenset[int]


def _fulfils(u: Formula, cube: Cube, nxt: Obligations) -> bool:
    """Whether an edge reading `cube` into `nxt` does not postpone u (an until or `G F x`)."""
    if u not in nxt:
        return True
    if _is_recurrence(u):
        return any(c <= cube and n <= nxt for c, n in _recurrence_hits(u))
    return any(c <= cube and u not in n and n <= nxt for c, n in _delta(u))


def _exits(member: Formula, move: tuple[Cube, Obligations]) -> bool:
    """Whether a member's chosen transition settles its acceptance obligation now."""
    if isinstance(member, A.Until):
        return member not in move[1]
    return _is_recurrence(member) and move in _recurrence_hits(member)


def _edges_of(
    state: Obligations, untils: Sequence[Formula], index: Mapping[Formula, int]
) -> list[_RawEdge]:
    """The edges of a TGBA state: products of its members' transitions, then marks.

    The product is built member by member. A partial product is dropped as soon
    as another reads fewer letters into fewer obligations while every
    until-member it let exit, the other let exit too: whatever the remaining
    members add, the other's completion is at least as good (with marks that
    count an exit as fulfilment, which the final marks below include). Without
    this, `G (F a & F b & ...)` would enumerate every combination first.
    """
    partial: list[tuple[Cube, Obligations, frozenset[Formula]]] = [
        (TRUE_CUBE, frozenset(), frozenset())
    ]
    for member in sorted(state, key=A.to_text):
        step = []
        for c1, n1, e1 in partial:
            for c2, n2 in _delta(member):
                cube = c1 | c2
                if _consistent(cube):
                    exited = e1 | {member} if _exits(member, (c2, n2)) else e1
                    step.append((cube, n1 | n2, exited))
        partial = _prune_partial(step)
    raw = []
    for cube, nxt, _ in partial:
        marks = frozenset(index[u] for u in untils if _fulfils(u, cube, nxt))
        raw.append(_RawEdge(cube, nxt, marks))
    return _prune_edges(raw)


def _prune_partial(
    items: list[tuple[Cube, Obligations, frozenset[Formula]]],
) -> list[tuple[Cube, Obligations, frozenset[Formula]]]:
    ordered = sorted(set(items), key=lambda t: (len(t[0]), len(t[1]), -len(t[2])))
    kept: list[tuple[Cube, Obligations, frozenset[Formula]]] = []
    for cube, nxt, exited in ordered:
        if not any(c <= cube and n <= nxt and exited <= e for c, n, e in kept):
            kept.append((cube, nxt, exited))
    return kept


def _prune_edges(edges: list[_RawEdge]) -> list[_RawEdge]:
    """Drop an edge when a sibling reads fewer letters, into fewer obligations, with more marks."""
    ordered = sorted(set(edges), key=lambda e: (len(e.cube), len(e.target), -len(e.marks)))
    kept: list[_RawEdge] = []
    for e in ordered:
        if not any(k.cube <= e.cube and k.target <= e.target and e.marks <= k.marks for k in kept):
            kept.append(e)
    return kept


@dataclass
class _Graph:
    """The reachable part of the generalized automaton, before reduction."""

    states: list[Obligations]
    edges: list[list[tuple[Cube, int, frozenset[int]]]]
    initial: list[int]
    num_sets: int
    set_labels: list[str]


def _explore(core: Formula) -> _Graph:
    untils: list[Formula] = sorted(
        {g for g in A.subformulas(core) if isinstance(g, A.Until) or _is_recurrence(g)},
        key=A.to_text,
    )
    index: dict[Formula, int] = {u: i for i, u in enumerate(untils)}
    ids: dict[Obligations, int] = {}
    states: list[Obligations] = []
    edges: list[list[tuple[Cube, int, frozenset[int]]]] = []

    def intern(s: Obligations) -> int:
        if s not in ids:
            ids[s] = len(states)
            states.append(s)
            edges.append([])
        return ids[s]

    initial = [intern(s) for s in sorted(_bar(core), key=lambda s: sorted(map(A.to_text, s)))]
    todo = list(initial)
    done: set[int] = set()
    while todo:
        q = todo.pop()
        if q in done:
            continue
        done.add(q)
        for e in _edges_of(states[q], untils, index):
            t = intern(e.target)
            edges[q].append((e.cube, t, e.marks))
            if t not in done:
                todo.append(t)
    return _Graph(states, edges, initial, len(untils), [A.to_text(_sugar(u)) for u in untils])


# ---------------------------------------------------------------- step 3: reduction


def _drop_useless_sets(g: _Graph) -> None:
    """Remove acceptance sets implied by another one.

    A set that every edge carries never constrains a run (its until-formula
    never waits). More generally, when every edge of set j also carries set i,
    visiting j infinitely often visits i too, so i can go (of two sets on the
    same edges, the later one goes).
    """
    carriers = [
        frozenset(
            (q, k) for q, es in enumerate(g.edges) for k, (_, _, m) in enumerate(es) if i in m
        )
        for i in range(g.num_sets)
    ]
    every = frozenset((q, k) for q, es in enumerate(g.edges) for k in range(len(es)))
    used = []
    for i in range(g.num_sets):
        if carriers[i] == every:
            continue
        implied_by_other = any(
            carriers[j] < carriers[i] or (carriers[j] == carriers[i] and j < i)
            for j in range(g.num_sets)
            if j != i
        )
        if not implied_by_other:
            used.append(i)
    renum = {old: new for new, old in enumerate(used)}
    g.edges = [
        [(c, t, frozenset(renum[m] for m in marks if m in renum)) for c, t, marks in es]
        for es in g.edges
    ]
    g.num_sets = len(used)
    g.set_labels = [g.set_labels[i] for i in used]


def _trim(g: _Graph) -> None:
    """Remove states with an empty language and marks no accepting run can use.

    An accepting run ends inside one strongly connected component whose
    internal edges carry every acceptance set. States that reach no such
    component accept nothing: they go, with the edges into them. Marks on
    edges outside accepting components are seen finitely often by any run and
    are irrelevant: inside a non-accepting component they are cleared, and on
    an edge between components (taken at most once) every mark is set, which
    lets more states merge and edges prune, and keeps degeneralization small.
    """
    n = len(g.states)
    graph = {q: [(t, m) for _, t, m in g.edges[q]] for q in range(n)}
    everything = frozenset(range(g.num_sets))
    comp_of: dict[int, int] = {}
    accepting: set[int] = set()
    for i, comp in enumerate(sccs(graph)):
        marks: set[int] = set()
        internal = False
        for q in comp:
            comp_of[q] = i
            for t, m in graph[q]:
                if t in comp:
                    internal = True
                    marks |= m
        if internal and marks >= everything:
            accepting.add(i)
    live = {q for q in range(n) if comp_of[q] in accepting}
    changed = True
    while changed:
        changed = False
        for q in range(n):
            if q not in live and any(t in live for t, _ in graph[q]):
                live.add(q)
                changed = True

    def useful(q: int, t: int, m: frozenset[int]) -> frozenset[int]:
        if comp_of[t] != comp_of[q]:
            return everything  # taken once at most: any marks will do, all help most
        return m if comp_of[q] in accepting else frozenset()

    g.edges = [
        [(c, t, useful(q, t, m)) for c, t, m in g.edges[q] if t in live] if q in live else []
        for q in range(n)
    ]
    g.initial = [q for q in g.initial if q in live]


def _bisimulation(g: _Graph) -> list[int]:
    """Coarsest partition where equivalent states have the same (cube, class, marks) edges."""
    n = len(g.states)
    block = [0] * n
    count = 1
    while True:
        sigs: dict[tuple[int, frozenset[tuple[Cube, int, frozenset[int]]]], int] = {}
        new = []
        for q in range(n):
            sig = (block[q], frozenset((c, block[t], m) for c, t, m in g.edges[q]))
            new.append(sigs.setdefault(sig, len(sigs)))
        if len(sigs) == count:
            return new
        block, count = new, len(sigs)


def _simplify_dnf(cubes: Iterable[Cube]) -> Guard:
    """Remove subsumed cubes and join pairs that differ in one literal's sign, to a fixpoint."""
    current = set(cubes)
    changed = True
    while changed:
        changed = False
        minimal = {c for c in current if not any(d < c for d in current)}
        if minimal != current:
            current, changed = minimal, True
        for c in sorted(current, key=len):
            for atom, pol in c:
                partner = (c - {(atom, pol)}) | {(atom, not pol)}
                if partner in current:
                    current = (current - {c, partner}) | {c - {(atom, pol)}}
                    changed = True
                    break
            if changed:
                break
    return tuple(sorted(current, key=lambda c: (len(c), cube_text(c))))


def _label(state: Obligations) -> str:
    if not state:
        return "true"
    return " & ".join(sorted(A.to_text(_sugar(f)) for f in state))


def _sugar(f: Formula) -> Formula:
    """`true U x` back to `F x` and `false R x` to `G x`, for readable state names."""
    if isinstance(f, A.Until) and isinstance(f.left, A.TrueF):
        return A.Finally(_sugar(f.right))
    if isinstance(f, A.Release) and isinstance(f.left, A.FalseF):
        return A.Globally(_sugar(f.right))
    if isinstance(f, A.Not | A.Next | A.Finally | A.Globally):
        return type(f)(_sugar(f.arg))
    if isinstance(f, A.TrueF | A.FalseF | A.Atom):
        return f
    return type(f)(_sugar(f.left), _sugar(f.right))


def _finish(formula: Formula, g: _Graph) -> Buchi:
    _drop_useless_sets(g)
    _trim(g)
    _drop_useless_sets(g)
    block = _bisimulation(g)
    # Number the classes in discovery order from the initial states (stable output).
    order: dict[int, int] = {}
    reps: dict[int, int] = {}
    todo = list(g.initial)
    while todo:
        q = todo.pop(0)
        b = block[q]
        if b in order:
            continue
        order[b] = len(order)
        reps[b] = q
        todo.extend(t for _, t, _ in g.edges[q])
    edges: list[tuple[Edge, ...]] = []
    labels: list[str] = []
    for b, _ in sorted(order.items(), key=lambda kv: kv[1]):
        q = reps[b]
        members = [_label(g.states[p]) for p in range(len(g.states)) if block[p] == b]
        labels.append(" ~ ".join(sorted(set(members))))
        raw = sorted(
            {(c, order[block[t]], m) for c, t, m in g.edges[q]},
            key=lambda e: (e[1], sorted(e[2]), cube_text(e[0])),
        )
        # An edge is redundant beside one to the same class with fewer letters and more marks.
        kept = [
            e
            for e in raw
            if not any(o != e and o[1] == e[1] and o[0] <= e[0] and e[2] <= o[2] for o in raw)
        ]
        grouped: dict[tuple[int, frozenset[int]], list[Cube]] = {}
        for c, t, m in kept:
            grouped.setdefault((t, m), []).append(c)
        edges.append(
            tuple(
                Edge(_simplify_dnf(cs), t, m)
                for (t, m), cs in sorted(
                    grouped.items(), key=lambda kv: (kv[0][0], sorted(kv[0][1]))
                )
            )
        )
    initial = tuple(sorted({order[block[q]] for q in g.initial}))
    return Buchi(
        formula=formula,
        initial=initial,
        edges=tuple(edges),
        num_sets=g.num_sets,
        labels=tuple(labels),
        set_labels=tuple(g.set_labels),
        atoms=A.atoms(formula),
    )


def clear_caches() -> None:
    """Forget memoised VWAA transitions (for timing a translation from scratch)."""
    _bar.cache_clear()
    _delta.cache_clear()
    _recurrence_hits.cache_clear()


def translate(f: Formula, *, simplified: bool = True) -> Buchi:
    """The TGBA accepting exactly the words that satisfy f.

    To look for violations, translate the negation: `translate(Not(f))`.
    `simplified=False` skips the rewriting step (for tests of the construction itself).
    """
    prepared = simplify(f) if simplified else nnf(f)
    return _finish(f, _explore(to_core(prepared)))
