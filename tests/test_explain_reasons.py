"""``pengine explain`` tells the scheduler's own reasons: a cluster setting
that stops everything, node by node why no node takes a resource, when a
fail count expires, what a clone's instance placement added to a score, and
why a promotable instance is or is not promoted."""

from __future__ import annotations

import os

import pytest

from conftest import SAMPLES, cts_dir, run_pengine

FAILCOUNT_CRM = """\
node 1: node1
node 2: node2
primitive fence stonith:fence_dummy
primitive db ocf:heartbeat:Dummy \\
\top monitor interval=10s \\
\tmeta migration-threshold=3 failure-timeout=120s
location db-only-node1 db -inf: node2
property cib-bootstrap-options: stonith-enabled=true
"""


def explain(*args) -> str:
    result = run_pengine("explain", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_fencing_enabled_without_a_device_is_named(write):
    path = write("nofence.crm", FAILCOUNT_CRM.replace("primitive fence stonith:fence_dummy\n", ""))
    out = explain("db", path)
    assert "fencing is enabled (stonith-enabled) but no fencing device is configured" in out
    assert "it is unmanaged" not in out


def test_fail_count_expiry_and_node_reasons(write):
    path = write("fc.crm", FAILCOUNT_CRM)
    fail = ["-i", "db_monitor_10000@node1=1"] * 3
    out = explain("db", path, "-t", "2026-12-07T10:06:20Z", *fail)
    assert ("fail-count 3 \u2265 migration-threshold 3, expires at 2026-12-07 10:08:20Z "
            "(failure-timeout), then node1 is eligible again") in out
    assert "no node can run it: node1 -INFINITY (" in out
    assert "node2 -INFINITY (location db-only-node1)" in out


def test_fail_count_without_timeout_never_expires(write):
    path = write("fc.crm", FAILCOUNT_CRM.replace(" failure-timeout=120s", ""))
    out = explain("db", path, *(["-i", "db_monitor_10000@node1=1"] * 3))
    assert "never expires (no failure-timeout): crm resource cleanup db node1" in out


def test_failed_node_is_named_as_such():
    out = explain("license-server", SAMPLES / "fragile-status.xml", "-f", "node1")
    assert "node1 is offline (unclean: it must be fenced first)" in out
    assert "node2 -INFINITY (location license-not-node2)" in out


def test_clone_instances_show_the_instance_placement_term():
    out = explain("ping-clone", SAMPLES / "webfarm-status.xml")
    assert "ping-clone places at most clone-node-max=1 instance(s) on a node: " \
           "ping:0 took node1" in out


@pytest.mark.skipif(not (cts_dir() / "xml" / "promoted-1.xml").exists(),
                    reason="no corpus (PENGINE_CTS_DIR)")
def test_promotion_scores_and_why_promoted():
    out = explain("rsc1", cts_dir() / "xml" / "promoted-1.xml")
    assert "Promotion scores: on node2: 198" in out
    assert "Promoted: it has one of the 2 highest promotion scores of rsc1" in out
    assert "Not promoted: promoted-node-max=1 and child_rsc1:1 is promoted on node2." in out
    assert "Not promoted: its promotion score is negative" in out
