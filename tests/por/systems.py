"""Small hand-written systems offering the `Reducible` seam of checker/por.py.

Guarded-command programs: a state is a tuple of small ints (one per
variable); a command has a guard (variable == value conjuncts) and an
assignment of constants. Its footprint is exact by construction (reads: the
guard's variables and its targets; writes: its targets), and its enabling keys
are the variables of the first false conjunct, so these systems test the
generic reduction apart from any Concerto-D footprint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

State = tuple[int, ...]


@dataclass(frozen=True)
class Footprint:
    reads: frozenset[int]
    writes: frozenset[int]


@dataclass(frozen=True)
class Command:
    name: str
    guard: tuple[tuple[int, int], ...]
    """(variable, required value) conjuncts."""
    assign: tuple[tuple[int, int], ...]
    """(variable, new value) pairs."""

    def enabled(self, s: State) -> bool:
        return all(s[v] == c for v, c in self.guard)

    def fire(self, s: State) -> State:
        out = list(s)
        for v, c in self.assign:
            out[v] = c
        return tuple(out)


@dataclass(frozen=True)
class Program:
    """A guarded-command system; each command is its own transition group."""

    init: State
    commands: tuple[Command, ...]

    def initial_states(self) -> list[State]:
        return [self.init]

    def successors(self, s: State) -> list[tuple[str, State]]:
        return [(c.name, c.fire(s)) for c in self.commands if c.enabled(s)]

    def por_groups(self) -> Mapping[str, Footprint]:
        return {
            c.name: Footprint(
                frozenset(v for v, _ in c.guard) | frozenset(v for v, _ in c.assign),
                frozenset(v for v, _ in c.assign),
            )
            for c in self.commands
        }

    def group_of(self, s: State, step: str) -> str:
        return step

    def enabling_sets(self, s: State, group: str) -> list[Iterable[int]]:
        """One alternative per false conjunct: its variable must change first."""
        cmd = next(c for c in self.commands if c.name == group)
        found: list[Iterable[int]] = [(v,) for v, c in cmd.guard if s[v] != c]
        assert found, f"{group} is enabled"
        return found


def counters(k: int, top: int) -> Program:
    """k independent counters, each counting 0..top: (top+1)^k states, one deadlock."""
    cmds = [Command(f"inc{i}_{v}", ((i, v),), ((i, v + 1),)) for i in range(k) for v in range(top)]
    return Program((0,) * k, tuple(cmds))


def spinner_and_flag() -> Program:
    """Variable 0 toggles forever (invisible), variable 1 is set once (visible).

    Stubborn sets alone may explore the toggle forever and never set the flag
    (the ignoring problem): the cycle proviso must force the flag's step."""
    return Program(
        (0, 0),
        (
            Command("on", ((0, 0),), ((0, 1),)),
            Command("off", ((0, 1),), ((0, 0),)),
            Command("flag", ((1, 0),), ((1, 1),)),
        ),
    )


def handshake() -> Program:
    """Two processes share a lock (variable 2): a real conflict, two interleavings
    that both matter, plus an independent third process (variable 3)."""
    return Program(
        (0, 0, 0, 0),
        (
            Command("a_take", ((0, 0), (2, 0)), ((0, 1), (2, 1))),
            Command("a_give", ((0, 1),), ((0, 2), (2, 0))),
            Command("b_take", ((1, 0), (2, 0)), ((1, 1), (2, 2))),
            Command("b_give", ((1, 1),), ((1, 2), (2, 0))),
            Command("c_step", ((3, 0),), ((3, 1),)),
            Command("c_more", ((3, 1),), ((3, 2),)),
        ),
    )
