"""CIB XML reader and writer: positions, hardening, and lossless round trips."""

from __future__ import annotations

import pytest
from attrs import evolve

from pengine.cib import model as m
from pengine.cib.cib_xml import read_cib, write_cib
from pengine.cib.errors import XmlInputError
from pengine.cib.xml_source import MAX_DEPTH, parse_xml
from conftest import SAMPLES, cts_dir

SMALL = """<cib validate-with="pacemaker-3.10" epoch="3" num_updates="1" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="opts">
        <nvpair id="opts-q" name="no-quorum-policy" value="stop"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="node1"/>
    </nodes>
    <resources>
      <group id="g">
        <primitive id="a" class="ocf" provider="pacemaker" type="Dummy">
          <operations>
            <op id="a-mon" name="monitor" interval="10s" timeout="20s" on-fail="block"/>
          </operations>
        </primitive>
      </group>
    </resources>
    <constraints>
      <rsc_location id="loc" rsc="g" node="node1" score="100"/>
    </constraints>
  </configuration>
  <status/>
</cib>
"""


def test_reader_builds_the_typed_model_with_positions():
    cib = read_cib(SMALL, "small.xml")
    config = cib.configuration
    (group,) = config.resources
    assert isinstance(group, m.Group) and [c.id for c in group.children] == ["a"]
    op = group.children[0].ops[0]
    assert (op.name, op.interval, op.get("on-fail")) == ("monitor", "10s", "block")
    assert op.span.line == 15 and op.span.element == "op" and op.span.element_id == "a-mon"
    (location,) = config.constraints
    assert isinstance(location, m.Location) and location.span.file == "small.xml"
    assert config.property("no-quorum-policy") == "stop"
    assert cib.get("epoch") == "3"


def test_writer_output_reads_back_equal():
    cib = read_cib(SMALL)
    assert read_cib(write_cib(cib)) == cib


def test_writer_generates_missing_ids_uniquely():
    cib = read_cib(SMALL)
    primitive = cib.configuration.resources[0].children[0]
    meta = m.AttrSet(nvpairs=[m.NvPair("target-role", "Stopped"), m.NvPair("priority", "5")])
    changed = evolve(primitive, meta=(meta,))
    group = evolve(cib.configuration.resources[0], children=(changed,))
    cib = evolve(cib, configuration=evolve(cib.configuration, resources=(group,)))
    text = write_cib(cib)
    root = parse_xml(text)
    ids = []

    def collect(el):
        if "id" in el.attrib and el.tag not in ("node", "node_state"):
            ids.append(el.attrib["id"])
        for child in el.children:
            collect(child)
    collect(root)
    assert len(ids) == len(set(ids))
    before = {"opts", "opts-q", "g", "a", "a-mon", "loc"}
    assert len(set(ids) - before) == 3  # the new set and its two nvpairs got ids


def test_status_sample_round_trips():
    cib = read_cib((SAMPLES / "webfarm-status.xml").read_bytes(), "webfarm-status.xml")
    assert len(cib.status.node_states) == 3
    running = {(s.uname, r.id) for s in cib.status.node_states for r in s.lrm_resources
               if any(op.get("operation") == "start" for op in r.ops)}
    assert ("node1", "web-server") in running and ("node2", "ping") in running
    assert read_cib(write_cib(cib)) == cib


@pytest.mark.parametrize("text, fragment", [
    ('<!DOCTYPE cib><cib/>', "DOCTYPE"),
    ('<cib><configuration>', "malformed XML"),
    ('<configuration2/>', "expected a <cib>"),
    ('<cib/>', "no <configuration>"),
    ("<cib>" + "<x>" * (MAX_DEPTH + 1) + "</x>" * (MAX_DEPTH + 1) + "</cib>", "deeper"),
])
def test_hostile_or_broken_xml_is_refused(text, fragment):
    with pytest.raises(XmlInputError) as caught:
        read_cib(text, "bad.xml")
    assert fragment in caught.value.message
    assert caught.value.span.file == "bad.xml"


def test_missing_required_attribute_names_the_element():
    text = SMALL.replace('<primitive id="a" ', '<primitive ')
    with pytest.raises(XmlInputError) as caught:
        read_cib(text, "x.xml")
    assert caught.value.span.element == "primitive" and caught.value.span.line == 13


CTS = cts_dir()


@pytest.mark.skipif(not (CTS / "xml").is_dir(), reason="no Pacemaker corpus here")
def test_corpus_round_trips_through_the_writer():
    """Every corpus CIB reads, writes and reads back to an equal model."""
    failures = []
    for path in sorted((CTS / "xml").glob("*.xml")):
        cib = read_cib(path.read_bytes(), path.name)
        again = read_cib(write_cib(cib), path.name)
        if again != cib:
            failures.append(path.name)
    assert not failures, failures[:20]
