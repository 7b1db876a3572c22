"""``pengine resilience`` plans a what-if on the components it can reach
(pengine.analyses.whatif_scope): every verdict must equal the one of a run
of the whole cluster, on generated clusters (hypothesis) and on the corpus."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, SAMPLES, cts_dir, run_pengine

sys.path.insert(0, str(REPO))

from benchmarks import generate as gen  # noqa: E402
from pengine.analyses import resilience, whatif_scope  # noqa: E402
from pengine.cib.errors import PengineError  # noqa: E402
from pengine.cib.load import load_cib  # noqa: E402
from pengine.cli.simulate import effective_date  # noqa: E402


def analyses(cib, **options):
    """The analysis narrowed and whole, and how many what-ifs were narrowed."""
    now, _ = effective_date(cib, None)
    narrowed = []
    original = resilience._schedule_reached

    def counting(*args):
        run = original(*args)
        narrowed.append(run is not None)
        return run
    resilience._schedule_reached = counting
    try:
        narrow = resilience.analyse(cib, now, **options)
    finally:
        resilience._schedule_reached = original
    whole = resilience.analyse(cib, now, narrow=False, **options)
    return narrow, whole, sum(narrowed)


def assert_same(narrow, whole):
    assert [o.what_if for o in narrow.outcomes] == [o.what_if for o in whole.outcomes]
    for mine, theirs in zip(narrow.outcomes, whole.outcomes):
        assert mine == theirs, mine.what_if.label
    assert narrow == whole


def load_generated(tmp_path, nodes, resources, seed, mix=gen.DEFAULT_MIX):
    path = tmp_path / "cib.xml"
    path.write_text(gen.generate(nodes, resources, "settled", mix, seed), encoding="utf-8")
    return load_cib([str(path)])


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(nodes=st.integers(2, 7), resources=st.integers(4, 70), seed=st.integers(0, 10_000),
       mix=st.sampled_from([gen.DEFAULT_MIX, ("primitives",), ("primitives", "groups")]))
def test_narrowed_what_ifs_equal_whole_runs_on_generated_clusters(tmp_path, nodes, resources,
                                                                  seed, mix):
    cib = load_generated(tmp_path, nodes, resources, seed, mix)
    narrow, whole, narrowed = analyses(cib, depth=2)
    assert_same(narrow, whole)


def test_a_big_settled_cluster_is_narrowed(tmp_path):
    """Most what-ifs of a settled cluster reach a part of it only."""
    cib = load_generated(tmp_path, 6, 150, 11)
    narrow, whole, narrowed = analyses(cib)
    assert_same(narrow, whole)
    assert narrowed == len(narrow.outcomes)      # every node failure and drain


def corpus_sample() -> list:
    directory = cts_dir() / "xml"
    if not directory.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {directory}"))]
    cases = sorted(directory.glob("*.xml"))
    # a spread, and the resources only the status knows (orphans)
    return sorted(set(cases[5::25]) | {c for c in cases if c.stem.startswith("orphan")})


@pytest.mark.parametrize("case", corpus_sample(), ids=lambda p: p.stem if p else "none")
def test_narrowed_what_ifs_equal_whole_runs_on_corpus(case):
    try:
        cib = load_cib([str(case)])
        narrow, whole, _ = analyses(cib)
    except PengineError as error:       # an input the command refuses: nothing to compare
        pytest.skip(f"refused: {error.message}")
    assert_same(narrow, whole)


def test_events_it_cannot_narrow_are_planned_whole(tmp_path):
    """A new time, quorum, a node joining: not a node's or a resource's own
    status, so the what-if is scheduled whole."""
    cib = load_cib([str(SAMPLES / "webfarm-status.xml")])
    now, _ = effective_date(cib, None)
    agents: dict = {}
    holder: list = []
    turns = whatif_scope.TurnRecorder()

    def collect(sch):
        agents.update(resilience.agent_table(sch))
        holder.append(whatif_scope.separable(cib, sch))
        sch.assign_observer = turns
    base = resilience.schedule_once(cib, now, on_unpacked=collect)
    assert holder == [True]
    scope = whatif_scope.build_scope(cib, base, turns)
    for flags, narrowed in ((("-q", "0", "-f", "node1"), False), (("-f", "node1"), True),
                            (("-g", "ticketA"), False)):
        what_if = resilience.WhatIf("events", " ".join(flags), flags)
        event_cib, _ = resilience.apply_what_if(cib, what_if, now, agents)
        assert (whatif_scope.reached(scope, cib, event_cib) is not None) is narrowed, flags


def test_utilization_placement_is_planned_whole(write):
    """Under a placement strategy every resource's load decides every other's
    place: nothing is separable."""
    cib_path = write("cib.xml", gen.generate(3, 12, "settled", gen.DEFAULT_MIX, 2).replace(
        '<cluster_property_set id="cib-bootstrap-options">',
        '<cluster_property_set id="cib-bootstrap-options">'
        '<nvpair id="ps" name="placement-strategy" value="balanced"/>'))
    cib = load_cib([str(cib_path)])
    narrow, whole, narrowed = analyses(cib)
    assert narrowed == 0
    assert_same(narrow, whole)


def test_command_output_is_the_same_either_way(tmp_path):
    """End to end: the JSON of a settled generated cluster, narrowed (the
    default) and with every what-if kept whole by --report (which keeps each
    transition), lists the same transitions."""
    path = tmp_path / "cib.xml"
    path.write_text(gen.generate(5, 60, "settled", seed=4), encoding="utf-8")
    narrow = run_pengine("resilience", "-x", path, "--output-as", "json", timeout=300)
    whole = run_pengine("resilience", "-x", path, "--output-as", "json",
                        "--report", tmp_path / "r.html", timeout=300)
    assert narrow.returncode == whole.returncode == 0, narrow.stderr + whole.stderr
    assert narrow.stdout == whole.stdout
