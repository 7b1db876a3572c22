"""Liveness of the members' ``pengine`` processes, and who is expected up.

Corosync tells whether a node's corosync runs, not whether its ``pengine``
still works: a ``pengine`` stopped (SIGSTOP) or hung keeps its place in the
process group while its resources go unwatched.  So every member's main
loop multicasts a heartbeat every second, every member notes when it last
heard from each other member, and a member silent for longer than the
*unresponsive timeout* (``stonith-watchdog-timeout`` when positive, else
twice the node's watchdog timeout) is evicted: any member that notices
multicasts an eviction, and since every member sees it at the same place
in the one message order, all drop the member from the group at once.  A
dropped member is offline for the scheduler while expected up: unclean,
so it is fenced; if it wakes up and reads its own eviction, it leaves.

*Expected up*: every member (not only the coordinator) records which nodes
joined the process group since they were last fenced or allowed to leave
(:class:`Expectations`).
Whoever coordinates writes ``expected=member`` for them into the status, so
a node that leaves is fenced even when the status a new coordinator started
from said it was down (a node cut off moments after it rejoined, before any
coordinator recorded its join).
"""

from __future__ import annotations

from attrs import evolve, field, frozen

from pengine.cib import model as m
from pengine.transitions.execute import membership as ms

HEARTBEAT_INTERVAL_S = 1.0
DEFAULT_WATCHDOG_TIMEOUT_S = 5.0     # sbd's default watchdog timeout


@frozen
class Heartbeats:
    """When each group member (node id, pid) was last heard from."""

    last: tuple[tuple[tuple[int, int], float], ...] = field(default=(), converter=tuple)

    def heard(self, member: tuple[int, int], now: float) -> "Heartbeats":
        others = tuple(item for item in self.last if item[0] != member)
        return Heartbeats(others + ((member, now),))

    def ensure(self, members: set[tuple[int, int]], now: float) -> "Heartbeats":
        """Members never heard from count from ``now``."""
        seen = {member for member, _at in self.last}
        return Heartbeats(self.last + tuple((m, now) for m in sorted(members - seen)))

    def forget(self, members: set[tuple[int, int]]) -> "Heartbeats":
        return Heartbeats(tuple(item for item in self.last if item[0] not in members))

    def silent(self, members: set[tuple[int, int]], now: float,
               timeout: float) -> list[tuple[int, int]]:
        """The members not heard from for more than ``timeout`` seconds
        (one never heard from at all counts from when it was first seen)."""
        seen = dict(self.last)
        return sorted(member for member in members
                      if member in seen and now - seen[member] > timeout)


def unresponsive_timeout(cib: m.Cib | None, watchdog_timeout_s: float) -> float:
    """stonith-watchdog-timeout when positive (a negative one means twice
    the watchdog timeout, as in Pacemaker), else twice the watchdog timeout."""
    from pengine.common.dates import parse_interval_ms
    text = None
    if cib is not None:
        for attr_set in cib.configuration.crm_config:
            text = attr_set.get("stonith-watchdog-timeout") or text
    if text and text.strip().startswith("-"):
        return 2 * watchdog_timeout_s
    value = parse_interval_ms(text) if text else None
    if value:
        return value / 1000
    return 2 * watchdog_timeout_s


def expect_up(cib: m.Cib, nodes: list[ms.ClusterNode], expected_up: frozenset[int]) -> m.Cib:
    """``expected=member`` for every node that joined the group and was
    neither fenced nor allowed to leave since (nodes with no state stay
    unseen)."""
    states = list(cib.status.node_states)
    changed = False
    for node in nodes:
        if node.nodeid not in expected_up:
            continue
        for i, state in enumerate(states):
            if (state.uname == node.name or state.id == node.node_id) \
                    and state.get("expected") != "member":
                attrs = dict(state.attributes)
                attrs["expected"] = "member"
                states[i] = evolve(state, attributes=list(attrs.items()))
                changed = True
    if not changed:
        return cib
    return evolve(cib, status=evolve(cib.status, node_states=states))


@frozen
class Expectations:
    """Which nodes are expected up, as one member sees the message order.

    Each join of a node's process gets a number (this member's own count);
    a fencing that started before the node's current process joined does
    not excuse that process when it ends (a node fenced, rebooted and back
    before the fencing's result arrived is still expected up)."""

    count: int = 0
    up: tuple[tuple[int, int], ...] = field(default=(), converter=tuple)        # node -> join
    started: tuple[tuple[int, int | None], ...] = field(default=(), converter=tuple)

    def nodes(self) -> frozenset[int]:
        return frozenset(node for node, _join in self.up)

    def joined(self, nodeid: int) -> "Expectations":
        up = dict(self.up)
        up[nodeid] = self.count + 1
        return evolve(self, count=self.count + 1, up=tuple(sorted(up.items())))

    def let_go(self, nodeid: int) -> "Expectations":
        return evolve(self, up=tuple(item for item in self.up if item[0] != nodeid))

    def fencing_started(self, nodeid: int) -> "Expectations":
        started = dict(self.started)
        started[nodeid] = dict(self.up).get(nodeid)
        return evolve(self, started=tuple(sorted(started.items(), key=lambda i: i[0])))

    def fenced(self, nodeid: int) -> "Expectations":
        started = dict(self.started)
        join = started.pop(nodeid, dict(self.up).get(nodeid))
        after = evolve(self, started=tuple(sorted(started.items(), key=lambda i: i[0])))
        if dict(self.up).get(nodeid) == join:
            return after.let_go(nodeid)
        return after
