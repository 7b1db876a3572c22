"""``pengine check`` as a CI gate (issue 22): it fails exactly where Pacemaker
3.0.2's crm_verify finds an error, with positioned diagnostics, for the
version the cluster runs.

The generated set (tests/check_parity/generate.py) is checked against
crm_verify's stored verdicts (verdicts.json, made by make_verdicts.py), and
against the referee itself when it can run here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.check_parity.generate import cases, generate
from tests.conftest import REPO, cts_dir, run_pengine

HERE = Path(__file__).parent / "check_parity"
CORPUS = next((p for p in (cts_dir() / "xml", Path("/work/shared/pacemaker-cts/xml")) if p.is_dir()),
              cts_dir() / "xml")
STORED = json.loads((HERE / "verdicts.json").read_text())


def _verdicts_of_check(directory: Path) -> dict[str, str]:
    """pengine's verdict per file, from one `pengine check DIR --format json`."""
    done = run_pengine("check", "--format", "json", directory, timeout=900)
    assert done.returncode in (0, 1), done.stderr
    records = json.loads(done.stdout)
    verdicts = {p.name: "clean" for p in directory.glob("*.xml")}
    for record in records:
        if record["severity"] == "error":
            verdicts[Path(record["file"]).name] = "error"
    return verdicts


def _table(ours: dict[str, str], theirs: dict[str, str]) -> dict[str, list[str]]:
    cells: dict[str, list[str]] = {"both clean": [], "both error": [], "pengine only": [],
                                   "crm_verify only": []}
    for name in sorted(theirs):
        a, b = ours[name], theirs[name]
        key = f"both {a}" if a == b else ("pengine only" if a == "error" else "crm_verify only")
        cells[key].append(name)
    return cells


def test_generated_set_is_large_and_has_stored_verdicts():
    names = {f"{name}.xml" for name in cases()}
    assert len(names) >= 150
    assert names == set(STORED), "verdicts.json is stale: run python -m tests.check_parity.make_verdicts"
    # the set has both kinds in number: valid ones and ones crm_verify rejects
    assert sum(v == "clean" for v in STORED.values()) >= 50
    assert sum(v == "error" for v in STORED.values()) >= 100


def test_check_agrees_with_stored_crm_verify_verdicts(tmp_path):
    generate(str(tmp_path))
    cells = _table(_verdicts_of_check(tmp_path), STORED)
    assert cells["crm_verify only"] == [], "check misses errors crm_verify finds"
    assert cells["pengine only"] == [], "check fails files crm_verify accepts"


def _referee():
    from tests.check_parity.referee import referee_command
    return referee_command()


def test_stored_verdicts_match_the_referee(tmp_path):
    """Re-derive crm_verify's verdicts with Pacemaker 3.0.2 itself."""
    command = _referee()
    if command is None:
        pytest.skip("Pacemaker 3.0.2's crm_verify cannot run here (referee tarball missing or "
                    "its libraries not installed; see ../shared/referee/README.md)")
    from tests.check_parity.referee import verdict
    differ = {}
    for name, path in generate(str(tmp_path)):
        live = verdict(command, path)[0]
        if live != STORED[name]:
            differ[name] = (STORED[name], live)
    assert differ == {}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the pacemaker-cts corpus is not here")
def test_corpus_matches_the_referee(tmp_path):
    """The 723 corpus inputs: check's errors are crm_verify's errors.  Needs the
    referee (crm_verify on every input takes a few minutes)."""
    command = _referee()
    if command is None:
        pytest.skip("Pacemaker 3.0.2's crm_verify cannot run here")
    if not os.environ.get("PENGINE_SLOW_PARITY"):
        pytest.skip("set PENGINE_SLOW_PARITY=1 to run crm_verify on all 723 corpus inputs")
    from tests.check_parity.referee import verdict
    corpus = CORPUS
    ours = _verdicts_of_check(corpus)
    theirs = {p.name: verdict(command, str(p))[0] for p in sorted(corpus.glob("*.xml"))}
    cells = _table(ours, theirs)
    assert cells["crm_verify only"] == [] and cells["pengine only"] == []


# --------------------------------------------------- the examples ----

def _cib(body: str, nodes: int = 1, props: str = "") -> str:
    node_xml = "\n".join(f'      <node id="{i}" uname="node{i}"/>' for i in range(1, nodes + 1))
    return ('<cib validate-with="pacemaker-3.10" epoch="1" num_updates="0" admin_epoch="0">\n'
            '  <configuration>\n'
            f'    <crm_config><cluster_property_set id="o">{props}</cluster_property_set></crm_config>\n'
            f'    <nodes>\n{node_xml}\n    </nodes>\n'
            '    <resources>\n'
            '      <primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>\n'
            '    </resources>\n'
            f'    <constraints/>\n{body}'
            '  </configuration>\n'
            '  <status/>\n'
            '</cib>\n')


def test_unknown_element_and_attributes_fail_with_positions(write):
    text = _cib('    <frobnicate id="x"/>\n',
                props='<nvpair id="o-se" name="stonith-enabled" value="false"/>')
    text = text.replace('<node id="1" uname="node1"/>', '<node id="1" uname="node1" colour="blue"/>')
    path = write("frob.xml", text)
    done = run_pengine("check", "-x", path)
    assert done.returncode == 1
    assert f"{path}:11:5: error: <frobnicate> is not allowed in <configuration>" in done.stdout
    assert f"{path}:5:34: error: attribute 'colour' is not allowed on <node>" in done.stdout
    assert "^" in done.stdout


@pytest.mark.parametrize("nodes", [1, 2])
def test_fencing_without_device_is_an_error_located_in_the_file(write, nodes):
    path = write(f"fence{nodes}.xml", _cib("", nodes=nodes))
    done = run_pengine("check", str(path))
    assert done.returncode == 1
    line = 5 + nodes + 1  # the <resources> element
    assert (f"{path}:{line}:5: error: Resource start-up disabled since no fencing resources "
            "have been defined") in done.stdout
    assert "<input>" not in done.stdout + done.stderr


def test_fencing_disabled_or_device_present_is_clean(write):
    off = write("off.xml", _cib("", 2, '<nvpair id="o-fe" name="fencing-enabled" value="false"/>'))
    assert run_pengine("check", off).returncode == 0


# ---------------------------------------------------------- the target ----

def test_target_decides_what_is_deprecated(write):
    path = write("old.xml", _cib("", 2, '<nvpair id="o-se" name="stonith-enabled" value="false"/>'))
    on_30 = json.loads(run_pengine("check", "--format", "json", "--target", "3.0", path).stdout)
    on_21 = json.loads(run_pengine("check", "--format", "json", "--target", "2.1", path).stdout)
    assert any(r["code"] == "PE012" and "stonith-enabled" in r["message"] for r in on_30)
    assert not any("stonith-enabled" in r["message"] for r in on_21)


def test_target_21_refuses_a_schema_it_does_not_know(write):
    text = _cib("", 2, '<nvpair id="o-se" name="stonith-enabled" value="false"/>')
    path = write("new.xml", text.replace("pacemaker-3.10", "pacemaker-4.0"))
    done = run_pengine("check", "--target", "2.1", path)
    assert done.returncode == 1 and "PE106" in done.stdout
    assert run_pengine("check", "--target", "3.0", path).returncode == 0


def test_nagios_is_fine_on_21_and_dropped_on_30(write):
    text = _cib("", 2, '<nvpair id="o-se" name="stonith-enabled" value="false"/>')
    text = text.replace('class="ocf" provider="pacemaker" type="Dummy"',
                        'class="nagios" type="check_tcp"').replace("pacemaker-3.10", "pacemaker-3.9")
    path = write("nagios.xml", text)
    on_21 = json.loads(run_pengine("check", "--format", "json", "--target", "2.1", path).stdout)
    on_30 = json.loads(run_pengine("check", "--format", "json", "--target", "3.0", path).stdout)
    assert not any("nagios" in r["message"] for r in on_21)
    assert any(r["code"] == "PE107" and "nagios" in r["message"] for r in on_30)


def test_verbose_shows_the_schedulers_notes(write):
    text = _cib("", 2, '<nvpair id="o-se" name="stonith-enabled" value="false"/>')
    text = text.replace("<constraints/>", '<constraints><rsc_location id="l" rsc-pattern="d[" '
                        'node="node1" score="10"/></constraints>')
    path = write("pattern.xml", text)
    quiet = run_pengine("check", "-x", path)
    loud = run_pengine("check", "-x", path, "-V")
    assert "PE211" not in quiet.stdout and "PE211" in loud.stdout


def test_written_cib_for_21_is_accepted_by_debian_pacemaker(tmp_path):
    """show --as xml and simulate -O --target 2.1 write pacemaker-3.9 and a 3.16
    feature set (crm text gets crmsh's empty-CIB header, 3.16.1; a newer one is
    lowered to 2.1.5's 3.16.2); Pacemaker 2.1.5 (pacemaker-cli-utils) takes them."""
    shown = run_pengine("show", "--as", "xml", "--target", "2.1", REPO / "samples" / "webfarm.crm")
    assert shown.returncode == 0, shown.stderr
    assert 'validate-with="pacemaker-3.9"' in shown.stdout
    assert re.search(r'crm_feature_set="3\.16\.[12]"', shown.stdout)
    out = tmp_path / "out.xml"
    done = run_pengine("simulate", "-x", REPO / "samples" / "webfarm-status.xml", "-S",
                       "--target", "2.1", "-O", out)
    assert done.returncode == 0, done.stderr
    head = out.read_text().splitlines()[0]
    assert 'validate-with="pacemaker-3.9"' in head and 'crm_feature_set="3.16.2"' in head
    if shutil.which("crm_simulate") is None:
        pytest.skip("Debian's crm_simulate (pacemaker-cli-utils) is not installed")
    version = subprocess.run(["crm_simulate", "--version"], capture_output=True, text=True)
    if "2.1" not in version.stdout:
        pytest.skip("the installed crm_simulate is not Pacemaker 2.1")
    theirs = subprocess.run(["crm_simulate", "-x", str(out), "-S"], capture_output=True,
                            text=True, timeout=120,
                            env=dict(os.environ, CIB_shadow_dir=str(tmp_path)))
    assert theirs.returncode == 0, theirs.stderr
    assert "Transition Summary" in theirs.stdout


def test_a_resource_banned_everywhere_is_a_warning(write):
    text = _cib("", 2, '<nvpair id="o-se" name="stonith-enabled" value="false"/>')
    text = text.replace("<constraints/>", "<constraints>"
                        '<rsc_location id="b1" rsc="d" node="node1" score="-INFINITY"/>'
                        '<rsc_location id="b2" rsc="d" node="node2" score="-INFINITY"/>'
                        "</constraints>")
    path = write("banned.xml", text)
    done = run_pengine("check", "-x", path)
    assert done.returncode == 0          # crm_verify accepts it
    assert f"{path}:9:7: warning: resource 'd' can never run" in done.stdout


def test_schema_table_agrees_with_pacemakers_relaxng(tmp_path):
    """cib/schema.py against the RELAX NG schemas the referee ships (lxml):
    a file the table rejects is one RELAX NG rejects; a file RELAX NG rejects
    is one check fails (the table, or cib.validate's id checks)."""
    etree = pytest.importorskip("lxml.etree")
    if _referee() is None:
        pytest.skip("the referee's schemas are not available")
    from tests.check_parity.referee import referee_command
    schemas = Path(referee_command()[0]).parent / "schemas"
    from pengine.cib.schema import schema_diagnostics
    from pengine.cib.xml_source import parse_xml
    from pengine.cli.check import check_file
    grammars: dict = {}
    disagree = []
    for name, path in generate(str(tmp_path)):
        data = Path(path).read_bytes()
        root = parse_xml(data, path)
        version = root.get("validate-with")
        if not (schemas / f"{version}.rng").exists():
            continue
        if version not in grammars:
            grammars[version] = etree.RelaxNG(etree.parse(str(schemas / f"{version}.rng")))
        rejected = not grammars[version].validate(etree.fromstring(data))
        table = bool(schema_diagnostics(root, path, data.decode()))
        failed = any(d.severity == "error" for d in check_file(path).diagnostics)
        if table and not rejected or rejected and not failed:
            disagree.append((name, table, rejected))
    assert disagree == []
