"""``pengine run --cluster`` as a cluster manager, end to end on the three-node
namespace cluster (samples/cluster/netns_cluster.py) with real agents:

- the attribute manager: ocf:pacemaker:Stateful promotes one node through
  its own ``crm_attribute --promotion`` calls, and the promotion moves when
  the promoted node dies; ocf:pacemaker:ping's ``attrd_updater`` feeds the
  ``pingd`` rule the service depends on;
- one configuration: a change made on n3 (``pengine configure``) reaches
  every node;
- admin commands: ``pengine resource move`` then ``clear``; a fencing
  failure (the device cannot reach the node) makes the coordinator give
  up, and ``pengine fencing cleanup`` makes it fence again.

Needs root and the namespace tools (skipped otherwise, as tests/test_cluster.py);
run it under ``flock /work/coord/netns.lock`` when others share the machine.
"""

from __future__ import annotations

import os
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import run_pengine
from tests.execute_helpers import wait_for
from tests.test_cluster import HERE, REASON, nc

STATEFUL = Path("/usr/lib/ocf/resource.d/pacemaker/Stateful")
PING = Path("/usr/lib/ocf/resource.d/pacemaker/ping")


def _why_not() -> str | None:
    if REASON is not None:
        return REASON
    for agent in (STATEFUL, PING):
        if not agent.exists():
            return f"{agent} is not installed (pacemaker-resource-agents)"
    if shutil.which("ping") is None:
        return "ping is not installed (iputils-ping)"
    return None


pytestmark = [pytest.mark.cluster, pytest.mark.skipif(_why_not() is not None,
                                                      reason=_why_not() or "")]

EXTRA = f"""
primitive stateful ocf:pacemaker:Stateful \\
	op monitor interval=5s role=Promoted timeout=20s \\
	op monitor interval=6s role=Unpromoted timeout=20s
clone stateful-clone stateful \\
	meta promotable=true promoted-max=1 promoted-node-max=1
primitive ping ocf:pacemaker:ping \\
	params host_list={nc.CLIENT_ADDRESS} dampen=0s multiplier=1000 \\
	op monitor interval=5s timeout=20s
clone ping-clone ping
location site-on-connected site rule -inf: not_defined pingd or pingd lte 0
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    work = tmp_path_factory.mktemp("netns")
    config = work / "cluster.crm"
    text = (HERE / "cluster.crm").read_text().replace(
        "no-quorum-policy=stop", "no-quorum-policy=stop \\\n\tstonith-max-attempts=2")
    config.write_text(text + EXTRA)
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


def state(cluster, node: str) -> str:
    return str(cluster.workdir / node / "state")


def logs(cluster) -> str:
    return "\n".join(f"--- {n}\n" + (cluster.workdir / n / "pengine.log").read_text(
        errors="replace")[-4000:] for n in nc.NODES)


def live(cluster, node: str) -> ET.Element | None:
    if not cluster.pengine_alive(node):
        return None
    done = run_pengine("status", "--output-as", "xml", "--state-dir", state(cluster, node))
    if done.returncode != 0:
        return None
    root = ET.fromstring(done.stdout)
    return root if root.find("summary/source").get("live") == "true" else None


def stateful_roles(cluster, node: str = "n1") -> dict[str, str]:
    root = live(cluster, node)
    if root is None:
        return {}
    roles = {}
    for rsc in root.iter("resource"):
        if rsc.get("id") == "stateful":
            for where in rsc.findall("node"):
                roles[where.get("name")] = rsc.get("role")
    return roles


def one_promoted(cluster, among, node: str = "n1"):
    roles = stateful_roles(cluster, node)
    promoted = [n for n, r in roles.items() if r == "Promoted"]
    if len(promoted) == 1 and set(roles) == set(among) and \
            all(r in ("Promoted", "Unpromoted") for r in roles.values()):
        return promoted[0]
    return None


def serving(cluster) -> str | None:
    nodes = cluster.vip_nodes()
    return nodes[0] if len(nodes) == 1 and cluster.http_status() == 200 else None


def attribute(cluster, holder: str, node: str, name: str) -> str | None:
    root = live(cluster, holder)
    if root is None:
        return None
    found = root.find(f"node_attributes/node[@name='{node}']/attribute[@name='{name}']")
    return found.get("value") if found is not None else None


def everyone_up(cluster):
    if cluster.heal_and_boot():
        wait_for(lambda: serving(cluster), 120, what="service back")
    wait_for(lambda: one_promoted(cluster, nc.NODES), 120, what="stateful settled")


def test_stateful_promotes_and_ping_feeds_the_rule(cluster):
    promoted = wait_for(lambda: one_promoted(cluster, nc.NODES), 120,
                        what="one Promoted, two Unpromoted")
    assert promoted in nc.NODES, logs(cluster)
    # the agents' own crm_attribute and attrd_updater calls reached the cluster
    for node in nc.NODES:
        assert attribute(cluster, "n2", node, "pingd") == "1000"
    wait_for(lambda: serving(cluster), 60, what="the site serving")


def test_promotion_moves_when_the_promoted_node_dies(cluster):
    promoted = wait_for(lambda: one_promoted(cluster, nc.NODES), 120, what="promoted")
    survivors = [n for n in nc.NODES if n != promoted]
    cluster.kill_node(promoted)
    after = wait_for(lambda: one_promoted(cluster, survivors, survivors[0]), 120,
                     what="promotion on a survivor")
    assert after in survivors, logs(cluster)
    everyone_up(cluster)


def test_a_configuration_changed_on_n3_reaches_all_nodes(cluster, tmp_path, monkeypatch):
    change = tmp_path / "change.crm"
    change.write_text("primitive marker ocf:heartbeat:Dummy op monitor interval=10s\n")
    done = run_pengine("configure", str(change), "--state-dir", state(cluster, "n3"))
    assert done.returncode == 0, done.stderr + logs(cluster)
    assert "configuration version" in done.stdout
    for node in nc.NODES:
        wait_for(lambda: "marker" in (cluster.workdir / node / "state" / "cib.xml").read_text(),
                 20, what=f"the change in {node}'s copy")
        text = run_pengine("status", "--state-dir", state(cluster, node)).stdout
        assert "Stack: corosync (pengine run --cluster)" in text
        assert "marker\t(ocf:heartbeat:Dummy)" in text
    editor = tmp_path / "drop-marker"
    editor.write_text("#!/usr/bin/env python3\nimport re, sys\n"
                      "text = open(sys.argv[1]).read()\n"
                      "text = re.sub(r'^primitive marker .*?(?<!\\\\)\\n', '', text, "
                      "flags=re.S | re.M)\n"
                      "open(sys.argv[1], 'w').write(text)\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    removed = run_pengine("configure", "edit", "--state-dir", state(cluster, "n2"))
    assert removed.returncode == 0, removed.stderr
    wait_for(lambda: "marker" not in (cluster.workdir / "n1" / "state" / "cib.xml").read_text(),
             20, what="the marker gone")


def test_resource_move_then_clear(cluster):
    everyone_up(cluster)
    where = wait_for(lambda: serving(cluster), 60, what="serving")
    target = next(n for n in nc.NODES if n != where)
    done = run_pengine("resource", "move", "site", target, "--lifetime", "PT1H",
                       "--state-dir", state(cluster, "n1"))
    assert done.returncode == 0, done.stderr
    wait_for(lambda: serving(cluster) == target, 60, what=f"the site on {target}")
    cib = (cluster.workdir / "n2" / "state" / "cib.xml").read_text()
    assert 'id="cli-prefer-site"' in cib and "date_expression" in cib
    cleared = run_pengine("resource", "clear", "site", "--state-dir", state(cluster, "n2"))
    assert cleared.returncode == 0 and "cli-prefer-site" in cleared.stdout
    time.sleep(3)
    assert serving(cluster) == target           # stickiness keeps it there


def test_fencing_cleanup_resets_a_fencing_failure(cluster, tmp_path):
    everyone_up(cluster)
    victim = "n3"
    blind = tmp_path / "blind.crm"
    blind.write_text('primitive fence-netns stonith:fence_netns '
                     'params pcmk_host_list="n1 n2" op monitor interval=60s timeout=20s\n')
    assert run_pengine("configure", str(blind), "--state-dir",
                       state(cluster, "n1")).returncode == 0
    cluster.kill_node(victim)
    wait_for(lambda: "giving up" in (cluster.workdir / "n1" / "pengine.log").read_text(),
             60, what="the coordinator giving up")
    history = run_pengine("fencing", "history", "--state-dir", state(cluster, "n2"))
    assert f"{victim}: 2 failed fencing attempts" in history.stdout, history.stdout
    seeing = tmp_path / "seeing.crm"
    seeing.write_text('primitive fence-netns stonith:fence_netns '
                      'params pcmk_host_list="n1 n2 n3" op monitor interval=60s timeout=20s\n')
    assert run_pengine("configure", str(seeing), "--state-dir",
                       state(cluster, "n2")).returncode == 0
    time.sleep(3)
    assert "succeeded" not in run_pengine("fencing", "history", "--state-dir",
                                          state(cluster, "n1")).stdout
    done = run_pengine("fencing", "cleanup", victim, "--state-dir", state(cluster, "n2"))
    assert done.returncode == 0 and victim in done.stdout, done.stderr
    wait_for(lambda: f"reboot of {victim} success" in run_pengine(
        "fencing", "history", "--state-dir", state(cluster, "n1")).stdout, 60,
        what=f"{victim} fenced after the cleanup")
    wait_for(lambda: serving(cluster), 60, what="service")
    everyone_up(cluster)
