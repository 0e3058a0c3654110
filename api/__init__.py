"""cdcheck: model checking of Concerto-D reconfiguration plans.

The public Python API (the command line is `cdcheck.checker.cli`):

    from cdcheck import load, verify, Options
    outcome = verify(load("plan.cd"), Options(property=("deadlock-free",)))
    for p in outcome.report.properties:
        print(p.name, p.verdict.value)
"""

from cdcheck.verify import Options, Outcome, PropertyError, load, verify

__all__ = ["Options", "Outcome", "PropertyError", "load", "verify"]
