"""pcs scripts: read like pcs builds them, written back, and refereed by the real pcs.

The sample scripts (tests/pcs_scripts/*.pcs) cover every pcs command the
reader knows.  With the real pcs installed, each script is applied to an
empty CIB (``pcs -f``, through tests/pcs_referee.py, cached by content) and
pengine's reading of the script must equal pcs's CIB: the same
configuration, ids included, and the same plan from ``simulate``.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from pengine.cib.cib_xml import read_cib
from pengine.cib.pcs_text import read_pcs
from pengine.cib.pcs_writer import untranslatable, write_pcs
from conftest import REPO, SAMPLES, run_pengine
import pcs_referee

SCRIPTS = sorted((Path(__file__).parent / "pcs_scripts").glob("*.pcs"))
_WHY_NOT = pcs_referee.pcs_available()
needs_pcs = pytest.mark.skipif(_WHY_NOT is not None, reason=str(_WHY_NOT))


def _read(path: Path):
    return read_pcs(path.read_text(encoding="utf-8"), str(path))


def test_enough_sample_scripts():
    assert len(SCRIPTS) >= 60


def test_sample_scripts_cover_every_command():
    text = "\n".join(path.read_text(encoding="utf-8") for path in SCRIPTS)
    for command in ["resource create", "--group", "--before", "--after", "--disabled", " clone",
                    " promotable", "bundle create", " bundle ", "resource group add", "resource clone",
                    "resource promotable", "resource meta", "resource update", "resource op add",
                    "resource op remove", "resource op defaults", "resource defaults",
                    "resource utilization", "resource disable", "resource enable", "resource ban",
                    "resource move-with-constraint", "resource clear", "stonith create",
                    "stonith level add", "prefers", "avoids", " rule ", "colocation add",
                    "colocation set", "constraint order", "order set", "symmetrical", "kind=",
                    "ticket add", "ticket set", "property set", "node attribute", "node utilization",
                    "tag create", "alert create", "recipient add", "cluster setup", "cluster node add",
                    "pcs -f", "lsb:", "systemd:", "service:", "ocf:"]:
        assert command in text, command


# ----------------------------------------------------------- with real pcs

def _simulate(*args: str) -> str:
    from pengine.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["simulate", *args, "-S"])
    assert code == 0, err.getvalue()
    return out.getvalue()


@pytest.mark.pcs
@needs_pcs
@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_script_reads_as_real_pcs_builds_it(script: Path, tmp_path):
    text = script.read_text(encoding="utf-8")
    xml = pcs_referee.apply_script(text)
    pcs_config = read_cib(xml, "pcs.xml").configuration
    assert _read(script) == pcs_config
    # the same plan from both: pcs's configuration in the input pengine
    # simulated from the script (whose status has the nodes up, as for crm text)
    ours = _simulate(str(script), "-I", str(tmp_path / "input.xml"))
    assert _simulate("-x", str(_with_configuration(tmp_path / "input.xml", xml))) == ours


def _with_configuration(input_path: Path, pcs_xml: str) -> Path:
    from xml.etree import ElementTree
    root = ElementTree.parse(input_path).getroot()
    old = root.find("configuration")
    root[list(root).index(old)] = ElementTree.fromstring(pcs_xml).find("configuration")
    out = input_path.with_name("pcs-input.xml")
    out.write_text(ElementTree.tostring(root, encoding="unicode"), encoding="utf-8")
    return out


@pytest.mark.pcs
@needs_pcs
@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_written_script_rebuilds_the_configuration_with_real_pcs(script: Path):
    config = _read(script)
    assert untranslatable(config) == []
    xml = pcs_referee.apply_script(write_pcs(config))
    assert read_cib(xml, "pcs.xml").configuration == config


# ------------------------------------------------------------ round trips

@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_pcs_model_pcs_model(script: Path):
    config = _read(script)
    text = write_pcs(config)
    again = read_pcs(text, "written.pcs")
    assert again == config, text
    assert write_pcs(again) == text


def test_crm_and_pcs_meet_in_one_model(tmp_path):
    """samples/haproxy.crm through `show --as pcs` reads back as the same configuration."""
    from pengine.cib.crm_text import read_crm
    from pengine.cib.normalize import without_generated_ids
    crm = read_crm((SAMPLES / "haproxy.crm").read_text(encoding="utf-8"), "haproxy.crm")
    shown = run_pengine("show", SAMPLES / "haproxy.crm", "--as", "pcs")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("pcs cluster setup")
    back = read_pcs(shown.stdout, "shown.pcs")
    assert without_generated_ids(back) == without_generated_ids(crm)


# --------------------------------------------------------- the command line

def test_simulate_the_guides_haproxy_cluster():
    done = run_pengine("simulate", SAMPLES / "haproxy.pcs", "-S")
    assert done.returncode == 0, done.stderr
    assert "Start      HAProxy         ( node1 )" in done.stdout
    assert "Start      VIP             ( node1 )" in done.stdout
    # fence_ipmilan is not installed here: the assumption is said, with its place
    if not Path("/usr/sbin/fence_ipmilan").exists():
        assert "haproxy.pcs:25:32: warning: agent stonith:fence_ipmilan is not installed" in done.stderr


@pytest.mark.parametrize("args", [
    ["check", "{pcs}"], ["explain", "HAProxy", "{pcs}"], ["graph", "{pcs}", "-o", "{tmp}/g.dot"],
    ["diff", "{crm}", "{pcs}"], ["show", "{pcs}", "--as", "xml"], ["simulate", "{pcs}", "-s"],
])
def test_subcommands_take_pcs_files(args, tmp_path):
    values = {"pcs": str(SAMPLES / "haproxy.pcs"), "crm": str(SAMPLES / "haproxy.crm"), "tmp": str(tmp_path)}
    done = run_pengine(*[arg.format(**values) for arg in args])
    assert done.returncode in (0, 3), done.stderr  # diff exits 3 when configurations differ
    assert "Traceback" not in done.stderr


def test_a_file_of_pcs_commands_without_the_extension(write):
    path = write("cluster.txt", "pcs cluster setup c n1 n2\npcs resource create d ocf:pacemaker:Dummy\n"
                 "pcs property set stonith-enabled=false\n")
    done = run_pengine("simulate", path, "-S")
    assert done.returncode == 0, done.stderr
    assert "Start      d" in done.stdout


@pytest.mark.parametrize("text, where, message", [
    ("pcs cluster setup c n1\npcs constraint location B prefers n1\n", ":2:25:",
     "Resource 'B' does not exist"),
    ("pcs resource create 'A ocf:pacemaker:Dummy\n", ":1:21:", "unterminated quote"),
    ("pcs resource frobnicate A\n", ":1:14:", "unknown resource command 'frobnicate'"),
    ("pcs resource create A ocf:pacemaker:Dummy\npcs resource create A ocf:pacemaker:Dummy\n",
     ":2:21:", "'A' already exists"),
    ("crm configure show\n", ":1:1:", "is not a pcs command"),
    ("pcs resource create A ocf:pacemaker:Dummy op monitor interval=10s op monitor interval=10\n",
     ":1:", "multiple specification of the same operation"),
    ("pcs resource create A ocf:pacemaker:Dummy\npcs resource create B ocf:pacemaker:Dummy\n"
     "pcs constraint order A then B\npcs constraint order A then B\n", ":4:22:",
     "duplicate constraint already exists, use --force to override"),
    ("pcs stonith level add 10 n1 f1\n", ":1:23:", "is not a valid level value"),
])
def test_errors_are_positioned_and_say_what_pcs_says(write, text, where, message):
    path = write("bad.pcs", text)
    done = run_pengine("simulate", path)
    assert done.returncode == 1
    assert f"bad.pcs{where}" in done.stderr
    assert message in done.stderr
    assert "^" in done.stderr and "Traceback" not in done.stderr


def test_show_as_pcs_lists_what_pcs_cannot_say(write):
    path = write("sets.crm", "node n1\nprimitive d ocf:pacemaker:Dummy \\\n"
                 "  meta 1: rule 100: #uname eq n1 target-role=Stopped\n")
    done = run_pengine("show", path, "--as", "pcs")
    assert done.returncode == 0, done.stderr
    assert "# not expressible in pcs:" in done.stdout
    assert "warning: not expressible in pcs" in done.stderr


def test_scenario_takes_a_pcs_configuration(write):
    (Path(write("x", "").parent) / "haproxy.pcs").write_text(
        (SAMPLES / "haproxy.pcs").read_text(encoding="utf-8"), encoding="utf-8")
    path = write("s.toml", 'config = "haproxy.pcs"\nstart = "2026-01-01 00:00:00Z"\nuntil = "1m"\n'
                 '[[event]]\nat = "10s"\nfail = "HAProxy:monitor:10s@node1"\n')
    done = run_pengine("scenario", path)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
