"""Run a list of pcs commands on one CIB file with the real pcs, in-process.

Runs under the system Python that has pcs installed (``/usr/bin/python3``):
importing pcs takes a second, so it is imported once and every command runs
in a forked child (pcs keeps global state and exits through sys.exit).

Usage: python3 pcs_driver.py CIB.xml COMMANDS.json -> prints a JSON list of
{"rc", "stderr"} per command; stops after the first failing command.
"""

import io
import json
import os
import sys
import tempfile

import pcs.app


def run_one(cib_path, argv):
    err_fd, err_path = tempfile.mkstemp()
    pid = os.fork()
    if pid == 0:  # child: pcs with stdout/stderr redirected
        code = 1
        try:
            os.dup2(err_fd, 2)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False))
            sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False))
            sys.argv = ["pcs", "-f", cib_path, *argv]
            try:
                pcs.app.main(["-f", cib_path, *argv])
                code = 0
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    os.close(err_fd)
    with open(err_path, encoding="utf-8", errors="replace") as handle:
        stderr = handle.read()
    os.unlink(err_path)
    return {"rc": os.waitstatus_to_exitcode(status), "stderr": stderr}


def main():
    cib_path, commands_path = sys.argv[1:3]
    with open(commands_path, encoding="utf-8") as handle:
        commands = json.load(handle)
    results = []
    for argv in commands:
        result = run_one(cib_path, argv)
        results.append(result)
        if result["rc"] != 0:
            break
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
