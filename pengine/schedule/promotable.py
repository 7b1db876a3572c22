"""Promotable clones: choosing which instances to promote (pcmk_sched_promotable.c).

A promotable clone is assigned like any clone; then each active instance gets
a promotion priority (its ``master-<rsc>`` node attribute, location
constraints for the promoted role, role colocations), the instances are
sorted by it, and the first ``promoted-max`` that can be promoted (at most
``promoted-node-max`` per node) get the promoted role.

While roles are chosen an instance's ``priority`` is repurposed as its
working promotion score, exactly as Pacemaker does; ``promotion_priority``
is the final sort key.  ``create_promotable_actions`` puts the resource
priorities back afterwards.

The clone variant calls, in Pacemaker's places:

- ``add_promotion_scores(sch, clone)`` before assigning instances;
- ``set_instance_roles(sch, clone)`` after assigning them;
- ``create_promotable_actions(sch, clone)`` after creating instance actions;
- ``order_promotable_instances(sch, clone)`` from internal_constraints;
- ``update_dependent_with_promotable`` / ``update_promotable_dependent_priority``
  from its apply_coloc_score, for colocations with a role.
"""

from __future__ import annotations

import functools

from pengine.status.cluster import Node, NodeWeight, Rel, Resource, Role, Scheduler
from pengine.common.scores import INFINITY, add_scores, parse_score_checked
from pengine.status.unpack_history import clone_strip


# ------------------------------------------------------------- helpers --

def _top(rsc: Resource) -> Resource:
    """pe__const_top_resource(rsc, false): the clone above an instance."""
    return rsc.top()


def _promoted_max(rsc: Resource) -> int:
    """pe__clone_promoted_max: of the top-level clone (or bundle)."""
    return _top(rsc).promoted_max


def _promoted_node_max(rsc: Resource) -> int:
    return _top(rsc).promoted_node_max


def _assigned_location(rsc: Resource) -> Node | None:
    """fns->location(rsc, NULL, pcmk__rsc_node_assigned)."""
    from pengine.schedule.variants import location
    return location(rsc, current=False, assigned=True)


def _assigned_nodes(rsc: Resource) -> list[Node]:
    from pengine.schedule.variants import node_list
    return node_list(rsc, current=False, assigned=True)


def _state(rsc: Resource, current: bool) -> Role:
    from pengine.schedule.variants import resource_state
    return resource_state(rsc, current)




def _can_run(node: Node, no_unrunnable_guest: bool = False) -> bool:
    """pcmk__node_available with pcmk__node_alive|pcmk__node_usable
    (and optionally pcmk__node_no_unrunnable_guest)."""
    if not node.available():
        return False
    if no_unrunnable_guest and node.is_guest:
        launcher = node.remote_rsc.launcher
        if _assigned_location(launcher) is None:
            return False
    return True


def _clone_flag(clone: Resource, flag: str) -> bool:
    """pe__set_clone_flag: set ``flag``; True if it was already set."""
    flags = getattr(clone, "promotable_flags", None)
    if flags is None:
        flags = set()
        clone.promotable_flags = flags
    if flag in flags:
        return True
    flags.add(flag)
    return False


# ------------------------------------------------- promotion scores ------

def _config_id(rsc: Resource) -> str:
    """The id of the resource's configuration element (its XML id)."""
    return rsc.config.id if rsc.config is not None else rsc.id


def _find_rsc_clone_only(rsc: Resource, rsc_id: str, node: Node | None) -> Resource | None:
    """native_find_rsc with pcmk_rsc_match_clone_only (and, when ``node``
    is given, pcmk_rsc_match_current_node)."""
    match = False
    if _top(rsc).variant == "clone" and (rsc_id == rsc.id or rsc_id == _config_id(rsc)):
        match = True
    if match and node is not None:
        match = any(active is node for active in rsc.running_on)
    if match:
        return rsc
    for child in rsc.children:
        found = _find_rsc_clone_only(child, rsc_id, node)
        if found is not None:
            return found
    return None


def _find_active_anon_instance(clone: Resource, rsc_id: str, node: Node) -> Resource | None:
    for child in clone.children:
        active = _find_rsc_clone_only(child, rsc_id, node)
        if active is not None:
            return active
    return None


def _anonymous_known_on(clone: Resource, rsc_id: str, node: Node) -> bool:
    for child in clone.children:
        instance = _find_rsc_clone_only(child, rsc_id, None)
        if instance is not None and node.id in instance.probed_nodes:
            return True
    return False


def _is_allowed(rsc: Resource, node: Node) -> bool:
    allowed = rsc.allowed.get(node.id)
    return allowed is not None and allowed.score >= 0


def promotion_score_applies(rsc: Resource, node: Node, memo: dict | None = None) -> bool:
    """Whether an instance's promotion score on ``node`` should count.

    ``memo`` shares, across the instances of one clone, which instance is
    active on a node and whether any has been probed there (a scan of every
    instance, otherwise repeated for each instance: instances² x nodes)."""
    rsc_id = clone_strip(rsc.id)
    parent = _top(rsc)
    if not rsc.unique:
        key = (id(parent), rsc_id, node.id)
        found = memo.get(key) if memo is not None else None
        if found is None:
            active = _find_active_anon_instance(parent, rsc_id, node)
            found = (active, active is None and _anonymous_known_on(parent, rsc_id, node))
            if memo is not None:
                memo[key] = found
        active, known_on = found
        if active is rsc:
            return _is_allowed(rsc, node)
        if known_on:
            return _is_allowed(rsc, node)
    if not rsc.running_on and not rsc.probed_nodes:
        # status unknown everywhere (cluster start-up): use permanent scores
        return _is_allowed(rsc, node)
    if node.id in rsc.probed_nodes or any(active is node for active in rsc.running_on):
        return _is_allowed(rsc, node)
    return False


def promotion_score_name(name: str) -> str:
    """pcmk_promotion_score_name: the node attribute crm_attribute --promotion sets."""
    return f"master-{name}"


def _promotion_attr_value(rsc: Resource, node: Node, name: str) -> str | None:
    target = rsc.meta.get("container-attribute-target")
    return node_attribute(node, promotion_score_name(name), target,
                          assigned=not rsc.unassigned)


def promotion_score(sch: Scheduler, rsc: Resource, node: Node,
                    memo: dict | None = None) -> tuple[int, bool]:
    """(score, is_default): an instance's promotion score on a node.

    A cloned group's score is the sum of its members'.  ``is_default`` is
    true when no score attribute was found at all.
    """
    if rsc.children:
        total = 0
        is_default = True
        for child in rsc.children:
            child_score, child_default = promotion_score(sch, child, node, memo)
            if not child_default:
                is_default = False
            total += child_score
        return total, is_default
    if not promotion_score_applies(rsc, node, memo):
        return 0, True
    # the name the resource has in its history, as crm_attribute --promotion uses
    name = rsc.history_id or rsc.id
    value = _promotion_attr_value(rsc, node, name)
    if value is None and not rsc.unique:
        # no history yet: anonymous instances also try the name without ":N"
        base = clone_strip(rsc.id)
        if base != rsc.id:
            value = _promotion_attr_value(rsc, node, base)
    if value is None:
        return 0, True
    score, valid = parse_score_checked(value, 0)
    if not valid:
        sch.warnings.append(f"Using 0 as promotion score for {rsc.id} on {node.name} "
                            f"because '{value}' is not a valid score")
        score = 0
    return score, False


def add_promotion_scores(sch: Scheduler, clone: Resource) -> None:
    """pcmk__add_promotion_scores: promotion scores into instances' node
    scores and priorities (once per clone)."""
    if _clone_flag(clone, "promotion_added"):
        return
    memo: dict = {}     # nothing below changes which instance runs or was probed where
    for child in clone.children:
        for weight in child.allowed.values():
            if not _can_run(weight.node):
                # never promoted there: adding the score would shuffle instances
                continue
            score, _ = promotion_score(sch, child, weight.node, memo)
            if score > 0:
                weight.score = add_scores(weight.score, score)
            if score > child.priority:
                child.priority = score


# ----------------------------------------------------- instance roles ----

def _set_current_role_unpromoted(rsc: Resource) -> None:
    if rsc.role == Role.STARTED:
        rsc.role = Role.UNPROMOTED
    for child in rsc.children:
        _set_current_role_unpromoted(child)


def _set_next_role_unpromoted(rsc: Resource) -> None:
    if not _assigned_nodes(rsc):
        rsc.next_role = Role.STOPPED
    else:
        rsc.next_role = Role.UNPROMOTED
    for child in rsc.children:
        _set_next_role_unpromoted(child)


def _set_next_role_promoted(rsc: Resource) -> None:
    if rsc.next_role == Role.UNKNOWN:
        rsc.next_role = Role.PROMOTED
    for child in rsc.children:
        _set_next_role_promoted(child)


def _apply_promoted_locations(instance: Resource, locations, chosen: Node) -> None:
    """Promoted-role location scores for the chosen node, into the priority."""
    for location in locations:
        if location.role != Role.PROMOTED:
            continue
        for node, score in location.nodes or ():
            if node.id == chosen.id:
                instance.priority = add_scores(instance.priority, score)
                break


def _set_instance_priority(sch: Scheduler, clone: Resource, instance: Resource) -> None:
    from pengine.schedule.variants import methods, this_with_colocations
    if _state(instance, True) == Role.STARTED:
        _set_current_role_unpromoted(instance)
    # only an instance that will be active can be promoted
    nodes = _assigned_nodes(instance)
    if len(nodes) > 1:
        sch.warnings.append(f"Cannot promote non-colocated child {instance.id}")
    chosen = nodes[0] if len(nodes) == 1 else None
    if chosen is None:
        return
    next_role = _state(instance, False)
    if next_role in (Role.STARTED, Role.UNKNOWN):
        score, is_default = promotion_score(sch, instance, chosen)
        # -1 without any score: location constraints alone may still
        # promote, but nothing is promoted without either
        instance.priority = -1 if is_default else score
    elif next_role in (Role.UNPROMOTED, Role.STOPPED):
        instance.priority = -INFINITY
    _apply_promoted_locations(instance, instance.locations, chosen)
    _apply_promoted_locations(instance, clone.locations, chosen)
    for colocation in this_with_colocations(instance):
        methods(instance).apply_coloc_score(sch, instance, colocation.primary, colocation, True)
    instance.promotion_priority = instance.priority
    if next_role == Role.PROMOTED:
        instance.promotion_priority = INFINITY


def _add_promotion_priority_to_node_score(clone: Resource, child: Resource) -> None:
    if child.promotion_priority < 0:
        return
    chosen = _assigned_location(child)
    if chosen is None:
        return
    weight = clone.allowed.get(chosen.id)
    if weight is not None:
        weight.score = add_scores(child.promotion_priority, weight.score)


def _apply_coloc_to_primary(sch: Scheduler, clone: Resource, colocation) -> None:
    """A colocation with the clone's promoted role pulls promotion toward
    where the dependent prefers to be."""
    from pengine.schedule.colocation import SELECT_ACTIVE, SELECT_NONNEGATIVE, has_influence
    from pengine.schedule.variants import methods
    if colocation.primary_role != Role.PROMOTED or not has_influence(colocation):
        return
    dependent = colocation.dependent
    factor = colocation.score / float(INFINITY)
    clone.allowed = methods(dependent).add_colocated_node_scores(
        sch, dependent, clone, clone.id, clone.allowed, colocation, factor,
        SELECT_ACTIVE | SELECT_NONNEGATIVE)


def _set_promotion_priority_to_node_score(clone: Resource, child: Resource) -> None:
    chosen = _assigned_location(child)
    if not child.managed and child.next_role == Role.PROMOTED:
        child.promotion_priority = INFINITY
    elif chosen is None:
        child.promotion_priority = -INFINITY
    elif child.promotion_priority < 0:
        pass
    else:
        weight = clone.allowed.get(chosen.id)
        if weight is not None:
            child.promotion_priority = weight.score


def cmp_promotable_instance(sch: Scheduler, a: Resource, b: Resource) -> int:
    """Higher promotion priority first, then higher current role, then the
    usual instance order."""
    from pengine.schedule.instances import cmp_instance
    if a.promotion_priority > b.promotion_priority:
        return -1
    if a.promotion_priority < b.promotion_priority:
        return 1
    role_a, role_b = _state(a, True), _state(b, True)
    if role_a > role_b:
        return -1
    if role_a < role_b:
        return 1
    return cmp_instance(sch, a, b)


def _require_promotion_tickets(sch: Scheduler, clone: Resource) -> None:
    """pcmk__require_promotion_tickets (pcmk_sched_tickets.c), where ticket
    constraints are handled."""
    from pengine.schedule import tickets
    require = getattr(tickets, "require_promotion_tickets", None)
    if require is not None:
        require(sch, clone)


def _sort_promotable_instances(sch: Scheduler, clone: Resource) -> None:
    from pengine.schedule.variants import with_this_colocations
    if _clone_flag(clone, "promotion_constrained"):
        return
    clone.updating_nodes = True
    for child in clone.children:
        _add_promotion_priority_to_node_score(clone, child)
    # "this with" colocations were applied by _set_instance_priority
    for colocation in with_this_colocations(clone):
        _apply_coloc_to_primary(sch, clone, colocation)
    _require_promotion_tickets(sch, clone)
    for child in clone.children:
        _set_promotion_priority_to_node_score(clone, child)
    clone.children.sort(key=functools.cmp_to_key(
        functools.partial(cmp_promotable_instance, sch)))
    clone.updating_nodes = False


def _node_to_be_promoted_on(rsc: Resource) -> NodeWeight | None:
    """The clone's allowed-node entry where ``rsc`` would be promoted, if it can be."""
    for child in rsc.children:
        if _node_to_be_promoted_on(child) is None:
            return None
    node = _assigned_location(rsc)
    if node is None:
        return None
    if not rsc.managed:
        if _state(rsc, True) != Role.PROMOTED:
            return None
        # an unmanaged promoted instance stays promoted
    elif rsc.priority < 0:
        return None
    elif not _can_run(node, no_unrunnable_guest=True):
        return None
    parent = _top(rsc)
    local = parent.allowed.get(node.id)
    if local is None:
        return None
    if local.count >= _promoted_node_max(parent) and rsc.managed:
        return None
    return local


def _show_promotion_score(sch: Scheduler, instance: Resource) -> None:
    from pengine.schedule.score_log import show_promotion_score   # -s output, only when asked
    show_promotion_score(sch, instance, _assigned_location(instance),
                         instance.promotion_priority)


def _set_instance_role(sch: Scheduler, instance: Resource, promoted: int) -> int:
    """Promote ``instance`` if it is among the first eligible; returns the
    new count of promoted instances."""
    clone = _top(instance)
    _show_promotion_score(sch, instance)
    chosen = None
    if instance.promotion_priority < 0:
        pass
    elif promoted < _promoted_max(instance) or not clone.managed:
        chosen = _node_to_be_promoted_on(instance)
    if chosen is None:
        _set_next_role_unpromoted(instance)
        return promoted
    from pengine.status.cluster import NoQuorum
    if instance.role < Role.PROMOTED and not sch.quorate \
            and sch.no_quorum_policy == NoQuorum.FREEZE:
        sch.warnings.append(f"Clone instance {instance.id} cannot be promoted without quorum")
        _set_next_role_unpromoted(instance)
        return promoted
    chosen.count += 1
    _set_next_role_promoted(instance)
    return promoted + 1


def set_instance_roles(sch: Scheduler, clone: Resource) -> None:
    """pcmk__set_instance_roles: choose the instances to promote."""
    # the clone's node counts now count promoted instances
    for weight in clone.allowed.values():
        weight.count = 0
    for instance in list(clone.children):
        _set_instance_priority(sch, clone, instance)
    _sort_promotable_instances(sch, clone)
    promoted = 0
    for instance in list(clone.children):
        promoted = _set_instance_role(sch, instance, promoted)


# ------------------------------------------------------------ actions ----

def _check_for_role_change(rsc: Resource, changes: dict) -> None:
    if rsc.children:
        for child in rsc.children:
            _check_for_role_change(child, changes)
        return
    for action in rsc.actions:
        if changes["promoting"] and changes["demoting"]:
            return
        if action.optional:
            continue
        if action.task == "demote":
            changes["demoting"] = True
        elif action.task == "promote":
            changes["promoting"] = True


def create_promotable_pseudo_ops(sch: Scheduler, clone: Resource, any_promoting: bool,
                                 any_demoting: bool) -> None:
    """pe__create_promotable_pseudo_ops: the clone's promote/promoted and
    demote/demoted pseudo-actions, with their notifications."""
    from pengine.status.actions import rsc_pseudo_action
    from pengine.schedule.notifications import action_notif_pseudo_ops, clone_notify_data
    from pengine.schedule.ordering import order_actions
    data = clone_notify_data(clone)
    action = rsc_pseudo_action(sch, clone, "promote", not any_promoting, True)
    complete = rsc_pseudo_action(sch, clone, "promoted", not any_promoting, True)
    complete.priority = INFINITY
    if data.get("promote") is None:
        data["promote"] = action_notif_pseudo_ops(sch, clone, "promote", action, complete)
    action = rsc_pseudo_action(sch, clone, "demote", not any_demoting, True)
    complete = rsc_pseudo_action(sch, clone, "demoted", not any_demoting, True)
    complete.priority = INFINITY
    if data.get("demote") is None:
        data["demote"] = action_notif_pseudo_ops(sch, clone, "demote", action, complete)
        stop, start = data.get("stop"), data.get("start")
        promote, demote = data["promote"], data["demote"]
        if promote is not None and stop is not None and start is not None:
            # stop and start notifications finish before promote's begin;
            # demote's finish before any others begin
            order_actions(stop.post_done, promote.pre, Rel.ORDERED)
            order_actions(start.post_done, promote.pre, Rel.ORDERED)
            order_actions(demote.post_done, promote.pre, Rel.ORDERED)
            order_actions(demote.post_done, start.pre, Rel.ORDERED)
            order_actions(demote.post_done, stop.pre, Rel.ORDERED)


def create_promotable_actions(sch: Scheduler, clone: Resource) -> None:
    """pcmk__create_promotable_actions."""
    from pengine.schedule.variants import methods
    changes = {"promoting": False, "demoting": False}
    for instance in list(clone.children):
        methods(instance).create_actions(sch, instance)
        _check_for_role_change(instance, changes)
    create_promotable_pseudo_ops(sch, clone, changes["promoting"], changes["demoting"])
    # instance priorities served as promotion scores: put them back
    for instance in clone.children:
        instance.priority = clone.priority


# ---------------------------------------------------------- orderings ----

def promotable_restart_ordering(sch: Scheduler, clone: Resource) -> None:
    """pcmk__promotable_restart_ordering."""
    from pengine.schedule.ordering import promotable_restart_ordering as impl
    impl(sch, clone)


def _order_instance_promotion(sch: Scheduler, clone: Resource, child: Resource,
                              last: Resource | None) -> None:
    from pengine.schedule.ordering import order_resource_actions
    # promote clone -> promote instance -> clone promoted
    order_resource_actions(sch, clone, "promote", child, "promote", Rel.ORDERED)
    order_resource_actions(sch, child, "promote", clone, "promoted", Rel.ORDERED)
    if last is not None and clone.clone_ordered:
        order_resource_actions(sch, last, "promote", child, "promote", Rel.ORDERED)


def _order_instance_demotion(sch: Scheduler, clone: Resource, child: Resource,
                             last: Resource | None) -> None:
    from pengine.schedule.ordering import order_resource_actions
    # demote clone -> demote instance -> clone demoted
    order_resource_actions(sch, clone, "demote", child, "demote",
                           Rel.THEN_IMPLIES_FIRST_GRAPHED)
    order_resource_actions(sch, child, "demote", clone, "demoted",
                           Rel.FIRST_IMPLIES_THEN_GRAPHED)
    if last is not None and clone.clone_ordered:
        order_resource_actions(sch, child, "demote", last, "demote", Rel.ORDERED)


def order_promotable_instances(sch: Scheduler, clone: Resource) -> None:
    """pcmk__order_promotable_instances."""
    from pengine.schedule.ordering import order_resource_actions
    promotable_restart_ordering(sch, clone)
    previous = None
    for instance in clone.children:
        order_resource_actions(sch, instance, "demote", instance, "promote", Rel.ORDERED)
        _order_instance_promotion(sch, clone, instance, previous)
        _order_instance_demotion(sch, clone, instance, previous)
        previous = instance


# --------------------------------------------------------- colocations ---

def _update_dependent_allowed_nodes(dependent: Resource, primary: Resource, primary_node: Node,
                                    colocation) -> None:
    from pengine.schedule.colocation import node_attr
    if colocation.score >= INFINITY:
        return  # mandatory: the intersection below decides
    attr = colocation.node_attribute
    primary_value = node_attr(primary_node, attr, primary)
    for weight in dependent.allowed.values():
        value = node_attr(weight.node, attr, dependent)
        if _same_value(primary_value, value):
            weight.score = add_scores(weight.score, colocation.score)


def _same_value(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.lower() == b.lower()


def _assigned_weight(instance: Resource, node: Node) -> NodeWeight:
    """The node as the instance was assigned to it, with the score it carried
    then (Pacemaker keeps that scored copy as the assigned node; a cloned
    group's location is its first member's)."""
    for prim in instance.primitives():
        if prim.assigned_node is node:
            return NodeWeight(node, prim.assigned_score)
    return NodeWeight(node, 0)


def update_dependent_with_promotable(sch: Scheduler, primary: Resource, dependent: Resource,
                                     colocation) -> None:
    """pcmk__update_dependent_with_promotable: place a dependent by where the
    primary's instances will have the colocation's role."""
    from pengine.schedule.colocation import intersect_nodes
    affected: list[NodeWeight] = []
    for instance in primary.children:
        node = _assigned_location(instance)
        if node is None:
            continue
        if _state(instance, False) == colocation.primary_role:
            _update_dependent_allowed_nodes(dependent, primary, node, colocation)
            affected.insert(0, _assigned_weight(instance, node))
    # mandatory: only where such an instance is, with its score added; but
    # not promoted-with-promoted, or inactive dependents could not start
    if colocation.score >= INFINITY and (colocation.dependent_role != Role.PROMOTED
                                         or colocation.primary_role != Role.PROMOTED):
        intersect_nodes(dependent, primary, colocation, affected, True)


def _instance_matches_attr(instance: Resource, value: str | None, role: Role, attr: str,
                           primary: Resource) -> bool:
    """pcmk__instance_matches, by node attribute value rather than node."""
    from pengine.schedule.colocation import node_attr
    from pengine.schedule.instances import is_set_recursive
    if role != Role.UNKNOWN and role != _state(instance, False):
        return False
    if is_set_recursive(instance, "blocked"):
        return False
    instance_node = _assigned_location(instance)
    if instance_node is None:
        return False
    return _same_value(node_attr(instance_node, attr, primary), value)


def _find_compatible_instance(sch: Scheduler, dependent: Resource, primary: Resource,
                              colocation) -> Resource | None:
    """pcmk__find_compatible_instance for a role colocation: an instance of
    the primary in the colocation's role on a node with the dependent's
    node attribute value (the node itself for the default #uname)."""
    from pengine.schedule.assign import sort_nodes
    from pengine.schedule.colocation import node_attr
    from pengine.schedule.instances import find_compatible_instance, instance_list
    attr = colocation.node_attribute
    role = colocation.primary_role
    if attr in (None, "#uname"):
        return find_compatible_instance(dependent, primary, role, False, sch)
    node = _assigned_location(dependent)
    candidates = [node] if node is not None else \
        [weight.node for weight in sort_nodes(sch, list(dependent.allowed.values()), None)]
    for candidate in candidates:
        value = node_attr(candidate, attr, dependent)
        for instance in instance_list(primary):
            if _instance_matches_attr(instance, value, role, attr, primary):
                return instance
    return None


def update_promotable_dependent_priority(sch: Scheduler, primary: Resource, dependent: Resource,
                                         colocation) -> int:
    """pcmk__update_promotable_dependent_priority: the score added to the
    dependent's promotion priority."""
    instance = _find_compatible_instance(sch, dependent, primary, colocation)
    if instance is not None:
        dependent.priority = add_scores(dependent.priority, colocation.score)
        return colocation.score
    if colocation.score >= INFINITY:
        # mandatory, but the primary will not be here in that role
        dependent.priority = -INFINITY
        return -INFINITY
    return 0


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.schedule.remote import node_attribute  # noqa: E402
