"""Fail counts and failure thresholds from a node's transient attributes
(lib/pengine/failcounts.c).
"""

from __future__ import annotations

import functools
import re

from pengine.status import history as h
from pengine.common import options as opts
from pengine.status.cluster import Node, Resource, Scheduler
from pengine.common.scores import add_scores, parse_score


# ------------------------------------------------------------ failcounts --

def _fail_patterns(sch: Scheduler, rsc: Resource):
    name = rsc.history_id or rsc.id
    if not rsc.unique:
        name = clone_strip(name)
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
    """block_failure (failcounts.c): whether a failure that an operation
    configured with on-fail=block matches is recorded, in ``xml_op`` or
    (without one) in the node's history of the resource."""
    name = clone_strip(rsc.id)
    for op in rsc.ops:
        # an XPath test on the attribute as written: exactly "block"
        if op.get("on-fail") != "block":
            continue
        if xml_op is not None:
            if _is_matched_failure(name, op, xml_op):
                return True
            continue
        interval = str(opts.interval_ms(op.interval))
        for entry in _lrm_resources(sch, node, name):
            for lrm_op in entry.ops:
                if lrm_op.get("operation") == op.name and lrm_op.get("interval") == interval \
                        and _is_matched_failure(name, op, lrm_op):
                    return True
    return False


def _lrm_resources(sch: Scheduler, node: Node, rsc_id: str):
    for state in sch.cib.status.node_states:
        if state.uname == node.name:
            yield from (entry for entry in state.lrm_resources if entry.id == rsc_id)


def _is_matched_failure(rsc_id: str, op, lrm_op) -> bool:
    """is_matched_failure: ``lrm_op`` is the configured ``op``'s last failure,
    or its own entry with a result other than the expected one."""
    if opts.interval_ms(op.interval) != h.interval_ms(lrm_op) \
            or (op.name or "").lower() != (lrm_op.get("operation") or "").lower():
        return False
    if lrm_op.id.lower() == f"{rsc_id}_last_failure_0".lower():
        return True
    if lrm_op.id.lower() == f"{rsc_id}_{op.name}_{opts.interval_ms(op.interval)}".lower():
        return h.to_int(lrm_op.get("rc-code"), 0) != h.target_rc(lrm_op)
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


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.status.unpack_history import clone_strip  # noqa: E402
