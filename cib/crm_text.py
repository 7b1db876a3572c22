"""crm shell ``configure`` text ⇄ model.

``read_crm`` parses the language of ``grammar/crm.lark`` and builds the same
model that :mod:`cib.cib_xml` builds from the XML that crmsh would have
written for the text.  Where crmsh fills something in (a bare agent type
means ``ocf:heartbeat``, a rule without a score scores INFINITY), the reader
does the same.  Ids that crm text does not carry (nvpairs, sets, rules, ops,
resource sets) are generated as crmsh generates them (:mod:`cib.crm_ids`),
so that the model means what the XML crmsh writes means.  Two choices differ from
crmsh on purpose: values are kept as written (an order's ``inf:`` stays a
score, crmsh makes it a kind), and ``ms`` is the legacy ``<master>`` clone,
as the XML reader has it.

``write_crm`` prints a model the way ``crm configure show`` does, falling
back, as crmsh does, to an ``xml <...>`` block for what the crm syntax
cannot say.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import NamedTuple

from attrs import evolve, frozen
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from pengine.cib import model as m
from pengine.cib.errors import CrmSyntaxError, PengineError, XmlInputError
from pengine.cib.span import Span

# Attributes of <op> itself; other name=value pairs after `op <name>` are
# instance attributes (OCF_CHECK_LEVEL...), as crmsh's schema-driven parser has it.
OP_ATTRIBUTES = frozenset({"id", "name", "interval", "description", "start-delay", "interval-origin",
                           "timeout", "enabled", "record-pending", "role", "requires", "on-fail"})
SCORE_WORDS = {"mandatory": "INFINITY", "advisory": "0"}
ORDER_KINDS = {"mandatory": "Mandatory", "optional": "Optional", "serialize": "Serialize"}
BINARY_OPS = frozenset({"lt", "gt", "lte", "gte", "eq", "ne"})
EXPRESSION_TYPES = frozenset({"string", "integer", "number", "version"})
DATE_OPS = {"lt": "lt", "gt": "gt", "in": "in_range", "in_range": "in_range",
            "spec": "date_spec", "date_spec": "date_spec"}
NODE_TYPES = frozenset({"normal", "member", "ping", "remote"})
# crmsh's default ids for property / rsc_defaults / op_defaults sets
DEFAULT_SET_IDS = {"crm_config": "cib-bootstrap-options", "rsc_defaults": "rsc-options",
                   "op_defaults": "op-options"}
# words that end a name=value list in crmsh, so never a value-less name
RESERVED = frozenset({"params", "meta", "utilization", "operations", "op", "op_params", "op_meta",
                      "rule", "attributes"})

# The <cib> of a configuration made from crm text: the header of the empty CIB
# that `crm configure load` fills (`cibadmin --empty` of Pacemaker 2.1.5, which
# crmsh 4.4 runs with).  Without validate-with crm_simulate and crm_verify
# refuse a CIB; Pacemaker 3.0.2 takes this one (upgrading it as any 3.x CIB),
# and so does 2.1.5, which refuses a newer schema or feature set.
CRM_CIB_ATTRIBUTES = (("crm_feature_set", "3.16.1"), ("validate-with", "pacemaker-3.9"),
                      ("epoch", "1"), ("num_updates", "0"), ("admin_epoch", "0"))

_NUMERIC_SCORE = re.compile(r"[+-]?(inf(inity)?|INF(INITY)?|[0-9]+)")
_INFINITY = re.compile(r"inf(inity)?|INF(INITY)?")
_VALUE_PART = re.compile(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|\\(.)|([^\s"\'\\]+)', re.S)
_VALUE_SOURCE = re.compile(r"(?P<source>[^\s{}]+)\{(?P<value>\S+)\}")


@lru_cache(maxsize=None)
def _parser() -> Lark:
    from pengine.grammar import crm_grammar_text
    return Lark(crm_grammar_text(), parser="lalr", lexer="contextual",
                propagate_positions=True, cache=True)


# ================================================================ reading ===

def read_crm(text: str, filename: str = "<input>", *, crmsh_ids: bool = True) -> m.Configuration:
    """Parse crm ``configure`` text into a Configuration, or raise CrmSyntaxError.

    ``crmsh_ids=False`` leaves what the text does not name without an id (to
    test the reading of a construct apart from the ids it gets)."""
    return assemble(read_crm_statements(text, filename), {filename: text}, crmsh_ids=crmsh_ids)


def read_crm_statements(text: str, filename: str = "<input>") -> list[tuple[str, object]]:
    """The (section, object) items of crm text, statement by statement, before
    group members, monitors and fencing levels are resolved (several files'
    items are assembled together into one configuration)."""
    if text.startswith("\ufeff"):  # a byte order mark, kept as a blank so columns stay right
        text = " " + text[1:]
    _refuse_control_characters(text, filename)
    try:
        tree = _parser().parse(text + "\n")  # also ends a last line continued with '\'
    except UnexpectedInput as error:
        raise _syntax_error(error, text, filename) from None
    try:
        items = _Reader(filename, text).transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, PengineError):
            raise _with_source(error.orig_exc, text) from None
        raise
    return items


def assemble(items: list[tuple[str, object]], sources: dict[str, str], *,
             crmsh_ids: bool = True) -> m.Configuration:
    """One configuration from statement items (of one or several files: their
    texts by file name in ``sources``), every name defined once, crmsh's ids
    filled in."""
    from pengine.cib.crm_ids import with_crmsh_ids
    try:
        _check_unique(items)
        config = _assemble(items)
        return with_crmsh_ids(config) if crmsh_ids else config
    except PengineError as error:
        where = error.span.file if error.span is not None else next(iter(sources), None)
        raise _with_source(error, sources.get(where, "")) from None


# Statements whose names share one namespace, as ids do in a CIB (nodes have their own).
_NAMED_SECTIONS = ("resources", "constraints", "tags", "alerts", "acls")


def _check_unique(items: list[tuple[str, object]]) -> None:
    """A name that two statements define is an error naming both places (crmsh
    refuses it; reading on would silently keep one of the two).  Property and
    defaults sets of one name add up instead, as in crmsh; a resource an
    ``xml`` block holds inside a container may be shown again on its own."""
    seen: dict[tuple[str, str], object] = {}
    for section, item in items:
        if section == "nodes":
            key = ("node", item.uname)
        elif section in _NAMED_SECTIONS:
            name = m.get_pair(item.attributes, "id") if isinstance(item, m.XmlElement) else item.id
            if not name:
                continue
            key = ("object", name)
        else:
            continue
        first = seen.setdefault(key, item)
        if first is item:
            continue
        what = "node" if key[0] == "node" else "name"
        place = first.span.where() if first.span is not None else "an earlier statement"
        raise CrmSyntaxError(f"{what} '{key[1]}' is defined twice: first at {place}", item.span,
                             hint="rename one of the two, or remove one")


# C0 controls but tab, newline and carriage return, DEL and the C1 controls:
# XML 1.0 cannot hold most of them (the CIB would not be well-formed) and a
# terminal takes ESC and CSI as commands.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# comment lines and the (coloured) warnings crmsh prints may hold anything:
# the grammar skips them (grammar/crm.lark, _COMMENT)
_SKIPPED_LINE = re.compile(r"[\t ]*(?:#|(?:\x1b\[[0-9;]*m)?(?:WARNING|ERROR|INFO)(?:\x1b\[[0-9;]*m)?:)")
_TRAILING_COMMENT = re.compile(r"(?:^|\s)#")


def _refuse_control_characters(text: str, filename: str) -> None:
    for found in _CONTROL.finditer(text):
        start = text.rfind("\n", 0, found.start()) + 1
        before = text[start:found.start()]
        if _SKIPPED_LINE.match(text, start) or _TRAILING_COMMENT.search(before):
            continue
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - start + 1
        raise CrmSyntaxError(f"control character U+{ord(found.group()):04X} in the text",
                         Span(filename, line, column), source=text,
                         hint="ids, names and values cannot hold control characters "
                              "(a CIB could not store them)")


def _with_source(error: PengineError, text: str) -> PengineError:
    if error.source is None:
        error.source = text
    return error


class _Part(NamedTuple):
    """A clause of a statement (``params ...``, ``op ...``), tagged by kind."""

    kind: str
    value: object


@frozen
class _Ref:
    """A resource named by a group, clone or bundle, resolved after parsing."""

    id: str
    span: Span | None = None


@frozen
class _Level:
    """One fencing level as written, before indexes and nodes are known."""

    target: tuple  # ("target", name) | ("pattern", re) | ("attribute", name, value) | ("all",)
    devices: str
    span: Span | None = None


@frozen
class _Monitor:
    rsc: str
    role: str | None
    interval: str
    timeout: str | None
    span: Span | None = None


def _unquote(raw: str) -> str:
    """A shell-like word as crmsh reads it: quotes removed, escapes resolved."""
    out = []
    for match in _VALUE_PART.finditer(raw):
        double, single, escaped, plain = match.groups()
        if double is not None:
            out.append(re.sub(r'\\(["\\])', r"\1", double))
        else:
            out.append(next(part for part in (single, escaped, plain) if part is not None))
    return "".join(out)


def _split_pair(text: str) -> tuple[str, str]:
    name, _, raw = text.partition("=")
    return name, _unquote(raw)


def _score(text: str) -> str:
    """A constraint score as crmsh stores it: inf → INFINITY, advisory → 0."""
    if text.lower() in SCORE_WORDS:
        return SCORE_WORDS[text.lower()]
    if _NUMERIC_SCORE.fullmatch(text):
        return _INFINITY.sub("INFINITY", text)
    return text


def _rule_score(text: str) -> tuple[str | None, str | None]:
    """(score, score-attribute): a rule's non-numeric score names a node attribute."""
    if text.lower() in SCORE_WORDS or _NUMERIC_SCORE.fullmatch(text):
        return _score(text), None
    return None, text


def _agent(text: str, span: Span) -> dict:
    """``[class:[provider:]]type`` with crmsh's defaults (ocf, heartbeat)."""
    parts = text.split(":")
    if len(parts) == 3:
        cls, provider, kind = parts
    elif len(parts) == 2:
        cls, kind = parts
        provider = "heartbeat" if cls == "ocf" else None
    elif len(parts) == 1:
        cls, provider, kind = "ocf", "heartbeat", parts[0]
    else:
        raise CrmSyntaxError(f"'{text}' is not a resource agent", span,
                             hint="expected [class:[provider:]]type, as in ocf:heartbeat:IPaddr2")
    if not all((cls, kind)):
        raise CrmSyntaxError(f"'{text}' is not a resource agent", span,
                             hint="expected [class:[provider:]]type, as in ocf:heartbeat:IPaddr2")
    return dict(cls=cls, provider=provider or None, type=kind)


def _parts(children, kind: str) -> list:
    return [child.value for child in children if isinstance(child, _Part) and child.kind == kind]


def _part(children, kind: str, default=None):
    found = _parts(children, kind)
    return found[-1] if found else default


def _tokens(children, *types: str) -> list[Token]:
    return [child for child in children if isinstance(child, Token) and child.type in types]


@v_args(meta=True)
class _Reader(Transformer):
    """Tree → model objects; each statement becomes a list of (section, item)."""

    def __init__(self, filename: str, text: str):
        super().__init__()
        self.filename = filename
        self.text = text

    def _span(self, where) -> Span | None:
        if isinstance(where, Span) or where is None:
            return where
        if isinstance(where, Token):
            return Span(self.filename, where.line, where.column, where.end_line, where.end_column)
        if getattr(where, "empty", True):
            return None
        return Span(self.filename, where.line, where.column, where.end_line, where.end_column)

    def _error(self, message: str, where, hint: str = "") -> CrmSyntaxError:
        return CrmSyntaxError(message, self._span(where), source=self.text, hint=hint)

    def start(self, meta, children):
        return [item for statement in children for item in statement]

    # -- name=value lists ----------------------------------------------------

    def _nvpair(self, token: Token) -> m.NvPair:
        """``name=value``, ``$id:name=value``, a bare ``name`` or ``@id-ref[:name]``."""
        span = self._span(token)
        if token.type == "WORD":
            if token.value.startswith("@"):
                ref, _, name = token.value[1:].partition(":")
                return m.NvPair(name=name, id_ref=ref, span=span)
            if token.value.lower() in RESERVED:
                raise self._error(f"unexpected keyword '{token.value}'", token,
                                  hint=f"'{token.value}' cannot follow the name=value pairs here")
            return m.NvPair(name=token.value, span=span)
        name, value = _split_pair(token.value)
        if name.startswith("$"):
            pair_id, _, name = name[1:].partition(":")
            return m.NvPair(name=name or pair_id, value=value, id=pair_id, span=span)
        return m.NvPair(name=name, value=value, span=span)

    def _nvpairs(self, children) -> list[m.NvPair]:
        return [self._nvpair(t) for t in _tokens(children, "NVPAIR", "WORD")]

    def set_ref(self, meta, children):
        return m.AttrSet(id_ref=_split_pair(children[0].value)[1], span=self._span(meta))

    def set_body(self, meta, children):
        rules = [child for child in children if isinstance(child, m.Rule)]
        if len(rules) > 1:
            raise self._error("an attribute set takes one rule", rules[1].span,
                              hint="join the conditions with 'and' or 'or' in one rule")
        set_id = next((_split_pair(t.value)[1] for t in _tokens(children, "ID_SPEC")), None)
        score = next((t.value[:-1] for t in _tokens(children, "KEYCOLON")), None)
        return m.AttrSet(nvpairs=self._nvpairs(children), id=set_id, score=score,
                         rule=rules[0] if rules else None, span=self._span(meta))

    def _set_part(kind):
        def method(self, meta, children):
            return _Part(kind, evolve(children[0], span=self._span(meta)))
        return method

    params = _set_part("params")
    meta = _set_part("meta")
    utilization = _set_part("utilization")
    attributes = _set_part("attributes")
    op_params = _set_part("params")
    op_meta = _set_part("meta")
    del _set_part

    def implicit_set(self, meta, children):
        # crmsh reads name=value pairs right after a head as the first set
        return _Part("implicit", m.AttrSet(nvpairs=self._nvpairs(children), span=self._span(meta)))

    def description(self, meta, children):
        return _Part("description", _split_pair(children[0].value)[1])

    # -- rules ---------------------------------------------------------------

    def rule_ref(self, meta, children):
        ref = _split_pair(children[0].value)[1]
        role = next((_split_pair(t.value)[1] for t in _tokens(children, "ROLE")), None)
        return m.Rule(id_ref=ref, role=role, span=self._span(meta))

    def rule(self, meta, children):
        operators = {t.value.lower() for t in _tokens(children, "AND", "OR")}
        if len(operators) > 1:
            raise self._error("a rule cannot mix 'and' and 'or'", meta,
                              hint="split it into several rules, or use one operator")
        score, attribute = "INFINITY", None  # crmsh: a rule without a score scores INFINITY
        for token in _tokens(children, "KEYCOLON"):
            score, attribute = _rule_score(token.value[:-1])
        return m.Rule(
            expressions=[c for c in children if not isinstance(c, Token)],
            boolean_op="or" if operators == {"or"} else None,
            score=score, score_attribute=attribute,
            role=next((_split_pair(t.value)[1] for t in _tokens(children, "ROLE")), None),
            id=next((_split_pair(t.value)[1] for t in _tokens(children, "ID_SPEC")), None),
            span=self._span(meta))

    def unary_expression(self, meta, children):
        operation, attribute = children
        return m.Expression(attribute=attribute.value, operation=operation.value.lower(),
                            span=self._span(meta))

    def binary_expression(self, meta, children):
        attribute, operation, value = children
        kind, _, name = operation.value.rpartition(":")
        if name.lower() not in BINARY_OPS or (kind and kind.lower() not in EXPRESSION_TYPES):
            raise self._error(f"'{operation.value}' is not a comparison", operation,
                              hint="expected [string:|integer:|number:|version:]lt|gt|lte|gte|eq|ne")
        source = _VALUE_SOURCE.fullmatch(value.value) if value.type == "WORD" else None
        return m.Expression(
            attribute=attribute.value, operation=name.lower(), type=kind.lower() or None,
            value=source["value"] if source else _unquote(value.value),
            value_source=source["source"] if source else None, span=self._span(meta))

    def date_expression(self, meta, children):
        operation, *values = children
        op = DATE_OPS.get(operation.value.lower())
        if op is None:
            raise self._error(f"'{operation.value}' is not a date operation", operation,
                              hint="expected date lt|gt <date>, date in start=.. end=.., date spec ..")
        single = values[0].type != "DATE_NVPAIR"
        if single != (op in ("lt", "gt")):
            raise self._error(f"date {operation.value} takes "
                              + ("field=value pairs" if single else "one date"), values[0])
        if op == "lt":
            return m.DateExpression(operation=op, end=_unquote(values[0].value), span=self._span(meta))
        if op == "gt":
            return m.DateExpression(operation=op, start=_unquote(values[0].value), span=self._span(meta))
        fields = dict(_split_pair(t.value) for t in values)
        if op == "date_spec":
            return m.DateExpression(operation=op, date_spec=m.DateSpec(fields=fields),
                                    span=self._span(meta))
        start, end = fields.pop("start", None), fields.pop("end", None)
        return m.DateExpression(operation=op, start=start, end=end,
                                duration=m.DateSpec(fields=fields) if fields else None,
                                span=self._span(meta))

    # -- nodes ---------------------------------------------------------------

    def node_id(self, meta, children):
        token = children[0]
        return token.value[:-1] if token.type == "KEYCOLON" else _split_pair(token.value)[1]

    def node(self, meta, children):
        node_id = next((c for c in children if isinstance(c, str) and not isinstance(c, Token)), None)
        head = _tokens(children, "WORD")[0]
        uname, _, kind = head.value.partition(":")
        if kind and kind not in NODE_TYPES or not uname:
            raise self._error(f"'{head.value}' is not a node name", head,
                              hint="expected <uname>[:normal|member|ping|remote]")
        implicit = _parts(children, "implicit")
        return [("nodes", m.Node(
            id=node_id or uname, uname=uname, type=kind or None,
            description=_part(children, "description"),
            attributes=implicit + _parts(children, "attributes"),
            utilization=_parts(children, "utilization"), span=self._span(meta)))]

    # -- resources -----------------------------------------------------------

    def op(self, meta, children):
        name = children[0].value
        attributes, params = {}, []
        for pair in self._nvpairs(children[1:]):
            if pair.name in OP_ATTRIBUTES and pair.value is not None and pair.id_ref is None:
                attributes[pair.name] = pair.value
            else:
                params.append(pair)
        implicit = [m.AttrSet(nvpairs=params)] if params else []
        return _Part("op", m.Op(
            name=name, interval=attributes.pop("interval", "0"), id=attributes.pop("id", None),
            attributes=attributes, params=implicit + _parts(children, "params"),
            meta=_parts(children, "meta"), span=self._span(meta)))

    def operations(self, meta, children):
        found = {t.type: _split_pair(t.value)[1] for t in children}
        return _Part("operations", (found.get("ID_SPEC"), found.get("IDREF_SPEC")))

    def _primitive_fields(self, meta, children) -> dict:
        rsc_id, agent = _tokens(children, "WORD")[:2]
        ops_id, ops_id_ref = _part(children, "operations", (None, None))
        return dict(
            id=rsc_id.value, description=_part(children, "description"),
            params=_parts(children, "implicit") + _parts(children, "params"),
            meta=_parts(children, "meta"), utilization=_parts(children, "utilization"),
            ops=_parts(children, "op"), ops_id=ops_id, ops_id_ref=ops_id_ref,
            span=self._span(meta), **self._agent_fields(agent))

    def _agent_fields(self, token: Token) -> dict:
        if token.value.startswith("@"):
            return dict(template=token.value[1:])
        return _agent(token.value, self._span(token))

    def primitive(self, meta, children):
        return [("resources", m.Primitive(**self._primitive_fields(meta, children)))]

    def rsc_template(self, meta, children):
        fields = self._primitive_fields(meta, children)
        if "template" in fields:
            raise self._error("a template cannot be based on a template", _tokens(children, "WORD")[1])
        return [("resources", m.Template(**fields))]

    def _container_fields(self, meta, children) -> dict:
        return dict(description=_part(children, "description"),
                    params=_parts(children, "implicit") + _parts(children, "params"),
                    meta=_parts(children, "meta"), span=self._span(meta))

    def group(self, meta, children):
        rsc_id, *members = _tokens(children, "WORD")
        return [("resources", m.Group(id=rsc_id.value,
                                      children=[_Ref(t.value, self._span(t)) for t in members],
                                      **self._container_fields(meta, children)))]

    def _clone(self, meta, children, legacy: bool):
        rsc_id, child = _tokens(children, "WORD")
        return [("resources", m.Clone(id=rsc_id.value, child=_Ref(child.value, self._span(child)),
                                      legacy_master=legacy, **self._container_fields(meta, children)))]

    def clone(self, meta, children):
        return self._clone(meta, children, legacy=False)

    def ms(self, meta, children):
        return self._clone(meta, children, legacy=True)

    def monitor(self, meta, children):
        rsc, timing = children
        name, _, role = rsc.value.partition(":")
        interval, _, timeout = timing.value.partition(":")
        return [("monitor", _Monitor(name, role or None, interval, timeout or None, self._span(meta)))]

    # -- bundles -------------------------------------------------------------

    def _attributes(self, children) -> dict:
        return {pair.name: pair.value or "" for pair in self._nvpairs(children)}

    def container(self, meta, children):
        return _Part("container", (children[0].value, self._attributes(children[1:])))

    def _mapping(self, meta, children, cls):
        attributes = self._attributes(children)
        return cls(id=attributes.pop("id", None), attributes=attributes, span=self._span(meta))

    def port_mapping(self, meta, children):
        return self._mapping(meta, children, m.PortMapping)

    def storage_mapping(self, meta, children):
        return self._mapping(meta, children, m.StorageMapping)

    def network(self, meta, children):
        return _Part("network", m.BundleNetwork(
            attributes=self._attributes(children),
            port_mappings=[c for c in children if isinstance(c, m.PortMapping)], span=self._span(meta)))

    def storage(self, meta, children):
        return _Part("storage", children)

    def bundle_primitive(self, meta, children):
        return _Part("primitive", _Ref(children[0].value, self._span(children[0])))

    def bundle(self, meta, children):
        runtime, attributes = _part(children, "container", ("docker", {}))
        return [("resources", m.Bundle(
            id=children[0].value, runtime=runtime, runtime_attributes=attributes,
            network=_part(children, "network"),
            storage=[s for found in _parts(children, "storage") for s in found],
            primitive=_part(children, "primitive"), description=_part(children, "description"),
            meta=_parts(children, "meta"), span=self._span(meta)))]

    # -- constraints ---------------------------------------------------------

    def location_set(self, meta, children):
        return _Part("set", _resource_sets(children, "role", self.filename, self.text))

    def location_node(self, meta, children):
        score, node, *attributes = children
        return _Part("node", (_score(score.value[:-1]), node.value, attributes))

    def location(self, meta, children):
        loc_id, rsc, *rest = children
        fields = dict(id=loc_id.value, rules=[c for c in rest if isinstance(c, m.Rule)],
                      span=self._span(meta))
        if isinstance(rsc, _Part):
            fields["resource_sets"] = rsc.value
        elif rsc.type == "PATTERN":
            fields["rsc_pattern"] = rsc.value[1:-1]
        else:
            fields["rsc"] = rsc.value
        attributes = _tokens(rest, "NVPAIR", "ROLE")
        located = _part(rest, "node")
        if located is not None:
            fields["score"], fields["node"], more = located
            attributes += more
        for token in attributes:
            name, value = _split_pair(token.value)
            field = {"role": "role", "$role": "role", "resource-discovery": "resource_discovery"}.get(name)
            if field is None:
                raise self._error(f"a location has no attribute '{name}'", token,
                                  hint="expected role= or resource-discovery=")
            fields[field] = value
        return [("constraints", m.Location(**fields))]

    def _two_resources(self, kind: str, name: Token, tokens: list[Token]) -> None:
        """An order or colocation ties two resources at least: crmsh refuses one."""
        named = [t for t in tokens if t.type == "WORD" and t.value != "_rsc_set_"]
        if len(named) < 2:
            raise self._error(f"{kind} '{name.value}' names {len(named)} resource"
                              f"{'' if len(named) == 1 else 's'}; it needs two at least",
                              named[0] if named else name,
                              hint=f"{'an' if kind == 'order' else 'a'} {kind} ties a resource to another: name both")

    def colocation(self, meta, children):
        col_id, score, *tokens = children
        fields = dict(id=col_id.value, score=_score(score.value[:-1]), span=self._span(meta))
        tokens, fields["node_attribute"] = _tail(tokens, "node-attribute")
        self._two_resources("colocation", col_id, tokens)
        if _simple(tokens, 2):
            fields.update(_qualified(tokens[0].value, "rsc", "role"))
            fields.update(_qualified(tokens[1].value, "with_rsc", "role"))
        else:
            fields["resource_sets"] = _resource_sets(tokens, "role", self.filename, self.text)
        return [("constraints", m.Colocation(**fields))]

    def order(self, meta, children):
        order_id, *tokens = children
        fields = dict(id=order_id.value, span=self._span(meta))
        if tokens[0].type == "KEYCOLON":
            fields.update(self._order_kind(tokens.pop(0)))
        tokens, fields["symmetrical"] = _tail(tokens, "symmetrical")
        self._two_resources("order", order_id, tokens)
        if _simple(tokens, 2):
            fields.update(_qualified(tokens[0].value, "first", "action"))
            fields.update(_qualified(tokens[1].value, "then", "action"))
        else:
            fields["resource_sets"] = _resource_sets(tokens, "action", self.filename, self.text)
        return [("constraints", m.Order(**fields))]

    def _order_kind(self, token: Token) -> dict:
        text = token.value[:-1]
        if text.lower() in ORDER_KINDS:
            return dict(kind=ORDER_KINDS[text.lower()])
        if _NUMERIC_SCORE.fullmatch(text):
            return dict(score=_score(text))
        raise self._error(f"'{text}' is not an order kind", token,
                          hint="expected Mandatory:, Optional:, Serialize: or a score")

    def rsc_ticket(self, meta, children):
        ticket_id, ticket, *tokens = children
        fields = dict(id=ticket_id.value, ticket=ticket.value[:-1], span=self._span(meta))
        tokens, fields["loss_policy"] = _tail(tokens, "loss-policy")
        if _simple(tokens, 1):
            fields.update(_qualified(tokens[0].value, "rsc", "role"))
        else:
            fields["resource_sets"] = _resource_sets(tokens, "role", self.filename, self.text)
        return [("constraints", m.TicketConstraint(**fields))]

    # -- properties and defaults ---------------------------------------------

    def _property_set(self, section: str, meta, children):
        head = _tokens(children, "KEYCOLON", "ID_SPEC", "IDREF_SPEC")
        fields = dict(id=DEFAULT_SET_IDS[section])
        if head and head[0].type == "KEYCOLON":
            fields["id"] = head[0].value[:-1]
        elif head and head[0].type == "ID_SPEC":
            fields["id"] = _split_pair(head[0].value)[1]
        elif head:
            fields = dict(id_ref=_split_pair(head[0].value)[1])
        rules = [child for child in children if isinstance(child, m.Rule)]
        if len(rules) > 1:
            raise self._error("a property set takes one rule", rules[1].span,
                              hint="join the conditions with 'and' or 'or' in one rule")
        return [(section, m.AttrSet(nvpairs=self._nvpairs(children), rule=rules[0] if rules else None,
                                    span=self._span(meta), **fields))]

    def property(self, meta, children):
        return self._property_set("crm_config", meta, children)

    def rsc_defaults(self, meta, children):
        return self._property_set("rsc_defaults", meta, children)

    def op_defaults(self, meta, children):
        return self._property_set("op_defaults", meta, children)

    # -- the rest ------------------------------------------------------------

    def fencing_topology(self, meta, children):
        target, levels = ("all",), []
        for token in children:
            if token.type == "KEYCOLON":
                target = ("target", token.value[:-1])
            elif token.type == "TARGET_PATTERN":
                target = ("pattern", token.value[len("pattern:"):])
            elif token.type == "NVPAIR":
                name, value = _split_pair(token.value)
                if not name.startswith("attr:"):
                    raise self._error(f"'{token.value}' is not a fencing target", token,
                                      hint="expected <node>:, attr:<name>=<value> or pattern:<regex>")
                target = ("attribute", name[len("attr:"):], value)
            else:
                levels.append(_Level(target, token.value, self._span(token)))
        return [("fencing", level) for level in levels]

    def tag(self, meta, children):
        tag_id, *refs = children
        name = tag_id.value[:-1] if tag_id.type == "KEYCOLON" else tag_id.value
        return [("tags", m.Tag(id=name, refs=[r.value for r in refs], span=self._span(meta)))]

    def select(self, meta, children):
        kinds, names = [], []
        for child in children:
            if isinstance(child, Token):
                if child.value not in ("nodes", "fencing", "resources", "attributes"):
                    raise self._error(f"cannot select '{child.value}'", child,
                                      hint="expected nodes, fencing, resources or attributes { ... }")
                kinds.append(f"select_{child.value}")
            else:
                kinds.append("select_attributes")
                names.extend(child)
        return _Part("select", (kinds, names))

    def select_attributes(self, meta, children):
        return [t.value for t in _tokens(children, "WORD")]

    def recipient(self, meta, children):
        path = _tokens(children, "QUOTED", "WORD")[0]
        return _Part("recipient", m.AlertRecipient(
            id="", value=_unquote(path.value), description=_part(children, "description"),
            params=_parts(children, "attributes"), meta=_parts(children, "meta"),
            span=self._span(meta)))

    def alert(self, meta, children):
        alert_id, path = children[:2]
        kinds, names = [], []
        for found_kinds, found_names in _parts(children, "select"):
            kinds += found_kinds
            names += found_names
        recipients = [evolve(r, id=f"{alert_id.value}-recipient-{n}")  # crmsh's ids
                      for n, r in enumerate(_parts(children, "recipient"), start=1)]
        return [("alerts", m.Alert(
            id=alert_id.value, path=_unquote(path.value), description=_part(children, "description"),
            params=_parts(children, "attributes"), meta=_parts(children, "meta"),
            select=kinds, select_attributes=names, recipients=recipients, span=self._span(meta)))]

    def acl_permission(self, meta, children):
        kind, *specs = children
        attributes = {"kind": kind.value}
        for spec in specs:
            name, _, raw = spec.value.partition(":")
            name = {"ref": "reference", "tag": "object-type", "type": "object-type",
                    "attr": "attribute"}.get(name, name)
            attributes[name] = _unquote(raw)
        return m.XmlElement(tag="acl_permission", attributes=attributes, span=self._span(meta))

    def acl_role(self, meta, children):
        role_id = children[0].value
        permissions = [c for c in children if isinstance(c, m.XmlElement)]
        attributes = {"id": role_id}
        description = _part(children, "description")
        if description is not None:
            attributes["description"] = description
        return [("acls", m.XmlElement(tag="acl_role", attributes=attributes, children=permissions,
                                      span=self._span(meta)))]

    def _acl_member(self, tag: str, meta, children):
        holder, *roles = children
        return [("acls", m.XmlElement(
            tag=tag, attributes={"id": holder.value},
            children=[m.XmlElement(tag="role", attributes={"id": r.value}, span=self._span(r))
                      for r in roles], span=self._span(meta)))]

    def acl_target(self, meta, children):
        return self._acl_member("acl_target", meta, children)

    def acl_group(self, meta, children):
        return self._acl_member("acl_group", meta, children)

    def xml(self, meta, children):
        return _xml_items(children[0], self.filename)


# -- resource sets -----------------------------------------------------------

def _tail(tokens: list[Token], name: str) -> tuple[list[Token], str | None]:
    """crmsh takes a constraint's trailing ``name=value`` off before the resources."""
    if tokens and tokens[-1].type == "NVPAIR":
        key, value = _split_pair(tokens[-1].value)
        if key == name:
            return tokens[:-1], value
    return tokens, None


def _simple(tokens: list[Token], count: int) -> bool:
    """A constraint between ``count`` plain resources, not a set (crmsh's rule)."""
    return len(tokens) == count and all(t.type == "WORD" for t in tokens)


def _qualified(text: str, field: str, qualifier: str) -> dict:
    """``rsc[:role]`` / ``rsc[:action]``; a number is a clone instance."""
    name, _, suffix = text.partition(":")
    fields = {field: name}
    if suffix:
        fields[f"{field}_{'instance' if suffix.isdigit() else qualifier}"] = suffix
    return fields


class _SetParser:
    """crmsh's resource set syntax: ``a b ( c d ) [ e f ] g:Started``.

    A run of resources is one set; ``( )`` makes it non-sequential, ``[ ]``
    also drops require-all; a change of role or action starts a new set.
    """

    def __init__(self, qualifier: str, filename: str, source: str):
        self.qualifier = qualifier
        self.filename = filename
        self.source = source
        self.sets: list[m.ResourceSet] = []
        self.members: list[str] = []
        self.first: Token | None = None  # where the set being read starts
        self.suffix = ""
        self.opened: Token | None = None
        self.sequential = True
        self.require_all = True

    def span(self, token: Token) -> Span:
        return Span(self.filename, token.line, token.column, token.end_line, token.end_column)

    def _error(self, message: str, token: Token, hint: str = "") -> CrmSyntaxError:
        return CrmSyntaxError(message, self.span(token), source=self.source, hint=hint)

    def save(self):
        if not self.members:
            return
        self.sets.append(m.ResourceSet(
            resources=self.members, sequential=None if self.sequential else "false",
            require_all=None if self.require_all else "false", span=self.span(self.first),
            **({self.qualifier: self.suffix} if self.suffix else {})))
        self.members, self.suffix = [], ""

    def open(self, token: Token):
        if self.opened is not None:
            raise self._error("resource sets cannot nest", token)
        self.save()
        self.opened = token
        self.sequential = False
        self.require_all = token.value != "["

    def close(self, token: Token):
        if self.opened is None:
            raise self._error(f"'{token.value}' closes no set", token)
        if {"(": ")", "[": "]"}[self.opened.value] != token.value:
            raise self._error(f"'{token.value}' does not match '{self.opened.value}'", token,
                              hint=f"expected '{ {'(': ')', '[': ']'}[self.opened.value] }'")
        if not self.members:
            raise self._error("empty resource set", token)
        self.save()
        self.opened = None
        self.sequential = self.require_all = True

    def option(self, token: Token):
        name, value = _split_pair(token.value)
        if name not in ("sequential", "require-all"):
            raise self._error(f"a resource set has no option '{name}'", token,
                              hint="expected sequential= or require-all=")
        if value.lower() not in ("true", "false", "yes", "no", "on", "off", "1", "0"):
            raise self._error(f"'{value}' is not a boolean", token)
        setattr(self, name.replace("-", "_"), value.lower() in ("true", "yes", "on", "1"))

    def resource(self, token: Token):
        name, _, suffix = token.value.partition(":")
        if suffix != self.suffix:
            self.save()
            self.suffix = suffix
        if not self.members:
            self.first = self.opened or token
        self.members.append(name)

    def parse(self, tokens) -> tuple[m.ResourceSet, ...]:
        for token in tokens:
            if token.value == "_rsc_set_":  # crmsh's mark for a set of two
                continue
            if token.type in ("LPAR", "LSQB"):
                self.open(token)
            elif token.type in ("RPAR", "RSQB"):
                self.close(token)
            elif token.type == "NVPAIR":
                self.option(token)
            else:
                self.resource(token)
        if self.opened is not None:
            raise self._error(f"'{self.opened.value}' is never closed", self.opened)
        self.save()
        return tuple(self.sets)


def _resource_sets(tokens, qualifier: str, filename: str, source: str) -> tuple[m.ResourceSet, ...]:
    return _SetParser(qualifier, filename, source).parse(tokens)


# -- xml blocks --------------------------------------------------------------

_XML_SECTIONS = {
    "primitive": "resources", "template": "resources", "group": "resources", "clone": "resources",
    "master": "resources", "bundle": "resources",
    "rsc_location": "constraints", "rsc_colocation": "constraints", "rsc_order": "constraints",
    "rsc_ticket": "constraints", "node": "nodes", "cluster_property_set": "crm_config",
    "tag": "tags", "alert": "alerts",
    "acl_role": "acls", "acl_target": "acls", "acl_group": "acls", "acl_user": "acls",
}
_SECTION_FIELDS = {"crm_config": "crm_config", "nodes": "nodes", "resources": "resources",
                   "constraints": "constraints", "fencing-topology": "fencing_topology",
                   "rsc_defaults": "rsc_defaults", "op_defaults": "op_defaults", "tags": "tags",
                   "alerts": "alerts", "acls": "acls"}


def _xml_items(token: Token, filename: str) -> list[tuple[str, object]]:
    """An ``xml <...>`` block's objects, read by the XML reader.

    The fragment is padded so that the XML parser's positions are the crm
    file's own.
    """
    from pengine.cib.cib_xml import XmlReader
    from pengine.cib.xml_source import Element, parse_xml

    body = re.sub(r"\\[ \t]*(?=\r?\n)", lambda match: " " * len(match[0]), token.value)
    padded = "\n" * (token.line - 1) + " " * (token.column - 1) + body
    try:
        element = parse_xml(padded, filename)
    except XmlInputError as error:
        raise CrmSyntaxError(f"xml block: {error.message}", error.span,
                             hint=error.hint or "expected one well-formed XML element") from None
    section = _xml_section(element, filename)
    if section != element.tag:
        holder = Element(section, {}, element.line, element.column)
        holder.children = [element]
        element = holder
    root = Element("configuration", {}, element.line, element.column)
    root.children = [element]
    configuration = XmlReader(filename).configuration(root)
    field = _SECTION_FIELDS[section]
    return [(field, item) for item in getattr(configuration, field)]


def _xml_section(element, filename: str) -> str:
    """The configuration section an element belongs to.

    crmsh shows an rsc_defaults or op_defaults set that it cannot render as a
    bare ``<meta_attributes>``; only op_defaults rules test operations.
    """
    if element.tag in _SECTION_FIELDS:
        return element.tag
    if element.tag == "meta_attributes":
        return "op_defaults" if _has_descendant(element, "op_expression") else "rsc_defaults"
    if element.tag in _XML_SECTIONS:
        return _XML_SECTIONS[element.tag]
    raise CrmSyntaxError(f"<{element.tag}> is not a configuration element", element.span(filename),
                         hint="expected a resource, constraint, node, property set or other "
                              "element of <configuration>")


def _has_descendant(element, tag: str) -> bool:
    return any(child.tag == tag or _has_descendant(child, tag) for child in element.children)


# -- assembly ----------------------------------------------------------------

def _assemble(items: list[tuple[str, object]]) -> m.Configuration:
    sections = defaultdict(list)
    for section, item in items:
        sections[section].append(item)
    resources = _attach_monitors(_resolve(sections["resources"]), sections["monitor"])
    levels = _fencing_levels(sections["fencing"], sections["nodes"])
    return m.Configuration(
        crm_config=_merge_sets(sections["crm_config"]),
        rsc_defaults=_merge_sets(sections["rsc_defaults"]),
        op_defaults=_merge_sets(sections["op_defaults"]),
        nodes=sections["nodes"], resources=resources, constraints=sections["constraints"],
        fencing_topology=sections["fencing_topology"] + levels, tags=sections["tags"],
        alerts=sections["alerts"], acls=sections["acls"])


def _resolve(defined: list) -> list:
    """Put each resource that a group, clone or bundle names inside it.

    A name that no statement defines becomes an empty primitive, for
    validation to report.  A resource that an ``xml`` block already holds is
    the same object, shown twice.
    """
    by_id = {}
    for rsc in defined:
        by_id.setdefault(rsc.id, rsc)
    used = set()

    def resolve(rsc, seen: frozenset):
        if isinstance(rsc, _Ref):
            target = by_id.get(rsc.id)
            if rsc.id in seen:
                raise CrmSyntaxError(f"'{rsc.id}' contains itself", rsc.span,
                                     hint="a group, clone or bundle holds other resources "
                                          "(is an id used twice?)")
            if target is None:
                return m.Primitive(id=rsc.id, span=rsc.span)
            used.add(id(target))
            return resolve(target, seen | {rsc.id})
        if isinstance(rsc, m.Group):
            _refuse_repeated_members(rsc)
            children = [resolve(c, seen) for c in rsc.children]
            for ref, child in zip(rsc.children, children):
                _refuse_nesting(rsc, "group", ref, child, (m.Primitive,),
                                "a group holds primitives only")
            return evolve(rsc, children=children)
        if isinstance(rsc, m.Clone):
            child = resolve(rsc.child, seen)
            _refuse_nesting(rsc, "clone", rsc.child, child, (m.Primitive, m.Group),
                            "a clone holds one primitive or group")
            return evolve(rsc, child=child)
        if isinstance(rsc, m.Bundle) and rsc.primitive is not None:
            child = resolve(rsc.primitive, seen)
            _refuse_nesting(rsc, "bundle", rsc.primitive, child, (m.Primitive,),
                            "a bundle holds one primitive")
            return evolve(rsc, primitive=child)
        return rsc

    resolved = [(rsc, resolve(rsc, frozenset({rsc.id}))) for rsc in defined]
    top = [done for rsc, done in resolved if id(rsc) not in used]
    # crmsh also shows the members of a container it prints as xml on their own
    nested = {inner.id for rsc in top for inner in m.walk_resources([rsc]) if inner is not rsc}
    return [rsc for rsc in top if rsc.id not in nested]


def _refuse_repeated_members(group: m.Group) -> None:
    """``group g a b a``: Pacemaker cannot hold a resource twice."""
    seen = set()
    for ref in group.children:
        ref_id = getattr(ref, "id", None)
        if ref_id in seen:
            raise CrmSyntaxError(f"group {group.id} lists '{ref_id}' twice",
                                 getattr(ref, "span", None) or group.span,
                                 hint="name each member once")
        seen.add(ref_id)


def _refuse_nesting(container, kind: str, ref, child, allowed: tuple, why: str) -> None:
    """A group in a group, a clone in a group or in a clone...: Pacemaker's
    schema refuses them, and the scheduler has no meaning for them."""
    if isinstance(child, allowed) or isinstance(child, m.Template):
        return
    what = {m.Group: "group", m.Clone: "clone", m.Bundle: "bundle"}.get(type(child), "resource")
    raise CrmSyntaxError(f"{kind} {container.id} cannot hold the {what} '{child.id}': {why}",
                         getattr(ref, "span", None) or container.span,
                         hint="put the members of the inner resource here instead")


def _attach_monitors(resources: list, monitors: list[_Monitor]) -> list:
    """``monitor rsc:role interval:timeout`` adds a monitor op to the primitive."""
    for monitor in monitors:
        attributes = {k: v for k, v in (("role", monitor.role), ("timeout", monitor.timeout)) if v}
        op = m.Op(name="monitor", interval=monitor.interval, attributes=attributes, span=monitor.span)
        found = []
        resources = [_add_op(rsc, monitor.rsc, op, found) for rsc in resources]
        if not found:
            raise CrmSyntaxError(f"monitor names '{monitor.rsc}', which is no primitive here",
                                 monitor.span, hint="define the primitive in the same file")
    return resources


def _add_op(rsc, rsc_id: str, op: m.Op, found: list):
    if isinstance(rsc, m.Primitive) and rsc.id == rsc_id:
        found.append(rsc)
        return evolve(rsc, ops=rsc.ops + (op,))
    if isinstance(rsc, m.Group):
        return evolve(rsc, children=[_add_op(c, rsc_id, op, found) for c in rsc.children])
    if isinstance(rsc, m.Clone):
        return evolve(rsc, child=_add_op(rsc.child, rsc_id, op, found))
    if isinstance(rsc, m.Bundle) and rsc.primitive is not None:
        return evolve(rsc, primitive=_add_op(rsc.primitive, rsc_id, op, found))
    return rsc


def _fencing_levels(levels: list[_Level], nodes: list[m.Node]) -> list[m.FencingLevel]:
    """Number each target's levels from 1; a level without a target is every node's."""
    expanded = []
    for level in levels:
        if level.target == ("all",):
            expanded += [evolve(level, target=("target", n.uname)) for n in nodes]
        else:
            expanded.append(level)
    counts = defaultdict(int)
    out = []
    for level in expanded:
        counts[level.target] += 1
        index = str(counts[level.target])
        kind, *what = level.target
        target = dict(target=what[0]) if kind == "target" else (
            dict(target_pattern=what[0]) if kind == "pattern"
            else dict(target_attribute=what[0], target_value=what[1]))
        out.append(m.FencingLevel(id="", index=index,  # crmsh's id comes with the others
                                  devices=level.devices, span=level.span, **target))
    return out


def _merge_sets(sets: list[m.AttrSet]) -> list[m.AttrSet]:
    """Statements naming the same plain set add to it, as in crmsh
    (``property a=1`` then ``property b=2`` make one cib-bootstrap-options)."""
    merged: list[m.AttrSet] = []
    for attr_set in sets:
        same = next((i for i, s in enumerate(merged) if s.id and s.id == attr_set.id
                     and _plain(s) and _plain(attr_set)), None)
        if same is None:
            merged.append(attr_set)
            continue
        names = {p.name for p in attr_set.nvpairs}
        kept = [p for p in merged[same].nvpairs if p.name not in names]
        merged[same] = evolve(merged[same], nvpairs=kept + list(attr_set.nvpairs))
    return merged


def _plain(attr_set: m.AttrSet) -> bool:
    return attr_set.rule is None and attr_set.score is None and attr_set.id_ref is None


# -- syntax errors -----------------------------------------------------------

# Mistakes worth a message of their own: label -> (inputs that make them, hint).
_EXAMPLES = {
    "unknown statement": (
        ["foo bar\n", "node n\nfoo bar\n", "primitiv p Dummy\n"],
        "expected a statement: node, primitive, group, clone, ms, bundle, rsc_template, location, "
        "colocation, order, rsc_ticket, property, rsc_defaults, op_defaults, fencing_topology, "
        "tag, alert, role, acl_target or xml"),
    "a clause on a line of its own": (
        ["node n\nparams a=1\n", "node n\nmeta a=1\n", "node n\nattributes a=1\n",
         "node n\nutilization a=1\n", "node n\nop start\n", "node n\nrule a eq b\n",
         "node n\noperations $id=o\n"],
        "end the line before with '\\' to continue its statement"),
    "missing name": (["primitive\n", "node\n", "location\n", "group\n", "clone\n"],
                     "expected the object's id"),
    "missing node name": (["node $id=x\n", "node 1:\n"], "expected <uname>[:<type>]"),
    "missing node": (["location l r 100:\n"], "expected the node name after the score"),
    "missing resource agent": (["primitive p\n", "rsc_template t\n"],
                               "expected [class:[provider:]]type or @template, as in ocf:heartbeat:IPaddr2"),
    "missing score": (["colocation c a b\n"], "expected <score>:, as in 'colocation c inf: a b'"),
    "missing ticket": (["rsc_ticket t a b\n"], "expected <ticket>:, as in 'rsc_ticket t ticketA: a'"),
    "incomplete location": (["location l r\n", "location l r role=Started\n"],
                            "expected <score>: <node> or rule ..."),
    "missing resource": (["location l\n", "colocation c inf:\n", "order o\n", "order o Mandatory:\n",
                          "clone c\n", "group g\n", "rsc_ticket t ticketA:\n"],
                         "expected a resource id"),
    "incomplete rule": (["location l r rule\n", "location l r rule 10:\n",
                         "location l r rule a eq b and\n"],
                        "expected <attribute> <op> <value>, defined <attribute> or date ..."),
    "missing comparison": (["location l r rule #uname\n"],
                           "expected lt, gt, lte, gte, eq or ne (optionally string:, integer:, "
                           "number: or version:)"),
    "missing value": (["location l r rule #uname eq\n", "location l r rule date lt\n"],
                      "expected the value to compare with"),
    "missing operation name": (["primitive p Dummy op\n"], "expected start, stop, monitor, ..."),
    "unterminated set": (["location l { a b\n"], "expected '}'"),
}

_TERMINAL_NAMES = {
    "WORD": "a name", "NVPAIR": "name=value", "KEYCOLON": "<score>: or <id>:",
    "_NL": "end of line", "$END": "end of input", "QUOTED": "a quoted string",
    "ID_SPEC": "$id=", "IDREF_SPEC": "$id-ref=", "ROLE": "role=", "DESCRIPTION": "description=",
    "DATE_NVPAIR": "start=, end=, hours=... (a date field)", "PATTERN": "/<pattern>/",
    "TARGET_PATTERN": "pattern:<regex>", "ACL_SPEC": "xpath:, ref:, tag: or attribute:",
    "SELECT_ATTRIBUTES": "attributes {", "XML_BODY": "an XML element",
}


def _terminal_name(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = _parser().get_terminal(name).pattern
    except KeyError:
        return name
    return f"'{pattern.value}'" if pattern.type == "str" else name


def _expected(names) -> str:
    described = sorted({_terminal_name(n) for n in names})
    if len(described) > 12:
        described = described[:12] + ["..."]
    return "expected " + (described[0] if len(described) == 1 else "one of " + ", ".join(described))


@lru_cache(maxsize=None)
def _example_inputs() -> dict[str, list[str]]:
    """Each example as a first statement, after a blank line and after another
    statement: the parser's stack, which lark compares, differs between them."""
    return {label: [prefix + text for text in inputs for prefix in ("", "\n", "node n\n")]
            for label, (inputs, _) in _EXAMPLES.items()}


def _syntax_error(error: UnexpectedInput, text: str, filename: str) -> CrmSyntaxError:
    """A lark error as a CrmSyntaxError: position, what was found, what was expected."""
    span = Span(filename, error.line, error.column)
    unclosed = _unclosed_quote(text, error.line)
    if unclosed is not None:
        # crmsh reads a statement line by line: a quote runs to the end of its
        # line, so one never closed is wrong where it opens, not where the
        # parser gave up (maybe at the next quote, lines further down)
        line, column, char = unclosed
        return CrmSyntaxError("unterminated quote", Span(filename, line, column), source=text,
                              hint=f"close the {char} on this line")
    if isinstance(error, UnexpectedCharacters):
        char = text[error.pos_in_stream]
        if char in "\"'":
            return CrmSyntaxError("unterminated quote", span, source=text,
                                  hint=f"close the {char} on this line")
        return CrmSyntaxError(f"unexpected character {char!r}", span, source=text,
                              hint=_expected(error.allowed or ()))
    token = error.token if isinstance(error, UnexpectedToken) else None
    found = "end of line" if token is None or token.type in ("_NL", "$END") else f"'{token.value}'"
    label = error.match_examples(_parser().parse, _example_inputs(), use_accepts=True)
    if label:
        return CrmSyntaxError(f"{label}: unexpected {found}", span, source=text, hint=_EXAMPLES[label][1])
    expected = getattr(error, "accepts", None) or getattr(error, "expected", ())
    message = f"unexpected {found}"
    return CrmSyntaxError(message, span, source=text, hint=_expected(expected))


def _unclosed_quote(text: str, last_line: int) -> tuple[int, int, str] | None:
    """(line, column, quote) of the first quote that its logical line (lines
    joined by a trailing ``\\``) leaves open, up to line ``last_line``."""
    line, column = 1, 0
    opened = None  # (line, column, char) of the open quote
    escaped = False
    at_line_start = True
    comment = False
    for char in text:
        column += 1
        if char == "\n":
            if opened is not None and not escaped:
                return opened
            if line >= last_line and opened is None:
                return None
            line, column = line + 1, 0
            comment, at_line_start = False, not escaped or at_line_start
            escaped = False
            continue
        if comment:
            continue
        if at_line_start and char in " \t":
            continue
        if at_line_start and opened is None and char == "#":
            comment = True
            continue
        at_line_start = False
        if escaped:
            escaped = False
        elif char == "\\" and (opened is None or opened[2] == '"'):
            escaped = True
        elif opened is None and char in "\"'":
            opened = (line, column, char)
        elif opened is not None and char == opened[2]:
            opened = None
    return opened


# ================================================================ writing ===

_PLAIN_VALUE = re.compile(r"[^\s\"'\\]+")
_PLAIN_WORD = re.compile(r"[^\s=\"'\\(){}\[\]]+")
_HEAD_ID = re.compile(r"[\w.-]+")
_DATE_FIELDS = frozenset({"start", "end", "seconds", "minutes", "hours", "days", "monthdays",
                          "weekdays", "yeardays", "yearsdays", "months", "weeks", "years",
                          "weekyears", "moon"})
# words the reader would take for keywords where a value-less name may stand
_KEYWORDS = RESERVED | {"and", "or", "defined", "not_defined", "date", "description", "to",
                        "select", "docker", "rkt", "podman", "network", "storage", "primitive",
                        "port-mapping", "storage-mapping"}


_MAPPING_BREAK = " \\\n\t\t"  # each port or storage mapping on a line of its own


class _NotCrm(Exception):
    """The crm syntax cannot say this; the object is written as an xml block."""


def write_crm(config: m.Configuration) -> str:
    """The configuration as ``crm configure show`` prints it."""
    writer = _Writer(config)
    return "".join(f"{statement}\n" for statement in writer.statements())


def _quote(value: str) -> str:
    """A value as a shell word: bare when it can be, else double-quoted."""
    if _PLAIN_VALUE.fullmatch(value) and not value.startswith("#"):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _word(text: str | None) -> str:
    """A name where the grammar wants a WORD; anything else is not crm."""
    if not text or not _PLAIN_WORD.fullmatch(text) or text.endswith(":"):
        raise _NotCrm(text)
    return text


def _value_word(text: str) -> str:
    """An expression value: a WORD, or quoted."""
    if _PLAIN_WORD.fullmatch(text) and not text.endswith(":") and "{" not in text:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _score_text(score: str) -> str:
    return _word(score.replace("INFINITY", "inf"))


def _statement(*clauses: str) -> str:
    return " \\\n\t".join(clause for clause in clauses if clause)


def _referenced_ids(value, out: set) -> set:
    """Every id that some id-ref names: crmsh shows those ids, and only those."""
    if isinstance(value, tuple):
        for item in value:
            _referenced_ids(item, out)
    elif hasattr(value, "__attrs_attrs__"):
        for field in value.__attrs_attrs__:
            item = getattr(value, field.name)
            if field.name in ("id_ref", "ops_id_ref") and item:
                out.add(item)
            elif isinstance(item, tuple) or hasattr(item, "__attrs_attrs__"):
                _referenced_ids(item, out)
    return out


class _Writer:
    def __init__(self, config: m.Configuration):
        self.config = config
        self.referenced = _referenced_ids(config, set())

    def statements(self):
        c = self.config
        for node in c.nodes:
            yield self.guarded(self.node, node, "nodes")
        for rsc in c.resources:
            yield from self.resource(rsc)
        for tag in c.tags:
            yield self.guarded(self.tag, tag, "tags")
        for constraint in c.constraints:
            yield self.guarded(self.constraint, constraint, "constraints")
        if c.fencing_topology:
            yield self.guarded(self.fencing, c.fencing_topology, "fencing_topology")
        for section, keyword in (("crm_config", "property"), ("rsc_defaults", "rsc_defaults"),
                                 ("op_defaults", "op_defaults")):
            for attr_set in getattr(c, section):
                yield self.guarded(lambda s, k=keyword: self.property_set(k, s), attr_set, section)
        for acl in c.acls:
            yield _xml_block(_acl_xml(acl))
        for alert in c.alerts:
            yield self.guarded(self.alert, alert, "alerts")

    def guarded(self, write, obj, section: str) -> str:
        try:
            return write(obj)
        except _NotCrm:
            return _xml_block(_object_xml(section, obj))

    # -- sets, rules, pairs --------------------------------------------------

    def nvpair(self, pair: m.NvPair) -> str:
        if pair.id_ref:
            if pair.value is not None:
                raise _NotCrm(pair)
            return f"@{_word(pair.id_ref)}" + (f":{_word(pair.name)}" if pair.name else "")
        name = _word(pair.name)
        if name.startswith(("$", "@")):
            raise _NotCrm(pair)
        if pair.value is None:
            if name.lower() in _KEYWORDS:
                raise _NotCrm(pair)
            return name
        prefix = f"${_word(pair.id)}:" if pair.id in self.referenced else ""
        return f"{prefix}{name}={_quote(pair.value)}"

    def attr_set(self, keyword: str, attr_set: m.AttrSet) -> str:
        if attr_set.id_ref:
            if attr_set.nvpairs or attr_set.rule or attr_set.score or attr_set.id:
                raise _NotCrm(attr_set)
            return f"{keyword} $id-ref={_quote(attr_set.id_ref)}"
        words = [keyword]
        if attr_set.id in self.referenced:
            words.append(f"$id={_quote(attr_set.id)}")
        if attr_set.score:
            words.append(f"{_word(attr_set.score)}:")
        if attr_set.rule is not None:
            words.append(self.rule(attr_set.rule))
            if attr_set.nvpairs and _ends_with_date_fields(attr_set.rule):
                if attr_set.nvpairs[0].name in _DATE_FIELDS:
                    raise _NotCrm(attr_set)
        words += [self.nvpair(pair) for pair in attr_set.nvpairs]
        return " ".join(words)

    def rule(self, rule: m.Rule) -> str:
        words = ["rule"]
        if rule.id_ref:
            if rule.expressions:
                raise _NotCrm(rule)
            words.append(f"$id-ref={_quote(rule.id_ref)}")
            return " ".join(words + ([f"$role={_quote(rule.role)}"] if rule.role else []))
        if rule.id in self.referenced:
            words.append(f"$id={_quote(rule.id)}")
        if rule.role:
            words.append(f"$role={_quote(rule.role)}")
        if rule.score_attribute:
            if rule.score is not None or _NUMERIC_SCORE.fullmatch(rule.score_attribute):
                raise _NotCrm(rule)
            words.append(f"{_word(rule.score_attribute)}:")
        elif rule.score != "INFINITY":  # crmsh leaves INFINITY out; no score reads as it
            if rule.score is None:
                raise _NotCrm(rule)
            words.append(f"{_score_text(rule.score)}:")
        if not rule.expressions or rule.boolean_op not in (None, "and", "or"):
            raise _NotCrm(rule)
        if rule.boolean_op == "or" and len(rule.expressions) == 1:
            raise _NotCrm(rule)  # an operator shows only between two expressions
        joiner = f" {rule.boolean_op or 'and'} "
        return " ".join(words) + " " + joiner.join(self.expression(e) for e in rule.expressions)

    def expression(self, item) -> str:
        if isinstance(item, m.DateExpression):
            return _date_expression(item)
        if not isinstance(item, m.Expression):
            raise _NotCrm(item)
        attribute = _word(item.attribute)
        if item.operation in ("defined", "not_defined"):
            if item.value is not None or item.type:
                raise _NotCrm(item)
            return f"{item.operation} {attribute}"
        if item.operation not in BINARY_OPS or item.value is None:
            raise _NotCrm(item)
        if item.type and item.type not in EXPRESSION_TYPES:
            raise _NotCrm(item)
        operation = f"{item.type}:{item.operation}" if item.type else item.operation
        return f"{attribute} {operation} {self.expression_value(item)}"

    @staticmethod
    def expression_value(item: m.Expression) -> str:
        if item.value_source is None:
            value = _value_word(item.value)
            if _VALUE_SOURCE.fullmatch(value):
                raise _NotCrm(item)
            return value
        if item.value_source == "literal":
            raise _NotCrm(item)
        text = f"{item.value_source}{{{item.value}}}"
        if not _VALUE_SOURCE.fullmatch(text) or not _PLAIN_WORD.fullmatch(item.value_source):
            raise _NotCrm(item)
        return text

    # -- nodes and resources -------------------------------------------------

    def node(self, node: m.Node) -> str:
        if node.score is not None or (node.type and node.type not in NODE_TYPES):
            raise _NotCrm(node)
        head = "node"
        if node.id != node.uname:
            head += f" {node.id}:" if _HEAD_ID.fullmatch(node.id) else f" $id={_quote(node.id)}"
        uname = _word(node.uname)
        if ":" in uname:
            raise _NotCrm(node)
        head += f" {uname}" + (f":{node.type}" if node.type else "")
        return _statement(head, self.description(node.description),
                          *[self.attr_set("attributes", s) for s in node.attributes],
                          *[self.attr_set("utilization", s) for s in node.utilization])

    @staticmethod
    def description(text: str | None) -> str:
        return f"description={_quote(text)}" if text is not None else ""

    def resource(self, rsc):
        """A resource's statements: its members first, then itself."""
        try:
            head = self.resource_statement(rsc)
        except _NotCrm:
            yield _xml_block(_object_xml("resources", rsc))
            return
        for member in _members(rsc):
            yield from self.resource(member)
        yield head

    def resource_statement(self, rsc) -> str:
        if isinstance(rsc, m.Primitive):
            return self.primitive("primitive", rsc)
        if isinstance(rsc, m.Template):
            return self.primitive("rsc_template", rsc)
        if isinstance(rsc, m.Group):
            if not rsc.children or not all(isinstance(c, m.Primitive) for c in rsc.children):
                raise _NotCrm(rsc)
            return self.container(f"group {_word(rsc.id)} " + " ".join(_word(c.id) for c in rsc.children),
                                  rsc)
        if isinstance(rsc, m.Clone):
            if not isinstance(rsc.child, (m.Primitive, m.Group)):
                raise _NotCrm(rsc)
            keyword = "ms" if rsc.legacy_master else "clone"
            return self.container(f"{keyword} {_word(rsc.id)} {_word(rsc.child.id)}", rsc)
        if isinstance(rsc, m.Bundle):
            return self.bundle(rsc)
        raise _NotCrm(rsc)

    def container(self, head: str, rsc) -> str:
        return _statement(head, self.description(rsc.description),
                          *[self.attr_set("params", s) for s in rsc.params],
                          *[self.attr_set("meta", s) for s in rsc.meta])

    def primitive(self, keyword: str, rsc) -> str:
        agent = f"@{_word(rsc.template)}" if getattr(rsc, "template", None) else _agent_text(rsc)
        operations = ""
        if rsc.ops_id or rsc.ops_id_ref:
            operations = " ".join(["operations"] + ([f"$id={_quote(rsc.ops_id)}"] if rsc.ops_id else [])
                                  + ([f"$id-ref={_quote(rsc.ops_id_ref)}"] if rsc.ops_id_ref else []))
        return _statement(f"{keyword} {_word(rsc.id)} {agent}", self.description(rsc.description),
                          *[self.attr_set("params", s) for s in rsc.params],
                          *[self.attr_set("meta", s) for s in rsc.meta],
                          *[self.attr_set("utilization", s) for s in rsc.utilization],
                          operations, *[self.op(op) for op in rsc.ops])

    def op(self, op: m.Op) -> str:
        if op.id_ref or not op.name or set(dict(op.attributes)) - OP_ATTRIBUTES - {"name", "interval", "id"}:
            raise _NotCrm(op)
        words = [f"op {_word(op.name)}", f"interval={_quote(op.interval)}"]
        words += [f"{name}={_quote(value)}" for name, value in op.attributes]
        return _statement(" ".join(words), *[self.attr_set("op_params", s) for s in op.params],
                          *[self.attr_set("op_meta", s) for s in op.meta])

    def bundle(self, rsc: m.Bundle) -> str:
        if rsc.params or rsc.runtime not in ("docker", "rkt", "podman"):
            raise _NotCrm(rsc)
        clauses = [f"bundle {_word(rsc.id)}", self.description(rsc.description),
                   " ".join([rsc.runtime] + [_attribute(k, v) for k, v in rsc.runtime_attributes])]
        if rsc.network is not None:
            clauses.append(_MAPPING_BREAK.join(
                [" ".join(["network"] + [_attribute(k, v) for k, v in rsc.network.attributes])]
                + [_mapping("port-mapping", p) for p in rsc.network.port_mappings]))
        if rsc.storage:
            clauses.append(_MAPPING_BREAK.join(["storage"] + [_mapping("storage-mapping", s)
                                                              for s in rsc.storage]))
        if rsc.primitive is not None:
            clauses.append(f"primitive {_word(rsc.primitive.id)}")
        return _statement(*clauses, *[self.attr_set("meta", s) for s in rsc.meta])

    # -- constraints ---------------------------------------------------------

    def constraint(self, c) -> str:
        if isinstance(c, m.Location):
            return self.location(c)
        if isinstance(c, m.Colocation):
            return self.colocation(c)
        if isinstance(c, m.Order):
            return self.order(c)
        return self.ticket(c)

    def location(self, c: m.Location) -> str:
        if sum(x is not None and x != () for x in (c.rsc, c.rsc_pattern, c.resource_sets)) != 1:
            raise _NotCrm(c)
        if (c.score is None) == (not c.rules) or (c.score is None) != (c.node is None):
            raise _NotCrm(c)
        if c.rsc is not None:
            what = _word(c.rsc)
        elif c.rsc_pattern is not None:
            if not re.fullmatch(r"\S+", c.rsc_pattern):
                raise _NotCrm(c)
            what = f"/{c.rsc_pattern}/"
        else:
            what = "{ " + " ".join(_set_tokens(c.resource_sets, "role")) + " }"
        words = [f"location {_word(c.id)} {what}"]
        if c.role:
            words.append(f"role={_quote(c.role)}")
        if c.resource_discovery:
            words.append(f"resource-discovery={_quote(c.resource_discovery)}")
        if c.score is not None:
            return " ".join(words + [f"{_score_text(c.score)}: {_word(c.node)}"])
        return _statement(" ".join(words), *[self.rule(rule) for rule in c.rules])

    def colocation(self, c: m.Colocation) -> str:
        if c.score is None or c.influence is not None:
            raise _NotCrm(c)
        tokens = _pair_tokens(c, ("rsc", "with_rsc"), "role", 2)
        tail = [f"node-attribute={_quote(c.node_attribute)}"] if c.node_attribute is not None else []
        return " ".join([f"colocation {_word(c.id)} {_score_text(c.score)}:"] + tokens + tail)

    def order(self, c: m.Order) -> str:
        if c.kind and c.score or c.require_all is not None:
            raise _NotCrm(c)
        head = [f"order {_word(c.id)}"]
        if c.kind:
            if c.kind.lower() not in ORDER_KINDS:
                raise _NotCrm(c)
            head.append(f"{c.kind}:")
        elif c.score:
            if not _NUMERIC_SCORE.fullmatch(c.score):
                raise _NotCrm(c)
            head.append(f"{_score_text(c.score)}:")
        tokens = _pair_tokens(c, ("first", "then"), "action", 2)
        tail = [f"symmetrical={_quote(c.symmetrical)}"] if c.symmetrical is not None else []
        return " ".join(head + tokens + tail)

    def ticket(self, c: m.TicketConstraint) -> str:
        tokens = _pair_tokens(c, ("rsc",), "role", 1)
        tail = [f"loss-policy={_quote(c.loss_policy)}"] if c.loss_policy is not None else []
        return " ".join([f"rsc_ticket {_word(c.id)} {_word(c.ticket)}:"] + tokens + tail)

    # -- the rest ------------------------------------------------------------

    def property_set(self, keyword: str, attr_set: m.AttrSet) -> str:
        if attr_set.score is not None or attr_set.id is None and attr_set.id_ref is None:
            raise _NotCrm(attr_set)
        if attr_set.id_ref:
            if attr_set.id or attr_set.nvpairs or attr_set.rule:
                raise _NotCrm(attr_set)
            return f"{keyword} $id-ref={_quote(attr_set.id_ref)}"
        head = f"{attr_set.id}:" if _HEAD_ID.fullmatch(attr_set.id) else f"$id={_quote(attr_set.id)}"
        rule = [self.rule(attr_set.rule)] if attr_set.rule is not None else []
        if rule and attr_set.nvpairs and _ends_with_date_fields(attr_set.rule) \
                and attr_set.nvpairs[0].name in _DATE_FIELDS:
            raise _NotCrm(attr_set)
        return _statement(f"{keyword} {head}", *rule, *[self.nvpair(p) for p in attr_set.nvpairs])

    def fencing(self, levels) -> str:
        counts = defaultdict(int)
        clauses = []
        for level in levels:
            target = _fencing_target(level)
            counts[target] += 1
            if level.index != str(counts[target]):
                raise _NotCrm(level)
            devices = _word(level.devices)
            if clauses and clauses[-1][0] == target:
                clauses[-1][1].append(devices)
            else:
                clauses.append((target, [devices]))
        return _statement("fencing_topology", *[" ".join([t] + d) for t, d in clauses])

    def tag(self, tag: m.Tag) -> str:
        if not tag.refs:
            raise _NotCrm(tag)
        return " ".join([f"tag {_word(tag.id)}"] + [_word(r) for r in tag.refs])

    def alert(self, alert: m.Alert) -> str:
        clauses = [f"alert {_word(alert.id)} {_quoted(alert.path)}", self.description(alert.description),
                   *[self.attr_set("attributes", s) for s in alert.params],
                   *[self.attr_set("meta", s) for s in alert.meta]]
        if alert.select:
            clauses.append(_select(alert))
        for recipient in alert.recipients:
            parts = [self.description(recipient.description),
                     *[self.attr_set("attributes", s) for s in recipient.params],
                     *[self.attr_set("meta", s) for s in recipient.meta]]
            parts = [p for p in parts if p]
            path = _quoted(recipient.value)
            clauses.append(f"to {{ {' '.join([path] + parts)} }}" if parts else f"to {path}")
        return _statement(*clauses)


def _agent_text(rsc) -> str:
    """``class:provider:type``, with crmsh's abbreviation of ocf:heartbeat."""
    kind = _word(rsc.type)
    if ":" in kind:
        raise _NotCrm(rsc)
    if rsc.cls == "ocf" and rsc.provider == "heartbeat":
        return kind
    if rsc.provider:
        return f"{_word(rsc.cls)}:{_word(rsc.provider)}:{kind}"
    if not rsc.cls or rsc.cls == "ocf":
        raise _NotCrm(rsc)
    return f"{_word(rsc.cls)}:{kind}"


def _members(rsc) -> list:
    if isinstance(rsc, m.Group):
        return list(rsc.children)
    if isinstance(rsc, m.Clone):
        return [rsc.child]
    if isinstance(rsc, m.Bundle) and rsc.primitive is not None:
        return [rsc.primitive]
    return []


def _attribute(name: str, value: str) -> str:
    if name in ("port-mapping", "storage-mapping") or "=" in name:
        raise _NotCrm(name)
    return f"{_word(name)}={_quote(value)}"


def _mapping(keyword: str, mapping) -> str:
    pairs = ([("id", mapping.id)] if mapping.id else []) + list(mapping.attributes)
    return " ".join([keyword] + [_attribute(k, v) for k, v in pairs])


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _date_expression(item: m.DateExpression) -> str:
    if item.operation == "lt" and item.end is not None and item.start is None:
        simple = item.end
    elif item.operation == "gt" and item.start is not None and item.end is None:
        simple = item.start
    else:
        simple = None
    if item.operation in ("lt", "gt"):
        if simple is None or item.date_spec or item.duration:
            raise _NotCrm(item)
        return f"date {item.operation} {_value_word(simple)}"
    if item.operation == "date_spec" and item.date_spec and not (item.start or item.end or item.duration):
        fields = list(item.date_spec.fields)
        keyword = "spec"
    elif item.operation == "in_range" and not item.date_spec:
        fields = [(k, v) for k, v in (("start", item.start), ("end", item.end)) if v is not None]
        fields += list(item.duration.fields) if item.duration else []
        keyword = "in"
    else:
        raise _NotCrm(item)
    if not fields or any(name not in _DATE_FIELDS for name, _ in fields):
        raise _NotCrm(item)
    return " ".join([f"date {keyword}"] + [f"{k}={_quote(v)}" for k, v in fields])


def _ends_with_date_fields(rule: m.Rule) -> bool:
    """Whether the reader would take following date-like pairs into the rule."""
    last = rule.expressions[-1] if rule.expressions else None
    return isinstance(last, m.DateExpression) and last.operation in ("in_range", "date_spec")


def _pair_tokens(c, fields: tuple[str, ...], qualifier: str, count: int) -> list[str]:
    """A constraint's resources: the simple form, or its resource sets."""
    if c.resource_sets:
        if any(getattr(c, f) is not None for f in fields):
            raise _NotCrm(c)
        tokens = _set_tokens(c.resource_sets, qualifier)
        # crmsh's mark that keeps a set of `count` plain resources a set
        return ["_rsc_set_"] + tokens if len(tokens) == count else tokens
    tokens = []
    for field in fields:
        value = getattr(c, field)
        suffix = [s for s in (getattr(c, f"{field}_{qualifier}", None), getattr(c, f"{field}_instance", None))
                  if s is not None]
        if value is None or len(suffix) > 1 or suffix and not _qualifier_ok(suffix[0], field, qualifier, c):
            raise _NotCrm(c)
        tokens.append(_word(value) + (f":{suffix[0]}" if suffix else ""))
    return tokens


def _qualifier_ok(suffix: str, field: str, qualifier: str, c) -> bool:
    """A role/action must not read back as an instance number, nor the reverse."""
    is_instance = getattr(c, f"{field}_instance", None) == suffix
    return bool(_PLAIN_WORD.fullmatch(suffix)) and ":" not in suffix and suffix.isdigit() == is_instance


def _set_tokens(sets, qualifier: str) -> list[str]:
    """crmsh's notation for resource sets; only what reads back the same."""
    tokens = []
    previous = None  # (qualifier, bracketed) of the set before, to keep runs apart
    for rset in sets:
        other = "action" if qualifier == "role" else "role"
        if rset.id_ref or rset.ordering or rset.kind or rset.score or getattr(rset, other) \
                or not rset.resources:
            raise _NotCrm(rset)
        if rset.sequential not in (None, "false") or rset.require_all not in (None, "false"):
            raise _NotCrm(rset)
        suffix = getattr(rset, qualifier)
        if suffix is not None and (not _PLAIN_WORD.fullmatch(suffix) or ":" in suffix or suffix.isdigit()):
            raise _NotCrm(rset)
        bracketed = rset.sequential == "false" or rset.require_all == "false"
        if not bracketed and previous == (suffix, False):
            raise _NotCrm(rset)  # two plain runs with one qualifier read as one set
        previous = (suffix, bracketed)
        members = [_word(r) + (f":{suffix}" if suffix else "") for r in rset.resources]
        if rset.require_all == "false":
            tokens += ["["] + members + ([] if rset.sequential == "false" else ["sequential=true"]) + ["]"]
        elif rset.sequential == "false":
            tokens += ["("] + members + [")"]
        else:
            tokens += members
    return tokens


def _fencing_target(level: m.FencingLevel) -> str:
    if level.target is not None:
        return f"{_word(level.target)}:"
    if level.target_pattern is not None:
        if not re.fullmatch(r"\S+", level.target_pattern):
            raise _NotCrm(level)
        return f"pattern:{level.target_pattern}"
    if level.target_attribute is not None and level.target_value is not None:
        return f"attr:{_word(level.target_attribute)}={_quote(level.target_value)}"
    raise _NotCrm(level)


def _select(alert: m.Alert) -> str:
    words = ["select"]
    for kind in alert.select:
        name = kind[len("select_"):] if kind.startswith("select_") else None
        if name not in ("nodes", "fencing", "resources", "attributes"):
            raise _NotCrm(alert)
        if name == "attributes":
            words.append("attributes { " + " ".join(_word(a) for a in alert.select_attributes) + " }")
        else:
            words.append(name)
    if alert.select_attributes and "select_attributes" not in alert.select:
        raise _NotCrm(alert)
    return " ".join(words).replace("{  }", "{ }")


# -- xml blocks --------------------------------------------------------------

def _xml_block(lines: list[str]) -> str:
    return "xml " + " \\\n".join(lines)


def _acl_xml(element: m.XmlElement, depth: int = 0) -> list[str]:
    """A generic element as indented XML lines."""
    from xml.sax.saxutils import quoteattr

    attributes = "".join(f" {k}={quoteattr(v)}" for k, v in element.attributes)
    indent = "  " * depth
    if not element.children:
        return [f"{indent}<{element.tag}{attributes}/>"]
    inner = [line for child in element.children for line in _acl_xml(child, depth + 1)]
    return [f"{indent}<{element.tag}{attributes}>"] + inner + [f"{indent}</{element.tag}>"]


_XML_HOLDERS = {"crm_config": "crm_config", "nodes": "nodes", "resources": "resources",
                "constraints": "constraints", "tags": "tags", "alerts": "alerts"}


def _object_xml(section: str, obj) -> list[str]:
    """One object as the XML writer writes it, for an ``xml`` block.

    Defaults sets and fencing levels keep their section element: a bare
    ``<meta_attributes>`` would not say whose defaults it holds.
    """
    from pengine.cib.cib_xml import write_cib

    value = obj if isinstance(obj, tuple) else (obj,)
    text = write_cib(m.Cib(configuration=m.Configuration(**{section: value})), with_status=False)
    lines = text.splitlines()
    holder = _XML_HOLDERS.get(section, {"fencing_topology": "fencing-topology"}.get(section, section))
    start = next(i for i, line in enumerate(lines) if line.strip() == f"<{holder}>")
    end = next(i for i in range(len(lines) - 1, start, -1) if lines[i].strip() == f"</{holder}>")
    if section in _XML_HOLDERS:
        start, end = start + 1, end - 1
    indent = len(lines[start]) - len(lines[start].lstrip())
    return [line[indent:] for line in lines[start:end + 1]]
