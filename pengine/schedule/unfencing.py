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
    from pengine.schedule.fencing import fence_op
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
    from pengine.schedule.fencing import fence_op
    from pengine.schedule.ordering import new_ordering
    unfence = fence_op(sch, node, "on", True, None, False)
    new_ordering(sch, rsc, op_key(rsc.id, "stop", 0), None, None, unfence.uuid, unfence,
                 Rel.ORDERED | Rel.IF_ON_SAME_NODE)
    new_ordering(sch, None, unfence.uuid, unfence, rsc, op_key(rsc.id, "start", 0), None,
                 Rel.FIRST_IMPLIES_SAME_NODE_THEN | Rel.IF_ON_SAME_NODE)


def fence_digests(sch: Scheduler, node: Node):
    """(digests-all, digests-secure, changed) for fencing ``node``."""
    from pengine.status import digests as d
    from pengine.status.unpack import rsc_params
    devices = []
    changed = False
    for rsc in _unfencing_devices(sch.resources):
        agent = rsc.type
        computed = d.fencing_digests(rsc_params(sch, rsc, node),
                                     cib_feature_set=sch.cib.get("crm_feature_set"))
        result = d.compare_fencing_digest(rsc.id, agent, computed, node.attrs.get("#digests-all"),
                                          node.attrs.get("#digests-secure"))
        if result == d.MISMATCH:
            changed = True
        devices.append((rsc.id, agent, computed))
    all_s, secure_s = d.unfencing_meta(devices)
    return all_s, secure_s, changed


def _unfencing_devices(resources) -> list:
    """Fence devices that unfence, depth first in resource order."""
    found = []
    for rsc in resources:
        if rsc.children:
            found.extend(_unfencing_devices(rsc.children))
        elif rsc.fence_device and (rsc.needs_unfencing or
                                   (rsc.meta.get("provides") or "").lower() == "unfencing"):
            found.append(rsc)
    return found


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.schedule.fencing import fence_op  # noqa: E402
from pengine.schedule.ordering import order_actions  # noqa: E402
