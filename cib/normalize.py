"""Normalisations that let models from different sources be compared.

``without_generated_ids`` is the one every comparison needs: crm text does
not carry most ids, so a model read from crm and one read from XML differ in
them and in nothing else that matters.  ``without_default_values`` and
``in_crmsh_order`` are narrower; each says below why it is justified, and
``crmsh_comparable`` applies all three.
"""

from __future__ import annotations

import attrs
from attrs import evolve

from pengine.cib import model as m

# The ids crm text has no place for: crmsh prints none of them (it shows a
# set's or rule's id only when something refers to it) and its parser
# generates them.  Kept: object ids, property set ids (`property <id>:`),
# `operations $id=`, port/storage mapping ids, and every id-ref.
_GENERATED_IDS = {
    m.NvPair: "id", m.AttrSet: "id", m.Op: "id", m.Rule: "id", m.Expression: "id",
    m.DateExpression: "id", m.DateSpec: "id", m.RscExpression: "id", m.OpExpression: "id",
    m.ResourceSet: "id", m.FencingLevel: "id", m.AlertRecipient: "id",
}
# Sets whose id the crm text shows in the statement head.
_NAMED_SETS = ("crm_config", "rsc_defaults", "op_defaults")


def map_model(obj, change):
    """``change`` applied bottom-up to every model value inside ``obj``
    (``change`` takes a model value and returns it or a changed copy)."""
    if isinstance(obj, tuple):
        return tuple(map_model(item, change) for item in obj)
    if not attrs.has(type(obj)):
        return obj
    updates = {}
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if isinstance(value, tuple) or attrs.has(type(value)):
            updates[field.name] = map_model(value, change)
    return change(evolve(obj, **updates) if updates else obj)


def without_generated_ids(obj):
    """``obj`` with the ids that crm text does not carry set to None.

    A Cib's status is left alone: crm text has none.
    """
    if isinstance(obj, m.Cib):
        return evolve(obj, configuration=without_generated_ids(obj.configuration))
    stripped = map_model(obj, _strip_id)
    if isinstance(obj, m.Configuration):
        # property, rsc_defaults and op_defaults sets keep their ids: crm shows them
        stripped = evolve(stripped, **{
            name: tuple(evolve(new, id=old.id) for new, old in zip(getattr(stripped, name), getattr(obj, name)))
            for name in _NAMED_SETS})
    return stripped


def _strip_id(value):
    name = _GENERATED_IDS.get(type(value))
    return evolve(value, **{name: None}) if name else value


def without_default_values(obj):
    """``obj`` with attributes that spell out Pacemaker's default dropped.

    Each is semantically neutral, and crmsh drops them when it shows a CIB:

    - a rule's ``boolean-op="and"``: ``and`` is the default;
    - a resource set's ``sequential="true"`` and ``require-all="true"``: the defaults;
    - an expression's ``type="string"`` for ``eq``/``ne``: string comparison is
      their default (for ``lt``, ``gt``... the default depends on the values,
      so there it is kept);
    - a node's ``type="normal"``: Pacemaker reads it as ``member``, the default.
    """
    return map_model(obj, _drop_default)


def _drop_default(value):
    if isinstance(value, m.Rule) and value.boolean_op == "and":
        return evolve(value, boolean_op=None)
    if isinstance(value, m.ResourceSet):
        return evolve(value, sequential=None if value.sequential == "true" else value.sequential,
                      require_all=None if value.require_all == "true" else value.require_all)
    if isinstance(value, m.Expression) and value.type == "string" and value.operation in ("eq", "ne"):
        return evolve(value, type=None)
    if isinstance(value, m.Node) and value.type == "normal":
        return evolve(value, type=None)
    return value


# crmsh's `configure show` order of object kinds (xmlutil._sort_cli_order)
_RESOURCE_RANK = {m.Template: 1, m.Primitive: 2, m.Bundle: 3, m.Group: 4, m.Clone: 6}
_CONSTRAINT_RANK = {m.Location: 9, m.Colocation: 9, m.Order: 9, m.TicketConstraint: 10}


def in_crmsh_order(config: m.Configuration) -> m.Configuration:
    """The configuration in the order ``crm configure show`` prints it.

    crmsh sorts what it shows (its ``sort-elements`` option, on by default):
    by kind, then by id.  A crm file so never carries the CIB's order, and a
    model read from it can only match the model of its XML once both are
    sorted alike.  This is *not* semantically neutral -- Pacemaker breaks
    placement ties by CIB order -- so use it only to compare a crmsh-written
    file with its source.
    """
    def by_id(items):
        return sorted(items, key=lambda item: item.id or "")

    return evolve(
        config,
        nodes=by_id(config.nodes),
        resources=sorted(config.resources, key=lambda r: (_rank(r), r.id)),
        constraints=sorted(config.constraints, key=lambda c: (_CONSTRAINT_RANK[type(c)], c.id)),
        crm_config=by_id(config.crm_config), rsc_defaults=by_id(config.rsc_defaults),
        op_defaults=by_id(config.op_defaults), tags=by_id(config.tags), alerts=by_id(config.alerts))


def _rank(rsc) -> int:
    if isinstance(rsc, m.Clone) and rsc.legacy_master:
        return 5
    return _RESOURCE_RANK.get(type(rsc), 1000)


def crmsh_comparable(config: m.Configuration) -> m.Configuration:
    """What a ``crm configure show`` file and the CIB it shows can be compared by."""
    return in_crmsh_order(without_default_values(without_generated_ids(config)))
