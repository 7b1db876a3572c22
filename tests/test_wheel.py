"""The wheel: build it, install it into a fresh virtual environment, run it.

The grammar (package data) must load from the installed wheel, not from the
checkout.  The venv sees the system's site-packages, so the runtime
dependencies (ortools is large) are not downloaded again.  Deselect with
``-m 'not wheel'``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES


PACKAGES = ("pengine", "pengine/common", "pengine/rules", "pengine/status", "pengine/schedule",
            "pengine/schedule/variants", "pengine/analyses", "pengine/cli", "pengine/cib",
            "pengine/grammar", "pengine/transitions", "pengine/transitions/execute")


def _run(*cmd, cwd=None, env=None, timeout=600) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"{cmd}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a copy of the sources (the checkout stays clean)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", "tests", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
        "benchmarks", ".ci"))
    dist = work / "dist"
    try:
        _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source,
             env=_clean_env())
    except AssertionError:  # no index reachable: build with what is installed
        _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
             "-w", dist, source, env=_clean_env())
    (built,) = dist.glob("pengine-*.whl")
    return built


@pytest.mark.wheel
def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in PACKAGES:
        assert f"{package}/__init__.py" in names, package
    # one installed top-level name: cib, grammar and transitions live under pengine/
    assert {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")} \
        == {"pengine"}
    grammar_files = {n for n in names if n.startswith("pengine/grammar/") and n.endswith(".lark")}
    assert grammar_files == {f"pengine/grammar/{p.name}"
                             for p in (REPO / "grammar").glob("*.lark")}
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "pengine = pengine.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert not any(n.startswith(("tests/", "samples/")) for n in names)


@pytest.mark.wheel
def test_installed_wheel_runs(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--system-site-packages", venv)
    python = venv / "bin" / "python"
    env = _clean_env()
    # --ignore-installed: a pengine installed system-wide must not satisfy this
    _run(python, "-m", "pip", "install", "-q", "--ignore-installed", "--no-deps", wheel, env=env)
    _run(python, "-m", "pip", "install", "-q", wheel, env=env)  # dependencies, if missing
    where = _run(python, "-c", "import pengine.cib as c, pengine.grammar as g, pengine.transitions "
                 "as t; print(c.__file__); print(g.__file__); print(t.__file__)",
                 cwd=tmp_path, env=env).stdout.split()
    assert all(str(venv) in path for path in where), where

    pengine = venv / "bin" / "pengine"
    shown = _run(pengine, "show", SAMPLES / "webfarm-status.xml", "--as", "xml", cwd=tmp_path,
                 env=env)
    assert shown.stdout.startswith("<cib ") and "web-server" in shown.stdout

    if (REPO / "grammar" / "crm.lark").exists() and (REPO / "cib" / "crm_text.py").exists():
        shown = _run(pengine, "show", SAMPLES / "webfarm.crm", "--as", "xml", cwd=tmp_path,
                     env=env)
        assert "<primitive" in shown.stdout and 'id="web-ip"' in shown.stdout
        grammar = _run(python, "-c", "from pengine.grammar import crm_grammar_text as g; "
                       "print(len(g()))", cwd=tmp_path, env=env)
        assert int(grammar.stdout) > 100


@pytest.mark.wheel
def test_wheel_installs_beside_pypis_transitions(wheel, tmp_path):
    """PyPI's `transitions` (a state-machine library) and pengine share no installed name:
    with both installed, each imports its own code and pengine still runs."""
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--system-site-packages", venv)
    python = venv / "bin" / "python"
    env = _clean_env()
    _run(python, "-m", "pip", "install", "-q", "--ignore-installed", "--no-deps", wheel, env=env)
    _run(python, "-m", "pip", "install", "-q", wheel, env=env)  # dependencies, if missing
    got = subprocess.run([str(python), "-m", "pip", "install", "-q", "--ignore-installed",
                          "transitions"], env=env, capture_output=True, text=True, timeout=600,
                         stdin=subprocess.DEVNULL)
    if got.returncode != 0:
        pytest.skip(f"PyPI's transitions package cannot be installed here: {got.stderr[-500:]}")
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                env=env).stdout.strip()
    tops = {p.name for p in Path(site).iterdir() if not p.name.endswith((".dist-info", ".pth"))}
    assert not tops & {"cib", "grammar"}, tops   # pengine's folders are under pengine/

    machine = _run(python, "-c", "\n".join((
        "from transitions import Machine",
        "class Light: pass",
        "light = Light()",
        "Machine(light, states=['off', 'on'], transitions=[['flip', 'off', 'on']], initial='off')",
        "light.flip()",
        "import transitions, pengine.transitions",
        "print(light.state, transitions.__file__, pengine.transitions.__file__)")),
        cwd=tmp_path, env=env).stdout.split()
    assert machine[0] == "on"
    assert str(venv) in machine[1] and "/transitions/" in machine[1]
    assert str(venv) in machine[2] and "/pengine/transitions/" in machine[2]

    simulated = _run(venv / "bin" / "pengine", "simulate", "-x", SAMPLES / "webfarm-status.xml",
                     "-S", "-f", "node1", cwd=tmp_path, env=env)
    assert "Transition Summary:" in simulated.stdout and "web-server" in simulated.stdout


def readme_setup_commands() -> list[str]:
    """The shell lines of the README's Set-up section."""
    text = (REPO / "README.md").read_text()
    section = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```sh\n")[1:]
    return [line for block in blocks for line in block.split("```", 1)[0].splitlines() if line]


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one():
    install, test = readme_setup_commands()
    assert install.startswith("pip install . && pengine simulate ")
    assert "samples/" in install
    sample = install.split("samples/", 1)[1].split()[0]
    assert (SAMPLES / sample).is_file()
    assert test.startswith("pip install '.[test]' && ")
    ci = (REPO / ".ci" / "run").read_text()
    assert ci.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in ci
    assert [line for line in ci.splitlines() if line.strip() == test] == [test]
    assert os.access(REPO / ".ci" / "run", os.X_OK)
