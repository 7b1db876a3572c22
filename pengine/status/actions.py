"""Creating actions and keeping their flags consistent (pe_actions.c).

An action is found or created by key and node (``custom_action``); its
runnable and optional flags start from the resource's state, the node's
state and quorum, and are refined later by orderings.
"""

from __future__ import annotations

import re

from pengine.status.cluster import (AF, Action, NoQuorum, Node, OnFail, Requires, Resource, Role,
                                    Rel, Relation, Scheduler, op_key)

_KEY_INTERVAL = re.compile(r"_(\d+)$")


def key_interval(key: str) -> int:
    match = _KEY_INTERVAL.search(key)
    return int(match.group(1)) if match else 0


def find_actions(actions, key: str, node: Node | None) -> list[Action]:
    """find_actions: matches by key; a node-less match adopts ``node``."""
    result = []
    by_uuid = getattr(actions, "by_uuid", None)
    for action in (actions if by_uuid is None else by_uuid.get(key, ())):
        if action.uuid != key:
            continue
        if node is None:
            result.append(action)
        elif action.node is None:
            action.node = node
            result.append(action)
        elif action.node is node:
            result.append(action)
    return result


def find_actions_exact(actions, key: str, node: Node | None) -> list[Action]:
    if node is None:
        return []
    by_uuid = getattr(actions, "by_uuid", None)
    if by_uuid is not None:
        actions = by_uuid.get(key, ())
    return [a for a in actions if a.node is node and a.uuid == key]


def find_first_action(actions, uuid: str | None = None, task: str | None = None,
                      node: Node | None = None) -> Action | None:
    """The newest match: our action lists grow by appending, Pacemaker's by
    prepending, so its "first" is our last."""
    if uuid is not None and hasattr(actions, "by_uuid"):
        actions = actions.by_uuid.get(uuid, ())
    elif task is not None and hasattr(actions, "by_task"):
        actions = actions.by_task.get(task, ())
    for action in reversed(actions):
        if uuid is not None and action.uuid != uuid:
            continue
        if task is not None and action.task != task:
            continue
        if node is None:
            return action
        if action.node is None:
            continue
        if action.node is node:
            return action
    return None


def resource_actions(rsc: Resource, node: Node | None, task: str, require_node: bool) -> list[Action]:
    key = op_key(rsc.id, task, 0)
    if require_node:
        return find_actions_exact(rsc.actions, key, node)
    return find_actions(rsc.actions, key, node)


def _new_action(sch: Scheduler, key: str, task: str, rsc: Resource | None, node: Node | None,
                optional: bool, interval: int) -> Action:
    action = Action(sch.next_action_id, key, task, rsc, node)
    sch.next_action_id += 1
    if task == "lrm_delete":
        action.set(AF.ON_DC)
    action.set(AF.RUNNABLE)
    if optional:
        action.set(AF.OPTIONAL)
    else:
        action.clear(AF.OPTIONAL)
    if rsc is not None:
        from pengine.status.op_config import find_op_config, op_meta
        action.interval_ms = interval
        action.op_config = find_op_config(rsc, task, interval, True)
        if action.op_config is None and "_notify_" in key:
            action.op_config = find_op_config(rsc, "notify", 0, True)
        action.meta = op_meta(sch, rsc, node, task, interval, action.op_config)
        action.needs = action_requires(rsc, task)
        action.on_fail = parse_on_fail(sch, rsc, task, interval, action.meta.get("on-fail"))
        action.fail_role = role_after_failure(rsc, task, action.on_fail, action.meta)
    sch.actions.append(action)
    if rsc is None:
        sch.singletons[key] = action
    else:
        rsc.actions.append(action)
    return action


def custom_action(sch: Scheduler, rsc: Resource | None, key: str, task: str, node: Node | None,
                  optional: bool, interval: int | None = None) -> Action:
    """Find or create the action ``key`` on ``node`` and update its flags."""
    if rsc is None:
        matches = find_actions(sch.actions, key, node)
    else:
        matches = find_actions(rsc.actions, key, node)
    action = matches[0] if matches else None
    if action is None:
        action = _new_action(sch, key, task, rsc, node, optional,
                             key_interval(key) if interval is None else interval)
    _update_optional(action, optional)
    if rsc is not None:
        if action.node is not None and action.op_config is not None \
                and not action.has(AF.ATTRS_EVALUATED):
            from pengine.rules.rules import unpack_nvpair_sets
            from pengine.status.params import rule_context
            action.extra = unpack_nvpair_sets(action.op_config.params,
                                              rule_context(sch, node_attributes=dict(action.node.attrs)))
            action.set(AF.ATTRS_EVALUATED)
        _update_runnable(sch, action)
    return action


def _update_optional(action: Action, optional: bool) -> None:
    rsc = action.rsc
    if rsc is not None and action.node is not None and not action.pseudo and not rsc.managed \
            and "interval" not in action.meta:
        action.set(AF.OPTIONAL)
    elif not optional:
        action.clear(AF.OPTIONAL)


def _effective_quorum_policy(sch: Scheduler, rsc: Resource) -> NoQuorum:
    policy = sch.no_quorum_policy
    if sch.quorate:
        return NoQuorum.IGNORE
    if policy == NoQuorum.DEMOTE:
        if rsc.role in (Role.PROMOTED, Role.UNPROMOTED):
            if rsc.next_role > Role.UNPROMOTED:
                rsc.next_role = Role.UNPROMOTED
            return NoQuorum.IGNORE
        return NoQuorum.STOP
    return policy


def rsc_active(rsc: Resource) -> bool:
    """native_active(rsc, all=TRUE) generalised to collectives."""
    if rsc.variant != "primitive":
        return any(rsc_active(child) for child in rsc.children)
    for node in rsc.running_on:
        if node.unclean:
            return True
        if not node.online and rsc.managed:
            continue
        return True
    return False


def _update_runnable(sch: Scheduler, action: Action) -> None:
    from pengine.status.fencing import can_fence
    from pengine.status.fencing import fence_node
    rsc = action.rsc
    if action.pseudo:
        return
    node = action.node
    if node is None:
        action.clear(AF.RUNNABLE)
    elif not action.has(AF.ON_DC) and not node.online and \
            (not node.is_guest or node.remote_reset):
        action.clear(AF.RUNNABLE)
        if rsc.managed and action.task == "stop" and not node.unclean:
            fence_node(sch, node, "stop is unrunnable", False)
    elif not action.has(AF.ON_DC) and node.pending:
        action.clear(AF.RUNNABLE)
    elif action.needs == Requires.NOTHING:
        set_reason(action, None, True)
        if node.is_guest and not can_fence(sch, node):
            action.clear(AF.RUNNABLE)
        else:
            action.set(AF.RUNNABLE)
    else:
        policy = _effective_quorum_policy(sch, rsc)
        if policy == NoQuorum.STOP:
            action.clear(AF.RUNNABLE)
            set_reason(action, "no quorum", True)
        elif policy == NoQuorum.FREEZE:
            if not rsc_active(rsc) or rsc.next_role > rsc.role:
                action.clear(AF.RUNNABLE)
                set_reason(action, "quorum freeze", True)
        else:
            action.set(AF.RUNNABLE)


def set_reason(action: Action, reason: str | None, overwrite: bool) -> None:
    if action.reason is not None and not overwrite:
        return
    action.reason = reason


def action_requires(rsc: Resource, task: str) -> Requires:
    if task not in ("start", "promote"):
        return Requires.NOTHING
    if rsc.needs_fencing:
        return Requires.FENCING
    if rsc.needs_quorum:
        return Requires.QUORUM
    return Requires.NOTHING


def validate_on_fail(rsc: Resource, task: str, op_cfg, meta: dict) -> None:
    """Reset invalid on-fail values the way Pacemaker does."""
    from pengine.common.options import interval_ms
    value = meta.get("on-fail")
    if task == "stop" and value is not None and value.lower() in ("standby", "demote", "stop"):
        config_err(f"Resetting 'on-fail' for {rsc.id} stop action to default value because "
                   f"'{value}' is not allowed for stop", rsc.id)
        meta.pop("on-fail", None)
        return
    if task == "demote" and value is None:
        for op in rsc.ops:
            promote_on_fail = op.get("on-fail")
            if promote_on_fail is None:
                continue
            role = op.get("role")
            if op.name != "monitor" or (role or "").lower() not in ("promoted", "master"):
                continue
            if interval_ms(op.interval) == 0:
                continue
            enabled = op.get("enabled")
            if enabled is not None and enabled.lower() in ("false", "no", "off", "0", "n"):
                continue
            if promote_on_fail.lower() == "demote":
                continue
            meta["on-fail"] = promote_on_fail
        return
    if task == "lrm_delete" and (value or "").lower() != "ignore":
        meta["on-fail"] = "ignore"
        return
    if value is not None and value.lower() == "demote":
        name = op_cfg.name if op_cfg is not None else None
        role = op_cfg.get("role") if op_cfg is not None else None
        interval = interval_ms(op_cfg.interval) if op_cfg is not None else 0
        if name != "promote" and (interval == 0 or name != "monitor"
                                  or (role or "").lower() not in ("promoted", "master")):
            meta.pop("on-fail", None)


def parse_on_fail(sch: Scheduler, rsc: Resource, task: str, interval: int,
                  value: str | None) -> OnFail:
    """pcmk__parse_on_fail: the failure response, defaults included."""
    on_fail = OnFail.IGNORE
    explicit = True
    text = value.lower() if value is not None else None
    if text is None:
        explicit = False
    elif text == "block":
        on_fail = OnFail.BLOCK
    elif text == "fence":
        on_fail = OnFail.FENCE_NODE if sch.fencing_enabled else OnFail.STOP
        if not sch.fencing_enabled:
            config_err(f"Resetting 'on-fail' for {task} of {rsc.id} to 'stop' because 'fence' "
                       "is not valid when fencing is disabled", rsc.id)
    elif text == "standby":
        on_fail = OnFail.STANDBY_NODE
    elif text in ("ignore", "nothing"):
        on_fail = OnFail.IGNORE
    elif text == "migrate":
        on_fail = OnFail.BAN
    elif text == "stop":
        on_fail = OnFail.STOP
    elif text == "restart":
        on_fail = OnFail.RESTART
    elif text == "restart-container":
        if rsc.launcher is None:
            explicit = False
        else:
            on_fail = OnFail.RESTART_CONTAINER
    elif text == "demote":
        on_fail = OnFail.DEMOTE
    else:
        explicit = False
    needs_remote_reset = False
    if rsc.is_remote_connection:
        remote = sch.find_node(rsc.id)
        if remote is not None and remote.is_remote_only and \
                not (task == "monitor" and interval == 0) and task != "start":
            needs_remote_reset = True
            if not rsc.managed:
                explicit = False
    if explicit:
        return on_fail
    if rsc.launcher is not None:
        return OnFail.RESTART_CONTAINER
    if needs_remote_reset:
        return OnFail.RESET_REMOTE if rsc.managed else OnFail.STOP
    if task == "stop":
        return OnFail.FENCE_NODE if sch.fencing_enabled else OnFail.BLOCK
    return OnFail.RESTART


def role_after_failure(rsc: Resource, task: str, on_fail: OnFail, meta: dict) -> Role:
    role = Role.UNKNOWN
    if on_fail == OnFail.STOP:
        role = Role.STOPPED
    elif on_fail == OnFail.RESET_REMOTE and rsc.remote_reconnect_ms != 0:
        role = Role.STOPPED
    if role == Role.UNKNOWN:
        role = Role.UNPROMOTED if task == "promote" else Role.STARTED
    return role


# --------------------------------------------------------- shorthands ----

def stop_action(sch: Scheduler, rsc: Resource, node: Node | None, optional: bool) -> Action:
    return custom_action(sch, rsc, op_key(rsc.id, "stop", 0), "stop", node, optional)


def start_action(sch: Scheduler, rsc: Resource, node: Node | None, optional: bool) -> Action:
    return custom_action(sch, rsc, op_key(rsc.id, "start", 0), "start", node, optional)


def promote_action(sch: Scheduler, rsc: Resource, node: Node | None, optional: bool) -> Action:
    return custom_action(sch, rsc, op_key(rsc.id, "promote", 0), "promote", node, optional)


def demote_action(sch: Scheduler, rsc: Resource, node: Node | None, optional: bool) -> Action:
    return custom_action(sch, rsc, op_key(rsc.id, "demote", 0), "demote", node, optional)


def delete_action(sch: Scheduler, rsc: Resource, node: Node | None, optional: bool) -> Action:
    return custom_action(sch, rsc, op_key(rsc.id, "delete", 0), "delete", node, optional)


def clear_failcount(sch: Scheduler, rsc: Resource, node: Node, reason: str) -> Action:
    action = custom_action(sch, rsc, op_key(rsc.id, "clear_failcount", 0), "clear_failcount",
                           node, False)
    action.meta["op_no_wait"] = "true"
    return action


def clear_resource_history(sch: Scheduler, rsc: Resource, node: Node) -> Action:
    return custom_action(sch, rsc, op_key(rsc.id, "lrm_delete", 0), "lrm_delete", node, False)


def pseudo_op(sch: Scheduler, name: str) -> Action:
    action = sch.singletons.get(name)
    if action is None:
        action = custom_action(sch, None, name, name, None, True)
        action.set(AF.PSEUDO | AF.RUNNABLE)
    return action


def rsc_pseudo_action(sch: Scheduler, rsc: Resource, task: str, optional: bool,
                      runnable: bool) -> Action:
    action = custom_action(sch, rsc, op_key(rsc.id, task, 0), task, None, optional)
    action.set(AF.PSEUDO)
    if runnable:
        action.set(AF.RUNNABLE)
    return action


def order_actions(first: Action | None, then: Action | None, flags: int) -> bool:
    """Relate two actions (duplicates with overlapping flags are skipped)."""
    if flags == Rel.NONE or first is None or then is None or first is then:
        return False
    related = first.after_by_id.get(then.id)
    if related is None:
        related = first.after_by_id[then.id] = []
    for after in related:
        if after.action is then and (after.flags & flags):
            return False
    relation = Relation(then, flags)
    related.append(relation)
    first.actions_after.insert(0, relation)
    then.actions_before.insert(0, Relation(first, flags))
    return True
from pengine.common.config_log import config_err  # noqa: E402
