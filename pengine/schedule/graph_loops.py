"""Which actions and orderings the transition graph takes, and detecting a loop an ordering
would create (pcmk__graph_has_loop).  The scheduler asks while it orders; the graph
(pengine.transitions.graph) asks again when it is built."""

from __future__ import annotations

from pengine.status.cluster import AF, Action, Rel


def graph_has_loop(init_action: Action, action: Action, input_rel, _path: set | None = None) -> bool:
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


def should_add_action_to_graph(action: Action) -> bool:
    if not action.runnable:
        return False
    if action.optional and not action.has(AF.ALWAYS_IN_GRAPH):
        return False
    if action.rsc is not None and not action.rsc.managed and action.task != "monitor":
        if action.meta.get("interval") in (None, "0"):
            return False
    if action.pseudo or action.task in ("stonith", "do_shutdown"):
        return True
    node = action.node
    if node is None:
        return False
    if action.has(AF.ON_DC):
        return True
    if node.is_guest and not node.remote_reset:
        return True
    if not node.online or node.unclean:
        return False
    return True


def _can_change(rel) -> bool:
    return bool(rel.flags & ~(Rel.THEN_IMPLIES_FIRST_GRAPHED | Rel.FIRST_IMPLIES_THEN_GRAPHED
                              | Rel.ORDERED))


def should_add_input_to_graph(action: Action, rel) -> bool:
    first = rel.action
    if rel.graphed:
        return True
    if rel.flags == Rel.NONE:
        return False
    if not first.runnable and not _can_change(rel):
        return False
    if not first.runnable and (rel.flags & Rel.MIN_RUNNABLE):
        return False
    if (rel.flags & Rel.UNMIGRATABLE_THEN_BLOCKS) and not first.runnable:
        return False
    if (rel.flags & Rel.IF_FIRST_UNMIGRATABLE) and first.has(AF.MIGRATABLE):
        return False
    if rel.flags == Rel.ORDERED and first.has(AF.MIGRATABLE) and first.uuid.endswith("_stop_0"):
        return False
    if rel.flags == Rel.IF_ON_SAME_NODE_OR_TARGET:
        input_node = first.node
        if action.rsc is not None and action.task == "migrate_to":
            if input_node is not action.rsc.assigned_node:
                rel.flags = Rel.NONE
                return False
        elif input_node is not action.node:
            rel.flags = Rel.NONE
            return False
        elif first.optional:
            rel.flags = Rel.NONE
            return False
    elif rel.flags == Rel.IF_REQUIRED_ON_SAME_NODE:
        if first.node is not None and action.node is not None and first.node is not action.node:
            rel.flags = Rel.NONE
            return False
        if first.optional:
            rel.flags = Rel.NONE
            return False
    elif first.rsc is not None and first.rsc is not action.rsc and first.rsc.failed \
            and not first.rsc.managed and first.uuid.endswith("_stop_0") \
            and action.rsc is not None and action.rsc.variant == "clone":
        return False
    elif first.optional and not first.has(AF.ALWAYS_IN_GRAPH | AF.ADDED_TO_GRAPH) \
            and not should_add_action_to_graph(first):
        return False
    return True
