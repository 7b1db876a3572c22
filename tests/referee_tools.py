"""Pacemaker 3.0.2's offline tools (the referee), extracted once per session
from ../shared/referee into a cache directory; tests skip where it cannot run."""

from __future__ import annotations

import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.conftest import REPO, cts_dir

_NAME = Path("referee") / "pacemaker-3.0.2-amd64.tar.xz"
# beside the clone (../shared), or beside the corpus ($PENGINE_CTS_DIR/..)
ARCHIVE = Path(os.environ.get("PENGINE_REFEREE_ARCHIVE")
               or next((p for p in (REPO.parent / "shared" / _NAME, cts_dir().parent / _NAME)
                        if p.exists()), REPO.parent / "shared" / _NAME))


def referee_command(cache: Path) -> list[str] | str:
    """["…/run"] to prefix a tool with, or why the referee cannot run here."""
    if not ARCHIVE.exists():
        return f"the referee archive {ARCHIVE} is not there"
    target = cache / "pacemaker-3.0.2" / "run"
    if not target.exists():
        try:
            with tarfile.open(ARCHIVE) as archive:
                archive.extractall(cache, filter="tar")
        except (OSError, tarfile.TarError) as error:
            return f"cannot extract the referee: {error}"
    probe = subprocess.run([str(target), "crm_simulate", "--version"], capture_output=True,
                           text=True)
    if probe.returncode != 0 or "3.0.2" not in probe.stdout:
        return f"the referee does not run here: {probe.stderr.strip()[:200]}"
    return [str(target)]


@pytest.fixture(scope="session")
def referee(tmp_path_factory):
    found = referee_command(tmp_path_factory.mktemp("referee"))
    if isinstance(found, str):
        pytest.skip(found)
    return found
