"""``pengine status --output-as xml``: the cluster status as crm_mon's XML has it.

``<pacemaker-result request="crm_mon --output-as xml">`` with ``summary``
(stack, current DC, last update and change, counts), ``nodes`` and
``resources`` (written as crm_simulate's cluster status writes them,
:mod:`transitions.simulate_xml`), ``node_attributes`` and ``node_history``
(fail counts), then ``status``.  Where the status came from (live from a
running node, or the file a stopped run left) is in a ``source`` element of ``summary``, an
element crm_mon does not have.
"""

from __future__ import annotations

import time

from pengine.transitions.simulate_xml import API_VERSION, _bool, _node, _resource, _Writer

_INTERNAL = ("fail-count-", "last-failure-", "#", "master-")


def _fmt(epoch: float | None) -> str | None:
    return time.strftime("%a %b %e %H:%M:%S %Y", time.localtime(epoch)) if epoch else None


def monitor_xml(sch, cib, stack: str, now: float, written: float | None,
                source: dict) -> str:
    from pengine.transitions.status_text import resource_counts
    w = _Writer()
    w.open(0, "pacemaker-result", [("api-version", API_VERSION),
                                   ("request", "crm_mon --output-as xml")])
    w.open(1, "summary")
    w.empty(2, "stack", [("type", stack)])
    dc = next((n for n in sch.nodes if n.id == cib.get("dc-uuid")), None)
    quorate = (cib.get("have-quorum") or "0") in ("1", "true")
    if dc is not None:
        w.empty(2, "current_dc", [("present", "true"), ("name", dc.name), ("id", dc.id),
                                  ("with_quorum", _bool(quorate))])
    else:
        w.empty(2, "current_dc", [("present", "false")])
    w.empty(2, "last_update", [("time", _fmt(now))])
    w.empty(2, "last_change", [("time", _fmt(written)), ("client", "pengine run"),
                               ("origin", dc.name if dc is not None else None)])
    instances, disabled, blocked = resource_counts(sch)
    w.empty(2, "nodes_configured", [("number", len(sch.nodes))])
    w.empty(2, "resources_configured", [("number", instances), ("disabled", disabled),
                                        ("blocked", blocked)])
    w.empty(2, "source", sorted(source.items()))
    w.close(1, "summary")
    w.open(1, "nodes")
    for node in sch.nodes:
        _node(w, 2, node, sch)
    w.close(1, "nodes")
    w.open(1, "resources")
    for rsc in sch.resources:
        _resource(w, 2, rsc, True)
    w.close(1, "resources")
    w.open(1, "node_attributes")
    for node in sch.nodes:
        pairs = sorted((k, v) for k, v in node.attrs.items() if not k.startswith(_INTERNAL))
        if pairs:
            w.open(2, "node", [("name", node.name)])
            for name, value in pairs:
                w.empty(3, "attribute", [("name", name), ("value", value)])
            w.close(2, "node")
    w.close(1, "node_attributes")
    w.open(1, "node_history")
    for node in sch.nodes:
        failures = sorted((k, v) for k, v in node.attrs.items() if k.startswith("fail-count-"))
        if failures:
            w.open(2, "node", [("name", node.name)])
            for name, value in failures:
                rsc, _, op = name[len("fail-count-"):].partition("#")
                w.empty(3, "resource_history", [("id", rsc), ("operation", op or None),
                                                ("fail-count", value)])
            w.close(2, "node")
    w.close(1, "node_history")
    w.empty(1, "status", [("code", 0), ("message", "OK")])
    w.close(0, "pacemaker-result")
    return "\n".join(w.lines) + "\n"
