"""Run one step through Pacemaker's crm_simulate and through pengine; compare.

A step is a CIB (XML text) and crm_simulate event flags.  Both engines run
``-S -s`` (simulate, with scores); the referee also writes ``-O`` (the CIB as
the simulated cluster leaves it), which the next step of a chain starts from.

Sections compared (each a list of lines, whitespace-normalised):
``current`` (Current cluster status, in order), ``modifications`` (Performing
Requested Modifications), ``transition`` (Transition Summary, as a multiset,
as tests/conformance.py compares it), ``actions`` (Executing Cluster
Transition: as a multiset; ``actions_order`` in order), ``revised`` (Revised
Cluster Status, in order), ``scores`` (the ``-s`` lines, sorted), ``exit``
(exit code) and ``text`` (the whole standard output, byte for byte).
``crash`` is an internal error of pengine (a traceback, exit 70, a timeout)
or of the referee (a signal, exit > 2).

What depends on Pacemaker's build or on the wall clock, and how it is handled:
- crm_simulate stamps the results it simulates with the wall clock
  (``last-rc-change``/``last-run``, and ``last-failure-*`` attributes); a chain
  rewrites those stamps in the ``-O`` output to the step's effective date
  before the next step, so a chain is reproducible (``normalise_stamps``).
  The stamps never appear in the compared text.
- The parameters Pacemaker gives a bundle's container resource name paths of
  its build (``-v /opt/pcmk302/var/log/pacemaker/bundles/...``: the referee was
  configured with ``--prefix=/opt/pcmk302``), and so do the digests it records
  for them.  pengine runs here with ``PENGINE_PACEMAKER_PREFIX`` set to that
  prefix, so both engines compute the same parameters and digests.
- An injected failure's ``last-failure-*`` value is the wall clock
  (pcmk__inject_failcount uses time(NULL), for -i and for -F while the
  transition runs); a value within the seconds the step ran is read as
  "the wall clock".
- Nothing else is normalised: no section is edited before comparison.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# The referee's build prefix (see above); set before pengine is imported.
REFEREE_PREFIX = "/opt/pcmk302"
os.environ.setdefault("PENGINE_PACEMAKER_PREFIX", REFEREE_PREFIX)

SECTIONS = ("current", "modifications", "transition", "actions", "actions_order",
            "revised", "scores", "exit", "text")
HEADLINE = ("current", "transition", "actions", "revised", "scores", "exit")
TIMEOUT_S = 120

_HEADERS = {
    "Current cluster status:": "current",
    "Performing Requested Modifications:": "modifications",
    "Transition Summary:": "transition",
    "Executing Cluster Transition:": "actions",
    "Revised Cluster Status:": "revised",
    "Assignment Scores:": "scores",
    "Assignment Scores and Utilization Information:": "scores",
    "Utilization Information:": "scores",
}


@dataclass
class Run:
    stdout: str
    stderr: str
    rc: int
    crash: str = ""             # an internal error, with what is known of it
    output_cib: str | None = None


@dataclass
class Outcome:
    referee: Run
    pengine: Run
    equal: dict[str, bool] = field(default_factory=dict)

    @property
    def differs(self) -> list[str]:
        return [name for name, same in self.equal.items() if not same]


def split_sections(text: str) -> dict[str, list[str]]:
    """Section name -> its lines (stripped, inner whitespace collapsed)."""
    found: dict[str, list[str]] = {name: [] for name in _HEADERS.values()}
    found["preamble"] = []
    current = "preamble"
    for raw in text.splitlines():
        if raw in _HEADERS:
            current = _HEADERS[raw]
            continue
        line = " ".join(raw.split())
        if line:
            found[current].append(line)
    return found


_INJECTED_STAMP = re.compile(r"^(\* Injecting attribute last-failure-\S+=)(\d+)( into .*)$")


def _wall_clock_stamps(lines: list[str], window: tuple[int, int] | None) -> list[str]:
    """crm_simulate stamps an injected failure with time(NULL): a value within
    the seconds the step ran in is the wall clock, whichever side wrote it."""
    if window is None:
        return lines
    low, high = window

    def blur(line: str) -> str:
        match = _INJECTED_STAMP.match(line)
        if match and low <= int(match.group(2)) <= high:
            return f"{match.group(1)}<wall clock>{match.group(3)}"
        return line
    return [blur(line) for line in lines]


def _wall_clock_text(text: str, window: tuple[int, int] | None) -> str:
    """The whole text, its injected wall-clock stamps read as such (see above)."""
    if window is None:
        return text
    low, high = window

    def blur(match):
        value = int(match.group(2))
        return match.group(1) + ("<wall clock>" if low <= value <= high else match.group(2))
    return _INJECTED_TEXT.sub(blur, text)


_INJECTED_TEXT = re.compile(r"(Injecting attribute last-failure-\S+=)(\d+)")


def compare_runs(referee: Run, mine: Run, window: tuple[int, int] | None = None
                 ) -> dict[str, bool]:
    want, got = split_sections(referee.stdout), split_sections(mine.stdout)
    for found in (want, got):
        for section in ("modifications", "actions"):    # -i, and -F while executing
            found[section] = _wall_clock_stamps(found[section], window)
    if mine.crash:
        return {name: False for name in SECTIONS}
    return {
        "current": want["current"] == got["current"],
        "modifications": want["modifications"] == got["modifications"],
        "transition": Counter(want["transition"]) == Counter(got["transition"]),
        "actions": Counter(want["actions"]) == Counter(got["actions"]),
        "actions_order": want["actions"] == got["actions"],
        "revised": want["revised"] == got["revised"],
        "scores": sorted(want["scores"]) == sorted(got["scores"]),
        "exit": referee.rc == mine.rc,
        "text": _wall_clock_text(referee.stdout, window) == _wall_clock_text(mine.stdout, window),
    }


# ------------------------------------------------------------------ runs --

def run_referee(run_script: Path, cib_xml: str, args: list[str], workdir: Path) -> Run:
    cib_path, out_path = workdir / "ref-in.xml", workdir / "ref-out.xml"
    cib_path.write_text(cib_xml)
    if out_path.exists():
        out_path.unlink()
    env = dict(os.environ, CIB_shadow_dir=str(workdir), TZ="UTC")
    try:
        proc = subprocess.run([str(run_script), "crm_simulate", "-x", str(cib_path), "-S", "-s",
                               "-O", str(out_path), *args], capture_output=True, text=True,
                              timeout=TIMEOUT_S, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return Run("", "", -1, crash="referee timed out")
    crash = ""
    if proc.returncode < 0 or proc.returncode > 2 and proc.returncode != 105:
        reason = [line for line in proc.stderr.splitlines() if "assertion" in line
                  or "error" in line.lower()][-1:] or [proc.stderr.strip()[-200:]]
        crash = f"referee exit {proc.returncode}: {reason[0].strip()}"
    output = out_path.read_text() if out_path.exists() else None
    return Run(proc.stdout, proc.stderr, proc.returncode, crash, output)


def _alarm(signum, frame):
    raise TimeoutError(f"step took longer than {TIMEOUT_S}s")


def run_pengine(cib_xml: str, args: list[str], workdir: Path) -> Run:
    """``pengine simulate -x CIB -S -s ARGS`` in this process (as tests/conformance.py)."""
    from pengine.cli import main
    os.environ["PENGINE_TRACEBACK"] = "1"
    os.environ["TZ"] = "UTC"
    cib_path = workdir / "pe-in.xml"
    cib_path.write_text(cib_xml)
    out, err = io.StringIO(), io.StringIO()
    crash = ""
    rc = -1
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIMEOUT_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(["simulate", "-x", str(cib_path), "-S", "-s", *args])
    except SystemExit as exc:   # argparse refusing the flags
        rc = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:  # noqa: BLE001 - a crash is a result
        import traceback
        if isinstance(exc, KeyboardInterrupt):
            raise
        crash = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-4:])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    if rc == 70 and not crash:
        crash = err.getvalue().strip()[-300:]
    return Run(out.getvalue(), err.getvalue(), rc, crash)


def run_step(run_script: Path, cib_xml: str, args: list[str]) -> Outcome:
    started = int(time.time())
    with tempfile.TemporaryDirectory(prefix="pengine-diff-") as tmp:
        referee = run_referee(run_script, cib_xml, args, Path(tmp))
        mine = run_pengine(cib_xml, args, Path(tmp))
    window = (started - 1, int(time.time()) + 1)
    return Outcome(referee, mine, compare_runs(referee, mine, window))


# --------------------------------------------------------------- chaining --

_STAMPS = ("last-rc-change", "last-run")


def effective_epoch(cib: ET.Element, args: list[str]) -> int:
    """The step's date: ``-t`` if given, else the CIB's execution-date."""
    from pengine.common.dates import parse_datetime, to_epoch
    if "-t" in args:
        return to_epoch(parse_datetime(args[args.index("-t") + 1]))
    return int(cib.get("execution-date"))


def normalise_stamps(cib: ET.Element, epoch: int) -> None:
    """Results the referee simulated carry the wall clock: give them the step's date."""
    for op in cib.iter("lrm_rsc_op"):
        for name in _STAMPS:
            value = op.get(name)
            if value and value.isdigit() and int(value) > epoch:
                op.set(name, str(epoch))
    for pair in cib.iter("nvpair"):
        name = pair.get("name") or ""
        value = pair.get("value") or ""
        if name.startswith("last-failure-") and value.isdigit() and int(value) > epoch:
            pair.set("value", str(epoch))
    cib.set("execution-date", str(epoch))
