"""Generated configurations mean the same from crm text and from XML: crm
text → model → XML → model gives the model back, ids included (crmsh's ids
are the XML's), and ``pengine simulate`` of the crm file and of the XML (with
the same nodes online) plans the same Transition Summary and scores."""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings

import conformance as conf
from pengine.cib import model as m
from pengine.cib.cib_xml import read_cib, write_cib
from pengine.cib.crm_text import CRM_CIB_ATTRIBUTES, read_crm, write_crm
from pengine.transitions.simulate import bring_crm_cluster_up
from strategies import configurations


def _every_id_given(config: m.Configuration) -> bool:
    """No rule, set, expression, op or nvpair is left without an id."""
    def walk(value):
        if isinstance(value, tuple):
            return all(walk(item) for item in value)
        if not hasattr(value, "__attrs_attrs__"):
            return True
        for field in value.__attrs_attrs__:
            item = getattr(value, field.name)
            if field.name == "id" and not item and not getattr(value, "id_ref", None):
                return False
            if (isinstance(item, tuple) or hasattr(item, "__attrs_attrs__")) and not walk(item):
                return False
        return True
    return walk(config)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
def test_crm_model_xml_model_is_the_same_model(config):
    text = write_crm(config)
    from_crm = read_crm(text, "generated.crm")
    assert _every_id_given(from_crm), text
    xml = write_cib(m.Cib(configuration=from_crm, attributes=CRM_CIB_ATTRIBUTES))
    from_xml = read_cib(xml.encode(), "generated.xml").configuration
    assert from_xml == from_crm, xml
    # every id once: the ones crmsh generates never collide with the text's
    ids = [el.get("id") for el in ET.fromstring(xml).iter()
           if el.get("id") and el.tag not in ("resource_ref", "obj_ref")]
    assert len(ids) == len(set(ids)), xml


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
def test_crm_and_xml_routes_plan_alike(config):
    text = write_crm(config)
    assume(text.strip())    # an empty file is refused as such, whatever reads it
    cib = bring_crm_cluster_up(m.Cib(configuration=read_crm(text, "generated.crm"),
                                     attributes=CRM_CIB_ATTRIBUTES, source=text))
    with tempfile.TemporaryDirectory(prefix="pengine-routes-") as tmp:
        crm_path, xml_path = Path(tmp) / "generated.crm", Path(tmp) / "generated.xml"
        crm_path.write_text(text, encoding="utf-8")
        xml_path.write_text(write_cib(cib), encoding="utf-8")
        date = ["-t", "2026-06-01 12:00:00Z"]  # one date for rules that test it
        from_crm = conf.simulate(["simulate", str(crm_path), "-S", "-s", *date])
        from_xml = conf.simulate(["simulate", "-x", str(xml_path), "-S", "-s", *date])
    assert not from_crm["error"].startswith("Traceback"), from_crm["error"]
    assert conf.same_plan(from_crm, from_xml), text + "\n" + from_crm["stdout"] + from_xml["stdout"]
    assert from_crm["rc"] == from_xml["rc"], (from_crm["error"], from_xml["error"])
