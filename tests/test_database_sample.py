"""samples/database.crm: a promotable database with its floating IP; when
the primary's node fails, promotion and IP move together."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import SAMPLES, run_pengine
from test_simulate_cli import _sections


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """The cluster after the sample's first transition: db promoted on node1."""
    out = tmp_path_factory.mktemp("db") / "running.xml"
    result = run_pengine("simulate", SAMPLES / "database.crm", "-S", "-O", out)
    assert result.returncode == 0, result.stderr
    revised = _sections(result.stdout)["Revised Cluster Status"]
    assert "* Promoted: [ node1 ]" in revised
    assert "* db-ip (ocf:heartbeat:IPaddr2): Started node1" in revised
    return out


def test_failing_the_primary_moves_promotion_and_ip(running):
    result = run_pengine("simulate", "-x", running, "-S", "-f", "node1")
    assert result.returncode == 0, result.stderr
    out = _sections(result.stdout)
    summary = out["Transition Summary"]
    assert "* Fence (reboot) node1 'peer is no longer part of the cluster'" in summary
    assert any(line.startswith("* Promote db:") and "Unpromoted -> Promoted node2" in line
               for line in summary)
    assert "* Move db-ip ( node1 -> node2 )" in summary
    actions = out["Executing Cluster Transition"]
    fence = actions.index("* Fencing node1 (reboot)")
    promote = next(i for i, a in enumerate(actions) if a.endswith("promote on node2"))
    ip_start = actions.index("* Resource action: db-ip start on node2")
    assert fence < promote < ip_start   # fenced first, IP only after the promotion
    revised = out["Revised Cluster Status"]
    assert "* Promoted: [ node2 ]" in revised
    assert "* db-ip (ocf:heartbeat:IPaddr2): Started node2" in revised


@pytest.mark.skipif(shutil.which("crm_simulate") is None, reason="crm_simulate not installed")
def test_crm_simulate_agrees(running):
    """Pacemaker's own crm_simulate (as a peer) plans the same failover."""
    theirs = subprocess.run(["crm_simulate", "-x", str(running), "-S", "-f", "node1"],
                            capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                                 "CIB_file": str(running)})
    assert theirs.returncode == 0, theirs.stderr
    ours = run_pengine("simulate", "-x", running, "-S", "-f", "node1")
    assert sorted(_sections(ours.stdout)["Transition Summary"]) == \
        sorted(_sections(theirs.stdout)["Transition Summary"])
