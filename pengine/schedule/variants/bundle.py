"""Bundles as the scheduler sees them (pcmk_sched_bundle.c): the variant methods.  Unpacking
a bundle into its replicas is pengine.status.bundles (Pacemaker's lib/pengine/bundle.c).

A bundle expands into replicas.  Each replica has a container resource
(``ocf:heartbeat:docker|podman``), optionally an ``IPaddr2`` resource, and,
when the bundle holds a primitive, a Pacemaker Remote connection to a
*bundle node* named after the replica, on which that primitive's clone
instance runs.  The primitive is wrapped in a clone (``BUNDLE-clone``, or
``BUNDLE-master`` when promotable) with one instance per replica.

Scheduling of bundles (pcmk_sched_bundle.c) is not ported yet: the variant
methods below say so.
"""

from __future__ import annotations

from pengine.cib import model as m
from pengine.status.cluster import NodeWeight, Resource, Scheduler
from pengine.common.scores import INFINITY
from pengine.status.bundles import (  # noqa: F401 (bundle.X for the scheduler)
    data, unpack_bundle, find_replica_resource, containers, is_bundle_node, max_per_node,
    active_node_counted, active_node, bundle_containers, remote_name)


# ------------------------------------------------------------ variant ---
# pcmk_sched_bundle.c: the bundle's methods.  Its replicas' resources are
# ordinary primitives; the bundled clone is assigned onto the bundle nodes.

def assign(sch: Scheduler, rsc: Resource, prefer, stop_if_fail: bool):
    from pengine.schedule.variants import assign_walk
    return assign_walk(sch, rsc, prefer, stop_if_fail)


def assign_steps(sch: Scheduler, rsc: Resource, prefer, stop_if_fail: bool):
    """pcmk__bundle_assign: containers like clone instances, then each
    replica's IP, connection and bundled instance, then the bundled clone.
    A generator: those assignments are yielded."""
    from pengine.schedule import instances as inst
    from pengine.schedule.score_log import show_node_scores
    from pengine.status.failcounts import threshold_reached
    bd = data(rsc)
    rsc.assigning = True
    show_node_scores(sch, rsc, "pcmk__bundle_assign", rsc.allowed)
    ordered = list(containers(rsc))
    inst.sort_instances(sch, ordered)
    inst.assign_instances(sch, rsc, ordered, bd.nreplicas, bd.nreplicas_per_host)
    for replica in bd.replicas:
        if replica.ip is not None:
            yield (replica.ip, prefer, stop_if_fail)
        host = replica.container.assigned_node
        if replica.remote is not None:
            if host is not None and host.is_remote:
                # Nested connections must share a host: pacemaker-remoted
                # supports a single active connection.
                from pengine.schedule.colocation import new_colocation
                new_colocation(sch, "child-remote-with-docker-remote", None, INFINITY,
                               replica.remote, host.remote_rsc, None, None, False, True)
            yield (replica.remote, prefer, stop_if_fail)
        if replica.child is not None:
            for entry in replica.child.allowed.values():
                if entry.node is not replica.node:
                    entry.score = -INFINITY
                elif threshold_reached(sch, replica.child, entry.node) is None:
                    entry.score = INFINITY
            replica.child.parent.assigning = True
            yield (replica.child, replica.node, stop_if_fail)
            replica.child.parent.assigning = False
    if bd.child is not None:
        for entry in bd.child.allowed.values():
            entry.score = 0 if is_bundle_node(rsc, entry.node) else -INFINITY
        yield (bd.child, prefer, stop_if_fail)
    rsc.assigning = False
    rsc.unassigned = False
    return None


def create_actions(sch: Scheduler, rsc: Resource) -> None:
    from pengine.schedule import instances as inst
    from pengine.status.actions import rsc_pseudo_action
    from pengine.schedule.variants import methods
    bd = data(rsc)
    for replica in bd.replicas:
        for member in (replica.ip, replica.container, replica.remote):
            if member is not None:
                methods(member).create_actions(sch, member)
    inst.create_instance_actions(sch, rsc, list(containers(rsc)))
    if bd.child is not None:
        methods(bd.child).create_actions(sch, bd.child)
        if bd.child.promotable:
            rsc_pseudo_action(sch, rsc, "promote", True, True)
            rsc_pseudo_action(sch, rsc, "promoted", True, True).priority = INFINITY
            rsc_pseudo_action(sch, rsc, "demote", True, True)
            rsc_pseudo_action(sch, rsc, "demoted", True, True).priority = INFINITY


def internal_constraints(sch: Scheduler, rsc: Resource) -> None:
    from pengine.status.cluster import Rel
    from pengine.schedule.colocation import new_colocation
    from pengine.schedule.ordering import order_resource_actions as order
    from pengine.schedule.variants import methods
    bd = data(rsc)
    child = bd.child
    if child is not None:
        order(sch, rsc, "start", child, "start", Rel.THEN_IMPLIES_FIRST_GRAPHED)
        order(sch, rsc, "stop", child, "stop", Rel.THEN_IMPLIES_FIRST_GRAPHED)
        if child.children:
            order(sch, child, "running", rsc, "running", Rel.FIRST_IMPLIES_THEN_GRAPHED)
            order(sch, child, "stopped", rsc, "stopped", Rel.FIRST_IMPLIES_THEN_GRAPHED)
        else:
            order(sch, child, "start", rsc, "running", Rel.FIRST_IMPLIES_THEN_GRAPHED)
            order(sch, child, "stop", rsc, "stopped", Rel.FIRST_IMPLIES_THEN_GRAPHED)
    for replica in bd.replicas:
        container = replica.container
        methods(container).internal_constraints(sch, container)
        order(sch, rsc, "start", container, "start",
              Rel.UNRUNNABLE_FIRST_BLOCKS | Rel.THEN_IMPLIES_FIRST_GRAPHED)
        if replica.child is not None:
            order(sch, rsc, "stop", replica.child, "stop", Rel.THEN_IMPLIES_FIRST_GRAPHED)
        order(sch, rsc, "stop", container, "stop", Rel.THEN_IMPLIES_FIRST_GRAPHED)
        order(sch, container, "start", rsc, "running", Rel.FIRST_IMPLIES_THEN_GRAPHED)
        order(sch, container, "stop", rsc, "stopped", Rel.FIRST_IMPLIES_THEN_GRAPHED)
        if replica.ip is not None:
            methods(replica.ip).internal_constraints(sch, replica.ip)
            # the IP before the container, both ways
            order(sch, replica.ip, "start", container, "start",
                  Rel.UNRUNNABLE_FIRST_BLOCKS | Rel.GUEST_ALLOWED)
            order(sch, container, "stop", replica.ip, "stop",
                  Rel.THEN_IMPLIES_FIRST | Rel.GUEST_ALLOWED)
            new_colocation(sch, "ip-with-docker", None, INFINITY, replica.ip, container,
                           None, None, False, True)
        if replica.remote is not None:
            # orders and colocates the connection with its container
            methods(replica.remote).internal_constraints(sch, replica.remote)
    if child is not None:
        methods(child).internal_constraints(sch, child)
        if child.promotable:
            from pengine.schedule.promotable import promotable_restart_ordering
            promotable_restart_ordering(sch, rsc)
            order(sch, child, "demoted", rsc, "demoted", Rel.FIRST_IMPLIES_THEN_GRAPHED)
            order(sch, rsc, "demote", child, "demote", Rel.THEN_IMPLIES_FIRST_GRAPHED)
            order(sch, child, "promoted", rsc, "promoted", Rel.FIRST_IMPLIES_THEN_GRAPHED)
            order(sch, rsc, "promote", child, "promote", Rel.THEN_IMPLIES_FIRST_GRAPHED)


def is_bundle_node_of_any(node) -> bool:
    """pcmk__is_bundle_node: a guest node whose connection belongs to a bundle."""
    if node is None or not node.is_guest:
        return False
    remote = node.remote_rsc
    return remote.parent is not None and remote.parent.variant == "bundle"


def _bundle_node_host(node):
    """get_bundle_node_host: where a bundle node's container is assigned
    (``node`` itself for any other node)."""
    from pengine.schedule.variants import location
    if is_bundle_node_of_any(node):
        container = node.remote_rsc.launcher
        return location(container, current=False, assigned=True)
    return node


def _compatible_container(sch: Scheduler, dependent: Resource, bundle: Resource):
    """compatible_container: a replica container assigned where ``dependent``
    is (a bundle node counting as its container's host), else where it could be."""
    from pengine.schedule import instances as inst
    from pengine.schedule.assign import sort_nodes
    from pengine.status.cluster import Role
    from pengine.schedule.variants import location

    def on(node):
        for replica in data(bundle).replicas:
            if inst.instance_matches(replica.container, node, Role.UNKNOWN, False):
                return replica.container
        return None

    node = location(dependent, current=False, assigned=True)
    node = _bundle_node_host(node)
    if node is not None:
        return on(node)
    for weight in sort_nodes(sch, dependent.allowed.values()):
        node = _bundle_node_host(weight.node)
        if node is None:
            continue
        container = on(node)
        if container is not None:
            return container
    return None


def apply_coloc_score(sch: Scheduler, dependent: Resource, primary: Resource, colocation,
                      for_dependent: bool) -> int:
    """pcmk__bundle_apply_coloc_score (the bundle as primary only: as a
    dependent its colocations go to its containers and bundled resource);
    returns what was added to the dependent's promotion priority."""
    from pengine.schedule.assign import assign_resource
    from pengine.status.cluster import NodeWeight, Role
    from pengine.schedule.colocation import intersect_nodes
    from pengine.schedule.variants import location, methods
    if primary.unassigned:
        return 0
    if colocation.dependent.variant in ("clone", "bundle"):
        container = _compatible_container(sch, dependent, primary)
        if container is not None:
            return methods(dependent).apply_coloc_score(sch, dependent, container, colocation,
                                                        True) or 0
        if colocation.score >= INFINITY:
            assign_resource(sch, dependent, None, True, True)
        return 0
    delta = 0
    hosts = []
    for replica in data(primary).replicas:
        container = replica.container
        if colocation.score < INFINITY:
            delta += methods(container).apply_coloc_score(sch, dependent, container, colocation,
                                                          False) or 0
            continue
        chosen = location(container, current=False, assigned=True)
        if chosen is None or _blocked_recursive(container):
            continue
        if colocation.primary_role >= Role.PROMOTED and (
                replica.child is None or replica.child.next_role < Role.PROMOTED):
            continue
        hosts.insert(0, NodeWeight(chosen, chosen.score))
    if colocation.score >= INFINITY:
        intersect_nodes(dependent, primary, colocation, hosts, False)
    return delta


def _blocked_recursive(rsc: Resource) -> bool:
    return rsc.blocked or any(_blocked_recursive(child) for child in rsc.children)


def _add_list(result: list, addition: list, this_with: bool) -> None:
    """pcmk__add_this_with_list / pcmk__add_with_this_list, as the clone
    variant applies them (including Pacemaker 3.0's repeat of the first)."""
    from pengine.schedule.variants import clone
    clone._add_list(result, addition, this_with)


def _wants_bundle_colocations(rsc: Resource, orig: Resource) -> bool:
    """Who gets a bundle's colocations: the bundle, its containers, and (once
    roles are being chosen) its promotable bundled clone and assigned instances."""
    if orig is rsc or orig.replica_container:
        return True
    bundled = data(rsc).child
    if bundled is None or not bundled.promotable or orig.top() is not bundled:
        return False
    if orig is bundled:
        # pcmk__clone_promotion_constrained: roles are being chosen
        return "promotion_constrained" in (getattr(orig, "promotable_flags", None) or ())
    return not orig.unassigned


def with_this_colocations(rsc: Resource, orig: Resource, result: list) -> None:
    if _wants_bundle_colocations(rsc, orig):
        _add_list(result, rsc.with_this, this_with=False)


def this_with_colocations(rsc: Resource, orig: Resource, result: list) -> None:
    if _wants_bundle_colocations(rsc, orig):
        _add_list(result, rsc.this_with, this_with=True)


def add_colocated_node_scores(sch, source, target, log_id, nodes, colocation, factor, flags):
    from pengine.schedule import colocation as coloc
    return coloc.add_colocated_node_scores(sch, source, target, log_id, nodes, colocation,
                                           factor, flags)


def apply_location(rsc: Resource, location) -> None:
    from pengine.status.cluster import Role
    from pengine.schedule.locations import apply_location as apply
    from pengine.schedule.variants import methods
    apply(rsc, location)
    for replica in data(rsc).replicas:
        for member in (replica.container, replica.ip):
            if member is not None:
                methods(member).apply_location(member, location)
    bundled = data(rsc).child
    if bundled is not None and location.role in (Role.UNPROMOTED, Role.PROMOTED):
        methods(bundled).apply_location(bundled, location)
        bundled.locations.insert(0, location)


def action_flags(action, node) -> int:
    """pcmk__bundle_action_flags: clone-level actions (notifications,
    promotion) follow the bundled instances, the rest the containers."""
    from pengine.schedule import instances as inst
    bundled = data(action.rsc).child
    if bundled is not None:
        task = inst.complex_task(bundled, action.task)
        if task in ("", "notify", "notified", "promote", "promoted", "demote", "demoted"):
            return inst.collective_action_flags(action, bundled.children, node)
    return inst.collective_action_flags(action, list(containers(action.rsc)), node)


def update_ordered_actions(sch, first, then, node, flags, filter_, type_) -> int:
    from pengine.schedule import instances as inst
    return inst.instance_update_ordered_actions(sch, first, then, node, flags, filter_, type_)


def output_actions(sch, rsc, out) -> None:
    from pengine.schedule.variants import methods
    for replica in data(rsc).replicas:
        for member in (replica.ip, replica.container, replica.remote, replica.child):
            if member is not None:
                methods(member).output_actions(sch, member, out)


def add_utilization(sch, rsc, orig, all_rscs, utilization) -> None:
    """All replicas are alike: the first container's utilization stands for any."""
    from pengine.schedule.variants import methods
    if not rsc.unassigned or not data(rsc).replicas:
        return
    container = data(rsc).replicas[0].container
    if container is not None:
        methods(container).add_utilization(sch, container, orig, all_rscs, utilization)


def shutdown_lock(sch, rsc) -> None:
    return  # bundles don't support shutdown locks


def create_probe(sch: Scheduler, rsc: Resource, node) -> bool:
    """pcmk__bundle_create_probe."""
    from pengine.status.actions import find_first_action
    from pengine.status.cluster import Rel, op_key
    from pengine.schedule.ordering import new_ordering
    from pengine.schedule.probes import probe_resource_list
    bd = data(rsc)
    created = False
    for replica in bd.replicas:
        if replica.ip is not None and probe_resource_list(sch, [replica.ip], node):
            created = True
        if replica.child is not None and node is replica.node \
                and probe_resource_list(sch, [replica.child], node):
            created = True
        if replica.container is not None and probe_resource_list(sch, [replica.container], node):
            created = True
            # One replica per host (no IP range): don't start peers until we
            # know no other copy already runs there.
            if bd.nreplicas_per_host == 1:
                for other in bd.replicas:
                    if other is replica or other.container is None:
                        continue
                    new_ordering(sch, replica.container,
                                 op_key(replica.container.id, "monitor", 0), None,
                                 other.container, op_key(other.container.id, "start", 0),
                                 None, Rel.ORDERED | Rel.IF_ON_SAME_NODE)
        if replica.container is not None and replica.remote is not None \
                and probe_resource_list(sch, [replica.remote], node):
            # Probe the connection only once the container's host is known.
            probe = find_first_action(replica.remote.actions, op_key(replica.remote.id,
                                                                     "monitor", 0), None, node)
            if probe is not None:
                created = True
                new_ordering(sch, replica.container, op_key(replica.container.id, "start", 0),
                             None, replica.remote, None, probe, Rel.NESTED_REMOTE_PROBE)
    return created


def graph_members(rsc: Resource) -> list[Resource]:
    """pcmk__bundle_add_actions_to_graph: the bundled clone, then each
    replica's IP, container and connection."""
    bd = data(rsc)
    members = [bd.child] if bd.child is not None else []
    for replica in bd.replicas:
        members += [m for m in (replica.ip, replica.container, replica.remote) if m is not None]
    return members


def before_graph(sch: Scheduler, rsc: Resource) -> None:
    """add_replica_actions_to_graph: the connections' node-less parameters
    get their calculated address, which their actions' parameters take."""
    from pengine.status.unpack import rsc_params
    for replica in data(rsc).replicas:
        if replica.remote is None or replica.container is None:
            continue
        addr = remote_name(sch, replica.remote)
        if addr is not None:
            rsc_params(sch, replica.remote, None)["addr"] = addr
