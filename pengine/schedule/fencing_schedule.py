"""Scheduling fencing and shutdowns, and ordering resource actions around them.

Follows schedule_fencing_and_shutdowns (pcmk_scheduler.c) and
pcmk_sched_fencing.c: an unclean node is fenced before its resources are
recovered elsewhere; their stops on it become pseudo-actions implied by the
fencing.
"""

from __future__ import annotations

from pengine.status.actions import find_first_action, resource_actions
from pengine.status.cluster import AF, Action, Node, Rel, Requires, Resource, Role, Scheduler
from pengine.status.fencing import can_fence, fence_op
from pengine.schedule.ordering import order_actions, order_after_each


def _rsc_is_known_on(rsc: Resource, node: Node) -> bool:
    if node.id in rsc.probed_nodes:
        return True
    parent = rsc.parent
    return rsc.variant == "primitive" and parent is not None and parent.is_anonymous_clone \
        and node.id in parent.probed_nodes


def _order_start_vs_fencing(rsc: Resource, stonith: Action) -> None:
    target = stonith.node
    for action in list(rsc.actions):
        if action.needs == Requires.FENCING:
            order_actions(stonith, action, Rel.ORDERED)
        elif action.needs == Requires.QUORUM:
            if action.task == "start" and target.id in rsc.allowed and \
                    not _rsc_is_known_on(rsc, target):
                order_actions(stonith, action, Rel.ORDERED | Rel.UNRUNNABLE_FIRST_BLOCKS)


def _order_stop_vs_fencing(sch: Scheduler, rsc: Resource, stonith: Action) -> None:
    target = stonith.node
    top = rsc.top()
    stops = resource_actions(rsc, target, "stop", False)
    order_implicit = rsc.needs_fencing or target.is_guest
    parent_stop = find_first_action(top.actions, None, "stop", None) if (stops and order_implicit) \
        else None
    for action in stops:
        action.set(AF.PSEUDO | AF.RUNNABLE)
        if order_implicit:
            action.set(AF.IMPLIED_BY_STONITH)
            if not rsc.is_bundled():
                order_actions(stonith, action, Rel.GUEST_ALLOWED)
            order_actions(stonith, parent_stop, Rel.GUEST_ALLOWED)
        if rsc.notify:
            from pengine.schedule.notifications import order_notifs_after_fencing
            order_notifs_after_fencing(sch, action, rsc, stonith)
    for action in resource_actions(rsc, target, "demote", False):
        if not action.node.online or action.node.unclean or rsc.failed:
            action.set(AF.PSEUDO | AF.RUNNABLE)
            if rsc.is_bundled():
                pass
            elif order_implicit:
                order_actions(stonith, action, Rel.GUEST_ALLOWED | Rel.ORDERED)


def _rsc_stonith_ordering(sch: Scheduler, rsc: Resource, stonith: Action) -> None:
    if rsc.children:
        for child in rsc.children:
            _rsc_stonith_ordering(sch, child, stonith)
    elif not rsc.managed:
        pass
    else:
        _order_start_vs_fencing(rsc, stonith)
        _order_stop_vs_fencing(sch, rsc, stonith)


def order_vs_fence(sch: Scheduler, stonith: Action) -> None:
    for rsc in list(sch.resources):
        _rsc_stonith_ordering(sch, rsc, stonith)


def fence_guest(sch: Scheduler, node: Node) -> None:
    """pcmk__fence_guest: a pseudo fencing event for a guest whose launcher recovers."""
    container = node.remote_rsc.launcher
    fence_action = "off"
    stop = None
    if container is not None:
        stop = find_first_action(container.actions, None, "stop", None)
        if find_first_action(container.actions, None, "start", None) is not None:
            fence_action = "reboot"
    stonith = fence_op(sch, node, fence_action, False, "guest is unclean", False)
    stonith.set(AF.PSEUDO | AF.RUNNABLE)
    if stop is not None and stop.pseudo:
        parent_stonith = fence_op(sch, stop.node, None, False, None, False)
        order_actions(parent_stonith, stonith, Rel.UNRUNNABLE_FIRST_BLOCKS | Rel.FIRST_IMPLIES_THEN)
    elif stop is not None:
        order_actions(stop, stonith, Rel.UNRUNNABLE_FIRST_BLOCKS | Rel.FIRST_IMPLIES_THEN)
    else:
        stop = find_first_action(node.remote_rsc.actions, None, "stop", None)
        if stop is not None:
            order_actions(stop, stonith, Rel.ORDERED)
    order_vs_fence(sch, stonith)


def _any_managed(rsc: Resource) -> bool:
    return rsc.managed or any(_any_managed(child) for child in rsc.children)


def new_shutdown_action(sch: Scheduler, node: Node) -> Action:
    from pengine.status.actions import custom_action
    from pengine.schedule.ordering import order_stops_before_shutdown
    action = custom_action(sch, None, f"do_shutdown-{node.name}", "do_shutdown", node, False)
    order_stops_before_shutdown(sch, node, action)
    action.meta["op_no_wait"] = "true"
    return action


def schedule_fencing_and_shutdowns(sch: Scheduler) -> None:
    dc_down = None
    have_managed = any(_any_managed(rsc) for rsc in sch.resources)
    fencing_ops: list[Action] = []
    shutdown_ops: list[Action] = []
    for node in sch.nodes:
        fencing = None
        if node.is_guest:
            if node.remote_reset and have_managed and can_fence(sch, node):
                fence_guest(sch, node)
            continue
        if have_managed and node.unclean and can_fence(sch, node):
            fencing = fence_op(sch, node, None, False, "node is unclean", False)
            order_vs_fence(sch, fencing)
            if node.is_dc:
                dc_down = fencing
            else:
                if not sch.concurrent_fencing and fencing_ops:
                    order_actions(fencing_ops[0], fencing, Rel.ORDERED)
                fencing_ops.insert(0, fencing)
        elif node.online and node.shutdown and not node.is_remote:
            down = new_shutdown_action(sch, node)
            if node.is_dc:
                dc_down = down
            else:
                shutdown_ops.insert(0, down)
    if dc_down is not None:
        if dc_down.task == "do_shutdown":
            order_after_each(dc_down, shutdown_ops)
        if sch.concurrent_fencing:
            order_after_each(dc_down, fencing_ops)
        elif fencing_ops:
            order_actions(fencing_ops[0], dc_down, Rel.ORDERED)


_ = Role
