"""Bundles unpacked: containers (docker, podman), their IPs, remote connections and the
resource inside (Pacemaker's lib/pengine/bundle.c), and the look-ups over the replicas.

A bundle expands into replicas.  Each replica has a container resource
(``ocf:heartbeat:docker|podman``), optionally an ``IPaddr2`` resource, and,
when the bundle holds a primitive, a Pacemaker Remote connection to a
*bundle node* named after the replica, on which that primitive's clone
instance runs.  The primitive is wrapped in a clone (``BUNDLE-clone``, or
``BUNDLE-master`` when promotable) with one instance per replica.  The
scheduler's side of bundles is pengine.schedule.variants.bundle.
"""

from __future__ import annotations

import os
import re

from attrs import define, field

from pengine.cib import model as m
from pengine.common.options import parse_bool
from pengine.common.scores import INFINITY
from pengine.status.active import active_node as _active_node_of, count_active_node
from pengine.status.cluster import NodeWeight, Resource, Scheduler

DEFAULT_REMOTE_PORT = 3121
# A container's parameters (so its digests) name paths of Pacemaker's build:
# a distribution's, unless PENGINE_PACEMAKER_PREFIX gives another build's
# ``configure --prefix`` (the differential tests' referee: /opt/pcmk302).
_PREFIX = os.environ.get("PENGINE_PACEMAKER_PREFIX", "").rstrip("/")
DEFAULT_REMOTE_KEY_LOCATION = _PREFIX + "/etc/pacemaker/authkey"
BUNDLE_LOG_DIR = _PREFIX + "/var/log/pacemaker/bundles"      # CRM_BUNDLE_DIR
REMOTED_PATH = (_PREFIX or "/usr") + "/sbin/pacemaker-remoted"  # SBIN_DIR "/" PCMK__SERVER_REMOTED
AGENTS = ("docker", "podman")


@define
class Mount:
    source: str
    target: str
    options: str | None = None
    subdir: bool = False          # mount an instance-specific subdirectory


@define
class Replica:
    offset: int
    child: Resource | None = None       # the bundled resource's clone instance
    ipaddr: str | None = None
    container: Resource | None = None
    ip: Resource | None = None
    remote: Resource | None = None
    node: object = None                 # the bundle node (a remote Node)


@define
class BundleData:
    prefix: str
    agent: str
    image: str | None = None
    promoted_max: int = 0
    nreplicas: int = 1
    nreplicas_per_host: int = 1
    container_command: str | None = None
    launcher_options: str | None = None
    container_network: str | None = None
    ip_range_start: str | None = None
    ip_last: str | None = None
    host_netmask: str | None = None
    host_network: str | None = None
    control_port: str | None = None
    add_host: bool = True
    container_host_options: str = ""
    attribute_target: str | None = None
    ports: list[tuple[str, str]] = field(factory=list)
    mounts: list[Mount] = field(factory=list)
    replicas: list[Replica] = field(factory=list)
    child: Resource | None = None       # the clone wrapping the bundled primitive


def data(rsc: Resource) -> BundleData:
    """The bundle data of ``rsc``'s bundle (``rsc`` may be inside it)."""
    return rsc.top(include_bundle=True).bundle


# ---------------------------------------------------------------- unpack ---

def _int_min(text: str | None, minimum: int) -> int:
    """pcmk__scan_min_int: the number (at least ``minimum``), ``minimum`` if invalid."""
    if text is None:
        return minimum
    match = re.match(r"\s*([+-]?\d+)", text)
    if match is None:
        return minimum
    return max(int(match.group(1)), minimum)


def _sanitize_id(text: str) -> str:
    """pcmk__xml_sanitize_id: characters XML ids can't hold become dots."""
    return text.replace(":", ".").replace("#", ".")


def _next_ip(last: str) -> str | None:
    parts = last.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return None     # IPv6 is not handled, as in Pacemaker
    o1, o2, o3, o4 = (int(p) for p in parts)
    if o3 > 253:
        return None
    if o4 > 253:
        o3, o4 = o3 + 1, 1
    else:
        o4 += 1
    return f"{o1}.{o2}.{o3}.{o4}"


def _allocate_ip(bd: BundleData, replica: Replica, host_options: list[str]) -> None:
    if bd.ip_range_start is None:
        return
    replica.ipaddr = _next_ip(bd.ip_last) if bd.ip_last else bd.ip_range_start
    bd.ip_last = replica.ipaddr
    if bd.add_host:
        host_options.append(f" --add-host={bd.prefix}-{replica.offset}:{replica.ipaddr}")
    else:
        host_options.append(f" --hosts-entry={replica.ipaddr}={bd.prefix}-{replica.offset}")


def _valid_network(sch: Scheduler, bd: BundleData) -> bool:
    if bd.ip_range_start:
        return True
    if bd.control_port:
        if bd.nreplicas_per_host > 1:
            sch.warnings.append(f"Specifying the 'control-port' for {bd.prefix} requires "
                                "'replicas-per-host=1'")
            bd.nreplicas_per_host = 1
        return True
    return False


def _pairs(set_id: str, items) -> m.AttrSet:
    return m.AttrSet([m.NvPair(name, value) for name, value in items], id=set_id)


def _monitor_op(rsc_id: str, interval: str, timeout: str | None = None) -> m.Op:
    attributes = {"timeout": timeout} if timeout else {}
    return m.Op("monitor", interval, id=f"{rsc_id}-monitor-{interval}", attributes=attributes)


def _container_config(bd: BundleData, replica: Replica) -> m.Primitive:
    rsc_id = _sanitize_id(f"{bd.prefix}-{bd.agent}-{replica.offset}")
    opts = []
    if bd.agent == "docker":
        opts.append(" --restart=no")
    if bd.ip_range_start is not None:
        opts.append(f" -h {bd.prefix}-{replica.offset}")
    opts.append(" -e PCMK_stderr=1")
    if bd.container_network is not None:
        opts.append(f" --net={bd.container_network}")
    port = bd.control_port if bd.control_port is not None else str(DEFAULT_REMOTE_PORT)
    opts.append(f" -e PCMK_remote_port={port}")
    subdirs = []
    for mount in bd.mounts:
        source = mount.source
        if mount.subdir:
            source = f"{mount.source}/{bd.prefix}-{replica.offset}"
            subdirs.append(source)
        opts.append(f" -v {source}:{mount.target}" + (f":{mount.options}"
                                                      if mount.options is not None else ""))
    for source, target in bd.ports:
        if replica.ipaddr is not None:
            opts.append(f" -p {replica.ipaddr}:{source}:{target}")
        elif bd.container_network != "host":   # no port mapping with net=host
            opts.append(f" -p {source}:{target}")
    # Pacemaker appends " " + options even when empty (a definition change otherwise)
    if bd.launcher_options is not None:
        opts.append(f" {bd.launcher_options}")
    if bd.container_host_options is not None:
        opts.append(f" {bd.container_host_options}")
    params = [("image", bd.image or ""), ("allow_pull", "true"), ("force_kill", "false"),
              ("reuse", "false"), ("run_opts", "".join(opts)),
              ("mount_points", ",".join(subdirs))]
    if replica.child is not None:
        params.append(("run_cmd", bd.container_command or REMOTED_PATH))
    elif bd.container_command is not None:
        params.append(("run_cmd", bd.container_command))
    params.append(("monitor_cmd", "/bin/true"))
    return m.Primitive(id=rsc_id, cls="ocf", provider="heartbeat", type=bd.agent,
                       params=[_pairs(f"{bd.prefix}-attributes-{replica.offset}", params)],
                       ops=[_monitor_op(rsc_id, "60s")])


def _ip_config(bd: BundleData, replica: Replica) -> m.Primitive:
    rsc_id = _sanitize_id(f"{bd.prefix}-ip-{replica.ipaddr}")
    params = [("ip", replica.ipaddr)]
    if bd.host_network:
        params.append(("nic", bd.host_network))
    params.append(("cidr_netmask", bd.host_netmask or "32"))
    return m.Primitive(id=rsc_id, cls="ocf", provider="heartbeat", type="IPaddr2",
                       params=[_pairs(f"{bd.prefix}-attributes-{replica.offset}", params)],
                       ops=[_monitor_op(rsc_id, "60s")])


def remote_connection_config(rsc_id: str, container_id: str | None, addr: str | None,
                             port: str | None, *, allow_migrate: str | None = None,
                             is_managed: str | None = None,
                             start_timeout: str | None = None) -> m.Primitive:
    """pe_create_remote_xml: an implicit ocf:pacemaker:remote connection."""
    meta = [("internal", "true")]
    if container_id:
        meta.append(("container", container_id))
    if allow_migrate:
        meta.append(("allow-migrate", allow_migrate))
    if is_managed:
        meta.append(("is-managed", is_managed))
    params = []
    if addr:
        params.append(("addr", addr))
    if port:
        params.append(("port", port))
    ops = [_monitor_op(rsc_id, "30s", "30s")]
    if start_timeout:
        ops.append(m.Op("start", "0", id=f"{rsc_id}-start-0",
                        attributes={"timeout": start_timeout}))
    return m.Primitive(id=rsc_id, cls="ocf", provider="pacemaker", type="remote",
                       params=[_pairs(f"{rsc_id}-instance_attributes", params)] if params else [],
                       meta=[_pairs(f"{rsc_id}-meta_attributes", meta)], ops=ops)


def _disallow_node(rsc: Resource, node_id: str) -> None:
    entry = rsc.allowed.get(node_id)
    if entry is not None:
        entry.score = -INFINITY
        entry.discover = "never"
    for child in rsc.children:
        _disallow_node(child, node_id)


def _create_remote(sch: Scheduler, bundle: Resource, bd: BundleData, replica: Replica) -> bool:
    from pengine.status.unpack import new_node
    from pengine.status.unpack_resources import unpack_resource
    if replica.child is None or not _valid_network(sch, bd):
        return True
    rsc_id = f"{bd.prefix}-{replica.offset}"
    if sch.find_resource(rsc_id) is not None:
        rsc_id = f"pcmk-internal-{replica.child.id}-remote-{replica.offset}"
    # "#uname" as the address lets a bundle run on a remote node (nested remotes)
    addr = replica.ipaddr or "#uname"
    port = bd.control_port or str(DEFAULT_REMOTE_PORT)
    config = remote_connection_config(rsc_id, replica.container.id, addr, port)

    node = sch.find_node(rsc_id)
    if node is None:
        node = new_node(sch, rsc_id, rsc_id, "remote", -INFINITY)
    else:
        node.score = -INFINITY
    node.probe_mode = "never"
    # Resources unpacked so far may have copied the node with a usable score.
    for other in sch.resources:
        _disallow_node(other, node.id)
    replica.node = node
    replica.child.allowed = {node.id: NodeWeight(node, 500, "exclusive")}
    replica.child.parent.allowed[node.id] = NodeWeight(node, -INFINITY, "never")

    remote = unpack_resource(sch, config, bundle)
    if remote is None:
        return False
    replica.remote = remote
    for entry in remote.allowed.values():
        if entry.node.is_remote:
            entry.score = -INFINITY     # connections run on cluster nodes only
    node.remote_rsc = remote
    remote.launcher = replica.container
    node.attrs["#kind"] = "container"
    bundle.children.append(remote)
    return True


def _create_replica_resources(sch: Scheduler, bundle: Resource, bd: BundleData,
                              replica: Replica) -> bool:
    from pengine.status.unpack_resources import unpack_resource
    container = unpack_resource(sch, _container_config(bd, replica), bundle)
    if container is None:
        return False
    container.replica_container = True
    replica.container = container
    bundle.children.append(container)
    if bd.ip_range_start is not None:
        ip = unpack_resource(sch, _ip_config(bd, replica), bundle)
        if ip is None:
            return False
        replica.ip = ip
        bundle.children.append(ip)
    if not _create_remote(sch, bundle, bd, replica):
        return False
    if replica.child is not None and replica.ipaddr is not None:
        replica.child.meta["external-ip"] = replica.ipaddr
    if replica.remote is not None:
        # the connection may run elsewhere than its container (nested remotes)
        replica.remote.remote_nesting_allowed = True
    return True


def unpack_bundle(sch: Scheduler, rsc: Resource) -> bool:
    """pe__unpack_bundle: create the replicas' resources and bundle nodes."""
    from pengine.status.unpack_resources import unpack_resource
    cfg: m.Bundle = rsc.config
    if cfg.runtime not in AGENTS:
        sch.warnings.append(f"Bundle {rsc.id}: container runtime '{cfg.runtime}' "
                            "is not supported")
        return False
    attrs = dict(cfg.runtime_attributes)
    bd = BundleData(prefix=rsc.id, agent=cfg.runtime)
    rsc.bundle = bd
    bd.promoted_max = _int_min(attrs.get("promoted-max") or attrs.get("masters"), 0)
    replicas = attrs.get("replicas")
    bd.nreplicas = bd.promoted_max if (replicas is None and bd.promoted_max > 0) \
        else _int_min(replicas, 1)
    bd.nreplicas_per_host = _int_min(attrs.get("replicas-per-host"), 1)
    rsc.unique = bd.nreplicas_per_host > 1
    rsc.promotable = bd.promoted_max > 0
    bd.container_command = attrs.get("run-command")
    bd.launcher_options = attrs.get("options")
    bd.image = attrs.get("image")
    bd.container_network = attrs.get("network")

    if cfg.network is not None:
        net = dict(cfg.network.attributes)
        bd.ip_range_start = net.get("ip-range-start")
        bd.host_netmask = net.get("host-netmask")
        bd.host_network = net.get("host-interface")
        bd.control_port = net.get("control-port")
        add_host = parse_bool(net.get("add-host"))
        bd.add_host = True if add_host is None else add_host
        for mapping in cfg.network.port_mappings:
            values = dict(mapping.attributes)
            source = values.get("port")
            target = values.get("internal-port") if source is not None else None
            if source is None:
                source = values.get("range")
            if source:
                bd.ports.append((source, target or source))
            else:
                sch.warnings.append(f"Invalid port directive {mapping.id}")

    need_log_mount = True
    for mapping in cfg.storage:
        values = dict(mapping.attributes)
        source, subdir = values.get("source-dir"), False
        target = values.get("target-dir")
        if source is None:
            source, subdir = values.get("source-dir-root"), True
        if source and target:
            bd.mounts.append(Mount(source, target, values.get("options"), subdir))
            if target == "/var/log":
                need_log_mount = False
        else:
            sch.warnings.append(f"Invalid mount directive {mapping.id}")

    clone_cfg = None
    if cfg.primitive is not None:
        if not _valid_network(sch, bd):
            sch.warnings.append(f"Cannot control {rsc.id} inside {cfg.primitive.id} without "
                                "either ip-range-start or control-port")
            return False
        # The clone keeps the legacy "master" in its name so that bundles
        # don't restart across upgrades.
        suffix = "master" if bd.promoted_max > 0 else "clone"
        meta = [("ordered", "true"), ("clone-max", str(bd.nreplicas)),
                ("clone-node-max", str(bd.nreplicas_per_host)),
                ("globally-unique", "true" if bd.nreplicas_per_host > 1 else "false")]
        if bd.promoted_max:
            meta += [("promotable", "true"), ("promoted-max", str(bd.promoted_max))]
        clone_cfg = m.Clone(id=f"{bd.prefix}-{suffix}", child=cfg.primitive,
                            meta=[_pairs(f"{bd.prefix}-clone-meta", meta)])

    host_options: list[str] = []
    if clone_cfg is not None:
        child = unpack_resource(sch, clone_cfg, rsc)
        if child is None:
            return False
        bd.child = child
        bd.mounts.append(Mount(DEFAULT_REMOTE_KEY_LOCATION, DEFAULT_REMOTE_KEY_LOCATION))
        if need_log_mount:
            bd.mounts.append(Mount(BUNDLE_LOG_DIR, "/var/log", None, True))
        port = bd.control_port or str(DEFAULT_REMOTE_PORT)
        bd.ports.append((port, port))
        for offset, instance in enumerate(child.children):
            replica = Replica(offset, child=instance)
            instance.exclusive_probes = True
            if instance.notify:
                child.notify = True
            _allocate_ip(bd, replica, host_options)
            bd.replicas.append(replica)
            bd.attribute_target = instance.meta.get("container-attribute-target")
        if bd.attribute_target:
            rsc.meta["container-attribute-target"] = bd.attribute_target
            child.meta["container-attribute-target"] = bd.attribute_target
    else:
        for offset in range(bd.nreplicas):   # a naked container, no pacemaker-remote
            replica = Replica(offset)
            _allocate_ip(bd, replica, host_options)
            bd.replicas.append(replica)
    bd.container_host_options = "".join(host_options)

    for replica in bd.replicas:
        if not _create_replica_resources(sch, rsc, bd, replica):
            sch.warnings.append(f"Failed unpacking resource {rsc.id}")
            return False
        # Utilization configured on the inner primitive belongs to its container.
        if replica.child is not None:
            replica.container.utilization, replica.child.utilization = \
                replica.child.utilization, replica.container.utilization
    if bd.child is not None:
        rsc.children.append(bd.child)
    return True


# ----------------------------------------------------------- lookups ---

def find_replica_resource(sch: Scheduler, bundle: Resource, node) -> Resource | None:
    """pe__find_bundle_replica: the bundled instance running on bundle node ``node``."""
    for replica in data(bundle).replicas:
        if replica.node is not None and replica.node is node:
            return replica.child
    return None


def _replica_with(rsc: Resource, part: str) -> Replica | None:
    """The replica of ``rsc``'s bundle whose ``part`` (container, remote) is ``rsc``."""
    top = rsc.top(include_bundle=True)
    if top.variant != "bundle" or top.bundle is None:
        return None
    return next((r for r in top.bundle.replicas if getattr(r, part) is rsc), None)


def rsc_in_container(instance: Resource) -> Resource | None:
    """pe__get_rsc_in_container: the bundled instance inside container ``instance``."""
    replica = _replica_with(instance, "container")
    return replica.child if replica is not None else None


def containers(bundle: Resource) -> list[Resource]:
    return [replica.container for replica in data(bundle).replicas]


def is_bundle_node(bundle: Resource, node) -> bool:
    return any(replica.node is node for replica in data(bundle).replicas)


def bundled_resource(rsc: Resource) -> Resource | None:
    """pe__bundled_resource: the clone inside ``rsc``'s bundle."""
    return data(rsc).child


def max_replicas(rsc: Resource) -> int:
    return data(rsc).nreplicas


def max_per_node(rsc: Resource) -> int:
    return data(rsc).nreplicas_per_host


def active_node_counted(rsc: Resource, count: bool = True):
    """pe__bundle_active_node: (node, active count, clean count) over the
    nodes where the bundle's containers are active."""
    active_containers = [c for c in containers(rsc) if c.running_on]
    if not active_containers:
        return None, 0, 0
    if len(active_containers) == 1:
        return _active_node_of(active_containers[0], count=count)
    active = None
    count_all = count_clean = 0
    seen: set[str] = set()
    for container in active_containers:
        for node in container.running_on:
            if node.id in seen:
                continue
            seen.add(node.id)
            count_all += 1
            count_clean += node.online and not node.unclean
            active, keep_looking = count_active_node(rsc, node, active, count)
            if not keep_looking:
                return active, count_all, count_clean
    return active, count_all, count_clean


def active_node(rsc: Resource):
    """pcmk__current_node for a bundle."""
    return active_node_counted(rsc, count=False)[0]


bundle_containers = containers


# ------------------------------------------------ REMOTE_CONTAINER_HACK ---
# A bundle connection whose address is "#uname" reaches pacemaker-remoted
# through the container's host: the address is that host's name.

def needs_remote_name(sch: Scheduler, rsc: Resource) -> bool:
    """pe__bundle_needs_remote_name: a connection configured with addr=#uname."""
    if rsc is None or not rsc.is_remote_connection:
        return False
    addr = _configured_addr(sch, rsc)
    return addr is not None and addr.lower() == "#uname"


def _configured_addr(sch: Scheduler, rsc: Resource) -> str | None:
    """The connection's node-less addr before before_graph() substitutes it
    (the digest of a result the graph records still needs the host)."""
    from pengine.status.params import rsc_params
    if "configured_addr" not in rsc.__dict__:
        rsc.configured_addr = rsc_params(sch, rsc, None).get("addr")
    return rsc.configured_addr


def remote_name(sch: Scheduler, rsc: Resource) -> str | None:
    """pe__add_bundle_remote_name: the name of the node the replica's container
    is assigned to, else of the node it is active on now (None if neither)."""
    if not needs_remote_name(sch, rsc):
        return None
    replica = _replica_with(rsc, "remote")
    if replica is None or replica.container is None:
        return None
    node = replica.container.assigned_node
    if node is None:
        node = replica.container.current_node
    return node.name if node is not None else None
