"""The architecture holds (issue 17): stage subpackages, imports pointing one way, no import
circle across subpackages, one installed name, and a tree with no old module paths left."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from conftest import REPO, run_pengine
from import_graph import LAYERS, analyse, imports, modules, stage

REWRITE = REPO / "tools" / "rewrite_imports.py"


@pytest.fixture(scope="module")
def report():
    return analyse()


def test_no_import_circle_spans_two_subpackages(report):
    assert report.cross_stage_circles == [], "\n".join(
        f"{sorted({stage(m) for m in circle})}: {', '.join(circle)}"
        for circle in report.cross_stage_circles)


def test_no_circle_inside_a_subpackage_is_larger_than_8_modules(report):
    assert report.big_stage_circles == [], "\n".join(
        f"{len(circle)}: {', '.join(circle)}" for circle in report.big_stage_circles)


def test_imports_point_down_the_layers(report):
    assert report.upward == [], "\n".join(
        f"{i.source}:{i.line} imports {i.target} ({stage(i.source)} is below {stage(i.target)})"
        for i in report.upward)


def test_every_module_is_in_a_stage():
    stray = [name for name in modules() if name != "pengine" and stage(name) not in LAYERS]
    assert stray == []


def test_every_package_folder_is_in_the_wheel():
    """pyproject lists packages by hand (package-dir maps three of them): a new folder must be
    added there, or the wheel would lack it."""
    import tomllib
    from import_graph import package_dirs
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())
                 ["tool"]["setuptools"]["packages"])
    found = {".".join([package, *init.parent.relative_to(folder).parts])
             for package, folder in package_dirs().items()
             for init in folder.rglob("__init__.py")}
    assert found == listed


def test_only_the_command_line_imports_the_subcommands():
    outside = sorted({f"{i.source} -> {i.target}" for i in imports()
                      if stage(i.target) == "cli" and stage(i.source) != "cli"})
    assert outside == []


def test_the_graph_finds_a_circle_across_subpackages(tmp_path):
    """The check can fail: a status module importing a schedule module that imports it."""
    (tmp_path / "pengine" / "status").mkdir(parents=True)
    (tmp_path / "pengine" / "schedule").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for package in ("pengine", "pengine/status", "pengine/schedule"):
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "pengine" / "status" / "unpack.py").write_text(
        "def f():\n    from pengine.schedule.ordering import g\n")
    (tmp_path / "pengine" / "schedule" / "ordering.py").write_text(
        "from pengine.status.unpack import f\n")
    found = analyse(tmp_path)
    assert found.cross_stage_circles == [["pengine.schedule.ordering", "pengine.status.unpack"]]
    assert [(i.source, i.in_function) for i in found.upward] == [("pengine.status.unpack", True)]


def test_the_tree_has_no_old_module_paths_left():
    done = subprocess.run([sys.executable, str(REWRITE), "--check", "pengine", "cib", "grammar",
                           "transitions", "tests", "benchmarks", "pyproject.toml"],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_rewriting_old_imports_is_idempotent(tmp_path):
    source = textwrap.dedent('''\
        from pengine import history as h
        from pengine import cmd_simulate, rules
        from pengine.rules import RuleContext
        from pengine.schedule import schedule
        from pengine.actions import (clear_failcount,
                                     stop_action)  # noqa: E402
        from cib import model as m
        import transitions.picture as picture
        from transitions.summary import transition_summary
        def f():
            from pengine.variants import bundle
            return importlib.import_module(f"pengine.CMD_{name}"), "cib.crm_text", "cib.xml"
        ''').replace("CMD_", "cmd_")   # (spelt so that the tree check leaves this file alone)
    path = tmp_path / "old.py"
    path.write_text(source)
    subprocess.run([sys.executable, str(REWRITE), str(path)], check=True, capture_output=True)
    once = path.read_text()
    assert once == textwrap.dedent('''\
        from pengine.status import history as h
        from pengine.cli import simulate as cmd_simulate
        from pengine.rules import rules
        from pengine.rules.rules import RuleContext
        from pengine.schedule.driver import schedule
        from pengine.status.actions import (clear_failcount,
                                            stop_action)  # noqa: E402
        from pengine.cib import model as m
        import pengine.transitions.picture as picture
        from pengine.schedule.summary import transition_summary
        def f():
            from pengine.schedule.variants import bundle
            return importlib.import_module(f"pengine.cli.{name}"), "pengine.cib.crm_text", "cib.xml"
        ''')
    subprocess.run([sys.executable, str(REWRITE), str(path)], check=True, capture_output=True)
    assert path.read_text() == once


def test_python_m_pengine_cli_runs_from_the_checkout():
    done = run_pengine("simulate", "-x", REPO / "samples" / "webfarm-status.xml", "-S")
    assert done.returncode == 0, done.stderr
    assert "Transition Summary:" in done.stdout
