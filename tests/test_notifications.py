"""Clone notifications (pengine.notifications)."""

from __future__ import annotations

from pengine.cib.cib_xml import read_cib
from pengine.schedule import notifications as notif
from pengine.status.cluster import Node, Resource
from pengine.schedule.driver import schedule
from pengine.transitions.graph import create_graph

_OP = ('<lrm_rsc_op id="{rid}_{op}_0" operation="{op}" interval="0" op-status="0" '
       'rc-code="0" call-id="{call}" crm_feature_set="1.0.6" '
       'op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8" '
       'transition-key="0:0:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" '
       'transition-magic="0:0;0:0:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" on_node="{node}"/>')


def _clone(meta: dict[str, str] | None = None) -> str:
    pairs = {"notify": "true", **(meta or {})}
    nv = "".join(f'<nvpair id="web-clone-{k}" name="{k}" value="{v}"/>' for k, v in pairs.items())
    return (f'<clone id="web-clone"><meta_attributes id="web-clone-meta">{nv}</meta_attributes>'
            f'<primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/></clone>')


def _cib(nodes: list[str], resources: str, constraints: str = "", *,
         running: dict[str, list[str]] | None = None, fencing: bool = False,
         unclean: tuple[str, ...] = ()) -> str:
    node_xml = "".join(f'<node id="{n}" uname="{n}"/>' for n in nodes)
    states = []
    for node in nodes:
        entries = "".join(
            f'<lrm_resource id="{rid}" class="ocf" provider="heartbeat" type="Dummy">'
            + _OP.format(rid=rid, op="start", call=1, node=node) + "</lrm_resource>"
            for rid in (running or {}).get(node, []))
        online = 'in_ccm="false" crmd="offline"' if node in unclean else \
            'in_ccm="true" crmd="online"'
        states.append(f'<node_state id="{node}" uname="{node}" {online} join="member" '
                      f'expected="member"><lrm id="{node}"><lrm_resources>{entries}'
                      f'</lrm_resources></lrm></node_state>')
    props = ('<nvpair id="o1" name="stonith-enabled" value="true"/>' if fencing else
             '<nvpair id="o1" name="stonith-enabled" value="false"/>')
    if fencing:
        resources = ('<primitive id="fence" class="stonith" type="fence_dummy"/>' + resources)
    return (f'<cib epoch="1" num_updates="1" admin_epoch="0" have-quorum="1" '
            f'validate-with="pacemaker-3.0"><configuration><crm_config>'
            f'<cluster_property_set id="opts">{props}'
            f'<nvpair id="o2" name="enable-startup-probes" value="false"/>'
            f'</cluster_property_set></crm_config><nodes>{node_xml}</nodes>'
            f'<resources>{resources}</resources><constraints>{constraints}</constraints>'
            f'</configuration><status>{"".join(states)}</status></cib>')


def _run(xml: str):
    sch = schedule(read_cib(xml))
    return sch, create_graph(sch)


def _pseudo(graph) -> set[str]:
    return {a.key for a in graph.actions() if a.kind == "pseudo_event"}


def _notifies(graph) -> list:
    return [a for a in graph.actions() if a.kind == "rsc_op" and a.task == "notify"]


def _inputs(graph, uuid: str, node: str | None = None) -> set[str]:
    by_id = {a.id: a for a in graph.actions()}
    synapse = next(s for s in graph.synapses
                   if s.action.uuid == uuid and (node is None or s.action.node == node))
    return {by_id[i].uuid for i in synapse.inputs}


# ------------------------------------------------------------- helpers --

def test_notify_key():
    assert notif.notify_key("web-clone", "confirmed-pre", "start") == \
        "web-clone_confirmed-pre_notify_start_0"


def test_entries_are_sorted_by_instance_then_node_and_listed_once():
    n1, n2 = Node("2", "n1"), Node("1", "n2")
    a, b = Resource("web:1", "primitive", None, None), Resource("web:0", "primitive", None, None)
    entries = [notif.NotifyEntry(a, n1), notif.NotifyEntry(b, n2), notif.NotifyEntry(a, n2)]
    names, unames = notif._entries_to_strings(entries, True)
    assert names == "web:0 web:1"
    # web:1 appears twice: the entry on the node with the lower id sorts first
    assert unames == "n2 n2"
    assert notif._entries_to_strings([], True) == (" ", " ")
    # inactive instances are listed without a node
    assert notif._entries_to_strings([notif.NotifyEntry(a, None)], False)[0] == "web:1"


def test_clone_without_notify_gets_no_notification_data():
    sch, graph = _run(_cib(["n1"], _clone({"notify": "false"})))
    assert not _notifies(graph)
    assert not any("notify" in key for key in _pseudo(graph))


# --------------------------------------------------------------- start --

def test_starting_clone_is_bracketed_by_notifications():
    sch, graph = _run(_cib(["n1", "n2"], _clone()))
    assert {"web-clone_pre_notify_start_0", "web-clone_confirmed-pre_notify_start_0",
            "web-clone_post_notify_running_0",
            "web-clone_confirmed-post_notify_running_0"} <= _pseudo(graph)
    notifies = _notifies(graph)
    # nothing was running, so only the "post-" notifications reach instances
    assert sorted((a.rsc_id, a.node) for a in notifies) == [("web:0", "n1"), ("web:1", "n2")]
    meta = dict(notifies[0].meta)
    assert meta["notify_type"] == "post" and meta["notify_operation"] == "start"
    assert meta["notify_start_resource"] == "web:0 web:1"
    assert meta["notify_start_uname"] == "n1 n2"
    assert meta["notify_active_resource"] == " "
    assert meta["notify_inactive_resource"] == "web:0 web:1"
    assert meta["notify_available_uname"] == "n1 n2"
    assert meta["notify_all_uname"] == "n1 n2"
    # start -> running -> post -> notify -> confirmed-post
    assert "web-clone_running_0" in _inputs(graph, "web-clone_post_notify_running_0")
    assert "web-clone_confirmed-pre_notify_start_0" in _inputs(graph, "web-clone_start_0")


def test_stable_clone_sends_no_notifications():
    sch, graph = _run(_cib(["n1", "n2"], _clone(), running={"n1": ["web"], "n2": ["web"]}))
    assert not _notifies(graph)
    assert not _pseudo(graph)


# ---------------------------------------------------------------- stop --

def test_stopping_one_instance_notifies_all_before_and_survivors_after():
    ban = '<rsc_location id="ban" rsc="web-clone" node="n2" score="-INFINITY"/>'
    sch, graph = _run(_cib(["n1", "n2"], _clone(), ban,
                           running={"n1": ["web"], "n2": ["web"]}))
    by_uuid = {}
    for action in _notifies(graph):
        by_uuid.setdefault(action.uuid.split("_", 1)[1], set()).add(action.node)
    assert by_uuid == {"pre_notify_stop_0": {"n1", "n2"}, "post_notify_stop_0": {"n1"}}
    pre = next(a for a in _notifies(graph) if a.node == "n2")
    meta = dict(pre.meta)
    assert meta["notify_stop_uname"] == "n2"
    assert meta["notify_active_uname"] == "n1 n2"
    # the stop notifications are required, and come before any start's
    assert "web-clone_confirmed-post_notify_stopped_0" in _pseudo(graph)


def test_stop_notifications_finish_before_start_notifications_begin():
    sch, _ = _run(_cib(["n1", "n2"], _clone(), running={"n1": ["web"]}))
    clone = sch.find_resource("web-clone")
    start_pre = next(a for a in clone.actions if a.uuid == "web-clone_pre_notify_start_0")
    before = {rel.action.uuid for rel in start_pre.actions_before}
    assert "web-clone_confirmed-post_notify_stopped_0" in before


def test_notify_meta_is_added_to_the_instance_actions_themselves():
    sch, graph = _run(_cib(["n1"], _clone()))
    start = next(a for a in graph.actions() if a.task == "start" and a.kind == "rsc_op")
    assert dict(start.meta)["notify_start_resource"] == "web:0"


# ------------------------------------------------------------- fencing --

def test_stop_implied_by_fencing_gets_post_notifications_after_the_fencing():
    sch, graph = _run(_cib(["n1", "n2"], _clone(), fencing=True,
                           running={"n1": ["web"], "n2": ["web"]}, unclean=("n2",)))
    fenced = [a for a in graph.actions() if a.task == "stonith"]
    assert [a.node for a in fenced] == ["n2"]
    keys = _pseudo(graph)
    # the instance's own pseudo-actions, shown under its history name (clone_op_key)
    assert "web_post_notify_stop_0" in keys and "web_notified_0" in keys
    assert _inputs(graph, "web:1_post_notify_stonith_0") == {"stonith-n2-reboot"}
    # the fenced node is not notified; the survivor is, after the fencing
    assert sorted((a.uuid, a.node) for a in _notifies(graph)) == [
        ("web:0_post_notify_stop_0", "n1"), ("web:0_pre_notify_stop_0", "n1")]
    assert "web:1_post_notify_stonith_0" in _inputs(graph, "web:0_post_notify_stop_0", "n1")
    post = next(a for a in _notifies(graph) if a.uuid == "web:0_post_notify_stop_0")
    assert dict(post.meta)["notify_stop_resource"] == "web:1"


# ----------------------------------------------------------- promotion --

def test_promotion_notifications_follow_demotion_notifications():
    from test_promotable import _cib as promotable_cib, _promotable
    loc = ('<rsc_location id="no-promo" rsc="db-clone"><rule id="r" role="Promoted" '
           'score="-INFINITY"><expression id="e" attribute="#uname" operation="eq" value="n2"/>'
           '</rule></rsc_location>')
    sch, graph = _run(promotable_cib(
        ["n1", "n2"], _promotable("db-clone", "db", {"notify": "true"}), loc,
        scores={"n1": {"master-db": "5"}, "n2": {"master-db": "10"}},
        history={"n1": [("db", "started")], "n2": [("db", "promoted")]}))
    keys = _pseudo(graph)
    assert {"db-clone_pre_notify_demote_0", "db-clone_confirmed-post_notify_demoted_0",
            "db-clone_pre_notify_promote_0", "db-clone_confirmed-post_notify_promoted_0"} <= keys
    assert "db-clone_confirmed-post_notify_demoted_0" in \
        _inputs(graph, "db-clone_pre_notify_promote_0")
    promote = next(a for a in graph.actions() if a.task == "promote" and a.kind == "rsc_op")
    meta = dict(promote.meta)
    assert meta["notify_promote_uname"] == "n1"
    assert meta["notify_demote_uname"] == "n2"
    assert meta["notify_promoted_uname"] == meta["notify_master_uname"] == "n2"
    assert meta["notify_unpromoted_uname"] == meta["notify_slave_uname"] == "n1"
