"""Utilization: node capacities consumed by assigned resources (pcmk_sched_utilization.c)."""

from __future__ import annotations

# the capacity bookkeeping is the working state's; imported here too for this module's users
from pengine.status.assignment import (consume_node_capacity, release_node_capacity,  # noqa: F401
                                       utilization_value)

_value = utilization_value


def _dump(table: dict) -> str:
    """`` key=value`` for each entry, in GHashTable iteration order."""
    from pengine.common.ghash import iteration_order
    return "".join(f" {key}={table[key]}" for key in iteration_order(table))


def show_node_capacities(sch, comment: str) -> None:
    """pcmk__show_node_capacities (``crm_simulate -U``): every node's remaining capacity."""
    for node in sch.nodes:
        sch.score_log.append(f"{comment}: {node.name} capacity:{_dump(node.utilization)}")


def show_resource_utilization(sch, rsc, node) -> None:
    """The "resource-util" message of pcmk__assign_resource (``crm_simulate -U``)."""
    sch.score_log.append(f"pcmk__assign_resource: {rsc.id} utilization on {node.name}:"
                         f"{_dump(rsc.utilization)}")


def compare_node_capacities(node1, node2) -> int:
    """Negative if node1 has more free capacity (pcmk__compare_node_capacities)."""
    result = 0
    for key, value in node1.utilization.items():
        n1 = _value(value)
        n2 = _value(node2.utilization.get(key))
        if n1 > n2:
            result -= 1
        elif n1 < n2:
            result += 1
    for key, value in node2.utilization.items():
        if key in node1.utilization:
            continue
        n2 = _value(value)
        if n2 > 0:
            result += 1
        elif n2 < 0:
            result -= 1
    return result


def ban_insufficient_capacity(sch, rsc):
    """Nodes without room for ``rsc`` are banned; returns the most free node.

    With the default placement strategy utilization is ignored entirely.
    """
    if sch.placement_strategy == "default":
        return None
    from pengine.schedule.utilization_strategy import ban_insufficient_capacity as impl
    return impl(sch, rsc)
