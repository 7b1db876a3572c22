"""The node's watchdog: what stops its resources when its ``pengine`` cannot.

Each node's ``pengine run --cluster`` feeds a watchdog from its main loop
(every heartbeat, see :mod:`transitions.execute.liveness`).  If the loop
stops (a hang, SIGSTOP, a crash) the watchdog fires after its timeout:

- a kernel watchdog device (``/dev/watchdog``, the softdog module) resets
  the machine, as sbd relies on;
- without one, a small helper process of its own (:func:`main`, started
  by :class:`ProcessWatchdog`) stands in: fed through a pipe, when the
  feeding stops (or the pipe closes without the magic close) it kills the
  ``pengine`` (SIGKILL works on a stopped process too), stops every
  resource this node's executor had started, and exits.

A clean exit disarms either one (the magic close ``V``, as for the kernel
device).  A node that leaves the cluster uncleanly (its corosync lost, or
evicted by the others for not answering) leaves its watchdog armed, so
its resources stop even if the others cannot fence it.

The resources to stop come from a file the ``pengine`` keeps up to date
(:func:`track_active`, :func:`write_active`): the start requests of what
its executor started and has not stopped since.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from typing import Mapping

from pengine.transitions.execute.agents import AgentRequest, AgentSettings
from pengine.transitions.execute.codes import EXEC_DONE, OCF_NOT_RUNNING, OCF_OK

MAGIC_CLOSE = b"V"
DEFAULT_DEVICE = "/dev/watchdog"
WDIOC_SETTIMEOUT = 0xC0045706
ACTIVE_AFTER = ("start", "promote", "demote", "migrate_from")
RUNNING_RCS = (OCF_OK, 8, 9)        # running, promoted, promoted and failed


def track_active(active: Mapping[str, AgentRequest], request: AgentRequest, rc: int,
                 status: int) -> dict[str, AgentRequest]:
    """What runs on this node after ``request`` ended with ``rc``: each
    resource as the request that started it (its parameters, for a stop)."""
    after = dict(active)
    if status != EXEC_DONE:
        return after
    if request.action == "stop" and rc == OCF_OK:
        after.pop(request.rsc_id, None)
    elif request.action == "migrate_to" and rc == OCF_OK:
        after.pop(request.rsc_id, None)
    elif request.action in ACTIVE_AFTER and rc in RUNNING_RCS:
        after[request.rsc_id] = request
    elif request.action == "monitor" and rc == OCF_NOT_RUNNING:
        after.pop(request.rsc_id, None)
    elif request.action == "monitor" and rc in RUNNING_RCS and request.rsc_id not in after:
        after[request.rsc_id] = request          # a probe found it running
    return after


def _request_json(request: AgentRequest) -> dict:
    return {"rsc_id": request.rsc_id, "standard": request.standard, "agent": request.agent,
            "provider": request.provider, "params": [list(p) for p in request.params],
            "timeout_ms": request.timeout_ms}


def write_active(path: str, active: Mapping[str, AgentRequest], settings: AgentSettings) -> None:
    """Atomically: the resources to stop and where their agents live."""
    data = {"settings": {"ocf_root": settings.ocf_root, "lsb_dir": settings.lsb_dir,
                         "fence_dir": settings.fence_dir, "systemctl": settings.systemctl,
                         "systemd_available": settings.systemd_available},
            "resources": [_request_json(r) for _id, r in sorted(active.items())]}
    tmp = f"{path}.tmp"
    with open(tmp, "w") as handle:
        json.dump(data, handle)
    os.replace(tmp, path)


def stop_requests(path: str) -> tuple[AgentSettings, list[AgentRequest]]:
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return AgentSettings(), []
    settings = AgentSettings(**{k: v for k, v in (data.get("settings") or {}).items()
                                if k in ("ocf_root", "lsb_dir", "fence_dir", "systemctl",
                                         "systemd_available")})
    requests = []
    for item in data.get("resources") or ():
        try:
            requests.append(AgentRequest(item["rsc_id"], item["standard"], item["agent"],
                                         "stop", provider=item.get("provider"),
                                         params=[tuple(p) for p in item.get("params", ())],
                                         timeout_ms=int(item.get("timeout_ms") or 20000)))
        except (KeyError, TypeError, ValueError):
            continue
    return settings, requests


class DeviceWatchdog:
    """A kernel watchdog device: any write feeds it; ``V`` then close disarms."""

    def __init__(self, path: str, timeout_s: float):
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        try:
            import fcntl
            import struct
            fcntl.ioctl(self.fd, WDIOC_SETTIMEOUT, struct.pack("i", max(1, int(timeout_s))))
        except OSError:
            pass            # not a real device (or a fixed timeout): feeding still works

    def describe(self) -> str:
        return f"watchdog device {self.path}"

    def feed(self) -> None:
        try:
            os.write(self.fd, b"\0")
        except OSError:
            pass

    def close(self, disarm: bool) -> None:
        if self.fd is None:
            return
        try:
            if disarm:
                os.write(self.fd, MAGIC_CLOSE)
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None


class ProcessWatchdog:
    """This program's own watchdog: a helper process fed through a pipe."""

    def __init__(self, timeout_s: float, active_path: str):
        read_end, self.write_end = os.pipe()
        os.set_blocking(self.write_end, False)
        self.active_path = active_path
        try:
            # its output goes where pengine's goes (the node's log)
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pengine.transitions.execute.watchdog",
                 "--parent", str(os.getpid()), "--fd", str(read_end),
                 "--timeout", str(timeout_s), "--active", active_path],
                pass_fds=(read_end,), stdin=subprocess.DEVNULL, stdout=sys.stderr,
                start_new_session=True, env={**os.environ, "PYTHONPATH": _pythonpath()})
        finally:
            os.close(read_end)
        self.timeout_s = timeout_s

    def describe(self) -> str:
        return f"own watchdog process {self.process.pid} ({self.timeout_s:g}s)"

    def feed(self) -> None:
        try:
            os.write(self.write_end, b".")
        except (BlockingIOError, BrokenPipeError, OSError):
            pass

    def close(self, disarm: bool) -> None:
        if self.write_end is None:
            return
        if disarm:
            try:
                os.write(self.write_end, MAGIC_CLOSE)
            except OSError:
                pass
        os.close(self.write_end)
        self.write_end = None
        if disarm:
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                pass


def _pythonpath() -> str:
    """The helper imports this very pengine."""
    import pengine
    root = os.path.dirname(os.path.dirname(os.path.abspath(pengine.__file__)))
    here = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{here}" if here else root


def open_watchdog(device: str | None, timeout_s: float, active_path: str):
    """The kernel device when ``device`` (default /dev/watchdog) can be
    opened, else the helper process; ``own``: the helper process whatever
    devices exist (several nodes on one machine); None for ``none``."""
    if device == "none":
        return None
    if device == "own":
        return ProcessWatchdog(timeout_s, active_path)
    path = device or DEFAULT_DEVICE
    if os.path.exists(path):
        try:
            return DeviceWatchdog(path, timeout_s)
        except OSError as error:
            if device:
                raise
            print(f"watchdog device {path} unusable ({error}): using the own watchdog",
                  file=sys.stderr)
    elif device:
        raise FileNotFoundError(f"watchdog device {device} does not exist")
    return ProcessWatchdog(timeout_s, active_path)


# ------------------------------------------------------ the helper itself --

def fire(parent: int, active_path: str, why: str) -> int:
    """The watchdog fired: kill the pengine, stop its resources."""
    from pengine.transitions.execute.agents import Agents
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} pengine watchdog: {why}: killing pengine {parent} and stopping this "
          f"node's resources", flush=True)
    try:
        os.kill(parent, signal.SIGKILL)
    except OSError:
        pass
    settings, requests = stop_requests(active_path)
    agents = Agents(settings)
    for request in reversed(requests):
        result = agents.execute(request)
        print(f"{stamp} pengine watchdog: stop of {request.rsc_id}: {result.describe()}",
              flush=True)
    return 1


def watch(fd: int, parent: int, timeout_s: float, active_path: str) -> int:
    deadline = time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return fire(parent, active_path, f"not fed for {timeout_s:g}s")
        ready, _w, _x = select.select([fd], [], [], left)
        if not ready:
            continue
        data = os.read(fd, 4096)
        if not data:
            return fire(parent, active_path, "pengine gone without disarming it")
        if MAGIC_CLOSE in data:
            return 0
        deadline = time.monotonic() + timeout_s


def main(argv: list[str] | None = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="pengine-watchdog")
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("--active", required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)     # only the pipe disarms it
    return watch(args.fd, args.parent, args.timeout, args.active)


if __name__ == "__main__":
    sys.exit(main())
