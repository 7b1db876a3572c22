"""Pacemaker's CIB schema as a table: what ``crm_verify`` rejects before it
even runs the scheduler, with the position of each offending element.

Pacemaker validates a CIB with RELAX NG against the schema its
``validate-with`` names.  This module expresses the rules of those schemas as
a table of elements (allowed attributes and their value types, required
attributes, alternatives, allowed children) for two schema families:

* ``"3"``: pacemaker-3.0 ... pacemaker-3.10 (Pacemaker 2.1 writes up to
  pacemaker-3.9, Pacemaker 3.0 reads them all and upgrades them);
* ``"4"``: pacemaker-4.0 (Pacemaker 3.0's own schema).

The table is written from the schemas' documented rules, not generated from
them; ``schema_diagnostics(root, ...)`` walks the positioned element tree of
:mod:`cib.xml_source` and returns one Diagnostic per violation (code PE1xx).
The status section is free-form in every schema and is not checked.
"""

from __future__ import annotations

import re
from typing import Iterator

from attrs import field, frozen

from pengine.cib.errors import Diagnostic
from pengine.cib.span import Span
from pengine.cib.xml_source import Element

# ------------------------------------------------------------- value kinds ----
# "text" anything; "ID"/"IDREF" an XML name; "int" xsd:integer; "nonneg"
# xsd:nonNegativeInteger; "bool" xsd:boolean; "score" score.rng; a tuple:
# one of these values; a compiled pattern: the whole value matches.

_NCNAME = re.compile(r"[A-Za-z_][\w.\-]*")   # XML NCName, ASCII subset (ids in practice)
_INT = re.compile(r"\s*[+-]?\d+\s*")
_NONNEG = re.compile(r"\s*\+?\d+\s*")
_BOOL = ("true", "false", "1", "0")
_SCORE = re.compile(r"\s*[+-]?\d+\s*|INFINITY|\+INFINITY|-INFINITY")
_LEVEL_INDEX = re.compile(r"\s*\+?0*[1-9]\s*")
_DEVICES = re.compile(r"[a-zA-Z0-9_.\-]+(,[a-zA-Z0-9_.\-]+)*")
_PORT_RANGE = re.compile(r"[0-9\-]+")

ROLES_3 = ("Stopped", "Started", "Promoted", "Unpromoted", "Master", "Slave")
ACTIONS = ("start", "promote", "demote", "stop")
ORDER_KINDS = ("Optional", "Mandatory", "Serialize")
ON_FAIL = ("ignore", "block", "demote", "stop", "restart", "standby", "fence",
           "restart-container")
CLASSES_3 = ("ocf", "lsb", "heartbeat", "stonith", "upstart", "service", "systemd", "nagios")
CLASSES_4 = ("ocf", "lsb", "heartbeat", "stonith", "service", "systemd")
SCHEMA_VERSIONS = tuple(["none", "pacemaker-1.0", "pacemaker-1.2", "pacemaker-1.3"]
                        + [f"pacemaker-2.{i}" for i in range(11)]
                        + [f"pacemaker-3.{i}" for i in range(11)] + ["pacemaker-4.0"])

CODES = {
    "PE100": "element the CIB schema does not allow here",
    "PE101": "attribute the CIB schema does not allow on this element",
    "PE102": "attribute value the CIB schema rejects",
    "PE103": "required attribute or child element missing",
    "PE104": "attributes or children that exclude each other",
    "PE105": "name or value the schema no longer accepts (removed option)",
    "PE109": "id-ref or other IDREF naming an id that does not exist",
}


@frozen
class Spec:
    """One element's rules.

    ``attrs``: name -> kind.  ``required``: each entry is a tuple of
    alternatives, one of which must be present ("a+b" means both).
    ``exclusive``: groups of attributes of which at most one may appear.
    ``children``: child tag -> spec name.  ``min_children``: (tags, count):
    at least count children among tags.  ``max_one``: child tags allowed once.
    """

    attrs: dict = field(factory=dict)
    required: tuple = ()
    exclusive: tuple = ()
    children: dict = field(factory=dict)
    min_children: tuple = ()
    max_one: tuple = ()


def _attrs(text: str, **kinds) -> dict:
    """"a b c" (text-valued) plus keyword kinds (underscores stand for dashes)."""
    table = {name: "text" for name in text.split()}
    table.update({k.replace("_", "-"): v for k, v in kinds.items()})
    return table


_NVSET = Spec(_attrs("", id="ID", id_ref="IDREF", score="score"),
              required=(("id", "id-ref"),), exclusive=(("id", "id-ref"),),
              children={"nvpair": "nvpair", "rule": "rule"}, max_one=("rule",))
_RULE_CHILDREN = {"expression": "expression", "date_expression": "date_expression",
                  "rsc_expression": "rsc_expression", "op_expression": "op_expression",
                  "rule": "rule"}
_DATE_FIELDS = "years months monthdays hours minutes seconds yeardays weekyears weeks weekdays"
_PRIMITIVE_CHILDREN = {"instance_attributes": "nvset", "meta_attributes": "rsc_meta",
                       "utilization": "nvset", "operations": "operations"}
_EXTRA = {"instance_attributes": "nvset", "meta_attributes": "rsc_meta"}
_CONTAINER = Spec(_attrs("image run-command network options", replicas="int",
                         replicas_per_host="int", promoted_max="int", masters="int"),
                  required=(("image",),), exclusive=(("promoted-max", "masters"),))

#: Schema family "4" (pacemaker-4.0).  Family "3" is derived below.
SPECS_4: dict[str, Spec] = {
    "cib": Spec(_attrs("crm_feature_set dc-uuid cib-last-written update-origin update-client "
                       "update-user execution-date", validate_with=SCHEMA_VERSIONS,
                       epoch="nonneg", remote_tls_port="nonneg", remote_clear_port="nonneg",
                       have_quorum="bool", no_quorum_panic="bool")
                | {"admin_epoch": "nonneg", "num_updates": "nonneg"},
                required=(("validate-with",), ("admin_epoch",), ("epoch",), ("num_updates",)),
                children={"configuration": "configuration", "status": "status"},
                min_children=((("configuration",), 1),), max_one=("configuration", "status")),
    "configuration": Spec(children={"crm_config": "crm_config", "nodes": "nodes",
                                    "resources": "resources", "constraints": "constraints",
                                    "rsc_defaults": "defaults", "op_defaults": "op_defaults",
                                    "fencing-topology": "fencing-topology", "acls": "acls",
                                    "tags": "tags", "alerts": "alerts"},
                          min_children=((("crm_config",), 1), (("nodes",), 1),
                                        (("resources",), 1), (("constraints",), 1)),
                          max_one=("crm_config", "nodes", "resources", "constraints",
                                   "rsc_defaults", "op_defaults", "fencing-topology", "acls",
                                   "tags", "alerts")),
    "crm_config": Spec(children={"cluster_property_set": "cluster_property_set"}),
    "cluster_property_set": _NVSET,
    "defaults": Spec(children={"meta_attributes": "rsc_meta"}),
    "op_defaults": Spec(children={"meta_attributes": "op_meta"}),
    "nvset": _NVSET,
    "rsc_meta": _NVSET,
    "op_meta": _NVSET,
    "nvpair": Spec(_attrs("name value", id="ID", id_ref="IDREF"),
                   required=(("id", "id-ref"), ("name", "id-ref"), ("value", "id-ref")),
                   exclusive=(("id", "id-ref"),)),
    "rule": Spec(_attrs("role score-attribute", id="ID", id_ref="IDREF",
                        boolean_op=("or", "and"), score="score"),
                 required=(("id", "id-ref"),),
                 exclusive=(("id", "id-ref"), ("score", "score-attribute")),
                 children=_RULE_CHILDREN),
    "expression": Spec(_attrs("attribute value", id="ID",
                              operation=("defined", "not_defined", "lt", "gt", "lte", "gte",
                                         "eq", "ne"),
                              type=("string", "integer", "number", "version"),
                              value_source=("literal", "param", "meta")),
                       required=(("id",), ("attribute",), ("operation",))),
    "date_expression": Spec(_attrs("start end", id="ID",
                                   operation=("in_range", "gt", "lt", "date_spec")),
                            required=(("id",), ("operation",)),
                            children={"date_spec": "date_spec", "duration": "duration"},
                            max_one=("date_spec", "duration")),
    "date_spec": Spec(_attrs(_DATE_FIELDS + " yearsdays", id="ID"), required=(("id",),)),
    "duration": Spec(_attrs("years months weeks days hours minutes seconds monthdays weekdays "
                            "yearsdays weekyears moon", id="ID"), required=(("id",),)),
    "rsc_expression": Spec(_attrs("class provider type", id="ID"), required=(("id",),)),
    "op_expression": Spec(_attrs("name interval", id="ID"), required=(("id",), ("name",))),
    "nodes": Spec(children={"node": "node"}),
    "node": Spec(_attrs("id uname description", type=("member", "remote"), score="score"),
                 required=(("id",), ("uname",)),
                 children={"instance_attributes": "nvset", "utilization": "nvset"}),
    "resources": Spec(children={"primitive": "primitive", "template": "template",
                                "group": "group", "clone": "clone", "bundle": "bundle"}),
    "primitive": Spec(_attrs("type provider description", id="ID", template="IDREF",
                             **{"class": CLASSES_4}),
                      required=(("id",), ("class+type", "template")),
                      exclusive=(("class", "template"), ("type", "template")),
                      children=_PRIMITIVE_CHILDREN, max_one=("operations",)),
    "template": Spec(_attrs("type provider description", id="ID", **{"class": CLASSES_4}),
                     required=(("id",), ("class",), ("type",)),
                     children=_PRIMITIVE_CHILDREN, max_one=("operations",)),
    "group": Spec(_attrs("description", id="ID"), required=(("id",),),
                  children={**_EXTRA, "primitive": "primitive"},
                  min_children=((("primitive",), 1),)),
    "clone": Spec(_attrs("description", id="ID"), required=(("id",),),
                  children={**_EXTRA, "primitive": "primitive", "group": "group"},
                  min_children=((("primitive", "group"), 1),),
                  max_one=(("primitive", "group"),)),
    "bundle": Spec(_attrs("description", id="ID"), required=(("id",),),
                   children={**_EXTRA, "docker": "container", "podman": "container",
                             "network": "bundle-network", "storage": "storage",
                             "primitive": "primitive"},
                   min_children=((("docker", "podman"), 1),),
                   max_one=(("docker", "podman"), "network", "storage", "primitive")),
    "container": _CONTAINER,
    "bundle-network": Spec(_attrs("ip-range-start host-interface", control_port="int",
                                  host_netmask="int", add_host="bool"),
                           children={"port-mapping": "port-mapping"}),
    "port-mapping": Spec(_attrs("", id="ID", port="int", internal_port="int",
                                range=_PORT_RANGE),
                         required=(("id",), ("port", "range")),
                         exclusive=(("port", "range"), ("internal-port", "range"))),
    "storage": Spec(children={"storage-mapping": "storage-mapping"}),
    "storage-mapping": Spec(_attrs("source-dir source-dir-root target-dir options", id="ID"),
                            required=(("id",), ("source-dir", "source-dir-root"),
                                      ("target-dir",)),
                            exclusive=(("source-dir", "source-dir-root"),)),
    "operations": Spec(_attrs("", id="ID", id_ref="IDREF"), children={"op": "op"}),
    "op": Spec(_attrs("name interval description start-delay interval-origin timeout",
                      id="ID", enabled="bool", record_pending="bool", role=ROLES_3,
                      on_fail=ON_FAIL),
               required=(("id",), ("name",), ("interval",)),
               exclusive=(("start-delay", "interval-origin"),),
               children={"instance_attributes": "nvset", "meta_attributes": "op_meta"}),
    "constraints": Spec(children={"rsc_location": "rsc_location",
                                  "rsc_colocation": "rsc_colocation",
                                  "rsc_order": "rsc_order", "rsc_ticket": "rsc_ticket"}),
    "rsc_location": Spec(_attrs("rsc-pattern node", id="ID", rsc="IDREF", role=ROLES_3,
                                score="score",
                                resource_discovery=("always", "never", "exclusive")),
                         required=(("id",), ("rsc", "rsc-pattern", "<resource_set>"),
                                   ("score+node", "<rule>")),
                         exclusive=(("rsc", "rsc-pattern", "<resource_set>"),
                                    ("role", "<resource_set>"), ("node", "<rule>"),
                                    ("score", "<rule>")),
                         children={"resource_set": "resource_set", "rule": "rule"},
                         max_one=("rule",)),
    "rsc_colocation": Spec(_attrs("influence node-attribute", id="ID", score="score",
                                  rsc="IDREF", with_rsc="IDREF", rsc_role=ROLES_3,
                                  with_rsc_role=ROLES_3),
                           required=(("id",), ("rsc+with-rsc", "<resource_set>")),
                           exclusive=(("rsc", "<resource_set>"), ("with-rsc", "<resource_set>"),
                                      ("node-attribute", "<resource_set>"),
                                      ("rsc-role", "<resource_set>"),
                                      ("with-rsc-role", "<resource_set>")),
                           children={"resource_set": "resource_set"}),
    "rsc_order": Spec(_attrs("", id="ID", symmetrical="bool", require_all="bool",
                             score="score", kind=ORDER_KINDS, first="IDREF", then="IDREF",
                             first_action=ACTIONS, then_action=ACTIONS),
                      required=(("id",), ("first+then", "<resource_set>")),
                      exclusive=(("score", "kind"), ("first", "<resource_set>"),
                                 ("then", "<resource_set>"), ("first-action", "<resource_set>"),
                                 ("then-action", "<resource_set>")),
                      children={"resource_set": "resource_set"}),
    "rsc_ticket": Spec(_attrs("ticket", id="ID", rsc="IDREF", rsc_role=ROLES_3,
                              loss_policy=("stop", "demote", "fence", "freeze")),
                       required=(("id",), ("ticket",), ("rsc", "<resource_set>")),
                       exclusive=(("rsc", "<resource_set>"), ("rsc-role", "<resource_set>")),
                       children={"resource_set": "resource_set"}),
    "resource_set": Spec(_attrs("", id="ID", id_ref="IDREF", sequential="bool",
                                require_all="bool", ordering=("group", "listed"),
                                action=ACTIONS, role=ROLES_3, score="score", kind=ORDER_KINDS),
                         required=(("id", "id-ref"),),
                         exclusive=(("id", "id-ref"), ("score", "kind")),
                         children={"resource_ref": "resource_ref"}),
    "resource_ref": Spec(_attrs("", id="IDREF"), required=(("id",),)),
    "fencing-topology": Spec(children={"fencing-level": "fencing-level"}),
    "fencing-level": Spec(_attrs("target target-pattern target-attribute target-value",
                                 id="ID", index=_LEVEL_INDEX, devices=_DEVICES),
                          required=(("id",), ("target", "target-pattern",
                                              "target-attribute+target-value"),
                                    ("index",), ("devices",)),
                          exclusive=(("target", "target-pattern", "target-attribute"),)),
    "acls": Spec(children={"acl_target": "acl_target", "acl_group": "acl_group",
                           "acl_role": "acl_role"}),
    "acl_target": Spec(_attrs("id name"), required=(("id",),), children={"role": "acl_ref"}),
    "acl_group": Spec(_attrs("name", id="ID"), required=(("id",),),
                      children={"role": "acl_ref"}),
    "acl_ref": Spec(_attrs("", id="IDREF"), required=(("id",),)),
    "acl_role": Spec(_attrs("description", id="ID"), required=(("id",),),
                     children={"acl_permission": "acl_permission"}),
    "acl_permission": Spec(_attrs("xpath object-type attribute description", id="ID",
                                  kind=("read", "write", "deny"), reference="IDREF"),
                           required=(("id",), ("kind",), ("xpath", "reference", "object-type")),
                           exclusive=(("xpath", "reference", "object-type"),
                                      ("xpath", "attribute"), ("reference", "attribute"))),
    "tags": Spec(children={"tag": "tag"}),
    "tag": Spec(_attrs("", id="ID"), required=(("id",),), children={"obj_ref": "obj_ref"},
                min_children=((("obj_ref",), 1),)),
    "obj_ref": Spec(_attrs("id"), required=(("id",),)),
    "alerts": Spec(children={"alert": "alert"}),
    "alert": Spec(_attrs("description path", id="ID"), required=(("id",), ("path",)),
                  children={"meta_attributes": "nvset", "instance_attributes": "nvset",
                            "select": "select", "recipient": "recipient"},
                  max_one=("select",)),
    "recipient": Spec(_attrs("description value", id="ID"), required=(("id",), ("value",)),
                      children={"meta_attributes": "nvset", "instance_attributes": "nvset"}),
    "select": Spec(children={"select_attributes": "select_attributes",
                             "select_fencing": "empty", "select_nodes": "empty",
                             "select_resources": "empty"},
                   max_one=("select_attributes", "select_fencing", "select_nodes",
                            "select_resources")),
    "select_attributes": Spec(children={"attribute": "select_attribute"}),
    "select_attribute": Spec(_attrs("name", id="ID"), required=(("id",), ("name",))),
    "empty": Spec(),
}


def _family_3() -> dict[str, Spec]:
    """pacemaker-3.x: what 4.0 dropped is still allowed."""
    from attrs import evolve

    specs = dict(SPECS_4)
    for name in ("primitive", "template"):
        attrs = dict(specs[name].attrs)
        attrs["class"] = CLASSES_3
        specs[name] = evolve(specs[name], attrs=attrs)
    specs["resources"] = evolve(specs["resources"],
                                children={**specs["resources"].children, "master": "clone"})
    bundle = specs["bundle"]
    specs["bundle"] = evolve(bundle, children={**bundle.children, "rkt": "container"},
                             min_children=((("docker", "podman", "rkt"), 1),),
                             max_one=(("docker", "podman", "rkt"), "network", "storage",
                                      "primitive"))
    # nvpair values were optional; rsc_location could hold several rules;
    # constraints had lifetime; date_spec had moon
    specs["nvpair"] = evolve(specs["nvpair"], required=(("id", "id-ref"), ("name", "id-ref")))
    specs["rsc_location"] = evolve(specs["rsc_location"], max_one=(),
                                   children={**specs["rsc_location"].children,
                                             "lifetime": "lifetime"})
    for name in ("rsc_colocation", "rsc_order"):
        specs[name] = evolve(specs[name], children={**specs[name].children,
                                                    "lifetime": "lifetime"})
    specs["lifetime"] = Spec(children={"rule": "rule"}, min_children=((("rule",), 1),))
    specs["date_spec"] = evolve(specs["date_spec"],
                                attrs={**specs["date_spec"].attrs, "moon": "text"})
    specs["node"] = evolve(specs["node"], attrs={**specs["node"].attrs,
                                                 "type": ("member", "ping", "remote")})
    specs["fencing-level"] = evolve(specs["fencing-level"],
                                    attrs={**specs["fencing-level"].attrs,
                                           "index": re.compile(r"\s*\+?0*[1-9]\d*\s*")})
    return specs


SPECS_3 = _family_3()

#: Option names each family refuses outright in a cluster_property_set
#: (the schema lists them so that nobody believes they still work).
REMOVED_PROPERTIES_4 = {
    "crmd-finalization-timeout": "join-finalization-timeout",
    "crmd-integration-timeout": "join-integration-timeout",
    "crmd-transition-delay": "transition-delay",
    "remove-after-stop": "nothing (it was unsafe)",
}
REMOVED_PROPERTIES_3 = {name: name.replace("_", "-") for name in (
    "cluster_recheck_interval", "dc_deadtime", "default_action_timeout",
    "default_migration_threshold", "default_resource_failure_stickiness",
    "default_resource_stickiness", "election_timeout", "is_managed_default",
    "no_quorum_policy", "remove_after_stop", "shutdown_escalation", "startup_fencing",
    "stonith_action", "stonith_enabled", "stop_orphan_actions", "stop_orphan_resources",
    "symmetric_cluster", "transition_idle_timeout")}
REMOVED_PROPERTIES_3.update({
    "default-action-timeout": "timeout in op_defaults",
    "default-migration-threshold": "migration-threshold in rsc_defaults",
    "default-resource-failure-stickiness": "migration-threshold in rsc_defaults",
    "default-resource-stickiness": "resource-stickiness in rsc_defaults",
    "is-managed-default": "is-managed in rsc_defaults",
    "expected-quorum-votes": "corosync's quorum settings",
    "notification-agent": "an alert", "notification-recipient": "an alert recipient",
})
REMOVED_INFRASTRUCTURE = ("heartbeat", "openais", "classic openais",
                          "classic openais (with plugin)", "cman")
REMOVED_RSC_META_4 = ("restart-type",)
REMOVED_RSC_META_3 = ("isolation", "isolation-host", "isolation-instance", "isolation-wrapper")
REMOVED_OP_META_4 = ("can_fail", "role_after_failure")


# ------------------------------------------------------------- versions ----

def schema_version(validate_with: str | None) -> tuple[int, int] | None:
    """(major, minor) of "pacemaker-M.N"; None for none, next or unknown names."""
    found = re.fullmatch(r"pacemaker-(\d+)\.(\d+)", (validate_with or "").strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def family_of(validate_with: str | None) -> str:
    version = schema_version(validate_with)
    return "4" if version and version >= (4, 0) else "3"


# -------------------------------------------------------------- the check ----

class _Checker:
    def __init__(self, filename: str, source: str | None, family: str, label: str,
                 version: tuple[int, int] | None = None):
        self.version = version
        self.filename = filename
        self.family = family
        self.label = label
        self.specs = SPECS_4 if family == "4" else SPECS_3
        self.out: list[Diagnostic] = []
        self.lines = source.splitlines() if source else []

    def span(self, el: Element, attribute: str | None = None) -> Span:
        span = el.span(self.filename)
        if attribute and 0 < el.line <= len(self.lines):
            # the attribute on the element's first line, or on a following line
            for offset in range(0, 8):
                number = el.line + offset
                if number > len(self.lines):
                    break
                text = self.lines[number - 1]
                start = el.column if offset == 0 else 0
                found = re.compile(r"(?<![\w\-])" + re.escape(attribute) + r"\s*=").search(
                    text, start)
                if found:
                    return Span(self.filename, number, found.start() + 1, element=el.tag,
                                element_id=el.get("id"))
                if ">" in text[start:]:
                    break
        return span

    def error(self, code: str, message: str, el: Element, hint: str = "",
              attribute: str | None = None):
        self.out.append(Diagnostic("error", message, self.span(el, attribute), code, hint))

    def walk(self, el: Element, spec_name: str, parent: Element | None):
        spec = self.specs[spec_name]
        self.attributes(el, spec)
        self.content(el, spec)
        self.special(el, spec_name, parent)
        for child in el.children:
            child_spec = spec.children.get(child.tag)
            if child_spec is None:
                allowed = ", ".join(f"<{t}>" for t in spec.children) or "no child elements"
                self.error("PE100", f"<{child.tag}> is not allowed in <{el.tag}> by the "
                           f"{self.label} schema", child, f"allowed here: {allowed}")
                continue
            if child_spec == "status":
                continue  # free-form in every schema
            self.walk(child, child_spec, el)

    def attributes(self, el: Element, spec: Spec):
        for name, value in el.attrib.items():
            kind = spec.attrs.get(name)
            if kind is None:
                if name.startswith("xmlns") or ":" in name:
                    continue  # namespaced attributes are foreign to the schema's names
                known = ", ".join(spec.attrs) or "none"
                self.error("PE101", f"attribute '{name}' is not allowed on <{el.tag}> by the "
                           f"{self.label} schema", el, f"allowed attributes: {known}", name)
                continue
            problem = _value_problem(kind, value)
            if problem:
                self.error("PE102", f"invalid value '{value}' for '{name}' of <{el.tag}>: "
                           f"{problem}", el, "", name)
        present = set(el.attrib) | {f"<{c.tag}>" for c in el.children}
        for alternatives in spec.required:
            if not any(all(part in present for part in alt.split("+")) for alt in alternatives):
                wanted = " or ".join(_describe(alt) for alt in alternatives)
                self.error("PE103", f"<{el.tag}> needs {wanted}", el)
        for group in spec.exclusive:
            found = [name for name in group if name in present]
            if len(found) > 1:
                self.error("PE104", f"<{el.tag}> cannot have both "
                           f"{_describe(found[0])} and {_describe(found[1])}", el,
                           attribute=found[1] if not found[1].startswith("<") else None)

    def content(self, el: Element, spec: Spec):
        for tags, count in spec.min_children:
            if sum(c.tag in tags for c in el.children) < count:
                wanted = " or ".join(f"<{t}>" for t in tags)
                self.error("PE103", f"<{el.tag}> needs {wanted}", el)
        for entry in spec.max_one:
            tags = entry if isinstance(entry, tuple) else (entry,)
            found = [c for c in el.children if c.tag in tags]
            if len(found) > 1:
                what = " or ".join(f"<{t}>" for t in tags)
                self.error("PE100", f"<{el.tag}> may hold only one {what}", found[1])

    def special(self, el: Element, spec_name: str, parent: Element | None):
        """Rules that depend on values or context."""
        tag = el.tag
        if tag in ("primitive", "template"):
            cls = el.get("class")
            if cls == "ocf" and el.get("provider") is None:
                self.error("PE103", f"<{tag}> of class ocf needs 'provider'", el,
                           "e.g. provider=\"heartbeat\" or \"pacemaker\"", "class")
            elif cls is not None and cls != "ocf" and el.get("provider") is not None:
                self.error("PE101", f"'provider' is allowed only with class ocf, not '{cls}'",
                           el, "remove provider", "provider")
        elif tag == "rule" and el.get("id-ref") is None:
            if not any(c.tag in _RULE_CHILDREN for c in el.children):
                self.error("PE103", "<rule> needs at least one expression", el,
                           "add an <expression>, <date_expression> or nested <rule>")
            if self.version is not None and self.version < (3, 9) \
                    and el.get("score") is None and el.get("score-attribute") is None:
                # up to pacemaker-3.8 every rule carries a score, wherever it is
                self.error("PE103", f"<rule> needs 'score' or 'score-attribute' in the "
                           f"{self.label} schema", el, "add score=\"0\" (or use "
                           "pacemaker-3.9 or later, where only location rules need one)")
        elif tag == "rule":
            for name in el.attrib:
                if name != "id-ref":
                    self.error("PE104", f"a <rule> with id-ref cannot have '{name}'", el,
                               attribute=name)
        elif tag == "date_expression":
            self.date_expression(el)
        elif spec_name in ("nvset", "rsc_meta", "op_meta", "cluster_property_set"):
            if el.get("id-ref") is not None and (el.children or len(el.attrib) > 1):
                self.error("PE104", f"<{tag}> with id-ref cannot have other content", el)
            for pair in el.findall("nvpair"):
                self.removed_name(pair, spec_name, parent)

    def date_expression(self, el: Element):
        operation = el.get("operation")
        present = {n for n in ("start", "end") if el.get(n) is not None}
        kids = {c.tag for c in el.children}
        need = {"in_range": None, "gt": {"start"}, "lt": {"end"}, "date_spec": set()}
        if operation == "in_range":
            if not present:
                self.error("PE103", "date_expression in_range needs 'start' or 'end'", el)
            if "date_spec" in kids:
                self.error("PE100", "in_range takes <duration>, not <date_spec>", el)
        elif operation in ("gt", "lt"):
            if present != need[operation]:
                self.error("PE103" if not present else "PE104",
                           f"date_expression {operation} takes exactly "
                           f"'{next(iter(need[operation]))}'", el)
            if kids:
                self.error("PE100", f"date_expression {operation} takes no child elements", el)
        elif operation == "date_spec":
            if present:
                self.error("PE104", "date_expression date_spec takes no 'start'/'end'", el)
            if kids != {"date_spec"}:
                self.error("PE103", "date_expression date_spec needs one <date_spec>", el)

    def removed_name(self, pair: Element, spec_name: str, parent: Element | None):
        name, value = pair.get("name"), pair.get("value")
        if name is None:
            return
        replacement = None
        if spec_name == "cluster_property_set":
            table = REMOVED_PROPERTIES_4 if self.family == "4" else REMOVED_PROPERTIES_3
            replacement = table.get(name)
            if self.family == "4" and name == "stonith-action" and value == "poweroff":
                replacement = "stonith-action=off"
            if self.family == "3" and name == "cluster-infrastructure" \
                    and (value is None or value in REMOVED_INFRASTRUCTURE):
                replacement = "corosync (the only cluster layer)"
        elif spec_name == "rsc_meta":
            removed = REMOVED_RSC_META_4 if self.family == "4" else REMOVED_RSC_META_3
            if name in removed:
                replacement = "nothing (no longer supported)"
        elif spec_name == "op_meta" and self.family == "4" and name in REMOVED_OP_META_4:
            replacement = "nothing (no longer supported)"
        if replacement:
            self.error("PE105", f"the {self.label} schema no longer accepts '{name}'"
                       + (f"='{value}'" if value and "=" in replacement else ""), pair,
                       f"use {replacement}", "name")


def _describe(alt: str) -> str:
    if alt.startswith("<"):
        return alt
    return "+".join(f"'{part}'" if not part.startswith("<") else part
                    for part in alt.split("+"))


def _value_problem(kind, value: str) -> str | None:
    if kind == "text":
        return None
    if kind in ("ID", "IDREF"):
        return None if _NCNAME.fullmatch(value.strip()) else \
            "an id is a name starting with a letter or '_' (letters, digits, '.', '-', '_')"
    if kind == "int":
        return None if _INT.fullmatch(value) else "expected an integer"
    if kind == "nonneg":
        return None if _NONNEG.fullmatch(value) else "expected a non-negative integer"
    if kind == "bool":
        return None if value.strip() in _BOOL else "expected true or false"
    if kind == "score":
        return None if _SCORE.fullmatch(value) else \
            "a score is an integer, INFINITY, +INFINITY or -INFINITY"
    if isinstance(kind, tuple):
        return None if value in kind else "allowed: " + ", ".join(kind)
    if isinstance(kind, re.Pattern):
        return None if kind.fullmatch(value) else "not in the form the schema requires"
    return None


def _ids(root: Element) -> Iterator[tuple[Element, str]]:
    stack = [root]
    while stack:
        el = stack.pop()
        if el.tag == "status":
            continue
        yield el, el.tag
        stack.extend(reversed(el.children))


def schema_diagnostics(root: Element, filename: str, source: str | None,
                       validate_with: str | None = None) -> list[Diagnostic]:
    """Every violation of the CIB schema that ``validate_with`` names (default:
    the one the file declares).  A CIB with validate-with="none" (or a bare
    <configuration>) is not checked; the caller warns about that."""
    declared = root.get("validate-with") if root.tag == "cib" else None
    chosen = validate_with or declared
    if root.tag != "cib" or (chosen or "").strip().lower() == "none":
        return []
    family = family_of(chosen)
    label = chosen if chosen in SCHEMA_VERSIONS else ("pacemaker-4.0" if family == "4"
                                                      else "pacemaker-3.x")
    checker = _Checker(filename, source, family, label, schema_version(chosen))
    if chosen not in SCHEMA_VERSIONS:
        checker.error("PE102", f"unknown schema '{chosen}' in validate-with", root,
                      "use pacemaker-3.10 (Pacemaker 3.0) or pacemaker-3.9 (Pacemaker 2.1)",
                      "validate-with")
    checker.walk(root, "cib", None)
    checker.out.extend(_id_checks(root, checker))
    return checker.out


def _id_checks(root: Element, checker: _Checker) -> list[Diagnostic]:
    """ID uniqueness and IDREF targets, as RELAX NG's ID datatypes demand."""
    out: list[Diagnostic] = []
    seen: dict[str, Element] = {}
    refs: list[tuple[Element, str, str]] = []
    for el, _ in _ids(root):
        spec_name = _spec_name(el)
        spec = checker.specs.get(spec_name) if spec_name else None
        if spec is None:
            continue
        for name, value in el.attrib.items():
            kind = spec.attrs.get(name)
            if kind == "ID":
                seen.setdefault(value, el)   # duplicates: cib.validate's PE001
            elif kind == "IDREF" and (name == "id-ref" or el.tag in ("role", "acl_permission")):
                refs.append((el, name, value))   # other IDREFs: cib.validate's PE002/PE005
    for el, name, value in refs:
        if value not in seen:
            out.append(Diagnostic("error", f"'{name}' of <{el.tag}> refers to '{value}', which "
                                  "is not the id of any element", checker.span(el, name),
                                  "PE109", "the schema requires an existing id here"))
    return out


_PLAIN = {"primitive", "template", "group", "clone", "master", "bundle", "op", "rule",
          "expression", "date_expression", "date_spec", "duration", "rsc_expression",
          "op_expression", "rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket",
          "resource_set", "resource_ref", "fencing-level", "acl_group", "acl_role",
          "acl_permission", "tag", "alert", "recipient", "nvpair", "operations",
          "port-mapping", "storage-mapping", "cluster_property_set"}
_NVSETS = {"instance_attributes", "meta_attributes", "utilization"}


def _spec_name(el: Element) -> str | None:
    if el.tag in _PLAIN:
        return "clone" if el.tag == "master" else el.tag
    if el.tag in _NVSETS:
        return "nvset"
    if el.tag == "attribute":
        return "select_attribute"
    if el.tag == "role":
        return "acl_ref"
    return None
