"""``pengine history`` on the inputs of a REAL Pacemaker cluster (marker ``cluster``).

Debian's pacemaker 2.1 with corosync runs two nodes in network namespaces
(tests/pacemaker_netns.py); the story: stonith disabled, two Dummy resources
added, one fails for real (its state file removed, the monitor returns 7), a
location constraint, the non-DC node killed (SIGKILL of its whole namespace)
and booted again.  Then ``crm_report`` collects the DC's pengine directory and
logs, and:

- ``pengine history`` on the archive lists every transition the cluster's
  log shows (by number, with the input file it names);
- each input's replay equals what crm_simulate prints for the same file:
  Pacemaker 3.0.2 (the referee) byte for byte with ``-S``; Debian's 2.1.5 in
  the Transition Summary (the version pengine does not schedule as; any
  difference is named in KNOWN_215_DIFFERENCES);
- ``simulate -x pe-input-N.bz2`` equals the uncompressed run.
"""

from __future__ import annotations

import bz2
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_pengine
from tests import pacemaker_netns as pn
from tests.referee_tools import referee  # noqa: F401 - a fixture

pytestmark = pytest.mark.cluster

# input file -> why Debian's 2.1.5 and 3.0.2 differ on it (none seen so far)
KNOWN_215_DIFFERENCES: dict[str, str] = {}


@pytest.fixture(scope="module")
def real_cluster(tmp_path_factory):
    why = pn.available()
    if why:
        pytest.skip(f"no real Pacemaker cluster here: {why}")
    work = tmp_path_factory.mktemp("pcmk")
    cluster = pn.PacemakerCluster(work)
    try:
        cluster.create_namespaces()
        for node in cluster.nodes:
            cluster.start_node(node)
        steps = pn.run_story(cluster, log=lambda line: None)
        dc = cluster.dc(cluster.nodes[0]) or cluster.nodes[0]
        report = work / "report"
        out = cluster.run_in(dc, "crm_report", "-S", "-f", "2000-01-01 00:00", str(report),
                             timeout=300)
        archive = work / "report.tar.bz2"
        assert archive.exists(), out.stdout + out.stderr
        log = cluster.log_file(dc).read_text(errors="replace")
        inputs = sorted(cluster.pengine_dir(dc).glob("pe-*.bz2"))
    finally:
        cluster.stop()
    yield {"archive": archive, "log": log, "inputs": inputs, "steps": steps, "work": work}


def logged_transitions(log: str) -> dict[int, str]:
    found = {}
    for hit in re.finditer(r"Calculated transition (\d+)(?: \(with \w+\))?, saving inputs in "
                           r"\S*/(pe-\w+-\d+\.bz2)", log):
        found[int(hit.group(1))] = hit.group(2)
    return found


def summary_section(text: str) -> list[str]:
    lines = text.splitlines()
    if "Transition Summary:" not in lines:
        return []
    start = lines.index("Transition Summary:") + 1
    out = []
    for line in lines[start:]:
        if not line.strip():
            break
        out.append(line)
    return out


def test_history_lists_every_logged_transition(real_cluster):
    result = run_pengine("history", str(real_cluster["archive"]), "--output-as", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    logged = logged_transitions(real_cluster["log"])
    assert len(logged) >= 7, real_cluster["steps"]
    listed = {t: rec["input"] + ".bz2" for rec in doc["transitions"] for t in rec["transitions"]}
    assert listed == logged
    assert doc["missing_inputs"] == []
    # the story is there: a failure with its rc, a node that left and came back,
    # the configuration changes as crm text
    changes = [c["text"] for rec in doc["transitions"] for c in rec["changes"]]
    assert any(re.search(r"dummy1 monitor .*failed on pk\d: rc=7 \(not running\)", c)
               for c in changes), changes
    assert any(re.fullmatch(r"node pk\d left", c) for c in changes), changes
    assert any(re.fullmatch(r"node pk\d joined", c) for c in changes), changes
    diffs = "\n".join(line for rec in doc["transitions"] for line in rec["configuration_diff"])
    assert "+primitive dummy1 ocf:pacemaker:Dummy" in diffs
    assert "+location dummy2-prefers dummy2 200:" in diffs
    recover = [item for rec in doc["transitions"] for item in rec["summary"]
               if item["change"] == "Recover"]
    assert recover and "monitor failed" in recover[0]["why"]
    version = doc["transitions"][0]["version"]
    assert version["pacemaker"].startswith("2.1.")
    assert "pengine schedules as Pacemaker 3.0.2" in version["warning"]
    text = run_pengine("history", str(real_cluster["archive"]))
    assert text.returncode == 0
    assert "warning: written by Pacemaker 2.1" in text.stdout


def test_each_replay_matches_crm_simulate(real_cluster, tmp_path, referee):
    history = json.loads(run_pengine("history", str(real_cluster["archive"]),
                                     "--output-as", "json").stdout)
    by_input = {rec["input"]: rec for rec in history["transitions"]}
    differences_215 = {}
    for path in real_cluster["inputs"]:
        xml = tmp_path / (path.name[:-4] + ".xml")
        xml.write_bytes(bz2.decompress(path.read_bytes()))
        ours = run_pengine("simulate", "-x", str(xml), "-S")
        assert ours.returncode == 0, ours.stderr
        theirs = subprocess.run([*referee, "crm_simulate", "-x", str(path), "-S"],
                                capture_output=True, text=True)
        assert ours.stdout == theirs.stdout, path.name
        assert [line.strip().removeprefix("* ") for line in summary_section(ours.stdout)] == \
            [item["text"].strip() for item in by_input[path.name[:-4]]["summary"]]
        if shutil.which("crm_simulate"):
            debian = subprocess.run(["crm_simulate", "-x", str(path), "-S"],
                                    capture_output=True, text=True)
            if summary_section(debian.stdout) != summary_section(ours.stdout):
                differences_215[path.name] = (summary_section(debian.stdout),
                                              summary_section(ours.stdout))
    assert set(differences_215) == set(KNOWN_215_DIFFERENCES), differences_215


def test_simulate_reads_the_compressed_input(real_cluster, tmp_path):
    for path in real_cluster["inputs"]:
        xml = tmp_path / (path.name[:-4] + ".xml")
        xml.write_bytes(bz2.decompress(path.read_bytes()))
        plain = run_pengine("simulate", "-x", str(xml), "-S")
        packed = run_pengine("simulate", "-x", str(path), "-S")
        if packed.returncode == 1 and "not UTF-8" in packed.stderr:
            pytest.skip("the common input reader does not decompress bz2 in this branch yet "
                        "(issue 21 item 1)")
        assert packed.returncode == 0, packed.stderr
        assert packed.stdout == plain.stdout
