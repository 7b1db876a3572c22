"""The scheduler driver: Pacemaker's phases, in order, one named call each.

``schedule(cib, now)`` is a pure function from a CIB (configuration and
status) and a time to a transition graph; everything in between is the
working state of one run (`pengine.cluster`).
"""

from __future__ import annotations

from datetime import datetime

from pengine.cib import model as m
from pengine.status.cluster import Scheduler
from pengine.common.scores import INFINITY


def schedule(cib: m.Cib, now: datetime | None = None, *, quorum: bool | None = None,
             optimal: bool = False, record_scores: bool = False,
             sanitized: bool = True) -> Scheduler:
    from pengine.status.unpack import unpack
    sch = unpack(cib, now, quorum=quorum)
    sch.optimal = optimal
    sch.sanitized = sanitized             # False for a live cluster (pengine run)
    sch.record_scores = record_scores     # -s: allocation/promotion scores in sch.score_log
    for phase in PHASES:
        phase(sch)
    return sch


# ----------------------------------------------------------------- phases --

def apply_node_health(sch: Scheduler) -> None:
    from pengine.schedule.health import apply_node_health as impl
    impl(sch)


def unpack_constraints(sch: Scheduler) -> None:
    """Constraints in configuration order, each kind by its own module."""
    from pengine.schedule.colocation import unpack_colocation
    from pengine.schedule.constraints import constraint_resource, expand_tags
    from pengine.schedule.locations import unpack_location
    from pengine.schedule.ordering import _unpack_order
    from pengine.schedule.tickets import unpack_ticket_constraint
    for cons in sch.cib.configuration.constraints:
        if isinstance(cons, m.Order):
            expanded = expand_tags(sch, cons)
            if expanded is not None:
                _unpack_order(sch, expanded, constraint_resource)
        elif isinstance(cons, m.Colocation):
            expanded = expand_tags(sch, cons)
            if expanded is not None:
                unpack_colocation(sch, expanded)
        elif isinstance(cons, m.Location):
            unpack_location(sch, cons)
        elif isinstance(cons, m.TicketConstraint):
            expanded = expand_tags(sch, cons)
            if expanded is not None:
                unpack_ticket_constraint(sch, expanded)


def apply_node_criteria(sch: Scheduler) -> None:
    """Shutdown locks, locations, stickiness, failure thresholds, exclusive discovery."""
    from pengine.schedule.locations import apply_locations
    from pengine.status.unpack_resources import resource_location
    from pengine.status.failcounts import threshold_reached
    from pengine.schedule.variants import methods
    if sch.shutdown_lock:
        for rsc in sch.resources:
            methods(rsc).shutdown_lock(sch, rsc)
    apply_locations(sch)
    for rsc in sch.resources:
        _apply_stickiness(sch, rsc)
    for node in sch.nodes:
        for rsc in sch.resources:
            _check_failure_threshold(sch, rsc, node, threshold_reached, resource_location)
            _apply_exclusive_discovery(rsc, node)


def _apply_stickiness(sch: Scheduler, rsc) -> None:
    from pengine.status.unpack_resources import resource_location
    if rsc.children:
        for child in rsc.children:
            _apply_stickiness(sch, child)
        return
    if not rsc.managed or rsc.stickiness < 1 or len(rsc.running_on) != 1:
        return
    node = rsc.running_on[0]
    if not sch.symmetric and node.id not in rsc.allowed:
        return
    resource_location(sch, rsc, node, rsc.stickiness, "stickiness")


def _check_failure_threshold(sch: Scheduler, rsc, node, threshold_reached, resource_location) -> None:
    if rsc.children:
        for child in rsc.children:
            _check_failure_threshold(sch, child, node, threshold_reached, resource_location)
        return
    if resource_actions(rsc, node, "clear_failcount", True):
        return
    failed = threshold_reached(sch, rsc, node)
    if failed is not None:
        resource_location(sch, failed, node, -INFINITY, "__fail_limit__")


def _apply_exclusive_discovery(rsc, node) -> None:
    if rsc.exclusive_discover or rsc.top().exclusive_discover:
        for child in rsc.children:
            _apply_exclusive_discovery(child, node)
        match = rsc.allowed.get(node.id)
        if match is not None and match.discover != "exclusive":
            match.score = -INFINITY


def create_internal_constraints(sch: Scheduler) -> None:
    from pengine.schedule.variants import methods
    for rsc in list(sch.resources):
        methods(rsc).internal_constraints(sch, rsc)


def handle_rsc_config_changes(sch: Scheduler) -> None:
    from pengine.schedule.config_changes import handle_config_changes
    handle_config_changes(sch)


def assign_resources(sch: Scheduler) -> None:
    from pengine.schedule.variants import methods
    if sch.placement_strategy != "default":
        from pengine.schedule.utilization_strategy import sort_resources
        sort_resources(sch)
    if sch.record_utilization:
        from pengine.schedule.utilization import show_node_capacities
        show_node_capacities(sch, "Original")
    if sch.have_remote_nodes:
        for rsc in list(sch.resources):
            if rsc.is_remote_connection:
                methods(rsc).assign(sch, rsc, rsc.partial_migration_target, True)
    optimal = sch.optimal or (sch.options.get("placement-solver") or "").lower() == "optimal"
    if optimal:
        from pengine.schedule.placement import place_optimally
        place_optimally(sch)
    # an observer (pengine resilience's what-if scope) sees each top-level
    # resource's turn: which nodes it fills, or fills them as a run of the
    # whole cluster would have by then
    observer = getattr(sch, "assign_observer", None)
    for rsc in list(sch.resources):
        if not rsc.is_remote_connection:
            if observer is not None:
                observer.before(sch, rsc)
            methods(rsc).assign(sch, rsc, None, True)
            if observer is not None:
                observer.after(sch, rsc)
    if observer is not None:
        observer.done(sch)
    if optimal:
        from pengine.schedule.placement import finish_report
        finish_report(sch)
    if sch.record_utilization:
        from pengine.schedule.utilization import show_node_capacities
        show_node_capacities(sch, "Remaining")


def schedule_resource_actions(sch: Scheduler) -> None:
    from pengine.schedule.probes import schedule_probes
    from pengine.schedule.variants import methods
    for check in sch.param_checks:
        check(sch)
    sch.param_checks = []
    if sch.probe_resources:
        schedule_probes(sch)
    if sch.stop_removed:
        for rsc in list(sch.resources):
            _clear_failcounts_if_removed(sch, rsc)
    for rsc in list(sch.resources):
        methods(rsc).create_actions(sch, rsc)


def _clear_failcounts_if_removed(sch: Scheduler, rsc) -> None:
    from pengine.status.actions import clear_failcount
    from pengine.status.cluster import Rel, op_key
    from pengine.schedule.ordering import new_ordering
    from pengine.status.failcounts import get_failcount
    if not rsc.removed:
        return
    for node in sch.nodes:
        if not node.online:
            continue
        if get_failcount(sch, node, rsc, effective=True) == 0:
            continue
        clear = clear_failcount(sch, rsc, node, "it is orphaned")
        new_ordering(sch, clear.rsc, None, clear, rsc, op_key(rsc.id, "stop", 0), None,
                     Rel.ORDERED)


def order_remote_connection_actions(sch: Scheduler) -> None:
    if sch.have_remote_nodes:
        from pengine.schedule.remote import order_remote_connection_actions as impl
        impl(sch)


def schedule_fencing_and_shutdowns(sch: Scheduler) -> None:
    from pengine.schedule.fencing_schedule import schedule_fencing_and_shutdowns as impl
    impl(sch)


def apply_orderings(sch: Scheduler) -> None:
    from pengine.schedule.apply_orderings import apply_orderings as impl
    impl(sch)


def log_all_actions(sch: Scheduler) -> None:
    """The scheduler logs the transition summary before building the graph;
    its action look-ups give a node-less action the node it is looked up on
    (find_actions), which the DOT graph then names."""
    from pengine.schedule.summary import log_actions
    log_actions(sch)


PHASES = (
    apply_node_health,
    unpack_constraints,
    apply_node_criteria,
    create_internal_constraints,
    handle_rsc_config_changes,
    assign_resources,
    schedule_resource_actions,
    order_remote_connection_actions,
    schedule_fencing_and_shutdowns,
    apply_orderings,
    log_all_actions,
)


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.status.actions import resource_actions  # noqa: E402

# pcmk__set_assignment_methods: whoever runs the phases imports this module, which hands the
# variant dispatch its table (the dispatch knows only the interface, not the variants).
from pengine.schedule import variants as _variants  # noqa: E402
from pengine.schedule.variants import bundle, clone, group, primitive  # noqa: E402

_variants.install({"primitive": primitive, "group": group, "clone": clone, "bundle": bundle})
