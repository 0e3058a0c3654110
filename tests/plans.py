"""Small plans shared by the command-line tests."""

# A client whose use port needs a server that is never started: the entering
# is refused locally, so the plan deadlocks after five steps.
DEADLOCKING = """\
type Server {
  places off, on
  initial off
  behavior start { boot: off -> on }
  provide api on on
}
type Client {
  places idle, busy
  initial idle
  behavior go { work: idle -> busy }
  use api on busy
}
node a hosts s, c {
  start s: Server at off
  start c: Client at idle
  program {
    con c.api -- s.api
    pushB c go as g1
    wait c g1
  }
}
property client_busy_needs_server: G (at(c, busy) -> at(s, on))
"""


# A generated plan (shrunk by hypothesis): n0 and n1 both wait for c2's push,
# asking the same question. The FIFO relaxation has no deadlock, but there an
# answer can reach the wrong asker (`RelaxedSystem.takeable` fails), so
# deadlock freedom does not transfer; the exact semantics has the deadlock.
MISROUTED_AFTER_RELAXED_PROOF = """\
type T0 {
  places p0, p1, p2, p3
  initial p0
  behavior b0 {
    t0: p0 -> p1
    t1: p0 -> p1
    t2: p0 -> p1
  }
  behavior b1 { t3: p0 -> p1 }
  behavior b2 { t4: p0 -> p1 }
  use u0 on p0
  use u1 on p0
  provide r0 on p0
}

node n0 hosts c0 {
  cache isCompleted(c2, id0) = false
  program {
    add c0: T0
    con c1.u0 -- c0.r0
    con c1.u1 -- c0.r0
    con c2.u0 -- c0.r0
    con c2.u1 -- c0.r0
    wait c2 id0
    dcon c1.u0 -- c0.r0
    del c0
  }
}

node n1 hosts c1 {
  cache isCompleted(c2, id0) = false
  program {
    add c1: T0
    con c1.u0 -- c0.r0
    con c1.u1 -- c0.r0
    wait c2 id0
    dcon c1.u0 -- c0.r0
    del c1
  }
}

node n2 hosts c2 {
  start c2: T0 at p0
  queue c2: b0 as q2
  program {
    con c2.u0 -- c0.r0
    con c2.u1 -- c0.r0
    pushB c2 b0 as id0
    del c2
  }
}
"""


# The planner's plan for the CPS update with two listener/sensor pairs
# (`cdcheck plan` on lang.assemblies.cps_assembly(2)); `{types}` is the path of
# models/cps/types.cd. Both listeners' nodes ask the system's refusal, one
# after the other: the relaxation's deadlock freedom does not transfer, and
# the exact semantics decides it.
PLANNED_CPS_2 = """\
include "{types}"

node database hosts database {
  start database: Database at deployed
  connected system.dbService -- database.service
  program {
    pushB database interrupt as database_interrupt
    pushB database update as database_update
    pushB database deploy as database_deploy
  }
}

node system hosts system {
  start system: System at deployed
  connected system.dbService -- database.service
  connected listener_0.sysService -- system.service
  connected listener_1.sysService -- system.service
  cache isConnected(system.dbService -- database.service) = true
  cache isRefusing(database.service) = false
  program {
    pushB system stop as system_stop
    wait database database_interrupt
    pushB system deploy as system_deploy
  }
}

node sensor_0 hosts listener_0, sensor_0 {
  start listener_0: Listener at running
  start sensor_0: Sensor at running
  connected listener_0.sysService -- system.service
  connected sensor_0.rcvService -- listener_0.rcv
  connected sensor_0.configService -- listener_0.config
  cache isConnected(listener_0.sysService -- system.service) = true
  cache isRefusing(system.service) = false
  program {
    pushB listener_0 update as listener_0_update
    pushB sensor_0 pause as sensor_0_pause
    wait system system_stop
    pushB listener_0 deploy as listener_0_deploy
    pushB sensor_0 start as sensor_0_start
  }
}

node sensor_1 hosts listener_1, sensor_1 {
  start listener_1: Listener at running
  start sensor_1: Sensor at running
  connected listener_1.sysService -- system.service
  connected sensor_1.rcvService -- listener_1.rcv
  connected sensor_1.configService -- listener_1.config
  cache isConnected(listener_1.sysService -- system.service) = true
  cache isRefusing(system.service) = false
  program {
    pushB listener_1 update as listener_1_update
    pushB sensor_1 pause as sensor_1_pause
    wait listener_0 listener_0_deploy
    pushB listener_1 deploy as listener_1_deploy
    pushB sensor_1 start as sensor_1_start
  }
}

"""


# A server's `stop` and a client's `deploy`, unordered (`%s`: an instruction
# before the client's push). On the FIFO relaxation and the quiet system the
# client can take its stale "not refusing" answer after answering "inactive"
# (bags), so port consistency fails there and holds exactly.
RACE = """
type Server {
  places off, on
  initial on
  behavior stop { s: on -> off }
  provide service on on
}
type Client {
  places idle, up
  initial idle
  behavior deploy { d: idle -> up }
  use svc on up
}
node host hosts server {
  start server: Server at on
  connected client.svc -- server.service
  program { pushB server stop as server_stop }
}
node user hosts client {
  start client: Client at idle
  connected client.svc -- server.service
  program { %s pushB client deploy as client_deploy }
}
"""
