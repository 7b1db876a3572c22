"""The node's watchdog (transitions.execute.watchdog): what it must stop,
a kernel-style device fed and disarmed (a fake device path: no softdog on
this machine), and the own helper process that, unfed, kills a stopped
pengine and stops the node's resources."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO
from tests.execute_helpers import wait_for, write_script
from pengine.transitions.execute import watchdog as wd
from pengine.transitions.execute.agents import AgentRequest, AgentSettings
from pengine.transitions.execute.codes import EXEC_DONE, EXEC_TIMEOUT

DUMMY = r"""#!/bin/sh
state="${OCF_ROOT}/${OCF_RESOURCE_INSTANCE}.state"
case "$1" in
start) touch "$state"; exit 0 ;;
stop) rm -f "$state"; echo stopped >> "${OCF_ROOT}/stops.log"; exit 0 ;;
monitor) [ -f "$state" ] && exit 0; exit 7 ;;
*) exit 0 ;;
esac
"""


def _request(rsc: str, action: str) -> AgentRequest:
    return AgentRequest(rsc, "ocf", "Dummy", action, provider="test",
                        params=[("x", "1")], timeout_ms=5000)


def test_what_runs_here_follows_the_results():
    active = wd.track_active({}, _request("a", "start"), 0, EXEC_DONE)
    assert set(active) == {"a"}
    active = wd.track_active(active, _request("b", "monitor"), 0, EXEC_DONE)   # probe: running
    assert set(active) == {"a", "b"}
    assert wd.track_active(active, _request("a", "start"), 1, EXEC_TIMEOUT) == active
    active = wd.track_active(active, _request("a", "stop"), 0, EXEC_DONE)
    active = wd.track_active(active, _request("b", "monitor"), 7, EXEC_DONE)
    assert active == {}
    promoted = wd.track_active({}, _request("p", "promote"), 0, EXEC_DONE)
    assert set(promoted) == {"p"}


def test_a_device_is_fed_and_disarmed_by_the_magic_close(tmp_path):
    device = tmp_path / "watchdog"
    device.write_bytes(b"")
    dog = wd.open_watchdog(str(device), 5.0, str(tmp_path / "active.json"))
    assert isinstance(dog, wd.DeviceWatchdog)
    dog.feed()
    dog.feed()
    dog.close(disarm=True)
    assert device.read_bytes() == b"\0\0V"
    armed = wd.open_watchdog(str(device), 5.0, str(tmp_path / "active.json"))
    armed.feed()
    armed.close(disarm=False)            # left armed: no magic close
    assert device.read_bytes() == b"\0\0V\0"
    with pytest.raises(FileNotFoundError):
        wd.open_watchdog(str(tmp_path / "missing"), 5.0, str(tmp_path / "active.json"))
    assert wd.open_watchdog("none", 5.0, str(tmp_path / "active.json")) is None
    own = wd.open_watchdog("own", 5.0, str(tmp_path / "active.json"))
    assert isinstance(own, wd.ProcessWatchdog)
    own.close(disarm=True)
    assert own.process.wait(5) == 0


def _helper(tmp_path, timeout: float):
    """A stand-in pengine (a sleeping process), SIGSTOPped, with one Dummy
    resource started, watched by the helper; its feeding pipe."""
    ocf = tmp_path / "ocf"
    write_script(ocf / "resource.d" / "test" / "Dummy", DUMMY)
    (ocf / "d1.state").touch()
    active = tmp_path / "active.json"
    wd.write_active(str(active), {"d1": _request("d1", "start")},
                    AgentSettings(ocf_root=str(ocf)))
    pengine = subprocess.Popen(["sleep", "60"])
    read_end, write_end = os.pipe()
    helper = subprocess.Popen(
        [sys.executable, "-m", "pengine.transitions.execute.watchdog", "--parent",
         str(pengine.pid), "--fd", str(read_end), "--timeout", str(timeout), "--active",
         str(active)], pass_fds=(read_end,), stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    os.close(read_end)
    return ocf, pengine, helper, write_end


def test_the_own_watchdog_kills_a_stopped_pengine_and_stops_its_resources(tmp_path):
    ocf, pengine, helper, feed = _helper(tmp_path, 1.0)
    try:
        os.kill(pengine.pid, signal.SIGSTOP)
        for _ in range(3):                     # fed for a while: nothing happens
            os.write(feed, b".")
            time.sleep(0.4)
        assert helper.poll() is None and (ocf / "d1.state").exists()
        assert helper.wait(10) == 1            # then not fed: it fires
        assert pengine.wait(5) == -signal.SIGKILL
        assert not (ocf / "d1.state").exists()
        assert "stopped" in (ocf / "stops.log").read_text()
        assert "not fed for 1s" in helper.stdout.read()
    finally:
        os.close(feed)
        pengine.kill()
        pengine.wait()


def test_the_magic_close_disarms_the_own_watchdog(tmp_path):
    ocf, pengine, helper, feed = _helper(tmp_path, 1.0)
    try:
        os.write(feed, wd.MAGIC_CLOSE)
        assert helper.wait(10) == 0
        time.sleep(1.2)
        assert pengine.poll() is None and (ocf / "d1.state").exists()
    finally:
        os.close(feed)
        pengine.kill()
        pengine.wait()


def test_a_pengine_gone_without_disarming_fires_at_once(tmp_path):
    ocf, pengine, helper, feed = _helper(tmp_path, 30.0)
    try:
        os.close(feed)                          # pengine died: its end of the pipe closed
        assert helper.wait(10) == 1
        wait_for(lambda: not (ocf / "d1.state").exists(), 5, what="d1 stopped")
    finally:
        pengine.kill()
        pengine.wait()
