"""The run loop of ``pengine run``: schedule, execute, record, re-plan.

One node, one owner thread.  The loop keeps the CIB (configuration and
status) in memory and in the state directory, asks the scheduler for a
transition whenever something changed, carries it out with the graph runner
and the executor, and records every result as Pacemaker's controller does.
Everything that happens elsewhere (agents finishing, fencing, a signal)
arrives as a message on one queue, so the state has a single writer.

Following Pacemaker's controller, a new transition is computed when the
running one was aborted (a failed action, a result from outside it such as
a recurring monitor that changed its mind, a transient attribute change
such as a fail count) once its running actions have finished; when the
recheck timer pops (``cluster-recheck-interval``, or earlier when a failure
expires); and when the configuration file changes.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from typing import Callable

from attrs import evolve, frozen

from pengine.cib import model as m
from pengine.transitions.execute import graph_runner as gr
from pengine.transitions.execute.action_specs import ActionSpec, action_specs, fence_devices
from pengine.transitions.execute.agents import AgentRequest, Agents
from pengine.transitions.execute.codes import (EXEC_DONE, EXEC_NOT_CONNECTED, EXEC_PENDING, OCF_OK,
                                               OCF_UNKNOWN, OCF_UNKNOWN_ERROR, AgentResult, normalize)
from pengine.transitions.execute.events import (INFINITY, Decision, GraphView, ResultEvent,
                                                TransitionKey, decide, parse_transition_key)
from pengine.transitions.execute.executor import Executed, Executor, ExecutorEvent
from pengine.transitions.execute.recording import (ResultRecord, clear_failures, delete_op_history,
                                                   delete_resource_history, node_fenced, node_joined,
                                                   record_failure, record_result, set_cib_attributes)
from pengine.transitions.execute.state_dir import StateDir

log = logging.getLogger("pengine.run")

# Actions whose results the controller records (controld_action_is_recordable)
UNRECORDED = ("cancel", "delete", "notify", "meta-data")
# Actions before which a resource's recurring operations stop (should_cancel_recurring)
KEEP_RECURRING = ("monitor", "notify")
DEFAULT_RECHECK_S = 15 * 60
CONFIG_POLL_S = 1.0
RETRY_SCHEDULE_S = 60


@frozen
class Fenced:
    """A worker's message: fencing ``target`` came to ``result``."""

    action_id: int
    transition_id: int
    target: str
    fence_action: str
    result: AgentResult
    device: str | None


@frozen
class StopRequest:
    signal: int


class Controller:
    def __init__(self, config_path: str, node: str, state: StateDir, agents: Agents,
                 clock: Callable[[], float] = time.time, watch_config: bool = True):
        self.config_path = config_path
        self.node = node
        self.state = state
        self.agents = agents
        self.clock = clock
        self.watch_config = watch_config
        self.messages: queue.SimpleQueue = queue.SimpleQueue()
        self.executor = Executor(agents, self.messages.put, clock)
        self.uuid = str(uuid.uuid4())
        self.cib: m.Cib | None = None
        self.node_id: str | None = None
        self.config_mtime: float | None = None
        self.transition = None
        self.progress = gr.GraphProgress()
        self.specs: dict[int, ActionSpec] = {}
        self.limits = gr.Limits()
        self.transition_id = 0
        self.graph_attributes: dict[str, str] = {}
        self.need_schedule = True
        self.recheck_at: float | None = None
        self.fencing_in_flight = 0
        self.fence_failures: dict[str, int] = {}
        self.stopping = False
        self.stop_now = False
        self.digests: dict[int, str | None] = {}      # call id -> op-digest
        self.transitions_run = 0
        self.alert_runner = None                       # transitions.execute.alerts

    # ------------------------------------------------------------ set-up --

    def start(self) -> None:
        """Load the configuration and the saved status; join as ``node``."""
        config = self._read_config()
        saved = self.state.load()
        status = saved.status if saved is not None else config.status
        self.node_id = _node_id(config, self.node)
        cib = evolve(config, status=status)
        now = int(self.clock())
        # The executor is new: what it knew of the resources is gone, so the
        # node's history is cleared and probes will find what is running.
        cib = node_joined(cib, self.node, self.node_id, now)
        self.cib = self._cluster_attributes(cib)
        self.save()
        log.info("%s joined as node %s (id %s); state in %s", self.node, self.node,
                 self.node_id, self.state.cib_path)

    def _cluster_attributes(self, cib: m.Cib) -> m.Cib:
        """A single node is the whole partition: quorate, and the DC."""
        return set_cib_attributes(cib, have_quorum="1", dc_uuid=self.node_id or self.node)

    def _read_config(self) -> m.Cib:
        from pengine.cib.load import load_cib
        self.config_mtime = _mtime(self.config_path)
        return load_cib([self.config_path])

    def save(self) -> None:
        self.state.save(self.cib)

    # --------------------------------------------------------- main loop --

    def run(self) -> int:
        if self.cib is None:
            self.start()
        while True:
            now = self.clock()
            if self.stopping:
                if self.stop_now or (not self.executor.busy() and not self.fencing_in_flight):
                    break
            else:
                self._check_config(now)
                self._check_recheck(now)
                if self.transition is None and self.need_schedule:
                    self.start_transition()
                if self.transition is not None:
                    self.advance()
                self.executor.tick(self.clock())
            message = self._next_message(self._wait(self.clock()))
            if message is not None:
                self.handle(message)
        self.save()
        log.info("stopped; status saved in %s", self.state.cib_path)
        return 0

    def request_stop(self, signum: int) -> None:
        """Safe from a signal handler (SimpleQueue.put is reentrant)."""
        self.messages.put(StopRequest(signum))

    def _next_message(self, timeout: float | None):
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            return None

    def _wait(self, now: float) -> float | None:
        deadlines = []
        if not self.stopping:
            due = self.executor.next_due()
            if due is not None:
                deadlines.append(due)
            if self.recheck_at is not None:
                deadlines.append(self.recheck_at)
            if self.watch_config:
                deadlines.append(now + CONFIG_POLL_S)
        extra = self.idle(now)
        if extra is not None:
            deadlines.append(extra)
        if not deadlines:
            return None             # nothing to do until a message comes
        return max(min(deadlines) - now, 0.0)

    def idle(self, now: float) -> float | None:
        """Called before the loop waits for a message: a subclass's chance to
        do its periodic work; the time it wants to be called again, if any."""
        return None

    def handle(self, message) -> None:
        if isinstance(message, Executed):
            event = self.executor.completed(message)
            if event is not None:
                self.on_result(event)
        elif isinstance(message, Fenced):
            self.on_fenced(message)
        elif isinstance(message, StopRequest):
            self.on_stop(message.signal)

    def on_stop(self, signum: int) -> None:
        if self.stopping:
            log.warning("signal %d again: stopping without waiting for the running actions",
                        signum)
            self.stop_now = True
            return
        self.stopping = True
        log.info("signal %d: finishing the running actions, then stopping", signum)
        if self.transition is not None:
            self.progress = gr.abort(self.progress, INFINITY, "Shutdown", restart=False)

    # -------------------------------------------------------- re-planning --

    def _check_config(self, now: float) -> None:
        if not self.watch_config:
            return
        mtime = _mtime(self.config_path)
        if mtime == self.config_mtime:
            return
        try:
            config = self._read_config()
        except Exception as error:  # noqa: BLE001 - a bad edit must not stop the cluster
            render = getattr(error, "render", None)
            log.error("configuration %s not loaded: %s", self.config_path,
                      render() if render else error)
            return
        self.configuration_file_changed(config)

    def configuration_file_changed(self, config) -> None:
        """The configuration file was edited (and reads): alone, this node
        takes it at once (a cluster member asks its coordinator instead)."""
        self.cib = self._cluster_attributes(evolve(self.cib,
                                                   configuration=config.configuration))
        self.save()
        self._abort(INFINITY, "Configuration change")

    def _check_recheck(self, now: float) -> None:
        if self.recheck_at is not None and now >= self.recheck_at:
            self.recheck_at = None
            log.info("recheck timer: scheduling again")
            self.need_schedule = True

    def _abort(self, priority: int, reason: str) -> None:
        """abort_transition: stop the running transition above ``priority``
        and compute a new one when it is over (at once if none is running)."""
        if self.transition is not None:
            self.progress = gr.abort(self.progress, priority, reason)
            log.info("transition %d aborted: %s", self.transition_id, reason)
        else:
            self.need_schedule = True

    def start_transition(self) -> None:
        self.need_schedule = False
        now = self.clock()
        try:
            sch, transition, specs, summary = plan(self.cib, now)
        except Exception as error:  # noqa: BLE001 - keep running what runs; try again later
            log.error("the scheduler failed (%s: %s); trying again in %ds or when the "
                      "configuration changes", type(error).__name__, error, RETRY_SCHEDULE_S)
            self.recheck_at = now + RETRY_SCHEDULE_S
            return
        self.transition_id += 1
        self.transitions_run += 1
        self.graph_attributes = dict(transition.attributes)
        self._set_recheck(sch, now)
        self.agents.fence.configure(fence_devices(sch, self.node))
        self.scheduled(sch)
        if not transition.synapses:
            log.info("transition %d: nothing to do", self.transition_id)
            return
        given_up = too_many_fencing_failures(
            self.fence_failures, _int(sch.options.get("stonith-max-attempts"), 10) or 10)
        if given_up:
            # do_te_invoke: the new transition is not carried out
            log.error("too many failures to fence %s: giving up (transition %d not "
                      "carried out)", ", ".join(given_up), self.transition_id)
            return
        for line in summary:
            log.info("transition %d plan: %s", self.transition_id, line.strip().lstrip("* "))
        self.transition = transition
        self.specs = specs
        self.progress = gr.GraphProgress()
        self.limits = gr.Limits(_int(self.graph_attributes.get("batch-limit")),
                                node_action_limit(sch.options.get("node-action-limit")))
        log.info("transition %d: %d actions", self.transition_id, len(transition.synapses))

    def _set_recheck(self, sch, now: float) -> None:
        """controld_shorten_recheck_timer: the recheck interval, or sooner
        when the scheduler says something (a failure) expires sooner."""
        from pengine.common.dates import parse_interval_ms
        text = sch.options.get("cluster-recheck-interval")
        interval = parse_interval_ms(text) / 1000 if text else DEFAULT_RECHECK_S
        deadline = now + interval if interval > 0 else None
        if sch.recheck_by and sch.recheck_by > 0:
            deadline = min(deadline, sch.recheck_by) if deadline else sch.recheck_by
        self.recheck_at = deadline

    def advance(self) -> None:
        """Fire what may fire; notice when the transition is over."""
        self.progress, started = gr.step(self.transition, self.progress, self.limits)
        for action in started:
            self.initiate(action)
        verdict = gr.outcome(self.transition, self.progress, self.limits)
        if verdict == gr.ACTIVE:
            return
        done = sum(1 for s in self.transition.synapses if s.action.id in self.progress.confirmed)
        log.info("transition %d (complete=%d, failed=%d, skipped=%d): %s", self.transition_id,
                 done, len(self.progress.failed), len(self.transition.synapses) - done,
                 verdict.capitalize())
        if self.progress.restart and not self.stopping:
            self.need_schedule = True
        self.transition = None

    # ---------------------------------------------------------- actions --

    def _key(self, spec: ActionSpec) -> str:
        return TransitionKey(spec.action.id, self.transition_id, spec.target_rc,
                             self.uuid).text()

    def initiate(self, action) -> None:
        spec = self.specs.get(action.id)
        if action.node is not None and action.node != self.node and action.task != "stonith":
            log.error("action %d (%s) is for node %s, which this executor does not run",
                      action.id, action.uuid, action.node)
            self._confirm(action.id, failed=True)
            self._abort(INFINITY, "Action for another node")
            return
        if action.kind == "crm_event":
            self.initiate_cluster_action(action, spec)
        else:
            self.initiate_resource_action(action, spec)

    def initiate_resource_action(self, action, spec: ActionSpec) -> None:
        task = action.task
        rsc = spec.rsc_id or action.rsc_id
        if task == "cancel":
            cancelled_task = spec.meta("operation") or action.get("operation") or "monitor"
            interval = spec.interval_ms
            self.executor.cancel(rsc, cancelled_task, interval)
            self.cib = delete_op_history(self.cib, self.node, rsc,
                                         f"{rsc}_{cancelled_task}_{interval}")
            self.save()
            log.info("cancelled %s_%s_%d", rsc, cancelled_task, interval)
            self._confirm(action.id)
            return
        if task == "delete":
            self.cib = delete_resource_history(self.cib, self.node, rsc)
            self.save()
            self._confirm(action.id)
            return
        if task not in KEEP_RECURRING and spec.interval_ms == 0:
            for key in self.executor.cancel_recurring(rsc):
                log.debug("stopped recurring %s before %s", key, task)
        request = AgentRequest(
            rsc_id=rsc, standard=spec.rsc_class or "", agent=spec.rsc_type or "",
            provider=spec.rsc_provider, action=task, interval_ms=spec.interval_ms,
            params=spec.attributes, timeout_ms=spec.timeout_ms)
        if records_pending(request):
            self._record_pending(request, spec)
        start_delay = _int(spec.meta("start_delay"))
        operation = self.executor.submit(request, self._key(spec), start_delay)
        self.digests[operation.call_id] = action.digest
        log.info("initiating %s on %s (action %d, call %d)", action.uuid, self.node, action.id,
                 operation.call_id)
        if (spec.meta("op_no_wait") or "").lower() == "true":
            self._confirm(action.id)

    def _record_pending(self, request: AgentRequest, spec: ActionSpec,
                        node: str | None = None, node_id: str | None = None) -> None:
        """controld_record_pending_op: the action is in flight (record-pending,
        true by default), so the status shows it starting, stopping..."""
        self.cib = record_result(self.cib, pending_record(
            request, node or self.node, node_id or self.node_id, self._key(spec),
            spec.target_rc, spec.action.digest), int(self.clock()))
        self.save()

    def initiate_cluster_action(self, action, spec: ActionSpec) -> None:
        task = action.task
        if task == "stonith":
            self.initiate_fencing(action, spec)
            return
        if task == "clear_failcount":
            rsc = spec.rsc_id or action.rsc_config_id
            op = spec.meta("clear_failure_op")
            interval = _int(spec.meta("clear_failure_interval"), 0) if op else None
            before = self.cib
            node = action.node or self.node
            self.cib = clear_failures(self.cib, node, rsc, op, interval)
            self.save()
            log.info("cleared the failures of %s on %s", rsc, node)
            self._confirm(action.id)
            if self.cib != before:
                self._abort(INFINITY, "Transient attribute change")
            return
        if task == "lrm_delete":
            rsc = spec.rsc_id or action.rsc_config_id
            self.cib = delete_resource_history(self.cib, action.node or self.node, rsc)
            self.save()
            self._confirm(action.id)
            self._abort(INFINITY, "Resource state removal")
            return
        log.info("cluster action %s on %s: nothing to do on a single node", task, action.node)
        self._confirm(action.id)

    def scheduled(self, sch) -> None:
        """A subclass's chance to look at a new schedule (its fence devices)."""

    def initiate_fencing(self, action, spec: ActionSpec) -> None:
        from pengine.transitions.execute.fencing_topology import topology_of
        target = action.node
        fence_action = action.get("stonith_action") or spec.meta("stonith_action") or "reboot"
        tid = self.transition_id
        levels = topology_of(self.cib, target)
        self.fencing_in_flight += 1
        log.info("fencing %s (%s) (action %d)%s", target, fence_action, action.id,
                 f" by levels {' then '.join('+'.join(level) for level in levels)}"
                 if levels else "")

        def work():
            try:
                result, device = self.agents.fence.fence(target, fence_action, spec.timeout_ms,
                                                         levels)
            except Exception as error:  # noqa: BLE001 - a fencer bug fails this fencing
                result, device = AgentResult(OCF_UNKNOWN_ERROR, EXEC_NOT_CONNECTED,
                                             str(error)), None
            self.messages.put(Fenced(action.id, tid, target, fence_action, result, device))

        threading.Thread(target=work, name=f"fence-{target}", daemon=True).start()

    def alert(self, event) -> None:
        """Run the configuration's alert agents for ``event``."""
        alerts = self.cib.configuration.alerts if self.cib is not None else ()
        if not alerts or event is None:
            return
        if self.alert_runner is None:
            from pengine.transitions.execute.alerts import AlertRunner
            self.alert_runner = AlertRunner(self.agents.settings.environment, self.clock)
        self.alert_runner.send(alerts, event)

    def resource_alert(self, event: ExecutorEvent, node: str) -> None:
        from pengine.transitions.execute.alerts import resource_event
        request, result = event.operation.request, normalize(event.result)
        key = parse_transition_key(event.operation.user_data)
        self.alert(resource_event(node, request.rsc_id, request.action, request.interval_ms,
                                  key.target_rc if key is not None else 0, result.status,
                                  result.rc, result.exec_ms, result.describe()))

    def fencing_alert(self, message: Fenced) -> None:
        from pengine.transitions.execute.alerts import fencing_event
        ok = message.result.status == EXEC_DONE and message.result.rc == OCF_OK
        self.alert(fencing_event(message.target, message.fence_action, ok, self.node,
                                 self.node, message.result.rc, message.result.describe()))

    def on_fenced(self, message: Fenced) -> None:
        self.fencing_in_flight -= 1
        self.fencing_alert(message)
        ok = message.result.status == EXEC_DONE and message.result.rc == OCF_OK
        if ok:
            self.fence_failures.pop(message.target, None)
        else:
            self.fence_failures[message.target] = self.fence_failures.get(message.target, 0) + 1
        if ok:
            log.info("fencing %s (%s) succeeded with %s", message.target, message.fence_action,
                     message.device)
            if message.fence_action in ("off", "reboot") and message.target != self.node:
                self.cib = node_fenced(self.cib, message.target, int(self.clock()))
                self.save()
        else:
            log.error("fencing %s (%s) failed: %s", message.target, message.fence_action,
                      message.result.describe())
        if message.transition_id == self.transition_id and self.transition is not None:
            self._confirm(message.action_id, failed=not ok)
            if not ok:
                self._abort(INFINITY, "Stonith failed")

    def _confirm(self, action_id: int, failed: bool = False) -> None:
        if self.transition is not None:
            self.progress = gr.confirm(self.progress, action_id, failed)

    # ---------------------------------------------------------- results --

    def graph_view(self) -> GraphView:
        if self.transition is None:
            return GraphView(self.transition_id, self.uuid, complete=True,
                             failed_start_offset=self.graph_attributes.get(
                                 "failed-start-offset", "INFINITY"),
                             failed_stop_offset=self.graph_attributes.get(
                                 "failed-stop-offset", "INFINITY"))
        synapses = self.transition.synapses
        return GraphView(
            self.transition_id, self.uuid, complete=False,
            confirmed=self.progress.confirmed,
            known=frozenset(s.action.id for s in synapses),
            priorities=tuple((s.action.id, s.priority) for s in synapses),
            ignore_failures=frozenset(
                a for a, spec in self.specs.items() if (spec.on_fail or "").lower() == "ignore"),
            failed_start_offset=self.graph_attributes.get("failed-start-offset", "INFINITY"),
            failed_stop_offset=self.graph_attributes.get("failed-stop-offset", "INFINITY"))

    def on_result(self, event: ExecutorEvent) -> None:
        """A result of this node's executor."""
        self.resource_alert(event, self.node)
        self.record_event(event, self.node, self.node_id,
                          self.digests.get(event.operation.call_id),
                          self.agents.history_digests(event.operation.request))

    def record_event(self, event: ExecutorEvent, node: str, node_id: str | None,
                     digest: str | None, extra: tuple[tuple[str, str], ...] = ()) -> None:
        """process_lrm_event, then process_graph_event, for a result of
        ``node``'s executor (``extra``: the reload and secure digests that
        node's agent meta-data gives, see ``history_digests``)."""
        operation = event.operation
        request = operation.request
        result = normalize(event.result)
        key = parse_transition_key(operation.user_data)
        target_rc = key.target_rc if key is not None else 0
        log.log(logging.INFO if result.status == EXEC_DONE and result.rc == target_rc
                else logging.WARNING,
                "result of %s on %s: %s (rc=%d, %dms, call %d)", _readable(request), node,
                result.describe(), result.rc, result.exec_ms, operation.call_id)
        now = int(self.clock())
        if request.action not in UNRECORDED:
            self.cib = record_result(
                self.cib, result_record(event, node, node_id, digest, extra), now)
        decision = decide(ResultEvent(operation.user_data, request.action, request.interval_ms,
                                      result.rc, result.status), self.graph_view())
        self.apply(decision, request, now, node, node_id)
        self.save()

    def apply(self, decision: Decision, request: AgentRequest, now: int,
              node: str | None = None, node_id: str | None = None) -> None:
        node, node_id = node or self.node, node_id or self.node_id
        if decision.description:
            log.info("result of %s %s", _readable(request), decision.description)
        if decision.confirm is not None:
            self._confirm(decision.confirm, decision.failed)
        if decision.abort_priority is not None:
            self._abort(decision.abort_priority, decision.abort_reason)
        if decision.failcount is not None:
            self.cib = record_failure(self.cib, node, node_id, request.rsc_id,
                                      request.action, request.interval_ms,
                                      decision.failcount == "infinity", now,
                                      count=decision.count_failure)
            log.info("%s for %s on %s after failed %s", "fail count" if decision.count_failure
                     else "last failure", request.rsc_id, node, _readable(request))
            # the attribute manager's update aborts the transition (te_update_diff)
            self._abort(INFINITY, "Transient attribute change")


def plan(cib: m.Cib, now: float):
    """Schedule ``cib`` at ``now``: (scheduler, transition, action specs,
    transition summary lines)."""
    from pengine.common.dates import from_epoch
    from pengine.schedule.driver import schedule
    from pengine.transitions.graph import create_graph
    from pengine.schedule.summary import transition_summary
    # a live cluster: a change of private parameters counts (unlike in a
    # simulation of a status whose secrets may have been masked)
    sch = schedule(cib, from_epoch(int(now)), sanitized=False)
    transition = create_graph(sch)
    return sch, transition, action_specs(sch, transition), transition_summary(sch)


def too_many_fencing_failures(failures: dict[str, int], max_attempts: int) -> list[str]:
    """too_many_st_failures: the targets fencing has given up on."""
    return sorted(t for t, count in failures.items() if count >= max_attempts)


def records_pending(request: AgentRequest) -> bool:
    """Whether an action is recorded as pending while it runs (record-pending)."""
    return request.action not in UNRECORDED and \
        (request.param("CRM_meta_record_pending") or "true").lower() \
        not in ("false", "no", "off", "0", "n")


def pending_record(request: AgentRequest, node: str, node_id: str | None, key: str,
                   target_rc: int, digest: str | None) -> ResultRecord:
    """The history entry of an action in flight (call id -1, PCMK_OCF_UNKNOWN)."""
    return ResultRecord(
        node=node, node_id=node_id, rsc_id=request.rsc_id,
        rsc_class=request.standard, rsc_type=request.agent, rsc_provider=request.provider,
        task=request.action, interval_ms=request.interval_ms, rc=OCF_UNKNOWN,
        op_status=EXEC_PENDING, target_rc=target_rc, call_id=-1,
        transition_key=key, digest=digest)


def result_record(event: ExecutorEvent, node: str, node_id: str | None,
                  digest: str | None, extra: tuple[tuple[str, str], ...] = ()
                  ) -> ResultRecord:
    """What the history entry of an executor's result says."""
    operation = event.operation
    request = operation.request
    result = normalize(event.result)
    key = parse_transition_key(operation.user_data)
    return ResultRecord(
        node=node, node_id=node_id, rsc_id=request.rsc_id,
        rsc_class=request.standard, rsc_type=request.agent,
        rsc_provider=request.provider, task=request.action,
        interval_ms=request.interval_ms, rc=result.rc, op_status=result.status,
        target_rc=key.target_rc if key is not None else 0, call_id=operation.call_id,
        transition_key=operation.user_data, exit_reason=result.exit_reason,
        exec_ms=result.exec_ms, queue_ms=event.queue_ms,
        rc_change=int(event.rc_changed_at),
        digest=digest,
        migrate_source=request.param("CRM_meta_migrate_source"),
        migrate_target=request.param("CRM_meta_migrate_target"), extra=extra)


def node_action_limit(text: str | None) -> int:
    """throttle_update_job_max: node-action-limit, else twice the cores."""
    value = _int(text, 0)
    if value > 0:
        return value
    return 2 * (os.cpu_count() or 1)


def _node_id(cib: m.Cib, name: str) -> str:
    from pengine.cib.errors import UsageError
    for node in cib.configuration.nodes:
        if node.uname == name:
            return node.id
    names = ", ".join(node.uname for node in cib.configuration.nodes) or "none"
    raise UsageError(f"node '{name}' is not a node of the configuration (nodes: {names})")


def _mtime(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _readable(request: AgentRequest) -> str:
    if request.interval_ms:
        return f"{request.rsc_id} {request.action} every {request.interval_ms / 1000:g}s"
    if request.action == "monitor":
        return f"{request.rsc_id} probe"
    return f"{request.rsc_id} {request.action}"
