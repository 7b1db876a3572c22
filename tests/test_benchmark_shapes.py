"""benchmarks/generate.py's cluster shapes and run.py's per-shape report
(tiny sizes: benchmarks report, tests never time)."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import generate as gen  # noqa: E402
from benchmarks import run as bench  # noqa: E402
from pengine.cib.cib_xml import read_cib  # noqa: E402
from pengine.cli import main  # noqa: E402

NEW_SHAPES = [s for s in gen.SHAPES if s != "standard"]


def simulate(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["simulate", *argv])
    return rc, out.getvalue(), err.getvalue()


def summary_of(text: str) -> list[str]:
    return text.split("Transition Summary:")[1].split("Executing Cluster Transition:")[0] \
        .strip().splitlines()


def test_standard_shape_is_the_original_generator():
    assert gen.generate(4, 30, "failure", seed=3, shape="standard") == \
        gen.generate(4, 30, "failure", seed=3)


@pytest.mark.parametrize("shape", NEW_SHAPES)
def test_every_shape_is_deterministic_and_readable(shape):
    text = gen.generate(4, 40, "failure", seed=5, shape=shape)
    assert text == gen.generate(4, 40, "failure", seed=5, shape=shape)
    cib = read_cib(text)
    assert len(cib.configuration.nodes) >= 4


@pytest.mark.parametrize("shape", NEW_SHAPES)
def test_fresh_shape_starts_everything(shape, tmp_path):
    path = tmp_path / "fresh.xml"
    path.write_text(gen.generate(3, 24, "fresh", seed=2, shape=shape))
    rc, out, err = simulate(["-x", str(path), "-S"])
    assert rc == 0, err
    summary = summary_of(out)
    assert summary and all("Start" in line for line in summary), summary
    assert " Stopped" not in out.split("Revised Cluster Status:")[1]


@pytest.mark.parametrize("shape", NEW_SHAPES)
def test_failure_shape_recovers_only_what_the_failed_node_ran(shape, tmp_path):
    path = tmp_path / "failure.xml"
    path.write_text(gen.generate(4, 40, "failure", seed=2, shape=shape))
    rc, out, err = simulate(["-x", str(path), "-S"])
    assert rc == 0, err
    summary = summary_of(out)
    assert "* Fence (reboot) node04 'peer is no longer part of the cluster'" in \
        [line.strip() for line in summary]
    # every recorded digest matches: nothing restarts but what a mandatory
    # ordering after a moved resource restarts (constraint-dense's ordered sets)
    assert not [line for line in summary if "Reload" in line
                or ("Restart" in line and "due to required" not in line)]
    moves = [line for line in summary if "Move" in line or "Recover" in line]
    assert all("node04 ->" in line for line in moves), moves


def test_remote_heavy_has_remote_nodes_and_utilization_heavy_capacities():
    remote = read_cib(gen.generate(3, 30, "fresh", shape="remote-heavy"))
    agents = {getattr(r, "type", None) for r in remote.configuration.resources}
    assert "remote" in agents
    text = gen.generate(3, 30, "failure", shape="utilization-heavy")
    assert 'name="placement-strategy" value="balanced"' in text
    assert "<utilization" in text


def test_history_heavy_records_old_operations():
    text = gen.generate(3, 12, "failure", shape="history-heavy")
    assert text.count("_stop_1\"") > 0 and text.count("_monitor_60000\"") > 0


def test_phase_profile_parses_the_verbose_notes():
    stderr = ("pengine: read and unpacked the input in 0.500 s (cpu 0.400 s)\n"
              "pengine: phase assign_resources in 0.300 s (cpu 0.250 s)\n"
              "pengine: unpacked the revised status in 0.2 s (cpu 0.100 s)\n"
              "something else\n")
    phases = bench.phase_profile(stderr, 1.0)
    assert phases == {"start-up and reading": 0.25, "read and unpacked the input": 0.4,
                      "assign_resources": 0.25, "unpacked the revised status": 0.1}


def test_runner_reports_each_shape_with_its_phases(tmp_path, capsys):
    report = tmp_path / "figures.json"
    rc = bench.main(["--suite", "scale", "--no-crm", "--nodes", "3", "--sizes", "9",
                     "--shapes", "mixed,constraint-dense", "--scenarios", "fresh",
                     "--show-phases", "--json", str(report)])
    assert rc == 0
    rows = json.loads(report.read_text())["scale"]
    assert [r["shape"] for r in rows] == ["mixed", "constraint-dense"]
    for row in rows:
        assert row["pengine"]["rc"] == 0 and row["actions"] > 0
        assert "assign_resources" in row["phases"]
        assert "unpacked the revised status" in row["phases"]
    out = capsys.readouterr().out
    assert "constraint-dense" in out and "pengine phases" in out


def test_crm_figures_are_reused_from_the_cache(tmp_path, monkeypatch):
    path = tmp_path / "cib.xml"
    path.write_text(gen.generate(2, 3, "fresh"))
    calls = []

    def fake_measure(argv, timeout=None, **_):
        calls.append(argv)
        return bench.Timing(cpu=1.5, wall=2.0, rss_mib=10, rc=0, output="Transition Summary:\n")
    monkeypatch.setattr(bench, "measure", fake_measure)
    args = bench.main.__globals__["argparse"].Namespace(
        crm_cache=tmp_path / "cache", mode="S", crm_timeout=60)
    first, cached = bench.crm_measure(path, args, "Pacemaker 2.1.5")
    assert not cached and len(calls) == 1
    again, cached = bench.crm_measure(path, args, "Pacemaker 2.1.5")
    assert cached and len(calls) == 1 and again.cpu == 1.5 and again.output == first.output
    _, cached = bench.crm_measure(path, args, "Pacemaker 3.0.2")   # another version: measured
    assert not cached and len(calls) == 2
