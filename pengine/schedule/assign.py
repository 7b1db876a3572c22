"""Assigning resources to nodes: node ordering and the assignment record.

Pacemaker's default placement is greedy: resources in priority order, each
to its best-scored available node, ties broken by fewer assigned resources,
then the preferred (current) node, then node name.  ``sort_nodes`` is that
order; ``assign_resource`` records a choice.
"""

from __future__ import annotations

import functools

from pengine.status.cluster import AF, Node, NodeWeight, Resource, Role, Scheduler
from pengine.common.scores import INFINITY
from pengine.status.assignment import unassign_resource


def _compare(sch: Scheduler, a: NodeWeight, b: NodeWeight, preferred: Node | None) -> int:
    score_a = a.score if a.node.available() else -INFINITY
    score_b = b.score if b.node.available() else -INFINITY
    if score_a > score_b:
        return -1
    if score_a < score_b:
        return 1
    strategy = sch.placement_strategy
    if strategy != "minimal":
        if strategy == "balanced":
            from pengine.schedule.utilization import compare_node_capacities
            result = compare_node_capacities(a.node, b.node)
            if result < 0:
                return -1
            if result > 0:
                return 1
        if a.node.num_resources < b.node.num_resources:
            return -1
        if a.node.num_resources > b.node.num_resources:
            return 1
        if preferred is not None:
            if preferred is a.node:
                return -1
            if preferred is b.node:
                return 1
    return (a.node.name > b.node.name) - (a.node.name < b.node.name)


def sort_nodes(sch: Scheduler, weights, preferred: Node | None = None, *,
               listed: bool = False) -> list[NodeWeight]:
    """Allowed nodes, best first (pcmk__sort_nodes).  ``weights`` are a
    resource's allowed-node table's, unless ``listed`` (the scheduler's node list)."""
    def compare(a, b):
        return _compare(sch, a, b, preferred)
    if getattr(sch, "placement_strategy", None) == "balanced":
        # capacities compared attribute by attribute are no total order (a
        # node may beat one that beats a third that beats it): the outcome
        # is then the sort's own, GLib's merge sort over the order Pacemaker
        # hands it, g_hash_table_get_values (the table's order, reversed)
        weights = list(weights)
        return glib_list_sort(weights if listed else _table_values_order(weights), compare)
    ordered = sorted(weights, key=functools.cmp_to_key(compare))
    observer = getattr(sch, "assign_observer", None)
    if observer is not None:
        observer.sorted(ordered)
    return ordered


def _table_values_order(weights: list[NodeWeight]) -> list[NodeWeight]:
    from pengine.common.ghash import iteration_order
    by_id = {weight.node.id: weight for weight in weights}
    return [by_id[key] for key in reversed(iteration_order(list(by_id)))]


def glib_list_sort(items: list, compare) -> list:
    """g_list_sort: a merge sort whose first half is the list up to the node
    a slow pointer reaches while a fast one runs off the end."""
    if len(items) <= 1:
        return list(items)
    slow, fast = 0, 1
    while True:
        fast += 1
        if fast >= len(items):
            break
        fast += 1
        if fast >= len(items):
            break
        slow += 1
    left = glib_list_sort(items[:slow + 1], compare)
    right = glib_list_sort(items[slow + 1:], compare)
    merged = []
    i = j = 0
    while i < len(left) and j < len(right):
        if compare(left[i], right[j]) <= 0:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            j += 1
    return merged + left[i:] + right[j:]


def assign_resource(sch: Scheduler, rsc: Resource, chosen: Node | None, force: bool,
                    stop_if_fail: bool) -> bool:
    """pcmk__assign_resource: record ``chosen`` (or nothing) for ``rsc``."""
    changed = False
    if rsc.children:
        for child in rsc.children:
            changed = assign_resource(sch, child, chosen, force, stop_if_fail) or changed
        return changed
    if not force and chosen is not None:
        weight = rsc.allowed.get(chosen.id)
        score = weight.score if weight is not None else chosen.score
        usable = chosen.is_guest or chosen.available()
        # Pacemaker 3.0.2 refuses any negative score here (later versions
        # only refuse bans); the corpus follows 3.0.2.
        if score < 0 or not usable:
            if stop_if_fail:
                rsc.next_role = Role.STOPPED
            chosen = None
    changed = rsc.assigned_node is not chosen
    unassign_resource(rsc)
    rsc.unassigned = False
    if chosen is None:
        if not stop_if_fail:
            return changed
        rsc.next_role = Role.STOPPED
        for action in rsc.actions:
            if action.task == "stop":
                action.clear(AF.OPTIONAL)
            elif action.task == "start":
                action.clear(AF.RUNNABLE)
            else:
                interval = action.meta.get("interval")
                target_rc = action.meta.get("op_target_rc")
                if interval not in (None, "0") and target_rc != "7":
                    action.clear(AF.RUNNABLE)
        return changed
    rsc.assigned_node = chosen
    chosen.assigned.insert(0, rsc)
    chosen.num_resources += 1
    weight = rsc.allowed.get(chosen.id)
    if weight is not None:
        weight.count += 1
    # a forced choice (unmanaged: the current node) is the node itself, else
    # the resource's allowed-node entry
    rsc.assigned_score = chosen.score if force or weight is None else weight.score
    from pengine.schedule.utilization import consume_node_capacity
    consume_node_capacity(chosen.utilization, rsc)
    if sch.record_utilization:
        from pengine.schedule.utilization import show_resource_utilization
        show_resource_utilization(sch, rsc, chosen)
    return changed
