"""``pengine resilience``: every what-if's transition is simulate's, the
verdicts follow from them, and the command's outputs and gates work."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import REPO, SAMPLES, cts_dir, run_pengine

sys.path.insert(0, str(REPO))

from benchmarks import generate as gen  # noqa: E402
from pengine.cib.cib_xml import write_cib  # noqa: E402
from pengine.cib.load import load_cib  # noqa: E402
from pengine.analyses.resilience import with_standby  # noqa: E402

SAMPLE = SAMPLES / "fragile-status.xml"   # samples/fragile.crm, settled (simulate -S -O)
MAX_CHECKED = 8          # what-ifs compared with simulate per cluster (each is a process)


def summary_of(simulate_output: str) -> list[str]:
    lines = simulate_output.splitlines()
    start = lines.index("Transition Summary:") + 1
    out = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        out.append(line.strip()[2:])
    return out


def resilience_json(*args) -> dict:
    result = run_pengine("resilience", *args, "--output-as", "json", timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def check_against_simulate(cib_args: list[str], tmp_path, extra=()) -> int:
    """Every what-if (up to MAX_CHECKED of each kind) against ``pengine simulate -R``
    with the same event; returns how many were compared."""
    doc = resilience_json(*cib_args, *extra)
    per_kind: dict[str, int] = {}
    compared = 0
    for what_if in doc["what_ifs"]:
        kind = what_if["kind"]
        per_kind[kind] = per_kind.get(kind, 0) + 1
        if per_kind[kind] > MAX_CHECKED:
            continue
        source = cib_args
        if what_if["standby"]:      # simulate has no standby flag: the CIB says it
            cib = with_standby(load_cib([str(a) for a in cib_args if a != "-x"]),
                               what_if["standby"])
            path = tmp_path / f"standby-{compared}.xml"
            path.write_text(write_cib(cib), encoding="utf-8")
            source = ["-x", path]
        result = run_pengine("simulate", *source, "-R", *what_if["events"], timeout=120)
        assert result.returncode == 0, result.stderr
        assert summary_of(result.stdout) == what_if["transition_summary"], what_if["label"]
        compared += 1
    return compared


def corpus_sample() -> list:
    """A spread of the corpus, every 60th case, read at run time."""
    directory = cts_dir() / "xml"
    if not directory.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {directory}"))]
    return sorted(directory.glob("*.xml"))[::60]


@pytest.mark.parametrize("case", corpus_sample(), ids=lambda p: p.stem if p else "none")
def test_what_ifs_equal_simulate_on_corpus(case, tmp_path):
    check_against_simulate(["-x", case], tmp_path)


@pytest.mark.parametrize("nodes,resources,seed", [(4, 40, 1), (5, 60, 3), (3, 30, 7)])
def test_what_ifs_equal_simulate_on_generated_clusters(nodes, resources, seed, tmp_path):
    path = tmp_path / "cib.xml"
    path.write_text(gen.generate(nodes, resources, "settled", seed=seed), encoding="utf-8")
    assert check_against_simulate(["-x", path], tmp_path) >= nodes


def test_pairs_and_events_equal_simulate(tmp_path):
    events = tmp_path / "events.txt"
    events.write_text("# custom what-ifs\n-f node1 -i web-ip_monitor_10000@node2=1\n"
                      "-d node3\n-q 0\n", encoding="utf-8")
    doc = resilience_json("-x", SAMPLES / "webfarm-status.xml", "--depth", "2",
                          "--events", events)
    labels = [w["label"] for w in doc["what_ifs"]]
    assert "fail node1 + node2" in labels and "-d node3" in labels
    assert doc["summary"]["n_plus_1_safe"] is True
    assert doc["summary"]["n_plus_2_safe"] is False     # two of three nodes gone: web stops
    check_against_simulate(["-x", SAMPLES / "webfarm-status.xml"], tmp_path,
                           ["--depth", "2", "--events", events, "--only-events"])


# ------------------------------------------------------------- the sample --

def test_fragile_sample_is_not_n_plus_1_safe():
    doc = resilience_json("-x", SAMPLE)
    summary = doc["summary"]
    assert summary["n_plus_1_safe"] is False
    homeless = {(h["service"], h["node"]) for h in summary["no_second_home"]}
    assert ("license-server", "node1") in homeless
    by_label = {w["label"]: w for w in doc["what_ifs"]}
    stopped = [s for s in by_label["fail node1"]["services"] if s["service"] == "license-server"]
    assert stopped and stopped[0]["state"] == "stopped"
    assert any("node" in line for line in stopped[0]["why"])
    over = by_label["fail node3"]["overcommit"]
    assert over and over[0]["node"] == "node2" and over[0]["dimension"] == "memory"
    assert summary["weakest_node"] == "node1"


def test_text_table_and_fail_on():
    result = run_pengine("resilience", "-x", SAMPLE)
    assert result.returncode == 0, result.stderr
    assert "N+1 safe: NO" in result.stdout
    assert "fail node1" in result.stdout and "license-server" in result.stdout
    gated = run_pengine("resilience", "-x", SAMPLE, "--fail-on", "stopped")
    assert gated.returncode == 1
    assert "license-server stopped" in gated.stderr
    safe = run_pengine("resilience", "-x", SAMPLES / "webfarm-status.xml",
                       "--fail-on", "stopped,blocked")
    assert safe.returncode == 0, safe.stderr
    moved = run_pengine("resilience", "-x", SAMPLES / "webfarm-status.xml", "--fail-on", "moved")
    assert moved.returncode == 1


def test_bad_events_line_is_positioned(tmp_path):
    events = tmp_path / "events.txt"
    events.write_text("-f node1\n  --bogus x\n", encoding="utf-8")
    result = run_pengine("resilience", "-x", SAMPLES / "webfarm-status.xml", "--events", events)
    assert result.returncode == 1
    assert f"{events}:2:3" in result.stderr and "^" in result.stderr
    assert "Traceback" not in result.stderr
    events.write_text("-f node1\n  -i nosuch_monitor_10000@node1=1\n", encoding="utf-8")
    result = run_pengine("resilience", "-x", SAMPLES / "webfarm-status.xml", "--events", events)
    assert result.returncode == 1
    assert f"{events}:2:3: error: invalid resource name" in result.stderr


def test_usage_errors():
    result = run_pengine("resilience", "-x", SAMPLE, "--fail-on", "exploded")
    assert result.returncode == 2 and "unknown kind" in result.stderr
    result = run_pengine("resilience", "-x", SAMPLE, "--events", "/nonexistent/events")
    assert result.returncode == 2


def test_report_links_every_cell(tmp_path):
    report = tmp_path / "r.html"
    result = run_pengine("resilience", "-x", SAMPLE, "--report", report)
    assert result.returncode == 0, result.stderr
    page = report.read_text(encoding="utf-8")
    assert 'class="rs-heat"' in page
    assert 'href="#w0"' in page and 'id="w0"' in page
    assert "license-server" in page


OVERCOMMIT_CRM = """\
node 1: nodeA \\
\tutilization memory=12
node 2: nodeB \\
\tutilization memory=10
node 3: nodeC \\
\tutilization memory=10
primitive fence stonith:fence_dummy
primitive r1 ocf:heartbeat:Dummy utilization memory=6
primitive r2 ocf:heartbeat:Dummy utilization memory=6
primitive r3 ocf:heartbeat:Dummy utilization memory=5
location r1-on-a r1 100: nodeA
location r2-on-b r2 100: nodeB
location r3-on-c r3 100: nodeC
location r3-then-b r3 50: nodeB
location r3-then-a r3 10: nodeA
property cib-bootstrap-options: stonith-enabled=true
"""


def test_optimal_says_where_a_better_placement_fits(write):
    path = write("overcommit.crm", OVERCOMMIT_CRM)
    doc = resilience_json(path, "--optimal", "--what-ifs", "node-failure")
    fail_c = next(w for w in doc["what_ifs"] if w["label"] == "fail nodeC")
    assert fail_c["overcommit"] == [{"node": "nodeB", "dimension": "memory", "demand": 11,
                                     "capacity": 10}]
    assert any("stays within every node's capacity" in line for line in fail_c["optimal"])
    assert any("r3 on nodeA instead of nodeB" in line for line in fail_c["optimal"])
    assert doc["summary"]["n_plus_1_safe"] is False


def test_jobs_give_the_same_answer(tmp_path):
    one = run_pengine("resilience", "-x", SAMPLE, "--output-as", "json")
    two = run_pengine("resilience", "-x", SAMPLE, "--output-as", "json", "-j", "2",
                      "--report", tmp_path / "r.html")
    assert one.returncode == 0 and two.returncode == 0, two.stderr
    assert one.stdout == two.stdout
    assert 'id="w14"' in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_resilience_benchmark_runs(tmp_path):
    """benchmarks/resilience.py works (it reports; nothing here is timed)."""
    import subprocess
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "resilience.py"),
                             "--nodes", "3", "--sizes", "20", "--json", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    row = json.loads(out.read_text())["rows"][0]
    assert row["what_ifs"] == 3 and row["resilience"]["rc"] == 0


def test_a_failure_left_alone_is_blocked(write):
    config = (SAMPLES / "fragile.crm").read_text(encoding="utf-8").replace(
        "primitive license-server ocf:heartbeat:Dummy \\\n\top monitor interval=10s timeout=20s",
        "primitive license-server ocf:heartbeat:Dummy \\\n"
        "\top monitor interval=10s timeout=20s on-fail=block")
    assert "on-fail=block" in config
    path = write("blocked.crm", config)
    events = write("events.txt", "-i license-server_monitor_10000@node1=1\n")
    doc = resilience_json(path, "--events", events, "--only-events")
    (what_if,) = doc["what_ifs"]
    (impact,) = [s for s in what_if["services"] if s["service"] == "license-server"]
    assert impact["state"] == "blocked"
    assert any("on-fail=block" in line for line in impact["why"])
    gated = run_pengine("resilience", path, "--events", events, "--only-events",
                        "--fail-on", "blocked")
    assert gated.returncode == 1 and "license-server blocked" in gated.stderr


PROMOTABLE_CRM = """\
node 1: node1
node 2: node2
node 3: node3
primitive fence stonith:fence_dummy
primitive db ocf:pacemaker:Stateful \\
\top monitor interval=10s role=Promoted \\
\top monitor interval=11s role=Unpromoted
clone db-clone db \\
\tmeta promotable=true promoted-max=1
location db-promote-node1 db-clone role=Promoted 100: node1
location db-no-promote-node2 db-clone role=Promoted -inf: node2
location db-no-promote-node3 db-clone role=Promoted -inf: node3
property cib-bootstrap-options: stonith-enabled=true
"""


def test_promotion_lost_and_why(write):
    doc = resilience_json(write("promo.crm", PROMOTABLE_CRM), "--what-ifs", "node-failure")
    by_label = {w["label"]: w for w in doc["what_ifs"]}
    (impact,) = by_label["fail node1"]["services"][-1:]
    assert impact["service"] == "db-clone" and impact["state"] == "promotion-lost"
    assert any(line.endswith("its promotion score is negative (no promotion score set by the "
                             "agent on this node, or a constraint keeps the Promoted role away).")
               for line in impact["why"])
    assert [s["state"] for s in by_label["fail node2"]["services"]
            if s["service"] == "db-clone"] == ["degraded"]
    assert doc["summary"]["n_plus_1_safe"] is False
