"""Fencing topology: which fence devices to try for a node, and in what order.

The configuration's ``fencing-topology`` holds ``fencing-level`` entries,
each for a target (a node name, a regular expression over node names, or a
node attribute's value), with an index and a comma-separated list of
devices.  As Pacemaker's fencer does, fencing a target with levels tries
its levels in the order of their index; a level succeeds only when every
one of its devices succeeds, in order; the first level that succeeds ends
the fencing, and when one fails the next is tried.  A target without any
level may be fenced by any device that can reach it.
"""

from __future__ import annotations

import re
from typing import Mapping

from pengine.cib import model as m


def level_matches(level: m.FencingLevel, target: str,
                  node_attributes: Mapping[str, str]) -> bool:
    if level.target is not None:
        return level.target == target
    if level.target_pattern is not None:
        try:
            return re.search(level.target_pattern, target) is not None
        except re.error:
            return False
    if level.target_attribute is not None:
        return node_attributes.get(level.target_attribute) == level.target_value
    return False


def _index(level: m.FencingLevel) -> int:
    try:
        return int(level.index)
    except (TypeError, ValueError):
        return 0


def levels_for(topology: tuple[m.FencingLevel, ...], target: str,
               node_attributes: Mapping[str, str] | None = None) -> tuple[tuple[str, ...], ...]:
    """The device lists of ``target``'s levels, in the order they are tried
    (empty: no topology for it, any capable device will do)."""
    attributes = node_attributes or {}
    matching = [level for level in topology if level_matches(level, target, attributes)]
    matching.sort(key=_index)
    device_lists = (tuple(d.strip() for d in (level.devices or "").split(",") if d.strip())
                    for level in matching if _index(level) > 0)
    return tuple(devices for devices in device_lists if devices)


def node_attributes(cib: m.Cib, name: str) -> dict[str, str]:
    """A node's configured attributes (what ``target-attribute`` compares)."""
    for node in cib.configuration.nodes:
        if node.uname == name:
            values: dict[str, str] = {}
            for attr_set in node.attributes:
                for pair in attr_set.nvpairs:
                    if pair.value is not None:
                        values.setdefault(pair.name, pair.value)
            return values
    return {}


def topology_of(cib: m.Cib | None, target: str) -> tuple[tuple[str, ...], ...]:
    if cib is None:
        return ()
    return levels_for(cib.configuration.fencing_topology, target, node_attributes(cib, target))
