"""`pengine diff`: the configuration delta, the transition, and the gate.

End to end through the real command (conftest.run_pengine), plus the pure
pieces (statement keys, summary-line classification) directly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, needs_crm, run_pengine

pytestmark = needs_crm

OLD = """\
node 1: node1
node 2: node2
node 3: node3
primitive fence stonith:fence_ipmilan \\
\tparams pcmk_host_list="node1 node2 node3"
primitive ip ocf:heartbeat:IPaddr2 \\
\tparams ip=192.0.2.10 \\
\top monitor interval=10s
primitive web ocf:heartbeat:apache \\
\top monitor interval=30s
primitive db ocf:heartbeat:pgsql
group web-group ip web
location web-prefers-node1 web-group 100: node1
location db-prefers-node2 db 50: node2
property cib-bootstrap-options: \\
\tfencing-enabled=true
"""


def change(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


MOVED = change(OLD, "web-group 100: node1", "web-group 100: node3")
NEW_PARAMS = change(OLD, "ip=192.0.2.10", "ip=192.0.2.11")
WITHOUT_DB = "".join(line + "\n" for line in OLD.splitlines() if "db" not in line)
WITH_EXTRA = OLD + "primitive extra ocf:pacemaker:Dummy\n"


def diff(write, old: str, new: str, *flags: str):
    return run_pengine("diff", write("old.crm", old), write("new.crm", new), *flags)


def summary(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = lines.index("Transition Summary:") + 1
    out = []
    for line in lines[start:]:
        if not line.strip():
            break
        out.append(" ".join(line.split()))
    return out


# ------------------------------------------------------------- transitions ----

def test_moving_a_group_moves_its_members(write):
    result = diff(write, OLD, MOVED)
    assert result.returncode == 0, result.stderr
    assert summary(result.stdout) == ["* Move ip ( node1 -> node3 )",
                                      "* Move web ( node1 -> node3 )"]


def test_changed_parameters_restart_the_resource_and_what_depends_on_it(write):
    result = diff(write, OLD, NEW_PARAMS)
    assert summary(result.stdout) == [
        "* Restart ip ( node1 ) due to resource definition change",
        "* Restart web ( node1 ) due to required ip start"]


def test_removed_resource_stops_and_added_resource_starts(write):
    assert summary(diff(write, OLD, WITHOUT_DB).stdout) == [
        "* Stop db ( node2 ) due to node availability"]
    started = summary(diff(write, OLD, WITH_EXTRA).stdout)
    assert len(started) == 1 and started[0].startswith("* Start extra (")


def test_no_change_means_no_delta_and_no_transition(write):
    result = diff(write, OLD, OLD, "--fail-on", "any")
    assert result.returncode == 0, result.stderr
    assert "(none)" in result.stdout
    assert summary(result.stdout) == []


# ------------------------------------------------------------------- delta ----

def test_delta_is_crm_text_with_diff_markers(write):
    result = diff(write, OLD, change(MOVED, "ip=192.0.2.10", "ip=192.0.2.11"))
    lines = result.stdout.splitlines()
    assert lines[0] == "Configuration changes (crm syntax):"
    assert lines[1].startswith("--- ") and lines[1].endswith("old.crm")
    assert lines[2].startswith("+++ ") and lines[2].endswith("new.crm")
    body = lines[3:lines.index("")]
    # the changed primitive in full, its unchanged lines as context
    assert body[0].startswith(" primitive ip ")
    assert "-\tparams ip=192.0.2.10 \\" in body and "+\tparams ip=192.0.2.11 \\" in body
    assert " \top monitor interval=10s" in body
    assert "-location web-prefers-node1 web-group 100: node1" in body
    assert "+location web-prefers-node1 web-group 100: node3" in body
    assert not any("db" in line for line in body)


def test_delta_shows_removed_and_added_objects(write):
    body = diff(write, OLD, WITHOUT_DB).stdout.splitlines()
    assert "-location db-prefers-node2 db 50: node2" in body
    assert any(line.startswith("-primitive db ") for line in body)
    body = diff(write, OLD, WITH_EXTRA).stdout.splitlines()
    assert "+primitive extra ocf:pacemaker:Dummy" in body


def test_xml_and_crm_of_the_same_configuration_have_no_delta(write):
    xml = run_pengine("show", write("old.crm", OLD), "--as", "xml").stdout
    result = run_pengine("diff", write("old.xml", xml), write("same.crm", OLD))
    assert result.returncode == 0, result.stderr
    assert "(none)" in result.stdout and summary(result.stdout) == []


def test_reordering_objects_is_no_change(write):
    lines = OLD.splitlines()
    reordered = "\n".join(lines[:3] + [lines[-2], lines[-1]] + lines[3:-2]) + "\n"
    result = diff(write, OLD, reordered)
    assert "(none)" in result.stdout, result.stdout


# -------------------------------------------------------------------- gate ----

def test_fail_on_names_the_changes_and_exits_1(write):
    result = diff(write, OLD, MOVED, "--fail-on", "restart,move,stop")
    assert result.returncode == 1
    assert "Move ip (node1 -> node3)" in result.stderr
    assert "Move web (node1 -> node3)" in result.stderr


def test_fail_on_ignores_other_kinds(write):
    assert diff(write, OLD, MOVED, "--fail-on", "stop,restart").returncode == 0
    assert diff(write, OLD, WITH_EXTRA, "--fail-on", "stop,move,restart").returncode == 0
    assert diff(write, OLD, WITH_EXTRA, "--fail-on", "start").returncode == 1
    assert diff(write, OLD, NEW_PARAMS, "--fail-on", "restart").returncode == 1
    assert diff(write, OLD, WITHOUT_DB, "--fail-on", "any").returncode == 1


def test_unknown_fail_on_kind_is_a_usage_error(write):
    result = diff(write, OLD, MOVED, "--fail-on", "move,explode")
    assert result.returncode == 2
    assert "explode" in result.stderr and "restart" in result.stderr
    assert "<input>" not in result.stderr


def test_json_output(write):
    result = diff(write, OLD, MOVED, "--format", "json", "--fail-on", "move")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert {(c["kind"], c["subject"]) for c in report["failing"]} == {("move", "ip"),
                                                                     ("move", "web")}
    assert any(line.startswith("+location") for line in report["configuration_delta"])
    assert report["settled"] is True


# ------------------------------------------------------------------ status ----

def test_given_status_is_the_starting_point(write, tmp_path):
    """-x: the cluster as a saved CIB says it is (here db stopped by hand)."""
    stopped = change(OLD, "primitive db ocf:heartbeat:pgsql",
                     "primitive db ocf:heartbeat:pgsql \\\n\tmeta target-role=Stopped")
    status = tmp_path / "status.xml"
    made = run_pengine("simulate", write("running.crm", stopped), "-S", "-O", status)
    assert made.returncode == 0, made.stderr
    # with that status, OLD (no target-role) would start db anyway: not the change's doing
    result = run_pengine("diff", write("old.crm", OLD), write("new.crm", MOVED), "-x", status,
                         "--fail-on", "start,move")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    pending = lines[lines.index("Pending without the change too (OLD would do it on this "
                                "status):") + 1:]
    assert [" ".join(l.split()) for l in pending] == ["* Start db ( node2 )"]
    assert "Move ip" in result.stderr and "db" not in result.stderr


def test_status_file_without_status_is_a_usage_error(write):
    old = write("old.crm", OLD)
    result = run_pengine("diff", old, write("new.crm", MOVED), "-x", old)
    assert result.returncode == 2 and "no status section" in result.stderr


def test_invalid_new_configuration_is_exit_1_with_position(write):
    result = diff(write, OLD, OLD + "colocation broken inf: ip\nnonsense here\n")
    assert result.returncode == 1
    assert "new.crm:" in result.stderr and "Traceback" not in result.stderr


def test_old_from_stdin(write):
    """`git show HEAD:cluster.crm | pengine diff - cluster.crm` (the pre-commit hook)."""
    new = write("new.crm", MOVED)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", "pengine.cli", "diff", "-", str(new),
                           "--fail-on", "move"], input=OLD, text=True, capture_output=True,
                          env=env, cwd=REPO, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "--- <stdin>" in done.stdout


# ----------------------------------------------------------- git workflow ----

@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_change_that_moves_a_resource_fails_the_gate(tmp_path):
    """A repository keeps the configuration; a commit moves a resource;
    diffing the committed version against the working copy fails on move."""
    repo = tmp_path / "cluster-config"
    repo.mkdir()

    def git(*args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-c", "user.name=ci", "-c", "user.email=ci@example.org",
                               *args], cwd=repo, check=True, capture_output=True, text=True,
                              **kwargs)

    git("init", "-q")
    (repo / "cluster.crm").write_text(OLD)
    git("add", "cluster.crm")
    git("commit", "-q", "-m", "cluster as deployed")
    (repo / "cluster.crm").write_text(MOVED)
    old = tmp_path / "HEAD-cluster.crm"
    old.write_text(git("show", "HEAD:cluster.crm").stdout)

    result = run_pengine("diff", old, repo / "cluster.crm", "--fail-on", "move")
    assert result.returncode == 1
    assert "web-group 100: node3" in result.stdout
    assert "Move ip (node1 -> node3)" in result.stderr

    git("commit", "-q", "-am", "move the web group")
    result = run_pengine("diff", old, repo / "cluster.crm", "--fail-on", "stop,restart")
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------ pure pieces ----

@pytest.mark.parametrize("line, expected", [
    ("  * Move       ip      ( node1 -> node3 )", ("move", "Move", "ip", "node1 -> node3")),
    ("  * Restart    ip      ( node1 )  due to resource definition change",
     ("restart", "Restart", "ip", "node1")),
    ("  * Recover    db      ( node2 )", ("restart", "Recover", "db", "node2")),
    ("  * Promote    st:0    ( Unpromoted -> Promoted node1 )",
     ("promote", "Promote", "st:0", "Unpromoted -> Promoted node1")),
    ("  * Migrate    vm      ( node1 -> node2 )", ("move", "Migrate", "vm", "node1 -> node2")),
    ("  * Fence (reboot) node2 'peer is no longer part of the cluster'",
     ("fence", "Fence", "node2", "reboot")),
    ("  * Shutdown node3", ("shutdown", "Shutdown", "node3", "")),
])
def test_classify_summary_lines(line, expected):
    from pengine.cli.diff import classify
    found = classify(line)
    assert (found.category, found.verb, found.subject, found.details) == expected


def test_statement_keys_name_the_object():
    from pengine.cli.diff import crm_statements
    from pengine.cib.crm_text import read_crm
    keys = [key for key, _ in crm_statements(read_crm(OLD, "x.crm"))]
    assert keys[:3] == ["node 1", "node 2", "node 3"]
    assert "primitive ip" in keys and "group web-group" in keys
    assert "location web-prefers-node1" in keys
    assert "property cib-bootstrap-options" in keys
    assert len(keys) == len(set(keys))


# ---------------------------------------------------------------- clones ----

CLONES = """\
node 1: node1
node 2: node2
node 3: node3
primitive fence stonith:fence_ipmilan
primitive ping ocf:pacemaker:ping \\
\tparams host_list=192.0.2.1 \\
\top monitor interval=15s
primitive st ocf:pacemaker:Stateful \\
\top monitor interval=10s role=Promoted \\
\top monitor interval=11s role=Unpromoted
clone ping-clone ping \\
\tmeta interleave=true
clone st-clone st \\
\tmeta promotable=true promoted-max=1
location st-promoted-on-node1 st-clone role=Promoted 100: node1
"""


def test_clone_instances_stop_and_the_promoted_role_moves(write):
    new = change(change(CLONES, "role=Promoted 100: node1", "role=Promoted 100: node2"),
                 "meta interleave=true", "meta interleave=true clone-max=2")
    result = diff(write, CLONES, new, "--fail-on", "demote")
    assert result.returncode == 1
    lines = summary(result.stdout)
    assert "* Stop ping:2 ( node3 ) due to node availability" in lines
    assert "* Promote st:1 ( Unpromoted -> Promoted node2 )" in lines
    assert "* Demote st:0 ( Promoted -> Unpromoted node1 )" in lines
    assert "Demote st:0" in result.stderr and "Promote st:1" not in result.stderr
