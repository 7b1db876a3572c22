"""The ids crm text gets (cib/crm_ids.py) are the ids crmsh gives the same
text: fixed expectations, and where crmsh is installed, crmsh itself
(``crm configure load update`` into an empty CIB file, offline)."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from pengine.cib import model as m
from pengine.cib.cib_xml import write_cib
from pengine.cib.crm_text import read_crm

SAMPLE = r"""node node1 attributes foo=1 bar=2 utilization cpu=4
node 2: node2 attributes foo=3
node $id=n3 node3
primitive a ocf:pacemaker:Dummy params state=/tmp/x params $id=pa2 rule 10: #uname eq node1 state=/tmp/y meta target-role=Started utilization cpu=1 op monitor interval=10s timeout=20s OCF_CHECK_LEVEL=10 op start timeout=20s interval=0 op_params x=1 op_meta y=2 op stop interval=0 timeout=5
primitive b Dummy op monitor interval=10 role=Promoted op monitor interval=11 role=Unpromoted
rsc_template t ocf:pacemaker:Dummy params state=1 meta m=2
primitive c @t params state=2
group g c d meta target-role=Started
primitive d Dummy
clone cl b meta promotable=true
ms m1 e
primitive e Dummy meta a=1 meta b=2
location l1 a 100: node1
location l2 a rule 100: #uname eq node1 or #uname eq node2 rule -inf: date in start=2020-01-01 end=2021-01-01 rule 5: date spec hours=9-17 weekdays=1-5 rule 5: date in start=2020-01-01 years=1
location l3 { a c } rule 3: defined foo
location l4 a rule $id=myrule 10: foo gt 3
colocation c1 inf: a cl
colocation c3 -100: a ( c d ) [ m1 ] cl:Promoted
order o1 Mandatory: a b
order o3 inf: a:start ( c d ) b:promote symmetrical=false
rsc_ticket t1 tk: a cl:Promoted loss-policy=stop
rsc_ticket t2 tk2: a
tag tg a b
property stonith-enabled=false
property $id=cpo2 rule #uname eq node1 no-quorum-policy=ignore
rsc_defaults resource-stickiness=1
rsc_defaults $id=rd2 rule 10: #uname eq node1 migration-threshold=3
op_defaults timeout=30
alert al /bin/true attributes x=1 meta timeout=10 to /tmp/rec attributes y=2
role r1 read xpath:/cib write ref:a
acl_target u1 r1
"""

# ids other than the objects' own, by element, as crmsh 4.4.1 writes them for SAMPLE
EXPECTED = {
    "instance_attributes": {"node1-instance_attributes", "node2-instance_attributes",
                            "a-instance_attributes", "pa2", "a-monitor-10s-instance_attributes",
                            "a-start-0-instance_attributes", "t-instance_attributes",
                            "c-instance_attributes", "al-instance_attributes",
                            "al-recipient-1-instance_attributes"},
    "meta_attributes": {"a-meta_attributes", "a-start-0-meta_attributes", "t-meta_attributes",
                        "g-meta_attributes", "e-meta_attributes", "e-meta_attributes-0",
                        "cl-meta_attributes", "rsc-options", "rd2", "op-options",
                        "al-meta_attributes"},
    "op": {"a-monitor-10s", "a-start-0", "a-stop-0", "b-monitor-10", "b-monitor-11"},
    "rule": {"pa2-rule", "l2-rule", "l2-rule-0", "l2-rule-1", "l2-rule-2", "l3-rule", "myrule",
             "cpo2-rule", "rd2-rule"},
    "expression": {"pa2-rule-expression", "l2-rule-expression", "l2-rule-expression-0",
                   "l3-rule-expression", "myrule-expression", "cpo2-rule-expression",
                   "rd2-rule-expression"},
    "date_expression": {"l2-rule-0-expression", "l2-rule-1-expression", "l2-rule-2-expression"},
    "date_spec": {"l2-rule-1-expression-date_spec"},
    "duration": {"l2-rule-2-expression-duration"},
    "resource_set": {"l3-0", "c3-0", "c3-1", "c3-2", "c3-3", "o3-0", "o3-1", "o3-2",
                     "t1-0", "t1-1"},
    "acl_permission": {"r1-0", "r1-1"},
}


def ids_by_tag(root: ET.Element) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for element in root.find("configuration").iter():
        if element.get("id") and element.tag not in ("resource_ref", "obj_ref", "role"):
            found.setdefault(element.tag, set()).add(element.get("id"))
    return found


def our_ids() -> dict[str, set[str]]:
    config = read_crm(SAMPLE, "sample.crm")
    return ids_by_tag(ET.fromstring(write_cib(m.Cib(configuration=config))))


def test_generated_ids_are_crmshs():
    ours = our_ids()
    for tag, expected in EXPECTED.items():
        assert ours.get(tag) == expected, tag
    nvpairs = ours["nvpair"]
    assert {"a-instance_attributes-state", "pa2-state", "a-monitor-10s-instance_attributes-"
            "OCF_CHECK_LEVEL", "e-meta_attributes-0-b", "node2-instance_attributes-foo",
            "cib-bootstrap-options-stonith-enabled", "cpo2-no-quorum-policy"} <= nvpairs


def test_fencing_levels_and_numeric_prefixes():
    config = read_crm("node node1\nnode node2\nprimitive f1 stonith:fence_dummy\n"
                      "primitive f2 stonith:fence_dummy\nfencing_topology node1: f1 f2 node2: f2\n"
                      "xml <rsc_location id=\"7\" rsc=\"f1\"><rule score=\"1\"><expression "
                      "attribute=\"a\" operation=\"defined\"/></rule></rsc_location>\n", "f.crm")
    assert [f.id for f in config.fencing_topology] == ["fencing", "fencing-0", "fencing-1"]
    (rule,) = config.constraints[0].rules
    assert rule.id == "num-7-rule" and rule.expressions[0].id == "num-7-rule-expression"


def test_a_given_id_is_never_generated_again():
    config = read_crm("node n1\nprimitive a Dummy params x=1\n"
                      "primitive b Dummy params $id=a-instance_attributes y=2\n", "g.crm")
    assert config.resources[0].params[0].id == "a-instance_attributes-0"
    assert config.resources[1].params[0].id == "a-instance_attributes"


@pytest.mark.skipif(not (shutil.which("crm") and shutil.which("cibadmin")),
                    reason="crmsh (crm) and cibadmin are not installed (Debian: crmsh, "
                           "pacemaker-cli-utils)")
def test_ids_equal_those_crmsh_writes(tmp_path):
    cib = tmp_path / "cib.xml"
    empty = subprocess.run(["cibadmin", "--empty"], capture_output=True, text=True, timeout=60)
    if empty.returncode != 0:
        pytest.skip(f"cibadmin --empty failed: {empty.stderr.strip()}")
    cib.write_text(empty.stdout)
    sample = tmp_path / "sample.crm"
    sample.write_text(SAMPLE)
    env = dict(os.environ, CIB_file=str(cib), HOME=str(tmp_path))
    loaded = subprocess.run(["crm", "-F", "configure", "load", "update", str(sample)],
                            env=env, capture_output=True, text=True, timeout=300,
                            stdin=subprocess.DEVNULL)
    theirs = ids_by_tag(ET.parse(cib).getroot())
    if "primitive" not in theirs:
        pytest.skip(f"crmsh could not load the sample offline: {loaded.stderr[-500:]}")
    assert our_ids() == theirs
