"""Unfencing: ordering resource starts after a node is unfenced (pcmk_sched_fencing.c)."""

from __future__ import annotations

from pengine.status.cluster import Node, Rel, Resource, Scheduler


def _node_has_attr(node: Node, name: str, value: str) -> bool:
    return (node.attrs.get(name) or "").lower() == value.lower()


def node_unfenced(node: Node) -> bool:
    unfenced = node.attrs.get("#node-unfenced")
    return unfenced is not None and unfenced != "0"


def trigger_unfencing(sch: Scheduler, rsc: Resource | None, node: Node | None, reason: str,
                      dependency) -> None:
    """Unfence a node when a device requiring unfencing changed (trigger_unfencing)."""
    from pengine.status.fencing import fence_op
    from pengine.schedule.ordering import order_actions
    if not sch.enable_unfencing:
        return
    if rsc is not None and not rsc.fence_device:
        return
    if node is not None and node.online and not node.unclean and not node.shutdown:
        unfence = fence_op(sch, node, "on", False, reason, False)
        if dependency is not None:
            order_actions(unfence, dependency, Rel.ORDERED)
    elif rsc is not None:
        for weight in rsc.allowed.values():
            other = weight.node
            if other.online and not other.unclean and not other.shutdown:
                trigger_unfencing(sch, rsc, other, reason, dependency)


def order_vs_unfence(sch: Scheduler, rsc: Resource, node: Node | None, action, order: int) -> None:
    """pcmk__order_vs_unfence: probes and starts wait for the node's unfencing."""
    if node is None:
        return
    if (rsc.fence_device and sch.enable_unfencing) or rsc.needs_unfencing:
        unfence = fence_op(sch, node, "on", True, None, False)
        order_actions(unfence, action, order)
        if not node_unfenced(node):
            trigger_unfencing(sch, None, node, f"required by {rsc.id} {action.task}", None)


def order_restart_vs_unfence(sch: Scheduler, node: Node, rsc: Resource) -> None:
    """pcmk__order_restart_vs_unfence: stops before, starts after unfencing."""
    from pengine.status.cluster import op_key
    from pengine.status.fencing import fence_op
    from pengine.schedule.ordering import new_ordering
    unfence = fence_op(sch, node, "on", True, None, False)
    new_ordering(sch, rsc, op_key(rsc.id, "stop", 0), None, None, unfence.uuid, unfence,
                 Rel.ORDERED | Rel.IF_ON_SAME_NODE)
    new_ordering(sch, None, unfence.uuid, unfence, rsc, op_key(rsc.id, "start", 0), None,
                 Rel.FIRST_IMPLIES_SAME_NODE_THEN | Rel.IF_ON_SAME_NODE)


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.status.fencing import fence_op  # noqa: E402
from pengine.schedule.ordering import order_actions  # noqa: E402
