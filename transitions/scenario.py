"""Events over time: a scenario runs the scheduler at every event and
whenever a failure expires or a re-check falls due, carrying each transition
out as crm_simulate would, and records a timeline.

A scenario file is TOML::

    config = "haproxy.crm"            # crm text or CIB XML, relative to this file
    status = "status.xml"             # optional: a CIB whose status to start from
    start = "2026-01-01 00:00:00Z"    # optional: the time of the first step
    until = "10m"                     # optional: stop after this long (default: last event)

    [[event]]
    at = "10s"                        # offset from start (or an ISO 8601 date-time)
    op = "haproxy_monitor_10000@node1=1"   # an operation result (crm_simulate's OPSPEC)

Event keys (one or more per event): ``op`` (an OPSPEC or a list of them),
``node-fail``, ``node-up``, ``node-down``, ``standby``, ``online`` (node
names or lists), ``ticket-grant``, ``ticket-revoke``, ``ticket-standby``,
``ticket-activate``, ``cleanup`` (``RSC`` or ``RSC@NODE``), ``configure``
(crm text whose objects replace or add to the configuration), ``delete``
(ids of configuration objects to remove), ``note`` (free text shown in the
timeline).
"""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from attrs import evolve, field, frozen

from pengine.cib import model as m
from pengine.cib.errors import InputError, UsageError
from pengine.cib.span import Span

EVENT_KEYS = ("op", "node-fail", "node-up", "node-down", "standby", "online", "ticket-grant",
              "ticket-revoke", "ticket-standby", "ticket-activate", "cleanup", "configure",
              "delete", "note")
MAX_STEPS = 1000   # a scenario whose re-checks never settle must still end


@frozen
class Event:
    at: int                      # seconds from the start
    actions: tuple[tuple[str, tuple[str, ...]], ...]   # (key, values) in file order
    line: int | None = None

    def describe(self) -> str:
        parts = []
        for key, values in self.actions:
            if key == "configure":
                parts.append("configure: " + "; ".join(v.strip().splitlines()[0] + (
                    " ..." if len(v.strip().splitlines()) > 1 else "") for v in values))
            else:
                parts.append(f"{key} {', '.join(values)}")
        return "; ".join(parts)


@frozen
class Scenario:
    path: str
    cib: m.Cib
    start: datetime
    events: tuple[Event, ...] = field(converter=tuple)
    until: int | None = None


@frozen
class Step:
    """One run of the scheduler and what became of it."""

    at: int                                  # seconds from the start
    when: datetime
    cause: str                               # the events, or why the scheduler ran
    summary: tuple[str, ...]                 # Transition Summary lines
    executed: tuple[str, ...]                # Executing Cluster Transition lines
    failcounts: tuple[tuple[str, str, int], ...]    # (resource, node, effective count)
    placement: tuple[tuple[str, str], ...]   # (resource, where/role) after the transition
    # For renderings that show more than the text (transitions.report): the
    # step's transition and the CIB it left behind.
    transition: object = field(default=None, eq=False, repr=False)
    cib: m.Cib | None = field(default=None, eq=False, repr=False)


# ------------------------------------------------------------------ load ---

def _error(path: str, message: str, line: int | None = None, column: int = 1) -> InputError:
    return InputError(message, Span(path, line or 1, column))


# A scenario spans at most a century: an offset past it (1e300, inf) is a typo.
MAX_OFFSET_SECONDS = 100 * 366 * 24 * 3600


def _offset_seconds(path: str, value, start: datetime, line: int | None) -> int:
    """Seconds from ``start``, checked: finite, within a century, and a date
    that the calendar holds (not past the year 9999)."""
    seconds = _raw_offset_seconds(path, value, start, line)
    if not -MAX_OFFSET_SECONDS <= seconds <= MAX_OFFSET_SECONDS:
        raise _error(path, f"'{value}' is more than a hundred years from the start", line)
    try:
        start + timedelta(seconds=seconds)
    except OverflowError:
        raise _error(path, f"'{value}' from the start ({start:%Y-%m-%d %H:%M:%SZ}) is past the "
                           "last date the calendar holds (year 9999)", line) from None
    return seconds


def _raw_offset_seconds(path: str, value, start: datetime, line: int | None) -> int:
    import math

    from pengine.common.dates import DateError, parse_datetime, parse_interval_ms
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        raise _error(path, f"'{value}' is neither a duration (10s, 5m, PT1M), a number of "
                           "seconds nor a date-time", line)
    if isinstance(value, float) and not math.isfinite(value):
        raise _error(path, f"'{value}' is not a time: give seconds, a duration (10s, 5m) "
                           "or a date-time", line)
    if isinstance(value, (int, float)):
        if abs(value) > MAX_OFFSET_SECONDS:
            raise _error(path, f"'{value}' is more than a hundred years from the start", line)
        return int(value)
    if isinstance(value, datetime):
        when = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return int((when - start).total_seconds())
    text = str(value).strip()
    if text.startswith("+"):
        text = text[1:]
    if any(c in text for c in "-:") and not text.upper().startswith("P"):
        try:
            return int((parse_datetime(text) - start).total_seconds())
        except DateError as error:
            raise _error(path, f"'at = {value}': {error}", line) from None
    ms = parse_interval_ms(text)
    if ms == 0 and text not in ("0", "0s", "PT0S"):
        raise _error(path, f"'at = {value}' is neither a duration (10s, 5m, PT1M) nor a "
                           "date-time", line)
    return ms // 1000


def _values(value) -> tuple[str, ...]:
    if isinstance(value, list):
        if any(isinstance(v, (list, dict)) for v in value):
            raise ValueError("a list of names or values, not a list of lists or tables")
        return tuple(str(v) for v in value)
    if isinstance(value, dict):
        raise ValueError("a name or a list of names, not a table")
    return (str(value),)


def _key_line(text: str, key: str) -> int | None:
    """The line of a top-level ``key = ...``, for error positions."""
    import re
    found = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _toml_position(error) -> tuple[int | None, int]:
    """tomllib says where in its message ("(at line 3, column 7)")."""
    import re
    found = re.search(r"at line (\d+), column (\d+)", str(error))
    if found:
        return int(found.group(1)), int(found.group(2))
    found = re.search(r"at end of document", str(error))
    return getattr(error, "lineno", None), getattr(error, "colno", 1) or 1


def _event_lines(text: str) -> list[int]:
    """Line numbers of the ``[[event]]`` headers, for error positions."""
    return [i for i, line in enumerate(text.splitlines(), 1)
            if line.strip().replace(" ", "") in ("[[event]]", "[[events]]")]


def _deep_nesting_position(text: str, limit: int = 100) -> tuple[int, int]:
    """Where brackets (outside quoted strings) first nest past ``limit``."""
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        quote = None
        for column, char in enumerate(line, 1):
            if quote:
                if char == quote:
                    quote = None
            elif char in "\"'":
                quote = char
            elif char == "#":
                break
            elif char in "[{":
                depth += 1
                if depth > limit:
                    return number, column
            elif char in "]}":
                depth -= 1
    return 1, 1


def load_scenario(path: str) -> Scenario:
    from pengine.cib.load import load_cib, read_text
    from pengine.common.dates import DateError, parse_datetime
    from pengine.cib.source import strip_bom
    raw = strip_bom(read_text(path))
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise _error(path, "a scenario is TOML text (this file is not UTF-8)") from None
    except tomllib.TOMLDecodeError as error:
        line, column = _toml_position(error)
        error_text = str(error).split(" (at ")[0]
        raise InputError(f"invalid TOML: {error_text}", Span(path, line or 1, column),
                         source=text) from None
    except RecursionError:
        # tomllib recurses once per nesting level; a legal scenario nests a few
        line, column = _deep_nesting_position(text)
        raise InputError("invalid TOML: arrays or inline tables nested too deeply",
                         Span(path, line, column), source=text) from None
    base = Path(path).resolve().parent
    config = data.get("config")
    if not isinstance(config, (str, list)) or config in ("", []) \
            or (isinstance(config, list) and not all(isinstance(c, str) and c for c in config)):
        raise _error(path, "'config' must name the configuration file (crm text or CIB XML), "
                           "or a list of crm files", _key_line(text, "config"))
    config_paths = [str(base / p) for p in _values(config)]
    cib = load_cib(config_paths)
    if data.get("status"):
        status_cib = load_cib(str(base / str(data["status"])))
        cib = evolve(cib, status=status_cib.status, attributes=status_cib.attributes)
    elif cib.source is not None and not cib.status.node_states:
        from pengine.transitions.simulate import bring_crm_cluster_up
        cib = bring_crm_cluster_up(cib)
    start_value = data.get("start", "2026-01-01 00:00:00Z")
    try:
        start = start_value if isinstance(start_value, datetime) else \
            parse_datetime(str(start_value))
        if start.tzinfo is None:
            start = start.replace(tzinfo=timezone.utc)
    except DateError as error:
        raise _error(path, f"'start = {start_value}': {error}", _key_line(text, "start")) from None
    lines = _event_lines(text)
    events = []
    raw_events = data.get("event", data.get("events", []))
    if not isinstance(raw_events, list):
        raise _error(path, "events are written as [[event]] tables")
    for index, entry in enumerate(raw_events):
        line = lines[index] if index < len(lines) else None
        if not isinstance(entry, dict) or "at" not in entry:
            raise _error(path, "each [[event]] needs 'at' (when it happens)", line)
        unknown = [k for k in entry if k != "at" and k not in EVENT_KEYS]
        if unknown:
            raise _error(path, f"unknown event key '{unknown[0]}' (expected one of "
                               f"{', '.join(EVENT_KEYS)})", line)
        try:
            actions = tuple((k, _values(v)) for k, v in entry.items() if k != "at")
        except ValueError as error:
            raise _error(path, f"an event's value must be {error}", line) from None
        if not actions:
            raise _error(path, "an [[event]] needs something to happen", line)
        events.append(Event(_offset_seconds(path, entry["at"], start, line), actions, line))
    events.sort(key=lambda e: e.at)   # stable: same-time events keep file order
    until = data.get("until")
    until_s = _offset_seconds(path, until, start, _key_line(text, "until")) \
        if until is not None else None
    return Scenario(path, cib, start, events, until_s)


# ---------------------------------------------------------- applying events ---

def _set_node_attr(cib: m.Cib, node_name: str, name: str, value: str | None) -> m.Cib:
    """Set (or remove) a transient node attribute, as crm_attribute -l reboot would."""
    from pengine.transitions.simulate import _Status
    status = _Status(cib, 0)
    i = status.inject_node(node_name, None)
    state = status.states[i]
    sets = list(state.transient) or [m.AttrSet(id=f"status-{state.id}")]
    pairs = [p for p in sets[0].nvpairs if p.name != name]
    if value is not None:
        pairs.append(m.NvPair(name, value, id=f"status-{state.id}-{name}"))
    sets[0] = evolve(sets[0], nvpairs=pairs)
    status.states[i] = evolve(state, transient=sets, transient_id=state.transient_id or state.id)
    return evolve(cib, status=evolve(cib.status, node_states=status.states))


def _clear_failures(cib: m.Cib, rsc_id: str, node_name: str | None) -> m.Cib:
    """What the controller does after clear_failcount / crm_resource --cleanup:
    the fail-count and last-failure attributes go (and, for cleanup, the
    resource's history too, so that it is probed again)."""
    base = rsc_id.split(":", 1)[0]
    prefixes = (f"fail-count-{base}", f"last-failure-{base}")
    states = []
    for state in cib.status.node_states:
        if node_name is not None and state.uname != node_name:
            states.append(state)
            continue
        sets = [evolve(s, nvpairs=[p for p in s.nvpairs
                                   if not (p.name.startswith(prefixes)
                                           and p.name[len(prefixes[0 if p.name.startswith(
                                               prefixes[0]) else 1]):][:1] in ("#", ":", ""))])
                for s in state.transient]
        states.append(evolve(state, transient=sets))
    return evolve(cib, status=evolve(cib.status, node_states=states))


def _cleanup(cib: m.Cib, spec: str) -> m.Cib:
    rsc_id, _, node = spec.partition("@")
    cib = _clear_failures(cib, rsc_id, node or None)
    base = rsc_id.split(":", 1)[0]
    states = []
    for state in cib.status.node_states:
        if node and state.uname != node:
            states.append(state)
            continue
        kept = [e for e in state.lrm_resources if e.id.split(":", 1)[0] != base]
        states.append(evolve(state, lrm_resources=kept))
    return evolve(cib, status=evolve(cib.status, node_states=states))


def _configure(cib: m.Cib, text: str, path: str) -> m.Cib:
    """crm text whose objects replace same-id ones or are added."""
    from pengine.cib.crm_text import read_crm
    edit = read_crm(text, f"{path} (configure)")
    config = cib.configuration
    fields = {}
    for name in ("crm_config", "rsc_defaults", "op_defaults", "nodes", "resources",
                 "constraints", "tags"):
        current = list(getattr(config, name))
        for item in getattr(edit, name):
            item_id = getattr(item, "id", None)
            for k, existing in enumerate(current):
                if item_id is not None and getattr(existing, "id", None) == item_id:
                    current[k] = item
                    break
            else:
                current.append(item)
        fields[name] = tuple(current)
    return evolve(cib, configuration=evolve(config, **fields))


def _delete(cib: m.Cib, object_id: str) -> m.Cib:
    config = cib.configuration
    fields = {}
    for name in ("resources", "constraints", "tags"):
        fields[name] = tuple(o for o in getattr(config, name)
                             if getattr(o, "id", None) != object_id)
    return evolve(cib, configuration=evolve(config, **fields))


_NODE_EVENTS = ("node-fail", "node-down", "standby", "online")


def apply_event(cib: m.Cib, event: Event, epoch: int, path: str) -> m.Cib:
    from pengine.transitions.inject import Injections, apply_injections, known_node_names
    for key, values in event.actions:
        if key in _NODE_EVENTS:
            known = known_node_names(cib)
            for node in values:
                if node not in known:
                    raise _error(path, f"{key} = \"{node}\": there is no node '{node}' "
                                       f"(known nodes: {', '.join(known) or 'none'})",
                                 event.line)
        if key == "note":
            continue
        if key == "configure":
            for text in values:
                cib = _configure(cib, text, path)
        elif key == "delete":
            for object_id in values:
                cib = _delete(cib, object_id)
        elif key == "cleanup":
            for spec in values:
                cib = _cleanup(cib, spec)
        elif key in ("standby", "online"):
            for node in values:
                cib = _set_node_attr(cib, node, "standby", "on" if key == "standby" else None)
        else:
            field_name = {"op": "op_inject"}.get(key, key.replace("-", "_"))
            _, cib = apply_injections(cib, Injections(**{field_name: values}), epoch)
            if key == "op":
                for spec in values:
                    cib = _record_digest(cib, spec, epoch)
    return cib


def _record_digest(cib: m.Cib, spec: str, epoch: int) -> m.Cib:
    """An executor records the op-digest of what it ran; crm_simulate's -i
    does not, which makes the definition look changed (and the fail count
    cleared).  A scenario's results are the executor's."""
    from pengine.common.dates import from_epoch
    from pengine.status.digests_compare import compute
    from pengine.status.unpack import unpack
    from pengine.transitions.inject import parse_op_spec
    rsc_id, task, interval, node_name, rc = parse_op_spec(spec)
    sch = unpack(cib, from_epoch(epoch))
    rsc = sch.find_resource(rsc_id)
    node = sch.find_node(node_name)
    if rsc is None or node is None or rsc.variant != "primitive":
        return cib
    recorded = m.LrmRscOp(id="probe", attributes=[("operation", task),
                                                  ("interval", str(interval))])
    digest = compute(sch, rsc, recorded, node).all
    states = []
    for state in cib.status.node_states:
        if state.uname == node_name:
            entries = []
            for entry in state.lrm_resources:
                if entry.id.split(":", 1)[0] == rsc_id.split(":", 1)[0]:
                    ops = [evolve(op, attributes=list(op.attributes) + [("op-digest", digest)])
                           if op.get("op-digest") is None and op.get("operation") == task
                           else op for op in entry.ops]
                    entry = evolve(entry, ops=ops)
                entries.append(entry)
            state = evolve(state, lrm_resources=entries)
        states.append(state)
    return evolve(cib, status=evolve(cib.status, node_states=states))


# ------------------------------------------------------------------- run ---

def _placement(sch) -> tuple[tuple[str, str], ...]:
    from pengine.status.cluster import Role
    result = []
    for rsc in sch.all_resources.values():
        if rsc.variant != "primitive" or rsc.meta.get("internal") == "true":
            continue
        nodes = [n.name for n in rsc.running_on]
        if not nodes:
            where = "Stopped"
        else:
            role = "Promoted " if rsc.role == Role.PROMOTED else ""
            where = role + " ".join(nodes)
        result.append((rsc.id, where))
    return tuple(sorted(result))


def _failcounts(sch) -> tuple[tuple[str, str, int], ...]:
    from pengine.status.failcounts import get_failcount
    result = []
    for rsc in sch.all_resources.values():
        if rsc.variant != "primitive":
            continue
        for node in sch.nodes:
            count = get_failcount(sch, node, rsc)
            if isinstance(count, tuple):
                count = count[0]
            if count:
                result.append((rsc.id, node.name, count))
    return tuple(sorted(result))


def _one_step(cib: m.Cib, when: datetime):
    """Schedule at ``when`` and carry the transition out: (scheduler, transition,
    summary lines, executed lines, resulting CIB)."""
    from pengine.common.dates import to_epoch
    from pengine.schedule.driver import schedule
    from pengine.transitions.graph import create_graph
    from pengine.transitions.simulate import run as execute
    from pengine.schedule.summary import transition_summary
    sch = schedule(cib, when)
    transition = create_graph(sch)
    fired: list = []
    executed, new_cib, _ = execute(transition, cib, to_epoch(when), [], sch.start_failure_fatal,
                                   fired_log=fired)
    # The controller clears expired fail counts it was asked to clear.
    for action, ok in fired:
        if ok and action.task == "clear_failcount" and action.rsc_id:
            new_cib = _clear_failures(new_cib, action.rsc_config_id or action.rsc_id,
                                      action.node)
    return sch, transition, transition_summary(sch), executed, new_cib


def run_scenario(scenario: Scenario) -> list[Step]:
    from pengine.status.unpack import unpack
    from pengine.common.dates import to_epoch
    steps: list[Step] = []
    cib = scenario.cib
    pending = list(scenario.events)
    end = scenario.until if scenario.until is not None else \
        (pending[-1].at if pending else 0)
    at, cause = 0, "start"
    for _ in range(MAX_STEPS):
        when = scenario.start + timedelta(seconds=at)
        due = [e for e in pending if e.at <= at]
        pending = [e for e in pending if e.at > at]
        if due:
            cause = "; ".join(e.describe() for e in due)
            for event in due:
                cib = apply_event(cib, event, to_epoch(when), scenario.path)
        sch, transition, summary, executed, cib = _one_step(cib, when)
        after = unpack(cib, when)
        steps.append(Step(at, when, cause, tuple(summary), tuple(executed),
                          _failcounts(after), _placement(after), transition, cib))
        # When must the scheduler run next? At the next event, or when a
        # failure expires or a rule changes its mind (the graph's recheck-by).
        candidates = [e.at for e in pending]
        recheck = max(sch.recheck_by, after.recheck_by)
        for value in (sch.recheck_by, after.recheck_by):
            if value and value > to_epoch(when):
                candidates.append(value - to_epoch(scenario.start))
        del recheck
        candidates = [c for c in candidates if c > at]
        if not candidates:
            break
        nxt = min(candidates)
        if nxt > end and not pending:
            break
        cause = "re-check (a failure expires or a rule changes)" \
            if not any(e.at == nxt for e in pending) else ""
        at = nxt
    return steps


# --------------------------------------------------------------- output ---

def _clock(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"T{sign}{hours:d}:{minutes:02d}:{secs:02d}" if hours else \
        f"T{sign}{minutes:d}:{secs:02d}"


def timeline_lines(steps: list[Step]) -> list[str]:
    lines: list[str] = []
    for step in steps:
        lines.append(f"{_clock(step.at)}  {step.when.strftime('%Y-%m-%d %H:%M:%SZ')}  "
                     f"{step.cause}")
        if step.summary:
            lines += ["  Transition Summary:"] + [f"  {line}" for line in step.summary]
        else:
            lines.append("  Transition Summary: nothing to do")
        if step.failcounts:
            lines.append("  Fail counts: " + ", ".join(
                f"{rsc}@{node}={count}" for rsc, node, count in step.failcounts))
        else:
            lines.append("  Fail counts: none")
        lines.append("  Placement: " + ", ".join(f"{rsc} {where}"
                                                 for rsc, where in step.placement))
        lines.append("")
    return lines


def check_usage(path: str) -> None:
    if not path.endswith(".toml"):
        raise UsageError(f"{path}: a scenario is a .toml file")
