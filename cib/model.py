"""The immutable CIB model.

Every class is a frozen attrs value; collections are tuples.  The model is
close to the CIB's XML structure (so that XML and crm text both map onto it
without loss) but typed: a primitive is a ``Primitive``, a location constraint
a ``Location``.  Values that Pacemaker interprets (scores, intervals, booleans)
are kept as the strings the user wrote; ``pengine`` and ``cib.validate``
interpret them, so that a round trip never rewrites what a user wrote.

Positions (``span``) and nothing else are excluded from equality.  Ids that a
reader generates (crm text has no ids for nvpairs, operations, rules...) are
ordinary fields: tests that compare models from different sources strip them
with ``cib.normalize.without_generated_ids``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Iterator, Union

from attrs import field, frozen
from pengine.common.converters import as_tuple

from pengine.cib.span import Span

Pairs = tuple[tuple[str, str], ...]


def _pairs(value) -> Pairs:
    """Attribute pairs, sorted by name: XML attribute order carries no meaning."""
    if isinstance(value, dict):
        value = value.items()
    return tuple(sorted([(str(k), str(v)) for k, v in value]))


def _ordered_pairs(value) -> Pairs:
    """Pairs whose order the writer must keep (nvpairs in a set)."""
    if isinstance(value, dict):
        value = value.items()
    # a list comprehension, not a generator: every recorded operation passes
    # here (a third faster on an operation's sixteen attributes)
    return tuple([(str(k), str(v)) for k, v in value])


def _span():
    return field(default=None, eq=False, repr=False, kw_only=True)


def get_pair(pairs: Pairs, name: str, default: str | None = None) -> str | None:
    for key, value in pairs:
        if key == name:
            return value
    return default


# ---------------------------------------------------------------- rules ----

@frozen
class Expression:
    """``<expression attribute= operation= value= type= value-source=>``."""

    attribute: str
    operation: str
    value: str | None = None
    type: str | None = None
    value_source: str | None = None
    id: str | None = None
    span: Span | None = _span()


@frozen
class DateSpec:
    """``<date_spec>`` or ``<duration>``: named fields such as hours="9-16"."""

    fields: Pairs = field(default=(), converter=_pairs)
    id: str | None = None
    span: Span | None = _span()


@frozen
class DateExpression:
    """``<date_expression operation=in_range|gt|lt|date_spec>``."""

    operation: str
    start: str | None = None
    end: str | None = None
    date_spec: DateSpec | None = None
    duration: DateSpec | None = None
    id: str | None = None
    span: Span | None = _span()


@frozen
class RscExpression:
    """``<rsc_expression class= provider= type=>`` (rsc_defaults rules)."""

    cls: str | None = None
    provider: str | None = None
    type: str | None = None
    id: str | None = None
    span: Span | None = _span()


@frozen
class OpExpression:
    """``<op_expression name= interval=>`` (op_defaults rules)."""

    name: str
    interval: str | None = None
    id: str | None = None
    span: Span | None = _span()


@frozen
class Rule:
    """``<rule>``: a boolean combination of expressions and nested rules."""

    expressions: tuple["RuleItem", ...] = field(default=(), converter=as_tuple)
    boolean_op: str | None = None
    score: str | None = None
    score_attribute: str | None = None
    role: str | None = None
    id: str | None = None
    id_ref: str | None = None
    span: Span | None = _span()


RuleItem = Union[Expression, DateExpression, RscExpression, OpExpression, Rule]


# ------------------------------------------------------ attribute sets ----

@frozen
class NvPair:
    name: str
    value: str | None = None
    id: str | None = None
    id_ref: str | None = None
    span: Span | None = _span()


@frozen
class AttrSet:
    """An instance_attributes / meta_attributes / utilization /
    cluster_property_set block: nvpairs, an optional rule and a precedence
    score.  Which kind it is follows from the field that holds it."""

    nvpairs: tuple[NvPair, ...] = field(default=(), converter=as_tuple)
    id: str | None = None
    id_ref: str | None = None
    score: str | None = None
    rule: Rule | None = None
    span: Span | None = _span()

    def get(self, name: str, default: str | None = None) -> str | None:
        for pair in self.nvpairs:
            if pair.name == name:
                return pair.value
        return default


def flat_get(sets: tuple[AttrSet, ...], name: str, default: str | None = None) -> str | None:
    """First value of ``name`` in unconditional sets, ignoring rules.

    The scheduler evaluates rules and set precedence properly
    (``pengine.rules``); this helper serves validation and display.
    """
    for attr_set in sets:
        value = attr_set.get(name)
        if value is not None:
            return value
    return default


# ----------------------------------------------------------- resources ----

@frozen
class Op:
    """``<op name= interval= ...>``; other XML attributes live in ``attributes``."""

    name: str
    interval: str = "0"
    id: str | None = None
    attributes: Pairs = field(default=(), converter=_pairs)
    params: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    meta: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    id_ref: str | None = None
    span: Span | None = _span()

    def get(self, name: str, default: str | None = None) -> str | None:
        return get_pair(self.attributes, name, default)


@frozen
class Primitive:
    id: str
    cls: str | None = None
    provider: str | None = None
    type: str | None = None
    template: str | None = None
    description: str | None = None
    params: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    meta: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    utilization: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    ops: tuple[Op, ...] = field(default=(), converter=as_tuple)
    ops_id: str | None = None
    ops_id_ref: str | None = None
    span: Span | None = _span()

    tag = "primitive"

    @property
    def agent(self) -> str:
        """``class:provider:type`` as crm_mon prints it."""
        if self.provider:
            return f"{self.cls}:{self.provider}:{self.type}"
        return f"{self.cls}:{self.type}"


@frozen
class Template:
    """``<template>`` (crm ``rsc_template``): a primitive's definition to reuse."""

    id: str
    cls: str | None = None
    provider: str | None = None
    type: str | None = None
    description: str | None = None
    params: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    meta: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    utilization: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    ops: tuple[Op, ...] = field(default=(), converter=as_tuple)
    ops_id: str | None = None
    ops_id_ref: str | None = None
    span: Span | None = _span()

    tag = "template"


@frozen
class Group:
    id: str
    children: tuple[Primitive, ...] = field(default=(), converter=as_tuple)
    description: str | None = None
    meta: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    params: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()

    tag = "group"


@frozen
class Clone:
    """``<clone>``; promotable when its meta says so (``promotable=true``)."""

    id: str
    child: Union[Primitive, Group]
    description: str | None = None
    meta: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    params: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    legacy_master: bool = False
    span: Span | None = _span()

    tag = "clone"


@frozen
class PortMapping:
    id: str | None = None
    attributes: Pairs = field(default=(), converter=_pairs)
    span: Span | None = _span()


@frozen
class BundleNetwork:
    attributes: Pairs = field(default=(), converter=_pairs)
    port_mappings: tuple[PortMapping, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()


@frozen
class StorageMapping:
    id: str | None = None
    attributes: Pairs = field(default=(), converter=_pairs)
    span: Span | None = _span()


@frozen
class Bundle:
    id: str
    runtime: str = "docker"  # docker | podman | rkt
    runtime_attributes: Pairs = field(default=(), converter=_pairs)
    network: BundleNetwork | None = None
    storage: tuple[StorageMapping, ...] = field(default=(), converter=as_tuple)
    primitive: Primitive | None = None
    description: str | None = None
    meta: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    params: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()

    tag = "bundle"


Resource = Union[Primitive, Template, Group, Clone, Bundle]


def child_resources(rsc) -> tuple:
    """A resource's direct children: a group's members, a clone's or a
    bundle's primitive."""
    if isinstance(rsc, Group):
        return rsc.children
    if isinstance(rsc, Clone):
        return (rsc.child,)
    if isinstance(rsc, Bundle) and rsc.primitive is not None:
        return (rsc.primitive,)
    return ()


def walk_resources(resources) -> Iterator[Resource]:
    """Every resource, parents before children, in CIB order."""
    for rsc in resources:
        yield rsc
        yield from walk_resources(child_resources(rsc))


# --------------------------------------------------------- constraints ----

@frozen
class ResourceSet:
    resources: tuple[str, ...] = field(default=(), converter=as_tuple)
    id: str | None = None
    id_ref: str | None = None
    sequential: str | None = None
    require_all: str | None = None
    ordering: str | None = None
    action: str | None = None
    role: str | None = None
    kind: str | None = None
    score: str | None = None
    span: Span | None = _span()


@frozen
class Location:
    id: str
    rsc: str | None = None
    rsc_pattern: str | None = None
    score: str | None = None
    node: str | None = None
    role: str | None = None
    resource_discovery: str | None = None
    rules: tuple[Rule, ...] = field(default=(), converter=as_tuple)
    resource_sets: tuple[ResourceSet, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()

    tag = "rsc_location"


@frozen
class Colocation:
    id: str
    score: str | None = None
    rsc: str | None = None
    with_rsc: str | None = None
    rsc_role: str | None = None
    with_rsc_role: str | None = None
    node_attribute: str | None = None
    influence: str | None = None
    rsc_instance: str | None = None
    with_rsc_instance: str | None = None
    resource_sets: tuple[ResourceSet, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()

    tag = "rsc_colocation"


@frozen
class Order:
    id: str
    first: str | None = None
    then: str | None = None
    first_action: str | None = None
    then_action: str | None = None
    kind: str | None = None  # Mandatory / Optional / Serialize
    score: str | None = None
    symmetrical: str | None = None
    require_all: str | None = None
    first_instance: str | None = None
    then_instance: str | None = None
    resource_sets: tuple[ResourceSet, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()

    tag = "rsc_order"


@frozen
class TicketConstraint:
    id: str
    ticket: str
    rsc: str | None = None
    rsc_role: str | None = None
    loss_policy: str | None = None
    resource_sets: tuple[ResourceSet, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()

    tag = "rsc_ticket"


Constraint = Union[Location, Colocation, Order, TicketConstraint]


# ------------------------------------------------------- other config ----

@frozen
class Node:
    id: str
    uname: str
    type: str | None = None
    description: str | None = None
    score: str | None = None
    attributes: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    utilization: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()


@frozen
class FencingLevel:
    id: str
    index: str
    devices: str
    target: str | None = None
    target_pattern: str | None = None
    target_attribute: str | None = None
    target_value: str | None = None
    span: Span | None = _span()


@frozen
class Tag:
    id: str
    refs: tuple[str, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()


@frozen
class AlertRecipient:
    id: str
    value: str
    description: str | None = None
    params: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    meta: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()


@frozen
class Alert:
    id: str
    path: str
    description: str | None = None
    params: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    meta: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    select: tuple[str, ...] = field(default=(), converter=as_tuple)  # select_* kinds
    select_attributes: tuple[str, ...] = field(default=(), converter=as_tuple)
    recipients: tuple[AlertRecipient, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()


@frozen
class XmlElement:
    """A generic element for the parts of the CIB the scheduler never reads
    (ACLs): kept so that a round trip loses nothing."""

    tag: str
    attributes: Pairs = field(default=(), converter=_pairs)
    children: tuple["XmlElement", ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()


@frozen
class Configuration:
    crm_config: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    rsc_defaults: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    op_defaults: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    nodes: tuple[Node, ...] = field(default=(), converter=as_tuple)
    resources: tuple[Resource, ...] = field(default=(), converter=as_tuple)
    constraints: tuple[Constraint, ...] = field(default=(), converter=as_tuple)
    fencing_topology: tuple[FencingLevel, ...] = field(default=(), converter=as_tuple)
    tags: tuple[Tag, ...] = field(default=(), converter=as_tuple)
    alerts: tuple[Alert, ...] = field(default=(), converter=as_tuple)
    acls: tuple[XmlElement, ...] = field(default=(), converter=as_tuple)

    @cached_property
    def resources_by_id(self) -> dict[str, Resource]:
        return {rsc.id: rsc for rsc in walk_resources(self.resources)}

    @cached_property
    def nodes_by_id(self) -> dict[str, Node]:
        return {node.id: node for node in self.nodes}

    def resource(self, rsc_id: str) -> Resource | None:
        return self.resources_by_id.get(rsc_id)

    def property(self, name: str, default: str | None = None) -> str | None:
        return flat_get(self.crm_config, name, default)


# --------------------------------------------------------------- status ----

@frozen
class LrmRscOp:
    """One ``<lrm_rsc_op>``: its attributes as written (id aside)."""

    id: str
    attributes: Pairs = field(default=(), converter=_ordered_pairs)
    span: Span | None = _span()

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._by_name.get(name, default)

    @cached_property
    def _by_name(self) -> dict[str, str]:
        # The scheduler reads a dozen attributes of every recorded operation,
        # many times over: look them up by name (the first of a name wins).
        found: dict[str, str] = {}
        for key, value in self.attributes:
            found.setdefault(key, value)
        return found


@frozen
class LrmResource:
    id: str
    cls: str | None = None
    provider: str | None = None
    type: str | None = None
    attributes: Pairs = field(default=(), converter=_pairs)  # container, shutdown-lock...
    ops: tuple[LrmRscOp, ...] = field(default=(), converter=as_tuple)
    span: Span | None = _span()

    def get(self, name: str, default: str | None = None) -> str | None:
        return get_pair(self.attributes, name, default)


@frozen
class NodeState:
    """``<node_state>``: membership, transient attributes and history."""

    id: str
    attributes: Pairs = field(default=(), converter=_ordered_pairs)
    transient: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    transient_id: str | None = None
    # <utilization> blocks of <transient_attributes>: node capacities
    transient_utilization: tuple[AttrSet, ...] = field(default=(), converter=as_tuple)
    lrm_resources: tuple[LrmResource, ...] = field(default=(), converter=as_tuple)
    lrm_id: str | None = None
    span: Span | None = _span()

    def get(self, name: str, default: str | None = None) -> str | None:
        return get_pair(self.attributes, name, default)

    @property
    def uname(self) -> str | None:
        return self.get("uname")


@frozen
class TicketState:
    id: str
    attributes: Pairs = field(default=(), converter=_ordered_pairs)
    span: Span | None = _span()

    def get(self, name: str, default: str | None = None) -> str | None:
        return get_pair(self.attributes, name, default)


@frozen
class Status:
    node_states: tuple[NodeState, ...] = field(default=(), converter=as_tuple)
    tickets: tuple[TicketState, ...] = field(default=(), converter=as_tuple)
    tickets_id: str | None = None


@frozen
class Cib:
    """A whole CIB: ``<cib>`` attributes, configuration and status."""

    configuration: Configuration = Configuration()
    status: Status = Status()
    attributes: Pairs = field(default=(), converter=_ordered_pairs)
    source: str | None = field(default=None, eq=False, repr=False)
    # the input XML's layout, to save the CIB as crm_simulate does (cib.saved_xml)
    layout: object = field(default=None, eq=False, repr=False)

    def get(self, name: str, default: str | None = None) -> str | None:
        return get_pair(self.attributes, name, default)
