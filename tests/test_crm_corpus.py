"""The corpus's crm twins: every one parses, reads as its XML does (but for
the differences crmsh itself introduces, listed in crm_known_differences),
and survives a crm → model → crm round trip."""

from __future__ import annotations

import functools

import attrs
import pytest
from attrs import evolve

from pengine.cib import model as m
from pengine.cib.cib_xml import read_cib
from pengine.cib.crm_text import read_crm, write_crm
from pengine.cib.normalize import crmsh_comparable, map_model, without_generated_ids
from conftest import cts_dir
from crm_known_differences import (DEFAULTS_SECTION_LOST, KNOWN_DIFFERENCES, MASKED_PASSWORD,
                                   STRING_TYPE_DROPPED)

CTS = cts_dir()
NAMES = sorted(path.stem for path in (CTS / "crm").glob("*.crm")) if (CTS / "crm").is_dir() else []
pytestmark = pytest.mark.skipif(not NAMES, reason=f"no crm corpus in {CTS}")


@functools.lru_cache(maxsize=None)
def from_crm(name: str) -> m.Configuration:
    return read_crm((CTS / "crm" / f"{name}.crm").read_text(encoding="utf-8"), f"crm/{name}.crm")


@functools.lru_cache(maxsize=None)
def from_xml(name: str) -> m.Configuration:
    return read_cib((CTS / "xml" / f"{name}.xml").read_bytes(), f"xml/{name}.xml").configuration


def matches(name: str) -> bool:
    return crmsh_comparable(from_crm(name)) == crmsh_comparable(from_xml(name))


def first_difference(a, b, path: str = "configuration") -> str:
    """Where two models first differ, for a readable failure."""
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return next((first_difference(x, y, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b))
                     if x != y), "")
    if attrs.has(type(a)) and type(a) is type(b):
        return next((first_difference(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
                     for f in attrs.fields(type(a)) if f.eq and getattr(a, f.name) != getattr(b, f.name)), "")
    return f"{path}: crm {a!r:.120} != xml {b!r:.120}"


# What each listed reason changes; undoing it on both sides must leave no difference.
def _passwords_masked(config):
    return map_model(config, lambda v: evolve(v, value="******")
                     if isinstance(v, m.NvPair) and v.name.startswith("passw") and v.value else v)


def _string_types_dropped(config):
    return map_model(config, lambda v: evolve(v, type=None)
                     if isinstance(v, m.Expression) and v.type == "string" else v)


def _defaults_merged(config):
    merged = sorted(config.rsc_defaults + config.op_defaults, key=lambda s: s.id or "")
    return evolve(config, rsc_defaults=merged, op_defaults=())


EXPLANATIONS = {MASKED_PASSWORD: _passwords_masked, STRING_TYPE_DROPPED: _string_types_dropped,
                DEFAULTS_SECTION_LOST: _defaults_merged}


@pytest.mark.parametrize("name", NAMES)
def test_crm_twin_reads_as_its_xml(name):
    crm, xml = crmsh_comparable(from_crm(name)), crmsh_comparable(from_xml(name))
    reason = KNOWN_DIFFERENCES.get(name)
    if reason is None:
        assert crm == xml, first_difference(crm, xml)
        return
    assert crm != xml, f"{name} now matches: take it out of crm_known_differences"
    explain = EXPLANATIONS[reason]
    assert explain(crm) == explain(xml), f"{name} differs beyond its listed reason: " \
        + first_difference(explain(crm), explain(xml))


def test_at_least_95_percent_of_the_twins_read_as_their_xml():
    equal = sum(matches(name) for name in NAMES)
    assert equal >= 0.95 * len(NAMES), f"only {equal} of {len(NAMES)}"


def test_every_listed_reason_is_explained():
    assert set(KNOWN_DIFFERENCES.values()) <= set(EXPLANATIONS)


@pytest.mark.parametrize("name", NAMES)
def test_crm_round_trip(name):
    config = from_crm(name)
    text = write_crm(config)
    again = read_crm(text, f"{name}.written.crm")
    # what the twin held as xml blocks is written as crm where crm can say it,
    # and so loses the ids that only XML carries
    assert without_generated_ids(again) == without_generated_ids(config)
    assert write_crm(again) == text, "write_crm output is not stable"
