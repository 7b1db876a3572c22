"""Hypothesis strategies for whole clusters: configuration *and* status.

A generated cluster is CIB XML text (so the reader is exercised too) with a
few nodes in assorted states (online, standby, cleanly offline, lost), some
primitives and maybe a group, location/colocation/order constraints, and a
status in which resources run somewhere, perhaps failed.  Good for the
scheduler's invariants, not for any particular answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

NODE_STATES = ("online", "online", "online", "standby", "offline", "lost")
SCORES = ("INFINITY", "-INFINITY", "100", "-100", "10")


@dataclass
class Cluster:
    xml: str
    nodes: dict[str, str]                       # name -> state
    running: dict[str, str] = field(default_factory=dict)  # primitive -> node
    fencing: bool = False
    quorate: bool = True
    no_quorum_policy: str = "stop"


def _op(rsc: str, node: str, call: int, task: str, rc: int, interval: int = 0) -> str:
    op_id = f"{rsc}_last_0" if interval == 0 else f"{rsc}_{task}_{interval}"
    if rc not in (0, 7) and interval == 0:
        op_id = f"{rsc}_last_failure_0"
    key = f"{rsc}_{task}_{interval}"
    magic = f"0:{rc};1:1:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
    return (f'<lrm_rsc_op id="{op_id}" operation_key="{key}" operation="{task}" '
            f'crm_feature_set="3.19.0" transition-key="1:1:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" '
            f'transition-magic="{magic}" call-id="{call}" rc-code="{rc}" op-status="0" '
            f'interval="{interval}" last-rc-change="1700000000" exec-time="10" queue-time="0" '
            f'on_node="{node}"/>')


@st.composite
def clusters(draw) -> Cluster:
    n_nodes = draw(st.integers(1, 4))
    nodes = {f"n{i + 1}": draw(st.sampled_from(NODE_STATES)) for i in range(n_nodes)}
    fencing = draw(st.booleans())
    quorate = draw(st.booleans())
    policy = draw(st.sampled_from(("stop", "ignore", "freeze")))
    n_prims = draw(st.integers(1, 6))
    prims = [f"r{i + 1}" for i in range(n_prims)]
    grouped = prims[-2:] if n_prims >= 3 and draw(st.booleans()) else []

    resources = []
    if fencing:
        resources.append('<primitive id="fence1" class="stonith" type="fence_dummy">'
                         '<operations><op id="fence1-mon" name="monitor" interval="60s"/>'
                         '</operations></primitive>')
    for rsc in prims:
        if rsc in grouped:
            continue
        resources.append(_primitive(draw, rsc))
    if grouped:
        resources.append('<group id="g1">' + "".join(_primitive(draw, r) for r in grouped)
                         + "</group>")

    constraints = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(("location", "colocation", "order")))
        a = draw(st.sampled_from(prims))
        b = draw(st.sampled_from([p for p in prims if p != a] or prims))
        if a == b or (a in grouped and b in grouped):
            continue
        a_ref = "g1" if a in grouped else a
        b_ref = "g1" if b in grouped else b
        if a_ref == b_ref:
            continue
        if kind == "location":
            node = draw(st.sampled_from(sorted(nodes)))
            constraints.append(f'<rsc_location id="loc{i}" rsc="{a_ref}" node="{node}" '
                               f'score="{draw(st.sampled_from(SCORES))}"/>')
        elif kind == "colocation":
            constraints.append(f'<rsc_colocation id="col{i}" rsc="{a_ref}" with-rsc="{b_ref}" '
                               f'score="{draw(st.sampled_from(SCORES))}"/>')
        else:
            # Orders only run "forwards" (the group, last, only as 'then'), so
            # the configuration itself has no ordering loop.
            if a in grouped or prims.index(a) > prims.index(b):
                continue
            order_kind = draw(st.sampled_from(("Mandatory", "Optional")))
            constraints.append(f'<rsc_order id="ord{i}" first="{a_ref}" then="{b_ref}" '
                               f'kind="{order_kind}"/>')

    running: dict[str, str] = {}
    history: dict[str, list[str]] = {n: [] for n in nodes}
    hosts = [n for n, s in nodes.items() if s in ("online", "standby", "lost")]
    for rsc in prims:
        if not hosts or not draw(st.booleans()):
            continue
        node = draw(st.sampled_from(hosts))
        running[rsc] = node
        ops = [_op(rsc, node, 2, "start", 0),
               _op(rsc, node, 3, "monitor", draw(st.sampled_from((0, 0, 0, 1))), 10000)]
        history[node].append(f'<lrm_resource id="{rsc}" class="ocf" provider="heartbeat" '
                             f'type="Dummy">{"".join(ops)}</lrm_resource>')

    node_xml = "".join(f'<node id="{n}" uname="{n}"/>' for n in nodes)
    states = []
    for name, state in nodes.items():
        if state == "offline":
            attrs = 'in_ccm="false" crmd="offline" join="down" expected="down"'
        elif state == "lost":
            attrs = 'in_ccm="false" crmd="offline" join="down" expected="member"'
        else:
            attrs = 'in_ccm="true" crmd="online" join="member" expected="member"'
        transient = ""
        if state == "standby":
            transient = (f'<transient_attributes id="{name}"><instance_attributes '
                         f'id="status-{name}"><nvpair id="status-{name}-standby" '
                         f'name="standby" value="on"/></instance_attributes>'
                         f'</transient_attributes>')
        lrm = f'<lrm id="{name}"><lrm_resources>{"".join(history[name])}</lrm_resources></lrm>'
        states.append(f'<node_state id="{name}" uname="{name}" {attrs}>{transient}{lrm}'
                      f'</node_state>')

    xml = (f'<cib validate-with="pacemaker-3.9" crm_feature_set="3.19.0" epoch="1" '
           f'num_updates="0" admin_epoch="0" have-quorum="{1 if quorate else 0}" '
           f'dc-uuid="{next(iter(nodes))}">'
           f'<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">'
           f'<nvpair id="o1" name="stonith-enabled" value="{str(fencing).lower()}"/>'
           f'<nvpair id="o2" name="no-quorum-policy" value="{policy}"/>'
           f'</cluster_property_set></crm_config>'
           f'<nodes>{node_xml}</nodes><resources>{"".join(resources)}</resources>'
           f'<constraints>{"".join(constraints)}</constraints></configuration>'
           f'<status>{"".join(states)}</status></cib>')
    return Cluster(xml, nodes, running, fencing, quorate, policy)


def _primitive(draw, rsc: str) -> str:
    meta = []
    if draw(st.integers(0, 5)) == 0:
        meta.append(f'<nvpair id="{rsc}-tr" name="target-role" value="Stopped"/>')
    if draw(st.booleans()):
        meta.append(f'<nvpair id="{rsc}-st" name="resource-stickiness" value="100"/>')
    meta_xml = (f'<meta_attributes id="{rsc}-meta">{"".join(meta)}</meta_attributes>'
                if meta else "")
    return (f'<primitive id="{rsc}" class="ocf" provider="heartbeat" type="Dummy">{meta_xml}'
            f'<operations><op id="{rsc}-mon" name="monitor" interval="10s"/></operations>'
            f'</primitive>')
