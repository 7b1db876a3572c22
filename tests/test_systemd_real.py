"""``systemd:`` resources against the real systemd, through ``pengine run``:
a unit of the test's own (a runtime unit in /run/systemd/system) is started,
found stopped by its monitor when stopped behind the cluster's back and
restarted; where Debian's haproxy is installed, the guide's ``systemd:haproxy``
runs as the real haproxy.service.

Needs a running systemd as PID 1 and root: skipped otherwise (in a plain
container PID 1 is not systemd; tests/test_execute.py covers the same
backend against a fake ``systemctl``)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.execute_helpers import load_state, resource_view, wait_for

RUNTIME_UNITS = Path("/run/systemd/system")


def _why_not() -> str | None:
    if not RUNTIME_UNITS.is_dir():
        return "PID 1 is not systemd (no /run/systemd/system): real units cannot run here"
    if shutil.which("systemctl") is None:
        return "systemctl is not installed"
    if os.geteuid() != 0:
        return "needs root to install a unit"
    probe = subprocess.run(["systemctl", "is-system-running"], capture_output=True, text=True)
    if probe.stdout.strip() in ("offline", "unknown", ""):
        return f"systemd does not answer ({probe.stdout.strip() or probe.stderr.strip()})"
    return None


REASON = _why_not()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")


def systemctl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["systemctl", *args], capture_output=True, text=True)


def active(unit: str) -> bool:
    return systemctl("is-active", unit).stdout.strip() == "active"


class Run:
    def __init__(self, tmp_path: Path, config: str):
        self.path = tmp_path / "cluster.crm"
        self.path.write_text(config)
        self.state = tmp_path / "state"
        self.log = tmp_path / "run.log"
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "pengine.cli", "run", str(self.path), "--node", "node1",
                 "--state-dir", str(self.state)], cwd=REPO,
                env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL,
                stderr=out, stdin=subprocess.DEVNULL)

    def failcount(self, rsc: str) -> int:
        return resource_view(load_state(self.state), rsc)["failcount"]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def restart_after_outside_stop(tmp_path: Path, rsc: str, unit: str, agent: str) -> None:
    run = Run(tmp_path, f"node 1: node1\nprimitive {rsc} systemd:{agent} "
                        f"op monitor interval=1s timeout=20s\n"
                        f"property fencing-enabled=false\n")
    try:
        wait_for(lambda: active(unit), 60, what=f"{unit} started")
        wait_for(lambda: run.failcount(rsc) == 0 and resource_view(
            load_state(run.state), rsc)["running"] == ["node1"], 30, what="recorded")
        systemctl("stop", unit)                          # behind the cluster's back
        wait_for(lambda: run.failcount(rsc) == 1, 30, what="the monitor's failure")
        wait_for(lambda: active(unit), 30, what=f"{unit} restarted")
        assert "result of" in run.log.read_text()
    finally:
        run.stop()
        systemctl("stop", unit)


def test_a_real_unit_is_started_monitored_and_restarted(tmp_path):
    name = f"pengine-test-{uuid.uuid4().hex[:8]}"
    unit = RUNTIME_UNITS / f"{name}.service"
    unit.write_text("[Unit]\nDescription=pengine test unit\n\n[Service]\n"
                    "ExecStart=/bin/sleep infinity\n")
    systemctl("daemon-reload")
    try:
        restart_after_outside_stop(tmp_path, "svc", f"{name}.service", name)
    finally:
        unit.unlink(missing_ok=True)
        systemctl("daemon-reload")


@pytest.mark.skipif(not Path("/lib/systemd/system/haproxy.service").exists(),
                    reason="Debian's haproxy is not installed")
def test_the_guides_systemd_haproxy_is_the_real_unit(tmp_path):
    was_active = active("haproxy.service")
    if was_active:
        pytest.skip("haproxy.service already runs on this machine")
    restart_after_outside_stop(tmp_path, "HAProxy", "haproxy.service", "haproxy")
