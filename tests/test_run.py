"""The run loop with fake and real resource agents, in-process and through
``pengine run`` / ``pengine status``: start, monitor, recover from monitor
failures, ban after migration-threshold failures, forget failures after
failure-timeout, time out hanging agents, handle crashes, block on a failed
stop with on-fail=block, stop on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_pengine
from tests.execute_helpers import (FENCE_AGENT, crm_config, fake_ocf_root, history, load_state,
                                   resource_view, wait_for, write_script)
from pengine.transitions.execute.agents import Agents, AgentSettings
from pengine.transitions.execute.controller import Controller
from pengine.transitions.execute.state_dir import StateDir


ANY = object()   # Cluster.wait: this item may be anything


def m_op():
    from pengine.cib import model as m
    return m.LrmRscOp(id="none")


class Cluster:
    """A Controller on its own thread, with a temporary OCF root and state."""

    def __init__(self, tmp_path: Path, config: str, ocf_root: Path | None = None):
        self.tmp = tmp_path
        self.ocf_root = ocf_root or fake_ocf_root(tmp_path)
        self.fence_dir = tmp_path / "fence"
        self.fence_agent = write_script(self.fence_dir / "fence_test", FENCE_AGENT)
        self.config = tmp_path / "cluster.crm"
        self.config.write_text(config)
        self.state_dir = tmp_path / "state"
        state = StateDir(str(self.state_dir))
        state.create()
        self.controller = Controller(str(self.config), "n1", state,
                                     Agents(AgentSettings(ocf_root=str(self.ocf_root),
                                                          fence_dir=str(self.fence_dir))))
        self.controller.start()
        self.result: list[int] = []
        self.thread = threading.Thread(target=lambda: self.result.append(self.controller.run()),
                                       daemon=True)
        self.thread.start()

    def cib(self):
        return load_state(self.state_dir)

    def view(self, rsc: str) -> dict:
        return resource_view(self.cib(), rsc)

    def wait(self, rsc: str, what: str, timeout: float = 20, **expected):
        expected.setdefault("pending", None)    # settled: no action of it in flight
        expected = {k: v for k, v in expected.items() if v is not ANY}

        seen = []

        def check():
            view = self.view(rsc)
            seen[:] = [view]
            return view if all(view[k] == v for k, v in expected.items()) else None
        try:
            return wait_for(check, timeout, what=f"{rsc}: {what} {expected}")
        except AssertionError as error:
            raise AssertionError(f"{error}; last seen: {seen}") from None

    def stop(self) -> int:
        self.controller.request_stop(signal.SIGTERM)
        self.thread.join(30)
        assert not self.thread.is_alive()
        return self.result[0]


@pytest.fixture
def cluster(tmp_path):
    started = []

    def make(config: str, ocf_root: Path | None = None) -> Cluster:
        started.append(Cluster(tmp_path, config, ocf_root))
        return started[-1]

    yield make
    for each in started:
        if each.thread.is_alive():
            each.stop()


def dummy(rsc: str, state: Path, extra: str = "", monitor: str = "1s") -> str:
    return (f"primitive {rsc} ocf:test:Dummy params state={state} "
            f"op monitor interval={monitor} timeout=5s {extra}")


def test_start_monitor_and_recover_from_a_monitor_failure(cluster, tmp_path):
    state = tmp_path / "web.state"
    c = cluster(crm_config(dummy("web", state)))
    c.wait("web", "started", running=["n1"], failcount=0)
    ops = wait_for(lambda: (lambda ops: ops if "web_monitor_1000" in ops else None)(
        history(c.cib(), "web")), what="the first monitor result")
    assert "web_last_0" in ops
    assert ops["web_last_0"].get("op-digest")
    state.unlink()                                  # the service dies
    c.wait("web", "failure counted", running=["n1"], failcount=1)
    wait_for(state.exists, what="web restarted")
    assert c.stop() == 0
    assert resource_view(load_state(c.state_dir), "web")["failcount"] == 1


def test_migration_threshold_bans_the_resource(cluster, tmp_path):
    state = tmp_path / "web.state"
    c = cluster(crm_config(dummy("web", state), ) +
                "rsc_defaults rsc-options: migration-threshold=2\n")
    c.wait("web", "started", running=["n1"])
    state.unlink()
    c.wait("web", "restarted once", running=["n1"], failcount=1)
    wait_for(state.exists, what="the state file again")
    state.unlink()
    view = c.wait("web", "banned", running=[], failcount=2)
    assert not state.exists()
    assert view["managed"]


def test_failure_timeout_lets_a_banned_resource_come_back(cluster, tmp_path):
    state = tmp_path / "web.state"
    c = cluster(crm_config(dummy("web", state, "meta migration-threshold=1 failure-timeout=3s")))
    c.wait("web", "started", running=["n1"])
    state.unlink()
    c.wait("web", "banned", running=[], failcount=1)
    began = time.monotonic()
    c.wait("web", "back after the failure expired", timeout=20, running=["n1"], failcount=0)
    assert time.monotonic() - began >= 1
    attributes = [p.name for s in c.cib().status.node_states[0].transient for p in s.nvpairs]
    assert not any(name.startswith("fail-count-web") for name in attributes)


def test_a_start_failure_is_fatal_on_the_node(cluster, tmp_path):
    c = cluster(crm_config("primitive bad ocf:test:FailStart op monitor interval=1s"))
    view = c.wait("bad", "failed", timeout=20, running=[], failcount=1_000_000)
    assert "bad_start_0" in view["failed_ops"]
    failure = history(c.cib(), "bad")["bad_last_failure_0"]
    assert failure.get("exit-reason") == "this agent never starts"


def test_a_hanging_start_is_killed_at_its_timeout(cluster, tmp_path):
    c = cluster(crm_config("primitive slow ocf:test:Hang op start timeout=1s interval=0 "
                           "op monitor interval=1s"))
    c.wait("slow", "timed out", timeout=20, running=[], failcount=1_000_000)
    failure = history(c.cib(), "slow")["slow_last_failure_0"]
    assert (failure.get("op-status"), failure.get("rc-code")) == ("2", "1")


def test_actions_in_flight_are_recorded_as_pending(cluster, tmp_path):
    c = cluster(crm_config("primitive slow ocf:test:Hang op start timeout=2s interval=0"))
    def pending_start():
        op = history(c.cib(), "slow").get("slow_last_0")
        return op if op is not None and op.get("operation") == "start" else None
    op = wait_for(pending_start, what="a pending start")
    assert (op.get("op-status"), op.get("call-id"), op.get("rc-code")) == ("-1", "-1", "193")
    from pengine.cli.status import status_text
    assert "slow\t(ocf:test:Hang):\t Starting n1" in status_text(c.cib(), None, time.time())
    c.wait("slow", "timed out", timeout=20, running=[], failcount=1_000_000)


def test_a_second_signal_stops_at_once(cluster, tmp_path):
    c = cluster(crm_config("primitive slow ocf:test:Hang op start timeout=60s interval=0"))
    wait_for(lambda: (history(c.cib(), "slow").get("slow_last_0") or m_op()).get("operation")
             == "start", what="a pending start")
    began = time.monotonic()
    c.controller.request_stop(signal.SIGTERM)
    c.controller.request_stop(signal.SIGINT)
    assert c.stop() == 0
    assert time.monotonic() - began < 10


def test_a_crashing_agent_is_an_error(cluster, tmp_path):
    c = cluster(crm_config("primitive boom ocf:test:Crash op monitor interval=1s"))
    c.wait("boom", "crashed", timeout=20, running=[], failcount=1_000_000)
    failure = history(c.cib(), "boom")["boom_last_failure_0"]
    assert failure.get("op-status") == "4"


def test_a_failed_stop_with_on_fail_block_blocks_the_resource(cluster, tmp_path):
    state = tmp_path / "db.state"
    c = cluster(crm_config(dummy("db", state, "op stop interval=0 timeout=5s on-fail=block")))
    c.wait("db", "started", running=["n1"])
    Path(str(state) + ".fail-stop").write_text("")
    state.unlink()                  # the monitor fails, the recovery's stop fails
    # A first monitor that fails leaves its pending record (as in Pacemaker)
    view = c.wait("db", "blocked", timeout=20, blocked=True, pending=ANY)
    assert "db_stop_0" in view["failed_ops"]
    time.sleep(2)                   # and nothing more is tried
    assert not state.exists()
    assert c.view("db")["blocked"]


def test_a_configuration_change_is_carried_out(cluster, tmp_path):
    state = tmp_path / "web.state"
    c = cluster(crm_config(dummy("web", state)))
    c.wait("web", "started", running=["n1"])
    time.sleep(0.05)
    c.config.write_text(crm_config(dummy("web", state) + " meta target-role=Stopped"))
    c.wait("web", "stopped by the new configuration", running=[])
    assert not state.exists()


def _two_nodes(other: str, tmp_path: Path, options: str = "") -> str:
    return (f"node 1: n1\nnode 2: {other}\n"
            f"primitive fence-other stonith:fence_test params pcmk_host_list={other} "
            "op monitor interval=5s\n"
            f"location fence-elsewhere fence-other -inf: {other}\n"
            + dummy("web", tmp_path / "web.state") + "\n"
            f"property cib-bootstrap-options: stonith-enabled=true {options}\n")


def test_an_unseen_node_is_fenced_before_resources_start(cluster, tmp_path):
    c = cluster(_two_nodes("n2", tmp_path))
    c.wait("web", "started", running=["n1"])
    log = Path(str(c.fence_agent) + ".log").read_text()
    assert "action=reboot;nodename=n2;port=n2;" in log
    n2 = next(s for s in c.cib().status.node_states if s.uname == "n2")
    assert (n2.get("in_ccm"), n2.get("crmd")) == ("false", "offline")
    assert c.view("fence-other")["running"] == ["n1"]


def test_fencing_gives_up_after_stonith_max_attempts(cluster, tmp_path, caplog):
    c = cluster(_two_nodes("badnode", tmp_path, "stonith-max-attempts=2"))
    wait_for(lambda: "too many failures to fence badnode" in caplog.text, what="giving up")
    time.sleep(1)
    log = Path(str(c.fence_agent) + ".log").read_text()
    assert log.count("action=reboot;nodename=badnode") == 2
    assert c.view("web")["running"] == []


# ----------------------------------------------------------------- end to end --

def _start_run(tmp_path: Path, config: Path, state_dir: Path, ocf_root: Path):
    import os
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "pengine.cli", "run", str(config), "--node", "n1",
         "--state-dir", str(state_dir), "--ocf-root", str(ocf_root)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL)


def test_pengine_run_and_status_end_to_end(tmp_path):
    ocf_root = fake_ocf_root(tmp_path)
    state = tmp_path / "web.state"
    config = tmp_path / "cluster.crm"
    config.write_text(crm_config(dummy("web", state)))
    state_dir = tmp_path / "state"
    proc = _start_run(tmp_path, config, state_dir, ocf_root)
    try:
        wait_for(lambda: (lambda v: v["running"] == ["n1"] and v["pending"] is None)(
            resource_view(load_state(state_dir), "web")), what="web started")
        state.unlink()
        wait_for(lambda: resource_view(load_state(state_dir), "web")["failcount"] == 1
                 and state.exists(), what="web recovered")
        assert run_pengine("run", config, "--node", "n1", "--state-dir", state_dir,
                           "--ocf-root", ocf_root).returncode == 2   # the directory is in use
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "initiating web_start_0" in err and "web_stop_0" in err
    assert "result of web monitor every 1s on n1: not running" in err
    assert "stopped; status saved" in err
    status = run_pengine("status", "--state-dir", state_dir)
    assert status.returncode == 0, status.stderr
    assert "* web\t(ocf:test:Dummy):\t Started n1" in status.stdout
    assert "Current DC: n1 (1) - partition with quorum" in status.stdout
    assert "web: migration-threshold=1000000 fail-count=1" in status.stdout
    assert "web_monitor_1000 on n1 'Not running' (7)" in status.stdout


def test_cli_errors_are_clear(tmp_path):
    config = tmp_path / "cluster.crm"
    config.write_text(crm_config("primitive web ocf:test:Dummy"))
    result = run_pengine("run", config, "--node", "ghost", "--state-dir", tmp_path / "s")
    assert result.returncode == 2 and "node 'ghost' is not a node" in result.stderr
    result = run_pengine("status", "--state-dir", tmp_path / "empty")
    assert result.returncode == 2 and "no status in" in result.stderr
    result = run_pengine("run", tmp_path / "missing.crm", "--node", "n1",
                         "--state-dir", tmp_path / "s")
    assert result.returncode == 2 and "Traceback" not in result.stderr


REAL_AGENTS = Path("/usr/lib/ocf/resource.d")


@pytest.mark.parametrize("agent", ["heartbeat:Dummy", "pacemaker:Dummy"])
def test_real_dummy_agents(cluster, tmp_path, agent):
    provider, name = agent.split(":")
    if not (REAL_AGENTS / provider / name).exists():
        pytest.skip(f"ocf:{agent} is not installed (Debian: resource-agents, "
                    "pacemaker-resource-agents)")
    state = tmp_path / "real.state"
    c = cluster(crm_config(f"primitive real ocf:{agent} params state={state} "
                           "op monitor interval=1s timeout=10s"), REAL_AGENTS.parent)
    c.wait("real", "started", running=["n1"], timeout=30)
    assert state.exists()
    state.unlink()
    c.wait("real", "failure counted", running=["n1"], failcount=1, timeout=30)
    wait_for(state.exists, what="real restarted")
    assert c.stop() == 0


def test_restart_restart_ban_then_expiry_on_real_or_fake_dummy(cluster, tmp_path):
    """The scenarios' chronology on one node: two failures restart the
    service, the third reaches migration-threshold (with no other node, the
    service stops), and once failure-timeout has passed it starts again."""
    real = REAL_AGENTS / "heartbeat" / "Dummy"
    agent = "ocf:heartbeat:Dummy" if real.exists() else "ocf:test:Dummy"
    state = tmp_path / "haproxy.state"
    c = cluster(crm_config(f"primitive haproxy {agent} params state={state} "
                           "op monitor interval=1s timeout=10s "
                           "meta migration-threshold=3 failure-timeout=6s"),
                REAL_AGENTS.parent if real.exists() else None)
    c.wait("haproxy", "started", running=["n1"], timeout=30)
    for failures in (1, 2):
        wait_for(state.exists, what="the service running")
        state.unlink()
        c.wait("haproxy", f"restart after failure {failures}", running=["n1"],
               failcount=failures, timeout=30)
    wait_for(state.exists, what="the service running")
    state.unlink()
    c.wait("haproxy", "banned at the third failure", running=[], failcount=3, timeout=30)
    c.wait("haproxy", "back once the failures expired", running=["n1"], failcount=0,
           timeout=30)
    assert state.exists()
