"""The part of a cluster one what-if can change, and a run of that part alone.

A what-if of ``pengine resilience`` (a node failing, a drain, a fail count
reaching its threshold) changes the status of one node or one resource.  The
scheduler's work is separable over *components*: top-level resources joined
by colocations, orderings and ticket or set constraints.  Nothing else
couples two resources' placement or actions under the default placement
strategy (no utilization balancing), without remote or guest nodes, bundles,
templates, unfencing or shutdown locks (each of those couples what it
touches through the nodes; a cluster with any of them is planned whole).

Two facts make a what-if cheap:

1. Scheduling a sub-CIB that holds whole components (their configuration,
   every constraint among them, their history on every node, every node)
   gives those components exactly what scheduling the whole CIB gives them.
2. A component the event cannot reach keeps its base outcome.  It is
   unreachable when, in the base run, it has nothing to do (every primitive
   runs where it is placed, no summary line names it, nothing is blocked),
   its history on each node the event touches says only "not running there"
   (probes that found it stopped, clean stops), the event touches none of
   its histories, and each of its choices of a node in the base run had a
   best score no other node tied.  Taking away a node that none of its
   resources were placed on removes a candidate that lost to the best on
   score alone, so each choice stays.

One coupling crosses components: between nodes of equal score the one with
fewer resources assigned so far wins (`pengine.schedule.assign`).  The base
run records which nodes each top-level resource's turn filled
(`TurnRecorder`); a run of some components adds, before each turn, the fill
of the left-out resources the whole run would have assigned by then
(`TurnFiller`), so its ties break as the whole run's do.

So a what-if is scheduled on the sub-CIB of the components it reaches plus
those that must always be there (fencing devices: whether any exists
decides whether anything may start; every component with something to do
in the base run; resource histories with no configuration), and the result
is merged with the base outcome of the rest.  Anything the event changes
that is not a node's membership, a node's standby or a resource's history
and fail count (the time, quorum, tickets, other node attributes, nodes
joining) makes the what-if planned whole, as simulate plans it.

``tests/test_resilience_scope.py`` checks the merged verdicts against whole
runs on generated clusters (hypothesis) and on the corpus.
"""

from __future__ import annotations

from attrs import evolve, frozen

from pengine.cib import model as m
from pengine.common.scores import INFINITY

ALWAYS = -1      # the component of histories with no configuration (orphans)
_FAILURE_ATTRS = ("fail-count-", "last-failure-")


@frozen
class Scope:
    """What is known once, from the CIB and the base run, for every what-if."""

    component_of: dict          # top-level resource id -> component number
    top_of: dict                # any configured resource id -> its top-level id
    constraint_components: tuple    # per constraint: its component, or None (kept always)
    always: frozenset           # components every sub-CIB holds
    active_on: dict             # node name -> components with a history there that matters
    placed_on: dict             # node name -> components placed there in the base run
    services_of: dict           # component -> its services (top-level ids)
    node_names: dict            # node id -> name (configuration and status)
    size: int                   # components in all
    order: tuple                # top-level ids in the order assignment takes them
    fills: dict                 # top-level id -> {node name: resources its turn assigned}


def build_scope(cib: m.Cib, base, turns: "TurnRecorder") -> Scope:
    """The scope of a cluster whose base run (resilience._Run) is ``base``,
    its assignment watched by ``turns``; only for a cluster that `separable`
    accepts."""
    config = cib.configuration
    top_of: dict[str, str] = {}
    for rsc in config.resources:
        for member in m.walk_resources((rsc,)):
            top_of[member.id] = rsc.id
    tags = {tag.id: tuple(tag.refs) for tag in config.tags}
    parent = {rsc.id: rsc.id for rsc in config.resources}

    def find(item):
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    referenced = []
    for cons in config.constraints:
        tops = sorted({top_of[i] for i in _expand(_references(cons), tags) if i in top_of})
        referenced.append(tops)
        for other in tops[1:]:
            parent[find(other)] = find(tops[0])
    roots: dict[str, int] = {}
    component_of = {}
    for rsc in config.resources:
        component_of[rsc.id] = roots.setdefault(find(rsc.id), len(roots))
    constraint_components = tuple(component_of[tops[0]] if tops else None
                                  for tops in referenced)
    services_of: dict[int, list[str]] = {}
    for rsc in config.resources:
        services_of.setdefault(component_of[rsc.id], []).append(rsc.id)
    for service in base.services:       # resources only the status knows (orphans)
        if service not in component_of:
            services_of.setdefault(ALWAYS, []).append(service)

    always = {ALWAYS}
    for rsc in m.walk_resources(config.resources):
        if isinstance(rsc, m.Primitive) and (rsc.cls or "").lower() == "stonith":
            always.add(component_of[top_of[rsc.id]])
        elif isinstance(rsc, m.Clone):
            # instances are spread by counting them per node and matched
            # with their dependents in node order beyond the best node
            always.add(component_of[top_of[rsc.id]])
    for top in turns.tied:      # a choice between equal scores: node fill decided it
        always.add(component_of.get(top, ALWAYS))
    busy = {e["service"] for e in base.entries if e.get("service")} | set(base.blocked)
    for prim in base.why:
        busy.add(top_of.get(prim.split(":")[0], prim))
    for service in busy:
        always.add(component_of.get(service, ALWAYS))

    node_names = {n.id: n.uname for n in config.nodes}
    active_on: dict[str, set] = {}
    for state in cib.status.node_states:
        name = dict(state.attributes).get("uname") or node_names.get(state.id, state.id)
        node_names.setdefault(state.id, name)
        found = active_on.setdefault(name, set())
        for lrm in state.lrm_resources:
            if not _inactive(lrm):
                found.add(_component(lrm.id, top_of, component_of))
    placed_on: dict[str, set] = {}
    for service, placed in base.placed.items():
        for item in placed:
            node = item[1] if isinstance(item, tuple) else item
            placed_on.setdefault(node, set()).add(component_of.get(service, ALWAYS))
    return Scope(component_of, top_of, constraint_components, frozenset(always),
                 {k: frozenset(v) for k, v in active_on.items()},
                 {k: frozenset(v) for k, v in placed_on.items()},
                 {k: tuple(v) for k, v in services_of.items()}, node_names, len(roots),
                 tuple(turns.order), dict(turns.fills))


def separable(cib: m.Cib, sch) -> bool:
    """Whether nothing couples components through the nodes (see the module note)."""
    if sch.placement_strategy != "default" or sch.have_remote_nodes or sch.enable_unfencing:
        return False
    if sch.shutdown_lock:
        return False
    for rsc in m.walk_resources(cib.configuration.resources):
        if isinstance(rsc, (m.Bundle, m.Template)) or getattr(rsc, "template", None):
            return False
    return not any(r.launcher is not None or r.is_remote_connection
                   for r in sch.all_resources.values())


def _references(cons) -> list[str]:
    ids = [getattr(cons, name, None) for name in ("rsc", "with_rsc", "first", "then")]
    for resource_set in cons.resource_sets:
        ids.extend(resource_set.resources)
    return [i for i in ids if i]


def _expand(ids, tags) -> list[str]:
    out = []
    for i in ids:
        out.extend(tags.get(i, (i,)))
    return out


def _component(lrm_id: str, top_of: dict, component_of: dict) -> int:
    top = top_of.get(lrm_id) or top_of.get(lrm_id.split(":")[0])
    return component_of[top] if top is not None else ALWAYS


def _inactive(lrm: m.LrmResource) -> bool:
    """A history that only says the resource does not run on this node:
    probes that found it stopped, or a clean stop; nothing failed or pending."""
    for op in lrm.ops:
        if op.get("op-status", "0") != "0":
            return False
        task = op.get("operation")
        rc = op.get("rc-code")
        if task == "monitor" and op.get("interval", "0") == "0" and rc == "7":
            continue
        if task == "stop" and rc == "0":
            continue
        return False
    return True


# ------------------------------------------------------ node fill --

class TurnRecorder:
    """Watches the base run's assignment (driver.assign_resources): the order
    of top-level resources, which nodes each one's turn fills, and the turns
    whose best node tied with another (which the nodes' fill then decides:
    a run without the other components would not see that fill)."""

    def __init__(self):
        self.order: list[str] = []
        self.fills: dict[str, dict[str, int]] = {}
        self.tied: set[str] = set()
        self._turn = None
        self._counts: dict = {}

    def before(self, sch, rsc) -> None:
        self._turn = rsc.id
        self.order.append(rsc.id)
        self._counts = {n.name: n.num_resources for n in sch.nodes}

    def after(self, sch, rsc) -> None:
        filled = {n.name: n.num_resources - self._counts[n.name] for n in sch.nodes
                  if n.num_resources != self._counts[n.name]}
        if filled:
            self.fills[rsc.id] = filled
        self._turn = None

    def done(self, sch) -> None:
        pass

    def sorted(self, ordered) -> None:
        if self._turn is None or len(ordered) < 2:
            return
        best = _effective(ordered[0])
        if best > -INFINITY and best == _effective(ordered[1]):
            self.tied.add(self._turn)


def _effective(weight) -> int:
    return weight.score if weight.node.available() else -INFINITY


class TurnFiller:
    """Fills the nodes of a run of some components as the whole run would have
    filled them by each turn: before each top-level resource's turn, the
    base fill of every left-out resource assigned before it in the whole
    run's order, and at the end the rest (node fill breaks ties of score,
    `pengine.schedule.assign`)."""

    def __init__(self, scope: Scope, components: frozenset):
        self._left_out = [scope.component_of.get(top, ALWAYS) not in components
                          for top in scope.order]
        self._order = scope.order
        self._position = {top: k for k, top in enumerate(scope.order)}
        self._fills = scope.fills
        self._next = 0

    def before(self, sch, rsc) -> None:
        upto = self._position.get(rsc.id)
        if upto is not None:
            self._fill(sch, upto)

    def after(self, sch, rsc) -> None:
        pass

    def done(self, sch) -> None:
        self._fill(sch, len(self._order))

    def sorted(self, ordered) -> None:
        pass

    def _fill(self, sch, upto: int) -> None:
        for k in range(self._next, upto):
            if self._left_out[k]:
                for name, count in self._fills.get(self._order[k], {}).items():
                    node = sch.find_node(name)
                    if node is not None:
                        node.num_resources += count
        self._next = max(self._next, upto + 1)


# --------------------------------------------------------------- events --

def reached(scope: Scope, cib: m.Cib, event_cib: m.Cib) -> frozenset | None:
    """The components an event (the base CIB turned into ``event_cib``) can
    reach, with those always kept; None when the event is one this module
    does not narrow down (the what-if is then planned whole)."""
    if _scheduling_attributes(event_cib) != _scheduling_attributes(cib):
        return None
    touched_nodes: set[str] = set()
    touched: set[int] = set()
    before, after = cib.configuration, event_cib.configuration
    if before is not after:
        for name in ("crm_config", "rsc_defaults", "op_defaults", "resources", "constraints",
                     "fencing_topology", "tags", "alerts", "acls"):
            if getattr(before, name) != getattr(after, name):
                return None
        if len(before.nodes) != len(after.nodes):
            return None
        for old, new in zip(before.nodes, after.nodes):
            if old is not new and old != new:
                if old.id != new.id:
                    return None
                touched_nodes.add(old.uname)
    if cib.status is not event_cib.status:
        if cib.status.tickets != event_cib.status.tickets:
            return None
        olds, news = cib.status.node_states, event_cib.status.node_states
        if len(olds) != len(news):
            return None
        for old, new in zip(olds, news):
            if old is new:
                continue
            if old.id != new.id:
                return None
            name = scope.node_names.get(old.id, old.id)
            if old.attributes != new.attributes or old.lrm_id != new.lrm_id:
                touched_nodes.add(name)
            if old.transient_utilization != new.transient_utilization:
                return None
            if old.transient != new.transient or old.transient_id != new.transient_id:
                failures = _failure_attribute_changes(old, new)
                if failures is None:
                    return None
                touched.update(_component(r, scope.top_of, scope.component_of)
                               for r in failures)
            if old.lrm_resources != new.lrm_resources:
                previous = {lrm.id: lrm for lrm in old.lrm_resources}
                current = {lrm.id: lrm for lrm in new.lrm_resources}
                for rsc_id in previous.keys() | current.keys():
                    if previous.get(rsc_id) != current.get(rsc_id):
                        touched.add(_component(rsc_id, scope.top_of, scope.component_of))
    for name in touched_nodes:
        touched |= scope.active_on.get(name, frozenset())
        touched |= scope.placed_on.get(name, frozenset())
    return frozenset(touched) | scope.always


# the CIB's version counters: an injection bumps them as crm_simulate does,
# and no scheduling decision reads them
_VERSION_COUNTERS = frozenset({"admin_epoch", "epoch", "num_updates", "cib-last-written"})


def _scheduling_attributes(cib: m.Cib) -> tuple:
    return tuple(pair for pair in cib.attributes if pair[0] not in _VERSION_COUNTERS)


def _failure_attribute_changes(old: m.NodeState, new: m.NodeState) -> set[str] | None:
    """The resources whose fail-count or last-failure attributes differ, when
    nothing else among the node's transient attributes does."""
    if old.transient_id != new.transient_id and old.transient_id is not None:
        return None
    before, after = _transient_values(old), _transient_values(new)
    if before is None or after is None:
        return None
    changed = set()
    for key in before.keys() | after.keys():
        if before.get(key) == after.get(key):
            continue
        name = key[1]
        prefix = next((p for p in _FAILURE_ATTRS if name.startswith(p)), None)
        if prefix is None:
            return None
        changed.add(name[len(prefix):].split("#", 1)[0])
    return changed


def _transient_values(state: m.NodeState) -> dict | None:
    values = {}
    for attr_set in state.transient:
        if attr_set.rule is not None or attr_set.id_ref is not None:
            return None
        for pair in attr_set.nvpairs:
            values[(attr_set.id, pair.name)] = pair.value
    return values


# --------------------------------------------------------------- sub-CIB --

def sub_cib(scope: Scope, event_cib: m.Cib, components: frozenset) -> m.Cib:
    """The event's CIB with only these components' resources, constraints and
    histories (and histories with no configuration)."""
    config = event_cib.configuration
    resources = tuple(r for r in config.resources if scope.component_of[r.id] in components)
    constraints = tuple(c for c, comp in zip(config.constraints, scope.constraint_components)
                        if comp is None or comp in components)
    states = []
    for state in event_cib.status.node_states:
        kept = tuple(lrm for lrm in state.lrm_resources
                     if _component(lrm.id, scope.top_of, scope.component_of) in components)
        states.append(state if len(kept) == len(state.lrm_resources)
                      else evolve(state, lrm_resources=kept))
    return evolve(event_cib,
                  configuration=evolve(config, resources=resources, constraints=constraints),
                  status=evolve(event_cib.status, node_states=tuple(states)))


def kept_services(scope: Scope, components: frozenset) -> frozenset:
    return frozenset(s for c in components for s in scope.services_of.get(c, ()))
