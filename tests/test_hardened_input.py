"""Hostile and broken input through the real `pengine` command.

Each case must end with exit code 1, a short error that names the file (and
line:col where there is one), no traceback and no output on stdout, so that
``pengine show BAD > file`` leaves nothing half-written.  The subprocess
timeout guards against hangs (tests assert no wall-clock times).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import has_crm_text, run_pengine

HANG_GUARD = 20  # seconds; each case normally takes a fraction of one

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<cib><configuration><crm_config><cluster_property_set id="o">
<nvpair id="n" name="cluster-name" value="&lol9;"/>
</cluster_property_set></crm_config></configuration></cib>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE cib [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<cib><configuration><crm_config><cluster_property_set id="o">
<nvpair id="n" name="cluster-name" value="&xxe;"/>
</cluster_property_set></crm_config></configuration></cib>
"""

# an entity referenced without any declaration (no DOCTYPE at all)
UNDECLARED_ENTITY = '<cib><configuration>&xxe;</configuration></cib>\n'

TRUNCATED_XML = """<cib validate-with="pacemaker-3.10" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes>
      <node id="1" uname="node1"/>
    </nodes>
    <resources>
      <primitive id="a" class="ocf" provider="pacemaker" type="Du"""

TRUNCATED_CRM = """node 1: node1
primitive web-ip ocf:heartbeat:IPaddr2 \\
\tparams ip=192.0.2.10 \\
\top monitor interval=10s timeout=20s
primitive web-server ocf:heartbeat:apache \\
\tparams statusurl="http://localh"""


def huge_file(path) -> None:
    """A file larger than any real CIB: sparse, so it costs no disk or time."""
    with open(path, "wb") as handle:
        handle.write(b"<cib>")
        handle.truncate(65 * 1024 * 1024)


CASES = {
    "billion-laughs.xml": BILLION_LAUGHS,
    "external-entity.xml": EXTERNAL_ENTITY,
    "undeclared-entity.xml": UNDECLARED_ENTITY,
    "garbage.bin": bytes(range(256)) * 64,
    "garbage-lt.xml": b"<" + bytes(range(255, 0, -1)) * 16,
    "truncated.xml": TRUNCATED_XML,
    "empty.xml": "",
    "huge.xml": huge_file,
}
POSITIONED = {"billion-laughs.xml", "external-entity.xml", "undeclared-entity.xml",
              "garbage-lt.xml", "truncated.xml", "garbage.bin"}


def make(tmp_path, name: str):
    path = tmp_path / name
    content = CASES[name]
    if callable(content):
        content(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def assert_clean_failure(result, path, positioned: bool, where: str = "stderr"):
    text = getattr(result, where)
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + (result.stdout or "")
    first = text.splitlines()[0]
    assert first.startswith(f"{path}:"), first
    assert ": error: " in first
    if positioned:
        line, column = first[len(str(path)) + 1:].split(":")[:2]
        assert int(line) >= 1 and int(column) >= 1, first
    assert len(text.splitlines()) <= 6, text  # an error and its context, not a dump


@pytest.mark.parametrize("name", sorted(CASES))
def test_show_refuses_cleanly(tmp_path, name):
    path = make(tmp_path, name)
    out = tmp_path / "out.xml"
    with open(out, "w") as handle:
        result = run_pengine("show", path, "--as", "xml", timeout=HANG_GUARD, stdout=handle)
    assert_clean_failure(result, path, name in POSITIONED)
    assert out.stat().st_size == 0, "partial output written"


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_reports_the_file_as_invalid(tmp_path, name):
    path = make(tmp_path, name)
    result = run_pengine("check", path, timeout=HANG_GUARD)
    assert_clean_failure(result, path, name in POSITIONED, where="stdout")
    json_result = run_pengine("check", "--format", "json", path, timeout=HANG_GUARD)
    (record,) = json.loads(json_result.stdout)
    assert record["file"] == str(path) and record["severity"] == "error"


def test_entities_are_never_expanded(tmp_path):
    path = make(tmp_path, "external-entity.xml")
    result = run_pengine("check", "--format", "json", path, timeout=HANG_GUARD)
    assert "root:" not in result.stdout + result.stderr  # /etc/passwd never read


def test_huge_file_is_refused_before_reading(tmp_path):
    path = make(tmp_path, "huge.xml")
    assert os.path.getsize(path) > 64 * 1024 * 1024
    result = run_pengine("show", path, "--as", "xml", timeout=HANG_GUARD)
    assert "larger than any CIB" in result.stderr


@pytest.mark.skipif(not has_crm_text(), reason="cib/crm_text.py is not there yet")
@pytest.mark.parametrize("command", ["show", "check"])
def test_truncated_crm(tmp_path, command):
    path = tmp_path / "truncated.crm"
    path.write_text(TRUNCATED_CRM)
    out = tmp_path / "out.xml"
    args = ("show", path, "--as", "xml") if command == "show" else ("check", path)
    with open(out, "w") as handle:
        result = run_pengine(*args, timeout=HANG_GUARD,
                             stdout=handle if command == "show" else subprocess.PIPE)
    if command == "show":
        assert out.stat().st_size == 0
        assert_clean_failure(result, path, True)
    else:
        assert_clean_failure(result, path, True, where="stdout")
