"""Promotable clones: promotion scores, instance roles, pseudo-actions (pengine.promotable)."""

from __future__ import annotations

from pengine.cib.cib_xml import read_cib
from pengine.schedule import promotable
from pengine.status.cluster import Node, Resource, Role
from pengine.schedule.driver import schedule
from pengine.transitions.graph import create_graph
from pengine.schedule.summary import transition_summary

# an operation result in the history (the digest of an empty parameter set,
# as an old feature set records it)
_OP = ('<lrm_rsc_op id="{rid}_{op}_{interval}" operation="{op}" interval="{interval}" '
       'op-status="0" rc-code="{rc}" call-id="{call}" crm_feature_set="1.0.6" '
       'op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8" '
       'transition-key="0:0:{target}:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" '
       'transition-magic="0:{rc};0:0:{target}:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" '
       'on_node="{node}"/>')


def _promotable(cid: str, child: str, meta: dict[str, str] | None = None,
                group: list[str] | None = None) -> str:
    pairs = {"promotable": "true", **(meta or {})}
    nv = "".join(f'<nvpair id="{cid}-{k}" name="{k}" value="{v}"/>' for k, v in pairs.items())
    if group:
        prims = "".join(f'<primitive id="{m}" class="ocf" provider="pacemaker" type="Stateful"/>'
                        for m in group)
        body = f'<group id="{child}">{prims}</group>'
    else:
        body = f'<primitive id="{child}" class="ocf" provider="pacemaker" type="Stateful"/>'
    return f'<clone id="{cid}"><meta_attributes id="{cid}-meta">{nv}</meta_attributes>{body}</clone>'


def _primitive(rid: str) -> str:
    return f'<primitive id="{rid}" class="ocf" provider="heartbeat" type="Dummy"/>'


def _cib(nodes: list[str], resources: str, constraints: str = "", *,
         scores: dict[str, dict[str, str]] | None = None,
         history: dict[str, list[tuple[str, str]]] | None = None) -> str:
    """A quorate cluster without fencing or probes.

    ``scores`` maps node -> transient attributes; ``history`` maps node ->
    (resource id, "started" or "promoted").
    """
    node_xml = "".join(f'<node id="{n}" uname="{n}"/>' for n in nodes)
    states = []
    for node in nodes:
        entries = []
        for rid, state in (history or {}).get(node, []):
            ops = _OP.format(rid=rid, op="start", interval=0, rc=0, target=0, call=1, node=node)
            if state == "promoted":
                ops += _OP.format(rid=rid, op="promote", interval=0, rc=0, target=0, call=2,
                                  node=node)
            entries.append(f'<lrm_resource id="{rid}" class="ocf" provider="pacemaker" '
                           f'type="Stateful">{ops}</lrm_resource>')
        attrs = "".join(f'<nvpair id="{node}-{k}" name="{k}" value="{v}"/>'
                        for k, v in (scores or {}).get(node, {}).items())
        transient = (f'<transient_attributes id="{node}"><instance_attributes id="st-{node}">'
                     f'{attrs}</instance_attributes></transient_attributes>') if attrs else ""
        states.append(f'<node_state id="{node}" uname="{node}" in_ccm="true" crmd="online" '
                      f'join="member" expected="member">{transient}<lrm id="{node}">'
                      f'<lrm_resources>{"".join(entries)}</lrm_resources></lrm></node_state>')
    return (f'<cib epoch="1" num_updates="1" admin_epoch="0" have-quorum="1" '
            f'validate-with="pacemaker-3.0"><configuration><crm_config>'
            f'<cluster_property_set id="opts">'
            f'<nvpair id="o1" name="stonith-enabled" value="false"/>'
            f'<nvpair id="o2" name="enable-startup-probes" value="false"/>'
            f'</cluster_property_set></crm_config><nodes>{node_xml}</nodes>'
            f'<resources>{resources}</resources><constraints>{constraints}</constraints>'
            f'</configuration><status>{"".join(states)}</status></cib>')


def _run(xml: str):
    sch = schedule(read_cib(xml), record_scores=True)
    return sch, create_graph(sch)


def _roles(sch, clone_id: str) -> dict[str, tuple[str | None, Role]]:
    clone = sch.find_resource(clone_id)
    return {child.id: (child.assigned_node.name if child.assigned_node else None,
                       child.next_role) for child in clone.children}


def _promoted_on(sch, clone_id: str) -> list[str]:
    return sorted(node for node, role in _roles(sch, clone_id).values()
                  if role == Role.PROMOTED)


def _summary(sch) -> list[str]:
    return [" ".join(line.split()) for line in transition_summary(sch)]


# ------------------------------------------------------------- helpers --

def test_promotion_score_attribute_name_and_instance_suffix():
    assert promotable.promotion_score_name("db") == "master-db"
    assert promotable.clone_strip("db:12") == "db"
    assert promotable.clone_strip("db") == "db"
    assert promotable.clone_strip("db:x") == "db:x"


def test_promotion_score_of_anonymous_instance_falls_back_to_the_base_name():
    sch, _ = _run(_cib(["n1", "n2"], _promotable("db-clone", "db"),
                       scores={"n1": {"master-db": "7"}, "n2": {"master-db": "abc"}}))
    clone = sch.find_resource("db-clone")
    instance = clone.children[0]
    n1, n2 = sch.find_node("n1"), sch.find_node("n2")
    assert promotable.promotion_score(sch, instance, n1) == (7, False)
    # an invalid value counts as 0, with a warning
    assert promotable.promotion_score(sch, instance, n2) == (0, False)
    assert any("not a valid score" in w for w in sch.warnings)


def test_cloned_group_promotion_score_is_the_sum_of_its_members():
    sch, _ = _run(_cib(["n1"], _promotable("grp-clone", "grp", group=["a", "b"]),
                       scores={"n1": {"master-a": "3", "master-b": "4"}}))
    instance = sch.find_resource("grp-clone").children[0]
    assert promotable.promotion_score(sch, instance, sch.find_node("n1")) == (7, False)


# ------------------------------------------------------ instance roles --

def test_highest_promotion_score_is_promoted():
    sch, graph = _run(_cib(["n1", "n2"], _promotable("db-clone", "db"),
                           scores={"n1": {"master-db": "5"}, "n2": {"master-db": "10"}}))
    assert _promoted_on(sch, "db-clone") == ["n2"]
    lines = _summary(sch)
    assert any(line.startswith("* Promote") and "Stopped -> Promoted n2" in line
               for line in lines)
    pseudo = {a.uuid for a in graph.actions() if a.kind == "pseudo_event"}
    assert {"db-clone_promote_0", "db-clone_promoted_0"} <= pseudo
    assert any(line.startswith("db:") and "promotion score on n2: " in line
               for line in sch.score_log)


def test_nothing_is_promoted_without_a_score_or_constraint():
    sch, _ = _run(_cib(["n1", "n2"], _promotable("db-clone", "db")))
    assert _promoted_on(sch, "db-clone") == []
    assert all(role == Role.UNPROMOTED for _, role in _roles(sch, "db-clone").values())


def test_promoted_role_location_alone_chooses_the_promoted_node():
    loc = ('<rsc_location id="loc" rsc="db-clone"><rule id="r" role="Promoted" score="100">'
           '<expression id="e" attribute="#uname" operation="eq" value="n1"/></rule>'
           '</rsc_location>')
    sch, _ = _run(_cib(["n1", "n2"], _promotable("db-clone", "db"), loc))
    assert _promoted_on(sch, "db-clone") == ["n1"]


def test_promoted_max_and_legacy_master_max():
    nodes = ["n1", "n2", "n3"]
    scores = {n: {"master-db": str(i + 1)} for i, n in enumerate(nodes)}
    sch, _ = _run(_cib(nodes, _promotable("db-clone", "db", {"promoted-max": "2"}),
                       scores=scores))
    assert _promoted_on(sch, "db-clone") == ["n2", "n3"]
    sch, _ = _run(_cib(nodes, _promotable("db-clone", "db", {"master-max": "3"}),
                       scores=scores))
    assert _promoted_on(sch, "db-clone") == ["n1", "n2", "n3"]


def test_promoted_node_max_limits_promotions_per_node():
    meta = {"globally-unique": "true", "clone-max": "2", "clone-node-max": "2",
            "promoted-max": "2"}
    loc = '<rsc_location id="only-n1" rsc="db-clone" node="n1" score="INFINITY"/>'
    sch, _ = _run(_cib(["n1", "n2"], _promotable("db-clone", "db", meta), loc,
                       scores={"n1": {"master-db:0": "5", "master-db:1": "5"}}))
    roles = _roles(sch, "db-clone")
    assert [node for node, _ in roles.values()] == ["n1", "n1"]
    assert _promoted_on(sch, "db-clone") == ["n1"]      # promoted-node-max defaults to 1


def test_mandatory_promoted_colocation_overrides_promotion_scores():
    coloc = ('<rsc_colocation id="c" rsc="db-clone" rsc-role="Promoted" with-rsc="ip" '
             'score="INFINITY"/>')
    loc = '<rsc_location id="ip-on-n1" rsc="ip" node="n1" score="100"/>'
    sch, _ = _run(_cib(["n1", "n2"], _promotable("db-clone", "db") + _primitive("ip"),
                       coloc + loc, scores={"n1": {"master-db": "5"}, "n2": {"master-db": "50"}}))
    assert _promoted_on(sch, "db-clone") == ["n1"]


def test_unpromoted_role_colocation_keeps_promotion_away():
    coloc = ('<rsc_colocation id="c" rsc="db-clone" rsc-role="Unpromoted" with-rsc="ip" '
             'score="1000"/>')
    loc = '<rsc_location id="ip-on-n2" rsc="ip" node="n2" score="100"/>'
    sch, _ = _run(_cib(["n1", "n2"], _promotable("db-clone", "db") + _primitive("ip"),
                       coloc + loc, scores={"n1": {"master-db": "5"}, "n2": {"master-db": "50"}}))
    assert _promoted_on(sch, "db-clone") == ["n1"]


def test_dependent_follows_the_promoted_instance():
    coloc = ('<rsc_colocation id="c" rsc="ip" with-rsc="db-clone" with-rsc-role="Promoted" '
             'score="INFINITY"/>')
    sch, _ = _run(_cib(["n1", "n2"], _promotable("db-clone", "db") + _primitive("ip"), coloc,
                       scores={"n1": {"master-db": "5"}, "n2": {"master-db": "50"}}))
    assert _promoted_on(sch, "db-clone") == ["n2"]
    assert sch.find_resource("ip").assigned_node.name == "n2"


def test_promoted_with_promoted_colocation_by_node_attribute():
    """3.0.2: the dependent is promoted on every node of the primary's promoted site."""
    nodes = ["n1", "n2", "n3", "n4"]
    site = {"n1": "A", "n2": "A", "n3": "B", "n4": "B"}
    node_xml = "".join(
        f'<node id="{n}" uname="{n}"><instance_attributes id="{n}-a">'
        f'<nvpair id="{n}-site" name="site" value="{site[n]}"/></instance_attributes></node>'
        for n in nodes)
    resources = (_promotable("primary", "p", {"promoted-max": "1"})
                 + _promotable("dependent", "d", {"promoted-max": "2"}))
    coloc = ('<rsc_colocation id="c" rsc="dependent" rsc-role="Promoted" with-rsc="primary" '
             'with-rsc-role="Promoted" node-attribute="site" score="INFINITY"/>')
    scores = {"n1": {"master-p": "10", "master-d": "5"}}
    scores.update({n: {"master-p": "5", "master-d": "5"} for n in nodes[1:]})
    xml = _cib(nodes, resources, coloc, scores=scores)
    xml = xml.replace("".join(f'<node id="{n}" uname="{n}"/>' for n in nodes), node_xml)
    sch, _ = _run(xml)
    assert _promoted_on(sch, "primary") == ["n1"]
    assert _promoted_on(sch, "dependent") == ["n1", "n2"]


def test_active_promoted_instance_stays_promoted():
    sch, _ = _run(_cib(["n1", "n2"], _promotable("db-clone", "db"),
                       scores={"n1": {"master-db": "10"}, "n2": {"master-db": "10"}},
                       history={"n1": [("db", "started")], "n2": [("db", "promoted")]}))
    assert _promoted_on(sch, "db-clone") == ["n2"]
    assert _summary(sch) == []


def test_losing_the_promotion_score_demotes():
    loc = ('<rsc_location id="no-promo" rsc="db-clone"><rule id="r" role="Promoted" '
           'score="-INFINITY"><expression id="e" attribute="#uname" operation="eq" value="n2"/>'
           '</rule></rsc_location>')
    sch, graph = _run(_cib(["n1", "n2"], _promotable("db-clone", "db"), loc,
                           scores={"n1": {"master-db": "5"}, "n2": {"master-db": "10"}},
                           history={"n1": [("db", "started")],
                                    "n2": [("db", "promoted")]}))
    assert _promoted_on(sch, "db-clone") == ["n1"]
    lines = _summary(sch)
    assert any(line.startswith("* Demote") and "Promoted -> Unpromoted n2" in line
               for line in lines)
    assert any(line.startswith("* Promote") and "Unpromoted -> Promoted n1" in line
               for line in lines)
    tasks = {(a.task, a.node) for a in graph.actions() if a.kind == "rsc_op"}
    assert ("demote", "n2") in tasks and ("promote", "n1") in tasks
    # demote before promote, through the clone's pseudo-actions
    by_id = {a.id: a for a in graph.actions()}
    promote = next(s for s in graph.synapses if s.action.task == "promote")
    inputs = {by_id[i].uuid for i in promote.inputs}
    assert "db-clone_promote_0" in inputs
    clone_promote = next(s for s in graph.synapses if s.action.uuid == "db-clone_promote_0")
    assert "db-clone_demoted_0" in {by_id[i].uuid for i in clone_promote.inputs}


def test_instance_priorities_are_restored_after_roles_are_chosen():
    sch, _ = _run(_cib(["n1", "n2"], _promotable("db-clone", "db", {"priority": "3"}),
                       scores={"n1": {"master-db": "5"}, "n2": {"master-db": "10"}}))
    clone = sch.find_resource("db-clone")
    assert [child.priority for child in clone.children] == [3, 3]
    assert max(child.promotion_priority for child in clone.children) > 0


def test_cmp_promotable_instance_prefers_priority_then_current_role():
    sch, _ = _run(_cib(["n1"], _promotable("db-clone", "db", {"clone-max": "2"})))
    a, b = sch.find_resource("db-clone").children
    a.promotion_priority, b.promotion_priority = 1, 2
    assert promotable.cmp_promotable_instance(sch, a, b) == 1
    b.promotion_priority = 1
    a.role, b.role = Role.PROMOTED, Role.UNPROMOTED
    assert promotable.cmp_promotable_instance(sch, a, b) == -1


def test_node_to_be_promoted_on_refuses_negative_priority_and_full_nodes():
    sch, _ = _run(_cib(["n1"], _promotable("db-clone", "db", {"clone-max": "1"}),
                       scores={"n1": {"master-db": "5"}}))
    instance = sch.find_resource("db-clone").children[0]
    clone = instance.parent
    clone.allowed[sch.find_node("n1").id].count = 0
    instance.priority = 1
    assert promotable._node_to_be_promoted_on(instance) is clone.allowed["n1"]
    instance.priority = -1
    assert promotable._node_to_be_promoted_on(instance) is None
    instance.priority = 1
    clone.allowed["n1"].count = 1
    assert promotable._node_to_be_promoted_on(instance) is None


def test_apply_promoted_locations_adds_only_promoted_role_scores():
    node = Node("n1", "n1")
    rsc = Resource("db:0", "primitive", None, None)
    rsc.priority = 5

    class Loc:
        def __init__(self, role, score):
            self.role, self.nodes = role, [(node, score)]

    promotable._apply_promoted_locations(rsc, [Loc(Role.PROMOTED, 10), Loc(None, 100)], node)
    assert rsc.priority == 15
