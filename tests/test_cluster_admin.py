"""The attribute manager, the one configuration and the admin commands of
``pengine run --cluster``, without root: three ClusterControllers over the
fake Corosync (tests/cluster_fakes.py), reached through their control
sockets by the real tools (``crm_attribute``, ``attrd_updater``, ``pengine
configure``, ``pengine resource``...).  tests/test_cluster_manager.py runs
the same on the namespace cluster with real agents."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.cluster_fakes import FakeCluster, TwiceWatch
from tests.conftest import REPO, run_pengine
from tests.execute_helpers import wait_for
from pengine.transitions.execute import admin
from pengine.transitions.execute.control import ask, socket_path

CONFIG = """node 1: n1
node 2: n2
node 3: n3
primitive fence stonith:fence_test params pcmk_host_list="n1 n2 n3" \\
    op monitor interval=60s
primitive d1 ocf:test:Dummy op monitor interval=1s
primitive d2 ocf:test:Dummy op monitor interval=1s
location d1-where-pingd d1 rule -inf: not_defined pingd or pingd lte 0
property fencing-enabled=true no-quorum-policy=stop dc-deadtime=10s stonith-max-attempts=2
rsc_defaults resource-stickiness=100
"""


@pytest.fixture
def cluster(tmp_path):
    c = FakeCluster(tmp_path, CONFIG)
    c.watch = TwiceWatch(c, ["d1", "d2"])
    c.watch.start()
    for name in ("n1", "n2", "n3"):
        c.start(name)
    wait_for(lambda: len(c.active("d2")) == 1, 30, what="d2 placed")
    yield c
    c.watch.stop()
    c.stop()
    assert c.watch.violations == []


def sock(cluster: FakeCluster, node: str) -> str:
    return socket_path(cluster.nodes[node].controller.state.path)


def tool(cluster: FakeCluster, node: str, *argv: str, env: dict | None = None):
    """One of the agents' tools, as an agent on ``node`` runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pengine.cli.agent_commands", *argv], capture_output=True,
        text=True, timeout=60, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "PENGINE_CONTROL_SOCKET": sock(cluster, node),
             **(env or {})})


def transient(cluster: FakeCluster, holder: str, node: str, name: str):
    return admin.node_attribute(cluster.nodes[holder].controller.cib, node, name, admin.REBOOT)


def test_attrd_updater_drives_a_location_rule_and_every_node_holds_the_value(cluster):
    assert cluster.active("d1") == []           # no node has pingd yet
    done = tool(cluster, "n3", "attrd_updater", "-n", "pingd", "-U", "1000", "-d", "5s")
    assert done.returncode == 0, done.stderr
    # when the tool returns, the asking node already holds the value
    assert transient(cluster, "n3", "n3", "pingd") == "1000"
    wait_for(lambda: all(transient(cluster, n, "n3", "pingd") == "1000"
                         for n in ("n1", "n2", "n3")), 10, what="pingd on every copy")
    wait_for(lambda: cluster.active("d1") == ["n3"], 20, what="d1 on n3")
    query = tool(cluster, "n1", "attrd_updater", "-n", "pingd", "-Q", "-N", "n3")
    assert query.returncode == 0 and 'value="1000"' in query.stdout
    missing = tool(cluster, "n1", "attrd_updater", "-n", "nope", "-Q")
    assert missing.returncode == 105


def test_crm_attribute_promotion_and_lifetimes(cluster):
    env = {"OCF_RESOURCE_INSTANCE": "stateful:0"}
    assert tool(cluster, "n2", "crm_attribute", "--promotion", "-v", "10", env=env).returncode == 0
    assert transient(cluster, "n2", "n2", "master-stateful:0") == "10"
    got = tool(cluster, "n1", "crm_master", "-G", "-q", "-N", "n2", env=env)
    assert (got.returncode, got.stdout.strip()) == (0, "10")
    assert tool(cluster, "n2", "crm_master", "-D", env=env).returncode == 0
    assert transient(cluster, "n2", "n2", "master-stateful:0") is None
    # forever: the node's attribute in the configuration, with a new epoch
    before = cluster.nodes["n1"].controller.config_version
    assert tool(cluster, "n3", "crm_attribute", "-N", "n1", "-n", "rack", "-v", "r7",
                "-l", "forever").returncode == 0
    copy = cluster.nodes["n3"].controller
    assert admin.node_attribute(copy.cib, "n1", "rack", admin.FOREVER) == "r7"
    assert copy.config_version[:2] == (before[0], before[1] + 1)
    got = tool(cluster, "n2", "crm_attribute", "-N", "n1", "-n", "rack", "-G", "-l", "forever")
    assert "scope=nodes  name=rack value=r7" in got.stdout
    bad = tool(cluster, "n2", "crm_attribute", "-N", "nowhere", "-n", "x", "-v", "1",
               "-l", "reboot")
    assert bad.returncode == 1 and "nowhere" in bad.stderr


def test_transient_attributes_go_when_their_node_leaves(cluster):
    assert tool(cluster, "n3", "attrd_updater", "-n", "pingd", "-U", "1").returncode == 0
    assert tool(cluster, "n2", "attrd_updater", "-n", "pingd", "-U", "1").returncode == 0
    wait_for(lambda: len(cluster.active("d1")) == 1, 20, what="d1 placed")
    cluster.kill("n3")
    wait_for(lambda: "n3" in cluster.fenced, 20, what="n3 fenced")
    wait_for(lambda: transient(cluster, "n1", "n3", "pingd") is None, 10,
             what="n3's pingd dropped")
    assert transient(cluster, "n1", "n2", "pingd") == "1"


def test_a_configuration_from_one_node_reaches_all_with_the_next_epoch(cluster, tmp_path):
    version = cluster.nodes["n1"].controller.config_version
    addition = tmp_path / "more.crm"
    addition.write_text("primitive d3 ocf:test:Dummy op monitor interval=1s\n")
    done = run_pengine("configure", str(addition), "--state-dir",
                       cluster.nodes["n3"].controller.state.path)
    assert done.returncode == 0, done.stderr
    assert f"version {version[0]}.{version[1] + 1}" in done.stdout
    for name in ("n1", "n2", "n3"):
        wait_for(lambda: cluster.nodes[name].controller.cib.configuration.resource("d3"),
                 10, what=f"d3 in {name}'s configuration")
    wait_for(lambda: len(cluster.active("d3")) == 1, 20, what="d3 started")
    # a file with an error: a positioned error, exit 1, nothing sent
    broken = tmp_path / "broken.crm"
    broken.write_text("primitve d4 ocf:test:Dummy\n")
    failed = run_pengine("configure", str(broken), "--state-dir",
                         cluster.nodes["n2"].controller.state.path)
    assert failed.returncode == 1 and "broken.crm:1:" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_move_then_clear(cluster):
    state = cluster.nodes["n2"].controller.state.path
    where = cluster.active("d2")[0]
    target = next(n for n in ("n1", "n2", "n3") if n != where)
    moved = run_pengine("resource", "move", "d2", target, "--lifetime", "PT1H",
                        "--state-dir", state)
    assert moved.returncode == 0, moved.stderr
    wait_for(lambda: cluster.active("d2") == [target], 20, what=f"d2 moved to {target}")
    constraints = {c.id for c in cluster.nodes["n3"].controller.cib.configuration.constraints}
    assert f"cli-prefer-d2" in constraints
    cleared = run_pengine("resource", "clear", "d2", "--state-dir", state)
    assert cleared.returncode == 0 and "cli-prefer-d2" in cleared.stdout
    constraints = {c.id for c in cluster.nodes["n3"].controller.cib.configuration.constraints}
    assert "cli-prefer-d2" not in constraints
    # stickiness keeps it where it went
    assert cluster.active("d2") == [target]
    unknown = run_pengine("resource", "move", "nope", "n1", "--state-dir", state)
    assert unknown.returncode == 1 and "nope" in unknown.stderr


def test_cleanup_resets_a_fencing_failure(cluster):
    cluster._halt.set()                       # the fence device stops working
    cluster._fencer.join(5)
    cluster.kill("n3")
    n1 = cluster.nodes["n1"].controller
    wait_for(lambda: n1.fence_failures.get("n3", 0) >= 2, 60, what="two fencing failures")
    history = run_pengine("fencing", "history", "--state-dir", n1.state.path)
    assert "n3" in history.stdout and "failed" in history.stdout
    # the device works again, but the cluster has given up until the cleanup
    import threading
    cluster._halt.clear()
    cluster._fencer = threading.Thread(target=cluster._fence_loop, daemon=True)
    cluster._fencer.start()
    done = run_pengine("fencing", "cleanup", "--state-dir",
                       cluster.nodes["n2"].controller.state.path)
    assert done.returncode == 0 and "n3" in done.stdout, done.stderr
    wait_for(lambda: "n3" in cluster.fenced, 30, what="n3 fenced after the cleanup")


def test_status_is_live_from_any_node_and_standby_empties_a_node(cluster):
    import xml.etree.ElementTree as ET
    n3 = cluster.nodes["n3"].controller.state.path
    where = cluster.active("d2")[0]
    done = run_pengine("node", "standby", where, "--state-dir", n3)
    assert done.returncode == 0, done.stderr
    wait_for(lambda: len(cluster.active("d2")) == 1 and cluster.active("d2")[0] != where, 20,
             what="d2 off the standby node")
    text = run_pengine("status", "-1", "-f", "-r", "--state-dir", n3)
    assert text.returncode == 0, text.stderr
    assert "Live from: pengine run on n3 (coordinator n1)" in text.stdout
    assert "Stack: corosync (pengine run --cluster)" in text.stdout
    assert f"Node {where}: standby" in text.stdout
    xml = run_pengine("status", "--output-as", "xml", "--state-dir", n3)
    root = ET.fromstring(xml.stdout)
    assert root.find("summary/source").get("live") == "true"
    assert root.find(f"nodes/node[@name='{where}']").get("standby") == "true"
    assert root.find("summary/current_dc").get("name") == "n1"
    assert run_pengine("node", "online", where, "--state-dir", n3).returncode == 0
    # the file fallback says so
    stale = run_pengine("status", "--file", "--state-dir", n3)
    assert "From the file:" in stale.stdout and "not live" in stale.stdout


# ------------------------------------------------- pure parts, no cluster --

def _cib(text: str = CONFIG):
    from pengine.cib.load import parse_config
    return parse_config(text.encode(), "t.crm")


def test_admin_messages_survive_encoding():
    from pengine.transitions.execute import cluster_messages as msg
    for message in (msg.AdminRequest("n1:7:1", "n1", "attribute", '{"name": "x"}'),
                    msg.AdminAnswer("n1:7:1", "n1", True, "done", '{"version": [0, 2, 0]}'),
                    msg.JoinReply("r", "n2", False, b"<cib/>", (1, 2), None, (0, 4, 1),
                                  b"<cib/>")):
        assert msg.decode(msg.encode(message)) == message


def test_ban_and_prefer_are_written_as_crm_resource_writes_them():
    from pengine.cib.cib_xml import write_cib
    cib = admin.ban(_cib(), "d1", "n2", "PT1H", now=0)
    xml = write_cib(cib)
    assert '<rsc_location id="cli-ban-d1-on-n2" rsc="d1">' in xml
    assert 'id="cli-ban-d1-on-n2-rule" score="-INFINITY" boolean-op="and"' in xml
    assert 'end="1970-01-01 01:00:00Z"' in xml
    cib = admin.prefer(cib, "d1", "n3")
    assert 'id="cli-prefer-d1" rsc="d1" role="Started" score="INFINITY" node="n3"' \
        in write_cib(cib)
    only_n2, removed = admin.clear(cib, "d1", "n2")
    assert removed == ["cli-ban-d1-on-n2"]
    _, removed = admin.clear(cib, "d1")
    assert sorted(removed) == ["cli-ban-d1-on-n2", "cli-prefer-d1"]
    with pytest.raises(admin.AdminError):
        admin.ban(_cib(), "d1", "n2", "soon")
    with pytest.raises(admin.AdminError):
        admin.prefer(_cib(), "nope", "n2")


def test_an_update_merges_by_id_and_versions_order_configurations():
    base = _cib()
    new = admin.update_configuration(base, _cib(
        "primitive d2 ocf:test:Dummy op monitor interval=9s\n"
        "primitive d9 ocf:test:Dummy\n"))
    ids = [r.id for r in new.configuration.resources]
    assert ids[-1] == "d9" and ids.count("d2") == 1
    assert new.configuration.resource("d2").ops[0].interval == "9s"
    assert admin.config_version(admin.with_version(base, (1, 0, 0))) > \
        admin.config_version(admin.with_version(base, (0, 99, 99)))
    assert admin.next_epoch((0, 4, 7)) == (0, 5, 0)


def test_cleanup_forgets_fail_counts_and_history_of_one_resource():
    from pengine.transitions.execute import membership as ms
    cib = _cib()
    node = ms.ClusterNode(2, "n2", "2")
    cib = ms.set_transient(cib, node, "fail-count-d1#monitor_1000", "3")
    cib = ms.set_transient(cib, node, "fail-count-d2#monitor_1000", "1")
    cib = ms.set_transient(cib, node, "pingd", "1")
    clean = admin.cleanup(cib, "d1", "n2")
    assert admin.node_attribute(clean, "n2", "fail-count-d1#monitor_1000", admin.REBOOT) is None
    assert admin.node_attribute(clean, "n2", "fail-count-d2#monitor_1000", admin.REBOOT) == "1"
    assert admin.node_attribute(clean, "n2", "pingd", admin.REBOOT) == "1"


def test_resource_cleanup_forgets_a_failure_and_restart_stops_then_starts(cluster):
    where = cluster.active("d2")[0]
    n1 = cluster.nodes["n1"].controller
    (cluster.nodes[where].ocf_root / "d2.state").unlink()      # d2 dies: its monitor fails
    fail_count = f"fail-count-d2#monitor_1000"
    wait_for(lambda: admin.node_attribute(n1.cib, where, fail_count, admin.REBOOT), 20,
             what="a fail count")
    wait_for(lambda: len(cluster.active("d2")) == 1, 20, what="d2 recovered")
    state = cluster.nodes["n2"].controller.state.path
    done = run_pengine("resource", "cleanup", "d2", "--node", where, "--state-dir", state)
    assert done.returncode == 0, done.stderr
    assert admin.node_attribute(cluster.nodes["n2"].controller.cib, where, fail_count,
                                admin.REBOOT) is None
    restarted = run_pengine("resource", "restart", "d2", "--state-dir", state)
    assert restarted.returncode == 0, restarted.stderr
    assert "d2 stopped" in restarted.stdout and "d2 starting" in restarted.stdout
    wait_for(lambda: len(cluster.active("d2")) == 1, 20, what="d2 started again")
    assert all(s.get("target-role") is None for s in n1.cib.configuration.resource("d2").meta)
