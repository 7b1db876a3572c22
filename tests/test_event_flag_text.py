"""A node, ticket or operation named on the command line is written into the
saved CIB (-O, -I): a control character there is a usage error (exit 2),
never an internal error or a file that is not XML (found by tests.fuzz)."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, run_pengine

SAMPLE = REPO / "samples" / "webfarm.crm"


@pytest.mark.parametrize("flags", [("-g", "\x1b"), ("-u", "node\x01"), ("-r", "t\x0b1"),
                                   ("-i", "web_monitor_0@node1\x02=7"), ("-q", "\x1b")])
def test_a_control_character_in_an_event_name_is_a_usage_error(tmp_path, flags):
    out = tmp_path / "out.xml"
    result = run_pengine("simulate", str(SAMPLE), "-S", *flags, "-O", str(out))
    assert result.returncode == 2, result.stderr
    assert "control character" in result.stderr and flags[0] in result.stderr
    assert "\x1b" not in result.stderr and not out.exists()


def test_plain_names_still_save_a_cib(tmp_path):
    out = tmp_path / "out.xml"
    result = run_pengine("simulate", str(SAMPLE), "-S", "-g", "t1", "-w", "x", "-O", str(out))
    assert result.returncode == 0, result.stderr
    assert "<cib" in out.read_text()
