"""Rule evaluation, as Pacemaker 3.0.2 does it (``lib/common/rules.c``,
``lib/common/nvpair.c``, ``lib/pacemaker/pcmk_sched_location.c``).

* ``evaluate_rule`` says whether a ``Rule`` passes in a ``RuleContext``;
  ``rule_next_change`` says when that answer could next change (for
  cluster re-check scheduling).
* ``unpack_nvpair_sets`` merges several instance/meta/utilization/property
  blocks the way Pacemaker does.
* ``location_rule_spec`` / ``location_rule_score`` serve location
  constraints.

Misconfigured rules and expressions (an unknown operation or type, a missing
value, a date that does not parse, an unresolvable ``id-ref``...) do not pass:
Pacemaker 3.0 made that change, and so does this module.  Evaluation
short-circuits exactly as Pacemaker's does (the first passing condition of an
``or`` rule, the first failing condition of an ``and`` rule), which matters for
``rule_next_change``: conditions that are never evaluated do not contribute.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Iterator, Mapping

from attrs import field, frozen
from pengine.common.converters import as_tuple

from pengine.common import dates
from pengine.common.dates import CrmTime, DateError
from pengine.common.scores import C_SPACE, INFINITY, parse_score, parse_score_checked, strtoll
from pengine.cib.model import (AttrSet, DateExpression, Expression, NvPair, OpExpression, Rule,
                               RscExpression)


class FrozenMap(Mapping):
    """A read-only, hashable mapping of strings to strings."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping | None = None):
        self._data = dict(data or {})
        self._hash = None

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


def _frozen_map(value) -> FrozenMap:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


@frozen
class RuleContext:
    """What rules are evaluated against (Pacemaker's ``pcmk_rule_input_t``).

    ``node_attributes`` holds the node's attributes, built-ins included
    (``#uname``, ``#id``, ``#kind``, ``#is_dc``, ``#cluster-name``,
    ``#site-name``...: the caller puts them there).  For meta-attribute
    blocks Pacemaker 3.0 ignores node attributes: pass none.  ``now`` is
    required by date expressions (without it they do not pass).
    ``rsc_params``/``rsc_meta`` serve ``value-source="param"``/``"meta"``.
    ``rsc_id_match`` and ``rsc_id_submatches`` (``%0`` .. ``%9``) come from a
    location constraint's ``rsc-pattern`` match.
    """

    node_attributes: FrozenMap = field(factory=FrozenMap, converter=_frozen_map)
    now: datetime | None = field(default=None, converter=_aware)
    rsc_class: str | None = None
    rsc_provider: str | None = None
    rsc_type: str | None = None
    op_name: str | None = None
    op_interval_ms: int = 0
    rsc_params: FrozenMap = field(factory=FrozenMap, converter=_frozen_map)
    rsc_meta: FrozenMap = field(factory=FrozenMap, converter=_frozen_map)
    rsc_id_match: str | None = None
    rsc_id_submatches: tuple[str | None, ...] = field(default=(), converter=as_tuple)


def submatches(match: re.Match) -> tuple[str | None, ...]:
    """``%0`` .. ``%9`` values for ``RuleContext.rsc_id_submatches``."""
    return (match.group(0),) + match.groups()


def expand_submatches(text: str, match: str | None,
                      groups: tuple[str | None, ...]) -> str:
    """``pcmk__replace_submatches()``: replace ``%0`` .. ``%9`` in ``text``
    with regular-expression submatches of ``match``; a submatch that did not
    participate or is empty expands to nothing.  Without a match (or with an
    empty text) nothing is expanded."""
    if not text or not match:
        return text
    out = []
    i = 0
    while i < len(text):
        if text[i] == "%" and i + 1 < len(text) and "0" <= text[i + 1] <= "9":
            n = int(text[i + 1])
            if n < len(groups) and groups[n]:
                out.append(groups[n])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


# ------------------------------------------------------------ comparisons ----

_COMPARISONS = ("defined", "not_defined", "eq", "ne", "lt", "lte", "gt", "gte")
_TYPES = ("string", "integer", "number", "version")


def strcasecmp(a: str, b: str) -> int:
    """C ``strcasecmp()``: bytes compared with ASCII letters folded."""
    left = a.encode("utf-8", "surrogatepass").lower()
    right = b.encode("utf-8", "surrogatepass").lower()
    return (left > right) - (left < right)


_FLOAT_RE = re.compile(
    r"[+-]?(?:"
    r"0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?"
    r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    r"|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?"
    r"|[nN][aA][nN](?:\([0-9A-Za-z_]*\))?"
    r")")
_DBL_MIN = 2.2250738585072014e-308


def scan_double(text: str) -> float | None:
    """``pcmk__scan_double()`` success test: C ``strtod()`` of the text's
    longest numeric prefix, or None where Pacemaker reports an error (no
    number, overflow, underflow -- including, as in Pacemaker, any zero
    written with a sign or leading space)."""
    pos = 0
    while pos < len(text) and text[pos] in C_SPACE:
        pos += 1
    m = _FLOAT_RE.match(text, pos)
    if m is None:
        return None
    body = m.group(0)
    sign = -1.0 if body[:1] == "-" else 1.0
    digits = body.lstrip("+-")
    low = digits.lower()
    if low.startswith("0x"):
        mantissa = low[2:]
        if "p" not in mantissa:
            mantissa += "p0"
        if mantissa.startswith("."):
            mantissa = "0" + mantissa
        try:
            value = sign * float.fromhex("0x" + mantissa)
        except OverflowError:
            return None
    elif low.startswith("inf"):
        return sign * math.inf
    elif low.startswith("nan"):
        return math.nan
    else:
        value = sign * float(digits)
        if math.isinf(value):
            return None  # overflow
    if abs(value) <= _DBL_MIN:
        if any(c not in "0.eE" for c in text[:m.end()]):
            return None  # underflow, as Pacemaker judges it
    return value


def compare_version(v1: str | None, v2: str | None) -> int:
    """``compare_version()``: dot-separated integers compared in turn (a
    missing part counts as 0, an empty version as -1).  Where Pacemaker
    would loop forever (a part that is not a number, in both versions), the
    versions compare equal."""
    if v1 is None and v2 is None:
        return 0
    if v1 is None:
        return -1
    if v2 is None:
        return 1

    def part(text: str, pos: int | None) -> tuple[int, int | None]:
        if pos is None:
            return 0, None
        if pos >= len(text):
            return -1, pos  # only for an empty version
        value, end, _overflow = strtoll(text, pos)
        value = (value + 2**31) % 2**32 - 2**31  # the (int) cast of a long
        return value, end  # end == pos when there are no digits

    def advance(text: str, pos: int | None) -> int | None:
        if pos is not None and pos < len(text) and text[pos] == ".":
            pos += 1
        if pos is not None and pos >= len(text):
            pos = None
        return pos

    pos1: int | None = 0
    pos2: int | None = 0
    while pos1 is not None or pos2 is not None:
        before = (pos1, pos2)
        digit1, pos1 = part(v1, pos1)
        digit2, pos2 = part(v2, pos2)
        if digit1 != digit2:
            return -1 if digit1 < digit2 else 1
        pos1, pos2 = advance(v1, pos1), advance(v2, pos2)
        if (pos1, pos2) == before:
            return 0  # Pacemaker never leaves this loop
    return 0


def compare_by_type(value1: str | None, value2: str | None, kind: str) -> int:
    """``pcmk__cmp_by_type()``: None sorts first; integers and numbers that do
    not parse are compared as strings (case-insensitively)."""
    if value2 is None:
        return 0 if value1 is None else 1
    if value1 is None:
        return -1
    if kind == "integer":
        a, end_a, over_a = strtoll(value1)
        b, end_b, over_b = strtoll(value2)
        if end_a == 0 or end_b == 0 or over_a or over_b:
            return strcasecmp(value1, value2)
        return (a > b) - (a < b)
    if kind == "number":
        x, y = scan_double(value1), scan_double(value2)
        if x is None or y is None:
            return strcasecmp(value1, value2)
        return (x > y) - (x < y)
    if kind == "version":
        return compare_version(value1, value2)
    return strcasecmp(value1, value2)


def default_type(operation: str, value1: str | None, value2: str | None) -> str:
    """``pcmk__parse_type(NULL, ...)``: ``number`` for ordering comparisons
    when either value has a decimal point, ``integer`` for other ordering
    comparisons, ``string`` for everything else."""
    if operation in ("lt", "lte", "gt", "gte"):
        if "." in (value1 or "") or "." in (value2 or ""):
            return "number"
        return "integer"
    return "string"


def compare_attribute(actual: str | None, reference: str | None, operation: str,
                      kind: str | None = None) -> bool:
    """One node-attribute comparison (``evaluate_attr_comparison``).
    ``operation`` and ``kind`` must be valid (lower case)."""
    if operation == "defined":
        return actual is not None
    if operation == "not_defined":
        return actual is None
    kind = kind or default_type(operation, actual, reference)
    cmp = compare_by_type(actual, reference, kind)
    if operation == "eq":
        return cmp == 0
    if operation == "ne":
        return cmp != 0
    if actual is None or reference is None:
        return False
    return {"lt": cmp < 0, "lte": cmp <= 0, "gt": cmp > 0, "gte": cmp >= 0}[operation]


# -------------------------------------------------------------- evaluation ----

class _NextChange:
    """The earliest time at which an evaluation could change (mutable
    accumulator, private to one evaluation)."""

    __slots__ = ("when",)

    def __init__(self):
        self.when: CrmTime | None = None

    def offer(self, when: CrmTime) -> None:
        if self.when is None or when.compare(self.when) < 0:
            self.when = when


def _evaluate_expression(expr: Expression, ctx: RuleContext) -> bool:
    attribute = expand_submatches(expr.attribute or "", ctx.rsc_id_match,
                                  ctx.rsc_id_submatches)
    if not attribute:
        return False
    operation = (expr.operation or "").lower()
    if operation not in _COMPARISONS:
        return False
    source = (expr.value_source or "literal").lower()
    if source not in ("literal", "param", "meta"):
        return False
    if operation not in ("defined", "not_defined") and expr.value is None:
        return False
    reference = expr.value
    if source == "param":
        reference = ctx.rsc_params.get(expr.value) if expr.value else None
    elif source == "meta":
        reference = ctx.rsc_meta.get(expr.value) if expr.value else None
    actual = ctx.node_attributes.get(attribute)
    kind = None
    if expr.type is not None:
        kind = expr.type.lower()
        if kind not in _TYPES:
            return False
    return compare_attribute(actual, reference, operation, kind)


def _parse_time_attr(text: str | None) -> tuple[CrmTime | None, bool]:
    if text is None:
        return None, True
    try:
        return dates.parse_crm_time(text), True
    except DateError:
        return None, False


def _evaluate_date(expr: DateExpression, now: CrmTime | None, nc: _NextChange) -> bool:
    if now is None:
        return False
    operation = (expr.operation or "in_range").lower()
    if operation == "in_range":
        start, ok_start = _parse_time_attr(expr.start)
        end, ok_end = _parse_time_attr(expr.end)
        if not (ok_start and ok_end) or (start is None and end is None):
            return False
        if end is None and expr.duration is not None:
            end = dates.apply_duration_fields(start, dict(expr.duration.fields))
            if end is None:
                return False
        if start is not None and now.compare(start) < 0:
            nc.offer(start)
            return False
        if end is not None:
            if now.compare(end) > 0:
                return False
            nc.offer(end.add_seconds(1))
        return True
    if operation == "date_spec":
        if expr.date_spec is None:
            return False
        return dates.check_date_spec(dict(expr.date_spec.fields), now) == "ok"
    if operation == "gt":
        start, ok = _parse_time_attr(expr.start)
        if not ok or start is None:
            return False
        if now.compare(start) > 0:
            return True
        nc.offer(start.add_seconds(1))
        return False
    if operation == "lt":
        end, ok = _parse_time_attr(expr.end)
        if not ok or end is None:
            return False
        if now.compare(end) < 0:
            nc.offer(end)
            return True
        return False
    return False


def _evaluate_rsc(expr: RscExpression, ctx: RuleContext) -> bool:
    return ((expr.cls is None or expr.cls == ctx.rsc_class)
            and (expr.provider is None or expr.provider == ctx.rsc_provider)
            and (expr.type is None or expr.type == ctx.rsc_type))


def _evaluate_op(expr: OpExpression, ctx: RuleContext) -> bool:
    if expr.name is None:
        return False
    interval_ms, valid = dates.parse_interval_spec(expr.interval)
    if not valid:
        return False
    if expr.name != ctx.op_name:
        return False
    return expr.interval is None or interval_ms == ctx.op_interval_ms


def resolve_rule(rule: Rule, rules_by_id: Mapping[str, Rule] | None) -> Rule | None:
    """The rule itself, or the rule its ``id-ref`` names (None if unknown)."""
    if rule.id_ref is None:
        return rule
    return (rules_by_id or {}).get(rule.id_ref)


def _evaluate_rule(rule: Rule, ctx: RuleContext, rules_by_id, now: CrmTime | None,
                   nc: _NextChange) -> bool:
    resolved = resolve_rule(rule, rules_by_id)
    if resolved is None:
        return False
    combine = (resolved.boolean_op or "and").lower()
    if combine not in ("and", "or"):
        return False
    if not resolved.expressions:
        return True  # Pacemaker ignores a rule without conditions
    for item in resolved.expressions:
        passed = _evaluate_condition(item, ctx, rules_by_id, now, nc)
        if passed and combine == "or":
            return True
        if not passed and combine == "and":
            return False
    return combine == "and"


def _evaluate_condition(item, ctx: RuleContext, rules_by_id, now, nc) -> bool:
    if isinstance(item, Rule):
        return _evaluate_rule(item, ctx, rules_by_id, now, nc)
    if isinstance(item, Expression):
        return _evaluate_expression(item, ctx)
    if isinstance(item, DateExpression):
        return _evaluate_date(item, now, nc)
    if isinstance(item, RscExpression):
        return _evaluate_rsc(item, ctx)
    if isinstance(item, OpExpression):
        return _evaluate_op(item, ctx)
    return False


_UNSET = object()


def _now(ctx: RuleContext) -> CrmTime | None:
    return None if ctx.now is None else CrmTime.from_datetime(ctx.now)


def _when(nc: _NextChange) -> datetime | None:
    if nc.when is None:
        return None
    return nc.when.to_utc().to_datetime()


def evaluate_rule_with_next_change(rule: Rule, ctx: RuleContext,
                                   rules_by_id: Mapping[str, Rule] | None = None
                                   ) -> tuple[bool, datetime | None]:
    """``pcmk_evaluate_rule()``: whether the rule passes, and the earliest
    time (UTC) at which the evaluated date expressions say the answer could
    change (None if no such time is known)."""
    nc = _NextChange()
    passed = _evaluate_rule(rule, ctx, rules_by_id, _now(ctx), nc)
    return passed, _when(nc)


def evaluate_rule(rule: Rule, ctx: RuleContext,
                  rules_by_id: Mapping[str, Rule] | None = None) -> bool:
    """Whether ``rule`` passes in ``ctx``; ``id-ref`` rules are resolved
    through ``rules_by_id``."""
    return evaluate_rule_with_next_change(rule, ctx, rules_by_id)[0]


def rule_next_change(rule: Rule, ctx: RuleContext,
                     rules_by_id: Mapping[str, Rule] | None = None) -> datetime | None:
    """When the rule's result could next change (the start of a range not yet
    reached, one second after the end of a range or ``gt`` start, the end of
    an ``lt``), as Pacemaker computes it for re-check scheduling; None when
    unknown (``date_spec`` never sets it)."""
    return evaluate_rule_with_next_change(rule, ctx, rules_by_id)[1]


# --------------------------------------------------------- nvpair blocks ----

def _resolve_set(block: AttrSet, sets_by_id) -> AttrSet | None:
    if block.id_ref is None:
        return block
    return (sets_by_id or {}).get(block.id_ref)


def order_nvpair_sets(sets: tuple[AttrSet, ...], *, overwrite: bool = False,
                      first_id: str | None = None,
                      sets_by_id: Mapping[str, AttrSet] | None = None) -> list[AttrSet]:
    """The order in which Pacemaker processes blocks (``id-ref`` blocks
    resolved, unresolvable ones dropped).

    Pacemaker collects the blocks in *reverse* document order and then
    stable-sorts them: the block whose id is ``first_id`` first (cluster
    options pass ``"cib-bootstrap-options"``), whatever its score, then
    by score, highest first.  So among blocks of equal score the one written
    last comes first.  With ``overwrite`` the order is the opposite
    priority-wise (lowest first), still stable.
    """
    resolved = [r for r in (_resolve_set(b, sets_by_id) for b in reversed(sets))
                if r is not None]
    if len(resolved) < 2:
        return resolved

    def key(block: AttrSet):
        first = first_id is not None and block.id == first_id
        score = parse_score(block.score, 0)
        return (int(first), score) if overwrite else (-int(first), -score)

    return sorted(resolved, key=key)


def _resolve_nvpair(pair: NvPair, nvpairs_by_id) -> NvPair | None:
    if pair.id_ref is None:
        return pair
    return (nvpairs_by_id or {}).get(pair.id_ref)


def unpack_nvpair_sets_with_next_change(
        sets: tuple[AttrSet, ...], ctx: RuleContext, overwrite: bool = False,
        sets_by_id: Mapping[str, AttrSet] | None = None, *,
        first_id: str | None = None,
        nvpairs_by_id: Mapping[str, NvPair] | None = None,
        rules_by_id: Mapping[str, Rule] | None = None,
) -> tuple[dict[str, str], datetime | None]:
    """``pcmk_unpack_nvpair_blocks()``: the merged name/value pairs, and when
    a block rule's result could next change."""
    values: dict[str, str] = {}
    if not sets:
        return values, None
    nc = _NextChange()
    now = _UNSET   # converted from ctx.now only when a block has a rule (rarely)
    for block in order_nvpair_sets(sets, overwrite=overwrite, first_id=first_id,
                                   sets_by_id=sets_by_id):
        if block.rule is not None:
            if now is _UNSET:
                now = _now(ctx)
            if not _evaluate_rule(block.rule, ctx, rules_by_id, now, nc):
                continue
        for pair in block.nvpairs:
            ref = _resolve_nvpair(pair, nvpairs_by_id)
            if ref is None or not ref.name or ref.value is None:
                continue
            if ref.value.lower() == "#default":
                values.pop(ref.name, None)
            elif overwrite or ref.name not in values:
                values[ref.name] = ref.value
    return values, _when(nc)


def unpack_nvpair_sets(sets: tuple[AttrSet, ...], ctx: RuleContext, overwrite: bool = False,
                       sets_by_id: Mapping[str, AttrSet] | None = None, *,
                       first_id: str | None = None,
                       nvpairs_by_id: Mapping[str, NvPair] | None = None,
                       rules_by_id: Mapping[str, Rule] | None = None) -> dict[str, str]:
    """Merge instance/meta/utilization/property blocks as Pacemaker does.

    Blocks are processed in ``order_nvpair_sets`` order; a block whose rule
    does not pass is skipped; the first value of a name wins (the last with
    ``overwrite``), also within one block; an nvpair with ``id-ref`` takes
    both name and value from the nvpair it references (ignored if unknown);
    the value ``#default`` (any case) removes the name's value so far.
    """
    return unpack_nvpair_sets_with_next_change(
        sets, ctx, overwrite, sets_by_id, first_id=first_id,
        nvpairs_by_id=nvpairs_by_id, rules_by_id=rules_by_id)[0]


# --------------------------------------------------------------- location ----

def parse_role(text: str | None) -> str | None:
    """``pcmk_parse_role()``: ``Stopped``, ``Started``, ``Unpromoted``
    (``Slave``), ``Promoted`` (``Master``), case-insensitively; None for
    anything else."""
    if text is None:
        return None
    return {"stopped": "Stopped", "started": "Started", "unpromoted": "Unpromoted",
            "slave": "Unpromoted", "promoted": "Promoted",
            "master": "Promoted"}.get(text.lower())



def location_role_filter(text: str | None):
    """A location constraint's or rule's ``role`` as a filter: None (any
    role: unset, ``Started`` or ``Unpromoted``), ``"Stopped"`` or
    ``"Promoted"``; raises ValueError for an invalid role."""
    if text is None:
        return None
    role = parse_role(text)
    if role is None:
        raise ValueError(f"invalid role '{text}'")
    return None if role in ("Started", "Unpromoted") else role


@frozen
class LocationRuleSpec:
    """What a location constraint's top-level rule asks for."""

    rule: Rule                    # the rule, id-ref resolved
    score: int | None             # the fixed score, or None with score_attribute
    score_attribute: str | None   # node attribute to use as the score
    role: str | None              # role filter: None (any), "Stopped", "Promoted"


def location_rule_spec(rule: Rule, ctx: RuleContext | None = None,
                       rules_by_id: Mapping[str, Rule] | None = None
                       ) -> LocationRuleSpec | None:
    """The score, score attribute and role of a location constraint's rule,
    or None when Pacemaker 3.0 ignores the rule (unresolvable ``id-ref``,
    invalid ``role``, ``score`` or ``boolean-op``).  A rule's id, present or
    not, changes nothing.

    ``score`` wins over ``score-attribute``; with neither the score is 0.
    ``%N`` in ``score-attribute`` expands to ``rsc-pattern`` submatches.
    """
    resolved = resolve_rule(rule, rules_by_id)
    if resolved is None:
        return None
    try:
        role = location_role_filter(resolved.role)
    except ValueError:
        return None
    if (resolved.boolean_op or "and").lower() not in ("and", "or"):
        return None
    if resolved.score is None and resolved.score_attribute is not None:
        name = resolved.score_attribute
        if ctx is not None:
            name = expand_submatches(name, ctx.rsc_id_match, ctx.rsc_id_submatches)
        return LocationRuleSpec(rule=resolved, score=None, score_attribute=name, role=role)
    score, valid = parse_score_checked(resolved.score, 0)
    if not valid:
        return None
    return LocationRuleSpec(rule=resolved, score=score, score_attribute=None, role=role)


def location_rule_score(rule: Rule, ctx: RuleContext,
                        rules_by_id: Mapping[str, Rule] | None = None,
                        score_attributes: Mapping[str, str] | None = None) -> int | None:
    """The score a location rule gives the node described by ``ctx``, or None
    when the rule is ignored or does not pass there.

    With ``score-attribute`` the score is that node attribute's value
    (looked up in ``score_attributes``, by default ``ctx.node_attributes``;
    pass the host's attributes for ``container-attribute-target=host``); a node
    without that attribute, or whose value is no score, is left out (None).
    """
    spec = location_rule_spec(rule, ctx, rules_by_id)
    if spec is None or not evaluate_rule(spec.rule, ctx, rules_by_id):
        return None
    if spec.score_attribute is None:
        return spec.score
    attrs = ctx.node_attributes if score_attributes is None else score_attributes
    value = attrs.get(spec.score_attribute)
    if value is None:
        return None     # Pacemaker 3.0 leaves a node without the attribute out
    score, valid = parse_score_checked(value, 0)
    return score if valid else None     # ... and one whose value is no score
