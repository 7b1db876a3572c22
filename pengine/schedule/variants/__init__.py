"""Variant behaviour behind one interface (Pacemaker's assignment_methods[]).

Each variant module (primitive, group, clone, bundle) provides the same
functions; ``methods(rsc)`` picks the module for a resource.
"""

from __future__ import annotations

from typing import Protocol

from pengine.common.trampoline import drive
from pengine.status.cluster import Role


class VariantMethods(Protocol):
    def assign(self, sch, rsc, prefer, stop_if_fail): ...
    def assign_steps(self, sch, rsc, prefer, stop_if_fail): ...
    def create_actions(self, sch, rsc): ...
    def internal_constraints(self, sch, rsc): ...
    def apply_coloc_score(self, sch, dependent, primary, colocation, for_dependent): ...
    def this_with_colocations(self, rsc, orig, result): ...
    def with_this_colocations(self, rsc, orig, result): ...
    def add_colocated_node_scores(self, sch, source, target, log_id, nodes, colocation,
                                  factor, flags): ...
    def apply_location(self, rsc, location): ...
    def action_flags(self, action, node): ...
    def update_ordered_actions(self, sch, first, then, node, flags, filter_, type_): ...
    def output_actions(self, sch, rsc, out): ...
    def add_utilization(self, sch, rsc, orig, all_rscs, utilization): ...
    def shutdown_lock(self, sch, rsc): ...


def methods(rsc) -> VariantMethods:
    try:
        return _MODULES[rsc.variant]
    except KeyError:
        raise LookupError(f"no scheduler methods for variant {rsc.variant!r}: "
                          "pengine.schedule.driver.schedule() installs them") from None


# The variant table (Pacemaker's assignment_methods[]).  The driver fills it before the
# phases run, as pcmk__set_assignment_methods does: the dispatch knows the interface, not
# the variants, so the modules that dispatch do not depend on all four variant modules,
# which depend on them.  A dict: it is looked up for every action and ordering.
_MODULES: dict[str, VariantMethods] = {}


def install(table: dict[str, VariantMethods]) -> None:
    _MODULES.update(table)


def assign_walk(sch, rsc, prefer, stop_if_fail):
    """Assign ``rsc`` (its variant's ``assign``).  Assigning a resource first
    assigns what it depends on (its parent, its colocations' primaries, its
    members): a recursion as deep as the chain the user built, run here on
    an explicit stack (pengine.common.trampoline)."""
    return drive(_assign_steps((rsc, prefer, stop_if_fail), sch),
                 lambda call: _assign_steps(call, sch))


def _assign_steps(call, sch):
    rsc, prefer, stop_if_fail = call
    return methods(rsc).assign_steps(sch, rsc, prefer, stop_if_fail)


def this_with_colocations(rsc) -> list:
    result: list = []
    methods(rsc).this_with_colocations(rsc, rsc, result)
    return result


def with_this_colocations(rsc) -> list:
    result: list = []
    methods(rsc).with_this_colocations(rsc, rsc, result)
    return result


def resource_state(rsc, current: bool) -> Role:
    """The resource's role, current or next (the "state" method)."""
    if rsc.variant == "primitive":
        return rsc.role if current else rsc.next_role
    roles = [resource_state(child, current) for child in rsc.children]
    if rsc.variant == "group":
        # the highest role of any member (group_resource_state)
        best = Role.UNKNOWN
        for role in roles:
            if role > best:
                best = role
        return best
    best = Role.UNKNOWN
    for role in roles:
        if role > best:
            best = role
    return best


def location(rsc, current: bool = True, pending: bool = False, assigned: bool = False):
    """native_location: the node, if the resource is on exactly one."""
    nodes = node_list(rsc, current=current, pending=pending, assigned=assigned)
    return nodes[0] if len(nodes) == 1 else None


def node_list(rsc, current: bool = True, pending: bool = False, assigned: bool = False) -> list:
    result: list = []
    if rsc.children:
        for child in rsc.children:
            for node in node_list(child, current, pending, assigned):
                if node not in result:
                    result.append(node)
        return result
    if assigned:
        if rsc.assigned_node is not None:
            result.append(rsc.assigned_node)
        return result
    if current:
        result.extend(rsc.running_on)
    if pending and rsc.pending_node is not None and rsc.pending_node not in result:
        result.append(rsc.pending_node)
    return result
