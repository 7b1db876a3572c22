"""Run one agent process: argv list, environment dict, optional stdin, timeout.

Nothing passes through a shell.  The agent gets its own process group so
that a timeout kills it and everything it started (Pacemaker's executor
sends SIGKILL to the group).
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time

from attrs import frozen

# Keep at most this much of an agent's output (services_linux reads it all,
# but an agent that floods its output must not flood our memory).
MAX_OUTPUT = 256 * 1024


@frozen
class ProcessOutcome:
    returncode: int | None       # None when killed by a signal or the timeout
    signal: int | None = None    # the signal that ended it
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""
    elapsed_ms: int = 0
    error: OSError | None = None  # could not be started at all


def run_process(argv: list[str], env: dict[str, str], timeout_s: float,
                stdin: str | None = None, cwd: str | None = None) -> ProcessOutcome:
    """Run ``argv`` to completion or until ``timeout_s`` seconds have passed.

    The output goes to temporary files, not pipes: an agent that starts a
    daemon which keeps the agent's output open must not make us wait for
    the daemon (services_linux, too, waits for the child, not for EOF).
    """
    began = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as inp:
        if stdin is not None:
            inp.write(stdin.encode())
            inp.seek(0)
        try:
            proc = subprocess.Popen(
                argv, env=env, cwd=cwd or "/",
                stdin=inp if stdin is not None else subprocess.DEVNULL,
                stdout=out, stderr=err, start_new_session=True, close_fds=True)
        except OSError as error:
            return ProcessOutcome(None, error=error)
        timed_out = False
        try:
            proc.wait(timeout=max(timeout_s, 0.001))
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
            proc.wait()
        elapsed = int((time.monotonic() - began) * 1000)
        code = proc.returncode
        sig = -code if code is not None and code < 0 else None
        return ProcessOutcome(None if (sig is not None or timed_out) else code, sig, timed_out,
                              _read(out), _read(err), elapsed)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _read(handle) -> str:
    handle.seek(0)
    data = handle.read(MAX_OUTPUT)
    return data.decode("utf-8", errors="replace")
