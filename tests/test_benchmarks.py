"""The benchmark tools work (on tiny sizes: benchmarks report, tests never time)
and ``pengine simulate --batch`` gives each case the output of its own run."""

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


def simulate(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["simulate", *argv])
    return rc, out.getvalue(), err.getvalue()


def primitives(cib) -> list:
    found = []

    def walk(rsc):
        if hasattr(rsc, "child"):
            walk(rsc.child)
        elif hasattr(rsc, "children"):
            for child in rsc.children:
                walk(child)
        else:
            found.append(rsc)
    for rsc in cib.configuration.resources:
        walk(rsc)
    return found


# ------------------------------------------------------------- generator --

def test_generator_is_deterministic_and_seeded():
    assert gen.generate(4, 30, "failure", seed=7) == gen.generate(4, 30, "failure", seed=7)
    assert gen.generate(4, 30, "fresh", seed=7) != gen.generate(4, 30, "fresh", seed=8)


@pytest.mark.parametrize("resources", [1, 2, 17, 60])
def test_generator_counts_configured_primitives(resources):
    cib = read_cib(gen.generate(5, resources, "fresh"))
    assert len(primitives(cib)) == resources
    assert len(cib.configuration.nodes) == 5


def test_generator_mix_limits_the_kinds():
    cib = read_cib(gen.generate(4, 80, "fresh", mix=("primitives",)))
    kinds = {type(rsc).__name__ for rsc in cib.configuration.resources}
    assert kinds == {"Primitive"}
    cib = read_cib(gen.generate(4, 400, "fresh", seed=3))
    kinds = {type(rsc).__name__ for rsc in cib.configuration.resources}
    assert {"Primitive", "Group", "Clone"} <= kinds


def test_generator_rejects_bad_arguments():
    with pytest.raises(ValueError):
        gen.generate(1, 10)
    with pytest.raises(ValueError):
        gen.cib_xml(gen.build(3, 5), "meltdown")


def test_fresh_cluster_probes_everything_and_starts_it(tmp_path):
    nodes, resources = 3, 12
    path = tmp_path / "fresh.xml"
    path.write_text(gen.generate(nodes, resources, "fresh", mix=("primitives", "groups")))
    rc, out, err = simulate(["-x", str(path), "-S"])
    assert rc == 0, err
    probes = [line for line in out.splitlines()
              if line.startswith("  * Resource action:") and line.split()[-3] == "monitor"]
    assert len(probes) == nodes * resources
    assert "Stopped" not in out.split("Revised Cluster Status:")[1]


def test_failure_scenario_fences_the_last_node_and_recovers_its_resources(tmp_path):
    path = tmp_path / "failure.xml"
    path.write_text(gen.generate(4, 40, "failure", mix=("primitives", "groups")))
    rc, out, err = simulate(["-x", str(path), "-S"])
    assert rc == 0, err
    summary = out.split("Transition Summary:")[1].split("Executing Cluster Transition:")[0]
    assert "Fence (reboot) node04" in summary
    # nothing restarts that did not fail: every recorded digest matches
    assert "Restart" not in summary and "Reload" not in summary
    moves = [line for line in summary.splitlines() if "Move" in line]
    assert moves and all("node04 ->" in line for line in moves)
    assert "OFFLINE: [ node04 ]" in out.split("Revised Cluster Status:")[1]


# ----------------------------------------------------------------- runner --

def test_measure_accounts_for_the_child():
    timing = bench.measure([sys.executable, "-c", "print('x' * 3)"])
    assert timing.rc == 0 and timing.output == "xxx\n"
    assert timing.wall > 0 and timing.cpu >= 0 and timing.rss_mib > 0
    slow = bench.measure([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert slow.timed_out and slow.wall < 20


def test_output_parsers():
    text = ("Current cluster status:\n  * x\n\nTransition Summary:\n  * Start  a  ( n1 )\n"
            "  * Stop   b  ( n2 )\n\nExecuting Cluster Transition:\n  * Resource action: a start\n"
            "  * Pseudo action:   g_start_0\n\nRevised Cluster Status:\n  * y\n")
    assert bench.transition_lines(text) == {"* Start a ( n1 )", "* Stop b ( n2 )"}
    assert bench.count_actions(text) == 2


def test_runner_scale_suite_writes_json(tmp_path, capsys):
    report = tmp_path / "figures.json"
    rc = bench.main(["--suite", "scale", "--no-crm", "--nodes", "3", "--sizes", "6",
                     "--scenarios", "fresh,failure", "--json", str(report)])
    assert rc == 0
    figures = json.loads(report.read_text())
    rows = figures["scale"]
    assert [(r["nodes"], r["resources"], r["scenario"]) for r in rows] == \
        [(3, 6, "fresh"), (3, 6, "failure")]
    assert all(r["pengine"]["rc"] == 0 and r["actions"] > 0 for r in rows)
    assert "3x6" in capsys.readouterr().out
    # the children ran with a bytecode cache, as an installed package does
    assert figures["pengine_bytecode"].startswith("cached")


# ------------------------------------------------------------------ batch --

def test_batch_runs_every_case_as_its_own_run_would(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "a-fresh.xml").write_text(gen.generate(3, 8, "fresh", seed=2))
    (cases / "b-failure.xml").write_text(gen.generate(3, 8, "failure", seed=2))
    (cases / "c-broken.xml").write_text("<cib><configuration>")
    (cases / "notes.txt").write_text("not a case")
    outdir = tmp_path / "out"
    rc, out, _ = simulate(["--batch", str(cases), "--batch-output", str(outdir), "-S"])
    assert rc == 1   # the broken case is invalid input; the others still ran
    lines = out.splitlines()
    assert [line.split("\t")[:2] for line in lines[:3]] == \
        [["a-fresh", "ok"], ["b-failure", "ok"], ["c-broken", "invalid"]]
    assert lines[-1].startswith("3 cases in ") and "2 ok" in lines[-1] \
        and "1 invalid input" in lines[-1]
    for name in ("a-fresh", "b-failure"):
        alone = simulate(["-x", str(cases / f"{name}.xml"), "-S"])[1]
        assert (outdir / f"{name}.out").read_text() == alone
        assert not (outdir / f"{name}.err").exists()
    assert "malformed XML" in (outdir / "c-broken.err").read_text()
    assert sorted(p.name for p in outdir.iterdir()) == \
        ["a-fresh.out", "b-failure.out", "c-broken.err", "c-broken.out"]


def test_batch_without_output_directory_prints_the_summary_only(tmp_path):
    (tmp_path / "one.xml").write_text(gen.generate(2, 3, "fresh"))
    rc, out, _ = simulate(["--batch", str(tmp_path), "-R"])
    assert rc == 0
    assert out.splitlines()[0].startswith("one\tok\t")
    assert "Transition Summary" not in out


@pytest.mark.parametrize("extra, message", [
    (["-D", "x.dot"], "-D names a single file"),
    (["-x", "cib.xml"], "give no -x"),
])
def test_batch_refuses_single_file_flags(tmp_path, extra, message):
    rc, _, err = simulate(["--batch", str(tmp_path), "-S", *extra])
    assert rc == 2 and message in err


def test_batch_of_a_missing_directory_is_a_usage_error(tmp_path):
    rc, _, err = simulate(["--batch", str(tmp_path / "nowhere"), "-S"])
    assert rc == 2 and "cannot read" in err
