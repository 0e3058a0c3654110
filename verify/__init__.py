"""The verification strategy of cdcheck, callable from Python.

    from cdcheck import load, verify, Options
    outcome = verify(load("models/cps/update.cd"), Options(ltl=("G !deadlock",)))
    outcome.exit_code          # 0 holds, 1 violated, 3 undecided

This package is where Concerto-D (lang, spec) meets the generic algorithms
(checker); the command line only parses flags into `Options` and prints.
"""

from cdcheck.verify.load import load, load_checked
from cdcheck.verify.options import Options
from cdcheck.verify.properties import PropertyError
from cdcheck.verify.strategy import Outcome, verify

__all__ = ["Options", "Outcome", "PropertyError", "load", "load_checked", "verify"]
