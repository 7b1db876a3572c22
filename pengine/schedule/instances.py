"""Clone instances and bundle replicas (pcmk_sched_instances.c).

What clones and bundles share: assigning instances to nodes without
shuffling the ones already running, creating the collective's pseudo-actions
from its instances' actions, finding the instance of one collective that
matches an instance of another (interleaving), and propagating orderings
between collectives' actions, instance by instance.

For a bundle the "instances" are its replicas' containers; the bundle module
provides them as ``bundle_containers(rsc)``.
"""

from __future__ import annotations

import functools

from pengine.status.cluster import AF, Action, Node, NodeWeight, Rel, Resource, Role, Scheduler, copy_table
from pengine.common.options import is_true
from pengine.common.scores import INFINITY
from pengine.status.active import active_node, count_active_node  # noqa: F401 (inst.count_active_node)

# pcmk__coloc_select_* flags (colocation.py's names)
_SELECT_DEFAULT = 0


# ----------------------------------------------------------------- helpers --

def instance_list(rsc: Resource) -> list[Resource]:
    """get_instance_list: a clone's instances, or a bundle's containers."""
    if rsc.variant == "bundle":
        from pengine.status import bundles
        return list(bundles.bundle_containers(rsc))
    return rsc.children


def top_allowed_node(rsc: Resource, node: Node | None) -> NodeWeight | None:
    """pcmk__top_allowed_node: ``node``'s entry in the parent's allowed table."""
    if node is None:
        return None
    table = rsc.allowed if rsc.parent is None else rsc.parent.allowed
    return table.get(node.id)


def is_set_recursive(rsc: Resource, attr: str) -> bool:
    """is_set_recursive(rsc, flag, any=true)."""
    if getattr(rsc, attr):
        return True
    return any(is_set_recursive(child, attr) for child in rsc.children)


def did_fail(rsc: Resource) -> bool:
    return rsc.failed or any(did_fail(child) for child in rsc.children)


def current_node(rsc: Resource) -> Node | None:
    """pcmk__current_node."""
    if rsc.variant == "bundle":
        from pengine.status import bundles
        return bundles.active_node(rsc)
    return active_node(rsc)[0]


def _node_available(node: Node | None, score: int | None = None,
                    no_negative: bool = False) -> bool:
    """pcmk__node_available(node, alive|usable[|no_negative])."""
    if node is None or not node.available():
        return False
    if no_negative and (score if score is not None else node.score) < 0:
        return False
    return True


def copy_node_tables(rsc: Resource, backup: dict | None = None) -> dict:
    """pcmk__copy_node_tables: allowed tables of ``rsc`` and its descendants."""
    if backup is None:
        backup = {}
    backup[rsc.id] = copy_table(rsc.allowed)
    for child in rsc.children:
        copy_node_tables(child, backup)
    return backup


def restore_node_tables(rsc: Resource, backup: dict) -> None:
    """pcmk__restore_node_tables (copies, so a backup can be restored again)."""
    rsc.allowed = copy_table(backup[rsc.id])
    for child in rsc.children:
        restore_node_tables(child, backup)


# ------------------------------------------------------------- assignment --

def can_run_instance(instance: Resource, node: Node, max_per_node: int) -> bool:
    if instance.removed:
        return False
    if not node.available():
        return False
    allowed = top_allowed_node(instance, node)
    if allowed is None:
        return False
    if allowed.score < 0:
        return False
    if allowed.count >= max_per_node:
        return False
    return True


def ban_unavailable_allowed_nodes(instance: Resource, max_per_node: int) -> None:
    for weight in instance.allowed.values():
        if can_run_instance(instance, weight.node, max_per_node):
            continue
        weight.score = -INFINITY
        for child in instance.children:
            child_weight = child.allowed.get(weight.node.id)
            if child_weight is not None:
                child_weight.score = -INFINITY


def _apply_parent_colocations(sch: Scheduler, rsc: Resource, nodes: dict) -> dict:
    from pengine.schedule import colocation as coloc
    from pengine.schedule.variants import methods, this_with_colocations, with_this_colocations
    for colocation in this_with_colocations(rsc):
        other = colocation.primary
        factor = colocation.score / float(INFINITY)
        nodes = methods(other).add_colocated_node_scores(sch, other, rsc, rsc.id, nodes,
                                                         colocation, factor, _SELECT_DEFAULT)
    for colocation in with_this_colocations(rsc):
        other = colocation.dependent
        factor = colocation.score / float(INFINITY)
        if not coloc.has_influence(colocation, rsc):
            continue
        nodes = methods(other).add_colocated_node_scores(sch, other, rsc, rsc.id, nodes,
                                                         colocation, factor,
                                                         coloc.SELECT_NONNEGATIVE)
    return nodes


def _colocated_score(sch: Scheduler, instance: Resource, memo: dict | None) -> int:
    """The instance's score on its current node once its parent's
    colocations apply; a sort asks for it at every comparison, so
    sort_instances remembers it (nothing it depends on changes meanwhile)."""
    if memo is not None and instance.id in memo:
        return memo[instance.id]
    node = current_node(instance)
    scores = _apply_parent_colocations(sch, instance, {node.id: NodeWeight(node, node.score)})
    score = scores[node.id].score
    if memo is not None:
        memo[instance.id] = score
    return score


def _cmp_instance_by_colocation(sch: Scheduler, instance1: Resource, instance2: Resource,
                                memo: dict | None = None) -> int:
    score1 = _colocated_score(sch, instance1, memo)
    score2 = _colocated_score(sch, instance2, memo)
    if score1 < score2:
        return 1
    if score1 > score2:
        return -1
    return 0


def instance_number(rsc: Resource) -> int:
    """The number after the last ':' (clones) or '-' (bundle replicas)."""
    text = rsc.id
    cut = text.rfind(":")
    if cut < 0:
        cut = text.rfind("-")
    digits = ""
    for char in text[cut + 1:]:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else 0


def cmp_instance_number(a: Resource, b: Resource) -> int:
    return instance_number(a) - instance_number(b)


def _node_is_allowed(rsc: Resource, node: Node | None) -> tuple[bool, Node | None]:
    if node is not None:
        allowed = rsc.allowed.get(node.id)
        if allowed is None or allowed.score < 0:
            return False, None
    return True, node


def cmp_instance(sch: Scheduler, instance1: Resource, instance2: Resource,
                 memo: dict | None = None) -> int:
    """pcmk__cmp_instance: which instance should be assigned first."""
    node1, nnodes1, _ = _active_node_counted(instance1)
    node2, nnodes2, _ = _active_node_counted(instance2)
    if nnodes1 > 0 and nnodes2 > 0:
        if nnodes1 < nnodes2:
            return -1
        if nnodes1 > nnodes2:
            return 1
    can1, node1 = _node_is_allowed(instance1, node1)
    can2, node2 = _node_is_allowed(instance2, node2)
    if can1 and not can2:
        return -1
    if not can1 and can2:
        return 1
    if instance1.priority > instance2.priority:
        return -1
    if instance1.priority < instance2.priority:
        return 1
    if node1 is None and node2 is None:
        return 0
    if node1 is None:
        return 1
    if node2 is None:
        return -1
    can1 = node1.available()
    can2 = node2.available()
    if can1 and not can2:
        return -1
    if not can1 and can2:
        return 1
    allowed1 = top_allowed_node(instance1, node1)
    allowed2 = top_allowed_node(instance2, node2)
    if allowed1 is None and allowed2 is None:
        return 0
    if allowed1 is None:
        return 1
    if allowed2 is None:
        return -1
    if allowed1.count < allowed2.count:
        return -1
    if allowed1.count > allowed2.count:
        return 1
    failed1 = did_fail(instance1)
    failed2 = did_fail(instance2)
    if not failed1 and failed2:
        return -1
    if failed1 and not failed2:
        return 1
    rc = _cmp_instance_by_colocation(sch, instance1, instance2, memo)
    if rc != 0:
        return rc
    return cmp_instance_number(instance1, instance2)


def _active_node_counted(rsc: Resource):
    if rsc.variant == "bundle":
        from pengine.status import bundles
        return bundles.active_node_counted(rsc)
    return active_node(rsc, count=True)


def sort_instances(sch: Scheduler, instances: list[Resource]) -> None:
    """g_list_sort(children, pcmk__cmp_instance) (a stable sort)."""
    memo: dict = {}
    instances.sort(key=functools.cmp_to_key(lambda a, b: cmp_instance(sch, a, b, memo)))


def sort_by_number(instances: list[Resource]) -> None:
    instances.sort(key=functools.cmp_to_key(cmp_instance_number))


def _increment_parent_count(instance: Resource, assigned_to: Node | None) -> None:
    if assigned_to is None:
        return
    allowed = top_allowed_node(instance, assigned_to)
    if allowed is not None:
        allowed.count += 1


def _assign_instance(sch: Scheduler, instance: Resource, prefer: Node | None,
                     max_per_node: int) -> Node | None:
    from pengine.schedule.variants import methods
    if instance.assigning:
        return None
    ban_unavailable_allowed_nodes(instance, max_per_node)
    # Failed early assignments are reversible (stop_if_fail=false)
    chosen = methods(instance).assign(sch, instance, prefer, prefer is None)
    _increment_parent_count(instance, chosen)
    return chosen


def _assign_instance_early(sch: Scheduler, rsc: Resource, instance: Resource, current: Node,
                           max_per_node: int, available: int) -> bool:
    from pengine.schedule.assign import unassign_resource
    parent = instance.parent
    allowed_orig_parent = parent.allowed
    allowed_node = instance.allowed.get(current.id)
    if allowed_node is None or not _node_available(allowed_node.node, allowed_node.score, True):
        return False
    # Each time the instance goes elsewhere, reserve an instance for that node
    # and try again: instances are spread by preference, but an instance that
    # will run on a node it is active on stays there.
    backup = copy_node_tables(instance)
    parent.allowed = copy_table(allowed_orig_parent)
    reserved = 0
    chosen = None
    while reserved < available:
        chosen = _assign_instance(sch, instance, current, max_per_node)
        if chosen is current:
            break
        restore_node_tables(instance, backup)
        if chosen is None:
            instance.unassigned = True
            break
        reserved += 1
        unassign_resource(instance)
        chosen = None
    parent.allowed = allowed_orig_parent
    if chosen is None:
        return False
    _increment_parent_count(instance, chosen)
    return True


def _reset_allowed_node_counts(rsc: Resource) -> int:
    available = 0
    for weight in rsc.allowed.values():
        weight.count = 0
        if weight.node.available():
            available += 1
    return available


def _preferred_node(instance: Resource, optimal_per_node: int) -> Node | None:
    if not instance.running_on or not instance.unassigned or instance.failed:
        return None
    node = current_node(instance)
    if not _node_available(node, None, True):
        return None
    parent_node = top_allowed_node(instance, node)
    if parent_node is not None and parent_node.count >= optimal_per_node:
        return None
    return node


def assign_instances(sch: Scheduler, collective: Resource, instances: list[Resource],
                     max_total: int, max_per_node: int) -> None:
    """pcmk__assign_instances."""
    from pengine.status.unpack_resources import resource_location
    available_nodes = _reset_allowed_node_counts(collective)
    optimal_per_node = max_total // available_nodes if available_nodes > 0 else 0
    if optimal_per_node < 1:
        optimal_per_node = 1
    assigned = 0
    # Assign as many instances as possible to their current location
    for instance in instances:
        if assigned >= max_total:
            break
        available = max_total - assigned
        if not instance.unassigned:
            continue
        current = _preferred_node(instance, optimal_per_node)
        if current is not None and _assign_instance_early(sch, collective, instance, current,
                                                          max_per_node, available):
            assigned += 1
    for instance in instances:
        if not instance.unassigned:
            continue
        if assigned >= max_total:
            resource_location(sch, instance, None, -INFINITY, "collective_limit_reached")
        elif _assign_instance(sch, instance, None, max_per_node) is not None:
            assigned += 1


# ---------------------------------------------------------------- actions --

STARTING, STOPPING, RESTARTING, ACTIVE = 1, 2, 4, 8
_ALL = STARTING | STOPPING | RESTARTING | ACTIVE


def check_instance_state(instance: Resource, state: int) -> int:
    """The starting/stopping/restarting/active bits ``instance`` adds to ``state``."""
    if state & _ALL == _ALL:
        return state
    if instance.variant != "primitive":
        for child in instance.children:
            if state & _ALL == _ALL:
                break
            state = check_instance_state(child, state)
        return state
    instance_state = 0
    if instance.running_on:
        instance_state |= ACTIVE
    for action in instance.actions:
        if instance_state & (STARTING | STOPPING) == STARTING | STOPPING:
            break
        optional = action.optional
        if action.task == "start":
            if not optional and action.runnable:
                instance_state |= STARTING
        elif action.task == "stop":
            # a pseudo stop is implied by fencing of its node
            if not optional and (action.pseudo or action.runnable):
                instance_state |= STOPPING
    if instance_state & (STARTING | STOPPING) == STARTING | STOPPING:
        instance_state |= RESTARTING
    return state | instance_state


def create_instance_actions(sch: Scheduler, collective: Resource, instances: list[Resource]):
    """pcmk__create_instance_actions: (start, started, stop, stopped)."""
    from pengine.status.actions import rsc_pseudo_action
    from pengine.schedule.variants import methods
    state = 0
    for instance in instances:
        methods(instance).create_actions(sch, instance)
        state = check_instance_state(instance, state)
    start = rsc_pseudo_action(sch, collective, "start", not (state & STARTING), True)
    started = rsc_pseudo_action(sch, collective, "running", not (state & STARTING), False)
    started.priority = INFINITY
    if state & (ACTIVE | STARTING):
        started.set(AF.RUNNABLE)
    stop = rsc_pseudo_action(sch, collective, "stop", not (state & STOPPING), True)
    stopped = rsc_pseudo_action(sch, collective, "stopped", not (state & STOPPING), True)
    stopped.priority = INFINITY
    if not (state & RESTARTING):
        stop.set(AF.MIGRATABLE)
    return start, started, stop, stopped


# ------------------------------------------------------------- matching --

def instance_matches(instance: Resource, node: Node, role: Role, current: bool) -> bool:
    """pcmk__instance_matches."""
    if role != Role.UNKNOWN and role != resource_state(instance, current):
        return False
    instance_node = None
    if not is_set_recursive(instance, "blocked"):
        if current:
            instance_node = location(instance, current=True)
        else:
            instance_node = location(instance, current=False, assigned=True)
    if instance_node is None:
        return False
    return instance_node is node


def _find_compatible_instance_on_node(rsc: Resource, node: Node, role: Role,
                                      current: bool) -> Resource | None:
    for instance in instance_list(rsc):
        if instance_matches(instance, node, role, current):
            return instance
    return None


def find_compatible_instance(match_rsc: Resource, rsc: Resource, role: Role, current: bool,
                             sch: Scheduler | None = None) -> Resource | None:
    """pcmk__find_compatible_instance: an instance of ``rsc`` where ``match_rsc`` is."""
    from pengine.schedule.assign import sort_nodes
    from pengine.schedule.variants import location
    if current:
        node = location(match_rsc, current=True)
    else:
        node = location(match_rsc, current=False, assigned=True)
    if node is not None:
        return _find_compatible_instance_on_node(rsc, node, role, current)
    for weight in sort_nodes(sch if sch is not None else _DefaultStrategy,
                             list(match_rsc.allowed.values()), None):
        instance = _find_compatible_instance_on_node(rsc, weight.node, role, current)
        if instance is not None:
            return instance
    return None


class _DefaultStrategy:
    """Stands in for a scheduler when only the default node order is needed."""

    placement_strategy = "default"


# ------------------------------------------------------------- orderings --

def _unassign_if_mandatory(sch: Scheduler, first: Action, then: Action, then_instance: Resource,
                           type_: int, current: bool) -> bool:
    from pengine.schedule.assign import assign_resource
    if current:
        # the 'then' instance may go down without an interleave match
        return False
    if type_ & (Rel.UNRUNNABLE_FIRST_BLOCKS | Rel.FIRST_IMPLIES_THEN):
        # nothing to interleave with: the 'then' instance must not come up
        return assign_resource(sch, then_instance, None, True, True)
    return False


def _find_instance_action(action: Action, instance: Resource, action_name: str,
                          node: Node | None, for_first: bool) -> Action | None:
    from pengine.status.actions import find_first_action
    rsc = None
    if (for_first and action.task not in ("stop", "stopped")) or \
            (not for_first and action.task in ("promote", "promoted", "demote", "demoted")):
        if instance.replica_container:
            from pengine.status.bundles import rsc_in_container
            rsc = rsc_in_container(instance)
    if rsc is None:
        rsc = instance
    else:
        node = None  # containerized actions are on the bundle's guest node
    return find_first_action(rsc.actions, None, action_name, node)


_ACTION_NAMES = {"stop", "stopped", "start", "running", "do_shutdown", "stonith", "monitor",
                 "notify", "notified", "promote", "promoted", "demote", "demoted"}
_FOLD = {"stopped": "stop", "running": "start", "demoted": "demote", "promoted": "promote"}


def complex_task(rsc: Resource | None, name: str) -> str:
    """get_complex_task, as action text: completion actions fold into their
    action for primitives; unknown names become "no_action"."""
    task = name if name in _ACTION_NAMES else "no_action"
    if rsc is not None and rsc.variant == "primitive":
        task = _FOLD.get(task, task)
    return task


def orig_action_name(action: Action) -> str:
    """The action a clone or bundle action stands for (notifications mapped)."""
    instances = instance_list(action.rsc)
    instance = instances[0] if instances else None
    name = action.task
    if name.lower() in ("notify", "notified"):
        cut = action.uuid.find("_notify_")
        if cut < 0:
            return "no_action"
        rest = action.uuid[cut + len("_notify_"):]
        name = rest.rpartition("_")[0]
    return complex_task(instance, name)


def _update_interleaved_actions(sch: Scheduler, first: Action, then: Action, node: Node | None,
                                filter_: int, type_: int) -> int:
    from pengine.schedule.ordering import order_actions
    from pengine.schedule.update import UPDATED_FIRST, UPDATED_NONE, UPDATED_THEN
    from pengine.schedule.variants import methods
    changed = UPDATED_NONE
    orig_first_task = orig_action_name(first)
    # stops and demotes must be interleaved with the instance on the current node
    current = first.uuid.endswith("_stopped_0") or first.uuid.endswith("_demoted_0")
    for then_instance in list(instance_list(then.rsc)):
        first_instance = find_compatible_instance(then_instance, first.rsc, Role.UNKNOWN,
                                                  current, sch)
        if first_instance is None:
            if _unassign_if_mandatory(sch, first, then, then_instance, type_, current):
                changed |= UPDATED_THEN
            continue
        first_action = _find_instance_action(first, first_instance, orig_first_task, node, True)
        if first_action is None:
            continue
        then_action = _find_instance_action(then, then_instance, then.task, node, False)
        if then_action is None:
            continue
        if order_actions(first_action, then_action, type_):
            changed |= UPDATED_FIRST | UPDATED_THEN
        changed |= methods(then_instance).update_ordered_actions(
            sch, first_action, then_action, node,
            methods(first_instance).action_flags(first_action, node), filter_, type_)
    return changed


def can_interleave_actions(first: Action, then: Action) -> bool:
    if first.rsc is None or then.rsc is None:
        return False
    if first.rsc is then.rsc:
        return False
    if first.rsc.variant not in ("clone", "bundle") or then.rsc.variant not in ("clone", "bundle"):
        return False
    if then.uuid.endswith("_stop_0") or then.uuid.endswith("_demote_0"):
        rsc = first.rsc
    else:
        rsc = then.rsc
    return is_true(rsc.meta.get("interleave"))


def _update_noninterleaved_actions(sch: Scheduler, instance: Resource, first: Action,
                                   then: Action, node: Node | None, flags: int, filter_: int,
                                   type_: int) -> int:
    instance_action = find_first_action(instance.actions, None, then.task, node)
    if instance_action is None:
        return UPDATED_NONE
    instance_flags = methods(instance).action_flags(instance_action, node)
    if not (instance_flags & AF.RUNNABLE):
        return UPDATED_NONE
    changed = methods(instance).update_ordered_actions(sch, first, instance_action, node, flags,
                                                       filter_, type_)
    if changed & UPDATED_THEN:
        for after in list(instance_action.actions_after):
            update_action_for_orderings(sch, after.action)
    return changed


def instance_update_ordered_actions(sch: Scheduler, first: Action, then: Action,
                                    node: Node | None, flags: int, filter_: int,
                                    type_: int) -> int:
    """pcmk__instance_update_ordered_actions."""
    if then.rsc is None:
        return UPDATED_NONE
    if can_interleave_actions(first, then):
        return _update_interleaved_actions(sch, first, then, node, filter_, type_)
    changed = generic(sch, first, then, node, flags, filter_, type_)
    for instance in list(instance_list(then.rsc)):
        changed |= _update_noninterleaved_actions(sch, instance, first, then, node, flags,
                                                  filter_, type_)
    return changed


def collective_action_flags(action: Action, instances: list[Resource], node: Node | None) -> int:
    """pcmk__collective_action_flags."""
    any_runnable = False
    action_name = orig_action_name(action)
    flags = AF.OPTIONAL | AF.RUNNABLE | AF.PSEUDO
    for instance in instances:
        instance_node = node if instance.variant == "primitive" else None
        instance_action = find_first_action(instance.actions, None, action_name, instance_node)
        if instance_action is None:
            continue
        instance_flags = methods(instance).action_flags(instance_action, node)
        if (flags & AF.OPTIONAL) and not (instance_flags & AF.OPTIONAL):
            flags &= ~AF.OPTIONAL
            action.clear(AF.OPTIONAL)
        if instance_flags & AF.RUNNABLE:
            any_runnable = True
    if not any_runnable:
        flags &= ~AF.RUNNABLE
        if node is None:
            action.clear(AF.RUNNABLE)
    return flags


_ = Scheduler


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.status.actions import find_first_action  # noqa: E402
from pengine.schedule.update import (update_action_for_orderings,  # noqa: E402
                                     update_ordered_actions as generic, UPDATED_NONE, UPDATED_THEN)
from pengine.schedule.variants import location, methods, resource_state  # noqa: E402
