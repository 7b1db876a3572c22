"""The ids crmsh gives what crm text leaves without one.

crm text names objects (primitives, constraints, nodes...) but not what is
inside them: attribute sets, nvpairs, rules, expressions, operations,
resource sets, fencing levels.  ``crm configure load`` fills those in
(crmsh 4.4, ``cibconfig.fix_node_ids`` and ``idmgmt.new``): walking each
object's XML depth first, an element without an id gets

- ``<parent>-<name>`` for an nvpair,
- ``<parent>-<name>-<interval>`` for an op,
- ``<parent>-<kind>`` for the elements crmsh has a sub-prefix for
  (``instance_attributes``, ``meta_attributes``, ``utilization``, ``rule``,
  ``expression`` for expressions and date expressions, ``date_spec``,
  ``duration``),
- ``<parent>`` for anything else (resource sets, fencing levels, ACL
  permissions),

where ``<parent>`` is the id of the closest ancestor that has one (a node's
uname for what a node holds; ``fencing`` for fencing levels), prefixed with
``num-`` when it is all digits.  An id already taken gets the first free
``-0``, ``-1``, ... suffix.  So a second rule of location ``l`` is
``l-rule-0``, the sets of order ``o`` are ``o-0`` and ``o-1``.

Every explicit id of the configuration is taken before any is generated, so
a generated id never collides with one the text gives later.
"""

from __future__ import annotations

import re

from attrs import evolve

from pengine.cib import model as m

# crmsh constants.subpfx_list
_SUB_PREFIX = {
    "instance_attributes": "instance_attributes", "meta_attributes": "meta_attributes",
    "utilization": "utilization", "operations": "ops", "rule": "rule", "expression": "expression",
    "date_expression": "expression", "duration": "duration", "date_spec": "date_spec",
}
_DIGITS = re.compile(r"\d+")


class _Ids:
    """crmsh's id store: every id in use, and its rule for a new one."""

    def __init__(self, taken: set[str]):
        self.taken = taken

    def new(self, tag: str, prefix: str, name: str | None = None, interval: str | None = None) -> str:
        if _DIGITS.fullmatch(prefix) and tag != "node":
            prefix = f"num-{prefix}"
        if tag == "nvpair":
            wanted = f"{prefix}-{name}"
        elif tag == "op":
            wanted = f"{prefix}-{name}-{interval}" if interval else f"{prefix}-{name}"
        else:
            sub = _SUB_PREFIX.get(tag)
            wanted = f"{prefix}-{sub}" if sub else prefix
        if wanted in self.taken:
            wanted = next((f"{wanted}-{n}" for n in range(99) if f"{wanted}-{n}" not in self.taken),
                          wanted)
        self.taken.add(wanted)
        return wanted

    def keep_or_new(self, current: str | None, tag: str, prefix: str, **name) -> str:
        if current:
            self.taken.add(current)
            return current
        return self.new(tag, prefix, **name)


def with_crmsh_ids(config: m.Configuration) -> m.Configuration:
    """``config`` with every id it lacks generated as crmsh generates it."""
    return _Filler(_Ids(explicit_ids(config, set()))).configuration(config)


def explicit_ids(value, out: set[str]) -> set[str]:
    """Every id a model gives (objects, and whatever the text named with ``$id=``)."""
    if isinstance(value, tuple):
        for item in value:
            explicit_ids(item, out)
    elif isinstance(value, m.XmlElement):
        element_id = m.get_pair(value.attributes, "id")
        if element_id:
            out.add(element_id)
        explicit_ids(value.children, out)
    elif hasattr(value, "__attrs_attrs__"):
        for attribute in value.__attrs_attrs__:
            item = getattr(value, attribute.name)
            if attribute.name in ("id", "ops_id") and isinstance(item, str) and item:
                out.add(item)
            elif isinstance(item, tuple) or hasattr(item, "__attrs_attrs__"):
                explicit_ids(item, out)
    return out


class _Filler:
    def __init__(self, ids: _Ids):
        self.ids = ids

    # -- sets, rules ------------------------------------------------------------

    def sets(self, sets, tag: str, prefix: str) -> list[m.AttrSet]:
        return [self.attr_set(s, tag, prefix) for s in sets]

    def attr_set(self, attr_set: m.AttrSet, tag: str, prefix: str) -> m.AttrSet:
        if attr_set.id_ref and not attr_set.id and not attr_set.nvpairs and attr_set.rule is None:
            return attr_set  # a reference needs no id of its own
        set_id = self.ids.keep_or_new(attr_set.id, tag, prefix)
        rule = self.rule(attr_set.rule, set_id) if attr_set.rule is not None else None
        pairs = [pair if pair.id_ref and not pair.id
                 else evolve(pair, id=self.ids.keep_or_new(pair.id, "nvpair", set_id, name=pair.name))
                 for pair in attr_set.nvpairs]
        return evolve(attr_set, id=set_id, rule=rule, nvpairs=pairs)

    def rule(self, rule: m.Rule, prefix: str) -> m.Rule:
        if rule.id_ref and not rule.id and not rule.expressions:
            return rule
        rule_id = self.ids.keep_or_new(rule.id, "rule", prefix)
        return evolve(rule, id=rule_id, expressions=[self.expression(e, rule_id)
                                                     for e in rule.expressions])

    def expression(self, item, prefix: str):
        if isinstance(item, m.Rule):
            return self.rule(item, prefix)
        if isinstance(item, m.Expression):
            return evolve(item, id=self.ids.keep_or_new(item.id, "expression", prefix))
        if isinstance(item, m.DateExpression):
            expr_id = self.ids.keep_or_new(item.id, "date_expression", prefix)
            return evolve(item, id=expr_id, date_spec=self.date_spec(item.date_spec, "date_spec", expr_id),
                          duration=self.date_spec(item.duration, "duration", expr_id))
        tag = "rsc_expression" if isinstance(item, m.RscExpression) else "op_expression"
        return evolve(item, id=self.ids.keep_or_new(item.id, tag, prefix))

    def date_spec(self, spec: m.DateSpec | None, tag: str, prefix: str) -> m.DateSpec | None:
        if spec is None:
            return None
        return evolve(spec, id=self.ids.keep_or_new(spec.id, tag, prefix))

    # -- resources --------------------------------------------------------------

    def op(self, op: m.Op, prefix: str) -> m.Op:
        if op.id_ref and not op.id and not op.name:
            return op
        op_id = self.ids.keep_or_new(op.id, "op", prefix, name=op.name, interval=op.interval)
        return evolve(op, id=op_id, params=self.sets(op.params, "instance_attributes", op_id),
                      meta=self.sets(op.meta, "meta_attributes", op_id))

    def resource(self, rsc):
        if isinstance(rsc, (m.Primitive, m.Template)):
            return evolve(
                rsc, params=self.sets(rsc.params, "instance_attributes", rsc.id),
                meta=self.sets(rsc.meta, "meta_attributes", rsc.id),
                utilization=self.sets(rsc.utilization, "utilization", rsc.id),
                # the operations element has no id of its own unless the text gives one
                ops=[self.op(op, rsc.ops_id or rsc.id) for op in rsc.ops])
        if isinstance(rsc, m.Group):
            return evolve(rsc, meta=self.sets(rsc.meta, "meta_attributes", rsc.id),
                          params=self.sets(rsc.params, "instance_attributes", rsc.id),
                          children=[self.resource(c) for c in rsc.children])
        if isinstance(rsc, m.Clone):
            return evolve(rsc, meta=self.sets(rsc.meta, "meta_attributes", rsc.id),
                          params=self.sets(rsc.params, "instance_attributes", rsc.id),
                          child=self.resource(rsc.child))
        if isinstance(rsc, m.Bundle):
            network = rsc.network
            if network is not None:
                network = evolve(network, port_mappings=[
                    evolve(p, id=self.ids.keep_or_new(p.id, "port-mapping", rsc.id))
                    for p in network.port_mappings])
            return evolve(
                rsc, meta=self.sets(rsc.meta, "meta_attributes", rsc.id),
                params=self.sets(rsc.params, "instance_attributes", rsc.id), network=network,
                storage=[evolve(s, id=self.ids.keep_or_new(s.id, "storage-mapping", rsc.id))
                         for s in rsc.storage],
                primitive=self.resource(rsc.primitive) if rsc.primitive is not None else None)
        return rsc

    # -- the rest ---------------------------------------------------------------

    def constraint(self, c):
        sets = [rset if rset.id_ref and not rset.id and not rset.resources
                else evolve(rset, id=self.ids.keep_or_new(rset.id, "resource_set", c.id))
                for rset in c.resource_sets]
        if isinstance(c, m.Location):
            return evolve(c, resource_sets=sets, rules=[self.rule(r, c.id) for r in c.rules])
        return evolve(c, resource_sets=sets)

    def node(self, node: m.Node) -> m.Node:
        # crmsh names what a node holds after its uname, not its id
        return evolve(node, attributes=self.sets(node.attributes, "instance_attributes", node.uname),
                      utilization=self.sets(node.utilization, "utilization", node.uname))

    def alert(self, alert: m.Alert) -> m.Alert:
        return evolve(
            alert, params=self.sets(alert.params, "instance_attributes", alert.id),
            meta=self.sets(alert.meta, "meta_attributes", alert.id),
            recipients=[evolve(r, params=self.sets(r.params, "instance_attributes", r.id),
                               meta=self.sets(r.meta, "meta_attributes", r.id))
                        for r in alert.recipients])

    def acl(self, element: m.XmlElement, prefix: str = "") -> m.XmlElement:
        own = m.get_pair(element.attributes, "id")
        needs = not own and element.tag in ("acl_permission", "acl_role", "acl_target", "acl_group")
        if needs:
            own = self.ids.new(element.tag, prefix or element.tag)
            element = evolve(element, attributes=element.attributes + (("id", own),))
        return evolve(element, children=[self.acl(child, own or prefix) for child in element.children])

    def fencing_level(self, level: m.FencingLevel) -> m.FencingLevel:
        return evolve(level, id=self.ids.keep_or_new(level.id, "fencing-level", "fencing"))

    def configuration(self, config: m.Configuration) -> m.Configuration:
        return evolve(
            config,
            crm_config=self.sets(config.crm_config, "cluster_property_set", "cib-bootstrap-options"),
            rsc_defaults=self.sets(config.rsc_defaults, "meta_attributes", "rsc-options"),
            op_defaults=self.sets(config.op_defaults, "meta_attributes", "op-options"),
            nodes=[self.node(n) for n in config.nodes],
            resources=[self.resource(r) for r in config.resources],
            constraints=[self.constraint(c) for c in config.constraints],
            fencing_topology=[self.fencing_level(f) for f in config.fencing_topology],
            alerts=[self.alert(a) for a in config.alerts],
            acls=[self.acl(a) for a in config.acls])
