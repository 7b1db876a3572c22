"""Node health: #health-* attributes become location scores (pcmk__apply_node_health)."""

from __future__ import annotations

from pengine.status.cluster import Scheduler
from pengine.common.scores import INFINITY, add_scores, parse_score

_STRATEGIES = ("none", "migrate-on-red", "only-green", "progressive", "custom")


def health_colours(sch: Scheduler) -> dict[str, int]:
    """The worth of red/yellow/green under the configured strategy."""
    strategy = (sch.options.get("node-health-strategy") or "none").lower()
    if strategy not in _STRATEGIES:
        strategy = "none"
    if strategy == "none":
        return {"red": 0, "yellow": 0, "green": 0}
    if strategy == "migrate-on-red":
        return {"red": -INFINITY, "yellow": 0, "green": 0}
    if strategy == "only-green":
        return {"red": -INFINITY, "yellow": -INFINITY, "green": 0}
    return {"red": parse_score(sch.options.get("node-health-red")),
            "yellow": parse_score(sch.options.get("node-health-yellow")),
            "green": parse_score(sch.options.get("node-health-green"))}


def node_health(sch: Scheduler, node, base: int = 0) -> int:
    colours = health_colours(sch)
    health = base
    for key, value in node.attrs.items():
        if key.startswith("#health"):
            health = add_scores(parse_score(value, 0, health=colours), health)
    return health


def apply_node_health(sch: Scheduler) -> None:
    from pengine.schedule.locations import new_location
    configured = sch.options.get("node-health-strategy") or "none"
    strategy = configured.lower()
    if strategy not in _STRATEGIES or strategy == "none":
        return
    base = parse_score(sch.options.get("node-health-base")) if strategy == "progressive" else 0
    for node in sch.nodes:
        health = node_health(sch, node, base)
        if health == 0:
            continue
        for rsc in sch.resources:
            if health < 0 and (rsc.meta.get("allow-unhealthy-nodes") or "").lower() in (
                    "true", "on", "yes", "y", "1"):
                continue
            new_location(sch, configured, rsc, None, [(node, health)])
