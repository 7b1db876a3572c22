"""Issue 19: C1 controls and other terminal-dangerous characters never reach
the terminal raw.  XML 1.0 holds U+0080-U+009F (U+009B is CSI, ESC [ to a
terminal) and bidirectional overrides in ids, descriptions, attribute values
and exit reasons; every subcommand's ordinary output escapes them as its
diagnostics escape C0: U+FFFD in text, \\u escapes in JSON, character
references in XML (so the data stays the same)."""

from __future__ import annotations

import json
import re
import xml.dom.minidom

import pytest

from conftest import REPO, run_pengine

SAMPLE_XML = REPO / "samples" / "webfarm-status.xml"
DANGEROUS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
CSI_ID = "web\u009b31m-ip"
REASON = "bad\u009b2J\u0085x\u202edone"


@pytest.fixture
def hostile_cib(tmp_path):
    text = SAMPLE_XML.read_text()
    text = text.replace("web-ip", CSI_ID)
    marker = 'id="web-server_monitor_30000"'
    start = text.index(marker)
    end = text.index("/>", start)
    op = text[start:end]
    op = op.replace('exit-reason=""', f'exit-reason="{REASON}"').replace(
        'rc-code="0"', 'rc-code="1"').replace("0:0;8:", "0:1;8:")
    text = text[:start] + op + text[end:]
    text = text.replace('name="site" value="dc1"', 'name="site" value="d\u009dc1"', 1)
    path = tmp_path / "c1.xml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_terminal_safe(result) -> None:
    for stream in (result.stdout, result.stderr):
        found = DANGEROUS.findall(stream)
        assert not found, [hex(ord(ch)) for ch in found]


@pytest.mark.parametrize("argv", [
    ("simulate", "-x", "{cib}", "-S", "-s"),
    ("simulate", "-x", "{cib}", "-c", "-A"),
    ("check", "{cib}"),
    ("explain", "web-server", "-x", "{cib}"),
    ("show", "{cib}"),
])
def test_text_output_escapes_c1_and_bidi(hostile_cib, argv):
    result = run_pengine(*[str(hostile_cib) if a == "{cib}" else a for a in argv])
    assert result.returncode in (0, 1), result.stderr
    assert "internal error" not in result.stderr
    assert_terminal_safe(result)
    assert "\ufffd" in result.stdout + result.stderr       # shown, not dropped


def test_diff_is_terminal_safe(hostile_cib, tmp_path):
    changed = tmp_path / "changed.xml"
    changed.write_text(hostile_cib.read_text().replace(
        'name="site" value="d\u009dc1"', 'name="site" value="d\u009dc2"'))
    result = run_pengine("diff", hostile_cib, changed)
    assert result.returncode in (0, 1), result.stderr
    assert_terminal_safe(result)


def test_failure_exit_reason_is_shown_escaped(hostile_cib):
    result = run_pengine("simulate", "-x", hostile_cib, "-c")
    assert_terminal_safe(result)
    assert "bad\ufffd2J\ufffdx\ufffddone" in result.stdout


def test_json_output_keeps_the_data(hostile_cib):
    result = run_pengine("check", "--format", "json", hostile_cib)
    assert_terminal_safe(result)
    document = json.loads(result.stdout)
    assert CSI_ID in json.dumps(document, ensure_ascii=False)


def test_xml_output_keeps_the_data(hostile_cib):
    result = run_pengine("show", "--as", "xml", hostile_cib)
    assert result.returncode == 0, result.stderr
    assert_terminal_safe(result)
    assert "web&#x9b;31m-ip" in result.stdout
    tree = xml.dom.minidom.parseString(result.stdout.encode())
    ids = {element.getAttribute("id") for element in tree.getElementsByTagName("primitive")}
    assert CSI_ID in ids


def test_stream_escapes_only_what_is_dangerous():
    from pengine.cli.terminal_safe import terminal_safe
    assert terminal_safe("tab\tnew\nline é ü 漢字 ✓") == "tab\tnew\nline é ü 漢字 ✓"
    assert terminal_safe("\x1b[31m\x9b2J\u202e\x7f") == "\ufffd[31m\ufffd2J\ufffd\ufffd"


def test_history_progress_bar_keeps_its_carriage_returns(monkeypatch):
    """The command's own controls pass; the file name in the bar is cleaned."""
    import io

    from pengine.cli.history import _Progress
    from pengine.cli.terminal_safe import SafeStream, _as_text
    underlying = io.StringIO()
    monkeypatch.setattr("sys.stderr", SafeStream(underlying, _as_text))
    bar = _Progress(False)
    bar.enabled = True
    bar(1, 4, "pe-input-\x1b[2J1.bz2")
    shown = underlying.getvalue()
    assert shown.startswith("\r[") and "\x1b" not in shown and "pe-input-\ufffd[2J1.bz2" in shown
