"""Detecting a loop an ordering would create (pcmk__graph_has_loop)."""

from __future__ import annotations

from pengine.status.cluster import Action


def graph_has_loop(init_action: Action, action: Action, input_rel, _path: set | None = None) -> bool:
    from pengine.transitions.graph import should_add_input_to_graph
    path = set() if _path is None else _path
    if input_rel.action.id in path:
        return False
    if not should_add_input_to_graph(action, input_rel):
        return False
    if input_rel.action is init_action:
        return True
    path.add(input_rel.action.id)
    try:
        for rel in input_rel.action.actions_before:
            if graph_has_loop(init_action, input_rel.action, rel, path):
                return True
    finally:
        path.discard(input_rel.action.id)
    return False
