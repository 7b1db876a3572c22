"""Live migration: reading partial migrations, scheduling migrate_to/from (pcmk_sched_migration.c)."""

from __future__ import annotations

from pengine.cib import model as m
from pengine.status import history as h
from pengine.status.cluster import AF, Node, Rel, Resource, Role, Scheduler, op_key


# ------------------------------------------------------- status history --

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


# ------------------------------------------------------------ scheduling --

def can_migrate(sch: Scheduler, rsc: Resource, current: Node | None) -> bool:
    if not rsc.migratable or not rsc.managed or rsc.failed or rsc.start_pending:
        return False
    if current is None or current.unclean:
        return False
    if rsc.assigned_node is None or rsc.assigned_node.unclean:
        return False
    return True


def _add_migration_meta(action, source: Node, target: Node) -> None:
    action.meta["migrate_source"] = source.name
    action.meta["migrate_target"] = target.name


def create_migration_actions(sch: Scheduler, rsc: Resource, current: Node) -> None:
    from pengine.status.actions import custom_action, start_action, stop_action
    from pengine.schedule.ordering import new_ordering
    target = rsc.assigned_node
    start = start_action(sch, rsc, target, True)
    stop = stop_action(sch, rsc, current, True)
    migrate_to = None
    if rsc.partial_migration_target is None:
        migrate_to = custom_action(sch, rsc, op_key(rsc.id, "migrate_to", 0), "migrate_to",
                                   current, True)
    migrate_from = custom_action(sch, rsc, op_key(rsc.id, "migrate_from", 0), "migrate_from",
                                 target, True)
    start.set(AF.MIGRATABLE | AF.PSEUDO)
    stop.set(AF.MIGRATABLE)
    if rsc.partial_migration_target is None:
        migrate_from.set(AF.MIGRATABLE)
        migrate_to.set(AF.MIGRATABLE)
        migrate_to.needs = start.needs
        new_ordering(sch, rsc, op_key(rsc.id, "monitor", 0), None, rsc,
                     op_key(rsc.id, "migrate_to", 0), None, Rel.ORDERED)
        new_ordering(sch, rsc, op_key(rsc.id, "migrate_to", 0), None, rsc,
                     op_key(rsc.id, "migrate_from", 0), None,
                     Rel.ORDERED | Rel.UNMIGRATABLE_THEN_BLOCKS)
    else:
        migrate_from.set(AF.MIGRATABLE)
        migrate_from.needs = start.needs
        new_ordering(sch, rsc, op_key(rsc.id, "monitor", 0), None, rsc,
                     op_key(rsc.id, "migrate_from", 0), None, Rel.ORDERED)
    new_ordering(sch, rsc, op_key(rsc.id, "migrate_from", 0), None, rsc,
                 op_key(rsc.id, "stop", 0), None, Rel.ORDERED | Rel.UNMIGRATABLE_THEN_BLOCKS)
    new_ordering(sch, rsc, op_key(rsc.id, "migrate_from", 0), None, rsc,
                 op_key(rsc.id, "start", 0), None,
                 Rel.ORDERED | Rel.UNMIGRATABLE_THEN_BLOCKS | Rel.FIRST_ELSE_THEN)
    if migrate_to is not None:
        _add_migration_meta(migrate_to, current, target)
        if not rsc.is_remote_connection:
            migrate_to.meta["record-pending"] = "true"
    _add_migration_meta(migrate_from, current, target)


def abort_dangling_migration(sch: Scheduler, source: Node, rsc: Resource) -> None:
    from pengine.status.actions import stop_action
    stop = stop_action(sch, rsc, source, False)
    stop.set(AF.MIGRATION_ABORT)
    if sch.remove_after_stop:
        from pengine.schedule.variants.primitive import schedule_cleanup
        schedule_cleanup(sch, rsc, source, False)


def _is_parent(child: Resource, rsc: Resource) -> bool:
    walker = child.parent
    while walker is not None:
        if walker is rsc:
            return True
        walker = walker.parent
    return False


def order_migration_equivalents(sch: Scheduler, order) -> None:
    rsc1, rsc2 = order.first_rsc, order.then_rsc
    if rsc1 is None or rsc2 is None or rsc1 is rsc2 or _is_parent(rsc1, rsc2) \
            or _is_parent(rsc2, rsc1):
        return
    first_migratable = rsc1.migratable
    then_migratable = rsc2.migratable
    if not first_migratable and not then_migratable:
        return
    first_task = order.first_action.task if order.first_action is not None \
        else _task_of(order.first_key, rsc1.id)[0]
    then_task = order.then_action.task if order.then_action is not None \
        else _task_of(order.then_key, rsc2.id)[0]

    def new(task1, task2, flags):
        new_ordering(sch, rsc1, op_key(rsc1.id, task1, 0), None, rsc2, op_key(rsc2.id, task2, 0),
                     None, flags)
    if first_task == "start" and then_task == "start":
        flags = Rel.ORDERED
        if first_migratable and then_migratable:
            new("migrate_from", "migrate_to", flags)
        if then_migratable:
            if first_migratable:
                flags |= Rel.IF_FIRST_UNMIGRATABLE
            new("start", "migrate_to", flags)
    elif then_migratable and first_task == "stop" and then_task == "stop":
        flags = Rel.ORDERED
        if first_migratable:
            flags |= Rel.IF_FIRST_UNMIGRATABLE
        new("stop", "migrate_to", flags)
        if rsc2.partial_migration_target is not None:
            new("stop", "migrate_from", flags)
    elif first_task == "promote" and then_task == "start":
        if then_migratable:
            new("promote", "migrate_to", Rel.ORDERED)
    elif first_task == "demote" and then_task == "stop":
        if then_migratable:
            new("demote", "migrate_to", Rel.ORDERED)
            if rsc2.partial_migration_target is not None:
                new("demote", "migrate_from", Rel.ORDERED)


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.schedule.ordering import _task_of, new_ordering  # noqa: E402
