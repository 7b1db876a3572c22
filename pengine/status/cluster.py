"""The working state of one scheduling run.

Pacemaker's scheduler is a sequence of phases over one set of nodes,
resources and actions whose flags each phase refines.  The frozen CIB model
(`cib.model`) is the input; these classes are the scratch paper of a single
run, created by `pengine.unpack` and thrown away once the transition graph
(a frozen value) has been produced.  Keeping them here, separate from the
model, is what lets every public function stay pure.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from pengine.common.scores import INFINITY


class Role(IntEnum):
    UNKNOWN = 0
    STOPPED = 1
    STARTED = 2
    UNPROMOTED = 3
    PROMOTED = 4

    @property
    def text(self) -> str:
        return _ROLE_TEXT[self]


_ROLE_TEXT = {Role.UNKNOWN: "Unknown", Role.STOPPED: "Stopped", Role.STARTED: "Started",
              Role.UNPROMOTED: "Unpromoted", Role.PROMOTED: "Promoted"}

_ROLE_PARSE = {"unknown": Role.UNKNOWN, "stopped": Role.STOPPED, "started": Role.STARTED,
               "unpromoted": Role.UNPROMOTED, "slave": Role.UNPROMOTED,
               "promoted": Role.PROMOTED, "master": Role.PROMOTED}


def parse_role(text: str | None) -> Role | None:
    """A role name as Pacemaker accepts it (legacy Master/Slave included)."""
    if text is None:
        return None
    return _ROLE_PARSE.get(text.lower())


class OnFail(IntEnum):
    """Failure handling, from least to most severe (Pacemaker's order)."""

    IGNORE = 0
    DEMOTE = 1
    RESTART = 2
    RESTART_CONTAINER = 3
    RESET_REMOTE = 4
    BAN = 5
    BLOCK = 6
    STOP = 7
    STANDBY_NODE = 8
    FENCE_NODE = 9


class Requires(IntEnum):
    NOTHING = 0
    QUORUM = 1
    FENCING = 2
    UNFENCING = 3


class NoQuorum(IntEnum):
    FREEZE = 0
    STOP = 1
    IGNORE = 2
    FENCE = 3
    DEMOTE = 4


# Ordering relation flags; the values are Pacemaker's, so that the DOT and
# graph XML renderings can use them exactly as crm_simulate does.
class Rel:
    NONE = 0
    ORDERED = 0x1
    IF_FIRST_UNMIGRATABLE = 0x2
    THEN_IMPLIES_FIRST = 0x10
    FIRST_IMPLIES_THEN = 0x20
    PROMOTED_THEN_IMPLIES_FIRST = 0x40
    UNMIGRATABLE_THEN_BLOCKS = 0x80
    UNRUNNABLE_FIRST_BLOCKS = 0x100
    FIRST_ELSE_THEN = 0x200
    FIRST_IMPLIES_SAME_NODE_THEN = 0x400
    NESTED_REMOTE_PROBE = 0x800
    INTERMEDIATE_STOP = 0x1000
    SERIALIZE = 0x4000
    IF_ON_SAME_NODE = 0x8000
    THEN_IMPLIES_FIRST_GRAPHED = 0x10000
    FIRST_IMPLIES_THEN_GRAPHED = 0x20000
    ASYMMETRIC = 0x100000
    IF_ON_SAME_NODE_OR_TARGET = 0x200000
    MIN_RUNNABLE = 0x400000
    IF_REQUIRED_ON_SAME_NODE = 0x800000
    GUEST_ALLOWED = 0x1000000
    THEN_CANCELS_FIRST = 0x2000000


# Action flags (bits of Action.flags)
class AF:
    RUNNABLE = 0x1
    OPTIONAL = 0x2
    PSEUDO = 0x4
    PRINT_ALWAYS = 0x8
    ALWAYS_IN_GRAPH = 0x10
    ADDED_TO_GRAPH = 0x20
    MIGRATABLE = 0x40
    ON_DC = 0x80
    MIGRATION_ABORT = 0x100
    DEDUP = 0x200
    ATTRS_EVALUATED = 0x400
    REMOTE_ORDERED = 0x800  # remote connection ordering applied
    RESCHEDULE = 0x1000
    MIN_RUNNABLE = 0x2000
    IMPLIED_BY_STONITH = 0x4000
    TRACKING = 0x8000


class Node:
    """A node as one run sees it: membership, attributes, load."""

    __slots__ = (
        "id", "name", "variant", "config_score", "score", "attrs", "utilization",
        "online", "unclean", "shutdown", "standby", "fail_standby", "pending", "maintenance",
        "expected_up", "seen", "unpacked", "remote_reset", "remote_fenced", "remote_maint",
        "probes_allowed", "is_dc", "remote_rsc", "running", "assigned", "num_resources",
        "count", "priority", "rsc_discovery_enabled", "state", "unseen_fencing", "probe_mode",
    )

    def __init__(self, node_id: str, name: str, variant: str = "cluster", score: int = 0):
        self.id = node_id
        self.name = name
        self.variant = variant  # cluster | remote
        self.config_score = score
        self.score = score
        self.attrs: dict[str, str] = {}
        self.utilization: dict[str, str] = {}
        self.online = False
        self.unclean = False
        self.shutdown = False
        self.standby = False
        self.fail_standby = False
        self.pending = False
        self.maintenance = False
        self.expected_up = False
        self.seen = False
        self.unpacked = False
        self.remote_reset = False
        self.remote_fenced = False
        self.remote_maint = False
        self.probes_allowed = True
        self.is_dc = False
        self.remote_rsc: Resource | None = None
        self.running: list[Resource] = []
        self.assigned: list[Resource] = []
        self.num_resources = 0
        self.count = 0
        self.priority = 0
        self.rsc_discovery_enabled = True
        self.probe_mode = "always"  # bundle nodes: never (assign->probe_mode)
        self.state = None  # the NodeState from the CIB, if any
        self.unseen_fencing = False

    def __repr__(self):
        return f"Node({self.name})"

    @property
    def is_remote(self) -> bool:
        """A Pacemaker Remote node (remote, guest or bundle node)."""
        return self.variant == "remote"

    @property
    def is_guest(self) -> bool:
        return self.is_remote and self.remote_rsc is not None and self.remote_rsc.launcher is not None

    @property
    def is_remote_only(self) -> bool:
        """A remote node proper (not a guest/bundle node)."""
        return self.is_remote and not self.is_guest

    def alive(self) -> bool:
        return self.online and not self.unclean

    def usable(self) -> bool:
        return not (self.shutdown or self.standby or self.maintenance)

    def available(self) -> bool:
        """Online, clean and able to run resources (pcmk__node_alive|usable)."""
        return self.online and not self.unclean and not self.shutdown \
            and not self.standby and not self.maintenance


class NodeWeight:
    """One entry of a resource's allowed-node table (Pacemaker's node copy)."""

    __slots__ = ("node", "score", "discover", "count")

    def __init__(self, node: Node, score: int, discover: str = "always"):
        self.node = node
        self.score = score
        self.discover = discover
        self.count = 0

    def copy(self) -> "NodeWeight":
        other = NodeWeight(self.node, self.score, self.discover)
        other.count = self.count
        return other

    def __repr__(self):
        return f"{self.node.name}={self.score}"


def copy_table(table: dict[str, NodeWeight]) -> dict[str, NodeWeight]:
    return {key: weight.copy() for key, weight in table.items()}


class Resource:
    """A resource (primitive or collective) in one run."""

    def __init__(self, rsc_id: str, variant: str, config: Any, parent: "Resource | None"):
        self.id = rsc_id
        self.variant = variant  # primitive | group | clone | bundle
        self.config = config
        self.parent = parent
        self.children: list[Resource] = []
        self.meta: dict[str, str] = {}
        self.instance_params: dict[str, str] = {}
        self.cls: str | None = None
        self.provider: str | None = None
        self.type: str | None = None
        self.ops: tuple = ()
        self.utilization: dict[str, str] = {}
        # flags
        self.managed = True
        self.failed = False
        self.stop_if_failed = False
        self.blocked = False
        self.removed = False
        self.removed_launched = False
        self.unique = False
        self.promotable = False
        self.notify = False
        self.critical = True
        self.needs_fencing = False
        self.needs_quorum = True
        self.needs_unfencing = False
        self.fence_device = False
        self.is_remote_connection = False
        self.remote_nesting_allowed = False
        self.migratable = False
        self.start_pending = False
        self.unassigned = True
        self.assigning = False
        self.updating_nodes = False
        self.restarting = False
        self.stop_unexpected = False
        self.ignore_failure = False
        self.exclusive_discover = False
        self.exclusive_probes = False  # bundled instances: probe only on their bundle node
        self.maintenance = False
        self.reload = False
        self.replica_container = False
        self.merging = False
        # state
        self.role = Role.STOPPED  # pe__unpack_resource: orig_role stopped, next unknown
        self.next_role = Role.UNKNOWN
        self.running_on: list[Node] = []
        self.pending_node: Node | None = None
        self.pending_action: str | None = None
        self.partial_migration_source: Node | None = None
        self.partial_migration_target: Node | None = None
        self.dangling_migration_sources: list[Node] = []
        self.probed_nodes: dict[str, Node] = {}
        self.allowed: dict[str, NodeWeight] = {}
        self.assigned_node: Node | None = None
        # the score the chosen node carried when assigned (Pacemaker keeps a
        # scored copy of it as the assigned node)
        self.assigned_score = 0
        self.priority = 0
        self.promotion_priority = 0
        self.stickiness = 0
        self.migration_threshold = INFINITY
        self.failure_timeout_ms = 0
        self.remote_reconnect_ms = 0
        self.this_with: list = []   # colocations where this is the dependent
        self.with_this: list = []   # colocations where this is the primary
        self.locations: list = []
        self.actions: ActionList = ActionList()
        self.launcher: Resource | None = None
        self.launched: list[Resource] = []
        self.history_id: str | None = None
        self.lock_node: Node | None = None
        self.lock_time = 0
        self.recovery = "stop_start"  # multiple-active
        self.sort_index = 0
        self.clone_name: str | None = None
        self.instance_number: int | None = None
        self.group_ordered = True
        self.group_colocated = True
        self.clone_max = 0
        self.clone_node_max = 1
        self.promoted_max = 1
        self.promoted_node_max = 1
        self.interleave = False
        self.clone_ordered = False
        self.target_role: Role | None = None
        self.bundle = None  # bundle replica information
        self.notify_data = None
        self.known_on_probe = None

    def __repr__(self):
        return f"Resource({self.id})"

    # -- tree helpers --------------------------------------------------------

    def top(self, include_bundle: bool = False) -> "Resource":
        """The outermost ancestor (uber_parent); bundles only if asked."""
        rsc = self
        while rsc.parent is not None:
            if rsc.parent.variant == "bundle" and not include_bundle:
                break
            rsc = rsc.parent
        return rsc

    def primitives(self):
        if self.variant == "primitive":
            yield self
        else:
            for child in self.children:
                yield from child.primitives()

    @property
    def is_clone(self) -> bool:
        return self.variant == "clone"

    @property
    def is_anonymous_clone(self) -> bool:
        return self.variant == "clone" and not self.unique

    @property
    def current_node(self) -> "Node | None":
        """pcmk__current_node: where the resource is active (pe__find_active_on)."""
        active = None
        for node in self.running_on:
            happy = node.online and not node.unclean
            if self.partial_migration_source is not None:
                if node is self.partial_migration_source:
                    return node
            elif not self.needs_fencing:
                if happy:
                    return node
            if active is None:
                active = node
                if self.partial_migration_source is None and self.needs_fencing:
                    return node
        return active

    def is_bundled(self) -> bool:
        rsc = self
        while rsc.parent is not None:
            if rsc.parent.variant == "bundle":
                return True
            rsc = rsc.parent
        return False


class ActionList(list):
    """A resource's actions in creation order, also indexed by key and by
    task: the scheduler looks a resource's actions up by key or task tens of
    times per action, and a scan costs as many steps as the cluster has nodes.
    Each index keeps creation order, so a lookup finds what a scan would.
    Actions are only ever appended; ``retask`` re-files one whose task changed.
    """

    __slots__ = ("by_uuid", "by_task")

    def __init__(self):
        super().__init__()
        self.by_uuid: dict[str, list[Action]] = {}
        self.by_task: dict[str, list[Action]] = {}

    def append(self, action: Action) -> None:
        super().append(action)
        self.by_uuid.setdefault(action.uuid, []).append(action)
        self.by_task.setdefault(action.task, []).append(action)

    def retask(self, action: Action, task: str) -> None:
        """Set ``action.task``, keeping the task index in creation order."""
        if action.task == task:
            return
        self.by_task[action.task].remove(action)
        action.task = task
        self.by_task[task] = [a for a in self if a.task == task]


class Action:
    """One action of the transition, with its ordering relations."""

    __slots__ = (
        "id", "rsc", "task", "uuid", "node", "flags", "meta", "extra", "reason",
        "needs", "on_fail", "fail_role", "interval_ms", "op_config",
        "actions_before", "actions_after", "runnable_before", "required_runnable_before",
        "priority", "graph_id", "cancel_task", "after_by_id",
    )

    def __init__(self, action_id: int, uuid: str, task: str, rsc: Resource | None,
                 node: Node | None):
        self.id = action_id
        self.uuid = uuid
        self.task = task
        self.rsc = rsc
        self.node = node
        self.flags = AF.RUNNABLE
        self.meta: dict[str, str] = {}
        self.extra: dict[str, str] = {}
        self.reason: str | None = None
        self.needs = Requires.NOTHING
        self.on_fail = OnFail.IGNORE
        self.fail_role = Role.UNKNOWN
        self.interval_ms = 0
        self.op_config = None
        self.actions_before: list[Relation] = []
        self.actions_after: list[Relation] = []
        # actions_after's relations by the later action's id (order_actions'
        # duplicate check would otherwise scan them all: thousands for the
        # pseudo-actions that every resource is ordered with)
        self.after_by_id: dict[int, list[Relation]] = {}
        self.runnable_before = 0
        self.required_runnable_before = 0
        self.priority = 0
        self.graph_id = -1
        self.cancel_task = None

    def __repr__(self):
        node = self.node.name if self.node else "-"
        return f"Action({self.uuid} {node} {self.flags:#x})"

    def has(self, flag: int) -> bool:
        return bool(self.flags & flag)

    def set(self, flag: int) -> None:
        self.flags |= flag

    def clear(self, flag: int) -> None:
        self.flags &= ~flag

    @property
    def optional(self) -> bool:
        return bool(self.flags & AF.OPTIONAL)

    @property
    def runnable(self) -> bool:
        return bool(self.flags & AF.RUNNABLE)

    @property
    def pseudo(self) -> bool:
        return bool(self.flags & AF.PSEUDO)


class Relation:
    """An edge between two actions (pcmk__related_action_t)."""

    __slots__ = ("action", "flags", "graphed")

    def __init__(self, action: Action, flags: int):
        self.action = action
        self.flags = flags
        self.graphed = False


class Colocation:
    __slots__ = ("id", "dependent", "primary", "score", "dependent_role", "primary_role",
                 "node_attribute", "explicit", "influence")

    def __init__(self, cid, dependent, primary, score, dependent_role, primary_role,
                 node_attribute, explicit, influence):
        self.id = cid
        self.dependent = dependent
        self.primary = primary
        self.score = score
        self.dependent_role = dependent_role
        self.primary_role = primary_role
        self.node_attribute = node_attribute
        self.explicit = explicit
        self.influence = influence

    def __repr__(self):
        return f"Colocation({self.id}: {self.dependent.id} with {self.primary.id} {self.score})"


class Ordering:
    """A resource- or action-level ordering before it is expanded to actions."""

    __slots__ = ("id", "first_rsc", "first_key", "first_action", "then_rsc", "then_key",
                 "then_action", "flags")

    def __init__(self, oid, first_rsc, first_key, first_action, then_rsc, then_key,
                 then_action, flags):
        self.id = oid
        self.first_rsc = first_rsc
        self.first_key = first_key
        self.first_action = first_action
        self.then_rsc = then_rsc
        self.then_key = then_key
        self.then_action = then_action
        self.flags = flags


class Location:
    """A location constraint, unpacked (one per rule or plain score)."""

    __slots__ = ("id", "rsc", "role", "discover", "nodes")

    def __init__(self, lid, rsc, role, discover, nodes):
        self.id = lid
        self.rsc = rsc
        self.role = role  # Role or None
        self.discover = discover
        self.nodes = nodes  # list of (Node, score)


def op_key(rsc_id: str, task: str, interval_ms: int = 0) -> str:
    return f"{rsc_id}_{task}_{interval_ms}"


class Scheduler:
    """Everything one run knows: options, nodes, resources, constraints, actions."""

    def __init__(self, cib, now, now_epoch: int):
        self.cib = cib
        self.now = now
        self.now_epoch = now_epoch
        self.options: dict[str, str] = {}
        # cluster-wide switches (Pacemaker's scheduler flags)
        self.fencing_enabled = True
        self.symmetric = True
        self.quorate = False
        self.stop_all = False
        self.maintenance_mode = False
        self.start_failure_fatal = True
        self.startup_fencing = True
        self.concurrent_fencing = True
        self.enable_unfencing = False
        self.have_remote_nodes = False
        self.probe_resources = True
        self.stop_removed = True
        self.cancel_removed = True
        self.remove_after_stop = False
        self.shutdown_lock = False
        self.have_fencing = False
        self.fence_remote_without_quorum = False
        self.no_quorum_policy = NoQuorum.STOP
        self.fence_action = "reboot"
        self.fence_timeout_ms = 60000
        self.placement_strategy = "default"
        self.priority_fencing_ms = 0
        self.node_pending_ms = 0
        self.shutdown_lock_ms = 0
        self.health_scores = (-INFINITY, 0, 0)  # red, yellow, green
        # objects
        self.nodes: list[Node] = []
        self.nodes_by_id: dict[str, Node] = {}
        self.resources: list[Resource] = []
        self.all_resources: dict[str, Resource] = {}
        self.templates: dict = {}
        self.tags: dict[str, list[str]] = {}
        self.tickets: dict = {}
        self.colocations: list[Colocation] = []
        self.orderings: list[Ordering] = []
        self.locations: list[Location] = []
        self.ticket_constraints: list = []
        self.actions: list[Action] = []
        self.singletons: dict[str, Action] = {}
        self.next_action_id = 1      # as pcmk__set_scheduler_defaults: ids count from 1
        self.failed_ops: list = []
        self.dc_node: Node | None = None
        self.recheck_by = 0
        self.stop_needed: list[Resource] = []
        self.param_checks: list = []
        self.rsc_defaults = ()
        self.op_defaults = ()
        self.optimal = False
        self.placement_report = None  # pengine.placement.PlacementReport in optimal mode
        self.warnings: list[str] = []
        self.score_log: list[str] = []   # -s / -U lines, in the order Pacemaker prints them
        self.record_scores = False       # -s: fill score_log (pengine.score_log)
        self.record_utilization = False  # -U: capacities and assignments in score_log
        # pcmk__sched_sanitized: the status may have masked secrets, so a change
        # of only private parameters is no change (simulations; not pengine run)
        self.sanitized = True

    def find_node(self, name: str | None) -> Node | None:
        if name is None:
            return None
        for node in self.nodes:
            if node.name == name:
                return node
        return None

    def find_node_any(self, node_id: str | None, name: str | None) -> Node | None:
        node = self.nodes_by_id.get(node_id) if node_id is not None else None
        if node is None and name is not None:
            node = self.find_node(name)
        return node

    def find_resource(self, rsc_id: str) -> Resource | None:
        return self.all_resources.get(rsc_id)
