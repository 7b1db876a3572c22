"""Probes: finding out a resource's state where it is unknown (pcmk_sched_probes.c)."""

from __future__ import annotations

from pengine.status.actions import custom_action, find_actions, resource_actions
from pengine.status.cluster import AF, Action, Node, Rel, Resource, Role, Scheduler, op_key
from pengine.schedule.ordering import new_ordering, order_actions


def _add_expected_result(probe: Action, rsc: Resource, node: Node) -> None:
    if node not in rsc.running_on:
        probe.meta["op_target_rc"] = "7"
    elif rsc.role == Role.PROMOTED:
        probe.meta["op_target_rc"] = "8"


def probe_resource_list(sch: Scheduler, resources, node: Node) -> bool:
    from pengine.schedule.variants import methods
    created = False
    for rsc in resources:
        module = methods(rsc)
        probe = getattr(module, "create_probe", None) or probe_rsc_on_node
        if probe(sch, rsc, node):
            created = True
    return created


def _probe_then_start(sch: Scheduler, rsc1: Resource, rsc2: Resource) -> None:
    if rsc1.assigned_node is not None and rsc1.assigned_node.id not in rsc1.probed_nodes:
        new_ordering(sch, rsc1, op_key(rsc1.id, "monitor", 0), None, rsc2,
                     op_key(rsc2.id, "start", 0), None, Rel.ORDERED)


def _guest_will_stop(node: Node) -> bool:
    guest = node.remote_rsc.launcher
    return node.remote_reset or node.unclean or guest.failed or guest.next_role == Role.STOPPED \
        or (guest.role > Role.STOPPED and guest.assigned_node is not None
            and guest.assigned_node not in guest.running_on)


def _probe_action(sch: Scheduler, rsc: Resource, node: Node) -> Action:
    probe = custom_action(sch, rsc, op_key(rsc.id, "monitor", 0), "monitor", node, False, 0)
    probe.clear(AF.OPTIONAL)
    order_vs_unfence(sch, rsc, node, probe, Rel.ORDERED)
    _add_expected_result(probe, rsc, node)
    return probe


def probe_rsc_on_node(sch: Scheduler, rsc: Resource, node: Node) -> bool:
    """pcmk__probe_rsc_on_node."""
    flags = Rel.ORDERED
    top = rsc.top()
    if not sch.probe_resources:
        return False
    if node.is_remote:
        if rsc.cls == "stonith":
            return False
        if node.is_guest and resource_contains_guest_node(sch, rsc):
            return False
        if rsc.is_remote_connection:
            return False
    if rsc.children:
        return probe_resource_list(sch, rsc.children, node)
    if rsc.launcher is not None and not rsc.is_remote_connection:
        return False
    if rsc.removed:
        return False
    if node.id in rsc.probed_nodes:
        return False
    allowed = rsc.allowed.get(node.id)
    if rsc.exclusive_discover or top.exclusive_discover:
        if allowed is None or allowed.discover != "exclusive":
            return False
    # without an entry, the node's own discovery mode (bundle nodes: never)
    discover = allowed.discover if allowed is not None else node.probe_mode
    if discover == "never":
        return False
    if node.is_guest:
        guest = node.remote_rsc.launcher
        if guest.role == Role.STOPPED:
            _probe_then_start(sch, guest, top)
            return False
        if _guest_will_stop(node):
            new_ordering(sch, guest, op_key(guest.id, "stop", 0), None, top,
                         op_key(top.id, "start", 0), None, Rel.ORDERED)
            return False
    probe = _probe_action(sch, rsc, node)
    if top.variant != "clone":
        top = rsc
    if not probe.runnable and not top.running_on:
        flags |= Rel.UNRUNNABLE_FIRST_BLOCKS
    new_ordering(sch, rsc, None, probe, top, op_key(top.id, "start", 0), None, flags)
    new_ordering(sch, rsc, None, probe, top, op_key(rsc.id, "reload-agent", 0), None, Rel.ORDERED)
    return True


def _is_failed_remote(node: Node) -> bool:
    from pengine.schedule.remote_orderings import is_failed_remote_node
    return is_failed_remote_node(node)


def schedule_probes(sch: Scheduler) -> None:
    from pengine.status.unpack import fence_node
    for node in sch.nodes:
        if not node.online:
            if _is_failed_remote(node):
                fence_node(sch, node, "the connection is unrecoverable", False)
            continue
        if node.unclean or not node.probes_allowed:
            continue
        # Pacemaker 3.0 no longer reads the "probe_complete" node attribute
        # (none of its libraries knows the name): a value other than "true"
        # changes nothing, as crm_simulate 3.0.2 shows.
        probe_resource_list(sch, sch.resources, node)


# ------------------------------------------------------------- ordering --

def _probe_needed_before(probe: Action, then: Action) -> bool:
    if then.task == "stonith" and probe.node is then.node:
        if (then.meta.get("stonith_action") or "").lower() == "on":
            return False
    if then.task == "do_shutdown" and probe.node is not None and then.node is not None \
            and probe.node is not then.node:
        return False
    return True


def _add_probe_orderings_for_stops(sch: Scheduler) -> None:
    for order in sch.orderings:
        if order.flags == Rel.NONE:
            continue
        if order.first_rsc is None or order.first_rsc is order.then_rsc:
            continue
        first = order.first_action
        then = order.then_action
        if (first is None and order.first_key is None) or (then is None and order.then_key is None):
            continue
        if first is not None and first.task != "stop":
            continue
        if first is None and not order.first_key.endswith("_stop_0"):
            continue
        if order.then_rsc is not None and order.first_rsc.launcher is order.then_rsc:
            if then is not None and then.task == "stop":
                continue
            if then is None and order.then_key.endswith("_stop_0"):
                continue
        flags = Rel.ORDERED
        if order.flags & Rel.IF_FIRST_UNMIGRATABLE:
            flags |= Rel.IF_FIRST_UNMIGRATABLE
        if order.flags & Rel.IF_ON_SAME_NODE:
            flags |= Rel.IF_ON_SAME_NODE
        if order.flags in (Rel.IF_REQUIRED_ON_SAME_NODE, Rel.IF_ON_SAME_NODE_OR_TARGET):
            flags = order.flags
        probes = resource_actions(order.first_rsc, None, "monitor", False)
        if not probes:
            continue
        if then is not None:
            then_actions = [then]
        elif order.then_rsc is not None:
            then_actions = find_actions(order.then_rsc.actions, order.then_key, None)
            if not then_actions:
                continue
        else:
            then_actions = []
        for probe in probes:
            for action in then_actions:
                if _probe_needed_before(probe, action):
                    order_actions(probe, action, flags)


def _add_start_orderings_for_probe(probe: Action, after) -> None:
    flags = Rel.ORDERED | Rel.UNRUNNABLE_FIRST_BLOCKS
    arsc = after.action.rsc
    if arsc is None or arsc.variant in ("primitive", "group") or probe.runnable \
            or (after.flags & Rel.UNRUNNABLE_FIRST_BLOCKS) or probe.rsc.top() is not arsc \
            or after.action.task != "start":
        return
    for then in list(after.action.actions_after):
        trsc = then.action.rsc
        if trsc is None or trsc.running_on or trsc.top() is not arsc or then.action.task != "start":
            continue
        order_actions(probe, then.action, flags)


def _add_restart_orderings_for_probe(probe: Action, after: Action, tracking: set) -> None:
    """Walk everything ordered after ``after`` (depth first, as Pacemaker's
    recursion does) with an explicit stack: an ordering chain of thousands
    of resources must not hit Python's recursion limit."""
    if probe is None or probe.rsc is None or probe.rsc.variant != "primitive" \
            or probe.task != "monitor":
        return
    stack = [iter((after,))]
    while stack:
        action = next(stack[-1], None)
        if action is None:
            stack.pop()
            continue
        if action.id in tracking:
            continue
        tracking.add(action.id)
        stack.append(_restart_ordering_step(probe, action))


def _restart_ordering_step(probe: Action, after: Action):
    """One visit of the walk above: order the probe before ``after``'s
    stop or demote, then yield (lazily, as the recursion went) the actions
    to visit next."""
    if after.rsc is not None and after.rsc.variant == "primitive" and probe.rsc is not after.rsc:
        then_actions = []
        if after.task == "start":
            then_actions = resource_actions(after.rsc, None, "stop", False)
        elif after.task == "promote":
            then_actions = resource_actions(after.rsc, None, "demote", False)
        for then in then_actions:
            if not then.pseudo:
                order_actions(probe, then, Rel.ORDERED)
    interleave = False
    compatible = None
    if after.rsc is not None and after.rsc.variant in ("clone", "bundle"):
        interleave = (after.rsc.meta.get("interleave") or "").lower() in ("true", "on", "yes", "y", "1")
        if interleave:
            from pengine.schedule.instances import find_compatible_instance
            compatible = find_compatible_instance(probe.rsc, after.rsc, Role.UNKNOWN, False)
    for rel in list(after.actions_after):
        if not (rel.flags & Rel.FIRST_IMPLIES_THEN):
            arsc = after.rsc
            nrsc = rel.action.rsc
            if arsc is None or arsc.variant == "primitive" or probe.rsc.parent is arsc \
                    or nrsc is None or nrsc.variant in ("clone", "bundle") \
                    or arsc is not nrsc.parent:
                continue
            if arsc.variant in ("clone", "bundle") and interleave and \
                    (compatible is None or compatible is not nrsc):
                continue
        if rel.action is not None:
            yield rel.action


def _add_start_restart_orderings_for_rsc(sch: Scheduler, rsc: Resource) -> None:
    if rsc.variant != "primitive":
        for child in rsc.children:
            _add_start_restart_orderings_for_rsc(sch, child)
        return
    for probe in resource_actions(rsc, None, "monitor", False):
        for then in list(probe.actions_after):
            _add_start_orderings_for_probe(probe, then)
            _add_restart_orderings_for_probe(probe, then.action, set())


def order_probes(sch: Scheduler) -> None:
    for rsc in list(sch.resources):
        _add_start_restart_orderings_for_rsc(sch, rsc)
    _add_probe_orderings_for_stops(sch)


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.schedule.remote import resource_contains_guest_node  # noqa: E402
from pengine.schedule.unfencing import order_vs_unfence  # noqa: E402
