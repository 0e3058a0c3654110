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
