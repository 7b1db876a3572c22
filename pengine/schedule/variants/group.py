"""Groups: members placed together and started in order (pcmk_sched_group.c)."""

from __future__ import annotations

from pengine.schedule import colocation as coloc
from pengine.status.actions import find_first_action, rsc_pseudo_action
from pengine.status.cluster import AF, Node, Rel, Resource, Scheduler
from pengine.schedule.locations import apply_location as _apply_location
from pengine.schedule.ordering import order_resource_actions
from pengine.common.scores import INFINITY

_FOLD = {"running": "start", "stopped": "stop", "demoted": "demote", "promoted": "promote"}


def _last_member(rsc: Resource) -> Resource | None:
    return rsc.children[-1] if rsc.children else None


def assign(sch: Scheduler, rsc: Resource, prefer: Node | None, stop_if_fail: bool) -> Node | None:
    from pengine.schedule.variants import assign_walk
    return assign_walk(sch, rsc, prefer, stop_if_fail)


def assign_steps(sch: Scheduler, rsc: Resource, prefer: Node | None, stop_if_fail: bool):
    """pcmk__group_assign as a generator: each member's assignment is yielded."""
    from pengine.schedule.score_log import show_node_scores
    if not rsc.unassigned:
        return rsc.assigned_node
    if rsc.assigning:
        return None
    if not rsc.children:
        rsc.unassigned = False
        return None
    rsc.assigning = True
    first = rsc.children[0]
    rsc.role = first.role
    show_node_scores(sch, rsc, "pcmk__group_assign")   # -s output (pengine.score_log)
    first_node = None
    for member in rsc.children:
        node = yield (member, prefer, stop_if_fail)
        if first_node is None:
            first_node = node
    rsc.next_role = first.next_role
    rsc.assigning = False
    rsc.unassigned = False
    if not rsc.group_colocated:
        return None
    return first_node


def create_actions(sch: Scheduler, rsc: Resource) -> None:
    from pengine.schedule.variants import methods
    for member in rsc.children:
        methods(member).create_actions(sch, member)
    rsc_pseudo_action(sch, rsc, "start", True, True)
    rsc_pseudo_action(sch, rsc, "running", True, True)
    rsc_pseudo_action(sch, rsc, "stop", True, True)
    rsc_pseudo_action(sch, rsc, "stopped", True, True)
    if (rsc.meta.get("promotable") or "").lower() in ("true", "on", "yes", "y", "1"):
        rsc_pseudo_action(sch, rsc, "demote", True, True)
        rsc_pseudo_action(sch, rsc, "demoted", True, True)
        rsc_pseudo_action(sch, rsc, "promote", True, True)
        rsc_pseudo_action(sch, rsc, "promoted", True, True)


def internal_constraints(sch: Scheduler, rsc: Resource) -> None:
    from pengine.schedule.variants import methods
    order_resource_actions(sch, rsc, "stop", rsc, "stopped", Rel.UNRUNNABLE_FIRST_BLOCKS)
    order_resource_actions(sch, rsc, "stopped", rsc, "start", Rel.ORDERED)
    order_resource_actions(sch, rsc, "start", rsc, "running", Rel.UNRUNNABLE_FIRST_BLOCKS)
    promotable = rsc.top().promotable
    ordered = rsc.group_ordered
    previous = last_active = None
    for member in rsc.children:
        # member_internal_constraints
        down_flags = Rel.THEN_IMPLIES_FIRST_GRAPHED     # stop vs stop, demote vs demote
        post_down_flags = Rel.FIRST_IMPLIES_THEN_GRAPHED  # stop vs stopped, demote vs demoted
        methods(member).internal_constraints(sch, member)
        if previous is None:
            if ordered:
                down_flags |= Rel.ORDERED
                post_down_flags = Rel.FIRST_IMPLIES_THEN
        elif rsc.group_colocated:
            coloc.new_colocation(sch, "#group-members", None, INFINITY, member, previous,
                                 None, None, False, member.critical)
        if promotable:
            order_resource_actions(sch, rsc, "demote", member, "demote", down_flags)
            order_resource_actions(sch, member, "demote", rsc, "demoted", post_down_flags)
            order_resource_actions(sch, member, "promote", rsc, "promoted",
                                   Rel.UNRUNNABLE_FIRST_BLOCKS | Rel.FIRST_IMPLIES_THEN
                                   | Rel.FIRST_IMPLIES_THEN_GRAPHED)
            order_resource_actions(sch, rsc, "promote", member, "promote",
                                   Rel.THEN_IMPLIES_FIRST_GRAPHED)
        order_resource_actions(sch, rsc, "stop", member, "stop", down_flags)
        order_resource_actions(sch, member, "stop", rsc, "stopped", post_down_flags)
        order_resource_actions(sch, rsc, "start", member, "start", Rel.THEN_IMPLIES_FIRST_GRAPHED)
        order_resource_actions(sch, member, "start", rsc, "running",
                               Rel.UNRUNNABLE_FIRST_BLOCKS | Rel.FIRST_IMPLIES_THEN
                               | Rel.FIRST_IMPLIES_THEN_GRAPHED)
        if not ordered:
            flags = Rel.FIRST_IMPLIES_THEN | Rel.UNRUNNABLE_FIRST_BLOCKS \
                | Rel.THEN_IMPLIES_FIRST_GRAPHED
            order_resource_actions(sch, rsc, "start", member, "start", flags)
            if promotable:
                order_resource_actions(sch, rsc, "promote", member, "promote", flags)
        elif previous is None:
            order_resource_actions(sch, rsc, "start", member, "start", Rel.NONE)
            if promotable:
                order_resource_actions(sch, rsc, "promote", member, "promote", Rel.NONE)
        else:
            order_resource_actions(sch, previous, "start", member, "start",
                                   Rel.FIRST_IMPLIES_THEN | Rel.UNRUNNABLE_FIRST_BLOCKS)
            order_resource_actions(sch, member, "stop", previous, "stop",
                                   Rel.ORDERED | Rel.INTERMEDIATE_STOP)
            # A member active while the (newly added) previous one is not:
            # the usual restart orderings don't apply, so stop before that start.
            if member.running_on and not previous.running_on:
                order_resource_actions(sch, member, "stop", previous, "start",
                                       Rel.THEN_IMPLIES_FIRST | Rel.UNRUNNABLE_FIRST_BLOCKS)
            if promotable:
                order_resource_actions(sch, previous, "promote", member, "promote",
                                       Rel.FIRST_IMPLIES_THEN | Rel.UNRUNNABLE_FIRST_BLOCKS)
                order_resource_actions(sch, member, "demote", previous, "demote", Rel.ORDERED)
        # Partially active groups shut down in sequence too.
        if member.running_on:
            if ordered and previous is not None and not previous.running_on \
                    and last_active is not None and last_active.running_on:
                order_resource_actions(sch, member, "stop", last_active, "stop", Rel.ORDERED)
            last_active = member
        previous = member


def apply_coloc_score(sch: Scheduler, dependent: Resource, primary: Resource, colocation,
                      for_dependent: bool) -> int:
    """pcmk__group_apply_coloc_score: returns what was added to the
    dependent's (promotion) priority."""
    from pengine.common.scores import add_scores
    from pengine.schedule.variants import methods
    if for_dependent:
        if not dependent.children:
            return 0
        delta = 0
        if dependent.group_colocated:
            # the first member; internal colocations take care of the rest
            member = dependent.children[0]
            delta = methods(member).apply_coloc_score(sch, member, primary, colocation,
                                                      True) or 0
        elif colocation.score >= INFINITY:
            return 0
        else:
            for member in dependent.children:
                member_delta = methods(member).apply_coloc_score(sch, member, primary,
                                                                 colocation, True) or 0
                delta = add_scores(delta, member_delta)
        if delta != 0:
            # a cloned group's promotion priority follows its members'
            dependent.priority = add_scores(delta, dependent.priority)
        return delta
    if primary.unassigned:
        return 0
    if primary.group_colocated:
        if colocation.score >= INFINITY:
            member = _last_member(primary)
        else:
            member = primary.children[0] if primary.children else None
        if member is None:
            return 0
        return methods(member).apply_coloc_score(sch, dependent, member, colocation,
                                                 False) or 0
    if colocation.score >= INFINITY:
        return 0
    delta = 0
    for member in primary.children:
        member_delta = methods(member).apply_coloc_score(sch, dependent, member, colocation,
                                                         False) or 0
        delta = add_scores(delta, member_delta)
    return delta


def with_this_colocations(rsc: Resource, orig: Resource, result: list) -> None:
    if not rsc.children:
        return
    if orig is not rsc and orig is not _last_member(rsc):
        return
    for colocation in rsc.with_this:
        coloc.add_with_this(result, colocation)
    if rsc.parent is not None:
        methods(rsc.parent).with_this_colocations(rsc.parent, orig, result)
    if not rsc.group_colocated:
        return
    for member in rsc.children:
        if member is not orig:
            methods(member).with_this_colocations(member, orig, result)


def this_with_colocations(rsc: Resource, orig: Resource, result: list) -> None:
    from pengine.schedule.variants import methods
    if not rsc.children:
        return
    if orig is rsc or orig is rsc.children[0]:
        for colocation in rsc.this_with:
            coloc.add_this_with(result, colocation)
        if rsc.parent is not None:
            methods(rsc.parent).this_with_colocations(rsc.parent, orig, result)
        if not rsc.group_colocated:
            return
        for member in rsc.children:
            if member is not orig:
                methods(member).this_with_colocations(member, orig, result)
        return
    for member in rsc.children:
        if member is orig:
            break
        if not member.managed:
            for colocation in rsc.this_with:
                if colocation.score == INFINITY:
                    coloc.add_this_with(result, colocation)
            break


def add_colocated_node_scores(sch, source, target, log_id, nodes, colocation, factor, flags):
    from pengine.schedule import colocation as coloc
    return coloc.add_colocated_node_scores(sch, source, target, log_id, nodes, colocation,
                                           factor, flags)


def colocated_scores_steps(sch, source, target, log_id, nodes, colocation, factor, flags):
    """A group's part of the walk in colocation.add_colocated_node_scores:
    it delegates to a member (yielding the call, receiving its result)."""
    if source.updating_nodes:
        return nodes
    source.updating_nodes = True
    if not source.children:
        return nodes
    member = _last_member(source) if nodes is None else source.children[0]
    result = yield (member, target, log_id, nodes, colocation, factor, flags)
    source.updating_nodes = False
    return result


def apply_location(rsc: Resource, location) -> None:
    from pengine.schedule.variants import methods
    original = location.nodes
    zeroed = [(node, 0) for node, _ in original]
    _apply_location(rsc, location)
    for index, member in enumerate(rsc.children):
        if rsc.group_colocated and index > 0:
            location.nodes = zeroed
        methods(member).apply_location(member, location)
    location.nodes = original


def action_flags(action, node) -> int:
    flags = AF.OPTIONAL | AF.RUNNABLE | AF.PSEUDO
    for member in action.rsc.children:
        task = _FOLD.get(action.task, action.task) if member.variant == "primitive" else action.task
        member_action = find_first_action(member.actions, None, task, node)
        if member_action is not None:
            member_flags = methods(member).action_flags(member_action, node)
            if (flags & AF.OPTIONAL) and not (member_flags & AF.OPTIONAL):
                flags &= ~AF.OPTIONAL
                action.clear(AF.OPTIONAL)
            if task != action.task and (flags & AF.RUNNABLE) and not (member_flags & AF.RUNNABLE):
                flags &= ~AF.RUNNABLE
                action.clear(AF.RUNNABLE)
        elif task not in ("stop", "demote"):
            flags &= ~AF.RUNNABLE
    return flags


def update_ordered_actions(sch, first, then, node, flags, filter_, type_) -> int:
    from pengine.schedule.variants import methods
    changed = generic(sch, first, then, node, flags, filter_, type_)
    for member in then.rsc.children:
        member_action = find_first_action(member.actions, None, then.task, node)
        if member_action is not None:
            changed |= methods(member).update_ordered_actions(sch, first, member_action, node,
                                                              flags, filter_, type_)
    return changed


def output_actions(sch, rsc, out) -> None:
    from pengine.schedule.variants import methods
    for member in rsc.children:
        methods(member).output_actions(sch, member, out)


def add_utilization(sch, rsc, orig, all_rscs, utilization) -> None:
    from pengine.schedule.variants import methods
    if not rsc.unassigned:
        return
    if rsc.group_colocated or (rsc.parent is not None and rsc.parent.variant == "clone"):
        for member in rsc.children:
            if member.unassigned and member not in all_rscs:
                methods(member).add_utilization(sch, member, orig, all_rscs, utilization)
    elif rsc.children:
        member = rsc.children[0]
        if member.unassigned and member not in all_rscs:
            methods(member).add_utilization(sch, member, orig, all_rscs, utilization)


def shutdown_lock(sch, rsc) -> None:
    from pengine.schedule.variants import methods
    for member in rsc.children:
        methods(member).shutdown_lock(sch, member)


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.schedule.update import update_ordered_actions as generic  # noqa: E402
from pengine.schedule.variants import methods  # noqa: E402
