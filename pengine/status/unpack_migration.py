"""Partial live migrations in the status section: migrate_to/migrate_from results and what they
say about where a resource is active (unpack_migrate_to_success and friends in Pacemaker's
lib/pengine/unpack.c)."""

from __future__ import annotations

from pengine.cib import model as m
from pengine.status import history as h
from pengine.status.cluster import Node, Resource, Role, Scheduler


def _lrm_resource(sch: Scheduler, rsc_id: str, node_name: str) -> m.LrmResource | None:
    for state in sch.cib.status.node_states:
        if state.uname != node_name:
            continue
        for entry in state.lrm_resources:
            if entry.id == rsc_id:
                return entry
    return None


def find_lrm_op(sch: Scheduler, rsc_id: str, op: str, node_name: str | None, source: str | None,
                target_rc: int) -> m.LrmRscOp | None:
    if node_name is None:
        return None
    entry = _lrm_resource(sch, rsc_id, node_name)
    if entry is None:
        return None
    for xml in entry.ops:
        if xml.get("operation") != op:
            continue
        if source is not None and op == "migrate_to" and xml.get("migrate_target") != source:
            continue
        if source is not None and op == "migrate_from" and xml.get("migrate_source") != source:
            continue
        if target_rc >= 0:
            rc = h.to_int(xml.get("rc-code"), h.OCF_UNKNOWN_ERROR)
            status = h.to_int(xml.get("op-status"), h.EXEC_ERROR)
            if rc != target_rc or status != h.EXEC_DONE:
                return None
        return xml
    return None


def _unknown_on_node(sch: Scheduler, rsc: Resource, node_name: str) -> bool:
    entry = _lrm_resource(sch, rsc.id, node_name)
    if entry is None:
        return True
    return not any(op.get("rc-code") != str(h.OCF_UNKNOWN) for op in entry.ops)


def _monitor_not_running_after(sch, rsc_id, node_name, xml_op) -> bool:
    monitor = find_lrm_op(sch, rsc_id, "monitor", node_name, None, h.OCF_NOT_RUNNING)
    return monitor is not None and h.newer_op(monitor, xml_op) > 0


def _non_monitor_after(sch, rsc_id, node_name, xml_op) -> bool:
    entry = _lrm_resource(sch, rsc_id, node_name)
    if entry is None:
        return False
    for op in entry.ops:
        if op is xml_op:
            continue
        if op.get("operation") in ("start", "stop", "migrate_to", "migrate_from") \
                and h.newer_op(op, xml_op) > 0:
            return True
    return False


def _newer_state_after_migrate(sch, rsc_id, node_name, migrate_to, migrate_from) -> bool:
    xml_op = migrate_from if migrate_from is not None else migrate_to
    source = xml_op.get("migrate_source")
    if xml_op is not migrate_to and migrate_to is not None and \
            (node_name or "").lower() == (source or "").lower():
        xml_op = migrate_to
    return _non_monitor_after(sch, rsc_id, node_name, xml_op) or \
        _monitor_not_running_after(sch, rsc_id, node_name, xml_op)


def _names(xml_op: m.LrmRscOp, source_node: Node | None, target_node: Node | None):
    source = xml_op.get("migrate_source")
    target = xml_op.get("migrate_target")
    if source is None or target is None:
        return None
    if source_node is not None and source.lower() != source_node.name.lower():
        return None
    if target_node is not None and target.lower() != target_node.name.lower():
        return None
    return source, target


def _add_dangling(rsc: Resource, node: Node) -> None:
    rsc.role = Role.STOPPED
    rsc.dangling_migration_sources.insert(0, node)


def unpack_migrate_to_success(sch: Scheduler, rsc: Resource, node: Node, xml_op: m.LrmRscOp) -> None:
    from pengine.status.unpack_history import add_running
    names = _names(xml_op, node, None)
    if names is None:
        return
    source, target = names
    from_rc = h.OCF_OK
    from_status = h.EXEC_PENDING
    source_newer_op = _non_monitor_after(sch, rsc.id, source, xml_op)
    migrate_from = find_lrm_op(sch, rsc.id, "migrate_from", target, source, -1)
    if migrate_from is not None:
        if source_newer_op:
            return
        from_rc = h.to_int(migrate_from.get("rc-code"), h.OCF_OK)
        from_status = h.to_int(migrate_from.get("op-status"), h.EXEC_PENDING)
    target_newer_state = _newer_state_after_migrate(sch, rsc.id, target, xml_op, migrate_from)
    if source_newer_op and target_newer_state:
        return
    if from_rc == h.OCF_OK and from_status == h.EXEC_DONE:
        _add_dangling(rsc, node)
        return
    rsc.role = Role.STARTED
    target_node = sch.find_node(target)
    active_on_target = not target_newer_state and target_node is not None and target_node.online
    if from_status != h.EXEC_PENDING:
        if active_on_target:
            add_running(sch, rsc, target_node, True)
        else:
            rsc.failed = True
            rsc.stop_if_failed = True
            rsc.migratable = False
        return
    if target_node is not None and target_node.online and _unknown_on_node(sch, rsc, target):
        return
    if active_on_target:
        source_node = sch.find_node(source)
        add_running(sch, rsc, target_node, False)
        if source_node is not None and source_node.online:
            rsc.partial_migration_target = target_node
            rsc.partial_migration_source = source_node
    elif not source_newer_op:
        rsc.failed = True
        rsc.stop_if_failed = True
        rsc.migratable = False


def unpack_migrate_to_failure(sch: Scheduler, rsc: Resource, node: Node, xml_op: m.LrmRscOp) -> None:
    from pengine.status.unpack_history import add_running
    names = _names(xml_op, node, None)
    if names is None:
        return
    source, target = names
    rsc.role = Role.STARTED
    target_migrate_from = find_lrm_op(sch, rsc.id, "migrate_from", target, source, h.OCF_OK)
    if not _unknown_on_node(sch, rsc, target) and \
            not _newer_state_after_migrate(sch, rsc.id, target, xml_op, target_migrate_from):
        target_node = sch.find_node(target)
        if target_node is not None and target_node.online:
            add_running(sch, rsc, target_node, False)
    elif not _non_monitor_after(sch, rsc.id, source, xml_op):
        rsc.dangling_migration_sources.insert(0, node)


def unpack_migrate_from_failure(sch: Scheduler, rsc: Resource, node: Node, xml_op: m.LrmRscOp) -> None:
    from pengine.status.unpack_history import add_running
    names = _names(xml_op, None, node)
    if names is None:
        return
    source, target = names
    rsc.role = Role.STARTED
    source_migrate_to = find_lrm_op(sch, rsc.id, "migrate_to", source, target, h.OCF_OK)
    if not _unknown_on_node(sch, rsc, source) and \
            not _newer_state_after_migrate(sch, rsc.id, source, source_migrate_to, xml_op):
        source_node = sch.find_node(source)
        if source_node is not None and source_node.online:
            add_running(sch, rsc, source_node, True)
