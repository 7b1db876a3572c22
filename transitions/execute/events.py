"""What a result means for the transition and the fail counts.

A pure port of the controller's ``process_graph_event`` and
``update_failcount`` (controld_te_events.c).  A result carries the
transition key it was asked with (``action:transition:target-rc:uuid``):

- a result of the running transition confirms its action; one the
  action's expectations do not allow fails it, which aborts the transition
  above the action's synapse priority (unless the action's ``on-fail`` is
  ``ignore``);
- a result from elsewhere (an earlier transition, such as a recurring
  monitor that changed its mind, another controller, or none) aborts the
  transition outright;
- a failure bumps the resource's fail count for that operation (start and
  stop failures set it to the graph's failed-start/stop offset, INFINITY
  by default) and records the last-failure time; some failures count only
  when they are not part of the transition (a probe's, for instance).
"""

from __future__ import annotations

from attrs import frozen

from pengine.transitions.execute.codes import EXEC_CANCELLED, EXEC_INVALID, EXEC_PENDING, effective_rc

INFINITY = 1_000_000


@frozen
class TransitionKey:
    action_id: int
    transition_id: int
    target_rc: int
    uuid: str

    def text(self) -> str:
        return f"{self.action_id}:{self.transition_id}:{self.target_rc}:{self.uuid}"


def parse_transition_key(text: str | None) -> TransitionKey | None:
    """decode_transition_key; None for a malformed key."""
    if not text:
        return None
    parts = text.split(":", 3)
    if len(parts) != 4:
        return None
    try:
        return TransitionKey(int(parts[0]), int(parts[1]), int(parts[2]), parts[3])
    except ValueError:
        return None


@frozen
class ResultEvent:
    """A result as the controller sees it."""

    key: str | None               # transition key the action was asked with
    task: str
    interval_ms: int
    rc: int
    status: int
    from_refresh: bool = False    # an old result replayed by a status refresh


@frozen
class GraphView:
    """What ``process_graph_event`` asks of the current transition."""

    transition_id: int
    uuid: str
    complete: bool
    confirmed: frozenset[int] = frozenset()
    known: frozenset[int] = frozenset()       # action ids in the graph
    priorities: tuple[tuple[int, int], ...] = ()  # action id -> synapse priority
    ignore_failures: frozenset[int] = frozenset()  # actions with on-fail=ignore
    failed_start_offset: str = "INFINITY"
    failed_stop_offset: str = "INFINITY"

    def priority(self, action_id: int) -> int:
        for key, value in self.priorities:
            if key == action_id:
                return value
        return 0


@frozen
class Decision:
    confirm: int | None = None      # graph action to confirm
    failed: bool = False            # ... as failed
    abort_priority: int | None = None
    abort_reason: str = ""
    failcount: str | None = None    # None, "increment" or "infinity"
    count_failure: bool = True      # False: record only the last failure (ignored failures)
    description: str = ""           # why the result was not simply confirmed


def _is_infinity(text: str | None) -> bool:
    return (text or "").strip().upper() in ("INFINITY", "+INFINITY")


def failcount_update(event: ResultEvent, graph: GraphView | None, do_update: bool
                     ) -> str | None:
    """update_failcount's choice: no update, an increment, or INFINITY."""
    rc = effective_rc(event.rc)
    target = parse_transition_key(event.key)
    target_rc = target.target_rc if target is not None else 0
    if rc == target_rc or event.from_refresh:
        return None
    value = None
    if event.interval_ms > 0 or event.task in ("promote", "demote"):
        do_update = True
    elif event.task == "start":
        do_update = True
        value = graph.failed_start_offset if graph is not None else "INFINITY"
    elif event.task == "stop":
        do_update = True
        value = graph.failed_stop_offset if graph is not None else "INFINITY"
    if not do_update:
        return None
    return "infinity" if _is_infinity(value) else "increment"


def decide(event: ResultEvent, graph: GraphView | None) -> Decision:
    """process_graph_event for one recorded result."""
    if event.status == EXEC_PENDING:
        return Decision()
    key = parse_transition_key(event.key)
    if key is None:
        return Decision(abort_priority=INFINITY, abort_reason="Bad event",
                        description="bad transition key")
    rc = effective_rc(event.rc)
    desc = None
    decision = {}
    if key.transition_id == -1:
        desc = "initiated outside of the cluster"
        decision = dict(abort_priority=INFINITY, abort_reason="Unexpected event")
    elif graph is None or key.action_id < 0 or key.uuid != graph.uuid:
        desc = "initiated by a different DC"
        decision = dict(abort_priority=INFINITY, abort_reason="Foreign event")
    elif graph.transition_id != key.transition_id or graph.complete:
        if event.interval_ms != 0:
            if event.status == EXEC_CANCELLED:
                return Decision()
            desc = "arrived after initial scheduling"
            decision = dict(abort_priority=INFINITY, abort_reason="Change in recurring result")
        elif graph.transition_id != key.transition_id:
            desc = "arrived really late"
            decision = dict(abort_priority=INFINITY, abort_reason="Old event")
        else:
            desc = "arrived late"
            decision = dict(abort_priority=INFINITY, abort_reason="Inactive graph")
    elif key.action_id not in graph.known:
        desc = "unknown"
        decision = dict(abort_priority=INFINITY, abort_reason="Unknown event")
    elif key.action_id in graph.confirmed:
        return Decision(description="already confirmed")
    else:
        ignore = key.action_id in graph.ignore_failures
        failed = not ignore and rc != key.target_rc
        decision = dict(confirm=key.action_id, failed=failed)
        if failed:
            decision.update(abort_priority=graph.priority(key.action_id) + 1,
                            abort_reason="Event failed")
        if event.status != EXEC_INVALID and rc != key.target_rc:
            decision.update(failcount=failcount_update(event, graph, key.transition_id == -1),
                            count_failure=not ignore)
        return Decision(**decision)
    if event.status != EXEC_INVALID:
        decision["failcount"] = failcount_update(event, graph, key.transition_id == -1)
    return Decision(description=desc, **decision)
