"""Status recording: what the executor learned, written into the CIB's status.

Pure functions from a CIB to a CIB.  Operation results are recorded as
Pacemaker's controller records them (pcmk__create_history_xml, through the
simulator's ``inject_action_result``); fail counts and last-failure times
as the attribute manager keeps them (``fail-count-RSC#OP_INTERVAL``,
``last-failure-RSC#OP_INTERVAL`` transient attributes).
"""

from __future__ import annotations

from attrs import evolve, frozen

from pengine.cib import model as m
from pengine.transitions.simulate import (_Status, inject_action_result, inject_failcount,
                                          inject_resource_history, node_state_change)

ORIGIN = "controld_update_resource_history"


@frozen
class ResultRecord:
    """One result to record, with what the history entry says about it."""

    node: str
    node_id: str | None
    rsc_id: str                 # the resource as its history names it
    rsc_class: str
    rsc_type: str
    rsc_provider: str | None
    task: str
    interval_ms: int
    rc: int
    op_status: int
    target_rc: int
    call_id: int
    transition_key: str
    exit_reason: str = ""
    exec_ms: int = 0
    queue_ms: int = 0
    rc_change: int | None = None     # when a recurring result last changed (epoch)
    digest: str | None = None        # op-digest of the parameters it ran with
    migrate_source: str | None = None
    migrate_target: str | None = None
    # further history attributes: the reload and secure digests
    # (transitions.execute.history_digests)
    extra: tuple[tuple[str, str], ...] = ()


def _with_states(cib: m.Cib, status: _Status) -> m.Cib:
    return evolve(cib, status=evolve(cib.status, node_states=status.states))


def record_result(cib: m.Cib, record: ResultRecord, now: int) -> m.Cib:
    """Record one operation result in the node's resource history."""
    status = _Status(cib, now)
    i = status.inject_node(record.node, record.node_id)
    j = inject_resource_history(status, i, record.rsc_id, record.rsc_id, record.rsc_class,
                                record.rsc_type, record.rsc_provider)
    extra = {}
    if record.task in ("migrate_to", "migrate_from"):
        extra["migrate_source"] = record.migrate_source or ""
        extra["migrate_target"] = record.migrate_target or ""
    if record.digest is not None:
        extra["op-digest"] = record.digest
    extra.update(record.extra)
    inject_action_result(status, i, j, record.task, record.interval_ms, record.rc,
                         record.target_rc, record.node, extra, op_status=record.op_status,
                         exit_reason=record.exit_reason, call_id=record.call_id,
                         transition_key=record.transition_key, origin=ORIGIN,
                         exec_time=record.exec_ms, queue_time=record.queue_ms,
                         rc_change=record.rc_change)
    return _with_states(cib, status)


def record_failure(cib: m.Cib, node: str, node_id: str | None, rsc_id: str, task: str,
                   interval_ms: int, infinity: bool, now: int, count: bool = True) -> m.Cib:
    """update_failcount: bump (or set to INFINITY) the fail count and set the
    last-failure time; only the last failure when failures are ignored."""
    status = _Status(cib, now)
    i = status.inject_node(node, node_id)
    inject_failcount(status, i, rsc_id, task, interval_ms, infinity, count=count)
    return _with_states(cib, status)


def failure_attribute_matches(name: str, rsc_id: str, task: str | None,
                              interval_ms: int | None) -> bool:
    """Whether a transient attribute is one of ``rsc_id``'s failure records
    (for ``task``/``interval_ms`` when given), as attrd's clear-failure does."""
    for prefix in ("fail-count-", "last-failure-"):
        if not name.startswith(prefix):
            continue
        rest = name[len(prefix):]
        if rest == rsc_id:            # the pre-2.0 per-resource form
            return task is None
        head, sep, op = rest.rpartition("#")
        if not sep or head != rsc_id:
            continue
        if task is None:
            return True
        return op == f"{task}_{interval_ms or 0}"
    return False


def clear_failures(cib: m.Cib, node: str, rsc_id: str, task: str | None = None,
                   interval_ms: int | None = None) -> m.Cib:
    """handle_failcount_op: forget a resource's failures on a node (its fail
    counts, last-failure times and last-failure history entry)."""
    states = []
    for state in cib.status.node_states:
        if state.uname != node:
            states.append(state)
            continue
        sets = [evolve(s, nvpairs=[p for p in s.nvpairs if not failure_attribute_matches(
            p.name, rsc_id, task, interval_ms)]) for s in state.transient]
        entries = []
        for entry in state.lrm_resources:
            if entry.id == rsc_id:
                ops = [op for op in entry.ops if not (
                    op.id == f"{rsc_id}_last_failure_0"
                    and (task is None or (op.get("operation") == task
                                          and int(op.get("interval") or 0) == (interval_ms or 0))))]
                entry = evolve(entry, ops=ops)
            entries.append(entry)
        states.append(evolve(state, transient=sets, lrm_resources=entries))
    return evolve(cib, status=evolve(cib.status, node_states=states))


def delete_op_history(cib: m.Cib, node: str, rsc_id: str, op_id: str) -> m.Cib:
    """controld_delete_action_history: drop one history entry (a cancelled
    recurring operation)."""
    states = []
    for state in cib.status.node_states:
        if state.uname == node:
            entries = [evolve(e, ops=[op for op in e.ops if op.id != op_id])
                       if e.id == rsc_id else e for e in state.lrm_resources]
            state = evolve(state, lrm_resources=entries)
        states.append(state)
    return evolve(cib, status=evolve(cib.status, node_states=states))


def delete_resource_history(cib: m.Cib, node: str, rsc_id: str) -> m.Cib:
    """controld_delete_resource_history: forget all of a resource's history."""
    states = []
    for state in cib.status.node_states:
        if state.uname == node:
            state = evolve(state, lrm_resources=[e for e in state.lrm_resources
                                                 if e.id != rsc_id])
        states.append(state)
    return evolve(cib, status=evolve(cib.status, node_states=states))


def node_joined(cib: m.Cib, node: str, node_id: str | None, now: int,
                keep_attributes: bool = True) -> m.Cib:
    """The node is an online member whose executor knows nothing yet: its
    resource history is cleared (and probes will find what runs), as when a
    node joins the cluster."""
    status = _Status(cib, now)
    i = status.inject_node(node, node_id)
    state = status.states[i]
    status.states[i] = evolve(state, lrm_resources=(),
                              transient=state.transient if keep_attributes else ())
    node_state_change(status, node, True)
    attrs = dict(status.states[i].attributes)
    attrs["crm-debug-origin"] = "pengine-run"
    status.states[i] = evolve(status.states[i], attributes=list(attrs.items()))
    return _with_states(cib, status)


def node_fenced(cib: m.Cib, node: str, now: int) -> m.Cib:
    """A fenced node is down, with no history and no transient attributes
    (as crm_simulate and the controller after fencing record it)."""
    status = _Status(cib, now)
    i = node_state_change(status, node, False)
    status.states[i] = evolve(status.states[i], lrm_resources=(), lrm_id=None, transient=(),
                              transient_id=None)
    return _with_states(cib, status)


def set_cib_attributes(cib: m.Cib, **values: str) -> m.Cib:
    attrs = dict(cib.attributes)
    for key, value in values.items():
        attrs[key.replace("_", "-")] = value
    return evolve(cib, attributes=list(attrs.items()))
