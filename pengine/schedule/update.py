"""Propagating action flags along orderings (pcmk_sched_actions.c).

Each ordering relation can make its 'then' action required or unrunnable
because of its 'first' action, or the reverse.  Changes cascade: an action
whose flags change is re-processed along with everything ordered after it.
"""

from __future__ import annotations

from pengine.common.trampoline import drive
from pengine.status.cluster import AF, Action, Rel, Scheduler

UPDATED_NONE = 0
UPDATED_FIRST = 1
UPDATED_THEN = 2

_REMAP = {"stop": "stopped", "start": "running", "notify": "notified", "promote": "promoted",
          "demote": "demoted", "stopped": "stopped", "running": "running",
          "notified": "notified", "promoted": "promoted", "demoted": "demoted"}


def _action_flags_for_ordering(action: Action, node) -> int:
    if action.rsc is None:
        return action.flags
    flags = methods(action.rsc).action_flags(action, None)
    if node is None or action.rsc.variant != "clone":
        return flags
    runnable = bool(flags & AF.RUNNABLE)
    flags = methods(action.rsc).action_flags(action, node)
    if runnable and not (flags & AF.RUNNABLE):
        flags |= AF.RUNNABLE
    return flags


def _uuid_for_ordering(uuid: str, rsc) -> str:
    if "notify" in uuid or rsc.variant == "primitive":
        return uuid
    task, interval = _task_of(uuid, rsc.id)
    if interval > 0:
        return uuid
    remapped = _REMAP.get(task)
    if remapped is None:
        return uuid
    if rsc.notify and (rsc.variant == "clone" or rsc.is_bundled() or rsc.variant == "bundle"):
        return f"{rsc.id}_confirmed-post_notify_{remapped}_0"
    return f"{rsc.id}_{remapped}_0"


def action_for_ordering(action: Action) -> Action:
    rsc = action.rsc
    if rsc is None or rsc.variant == "primitive":
        return action
    uuid = _uuid_for_ordering(action.uuid, rsc)
    found = find_first_action(rsc.actions, uuid, None, None)
    return found if found is not None else action


def _is_parent(child, rsc) -> bool:
    parent = child
    while parent is not None:
        if parent is rsc:
            return True
        parent = parent.parent
    return False


def _update(sch, rsc, first, then, node, flags, filter_, type_) -> int:
    return methods(rsc).update_ordered_actions(sch, first, then, node, flags, filter_, type_)


def _update_for_ordering_flags(sch: Scheduler, first: Action, then: Action, first_flags: int,
                               then_flags: int, order) -> int:
    changed = UPDATED_NONE
    node = then.node
    if order.flags & Rel.FIRST_IMPLIES_SAME_NODE_THEN:
        order.flags &= ~Rel.FIRST_IMPLIES_SAME_NODE_THEN
        order.flags |= Rel.FIRST_IMPLIES_THEN
        node = first.node
    if order.flags & Rel.FIRST_IMPLIES_THEN:
        if then.rsc is not None:
            changed |= _update(sch, then.rsc, first, then, node, first_flags & AF.OPTIONAL,
                               AF.OPTIONAL, Rel.FIRST_IMPLIES_THEN)
        elif not (first_flags & AF.OPTIONAL) and then.optional:
            then.clear(AF.OPTIONAL)
            changed |= UPDATED_THEN
    if (order.flags & Rel.INTERMEDIATE_STOP) and then.rsc is not None:
        changed |= _update(sch, then.rsc, first, then, node, first_flags,
                           AF.OPTIONAL | AF.RUNNABLE, Rel.INTERMEDIATE_STOP)
    if order.flags & Rel.THEN_IMPLIES_FIRST:
        if first.rsc is not None:
            changed |= _update(sch, first.rsc, first, then, node, first_flags, AF.OPTIONAL,
                               Rel.THEN_IMPLIES_FIRST)
        elif not (first_flags & AF.OPTIONAL) and first.runnable:
            first.clear(AF.RUNNABLE)
            changed |= UPDATED_FIRST
    if order.flags & Rel.PROMOTED_THEN_IMPLIES_FIRST:
        if then.rsc is not None:
            changed |= _update(sch, then.rsc, first, then, node, first_flags & AF.OPTIONAL,
                               AF.OPTIONAL, Rel.PROMOTED_THEN_IMPLIES_FIRST)
    if order.flags & Rel.MIN_RUNNABLE:
        if then.rsc is not None:
            changed |= _update(sch, then.rsc, first, then, node, first_flags, AF.RUNNABLE,
                               Rel.MIN_RUNNABLE)
        elif first_flags & AF.RUNNABLE:
            then.runnable_before += 1
            if then.runnable_before >= then.required_runnable_before and not then.runnable:
                then.set(AF.RUNNABLE)
                changed |= UPDATED_THEN
    if (order.flags & Rel.NESTED_REMOTE_PROBE) and then.rsc is not None:
        if not (first_flags & AF.RUNNABLE) and first.rsc is not None and first.rsc.running_on:
            order.flags = Rel.NONE
        else:
            changed |= _update(sch, then.rsc, first, then, node, first_flags, AF.RUNNABLE,
                               Rel.UNRUNNABLE_FIRST_BLOCKS)
    if order.flags & Rel.UNRUNNABLE_FIRST_BLOCKS:
        if then.rsc is not None:
            changed |= _update(sch, then.rsc, first, then, node, first_flags, AF.RUNNABLE,
                               Rel.UNRUNNABLE_FIRST_BLOCKS)
        elif not (first_flags & AF.RUNNABLE) and then.runnable:
            then.clear(AF.RUNNABLE)
            changed |= UPDATED_THEN
    if order.flags & Rel.UNMIGRATABLE_THEN_BLOCKS:
        if then.rsc is not None:
            changed |= _update(sch, then.rsc, first, then, node, first_flags, AF.OPTIONAL,
                               Rel.UNMIGRATABLE_THEN_BLOCKS)
    if order.flags & Rel.FIRST_ELSE_THEN:
        if then.rsc is not None:
            changed |= _update(sch, then.rsc, first, then, node, first_flags, AF.OPTIONAL,
                               Rel.FIRST_ELSE_THEN)
    if order.flags & Rel.ORDERED:
        if then.rsc is not None:
            changed |= _update(sch, then.rsc, first, then, node, first_flags, AF.RUNNABLE,
                               Rel.ORDERED)
    if order.flags & Rel.ASYMMETRIC:
        if then.rsc is not None:
            changed |= _update(sch, then.rsc, first, then, node, first_flags, AF.RUNNABLE,
                               Rel.ASYMMETRIC)
    if first.runnable and (order.flags & Rel.FIRST_IMPLIES_THEN_GRAPHED) \
            and not (first_flags & AF.OPTIONAL):
        then.set(AF.ALWAYS_IN_GRAPH)
    if (order.flags & Rel.THEN_IMPLIES_FIRST_GRAPHED) and not (then_flags & AF.OPTIONAL):
        first.set(AF.ALWAYS_IN_GRAPH)
    if (order.flags & (Rel.FIRST_IMPLIES_THEN | Rel.THEN_IMPLIES_FIRST | Rel.INTERMEDIATE_STOP)) \
            and first.rsc is not None and not first.rsc.managed and first.rsc.blocked \
            and not first.runnable and first.task == "stop":
        if then.runnable:
            then.clear(AF.RUNNABLE)
            changed |= UPDATED_THEN
    return changed


def update_action_for_orderings(sch: Scheduler, then: Action) -> None:
    """pcmk__update_action_for_orderings (with its cascade).  A change cascades
    along the orderings as far as the user's chain goes: the recursion runs on
    an explicit stack (pengine.common.trampoline), in the same order."""
    cascade(sch, ("update", then))


def cascade(sch: Scheduler, call: tuple) -> None:
    """Run ("update", action) -- update_action_for_orderings -- or ("block",
    action) -- colocation.block_colocation_dependents -- with every call
    they make to each other on one explicit stack."""
    drive(_cascade_steps(sch, call), lambda next_call: _cascade_steps(sch, next_call))


def _cascade_steps(sch: Scheduler, call: tuple):
    kind, action = call
    if kind == "update":
        return _update_steps(sch, action)
    return block_dependents_steps(sch, action)


def _update_steps(sch: Scheduler, then: Action):
    """One call of update_action_for_orderings; the calls it makes are yielded
    (see ``cascade``)."""
    changed = UPDATED_NONE
    last_flags = then.flags
    if then.has(AF.MIN_RUNNABLE):
        # Count runnable "first" actions afresh; the MIN_RUNNABLE clause of
        # the ordering update makes "then" runnable again when enough are.
        then.runnable_before = 0
        if then.required_runnable_before == 0:
            then.required_runnable_before = 1  # require-all=false: one suffices
        then.clear(AF.RUNNABLE)
    for other in list(then.actions_before):
        first = other.action
        then_node = then.node
        first_node = first.node
        if first.rsc is not None and first.rsc.variant == "group" and first.task == "start":
            found = rsc_location(first.rsc, current=False, assigned=True)
            if found is not None:
                first_node = found
        if then.rsc is not None and then.rsc.variant == "group" and then.task == "start":
            found = rsc_location(then.rsc, current=False, assigned=True)
            if found is not None:
                then_node = found
        if (other.flags & Rel.IF_ON_SAME_NODE) and first_node is not None \
                and then_node is not None and first_node is not then_node:
            other.flags = Rel.NONE
            continue
        changed &= ~UPDATED_FIRST
        if first.rsc is not None and (other.flags & Rel.THEN_CANCELS_FIRST) and not then.optional:
            first.set(AF.OPTIONAL)
            if first.task == "reload-agent":
                first.rsc.reload = False
        if first.rsc is not None and then.rsc is not None and first.rsc is not then.rsc \
                and not _is_parent(then.rsc, first.rsc):
            first = action_for_ordering(first)
        if first is other.action:
            first_flags = _action_flags_for_ordering(first, then_node)
            then_flags = _action_flags_for_ordering(then, first_node)
            changed |= _update_for_ordering_flags(sch, first, then, first_flags, then_flags, other)
        elif order_actions(first, then, other.flags):
            changed |= UPDATED_THEN
            other.flags = Rel.NONE
        if changed & UPDATED_FIRST:
            for after in list(first.actions_after):
                yield ("update", after.action)
            yield ("update", first)
    if then.has(AF.MIN_RUNNABLE):
        if last_flags == then.flags:
            changed &= ~UPDATED_THEN
        else:
            changed |= UPDATED_THEN
    if changed & UPDATED_THEN:
        if (last_flags & AF.RUNNABLE) and not then.runnable:
            yield ("block", then)
        yield ("update", then)
        for after in list(then.actions_after):
            yield ("update", after.action)


def _clear_because(action: Action, flag: int, reason: Action) -> None:
    from pengine.status.actions import set_reason
    if action.flags & flag:
        action.clear(flag)
        if action.rsc is not reason.rsc:
            change = {AF.RUNNABLE: "unrunnable", AF.MIGRATABLE: "unmigrateable",
                      AF.OPTIONAL: "required"}.get(flag, "")
            text = f"{change} {reason.rsc.id} {reason.task}" if reason.rsc is not None \
                else f"{change} {reason.task}"
            set_reason(action, text, False)


def _handle_asymmetric(first: Action, then: Action) -> None:
    from pengine.schedule.variants import resource_state
    from pengine.status.cluster import Role
    if then.rsc is None or first.runnable:
        return
    if then.optional:
        role = resource_state(then.rsc, True)
        if role == Role.STOPPED and then.task == "stop":
            return
        if role >= Role.STARTED and then.task == "start" and then.rsc.running_on == [then.node] \
                and _running_on_only(then.rsc, then.node):
            return
    _clear_because(then, AF.OPTIONAL, first)
    _clear_because(then, AF.RUNNABLE, first)


def _running_on_only(rsc, node) -> bool:
    return len(rsc.running_on) == 1 and rsc.running_on[0] is node


def _handle_restart(first: Action, then: Action, filter_: int) -> None:
    reason = None
    if (filter_ & AF.OPTIONAL) and not then.optional:
        reason = "restart"
    if (filter_ & AF.RUNNABLE) and not then.runnable and then.rsc.managed and first.rsc is then.rsc:
        reason = "stop"
    if reason is None:
        return
    if first.runnable:
        _clear_because(first, AF.OPTIONAL, then)
    if not then.optional:
        _clear_because(first, AF.OPTIONAL, then)
    if not then.has(AF.MIGRATABLE):
        _clear_because(first, AF.MIGRATABLE, then)
    if not first.optional and not first.runnable:
        _clear_because(then, AF.RUNNABLE, first)


def update_ordered_actions(sch: Scheduler, first: Action, then: Action, node, flags: int,
                           filter_: int, type_: int) -> int:
    """pcmk__update_ordered_actions: the primitive method."""
    changed = UPDATED_NONE
    then_flags = then.flags
    first_flags = first.flags
    if type_ & Rel.ASYMMETRIC:
        _handle_asymmetric(first, then)
    if (type_ & Rel.THEN_IMPLIES_FIRST) and not (then_flags & AF.OPTIONAL):
        if (filter_ & AF.OPTIONAL) and not (flags & AF.OPTIONAL) and (first_flags & AF.OPTIONAL):
            _clear_because(first, AF.OPTIONAL, then)
        if (flags & AF.MIGRATABLE) and not then.has(AF.MIGRATABLE):
            _clear_because(first, AF.MIGRATABLE, then)
    if (type_ & Rel.PROMOTED_THEN_IMPLIES_FIRST) and then.rsc is not None \
            and then.rsc.role == Role.PROMOTED and (filter_ & AF.OPTIONAL) and not then.optional:
        _clear_because(first, AF.OPTIONAL, then)
        if first.has(AF.MIGRATABLE) and not then.has(AF.MIGRATABLE):
            _clear_because(first, AF.MIGRATABLE, then)
    if (type_ & Rel.UNMIGRATABLE_THEN_BLOCKS) and (filter_ & AF.OPTIONAL):
        if not (then.has(AF.MIGRATABLE) and then.runnable):
            _clear_because(first, AF.RUNNABLE, then)
        if not then.optional:
            _clear_because(first, AF.OPTIONAL, then)
    if (type_ & Rel.FIRST_ELSE_THEN) and (filter_ & AF.OPTIONAL) and not first.runnable:
        _clear_because(then, AF.MIGRATABLE, first)
        then.clear(AF.PSEUDO)
    if (type_ & Rel.UNRUNNABLE_FIRST_BLOCKS) and (filter_ & AF.RUNNABLE) and then.runnable \
            and not (flags & AF.RUNNABLE):
        _clear_because(then, AF.RUNNABLE, first)
        _clear_because(then, AF.MIGRATABLE, first)
    if (type_ & Rel.FIRST_IMPLIES_THEN) and (filter_ & AF.OPTIONAL) and then.optional \
            and not (flags & AF.OPTIONAL) and not first.has(AF.MIGRATABLE):
        _clear_because(then, AF.OPTIONAL, first)
    if type_ & Rel.INTERMEDIATE_STOP:
        _handle_restart(first, then, filter_)
    if then_flags != then.flags:
        changed |= UPDATED_THEN
        if then.rsc is not None and then.rsc.parent is not None:
            update_action_for_orderings(sch, then)
    if first_flags != first.flags:
        changed |= UPDATED_FIRST
    return changed


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.status.actions import find_first_action  # noqa: E402
from pengine.schedule.colocation import block_dependents_steps  # noqa: E402
from pengine.status.cluster import Role  # noqa: E402
from pengine.schedule.ordering import _task_of, order_actions  # noqa: E402
from pengine.schedule.variants import location as rsc_location, methods  # noqa: E402
