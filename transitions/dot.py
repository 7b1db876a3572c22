"""The transition as ``crm_simulate -D`` writes it (DOT).

A port of pcmk_simulate.c's ``write_sim_dotfile`` and ``create_action_name``
(``--all-actions`` is a parameter; the verbose variant is left out):

- every action in the graph is drawn bold green; a required action that
  cannot run is drawn dashed red (orange text for pseudo-actions); optional
  actions and actions of unmanaged resources are left out (drawn dashed blue,
  and dashed red with purple text, with ``all_actions``);
- an ordering is drawn bold when it is an input of a synapse, dashed when
  both its actions were drawn (unless it only applies on the same node).

Pacemaker marks each drawn action as "in the graph" while it writes the
nodes, so an ordering between two drawn unrunnable actions is drawn too;
``drawn_orderings`` reproduces that.
"""

from __future__ import annotations

from pengine.status.cluster import AF, Rel
from pengine.transitions.graph import ActionRecord, OrderRecord, Transition


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


def action_style(action: ActionRecord, all_actions: bool = False
                 ) -> tuple[str, str, str] | None:
    """(style, colour, font colour) of a drawn action, or None if not drawn.

    ``all_actions`` is crm_simulate's ``--all-actions``: optional actions and
    actions of unmanaged resources are drawn too."""
    font = "orange" if action.has(AF.PSEUDO) else "black"
    if action.has(AF.ADDED_TO_GRAPH):
        return "bold", "green", font
    if action.rsc_id is not None and not action.rsc_managed:
        return ("dashed", "red", "purple") if all_actions else None
    if action.has(AF.OPTIONAL):
        return ("dashed", "blue", font) if all_actions else None
    return "dashed", "red", font


def drawn_actions(transition: Transition, all_actions: bool = False
                  ) -> list[tuple[ActionRecord, tuple[str, str, str]]]:
    """The actions crm_simulate draws, in list order, with their style."""
    result = []
    for action in transition.all_actions:
        style = action_style(action, all_actions)
        if style is not None:
            result.append((action, style))
    return result


def drawn_orderings(transition: Transition, all_actions: bool = False
                    ) -> list[tuple[OrderRecord, str]]:
    """The orderings crm_simulate draws, with their style (bold or dashed).

    Pacemaker marks each drawn action as in the graph while writing the
    nodes, so an ordering between two drawn actions outside the graph is
    drawn too (except "same node" load orderings)."""
    drawn = {action.id for action, _ in drawn_actions(transition, all_actions)}
    result = []
    for order in transition.orderings:
        if order.graphed:
            style = "bold"
        elif order.flags == Rel.NONE:
            continue
        elif all_actions or (order.before in drawn and order.after in drawn
                             and order.flags != Rel.IF_ON_SAME_NODE_OR_TARGET):
            style = "dashed"
        else:
            continue
        result.append((order, style))
    return result


def dot_nodes(transition: Transition, all_actions: bool = False
              ) -> list[tuple[str, str, str, str]]:
    """(name, style, colour, font colour) of every drawn action, in list order."""
    return [(action_name(action), *style)
            for action, style in drawn_actions(transition, all_actions)]


def dot_edges(transition: Transition, all_actions: bool = False
              ) -> list[tuple[str, str, str]]:
    """(before, after, style) of every drawn ordering, in list order."""
    by_id = {action.id: action for action in transition.all_actions}
    return [(action_name(by_id[order.before]), action_name(by_id[order.after]), style)
            for order, style in drawn_orderings(transition, all_actions)]


def render_dot(sch, transition: Transition, all_actions: bool = False) -> str:
    """The DOT text ``crm_simulate -D`` writes for ``transition``.

    ``sch`` is accepted for the caller's convenience; everything needed is
    in the transition.
    """
    del sch
    lines = [' digraph "g" {']
    for name, style, color, font in dot_nodes(transition, all_actions):
        lines.append(f'"{name}" [ style={style} color="{color}" fontcolor="{font}"]')
    for before, after, style in dot_edges(transition, all_actions):
        lines.append(f'"{before}" -> "{after}" [ style = {style}]')
    lines.append("}")
    return "\n".join(lines) + "\n"
