"""Alerts: the configuration's alert agents, called on cluster events.

As Pacemaker does, each ``alert`` of the configuration (``<alerts>`` in
XML, crm's ``alert``, pcs's ``alert create`` / ``alert recipient add``) is
an agent called once per recipient (once without any) for every node,
fencing and resource event its ``select`` lets through (all three when it
has none; attribute events only when selected).  The agent learns about
the event from its environment, Pacemaker's ``CRM_alert_*`` variables,
plus the alert's (and the recipient's) instance attributes; meta
attributes ``timeout`` (30s), ``timestamp-format`` (``%H:%M:%S.%6N``) and
``enabled`` apply per alert and per recipient.

Who calls them, as in Pacemaker: a node calls them for the resource
actions its executor ran (not for probes that found what was expected),
every node for membership changes it sees and for each fencing that ends.
Agents run in the background; their failures are logged, never fatal.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
import time
from typing import Callable

from attrs import field, frozen

from pengine.cib import model as m
from pengine.transitions.execute.process import run_process

log = logging.getLogger("pengine.run")

VERSION = "3.0.2"                 # the Pacemaker whose environment the agents get
DEFAULT_TIMEOUT_MS = 30000
DEFAULT_TIMESTAMP_FORMAT = "%H:%M:%S.%6N"
KINDS = ("node", "fencing", "resource", "attribute")
DEFAULT_KINDS = ("node", "fencing", "resource")
SELECT_KINDS = {"select_nodes": "node", "select_fencing": "fencing",
                "select_resources": "resource", "select_attributes": "attribute"}


@frozen
class AlertEvent:
    kind: str                                    # node | fencing | resource | attribute
    values: tuple[tuple[str, str], ...] = field(default=(), converter=tuple)  # CRM_alert_*
    attribute: str | None = None                 # for attribute events


@frozen
class AlertCall:
    """One agent run: its path, environment and timeout."""

    alert_id: str
    path: str
    environment: tuple[tuple[str, str], ...] = field(default=(), converter=tuple)
    timeout_ms: int = DEFAULT_TIMEOUT_MS

    def env(self) -> dict[str, str]:
        return dict(self.environment)


# -------------------------------------------------------------- events --

def node_event(node: str, nodeid: int | str, state: str) -> AlertEvent:
    """A node joined (``member``) or left (``lost``)."""
    return AlertEvent("node", (("CRM_alert_node", node), ("CRM_alert_nodeid", str(nodeid)),
                               ("CRM_alert_desc", state)))


def fencing_event(target: str, action: str, ok: bool, executor: str, origin: str,
                  rc: int, reason: str = "") -> AlertEvent:
    result = "OK" if ok else f"Error ({reason or 'failed'})"
    desc = f"Operation {action} of {target} by {executor} for pengine@{origin}: {result}"
    return AlertEvent("fencing", (("CRM_alert_node", target), ("CRM_alert_task", action),
                                  ("CRM_alert_desc", desc), ("CRM_alert_rc", str(rc))))


def resource_event(node: str, rsc: str, task: str, interval_ms: int, target_rc: int,
                   status: int, rc: int, exec_ms: int, desc: str) -> AlertEvent | None:
    """A resource action ended; None for a probe with the expected result
    (Pacemaker does not alert on those)."""
    if task == "monitor" and interval_ms == 0 and rc == target_rc:
        return None
    if task in ("meta-data", "cancel", "delete"):
        return None
    return AlertEvent("resource", (
        ("CRM_alert_node", node), ("CRM_alert_rsc", rsc), ("CRM_alert_task", task),
        ("CRM_alert_interval", str(interval_ms)), ("CRM_alert_target_rc", str(target_rc)),
        ("CRM_alert_status", str(status)), ("CRM_alert_rc", str(rc)),
        ("CRM_alert_exec_time", str(exec_ms)), ("CRM_alert_desc", desc)))


def attribute_event(node: str, nodeid: int | str, name: str, value: str | None) -> AlertEvent:
    return AlertEvent("attribute", (("CRM_alert_node", node), ("CRM_alert_nodeid", str(nodeid)),
                                    ("CRM_alert_attribute_name", name),
                                    ("CRM_alert_attribute_value", value or "")),
                      attribute=name)


# ----------------------------------------------------------- the calls --

def _pairs(sets: tuple[m.AttrSet, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for attr_set in sets:
        for pair in attr_set.nvpairs:
            if pair.value is not None:
                values.setdefault(pair.name, pair.value)
    return values


def _false(text: str | None) -> bool:
    return (text or "").strip().lower() in ("false", "no", "off", "0", "n")


def _timeout_ms(text: str | None) -> int:
    from pengine.common.dates import parse_interval_ms
    value = parse_interval_ms(text) if text else None
    return value if value and value > 0 else DEFAULT_TIMEOUT_MS


def kinds(alert: m.Alert) -> tuple[str, ...]:
    if not alert.select and not alert.select_attributes:
        return DEFAULT_KINDS
    selected = tuple(SELECT_KINDS[k] for k in alert.select if k in SELECT_KINDS)
    if alert.select_attributes and "attribute" not in selected:
        selected += ("attribute",)
    return selected


def format_timestamp(fmt: str, when: float) -> str:
    """strftime with Pacemaker's ``%xN``: the fraction of a second to x digits."""
    usec = int(round((when - int(when)) * 1_000_000)) % 1_000_000
    out = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 2 < len(fmt) and fmt[i + 1].isdigit() and fmt[i + 2] == "N":
            digits = min(max(int(fmt[i + 1]), 1), 6)
            out.append(f"{usec:06d}"[:digits])
            i += 3
        elif fmt[i] == "%" and i + 1 < len(fmt) and fmt[i + 1] == "N":
            out.append(f"{usec:06d}")
            i += 2
        elif fmt[i] == "%" and i + 1 < len(fmt):
            out.append(time.strftime(fmt[i:i + 2], time.localtime(when)))
            i += 2
        else:
            out.append(fmt[i])
            i += 1
    return "".join(out)


def alert_calls(alerts: tuple[m.Alert, ...], event: AlertEvent, when: float,
                sequence: int) -> list[AlertCall]:
    """Every agent run ``event`` asks for, with its full environment."""
    calls = []
    for alert in alerts:
        alert_meta = _pairs(alert.meta)
        if _false(alert_meta.get("enabled")) or event.kind not in kinds(alert):
            continue
        if event.kind == "attribute" and alert.select_attributes \
                and event.attribute not in alert.select_attributes:
            continue
        recipients = alert.recipients or (None,)
        for recipient in recipients:
            meta = dict(alert_meta)
            params = _pairs(alert.params)
            if recipient is not None:
                meta.update(_pairs(recipient.meta))
                params.update(_pairs(recipient.params))
                if _false(meta.get("enabled")):
                    continue
            env = dict(params)
            env.update(event.values)
            env.update({
                "CRM_alert_kind": event.kind,
                "CRM_alert_version": VERSION,
                "CRM_alert_recipient": recipient.value if recipient is not None else "",
                "CRM_alert_node_sequence": str(sequence),
                "CRM_alert_timestamp": format_timestamp(
                    meta.get("timestamp-format") or DEFAULT_TIMESTAMP_FORMAT, when),
                "CRM_alert_timestamp_epoch": str(int(when)),
                "CRM_alert_timestamp_usec": f"{int(round((when % 1) * 1e6)) % 1000000:06d}",
            })
            calls.append(AlertCall(alert.id, alert.path, tuple(sorted(env.items())),
                                   _timeout_ms(meta.get("timeout"))))
    return calls


class AlertRunner:
    """Runs alert agents in the background, in the order of the events."""

    def __init__(self, base_env: Callable[[], dict[str, str]] = lambda: dict(os.environ),
                 clock: Callable[[], float] = time.time):
        self.base_env = base_env
        self.clock = clock
        self._sequence = itertools.count(1)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._worker: threading.Thread | None = None

    def send(self, alerts: tuple[m.Alert, ...], event: AlertEvent | None) -> list[AlertCall]:
        if event is None or not alerts:
            return []
        calls = alert_calls(alerts, event, self.clock(), next(self._sequence))
        if calls:
            # one worker: each event's agents run after the previous event's
            self._queue.put(calls)
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="alerts", daemon=True)
                self._worker.start()
        return calls

    def _work(self) -> None:
        while True:
            self._run(self._queue.get())

    def _run(self, calls: list[AlertCall]) -> None:
        for call in calls:
            env = {**self.base_env(), **call.env()}
            outcome = run_process([call.path], env, call.timeout_ms / 1000)
            if outcome.error is not None:
                log.error("alert %s (%s) could not run: %s", call.alert_id, call.path,
                          outcome.error)
            elif outcome.timed_out:
                log.error("alert %s timed out after %dms", call.alert_id, call.timeout_ms)
            elif outcome.returncode != 0:
                log.warning("alert %s exited with %s", call.alert_id,
                            outcome.returncode if outcome.returncode is not None
                            else f"signal {outcome.signal}")
