"""Recurring operations: creating, keeping and cancelling monitors (pcmk_sched_recurring.c)."""

from __future__ import annotations

from pengine.status.actions import custom_action, find_actions_exact, resource_actions, start_action
from pengine.status.cluster import AF, Action, Node, Rel, Resource, Role, Scheduler, op_key, parse_role
from pengine.common.options import interval_ms as parse_interval
from pengine.schedule.ordering import new_ordering, order_actions

_CANNOT_RECUR = ("stop", "start", "demote", "promote", "reload-agent", "migrate_to",
                 "migrate_from")


def _is_false(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("false", "off", "no", "n", "0")


def _is_op_dup(rsc: Resource, name: str, interval: int) -> bool:
    seen = None
    for op in rsc.ops:
        if op.name != name or parse_interval(op.interval) != interval:
            continue
        if seen is None:
            seen = op
        else:
            return True
    return False


def _recurring_key(rsc: Resource, op):
    """The action key of a configured recurring op, or None if it must not recur."""
    interval = parse_interval(op.interval)
    if interval == 0:
        return None, 0
    if op.name in _CANNOT_RECUR:
        return None, 0
    if _is_op_dup(rsc, op.name, interval):
        return None, 0
    if _is_false(op.get("enabled")):
        return None, 0
    return op_key(rsc.id, op.name, interval), interval


def _active_should_be_optional(rsc: Resource, node: Node | None, key: str, start: Action) -> bool:
    from pengine.schedule.variants import methods
    if node is None:
        return False
    if not (methods(rsc).action_flags(start, None) & AF.OPTIONAL):
        return False
    matches = find_actions_exact(rsc.actions, key, node)
    if not matches:
        return False
    return not any(op.has(AF.RESCHEDULE) for op in matches)


def new_cancel_action(sch: Scheduler, rsc: Resource, task: str, interval: int, node: Node) -> Action:
    key = op_key(rsc.id, task, interval)
    cancel = custom_action(sch, rsc, key, "cancel", node, False, interval)
    rsc.actions.retask(cancel, "cancel")
    cancel.cancel_task = task
    cancel.meta.setdefault("operation", task)
    cancel.meta.setdefault("interval", str(interval))
    return cancel


def _recurring_for_active(sch: Scheduler, rsc: Resource, start: Action, node: Node | None, op) -> None:
    role_text = op.get("role")
    role = parse_role(role_text) if role_text is not None else None
    if role_text is not None and role == Role.STOPPED:
        return
    key, interval = _recurring_key(rsc, op)
    if key is None:
        return
    name = op.name
    optional = _active_should_be_optional(rsc, node, key, start)
    if (role_text is not None and rsc.next_role != role) or \
            (role_text is None and rsc.next_role == Role.PROMOTED):
        if optional:
            cancel = new_cancel_action(sch, rsc, name, interval, node)
            after = None
            if rsc.role in (Role.UNPROMOTED, Role.STARTED):
                if rsc.next_role == Role.PROMOTED:
                    after = "promote"
                elif rsc.next_role == Role.STOPPED:
                    after = "stop"
            elif rsc.role == Role.PROMOTED:
                after = "demote"
            if after is not None:
                new_ordering(sch, rsc, None, cancel, rsc, op_key(rsc.id, after, 0), None,
                             Rel.UNRUNNABLE_FIRST_BLOCKS)
        return
    mon = custom_action(sch, rsc, key, name, node, optional, interval)
    if not start.runnable:
        mon.clear(AF.RUNNABLE)
    elif node is None or not node.online or node.unclean:
        mon.clear(AF.RUNNABLE)
    if rsc.next_role == Role.PROMOTED:
        mon.meta["op_target_rc"] = "8"
    if node is None or rsc.managed:
        new_ordering(sch, rsc, op_key(rsc.id, "start", 0), None, None, mon.uuid, mon,
                     Rel.FIRST_IMPLIES_THEN | Rel.UNRUNNABLE_FIRST_BLOCKS)
        new_ordering(sch, rsc, op_key(rsc.id, "reload-agent", 0), None, None, mon.uuid, mon,
                     Rel.FIRST_IMPLIES_THEN | Rel.UNRUNNABLE_FIRST_BLOCKS)
        if rsc.next_role == Role.PROMOTED:
            new_ordering(sch, rsc, op_key(rsc.id, "promote", 0), None, rsc, None, mon,
                         Rel.ORDERED | Rel.UNRUNNABLE_FIRST_BLOCKS)
        elif rsc.role == Role.PROMOTED:
            new_ordering(sch, rsc, op_key(rsc.id, "demote", 0), None, rsc, None, mon,
                         Rel.ORDERED | Rel.UNRUNNABLE_FIRST_BLOCKS)


def _cancel_if_running(sch: Scheduler, rsc: Resource, node: Node, key: str, name: str,
                       interval: int) -> None:
    if not find_actions_exact(rsc.actions, key, node):
        return
    cancel = new_cancel_action(sch, rsc, name, interval, node)
    if rsc.next_role in (Role.STARTED, Role.UNPROMOTED):
        new_ordering(sch, rsc, None, cancel, rsc, op_key(rsc.id, "start", 0), None,
                     Rel.UNRUNNABLE_FIRST_BLOCKS)


def _order_after_probes(rsc: Resource, node: Node, action: Action) -> None:
    for probe in resource_actions(rsc, node, "monitor", False):
        order_actions(probe, action, Rel.UNRUNNABLE_FIRST_BLOCKS)


def _order_after_stops(sch: Scheduler, rsc: Resource, node: Node, action: Action) -> None:
    for stop in resource_actions(rsc, node, "stop", True):
        if not stop.optional and not action.optional and not rsc.managed:
            action.set(AF.OPTIONAL)
        if not stop.runnable:
            action.clear(AF.RUNNABLE)
        if rsc.managed:
            new_ordering(sch, rsc, op_key(rsc.id, "stop", 0), stop, None, None, action,
                         Rel.FIRST_IMPLIES_THEN | Rel.UNRUNNABLE_FIRST_BLOCKS)


def _recurring_for_inactive(sch: Scheduler, rsc: Resource, node: Node | None, op) -> None:
    role_text = op.get("role")
    if role_text is None or parse_role(role_text) != Role.STOPPED:
        return
    key, interval = _recurring_key(rsc, op)
    if key is None:
        return
    if not rsc.unique:
        return
    name = op.name
    for stop_node in sch.nodes:
        if node is not None and stop_node.name.lower() == node.name.lower():
            _cancel_if_running(sch, rsc, node, key, name, interval)
            continue
        optional = bool(find_actions_exact(rsc.actions, key, stop_node))
        mon = custom_action(sch, rsc, key, name, stop_node, optional, interval)
        mon.meta["op_target_rc"] = "7"
        if rsc.managed:
            _order_after_probes(rsc, stop_node, mon)
        _order_after_stops(sch, rsc, stop_node, mon)
        if not stop_node.online or stop_node.unclean:
            mon.clear(AF.RUNNABLE)


def create_recurring_actions(sch: Scheduler, rsc: Resource) -> None:
    start = None
    if rsc.blocked or rsc.maintenance:
        return
    node = rsc.assigned_node
    if node is None:
        pass
    elif node.maintenance:
        pass
    elif rsc.next_role != Role.STOPPED or not rsc.managed:
        start = start_action(sch, rsc, node, True)
    for op in rsc.ops:
        if start is not None:
            _recurring_for_active(sch, rsc, start, node, op)
        _recurring_for_inactive(sch, rsc, node, op)


def schedule_cancel(sch: Scheduler, rsc: Resource, call_id: str | None, task: str, interval: int,
                    node: Node, reason: str) -> None:
    cancel = new_cancel_action(sch, rsc, task, interval, node)
    if call_id is not None:
        cancel.meta.setdefault("call-id", call_id)
    new_ordering(sch, rsc, op_key(rsc.id, "stop", 0), None, rsc, None, cancel, Rel.ORDERED)


def reschedule_recurring(sch: Scheduler, rsc: Resource, task: str, interval: int, node: Node) -> None:
    from pengine.schedule.unfencing import trigger_unfencing
    trigger_unfencing(sch, rsc, node, "Device parameters changed (reschedule)", None)
    op = custom_action(sch, rsc, op_key(rsc.id, task, interval), task, node, True, interval)
    op.set(AF.RESCHEDULE)
