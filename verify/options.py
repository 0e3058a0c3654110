"""What a verification run is asked to do, as one typed value.

The command line builds an `Options` from its flags; a Python caller builds
one directly. Nothing past the command line sees `argparse`: every decision of
the strategy (`cdcheck.verify.strategy`) reads these fields only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Engine = Literal["explicit", "bmc", "kind", "pdr", "houdini", "auto"]
Fairness = Literal["none", "nodes", "steps"]
InvariantPor = Literal["auto", "flags", "goal"]
Profile = Literal["maude", "intended"]


@dataclass(frozen=True)
class Options:
    """Properties, engine, reductions, limits and fairness of one run.

    The defaults are the command line's: every default property, the explicit
    engine, the partial-order reduction on, no limit but the memory guard.
    Output files are not options of the verification: the caller renders the
    returned report (`cdcheck.checker.report`) as it likes.
    """

    ltl: tuple[str, ...] = ()
    """LTL formulas to check; with `property`, they replace the default selection."""
    property: tuple[str, ...] = ()
    """Names of properties of the plan or of the default suite to check."""
    engine: Engine = "explicit"
    depth: int = 30
    """The bound of `bmc`, the largest k of `kind`."""
    explain: bool = False
    """Keep the certificates of symbolic proofs in the report's notes."""
    por: bool = True
    invariant_por: InvariantPor = "auto"
    compare_por: bool = False
    exact_fifo: bool = False
    fair: Fairness = "none"
    profile: Profile = "maude"
    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    max_memory: int | None = None
    """Megabytes; None: 80% of the memory available when the run starts."""
    quiet: bool = True
    """No progress display on stderr (the command line shows one on a terminal)."""
