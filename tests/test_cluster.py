"""Cluster mode end to end: three nodes in network namespaces, each with its
own Corosync and ``pengine run --cluster``, running the sample configuration
(samples/cluster/cluster.crm: a floating IP and a web server, a fence device
that cuts a node off).

One cluster serves the whole module, in order: cold start; a node killed
(fenced, its service back on a survivor); a node partitioned off (the
majority fences it and keeps the service); every node isolated (no
partition has quorum: each stops what it runs, nobody fences, until the
heal lets a quorate partition form); the
coordinator killed in the middle of a transition (the next one finishes it).
Each test leaves all three nodes running.  Throughout, a watcher checks from
outside, several times a second, that no resource is ever active on two
nodes.

Needs root, network namespaces, corosync and the resource agents; skipped
otherwise.  Marked ``cluster`` (``pytest -m cluster`` runs only these;
benchmarks/cluster_failover.py runs many more cycles).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.execute_helpers import load_state, resource_view, wait_for

HERE = REPO / "samples" / "cluster"
AGENTS = Path("/usr/lib/ocf/resource.d/heartbeat")


def _load_harness():
    spec = importlib.util.spec_from_file_location("netns_cluster", HERE / "netns_cluster.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["netns_cluster"] = module
    spec.loader.exec_module(module)
    return module


nc = _load_harness()


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    for tool in ("ip", "corosync"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    from pengine.transitions.execute import corosync
    if not corosync.available():
        return "corosync's client libraries are not installed"
    for agent in ("IPaddr2", "anything", "Delay"):
        if not (AGENTS / agent).exists():
            return f"ocf:heartbeat:{agent} is not installed (resource-agents)"
    if not Path("/usr/bin/python3").exists():
        return "the sample's web server needs /usr/bin/python3"
    if nc.NetnsCluster.namespaces_in_use():
        return f"network namespaces {nc.NetnsCluster.namespaces_in_use()} are in use"
    probe = "pengine-probe-netns"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True)
    if made.returncode != 0:
        return f"cannot create network namespaces: {made.stderr.decode().strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


REASON = _why_not()
pytestmark = [pytest.mark.cluster, pytest.mark.skipif(REASON is not None, reason=REASON or "")]

SLOW = """
primitive slow ocf:heartbeat:Delay \\
	params startdelay=6 stopdelay=0 mondelay=0 \\
	op start timeout=30s interval=0s \\
	op monitor interval=10s timeout=20s
location slow-avoids-{coordinator} slow -inf: {coordinator}
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    work = tmp_path_factory.mktemp("netns")
    config = work / "cluster.crm"
    shutil.copy(HERE / "cluster.crm", config)
    c = nc.NetnsCluster(work, config)
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


# ------------------------------------------------------------------ helpers --

def log(cluster, node: str) -> str:
    path = cluster.workdir / node / "pengine.log"
    return path.read_text(errors="replace") if path.exists() else ""


def logs(cluster) -> str:
    return "\n".join(f"--- {n}\n" + log(cluster, n)[-3000:] for n in nc.NODES)


def serving(cluster) -> str | None:
    """The node whose IP and web server answer from the client namespace."""
    vip, web = cluster.vip_nodes(), cluster.process_nodes("http.server")
    if len(vip) == 1 and vip == web and cluster.http_status(timeout=0.5) == 200:
        return vip[0]
    return None


def wait_serving(cluster, timeout: float = 30, avoid: str | None = None) -> str:
    def check():
        node = serving(cluster)
        return node if node is not None and node != avoid else None
    try:
        return wait_for(check, timeout, interval=0.1, what="the service to answer")
    except AssertionError:
        pytest.fail("the service does not answer\n" + logs(cluster))


def coordinator(cluster) -> str:
    """The running node with the lowest id coordinates."""
    return next(n for n in nc.NODES if cluster.pengine_alive(n))


def status(cluster, node: str):
    return load_state(cluster.workdir / node / "state")


def log_sizes(cluster) -> dict[str, int]:
    return {n: len(log(cluster, n)) for n in nc.NODES}


def logged_since(cluster, sizes: dict[str, int], line: str) -> str | None:
    """The node whose log has ``line`` after the offsets in ``sizes``."""
    return next((n for n, size in sizes.items() if line in log(cluster, n)[size:]), None)


def restore(cluster) -> None:
    """Heal, boot every node that is down, and wait until a coordinator has
    every node joined (its log says so: a restarted coordinator's status
    file is stale until then)."""
    sizes = log_sizes(cluster)
    booted = cluster.heal_and_boot()
    if not booted:
        return
    try:
        wait_for(lambda: logged_since(cluster, sizes, "join complete: " + ", ".join(nc.NODES)),
                 40, interval=0.2, what="every node to join")
    except AssertionError:
        pytest.fail("nodes did not rejoin\n" + logs(cluster))


def no_violations(cluster) -> None:
    assert cluster.watch.violations == [], \
        "active on two nodes: " + repr(cluster.watch.violations[:5])


# -------------------------------------------------------------------- tests --

def test_cold_start_places_everything(cluster):
    node = wait_serving(cluster, timeout=60)
    first = coordinator(cluster)
    assert first == "n1"
    wait_for(lambda: resource_view(status(cluster, first), "fence-netns")["running"],
             20, what="the fence device to start")
    cib = status(cluster, first)
    assert resource_view(cib, "vip")["running"] == [node]
    assert resource_view(cib, "web")["running"] == [node]
    assert dict(cib.attributes)["have-quorum"] == "1"
    # every node keeps the status the coordinator publishes
    wait_for(lambda: all(resource_view(status(cluster, n), "web")["running"] == [node]
                         for n in nc.NODES), 10, what="every node's copy of the status")
    no_violations(cluster)


def test_killed_node_is_fenced_and_its_service_recovers(cluster):
    victim = wait_serving(cluster)
    web_pids = [p for p in nc.netns_pids(victim) if "http.server" in nc.cmdline(p)]
    assert web_pids
    sizes = log_sizes(cluster)
    killed = time.monotonic()
    cluster.kill_node(victim)                      # corosync and pengine, not the service
    survivor = wait_serving(cluster, timeout=30, avoid=victim)
    elapsed = time.monotonic() - killed
    print(f"\nfailover after killing {victim}: service answers on {survivor} after "
          f"{elapsed:.1f}s")
    # fenced: its service died with it, before the survivor started its own
    assert not any(nc.alive(p) for p in web_pids)
    assert logged_since(cluster, sizes, f"fencing {victim} (reboot) succeeded")
    assert not nc.netns_pids(victim)
    assert elapsed < 30
    no_violations(cluster)
    restore(cluster)
    assert wait_serving(cluster) == survivor          # stickiness: it stays


def test_partitioned_node_loses_the_service_to_the_majority(cluster):
    victim = wait_serving(cluster)
    sizes = log_sizes(cluster)
    cluster.partition(victim)
    majority = [n for n in nc.NODES if n != victim]
    try:
        survivor = wait_for(lambda: next((n for n in majority if cluster.vip_nodes() == [n]
                                          and cluster.process_nodes("http.server") == [n]),
                                         None), 30, interval=0.1, what="recovery")
    except AssertionError:
        pytest.fail("the majority did not recover the service\n" + logs(cluster))
    assert victim not in cluster.vip_nodes() + cluster.process_nodes("http.server")
    minority = log(cluster, victim)
    # the minority lost quorum; it stopped its resources itself or the
    # majority's fencing did it first
    assert "NOT quorate" in minority[sizes[victim]:] or not nc.netns_pids(victim), \
        minority[-2000:]
    assert logged_since(cluster, sizes, f"fencing {victim} (reboot) succeeded")
    no_violations(cluster)
    restore(cluster)
    assert wait_serving(cluster) == survivor


def test_without_quorum_every_partition_stops_its_resources(cluster):
    holder = wait_serving(cluster)
    sizes = log_sizes(cluster)
    for node in nc.NODES:
        cluster.partition(node)
    try:
        wait_for(lambda: not cluster.vip_nodes() and not cluster.process_nodes("http.server"),
                 30, interval=0.1, what="every partition to stop its resources")
    except AssertionError:
        pytest.fail("resources still run without quorum\n" + logs(cluster))
    # nobody had quorum, so nobody was fenced
    assert all(cluster.pengine_alive(n) and cluster.corosync_alive(n) for n in nc.NODES)
    assert "due to no quorum" in log(cluster, holder)[sizes[holder]:]
    assert not logged_since(cluster, sizes, "fencing")
    # healing: the first quorate partition to form may fence a node that was
    # still cut off (it left while expected up), as Pacemaker does
    for node in nc.NODES:
        cluster.heal(node)
    wait_serving(cluster, timeout=40)
    no_violations(cluster)
    restore(cluster)
    wait_serving(cluster)


def test_new_coordinator_finishes_the_transition(cluster):
    wait_serving(cluster)
    old = coordinator(cluster)
    config = Path(cluster.config)
    config.write_text(config.read_text() + SLOW.format(coordinator=old))
    # the coordinator sees the change and starts the slow resource elsewhere
    try:
        runner = wait_for(lambda: next(iter(cluster.file_nodes("Delay_slow")), None), 30,
                          interval=0.05, what="the slow start to begin")
    except AssertionError:
        pytest.fail("the slow resource was not started\n" + logs(cluster))
    assert runner != old
    sizes = log_sizes(cluster)
    cluster.kill_node(old)
    new = coordinator(cluster)
    finished = (f"fencing {old} (reboot) succeeded", f"result of slow start on {runner}: ok")
    try:
        wait_for(lambda: all(line in log(cluster, new)[sizes[new]:] for line in finished), 40,
                 interval=0.2, what="the new coordinator to finish")
    except AssertionError:
        pytest.fail("the new coordinator did not finish\n" + logs(cluster))
    assert "this node coordinates the partition now" in log(cluster, new)[sizes[new]:]
    wait_for(lambda: resource_view(status(cluster, new), "slow")["running"] == [runner],
             10, what="the start to be recorded")
    wait_serving(cluster, timeout=30)
    assert cluster.file_nodes("Delay_slow") == [runner]
    no_violations(cluster)
    restore(cluster)
    wait_serving(cluster)
    assert cluster.file_nodes("Delay_slow") == [runner]
