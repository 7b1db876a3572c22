#!/usr/bin/env python3
"""A three-node Corosync cluster in network namespaces, on one machine (root).

Each node is a network namespace (``n1``, ``n2``, ``n3``) with one interface
``eth0`` (10.254.0.N/24) on a bridge that lives in a fourth namespace
(``nbr``, 10.254.0.254: the client).  Nothing is added to the root
namespace.  Each node runs its own corosync (knet, ``token: 1000``) and,
when asked, ``pengine run --cluster`` with the sample configuration.

    netns_cluster.py up                 # namespaces, corosync and pengine on n1..n3
    netns_cluster.py status             # who runs what (from outside), quorum per node
    netns_cluster.py kill n2            # SIGKILL n2's corosync and pengine
    netns_cluster.py start n2           # start them again (after fencing: power on first)
    netns_cluster.py partition n3       # cut n3 off the bridge / heal n3
    netns_cluster.py down               # stop everything, delete the namespaces

Corosync pitfalls handled here (see the README): each corosync gets a private
/run (its pid file is compiled in), runs in its own session, and its libqb
leftovers in /dev/shm are removed when it dies.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NODES = ("n1", "n2", "n3")
BRIDGE_NS = "nbr"
SUBNET = "10.254.0"
CLIENT_ADDRESS = f"{SUBNET}.254"
VIP = f"{SUBNET}.100"
CLONE_NEWNET = 0x40000000


def run(*argv: str, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=check, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL if quiet else subprocess.PIPE)


def node_address(node: str) -> str:
    return f"{SUBNET}.{NODES.index(node) + 1}"


def corosync_conf(node: str, workdir: Path, token_ms: int) -> str:
    nodes = "".join(f"\tnode {{\n\t\tname: {name}\n\t\tnodeid: {i}\n"
                    f"\t\tring0_addr: {SUBNET}.{i}\n\t}}\n" for i, name in enumerate(NODES, 1))
    d = workdir / node
    return (f"totem {{\n\tversion: 2\n\tcluster_name: pengine-netns\n\ttransport: knet\n"
            f"\tcrypto_cipher: none\n\tcrypto_hash: none\n\ttoken: {token_ms}\n}}\n"
            f"system {{\n\tstate_dir: {d}/corosync-state\n\tsched_rr: no\n"
            f"\tmove_to_root_cgroup: no\n}}\n"
            f"logging {{\n\tto_stderr: no\n\tto_syslog: no\n\tto_logfile: yes\n"
            f"\tlogfile: {d}/corosync.log\n\ttimestamp: hires\n\tdebug: off\n}}\n"
            f"quorum {{\n\tprovider: corosync_votequorum\n\texpected_votes: {len(NODES)}\n}}\n"
            f"nodelist {{\n{nodes}}}\n")


def netns_inode(name: str) -> int | None:
    try:
        return os.stat(f"/run/netns/{name}").st_ino
    except OSError:
        return None


def netns_pids(name: str) -> list[int]:
    """Every process whose network namespace is ``name`` (ip netns pids)."""
    inode = netns_inode(name)
    if inode is None:
        return []
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}/ns/net").st_ino == inode:
                pids.append(int(entry))
        except OSError:
            continue
    return pids


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def in_netns(name: str, function, *args):
    """Call ``function`` on a thread that has entered network namespace ``name``
    (sockets created there belong to it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    result: list = []

    def body():
        fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), f"setns {name}")
        finally:
            os.close(fd)
        try:
            result.append((True, function(*args)))
        except BaseException as error:  # noqa: BLE001 - re-raised by the caller
            result.append((False, error))

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    thread.join()
    ok, value = result[0]
    if not ok:
        raise value
    return value


def _is_local(address: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((address, 0))
        except OSError:
            return False
    return True


def _http_get(address: str, port: int, timeout: float) -> int | None:
    try:
        with socket.create_connection((address, port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            conn.sendall(f"GET / HTTP/1.0\r\nHost: {address}\r\n\r\n".encode())
            head = conn.recv(64).decode(errors="replace")
    except OSError:
        return None
    parts = head.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None



def _terminate(proc: subprocess.Popen, sig: int, timeout: float) -> None:
    """Signal a process and wait for it, killing it after ``timeout`` seconds."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

class NetnsCluster:
    """Namespaces, corosync and pengine processes of the sample cluster."""

    def __init__(self, workdir: Path, config: Path | None = None, token_ms: int = 1000,
                 python: str = sys.executable, pengine_args: tuple[str, ...] = ()):
        self.workdir = Path(workdir)
        self.config = Path(config) if config else HERE / "cluster.crm"
        self.token_ms = token_ms
        self.python = python
        self.pengine_args = pengine_args
        self.corosync: dict[str, subprocess.Popen] = {}
        self.pengine: dict[str, subprocess.Popen] = {}
        self.dead_corosync_pids: set[int] = set()

    # ------------------------------------------------------- namespaces --

    @staticmethod
    def namespaces_in_use() -> list[str]:
        return [n for n in (*NODES, BRIDGE_NS) if netns_inode(n) is not None]

    def create_namespaces(self) -> None:
        run("ip", "netns", "add", BRIDGE_NS)
        run("ip", "-n", BRIDGE_NS, "link", "set", "lo", "up")
        run("ip", "-n", BRIDGE_NS, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", BRIDGE_NS, "addr", "add", f"{CLIENT_ADDRESS}/24", "dev", "br0")
        run("ip", "-n", BRIDGE_NS, "link", "set", "br0", "up")
        for node in NODES:
            port = f"v{node}"
            run("ip", "netns", "add", node)
            run("ip", "-n", node, "link", "set", "lo", "up")
            run("ip", "link", "add", "eth0", "netns", node, "type", "veth", "peer", "name", port,
                "netns", BRIDGE_NS)
            run("ip", "-n", BRIDGE_NS, "link", "set", port, "master", "br0")
            run("ip", "-n", BRIDGE_NS, "link", "set", port, "up")
            self.power_on(node)

    def power_on(self, node: str) -> None:
        """The node's interface up with its own address (after fencing took it down)."""
        address = f"{node_address(node)}/24"
        present = run("ip", "-n", node, "-o", "addr", "show", "dev", "eth0").stdout
        if f" {address} " not in present:
            run("ip", "-n", node, "addr", "add", address, "dev", "eth0")
        run("ip", "-n", node, "link", "set", "eth0", "up")

    def partition(self, node: str) -> None:
        run("ip", "-n", BRIDGE_NS, "link", "set", f"v{node}", "down")

    def heal(self, node: str) -> None:
        run("ip", "-n", BRIDGE_NS, "link", "set", f"v{node}", "up")

    def delete_namespaces(self) -> None:
        for name in (*NODES, BRIDGE_NS):
            if netns_inode(name) is not None:
                run("ip", "netns", "del", name, check=False)

    # --------------------------------------------------------- corosync --

    def node_dir(self, node: str) -> Path:
        d = self.workdir / node
        (d / "run").mkdir(parents=True, exist_ok=True)
        (d / "corosync-state").mkdir(parents=True, exist_ok=True)
        (d / "rsctmp").mkdir(parents=True, exist_ok=True)
        return d

    def start_corosync(self, node: str) -> None:
        old = self.corosync.get(node)
        if old is not None and old.poll() is None:
            raise RuntimeError(f"{node}: corosync {old.pid} still running")
        d = self.node_dir(node)
        conf = d / "corosync.conf"
        conf.write_text(corosync_conf(node, self.workdir, self.token_ms))
        with open(d / "corosync.stdout", "ab") as out:
            self.corosync[node] = subprocess.Popen(
                ["ip", "netns", "exec", node, "sh", "-c",
                 f"mount --bind {d}/run /run && exec corosync -f -c {conf}"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)

    def stop_corosync(self, node: str, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        proc = self.corosync.get(node)
        if proc is None:
            return
        _terminate(proc, sig, timeout)
        self.dead_corosync_pids.add(proc.pid)
        remove_shm(proc.pid)

    # ---------------------------------------------------------- pengine --

    def pengine_command(self, node: str) -> list[str]:
        d = self.node_dir(node)
        return ["ip", "netns", "exec", node, "env", f"HA_RSCTMP={d}/rsctmp",
                f"HA_VARRUN={d}/rsctmp", f"FENCE_NETNS_RUN_DIR={self.workdir}/{{node}}/rsctmp",
                f"PYTHONPATH={REPO}", self.python, "-m", "pengine.cli",
                "run", str(self.config), "--node", node, "--cluster",
                "--state-dir", str(d / "state"), "--fence-dir", str(HERE),
                # three nodes share this machine: none may arm its real watchdog
                "--watchdog", "own", *self.pengine_args]

    def start_pengine(self, node: str) -> None:
        old = self.pengine.get(node)
        if old is not None and old.poll() is None:
            raise RuntimeError(f"{node}: pengine {old.pid} still running")
        d = self.node_dir(node)
        with open(d / "pengine.log", "ab") as out:
            out.write(f"===== {time.strftime('%H:%M:%S')} start\n".encode())
            self.pengine[node] = subprocess.Popen(
                self.pengine_command(node), stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True, cwd=str(d))

    def stop_pengine(self, node: str, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
        proc = self.pengine.get(node)
        if proc is not None:
            _terminate(proc, sig, timeout)

    # ------------------------------------------------------------ nodes --

    def heal_and_boot(self) -> bool:
        """Heal every partition and boot every node whose corosync or pengine
        is gone; whether any node was booted."""
        booted = False
        for node in NODES:
            self.heal(node)
        for node in NODES:
            if not self.pengine_alive(node) or not self.corosync_alive(node):
                self.stop_pengine(node)
                self.start_node(node)
                booted = True
        return booted

    def boot(self, node: str) -> None:
        """What booting a machine does: its interface comes up with its own
        address and its runtime directory (HA_RSCTMP, a real node's /run) is
        empty: no pid or state file of a service that died with it."""
        self.power_on(node)
        rsctmp = self.node_dir(node) / "rsctmp"
        shutil.rmtree(rsctmp, ignore_errors=True)
        rsctmp.mkdir(parents=True)

    def start_node(self, node: str, pengine: bool = True) -> None:
        """Boot the node and start its corosync (and pengine)."""
        self.boot(node)
        self.wait_corosync_gone(node)
        self.start_corosync(node)
        if pengine:
            self.start_pengine(node)

    def kill_node(self, node: str) -> None:
        """SIGKILL the node's corosync and pengine (its resources keep running)."""
        for procs in (self.pengine, self.corosync):
            proc = procs.get(node)
            if proc is not None and proc.poll() is None:
                proc.kill()
        for procs in (self.pengine, self.corosync):
            proc = procs.get(node)
            if proc is not None:
                proc.wait(10)
        proc = self.corosync.get(node)
        if proc is not None:
            self.dead_corosync_pids.add(proc.pid)
            remove_shm(proc.pid)

    def wait_corosync_gone(self, node: str, timeout: float = 15) -> None:
        proc = self.corosync.get(node)
        if proc is not None:
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"{node}: corosync {proc.pid} does not exit") from None
            self.dead_corosync_pids.add(proc.pid)
            remove_shm(proc.pid)

    def up(self, pengine: bool = True) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.create_namespaces()
        for node in NODES:
            self.start_corosync(node)
        self.wait_quorum(NODES)
        if pengine:
            for node in NODES:
                self.start_pengine(node)

    def down(self) -> None:
        for node in NODES:
            proc = self.pengine.get(node)
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)
        for node in NODES:
            self.stop_corosync(node, signal.SIGTERM)
        # whatever else the nodes ran (resources, agents) dies with them
        for node in NODES:
            for pid in netns_pids(node):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for pid in self.dead_corosync_pids:
            remove_shm(pid)
        self.delete_namespaces()

    # -------------------------------------------------------- observing --

    def quorum(self, node: str) -> tuple[bool, list[int]] | None:
        """(quorate, members) as the node's corosync says, or None."""
        out = run("ip", "netns", "exec", node, self.python, "-c",
                  "import json,sys; sys.path.insert(0, %r);"
                  "from transitions.execute.corosync import Quorum;"
                  "seen=[];q=Quorum(lambda *a: seen.append(a));q.dispatch();"
                  "print(json.dumps(seen[-1][0::2]))" % str(REPO), check=False, quiet=True)
        if out.returncode != 0 or not out.stdout.strip():
            return None
        quorate, members = json.loads(out.stdout)
        return bool(quorate), sorted(members)

    def wait_quorum(self, nodes, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        expected = sorted(NODES.index(n) + 1 for n in nodes)
        while time.monotonic() < deadline:
            views = [self.quorum(n) for n in nodes]
            if all(v is not None and v[0] and v[1] == expected for v in views):
                return
            time.sleep(0.2)
        raise TimeoutError(f"corosync on {', '.join(nodes)} did not form a quorate membership")

    def vip_nodes(self, address: str = VIP) -> list[str]:
        """The nodes where ``address`` is a local address (one can bind to it
        there).  Looked at from a thread of this process that enters each
        namespace, so that no process appears in a node's namespace (a fence
        agent kills whatever it finds there)."""
        return [node for node in NODES
                if netns_inode(node) is not None and in_netns(node, _is_local, address)]

    def process_nodes(self, needle: str) -> list[str]:
        """The nodes running a process whose command line contains ``needle``."""
        return [node for node in NODES
                if any(needle in cmdline(pid) and alive(pid) for pid in netns_pids(node))]

    def file_nodes(self, name: str) -> list[str]:
        """The nodes whose runtime directory holds ``name`` (a pseudo
        resource's state file, such as ocf:heartbeat:Delay's)."""
        return [node for node in NODES if (self.workdir / node / "rsctmp" / name).exists()]

    def http_status(self, address: str = VIP, port: int = 80, timeout: float = 1.0) -> int | None:
        """GET / from the client namespace: the HTTP status, or None."""
        return in_netns(BRIDGE_NS, _http_get, address, port, timeout)

    def pengine_alive(self, node: str) -> bool:
        proc = self.pengine.get(node)
        return proc is not None and proc.poll() is None

    def corosync_alive(self, node: str) -> bool:
        proc = self.corosync.get(node)
        return proc is not None and proc.poll() is None


class ActiveTwiceWatch(threading.Thread):
    """From outside, over and over: is any resource active on two nodes?

    ``resources`` maps a name to a function giving the nodes where it is
    active; every sample where one gives more than one node is a violation.
    """

    def __init__(self, resources: dict, interval: float = 0.2):
        super().__init__(name="active-twice-watch", daemon=True)
        self.resources = resources
        self.interval = interval
        self.samples = 0
        self.violations: list[tuple[float, str, list[str]]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            for name, where in self.resources.items():
                try:
                    nodes = where()
                except Exception:  # noqa: BLE001 - a namespace being torn down
                    continue
                if len(nodes) > 1:
                    self.violations.append((time.time(), name, nodes))
            self.samples += 1
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(10)


def standard_watch(cluster: NetnsCluster, interval: float = 0.2) -> ActiveTwiceWatch:
    """The sample's resources: the floating IP, the web server, a Delay resource."""
    return ActiveTwiceWatch({"vip": cluster.vip_nodes,
                             "web": lambda: cluster.process_nodes("http.server"),
                             "slow": lambda: cluster.file_nodes("Delay_slow")}, interval)


def remove_shm(pid: int) -> None:
    """libqb's blackbox and IPC buffers a dead corosync leaves in /dev/shm."""
    for name in (f"qb-corosync-{pid}-blackbox-data", f"qb-corosync-{pid}-blackbox-header"):
        try:
            os.unlink(f"/dev/shm/{name}")
        except OSError:
            pass
    try:
        entries = os.listdir("/dev/shm")
    except OSError:
        return
    for name in entries:
        if name.startswith(f"qb-{pid}-"):
            shutil.rmtree(f"/dev/shm/{name}", ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="/tmp/pengine-netns")
    parser.add_argument("command", choices=["up", "down", "status", "kill", "start",
                                            "partition", "heal"])
    parser.add_argument("node", nargs="?", choices=NODES)
    args = parser.parse_args(argv)
    cluster = NetnsCluster(Path(args.workdir))
    if args.command == "up":
        cluster.up()
        print(f"cluster up; logs and state in {args.workdir}/nN/")
    elif args.command == "down":
        # pids of this command's own children are unknown here: stop by namespace
        killed = []
        for node in NODES:
            for pid in netns_pids(node):
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                except OSError:
                    pass
        time.sleep(0.5)
        for pid in killed:
            remove_shm(pid)
        cluster.delete_namespaces()
    elif args.command == "status":
        for node in NODES:
            print(node, "quorum:", cluster.quorum(node))
        print("VIP on:", cluster.vip_nodes(), " web server on:",
              cluster.process_nodes("http.server"), " HTTP:", cluster.http_status())
    elif args.node is None:
        parser.error(f"{args.command} needs a node")
    elif args.command == "kill":
        for pid in netns_pids(args.node):
            if any(word in cmdline(pid) for word in ("corosync", "pengine.cli")):
                os.kill(pid, signal.SIGKILL)
    elif args.command == "start":
        cluster.boot(args.node)
        cluster.start_corosync(args.node)
        cluster.start_pengine(args.node)
    elif args.command == "partition":
        cluster.partition(args.node)
    elif args.command == "heal":
        cluster.heal(args.node)
    return 0


if __name__ == "__main__":
    sys.exit(main())
