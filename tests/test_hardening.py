"""Issue 19: no internal error, no hang, no silent loss on any input.  One
test per case the issue lists, end to end through the real command."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from conftest import REPO, run_pengine

CTS = Path(os.environ.get("PENGINE_CTS_DIR", REPO.parent / "shared" / "pacemaker-cts"))
SAMPLE_XML = REPO / "samples" / "webfarm-status.xml"
SAMPLE_CRM = REPO / "samples" / "webfarm.crm"
HEAD = "node node1\nnode node2\nproperty stonith-enabled=false\n"


def primitives(n: int) -> str:
    return "".join(f"primitive r{i} ocf:heartbeat:Dummy\n" for i in range(n))


def no_crash(result) -> None:
    assert result.returncode in (0, 1, 2), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


# ----------------------------------------------------------- internal errors --

def test_probe_complete_other_than_true_is_ignored_as_pacemaker_3(tmp_path):
    source = CTS / "xml" / "promoted-unmanaged-monitor.xml"
    if not source.exists():
        pytest.skip("the corpus is not beside the checkout")
    text = source.read_text()
    assert 'name="probe_complete" value="true"' in text
    changed = tmp_path / "pc.xml"
    changed.write_text(text.replace('name="probe_complete" value="true"',
                                    'name="probe_complete" value="false"'))
    for flags in (["-S"], ["--report", str(tmp_path / "r.html")]):
        before = run_pengine("simulate", "-x", source, *flags)
        after = run_pengine("simulate", "-x", changed, *flags)
        no_crash(after)
        assert after.returncode == before.returncode == 0, after.stderr
        assert after.stdout == before.stdout      # crm_simulate 3.0.2 prints the same


@pytest.mark.parametrize("value", ["9223372036854775807", "-9223372036854775807",
                                   "99999999999999"])
def test_execution_date_out_of_range(tmp_path, value):
    text = SAMPLE_XML.read_text()
    path = tmp_path / "date.xml"
    path.write_text(text.replace("<cib ", f'<cib execution-date="{value}" ', 1))
    for command in (["simulate", "-x", path, "-S"], ["check", path]):
        result = run_pengine(*command)
        no_crash(result)
        assert result.returncode == 1
        assert f"execution-date {value} is out of range" in result.stdout + result.stderr
        assert f"{path}:" in result.stdout + result.stderr


def test_superscript_digit_in_opspec():
    result = run_pengine("simulate", SAMPLE_CRM, "-S", "-i", "web-ip_monitor_²@node1=0")
    no_crash(result)
    assert result.returncode == 2 and "invalid operation spec" in result.stderr


@pytest.mark.parametrize("flag,value,message", [
    ("-F", "garbage", "invalid operation spec"), ("-F", "", "invalid operation spec"),
    ("-O", "", "-O: the file name is empty"), ("-t", "", "-t: the date is empty"),
    ("-D", "", "-D: the file name is empty")])
def test_empty_or_garbage_flags_are_usage_errors(flag, value, message):
    result = run_pengine("simulate", SAMPLE_CRM, "-S", flag, value)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


# ------------------------------------------------------ long legal chains --

CHAINS = {
    "colocation-199": primitives(199) + "".join(
        f"colocation c{i} inf: r{i + 1} r{i}\n" for i in range(198)),
    "colocation-reverse-400": primitives(400) + "".join(
        f"colocation c{i} inf: r{i} r{i + 1}\n" for i in range(399)),
    "ordering-1000": primitives(1000) + "".join(
        f"order o{i} Mandatory: r{i} r{i + 1}\n" for i in range(999)),
    "ordered-set-1000": primitives(1000) + "order os Mandatory: "
    + " ".join(f"r{i}" for i in range(1000)) + "\n",
    "group-500": primitives(500) + "group g " + " ".join(f"r{i}" for i in range(500)) + "\n",
}


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_long_chains_are_scheduled(tmp_path, name):
    path = tmp_path / f"{name}.crm"
    path.write_text(HEAD + CHAINS[name])
    count = int(name.split("-")[-1])
    result = run_pengine("simulate", path, "-S", timeout=600)
    no_crash(result)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.split("Transition Summary:")[1].split("Executing")[0]
    assert summary.count("* Start ") == count
    check = run_pengine("check", path, timeout=600)
    no_crash(check)


def test_recursion_helpers_are_iterative():
    """The hot recursions walk with explicit stacks (no deep Python stack)."""
    import inspect

    from pengine.schedule import colocation, probes
    source = inspect.getsource(colocation.add_colocated_node_scores)
    assert "stack" in source and "add_colocated_node_scores(" not in source.split('"""')[-1]
    assert "stack" in inspect.getsource(probes._add_restart_orderings_for_probe)


# ------------------------------------------------------------ scenarios --

@pytest.mark.parametrize("event,message", [
    ('at = inf', "'inf' is not a time"), ('at = nan', "'nan' is not a time"),
    ('at = 1e300', "more than a hundred years"), ('at = [1]', "is neither a duration"),
])
def test_scenario_times(tmp_path, event, message):
    (tmp_path / "c.crm").write_text(SAMPLE_CRM.read_text())
    path = tmp_path / "s.toml"
    path.write_text(f'config = "c.crm"\n\n[[event]]\n{event}\nnode-fail = "node1"\n')
    result = run_pengine("scenario", path)
    no_crash(result)
    assert result.returncode == 1 and message in result.stderr
    assert f"{path}:3:1:" in result.stderr


@pytest.mark.parametrize("text,message,line", [
    ('config = "c.crm"\nuntil = inf\n', "'inf' is not a time", 2),
    ('config = []\n', "'config' must name", 1),
    ('config = "c.crm"\nstart = 9999-12-31T23:59:00Z\n[[event]]\nat = "2h"\n'
     'node-fail = "node1"\n', "past the last date", 3),
    ('config = "c.crm"\n[[event]]\nat = 5\nnode-fail = ' + "[" * 2000 + "]" * 2000 + "\n",
     "nested too deeply", 4),
    ('config = "c.crm"\n\n[[event]]\nat = "2m"\nnode-fail = = "node1"\n',
     "invalid TOML", 5),
])
def test_scenario_edge_cases(tmp_path, text, message, line):
    (tmp_path / "c.crm").write_text(SAMPLE_CRM.read_text())
    path = tmp_path / "s.toml"
    path.write_text(text)
    result = run_pengine("scenario", path)
    no_crash(result)
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert f"{path}:{line}:" in result.stderr


def test_scenario_deep_arrays_in_unused_keys_are_fine(tmp_path):
    (tmp_path / "c.crm").write_text(SAMPLE_CRM.read_text())
    path = tmp_path / "s.toml"
    path.write_text('config = "c.crm"\nx = ' + "[" * 2000 + "]" * 2000 + "\n")
    no_crash(run_pengine("scenario", path))


# ------------------------------------------------------- crm structure --

@pytest.mark.parametrize("body,message", [
    ("primitive a ocf:heartbeat:Dummy\nprimitive b ocf:heartbeat:Dummy\ngroup g1 a\n"
     "group g2 g1 b\n", "group g2 cannot hold the group 'g1'"),
    ("primitive a ocf:heartbeat:Dummy\nprimitive b ocf:heartbeat:Dummy\nclone c1 a\n"
     "group g2 c1 b\n", "group g2 cannot hold the clone 'c1'"),
    ("primitive a ocf:heartbeat:Dummy\nclone c1 a\nclone c2 c1\n",
     "clone c2 cannot hold the clone 'c1'"),
    ("primitive a ocf:heartbeat:Dummy\ngroup g g a\n", "'g' contains itself"),
    # the primitive and the group share a name: that is found first, with both places
    ("primitive a ocf:heartbeat:Dummy\ngroup a a\n", "name 'a' is defined twice"),
    ("primitive a ocf:heartbeat:Dummy\nprimitive b ocf:heartbeat:Dummy\ngroup g a b a\n",
     "group g lists 'a' twice"),
    ("primitive a\x01b ocf:heartbeat:Dummy\n", "control character U+0001"),
    ("primitive a\x1bb ocf:heartbeat:Dummy\n", "control character U+001B"),
    ("primitive ab ocf:heartbeat:Dummy params x=\"\x9b31m\"\n", "control character U+009B"),
])
def test_crm_structures_are_positioned_errors_everywhere(tmp_path, body, message):
    path = tmp_path / "bad.crm"
    path.write_text(HEAD + body)
    for command in (["check", path], ["show", path], ["show", "--as", "xml", path],
                    ["simulate", path, "-S"], ["diff", path, path], ["diff", SAMPLE_CRM, path],
                    ["check", "--format", "junit", path]):
        result = run_pengine(*command)
        no_crash(result)
        assert result.returncode == 1, (command, result.stderr)
        assert message in result.stdout + result.stderr, (command, result.stderr)
        assert re.search(re.escape(str(path)) + r":\d+:\d+: error", result.stdout + result.stderr)
        assert "\x1b" not in result.stdout + result.stderr
    junit = run_pengine("check", "--format", "junit", path).stdout
    import xml.dom.minidom
    xml.dom.minidom.parseString(junit)        # well-formed


def test_crm_warning_lines_may_still_hold_colours(tmp_path):
    path = tmp_path / "ok.crm"
    path.write_text("\x1b[33mWARNING\x1b[0m: something crmsh said\n" + HEAD
                    + "# a comment \x01 may hold anything\nprimitive a ocf:heartbeat:Dummy\n")
    result = run_pengine("check", path)
    assert result.returncode == 0, result.stdout


def test_xml_nested_group_is_a_positioned_error(tmp_path):
    path = tmp_path / "nested.xml"
    path.write_text(
        '<cib validate-with="pacemaker-3.10" epoch="1" num_updates="0" admin_epoch="0">'
        '<configuration><crm_config/><nodes><node id="1" uname="node1"/></nodes>\n<resources>'
        '<group id="g2"><group id="g1"><primitive id="a" class="ocf" provider="heartbeat" '
        'type="Dummy"/></group></group></resources><constraints/></configuration>'
        '<status/></cib>')
    for command in (["check", path], ["simulate", "-x", path], ["show", path]):
        result = run_pengine(*command)
        no_crash(result)
        assert result.returncode == 1
        assert "cannot hold a <group>" in result.stdout + result.stderr


def test_file_name_with_control_characters_stays_printable(tmp_path):
    path = tmp_path / "bad\x1b[31mname.crm"
    path.write_text(HEAD + "primitive a ocf:heartbeat:Dummy\nlocation l a\n")
    result = run_pengine("check", path)
    assert "\x1b" not in result.stdout + result.stderr
    junit = run_pengine("check", "--format", "junit", path).stdout
    import xml.dom.minidom
    xml.dom.minidom.parseString(junit)


# ----------------------------------------------------------- output files --

def test_output_files_all_or_none(tmp_path):
    dot, graph = tmp_path / "ok.dot", tmp_path / "ok.xml"
    result = run_pengine("simulate", SAMPLE_CRM, "-S", "-D", dot, "-G", graph,
                         "-O", "/nonexistent/x.xml")
    assert result.returncode == 2
    assert not dot.exists() and not graph.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pengine-")]


def test_output_same_file_twice_is_usage_error(tmp_path):
    result = run_pengine("simulate", SAMPLE_CRM, "-S", "-D", tmp_path / "a", "-G", tmp_path / "a")
    assert result.returncode == 2 and "name the same file" in result.stderr


def test_output_onto_symlink_writes_its_target(tmp_path):
    target = tmp_path / "real.xml"
    target.write_text("old")
    link = tmp_path / "link.xml"
    link.symlink_to(target)
    result = run_pengine("simulate", SAMPLE_CRM, "-S", "-O", link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert target.read_text().startswith("<cib")


def test_output_onto_fifo_streams_or_refuses(tmp_path):
    import subprocess
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    result = run_pengine("simulate", SAMPLE_CRM, "-S", "-O", fifo)
    assert result.returncode == 2 and "no process reads" in result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        import time
        for _ in range(100):      # wait until the reader has opened the FIFO
            result = run_pengine("simulate", SAMPLE_CRM, "-S", "-O", fifo)
            if result.returncode == 0:
                break
            time.sleep(0.1)
        data = reader.communicate(timeout=60)[0]
    finally:
        reader.kill()
    assert result.returncode == 0, result.stderr
    assert data.startswith(b"<cib")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_onto_device(tmp_path):
    result = run_pengine("simulate", SAMPLE_CRM, "-S", "-O", "/dev/null")
    assert result.returncode == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if os.path.exists("/dev/full"):
        result = run_pengine("simulate", SAMPLE_CRM, "-S", "-O", "/dev/full", "-D",
                             tmp_path / "x.dot")
        assert result.returncode == 2 and "No space left" in result.stderr
        assert not (tmp_path / "x.dot").exists()


# ---------------------------------------------------------------- limits --

@pytest.mark.parametrize("body,message", [
    ("primitive a ocf:heartbeat:Dummy\nclone c a meta clone-max=1000000\n",
     "clone c: clone-max=1000000 asks for more instances"),
    ("primitive a ocf:heartbeat:Dummy\nbundle b docker image=x replicas=100000 primitive a\n",
     "bundle b: replicas=100000 asks for more instances"),
])
def test_instance_limits(tmp_path, body, message):
    path = tmp_path / "big.crm"
    path.write_text(HEAD + body)
    for command in (["simulate", path], ["check", path]):
        result = run_pengine(*command)
        no_crash(result)
        assert result.returncode == 1 and message in result.stdout + result.stderr
        assert f"{path}:" in result.stdout + result.stderr


def test_backtracking_rsc_pattern_is_bounded(tmp_path):
    path = tmp_path / "rx.crm"
    long_id = "a" * 5000 + "b"
    path.write_text(HEAD + f"primitive {long_id} ocf:heartbeat:Dummy\n"
                    "location l1 /^(a|aa)+$/ 100: node1\n")
    result = run_pengine("simulate", path, "-S", timeout=120)
    no_crash(result)
    assert result.returncode in (0, 1)
    if result.returncode == 1:
        assert "takes too long to match" in result.stderr


def test_rsc_pattern_is_posix_leftmost_longest():
    from pengine.rules.patterns import compile_pattern, search
    match = search(compile_pattern("(a|ab)(c|bcd)"), "abcd")
    assert match.group(0) == "abcd"          # POSIX regexec; Python's re gives "abc"


# ----------------------------------------------------------------- check --

def test_check_rejects_what_pacemaker_would_misread(tmp_path):
    path = tmp_path / "chk.crm"
    path.write_text(
        "node node1\nnode node2\nprimitive a notaclass:Dummy\n"
        "primitive b ocf:heartbeat:Dummy\n"
        "location l1 b rule 100: date gt notadate\n"
        "location l2 b rule 100: date date_spec hours=25-99\n"
        "location l3 b rule 100: date in_range start=2020-01-01 months=x\n"
        "location l4 b rule 100: date in_range start=2020-13-45 end=2021-01-01\n")
    result = run_pengine("check", path)
    assert result.returncode == 1
    out = result.stdout
    for line, message in ((3, "unknown agent class 'notaclass'"),
                          (5, "start 'notadate' is not a date"),
                          (6, "hours='25-99' can never match"),
                          (7, "duration months='x' is not an integer"),
                          (8, "start '2020-13-45' is not a date")):
        assert f"{path}:{line}:" in out and message in out, (message, out)


def test_check_rejects_a_node_defined_twice_in_crm(tmp_path):
    # the crm reader refuses it (a name defined twice), naming both places
    path = tmp_path / "twice.crm"
    path.write_text("node node1\nnode node1\nprimitive b ocf:heartbeat:Dummy\n")
    result = run_pengine("check", path)
    assert result.returncode == 1
    assert f"{path}:2:" in result.stdout and "'node1' is defined twice" in result.stdout
    assert f"{path}:1:1" in result.stdout


def test_check_duplicate_nodes_in_xml(tmp_path):
    path = tmp_path / "nodes.xml"
    text = SAMPLE_XML.read_text()
    start = text.index("<node ")
    end = text.index("</node>", start) + len("</node>")
    path.write_text(text[:end] + text[start:end] + text[end:])
    result = run_pengine("check", path)
    assert result.returncode == 1 and "is defined twice" in result.stdout


# ---------------------------------------------------------- fuzz findings --

def test_bundle_without_network_is_not_a_silent_loss(tmp_path):
    """Found by the fuzzer: Pacemaker ignores a bundle holding a primitive
    without ip-range-start or control-port ("No resources"); check says so."""
    path = tmp_path / "b.crm"
    path.write_text(HEAD + "primitive r1 ocf:heartbeat:Dummy\n"
                    "bundle b0 docker image=x replicas=2 primitive r1\n")
    result = run_pengine("check", path)
    assert result.returncode == 1
    assert "neither ip-range-start nor control-port" in result.stdout
