"""Several crm files are one configuration (as ``crm configure load update``
of each in turn), a name defined twice is an error naming both places, and
what crmsh refuses ``check`` refuses with a position."""

from __future__ import annotations

import pytest

from tests.conftest import run_pengine

NODES = "node node1\nnode node2\nprimitive a ocf:pacemaker:Dummy\nproperty stonith-enabled=false\n"
# b.crm names a.crm's primitive in a group, and bans the group from node1
GROUP = ("primitive b ocf:pacemaker:Dummy\ngroup g a b\n"
         "location lg g rule -inf: #uname eq node1\nproperty no-quorum-policy=ignore\n")


def test_simulate_reads_several_files_as_one(write):
    result = run_pengine("simulate", write("a.crm", NODES), write("b.crm", GROUP), "-S")
    assert result.returncode == 0, result.stderr
    assert "* Start      a       ( node2 )" in result.stdout
    assert "* Start      b       ( node2 )" in result.stdout


def test_check_resolves_references_across_files(write):
    result = run_pengine("check", write("a.crm", NODES), write("b.crm", GROUP))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout
    # alone, b.crm's group names a resource it does not define
    alone = run_pengine("check", write("b2.crm", GROUP))
    assert alone.returncode == 1


def test_scenario_and_diff_take_several_files(write):
    write("a.crm", NODES)
    write("b.crm", GROUP)
    write("b2.crm", GROUP.replace("-inf: #uname eq node1", "-inf: #uname eq node2"))
    scenario = write("s.toml", 'config = ["a.crm", "b.crm"]\n[[event]]\nat = "1m"\n'
                               'node-down = "node2"\n')
    result = run_pengine("scenario", scenario)
    assert result.returncode == 0, result.stderr
    assert "Placement: a node2, b node2" in " ".join(result.stdout.split("\n\n")[0].split())
    base = scenario.parent
    diff = run_pengine("diff", f"{base}/a.crm,{base}/b.crm", f"{base}/a.crm,{base}/b2.crm")
    assert diff.returncode == 0, diff.stderr
    summary = " ".join(diff.stdout.split())
    assert "Move a ( node2 -> node1 )" in summary and "Move b ( node2 -> node1 )" in summary


@pytest.mark.parametrize("command", ["simulate", "check"])
def test_a_name_defined_in_two_files_is_an_error_naming_both(write, command):
    first, second = write("a.crm", NODES), write("c.crm", "primitive a ocf:heartbeat:Dummy\n")
    result = run_pengine(command, first, second)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert f"{second}:1:1" in output and f"first at {first}:3:1" in output
    assert "Traceback" not in output


def test_a_duplicate_that_a_group_uses_is_no_longer_dropped(write):
    config = write("d.crm", "node node1\nprimitive a Dummy\nprimitive b Dummy\n"
                            "primitive a ocf:pacemaker:Stateful\ngroup g a b\n")
    result = run_pengine("check", config)
    assert result.returncode == 1
    assert "d.crm:4:1: error: name 'a' is defined twice: first at" in result.stdout
    assert "d.crm:2:1" in result.stdout


@pytest.mark.parametrize("statement, where, message", [
    ("order o1 Mandatory: a", "3:21", "order 'o1' names 1 resource"),
    ("colocation c1 inf: a", "3:20", "colocation 'c1' names 1 resource"),
    ("order o1 Mandatory: ( a )", "3:23", "order 'o1' names 1 resource"),
    ("location l a 100: node1 foo=bar", "3:25", "a location has no attribute 'foo'"),
    ("primitive p Dummy paramz a=1", "3:19", "unexpected 'paramz'"),
    ("colocation c1 inf: a b foo=bar", "3:24", "a resource set has no option 'foo'"),
])
def test_check_refuses_what_crmsh_refuses(write, statement, where, message):
    config = write("r.crm", f"node node1\nprimitive a Dummy\n{statement}\nprimitive b Dummy\n")
    result = run_pengine("check", config)
    assert result.returncode == 1
    assert f"r.crm:{where}: error: {message}" in result.stdout


def test_an_unterminated_quote_is_reported_where_it_opens(write):
    # the parser gives up at the next quote, two lines further down
    config = write("q.crm", 'node node1\nprimitive a Dummy \\\n  params x="abc\n'
                            'primitive b Dummy\nprimitive c Dummy params y="q"\n')
    result = run_pengine("check", config)
    assert result.returncode == 1
    assert "q.crm:3:12: error: unterminated quote" in result.stdout
    assert 'params x="abc' in result.stdout
