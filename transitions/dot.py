"""The transition as ``crm_simulate -D`` writes it (DOT).

A port of pcmk_simulate.c's ``write_sim_dotfile`` and ``create_action_name``,
without the ``--all-actions`` and verbose variants, which crm_simulate's
``-D`` does not use by default:

- every action in the graph is drawn bold green; a required action that
  cannot run is drawn dashed red (orange text for pseudo-actions); optional
  actions and actions of unmanaged resources are left out;
- an ordering is drawn bold when it is an input of a synapse, dashed when
  both its actions were drawn (unless it only applies on the same node).

Pacemaker marks each drawn action as "in the graph" while it writes the
nodes, so an ordering between two drawn unrunnable actions is drawn too;
``_drawn`` reproduces that.
"""

from __future__ import annotations

from pengine.cluster import AF, Rel
from transitions.graph import ActionRecord, Transition


def action_name(action: ActionRecord) -> str:
    """create_action_name: how the DOT graph names an action."""
    prefix = ""
    task = action.task
    host = action.node
    if host is None and not action.has(AF.PSEUDO):
        host = "<none>"
    if action.task == "cancel":
        prefix = "Cancel "
        task = action.cancel_task
    if action.history_id is not None:
        if action.task in ("notify", "notified"):
            key = (f"{action.history_id}_{action.get('notify_key_type')}_notify_"
                   f"{action.get('notify_key_operation')}_0")
        else:
            key = f"{action.history_id}_{task}_{_interval(action)}"
        return f"{prefix}{key} {host}" if host is not None else f"{prefix}{key}"
    if action.task == "stonith":
        return f"{prefix}{action.task} '{action.get('stonith_action')}' {host}"
    if action.rsc_id is not None and host is not None:
        return f"{prefix}{action.uuid} {host}"
    if host is not None:
        return f"{prefix}{action.task} {host}"
    return action.uuid


def _interval(action: ActionRecord) -> int:
    try:
        return int(action.get("interval") or 0)
    except ValueError:
        return 0


def _style(action: ActionRecord) -> tuple[str, str, str] | None:
    """(style, colour, font colour) of a drawn action, or None if not drawn."""
    font = "orange" if action.has(AF.PSEUDO) else "black"
    if action.has(AF.ADDED_TO_GRAPH):
        return "bold", "green", font
    if action.rsc_id is not None and not action.rsc_managed:
        return None
    if action.has(AF.OPTIONAL):
        return None
    return "dashed", "red", font


def dot_nodes(transition: Transition) -> list[tuple[str, str, str, str]]:
    """(name, style, colour, font colour) of every drawn action, in list order."""
    result = []
    for action in transition.all_actions:
        style = _style(action)
        if style is not None:
            result.append((action_name(action), *style))
    return result


def dot_edges(transition: Transition) -> list[tuple[str, str, str]]:
    """(before, after, style) of every drawn ordering, in list order."""
    by_id = {action.id: action for action in transition.all_actions}
    drawn = {action.id for action in transition.all_actions if _style(action) is not None}
    result = []
    for order in transition.orderings:
        if order.graphed:
            style = "bold"
        elif order.flags == Rel.NONE:
            continue
        elif order.before in drawn and order.after in drawn \
                and order.flags != Rel.IF_ON_SAME_NODE_OR_TARGET:
            style = "dashed"
        else:
            continue
        result.append((action_name(by_id[order.before]), action_name(by_id[order.after]), style))
    return result


def render_dot(sch, transition: Transition) -> str:
    """The DOT text ``crm_simulate -D`` writes for ``transition``.

    ``sch`` is accepted for the caller's convenience; everything needed is
    in the transition.
    """
    del sch
    lines = [' digraph "g" {']
    for name, style, color, font in dot_nodes(transition):
        lines.append(f'"{name}" [ style={style} color="{color}" fontcolor="{font}"]')
    for before, after, style in dot_edges(transition):
        lines.append(f'"{before}" -> "{after}" [ style = {style}]')
    lines.append("}")
    return "\n".join(lines) + "\n"
