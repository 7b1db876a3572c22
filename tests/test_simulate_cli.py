"""``pengine simulate`` end to end, through the real command."""

from __future__ import annotations

from conftest import run_pengine

CRM = """\
node 1: node1
node 2: node2
primitive db ocf:heartbeat:Dummy op monitor interval=10s
primitive web ocf:heartbeat:Dummy op monitor interval=20s
colocation web-with-db inf: web db
order db-then-web Mandatory: db web
location db-prefers-node2 db 50: node2
property stonith-enabled=false
"""


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            current = line.rstrip(":")
            sections[current] = []
        elif current is not None and line.strip():
            sections[current].append(" ".join(line.split()))
    return sections


def test_crm_input_starts_on_an_all_online_cluster(write):
    result = run_pengine("simulate", write("c.crm", CRM), "-S")
    assert result.returncode == 0, result.stderr
    out = _sections(result.stdout)
    assert out["Transition Summary"] == ["* Start db ( node2 )", "* Start web ( node2 )"]
    actions = out["Executing Cluster Transition"]
    assert actions.index("* Resource action: db start on node2") \
        < actions.index("* Resource action: web start on node2")
    assert "* web (ocf:heartbeat:Dummy): Started node2" in out["Revised Cluster Status"]


def test_node_down_and_saved_output(write, tmp_path):
    first = run_pengine("simulate", write("c.crm", CRM), "-S", "-O", tmp_path / "after.xml")
    assert first.returncode == 0, first.stderr
    # The saved CIB, where db and web now run on node2, is the next input.
    second = run_pengine("simulate", "-x", tmp_path / "after.xml", "-S")
    assert second.returncode == 0, second.stderr
    assert _sections(second.stdout)["Transition Summary"] == []
    # Taking node2 down cleanly wipes its state: both start again on node1.
    third = run_pengine("simulate", "-x", tmp_path / "after.xml", "-S", "-d", "node2")
    assert third.returncode == 0, third.stderr
    out = _sections(third.stdout)
    assert out["Performing Requested Modifications"] == ["* Taking node node2 offline"]
    assert out["Transition Summary"] == ["* Start db ( node1 )", "* Start web ( node1 )"]


def test_injected_failure_is_recovered(write, tmp_path):
    run_pengine("simulate", write("c.crm", CRM), "-S", "-O", tmp_path / "running.xml")
    result = run_pengine("simulate", "-x", tmp_path / "running.xml", "-S",
                         "-i", "db_monitor_10000@node2=7")
    assert result.returncode == 0, result.stderr
    out = _sections(result.stdout)
    assert "* Recover db ( node2 )" in out["Transition Summary"]
    # crm_simulate shows the fail count and last failure the injection sets
    injected = out["Performing Requested Modifications"]
    assert injected[0] == "* Injecting db_monitor_10000@node2=7 into the configuration"
    assert injected[1] == "* Injecting attribute fail-count-db#monitor_10000=1 into /node_state '2'"
    assert injected[2].startswith("* Injecting attribute last-failure-db#monitor_10000=")
    assert "* Restart web ( node2 ) due to required db start" in out["Transition Summary"]


def test_failed_action_stops_the_transition(write):
    result = run_pengine("simulate", write("c.crm", CRM), "-S", "-F", "db_start_0@node2=1")
    assert result.returncode == 0, result.stderr
    out = _sections(result.stdout)
    assert "* Resource action: db start on node2" in out["Executing Cluster Transition"]
    # as crm_simulate: the failure is announced (unindented), then the fail
    # count (start-failure-is-fatal: INFINITY) it records
    lines = result.stdout.splitlines()
    failed = next(i for i, line in enumerate(lines) if line.startswith("Pretending action "))
    assert lines[failed - 1].split() == ["*", "Resource", "action:", "db", "start", "on", "node2"]
    assert lines[failed].endswith(" failed with rc=1")
    assert lines[failed + 1] == \
        "  * Injecting attribute fail-count-db#start_0=INFINITY into /node_state '2'"
    assert not any("web start" in line for line in lines)
    assert "* db (ocf:heartbeat:Dummy): FAILED node2" in out["Revised Cluster Status"]


def test_effective_date_is_announced(write):
    result = run_pengine("simulate", write("c.crm", CRM), "-R", "-t", "2026-06-01 12:00:00")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == \
        "Setting effective cluster time: 2026-06-01 12:00:00"
    assert "Executing Cluster Transition:" not in result.stdout


def test_bad_inputs_fail_cleanly(write):
    missing = run_pengine("simulate", "-x", "no-such-file.xml", "-S")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    broken = run_pengine("simulate", "-x", write("bad.xml", "<cib><configuration>"), "-S")
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert "bad.xml:" in broken.stderr
    opspec = run_pengine("simulate", write("c.crm", CRM), "-S", "-i", "nonsense")
    assert opspec.returncode == 2 and "invalid operation spec" in opspec.stderr
    date = run_pengine("simulate", write("c.crm", CRM), "-S", "-t", "not-a-date")
    assert date.returncode == 2 and "-t not-a-date" in date.stderr


def test_no_half_written_output_on_error(write, tmp_path):
    target = tmp_path / "out.xml"
    result = run_pengine("simulate", "-x", write("bad.xml", "<cib>"), "-S", "-O", target)
    assert result.returncode == 1
    assert not target.exists()


def test_the_readme_sample_command_plans_a_failover():
    from test_wheel import readme_setup_commands
    install = readme_setup_commands()[0]
    args = install.split("pengine simulate ", 1)[1].split()
    result = run_pengine("simulate", *args)
    assert result.returncode == 0, result.stderr
    out = _sections(result.stdout)
    assert "* Fence (reboot) node1 'peer is no longer part of the cluster'" \
        in out["Transition Summary"]
    assert any(line.startswith("* Move web-ip ( node1 -> ") for line in out["Transition Summary"])


def test_injecting_a_result_for_an_implicit_guest_connection():
    """-i accepts resources the scheduler creates itself, as crm_simulate does."""
    from conftest import cts_dir
    case = cts_dir() / "xml" / "whitebox-fail1.xml"
    if not case.exists():
        import pytest
        pytest.skip("no conformance corpus")
    result = run_pengine("simulate", "-x", case, "-S", "-i", "lxc1_monitor_30000@18node2=1")
    assert result.returncode == 0, result.stderr
    assert "* Recover lxc1 ( 18node2 )" in _sections(result.stdout)["Transition Summary"]
