"""The HTML report (transitions.report): ``pengine simulate --report`` and
``pengine scenario --report``, their structure, and how they render."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timezone

import pytest

from conftest import SAMPLES, cts_dir, run_pengine
from htmltree import parse_html
from pengine.status.cluster import AF, Rel
from pengine.transitions.graph import ActionRecord, GraphAction, OrderRecord, Synapse, Transition
from pengine.transitions.report import (action_details, cluster_view_of, graph_figure,
                                        parse_summary)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")
WEBFARM = SAMPLES / "webfarm-status.xml"
CORPUS = cts_dir()


# ----------------------------------------------------------------- helpers --

def section_lines(stdout: str, title: str) -> list[str]:
    """The items of one crm_simulate section of ``stdout``."""
    lines = stdout.splitlines()
    start = lines.index(title) + 1
    out = []
    for line in lines[start:]:
        if not line.strip():
            break
        if line.lstrip().startswith("* "):       # not the date line crm_simulate repeats
            out.append(line)
    return out


def report(*args, tmp_path, name="report.html"):
    """Run ``pengine simulate ARGS --report FILE``: (stdout, parsed page, page text)."""
    out = tmp_path / name
    result = run_pengine("simulate", *args, "--report", out)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    return result.stdout, parse_html(text), text


def grid(doc, caption_start: str) -> dict[str, dict[str, str]]:
    """A cluster grid as {resource: {node: cell text}} (plus "@nodes": states)."""
    for table in doc.find_all("table", cls="pg-grid"):
        if table.find("caption").text.startswith(caption_start):
            nodes = [th.get("data-node") for th in table.find_all("th", cls="pg-node")]
            result = {"@nodes": {th.get("data-node"): " ".join(th.text.split())
                                 for th in table.find_all("th", cls="pg-node")}}
            for row in table.find_all("tr"):
                if row.get("data-resource") is None:
                    continue
                cells = row.find_all("td")
                result[row.get("data-resource")] = {
                    node: " ".join(cell.text.split()) for node, cell in zip(nodes, cells)}
            return result
    raise AssertionError(f"no grid captioned {caption_start!r}")


def figure_details(figure) -> dict:
    return json.loads(figure.find("script", cls="pg-details").text)


def svg_action_names(figure) -> list[str]:
    """The picture's node names (``a<id>``, folded probes, the legend)."""
    return [g.find("title").text for g in figure.find_all("g", cls="node")]


def assert_self_contained(text: str) -> None:
    """Nothing that a browser would fetch: no external scripts, styles,
    images, fonts or links."""
    assert "<link" not in text and "@import" not in text
    assert not re.search(r"\ssrc=", text)
    assert not re.search(r"url\(", text)
    for href in re.findall(r'\shref="([^"]*)"', text):
        assert href.startswith("#"), href


# -------------------------------------------------------------- unit tests --

def test_summary_lines_are_taken_apart():
    changes = parse_summary([
        "  * Fence (reboot) node1 'peer is no longer part of the cluster'",
        "  * Shutdown node2",
        "  * Move       web-ip          ( node1 -> node2 )",
        "  * Stop       ping:0          (          node1 )  due to node availability",
        "  * Promote    db:1   ( Unpromoted -> Promoted node3 )",
    ])
    assert [(c.change, c.subject) for c in changes] == [
        ("Fence", "node1"), ("Shutdown", "node2"), ("Move", "web-ip"), ("Stop", "ping:0"),
        ("Promote", "db:1")]
    assert changes[0].details == "reboot"
    assert changes[0].reason == "'peer is no longer part of the cluster'"
    assert changes[2].details == "node1 -> node2" and changes[2].reason == ""
    assert changes[3].details == "node1" and changes[3].reason == "due to node availability"
    assert changes[4].details == "Unpromoted -> Promoted node3"
    assert changes[2].text == "Move web-ip ( node1 -> node2 )"


def _transition() -> Transition:
    """node1 is fenced; a's stop there is implied; a starts on node2; b
    cannot start (blocked), c could stop (optional)."""
    graphed = AF.RUNNABLE | AF.ADDED_TO_GRAPH
    fence = ActionRecord(1, "stonith-node1-reboot", "stonith", graphed, node="node1",
                         meta=(("stonith_action", "reboot"),),
                         reason="peer is no longer part of the cluster")
    stop = ActionRecord(2, "a_stop_0", "stop", graphed | AF.PSEUDO, node="node1", rsc_id="a")
    start = ActionRecord(3, "a_start_0", "start", graphed, node="node2", rsc_id="a")
    monitor = ActionRecord(4, "a_monitor_10000", "monitor", graphed, node="node2", rsc_id="a",
                           meta=(("interval", "10000"),))
    blocked = ActionRecord(5, "b_start_0", "start", 0, node="node2", rsc_id="b",
                           reason="no quorum")
    optional = ActionRecord(6, "c_stop_0", "stop", AF.RUNNABLE | AF.OPTIONAL, node="node2",
                            rsc_id="c")

    def graph_action(record):
        return GraphAction(record.id, record.uuid, record.task,
                           "pseudo_event" if record.has(AF.PSEUDO) else "rsc_op",
                           node=record.node, rsc_id=record.rsc_id)

    synapses = [Synapse(0, graph_action(fence)), Synapse(1, graph_action(stop), [1]),
                Synapse(2, graph_action(start), [2]), Synapse(3, graph_action(monitor), [3])]
    orderings = [OrderRecord(1, 2, Rel.ORDERED, True), OrderRecord(2, 3, Rel.ORDERED, True),
                 OrderRecord(3, 4, Rel.ORDERED, True), OrderRecord(3, 5, Rel.ORDERED)]
    return Transition(synapses, all_actions=[fence, stop, start, monitor, blocked, optional],
                      orderings=orderings)


SUMMARY = ["  * Fence (reboot) node1 'peer is no longer part of the cluster'",
           "  * Move       a      ( node1 -> node2 )",
           "  * Start      b      ( node2 )  due to no quorum (blocked)"]


def test_hover_details_say_what_where_why_and_what_it_waits_for():
    details = action_details(_transition(), SUMMARY)
    assert set(details) == {"a1", "a2", "a3", "a4", "a5"}     # optional c: not drawn
    fence, stop, start, monitor, blocked = (details[f"a{i}"] for i in range(1, 6))
    assert fence["action"] == "fence (reboot) node1"
    assert fence["node"] == "node1" and fence["state"] == "in the transition"
    assert "peer is no longer part of the cluster" in fence["why"]
    assert fence["waits"] == [] and [w["id"] for w in fence["then"]] == ["a2"]
    assert stop["why"].startswith("Implied: a counts as stopped once node1 is fenced")
    assert "Move a ( node1 -> node2 )" in stop["why"]
    assert start["action"] == "start a on node2"
    assert start["key"] == "a_start_0 node2"
    assert start["why"] == "Part of: Move a ( node1 -> node2 )."
    assert start["waits"] == [{"id": "a2", "text": "stop a on node1"}]
    assert {t["id"] for t in start["then"]} == {"a4", "a5"}
    assert "every 10s" in monitor["why"]
    assert blocked["state"].startswith("blocked")
    assert blocked["why"].startswith("Required but cannot run (no quorum)")
    assert blocked["waits"] == [{"id": "a3", "text": "start a on node2"}]
    details = action_details(_transition(), SUMMARY, all_actions=True)
    assert details["a6"]["state"].startswith("optional")


def test_the_grid_collapses_clone_instances_and_names_collections():
    from pengine.cib.load import load_cib
    view = cluster_view_of(load_cib([str(WEBFARM)]), datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert [n.name for n in view.nodes] == ["node1", "node2", "node3"]
    assert all(n.states == ("online",) for n in view.nodes)
    rows = {row.id: row for row in view.rows}
    assert list(rows) == ["fence-node1", "fence-node2", "fence-node3", "web-ip", "web-server",
                          "ping"]
    assert rows["ping"].within == "clone ping-clone"
    assert rows["ping"].agent == "ocf:pacemaker:ping"
    assert [rows["ping"].cell(n).roles for n in ("node1", "node2", "node3")] == \
        [("Started",)] * 3
    assert rows["web-ip"].within == "group web"
    assert rows["web-ip"].cell("node1").roles == ("Started",)
    assert rows["web-ip"].cell("node2").roles == ()


def test_without_graphviz_the_page_says_so(monkeypatch):
    import pengine.transitions.picture as picture

    def missing(dot_text, fmt):
        raise picture.RenderError("Graphviz's 'dot' program is not installed")
    monkeypatch.setattr(picture, "_graphviz", missing)
    text = graph_figure(_transition(), fig_id="g0", title="t", summary_lines=SUMMARY)
    assert "No picture" in text and "not installed" in text and "<svg" not in text

    def dies(dot_text, fmt):
        raise BrokenPipeError(32, "Broken pipe")        # dot died while reading its input
    monkeypatch.setattr(picture, "_graphviz", dies)
    text = graph_figure(_transition(), fig_id="g0", title="t", summary_lines=SUMMARY)
    assert "No picture" in text and "Broken pipe" in text
    assert "nothing to draw" in graph_figure(Transition(), fig_id="g0", title="t",
                                             summary_lines=[])


def test_a_huge_transition_is_not_laid_out(monkeypatch):
    import pengine.transitions.report as report_module
    monkeypatch.setattr(report_module, "MAX_PICTURE_NODES", 4)
    text = graph_figure(_transition(), fig_id="g0", title="t", summary_lines=SUMMARY)
    assert "5 actions (5 boxes to draw), too many" in text and "<svg" not in text


# ------------------------------------------------------- simulate --report --

@needs_dot
def test_simulate_report_has_the_cluster_summary_graph_and_executed_actions(tmp_path):
    stdout, doc, text = report("-x", WEBFARM, "-S", "-f", "node1", tmp_path=tmp_path)
    assert text.startswith("<!DOCTYPE html>")
    assert_self_contained(text)
    assert [s.get("id") for s in doc.find_all("section")] == \
        ["summary", "cluster", "graph", "executed"]
    assert "Failing node node1" in doc.find("header").text

    # the summary: crm_simulate's lines, one item each
    expected = [" ".join(line.split())[2:] for line in section_lines(stdout,
                                                                     "Transition Summary:")]
    items = doc.by_id("summary").find_all("li", cls="pg-change")
    assert [item.get("title") for item in items] == expected
    assert items[0].find("span", cls="pg-fence") is not None

    # the cluster before (node1 failed) and after (everything moved off node1)
    before, after = grid(doc, "before"), grid(doc, "after")
    assert "UNCLEAN" in before["@nodes"]["node1"] and "OFFLINE" in after["@nodes"]["node1"]
    assert before["web-ip"] == {"node1": "Started", "node2": "", "node3": ""}
    assert after["web-ip"] == {"node1": "", "node2": "Started", "node3": ""}
    assert after["ping"] == {"node1": "", "node2": "Started", "node3": "Started"}
    changed = [td for td in doc.by_id("cluster").find_all("td", cls="pg-changed")]
    assert changed and all(td.get("title", "").startswith("before:") for td in changed)

    # the graph: inline SVG, every action with its details
    figure = doc.by_id("graph").find("figure", cls="pg-graph")
    assert figure.find("svg") is not None
    details = figure_details(figure)
    names = [n for n in svg_action_names(figure) if n.startswith("a")]
    assert names and set(names) == set(details)
    fence = next(d for d in details.values() if d["action"] == "fence (reboot) node1")
    assert "peer is no longer part of the cluster" in fence["why"]
    start = next(d for d in details.values() if d["action"] == "start web-ip on node2")
    assert "Move web-ip ( node1 -> node2 )" in start["why"]
    assert start["waits"] and all(w["id"] in details for w in start["waits"])

    # the executed actions: crm_simulate's lines, linked to the graph's actions
    executed = doc.by_id("executed").find_all("li", cls="pg-exec")
    assert [" ".join(li.text.split()) for li in executed] == \
        [" ".join(line.split())[2:] for line in section_lines(stdout,
                                                              "Executing Cluster Transition:")]
    assert all(li.get("data-action") in details for li in executed)


@needs_dot
def test_report_without_S_prints_the_same_and_still_shows_the_result(tmp_path):
    plain = run_pengine("simulate", "-x", WEBFARM, "-d", "node2")
    stdout, doc, _ = report("-x", WEBFARM, "-d", "node2", tmp_path=tmp_path)
    assert stdout == plain.stdout
    assert "Executing Cluster Transition:" not in stdout
    assert doc.by_id("executed").find_all("li", cls="pg-exec")
    assert "OFFLINE" in grid(doc, "after")["@nodes"]["node2"]


def test_report_of_bad_input_writes_nothing(write, tmp_path):
    out = tmp_path / "r.html"
    out.write_text("old report")
    bad = write("bad.xml", "<cib><configuration>")
    result = run_pengine("simulate", "-x", bad, "-S", "--report", out)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert out.read_text() == "old report"
    result = run_pengine("simulate", "-x", WEBFARM, "--report",
                         tmp_path / "missing" / "r.html")
    assert result.returncode == 2 and "cannot write" in result.stderr
    assert "Traceback" not in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pengine-")]


def test_batch_runs_refuse_a_single_report_file(tmp_path):
    result = run_pengine("simulate", "--batch", SAMPLES, "--report", tmp_path / "r.html")
    assert result.returncode == 2 and "--report names a single file" in result.stderr
    assert not (tmp_path / "r.html").exists()


@needs_dot
def test_report_of_a_crm_sample(tmp_path):
    stdout, doc, text = report(SAMPLES / "webfarm.crm", tmp_path=tmp_path)
    assert_self_contained(text)
    before, after = grid(doc, "before"), grid(doc, "after")
    assert set(before["web-server"].values()) == {""}                 # all stopped
    # ping starts; web waits for the pingd attribute ping sets (its location rule)
    pings = [cells for rsc, cells in after.items() if rsc.startswith("ping")]
    assert pings and all("Started" in cells.values() for cells in pings), after.keys()
    assert set(after["web-server"].values()) == {""}
    figure = doc.by_id("graph").find("figure", cls="pg-graph")
    details = figure_details(figure)
    probes = [d for d in details.values() if d["action"].startswith("probe ")]
    assert probes and all("already active" in d["why"] for d in probes)


@needs_dot
@pytest.mark.skipif(not (CORPUS / "xml").is_dir(), reason="no conformance corpus")
@pytest.mark.parametrize("name", ["rec-node-11", "migrate-1", "group5", "bundle-order-fencing",
                                  "promoted-1", "failcount", "notify-1", "stopped-monitor-01"])
def test_corpus_cases_render_to_html(name, tmp_path):
    import conformance as conf
    extra = dict(conf.cases(CORPUS)).get(name, [])
    stdout, doc, text = report("-x", CORPUS / "xml" / f"{name}.xml", "-S", *extra,
                               tmp_path=tmp_path)
    assert_self_contained(text)
    summary = section_lines(stdout, "Transition Summary:")
    items = doc.by_id("summary").find_all("li", cls="pg-change")
    assert len(items) == len(summary)
    executed = section_lines(stdout, "Executing Cluster Transition:")
    assert len(doc.by_id("executed").find_all("li", cls="pg-exec")) == len(executed)
    before, after = grid(doc, "before"), grid(doc, "after")
    assert before["@nodes"] and set(before["@nodes"]) <= set(after["@nodes"]) | \
        set(before["@nodes"])
    assert len(before) > 1 or "no resources" in doc.by_id("cluster").text
    figure = doc.by_id("graph").find("figure", cls="pg-graph")
    if executed:
        details = figure_details(figure)
        names = [n for n in svg_action_names(figure) if re.fullmatch(r"a\d+", n)]
        # every drawn action has details; the others are probes sharing a box
        assert set(names) <= set(details)
        assert all(details[n]["action"].startswith("probe ") for n in set(details) - set(names))
        for entry in details.values():
            assert entry["action"] and entry["why"] and entry["state"]
            assert all(w["id"] in details for w in entry["waits"])


# ------------------------------------------------------- scenario --report --

@needs_dot
def test_scenario_report_has_a_timeline_and_one_section_per_step(tmp_path):
    out = tmp_path / "scenario.html"
    result = run_pengine("scenario", SAMPLES / "haproxy-failover.toml", "--report", out)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert_self_contained(text)
    doc = parse_html(text)
    heads = [line for line in result.stdout.splitlines() if line.startswith("T")]
    rows = doc.by_id("timeline").find("tbody").find_all("tr")
    assert len(rows) == len(heads) == 5
    assert [r.find("td").text for r in rows] == [h.split()[0] for h in heads]
    steps = doc.find_all("section", cls="pg-step")
    assert len(steps) == 5
    for step, head in zip(steps, heads):
        assert step.find("h2").find("span", cls="pg-clock").text == head.split()[0]
    # the third failure: recovered on node2, fail count 3 on node1
    third = steps[3]
    assert "op haproxy_monitor_10000@node1=7" in third.find("h2").text
    assert [li.get("title") for li in third.find_all("li", cls="pg-change")] == \
        ["Recover haproxy ( node1 -> node2 )"]
    assert "haproxy@node1=3" in third.text and "haproxy node2" in third.text
    cells = third.find("tr", data_resource="haproxy").find_all("td")
    assert " ".join(cells[0].text.split()) == "\u2717 3"
    assert " ".join(cells[1].text.split()) == "Started"
    # a graph for each step that did something; the legend only once
    figures = [s.find("figure", cls="pg-graph") for s in steps]
    assert all(figures)
    # the re-check changes no placement but clears the expired fail count
    assert "nothing to do" in steps[4].text.lower()
    (clear,) = figure_details(figures[4]).values()
    assert clear["action"] == "clear failcount haproxy on node1"
    assert clear["why"].startswith("haproxy's fail count on node1 is cleared: its failures "
                                   "expired")
    legends = [f for f in figures if f is not None and "legend" in svg_action_names(f)]
    assert legends == [figures[0]]
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids))                     # SVG ids unique across figures
