"""An in-process stand-in for Corosync, to run cluster mode without root.

:class:`FakeBus` plays Corosync for several ClusterControllers in one
process: each node's link posts the same events a real CorosyncLink posts
(QuorumChanged, RingChanged, GroupChanged, Delivered), and every message is
delivered to every member of the sender's partition in one order (the bus
holds a lock while it posts), as CPG's agreed ordering does.  Nodes can be
killed, partitioned and healed; each change makes a new ring, announced as
corosync announces one: group changes first, then the ring, then quorum.

:class:`FakeCluster` runs one controller per node on its own thread, with
fake OCF agents whose state lives in the node's own directory and a fence
agent that "cuts a node off" by asking the bus to kill it.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from tests.execute_helpers import write_script
from pengine.transitions.execute.agents import Agents, AgentSettings
from pengine.transitions.execute.cluster import ClusterController
from pengine.transitions.execute.corosync import (Delivered, GroupChanged, Process, QuorumChanged,
                                                  RingChanged)
from pengine.transitions.execute.state_dir import StateDir

# A Dummy agent whose state is a file in the node's own OCF root; "delay"
# makes start sleep (a transition that takes a while).
DUMMY = r"""#!/bin/sh
state="${OCF_ROOT}/${OCF_RESOURCE_INSTANCE}.state"
case "$1" in
start) touch "$state"; sleep "${OCF_RESKEY_delay:-0}"; exit 0 ;;
stop) rm -f "$state"; exit 0 ;;
monitor|status) [ -f "$state" ] && exit 0; exit 7 ;;
meta-data) echo '<resource-agent name="Dummy"><parameters/></resource-agent>'; exit 0 ;;
*) exit 0 ;;
esac
"""

# A fence agent: logs its arguments, then asks the test (through a request
# file) to cut the target off, and waits until it is done.
FENCE = r"""#!/bin/sh
args=""
target=""
while IFS= read -r line; do
    args="$args$line;"
    case "$line" in nodename=*) target="${line#nodename=}" ;; esac
done
echo "$args" >> "$0.log"
case "$args" in *action=monitor*|*action=list*) exit 0 ;; esac
touch "$FAKE_FENCE_DIR/$target"
i=0
while [ -f "$FAKE_FENCE_DIR/$target" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
[ -f "$FAKE_FENCE_DIR/$target" ] && exit 1
exit 0
"""


class FakeLink:
    def __init__(self, bus: "FakeBus", nodeid: int, post):
        self.bus = bus
        self.nodeid = nodeid
        self._post = post
        self.process = Process(nodeid, os.getpid())
        self.alive = True           # a member of the group
        self.muted = False          # crashed: sends and receives nothing

    def post(self, event) -> None:
        if not self.muted:
            self._post(event)

    def start(self) -> int:
        self.bus.join(self)
        return self.nodeid

    def send(self, data: bytes) -> None:
        self.bus.deliver(self, data)

    def refresh_quorum(self) -> None:
        self.bus.refresh(self)

    def stop(self) -> None:
        self.bus.leave(self)


class FakeBus:
    def __init__(self, nodes: dict[int, str]):
        self.nodes = nodes
        self.lock = threading.RLock()
        self.links: dict[int, FakeLink] = {}     # nodeid -> the node's group member
        self.up: set[int] = set()                # nodes whose corosync runs
        self.side: dict[int, int] = {n: 0 for n in nodes}   # partition of each node
        self.ring_seq = 4

    def factory(self, nodeid: int):
        return lambda _group, post: FakeLink(self, nodeid, post)

    def nodelist(self) -> dict[int, str]:
        return dict(self.nodes)

    def _ring(self, nodeid: int) -> set[int]:
        return {n for n in self.up if self.side[n] == self.side[nodeid]}

    def _members(self, nodeid: int) -> list[FakeLink]:
        ring = self._ring(nodeid)
        return [link for n, link in sorted(self.links.items()) if n in ring and link.alive]

    def _announce_ring(self, nodeid: int) -> None:
        ring = self._ring(nodeid)
        quorate = len(ring) * 2 > len(self.nodes)
        for link in self._members(nodeid):
            link.post(RingChanged(self.ring_seq, ring))
            link.post(QuorumChanged(quorate, self.ring_seq, ring))

    def join(self, link: FakeLink) -> None:
        with self.lock:
            self.links[link.nodeid] = link
            ring = self._ring(link.nodeid)
            link.post(QuorumChanged(len(ring) * 2 > len(self.nodes), self.ring_seq, ring))
            link.post(RingChanged(self.ring_seq, ring))
            members = tuple(m.process for m in self._members(link.nodeid))
            joined = (Process(link.nodeid, link.process.pid, "join"),)
            for member in self._members(link.nodeid):
                member.post(GroupChanged(members, (), joined))

    def leave(self, link: FakeLink) -> None:
        with self.lock:
            if self.links.get(link.nodeid) is not link or not link.alive or link.muted:
                return
            link.alive = False
            del self.links[link.nodeid]
            members = tuple(m.process for m in self._members(link.nodeid))
            left = (Process(link.nodeid, link.process.pid, "leave"),)
            for member in self._members(link.nodeid):
                member.post(GroupChanged(members, left, ()))

    def deliver(self, link: FakeLink, data: bytes) -> None:
        with self.lock:
            if not link.alive or link.muted:
                return
            for member in self._members(link.nodeid):
                if not member.muted:
                    member.post(Delivered(link.nodeid, link.process.pid, data))

    def refresh(self, link: FakeLink) -> None:
        with self.lock:
            ring = self._ring(link.nodeid)
            link.post(QuorumChanged(len(ring) * 2 > len(self.nodes), self.ring_seq, ring))

    def _regroup(self, before: dict[int, set[int]]) -> None:
        """A new ring: group changes, then the ring, then quorum (as corosync)."""
        self.ring_seq += 4
        sides = {self.side[n] for n in self.up}
        for side in sides:
            anyone = next(n for n in self.up if self.side[n] == side)
            members = self._members(anyone)
            now = {m.nodeid for m in members}
            for member in members:
                was = before.get(member.nodeid, set())
                left = tuple(Process(n, os.getpid(), "nodedown") for n in sorted(was - now))
                joined = tuple(Process(n, os.getpid(), "nodeup") for n in sorted(now - was))
                if left or joined:
                    member.post(GroupChanged(tuple(m.process for m in members), left, ()))
                    if joined:
                        member.post(GroupChanged(tuple(m.process for m in members), (),
                                                 joined))
            self._announce_ring(anyone)

    def _views(self) -> dict[int, set[int]]:
        return {n: {m.nodeid for m in self._members(n)} for n in self.links}

    def kill(self, nodeid: int) -> None:
        """The node's corosync dies (its pengine with it)."""
        with self.lock:
            before = self._views()
            link = self.links.pop(nodeid, None)
            if link is not None:
                link.alive = False
            self.up.discard(nodeid)
            self._regroup(before)

    def partition(self, *groups: set[int]) -> None:
        with self.lock:
            before = self._views()
            for i, group in enumerate(groups):
                for n in group:
                    self.side[n] = i
            self._regroup(before)

    def heal(self) -> None:
        self.partition(set(self.nodes))

    def boot(self, nodeid: int) -> None:
        """The node's corosync starts: a new ring, with it."""
        with self.lock:
            self.up.add(nodeid)
            self.side[nodeid] = 0
            self.ring_seq += 4
            self._announce_ring(nodeid)


class FakeNode:
    def __init__(self, cluster: "FakeCluster", nodeid: int, name: str):
        self.cluster = cluster
        self.nodeid = nodeid
        self.name = name
        base = cluster.tmp / name
        self.ocf_root = base / "ocf"
        write_script(self.ocf_root / "resource.d" / "test" / "Dummy", DUMMY)
        state = StateDir(str(base / "state"))
        state.create()
        self.controller = ClusterController(
            str(cluster.config), name, state,
            Agents(AgentSettings(ocf_root=str(self.ocf_root), fence_dir=str(cluster.fence_dir),
                                 base_env=tuple({**os.environ,
                                                 "FAKE_FENCE_DIR": str(cluster.requests)}
                                                .items()))),
            link_factory=cluster.bus.factory(nodeid), nodelist=cluster.bus.nodelist)
        self.controller.start()
        self.result: list[int] = []
        self.thread = threading.Thread(target=lambda: self.result.append(self.controller.run()),
                                       name=f"node-{name}", daemon=True)
        self.thread.start()

    def active(self, rsc: str) -> bool:
        return (self.ocf_root / f"{rsc}.state").exists()

    def crash(self) -> None:
        """Gone at once: no more messages, the run loop stops, resources stay."""
        link = self.controller.link
        if link is not None:
            link.muted = True
        self.controller.stop_now = True
        self.controller.stopping = True
        self.controller.request_stop(15)
        self.thread.join(10)

    def wipe(self) -> None:
        """What fencing does to the node's resources (power off)."""
        for state in self.ocf_root.glob("*.state"):
            state.unlink()


class FakeCluster:
    def __init__(self, tmp: Path, config: str, names=("n1", "n2", "n3"),
                 fence_delay: float = 0.0):
        self.tmp = tmp
        self.config = tmp / "cluster.crm"
        self.config.write_text(config)
        self.fence_dir = tmp / "fence"
        self.fence_agent = write_script(self.fence_dir / "fence_test", FENCE)
        self.requests = tmp / "fence-requests"
        self.requests.mkdir()
        self.bus = FakeBus({i: name for i, name in enumerate(names, 1)})
        self.nodes: dict[str, FakeNode] = {}
        self.fenced: list[str] = []
        self.fence_delay = fence_delay          # how long cutting a node off takes
        self._halt = threading.Event()
        self._fencer = threading.Thread(target=self._fence_loop, daemon=True)
        self._fencer.start()

    def start(self, name: str) -> FakeNode:
        nodeid = next(i for i, n in self.bus.nodes.items() if n == name)
        self.bus.boot(nodeid)
        node = FakeNode(self, nodeid, name)
        self.nodes[name] = node
        return node

    def kill(self, name: str) -> None:
        node = self.nodes[name]
        node.crash()
        self.bus.kill(node.nodeid)

    def _fence_loop(self) -> None:
        seen: dict[str, float] = {}
        while not self._halt.is_set():
            for request in self.requests.iterdir():
                name = request.name
                if time.monotonic() - seen.setdefault(name, time.monotonic()) \
                        < self.fence_delay:
                    continue
                del seen[name]
                node = self.nodes.get(name)
                if node is not None:
                    if node.thread.is_alive():
                        node.crash()
                    node.wipe()
                    self.bus.kill(node.nodeid)
                self.fenced.append(name)
                request.unlink()
            self._halt.wait(0.05)

    def active(self, rsc: str) -> list[str]:
        return [name for name, node in list(self.nodes.items()) if node.active(rsc)]

    def coordinator(self) -> FakeNode | None:
        return next((n for n in self.nodes.values()
                     if n.thread.is_alive() and n.controller.coordinating), None)

    def stop(self) -> None:
        self._halt.set()
        for node in self.nodes.values():
            if node.thread.is_alive():
                node.crash()


class TwiceWatch(threading.Thread):
    """Checks, over and over, that no resource is active on two nodes."""

    def __init__(self, cluster: FakeCluster, resources: list[str]):
        super().__init__(daemon=True)
        self.cluster = cluster
        self.resources = resources
        self.violations: list[tuple[str, list[str]]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            for rsc in self.resources:
                nodes = self.cluster.active(rsc)
                if len(nodes) > 1:
                    self.violations.append((rsc, nodes))
            time.sleep(0.01)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)
