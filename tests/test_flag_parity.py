"""crm_simulate / crm_verify flag parity: pengine beside the referee
(Pacemaker 3.0.2's own crm_simulate), flag by flag."""

from __future__ import annotations

import argparse
import re
import subprocess

import pytest

from tests.conftest import REPO, SAMPLES, run_pengine
from tests.referee_tools import referee  # noqa: F401 - a fixture

WEBFARM = SAMPLES / "webfarm-status.xml"
REAL = REPO / "tests" / "data" / "history-real" / "vm" / "pengine"


def crm_simulate(referee, *args):
    return subprocess.run([*referee, "crm_simulate", *map(str, args)], capture_output=True,
                          text=True, timeout=120)


def _without_request(text: str) -> str:
    return re.sub(r' request="[^"]*"', "", text)


@pytest.fixture
def real_xml(tmp_path):
    import bz2
    path = tmp_path / "pe-input-4.xml"
    path.write_bytes(bz2.decompress((REAL / "pe-input-4.bz2").read_bytes()))
    return path


@pytest.mark.parametrize("args", [("-S",), ("-R",), ("-S", "-f", "node1"), ("-S", "-u", "node9")])
def test_output_as_xml_is_crm_simulates(referee, args):
    ours = run_pengine("simulate", "-x", WEBFARM, *args, "--output-as", "xml")
    theirs = crm_simulate(referee, "-x", WEBFARM, *args, "--output-as", "xml")
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert _without_request(ours.stdout) == _without_request(theirs.stdout)


def test_output_as_xml_on_a_real_pe_input(referee, real_xml):
    ours = run_pengine("simulate", "-x", real_xml, "-S", "--output-as", "xml")
    theirs = crm_simulate(referee, "-x", real_xml, "-S", "--output-as", "xml")
    assert _without_request(ours.stdout) == _without_request(theirs.stdout)


def test_unknown_node_brought_up_is_added_as_crm_simulate_adds_it(referee):
    ours = run_pengine("simulate", "-x", WEBFARM, "-S", "-u", "node9")
    theirs = crm_simulate(referee, "-x", WEBFARM, "-S", "-u", "node9")
    assert ours.stdout == theirs.stdout
    assert "* Start      ping:3     ( node9 )" in ours.stdout


@pytest.mark.parametrize("flag", ["-f", "-d"])
def test_a_typo_in_a_node_name_is_an_error_naming_the_known_nodes(flag):
    result = run_pengine("simulate", "-x", WEBFARM, "-S", flag, "nod1")
    assert result.returncode == 2 and result.stdout == ""
    assert f"{flag} nod1: there is no node 'nod1' (known nodes: node1, node2, node3)" \
        in result.stderr
    # -i is not refused: crm_simulate injects into the node state it creates
    # (tests/differential/cases/op-inject-missing-resource-warns records it)
    injected = run_pengine("simulate", "-x", WEBFARM, "-S", "-i", "web-ip_monitor_10000@nod1=7")
    assert injected.returncode == 0, injected.stderr


def test_a_typo_in_a_scenario_node_is_a_positioned_error(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'config = "{SAMPLES / "webfarm.crm"}"\n\n[[event]]\nat = "10s"\n'
                        'standby = "node9"\n')
    result = run_pengine("scenario", scenario)
    assert result.returncode == 1
    assert re.search(r"s\.toml:\d+:1: error: standby = \"node9\": there is no node 'node9' "
                     r"\(known nodes: node1, node2, node3\)", result.stderr), result.stderr


@pytest.mark.parametrize("args", [("-q", "0"), ("-q", "0", "-w", "1"), ("-q", "false", "-d", "node2"),
                                  ("-w", "1", "-f", "node1")])
def test_quorum_takes_effect_as_crm_simulates_does(referee, args):
    ours = run_pengine("simulate", "-x", WEBFARM, "-S", *args)
    theirs = crm_simulate(referee, "-x", WEBFARM, "-S", *args)
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout)


@pytest.mark.parametrize("args", [("-R", "-s"), ("-S",), ("-R",), ("-s",)])
def test_quiet_prints_what_crm_simulate_q_prints(referee, real_xml, args):
    ours = run_pengine("simulate", "-x", real_xml, "-Q", *args)
    theirs = crm_simulate(referee, "-x", real_xml, "-Q", *args)
    assert ours.stdout == theirs.stdout


def test_verbose_reports_the_phases_on_stderr():
    plain = run_pengine("simulate", "-x", WEBFARM, "-S")
    loud = run_pengine("simulate", "-x", WEBFARM, "-S", "-V")
    assert loud.stdout == plain.stdout
    assert "pengine: scheduled the transition in" in loud.stderr


def test_profile_with_repeat(referee, tmp_path, real_xml):
    folder = tmp_path / "profile"
    folder.mkdir()
    (folder / "b.xml").write_bytes(WEBFARM.read_bytes())
    (folder / "a.xml").write_bytes(real_xml.read_bytes())
    (folder / "notes.txt").write_text("not an input")
    ours = run_pengine("simulate", "-P", folder, "-N", "3")
    theirs = crm_simulate(referee, "-P", folder, "-N", "3")
    pattern = re.compile(r"  \* Testing (\S+) \.\.\. \d+\.\d\d secs")
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.splitlines()[0] == theirs.stdout.splitlines()[0] == "Timings:"
    assert pattern.findall(ours.stdout) == pattern.findall(theirs.stdout) == \
        [str(folder / "a.xml"), str(folder / "b.xml")]


def test_version():
    result = run_pengine("--version")
    assert result.returncode == 0 and "schedules as Pacemaker 3.0.2" in result.stdout
    assert "Pacemaker 3.0.2" in run_pengine("simulate", "--version").stdout


def test_every_flag_has_help():
    from pengine.cli import build_parser
    parser = build_parser()
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for flag in sub._actions:
                    if not flag.help and not isinstance(flag, argparse._HelpAction):
                        missing.append((name, flag.option_strings or flag.dest))
    assert missing == []


def test_check_and_explain_take_x(tmp_path):
    check = run_pengine("check", "-x", WEBFARM)
    assert check.returncode == 0, check.stdout + check.stderr
    assert run_pengine("check").returncode == 2
    explain = run_pengine("explain", "web-ip", "-x", WEBFARM)
    assert explain.returncode == 0, explain.stderr
    assert explain.stdout == run_pengine("explain", "web-ip", WEBFARM).stdout
    assert run_pengine("explain", "web-ip").returncode == 2


def test_save_output_schema_is_crm_simulates(referee, tmp_path):
    ours, theirs = tmp_path / "ours.xml", tmp_path / "theirs.xml"
    run_pengine("simulate", "-x", WEBFARM, "-S", "-O", ours)
    crm_simulate(referee, "-x", WEBFARM, "-S", "-O", theirs)

    def head(path, name):
        return re.search(rf'<cib [^>]*{name}="([^"]*)"', path.read_text()).group(1)
    for name in ("validate-with", "crm_feature_set"):
        assert head(ours, name) == head(theirs, name)
    # and pengine reads what it saved
    again = run_pengine("simulate", "-x", ours, "-S")
    assert again.returncode == 0, again.stderr
