"""Hypothesis strategies for valid configurations.

The models they make are the ones crm text reads as: ids appear only where
crm text carries them (objects, property sets), the rest stay None; rule
scores are spelled as the reader spells them; resource sets are ones the
crm set notation can tell apart.  So ``read_crm(write_crm(c)) == c``.
"""

from __future__ import annotations

from attrs import evolve
from hypothesis import strategies as st

from pengine.cib import model as m

# crm keywords: never ids or value-less names, as the reader would take them for keywords
KEYWORDS = frozenset("""node primitive rsc_template monitor group clone ms master bundle location
    colocation collocation order rsc_ticket property rsc_defaults op_defaults fencing_topology
    fencing-topology tag alert role acl_target acl_group xml params meta utilization attributes
    operations op op_params op_meta rule and or defined not_defined date description docker rkt
    podman network storage port-mapping storage-mapping to select read write deny""".split())
DATE_FIELDS = frozenset("""start end seconds minutes hours days monthdays weekdays yeardays
    yearsdays months weeks years weekyears moon""".split())

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
identifiers = st.builds(lambda first, rest: first + rest, st.sampled_from(_LETTERS),
                        st.text(_LETTERS + "0123456789_.-", max_size=8)).filter(
    lambda s: s.lower() not in KEYWORDS and s not in DATE_FIELDS)
# any one-line text: spaces, quotes and backslashes included
texts = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12)
scores = st.sampled_from(["INFINITY", "-INFINITY", "+INFINITY", "0", "100", "-50"])
roles = st.sampled_from(["Started", "Stopped", "Promoted", "Unpromoted"])
actions = st.sampled_from(["start", "stop", "promote", "demote"])
# words a score may be spelled with, so never a score-attribute's name
_SCORE_WORDS = {"inf", "infinity", "mandatory", "advisory"}


def _optional(strategy):
    return st.none() | strategy


# ------------------------------------------------------------------ rules ----

expressions = st.one_of(
    st.builds(m.Expression, attribute=identifiers | st.sampled_from(["#uname", "#id", "#kind"]),
              operation=st.sampled_from(["lt", "gt", "lte", "gte", "eq", "ne"]), value=texts,
              type=_optional(st.sampled_from(["string", "integer", "number", "version"]))),
    st.builds(m.Expression, attribute=identifiers, operation=st.sampled_from(["defined", "not_defined"])),
)

_dates = st.from_regex(r"20[0-9]{2}-[01][0-9]-[0-3][0-9]( [0-2][0-9]:[0-5][0-9]:[0-5][0-9])?", fullmatch=True)
_spec_fields = st.dictionaries(st.sampled_from(["hours", "weekdays", "monthdays", "months", "years"]),
                               st.from_regex(r"[0-9]{1,2}(-[0-9]{1,2})?", fullmatch=True),
                               min_size=1, max_size=3).map(m.DateSpec)

date_expressions = st.one_of(
    st.builds(m.DateExpression, operation=st.just("lt"), end=_dates),
    st.builds(m.DateExpression, operation=st.just("gt"), start=_dates),
    st.builds(m.DateExpression, operation=st.just("in_range"), start=_dates, end=_optional(_dates)),
    st.builds(m.DateExpression, operation=st.just("in_range"), start=_dates, duration=_spec_fields),
    st.builds(m.DateExpression, operation=st.just("date_spec"), date_spec=_spec_fields),
)


@st.composite
def rules(draw, role: bool = False) -> m.Rule:
    items = draw(st.lists(expressions | date_expressions, min_size=1, max_size=3))
    operator = draw(st.sampled_from([None, "or"])) if len(items) > 1 else None
    if draw(st.integers(0, 4)):
        score, attribute = draw(scores), None
    else:  # a score that names a node attribute
        score, attribute = None, draw(identifiers.filter(lambda s: s.lower() not in _SCORE_WORDS))
    return m.Rule(expressions=items, boolean_op=operator, score=score, score_attribute=attribute,
                  role=draw(_optional(roles)) if role else None)


# --------------------------------------------------------- attribute sets ----

nvpairs = st.builds(m.NvPair, name=identifiers, value=texts) | st.builds(m.NvPair, name=identifiers)


@st.composite
def attr_sets(draw, with_rule: bool = True) -> m.AttrSet:
    rule = draw(_optional(rules())) if with_rule else None
    pairs = draw(st.lists(nvpairs, max_size=3))
    return m.AttrSet(nvpairs=pairs, rule=rule, score=draw(_optional(st.sampled_from(["1", "10", "100"]))))


def set_lists(with_rule: bool = True):
    return st.lists(attr_sets(with_rule), max_size=2)


# -------------------------------------------------------------- resources ----

agents = st.one_of(
    st.tuples(st.just("ocf"), st.sampled_from(["heartbeat", "pacemaker", "custom"]), identifiers),
    st.tuples(st.sampled_from(["stonith", "systemd", "lsb"]), st.none(), identifiers),
)

ops = st.builds(
    m.Op, name=st.sampled_from(["start", "stop", "monitor", "promote", "demote", "migrate_to"]),
    interval=st.sampled_from(["0", "0s", "10s", "30", "1min"]),
    attributes=st.dictionaries(st.sampled_from(["timeout", "on-fail", "role", "start-delay", "enabled",
                                                "record-pending", "requires", "interval-origin"]),
                               st.from_regex(r"[A-Za-z0-9]{1,6}", fullmatch=True), max_size=3),
    params=st.lists(st.builds(m.AttrSet, nvpairs=st.lists(
        st.builds(m.NvPair, name=st.sampled_from(["OCF_CHECK_LEVEL", "depth"]), value=texts),
        min_size=1, max_size=2)), max_size=1),
    meta=st.lists(attr_sets(with_rule=False), max_size=1))


@st.composite
def primitives(draw, rsc_id: str) -> m.Primitive:
    cls, provider, kind = draw(agents)
    return m.Primitive(id=rsc_id, cls=cls, provider=provider, type=kind,
                       description=draw(_optional(texts)), params=draw(set_lists()),
                       meta=draw(set_lists()), utilization=draw(set_lists(with_rule=False)),
                       ops=draw(st.lists(ops, max_size=3)),
                       ops_id=draw(_optional(st.just(f"{rsc_id}-ops"))))


@st.composite
def resources(draw, names) -> object:
    """One top-level resource; ``names`` yields fresh ids."""
    kind = draw(st.sampled_from(["primitive", "group", "clone", "master", "clone-of-group"]))
    if kind == "primitive":
        return draw(primitives(next(names)))
    if kind in ("group", "clone-of-group"):
        group = m.Group(id=next(names), meta=draw(set_lists(with_rule=False)),
                        children=[draw(primitives(next(names))) for _ in range(draw(st.integers(1, 3)))])
        if kind == "group":
            return group
        child = group
    else:
        child = draw(primitives(next(names)))
    return m.Clone(id=next(names), child=child, legacy_master=kind == "master",
                   meta=draw(set_lists(with_rule=False)))


# ------------------------------------------------------------ constraints ----

@st.composite
def resource_sets(draw, rsc_ids, qualifier: str, count: int) -> tuple[m.ResourceSet, ...]:
    """Sets the crm notation keeps apart: two plain runs never share a qualifier."""
    made = []
    previous = None
    for _ in range(count):
        bracket = draw(st.sampled_from(["", "(", "["]))
        suffix = draw(_optional(roles if qualifier == "role" else actions))
        if not bracket and previous == suffix:
            bracket = "("
        previous = suffix if not bracket else object()
        made.append(m.ResourceSet(
            resources=draw(st.lists(st.sampled_from(rsc_ids), min_size=1, max_size=3)),
            sequential="false" if bracket == "(" or (bracket == "[" and draw(st.booleans())) else None,
            require_all="false" if bracket == "[" else None, **{qualifier: suffix}))
    return tuple(made)


@st.composite
def constraints(draw, constraint_id: str, rsc_ids, unames) -> object:
    kind = draw(st.sampled_from(["location", "colocation", "order", "ticket"]))
    pick = st.sampled_from(rsc_ids)
    use_sets = draw(st.booleans())
    qualifier = "action" if kind == "order" else "role"
    sets = draw(resource_sets(rsc_ids, qualifier, draw(st.integers(1, 3)))) if use_sets else ()
    if kind in ("colocation", "order") and sum(len(s.resources) for s in sets) == 1:
        # crmsh refuses an order or colocation of one resource
        sets = (evolve(sets[0], resources=sets[0].resources * 2),)
    if kind == "location":
        where = dict(resource_sets=sets) if use_sets else dict(rsc=draw(pick))
        if unames and draw(st.booleans()):
            return m.Location(id=constraint_id, score=draw(scores), node=draw(st.sampled_from(unames)),
                              role=draw(_optional(roles)), **where)
        return m.Location(id=constraint_id, rules=draw(st.lists(rules(role=True), min_size=1, max_size=2)),
                          resource_discovery=draw(_optional(st.sampled_from(["never", "exclusive"]))),
                          **where)
    if kind == "colocation":
        pair = {} if use_sets else dict(rsc=draw(pick), with_rsc=draw(pick), rsc_role=draw(_optional(roles)),
                                         with_rsc_role=draw(_optional(roles)))
        return m.Colocation(id=constraint_id, score=draw(scores), resource_sets=sets,
                            node_attribute=draw(_optional(identifiers)), **pair)
    if kind == "order":
        pair = {} if use_sets else dict(first=draw(pick), then=draw(pick),
                                         first_action=draw(_optional(actions)),
                                         then_action=draw(_optional(actions)))
        return m.Order(id=constraint_id, resource_sets=sets,
                       kind=draw(_optional(st.sampled_from(["Mandatory", "Optional", "Serialize"]))),
                       symmetrical=draw(_optional(st.sampled_from(["true", "false"]))), **pair)
    single = {} if use_sets else dict(rsc=draw(pick), rsc_role=draw(_optional(roles)))
    return m.TicketConstraint(id=constraint_id, ticket=draw(identifiers), resource_sets=sets,
                              loss_policy=draw(_optional(st.sampled_from(["stop", "demote", "fence", "freeze"]))),
                              **single)


# ---------------------------------------------------------- configuration ----

@st.composite
def nodes(draw, node_id: str, uname: str) -> m.Node:
    return m.Node(id=draw(st.sampled_from([uname, node_id, str(draw(st.integers(1, 99)))])), uname=uname,
                  type=draw(_optional(st.sampled_from(["member", "remote", "ping"]))),
                  description=draw(_optional(texts)),
                  attributes=draw(set_lists()), utilization=draw(set_lists(with_rule=False)))


@st.composite
def property_sets(draw, set_id: str) -> m.AttrSet:
    return m.AttrSet(id=set_id, nvpairs=draw(st.lists(nvpairs, max_size=4)), rule=draw(_optional(rules())))


class _Names:
    """Fresh ids: a drawn word made unique by a counter."""

    def __init__(self, draw):
        self.draw = draw
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        self.count += 1
        return f"{self.draw(identifiers)}-{self.count}"


@st.composite
def configurations(draw) -> m.Configuration:
    """A small valid configuration; all ids unique."""
    names = _Names(draw)
    node_list = [draw(nodes(next(names), next(names))) for _ in range(draw(st.integers(0, 3)))]
    node_list = list({n.id: n for n in node_list}.values())
    resource_list = [draw(resources(names)) for _ in range(draw(st.integers(0, 4)))]
    rsc_ids = [r.id for r in m.walk_resources(resource_list)]
    constraint_list = [draw(constraints(next(names), rsc_ids, [n.uname for n in node_list]))
                       for _ in range(draw(st.integers(0, 4)) if rsc_ids else 0)]
    sections = {section: [draw(property_sets(next(names))) for _ in range(draw(st.integers(0, 2)))]
                for section in ("crm_config", "rsc_defaults", "op_defaults")}
    return m.Configuration(nodes=node_list, resources=resource_list, constraints=constraint_list,
                           **sections)
