"""Clones: instances of one resource spread over the nodes (pcmk_sched_clone.c).

A clone is assigned by assigning its instances (``pengine.instances``); its
own actions are pseudo-actions (start, running, stop, stopped) that bracket
the instances' actions.  Promotable clones add promotion scores, roles and
promote/demote pseudo-actions (``pengine.promotable``); clones with
``notify=true`` get notification actions (``pengine.notifications``).
"""

from __future__ import annotations

from pengine.schedule import colocation as coloc
from pengine.schedule import instances as inst
from pengine.status.cluster import Node, Rel, Resource, Role, Scheduler
from pengine.schedule.locations import apply_location as _apply_location
from pengine.common.options import is_true
from pengine.schedule.ordering import order_resource_actions
from pengine.common.scores import INFINITY, add_scores

# probes.py and the bundle variant import these from here
find_compatible_instance = inst.find_compatible_instance


# ------------------------------------------------- colleagues' features --

def _promotable(name: str):
    """A function of pengine.promotable."""
    return getattr(_promotable_module, name, None)


def _notifications(name: str):
    return getattr(_notifications_module, name, None)


def _call_promotable(name: str, *args):
    fn = _promotable(name)
    return fn(*args) if fn is not None else None


def _call_notifications(name: str, *args):
    fn = _notifications(name)
    return fn(*args) if fn is not None else None


# ------------------------------------------------------------ assignment --

def assign(sch: Scheduler, rsc: Resource, prefer: Node | None, stop_if_fail: bool) -> Node | None:
    from pengine.schedule.variants import assign_walk
    return assign_walk(sch, rsc, prefer, stop_if_fail)


def assign_steps(sch: Scheduler, rsc: Resource, prefer: Node | None, stop_if_fail: bool):
    """pcmk__clone_assign: assign the instances; a clone itself has no node.
    A generator: the primaries' assignments are yielded."""
    from pengine.schedule.score_log import show_node_scores
    from pengine.schedule.variants import this_with_colocations, with_this_colocations
    if not rsc.unassigned:
        return None
    if rsc.assigning:
        return None  # assignment loop
    rsc.assigning = True
    if rsc.promotable:
        _call_promotable("add_promotion_scores", sch, rsc)
    # resources this clone is colocated with go first
    for colocation in this_with_colocations(rsc):
        primary = colocation.primary
        yield (primary, prefer, stop_if_fail)
    # then the preferences of resources colocated with it
    for colocation in with_this_colocations(rsc):
        coloc.add_dependent_scores(sch, colocation, rsc)
    show_node_scores(sch, rsc, "pcmk__clone_assign")   # -s output (pengine.score_log)
    inst.sort_instances(sch, rsc.children)
    inst.assign_instances(sch, rsc, rsc.children, rsc.clone_max, rsc.clone_node_max)
    if rsc.promotable:
        _call_promotable("set_instance_roles", sch, rsc)
    if rsc.parent is None:
        # Pacemaker goes on with the instances in number order, whatever order
        # assignment and promotion took them in (its actions, summary and graph
        # all follow instance numbers); a bundle's clone keeps its order
        inst.sort_by_number(rsc.children)
    rsc.unassigned = False
    rsc.assigning = False
    return None


# --------------------------------------------------------------- actions --

def create_actions(sch: Scheduler, rsc: Resource) -> None:
    """pcmk__clone_create_actions."""
    start, started, stop, stopped = inst.create_instance_actions(sch, rsc, rsc.children)
    _call_notifications("create_clone_notif_pseudo_ops", sch, rsc, start, started, stop, stopped)
    if rsc.promotable:
        _call_promotable("create_promotable_actions", sch, rsc)


def internal_constraints(sch: Scheduler, rsc: Resource) -> None:
    """pcmk__clone_internal_constraints."""
    from pengine.schedule.variants import methods
    order_resource_actions(sch, rsc, "stopped", rsc, "start", Rel.ORDERED)
    order_resource_actions(sch, rsc, "start", rsc, "running", Rel.UNRUNNABLE_FIRST_BLOCKS)
    order_resource_actions(sch, rsc, "stop", rsc, "stopped", Rel.UNRUNNABLE_FIRST_BLOCKS)
    if rsc.promotable:
        order_resource_actions(sch, rsc, "demoted", rsc, "stop", Rel.ORDERED)
        order_resource_actions(sch, rsc, "running", rsc, "promote", Rel.UNRUNNABLE_FIRST_BLOCKS)
    ordered = rsc.clone_ordered
    if ordered:
        # instances start and stop by number; assignment may have shuffled them
        inst.sort_by_number(rsc.children)
    for index, instance in enumerate(rsc.children):
        methods(instance).internal_constraints(sch, instance)
        order_resource_actions(sch, rsc, "start", instance, "start",
                               Rel.UNRUNNABLE_FIRST_BLOCKS | Rel.THEN_IMPLIES_FIRST_GRAPHED)
        order_resource_actions(sch, instance, "start", rsc, "running",
                               Rel.FIRST_IMPLIES_THEN_GRAPHED)
        order_resource_actions(sch, rsc, "stop", instance, "stop",
                               Rel.THEN_IMPLIES_FIRST_GRAPHED)
        order_resource_actions(sch, instance, "stop", rsc, "stopped",
                               Rel.FIRST_IMPLIES_THEN_GRAPHED)
        if ordered:
            for later in rsc.children[index + 1:]:
                order_resource_actions(sch, instance, "start", later, "start", Rel.ORDERED)
                order_resource_actions(sch, later, "stop", instance, "stop", Rel.ORDERED)
    if rsc.promotable:
        _call_promotable("order_promotable_instances", sch, rsc)


# ---------------------------------------------------------- colocations --

def _max_per_node(rsc: Resource) -> int:
    """The max_per_node method of the resource variants."""
    if rsc.variant == "clone":
        return rsc.clone_node_max
    if rsc.variant == "bundle":
        from pengine.schedule.variants import bundle
        return bundle.max_per_node(rsc)
    return 1


def _can_interleave(sch: Scheduler, colocation) -> bool:
    primary = colocation.primary
    dependent = colocation.dependent
    # only colocations between clones or bundles interleave, as the dependent says
    if dependent.variant in ("primitive", "group"):
        return False
    if not is_true(dependent.meta.get("interleave")):
        return False
    if _max_per_node(dependent) != _max_per_node(primary):
        sch.warnings.append(f"Cannot interleave {dependent.id} and {primary.id} because they "
                            "do not support the same number of instances per node")
        return False
    return True


def apply_coloc_score(sch: Scheduler, dependent: Resource, primary: Resource, colocation,
                      for_dependent: bool) -> int:
    """pcmk__clone_apply_coloc_score: the clone is the primary, ``dependent``
    one of the dependent's primitives; returns the priority delta."""
    from pengine.schedule.assign import assign_resource
    from pengine.schedule.variants import location, methods
    if for_dependent:
        return 0  # never called so: a clone's colocations go to its instances
    if primary.unassigned:
        return 0  # delayed until the clone is assigned
    if primary.promotable and colocation.primary_role != Role.UNKNOWN:
        if dependent.unassigned:
            _call_promotable("update_dependent_with_promotable", sch, primary, dependent,
                             colocation)
            return 0
        if colocation.dependent_role == Role.PROMOTED:
            delta = _call_promotable("update_promotable_dependent_priority", sch, primary,
                                     dependent, colocation)
            return delta or 0
    if _can_interleave(sch, colocation):
        primary_instance = inst.find_compatible_instance(dependent, primary, Role.UNKNOWN,
                                                         False, sch)
        if primary_instance is not None:
            return methods(dependent).apply_coloc_score(sch, dependent, primary_instance,
                                                        colocation, True) or 0
        if colocation.score >= INFINITY:
            # cannot interleave with any instance of the primary
            assign_resource(sch, dependent, None, True, True)
        return 0
    if colocation.score >= INFINITY:
        # the dependent can run only where the primary will have unblocked instances
        primary_nodes = []
        for instance in primary.children:
            chosen = location(instance, current=False, assigned=True)
            if chosen is not None and not inst.is_set_recursive(instance, "blocked"):
                primary_nodes.insert(0, chosen)
        _intersect_nodes(dependent, primary_nodes)
        return 0
    priority_delta = 0
    for instance in primary.children:
        delta = methods(instance).apply_coloc_score(sch, dependent, instance, colocation, False)
        priority_delta = add_scores(priority_delta, delta or 0)
    return priority_delta


def _intersect_nodes(dependent: Resource, primary_nodes: list[Node]) -> None:
    """pcmk__colocation_intersect_nodes(merge_scores=false): ban the dependent
    from every node where the primary has no instance."""
    wanted = {node.id for node in primary_nodes}
    for weight in dependent.allowed.values():
        if weight.node.id not in wanted:
            weight.score = -INFINITY


def _add_list(result: list, addition: list, this_with: bool) -> None:
    """pcmk__add_this_with_list / pcmk__add_with_this_list.

    Pacemaker 3.0 copies ``addition`` into an empty list, but into a
    non-empty one it inserts ``addition``'s first element once per element.
    """
    if not result:
        result.extend(addition)
        return
    add = coloc.add_this_with if this_with else coloc.add_with_this
    for _ in addition:
        add(result, addition[0])


def with_this_colocations(rsc: Resource, orig: Resource, result: list) -> None:
    from pengine.schedule.variants import methods
    _add_list(result, rsc.with_this, this_with=False)
    if rsc.parent is not None:
        methods(rsc.parent).with_this_colocations(rsc.parent, orig, result)


def this_with_colocations(rsc: Resource, orig: Resource, result: list) -> None:
    _add_list(result, rsc.this_with, this_with=True)
    if rsc.parent is not None:
        methods(rsc.parent).this_with_colocations(rsc.parent, orig, result)


def add_colocated_node_scores(sch, source, target, log_id, nodes, colocation, factor, flags):
    return coloc.add_colocated_node_scores(sch, source, target, log_id, nodes, colocation,
                                           factor, flags)


# ------------------------------------------------------------- locations --

def apply_location(rsc: Resource, location) -> None:
    from pengine.schedule.variants import methods
    _apply_location(rsc, location)
    for instance in rsc.children:
        methods(instance).apply_location(instance, location)


# ------------------------------------------------------- action handling --

def action_flags(action, node) -> int:
    return inst.collective_action_flags(action, action.rsc.children, node)


def update_ordered_actions(sch, first, then, node, flags, filter_, type_) -> int:
    return inst.instance_update_ordered_actions(sch, first, then, node, flags, filter_, type_)


def output_actions(sch, rsc, out) -> None:
    from pengine.schedule.variants import methods
    for instance in rsc.children:
        methods(instance).output_actions(sch, instance, out)


def before_graph(sch: Scheduler, rsc: Resource) -> None:
    """First half of pcmk__clone_add_actions_to_graph: settle the clone's own
    action flags from its instances, then create notifications."""
    for action in reversed(rsc.actions):
        action_flags(action, None)
    _call_notifications("create_clone_notifications", sch, rsc)


def after_graph(sch: Scheduler, rsc: Resource) -> None:
    _call_notifications("free_clone_notification_data", sch, rsc)


# ------------------------------------------------------------------ misc --

def add_utilization(sch, rsc, orig, all_rscs, utilization) -> None:
    """pcmk__clone_add_utilization."""
    from pengine.schedule.variants import methods
    if not rsc.unassigned:
        return
    existing = False
    for child in rsc.children:
        if child in all_rscs:
            existing = True
            continue
        for member in child.children:
            if member in all_rscs:
                # the instance's utilization, not the member's
                methods(child).add_utilization(sch, child, orig, all_rscs, utilization)
                existing = True
                break
    if not existing and rsc.children:
        child = rsc.children[0]
        methods(child).add_utilization(sch, child, orig, all_rscs, utilization)


def shutdown_lock(sch, rsc) -> None:
    return None  # clones do not support shutdown locks


# ---------------------------------------------------------------- probes --

def _probed_on(rsc: Resource, node: Node) -> bool:
    if rsc.children:
        return any(_probed_on(child, node) for child in rsc.children)
    return node.id in rsc.probed_nodes


def _probe_anonymous_clone(sch: Scheduler, clone: Resource, node: Node) -> bool:
    from pengine.schedule.probes import probe_resource_list
    from pengine.schedule.variants import location
    # an instance already probed there, else one that will run there, else the first
    child = None
    for instance in clone.children:
        if _probed_on(instance, node):
            child = instance
            break
    if child is None:
        for instance in clone.children:
            if location(instance, current=False, assigned=True) is node:
                child = instance
                break
    if child is None:
        inst.sort_by_number(clone.children)
        child = clone.children[0]
    return probe_resource_list(sch, [child], node)


def create_probe(sch: Scheduler, rsc: Resource, node: Node) -> bool:
    """pcmk__clone_create_probe."""
    from pengine.schedule.probes import probe_resource_list
    if rsc.exclusive_discover:
        allowed = rsc.allowed.get(node.id)
        if allowed is None or allowed.discover != "exclusive":
            # keep notifications to the nodes the clone can run on
            rsc.allowed.pop(node.id, None)
            return False
    if rsc.unique:
        return probe_resource_list(sch, rsc.children, node)
    return _probe_anonymous_clone(sch, rsc, node)


# Imported here rather than in the functions that use them (a function-level
# import costs about 2 us a call), after every definition so that the import
# cycles between the modules resolve.
from pengine.schedule import (notifications as _notifications_module,  # noqa: E402
                              promotable as _promotable_module)
from pengine.schedule.variants import methods  # noqa: E402
