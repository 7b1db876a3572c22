"""The HAProxy failover and reload on two local nodes, through the real
``pengine run samples/haproxy-run.crm --local-nodes node1,node2`` with the
HAProxy stand-in agent (samples/ocf): every step is read back from the state
directory and from ``pengine status --state-dir``.

Chronology (migration-threshold=3, stickiness 100, node1 preferred by 50):
monitor failures 1 and 2 restart HAProxy on node1; the 3rd moves it to node2
(node1's fail-count 3); once failure-timeout has passed node1's fail-count
is cleared and HAProxy stays on node2.  Reload: a new ``maxconn``
(reloadable) reloads the running daemon, a new ``port`` restarts it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_pengine
from tests.execute_helpers import history, load_state, resource_view, wait_for

SAMPLE = REPO / "samples" / "haproxy-run.crm"
OCF_ROOT = "samples/ocf"                    # relative: as the README runs it, from the checkout
FAILURE_TIMEOUT_S = 8                       # the sample's 30s, shortened for the test


def pid_file(state_dir: Path, node: str) -> Path:
    return state_dir / "nodes" / node / "rsctmp" / "haproxy-haproxy.pid"


def conf_file(state_dir: Path, node: str) -> Path:
    return state_dir / "nodes" / node / "rsctmp" / "haproxy-haproxy.conf"


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def daemon_pid(state_dir: Path, node: str) -> int | None:
    """The stand-in daemon's pid on ``node``, if it runs."""
    try:
        pid = int(pid_file(state_dir, node).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


class Run:
    """``pengine run`` on two local nodes, as a subprocess."""

    def __init__(self, tmp_path: Path, config_text: str):
        self.config = tmp_path / "haproxy-run.crm"
        self.config.write_text(config_text)
        self.state_dir = tmp_path / "state"
        self.log = tmp_path / "run.log"
        env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        env = {k: v for k, v in env.items() if not k.startswith(("OCF_", "HA_"))}
        self._log = open(self.log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pengine.cli", "run", str(self.config),
             "--local-nodes", "node1,node2", "--state-dir", str(self.state_dir),
             "--ocf-root", OCF_ROOT],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=self._log,
            stdin=subprocess.DEVNULL)

    def view(self, node: str = "node1") -> dict:
        return resource_view(load_state(self.state_dir), "haproxy", node)

    def wait(self, what: str, node: str = "node1", timeout: float = 20, **expected):
        """Wait until the scheduler's view of haproxy (its fail count as seen
        on ``node``) settles on ``expected``."""
        expected.setdefault("pending", None)
        seen = []

        def check():
            if self.proc.poll() is not None:
                raise AssertionError(f"pengine run exited ({self.proc.returncode}): "
                                     f"{self.log.read_text()[-3000:]}")
            view = self.view(node)
            seen[:] = [view]
            return view if all(view[k] == v for k, v in expected.items()) else None
        try:
            return wait_for(check, timeout, what=f"{what} {expected}")
        except AssertionError as error:
            raise AssertionError(f"{error}; last seen: {seen}\n"
                                 f"{self.log.read_text()[-3000:]}") from None

    def wait_daemon(self, node: str, other_than: int | None = None, timeout: float = 20) -> int:
        return wait_for(lambda: (lambda pid: pid if pid and pid != other_than else None)(
            daemon_pid(self.state_dir, node)), timeout, what=f"the daemon on {node}")

    def status(self) -> str:
        result = run_pengine("status", "--state-dir", self.state_dir)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def logged(self) -> str:
        return self.log.read_text()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        for node in ("node1", "node2"):    # the daemons outlive the run
            pid = daemon_pid(self.state_dir, node)
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
        return self.proc.returncode


@pytest.fixture
def run(tmp_path):
    started = []

    def make(config_text: str) -> Run:
        started.append(Run(tmp_path, config_text))
        return started[-1]
    yield make
    for each in started:
        each.stop()


def sample_config(**replace: str) -> str:
    text = SAMPLE.read_text()
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_haproxy_restarts_twice_moves_at_the_third_failure_and_stays_after_expiry(run):
    r = run(sample_config(**{"failure-timeout=30s": f"failure-timeout={FAILURE_TIMEOUT_S}s"}))
    r.wait("started on node1 (preferred)", running=["node1"], failcount=0)
    pid = r.wait_daemon("node1")
    assert daemon_pid(r.state_dir, "node2") is None

    for failures in (1, 2):
        os.kill(pid, signal.SIGKILL)                    # HAProxy dies on node1
        r.wait(f"restarted on node1 after failure {failures}", running=["node1"],
               failcount=failures)
        pid = r.wait_daemon("node1", other_than=pid)    # a new daemon: restarted
        assert daemon_pid(r.state_dir, "node2") is None
        status = r.status()
        assert "* haproxy\t(ocf:pengine:haproxy):\t Started node1" in status
        assert "* Stack: pengine run --local-nodes" in status
        assert f"haproxy: migration-threshold=3 fail-count={failures}" in status

    third_failure = time.time()
    os.kill(pid, signal.SIGKILL)                        # the third failure
    r.wait("moved to node2 at migration-threshold", running=["node2"], failcount=3)
    moved_pid = r.wait_daemon("node2")
    assert daemon_pid(r.state_dir, "node1") is None     # stopped on node1
    assert r.view("node2")["failcount"] == 0
    status = r.status()
    assert "* haproxy\t(ocf:pengine:haproxy):\t Started node2" in status
    assert "  * Node: node1:\n    * haproxy: migration-threshold=3 fail-count=3" in status
    assert "haproxy_monitor_1000 on node1 'Not running' (7)" in status
    log = r.logged()
    assert log.count("initiating haproxy_start_0 on node1") == 3    # first start + 2 restarts
    assert log.count("initiating haproxy_stop_0 on node1") == 3
    assert log.count("initiating haproxy_start_0 on node2") == 1
    assert "plan: Recover    haproxy     ( node1 -> node2 )" in log

    # failure-timeout: node1's fail-count expires and is cleared; stickiness
    # (100) outweighs node1's preference (50): HAProxy stays on node2
    r.wait("node1's failures expired", running=["node2"], failcount=0,
           timeout=FAILURE_TIMEOUT_S + 20)
    # not before: last-failure is in whole seconds, counted from the third failure
    assert time.time() >= third_failure + FAILURE_TIMEOUT_S - 1
    assert "cleared the failures of haproxy on node1" in r.logged()
    time.sleep(2)                                       # a few more monitors: nothing moves
    assert r.view()["running"] == ["node2"]
    assert daemon_pid(r.state_dir, "node2") == moved_pid
    assert daemon_pid(r.state_dir, "node1") is None
    status = r.status()
    assert "* haproxy\t(ocf:pengine:haproxy):\t Started node2" in status
    assert "fail-count" not in status
    assert "Failed Resource Actions" not in status
    assert r.stop() == 0


def rewrite(config: Path, old: str, new: str) -> None:
    text = config.read_text()
    assert old in text
    # a new file's mtime is what the controller watches: make sure it moves on
    mtime = os.stat(config).st_mtime
    config.write_text(text.replace(old, new))
    os.utime(config, (mtime + 2, mtime + 2))


def test_a_reloadable_parameter_reloads_a_unique_one_restarts(run):
    r = run(sample_config())
    r.wait("started", running=["node1"], failcount=0)
    pid = r.wait_daemon("node1")
    cib = load_state(r.state_dir)
    start = history(cib, "haproxy", "node1")["haproxy_last_0"]
    # the agent's meta-data: port needs a restart, maxconn and stats_password do not
    assert start.get("op-force-restart") == "  port  "
    assert start.get("op-restart-digest")
    assert start.get("op-secure-params") == "  stats_password  "

    rewrite(r.config, "maxconn=2000", "maxconn=4000")
    wait_for(lambda: "maxconn 4000" in conf_file(r.state_dir, "node1").read_text(),
             what="the new maxconn in force")
    # a reload is recorded as the start it stands for, with the new digests
    # (while it runs, as Pacemaker records a pending reload: as a monitor)
    last = wait_for(lambda: (lambda op: op if op.get("operation") == "start"
                             and op.get("call-id") != start.get("call-id") else None)(
        history(load_state(r.state_dir), "haproxy", "node1")["haproxy_last_0"]),
        what="the reload's result recorded")
    assert last.get("rc-code") == "0" and last.get("op-status") == "0"
    r.wait("reloaded", running=["node1"], failcount=0)
    assert daemon_pid(r.state_dir, "node1") == pid          # not restarted
    log = r.logged()
    assert "initiating haproxy_reload-agent_0 on node1" in log
    assert log.count("initiating haproxy_stop_0") == 0
    assert last.get("op-digest") != start.get("op-digest")
    assert last.get("op-restart-digest") == start.get("op-restart-digest")
    time.sleep(2)                                           # settled: no second reload
    assert r.logged().count("reload-agent_0") == log.count("reload-agent_0")

    rewrite(r.config, "port=8080", "port=8081")
    wait_for(lambda: "port 8081" in conf_file(r.state_dir, "node1").read_text(),
             what="the new port in force")
    r.wait("restarted", running=["node1"], failcount=0)
    restarted = r.wait_daemon("node1")
    assert restarted != pid
    log = r.logged()
    assert log.count("initiating haproxy_stop_0 on node1") == 1
    assert log.count("initiating haproxy_start_0 on node1") == 2
    assert log.count("reload-agent_0 on node1") == 1
    assert "maxconn 4000" in conf_file(r.state_dir, "node1").read_text()
    assert r.stop() == 0
