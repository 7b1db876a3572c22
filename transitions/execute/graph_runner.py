"""Progress through one transition graph, as Pacemaker's graph consumer keeps it.

Pure functions over a frozen :class:`GraphProgress` (pcmk_graph_consumer.c):

- a synapse may fire once every input is confirmed and none of them failed
  (unless it may fail, ``CRM_meta_can_fail``);
- pseudo-actions complete as they fire; other actions are handed back to
  the caller, who reports each one's completion with :func:`confirm`;
- at most ``batch_limit`` actions are pending at once (0: no limit), and at
  most ``node_limit`` resource actions per node (the controller's throttle);
- an abort (:func:`abort`) raises the abort priority: no synapse of a lower
  priority fires any more (pseudo-actions aside), running actions finish;
- the graph is over when nothing is pending and nothing can fire.
"""

from __future__ import annotations

from attrs import evolve, field, frozen

from pengine.transitions.graph import GraphAction, Synapse, Transition

INFINITY = 1_000_000

ACTIVE, COMPLETE, STOPPED, TERMINATED = "active", "complete", "stopped", "terminated"


@frozen
class Limits:
    batch_limit: int = 0          # pending actions in the whole graph (0: no limit)
    node_limit: int = 0           # pending resource actions per node (0: no limit)


@frozen
class GraphProgress:
    fired: frozenset[int] = field(default=frozenset(), converter=frozenset)
    confirmed: frozenset[int] = field(default=frozenset(), converter=frozenset)
    failed: frozenset[int] = field(default=frozenset(), converter=frozenset)
    abort_priority: int = 0
    abort_reason: str | None = None
    restart: bool = False         # the completion action: schedule again

    def pending(self) -> frozenset[int]:
        return self.fired - self.confirmed


def _can_fail(action: GraphAction) -> bool:
    return (action.get("can_fail") or "").lower() in ("true", "yes", "1", "on", "y")


def _inputs_ready(syn: Synapse, confirmed, failed, actions: dict[int, GraphAction]) -> bool:
    for input_id in syn.inputs:
        if input_id not in confirmed:
            return False
        if input_id in failed:
            prereq = actions.get(input_id)
            if prereq is None or not _can_fail(prereq):
                return False
    return True


def _limited_node(action: GraphAction) -> str | None:
    """graph_action_allowed: only resource actions (notifications aside) count
    against a node's job limit."""
    if action.kind != "rsc_op" or action.task == "notify":
        return None
    return action.node


def step(transition: Transition, progress: GraphProgress, limits: Limits = Limits()
         ) -> tuple[GraphProgress, list[GraphAction]]:
    """Fire every synapse that may fire now: (new progress, actions to start).

    Pseudo-actions are confirmed on the spot, which may let further
    synapses fire: the passes repeat until nothing changes.
    """
    actions = {s.action.id: s.action for s in transition.synapses}
    started: list[GraphAction] = []
    jobs: dict[str, int] = {}
    for action_id in progress.pending():
        node = _limited_node(actions[action_id]) if action_id in actions else None
        if node is not None:
            jobs[node] = jobs.get(node, 0) + 1
    pending = len(progress.pending())
    fired = set(progress.fired)
    confirmed = set(progress.confirmed)
    changed = True
    while changed:
        changed = False
        for syn in transition.synapses:
            action = syn.action
            if limits.batch_limit > 0 and pending >= limits.batch_limit:
                break
            if action.id in fired:
                continue
            if not _inputs_ready(syn, confirmed, progress.failed, actions):
                continue
            if action.kind == "pseudo_event":
                fired.add(action.id)
                confirmed.add(action.id)
                changed = True
                continue
            if syn.priority < progress.abort_priority:
                continue
            node = _limited_node(action)
            if node is not None and limits.node_limit > 0 \
                    and jobs.get(node, 0) >= limits.node_limit:
                continue
            fired.add(action.id)
            started.append(action)
            pending += 1
            if node is not None:
                jobs[node] = jobs.get(node, 0) + 1
    return evolve(progress, fired=fired, confirmed=confirmed), started


def confirm(progress: GraphProgress, action_id: int, failed: bool = False) -> GraphProgress:
    """An action completed (te_action_confirmed), successfully or not."""
    return evolve(progress, confirmed=progress.confirmed | {action_id},
                  failed=progress.failed | {action_id} if failed else progress.failed)


def abort(progress: GraphProgress, priority: int, reason: str,
          restart: bool = True) -> GraphProgress:
    """update_abort_priority: stop firing below ``priority``; ask for a new
    transition when this one is over."""
    if priority > progress.abort_priority:
        progress = evolve(progress, abort_priority=priority, abort_reason=reason)
    if restart and not progress.restart:
        progress = evolve(progress, restart=True)
    return progress


def outcome(transition: Transition, progress: GraphProgress, limits: Limits = Limits()) -> str:
    """pcmk__execute_graph's verdict: active while anything is pending or
    could still fire; then complete, stopped (aborted: synapses skipped) or
    terminated (synapses that can never fire without an abort to explain it)."""
    if progress.pending():
        return ACTIVE
    after, started = step(transition, progress, limits)
    if started or after.fired != progress.fired:
        return ACTIVE
    unfired = [s for s in transition.synapses if s.action.id not in progress.fired]
    if not unfired:
        return COMPLETE
    if progress.abort_priority > 0:
        return STOPPED
    return TERMINATED


def synapse_of(transition: Transition, action_id: int) -> Synapse | None:
    for syn in transition.synapses:
        if syn.action.id == action_id:
            return syn
    return None
