"""Cluster mode without root: its messages, its membership bookkeeping, and
three ClusterControllers in one process over a fake Corosync
(tests/cluster_fakes.py) with fake agents: start, a node killed and fenced,
a partition, the coordinator lost in the middle of a transition, a clean
shutdown.  tests/test_cluster.py runs the same against real Corosync."""

from __future__ import annotations

import signal

import pytest
from attrs import evolve

from pengine.cib import model as m
from tests.cluster_fakes import FakeCluster, TwiceWatch
from tests.execute_helpers import wait_for
from pengine.transitions.execute import cluster_messages as msg
from pengine.transitions.execute import membership as ms
from pengine.transitions.execute.agents import AgentRequest
from pengine.transitions.execute.corosync import Process
from pengine.transitions.execute.recording import record_result
from pengine.transitions.execute.controller import pending_record

NODES = [ms.ClusterNode(1, "n1", "1"), ms.ClusterNode(2, "n2", "2"),
         ms.ClusterNode(3, "n3", "3")]


# ----------------------------------------------------------------- messages --

def test_every_message_survives_encoding():
    request = AgentRequest("vip", "ocf", "IPaddr2", "start", provider="heartbeat",
                           params=[("ip", "10.0.0.1"), ("CRM_meta_timeout", "20000")],
                           timeout_ms=20000)
    messages = [
        msg.Exec("n2", "run", 7, 3, request, "7:3:0:abc", 500, "d1g"),
        msg.Result("n2", 12, request, "7:3:0:abc", 0, 0, "", 35, 2, 1.5, 1.6, 1.5, None),
        msg.Result("n2", 13, request, "8:3:0:abc", 0, 0, "", 35, 2, 1.5, 1.6, 1.5, "d1g",
                   (("op-force-restart", "  ip  "), ("op-restart-digest", "d2g"))),
        msg.Done("n3", 4, "4:3:0:abc"),
        msg.JoinRequest("abc:2"),
        msg.JoinReply("abc:2", "n1", True, b"<cib/>", (3, 7), None),
        msg.JoinReply("abc:2", "n1", False, b"<cib/>", (3, 7), b"x" * 10000),
        msg.StatusUpdate((4, 1), b"<cib>" + b"y" * 5000 + b"</cib>"),
        msg.ShutdownRequest("n2"),
        msg.ShutdownGranted("n2"),
    ]
    for message in messages:
        data = msg.encode(message)
        assert msg.decode(data) == message
    # large ones travel compressed
    assert msg.encode(messages[7])[:1] == msg.COMPRESSED
    assert len(msg.encode(messages[7])) < 1000


@pytest.mark.parametrize("data", [b"", b"Q{}", b"J[]", b"J{\"type\": \"Nope\"}",
                                  b"J{\"type\": \"Done\", \"node\": \"n1\"}", b"Zgarbage",
                                  b"J{\"type\": \"Exec\", \"to\": \"n1\", \"op\": \"run\", "
                                  b"\"action_id\": 1, \"transition_id\": 1, \"key\": \"k\", "
                                  b"\"request\": {\"rsc_id\": \"x\"}}"])
def test_a_bad_message_is_an_error_not_a_crash(data):
    with pytest.raises(msg.MessageError):
        msg.decode(data)


# --------------------------------------------------------------- membership --

def test_a_view_is_settled_when_quorum_and_ring_agree():
    group = (Process(2, 20), Process(1, 10))
    view = ms.View(True, 8, {1, 2, 3}, 8, {1, 2, 3}, group)
    assert view.settled()
    assert view.coordinator() == Process(1, 10)
    assert not evolve(view, quorum_seq=4).settled()              # quorum from the old ring
    assert not evolve(view, ring_pending=True).settled()         # ring announced, not described
    assert not evolve(view, ring_members=frozenset({2, 3})).settled()   # n1 not in the ring
    assert ms.View().coordinator() is None


def _scheduled(cib: m.Cib) -> dict:
    from pengine.common.dates import from_epoch
    from pengine.status.unpack import unpack
    sch = unpack(cib, from_epoch(1_700_000_000))
    return {n.name: ("unclean" if n.unclean else "online" if n.online and not n.pending
                     else "pending" if n.pending else "offline") for n in sch.nodes}


def _config() -> m.Cib:
    from pengine.cib.load import parse_config
    return parse_config(b"node 1: n1\nnode 2: n2\nnode 3: n3\n"
                        b"property fencing-enabled=true\n", "cluster.crm")


def test_membership_decides_who_is_unclean():
    cib = _config()
    view = ms.View(True, 8, {1, 2, 3}, 8, {1, 2, 3}, (Process(1, 1), Process(2, 2),
                                                      Process(3, 3)))
    cib = ms.record_membership(cib, view, NODES, frozenset())
    for node in NODES:
        cib = ms.node_joined(cib, node, None, fresh=True)
    assert _scheduled(cib) == {"n1": "online", "n2": "online", "n3": "online"}
    # n2's corosync went away; n3's pengine went away (its corosync stayed)
    view = ms.View(True, 12, {1, 3}, 12, {1, 3}, (Process(1, 1),))
    after = ms.record_membership(cib, view, NODES, frozenset({1}))
    assert _scheduled(after) == {"n1": "online", "n2": "unclean", "n3": "unclean"}
    # a node allowed to leave (do_shutdown) is simply offline
    assert _scheduled(ms.record_membership(ms.expect_down(cib, NODES[1]), view, NODES,
                                           frozenset({1})))["n2"] == "offline"
    # in the group but not joined yet: pending
    view = ms.View(True, 12, {1, 2}, 12, {1, 2}, (Process(1, 1), Process(2, 2)))
    fresh = ms.record_membership(_config(), view, NODES, frozenset({1}))
    fresh = ms.node_joined(fresh, NODES[0], None, fresh=True)
    states = _scheduled(fresh)
    assert states["n1"] == "online" and states["n2"] == "pending"
    # a node corosync never showed gets no state: the scheduler calls it unseen
    assert ms.node_state(fresh, "n3") is None
    assert states["n3"] == "unclean"


def test_a_join_replaces_history_and_a_new_process_loses_its_fail_counts():
    cib = _config()
    request = AgentRequest("d1", "ocf", "Dummy", "start", provider="test")
    cib = record_result(cib, pending_record(request, "n2", "2", "1:1:0:u", 0, None), 100)
    cib = ms.set_transient(cib, NODES[1], "fail-count-d1#start_0", "3")
    assert ms.node_state(cib, "n2").lrm_resources
    kept = ms.node_joined(cib, NODES[1], None, fresh=False)
    assert not ms.node_state(kept, "n2").lrm_resources
    assert ms.transient(kept, "n2", "fail-count-d1#start_0") == "3"
    fresh = ms.node_joined(cib, NODES[1], None, fresh=True)
    assert ms.transient(fresh, "n2", "fail-count-d1#start_0") is None
    state = ms.node_state(fresh, "n2")
    assert (state.get("join"), state.get("expected"), state.get("crmd")) == \
        ("member", "member", "online")
    # histories and whole statuses travel as CIB XML
    assert ms.state_from_xml(ms.state_xml(ms.node_state(cib, "n2"))) == ms.node_state(cib, "n2")
    assert ms.cib_from_xml(ms.cib_xml(cib)).status == cib.status


# ------------------------------------------------------- three fake nodes --

CONFIG = """node 1: n1
node 2: n2
node 3: n3
primitive fence stonith:fence_test params pcmk_host_list="n1 n2 n3" \\
    op monitor interval=60s
primitive d1 ocf:test:Dummy op monitor interval=1s
primitive d2 ocf:test:Dummy op monitor interval=1s
property fencing-enabled=true no-quorum-policy=stop dc-deadtime=10s
rsc_defaults resource-stickiness=100
"""


@pytest.fixture
def fake(tmp_path):
    clusters = []

    def make(config: str = CONFIG, fence_delay: float = 0.0) -> FakeCluster:
        cluster = FakeCluster(tmp_path, config, fence_delay=fence_delay)
        cluster.watch = TwiceWatch(cluster, ["d1", "d2", "slow"])
        cluster.watch.start()
        clusters.append(cluster)
        return cluster

    yield make
    for cluster in clusters:
        cluster.watch.stop()
        cluster.stop()
        assert cluster.watch.violations == []


def placed(cluster: FakeCluster, *rscs: str):
    return all(len(cluster.active(r)) == 1 for r in rscs)


def test_three_nodes_start_everything_once(fake):
    cluster = fake()
    for name in ("n3", "n1", "n2"):
        cluster.start(name)
    wait_for(lambda: placed(cluster, "d1", "d2"), 20, what="d1 and d2 placed")
    coordinator = cluster.coordinator()
    assert coordinator.name == "n1"
    # every member keeps the status the coordinator publishes
    wait_for(lambda: all(n.controller.status_version == coordinator.controller.status_version
                         for n in cluster.nodes.values()), 10, what="status copies")
    assert cluster.fenced == []
    # pengine status on any node: the coordinator's view
    import time
    from pengine.cli.status import status_text
    text = status_text(cluster.nodes["n3"].controller.state.load(), None, time.time())
    assert "Stack: corosync (pengine run --cluster)" in text
    assert "Current DC: n1 (1) - partition with quorum" in text
    assert "Online: [ n1 n2 n3 ]" in text


def test_a_killed_node_is_fenced_before_its_resources_move(fake):
    cluster = fake()
    for name in ("n1", "n2", "n3"):
        cluster.start(name)
    wait_for(lambda: placed(cluster, "d1", "d2"), 20, what="placed")
    victim = next(n for n in ("n2", "n3") if cluster.nodes[n].active("d1")
                  or cluster.nodes[n].active("d2"))
    held = [r for r in ("d1", "d2") if cluster.nodes[victim].active(r)]
    cluster.kill(victim)
    wait_for(lambda: victim in cluster.fenced, 20, what="fencing")
    wait_for(lambda: placed(cluster, "d1", "d2"), 20, what="recovery")
    for rsc in held:
        assert victim not in cluster.active(rsc)
    log = (cluster.fence_agent.parent / "fence_test.log").read_text()
    assert f"nodename={victim}" in log


def test_the_minority_stops_and_the_majority_fences(fake):
    # cutting a node off takes a while here: the minority stops d1 first
    cluster = fake(CONFIG + "location d1-on-n3 d1 50: n3\n", fence_delay=1.0)
    for name in ("n1", "n2", "n3"):
        cluster.start(name)
    wait_for(lambda: cluster.active("d1") == ["n3"], 20, what="d1 on n3")
    n3 = cluster.nodes["n3"]
    cluster.bus.partition({1, 2}, {3})
    wait_for(lambda: not n3.active("d1"), 20, what="d1 stopped on n3")
    assert "n3" not in cluster.fenced and n3.thread.is_alive()
    assert not n3.controller.view.quorate
    wait_for(lambda: "n3" in cluster.fenced, 20, what="n3 fenced")
    wait_for(lambda: cluster.active("d1") in (["n1"], ["n2"]), 20, what="d1 recovered")


def test_without_quorum_nothing_is_fenced_and_resources_stop(fake):
    cluster = fake()
    for name in ("n1", "n2", "n3"):
        cluster.start(name)
    wait_for(lambda: placed(cluster, "d1", "d2"), 20, what="placed")
    cluster.bus.partition({1}, {2}, {3})
    wait_for(lambda: not cluster.active("d1") and not cluster.active("d2"), 20,
             what="everything stopped")
    assert cluster.fenced == []
    assert all(not n.controller.view.quorate for n in cluster.nodes.values())


def test_a_new_coordinator_finishes_the_transition(fake):
    cluster = fake(CONFIG + "primitive slow ocf:test:Dummy params delay=2\n"
                   "location slow-not-n1 slow -inf: n1\n")
    for name in ("n1", "n2", "n3"):
        cluster.start(name)
    # the slow start begins on n2 or n3; then the coordinator dies
    runner = wait_for(lambda: next(iter(cluster.active("slow")), None), 20, what="slow start")
    cluster.kill("n1")
    wait_for(lambda: "n1" in cluster.fenced, 20, what="n1 fenced")
    new = cluster.nodes["n2"].controller
    assert new.coordinating

    def started():
        entry = ms.node_state(new.cib, runner)
        ops = {op.id: op for e in entry.lrm_resources if e.id == "slow" for op in e.ops}
        last = ops.get("slow_last_0")
        return last is not None and (last.get("operation"), last.get("op-status"),
                                     last.get("rc-code")) == ("start", "0", "0")
    wait_for(started, 20, what="the slow start recorded by the new coordinator")
    wait_for(lambda: placed(cluster, "d1", "d2", "slow"), 20, what="all placed")
    assert cluster.active("slow") == [runner]


def test_a_node_that_never_comes_is_fenced_after_dc_deadtime(fake):
    cluster = fake(CONFIG.replace("dc-deadtime=10s", "dc-deadtime=1s"))
    cluster.start("n1")
    cluster.start("n2")
    wait_for(lambda: "n3" in cluster.fenced, 20, what="startup fencing of n3")
    wait_for(lambda: placed(cluster, "d1", "d2"), 20, what="placed")


def test_a_node_asked_to_stop_hands_its_resources_over(fake):
    cluster = fake(CONFIG + "location d1-on-n2 d1 50: n2\n")
    for name in ("n1", "n2", "n3"):
        cluster.start(name)
    wait_for(lambda: cluster.active("d1") == ["n2"], 20, what="d1 on n2")
    n2 = cluster.nodes["n2"]
    n2.controller.request_stop(signal.SIGTERM)
    n2.thread.join(20)
    assert not n2.thread.is_alive() and n2.result == [0]
    wait_for(lambda: cluster.active("d1") in (["n1"], ["n3"]), 20, what="d1 moved")
    assert cluster.fenced == []            # a clean departure is not fenced
    state = ms.node_state(cluster.nodes["n1"].controller.cib, "n2")
    assert state.get("expected") == "down"


def test_a_starting_corosync_is_waited_for_and_a_missing_one_is_an_error(tmp_path):
    from pengine.cib.errors import UsageError
    from pengine.transitions.execute.agents import AgentSettings, Agents
    from pengine.transitions.execute.cluster import ClusterController
    from pengine.transitions.execute.corosync import CorosyncError
    from pengine.transitions.execute.state_dir import StateDir

    config = tmp_path / "cluster.crm"
    config.write_text(CONFIG)
    cluster = FakeCluster(tmp_path, CONFIG)
    cluster.bus.boot(1)
    attempts = []

    def starting_corosync(group, post, refusals=2):
        link = cluster.bus.factory(1)(group, post)
        real_start = link.start

        def start():
            attempts.append(1)
            if len(attempts) <= refusals:
                raise CorosyncError("quorum_initialize", 2)    # IPC not listening yet
            return real_start()
        link.start = start
        return link

    def controller(factory, wait):
        state = StateDir(str(tmp_path / f"state{len(attempts)}"))
        state.create()
        c = ClusterController(str(config), "n1", state,
                              Agents(AgentSettings(ocf_root=str(tmp_path / "ocf"))),
                              link_factory=factory, nodelist=cluster.bus.nodelist)
        c.corosync_wait = wait
        return c

    waited = controller(starting_corosync, wait=10)
    waited.start()
    assert len(attempts) == 3 and waited.nodeid == 1
    waited.link.stop()

    attempts.clear()
    never = controller(lambda g, p: starting_corosync(g, p, refusals=10**6), wait=0.6)
    with pytest.raises(UsageError, match="cannot join the cluster through the local corosync"):
        never.start()
    assert 1 < len(attempts) < 5
    cluster.stop()
