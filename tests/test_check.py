"""cib.validate and `pengine check`: one test per rule, then the command's formats."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pengine.cib.cib_xml import read_cib
from pengine.cib.validate import CODES, parse_duration, parse_score, validate
from conftest import SAMPLES, cts_dir, needs_crm, run_pengine

NODES = """
    <node id="1" uname="node1"/>
    <node id="2" uname="node2"/>"""
FENCING = """
    <primitive id="fence" class="stonith" type="fence_ipmilan"/>"""
PROPS = """
    <cluster_property_set id="opts">
      <nvpair id="opts-fencing" name="fencing-enabled" value="true"/>
    </cluster_property_set>"""


def make_cib(resources: str = "", constraints: str = "", crm_config: str = PROPS,
             nodes: str = NODES, extra: str = "", cib_attrs: str = 'validate-with="pacemaker-3.10"',
             status: str = "") -> str:
    return f"""<cib {cib_attrs} epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>{crm_config}
    </crm_config>
    <nodes>{nodes}
    </nodes>
    <resources>{FENCING}{resources}
    </resources>
    <constraints>{constraints}
    </constraints>{extra}
  </configuration>
  <status>{status}</status>
</cib>
"""


DUMMY = """
    <primitive id="{0}" class="ocf" provider="pacemaker" type="Dummy"/>"""


def dummies(*names: str) -> str:
    return "".join(DUMMY.format(n) for n in names)


def findings(text: str, filename: str = "test.xml"):
    return validate(read_cib(text, filename), text)


def codes(text: str) -> set[tuple[str, str]]:
    return {(d.severity, d.code) for d in findings(text)}


def only(text: str, code: str):
    found = [d for d in findings(text) if d.code == code]
    assert found, f"expected {code}, got {[(d.code, d.message) for d in findings(text)]}"
    return found


def test_clean_configuration_has_no_findings():
    text = make_cib(dummies("a", "b"), """
    <rsc_colocation id="c" rsc="a" with-rsc="b" score="INFINITY"/>
    <rsc_order id="o" first="a" then="b" kind="Optional"/>
    <rsc_location id="l" rsc="a" node="node1" score="-INFINITY"/>""")
    assert findings(text) == []


def test_every_code_is_documented():
    import re
    source = (Path(__file__).parent.parent / "cib" / "validate.py").read_text()
    used = set(re.findall(r'"(PE\d{3})"', source))
    assert used <= set(CODES)


# ---------------------------------------------------------- references ----

def test_duplicate_id_points_at_the_second_definition():
    text = make_cib(dummies("a") + """
    <primitive id="b" class="ocf" provider="pacemaker" type="Dummy">
      <instance_attributes id="a"/>
    </primitive>""")
    (diag,) = only(text, "PE001")
    assert diag.severity == "error"
    assert "'a'" in diag.message
    assert diag.span.element == "instance_attributes" and diag.span.line == 16


def test_remote_node_id_may_equal_its_connection_resource():
    text = make_cib(dummies("a") + """
    <primitive id="remote1" class="ocf" provider="pacemaker" type="remote"/>""",
                    nodes=NODES + '\n    <node id="remote1" uname="remote1" type="remote"/>')
    assert ("error", "PE001") not in codes(text)


@pytest.mark.parametrize("constraint, attribute", [
    ('<rsc_colocation id="c" rsc="a" with-rsc="nosuch" score="INFINITY"/>', "with-rsc"),
    ('<rsc_order id="c" first="nosuch" then="a"/>', "first"),
    ('<rsc_location id="c" rsc="nosuch" node="node1" score="10"/>', "rsc"),
    ('<rsc_ticket id="c" ticket="t" rsc="nosuch"/>', "rsc"),
])
def test_missing_resource_is_an_error_at_the_attribute(constraint, attribute):
    text = make_cib(dummies("a"), "\n    " + constraint)
    (diag,) = only(text, "PE002")
    assert diag.severity == "error" and "nosuch" in diag.message
    line = text.splitlines()[diag.span.line - 1]
    assert line[diag.span.column - 1:].startswith(attribute + "=")


def test_missing_resource_suggests_a_close_name():
    text = make_cib(dummies("webserver"), """
    <rsc_location id="l" rsc="webservr" node="node1" score="10"/>""")
    (diag,) = only(text, "PE002")
    assert "webserver" in diag.hint


def test_resource_set_reference_and_tags_and_templates():
    text = make_cib(dummies("a") + """
    <template id="tmpl" class="ocf" provider="pacemaker" type="Dummy"/>
    <primitive id="b" template="tmpl"/>
    <primitive id="c" template="notmpl"/>""", """
    <rsc_order id="o" kind="Optional">
      <resource_set id="s1"><resource_ref id="a"/><resource_ref id="ghost"/></resource_set>
    </rsc_order>
    <rsc_colocation id="col" rsc="grp-tag" with-rsc="tmpl" score="10"/>""",
                    extra="""
    <tags><tag id="grp-tag"><obj_ref id="a"/><obj_ref id="missing"/></tag></tags>""")
    found = findings(text)
    assert [d.code for d in found if "ghost" in d.message] == ["PE002"]
    assert [d.code for d in found if "notmpl" in d.message] == ["PE005"]
    assert [d.code for d in found if "'missing'" in d.message] == ["PE006"]
    assert not [d for d in found if d.code == "PE002" and ("grp-tag" in d.message or "tmpl" in d.message)]


def test_resource_in_two_groups():
    text = make_cib("""
    <group id="g1">""" + dummies("a") + """
    </group>
    <group id="g2">""" + dummies("a") + """
    </group>""")
    (diag,) = only(text, "PE003")
    assert diag.severity == "error" and "'g1'" in diag.message and "'g2'" in diag.message


def test_fencing_level_devices_and_targets():
    text = make_cib(dummies("a"), extra="""
    <fencing-topology>
      <fencing-level id="fl1" target="node1" index="1" devices="fence,nodev"/>
      <fencing-level id="fl2" target="node9" index="2" devices="a"/>
    </fencing-topology>""")
    found = findings(text)
    assert {(d.code, d.severity) for d in found if "nodev" in d.message} == {("PE007", "error")}
    assert {(d.code, d.severity) for d in found if "'a'" in d.message} == {("PE007", "error")}
    assert {(d.code, d.severity) for d in found if "node9" in d.message} == {("PE004", "warning")}


def test_container_and_remote_node_meta():
    text = make_cib(dummies("a", "b") + """
    <primitive id="vm" class="ocf" provider="heartbeat" type="VirtualDomain">
      <meta_attributes id="vm-meta"><nvpair id="vm-rn" name="remote-node" value="a"/></meta_attributes>
    </primitive>
    <primitive id="app" class="ocf" provider="pacemaker" type="Dummy">
      <meta_attributes id="app-meta"><nvpair id="app-c" name="container" value="novm"/></meta_attributes>
    </primitive>""")
    messages = [d.message for d in only(text, "PE008")]
    assert any("remote-node 'a'" in m for m in messages)
    assert any("container 'novm'" in m for m in messages)


def test_location_on_guest_node_is_known():
    text = make_cib("""
    <primitive id="vm" class="ocf" provider="heartbeat" type="VirtualDomain">
      <meta_attributes id="vm-meta"><nvpair id="vm-rn" name="remote-node" value="guest1"/></meta_attributes>
    </primitive>""" + dummies("a"), """
    <rsc_location id="l" rsc="a" node="guest1" score="10"/>
    <rsc_location id="l2" rsc="a" node="nodex" score="10"/>""")
    assert [d.message for d in only(text, "PE004")] == [
        "rsc_location 'l2' names node 'nodex', which is not in the configuration"]


# -------------------------------------------------------------- values ----

@pytest.mark.parametrize("score, kind", [
    ("100", "ok"), ("-5", "ok"), ("+7", "ok"), ("INFINITY", "ok"), ("+INFINITY", "ok"),
    ("-INFINITY", "ok"), ("red", "ok"), ("3.5", "lenient"), ("high", "bad"), ("", "bad"),
    ("INF INITY", "bad"), ("inf", "bad"), ("-inf", "bad"), ("infinity", "bad"),
])
def test_parse_score_as_pacemaker_reads_xml(score, kind):
    assert parse_score(score)[0] == kind


@pytest.mark.parametrize("score", ["inf", "-inf", "+inf", "INF", "100", "-INFINITY"])
def test_crm_shell_spells_infinity_inf(score):
    assert parse_score(score, crm=True)[0] == "ok"
    assert parse_score("high", crm=True)[0] == "bad"


def test_inf_in_xml_is_an_error():
    text = make_cib(dummies("a"), """
    <rsc_location id="l" rsc="a" node="node1" score="inf"/>""")
    (diag,) = only(text, "PE010")
    assert diag.severity == "error" and "INFINITY" in diag.hint


@pytest.mark.parametrize("text, kind", [
    ("0", "ok"), ("10", "ok"), ("10s", "ok"), ("500ms", "ok"), ("5min", "ok"), ("2h", "ok"),
    ("1 m", "ok"), ("PT30S", "ok"), ("P1DT2H", "ok"), ("P10S", "ok"), ("10secs", "lenient"),
    ("bad", "bad"), ("10x", "bad"), ("-5", "bad"), ("P", "bad"), ("PT", "bad"), ("", "bad"),
    ("PT0S", "bad"),
])
def test_parse_duration(text, kind):
    assert parse_duration(text)[0] == kind


def test_invalid_scores_everywhere():
    text = make_cib(dummies("a", "b"), """
    <rsc_colocation id="c" rsc="a" with-rsc="b" score="lots"/>
    <rsc_location id="l" rsc="a">
      <rule id="r" score="big"><expression id="e" attribute="x" operation="defined"/></rule>
    </rsc_location>
    <rsc_location id="l2" rsc="b">
      <rule id="r2" score-attribute="has space"><expression id="e2" attribute="x" operation="defined"/></rule>
    </rsc_location>""")
    found = only(text, "PE010")
    assert {d.severity for d in found} == {"error"}
    assert len(found) == 3


def test_invalid_and_legacy_roles():
    text = make_cib(dummies("a", "b"), """
    <rsc_colocation id="c" rsc="a" with-rsc="b" score="10" rsc-role="Boss" with-rsc-role="Master"/>""")
    assert [d.severity for d in only(text, "PE011")] == ["error"]
    (legacy,) = only(text, "PE012")
    assert legacy.severity == "warning" and "Promoted" in legacy.hint


def test_invalid_order_kind_is_an_error_unless_the_schema_is_off():
    constraint = '\n    <rsc_order id="o" first="a" then="b" kind="Sometimes"/>'
    assert ("error", "PE013") in codes(make_cib(dummies("a", "b"), constraint))
    relaxed = make_cib(dummies("a", "b"), constraint, cib_attrs='validate-with="none"')
    (diag,) = only(relaxed, "PE013")
    assert diag.severity == "warning" and "Mandatory" in diag.hint


def test_intervals_and_timeouts():
    text = make_cib("""
    <primitive id="a" class="ocf" provider="pacemaker" type="Dummy">
      <operations>
        <op id="a-mon" name="monitor" interval="10x" timeout="20s"/>
        <op id="a-mon2" name="monitor" interval="PT20S" timeout="forever"/>
        <op id="a-start" name="start" interval="0" timeout="20s" on-fail="explode"/>
      </operations>
    </primitive>""")
    found = only(text, "PE014")
    assert {(d.severity, "10x" in d.message) for d in found} == {("error", True), ("warning", False)}
    assert ("error", "PE016") in codes(text)


def test_duplicate_operation():
    text = make_cib("""
    <primitive id="a" class="ocf" provider="pacemaker" type="Dummy">
      <operations>
        <op id="m1" name="monitor" interval="10s"/>
        <op id="m2" name="monitor" interval="10000ms"/>
        <op id="m3" name="monitor" interval="10s" role="Promoted"/>
      </operations>
    </primitive>""")
    (diag,) = only(text, "PE021")
    assert "twice" in diag.message and diag.span.element_id == "m2"


@pytest.mark.parametrize("name, value, code", [
    ("no-quorum-policy", "panic", "PE016"),
    ("fencing-action", "explode", "PE016"),
    ("placement-strategy", "best", "PE016"),
    ("node-health-strategy", "green-only", "PE016"),
    ("symmetric-cluster", "perhaps", "PE015"),
    ("batch-limit", "many", "PE022"),
])
def test_cluster_option_values(name, value, code):
    props = PROPS.replace("</cluster_property_set>",
                          f'  <nvpair id="x" name="{name}" value="{value}"/>\n    </cluster_property_set>')
    (diag,) = only(make_cib(crm_config=props), code)
    assert diag.severity == "error" and name in diag.message and diag.span.element_id == "x"


def test_boolean_forms_pacemaker_accepts():
    for value in ("true", "FALSE", "yes", "off", "1", "y"):
        props = PROPS.replace('value="true"', f'value="{value}"')
        assert not [d for d in findings(make_cib(crm_config=props)) if d.code == "PE015"]


@pytest.mark.parametrize("name, value, replacement", [
    ("stonith-enabled", "true", "fencing-enabled"),
    ("crmd-transition-delay", "2s", "transition-delay"),
    ("no-quorum-policy", "suicide", "fence"),
])
def test_deprecated_cluster_options(name, value, replacement):
    props = f"""
    <cluster_property_set id="opts">
      <nvpair id="x" name="{name}" value="{value}"/>
    </cluster_property_set>"""
    found = only(make_cib(crm_config=props), "PE012")
    assert any(replacement in d.hint for d in found)
    assert {d.severity for d in found} == {"warning"}


def test_deprecated_meta_and_master_element():
    text = make_cib("""
    <master id="ms">
      <meta_attributes id="ms-meta"><nvpair id="ms-mm" name="master-max" value="1"/></meta_attributes>""" +
                    dummies("a") + """
    </master>""")
    hints = [d.hint for d in only(text, "PE012")]
    assert any("promoted-max" in h for h in hints)
    assert any("promotable=true" in h for h in hints)


def test_misspelt_option_gets_a_suggestion():
    text = make_cib("""
    <primitive id="a" class="ocf" provider="pacemaker" type="Dummy">
      <meta_attributes id="a-meta"><nvpair id="a-st" name="resource-stickines" value="1"/></meta_attributes>
    </primitive>""")
    (diag,) = only(text, "PE017")
    assert diag.severity == "warning" and "resource-stickiness" in diag.hint


def test_self_constraints():
    text = make_cib(dummies("a"), """
    <rsc_colocation id="c" rsc="a" with-rsc="a" score="INFINITY"/>
    <rsc_order id="o" first="a" then="a"/>
    <rsc_order id="o2" first="a" first-action="promote" then="a" then-action="start"/>""")
    assert [d.span.element_id for d in only(text, "PE018")] == ["c", "o"]


def test_constraint_on_clone_child_and_group_members():
    text = make_cib("""
    <clone id="cl">""" + dummies("child") + """
    </clone>
    <group id="g">""" + dummies("m1", "m2") + """
    </group>""", """
    <rsc_location id="l" rsc="child" node="node1" score="10"/>
    <rsc_colocation id="c" rsc="m1" with-rsc="m2" score="INFINITY"/>""")
    found = only(text, "PE019")
    child = next(d for d in found if d.span.element_id == "l")
    assert child.severity == "error" and "ignores" in child.message and "'cl'" in child.hint
    members = next(d for d in found if d.span.element_id == "c")
    assert members.severity == "warning" and "group 'g'" in members.message


def test_clone_child_with_history_stands_for_the_clone():
    """An anonymous instance recorded under the child's id makes Pacemaker
    find the clone: then the constraint applies, and it is only a warning."""
    status = """
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="1"><lrm_resources>
        <lrm_resource id="child" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="child_last_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>"""
    clone = """
    <clone id="cl">""" + dummies("child") + """
    </clone>"""
    location = '\n    <rsc_location id="l" rsc="child" node="node1" score="10"/>'
    (diag,) = only(make_cib(clone, location, status=status), "PE019")
    assert diag.severity == "warning" and "'cl'" in diag.hint
    unique = clone.replace('<clone id="cl">', '<clone id="cl"><meta_attributes id="cl-m">'
                           '<nvpair id="cl-u" name="globally-unique" value="true"/>'
                           '</meta_attributes>')
    (diag,) = only(make_cib(unique, location, status=status), "PE019")
    assert diag.severity == "error"


def test_colocation_of_a_member_with_its_own_group():
    text = make_cib("""
    <group id="g">""" + dummies("m1", "m2") + """
    </group>""", """
    <rsc_colocation id="c" rsc="g" with-rsc="m2" score="INFINITY"/>""")
    (diag,) = only(text, "PE019")
    assert diag.severity == "warning" and "own group 'g'" in diag.message


def test_fencing_safety_warnings():
    off = PROPS.replace('value="true"', 'value="false"')
    (diag,) = only(make_cib(crm_config=off), "PE020")
    assert "disabled" in diag.message and diag.severity == "warning"
    no_device = make_cib(dummies("a")).replace(FENCING, "")
    (diag,) = only(no_device, "PE020")
    assert "no fencing device" in diag.message
    single = make_cib(crm_config=off, nodes='\n    <node id="1" uname="node1"/>')
    assert not [d for d in findings(single) if d.code == "PE020"]


# ------------------------------------------------- agents and operations ----

@pytest.mark.parametrize("agent, severity, words", [
    ('class="foo" type="Dummy"', "error", "unknown agent class 'foo'"),
    ('class="nagios" type="check_http"', "error", "Pacemaker 3.0 dropped"),
    ('class="upstart" type="httpd"', "error", "Pacemaker 3.0 dropped"),
    ('class="OCF" provider="heartbeat" type="IPaddr2"', "error", "unknown agent class 'OCF'"),
    ('class="ocf" type="IPaddr2"', "error", "has no provider"),
])
def test_agent_class(agent, severity, words):
    text = make_cib(f'\n    <primitive id="x" {agent}/>')
    (diag,) = only(text, "PE023")
    assert diag.severity == severity and words in diag.message
    line = text.splitlines()[diag.span.line - 1]
    assert line[diag.span.column - 1:].startswith("class=")


def test_agent_class_suggestion_and_provider_on_other_classes():
    (diag,) = only(make_cib('\n    <primitive id="x" class="Systemd" type="httpd"/>'), "PE023")
    assert "'systemd'" in diag.hint
    (diag,) = only(make_cib('\n    <primitive id="x" class="systemd" provider="heartbeat" '
                            'type="httpd"/>'), "PE021")
    assert diag.severity == "warning" and "provider" in diag.message


def test_known_agent_classes_are_clean():
    text = make_cib("""
    <primitive id="a" class="lsb" type="httpd"/>
    <primitive id="b" class="systemd" type="httpd"/>
    <primitive id="c" class="service" type="httpd"/>""")
    assert not [d for d in findings(text) if d.code in ("PE023", "PE021")]


def test_interval_on_an_action_that_cannot_recur():
    text = make_cib("""
    <primitive id="a" class="ocf" provider="pacemaker" type="Dummy">
      <operations>
        <op id="a-start" name="start" interval="10s" timeout="20s"/>
        <op id="a-stop" name="stop" interval="0" timeout="20s"/>
        <op id="a-mon" name="monitor" interval="10s"/>
      </operations>
    </primitive>""")
    (diag,) = only(text, "PE014")
    assert diag.severity == "error" and diag.span.element_id == "a-start"
    assert "cannot recur" in diag.message and "interval=0" in diag.hint
    line = text.splitlines()[diag.span.line - 1]
    assert line[diag.span.column - 1:].startswith("interval=")


# ------------------------------------------------------------------ loops ----

def test_ordering_loop_is_an_error_at_the_last_ordering():
    text = make_cib(dummies("a", "b", "c"), """
    <rsc_order id="o1" first="a" then="b"/>
    <rsc_order id="o2" first="b" then="c" kind="Optional"/>
    <rsc_order id="o3" first="c" then="a"/>""")
    (diag,) = only(text, "PE024")
    assert diag.severity == "error" and diag.span.element_id == "o3"
    assert "'o1', 'o2', 'o3'" in diag.message
    assert "a start -> b start -> c start -> a start" in diag.message


def test_ordering_a_group_member_before_its_group_is_a_loop():
    text = make_cib("""
    <group id="g">""" + dummies("m1", "m2") + """
    </group>""" + dummies("x"), """
    <rsc_order id="o" first="m2" then="g"/>""")
    (diag,) = only(text, "PE024")
    assert diag.span.element_id == "o" and "m2 start" in diag.message


@pytest.mark.parametrize("constraints", [
    # a chain with a shortcut is no loop
    """<rsc_order id="o1" first="a" then="b"/>
    <rsc_order id="o2" first="b" then="c"/>
    <rsc_order id="o3" first="a" then="c"/>""",
    # Serialize has no direction
    """<rsc_order id="o1" first="a" then="b" kind="Serialize"/>
    <rsc_order id="o2" first="b" then="a" kind="Serialize"/>""",
    # start a, then stop b (SAP enqueue replication) with b's own start after a's
    """<rsc_order id="o1" first="a" then="b" then-action="stop" symmetrical="false"/>
    <rsc_order id="o2" first="c" then="a"/>
    <rsc_order id="o3" first="c" then="b"/>""",
])
def test_no_false_ordering_loops(constraints):
    text = make_cib(dummies("a", "b", "c"), "\n    " + constraints)
    assert not [d for d in findings(text) if d.code == "PE024"]


def test_ordering_loop_in_resource_sets():
    text = make_cib(dummies("a", "b"), """
    <rsc_order id="o1">
      <resource_set id="s1"><resource_ref id="a"/><resource_ref id="b"/></resource_set>
    </rsc_order>
    <rsc_order id="o2" first="b" then="a"/>""")
    (diag,) = only(text, "PE024")
    assert "'o1', 'o2'" in diag.message


def test_colocation_loop_is_a_warning():
    text = make_cib(dummies("a", "b"), """
    <rsc_colocation id="c1" rsc="a" with-rsc="b" score="INFINITY"/>
    <rsc_colocation id="c2" rsc="b" with-rsc="a" score="100"/>""")
    (diag,) = only(text, "PE025")
    assert diag.severity == "warning" and diag.span.element_id == "c2"
    assert "a with b with a" in diag.message
    mutual_ban = make_cib(dummies("a", "b"), """
    <rsc_colocation id="c1" rsc="a" with-rsc="b" score="-INFINITY"/>
    <rsc_colocation id="c2" rsc="b" with-rsc="a" score="-INFINITY"/>""")
    assert not [d for d in findings(mutual_ban) if d.code == "PE025"]


# ------------------------------------------------------------------ roles ----

PROMOTABLE = """
    <clone id="db-clone">
      <meta_attributes id="db-clone-meta"><nvpair id="db-p" name="promotable" value="true"/></meta_attributes>
      <primitive id="db" class="ocf" provider="pacemaker" type="Stateful"/>
    </clone>"""


def test_promoted_role_of_a_resource_that_is_not_promotable():
    text = make_cib(PROMOTABLE + dummies("web", "ip") + """
    <primitive id="other" class="ocf" provider="pacemaker" type="Dummy">
      <meta_attributes id="other-meta"><nvpair id="other-tr" name="target-role" value="Promoted"/></meta_attributes>
    </primitive>""", """
    <rsc_colocation id="ok" rsc="web" with-rsc="db-clone" with-rsc-role="Promoted" score="INFINITY"/>
    <rsc_colocation id="bad" rsc="ip" with-rsc="web" with-rsc-role="Promoted" score="INFINITY"/>
    <rsc_location id="loc" rsc="web" role="Unpromoted" node="node1" score="10"/>""")
    found = only(text, "PE026")
    assert {d.severity for d in found} == {"warning"}
    assert sorted(d.span.element_id for d in found) == ["bad", "loc", "other-tr"]
    bad = next(d for d in found if d.span.element_id == "bad")
    line = text.splitlines()[bad.span.line - 1]
    assert line[bad.span.column - 1:].startswith("with-rsc-role=")


def test_roles_of_promotable_bundles_and_legacy_masters_are_fine():
    text = make_cib(dummies("web") + """
    <bundle id="b">
      <meta_attributes id="b-meta"><nvpair id="b-p" name="promotable" value="true"/></meta_attributes>
      <podman image="img" replicas="2"/>
      <primitive id="b-rsc" class="ocf" provider="pacemaker" type="Stateful"/>
    </bundle>
    <master id="ms">""" + dummies("st") + """
    </master>""", """
    <rsc_colocation id="c1" rsc="web" with-rsc="b" with-rsc-role="Promoted" score="INFINITY"/>
    <rsc_colocation id="c2" rsc="web" with-rsc="ms" with-rsc-role="Master" score="INFINITY"/>""")
    assert not [d for d in findings(text) if d.code == "PE026"]


# -------------------------------------------------------- quorum, fencing ----

THREE_NODES = NODES + '\n    <node id="3" uname="node3"/>'


def quorum_props(policy: str, fencing: str = "true") -> str:
    return f"""
    <cluster_property_set id="opts">
      <nvpair id="opts-fencing" name="fencing-enabled" value="{fencing}"/>
      <nvpair id="opts-nqp" name="no-quorum-policy" value="{policy}"/>
    </cluster_property_set>"""


def test_no_quorum_policy_ignore():
    (diag,) = only(make_cib(crm_config=quorum_props("ignore"), nodes=THREE_NODES), "PE027")
    assert diag.severity == "warning" and "3-node" in diag.message
    assert diag.span.element_id == "opts-nqp"
    (diag,) = only(make_cib(crm_config=quorum_props("ignore", "false")), "PE027")
    assert "split brain" in diag.message and "two_node" in diag.hint
    # two nodes that can fence each other: the classic two-node set-up
    assert not [d for d in findings(make_cib(crm_config=quorum_props("ignore"))) if d.code == "PE027"]
    assert not [d for d in findings(make_cib(crm_config=quorum_props("stop"), nodes=THREE_NODES))
                if d.code == "PE027"]


# ------------------------------------------------------------ deprecations ----

def test_validate_with_none_is_deprecated():
    text = make_cib(cib_attrs='validate-with="none"')
    (diag,) = only(text, "PE012")
    assert diag.severity == "warning" and diag.span.line == 1
    assert text.splitlines()[0][diag.span.column - 1:].startswith("validate-with=")


def test_more_deprecated_names():
    props = PROPS.replace("</cluster_property_set>", '  <nvpair id="cf" name="concurrent-fencing" '
                          'value="true"/>\n    </cluster_property_set>')
    text = make_cib(PROMOTABLE + dummies("a", "b"), """
    <rsc_colocation id="c" rsc="a" with-rsc="db-clone" with-rsc-instance="1" score="INFINITY"/>
    <rsc_colocation id="cs" score="INFINITY">
      <resource_set id="cs-set" ordering="listed"><resource_ref id="a"/><resource_ref id="b"/></resource_set>
    </rsc_colocation>
    <rsc_location id="l" rsc="a">
      <rule id="r" score="10"><date_expression id="d" operation="date_spec"><date_spec id="ds" moon="4"/></date_expression></rule>
    </rsc_location>""", crm_config=props)
    messages = [d.message for d in only(text, "PE012")]
    assert any("with-rsc-instance" in m for m in messages)
    assert any("ordering=" in m for m in messages)
    assert any("'moon'" in m for m in messages)
    assert any("concurrent-fencing" in m for m in messages)


@needs_crm
def test_crm_loop_and_class_positions(write):
    path = write("loop.crm", "primitive a ocf:pacemaker:Dummy\n"
                             "primitive b nagios:check_http\n"
                             "order o1 Mandatory: a b\n"
                             "order o2 Mandatory: b a\n")
    records = json.loads(run_pengine("check", "--format", "json", path).stdout)
    by_code = {r["code"]: r for r in records}
    # crm_verify accepts an ordering loop, so check warns (issue 22: no error where it passes)
    assert by_code["PE024"]["line"] == 4 and by_code["PE024"]["severity"] == "warning"
    assert by_code["PE023"]["line"] == 2


def test_samples_are_clean():
    text = (SAMPLES / "webfarm-status.xml").read_text()
    assert findings(text) == []


# ------------------------------------------------------------- the corpus ----

CTS = cts_dir()


def pacemaker_ignores(cib, diagnostic) -> bool:
    """Whether an error is one Pacemaker reports too: a constraint naming a
    cloned child that Pacemaker's lookup does not find (it logs "Ignoring
    constraint ... does not exist").  Asked of pengine's scheduler, whose
    lookup follows Pacemaker's and is held to the corpus."""
    import re
    from pengine.schedule.constraints import constraint_resource
    from pengine.status.unpack import unpack
    found = re.search(r"names '([^']+)', which is inside", diagnostic.message)
    if diagnostic.code != "PE019" or not found:
        return False
    return constraint_resource(unpack(cib), found.group(1)) is None


def corpus_errors(path: Path) -> list[str]:
    from pengine.cib.load import load_cib
    text = path.read_text(encoding="utf-8")
    cib = load_cib(str(path))
    return [d.render(text) for d in validate(cib, text)
            if d.severity == "error" and not pacemaker_ignores(cib, d)]


@pytest.mark.skipif(not (CTS / "xml").is_dir(), reason="no Pacemaker corpus here")
def test_corpus_xml_has_no_errors():
    """Pacemaker accepts every corpus CIB, so none may get an error, except
    for what Pacemaker itself ignores with a configuration error."""
    files = sorted((CTS / "xml").glob("*.xml"))
    assert len(files) > 100
    bad = [error for path in files for error in corpus_errors(path)]
    assert not bad, "\n".join(bad[:20])


@needs_crm
@pytest.mark.skipif(not (CTS / "crm").is_dir(), reason="no Pacemaker corpus here")
def test_corpus_crm_twins_have_no_errors():
    """The crm twins get no errors either, except where the XML twin turns the
    schema off (validate-with="none"): crm text has no such switch, so what
    only the schema forbids is an error there."""
    bad = []
    twins = sorted((CTS / "crm").glob("*.crm"))
    assert len(twins) > 100
    for path in twins:
        xml_twin = CTS / "xml" / (path.stem + ".xml")
        if xml_twin.exists() and 'validate-with="none"' in xml_twin.read_text()[:2000]:
            continue
        bad.extend(corpus_errors(path))
    assert not bad, "\n".join(bad[:20])


# --------------------------------------------------------------- the CLI ----

BAD = make_cib(dummies("a"), """
    <rsc_order id="o" first="a" then="ghost" kind="Mandatory"/>""")


def test_text_output_points_at_the_line_with_a_caret(write):
    path = write("bad.xml", BAD)
    result = run_pengine("check", path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    line_no = next(i for i, l in enumerate(BAD.splitlines(), 1) if 'then="ghost"' in l)
    col = BAD.splitlines()[line_no - 1].index('then="ghost"') + 1
    assert lines[0] == (f"{path}:{line_no}:{col}: error: rsc_order 'o' names resource 'ghost', "
                        "which does not exist [PE002]")
    assert lines[1] == '  in <rsc_order id="o">'
    assert lines[2].strip().startswith("<rsc_order")
    assert lines[3].index("^") - 2 == len(BAD.splitlines()[line_no - 1][:col - 1])
    assert "1 error" in result.stderr


def test_exit_codes_warnings_strict_and_ignore(write):
    warn = write("warn.xml", make_cib(crm_config=PROPS.replace('value="true"', 'value="false"')))
    assert run_pengine("check", warn).returncode == 0
    assert run_pengine("check", "--strict", warn).returncode == 1
    assert run_pengine("check", "--strict", "--ignore", "PE020", warn).returncode == 0
    bad = write("bad.xml", BAD)
    assert run_pengine("check", "--ignore", "PE002", bad).returncode == 0
    assert run_pengine("check", bad, warn).returncode == 1
    missing = run_pengine("check", warn, str(warn) + ".nope")
    assert missing.returncode == 2 and ".nope" in missing.stderr


def test_json_output(write):
    path = write("bad.xml", BAD)
    result = run_pengine("check", "--format", "json", path)
    assert result.returncode == 1
    (record,) = json.loads(result.stdout)
    assert {k: record[k] for k in ("file", "severity", "code")} == {
        "file": str(path), "severity": "error", "code": "PE002"}
    assert record["line"] > 0 and record["column"] > 0
    assert record["hint"] and "ghost" in record["message"]


def test_junit_output(write):
    good = write("good.xml", make_cib())
    bad = write("bad.xml", BAD)
    result = run_pengine("check", "--format", "junit", good, bad)
    suite = ET.fromstring(result.stdout).find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases[str(good)].find("failure") is None
    assert cases[str(bad)].find("failure").get("type") == "PE002"


def test_sarif_output(write):
    bad = write("bad.xml", BAD)
    log = json.loads(run_pengine("check", "--format", "sarif", bad).stdout)
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "pengine"
    (result,) = run["results"]
    assert result["ruleId"] == "PE002" and result["level"] == "error"
    assert result["ruleId"] in {rule["id"] for rule in driver["rules"]}
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1
    assert result["message"]["text"]


def test_unparseable_file_is_a_diagnostic_of_that_file(write):
    path = write("broken.xml", "<cib>\n  <configuration>\n")
    result = run_pengine("check", "--format", "json", path)
    assert result.returncode == 1
    (record,) = json.loads(result.stdout)
    assert record["file"] == str(path) and record["code"] == "PE000" and record["line"] >= 2


def test_directories_are_searched(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.xml").write_text(BAD)
    (tmp_path / "good.xml").write_text(make_cib())
    (tmp_path / "notes.txt").write_text("not a config")
    result = run_pengine("check", "--format", "json", tmp_path)
    assert result.returncode == 1
    assert {r["file"] for r in json.loads(result.stdout)} == {str(tmp_path / "sub" / "bad.xml")}
    assert "2 files" not in result.stderr  # json mode prints no summary


@needs_crm
def test_crm_sample_is_clean():
    result = run_pengine("check", SAMPLES / "webfarm.crm")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_crm
def test_crm_syntax_error_is_reported_with_position(write):
    path = write("bad.crm", "primitive a ocf:pacemaker:Dummy\ncolocation c inf: a\nbogus line here\n")
    result = run_pengine("check", "--format", "json", path)
    assert result.returncode == 1
    records = json.loads(result.stdout)
    assert records and records[0]["file"] == str(path) and records[0]["line"] >= 2


@needs_crm
def test_crm_reference_errors_have_crm_positions(write):
    path = write("ref.crm", "primitive a ocf:pacemaker:Dummy\n"
                            "colocation c inf: a ghost\n")
    result = run_pengine("check", "--format", "json", path)
    records = [r for r in json.loads(result.stdout) if r["code"] == "PE002"]
    assert records and records[0]["line"] == 2
