"""Reading resource operation history entries (``lrm_rsc_op``).

Small pure helpers shared by status unpacking, digests and the simulator:
OCF and execution status codes, transition keys, call-id ordering.
"""

from __future__ import annotations

import functools

from pengine.cib.model import LrmRscOp

# OCF exit codes
OCF_OK = 0
OCF_UNKNOWN_ERROR = 1
OCF_INVALID_PARAM = 2
OCF_UNIMPLEMENT_FEATURE = 3
OCF_INSUFFICIENT_PRIV = 4
OCF_NOT_INSTALLED = 5
OCF_NOT_CONFIGURED = 6
OCF_NOT_RUNNING = 7
OCF_RUNNING_PROMOTED = 8
OCF_FAILED_PROMOTED = 9
OCF_DEGRADED = 190
OCF_DEGRADED_PROMOTED = 191
OCF_UNKNOWN = 193

# Execution status codes
EXEC_PENDING = -1
EXEC_DONE = 0
EXEC_CANCELLED = 1
EXEC_TIMEOUT = 2
EXEC_NOT_SUPPORTED = 3
EXEC_ERROR = 4
EXEC_ERROR_HARD = 5
EXEC_ERROR_FATAL = 6
EXEC_NOT_INSTALLED = 7
EXEC_NOT_CONNECTED = 8
EXEC_INVALID = 9
EXEC_NO_FENCE_DEVICE = 10
EXEC_NO_SECRETS = 11
EXEC_MAX = 11

EXIT_TEXT = {
    0: "ok", 1: "error", 2: "invalid parameter", 3: "unimplemented feature",
    4: "insufficient privileges", 5: "not installed", 6: "not configured",
    7: "not running", 8: "promoted", 9: "promoted (failed)", 190: "degraded",
    191: "promoted (degraded)", 193: "unknown",
}


def to_int(text: str | None, default: int = 0) -> int:
    if text is None:
        return default
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        # Pacemaker's scanners accept a leading integer ("3abc" -> 3)
        digits = ""
        for index, char in enumerate(text):
            if char.isdigit() or (index == 0 and char in "+-"):
                digits += char
            else:
                break
        try:
            return int(digits)
        except ValueError:
            return default


def interval_ms(op: LrmRscOp) -> int:
    return to_int(op.get("interval"), 0)


def history_key(op: LrmRscOp) -> str:
    key = op.get("operation_key")
    return key if key else op.id


def target_rc(op: LrmRscOp) -> int:
    """Expected exit status, from the transition key ``a:t:rc:uuid``."""
    key = op.get("transition-key")
    if key is None:
        return -1
    parts = key.split(":")
    if len(parts) < 4:
        return -1
    return to_int(parts[2], -1)


def is_probe(task: str | None, interval: int) -> bool:
    return interval == 0 and task == "monitor"


def op_is_probe(op: LrmRscOp) -> bool:
    return is_probe(op.get("operation"), interval_ms(op))


def mask_probe_failure(op: LrmRscOp) -> bool:
    """pcmk_xe_mask_probe_failure: a probe that found the agent missing or
    misconfigured counts as 'not running' there."""
    if not op_is_probe(op):
        return False
    exec_status = to_int(op.get("op-status"), -2)
    exit_status = to_int(op.get("rc-code"), 0)
    return exit_status in (OCF_NOT_INSTALLED, OCF_INVALID_PARAM) \
        or exec_status == EXEC_NOT_INSTALLED


def effective_rc(rc: int) -> int:
    """pcmk__effective_rc: degraded counts as its healthy twin."""
    if rc == OCF_DEGRADED:
        return OCF_OK
    if rc == OCF_DEGRADED_PROMOTED:
        return OCF_RUNNING_PROMOTED
    return rc


def _decode_magic(magic: str | None):
    """``status:rc;action:transition:target_rc:uuid`` -> (uuid, transition_id)."""
    if not magic or ";" not in magic:
        return None
    _, key = magic.split(";", 1)
    parts = key.split(":")
    if len(parts) < 4:
        return None
    return parts[3], to_int(parts[1], -1)


def newer_op(a: LrmRscOp, b: LrmRscOp, a_node: str | None = None,
             b_node: str | None = None) -> int:
    """Pacemaker's pe__is_newer_op: sign of (a newer than b)."""
    a_node = a_node if a_node is not None else a.get("on_node")
    b_node = b_node if b_node is not None else b.get("on_node")
    same_node = (a_node or "").lower() == (b_node or "").lower() \
        if (a_node is not None and b_node is not None) else a_node == b_node
    if same_node and a.id == b.id:
        return 0
    a_call = to_int(a.get("call-id"), -1)
    b_call = to_int(b.get("call-id"), -1)
    if a_call == -1 and b_call == -1:
        return 0
    if same_node and 0 <= a_call < b_call:
        return -1
    if same_node and b_call >= 0 and a_call > b_call:
        return 1
    if a_call >= 0 and b_call >= 0 and (not same_node or a_call == b_call):
        last_a = to_int(a.get("last-rc-change"), -1)
        last_b = to_int(b.get("last-rc-change"), -1)
        if 0 <= last_a < last_b:
            return -1
        if last_b >= 0 and last_a > last_b:
            return 1
        return 0
    # one of them is pending: use the transition magic
    magic_a = _decode_magic(a.get("transition-magic"))
    magic_b = _decode_magic(b.get("transition-magic"))
    if magic_a is None or magic_b is None:
        return 0
    (a_uuid, a_id), (b_uuid, b_id) = magic_a, magic_b
    if a_uuid.lower() != b_uuid.lower() or a_id == b_id:
        if b_call == -1:
            return -1
        if a_call == -1:
            return 1
    elif (0 <= a_id < b_id) or b_id == -1:
        return -1
    elif (b_id >= 0 and a_id > b_id) or a_id == -1:
        return 1
    return 0


def sorted_by_call_id(ops) -> list[LrmRscOp]:
    """A node's history for one resource in execution order.

    GLib's list sort is a stable merge sort over the list Pacemaker builds by
    prepending, so entries that compare equal end up in reverse document
    order; we reproduce that.
    """
    reversed_ops = list(reversed(list(ops)))
    if len(reversed_ops) < 2:
        return reversed_ops
    key = functools.cmp_to_key(newer_op)
    return sorted(reversed_ops, key=key)


def active_ops(sorted_ops: list[LrmRscOp]) -> tuple[int, int]:
    """(start_index, stop_index) as Pacemaker's calculate_active_ops."""
    stop_index = -1
    start_index = -1
    implied_monitor_start = -1
    implied_clone_start = -1
    for counter, op in enumerate(sorted_ops):
        task = op.get("operation")
        status = op.get("op-status")
        if task == "stop" and status == "0":
            stop_index = counter
        elif task in ("start", "migrate_from"):
            start_index = counter
        elif implied_monitor_start <= stop_index and task == "monitor":
            if op.get("rc-code") in ("0", "8"):
                implied_monitor_start = counter
        elif task in ("promote", "demote"):
            implied_clone_start = counter
    if start_index == -1:
        if implied_clone_start != -1:
            start_index = implied_clone_start
        elif implied_monitor_start != -1:
            start_index = implied_monitor_start
    return start_index, stop_index
