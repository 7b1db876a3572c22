"""Where Pacemaker 3.0.2's crm_simulate is: extracted from the shared tarball into a cache.

The tarball is ``../shared/referee/pacemaker-3.0.2-amd64.tar.xz`` beside the
checkout (or ``$PENGINE_REFEREE_TARBALL``); it is extracted once into
``$PENGINE_REFEREE_CACHE`` (default ``~/.cache/pengine-referee``).  ``find()``
returns the ``run`` script, or None and the reason it cannot run here.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NAME = "pacemaker-3.0.2"


def tarball() -> Path:
    if "PENGINE_REFEREE_TARBALL" in os.environ:
        return Path(os.environ["PENGINE_REFEREE_TARBALL"])
    # ../shared beside the checkout (a worktree may sit one level deeper)
    candidates = [up / "shared" / "referee" / f"{NAME}-amd64.tar.xz" for up in REPO.parents[:2]]
    return next((path for path in candidates if path.exists()), candidates[0])


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "pengine-referee"
    return Path(os.environ.get("PENGINE_REFEREE_CACHE", default))


def _extract(source: Path, into: Path) -> Path:
    run = into / NAME / "run"
    if run.exists():
        return run
    into.mkdir(parents=True, exist_ok=True)
    partial = into / f".{NAME}.{os.getpid()}"
    with tarfile.open(source) as archive:
        archive.extractall(partial, filter="tar")
    try:
        (partial / NAME).rename(into / NAME)
    except OSError:
        pass  # another process extracted it first
    return run


_FOUND: tuple[Path | None, str] | None = None


def find() -> tuple[Path | None, str]:
    """(path of the ``run`` script, "") or (None, why the referee cannot run)."""
    global _FOUND
    if _FOUND is not None:
        return _FOUND
    source = tarball()
    if not source.exists():
        _FOUND = (None, f"referee tarball {source} is not there")
        return _FOUND
    try:
        run = _extract(source, cache_dir())
        probe = subprocess.run([str(run), "crm_simulate", "--version"], capture_output=True,
                               text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, tarfile.TarError, subprocess.SubprocessError) as error:
        _FOUND = (None, f"referee cannot be extracted or started: {error}")
        return _FOUND
    if probe.returncode != 0 or "Pacemaker 3.0.2" not in probe.stdout:
        reason = (probe.stderr or probe.stdout).strip().splitlines()[-1:] or ["no output"]
        _FOUND = (None, f"referee crm_simulate does not run here (missing libraries?): "
                        f"{reason[0]}")
        return _FOUND
    _FOUND = (run, "")
    return _FOUND
