"""The local executor: runs agent actions, one at a time per resource, and
recurring operations on their intervals (Pacemaker's execd).

The executor is driven by one owner thread (the run loop).  Agents run in
worker threads, which report completion by calling ``post`` with an
:class:`Executed` message; the owner hands it back to :meth:`Executor.completed`,
which returns the :class:`ExecutorEvent` to report, if any.  Recurring
operations report their first result and then only changes (execd's
notification rule); their timers are plain deadlines that the owner fires
with :meth:`Executor.tick`.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from typing import Callable

from attrs import evolve, frozen

from pengine.transitions.execute.agents import AgentRequest, Agents
from pengine.transitions.execute.codes import AgentResult

log = logging.getLogger("pengine.run")


@frozen
class Operation:
    call_id: int
    request: AgentRequest
    user_data: str                 # the transition key it was asked with
    start_delay_ms: int = 0

    @property
    def key(self) -> str:
        r = self.request
        return f"{r.rsc_id}_{r.action}_{r.interval_ms}"


@frozen
class Executed:
    """A worker's message: ``operation`` ran and came to ``result``."""

    token: int
    operation: Operation
    result: AgentResult
    queued_at: float
    started_at: float
    finished_at: float


@frozen
class ExecutorEvent:
    """A result to report (execd's notification)."""

    operation: Operation
    result: AgentResult
    started_at: float
    finished_at: float
    queue_ms: int
    rc_changed_at: float            # when this result (rc and status) began


class _Recurring:
    __slots__ = ("operation", "due", "last", "changed_at", "reported")

    def __init__(self, operation: Operation, due: float):
        self.operation = operation
        self.due: float | None = due
        self.last: tuple[int, int] | None = None
        self.changed_at = 0.0
        self.reported = False


class Executor:
    def __init__(self, agents: Agents, post: Callable[[object], None],
                 clock: Callable[[], float] = time.time):
        self.agents = agents
        self.post = post
        self.clock = clock
        self._calls = itertools.count(1)
        self._tokens = itertools.count(1)
        self._queues: dict[str, deque] = {}          # rsc -> queued (operation, queued_at)
        self._running: dict[str, int] = {}           # rsc -> token of its running action
        self._recurring: dict[str, _Recurring] = {}  # op key -> recurring operation
        self._checked: set[tuple] = set()            # resources whose parameters were checked

    # ---------------------------------------------------------- requests --

    def submit(self, request: AgentRequest, user_data: str, start_delay_ms: int = 0
               ) -> Operation:
        """Queue an action; a recurring one replaces any with the same key."""
        operation = Operation(next(self._calls), request, user_data, start_delay_ms)
        if request.interval_ms > 0:
            self._cancel_key(operation.key)
            self._recurring[operation.key] = _Recurring(
                operation, self.clock() + start_delay_ms / 1000)
            self.tick(self.clock())
        else:
            self._enqueue(operation)
        return operation

    def cancel(self, rsc_id: str, task: str, interval_ms: int) -> bool:
        """Stop a recurring operation; whether there was one."""
        return self._cancel_key(f"{rsc_id}_{task}_{interval_ms}")

    def cancel_recurring(self, rsc_id: str) -> list[str]:
        """Stop every recurring operation of a resource (before its state
        changes: should_cancel_recurring)."""
        keys = [k for k, r in self._recurring.items() if r.operation.request.rsc_id == rsc_id]
        for key in keys:
            self._cancel_key(key)
        return keys

    def _cancel_key(self, key: str) -> bool:
        recurring = self._recurring.pop(key, None)
        if recurring is None:
            return False
        rsc = recurring.operation.request.rsc_id
        queue = self._queues.get(rsc)
        if queue:
            self._queues[rsc] = deque(item for item in queue
                                      if item[0].call_id != recurring.operation.call_id)
        return True

    def recurring_keys(self) -> list[str]:
        return sorted(self._recurring)

    # ------------------------------------------------------------ timers --

    def next_due(self) -> float | None:
        dues = [r.due for r in self._recurring.values() if r.due is not None]
        return min(dues) if dues else None

    def tick(self, now: float) -> None:
        """Queue the recurring operations whose time has come."""
        for recurring in list(self._recurring.values()):
            if recurring.due is not None and recurring.due <= now:
                recurring.due = None
                self._enqueue(recurring.operation)

    # --------------------------------------------------------- execution --

    def busy(self) -> bool:
        return bool(self._running) or any(self._queues.values())

    def _enqueue(self, operation: Operation) -> None:
        rsc = operation.request.rsc_id
        self._queues.setdefault(rsc, deque()).append((operation, self.clock()))
        self._start_next(rsc)

    def _start_next(self, rsc: str) -> None:
        if rsc in self._running:
            return
        queue = self._queues.get(rsc)
        if not queue:
            return
        operation, queued_at = queue.popleft()
        token = next(self._tokens)
        self._running[rsc] = token
        request = operation.request
        identity = (rsc, request.standard, request.provider, request.agent,
                    tuple(sorted(request.instance_params().items())))
        check = request.interval_ms == 0 and identity not in self._checked
        self._checked.add(identity)
        worker = threading.Thread(target=self._work, args=(token, operation, queued_at, check),
                                  name=f"agent-{operation.key}", daemon=True)
        worker.start()

    def _work(self, token: int, operation: Operation, queued_at: float, check: bool) -> None:
        if check:
            try:
                for problem in self.agents.parameter_problems(operation.request):
                    log.warning("%s (%s:%s): %s", operation.request.rsc_id,
                                operation.request.standard, operation.request.agent, problem)
            except Exception:  # noqa: BLE001 - a check must never stop the action
                log.exception("checking the parameters of %s failed", operation.request.rsc_id)
        started = self.clock()
        try:
            result = self.agents.execute(operation.request)
        except Exception as error:  # noqa: BLE001 - a backend bug is this action's failure
            from pengine.transitions.execute.codes import EXEC_ERROR, OCF_UNKNOWN_ERROR
            log.exception("executing %s failed", operation.key)
            result = AgentResult(OCF_UNKNOWN_ERROR, EXEC_ERROR, f"executor error: {error}")
        self.post(Executed(token, operation, result, queued_at, started, self.clock()))

    def completed(self, message: Executed) -> ExecutorEvent | None:
        """Account for a finished action; the event to report, if any."""
        rsc = message.operation.request.rsc_id
        if self._running.get(rsc) == message.token:
            del self._running[rsc]
        self._start_next(rsc)
        operation = message.operation
        result = message.result
        queue_ms = max(int((message.started_at - message.queued_at) * 1000), 0)
        event = ExecutorEvent(operation, result, message.started_at, message.finished_at,
                              queue_ms, message.started_at)
        if operation.request.interval_ms <= 0:
            return event
        recurring = self._recurring.get(operation.key)
        if recurring is None or recurring.operation.call_id != operation.call_id:
            return None            # cancelled while it ran
        recurring.due = message.finished_at + operation.request.interval_ms / 1000
        current = (result.rc, result.status)
        if recurring.reported and current == recurring.last:
            return None            # nothing changed: nothing to say
        if current != recurring.last:
            recurring.changed_at = message.started_at
        recurring.last = current
        recurring.reported = True
        return evolve(event, rc_changed_at=recurring.changed_at)
