"""Unpack the configured resources: primitives, groups, clones (with their
instances), templates, remote and guest connections, and the location
helpers that ban or favour nodes (lib/pengine/unpack.c, complex.c).
"""

from __future__ import annotations

from pengine.cib import model as m
from pengine.status import history as h
from pengine.common import journal
from pengine.common import options as opts
from pengine.status.cluster import NodeWeight, NoQuorum, Node, Resource, Role, Scheduler, parse_role
from pengine.common.options import is_true, parse_bool
from pengine.common.scores import INFINITY, add_scores, parse_score


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
        if isinstance(rsc, m.Primitive) and is_remote_primitive(rsc):
            if sch.find_node(rsc.id) is None:
                new_node(sch, rsc.id, rsc.id, "remote")
            continue
        candidates = [rsc] if isinstance(rsc, m.Primitive) else (
            list(rsc.children) if isinstance(rsc, m.Group) else [])
        for prim in candidates:
            name = guest_name(prim)
            if name and sch.find_node(name) is None:
                new_node(sch, name, name, "remote")


def is_remote_primitive(prim) -> bool:
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
        link_remote_node(sch, rsc)
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


def link_remote_node(sch: Scheduler, rsc: Resource) -> None:
    if not rsc.is_remote_connection:
        return
    node = sch.find_node(rsc.id)
    if node is None:
        return
    node.remote_rsc = rsc
    if rsc.launcher is None:
        startup_fencing(sch, node)
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
        from pengine.status.bundles import unpack_bundle
        if not unpack_bundle(sch, rsc):
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
        config_err(sch.warnings[-1], rsc.id)
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
        from pengine.status.assignment import unassign_resource
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
    # copies of the nodes keep their discovery mode (bundle nodes: never), as pe__copy_node
    rsc.allowed = {node.id: NodeWeight(node, -INFINITY, node.probe_mode) for node in sch.nodes}


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.status.params import rule_context, unpack_sets  # noqa: E402
from pengine.status.unpack import new_node, startup_fencing  # noqa: E402
from pengine.common.config_log import config_err  # noqa: E402
