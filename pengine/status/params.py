"""Configuration evaluated for the working state: rule contexts at the run's time, name/value
sets (bringing the next re-check forward when a date rule will change its answer), and a
resource's parameters on a node (pe_unpack_nvpairs, pe_rsc_params)."""

from __future__ import annotations

from pengine.common.dates import to_epoch
from pengine.rules.rules import RuleContext, evaluate_rule, unpack_nvpair_sets_with_next_change
from pengine.status.cluster import Node, Resource, Scheduler


def update_recheck(sch: Scheduler, when: int) -> None:
    if when > sch.now_epoch and (sch.recheck_by == 0 or when < sch.recheck_by):
        sch.recheck_by = when


def unpack_sets(sch: Scheduler, sets, ctx: RuleContext, overwrite: bool = False, **kw):
    """pe_unpack_nvpairs: merged name/value blocks; a date rule that will
    change its result brings the cluster's next re-check forward."""
    values, when = unpack_nvpair_sets_with_next_change(sets, ctx, overwrite, **kw)
    if when is not None:
        update_recheck(sch, to_epoch(when))
    return values


def rule_context(sch: Scheduler, **fields) -> RuleContext:
    return RuleContext(now=sch.now, **fields)


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
