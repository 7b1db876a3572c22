"""Shrink a differing step to a small case (greedy delta debugging).

One piece at a time is taken out of the step — an event flag, a top-level
resource (with the constraints and history that name it), a group member, a
constraint, a node, a history entry or operation, an nvpair, an operation
definition, a ticket — and kept out when the step still differs the same way:
the referee still exits as before and the first differing line, its ids and
numbers blurred (``suite.bucket_key``), is the same.  Passes repeat until
nothing more can go.
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.differential.compare import HEADLINE, run_step
from tests.differential.suite import bucket_key

_REF_ATTRS = ("rsc", "with-rsc", "first", "then")
_LEAVES = ("nvpair", "op", "lrm_rsc_op", "ticket_state", "resource_ref", "expression",
           "date_expression", "rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket")


def _path_of(root: ET.Element) -> dict[int, list[int]]:
    paths: dict[int, list[int]] = {}

    def walk(el, path):
        paths[id(el)] = path
        for i, child in enumerate(el):
            walk(child, path + [i])
    walk(root, [])
    return paths


def _at(root: ET.Element, path: list[int]) -> ET.Element:
    el = root
    for i in path:
        el = el[i]
    return el


def _parent_map(root):
    return {child: parent for parent in root.iter() for child in parent}


def _remove_resource(root: ET.Element, el: ET.Element) -> None:
    ids = {x.get("id") for x in el.iter() if x.tag in ("primitive", "group", "clone",
                                                      "bundle", "master")}
    bundles = [x.get("id") for x in el.iter("bundle")]
    parents = _parent_map(root)
    parents[el].remove(el)
    for con in list(root.iter()):
        if con.tag.startswith("rsc_") and (
                any(con.get(a) in ids for a in _REF_ATTRS)
                or any(ref.get("id") in ids for ref in con.iter("resource_ref"))):
            parents[con].remove(con)
    for rsc in list(root.iter("lrm_resource")):
        rid = (rsc.get("id") or "").split(":")[0]
        if rid in ids or any(rid.startswith(b + "-") for b in bundles):
            parents[rsc].remove(rsc)


def _remove_node(root: ET.Element, el: ET.Element) -> None:
    name = el.get("uname")
    parents = _parent_map(root)
    parents[el].remove(el)
    for state in list(root.iter("node_state")):
        if state.get("uname") == name:
            parents[state].remove(state)


def _candidates(root: ET.Element) -> list[tuple[str, list[int]]]:
    """(kind, path) of every piece that may go, coarse pieces first."""
    paths = _path_of(root)
    found: list[tuple[str, list[int]]] = []
    resources = root.find("configuration/resources")
    if resources is not None:
        found += [("resource", paths[id(el)]) for el in resources]
        found += [("element", paths[id(el)]) for el in resources.iter()
                  if el.tag == "primitive" and el not in list(resources)]
    found += [("node", paths[id(el)]) for el in root.iter("node")]
    found += [("element", paths[id(el)]) for el in root.iter("lrm_resource")]
    found += [("element", paths[id(el)]) for el in root.iter("transient_attributes")]
    for tag in _LEAVES:
        found += [("element", paths[id(el)]) for el in root.iter(tag)]
    found += [("element", paths[id(el)]) for el in root.iter()
              if el.tag in ("meta_attributes", "instance_attributes", "utilization",
                            "operations", "rule", "resource_set", "rsc_defaults",
                            "op_defaults", "tickets", "network", "template")]
    return found


def _apply(root: ET.Element, kind: str, path: list[int]) -> ET.Element | None:
    trial = copy.deepcopy(root)
    try:
        el = _at(trial, path)
    except IndexError:
        return None
    if kind == "resource":
        _remove_resource(trial, el)
    elif kind == "node":
        _remove_node(trial, el)
    else:
        parent = _parent_map(trial).get(el)
        if parent is None:
            return None
        parent.remove(el)
    return trial


def minimise(run_script: Path, cib_xml: str, args: list[str], section: str | None = None,
             log=print) -> tuple[str, list[str], str]:
    """(smaller CIB, smaller flags, the bucket key kept) of a differing step."""
    first = run_step(run_script, cib_xml, args)
    differing = [name for name in (*HEADLINE, "modifications") if not first.equal[name]]
    if (section and first.equal[section]) or (not section and not differing):
        raise ValueError("the step does not differ (there)")
    section = section or differing[0]
    key = bucket_key(first, section)
    referee_rc = first.referee.rc
    log(f"keeping: {key}")

    def still(xml_text: str, flags: list[str]) -> bool:
        outcome = run_step(run_script, xml_text, flags)
        return (not outcome.referee.crash and outcome.referee.rc == referee_rc
                and not outcome.equal[section] and bucket_key(outcome, section) == key)

    root = ET.fromstring(cib_xml)
    progress = True
    while progress:
        progress = False
        # events first: two tokens each
        i = 0
        while i < len(args):
            trial = args[:i] + args[i + 2:]
            if still(ET.tostring(root, encoding="unicode"), trial):
                args = trial
                progress = True
                log(f"  - event ({len(args) // 2} left)")
            else:
                i += 2
        index = 0
        while True:
            candidates = _candidates(root)
            if index >= len(candidates):
                break
            kind, path = candidates[index]
            trial = _apply(root, kind, path)
            if trial is not None and still(ET.tostring(trial, encoding="unicode"), args):
                root = trial
                progress = True
                log(f"  - {kind} ({len(list(root.iter()))} elements left)")
            else:
                index += 1
    return ET.tostring(root, encoding="unicode"), args, key


def minimise_dir(run_script: Path, step_dir: Path, section: str | None) -> int:
    cib_xml = (step_dir / "cib.xml").read_text()
    args = json.loads((step_dir / "args.json").read_text())
    small, flags, key = minimise(run_script, cib_xml, args, section)
    (step_dir / "min-cib.xml").write_text(small)
    (step_dir / "min-args.json").write_text(json.dumps(flags))
    print(f"minimised to {step_dir / 'min-cib.xml'} with flags {flags}\n  {key}")
    return 0
