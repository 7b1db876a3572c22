"""What the scheduler reports about a configuration, as ``crm_verify`` does.

``crm_verify`` runs Pacemaker's scheduler over the CIB and fails it for every
configuration error the scheduler logs (``pcmk__config_err``): fencing enabled
with no fencing device, duplicate operations, invalid cluster option values,
on-fail values an action cannot take, constraints the scheduler must ignore.
:func:`scheduler_diagnostics` does the same for ``pengine check``: it checks
what Pacemaker checks while it unpacks the configuration, runs pengine's
scheduler to collect what it meets while it schedules
(:mod:`pengine.common.config_log`), and gives each finding the position of the object
it is about.  Codes PE2xx.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from pengine.cib import model as m
from pengine.cib.errors import Diagnostic
from pengine.cib.span import Span

ERROR, WARNING = "error", "warning"
INFINITY = 1_000_000

CODES = {
    "PE200": "fencing is enabled but no fencing device is defined: no resource will start",
    "PE201": "operation defined twice (same name and interval)",
    "PE202": "cluster option value the scheduler rejects (it uses the default)",
    "PE203": "constraint the scheduler ignores or changes",
    "PE204": "resource setting the scheduler rejects",
    "PE205": "invalid entry in the status section",
    "PE210": "configuration error the scheduler met while scheduling",
    "PE211": "configuration warning the scheduler met while scheduling",
    "PE212": "resource that can never run (no node allows it)",
    "PE213": "resource active on more than one node (the status shows it so)",
}

_BOOL = frozenset(("true", "on", "yes", "y", "1", "false", "off", "no", "n", "0"))
_NUMBER = re.compile(r"\s*[+-]?\d+\s*")

#: How Pacemaker 3.0 validates each cluster option's value (pcmk__valid_*).
OPTION_KINDS: dict[str, object] = {
    "fencing-enabled": "boolean", "stonith-enabled": "boolean",
    "fencing-action": ("reboot", "off"), "stonith-action": ("reboot", "off", "poweroff"),
    "fencing-timeout": "interval", "stonith-timeout": "interval",
    "fencing-watchdog-timeout": "watchdog", "stonith-watchdog-timeout": "watchdog",
    "have-watchdog": "boolean", "concurrent-fencing": "boolean",
    "fencing-max-attempts": "score", "stonith-max-attempts": "score",
    "fencing-reaction": ("stop", "panic"), "fence-reaction": ("stop", "panic"),
    "priority-fencing-delay": "interval", "startup-fencing": "boolean",
    "no-quorum-policy": ("stop", "freeze", "ignore", "demote", "fence", "suicide"),
    "symmetric-cluster": "boolean", "maintenance-mode": "boolean",
    "start-failure-is-fatal": "boolean", "enable-startup-probes": "boolean",
    "stop-all-resources": "boolean", "stop-removed-resources": "boolean",
    "stop-orphan-resources": "boolean", "cancel-removed-actions": "boolean",
    "stop-orphan-actions": "boolean", "shutdown-lock": "boolean",
    "shutdown-lock-limit": "interval", "node-pending-timeout": "interval",
    "placement-strategy": ("default", "utilization", "minimal", "balanced"),
    "node-health-strategy": ("none", "migrate-on-red", "only-green", "progressive", "custom"),
    "node-health-base": "score", "node-health-green": "score",
    "node-health-yellow": "score", "node-health-red": "score",
    "cluster-recheck-interval": "interval", "batch-limit": "number",
    "migration-limit": "number", "node-action-limit": "number",
    "cluster-delay": "interval", "dc-deadtime": "interval", "election-timeout": "interval",
    "shutdown-escalation": "interval", "join-integration-timeout": "interval",
    "join-finalization-timeout": "interval", "transition-delay": "interval",
    "enable-acl": "boolean", "pe-error-series-max": "number",
    "pe-warn-series-max": "number", "pe-input-series-max": "number",
    "cluster-ipc-limit": "number", "load-threshold": "percentage",
}


class _Positions:
    """Object id -> span, for the model's objects."""

    def __init__(self, cib: m.Cib, filename: str):
        self.filename = filename
        self.by_id: dict[str, Span] = {}
        for rsc in m.walk_resources(cib.configuration.resources):
            if rsc.span is not None:
                self.by_id.setdefault(rsc.id, rsc.span)
        for constraint in cib.configuration.constraints:
            if getattr(constraint, "span", None) is not None and constraint.id:
                self.by_id.setdefault(constraint.id, constraint.span)
        for node in cib.configuration.nodes:
            if node.span is not None:
                self.by_id.setdefault(node.uname, node.span)
                self.by_id.setdefault(node.id, node.span)

    def of(self, object_id: str | None) -> Span:
        if object_id:
            for candidate in (object_id, object_id.split(":")[0],
                              re.sub(r"-\d+$", "", object_id.split(":")[0])):
                span = self.by_id.get(candidate)
                if span is not None:
                    return span
        return Span(self.filename)


def _pairs(sets) -> list[m.NvPair]:
    return [pair for attr_set in sets for pair in attr_set.nvpairs]


def _invalid_option(kind, value: str) -> bool:
    from pengine.cib.validate import interval_ms

    text = value.strip()
    if kind == "boolean":
        return text.lower() not in _BOOL
    if kind == "interval":
        return interval_ms(text) is None
    if kind == "watchdog":
        body = text[1:] if text.startswith("-") else text
        return interval_ms(body) is None
    if kind == "number":
        return not _NUMBER.fullmatch(text)
    if kind == "score":
        from pengine.cib.validate import parse_score
        return parse_score(text)[0] == "bad"   # strtoll-like: "1.5" reads as 1
    if kind == "percentage":
        return not re.fullmatch(r"\d+(\.\d+)?%?", text)
    if isinstance(kind, tuple):
        return text.lower() not in kind
    return False


def scheduler_diagnostics(cib: m.Cib, filename: str, root=None) -> list[Diagnostic]:
    """Configuration errors and warnings Pacemaker's scheduler would log for
    ``cib``; ``root`` is the XML element tree when the file is XML (for the
    positions of elements the model does not keep)."""
    positions = _Positions(cib, filename)
    out: list[Diagnostic] = []
    config = cib.configuration

    def report(severity, code, message, span, hint=""):
        out.append(Diagnostic(severity, message, span or Span(filename), code, hint))

    # -- cluster options (unpack_config): an invalid value is an error
    for pair in _pairs(config.crm_config):
        kind = OPTION_KINDS.get(pair.name)
        if kind is None or pair.value is None or pair.value.strip().lower() == "#default":
            continue
        if _invalid_option(kind, pair.value):
            allowed = (" (allowed: " + ", ".join(kind) + ")") if isinstance(kind, tuple) else ""
            report(ERROR, "PE202", f"Using default value for cluster option '{pair.name}' "
                   f"because '{pair.value}' is invalid{allowed}", pair.span)

    # -- fencing without a device (unpack_resources)
    fencing = _fencing_without_device(config)
    if fencing is not None:
        report(ERROR, "PE200", "Resource start-up disabled since no fencing resources have "
               "been defined", fencing or _element_span(root, "resources", filename),
               "configure a fencing device (a stonith-class primitive), or disable fencing "
               "with fencing-enabled=false (stonith-enabled=false before Pacemaker 3.0); "
               "clusters with shared data need fencing to ensure data integrity")

    # -- operations (pcmk__find_action_config): same name and interval twice
    from pengine.cib.validate import interval_ms
    for rsc in m.walk_resources(config.resources):
        if not isinstance(rsc, (m.Primitive, m.Template)):
            continue
        seen: dict[tuple[str, int], m.Op] = {}
        for op in rsc.ops:
            if op.id_ref is not None:
                continue
            key = (op.name, interval_ms(op.interval) or 0)
            if key[1] == 0:
                continue  # Pacemaker looks up one-shot actions by name alone: no complaint
            first = seen.get(key)
            if first is None:
                seen[key] = op
                continue
            report(ERROR, "PE201", f"Operation {op.id} is duplicate of {first.id} (do not use "
                   "same name and interval combination more than once per resource)",
                   op.span or rsc.span, "give one of them another interval (roles do not "
                   "make operations distinct)")

    # -- constraints the scheduler ignores
    templates = {r.id for r in config.resources if isinstance(r, m.Template)}
    tags = {t.id for t in config.tags}
    for constraint in config.constraints:
        if isinstance(constraint, m.Order):
            kind = getattr(constraint, "kind", None)
            if kind is not None and kind.lower() not in ("mandatory", "optional", "serialize"):
                report(ERROR, "PE203", f"Resetting 'kind' for constraint {constraint.id} to "
                       f"'Mandatory' because '{kind}' is not valid", constraint.span,
                       "kind is Mandatory, Optional or Serialize")
        elif isinstance(constraint, m.TicketConstraint):
            policy = (getattr(constraint, "loss_policy", None) or "").strip().lower()
            if policy == "fence" and not _fencing_enabled(config):
                report(ERROR, "PE203", f"Resetting 'loss-policy' for ticket '{constraint.ticket}'"
                       " to 'stop' because fencing is not configured", constraint.span,
                       "enable fencing, or use loss-policy stop, demote or freeze")
        elif isinstance(constraint, m.Colocation):
            from pengine.common.options import parse_bool
            if constraint.influence is not None and parse_bool(constraint.influence) is None:
                report(ERROR, "PE203", f"Constraint '{constraint.id}' has invalid value for "
                       f"influence '{constraint.influence}' (using default)", constraint.span,
                       "influence is true or false")
            rsc, with_rsc = getattr(constraint, "rsc", None), getattr(constraint, "with_rsc", None)
            if rsc and with_rsc and rsc in templates | tags and with_rsc in templates | tags:
                report(ERROR, "PE203", f"Ignoring constraint '{constraint.id}' because two "
                       "templates or tags cannot be colocated", constraint.span,
                       "colocate at least one real resource")

    # -- rules: invalid dates fail the expression; location rules need a score
    from pengine.common.dates import DateError, parse_crm_time
    for expression in _date_expressions(config):
        for bound in ("start", "end"):
            value = getattr(expression, bound)
            if value is None:
                continue
            try:
                parse_crm_time(value)
            except DateError:
                report(ERROR, "PE203", f"Treating date_expression {expression.id} as not "
                       f"passing because {bound} is invalid ('{value}' is not an ISO 8601 "
                       "date/time)", expression.span, "write e.g. 2030-01-31 or "
                       "2030-01-31T12:00:00Z")
    for constraint in config.constraints:
        if not isinstance(constraint, m.Location):
            continue
        for rule in constraint.rules:
            if rule.id_ref is None and rule.score is None and rule.score_attribute is None:
                report(ERROR, "PE203", f"Ignoring location constraint rule {rule.id} because "
                       "neither score nor score-attribute was specified", rule.span,
                       "give the rule a score (e.g. score=\"-INFINITY\")")
    if root is not None:
        for lifetime in _elements(root, "lifetime"):
            report(ERROR, "PE203", "a <lifetime> becomes a location rule without a score "
                   "when Pacemaker 3.0 upgrades the CIB, and that rule is ignored",
                   lifetime.span(filename), "write the date condition as a rule of the "
                   "constraint itself (with a score)")

    # -- promotable clones need agents that can promote
    from pengine.cib.validate import _promotable as promotable_clone
    for top in m.walk_resources(config.resources):
        if isinstance(top, m.Clone) and promotable_clone(top):
            for member in m.walk_resources(m.child_resources(top)):
                if isinstance(member, m.Primitive):
                    cls = member.cls
                    if cls is None and member.template:
                        template = config.resources_by_id.get(member.template)
                        cls = getattr(template, "cls", None)
                    if cls is not None and cls.lower() != "ocf":
                        report(ERROR, "PE204", f"Resource {member.id} is of type {cls} and "
                               "therefore cannot be used as a promotable clone resource",
                               member.span, f"Pacemaker ignores the clone '{top.id}': only "
                               "ocf agents can promote")

    # -- resource meta-attributes the scheduler rejects
    requires_pairs = [(pair, None) for pair in _pairs(config.rsc_defaults)]
    for rsc in m.walk_resources(config.resources):
        requires_pairs += [(pair, rsc) for pair in _pairs(getattr(rsc, "meta", ()))]
    for pair, rsc in requires_pairs:
        if pair.name == "requires" and pair.value is not None \
                and pair.value.strip().lower() not in ("nothing", "quorum", "fencing",
                                                       "unfencing", "#default"):
            owner = rsc.id if rsc is not None else "resource defaults"
            report(ERROR, "PE204", f"Resetting 'requires' for {owner} to the default because "
                   f"'{pair.value}' is not valid", pair.span or (rsc.span if rsc else None),
                   "requires is nothing, quorum, fencing or unfencing")
    for rsc in m.walk_resources(config.resources):
        if isinstance(rsc, m.Template):
            continue
        for pair in _pairs(getattr(rsc, "meta", ())):
            if pair.name != "target-role" or pair.value is None:
                continue
            role = pair.value.strip().lower()
            if role in ("promoted", "unpromoted", "master", "slave") and not _promotable(rsc, config):
                report(ERROR, "PE204", f"Ignoring 'target-role' for {rsc.id} because "
                       f"'{pair.value}' only makes sense for promotable clones",
                       pair.span or rsc.span, "use Started or Stopped")

    out.extend(_never_runs(config, positions))

    # -- status entries
    for state in cib.status.node_states:
        if not state.id:
            report(ERROR, "PE205", "Ignoring invalid node_state entry without id", state.span)

    # -- what the scheduler meets while scheduling
    out.extend(_scheduled(cib, positions, filename, {d.message for d in out}))
    return out


def _promotable(rsc, config: m.Configuration) -> bool:
    """Inside a promotable clone (or a bundle with promoted-max)?"""
    from pengine.cib.validate import _promotable as promotable
    parents: dict[str, object] = {}
    for top in m.walk_resources(config.resources):
        for child in m.child_resources(top):
            parents[child.id] = top
    node = rsc
    while node is not None:
        if promotable(node):
            return True
        node = parents.get(node.id)
    return False


def _fencing_enabled(config: m.Configuration) -> bool:
    from pengine.common.options import parse_bool
    for name in ("fencing-enabled", "stonith-enabled"):
        for pair in _pairs(config.crm_config):
            if pair.name == name and pair.value is not None:
                return parse_bool(pair.value) is not False
    return True


def _fencing_without_device(config: m.Configuration):
    """None when fencing is off or a device exists; else the span of the
    setting that enables it (False when fencing is on by default)."""
    from pengine.common.options import parse_bool
    setting = None
    for name in ("fencing-enabled", "stonith-enabled"):
        for pair in _pairs(config.crm_config):
            if pair.name == name and pair.value is not None:
                setting = pair
                break
        if setting is not None:
            break
    if setting is not None and parse_bool(setting.value) is False:
        return None
    watchdog = config.property("have-watchdog")
    if watchdog is not None and parse_bool(watchdog):
        return None
    for rsc in m.walk_resources(config.resources):
        if isinstance(rsc, (m.Primitive, m.Template)) and (rsc.cls or "").lower() == "stonith":
            return None
        if isinstance(rsc, m.Primitive) and rsc.template:
            template = config.resources_by_id.get(rsc.template)
            if template is not None and (getattr(template, "cls", "") or "").lower() == "stonith":
                return None
    return setting.span if setting is not None and setting.span else False


def _date_expressions(config: m.Configuration):
    """Every date_expression of the configuration's rules."""
    def walk(value, depth=0):
        if depth > 40:
            return
        if isinstance(value, m.DateExpression):
            yield value
        elif isinstance(value, m.Rule):
            for item in value.expressions:
                yield from walk(item, depth + 1)
        elif isinstance(value, (tuple, list)):
            for item in value:
                yield from walk(item, depth + 1)
        elif hasattr(value, "__attrs_attrs__"):
            for attribute in value.__attrs_attrs__:
                if attribute.name != "span":
                    yield from walk(getattr(value, attribute.name), depth + 1)
    seen = set()
    for expression in walk((config.crm_config, config.resources, config.constraints,
                            config.rsc_defaults, config.op_defaults, config.nodes)):
        if id(expression) not in seen:
            seen.add(id(expression))
            yield expression


def _elements(root, tag: str):
    stack = [root]
    while stack:
        el = stack.pop()
        if el.tag == tag:
            yield el
        if el.tag != "status":
            stack.extend(reversed(el.children))


def _element_span(root, tag: str, filename: str) -> Span:
    if root is None:
        return Span(filename)
    stack = [root]
    while stack:
        el = stack.pop(0)
        if el.tag == tag:
            return el.span(filename)
        if el.tag != "status":
            stack.extend(el.children)
    return root.span(filename)


def _scheduled(cib: m.Cib, positions: _Positions, filename: str,
               already: set[str]) -> list[Diagnostic]:
    """Run the scheduler and turn what it logged into diagnostics."""
    from pengine.common.config_log import collecting
    from pengine.schedule.driver import schedule

    now = datetime.now(timezone.utc)
    out: list[Diagnostic] = []
    with collecting() as problems:
        try:
            sch = schedule(cib, now)
        except Exception as error:  # noqa: BLE001 - the checks above stand without the run
            out.append(Diagnostic(WARNING, "the scheduler stopped before it finished, so its "
                                  f"own findings are missing ({type(error).__name__}: {error})",
                                  Span(filename), "PE211", "this is a bug in pengine: please "
                                  "report it with the file"))
            return out
    seen: set[tuple[str, str]] = set()
    for problem in problems:
        key = (problem.severity, _generic(problem.message))
        if key in seen or problem.message in already:
            continue
        seen.add(key)
        code = "PE210" if problem.severity == ERROR else "PE211"
        out.append(Diagnostic(problem.severity, problem.message,
                              positions.of(problem.object_id), code))
    for rsc in sch.all_resources.values():
        if rsc.variant == "primitive" and len(rsc.running_on) > 1 \
                and rsc.partial_migration_target is None:
            names = ", ".join(node.name for node in rsc.running_on)
            out.append(Diagnostic(WARNING, f"resource {rsc.id} is active on "
                                  f"{len(rsc.running_on)} nodes ({names}): Pacemaker stops it "
                                  "and recovers it (multiple-active)", positions.of(rsc.id),
                                  "PE213", "the status shows it running more than once: check "
                                  "that the agent's monitor tells the truth on every node"))
    logged = {problem.message for problem in problems}
    for message in dict.fromkeys(m for m in sch.warnings if m not in logged):
        ident = re.search(r"'([^']+)'|\b(?:for|Resource) (\S+)", message)
        object_id = (ident.group(1) or ident.group(2)) if ident else None
        out.append(Diagnostic(WARNING, message, positions.of(object_id), "PE211"))
    return out


def _never_runs(config: m.Configuration, positions: _Positions) -> list[Diagnostic]:
    """Resources that no configured node may run (crm_verify is silent about
    them): plain -INFINITY location constraints on every node, on the
    resource or on a group or clone that holds it."""
    from pengine.common.scores import parse_score_checked
    nodes = {node.uname for node in config.nodes}
    for rsc in m.walk_resources(config.resources):
        if isinstance(rsc, m.Bundle):
            return []   # its replicas are nodes too, named at run time
        if isinstance(rsc, m.Primitive):
            if (rsc.type or "") == "remote" and (rsc.cls or "") == "ocf":
                nodes.add(rsc.id)          # a remote node
            guest = m.flat_get(rsc.meta, "remote-node")
            if guest:
                nodes.add(guest)           # a guest node
    if not nodes:
        return []
    banned: dict[str, set[str]] = {}
    for constraint in config.constraints:
        if isinstance(constraint, m.Location) and constraint.rsc and constraint.node \
                and not constraint.rules and not constraint.role and constraint.score:
            value, valid = parse_score_checked(constraint.score)
            if valid and value <= -INFINITY:
                banned.setdefault(constraint.rsc, set()).add(constraint.node)
    out = []

    def visit(rsc, inherited: set[str]):
        here = inherited | banned.get(rsc.id, set())
        if nodes <= here:
            out.append(Diagnostic(WARNING, f"resource '{rsc.id}' can never run: every node "
                                  "bans it with -INFINITY", positions.of(rsc.id), "PE212",
                                  "allow it at least one node, or set target-role=Stopped"))
            return
        for child in m.child_resources(rsc):
            visit(child, here)
    for rsc in config.resources:
        if not isinstance(rsc, m.Template):
            visit(rsc, set())
    return out


def _generic(message: str) -> str:
    """Instances of one clone say the same thing: report it once."""
    return re.sub(r":\d+\b", "", message)
