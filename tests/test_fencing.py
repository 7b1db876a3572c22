"""Fencing: who can be fenced, how each kind of node is fenced, fencing delays."""

from __future__ import annotations

from datetime import datetime, timezone

from pengine.status.cluster import AF, NoQuorum, Node, Resource, Scheduler
from pengine.status.fencing import can_fence, fence_op
from pengine.status.unpack import fence_node

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _scheduler(*nodes: Node, quorate: bool = True) -> Scheduler:
    sch = Scheduler(None, NOW, 0)
    sch.have_fencing = True
    sch.quorate = quorate
    sch.nodes = list(nodes)
    return sch


def _node(name: str, online: bool = True, variant: str = "cluster") -> Node:
    node = Node(name, name, variant)
    node.online = online
    return node


def _guest(name: str, launcher: Resource) -> Node:
    conn = Resource(name, "primitive", None, None)
    conn.is_remote_connection = True
    conn.launcher = launcher
    launcher.launched.append(conn)
    node = _node(name, variant="remote")
    node.remote_rsc = conn
    return node


def test_can_fence_follows_fencing_and_quorum():
    n1, n2 = _node("n1"), _node("n2", online=False)
    sch = _scheduler(n1, n2)
    assert can_fence(sch, n2)
    sch.quorate = False
    # without quorum only nodes in our partition, unless quorum is ignored
    assert can_fence(sch, n1) and not can_fence(sch, n2)
    sch.no_quorum_policy = NoQuorum.IGNORE
    assert can_fence(sch, n2)
    sch.have_fencing = False
    assert not can_fence(sch, n1)
    sch.have_fencing, sch.fencing_enabled = True, False
    assert not can_fence(sch, n1)


def test_guest_can_be_fenced_only_if_its_host_is_up_or_fenceable():
    host = _node("host", online=False)
    vm = Resource("vm", "primitive", None, None)
    vm.running_on = [host]
    guest = _guest("guest1", vm)
    sch = _scheduler(host, guest)
    sch.fencing_enabled = False  # guests are "fenced" by stopping their launcher
    assert not can_fence(sch, guest)
    host.online = True
    assert can_fence(sch, guest)


def test_fencing_a_cluster_node_makes_it_unclean_once():
    n1 = _node("n1")
    sch = _scheduler(n1)
    fence_node(sch, n1, "peer is no longer part of the cluster", False)
    fence_node(sch, n1, "another reason", False)
    fence = sch.singletons["stonith-n1-reboot"]
    assert n1.unclean and fence.optional  # required later by schedule_fencing_and_shutdowns
    assert fence.reason == "peer is no longer part of the cluster"
    assert fence.meta["stonith_action"] == "reboot" and fence.meta["on_node"] == "n1"


def test_fencing_a_guest_recovers_its_launcher():
    vm = Resource("vm", "primitive", None, None)
    guest = _guest("guest1", vm)
    sch = _scheduler(guest)
    fence_node(sch, guest, "guest is unclean", False)
    assert vm.failed and vm.stop_if_failed and guest.remote_reset
    assert not guest.unclean and not sch.singletons


def test_unmanaged_launcher_is_not_recovered():
    vm = Resource("vm", "primitive", None, None)
    vm.managed = False
    guest = _guest("guest1", vm)
    fence_node(_scheduler(guest), guest, "guest is unclean", False)
    assert not vm.failed and not guest.remote_reset


def test_dangling_guest_connection_is_cleaned_up():
    # the launcher was removed from the configuration: its connection is an orphan
    conn = Resource("guest1", "primitive", None, None)
    conn.is_remote_connection = conn.removed = conn.removed_launched = True
    node = _node("guest1", variant="remote")
    node.remote_rsc = conn
    sch = _scheduler(node)
    fence_node(sch, node, "peer is unclean", False)
    assert conn.failed and conn.stop_if_failed
    assert not node.unclean and not sch.singletons


def test_remote_node_is_fenced_even_if_its_connection_is_unmanaged():
    conn = Resource("remote1", "primitive", None, None)
    conn.is_remote_connection = True
    conn.managed = False
    node = _node("remote1", variant="remote")
    node.remote_rsc = conn
    sch = _scheduler(node)
    fence_node(sch, node, "remote connection is unrecoverable", False)
    assert node.unclean and not node.remote_reset
    assert "stonith-remote1-reboot" in sch.singletons


def test_priority_fencing_delay_goes_to_the_most_important_lost_node():
    n1, n2 = _node("n1", online=False), _node("n2", online=False)
    n1.priority, n2.priority = 10, 1
    sch = _scheduler(n1, n2)
    sch.priority_fencing_ms = 5000
    fence_op(sch, n1, None, False, "lost", True)
    fence_op(sch, n2, None, False, "lost", True)
    assert sch.singletons["stonith-n1-reboot"].meta["priority-fencing-delay"] == "5"
    assert sch.singletons["stonith-n2-reboot"].meta["priority-fencing-delay"] == "0"
    # a required fencing of a node that can be fenced is no longer optional
    assert not sch.singletons["stonith-n1-reboot"].has(AF.OPTIONAL)
