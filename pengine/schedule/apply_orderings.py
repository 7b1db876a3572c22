"""The apply-orderings phase (pcmk__apply_orderings): resource-level orderings become relations
between actions, colocations block dependents of unrunnable actions, probes are ordered, every
action is updated for its orderings, and orderings that cannot hold are dropped."""

from __future__ import annotations

from pengine.schedule.colocation import block_colocation_dependents
from pengine.schedule.graph_loops import graph_has_loop
from pengine.schedule.ordering import _task_of
from pengine.schedule.probes import order_probes
from pengine.schedule.remote import rsc_corresponds_to_guest
from pengine.schedule.update import update_action_for_orderings
from pengine.schedule.variants import resource_state
from pengine.status.actions import custom_action, find_actions, order_actions
from pengine.status.cluster import AF, Action, Ordering, Rel, Resource, Role, Scheduler, op_key


def _find_actions_by_task(rsc: Resource, key: str, key_rsc_id: str | None) -> list[Action]:
    found = find_actions(rsc.actions, key, None)
    if not found:
        task, interval = _task_of(key, key_rsc_id)
        found = find_actions(rsc.actions, op_key(rsc.id, task, interval), None)
    return found


def _order_after(sch: Scheduler, first_action: Action | None, rsc: Resource, order: Ordering) -> None:
    flags = order.flags
    if order.then_action is not None:
        then_actions = [order.then_action]
    else:
        then_actions = _find_actions_by_task(rsc, order.then_key,
                                             order.then_rsc.id if order.then_rsc else None)
    if not then_actions:
        return
    if first_action is not None and first_action.rsc is rsc and first_action.has(AF.MIGRATION_ABORT):
        flags &= ~Rel.FIRST_IMPLIES_THEN
    if first_action is None and not (flags & Rel.FIRST_IMPLIES_THEN):
        return
    for then in then_actions:
        if first_action is not None:
            order_actions(first_action, then, flags)
        else:
            then.clear(AF.RUNNABLE)


def _rsc_order_first(sch: Scheduler, first_rsc: Resource, order: Ordering) -> None:
    first_action = order.first_action
    then_rsc = order.then_rsc
    if first_action is not None:
        first_actions = [first_action]
    else:
        first_actions = _find_actions_by_task(first_rsc, order.first_key, first_rsc.id)
    if not first_actions and first_rsc is then_rsc:
        pass
    elif not first_actions:
        task, interval = _task_of(order.first_key, first_rsc.id)
        state = resource_state(first_rsc, True)
        if state == Role.STOPPED and task == "stop":
            pass
        elif state == Role.UNPROMOTED and task == "demote":
            pass
        else:
            first_actions = [custom_action(sch, first_rsc, op_key(first_rsc.id, task, interval),
                                           task, None, True)]
    if then_rsc is None:
        if order.then_action is None:
            return
        then_rsc = order.then_action.rsc
    for action in first_actions:
        if then_rsc is None:
            order_actions(action, order.then_action, order.flags)
        else:
            _order_after(sch, action, then_rsc, order)


def apply_orderings(sch: Scheduler) -> None:
    for order in sch.orderings:
        if order.first_rsc is not None:
            _rsc_order_first(sch, order.first_rsc, order)
        elif order.then_rsc is not None:
            _order_after(sch, order.first_action, order.then_rsc, order)
        else:
            order_actions(order.first_action, order.then_action, order.flags)
    # Pacemaker's action list is newest first; the order of updates decides
    # which reason an action records.
    for action in reversed(sch.actions):
        block_colocation_dependents(sch, action)
    order_probes(sch)
    for action in reversed(sch.actions):
        update_action_for_orderings(sch, action)
    _disable_invalid_orderings(sch)


def _disable_invalid_orderings(sch: Scheduler) -> None:
    # Pacemaker's action list is newest first (g_list_prepend)
    for action in reversed(sch.actions):
        for rel in action.actions_before:
            if not (rel.flags & Rel.GUEST_ALLOWED) and rel.action.rsc is not None \
                    and action.rsc is not None \
                    and rsc_corresponds_to_guest(action.rsc, rel.action.node):
                rel.flags = Rel.NONE
            elif rel.flags == Rel.IF_ON_SAME_NODE_OR_TARGET and action.rsc is not None \
                    and action.task == "migrate_to" and graph_has_loop(action, action, rel):
                rel.flags = Rel.NONE
