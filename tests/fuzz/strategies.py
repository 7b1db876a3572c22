"""Hypothesis strategies for what a hostile or careless user gives pengine:
crm text, CIB XML (configuration and status), event flags, scenario files.

Each strategy draws a *job*: the files to write, the command line to run and
what the output must keep (the ids of resources a run that succeeds must not
lose).  Values are drawn from lists of awkward cases (huge numbers, infinity,
control characters, unicode digits, dates past year 9999, self-references)
mixed with ordinary ones, so that most inputs get deep into the engine.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

NODES = ["node1", "node2", "node3"]
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_.-"

awkward_text = st.sampled_from([
    "", " ", "0", "-1", "1", "INFINITY", "-INFINITY", "+INFINITY", "inf", "nan", "1e300",
    "9223372036854775807", "-9223372036854775808", "99999999999999999999", "²", "٣", "0x10",
    "\x1b[31m", "\x01", "\x7f", "\u202e", "\ufeff", "é", "中文", "a b", "'", '"', "\\",
    "&amp;", "<", ">", "true", "false", "yes", "on", "2026-13-45", "9999-12-31T23:59:59Z",
    "P1Y", "PT-5S", "10s", "5m", "1h", "25-99", "-", "a" * 300, "%1", "${x}",
])

ids = st.text(_ID_CHARS, min_size=1, max_size=6).map(lambda s: "r" + s)
scores = st.sampled_from(["INFINITY", "-INFINITY", "100", "-100", "0", "inf", "50"]) | awkward_text
roles = st.sampled_from(["Started", "Stopped", "Promoted", "Unpromoted", "Master", "Slave", "bogus"])
agents = st.sampled_from(["ocf:heartbeat:Dummy", "ocf:pacemaker:Stateful", "stonith:fence_xvm",
                          "systemd:httpd", "lsb:foo", "notaclass:Dummy", "ocf:Dummy",
                          "service:x", "nagios:check", "Dummy"])
meta_names = st.sampled_from(["target-role", "is-managed", "resource-stickiness",
                              "migration-threshold", "failure-timeout", "clone-max",
                              "clone-node-max", "promotable", "interleave", "ordered",
                              "priority", "multiple-active", "requires", "allow-migrate",
                              "critical", "globally-unique", "promoted-max", "container"])
date_values = st.sampled_from(["2026-01-01", "2026-12-07T10:00:00Z", "notadate", "2026-13-45",
                               "9999-12-31", "0000-01-01", "2026-W53-8", "2026-001", ""])
op_names = st.sampled_from(["start", "stop", "monitor", "promote", "demote", "migrate_to",
                            "migrate_from", "notify", "reload", "bogus"])


def _value(draw, ordinary):
    return draw(ordinary | awkward_text) if draw(st.booleans()) else draw(ordinary)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def crm_jobs(draw):
    """crm text: nodes, primitives, groups (sometimes nested, repeated or
    holding themselves), clones, constraints with rules, properties."""
    lines = [f"node {n}" for n in draw(st.lists(st.sampled_from(NODES + ["node1"]), min_size=1,
                                                max_size=4))]
    if draw(st.booleans()):
        lines.append("property stonith-enabled=false")
    prims = draw(st.lists(ids, min_size=0, max_size=6, unique=True))
    for rid in prims:
        line = f"primitive {rid} {draw(agents)}"
        if draw(st.booleans()):
            line += f" meta {draw(meta_names)}={_quote(_value(draw, st.just('1')))}"
        if draw(st.booleans()):
            line += (f" op {draw(op_names)} interval={_quote(_value(draw, st.just('10s')))}"
                     f" timeout={_quote(_value(draw, st.just('20s')))}")
        lines.append(line)
    containers = []
    bundled: set[str] = set()
    pool = list(prims)
    for index in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["group", "clone", "ms", "bundle"]))
        cid = draw(st.sampled_from(["g", "c", "b"])) + str(index)
        candidates = pool + containers + [cid]
        if not candidates:
            break
        if kind == "group":
            members = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=4))
            lines.append(f"group {cid} " + " ".join(members))
        elif kind in ("clone", "ms"):
            meta = ""
            if draw(st.booleans()):
                meta = f" meta clone-max={_quote(_value(draw, st.just('2')))}"
            lines.append(f"{kind} {cid} {draw(st.sampled_from(candidates))}{meta}")
        else:
            inside = draw(st.sampled_from(candidates))
            bundled.add(inside)        # shown as the bundle's replicas, not by its own id
            lines.append(f"bundle {cid} docker image=x replicas="
                         f"{_quote(_value(draw, st.just('2')))} primitive {inside}")
        containers.append(cid)
    targets = prims + containers or ["missing"]
    for index in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["location", "rule", "pattern", "colocation", "order",
                                     "set"]))
        a, b = draw(st.sampled_from(targets)), draw(st.sampled_from(targets))
        if kind == "location":
            lines.append(f"location l{index} {a} {draw(scores)}: {draw(st.sampled_from(NODES))}")
        elif kind == "rule":
            expression = draw(st.sampled_from([
                f"date gt {draw(date_values)}", f"date lt {draw(date_values)}",
                f"date in_range start={draw(date_values)} end={draw(date_values)}",
                f"date date_spec hours={_value(draw, st.just('9-17'))}",
                f"#uname eq {draw(st.sampled_from(NODES))}", "defined pingd",
                f"pingd gt {_value(draw, st.just('0'))}"]))
            lines.append(f"location l{index} {a} rule {draw(scores)}: {expression}")
        elif kind == "pattern":
            pattern = draw(st.sampled_from(["^r", "(a+)+$", "^(a|aa)+$", "[", "r.*", "^$"]))
            lines.append(f"location l{index} /{pattern}/ {draw(scores)}: node1")
        elif kind == "colocation":
            lines.append(f"colocation c{index} {draw(scores)}: {a} {b}")
        elif kind == "order":
            lines.append(f"order o{index} {draw(st.sampled_from(['Mandatory', 'Optional', 'Serialize', 'inf', 'bogus']))}: {a} {b}")
        else:
            members = " ".join(draw(st.lists(st.sampled_from(targets), min_size=1, max_size=5)))
            lines.append(f"order o{index} Mandatory: ( {members} ) {a}")
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 9)) == 0:       # now and then a raw awkward character somewhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(awkward_text) + text[at:]
    command = draw(st.sampled_from([["simulate", "in.crm", "-S"], ["check", "in.crm"],
                                    ["show", "in.crm"], ["show", "--as", "xml", "in.crm"],
                                    ["check", "--format", "junit", "in.crm"],
                                    ["diff", "in.crm", "in.crm"]]))
    # a character inserted into an id renames the resource: expect only the
    # primitives still defined under their drawn id
    expect = [p for p in prims if p not in bundled
              and re.search(rf"(?m)^primitive\s+{re.escape(p)}\s", text)]
    return {"kind": "crm", "files": {"in.crm": text.encode("utf-8", "surrogatepass")},
            "argv": command, "resources": expect}


def _xml_attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;"))


@st.composite
def cib_jobs(draw):
    """CIB XML with a status section: node states, resource histories with
    any rc, interval and call id, transient attributes (probe_complete,
    fail counts), execution-date, and now and then a broken structure."""
    nodes = draw(st.lists(st.sampled_from(NODES), min_size=1, max_size=3, unique=True))
    prims = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    resources = "".join(
        f'<primitive id="{r}" class="ocf" provider="heartbeat" type="Dummy">'
        f'<meta_attributes id="{r}-meta"><nvpair id="{r}-m1" name="{draw(meta_names)}" '
        f'value="{_xml_attr(_value(draw, st.just("1")))}"/></meta_attributes></primitive>'
        for r in prims)
    nesting = draw(st.sampled_from(["", "group-in-group", "clone-in-group", "empty-group"]))
    if nesting == "group-in-group":
        resources = f'<group id="outer"><group id="inner">{resources}</group></group>'
    elif nesting == "clone-in-group":
        resources = f'<group id="outer"><clone id="cl">{resources}</clone></group>'
    elif nesting == "empty-group":
        resources += '<group id="empty"/>'
    states = []
    for node in nodes:
        histories = []
        for r in prims:
            if draw(st.booleans()):
                continue
            ops = []
            for n in range(draw(st.integers(1, 3))):
                task = draw(op_names)
                interval = _value(draw, st.sampled_from(["0", "10000"]))
                rc = _value(draw, st.sampled_from(["0", "7", "1", "8", "9"]))
                ops.append(f'<lrm_rsc_op id="{r}_{task}_{n}" operation="{_xml_attr(task)}" '
                           f'call-id="{_xml_attr(_value(draw, st.just(str(n + 1))))}" '
                           f'rc-code="{_xml_attr(rc)}" op-status="{draw(st.sampled_from(["0", "1", "2", "4", "7", "x"]))}" '
                           f'interval="{_xml_attr(interval)}" '
                           f'last-rc-change="{_xml_attr(_value(draw, st.just("1700000000")))}" '
                           f'transition-magic="0:{rc}:0:x" operation_key="{r}_{task}_{interval}" '
                           f'on_node="{node}" crm_feature_set="3.19.0"/>')
            histories.append(f'<lrm_resource id="{r}" class="ocf" provider="heartbeat" '
                             f'type="Dummy">{"".join(ops)}</lrm_resource>')
        attrs = []
        for k in range(draw(st.integers(0, 2))):
            name = draw(st.sampled_from(["probe_complete", f"fail-count-{prims[0]}#start_0",
                                         f"last-failure-{prims[0]}#start_0", "pingd",
                                         "shutdown", "standby", "maintenance"]))
            attrs.append(f'<nvpair id="{node}-a{k}" name="{_xml_attr(name)}" '
                         f'value="{_xml_attr(_value(draw, st.just("true")))}"/>')
        states.append(
            f'<node_state id="{node}" uname="{node}" in_ccm="{draw(st.sampled_from(["true", "false", "1700000000"]))}" '
            f'crmd="{draw(st.sampled_from(["online", "offline"]))}" join="member" expected="member">'
            f'<transient_attributes id="{node}"><instance_attributes id="status-{node}">'
            f'{"".join(attrs)}</instance_attributes></transient_attributes>'
            f'<lrm id="{node}"><lrm_resources>{"".join(histories)}</lrm_resources></lrm>'
            f'</node_state>')
    execution = ""
    if draw(st.booleans()):
        execution = f' execution-date="{_xml_attr(_value(draw, st.just("1700000000")))}"'
    declaration = draw(st.sampled_from(["", '<?xml version="1.0"?>\n',
                                        '<?xml version="1.0" encoding="UTF-8"?>\n',
                                        '<?xml version="1.0" encoding="foo"?>\n',
                                        "\ufeff"]))
    text = (f'{declaration}<cib validate-with="pacemaker-3.10" epoch="1" num_updates="1" '
            f'admin_epoch="0" have-quorum="{draw(st.sampled_from(["1", "0", "x"]))}"{execution}>'
            '<configuration><crm_config><cluster_property_set id="opts">'
            '<nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set>'
            '</crm_config><nodes>'
            + "".join(f'<node id="{n}" uname="{n}"/>' for n in nodes)
            + f'</nodes><resources>{resources}</resources><constraints/></configuration>'
            f'<status>{"".join(states)}</status></cib>')
    command = draw(st.sampled_from([["simulate", "-x", "in.xml", "-S"], ["check", "in.xml"],
                                    ["show", "in.xml"], ["simulate", "-x", "in.xml", "-s"],
                                    ["explain", prims[0], "in.xml"]]))
    expect = prims if not nesting else []
    return {"kind": "cib", "files": {"in.xml": text.encode("utf-8", "surrogatepass")},
            "argv": command, "resources": expect}


opspecs = st.builds(
    lambda r, t, i, n, rc: f"{r}_{t}_{i}@{n}={rc}",
    st.sampled_from(["web-ip", "web-server", "ping", "ping:0", "nosuch"]),
    op_names, st.sampled_from(["0", "10000", "²", "-1", "99999999999999999999"]),
    st.sampled_from(NODES + ["node9", ""]),
    st.sampled_from(["0", "1", "7", "-1", "999999999", "x"])) | awkward_text


@st.composite
def event_jobs(draw):
    """crm_simulate's event flags on a sample, with awkward values."""
    argv = ["simulate", "cluster.crm", "-S"]
    for flag, values in (("-u", st.sampled_from(NODES + ["node9", ""]) | awkward_text),
                         ("-d", st.sampled_from(NODES + ["node9"])),
                         ("-f", st.sampled_from(NODES + ["node9"]) | awkward_text),
                         ("-i", opspecs), ("-F", opspecs),
                         ("-t", date_values | awkward_text),
                         ("-q", st.sampled_from(["0", "1", "true", "x", ""])),
                         ("-w", st.sampled_from(["0", "1", "x"])),
                         ("-g", st.sampled_from(["t1", "", "\x1b"])),
                         ("-r", st.sampled_from(["t1", "t2"])),
                         ("-b", st.sampled_from(["t1"])), ("-e", st.sampled_from(["t1"]))):
        for value in draw(st.lists(values, max_size=2)):
            argv += [flag, value]
    for flag in draw(st.lists(st.sampled_from(["-D", "-G", "-O", "-I"]), max_size=2,
                              unique=True)):
        argv += [flag, draw(st.sampled_from(["out.dot", "out.xml", "", "nodir/x.xml",
                                             "cluster.crm"]))]
    if draw(st.booleans()):
        argv.append(draw(st.sampled_from(["-s", "-U", "-A", "-c", "--optimal"])))
    return {"kind": "events", "files": {}, "sample": "webfarm.crm", "sample_as": "cluster.crm",
            "argv": argv,
            "resources": []}


@st.composite
def scenario_jobs(draw):
    """Scenario files: awkward times, configs and event values, and TOML
    that does not parse."""
    at_values = st.sampled_from(["5", "60", '"10s"', '"2h"', '"P1D"', "inf", "nan", "-inf",
                                 "1e300", "-5", "[1]", "{a = 1}", '"2026-01-01T00:00:00Z"',
                                 "9999-12-31T23:59:00Z", '"x"', "true", '""'])
    lines = [draw(st.sampled_from(['config = "cluster.crm"', "config = []", 'config = ""',
                                   'config = ["cluster.crm"]', "config = 5",
                                   'config = "missing.crm"']))]
    if draw(st.booleans()):
        lines.append("start = " + draw(st.sampled_from(
            ['"2026-01-01 00:00:00Z"', "9999-12-31T23:59:00Z", '"notadate"', "0001-01-01",
             "5"])))
    if draw(st.booleans()):
        lines.append("until = " + draw(at_values))
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(["node-fail", "node-up", "standby", "op", "cleanup",
                                    "ticket-grant", "note", "bogus"]))
        value = draw(st.sampled_from(['"node1"', '"node9"', '["node1", "node2"]', "[[1]]",
                                      '"web-ip_monitor_10000@node1=1"', "5", '""',
                                      "[" * 50 + "]" * 50]))
        lines += ["", "[[event]]", f"at = {draw(at_values)}", f"{key} = {value}"]
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 7)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["=", "[", '"', "\x00", "]]"])) + text[at:]
    return {"kind": "scenario", "files": {"s.toml": text.encode()}, "sample": "webfarm.crm",
            "sample_as": "cluster.crm", "argv": ["scenario", "s.toml"], "resources": []}


def all_jobs():
    from tests.fuzz.mutate import mutation_jobs
    # the corpus mutations count twice: real CIBs reach deepest into the engine
    return st.one_of(crm_jobs(), cib_jobs(), event_jobs(), scenario_jobs(), mutation_jobs(),
                     mutation_jobs())
