"""Remote and guest nodes: connection states, orderings, routing (pcmk_sched_remote.c)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pengine.cib.cib_xml import read_cib
from pengine.status.cluster import Action, Node, Rel, Resource, Role, Scheduler
from pengine.schedule.remote_orderings import (
    ConnectionState, connection_host_for_action, guest_meta, is_failed_remote_node,
    remote_node_state, rsc_corresponds_to_guest, substitute_remote_addr)
from pengine.schedule.driver import schedule

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


# ------------------------------------------------------------ in isolation --

def _cluster_node(name: str, online: bool = True, unclean: bool = False) -> Node:
    node = Node(name, name)
    node.online, node.unclean = online, unclean
    return node


def _remote(name: str = "remote1", launcher: Resource | None = None) -> tuple[Node, Resource]:
    rsc = Resource(name, "primitive", None, None)
    rsc.is_remote_connection = True
    rsc.needs_fencing = False
    if launcher is not None:
        rsc.launcher = launcher
        launcher.launched.append(rsc)
    node = Node(name, name, "remote")
    node.remote_rsc = rsc
    return node, rsc


def _action(task: str, node: Node, rsc: Resource | None = None, interval: int = 0) -> Action:
    action = Action(1, f"{rsc.id if rsc else 'x'}_{task}_{interval}", task, rsc, node)
    action.interval_ms = interval
    return action


def test_connection_alive_when_running_and_staying():
    host = _cluster_node("n1")
    node, conn = _remote()
    conn.running_on = [host]
    conn.assigned_node = host
    conn.next_role = Role.STARTED
    assert remote_node_state(node) == ConnectionState.ALIVE


def test_connection_resting_on_dead_host_and_unknown_when_not_running():
    dead = _cluster_node("n1", online=False, unclean=True)
    other = _cluster_node("n2")
    node, conn = _remote()
    conn.running_on = [dead]
    conn.assigned_node = other
    conn.next_role = Role.STARTED
    assert remote_node_state(node) == ConnectionState.RESTING
    conn.running_on = []
    assert remote_node_state(node) == ConnectionState.UNKNOWN


def test_connection_resting_while_migrating():
    n1, n2 = _cluster_node("n1"), _cluster_node("n2")
    node, conn = _remote()
    conn.running_on = [n1, n2]
    conn.partial_migration_source, conn.partial_migration_target = n1, n2
    conn.assigned_node = n2
    conn.next_role = Role.STARTED
    assert remote_node_state(node) == ConnectionState.RESTING


def test_connection_going_nowhere():
    host = _cluster_node("n1")
    node, conn = _remote()
    conn.running_on = [host]
    conn.next_role = Role.STOPPED
    # cleanly stopping
    assert remote_node_state(node) == ConnectionState.STOPPED
    assert not is_failed_remote_node(node)
    # failed: nothing can reach the node any more
    conn.failed = True
    assert remote_node_state(node) == ConnectionState.FAILED
    assert is_failed_remote_node(node)
    # failed, but fenced and waiting to reconnect: unknown until the interval expires
    conn.remote_reconnect_ms = 60000
    node.remote_fenced = True
    assert remote_node_state(node) == ConnectionState.UNKNOWN
    node.attrs["shutdown"] = "1234"
    assert remote_node_state(node) == ConnectionState.FAILED


def test_connection_on_unclean_host_that_cannot_recover_it_is_failed():
    host = _cluster_node("n1", online=False, unclean=True)
    node, conn = _remote()
    conn.running_on = [host]
    conn.assigned_node = None
    assert remote_node_state(node) == ConnectionState.FAILED


def test_guest_nodes_are_never_failed_remote_nodes():
    launcher = Resource("vm", "primitive", None, None)
    node, conn = _remote("guest1", launcher)
    conn.failed = True
    conn.next_role = Role.STOPPED
    assert remote_node_state(node) == ConnectionState.FAILED
    assert not is_failed_remote_node(node)
    assert rsc_corresponds_to_guest(launcher, node)
    assert not rsc_corresponds_to_guest(conn, node)
    assert not rsc_corresponds_to_guest(launcher, _cluster_node("n1"))


def test_connection_host_routing():
    n1, n2 = _cluster_node("n1"), _cluster_node("n2")
    node, conn = _remote()
    rsc = Resource("web", "primitive", None, None)
    # starting: through the next host
    conn.assigned_node = n2
    assert connection_host_for_action(_action("start", node, rsc)) is n2
    # stopping: through the current host
    conn.running_on, conn.assigned_node = [n1], None
    assert connection_host_for_action(_action("monitor", node, rsc)) is n1
    # moving: down actions through the old host, everything else the new one
    conn.assigned_node = n2
    assert connection_host_for_action(_action("stop", node, rsc)) is n1
    assert connection_host_for_action(_action("demote", node, rsc)) is n1
    assert connection_host_for_action(_action("start", node, rsc)) is n2
    notify = _action("notify", node, rsc)
    notify.meta["notify_operation"] = "stop"
    assert connection_host_for_action(notify) is n1
    # a partially migrated remote connection routes everything through the target
    conn.partial_migration_target = n2
    assert connection_host_for_action(_action("stop", node, rsc)) is n2
    # fencing and cluster nodes are never routed
    assert connection_host_for_action(_action("stonith", node)) is None
    assert connection_host_for_action(_action("start", n1, rsc)) is None


def test_guest_meta_names_the_physical_host():
    n1, n2 = _cluster_node("n1"), _cluster_node("n2")
    launcher = Resource("vm", "primitive", None, None)
    launcher.running_on, launcher.assigned_node = [n1], n2
    node, _conn = _remote("guest1", launcher)
    rsc = Resource("web", "primitive", None, None)
    assert guest_meta(_action("stop", node, rsc)) == {"physical_host": "n1"}
    assert guest_meta(_action("start", node, rsc)) == {"physical_host": "n2"}
    rsc.meta["container-attribute-target"] = "host"
    assert guest_meta(_action("monitor", node, rsc, 10000)) == {
        "container-attribute-target": "host", "physical_host": "n2"}
    assert guest_meta(_action("migrate_to", node, rsc)) == {}
    assert guest_meta(_action("start", n1, rsc)) == {}


def test_substitute_remote_addr_only_for_uname_placeholder(monkeypatch):
    import pengine.status.unpack as unpack
    monkeypatch.setattr(unpack, "rsc_params", lambda sch, rsc, node: {"addr": "10.0.0.9"})
    rsc = Resource("conn", "primitive", None, None)
    params = {"addr": "#uname"}
    substitute_remote_addr(None, rsc, params)
    assert params == {"addr": "10.0.0.9"}
    params = {"addr": "10.1.1.1"}
    substitute_remote_addr(None, rsc, params)
    assert params == {"addr": "10.1.1.1"}


# ------------------------------------------------------- whole schedules --

def _op(rsc: str, task: str, call: int, rc: int = 0, interval: int = 0) -> str:
    key = f"{call}:1:0:test"
    return (f'<lrm_rsc_op id="{rsc}-{call}" operation_key="{rsc}_{task}_{interval}" '
            f'operation="{task}" call-id="{call}" rc-code="{rc}" op-status="0" '
            f'interval="{interval}" transition-key="{key}" transition-magic="0:{rc};{key}"/>')


def _history(rsc: str, agent: str, *ops: str) -> str:
    cls, _, rest = agent.partition(":")
    if cls == "stonith":
        attrs = f'class="stonith" type="{rest}"'
    else:
        provider, _, rtype = rest.partition(":")
        attrs = f'class="{cls}" provider="{provider}" type="{rtype}"'
    return f'<lrm_resource id="{rsc}" {attrs}>{"".join(ops)}</lrm_resource>'


def _cib(*, connection_meta: str = "", constraints: str = "", n1_history: str = "",
         remote_history: str = "") -> str:
    return f"""<cib admin_epoch="0" epoch="1" num_updates="1" have-quorum="1" dc-uuid="n1"
  validate-with="pacemaker-3.0">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="o1" name="fencing-enabled" value="true"/>
    </cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
    <resources>
      <primitive id="fence" class="stonith" type="fence_xvm"/>
      <primitive id="remote1" class="ocf" provider="pacemaker" type="remote">
        <meta_attributes id="remote1-meta">{connection_meta}</meta_attributes>
      </primitive>
      <primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>
    </resources>
    <constraints>{constraints}</constraints>
  </configuration>
  <status>
    <node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="n1"><lrm_resources>
        {_history("fence", "stonith:fence_xvm", _op("fence", "start", 1))}
        {n1_history}
      </lrm_resources></lrm>
    </node_state>
    <node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="remote1" uname="remote1" remote_node="true">
      <lrm id="remote1"><lrm_resources>{remote_history}</lrm_resources></lrm>
    </node_state>
  </status>
</cib>"""


_CONNECTION_UP = _history("remote1", "ocf:pacemaker:remote", _op("remote1", "start", 2))
_WEB_ON_REMOTE = _history("web", "ocf:heartbeat:Dummy", _op("web", "start", 3))


def _run(xml: str) -> Scheduler:
    return schedule(read_cib(xml), NOW)


def _relation(first: Action, then: Action) -> int:
    return next((rel.flags for rel in then.actions_before if rel.action is first), 0)


def _find(sch: Scheduler, uuid: str, node: str | None = None) -> Action:
    for action in sch.actions:
        if action.uuid == uuid and (node is None or action.node.name == node):
            return action
    raise AssertionError(f"no action {uuid} on {node}")


def test_probe_on_remote_node_waits_for_the_connection():
    sch = _run(_cib(n1_history=_CONNECTION_UP))
    probe = _find(sch, "web_monitor_0", "remote1")
    conn_start = _find(sch, "remote1_start_0")
    flags = _relation(conn_start, probe)
    assert flags & Rel.GUEST_ALLOWED and flags & Rel.UNRUNNABLE_FIRST_BLOCKS


def test_resource_on_remote_node_stops_before_its_connection():
    sch = _run(_cib(connection_meta='<nvpair id="rm1" name="target-role" value="Stopped"/>',
                    n1_history=_CONNECTION_UP, remote_history=_WEB_ON_REMOTE))
    stop = _find(sch, "web_stop_0", "remote1")
    conn_stop = _find(sch, "remote1_stop_0")
    flags = _relation(stop, conn_stop)
    assert flags & Rel.THEN_IMPLIES_FIRST and flags & Rel.GUEST_ALLOWED
    assert not stop.optional and stop.runnable and not stop.pseudo


def test_unrecoverable_connection_fences_the_remote_node():
    # The connection's monitor failed and it may run nowhere: only fencing
    # can stop what runs on remote1.
    failed = _history("remote1", "ocf:pacemaker:remote", _op("remote1", "start", 2),
                      _op("remote1", "monitor", 4, rc=1, interval=30000))
    bans = ('<rsc_location id="b1" rsc="remote1" node="n1" score="-INFINITY"/>'
            '<rsc_location id="b2" rsc="remote1" node="n2" score="-INFINITY"/>')
    sch = _run(_cib(constraints=bans, n1_history=failed, remote_history=_WEB_ON_REMOTE))
    remote = sch.find_node("remote1")
    assert is_failed_remote_node(remote)
    fence = sch.singletons["stonith-remote1-reboot"]
    assert not fence.optional and fence.runnable
    stop = _find(sch, "web_stop_0", "remote1")
    assert stop.pseudo and _relation(fence, stop)


@pytest.mark.parametrize("task,expected", [("start", True), ("stop", False)])
def test_launcher_orderings_for_guest_node(task, expected):
    from pengine.schedule.remote_orderings import apply_launcher_ordering
    sch = Scheduler(None, NOW, 0)
    launcher = Resource("vm", "primitive", None, None)
    node, conn = _remote("guest1", launcher)
    rsc = Resource("web", "primitive", None, None)
    action = _action(task, node, rsc)
    apply_launcher_ordering(sch, action)
    firsts = {(o.first_rsc.id, o.first_key) for o in sch.orderings if o.then_action is action}
    assert (("vm", "vm_start_0") in firsts) is expected
    if task == "stop":
        stops = [o for o in sch.orderings if o.first_action is action]
        assert [(o.then_rsc.id, o.then_key, o.flags) for o in stops] == [
            ("guest1", "guest1_stop_0", Rel.GUEST_ALLOWED)]


def _remote_scheduler(state_setup) -> tuple[Scheduler, Node, Resource]:
    sch = Scheduler(None, NOW, 0)
    sch.have_fencing = sch.quorate = True
    host = _cluster_node("n1")
    node, conn = _remote()
    conn.running_on, conn.assigned_node, conn.next_role = [host], host, Role.STARTED
    state_setup(conn)
    sch.nodes = [host, node]
    return sch, node, conn


def _fail_connection(conn: Resource) -> None:
    conn.failed, conn.next_role, conn.assigned_node = True, Role.STOPPED, None


def _stop_connection(conn: Resource) -> None:
    conn.next_role, conn.assigned_node = Role.STOPPED, None


def test_remote_orderings_by_connection_state():
    from pengine.schedule.remote_orderings import apply_remote_ordering
    rsc = Resource("web", "primitive", None, None)

    # alive: the stop happens before the connection stops, and requires it
    sch, node, _ = _remote_scheduler(lambda conn: None)
    apply_remote_ordering(sch, _action("stop", node, rsc))
    [order] = sch.orderings
    assert (order.then_key, order.flags) == ("remote1_stop_0",
                                             Rel.GUEST_ALLOWED | Rel.THEN_IMPLIES_FIRST)

    # failed: a start is forced by the connection's recovery, a stop means fencing
    sch, node, _ = _remote_scheduler(_fail_connection)
    apply_remote_ordering(sch, _action("start", node, rsc))
    [order] = sch.orderings
    assert order.first_key == "remote1_start_0"
    assert order.flags == Rel.GUEST_ALLOWED | Rel.UNRUNNABLE_FIRST_BLOCKS | Rel.FIRST_IMPLIES_THEN
    apply_remote_ordering(sch, _action("stop", node, rsc))
    assert len(sch.orderings) == 1
    fence = sch.singletons["stonith-remote1-reboot"]
    assert fence.reason == "resources are active but connection is unrecoverable"
    assert node.unclean  # scheduled (required) later, with the other unclean nodes

    # failed: a probe we cannot run also means fencing
    sch, node, _ = _remote_scheduler(_fail_connection)
    apply_remote_ordering(sch, _action("monitor", node, rsc))
    assert sch.singletons["stonith-remote1-reboot"].reason == \
        "resources are in unknown state and connection is unrecoverable"

    # going down for good: probes run before the connection closes
    sch, node, _ = _remote_scheduler(_stop_connection)
    apply_remote_ordering(sch, _action("monitor", node, rsc))
    [order] = sch.orderings
    assert (order.then_key, order.flags) == (
        "remote1_stop_0", Rel.GUEST_ALLOWED | Rel.UNRUNNABLE_FIRST_BLOCKS)

    # recurring monitors restart with the connection
    sch, node, _ = _remote_scheduler(lambda conn: None)
    apply_remote_ordering(sch, _action("monitor", node, rsc, 10000))
    [order] = sch.orderings
    assert order.flags & Rel.FIRST_IMPLIES_THEN

    # demotes wait for a connection still to be recovered, else nothing
    sch, node, conn = _remote_scheduler(lambda conn: None)
    apply_remote_ordering(sch, _action("demote", node, rsc))
    assert sch.orderings == []
    conn.running_on = []
    apply_remote_ordering(sch, _action("demote", node, rsc))
    assert [o.first_key for o in sch.orderings] == ["remote1_start_0"]


def test_connection_clear_failcount_precedes_its_start():
    from pengine.schedule.remote_orderings import order_remote_connection_actions
    sch, node, conn = _remote_scheduler(lambda conn: None)
    sch.have_remote_nodes = True
    clear = Action(0, "remote1_clear_failcount_0", "clear_failcount", conn, sch.nodes[0])
    sch.actions = [clear]
    order_remote_connection_actions(sch)
    [order] = sch.orderings
    assert (order.first_action, order.then_key, order.flags) == (
        clear, "remote1_start_0", Rel.ORDERED)


def test_only_remote_connections_migrate_by_default():
    guest = """<primitive id="vm" class="ocf" provider="heartbeat" type="VirtualDomain">
        <meta_attributes id="vm-meta"><nvpair id="vm-rn" name="remote-node" value="guest1"/>
        </meta_attributes></primitive>"""
    xml = _cib().replace('<primitive id="web"', guest + '<primitive id="web"')
    xml = xml.replace('type="remote">', 'type="Remote">', 1)  # agent names match in any case
    sch = schedule(read_cib(xml), NOW)
    remote, guest_conn = sch.find_resource("remote1"), sch.find_resource("guest1")
    assert remote.is_remote_connection and remote.migratable
    assert guest_conn.is_remote_connection and guest_conn.launcher.id == "vm"
    assert not guest_conn.migratable


def test_reconnect_interval_is_a_remote_connections_failure_timeout():
    xml = _cib().replace(
        '<meta_attributes id="remote1-meta">',
        '<instance_attributes id="remote1-params"><nvpair id="ri" name="reconnect_interval" '
        'value="90s"/></instance_attributes><meta_attributes id="remote1-meta">')
    sch = schedule(read_cib(xml), NOW)
    remote = sch.find_resource("remote1")
    assert remote.remote_reconnect_ms == 90000 and remote.failure_timeout_ms == 90000
    assert sch.find_resource("web").failure_timeout_ms == 0
