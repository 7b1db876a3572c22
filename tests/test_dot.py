"""The DOT rendering (transitions.dot) against crm_simulate -D's rules."""

from __future__ import annotations

import contextlib
import io

import pytest

from conftest import cts_dir
from pengine.status.cluster import AF, Rel
from pengine.transitions.dot import action_name, dot_edges, dot_nodes, render_dot
from pengine.transitions.graph import ActionRecord, OrderRecord, Transition

RUNNABLE_IN_GRAPH = AF.RUNNABLE | AF.ADDED_TO_GRAPH


def record(action_id, uuid, task, flags=RUNNABLE_IN_GRAPH, **kw) -> ActionRecord:
    return ActionRecord(id=action_id, uuid=uuid, task=task, flags=flags, **kw)


# ----------------------------------------------------------- action names --

def test_resource_action_is_named_by_key_and_node():
    assert action_name(record(1, "rsc1_start_0", "start", node="node1", rsc_id="rsc1")) \
        == "rsc1_start_0 node1"


def test_pseudo_action_without_node_is_its_key():
    action = record(1, "grp_running_0", "running", AF.PSEUDO | RUNNABLE_IN_GRAPH, rsc_id="grp")
    assert action_name(action) == "grp_running_0"


def test_action_without_node_that_is_not_pseudo_says_none():
    assert action_name(record(1, "rsc1_stop_0", "stop", AF.RUNNABLE, rsc_id="rsc1")) \
        == "rsc1_stop_0 <none>"


def test_fencing_names_the_fence_action_and_target():
    action = record(1, "stonith-node2-reboot", "stonith", node="node2",
                    meta=(("stonith_action", "reboot"),))
    assert action_name(action) == "stonith 'reboot' node2"


def test_cancel_uses_the_history_name_and_the_cancelled_task():
    action = record(1, "rsc1:0_monitor_10000", "cancel", node="node1", rsc_id="rsc1:0",
                    history_id="rsc1", cancel_task="monitor", meta=(("interval", "10000"),))
    assert action_name(action) == "Cancel rsc1_monitor_10000 node1"


def test_notification_of_an_instance_known_by_another_name():
    action = record(1, "rsc1:0_pre_notify_start_0", "notify", node="node1", rsc_id="rsc1:0",
                    history_id="rsc1",
                    meta=(("notify_key_type", "pre"), ("notify_key_operation", "start")))
    assert action_name(action) == "rsc1_pre_notify_start_0 node1"


def test_node_action_without_resource_is_task_and_node():
    assert action_name(record(1, "do_shutdown-node1", "do_shutdown", node="node1")) \
        == "do_shutdown node1"


# ------------------------------------------------------------ node styles --

def test_styles_follow_graph_membership_optionality_and_management():
    graphed = record(1, "a_start_0", "start", node="n1", rsc_id="a")
    pseudo = record(2, "g_start_0", "start", AF.PSEUDO | RUNNABLE_IN_GRAPH, rsc_id="g")
    blocked = record(3, "b_start_0", "start", 0, node="n1", rsc_id="b")
    optional = record(4, "c_start_0", "start", AF.RUNNABLE | AF.OPTIONAL, node="n1", rsc_id="c")
    unmanaged = record(5, "d_stop_0", "stop", 0, node="n1", rsc_id="d", rsc_managed=False)
    blocked_pseudo = record(6, "g_running_0", "running", AF.PSEUDO, rsc_id="g")
    nodes = dot_nodes(Transition(all_actions=[graphed, pseudo, blocked, optional, unmanaged,
                                              blocked_pseudo]))
    assert nodes == [("a_start_0 n1", "bold", "green", "black"),
                     ("g_start_0", "bold", "green", "orange"),
                     ("b_start_0 n1", "dashed", "red", "black"),
                     ("g_running_0", "dashed", "red", "orange")]


# ------------------------------------------------------------------ edges --

def test_edges_bold_when_graphed_dashed_between_drawn_actions():
    a = record(1, "a_start_0", "start", node="n1", rsc_id="a")
    b = record(2, "b_start_0", "start", 0, node="n1", rsc_id="b")          # drawn red
    c = record(3, "c_start_0", "start", AF.RUNNABLE | AF.OPTIONAL, node="n1", rsc_id="c")
    d = record(4, "d_start_0", "start", node="n2", rsc_id="d")
    orderings = [
        OrderRecord(1, 4, Rel.ORDERED, graphed=True),                        # bold
        OrderRecord(1, 2, Rel.ORDERED),                                      # dashed
        OrderRecord(2, 4, Rel.NONE),                                         # disabled
        OrderRecord(1, 3, Rel.ORDERED),                                      # c not drawn
        OrderRecord(4, 1, Rel.IF_ON_SAME_NODE_OR_TARGET),                    # load ordering
    ]
    edges = dot_edges(Transition(all_actions=[a, b, c, d], orderings=orderings))
    assert edges == [("a_start_0 n1", "d_start_0 n2", "bold"),
                     ("a_start_0 n1", "b_start_0 n1", "dashed")]


def test_render_dot_text_layout():
    a = record(1, "a_start_0", "start", node="n1", rsc_id="a")
    b = record(2, "a_monitor_10000", "monitor", node="n1", rsc_id="a")
    text = render_dot(None, Transition(all_actions=[a, b],
                                       orderings=[OrderRecord(1, 2, Rel.ORDERED, True)]))
    assert text == (' digraph "g" {\n'
                    '"a_start_0 n1" [ style=bold color="green" fontcolor="black"]\n'
                    '"a_monitor_10000 n1" [ style=bold color="green" fontcolor="black"]\n'
                    '"a_start_0 n1" -> "a_monitor_10000 n1" [ style = bold]\n'
                    '}\n')


def test_empty_transition_is_an_empty_digraph():
    assert render_dot(None, Transition()) == ' digraph "g" {\n}\n'


# --------------------------------------------------------- whole command --

GROUP_CONFIG = """\
node 1: node1
node 2: node2
primitive fence1 stonith:fence_ipmilan params ip=192.0.2.101 pcmk_host_list=node1
primitive ip ocf:heartbeat:IPaddr2 params ip=192.0.2.10 op monitor interval=10s
primitive web ocf:heartbeat:apache op monitor interval=30s
group grp ip web
"""


def _simulate(*argv: str) -> str:
    from pengine.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        rc = main(["simulate", *argv])
    assert rc == 0
    return out.getvalue()


def test_simulate_writes_the_dot_file(write, tmp_path):
    config = write("group.crm", GROUP_CONFIG)
    dot = tmp_path / "out.dot"
    _simulate(str(config), "-S", "-D", str(dot))
    lines = dot.read_text().splitlines()
    assert lines[0] == ' digraph "g" {' and lines[-1] == "}"
    assert '"ip_start_0 node2" [ style=bold color="green" fontcolor="black"]' in lines
    assert '"grp_running_0" [ style=bold color="green" fontcolor="orange"]' in lines
    assert '"ip_start_0 node2" -> "web_start_0 node2" [ style = bold]' in lines
    assert '"web_start_0 node2" -> "web_monitor_30000 node2" [ style = bold]' in lines


CORPUS = cts_dir()


@pytest.mark.skipif(not (CORPUS / "dot").is_dir(), reason="no conformance corpus")
@pytest.mark.parametrize("name", ["group5", "migrate-1", "order-mandatory", "one-or-more-6",
                                  "rec-node-11", "unfence-device", "params-1"])
def test_corpus_cases_match_crm_simulate(name, tmp_path):
    import conformance as conf
    dot = tmp_path / "out.dot"
    extra = dict(conf.cases(CORPUS)).get(name, [])
    _simulate("-x", str(CORPUS / "xml" / f"{name}.xml"), "-S", "-D", str(dot), *extra)
    assert conf.dot_lines(dot.read_text()) == \
        conf.dot_lines((CORPUS / "dot" / f"{name}.dot").read_text())
