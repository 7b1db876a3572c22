"""Node health strategies (pcmk__apply_node_health, pe_health.c)."""

from __future__ import annotations

import pytest

from cib_builder import cib_xml, placement, primitive, schedule_xml
from pengine.schedule.health import node_health

NODES = ["node1", "node2"]
INF = 1000000


def _sch(strategy: str, health1: dict, health2: dict | None = None, props: dict | None = None,
         meta: dict | None = None):
    properties = {"node-health-strategy": strategy, **(props or {})}
    status = {"node1": health1}
    if health2:
        status["node2"] = health2
    return schedule_xml(cib_xml(NODES, [primitive("rsc1", meta=meta)], properties=properties,
                                status_attrs=status))


def _scores(sch) -> dict[str, int]:
    rsc = sch.find_resource("rsc1")
    return {w.node.name: w.score for w in rsc.allowed.values()}


@pytest.mark.parametrize("strategy, value, score", [
    ("none", "red", 0),
    ("migrate-on-red", "red", -INF),
    ("migrate-on-red", "yellow", 0),
    ("only-green", "yellow", -INF),
    ("only-green", "green", 0),
    ("Only-Green", "yellow", -INF),          # case-insensitive
    ("bogus", "red", 0),                     # unknown strategy: none
    ("migrate-on-red", "-300", -300),        # numbers count as they are
])
def test_strategies(strategy, value, score):
    sch = _sch(strategy, {"#health-disk": value})
    assert _scores(sch)["node1"] == score
    assert _scores(sch)["node2"] == 0


def test_red_node_is_avoided():
    sch = _sch("migrate-on-red", {"#health-cpu": "red"})
    assert placement(sch) == {"rsc1": "node2"}


def test_progressive_sums_attributes_and_base():
    props = {"node-health-yellow": "-10", "node-health-green": "5", "node-health-base": "100"}
    sch = _sch("progressive", {"#health-a": "yellow", "#health-b": "yellow", "#health-c": "green",
                               "other": "red"}, props=props)
    # base 100 applies to every node, then each #health attribute
    assert _scores(sch) == {"node1": 100 - 10 - 10 + 5, "node2": 100}
    assert node_health(sch, sch.find_node("node1"), 0) == -15


def test_custom_ignores_base():
    props = {"node-health-red": "-50", "node-health-base": "100"}
    sch = _sch("custom", {"#health-a": "red"}, props=props)
    assert _scores(sch) == {"node1": -50, "node2": 0}
    # a negative score keeps the resource off the node
    assert placement(sch) == {"rsc1": "node2"}


def test_allow_unhealthy_nodes_is_exempt_from_negative_health():
    sch = _sch("migrate-on-red", {"#health-a": "red"}, meta={"allow-unhealthy-nodes": "true"})
    assert _scores(sch)["node1"] == 0
    # but positive health still counts
    props = {"node-health-green": "7"}
    sch = _sch("custom", {"#health-a": "green"}, props=props,
               meta={"allow-unhealthy-nodes": "true"})
    assert _scores(sch)["node1"] == 7


def test_health_location_is_named_after_the_strategy():
    sch = _sch("Migrate-On-Red", {"#health-a": "red"})
    assert [loc.id for loc in sch.locations] == ["Migrate-On-Red"]


def test_no_health_attributes_no_constraints():
    sch = _sch("only-green", {"something": "red"})
    assert sch.locations == []
