"""The order in which Pacemaker visits its string-keyed hash tables.

Pacemaker's ``pcmk__strkey_table`` hashes with its own ``pcmk__str_hash``
(``h = h * 31 + c`` from 0), not with GLib's ``g_str_hash``.  Which of equally
free nodes a resource prefers under ``placement-strategy=minimal`` or
``balanced`` is the first the allowed-node table yields, so the order shows in
where clone instances go.  The expected orders below are what Pacemaker 3.0.2's
crm_simulate traced (``PCMK_trace_functions=pcmk__ban_insufficient_capacity``:
its capacity checks visit the nodes in table order) for a node with id N and
two remote nodes; the end-to-end check is the regression case
``minimal-most-free-node-follows-pcmk-str-hash`` (tests/test_differential.py).
"""

from __future__ import annotations

import pytest

from pengine.common.ghash import iteration_order, pcmk_str_hash, str_hash


def test_pcmk_str_hash_is_not_glib_hash():
    assert pcmk_str_hash("") == 0
    assert pcmk_str_hash("cpu") == (ord("c") * 31 + ord("p")) * 31 + ord("u")
    assert str_hash("") == 5381   # g_str_hash starts from 5381


@pytest.mark.parametrize("node_id, order", [
    ("1", ["1", "remote1", "remote2"]),
    ("2", ["remote1", "2", "remote2"]),
    ("3", ["3", "remote1", "remote2"]),
    ("4", ["remote1", "4", "remote2"]),
    ("6", ["remote1", "remote2", "6"]),
    ("10", ["remote1", "10", "remote2"]),
])
def test_allowed_node_table_order_as_pacemaker_traced_it(node_id, order):
    # inserted as the scheduler lists the nodes: cluster nodes, then remote
    # nodes (an insertion order matters when two keys collide)
    assert iteration_order([node_id, "remote1", "remote2"]) == order


def test_the_table_order_is_that_of_pacemaker_not_of_glib():
    # with GLib's hash the same table would yield remote2 first
    assert iteration_order(["10", "remote1", "remote2"], str_hash)[0] == "remote2"
    assert iteration_order(["10", "remote1", "remote2"])[0] == "remote1"
