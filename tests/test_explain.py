"""``pengine explain``: scores term by term, and what keeps a resource stopped."""

from __future__ import annotations

import pytest

from conftest import SAMPLES, cts_dir, run_pengine

CTS = cts_dir()
needs_cts = pytest.mark.skipif(not (CTS / "xml").is_dir(), reason="no conformance corpus")


def test_scores_are_broken_down_with_positions():
    result = run_pengine("explain", "web", SAMPLES / "webfarm.crm", "-d", "node1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # a fresh cluster: ping has set no pingd yet, so the gateway rule bans
    # web everywhere (Pacemaker's answer too; the rule was once lost, issue 16)
    assert "web-ip is stopped now and is stopped after the transition" in out
    assert "-> -INFINITY  location web-needs-gateway-rule" in out
    assert "constraint web-needs-gateway [" in out and "webfarm.crm:49:1]" in out
    assert "Nodes that cannot run resources: node1 is offline." in out


@needs_cts
def test_an_ordering_that_blocks_a_start_is_found():
    result = run_pengine("explain", "D", CTS / "xml" / "one-or-more-3.xml")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "its start is blocked: unrunnable one-or-more:require-all-set-1" in out
    assert "D would run if any one of these were removed or cleared:" in out
    assert "- constraint order-1 [" in out


@needs_cts
def test_a_fail_count_ban_suggests_a_cleanup():
    result = run_pengine("explain", "rsc1", CTS / "xml" / "simple4.xml")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "fail count reached migration-threshold" in out
    assert "the fail count of rsc1 on node1 (crm resource cleanup rsc1 node1)" in out


@needs_cts
def test_target_role_is_named_as_the_cause():
    # one-or-more-1: A has target-role=Stopped
    result = run_pengine("explain", "A", CTS / "xml" / "one-or-more-1.xml")
    assert result.returncode == 0, result.stderr
    assert "A target-role=Stopped" in result.stdout


def test_unknown_resource_is_a_usage_error(write):
    config = write("c.crm", "node n1\nprimitive a ocf:heartbeat:Dummy\n")
    result = run_pengine("explain", "nope", config)
    assert result.returncode == 2
    assert "no resource 'nope'" in result.stderr and "known: a" in result.stderr
