"""Issue 19: long legal chains are scheduled on a flat Python stack.

Assignment (each resource assigns its parent, its colocations' primaries and
its members first), the ordering cascade and the blocking of colocated
dependents follow Pacemaker's recursions, run on explicit stacks
(pengine.common.trampoline).  The chains here are three times longer than
the recursion limit the commands run under allows frames, so any recursion
left along them fails the test."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO

HEAD = "node node1\nnode node2\nproperty stonith-enabled=false\n"
LENGTH = 300
LIMIT = 200          # Python frames: far fewer than one per link of the chain
BAN_FIRST = "location ban1 r0 -inf: node1\nlocation ban2 r0 -inf: node2\n"


def primitives(n: int, prefix: str = "r") -> str:
    return "".join(f"primitive {prefix}{i} ocf:heartbeat:Dummy\n" for i in range(n))


CHAINS = {
    # each resource colocated with the next: assigning r0 assigns r1 first, ...
    "colocation-against-the-grain": (
        primitives(LENGTH) + "".join(f"colocation c{i} inf: r{i} r{i + 1}\n"
                                     for i in range(LENGTH - 1)), LENGTH, 0),
    "colocation-optional-scores": (
        primitives(LENGTH) + "".join(f"colocation c{i} -10: r{i} r{i + 1}\n"
                                     for i in range(LENGTH - 1)), LENGTH, 0),
    # r0 cannot run: the ordering cascade makes every later start unrunnable
    "ordering-blocked": (
        primitives(LENGTH) + BAN_FIRST + "".join(f"order o{i} Mandatory: r{i} r{i + 1}\n"
                                                 for i in range(LENGTH - 1)),
        LENGTH - 1, LENGTH - 1),
    "ordered-set-blocked": (
        primitives(LENGTH) + BAN_FIRST + "order os Mandatory: "
        + " ".join(f"r{i}" for i in range(LENGTH)) + "\n", LENGTH - 1, LENGTH - 1),
    # the last primary's start is blocked by an ordering: blocking runs up the dependents
    "colocation-blocked": (
        primitives(LENGTH + 1) + f"location ban1 r{LENGTH} -inf: node1\n"
        f"location ban2 r{LENGTH} -inf: node2\norder x Mandatory: r{LENGTH} r{LENGTH - 1}\n"
        + "".join(f"colocation c{i} inf: r{i} r{i + 1}\n" for i in range(LENGTH - 1)),
        LENGTH, LENGTH),
    "group-blocked": (
        primitives(LENGTH) + BAN_FIRST + "group g " + " ".join(f"r{i}" for i in range(LENGTH))
        + "\n", 0, 0),
    "clone-colocations": (
        "".join(f"primitive p{i} ocf:heartbeat:Dummy\nclone c{i} p{i}\n" for i in range(100))
        + "".join(f"colocation cc{i} inf: c{i} c{i + 1}\n" for i in range(99)), 200, 0),
    "group-colocations": (
        "".join(f"primitive a{i} ocf:heartbeat:Dummy\nprimitive b{i} ocf:heartbeat:Dummy\n"
                f"group g{i} a{i} b{i}\n" for i in range(150))
        + "".join(f"colocation gc{i} inf: g{i} g{i + 1}\n" for i in range(149)), 300, 0),
}

_RUN_UNDER_LIMIT = """
import contextlib, io, sys
sys.setrecursionlimit({limit})
from pengine.cli import main
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    rc = main({argv!r})
sys.stdout.write(out.getvalue())
sys.stderr.write(err.getvalue())
sys.exit(rc)
"""


def run_under_limit(*argv: str) -> subprocess.CompletedProcess:
    """The command in a Python that allows only LIMIT frames."""
    code = _RUN_UNDER_LIMIT.format(limit=LIMIT, argv=[str(a) for a in argv])
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=900, stdin=subprocess.DEVNULL,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                               "TZ": "UTC"})


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_long_chain_is_scheduled_without_a_deep_stack(tmp_path, name):
    body, starts, blocked = CHAINS[name]
    path = tmp_path / f"{name}.crm"
    path.write_text(HEAD + body)
    result = run_under_limit("simulate", path, "-S")
    assert "RecursionError" not in result.stderr and "internal error" not in result.stderr
    assert result.returncode == 0, result.stderr[-2000:]
    summary = result.stdout.split("Transition Summary:")[1].split("Executing")[0]
    assert summary.count("* Start ") == starts
    assert summary.count("(blocked)") == blocked


def test_the_command_runs_on_the_main_thread(tmp_path):
    """No thread with a 512 MiB stack any more: the command's own thread
    (signal handlers, a small stack) schedules the long chains."""
    body, _, _ = CHAINS["colocation-against-the-grain"]
    path = tmp_path / "chain.crm"
    path.write_text(HEAD + body)
    code = ("import threading, sys\nfrom pengine.cli import main\n"
            "made = []\n_start = threading.Thread.start\n"
            "threading.Thread.start = lambda self: (made.append(self), _start(self))[1]\n"
            f"rc = main(['simulate', {str(path)!r}, '-S'])\n"
            "sys.stderr.write(f'threads={len(made)}')\nsys.exit(rc)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=900, env={"PYTHONPATH": str(REPO),
                                                         "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.endswith("threads=0")


def test_check_and_explain_follow_a_long_chain(tmp_path):
    body, _, _ = CHAINS["colocation-blocked"]
    path = tmp_path / "chain.crm"
    path.write_text(HEAD + body)
    for argv in (("check", path), ("explain", "r0", path)):
        result = run_under_limit(*argv)
        assert "RecursionError" not in result.stderr and "internal error" not in result.stderr
        assert result.returncode == 0, result.stderr[-2000:]


# ------------------------------------------------------------ the driver --

def test_drive_visits_in_the_recursion_order():
    from pengine.common.trampoline import drive

    def recursive(n, seen):
        seen.append(("enter", n))
        total = n
        for child in (2 * n, 2 * n + 1):
            if child < 20:
                total += recursive(child, seen)
        seen.append(("leave", n))
        return total

    def steps(n, seen):
        seen.append(("enter", n))
        total = n
        for child in (2 * n, 2 * n + 1):
            if child < 20:
                total += yield child
        seen.append(("leave", n))
        return total

    expected: list = []
    got: list = []
    assert drive(steps(1, got), lambda n: steps(n, got)) == recursive(1, expected)
    assert got == expected


def test_drive_unwinds_an_exception_through_the_callers():
    from pengine.common.trampoline import drive
    unwound = []

    def steps(n):
        try:
            if n == 5000:
                raise ValueError("deep")
            yield n + 1
        finally:
            unwound.append(n)

    with pytest.raises(ValueError, match="deep"):
        drive(steps(0), steps)
    assert unwound == list(range(5000, -1, -1))
