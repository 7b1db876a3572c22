"""Small CIBs for scheduler unit tests, written as CIB XML text.

``cib_xml(...)`` builds a complete ``<cib>`` with online cluster nodes, the
given resources and constraints (XML fragments), optional ticket states and
resources already running (a successful start in the node's history).
``schedule_xml`` runs the scheduler on it and returns the Scheduler.
"""

from __future__ import annotations

from datetime import datetime, timezone

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _pairs(block: str, owner: str, values: dict | None) -> str:
    if not values:
        return ""
    pairs = "".join(f'<nvpair id="{owner}-{block}-{k}" name="{k}" value="{v}"/>'
                    for k, v in values.items())
    return f'<{block} id="{owner}-{block}">{pairs}</{block}>'


def primitive(rsc_id: str, *, utilization: dict | None = None, meta: dict | None = None,
              cls: str = "ocf", provider: str | None = "pacemaker", type_: str = "Dummy") -> str:
    prov = f' provider="{provider}"' if provider else ""
    return (f'<primitive id="{rsc_id}" class="{cls}"{prov} type="{type_}">'
            f'{_pairs("meta_attributes", rsc_id, meta)}'
            f'{_pairs("utilization", rsc_id, utilization)}</primitive>')


def group(group_id: str, *members: str, meta: dict | None = None) -> str:
    return f'<group id="{group_id}">{_pairs("meta_attributes", group_id, meta)}{"".join(members)}</group>'


def _op(rsc_id: str, node: str, task: str, rc: int, call: int) -> str:
    return (f'<lrm_rsc_op id="{rsc_id}_{task}_0" operation="{task}" interval="0" '
            f'op-status="0" rc-code="{rc}" call-id="{call}" crm_feature_set="3.0.5" '
            f'transition-key="{call}:-1:{rc}:00000000-0000-0000-0000-000000000000" '
            f'transition-magic="0:{rc};{call}:-1:{rc}:00000000-0000-0000-0000-000000000000" '
            f'on_node="{node}"/>')


def cib_xml(nodes, resources: list[str], constraints: list[str] = (), *,
            properties: dict | None = None, tickets: dict | None = None,
            running: dict | None = None, node_utilization: dict | None = None,
            node_attrs: dict | None = None, status_attrs: dict | None = None,
            rsc_classes: dict | None = None) -> str:
    """``running`` maps resource id -> node; ``tickets`` ticket id -> attributes."""
    props = {"stonith-enabled": "false", **(properties or {})}
    crm_config = _pairs("cluster_property_set", "cib-bootstrap-options", props)
    node_xml = "".join(
        f'<node id="{n}" uname="{n}">'
        f'{_pairs("instance_attributes", n, (node_attrs or {}).get(n))}'
        f'{_pairs("utilization", n, (node_utilization or {}).get(n))}</node>'
        for n in nodes)
    status = ""
    if tickets:
        status += "<tickets>" + "".join(
            f'<ticket_state id="{t}" ' + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + "/>"
            for t, attrs in tickets.items()) + "</tickets>"
    for n in nodes:
        lrm = ""
        for call, (rsc_id, where) in enumerate((running or {}).items(), start=2):
            if where != n:
                continue
            cls, provider, type_ = (rsc_classes or {}).get(rsc_id, ("ocf", "pacemaker", "Dummy"))
            prov = f' provider="{provider}"' if provider else ""
            lrm += (f'<lrm_resource id="{rsc_id}" class="{cls}"{prov} type="{type_}">'
                    f'{_op(rsc_id, n, "start", 0, call)}</lrm_resource>')
        transient = ""
        if status_attrs and n in status_attrs:
            transient = (f'<transient_attributes id="{n}">'
                         f'{_pairs("instance_attributes", "status-" + n, status_attrs[n])}'
                         f'</transient_attributes>')
        status += (f'<node_state id="{n}" uname="{n}" in_ccm="true" crmd="online" '
                   f'join="member" expected="member">{transient}'
                   f'<lrm id="{n}"><lrm_resources>{lrm}</lrm_resources></lrm></node_state>')
    return (f'<cib epoch="1" num_updates="1" admin_epoch="0" validate-with="pacemaker-3.0" '
            f'have-quorum="1"><configuration><crm_config>{crm_config}</crm_config>'
            f'<nodes>{node_xml}</nodes><resources>{"".join(resources)}</resources>'
            f'<constraints>{"".join(constraints)}</constraints></configuration>'
            f'<status>{status}</status></cib>')


def schedule_xml(text: str, *, optimal: bool = False):
    from pengine.cib.cib_xml import read_cib
    from pengine.schedule.driver import schedule
    return schedule(read_cib(text), NOW, optimal=optimal)


def placement(sch) -> dict[str, str | None]:
    """Primitive id -> assigned node name (None: stopped)."""
    result = {}
    for top in sch.resources:
        for rsc in top.primitives():
            result[rsc.id] = rsc.assigned_node.name if rsc.assigned_node is not None else None
    return result
