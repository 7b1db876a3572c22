"""crm_verify's verdict on CIB files, from Pacemaker 3.0.2's own crm_verify.

A verdict is "error" when crm_verify finds a configuration error (it prints
"Configuration invalid": a schema violation or a pcmk__config_err), else
"clean" (warnings, including "Configuration may need attention", are not
errors).  ``python -m tests.check_parity.referee OUT.json FILE...`` stores
the verdicts; ``referee_command()`` finds or extracts the referee.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared"))
TARBALL_CANDIDATES = (os.path.join(SHARED, "referee", "pacemaker-3.0.2-amd64.tar.xz"),
                      "/work/shared/referee/pacemaker-3.0.2-amd64.tar.xz")


def referee_command(cache: str | None = None) -> list[str] | None:
    """``[.../run, "crm_verify"]``, extracting the referee into ``cache`` (a
    temp dir by default); None when it is not here or cannot run."""
    tarball = next((t for t in TARBALL_CANDIDATES if os.path.exists(t)), None)
    if tarball is None:
        return None
    cache = cache or os.path.join(tempfile.gettempdir(), "pengine-referee-cache")
    run = os.path.join(cache, "pacemaker-3.0.2", "run")
    if not os.path.exists(run):
        os.makedirs(cache, exist_ok=True)
        with tarfile.open(tarball) as archive:
            archive.extractall(cache, filter="tar") if hasattr(tarfile, "data_filter") \
                else archive.extractall(cache)
    command = [run, "crm_verify"]
    try:
        probe = subprocess.run(command + ["--version"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if probe.returncode != 0 or b"3.0.2" not in probe.stdout:
        return None
    return command


def verdict(command: list[str], path: str) -> tuple[str, str]:
    """("error"|"clean", crm_verify's output) for one file."""
    env = dict(os.environ, CIB_shadow_dir=tempfile.gettempdir())
    done = subprocess.run(command + ["-x", path, "-V"], capture_output=True, text=True,
                          timeout=120, env=env)
    text = done.stdout + done.stderr
    invalid = any(sign in text for sign in ("Configuration invalid", "CIB did not pass schema "
                                            "validation", "Unable to parse CIB XML",
                                            "Couldn't parse input", "can only check complete"))
    return ("error" if invalid else "clean"), text


def main(argv: list[str]) -> int:
    out, files = argv[0], argv[1:]
    command = referee_command()
    if command is None:
        print("the referee (Pacemaker 3.0.2 crm_verify) cannot run here", file=sys.stderr)
        return 2
    verdicts = {os.path.basename(f): verdict(command, f)[0] for f in sorted(files)}
    with open(out, "w") as handle:
        json.dump(verdicts, handle, indent=1, sort_keys=True)
        handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
