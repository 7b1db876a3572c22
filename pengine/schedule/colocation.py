"""Colocation constraints: unpacking and their effect on node scores.

Follows pcmk_sched_colocation.c.  A colocation says the dependent should
(score > 0) or should not (score < 0) run where the primary runs; mandatory
ones (±INFINITY) are requirements, others preferences that also attenuate
into the primary's own choice through ``add_colocated_node_scores``.
"""

from __future__ import annotations

from pengine.cib import model as m
from pengine.status.cluster import AF, Colocation, NodeWeight, Rel, Resource, Role, Scheduler, copy_table
from pengine.common.scores import INFINITY, add_scores, parse_score_checked

INFINITY_HACK = INFINITY * -100

_VARIANT_RANK = {"primitive": 0, "group": 1, "clone": 2, "bundle": 3}


def _cmp_priority(c1: Colocation, c2: Colocation, dependent: bool) -> int:
    r1 = c1.dependent if dependent else c1.primary
    r2 = c2.dependent if dependent else c2.primary
    if r1.priority > r2.priority:
        return -1
    if r1.priority < r2.priority:
        return 1
    v1, v2 = _VARIANT_RANK[r1.variant], _VARIANT_RANK[r2.variant]
    if v1 > v2:
        return -1
    if v1 < v2:
        return 1
    if r1.variant == "clone":
        if r1.promotable and not r2.promotable:
            return -1
        if not r1.promotable and r2.promotable:
            return 1
    return (r1.id > r2.id) - (r1.id < r2.id)


def _insert_sorted(lst: list, colocation: Colocation, dependent: bool) -> None:
    """g_list_insert_sorted: after every element that does not sort later."""
    for index, other in enumerate(lst):
        if _cmp_priority(colocation, other, dependent) < 0:
            lst.insert(index, colocation)
            return
    lst.append(colocation)


def add_this_with(lst: list, colocation: Colocation) -> None:
    _insert_sorted(lst, colocation, dependent=False)


def add_with_this(lst: list, colocation: Colocation) -> None:
    _insert_sorted(lst, colocation, dependent=True)


def _anti_colocation_order(sch: Scheduler, first: Resource, first_role: Role, then: Resource,
                           then_role: Role) -> None:
    from pengine.schedule.ordering import order_resource_actions
    if first_role == Role.PROMOTED:
        first_tasks = ["demote"]
    else:
        first_tasks = ["stop"] + (["promote"] if first_role == Role.UNPROMOTED else [])
    if then_role == Role.PROMOTED:
        then_tasks = ["promote"]
    else:
        then_tasks = ["start"] + (["demote"] if then_role == Role.UNPROMOTED else [])
    for first_task in first_tasks:
        for then_task in then_tasks:
            order_resource_actions(sch, first, first_task, then, then_task,
                                   Rel.IF_REQUIRED_ON_SAME_NODE)


def _parse_constraint_role(text: str | None):
    from pengine.status.cluster import parse_role
    if text is None:
        return True, Role.UNKNOWN
    role = parse_role(text)
    if role is None:
        return False, Role.UNKNOWN
    if role == Role.STARTED:
        return True, Role.UNKNOWN
    return True, role


def new_colocation(sch: Scheduler, cid: str, node_attr: str | None, score: int,
                   dependent: Resource | None, primary: Resource | None,
                   dependent_role: str | None, primary_role: str | None,
                   explicit: bool, influence: bool) -> Colocation | None:
    if dependent is None or primary is None:
        return None
    ok1, role1 = _parse_constraint_role(dependent_role)
    ok2, role2 = _parse_constraint_role(primary_role)
    if not ok1 or not ok2 or score == 0:
        return None
    colocation = Colocation(cid, dependent, primary, score, role1, role2,
                            node_attr or "#uname", explicit, influence)
    add_this_with(dependent.this_with, colocation)
    add_with_this(primary.with_this, colocation)
    sch.colocations.insert(0, colocation)
    if score <= -INFINITY:
        _anti_colocation_order(sch, dependent, role1, primary, role2)
        _anti_colocation_order(sch, primary, role2, dependent, role1)
    return colocation


def _influence(rsc: Resource, influence_s: str | None) -> bool:
    if influence_s is not None:
        text = influence_s.strip().lower()
        if text in ("true", "on", "yes", "y", "1"):
            return True
        if text in ("false", "off", "no", "n", "0"):
            return False
    return rsc.critical


def _is_false(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("false", "off", "no", "n", "0")


def unpack_colocation(sch: Scheduler, cons: m.Colocation) -> None:
    from pengine.schedule.constraints import constraint_resource
    score = 0
    if cons.score is not None:
        score, valid = parse_score_checked(cons.score, 0)
        if not valid:
            return
    last = None
    for rset in cons.resource_sets:
        _unpack_colocation_set(sch, rset, score, cons.id, cons.influence, constraint_resource)
        if last is not None:
            _colocate_rsc_sets(sch, cons.id, last, rset, score, cons.influence, constraint_resource)
        last = rset
    if last is None:
        dependent = constraint_resource(sch, cons.rsc)
        primary = constraint_resource(sch, cons.with_rsc)
        if dependent is None or primary is None:
            return
        new_colocation(sch, cons.id, cons.node_attribute, score, dependent, primary,
                       cons.rsc_role, cons.with_rsc_role, True, _influence(dependent, cons.influence))


def _unpack_colocation_set(sch, rset: m.ResourceSet, score: int, cid: str, influence_s, find):
    local = score
    if rset.score is not None:
        local, valid = parse_score_checked(rset.score, 0)
        if not valid:
            return
    if local == 0:
        return
    with_previous = rset.ordering is None or rset.ordering.lower() == "group"
    if _is_false(rset.sequential):
        return
    set_id = rset.id or rset.id_ref or cid  # an id-less set means the same
    role = rset.role
    if local > 0:
        other = None
        for rid in rset.resources:
            resource = find(sch, rid)
            if resource is None:
                return
            if other is not None:
                influence = _influence(resource, influence_s)
                if with_previous:
                    new_colocation(sch, set_id, None, local, resource, other, role, role, True,
                                   influence)
                else:
                    new_colocation(sch, set_id, None, local, other, resource, role, role, True,
                                   influence)
            other = resource
    else:
        for index, rid in enumerate(rset.resources):
            resource = find(sch, rid)
            if resource is None:
                return
            influence = _influence(resource, influence_s)
            for rid_with in rset.resources[:index]:
                if rid_with == resource.id:
                    break
                other = find(sch, rid_with)
                new_colocation(sch, set_id, None, local, resource, other, role, role, True,
                               influence)


def _colocate_rsc_sets(sch, cid, set1: m.ResourceSet, set2: m.ResourceSet, score, influence_s,
                       find):
    if score == 0:
        return
    rsc1 = rsc2 = None
    if not _is_false(set1.sequential) and set1.resources:
        rsc1 = find(sch, set1.resources[0])
        if rsc1 is None:
            return
    if not _is_false(set2.sequential) and set2.resources:
        rsc2 = find(sch, set2.resources[-1])
        if rsc2 is None:
            return
    role1, role2 = set1.role, set2.role
    if rsc1 is not None and rsc2 is not None:
        new_colocation(sch, cid, None, score, rsc1, rsc2, role1, role2, True,
                       _influence(rsc1, influence_s))
    elif rsc1 is not None:
        for rid in set2.resources:
            other = find(sch, rid)
            if other is not None:
                new_colocation(sch, cid, None, score, rsc1, other, role1, role2, True,
                               _influence(rsc1, influence_s))
    elif rsc2 is not None:
        for rid in set1.resources:
            other = find(sch, rid)
            if other is not None:
                new_colocation(sch, cid, None, score, other, rsc2, role1, role2, True,
                               _influence(other, influence_s))
    else:
        for rid1 in set1.resources:
            first = find(sch, rid1)
            if first is None:
                continue
            for rid2 in set2.resources:
                second = find(sch, rid2)
                if second is not None:
                    new_colocation(sch, cid, None, score, first, second, role1, role2, True,
                                   _influence(first, influence_s))


# ------------------------------------------------------------- effects --

def has_influence(colocation: Colocation, rsc: Resource | None = None) -> bool:
    if rsc is None:
        rsc = colocation.primary
    if colocation.dependent.remote_nesting_allowed and not rsc.failed and len(rsc.running_on) == 1:
        return False
    return colocation.influence or not rsc.running_on


def node_attr(node, attr: str, rsc: Resource | None):
    """pcmk__colocation_node_attr: the attribute on the node or its host."""
    if node.variant != "remote":    # only a guest node reads its host's attributes
        return node.attrs.get(attr)
    target = None
    if node.is_guest and rsc is not None and rsc.is_bundled() and node.remote_rsc is not None \
            and node.remote_rsc.launcher is not None and node.remote_rsc.launcher.replica_container \
            and rsc.top() is _bundled_resource(rsc):
        # the bundled resource itself is looked up on the container's host
        target = "host"
    elif rsc is not None:
        target = rsc.meta.get("container-attribute-target")
    return node_attribute(node, attr, target)


def _bundled_resource(rsc: Resource):
    """pe__bundled_resource: the resource a bundle wraps (not its IPs or containers)."""
    from pengine.status.bundles import bundled_resource
    bundle = rsc.top(include_bundle=True)
    return bundled_resource(bundle) if bundle.variant == "bundle" else None


def _role_rsc(rsc: Resource) -> Resource:
    if rsc.replica_container:
        from pengine.status.bundles import rsc_in_container
        child = rsc_in_container(rsc)
        if child is not None:
            return child
    return rsc


AFFECTS_NOTHING, AFFECTS_LOCATION, AFFECTS_ROLE = 0, 1, 2


def colocation_affects(dependent: Resource, primary: Resource, colocation: Colocation,
                       preview: bool) -> int:
    if not preview and primary.unassigned:
        return AFFECTS_NOTHING
    dep_role_rsc = _role_rsc(dependent)
    prim_role_rsc = _role_rsc(primary)
    if colocation.dependent_role >= Role.UNPROMOTED and dep_role_rsc.parent is not None \
            and dep_role_rsc.parent.promotable and not dep_role_rsc.unassigned:
        return AFFECTS_ROLE
    if not preview and not dependent.unassigned:
        return AFFECTS_NOTHING
    if colocation.dependent_role != Role.UNKNOWN and colocation.dependent_role != dep_role_rsc.next_role:
        return AFFECTS_NOTHING
    if colocation.primary_role != Role.UNKNOWN and colocation.primary_role != prim_role_rsc.next_role:
        return AFFECTS_NOTHING
    return AFFECTS_LOCATION


def any_node_available(table: dict, no_negative: bool = True) -> bool:
    for weight in table.values():
        if weight.node.available() and (not no_negative or weight.score >= 0):
            return True
    return False


def apply_coloc_to_scores(dependent: Resource, primary: Resource, colocation: Colocation) -> None:
    attr = colocation.node_attribute
    value = None
    if primary.assigned_node is not None:
        value = node_attr(primary.assigned_node, attr, primary)
    elif colocation.score < 0:
        return
    work = copy_table(dependent.allowed)
    for weight in work.values():
        if primary.assigned_node is None:
            weight.score = add_scores(-colocation.score, weight.score)
            continue
        if _str_eq_casei(node_attr(weight.node, attr, dependent), value):
            if colocation.score < INFINITY:
                weight.score = add_scores(colocation.score, weight.score)
            continue
        if colocation.score >= INFINITY:
            weight.score = -INFINITY
    if colocation.score <= -INFINITY or colocation.score >= INFINITY or any_node_available(work):
        dependent.allowed = work


def _str_eq_casei(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return a.lower() == b.lower()


def apply_coloc_to_priority(dependent: Resource, primary: Resource, colocation: Colocation) -> int:
    attr = colocation.node_attribute
    primary_node = primary.assigned_node
    dependent_node = dependent.assigned_node
    if dependent_node is None:
        return 0
    if primary_node is not None and colocation.primary_role != Role.UNKNOWN:
        if colocation.primary_role != _role_rsc(primary).next_role:
            return 0
    dep_value = node_attr(dependent_node, attr, dependent)
    prim_value = node_attr(primary_node, attr, primary) if primary_node is not None else None
    multiplier = 1
    if not _str_eq_casei(dep_value, prim_value):
        if colocation.score == INFINITY and colocation.dependent_role == Role.PROMOTED:
            multiplier = -1
        else:
            return 0
    elif colocation.dependent_role == Role.UNPROMOTED:
        multiplier = -1
    # while promotion roles are chosen, an instance's priority is its
    # working promotion score (see pengine.promotable)
    delta = multiplier * colocation.score
    dependent.priority = add_scores(delta, dependent.priority)
    return delta


def _best_node_scores_by_attr(sch: Scheduler, colocation: Colocation, rsc: Resource,
                              attr: str) -> dict:
    """best_node_score_matching_attr for every attribute value at once: the
    best score of ``rsc`` on an available node, by the node's value of
    ``attr`` (compared case-insensitively; None matches None).  Asking per
    node made each colocation cost nodes² attribute look-ups."""
    saved = None
    if colocation is not None and rsc is colocation.dependent and colocation.explicit \
            and rsc.parent is not None and rsc.parent.variant == "group" \
            and rsc is not rsc.parent.children[0]:
        saved = rsc.allowed
        rsc.allowed = copy_table(saved)
        for location in reversed(sch.locations):
            if location.rsc is rsc.parent:
                methods(rsc).apply_location(rsc, location)
    best: dict = {}
    for weight in rsc.allowed.values():
        if weight.node.available():
            key = _casei_key(node_attr(weight.node, attr, rsc))
            if weight.score > best.get(key, -INFINITY):
                best[key] = weight.score
    if saved is not None:
        rsc.allowed = saved
    return best


def _casei_key(value):
    """The key under which _str_eq_casei finds ``value`` equal."""
    return value.lower() if value is not None else None


def _allowed_on_one(rsc: Resource) -> bool:
    count = 0
    for weight in rsc.allowed.values():
        if weight.score >= 0:
            count += 1
            if count > 1:
                return False
    return count == 1


def _add_node_scores_matching_attr(sch: Scheduler, nodes: dict, source: Resource,
                                   target: Resource, colocation: Colocation, factor: float,
                                   only_positive: bool) -> None:
    attr = colocation.node_attribute
    best = _best_node_scores_by_attr(sch, colocation, source, attr)
    for weight in nodes.values():
        value = node_attr(weight.node, attr, target)
        score = best.get(_casei_key(value), -INFINITY)
        if factor < 0 and score < 0:
            if colocation.primary.stickiness >= -score or not has_influence(colocation) \
                    or not _allowed_on_one(colocation.dependent):
                continue
        if weight.score == INFINITY_HACK:
            continue
        delta_f = factor * score
        delta = int(delta_f - 0.5) if delta_f < 0 else int(delta_f + 0.5)
        if delta == 0 and score != 0:
            if factor > 0.0:
                delta = 1
            elif factor < 0.0:
                delta = -1
        new_score = add_scores(delta, weight.score)
        if only_positive and new_score < 0 and weight.score > 0:
            weight.score = INFINITY_HACK
            continue
        if only_positive and new_score < 0 and weight.score == 0:
            continue
        weight.score = new_score


SELECT_THIS_WITH = 1
SELECT_NONNEGATIVE = 2
SELECT_ACTIVE = 4


def add_colocated_node_scores(sch: Scheduler, source: Resource, target: Resource | None,
                              log_id: str | None, nodes: dict | None,
                              colocation: Colocation | None, factor: float, flags: int) -> dict | None:
    """pcmk__add_colocated_node_scores; returns the updated table (or the
    input unchanged when rolled back).

    Pacemaker recurses along the colocation chain; here each step is a
    generator that yields the call it would make and receives its result,
    and this loop keeps the stack, so a chain of thousands of resources (or
    a group of hundreds of members) does not hit Python's recursion limit."""
    stack = [_colocated_scores_steps(sch, source, target, log_id, nodes, colocation, factor,
                                     flags)]
    result = None
    while stack:
        try:
            call = stack[-1].send(result)
        except StopIteration as done:
            stack.pop()
            result = done.value
            continue
        stack.append(_colocated_scores_steps(sch, *call))
        result = None
    return result


def _colocated_scores_steps(sch: Scheduler, source: Resource, *args):
    """The steps of one call, by variant (a group delegates to a member)."""
    if source.variant == "group":
        from pengine.schedule.variants.group import colocated_scores_steps
        return colocated_scores_steps(sch, source, *args)
    return _node_scores_steps(sch, source, *args)


def _node_scores_steps(sch: Scheduler, source: Resource, target: Resource | None,
                       log_id: str | None, nodes: dict | None,
                       colocation: Colocation | None, factor: float, flags: int):
    if source.updating_nodes:
        return nodes
    source.updating_nodes = True
    if nodes is None:
        work = copy_table(source.allowed)
        target = source
    else:
        work = copy_table(nodes)
        _add_node_scores_matching_attr(sch, work, source, target, colocation, factor,
                                       bool(flags & SELECT_NONNEGATIVE))
    if any_node_available(work):
        if flags & SELECT_THIS_WITH:
            colocations = this_with_colocations(source)
        else:
            colocations = with_this_colocations(source)
        flags |= SELECT_ACTIVE
        for constraint in colocations:
            other_factor = factor * constraint.score / float(INFINITY)
            if flags & SELECT_THIS_WITH:
                other = constraint.primary
            elif not has_influence(constraint):
                continue
            else:
                other = constraint.dependent
            work = yield (other, target, log_id, work, constraint, other_factor, flags)
    elif flags & SELECT_ACTIVE:
        source.updating_nodes = False
        return nodes
    if flags & SELECT_NONNEGATIVE:
        for weight in work.values():
            if weight.score == INFINITY_HACK:
                weight.score = 1
    source.updating_nodes = False
    return work


def add_dependent_scores(sch: Scheduler, colocation: Colocation, primary: Resource) -> None:
    from pengine.schedule.variants import methods
    dependent = colocation.dependent
    factor = colocation.score / float(INFINITY)
    flags = SELECT_ACTIVE
    if not has_influence(colocation):
        return
    if primary.variant == "clone":
        flags |= SELECT_NONNEGATIVE
    primary.allowed = methods(dependent).add_colocated_node_scores(
        sch, dependent, primary, dependent.id, primary.allowed, colocation, factor, flags)


def intersect_nodes(dependent: Resource, primary: Resource, colocation: Colocation,
                    primary_nodes: list, merge_scores: bool) -> None:
    by_id = {}
    for weight in primary_nodes:
        by_id.setdefault(weight.node.id, weight)   # pe_find_node_id: the first match
    for weight in dependent.allowed.values():
        primary_weight = by_id.get(weight.node.id)
        if primary_weight is None:
            weight.score = -INFINITY
        elif merge_scores:
            weight.score = add_scores(weight.score, primary_weight.score)


# ------------------------------------------------- blocking dependents --

def _mark_action_blocked_steps(sch: Scheduler, rsc: Resource, task: str, reason: Resource):
    text = f"colocation with {reason.id}"
    for action in list(rsc.actions):
        if action.runnable and action.task == task:
            action.clear(AF.RUNNABLE)
            set_reason(action, text, False)
            yield ("block", action)
            yield ("update", action)
    for child in rsc.children:
        yield from _mark_action_blocked_steps(sch, child, task, reason)


def block_colocation_dependents(sch: Scheduler, action) -> None:
    """pcmk__block_colocation_dependents.  Blocking a dependent's start blocks
    its own dependents and cascades along its orderings, as far as the
    user's chains go: run on the ordering cascade's explicit stack."""
    cascade(sch, ("block", action))


def block_dependents_steps(sch: Scheduler, action):
    """One call of block_colocation_dependents; the calls it makes (to
    itself and to update_action_for_orderings) are yielded as
    ("block", action) and ("update", action)."""
    if action.runnable:
        return
    is_start = action.task == "start"
    if not is_start and action.task != "promote":
        return
    rsc = action.rsc.top()
    if rsc.parent is not None:
        rsc = rsc.parent
    for child in rsc.children:
        child_action = find_first_action(child.actions, None, action.task, None)
        if child_action is None or child_action.runnable:
            return
    for colocation in with_this_colocations(rsc):
        if colocation.score < INFINITY:
            continue
        if not is_start and colocation.primary_role != Role.PROMOTED:
            continue
        if colocation.dependent_role == Role.PROMOTED:
            yield from _mark_action_blocked_steps(sch, colocation.dependent, "promote", action.rsc)
        else:
            yield from _mark_action_blocked_steps(sch, colocation.dependent, "start", action.rsc)


_ = NodeWeight


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.status.actions import find_first_action, set_reason  # noqa: E402
from pengine.schedule.remote import node_attribute  # noqa: E402
from pengine.schedule.update import cascade  # noqa: E402
from pengine.schedule.variants import methods, this_with_colocations, with_this_colocations  # noqa: E402
