"""Placement strategies utilization, minimal and balanced (Pacemaker 3.0).

With ``placement-strategy`` other than ``default`` Pacemaker changes three
things, all ported here:

* resources are assigned in a different order (``pcmk__sort_resources`` /
  ``cmp_resources`` in pcmk_sched_resource.c): priority, then the score on
  the current node, then the scores on each node in node-preference order;
* before a primitive is assigned, nodes without enough remaining capacity for
  it (and for the unassigned resources that must be colocated with it) are
  banned (``pcmk__ban_insufficient_capacity``, pcmk_sched_utilization.c);
* ``load_stopped_<node>`` pseudo-actions order every stop on a node before
  starts there (``pcmk__create_utilization_constraints``).

The node comparison itself (``balanced`` prefers the node with more free
capacity, ``minimal`` ignores the number of assigned resources) lives with
the other node ordering rules in `pengine.assign`.
"""

from __future__ import annotations


from pengine.status.cluster import AF, NodeWeight, Rel, Resource, Scheduler, op_key
from pengine.common.scores import INFINITY
from pengine.schedule.utilization import compare_node_capacities, utilization_value

# --------------------------------------------------------- resource order --


def sort_resources(sch: Scheduler) -> None:
    """pcmk__sort_resources: reorder ``sch.resources`` for assignment (stable)."""
    from pengine.schedule.assign import sort_nodes
    nodes = [weight.node for weight in
             sort_nodes(sch, [NodeWeight(node, node.score) for node in sch.nodes], None,
                        listed=True)]
    keys = {id(rsc): _assignment_key(sch, rsc, nodes) for rsc in sch.resources}
    sch.resources.sort(key=lambda rsc: keys[id(rsc)])


def _assignment_key(sch: Scheduler, rsc: Resource, nodes: list) -> tuple:
    """cmp_resources as a sort key: it compares these fields lexicographically,
    each in descending order."""
    from pengine.schedule.colocation import SELECT_THIS_WITH
    from pengine.schedule.variants import methods
    scores = methods(rsc).add_colocated_node_scores(sch, rsc, None, rsc.id, None, None, 1.0,
                                                    SELECT_THIS_WITH) or {}
    current = rsc.current_node if rsc.running_on else None
    return (-rsc.priority, -_node_score(current, scores),
            *(-_node_score(node, scores) for node in nodes))


def _node_score(node, scores: dict) -> int:
    if node is None:
        return -INFINITY
    weight = scores.get(node.id)
    return -INFINITY if weight is None else weight.score


# ------------------------------------------------------ capacity checks --

def colocated_resources(rsc: Resource, orig: Resource | None = None,
                        found: list | None = None) -> list:
    """The colocated_resources method: ``rsc`` and everything that must
    run with it through mandatory colocations (most recently found first)."""
    found = [] if found is None else found
    if rsc.variant == "group":
        return _group_colocated_resources(rsc, orig, found)
    return _colocated_resources(rsc, orig, found)


def _colocated_resources(rsc: Resource, orig: Resource | None, found: list) -> list:
    """pcmk__colocated_resources."""
    from pengine.schedule.colocation import AFFECTS_LOCATION, colocation_affects
    from pengine.schedule.variants import this_with_colocations, with_this_colocations
    if orig is None:
        orig = rsc
    if rsc is None or any(other is rsc for other in found):
        return found
    found.insert(0, rsc)
    for colocation in this_with_colocations(rsc):
        primary = colocation.primary
        if primary is orig:
            continue  # break the loop
        if colocation.score == INFINITY and colocation_affects(
                rsc, primary, colocation, True) == AFFECTS_LOCATION:
            found = colocated_resources(primary, orig, found)
    for colocation in with_this_colocations(rsc):
        dependent = colocation.dependent
        if dependent is orig:
            continue
        if rsc.variant == "clone" and dependent.variant != "clone":
            continue  # whether the dependent follows an instance is unknown
        if colocation.score == INFINITY and colocation_affects(
                dependent, rsc, colocation, True) == AFFECTS_LOCATION:
            found = colocated_resources(dependent, orig, found)
    return found


def _group_colocated_resources(rsc: Resource, orig: Resource | None, found: list) -> list:
    """pcmk__group_colocated_resources."""
    if orig is None:
        orig = rsc
    if rsc.group_colocated or (rsc.parent is not None and rsc.parent.variant == "clone"):
        # every member; the first and last carry the group's own colocations
        found.insert(0, rsc)
        for member in rsc.children:
            found = colocated_resources(member, orig, found)
    elif rsc.children:
        found = _colocated_resources(rsc, orig, found)
    return found


def _sum_utilization(sch: Scheduler, orig: Resource, rscs: list) -> dict:
    from pengine.schedule.variants import methods
    total: dict[str, str] = {}
    for rsc in rscs:
        methods(rsc).add_utilization(sch, rsc, orig, rscs, total)
    return total


def have_enough_capacity(node, required: dict) -> bool:
    """Every required attribute fits in the node's remaining capacity."""
    return all(utilization_value(value) <= utilization_value(node.utilization.get(key))
               for key, value in required.items())


def _available(weight: NodeWeight) -> bool:
    """pcmk__node_available(node, consider_score=true, consider_guest=false)."""
    return weight.node.available() and weight.score >= 0


def ban_insufficient_capacity(sch: Scheduler, rsc: Resource):
    """pcmk__ban_insufficient_capacity: ban ``rsc`` from nodes without room.

    If some node has room for ``rsc`` and all the unassigned resources
    colocated with it, nodes without that room are banned; otherwise nodes
    without room for ``rsc`` alone are, and the node with the most free
    capacity is returned (the assignment then prefers it).
    """
    from pengine.status.unpack_resources import resource_location
    colocated = colocated_resources(rsc)
    if not colocated:
        return None
    if not any(other is rsc for other in colocated):
        colocated.append(rsc)
    unassigned = _sum_utilization(sch, rsc, colocated)

    any_capable = False
    most_capable = None
    # the first of equally free nodes wins: visit them as Pacemaker's
    # allowed-node hash table does (keyed by node id)
    from pengine.common.ghash import iteration_order
    for node_id in iteration_order(rsc.allowed):
        weight = rsc.allowed[node_id]
        if not _available(weight):
            continue
        if have_enough_capacity(weight.node, unassigned):
            any_capable = True
        if most_capable is None or compare_node_capacities(weight.node, most_capable) < 0:
            most_capable = weight.node

    required = unassigned if any_capable else rsc.utilization
    for weight in list(rsc.allowed.values()):
        if _available(weight) and not have_enough_capacity(weight.node, required):
            resource_location(sch, rsc, weight.node, -INFINITY, "__limit_utilization__")
    return None if any_capable else most_capable


# -------------------------------------------------------------- ordering --

def _load_stopped(sch: Scheduler, node):
    """new_load_stopped_op: the node's ``load_stopped_<node>`` pseudo-action."""
    from pengine.status.actions import pseudo_op
    action = pseudo_op(sch, f"load_stopped_{node.name}")
    if action.node is None:
        action.node = node
        action.clear(AF.OPTIONAL)
    return action


def create_utilization_constraints(sch: Scheduler, rsc: Resource, allowed: list) -> None:
    """pcmk__create_utilization_constraints: stops on a node come before the
    starts (and migrations) that need the capacity they free."""
    from pengine.schedule.ordering import new_ordering
    for node in rsc.running_on:
        new_ordering(sch, rsc, op_key(rsc.id, "stop", 0), None, None, None,
                     _load_stopped(sch, node), Rel.IF_ON_SAME_NODE_OR_TARGET)
    for weight in allowed:
        load_stopped = _load_stopped(sch, weight.node)
        new_ordering(sch, None, None, load_stopped, rsc, op_key(rsc.id, "start", 0), None,
                     Rel.IF_ON_SAME_NODE_OR_TARGET)
        new_ordering(sch, None, None, load_stopped, rsc, op_key(rsc.id, "migrate_to", 0),
                     None, Rel.IF_ON_SAME_NODE_OR_TARGET)
