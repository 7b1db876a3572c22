"""Pacemaker Remote and guest nodes: helpers and connection orderings (pcmk_sched_remote.c)."""

from __future__ import annotations

from pengine.status.cluster import Node, Resource, Scheduler


def node_attribute(node: Node, name: str, target: str | None, assigned: bool = True):
    """pcmk__node_attr: a node attribute, or its host's for target=host."""
    if node is None or name is None:
        return None
    if (target or "").lower() != "host" or not node.is_guest:
        return node.attrs.get(name)
    container = node.remote_rsc.launcher
    if assigned:
        host = container.assigned_node
    else:
        host = container.running_on[0] if container.running_on else None
    return host.attrs.get(name) if host is not None else None


def resource_contains_guest_node(sch: Scheduler, rsc: Resource) -> Resource | None:
    """pe__resource_contains_guest_node: the guest connection launched by rsc."""
    if rsc is not None and sch.have_remote_nodes and rsc.launched:
        for filler in rsc.launched:
            if filler.is_remote_connection:
                return filler
    return None


def guest_resource_containing(sch: Scheduler, rsc: Resource) -> Resource | None:
    return resource_contains_guest_node(sch, rsc)


def rsc_corresponds_to_guest(rsc: Resource, node: Node | None) -> bool:
    """pcmk__rsc_corresponds_to_guest: rsc is the launcher of guest node ``node``."""
    return impl(rsc, node)


def order_remote_connection_actions(sch: Scheduler) -> None:
    """Order actions on remote nodes relative to their connections."""
    from pengine.schedule.remote_orderings import order_remote_connection_actions as impl
    impl(sch)


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.schedule.remote_orderings import rsc_corresponds_to_guest as impl  # noqa: E402
