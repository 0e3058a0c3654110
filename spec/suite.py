"""The default properties every plan is checked against.

`deadlock-free` is `G !deadlock`. `port-consistency` is the guarantee the
Concerto protocol exists to keep: for every connection a plan can ever make,
whenever the user's node holds the connection and the use port is active, the
provide port is active. It is written as an ordinary LTL invariant over the
plan's atoms, so it goes through the same parser, atom table and search as a
user's property.
"""

from __future__ import annotations

from cdcheck.lang import ast as A


def plan_connections(plan: A.Plan) -> list[A.Connection]:
    """Every connection the plan mentions (initially known or connected by `con`), once."""
    seen: dict[str, A.Connection] = {}
    for node in plan.nodes:
        for c in node.connections:
            seen.setdefault(str(c), c)
        for instr in node.program:
            if isinstance(instr, A.Con):
                seen.setdefault(str(instr.connection), instr.connection)
    return list(seen.values())


def port_consistency_formula(plan: A.Plan) -> str:
    """`G (...)`: one implication per connection, `G true` for a plan without any."""
    host = {h.text: n.name.text for n in plan.nodes for h in n.hosts}
    clauses = []
    for c in plan_connections(plan):
        user_node = host.get(c.user.instance.text)
        where = f", {user_node}" if user_node else ""
        clauses.append(
            f"((active({c.user}) & connected({c.user}, {c.provider}{where})) "
            f"-> active({c.provider}))"
        )
    return f"G ({' & '.join(clauses)})" if clauses else "G true"
