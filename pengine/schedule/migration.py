"""Live migration: scheduling migrate_to/from (pcmk_sched_migration.c).  Reading partial
migrations from the status section is pengine.status.unpack_migration."""

from __future__ import annotations

from pengine.status.cluster import AF, Node, Rel, Resource, Scheduler, op_key


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
        from pengine.schedule.cleanup import schedule_cleanup
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
