"""Issue 16's example, end to end: a location rule written in crm text (no
``$id``) bans ``a`` from node1 in every command that reads crm text, as the
same configuration in XML does: ``simulate``, ``explain``, ``scenario`` and
``run`` on two local nodes with an OCF agent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.conftest import REPO, run_pengine
from tests.execute_helpers import DUMMY, load_state, resource_view, wait_for, write_script

CONFIG = """node node1
node node2
primitive a ocf:pacemaker:Dummy
primitive b ocf:pacemaker:Dummy
location la a rule -inf: #uname eq node1
property stonith-enabled=false
"""


def test_simulate_bans_a_from_node1(write):
    config = write("r.crm", CONFIG)
    result = run_pengine("simulate", config, "-S", "-s")
    assert result.returncode == 0, result.stderr
    assert "a allocation score on node1: -INFINITY" in result.stdout
    assert "* Start      a       ( node2 )" in result.stdout
    # the XML pengine writes for it says the same, ids included
    xml = run_pengine("show", config, "--as", "xml")
    assert '<rule id="la-rule" score="-INFINITY">' in xml.stdout
    assert '<expression id="la-rule-expression" attribute="#uname"' in xml.stdout


def test_explain_names_the_rule(write):
    result = run_pengine("explain", "a", write("r.crm", CONFIG))
    assert result.returncode == 0, result.stderr
    assert "runs on node2 after the transition" in result.stdout
    assert "location la-rule" in result.stdout


def test_scenario_starts_a_on_node2(write):
    write("r.crm", CONFIG)
    scenario = write("s.toml", 'config = "r.crm"\n[[event]]\nat = "1m"\nstandby = "node2"\n')
    result = run_pengine("scenario", scenario)
    assert result.returncode == 0, result.stderr
    start, standby = [[" ".join(line.split()) for line in block.splitlines()]
                      for block in result.stdout.strip().split("\n\n")]
    assert "* Start a ( node2 )" in start and "Placement: a node2, b node1" in start
    # node2 in standby: a has nowhere left to run (node1 is banned)
    assert "Placement: a Stopped, b node1" in standby


# state kept where each local node's agent environment says (HA_RSCTMP)
NODE_LOCAL_DUMMY = DUMMY.replace('state="${OCF_RESKEY_state:-${OCF_ROOT}/${OCF_RESOURCE_INSTANCE}.state}"',
                                 'state="${HA_RSCTMP}/${OCF_RESOURCE_INSTANCE}.state"')


def test_run_starts_a_on_node2(tmp_path):
    assert NODE_LOCAL_DUMMY != DUMMY
    ocf_root = tmp_path / "ocf"
    write_script(ocf_root / "resource.d" / "test" / "Dummy", NODE_LOCAL_DUMMY)
    config = tmp_path / "r.crm"
    config.write_text(CONFIG.replace("ocf:pacemaker:Dummy", "ocf:test:Dummy"))
    state_dir = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCF_", "HA_"))}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pengine.cli", "run", str(config), "--local-nodes", "node1,node2",
         "--state-dir", str(state_dir), "--ocf-root", str(ocf_root)],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL)
    try:
        wait_for(lambda: proc.poll() is not None or all(
            resource_view(load_state(state_dir), rsc, "node1")["running"] and
            resource_view(load_state(state_dir), rsc, "node1")["pending"] is None
            for rsc in ("a", "b")), timeout=60, what="a and b started")
        assert proc.poll() is None, proc.stderr.read()
        assert resource_view(load_state(state_dir), "a", "node1")["running"] == ["node2"]
        assert (state_dir / "nodes" / "node2" / "rsctmp" / "a.state").exists()
        assert not (state_dir / "nodes" / "node1" / "rsctmp" / "a.state").exists()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "initiating a_start_0 on node2" in err or "a_start_0" in err
