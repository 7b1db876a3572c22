"""One node's executor, as a controller drives it.

Pacemaker's controller keeps one executor connection per node it runs
actions on (``lrm_state``: its own executor, or a remote node's).  A
:class:`NodeExecutor` is that: the node's name and id, its agents (with the
node's own agent environment), its :class:`Executor` and what the
controller remembers about the calls it made there (the parameter digest
each one ran with).  Its results come back to the controller's queue
tagged with the node (:class:`NodeExecuted`), so that one controller can
drive several executors (``pengine run --local-nodes``) and a cluster
member can drive its own.

:class:`ExecutorGroup` lets the run loop treat several executors as one
(timers, whether anything still runs).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Callable, Iterable

from attrs import evolve, frozen

from pengine.transitions.execute.agents import AgentRequest, Agents, AgentSettings
from pengine.transitions.execute.executor import Executed, Executor, ExecutorEvent, Operation

log = logging.getLogger("pengine.run")

# Where a node's agents keep their state (resource-agents' ocf-directories)
AGENT_DIRS = (("HA_RSCTMP", "rsctmp"), ("HA_VARRUN", "run"))
# Actions before which a resource's recurring operations stop (should_cancel_recurring)
KEEP_RECURRING = ("monitor", "notify")


@frozen
class NodeExecuted:
    """A worker's message: an action of ``node``'s executor finished."""

    node: str
    executed: Executed


class NodeExecutor:
    def __init__(self, name: str, agents: Agents, post: Callable[[object], None],
                 clock: Callable[[], float] = time.time, node_id: str | None = None):
        self.name = name
        self.node_id = node_id
        self.agents = agents
        self.executor = Executor(agents, lambda message: post(NodeExecuted(name, message)),
                                 clock)
        self._digests: dict[int, str | None] = {}     # call id -> op-digest

    def run(self, request: AgentRequest, key: str, start_delay_ms: int = 0,
            digest: str | None = None) -> Operation:
        """Queue an action (do_lrm_rsc_op): an action that changes the
        resource's state first stops its recurring operations."""
        if request.action not in KEEP_RECURRING and request.interval_ms == 0:
            for cancelled in self.executor.cancel_recurring(request.rsc_id):
                log.debug("stopped recurring %s on %s before %s", cancelled, self.name,
                          request.action)
        operation = self.executor.submit(request, key, start_delay_ms)
        self._digests[operation.call_id] = digest
        return operation

    def cancel(self, rsc_id: str, task: str, interval_ms: int) -> bool:
        return self.executor.cancel(rsc_id, task, interval_ms)

    def forget(self, rsc_id: str) -> list[str]:
        """The resource's history is deleted: its recurring operations stop."""
        return self.executor.cancel_recurring(rsc_id)

    def stop_all(self) -> list[str]:
        """The node went down (fenced): none of its recurring operations runs on."""
        stopped = []
        for key in self.executor.recurring_keys():
            rsc = key.rsplit("_", 2)[0]
            stopped += self.executor.cancel_recurring(rsc)
        return stopped

    def completed(self, executed: Executed) -> ExecutorEvent | None:
        """Account for a finished action; the event to report, if any."""
        return self.executor.completed(executed)

    def digest(self, operation: Operation) -> str | None:
        """The op-digest of the parameters ``operation`` ran with."""
        if operation.request.interval_ms > 0:
            return self._digests.get(operation.call_id)
        return self._digests.pop(operation.call_id, None)     # reported once

    def history_digests(self, request: AgentRequest) -> tuple[tuple[str, str], ...]:
        """The reload and secure digests from this node's agent meta-data."""
        return self.agents.history_digests(request)


class ExecutorGroup:
    """Several nodes' executors, as the run loop sees them."""

    def __init__(self, nodes: Iterable[NodeExecutor]):
        self.nodes = list(nodes)

    def tick(self, now: float) -> None:
        for node in self.nodes:
            node.executor.tick(now)

    def next_due(self) -> float | None:
        dues = [due for due in (n.executor.next_due() for n in self.nodes) if due is not None]
        return min(dues) if dues else None

    def busy(self) -> bool:
        return any(node.executor.busy() for node in self.nodes)


def agent_request(action, spec) -> AgentRequest:
    """What a graph action asks of an agent (the executor call it becomes)."""
    return AgentRequest(
        rsc_id=spec.rsc_id or action.rsc_id, standard=spec.rsc_class or "",
        agent=spec.rsc_type or "", provider=spec.rsc_provider, action=action.task,
        interval_ms=spec.interval_ms, params=spec.attributes, timeout_ms=spec.timeout_ms)


def node_agent_settings(settings: AgentSettings, node_dir: str) -> AgentSettings:
    """The agents of a node that shares the machine with others: each keeps
    its state under ``node_dir``, where agents look for it (resource-agents'
    ``HA_RSCTMP`` for state files, ``HA_VARRUN`` for pid files), so that one
    resource on two such nodes is two instances."""
    env = settings.environment()
    for variable, sub in AGENT_DIRS:
        env[variable] = os.path.join(node_dir, sub)
    return evolve(settings, base_env=tuple(sorted(env.items())))


def make_agent_dirs(settings: AgentSettings) -> None:
    """Create the state directories a node's agent environment names."""
    env = settings.environment()
    for variable, _sub in AGENT_DIRS:
        if env.get(variable):
            os.makedirs(env[variable], exist_ok=True)
