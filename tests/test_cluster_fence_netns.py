"""Fencing that cannot be dodged, end to end on the three-node namespace
cluster (samples/cluster, real Corosync, ``pengine run --cluster``).

The sample configuration gets a fencing topology (level 1: fence-fail, a
device that never fences; level 2: fence-netns), an alert whose agent is
samples/alerts/alert_log, and ``stonith-watchdog-timeout=6s``; each node's
own watchdog waits 30 s here (so that the others' eviction is what acts),
except in the watchdog test.  In order: a SIGSTOPped pengine on the serving
node gets its node fenced and the service back elsewhere; a SIGSTOPped
coordinator too; a node's own watchdog, unfed, kills its pengine and stops
its resources; a node cut off 0.1 s after it rejoined as coordinator is
fenced; every fencing tried the levels in order; the alert agent logged
node, fencing and resource events.  A watcher checks from outside that
nothing is ever active on two nodes.

Root, network namespaces, corosync and resource-agents; skipped otherwise.
Marked ``cluster``; run under ``flock /work/coord/netns.lock``.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.execute_helpers import wait_for
from tests.test_cluster import (HERE, REASON, coordinator, log, log_sizes, logged_since, logs,
                                nc, no_violations, restore, wait_serving)

pytestmark = [pytest.mark.cluster, pytest.mark.skipif(REASON is not None, reason=REASON or "")]

EXTRA = """
primitive fence-fail stonith:fence_fail \\
	params pcmk_host_list="n1 n2 n3" log={fail_log} \\
	op monitor interval=60s timeout=20s
fencing_topology fence-fail fence-netns
property stonith-watchdog-timeout=6s
alert events {agent} to {alert_log}
"""
EVICTION_BOUND_S = 6
WATCHDOG_S = 30


@pytest.fixture(scope="module")
def fcluster(tmp_path_factory):
    work = tmp_path_factory.mktemp("netns-fence")
    config = work / "cluster.crm"
    config.write_text((HERE / "cluster.crm").read_text() + EXTRA.format(
        fail_log=work / "fence_fail.log", agent=REPO / "samples" / "alerts" / "alert_log",
        alert_log=work / "alerts.log"))
    c = nc.NetnsCluster(work, config, pengine_args=("--watchdog-timeout", str(WATCHDOG_S)))
    c.watch = nc.standard_watch(c, interval=0.1)
    try:
        c.up()
        c.watch.start()
        yield c
    finally:
        if c.watch.is_alive():
            c.watch.stop()
        c.down()
        if os.environ.get("PENGINE_KEEP_CLUSTER_LOGS"):
            shutil.copytree(work, os.environ["PENGINE_KEEP_CLUSTER_LOGS"], dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("run"))
    assert c.watch.violations == [], "active on two nodes: " + repr(c.watch.violations[:5])


def freeze(cluster, node: str) -> None:
    """SIGSTOP the node's pengine; its corosync keeps running."""
    os.kill(cluster.pengine[node].pid, signal.SIGSTOP)


def wait_fenced(cluster, sizes, node: str, timeout: float = 40) -> str:
    try:
        return wait_for(lambda: logged_since(cluster, sizes, f"fencing {node} (reboot) succeeded"),
                        timeout, interval=0.2, what=f"{node} fenced")
    except AssertionError:
        pytest.fail(f"{node} was not fenced\n" + logs(cluster))


def test_a_stopped_pengine_on_the_serving_node_gets_it_fenced(fcluster):
    victim = wait_serving(fcluster, timeout=60)
    wait_for(lambda: logged_since(fcluster, {n: 0 for n in nc.NODES},
                                  "join complete: n1, n2, n3"), 30, what="everyone joined")
    sizes = log_sizes(fcluster)
    stopped = time.monotonic()
    freeze(fcluster, victim)
    survivor = wait_serving(fcluster, timeout=60, avoid=victim)
    elapsed = time.monotonic() - stopped
    print(f"\n{victim}'s pengine stopped: service back on {survivor} after {elapsed:.1f}s")
    assert logged_since(fcluster, sizes, f"{victim}'s pengine has not answered")
    wait_fenced(fcluster, sizes, victim)
    assert elapsed < EVICTION_BOUND_S + 30
    no_violations(fcluster)
    restore(fcluster)
    wait_serving(fcluster)


def test_a_stopped_coordinator_is_fenced_and_replaced(fcluster):
    wait_serving(fcluster)
    old = coordinator(fcluster)
    sizes = log_sizes(fcluster)
    freeze(fcluster, old)
    wait_fenced(fcluster, sizes, old)
    new = next(n for n in nc.NODES if n != old and "this node coordinates the partition now"
               in log(fcluster, n)[sizes[n]:])
    assert f"evicted {old}" in log(fcluster, new)[sizes[new]:]
    wait_serving(fcluster, timeout=40, avoid=old)
    no_violations(fcluster)
    restore(fcluster)
    wait_serving(fcluster)


def test_an_unfed_watchdog_kills_pengine_and_stops_the_resources(fcluster):
    victim = wait_serving(fcluster)
    # this node's pengine again, with a short watchdog (the others' eviction
    # bound stays 6 s: the watchdog acts first)
    sizes = log_sizes(fcluster)
    fcluster.stop_pengine(victim)                      # a clean leave: the service moves
    holder = wait_serving(fcluster, timeout=40, avoid=victim)
    fcluster.pengine_args = ("--watchdog-timeout", "2")
    try:
        fcluster.start_pengine(victim)
    finally:
        fcluster.pengine_args = ("--watchdog-timeout", str(WATCHDOG_S))
    wait_for(lambda: logged_since(fcluster, sizes, "join complete: n1, n2, n3"), 40,
             what=f"{victim} back")
    assert "own watchdog process" in log(fcluster, victim)[sizes[victim]:]
    sizes = log_sizes(fcluster)
    freeze(fcluster, victim)
    try:
        wait_for(lambda: "not fed for 2s" in log(fcluster, victim)[sizes[victim]:], 20,
                 what="the watchdog to fire")
    except AssertionError:
        pytest.fail("the watchdog did not fire\n" + logs(fcluster))
    wait_for(lambda: not fcluster.pengine_alive(victim), 10, what="pengine killed")
    wait_fenced(fcluster, sizes, victim)
    assert serving_node(fcluster) == holder
    no_violations(fcluster)
    restore(fcluster)
    wait_serving(fcluster)


def serving_node(cluster) -> str | None:
    try:
        return wait_serving(cluster, timeout=30)
    except BaseException:  # noqa: BLE001 - reported by the caller's assertion
        return None


def test_a_node_cut_off_right_after_it_rejoins_as_coordinator_is_fenced(fcluster):
    wait_serving(fcluster)
    sizes = log_sizes(fcluster)
    fcluster.kill_node("n1")
    wait_fenced(fcluster, sizes, "n1")
    wait_serving(fcluster, timeout=40, avoid="n1")
    sizes = log_sizes(fcluster)
    fcluster.heal("n1")
    fcluster.start_node("n1")
    try:
        # coordinating the whole cluster again, not a partition of its own
        # (its corosync may still be merging rings when it first coordinates)
        wait_for(lambda: "join complete: n1, n2, n3" in log(fcluster, "n1")[sizes["n1"]:],
                 40, interval=0.02, what="n1 coordinating n1, n2 and n3")
    except AssertionError:
        pytest.fail("n1 did not rejoin\n" + logs(fcluster))
    time.sleep(0.1)
    fcluster.partition("n1")
    wait_fenced(fcluster, sizes, "n1")
    no_violations(fcluster)
    restore(fcluster)
    wait_serving(fcluster)


def test_every_fencing_tried_the_levels_in_order(fcluster):
    fenced_by = [line for n in nc.NODES for line in log(fcluster, n).splitlines()
                 if "(reboot) succeeded with" in line]
    assert fenced_by and all("succeeded with fence-netns" in line for line in fenced_by)
    assert any("by levels fence-fail then fence-netns" in log(fcluster, n) for n in nc.NODES)
    attempts = Path(fcluster.workdir / "fence_fail.log").read_text().splitlines()
    # level 1 was tried (and failed) before each fencing that level 2 did
    assert len([a for a in attempts if " reboot " in a]) >= len(fenced_by)


def test_the_alert_agent_logged_every_kind_of_event(fcluster):
    events = Path(fcluster.workdir / "alerts.log").read_text()
    for text in ("node n1 (id 1) is lost", "node n1 (id 1) is member",
                 "fencing reboot of n1: Operation reboot of n1",
                 "resource vip start on", "resource web start on", "resource web stop on"):
        assert text in events, text
