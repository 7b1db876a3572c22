"""The transition graph: the actions to run and what each must wait for.

``create_graph(sch)`` follows pcmk__create_graph: an action is in the graph
when it is runnable and required (or forced in), and its inputs are the
orderings that still matter.  The result is a frozen value; the renderings
(summary, DOT, graph XML, JSON) and the simulator read it.
"""

from __future__ import annotations

from attrs import field, frozen
from pengine.common.converters import as_tuple

from pengine.schedule.graph_loops import should_add_action_to_graph, should_add_input_to_graph
from pengine.status.cluster import AF, Action, Scheduler

FEATURE_SET = "3.20.5"  # the feature set simulated results are recorded with


@frozen
class GraphAction:
    """One action of a transition."""

    id: int
    uuid: str
    task: str
    kind: str                    # rsc_op | pseudo_event | crm_event
    node: str | None = None
    node_id: str | None = None
    rsc_id: str | None = None    # resource id as the graph names it (instance)
    rsc_config_id: str | None = None  # id in the configuration (clone base name)
    rsc_class: str | None = None
    rsc_provider: str | None = None
    rsc_type: str | None = None
    interval_ms: int = 0
    meta: tuple[tuple[str, str], ...] = field(default=(), converter=as_tuple)
    priority: int = 0
    digest: str | None = None    # op-digest of the parameters the action runs with
    operation_key: str | None = None  # the graph's operation_key, if not uuid

    @property
    def key(self) -> str:
        """The operation key the graph gives the action (crm_simulate shows it)."""
        return self.operation_key or self.uuid

    def get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.meta:
            if key == name:
                return value
        return default


@frozen
class Synapse:
    id: int
    action: GraphAction
    inputs: tuple[int, ...] = field(default=(), converter=as_tuple)
    priority: int = 0


@frozen
class ActionRecord:
    """Any action the scheduler created, in the graph or not.

    crm_simulate's DOT graph also shows required actions that cannot run,
    and orderings between actions that never reach the graph; these records
    keep what that rendering needs once the scheduler's state is gone.
    """

    id: int
    uuid: str
    task: str
    flags: int                   # AF bits, as they stood when the graph was built
    node: str | None = None
    rsc_id: str | None = None
    history_id: str | None = None   # the instance name found in the history, if any
    rsc_managed: bool = True
    cancel_task: str | None = None
    meta: tuple[tuple[str, str], ...] = field(default=(), converter=as_tuple)
    reason: str | None = None       # why the scheduler created or blocked it, if it says

    def has(self, flag: int) -> bool:
        return bool(self.flags & flag)

    def get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.meta:
            if key == name:
                return value
        return default


@frozen
class OrderRecord:
    """One ordering between two actions (``before`` then ``after``), by id."""

    before: int
    after: int
    flags: int                   # Rel bits after graph building narrowed them
    graphed: bool = False        # an input of ``after``'s synapse


@frozen
class Transition:
    """A DAG of actions; ``synapses`` in graph order.

    ``all_actions`` (in the scheduler's list order) and ``orderings`` (per
    action, its inputs in list order) describe every action and ordering the
    scheduler created, for the renderings that show more than the graph.
    """

    synapses: tuple[Synapse, ...] = field(default=(), converter=as_tuple)
    attributes: tuple[tuple[str, str], ...] = field(default=(), converter=as_tuple)
    all_actions: tuple[ActionRecord, ...] = field(default=(), converter=as_tuple)
    orderings: tuple[OrderRecord, ...] = field(default=(), converter=as_tuple)

    def actions(self) -> list[GraphAction]:
        return [s.action for s in self.synapses]

    def edges(self) -> list[tuple[int, int]]:
        return [(i, s.action.id) for s in self.synapses for i in s.inputs]


# ------------------------------------------------------------- selection --

def deduplicate_inputs(action: Action) -> None:
    """pcmk__deduplicate_action_inputs: one input per action, flags merged."""
    action.actions_before.sort(key=lambda rel: rel.action.id)
    result = []
    last = None
    for rel in action.actions_before:
        if last is not None and rel.action.id == last.action.id:
            last.flags |= rel.flags
            if rel.graphed:
                last.graphed = True
            continue
        rel.graphed = False
        result.append(rel)
        last = rel
    action.actions_before[:] = result


# --------------------------------------------------------------- building --

def _graph_rsc_ids(sch: Scheduler, rsc) -> tuple[str, str]:
    """(name crm_simulate shows, id the graph gives the resource).

    The graph names an anonymous clone instance by its configured id (a
    removed one by its history id), with its history or instance id as "long-id"
    (add_resource_details); crm_simulate shows the graph's id when some
    resource answers to it, else the long id (simulate_rsc_action).
    """
    long_id = None
    if rsc.removed and rsc.history_id is not None:
        xml_id, long_id = rsc.history_id, rsc.id
    elif not rsc.unique:
        xml_id = rsc.config.id
        long_id = rsc.history_id if rsc.history_id not in (None, xml_id) else rsc.id
    else:
        xml_id = rsc.id
    if long_id is not None and not _answers_to(sch, xml_id) and _answers_to(sch, long_id):
        return long_id, xml_id
    return xml_id, xml_id


def _answers_to(sch: Scheduler, name: str) -> bool:
    """pe_find_resource: a resource with this id or history id."""
    names = sch.__dict__.get("_graph_resource_names")
    if names is None:   # every id and history id, gathered once per graph
        names = set()

        def walk(rsc) -> None:
            names.add(rsc.id)
            names.add(rsc.history_id)
            for child in rsc.children:
                walk(child)
        for rsc in sch.resources:
            walk(rsc)
        names.discard(None)
        sch._graph_resource_names = names
    return name in names


def _graph_action(sch: Scheduler, action: Action) -> GraphAction:
    # create_graph_action: the element kind follows the task first
    if action.task == "stonith":
        kind = "pseudo_event" if action.pseudo else "crm_event"
    elif action.task in ("do_shutdown", "clear_failcount", "lrm_delete"):
        kind = "crm_event"
    elif action.pseudo:
        kind = "pseudo_event"
    else:
        kind = "rsc_op"
    rsc = action.rsc
    rsc_id = config_id = cls = provider = rtype = None
    if rsc is not None:
        rsc_id, config_id = _graph_rsc_ids(sch, rsc)
        cls, provider, rtype = rsc.cls, rsc.provider, rsc.type
    meta = dict(action.meta)
    if action.node is not None:
        meta.setdefault("on_node", action.node.name)
        meta.setdefault("on_node_uuid", action.node.id)
    digest = None
    if kind == "rsc_op" and rsc is not None and rsc.variant == "primitive" \
            and action.node is not None:
        digest = _op_digest(sch, action)
    priority = rsc.priority if rsc is not None else 0
    if action.priority > priority:
        priority = action.priority
    operation_key = None
    if rsc is not None and rsc.history_id is not None:
        operation_key = _clone_op_key(action, rsc.history_id)
    return GraphAction(
        id=action.id, uuid=action.uuid, task=action.task, kind=kind,
        node=action.node.name if action.node is not None else None,
        node_id=action.node.id if action.node is not None else None,
        rsc_id=rsc_id, rsc_config_id=config_id, rsc_class=cls, rsc_provider=provider,
        rsc_type=rtype, interval_ms=action.interval_ms, meta=tuple(sorted(meta.items())),
        priority=max(priority, 0), digest=digest, operation_key=operation_key)


def _op_digest(sch: Scheduler, action: Action) -> str | None:
    """The op-digest the executor will record for this action's result
    (add_op_digest_to_xml), so that a simulated history compares as a real one."""
    rsc, node = action.rsc, action.node
    # Every action of a resource with one task and interval records the same
    # digest on every node unless a rule makes the parameters node-dependent
    # (compute keys its own cache the same way): a fresh cluster probes each
    # resource on every node.  Bundle connections' digests depend on their
    # container's host: those always go through compute.
    key = None
    if not (rsc.is_remote_connection and rsc.is_bundled()):
        op_cfg = find_op_config(rsc, action.task, action.interval_ms, True)
        key = (node.id if _params_depend_on_node(rsc, op_cfg) else None, config_identity(rsc),
               action.task, action.interval_ms)
        cache = sch.__dict__.setdefault("_graph_digest_cache", {})
        found = cache.get(key)
        if found is not None:
            return found
    recorded = m.LrmRscOp(id=action.uuid, attributes=[
        ("operation", action.task), ("interval", str(action.interval_ms)),
        ("crm_feature_set", FEATURE_SET)])
    digest = compute(sch, rsc, recorded, node).all
    if key is not None:
        cache[key] = digest
    return digest


def _clone_op_key(action: Action, name: str) -> str:
    """clone_op_key: the key under the name the resource has in its history
    (a notify action's by its notification type and operation)."""
    from pengine.status.cluster import op_key
    interval = action.meta.get("interval")
    interval_ms = int(interval) if interval is not None and interval.isdigit() else 0
    if action.task == "notify":
        return (f"{name}_{action.meta.get('notify_type')}_notify_"
                f"{action.meta.get('notify_operation')}_0")
    if action.cancel_task is not None:
        return op_key(name, action.cancel_task, interval_ms)
    return op_key(name, action.task, interval_ms)


MAINTENANCE_NODES = "maintenance_nodes"


def maintenance_changes(sch: Scheduler) -> list:
    """add_maintenance_nodes: Pacemaker Remote nodes whose maintenance state
    differs from the one their node_state records (node_in_maintenance)."""
    return [node for node in sch.nodes
            if node.is_remote and bool(node.maintenance) != bool(node.remote_maint)]


def add_maintenance_update(sch: Scheduler) -> None:
    """add_maintenance_update: a pseudo-action that always runs, carrying
    the new maintenance states to the CIB."""
    if maintenance_changes(sch):
        from pengine.status.actions import pseudo_op
        pseudo_op(sch, MAINTENANCE_NODES).set(AF.ALWAYS_IN_GRAPH)


def create_graph(sch: Scheduler) -> Transition:
    from pengine.schedule.variants import methods
    sch._graph_resource_names = None
    synapses: list[Synapse] = []
    seen: set[int] = set()

    def add(action: Action) -> None:
        if not action.has(AF.DEDUP):
            deduplicate_inputs(action)
            action.set(AF.DEDUP)
        if action.has(AF.ADDED_TO_GRAPH) or not should_add_action_to_graph(action):
            return
        action.set(AF.ADDED_TO_GRAPH)
        inputs = []
        for rel in action.actions_before:
            if should_add_input_to_graph(action, rel):
                rel.graphed = True
                inputs.append(rel.action.id)
        graph_action = _graph_action(sch, action)
        synapses.append(Synapse(len(synapses), graph_action, inputs, graph_action.priority))
        seen.add(action.id)

    def add_rsc(rsc) -> None:
        # a variant may settle its actions before they are added and clean up
        # after (pcmk__clone_add_actions_to_graph: instances, then the clone)
        module = methods(rsc)
        members = getattr(module, "graph_members", None)
        if members is not None:
            # a bundle adds its members in its own order; its own (pseudo)
            # actions come with the scheduler's action list
            # (pcmk__bundle_add_actions_to_graph)
            before = getattr(module, "before_graph", None)
            if before is not None:
                before(sch, rsc)
            for member in members(rsc):
                add_rsc(member)
            return
        before = getattr(module, "before_graph", None)
        if before is not None:
            before(sch, rsc)
            for child in rsc.children:
                add_rsc(child)
        for action in reversed(rsc.actions):
            add(action)
        for child in rsc.children:
            add_rsc(child)
        after = getattr(module, "after_graph", None)
        if after is not None:
            after(sch, rsc)

    add_maintenance_update(sch)
    for rsc in sch.resources:
        add_rsc(rsc)
    for action in reversed(sch.actions):
        add(action)
    records, orderings = _records(sch)
    return Transition(tuple(synapses), graph_attributes(sch), records, orderings)


# crm_simulate's graph is the second its process computes (transition ids count from 0).
SIMULATED_TRANSITION_ID = "1"


def graph_attributes(sch: Scheduler) -> tuple[tuple[str, str], ...]:
    """The <transition_graph> attributes, in pcmk__create_graph's order."""
    attributes = [
        ("cluster-delay", sch.options.get("cluster-delay") or "60s"),
        ("fencing-timeout", sch.options.get("fencing-timeout") or "60s"),
        ("failed-stop-offset", "INFINITY"),
        ("failed-start-offset", "INFINITY" if sch.start_failure_fatal else "1"),
        ("batch-limit", sch.options.get("batch-limit") or "0"),
        ("transition_id", SIMULATED_TRANSITION_ID),
    ]
    limit = sch.options.get("migration-limit")
    try:
        if limit is not None and int(limit) > 0:
            attributes.append(("migration-limit", limit))
    except ValueError:
        pass
    if sch.recheck_by > 0:
        attributes.append(("recheck-by", str(sch.recheck_by)))
    return tuple(attributes)


# The action meta the renderings of ungraphed actions read (create_action_name).
_RECORD_META = ("interval", "notify_key_type", "notify_key_operation", "stonith_action")


def _records(sch: Scheduler) -> tuple[tuple[ActionRecord, ...], tuple[OrderRecord, ...]]:
    """Every action and ordering, in Pacemaker's list order (newest first)."""
    records = []
    orderings = []
    for action in reversed(sch.actions):
        rsc = action.rsc
        records.append(ActionRecord(
            id=action.id, uuid=action.uuid, task=action.task, flags=action.flags,
            node=action.node.name if action.node is not None else None,
            rsc_id=rsc.id if rsc is not None else None,
            history_id=rsc.history_id if rsc is not None else None,
            rsc_managed=rsc.managed if rsc is not None else True,
            cancel_task=action.cancel_task,
            meta=tuple((k, action.meta[k]) for k in _RECORD_META if k in action.meta),
            reason=action.reason))
        for rel in action.actions_before:
            orderings.append(OrderRecord(rel.action.id, action.id, rel.flags, rel.graphed))
    return tuple(records), tuple(orderings)


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.cib import model as m  # noqa: E402
from pengine.status.digests_compare import _params_depend_on_node, compute, config_identity  # noqa: E402,E501
from pengine.status.op_config import find_op_config  # noqa: E402
