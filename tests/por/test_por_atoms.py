"""`atom_keys` (the visible keys of spec.props atoms) against the semantics:
a step that changes an atom's value must belong to a group that writes one
of the atom's keys, or visibility would let the reduction hide it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from strategies import plans

from cdcheck.lang import ast as A
from cdcheck.spec.model import compile_plan
from cdcheck.spec.por_groups import atom_keys
from cdcheck.spec.system import ConcertoSystem


def atom_texts(sysm: ConcertoSystem) -> list[str]:
    m = sysm.model
    out = ["done"]
    for n, nm in enumerate(m.nodes):
        out += [f"executed({nm.name}, 1)", f"inbox_empty({nm.name})"]
        del n
    for i, name in enumerate(m.instances):
        if m.instance_type[i] < 0:
            continue
        ty = m.types[m.instance_type[i]]
        out += [f"at({name}, {p})" for p in ty.places]
        out.append(f"exists({name})")
        for t, port, _kind in m.ports:
            if t == m.instance_type[i]:
                out += [f"active({name}.{port})", f"refusing({name}.{port})"]
        for pid in m.push_ids:
            out += [f"head({name}) = {pid}", f"queued({name}, {pid})", f"completed({name}, {pid})"]
    for c in range(len(m.connections)):
        k = m.connections[c]
        out.append(
            f"connected({m.instances[k.user]}.{m.ports[k.use][1]}, "
            f"{m.instances[k.provider]}.{m.ports[k.provide][1]})"
        )
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(max_nodes=4))
def test_steps_that_change_an_atom_write_its_keys(plan: A.Plan) -> None:
    sysm = ConcertoSystem(compile_plan(plan))
    atoms = sysm.atoms()
    groups = sysm.por_groups()
    checks = []
    for text in atom_texts(sysm):
        try:
            pred = atoms.compile(text)
        except ValueError:
            continue
        keys = atom_keys(sysm.model, text)
        assert keys is not None
        checks.append((text, pred, keys))
    seen = set(sysm.initial_states())
    todo = list(seen)
    while todo and len(seen) < 400:
        s = todo.pop(0)
        for step, t in sysm.successors(s):
            if t not in seen:
                seen.add(t)
                todo.append(t)
            writes = groups[sysm.group_of(s, step)].writes
            for text, pred, keys in checks:
                if pred(s) != pred(t):
                    assert writes & keys, (text, step)


def test_deadlock_has_no_key_set() -> None:
    from cdcheck.lang.families import generate
    from cdcheck.lang.loader import Loader

    model = compile_plan(Loader().load_text(generate("cps-update", 1), "<cps>"))
    assert atom_keys(model, "deadlock") is None
    assert atom_keys(model, "executed(node3, 1)") == frozenset({(2, "pc")})
