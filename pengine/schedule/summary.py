"""The "Transition Summary" lines, as crm_simulate prints them.

Node actions (fencing, shutdown) first, then each resource's change
(pcmk__output_actions, rsc_action_default and rsc_action_item in
Pacemaker's pcmk_output.c).  Column widths follow Pacemaker's, which grow as
longer names are seen.
"""

from __future__ import annotations

from pengine.status.actions import find_actions, resource_actions
from pengine.status.cluster import AF, Action, Node, Resource, Role, Scheduler, op_key


class SummaryWriter:
    """Collects summary lines; widths persist across items like Pacemaker's statics."""

    def __init__(self):
        self.lines: list[str] = []
        self.entries: list[dict] = []   # the same items, structured (--output-as json)
        self.rsc_width = 5
        self.detail_width = 5

    def item(self, text: str, **fields) -> None:
        self.lines.append(f"  * {text}")
        self.entries.append({**fields, "text": text})


def _node_name(node: Node | None) -> str:
    return node.name if node is not None else "<none>"


def rsc_action_item(out: SummaryWriter, change: str, rsc: Resource, origin: Node | None,
                    destination: Node | None, action: Action, source: Action | None) -> None:
    if source is None:
        source = action
    if len(rsc.id) > out.rsc_width:
        out.rsc_width = len(rsc.id) + 2
    need_role = rsc.role > Role.STARTED or rsc.next_role > Role.UNPROMOTED
    same_host = origin is destination
    same_role = rsc.role == rsc.next_role
    role, next_role = rsc.role.text, rsc.next_role.text
    if need_role and origin is None:
        details = f"{role} -> {next_role} {_node_name(destination)}"
    elif origin is None:
        details = _node_name(destination)
    elif need_role and destination is None:
        details = f"{role} {_node_name(origin)}"
    elif destination is None:
        details = _node_name(origin)
    elif need_role and same_role and same_host:
        details = f"{role} {_node_name(origin)}"
    elif same_role and same_host:
        details = _node_name(origin)
    elif need_role and same_role:
        details = f"{_node_name(origin)} -> {_node_name(destination)} {role}"
    elif same_role:
        details = f"{_node_name(origin)} -> {_node_name(destination)}"
    elif same_host:
        details = f"{role} -> {next_role} {_node_name(origin)}"
    else:
        details = f"{role} {_node_name(origin)} -> {next_role} {_node_name(destination)}"
    if len(details) > out.detail_width:
        out.detail_width = len(details)
    reason = None
    if source.reason is not None and not action.runnable:
        reason = f"due to {source.reason} (blocked)"
    elif source.reason is not None:
        reason = f"due to {source.reason}"
    elif not action.runnable:
        reason = "blocked"
    text = f"{change:<8}   {rsc.id:<{out.rsc_width}}   ( {details:>{out.detail_width}} )"
    if reason is not None:
        text += f"  {reason}"
    out.item(text, change=change, resource=rsc.id,
             **{"from": origin.name if origin is not None else None,
                "to": destination.name if destination is not None else None},
             role=role, next_role=next_role, reason=source.reason,
             blocked=not action.runnable)


def _first(actions):
    return actions[0] if actions else None


def rsc_action(out: SummaryWriter, rsc: Resource, current: Node | None, nxt: Node | None) -> None:
    """rsc_action_default."""
    if not rsc.managed or (current is None and nxt is None):
        return
    moving = current is not None and nxt is not None and current is not nxt
    start = _first(resource_actions(rsc, nxt, "start", False))
    start_node = current if (start is not None and start.runnable) else None
    stop = _first(resource_actions(rsc, start_node, "stop", False))
    if stop is None and rsc.stop_unexpected:
        stop = _first(resource_actions(rsc, None, "stop", False))
    promote = _first(resource_actions(rsc, nxt, "promote", False))
    demote = _first(resource_actions(rsc, nxt, "demote", False))
    if rsc.role == rsc.next_role:
        if nxt is None:
            return
        migrate = _first(resource_actions(rsc, nxt, "migrate_from", False))
        if migrate is not None and current is not None and migrate.runnable:
            rsc_action_item(out, "Migrate", rsc, current, nxt, start, None)
        elif rsc.reload:
            rsc_action_item(out, "Reload", rsc, current, nxt, start, None)
        elif start is None or start.optional:
            if demote is not None and promote is not None and not demote.optional \
                    and not promote.optional:
                rsc_action_item(out, "Re-promote", rsc, current, nxt, promote, demote)
        elif not start.runnable:
            reason_op = start if (stop is None or stop.reason is None) else stop
            rsc_action_item(out, "Stop", rsc, current, None, stop, reason_op)
        elif moving and current is not None:
            rsc_action_item(out, "Recover" if rsc.failed else "Move", rsc, current, nxt, stop, None)
        elif rsc.failed:
            rsc_action_item(out, "Recover", rsc, current, None, stop, None)
        else:
            rsc_action_item(out, "Restart", rsc, current, nxt, start, None)
        return
    if stop is not None and (rsc.next_role == Role.STOPPED or
                             (start is not None and not start.runnable)):
        key = op_key(rsc.id, "stop", 0)
        for node in rsc.running_on:
            reason_op = start
            stop_op = _first(find_actions(rsc.actions, key, node))
            if stop_op is not None and stop_op.reason is not None:
                reason_op = stop_op
            rsc_action_item(out, "Stop", rsc, node, None, stop_op, reason_op)
    elif stop is not None and rsc.failed and rsc.stop_if_failed:
        rsc_action_item(out, "Recover", rsc, current, nxt, stop, start)
    elif moving:
        rsc_action_item(out, "Move", rsc, current, nxt, stop, None)
    elif rsc.reload:
        rsc_action_item(out, "Reload", rsc, current, nxt, start, None)
    elif stop is not None and not stop.optional:
        rsc_action_item(out, "Restart", rsc, current, nxt, start, None)
    elif rsc.role == Role.PROMOTED:
        rsc_action_item(out, "Demote", rsc, current, nxt, demote, None)
    elif rsc.next_role == Role.PROMOTED:
        rsc_action_item(out, "Promote", rsc, current, nxt, promote, None)
    elif rsc.role == Role.STOPPED and rsc.next_role > Role.STOPPED:
        rsc_action_item(out, "Start", rsc, current, nxt, start, None)


def primitive_output_actions(sch: Scheduler, rsc: Resource, out: SummaryWriter) -> None:
    """pcmk__output_resource_actions for a primitive."""
    nxt = rsc.assigned_node
    current = None
    if rsc.running_on:
        current = rsc.current_node
        if rsc.role == Role.STOPPED:
            rsc.role = Role.STARTED
    if current is None and rsc.removed:
        return
    rsc_action(out, rsc, current, nxt)


def transition_summary(sch: Scheduler) -> list[str]:
    """pcmk__output_actions: node actions, then resource actions."""
    return summary_writer(sch).lines


def log_actions(sch: Scheduler) -> None:
    """log_all_actions: the pass pcmk__schedule_actions makes before the graph."""
    _output_actions(sch, SummaryWriter())


def summary_writer(sch: Scheduler) -> SummaryWriter:
    """The summary, as lines and as structured entries."""
    out = SummaryWriter()
    # The scheduler logs the same list first (log_all_actions): the column
    # widths, static in Pacemaker, have grown to fit every line by the time
    # crm_simulate prints it.
    _output_actions(sch, out)
    out.lines = []
    out.entries = []
    _output_actions(sch, out)
    return out


def _output_actions(sch: Scheduler, out: SummaryWriter) -> None:
    from pengine.schedule.variants import methods
    for action in reversed(sch.actions):
        if action.rsc is not None or action.optional:
            continue
        if action.task == "do_shutdown":
            task = "Shutdown"
        elif action.task == "stonith":
            task = f"Fence ({action.meta.get('stonith_action')})"
        else:
            continue
        node = action.node
        if node is not None and node.is_guest:
            name = f"{node.name} (resource: {node.remote_rsc.launcher.id})"
        else:
            name = node.name if node is not None else None
        if action.reason is not None:
            fields = {"change": "Shutdown" if action.task == "do_shutdown" else "Fence",
                      "node": node.name if node is not None else None, "reason": action.reason}
            if action.task == "stonith":
                fields["fence_action"] = action.meta.get("stonith_action")
            out.item(f"{task} {name} '{action.reason}'", **fields)
    for rsc in sch.resources:
        methods(rsc).output_actions(sch, rsc, out)


_ = AF
