"""Cluster mode of ``pengine run``: nodes that schedule and recover together.

Every node runs one :class:`ClusterController`: the single-node controller
(:mod:`transitions.execute.controller`) joined to Corosync.  Membership and
quorum come from Corosync's quorum service, and the nodes talk through one
closed process group (:mod:`transitions.execute.corosync`); messages are
frozen values (:mod:`transitions.execute.cluster_messages`).

Roles, as in Pacemaker:

- **every node** runs the actions it is sent with its own executor, keeps
  its own resource history (what its executor did), and reports each
  result to the group;
- **the coordinator** (Pacemaker's DC: the group member with the lowest
  node id, so every member agrees who it is) owns the cluster status.  It
  writes membership into the node states, schedules (``pengine.schedule``)
  when the view is settled, sends each action to the node that must run it,
  records the results, fences (with the configured fence devices) and
  plans again.  After every change it publishes the status to the group.

When the coordinator changes (it died, or a node with a lower id joined),
the new one starts from the status it last received and holds a *join*
(Pacemaker's join after a DC election): every member answers with the
resource history of its executor and its copy of the status; the newest
copy wins and each member's history replaces what the status said about
it.  The scheduler then probes whatever is unknown, fences nodes that left
while expected up, and carries on.

A partition without quorum also has a coordinator; the scheduler applies
``no-quorum-policy`` (stop, by default) and cannot fence.

Fencing cannot be dodged: every member notes who joined and is expected up
(a node that leaves is unclean whatever stale copies said), a member whose
``pengine`` stops answering is evicted (:mod:`transitions.execute.liveness`),
a peer fences when the coordinator is the target or has no device for it
(:mod:`transitions.execute.fencing_peers`), fencing levels are followed
(:mod:`transitions.execute.fencing_topology`), and each node feeds a
watchdog (:mod:`transitions.execute.watchdog`).  Alerts run on node,
fencing and resource events (:mod:`transitions.execute.alerts`).

Node attributes, the one configuration every node holds and the admin
commands come from the :class:`~transitions.execute.cluster_admin.ClusterAdmin`
mixin: local clients reach a node through its control socket, and changes
are made by the coordinator (an edited configuration file, too).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Callable

from attrs import evolve, frozen

from pengine.cib import model as m
from pengine.cib.errors import UsageError
from pengine.transitions.execute import admin
from pengine.transitions.execute import cluster_messages as msg
from pengine.transitions.execute import fencing_peers as fp
from pengine.transitions.execute import liveness as lv
from pengine.transitions.execute import membership as ms
from pengine.transitions.execute.agents import AgentRequest, Agents
from pengine.transitions.execute.cluster_admin import ClusterAdmin
from pengine.transitions.execute.codes import EXEC_DONE, EXEC_ERROR, EXEC_NO_FENCE_DEVICE, OCF_OK, AgentResult
from pengine.transitions.execute.control import ControlRequest
from pengine.transitions.execute.controller import (INFINITY, KEEP_RECURRING, UNRECORDED, Controller,
                                                    Fenced, _int, pending_record, records_pending,
                                                    result_record)
from pengine.transitions.execute.corosync import (CorosyncLink, Delivered, GroupChanged, LinkLost,
                                                  Process, QuorumChanged, RingChanged)
from pengine.transitions.execute.executor import ExecutorEvent, Operation
from pengine.transitions.execute.fencing_topology import topology_of
from pengine.transitions.execute.events import parse_transition_key
from pengine.transitions.execute.recording import (delete_op_history, delete_resource_history,
                                                   node_joined, record_result)
from pengine.transitions.execute.state_dir import StateDir

log = logging.getLogger("pengine.run")

GROUP = "pengine"
DEFAULT_DC_DEADTIME_S = 20.0        # Pacemaker's dc-deadtime
DEFAULT_CLUSTER_DELAY_S = 60.0      # cluster-delay: added to an action's timeout
QUORUM_REFRESH_S = 2.0             # an unsettled view asks corosync for the quorum state again
# A corosync still starting refuses connections (library error, or try
# again): wait for it, as pacemakerd does, rather than exit.
CONNECT_RETRY = frozenset({2, 6})      # CS_ERR_LIBRARY, CS_ERR_TRY_AGAIN
CONNECT_WAIT = 60.0
CONNECT_INTERVAL = 0.5
JOIN_TIMEOUT_S = 10.0               # members that have not answered a join by then stay pending


class ClusterController(ClusterAdmin, Controller):
    def __init__(self, config_path: str, node: str, state: StateDir, agents: Agents,
                 clock: Callable[[], float] = time.time, watch_config: bool = True,
                 link_factory: Callable = CorosyncLink, nodelist: Callable | None = None):
        super().__init__(config_path, node, state, agents, clock, watch_config)
        self.link_factory = link_factory
        self.nodelist = nodelist
        self.link = None
        self.nodeid: int | None = None
        self.nodes: dict[int, ms.ClusterNode] = {}     # corosync id -> configured node
        self.view = ms.View()
        self.coordinator: Process | None = None
        self.me: Process | None = None
        self.coordinating = False
        self.local = m.Cib()            # this node's own history (its executor's)
        self.fresh = True               # not joined to any coordinator yet
        self.status_version = (0, 0)
        self.cluster_formed = False     # a transition ran, or a status came from a coordinator
        self.started_at = clock()
        self.join_round: str | None = None
        self.join_rounds = 0
        self.join_started = 0.0
        self.awaiting: frozenset[int] = frozenset()
        self.replies: dict[int, msg.JoinReply] = {}
        self.joined: frozenset[int] = frozenset()
        self.remote: dict[int, tuple[str, float]] = {}  # action id -> (node, deadline)
        self.status_dirty = False
        self.unsettled_since: float | None = None
        self.shutdown_requested = False
        self.exit_code = 0
        self.corosync_wait = CONNECT_WAIT
        # liveness and fencing by peers (transitions.execute.liveness, .fencing_peers)
        self.expectations = lv.Expectations()
        self.heartbeats = lv.Heartbeats()
        self.next_heartbeat = 0.0
        self.evicted: frozenset[tuple[int, int]] = frozenset()
        self.evictions_sent: frozenset[tuple[int, int]] = frozenset()
        self.watchdog_timeout = lv.DEFAULT_WATCHDOG_TIMEOUT_S
        self.peer_fencings = fp.PeerFencings()
        self.peer_devices: dict[str, tuple[AgentRequest, ...]] = {}
        self.fence_requests = 0
        self.evicted_self = False           # evicted: leave, the watchdog stays armed
        # the node's watchdog (transitions.execute.watchdog): "none" for none,
        # None for the kernel device when present, else the own helper
        self.watchdog_device: str | None = "none"
        self.watchdog = None
        self.active_here: dict[str, AgentRequest] = {}
        self.init_admin()       # attributes, configuration, admin commands (cluster_admin)

    # ------------------------------------------------------------ set-up --

    def _connect(self):
        """Join the process group through the local corosync, waiting for a
        corosync that is still starting (its IPC not listening yet) as
        pacemakerd does, up to ``corosync_wait`` seconds."""
        from pengine.transitions.execute import corosync
        deadline = time.monotonic() + self.corosync_wait
        waiting = False
        while True:
            link = self.link_factory(GROUP, self.messages.put)
            try:
                self.nodeid = link.start()
                return link
            except corosync.CorosyncError as error:
                if error.code not in CONNECT_RETRY or time.monotonic() >= deadline:
                    raise UsageError(f"cannot join the cluster through the local corosync: "
                                     f"{error}") from None
                if not waiting:
                    log.info("waiting for the local corosync (%s)", error)
                    waiting = True
            time.sleep(CONNECT_INTERVAL)

    def start(self) -> None:
        from pengine.transitions.execute import corosync
        config = self._read_config()
        self.node_id = _node_id(config, self.node)
        link = self._connect()
        self.link = link
        self.me = Process(self.nodeid, os.getpid())
        names = (self.nodelist or corosync.nodelist)()
        if names.get(self.nodeid) != self.node:
            link.stop()
            raise UsageError(f"corosync says this is node {self.nodeid} "
                             f"({names.get(self.nodeid) or 'unnamed'}), not {self.node}")
        for nodeid, name in sorted(names.items()):
            configured = next((n for n in config.configuration.nodes if n.uname == name), None)
            if configured is not None and (configured.type or "member") == "member":
                self.nodes[nodeid] = ms.ClusterNode(nodeid, name, configured.id)
        saved = self.state.load()
        config = self.choose_start_configuration(config, saved)
        status = saved.status if saved is not None else config.status
        self.cib = self._cluster_attributes(evolve(config, status=status))
        now = int(self.clock())
        self.local = node_joined(m.Cib(), self.node, self.node_id, now)
        self.save()
        self.start_control()
        log.info("%s joined the process group as corosync node %d; state in %s",
                 self.node, self.nodeid, self.state.cib_path)
        self.arm_watchdog()

    def arm_watchdog(self) -> None:
        from pengine.transitions.execute import watchdog as wd
        path = os.path.join(os.path.dirname(self.state.cib_path), "watchdog-resources.json")
        wd.write_active(path, {}, self.agents.settings)
        try:
            self.watchdog = wd.open_watchdog(self.watchdog_device, self.watchdog_timeout, path)
        except OSError as error:
            self.link.stop()
            raise UsageError(f"cannot open the watchdog: {error}") from None
        self.active_path = path
        if self.watchdog is not None:
            log.info("feeding the %s", self.watchdog.describe())

    def _cluster_attributes(self, cib: m.Cib) -> m.Cib:
        coordinator = self.nodes.get(self.coordinator.nodeid) if self.coordinator else None
        cib = ms.set_cluster_option(cib, "cluster-infrastructure", "corosync")
        return evolve(cib, attributes=list({
            **dict(cib.attributes),
            "have-quorum": "1" if self.view.quorate else "0",
            "dc-uuid": coordinator.node_id if coordinator else "",
            # the configuration's version; num_updates counts the status updates
            "admin_epoch": str(self.config_version[0]),
            "epoch": str(self.config_version[1]),
            "num_updates": str(self.status_version[1]),
        }.items()))

    def save(self) -> None:
        super().save()
        if self.coordinating:
            self.status_dirty = True

    def run(self) -> int:
        code = None
        try:
            code = super().run()
        finally:
            self.publish_status()
            self.stop_control()
            if self.link is not None:
                self.link.stop()
            if self.watchdog is not None:
                # left uncleanly (corosync lost, evicted, a crash): the watchdog fires
                clean = code is not None and not (self.evicted_self or self.exit_code)
                if not clean:
                    log.error("leaving the watchdog armed: this node's resources will stop")
                self.watchdog.close(disarm=clean)
        return self.exit_code or code

    # ----------------------------------------------------------- sending --

    def send(self, message) -> None:
        if self.link is not None:
            self.link.send(msg.encode(message))

    def publish_status(self) -> None:
        if not (self.coordinating and self.status_dirty) or self.join_round is not None:
            return
        self.status_dirty = False
        epoch, number = self.status_version
        self.status_version = (epoch, number + 1)
        self.cib = self._cluster_attributes(self.cib)
        self.send(msg.StatusUpdate(self.status_version, ms.cib_xml(self.cib)))

    # ----------------------------------------------------------- events --

    def handle(self, message) -> None:
        if isinstance(message, Delivered):
            self.on_delivered(message)
        elif isinstance(message, GroupChanged):
            self.on_group(message)
        elif isinstance(message, QuorumChanged):
            self.view = evolve(self.view, quorate=message.quorate,
                               quorum_seq=message.ring_seq, quorum_members=message.members)
            log.info("quorum: %s, members %s (ring %d)",
                     "quorate" if message.quorate else "NOT quorate",
                     list(message.members), message.ring_seq)
            self.on_view_change("Quorum change")
        elif isinstance(message, RingChanged):
            self.view = evolve(self.view, ring_seq=message.ring_seq,
                               ring_members=message.members, ring_pending=False)
            self.on_view_change("Membership change")
        elif isinstance(message, LinkLost):
            self.on_link_lost(message.reason)
        elif isinstance(message, PeerFenced):
            result, device = message.result, message.device
            self.send(msg.FenceResult(message.request.request_id, self.node,
                                      message.request.target, message.request.action,
                                      result.rc, result.status, result.exit_reason, device))
        elif isinstance(message, ControlRequest):
            self.on_control(message)
        else:
            super().handle(message)

    def on_link_lost(self, reason: str) -> None:
        """Without corosync this node cannot take part: stop at once and let
        the others fence it (what Pacemaker's controller does)."""
        log.error("%s: leaving the cluster", reason)
        self.link = None
        self.coordinating = False
        self.exit_code = 1
        self.stopping = True
        self.transition = None

    def on_group(self, change: GroupChanged) -> None:
        ring_change = any(p.reason in ("nodedown", "nodeup") for p in change.left + change.joined)
        # an evicted member stays out until its process leaves the group
        members = tuple(p for p in change.members if _key(p) not in self.evicted)
        left = {_key(p) for p in change.left if p.reason != "unresponsive"}
        self.evicted = self.evicted - left
        self.heartbeats = self.heartbeats.forget(left).ensure(
            {_key(p) for p in members}, self.clock())
        newcomers = members if any(_same(p, self.me) for p in change.joined) else change.joined
        for process in newcomers:
            self.expectations = self.expectations.joined(process.nodeid)
        before = self.view.group_nodes
        self.view = evolve(self.view, group=members,
                           ring_pending=self.view.ring_pending or ring_change)
        self.node_alerts(before, self.view.group_nodes)
        for process in change.left:
            log.info("process group: %s left (%s)", self._name(process.nodeid), process.reason)
        for process in change.joined:
            log.info("process group: %s joined", self._name(process.nodeid))
        previous = self.coordinator
        self.coordinator = self.view.coordinator()
        now_coordinating = _same(self.coordinator, self.me)
        if self.coordinator != previous and self.coordinator is not None:
            log.info("coordinator: %s%s", self._name(self.coordinator.nodeid),
                     " (this node)" if now_coordinating else "")
            self.resend_pending()
        if now_coordinating and not self.coordinating:
            self.become_coordinator()
            return
        if self.coordinating and not now_coordinating:
            self.step_down()
            return
        if not self.coordinating:
            return
        gone = {p.nodeid for p in change.left} - self.view.group_nodes
        if gone:
            for nodeid in gone:     # attrd forgets a lost node's transient attributes
                self.cib = admin.drop_transient(self.cib, self._name(nodeid))
            self.joined = self.joined - gone
            self.fail_actions_on(gone)
            self.awaiting = self.awaiting - gone
            self.check_join_done()
        if change.joined:
            self.start_join()
        self.on_view_change("Peer change")

    def record_view(self, cib: m.Cib) -> m.Cib:
        """The view in the node states; every node that joined the group and
        was neither fenced nor let go since is expected up."""
        nodes = list(self.nodes.values())
        return lv.expect_up(ms.record_membership(cib, self.view, nodes, self.joined), nodes,
                            self.expectations.nodes())

    def on_view_change(self, reason: str) -> None:
        if not self.coordinating or not self.view.settled():
            return
        before = self.cib
        self.cib = self.record_view(self.cib)
        self.cib = self._cluster_attributes(self.cib)
        if self.cib != before:
            self.save()
            self._abort(INFINITY, reason)

    # -------------------------------------------------------- coordinator --

    def become_coordinator(self) -> None:
        log.info("this node coordinates the partition now")
        self.coordinating = True
        self.transition = None
        self.joined = frozenset()
        self.remote = {}
        self.start_join()

    def step_down(self) -> None:
        """A member with a lower id joined: it coordinates from now on."""
        log.info("handing over to %s", self._name(self.coordinator.nodeid))
        self.publish_status()
        self.coordinating = False
        self.transition = None
        self.join_round = None
        self.remote = {}
        self.drop_peer_fencings()

    def start_join(self) -> None:
        self.join_rounds += 1
        self.join_round = f"{self.uuid}:{self.join_rounds}"
        self.join_started = self.clock()
        self.awaiting = self.view.group_nodes
        self.replies = {}
        if self.transition is not None:
            self._abort(INFINITY, "Node join")
        self.send(msg.JoinRequest(self.join_round))

    def on_join_reply(self, nodeid: int, reply: msg.JoinReply) -> None:
        if reply.round != self.join_round:
            return
        self.replies[nodeid] = reply
        self.check_join_done()

    def check_join_done(self, timed_out: bool = False) -> None:
        if self.join_round is None:
            return
        missing = self.awaiting - set(self.replies)
        if missing and not timed_out:
            return
        if missing:
            log.warning("join: no answer from %s; they stay pending",
                        ", ".join(self._name(n) for n in sorted(missing)))
        self.finish_join()

    def finish_join(self) -> None:
        replies = self.replies
        self.join_round = None
        newest = max(replies.values(), key=lambda r: tuple(r.status_version), default=None)
        first = self.status_version == (0, 0) or not self.joined
        if newest is not None and newest.status is not None \
                and tuple(newest.status_version) > self.status_version:
            try:
                other = ms.cib_from_xml(newest.status, f"status from {newest.node}")
            except Exception as error:  # noqa: BLE001 - a bad copy is ignored
                log.error("status from %s unreadable: %s", newest.node, error)
            else:
                log.info("join: taking the status of %s (version %d.%d)", newest.node,
                         *newest.status_version)
                self.cib = ms.replace_status(self.cib, other)
                self.cluster_formed = True      # a coordinator ran before this one
        self.join_configuration(replies.values())
        epoch = max([self.status_version[0]] + [r.status_version[0] for r in replies.values()])
        if first:
            # a new coordinator: a new generation of the status
            self.status_version = (epoch + 1, 0)
        elif epoch > self.status_version[0]:
            self.status_version = (epoch, 0)
        joined = set(self.joined)
        for nodeid, reply in sorted(replies.items()):
            node = self.nodes.get(nodeid)
            if node is None or nodeid not in self.view.group_nodes:
                continue
            try:
                history = ms.state_from_xml(reply.history)
            except Exception as error:  # noqa: BLE001
                log.error("history from %s unreadable: %s", reply.node, error)
                continue
            self.cib = ms.node_joined(self.cib, node, history, reply.fresh)
            joined.add(nodeid)
        self.joined = frozenset(joined)
        log.info("join complete: %s", ", ".join(self._name(n) for n in sorted(self.joined)))
        self.need_schedule = True
        self.on_view_change("Join complete")
        self.save()
        self.status_dirty = True        # the members take this configuration and status
        self.publish_status()
        self.run_deferred_requests()

    def start_transition(self) -> None:
        if not self.ready_to_schedule():
            return
        self.cib = self._cluster_attributes(self.record_view(self.cib))
        super().start_transition()
        self.cluster_formed = True
        self.save()

    def ready_to_schedule(self) -> bool:
        if not self.coordinating or self.join_round is not None or not self.view.settled():
            return False
        if self.waiting_for_peers(self.clock()):
            return False
        return True

    def waiting_for_peers(self, now: float) -> bool:
        """At cluster start-up, wait (at most dc-deadtime) for every
        configured node to join before the first transition, so that none is
        fenced merely for starting later."""
        if self.cluster_formed or set(self.nodes) <= self.view.group_nodes:
            return False
        return now - self.started_at < self.dc_deadtime()

    def dc_deadtime(self) -> float:
        from pengine.common.dates import parse_interval_ms
        text = _cluster_option(self.cib, "dc-deadtime")
        value = parse_interval_ms(text) if text else None
        return value / 1000 if value is not None else DEFAULT_DC_DEADTIME_S

    def idle(self, now: float) -> float | None:
        deadlines = [self.keep_alive(now)]
        if self.coordinating and not self.view.settled():
            # quorum and ring should agree within moments; if a quorum
            # notification went missing, ask for the current state
            if self.unsettled_since is None:
                self.unsettled_since = now
            elif now - self.unsettled_since >= QUORUM_REFRESH_S and self.link is not None:
                log.info("membership not settled for %.1fs: asking corosync again",
                         now - self.unsettled_since)
                self.unsettled_since = now
                self.link.refresh_quorum()
            deadlines.append(self.unsettled_since + QUORUM_REFRESH_S)
        else:
            self.unsettled_since = None
        if self.coordinating:
            for action_id, (node, deadline) in list(self.remote.items()):
                if now >= deadline:
                    log.error("action %d on %s timed out (no result)", action_id, node)
                    self.remote.pop(action_id, None)
                    self._confirm(action_id, failed=True)
                    self._abort(INFINITY, "Action timeout")
                else:
                    deadlines.append(deadline)
            if self.join_round is not None:
                if now - self.join_started >= JOIN_TIMEOUT_S:
                    self.check_join_done(timed_out=True)
                else:
                    deadlines.append(self.join_started + JOIN_TIMEOUT_S)
            startup_over = self.started_at + self.dc_deadtime()
            if not self.cluster_formed and self.need_schedule and now < startup_over:
                deadlines.append(startup_over)
            deadlines += self.check_peer_fencings(now)
            self.publish_status()
        client_deadline = self.check_pending_clients(now)
        if client_deadline is not None:
            deadlines.append(client_deadline)
        return min(deadlines) if deadlines else None

    def fail_actions_on(self, gone: set[int]) -> None:
        """fail_incompletable_actions: what was sent to a node that left will
        not come back."""
        names = {self._name(n) for n in gone}
        for action_id, (node, _deadline) in list(self.remote.items()):
            if node in names:
                log.warning("action %d on %s fails: the node left", action_id, node)
                self.remote.pop(action_id)
                self._confirm(action_id, failed=True)
                self._abort(INFINITY, "Node failure")

    # ----------------------------------------------------------- actions --

    def initiate(self, action) -> None:
        if action.kind == "crm_event":
            self.initiate_cluster_action(action, self.specs.get(action.id))
        else:
            self.initiate_resource_action(action, self.specs.get(action.id))

    def initiate_resource_action(self, action, spec) -> None:
        """Send the action to the node that runs it (this one included)."""
        node = action.node or self.node
        target = self._node_by_name(node)
        if target is None or target.nodeid not in self.view.group_nodes:
            log.error("action %d (%s) is for %s, which is not in the group", action.id,
                      action.uuid, node)
            self._confirm(action.id, failed=True)
            self._abort(INFINITY, "Action for a missing node")
            return
        task = action.task
        rsc = spec.rsc_id or action.rsc_id
        op = "run"
        if task == "cancel":
            op = "cancel"
            task = spec.meta("operation") or action.get("operation") or "monitor"
        elif task == "delete":
            op = "delete"
        request = AgentRequest(
            rsc_id=rsc, standard=spec.rsc_class or "", agent=spec.rsc_type or "",
            provider=spec.rsc_provider, action=task, interval_ms=spec.interval_ms,
            params=spec.attributes, timeout_ms=spec.timeout_ms)
        start_delay = _int(spec.meta("start_delay"))
        key = self._key(spec)
        self.send(msg.Exec(node, op, action.id, self.transition_id, request, key,
                           start_delay, action.digest))
        if op == "run" and records_pending(request):
            # until its result comes, the action is in flight there (and a new
            # coordinator does not start the resource elsewhere)
            self._record_pending(request, spec, node, target.node_id)
        log.info("initiating %s on %s (action %d)", action.uuid, node, action.id)
        if (spec.meta("op_no_wait") or "").lower() == "true":
            self._confirm(action.id)
            return
        delay = _cluster_delay(self.cib)
        self.remote[action.id] = (node, self.clock() + (spec.timeout_ms + start_delay) / 1000
                                  + delay)

    def initiate_cluster_action(self, action, spec) -> None:
        task = action.task
        node = action.node or self.node
        if task == "do_shutdown":
            target = self._node_by_name(node)
            if target is not None:
                self.cib = ms.expect_down(self.cib, target)
                self.save()
            log.info("%s may leave the cluster now", node)
            self._confirm(action.id)
            # every member learns that its leaving is clean (not to be fenced)
            self.send(msg.ShutdownGranted(node))
            if node == self.node:
                self.publish_status()
                self.stopping = True
            return
        if task == "lrm_delete":
            # the node's executor forgets the resource too
            target = self._node_by_name(node)
            rsc = spec.rsc_id or action.rsc_config_id
            if target is not None:
                self.send(msg.Exec(node, "delete", -1, self.transition_id,
                                   AgentRequest(rsc, spec.rsc_class or "", spec.rsc_type or "",
                                                "delete", provider=spec.rsc_provider),
                                   self._key(spec)))
        super().initiate_cluster_action(action, spec)

    def initiate_fencing(self, action, spec) -> None:
        target = self._node_by_name(action.node)
        if target is not None:
            self.expectations = self.expectations.fencing_started(target.nodeid)
        self.send(msg.FenceStarted(action.node))
        if action.node == self.node:
            # a node does not fence itself: a peer does it
            self.fencing_in_flight += 1
            self.fence_by_peer(action, spec, "this node is the target")
            return
        super().initiate_fencing(action, spec)

    def scheduled(self, sch) -> None:
        from pengine.transitions.execute.action_specs import fence_devices
        self.peer_devices = {n.name: tuple(fence_devices(sch, n.name))
                             for n in self.nodes.values()}

    def fence_by_peer(self, action, spec, why: str) -> None:
        """Ask another member to run this fencing (fencing_in_flight counts it
        already)."""
        target = action.node
        fence_action = action.get("stonith_action") or spec.meta("stonith_action") or "reboot"
        executor = self.peer_to_ask(target, action.id)
        if executor is None:
            self.on_fenced(Fenced(action.id, self.transition_id, target, fence_action,
                                  AgentResult(1, EXEC_NO_FENCE_DEVICE,
                                              f"{why}, and no other member can fence {target}"),
                                  None))
            return
        name = self._name(executor)
        levels = topology_of(self.cib, target)
        devices = self.peer_devices.get(name, ())
        self.fence_requests += 1
        request_id = f"{self.uuid}:{self.fence_requests}"
        tries = max(1, len(devices), sum(len(level) for level in levels))
        deadline = self.clock() + tries * (spec.timeout_ms or 60000) / 1000 + fp.EXTRA_WAIT_S
        self.peer_fencings = self.peer_fencings.add(fp.PeerFencing(
            request_id, action.id, self.transition_id, target, fence_action, executor, deadline))
        log.info("fencing %s (%s) (action %d): asking %s (%s)", target, fence_action, action.id,
                 name, why)
        self.send(msg.FenceRequest(request_id, name, target, fence_action, spec.timeout_ms,
                                   devices, levels))

    def peer_to_ask(self, target: str, action_id: int) -> int | None:
        target_node = self._node_by_name(target)
        return fp.fence_executor(self.view.group_nodes, self.nodeid,
                                 target_node.nodeid if target_node else None,
                                 self.peer_fencings.tried_for(action_id))

    def on_fenced(self, message) -> None:
        ok = message.result.status == EXEC_DONE and message.result.rc == OCF_OK
        spec = self.specs.get(message.action_id)
        if not ok and self.coordinating and fp.lacks_access(message.result.status) \
                and message.transition_id == self.transition_id and self.transition is not None \
                and spec is not None and message.device is None \
                and self.peer_to_ask(message.target, message.action_id) is not None:
            log.warning("fencing %s (%s) here failed: %s", message.target,
                        message.fence_action, message.result.describe())
            self.fence_by_peer(spec.action, spec, "no device here can fence it")
            return
        self.record_fencing(message.target, message.fence_action, ok, message.device,
                            message.result.describe())
        target = self._node_by_name(message.target)
        if ok and message.fence_action in ("off", "reboot") and target is not None:
            self.expectations = self.expectations.fenced(target.nodeid)
        super().on_fenced(message)
        if self.coordinating:
            self.send(msg.FenceNotice(message.target, message.fence_action, ok, self.node,
                                      message.device, message.result.describe()))
        self.publish_status()

    def node_alerts(self, before: frozenset[int], after: frozenset[int]) -> None:
        from pengine.transitions.execute.alerts import node_event
        for nodeid in sorted(after - before):
            self.alert(node_event(self._name(nodeid), nodeid, "member"))
        for nodeid in sorted(before - after):
            self.alert(node_event(self._name(nodeid), nodeid, "lost"))

    def on_fence_result(self, nodeid: int, result: msg.FenceResult) -> None:
        found, self.peer_fencings = self.peer_fencings.take(result.request_id)
        if found is None or found.executor != nodeid:
            return
        log.info("%s fenced %s (%s): %s", result.executor, result.target, result.action,
                 "ok" if result.status == EXEC_DONE and result.rc == 0
                 else AgentResult(result.rc, result.status, result.exit_reason).describe())
        self.on_fenced(Fenced(found.action_id, found.transition_id, found.target, found.action,
                              AgentResult(result.rc, result.status, result.exit_reason),
                              result.device or (None if result.rc or result.status
                                                else result.executor)))

    def check_peer_fencings(self, now: float) -> list[float]:
        for fencing in self.peer_fencings.lost(self.view.group_nodes, now):
            _found, self.peer_fencings = self.peer_fencings.take(fencing.request_id)
            why = "timed out" if fencing.executor in self.view.group_nodes else "left"
            self.on_fenced(Fenced(fencing.action_id, fencing.transition_id, fencing.target,
                                  fencing.action,
                                  AgentResult(1, EXEC_ERROR, f"{self._name(fencing.executor)} "
                                              f"{why} before fencing {fencing.target}"),
                                  "peer"))
        deadline = self.peer_fencings.next_deadline()
        return [deadline] if deadline is not None else []

    def drop_peer_fencings(self) -> None:
        """No longer coordinating: the fencings asked of peers are not
        awaited any more."""
        self.fencing_in_flight -= len(self.peer_fencings.pending)
        self.peer_fencings = fp.PeerFencings()

    def run_fence_request(self, request: msg.FenceRequest) -> None:
        """This node fences for the coordinator, in a thread."""
        log.info("fencing %s (%s) for the coordinator", request.target, request.action)

        def work():
            try:
                result, device = self.agents.fence.fence(
                    request.target, request.action, request.timeout_ms, request.levels,
                    request.devices)
            except Exception as error:  # noqa: BLE001 - a fencer bug fails this fencing
                result, device = AgentResult(1, EXEC_ERROR, str(error)), None
            self.messages.put(PeerFenced(request, result, device))

        threading.Thread(target=work, name=f"fence-{request.target}", daemon=True).start()

    # ---------------------------------------------------------- liveness --

    def keep_alive(self, now: float) -> float:
        """Multicast this main loop's heartbeat; evict members silent too
        long.  When to be called again."""
        if self.link is None:
            return now + lv.HEARTBEAT_INTERVAL_S
        if now >= self.next_heartbeat:
            self.send(msg.Heartbeat(self.node))
            if self.watchdog is not None:
                self.watchdog.feed()
            self.next_heartbeat = now + lv.HEARTBEAT_INTERVAL_S
        timeout = lv.unresponsive_timeout(self.cib, self.watchdog_timeout)
        others = {_key(p) for p in self.view.group} - {_key(self.me)}
        for nodeid, pid in self.heartbeats.silent(others, now, timeout):
            if (nodeid, pid) in self.evictions_sent:
                continue
            log.error("%s's pengine has not answered for %.0fs: evicting it",
                      self._name(nodeid), timeout)
            self.evictions_sent = self.evictions_sent | {(nodeid, pid)}
            self.send(msg.Evict(nodeid, pid, self.node))
        return self.next_heartbeat

    def on_evict(self, sender: Process, evict: msg.Evict) -> None:
        key = (evict.nodeid, evict.pid)
        if self.me is not None and key == _key(self.me):
            log.error("%s found this node's pengine unresponsive: leaving the cluster at once "
                      "(the watchdog stays armed)", evict.by)
            self.evicted_self = True
            self.coordinating = False
            self.exit_code = 1
            self.stopping = True
            self.stop_now = True
            self.transition = None
            return
        if key in self.evicted or not any(_key(p) == key for p in self.view.group):
            return
        log.warning("%s evicted %s (its pengine does not answer)", evict.by,
                    self._name(evict.nodeid))
        self.evicted = self.evicted | {key}
        self.on_group(GroupChanged(self.view.group, (Process(*key, "unresponsive"),), ()))

    # -------------------------------------------------------- messages --

    def on_delivered(self, delivered: Delivered) -> None:
        try:
            message = msg.decode(delivered.data)
        except msg.MessageError as error:
            log.warning("message from node %d ignored: %s", delivered.nodeid, error)
            return
        sender = Process(delivered.nodeid, delivered.pid)
        if _key(sender) in self.evicted:
            return
        if any(_key(p) == _key(sender) for p in self.view.group):
            self.heartbeats = self.heartbeats.heard(_key(sender), self.clock())
        from_coordinator = _same(sender, self.coordinator)
        if isinstance(message, msg.Heartbeat):
            return
        if isinstance(message, msg.Evict):
            self.on_evict(sender, message)
        elif isinstance(message, msg.FenceRequest):
            if message.executor == self.node and from_coordinator:
                self.run_fence_request(message)
        elif isinstance(message, msg.FenceResult):
            if self.coordinating:
                self.on_fence_result(delivered.nodeid, message)
        elif isinstance(message, msg.FenceNotice):
            self.on_fence_notice(message)
        elif isinstance(message, msg.FenceStarted):
            started = self._node_by_name(message.target)
            if started is not None and from_coordinator and not self.coordinating:
                self.expectations = self.expectations.fencing_started(started.nodeid)
        elif isinstance(message, msg.Exec):
            if message.to == self.node and from_coordinator:
                self.run_request(message)
        elif isinstance(message, msg.Result):
            if self.coordinating:
                self.on_remote_result(delivered.nodeid, message)
        elif isinstance(message, msg.Done):
            if self.coordinating:
                self.on_done(delivered.nodeid, message)
        elif isinstance(message, msg.JoinRequest):
            if from_coordinator:
                self.answer_join(message)
        elif isinstance(message, msg.JoinReply):
            if self.coordinating:
                self.on_join_reply(delivered.nodeid, message)
        elif isinstance(message, msg.StatusUpdate):
            if from_coordinator and not self.coordinating:
                self.on_status(message)
        elif isinstance(message, msg.ShutdownRequest):
            if self.coordinating:
                self.on_shutdown_request(message.node)
        elif isinstance(message, msg.ShutdownGranted):
            granted = self._node_by_name(message.node)
            if granted is not None and from_coordinator:
                self.expectations = self.expectations.let_go(granted.nodeid)
            if message.node == self.node and from_coordinator:
                log.info("the coordinator lets this node leave")
                self.stopping = True
        elif isinstance(message, msg.AdminRequest):
            if self.coordinating:
                self.on_admin_request(message)
        elif isinstance(message, msg.AdminAnswer):
            self.on_admin_answer(message)

    def fencing_alert(self, message) -> None:
        """Alerts come with the fencing's notice, on every member."""

    def on_fence_notice(self, notice: msg.FenceNotice) -> None:
        from pengine.transitions.execute.alerts import fencing_event
        self.alert(fencing_event(notice.target, notice.action, notice.ok,
                                 notice.device or notice.executor, notice.executor,
                                 0 if notice.ok else 1, notice.description))
        target = self._node_by_name(notice.target)
        if notice.ok and notice.action in ("off", "reboot") and target is not None \
                and not self.coordinating:
            self.expectations = self.expectations.fenced(target.nodeid)

    def on_status(self, update: msg.StatusUpdate) -> None:
        try:
            cib = ms.cib_from_xml(update.cib)
        except Exception as error:  # noqa: BLE001 - keep the previous copy
            log.error("status update unreadable: %s", error)
            return
        self.cluster_formed = True
        self.status_version = tuple(update.version)
        self.adopt_configuration(cib)
        self.cib = evolve(self.cib, status=cib.status, attributes=cib.attributes)
        Controller.save(self)

    def answer_join(self, request: msg.JoinRequest) -> None:
        state = ms.node_state(self.local, self.node)
        status = ms.cib_xml(self.cib) if self.status_version != (0, 0) else None
        self.send(msg.JoinReply(request.round, self.node, self.fresh, ms.state_xml(state),
                                self.status_version, status, self.config_version,
                                ms.cib_xml(m.Cib(configuration=self.cib.configuration,
                                                 attributes=self.cib.attributes))))
        self.fresh = False

    def on_shutdown_request(self, node: str) -> None:
        target = self._node_by_name(node)
        if target is None:
            return
        log.info("%s asks to leave: moving its resources away", node)
        self.cib = ms.set_transient(self.cib, target, "shutdown", str(int(self.clock())))
        self.save()
        self._abort(INFINITY, "Shutdown request")

    def on_stop(self, signum: int) -> None:
        """The first signal asks the coordinator for a clean shutdown (the
        resources move away first); a second one stops at once."""
        if self.shutdown_requested or self.link is None:
            super().on_stop(signum)
            return
        self.shutdown_requested = True
        log.info("signal %d: asking the coordinator to let this node leave", signum)
        self.send(msg.ShutdownRequest(self.node))

    # ------------------------------------------------ this node's executor --

    def run_request(self, request: msg.Exec) -> None:
        agent_request = request.request
        rsc = agent_request.rsc_id
        if request.op == "cancel":
            self.executor.cancel(rsc, agent_request.action, agent_request.interval_ms)
            self.local = delete_op_history(
                self.local, self.node, rsc,
                f"{rsc}_{agent_request.action}_{agent_request.interval_ms}")
            self.send(msg.Done(self.node, request.action_id, request.key))
            return
        if request.op == "delete":
            self.executor.cancel_recurring(rsc)
            self.local = delete_resource_history(self.local, self.node, rsc)
            self.send(msg.Done(self.node, request.action_id, request.key))
            return
        if agent_request.action not in KEEP_RECURRING and agent_request.interval_ms == 0:
            self.executor.cancel_recurring(rsc)
        if records_pending(agent_request):
            parsed = parse_transition_key(request.key)
            self.local = record_result(self.local, pending_record(
                agent_request, self.node, self.node_id, request.key,
                parsed.target_rc if parsed is not None else 0, request.digest),
                int(self.clock()))
        operation = self.executor.submit(agent_request, request.key, request.start_delay_ms)
        self.digests[operation.call_id] = request.digest
        log.info("running %s on %s (call %d)", agent_request.describe(), self.node,
                 operation.call_id)

    def on_result(self, event: ExecutorEvent) -> None:
        """A result of this node's executor: into its own history, and to the
        coordinator."""
        operation = event.operation
        request = operation.request
        digest = self.digests.get(operation.call_id)
        extra = self.agents.history_digests(request)
        if request.action not in UNRECORDED:
            self.local = record_result(
                self.local, result_record(event, self.node, self.node_id, digest, extra),
                int(self.clock()))
        result = event.result
        self.note_active(request, result)
        self.resource_alert(event, self.node)
        self.send(msg.Result(self.node, operation.call_id, request, operation.user_data,
                             result.rc, result.status, result.exit_reason, result.exec_ms,
                             event.queue_ms, event.started_at, event.finished_at,
                             event.rc_changed_at, digest, extra))

    def note_active(self, request: AgentRequest, result: AgentResult) -> None:
        """What the watchdog must stop if it fires."""
        if self.watchdog is None:
            return
        from pengine.transitions.execute import watchdog as wd
        active = wd.track_active(self.active_here, request, result.rc, result.status)
        if active != self.active_here:
            self.active_here = active
            try:
                wd.write_active(self.active_path, active, self.agents.settings)
            except OSError as error:
                log.error("cannot tell the watchdog what runs here: %s", error)

    def on_remote_result(self, nodeid: int, result: msg.Result) -> None:
        node = self.nodes.get(nodeid)
        if node is None or node.name != result.node:
            return
        event = ExecutorEvent(
            Operation(result.call_id, result.request, result.key),
            AgentResult(result.rc, result.status, result.exit_reason, "", result.exec_ms),
            result.started_at, result.finished_at, result.queue_ms, result.rc_changed_at)
        action_id = _action_of(result.key, self.uuid, self.transition_id)
        if action_id is not None:
            self.remote.pop(action_id, None)
        self.record_event(event, node.name, node.node_id, result.digest, result.extra)

    def on_done(self, nodeid: int, done: msg.Done) -> None:
        node = self.nodes.get(nodeid)
        if node is None:
            return
        action_id = _action_of(done.key, self.uuid, self.transition_id)
        if action_id is None or action_id != done.action_id:
            return
        self.remote.pop(action_id, None)
        spec = self.specs.get(action_id)
        if spec is not None and self.transition is not None:
            action = spec.action
            rsc = spec.rsc_id or action.rsc_id
            if action.task == "cancel":
                task = spec.meta("operation") or action.get("operation") or "monitor"
                self.cib = delete_op_history(self.cib, node.name, rsc,
                                             f"{rsc}_{task}_{spec.interval_ms}")
            elif action.task == "delete":
                self.cib = delete_resource_history(self.cib, node.name, rsc)
            self.save()
            self._confirm(action_id)

    # ----------------------------------------------------------- helpers --

    def _name(self, nodeid: int) -> str:
        node = self.nodes.get(nodeid)
        return node.name if node is not None else f"node {nodeid}"

    def _node_by_name(self, name: str) -> ms.ClusterNode | None:
        return next((n for n in self.nodes.values() if n.name == name), None)


@frozen
class PeerFenced:
    """A fencing this node ran for the coordinator came to an end."""

    request: msg.FenceRequest
    result: AgentResult
    device: str | None


def _key(process: Process) -> tuple[int, int]:
    return (process.nodeid, process.pid)


def _same(a: Process | None, b: Process | None) -> bool:
    return a is not None and b is not None and (a.nodeid, a.pid) == (b.nodeid, b.pid)


def _action_of(key: str, uuid: str, transition_id: int) -> int | None:
    """The action id a transition key names, if it is one of ours and of the
    running transition."""
    parsed = parse_transition_key(key)
    if parsed is None or parsed.uuid != uuid or parsed.transition_id != transition_id:
        return None
    return parsed.action_id


def _cluster_option(cib: m.Cib, name: str) -> str | None:
    for attr_set in cib.configuration.crm_config:
        value = attr_set.get(name)
        if value is not None:
            return value
    return None


def _cluster_delay(cib: m.Cib) -> float:
    from pengine.common.dates import parse_interval_ms
    text = _cluster_option(cib, "cluster-delay")
    value = parse_interval_ms(text) if text else None
    return value / 1000 if value is not None else DEFAULT_CLUSTER_DELAY_S


def _node_id(cib: m.Cib, name: str) -> str:
    from pengine.transitions.execute.controller import _node_id as find
    return find(cib, name)
