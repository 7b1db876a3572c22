"""``check`` findings for input that Pacemaker would misread silently
(issue 19): date expressions whose dates, durations or date_spec ranges do
not parse or can never match, and nodes defined twice.  Kept apart from
cib/validate.py's _Validator so each can change without the other;
``validate`` merges the diagnostics."""

from __future__ import annotations

import attrs

from pengine.cib import model as m
from pengine.cib.errors import Diagnostic

ERROR = "error"

# date_spec fields and the values they can take (pcmk__evaluate_date_spec)
_SPEC_RANGES = {"seconds": (0, 59), "minutes": (0, 59), "hours": (0, 23),
                "monthdays": (1, 31), "weekdays": (1, 7), "yeardays": (1, 366),
                "months": (1, 12), "weeks": (1, 53), "years": (0, 9999),
                "weekyears": (0, 9999), "moon": (0, 7)}
_OPERATIONS = ("in_range", "gt", "lt", "date_spec")


def input_diagnostics(cib: m.Cib) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    out += duplicate_nodes(cib.configuration)
    out += uncontrollable_bundles(cib.configuration)
    for expression in _date_expressions(cib.configuration):
        out += date_expression_problems(expression)
    return out


def duplicate_nodes(configuration: m.Configuration) -> list[Diagnostic]:
    """A node defined twice (by name or by id): Pacemaker keeps one of them."""
    out = []
    names: dict[str, m.Node] = {}
    ids: dict[str, m.Node] = {}
    for node in configuration.nodes:
        for key, seen, what in ((node.uname, names, "name"), (node.id, ids, "id")):
            if key is None:
                continue
            if key in seen:
                first = seen[key].span
                where = f" (first at line {first.line})" if first and first.line else ""
                out.append(Diagnostic(ERROR, f"node {what} '{key}' is defined twice{where}",
                                      node.span, "PE001", "define each node once"))
                break
            seen[key] = node
    return out


def uncontrollable_bundles(configuration: m.Configuration) -> list[Diagnostic]:
    """A bundle with a primitive inside needs ip-range-start or control-port
    to reach it: without either, Pacemaker ignores the whole bundle ("Cannot
    control ... without either ip-range-start or control-port")."""
    out = []
    for rsc in m.walk_resources(configuration.resources):
        if not isinstance(rsc, m.Bundle) or rsc.primitive is None:
            continue
        network = dict(rsc.network.attributes) if rsc.network is not None else {}
        if not network.get("ip-range-start") and not network.get("control-port"):
            out.append(Diagnostic(
                ERROR, f"bundle '{rsc.id}' holds '{rsc.primitive.id}' but has neither "
                       "ip-range-start nor control-port: Pacemaker ignores the whole bundle",
                rsc.span, "PE021", "add network ip-range-start=... (or control-port=...)"))
    return out


def _date_expressions(configuration: m.Configuration):
    """Every DateExpression anywhere in the configuration (rules of
    constraints, attribute sets, defaults), walked without recursion."""
    stack: list = [configuration]
    while stack:
        item = stack.pop()
        if isinstance(item, m.DateExpression):
            yield item
            continue
        if isinstance(item, (tuple, list)):
            stack.extend(reversed(item))
        elif attrs.has(type(item)):
            for field in attrs.fields(type(item)):
                value = getattr(item, field.name)
                if isinstance(value, (tuple, list)) or attrs.has(type(value)):
                    stack.append(value)


def date_expression_problems(expr: m.DateExpression) -> list[Diagnostic]:
    from pengine.common.dates import DateError, parse_crm_time, parse_range, strtoll
    out = []
    where = f"date expression '{expr.id}'" if expr.id else "date expression"

    def error(message: str, hint: str, span=None):
        out.append(Diagnostic(ERROR, f"{where}: {message}", span or expr.span, "PE014", hint))

    operation = (expr.operation or "in_range").lower()
    if operation not in _OPERATIONS:
        error(f"unknown operation '{expr.operation}'", "use in_range, gt, lt or date_spec")
        return out
    for name, value in (("start", expr.start), ("end", expr.end)):
        if value is None:
            continue
        try:
            parse_crm_time(value)
        except (DateError, ValueError, OverflowError):
            error(f"{name} '{value}' is not a date",
                  "an ISO 8601 date such as 2026-12-07 or 2026-12-07T10:00:00Z; Pacemaker "
                  "would treat the expression as never passing")
    if operation == "gt" and expr.start is None:
        error("operation gt needs start", "give start=DATE")
    if operation == "lt" and expr.end is None:
        error("operation lt needs end", "give end=DATE")
    if operation == "in_range" and expr.start is None and expr.end is None:
        error("operation in_range needs start or end", "give start=DATE and end= or a duration")
    if expr.duration is not None:
        for name, value in expr.duration.fields:
            number, stop, overflow = strtoll(value or "")
            if name == "id":
                continue
            if stop == 0 or overflow or stop != len((value or "").strip()) \
                    or not -2**31 <= number < 2**31:
                error(f"duration {name}='{value}' is not an integer", "e.g. months=1",
                      expr.duration.span)
    if operation == "date_spec" and expr.date_spec is None:
        error("operation date_spec needs a date_spec", "e.g. date_spec hours=9-16")
    if expr.date_spec is not None:
        for name, value in expr.date_spec.fields:
            if name == "id" or name not in _SPEC_RANGES:
                continue
            bounds = parse_range((value or "").strip())
            low_ok, high_ok = _SPEC_RANGES[name]
            if bounds is None:
                error(f"date_spec {name}='{value}' is not a number or a range",
                      f"e.g. {name}={low_ok}-{high_ok}", expr.date_spec.span)
                continue
            low, high = bounds
            if (low != -1 and low > high_ok) or (high != -1 and high < low_ok) \
                    or (low != -1 and high != -1 and low > high):
                error(f"date_spec {name}='{value}' can never match ({name} run from {low_ok} "
                      f"to {high_ok})", f"e.g. {name}={low_ok}-{high_ok}", expr.date_spec.span)
    return out
