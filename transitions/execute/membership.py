"""Membership as the cluster status records it: pure functions over frozen values.

A node's view of the cluster (:class:`View`) combines what Corosync says:

- the quorum service: whether this partition is quorate and which nodes
  (corosync node ids) it holds, for one ring (``quorum_seq``);
- the totem ring of the process group's connection (``ring_seq``, its
  members): the same ring seen from the group's side;
- the process group itself: which ``pengine run`` processes take part.

The two services report independently, so a view is only acted upon once it
is *settled*: both describe the same ring, every group member is in it, and
no group change caused by a ring change waits for that ring's description.
Every member sees group changes in the same order, so all agree on the
coordinator: the group member with the lowest node id.

The coordinator writes the view into each node's ``node_state`` as
Pacemaker's controller does (``in_ccm``: in the corosync membership;
``crmd``: its pengine takes part; ``join``: it has joined this coordinator;
``expected``: whether it should be up), and the scheduler's unpacking then
decides who is online, pending or unclean (a node that left while expected
up), exactly as for a CIB written by Pacemaker.
"""

from __future__ import annotations

from attrs import evolve, field, frozen

from pengine.cib import model as m
from pengine.transitions.execute.corosync import Process

ORIGIN = "pengine-cluster"


@frozen
class View:
    quorate: bool = False
    quorum_seq: int | None = None
    quorum_members: frozenset[int] = field(default=frozenset(), converter=frozenset)
    ring_seq: int | None = None
    ring_members: frozenset[int] = field(default=frozenset(), converter=frozenset)
    group: tuple[Process, ...] = field(default=(), converter=tuple)
    # a group change came from a ring change (a node went down or came up)
    # whose totem configuration has not arrived yet: corosync delivers it
    # right after the group changes of the same ring
    ring_pending: bool = False

    @property
    def group_nodes(self) -> frozenset[int]:
        return frozenset(p.nodeid for p in self.group)

    def settled(self) -> bool:
        """Quorum and the ring agree, and the group lies within the ring."""
        return (not self.ring_pending and self.quorum_seq is not None
                and self.quorum_seq == self.ring_seq and self.group_nodes <= self.ring_members)

    def coordinator(self) -> Process | None:
        """The group member with the lowest node id (then pid)."""
        if not self.group:
            return None
        return min(self.group, key=lambda p: (p.nodeid, p.pid))


@frozen
class ClusterNode:
    """A configured node as corosync knows it."""

    nodeid: int            # corosync node id
    name: str              # uname
    node_id: str           # id of the CIB's node entry


def _set_attrs(state: m.NodeState, **values: str) -> m.NodeState:
    attrs = dict(state.attributes)
    attrs.update(values)
    attrs["crm-debug-origin"] = ORIGIN
    return evolve(state, attributes=list(attrs.items()))


def _states(cib: m.Cib) -> list[m.NodeState]:
    return list(cib.status.node_states)


def _with_states(cib: m.Cib, states: list[m.NodeState]) -> m.Cib:
    return evolve(cib, status=evolve(cib.status, node_states=states))


def _find(states: list[m.NodeState], node: ClusterNode) -> int | None:
    for i, state in enumerate(states):
        if state.uname == node.name or state.id == node.node_id:
            return i
    return None


def _state_of(states: list[m.NodeState], node: ClusterNode) -> int:
    i = _find(states, node)
    if i is None:
        states.append(m.NodeState(id=node.node_id, attributes=[("uname", node.name)]))
        i = len(states) - 1
    return i


def record_membership(cib: m.Cib, view: View, nodes: list[ClusterNode],
                      joined: frozenset[int]) -> m.Cib:
    """Write ``view`` into the node states (controld's peer_update_callback).

    A node corosync has never shown this coordinator keeps no state, so that
    the scheduler treats it as unseen (startup-fencing)."""
    states = _states(cib)
    for node in nodes:
        in_ccm = node.nodeid in view.quorum_members
        online = node.nodeid in view.group_nodes
        if _find(states, node) is None and not (in_ccm or online):
            continue
        i = _state_of(states, node)
        join = "member" if online and node.nodeid in joined else (
            "pending" if online else "down")
        states[i] = _set_attrs(states[i], uname=node.name,
                               in_ccm="true" if in_ccm else "false",
                               crmd="online" if online else "offline", join=join)
    return _with_states(cib, states)


def node_joined(cib: m.Cib, node: ClusterNode, history: m.NodeState | None,
                fresh: bool) -> m.Cib:
    """A node completed its join: its resource history is what its executor
    reported; a node whose process is new also loses its transient
    attributes (fail counts), as Pacemaker erases them when a node joins."""
    states = _states(cib)
    i = _state_of(states, node)
    state = states[i]
    lrm = history.lrm_resources if history is not None else ()
    state = evolve(state, lrm_resources=lrm, lrm_id=state.lrm_id or state.id)
    if fresh:
        state = evolve(state, transient=(), transient_id=None)
    states[i] = _set_attrs(state, uname=node.name, crmd="online", join="member",
                           expected="member")
    return _with_states(cib, states)


def expect_down(cib: m.Cib, node: ClusterNode) -> m.Cib:
    """The node was allowed to leave (do_shutdown): its going is clean."""
    states = _states(cib)
    i = _state_of(states, node)
    states[i] = _set_attrs(states[i], expected="down")
    return _with_states(cib, states)


def set_transient(cib: m.Cib, node: ClusterNode, name: str, value: str | None) -> m.Cib:
    """Set (or with None remove) one of the node's transient attributes."""
    states = _states(cib)
    i = _state_of(states, node)
    state = states[i]
    sets = list(state.transient) or [m.AttrSet(id=f"status-{state.id}")]
    pairs = [p for p in sets[0].nvpairs if p.name != name]
    if value is not None:
        pairs.append(m.NvPair(name, value, id=f"status-{state.id}-{name}"))
    sets[0] = evolve(sets[0], nvpairs=pairs)
    states[i] = evolve(state, transient=sets, transient_id=state.transient_id or state.id)
    return _with_states(cib, states)


def set_cluster_option(cib: m.Cib, name: str, value: str) -> m.Cib:
    """Set a cluster option in cib-bootstrap-options (as Pacemaker's DC
    records cluster-infrastructure)."""
    sets = list(cib.configuration.crm_config)
    i = next((k for k, s in enumerate(sets) if s.id == "cib-bootstrap-options"), None)
    if i is None:
        sets.insert(0, m.AttrSet(id="cib-bootstrap-options"))
        i = 0
    if sets[i].get(name) == value:
        return cib
    pairs = [p for p in sets[i].nvpairs if p.name != name]
    pairs.append(m.NvPair(name, value, id=f"cib-bootstrap-options-{name}"))
    sets[i] = evolve(sets[i], nvpairs=pairs)
    return evolve(cib, configuration=evolve(cib.configuration, crm_config=sets))


def transient(cib: m.Cib, name: str, attribute: str) -> str | None:
    for state in cib.status.node_states:
        if state.uname == name:
            for attr_set in state.transient:
                for pair in attr_set.nvpairs:
                    if pair.name == attribute:
                        return pair.value
    return None


def node_state(cib: m.Cib, name: str) -> m.NodeState | None:
    for state in cib.status.node_states:
        if state.uname == name:
            return state
    return None


def replace_status(cib: m.Cib, other: m.Cib) -> m.Cib:
    """``cib`` with ``other``'s status section (node and ticket states)."""
    return evolve(cib, status=other.status)


# ------------------------------------------------------- serialization --

def state_xml(state: m.NodeState | None) -> bytes:
    from pengine.cib.cib_xml import write_cib
    states = (state,) if state is not None else ()
    return write_cib(m.Cib(status=m.Status(node_states=states))).encode()


def state_from_xml(data: bytes) -> m.NodeState | None:
    from pengine.cib.cib_xml import read_cib
    states = read_cib(data, "<join reply>").status.node_states
    return states[0] if states else None


def cib_xml(cib: m.Cib) -> bytes:
    from pengine.cib.cib_xml import write_cib
    return write_cib(cib).encode()


def cib_from_xml(data: bytes, what: str = "<status update>") -> m.Cib:
    from pengine.cib.cib_xml import read_cib
    return read_cib(data, what)
