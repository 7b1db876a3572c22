"""``pengine run --local-nodes A,B,...``: several nodes on one machine.

One controller (the DC: the first node named) keeps one status with a node
state per node, schedules for all of them and sends each action to the
executor of the node that must run it; each node has its own
:class:`~transitions.execute.nodes.NodeExecutor`, with its own agent
environment (``STATE_DIR/nodes/NAME``: a resource that runs "on node1" and
"on node2" is two instances of its agent), and its results are recorded
under that node.  Resources move between the nodes as they would between
machines: a failure threshold reached on one node moves the resource to
another, failures expire per node, stickiness keeps a resource where it is.

It is how the scheduler's answers can be tried out on real agents without a
cluster (the HAProxy failover of ``samples/haproxy-failover.toml``, say).
The nodes share the machine: systemd units and LSB init scripts exist once,
so only agents that keep their state where ``HA_RSCTMP``/``HA_VARRUN`` say
(OCF agents) really run twice.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Callable, Sequence

from attrs import evolve

from pengine.cib.errors import UsageError
from pengine.transitions.execute.agents import Agents, AgentSettings
from pengine.transitions.execute.codes import EXEC_DONE, OCF_OK
from pengine.transitions.execute.controller import INFINITY, Controller, _int, _node_id, records_pending
from pengine.transitions.execute.nodes import (ExecutorGroup, NodeExecuted, NodeExecutor, agent_request,
                                               make_agent_dirs, node_agent_settings)
from pengine.transitions.execute.recording import (delete_op_history, delete_resource_history,
                                                   node_fenced, node_joined)
from pengine.transitions.execute.state_dir import StateDir

log = logging.getLogger("pengine.run")

NODES_DIR = "nodes"
LOCAL_STACK = "local"        # cluster-infrastructure of a --local-nodes run


def node_directory(state: StateDir, name: str) -> str:
    """Where a local node's agents keep their state."""
    if not name or "/" in name or name in (".", "..") or "\0" in name:
        raise UsageError(f"node name '{name}' cannot name a directory")
    return os.path.join(state.path, NODES_DIR, name)


def local_agents(state: StateDir, names: Sequence[str], settings: AgentSettings
                 ) -> list[tuple[str, Agents]]:
    """Each node's agents, with the node's own state directories."""
    return [(name, Agents(node_agent_settings(settings, node_directory(state, name))))
            for name in names]


def parse_node_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if not names or any(not name for name in names):
        raise UsageError(f"--local-nodes: expected names separated by commas, got '{text}'")
    seen = set()
    for name in names:
        if name in seen:
            raise UsageError(f"--local-nodes: node '{name}' is named twice")
        seen.add(name)
    return names


class LocalNodesController(Controller):
    """The controller of several local nodes (the first one is the DC)."""

    def __init__(self, config_path: str, nodes: Sequence[tuple[str, Agents]], state: StateDir,
                 clock: Callable[[], float] = time.time, watch_config: bool = True):
        if not nodes:
            raise UsageError("no local node to run")
        first, first_agents = nodes[0]
        super().__init__(config_path, first, state, first_agents, clock, watch_config)
        self.nodes: dict[str, NodeExecutor] = {
            name: NodeExecutor(name, agents, self.messages.put, clock) for name, agents in nodes}
        self.executor = ExecutorGroup(self.nodes.values())

    # ------------------------------------------------------------ set-up --

    def _cluster_attributes(self, cib):
        """As one node's, and the stack says the nodes are local ones (pengine
        status shows it), as a cluster's DC records cluster-infrastructure."""
        from pengine.transitions.execute.membership import set_cluster_option
        return super()._cluster_attributes(
            set_cluster_option(cib, "cluster-infrastructure", LOCAL_STACK))

    def start(self) -> None:
        """Load the configuration and the saved status; every node joins."""
        config = self._read_config()
        for node in self.nodes.values():
            node.node_id = _node_id(config, node.name)
        for node in self.nodes.values():
            make_agent_dirs(node.agents.settings)
        saved = self.state.load()
        cib = evolve(config, status=saved.status if saved is not None else config.status)
        now = int(self.clock())
        for node in self.nodes.values():
            # a new executor knows nothing: probes will find what runs
            cib = node_joined(cib, node.name, node.node_id, now)
        self.node_id = self.nodes[self.node].node_id
        self.cib = self._cluster_attributes(cib)
        self.save()
        log.info("local nodes %s joined (DC: %s); state in %s", ", ".join(self.nodes),
                 self.node, self.state.cib_path)

    # --------------------------------------------------------- messages --

    def handle(self, message) -> None:
        if isinstance(message, NodeExecuted):
            node = self.nodes[message.node]
            event = node.completed(message.executed)
            if event is not None:
                request = event.operation.request
                self.record_event(event, node.name, node.node_id, node.digest(event.operation),
                                  node.history_digests(request))
        else:
            super().handle(message)

    # ---------------------------------------------------------- actions --

    def initiate(self, action) -> None:
        spec = self.specs.get(action.id)
        if action.kind == "crm_event":
            self.initiate_cluster_action(action, spec)
            return
        node = self.nodes.get(action.node) if action.node is not None else None
        if node is None:
            log.error("action %d (%s) is for node %s, which no local executor runs",
                      action.id, action.uuid, action.node)
            self._confirm(action.id, failed=True)
            self._abort(INFINITY, "Action for another node")
            return
        self.initiate_on(node, action, spec)

    def initiate_on(self, node: NodeExecutor, action, spec) -> None:
        """Send a resource action to ``node``'s executor."""
        task = action.task
        rsc = spec.rsc_id or action.rsc_id
        if task == "cancel":
            cancelled_task = spec.meta("operation") or action.get("operation") or "monitor"
            interval = spec.interval_ms
            node.cancel(rsc, cancelled_task, interval)
            self.cib = delete_op_history(self.cib, node.name, rsc,
                                         f"{rsc}_{cancelled_task}_{interval}")
            self.save()
            log.info("cancelled %s_%s_%d on %s", rsc, cancelled_task, interval, node.name)
            self._confirm(action.id)
            return
        if task == "delete":
            node.forget(rsc)
            self.cib = delete_resource_history(self.cib, node.name, rsc)
            self.save()
            self._confirm(action.id)
            return
        request = agent_request(action, spec)
        if records_pending(request):
            self._record_pending(request, spec, node.name, node.node_id)
        operation = node.run(request, self._key(spec), _int(spec.meta("start_delay")),
                             action.digest)
        log.info("initiating %s on %s (action %d, call %d)", action.uuid, node.name, action.id,
                 operation.call_id)
        if (spec.meta("op_no_wait") or "").lower() == "true":
            self._confirm(action.id)

    def initiate_cluster_action(self, action, spec) -> None:
        if action.task == "lrm_delete" and action.node in self.nodes:
            # the node's executor forgets the resource too
            self.nodes[action.node].forget(spec.rsc_id or action.rsc_config_id)
        super().initiate_cluster_action(action, spec)

    def on_fenced(self, message) -> None:
        super().on_fenced(message)
        node = self.nodes.get(message.target)
        ok = message.result.status == EXEC_DONE and message.result.rc == OCF_OK
        if node is None or not ok or message.fence_action not in ("off", "reboot"):
            return
        # the node went down: what its executor ran is gone with it; after a
        # reboot it joins again, knowing nothing (probes will look)
        node.stop_all()
        now = int(self.clock())
        self.cib = node_fenced(self.cib, node.name, now)
        if message.fence_action == "reboot":
            self.cib = node_joined(self.cib, node.name, node.node_id, now)
        self.save()
