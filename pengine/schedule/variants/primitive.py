"""Primitive resources: assignment, actions and implicit constraints (pcmk_sched_primitive.c)."""

from __future__ import annotations

from pengine.schedule import colocation as coloc
from pengine.common import journal
from pengine.status.actions import (demote_action, promote_action, resource_actions, set_reason,
                                    start_action, stop_action)
from pengine.schedule.assign import assign_resource, sort_nodes
from pengine.common.names import name_key
from pengine.status.cluster import AF, Node, NoQuorum, Rel, Resource, Role, Scheduler, op_key
from pengine.schedule.locations import apply_location as _apply_location
from pengine.schedule.ordering import new_ordering, order_resource_actions
from pengine.common.scores import INFINITY

R = Role
# immediate next role from current role towards a target role
STATE_MATRIX = {
    R.UNKNOWN: {R.UNKNOWN: R.UNKNOWN, R.STOPPED: R.STOPPED, R.STARTED: R.STOPPED,
                R.UNPROMOTED: R.STOPPED, R.PROMOTED: R.STOPPED},
    R.STOPPED: {R.UNKNOWN: R.STOPPED, R.STOPPED: R.STOPPED, R.STARTED: R.STARTED,
                R.UNPROMOTED: R.UNPROMOTED, R.PROMOTED: R.UNPROMOTED},
    R.STARTED: {R.UNKNOWN: R.STOPPED, R.STOPPED: R.STOPPED, R.STARTED: R.STARTED,
                R.UNPROMOTED: R.UNPROMOTED, R.PROMOTED: R.PROMOTED},
    R.UNPROMOTED: {R.UNKNOWN: R.STOPPED, R.STOPPED: R.STOPPED, R.STARTED: R.STOPPED,
                   R.UNPROMOTED: R.UNPROMOTED, R.PROMOTED: R.PROMOTED},
    R.PROMOTED: {R.UNKNOWN: R.STOPPED, R.STOPPED: R.UNPROMOTED, R.STARTED: R.UNPROMOTED,
                 R.UNPROMOTED: R.UNPROMOTED, R.PROMOTED: R.PROMOTED},
}


def _transition_fn(current: Role, nxt: Role):
    table = {
        R.UNKNOWN: {R.STOPPED: _stop},
        R.STOPPED: {R.STARTED: _start, R.UNPROMOTED: _start},
        R.STARTED: {R.STOPPED: _stop, R.PROMOTED: _promote},
        R.UNPROMOTED: {R.STOPPED: _stop, R.STARTED: _stop, R.PROMOTED: _promote},
        R.PROMOTED: {R.STOPPED: _demote, R.STARTED: _demote, R.UNPROMOTED: _demote},
    }
    if current == nxt:
        return None
    fn = table.get(current, {}).get(nxt)
    if fn is None and not (current == R.STARTED and nxt == R.UNPROMOTED):
        raise AssertionError(f"no transition from {current} to {nxt}")
    return fn


# ------------------------------------------------------------ assignment --

def _assign_best_node(sch: Scheduler, rsc: Resource, prefer: Node | None, stop_if_fail: bool) -> bool:
    from pengine.schedule.utilization import ban_insufficient_capacity
    before = journal.snapshot(rsc)
    most_free = ban_insufficient_capacity(sch, rsc)
    if before is not None:
        journal.note_table(rsc, before, "utilization", "not enough capacity left")
    if prefer is None:
        prefer = most_free
    if not rsc.unassigned:
        return rsc.assigned_node is not None
    nodes = sort_nodes(sch, rsc.allowed.values(), current_node(rsc)) if rsc.allowed else []
    best = nodes[0] if nodes else None
    chosen = None
    if prefer is not None and nodes:
        chosen = rsc.allowed.get(prefer.id)
        if chosen is None:
            pass
        elif chosen.score < best.score:
            chosen = None
        elif not (chosen.node.available() and chosen.score > -INFINITY):
            chosen = None
    if chosen is None and best is not None:
        chosen = best
        parent = rsc.parent
        unique_clone = parent is not None and parent.variant == "clone" and parent.unique
        if not unique_clone and chosen.node.available() and chosen.score > 0:
            running = current_node(rsc)
            if running is not None and running.available() and running.score > -INFINITY:
                for other in nodes[1:]:
                    if other.score != chosen.score:
                        break
                    if other.node is running:
                        chosen = other
    assign_resource(sch, rsc, chosen.node if chosen is not None else None, False, stop_if_fail)
    return rsc.assigned_node is not None


def _apply_this_with_steps(sch: Scheduler, colocation, rsc: Resource):
    """The primary is assigned first: a call yielded to the assignment walk
    (pengine.schedule.variants.assign_walk)."""
    from pengine.schedule.variants import methods
    archive = None
    other = colocation.primary
    if colocation.dependent_role >= Role.PROMOTED or (-INFINITY < colocation.score < 0):
        from pengine.status.cluster import copy_table
        archive = copy_table(rsc.allowed)
    if other.unassigned:
        yield (other, None, True)
    methods(rsc).apply_coloc_score(sch, rsc, other, colocation, True)
    if archive is not None and not coloc.any_node_available(rsc.allowed):
        rsc.allowed = archive


def _remote_connection_assigned(sch: Scheduler, connection: Resource) -> None:
    node = sch.find_node(connection.id)
    if node is None:
        return
    if connection.assigned_node is not None and connection.next_role != Role.STOPPED:
        node.online = True
        if not node.seen:
            node.unclean = False
    else:
        node.shutdown = True


def assign(sch: Scheduler, rsc: Resource, prefer: Node | None, stop_if_fail: bool) -> Node | None:
    from pengine.schedule.variants import assign_walk
    return assign_walk(sch, rsc, prefer, stop_if_fail)


def assign_steps(sch: Scheduler, rsc: Resource, prefer: Node | None, stop_if_fail: bool):
    """pcmk__primitive_assign as a generator: each assignment it needs first
    (the parent's, a primary's) is yielded as (resource, prefer, stop_if_fail)."""
    from pengine.schedule.variants import this_with_colocations, with_this_colocations
    if rsc.parent is not None and not rsc.parent.assigning:
        yield (rsc.parent, prefer, stop_if_fail)
    if not rsc.unassigned:
        return rsc.assigned_node
    if rsc.assigning:
        return None
    rsc.assigning = True
    this_with = this_with_colocations(rsc)
    with_this = with_this_colocations(rsc)
    def with_primary(colocation):
        before = journal.snapshot(rsc)
        yield from _apply_this_with_steps(sch, colocation, rsc)
        if before is not None:
            journal.note_table(rsc, before, "colocation",
                               f"{colocation.id} (with {colocation.primary.id})")

    def with_dependent(colocation):
        before = journal.snapshot(rsc)
        coloc.add_dependent_scores(sch, colocation, rsc)
        if before is not None:
            journal.note_table(rsc, before, "colocation",
                               f"{colocation.id} ({colocation.dependent.id} with this)")

    # Mandatory colocations first, to satisfy as many as possible.
    for colocation in this_with:
        if colocation.score <= -INFINITY or colocation.score >= INFINITY:
            yield from with_primary(colocation)
    for colocation in with_this:
        if colocation.score <= -INFINITY or colocation.score >= INFINITY:
            with_dependent(colocation)
    for colocation in this_with:
        if -INFINITY < colocation.score < INFINITY:
            yield from with_primary(colocation)
    for colocation in with_this:
        if -INFINITY < colocation.score < INFINITY:
            with_dependent(colocation)
    if rsc.next_role == Role.STOPPED:
        resource_location(sch, rsc, None, -INFINITY, "target-role")
    elif rsc.next_role > rsc.role and not sch.quorate and sch.no_quorum_policy == NoQuorum.FREEZE:
        rsc.next_role = rsc.role
    show_node_scores(sch, rsc, "pcmk__primitive_assign")   # -s output (pengine.score_log)
    if sch.fencing_enabled and not sch.have_fencing:
        rsc.managed = False
    if not rsc.managed:
        rsc.next_role = rsc.role
        assign_resource(sch, rsc, current_node(rsc), True, stop_if_fail)
    elif sch.stop_all:
        assign_resource(sch, rsc, None, True, stop_if_fail)
    else:
        _assign_best_node(sch, rsc, prefer, stop_if_fail)
    rsc.assigning = False
    if rsc.is_remote_connection:
        _remote_connection_assigned(sch, rsc)
    return rsc.assigned_node


# --------------------------------------------------------------- actions --

def _stop(sch: Scheduler, rsc: Resource, node: Node | None, optional: bool) -> None:
    for current in list(rsc.running_on):
        if _is_expected_node(rsc, current):
            continue
        if rsc.partial_migration_target is not None:
            if current is rsc.partial_migration_target and current is rsc.assigned_node:
                continue
            optional = False
        stop = stop_action(sch, rsc, current, optional)
        if rsc.assigned_node is None:
            set_reason(stop, "node availability", True)
        elif rsc.restarting and rsc.stop_unexpected:
            set_reason(stop, "being multiply active", True)
        if not rsc.managed:
            stop.clear(AF.RUNNABLE)
        if sch.remove_after_stop:
            schedule_cleanup(sch, rsc, current, optional)
        if rsc.needs_unfencing:
            from pengine.status.fencing import fence_op
            from pengine.schedule.ordering import order_actions
            unfence = fence_op(sch, current, "on", True, None, False)
            order_actions(stop, unfence, Rel.THEN_IMPLIES_FIRST)


def _start(sch: Scheduler, rsc: Resource, node: Node | None, optional: bool) -> None:
    from pengine.schedule.unfencing import order_vs_unfence
    start = start_action(sch, rsc, node, True)
    order_vs_unfence(sch, rsc, node, start, Rel.FIRST_IMPLIES_THEN)
    if start.runnable and not optional:
        start.clear(AF.OPTIONAL)
    if _is_expected_node(rsc, node):
        start.set(AF.PSEUDO)


def _promote(sch: Scheduler, rsc: Resource, node: Node | None, optional: bool) -> None:
    runnable = all(a.runnable for a in resource_actions(rsc, node, "start", True))
    if runnable:
        promote = promote_action(sch, rsc, node, optional)
        if _is_expected_node(rsc, node):
            promote.set(AF.PSEUDO)
    else:
        for promote in resource_actions(rsc, node, "promote", True):
            promote.clear(AF.RUNNABLE)


def _demote(sch: Scheduler, rsc: Resource, node: Node | None, optional: bool) -> None:
    for current in list(rsc.running_on):
        if not _is_expected_node(rsc, current):
            demote_action(sch, rsc, current, optional)


def _is_expected_node(rsc: Resource, node: Node | None) -> bool:
    return rsc.stop_unexpected and rsc.restarting and rsc.next_role > Role.STOPPED \
        and rsc.assigned_node is node


def _schedule_restart_actions(sch: Scheduler, rsc: Resource, current: Node | None,
                              need_stop: bool, need_promote: bool) -> None:
    role = rsc.role
    rsc.restarting = True
    while role != Role.STOPPED:
        nxt = STATE_MATRIX[role][Role.STOPPED]
        fn = _transition_fn(role, nxt)
        if fn is None:
            break
        fn(sch, rsc, current, not need_stop)
        role = nxt
    while rsc.role <= rsc.next_role and role != rsc.role and not rsc.blocked:
        required = need_stop
        nxt = STATE_MATRIX[role][rsc.role]
        if nxt == Role.PROMOTED and need_promote:
            required = True
        fn = _transition_fn(role, nxt)
        if fn is None:
            break
        fn(sch, rsc, rsc.assigned_node, not required)
        role = nxt
    rsc.restarting = False


def _schedule_role_transition_actions(sch: Scheduler, rsc: Resource) -> None:
    role = rsc.role
    while role != rsc.next_role:
        nxt = STATE_MATRIX[role][rsc.next_role]
        fn = _transition_fn(role, nxt)
        if fn is None:
            break
        fn(sch, rsc, rsc.assigned_node, False)
        role = nxt


def active_node(rsc: Resource):
    """pe__find_active_on: (current node, count of active nodes, clean ones)."""
    from pengine.schedule.instances import active_node as counted
    return counted(rsc, count=True)


def current_node(rsc: Resource):
    """pcmk__current_node."""
    return rsc.current_node


def create_actions(sch: Scheduler, rsc: Resource) -> None:
    from pengine.schedule.migration import abort_dangling_migration, can_migrate, create_migration_actions
    need_stop = need_promote = is_moving = allow_migrate = multiply_active = False
    if rsc.next_role == Role.UNKNOWN:
        rsc.next_role = Role.STOPPED if rsc.assigned_node is None else Role.STARTED
    current, num_all, num_clean = active_node(rsc)
    for node in list(rsc.dangling_migration_sources):
        abort_dangling_migration(sch, node, rsc)
    if current is not None and rsc.assigned_node is not None and current is not rsc.assigned_node \
            and rsc.next_role >= Role.STARTED:
        is_moving = True
        allow_migrate = can_migrate(sch, rsc, current)
        need_stop = True
    if rsc.partial_migration_source is not None and rsc.partial_migration_target is not None \
            and allow_migrate and num_all == 2 and current is rsc.partial_migration_source \
            and rsc.assigned_node is rsc.partial_migration_target:
        pass
    elif rsc.partial_migration_source is not None or rsc.partial_migration_target is not None:
        need_stop = True
        rsc.partial_migration_source = rsc.partial_migration_target = None
        allow_migrate = False
    elif rsc.needs_fencing:
        multiply_active = num_all > 1
    else:
        multiply_active = num_clean > 1
    if multiply_active:
        if rsc.recovery == "stop_start":
            need_stop = True
        elif rsc.recovery == "stop_unexpected":
            need_stop = True
            rsc.stop_unexpected = True
    else:
        rsc.stop_unexpected = False
    if rsc.start_pending:
        # create_pending_start: the graph must show the start being waited on
        start = start_action(sch, rsc, rsc.assigned_node, True)
        start.set(AF.ALWAYS_IN_GRAPH)
    if is_moving:
        pass
    elif rsc.failed:
        if rsc.stop_if_failed:
            need_stop = True
        elif rsc.next_role == Role.PROMOTED:
            need_promote = True
    elif rsc.blocked:
        need_stop = True
    elif rsc.role > Role.STARTED and current is not None and rsc.assigned_node is not None:
        start = start_action(sch, rsc, rsc.assigned_node, True)
        if not start.optional:
            need_stop = True
    _schedule_restart_actions(sch, rsc, current, need_stop, need_promote)
    _schedule_role_transition_actions(sch, rsc)
    create_recurring_actions(sch, rsc)
    if allow_migrate:
        create_migration_actions(sch, rsc, current)


# --------------------------------------------------------- constraints --

def _avoid_remote_nodes(rsc: Resource) -> None:
    for weight in rsc.allowed.values():
        if weight.node.remote_rsc is not None:
            weight.score = -INFINITY


def internal_constraints(sch: Scheduler, rsc: Resource) -> None:
    from pengine.schedule.remote import guest_resource_containing
    if not rsc.managed:
        return
    top = rsc.top()
    check_unfencing = not rsc.fence_device and sch.enable_unfencing and rsc.needs_unfencing
    check_utilization = bool(rsc.utilization) and sch.placement_strategy != "default"
    new_ordering(sch, rsc, op_key(rsc.id, "stop", 0), None, rsc, op_key(rsc.id, "start", 0),
                 None, Rel.ORDERED | Rel.FIRST_IMPLIES_THEN | Rel.INTERMEDIATE_STOP)
    if top.promotable or rsc.role > Role.UNPROMOTED:
        new_ordering(sch, rsc, op_key(rsc.id, "demote", 0), None, rsc, op_key(rsc.id, "stop", 0),
                     None, Rel.PROMOTED_THEN_IMPLIES_FIRST)
        new_ordering(sch, rsc, op_key(rsc.id, "start", 0), None, rsc,
                     op_key(rsc.id, "promote", 0), None, Rel.UNRUNNABLE_FIRST_BLOCKS)
    new_ordering(sch, rsc, op_key(rsc.id, "lrm_delete", 0), None, rsc,
                 op_key(rsc.id, "monitor", 0), None, Rel.IF_ON_SAME_NODE | Rel.THEN_CANCELS_FIRST)
    # allowed_nodes_as_list: sorted by pe__cmp_node_name, which is natural (node9 < node10)
    allowed = sorted(rsc.allowed.values(), key=lambda w: name_key(w.node.name)) \
        if (check_unfencing or check_utilization or rsc.launcher is not None) else []
    if check_unfencing:
        from pengine.schedule.unfencing import order_restart_vs_unfence
        for weight in allowed:
            order_restart_vs_unfence(sch, weight.node, rsc)
    if check_utilization:
        from pengine.schedule.utilization_strategy import create_utilization_constraints
        create_utilization_constraints(sch, rsc, allowed)
    if rsc.launcher is not None:
        remote_rsc = None
        if rsc.is_remote_connection:
            if not rsc.remote_nesting_allowed:
                _avoid_remote_nodes(rsc.launcher)
            order_resource_actions(sch, rsc.launcher, "monitor", rsc, "stop", Rel.ORDERED)
        elif rsc.launcher.is_remote_connection:
            remote_rsc = rsc.launcher
        else:
            remote_rsc = guest_resource_containing(sch, rsc.launcher)
        if remote_rsc is not None:
            for weight in allowed:
                if weight.node.remote_rsc is not remote_rsc:
                    weight.score = -INFINITY
        elif not (rsc.launcher is not None and not rsc.is_remote_connection and remote_rsc):
            new_ordering(sch, rsc.launcher, op_key(rsc.launcher.id, "start", 0), None, rsc,
                         op_key(rsc.id, "start", 0), None,
                         Rel.FIRST_IMPLIES_THEN | Rel.UNRUNNABLE_FIRST_BLOCKS)
            new_ordering(sch, rsc, op_key(rsc.id, "stop", 0), None, rsc.launcher,
                         op_key(rsc.launcher.id, "stop", 0), None, Rel.THEN_IMPLIES_FIRST)
            score = 10000 if rsc.remote_nesting_allowed else INFINITY
            coloc.new_colocation(sch, "#resource-with-container", None, score, rsc, rsc.launcher,
                                 None, None, False, True)
    if rsc.is_remote_connection or rsc.fence_device:
        _avoid_remote_nodes(rsc)


def apply_coloc_score(sch: Scheduler, dependent: Resource, primary: Resource, colocation,
                      for_dependent: bool) -> int:
    """pcmk__primitive_apply_coloc_score: returns what was added to the
    dependent's (promotion) priority."""
    from pengine.schedule.variants import methods
    if for_dependent:
        return methods(primary).apply_coloc_score(sch, dependent, primary, colocation,
                                                  False) or 0
    result = coloc.colocation_affects(dependent, primary, colocation, False)
    if result == coloc.AFFECTS_ROLE:
        return coloc.apply_coloc_to_priority(dependent, primary, colocation)
    if result == coloc.AFFECTS_LOCATION:
        coloc.apply_coloc_to_scores(dependent, primary, colocation)
    return 0


def with_this_colocations(rsc: Resource, orig: Resource, result: list) -> None:
    if rsc is orig:
        for colocation in rsc.with_this:
            coloc.add_with_this(result, colocation)
        if rsc.parent is not None:
            methods(rsc.parent).with_this_colocations(rsc.parent, orig, result)
    else:
        for colocation in rsc.with_this:
            if colocation.explicit:
                coloc.add_with_this(result, colocation)


def this_with_colocations(rsc: Resource, orig: Resource, result: list) -> None:
    from pengine.schedule.variants import methods
    if rsc is orig:
        for colocation in rsc.this_with:
            coloc.add_this_with(result, colocation)
        if rsc.parent is not None:
            methods(rsc.parent).this_with_colocations(rsc.parent, orig, result)
    else:
        for colocation in rsc.this_with:
            if colocation.explicit:
                coloc.add_this_with(result, colocation)


def add_colocated_node_scores(sch, source, target, log_id, nodes, colocation, factor, flags):
    return coloc.add_colocated_node_scores(sch, source, target, log_id, nodes, colocation,
                                           factor, flags)


def apply_location(rsc: Resource, location) -> None:
    _apply_location(rsc, location)


def action_flags(action, node) -> int:
    return action.flags


def update_ordered_actions(sch, first, then, node, flags, filter_, type_) -> int:
    return generic(sch, first, then, node, flags, filter_, type_)


def output_actions(sch, rsc, out) -> None:
    primitive_output_actions(sch, rsc, out)


def add_utilization(sch, rsc, orig, all_rscs, utilization) -> None:
    from pengine.schedule.utilization import release_node_capacity
    if not rsc.unassigned:
        return
    release_node_capacity(utilization, rsc)


def shutdown_lock(sch: Scheduler, rsc: Resource) -> None:
    from pengine.status.unpack_resources import resource_location
    if rsc.cls == "stonith" or rsc.cls is None or rsc.is_remote_connection:
        return
    if rsc.lock_node is not None:
        if rsc.running_on:
            from pengine.status.actions import clear_resource_history
            clear_resource_history(sch, rsc, rsc.lock_node)
            rsc.lock_node = None
            rsc.lock_time = 0
    elif len(rsc.running_on) == 1:
        node = rsc.running_on[0]
        if node.shutdown and not node.unclean:
            rsc.lock_node = node
            value = node.attrs.get("shutdown")
            from pengine.status.history import to_int
            when = to_int(value, 0) if value else 0
            rsc.lock_time = when if when else sch.now_epoch
    if rsc.lock_node is None:
        return
    if sch.shutdown_lock_ms > 0:
        # Re-check just after the lock expires (timeout rounded up to seconds).
        from pengine.status.params import update_recheck
        update_recheck(sch, rsc.lock_time + (sch.shutdown_lock_ms + 999) // 1000 + 1)
    for node in sch.nodes:
        if node.name != rsc.lock_node.name:
            resource_location(sch, rsc, node, -INFINITY, "shutdown-lock")


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.schedule.cleanup import schedule_cleanup  # noqa: E402
from pengine.schedule.recurring import create_recurring_actions  # noqa: E402
from pengine.schedule.score_log import show_node_scores  # noqa: E402
from pengine.status.unpack_resources import resource_location  # noqa: E402
from pengine.schedule.update import update_ordered_actions as generic  # noqa: E402
from pengine.schedule.variants import methods  # noqa: E402
from pengine.schedule.summary import primitive_output_actions  # noqa: E402
