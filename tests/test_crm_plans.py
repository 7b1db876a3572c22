"""The crm route plans as the XML route does (tests/conformance.py's ``crm``
section): each twin listed in ``CRM_PLAN_DIFFERENCES`` differs, and by its
listed reason only, and quotes lines of its crm file.  That every other twin
plans alike is test_conformance.py's (on the shared corpus run)."""

from __future__ import annotations

import re

import pytest

import conformance as conf
from crm_known_differences import CRM_PLAN_DIFFERENCES, RESOURCE_ORDER_LOST, SET_ID_LOST

ROOT = conf.corpus_dir()
pytestmark = pytest.mark.skipif(not (ROOT / "crm").is_dir(), reason=f"no crm corpus in {ROOT}")
EXTRAS = dict(conf.cases(ROOT)) if (ROOT / "tests.tsv").exists() else {}


def _set_named(line: str) -> str:
    return re.sub(r"one-or-more:\S+", "one-or-more:<set>", line)


@pytest.mark.parametrize("name", sorted(CRM_PLAN_DIFFERENCES))
def test_listed_twin_differs_by_its_reason_only(name):
    reason, *quoted = CRM_PLAN_DIFFERENCES[name]
    text = " ".join((ROOT / "crm" / f"{name}.crm").read_text().split())
    assert all(line in text for line in quoted), f"{name}: the quoted line is not in its crm file"
    crm_run, xml_run = conf.crm_runs(ROOT, name, EXTRAS.get(name, []))
    assert not crm_run["error"].startswith("Traceback") and not xml_run["error"].startswith("Traceback")
    assert not conf.same_plan(crm_run, xml_run), f"{name} now plans alike: take it off the list"
    if reason == RESOURCE_ORDER_LOST:
        # the same XML with its resources in the text's order plans as the text does
        crm_run, xml_run = conf.crm_runs(ROOT, name, EXTRAS.get(name, []), crm_order=("resources",))
        assert conf.same_plan(crm_run, xml_run), f"{name} differs beyond its resource order"
    elif reason == SET_ID_LOST:
        assert conf.same_plan(crm_run, xml_run, _set_named), f"{name} differs beyond a set's id"
    else:
        pytest.fail(f"{name}: no check for reason {reason!r}")


def test_fresh_cib_brings_every_cluster_node_up():
    fresh, date = conf.fresh_cib(
        b'<cib have-quorum="0" dc-uuid="1" execution-date="1400000000"><configuration><nodes>'
        b'<node id="1" uname="a"/><node id="r" uname="r" type="remote"/></nodes></configuration>'
        b'<status><node_state id="1" uname="a" crmd="offline"/></status></cib>')
    assert date == "2014-05-13T16:53:20Z"
    text = fresh.decode()
    assert 'have-quorum="1"' in text and "dc-uuid" not in text and "execution-date" not in text
    assert text.count("<node_state") == 1 and 'crmd="online"' in text and 'join="member"' in text
