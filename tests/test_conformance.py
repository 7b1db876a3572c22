"""Pacemaker's regression corpus as the referee (see tests/conformance.py).

A case that passed a section when the baseline was recorded and fails it
now is a regression and fails this test.  New passes are reported; record
them with ``python tests/conformance.py --update``.
"""

from __future__ import annotations

import pytest

import conformance as conf

ROOT = conf.corpus_dir()
pytestmark = pytest.mark.skipif(not (ROOT / "tests.tsv").exists(),
                                reason=f"no conformance corpus at {ROOT}")


@pytest.fixture(scope="module")
def results():
    return conf.run_all(ROOT)


@pytest.mark.parametrize("section", conf.SECTIONS)
def test_no_regression(results, section):
    baseline = set(conf.load_baseline()[section])
    passing = {name for name, r in results.items() if r[section]}
    regressed = sorted(baseline - passing)
    assert not regressed, (f"{len(regressed)} case(s) no longer match their {section} "
                           f"section: {' '.join(regressed)}")


def test_no_crash(results):
    """An engine error on a case that once passed is a regression too;
    new crashes anywhere are listed so that they are seen."""
    baseline = set().union(*conf.load_baseline().values())
    crashed = sorted(name for name, r in results.items()
                     if r["error"] and name in baseline)
    assert not crashed, f"engine errors on cases that used to pass: {' '.join(crashed)}"


def test_crm_twins_plan_as_their_xml(results):
    """Every crm twin gives its FRESH XML's Transition Summary and scores, or
    is listed with the reason crmsh's text lost what decides."""
    from crm_known_differences import CRM_PLAN_DIFFERENCES
    differing = sorted(name for name, r in results.items()
                       if r["crm"] is False and name not in CRM_PLAN_DIFFERENCES)
    assert not differing, f"crm text plans otherwise than its XML: {' '.join(differing)}"


def test_sections_parse_an_expected_summary():
    text = (ROOT / "summary" / "simple4.summary").read_text()
    found = conf.sections(text)
    assert sum(found["transition"].values()) == 1
    assert found["actions"] == {"* Resource action: rsc1 stop on node1": 1}
    assert "* rsc1 (ocf:heartbeat:apache): Stopped" in found["revised"]
