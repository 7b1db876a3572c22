"""crm shell text ⇄ model: one test per construct, and syntax errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pengine.cib import model as m
from pengine.cib.crm_text import read_crm, write_crm
from pengine.cib.errors import CrmSyntaxError, InputError
from pengine.cib.normalize import in_crmsh_order, without_default_values, without_generated_ids


def read(text: str) -> m.Configuration:
    """The model of ``text`` before crmsh's ids are filled in (test_crm_ids.py checks those)."""
    return read_crm(text, "test.crm", crmsh_ids=False)


def only(items):
    assert len(items) == 1, items
    return items[0]


def pairs(*items) -> tuple[m.NvPair, ...]:
    return tuple(m.NvPair(name, value) for name, value in items)


def syntax_error(text: str) -> CrmSyntaxError:
    with pytest.raises(CrmSyntaxError) as caught:
        read(text)
    return caught.value


def round_trips(text: str) -> str:
    """write_crm of what ``text`` reads as, checked to read back the same."""
    config = read(text)
    written = write_crm(config)
    assert read(written) == config, written
    return written


# ---------------------------------------------------------------- nodes ----

def test_node_forms():
    nodes = read("node node1\n"
                 "node 2: node2\n"
                 "node $id=abc node3:remote\n"
                 "node 94ef-65: ssgtest1a:member\n").nodes
    assert nodes == (m.Node(id="node1", uname="node1"), m.Node(id="2", uname="node2"),
                     m.Node(id="abc", uname="node3", type="remote"),
                     m.Node(id="94ef-65", uname="ssgtest1a", type="member"))


def test_node_attributes_utilization_and_description():
    node = only(read('node 1: n1 description="rack 4" \\\n'
                     "\tattributes standby=on \\\n"
                     "\tutilization cpu=4 memory=2048\n").nodes)
    assert node.description == "rack 4"
    assert node.attributes == (m.AttrSet(nvpairs=pairs(("standby", "on"))),)
    assert node.utilization == (m.AttrSet(nvpairs=pairs(("cpu", "4"), ("memory", "2048"))),)


def test_node_pairs_after_the_name_are_attributes():
    assert only(read("node n1 standby=on\n").nodes).attributes == (
        m.AttrSet(nvpairs=pairs(("standby", "on"))),)


# ------------------------------------------------------------ primitives ----

@pytest.mark.parametrize("agent, fields", [
    ("apache", dict(cls="ocf", provider="heartbeat", type="apache")),
    ("ocf:pacemaker:Dummy", dict(cls="ocf", provider="pacemaker", type="Dummy")),
    ("ocf:Filesystem", dict(cls="ocf", provider="heartbeat", type="Filesystem")),
    ("stonith:fence_xvm", dict(cls="stonith", type="fence_xvm")),
    ("systemd:httpd", dict(cls="systemd", type="httpd")),
    ("@web-template", dict(template="web-template")),
])
def test_primitive_agents_take_crmsh_defaults(agent, fields):
    assert only(read(f"primitive p {agent}\n").resources) == m.Primitive(id="p", **fields)


def test_primitive_sets_and_quoting():
    rsc = only(read('primitive ip IPaddr2 description="the VIP" \\\n'
                    '\tparams ip=10.0.0.1 label="a b" path=/usr/bin note="say \\"hi\\"" flag \\\n'
                    "\tmeta target-role=Stopped \\\n"
                    "\tmeta $id=more-meta is-managed=false \\\n"
                    "\tutilization cpu=1\n").resources)
    assert rsc.description == "the VIP"
    assert rsc.params == (m.AttrSet(nvpairs=(
        m.NvPair("ip", "10.0.0.1"), m.NvPair("label", "a b"), m.NvPair("path", "/usr/bin"),
        m.NvPair("note", 'say "hi"'), m.NvPair("flag"))),)
    assert rsc.meta == (m.AttrSet(nvpairs=pairs(("target-role", "Stopped"))),
                        m.AttrSet(nvpairs=pairs(("is-managed", "false")), id="more-meta"))
    assert rsc.utilization == (m.AttrSet(nvpairs=pairs(("cpu", "1"))),)


def test_primitive_pairs_after_the_agent_are_params():
    assert only(read("primitive p Dummy state=1 fake=2\n").resources).params == (
        m.AttrSet(nvpairs=pairs(("state", "1"), ("fake", "2"))),)


def test_set_references_scores_and_rules():
    rsc = only(read("primitive p Dummy \\\n"
                    "\tparams $id-ref=shared-params \\\n"
                    "\tmeta 10: rule #uname eq node1 target-role=Started \\\n"
                    "\tparams @other-set:ip $pw:passwd=secret\n").resources)
    assert rsc.params == (
        m.AttrSet(id_ref="shared-params"),
        m.AttrSet(nvpairs=(m.NvPair(name="ip", id_ref="other-set"),
                           m.NvPair(name="passwd", value="secret", id="pw"))))
    assert rsc.meta == (m.AttrSet(
        score="10", nvpairs=pairs(("target-role", "Started")),
        rule=m.Rule(score="INFINITY", expressions=(m.Expression("#uname", "eq", "node1"),))),)


def test_operations():
    rsc = only(read("primitive db mysql \\\n"
                    "\toperations $id=db-ops \\\n"
                    "\top start timeout=120s \\\n"
                    "\top monitor interval=10s timeout=20s role=Promoted OCF_CHECK_LEVEL=10 \\\n"
                    "\top monitor interval=60s \\\n"
                    "\top_params depth=2 \\\n"
                    "\top_meta record-pending=true\n").resources)
    assert rsc.ops_id == "db-ops"
    assert rsc.ops == (
        m.Op("start", "0", attributes={"timeout": "120s"}),
        m.Op("monitor", "10s", attributes={"timeout": "20s", "role": "Promoted"},
             params=(m.AttrSet(nvpairs=pairs(("OCF_CHECK_LEVEL", "10"))),)),
        m.Op("monitor", "60s", params=(m.AttrSet(nvpairs=pairs(("depth", "2"))),),
             meta=(m.AttrSet(nvpairs=pairs(("record-pending", "true"))),)))


def test_operations_reference():
    rsc = only(read("primitive p Dummy \\\n\toperations $id-ref=Dummy_default\n").resources)
    assert (rsc.ops_id, rsc.ops_id_ref, rsc.ops) == (None, "Dummy_default", ())


def test_monitor_statement_adds_an_op():
    rsc = only(read("primitive p Dummy\nmonitor p:Promoted 10s:20s\n").resources)
    assert rsc.ops == (m.Op("monitor", "10s", attributes={"role": "Promoted", "timeout": "20s"}),)


def test_rsc_template():
    assert only(read("rsc_template t ocf:pacemaker:Dummy params a=1\n").resources) == m.Template(
        id="t", cls="ocf", provider="pacemaker", type="Dummy",
        params=(m.AttrSet(nvpairs=pairs(("a", "1"))),))


# ------------------------------------------------------------ containers ----

def test_group_takes_its_primitives_in_order():
    config = read("primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy\n"
                  "group g b a \\\n\tmeta target-role=Started\n")
    assert [r.id for r in config.resources] == ["c", "g"]  # each where its statement is
    group = config.resources[1]
    assert [c.id for c in group.children] == ["b", "a"]
    assert group.meta == (m.AttrSet(nvpairs=pairs(("target-role", "Started"))),)


def test_clone_of_a_group_and_legacy_ms():
    config = read("primitive a Dummy\ngroup g a\nclone cl g meta interleave=true\n"
                  "primitive s Stateful\nms ms-s s meta promoted-max=1\n")
    clone, ms = config.resources
    assert clone.child == m.Group(id="g", children=(m.Primitive("a", "ocf", "heartbeat", "Dummy"),))
    assert clone.meta == (m.AttrSet(nvpairs=pairs(("interleave", "true"))),)
    assert (ms.id, ms.legacy_master, ms.child.id) == ("ms-s", True, "s")


def test_promotable_clone():
    clone = only(read("primitive s Stateful\nclone c s meta promotable=true\n").resources)
    assert not clone.legacy_master and clone.meta[0].get("promotable") == "true"


def test_a_missing_member_becomes_an_empty_primitive_for_validation():
    group = only(read("group g ghost\n").resources)
    assert group.children == (m.Primitive(id="ghost"),)


def test_bundle():
    config = read('primitive httpd apache\n'
                  'bundle web \\\n'
                  '\tdocker image=pcmk:http replicas=3 options="--log-driver=journald" \\\n'
                  '\tnetwork ip-range-start=192.168.122.131 control-port=3121 \\\n'
                  '\t\tport-mapping id=web-port port=80 \\\n'
                  '\tstorage storage-mapping id=web-root source-dir=/srv/html target-dir=/var/www \\\n'
                  '\tprimitive httpd \\\n'
                  '\tmeta target-role=Started\n')
    bundle = only(config.resources)
    assert bundle == m.Bundle(
        id="web", runtime="docker",
        runtime_attributes={"image": "pcmk:http", "replicas": "3", "options": "--log-driver=journald"},
        network=m.BundleNetwork(
            attributes={"ip-range-start": "192.168.122.131", "control-port": "3121"},
            port_mappings=(m.PortMapping(id="web-port", attributes={"port": "80"}),)),
        storage=(m.StorageMapping(id="web-root", attributes={"source-dir": "/srv/html",
                                                               "target-dir": "/var/www"}),),
        primitive=m.Primitive("httpd", "ocf", "heartbeat", "apache"),
        meta=(m.AttrSet(nvpairs=pairs(("target-role", "Started"))),))


def test_podman_bundle():
    assert only(read("bundle b podman image=x\n").resources).runtime == "podman"


# ------------------------------------------------------------- locations ----

def test_location_score_node_and_attributes():
    loc = only(read("location l1 web role=Promoted resource-discovery=exclusive -inf: node2\n"
                    "location l2 web 100: node1\n").constraints[:1])
    assert loc == m.Location(id="l1", rsc="web", score="-INFINITY", node="node2", role="Promoted",
                             resource_discovery="exclusive")
    assert read("location l web inf: n\n").constraints[0].score == "INFINITY"
    assert read("location l web mandatory: n\n").constraints[0].score == "INFINITY"
    assert read("location l web advisory: n\n").constraints[0].score == "0"


def test_location_pattern_and_set():
    pattern, rset = read("location l1 /^rsc[0-9]$/ 10: n1\n"
                         "location l2 { a b } 10: n1\n").constraints
    assert pattern.rsc_pattern == "^rsc[0-9]$" and pattern.rsc is None
    assert rset.resource_sets == (m.ResourceSet(resources=("a", "b")),)


def test_location_rules():
    loc = only(read("location l web \\\n"
                    "\trule $role=Promoted 100: #uname eq node1 or #uname eq node2 \\\n"
                    "\trule -inf: not_defined pingd or pingd number:lte 0 \\\n"
                    "\trule pingd: defined pingd \\\n"
                    "\trule #uname eq node3 and rack version:gt 1.2 and fake eq param{fake}\n").constraints)
    first, second, third, fourth = loc.rules
    assert first == m.Rule(role="Promoted", score="100", boolean_op="or", expressions=(
        m.Expression("#uname", "eq", "node1"), m.Expression("#uname", "eq", "node2")))
    assert second == m.Rule(score="-INFINITY", boolean_op="or", expressions=(
        m.Expression("pingd", "not_defined"), m.Expression("pingd", "lte", "0", type="number")))
    assert third == m.Rule(score_attribute="pingd", expressions=(m.Expression("pingd", "defined"),))
    assert fourth.score == "INFINITY" and fourth.boolean_op is None
    assert fourth.expressions[1:] == (m.Expression("rack", "gt", "1.2", type="version"),
                                      m.Expression("fake", "eq", "fake", value_source="param"))


def test_date_expressions():
    loc = only(read('location l web \\\n'
                    '\trule date lt "2019-09-23 12:30:00 -05:00" \\\n'
                    '\trule date gt 2020-01-01 \\\n'
                    '\trule date in start=2005-001 end=2005-365 \\\n'
                    '\trule date in_range start=2005-001 years=1 \\\n'
                    '\trule date spec hours=9-16 weekdays=1-5\n').constraints)
    assert [r.expressions[0] for r in loc.rules] == [
        m.DateExpression("lt", end="2019-09-23 12:30:00 -05:00"),
        m.DateExpression("gt", start="2020-01-01"),
        m.DateExpression("in_range", start="2005-001", end="2005-365"),
        m.DateExpression("in_range", start="2005-001", duration=m.DateSpec({"years": "1"})),
        m.DateExpression("date_spec", date_spec=m.DateSpec({"hours": "9-16", "weekdays": "1-5"})),
    ]


def test_a_date_spec_takes_its_fields_before_the_set_pairs():
    rsc = only(read("primitive p Dummy meta rule date spec hours=9-16 target-role=Started\n").resources)
    assert rsc.meta[0].rule.expressions[0].date_spec == m.DateSpec({"hours": "9-16"})
    assert rsc.meta[0].nvpairs == pairs(("target-role", "Started"))


def test_rule_reference():
    loc = only(read("location l web rule $id-ref=shared-rule\n").constraints)
    assert loc.rules == (m.Rule(id_ref="shared-rule"),)


# ----------------------------------------------------- colocations, orders ----

def test_simple_colocation():
    col = only(read("colocation c inf: web:Started db:Promoted node-attribute=rack\n").constraints)
    assert col == m.Colocation(id="c", score="INFINITY", rsc="web", rsc_role="Started",
                               with_rsc="db", with_rsc_role="Promoted", node_attribute="rack")


def test_colocation_sets():
    col = only(read("colocation c 500: a b ( c d ) [ e f ] g:Promoted h:Promoted\n").constraints)
    assert col.resource_sets == (
        m.ResourceSet(resources=("a", "b")),
        m.ResourceSet(resources=("c", "d"), sequential="false"),
        m.ResourceSet(resources=("e", "f"), sequential="false", require_all="false"),
        m.ResourceSet(resources=("g", "h"), role="Promoted"))
    assert (col.rsc, col.with_rsc) == (None, None)


def test_set_options_and_crmsh_set_mark():
    col = only(read("colocation c inf: _rsc_set_ a b\n").constraints)
    assert col.resource_sets == (m.ResourceSet(resources=("a", "b")),)
    order = only(read("order o Mandatory: [ a b sequential=true ] ( c require-all=false )\n").constraints)
    assert order.resource_sets == (
        m.ResourceSet(resources=("a", "b"), require_all="false"),
        m.ResourceSet(resources=("c",), sequential="false", require_all="false"))


def test_orders():
    first, second, third = read("order o1 Mandatory: a:start b:promote symmetrical=false\n"
                                "order o2 serialize: a b\n"
                                "order o3 a:1 b\n").constraints
    assert first == m.Order(id="o1", kind="Mandatory", first="a", first_action="start",
                            then="b", then_action="promote", symmetrical="false")
    assert second.kind == "Serialize"
    assert (third.kind, third.first_instance, third.then) == (None, "1", "b")
    assert only(read("order o inf: a b\n").constraints).score == "INFINITY"


def test_order_sets_carry_actions():
    order = only(read("order o Optional: a:start b:start c:promote\n").constraints)
    assert order.resource_sets == (m.ResourceSet(resources=("a", "b"), action="start"),
                                   m.ResourceSet(resources=("c",), action="promote"))


def test_rsc_ticket():
    simple, sets = read("rsc_ticket t1 ticketA: db:Promoted loss-policy=demote\n"
                        "rsc_ticket t2 ticketB: a b\n").constraints
    assert simple == m.TicketConstraint(id="t1", ticket="ticketA", rsc="db", rsc_role="Promoted",
                                        loss_policy="demote")
    assert sets.resource_sets == (m.ResourceSet(resources=("a", "b")),)


# ----------------------------------------------- properties and defaults ----

def test_property_sets():
    config = read("property cib-bootstrap-options: \\\n"
                  '\tstonith-enabled=false \\\n\tdc-version="2.1.3-node: a3184d5"\n'
                  "property $id=maintenance rule date spec hours=1-4 maintenance-mode=true\n"
                  "rsc_defaults rsc-options: resource-stickiness=100\n"
                  "op_defaults timeout=90s\n")
    first, second = config.crm_config
    assert first == m.AttrSet(id="cib-bootstrap-options", nvpairs=pairs(
        ("stonith-enabled", "false"), ("dc-version", "2.1.3-node: a3184d5")))
    assert second.id == "maintenance" and second.rule.expressions[0].operation == "date_spec"
    assert config.rsc_defaults == (m.AttrSet(id="rsc-options",
                                             nvpairs=pairs(("resource-stickiness", "100"))),)
    assert config.op_defaults == (m.AttrSet(id="op-options", nvpairs=pairs(("timeout", "90s"))),)


def test_property_statements_for_one_set_merge():
    config = read("property a=1 b=2\nproperty b=3\n")
    assert config.crm_config == (m.AttrSet(id="cib-bootstrap-options", nvpairs=pairs(("a", "1"), ("b", "3"))),)


# ------------------------------------------------------------- the rest ----

def test_fencing_topology():
    levels = read("node n1\nnode n2\n"
                  "fencing_topology \\\n"
                  "\tn1: ipmi-1 disk-1,net-1 \\\n"
                  "\tattr:rack=2 ipmi-r2 \\\n"
                  "\tpattern:node[0-9] ipmi\n").fencing_topology
    assert [(l.target, l.target_attribute, l.target_value, l.target_pattern, l.index, l.devices)
            for l in levels] == [
        ("n1", None, None, None, "1", "ipmi-1"), ("n1", None, None, None, "2", "disk-1,net-1"),
        (None, "rack", "2", None, "1", "ipmi-r2"), (None, None, None, "node[0-9]", "1", "ipmi")]


def test_fencing_topology_without_target_is_every_nodes():
    levels = read("node n1\nnode n2\nfencing_topology ipmi\n").fencing_topology
    assert [(l.target, l.index, l.devices) for l in levels] == [("n1", "1", "ipmi"), ("n2", "1", "ipmi")]


def test_tags():
    assert read("tag t1 a b\ntag t2: c\n").tags == (m.Tag("t1", ("a", "b")), m.Tag("t2", ("c",)))


def test_alert():
    alert = only(read('alert smtp "/usr/lib/notify.sh" \\\n'
                      '\tattributes email_sender=pcmk@example.com \\\n'
                      '\tmeta timeout=10s \\\n'
                      '\tselect nodes fencing attributes { standby shutdown } \\\n'
                      '\tto "/var/log/alerts.log" \\\n'
                      '\tto { admin@example.com meta timestamp-format="%H:%M" }\n').alerts)
    assert (alert.id, alert.path) == ("smtp", "/usr/lib/notify.sh")
    assert alert.params == (m.AttrSet(nvpairs=pairs(("email_sender", "pcmk@example.com"))),)
    assert alert.select == ("select_nodes", "select_fencing", "select_attributes")
    assert alert.select_attributes == ("standby", "shutdown")
    assert alert.recipients == (
        m.AlertRecipient(id="smtp-recipient-1", value="/var/log/alerts.log"),
        m.AlertRecipient(id="smtp-recipient-2", value="admin@example.com",
                         meta=(m.AttrSet(nvpairs=pairs(("timestamp-format", "%H:%M"))),)))


def test_acl_basics():
    role, target = read_crm('role readers read xpath:"/cib" deny ref:secret\n'
                            "acl_target alice readers writers\n", "test.crm").acls
    assert role == m.XmlElement("acl_role", {"id": "readers"}, (  # crmsh's permission ids
        m.XmlElement("acl_permission", {"id": "readers-0", "kind": "read", "xpath": "/cib"}),
        m.XmlElement("acl_permission", {"id": "readers-1", "kind": "deny", "reference": "secret"})))
    assert target == m.XmlElement("acl_target", {"id": "alice"}, (
        m.XmlElement("role", {"id": "readers"}), m.XmlElement("role", {"id": "writers"})))


def test_xml_blocks():
    config = read('xml <primitive id="x" class="ocf" provider="pacemaker" type="Dummy"> \\\n'
                  '  <meta_attributes id="x-meta"> \\\n'
                  '    <nvpair id="x-meta-t" name="target-role" value="Stopped"/> \\\n'
                  '  </meta_attributes> \\\n'
                  '</primitive>\n'
                  'group g x\n'
                  'xml <rsc_colocation id="c" rsc="g" with-rsc="y" score="-5000" influence="false"/>\n'
                  'xml <node id="n1" uname="n1" score="100"/>\n'
                  'xml <meta_attributes id="ops"> <rule id="r" score="INFINITY"> '
                  '<op_expression id="e" name="monitor"/> </rule> '
                  '<nvpair id="ops-t" name="timeout" value="7s"/> </meta_attributes>\n'
                  'xml <meta_attributes id="rsc"> <nvpair id="rsc-s" name="resource-stickiness" '
                  'value="1"/> </meta_attributes>\n')
    group = only(config.resources)
    assert group.children[0].meta[0] == m.AttrSet(
        id="x-meta", nvpairs=(m.NvPair("target-role", "Stopped", id="x-meta-t"),))
    assert only(config.constraints).influence == "false"
    assert only(config.nodes).score == "100"
    assert only(config.op_defaults).id == "ops"  # an op_expression makes it op_defaults
    assert only(config.rsc_defaults).id == "rsc"


def test_a_member_shown_again_beside_its_xml_container_is_the_same_resource():
    config = read("primitive x Dummy\n"
                  'xml <clone id="c"> <primitive id="x" class="ocf" provider="heartbeat" type="Dummy"/> '
                  "</clone>\n")
    assert [r.id for r in config.resources] == ["c"]


def test_xml_block_positions_are_the_files():
    group = only(read('\n\nxml <group id="g"> \\\n  <primitive id="p" class="ocf" type="Dummy"/> \\\n'
                      '</group>\n').resources)
    assert (group.span.line, group.span.column) == (3, 5)
    assert (group.children[0].span.line, group.children[0].span.column) == (4, 3)


def test_comments_continuations_crlf_and_crmsh_warnings():
    config = read("# a comment\r\n"
                  "\x1b[33mWARNING\x1b[0m: unrecognized CIB element <cyfunction Comment at 0x7f5a>\r\n"
                  "WARNING: another crmsh message\n"
                  "\n"
                  "node n1 \\\r\n"
                  "\tattributes a=1\r\n"
                  "primitive p Dummy \\  \n"
                  "\tparams a=1\n")
    assert [n.id for n in config.nodes] == ["n1"]
    assert only(config.resources).params == (m.AttrSet(nvpairs=pairs(("a", "1"))),)


def test_byte_order_mark_and_a_last_line_continued():
    config = read("\ufeffnode n1 \\\n")
    assert only(config.nodes).span.column == 2


def test_each_resource_set_has_its_own_span():
    col = only(read("colocation c inf: a ( b c ) \\\n\t[ d ]\n").constraints)
    assert [(s.span.line, s.span.column) for s in col.resource_sets] == [(1, 19), (1, 21), (2, 2)]


def test_keywords_are_names_where_no_keyword_fits():
    config = read("primitive meta Dummy\nprimitive op Dummy\ngroup params meta op\n")
    assert [c.id for c in only(config.resources).children] == ["meta", "op"]


def test_spans():
    config = read("node n1\n\nprimitive p Dummy \\\n\top monitor interval=10s\n")
    rsc = only(config.resources)
    assert (rsc.span.file, rsc.span.line, rsc.span.column) == ("test.crm", 3, 1)
    assert (rsc.ops[0].span.line, rsc.ops[0].span.column) == (4, 2)
    assert config.nodes[0].span.line == 1


# ---------------------------------------------------------------- writing ----

def test_write_layout():
    written = round_trips("node 1: n1 attributes standby=on\n"
                          "primitive p ocf:heartbeat:Dummy params a=1 op monitor interval=10s\n"
                          "property cib-bootstrap-options: stonith-enabled=false no-quorum-policy=ignore\n")
    assert written == ("node 1: n1 \\\n\tattributes standby=on\n"
                       "primitive p Dummy \\\n\tparams a=1 \\\n\top monitor interval=10s\n"
                       "property cib-bootstrap-options: \\\n"
                       "\tstonith-enabled=false \\\n\tno-quorum-policy=ignore\n")


def test_write_puts_members_before_their_container():
    written = round_trips("group g a b\nprimitive a Dummy\nprimitive b Dummy\nclone c g\n")
    assert written == "primitive a Dummy\nprimitive b Dummy\ngroup g a b\nclone c g\n"


def test_write_quotes_what_needs_it():
    written = round_trips('primitive p Dummy params a="x y" b="" c="say \\"hi\\"" d=/a/b\n')
    assert 'a="x y" b="" c="say \\"hi\\"" d=/a/b' in written


def test_write_constraints():
    text = ("location l1 web role=Promoted 100: n1\n"
            "location l2 /^web/ \\\n\trule -inf: not_defined pingd or pingd lte 0\n"
            "location l3 { a b } \\\n\trule #uname eq n1\n"
            "colocation c1 inf: a:Started b:Promoted node-attribute=rack\n"
            "colocation c2 -inf: _rsc_set_ a b\n"
            "order o1 Mandatory: a:start b:start symmetrical=false\n"
            "order o2 Optional: ( a b ) [ c d ] e:promote\n"
            "rsc_ticket t ticketA: a:Promoted loss-policy=stop\n")
    assert round_trips(text) == text


def test_write_keeps_referenced_ids_only():
    config = read("primitive p Dummy params $id=shared a=1 meta $id=alone b=2\n"
                  "primitive q Dummy params $id-ref=shared\n")
    written = write_crm(config)
    assert "params $id=shared a=1" in written and "$id=alone" not in written
    assert without_generated_ids(read(written)) == without_generated_ids(config)


def test_write_falls_back_to_xml():
    influence = m.Colocation(id="c", score="INFINITY", rsc="a", with_rsc="b", influence="false")
    nested = m.Location(id="l", rsc="a", rules=(m.Rule(score="10", expressions=(
        m.Rule(expressions=(m.Expression("#uname", "eq", "n1"),)),)),))
    scored = m.Node(id="n1", uname="n1", score="100")
    config = m.Configuration(nodes=(scored,), constraints=(influence, nested))
    written = write_crm(config)
    assert written.startswith('xml <node id="n1" uname="n1" score="100"/>\n')
    assert 'xml <rsc_colocation id="c"' in written and "influence=\"false\"" in written
    assert without_generated_ids(read(written)) == without_generated_ids(config)


def test_write_keeps_whose_defaults_an_xml_block_holds():
    config = m.Configuration(op_defaults=(m.AttrSet(id="o", score="10", nvpairs=(m.NvPair("timeout", "9s"),)),))
    written = write_crm(config)
    assert written.startswith("xml <op_defaults>")
    assert without_generated_ids(read(written)) == without_generated_ids(config)


def test_write_acls_and_alerts():
    text = ('role readers read xpath:"/cib"\nacl_target alice readers\n'
            'alert a "/bin/notify" \\\n\tselect nodes attributes { standby } \\\n'
            '\tto { "/var/log/x" meta timeout=5s }\n')
    config = read(text)
    assert read(write_crm(config)) == config


def test_normalisations():
    config = m.Configuration(
        nodes=(m.Node("b", "b", type="normal"), m.Node("a", "a")),
        constraints=(m.Location("l", rsc="r", rules=(m.Rule(id="r1", boolean_op="and", score="1", expressions=(
            m.Expression("#uname", "eq", "x", type="string", id="e1"),
            m.Expression("n", "lt", "2", type="string"))),)),))
    normal = in_crmsh_order(without_default_values(without_generated_ids(config)))
    assert without_generated_ids(m.Cib(configuration=config)).configuration == without_generated_ids(config)
    assert [n.id for n in normal.nodes] == ["a", "b"] and normal.nodes[1].type is None
    rule = normal.constraints[0].rules[0]
    assert (rule.id, rule.boolean_op) == (None, None)
    assert [e.type for e in rule.expressions] == [None, "string"]  # lt keeps its type


# ---------------------------------------------------------- syntax errors ----

@pytest.mark.parametrize("text, line, column, message, expected", [
    ("node n1\nfoo bar\n", 2, 1, "unknown statement: unexpected 'foo'", "primitive"),
    ("primitive p\n", 1, 12, "missing resource agent", "ocf:heartbeat:IPaddr2"),
    ("colocation c a b\n", 1, 14, "missing score: unexpected 'a'", "<score>:"),
    ("location l r\n", 1, 13, "incomplete location", "<score>: <node> or rule"),
    ("location l r \\\n\trule #uname\n", 2, 13, "missing comparison", "eq"),
    ("location l r rule #uname eq\n", 1, 28, "missing value", "value"),
    ("location l r 100: \n", 1, 19, "missing node", "node name"),
    ("group g\n", 1, 8, "missing resource", "resource id"),
    ("primitive p Dummy\n\tparams a=1\n", 2, 2, "a clause on a line of its own", "'\\'"),
    ('primitive p Dummy params a="x\n', 1, 28, "unterminated quote", '"'),
    ("location l { a b\n", 1, 17, "unterminated set", "'}'"),
    ("order o foo: a b\n", 1, 9, "'foo' is not an order kind", "Mandatory:"),
    ("order o Mandatory: a ( b\n", 1, 22, "'(' is never closed", ""),
    ("order o Mandatory: a b )\n", 1, 24, "')' closes no set", ""),
    ("location l r foo=bar 10: n1\n", 1, 14, "a location has no attribute 'foo'", "role="),
    ("location l r rule a eq b and c eq d or e eq f\n", 1, 14, "cannot mix 'and' and 'or'", "one operator"),
    ("location l r rule a equals b\n", 1, 21, "'equals' is not a comparison", "eq"),
    ("location l r rule date before 2020\n", 1, 24, "'before' is not a date operation", "date lt"),
    ("node n1:foo\n", 1, 6, "'n1:foo' is not a node name", "member"),
    ("primitive p a:b:c:d\n", 1, 13, "'a:b:c:d' is not a resource agent", "[class:[provider:]]type"),
    ("primitive p Dummy meta rule a eq b rule c eq d\n", 1, 36, "takes one rule", "'and' or 'or'"),
    ("xml <primitive id='x'\n", 1, 5, "xml block: malformed XML", ""),
    ("xml <status/>\n", 1, 5, "<status> is not a configuration element", "resource"),
    ("primitive p Dummy params a=1 \\\n\top monitor interval=10 (\n", 2, 25,
     "unexpected '('", "'op_params'"),
])
def test_syntax_errors(text, line, column, message, expected):
    error = syntax_error(text)
    assert (error.span.file, error.span.line, error.span.column) == ("test.crm", line, column)
    assert message in error.message
    assert expected in error.hint
    assert error.source is not None and "Traceback" not in error.render()


def test_syntax_error_renders_with_a_caret():
    rendered = syntax_error("node n1\ncolocation c a b\n").render()
    assert rendered.splitlines() == ["test.crm:2:14: error: missing score: unexpected 'a'",
                                     "  colocation c a b",
                                     "               ^",
                                     "  hint: expected <score>:, as in 'colocation c inf: a b'"]


_CRMISH = st.lists(st.sampled_from(list(" \t\n\\\"'(){}[]=:$@#<>/-ab1") + [
    "node ", "primitive ", "group ", "location ", "colocation ", "order ", "property ", "xml <",
    "rule ", "op ", "params ", "meta ", "date ", "and ", "inf: ", "in ", "spec ", "hours=1 ", "eq "]),
    max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(_CRMISH)
def test_any_text_reads_or_fails_with_an_input_error(text):
    try:
        read(text)
    except InputError as error:
        assert error.span is not None and error.render()
