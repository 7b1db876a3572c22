"""``pengine simulate --output-as json`` (transitions.json_output)."""

from __future__ import annotations

import json

import pytest

from conftest import run_pengine
from pengine.transitions.json_output import scores

CONFIG = """\
node 1: node1
node 2: node2
primitive fence1 stonith:fence_ipmilan params ip=192.0.2.101 pcmk_host_list=node1
primitive db ocf:heartbeat:pgsql op monitor interval=10s
"""

# db runs on node1 and fence1 on node2; then node1 fails.
EVENTS = ("-i", "db_monitor_0@node1=0", "-i", "fence1_monitor_0@node2=0", "-f", "node1")


@pytest.fixture
def config(write):
    return write("db.crm", CONFIG)


def simulate_json(*args) -> dict:
    result = run_pengine("simulate", *args, "--output-as", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_document_has_all_sections_after_a_simulation(config):
    doc = simulate_json(config, "-S", *EVENTS)
    assert doc["format"] == "pengine-simulate/1"
    assert list(doc) == ["format", "execution_date", "notices", "current_status",
                         "modifications", "transition_summary", "executed_actions",
                         "transition_complete", "revised_status"]
    assert doc["transition_complete"] is True
    assert "Failing node node1" in doc["modifications"]


def test_sections_for_phases_not_run_are_absent(config):
    doc = simulate_json(config)
    assert "transition_summary" not in doc and "revised_status" not in doc
    doc = simulate_json(config, "-R")
    assert "transition_summary" in doc
    assert "executed_actions" not in doc and "revised_status" not in doc


def test_status_lists_nodes_and_resources(config):
    doc = simulate_json(config, "-S", *EVENTS)
    nodes = {node["name"]: node for node in doc["revised_status"]["nodes"]}
    assert nodes["node1"]["online"] is False and nodes["node2"]["online"] is True
    assert nodes["node2"]["type"] == "cluster"
    db = {rsc["id"]: rsc for rsc in doc["revised_status"]["resources"]}["db"]
    assert db["kind"] == "primitive" and db["agent"] == "ocf:heartbeat:pgsql"
    assert db["role"] == "Started" and db["nodes"] == ["node2"]
    assert doc["revised_status"]["text"][0].strip() == "* Node List:"


def test_transition_summary_items_are_structured(config):
    doc = simulate_json(config, "-S", *EVENTS)
    items = doc["transition_summary"]
    fence = items[0]
    assert fence["change"] == "Fence" and fence["node"] == "node1"
    assert fence["fence_action"] == "reboot" and fence["reason"]
    move = [item for item in items if item.get("resource") == "db"][0]
    assert (move["change"], move["from"], move["to"]) == ("Move", "node1", "node2")
    assert move["blocked"] is False
    assert " ".join(move["text"].split()) == "Move db ( node1 -> node2 )"


def test_executed_actions_in_order_with_results(config):
    doc = simulate_json(config, "-S", *EVENTS, "-F", "db_start_0@node2=1")
    actions = doc["executed_actions"]
    kinds = {item["kind"] for item in actions}
    assert {"resource", "pseudo", "fence"} <= kinds
    fence = [item for item in actions if item["kind"] == "fence"][0]
    assert fence["node"] == "node1" and fence["fence_action"] == "reboot"
    start = [item for item in actions if item["operation"] == "db_start_0"
             and item["kind"] == "resource"][0]
    assert start["ok"] is False and start["node"] == "node2"
    assert all(item["ok"] for item in actions if item is not start)


def test_text_output_unchanged_by_json_support(config):
    text = run_pengine("simulate", config, "-S", *EVENTS).stdout
    doc = simulate_json(config, "-S", *EVENTS)
    assert [line.strip()[2:] for line in text.splitlines()
            if line.startswith("  * ") and ("action:" in line or "Fencing" in line)] == \
        [item["text"] for item in doc["executed_actions"]]


def test_scores_are_parsed():
    items = scores(["pcmk__primitive_assign: db allocation score on node1: -INFINITY",
                    "db:0 promotion score on node2: 5",
                    "db:1 promotion score (inactive): INFINITY"])
    assert items[0] == {"source": "pcmk__primitive_assign", "resource": "db", "node": "node1",
                        "score": -1000000,
                        "text": "pcmk__primitive_assign: db allocation score on node1: -INFINITY"}
    assert (items[1]["resource"], items[1]["node"], items[1]["score"]) == ("db:0", "node2", 5)
    assert (items[2]["node"], items[2]["score"]) == (None, 1000000)


def test_scores_section_with_show_scores(config):
    doc = simulate_json(config, "-R", "-s")
    assert {(s["resource"], s["node"]) for s in doc["scores"]} == {
        ("fence1", "node1"), ("fence1", "node2"), ("db", "node1"), ("db", "node2")}
