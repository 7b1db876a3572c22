"""Cleaning a resource's history off a node: a delete action between its stop and its start
(pcmk__schedule_cleanup), for changed agents, dangling migrations and restarts."""

from __future__ import annotations

from pengine.schedule.ordering import order_resource_actions
from pengine.status.actions import delete_action
from pengine.status.cluster import Node, Rel, Resource, Scheduler


def schedule_cleanup(sch: Scheduler, rsc: Resource, node: Node, optional: bool) -> None:
    flag = Rel.FIRST_IMPLIES_THEN if optional else Rel.ORDERED
    if rsc.failed or node.unclean or not node.online:
        return
    delete_action(sch, rsc, node, optional)
    order_resource_actions(sch, rsc, "stop", rsc, "delete", flag)
    order_resource_actions(sch, rsc, "delete", rsc, "start", flag)
