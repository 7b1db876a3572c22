"""The guide's HAProxy example with the real HAProxy (Debian's ``haproxy``)
and real resource agents, through ``pengine run --local-nodes node1,node2``.

As in the guide (samples/haproxy.pcs): HAProxy with the virtual IP
(colocated, ordered after it), ``migration-threshold=3``,
``resource-stickiness=100``, ``on-fail=restart``.  Without systemd on this
machine HAProxy runs under ``ocf:heartbeat:anything`` (the real
/usr/sbin/haproxy in the foreground, answering HTTP itself), and the IP is
``ocf:heartbeat:Dummy`` (two nodes on one machine share one network).  The
proxy answers on 127.0.0.1; killing it three times moves it, with its IP,
to node2, where it answers again.  Skipped where haproxy or the agents are
not installed (CI installs the Debian packages ``haproxy`` and
``resource-agents``)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.execute_helpers import load_state, resource_view, wait_for

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
OCF_ROOT = Path("/usr/lib/ocf")
AGENTS = OCF_ROOT / "resource.d" / "heartbeat"


def _why_not() -> str | None:
    if not os.path.exists(HAPROXY):
        return "haproxy is not installed (apt-get install haproxy)"
    for agent in ("anything", "Dummy"):
        if not (AGENTS / agent).exists():
            return f"ocf:heartbeat:{agent} is not installed (resource-agents)"
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")

HAPROXY_CFG = """global
    maxconn 100
defaults
    mode http
    timeout connect 5s
    timeout client 10s
    timeout server 10s
frontend web
    bind 127.0.0.1:{port}
    http-request return status 200 content-type text/plain string "served by haproxy"
"""

# the guide's cluster (samples/haproxy.pcs), its IP a Dummy and HAProxy the
# real binary under ocf:heartbeat:anything; monitors every second
CONFIG = """pcs cluster setup haproxy-cluster node1 addr=127.0.0.1 node2 addr=127.0.0.1
pcs resource create VIP ocf:heartbeat:Dummy op monitor interval=1s
pcs resource create HAProxy ocf:heartbeat:anything binfile={haproxy} \\
    cmdline_options="-db -f {cfg}" \\
    meta migration-threshold=3 failure-timeout=300s resource-stickiness=100 \\
    op start timeout=60s interval=0s on-fail=restart \\
    op monitor timeout=30s interval=1s on-fail=restart \\
    op stop timeout=60s interval=0s on-fail=block
pcs constraint colocation add HAProxy with VIP INFINITY
pcs constraint order VIP then HAProxy
pcs constraint location VIP prefers node1=50
pcs property set stonith-enabled=false
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(port: int) -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = b""
            while chunk := conn.recv(4096):
                data += chunk
    except OSError:
        return None
    return data.decode(errors="replace")


def haproxy_pid(state_dir: Path, node: str) -> int | None:
    for path in (state_dir / "nodes" / node).rglob("anything_HAProxy.pid"):
        try:
            pid = int(path.read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            continue
        if "haproxy" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
            return pid
    return None


def test_the_guides_haproxy_with_the_real_binary_fails_over_after_three_failures(tmp_path):
    port = free_port()
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(HAPROXY_CFG.format(port=port))
    config = tmp_path / "haproxy.pcs"
    config.write_text(CONFIG.format(haproxy=HAPROXY, cfg=cfg))
    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCF_", "HA_"))}
    env["PYTHONPATH"] = str(REPO)
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pengine.cli", "run", str(config),
                                 "--local-nodes", "node1,node2", "--state-dir", str(state),
                                 "--ocf-root", str(OCF_ROOT)], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=out, stdin=subprocess.DEVNULL)
    try:
        def answers() -> bool:
            assert proc.poll() is None, log.read_text()[-3000:]
            reply = http_get(port)
            return reply is not None and "200" in reply.split("\r\n", 1)[0] \
                and "served by haproxy" in reply

        wait_for(answers, 30, what="HAProxy to answer")
        pid = wait_for(lambda: haproxy_pid(state, "node1"), 10, what="HAProxy on node1")
        view = resource_view(load_state(state), "VIP")
        assert view["running"] == ["node1"]

        for failure in (1, 2, 3):
            os.kill(pid, signal.SIGKILL)                 # HAProxy dies
            home = "node1" if failure < 3 else "node2"
            try:
                pid = wait_for(lambda: (lambda p: p if p and p != pid else None)(
                    haproxy_pid(state, home)), 30, what=f"HAProxy back on {home}")
            except AssertionError:
                pytest.fail(log.read_text()[-4000:])
            wait_for(answers, 20, what=f"HAProxy answering after failure {failure}")
        # moved with its IP (colocation), node1 has neither
        wait_for(lambda: resource_view(load_state(state), "VIP")["running"] == ["node2"], 20,
                 what="the IP on node2")
        assert haproxy_pid(state, "node1") is None
        text = log.read_text()
        assert text.count("initiating HAProxy_start_0 on node1") == 3
        assert "initiating HAProxy_start_0 on node2" in text
        time.sleep(2)                                    # a few monitors: nothing moves
        assert haproxy_pid(state, "node2") == pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for node in ("node1", "node2"):                  # the daemons outlive the run
            left = haproxy_pid(state, node)
            if left is not None:
                os.kill(left, signal.SIGKILL)
