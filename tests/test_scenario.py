"""``pengine scenario``: events over time, end to end and in parts."""

from __future__ import annotations

import re

from conftest import SAMPLES, run_pengine


def _steps(text: str) -> list[dict]:
    steps = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        head = re.match(r"T\+(\d+):(\d+)(?::(\d+))?\s+\S+ \S+\s+(.*)", lines[0])
        assert head, lines[0]
        h_or_m, m_or_s, s = head.group(1), head.group(2), head.group(3)
        seconds = (int(h_or_m) * 3600 + int(m_or_s) * 60 + int(s)) if s else \
            int(h_or_m) * 60 + int(m_or_s)
        body = {"at": seconds, "cause": head.group(4), "summary": [], "failcounts": "",
                "placement": ""}
        for line in lines[1:]:
            line = " ".join(line.split())
            if line.startswith("* "):
                body["summary"].append(line)
            elif line.startswith("Fail counts: "):
                body["failcounts"] = line[len("Fail counts: "):]
            elif line.startswith("Placement: "):
                body["placement"] = line[len("Placement: "):]
        steps.append(body)
    return steps


def test_haproxy_failover_chronology():
    result = run_pengine("scenario", SAMPLES / "haproxy-failover.toml")
    assert result.returncode == 0, result.stderr
    steps = _steps(result.stdout)
    assert [s["at"] for s in steps] == [0, 10, 150, 200, 501]
    start, first, second, third, expiry = steps
    assert start["summary"] == ["* Start haproxy ( node1 )"]
    # two failures: restarted in place, the fail count climbing
    assert first["summary"] == ["* Recover haproxy ( node1 )"]
    assert first["failcounts"] == "haproxy@node1=1"
    assert second["summary"] == ["* Recover haproxy ( node1 )"]
    assert second["failcounts"] == "haproxy@node1=2"
    # the third reaches migration-threshold=3: away to node2
    assert third["summary"] == ["* Recover haproxy ( node1 -> node2 )"]
    assert third["failcounts"] == "haproxy@node1=3"
    assert third["placement"] == "haproxy node2"
    # the failures expire; node1 is eligible again, stickiness keeps node2
    assert expiry["cause"].startswith("re-check")
    assert expiry["failcounts"] == "none"
    assert expiry["summary"] == []
    assert expiry["placement"] == "haproxy node2"


def test_events_of_several_kinds(write):
    config = write("c.crm", "node n1\nnode n2\nprimitive a ocf:heartbeat:Dummy "
                            "op monitor interval=10s\nproperty stonith-enabled=false\n")
    scenario = write("s.toml", f'''
config = "{config.name}"
[[event]]
at = "1m"
standby = "n1"
[[event]]
at = "2m"
online = "n1"
configure = "location a-on-n1 a 100: n1"
[[event]]
at = "3m"
node-down = "n1"
''')
    result = run_pengine("scenario", scenario)
    assert result.returncode == 0, result.stderr
    steps = _steps(result.stdout)
    assert [s["at"] for s in steps] == [0, 60, 120, 180]
    assert steps[0]["placement"] == "a n1"
    assert steps[1]["summary"] == ["* Move a ( n1 -> n2 )"]
    assert steps[2]["summary"] == ["* Move a ( n2 -> n1 )"]
    assert steps[3]["placement"] == "a n2"


def test_bad_scenarios_fail_cleanly(write):
    write("c.crm", "node n1\nprimitive a ocf:heartbeat:Dummy\n")
    for text, message in [
        ('config = "c.crm"\n[[event]]\nat = "1m"\nexplode = "n1"\n', "unknown event key"),
        ('config = "c.crm"\n[[event]]\nnode-fail = "n1"\n', "needs 'at'"),
        ('config = "c.crm"\n[[event]]\nat = "soon"\nnode-fail = "n1"\n', "neither a duration"),
        ('config = "c.crm"\nthis is not toml\n', "invalid TOML"),
        ('status = "x.xml"\n', "'config' must name"),
    ]:
        result = run_pengine("scenario", write("bad.toml", text))
        assert result.returncode == 1, (text, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
        assert "bad.toml:" in result.stderr
