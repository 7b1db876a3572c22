"""Result codes and the result of one agent action.

An agent action ends with two numbers, as in Pacemaker's executor: the
*exit status* in OCF terms (every backend maps its own codes onto these) and
the *execution status* (did the action run to completion, time out, crash,
or never start).  Both are recorded in the operation history (``rc-code``,
``op-status``).
"""

from __future__ import annotations

from attrs import frozen

from pengine.status.history import (  # noqa: F401 - re-exported: one set of names for the executor
    EXEC_CANCELLED, EXEC_DONE, EXEC_ERROR, EXEC_ERROR_FATAL, EXEC_ERROR_HARD, EXEC_INVALID,
    EXEC_NO_FENCE_DEVICE, EXEC_NO_SECRETS, EXEC_NOT_CONNECTED, EXEC_NOT_INSTALLED,
    EXEC_NOT_SUPPORTED, EXEC_PENDING, EXEC_TIMEOUT, EXIT_TEXT, OCF_DEGRADED,
    OCF_DEGRADED_PROMOTED, OCF_FAILED_PROMOTED, OCF_INSUFFICIENT_PRIV, OCF_INVALID_PARAM,
    OCF_NOT_CONFIGURED, OCF_NOT_INSTALLED, OCF_NOT_RUNNING, OCF_OK, OCF_RUNNING_PROMOTED,
    OCF_UNIMPLEMENT_FEATURE, OCF_UNKNOWN, OCF_UNKNOWN_ERROR, effective_rc)

# pcmk_exec_status_str
EXEC_TEXT = {
    EXEC_PENDING: "pending", EXEC_DONE: "complete", EXEC_CANCELLED: "Cancelled",
    EXEC_TIMEOUT: "Timed out", EXEC_NOT_SUPPORTED: "Unsupported", EXEC_ERROR: "Error",
    EXEC_ERROR_HARD: "Hard error", EXEC_ERROR_FATAL: "Fatal error",
    EXEC_NOT_INSTALLED: "Not installed", EXEC_NOT_CONNECTED: "Internal communication failure",
    EXEC_INVALID: "Cannot execute now", EXEC_NO_FENCE_DEVICE: "No fence device",
    EXEC_NO_SECRETS: "CIB secrets unavailable",
}

# The execution statuses after which an action failed whatever its exit status
# (did_rsc_op_fail).
FAILED_EXEC = frozenset((EXEC_NOT_SUPPORTED, EXEC_TIMEOUT, EXEC_ERROR, EXEC_NOT_CONNECTED,
                         EXEC_NO_FENCE_DEVICE, EXEC_NO_SECRETS, EXEC_INVALID))


@frozen
class AgentResult:
    """What one agent action came to."""

    rc: int                       # OCF exit status
    status: int = EXEC_DONE       # execution status
    exit_reason: str = ""
    output: str = ""
    exec_ms: int = 0              # how long the agent ran

    def describe(self) -> str:
        if self.status == EXEC_DONE:
            text = EXIT_TEXT.get(self.rc, f"rc={self.rc}")
        else:
            text = EXEC_TEXT.get(self.status, f"status={self.status}")
        if self.exit_reason and (self.status != EXEC_DONE or self.rc != OCF_OK):
            text += f" ({self.exit_reason})"
        return text


def did_fail(result: AgentResult, target_rc: int) -> bool:
    """did_rsc_op_fail: the result is recorded as a failure."""
    if result.status in (EXEC_CANCELLED, EXEC_PENDING):
        return False
    if result.status in FAILED_EXEC:
        return True
    return result.rc != target_rc



def normalize(result: AgentResult) -> AgentResult:
    """process_lrm_event: an 'error' whose exit status states a resource
    state (not running, promoted, degraded) is left to the scheduler."""
    if result.status == EXEC_ERROR and result.rc in (OCF_NOT_RUNNING, OCF_RUNNING_PROMOTED,
                                                     OCF_DEGRADED, OCF_DEGRADED_PROMOTED):
        from attrs import evolve
        return evolve(result, status=EXEC_DONE)
    return result
