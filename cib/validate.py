"""Cross-reference and semantic checks of a CIB: what ``pengine check`` reports.

``validate(cib)`` returns a list of :class:`~cib.errors.Diagnostic`, each with a
stable code (``PE001``...), a severity, a message, the span of the offending
element and a one-line hint.  It never raises for a bad configuration.

Severity follows what Pacemaker does with the configuration:

* **error**: Pacemaker refuses the CIB (its schema rejects it), or drops the
  object or replaces the value, so the cluster would not do what was written
  (a constraint naming a missing resource, ``interval="5x"``, ``score="high"``);
* **warning**: Pacemaker accepts it and does what was meant, but the text is
  deprecated, suspicious or unsafe (``Master`` for ``Promoted``, fencing
  disabled, a constraint on a clone's child that Pacemaker maps to the clone).

A CIB that turns schema validation off (``validate-with="none"``) gets the
checks that only the schema makes fatal as warnings instead, since Pacemaker
then loads it and substitutes a default.

The rules follow *Pacemaker Explained* and Pacemaker's own parsers
(``pcmk_parse_score``, ``crm_get_msec``, ``crm_str_to_boolean``,
``pcmk_parse_role``).  ``CODES`` lists every code with its meaning.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import defaultdict
from functools import cached_property
from typing import Iterable, Iterator

from pengine.cib import model as m
from pengine.cib.errors import Diagnostic
from pengine.cib.span import Span
from pengine.common.options import parse_bool

ERROR, WARNING = "error", "warning"

#: Every diagnostic code, with what it reports.  Codes are never renumbered.
CODES: dict[str, str] = {
    "PE000": "the file cannot be read as a configuration (syntax error, malformed XML)",
    "PE001": "duplicate id",
    "PE002": "reference to a resource that does not exist",
    "PE003": "a resource in more than one group, clone or bundle",
    "PE004": "reference to a node that does not exist",
    "PE005": "reference to a template that does not exist",
    "PE006": "id-ref or tag reference to an id that does not exist",
    "PE007": "fencing level names a device that does not exist or is not a fencing device",
    "PE008": "invalid container or remote-node meta-attribute",
    "PE010": "invalid score",
    "PE011": "invalid role",
    "PE012": "deprecated name or value, with its replacement",
    "PE013": "invalid order kind",
    "PE014": "invalid interval, timeout or duration",
    "PE015": "invalid boolean",
    "PE016": "option value out of range",
    "PE017": "unknown option name (probably misspelt)",
    "PE018": "constraint of a resource with itself",
    "PE019": "constraint names a clone's child (ignored) or a member of its own group",
    "PE020": "fencing disabled or no fencing device in a multi-node cluster",
    "PE021": "incomplete or contradictory element",
    "PE022": "invalid integer",
    "PE023": "unknown or unsupported resource agent class, or an ocf agent without provider",
    "PE024": "ordering loop: actions that wait on each other",
    "PE025": "colocation loop",
    "PE026": "role that the resource can never have (it is not promotable)",
    "PE027": "quorum policy that risks split brain",
}

# ------------------------------------------------------------ value syntax ----

_CRM_INFINITY = re.compile(r"[+-]?inf", re.IGNORECASE)  # the crm shell's spelling
_CANONICAL_SCORE = re.compile(r"[+-]?(\d+|INFINITY)|-INFINITY|red|yellow|green", re.IGNORECASE)
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


# crm_get_msec reads only a unit's first letters; these are the spellings it documents
_UNIT = re.compile(r"[\s\d.]*(?P<unit>.*?)\s*")
_UNITS = ("", "ms", "msec", "us", "usec", "s", "sec", "m", "min", "h", "hr")

#: Resource agent classes Pacemaker 3.0 runs, and those it no longer does.
AGENT_CLASSES = ("ocf", "lsb", "service", "systemd", "stonith")
REMOVED_CLASSES = {"nagios": "Pacemaker 3.0 dropped nagios plugins",
                   "upstart": "Pacemaker 3.0 dropped upstart jobs",
                   "heartbeat": "heartbeat-class agents were dropped long ago"}
#: Actions that run once: an interval makes Pacemaker ignore the operation
#: (pcmk_sched_recurring.c, op_cannot_recur).
CANNOT_RECUR = ("start", "stop", "promote", "demote", "migrate_to", "migrate_from",
                "reload-agent")

ROLES = ("Stopped", "Started", "Unpromoted", "Promoted")
LEGACY_ROLES = {"master": "Promoted", "slave": "Unpromoted"}
ORDER_KINDS = ("Mandatory", "Optional", "Serialize")
ACTIONS = ("start", "stop", "promote", "demote")


def parse_score(text: str | None, crm: bool = False) -> tuple[str, str | None]:
    """Classify a score as Pacemaker reads it (``pengine.scores``):
    ("ok"|"lenient"|"bad", what Pacemaker reads when lenient).

    In crm text, ``inf``/``-inf`` are the crm shell's INFINITY; in XML Pacemaker
    rejects them (they have no digits) and uses 0.
    """
    from pengine.common.scores import parse_score_checked, score_text

    if text is None or (crm and _CRM_INFINITY.fullmatch(text)):
        return "ok", None
    value, valid = parse_score_checked(text)
    if not valid:
        return "bad", None
    if _CANONICAL_SCORE.fullmatch(text.strip()):
        return "ok", None
    return "lenient", score_text(value)  # strtoll stopped early ("3.5" is 3)


def interval_ms(text: str | None) -> int | None:
    """An interval or timeout in milliseconds as Pacemaker reads it
    (``pcmk_parse_interval_spec``), or None when it cannot be read."""
    from pengine.common.dates import DateError, duration_seconds, parse_duration as iso, parse_ms

    if text is None:
        return None
    if text.startswith("P"):
        try:
            return duration_seconds(iso(text)) * 1000
        except DateError:
            return None
    return parse_ms(text)


def parse_duration(text: str) -> tuple[str, str | None]:
    """A Pacemaker interval/timeout: ms/us/s/m/h units or ISO 8601 ``P...``:
    ("ok"|"lenient"|"bad", the odd unit when lenient)."""
    if interval_ms(text) is None:
        return "bad", None
    unit = _UNIT.fullmatch(text).group("unit").lower()
    if text.startswith("P") or unit in _UNITS:
        return "ok", None
    return "lenient", unit  # "5mins": Pacemaker compares the first letters only



# ------------------------------------------------------------ option tables ----
# Value kinds: "boolean", "integer", "score", "duration", "signed-duration",
# "percentage", "role", "text", or a tuple of allowed values.

CLUSTER_OPTIONS: dict[str, object] = {
    "cluster-name": "text", "dc-version": "text", "cluster-infrastructure": "text",
    "no-quorum-policy": ("stop", "freeze", "ignore", "demote", "fence", "suicide"),
    "batch-limit": "integer", "migration-limit": "integer", "load-threshold": "percentage",
    "node-action-limit": "integer", "symmetric-cluster": "boolean",
    "stop-all-resources": "boolean", "start-failure-is-fatal": "boolean",
    "maintenance-mode": "boolean", "fencing-enabled": "boolean",
    "fencing-action": ("reboot", "off", "poweroff"), "fencing-timeout": "duration",
    "fencing-max-attempts": "score", "have-watchdog": "boolean",
    "fencing-watchdog-timeout": "signed-duration", "fencing-reaction": ("stop", "panic"),
    "priority-fencing-delay": "duration", "node-pending-timeout": "duration",
    "cluster-delay": "duration", "dc-deadtime": "duration",
    "pe-error-series-max": "integer", "pe-warn-series-max": "integer",
    "pe-input-series-max": "integer", "enable-acl": "boolean",
    "placement-strategy": ("default", "utilization", "minimal", "balanced"),
    "node-health-strategy": ("none", "migrate-on-red", "only-green", "progressive", "custom"),
    "node-health-base": "score", "node-health-green": "score", "node-health-yellow": "score",
    "node-health-red": "score", "cluster-recheck-interval": "duration",
    "shutdown-lock": "boolean", "shutdown-lock-limit": "duration",
    "startup-fencing": "boolean", "election-timeout": "duration",
    "shutdown-escalation": "duration", "join-integration-timeout": "duration",
    "join-finalization-timeout": "duration", "transition-delay": "duration",
    "stop-removed-resources": "boolean",
    "cancel-removed-actions": "boolean", "enable-startup-probes": "boolean",
    "cluster-ipc-limit": "integer", "last-lrm-refresh": "text",
    "concurrent-fencing": "boolean",
    "placement-solver": ("greedy", "optimal"),  # pengine's own: see design.md
}

#: Deprecated cluster option names → (replacement, note).  The old names still work.
DEPRECATED_CLUSTER_OPTIONS: dict[str, str] = {
    "stonith-enabled": "fencing-enabled", "stonith-action": "fencing-action",
    "stonith-timeout": "fencing-timeout", "stonith-max-attempts": "fencing-max-attempts",
    "stonith-watchdog-timeout": "fencing-watchdog-timeout", "fence-reaction": "fencing-reaction",
    "crmd-integration-timeout": "join-integration-timeout",
    "crmd-finalization-timeout": "join-finalization-timeout",
    "crmd-transition-delay": "transition-delay",
    "stop-orphan-resources": "stop-removed-resources",
    "stop-orphan-actions": "cancel-removed-actions",
    "default-resource-stickiness": "resource-stickiness in rsc_defaults",
    "is-managed-default": "is-managed in rsc_defaults",
    "default-action-timeout": "timeout in op_defaults",
    "remove-after-stop": "nothing (it is unsafe and ignored)",
    "concurrent-fencing": "nothing (fencing actions run concurrently; limit a device with "
                          "pcmk_action_limit)",
}

#: Deprecated option values → replacement, per option.
DEPRECATED_VALUES: dict[str, dict[str, str]] = {
    "no-quorum-policy": {"suicide": "fence"},
    "fencing-action": {"poweroff": "off"},
    "stonith-action": {"poweroff": "off"},
}

META_OPTIONS: dict[str, object] = {
    "priority": "score", "critical": "boolean", "target-role": "role",
    "is-managed": "boolean", "maintenance": "boolean", "resource-stickiness": "score",
    "requires": ("nothing", "quorum", "fencing", "unfencing"),
    "migration-threshold": "score", "failure-timeout": "duration",
    "multiple-active": ("block", "stop_only", "stop_start", "stop_unexpected"),
    "allow-migrate": "boolean", "allow-unhealthy-nodes": "boolean",
    "container-attribute-target": ("host",), "remote-node": "text", "remote-addr": "text",
    "remote-port": "integer", "remote-connect-timeout": "duration",
    "remote-allow-migrate": "boolean", "container": "text",
    "clone-max": "integer", "clone-node-max": "integer", "clone-min": "integer",
    "notify": "boolean", "globally-unique": "boolean", "ordered": "boolean",
    "interleave": "boolean", "promotable": "boolean", "promoted-max": "integer",
    "promoted-node-max": "integer", "collocated": "boolean", "provides": ("unfencing",),
    "description": "text", "restart-type": "text", "failure-stickiness": "text",
}

DEPRECATED_META: dict[str, str] = {
    "master-max": "promoted-max", "master-node-max": "promoted-node-max",
    "masters": "promoted-max", "resource-failure-stickiness": "migration-threshold",
    "restart-type": "an order constraint",
}

OP_OPTIONS: dict[str, object] = {
    "timeout": "duration", "on-fail": ("ignore", "block", "stop", "demote", "restart",
                                       "fence", "standby"),
    "enabled": "boolean", "start-delay": "duration", "interval-origin": "text",
    "record-pending": "boolean", "role": "role", "description": "text",
    "requires": ("nothing", "quorum", "fencing", "unfencing"),
}

DEPRECATED_OP: dict[str, str] = {
    "record-pending": "nothing (operations are always recorded since Pacemaker 3.0)",
    "requires": "the requires meta-attribute of the resource",
}


# ------------------------------------------------------------------ helpers ----

class _Source:
    """Turns an element span into the span of one of its XML attributes."""

    def __init__(self, text: str | None):
        self.text = text
        self.starts: list[int] = []
        if text:
            self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def attribute(self, span: Span | None, name: str | None) -> Span | None:
        if not (self.text and span and span.line and span.element and name):
            return span
        if span.line > len(self.starts):
            return span
        start = self.starts[span.line - 1] + max(span.column - 1, 0)
        end = self.text.find(">", start)
        if end < 0:
            return span
        found = re.compile(r"\s" + re.escape(name) + r"\s*=").search(self.text, start, end)
        if not found:
            return span
        offset = found.start() + 1
        line = bisect.bisect_right(self.starts, offset)
        return Span(span.file, line, offset - self.starts[line - 1] + 1,
                    element=span.element, element_id=span.element_id)


def _close(name: str, known: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(name, list(known), n=1, cutoff=0.85)
    return match[0] if match else None


def _role(value: str) -> tuple[str | None, bool]:
    """(canonical role or None, legacy?)"""
    lowered = value.lower()
    for role in ROLES:
        if role.lower() == lowered:
            return role, False
    if lowered in LEGACY_ROLES:
        return LEGACY_ROLES[lowered], True
    return None, False


# ---------------------------------------------------------------- validator ----

class _Validator:
    def __init__(self, cib: m.Cib, source_text: str | None):
        self.cib = cib
        self.config = cib.configuration
        text = source_text if source_text is not None else cib.source
        self.source = _Source(text)
        self.crm = text is not None and not text.lstrip().startswith("<")
        self.out: list[Diagnostic] = []
        self.schema = (cib.get("validate-with") or "").lower() != "none"
        self.resources = self.config.resources_by_id
        self.templates = {r.id for r in self.config.resources if isinstance(r, m.Template)}
        self.tags = {t.id: t for t in self.config.tags}
        self._node_names: set[str] | None = None
        self.parent: dict[str, m.Resource] = {}
        for rsc in m.walk_resources(self.config.resources):
            for child in m.child_resources(rsc):
                self.parent.setdefault(child.id, rsc)

    # -- reporting -----------------------------------------------------------

    def report(self, severity: str, code: str, message: str, span: Span | None, hint: str = "",
               attribute: str | None = None):
        self.out.append(Diagnostic(severity, message, self.source.attribute(span, attribute),
                                   code, hint))

    def schema_error(self, code: str, message: str, span, hint: str, attribute: str | None = None,
                     fallback: str = ""):
        """An error the schema would catch; a warning when the CIB disables the schema."""
        if self.schema:
            self.report(ERROR, code, message, span, hint, attribute)
        else:
            note = f"schema validation is off (validate-with=\"none\"), so Pacemaker {fallback}"
            self.report(WARNING, code, message, span, note if fallback else hint, attribute)

    # -- value checks --------------------------------------------------------

    def score(self, value: str | None, span, what: str, attribute: str | None = None):
        kind, note = parse_score(value, crm=self.crm)
        if kind == "bad":
            self.report(ERROR, "PE010", f"invalid score '{value}' for {what}", span,
                        "a score is an integer, INFINITY, +INFINITY or -INFINITY", attribute)
        elif kind == "lenient":
            self.report(WARNING, "PE010", f"score '{value}' for {what} is not an integer: "
                        f"Pacemaker reads it as {note}", span, f"write {note}", attribute)

    def duration(self, value: str | None, span, what: str, attribute: str | None = None,
                 signed: bool = False, interval: bool = False):
        """A duration.  An unreadable interval is an error (the operation would
        not recur as written); an unreadable timeout or delay is a warning, as
        Pacemaker then uses the documented default."""
        if value is None or value.lower() == "#default":
            return
        text = value[1:] if signed and value.startswith("-") else value
        kind, unit = parse_duration(text)
        if kind == "bad":
            self.report(ERROR if interval else WARNING, "PE014", f"invalid {what} '{value}'"
                        + ("" if interval else ": Pacemaker uses the default"), span,
                        "use a number with an optional unit (ms, s, m, h), e.g. 30s, "
                        "or an ISO 8601 duration such as PT30S", attribute)
        elif kind == "lenient":
            self.report(WARNING, "PE014", f"unusual unit '{unit}' in {what} '{value}'", span,
                        "Pacemaker reads only the unit's first letters; write ms, s, m or h",
                        attribute)

    def boolean(self, value: str | None, span, what: str, attribute: str | None = None):
        if value is not None and parse_bool(value) is None:
            self.report(ERROR, "PE015", f"invalid boolean '{value}' for {what}", span,
                        "use true or false", attribute)

    def role(self, value: str | None, span, what: str, attribute: str | None = None):
        if value is None:
            return
        role, legacy = _role(value)
        if role is None:
            self.schema_error("PE011", f"invalid role '{value}' for {what}", span,
                              "roles are Started, Stopped, Promoted and Unpromoted", attribute,
                              "ignores the role")
        elif legacy:
            self.report(WARNING, "PE012", f"role '{value}' for {what} is deprecated", span,
                        f"write {role}", attribute)

    def option(self, name: str, value: str | None, span, kind, what: str):
        """One nvpair of a known kind."""
        if value is None or value.lower() == "#default":
            return  # "#default" unsets the value
        label = f"{what} '{name}'"
        if kind == "boolean":
            self.boolean(value, span, label)
        elif kind == "score":
            self.score(value, span, label)
        elif kind in ("duration", "signed-duration"):
            self.duration(value, span, label, signed=kind == "signed-duration")
        elif kind == "integer":
            if not _INTEGER.fullmatch(value):
                self.report(ERROR, "PE022", f"invalid integer '{value}' for {label}", span,
                            "write a whole number")
        elif kind == "percentage":
            if not re.fullmatch(r"\s*\d+(\.\d+)?\s*%?\s*", value):
                self.report(ERROR, "PE016", f"invalid percentage '{value}' for {label}", span,
                            "write a percentage such as 80%")
        elif kind == "role":
            self.role(value, span, label)
        elif isinstance(kind, tuple) and value not in kind:
            allowed = ", ".join(v for v in kind if v not in DEPRECATED_VALUES.get(name, {}))
            self.report(ERROR, "PE016", f"invalid value '{value}' for {label}", span,
                        f"allowed values: {allowed}")
        deprecated = DEPRECATED_VALUES.get(name, {}).get(value)
        if deprecated:
            self.report(WARNING, "PE012", f"value '{value}' of {label} is deprecated", span,
                        f"write {name}={deprecated}")

    def nvpairs(self, sets: tuple[m.AttrSet, ...], table: dict, deprecated: dict, what: str,
                owner_span):
        for attr_set in sets:
            self.attr_set_score(attr_set)
            for pair in attr_set.nvpairs:
                span = pair.span or attr_set.span or owner_span
                if pair.name in deprecated:
                    replacement = deprecated[pair.name]
                    self.report(WARNING, "PE012", f"{what} '{pair.name}' is deprecated", span,
                                f"use {replacement}")
                    replacement_name = replacement.split()[0]
                    kind = table.get(replacement_name, table.get(pair.name))
                    if kind is not None:
                        self.option(pair.name, pair.value, span, kind, what)
                    continue
                kind = table.get(pair.name)
                if kind is not None:
                    self.option(pair.name, pair.value, span, kind, what)
                else:
                    guess = _close(pair.name, list(table) + list(deprecated))
                    if guess:
                        self.report(WARNING, "PE017", f"unknown {what} '{pair.name}'", span,
                                    f"did you mean '{guess}'?")

    def attr_set_score(self, attr_set: m.AttrSet):
        if attr_set.score is not None:
            self.score(attr_set.score, attr_set.span, f"the precedence of set '{attr_set.id}'",
                       "score")
        if attr_set.rule is not None:
            self.rule(attr_set.rule, location=False)

    # -- the passes ----------------------------------------------------------

    def run(self) -> list[Diagnostic]:
        self.duplicate_ids()
        self.containment()
        self.cluster_options()
        self.defaults()
        self.node_checks()
        for rsc in m.walk_resources(self.config.resources):
            self.resource(rsc)
        for constraint in self.config.constraints:
            self.constraint(constraint)
        self.tag_refs()
        self.fencing_levels()
        self.id_refs()
        self.fencing_safety()
        self.quorum_safety()
        self.loops()
        self.schema_setting()
        return self.out

    def loops(self):
        from pengine.cib.loops import colocation_loops, order_loops
        for loop in order_loops(self.config):
            ids = ", ".join(f"'{c.id}'" for c in loop.constraints)
            last = loop.constraints[-1]
            self.report(ERROR, "PE024", f"ordering loop through {ids}: "
                        + " -> ".join(loop.cycle), last.span,
                        "these actions wait on each other and never run: remove or reverse one "
                        "of the orderings (or make it symmetrical=false)")
        for loop in colocation_loops(self.config):
            ids = ", ".join(f"'{c.id}'" for c in loop.constraints)
            cycle = " with ".join(step.removesuffix(" placed") for step in loop.cycle)
            self.report(WARNING, "PE025", f"colocation loop through {ids}: {cycle}",
                        loop.constraints[-1].span, "which resource's preferences win depends on "
                        "the order Pacemaker places them in: keep one direction")

    def schema_setting(self):
        """validate-with="none": Pacemaker warns that this is deprecated."""
        if self.schema or self.crm:
            return
        span = None
        text = self.source.text or ""
        found = re.search(r"validate-with\s*=", text)
        if found:
            line = text.count("\n", 0, found.start()) + 1
            column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
            span = Span(self.cib_file, line, column, element="cib")
        self.report(WARNING, "PE012", 'validate-with="none" turns schema validation off, '
                    "which is deprecated", span, "name a schema, e.g. validate-with="
                    '"pacemaker-3.10", and fix what it rejects')

    def duplicate_ids(self):
        seen: dict[str, tuple[object, Span | None]] = {}
        for obj, ident, span in _identified(self.config):
            if ident in seen:
                first_obj, first_span = seen[ident]
                if isinstance(obj, m.Primitive) and isinstance(first_obj, m.Primitive):
                    continue  # reported as PE003 by containment() when nested twice
                where = f" (first defined at {first_span.where()})" if first_span else ""
                self.report(ERROR, "PE001", f"duplicate id '{ident}'{where}", span,
                            "every id in a CIB must be unique: rename one of them")
            else:
                seen[ident] = (obj, span)

    def containment(self):
        holders: dict[str, list[tuple[str | None, m.Resource]]] = defaultdict(list)

        def visit(rsc, parent_id):
            holders[rsc.id].append((parent_id, rsc))
            for child in m.child_resources(rsc):
                visit(child, rsc.id)
        for rsc in self.config.resources:
            visit(rsc, None)
        for rsc_id, places in holders.items():
            if len(places) < 2:
                continue
            parents = [p for p, _ in places]
            named = sorted({p for p in parents if p})
            if len(named) >= 2 or (named and None in parents):
                where = " and ".join(f"'{p}'" for p in named)
                top = " and at the top level" if None in parents else ""
                self.report(ERROR, "PE003", f"resource '{rsc_id}' is in {where}{top}",
                            places[-1][1].span, "a resource can belong to one group, clone or "
                            "bundle only: define a second resource")
            else:
                first = places[0][1].span
                where = f" (first defined at {first.where()})" if first else ""
                self.report(ERROR, "PE001", f"duplicate id '{rsc_id}'{where}", places[-1][1].span,
                            "every id in a CIB must be unique: rename one of them")

    def cluster_options(self):
        self.nvpairs(self.config.crm_config, CLUSTER_OPTIONS, DEPRECATED_CLUSTER_OPTIONS,
                     "cluster option", None)

    def defaults(self):
        self.nvpairs(self.config.rsc_defaults, META_OPTIONS, DEPRECATED_META,
                     "resource default", None)
        self.nvpairs(self.config.op_defaults, OP_OPTIONS,
                     DEPRECATED_OP, "operation default", None)

    def node_checks(self):
        for node in self.config.nodes:
            if node.type is not None and node.type not in ("member", "remote", "ping", "normal"):
                self.schema_error("PE016", f"invalid node type '{node.type}' for node "
                                  f"'{node.uname}'", node.span, "node types are member and remote",
                                  "type", "treats it as a member")
            elif node.type == "normal":
                self.report(WARNING, "PE012", f"node type 'normal' of '{node.uname}' is deprecated",
                            node.span, "write type=\"member\"", "type")
            if node.score is not None:
                self.score(node.score, node.span, f"node '{node.uname}'", "score")
            for attr_set in node.attributes + node.utilization:
                self.attr_set_score(attr_set)

    def resource(self, rsc):
        meta = getattr(rsc, "meta", ())
        self.nvpairs(meta, META_OPTIONS, DEPRECATED_META, "meta-attribute", rsc.span)
        if isinstance(rsc, m.Clone) and rsc.legacy_master:
            self.report(WARNING, "PE012", f"<master> '{rsc.id}' is deprecated", rsc.span,
                        "use a clone with meta promotable=true")
        if isinstance(rsc, m.Group) and not rsc.children:
            self.report(ERROR, "PE021", f"group '{rsc.id}' has no resources", rsc.span,
                        "a group needs at least one primitive")
        if isinstance(rsc, (m.Primitive, m.Template)):
            self.primitive(rsc)
        for attr_set in getattr(rsc, "params", ()) + getattr(rsc, "utilization", ()):
            self.attr_set_score(attr_set)
        self.meta_references(rsc, meta)
        target_role = m.flat_get(meta, "target-role")
        if target_role is not None:
            self.role_applies(rsc.id, target_role, _pair_span(meta, "target-role") or rsc.span,
                              f"target-role of '{rsc.id}'", None)

    def primitive(self, rsc):
        template = getattr(rsc, "template", None)
        if template is not None and template not in self.templates:
            self.report(ERROR, "PE005", f"primitive '{rsc.id}' uses template '{template}', which "
                        "does not exist", rsc.span, "define the template (rsc_template in crm)",
                        "template")
        elif template is None and not rsc.type:
            self.report(ERROR, "PE021", f"{rsc.tag} '{rsc.id}' has no agent type", rsc.span,
                        "give class, provider and type (e.g. ocf:heartbeat:IPaddr2)")
        if template is None:
            self.agent_class(rsc)
        seen_ops: dict[tuple, m.Op] = {}
        for op in rsc.ops:
            if op.id_ref is not None and not op.name:
                continue
            span = op.span or rsc.span
            self.duration(op.interval, span, f"interval of operation '{op.name}'", "interval",
                          interval=True)
            if op.name in CANNOT_RECUR and (interval_ms(op.interval) or 0) > 0:
                self.report(ERROR, "PE014", f"operation '{op.name}' of '{rsc.id}' has interval "
                            f"'{op.interval}', but {op.name} cannot recur: Pacemaker ignores "
                            "the operation", span, f"write interval=0 for {op.name} (only "
                            "monitors recur)", "interval")
            for key, value in op.attributes:
                kind = OP_OPTIONS.get(key)
                if key in DEPRECATED_OP:
                    self.report(WARNING, "PE012", f"operation attribute '{key}' is deprecated",
                                span, f"use {DEPRECATED_OP[key]}", key)
                if kind is None:
                    continue
                label = f"'{key}' of operation '{op.name}'"
                if kind == "duration":
                    self.duration(value, span, label, key)
                elif kind == "boolean":
                    self.boolean(value, span, label, key)
                elif kind == "role":
                    self.role(value, span, label, key)
                elif isinstance(kind, tuple) and value not in kind:
                    self.schema_error("PE016", f"invalid value '{value}' for {label}", span,
                                      "allowed values: " + ", ".join(kind), key,
                                      "uses the default")
            self.nvpairs(op.meta, OP_OPTIONS, DEPRECATED_OP, "operation option", span)
            if op.get("on-fail") == "demote" and op.name not in ("promote", "monitor"):
                self.report(WARNING, "PE016", f"on-fail=demote is ignored for operation "
                            f"'{op.name}'", span,
                            "demote applies to promote, and to monitors with role=Promoted",
                            "on-fail")
            key = (op.name, interval_ms(op.interval), _role(op.get("role") or "Started")[0])
            if key[1] is not None and key in seen_ops and _enabled(op) and _enabled(seen_ops[key]):
                self.report(WARNING, "PE021", f"operation '{op.name}' with interval "
                            f"'{op.interval}' is defined twice for '{rsc.id}'", span,
                            "Pacemaker uses only one of them: give each its own interval")
            seen_ops.setdefault(key, op)

    def agent_class(self, rsc):
        """The agent's class must be one Pacemaker 3.0 runs; ocf agents need a
        provider, and other classes have none."""
        cls = rsc.cls
        if cls is None:
            if rsc.type:
                self.schema_error("PE023", f"{rsc.tag} '{rsc.id}' has no agent class", rsc.span,
                                  "write class:type, e.g. ocf:heartbeat:IPaddr2 or "
                                  "systemd:httpd", "type", "cannot run it")
            return
        if cls not in AGENT_CLASSES:
            if cls in REMOVED_CLASSES:
                message = f"{rsc.tag} '{rsc.id}' uses class '{cls}': {REMOVED_CLASSES[cls]}"
                hint = "use a systemd unit or an OCF agent instead"
            else:
                message = f"{rsc.tag} '{rsc.id}' has unknown agent class '{cls}'"
                guess = _close(cls.lower(), AGENT_CLASSES) if cls.lower() != cls else None
                hint = (f"did you mean '{guess}'?" if guess else
                        "classes are " + ", ".join(AGENT_CLASSES))
            self.schema_error("PE023", message, rsc.span, hint, "class", "cannot run it")
        elif cls == "ocf" and not rsc.provider:
            self.schema_error("PE023", f"ocf resource '{rsc.id}' has no provider", rsc.span,
                              "write ocf:PROVIDER:TYPE, e.g. ocf:heartbeat:IPaddr2",
                              "class", "cannot find the agent")
        elif cls != "ocf" and rsc.provider:
            self.report(WARNING, "PE021", f"{'fencing device' if cls == 'stonith' else cls + ' resource'}"
                        f" '{rsc.id}' has a provider ('{rsc.provider}')", rsc.span,
                        f"{cls} agents have no provider: Pacemaker ignores it", "provider")

    def meta_references(self, rsc, meta):
        container = m.flat_get(meta, "container")
        if container is not None:
            span = _pair_span(meta, "container") or rsc.span
            if container == rsc.id:
                self.report(ERROR, "PE008", f"resource '{rsc.id}' is its own container", span,
                            "container names the resource that runs this one")
            elif container not in self.resources:
                self.report(ERROR, "PE008", f"container '{container}' of '{rsc.id}' does not "
                            "exist", span, "name an existing resource")
        remote = m.flat_get(meta, "remote-node")
        if remote is not None:
            span = _pair_span(meta, "remote-node") or rsc.span
            if remote in self.resources:
                self.report(ERROR, "PE008", f"remote-node '{remote}' of '{rsc.id}' is also a "
                            "resource id", span, "a guest node's name must differ from every "
                            "resource id")
            elif remote in self.config.nodes_by_id and self.config.nodes_by_id[remote].type not in (
                    "remote", None):
                self.report(WARNING, "PE008", f"remote-node '{remote}' of '{rsc.id}' is also a "
                            "cluster node", span, "a guest node needs its own name")

    # -- constraints ---------------------------------------------------------

    def constraint(self, c):
        label = f"{c.tag} '{c.id}'"
        if isinstance(c, m.Location):
            self.location(c, label)
        elif isinstance(c, m.Colocation):
            self.colocation(c, label)
        elif isinstance(c, m.Order):
            self.order(c, label)
        elif isinstance(c, m.TicketConstraint):
            self.ticket(c, label)
        for rset in c.resource_sets:
            self.resource_set(c, rset, label)

    def rsc_ref(self, name: str | None, span, label: str, attribute: str | None,
                allow_members: bool = True):
        """A resource named by a constraint: it must exist (or be a tag or template)."""
        if name is None:
            return
        if name in self.resources or name in self.tags or name in self.templates:
            if name in self.resources:
                self.child_ref(name, span, label, attribute)
            return
        base = re.sub(r":\d+$", "", name)
        if base != name and base in self.resources:
            return  # an explicit clone instance, "rsc:0"
        guess = _close(name, list(self.resources) + list(self.tags))
        self.report(ERROR, "PE002", f"{label} names resource '{name}', which does not exist",
                    span, f"did you mean '{guess}'?" if guess else
                    "Pacemaker ignores the constraint: define the resource or fix the name",
                    attribute)

    def child_ref(self, name: str, span, label: str, attribute: str | None):
        """A clone's or bundle's child named by a constraint.

        Pacemaker (pcmk__find_constraint_resource) finds a cloned resource by
        its instances' history ids only: an anonymous instance recorded in
        the status under the child's id stands for the whole clone, and
        otherwise the constraint names nothing and is ignored."""
        parent = self.parent.get(name)
        while parent is not None and not isinstance(parent, (m.Clone, m.Bundle)):
            parent = self.parent.get(parent.id)
        if parent is None:
            return
        unique = parse_bool(m.flat_get(parent.meta, "globally-unique") or "false") is True
        if name in self.history_ids and not unique:
            self.report(WARNING, "PE019", f"{label} names '{name}', which is inside "
                        f"{parent.tag} '{parent.id}'", span,
                        f"Pacemaker applies it to '{parent.id}' only while the status records "
                        f"an instance as '{name}': name the {parent.tag} instead", attribute)
        else:
            self.report(ERROR, "PE019", f"{label} names '{name}', which is inside "
                        f"{parent.tag} '{parent.id}': Pacemaker ignores the constraint", span,
                        f"name the {parent.tag} '{parent.id}' instead", attribute)

    @cached_property
    def history_ids(self) -> set[str]:
        """The resource ids the status has operation history for."""
        return {entry.id for state in self.cib.status.node_states
                for entry in state.lrm_resources}

    def role_applies(self, name: str | None, role_text: str | None, span, label: str,
                     attribute: str | None):
        """Promoted and Unpromoted need a promotable clone or bundle: for
        anything else Pacemaker never matches the role (a constraint then
        has no effect, a target-role is ignored)."""
        role = _role(role_text)[0] if role_text else None
        if role not in ("Promoted", "Unpromoted") or name is None or self.all_promotable:
            return
        base = name if name in self.resources else re.sub(r":\d+$", "", name)
        if base not in self.resources or base in self.promotable:
            return  # a tag, a template or a missing resource: said elsewhere
        self.report(WARNING, "PE026", f"{label} uses role {role_text} for '{name}', which is not "
                    "promotable", span, "Pacemaker never matches this role: drop it, or make the "
                    "clone promotable (meta promotable=true)", attribute)

    @cached_property
    def promotable(self) -> set[str]:
        """Promotable clones and bundles, and every resource inside them."""
        found: set[str] = set()

        def inside(rsc):
            found.add(rsc.id)
            for child in m.child_resources(rsc):
                inside(child)
        for rsc in m.walk_resources(self.config.resources):
            if _promotable(rsc):
                inside(rsc)
        return found

    @cached_property
    def all_promotable(self) -> bool:
        """rsc_defaults promotable=true makes every clone promotable: then any
        role may apply."""
        return parse_bool(m.flat_get(self.config.rsc_defaults, "promotable") or "") is True

    def member_with_own_parent(self, a: str | None, b: str | None, span, label: str):
        """A colocation of a resource with the group holding it: the group is
        placed where its first member goes, so the member depends on itself."""
        for member, other in ((a, b), (b, a)):
            parent = self.parent.get(member or "")
            while parent is not None:
                if parent.id == other and isinstance(parent, m.Group):
                    self.report(WARNING, "PE019", f"{label} colocates '{member}' with its own "
                                f"group '{other}'", span, "a group already keeps its members "
                                "together: drop the constraint")
                    return
                parent = self.parent.get(parent.id)

    def same_group(self, a: str | None, b: str | None) -> str | None:
        pa, pb = self.parent.get(a or ""), self.parent.get(b or "")
        if pa is not None and pa is pb and isinstance(pa, m.Group):
            return pa.id
        return None

    def node_ref(self, name: str | None, span, label: str, attribute: str):
        if name is None or self.known_node(name):
            return
        guess = _close(name, self._node_names)
        self.report(WARNING, "PE004", f"{label} names node '{name}', which is not in the "
                    "configuration", span,
                    f"did you mean '{guess}'?" if guess else "the constraint has no effect until "
                    "such a node joins", attribute)

    def location(self, c: m.Location, label: str):
        if c.rsc is not None and c.rsc_pattern is not None:
            self.report(ERROR, "PE021", f"{label} has both rsc and rsc-pattern", c.span,
                        "keep one of them")
        elif c.rsc is None and c.rsc_pattern is None and not c.resource_sets:
            self.report(ERROR, "PE021", f"{label} names no resource", c.span,
                        "give rsc, rsc-pattern or a resource set")
        self.rsc_ref(c.rsc, c.span, label, "rsc")
        if c.rsc_pattern is not None:
            try:
                re.compile(c.rsc_pattern)
            except re.error as error:
                self.report(ERROR, "PE021", f"{label} has an invalid rsc-pattern: {error}",
                            c.span, "rsc-pattern is a regular expression", "rsc-pattern")
        if c.node is not None:
            self.node_ref(c.node, c.span, label, "node")
            if c.score is None:
                self.report(ERROR, "PE021", f"{label} names a node but no score", c.span,
                            "add a score, e.g. INFINITY", "node")
        elif not c.rules and c.score is not None:
            self.report(ERROR, "PE021", f"{label} has a score but neither a node nor a rule",
                        c.span, "add node=... or a rule")
        self.score(c.score, c.span, label, "score")
        self.role(c.role, c.span, label, "role")
        self.role_applies(c.rsc, c.role, c.span, label, "role")
        if c.resource_discovery is not None and c.resource_discovery not in (
                "always", "never", "exclusive"):
            self.schema_error("PE016", f"invalid resource-discovery '{c.resource_discovery}' in "
                              f"{label}", c.span, "allowed values: always, never, exclusive",
                              "resource-discovery", "uses always")
        for rule in c.rules:
            self.rule(rule, location=True)

    def rule(self, rule: m.Rule, location: bool):
        span = rule.span
        if rule.score is not None:
            self.score(rule.score, span, f"rule '{rule.id}'", "score")
            if rule.score_attribute is not None:
                self.report(WARNING, "PE021", f"rule '{rule.id}' has both score and "
                            "score-attribute", span, "keep one of them", "score-attribute")
        if rule.score_attribute is not None and not re.fullmatch(r"[^\s]+", rule.score_attribute):
            self.report(ERROR, "PE010", f"invalid score-attribute '{rule.score_attribute}' in "
                        f"rule '{rule.id}'", span, "name a node attribute", "score-attribute")
        self.role(rule.role, span, f"rule '{rule.id}'", "role")
        if rule.boolean_op is not None and rule.boolean_op not in ("and", "or"):
            self.schema_error("PE016", f"invalid boolean-op '{rule.boolean_op}' in rule "
                              f"'{rule.id}'", span, "use and or or", "boolean-op", "uses and")
        for item in rule.expressions:
            if isinstance(item, m.Rule):
                self.rule(item, location=False)
            elif isinstance(item, m.DateExpression) and item.date_spec is not None \
                    and m.get_pair(item.date_spec.fields, "moon") is not None:
                self.report(WARNING, "PE012", f"date_spec field 'moon' in rule '{rule.id}' is "
                            "deprecated", item.date_spec.span or item.span or span,
                            "the phase of the moon is not a reliable schedule: use dates")

    def colocation(self, c: m.Colocation, label: str):
        if not c.resource_sets and (c.rsc is None or c.with_rsc is None):
            self.report(ERROR, "PE021", f"{label} needs rsc and with-rsc (or resource sets)",
                        c.span, "name both resources")
        self.rsc_ref(c.rsc, c.span, label, "rsc")
        self.rsc_ref(c.with_rsc, c.span, label, "with-rsc")
        self.score(c.score, c.span, label, "score")
        self.role(c.rsc_role, c.span, label, "rsc-role")
        self.role(c.with_rsc_role, c.span, label, "with-rsc-role")
        self.role_applies(c.rsc, c.rsc_role, c.span, label, "rsc-role")
        self.role_applies(c.with_rsc, c.with_rsc_role, c.span, label, "with-rsc-role")
        for attribute, value in (("rsc-instance", c.rsc_instance),
                                 ("with-rsc-instance", c.with_rsc_instance)):
            if value is not None:
                self.report(WARNING, "PE012", f"{attribute} in {label} is deprecated", c.span,
                            "constrain the whole clone, or use a location constraint",
                            attribute)
        if c.influence is not None:
            self.boolean(c.influence, c.span, f"influence of {label}", "influence")
        if c.rsc is not None and c.rsc == c.with_rsc:
            self.report(ERROR, "PE018", f"{label} colocates '{c.rsc}' with itself", c.span,
                        "Pacemaker ignores it: name two different resources", "with-rsc")
        group = self.same_group(c.rsc, c.with_rsc)
        if group:
            self.report(WARNING, "PE019", f"{label} colocates two members of group '{group}'",
                        c.span, "a group already keeps its members together")
        self.member_with_own_parent(c.rsc, c.with_rsc, c.span, label)

    def order(self, c: m.Order, label: str):
        if not c.resource_sets and (c.first is None or c.then is None):
            self.report(ERROR, "PE021", f"{label} needs first and then (or resource sets)",
                        c.span, "name both resources")
        self.rsc_ref(c.first, c.span, label, "first")
        self.rsc_ref(c.then, c.span, label, "then")
        for attribute, value in (("first-action", c.first_action), ("then-action", c.then_action)):
            self.action(value, c.span, label, attribute)
        self.order_kind(c.kind, c.span, label)
        if c.score is not None:
            self.score(c.score, c.span, label, "score")
            if c.kind is None:
                self.report(WARNING, "PE012", f"{label} uses score, which is deprecated for "
                            "orderings", c.span,
                            "use kind=Mandatory (score > 0) or kind=Optional (score 0)", "score")
        if c.symmetrical is not None:
            self.boolean(c.symmetrical, c.span, f"symmetrical of {label}", "symmetrical")
        if c.first is not None and c.first == c.then:
            first_action, then_action = c.first_action or "start", c.then_action or c.first_action or "start"
            if first_action == then_action:
                self.report(ERROR, "PE018", f"{label} orders '{c.first}' {first_action} after "
                            "itself", c.span, "Pacemaker ignores it: name two different resources",
                            "then")
        group = self.same_group(c.first, c.then)
        if group:
            self.report(WARNING, "PE019", f"{label} orders two members of group '{group}'",
                        c.span, "a group already starts its members in order")

    def order_kind(self, kind: str | None, span, label: str):
        if kind is not None and kind not in ORDER_KINDS:
            self.schema_error("PE013", f"invalid kind '{kind}' in {label}", span,
                              "order kinds are Mandatory, Optional and Serialize", "kind",
                              "uses Mandatory")

    def action(self, value: str | None, span, label: str, attribute: str):
        if value is not None and value not in ACTIONS:
            self.schema_error("PE016", f"invalid {attribute} '{value}' in {label}", span,
                              "actions are start, stop, promote and demote", attribute,
                              "uses start")

    def ticket(self, c: m.TicketConstraint, label: str):
        if not c.resource_sets and c.rsc is None:
            self.report(ERROR, "PE021", f"{label} names no resource", c.span,
                        "give rsc or a resource set")
        self.rsc_ref(c.rsc, c.span, label, "rsc")
        self.role(c.rsc_role, c.span, label, "rsc-role")
        self.role_applies(c.rsc, c.rsc_role, c.span, label, "rsc-role")
        if c.loss_policy is not None and c.loss_policy not in ("stop", "demote", "fence", "freeze"):
            self.schema_error("PE016", f"invalid loss-policy '{c.loss_policy}' in {label}",
                              c.span, "allowed values: stop, demote, fence, freeze",
                              "loss-policy", "uses stop")

    def resource_set(self, c, rset: m.ResourceSet, label: str):
        span = rset.span or c.span
        for name in rset.resources:
            self.rsc_ref(name, span, label, None)
        self.role(rset.role, span, f"resource set of {label}", "role")
        for name in rset.resources:
            self.role_applies(name, rset.role, span, f"resource set of {label}", "role")
        if rset.ordering is not None:
            self.report(WARNING, "PE012", f"ordering=\"{rset.ordering}\" in a set of {label} is "
                        "deprecated", span, "remove it: colocation sets are ordered as groups",
                        "ordering")
        self.score(rset.score, span, f"resource set of {label}", "score")
        self.action(rset.action, span, f"resource set of {label}", "action")
        self.order_kind(rset.kind, span, f"resource set of {label}")
        for attribute, value in (("sequential", rset.sequential),
                                 ("require-all", rset.require_all)):
            if value is not None:
                self.boolean(value, span, f"{attribute} of a set in {label}", attribute)
        if rset.ordering is not None and rset.ordering not in ("group", "listed"):
            self.schema_error("PE016", f"invalid ordering '{rset.ordering}' in a set of "
                              f"{label}", span, "use group or listed", "ordering",
                              "uses group")

    # -- everything else ------------------------------------------------------

    def tag_refs(self):
        known = {ident for _, ident, _ in _identified(self.config)}
        for tag in self.config.tags:
            for ref in tag.refs:
                if ref not in known:
                    self.report(ERROR, "PE006", f"tag '{tag.id}' refers to '{ref}', which does "
                                "not exist", tag.span, "remove the reference or define the object")

    def fencing_levels(self):
        for level in self.config.fencing_topology:
            label = f"fencing level '{level.id}'"
            if not re.fullmatch(r"\s*\d+\s*", level.index or "") or not (1 <= int(level.index) <= 9):
                self.report(ERROR, "PE016", f"invalid index '{level.index}' in {label}",
                            level.span, "levels are numbered 1 to 9", "index")
            for device in filter(None, (d.strip() for d in (level.devices or "").split(","))):
                rsc = self.resources.get(device)
                if rsc is None:
                    self.report(ERROR, "PE007", f"{label} uses device '{device}', which does not "
                                "exist", level.span, "name a stonith resource", "devices")
                elif not (isinstance(rsc, m.Primitive) and rsc.cls == "stonith"):
                    self.report(ERROR, "PE007", f"{label} uses '{device}', which is not a "
                                "fencing device", level.span, "name a stonith resource", "devices")
            if level.target is not None:
                self.node_ref(level.target, level.span, label, "target")
            elif level.target_pattern is not None:
                try:
                    re.compile(level.target_pattern)
                except re.error as error:
                    self.report(ERROR, "PE021", f"{label} has an invalid target-pattern: {error}",
                                level.span, "target-pattern is a regular expression",
                                "target-pattern")
            elif level.target_attribute is None:
                self.report(ERROR, "PE021", f"{label} has no target", level.span,
                            "give target, target-pattern or target-attribute")

    def id_refs(self):
        everything = {ident for _, ident, _ in _identified(self.config)}
        for obj in _walk(self.config):
            ref = getattr(obj, "id_ref", None)
            if ref and ref not in everything:
                self.report(ERROR, "PE006", f"id-ref '{ref}' refers to an id that does not exist",
                            getattr(obj, "span", None), "define the referenced element or fix "
                            "the id", "id-ref")
            ops_ref = getattr(obj, "ops_id_ref", None)
            if ops_ref and ops_ref not in everything:
                self.report(ERROR, "PE006", f"operations id-ref '{ops_ref}' of '{obj.id}' refers "
                            "to an id that does not exist", obj.span, "define the referenced "
                            "operations or fix the id")

    @cached_property
    def cib_file(self) -> str:
        """The file the CIB came from, as its elements' spans name it."""
        for obj in _walk(self.config):
            span = getattr(obj, "span", None)
            if span is not None and span.file:
                return span.file
        return "<input>"

    @cached_property
    def cluster_nodes(self) -> set[str]:
        """Full cluster members, from the configuration and the status."""
        names = {n.uname for n in self.config.nodes if n.type in (None, "member", "normal")}
        names |= {s.uname or s.id for s in self.cib.status.node_states if not _is_remote_state(s)}
        return names

    def fencing_state(self) -> tuple[str, Span | None]:
        """("disabled" | "no-device" | "ok", the span of the fencing-enabled option)."""
        enabled_text, span = None, None
        for name in ("fencing-enabled", "stonith-enabled"):
            for attr_set in self.config.crm_config:
                for pair in attr_set.nvpairs:
                    if pair.name == name and enabled_text is None:
                        enabled_text, span = pair.value, pair.span or attr_set.span
        enabled = parse_bool(enabled_text) if enabled_text is not None else True
        if enabled is False:
            return "disabled", span
        has_device = any(isinstance(r, m.Primitive) and r.cls == "stonith"
                         for r in m.walk_resources(self.config.resources))
        watchdog = self.config.property("fencing-watchdog-timeout",
                                        self.config.property("stonith-watchdog-timeout", "0"))
        if not has_device and watchdog.strip() in ("0", "", "0s"):
            return "no-device", span
        return "ok", span

    def fencing_safety(self):
        count = len(self.cluster_nodes)
        if count < 2:
            return  # a one-node test cluster has no peer to fence
        state, span = self.fencing_state()
        if state == "disabled":
            self.report(WARNING, "PE020", f"fencing is disabled in a {count}-node "
                        "cluster", span, "without fencing a lost node may still hold shared data: "
                        "configure a fencing device and set fencing-enabled=true")
        elif state == "no-device":
            self.report(WARNING, "PE020", f"fencing is enabled but no fencing device is "
                        f"configured in a {count}-node cluster", span,
                        "Pacemaker will not start resources: add a stonith resource")

    def quorum_safety(self):
        """no-quorum-policy=ignore keeps a partition without quorum running:
        safe only in a two-node cluster whose nodes can fence each other."""
        count = len(self.cluster_nodes)
        policy = self.config.property("no-quorum-policy")
        if count < 2 or policy is None or policy.strip().lower() != "ignore":
            return
        span = _pair_span(self.config.crm_config, "no-quorum-policy")
        if count >= 3:
            self.report(WARNING, "PE027", f"no-quorum-policy=ignore in a {count}-node cluster: "
                        "a partition without quorum keeps its resources running", span,
                        "use stop (the default) or freeze; ignore is meant for two-node "
                        "clusters")
        elif self.fencing_state()[0] != "ok":
            self.report(WARNING, "PE027", "two-node cluster with no-quorum-policy=ignore and no "
                        "working fencing: after a split both nodes run every resource "
                        "(split brain)", span, "configure fencing; corosync's two_node: 1 "
                        "keeps quorum on the surviving node without no-quorum-policy=ignore")

    def known_node(self, name: str) -> bool:
        """Configured and status nodes, remote and guest nodes, bundle replicas."""
        if self._node_names is None:
            names: set[str] = set()
            for node in self.config.nodes:
                names.update((node.uname, node.id))
            for state in self.cib.status.node_states:
                names.update(filter(None, (state.uname, state.id)))
            for rsc in m.walk_resources(self.config.resources):
                if isinstance(rsc, m.Primitive) and (rsc.provider, rsc.type) == ("pacemaker", "remote"):
                    names.add(rsc.id)
                remote = m.flat_get(getattr(rsc, "meta", ()), "remote-node")
                if remote:
                    names.add(remote)
            self._node_names = names
        if name in self._node_names:
            return True
        # a bundle's replicas are guest nodes named <bundle>-<n>
        base = re.sub(r"-\d+$", "", name)
        return base != name and isinstance(self.resources.get(base), m.Bundle)


# ------------------------------------------------------------ model walking ----

def _walk(value) -> Iterator[object]:
    """Every attrs object in a model, depth first."""
    if isinstance(value, tuple):
        for item in value:
            yield from _walk(item)
    elif hasattr(value, "__attrs_attrs__"):
        yield value
        for attribute in value.__attrs_attrs__:
            if attribute.name != "span":
                yield from _walk(getattr(value, attribute.name))


def _identified(config: m.Configuration) -> Iterator[tuple[object, str, Span | None]]:
    """(object, id, span) for every object that defines an id.

    Node ids live apart: a remote node's id is its connection resource's id.
    """
    for obj in _walk(config):
        if isinstance(obj, m.Node):
            continue
        ident = getattr(obj, "id", None)
        if isinstance(ident, str) and ident:
            yield obj, ident, getattr(obj, "span", None)
        ops_id = getattr(obj, "ops_id", None)
        if ops_id:
            yield ("operations", obj), ops_id, getattr(obj, "span", None)


def _pair_span(sets, name: str) -> Span | None:
    for attr_set in sets:
        for pair in attr_set.nvpairs:
            if pair.name == name:
                return pair.span or attr_set.span
    return None


def _promotable(rsc) -> bool:
    """A promotable clone (or ``<master>``), or a bundle with promoted
    replicas (``promotable`` meta, or ``promoted-max`` on its runtime)."""
    if not isinstance(rsc, (m.Clone, m.Bundle)):
        return False
    meta = rsc.meta
    if getattr(rsc, "legacy_master", False) or parse_bool(m.flat_get(meta, "promotable")
                                                            or "") is True:
        return True
    if isinstance(rsc, m.Bundle):
        for value in (m.flat_get(meta, "promoted-max"),
                      m.get_pair(rsc.runtime_attributes, "promoted-max"),
                      m.get_pair(rsc.runtime_attributes, "masters")):
            if value and _INTEGER.fullmatch(value) and int(value) > 0:
                return True
    return False


def _enabled(op: m.Op) -> bool:
    return parse_bool(op.get("enabled", "true") or "true") is not False


def _is_remote_state(state: m.NodeState) -> bool:
    return state.get("remote_node") in ("true", "1")


def validate(cib: m.Cib, source_text: str | None = None) -> list[Diagnostic]:
    """Check ``cib``; return its diagnostics in source order (errors and warnings).

    ``source_text`` (the file's text) lets XML diagnostics point at the
    offending attribute rather than at the start of its element.
    """
    found = _Validator(cib, source_text).run()
    from pengine.cib.validate_input import input_diagnostics
    found += input_diagnostics(cib)     # issue 19: dates, durations, duplicate nodes
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda d: (d.span.line if d.span else 0,
                                         d.span.column if d.span else 0))
