"""Ordering constraints: from configuration to action relations.

Follows pcmk_sched_ordering.c: ``rsc_order`` (kinds, symmetry, sets,
``require-all``/``clone-min``) becomes resource-level orderings, which
pengine.schedule.apply_orderings expands into relations between actions once
the actions exist.
"""

from __future__ import annotations

from pengine.cib import model as m
from pengine.status.cluster import AF, Action, Ordering, Rel, Resource, Scheduler, op_key
from pengine.common.options import parse_bool
from pengine.common.scores import parse_score
from pengine.status.actions import order_actions

KIND_OPTIONAL, KIND_MANDATORY, KIND_SERIALIZE = 0, 1, 2
ASYMMETRIC, SYMMETRIC, SYMMETRIC_INVERSE = 0, 1, 2

_INVERT = {"start": "stop", "stop": "start", "promote": "demote", "demote": "promote",
           "promoted": "demoted", "demoted": "promoted", "running": "stopped",
           "stopped": "running"}


def new_ordering(sch: Scheduler, first_rsc: Resource | None, first_key: str | None,
                 first_action: Action | None, then_rsc: Resource | None, then_key: str | None,
                 then_action: Action | None, flags: int) -> Ordering:
    if first_rsc is None and first_action is not None:
        first_rsc = first_action.rsc
    if then_rsc is None and then_action is not None:
        then_rsc = then_action.rsc
    if first_key is None and first_action is not None:
        first_key = first_action.uuid
    if then_key is None and then_action is not None:
        then_key = then_action.uuid
    order = Ordering(len(sch.orderings), first_rsc, first_key, first_action, then_rsc, then_key,
                     then_action, flags)
    sch.orderings.append(order)
    order_migration_equivalents(sch, order)
    return order


def order_resource_actions(sch: Scheduler, first_rsc: Resource, first_task: str,
                           then_rsc: Resource, then_task: str, flags: int) -> Ordering:
    return new_ordering(sch, first_rsc, op_key(first_rsc.id, first_task, 0), None,
                        then_rsc, op_key(then_rsc.id, then_task, 0), None, flags)


# ------------------------------------------------------------- unpacking --

def _kind(kind: str | None, score: str | None) -> int:
    if kind is None:
        if score is not None and parse_score(score) == 0:
            return KIND_OPTIONAL
        return KIND_MANDATORY
    return {"Mandatory": KIND_MANDATORY, "Optional": KIND_OPTIONAL,
            "Serialize": KIND_SERIALIZE}.get(kind, KIND_MANDATORY)


def _symmetry(kind_attr, score_attr, symmetrical_attr, parent_kind: int,
              parent_symmetrical: str | None) -> int:
    kind = parent_kind
    if kind_attr is not None or score_attr is not None:
        kind = _kind(kind_attr, score_attr)
    symmetric = parse_bool(symmetrical_attr)
    if symmetric is None and parent_symmetrical is not None:
        symmetric = parse_bool(parent_symmetrical) is True
    if symmetric is not None:
        if symmetric and kind != KIND_SERIALIZE:
            return SYMMETRIC
        return ASYMMETRIC
    return ASYMMETRIC if kind == KIND_SERIALIZE else SYMMETRIC


def flags_for_kind(kind: int, first: str | None, symmetry: int) -> int:
    if kind == KIND_OPTIONAL:
        return Rel.ORDERED
    if kind == KIND_SERIALIZE:
        return Rel.SERIALIZE
    flags = Rel.ORDERED
    if symmetry == ASYMMETRIC:
        flags |= Rel.ASYMMETRIC
    elif symmetry == SYMMETRIC:
        flags |= Rel.FIRST_IMPLIES_THEN
        if first in ("start", "promote"):
            flags |= Rel.UNRUNNABLE_FIRST_BLOCKS
    else:
        flags |= Rel.THEN_IMPLIES_FIRST
    return flags


def _min_first_instances(rsc: Resource, require_all: str | None) -> int:
    if rsc.variant != "clone":
        return 0
    clone_min = rsc.meta.get("clone-min")
    if clone_min is not None:
        from pengine.status.history import to_int
        return max(to_int(clone_min, 0), 0)
    flag = parse_bool(require_all)
    if flag is False:
        return 1
    return 0


def _clone_min_ordering(sch: Scheduler, oid: str, first: Resource, first_task: str,
                        then: Resource, then_task: str, flags: int, clone_min: int) -> None:
    from pengine.status.actions import pseudo_op
    met = pseudo_op(sch, f"clone-one-or-more:{oid}")
    met.required_runnable_before = clone_min
    met.set(AF.MIN_RUNNABLE)
    for child in first.children:
        new_ordering(sch, child, op_key(child.id, first_task, 0), None, None, None, met,
                     Rel.MIN_RUNNABLE | Rel.FIRST_IMPLIES_THEN_GRAPHED)
    new_ordering(sch, None, None, met, then, op_key(then.id, then_task, 0), None,
                 flags | Rel.UNRUNNABLE_FIRST_BLOCKS)


def _inverse(sch: Scheduler, oid: str, kind: int, first: Resource, first_task: str,
             then: Resource, then_task: str) -> None:
    then_task2 = _INVERT.get(then_task)
    first_task2 = _INVERT.get(first_task)
    if then_task2 is None or first_task2 is None:
        sch.warnings.append(f"Cannot invert constraint '{oid}' (please specify inverse manually)")
        return
    flags = flags_for_kind(kind, first_task2, SYMMETRIC_INVERSE)
    order_resource_actions(sch, then, then_task2, first, first_task2, flags)


def unpack_orderings(sch: Scheduler) -> None:
    from pengine.schedule.constraints import constraint_resource, expand_tags
    for cons in sch.cib.configuration.constraints:
        if not isinstance(cons, m.Order):
            continue
        cons = expand_tags(sch, cons)
        if cons is None:
            continue
        _unpack_order(sch, cons, constraint_resource)


def _unpack_order(sch: Scheduler, cons: m.Order, find) -> None:
    kind = _kind(cons.kind, cons.score)
    symmetry = _symmetry(cons.kind, cons.score, cons.symmetrical, kind, None)
    last = None
    for rset in cons.resource_sets:
        rset = resolve_set(sch, rset)
        if rset is None:
            return
        if not _unpack_order_set(sch, rset, kind, cons.symmetrical, find):
            return
        if last is not None:
            if not _order_rsc_sets(sch, cons.id, last, rset, kind, symmetry, find):
                return
            if symmetry == SYMMETRIC and not _order_rsc_sets(sch, cons.id, rset, last, kind,
                                                            SYMMETRIC_INVERSE, find):
                return
        last = rset
    if last is not None:
        return
    first = find(sch, cons.first) if cons.first else None
    then = find(sch, cons.then) if cons.then else None
    if first is None or then is None:
        return
    first = _instance(first, cons.first_instance)
    then = _instance(then, cons.then_instance)
    if first is None or then is None:
        return
    first_task = cons.first_action or "start"
    then_task = cons.then_action or first_task
    flags = flags_for_kind(kind, first_task, symmetry)
    minimum = _min_first_instances(first, cons.require_all)
    if minimum > 0:
        _clone_min_ordering(sch, cons.id, first, first_task, then, then_task, flags, minimum)
    else:
        order_resource_actions(sch, first, first_task, then, then_task, flags)
    if symmetry == SYMMETRIC:
        _inverse(sch, cons.id, kind, first, first_task, then, then_task)


def _instance(rsc: Resource, instance: str | None) -> Resource | None:
    if instance is None:
        return rsc
    if rsc.variant != "clone":
        return None
    for child in rsc.children:
        if child.id.endswith(f":{instance}"):
            return child
    return None


def resolve_set(sch: Scheduler, rset: m.ResourceSet) -> m.ResourceSet | None:
    """A set given by reference (id-ref) is the set it names, or None."""
    if rset.id_ref and not rset.resources:
        for cons in sch.cib.configuration.constraints:
            for other in cons.resource_sets:
                if other.id == rset.id_ref:
                    return other
        return None
    return rset


def _unpack_order_set(sch: Scheduler, rset: m.ResourceSet, parent_kind: int,
                      parent_symmetrical: str | None, find) -> bool:
    action = rset.action or "start"
    local_kind = _kind(rset.kind, None) if rset.kind else parent_kind
    sequential = parse_bool(rset.sequential if rset.sequential is not None else "1") is True
    symmetry = _symmetry(rset.kind, rset.score, None, parent_kind, parent_symmetrical)
    flags = flags_for_kind(local_kind, action, symmetry)
    resources = []
    for rid in rset.resources:
        rsc = find(sch, rid)
        if rsc is None:
            return False
        resources.append(rsc)
    if len(resources) == 1:
        return True
    last = None
    for index, rsc in enumerate(resources):
        if local_kind == KIND_SERIALIZE:
            for then in resources[index + 1:]:
                new_ordering(sch, rsc, op_key(rsc.id, action, 0), None, then,
                             op_key(then.id, action, 0), None, flags)
        elif sequential:
            if last is not None:
                order_resource_actions(sch, last, action, rsc, action, flags)
            last = rsc
    if symmetry == ASYMMETRIC:
        return True
    last = None
    action = _INVERT.get(action)
    if action is None:
        return True
    flags = flags_for_kind(local_kind, action, SYMMETRIC_INVERSE)
    for rsc in resources:
        if sequential:
            if last is not None:
                order_resource_actions(sch, rsc, action, last, action, flags)
            last = rsc
    return True


def _order_rsc_sets(sch: Scheduler, oid: str, set1: m.ResourceSet, set2: m.ResourceSet,
                    kind: int, symmetry: int, find) -> bool:
    from pengine.status.actions import pseudo_op
    action1 = set1.action or "start"
    action2 = set2.action or "start"
    require_all = parse_bool(set1.require_all)
    require_all = True if require_all is None else require_all
    if symmetry == SYMMETRIC_INVERSE:
        action1 = _INVERT.get(action1)
        action2 = _INVERT.get(action2)
    if action1 in ("stop", "demote"):
        require_all = True
    flags = flags_for_kind(kind, action1, symmetry)
    if not require_all:
        unordered = pseudo_op(sch, f"one-or-more:{set1.id or oid}")
        unordered.set(AF.MIN_RUNNABLE)
        for rid in set1.resources:
            rsc1 = find(sch, rid)
            if rsc1 is None:
                return False
            new_ordering(sch, rsc1, op_key(rsc1.id, action1, 0), None, None, None, unordered,
                         Rel.MIN_RUNNABLE | Rel.FIRST_IMPLIES_THEN_GRAPHED)
        for rid in set2.resources:
            rsc2 = find(sch, rid)
            if rsc2 is None:
                return False
            new_ordering(sch, None, None, unordered, rsc2, op_key(rsc2.id, action2, 0), None,
                         flags | Rel.UNRUNNABLE_FIRST_BLOCKS)
        return True
    rsc1 = rsc2 = None
    if parse_bool(set1.sequential) is True:
        rid = set1.resources[0] if symmetry == SYMMETRIC_INVERSE else set1.resources[-1]
        rsc1 = find(sch, rid) if set1.resources else None
        if set1.resources and rsc1 is None:
            return False
    if parse_bool(set2.sequential) is True:
        rid = set2.resources[-1] if symmetry == SYMMETRIC_INVERSE else set2.resources[0]
        rsc2 = find(sch, rid) if set2.resources else None
        if set2.resources and rsc2 is None:
            return False
    if rsc1 is not None and rsc2 is not None:
        order_resource_actions(sch, rsc1, action1, rsc2, action2, flags)
    elif rsc1 is not None:
        for rid in set2.resources:
            other = find(sch, rid)
            if other is None:
                return False
            order_resource_actions(sch, rsc1, action1, other, action2, flags)
    elif rsc2 is not None:
        for rid in set1.resources:
            other = find(sch, rid)
            if other is None:
                return False
            order_resource_actions(sch, other, action1, rsc2, action2, flags)
    else:
        for rid1 in set1.resources:
            first = find(sch, rid1)
            if first is None:
                return False
            for rid2 in set2.resources:
                then = find(sch, rid2)
                if then is None:
                    return False
                order_resource_actions(sch, first, action1, then, action2, flags)
    return True


# -------------------------------------------------------------- applying --

def _task_of(key: str, rsc_id: str | None):
    """(task, interval) from an action key ``rsc_task_interval``."""
    head, _, interval = key.rpartition("_")
    try:
        interval_ms = int(interval)
    except ValueError:
        return key, 0
    if rsc_id is not None and head.startswith(rsc_id + "_"):
        return head[len(rsc_id) + 1:], interval_ms
    # fall back: task is the last word, or a known two-word action
    for task in ("migrate_to", "migrate_from", "clear_failcount", "lrm_delete", "reload-agent"):
        if head.endswith("_" + task):
            return task, interval_ms
    return head.rpartition("_")[2], interval_ms


def order_stops_before_shutdown(sch: Scheduler, node, shutdown: Action) -> None:
    for action in reversed(sch.actions):
        if action.node is not node or action.task != "stop":
            continue
        if action.rsc.maintenance or node.maintenance:
            continue
        if not (action.rsc.managed or action.rsc.blocked):
            continue
        action.clear(AF.OPTIONAL)
        new_ordering(sch, action.rsc, None, action, None, "do_shutdown", shutdown,
                     Rel.ORDERED | Rel.UNRUNNABLE_FIRST_BLOCKS)


def order_after_each(after: Action, before_list) -> None:
    for before in before_list:
        order_actions(before, after, Rel.ORDERED)


def promotable_restart_ordering(sch: Scheduler, rsc: Resource) -> None:
    o = lambda a, b: order_resource_actions(sch, rsc, a, rsc, b, Rel.ORDERED)  # noqa: E731
    o("stopped", "start")
    o("stopped", "promote")
    o("demoted", "stop")
    o("demoted", "start")
    o("demoted", "promote")
    o("running", "promote")
    o("demote", "demoted")


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.schedule.migration import order_migration_equivalents  # noqa: E402
