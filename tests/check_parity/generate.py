"""The generated parity set: CIBs that are valid, subtly broken, and broken in
each way Pacemaker's schema and scheduler reject.

``generate(directory)`` writes every case as ``NAME.xml`` and returns
``[(name, path)]`` in name order; ``python -m tests.check_parity.generate DIR``
does the same from the command line.  The set is deterministic: the stored
verdicts (``verdicts.json``) were made from it by ``referee.py`` and must be
remade (``python -m tests.check_parity.make_verdicts``) whenever it changes.
"""

from __future__ import annotations

import os
import sys

SCHEMAS = ("pacemaker-3.9", "pacemaker-3.10", "pacemaker-4.0")

FENCE = ('<primitive id="fence1" class="stonith" type="fence_dummy">'
         '<instance_attributes id="fence1-ia"><nvpair id="fence1-ia-p" name="pcmk_host_list" '
         'value="node1 node2"/></instance_attributes></primitive>')
DUMMY = ('<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy">'
         '<operations><op id="{id}-mon" name="monitor" interval="10s"/></operations>'
         '</primitive>')
STATEFUL = ('<clone id="ms"><meta_attributes id="ms-meta"><nvpair id="ms-meta-p" '
            'name="promotable" value="true"/></meta_attributes>'
            '<primitive id="st" class="ocf" provider="pacemaker" type="Stateful">'
            '<operations><op id="st-m1" name="monitor" interval="10s" role="Promoted"/>'
            '<op id="st-m2" name="monitor" interval="11s" role="Unpromoted"/></operations>'
            '</primitive></clone>')


def dummy(rsc_id: str) -> str:
    return DUMMY.format(id=rsc_id)


def cib(*, schema: str = "pacemaker-3.10", props: str | None = None, nodes: int = 2,
        resources: str | None = None, constraints: str = "", extra: str = "",
        status: str | None = "", cib_attrs: str = "", fence: bool = True,
        rsc_defaults: str = "", op_defaults: str = "", node_extra: str = "") -> str:
    """One CIB.  ``props`` are nvpairs of cib-bootstrap-options; the default
    is a fencing device (``fence``) or fencing disabled."""
    if props is None:
        props = "" if fence else ('<nvpair id="opt-fe" name="stonith-enabled" value="false"/>'
                                  if schema != "pacemaker-4.0" else
                                  '<nvpair id="opt-fe" name="fencing-enabled" value="false"/>')
    node_xml = "".join(f'<node id="{i}" uname="node{i}"/>' for i in range(1, nodes + 1))
    rsc = resources if resources is not None else dummy("rsc1")
    if fence:
        rsc = FENCE + rsc
    status_xml = "" if status is None else f"<status>{status}</status>"
    defaults = ""
    if rsc_defaults:
        defaults += f'<rsc_defaults><meta_attributes id="rd">{rsc_defaults}</meta_attributes></rsc_defaults>'
    if op_defaults:
        defaults += f'<op_defaults><meta_attributes id="od">{op_defaults}</meta_attributes></op_defaults>'
    return (f'<cib validate-with="{schema}" epoch="1" num_updates="0" admin_epoch="0"{cib_attrs}>\n'
            f'  <configuration>\n'
            f'    <crm_config><cluster_property_set id="cib-bootstrap-options">{props}'
            f'</cluster_property_set></crm_config>\n'
            f'    <nodes>{node_xml}{node_extra}</nodes>\n'
            f'    <resources>{rsc}</resources>\n'
            f'    <constraints>{constraints}</constraints>\n'
            f'    {defaults}{extra}\n'
            f'  </configuration>\n'
            f'  {status_xml}\n'
            f'</cib>\n')


def _running(rsc: str, node: str = "node1", node_id: str = "1", agent: str = "Dummy",
             provider: str = "pacemaker", cls: str = "ocf") -> str:
    return (f'<node_state id="{node_id}" uname="{node}" in_ccm="true" crmd="online" '
            f'join="member" expected="member"><lrm id="{node_id}"><lrm_resources>'
            f'<lrm_resource id="{rsc}" class="{cls}" provider="{provider}" type="{agent}">'
            f'<lrm_rsc_op id="{rsc}_last_0" operation_key="{rsc}_start_0" operation="start" '
            f'crm-debug-origin="do_update_resource" crm_feature_set="3.0.8" '
            f'transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="1" rc-code="0" '
            f'op-status="0" interval="0" last-run="1" last-rc-change="1" exec-time="1" '
            f'queue-time="0" op-digest="x"/></lrm_resource></lrm_resources></lrm>'
            f'</node_state>')


def cases() -> dict[str, str]:
    c: dict[str, str] = {}

    # ---- valid configurations, in each schema
    for schema in SCHEMAS:
        s = schema.replace("pacemaker-", "v")
        c[f"valid-basic-{s}"] = cib(schema=schema)
        c[f"valid-nofence-{s}"] = cib(schema=schema, fence=False)
        c[f"valid-group-{s}"] = cib(schema=schema, resources=(
            f'<group id="g">{dummy("a")}{dummy("b")}</group>'))
        c[f"valid-clone-{s}"] = cib(schema=schema, resources=f'<clone id="c">{dummy("a")}</clone>')
        c[f"valid-promotable-{s}"] = cib(schema=schema, resources=STATEFUL)
        c[f"valid-constraints-{s}"] = cib(schema=schema, resources=dummy("a") + dummy("b"),
                                          constraints=(
            '<rsc_location id="l1" rsc="a" node="node1" score="100"/>'
            '<rsc_colocation id="c1" rsc="b" with-rsc="a" score="INFINITY"/>'
            '<rsc_order id="o1" first="a" then="b" kind="Mandatory"/>'))
        c[f"valid-rule-{s}"] = cib(schema=schema, constraints=(
            '<rsc_location id="l1" rsc="rsc1"><rule id="r1" score="-INFINITY">'
            '<expression id="e1" attribute="#uname" operation="eq" value="node2"/>'
            '</rule></rsc_location>'))
        c[f"valid-status-{s}"] = cib(schema=schema, status=_running("rsc1"))
        c[f"valid-bundle-{s}"] = cib(schema=schema, resources=(
            '<bundle id="b"><podman image="img" replicas="2"/>'
            '<network control-port="3121"/>'
            f'{dummy("bp")}</bundle>'))
    c["valid-template"] = cib(resources=(
        '<template id="t" class="ocf" provider="pacemaker" type="Dummy"/>'
        '<primitive id="p" template="t"/>'))
    c["valid-tags"] = cib(resources=dummy("a"), extra=(
        '<tags><tag id="tg"><obj_ref id="a"/></tag></tags>'))
    c["valid-alerts"] = cib(extra=(
        '<alerts><alert id="al" path="/bin/true"><recipient id="al-r" value="/tmp/x"/>'
        '</alert></alerts>'))
    c["valid-acls"] = cib(extra=(
        '<acls><acl_role id="ro"><acl_permission id="ro-p" kind="read" xpath="/cib"/>'
        '</acl_role><acl_target id="alice"><role id="ro"/></acl_target></acls>'))
    c["valid-topology"] = cib(extra=(
        '<fencing-topology><fencing-level id="fl1" target="node1" index="1" devices="fence1"/>'
        '</fencing-topology>'))
    c["valid-defaults"] = cib(rsc_defaults='<nvpair id="rd-s" name="resource-stickiness" value="100"/>',
                              op_defaults='<nvpair id="od-t" name="timeout" value="30s"/>')
    c["valid-date-rule"] = cib(constraints=(
        '<rsc_location id="l1" rsc="rsc1"><rule id="r1" score="50">'
        '<date_expression id="d1" operation="date_spec"><date_spec id="ds1" hours="9-17"/>'
        '</date_expression></rule></rsc_location>'))
    c["valid-sets"] = cib(resources=dummy("a") + dummy("b"), constraints=(
        '<rsc_order id="o1"><resource_set id="s1"><resource_ref id="a"/><resource_ref id="b"/>'
        '</resource_set></rsc_order>'))
    c["valid-ticket"] = cib(constraints='<rsc_ticket id="t1" rsc="rsc1" ticket="tk" loss-policy="stop"/>')
    c["valid-one-node-nofence"] = cib(nodes=1, fence=False)
    c["valid-no-status"] = cib(status=None)
    c["valid-watchdog"] = cib(fence=False, props=(
        '<nvpair id="o-w" name="have-watchdog" value="true"/>'
        '<nvpair id="o-t" name="stonith-watchdog-timeout" value="10s"/>'))
    c["valid-master-3.9"] = cib(schema="pacemaker-3.9", resources=(
        '<master id="ms"><primitive id="st" class="ocf" provider="pacemaker" type="Stateful"/>'
        '</master>'))
    c["valid-lifetime-3.9"] = cib(schema="pacemaker-3.9", constraints=(
        '<rsc_location id="l1" rsc="rsc1" node="node1" score="10"><lifetime>'
        '<rule id="lr" boolean-op="and"><date_expression id="ld" operation="lt" '
        'end="2030-01-01"/></rule></lifetime></rsc_location>'))
    c["valid-nagios-3.9"] = cib(schema="pacemaker-3.9", resources=(
        '<primitive id="ng" class="nagios" type="check_tcp"/>'))
    c["valid-master-role-3.9"] = cib(schema="pacemaker-3.9", resources=STATEFUL, constraints=(
        '<rsc_location id="l1" rsc="ms" role="Master" node="node1" score="10"/>'))
    c["valid-empty-nvpair-3.9"] = cib(schema="pacemaker-3.9",
                                      rsc_defaults='<nvpair id="rd-x" name="resource-stickiness"/>')

    # ---- schema: unknown elements, attributes, bad values, missing pieces
    for schema in ("pacemaker-3.10", "pacemaker-4.0"):
        s = schema.replace("pacemaker-", "v")
        c[f"schema-unknown-element-{s}"] = cib(schema=schema, extra='<frobnicate id="x"/>')
        c[f"schema-unknown-cib-attr-{s}"] = cib(schema=schema, cib_attrs=' bogus="1"')
        c[f"schema-unknown-node-attr-{s}"] = cib(schema=schema, node_extra=(
            '<node id="9" uname="node9" colour="blue"/>'))
        c[f"schema-unknown-primitive-attr-{s}"] = cib(schema=schema, resources=(
            '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy" frob="yes"/>'))
        c[f"schema-bad-class-{s}"] = cib(schema=schema, resources=(
            '<primitive id="p" class="bogus" type="Dummy"/>'))
        c[f"schema-ocf-no-provider-{s}"] = cib(schema=schema, resources=(
            '<primitive id="p" class="ocf" type="Dummy"/>'))
        c[f"schema-lsb-with-provider-{s}"] = cib(schema=schema, resources=(
            '<primitive id="p" class="lsb" provider="x" type="foo"/>'))
        c[f"schema-no-type-{s}"] = cib(schema=schema, resources=(
            '<primitive id="p" class="lsb"/>'))
        c[f"schema-bad-score-{s}"] = cib(schema=schema, constraints=(
            '<rsc_location id="l1" rsc="rsc1" node="node1" score="high"/>'))
        c[f"schema-bad-boolean-{s}"] = cib(schema=schema, resources=dummy("a") + dummy("b"),
                                           constraints=(
            '<rsc_order id="o1" first="a" then="b" symmetrical="maybe"/>'))
        c[f"schema-bad-role-{s}"] = cib(schema=schema, resources=STATEFUL, constraints=(
            '<rsc_location id="l1" rsc="ms" role="Boss" node="node1" score="10"/>'))
        c[f"schema-bad-kind-{s}"] = cib(schema=schema, resources=dummy("a") + dummy("b"),
                                        constraints='<rsc_order id="o1" first="a" then="b" kind="foo"/>')
        c[f"schema-bad-action-{s}"] = cib(schema=schema, resources=dummy("a") + dummy("b"),
                                          constraints=(
            '<rsc_order id="o1" first="a" then="b" first-action="go"/>'))
        c[f"schema-score-and-kind-{s}"] = cib(schema=schema, resources=dummy("a") + dummy("b"),
                                              constraints=(
            '<rsc_order id="o1" first="a" then="b" score="10" kind="Optional"/>'))
        c[f"schema-op-no-interval-{s}"] = cib(schema=schema, resources=(
            '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
            '<op id="p-m" name="monitor"/></operations></primitive>'))
        c[f"schema-op-no-id-{s}"] = cib(schema=schema, resources=(
            '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
            '<op name="monitor" interval="10s"/></operations></primitive>'))
        c[f"schema-op-bad-onfail-{s}"] = cib(schema=schema, resources=(
            '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
            '<op id="p-m" name="monitor" interval="10s" on-fail="explode"/></operations>'
            '</primitive>'))
        c[f"schema-op-bad-enabled-{s}"] = cib(schema=schema, resources=(
            '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
            '<op id="p-m" name="monitor" interval="10s" enabled="yes"/></operations>'
            '</primitive>'))
        c[f"schema-nvpair-no-id-{s}"] = cib(schema=schema, props=(
            '<nvpair name="stonith-enabled" value="true"/>'))
        c[f"schema-nvpair-no-name-{s}"] = cib(schema=schema, props='<nvpair id="n1" value="x"/>')
        c[f"schema-nvset-no-id-{s}"] = cib(schema=schema, resources=(
            '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
            '<meta_attributes><nvpair id="m1" name="target-role" value="Started"/>'
            '</meta_attributes></primitive>'))
        c[f"schema-empty-group-{s}"] = cib(schema=schema, resources='<group id="g"/>')
        c[f"schema-empty-clone-{s}"] = cib(schema=schema, resources='<clone id="c"/>')
        c[f"schema-clone-two-children-{s}"] = cib(schema=schema, resources=(
            f'<clone id="c">{dummy("a")}{dummy("b")}</clone>'))
        c[f"schema-group-in-group-{s}"] = cib(schema=schema, resources=(
            f'<group id="g">{dummy("a")}<group id="g2">{dummy("b")}</group></group>'))
        c[f"schema-clone-of-clone-{s}"] = cib(schema=schema, resources=(
            f'<clone id="c"><clone id="c2">{dummy("a")}</clone></clone>'))
        c[f"schema-rule-no-expression-{s}"] = cib(schema=schema, constraints=(
            '<rsc_location id="l1" rsc="rsc1"><rule id="r1" score="10"/></rsc_location>'))
        c[f"schema-expression-bad-op-{s}"] = cib(schema=schema, constraints=(
            '<rsc_location id="l1" rsc="rsc1"><rule id="r1" score="10">'
            '<expression id="e1" attribute="x" operation="like" value="y"/></rule>'
            '</rsc_location>'))
        c[f"schema-expression-bad-type-{s}"] = cib(schema=schema, constraints=(
            '<rsc_location id="l1" rsc="rsc1"><rule id="r1" score="10">'
            '<expression id="e1" attribute="x" operation="eq" value="1" type="float"/></rule>'
            '</rsc_location>'))
        c[f"schema-rule-bad-boolean-op-{s}"] = cib(schema=schema, constraints=(
            '<rsc_location id="l1" rsc="rsc1"><rule id="r1" score="10" boolean-op="xor">'
            '<expression id="e1" attribute="x" operation="defined"/></rule></rsc_location>'))
        c[f"schema-location-no-score-{s}"] = cib(schema=schema, constraints=(
            '<rsc_location id="l1" rsc="rsc1" node="node1"/>'))
        c[f"schema-location-no-rsc-{s}"] = cib(schema=schema, constraints=(
            '<rsc_location id="l1" node="node1" score="10"/>'))
        c[f"schema-colocation-no-with-{s}"] = cib(schema=schema, constraints=(
            '<rsc_colocation id="c1" rsc="rsc1" score="10"/>'))
        c[f"schema-ticket-no-ticket-{s}"] = cib(schema=schema, constraints=(
            '<rsc_ticket id="t1" rsc="rsc1"/>'))
        c[f"schema-ticket-bad-policy-{s}"] = cib(schema=schema, constraints=(
            '<rsc_ticket id="t1" rsc="rsc1" ticket="tk" loss-policy="panic"/>'))
        c[f"schema-node-bad-type-{s}"] = cib(schema=schema, node_extra=(
            '<node id="9" uname="node9" type="alien"/>'))
        c[f"schema-node-no-uname-{s}"] = cib(schema=schema, node_extra='<node id="9"/>')
        c[f"schema-level-index-0-{s}"] = cib(schema=schema, extra=(
            '<fencing-topology><fencing-level id="fl1" target="node1" index="0" '
            'devices="fence1"/></fencing-topology>'))
        c[f"schema-level-bad-devices-{s}"] = cib(schema=schema, extra=(
            '<fencing-topology><fencing-level id="fl1" target="node1" index="1" '
            'devices="fence1 fence2"/></fencing-topology>'))
        c[f"schema-level-no-target-{s}"] = cib(schema=schema, extra=(
            '<fencing-topology><fencing-level id="fl1" index="1" devices="fence1"/>'
            '</fencing-topology>'))
        c[f"schema-alert-no-path-{s}"] = cib(schema=schema, extra=(
            '<alerts><alert id="al"/></alerts>'))
        c[f"schema-acl-bad-kind-{s}"] = cib(schema=schema, extra=(
            '<acls><acl_role id="ro"><acl_permission id="ro-p" kind="admin" xpath="/cib"/>'
            '</acl_role></acls>'))
        c[f"schema-tag-empty-{s}"] = cib(schema=schema, extra='<tags><tag id="tg"/></tags>')
        c[f"schema-bundle-no-runtime-{s}"] = cib(schema=schema, resources=(
            f'<bundle id="b">{dummy("bp")}</bundle>'))
        c[f"schema-bundle-bad-replicas-{s}"] = cib(schema=schema, resources=(
            '<bundle id="b"><podman image="img" replicas="two"/></bundle>'))
        c[f"schema-port-mapping-no-port-{s}"] = cib(schema=schema, resources=(
            '<bundle id="b"><podman image="img"/><network><port-mapping id="pm"/></network>'
            '</bundle>'))
        c[f"schema-date-gt-no-start-{s}"] = cib(schema=schema, constraints=(
            '<rsc_location id="l1" rsc="rsc1"><rule id="r1" score="10">'
            '<date_expression id="d1" operation="gt" end="2030-01-01"/></rule></rsc_location>'))
        c[f"schema-bad-epoch-{s}"] = cib(schema=schema).replace('epoch="1"', 'epoch="-1"', 1)
        c[f"schema-no-crm-config-{s}"] = cib(schema=schema).replace(
            '<crm_config><cluster_property_set id="cib-bootstrap-options"></cluster_property_set></crm_config>', '')
        c[f"schema-bad-id-{s}"] = cib(schema=schema, resources=(
            '<primitive id="1bad" class="ocf" provider="pacemaker" type="Dummy"/>'))
        c[f"schema-rkt-{s}"] = cib(schema=schema, resources=(
            '<bundle id="b"><rkt image="img"/></bundle>'))
    c["schema-unknown-version"] = cib(schema="pacemaker-9.9")
    c["schema-nagios-v4.0"] = cib(schema="pacemaker-4.0", resources=(
        '<primitive id="ng" class="nagios" type="check_tcp"/>'))
    c["schema-upstart-v4.0"] = cib(schema="pacemaker-4.0", resources=(
        '<primitive id="up" class="upstart" type="foo"/>'))
    c["schema-master-v4.0"] = cib(schema="pacemaker-4.0", resources=(
        '<master id="ms"><primitive id="st" class="ocf" provider="pacemaker" type="Stateful"/>'
        '</master>'))
    c["schema-lifetime-v4.0"] = cib(schema="pacemaker-4.0", constraints=(
        '<rsc_location id="l1" rsc="rsc1" node="node1" score="10"><lifetime>'
        '<rule id="lr"><date_expression id="ld" operation="lt" end="2030-01-01"/></rule>'
        '</lifetime></rsc_location>'))
    c["schema-empty-nvpair-v4.0"] = cib(schema="pacemaker-4.0",
                                        rsc_defaults='<nvpair id="rd-x" name="resource-stickiness"/>')
    c["schema-moon-v4.0"] = cib(schema="pacemaker-4.0", constraints=(
        '<rsc_location id="l1" rsc="rsc1"><rule id="r1" score="10">'
        '<date_expression id="d1" operation="date_spec"><date_spec id="ds1" moon="1"/>'
        '</date_expression></rule></rsc_location>'))
    c["schema-crmd-option-v4.0"] = cib(schema="pacemaker-4.0", props=(
        '<nvpair id="o1" name="crmd-transition-delay" value="1s"/>'))
    c["schema-remove-after-stop-v4.0"] = cib(schema="pacemaker-4.0", props=(
        '<nvpair id="o1" name="remove-after-stop" value="false"/>'))
    c["schema-restart-type-v4.0"] = cib(schema="pacemaker-4.0", resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id="p-m"><nvpair id="p-m-r" name="restart-type" value="restart"/>'
        '</meta_attributes></primitive>'))
    c["schema-can-fail-v4.0"] = cib(schema="pacemaker-4.0", resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="p-m" name="monitor" interval="10s"><meta_attributes id="p-m-m">'
        '<nvpair id="p-m-m-c" name="can_fail" value="true"/></meta_attributes></op>'
        '</operations></primitive>'))
    c["schema-two-rules-v4.0"] = cib(schema="pacemaker-4.0", constraints=(
        '<rsc_location id="l1" rsc="rsc1"><rule id="r1" score="10">'
        '<expression id="e1" attribute="x" operation="defined"/></rule>'
        '<rule id="r2" score="10"><expression id="e2" attribute="y" operation="defined"/>'
        '</rule></rsc_location>'))
    c["schema-old-option-v3.9"] = cib(schema="pacemaker-3.9", props=(
        '<nvpair id="o1" name="default-resource-stickiness" value="100"/>'))
    c["schema-ping-node-v4.0"] = cib(schema="pacemaker-4.0", node_extra=(
        '<node id="9" uname="node9" type="ping"/>'))
    c["schema-isolation-v3.9"] = cib(schema="pacemaker-3.9", resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id="p-m"><nvpair id="p-m-r" name="isolation" value="x"/>'
        '</meta_attributes></primitive>'))

    # ---- what the scheduler rejects
    for nodes in (1, 2, 3):
        c[f"sched-no-fencing-device-{nodes}n"] = cib(nodes=nodes, fence=False, props="")
    c["sched-no-fencing-device-explicit"] = cib(fence=False, props=(
        '<nvpair id="o1" name="stonith-enabled" value="true"/>'))
    c["sched-no-fencing-device-no-status"] = cib(fence=False, props="", status=None)
    c["sched-no-fencing-device-running"] = cib(fence=False, props="", status=_running("rsc1"))
    c["sched-duplicate-monitor"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="p-m1" name="monitor" interval="10s"/><op id="p-m2" name="monitor" '
        'interval="10000ms"/></operations></primitive>'))
    c["sched-duplicate-monitor-roles"] = cib(resources=(
        '<clone id="ms"><meta_attributes id="ms-meta"><nvpair id="ms-meta-p" '
        'name="promotable" value="true"/></meta_attributes>'
        '<primitive id="st" class="ocf" provider="pacemaker" type="Stateful"><operations>'
        '<op id="st-m1" name="monitor" interval="10s" role="Promoted"/>'
        '<op id="st-m2" name="monitor" interval="10s" role="Unpromoted"/></operations>'
        '</primitive></clone>'))
    c["sched-duplicate-start"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="p-s1" name="start" interval="0" timeout="20s"/><op id="p-s2" name="start" '
        'interval="0" timeout="30s"/></operations></primitive>'))
    c["sched-stop-onfail-stop-running"] = cib(resources=(
        '<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="r-stop" name="stop" interval="0" on-fail="stop"/></operations></primitive>'),
        status=_running("rsc1"))
    c["sched-stop-onfail-stop-stopped"] = cib(resources=(
        '<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="r-stop" name="stop" interval="0" on-fail="stop"/></operations></primitive>'))
    c["sched-onfail-fence-disabled"] = cib(fence=False, resources=(
        '<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="r-mon" name="monitor" interval="10s" on-fail="fence"/></operations>'
        '</primitive>'))
    c["sched-onfail-fence-enabled"] = cib(resources=(
        '<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="r-mon" name="monitor" interval="10s" on-fail="fence"/></operations>'
        '</primitive>'))
    for name, value in (("fencing-action", "poweroff"), ("stonith-action", "explode"),
                        ("no-quorum-policy", "panic"), ("symmetric-cluster", "maybe"),
                        ("stonith-timeout", "soon"), ("cluster-recheck-interval", "often"),
                        ("batch-limit", "many"), ("placement-strategy", "random"),
                        ("node-health-strategy", "ignore"), ("maintenance-mode", "2"),
                        ("stop-all-resources", "yes"), ("migration-limit", "-1"),
                        ("start-failure-is-fatal", "TRUE"), ("node-health-red", "blue")):
        c[f"sched-option-{name}-{value}"] = cib(props=(
            f'<nvpair id="o1" name="{name}" value="{value}"/>'))
    c["sched-order-kind-schema-off"] = cib(schema="none", resources=dummy("a") + dummy("b"),
                                           constraints='<rsc_order id="o1" first="a" then="b" kind="foo"/>')
    c["sched-template-colocation"] = cib(resources=(
        '<template id="t1" class="ocf" provider="pacemaker" type="Dummy"/>'
        '<template id="t2" class="ocf" provider="pacemaker" type="Dummy"/>'),
        constraints='<rsc_colocation id="c1" rsc="t1" with-rsc="t2" score="10"/>')
    c["sched-target-role-promoted-primitive"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id="p-m"><nvpair id="p-m-r" name="target-role" value="Promoted"/>'
        '</meta_attributes></primitive>'))
    c["sched-target-role-promoted-clone"] = cib(resources=STATEFUL.replace(
        '</meta_attributes>', '<nvpair id="ms-tr" name="target-role" value="Promoted"/>'
        '</meta_attributes>', 1))
    c["sched-missing-resource-location"] = cib(constraints=(
        '<rsc_location id="l1" rsc="nosuch" node="node1" score="10"/>'))
    c["sched-missing-resource-colocation"] = cib(constraints=(
        '<rsc_colocation id="c1" rsc="rsc1" with-rsc="nosuch" score="10"/>'))
    c["sched-missing-resource-order"] = cib(constraints=(
        '<rsc_order id="o1" first="nosuch" then="rsc1"/>'))
    c["sched-missing-template"] = cib(resources='<primitive id="p" template="nosuch"/>')
    c["sched-bad-interval"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="p-m" name="monitor" interval="often"/></operations></primitive>'))
    c["sched-bad-timeout"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="p-m" name="monitor" interval="10s" timeout="long"/></operations></primitive>'))
    c["sched-interval-on-start"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="p-s" name="start" interval="10s"/></operations></primitive>'))
    c["sched-bad-meta-boolean"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id="p-m"><nvpair id="p-m-r" name="is-managed" value="perhaps"/>'
        '</meta_attributes></primitive>'))
    c["sched-bad-stickiness"] = cib(rsc_defaults=(
        '<nvpair id="rd-s" name="resource-stickiness" value="sticky"/>'))
    c["sched-bad-target-role"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id="p-m"><nvpair id="p-m-r" name="target-role" value="Running"/>'
        '</meta_attributes></primitive>'))
    c["sched-bad-rule-date"] = cib(constraints=(
        '<rsc_location id="l1" rsc="rsc1"><rule id="r1" score="10">'
        '<date_expression id="d1" operation="gt" start="yesterday"/></rule></rsc_location>'))
    c["sched-bad-date-spec"] = cib(constraints=(
        '<rsc_location id="l1" rsc="rsc1"><rule id="r1" score="10">'
        '<date_expression id="d1" operation="date_spec"><date_spec id="ds1" hours="25-30"/>'
        '</date_expression></rule></rsc_location>'))
    c["sched-self-colocation"] = cib(constraints=(
        '<rsc_colocation id="c1" rsc="rsc1" with-rsc="rsc1" score="10"/>'))
    c["sched-self-order"] = cib(constraints='<rsc_order id="o1" first="rsc1" then="rsc1"/>')
    c["sched-duplicate-id"] = cib(resources=dummy("a") + dummy("b").replace('id="b"', 'id="a"', 1))
    c["sched-resource-twice"] = cib(resources=(
        f'<group id="g1">{dummy("a")}</group><group id="g2">{dummy("a")}</group>'))
    c["sched-level-missing-device"] = cib(extra=(
        '<fencing-topology><fencing-level id="fl1" target="node1" index="1" devices="nosuch"/>'
        '</fencing-topology>'))
    c["sched-clone-max-bad"] = cib(resources=(
        f'<clone id="c"><meta_attributes id="c-m"><nvpair id="c-m-x" name="clone-max" '
        f'value="lots"/></meta_attributes>{dummy("a")}</clone>'))
    c["sched-unknown-class-agent-systemd"] = cib(resources=(
        '<primitive id="p" class="systemd" type="nosuch"/>'))
    c["sched-remote-node-bad"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id="p-m"><nvpair id="p-m-r" name="remote-node" value="node1"/>'
        '</meta_attributes></primitive>'))
    c["sched-tag-missing"] = cib(extra='<tags><tag id="tg"><obj_ref id="nosuch"/></tag></tags>')
    c["sched-set-missing-resource"] = cib(constraints=(
        '<rsc_order id="o1"><resource_set id="s1"><resource_ref id="rsc1"/>'
        '<resource_ref id="nosuch"/></resource_set></rsc_order>'))
    c["sched-ordering-loop"] = cib(resources=dummy("a") + dummy("b"), constraints=(
        '<rsc_order id="o1" first="a" then="b"/><rsc_order id="o2" first="b" then="a"/>'))

    # ---- subtle: accepted, maybe with warnings
    c["subtle-stonith-enabled-v4.0"] = cib(schema="pacemaker-4.0", fence=False, props=(
        '<nvpair id="o1" name="stonith-enabled" value="false"/>'))
    c["subtle-default-value"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id="p-m"><nvpair id="p-m-r" name="target-role" value="#default"/>'
        '</meta_attributes></primitive>'))
    c["subtle-lenient-score"] = cib(constraints=(
        '<rsc_location id="l1" rsc="rsc1" node="node1" score="+100"/>'))
    c["subtle-unknown-node-location"] = cib(constraints=(
        '<rsc_location id="l1" rsc="rsc1" node="nosuchnode" score="10"/>'))
    c["subtle-unknown-option"] = cib(props='<nvpair id="o1" name="stonith-enabeld" value="true"/>')
    c["subtle-ordered-group"] = cib(resources=(
        f'<group id="g"><meta_attributes id="g-m"><nvpair id="g-m-o" name="ordered" '
        f'value="true"/></meta_attributes>{dummy("a")}</group>'))
    c["subtle-require-all"] = cib(resources=dummy("a") + dummy("b"), constraints=(
        '<rsc_order id="o1" first="a" then="b" require-all="false"/>'))
    c["subtle-serialize-symmetrical"] = cib(resources=dummy("a") + dummy("b"), constraints=(
        '<rsc_order id="o1" first="a" then="b" kind="Serialize" symmetrical="true"/>'))
    c["subtle-lsb-globally-unique"] = cib(resources=(
        '<clone id="c"><meta_attributes id="c-m"><nvpair id="c-m-g" name="globally-unique" '
        'value="true"/></meta_attributes><primitive id="l" class="lsb" type="foo"/></clone>'))
    c["subtle-failure-timeout-block"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id="p-m"><nvpair id="p-m-f" name="failure-timeout" value="10s"/>'
        '</meta_attributes><operations><op id="p-m1" name="monitor" interval="10s" '
        'on-fail="block"/></operations></primitive>'))
    c["subtle-master-role-v4.0"] = cib(schema="pacemaker-4.0", resources=STATEFUL, constraints=(
        '<rsc_location id="l1" rsc="ms" role="Master" node="node1" score="10"/>'))
    c["subtle-concurrent-fencing"] = cib(props='<nvpair id="o1" name="concurrent-fencing" value="true"/>')
    c["subtle-no-quorum-ignore"] = cib(nodes=3, props='<nvpair id="o1" name="no-quorum-policy" value="ignore"/>')
    c["subtle-validate-none"] = cib(schema="none")
    c["subtle-rsc-pattern"] = cib(constraints='<rsc_location id="l1" rsc-pattern="rsc.*" node="node1" score="10"/>')
    c["subtle-bad-rsc-pattern"] = cib(constraints='<rsc_location id="l1" rsc-pattern="rsc[" node="node1" score="10"/>')
    c["subtle-discovery-never"] = cib(constraints=(
        '<rsc_location id="l1" rsc="rsc1" node="node1" score="10" resource-discovery="never"/>'))
    c["subtle-feature-set-new"] = cib(cib_attrs=' crm_feature_set="3.20.1"')
    c["subtle-utilization"] = cib(props='<nvpair id="o1" name="placement-strategy" value="balanced"/>',
                                  node_extra='')
    c["subtle-stonith-action-poweroff-v3.9"] = cib(schema="pacemaker-3.9", props=(
        '<nvpair id="o1" name="stonith-action" value="poweroff"/>'))
    c["subtle-interval-origin"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="p-m" name="monitor" interval="1h" interval-origin="2020-01-01T02:00:00"/>'
        '</operations></primitive>'))
    c["subtle-banned-everywhere"] = cib(constraints=(
        '<rsc_location id="b1" rsc="rsc1" node="node1" score="-INFINITY"/>'
        '<rsc_location id="b2" rsc="rsc1" node="node2" score="-INFINITY"/>'))
    c["subtle-group-banned-everywhere"] = cib(resources=f'<group id="g">{dummy("a")}</group>',
                                              constraints=(
        '<rsc_location id="b1" rsc="g" node="node1" score="-INFINITY"/>'
        '<rsc_location id="b2" rsc="a" node="node2" score="-INFINITY"/>'))
    c["sched-nvpair-cluster-infrastructure-no-value-v3.9"] = cib(schema="pacemaker-3.9", props=(
        '<nvpair id="o1" name="cluster-infrastructure"/>'))
    c["subtle-option-lenient-score"] = cib(props=(
        '<nvpair id="o1" name="node-health-green" value="1.5"/>'))
    c["subtle-meta-bad-enum"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id="p-m"><nvpair id="p-m-r" name="multiple-active" value="panic"/>'
        '</meta_attributes></primitive>'))
    c["schema-rule-no-score-nvset-v3.7"] = cib(schema="pacemaker-3.7", rsc_defaults=(
        '<nvpair id="rd-s" name="resource-stickiness" value="100"/></meta_attributes>'
        '<meta_attributes id="rd2"><rule id="rd2-r"><expression id="rd2-e" '
        'attribute="#uname" operation="eq" value="node1"/></rule>'
        '<nvpair id="rd2-s" name="resource-stickiness" value="50"/>'))
    c["valid-rule-no-score-nvset-v3.9"] = c["schema-rule-no-score-nvset-v3.7"].replace(
        "pacemaker-3.7", "pacemaker-3.9")
    c["schema-dangling-id-ref"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id-ref="nosuch"/></primitive>'))
    c["schema-acl-unknown-role"] = cib(extra=(
        '<acls><acl_target id="alice"><role id="nosuch"/></acl_target></acls>'))
    c["sched-bad-requires"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id="p-m"><nvpair id="p-m-r" name="requires" value="always"/>'
        '</meta_attributes></primitive>'))
    c["sched-bad-requires-defaults"] = cib(rsc_defaults=(
        '<nvpair id="rd-r" name="requires" value="everything"/>'))
    # ---- more of what the scheduler resets, or lets pass
    c["sched-ticket-fence-without-fencing"] = cib(fence=False, constraints=(
        '<rsc_ticket id="t1" rsc="rsc1" ticket="tk" loss-policy="fence"/>'))
    c["subtle-ticket-demote-primitive"] = cib(constraints=(
        '<rsc_ticket id="t1" rsc="rsc1" ticket="tk" loss-policy="demote"/>'))
    c["sched-colocation-bad-influence"] = cib(resources=dummy("a") + dummy("b"), constraints=(
        '<rsc_colocation id="c1" rsc="a" with-rsc="b" score="10" influence="maybe"/>'))
    c["sched-promotable-lsb"] = cib(resources=(
        '<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="promotable" '
        'value="true"/></meta_attributes><primitive id="l" class="lsb" type="foo"/></clone>'))
    for task, on_fail in (("monitor", "demote"), ("start", "demote"), ("stop", "standby"),
                          ("monitor", "restart-container")):
        c[f"subtle-onfail-{on_fail}-{task}"] = cib(resources=(
            f'<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
            f'<op id="p-m" name="{task}" interval="{"10s" if task == "monitor" else "0"}" '
            f'on-fail="{on_fail}"/></operations></primitive>'))
    c["subtle-clone-unique-stonith"] = cib(resources=(
        '<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="globally-unique" '
        'value="true"/></meta_attributes><primitive id="f2" class="stonith" '
        'type="fence_dummy"/></clone>'))
    c["subtle-stonith-in-group"] = cib(resources=(
        '<group id="g"><primitive id="f2" class="stonith" type="fence_dummy"/></group>'))
    c["subtle-clone-max-zero"] = cib(resources=(
        '<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="clone-max" value="0"/>'
        f'</meta_attributes>{dummy("a")}</clone>'))
    c["subtle-container-meta"] = cib(resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy">'
        '<meta_attributes id="pm"><nvpair id="pm1" name="container" value="rsc1"/>'
        '</meta_attributes></primitive>'))
    c["sched-onfail-fence-stop-fencing-off"] = cib(fence=False, resources=(
        '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"><operations>'
        '<op id="p-m" name="stop" interval="0" on-fail="fence"/></operations></primitive>'))
    c["sched-anonymous-clone-node-max"] = cib(resources=(
        '<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="clone-node-max" '
        f'value="2"/></meta_attributes>{dummy("a")}</clone>'))
    c["valid-unique-clone-node-max"] = cib(resources=(
        '<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="clone-node-max" '
        'value="2"/><nvpair id="cm2" name="globally-unique" value="true"/></meta_attributes>'
        f'{dummy("a")}</clone>'))
    c["subtle-migration-threshold"] = cib(rsc_defaults=(
        '<nvpair id="rd-m" name="migration-threshold" value="3"/>'))
    return c


def generate(directory: str) -> list[tuple[str, str]]:
    os.makedirs(directory, exist_ok=True)
    written = []
    for name, text in sorted(cases().items()):
        path = os.path.join(directory, f"{name}.xml")
        with open(path, "w") as handle:
            handle.write(text)
        written.append((f"{name}.xml", path))
    return written


if __name__ == "__main__":
    for name, path in generate(sys.argv[1]):
        print(path)
