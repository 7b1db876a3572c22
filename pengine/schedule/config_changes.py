"""Acting on changed resource definitions (pcmk__handle_rsc_config_changes): for each
recorded operation whose digest no longer matches (pengine.status.digests_compare), restart,
reload, reschedule or cancel; and clear the fail counts of a changed agent."""

from __future__ import annotations

from pengine.cib import model as m
from pengine.schedule.recurring import schedule_cancel
from pengine.schedule.unfencing import trigger_unfencing
from pengine.schedule.cleanup import schedule_cleanup
from pengine.status import digests as d
from pengine.status import history as h
from pengine.status.actions import clear_failcount, custom_action, set_reason
from pengine.status.bundles import needs_remote_name
from pengine.status.cluster import Node, Resource, Scheduler, op_key
from pengine.status.digests_compare import compute
from pengine.status.failcounts import get_failcount
from pengine.status.op_config import find_op_config


def _task_for_digest(task: str, interval: int) -> str:
    if interval == 0 and task in ("monitor", "migrate_from", "promote"):
        return "start"
    return task


def check_action_config(sch: Scheduler, rsc: Resource, node: Node, xml_op: m.LrmRscOp) -> bool:
    """pcmk__check_action_config: act on a changed definition; True if changed."""
    from pengine.schedule.recurring import reschedule_recurring, schedule_cancel
    task = xml_op.get("operation")
    interval = h.interval_ms(xml_op)
    if interval > 0:
        if find_op_config(rsc, task, interval, False) is None:
            if sch.cancel_removed:
                schedule_cancel(sch, rsc, xml_op.get("call-id"), task, interval, node, "orphan")
            return True
    expired = getattr(rsc, "expired_recurring", set())
    if (node.id, xml_op.id) in expired:
        reschedule_recurring(sch, rsc, task, interval, node)
        return True
    computed = compute(sch, rsc, xml_op, node)
    change = d.config_change(xml_op, computed, sanitized=sch.sanitized)
    task = _task_for_digest(task, interval)
    if change in (d.NO_CHANGE, d.PRIVATE_ONLY):
        return False
    if change == d.RESTART:
        action = custom_action(sch, rsc, op_key(rsc.id, task, interval), task, None, False,
                               interval)
        set_reason(action, "resource definition change", True)
        from pengine.schedule.unfencing import trigger_unfencing
        trigger_unfencing(sch, rsc, node, "Device parameters changed", None)
        return True
    if change == d.RESCHEDULE:
        reschedule_recurring(sch, rsc, task, interval, node)
        return True
    from pengine.schedule.unfencing import trigger_unfencing
    trigger_unfencing(sch, rsc, node, "Device parameters changed (reload)", None)
    _schedule_reload(sch, rsc, node)
    return True


def _schedule_reload(sch: Scheduler, rsc: Resource, node: Node | None) -> None:
    from pengine.status.actions import custom_action, set_reason
    from pengine.status.cluster import Rel, op_key
    from pengine.schedule.ordering import new_ordering
    if rsc.variant != "primitive":
        for child in rsc.children:
            _schedule_reload(sch, child, node)
        return
    if node is None or not rsc.managed or rsc.failed:
        return
    if rsc.start_pending:
        custom_action(sch, rsc, op_key(rsc.id, "stop", 0), "stop", node, False)
        return
    rsc.reload = True
    reload = custom_action(sch, rsc, op_key(rsc.id, "reload-agent", 0), "reload-agent", node,
                           False)
    set_reason(reload, "resource definition change", False)
    new_ordering(sch, None, None, reload, rsc, op_key(rsc.id, "stop", 0), None,
                 Rel.ORDERED | Rel.THEN_CANCELS_FIRST)
    new_ordering(sch, None, None, reload, rsc, op_key(rsc.id, "demote", 0), None,
                 Rel.ORDERED | Rel.THEN_CANCELS_FIRST)


def _process_rsc_history(sch: Scheduler, entry: m.LrmResource, rsc: Resource, node: Node) -> None:
    if rsc.removed:
        top = rsc.top()
        if not (top.variant == "clone" and not top.unique):
            schedule_cleanup(sch, rsc, node, False)
        return
    if node not in rsc.running_on:
        if _agent_changed(sch, rsc, node, entry, False):
            schedule_cleanup(sch, rsc, node, False)
        return
    if _agent_changed(sch, rsc, node, entry, True):
        schedule_cleanup(sch, rsc, node, False)
    ops = h.sorted_by_call_id(entry.ops)
    start_index, stop_index = h.active_ops(ops)
    if start_index < stop_index:
        return
    for offset, op in enumerate(ops):
        if offset < start_index:
            continue
        task = op.get("operation")
        interval = h.interval_ms(op)
        if interval > 0 and (rsc.maintenance or node.maintenance):
            schedule_cancel(sch, rsc, op.get("call-id"), task, interval, node, "maintenance mode")
        elif interval > 0 or task in ("monitor", "start", "promote", "migrate_from"):
            if needs_remote_name(sch, rsc):
                # REMOTE_CONTAINER_HACK: the address is known only once
                # resources are assigned (pe__add_param_check)
                sch.param_checks.append(_check_active_later(rsc, node, op))
            elif check_action_config(sch, rsc, node, op) and \
                    get_failcount(sch, node, rsc, effective=True) != 0:
                clear_failcount(sch, rsc, node, "action definition changed")


def _check_active_later(rsc: Resource, node: Node, op: m.LrmRscOp):
    """check_params(pcmk__check_active), run once resources are assigned."""
    def check(sch: Scheduler) -> None:
        from pengine.status.actions import clear_failcount
        from pengine.status.failcounts import get_failcount
        if check_action_config(sch, rsc, node, op) and \
                get_failcount(sch, node, rsc, effective=True) != 0:
            clear_failcount(sch, rsc, node, "action definition changed")
    return check


def _agent_changed(sch: Scheduler, rsc: Resource, node: Node, entry: m.LrmResource,
                   active_on_node: bool) -> bool:
    """pcmk__rsc_agent_changed: the agent differs from the one in the history."""
    changed = False
    for value, old in ((rsc.type, entry.type), (rsc.cls, entry.cls),
                       (rsc.provider, entry.provider)):
        if value != old:
            changed = True
            trigger_unfencing(sch, rsc, node, "Device definition changed", None)
    if changed and active_on_node:
        custom_action(sch, rsc, op_key(rsc.id, "stop", 0), "stop", node, False)
        rsc.start_pending = True
    return changed


def handle_config_changes(sch: Scheduler) -> None:
    """pcmk__handle_rsc_config_changes."""
    matching = None
    for node in sch.nodes:
        if not (node.maintenance or node.available()):
            continue
        state = node.state
        if state is None:
            continue
        for entry in state.lrm_resources:
            if not entry.ops:
                continue
            if matching is None:
                matching = _rscs_by_id(sch)
            for rsc in matching.get(entry.id, ()):
                if rsc.variant == "primitive":
                    _process_rsc_history(sch, entry, rsc, node)


def _rscs_by_id(sch: Scheduler) -> dict[str, list[Resource]]:
    """pcmk__rscs_matching_id for every id at once: the resources whose id or
    history id is the key, newest match first as Pacemaker's list is built.
    (Searching the tree once per history entry cost O(resources²·nodes).)"""
    index: dict[str, list[Resource]] = {}

    def walk(rsc):
        index.setdefault(rsc.id, []).insert(0, rsc)
        if rsc.history_id is not None and rsc.history_id != rsc.id:
            index.setdefault(rsc.history_id, []).insert(0, rsc)
        for child in rsc.children:
            walk(child)
    for top in sch.resources:
        walk(top)
    return index
