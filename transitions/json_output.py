"""``pengine simulate --output-as json``: crm_simulate's sections as one JSON document.

The document (``"format": "pengine-simulate/1"``) has these members; the
ones for phases that did not run are absent:

``execution_date``
    the date crm_simulate announces ("Using the original execution date"),
    or null.
``notices``
    lines printed before the status (e.g. disabled resource counts).
``current_status`` / ``revised_status``
    ``{"nodes": [NODE], "resources": [RESOURCE], "text": [line]}``: a NODE is
    ``{"name", "id", "type": "cluster"|"remote"|"guest", "online", "standby",
    "maintenance", "unclean", "pending", "shutdown"}`` (booleans); a RESOURCE
    is ``{"id", "kind": "primitive"|"group"|"clone"|"bundle", "agent"
    (primitives: ``class[:provider]:type``), "role", "target_role", "nodes"
    (where it is active), "managed", "failed", "orphaned", "children"}``;
    ``text`` is the block as crm_simulate prints it.
``modifications``
    the "Performing Requested Modifications" items (``-u/-d/-f/-i/...``).
``scores``
    with ``-s``: ``{"source", "resource", "node", "score", "text"}`` for
    allocation scores (``source`` is Pacemaker's function name), ``{"resource",
    "node", "score", "text"}`` for promotion scores (``node`` null when
    inactive); ``score`` is an integer, ±1000000 for ±INFINITY.
``transition_summary``
    ``{"change", "resource"|"node", "from", "to", "role", "next_role",
    "reason", "blocked", "text"}`` per line: ``change`` is Start, Stop, Move,
    Recover, Restart, Migrate, Promote, Demote, Re-promote, Reload, Fence
    (with ``fence_action``) or Shutdown.
``executed_actions``
    with ``-S``: in execution order, ``{"kind": "resource"|"pseudo"|"fence"
    |"cluster", "operation", "task", "resource", "node", "interval_ms", "ok",
    "text"}``.
``transition_complete``
    with ``-S``: false when the transition could not finish.
"""

from __future__ import annotations

import json
import re

from pengine.status.cluster import Node, Resource, Role, Scheduler
from pengine.common.scores import INFINITY

FORMAT = "pengine-simulate/1"


def dumps(document: dict) -> str:
    return json.dumps(document, indent=2) + "\n"


# ---------------------------------------------------------------- status --

def status(sch: Scheduler, text: list[str]) -> dict:
    """One status block: nodes, resources and the printed lines."""
    return {"nodes": [node_json(node) for node in sch.nodes],
            "resources": [resource_json(rsc) for rsc in sch.resources],
            "text": list(text)}


def node_json(node: Node) -> dict:
    kind = "guest" if node.is_guest else "remote" if node.is_remote else "cluster"
    return {"name": node.name, "id": node.id, "type": kind, "online": bool(node.online),
            "standby": bool(node.standby), "maintenance": bool(node.maintenance),
            "unclean": bool(node.unclean), "pending": bool(node.pending),
            "shutdown": bool(node.shutdown)}


def resource_json(rsc: Resource) -> dict:
    from pengine.schedule.variants import resource_state
    role = resource_state(rsc, True)
    role = Role.STOPPED if role == Role.UNKNOWN else role
    out = {"id": rsc.id, "kind": rsc.variant}
    if rsc.variant == "primitive":
        out["agent"] = ":".join(p for p in (rsc.cls, rsc.provider, rsc.type) if p)
    out.update({
        "role": role.text,
        "target_role": rsc.meta.get("target-role"),
        "nodes": [node.name for node in _active_nodes(rsc)],
        "managed": bool(rsc.managed),
        "failed": bool(rsc.failed),
        "orphaned": bool(rsc.removed),
        "children": [resource_json(child) for child in rsc.children],
    })
    return out


def _active_nodes(rsc: Resource) -> list[Node]:
    seen: list[Node] = []
    for prim in rsc.primitives():
        for node in prim.running_on:
            if node not in seen:
                seen.append(node)
    return seen


# ---------------------------------------------------------------- scores --

_ALLOCATION = re.compile(r"^(?P<source>\S+): (?P<resource>\S+) allocation score on "
                         r"(?P<node>\S+): (?P<score>\S+)$")
_PROMOTION = re.compile(r"^(?P<resource>\S+) promotion score "
                        r"(?:on (?P<node>\S+)|\(inactive\)): (?P<score>\S+)$")


def _score_value(text: str) -> int | str:
    if text in ("INFINITY", "+INFINITY"):
        return INFINITY
    if text == "-INFINITY":
        return -INFINITY
    try:
        return int(text)
    except ValueError:
        return text


def scores(lines: list[str]) -> list[dict]:
    items = []
    for line in lines:
        match = _ALLOCATION.match(line) or _PROMOTION.match(line)
        item = dict(match.groupdict()) if match else {}
        if "score" in item:
            item["score"] = _score_value(item["score"])
        item["text"] = line
        items.append(item)
    return items


# ------------------------------------------------------------ summary --

def summary_items(entries: list[dict]) -> list[dict]:
    """The structured Transition Summary entries (pengine.schedule.summary)."""
    return [dict(entry) for entry in entries]


# ------------------------------------------------------ executed actions --

def executed_actions(fired: list, lines: list[str]) -> list[dict]:
    """One entry per action the simulation ran: (GraphAction, ok) with its line."""
    items = []
    for (action, ok), line in zip(fired, lines):
        if action.kind == "pseudo_event":
            kind = "pseudo"
        elif action.task == "stonith":
            kind = "fence"
        elif action.kind == "crm_event":
            kind = "cluster"
        else:
            kind = "resource"
        item = {"kind": kind, "operation": action.uuid, "task": action.task,
                "resource": action.rsc_id, "node": action.node,
                "interval_ms": action.interval_ms, "ok": bool(ok), "text": line.strip()[2:]}
        if action.task == "stonith":
            item["fence_action"] = action.get("stonith_action")
        items.append(item)
    return items
