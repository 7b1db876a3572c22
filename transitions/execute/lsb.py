"""LSB init scripts: ``/etc/init.d/NAME ACTION``.

A monitor is the script's ``status``.  LSB's status action has exit codes
of its own (0 running; 1, 2, 3 not running; 4 unknown); the other actions
share OCF's codes up to 7.  Parameters do not exist for init scripts.
"""

from __future__ import annotations

import os

from pengine.transitions.execute.agents import AgentRequest, AgentSettings, not_installed
from pengine.transitions.execute.codes import (OCF_INSUFFICIENT_PRIV, OCF_NOT_INSTALLED, OCF_NOT_RUNNING,
                                               OCF_OK, OCF_UNKNOWN_ERROR, AgentResult)
from pengine.transitions.execute.ocf import _plain_name, process_result
from pengine.transitions.execute.process import run_process

LSB_NOT_RUNNING = 7
# Status codes (LSB) and Pacemaker's own additions to them
LSB_STATUS_OK, LSB_STATUS_VAR_PID, LSB_STATUS_VAR_LOCK, LSB_STATUS_NOT_RUNNING = 0, 1, 2, 3
LSB_STATUS_NOT_INSTALLED, LSB_STATUS_INSUFFICIENT_PRIV = 151, 152


def lsb_action(action: str) -> str:
    """services__create_resource_action: an LSB monitor is 'status'."""
    return "status" if action == "monitor" else action


def lsb2ocf(action: str, code: int) -> int:
    """services__lsb2ocf."""
    if action not in ("status", "monitor"):
        if code < 0 or code > LSB_NOT_RUNNING:
            return OCF_UNKNOWN_ERROR
        return code
    if code == LSB_STATUS_OK:
        return OCF_OK
    if code == LSB_STATUS_NOT_INSTALLED:
        return OCF_NOT_INSTALLED
    if code == LSB_STATUS_INSUFFICIENT_PRIV:
        return OCF_INSUFFICIENT_PRIV
    if code in (LSB_STATUS_VAR_PID, LSB_STATUS_VAR_LOCK, LSB_STATUS_NOT_RUNNING):
        return OCF_NOT_RUNNING
    return OCF_UNKNOWN_ERROR


class LsbBackend:
    def __init__(self, settings: AgentSettings):
        self.settings = settings

    def script(self, name: str) -> str | None:
        if not _plain_name(name):
            return None
        return os.path.join(self.settings.lsb_dir, name)

    def execute(self, request: AgentRequest) -> AgentResult:
        path = self.script(request.agent)
        if path is None or not os.path.exists(path):
            return not_installed(f"LSB script {request.agent}")
        action = lsb_action(request.action)
        outcome = run_process([path, action], self.settings.environment(),
                              request.timeout_ms / 1000)
        return process_result(outcome, request.timeout_ms,
                              map_code=lambda code: lsb2ocf(action, code))
