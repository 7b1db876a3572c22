"""The clone variant and instance handling (pengine.variants.clone, pengine.instances)."""

from __future__ import annotations

from pengine.cib.cib_xml import read_cib
from pengine.schedule import instances as inst
from pengine.status.cluster import Colocation, Resource, Role
from pengine.schedule.driver import schedule
from pengine.schedule.variants import clone as clone_variant
from pengine.transitions.graph import create_graph
from pengine.schedule.summary import transition_summary

# the digest of an empty parameter set, as recorded by an old feature set
_OP = ('<lrm_rsc_op id="{rid}_{op}_0" operation="{op}" interval="0" op-status="0" '
       'op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8" '
       'rc-code="{rc}" call-id="1" crm_feature_set="1.0.6" '
       'transition-key="0:0:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" '
       'transition-magic="0:{rc};0:0:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" on_node="{node}"/>')


def _clone(cid: str, child: str, meta: dict[str, str] | None = None) -> str:
    pairs = "".join(f'<nvpair id="{cid}-{k}" name="{k}" value="{v}"/>'
                    for k, v in (meta or {}).items())
    return (f'<clone id="{cid}"><meta_attributes id="{cid}-meta">{pairs}</meta_attributes>'
            f'<primitive id="{child}" class="ocf" provider="heartbeat" type="Dummy"/></clone>')


def _cib(nodes: list[str], resources: str, constraints: str = "",
         running: dict[str, list[str]] | None = None) -> str:
    """A quorate cluster without fencing; ``running`` maps node -> history ids started there."""
    node_xml = "".join(f'<node id="{n}" uname="{n}"/>' for n in nodes)
    states = []
    for node in nodes:
        entries = "".join(
            f'<lrm_resource id="{rid}" class="ocf" provider="heartbeat" type="Dummy">'
            + _OP.format(rid=rid, op="start", rc=0, node=node) + "</lrm_resource>"
            for rid in (running or {}).get(node, []))
        states.append(f'<node_state id="{node}" uname="{node}" in_ccm="true" crmd="online" '
                      f'join="member" expected="member"><lrm id="{node}"><lrm_resources>'
                      f'{entries}</lrm_resources></lrm></node_state>')
    return (f'<cib epoch="1" num_updates="1" admin_epoch="0" have-quorum="1" '
            f'validate-with="pacemaker-3.0"><configuration><crm_config>'
            f'<cluster_property_set id="opts">'
            f'<nvpair id="o1" name="stonith-enabled" value="false"/>'
            f'<nvpair id="o2" name="enable-startup-probes" value="false"/>'
            f'</cluster_property_set></crm_config><nodes>{node_xml}</nodes>'
            f'<resources>{resources}</resources><constraints>{constraints}</constraints>'
            f'</configuration><status>{"".join(states)}</status></cib>')


def _run(xml: str):
    sch = schedule(read_cib(xml))
    return sch, create_graph(sch)


def _where(sch, rsc_id: str) -> dict[str, str | None]:
    clone = sch.find_resource(rsc_id)
    return {child.id: (child.assigned_node.name if child.assigned_node else None)
            for child in clone.children}


def _summary(sch) -> list[str]:
    return [" ".join(line.split()) for line in transition_summary(sch)]


# ---------------------------------------------------------------- helpers --

def test_instance_numbers_sort_numerically_for_clones_and_bundle_replicas():
    a, b, c = Resource("rsc:10", "primitive", None, None), Resource("rsc:9", "primitive", None,
                                                                       None), \
        Resource("web-bundle-2", "primitive", None, None)
    assert inst.instance_number(a) == 10 and inst.instance_number(c) == 2
    items = [a, b]
    inst.sort_by_number(items)
    assert [r.id for r in items] == ["rsc:9", "rsc:10"]


def test_colocation_list_merge_keeps_pacemaker_3_0_quirk():
    """Into a non-empty list Pacemaker adds the first colocation once per element."""
    dep = Resource("dep", "primitive", None, None)
    prim = [Resource(f"p{i}", "primitive", None, None) for i in range(3)]
    cons = [Colocation(f"c{i}", dep, prim[i], 10, Role.UNKNOWN, Role.UNKNOWN, "#uname", True,
                       True) for i in range(3)]
    empty: list = []
    clone_variant._add_list(empty, cons[1:], this_with=True)
    assert empty == cons[1:]
    nonempty = [cons[0]]
    clone_variant._add_list(nonempty, cons[1:], this_with=True)
    assert nonempty == [cons[0], cons[1], cons[1]]


# ------------------------------------------------------------ assignment --

def test_stopped_anonymous_clone_starts_one_instance_per_node():
    sch, graph = _run(_cib(["node1", "node2", "node3"], _clone("web-clone", "web")))
    assert sorted(_where(sch, "web-clone").values()) == ["node1", "node2", "node3"]
    assert _summary(sch) == ["* Start web:0 ( node1 )", "* Start web:1 ( node2 )",
                             "* Start web:2 ( node3 )"]
    pseudo = {a.uuid for a in graph.actions() if a.kind == "pseudo_event"}
    assert pseudo == {"web-clone_start_0", "web-clone_running_0"}


def test_running_instances_stay_where_they_are():
    """The no-shuffle rule: the active instance keeps its node, the rest fill in."""
    xml = _cib(["node1", "node2", "node3"], _clone("web-clone", "web", {"clone-max": "2"}),
               running={"node3": ["web"]})
    sch, _ = _run(xml)
    where = _where(sch, "web-clone")
    assert where["web:0"] == "node3"          # the history entry maps to the first instance
    assert where["web:1"] == "node1"
    assert _summary(sch) == ["* Start web:1 ( node1 )"]


def test_clone_max_limits_the_instances_assigned():
    sch, _ = _run(_cib(["node1", "node2", "node3"], _clone("web-clone", "web",
                                                            {"clone-max": "1"})))
    assert list(_where(sch, "web-clone").values()) == ["node1"]


def test_unique_clone_may_run_several_instances_per_node():
    meta = {"globally-unique": "true", "clone-max": "4", "clone-node-max": "2"}
    sch, _ = _run(_cib(["node1", "node2"], _clone("web-clone", "web", meta)))
    nodes = sorted(_where(sch, "web-clone").values())
    assert nodes == ["node1", "node1", "node2", "node2"]


def test_anonymous_clone_node_max_is_one_when_explicitly_anonymous():
    meta = {"globally-unique": "false", "clone-max": "4", "clone-node-max": "2"}
    sch, _ = _run(_cib(["node1", "node2"], _clone("web-clone", "web", meta)))
    assert sorted(n for n in _where(sch, "web-clone").values() if n) == ["node1", "node2"]


def test_banned_node_gets_no_instance_and_running_one_stops():
    ban = '<rsc_location id="ban" rsc="web-clone" node="node2" score="-INFINITY"/>'
    xml = _cib(["node1", "node2"], _clone("web-clone", "web"), ban,
               running={"node1": ["web"], "node2": ["web"]})
    sch, _ = _run(xml)
    assert sorted(n for n in _where(sch, "web-clone").values() if n) == ["node1"]
    assert _summary(sch) == ["* Stop web:1 ( node2 ) due to node availability"]


def test_primitive_colocated_with_clone_goes_where_an_instance_is():
    resources = _clone("web-clone", "web", {"clone-max": "1"}) + \
        '<primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2"/>'
    cons = '<rsc_colocation id="ip-with-web" rsc="ip" with-rsc="web-clone" score="INFINITY"/>'
    xml = _cib(["node1", "node2"], resources, cons, running={"node2": ["web"]})
    sch, _ = _run(xml)
    assert sch.find_resource("ip").assigned_node.name == "node2"


# --------------------------------------------------------------- orderings --

def test_interleaved_clones_order_instances_on_the_same_node():
    resources = _clone("a-clone", "a") + _clone("b-clone", "b", {"interleave": "true"})
    cons = ('<rsc_order id="a-then-b" first="a-clone" then="b-clone"/>'
            '<rsc_colocation id="b-with-a" rsc="b-clone" with-rsc="a-clone" score="INFINITY"/>')
    sch, graph = _run(_cib(["node1", "node2"], resources, cons))
    by_id = {a.id: a for a in graph.actions()}
    for syn in graph.synapses:
        action = syn.action
        if action.task != "start" or action.kind != "rsc_op" or action.rsc_config_id != "b":
            continue
        firsts = [by_id[i] for i in syn.inputs if i in by_id]
        a_starts = [f for f in firsts if f.task == "start" and f.rsc_config_id == "a"]
        assert [f.node for f in a_starts] == [action.node]


def test_non_interleaved_clones_wait_for_the_whole_first_clone():
    resources = _clone("a-clone", "a") + _clone("b-clone", "b")
    cons = '<rsc_order id="a-then-b" first="a-clone" then="b-clone"/>'
    sch, graph = _run(_cib(["node1", "node2"], resources, cons))
    by_uuid = {a.uuid: a for a in graph.actions()}
    running = by_uuid["a-clone_running_0"]
    start_b = next(s for s in graph.synapses if s.action.uuid == "b-clone_start_0")
    assert running.id in start_b.inputs


def test_collective_flags_follow_the_instances():
    sch, _ = _run(_cib(["node1"], _clone("web-clone", "web"), running={"node1": ["web"]}))
    clone = sch.find_resource("web-clone")
    stop = next(a for a in clone.actions if a.task == "stop")
    flags = clone_variant.action_flags(stop, None)
    from pengine.status.cluster import AF
    assert flags & AF.OPTIONAL            # nothing stops
    start = next(a for a in clone.actions if a.task == "start")
    assert clone_variant.action_flags(start, None) & AF.RUNNABLE


# --------------------------------------------------------------- matching --

def test_find_compatible_instance_by_assigned_node():
    resources = _clone("a-clone", "a") + _clone("b-clone", "b")
    sch, _ = _run(_cib(["node1", "node2"], resources))
    a_clone = sch.find_resource("a-clone")
    for b in sch.find_resource("b-clone").children:
        match = inst.find_compatible_instance(b, a_clone, Role.UNKNOWN, False, sch)
        assert match is not None and match.assigned_node is b.assigned_node


# -------------------------------------------------------- probes, display --

def test_anonymous_clone_is_probed_once_per_node():
    xml = _cib(["node1", "node2"], _clone("web-clone", "web")).replace(
        'name="enable-startup-probes" value="false"', 'name="enable-startup-probes" value="true"')
    sch, _ = _run(xml)
    probes = [(a.rsc.id, a.node.name) for a in sch.actions if a.task == "monitor"]
    assert sorted(probes) == [("web:0", "node1"), ("web:1", "node2")]


def test_instances_with_history_are_shown_by_configured_id():
    """crm_simulate shows an anonymous instance by its configured id when the
    history knows it by that name, else by the instance id."""
    xml = _cib(["node1", "node2"], _clone("web-clone", "web"), running={"node1": ["web"]})
    ban = '<rsc_location id="ban" rsc="web-clone" node="node1" score="-INFINITY"/>'
    sch, graph = _run(xml.replace("<constraints></constraints>",
                                  f"<constraints>{ban}</constraints>"))
    stop = next(a for a in graph.actions() if a.task == "stop" and a.kind == "rsc_op")
    assert (stop.rsc_id, stop.rsc_config_id) == ("web", "web")
    sch, graph = _run(_cib(["node1", "node2"], _clone("web-clone", "web")))
    start = next(a for a in graph.actions() if a.task == "start" and a.kind == "rsc_op")
    assert start.rsc_id.startswith("web:") and start.rsc_config_id == "web"
