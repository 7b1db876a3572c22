"""Fencing actions and whether a node can be fenced (pe_fence_op, pe_can_fence)."""

from __future__ import annotations

from pengine.status.cluster import AF, Action, NoQuorum, Node, Scheduler


def can_fence(sch: Scheduler, node: Node | None) -> bool:
    if node is not None and node.is_guest:
        launcher = node.remote_rsc.launcher
        for host in launcher.running_on:
            if not host.online and not can_fence(sch, host):
                return False
        return True
    if not sch.fencing_enabled or not sch.have_fencing:
        return False
    if sch.quorate or sch.no_quorum_policy == NoQuorum.IGNORE:
        return True
    if node is None:
        return False
    return node.online


def fence_op(sch: Scheduler, node: Node, op: str | None, optional: bool, reason: str | None,
             priority_delay: bool) -> Action:
    """The fencing action for ``node`` (created once, then refined)."""
    from pengine.status.actions import custom_action, set_reason
    op = op or sch.fence_action
    key = f"stonith-{node.name}-{op}"
    action = sch.singletons.get(key)
    if action is None:
        action = custom_action(sch, None, key, "stonith", node, True)
        action.meta["on_node"] = node.name
        action.meta["on_node_uuid"] = node.id
        action.meta["stonith_action"] = op
        if sch.enable_unfencing:
            digests_all, digests_secure, changed = fence_digests(sch, node)
            if changed:
                optional = False
            action.meta["digests-all"] = digests_all
            action.meta["digests-secure"] = digests_secure
    if sch.priority_fencing_ms > 0 and (priority_delay or
                                        "priority-fencing-delay" in action.meta):
        action.meta["priority-fencing-delay"] = str(_priority_delay(sch, node))
    if not optional and can_fence(sch, node):
        action.clear(AF.OPTIONAL)
        set_reason(action, reason, False)
    elif reason is not None and action.reason is None:
        action.reason = reason
    return action


def _priority_delay(sch: Scheduler, node: Node) -> int:
    if sch.priority_fencing_ms == 0 or node.variant != "cluster" or node.online:
        return 0
    members = [n for n in sch.nodes if n.variant == "cluster"]
    online = sum(1 for n in members if n.online)
    if not members:
        return 0
    top = max(n.priority for n in members)
    low = min(n.priority for n in members)
    if online > len(members) // 2:
        return 0
    if low == top:
        return 0
    if node.priority < top:
        return 0
    return sch.priority_fencing_ms // 1000


def fence_digests(sch: Scheduler, node: Node):
    """(digests-all, digests-secure, changed) for fencing ``node``."""
    from pengine.status import digests as d
    from pengine.status.params import rsc_params
    devices = []
    changed = False
    for rsc in _unfencing_devices(sch.resources):
        agent = rsc.type
        computed = d.fencing_digests(rsc_params(sch, rsc, node),
                                     cib_feature_set=sch.cib.get("crm_feature_set"))
        result = d.compare_fencing_digest(rsc.id, agent, computed, node.attrs.get("#digests-all"),
                                          node.attrs.get("#digests-secure"))
        if result == d.MISMATCH:
            changed = True
        devices.append((rsc.id, agent, computed))
    all_s, secure_s = d.unfencing_meta(devices)
    return all_s, secure_s, changed


def _unfencing_devices(resources) -> list:
    """Fence devices that unfence, depth first in resource order."""
    found = []
    for rsc in resources:
        if rsc.children:
            found.extend(_unfencing_devices(rsc.children))
        elif rsc.fence_device and (rsc.needs_unfencing or
                                   (rsc.meta.get("provides") or "").lower() == "unfencing"):
            found.append(rsc)
    return found


def fence_node(sch: Scheduler, node: Node, reason: str, priority_delay: bool) -> None:
    """Mark a node for fencing (pe_fence_node)."""
    if node.is_guest:
        rsc = node.remote_rsc.launcher
        if not rsc.failed and rsc.managed:
            node.remote_reset = True
            rsc.failed = True
            rsc.stop_if_failed = True
    elif node.is_remote and node.remote_rsc is not None and node.remote_rsc.launcher is None \
            and node.remote_rsc.removed_launched:
        # a dangling guest: fenced already, its launcher is gone; clean up the connection
        node.remote_rsc.failed = True
        node.remote_rsc.stop_if_failed = True
    elif node.is_remote:
        rsc = node.remote_rsc
        if rsc is not None and not rsc.managed:
            pass
        elif not node.remote_reset:
            node.remote_reset = True
        node.unclean = True
        fence_op(sch, node, None, True, reason, False)
    elif node.unclean:
        pass
    else:
        node.unclean = True
        fence_op(sch, node, None, True, reason, priority_delay)
