"""Fence devices (``stonith:`` resources) and fencing itself.

A fence agent reads its arguments as ``key=value`` lines on stdin
(``action=``, the device's parameters, ``nodename=`` and ``port=`` for the
target) and says by its exit status whether the action worked.

As in Pacemaker, starting a fence device registers it with the fencer and
checks it with a ``monitor``; stopping unregisters it without running the
agent; a monitor of a device that is not registered finds it stopped.
Fencing a node asks each device that can reach the target, until one
succeeds: the registered ones first, then those the configuration allows
on this node (Pacemaker's fencer registers those from the CIB).
"""

from __future__ import annotations

import os
import threading

from pengine.status.digests import is_fence_param
from pengine.transitions.execute.agents import CRM_META, AgentRequest, AgentSettings, not_installed
from pengine.transitions.execute.codes import (EXEC_DONE, EXEC_ERROR, EXEC_NO_FENCE_DEVICE,
                                               OCF_NOT_RUNNING, OCF_OK, OCF_UNKNOWN_ERROR, AgentResult)
from pengine.transitions.execute.ocf import _plain_name, process_result
from pengine.transitions.execute.process import run_process

DEFAULT_FENCING_TIMEOUT_MS = 60000


def fence_arguments(action: str, params: dict[str, str], target: str | None = None,
                    port: str | None = None) -> dict[str, str]:
    """make_args: what a fence agent reads on stdin, in order."""
    args: dict[str, str] = {}
    args["action"] = params.get(f"pcmk_{action}_action") or action
    if target is not None:
        args["nodename"] = target
        host_argument = params.get("pcmk_host_argument")
        if (host_argument or "").lower() != "none":
            host_argument = host_argument or "port"
            if params.get(host_argument, "dynamic").lower() == "dynamic":
                args[host_argument] = port or target
    for name, value in params.items():
        if name == "action" or is_fence_param(name) or CRM_META in name \
                or name == "crm_feature_set":
            continue
        args.setdefault(name, value)
    return args


def stdin_text(args: dict[str, str]) -> str:
    """Fence agents read one ``key=value`` per line; a newline inside a
    value would forge another argument, so it is cut there."""
    lines = []
    for key, value in args.items():
        value = value.split("\n", 1)[0].replace("\r", "")
        lines.append(f"{key}={value}\n")
    return "".join(lines)


def host_map(text: str | None) -> dict[str, str]:
    """pcmk_host_map: ``node:port;node2:port2`` (also spaces or commas)."""
    result: dict[str, str] = {}
    for item in (text or "").replace(";", " ").replace(",", " ").split():
        node, sep, port = item.partition(":")
        if not sep:
            node, sep, port = item.partition("=")
        if sep and node:
            result[node] = port
    return result


def static_targets(params: dict[str, str]) -> set[str] | None:
    """The nodes a device lists itself (pcmk_host_list, pcmk_host_map), or
    None when it must be asked."""
    listed = set((params.get("pcmk_host_list") or "").replace(",", " ").replace(";", " ").split())
    mapped = host_map(params.get("pcmk_host_map"))
    check = (params.get("pcmk_host_check") or "").lower()
    if check == "none":
        return None
    if listed or mapped or check == "static-list":
        return listed | set(mapped)
    return None


def listed_ports(output: str) -> set[str]:
    """A fence agent's ``list`` output: one ``port[,alias]`` per line."""
    ports = set()
    for line in output.splitlines():
        for word in line.replace(",", " ").split():
            ports.add(word)
    return ports


class FenceBackend:
    def __init__(self, settings: AgentSettings):
        self.settings = settings
        self._lock = threading.Lock()
        self._devices: dict[str, AgentRequest] = {}   # registered, in order
        self._configured: list[AgentRequest] = []     # from the configuration

    def agent_path(self, agent: str) -> str | None:
        if not _plain_name(agent):
            return None
        return os.path.join(self.settings.fence_dir, agent)

    def registered(self) -> list[AgentRequest]:
        with self._lock:
            return list(self._devices.values())

    def configure(self, devices: list[AgentRequest]) -> None:
        """The devices the configuration gives this node's fencer: usable
        for fencing even before their resources are started."""
        with self._lock:
            self._configured = list(devices)

    def candidates(self, offered: tuple[AgentRequest, ...] = ()) -> list[AgentRequest]:
        """Registered devices, then configured ones, then those another node
        offered for this fencing (the coordinator's list for this node)."""
        with self._lock:
            devices = list(self._devices.values())
            known = set(self._devices)
            devices += [d for d in self._configured if d.rsc_id not in known]
        known = {d.rsc_id for d in devices}
        devices += [d for d in offered if d.rsc_id not in known]
        return devices

    def run_agent(self, agent: str, args: dict[str, str], timeout_ms: int) -> AgentResult:
        path = self.agent_path(agent)
        if path is None or not os.path.exists(path):
            return not_installed(f"fence agent {agent}")
        outcome = run_process([path], self.settings.environment(), timeout_ms / 1000,
                              stdin=stdin_text(args))
        return process_result(outcome, timeout_ms,
                              map_code=lambda code: OCF_OK if code == 0 else OCF_UNKNOWN_ERROR)

    def execute(self, request: AgentRequest) -> AgentResult:
        params = request.instance_params()
        if request.action == "stop":
            with self._lock:
                self._devices.pop(request.rsc_id, None)
            return AgentResult(OCF_OK)
        if request.action == "start":
            path = self.agent_path(request.agent)
            if path is None or not os.path.exists(path):
                return not_installed(f"fence agent {request.agent}")
            with self._lock:
                self._devices[request.rsc_id] = request
            result = self.run_agent(request.agent, fence_arguments("monitor", params),
                                    request.timeout_ms)
            if result.rc != OCF_OK or result.status != EXEC_DONE:
                with self._lock:
                    self._devices.pop(request.rsc_id, None)
            return result
        if request.action in ("monitor", "status"):
            with self._lock:
                known = request.rsc_id in self._devices
            if not known:
                return AgentResult(OCF_NOT_RUNNING)
            return self.run_agent(request.agent, fence_arguments("monitor", params),
                                  request.timeout_ms)
        return AgentResult(OCF_UNKNOWN_ERROR, EXEC_ERROR,
                           f"fence devices have no {request.action} action")

    def can_fence(self, device: AgentRequest, target: str) -> bool:
        params = device.instance_params()
        targets = static_targets(params)
        if targets is not None:
            return target in targets
        if (params.get("pcmk_host_check") or "").lower() == "none":
            return True
        result = self.run_agent(device.agent, fence_arguments("list", params),
                                device.timeout_ms)
        if result.status == EXEC_DONE and result.rc == OCF_OK:
            return target in listed_ports(result.output)
        return False

    def fence_with(self, device: AgentRequest, target: str, action: str,
                   timeout_ms: int) -> AgentResult:
        params = device.instance_params()
        port = host_map(params.get("pcmk_host_map")).get(target)
        timeout = _ms(params.get(f"pcmk_{action}_timeout")) or timeout_ms \
            or DEFAULT_FENCING_TIMEOUT_MS
        return self.run_agent(device.agent, fence_arguments(action, params, target, port),
                              timeout)

    def fence(self, target: str, action: str, timeout_ms: int,
              levels: tuple[tuple[str, ...], ...] = (),
              offered: tuple[AgentRequest, ...] = ()) -> tuple[AgentResult, str | None]:
        """Fence ``target`` (action off, reboot or on): the result and the
        device(s) used.  With ``levels`` (its fencing topology) the levels are
        tried in order, each needing all of its devices to succeed."""
        candidates = self.candidates(offered)
        if levels:
            return self._fence_by_levels(target, action, timeout_ms, levels, candidates)
        last = AgentResult(OCF_UNKNOWN_ERROR, EXEC_NO_FENCE_DEVICE,
                           f"no fence device can fence {target}")
        for device in candidates:
            if not self.can_fence(device, target):
                continue
            result = self.fence_with(device, target, action, timeout_ms)
            if result.status == EXEC_DONE and result.rc == OCF_OK:
                return result, device.rsc_id
            last = result
        return last, None

    def _fence_by_levels(self, target: str, action: str, timeout_ms: int,
                         levels: tuple[tuple[str, ...], ...],
                         candidates: list[AgentRequest]) -> tuple[AgentResult, str | None]:
        by_id = {d.rsc_id: d for d in candidates}
        last = AgentResult(OCF_UNKNOWN_ERROR, EXEC_NO_FENCE_DEVICE,
                           f"no fencing level could fence {target}")
        for level in levels:
            result = None
            for device_id in level:
                device = by_id.get(device_id)
                if device is None:
                    result = AgentResult(OCF_UNKNOWN_ERROR, EXEC_NO_FENCE_DEVICE,
                                         f"fence device {device_id} is not available here")
                    break
                result = self.fence_with(device, target, action, timeout_ms)
                if result.status != EXEC_DONE or result.rc != OCF_OK:
                    break
            else:
                return result, ",".join(level)
            last = result or last
        return last, None


def _ms(text: str | None) -> int:
    from pengine.common.dates import parse_interval_ms
    return parse_interval_ms(text) if text else 0
