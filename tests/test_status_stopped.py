"""``pengine status`` says whether the controller runs, and since when it does not."""

from __future__ import annotations

import re
import signal
import time

from tests.conftest import run_pengine
from tests.execute_helpers import load_state, resource_view, wait_for
from tests.test_run import _start_run, crm_config, dummy, fake_ocf_root


def test_status_after_run_stopped_says_since_when(tmp_path):
    ocf_root = fake_ocf_root(tmp_path)
    config = tmp_path / "cluster.crm"
    config.write_text(crm_config(dummy("web", tmp_path / "web.state")))
    state_dir = tmp_path / "state"
    proc = _start_run(tmp_path, config, state_dir, ocf_root)
    try:
        wait_for(lambda: resource_view(load_state(state_dir), "web")["running"] == ["n1"],
                 what="web started")
        running = run_pengine("status", "--state-dir", state_dir)
        assert running.returncode == 0, running.stderr
        assert f"  * Controller: running (pid {proc.pid})" in running.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    before = time.time()
    stopped = run_pengine("status", "--state-dir", state_dir)
    assert stopped.returncode == 0, stopped.stderr
    found = re.search(r"  \* Controller: NOT RUNNING since (.+?): this status is what the last "
                      r"'pengine run' left", stopped.stdout)
    assert found, stopped.stdout
    when = time.mktime(time.strptime(found.group(1)))
    assert when <= before
    assert "* web\t(ocf:test:Dummy):\t Started n1" in stopped.stdout


def test_status_of_a_killed_run_gives_its_last_status_time(tmp_path):
    ocf_root = fake_ocf_root(tmp_path)
    config = tmp_path / "cluster.crm"
    config.write_text(crm_config(dummy("web", tmp_path / "web.state")))
    state_dir = tmp_path / "state"
    proc = _start_run(tmp_path, config, state_dir, ocf_root)
    try:
        wait_for(lambda: resource_view(load_state(state_dir), "web")["running"] == ["n1"],
                 what="web started")
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    status = run_pengine("status", "--state-dir", state_dir)
    written = time.ctime((state_dir / "cib.xml").stat().st_mtime)
    assert f"  * Controller: NOT RUNNING since {written}" in status.stdout
