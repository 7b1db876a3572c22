"""Synthetic clusters for the scale benchmarks, written as CIB XML.

A generated cluster looks like a real one, only bigger: a fence device,
stand-alone primitives, groups (an address, a file system and an
application), anonymous clones and promotable clones, with location
preferences and bans, colocations and orderings between services.  The
same seed always gives the same file.

Two scenarios share one configuration:

``fresh``
    every node has just joined: online, no resource history, so the
    scheduler probes every resource on every node and starts everything;
``settled``
    everything runs where it was placed, its history recorded, every node
    online: a steady cluster with nothing to do (what ``pengine
    resilience`` starts from);
``failure``
    everything has been running (each resource probed on every node,
    started where it runs, its monitor recorded), and then the last node
    failed: it left the membership uncleanly, so it is fenced and its
    resources are recovered elsewhere.

Both crm_simulate and ``pengine simulate`` read the files unchanged
(``-x FILE -S``): the failure is in the status section, the evaluation time
is the CIB's ``execution-date``, and every recorded ``op-digest`` matches the
configuration, so nothing restarts that did not fail.

``M`` counts configured primitives: a group of three is three, a clone
counts its one primitive however many instances it has.

Usage::

    python benchmarks/generate.py NODES RESOURCES [--scenario fresh|failure|settled]
                                  [--shape SHAPE] [--mix primitives,groups,clones]
                                  [--seed N] [-o FILE]

Shapes (``--shape``): ``standard`` (the mix above), ``mixed`` (half
primitives, a third groups, a fifth anonymous clones, neighbours colocated
and ordered), ``clone-heavy``, ``group-heavy``, ``constraint-dense`` (ordered
and colocated resource sets, chains), ``utilization-heavy``
(``placement-strategy=balanced``), ``remote-heavy`` (two remote nodes per
cluster node) and ``history-heavy`` (three monitors per primitive and old
start/stop records on every node).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

if __package__ in (None, ""):  # run as a script: make the checkout importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pengine.status.digests import op_digests  # noqa: E402  (the digests Pacemaker records)

FEATURE_SET = "3.16.1"           # crm_simulate 2.1.5 refuses updates from a newer set
EXECUTION_DATE = 1700000000      # a fixed "now": outputs do not depend on the clock
UUID = "6d1f2f1c-0b8e-4f8e-9a53-0c1b2a3d4e5f"
MONITOR_MS = 10000
PROMOTED_MONITOR_MS = 11000
SCENARIOS = ("fresh", "failure", "settled")
KINDS = ("primitives", "groups", "clones")
DEFAULT_MIX = ("primitives", "groups", "clones")


# ----------------------------------------------------------------- model --

@dataclass
class Prim:
    id: str
    agent: tuple[str, str | None, str]       # class, provider, type
    params: dict[str, str]
    promotable: bool = False
    utilization: dict[str, str] = field(default_factory=dict)
    monitors: tuple[int, ...] = (MONITOR_MS,)   # recurring monitor intervals (ms)


@dataclass
class Unit:
    """A service: what constraints name and what runs together on one node."""

    id: str
    kind: str                                # primitive | group | clone | promotable
    prims: list[Prim]
    node: int = 0                            # where it runs (index); clones run everywhere
    promoted_node: int = 0


@dataclass
class Cluster:
    nodes: int
    units: list[Unit] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    colocations: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    remotes: list[str] = field(default_factory=list)       # remote node names (connection ids)
    options: dict[str, str] = field(default_factory=dict)  # extra cluster options
    node_utilization: dict[str, str] = field(default_factory=dict)
    history_depth: int = 0                                  # old start/stop records per node


def node_name(i: int) -> str:
    return f"node{i + 1:02d}"


def node_id(i: int) -> str:
    return str(i + 1)


def place_name(cluster: "Cluster", i: int) -> str:
    """Where index ``i`` runs: a cluster node, or past them a remote node."""
    return node_name(i) if i < cluster.nodes else cluster.remotes[i - cluster.nodes]


# ------------------------------------------------------------- generator --

def build(nodes: int, resources: int, mix=DEFAULT_MIX, seed: int = 1) -> Cluster:
    """The configuration and the placement that the ``failure`` status records."""
    if nodes < 2:
        raise ValueError("a cluster needs at least two nodes")
    rnd = random.Random(seed)
    cluster = Cluster(nodes)
    load = [0] * nodes
    count = 0
    n = 0

    def least_loaded() -> int:
        best = min(load)
        candidates = [i for i, value in enumerate(load) if value == best]
        return rnd.choice(candidates)

    fence = Unit("fence-1", "primitive", [Prim("fence-1", ("stonith", None, "fence_xvm"), {
        "pcmk_host_list": " ".join(node_name(i) for i in range(nodes)),
        "key_file": "/etc/cluster/fence_xvm.key"})], node=0)
    cluster.units.append(fence)
    load[0] += 1
    count += 1
    clones: list[Unit] = []
    promotables: list[Unit] = []
    weights = {"primitives": 45, "groups": 45, "clones": 10}
    kinds = [k for k in mix if k in weights]
    while count < resources:
        n += 1
        kind = rnd.choices(kinds, [weights[k] for k in kinds])[0]
        room = resources - count
        if kind == "groups" and room >= 3:
            members = [
                Prim(f"ip-{n:05d}", ("ocf", "heartbeat", "IPaddr2"),
                     {"ip": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                      "cidr_netmask": "16"}),
                Prim(f"fs-{n:05d}", ("ocf", "heartbeat", "Filesystem"),
                     {"device": f"/dev/vg0/lv{n:05d}", "directory": f"/srv/{n:05d}",
                      "fstype": "xfs"}),
                Prim(f"app-{n:05d}", ("ocf", "pacemaker", "Dummy"),
                     {"state": f"/run/app-{n:05d}.state"}),
            ]
            unit = Unit(f"svc-{n:05d}", "group", members)
        elif kind == "clones" and room >= 1 and len(clones) + len(promotables) < max(1, resources // 50):
            if rnd.random() < 0.4:
                prim = Prim(f"db-{n:05d}", ("ocf", "pacemaker", "Stateful"), {}, promotable=True)
                unit = Unit(f"db-{n:05d}-clone", "promotable", [prim])
                promotables.append(unit)
            else:
                prim = Prim(f"base-{n:05d}", ("ocf", "pacemaker", "Dummy"),
                            {"state": f"/run/base-{n:05d}.state"})
                unit = Unit(f"base-{n:05d}-clone", "clone", [prim])
                clones.append(unit)
            unit.promoted_node = rnd.randrange(nodes)
        else:
            unit = Unit(f"rsc-{n:05d}", "primitive", [Prim(f"rsc-{n:05d}", (
                "ocf", "pacemaker", "Dummy"), {"state": f"/run/rsc-{n:05d}.state"})])
        count += len(unit.prims)
        _constrain(cluster, unit, rnd, load, least_loaded, clones, promotables)
        cluster.units.append(unit)
    return cluster


def _constrain(cluster: Cluster, unit: Unit, rnd: random.Random, load, least_loaded,
               clones, promotables) -> None:
    """Place ``unit`` and give it constraints that agree with the placement."""
    nodes = cluster.nodes
    if unit.kind in ("clone", "promotable"):
        return
    plain = [u for u in cluster.units[-40:] if u.kind in ("primitive", "group")
             and not u.id.startswith("fence")]
    roll = rnd.random()
    if roll < 0.15 and plain:
        # depends on a recent service: runs with it, starts after it
        primary = rnd.choice(plain)
        unit.node = primary.node
        cluster.colocations.append(_colocation(f"col-{unit.id}", unit.id, primary.id, "INFINITY"))
        cluster.orders.append(_order(f"ord-{unit.id}", primary.id, "start", unit.id, "start",
                                     "Mandatory"))
    elif roll < 0.25 and clones:
        # needs a cloned base service on its node
        base = rnd.choice(clones)
        unit.node = least_loaded()
        cluster.colocations.append(_colocation(f"col-{unit.id}", unit.id, base.id, "INFINITY"))
        cluster.orders.append(_order(f"ord-{unit.id}", base.id, "start", unit.id, "start",
                                     "Mandatory"))
    elif roll < 0.32 and promotables:
        # runs where the database is promoted, after the promotion
        db = rnd.choice(promotables)
        unit.node = db.promoted_node
        cluster.colocations.append(_colocation(f"col-{unit.id}", unit.id, db.id, "INFINITY",
                                               with_role="Promoted"))
        cluster.orders.append(_order(f"ord-{unit.id}", db.id, "promote", unit.id, "start",
                                     "Mandatory"))
    elif roll < 0.55:
        # prefers a node
        unit.node = least_loaded()
        score = rnd.choice((50, 100, 200))
        cluster.locations.append(_location(f"loc-{unit.id}", unit.id, unit.node, str(score)))
    else:
        unit.node = least_loaded()
    if rnd.random() < 0.1:
        banned = rnd.choice([i for i in range(nodes) if i != unit.node])
        cluster.locations.append(_location(f"ban-{unit.id}", unit.id, banned, "-INFINITY"))
    if rnd.random() < 0.05 and plain:
        other = rnd.choice(plain)
        if other.node != unit.node and other is not unit:
            cluster.colocations.append(_colocation(f"anti-{unit.id}", unit.id, other.id, "-100"))
    if rnd.random() < 0.05 and plain:
        other = rnd.choice(plain)
        if other is not unit:
            cluster.orders.append(_order(f"after-{unit.id}", other.id, "start", unit.id, "start",
                                         "Optional"))
    load[unit.node] += len(unit.prims)


def _location(cid: str, rsc: str, node: int, score: str) -> str:
    name = node if isinstance(node, str) else node_name(node)
    return f'      <rsc_location id="{cid}" rsc="{rsc}" node="{name}" score="{score}"/>'


def _colocation(cid: str, rsc: str, with_rsc: str, score: str, with_role: str | None = None) -> str:
    role = f' with-rsc-role="{with_role}"' if with_role else ""
    return (f'      <rsc_colocation id="{cid}" rsc="{rsc}" with-rsc="{with_rsc}"{role} '
            f'score="{score}"/>')


def _order(cid: str, first: str, first_action: str, then: str, then_action: str, kind: str) -> str:
    return (f'      <rsc_order id="{cid}" first="{first}" first-action="{first_action}" '
            f'then="{then}" then-action="{then_action}" kind="{kind}"/>')


# ---------------------------------------------------------------- shapes --
#
# ``standard`` is ``build`` above (the mix the first benchmarks used).  The
# other shapes stress one part of the scheduler each; all of them keep the
# placement the ``failure``/``settled`` status records consistent with their
# constraints, so a failure moves only what the failed node ran.

SHAPES = ("standard", "mixed", "clone-heavy", "group-heavy", "constraint-dense",
          "utilization-heavy", "remote-heavy", "history-heavy")


class _Builder:
    """Names, placement by load and the constraint lists one shape fills."""

    def __init__(self, nodes: int, seed: int, places: int | None = None):
        if nodes < 2:
            raise ValueError("a cluster needs at least two nodes")
        self.rnd = random.Random(seed)
        self.cluster = Cluster(nodes)
        self.places = places or nodes         # cluster nodes, then remote nodes
        self.load = [0] * self.places
        self.count = 0                         # configured primitives so far
        self.n = 0

    def least_loaded(self, first: int = 0) -> int:
        best = min(self.load[first:])
        return self.rnd.choice([i for i in range(first, self.places) if self.load[i] == best])

    def add(self, unit: Unit, node: int | None = None) -> Unit:
        if unit.kind in ("clone", "promotable"):
            unit.promoted_node = self.rnd.randrange(self.cluster.nodes)
        elif node is not None:
            unit.node = node
        self.load[unit.node] += len(unit.prims)
        self.count += len(unit.prims)
        self.cluster.units.append(unit)
        return unit

    def fence(self) -> None:
        nodes = self.cluster.nodes
        self.add(Unit("fence-1", "primitive", [Prim("fence-1", ("stonith", None, "fence_xvm"), {
            "pcmk_host_list": " ".join(node_name(i) for i in range(nodes)),
            "key_file": "/etc/cluster/fence_xvm.key"})]), 0)

    def prim(self, prefix: str, **extra) -> Prim:
        self.n += 1
        n = self.n
        return Prim(f"{prefix}-{n:05d}", ("ocf", "pacemaker", "Dummy"),
                    {"state": f"/run/{prefix}-{n:05d}.state"}, **extra)

    def primitive(self, **extra) -> Unit:
        prim = self.prim("rsc", **extra)
        return Unit(prim.id, "primitive", [prim])

    def group(self, size: int = 3, **extra) -> Unit:
        self.n += 1
        n = self.n
        members = [
            Prim(f"ip-{n:05d}", ("ocf", "heartbeat", "IPaddr2"),
                 {"ip": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                  "cidr_netmask": "16"}, **extra),
            Prim(f"fs-{n:05d}", ("ocf", "heartbeat", "Filesystem"),
                 {"device": f"/dev/vg0/lv{n:05d}", "directory": f"/srv/{n:05d}",
                  "fstype": "xfs"}, **extra),
        ]
        members += [Prim(f"app{k}-{n:05d}" if k else f"app-{n:05d}", ("ocf", "pacemaker", "Dummy"),
                         {"state": f"/run/app{k}-{n:05d}.state"}, **extra)
                    for k in range(max(1, size - 2))]
        return Unit(f"svc-{n:05d}", "group", members[:size])

    def clone(self, promotable: bool = False) -> Unit:
        self.n += 1
        n = self.n
        if promotable:
            prim = Prim(f"db-{n:05d}", ("ocf", "pacemaker", "Stateful"), {}, promotable=True)
            return Unit(f"db-{n:05d}-clone", "promotable", [prim])
        prim = Prim(f"base-{n:05d}", ("ocf", "pacemaker", "Dummy"),
                    {"state": f"/run/base-{n:05d}.state"})
        return Unit(f"base-{n:05d}-clone", "clone", [prim])

    def location(self, unit: Unit, score: int | str | None = None) -> None:
        score = score if score is not None else self.rnd.choice((50, 100, 200))
        self.cluster.locations.append(_location(
            f"loc-{unit.id}", unit.id, place_name(self.cluster, unit.node), str(score)))

    def colocate(self, unit: Unit, primary: Unit, score: str = "INFINITY", role=None,
                 prefix: str = "col") -> None:
        self.cluster.colocations.append(_colocation(f"{prefix}-{unit.id}", unit.id, primary.id,
                                                    score, with_role=role))

    def order(self, first: Unit, then: Unit, kind: str = "Mandatory",
              first_action: str = "start", prefix: str = "ord") -> None:
        self.cluster.orders.append(_order(f"{prefix}-{then.id}", first.id, first_action,
                                          then.id, "start", kind))


def _mixed(b: _Builder, resources: int) -> None:
    """The issue's cluster: about half stand-alone primitives, a third groups of
    three, a fifth anonymous clones; a location preference per resource,
    colocations and orderings between neighbours."""
    clones: list[Unit] = []
    previous: Unit | None = None
    while b.count < resources:
        room = resources - b.count
        kind = b.rnd.choices(("primitive", "group", "clone"), (50, 33, 20))[0]
        if kind == "clone":
            unit = b.add(b.clone())
            clones.append(unit)
            continue
        unit = b.group() if kind == "group" and room >= 3 else b.primitive()
        roll = b.rnd.random()
        if previous is not None and roll < 0.3:
            b.add(unit, previous.node)
            b.colocate(unit, previous)
            b.order(previous, unit)
        elif clones and roll < 0.45:
            b.add(unit, b.least_loaded())
            base = b.rnd.choice(clones)
            b.colocate(unit, base)
            b.order(base, unit)
        else:
            b.add(unit, b.least_loaded())
            if previous is not None:
                b.order(previous, unit, "Optional")
        b.location(unit)
        previous = unit


def _clone_heavy(b: _Builder, resources: int) -> None:
    """Mostly anonymous and promotable clones on every node; the few
    primitives need a clone (or a promoted instance) on their node."""
    clones: list[Unit] = []
    promotables: list[Unit] = []
    while b.count < resources:
        kind = b.rnd.choices(("clone", "promotable", "primitive"), (45, 25, 30))[0]
        if kind == "clone":
            clones.append(b.add(b.clone()))
        elif kind == "promotable":
            promotables.append(b.add(b.clone(promotable=True)))
        else:
            unit = b.primitive()
            roll = b.rnd.random()
            if promotables and roll < 0.25:
                db = b.rnd.choice(promotables)
                b.add(unit, db.promoted_node)
                b.colocate(unit, db, role="Promoted")
                b.order(db, unit, first_action="promote")
            elif clones and roll < 0.75:
                b.add(unit, b.least_loaded())
                base = b.rnd.choice(clones)
                b.colocate(unit, base)
                b.order(base, unit)
            else:
                b.add(unit, b.least_loaded())
                b.location(unit)
    # clones that need each other: every fourth anonymous clone after the previous one
    for first, then in zip(clones[::4], clones[1::4]):
        b.cluster.orders.append(_order(f"ord-{then.id}", first.id, "start", then.id, "start",
                                       "Mandatory"))
        b.cluster.colocations.append(_colocation(f"col-{then.id}", then.id, first.id, "INFINITY"))


def _group_heavy(b: _Builder, resources: int) -> None:
    """Groups of three to six members; some depend on a neighbour group."""
    previous: Unit | None = None
    while b.count < resources:
        room = resources - b.count
        size = b.rnd.randint(3, 6)
        unit = b.group(size) if room >= size else b.primitive()
        if previous is not None and b.rnd.random() < 0.2:
            b.add(unit, previous.node)
            b.colocate(unit, previous)
            b.order(previous, unit)
        else:
            b.add(unit, b.least_loaded())
            if b.rnd.random() < 0.5:
                b.location(unit)
        previous = unit


def _constraint_dense(b: _Builder, resources: int) -> None:
    """Primitives tied in chains and sets: blocks of eight started in sequence
    by an ordered set, four of them kept together by a colocation set, each
    with a location preference, ordered after a random earlier block and kept
    apart from another."""
    block = 0
    units: list[Unit] = []
    while b.count < resources:
        block += 1
        size = min(8, resources - b.count)
        node = b.least_loaded()
        members = [b.primitive() for _ in range(size)]
        together = members[:4]
        for unit in members:
            b.add(unit, node if unit in together else b.least_loaded())
            b.location(unit)
        refs = "".join(f'<resource_ref id="{u.id}"/>' for u in members)
        b.cluster.orders.append(
            f'      <rsc_order id="oset-{block}" kind="Mandatory"><resource_set '
            f'id="oset-{block}-set" sequential="true">{refs}</resource_set></rsc_order>')
        if len(together) > 1:
            refs = "".join(f'<resource_ref id="{u.id}"/>' for u in together)
            b.cluster.colocations.append(
                f'      <rsc_colocation id="cset-{block}" score="INFINITY"><resource_set '
                f'id="cset-{block}-set" sequential="true">{refs}</resource_set></rsc_colocation>')
        if units:
            earlier = b.rnd.choice(units)
            b.order(earlier, members[0], "Optional", prefix="after")
            for unit in members[4:]:
                other = b.rnd.choice(units)
                if other.node != unit.node:
                    b.colocate(unit, other, "-50", prefix="anti")
        units += members


def _utilization_heavy(b: _Builder, resources: int) -> None:
    """placement-strategy=balanced: every primitive needs CPU and memory, every
    node offers half as much again as its share of the demand."""
    b.cluster.options["placement-strategy"] = "balanced"
    used = [[0, 0] for _ in range(b.places)]
    while b.count < resources:
        room = resources - b.count
        cpu, memory = b.rnd.randint(1, 4), b.rnd.choice((256, 512, 1024, 2048))
        demand = {"cpu": str(cpu), "memory": str(memory)}
        if b.rnd.random() < 0.4 and room >= 3:
            unit = b.group(utilization=demand)
        else:
            unit = b.primitive(utilization=demand)
        node = min(range(b.places), key=lambda i: (used[i][0], used[i][1], i))
        used[node][0] += cpu * len(unit.prims)
        used[node][1] += memory * len(unit.prims)
        b.add(unit, node)
        if b.rnd.random() < 0.3:
            b.location(unit)
    total_cpu = sum(u[0] for u in used)
    total_memory = sum(u[1] for u in used)
    b.cluster.node_utilization = {
        "cpu": str(total_cpu * 3 // (2 * b.cluster.nodes) + 8),
        "memory": str(total_memory * 3 // (2 * b.cluster.nodes) + 4096)}


def _remote_heavy(b: _Builder, resources: int) -> None:
    """Two remote nodes per cluster node; the services run on the remote nodes,
    base clones everywhere.  The connections already run (also in ``fresh``,
    where nothing else has been probed yet)."""
    cluster = b.cluster
    remotes = 2 * cluster.nodes
    cluster.remotes = [f"remote{j + 1:02d}" for j in range(remotes)]
    b.places = cluster.nodes + remotes
    b.load = b.load + [0] * remotes
    for j, name in enumerate(cluster.remotes):
        unit = Unit(name, "primitive", [Prim(name, ("ocf", "pacemaker", "remote"),
                                             {"server": f"192.168.{j // 250}.{j % 250 + 1}"},
                                             monitors=(30000,))])
        b.add(unit, j % cluster.nodes)
    clones: list[Unit] = []
    while b.count < resources:
        room = resources - b.count
        kind = b.rnd.choices(("primitive", "group", "clone"), (55, 40, 5))[0]
        if kind == "clone":
            clones.append(b.add(b.clone()))
            continue
        unit = b.group() if kind == "group" and room >= 3 else b.primitive()
        b.add(unit, b.least_loaded(cluster.nodes))
        b.location(unit)
        if clones and b.rnd.random() < 0.2:
            base = b.rnd.choice(clones)
            b.colocate(unit, base)
            b.order(base, unit)


def _history_heavy(b: _Builder, resources: int, seed: int) -> None:
    """The standard mix, each primitive watched by three monitors, and two old
    start/stop records of every resource on every node."""
    built = build(b.cluster.nodes, resources, DEFAULT_MIX, seed)
    for unit in built.units:
        for prim in unit.prims:
            if prim.agent[0] != "stonith" and not prim.promotable:
                prim.monitors = (MONITOR_MS, 30000, 60000)
    built.history_depth = 2
    b.cluster = built


def build_shape(shape: str, nodes: int, resources: int, seed: int = 1,
                mix=DEFAULT_MIX) -> Cluster:
    """The cluster of one shape (``SHAPES``)."""
    if shape == "standard":
        return build(nodes, resources, mix, seed)
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}: {', '.join(SHAPES)}")
    b = _Builder(nodes, seed)
    if shape == "history-heavy":
        _history_heavy(b, resources, seed)
        return b.cluster
    b.fence()
    {"mixed": _mixed, "clone-heavy": _clone_heavy, "group-heavy": _group_heavy,
     "constraint-dense": _constraint_dense, "utilization-heavy": _utilization_heavy,
     "remote-heavy": _remote_heavy}[shape](b, resources)
    return b.cluster


# ----------------------------------------------------------------- XML ----

def _agent_attrs(prim: Prim) -> str:
    cls, provider, kind = prim.agent
    provider_attr = f' provider="{provider}"' if provider else ""
    return f'class="{cls}"{provider_attr} type="{kind}"'


def _ops(prim: Prim) -> list[tuple[str, int, str, str | None]]:
    """(name, interval ms, timeout, role) of the configured operations."""
    if prim.agent[0] == "stonith":
        return [("monitor", 60000, "20s", None), ("start", 0, "20s", None),
                ("stop", 0, "20s", None)]
    ops = [("start", 0, "20s", None), ("stop", 0, "20s", None)]
    if prim.promotable:
        return ops + [("monitor", MONITOR_MS, "20s", "Unpromoted"),
                      ("monitor", PROMOTED_MONITOR_MS, "20s", "Promoted"),
                      ("promote", 0, "20s", None), ("demote", 0, "20s", None)]
    return ops + [("monitor", interval, "20s", None) for interval in prim.monitors]


def _primitive_xml(prim: Prim, indent: str) -> list[str]:
    out = [f'{indent}<primitive id="{prim.id}" {_agent_attrs(prim)}>']
    if prim.params:
        out.append(f'{indent}  <instance_attributes id="{prim.id}-instance_attributes">')
        for name, value in prim.params.items():
            out.append(f'{indent}    <nvpair id="{prim.id}-instance_attributes-{name}" '
                       f'name="{name}" value={quoteattr(value)}/>')
        out.append(f'{indent}  </instance_attributes>')
    if prim.utilization:
        out.append(f'{indent}  <utilization id="{prim.id}-utilization">')
        for name, value in prim.utilization.items():
            out.append(f'{indent}    <nvpair id="{prim.id}-utilization-{name}" '
                       f'name="{name}" value="{value}"/>')
        out.append(f'{indent}  </utilization>')
    out.append(f'{indent}  <operations>')
    for name, interval, timeout, role in _ops(prim):
        role_attr = f' role="{role}"' if role else ""
        seconds = f"{interval // 1000}s"
        out.append(f'{indent}    <op id="{prim.id}-{name}-interval-{seconds}" name="{name}" '
                   f'interval="{seconds}" timeout="{timeout}"{role_attr}/>')
    out.append(f'{indent}  </operations>')
    out.append(f'{indent}</primitive>')
    return out


def _resources_xml(cluster: Cluster) -> list[str]:
    out = []
    for unit in cluster.units:
        if unit.kind == "primitive":
            out += _primitive_xml(unit.prims[0], "      ")
        elif unit.kind == "group":
            out.append(f'      <group id="{unit.id}">')
            for prim in unit.prims:
                out += _primitive_xml(prim, "        ")
            out.append('      </group>')
        else:
            out.append(f'      <clone id="{unit.id}">')
            out.append(f'        <meta_attributes id="{unit.id}-meta_attributes">')
            if unit.kind == "promotable":
                out.append(f'          <nvpair id="{unit.id}-meta_attributes-promotable" '
                           'name="promotable" value="true"/>')
                out.append(f'          <nvpair id="{unit.id}-meta_attributes-promoted-max" '
                           'name="promoted-max" value="1"/>')
            out.append(f'          <nvpair id="{unit.id}-meta_attributes-interleave" '
                       'name="interleave" value="true"/>')
            out.append('        </meta_attributes>')
            out += _primitive_xml(unit.prims[0], "        ")
            out.append('      </clone>')
    return out


def _digest(prim: Prim, interval: int, timeout: str) -> str:
    return op_digests(prim.params, interval, None, timeout, feature_set=FEATURE_SET).all


class _Calls:
    def __init__(self):
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _op_xml(prim: Prim, key_id: str, task: str, interval: int, rc: int, node: str,
            calls: _Calls, timeout: str = "20s") -> str:
    call = calls.next()
    key = f"{prim.id}_{task}_{interval}"
    expected = 7 if (task == "monitor" and interval == 0) else (8 if rc == 8 else 0)
    tkey = f"{call}:1:{expected}:{UUID}"
    changed = EXECUTION_DATE - 3600 + call % 1000
    return (f'            <lrm_rsc_op id="{key_id}" operation_key="{key}" operation="{task}" '
            f'crm-debug-origin="do_update_resource" crm_feature_set="{FEATURE_SET}" '
            f'transition-key="{tkey}" transition-magic="0:{rc};{tkey}" exit-reason="" '
            f'on_node="{node}" call-id="{call}" rc-code="{rc}" op-status="0" '
            f'interval="{interval}" last-rc-change="{changed}" exec-time="10" queue-time="0" '
            f'op-digest="{_digest(prim, interval, timeout)}"/>')


def _history_xml(prim: Prim, node: str, state: str, calls: _Calls,
                 depth: int = 0) -> list[str]:
    """state: stopped (probed, not running) | started | unpromoted | promoted.

    ``depth`` old start/stop pairs come first (legacy per-task records, as a
    cluster that has run for months and moved its services keeps them)."""
    out = [f'          <lrm_resource id="{prim.id}" {_agent_attrs(prim)}>']
    for round_ in range(depth):
        out.append(_op_xml(prim, f"{prim.id}_start_{round_}", "start", 0, 0, node, calls))
        out.append(_op_xml(prim, f"{prim.id}_stop_{round_}", "stop", 0, 0, node, calls))
    if state == "stopped":
        out.append(_op_xml(prim, f"{prim.id}_last_0", "monitor", 0, 7, node, calls))
    else:
        last = "promote" if state == "promoted" else "start"
        out.append(_op_xml(prim, f"{prim.id}_last_0", last, 0, 0, node, calls))
        if prim.agent[0] == "stonith":
            intervals = (60000,)
        elif state == "promoted":
            intervals = (PROMOTED_MONITOR_MS,)
        elif prim.promotable:
            intervals = (MONITOR_MS,)
        else:
            intervals = prim.monitors
        rc = 8 if state == "promoted" else 0
        for interval in intervals:
            out.append(_op_xml(prim, f"{prim.id}_monitor_{interval}", "monitor", interval, rc,
                               node, calls))
    out.append('          </lrm_resource>')
    return out


def _status_xml(cluster: Cluster, scenario: str) -> list[str]:
    out = ["  <status>"]
    failed = cluster.nodes - 1
    calls = _Calls()
    for i in range(cluster.nodes + len(cluster.remotes)):
        remote = i >= cluster.nodes
        down = scenario == "failure" and i == failed
        membership = ('in_ccm="false" crmd="offline" join="down" expected="member"' if down
                      else 'in_ccm="true" crmd="online" join="member" expected="member"')
        if remote:
            name = cluster.remotes[i - cluster.nodes]
            out.append(f'    <node_state remote_node="true" id="{name}" uname="{name}" '
                       'crm-debug-origin="do_update_resource">')
        else:
            name = node_name(i)
            out.append(f'    <node_state id="{node_id(i)}" uname="{name}" {membership} '
                       'crm-debug-origin="do_update_resource">')
        if scenario == "fresh" and not cluster.remotes:
            out.append("    </node_state>")
            continue
        if scenario == "fresh":
            # remote-heavy: the connections already run, nothing else has been probed
            out.append(f'      <lrm id="{name}">')
            out.append('        <lrm_resources>')
            if not remote:
                for unit in cluster.units:
                    prim = unit.prims[0]
                    if unit.kind == "primitive" and prim.id in cluster.remotes:
                        out += _history_xml(prim, name, "started" if unit.node == i
                                            else "stopped", calls)
            out.append('        </lrm_resources>')
            out.append('      </lrm>')
            out.append("    </node_state>")
            continue
        promoted_attrs = [(f"master-{unit.prims[0].id}", "10" if unit.promoted_node == i else "5")
                          for unit in cluster.units if unit.kind == "promotable"]
        if promoted_attrs:
            out.append(f'      <transient_attributes id="{node_id(i)}">')
            out.append(f'        <instance_attributes id="status-{node_id(i)}">')
            for name, value in promoted_attrs:
                out.append(f'          <nvpair id="status-{node_id(i)}-{name}" name="{name}" '
                           f'value="{value}"/>')
            out.append('        </instance_attributes>')
            out.append('      </transient_attributes>')
        out.append(f'      <lrm id="{name if remote else node_id(i)}">')
        out.append('        <lrm_resources>')
        for unit in cluster.units:
            for prim in unit.prims:
                if remote and (prim.agent[0] == "stonith" or prim.id in cluster.remotes):
                    continue            # fencing and connections never run on remote nodes
                if unit.kind == "clone":
                    state = "started"
                elif unit.kind == "promotable":
                    state = "promoted" if unit.promoted_node == i else "unpromoted"
                else:
                    state = "started" if unit.node == i else "stopped"
                out += _history_xml(prim, name, state, calls, cluster.history_depth)
        out.append('        </lrm_resources>')
        out.append('      </lrm>')
        out.append('    </node_state>')
    out.append("  </status>")
    return out


def cib_xml(cluster: Cluster, scenario: str = "fresh") -> str:
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}: {', '.join(SCENARIOS)}")
    out = [f'<cib crm_feature_set="{FEATURE_SET}" validate-with="pacemaker-3.7" epoch="1" '
           f'num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="1" '
           f'execution-date="{EXECUTION_DATE}">',
           "  <configuration>",
           "    <crm_config>",
           '      <cluster_property_set id="cib-bootstrap-options">',
           '        <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="true"/>',
           '        <nvpair id="opt-no-quorum-policy" name="no-quorum-policy" value="stop"/>',
           '        <nvpair id="opt-cluster-name" name="cluster-name" value="bench"/>']
    out += [f'        <nvpair id="opt-{name}" name="{name}" value="{value}"/>'
            for name, value in cluster.options.items()]
    out += ["      </cluster_property_set>",
            "    </crm_config>",
            "    <nodes>"]
    for i in range(cluster.nodes):
        if not cluster.node_utilization:
            out.append(f'      <node id="{node_id(i)}" uname="{node_name(i)}"/>')
            continue
        out.append(f'      <node id="{node_id(i)}" uname="{node_name(i)}">')
        out.append(f'        <utilization id="nodes-{node_id(i)}-utilization">')
        out += [f'          <nvpair id="nodes-{node_id(i)}-utilization-{name}" name="{name}" '
                f'value="{value}"/>' for name, value in cluster.node_utilization.items()]
        out.append('        </utilization>')
        out.append('      </node>')
    out += ["    </nodes>", "    <resources>"]
    out += _resources_xml(cluster)
    out += ["    </resources>", "    <constraints>"]
    out += cluster.locations + cluster.colocations + cluster.orders
    out += ["    </constraints>",
            "    <rsc_defaults>",
            '      <meta_attributes id="rsc-options">',
            '        <nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" '
            'value="100"/>',
            "      </meta_attributes>",
            "    </rsc_defaults>",
            "  </configuration>"]
    out += _status_xml(cluster, scenario)
    out.append("</cib>")
    return "\n".join(out) + "\n"


def generate(nodes: int, resources: int, scenario: str = "fresh", mix=DEFAULT_MIX,
             seed: int = 1, shape: str = "standard") -> str:
    """CIB XML for ``nodes`` nodes and ``resources`` configured primitives."""
    return cib_xml(build_shape(shape, nodes, resources, seed, mix), scenario)


def parse_mix(text: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"mix: choose from {', '.join(KINDS)}")
    return kinds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("nodes", type=int)
    parser.add_argument("resources", type=int, help="configured primitives")
    parser.add_argument("--scenario", choices=SCENARIOS, default="fresh")
    parser.add_argument("--mix", type=parse_mix, default=DEFAULT_MIX,
                        help="comma-separated: primitives,groups,clones (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", choices=SHAPES, default="standard",
                        help="what the cluster stresses (default: %(default)s; --mix applies "
                        "to standard only)")
    parser.add_argument("-o", "--output", help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    text = generate(args.nodes, args.resources, args.scenario, args.mix, args.seed, args.shape)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
