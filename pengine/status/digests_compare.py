"""Has a resource's definition changed since an operation ran? (rsc_action_digest_cmp)

Gathers, for one recorded operation, the inputs `pengine.digests` needs
(parameters evaluated for the node, the op's own parameters and timeout) and
compares.  What the scheduler does about a change (restart, reload, reschedule or cancel) is
`pengine.schedule.config_changes`.
"""

from __future__ import annotations

from pengine.cib import model as m
from pengine.status import digests as d
from pengine.status import history as h
from pengine.status.cluster import Node, Resource, Scheduler


def _op_timeout(sch: Scheduler, rsc: Resource, op_cfg) -> str | None:
    if op_cfg is not None:
        if op_cfg.get("timeout") is not None:
            return op_cfg.get("timeout")
        values = unpack_nvpair_sets(op_cfg.meta, rule_context(sch))
        if values.get("timeout") is not None:
            return values["timeout"]
    ctx = rule_context(sch, rsc_class=rsc.cls, rsc_provider=rsc.provider, rsc_type=rsc.type,
                       op_name=op_cfg.name if op_cfg is not None else None,
                       op_interval_ms=0)
    return unpack_nvpair_sets(sch.op_defaults, ctx).get("timeout")


def compute(sch: Scheduler, rsc: Resource, xml_op: m.LrmRscOp, node: Node) -> d.Digests:
    task = xml_op.get("operation")
    interval = h.interval_ms(xml_op)
    op_cfg = find_op_config(rsc, task, interval, True)
    # REMOTE_CONTAINER_HACK: a bundle connection's "#uname" address is its
    # container's host (which assignment may change)
    remote_addr = None
    if rsc.is_remote_connection and rsc.is_bundled():
        from pengine.status.bundles import remote_name
        remote_addr = remote_name(sch, rsc)
    cache = sch.__dict__.setdefault("_digest_cache", {})
    # The digests depend on the node only through rules in the parameter
    # blocks: without any, one computation serves every node (a fresh
    # cluster probes each resource on every node).  The recorded op's own
    # inputs are part of the key.
    key = (node.id if _params_depend_on_node(rsc, op_cfg) else None, config_identity(rsc),
           task, interval,
           xml_op.get("interval"), xml_op.get("crm_feature_set"),
           xml_op.get("op-restart-digest") is not None, xml_op.get("op-force-restart"),
           xml_op.get("op-secure-params"), remote_addr)
    if key in cache:
        return cache[key]
    params = rsc_params(sch, rsc, node)
    op_params = {}
    if op_cfg is not None:
        op_params = unpack_nvpair_sets(op_cfg.params,
                                       rule_context(sch, node_attributes=dict(node.attrs)))
    digests = d.digests_for_recorded_op(
        xml_op, params, op_params, _op_timeout(sch, rsc, op_cfg),
        cib_feature_set=sch.cib.get("crm_feature_set"), fence_device=rsc.fence_device,
        remote_addr=remote_addr)
    cache[key] = digests
    return digests


def config_identity(rsc: Resource):
    """What a resource's digests are computed from, as a cache key: the
    instances of a clone share their configuration (and their parameters,
    evaluated from it), so one computation serves them all; any other
    resource is itself.  Bundled resources (whose connection's address
    depends on the replica) are always themselves."""
    found = rsc.__dict__.get("_config_identity")
    if found is None:
        chain, walker, cloned = [], rsc, False
        while walker is not None:
            chain.append(id(walker.config))
            cloned = cloned or walker.variant == "clone"
            walker = walker.parent
        found = tuple(chain) if cloned and not rsc.is_bundled() else rsc.id
        rsc.__dict__["_config_identity"] = found
    return found


def _params_depend_on_node(rsc: Resource, op_cfg) -> bool:
    """Whether a rule in the resource's (or its parents') instance attributes
    or in the op's own parameters could make them differ between nodes."""
    cache = rsc.__dict__.setdefault("_params_node_dependent", {})
    key = id(op_cfg)
    found = cache.get(key)
    if found is None or found[0] is not op_cfg:
        blocks = list(op_cfg.params) if op_cfg is not None else []
        walker = rsc
        while walker is not None:
            blocks += getattr(walker.config, "params", ())
            walker = walker.parent
        found = cache[key] = (op_cfg, any(block.rule is not None for block in blocks))
    return found[1]


def digest_compare(sch: Scheduler, rsc: Resource, xml_op: m.LrmRscOp, node: Node) -> str:
    """``match``, ``restart``, ``mismatch`` or ``unknown``."""
    return d.compare_digests(xml_op, compute(sch, rsc, xml_op, node))


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.status.op_config import find_op_config  # noqa: E402
from pengine.rules.rules import unpack_nvpair_sets  # noqa: E402
from pengine.status.params import rsc_params, rule_context  # noqa: E402
