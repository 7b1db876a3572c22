"""CIB XML ⇄ model.

``read_cib`` turns CIB XML (configuration and status) into a :class:`Cib`;
``write_cib`` turns a model back into XML that Pacemaker accepts, generating
missing ids the way Pacemaker's tools do (``<owner>-meta_attributes``,
``<set>-<name>``, ``<rsc>-<op>-<interval>``).
"""

from __future__ import annotations

from typing import Callable

from pengine.cib import model as m
from pengine.cib.errors import XmlInputError
from pengine.cib.xml_source import Element, parse_xml


def read_cib(data: str | bytes, filename: str = "<input>") -> m.Cib:
    """Read a CIB (``<cib>`` with configuration and status) from XML text."""
    root = parse_xml(data, filename)
    return cib_from_element(root, filename)


def cib_from_element(root: Element, filename: str = "<input>") -> m.Cib:
    reader = XmlReader(filename)
    if root.tag == "configuration":
        return m.Cib(configuration=reader.configuration(root))
    if root.tag != "cib":
        raise XmlInputError(f"expected a <cib> element, found <{root.tag}>", root.span(filename),
                            hint="a CIB file starts with <cib ...>")
    configuration = root.find("configuration")
    if configuration is None:
        raise XmlInputError("<cib> has no <configuration>", root.span(filename))
    _check_execution_date(root, filename)
    status = root.find("status")
    from pengine.cib.saved_xml import layout_of
    config_model = reader.configuration(configuration)
    return m.Cib(
        configuration=config_model,
        status=reader.status(status) if status is not None else m.Status(),
        attributes=tuple(root.attrib.items()),
        layout=layout_of(root, config_model),
    )


# The epoch seconds a date can hold (years 1 to 9999, a day's margin for the
# local offset): Pacemaker's own arithmetic overflows past them too.
_EPOCH_RANGE = (-62135596800 + 86400, 253402300799 - 86400)


def _check_execution_date(root: Element, filename: str) -> None:
    value = root.get("execution-date")
    if value is None:
        return
    try:
        seconds = int(value.strip())
    except ValueError:
        return      # not a number: ignored, as crm_simulate does
    if not _EPOCH_RANGE[0] <= seconds <= _EPOCH_RANGE[1]:
        raise XmlInputError(f"execution-date {value} is out of range (seconds since 1970 "
                            "for a date between the years 1 and 9999)", root.span(filename),
                            hint="remove execution-date, or use -t to set the date")


class XmlReader:
    """Element → model conversions; the crm reader reuses them for `xml <...>` blocks."""

    def __init__(self, filename: str):
        self.filename = filename

    def span(self, el: Element):
        return el.span(self.filename)

    def need(self, el: Element, name: str) -> str:
        value = el.get(name)
        if value is None:
            raise XmlInputError(f"<{el.tag}> lacks the required attribute '{name}'", self.span(el))
        return value

    # -- rules and sets ------------------------------------------------------

    def rule(self, el: Element) -> m.Rule:
        items = []
        for child in el.children:
            if child.tag == "expression":
                items.append(m.Expression(
                    attribute=self.need(child, "attribute"), operation=self.need(child, "operation"),
                    value=child.get("value"), type=child.get("type"),
                    value_source=child.get("value-source"), id=child.get("id"),
                    span=self.span(child)))
            elif child.tag == "date_expression":
                spec = child.find("date_spec")
                duration = child.find("duration")
                items.append(m.DateExpression(
                    operation=child.get("operation", "in_range"), start=child.get("start"),
                    end=child.get("end"),
                    date_spec=self.date_spec(spec) if spec is not None else None,
                    duration=self.date_spec(duration) if duration is not None else None,
                    id=child.get("id"), span=self.span(child)))
            elif child.tag == "rsc_expression":
                items.append(m.RscExpression(cls=child.get("class"), provider=child.get("provider"),
                                             type=child.get("type"), id=child.get("id"),
                                             span=self.span(child)))
            elif child.tag == "op_expression":
                items.append(m.OpExpression(name=self.need(child, "name"),
                                            interval=child.get("interval"), id=child.get("id"),
                                            span=self.span(child)))
            elif child.tag == "rule":
                items.append(self.rule(child))
        return m.Rule(expressions=items, boolean_op=el.get("boolean-op"), score=el.get("score"),
                      score_attribute=el.get("score-attribute"), role=el.get("role"),
                      id=el.get("id"), id_ref=el.get("id-ref"), span=self.span(el))

    def date_spec(self, el: Element) -> m.DateSpec:
        fields = {k: v for k, v in el.attrib.items() if k != "id"}
        return m.DateSpec(fields=fields, id=el.get("id"), span=self.span(el))

    def attr_set(self, el: Element) -> m.AttrSet:
        pairs = []
        rule = None
        for child in el.children:
            if child.tag == "nvpair":
                pairs.append(m.NvPair(name=child.get("name", ""), value=child.get("value"),
                                      id=child.get("id"), id_ref=child.get("id-ref"),
                                      span=self.span(child)))
            elif child.tag == "rule":
                rule = self.rule(child)
        return m.AttrSet(nvpairs=pairs, id=el.get("id"), id_ref=el.get("id-ref"),
                         score=el.get("score"), rule=rule, span=self.span(el))

    def sets(self, el: Element, tag: str) -> tuple[m.AttrSet, ...]:
        return tuple(self.attr_set(child) for child in el.children if child.tag == tag)

    # -- resources -----------------------------------------------------------

    def op(self, el: Element) -> m.Op:
        attributes = {k: v for k, v in el.attrib.items() if k not in ("name", "interval", "id", "id-ref")}
        return m.Op(name=el.get("name", ""), interval=el.get("interval", "0"), id=el.get("id"),
                    id_ref=el.get("id-ref"), attributes=attributes,
                    params=self.sets(el, "instance_attributes"), meta=self.sets(el, "meta_attributes"),
                    span=self.span(el))

    def primitive_fields(self, el: Element) -> dict:
        operations = el.find("operations")
        ops = tuple(self.op(op) for op in operations.findall("op")) if operations is not None else ()
        return dict(
            id=self.need(el, "id"), cls=el.get("class"), provider=el.get("provider"),
            type=el.get("type"), description=el.get("description"),
            params=self.sets(el, "instance_attributes"), meta=self.sets(el, "meta_attributes"),
            utilization=self.sets(el, "utilization"), ops=ops,
            ops_id=operations.get("id") if operations is not None else None,
            ops_id_ref=operations.get("id-ref") if operations is not None else None,
            span=self.span(el))

    def primitive(self, el: Element) -> m.Primitive:
        return m.Primitive(template=el.get("template"), **self.primitive_fields(el))

    def resource(self, el: Element):
        if el.tag == "primitive":
            return self.primitive(el)
        if el.tag == "template":
            return m.Template(**self.primitive_fields(el))
        if el.tag == "group":
            self._refuse_nested(el, ("group", "clone", "master", "bundle"),
                                "a group holds primitives only")
            return m.Group(id=self.need(el, "id"),
                           children=[self.primitive(c) for c in el.children if c.tag == "primitive"],
                           description=el.get("description"), meta=self.sets(el, "meta_attributes"),
                           params=self.sets(el, "instance_attributes"), span=self.span(el))
        if el.tag in ("clone", "master"):
            self._refuse_nested(el, ("clone", "master", "bundle"),
                                "a clone holds one primitive or group")
            child = next((c for c in el.children if c.tag in ("primitive", "group")), None)
            if child is None:
                raise XmlInputError(f"<{el.tag}> has no primitive or group inside", self.span(el))
            return m.Clone(id=self.need(el, "id"), child=self.resource(child),
                           description=el.get("description"), meta=self.sets(el, "meta_attributes"),
                           params=self.sets(el, "instance_attributes"),
                           legacy_master=el.tag == "master", span=self.span(el))
        if el.tag == "bundle":
            return self.bundle(el)
        return None

    def _refuse_nested(self, el: Element, tags: tuple, why: str) -> None:
        """A group or clone inside a group, a clone inside a clone: Pacemaker's
        schema refuses them; read silently they would vanish."""
        for child in el.children:
            if child.tag in tags:
                raise XmlInputError(f"<{el.tag} id=\"{el.get('id')}\"> cannot hold a "
                                    f"<{child.tag}>: {why}", self.span(child),
                                    hint="put the inner resource's members here instead")

    def bundle(self, el: Element) -> m.Bundle:
        runtime = next((c for c in el.children if c.tag in ("docker", "podman", "rkt")), None)
        network_el = el.find("network")
        network = None
        if network_el is not None:
            network = m.BundleNetwork(
                attributes=network_el.attrib,
                port_mappings=[m.PortMapping(id=p.get("id"),
                                             attributes={k: v for k, v in p.attrib.items() if k != "id"},
                                             span=self.span(p))
                               for p in network_el.findall("port-mapping")],
                span=self.span(network_el))
        storage_el = el.find("storage")
        storage = ()
        if storage_el is not None:
            storage = tuple(m.StorageMapping(id=s.get("id"),
                                             attributes={k: v for k, v in s.attrib.items() if k != "id"},
                                             span=self.span(s))
                            for s in storage_el.findall("storage-mapping"))
        primitive_el = el.find("primitive")
        return m.Bundle(
            id=self.need(el, "id"), runtime=runtime.tag if runtime is not None else "docker",
            runtime_attributes=runtime.attrib if runtime is not None else {},
            network=network, storage=storage,
            primitive=self.primitive(primitive_el) if primitive_el is not None else None,
            description=el.get("description"), meta=self.sets(el, "meta_attributes"),
            params=self.sets(el, "instance_attributes"), span=self.span(el))

    # -- constraints ---------------------------------------------------------

    def resource_sets(self, el: Element) -> tuple[m.ResourceSet, ...]:
        return tuple(
            m.ResourceSet(resources=[r.get("id") for r in s.findall("resource_ref")],
                          id=s.get("id"), id_ref=s.get("id-ref"), sequential=s.get("sequential"),
                          require_all=s.get("require-all"), ordering=s.get("ordering"),
                          action=s.get("action"), role=s.get("role"), kind=s.get("kind"),
                          score=s.get("score"), span=self.span(s))
            for s in el.findall("resource_set"))

    def constraint(self, el: Element):
        g = el.get
        common = dict(id=self.need(el, "id"), resource_sets=self.resource_sets(el), span=self.span(el))
        if el.tag == "rsc_location":
            return m.Location(rsc=g("rsc"), rsc_pattern=g("rsc-pattern"), score=g("score"),
                              node=g("node"), role=g("role"),
                              resource_discovery=g("resource-discovery"),
                              rules=[self.rule(r) for r in el.findall("rule")], **common)
        if el.tag == "rsc_colocation":
            return m.Colocation(score=g("score"), rsc=g("rsc"), with_rsc=g("with-rsc"),
                                rsc_role=g("rsc-role"), with_rsc_role=g("with-rsc-role"),
                                node_attribute=g("node-attribute"), influence=g("influence"),
                                rsc_instance=g("rsc-instance"),
                                with_rsc_instance=g("with-rsc-instance"), **common)
        if el.tag == "rsc_order":
            return m.Order(first=g("first"), then=g("then"), first_action=g("first-action"),
                           then_action=g("then-action"), kind=g("kind"), score=g("score"),
                           symmetrical=g("symmetrical"), require_all=g("require-all"),
                           first_instance=g("first-instance"), then_instance=g("then-instance"),
                           **common)
        if el.tag == "rsc_ticket":
            return m.TicketConstraint(ticket=self.need(el, "ticket"), rsc=g("rsc"),
                                      rsc_role=g("rsc-role"), loss_policy=g("loss-policy"), **common)
        return None

    # -- the rest ------------------------------------------------------------

    def node(self, el: Element) -> m.Node:
        return m.Node(id=self.need(el, "id"), uname=el.get("uname") or el.get("id"),
                      type=el.get("type"), description=el.get("description"), score=el.get("score"),
                      attributes=self.sets(el, "instance_attributes"),
                      utilization=self.sets(el, "utilization"), span=self.span(el))

    def generic(self, el: Element) -> m.XmlElement:
        return m.XmlElement(tag=el.tag, attributes=el.attrib,
                            children=[self.generic(c) for c in el.children], span=self.span(el))

    def alert(self, el: Element) -> m.Alert:
        select_el = el.find("select")
        select, select_attributes = [], []
        if select_el is not None:
            for child in select_el.children:
                select.append(child.tag)
                if child.tag == "select_attributes":
                    select_attributes.extend(a.get("name") for a in child.findall("attribute"))
        return m.Alert(
            id=self.need(el, "id"), path=el.get("path", ""), description=el.get("description"),
            params=self.sets(el, "instance_attributes"), meta=self.sets(el, "meta_attributes"),
            select=select, select_attributes=select_attributes,
            recipients=[m.AlertRecipient(id=r.get("id", ""), value=r.get("value", ""),
                                         description=r.get("description"),
                                         params=self.sets(r, "instance_attributes"),
                                         meta=self.sets(r, "meta_attributes"), span=self.span(r))
                        for r in el.findall("recipient")],
            span=self.span(el))

    def configuration(self, el: Element) -> m.Configuration:
        def section(tag: str):
            found = el.find(tag)
            return found.children if found is not None else []

        resources = [r for r in (self.resource(c) for c in section("resources")) if r is not None]
        constraints = [c for c in (self.constraint(c) for c in section("constraints")) if c is not None]
        topology = [m.FencingLevel(id=self.need(f, "id"), index=f.get("index", ""),
                                   devices=f.get("devices", ""), target=f.get("target"),
                                   target_pattern=f.get("target-pattern"),
                                   target_attribute=f.get("target-attribute"),
                                   target_value=f.get("target-value"), span=self.span(f))
                    for f in section("fencing-topology") if f.tag == "fencing-level"]
        tags = [m.Tag(id=self.need(t, "id"), refs=[r.get("id") for r in t.findall("obj_ref")],
                      span=self.span(t)) for t in section("tags") if t.tag == "tag"]
        return m.Configuration(
            crm_config=[self.attr_set(c) for c in section("crm_config") if c.tag == "cluster_property_set"],
            rsc_defaults=[self.attr_set(c) for c in section("rsc_defaults") if c.tag == "meta_attributes"],
            op_defaults=[self.attr_set(c) for c in section("op_defaults") if c.tag == "meta_attributes"],
            nodes=[self.node(n) for n in section("nodes") if n.tag == "node"],
            resources=resources, constraints=constraints, fencing_topology=topology, tags=tags,
            alerts=[self.alert(a) for a in section("alerts") if a.tag == "alert"],
            acls=[self.generic(a) for a in section("acls")],
        )

    # -- status --------------------------------------------------------------

    def status(self, el: Element) -> m.Status:
        states = []
        tickets = ()
        tickets_id = None
        for child in el.children:
            if child.tag == "node_state":
                states.append(self.node_state(child))
            elif child.tag == "tickets":
                tickets_id = child.get("id")
                tickets = tuple(m.TicketState(id=t.get("id", ""),
                                              attributes=[(k, v) for k, v in t.attrib.items() if k != "id"],
                                              span=self.span(t))
                                for t in child.findall("ticket_state"))
        return m.Status(node_states=states, tickets=tickets, tickets_id=tickets_id)

    def node_state(self, el: Element) -> m.NodeState:
        transient_el = el.find("transient_attributes")
        transient = transient_utilization = ()
        if transient_el is not None:
            transient = self.sets(transient_el, "instance_attributes")
            transient_utilization = self.sets(transient_el, "utilization")
        lrm_el = el.find("lrm")
        lrm_resources = []
        if lrm_el is not None:
            holder = lrm_el.find("lrm_resources")
            for res in holder.findall("lrm_resource") if holder is not None else ():
                lrm_resources.append(m.LrmResource(
                    id=self.need(res, "id"), cls=res.get("class"), provider=res.get("provider"),
                    type=res.get("type"),
                    attributes={k: v for k, v in res.attrib.items()
                                if k not in ("id", "class", "provider", "type")},
                    ops=[m.LrmRscOp(id=op.get("id", ""),
                                    attributes=[(k, v) for k, v in op.attrib.items() if k != "id"],
                                    span=self.span(op))
                         for op in res.findall("lrm_rsc_op")],
                    span=self.span(res)))
        return m.NodeState(
            id=el.get("id", ""), attributes=[(k, v) for k, v in el.attrib.items() if k != "id"],
            transient=transient, transient_id=transient_el.get("id") if transient_el is not None else None,
            transient_utilization=transient_utilization,
            lrm_resources=lrm_resources, lrm_id=lrm_el.get("id") if lrm_el is not None else None,
            span=self.span(el))


# ================================================================ writer ====

class _Ids:
    """Allocates ids the way Pacemaker's tools do, unique within one CIB."""

    def __init__(self, taken: set[str]):
        self.taken = taken

    def make(self, wanted: str | None, base: str) -> str:
        if wanted:
            return wanted
        candidate = _sanitize(base)
        n = 0
        while candidate in self.taken:
            n += 1
            candidate = f"{_sanitize(base)}-{n}"
        self.taken.add(candidate)
        return candidate


def _sanitize(text: str) -> str:
    out = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text)
    if not out or not (out[0].isalpha() or out[0] == "_"):
        out = "_" + out
    return out


def _collect_ids(value, out: set[str]) -> set[str]:
    """Every explicit id in a model (so generated ones never collide)."""
    if isinstance(value, tuple):
        for item in value:
            _collect_ids(item, out)
    elif hasattr(value, "__attrs_attrs__"):
        for attribute in value.__attrs_attrs__:
            item = getattr(value, attribute.name)
            if attribute.name == "id" and isinstance(item, str) and item:
                out.add(item)
            elif isinstance(item, tuple) or hasattr(item, "__attrs_attrs__"):
                _collect_ids(item, out)
    return out


class _Writer:
    def __init__(self, ids: _Ids):
        # imported by the writer only: xml.sax.saxutils brings urllib, http
        # and email with it, a fifth of a small run's start-up
        from xml.sax.saxutils import quoteattr
        self.ids = ids
        self.lines: list[str] = []
        self.quoteattr = quoteattr

    def emit(self, depth: int, tag: str, attrs: list[tuple[str, str | None]],
             body: Callable[[int], None] | None = None, force_open: bool = False):
        quoteattr = self.quoteattr
        text = "".join(f" {k}={quoteattr(v)}" for k, v in attrs if v is not None)
        indent = "  " * depth
        if body is None and not force_open:
            self.lines.append(f"{indent}<{tag}{text}/>")
            return
        mark = len(self.lines)
        self.lines.append(f"{indent}<{tag}{text}>")
        if body is not None:
            body(depth + 1)
        if len(self.lines) == mark + 1 and not force_open:
            self.lines[mark] = f"{indent}<{tag}{text}/>"
        else:
            self.lines.append(f"{indent}</{tag}>")

    # -- rules and sets ------------------------------------------------------

    def rule(self, depth: int, rule: m.Rule, owner: str):
        if rule.id_ref and not rule.expressions:
            self.emit(depth, "rule", [("id-ref", rule.id_ref)])
            return
        rule_id = self.ids.make(rule.id, f"{owner}-rule")

        def body(d):
            for item in rule.expressions:
                if isinstance(item, m.Expression):
                    self.emit(d, "expression", [
                        ("id", self.ids.make(item.id, f"{rule_id}-expr")),
                        ("attribute", item.attribute), ("operation", item.operation),
                        ("value", item.value), ("type", item.type), ("value-source", item.value_source)])
                elif isinstance(item, m.DateExpression):
                    expr_id = self.ids.make(item.id, f"{rule_id}-expr")

                    def date_body(dd, item=item, expr_id=expr_id):
                        for tag, spec in (("date_spec", item.date_spec), ("duration", item.duration)):
                            if spec is not None:
                                self.emit(dd, tag, [("id", self.ids.make(spec.id, f"{expr_id}-{tag}"))]
                                          + list(spec.fields))
                    self.emit(d, "date_expression", [
                        ("id", expr_id), ("operation", item.operation), ("start", item.start),
                        ("end", item.end)],
                        date_body if (item.date_spec or item.duration) else None)
                elif isinstance(item, m.RscExpression):
                    self.emit(d, "rsc_expression", [
                        ("id", self.ids.make(item.id, f"{rule_id}-expr")), ("class", item.cls),
                        ("provider", item.provider), ("type", item.type)])
                elif isinstance(item, m.OpExpression):
                    self.emit(d, "op_expression", [
                        ("id", self.ids.make(item.id, f"{rule_id}-expr")), ("name", item.name),
                        ("interval", item.interval)])
                elif isinstance(item, m.Rule):
                    self.rule(d, item, rule_id)
        self.emit(depth, "rule", [("id", rule_id), ("score", rule.score),
                                  ("score-attribute", rule.score_attribute),
                                  ("boolean-op", rule.boolean_op), ("role", rule.role)], body)

    def attr_set(self, depth: int, tag: str, attr_set: m.AttrSet, owner: str):
        if attr_set.id_ref and not attr_set.nvpairs and attr_set.rule is None:
            self.emit(depth, tag, [("id-ref", attr_set.id_ref)])
            return
        set_id = self.ids.make(attr_set.id, f"{owner}-{tag}")

        def body(d):
            if attr_set.rule is not None:
                self.rule(d, attr_set.rule, set_id)
            for pair in attr_set.nvpairs:
                if pair.id_ref and pair.value is None:
                    self.emit(d, "nvpair", [("id-ref", pair.id_ref), ("name", pair.name or None)])
                else:
                    self.emit(d, "nvpair", [("id", self.ids.make(pair.id, f"{set_id}-{pair.name}")),
                                            ("name", pair.name), ("value", pair.value)])
        self.emit(depth, tag, [("id", set_id), ("score", attr_set.score)], body, force_open=True)

    def sets(self, depth: int, tag: str, sets, owner: str):
        for attr_set in sets:
            self.attr_set(depth, tag, attr_set, owner)

    # -- resources -----------------------------------------------------------

    def op(self, depth: int, op: m.Op, owner: str):
        if op.id_ref and not op.name:
            self.emit(depth, "op", [("id-ref", op.id_ref)])
            return
        op_id = self.ids.make(op.id, f"{owner}-{op.name}-interval-{op.interval}")

        def body(d):
            self.sets(d, "instance_attributes", op.params, op_id)
            self.sets(d, "meta_attributes", op.meta, op_id)
        self.emit(depth, "op", [("id", op_id), ("name", op.name), ("interval", op.interval)]
                  + list(op.attributes), body if (op.params or op.meta) else None)

    def primitive(self, depth: int, rsc, tag: str = "primitive"):
        def body(d):
            self.sets(d, "instance_attributes", rsc.params, rsc.id)
            self.sets(d, "meta_attributes", rsc.meta, rsc.id)
            self.sets(d, "utilization", rsc.utilization, rsc.id)
            if rsc.ops or rsc.ops_id or rsc.ops_id_ref:
                if rsc.ops_id_ref and not rsc.ops:
                    self.emit(d, "operations", [("id-ref", rsc.ops_id_ref)])
                else:
                    self.emit(d, "operations", [("id", rsc.ops_id)],
                              lambda dd: [self.op(dd, op, rsc.id) for op in rsc.ops], force_open=True)
        self.emit(depth, tag, [("id", rsc.id), ("class", rsc.cls), ("provider", rsc.provider),
                               ("type", rsc.type), ("template", getattr(rsc, "template", None)),
                               ("description", rsc.description)], body)

    def resource(self, depth: int, rsc):
        if isinstance(rsc, m.Primitive):
            self.primitive(depth, rsc)
        elif isinstance(rsc, m.Template):
            self.primitive(depth, rsc, "template")
        elif isinstance(rsc, m.Group):
            def body(d):
                self.sets(d, "meta_attributes", rsc.meta, rsc.id)
                self.sets(d, "instance_attributes", rsc.params, rsc.id)
                for child in rsc.children:
                    self.primitive(d, child)
            self.emit(depth, "group", [("id", rsc.id), ("description", rsc.description)], body)
        elif isinstance(rsc, m.Clone):
            def body(d):
                self.sets(d, "meta_attributes", rsc.meta, rsc.id)
                self.sets(d, "instance_attributes", rsc.params, rsc.id)
                self.resource(d, rsc.child)
            self.emit(depth, "master" if rsc.legacy_master else "clone",
                      [("id", rsc.id), ("description", rsc.description)], body)
        elif isinstance(rsc, m.Bundle):
            self.bundle(depth, rsc)

    def bundle(self, depth: int, rsc: m.Bundle):
        def body(d):
            self.sets(d, "meta_attributes", rsc.meta, rsc.id)
            self.sets(d, "instance_attributes", rsc.params, rsc.id)
            self.emit(d, rsc.runtime, list(rsc.runtime_attributes))
            if rsc.network is not None:
                network = rsc.network
                self.emit(d, "network", list(network.attributes),
                          (lambda dd: [self.emit(dd, "port-mapping",
                                                 [("id", self.ids.make(p.id, f"{rsc.id}-port-map"))]
                                                 + list(p.attributes))
                                       for p in network.port_mappings]) if network.port_mappings else None)
            if rsc.storage:
                self.emit(d, "storage", [], lambda dd: [
                    self.emit(dd, "storage-mapping",
                              [("id", self.ids.make(s.id, f"{rsc.id}-storage-map"))] + list(s.attributes))
                    for s in rsc.storage])
            if rsc.primitive is not None:
                self.primitive(d, rsc.primitive)
        self.emit(depth, "bundle", [("id", rsc.id), ("description", rsc.description)], body)

    # -- constraints ---------------------------------------------------------

    def resource_sets(self, depth: int, sets, owner: str):
        for n, rset in enumerate(sets):
            if rset.id_ref and not rset.resources:
                self.emit(depth, "resource_set", [("id-ref", rset.id_ref)])
                continue
            set_id = self.ids.make(rset.id, f"{owner}-{n}")
            self.emit(depth, "resource_set", [
                ("id", set_id), ("sequential", rset.sequential), ("require-all", rset.require_all),
                ("ordering", rset.ordering), ("action", rset.action), ("role", rset.role),
                ("kind", rset.kind), ("score", rset.score)],
                lambda d, rset=rset: [self.emit(d, "resource_ref", [("id", r)]) for r in rset.resources],
                force_open=True)

    def constraint(self, depth: int, c):
        if isinstance(c, m.Location):
            attrs = [("id", c.id), ("rsc", c.rsc), ("rsc-pattern", c.rsc_pattern), ("role", c.role),
                     ("score", c.score), ("node", c.node), ("resource-discovery", c.resource_discovery)]

            def body(d):
                self.resource_sets(d, c.resource_sets, c.id)
                for rule in c.rules:
                    self.rule(d, rule, c.id)
        elif isinstance(c, m.Colocation):
            attrs = [("id", c.id), ("score", c.score), ("rsc", c.rsc), ("rsc-role", c.rsc_role),
                     ("rsc-instance", c.rsc_instance), ("with-rsc", c.with_rsc),
                     ("with-rsc-role", c.with_rsc_role), ("with-rsc-instance", c.with_rsc_instance),
                     ("node-attribute", c.node_attribute), ("influence", c.influence)]
            body = lambda d: self.resource_sets(d, c.resource_sets, c.id)  # noqa: E731
        elif isinstance(c, m.Order):
            attrs = [("id", c.id), ("first", c.first), ("first-action", c.first_action),
                     ("first-instance", c.first_instance), ("then", c.then),
                     ("then-action", c.then_action), ("then-instance", c.then_instance),
                     ("kind", c.kind), ("score", c.score), ("symmetrical", c.symmetrical),
                     ("require-all", c.require_all)]
            body = lambda d: self.resource_sets(d, c.resource_sets, c.id)  # noqa: E731
        else:
            attrs = [("id", c.id), ("ticket", c.ticket), ("rsc", c.rsc), ("rsc-role", c.rsc_role),
                     ("loss-policy", c.loss_policy)]
            body = lambda d: self.resource_sets(d, c.resource_sets, c.id)  # noqa: E731
        self.emit(depth, c.tag, attrs, body)

    # -- the rest ------------------------------------------------------------

    def generic(self, depth: int, el: m.XmlElement):
        self.emit(depth, el.tag, list(el.attributes),
                  (lambda d: [self.generic(d, c) for c in el.children]) if el.children else None)

    def configuration(self, depth: int, config: m.Configuration):
        def body(d):
            self.emit(d, "crm_config", [], lambda dd: self.sets(
                dd, "cluster_property_set", config.crm_config, "cib-bootstrap-options"), force_open=True)
            self.emit(d, "nodes", [], lambda dd: [self.node(dd, n) for n in config.nodes], force_open=True)
            self.emit(d, "resources", [], lambda dd: [self.resource(dd, r) for r in config.resources],
                      force_open=True)
            self.emit(d, "constraints", [], lambda dd: [self.constraint(dd, c) for c in config.constraints],
                      force_open=True)
            if config.fencing_topology:
                self.emit(d, "fencing-topology", [], lambda dd: [self.emit(dd, "fencing-level", [
                    ("id", f.id), ("target", f.target), ("target-pattern", f.target_pattern),
                    ("target-attribute", f.target_attribute), ("target-value", f.target_value),
                    ("index", f.index), ("devices", f.devices)]) for f in config.fencing_topology])
            if config.rsc_defaults:
                self.emit(d, "rsc_defaults", [], lambda dd: self.sets(
                    dd, "meta_attributes", config.rsc_defaults, "rsc-options"))
            if config.op_defaults:
                self.emit(d, "op_defaults", [], lambda dd: self.sets(
                    dd, "meta_attributes", config.op_defaults, "op-options"))
            if config.alerts:
                self.emit(d, "alerts", [], lambda dd: [self.alert(dd, a) for a in config.alerts])
            if config.tags:
                self.emit(d, "tags", [], lambda dd: [self.emit(
                    dd, "tag", [("id", t.id)],
                    lambda ddd, t=t: [self.emit(ddd, "obj_ref", [("id", r)]) for r in t.refs],
                    force_open=True) for t in config.tags])
            if config.acls:
                self.emit(d, "acls", [], lambda dd: [self.generic(dd, a) for a in config.acls])
        self.emit(depth, "configuration", [], body, force_open=True)

    def node(self, depth: int, node: m.Node):
        self.emit(depth, "node", [("id", node.id), ("uname", node.uname), ("type", node.type),
                                  ("description", node.description), ("score", node.score)],
                  lambda d: (self.sets(d, "instance_attributes", node.attributes, f"nodes-{node.id}"),
                             self.sets(d, "utilization", node.utilization, f"nodes-{node.id}-utilization")))

    def alert(self, depth: int, alert: m.Alert):
        def body(d):
            if alert.select:
                def select_body(dd):
                    for kind in alert.select:
                        if kind == "select_attributes" and alert.select_attributes:
                            self.emit(dd, kind, [], lambda ddd: [
                                self.emit(ddd, "attribute", [("id", self.ids.make(None, f"{alert.id}-{a}")),
                                                             ("name", a)])
                                for a in alert.select_attributes])
                        else:
                            self.emit(dd, kind, [])
                self.emit(d, "select", [], select_body)
            self.sets(d, "meta_attributes", alert.meta, alert.id)
            self.sets(d, "instance_attributes", alert.params, alert.id)
            for r in alert.recipients:
                self.emit(d, "recipient", [("id", r.id), ("description", r.description),
                                           ("value", r.value)],
                          lambda dd, r=r: (self.sets(dd, "meta_attributes", r.meta, r.id),
                                           self.sets(dd, "instance_attributes", r.params, r.id)))
        self.emit(depth, "alert", [("id", alert.id), ("description", alert.description),
                                   ("path", alert.path)], body)

    def status(self, depth: int, status: m.Status):
        def body(d):
            for state in status.node_states:
                self.node_state(d, state)
            if status.tickets or status.tickets_id is not None:
                self.emit(d, "tickets", [("id", status.tickets_id)], lambda dd: [
                    self.emit(dd, "ticket_state", [("id", t.id)] + list(t.attributes))
                    for t in status.tickets], force_open=True)
        self.emit(depth, "status", [], body, force_open=True)

    def node_state(self, depth: int, state: m.NodeState):
        def body(d):
            if state.transient or state.transient_utilization or state.transient_id is not None:
                def transient_body(dd):
                    self.sets(dd, "instance_attributes", state.transient, f"status-{state.id}")
                    self.sets(dd, "utilization", state.transient_utilization,
                              f"status-{state.id}-utilization")
                self.emit(d, "transient_attributes", [("id", state.transient_id or state.id)],
                          transient_body, force_open=True)
            if state.lrm_resources or state.lrm_id is not None:
                def lrm_body(dd):
                    def resources_body(ddd):
                        for res in state.lrm_resources:
                            self.emit(ddd, "lrm_resource",
                                      [("id", res.id), ("type", res.type), ("class", res.cls),
                                       ("provider", res.provider)] + list(res.attributes),
                                      lambda dddd, res=res: [
                                          self.emit(dddd, "lrm_rsc_op", [("id", op.id)] + list(op.attributes))
                                          for op in res.ops], force_open=True)
                    self.emit(dd, "lrm_resources", [], resources_body, force_open=True)
                self.emit(d, "lrm", [("id", state.lrm_id or state.id)], lrm_body, force_open=True)
        self.emit(depth, "node_state", [("id", state.id)] + list(state.attributes), body)


def write_cib(cib: m.Cib, with_status: bool = True) -> str:
    """The CIB as XML text (a complete ``<cib>`` document)."""
    writer = _Writer(_Ids(_collect_ids(cib.configuration, set())))
    attributes = list(cib.attributes) or [("validate-with", "pacemaker-3.10"), ("epoch", "1"),
                                          ("num_updates", "0"), ("admin_epoch", "0")]

    def body(d):
        writer.configuration(d, cib.configuration)
        if with_status:
            writer.status(d, cib.status)
    writer.emit(0, "cib", attributes, body, force_open=True)
    return "\n".join(writer.lines) + "\n"
