"""`pengine show`: convert and pretty-print configurations."""

from __future__ import annotations

import importlib.util

import pytest

from pengine.cib.cib_xml import read_cib
from pengine.cib.load import load_cib
from conftest import SAMPLES, needs_crm, run_pengine

STATUS_SAMPLE = SAMPLES / "webfarm-status.xml"
CRM_SAMPLE = SAMPLES / "webfarm.crm"


def has_write_crm() -> bool:
    if importlib.util.find_spec("pengine.cib.crm_text") is None:
        return False
    from pengine.cib import crm_text
    return hasattr(crm_text, "write_crm")


def test_show_xml_round_trips_configuration_and_status():
    result = run_pengine("show", STATUS_SAMPLE, "--as", "xml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<cib ")
    shown = read_cib(result.stdout, "<stdout>")
    original = load_cib(str(STATUS_SAMPLE))
    assert shown.configuration == original.configuration
    assert shown.status == original.status
    assert len(shown.status.node_states) == 3


def test_show_xml_is_stable():
    from pengine.cib.cib_xml import write_cib
    once = run_pengine("show", STATUS_SAMPLE, "--as", "xml").stdout
    assert write_cib(read_cib(once)) == once


@pytest.mark.skipif(has_write_crm(), reason="crm output exists now")
def test_show_as_crm_says_it_is_not_available_yet():
    result = run_pengine("show", STATUS_SAMPLE, "--as", "crm")
    assert result.returncode == 2
    assert "not available" in result.stderr and result.stdout == ""
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not has_write_crm(), reason="cib.crm_text.write_crm is not there yet")
def test_show_as_crm_round_trips():
    from pengine.cib.crm_text import read_crm
    without_generated_ids = pytest.importorskip("pengine.cib.normalize").without_generated_ids
    result = run_pengine("show", STATUS_SAMPLE, "--as", "crm")
    assert result.returncode == 0, result.stderr
    config = read_crm(result.stdout, "<stdout>")
    original = load_cib(str(STATUS_SAMPLE)).configuration
    assert without_generated_ids(config) == without_generated_ids(original)


@needs_crm
def test_show_crm_sample_as_xml_matches_the_xml_sample():
    without_generated_ids = pytest.importorskip("pengine.cib.normalize").without_generated_ids
    result = run_pengine("show", CRM_SAMPLE, "--as", "xml")
    assert result.returncode == 0, result.stderr
    from_crm = read_cib(result.stdout).configuration
    from_xml = load_cib(str(STATUS_SAMPLE)).configuration
    assert without_generated_ids(from_crm) == without_generated_ids(from_xml)


def test_show_bad_input_writes_nothing(write, tmp_path):
    bad = write("bad.xml", "<cib><configuration><resources>")
    out = tmp_path / "out.xml"
    with open(out, "w") as handle:
        result = run_pengine("show", bad, "--as", "xml", stdout=handle)
    assert result.returncode == 1
    assert out.read_text() == ""
    assert str(bad) in result.stderr and "Traceback" not in result.stderr


def test_show_missing_file_is_a_usage_error(tmp_path):
    result = run_pengine("show", tmp_path / "nope.xml", "--as", "xml")
    assert result.returncode == 2
    assert "nope.xml" in result.stderr and "Traceback" not in result.stderr
