"""A real Pacemaker cluster (Debian's ``pacemaker`` 2.1 with corosync) in
network namespaces, to produce real scheduler inputs (pe-input-N.bz2).

Each node is a network namespace with its own corosync and pacemakerd.  The
paths Pacemaker compiles in (``/var/lib/pacemaker``, ``/var/log/pacemaker``,
``/run``) are bind-mounted from the node's work directory inside the
namespace's private mount namespace (``ip netns exec`` unshares one per
command), so the machine's own directories are never touched and every
node's pe-inputs land in ``WORK/NODE/lib/pengine``.  Client tools
(cibadmin, crm_resource, crm_report) run the same way: Pacemaker's IPC is
libqb abstract sockets, which belong to the network namespace.

Nothing waits a fixed time: ``wait_for`` polls a condition with a deadline.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

SUBNET = "10.253.7"
PACEMAKERD = "/usr/sbin/pacemakerd"


def available() -> str | None:
    """None if a cluster can run here, else why not."""
    if os.geteuid() != 0:
        return "needs root (network namespaces, pacemaker daemons)"
    for program in ("corosync", "ip", "cibadmin", "crm_mon"):
        if shutil.which(program) is None:
            return f"{program} is not installed"
    if not os.path.exists(PACEMAKERD):
        return "Debian's pacemaker package is not installed (apt-get install pacemaker)"
    try:
        import pwd
        pwd.getpwnam("hacluster")
    except KeyError:
        return "no hacluster user (the pacemaker package creates it)"
    return None


def wait_for(condition, what: str, timeout: float = 120.0, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class PacemakerCluster:
    def __init__(self, workdir: Path, nodes: tuple[str, ...] = ("pk1", "pk2"),
                 token_ms: int = 1000):
        self.workdir = Path(workdir)
        self.nodes = nodes
        self.token_ms = token_ms
        self.bridge = f"{nodes[0]}br"
        self.procs: dict[tuple[str, str], subprocess.Popen] = {}

    # ------------------------------------------------------------ layout --
    def node_dir(self, node: str) -> Path:
        return self.workdir / node

    def pengine_dir(self, node: str) -> Path:
        return self.node_dir(node) / "lib" / "pengine"

    def log_file(self, node: str) -> Path:
        return self.node_dir(node) / "log" / "pacemaker.log"

    def address(self, node: str) -> str:
        return f"{SUBNET}.{self.nodes.index(node) + 1}"

    def _corosync_conf(self, node: str) -> str:
        d = self.node_dir(node)
        members = "".join(f"\tnode {{\n\t\tname: {name}\n\t\tnodeid: {i}\n"
                          f"\t\tring0_addr: {SUBNET}.{i}\n\t}}\n"
                          for i, name in enumerate(self.nodes, 1))
        two_node = "\ttwo_node: 1\n" if len(self.nodes) == 2 else ""
        return (f"totem {{\n\tversion: 2\n\tcluster_name: pengine-history\n\ttransport: knet\n"
                f"\tcrypto_cipher: none\n\tcrypto_hash: none\n\ttoken: {self.token_ms}\n}}\n"
                f"system {{\n\tstate_dir: {d}/corosync-state\n\tsched_rr: no\n"
                f"\tmove_to_root_cgroup: no\n}}\n"
                f"logging {{\n\tto_stderr: no\n\tto_syslog: no\n\tto_logfile: yes\n"
                f"\tlogfile: {d}/corosync.log\n\ttimestamp: hires\n}}\n"
                f"quorum {{\n\tprovider: corosync_votequorum\n{two_node}}}\n"
                f"nodelist {{\n{members}}}\n")

    def _mounts(self, node: str) -> str:
        d = self.node_dir(node)
        return (f"mount --bind {d}/run /run && mount --bind {d}/lib /var/lib/pacemaker && "
                f"mount --bind {d}/log /var/log/pacemaker")

    def _prepare(self, node: str) -> None:
        import pwd
        user = pwd.getpwnam("hacluster")
        d = self.node_dir(node)
        for sub in ("run", "corosync-state", "lib", "lib/cib", "lib/pengine", "lib/blackbox",
                    "lib/cores", "log", "log/bundles"):
            (d / sub).mkdir(parents=True, exist_ok=True)
            if sub.startswith(("lib", "log")):
                os.chown(d / sub, user.pw_uid, user.pw_gid)
        (d / "corosync.conf").write_text(self._corosync_conf(node))

    # ------------------------------------------------------------ network --
    def create_namespaces(self) -> None:
        self.delete_namespaces()
        subprocess.run(["ip", "netns", "add", self.bridge], check=True)
        subprocess.run(["ip", "-n", self.bridge, "link", "add", "br0", "type", "bridge"], check=True)
        subprocess.run(["ip", "-n", self.bridge, "link", "set", "br0", "up"], check=True)
        for i, node in enumerate(self.nodes, 1):
            subprocess.run(["ip", "netns", "add", node], check=True)
            subprocess.run(["ip", "-n", node, "link", "set", "lo", "up"], check=True)
            subprocess.run(["ip", "link", "add", "eth0", "netns", node, "type", "veth",
                            "peer", "name", f"v{node}", "netns", self.bridge], check=True)
            subprocess.run(["ip", "-n", self.bridge, "link", "set", f"v{node}", "master", "br0"],
                           check=True)
            subprocess.run(["ip", "-n", self.bridge, "link", "set", f"v{node}", "up"], check=True)
            subprocess.run(["ip", "-n", node, "addr", "add", f"{SUBNET}.{i}/24", "dev", "eth0"],
                           check=True)
            subprocess.run(["ip", "-n", node, "link", "set", "eth0", "up"], check=True)

    def delete_namespaces(self) -> None:
        for name in (*self.nodes, self.bridge):
            subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)

    # ------------------------------------------------------------ daemons --
    def start_node(self, node: str) -> None:
        self._prepare(node)
        d = self.node_dir(node)
        env = dict(os.environ, PCMK_logfile="/var/log/pacemaker/pacemaker.log",
                   PCMK_logfacility="none", PCMK_debug="no")
        with open(d / "corosync.stdout", "ab") as out:
            self.procs[(node, "corosync")] = subprocess.Popen(
                ["setsid", "ip", "netns", "exec", node, "sh", "-c",
                 f"mount --bind {d}/run /run && exec corosync -f -c {d}/corosync.conf"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_for(lambda: self.run_in(node, "corosync-quorumtool", "-s").returncode in (0, 2),
                 f"corosync on {node}", timeout=30, interval=0.2)
        with open(d / "pacemakerd.stdout", "ab") as out:
            self.procs[(node, "pacemakerd")] = subprocess.Popen(
                ["setsid", "ip", "netns", "exec", node, "sh", "-c",
                 f"{self._mounts(node)} && exec {PACEMAKERD}"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)

    def kill_node(self, node: str) -> None:
        """SIGKILL everything in the node's namespace (corosync, pacemakerd and its daemons)."""
        for pid in self.namespace_pids(node):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for key in [k for k in self.procs if k[0] == node]:
            self.procs.pop(key).wait(timeout=30)
        wait_for(lambda: not self.namespace_pids(node), f"{node}'s processes gone", timeout=30)

    def namespace_pids(self, node: str) -> list[int]:
        out = subprocess.run(["ip", "netns", "pids", node], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def stop(self) -> None:
        for node in self.nodes:
            pcmk = self.procs.get((node, "pacemakerd"))
            if pcmk and pcmk.poll() is None:
                pcmk.send_signal(signal.SIGTERM)
        for node in self.nodes:
            pcmk = self.procs.get((node, "pacemakerd"))
            if pcmk:
                try:
                    pcmk.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    pass
        for node in self.nodes:
            if self.namespace_pids(node):
                self.kill_node(node)
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.procs.clear()
        self.delete_namespaces()

    # ------------------------------------------------------------ clients --
    def run_in(self, node: str, *argv: str, input: str | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess:
        """A command inside the node's namespaces (its own view of Pacemaker's paths)."""
        script = f"{self._mounts(node)} && exec \"$@\""
        argv = ["ip", "netns", "exec", node, "sh", "-c", script, "sh", *argv]
        try:
            return subprocess.run(argv, capture_output=True, text=True, input=input,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            # a client waiting for a daemon that is not up yet: "not yet"
            return subprocess.CompletedProcess(argv, 124, "", "timed out")

    def dc(self, node: str) -> str | None:
        out = self.run_in(node, "crmadmin", "-D", "-t", "5000", timeout=10)
        found = re.search(r"Designated Controller is: (\S+)", out.stdout)
        return found.group(1) if found else None

    def idle(self, node: str) -> bool:
        """The DC has nothing more to do (S_IDLE) and no action is pending."""
        dc = self.dc(node)
        if not dc:
            return False
        out = self.run_in(node, "crmadmin", "-S", dc, "-t", "5000", timeout=10)
        return "S_IDLE" in out.stdout + out.stderr

    def pe_inputs(self) -> list[Path]:
        files = []
        for node in self.nodes:
            files += sorted(self.pengine_dir(node).glob("pe-*.bz2"))
        return files


DUMMY = ('<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy">'
         '<operations><op id="{id}-monitor-5s" name="monitor" interval="5s"/></operations>'
         '</primitive>')


def run_story(cluster: PacemakerCluster, log=print) -> list[str]:
    """Drive the cluster through the morning-after story: configuration
    changes, a resource failing for real (its state file removed: the monitor
    returns 7), a constraint moving a resource, the other node killed and
    booted again.  Each step waits until the DC is idle.  Returns the steps."""
    first, second = cluster.nodes[0], cluster.nodes[1]
    steps = []

    def settle(what, node=first):
        # a new scheduler input, then nothing left to do
        wait_for(lambda: len(cluster.pe_inputs()) > seen[0], f"a transition after: {what}",
                 timeout=120)
        wait_for(lambda: cluster.idle(node), f"the DC idle after: {what}", timeout=180)
        seen[0] = len(cluster.pe_inputs())
        steps.append(what)
        log(f"[story] {what}: idle")

    def must(out):
        assert out.returncode == 0, out.stderr
        return out

    wait_for(lambda: cluster.idle(first), "a DC elected and idle", timeout=180)
    seen = [len(cluster.pe_inputs())]
    must(cluster.run_in(first, "crm_attribute", "-t", "crm_config", "-n", "stonith-enabled",
                        "-v", "false"))
    settle("stonith-enabled=false")
    for rid in ("dummy1", "dummy2"):
        must(cluster.run_in(first, "cibadmin", "-C", "-o", "resources", "-X", DUMMY.format(id=rid)))
        settle(f"resource {rid} added")
    where = where_running(cluster, first, "dummy1")
    # ocf:pacemaker:Dummy keeps its state file in the node's (bind-mounted) /run
    state = wait_for(lambda: next((cluster.node_dir(where) / "run").rglob("Dummy-dummy1.state"),
                                  None), "dummy1's state file", timeout=30)
    state.unlink()
    wait_for(lambda: failcount(cluster, first, "dummy1", where), "dummy1's monitor failure",
             timeout=60)
    settle(f"dummy1 failed on {where}")
    # dummy2 moves to the node that is not the DC, which is then killed
    dc = cluster.dc(first)
    target = second if dc == first else first
    must(cluster.run_in(first, "cibadmin", "-C", "-o", "constraints", "-X",
                        f'<rsc_location id="dummy2-prefers" rsc="dummy2" node="{target}" '
                        f'score="200"/>'))
    settle(f"location dummy2 prefers {target}")
    victim = target
    survivor = dc
    cluster.kill_node(victim)
    wait_for(lambda: "OFFLINE" in cluster.run_in(survivor, "crm_mon", "-1").stdout,
             f"{victim} seen offline", timeout=60)
    settle(f"{victim} killed", survivor)
    cluster.start_node(victim)
    wait_for(lambda: f"Online: [ {' '.join(sorted(cluster.nodes))} ]"
             in cluster.run_in(survivor, "crm_mon", "-1").stdout, f"{victim} back", timeout=180)
    settle(f"{victim} joined", survivor)
    return steps


def where_running(cluster: PacemakerCluster, node: str, rid: str) -> str | None:
    out = cluster.run_in(node, "crm_resource", "-W", "-r", rid, "-Q")
    lines = out.stdout.split()
    return lines[0] if out.returncode == 0 and lines else None


def failcount(cluster: PacemakerCluster, node: str, rid: str, on: str) -> bool:
    out = cluster.run_in(node, "crm_failcount", "-G", "-r", rid, "-N", on, "-q")
    return out.returncode == 0 and out.stdout.strip() not in ("", "0")
