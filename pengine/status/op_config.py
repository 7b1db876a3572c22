"""A resource's configured operations and their meta-attributes: the op a
recorded or scheduled action matches, and its timeout, on-fail, start-delay
and the rest, with op and resource defaults (lib/pengine/pe_actions.c).
"""

from __future__ import annotations

from pengine.common import options as opts
from pengine.status.cluster import Node, Resource, Scheduler
from pengine.common.options import parse_bool


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


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.status.actions import validate_on_fail  # noqa: E402
from pengine.common.dates import DateError, parse_datetime, parse_ms, to_epoch  # noqa: E402
from pengine.status.params import rule_context, unpack_sets  # noqa: E402
