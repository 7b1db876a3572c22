"""Clone notifications (Pacemaker's lib/pengine/pe_notif.c and the clone parts of clone.c).

A clone with ``notify=true`` tells its instances before and after each
start, stop, promote and demote of any instance.  Each clone action gets a
chain of pseudo-actions::

    <clone>_pre_notify_<task>_0 -> instance notify actions
      -> <clone>_confirmed-pre_notify_<task>_0 -> <task> the instances
      -> <clone>_<task>ed -> <clone>_post_notify_<task>ed_0
      -> instance notify actions -> <clone>_confirmed-post_notify_<task>ed_0

and the instance notify actions carry the ``notify_*`` meta-attributes
(who is active, inactive, starting, stopping, promoted ... and where).

The pseudo-actions are made while actions are created
(``create_clone_notif_pseudo_ops``, and ``promotable.create_promotable_pseudo_ops``);
the instance notify actions only when the clone's actions go into the
graph (``create_clone_notifications``), once ordering has settled which
actions are required and runnable.  The clone keeps its notification data
in ``clone.notify_data``: a dict by task ("start", "stop", "promote",
"demote") of ``NotifyData``.
"""

from __future__ import annotations

import functools

from pengine.status.cluster import AF, Action, Node, Rel, Resource, Role, Scheduler
from pengine.common.scores import INFINITY

_NOTIFIED_TASKS = ("start", "stop", "promote", "demote")


def notify_key(rsc_id: str, notify_type: str, operation: str) -> str:
    """pcmk__notify_key."""
    return f"{rsc_id}_{notify_type}_notify_{operation}_0"


class NotifyEntry:
    """One instance (and the node it is on or acts on) in a notification list."""

    __slots__ = ("rsc", "node")

    def __init__(self, rsc: Resource, node: Node | None):
        self.rsc = rsc
        self.node = node


class NotifyData:
    """notify_data_t: the pseudo-actions and lists for one clone action."""

    def __init__(self, action: str):
        self.action = action
        self.pre: Action | None = None
        self.post: Action | None = None
        self.pre_done: Action | None = None
        self.post_done: Action | None = None
        self.keys: list[tuple[str, str]] = []
        self.allowed_nodes: dict | None = None
        self.active: list[NotifyEntry] = []
        self.inactive: list[NotifyEntry] = []
        self.start: list[NotifyEntry] = []
        self.stop: list[NotifyEntry] = []
        self.promote: list[NotifyEntry] = []
        self.demote: list[NotifyEntry] = []
        self.promoted: list[NotifyEntry] = []
        self.unpromoted: list[NotifyEntry] = []

    def add_key(self, name: str, value: str) -> None:
        # pcmk_prepend_nvpair: later keys come first (and win on insertion)
        self.keys.insert(0, (name, value))


def clone_notify_data(clone: Resource) -> dict:
    """The clone's notification data by task, created empty on first use."""
    if clone.notify_data is None:
        clone.notify_data = {}
    return clone.notify_data


# ------------------------------------------------------- pseudo-actions --

def _new_notify_pseudo_action(sch: Scheduler, rsc: Resource, action: Action, notif_action: str,
                              notif_type: str) -> Action:
    from pengine.status.actions import custom_action
    notify = custom_action(sch, rsc, notify_key(rsc.id, notif_type, action.task), notif_action,
                           None, action.optional)
    notify.set(AF.PSEUDO)
    notify.meta["notify_key_type"] = notif_type
    notify.meta["notify_key_operation"] = action.task
    return notify


def action_notif_pseudo_ops(sch: Scheduler, rsc: Resource, task: str, action: Action | None,
                            complete: Action | None) -> NotifyData | None:
    """pe__action_notif_pseudo_ops: the notification pseudo-actions for one
    clone action (``action`` gets "pre-" ones before it, ``complete`` gets
    "post-" ones after it); None unless the resource notifies."""
    from pengine.schedule.ordering import order_actions
    if not rsc.notify:
        return None
    data = NotifyData(task)
    if action is not None:
        data.pre = _new_notify_pseudo_action(sch, rsc, action, "notify", "pre")
        data.pre.set(AF.RUNNABLE)
        data.pre.meta["notify_type"] = "pre"
        data.pre.meta["notify_operation"] = task
        data.pre_done = _new_notify_pseudo_action(sch, rsc, action, "notified", "confirmed-pre")
        data.pre_done.set(AF.RUNNABLE)
        data.pre_done.meta["notify_type"] = "pre"
        data.pre_done.meta["notify_operation"] = task
        order_actions(data.pre, data.pre_done, Rel.ORDERED)
        order_actions(data.pre_done, action, Rel.ORDERED)
    if complete is not None:
        data.post = _new_notify_pseudo_action(sch, rsc, complete, "notify", "post")
        data.post.priority = INFINITY
        _copy_runnable(data.post, complete)
        data.post.meta["notify_type"] = "post"
        data.post.meta["notify_operation"] = task
        data.post_done = _new_notify_pseudo_action(sch, rsc, complete, "notified",
                                                   "confirmed-post")
        data.post_done.priority = INFINITY
        _copy_runnable(data.post_done, complete)
        data.post_done.meta["notify_type"] = "post"
        data.post_done.meta["notify_operation"] = task
        order_actions(complete, data.post, Rel.FIRST_IMPLIES_THEN)
        order_actions(data.post, data.post_done, Rel.FIRST_IMPLIES_THEN)
    if action is not None and complete is not None:
        order_actions(data.pre_done, data.post, Rel.ORDERED)
    return data


def _copy_runnable(action: Action, model: Action) -> None:
    if model.runnable:
        action.set(AF.RUNNABLE)
    else:
        action.clear(AF.RUNNABLE)


def create_clone_notif_pseudo_ops(sch: Scheduler, clone: Resource, start: Action,
                                  started: Action, stop: Action, stopped: Action) -> None:
    """pe__create_clone_notif_pseudo_ops: start and stop notification
    pseudo-actions for a clone (stop's notifications finish before start's)."""
    from pengine.schedule.ordering import order_actions
    data = clone_notify_data(clone)
    if data.get("start") is None:
        data["start"] = action_notif_pseudo_ops(sch, clone, "start", start, started)
    if data.get("stop") is None:
        data["stop"] = action_notif_pseudo_ops(sch, clone, "stop", stop, stopped)
        if data.get("start") is not None and data.get("stop") is not None:
            order_actions(data["stop"].post_done, data["start"].pre, Rel.ORDERED)


# --------------------------------------------------------- collecting --

def _collect_resource_data(rsc: Resource, activity: bool, data: NotifyData) -> None:
    """Who is in which role, and (with ``activity``) who is changing."""
    if data.allowed_nodes is None:
        data.allowed_nodes = rsc.allowed
    if rsc.children:
        for child in rsc.children:
            _collect_resource_data(child, activity, data)
        return
    node = rsc.running_on[0] if rsc.running_on else None
    entry = NotifyEntry(rsc, node)
    if rsc.role == Role.STOPPED:
        data.inactive.insert(0, entry)
    elif rsc.role == Role.STARTED:
        data.active.insert(0, entry)
    elif rsc.role == Role.UNPROMOTED:
        data.unpromoted.insert(0, entry)
        data.active.insert(0, NotifyEntry(rsc, node))
    elif rsc.role == Role.PROMOTED:
        data.promoted.insert(0, entry)
        data.active.insert(0, NotifyEntry(rsc, node))
    if not activity:
        return
    lists = {"start": data.start, "stop": data.stop, "promote": data.promote,
             "demote": data.demote}
    for op in rsc.actions:
        if op.optional or op.node is None:
            continue
        if op.task == "stop" and op.node.unclean:
            pass  # listed even if unrunnable (noise if the node can't be fenced)
        elif not op.runnable:
            continue
        target = lists.get(op.task)
        if target is not None:
            target.insert(0, NotifyEntry(rsc, op.node))


def _entry_key(entry: NotifyEntry):
    # by instance name, then node id (a missing node sorts last)
    node_id = entry.node.id if entry.node is not None else None
    return (entry.rsc.id.encode(), node_id is None, (node_id or "").encode())


def _entries_to_strings(entries: list[NotifyEntry], with_nodes: bool) -> tuple[str, str]:
    """Space-separated instance names and node names (" " when empty);
    each instance once."""
    entries.sort(key=_entry_key)
    names: list[str] = []
    nodes: list[str] = []
    last = None
    for entry in entries:
        if with_nodes and entry.node is None:
            continue
        if entry.rsc.id == last:
            continue
        last = entry.rsc.id
        names.append(entry.rsc.id)
        if with_nodes and entry.node.name is not None:
            nodes.append(entry.node.name)
    return " ".join(names) or " ", " ".join(nodes) or " "


def _node_names(nodes, hosts: bool) -> str:
    names = []
    for node in nodes:
        if node.name is None:
            continue
        if hosts and node.is_guest:
            launcher = node.remote_rsc.launcher
            if launcher.running_on:
                node = launcher.current_node
                if node.name is None:
                    continue
        names.append(node.name)
    return " ".join(names) or " "


def _add_notif_keys(sch: Scheduler, rsc: Resource, data: NotifyData) -> None:
    """The notify_* meta-attributes, and whether the notifications are required."""
    from pengine.common.names import numeric_strcasecmp
    required = False
    names, unames = _entries_to_strings(data.stop, True)
    if names != " " and data.action == "stop":
        required = True
    data.add_key("notify_stop_resource", names)
    data.add_key("notify_stop_uname", unames)
    if data.start and data.action == "start":
        required = True
    names, unames = _entries_to_strings(data.start, True)
    data.add_key("notify_start_resource", names)
    data.add_key("notify_start_uname", unames)
    if data.demote and data.action == "demote":
        required = True
    names, unames = _entries_to_strings(data.demote, True)
    data.add_key("notify_demote_resource", names)
    data.add_key("notify_demote_uname", unames)
    if data.promote and data.action == "promote":
        required = True
    names, unames = _entries_to_strings(data.promote, True)
    data.add_key("notify_promote_resource", names)
    data.add_key("notify_promote_uname", unames)
    names, unames = _entries_to_strings(data.active, True)
    data.add_key("notify_active_resource", names)
    data.add_key("notify_active_uname", unames)
    names, unames = _entries_to_strings(data.unpromoted, True)
    data.add_key("notify_unpromoted_resource", names)
    data.add_key("notify_unpromoted_uname", unames)
    data.add_key("notify_slave_resource", names)  # deprecated names, still sent
    data.add_key("notify_slave_uname", unames)
    names, unames = _entries_to_strings(data.promoted, True)
    data.add_key("notify_promoted_resource", names)
    data.add_key("notify_promoted_uname", unames)
    data.add_key("notify_master_resource", names)
    data.add_key("notify_master_uname", unames)
    names, _ = _entries_to_strings(data.inactive, False)
    data.add_key("notify_inactive_resource", names)
    available = sorted((weight.node for weight in (data.allowed_nodes or {}).values()),
                       key=functools.cmp_to_key(
                           lambda a, b: numeric_strcasecmp(a.name or "", b.name or "")))
    data.add_key("notify_available_uname", _node_names(available, False))
    if rsc.meta.get("container-attribute-target") == "host":
        data.add_key("notify_all_hosts", _node_names(sch.nodes, True))
    data.add_key("notify_all_uname", _node_names(sch.nodes, False))
    if required and data.pre is not None:
        data.pre.clear(AF.OPTIONAL)
        data.pre_done.clear(AF.OPTIONAL)
    if required and data.post is not None:
        data.post.clear(AF.OPTIONAL)
        data.post_done.clear(AF.OPTIONAL)


# ------------------------------------------------------- notify actions --

def _add_notify_data_to_action_meta(data: NotifyData, action: Action) -> None:
    for name, value in data.keys:
        action.meta[name] = value


def _new_notify_action(sch: Scheduler, rsc: Resource, node: Node, op: Action | None,
                       notify_done: Action | None, data: NotifyData) -> Action | None:
    """An instance's notify action on ``node`` for the pseudo-action ``op``."""
    from pengine.status.actions import custom_action
    from pengine.schedule.ordering import order_actions
    if op is None or notify_done is None or not node.online or not op.runnable:
        return None
    notify_type = op.meta.get("notify_type")
    task = op.meta.get("notify_operation")
    action = custom_action(sch, rsc, notify_key(rsc.id, notify_type, task), op.task, node,
                           op.optional)
    # the action's own meta (its timeout, say) wins over the pseudo-action's
    for name, value in op.meta.items():
        action.meta.setdefault(name, value)
    _add_notify_data_to_action_meta(data, action)
    order_actions(op, action, Rel.ORDERED)
    order_actions(action, notify_done, Rel.ORDERED)
    return action


def _new_post_notify_action(sch: Scheduler, rsc: Resource, node: Node, data: NotifyData) -> None:
    from pengine.schedule.ordering import order_actions
    notify = _new_notify_action(sch, rsc, node, data.post, data.post_done, data)
    if notify is not None:
        notify.priority = INFINITY
    if data.post_done is None:
        return
    # recurring monitors run once all "post-" notifications are done
    for mon in rsc.actions:
        interval = mon.meta.get("interval")
        if interval in (None, "0") or mon.task == "cancel":
            continue
        order_actions(data.post_done, mon, Rel.ORDERED)


def _find_remote_start(action: Action | None) -> Action | None:
    from pengine.status.actions import find_first_action
    if action is not None and action.node is not None:
        remote_rsc = action.node.remote_rsc
        if remote_rsc is not None:
            return find_first_action(remote_rsc.actions, None, "start", None)
    return None


def _create_notify_actions(sch: Scheduler, rsc: Resource, data: NotifyData) -> None:
    from pengine.status.actions import find_first_action
    task = data.action
    if rsc.children:
        for child in rsc.children:
            _create_notify_actions(sch, child, data)
        return
    for op in rsc.actions:
        if not op.optional and op.node is not None and op.task in _NOTIFIED_TASKS:
            _add_notify_data_to_action_meta(data, op)
    # nothing to notify about if this instance does not do the action; not
    # so for stop, which fencing may imply
    if task == "start" and not data.start:
        return
    if task == "promote" and not data.promote:
        return
    if task == "demote" and not data.demote:
        return
    if rsc.role != Role.STOPPED and task in ("stop", "demote"):
        stop = find_first_action(rsc.actions, None, "stop", None)
        for current in rsc.running_on:
            # don't notify a node being fenced for a stop the fencing implies
            if stop is not None and stop.pseudo and (current.unclean or current.remote_reset):
                continue
            _new_notify_action(sch, rsc, current, data.pre, data.pre_done, data)
            if task == "demote" or stop is None or stop.optional:
                _new_post_notify_action(sch, rsc, current, data)
    if rsc.next_role != Role.STOPPED and task in ("start", "promote"):
        start = find_first_action(rsc.actions, None, "start", None)
        if start is not None:
            remote_start = _find_remote_start(start)
            if remote_start is not None and not remote_start.runnable:
                # behind a remote connection that cannot start: no notifications
                return
        if rsc.assigned_node is None:
            sch.warnings.append(f"Next role '{rsc.next_role.text}' but {rsc.id} is not allocated")
            return
        if task != "start" or start is None or start.optional:
            _new_notify_action(sch, rsc, rsc.assigned_node, data.pre, data.pre_done, data)
        _new_post_notify_action(sch, rsc, rsc.assigned_node, data)


def create_action_notifications(sch: Scheduler, rsc: Resource, data: NotifyData | None) -> None:
    """pe__create_action_notifications: the lists, keys and notify actions
    for one clone action."""
    if rsc is None or data is None:
        return
    _collect_resource_data(rsc, True, data)
    _add_notif_keys(sch, rsc, data)
    _create_notify_actions(sch, rsc, data)


def create_clone_notifications(sch: Scheduler, clone: Resource) -> None:
    """pe__create_clone_notifications: all of a clone's notify actions (called
    when the clone's actions are added to the graph)."""
    data = clone_notify_data(clone)
    for task in ("start", "stop", "promote", "demote"):
        create_action_notifications(sch, clone, data.get(task))


def free_clone_notification_data(sch: Scheduler, clone: Resource) -> None:
    """pe__free_clone_notification_data: forget the clone's notification data."""
    clone.notify_data = None


def order_notifs_after_fencing(sch: Scheduler, stop: Action, rsc: Resource,
                               fencing: Action) -> None:
    """pe__order_notifs_after_fencing: for a stop implied by fencing, "post-"
    notifications ordered after the fencing itself."""
    data = action_notif_pseudo_ops(sch, rsc, "stop", None, fencing)
    if data is None:
        return
    _collect_resource_data(rsc, False, data)
    data.add_key("notify_stop_resource", rsc.id)
    data.add_key("notify_stop_uname", stop.node.name)
    _create_notify_actions(sch, rsc.top(), data)

