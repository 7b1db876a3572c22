"""Unpack a CIB into the working state of one run, at a given time.

Follows Pacemaker's lib/pengine/unpack.c: cluster options, nodes, resources
(with their meta-attributes, defaults and clone instances), then the status
section: node membership and each resource's role from its operation
history, failures and fail-counts.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timezone

from cib import model as m
from pengine import history as h
from pengine import journal
from pengine import options as opts
from pengine.names import name_key
from pengine.cluster import (AF, NodeWeight, NoQuorum, Node, OnFail, Resource, Role, Scheduler,
                             op_key, parse_role)
from pengine.options import is_true, parse_bool
from pengine.rules import (RuleContext, evaluate_rule, unpack_nvpair_sets_with_next_change)
from pengine.scores import INFINITY, add_scores, parse_score


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


def unpack_sets(sch: Scheduler, sets, ctx: RuleContext, overwrite: bool = False, **kw):
    """pe_unpack_nvpairs: merged name/value blocks; a date rule that will
    change its result brings the cluster's next re-check forward."""
    values, when = unpack_nvpair_sets_with_next_change(sets, ctx, overwrite, **kw)
    if when is not None:
        from pengine.dates import to_epoch
        update_recheck(sch, to_epoch(when))
    return values


def rule_context(sch: Scheduler, **fields) -> RuleContext:
    return RuleContext(now=sch.now, **fields)


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

def _new_node(sch: Scheduler, node_id: str, name: str, variant: str, score: int = 0) -> Node:
    node = Node(node_id, name, variant, score)
    node.attrs["#kind"] = "remote" if variant == "remote" else "cluster"
    if variant == "remote":
        sch.have_remote_nodes = True
    sch.nodes.append(node)
    sch.nodes.sort(key=lambda n: name_key(n.name or ""))  # pe__cmp_node_name
    sch.nodes_by_id[node_id] = node
    return node


def _startup_fencing(sch: Scheduler, node: Node) -> None:
    if node.is_remote and node.remote_rsc is None:
        return
    node.unclean = sch.startup_fencing


def unpack_nodes(sch: Scheduler) -> None:
    for cfg in sch.cib.configuration.nodes:
        variant = "remote" if (cfg.type or "member").lower() == "remote" else "cluster"
        if (cfg.type or "member").lower() not in ("member", "remote", "normal"):
            sch.warnings.append(f"Ignoring node {cfg.uname} with unrecognized type '{cfg.type}'")
            continue
        node = _new_node(sch, cfg.id, cfg.uname, variant, parse_score(cfg.score))
        _startup_fencing(sch, node)
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


# ------------------------------------------------------------- resources --

def _meta_get(sets, name: str) -> str | None:
    for attr_set in sets:
        for pair in attr_set.nvpairs:
            if pair.name == name:
                return pair.value
    return None


def unpack_remote_nodes(sch: Scheduler) -> None:
    """Create remote and guest nodes from the resource configuration."""
    config = sch.cib.configuration
    top_ids = {rsc.id for rsc in m.walk_resources(config.resources)}

    def guest_name(prim) -> str | None:
        if not isinstance(prim, m.Primitive):
            return None
        name = _meta_get(prim.meta, "remote-node")
        if name is None or name in top_ids:
            return None
        return name

    for rsc in config.resources:
        if isinstance(rsc, m.Primitive) and _is_remote_primitive(rsc):
            if sch.find_node(rsc.id) is None:
                _new_node(sch, rsc.id, rsc.id, "remote")
            continue
        candidates = [rsc] if isinstance(rsc, m.Primitive) else (
            list(rsc.children) if isinstance(rsc, m.Group) else [])
        for prim in candidates:
            name = guest_name(prim)
            if name and sch.find_node(name) is None:
                _new_node(sch, name, name, "remote")


def _is_remote_primitive(prim) -> bool:
    return _is_remote_agent(prim.cls, prim.provider, prim.type)


def unpack_resources(sch: Scheduler) -> None:
    config = sch.cib.configuration
    for cfg in config.resources:
        if isinstance(cfg, m.Template):
            sch.templates[cfg.id] = cfg
    expanded = list(config.resources)
    # guest nodes: an implicit ocf:pacemaker:remote connection per remote-node meta
    for cfg in config.resources:
        for prim in ([cfg] if isinstance(cfg, m.Primitive) else
                     list(cfg.children) if isinstance(cfg, m.Group) else []):
            name = _meta_get(prim.meta, "remote-node")
            if name and sch.all_resources.get(name) is None and name not in \
                    {r.id for r in m.walk_resources(config.resources)}:
                expanded.append(_guest_connection(prim, name))
    for cfg in expanded:
        if isinstance(cfg, m.Template):
            continue
        rsc = unpack_resource(sch, cfg, None)
        if rsc is not None:
            sch.resources.append(rsc)
    for rsc in sch.resources:
        _unpack_launcher(sch, rsc)
        _link_remote_node(sch, rsc)
    # stable sort by priority, highest first (pe__cmp_rsc_priority)
    sch.resources.sort(key=lambda r: -r.priority)
    for index, rsc in enumerate(sch.resources):
        rsc.sort_index = index


def _guest_connection(prim: m.Primitive, name: str) -> m.Primitive:
    """The connection resource Pacemaker creates for a guest node."""
    meta = {p.name: p.value for s in prim.meta for p in s.nvpairs}
    pairs = [m.NvPair("container", prim.id), m.NvPair("internal", "true")]
    if meta.get("remote-allow-migrate") is not None:
        pairs.append(m.NvPair("allow-migrate", meta["remote-allow-migrate"]))
    if meta.get("is-managed") is not None:
        pairs.append(m.NvPair("is-managed", meta["is-managed"]))
    # pe_create_remote_xml: parameters only for what the meta-attributes give
    params = []
    if meta.get("remote-addr") is not None:
        params.append(m.NvPair("addr", meta["remote-addr"]))
    if meta.get("remote-port") is not None:
        params.append(m.NvPair("port", meta["remote-port"]))
    timeout = meta.get("remote-connect-timeout") or "60s"
    ops = [m.Op("monitor", "30s", id=f"{name}-monitor-interval-30s", attributes={"timeout": "30s"}),
           m.Op("start", "0", id=f"{name}-start-interval-0", attributes={"timeout": timeout})]
    return m.Primitive(id=name, cls="ocf", provider="pacemaker", type="remote",
                       params=[m.AttrSet(params, id=f"{name}-instance_attributes")],
                       meta=[m.AttrSet(pairs, id=f"{name}_meta_attributes")], ops=ops)


def _unpack_launcher(sch: Scheduler, rsc: Resource) -> None:
    if rsc.children:
        for child in rsc.children:
            _unpack_launcher(sch, child)
        return
    launcher_id = rsc.meta.get("container")
    if launcher_id and launcher_id != rsc.id:
        launcher = sch.find_resource(launcher_id)
        if launcher is not None:
            rsc.launcher = launcher
            launcher.launched.append(rsc)
        else:
            sch.warnings.append(f"Resource {rsc.id}: Unknown container {launcher_id}")


def _link_remote_node(sch: Scheduler, rsc: Resource) -> None:
    if not rsc.is_remote_connection:
        return
    node = sch.find_node(rsc.id)
    if node is None:
        return
    node.remote_rsc = rsc
    if rsc.launcher is None:
        _startup_fencing(sch, node)
    else:
        node.attrs["#kind"] = "container"


def expand_template(sch: Scheduler, cfg: m.Primitive) -> m.Primitive:
    """A primitive with its ``@template`` merged in (template first, own wins)."""
    template = sch.templates.get(cfg.template)
    if template is None:
        return cfg

    def op_key_of(op: m.Op):
        role = op.get("role")
        if role is None or role in ("Started", "Slave", "Unpromoted"):
            role = "Unknown"
        return (op.name, role)

    cfg_ops, template_ops = operations(sch, cfg), operations(sch, template)
    own_ops = {op_key_of(op) for op in cfg_ops}
    ops = tuple(cfg_ops) + tuple(op for op in template_ops if op_key_of(op) not in own_ops) \
        if cfg_ops else tuple(template_ops)
    return m.Primitive(
        id=cfg.id, cls=template.cls, provider=template.provider, type=template.type,
        template=cfg.template, description=cfg.description or template.description,
        params=tuple(template.params) + tuple(cfg.params),
        meta=tuple(template.meta) + tuple(cfg.meta),
        utilization=tuple(template.utilization) + tuple(cfg.utilization),
        ops=ops, ops_id=cfg.ops_id or template.ops_id, span=cfg.span)


def operations(sch: Scheduler, cfg) -> tuple:
    """A primitive's or template's ops; ``<operations id-ref=...>`` names
    another ``<operations>`` block (pcmk__xe_resolve_idref)."""
    if cfg.ops or not getattr(cfg, "ops_id_ref", None):
        return tuple(cfg.ops)
    for other in m.walk_resources(sch.cib.configuration.resources):
        if getattr(other, "ops_id", None) == cfg.ops_id_ref and other.ops:
            return tuple(other.ops)
    return ()


def _xml_attrs(cfg) -> dict[str, str]:
    """The resource element's own XML attributes (they seed its meta table)."""
    out = {"id": cfg.id}
    if isinstance(cfg, (m.Primitive, m.Template)):
        for key, value in (("class", cfg.cls), ("provider", cfg.provider), ("type", cfg.type),
                           ("description", cfg.description)):
            if value is not None:
                out[key] = value
    elif getattr(cfg, "description", None) is not None:
        out["description"] = cfg.description
    return out


def unpack_resource(sch: Scheduler, cfg, parent: Resource | None,
                    instance: int | None = None) -> Resource | None:
    if isinstance(cfg, m.Primitive) and cfg.template:
        cfg = expand_template(sch, cfg)
    variant = {m.Primitive: "primitive", m.Group: "group", m.Clone: "clone",
               m.Bundle: "bundle"}.get(type(cfg))
    if variant is None:
        return None
    rsc_id = cfg.id if instance is None else f"{cfg.id}:{instance}"
    rsc = Resource(rsc_id, variant, cfg, parent)
    rsc.clone_name = cfg.id if instance is not None else None
    rsc.instance_number = instance
    if isinstance(cfg, m.Primitive):
        rsc.cls, rsc.provider, rsc.type = cfg.cls, cfg.provider, cfg.type
        rsc.ops = operations(sch, cfg)
    sch.all_resources.setdefault(rsc_id, rsc)

    # meta: own XML attributes, own meta sets, the parent's meta, then defaults
    meta = dict(_xml_attrs(cfg))
    ctx = rule_context(sch, rsc_class=rsc.cls, rsc_provider=rsc.provider, rsc_type=rsc.type)
    for key, value in unpack_sets(sch, getattr(cfg, "meta", ()), ctx).items():
        meta.setdefault(key, value)
    # get_meta_attributes: the ancestors' configured meta (the nearest first),
    # then defaults, then what the parent's meta became while it was unpacked
    ancestor = parent
    while ancestor is not None:
        for key, value in unpack_sets(sch, getattr(ancestor.config, "meta", ()), ctx).items():
            meta.setdefault(key, value)
        ancestor = ancestor.parent
    for key, value in unpack_sets(sch, sch.rsc_defaults, ctx).items():
        meta.setdefault(key, value)
    if parent is not None:
        for key, value in parent.meta.items():
            meta.setdefault(key, value)
    if instance is not None:
        meta["clone"] = str(instance)
    rsc.meta = meta
    rsc.instance_params = unpack_sets(sch, getattr(cfg, "params", ()), ctx)

    _unpack_common_options(sch, rsc, parent)

    if variant == "primitive":
        _unpack_primitive(sch, rsc)
    elif variant == "group":
        _unpack_requires(sch, rsc, rsc.meta.get("requires"))
        _unpack_group(sch, rsc, instance)
    elif variant == "clone":
        _unpack_requires(sch, rsc, rsc.meta.get("requires"))
        _unpack_clone(sch, rsc)
    elif variant == "bundle":
        from pengine.variants import bundle
        if not bundle.unpack_bundle(sch, rsc):
            return None

    if sch.symmetric:
        resource_location(sch, rsc, None, 0, "symmetric_default")
    elif rsc.is_remote_connection and rsc.meta.get("container"):
        resource_location(sch, rsc, None, 0, "remote_connection_default")

    rsc.utilization = unpack_sets(sch, getattr(cfg, "utilization", ()), ctx) \
        if variant == "primitive" else {}
    return rsc


def _unpack_common_options(sch: Scheduler, rsc: Resource, parent: Resource | None) -> None:
    meta = rsc.meta
    rsc.priority = parse_score(meta.get("priority"), 0)
    rsc.critical = parse_bool(meta.get("critical")) is not False
    rsc.notify = is_true(meta.get("notify"))
    managed = meta.get("is-managed")
    rsc.managed = True
    if managed is not None and managed != "default":
        flag = parse_bool(managed)
        rsc.managed = flag if flag is not None else True
    if is_true(meta.get("maintenance")):
        rsc.managed = False
        rsc.maintenance = True
    if sch.maintenance_mode:
        rsc.managed = False
        rsc.maintenance = True
    # pe__unpack_resource: within a clone (the top short of any bundle),
    # uniqueness is the clone's globally-unique; anything else is unique.
    top = rsc.top()
    if top.variant == "clone":
        rsc.unique = _detect_unique(meta)
        # the clone's meta is inherited: everything in a promotable clone is
        # promotable (pe__unpack_resource)
        rsc.promotable = is_true(meta.get("promotable")) or top.config.legacy_master
    else:
        rsc.unique = True
    recovery = (meta.get("multiple-active") or "stop_start").lower()
    rsc.recovery = recovery if recovery in ("block", "stop_only", "stop_start", "stop_unexpected") \
        else "stop_start"
    stickiness = meta.get("resource-stickiness")
    rsc.stickiness = parse_score(stickiness, 0) if stickiness not in (None, "default") else 0
    threshold = meta.get("migration-threshold")
    rsc.migration_threshold = INFINITY
    if threshold is not None and threshold != "default":
        rsc.migration_threshold = max(parse_score(threshold, INFINITY), 0)
    timeout = meta.get("failure-timeout")
    rsc.failure_timeout_ms = opts.interval_ms(timeout) if timeout else 0
    # A remote node's reconnect delay works as its connection's failure
    # timeout: the connection may not start again until the failure expires.
    reconnect = rsc.instance_params.get("reconnect_interval")
    if rsc.variant == "primitive" and _is_remote_prim_rsc(rsc) and reconnect \
            and meta.get("container") is None:
        rsc.remote_reconnect_ms = opts.interval_ms(reconnect)
        rsc.failure_timeout_ms = rsc.remote_reconnect_ms
    role = _target_role(rsc, meta.get("target-role"))
    if role is not None:
        rsc.target_role = role
        rsc.next_role = role


def _detect_unique(meta: dict[str, str]) -> bool:
    """detect_unique: globally-unique, defaulting to true when clone-node-max > 1."""
    value = meta.get("globally-unique")
    if value is None:
        return h.to_int(meta.get("clone-node-max"), 0) > 1
    return is_true(value)


def _force_anonymous(sch: Scheduler, rsc: Resource) -> None:
    """pe__force_anon: agents of classes other than ocf and stonith cannot be unique clones."""
    top = rsc.top()
    if not rsc.unique or top.variant != "clone" or (rsc.cls or "").lower() in ("ocf", "stonith"):
        return
    sch.warnings.append(f"Ignoring globally-unique for {top.id} because {rsc.cls} resources "
                        f"such as {rsc.id} can be used only as anonymous clones")
    top.clone_node_max = 1
    top.clone_max = min(top.clone_max, len(sch.nodes))

    def clear(each: Resource) -> None:
        each.unique = False
        each.meta["globally-unique"] = "false"
        for child in each.children:
            clear(child)
    # the clone and the instances hooked into it so far, and this primitive,
    # which is not hooked in yet; members of its group unpacked before it
    # stay unique until a later instance's member clears the clone again
    clear(top)
    clear(rsc)


def _is_remote_prim_rsc(rsc: Resource) -> bool:
    return _is_remote_agent(rsc.cls, rsc.provider, rsc.type)


def _is_remote_agent(cls: str | None, provider: str | None, rtype: str | None) -> bool:
    """xml_contains_remote_node: ocf:pacemaker:remote, in any case."""
    return (cls or "").lower() == "ocf" and (provider or "").lower() == "pacemaker" \
        and (rtype or "").lower() == "remote"


def _target_role(rsc: Resource, value: str | None) -> Role | None:
    """Pacemaker's get_target_role: None when it should be ignored."""
    if value is None or value.lower() in ("started", "default"):
        return None
    role = parse_role(value)
    if role is None or role == Role.UNKNOWN:
        return None
    if role > Role.STARTED:
        top = rsc
        while top.parent is not None:
            top = top.parent
        if _top_is_promotable(top):
            if role > Role.UNPROMOTED:
                return None
        else:
            return None
    return role


def _top_is_promotable(top: Resource) -> bool:
    if top.variant == "clone":
        return is_true(top.meta.get("promotable")) or getattr(top.config, "legacy_master", False)
    if top.variant == "bundle":
        return top.promotable
    return False


def _unpack_primitive(sch: Scheduler, rsc: Resource) -> None:
    if rsc.cls == "stonith":
        rsc.fence_device = True
        sch.have_fencing = True
    if _is_remote_prim_rsc(rsc):
        rsc.is_remote_connection = True
    # remote connections (not guest ones) may migrate unless told otherwise
    rsc.migratable = is_true(rsc.meta.get("allow-migrate")) or \
        (rsc.is_remote_connection and rsc.meta.get("allow-migrate") is None
         and rsc.meta.get("container") is None)
    _unpack_requires(sch, rsc, rsc.meta.get("requires"))
    _force_anonymous(sch, rsc)


def _unpack_requires(sch: Scheduler, rsc: Resource, value: str | None) -> None:
    rsc.needs_quorum = rsc.needs_fencing = rsc.needs_unfencing = False
    value = value.lower() if value else None
    if value == "nothing":
        return
    if value == "quorum":
        rsc.needs_quorum = True
        return
    if value == "fencing":
        rsc.needs_fencing = True
        return
    if value == "unfencing":
        if rsc.fence_device or not sch.fencing_enabled:
            rsc.needs_quorum = True
            return
        rsc.needs_fencing = rsc.needs_unfencing = True
        return
    if rsc.fence_device or rsc.is_remote_connection:
        default = "quorum"
    elif sch.enable_unfencing:
        default = "unfencing"
    elif sch.fencing_enabled:
        default = "fencing"
    elif sch.no_quorum_policy == NoQuorum.IGNORE:
        default = "nothing"
    else:
        default = "quorum"
    _unpack_requires(sch, rsc, default)


def _unpack_group(sch: Scheduler, rsc: Resource, instance: int | None) -> None:
    rsc.group_ordered = parse_bool(rsc.meta.get("ordered")) is not False
    rsc.group_colocated = parse_bool(rsc.meta.get("collocated")) is not False
    for child_cfg in rsc.config.children:
        child = unpack_resource(sch, child_cfg, rsc, instance)
        if child is not None:
            rsc.children.append(child)


def clone_max_default(sch: Scheduler) -> int:
    return len(sch.nodes)


def _unpack_clone(sch: Scheduler, rsc: Resource) -> None:
    meta = rsc.meta
    rsc.promotable = is_true(meta.get("promotable")) or rsc.config.legacy_master
    rsc.clone_max = h.to_int(meta.get("clone-max") or meta.get("incarnation-max"),
                             clone_max_default(sch)) if (meta.get("clone-max") or meta.get(
                                 "incarnation-max")) else clone_max_default(sch)
    rsc.clone_node_max = h.to_int(meta.get("clone-node-max") or meta.get("incarnation-node-max"), 1) \
        if (meta.get("clone-node-max") or meta.get("incarnation-node-max")) else 1
    rsc.promoted_max = h.to_int(meta.get("promoted-max") or meta.get("master-max"), 1) \
        if (meta.get("promoted-max") or meta.get("master-max")) else 1
    rsc.promoted_node_max = h.to_int(meta.get("promoted-node-max") or meta.get("master-node-max"), 1) \
        if (meta.get("promoted-node-max") or meta.get("master-node-max")) else 1
    rsc.clone_min = h.to_int(meta.get("clone-min"), 0)
    rsc.interleave = is_true(meta.get("interleave"))
    rsc.clone_ordered = is_true(meta.get("ordered"))
    # Clones are slightly sticky by default, so instances are not shuffled for
    # nothing; the instances inherit it (the clone's own stickiness was read
    # before, as Pacemaker reads it before the variant unpacks).
    if meta.get("resource-stickiness") is None:
        meta["resource-stickiness"] = "1"
    rsc.unique = _detect_unique(meta)
    if not rsc.unique and rsc.clone_node_max > 1:
        sch.warnings.append(f"Ignoring clone-node-max of {rsc.clone_node_max} for {rsc.id} "
                            "because anonymous clones support only one instance per node")
        rsc.clone_node_max = 1
    # clone_max is re-read each time: forcing a clone anonymous can lower it
    count = 0
    while count < (rsc.clone_max if rsc.clone_max > 0 else 1):
        create_clone_instance(sch, rsc, count)
        count += 1
    rsc.next_clone_number = count


def create_clone_instance(sch: Scheduler, clone: Resource, number: int | None = None) -> Resource:
    if number is None:
        number = clone.next_clone_number
        clone.next_clone_number += 1
    child = unpack_resource(sch, clone.config.child, clone, number)
    if number >= clone.clone_max:
        for prim in child.primitives():
            prim.removed = True
        child.removed = True
    clone.children.append(child)
    return child


# ------------------------------------------------------ location helpers --

def resource_location(sch: Scheduler, rsc: Resource, node: Node | None, score: int,
                      tag: str) -> None:
    """Add ``score`` to ``rsc``'s allowed-node entry (all nodes if None)."""
    if node is not None:
        _node_score(rsc, node, score, tag)
    else:
        for each in sch.nodes:
            _node_score(rsc, each, score, tag)
    if node is None and score == -INFINITY and rsc.assigned_node is not None:
        from pengine.assign import unassign_resource
        unassign_resource(rsc)


def _node_score(rsc: Resource, node: Node, score: int, tag: str = "") -> None:
    """resource_node_score: bundled instances and bundle nodes take no
    symmetric default (they are placed only where the bundle says)."""
    if tag == "symmetric_default" and (rsc.exclusive_probes or node.probe_mode == "never"):
        return
    for child in rsc.children:
        _node_score(child, node, score, tag)
    entry = rsc.allowed.get(node.id)
    before = None if entry is None else entry.score
    if entry is None:
        entry = NodeWeight(node, node.score, node.probe_mode)
        rsc.allowed[node.id] = entry
    entry.score = add_scores(entry.score, score)
    if journal.active():
        journal.note(rsc, node, before, entry.score, _TAG_KINDS.get(tag, "other"), tag)


# How `pengine explain` names the reasons resource_location is given.
_TAG_KINDS = {"symmetric_default": "default", "stickiness": "stickiness",
              "__fail_limit__": "failure", "__stop_fail__": "failure",
              "target-role": "role", "not_managed_default": "unmanaged",
              "remote_connection_default": "default"}


def ban_from_all_nodes(sch: Scheduler, rsc: Resource) -> None:
    if rsc.parent is not None:
        top = rsc.top()
        if top.is_anonymous_clone:
            rsc = top
    rsc.allowed = {node.id: NodeWeight(node, -INFINITY) for node in sch.nodes}


# ------------------------------------------------------------------ tags --

def unpack_tags(sch: Scheduler) -> None:
    for tag in sch.cib.configuration.tags:
        sch.tags.setdefault(tag.id, []).extend(tag.refs)


# ---------------------------------------------------------------- status --

def unpack_status(sch: Scheduler) -> None:
    status = sch.cib.status
    from pengine.ticket_rules import unpack_ticket_states
    unpack_ticket_states(sch)
    for state in status.node_states:
        _unpack_node_state(sch, state)
    while _unpack_node_history(sch, status, fence=False):
        pass
    _unpack_node_history(sch, status, fence=sch.fencing_enabled)
    for container in sch.stop_needed:
        node = container.current_node
        if node is not None:
            from pengine.actions import stop_action
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
        _unpack_node_lrm(sch, node, state)
        again = True
    return again


# --------------------------------------------------------- node fencing --

def fence_node(sch: Scheduler, node: Node, reason: str, priority_delay: bool) -> None:
    """Mark a node for fencing (pe_fence_node)."""
    from pengine.fencing import fence_op
    if node.is_guest:
        rsc = node.remote_rsc.launcher
        if not rsc.failed and rsc.managed:
            node.remote_reset = True
            rsc.failed = True
            rsc.stop_if_failed = True
    elif node.is_remote and node.remote_rsc is not None and node.remote_rsc.launcher is None \
            and node.remote_rsc.removed_launched:
        # a dangling guest: fenced already, its launcher is gone; clean up the connection
        node.remote_rsc.failed = True
        node.remote_rsc.stop_if_failed = True
    elif node.is_remote:
        rsc = node.remote_rsc
        if rsc is not None and not rsc.managed:
            pass
        elif not node.remote_reset:
            node.remote_reset = True
        node.unclean = True
        fence_op(sch, node, None, True, reason, False)
    elif node.unclean:
        pass
    else:
        node.unclean = True
        fence_op(sch, node, None, True, reason, priority_delay)


# ---------------------------------------------------- resource history --

def _clone_strip(rsc_id: str) -> str:
    return re.sub(r":[0-9]+$", "", rsc_id)


def _find_anonymous_instance(sch: Scheduler, node: Node, parent: Resource, rsc_id: str) -> Resource:
    rsc = None
    inactive = None
    skip_inactive = False
    for child in parent.children:
        locations = _locations(child, current=True, pending=True)
        if locations:
            if locations[0] is node:
                found = _find_in(child, rsc_id)
                if found is not None:
                    if found.running_on:
                        skip_inactive = True
                        rsc = None
                    else:
                        rsc = found
                if rsc is not None:
                    break
        else:
            if not skip_inactive and inactive is None and not child.blocked:
                inactive = _find_in(child, rsc_id)
                if inactive is not None and inactive.pending_node is not None \
                        and inactive.pending_node is not node:
                    inactive = None
    if rsc is None and not skip_inactive and inactive is not None:
        rsc = inactive
    if rsc is not None and not rsc.needs_fencing and (not node.online or node.unclean) \
            and not node.is_guest and not _is_universal_clone(sch, parent):
        rsc = None
    if rsc is None:
        top = create_clone_instance(sch, parent)
        for prim in top.primitives():
            prim.removed = True
        top.removed = True
        rsc = _find_in(top, rsc_id)
    return rsc


def _is_universal_clone(sch: Scheduler, clone: Resource) -> bool:
    """A clone whose instances run on every node (clone-max >= node count)."""
    return clone.variant == "clone" and clone.clone_max == len(sch.nodes)


def _find_in(rsc: Resource, base_id: str) -> Resource | None:
    """The primitive in instance ``rsc`` whose clone base name is ``base_id``."""
    for prim in rsc.primitives():
        if prim.clone_name == base_id or _clone_strip(prim.id) == base_id:
            return prim
    return None


def _locations(rsc: Resource, current: bool = True, pending: bool = False) -> list[Node]:
    result: list[Node] = []
    for prim in rsc.primitives():
        for node in prim.running_on:
            if node not in result:
                result.append(node)
        if pending and prim.pending_node is not None and prim.pending_node not in result:
            result.append(prim.pending_node)
    return result


def _unpack_find_resource(sch: Scheduler, node: Node, rsc_id: str) -> Resource | None:
    rsc = sch.find_resource(rsc_id)
    parent = None
    if rsc is None:
        clone0 = sch.find_resource(_clone_strip(rsc_id) + ":0")
        if clone0 is not None and not clone0.unique:
            rsc = clone0
            parent = clone0.top()
    elif rsc.variant != "primitive":
        return None
    else:
        parent = rsc.top()
    if parent is not None and parent.is_anonymous_clone:
        if parent.is_bundled():
            from pengine.variants import bundle
            rsc = bundle.find_replica_resource(sch, parent, node)
        else:
            rsc = _find_anonymous_instance(sch, node, parent, _clone_strip(rsc_id))
    if rsc is not None and rsc_id != rsc.id and rsc_id != rsc.history_id:
        rsc.history_id = rsc_id
    return rsc


def _process_removed_resource(sch: Scheduler, entry: m.LrmResource, node: Node) -> Resource:
    cfg = m.Primitive(id=entry.id, cls=entry.cls, provider=entry.provider, type=entry.type)
    rsc = unpack_resource(sch, cfg, None)
    if _is_remote_primitive(cfg):
        remote = sch.find_node(entry.id) or _new_node(sch, entry.id, entry.id, "remote")
        _link_remote_node(sch, rsc)
        remote.shutdown = True
    if entry.get("container"):
        rsc.removed_launched = True
    rsc.removed = True
    rsc.sort_index = len(sch.resources)
    sch.resources.append(rsc)
    if not sch.stop_removed:
        rsc.managed = False
    else:
        resource_location(sch, rsc, None, -INFINITY, "__removed_do_not_run__")
    return rsc


def _unpack_node_lrm(sch: Scheduler, node: Node, state: m.NodeState) -> None:
    found_removed_launched = False
    for entry in state.lrm_resources:
        rsc = _unpack_lrm_resource(sch, node, entry)
        if rsc is not None and rsc.removed_launched:
            found_removed_launched = True
    if found_removed_launched:
        for entry in state.lrm_resources:
            launcher_id = entry.get("container")
            if not launcher_id:
                continue
            launcher = sch.find_resource(launcher_id)
            rsc = sch.find_resource(entry.id)
            if launcher is None or rsc is None or rsc.launcher is not None or not rsc.removed_launched:
                continue
            rsc.launcher = launcher
            launcher.launched.append(rsc)


def _unpack_lrm_resource(sch: Scheduler, node: Node, entry: m.LrmResource) -> Resource | None:
    if not entry.id:
        return None
    if not entry.ops and not sch.shutdown_lock:
        return None
    rsc = _unpack_find_resource(sch, node, entry.id)
    if rsc is None:
        if not entry.ops:
            return None
        rsc = _process_removed_resource(sch, entry, node)
    if sch.shutdown_lock:
        _unpack_shutdown_lock(sch, entry, rsc, node)
    saved_role = rsc.role
    rsc.role = Role.UNKNOWN
    ops = h.sorted_by_call_id(entry.ops)
    state = _HistoryState()
    for op in ops:
        _unpack_rsc_op(sch, rsc, node, op, state)
    start_index, stop_index = h.active_ops(ops)
    _process_recurring(sch, node, rsc, start_index, stop_index, ops)
    _process_rsc_state(sch, rsc, node, state.on_fail)
    role = rsc.target_role
    if role is not None:
        if rsc.next_role == Role.UNKNOWN or role < rsc.next_role:
            rsc.next_role = role
    if saved_role > rsc.role:
        rsc.role = saved_role
    rsc.history_entries = getattr(rsc, "history_entries", {})
    rsc.history_entries[node.id] = (entry, ops)
    return rsc


class _HistoryState:
    __slots__ = ("on_fail", "last_failure")

    def __init__(self):
        self.on_fail = OnFail.IGNORE
        self.last_failure: m.LrmRscOp | None = None


def _unpack_shutdown_lock(sch: Scheduler, entry: m.LrmResource, rsc: Resource, node: Node) -> None:
    lock_time = h.to_int(entry.get("shutdown-lock"), 0)
    if lock_time == 0:
        return
    if sch.shutdown_lock_ms > 0 and sch.now_epoch > lock_time + sch.shutdown_lock_ms // 1000:
        from pengine.actions import clear_resource_history
        clear_resource_history(sch, rsc, node)
    else:
        rsc.lock_node = node
        rsc.lock_time = lock_time


def _process_recurring(sch: Scheduler, node: Node, rsc: Resource, start_index: int,
                       stop_index: int, ops) -> None:
    for counter, op in enumerate(ops):
        if not node.online:
            break
        if start_index < stop_index and counter <= stop_index:
            continue
        if counter < start_index:
            continue
        interval = h.interval_ms(op)
        if interval == 0:
            continue
        if op.get("op-status") == "-1":
            continue
        task = op.get("operation")
        custom_action(sch, rsc, op_key(rsc.id, task, interval), task, node, optional=True)


def _set_active(rsc: Resource) -> None:
    """set_active: a promotable clone's instances are active as unpromoted.
    Within a bundle the top is the bundle's child, not the bundle, so its
    containers and connections are simply started."""
    rsc.role = Role.UNPROMOTED if rsc.top().promotable else Role.STARTED


def _process_rsc_state(sch: Scheduler, rsc: Resource, node: Node, on_fail: OnFail) -> None:
    known_active = rsc.role > Role.STOPPED
    if rsc.role != Role.UNKNOWN:
        walker = rsc
        while walker is not None:
            walker.probed_nodes.setdefault(node.id, node)
            if walker.unique:
                break
            walker = walker.parent
    if known_active and not node.online and not node.maintenance and rsc.managed:
        should_fence = False
        reason = None
        if node.is_guest:
            rsc.failed = True
            rsc.stop_if_failed = True
            should_fence = True
        elif sch.fencing_enabled:
            if node.is_remote_only and node.remote_rsc is not None and not node.remote_rsc.failed:
                node.seen = False
                reason = (f"{rsc.id} is active there (fencing will be revoked if remote "
                          f"connection can be re-established elsewhere)")
            should_fence = True
        if should_fence:
            fence_node(sch, node, reason or f"{rsc.id} is thought to be active there", False)
    save_on_fail = on_fail
    if node.unclean:
        on_fail = OnFail.IGNORE
    if on_fail == OnFail.DEMOTE:
        rsc.failed = True
        demote_action(sch, rsc, node, optional=False)
    elif on_fail == OnFail.FENCE_NODE:
        fence_node(sch, node, f"{rsc.id} failed there", False)
    elif on_fail == OnFail.STANDBY_NODE:
        node.standby = True
        node.fail_standby = True
    elif on_fail == OnFail.BLOCK:
        rsc.managed = False
        rsc.blocked = True
    elif on_fail == OnFail.BAN:
        resource_location(sch, rsc, node, -INFINITY, "__action_migration_auto__")
    elif on_fail == OnFail.STOP:
        rsc.next_role = Role.STOPPED
    elif on_fail == OnFail.RESTART:
        if known_active:
            rsc.failed = True
            rsc.stop_if_failed = True
            stop_action(sch, rsc, node, optional=False)
    elif on_fail == OnFail.RESTART_CONTAINER:
        rsc.failed = True
        rsc.stop_if_failed = True
        if rsc.launcher is not None and rsc.is_bundled():
            sch.stop_needed.insert(0, rsc.launcher)
        elif rsc.launcher is not None:
            stop_action(sch, rsc.launcher, node, optional=False)
        elif known_active:
            stop_action(sch, rsc, node, optional=False)
    elif on_fail == OnFail.RESET_REMOTE:
        rsc.failed = True
        rsc.stop_if_failed = True
        if sch.fencing_enabled:
            target = sch.find_node(rsc.id) if rsc.is_remote_connection else None
            if target is not None and target.is_remote_only and not target.remote_fenced:
                fence_node(sch, target, "remote connection is unrecoverable", False)
        if known_active:
            stop_action(sch, rsc, node, optional=False)
        if rsc.remote_reconnect_ms > 0:
            rsc.next_role = Role.STOPPED
    if rsc.failed and rsc.is_remote_connection:
        target = sch.find_node(rsc.id)
        if target is not None and target.unclean:
            target.seen = True
    if known_active:
        add_running(sch, rsc, node, save_on_fail != OnFail.IGNORE)
        if on_fail == OnFail.IGNORE:
            pass
        elif on_fail in (OnFail.DEMOTE, OnFail.BLOCK):
            rsc.failed = True
        else:
            rsc.failed = True
            rsc.stop_if_failed = True
    elif rsc.history_id is not None and ":" in rsc.history_id:
        rsc.history_id = None
    else:
        for action in rsc.actions:
            if action.task == "stop" and (action.node is None or action.node is node):
                action.set(AF.OPTIONAL)
    if rsc.role == Role.STOPPED and rsc.running_on and rsc.partial_migration_target is not None \
            and rsc.partial_migration_source is node:
        rsc.role = Role.STARTED


def add_running(sch: Scheduler, rsc: Resource, node: Node, failed: bool) -> None:
    """native_add_running: record that ``rsc`` is active on ``node``."""
    if node in rsc.running_on:
        return
    rsc.running_on.append(node)
    if rsc.variant == "primitive":
        node.running.append(rsc)
        _priority_to_node(rsc, node, failed)
        if node.maintenance:
            rsc.managed = False
            rsc.maintenance = True
    if not rsc.managed:
        resource_location(sch, rsc, node, INFINITY, "not_managed_default")
        parent = rsc.parent
        while parent is not None:
            parent.running_on.append(node)
            parent = parent.parent
        return
    if _is_multiply_active(rsc):
        if rsc.recovery == "stop_only":
            rsc.allowed = {n.id: NodeWeight(n, -INFINITY) for n in sch.nodes}
        elif rsc.recovery == "block":
            rsc.managed = False
            rsc.blocked = True
            parent = rsc.parent
            if parent is not None and parent.variant in ("group", "bundle") \
                    and parent.recovery == "block":
                for child in parent.children:
                    child.managed = False
                    child.blocked = True
    if rsc.parent is not None:
        add_running(sch, rsc.parent, node, False)


def _is_multiply_active(rsc: Resource) -> bool:
    """Active on more than one node (counting unclean ones only when the
    resource requires fencing), as pe__find_active_requires counts."""
    if rsc.variant != "primitive":
        return False
    _, count_all, count_clean = active_node(rsc)
    return (count_all if rsc.needs_fencing else count_clean) > 1


def _priority_to_node(rsc: Resource, node: Node, failed: bool) -> None:
    """native_priority_to_node: a node's priority (for priority-fencing-delay)
    sums its resources' priorities, a promoted instance counting one more."""
    if rsc.priority == 0 or failed:
        return
    priority = rsc.priority + (1 if rsc.role == Role.PROMOTED else 0)
    node.priority += priority
    # A guest node's resources weigh on the nodes hosting its launcher too.
    remote = node.remote_rsc
    if remote is not None and remote.launcher is not None:
        for host in remote.launcher.running_on:
            host.priority += priority


# ---------------------------------------------------------- rsc ops ----

def find_op_config(rsc: Resource, name: str, interval: int, include_disabled: bool = True):
    """The configured ``<op>`` for task ``name`` at ``interval`` (ms), if any;
    remembered per resource (a run asks for the same few ops very often)."""
    cache = rsc.__dict__.get("_op_config_cache")
    if cache is None:
        cache = rsc._op_config_cache = {}
    key = (name, interval, include_disabled)
    if key not in cache:
        cache[key] = _find_op_config(rsc, name, interval, include_disabled)
    return cache[key]


def _find_op_config(rsc: Resource, name: str, interval: int, include_disabled: bool):
    def exact(task: str, wanted: int):
        for op in rsc.ops:
            if not include_disabled and parse_bool(op.get("enabled")) is False:
                continue
            if opts.interval_ms(op.interval) != wanted:
                continue
            if op.name == task:
                return op
        return None
    found = exact(name, interval)
    if found is None and name in ("migrate_to", "migrate_from"):
        found = exact("migrate", 0)
    return found


def op_meta(sch: Scheduler, rsc: Resource, node: Node | None, task: str, interval: int,
            op_cfg) -> dict[str, str]:
    """pcmk__unpack_action_meta: op meta with op_defaults, normalised.

    It depends on the resource, the task, the interval and the op's
    configuration only (not on the node): computed once per resource and
    op, and copied, since callers add to their action's meta."""
    cache = rsc.__dict__.get("_op_meta_cache")
    if cache is None:
        cache = rsc._op_meta_cache = {}
    key = (task, interval, id(op_cfg))
    found = cache.get(key)
    if found is None or found[0] is not op_cfg:
        found = cache[key] = (op_cfg, _op_meta(sch, rsc, task, interval, op_cfg))
    return dict(found[1])


def _op_meta(sch: Scheduler, rsc: Resource, task: str, interval: int,
             op_cfg) -> dict[str, str]:
    ctx = rule_context(sch, rsc_class=rsc.cls, rsc_provider=rsc.provider, rsc_type=rsc.type,
                       op_name=task, op_interval_ms=interval)
    meta: dict[str, str] = {}
    if op_cfg is not None:
        meta.update(unpack_sets(sch, op_cfg.meta, ctx))
        meta["name"] = op_cfg.name
        meta["interval"] = op_cfg.interval
        if op_cfg.id:
            meta["id"] = op_cfg.id
        meta.update(dict(op_cfg.attributes))
    if task == "monitor" and interval == 0 and "timeout" not in meta:
        best = None
        best_ms = None
        for op in rsc.ops:
            if op.name != "monitor":
                continue
            ms = opts.interval_ms(op.interval)
            if ms == 0 or parse_bool(op.get("enabled")) is False:
                continue
            if best_ms is None or ms < best_ms:
                best, best_ms = op, ms
        if best is not None and best.get("timeout") is not None:
            meta["timeout"] = best.get("timeout")
    for key, value in unpack_sets(sch, sch.op_defaults, ctx).items():
        meta.setdefault(key, value)
    meta.pop("id", None)
    if interval > 0:
        meta["interval"] = str(interval)
    else:
        meta.pop("interval", None)
    if rsc.cls == "stonith" and (task == "start" or (task == "monitor" and interval == 0)):
        timeout = rsc.instance_params.get("pcmk_monitor_timeout")
        if timeout is not None:
            meta["timeout"] = timeout
    timeout_ms = opts.interval_ms(meta.get("timeout")) if meta.get("timeout") else 0
    meta["timeout"] = str(timeout_ms if timeout_ms > 0 else 20000)
    # render: on-fail validation and start-delay normalisation belong to
    # pcmk__unpack_action_meta too (the graph XML shows them).
    validate_on_fail(rsc, task, op_cfg, meta)
    _normalise_start_delay(sch, meta, interval)
    return meta


def _normalise_start_delay(sch: Scheduler, meta: dict[str, str], interval: int) -> None:
    """start-delay in milliseconds, or derived from interval-origin."""
    if meta.get("start-delay") is not None:
        delay = parse_ms(meta["start-delay"])
        meta["start-delay"] = str(min(max(delay or 0, 0), 2**31 - 1))
        return
    origin_text = meta.get("interval-origin")
    if origin_text is None or interval == 0 or sch.now is None:
        return
    try:
        origin = parse_datetime(origin_text)
    except DateError:
        return
    interval_s = 0 if interval == 0 else (1 if interval < 1000 else
                                          interval // 1000 + (interval % 1000 >= 500))
    elapsed = to_epoch(sch.now) - to_epoch(origin)
    remainder = abs(elapsed) % interval_s * (1 if elapsed >= 0 else -1)   # C's %
    delay = (interval_s if remainder > 0 else 0) - remainder
    meta["start-delay"] = str(delay * 1000)


def _unpack_failure_handling(sch: Scheduler, rsc: Resource, node: Node, task: str,
                             interval: int) -> tuple[OnFail, Role]:
    from pengine.actions import parse_on_fail, role_after_failure, validate_on_fail
    cfg = find_op_config(rsc, task, interval, True)
    meta = op_meta(sch, rsc, node, task, interval, cfg)
    validate_on_fail(rsc, task, cfg, meta)
    on_fail = parse_on_fail(sch, rsc, task, interval, meta.get("on-fail"))
    return on_fail, role_after_failure(rsc, task, on_fail, meta)


class _Op:
    """A parsed history entry (struct action_history)."""

    __slots__ = ("xml", "id", "key", "task", "interval", "call_id", "expected", "exit_status",
                 "exec_status", "exit_reason")


def _unpack_rsc_op(sch: Scheduler, rsc: Resource, node: Node, op: m.LrmRscOp,
                   state: _HistoryState) -> None:
    hist = _Op()
    hist.xml = op
    hist.id = op.id
    if not op.id:
        return
    hist.task = op.get("operation")
    if hist.task is None:
        return
    hist.interval = h.interval_ms(op)
    if hist.task not in ("monitor", "start", "stop", "promote", "demote", "migrate_to",
                         "migrate_from", "asyncmon"):
        return
    status_text = op.get("op-status")
    try:
        hist.exec_status = int(status_text)
    except (TypeError, ValueError):
        return
    if hist.exec_status < h.EXEC_PENDING or hist.exec_status > h.EXEC_MAX \
            or hist.exec_status == h.EXEC_CANCELLED:
        return
    try:
        hist.exit_status = int(op.get("rc-code"))
    except (TypeError, ValueError):
        return
    if hist.exit_status < 0 or hist.exit_status > 255:
        return
    hist.exit_reason = op.get("exit-reason")
    hist.expected = h.target_rc(op)
    hist.key = h.history_key(op)
    hist.call_id = h.to_int(op.get("call-id"), -1)

    expired = _check_operation_expiry(sch, rsc, node, hist)
    old_rc = hist.exit_status
    _remap_operation(sch, rsc, node, hist, state, expired)

    if expired and _process_expired_result(sch, rsc, node, hist, old_rc):
        return
    if not rsc.is_bundled() and h.mask_probe_failure(op):
        _mask_probe_failure(sch, rsc, node, hist, old_rc, state)
        return
    parent = rsc if rsc.unique else rsc.top()
    status = hist.exec_status
    if status == h.EXEC_PENDING:
        _process_pending_action(sch, rsc, node, hist, state.last_failure)
        return
    if status == h.EXEC_DONE:
        _update_resource_state(sch, rsc, node, hist, hist.exit_status, state)
        return
    if status == h.EXEC_NOT_INSTALLED:
        strategy, fail_role = _unpack_failure_handling(sch, rsc, node, hist.task, hist.interval)
        if strategy == OnFail.IGNORE:
            state.on_fail = OnFail.BAN
        resource_location(sch, parent, node, -INFINITY, "hard-error")
        _unpack_rsc_op_failure(sch, rsc, node, hist, strategy, fail_role, state)
        return
    if status == h.EXEC_NOT_CONNECTED:
        if node.is_remote and node.remote_rsc is not None and node.remote_rsc.managed:
            node.remote_rsc.failed = True
            node.remote_rsc.stop_if_failed = True
    strategy, fail_role = _unpack_failure_handling(sch, rsc, node, hist.task, hist.interval)
    if strategy == OnFail.IGNORE or (strategy == OnFail.RESTART_CONTAINER and hist.task == "stop"):
        _update_resource_state(sch, rsc, node, hist, hist.expected, state)
        rsc.ignore_failure = True
        _record_failed_op(sch, rsc, node, hist)
        if strategy == OnFail.RESTART_CONTAINER and state.on_fail <= OnFail.RESTART:
            state.on_fail = strategy
    else:
        _unpack_rsc_op_failure(sch, rsc, node, hist, strategy, fail_role, state)
        if hist.exec_status == h.EXEC_ERROR_HARD:
            resource_location(sch, parent, node, -INFINITY, "hard-error")
        elif hist.exec_status == h.EXEC_ERROR_FATAL:
            resource_location(sch, parent, None, -INFINITY, "fatal-error")


def _record_failed_op(sch: Scheduler, rsc: Resource, node: Node, hist: _Op) -> None:
    if not node.online:
        return
    for entry in sch.failed_ops:
        if entry[1] == hist.key and entry[2] is node:
            return
    sch.failed_ops.append((rsc, hist.key, node, hist.xml))


def _check_operation_expiry(sch: Scheduler, rsc: Resource, node: Node, hist: _Op) -> bool:
    expired = False
    is_last_failure = hist.id.endswith("_last_failure_0")
    clear_reason = None
    if hist.exec_status == h.EXEC_NOT_INSTALLED:
        return False
    expiration = rsc.failure_timeout_ms // 1000
    last_run = hist.xml.get("last-rc-change")
    unexpired = 0
    if expiration > 0 and last_run is not None:
        last_run_s = h.to_int(last_run, 0)
        if sch.now_epoch >= last_run_s + expiration and not _ignore_failure_timeout(
                sch, rsc, hist.task, hist.interval, is_last_failure):
            expired = True
        unexpired, last_failure = get_failcount(sch, node, rsc, effective=True, xml_op=hist.xml,
                                                with_last=True)
        last_failure += expiration + 1
        if unexpired and sch.now_epoch < last_failure:
            update_recheck(sch, last_failure)
    if expired:
        if get_failcount(sch, node, rsc, effective=False, xml_op=hist.xml):
            if unexpired == 0:
                clear_reason = "it expired"
            else:
                expired = False
        elif is_last_failure and rsc.remote_reconnect_ms > 0:
            clear_reason = "reconnect interval is set"
    if not expired and is_last_failure and _should_clear_for_param_change(sch, hist, rsc, node):
        clear_reason = "resource parameters have changed"
    if clear_reason is not None:
        clear = clear_failcount(sch, rsc, node, clear_reason)
        if sch.fencing_enabled and rsc.remote_reconnect_ms > 0:
            remote = sch.find_node(rsc.id)
            if remote is not None:
                from pengine.fencing import fence_op
                from pengine.ordering import order_actions
                fence = fence_op(sch, remote, None, True, None, False)
                order_actions(fence, clear, 0x20)
    if expired and hist.interval == 0 and hist.task == "monitor":
        if hist.exit_status in (h.OCF_OK, h.OCF_NOT_RUNNING, h.OCF_RUNNING_PROMOTED,
                                h.OCF_DEGRADED, h.OCF_DEGRADED_PROMOTED):
            expired = False
    return expired


def update_recheck(sch: Scheduler, when: int) -> None:
    if when > sch.now_epoch and (sch.recheck_by == 0 or when < sch.recheck_by):
        sch.recheck_by = when


def _ignore_failure_timeout(sch: Scheduler, rsc: Resource, task: str, interval: int,
                            is_last_failure: bool) -> bool:
    if rsc.remote_reconnect_ms > 0 and sch.fencing_enabled and interval != 0 and task == "monitor":
        remote = sch.find_node(rsc.id)
        if remote is not None and not remote.remote_fenced:
            return True
    return False


def _should_clear_for_param_change(sch: Scheduler, hist: _Op, rsc: Resource, node: Node) -> bool:
    if hist.task not in ("start", "monitor"):
        return False
    from pengine.digests_compare import digest_compare
    from pengine.variants.bundle import needs_remote_name
    if needs_remote_name(sch, rsc):
        # REMOTE_CONTAINER_HACK: the address is known only once resources are
        # assigned, so the check waits until then (pe__add_param_check)
        xml = hist.xml

        def check_last_failure(sch: Scheduler) -> None:
            from pengine.actions import clear_failcount
            if digest_compare(sch, rsc, xml, node) not in ("unknown", "match"):
                clear_failcount(sch, rsc, node, "resource parameters have changed")

        sch.param_checks.append(check_last_failure)
        return False
    result = digest_compare(sch, rsc, hist.xml, node)
    return result not in ("unknown", "match")


def _remap_because(hist: _Op, value: int) -> None:
    hist.exec_status = value


def _remap_operation(sch: Scheduler, rsc: Resource, node: Node, hist: _Op, state: _HistoryState,
                     expired: bool) -> None:
    orig_exit = hist.exit_status
    hist.exit_status = h.effective_rc(hist.exit_status)
    if hist.exit_status != orig_exit:
        if not expired and (not node.shutdown or node.online):
            _record_failed_op(sch, rsc, node, hist)
    if not rsc.is_bundled() and h.mask_probe_failure(hist.xml) and \
            (hist.exec_status != h.EXEC_DONE or hist.exit_status != h.OCF_NOT_RUNNING):
        hist.exec_status = h.EXEC_DONE
        hist.exit_status = h.OCF_NOT_RUNNING
    if hist.exec_status in (h.EXEC_DONE, h.EXEC_ERROR):
        pass
    elif hist.exec_status in (h.EXEC_NO_FENCE_DEVICE, h.EXEC_NO_SECRETS):
        hist.exec_status = h.EXEC_ERROR_HARD
        return
    else:
        return
    is_probe = h.op_is_probe(hist.xml)
    if hist.expected < 0:
        hist.exec_status = h.EXEC_ERROR
    elif hist.exit_status == hist.expected:
        hist.exec_status = h.EXEC_DONE
    else:
        hist.exec_status = h.EXEC_ERROR
    rc = hist.exit_status
    if rc == h.OCF_OK:
        if is_probe and hist.expected == h.OCF_NOT_RUNNING:
            hist.exec_status = h.EXEC_DONE
    elif rc == h.OCF_NOT_RUNNING:
        if is_probe or hist.expected == rc or not rsc.managed:
            hist.exec_status = h.EXEC_DONE
            rsc.role = Role.STOPPED
            state.on_fail = OnFail.IGNORE
            rsc.next_role = Role.UNKNOWN
    elif rc == h.OCF_RUNNING_PROMOTED:
        if is_probe and rc != hist.expected:
            hist.exec_status = h.EXEC_DONE
        if not expired or rc == hist.expected:
            rsc.role = Role.PROMOTED
    elif rc == h.OCF_FAILED_PROMOTED:
        if not expired:
            rsc.role = Role.PROMOTED
        hist.exec_status = h.EXEC_ERROR
    elif rc == h.OCF_NOT_CONFIGURED:
        hist.exec_status = h.EXEC_ERROR_FATAL
    elif rc == h.OCF_UNIMPLEMENT_FEATURE:
        if hist.interval == 0:
            if not expired:
                _block_if_unrecoverable(sch, rsc, node, hist)
            hist.exec_status = h.EXEC_ERROR_HARD
        else:
            hist.exec_status = h.EXEC_NOT_SUPPORTED
    elif rc in (h.OCF_NOT_INSTALLED, h.OCF_INVALID_PARAM, h.OCF_INSUFFICIENT_PRIV):
        if not expired:
            _block_if_unrecoverable(sch, rsc, node, hist)
        hist.exec_status = h.EXEC_ERROR_HARD
    else:
        if hist.exec_status == h.EXEC_DONE:
            hist.exec_status = h.EXEC_ERROR


def _block_if_unrecoverable(sch: Scheduler, rsc: Resource, node: Node, hist: _Op) -> None:
    from pengine.fencing import can_fence
    if hist.task != "stop":
        return
    if can_fence(sch, node):
        return
    rsc.managed = False
    rsc.blocked = True


def _process_expired_result(sch: Scheduler, rsc: Resource, node: Node, hist: _Op,
                            orig_exit: int) -> bool:
    if not rsc.is_bundled() and h.mask_probe_failure(hist.xml) and orig_exit != hist.expected:
        if rsc.role <= Role.STOPPED:
            rsc.role = Role.UNKNOWN
        return True
    if hist.exit_status == hist.expected:
        return False
    if hist.interval == 0:
        return True
    if node.online and not node.unclean:
        # reschedule the recurring action: pretend its definition changed
        rsc.expired_recurring = getattr(rsc, "expired_recurring", set())
        rsc.expired_recurring.add((node.id, hist.xml.id))
        return True
    return False


def _mask_probe_failure(sch: Scheduler, rsc: Resource, node: Node, hist: _Op, orig_exit: int,
                        state: _HistoryState) -> None:
    ban = rsc if rsc.unique else rsc.top()
    _update_resource_state(sch, rsc, node, hist, hist.expected, state)
    _record_failed_op(sch, rsc, node, hist)
    resource_location(sch, ban, node, -INFINITY, "masked-probe-failure")


def _failure_is_newer(hist: _Op, last_failure: m.LrmRscOp | None) -> bool:
    if last_failure is None:
        return False
    if hist.task != last_failure.get("operation"):
        return False
    if h.interval_ms(last_failure) != hist.interval:
        return False
    try:
        this_change = int(hist.xml.get("last-rc-change"))
        failure_change = int(last_failure.get("last-rc-change"))
    except (TypeError, ValueError):
        return False
    return failure_change >= this_change


def _process_pending_action(sch: Scheduler, rsc: Resource, node: Node, hist: _Op,
                            last_failure) -> None:
    from pengine.actions import stop_action
    if _failure_is_newer(hist, last_failure):
        return
    if hist.task == "start":
        rsc.start_pending = True
        _set_active(rsc)
    elif hist.task == "promote":
        rsc.role = Role.PROMOTED
    elif hist.task == "migrate_to" and node.unclean:
        target = sch.find_node(hist.xml.get("migrate_target"))
        if target is not None:
            stop_action(sch, rsc, target, optional=False)
    if rsc.pending_action is not None:
        return
    if h.is_probe(hist.task, hist.interval):
        return
    rsc.pending_action = hist.task
    rsc.pending_node = node


def _update_resource_state(sch: Scheduler, rsc: Resource, node: Node, hist: _Op, exit_status: int,
                           state: _HistoryState) -> None:
    clear_past_failure = False
    task = hist.task
    last_failure = state.last_failure
    if exit_status == h.OCF_NOT_INSTALLED or (not rsc.is_bundled() and h.mask_probe_failure(hist.xml)):
        rsc.role = Role.STOPPED
    elif exit_status == h.OCF_NOT_RUNNING:
        clear_past_failure = True
    elif task == "monitor":
        if last_failure is not None and hist.key == h.history_key(last_failure):
            clear_past_failure = True
        if rsc.role < Role.STARTED:
            _set_active(rsc)
    elif task == "start":
        rsc.role = Role.STARTED
        clear_past_failure = True
    elif task == "stop":
        rsc.role = Role.STOPPED
        clear_past_failure = True
    elif task == "promote":
        rsc.role = Role.PROMOTED
        clear_past_failure = True
    elif task == "demote":
        if state.on_fail == OnFail.DEMOTE:
            clear_past_failure = True
        rsc.role = Role.UNPROMOTED
    elif task == "migrate_from":
        rsc.role = Role.STARTED
        clear_past_failure = True
    elif task == "migrate_to":
        from pengine.migration import unpack_migrate_to_success
        unpack_migrate_to_success(sch, rsc, node, hist.xml)
    elif rsc.role < Role.STARTED:
        _set_active(rsc)
    if not clear_past_failure:
        return
    if state.on_fail in (OnFail.STOP, OnFail.BAN, OnFail.STANDBY_NODE, OnFail.FENCE_NODE):
        return
    if state.on_fail in (OnFail.BLOCK, OnFail.IGNORE, OnFail.DEMOTE, OnFail.RESTART,
                         OnFail.RESTART_CONTAINER):
        state.on_fail = OnFail.IGNORE
        rsc.next_role = Role.UNKNOWN
    elif state.on_fail == OnFail.RESET_REMOTE:
        if rsc.remote_reconnect_ms == 0:
            state.on_fail = OnFail.IGNORE
            rsc.next_role = Role.UNKNOWN


def _unpack_rsc_op_failure(sch: Scheduler, rsc: Resource, node: Node, hist: _Op,
                           config_on_fail: OnFail, fail_role: Role, state: _HistoryState) -> None:
    state.last_failure = hist.xml
    is_probe = h.op_is_probe(hist.xml)
    if not (not sch.symmetric and hist.exit_status == h.OCF_NOT_INSTALLED):
        _record_failed_op(sch, rsc, node, hist)
    if state.on_fail < config_on_fail:
        state.on_fail = config_on_fail
    task = hist.task
    if task == "stop":
        resource_location(sch, rsc, node, -INFINITY, "__stop_fail__")
    elif task == "migrate_to":
        from pengine.migration import unpack_migrate_to_failure
        unpack_migrate_to_failure(sch, rsc, node, hist.xml)
    elif task == "migrate_from":
        from pengine.migration import unpack_migrate_from_failure
        unpack_migrate_from_failure(sch, rsc, node, hist.xml)
    elif task == "promote":
        rsc.role = Role.PROMOTED
    elif task == "demote":
        if config_on_fail == OnFail.BLOCK:
            rsc.role = Role.PROMOTED
            rsc.next_role = Role.STOPPED
        elif hist.exit_status == h.OCF_NOT_RUNNING:
            rsc.role = Role.STOPPED
        else:
            rsc.role = Role.UNPROMOTED
    if is_probe and hist.exit_status == h.OCF_NOT_INSTALLED:
        rsc.role = Role.STOPPED
    elif rsc.role < Role.STARTED:
        _set_active(rsc)
    if fail_role != Role.STARTED and rsc.next_role < fail_role:
        rsc.next_role = fail_role
    if fail_role == Role.STOPPED:
        ban_from_all_nodes(sch, rsc)


# ------------------------------------------------------------ failcounts --

def _fail_patterns(sch: Scheduler, rsc: Resource):
    name = rsc.history_id or rsc.id
    if not rsc.unique:
        name = _clone_strip(name)
    return _compiled_fail_patterns(name, rsc.unique)


@functools.lru_cache(maxsize=65536)
def _compiled_fail_patterns(name: str, unique: bool):
    # Compiled once per resource: re's own cache holds only 512 patterns,
    # fewer than a large cluster's resources.
    # Pacemaker 3.0 dropped per-resource (pre-1.1.17) fail counts: always per op.
    op_pattern = "#.+_[0-9]+"
    instance = "" if unique else "(:[0-9]+)?"
    escaped = re.escape(name)
    return (re.compile(f"^fail-count-{escaped}{instance}{op_pattern}$"),
            re.compile(f"^last-failure-{escaped}{instance}{op_pattern}$"))


_FAIL_PREFIXES = ("fail-count-", "last-failure-")


def get_failcount(sch: Scheduler, node: Node, rsc: Resource, *, effective: bool = True,
                  launched: bool = False, xml_op=None, with_last: bool = False):
    """pe_get_failcount: the fail count of ``rsc`` on ``node`` (and last failure)."""
    failcount = 0
    last_failure = 0
    failures = [(key, value) for key, value in node.attrs.items()
                if key.startswith(_FAIL_PREFIXES)]
    if failures:
        count_re, last_re = _fail_patterns(sch, rsc)
        for key, value in failures:
            if count_re.match(key):
                failcount = add_scores(failcount, parse_score(value, 0))
            elif last_re.match(key):
                last_failure = max(last_failure, h.to_int(value, 0))
    if failcount > 0 and rsc.failure_timeout_ms > 0 and _block_failure(sch, node, rsc, xml_op):
        rsc.failure_timeout_ms = 0
    if effective and failcount > 0 and last_failure > 0 and rsc.failure_timeout_ms > 0:
        if sch.now_epoch > last_failure + rsc.failure_timeout_ms // 1000:
            failcount = 0
    if launched and rsc.launched and not rsc.is_bundled():
        for filler in rsc.launched:
            more, more_last = get_failcount(sch, node, filler, effective=effective,
                                            launched=launched, xml_op=xml_op, with_last=True)
            failcount += more
            last_failure = max(last_failure, more_last)
    if with_last:
        return failcount, (last_failure if failcount > 0 and last_failure > 0 else 0)
    return failcount


def _block_failure(sch: Scheduler, node: Node, rsc: Resource, xml_op) -> bool:
    """Whether a failure of this resource is configured with on-fail=block."""
    for op in rsc.ops:
        if (op.get("on-fail") or "").lower() != "block":
            continue
        if xml_op is None:
            return True
        if op.name == xml_op.get("operation") and \
                opts.interval_ms(op.interval) == h.interval_ms(xml_op):
            return True
    return False


def threshold_reached(sch: Scheduler, rsc: Resource, node: Node):
    """pcmk__threshold_reached: the resource to ban, or None."""
    if rsc.migration_threshold == 0 or rsc.ignore_failure:
        return None
    count = get_failcount(sch, node, rsc, effective=True, launched=True)
    if count <= 0:
        return None
    target = rsc if rsc.unique else rsc.top()
    if rsc.migration_threshold - count <= 0:
        return target
    return None


# ---------------------------------------------------- parameter helpers --

def rsc_params(sch: Scheduler, rsc: Resource, node: Node | None) -> dict[str, str]:
    """Instance attributes evaluated for ``node`` (pe_rsc_params)."""
    cache = getattr(rsc, "_params_cache", None)
    if cache is None:
        cache = {}
        rsc._params_cache = cache
    key = node.id if node is not None else None
    if key in cache:
        return cache[key]
    ctx = rule_context(sch, node_attributes=dict(node.attrs) if node is not None else {},
                       rsc_class=rsc.cls, rsc_provider=rsc.provider, rsc_type=rsc.type)
    params: dict[str, str] = {}
    walker = rsc
    while walker is not None:
        for k, v in unpack_sets(sch, getattr(walker.config, "params", ()), ctx).items():
            params.setdefault(k, v)
        walker = walker.parent
    cache[key] = params
    return params


def evaluate(rule, sch: Scheduler, **fields) -> bool:
    return evaluate_rule(rule, rule_context(sch, **fields))


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.actions import custom_action  # noqa: E402
from pengine.actions import demote_action, stop_action  # noqa: E402
from pengine.variants.primitive import active_node  # noqa: E402
from pengine.actions import validate_on_fail  # noqa: E402
from pengine.dates import DateError, parse_datetime, parse_ms, to_epoch  # noqa: E402
from pengine.actions import clear_failcount  # noqa: E402
