"""Where a resource is active now: the node it counts as active on, and on how many nodes
(pe__find_active_on and pe__count_active_node in Pacemaker's lib/pengine)."""

from __future__ import annotations

from pengine.status.cluster import Node, Resource


def active_node(rsc: Resource, count: bool = False):
    """The shared active_node method: (node, active count, clean count)."""
    active = None
    count_all = count_clean = 0
    for node in rsc.running_on:
        count_all += 1
        count_clean += node.online and not node.unclean
        active, keep_looking = count_active_node(rsc, node, active, count)
        if not keep_looking:
            break
    return active, count_all, count_clean


def count_active_node(rsc: Resource, node: Node, active: Node | None, count: bool):
    """pe__count_active_node: the active node so far once ``node`` is seen,
    and whether to keep looking (always, when counting)."""
    keep_looking = count
    if rsc.partial_migration_source is not None:
        if node is rsc.partial_migration_source:
            active = node
        else:
            keep_looking = True
    elif not rsc.needs_fencing:
        happy = node.online and not node.unclean
        if happy and (active is None or not active.online or active.unclean):
            active = node
        else:
            keep_looking = True
    return (node if active is None else active), keep_looking
