"""Write a compiled plan as a Maude module for the Concerto-D formalization.

The module has the shape of the formalization's generated example
(13_example_update_cps.maude): one constant per instance id, place, station,
transition term, behavior term, port, component type and node configuration,
equations that define them, and a constant `globalsystem : -> System` holding
the initial state; then a system module `<NAME>-EXAMPLE` including
OPERATIONAL-SEMANTICS, so that `search globalsystem =>* ...` runs on the same
plan as cdcheck.

Constants are declared in the model's index order. Maude orders constants by
declaration, and a few equations of the formalization pick "the first" element
of a set; with this order the exported module makes the same choices as
`spec.rules`. Pure: returns text.
"""

from __future__ import annotations

from .model import Model, bits

_RESERVED = {
    "empty", "nil", "true", "false", "if", "then", "else", "fi", "not", "and", "or",
    "xor", "implies", "in", "is", "op", "ops", "eq", "ceq", "var", "vars", "sort",
    "sorts", "subsort", "subsorts", "endfm", "endm", "fmod", "mod", "inc", "pr",
    "protecting", "including", "extending", "to", "from", "view", "endv", "rl", "crl",
    "mb", "cmb", "owise", "m", "t", "b", "g", "te", "insert", "append", "undefined",
    "globalsystem", "occurs", "delete", "union", "intersection",
}  # fmt: skip

_INCLUDES = (
    "CONCERTO-D-SYSTEM",
    "CONSISTENCY-PORTS-FIRING-TRANSITION",
    "CONSISTENCY-PORTS-ENTERING-PLACE",
    "COLLECT-EXTERNAL-MESSAGES-FIRING",
    "COLLECT-EXTERNAL-MESSAGES-WAIT",
    "COLLECT-EXTERNAL-MESSAGES-DISCONNECT",
    "COLLECT-EXTERNAL-MESSAGES-ENTERING-PLACE",
    "UPDATE-COMMUNICATION-MESSAGES",
)


def _clean(name: str) -> str:
    """A Maude identifier: no underscore (mixfix), first letters camel-cased."""
    parts = [p for p in name.split("_") if p]
    if not parts:
        return "x"
    out = parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
    if out[0].isdigit():
        out = "n" + out
    return out


class _Registry:
    def __init__(self) -> None:
        self.used: set[str] = set(_RESERVED)

    def fresh(self, base: str) -> str:
        name = base
        k = 2
        while name in self.used:
            name = f"{base}{k}"
            k += 1
        self.used.add(name)
        return name


def module_name_of(path: str) -> str:
    import os

    stem = os.path.splitext(os.path.basename(path))[0] or "plan"
    return "".join(ch.upper() if ch.isalnum() else "-" for ch in stem).strip("-") or "PLAN"


def export_maude(m: Model, module: str = "CDCHECK-PLAN") -> str:
    """The Maude text of the plan's initial system (see module docstring)."""
    reg = _Registry()
    lines: list[str] = []
    emit = lines.append

    # Ids: instances then push ids (a name used as both is one constant).
    id_names: dict[str, str] = {}
    for raw in (*m.instances, *m.push_ids):
        if raw not in id_names:
            base = _clean(raw)
            id_names[raw] = reg.fresh(base + "Id" if base in _RESERVED else base)
    inst = [id_names[x] for x in m.instances]
    push = [id_names[x] for x in m.push_ids]

    type_names = [reg.fresh(_clean(t.name[:1].lower() + t.name[1:])) for t in m.types]
    place_names: list[list[str]] = []
    station_names: list[list[str]] = []
    trans_names: list[list[str]] = []
    beh_names: list[list[str]] = []
    for k, t in enumerate(m.types):
        tyname = type_names[k]
        place_names.append([reg.fresh(tyname + _clean(p).capitalize()) for p in t.places])
        station_names.append(
            [reg.fresh("st" + tyname + _clean(s).capitalize()) for s in t.stations]
        )
        trans_names.append([reg.fresh(tyname + _clean(x).capitalize()) for x in t.trans_names])
        beh_names.append([reg.fresh(tyname + _clean(x).capitalize()) for x in t.behavior_names])
    port_names = [reg.fresh(type_names[ty] + _clean(name).capitalize()) for ty, name, _ in m.ports]

    emit(f"--- {module}: written by `cdcheck export --to maude`.")
    emit("--- Load files 1-12 of the Concerto-D formalization (concertod-maude), then this")
    emit(f"--- file; in module {module}-EXAMPLE, for instance:")
    emit("---   search [, 10] globalsystem =>* S:System .")
    emit(f"fmod {module} is")
    for inc in _INCLUDES:
        emit(f"\tinc {inc} .")
    emit("")
    emit("\t--- declaration order matters: Maude orders constants by it")
    for name in dict.fromkeys(inst + push):
        emit(f"\top {name} : -> Id .")
    for k, (_ty, _name, kind) in enumerate(m.ports):
        sort = "UsePort" if kind == "use" else "ProvidePort"
        emit(f"\top {port_names[k]} : -> {sort} .")
    for k, t in enumerate(m.types):
        emit(f"\top {type_names[k]} : -> ComponentType .")
        emit(f"\tops {' '.join(place_names[k])} : -> Place .")
        emit(f"\top {place_names[k][t.initial]} : -> InitialPlace .")
        emit(f"\tops {' '.join(station_names[k])} : -> Station .")
        if trans_names[k]:
            emit(f"\tops {' '.join(trans_names[k])} : -> Transition .")
        if beh_names[k]:
            emit(f"\tops {' '.join(beh_names[k])} : -> Behavior .")
    emit("")

    def setof(items: list[str]) -> str:
        if not items:
            return "empty"
        return items[0] if len(items) == 1 else "(" + ", ".join(items) + ")"

    for k, t in enumerate(m.types):
        pn, sn, tn, bn = place_names[k], station_names[k], trans_names[k], beh_names[k]
        for ti in range(len(t.trans_src)):
            sts = setof([sn[s] for s in bits(t.trans_stations[ti])])
            emit(f"\teq {tn[ti]} = t({pn[t.trans_src[ti]]}, {sts}) .")
        for bi, mask in enumerate(t.behaviors):
            body = ", ".join(tn[ti] for ti in bits(mask)) or "empty"
            emit(f"\teq {bn[bi]} = b({body}) .")
        sp = ", ".join(f"[{sn[s]}]({pn[t.station_place[s]]})" for s in range(len(t.stations)))
        gu = ", ".join(
            f"g({port_names[g.port]} ? {setof([pn[p] for p in bits(g.places)])})" for g in t.uses
        )
        gp = ", ".join(
            f"g({port_names[g.port]} ! {setof([pn[p] for p in bits(g.places)])})"
            for g in t.provides
        )
        emit(
            f"\teq {type_names[k]} = {{ places: {', '.join(pn)}, initial: {pn[t.initial]}, "
            f"stationPlaces: {sp}, transitions: {setof(tn)}, behaviors: {setof(bn)}, "
            f"groupUses: {gu or 'empty'}, groupProvides: {gp or 'empty'} }} ."
        )
    emit("")

    def conn(c: int) -> str:
        k = m.connections[c]
        return (
            f"({inst[k.user]}, {port_names[k.use]})--({inst[k.provider]}, {port_names[k.provide]})"
        )

    def question(q: int) -> str:
        qq = m.questions[q]
        if qq.kind == 0:
            query = f"isActive({port_names[qq.arg]})"
        elif qq.kind == 1:
            query = f"isRefusing({port_names[qq.arg]})"
        elif qq.kind == 2:
            query = f"isConnected({conn(qq.arg)})"
        elif qq.kind == 3:
            query = f"isCompleted({push[qq.arg]})"
        else:
            query = f"onDisconnect({conn(qq.arg)})"
        return f"[ dst: {inst[qq.dst]}, query: {query} ]"

    confs = []
    for nm, init in zip(m.nodes, m.initial, strict=True):
        cname = reg.fresh("conf" + _clean(nm.name).capitalize())
        confs.append(cname)
        inv = ", ".join(inst[i] for i in bits(nm.inventory)) or "empty"
        insts = []
        for ii in init.instances:
            places = setof([place_names[ii.type][p] for p in bits(ii.places)])
            queue = " ".join(f"({push[p]} ; {beh_names[ii.type][b]})" for p, b in ii.queue) or "nil"
            insts.append(
                f"{inst[nm.slots[ii.slot]]} |-> {{ type: {type_names[ii.type]}, queue: {queue}, "
                f"marking: m({places}, empty, empty) }}"
            )
        conns = ", ".join(conn(c) for c in bits(init.conns)) or "empty"
        cache = []
        for q in range(len(m.questions)):
            code = (init.cache >> (2 * q)) & 3
            if code in (1, 2):
                cache.append(f"{question(q)} |-> {'true' if code == 2 else 'false'}")
        prog = []
        for ins in nm.program:
            if ins.op == 0:
                prog.append(f"add({inst[ins.inst]}, {type_names[ins.arg]})")
            elif ins.op == 1:
                prog.append(f"del({inst[ins.inst]})")
            elif ins.op == 2:
                prog.append(f"con({conn(ins.arg)})")
            elif ins.op == 3:
                prog.append(f"dcon({conn(ins.arg)})")
            elif ins.op == 4:
                # an unknown behavior is never in the type: the push blocks, as in Maude
                beh = "b(empty)" if ins.arg < 0 else beh_names[ins.beh_type][ins.arg]
                prog.append(f"pushB({inst[ins.inst]}, {beh}, {push[ins.push]})")
            else:
                prog.append(f"wait({inst[ins.inst]}, {push[ins.arg]})")
        emit(f"\top {cname} : -> LocalConfiguration .")
        emit(
            f"\teq {cname} = < nodeInventory: {inv}, "
            f"instances: {', '.join(insts) or 'empty'}, connections: {conns}, "
            f"program: {' '.join(prog) or 'nil'}, externState: {', '.join(cache) or 'empty'}, "
            "pendingQuestions: nil, outgoingQuestions: nil, history: empty, incomingMsgs: nil > ."
        )
    emit("\top globalsystem : -> System .")
    emit(f"\teq globalsystem = {', '.join(confs) or 'empty'} .")
    emit("endfm")
    emit("")
    emit(f"mod {module}-EXAMPLE is")
    emit("\tinc OPERATIONAL-SEMANTICS .")
    emit(f"\tinc {module} .")
    emit("endm")
    emit("")
    return "\n".join(lines)
