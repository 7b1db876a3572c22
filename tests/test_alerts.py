"""Alerts (transitions.execute.alerts): alert objects from crm, pcs and XML
call their agents with Pacemaker's CRM_alert_* environment, filtered by
select and enabled; on three fake cluster nodes the sample agent
(samples/alerts/alert_log) logs node, fencing and resource events."""

from __future__ import annotations

import shutil

import pytest

from tests.cluster_fakes import FakeCluster
from tests.conftest import REPO
from tests.execute_helpers import wait_for
from pengine.cib import model as m
from pengine.cib.load import parse_config
from pengine.transitions.execute import alerts as al

AGENT = REPO / "samples" / "alerts" / "alert_log"


def _alerts(text: str, name: str = "cluster.crm") -> tuple[m.Alert, ...]:
    return parse_config(text.encode(), name).configuration.alerts


def test_crm_pcs_and_xml_alerts_give_the_same_calls():
    crm = _alerts('node 1: n1\nalert log /opt/alert_log meta timeout=15s '
                  'to /var/log/a.log attributes debug=1\n')
    pcs = _alerts("pcs alert create id=log path=/opt/alert_log meta timeout=15s\n"
                  "pcs alert recipient add log value=/var/log/a.log id=log-to "
                  "options debug=1\n", "cluster.pcs")
    xml = _alerts('<cib><configuration><crm_config/><nodes/><resources/><constraints/>'
                  '<alerts><alert id="log" path="/opt/alert_log">'
                  '<meta_attributes id="m"><nvpair id="m1" name="timeout" value="15s"/>'
                  '</meta_attributes><recipient id="r" value="/var/log/a.log">'
                  '<instance_attributes id="i"><nvpair id="i1" name="debug" value="1"/>'
                  '</instance_attributes></recipient></alert></alerts>'
                  '</configuration><status/></cib>', "cib.xml")
    event = al.node_event("n2", 2, "lost")
    for alerts in (crm, pcs, xml):
        (call,) = al.alert_calls(alerts, event, 1_700_000_000.25, 7)
        env = call.env()
        assert call.path == "/opt/alert_log" and call.timeout_ms == 15000
        assert env["CRM_alert_kind"] == "node" and env["CRM_alert_desc"] == "lost"
        assert env["CRM_alert_node"] == "n2" and env["CRM_alert_nodeid"] == "2"
        assert env["CRM_alert_recipient"] == "/var/log/a.log"
        assert env["CRM_alert_node_sequence"] == "7"
        assert env["CRM_alert_version"] == al.VERSION
        assert env["CRM_alert_timestamp_epoch"] == "1700000000"
        assert env["CRM_alert_timestamp_usec"] == "250000"
        assert env["CRM_alert_timestamp"].endswith(".250000")
        assert env["debug"] == "1"


def test_select_and_enabled_filter_the_calls():
    alerts = _alerts("node 1: n1\n"
                     "alert nodes-only /a select nodes to r1 to r2 meta enabled=false\n"
                     "alert off /b meta enabled=false\n"
                     "alert attrs /c select attributes { standby }\n")
    node = al.node_event("n1", 1, "member")
    fencing = al.fencing_event("n2", "reboot", True, "n1", "n1", 0)
    assert [c.env()["CRM_alert_recipient"] for c in al.alert_calls(alerts, node, 0, 1)] == ["r1"]
    assert al.alert_calls(alerts, fencing, 0, 1) == []
    standby = al.attribute_event("n1", 1, "standby", "on")
    other = al.attribute_event("n1", 1, "pingd", "100")
    assert [c.alert_id for c in al.alert_calls(alerts, standby, 0, 1)] == ["attrs"]
    assert al.alert_calls(alerts, other, 0, 1) == []


def test_resource_events_and_the_probes_that_are_not_alerted():
    assert al.resource_event("n1", "vip", "monitor", 0, 7, 0, 7, 3, "not running") is None
    found = al.resource_event("n1", "vip", "monitor", 0, 7, 0, 0, 3, "ok")
    assert dict(found.values)["CRM_alert_rc"] == "0"
    start = dict(al.resource_event("n1", "vip", "start", 0, 0, 0, 1, 40, "error").values)
    assert (start["CRM_alert_rsc"], start["CRM_alert_task"], start["CRM_alert_rc"],
            start["CRM_alert_target_rc"], start["CRM_alert_desc"],
            start["CRM_alert_exec_time"]) == ("vip", "start", "1", "0", "error", "40")


def test_timestamp_format_has_pacemakers_fraction_extension():
    when = 1_700_000_000.123456
    assert al.format_timestamp("%3N", when) == "123"
    assert al.format_timestamp("%s.%6N", when) == "1700000000.123456"
    assert al.format_timestamp("%%", when) == "%"


def test_the_sample_agent_logs_each_kind(tmp_path):
    log = tmp_path / "events.log"
    alerts = _alerts(f"node 1: n1\nalert log {AGENT} to {log}\n")
    runner = al.AlertRunner()
    for event in (al.node_event("n2", 2, "lost"),
                  al.fencing_event("n2", "reboot", True, "n1", "n1", 0),
                  al.resource_event("n1", "web", "start", 0, 0, 0, 0, 12, "ok")):
        runner.send(alerts, event)
    wait_for(lambda: log.exists() and len(log.read_text().splitlines()) == 3, 10,
             what="three lines")
    lines = log.read_text().splitlines()
    assert "node: node n2 (id 2) is lost" in lines[0]
    assert "fencing: fencing reboot of n2: Operation reboot of n2 by n1" in lines[1]
    assert "resource: resource web start on n1: ok (rc=0" in lines[2]


CONFIG = """node 1: n1
node 2: n2
node 3: n3
primitive fence stonith:fence_test params pcmk_host_list="n1 n2 n3" \\
    op monitor interval=60s
primitive d1 ocf:test:Dummy op monitor interval=1s
location d1-on-n3 d1 50: n3
property fencing-enabled=true no-quorum-policy=stop dc-deadtime=10s
rsc_defaults resource-stickiness=100
alert log {agent} to {log}
"""


def test_every_node_logs_node_fencing_and_resource_events(tmp_path):
    if shutil.which("sh") is None:
        pytest.skip("needs /bin/sh")
    # one configuration for the whole cluster (it is replicated), so one log:
    # node and fencing events are alerted by every member that sees them,
    # a resource event only by the node that ran the action
    log = tmp_path / "alerts.log"
    cluster = FakeCluster(tmp_path, CONFIG.format(agent=AGENT, log=log))
    try:
        for name in ("n1", "n2", "n3"):
            cluster.start(name)

        def count(text: str) -> int:
            return log.read_text().count(text) if log.exists() else 0

        wait_for(lambda: cluster.active("d1") == ["n3"], 20, what="d1 on n3")
        wait_for(lambda: count("resource d1 start on n3: ok") == 1, 10,
                 what="the resource alert on n3")
        cluster.kill("n3")
        wait_for(lambda: "n3" in cluster.fenced, 20, what="n3 fenced")
        wait_for(lambda: cluster.active("d1") in (["n1"], ["n2"]), 20, what="d1 recovered")
        new_home = cluster.active("d1")[0]
        wait_for(lambda: count("node n3 (id 3) is lost") == 2, 10,
                 what="the node alert on both survivors")
        wait_for(lambda: count("fencing reboot of n3: Operation reboot of n3") == 2, 10,
                 what="the fencing alert on both survivors")
        assert count("node n2 (id 2) is member") >= 2
        wait_for(lambda: count(f"resource d1 start on {new_home}: ok") == 1, 10,
                 what="resource alert where d1 started")
        assert count("resource d1 start") == 2      # n3's, then the new home's, once each
    finally:
        cluster.stop()
