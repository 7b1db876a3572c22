"""samples/ci: the pre-commit hook and the gate script really gate a commit,
and the CI job files are well-formed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES, needs_crm
from test_diff import MOVED, OLD, WITH_EXTRA

CI = SAMPLES / "ci"

pytestmark = [needs_crm,
              pytest.mark.skipif(shutil.which("git") is None or shutil.which("sh") is None,
                                 reason="needs git and a POSIX shell")]


@pytest.fixture
def repo(tmp_path):
    """A configuration repository with the sample hook installed and a
    ``pengine`` command on PATH that runs this checkout."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "pengine"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m pengine.cli "$@"\n')
    shim.chmod(0o755)
    root = tmp_path / "cluster-config"
    (root / "cluster").mkdir(parents=True)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               GIT_AUTHOR_NAME="ci", GIT_AUTHOR_EMAIL="ci@example.org",
               GIT_COMMITTER_NAME="ci", GIT_COMMITTER_EMAIL="ci@example.org")
    env.pop("PENGINE_FAIL_ON", None)

    def git(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True,
                              check=check, timeout=120, stdin=subprocess.DEVNULL)

    git("init", "-q")
    hooks = root / ".git" / "hooks"
    for name in ("pre-commit", "pengine-gate.sh"):
        shutil.copy(CI / name, hooks / name)
        (hooks / name).chmod(0o755)
    git.root = root
    return git


def commit(git, text: str, message: str) -> subprocess.CompletedProcess:
    (git.root / "cluster" / "cluster.crm").write_text(text)
    git("add", "cluster/cluster.crm")
    return git("commit", "-q", "-m", message, check=False)


def test_pre_commit_hook_refuses_a_move_and_accepts_a_harmless_change(repo):
    first = commit(repo, OLD, "as deployed")
    assert first.returncode == 0, first.stdout + first.stderr  # nothing to diff yet

    moved = commit(repo, MOVED, "move the web group")
    assert moved.returncode != 0
    output = moved.stdout + moved.stderr  # git shows a hook's stdout on stderr
    assert "Move ip (node1 -> node3)" in output
    assert "+location web-prefers-node1 web-group 100: node3" in output

    added = commit(repo, WITH_EXTRA, "one more resource")
    assert added.returncode == 0, added.stdout + added.stderr
    assert "Start      extra" in added.stdout + added.stderr


def test_pre_commit_hook_refuses_an_invalid_configuration(repo):
    assert commit(repo, OLD, "as deployed").returncode == 0
    # an order naming a missing resource: an error for crm_verify too (an ordering
    # loop is only a warning since issue 22, as crm_verify accepts it)
    broken = commit(repo, OLD + "order o1 Mandatory: ip ghost\n", "ghost")
    assert broken.returncode != 0
    assert "[PE002]" in broken.stdout + broken.stderr


def test_gate_reports_only_when_fail_on_is_empty(repo):
    assert commit(repo, OLD, "as deployed").returncode == 0
    (repo.root / "cluster" / "cluster.crm").write_text(MOVED)
    env = dict(os.environ, PENGINE_FAIL_ON="")
    gate = subprocess.run(["sh", str(CI / "pengine-gate.sh"), "HEAD"], cwd=repo.root,
                          capture_output=True, text=True, timeout=120,
                          env={**env, "PATH": os.pathsep.join(
                              [str(repo.root.parent / "bin"), os.environ["PATH"]])})
    assert gate.returncode == 0, gate.stderr
    assert "Move       ip" in gate.stdout


def test_ci_job_files_are_well_formed():
    yaml = pytest.importorskip("yaml")
    github = yaml.safe_load((CI / "github-actions.yml").read_text())
    steps = github["jobs"]["pengine"]["steps"]
    assert any("pengine-gate.sh" in step.get("run", "") for step in steps)
    assert any("upload-sarif" in step.get("uses", "") for step in steps)
    gitlab = yaml.safe_load((CI / "gitlab-ci.yml").read_text())
    assert any("pengine-gate.sh" in line for line in gitlab["pengine"]["script"])
    assert gitlab["pengine"]["artifacts"]["reports"]["junit"] == "pengine-junit.xml"


def test_samples_readme_lists_every_file():
    readme = (CI / "README.md").read_text()
    for path in Path(CI).iterdir():
        if path.name != "README.md":
            assert f"`{path.name}`" in readme
