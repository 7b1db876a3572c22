"""Shared test helpers: where things are, and how to run the real command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"


def cts_dir() -> Path:
    """The Pacemaker regression corpus: $PENGINE_CTS_DIR or ../shared/pacemaker-cts."""
    return Path(os.environ.get("PENGINE_CTS_DIR", REPO.parent / "shared" / "pacemaker-cts"))


def has_crm_text() -> bool:
    """Whether crm text support (cib.crm_text and its grammar) exists yet."""
    return (REPO / "cib" / "crm_text.py").exists() and (REPO / "grammar" / "crm.lark").exists()


needs_crm = pytest.mark.skipif(not has_crm_text(), reason="cib/crm_text.py is not there yet")


def run_pengine(*args: str, cwd: Path | str = REPO, timeout: float = 60,
                stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    """Run ``python -m pengine.cli ARGS`` as a user would, from the checkout."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "pengine.cli", *map(str, args)], cwd=cwd,
                          env=env, stdout=stdout, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture
def write(tmp_path):
    """write(name, text_or_bytes) -> path of a new file in a temporary directory."""
    def _write(name: str, content) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path
    return _write


def pytest_collection_modifyitems(config, items):
    """The real-cluster tests (marker ``cluster``) are opt-in, as the README
    says: they run only when the -m expression names them (``-m cluster``)."""
    if "cluster" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="real-cluster test: opt in with python -m pytest -m cluster")
    for item in items:
        if item.get_closest_marker("cluster") is not None:
            item.add_marker(skip)
