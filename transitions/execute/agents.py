"""Resource agents behind one interface.

An :class:`AgentRequest` says what to run (which agent, which action, with
which parameters and timeout); a backend turns it into a process (or a
systemctl call) and its outcome into an :class:`AgentResult` with OCF codes.
:class:`Agents` picks the backend by the resource's class, as Pacemaker's
services library does: ``ocf``, ``lsb``, ``systemd``, ``service`` (systemd
when available, else LSB) and ``stonith``.
"""

from __future__ import annotations

import os
import shutil
import threading
from typing import Protocol

from attrs import evolve, field, frozen

from pengine.transitions.execute.codes import (EXEC_DONE, EXEC_ERROR_FATAL, EXEC_NOT_INSTALLED,
                                               OCF_NOT_CONFIGURED, OCF_NOT_INSTALLED, OCF_OK, AgentResult)

CRM_META = "CRM_meta_"


@frozen
class AgentRequest:
    """One action of one agent."""

    rsc_id: str                  # the resource as its history names it
    standard: str                # ocf | lsb | systemd | service | stonith
    agent: str                   # the agent (OCF type, init script, unit, fence agent)
    action: str                  # start, stop, monitor, promote, meta-data, ...
    provider: str | None = None
    interval_ms: int = 0
    params: tuple[tuple[str, str], ...] = field(default=(), converter=lambda v: tuple(
        sorted(dict(v).items())))   # instance parameters and CRM_meta_* values
    timeout_ms: int = 20000

    def param(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.params:
            if key == name:
                return value
        return default

    def instance_params(self) -> dict[str, str]:
        """The parameters without the cluster's CRM_meta_* values."""
        return {k: v for k, v in self.params if not k.startswith(CRM_META)}

    def describe(self) -> str:
        action = self.action if not self.interval_ms else f"{self.action} (every " \
                 f"{self.interval_ms / 1000:g}s)"
        return f"{action} of {self.rsc_id}"


@frozen
class AgentSettings:
    """Where agents live on this machine (overridable for tests)."""

    ocf_root: str = "/usr/lib/ocf"
    lsb_dir: str = "/etc/init.d"
    fence_dir: str = "/usr/sbin"
    systemctl: str | None = None          # None: found on PATH
    systemd_available: bool | None = None  # None: detected (/run/systemd/system)
    base_env: tuple[tuple[str, str], ...] | None = None  # None: this process's environment

    def environment(self) -> dict[str, str]:
        return dict(self.base_env) if self.base_env is not None else dict(os.environ)

    def systemctl_path(self) -> str | None:
        return self.systemctl or shutil.which("systemctl")

    def has_systemd(self) -> bool:
        if self.systemd_available is not None:
            return self.systemd_available
        return os.path.isdir("/run/systemd/system") and self.systemctl_path() is not None


class Backend(Protocol):
    def execute(self, request: AgentRequest) -> AgentResult: ...


class Agents:
    """Runs any agent request with the backend its class calls for."""

    def __init__(self, settings: AgentSettings | None = None):
        from pengine.transitions.execute.fence import FenceBackend
        from pengine.transitions.execute.lsb import LsbBackend
        from pengine.transitions.execute.ocf import OcfBackend
        from pengine.transitions.execute.systemd import SystemdBackend
        self.settings = settings or AgentSettings()
        self.ocf = OcfBackend(self.settings)
        self.lsb = LsbBackend(self.settings)
        self.systemd = SystemdBackend(self.settings)
        self.fence = FenceBackend(self.settings)
        self._metadata: dict[tuple, object] = {}
        self._metadata_lock = threading.Lock()

    def backend(self, request: AgentRequest) -> Backend | None:
        standard = (request.standard or "").lower()
        if standard == "ocf":
            return self.ocf
        if standard == "lsb":
            return self.lsb
        if standard == "systemd":
            return self.systemd
        if standard == "service":
            # services__create_resource_action: a unit when systemd has one,
            # else an init script
            if self.settings.has_systemd() and self.systemd.unit_exists(request.agent):
                return self.systemd
            return self.lsb
        if standard == "stonith":
            return self.fence
        return None

    def metadata(self, request: AgentRequest):
        """An OCF agent's parsed meta-data (cached per agent), or None."""
        from pengine.transitions.execute.metadata import parse_metadata
        if (request.standard or "").lower() != "ocf":
            return None
        key = (request.provider, request.agent)
        with self._metadata_lock:
            if key in self._metadata:
                return self._metadata[key]
        result = self.ocf.execute(AgentRequest(request.rsc_id, "ocf", request.agent,
                                               "meta-data", provider=request.provider,
                                               timeout_ms=30000))
        metadata = None
        if result.rc == OCF_OK and result.status == EXEC_DONE:
            try:
                metadata = parse_metadata(result.output,
                                          f"ocf:{request.provider}:{request.agent} meta-data")
            except ValueError:
                metadata = None
        with self._metadata_lock:
            self._metadata[key] = metadata
        return metadata

    def parameter_problems(self, request: AgentRequest) -> list[str]:
        """What the agent's meta-data says is wrong with the parameters."""
        from pengine.transitions.execute.metadata import check_parameters
        metadata = self.metadata(request)
        if metadata is None:
            return []
        return check_parameters(metadata, request.instance_params())

    def history_digests(self, request: AgentRequest) -> tuple[tuple[str, str], ...]:
        """The reload and secure digests a result of ``request`` records
        (controld_add_resource_history_xml_as); the agent's meta-data is
        read once per agent."""
        from pengine.transitions.execute.history_digests import history_digests, needs_metadata
        if not needs_metadata(request.standard, request.action):
            return ()
        return history_digests(self.metadata(request), request.standard, request.action,
                               request.interval_ms, dict(request.params))

    def agent_action(self, request: AgentRequest) -> AgentRequest:
        """do_lrm_rsc_op: a reload is asked of the agent the way it supports
        (``reload`` for a pre-OCF-1.1 agent advertising it, else OCF 1.1's
        ``reload-agent``)."""
        if request.action not in ("reload", "reload-agent") \
                or (request.standard or "").lower() != "ocf":
            return request
        metadata = self.metadata(request)
        legacy = metadata is not None and metadata.supports_legacy_reload
        action = "reload" if legacy else "reload-agent"
        return request if action == request.action else evolve(request, action=action)

    def execute(self, request: AgentRequest) -> AgentResult:
        request = self.agent_action(request)
        backend = self.backend(request)
        if backend is None:
            return AgentResult(OCF_NOT_CONFIGURED, EXEC_ERROR_FATAL,
                               f"unsupported resource class '{request.standard}'")
        return backend.execute(request)


def not_installed(what: str) -> AgentResult:
    return AgentResult(OCF_NOT_INSTALLED, EXEC_NOT_INSTALLED, f"{what} not found")
