"""The Pacemaker version a cluster runs, for the files pengine writes.

``show --as xml``, ``simulate -I`` and ``-O`` write a ``<cib>``; with
``--target 2.1`` its ``validate-with`` and ``crm_feature_set`` are ones
Pacemaker 2.1.5 (Debian 12) accepts, with ``--target 3.0`` ones Pacemaker 3.0
accepts.  Without ``--target`` the CIB keeps what it had.
"""

from __future__ import annotations

import argparse

from attrs import evolve

from pengine.cib import model as m

TARGETS = ("2.1", "3.0")
#: newest schema and the feature set each version writes
NEWEST = {"2.1": ("pacemaker-3.9", "3.16.2"), "3.0": ("pacemaker-4.0", "3.20.1")}


def add_target_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", choices=TARGETS,
                   help="write a CIB this Pacemaker version accepts (schema and feature set)")


def _numbers(text: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in (text or "").replace("pacemaker-", "").split("."))
    except ValueError:
        return ()


def for_target(cib: m.Cib, target: str | None) -> m.Cib:
    """``cib`` with a validate-with and crm_feature_set that ``target`` accepts:
    lowered where they are newer than it knows, filled in where missing."""
    if target is None:
        return cib
    schema, feature_set = NEWEST[target]
    attributes = dict(cib.attributes) if cib.attributes else {
        "validate-with": schema, "epoch": "1", "num_updates": "0", "admin_epoch": "0"}
    declared = attributes.get("validate-with")
    if declared is None or declared.strip().lower() in ("none", "pacemaker-next") \
            or _numbers(declared) > _numbers(schema) or not _numbers(declared):
        attributes["validate-with"] = schema
    current = attributes.get("crm_feature_set")
    if current is None or _numbers(current) > _numbers(feature_set):
        attributes["crm_feature_set"] = feature_set
    order = ["crm_feature_set", "validate-with"]
    pairs = [(k, attributes[k]) for k in order if k in attributes]
    pairs += [(k, v) for k, v in attributes.items() if k not in order]
    return evolve(cib, attributes=tuple(pairs))
