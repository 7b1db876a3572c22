"""Actions on Pacemaker Remote and guest nodes, ordered around their connections.

Follows pcmk_sched_remote.c (Pacemaker 3.0): an action that runs behind a
remote connection must happen while the connection is up (after its start,
before its stop).  When the connection cannot be recovered, the only way to
learn or change what runs on the node is to fence it.  Also here: which
cluster node routes a remote action, and the extra meta-attributes of
actions on guest nodes.
"""

from __future__ import annotations

from enum import IntEnum

from pengine.status.cluster import Action, Node, Rel, Resource, Role, Scheduler, op_key


class ConnectionState(IntEnum):
    """The state of a remote node's connection resource (remote_connection_state)."""

    UNKNOWN = 0   # recoverable, but not running anywhere yet
    ALIVE = 1
    RESTING = 2   # on a dead node or mid-migration: wait for its recovery
    FAILED = 3    # will not run anywhere: fencing is the only way out
    STOPPED = 4   # cleanly going (or staying) down


# pcmk__parse_action: the task names Pacemaker recognises; others (cancel
# among them) are unspecified
_STOP, _START, _PROMOTE, _DEMOTE, _MONITOR, _NOTIFY = (
    "stop", "start", "promote", "demote", "monitor", "notify")
_KNOWN_TASKS = frozenset({
    "stop", "stopped", "start", "running", "promote", "promoted", "demote", "demoted",
    "monitor", "notify", "notified", "stonith", "do_shutdown",
})


def parse_task(task: str | None) -> str | None:
    """The task as pcmk__parse_action classifies it (None: unspecified)."""
    return task if task in _KNOWN_TASKS else None


def is_recurring(action: Action) -> bool:
    """pcmk__action_is_recurring."""
    return action.interval_ms > 0


def shutdown_requested(node: Node) -> bool:
    """pe__shutdown_requested: a shutdown attribute other than "0"."""
    value = node.attrs.get("shutdown")
    return value is not None and value != "0"


def remote_node_state(node: Node) -> ConnectionState:
    """get_remote_node_state: how the connection of remote node ``node`` is faring."""
    remote = node.remote_rsc
    cluster_node = remote.current_node
    if remote.next_role == Role.STOPPED or remote.assigned_node is None:
        # The connection is not going to run anywhere
        if cluster_node is not None and cluster_node.unclean:
            return ConnectionState.FAILED
        if not remote.failed:
            return ConnectionState.STOPPED
        if remote.next_role == Role.STOPPED and remote.remote_reconnect_ms > 0 \
                and node.remote_fenced and not shutdown_requested(node):
            # recoverability is known only once the reconnect interval expires
            return ConnectionState.UNKNOWN
        return ConnectionState.FAILED
    if cluster_node is None:
        return ConnectionState.UNKNOWN
    if not cluster_node.alive():
        return ConnectionState.RESTING
    if len(remote.running_on) > 1 and remote.partial_migration_source is not None \
            and remote.partial_migration_target is not None:
        return ConnectionState.RESTING
    return ConnectionState.ALIVE


def is_failed_remote_node(node: Node | None) -> bool:
    """pcmk__is_failed_remote_node: a remote (not guest) node whose connection is lost."""
    return node is not None and node.is_remote_only and node.remote_rsc is not None \
        and remote_node_state(node) == ConnectionState.FAILED


def rsc_corresponds_to_guest(rsc: Resource | None, node: Node | None) -> bool:
    """pcmk__rsc_corresponds_to_guest: ``rsc`` is the launcher of guest node ``node``."""
    return rsc is not None and bool(rsc.launched) and node is not None \
        and node.remote_rsc is not None and node.remote_rsc.launcher is rsc


# --------------------------------------------------------------- ordering --

def order_start_then_action(sch: Scheduler, first_rsc: Resource | None, then: Action | None,
                            extra: int) -> None:
    """The connection (or launcher) starts before ``then``; if it cannot, neither can then."""
    from pengine.schedule.ordering import new_ordering
    if first_rsc is None or then is None:
        return
    new_ordering(sch, first_rsc, op_key(first_rsc.id, "start", 0), None, then.rsc, None, then,
                 Rel.GUEST_ALLOWED | Rel.UNRUNNABLE_FIRST_BLOCKS | extra)


def order_action_then_stop(sch: Scheduler, first: Action | None, then_rsc: Resource | None,
                           extra: int) -> None:
    """``first`` happens before the connection stops."""
    from pengine.schedule.ordering import new_ordering
    if first is None or then_rsc is None:
        return
    new_ordering(sch, first.rsc, None, first, then_rsc, op_key(then_rsc.id, "stop", 0), None,
                 Rel.GUEST_ALLOWED | extra)


def _task_for_ordering(action: Action) -> str | None:
    # Migrations are ordered like stops (see connection_host_for_action)
    if action.task.lower() in ("migrate_to", "migrate_from"):
        return _STOP
    return parse_task(action.task)


def apply_remote_ordering(sch: Scheduler, action: Action) -> None:
    """Order an action on a remote node relative to its connection resource."""
    from pengine.status.unpack import fence_node
    if action.rsc is None:
        return
    node = action.node
    remote = node.remote_rsc
    state = remote_node_state(node)
    task = _task_for_ordering(action)
    if task in (_START, _PROMOTE):
        # a failed connection forces recovery: the action becomes required
        extra = Rel.FIRST_IMPLIES_THEN if state == ConnectionState.FAILED else Rel.NONE
        order_start_then_action(sch, remote, action, extra)
    elif task == _STOP:
        if state == ConnectionState.ALIVE:
            order_action_then_stop(sch, action, remote, Rel.THEN_IMPLIES_FIRST)
        elif state == ConnectionState.FAILED:
            # the stop is implied by fencing the node: no ordering needed
            fence_node(sch, node, "resources are active but connection is unrecoverable",
                       False)
        elif remote.next_role == Role.STOPPED:
            # the connection is not coming back in this transition: stop first
            order_action_then_stop(sch, action, remote, Rel.THEN_IMPLIES_FIRST)
        else:
            # the connection starts elsewhere: stop after that
            order_start_then_action(sch, remote, action, Rel.NONE)
    elif task == _DEMOTE:
        # only while the connection is not being torn down (else the stop orders it)
        if state in (ConnectionState.RESTING, ConnectionState.UNKNOWN):
            order_start_then_action(sch, remote, action, Rel.NONE)
    elif is_recurring(action):
        # force recurring monitors to restart when the connection is re-established
        order_start_then_action(sch, remote, action, Rel.FIRST_IMPLIES_THEN)
    else:
        cluster_node = remote.current_node
        if task == _MONITOR and state == ConnectionState.FAILED:
            # a probe we have no way to run: assume the worst
            fence_node(sch, node, "resources are in unknown state and connection is "
                       "unrecoverable", False)
        if cluster_node is not None and state == ConnectionState.STOPPED:
            # the connection goes down for good: check services before closing it
            order_action_then_stop(sch, action, remote, Rel.UNRUNNABLE_FIRST_BLOCKS)
        else:
            order_start_then_action(sch, remote, action, Rel.NONE)


def apply_launcher_ordering(sch: Scheduler, action: Action) -> None:
    """Order an action on a guest node relative to its connection and launcher."""
    from pengine.status.unpack import fence_node
    node = action.node
    remote = node.remote_rsc
    launcher = remote.launcher
    if launcher.failed:
        fence_node(sch, node, "container failed", False)
    task = _task_for_ordering(action)
    if task in (_START, _PROMOTE):
        # recover the resource when its launcher is recovered
        order_start_then_action(sch, launcher, action, Rel.FIRST_IMPLIES_THEN)
        order_start_then_action(sch, remote, action, Rel.NONE)
    elif task in (_STOP, _DEMOTE):
        # a failed launcher's stop implies these, as fencing would
        if not launcher.failed:
            order_action_then_stop(sch, action, remote, Rel.NONE)
    elif is_recurring(action):
        if task is not None:
            order_start_then_action(sch, remote, action, Rel.FIRST_IMPLIES_THEN)
    else:
        order_start_then_action(sch, remote, action, Rel.NONE)


def order_remote_connection_actions(sch: Scheduler) -> None:
    """pcmk__order_remote_connection_actions."""
    from pengine.schedule.ordering import new_ordering
    if not sch.have_remote_nodes:
        return
    # Pacemaker's action list is newest first; new actions are not visited
    for action in reversed(list(sch.actions)):
        rsc = action.rsc
        if rsc is None:
            continue
        if rsc.is_remote_connection and action.task == "clear_failcount":
            # clear a connection's fail count before starting it again
            new_ordering(sch, rsc, None, action, rsc, op_key(rsc.id, "start", 0), None,
                         Rel.ORDERED)
            continue
        node = action.node
        if node is None or not node.is_remote or action.pseudo:
            continue
        remote = node.remote_rsc
        if remote is None:
            continue  # orphaned
        if action.task == "start":
            # moving to a remote node: stop the original only once the connection is up
            for other in reversed(list(rsc.actions)):
                if other.node is not node and other.task == "stop":
                    new_ordering(sch, remote, op_key(remote.id, "start", 0), None, rsc, None,
                                 other, Rel.ORDERED)
        if remote.launcher is not None:
            apply_launcher_ordering(sch, action)
        else:
            apply_remote_ordering(sch, action)


# ---------------------------------------------------------------- routing --

def connection_host_for_action(action: Action) -> Node | None:
    """pcmk__connection_host_for_action: the cluster node a remote action goes through."""
    node = action.node
    if action.task == "stonith" or node is None or not node.is_remote:
        return None
    remote = node.remote_rsc
    if remote is None:
        return None
    began_on = remote.current_node
    ended_on = remote.assigned_node
    partial_migration = remote.launcher is None and remote.partial_migration_target is not None
    if began_on is None:
        return ended_on
    if ended_on is None or began_on is ended_on:
        return began_on
    # The connection moves: down actions go through the old host, the rest the new one
    task = action.task
    if task == "notify":
        task = action.meta.get("notify_operation")
    if (task or "").lower() in ("cancel", "stop", "demote", "migrate_from", "migrate_to") \
            and not partial_migration:
        return began_on
    return ended_on


def substitute_remote_addr(sch: Scheduler, rsc: Resource, params: dict[str, str]) -> None:
    """pcmk__substitute_remote_addr: addr="#uname" takes the node-less value."""
    from pengine.status.unpack import rsc_params
    if params.get("addr") == "#uname":
        base = rsc_params(sch, rsc, None)
        addr = base.get("addr")
        if addr is not None:
            params["addr"] = addr


_DOWN_TASKS = frozenset({"stop", "stopped", "demote", "demoted"})
_UP_TASKS = frozenset({"start", "running", "monitor", "promote", "promoted"})


def guest_meta(action: Action) -> dict[str, str]:
    """pcmk__add_guest_meta_to_xml: meta for an action on a guest node.

    The keys are meta-attribute names (the graph adds the CRM_meta_ prefix);
    empty when the guest has no physical host for this action.
    """
    node = action.node
    if node is None or not node.is_guest or action.rsc is None:
        return {}
    launcher = node.remote_rsc.launcher
    task = parse_task(action.task)
    if task in ("notify", "notified"):
        task = parse_task(action.meta.get("notify_operation"))
    if task in _DOWN_TASKS:
        host = launcher.current_node
    elif task in _UP_TASKS:
        host = launcher.assigned_node
    else:
        host = None
    if host is None:
        return {}
    meta = {}
    target = action.rsc.meta.get("container-attribute-target")
    if target is not None:
        meta["container-attribute-target"] = target
    meta["physical_host"] = host.name
    return meta
