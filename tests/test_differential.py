"""Differential tests against Pacemaker 3.0.2's crm_simulate (tests/differential).

- Every stored regression case (a minimised disagreement that was fixed:
  input + the referee's recorded output) must still agree, through the real
  ``pengine`` command.  These need no referee at test time.
- A short seeded run of generated clusters and event chains against the live
  referee (skipped with the reason where it cannot run here).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from conftest import run_pengine
from tests.differential.compare import REFEREE_PREFIX, Run, compare_runs, split_sections

CASES = Path(__file__).resolve().parent / "differential" / "cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "cib.xml").exists()) \
    if CASES.exists() else []
_STAMP = re.compile(r"(Injecting attribute last-failure-\S+=)(\d+)")


def _blur_wall_clock(text: str, low: int | None, high: int | None) -> str:
    """An injected failure is stamped with the wall clock of the run; the
    recorded referee's run was another day.  pengine's stamp must be now."""
    def blur(match):
        if low is not None:
            assert low <= int(match.group(2)) <= high, match.group(0)
        return match.group(1) + "<wall clock>"
    return _STAMP.sub(blur, text)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_stored_case_agrees_with_the_referee(name, monkeypatch):
    # the referee's bundle paths (and digests) are those of its build prefix
    monkeypatch.setenv("PENGINE_PACEMAKER_PREFIX", REFEREE_PREFIX)
    case = CASES / name
    args = json.loads((case / "args.json").read_text())
    started = int(time.time())
    proc = run_pengine("simulate", "-x", case / "cib.xml", "-S", "-s", *args)
    finished = int(time.time()) + 1
    want = _blur_wall_clock((case / "referee.out").read_text(), None, None)
    got = _blur_wall_clock(proc.stdout, started - 1, finished)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    equal = compare_runs(Run(want, "", int((case / "referee.rc").read_text())),
                         Run(got, proc.stderr, proc.returncode))
    differing = [section for section, same in equal.items() if not same]
    if differing:
        w, g = split_sections(want), split_sections(got)
        detail = {s: (w.get(s), g.get(s)) for s in differing if s in w}
        pytest.fail(f"{name}: differs in {differing}: {detail}")


def test_short_seeded_run_against_the_referee():
    from tests.differential import referee
    from tests.differential.suite import run_suite
    run_script, why = referee.find()
    if run_script is None:
        pytest.skip(why)
    tally = run_suite(run_script, seed=18, cases=range(8), max_steps=4)
    report = tally.report()
    assert tally.steps >= 24, report
    assert tally.crashes == 0, report
    assert tally.equal["current"] == tally.steps, report
    # a net, not a target: the long run (python -m tests.differential) measures
    for section in ("transition", "actions", "revised", "exit"):
        assert tally.equal[section] >= 0.85 * tally.steps, report
