"""Has a resource's definition changed since an operation ran? (rsc_action_digest_cmp)

Gathers, for one recorded operation, the inputs `pengine.digests` needs
(parameters evaluated for the node, the op's own parameters and timeout) and
compares; ``handle_config_changes`` then acts on the answers the way
pcmk__handle_rsc_config_changes does: restart, reload, reschedule or cancel.
"""

from __future__ import annotations

from pengine.cib import model as m
from pengine.status import digests as d
from pengine.status import history as h
from pengine.status.cluster import Node, Resource, Scheduler


def _op_timeout(sch: Scheduler, rsc: Resource, op_cfg) -> str | None:
    if op_cfg is not None:
        if op_cfg.get("timeout") is not None:
            return op_cfg.get("timeout")
        values = unpack_nvpair_sets(op_cfg.meta, rule_context(sch))
        if values.get("timeout") is not None:
            return values["timeout"]
    ctx = rule_context(sch, rsc_class=rsc.cls, rsc_provider=rsc.provider, rsc_type=rsc.type,
                       op_name=op_cfg.name if op_cfg is not None else None,
                       op_interval_ms=0)
    return unpack_nvpair_sets(sch.op_defaults, ctx).get("timeout")


def compute(sch: Scheduler, rsc: Resource, xml_op: m.LrmRscOp, node: Node) -> d.Digests:
    task = xml_op.get("operation")
    interval = h.interval_ms(xml_op)
    op_cfg = find_op_config(rsc, task, interval, True)
    # REMOTE_CONTAINER_HACK: a bundle connection's "#uname" address is its
    # container's host (which assignment may change)
    remote_addr = None
    if rsc.is_remote_connection and rsc.is_bundled():
        from pengine.schedule.variants.bundle import remote_name
        remote_addr = remote_name(sch, rsc)
    cache = sch.__dict__.setdefault("_digest_cache", {})
    # The digests depend on the node only through rules in the parameter
    # blocks: without any, one computation serves every node (a fresh
    # cluster probes each resource on every node).  The recorded op's own
    # inputs are part of the key.
    key = (node.id if _params_depend_on_node(rsc, op_cfg) else None, rsc.id, task, interval,
           xml_op.get("interval"), xml_op.get("crm_feature_set"),
           xml_op.get("op-restart-digest") is not None, xml_op.get("op-force-restart"),
           xml_op.get("op-secure-params"), remote_addr)
    if key in cache:
        return cache[key]
    params = rsc_params(sch, rsc, node)
    op_params = {}
    if op_cfg is not None:
        op_params = unpack_nvpair_sets(op_cfg.params,
                                       rule_context(sch, node_attributes=dict(node.attrs)))
    digests = d.digests_for_recorded_op(
        xml_op, params, op_params, _op_timeout(sch, rsc, op_cfg),
        cib_feature_set=sch.cib.get("crm_feature_set"), fence_device=rsc.fence_device,
        remote_addr=remote_addr)
    cache[key] = digests
    return digests


def _params_depend_on_node(rsc: Resource, op_cfg) -> bool:
    """Whether a rule in the resource's (or its parents') instance attributes
    or in the op's own parameters could make them differ between nodes."""
    cache = rsc.__dict__.setdefault("_params_node_dependent", {})
    key = id(op_cfg)
    found = cache.get(key)
    if found is None or found[0] is not op_cfg:
        blocks = list(op_cfg.params) if op_cfg is not None else []
        walker = rsc
        while walker is not None:
            blocks += getattr(walker.config, "params", ())
            walker = walker.parent
        found = cache[key] = (op_cfg, any(block.rule is not None for block in blocks))
    return found[1]


def digest_compare(sch: Scheduler, rsc: Resource, xml_op: m.LrmRscOp, node: Node) -> str:
    """``match``, ``restart``, ``mismatch`` or ``unknown``."""
    return d.compare_digests(xml_op, compute(sch, rsc, xml_op, node))


def _task_for_digest(task: str, interval: int) -> str:
    if interval == 0 and task in ("monitor", "migrate_from", "promote"):
        return "start"
    return task


def check_action_config(sch: Scheduler, rsc: Resource, node: Node, xml_op: m.LrmRscOp) -> bool:
    """pcmk__check_action_config: act on a changed definition; True if changed."""
    from pengine.schedule.recurring import reschedule_recurring, schedule_cancel
    task = xml_op.get("operation")
    interval = h.interval_ms(xml_op)
    if interval > 0:
        if find_op_config(rsc, task, interval, False) is None:
            if sch.cancel_removed:
                schedule_cancel(sch, rsc, xml_op.get("call-id"), task, interval, node, "orphan")
            return True
    expired = getattr(rsc, "expired_recurring", set())
    if (node.id, xml_op.id) in expired:
        reschedule_recurring(sch, rsc, task, interval, node)
        return True
    computed = compute(sch, rsc, xml_op, node)
    change = d.config_change(xml_op, computed, sanitized=sch.sanitized)
    task = _task_for_digest(task, interval)
    if change in (d.NO_CHANGE, d.PRIVATE_ONLY):
        return False
    if change == d.RESTART:
        action = custom_action(sch, rsc, op_key(rsc.id, task, interval), task, None, False,
                               interval)
        set_reason(action, "resource definition change", True)
        from pengine.schedule.unfencing import trigger_unfencing
        trigger_unfencing(sch, rsc, node, "Device parameters changed", None)
        return True
    if change == d.RESCHEDULE:
        reschedule_recurring(sch, rsc, task, interval, node)
        return True
    from pengine.schedule.unfencing import trigger_unfencing
    trigger_unfencing(sch, rsc, node, "Device parameters changed (reload)", None)
    _schedule_reload(sch, rsc, node)
    return True


def _schedule_reload(sch: Scheduler, rsc: Resource, node: Node | None) -> None:
    from pengine.schedule.actions import custom_action, set_reason
    from pengine.status.cluster import Rel, op_key
    from pengine.schedule.ordering import new_ordering
    if rsc.variant != "primitive":
        for child in rsc.children:
            _schedule_reload(sch, child, node)
        return
    if node is None or not rsc.managed or rsc.failed:
        return
    if rsc.start_pending:
        custom_action(sch, rsc, op_key(rsc.id, "stop", 0), "stop", node, False)
        return
    rsc.reload = True
    reload = custom_action(sch, rsc, op_key(rsc.id, "reload-agent", 0), "reload-agent", node,
                           False)
    set_reason(reload, "resource definition change", False)
    new_ordering(sch, None, None, reload, rsc, op_key(rsc.id, "stop", 0), None,
                 Rel.ORDERED | Rel.THEN_CANCELS_FIRST)
    new_ordering(sch, None, None, reload, rsc, op_key(rsc.id, "demote", 0), None,
                 Rel.ORDERED | Rel.THEN_CANCELS_FIRST)


def _process_rsc_history(sch: Scheduler, entry: m.LrmResource, rsc: Resource, node: Node) -> None:
    if rsc.removed:
        top = rsc.top()
        if not (top.variant == "clone" and not top.unique):
            schedule_cleanup(sch, rsc, node, False)
        return
    if node not in rsc.running_on:
        if _agent_changed(sch, rsc, node, entry, False):
            schedule_cleanup(sch, rsc, node, False)
        return
    if _agent_changed(sch, rsc, node, entry, True):
        schedule_cleanup(sch, rsc, node, False)
    ops = h.sorted_by_call_id(entry.ops)
    start_index, stop_index = h.active_ops(ops)
    if start_index < stop_index:
        return
    for offset, op in enumerate(ops):
        if offset < start_index:
            continue
        task = op.get("operation")
        interval = h.interval_ms(op)
        if interval > 0 and (rsc.maintenance or node.maintenance):
            schedule_cancel(sch, rsc, op.get("call-id"), task, interval, node, "maintenance mode")
        elif interval > 0 or task in ("monitor", "start", "promote", "migrate_from"):
            if needs_remote_name(sch, rsc):
                # REMOTE_CONTAINER_HACK: the address is known only once
                # resources are assigned (pe__add_param_check)
                sch.param_checks.append(_check_active_later(rsc, node, op))
            elif check_action_config(sch, rsc, node, op) and \
                    get_failcount(sch, node, rsc, effective=True) != 0:
                clear_failcount(sch, rsc, node, "action definition changed")


def _check_active_later(rsc: Resource, node: Node, op: m.LrmRscOp):
    """check_params(pcmk__check_active), run once resources are assigned."""
    def check(sch: Scheduler) -> None:
        from pengine.schedule.actions import clear_failcount
        from pengine.status.failcounts import get_failcount
        if check_action_config(sch, rsc, node, op) and \
                get_failcount(sch, node, rsc, effective=True) != 0:
            clear_failcount(sch, rsc, node, "action definition changed")
    return check


def _agent_changed(sch: Scheduler, rsc: Resource, node: Node, entry: m.LrmResource,
                   active_on_node: bool) -> bool:
    """pcmk__rsc_agent_changed: the agent differs from the one in the history."""
    changed = False
    for value, old in ((rsc.type, entry.type), (rsc.cls, entry.cls),
                       (rsc.provider, entry.provider)):
        if value != old:
            changed = True
            trigger_unfencing(sch, rsc, node, "Device definition changed", None)
    if changed and active_on_node:
        custom_action(sch, rsc, op_key(rsc.id, "stop", 0), "stop", node, False)
        rsc.start_pending = True
    return changed


def handle_config_changes(sch: Scheduler) -> None:
    """pcmk__handle_rsc_config_changes."""
    matching = None
    for node in sch.nodes:
        if not (node.maintenance or node.available()):
            continue
        state = node.state
        if state is None:
            continue
        for entry in state.lrm_resources:
            if not entry.ops:
                continue
            if matching is None:
                matching = _rscs_by_id(sch)
            for rsc in matching.get(entry.id, ()):
                if rsc.variant == "primitive":
                    _process_rsc_history(sch, entry, rsc, node)


def _rscs_by_id(sch: Scheduler) -> dict[str, list[Resource]]:
    """pcmk__rscs_matching_id for every id at once: the resources whose id or
    history id is the key, newest match first as Pacemaker's list is built.
    (Searching the tree once per history entry cost O(resources²·nodes).)"""
    index: dict[str, list[Resource]] = {}

    def walk(rsc):
        index.setdefault(rsc.id, []).insert(0, rsc)
        if rsc.history_id is not None and rsc.history_id != rsc.id:
            index.setdefault(rsc.history_id, []).insert(0, rsc)
        for child in rsc.children:
            walk(child)
    for top in sch.resources:
        walk(top)
    return index


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.schedule.actions import clear_failcount, custom_action, set_reason  # noqa: E402
from pengine.status.cluster import op_key  # noqa: E402
from pengine.status.failcounts import get_failcount  # noqa: E402
from pengine.status.op_config import find_op_config  # noqa: E402
from pengine.schedule.recurring import schedule_cancel  # noqa: E402
from pengine.rules.rules import unpack_nvpair_sets  # noqa: E402
from pengine.schedule.unfencing import trigger_unfencing  # noqa: E402
from pengine.status.unpack import rsc_params, rule_context  # noqa: E402
from pengine.schedule.variants.bundle import needs_remote_name  # noqa: E402
from pengine.schedule.variants.primitive import schedule_cleanup  # noqa: E402
