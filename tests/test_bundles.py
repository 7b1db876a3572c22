"""Bundles (pengine.variants.bundle): replicas, their scheduling, colocations,
probes and the REMOTE_CONTAINER_HACK."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pengine.cib.cib_xml import read_cib
from pengine.schedule.driver import schedule
from pengine.schedule.variants import bundle as bundle_variant
from pengine.status import bundles
from pengine.transitions.graph import create_graph
from pengine.transitions.graph_xml import render_graph_xml
from pengine.schedule.summary import transition_summary

_OP = ('<lrm_rsc_op id="{rid}_{op}_0" operation_key="{rid}_{op}_0" operation="{op}" '
       'interval="0" op-status="0" rc-code="{rc}" call-id="{call}" crm_feature_set="3.0.0" '
       'transition-key="0:0:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" '
       'transition-magic="0:{rc};0:0:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" '
       'on_node="{node}"/>')


def _bundle(bid: str = "web-bundle", replicas: int = 2, primitive: bool = True,
            promoted_max: int = 0, ip: bool = False) -> str:
    promoted = f' promoted-max="{promoted_max}"' if promoted_max else ""
    network = ('<network ip-range-start="192.168.122.131" control-port="3121"/>' if ip
               else '<network control-port="3121"/>')
    inner = ""
    if primitive:
        agent = "Stateful" if promoted_max else "Dummy"
        provider = "pacemaker" if promoted_max else "heartbeat"
        inner = f'<primitive id="{bid}-app" class="ocf" provider="{provider}" type="{agent}"/>'
    return (f'<bundle id="{bid}"><docker image="example:latest" replicas="{replicas}"'
            f'{promoted}/>{network}{inner}</bundle>')


def _primitive(rid: str) -> str:
    return f'<primitive id="{rid}" class="ocf" provider="heartbeat" type="Dummy"/>'


def _cib(nodes: list[str], resources: str, constraints: str = "",
         history: dict[str, list[tuple[str, str, str, str]]] | None = None,
         remote_states: str = "") -> str:
    """A quorate cluster without fencing; ``history`` maps node ->
    (resource id, agent class:provider:type, operation, rc) entries."""
    node_xml = "".join(f'<node id="{n}" uname="{n}"/>' for n in nodes)
    states = []
    for node in nodes:
        entries = []
        for call, (rid, agent, op, rc) in enumerate((history or {}).get(node, []), start=1):
            cls, provider, rtype = agent.split(":")
            entries.append(f'<lrm_resource id="{rid}" class="{cls}" provider="{provider}" '
                           f'type="{rtype}">'
                           + _OP.format(rid=rid, op=op, rc=rc, node=node, call=call)
                           + "</lrm_resource>")
        states.append(f'<node_state id="{node}" uname="{node}" in_ccm="true" crmd="online" '
                      f'join="member" expected="member"><lrm id="{node}"><lrm_resources>'
                      f'{"".join(entries)}</lrm_resources></lrm></node_state>')
    return (f'<cib epoch="1" num_updates="1" admin_epoch="0" have-quorum="1" '
            f'validate-with="pacemaker-3.0"><configuration><crm_config>'
            f'<cluster_property_set id="opts">'
            f'<nvpair id="o1" name="stonith-enabled" value="false"/>'
            f'</cluster_property_set></crm_config><nodes>{node_xml}</nodes>'
            f'<resources>{resources}</resources><constraints>{constraints}</constraints>'
            f'</configuration><status>{"".join(states)}{remote_states}</status></cib>')


def _run(xml: str):
    sch = schedule(read_cib(xml))
    return sch, create_graph(sch)


def _summary(sch) -> list[str]:
    return [" ".join(line.split()) for line in transition_summary(sch)]


def _where(sch, rsc_id: str) -> str | None:
    node = sch.find_resource(rsc_id).assigned_node
    return node.name if node is not None else None


_DOCKER = "ocf:heartbeat:docker"
_REMOTE = "ocf:pacemaker:remote"


# ---------------------------------------------------------------- unpack --

def test_replica_resources_are_unique_primitives_of_the_bundle():
    """pe__unpack_resource: a bundle's children are their own top, so they are
    unique (no clone instance numbering in the graph)."""
    sch, _ = _run(_cib(["node1", "node2"], _bundle()))
    container = sch.find_resource("web-bundle-docker-0")
    remote = sch.find_resource("web-bundle-0")
    assert container.unique and remote.unique
    assert not sch.find_resource("web-bundle").unique          # replicas-per-host=1
    assert not sch.find_resource("web-bundle-clone").unique
    from pengine.transitions.graph_xml import resource_details
    assert ("long-id", "web-bundle-docker-0") not in resource_details(container)


# ------------------------------------------------------------ assignment --

def test_fresh_bundle_starts_containers_connections_and_bundled_instances():
    sch, graph = _run(_cib(["node1", "node2"], _bundle()))
    assert _where(sch, "web-bundle-docker-0") == "node1"
    assert _where(sch, "web-bundle-docker-1") == "node2"
    # each bundled instance runs on its own replica's bundle node
    assert _where(sch, "web-bundle-app:0") == "web-bundle-0"
    assert _where(sch, "web-bundle-app:1") == "web-bundle-1"
    assert _where(sch, "web-bundle-0") == "node1"
    assert _summary(sch) == [
        "* Start web-bundle-docker-0 ( node1 )", "* Start web-bundle-0 ( node1 )",
        "* Start web-bundle-app:0 ( web-bundle-0 )",
        "* Start web-bundle-docker-1 ( node2 )", "* Start web-bundle-1 ( node2 )",
        "* Start web-bundle-app:1 ( web-bundle-1 )"]
    keys = {a.key for a in graph.actions()}
    assert {"web-bundle_start_0", "web-bundle_running_0", "web-bundle-clone_start_0"} <= keys


def _digest(xml: str, rsc_id: str, node: str) -> str:
    """The op-digest a start of ``rsc_id`` on ``node`` records (for histories
    that match the configuration)."""
    from pengine.cib import model as m
    from pengine.cli.simulate import effective_date
    from pengine.status.digests_compare import compute
    from pengine.status.unpack import unpack
    cib = read_cib(xml)
    sch = unpack(cib, effective_date(cib, None)[0])
    op = m.LrmRscOp(id=f"{rsc_id}_last_0", attributes=[
        ("operation", "start"), ("interval", "0"), ("crm_feature_set", "3.0.0")])
    return compute(sch, sch.find_resource(rsc_id), op, sch.find_node(node)).all


def test_containers_stay_on_their_current_hosts():
    history = {"node2": [("web-bundle-docker-0", _DOCKER, "start", "0")]}
    xml = _cib(["node1", "node2"], _bundle(primitive=False), history=history)
    digest = _digest(xml, "web-bundle-docker-0", "node2")
    xml = xml.replace('on_node="node2"/>', f'on_node="node2" op-digest="{digest}"/>')
    sch, _ = _run(xml)
    assert _where(sch, "web-bundle-docker-0") == "node2"
    assert _where(sch, "web-bundle-docker-1") == "node1"
    assert "* Start web-bundle-docker-1 ( node1 )" in _summary(sch)
    assert not any("web-bundle-docker-0" in line for line in _summary(sch))


# ------------------------------------------------------------ colocation --

def test_mandatory_colocation_with_a_bundle_keeps_the_dependent_on_container_hosts():
    coloc = ('<rsc_colocation id="with" rsc="vip" with-rsc="web-bundle" score="INFINITY"/>'
             '<rsc_location id="prefer" rsc="vip" node="node3" score="100"/>'
             '<rsc_location id="ban" rsc="web-bundle" node="node3" score="-INFINITY"/>')
    sch, _ = _run(_cib(["node1", "node2", "node3"], _bundle(primitive=False) + _primitive("vip"),
                       coloc))
    hosts = {_where(sch, "web-bundle-docker-0"), _where(sch, "web-bundle-docker-1")}
    assert _where(sch, "vip") in hosts
    assert "node3" not in hosts


def test_a_bundle_node_pairs_with_the_container_on_its_host():
    """get_bundle_node_host: a colocation between bundles pairs a bundled
    instance (on a bundle node) with the other bundle's container on the host."""
    coloc = '<rsc_colocation id="c" rsc="db-bundle" with-rsc="web-bundle" score="INFINITY"/>'
    sch, _ = _run(_cib(["node1", "node2"], _bundle("web-bundle", primitive=False)
                       + _bundle("db-bundle"), coloc))
    for offset in (0, 1):
        host = _where(sch, f"db-bundle-docker-{offset}")
        assert host in ("node1", "node2")
        node = sch.find_node(f"db-bundle-{offset}")
        assert bundle_variant._bundle_node_host(node).name == host
        # the bundled instance is not stopped for want of a compatible container
        assert _where(sch, f"db-bundle-app:{offset}") == f"db-bundle-{offset}"
    web = sch.find_resource("web-bundle")
    inner = sch.find_resource("db-bundle-app:0")
    container = bundle_variant._compatible_container(sch, inner, web)
    assert container is not None and container.assigned_node is \
        sch.find_resource("db-bundle-docker-0").assigned_node


def test_promoted_role_colocation_reaches_the_bundled_clone_while_roles_are_chosen():
    from pengine.schedule.variants import with_this_colocations
    coloc = ('<rsc_colocation id="vip-with-promoted" rsc="vip" with-rsc="db-bundle" '
             'with-rsc-role="Promoted" score="INFINITY"/>')
    xml = _cib(["node1", "node2"], _bundle("db-bundle", promoted_max=1) + _primitive("vip"),
               coloc)
    sch, _ = _run(xml)
    bundle = sch.find_resource("db-bundle")
    clone = bundles.bundled_resource(bundle)
    assert clone.promotable
    # roles were chosen: the clone (and its assigned instances) see the
    # bundle's colocations
    assert [c.id for c in with_this_colocations(clone)] == ["vip-with-promoted"]
    assert bundle_variant._wants_bundle_colocations(bundle, clone.children[0])
    # before roles are chosen they do not
    clone.promotable_flags.discard("promotion_constrained")
    assert with_this_colocations(clone) == []
    # the containers always do, an unrelated primitive never
    container = sch.find_resource("db-bundle-docker-0")
    assert bundle_variant._wants_bundle_colocations(bundle, container)
    assert not bundle_variant._wants_bundle_colocations(bundle, sch.find_resource("vip"))


# ---------------------------------------------------------------- probes --

def test_no_probe_on_a_bundle_node_for_resources_unpacked_later():
    """A bundle node's discovery mode is never: a resource unpacked after the
    bundle has no entry for the node and is not probed there, nor is its
    start ordered after the (stopped) container's probe."""
    sch, graph = _run(_cib(["node1"], _bundle(replicas=1) + _primitive("later")))
    assert sch.find_node("web-bundle-0").online         # the connection will start
    by_id = {s.action.id: s.action for s in graph.synapses}
    start = next(s for s in graph.synapses if s.action.uuid == "later_start_0")
    inputs = {by_id[i].uuid for i in start.inputs}
    assert inputs == {"later_monitor_0"}
    assert not any(a.node == "web-bundle-0" and a.uuid.startswith("later")
                   for a in graph.actions())


# ------------------------------------------------- REMOTE_CONTAINER_HACK --

def test_uname_address_is_the_container_host_in_graph_parameters():
    sch, graph = _run(_cib(["node1", "node2"], _bundle()))
    remote = sch.find_resource("web-bundle-1")
    assert bundles.needs_remote_name(sch, remote)
    assert bundle_variant.remote_name(sch, remote) == "node2"
    root = ET.fromstring(render_graph_xml(graph, sch))
    addrs = {}
    for op in root.iter("rsc_op"):
        if op.get("operation_key") == "web-bundle-1_start_0" and op.find("attributes") \
                is not None:
            addrs = op.find("attributes").attrib
    assert addrs.get("addr") == "node2"


def test_uname_address_falls_back_to_where_the_container_runs():
    history = {"node2": [("web-bundle-docker-0", _DOCKER, "start", "0")]}
    xml = _cib(["node1", "node2"], _bundle(replicas=1), history=history)
    from pengine.cli.simulate import effective_date
    from pengine.status.unpack import unpack
    cib = read_cib(xml)
    sch = unpack(cib, effective_date(cib, None)[0])
    remote = sch.find_resource("web-bundle-0")
    assert sch.find_resource("web-bundle-docker-0").assigned_node is None
    assert bundle_variant.remote_name(sch, remote) == "node2"


def test_ip_range_connections_need_no_remote_name():
    sch, _ = _run(_cib(["node1"], _bundle(replicas=1, ip=True)))
    remote = sch.find_resource("web-bundle-0")
    assert not bundles.needs_remote_name(sch, remote)
    assert bundle_variant.remote_name(sch, remote) is None


# ------------------------------------------------------------------ graph --

def test_graph_adds_bundled_clone_then_replicas_then_bundle_pseudo_actions():
    """pcmk__bundle_add_actions_to_graph: the bundled clone, each replica's
    IP, container and connection; the bundle's own actions come last, with
    the scheduler's action list."""
    sch, graph = _run(_cib(["node1", "node2"], _bundle(ip=True)))
    order = [s.action.uuid for s in graph.synapses]
    first = {uuid: order.index(uuid) for uuid in reversed(order)}
    assert first["web-bundle-clone_start_0"] < first["web-bundle-ip-192.168.122.131_start_0"] \
        < first["web-bundle-docker-0_start_0"] < first["web-bundle-0_start_0"] \
        < first["web-bundle-ip-192.168.122.132_start_0"] < first["web-bundle-docker-1_start_0"] \
        < first["web-bundle_start_0"]
