"""OCF resource agents: ``OCF_ROOT/resource.d/PROVIDER/TYPE ACTION``.

The parameters reach the agent as ``OCF_RESKEY_<name>`` environment
variables (the cluster's ``CRM_meta_*`` values too, as Pacemaker passes
them), with ``OCF_ROOT``, ``OCF_RESOURCE_INSTANCE`` and the other variables
of the OCF standard.  The exit status is the result; an agent may explain a
failure on stderr with an ``ocf-exit-reason:`` line.
"""

from __future__ import annotations

import errno
import os
import signal

from pengine.transitions.execute.agents import AgentRequest, AgentSettings, not_installed
from pengine.transitions.execute.codes import (EXEC_DONE, EXEC_ERROR, EXEC_NOT_INSTALLED, EXEC_TIMEOUT,
                                               OCF_DEGRADED, OCF_DEGRADED_PROMOTED, OCF_FAILED_PROMOTED,
                                               OCF_INSUFFICIENT_PRIV, OCF_NOT_INSTALLED,
                                               OCF_UNKNOWN_ERROR, AgentResult)
from pengine.transitions.execute.process import ProcessOutcome, run_process

EXIT_REASON_PREFIX = "ocf-exit-reason:"
OCF_VERSION = ("1", "1")  # the OCF standard version Pacemaker 3.0 speaks


def agent_path(settings: AgentSettings, provider: str | None, agent: str) -> str | None:
    """The agent's script, or None when the names could escape the agent tree."""
    if not provider or not agent or not _plain_name(provider) or not _plain_name(agent):
        return None
    return os.path.join(settings.ocf_root, "resource.d", provider, agent)


def _plain_name(name: str) -> bool:
    return "/" not in name and name not in (".", "..") and "\0" not in name


def ocf_environment(request: AgentRequest, settings: AgentSettings) -> dict[str, str]:
    """The agent's environment (add_action_env_vars with set_ocf_env_with_prefix)."""
    env = settings.environment()
    for name, value in request.params:
        env[f"OCF_RESKEY_{name}"] = value
    env["OCF_RA_VERSION_MAJOR"], env["OCF_RA_VERSION_MINOR"] = OCF_VERSION
    env["OCF_ROOT"] = settings.ocf_root
    env["OCF_EXIT_REASON_PREFIX"] = EXIT_REASON_PREFIX
    env["OCF_RESOURCE_INSTANCE"] = request.rsc_id
    env["OCF_RESOURCE_TYPE"] = request.agent
    if request.provider:
        env["OCF_RESOURCE_PROVIDER"] = request.provider
    return env


def exit_reason(stderr: str) -> str:
    """The last ``ocf-exit-reason:`` line of an agent's stderr."""
    reason = ""
    for line in stderr.splitlines():
        at = line.find(EXIT_REASON_PREFIX)
        if at >= 0:
            reason = line[at + len(EXIT_REASON_PREFIX):].strip()
    return reason[:128]


def ocf2ocf(code: int) -> int:
    """services__ocf2ocf: codes outside the standard are plain errors."""
    if code in (OCF_DEGRADED, OCF_DEGRADED_PROMOTED):
        return code
    if code < 0 or code > OCF_FAILED_PROMOTED:
        return OCF_UNKNOWN_ERROR
    return code


def process_result(outcome: ProcessOutcome, timeout_ms: int, map_code=ocf2ocf,
                   generic_error: int = OCF_UNKNOWN_ERROR) -> AgentResult:
    """An agent process's outcome as an executor result (services_linux)."""
    if outcome.error is not None:
        return exec_error_result(outcome.error)
    if outcome.timed_out:
        return AgentResult(generic_error, EXEC_TIMEOUT,
                           f"Process did not exit within specified timeout ({timeout_ms}ms)",
                           outcome.stdout, outcome.elapsed_ms)
    if outcome.signal is not None:
        try:
            name = signal.Signals(outcome.signal).name
        except ValueError:
            name = str(outcome.signal)
        return AgentResult(generic_error, EXEC_ERROR, f"Process interrupted by {name} signal",
                           outcome.stdout, outcome.elapsed_ms)
    return AgentResult(map_code(outcome.returncode), EXEC_DONE, exit_reason(outcome.stderr),
                       outcome.stdout, outcome.elapsed_ms)


def exec_error_result(error: OSError) -> AgentResult:
    """services__handle_exec_error: the agent could not be started."""
    if error.errno == errno.ENOENT:
        return AgentResult(OCF_NOT_INSTALLED, EXEC_NOT_INSTALLED, str(error.strerror))
    if error.errno in (errno.EACCES, errno.EPERM):
        return AgentResult(OCF_INSUFFICIENT_PRIV, EXEC_ERROR, str(error.strerror))
    return AgentResult(OCF_UNKNOWN_ERROR, EXEC_ERROR, str(error.strerror or error))


class OcfBackend:
    def __init__(self, settings: AgentSettings):
        self.settings = settings

    def execute(self, request: AgentRequest) -> AgentResult:
        path = agent_path(self.settings, request.provider, request.agent)
        if path is None or not os.path.exists(path):
            return not_installed(f"OCF agent ocf:{request.provider}:{request.agent}")
        outcome = run_process([path, request.action], ocf_environment(request, self.settings),
                              request.timeout_ms / 1000)
        return process_result(outcome, request.timeout_ms)
