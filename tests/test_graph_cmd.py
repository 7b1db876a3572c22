"""``pengine graph``: readable pictures of a transition (transitions.picture)."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import cts_dir, run_pengine
from pengine.status.cluster import AF, Rel
from pengine.transitions.graph import ActionRecord, OrderRecord, Transition
from pengine.transitions.picture import label, picture_dot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")
SVG = "{http://www.w3.org/2000/svg}"

CONFIG = """\
node 1: node1
node 2: node2
primitive fence1 stonith:fence_ipmilan params ip=192.0.2.101 pcmk_host_list=node1
primitive db ocf:heartbeat:pgsql op monitor interval=10s
"""
EVENTS = ("-i", "db_monitor_0@node1=0", "-i", "fence1_monitor_0@node2=0", "-f", "node1")


@pytest.fixture
def config(write):
    return write("db.crm", CONFIG)


def big_config(groups: int = 20, nodes: int = 4) -> str:
    lines = [f"node {n}: node{n}" for n in range(1, nodes + 1)]
    lines.append("primitive fence1 stonith:fence_ipmilan params ip=192.0.2.101 "
                 "pcmk_host_list=node1")
    for g in range(1, groups + 1):
        lines.append(f"primitive ip{g} ocf:heartbeat:IPaddr2 params ip=192.0.2.{g} "
                     f"op monitor interval=10s")
        lines.append(f"primitive app{g} ocf:heartbeat:apache op monitor interval=30s")
        lines.append(f"group g{g} ip{g} app{g}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------- DOT --

def test_dot_groups_actions_by_node_with_a_legend(config, tmp_path):
    out = tmp_path / "t.dot"
    result = run_pengine("graph", config, *EVENTS, "-o", out)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert 'label="node1"' in text and 'label="node2"' in text
    assert 'shape="octagon"' in text                      # fencing
    assert 'label="fence (reboot)\\nnode1"' in text
    assert 'label="probe\\ndb"' in text and 'shape="note"' in text
    assert 'label="monitor 10s\\ndb"' in text
    assert "legend [shape=plaintext" in text
    assert "Failing node node1" in text                    # the events, in the title


def test_blocked_and_optional_actions_are_dashed():
    graphed = ActionRecord(1, "a_start_0", "start", AF.RUNNABLE | AF.ADDED_TO_GRAPH,
                           node="n1", rsc_id="a")
    blocked = ActionRecord(2, "b_start_0", "start", 0, node="n1", rsc_id="b")
    optional = ActionRecord(3, "c_stop_0", "stop", AF.RUNNABLE | AF.OPTIONAL, node="n1",
                            rsc_id="c")
    transition = Transition(all_actions=[graphed, blocked, optional],
                            orderings=[OrderRecord(1, 2, Rel.ORDERED)])
    text = picture_dot(transition)
    line = next(line for line in text.splitlines() if line.strip().startswith("a2 ["))
    assert "dashed" in line and "(blocked)" in line
    assert "a3 [" not in text                               # optional: only with all_actions
    assert "a1 -> a2 [style=dashed" in text
    text = picture_dot(transition, all_actions=True)
    line = next(line for line in text.splitlines() if line.strip().startswith("a3 ["))
    assert "dashed" in line and "(blocked)" not in line


def test_labels_say_what_happens():
    def rec(task, **kw):
        return ActionRecord(1, kw.pop("uuid", "x"), task, AF.RUNNABLE, **kw)
    assert label(rec("monitor", rsc_id="db", meta=(("interval", "60000"),))) == \
        "monitor 60s\ndb"
    assert label(rec("monitor", rsc_id="db")) == "probe\ndb"
    assert label(rec("cancel", rsc_id="db", cancel_task="monitor",
                     meta=(("interval", "3600000"),))) == "cancel monitor 1h\ndb"
    assert label(rec("notify", rsc_id="db:0", meta=(("notify_key_type", "pre"),
                                                      ("notify_key_operation", "start")))) \
        == "notify pre-start\ndb:0"
    assert label(rec("do_shutdown", node="node2")) == "shutdown\nnode2"
    assert label(ActionRecord(1, "grp_running_0", "running", AF.PSEUDO, rsc_id="grp")) == \
        "running\ngrp"


def test_probes_of_a_busy_node_are_folded(write, tmp_path):
    config = write("big.crm", big_config(groups=5, nodes=2))
    out = tmp_path / "big.dot"
    assert run_pengine("graph", config, "-o", out).returncode == 0
    text = out.read_text()
    assert text.count('label="probes (11)') == 2           # 11 primitives, 2 nodes
    assert "probes_done" in text                            # starts wait on both nodes' probes
    assert 'label="probe\\n' not in text


def test_stdout_and_format_flag(config):
    result = run_pengine("graph", config, "-o", "-", "--format", "dot")
    assert result.returncode == 0 and result.stdout.startswith("digraph transition {")


def test_unknown_extension_is_a_usage_error(config, tmp_path):
    result = run_pengine("graph", config, "-o", tmp_path / "t.jpeg")
    assert result.returncode == 2
    assert "cannot tell the format" in result.stderr
    assert not (tmp_path / "t.jpeg").exists()


def test_bad_input_is_reported_without_output(write, tmp_path):
    bad = write("bad.xml", "<cib><configuration>")
    result = run_pengine("graph", bad, "-o", tmp_path / "t.svg")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "t.svg").exists()


# ------------------------------------------------------ rendered pictures --

def _svg_texts(path) -> list[str]:
    root = ET.parse(path).getroot()
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@needs_dot
def test_svg_png_and_html(config, tmp_path):
    for ext in ("svg", "png", "html"):
        out = tmp_path / f"t.{ext}"
        result = run_pengine("graph", config, *EVENTS, "-o", out)
        assert result.returncode == 0, result.stderr
    texts = _svg_texts(tmp_path / "t.svg")
    assert "fence (reboot)" in texts and "node1" in texts and "Legend" in texts
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (tmp_path / "t.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "Move" in page and "db" in page                  # the transition summary


@needs_dot
def test_two_hundred_actions_render(write, tmp_path):
    config = write("big.crm", big_config(groups=20, nodes=4))
    out = tmp_path / "big.svg"
    result = run_pengine("graph", config, "-o", out, timeout=120)
    assert result.returncode == 0, result.stderr
    texts = _svg_texts(out)
    assert texts[1].startswith("245 actions")               # the count line of the title
    for g in range(1, 21):
        assert f"ip{g}" in texts and f"app{g}" in texts


CORPUS = cts_dir()


@needs_dot
@pytest.mark.skipif(not (CORPUS / "xml").is_dir(), reason="no conformance corpus")
@pytest.mark.parametrize("name", ["rec-node-11", "migrate-1", "group5", "order-mandatory",
                                  "shutdown-lock"])
def test_corpus_cases_render_to_svg(name, tmp_path):
    import conformance as conf
    extra = dict(conf.cases(CORPUS)).get(name, [])
    out = tmp_path / f"{name}.svg"
    result = run_pengine("graph", "-x", CORPUS / "xml" / f"{name}.xml", *extra, "-o", out,
                         "--expand-probes")
    assert result.returncode == 0, result.stderr
    root = ET.parse(out).getroot()
    nodes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    expected = [line for line in (CORPUS / "dot" / f"{name}.dot").read_text().splitlines()
                if " [ style=" in line]
    assert len(nodes) == len(expected) + 1                  # every drawn action, and the legend
