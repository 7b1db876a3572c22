"""systemd units, through ``systemctl``.

Pacemaker talks to systemd over D-Bus; ``systemctl`` makes the same calls
(StartUnit, StopUnit, the ActiveState property) and waits for the job.  A
monitor reads ActiveState: ``active`` and ``reloading`` are running,
``activating`` and ``deactivating`` are still pending (asked again until the
timeout), anything else is not running.  Stopping a unit that does not
exist succeeds: an unknown service is stopped.
"""

from __future__ import annotations

import time

from pengine.transitions.execute.agents import AgentRequest, AgentSettings, not_installed
from pengine.transitions.execute.codes import (EXEC_DONE, EXEC_ERROR, EXEC_PENDING, EXEC_TIMEOUT,
                                               OCF_NOT_RUNNING, OCF_OK, OCF_UNIMPLEMENT_FEATURE,
                                               OCF_UNKNOWN, OCF_UNKNOWN_ERROR, AgentResult)
from pengine.transitions.execute.ocf import exec_error_result
from pengine.transitions.execute.process import run_process

UNIT_EXTENSIONS = (".service", ".socket", ".mount", ".timer", ".path")
PENDING_POLL_S = 1.0


def unit_name(name: str) -> str:
    """systemd_service_name: a bare name is a service; a bare template gets
    an instance name."""
    for extension in UNIT_EXTENSIONS:
        if name.endswith(extension):
            return name
    return f"{name}.service"


def state_result(load_state: str | None, active_state: str | None) -> AgentResult:
    """parse_status_result: a unit's state as a monitor's result."""
    if active_state in ("active", "reloading"):
        return AgentResult(OCF_OK)
    if active_state in ("activating", "deactivating"):
        return AgentResult(OCF_UNKNOWN, EXEC_PENDING)
    return AgentResult(OCF_NOT_RUNNING, EXEC_DONE, active_state or load_state or "")


def parse_show(text: str) -> dict[str, str]:
    """``systemctl show -p A -p B`` output: ``A=value`` lines."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return values


class SystemdBackend:
    def __init__(self, settings: AgentSettings):
        self.settings = settings

    def _systemctl(self, args: list[str], timeout_s: float):
        path = self.settings.systemctl_path()
        return run_process([path, *args], self.settings.environment(), timeout_s)

    def _state(self, unit: str, timeout_s: float) -> tuple[dict[str, str] | None, object]:
        outcome = self._systemctl(["show", "--property=LoadState", "--property=ActiveState",
                                   "--", unit], timeout_s)
        if outcome.returncode != 0:
            return None, outcome
        return parse_show(outcome.stdout), outcome

    def unit_exists(self, name: str) -> bool:
        if self.settings.systemctl_path() is None:
            return False
        state, _ = self._state(unit_name(name), 10)
        return state is not None and state.get("LoadState") not in (None, "", "not-found")

    def execute(self, request: AgentRequest) -> AgentResult:
        if not self.settings.has_systemd() or self.settings.systemctl_path() is None:
            return AgentResult(OCF_UNKNOWN_ERROR, EXEC_ERROR, "systemd is not available")
        unit = unit_name(request.agent)
        deadline = time.monotonic() + request.timeout_ms / 1000
        if request.action in ("monitor", "status"):
            return self._monitor(unit, deadline, request.timeout_ms)
        if request.action not in ("start", "stop", "restart"):
            return AgentResult(OCF_UNIMPLEMENT_FEATURE, EXEC_ERROR,
                               f"Action {request.action} not implemented for systemd resources")
        state, outcome = self._state(unit, request.timeout_ms / 1000)
        if state is None:
            return self._call_failed(outcome, request.timeout_ms)
        if state.get("LoadState") == "not-found":
            if request.action == "stop":
                return AgentResult(OCF_OK)
            return not_installed(f"systemd unit {unit}")
        began = time.monotonic()
        outcome = self._systemctl([request.action, "--", unit], request.timeout_ms / 1000)
        if outcome.returncode != 0:
            return self._call_failed(outcome, request.timeout_ms)
        if request.action == "stop":
            return AgentResult(OCF_OK, exec_ms=int((time.monotonic() - began) * 1000))
        # execd: a start completes when the unit is active
        result = self._monitor(unit, deadline, request.timeout_ms)
        if result.status == EXEC_DONE and result.rc != OCF_OK:
            return AgentResult(OCF_UNKNOWN_ERROR, EXEC_ERROR,
                               f"systemd unit {unit} did not start: {result.exit_reason}")
        return result

    def _monitor(self, unit: str, deadline: float, timeout_ms: int) -> AgentResult:
        while True:
            remaining = deadline - time.monotonic()
            state, outcome = self._state(unit, max(remaining, 0.001))
            if state is None:
                return self._call_failed(outcome, timeout_ms)
            result = state_result(state.get("LoadState"), state.get("ActiveState"))
            if result.status != EXEC_PENDING:
                return result
            if time.monotonic() + PENDING_POLL_S > deadline:
                return AgentResult(OCF_UNKNOWN_ERROR, EXEC_TIMEOUT,
                                   f"systemd unit {unit} still {state.get('ActiveState')}")
            time.sleep(PENDING_POLL_S)

    @staticmethod
    def _call_failed(outcome, timeout_ms: int) -> AgentResult:
        if outcome.error is not None:
            return exec_error_result(outcome.error)
        if outcome.timed_out:
            return AgentResult(OCF_UNKNOWN_ERROR, EXEC_TIMEOUT,
                               f"systemctl did not return within {timeout_ms}ms")
        reason = (outcome.stderr.strip().splitlines() or ["systemctl failed"])[-1]
        return AgentResult(OCF_UNKNOWN_ERROR, EXEC_ERROR, reason[:128])
