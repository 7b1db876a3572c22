"""Utilization and placement strategies (pcmk_sched_utilization.c, Pacemaker 3.0)."""

from __future__ import annotations

import pytest

from cib_builder import cib_xml, group, placement, primitive, schedule_xml
from pengine.status.cluster import Node, Resource
from pengine.schedule.utilization import (compare_node_capacities, consume_node_capacity,
                                          release_node_capacity, utilization_value)

NODES = ["node1", "node2"]


def _rsc(**util) -> Resource:
    rsc = Resource("r", "primitive", None, None)
    rsc.utilization = {k: str(v) for k, v in util.items()}
    return rsc


def _node(name: str, **util) -> Node:
    node = Node(name, name)
    node.utilization = {k: str(v) for k, v in util.items()}
    return node


# ---------------------------------------------------------------- values --

@pytest.mark.parametrize("text, value", [
    (None, 0), ("12", 12), ("-3", -3), ("abc", 0), ("7abc", 7),
    ("99999999999", 2**31 - 1), ("-99999999999", -2**31),
])
def test_utilization_value(text, value):
    assert utilization_value(text) == value


def test_consume_and_release():
    capacity = {"cpu": "4", "memory": "100"}
    rsc = _rsc(cpu=3, disk=5)
    consume_node_capacity(capacity, rsc)
    # an attribute the node lacks is recorded as 0, not as a negative amount
    assert capacity == {"cpu": "1", "memory": "100", "disk": "0"}
    release_node_capacity(capacity, rsc)
    assert capacity == {"cpu": "4", "memory": "100", "disk": "5"}


def test_compare_capacities_counts_attributes():
    # more CPU against more memory: equal
    a, b = _node("a", cpu=4, memory=1), _node("b", cpu=1, memory=4)
    assert compare_node_capacities(a, b) == 0
    # more memory and storage beats more CPU
    b.utilization["storage"] = "10"
    assert compare_node_capacities(b, a) < 0
    assert compare_node_capacities(a, b) > 0


# ------------------------------------------------------------ strategies --

def _two_nodes(strategy: str, resources, util=None, **kw):
    util = util or {"node1": {"cpu": "2"}, "node2": {"cpu": "4"}}
    return cib_xml(NODES, resources, properties={"placement-strategy": strategy},
                   node_utilization=util, **kw)


def test_default_strategy_ignores_capacity():
    sch = schedule_xml(_two_nodes("default", [primitive("big", utilization={"cpu": 10})]))
    assert placement(sch) == {"big": "node1"}


def test_utilization_strategy_needs_room():
    sch = schedule_xml(_two_nodes("utilization", [primitive("big", utilization={"cpu": 3}),
                                                  primitive("huge", utilization={"cpu": 5})]))
    assert placement(sch) == {"big": "node2", "huge": None}


def test_missing_capacity_attribute_means_none():
    util = {"node1": {"cpu": "8"}, "node2": {"cpu": "8", "memory": "8"}}
    sch = schedule_xml(_two_nodes("utilization", [primitive("r", utilization={"memory": 1})],
                                  util))
    assert placement(sch) == {"r": "node2"}


def test_balanced_prefers_most_free_capacity():
    resources = [primitive(f"r{i}", utilization={"cpu": 1}) for i in range(3)]
    sch = schedule_xml(_two_nodes("balanced", resources))
    # node2 has more free CPU until it is down to node1's 2
    assert placement(sch) == {"r0": "node2", "r1": "node2", "r2": "node1"}


def test_utilization_strategy_balances_by_count():
    resources = [primitive(f"r{i}", utilization={"cpu": 1}) for i in range(3)]
    sch = schedule_xml(_two_nodes("utilization", resources))
    assert placement(sch) == {"r0": "node1", "r1": "node2", "r2": "node1"}


def test_minimal_concentrates():
    resources = [primitive(f"r{i}", utilization={"cpu": 1}) for i in range(3)]
    sch = schedule_xml(_two_nodes("minimal", resources))
    assert placement(sch) == {"r0": "node1", "r1": "node1", "r2": "node2"}


def test_priority_goes_first():
    resources = [primitive("low", utilization={"cpu": 4}),
                 primitive("high", utilization={"cpu": 4}, meta={"priority": "10"})]
    util = {"node1": {"cpu": "4"}, "node2": {"cpu": "0"}}
    sch = schedule_xml(_two_nodes("utilization", resources, util))
    assert placement(sch) == {"low": None, "high": "node1"}
    assert [r.id for r in sch.resources] == ["high", "low"]


def test_current_location_score_goes_first():
    # "sticky" runs on node1 with stickiness 100: it is sorted (and assigned) first
    resources = [primitive("other", utilization={"cpu": 2}),
                 primitive("sticky", utilization={"cpu": 2},
                           meta={"resource-stickiness": "100"})]
    util = {"node1": {"cpu": "2"}, "node2": {"cpu": "0"}}
    sch = schedule_xml(_two_nodes("utilization", resources, util, running={"sticky": "node1"}))
    assert [r.id for r in sch.resources] == ["sticky", "other"]
    assert placement(sch) == {"other": None, "sticky": "node1"}


def test_group_needs_room_for_every_member():
    members = [primitive("m1", utilization={"cpu": 1}), primitive("m2", utilization={"cpu": 1})]
    util = {"node1": {"cpu": "1"}, "node2": {"cpu": "2"}}
    sch = schedule_xml(_two_nodes("utilization", [group("g", *members)], util))
    assert placement(sch) == {"m1": "node2", "m2": "node2"}


def test_colocated_dependent_counts_towards_primary():
    resources = [primitive("a", utilization={"cpu": 1}), primitive("b", utilization={"cpu": 1})]
    coloc = '<rsc_colocation id="b-with-a" rsc="b" with-rsc="a" score="INFINITY"/>'
    util = {"node1": {"cpu": "1"}, "node2": {"cpu": "2"}}
    sch = schedule_xml(_two_nodes("utilization", resources, util, constraints=[coloc]))
    assert placement(sch) == {"a": "node2", "b": "node2"}


def test_load_stopped_orders_stops_before_starts():
    resources = [primitive("a", utilization={"cpu": 1})]
    sch = schedule_xml(_two_nodes("utilization", resources))
    names = {a.uuid for a in sch.actions}
    assert {"load_stopped_node1", "load_stopped_node2"} <= names
    sch = schedule_xml(_two_nodes("default", resources))
    assert not any(a.uuid.startswith("load_stopped") for a in sch.actions)


def test_transient_utilization_read_and_written():
    from pengine.cib.cib_xml import read_cib, write_cib
    text = cib_xml(["node1"], [])
    text = text.replace('<lrm id="node1">', '<transient_attributes id="node1"><utilization '
                        'id="u1"><nvpair id="u1-cpu" name="cpu" value="3"/></utilization>'
                        '</transient_attributes><lrm id="node1">')
    cib = read_cib(text)
    state = cib.status.node_states[0]
    assert state.transient == ()
    assert state.transient_utilization[0].get("cpu") == "3"
    assert read_cib(write_cib(cib)).status.node_states[0].transient_utilization[0].get("cpu") \
        == "3"
    sch = schedule_xml(text)
    assert sch.nodes[0].utilization == {"cpu": "3"}
    assert "cpu" not in sch.nodes[0].attrs


# ------------------------------------------------------ crm_simulate -U --

def test_ghash_order_known_values():
    from pengine.common.ghash import iteration_order, str_hash
    assert str_hash("") == 5381
    assert str_hash("cpu") == 193488621
    # bucket order, whatever the insertion order
    assert iteration_order(["memory", "cpu"], str_hash) == \
        iteration_order(["cpu", "memory"], str_hash) == ["cpu", "memory"]
    # ten keys force a resize from 8 to 16 buckets
    assert iteration_order([f"k{i}" for i in range(10)], str_hash) == [
        "k6", "k5", "k4", "k3", "k9", "k2", "k8", "k1", "k7", "k0"]


def test_ghash_order_matches_glib():
    """Against the real GLib, when it can be loaded."""
    import ctypes
    import ctypes.util
    import random
    import string
    from pengine.common.ghash import iteration_order
    from pengine.common.ghash import str_hash as glib_str_hash
    name = ctypes.util.find_library("glib-2.0")
    if name is None:
        pytest.skip("GLib is not installed")
    glib = ctypes.CDLL(name)
    glib.g_hash_table_new.restype = ctypes.c_void_p
    glib.g_hash_table_new.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    glib.g_hash_table_replace.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    glib.g_hash_table_destroy.argtypes = [ctypes.c_void_p]
    visit = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
    glib.g_hash_table_foreach.argtypes = [ctypes.c_void_p, visit, ctypes.c_void_p]
    str_hash = ctypes.cast(glib.g_str_hash, ctypes.c_void_p).value
    str_equal = ctypes.cast(glib.g_str_equal, ctypes.c_void_p).value
    rng = random.Random(7)
    for _ in range(300):
        keys = ["".join(rng.choice(string.ascii_letters + "-_#0123456789")
                        for _ in range(rng.randint(1, 10))) for _ in range(rng.randint(1, 30))]
        table = glib.g_hash_table_new(str_hash, str_equal)
        buffers = [ctypes.create_string_buffer(k.encode()) for k in keys]
        for buffer in buffers:
            glib.g_hash_table_replace(table, buffer, None)
        seen: list = []
        callback = visit(lambda key, value, data: seen.append(ctypes.string_at(key).decode()))
        glib.g_hash_table_foreach(table, callback, None)
        glib.g_hash_table_destroy(table)
        assert seen == iteration_order(keys, glib_str_hash), keys


def test_show_utilization_lines(tmp_path):
    from conftest import run_pengine
    text = _two_nodes("utilization", [primitive("a", utilization={"memory": 1, "cpu": 1})],
                      {"node1": {"memory": "4", "cpu": "2"}, "node2": {"cpu": "1"}})
    path = tmp_path / "cib.xml"
    path.write_text(text)
    result = run_pengine("simulate", "-x", path, "-U")
    assert result.returncode == 0, result.stderr
    section = result.stdout.split("Utilization Information:\n")[1].split("\n\n")[0]
    assert section.splitlines() == [
        "  * Original: node1 capacity: cpu=2 memory=4",
        "  * Original: node2 capacity: cpu=1",
        "  * pcmk__assign_resource: a utilization on node1: cpu=1 memory=1",
        "  * Remaining: node1 capacity: cpu=1 memory=3",
        "  * Remaining: node2 capacity: cpu=1",
    ]
