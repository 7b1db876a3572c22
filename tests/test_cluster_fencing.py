"""Fencing that cannot be dodged, on three ClusterControllers over the fake
Corosync (tests/cluster_fakes.py): a member whose pengine stops answering
is evicted and fenced; a node cut off right after it rejoined is fenced;
fencing levels are tried in order; a peer fences when the coordinator is
the target or has no device for it.  tests/test_cluster_fence_netns.py runs
the same on the real namespace cluster."""

from __future__ import annotations

import threading

import pytest

from tests.cluster_fakes import FakeCluster, FakeNode, TwiceWatch
from tests.execute_helpers import wait_for, write_script
from pengine.cib import model as m
from pengine.transitions.execute import cluster_messages as msg
from pengine.transitions.execute import fencing_peers as fp
from pengine.transitions.execute import liveness as lv
from pengine.transitions.execute import membership as ms
from pengine.transitions.execute.agents import AgentRequest
from pengine.transitions.execute.codes import EXEC_NO_FENCE_DEVICE, EXEC_DONE
from pengine.transitions.execute.fencing_topology import levels_for, topology_of

CONFIG = """node 1: n1
node 2: n2
node 3: n3
primitive fence stonith:fence_test params pcmk_host_list="n1 n2 n3" \\
    op monitor interval=60s
primitive d1 ocf:test:Dummy op monitor interval=1s
primitive d2 ocf:test:Dummy op monitor interval=1s
property fencing-enabled=true no-quorum-policy=stop dc-deadtime=10s \\
    stonith-watchdog-timeout=3s
rsc_defaults resource-stickiness=100
"""

# a fence agent that always fails (and logs that it was asked)
FAILING = r"""#!/bin/sh
args=""
while IFS= read -r line; do args="$args$line;"; done
echo "$args" >> "$0.log"
case "$args" in *action=monitor*|*action=list*) exit 0 ;; esac
exit 1
"""


@pytest.fixture
def fake(tmp_path):
    clusters = []

    def make(config: str = CONFIG, fence_delay: float = 0.0) -> FakeCluster:
        cluster = FakeCluster(tmp_path, config, fence_delay=fence_delay)
        cluster.watch = TwiceWatch(cluster, ["d1", "d2"])
        cluster.watch.start()
        clusters.append(cluster)
        return cluster

    yield make
    for cluster in clusters:
        cluster.watch.stop()
        cluster.stop()
        assert cluster.watch.violations == []


def placed(cluster: FakeCluster, *rscs: str) -> bool:
    return all(len(cluster.active(r)) == 1 for r in rscs)


def start_all(cluster: FakeCluster) -> None:
    for name in ("n1", "n2", "n3"):
        cluster.start(name)
    wait_for(lambda: placed(cluster, "d1", "d2"), 20, what="d1 and d2 placed")


def freeze(node: FakeNode) -> threading.Event:
    """What SIGSTOP does to a pengine whose corosync runs: its main loop
    stops (no heartbeat, no message handled) while the group still holds it.
    Fencing (the node crashing) ends it."""
    release = threading.Event()
    controller = node.controller
    real = controller.handle

    def frozen(message):
        while not release.wait(0.05):
            if controller.link is None or controller.link.muted:
                return
        real(message)

    controller.handle = frozen
    controller.messages.put(object())
    return release


def fence_log(cluster: FakeCluster, agent: str = "fence_test") -> str:
    path = cluster.fence_dir / f"{agent}.log"
    return path.read_text() if path.exists() else ""


# ------------------------------------------------------------- pure parts --

def test_heartbeats_find_the_silent_members():
    beats = lv.Heartbeats().ensure({(1, 10), (2, 20)}, 100.0)
    beats = beats.heard((1, 10), 104.0)
    assert beats.silent({(1, 10), (2, 20)}, 104.5, 3.0) == [(2, 20)]
    assert beats.silent({(1, 10), (2, 20)}, 102.0, 3.0) == []
    assert beats.forget({(2, 20)}).silent({(1, 10), (2, 20)}, 110.0, 3.0) == [(1, 10)]
    # ensure does not reset a member already heard from
    assert beats.ensure({(1, 10)}, 200.0).silent({(1, 10)}, 108.0, 3.0) == [(1, 10)]


def _cib(text: str) -> m.Cib:
    from pengine.cib.load import parse_config
    return parse_config(text.encode(), "cluster.crm")


def test_the_unresponsive_timeout_follows_stonith_watchdog_timeout():
    assert lv.unresponsive_timeout(_cib(CONFIG), 5.0) == 3.0
    assert lv.unresponsive_timeout(_cib("node 1: n1\n"), 5.0) == 10.0
    assert lv.unresponsive_timeout(
        _cib("node 1: n1\nproperty stonith-watchdog-timeout=-1\n"), 4.0) == 8.0


def test_fencing_levels_come_in_index_order_by_name_pattern_or_attribute():
    cib = _cib("""node 1: n1 attributes rack=r1
node 2: n2
primitive ipmi stonith:fence_test
primitive pdu1 stonith:fence_test
primitive pdu2 stonith:fence_test
primitive disk stonith:fence_test
fencing_topology n1: pdu1,pdu2 ipmi n2: ipmi disk
""")
    assert topology_of(cib, "n1") == (("pdu1", "pdu2"), ("ipmi",))
    assert topology_of(cib, "n2") == (("ipmi",), ("disk",))
    assert topology_of(cib, "n3") == ()
    levels = (m.FencingLevel("l3", "3", "disk", target_attribute="rack", target_value="r1"),
              m.FencingLevel("l1", "1", "ipmi", target_pattern="^n[0-9]$"),
              m.FencingLevel("l2", "2", "pdu1, pdu2", target="n1"))
    assert levels_for(levels, "n1", {"rack": "r1"}) == (("ipmi",), ("pdu1", "pdu2"), ("disk",))
    assert levels_for(levels, "n2", {}) == (("ipmi",),)
    assert levels_for(levels, "web1", {}) == ()


def test_the_fence_executor_is_another_member():
    assert fp.fence_executor(frozenset({1, 2, 3}), 1, 1) == 2
    assert fp.fence_executor(frozenset({1, 2, 3}), 1, 2) == 3
    assert fp.fence_executor(frozenset({1, 2, 3}), 1, 3, frozenset({2})) is None
    assert fp.fence_executor(frozenset({1}), 1, 1) is None
    assert fp.lacks_access(EXEC_NO_FENCE_DEVICE) and not fp.lacks_access(EXEC_DONE)


def test_fencing_messages_survive_encoding():
    device = AgentRequest("fence", "stonith", "fence_test", "off",
                          params=[("pcmk_host_list", "n1 n2")])
    for message in (msg.Heartbeat("n1"), msg.Evict(2, 345, "n1"),
                    msg.FenceRequest("u:1", "n2", "n1", "reboot", 60000, (device,),
                                     (("pdu1", "pdu2"), ("ipmi",))),
                    msg.FenceResult("u:1", "n2", "n1", "reboot", 0, 0, "", "pdu1,pdu2"),
                    msg.FenceNotice("n1", "reboot", True, "n2", "ipmi", "ok")):
        assert msg.decode(msg.encode(message)) == message


def test_a_fencing_excuses_only_the_process_it_began_against():
    e = lv.Expectations().joined(1).joined(2)
    assert e.nodes() == {1, 2}
    assert e.fencing_started(2).fenced(2).nodes() == {1}
    # n2 was fenced, rebooted and rejoined before the result came: still expected
    assert e.fencing_started(2).joined(2).fenced(2).nodes() == {1, 2}
    assert e.let_go(1).nodes() == {2}
    assert e.fenced(1).nodes() == {2}             # a fencing nobody announced


def test_expected_up_makes_a_departed_node_unclean():
    nodes = [ms.ClusterNode(1, "n1", "1"), ms.ClusterNode(2, "n2", "2")]
    cib = ms.expect_down(ms.node_joined(_cib("node 1: n1\nnode 2: n2\n"), nodes[1], None,
                                        True), nodes[1])
    assert ms.node_state(cib, "n2").get("expected") == "down"
    after = lv.expect_up(cib, nodes, frozenset({2}))
    assert ms.node_state(after, "n2").get("expected") == "member"
    assert ms.node_state(after, "n1") is None          # unseen stays unseen
    assert lv.expect_up(cib, nodes, frozenset()) is cib


# ------------------------------------------------------- three fake nodes --

def test_a_member_whose_pengine_stops_answering_is_evicted_and_fenced(fake):
    cluster = fake()
    start_all(cluster)
    victim = next(n for n in ("n2", "n3") if any(cluster.nodes[n].active(r)
                                                 for r in ("d1", "d2")))
    held = [r for r in ("d1", "d2") if cluster.nodes[victim].active(r)]
    freeze(cluster.nodes[victim])
    wait_for(lambda: victim in cluster.fenced, 20, what=f"{victim} fenced")
    wait_for(lambda: placed(cluster, "d1", "d2"), 20, what="recovery")
    for rsc in held:
        assert victim not in cluster.active(rsc)


def test_a_frozen_coordinator_is_evicted_fenced_and_replaced(fake):
    cluster = fake()
    start_all(cluster)
    freeze(cluster.nodes["n1"])
    wait_for(lambda: "n1" in cluster.fenced, 20, what="n1 fenced")
    wait_for(lambda: cluster.nodes["n2"].controller.coordinating, 10, what="n2 coordinating")
    wait_for(lambda: placed(cluster, "d1", "d2"), 20, what="recovery")


def test_a_frozen_member_that_wakes_up_leaves_on_its_own_eviction(fake):
    # cutting the node off takes long here: it wakes up first and reads its eviction
    cluster = fake(fence_delay=3.0)
    start_all(cluster)
    n3 = cluster.nodes["n3"]
    release = freeze(n3)
    wait_for(lambda: any(e[0] == 3 for e in cluster.nodes["n1"].controller.evicted), 20,
             what="n3 evicted")
    release.set()
    n3.thread.join(10)
    assert not n3.thread.is_alive() and n3.result == [1]
    assert n3.controller.evicted_self
    wait_for(lambda: "n3" in cluster.fenced, 20, what="n3 fenced")


def test_a_node_cut_off_right_after_it_rejoins_as_coordinator_is_fenced(fake):
    cluster = fake()
    start_all(cluster)
    cluster.kill("n1")
    wait_for(lambda: "n1" in cluster.fenced, 20, what="n1 fenced")
    wait_for(lambda: placed(cluster, "d1", "d2"), 20, what="recovery")
    n1 = cluster.start("n1")                 # the lowest id: it coordinates at once
    wait_for(lambda: n1.controller.coordinating, 10, what="n1 coordinating")
    cluster.bus.partition({1}, {2, 3})       # cut off before anyone recorded its join
    wait_for(lambda: cluster.fenced.count("n1") == 2, 20, what="n1 fenced again")
    wait_for(lambda: cluster.nodes["n2"].controller.coordinating, 10, what="n2 coordinating")


def test_fencing_levels_are_tried_in_order(fake, tmp_path):
    config = CONFIG + ("primitive broken stonith:fence_broken params pcmk_host_list=\"n1 n2 n3\"\n"
                       "fencing_topology n3: broken fence\n"
                       "location d1-on-n3 d1 50: n3\n")
    cluster = fake(config)
    write_script(cluster.fence_dir / "fence_broken", FAILING)
    start_all(cluster)
    wait_for(lambda: cluster.active("d1") == ["n3"], 20, what="d1 on n3")
    cluster.kill("n3")
    wait_for(lambda: "n3" in cluster.fenced, 20, what="n3 fenced")
    broken = [line for line in fence_log(cluster, "fence_broken").splitlines()
              if "nodename=n3" in line]
    assert broken and "action=reboot" in broken[0]      # level 1 tried, and failed
    assert "nodename=n3" in fence_log(cluster)           # level 2 did it
    log = cluster.nodes["n1"].controller
    assert "n3" not in [t for t, c in log.fence_failures.items() if c]


def test_a_coordinator_without_a_device_for_the_target_asks_a_peer(fake):
    # the fence device may not run on n1: n1's fencer has none
    config = CONFIG + "location fence-not-n1 fence -inf: n1\nlocation d1-on-n3 d1 50: n3\n"
    cluster = fake(config)
    start_all(cluster)
    wait_for(lambda: cluster.active("d1") == ["n3"], 20, what="d1 on n3")
    cluster.kill("n3")
    wait_for(lambda: "n3" in cluster.fenced, 20, what="n3 fenced by a peer")
    wait_for(lambda: cluster.active("d1") in (["n1"], ["n2"]), 20, what="d1 recovered")
    assert cluster.nodes["n1"].controller.coordinating


# a resource whose stop always fails
FAILS_STOP = r"""#!/bin/sh
state="${OCF_ROOT}/${OCF_RESOURCE_INSTANCE}.state"
case "$1" in
start) touch "$state"; exit 0 ;;
stop) exit 1 ;;
monitor|status) [ -f "$state" ] && exit 0; exit 7 ;;
meta-data) echo '<resource-agent name="FailStop"><parameters/></resource-agent>'; exit 0 ;;
*) exit 0 ;;
esac
"""


def test_a_coordinator_that_must_be_fenced_is_fenced_by_a_peer(fake):
    config = CONFIG + ("primitive bad ocf:test:FailStop op monitor interval=1s "
                       "op stop interval=0 on-fail=fence\n"
                       "location bad-on-n1 bad inf: n1\n")
    cluster = fake(config)
    for name in ("n1", "n2", "n3"):
        node = cluster.start(name)
        write_script(node.ocf_root / "resource.d" / "test" / "FailStop", FAILS_STOP)
    wait_for(lambda: placed(cluster, "d1", "d2"), 20, what="placed")
    n1 = cluster.nodes["n1"]
    wait_for(lambda: (n1.ocf_root / "bad.state").exists(), 20, what="bad started on n1")
    (n1.ocf_root / "bad.state").unlink()          # it fails; its stop fails: fence n1
    wait_for(lambda: "n1" in cluster.fenced, 30, what="n1 fenced by a peer")
    wait_for(lambda: cluster.nodes["n2"].controller.coordinating, 10, what="n2 coordinating")
    wait_for(lambda: placed(cluster, "d1", "d2"), 20, what="recovery")


def test_when_no_member_can_fence_the_fencing_fails_and_is_retried_later(fake):
    # a device no node has (its agent is missing): every member is asked once per attempt
    config = CONFIG.replace("stonith:fence_test", "stonith:fence_missing") \
        + "location d1-on-n3 d1 50: n3\n"
    cluster = fake(config)
    start_all(cluster)
    wait_for(lambda: cluster.active("d1") == ["n3"], 20, what="d1 on n3")
    cluster.kill("n3")
    coordinator = cluster.nodes["n1"].controller
    wait_for(lambda: coordinator.fence_failures.get("n3", 0) >= 2, 30,
             what="failed fencing attempts")
    assert coordinator.peer_fencings.pending == ()
    assert coordinator.fencing_in_flight <= 1
    # not fenced, so d1 is not recovered: it is still where it was (as far as anyone knows)
    assert "n3" not in cluster.fenced and cluster.active("d1") == ["n3"]
