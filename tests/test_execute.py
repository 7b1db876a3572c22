"""Unit tests of the executor's parts: graph runner, result decisions, status
recording, agent backends (with fake agents), metadata and the executor."""

from __future__ import annotations

import queue
import shutil
import time
from pathlib import Path

import pytest

from pengine.cib import model as m
from tests.execute_helpers import (FENCE_AGENT, LSB_SCRIPT, SYSTEMCTL, fake_ocf_root, history,
                                   write_script)
from pengine.transitions.execute import graph_runner as gr
from pengine.transitions.execute.agents import AgentRequest, Agents, AgentSettings
from pengine.transitions.execute.codes import (EXEC_CANCELLED, EXEC_DONE, EXEC_ERROR,
                                               EXEC_NO_FENCE_DEVICE, EXEC_NOT_INSTALLED, EXEC_TIMEOUT,
                                               OCF_NOT_INSTALLED, OCF_NOT_RUNNING, OCF_OK,
                                               OCF_UNKNOWN_ERROR, AgentResult, did_fail, normalize)
from pengine.transitions.execute.events import (INFINITY, GraphView, ResultEvent, TransitionKey,
                                                decide, parse_transition_key)
from pengine.transitions.graph import GraphAction, Synapse, Transition

UUID = "11111111-2222-3333-4444-555555555555"


# ---------------------------------------------------------------- graph runner --

def _action(action_id, task="start", kind="rsc_op", node="n1", meta=()):
    return GraphAction(id=action_id, uuid=f"r{action_id}_{task}_0", task=task, kind=kind,
                       node=node, rsc_id=f"r{action_id}", meta=meta)


def _graph(*synapses) -> Transition:
    return Transition([Synapse(i, action, inputs, priority)
                       for i, (action, inputs, priority) in enumerate(synapses)])


def test_actions_wait_for_their_inputs():
    graph = _graph((_action(1), (), 0), (_action(2), (1,), 0), (_action(3), (2,), 0))
    progress, started = gr.step(graph, gr.GraphProgress())
    assert [a.id for a in started] == [1]
    progress, started = gr.step(graph, progress)
    assert started == []                       # 1 is running, not confirmed
    progress = gr.confirm(progress, 1)
    progress, started = gr.step(graph, progress)
    assert [a.id for a in started] == [2]
    assert gr.outcome(graph, progress) == gr.ACTIVE


def test_pseudo_actions_complete_at_once_and_release_their_dependents():
    graph = _graph((_action(1, "running", "pseudo_event", None), (), 0),
                   (_action(2), (1,), 0), (_action(3), (2,), 0))
    progress, started = gr.step(graph, gr.GraphProgress())
    assert [a.id for a in started] == [2]
    assert 1 in progress.confirmed


def test_batch_limit_caps_pending_actions():
    graph = _graph(*[(_action(i), (), 0) for i in range(1, 6)])
    progress, started = gr.step(graph, gr.GraphProgress(), gr.Limits(batch_limit=2))
    assert len(started) == 2
    progress, started = gr.step(graph, progress, gr.Limits(batch_limit=2))
    assert started == []
    progress = gr.confirm(progress, 1)
    progress, started = gr.step(graph, progress, gr.Limits(batch_limit=2))
    assert len(started) == 1


def test_node_limit_caps_resource_actions_per_node():
    graph = _graph((_action(1, node="n1"), (), 0), (_action(2, node="n1"), (), 0),
                   (_action(3, node="n2"), (), 0),
                   (_action(4, "notify", node="n1"), (), 0))
    _progress, started = gr.step(graph, gr.GraphProgress(), gr.Limits(node_limit=1))
    assert sorted(a.id for a in started) == [1, 3, 4]   # notifications are not limited


def test_a_failed_input_blocks_its_dependents():
    graph = _graph((_action(1), (), 0), (_action(2), (1,), 0))
    progress, _ = gr.step(graph, gr.GraphProgress())
    progress = gr.confirm(progress, 1, failed=True)
    progress, started = gr.step(graph, progress)
    assert started == []
    assert gr.outcome(graph, progress) == gr.TERMINATED


def test_can_fail_inputs_do_not_block():
    graph = _graph((_action(1, meta=(("can_fail", "true"),)), (), 0), (_action(2), (1,), 0))
    progress, _ = gr.step(graph, gr.GraphProgress())
    progress = gr.confirm(progress, 1, failed=True)
    _progress, started = gr.step(graph, progress)
    assert [a.id for a in started] == [2]


def test_abort_stops_lower_priorities_but_running_actions_finish():
    graph = _graph((_action(1), (), 0), (_action(2), (), 5), (_action(3), (1,), 0),
                   (_action(4), (1,), 5),
                   (_action(5, "stopped", "pseudo_event", None), (1,), 0))
    progress, started = gr.step(graph, gr.GraphProgress(), gr.Limits(batch_limit=1))
    assert [a.id for a in started] == [1]
    progress = gr.abort(progress, 1, "Event failed")
    progress = gr.confirm(progress, 1)
    progress, started = gr.step(graph, progress)
    assert sorted(a.id for a in started) == [2, 4]       # priority 5 >= abort priority 1
    assert 5 in progress.confirmed                       # pseudo-actions still complete
    progress = gr.confirm(gr.confirm(progress, 2), 4)
    assert gr.outcome(graph, progress) == gr.STOPPED
    assert progress.restart


def test_a_graph_completes():
    graph = _graph((_action(1), (), 0))
    progress, _ = gr.step(graph, gr.GraphProgress())
    assert gr.outcome(graph, progress) == gr.ACTIVE
    progress = gr.confirm(progress, 1)
    assert gr.outcome(graph, progress) == gr.COMPLETE
    assert not progress.restart


# ------------------------------------------------------------------- decisions --

def _view(**kw) -> GraphView:
    base = dict(transition_id=3, uuid=UUID, complete=False, known=frozenset({7, 8}),
                priorities=((7, 0), (8, 4)))
    base.update(kw)
    return GraphView(**base)


def _event(action=7, transition=3, target=0, rc=0, task="start", interval=0, status=EXEC_DONE,
           uuid=UUID):
    return ResultEvent(TransitionKey(action, transition, target, uuid).text(), task, interval,
                       rc, status)


def test_transition_keys_round_trip():
    key = TransitionKey(12, 3, 7, UUID)
    assert parse_transition_key(key.text()) == key
    assert parse_transition_key("nonsense") is None


def test_an_expected_result_confirms_its_action():
    decision = decide(_event(rc=0), _view())
    assert (decision.confirm, decision.failed, decision.abort_priority) == (7, False, None)
    assert decision.failcount is None


def test_a_failed_start_fails_the_action_aborts_above_its_priority_and_counts_infinity():
    decision = decide(_event(action=8, rc=1), _view())
    assert decision.confirm == 8 and decision.failed
    assert decision.abort_priority == 5
    assert decision.failcount == "infinity"
    decision = decide(_event(action=8, rc=1), _view(failed_start_offset="1"))
    assert decision.failcount == "increment"


def test_a_failed_probe_in_the_transition_has_no_fail_count():
    decision = decide(_event(task="monitor", target=7, rc=1), _view())
    assert decision.failed and decision.failcount is None


def test_a_timed_out_stop_counts_infinity():
    decision = decide(_event(task="stop", rc=OCF_UNKNOWN_ERROR, status=EXEC_TIMEOUT), _view())
    assert decision.failed and decision.failcount == "infinity"


def test_on_fail_ignore_confirms_and_records_only_the_last_failure():
    decision = decide(_event(rc=1), _view(ignore_failures=frozenset({7})))
    assert decision.confirm == 7 and not decision.failed and decision.abort_priority is None
    assert decision.failcount == "infinity" and not decision.count_failure


def test_a_recurring_result_after_its_transition_aborts_and_counts():
    decision = decide(_event(transition=2, task="monitor", interval=10000, rc=7),
                      _view(complete=True))
    assert decision.confirm is None
    assert decision.abort_priority == INFINITY
    assert decision.failcount == "increment"
    # ... but a recurring result that is fine again only aborts
    decision = decide(_event(transition=2, task="monitor", interval=10000, rc=0),
                      _view(complete=True))
    assert decision.abort_priority == INFINITY and decision.failcount is None


def test_cancelled_and_already_confirmed_results_change_nothing():
    for decision in (decide(_event(transition=2, task="monitor", interval=10000, rc=0,
                                   status=EXEC_CANCELLED), _view()),
                     decide(_event(), _view(confirmed=frozenset({7})))):
        assert (decision.confirm, decision.abort_priority, decision.failcount) == (
            None, None, None)


def test_foreign_and_outside_results_abort():
    assert decide(_event(uuid="other"), _view()).abort_priority == INFINITY
    outside = decide(_event(transition=-1, task="monitor", rc=1), _view())
    assert outside.abort_priority == INFINITY and outside.failcount == "increment"


def test_execution_statuses_decide_failure():
    assert did_fail(AgentResult(0, EXEC_TIMEOUT), 0)
    assert not did_fail(AgentResult(7), 7)
    assert did_fail(AgentResult(0), 7)
    assert not did_fail(AgentResult(0, EXEC_CANCELLED), 7)
    assert normalize(AgentResult(OCF_NOT_RUNNING, EXEC_ERROR)).status == EXEC_DONE
    assert normalize(AgentResult(OCF_UNKNOWN_ERROR, EXEC_ERROR)).status == EXEC_ERROR


# ------------------------------------------------------------------- recording --

def _cib() -> m.Cib:
    node = m.NodeState(id="1", attributes=[("uname", "n1"), ("in_ccm", "true"),
                                           ("crmd", "online"), ("join", "member"),
                                           ("expected", "member")])
    return m.Cib(configuration=m.Configuration(nodes=[m.Node("1", "n1")]),
                 status=m.Status(node_states=[node]))


def _record(**kw):
    from pengine.transitions.execute.recording import ResultRecord
    base = dict(node="n1", node_id="1", rsc_id="web", rsc_class="ocf", rsc_type="Dummy",
                rsc_provider="test", task="start", interval_ms=0, rc=0, op_status=0,
                target_rc=0, call_id=4, transition_key=TransitionKey(3, 2, 0, UUID).text(),
                exec_ms=12, queue_ms=1, digest="abc")
    base.update(kw)
    return ResultRecord(**base)


def test_results_are_recorded_as_pacemaker_records_them():
    from pengine.transitions.execute.recording import record_result
    cib = record_result(_cib(), _record(), 1000)
    ops = history(cib, "web")
    assert list(ops) == ["web_last_0"]
    op = ops["web_last_0"]
    assert op.get("operation_key") == "web_start_0" and op.get("call-id") == "4"
    assert op.get("transition-magic") == f"0:0;3:2:0:{UUID}"
    assert op.get("op-digest") == "abc" and op.get("exec-time") == "12"
    assert op.get("crm-debug-origin") == "controld_update_resource_history"
    cib = record_result(cib, _record(task="monitor", interval_ms=10000, call_id=5,
                                     rc_change=990), 1000)
    assert history(cib, "web")["web_monitor_10000"].get("last-rc-change") == "990"
    cib = record_result(cib, _record(task="monitor", interval_ms=10000, call_id=5, rc=7,
                                     exit_reason="gone", rc_change=1001), 1002)
    failure = history(cib, "web")["web_last_failure_0"]
    assert (failure.get("rc-code"), failure.get("exit-reason")) == ("7", "gone")
    assert "web_monitor_10000" in history(cib, "web")     # the last good result stays


def test_a_timeout_is_recorded_with_its_execution_status():
    from pengine.transitions.execute.recording import record_result
    cib = record_result(_cib(), _record(rc=1, op_status=EXEC_TIMEOUT), 1000)
    ops = history(cib, "web")
    assert set(ops) == {"web_last_0", "web_last_failure_0"}
    assert ops["web_last_failure_0"].get("transition-magic").startswith("2:1;")


def _attributes(cib: m.Cib) -> dict[str, str]:
    return {p.name: p.value for s in cib.status.node_states[0].transient for p in s.nvpairs}


def test_fail_counts_and_clearing_them():
    from pengine.transitions.execute.recording import clear_failures, record_failure, record_result
    cib = record_failure(_cib(), "n1", "1", "web", "monitor", 10000, False, 1000)
    cib = record_failure(cib, "n1", "1", "web", "monitor", 10000, False, 1005)
    cib = record_failure(cib, "n1", "1", "db", "start", 0, True, 1005)
    attrs = _attributes(cib)
    assert attrs["fail-count-web#monitor_10000"] == "2"
    assert attrs["last-failure-web#monitor_10000"] == "1005"
    assert attrs["fail-count-db#start_0"] == "INFINITY"
    cib = record_failure(cib, "n1", "1", "web", "stop", 0, True, 1006, count=False)
    assert "fail-count-web#stop_0" not in _attributes(cib)
    assert _attributes(cib)["last-failure-web#stop_0"] == "1006"
    cib = record_result(cib, _record(rc=1), 1006)
    cib = clear_failures(cib, "n1", "web", "monitor", 10000)
    attrs = _attributes(cib)
    assert "fail-count-web#monitor_10000" not in attrs and "last-failure-web#stop_0" in attrs
    assert "web_last_failure_0" in history(cib, "web")      # a start failure: not matched
    cib = clear_failures(cib, "n1", "web")
    assert not any(name.endswith(("web#stop_0",)) for name in _attributes(cib))
    assert "web_last_failure_0" not in history(cib, "web")
    assert _attributes(cib)["fail-count-db#start_0"] == "INFINITY"


def test_node_join_clears_history_and_keeps_attributes():
    from pengine.transitions.execute.recording import node_joined, record_failure, record_result
    cib = record_result(_cib(), _record(), 1000)
    cib = record_failure(cib, "n1", "1", "web", "start", 0, True, 1000)
    joined = node_joined(cib, "n1", "1", 1010)
    assert history(joined, "web") == {}
    assert _attributes(joined)["fail-count-web#start_0"] == "INFINITY"
    assert joined.status.node_states[0].get("crmd") == "online"


# -------------------------------------------------------------------- backends --

@pytest.fixture
def agents(tmp_path) -> Agents:
    return Agents(AgentSettings(ocf_root=str(fake_ocf_root(tmp_path)),
                                lsb_dir=str(tmp_path / "init.d"),
                                fence_dir=str(tmp_path / "fence"),
                                systemctl=str(tmp_path / "bin" / "systemctl"),
                                systemd_available=True))


def _ocf(agent, action, params=(), timeout_ms=5000, rsc="r1", interval_ms=0):
    return AgentRequest(rsc, "ocf", agent, action, provider="test", params=params,
                        timeout_ms=timeout_ms, interval_ms=interval_ms)


def test_ocf_agents_get_their_parameters_in_the_environment_not_a_shell(agents, tmp_path):
    out = tmp_path / "env.txt"
    nasty = "$(touch " + str(tmp_path / "pwned") + "); `id`"
    result = agents.execute(_ocf("EnvDump", "start", {"out": str(out), "ip": nasty,
                                                      "CRM_meta_timeout": "5000"}.items()))
    assert (result.rc, result.status) == (OCF_OK, EXEC_DONE)
    env = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert env["OCF_RESKEY_ip"] == nasty
    assert not (tmp_path / "pwned").exists()
    assert env["OCF_RESKEY_CRM_meta_timeout"] == "5000"
    assert env["OCF_RESOURCE_INSTANCE"] == "r1"
    assert env["OCF_ROOT"] == agents.settings.ocf_root
    assert env["OCF_RESOURCE_PROVIDER"] == "test" and env["OCF_RESOURCE_TYPE"] == "EnvDump"
    assert env["OCF_RA_VERSION_MAJOR"] == "1"
    assert env["ARG"] == "start"


def test_ocf_results_exit_reasons_timeouts_crashes(agents, tmp_path):
    state = tmp_path / "d.state"
    params = {"state": str(state)}.items()
    assert agents.execute(_ocf("Dummy", "monitor", params)).rc == OCF_NOT_RUNNING
    assert agents.execute(_ocf("Dummy", "start", params)).rc == OCF_OK
    assert agents.execute(_ocf("Dummy", "monitor", params)).rc == OCF_OK
    failed = agents.execute(_ocf("FailStart", "start"))
    assert (failed.rc, failed.status) == (OCF_UNKNOWN_ERROR, EXEC_DONE)
    assert failed.exit_reason == "this agent never starts"
    began = time.monotonic()
    hung = agents.execute(_ocf("Hang", "start", timeout_ms=500))
    assert (hung.rc, hung.status) == (OCF_UNKNOWN_ERROR, EXEC_TIMEOUT)
    assert time.monotonic() - began < 5
    crashed = agents.execute(_ocf("Crash", "start"))
    assert (crashed.rc, crashed.status) == (OCF_UNKNOWN_ERROR, EXEC_ERROR)
    assert "SIGKILL" in crashed.exit_reason
    missing = agents.execute(_ocf("Nope", "start"))
    assert (missing.rc, missing.status) == (OCF_NOT_INSTALLED, EXEC_NOT_INSTALLED)
    escape = agents.execute(AgentRequest("r", "ocf", "../../../bin/true", "start",
                                         provider="test"))
    assert escape.status == EXEC_NOT_INSTALLED


def test_unknown_agent_classes_are_refused(agents):
    assert agents.execute(AgentRequest("r", "upstart", "x", "start")).rc != OCF_OK


def test_lsb_scripts_and_their_status_codes(agents, tmp_path):
    from pengine.transitions.execute.lsb import lsb2ocf
    write_script(tmp_path / "init.d" / "svc", LSB_SCRIPT)
    lsb = lambda action: agents.execute(AgentRequest("svc", "lsb", "svc", action))  # noqa: E731
    assert lsb("monitor").rc == OCF_NOT_RUNNING
    assert lsb("start").rc == OCF_OK
    assert lsb("monitor").rc == OCF_OK
    assert lsb("stop").rc == OCF_OK
    assert lsb("monitor").rc == OCF_NOT_RUNNING
    assert lsb2ocf("status", 1) == lsb2ocf("status", 2) == OCF_NOT_RUNNING
    assert lsb2ocf("status", 4) == OCF_UNKNOWN_ERROR
    assert lsb2ocf("start", 8) == OCF_UNKNOWN_ERROR
    assert lsb2ocf("start", 5) == OCF_NOT_INSTALLED


def test_systemd_units_through_systemctl(agents, tmp_path, monkeypatch):
    units = tmp_path / "units"
    units.mkdir()
    (units / "web.service").write_text("")
    (units / "bad.service").write_text("")
    (units / "bad.service.broken").write_text("")
    write_script(tmp_path / "bin" / "systemctl", SYSTEMCTL)
    monkeypatch.setenv("FAKE_SYSTEMD_DIR", str(units))
    unit = lambda name, action: agents.execute(  # noqa: E731
        AgentRequest(name, "systemd", name, action, timeout_ms=5000))
    assert unit("web", "monitor").rc == OCF_NOT_RUNNING
    assert unit("web", "start").rc == OCF_OK
    assert unit("web", "monitor").rc == OCF_OK
    assert unit("web", "stop").rc == OCF_OK
    assert unit("web", "monitor").rc == OCF_NOT_RUNNING
    assert unit("bad", "start").rc == OCF_UNKNOWN_ERROR
    assert unit("ghost", "start").status == EXEC_NOT_INSTALLED
    assert unit("ghost", "stop").rc == OCF_OK       # an unknown service is stopped
    assert agents.backend(AgentRequest("web", "service", "web", "start")) is agents.systemd
    assert agents.backend(AgentRequest("x", "service", "x", "start")) is agents.lsb


def test_fence_devices_and_fencing(agents, tmp_path):
    from pengine.transitions.execute.fence import fence_arguments, host_map, stdin_text
    agent = write_script(tmp_path / "fence" / "fence_test", FENCE_AGENT)
    log = Path(str(agent) + ".log")
    device = AgentRequest("fence1", "stonith", "fence_test", "monitor",
                          params={"ip": "192.0.2.1", "pcmk_host_list": "node1 node3",
                                  "CRM_meta_timeout": "20000"}.items())
    assert agents.execute(device).rc == OCF_NOT_RUNNING      # not registered yet
    assert agents.execute(AgentRequest("fence1", "stonith", "fence_test", "start",
                                       params=device.params)).rc == OCF_OK
    assert "action=monitor;ip=192.0.2.1;" in log.read_text()
    assert "pcmk_host_list" not in log.read_text() and "CRM_meta" not in log.read_text()
    assert agents.execute(device).rc == OCF_OK
    result, used = agents.fence.fence("node3", "reboot", 5000)
    assert (result.rc, used) == (OCF_OK, "fence1")
    assert "action=reboot;nodename=node3;port=node3;ip=192.0.2.1;" in log.read_text()
    result, used = agents.fence.fence("node9", "off", 5000)     # no device for it
    assert result.status == EXEC_NO_FENCE_DEVICE and used is None
    assert agents.execute(AgentRequest("fence1", "stonith", "fence_test", "stop")).rc == OCF_OK
    assert agents.execute(device).rc == OCF_NOT_RUNNING
    # dynamic lists ask the agent
    dynamic = AgentRequest("fence2", "stonith", "fence_test", "start")
    agents.execute(dynamic)
    assert agents.fence.fence("alias2", "off", 5000)[1] == "fence2"
    assert agents.fence.fence("badnode", "off", 5000)[1] is None
    # the protocol itself
    args = fence_arguments("reboot", {"pcmk_reboot_action": "off", "pcmk_host_argument": "plug",
                                      "login": "a\nb"}, "node1", "7")
    assert args == {"action": "off", "nodename": "node1", "plug": "7", "login": "a\nb"}
    assert stdin_text(args).count("\n") == 4
    assert host_map("node1:1;node2:2") == {"node1": "1", "node2": "2"}


# -------------------------------------------------------------------- metadata --

def test_metadata_defaults_and_parameter_checks(agents):
    from pengine.transitions.execute.metadata import check_parameters, parse_metadata
    result = agents.execute(_ocf("Dummy", "meta-data"))
    meta = parse_metadata(result.output)
    assert meta.name == "Dummy" and meta.defaults()["fake"] == "dummy"
    assert meta.action("monitor", 10000).timeout == "20s"
    assert check_parameters(meta, {"state": "/x"}) == []
    problems = check_parameters(meta, {"bogus": "1", "CRM_meta_timeout": "1"})
    assert problems == ["required parameter 'state' is not set",
                        "parameter 'bogus' is not one the agent knows"]
    with pytest.raises(ValueError):
        parse_metadata("<not-an-agent/>")


REAL_DUMMY = Path("/usr/lib/ocf/resource.d/pacemaker/Dummy")


@pytest.mark.skipif(not REAL_DUMMY.exists(), reason="Pacemaker's resource agents not installed")
def test_real_agent_metadata():
    from pengine.transitions.execute.metadata import parse_metadata
    agents = Agents(AgentSettings(ocf_root="/usr/lib/ocf"))
    result = agents.execute(AgentRequest("d", "ocf", "Dummy", "meta-data", provider="pacemaker"))
    assert result.rc == OCF_OK
    assert parse_metadata(result.output).parameter("state") is not None


# -------------------------------------------------------------------- executor --

def _drain(executor, messages, count, timeout=10):
    events = []
    deadline = time.monotonic() + timeout
    while len(events) < count and time.monotonic() < deadline:
        executor.tick(time.time())
        try:
            message = messages.get(timeout=0.05)
        except queue.Empty:
            continue
        event = executor.completed(message)
        if event is not None:
            events.append(event)
    return events


def test_executor_runs_one_action_per_resource_and_reports_recurring_changes(agents, tmp_path):
    from pengine.transitions.execute.executor import Executor
    messages = queue.SimpleQueue()
    executor = Executor(agents, messages.put)
    state = tmp_path / "d.state"
    params = {"state": str(state)}.items()
    executor.submit(_ocf("Dummy", "start", params), "start-key")
    executor.submit(_ocf("Dummy", "monitor", params, interval_ms=200), "monitor-key")
    events = _drain(executor, messages, 2)
    assert [(e.operation.request.action, e.result.rc) for e in events] == [
        ("start", 0), ("monitor", 0)]            # the monitor waited for the start
    assert not _drain(executor, messages, 1, timeout=0.8)    # unchanged: not reported
    state.unlink()
    [event] = _drain(executor, messages, 1)
    assert event.result.rc == OCF_NOT_RUNNING
    assert event.operation.call_id == events[1].operation.call_id   # a recurring call keeps its id
    assert executor.cancel_recurring("r1") == ["r1_monitor_200"]
    assert executor.next_due() is None
    deadline = time.monotonic() + 5
    while executor.busy() and time.monotonic() < deadline:
        executor.completed(messages.get(timeout=5))
    assert not executor.busy()


@pytest.mark.skipif(shutil.which("sh") is None, reason="no /bin/sh")
def test_process_output_does_not_wait_for_daemons(tmp_path):
    from pengine.transitions.execute.process import run_process
    script = write_script(tmp_path / "daemonize", "#!/bin/sh\n(sleep 5 &)\necho started\n")
    began = time.monotonic()
    outcome = run_process([str(script)], {"PATH": "/usr/bin:/bin"}, 10)
    assert outcome.returncode == 0 and outcome.stdout == "started\n"
    assert time.monotonic() - began < 3


# ---------------------------------------------------------------- action specs --

def _schedule(text: str):
    from pengine.cib.load import parse_config
    from pengine.transitions.simulate import bring_crm_cluster_up
    from pengine.schedule.driver import schedule
    from pengine.transitions.execute.action_specs import action_specs
    from pengine.transitions.graph import create_graph
    sch = schedule(bring_crm_cluster_up(parse_config(text.encode(), "test.crm")))
    transition = create_graph(sch)
    return {spec.action.uuid: spec for spec in action_specs(sch, transition).values()}


def test_action_timeouts_come_from_the_op_then_op_defaults_then_20s():
    specs = _schedule("node 1: n1\n"
                      "primitive a ocf:test:Dummy params state=/x "
                      "op monitor interval=10s timeout=5s\n"
                      "primitive b ocf:test:Dummy op start timeout=9s interval=0\n"
                      "property cib-bootstrap-options: stonith-enabled=false\n"
                      "op_defaults op-options: timeout=7s\n")
    assert specs["a_monitor_10000"].timeout_ms == 5000
    assert specs["a_start_0"].timeout_ms == 7000
    assert specs["b_start_0"].timeout_ms == 9000
    assert specs["a_monitor_0"].target_rc == 7          # a probe expects "not running"
    assert specs["a_start_0"].get("state") == "/x"
    assert specs["a_monitor_10000"].interval_ms == 10000
    assert specs["a_start_0"].rsc_id == "a" and specs["a_start_0"].rsc_provider == "test"
    specs = _schedule("node 1: n1\nprimitive a ocf:test:Dummy\n"
                      "property cib-bootstrap-options: stonith-enabled=false\n")
    assert specs["a_start_0"].timeout_ms == 20000


def test_parameters_are_checked_against_the_metadata_once(agents, tmp_path, caplog):
    from pengine.transitions.execute.executor import Executor
    messages = queue.SimpleQueue()
    executor = Executor(agents, messages.put)
    request = _ocf("Dummy", "monitor", {"bogus": "1"}.items())
    with caplog.at_level("WARNING", logger="pengine.run"):
        executor.submit(request, "k1")
        _drain(executor, messages, 1)
        executor.submit(request, "k2")
        _drain(executor, messages, 1)
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == ["r1 (ocf:Dummy): required parameter 'state' is not set",
                        "r1 (ocf:Dummy): parameter 'bogus' is not one the agent knows"]
