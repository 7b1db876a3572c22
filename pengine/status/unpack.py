"""Unpack a CIB into the working state of one run, at a given time.

Follows Pacemaker's lib/pengine/unpack.c: cluster options, nodes, resources
(with their meta-attributes, defaults and clone instances), then the status
section: node membership and each resource's role from its operation
history, failures and fail-counts.  This module is the driver and keeps the
options, nodes and node states; the resources are unpacked in
``unpack_resources``, the resource history in ``unpack_history``, with
``op_config`` (configured operations) and ``failcounts``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from pengine.cib import model as m
from pengine.status import history as h
from pengine.common import options as opts
from pengine.common.names import name_key
from pengine.status.cluster import NoQuorum, Node, Resource, Role, Scheduler
from pengine.common.options import is_true, parse_bool
from pengine.status.fencing import fence_node  # noqa: F401 (also imported from here)
from pengine.status.params import (evaluate, rsc_params, rule_context,  # noqa: F401 (ditto)
                                   unpack_sets)
from pengine.common.scores import INFINITY, parse_score


# ------------------------------------------------------------------ entry --

def unpack(cib: m.Cib, now: datetime | None = None, *, quorum: bool | None = None) -> Scheduler:
    """The working state for ``cib`` at time ``now`` (default: wall clock)."""
    if now is None:
        now = datetime.now(timezone.utc)
    sch = Scheduler(cib, now, int(now.timestamp()))
    if quorum is None:
        quorum = is_true(cib.get("have-quorum"))
    sch.quorate = quorum
    unpack_config(sch)
    unpack_nodes(sch)
    unpack_remote_nodes(sch)
    unpack_resources(sch)
    unpack_tags(sch)
    unpack_status(sch)
    return sch


# ---------------------------------------------------------------- config --

def unpack_config(sch: Scheduler) -> None:
    config = sch.cib.configuration
    values = unpack_sets(sch, config.crm_config, rule_context(sch),
                                first_id="cib-bootstrap-options")
    sch.options = opts.with_defaults(values)
    get = lambda name: opts.option(sch.options, name)  # noqa: E731

    sch.probe_resources = is_true(get("enable-startup-probes"))
    if is_true(get("have-watchdog")):
        sch.have_fencing = True
    sch.fencing_enabled = is_true(get("fencing-enabled"))
    sch.fence_action = get("fencing-action") or "reboot"
    sch.fence_timeout_ms = opts.interval_ms(get("fencing-timeout"))
    sch.concurrent_fencing = is_true(get("concurrent-fencing"))
    sch.priority_fencing_ms = opts.interval_ms(get("priority-fencing-delay"))
    sch.stop_all = is_true(get("stop-all-resources"))
    sch.symmetric = is_true(get("symmetric-cluster"))
    sch.enable_unfencing = _uses_unfencing(config)

    policy = (get("no-quorum-policy") or "stop").lower()
    if policy == "ignore":
        sch.no_quorum_policy = NoQuorum.IGNORE
    elif policy == "freeze":
        sch.no_quorum_policy = NoQuorum.FREEZE
    elif policy == "demote":
        sch.no_quorum_policy = NoQuorum.DEMOTE
    elif policy in ("fence", "suicide"):
        if sch.fencing_enabled:
            panic = h.to_int(sch.cib.get("no-quorum-panic"), 0)
            sch.no_quorum_policy = NoQuorum.FENCE if (panic or sch.quorate) else NoQuorum.STOP
        else:
            sch.no_quorum_policy = NoQuorum.STOP
    else:
        sch.no_quorum_policy = NoQuorum.STOP

    sch.stop_removed = is_true(get("stop-removed-resources"))
    sch.cancel_removed = is_true(get("cancel-removed-actions"))
    sch.maintenance_mode = is_true(get("maintenance-mode"))
    sch.start_failure_fatal = is_true(get("start-failure-is-fatal"))
    sch.startup_fencing = sch.fencing_enabled and is_true(get("startup-fencing"))
    sch.health_scores = (parse_score(get("node-health-red")), parse_score(get("node-health-yellow")),
                         parse_score(get("node-health-green")))
    sch.placement_strategy = (get("placement-strategy") or "default").lower()
    sch.shutdown_lock = is_true(get("shutdown-lock"))
    if sch.shutdown_lock:
        sch.shutdown_lock_ms = opts.interval_ms(get("shutdown-lock-limit"))
    sch.node_pending_ms = opts.interval_ms(get("node-pending-timeout"))
    sch.fence_remote_without_quorum = is_true(get("fence-remote-without-quorum"))
    sch.rsc_defaults = config.rsc_defaults
    sch.op_defaults = config.op_defaults


def _uses_unfencing(config: m.Configuration) -> bool:
    """Any resource (or rsc_defaults) meta with provides/requires=unfencing."""
    def sets_have(sets):
        return any(p.name in ("provides", "requires") and p.value == "unfencing"
                   for s in sets for p in s.nvpairs)
    if sets_have(config.rsc_defaults):
        return True
    return any(sets_have(getattr(rsc, "meta", ())) for rsc in m.walk_resources(config.resources))


# ----------------------------------------------------------------- nodes --

def new_node(sch: Scheduler, node_id: str, name: str, variant: str, score: int = 0) -> Node:
    node = Node(node_id, name, variant, score)
    node.attrs["#kind"] = "remote" if variant == "remote" else "cluster"
    if variant == "remote":
        sch.have_remote_nodes = True
    sch.nodes.append(node)
    sch.nodes.sort(key=lambda n: name_key(n.name or ""))  # pe__cmp_node_name
    sch.nodes_by_id[node_id] = node
    return node


def startup_fencing(sch: Scheduler, node: Node) -> None:
    if node.is_remote and node.remote_rsc is None:
        return
    node.unclean = sch.startup_fencing


def unpack_nodes(sch: Scheduler) -> None:
    for cfg in sch.cib.configuration.nodes:
        variant = "remote" if (cfg.type or "member").lower() == "remote" else "cluster"
        if (cfg.type or "member").lower() not in ("member", "remote", "normal"):
            sch.warnings.append(f"Ignoring node {cfg.uname} with unrecognized type '{cfg.type}'")
            continue
        node = new_node(sch, cfg.id, cfg.uname, variant, parse_score(cfg.score))
        startup_fencing(sch, node)
        add_node_attrs(sch, node, cfg.attributes, cfg.utilization, overwrite=False)


def add_node_attrs(sch: Scheduler, node: Node, attr_sets, util_sets, overwrite: bool) -> None:
    node.attrs["#uname"] = node.name
    node.attrs["#id"] = node.id
    dc_id = sch.cib.get("dc-uuid")
    if sch.dc_node is None and dc_id is not None and dc_id.lower() == node.id.lower():
        sch.dc_node = node
        node.is_dc = True
        node.attrs["#is_dc"] = "true"
    elif node is not sch.dc_node:
        node.attrs["#is_dc"] = "false"
    cluster_name = sch.options.get("cluster-name")
    if cluster_name:
        node.attrs["#cluster-name"] = cluster_name
    values = unpack_sets(sch, attr_sets, rule_context(sch))
    if overwrite:
        node.attrs.update(values)
    else:
        for key, value in values.items():
            node.attrs.setdefault(key, value)
    for key, value in unpack_sets(sch, util_sets, rule_context(sch)).items():
        node.utilization.setdefault(key, value)
    if "#site-name" not in node.attrs:
        site = node.attrs.get("site-name") or cluster_name
        if site:
            node.attrs["#site-name"] = site


# ------------------------------------------------------------------ tags --

def unpack_tags(sch: Scheduler) -> None:
    for tag in sch.cib.configuration.tags:
        sch.tags.setdefault(tag.id, []).extend(tag.refs)


# ---------------------------------------------------------------- status --

def unpack_status(sch: Scheduler) -> None:
    status = sch.cib.status
    from pengine.status.tickets import unpack_ticket_states
    unpack_ticket_states(sch)
    for state in status.node_states:
        _unpack_node_state(sch, state)
    while _unpack_node_history(sch, status, fence=False):
        pass
    _unpack_node_history(sch, status, fence=sch.fencing_enabled)
    for container in sch.stop_needed:
        node = container.current_node
        if node is not None:
            from pengine.status.actions import stop_action
            stop_action(sch, container, node, optional=False)
    sch.stop_needed = []
    for node in sch.nodes:
        if not node.is_remote:
            continue
        if node.shutdown and node.remote_rsc is not None:
            set_next_role(node.remote_rsc, Role.STOPPED)
        if not node.unpacked:
            _determine_remote_online_status(sch, node)


def set_next_role(rsc: Resource, role: Role) -> None:
    rsc.next_role = role


def _unpack_node_state(sch: Scheduler, state: m.NodeState) -> None:
    if not state.id:
        return
    node = sch.find_node_any(state.id, state.uname)
    if node is None:
        return
    node.state = state
    if node.is_remote:
        node.remote_fenced = h.to_int(state.get("node_fenced"), 0) != 0
        return
    add_node_attrs(sch, node, state.transient, state.transient_utilization, overwrite=True)
    if is_true(node.attrs.get("standby")):
        node.standby = True
    if is_true(node.attrs.get("maintenance")):
        node.maintenance = True
    node.unclean = False
    node.seen = True
    _determine_online_status(sch, state, node)
    if not sch.quorate and node.online and sch.no_quorum_policy == NoQuorum.FENCE:
        fence_node(sch, node, "cluster does not have quorum", False)


def _shutdown_requested(node: Node) -> bool:
    value = node.attrs.get("shutdown")
    return value is not None and value not in ("0", "")


def _member_time(sch: Scheduler, state: m.NodeState) -> int:
    value = state.get("in_ccm")
    if value is None:
        return -1
    flag = parse_bool(value)
    if flag is None:
        try:
            when = int(value)
        except ValueError:
            return -1
        return when if when >= 0 else -1
    return sch.now_epoch if flag else 0


def _online_time(state: m.NodeState) -> int:
    value = state.get("crmd")
    if value is None or value.lower() == "offline":
        return 0
    if value.lower() == "online":
        return 1
    try:
        when = int(value)
    except ValueError:
        return 0
    return when if when >= 0 else 0


def _termination_requested(node: Node) -> bool:
    value = node.attrs.get("terminate")
    if value is None:
        return False
    flag = parse_bool(value)
    if flag is not None:
        return flag
    try:
        return int(value) > 0
    except ValueError:
        return False


def _determine_online_status(sch: Scheduler, state: m.NodeState, node: Node) -> None:
    node.shutdown = False
    expected = state.get("expected")
    if _shutdown_requested(node):
        node.shutdown = True
    elif expected is not None and expected.lower() == "member":
        node.expected_up = True
    if not sch.fencing_enabled:
        online = _online_no_fencing(sch, state, node)
    else:
        online = _online_fencing(sch, state, node)
    if online:
        node.online = True
    else:
        node.score = -INFINITY
    if online and node.shutdown:
        node.score = -INFINITY


def _online_no_fencing(sch: Scheduler, state: m.NodeState, node: Node) -> bool:
    join = state.get("join")
    member = _member_time(sch, state)
    online_at = _online_time(state)
    if member <= 0:
        return False
    if online_at > 0:
        return (join or "").lower() == "member"
    if not node.expected_up:
        return False
    fence_node(sch, node, "peer is unexpectedly down", False)
    return False


def _online_fencing(sch: Scheduler, state: m.NodeState, node: Node) -> bool:
    terminate = _termination_requested(node)
    join = state.get("join")
    expected = state.get("expected")
    member = _member_time(sch, state)
    online_at = _online_time(state)
    if node.shutdown:
        return online_at > 0
    if member < 0:
        fence_node(sch, node, "peer has not been seen by the cluster", False)
        return False
    if join == "banned":
        fence_node(sch, node, "peer failed Pacemaker membership criteria", False)
    elif terminate:
        if member <= 0 and online_at <= 0 and join == "down":
            return False
        fence_node(sch, node, "fencing was requested", False)
    elif expected is None or expected == "down":
        if sch.node_pending_ms > 0 and member > 0 and online_at <= 0 and \
                sch.now_epoch >= member + sch.node_pending_ms // 1000:
            fence_node(sch, node, "peer pending timed out on joining the process group", False)
        elif member > 0 or online_at > 0:
            node.standby = True
            node.pending = True
    elif member <= 0:
        fence_node(sch, node, "peer is no longer part of the cluster", True)
    elif online_at <= 0:
        fence_node(sch, node, "peer process is no longer available", False)
    elif join == "member":
        pass
    elif join in ("pending", "down"):
        node.standby = True
        node.pending = True
    else:
        fence_node(sch, node, "peer was in an unknown state", False)
    return member > 0


def _determine_remote_online_status(sch: Scheduler, node: Node) -> None:
    rsc = node.remote_rsc
    if rsc is None:
        node.online = False
        return
    launcher = rsc.launcher
    host = None
    if launcher is not None and len(rsc.running_on) == 1:
        host = rsc.running_on[0]
    if rsc.role == Role.STARTED:
        node.online = True
    if rsc.role == Role.STARTED and rsc.next_role == Role.STOPPED:
        node.shutdown = True
    if launcher is not None and launcher.failed:
        node.online = False
        node.remote_reset = True
    elif rsc.failed:
        node.online = False
    elif rsc.role == Role.STOPPED or (launcher is not None and launcher.role == Role.STOPPED):
        node.online = False
        node.remote_reset = False
    elif host is not None and not host.online and host.unclean:
        node.online = False
        node.remote_reset = True


def _unpack_remote_attrs(sch: Scheduler, node: Node, state: m.NodeState) -> None:
    node.remote_maint = h.to_int(state.get("node_in_maintenance"), 0) != 0
    rsc = node.remote_rsc
    if not node.remote_reset:
        node.unclean = False
        node.seen = True
    add_node_attrs(sch, node, state.transient, state.transient_utilization, overwrite=True)
    if _shutdown_requested(node):
        node.shutdown = True
    if is_true(node.attrs.get("standby")):
        node.standby = True
    if is_true(node.attrs.get("maintenance")) or (rsc is not None and not rsc.managed):
        node.maintenance = True
    discovery = node.attrs.get("resource-discovery-enabled")
    if discovery is not None and not is_true(discovery):
        if node.is_remote_only and not sch.fencing_enabled:
            pass
        else:
            node.probes_allowed = False


def _unpack_node_history(sch: Scheduler, status: m.Status, fence: bool) -> bool:
    again = False
    for state in status.node_states:
        uname = state.uname
        if not state.id or uname is None:
            continue
        node = sch.find_node_any(state.id, uname)
        if node is None or node.unpacked:
            continue
        if fence:
            pass
        elif node.is_guest:
            remote = node.remote_rsc
            launcher = remote.launcher
            if remote.role != Role.STARTED or launcher.role != Role.STARTED:
                continue
        elif node.is_remote:
            rsc = node.remote_rsc
            if rsc is None or (not sch.shutdown_lock and rsc.role != Role.STARTED):
                continue
        elif not (sch.fencing_enabled or sch.shutdown_lock) and not node.online:
            continue
        if node.is_remote:
            _determine_remote_online_status(sch, node)
            _unpack_remote_attrs(sch, node, state)
        node.unpacked = True
        unpack_node_lrm(sch, node, state)
        again = True
    return again


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.status.unpack_history import unpack_node_lrm  # noqa: E402
from pengine.status.unpack_resources import unpack_remote_nodes, unpack_resources  # noqa: E402
