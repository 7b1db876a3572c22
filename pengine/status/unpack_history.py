"""Unpack each node's resource history: which resource (or clone instance) an
entry belongs to, and what its operations say about the resource's role,
failures and pending actions (lib/pengine/unpack.c, unpack_lrm_resource and
unpack_rsc_op).
"""

from __future__ import annotations

import re

from pengine.cib import model as m
from pengine.status import history as h
from pengine.status.cluster import AF, NodeWeight, Node, OnFail, Resource, Role, Scheduler, op_key
from pengine.common.scores import INFINITY


# ---------------------------------------------------- resource history --

def clone_strip(rsc_id: str) -> str:
    return re.sub(r":[0-9]+$", "", rsc_id)


def _find_anonymous_instance(sch: Scheduler, node: Node, parent: Resource, rsc_id: str) -> Resource:
    rsc = None
    inactive = None
    skip_inactive = False
    for child in parent.children:
        locations = _locations(child, current=True, pending=True)
        if locations:
            if locations[0] is node:
                found = _find_in(child, rsc_id)
                if found is not None:
                    if found.running_on:
                        skip_inactive = True
                        rsc = None
                    else:
                        rsc = found
                if rsc is not None:
                    break
        else:
            if not skip_inactive and inactive is None and not child.blocked:
                inactive = _find_in(child, rsc_id)
                if inactive is not None and inactive.pending_node is not None \
                        and inactive.pending_node is not node:
                    inactive = None
    if rsc is None and not skip_inactive and inactive is not None:
        rsc = inactive
    if rsc is not None and not rsc.needs_fencing and (not node.online or node.unclean) \
            and not node.is_guest and not _is_universal_clone(sch, parent):
        rsc = None
    if rsc is None:
        top = create_clone_instance(sch, parent)
        for prim in top.primitives():
            prim.removed = True
        top.removed = True
        rsc = _find_in(top, rsc_id)
    return rsc


def _is_universal_clone(sch: Scheduler, clone: Resource) -> bool:
    """A clone whose instances run on every node (clone-max >= node count)."""
    return clone.variant == "clone" and clone.clone_max == len(sch.nodes)


def _find_in(rsc: Resource, base_id: str) -> Resource | None:
    """The primitive in instance ``rsc`` whose clone base name is ``base_id``."""
    for prim in rsc.primitives():
        if prim.clone_name == base_id or clone_strip(prim.id) == base_id:
            return prim
    return None


def _locations(rsc: Resource, current: bool = True, pending: bool = False) -> list[Node]:
    result: list[Node] = []
    for prim in rsc.primitives():
        for node in prim.running_on:
            if node not in result:
                result.append(node)
        if pending and prim.pending_node is not None and prim.pending_node not in result:
            result.append(prim.pending_node)
    return result


def _unpack_find_resource(sch: Scheduler, node: Node, rsc_id: str) -> Resource | None:
    rsc = sch.find_resource(rsc_id)
    parent = None
    if rsc is None:
        clone0 = sch.find_resource(clone_strip(rsc_id) + ":0")
        if clone0 is not None and not clone0.unique:
            rsc = clone0
            parent = clone0.top()
    elif rsc.variant != "primitive":
        return None
    else:
        parent = rsc.top()
    if parent is not None and parent.is_anonymous_clone:
        if parent.is_bundled():
            from pengine.status.bundles import find_replica_resource
            rsc = find_replica_resource(sch, parent, node)
        else:
            rsc = _find_anonymous_instance(sch, node, parent, clone_strip(rsc_id))
    if rsc is not None and rsc_id != rsc.id and rsc_id != rsc.history_id:
        rsc.history_id = rsc_id
    return rsc


def _process_removed_resource(sch: Scheduler, entry: m.LrmResource, node: Node) -> Resource:
    cfg = m.Primitive(id=entry.id, cls=entry.cls, provider=entry.provider, type=entry.type)
    rsc = unpack_resource(sch, cfg, None)
    if is_remote_primitive(cfg):
        remote = sch.find_node(entry.id) or new_node(sch, entry.id, entry.id, "remote")
        link_remote_node(sch, rsc)
        remote.shutdown = True
    if entry.get("container"):
        rsc.removed_launched = True
    rsc.removed = True
    rsc.sort_index = len(sch.resources)
    sch.resources.append(rsc)
    if not sch.stop_removed:
        rsc.managed = False
    else:
        resource_location(sch, rsc, None, -INFINITY, "__removed_do_not_run__")
    return rsc


def unpack_node_lrm(sch: Scheduler, node: Node, state: m.NodeState) -> None:
    found_removed_launched = False
    for entry in state.lrm_resources:
        rsc = _unpack_lrm_resource(sch, node, entry)
        if rsc is not None and rsc.removed_launched:
            found_removed_launched = True
    if found_removed_launched:
        for entry in state.lrm_resources:
            launcher_id = entry.get("container")
            if not launcher_id:
                continue
            launcher = sch.find_resource(launcher_id)
            rsc = sch.find_resource(entry.id)
            if launcher is None or rsc is None or rsc.launcher is not None or not rsc.removed_launched:
                continue
            rsc.launcher = launcher
            launcher.launched.append(rsc)


def _unpack_lrm_resource(sch: Scheduler, node: Node, entry: m.LrmResource) -> Resource | None:
    if not entry.id:
        return None
    if not entry.ops and not sch.shutdown_lock:
        return None
    rsc = _unpack_find_resource(sch, node, entry.id)
    if rsc is None:
        if not entry.ops:
            return None
        rsc = _process_removed_resource(sch, entry, node)
    if sch.shutdown_lock:
        _unpack_shutdown_lock(sch, entry, rsc, node)
    saved_role = rsc.role
    rsc.role = Role.UNKNOWN
    ops = h.sorted_by_call_id(entry.ops)
    state = _HistoryState()
    for op in ops:
        _unpack_rsc_op(sch, rsc, node, op, state)
    start_index, stop_index = h.active_ops(ops)
    _process_recurring(sch, node, rsc, start_index, stop_index, ops)
    _process_rsc_state(sch, rsc, node, state.on_fail)
    role = rsc.target_role
    if role is not None:
        if rsc.next_role == Role.UNKNOWN or role < rsc.next_role:
            rsc.next_role = role
    if saved_role > rsc.role:
        rsc.role = saved_role
    rsc.history_entries = getattr(rsc, "history_entries", {})
    rsc.history_entries[node.id] = (entry, ops)
    return rsc


class _HistoryState:
    __slots__ = ("on_fail", "last_failure")

    def __init__(self):
        self.on_fail = OnFail.IGNORE
        self.last_failure: m.LrmRscOp | None = None


def _unpack_shutdown_lock(sch: Scheduler, entry: m.LrmResource, rsc: Resource, node: Node) -> None:
    lock_time = h.to_int(entry.get("shutdown-lock"), 0)
    if lock_time == 0:
        return
    if sch.shutdown_lock_ms > 0 and sch.now_epoch > lock_time + sch.shutdown_lock_ms // 1000:
        from pengine.status.actions import clear_resource_history
        clear_resource_history(sch, rsc, node)
    else:
        rsc.lock_node = node
        rsc.lock_time = lock_time


def _process_recurring(sch: Scheduler, node: Node, rsc: Resource, start_index: int,
                       stop_index: int, ops) -> None:
    for counter, op in enumerate(ops):
        if not node.online:
            break
        if start_index < stop_index and counter <= stop_index:
            continue
        if counter < start_index:
            continue
        interval = h.interval_ms(op)
        if interval == 0:
            continue
        if op.get("op-status") == "-1":
            continue
        task = op.get("operation")
        custom_action(sch, rsc, op_key(rsc.id, task, interval), task, node, optional=True)


def _set_active(rsc: Resource) -> None:
    """set_active: a promotable clone's instances are active as unpromoted.
    Within a bundle the top is the bundle's child, not the bundle, so its
    containers and connections are simply started."""
    rsc.role = Role.UNPROMOTED if rsc.top().promotable else Role.STARTED


def _process_rsc_state(sch: Scheduler, rsc: Resource, node: Node, on_fail: OnFail) -> None:
    known_active = rsc.role > Role.STOPPED
    if rsc.role != Role.UNKNOWN:
        walker = rsc
        while walker is not None:
            walker.probed_nodes.setdefault(node.id, node)
            if walker.unique:
                break
            walker = walker.parent
    if known_active and not node.online and not node.maintenance and rsc.managed:
        should_fence = False
        reason = None
        if node.is_guest:
            rsc.failed = True
            rsc.stop_if_failed = True
            should_fence = True
        elif sch.fencing_enabled:
            if node.is_remote_only and node.remote_rsc is not None and not node.remote_rsc.failed:
                node.seen = False
                reason = (f"{rsc.id} is active there (fencing will be revoked if remote "
                          f"connection can be re-established elsewhere)")
            should_fence = True
        if should_fence:
            fence_node(sch, node, reason or f"{rsc.id} is thought to be active there", False)
    save_on_fail = on_fail
    if node.unclean:
        on_fail = OnFail.IGNORE
    if on_fail == OnFail.DEMOTE:
        rsc.failed = True
        demote_action(sch, rsc, node, optional=False)
    elif on_fail == OnFail.FENCE_NODE:
        fence_node(sch, node, f"{rsc.id} failed there", False)
    elif on_fail == OnFail.STANDBY_NODE:
        node.standby = True
        node.fail_standby = True
    elif on_fail == OnFail.BLOCK:
        rsc.managed = False
        rsc.blocked = True
    elif on_fail == OnFail.BAN:
        resource_location(sch, rsc, node, -INFINITY, "__action_migration_auto__")
    elif on_fail == OnFail.STOP:
        rsc.next_role = Role.STOPPED
    elif on_fail == OnFail.RESTART:
        if known_active:
            rsc.failed = True
            rsc.stop_if_failed = True
            stop_action(sch, rsc, node, optional=False)
    elif on_fail == OnFail.RESTART_CONTAINER:
        rsc.failed = True
        rsc.stop_if_failed = True
        if rsc.launcher is not None and rsc.is_bundled():
            sch.stop_needed.insert(0, rsc.launcher)
        elif rsc.launcher is not None:
            stop_action(sch, rsc.launcher, node, optional=False)
        elif known_active:
            stop_action(sch, rsc, node, optional=False)
    elif on_fail == OnFail.RESET_REMOTE:
        rsc.failed = True
        rsc.stop_if_failed = True
        if sch.fencing_enabled:
            target = sch.find_node(rsc.id) if rsc.is_remote_connection else None
            if target is not None and target.is_remote_only and not target.remote_fenced:
                fence_node(sch, target, "remote connection is unrecoverable", False)
        if known_active:
            stop_action(sch, rsc, node, optional=False)
        if rsc.remote_reconnect_ms > 0:
            rsc.next_role = Role.STOPPED
    if rsc.failed and rsc.is_remote_connection:
        target = sch.find_node(rsc.id)
        if target is not None and target.unclean:
            target.seen = True
    if known_active:
        add_running(sch, rsc, node, save_on_fail != OnFail.IGNORE)
        if on_fail == OnFail.IGNORE:
            pass
        elif on_fail in (OnFail.DEMOTE, OnFail.BLOCK):
            rsc.failed = True
        else:
            rsc.failed = True
            rsc.stop_if_failed = True
    elif rsc.history_id is not None and ":" in rsc.history_id:
        rsc.history_id = None
    else:
        for action in rsc.actions:
            if action.task == "stop" and (action.node is None or action.node is node):
                action.set(AF.OPTIONAL)
    if rsc.role == Role.STOPPED and rsc.running_on and rsc.partial_migration_target is not None \
            and rsc.partial_migration_source is node:
        rsc.role = Role.STARTED


def add_running(sch: Scheduler, rsc: Resource, node: Node, failed: bool) -> None:
    """native_add_running: record that ``rsc`` is active on ``node``."""
    if node in rsc.running_on:
        return
    rsc.running_on.append(node)
    if rsc.variant == "primitive":
        node.running.append(rsc)
        _priority_to_node(rsc, node, failed)
        if node.maintenance:
            rsc.managed = False
            rsc.maintenance = True
    if not rsc.managed:
        resource_location(sch, rsc, node, INFINITY, "not_managed_default")
        parent = rsc.parent
        while parent is not None:
            parent.running_on.append(node)
            parent = parent.parent
        return
    if _is_multiply_active(rsc):
        if rsc.recovery == "stop_only":
            rsc.allowed = {n.id: NodeWeight(n, -INFINITY, n.probe_mode) for n in sch.nodes}
        elif rsc.recovery == "block":
            rsc.managed = False
            rsc.blocked = True
            parent = rsc.parent
            if parent is not None and parent.variant in ("group", "bundle") \
                    and parent.recovery == "block":
                for child in parent.children:
                    child.managed = False
                    child.blocked = True
    if rsc.parent is not None:
        add_running(sch, rsc.parent, node, False)


def _is_multiply_active(rsc: Resource) -> bool:
    """Active on more than one node (counting unclean ones only when the
    resource requires fencing), as pe__find_active_requires counts."""
    if rsc.variant != "primitive":
        return False
    _, count_all, count_clean = active_node(rsc, count=True)
    return (count_all if rsc.needs_fencing else count_clean) > 1


def _priority_to_node(rsc: Resource, node: Node, failed: bool) -> None:
    """native_priority_to_node: a node's priority (for priority-fencing-delay)
    sums its resources' priorities, a promoted instance counting one more."""
    if rsc.priority == 0 or failed:
        return
    priority = rsc.priority + (1 if rsc.role == Role.PROMOTED else 0)
    node.priority += priority
    # A guest node's resources weigh on the nodes hosting its launcher too.
    remote = node.remote_rsc
    if remote is not None and remote.launcher is not None:
        for host in remote.launcher.running_on:
            host.priority += priority


def _unpack_failure_handling(sch: Scheduler, rsc: Resource, node: Node, task: str,
                             interval: int) -> tuple[OnFail, Role]:
    from pengine.status.actions import parse_on_fail, role_after_failure
    cfg = find_op_config(rsc, task, interval, True)
    meta = op_meta(sch, rsc, node, task, interval, cfg)
    validate_on_fail(rsc, task, cfg, meta)
    on_fail = parse_on_fail(sch, rsc, task, interval, meta.get("on-fail"))
    return on_fail, role_after_failure(rsc, task, on_fail, meta)


class _Op:
    """A parsed history entry (struct action_history)."""

    __slots__ = ("xml", "id", "key", "task", "interval", "call_id", "expected", "exit_status",
                 "exec_status", "exit_reason")


def _unpack_rsc_op(sch: Scheduler, rsc: Resource, node: Node, op: m.LrmRscOp,
                   state: _HistoryState) -> None:
    hist = _Op()
    hist.xml = op
    hist.id = op.id
    if not op.id:
        return
    hist.task = op.get("operation")
    if hist.task is None:
        return
    hist.interval = h.interval_ms(op)
    if hist.task not in ("monitor", "start", "stop", "promote", "demote", "migrate_to",
                         "migrate_from", "asyncmon"):
        return
    status_text = op.get("op-status")
    try:
        hist.exec_status = int(status_text)
    except (TypeError, ValueError):
        return
    if hist.exec_status < h.EXEC_PENDING or hist.exec_status > h.EXEC_MAX \
            or hist.exec_status == h.EXEC_CANCELLED:
        return
    try:
        hist.exit_status = int(op.get("rc-code"))
    except (TypeError, ValueError):
        return
    if hist.exit_status < 0 or hist.exit_status > 255:
        return
    hist.exit_reason = op.get("exit-reason")
    hist.expected = h.target_rc(op)
    hist.key = h.history_key(op)
    hist.call_id = h.to_int(op.get("call-id"), -1)

    expired = _check_operation_expiry(sch, rsc, node, hist)
    old_rc = hist.exit_status
    _remap_operation(sch, rsc, node, hist, state, expired)

    if expired and _process_expired_result(sch, rsc, node, hist, old_rc):
        return
    if not rsc.is_bundled() and h.mask_probe_failure(op):
        _mask_probe_failure(sch, rsc, node, hist, old_rc, state)
        return
    parent = rsc if rsc.unique else rsc.top()
    status = hist.exec_status
    if status == h.EXEC_PENDING:
        _process_pending_action(sch, rsc, node, hist, state.last_failure)
        return
    if status == h.EXEC_DONE:
        _update_resource_state(sch, rsc, node, hist, hist.exit_status, state)
        return
    if status == h.EXEC_NOT_INSTALLED:
        strategy, fail_role = _unpack_failure_handling(sch, rsc, node, hist.task, hist.interval)
        if strategy == OnFail.IGNORE:
            state.on_fail = OnFail.BAN
        resource_location(sch, parent, node, -INFINITY, "hard-error")
        _unpack_rsc_op_failure(sch, rsc, node, hist, strategy, fail_role, state)
        return
    if status == h.EXEC_NOT_CONNECTED:
        if node.is_remote and node.remote_rsc is not None and node.remote_rsc.managed:
            node.remote_rsc.failed = True
            node.remote_rsc.stop_if_failed = True
    strategy, fail_role = _unpack_failure_handling(sch, rsc, node, hist.task, hist.interval)
    if strategy == OnFail.IGNORE or (strategy == OnFail.RESTART_CONTAINER and hist.task == "stop"):
        _update_resource_state(sch, rsc, node, hist, hist.expected, state)
        rsc.ignore_failure = True
        _record_failed_op(sch, rsc, node, hist)
        if strategy == OnFail.RESTART_CONTAINER and state.on_fail <= OnFail.RESTART:
            state.on_fail = strategy
    else:
        _unpack_rsc_op_failure(sch, rsc, node, hist, strategy, fail_role, state)
        if hist.exec_status == h.EXEC_ERROR_HARD:
            resource_location(sch, parent, node, -INFINITY, "hard-error")
        elif hist.exec_status == h.EXEC_ERROR_FATAL:
            resource_location(sch, parent, None, -INFINITY, "fatal-error")


def _record_failed_op(sch: Scheduler, rsc: Resource, node: Node, hist: _Op) -> None:
    if not node.online:
        return
    for entry in sch.failed_ops:
        if entry[1] == hist.key and entry[2] is node:
            return
    sch.failed_ops.append((rsc, hist.key, node, hist.xml))


def _check_operation_expiry(sch: Scheduler, rsc: Resource, node: Node, hist: _Op) -> bool:
    expired = False
    is_last_failure = hist.id.endswith("_last_failure_0")
    clear_reason = None
    if hist.exec_status == h.EXEC_NOT_INSTALLED:
        return False
    expiration = rsc.failure_timeout_ms // 1000
    last_run = hist.xml.get("last-rc-change")
    unexpired = 0
    if expiration > 0 and last_run is not None:
        last_run_s = h.to_int(last_run, 0)
        if sch.now_epoch >= last_run_s + expiration and not _ignore_failure_timeout(
                sch, rsc, hist.task, hist.interval, is_last_failure):
            expired = True
        unexpired, last_failure = get_failcount(sch, node, rsc, effective=True, xml_op=hist.xml,
                                                with_last=True)
        last_failure += expiration + 1
        if unexpired and sch.now_epoch < last_failure:
            update_recheck(sch, last_failure)
    if expired:
        if get_failcount(sch, node, rsc, effective=False, xml_op=hist.xml):
            if unexpired == 0:
                clear_reason = "it expired"
            else:
                expired = False
        elif is_last_failure and rsc.remote_reconnect_ms > 0:
            clear_reason = "reconnect interval is set"
    if not expired and is_last_failure and _should_clear_for_param_change(sch, hist, rsc, node):
        clear_reason = "resource parameters have changed"
    if clear_reason is not None:
        clear = clear_failcount(sch, rsc, node, clear_reason)
        if sch.fencing_enabled and rsc.remote_reconnect_ms > 0:
            remote = sch.find_node(rsc.id)
            if remote is not None:
                from pengine.status.fencing import fence_op
                from pengine.status.actions import order_actions
                fence = fence_op(sch, remote, None, True, None, False)
                order_actions(fence, clear, 0x20)
    if expired and hist.interval == 0 and hist.task == "monitor":
        if hist.exit_status in (h.OCF_OK, h.OCF_NOT_RUNNING, h.OCF_RUNNING_PROMOTED,
                                h.OCF_DEGRADED, h.OCF_DEGRADED_PROMOTED):
            expired = False
    return expired


def _ignore_failure_timeout(sch: Scheduler, rsc: Resource, task: str, interval: int,
                            is_last_failure: bool) -> bool:
    if rsc.remote_reconnect_ms > 0 and sch.fencing_enabled and interval != 0 and task == "monitor":
        remote = sch.find_node(rsc.id)
        if remote is not None and not remote.remote_fenced:
            return True
    return False


def _should_clear_for_param_change(sch: Scheduler, hist: _Op, rsc: Resource, node: Node) -> bool:
    if hist.task not in ("start", "monitor"):
        return False
    from pengine.status.digests_compare import digest_compare
    from pengine.status.bundles import needs_remote_name
    if needs_remote_name(sch, rsc):
        # REMOTE_CONTAINER_HACK: the address is known only once resources are
        # assigned, so the check waits until then (pe__add_param_check)
        xml = hist.xml

        def check_last_failure(sch: Scheduler) -> None:
            from pengine.status.actions import clear_failcount
            if digest_compare(sch, rsc, xml, node) not in ("unknown", "match"):
                clear_failcount(sch, rsc, node, "resource parameters have changed")

        sch.param_checks.append(check_last_failure)
        return False
    result = digest_compare(sch, rsc, hist.xml, node)
    return result not in ("unknown", "match")


def _remap_because(hist: _Op, value: int) -> None:
    hist.exec_status = value


def _remap_operation(sch: Scheduler, rsc: Resource, node: Node, hist: _Op, state: _HistoryState,
                     expired: bool) -> None:
    orig_exit = hist.exit_status
    hist.exit_status = h.effective_rc(hist.exit_status)
    if hist.exit_status != orig_exit:
        if not expired and (not node.shutdown or node.online):
            _record_failed_op(sch, rsc, node, hist)
    if not rsc.is_bundled() and h.mask_probe_failure(hist.xml) and \
            (hist.exec_status != h.EXEC_DONE or hist.exit_status != h.OCF_NOT_RUNNING):
        hist.exec_status = h.EXEC_DONE
        hist.exit_status = h.OCF_NOT_RUNNING
    if hist.exec_status in (h.EXEC_DONE, h.EXEC_ERROR):
        pass
    elif hist.exec_status in (h.EXEC_NO_FENCE_DEVICE, h.EXEC_NO_SECRETS):
        hist.exec_status = h.EXEC_ERROR_HARD
        return
    else:
        return
    is_probe = h.op_is_probe(hist.xml)
    if hist.expected < 0:
        hist.exec_status = h.EXEC_ERROR
    elif hist.exit_status == hist.expected:
        hist.exec_status = h.EXEC_DONE
    else:
        hist.exec_status = h.EXEC_ERROR
    rc = hist.exit_status
    if rc == h.OCF_OK:
        if is_probe and hist.expected == h.OCF_NOT_RUNNING:
            hist.exec_status = h.EXEC_DONE
    elif rc == h.OCF_NOT_RUNNING:
        if is_probe or hist.expected == rc or not rsc.managed:
            hist.exec_status = h.EXEC_DONE
            rsc.role = Role.STOPPED
            state.on_fail = OnFail.IGNORE
            rsc.next_role = Role.UNKNOWN
    elif rc == h.OCF_RUNNING_PROMOTED:
        if is_probe and rc != hist.expected:
            hist.exec_status = h.EXEC_DONE
        if not expired or rc == hist.expected:
            rsc.role = Role.PROMOTED
    elif rc == h.OCF_FAILED_PROMOTED:
        if not expired:
            rsc.role = Role.PROMOTED
        hist.exec_status = h.EXEC_ERROR
    elif rc == h.OCF_NOT_CONFIGURED:
        hist.exec_status = h.EXEC_ERROR_FATAL
    elif rc == h.OCF_UNIMPLEMENT_FEATURE:
        if hist.interval == 0:
            if not expired:
                _block_if_unrecoverable(sch, rsc, node, hist)
            hist.exec_status = h.EXEC_ERROR_HARD
        else:
            hist.exec_status = h.EXEC_NOT_SUPPORTED
    elif rc in (h.OCF_NOT_INSTALLED, h.OCF_INVALID_PARAM, h.OCF_INSUFFICIENT_PRIV):
        if not expired:
            _block_if_unrecoverable(sch, rsc, node, hist)
        hist.exec_status = h.EXEC_ERROR_HARD
    else:
        if hist.exec_status == h.EXEC_DONE:
            hist.exec_status = h.EXEC_ERROR


def _block_if_unrecoverable(sch: Scheduler, rsc: Resource, node: Node, hist: _Op) -> None:
    from pengine.status.fencing import can_fence
    if hist.task != "stop":
        return
    if can_fence(sch, node):
        return
    rsc.managed = False
    rsc.blocked = True


def _process_expired_result(sch: Scheduler, rsc: Resource, node: Node, hist: _Op,
                            orig_exit: int) -> bool:
    if not rsc.is_bundled() and h.mask_probe_failure(hist.xml) and orig_exit != hist.expected:
        if rsc.role <= Role.STOPPED:
            rsc.role = Role.UNKNOWN
        return True
    if hist.exit_status == hist.expected:
        return False
    if hist.interval == 0:
        return True
    if node.online and not node.unclean:
        # reschedule the recurring action: pretend its definition changed
        rsc.expired_recurring = getattr(rsc, "expired_recurring", set())
        rsc.expired_recurring.add((node.id, hist.xml.id))
        return True
    return False


def _mask_probe_failure(sch: Scheduler, rsc: Resource, node: Node, hist: _Op, orig_exit: int,
                        state: _HistoryState) -> None:
    ban = rsc if rsc.unique else rsc.top()
    _update_resource_state(sch, rsc, node, hist, hist.expected, state)
    _record_failed_op(sch, rsc, node, hist)
    resource_location(sch, ban, node, -INFINITY, "masked-probe-failure")


def _failure_is_newer(hist: _Op, last_failure: m.LrmRscOp | None) -> bool:
    if last_failure is None:
        return False
    if hist.task != last_failure.get("operation"):
        return False
    if h.interval_ms(last_failure) != hist.interval:
        return False
    try:
        this_change = int(hist.xml.get("last-rc-change"))
        failure_change = int(last_failure.get("last-rc-change"))
    except (TypeError, ValueError):
        return False
    return failure_change >= this_change


def _process_pending_action(sch: Scheduler, rsc: Resource, node: Node, hist: _Op,
                            last_failure) -> None:
    from pengine.status.actions import stop_action
    if _failure_is_newer(hist, last_failure):
        return
    if hist.task == "start":
        rsc.start_pending = True
        _set_active(rsc)
    elif hist.task == "promote":
        rsc.role = Role.PROMOTED
    elif hist.task == "migrate_to" and node.unclean:
        target = sch.find_node(hist.xml.get("migrate_target"))
        if target is not None:
            stop_action(sch, rsc, target, optional=False)
    if rsc.pending_action is not None:
        return
    if h.is_probe(hist.task, hist.interval):
        return
    rsc.pending_action = hist.task
    rsc.pending_node = node


def _update_resource_state(sch: Scheduler, rsc: Resource, node: Node, hist: _Op, exit_status: int,
                           state: _HistoryState) -> None:
    clear_past_failure = False
    task = hist.task
    last_failure = state.last_failure
    if exit_status == h.OCF_NOT_INSTALLED or (not rsc.is_bundled() and h.mask_probe_failure(hist.xml)):
        rsc.role = Role.STOPPED
    elif exit_status == h.OCF_NOT_RUNNING:
        clear_past_failure = True
    elif task == "monitor":
        if last_failure is not None and hist.key == h.history_key(last_failure):
            clear_past_failure = True
        if rsc.role < Role.STARTED:
            _set_active(rsc)
    elif task == "start":
        rsc.role = Role.STARTED
        clear_past_failure = True
    elif task == "stop":
        rsc.role = Role.STOPPED
        clear_past_failure = True
    elif task == "promote":
        rsc.role = Role.PROMOTED
        clear_past_failure = True
    elif task == "demote":
        if state.on_fail == OnFail.DEMOTE:
            clear_past_failure = True
        rsc.role = Role.UNPROMOTED
    elif task == "migrate_from":
        rsc.role = Role.STARTED
        clear_past_failure = True
    elif task == "migrate_to":
        from pengine.status.unpack_migration import unpack_migrate_to_success
        unpack_migrate_to_success(sch, rsc, node, hist.xml)
    elif rsc.role < Role.STARTED:
        _set_active(rsc)
    if not clear_past_failure:
        return
    if state.on_fail in (OnFail.STOP, OnFail.BAN, OnFail.STANDBY_NODE, OnFail.FENCE_NODE):
        return
    if state.on_fail in (OnFail.BLOCK, OnFail.IGNORE, OnFail.DEMOTE, OnFail.RESTART,
                         OnFail.RESTART_CONTAINER):
        state.on_fail = OnFail.IGNORE
        rsc.next_role = Role.UNKNOWN
    elif state.on_fail == OnFail.RESET_REMOTE:
        if rsc.remote_reconnect_ms == 0:
            state.on_fail = OnFail.IGNORE
            rsc.next_role = Role.UNKNOWN


def _unpack_rsc_op_failure(sch: Scheduler, rsc: Resource, node: Node, hist: _Op,
                           config_on_fail: OnFail, fail_role: Role, state: _HistoryState) -> None:
    state.last_failure = hist.xml
    is_probe = h.op_is_probe(hist.xml)
    if not (not sch.symmetric and hist.exit_status == h.OCF_NOT_INSTALLED):
        _record_failed_op(sch, rsc, node, hist)
    if state.on_fail < config_on_fail:
        state.on_fail = config_on_fail
    task = hist.task
    if task == "stop":
        resource_location(sch, rsc, node, -INFINITY, "__stop_fail__")
    elif task == "migrate_to":
        from pengine.status.unpack_migration import unpack_migrate_to_failure
        unpack_migrate_to_failure(sch, rsc, node, hist.xml)
    elif task == "migrate_from":
        from pengine.status.unpack_migration import unpack_migrate_from_failure
        unpack_migrate_from_failure(sch, rsc, node, hist.xml)
    elif task == "promote":
        rsc.role = Role.PROMOTED
    elif task == "demote":
        if config_on_fail == OnFail.BLOCK:
            rsc.role = Role.PROMOTED
            rsc.next_role = Role.STOPPED
        elif hist.exit_status == h.OCF_NOT_RUNNING:
            rsc.role = Role.STOPPED
        else:
            rsc.role = Role.UNPROMOTED
    if is_probe and hist.exit_status == h.OCF_NOT_INSTALLED:
        rsc.role = Role.STOPPED
    elif rsc.role < Role.STARTED:
        _set_active(rsc)
    if fail_role != Role.STARTED and rsc.next_role < fail_role:
        rsc.next_role = fail_role
    if fail_role == Role.STOPPED:
        ban_from_all_nodes(sch, rsc)


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.status.actions import (clear_failcount, custom_action, demote_action,  # noqa: E402
                                      stop_action, validate_on_fail)
from pengine.status.failcounts import get_failcount  # noqa: E402
from pengine.status.op_config import find_op_config, op_meta  # noqa: E402
from pengine.status.fencing import fence_node  # noqa: E402
from pengine.status.params import update_recheck  # noqa: E402
from pengine.status.unpack import new_node  # noqa: E402
from pengine.status.unpack_resources import (ban_from_all_nodes, create_clone_instance,  # noqa: E402
                                             is_remote_primitive, link_remote_node, resource_location,
                                             unpack_resource)
from pengine.status.active import active_node  # noqa: E402
