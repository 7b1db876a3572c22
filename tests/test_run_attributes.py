"""``pengine run`` on one node with the control socket: the real
ocf:pacemaker:Stateful promotes through its own ``crm_attribute
--promotion`` (the tools ``pengine run`` puts first on its agents' PATH and
in HA_SBIN_DIR), ``pengine status`` is live, and ``pengine node standby``
empties the node."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, run_pengine
from tests.execute_helpers import wait_for

STATEFUL = Path("/usr/lib/ocf/resource.d/pacemaker/Stateful")

pytestmark = pytest.mark.skipif(not STATEFUL.exists(),
                                reason="ocf:pacemaker:Stateful is not installed "
                                       "(pacemaker-resource-agents)")


def test_stateful_promotes_on_one_node_and_status_is_live(tmp_path):
    config = tmp_path / "one.crm"
    config.write_text(f"""node 1: n1
primitive stateful ocf:pacemaker:Stateful \\
    params state={tmp_path}/stateful.state \\
    op monitor interval=2s role=Promoted timeout=20s \\
    op monitor interval=3s role=Unpromoted timeout=20s
clone stateful-clone stateful meta promotable=true promoted-max=1
property fencing-enabled=false
""")
    state_dir = tmp_path / "state"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pengine.cli", "run", str(config), "--node", "n1",
         "--state-dir", str(state_dir)], cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        def promoted():
            status = run_pengine("status", "--state-dir", state_dir)
            return "Promoted: [ n1 ]" in status.stdout and status.stdout
        text = wait_for(promoted, 60, what="stateful promoted")
        assert "Live from: pengine run on n1" in text
        # the agent's own call set the promotion score
        score = run_pengine("status", "-A", "--state-dir", state_dir).stdout
        assert "master-stateful" in score
        assert (state_dir / "bin" / "crm_attribute").exists()
        done = run_pengine("node", "standby", "n1", "--state-dir", state_dir)
        assert done.returncode == 0, done.stderr
        wait_for(lambda: "Stopped: [ n1 ]" in run_pengine("status", "--state-dir",
                                                           state_dir).stdout,
                 60, what="stateful stopped on the standby node")
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    stale = run_pengine("status", "--state-dir", state_dir)
    assert "From the file:" in stale.stdout and "Controller: NOT RUNNING" in stale.stdout
