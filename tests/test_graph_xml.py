"""The transition graph XML (transitions.graph_xml), as crm_simulate -G writes it."""

from __future__ import annotations

import contextlib
import io
import xml.etree.ElementTree as ET

import pytest

from conftest import cts_dir
from pengine.status.cluster import AF, Action, Node
from pengine.transitions.graph import Transition
from pengine.transitions.graph_xml import (_escape, element_name, meta_name, render_graph_xml)

GROUP_CONFIG = """\
node 1: node1
node 2: node2
primitive fence1 stonith:fence_ipmilan params ip=192.0.2.101 pcmk_host_list=node1
primitive ip ocf:heartbeat:IPaddr2 params ip=192.0.2.10 cidr_netmask=24 \\
\top monitor interval=10s timeout=15s
primitive web ocf:heartbeat:apache op monitor interval=30s op start timeout=40s \\
\tmeta priority=5
group grp ip web
"""


def _simulate(*argv: str) -> str:
    from pengine.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        rc = main(["simulate", *argv])
    assert rc == 0
    return out.getvalue()


@pytest.fixture
def group_graph(write, tmp_path):
    config = write("group.crm", GROUP_CONFIG)
    graph = tmp_path / "graph.xml"
    _simulate(str(config), "-S", "-G", str(graph))
    return graph.read_text()


def _synapse_for(root: ET.Element, key: str) -> ET.Element:
    for synapse in root.findall("synapse"):
        if synapse.find("action_set")[0].get("operation_key") == key:
            return synapse
    raise AssertionError(f"no synapse for {key}")


def test_graph_attributes_in_pacemakers_order(group_graph):
    first = group_graph.splitlines()[0]
    assert first == ('<transition_graph cluster-delay="60s" fencing-timeout="60s" '
                     'failed-stop-offset="INFINITY" failed-start-offset="INFINITY" '
                     'batch-limit="0" transition_id="1">')


def test_resource_operation_carries_resource_parameters_and_meta(group_graph):
    root = ET.fromstring(group_graph)
    synapse = _synapse_for(root, "ip_monitor_10000")
    op = synapse.find("action_set/rsc_op")
    assert op.get("operation") == "monitor" and op.get("on_node") == "node2"
    assert op.find("primitive").attrib == {"id": "ip", "class": "ocf", "provider": "heartbeat",
                                           "type": "IPaddr2"}
    attrs = op.find("attributes").attrib
    assert attrs["CRM_meta_interval"] == "10000"
    assert attrs["CRM_meta_timeout"] == "15000"
    assert attrs["CRM_meta_name"] == "monitor"
    assert attrs["CRM_meta_on_node"] == "node2"
    assert attrs["ip"] == "192.0.2.10" and attrs["cidr_netmask"] == "24"
    assert "crm_feature_set" in attrs
    assert [t[0].get("operation_key") for t in synapse.find("inputs")] == ["ip_start_0"]


def test_attributes_are_sorted_by_name(group_graph):
    for line in group_graph.splitlines():
        if "<attributes" in line:
            names = [part.split("=")[0] for part in line.split('" ')
                     if "=" in part]
            names[0] = names[0].split()[-1]
            assert names == sorted(names), line


def test_pseudo_events_have_no_node_and_no_resource(group_graph):
    root = ET.fromstring(group_graph)
    running = _synapse_for(root, "grp_running_0").find("action_set")[0]
    assert running.tag == "pseudo_event"
    assert running.get("on_node") is None
    assert running.find("primitive") is None
    assert running.find("attributes").attrib.get("CRM_meta_on_node") is None
    inputs = {t[0].get("operation_key") for t in _synapse_for(root, "grp_running_0")
              .find("inputs")}
    assert inputs == {"ip_start_0", "web_start_0", "grp_start_0"}


def test_synapse_priority_is_the_resources(group_graph):
    root = ET.fromstring(group_graph)
    assert _synapse_for(root, "web_start_0").get("priority") == "5"
    assert _synapse_for(root, "ip_start_0").get("priority") is None


def test_layout_is_libxml_like(group_graph):
    lines = group_graph.splitlines()
    assert lines[1] == '  <synapse id="0">' or lines[1].startswith('  <synapse id="0" ')
    assert lines[2] == "    <action_set>"
    assert "    <inputs/>" in lines
    assert lines[-1] == "</transition_graph>"


def test_empty_graph_is_one_empty_element():
    text = render_graph_xml(Transition(attributes=(("cluster-delay", "60s"),)), _NoScheduler())
    assert text == '<transition_graph cluster-delay="60s"/>\n'


class _NoScheduler:
    actions: list = []


def _action(task, flags=AF.RUNNABLE, node=True) -> Action:
    action = Action(1, f"x_{task}_0", task, None, Node("n1", "node1") if node else None)
    action.flags = flags
    return action


@pytest.mark.parametrize("task, flags, expected", [
    ("stonith", AF.RUNNABLE, "crm_event"),
    ("stonith", AF.RUNNABLE | AF.PSEUDO, "pseudo_event"),
    ("do_shutdown", AF.RUNNABLE, "crm_event"),
    ("clear_failcount", AF.RUNNABLE, "crm_event"),
    ("lrm_delete", AF.RUNNABLE, "crm_event"),
    ("stop", AF.RUNNABLE | AF.PSEUDO, "pseudo_event"),
    ("start", AF.RUNNABLE, "rsc_op"),
])
def test_element_names(task, flags, expected):
    assert element_name(_action(task, flags)) == expected


def test_meta_names_and_escaping():
    assert meta_name("on-fail") == "CRM_meta_on_fail"
    assert meta_name("notify_key_type") == "CRM_meta_notify_key_type"
    assert _escape('a<b>&"c"\n\t') == "a&lt;b&gt;&amp;&quot;c&quot;&#10;&#9;"


CORPUS = cts_dir()


@pytest.mark.skipif(not (CORPUS / "exp").is_dir(), reason="no conformance corpus")
@pytest.mark.parametrize("name", [
    "simple7",              # do_shutdown, downed nodes
    "rec-rsc-5",            # fencing
    "orphan-2",             # clear_failcount, cancel
    "migrate-1",            # migrate_to / migrate_from meta
    "shutdown-lock",        # shutdown-lock attribute
    "origin",               # start delay from interval-origin
    "order-serialize",      # start-delay normalised to milliseconds
    "location-date-rules-1",  # recheck-by
    "rsc_dep7",             # synapse priority
])
def test_corpus_cases_match_crm_simulate(name, tmp_path):
    import conformance as conf
    graph = tmp_path / "graph.xml"
    extra = dict(conf.cases(CORPUS)).get(name, [])
    _simulate("-x", str(CORPUS / "xml" / f"{name}.xml"), "-S", "-G", str(graph), *extra)
    assert conf.graph_signature(graph.read_text()) == \
        conf.graph_signature((CORPUS / "exp" / f"{name}.exp").read_text())
