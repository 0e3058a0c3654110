"""One test per rewrite rule: enabled, disabled, and the exact effect."""

from __future__ import annotations

from spec_helpers import system_of, with_inst

from cdcheck.spec import rules as R
from cdcheck.spec.model import ACTIVE, COMPLETED, CONNECTED, ONDISC, Question
from cdcheck.spec.state import (
    CACHE_FALSE,
    CACHE_TRUE,
    CACHE_UNKNOWN,
    Inst,
    NodeState,
    Stuck,
    cache_get,
    cache_set,
    msg_answer,
    msg_question,
)
from cdcheck.spec.system import ConcertoSystem

TYPES = """
type Prov {
  places off, on, done
  initial off
  behavior start { s1: off -> on }
  behavior stop { t1: on -> done }
  behavior fork { f1: off -> on, done }
  provide svc on on
}
type User {
  places idle, run, end
  initial idle
  station alt of run
  behavior go { g1: idle -> run }
  behavior join { j1: idle -> run  j2: idle -> end  j3: end -> run }
  behavior quit { q1: run -> end }
  use need on run
}
"""

REMOTE = (
    TYPES
    + """
node n1 hosts p {
  start p: Prov at on
  connected u.need -- p.svc
  program { pushB p stop as x1  dcon u.need -- p.svc }
}
node n2 hosts u {
  start u: User at idle
  connected u.need -- p.svc
  program { wait p x1 }
}
node n3 hosts q {
  program { add q: Prov  pushB q stop as x2 }
}
"""
)

LOCAL = (
    TYPES
    + """
node n1 hosts p, u {
  start p: Prov at on
  start u: User at idle
  connected u.need -- p.svc
  program {
    pushB p stop as x1
    dcon u.need -- p.svc
    del u
    add u2: User
    con u2.need -- p.svc
  }
}
"""
)


def setup(text: str) -> tuple[ConcertoSystem, list[NodeState]]:
    sysm = system_of(text)
    state = sysm.initial_states()[0]
    return sysm, list(sysm.nodes(state))


def inst(sysm: ConcertoSystem, s: NodeState, name: str) -> Inst:
    m = sysm.model
    n = next(k for k, nm in enumerate(m.nodes) if m.instance_index[name] in nm.slot_of)
    x = s.instances[m.nodes[n].slot_of[m.instance_index[name]]]
    assert x is not None
    return x


def pl(sysm: ConcertoSystem, name: str, *places: str) -> int:
    m = sysm.model
    t = m.types[m.instance_type[m.instance_index[name]]]
    return sum(1 << t.places.index(p) for p in places)


def beh(sysm: ConcertoSystem, name: str, b: str) -> int:
    m = sysm.model
    return m.types[m.instance_type[m.instance_index[name]]].behavior_index[b]


def q(sysm: ConcertoSystem, kind: int, dst: str, arg: int) -> int:
    return sysm.model.question_index[Question(kind, sysm.model.instance_index[dst], arg)]


def port(sysm: ConcertoSystem, inst_name: str, port_name: str) -> int:
    m = sysm.model
    ty = m.instance_type[m.instance_index[inst_name]]
    return next(k for k, (t, n, _) in enumerate(m.ports) if t == ty and n == port_name)


def run(rule: object, sysm: ConcertoSystem, n: int, s: NodeState) -> list[tuple[R.Step, NodeState]]:
    return list(rule(sysm.model, n, s))  # type: ignore[operator]


def queued(s: NodeState, slot: int, pid: int, b: int) -> NodeState:
    x = s.instances[slot]
    assert x is not None
    return with_inst(s, slot, x._replace(queue=((pid, b),)))


# ------------------------------------------------------------------------ component evolution


def test_firing_transitions_effect_and_disabled_without_behavior() -> None:
    sysm, nodes = setup(LOCAL)
    s = nodes[0]
    assert run(R.FiringTransitions, sysm, 0, s) == []  # no behavior queued
    u_slot = sysm.model.nodes[0].slot_of[sysm.model.instance_index["u"]]
    s2 = queued(s, u_slot, 0, beh(sysm, "u", "go"))
    out = run(R.FiringTransitions, sysm, 0, s2)
    assert len(out) == 1
    step, after = out[0]
    assert step.rule == "FiringTransitions"
    x = inst(sysm, after, "u")
    assert x.places == 0 and x.running != 0 and x.endings == 0
    # everything else untouched
    assert after._replace(instances=s2.instances) == s2


def test_firing_transitions_is_safe_to_fire_local_user() -> None:
    sysm, nodes = setup(LOCAL)
    m = sysm.model
    s = nodes[0]
    p_slot, u_slot = (m.nodes[0].slot_of[m.instance_index[x]] for x in ("p", "u"))
    s = queued(s, p_slot, 0, beh(sysm, "p", "stop"))  # p leaves `on`: svc becomes inactive
    assert len(run(R.FiringTransitions, sysm, 0, s)) == 1  # user u idle: inactive
    u_run = inst(sysm, s, "u")._replace(places=pl(sysm, "u", "run"))
    blocked = with_inst(s, u_slot, u_run)  # user active: may not fire
    assert run(R.FiringTransitions, sysm, 0, blocked) == []


def test_firing_transitions_remote_user_three_valued() -> None:
    sysm, nodes = setup(REMOTE)
    s = queued(nodes[0], 0, 0, beh(sysm, "p", "stop"))
    qa = q(sysm, ACTIVE, "u", port(sysm, "u", "need"))
    assert run(R.FiringTransitions, sysm, 0, s) == []  # unknown blocks
    assert run(R.FiringTransitions, sysm, 0, s._replace(cache=cache_set(0, qa, CACHE_TRUE))) == []
    ok = s._replace(cache=cache_set(0, qa, CACHE_FALSE))
    assert len(run(R.FiringTransitions, sysm, 0, ok)) == 1


def test_ending_transition_one_station_each() -> None:
    sysm, nodes = setup(LOCAL)
    m = sysm.model
    s = nodes[0]
    assert run(R.EndingTransition, sysm, 0, s) == []
    p_slot = m.nodes[0].slot_of[m.instance_index["p"]]
    x = inst(sysm, s, "p")
    t = m.types[x.type]
    f1 = next(k for k, n in enumerate(t.trans_names) if n == "f1")
    s2 = with_inst(s, p_slot, x._replace(places=0, running=1 << f1, queue=((0, 2),)))
    out = run(R.EndingTransition, sysm, 0, s2)
    assert len(out) == 2  # f1 targets two stations: a choice
    for _step, after in out:
        y = inst(sysm, after, "p")
        assert y.running == 0 and bin(y.endings).count("1") == 1
        assert t.ending_trans[y.endings.bit_length() - 1] == f1


def _user_with_endings(
    sysm: ConcertoSystem, n: int, s: NodeState, trans: list[str], b: str
) -> NodeState:
    m = sysm.model
    u_slot = m.nodes[n].slot_of[m.instance_index["u"]]
    x = inst(sysm, s, "u")
    t = m.types[x.type]
    ends = 0
    for name in trans:
        k = t.trans_index[name]
        ends |= 1 << next(iter(t.ending_of[k].values()))
    return with_inst(s, u_slot, x._replace(places=0, endings=ends, queue=((0, beh(sysm, "u", b)),)))


def test_entering_place_and_join() -> None:
    sysm, nodes = setup(LOCAL)
    s = nodes[0]
    assert run(R.EnteringPlace, sysm, 0, s) == []
    half = _user_with_endings(sysm, 0, s, ["j1"], "join")
    assert run(R.EnteringPlace, sysm, 0, half) == []  # j3 has not ended: AND-join
    both = _user_with_endings(sysm, 0, s, ["j1", "j3"], "join")
    out = run(R.EnteringPlace, sysm, 0, both)
    assert len(out) == 1
    y = inst(sysm, out[0][1], "u")
    assert y.places == pl(sysm, "u", "run") and y.endings == 0


def test_entering_place_needs_connected_and_not_refusing() -> None:
    sysm, nodes = setup(REMOTE)
    m = sysm.model
    s = _user_with_endings(sysm, 1, nodes[1], ["g1"], "go")
    c = 0
    qc = m.q_connected[c]
    qr = m.q_refusing[c]
    assert run(R.EnteringPlace, sysm, 1, s) == []  # nothing cached: unknown
    ok = s._replace(cache=cache_set(cache_set(0, qc, CACHE_TRUE), qr, CACHE_FALSE))
    assert len(run(R.EnteringPlace, sysm, 1, ok)) == 1
    refusing = ok._replace(cache=cache_set(ok.cache, qr, CACHE_TRUE))
    assert run(R.EnteringPlace, sysm, 1, refusing) == []
    unconfirmed = ok._replace(cache=cache_set(ok.cache, qc, CACHE_FALSE))
    assert run(R.EnteringPlace, sysm, 1, unconfirmed) == []
    no_conn = ok._replace(conns=0)
    assert run(R.EnteringPlace, sysm, 1, no_conn) == []


def test_finishing_behavior() -> None:
    sysm, nodes = setup(LOCAL)
    m = sysm.model
    s = nodes[0]
    p_slot = m.nodes[0].slot_of[m.instance_index["p"]]
    assert run(R.FinishingBehavior, sysm, 0, s) == []
    busy = queued(s, p_slot, 0, beh(sysm, "p", "stop"))  # `on` is a source of stop
    assert run(R.FinishingBehavior, sysm, 0, busy) == []
    x = inst(sysm, busy, "p")
    idle = with_inst(busy, p_slot, x._replace(places=pl(sysm, "p", "done")))
    out = run(R.FinishingBehavior, sysm, 0, idle)
    assert [st.rule for st, _ in out] == ["FinishingBehavior"]
    assert inst(sysm, out[0][1], "p").queue == ()


# ------------------------------------------------------------------------ program


def test_pushing_behavior() -> None:
    sysm, nodes = setup(LOCAL)
    s = nodes[0]
    out = run(R.PushingBehavior, sysm, 0, s)
    assert len(out) == 1
    after = out[0][1]
    assert after.pc == 1
    assert inst(sysm, after, "p").queue == ((0, beh(sysm, "p", "stop")),)
    # absent instance: blocked (node n3 pushes on q before adding it)
    sysm3, nodes3 = setup(REMOTE)
    s3 = nodes3[2]._replace(pc=1)
    assert run(R.PushingBehavior, sysm3, 2, s3) == []


def test_add_component_instance() -> None:
    sysm, nodes = setup(REMOTE)
    s = nodes[2]
    out = run(R.AddComponentInstance, sysm, 2, s)
    assert len(out) == 1
    after = out[0][1]
    x = inst(sysm, after, "q")
    assert after.pc == 1 and x.queue == () and x.places == pl(sysm, "q", "off")
    assert run(R.AddComponentInstance, sysm, 2, after._replace(pc=0)) == []  # already there


def test_delete_component_instance() -> None:
    sysm, nodes = setup(LOCAL)
    s = nodes[0]._replace(pc=2)
    assert run(R.DeleteComponentInstance, sysm, 0, s) == []  # still connected
    out = run(R.DeleteComponentInstance, sysm, 0, s._replace(conns=0))
    assert len(out) == 1
    m = sysm.model
    assert out[0][1].instances[m.nodes[0].slot_of[m.instance_index["u"]]] is None
    assert out[0][1].pc == 3


def test_connect_ports() -> None:
    sysm, nodes = setup(LOCAL)
    m = sysm.model
    s = nodes[0]._replace(pc=4)
    u2_slot = m.nodes[0].slot_of[m.instance_index["u2"]]
    p_slot = m.nodes[0].slot_of[m.instance_index["p"]]
    no_end = with_inst(with_inst(s, p_slot, None), u2_slot, None)
    assert run(R.ConnectPorts, sysm, 0, no_end) == []  # neither end present
    out = run(R.ConnectPorts, sysm, 0, s)
    assert len(out) == 1
    c = out[0][0].args[0]
    assert out[0][1].conns == s.conns | (1 << c) and out[0][1].pc == 5
    assert run(R.ConnectPorts, sysm, 0, s._replace(conns=1 << c)) == []  # use port taken


def test_disconnect_ports_local() -> None:
    sysm, nodes = setup(LOCAL)
    m = sysm.model
    s = nodes[0]._replace(pc=1)
    out = run(R.DisconnectPorts, sysm, 0, s)
    assert len(out) == 1 and out[0][1].conns == 0 and out[0][1].pc == 2
    u_slot = m.nodes[0].slot_of[m.instance_index["u"]]
    active = with_inst(s, u_slot, inst(sysm, s, "u")._replace(places=pl(sysm, "u", "run")))
    assert run(R.DisconnectPorts, sysm, 0, active) == []
    assert run(R.DisconnectPorts, sysm, 0, s._replace(conns=0)) == []


def test_disconnect_ports_remote_needs_answers() -> None:
    sysm, nodes = setup(REMOTE)
    m = sysm.model
    s = nodes[0]._replace(pc=1)
    assert run(R.DisconnectPorts, sysm, 0, s) == []
    cache = cache_set(0, m.q_ondisc_user[0], CACHE_TRUE)
    cache = cache_set(cache, m.q_active_use[0], CACHE_FALSE)
    out = run(R.DisconnectPorts, sysm, 0, s._replace(cache=cache))
    assert len(out) == 1 and out[0][1].conns == 0


def test_waiting() -> None:
    sysm, nodes = setup(REMOTE)
    m = sysm.model
    s = nodes[1]
    qw = q(sysm, COMPLETED, "p", m.push_index["x1"])
    assert run(R.Waiting, sysm, 1, s) == []
    out = run(R.Waiting, sysm, 1, s._replace(cache=cache_set(0, qw, CACHE_TRUE)))
    assert len(out) == 1 and out[0][1].pc == 1
    empty = s._replace(instances=(None,), cache=cache_set(0, qw, CACHE_TRUE))
    assert run(R.Waiting, sysm, 1, empty) == []  # Waiting needs some instance


def test_waiting_local_hides_the_matched_instance() -> None:
    text = (
        TYPES + "node n hosts p { start p: Prov at off  program { pushB p start as a  wait p a } }"
    )
    for profile, expected in (("maude", 1), ("intended", 0)):
        sysm = system_of(text, profile)  # type: ignore[arg-type]
        s = sysm.nodes(sysm.initial_states()[0])[0]
        s = queued(s, 0, 0, beh(sysm, "p", "start"))._replace(pc=1)
        assert len(run(R.Waiting, sysm, 0, s)) == expected, profile


# ------------------------------------------------------------------------ asking


def test_ask_question_for_firing_transitions() -> None:
    sysm, nodes = setup(REMOTE)
    m = sysm.model
    s = queued(nodes[0], 0, 0, beh(sysm, "p", "stop"))
    qa = q(sysm, ACTIVE, "u", port(sysm, "u", "need"))
    out = run(R.AskQuestionForFiringTransitions, sysm, 0, s)
    assert len(out) == 1 and out[0][1].outgoing == (qa,)
    assert run(R.AskQuestionForFiringTransitions, sysm, 0, out[0][1]) == []  # already asked
    known = s._replace(cache=cache_set(0, qa, CACHE_FALSE))
    assert run(R.AskQuestionForFiringTransitions, sysm, 0, known) == []
    in_history = s._replace(history=1 << qa)
    assert run(R.AskQuestionForFiringTransitions, sysm, 0, in_history) == []
    del m


def test_ask_question_for_entering_place() -> None:
    sysm, nodes = setup(REMOTE)
    m = sysm.model
    s = _user_with_endings(sysm, 1, nodes[1], ["g1"], "go")
    out = run(R.AskQuestionForEnteringPlace, sysm, 1, s)
    assert len(out) == 1
    assert out[0][1].outgoing == (m.q_connected[0], m.q_refusing[0])
    half = s._replace(cache=cache_set(0, m.q_connected[0], CACHE_TRUE))
    assert run(R.AskQuestionForEnteringPlace, sysm, 1, half)[0][1].outgoing == (m.q_refusing[0],)
    # an unknown (stuck) cached value triggers the question again
    stuck = half._replace(cache=cache_set(half.cache, m.q_refusing[0], CACHE_UNKNOWN))
    assert len(run(R.AskQuestionForEnteringPlace, sysm, 1, stuck)) == 1
    done = half._replace(cache=cache_set(half.cache, m.q_refusing[0], CACHE_FALSE))
    assert run(R.AskQuestionForEnteringPlace, sysm, 1, done) == []


def test_ask_question_for_disconnect_ports() -> None:
    sysm, nodes = setup(REMOTE)
    m = sysm.model
    at_dcon = nodes[0]._replace(pc=1)
    assert run(R.AskQuestionForDisconnectPorts, sysm, 0, nodes[0]) == []  # head is a push
    out = run(R.AskQuestionForDisconnectPorts, sysm, 0, at_dcon)  # user u is remote
    assert out[0][1].outgoing == (m.q_active_use[0], m.q_ondisc_user[0])
    assert q(sysm, ONDISC, "u", 0) == m.q_ondisc_user[0]
    assert run(R.AskQuestionForDisconnectPorts, sysm, 0, at_dcon._replace(conns=0)) == []
    sysl, lnodes = setup(LOCAL)
    assert run(R.AskQuestionForDisconnectPorts, sysl, 0, lnodes[0]._replace(pc=1)) == []


def test_ask_question_for_wait() -> None:
    sysm, nodes = setup(REMOTE)
    m = sysm.model
    qw = q(sysm, COMPLETED, "p", m.push_index["x1"])
    out = run(R.AskQuestionForWait, sysm, 1, nodes[1])
    assert len(out) == 1 and out[0][1].outgoing == (qw,)
    assert (
        run(R.AskQuestionForWait, sysm, 1, nodes[1]._replace(cache=cache_set(0, qw, CACHE_TRUE)))
        == []
    )


# ------------------------------------------------------------------------ communication


def test_send_and_receive_question() -> None:
    sysm, nodes = setup(REMOTE)
    m = sysm.model
    qw = q(sysm, COMPLETED, "p", m.push_index["x1"])
    x = nodes[1]._replace(outgoing=(qw,))
    assert R.SendQuestion(m, 1, x, 2, nodes[2]) is None  # n3 does not host p
    assert R.SendQuestion(m, 1, nodes[1], 0, nodes[0]) is None  # nothing to send
    r = R.SendQuestion(m, 1, x, 0, nodes[0])
    assert r is not None
    _step, x2, y2 = r
    assert x2.outgoing == () and x2.history == 1 << qw and y2.inbox == (msg_question(qw),)
    out = run(R.ReceiveQuestion, sysm, 0, y2)
    assert len(out) == 1 and out[0][1].pending == (qw,) and out[0][1].inbox == ()
    wrong = nodes[1]._replace(inbox=(msg_question(qw),))  # n2 does not host p
    assert run(R.ReceiveQuestion, sysm, 1, wrong) == []


def test_send_answer_value_now_and_reset() -> None:
    sysm, nodes = setup(REMOTE)
    m = sysm.model
    qa = m.q_active_use[0]
    qr = m.q_refusing[0]
    answerer = nodes[1]._replace(pending=(qa,), cache=cache_set(nodes[1].cache, qr, CACHE_FALSE))
    asker = nodes[0]._replace(history=1 << qa)
    r = R.SendAnswer(m, 1, answerer, 0, asker)
    assert r is not None
    _step, x2, y2 = r
    assert y2.inbox == (msg_answer(qa, False),)  # u is idle: need is inactive
    assert x2.pending == ()
    assert cache_get(x2.cache, qr) == 0  # forgot isRefusing(svc)@p
    assert y2.history == asker.history  # kept until ReceiveAnswer
    assert R.SendAnswer(m, 1, answerer, 0, nodes[0]) is None  # not in n1's history
    blocked = asker._replace(inbox=(msg_question(qa),))
    assert R.SendAnswer(m, 1, answerer, 0, blocked) is None


def test_send_answer_about_absent_instance_is_stuck() -> None:
    sysm, nodes = setup(REMOTE)
    m = sysm.model
    qr = m.q_refusing[0]  # isRefusing(svc)@p, asked while p is absent from n1
    answerer = nodes[0]._replace(instances=(None,), pending=(qr,))
    r = R.SendAnswer(m, 0, answerer, 1, nodes[1]._replace(history=1 << qr))
    assert r is not None
    (msg,) = r[2].inbox
    assert isinstance(msg, Stuck) and msg.q == qr and msg.node == 0
    assert msg.instances == (None,) and msg.pc == answerer.pc
    out = run(R.ReceiveAnswer, sysm, 1, r[2])
    assert cache_get(out[0][1].cache, qr) == CACHE_UNKNOWN and out[0][1].stuck == (msg,)
    # profile `intended`: the value the Maude comments announce (refusing = true)
    sysi = system_of(REMOTE, "intended")
    ri = R.SendAnswer(sysi.model, 0, answerer, 1, nodes[1]._replace(history=1 << qr))
    assert ri is not None and ri[2].inbox == (msg_answer(qr, True),)


def test_receive_answer() -> None:
    sysm, nodes = setup(REMOTE)
    m = sysm.model
    qc = q(sysm, CONNECTED, "p", 0)
    y = nodes[1]._replace(history=1 << qc, inbox=(msg_answer(qc, True),))
    out = run(R.ReceiveAnswer, sysm, 1, y)
    assert len(out) == 1
    after = out[0][1]
    assert after.history == 0 and after.inbox == () and cache_get(after.cache, qc) == CACHE_TRUE
    assert run(R.ReceiveAnswer, sysm, 1, y._replace(history=0)) == []  # not asked
    del m


def test_every_rule_has_its_function_and_docstring() -> None:
    for name in R.RULE_NAMES:
        fn = getattr(R, name)
        assert fn.__doc__ and "Guard" in fn.__doc__ and "Effect" in fn.__doc__, name
