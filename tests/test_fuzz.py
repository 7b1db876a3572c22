"""A short run of the fuzzing suite (tests/fuzz): hostile crm text, CIB XML,
event flags, scenario files and corpus mutations through the real command;
no internal error, no hang, no silent drop.  The long run is
``python -m tests.fuzz --minutes N``."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import REPO

if str(REPO) not in sys.path:      # tests.fuzz is imported as a package of the checkout
    sys.path.insert(0, str(REPO))

from tests.fuzz.runner import Pool, judge  # noqa: E402
from tests.fuzz.strategies import cib_jobs, crm_jobs, event_jobs, scenario_jobs  # noqa: E402


def test_short_fuzzing_run():
    from tests.fuzz.__main__ import generate
    jobs = generate(60)
    pool = Pool(2)
    try:
        problems = [(job["argv"], findings) for job, _, findings in pool.run(jobs) if findings]
    finally:
        pool.close()
    assert not problems


def test_the_judge_sees_crashes_hangs_and_drops():
    crm = {"argv": ["simulate", "in.crm"], "files": {"in.crm": b"primitive a Dummy\n"},
           "resources": ["a"]}
    ok = {"rc": 0, "stdout": "* a (ocf:heartbeat:Dummy): Stopped", "stderr": "", "cpu": 0.1}
    assert judge(crm, ok) == []
    assert judge(crm, dict(ok, rc=70, stderr="pengine: internal error"))[0].startswith("crash")
    assert judge(crm, dict(ok, cpu=9.0))[0].startswith("hang")
    assert judge(crm, None)[0].startswith("hang")
    assert judge(crm, dict(ok, stdout="  * No resources"))[0].startswith("silent drop")


@pytest.mark.parametrize("strategy", [crm_jobs, cib_jobs, event_jobs, scenario_jobs])
def test_strategies_draw_jobs(strategy):
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy())
    def draw(job):
        assert job["argv"] and isinstance(job["files"], dict)
    draw()
