"""A resource's assignment as the working state records it: taking it back, and the node
capacities that assigned resources consume (pcmk__unassign_resource,
pcmk__consume_node_capacity, pcmk__release_node_capacity).  Choosing the node is
pengine.schedule.assign; the utilization strategies are pengine.schedule.utilization."""

from __future__ import annotations

from pengine.status.cluster import Resource
from pengine.status.history import to_int


INT_MIN, INT_MAX = -2**31, 2**31 - 1


def utilization_value(text: str | None) -> int:
    """utilization_value: an integer (clamped to C int), 0 when absent or invalid."""
    if text is None:
        return 0
    value = to_int(text, 0)
    return max(INT_MIN, min(INT_MAX, value))


_value = utilization_value


def consume_node_capacity(node_util: dict, rsc) -> None:
    """pcmk__consume_node_capacity: an attribute the node lacks becomes 0."""
    for key, value in rsc.utilization.items():
        current = node_util.get(key)
        node_util[key] = str(_value(current) - _value(value)) if current is not None else "0"


def release_node_capacity(node_util: dict, rsc) -> None:
    """pcmk__release_node_capacity."""
    for key, value in rsc.utilization.items():
        node_util[key] = str(_value(node_util.get(key)) + _value(value))


def unassign_resource(rsc: Resource) -> None:
    """pcmk__unassign_resource (recursively)."""
    old = rsc.assigned_node
    if rsc.variant == "primitive" and old is not None:
        if rsc in old.assigned:
            old.assigned.remove(rsc)
        old.num_resources -= 1
        release_node_capacity(old.utilization, rsc)
    rsc.assigned_node = None
    rsc.unassigned = True
    for child in rsc.children:
        unassign_resource(child)
