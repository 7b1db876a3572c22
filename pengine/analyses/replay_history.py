"""The transitions a real cluster computed, replayed: ``pengine history``.

A Pacemaker DC saves every scheduler input as
``/var/lib/pacemaker/pengine/pe-{input,warn,error}-N.bz2`` and logs
"Calculated transition T, saving inputs in .../pe-input-N.bz2".  Given a
pengine directory, a ``crm_report`` archive (``.tar.bz2``/``.tar.gz``) or its
unpacked folder, this module finds those inputs (and the logs, when there are
any), orders them, and for each one says what changed since the previous
input (nodes, failed operations, configuration, tickets, node attributes),
which transition(s) the logs computed from it, the Transition Summary it
produces and why.

Inputs are handled one at a time (only the previous one is kept), so a
directory of 10,000 inputs streams.  Pacemaker numbers each series
separately and wraps at ``pe-input-series-max``: the order is the files'
modification time, then the number.
"""

from __future__ import annotations

import bz2
import os
import re
import tarfile
from datetime import datetime
from typing import Iterator

from attrs import field, frozen

from pengine.cib import model as m
from pengine.cib.errors import InputError, UsageError
from pengine.cib.xml_source import MAX_XML_BYTES

PE_FILE = re.compile(r"^pe-(?P<series>input|warn|error)-(?P<number>\d+)(?:\.bz2)?$")
LOG_FILE = re.compile(r"(pacemaker\.log|ha-log|cluster-log|corosync\.log|messages|journal)"
                      r"[\w.-]*$")
CALCULATED = re.compile(r"Calculated transition (?P<transition>\d+)"
                        r"(?: \(with (?P<kind>warnings|errors)\))?, saving inputs in "
                        r"(?P<path>\S+)")
MAX_LOG_BYTES = 512 * 1024 * 1024
# The version pengine schedules as (Pacemaker 3.0.2): its CRM_FEATURE_SET and newest schema
SCHEDULES_AS = "3.0.2"
FEATURE_SET = (3, 20)
SCHEMA = "pacemaker-4.0"

OCF_RC = {0: "ok", 1: "error", 2: "invalid parameter", 3: "unimplemented feature",
          4: "insufficient privileges", 5: "not installed", 6: "not configured",
          7: "not running", 8: "promoted", 9: "failed promoted", 190: "degraded",
          191: "degraded promoted", 193: "pending"}
EXEC_STATUS = {1: "cancelled", 2: "timed out", 3: "not supported", 4: "error",
               5: "not installed", 6: "not connected", 7: "invalid", 8: "no fence device",
               9: "no secrets"}


# ------------------------------------------------------------ locating --

@frozen
class InputRef:
    """One scheduler input file, found but not yet read."""

    series: str                  # pe-input, pe-warn, pe-error
    number: int
    name: str                    # as shown: the path inside the directory or archive
    host: str | None             # crm_report's node directory, if any
    mtime: float
    path: str | None = None      # a file on disk, or
    data: bytes | None = field(default=None, repr=False)   # its bytes from an archive

    @property
    def label(self) -> str:
        return f"{self.series}-{self.number}"


@frozen
class LoggedTransition:
    transition: int
    file: str                    # the basename the log names
    host: str | None
    when: str                    # the log line's time stamp, as written
    kind: str | None             # warnings / errors


@frozen
class Source:
    inputs: tuple[InputRef, ...]
    logged: tuple[LoggedTransition, ...]
    kind: str                    # directory / archive


def _host_of(parts: list[str]) -> str | None:
    """crm_report keeps a node's files in REPORT/NODE/...: the directory above
    ``pengine`` (or above a log file)."""
    if len(parts) >= 3 and parts[-2] == "pengine":
        return parts[-3]
    if len(parts) >= 3:
        return parts[-2]
    return None


def _scan_log(lines, host: str | None, found: dict) -> None:
    for line in lines:
        if "Calculated transition" not in line:
            continue
        hit = CALCULATED.search(line)
        if hit is None:
            continue
        basename = hit.group("path").rstrip(".,").rsplit("/", 1)[-1]
        when = " ".join(line.split()[:3])
        key = (host, int(hit.group("transition")), basename)
        found.setdefault(key, LoggedTransition(int(hit.group("transition")), basename, host,
                                               when, hit.group("kind")))


def locate(path: str) -> Source:
    """Every scheduler input under ``path`` and the transitions its logs name."""
    if os.path.isdir(path):
        return _locate_directory(path)
    if os.path.isfile(path):
        if tarfile.is_tarfile(path):
            return _locate_archive(path)
        found = PE_FILE.match(os.path.basename(path))
        if found:
            ref = InputRef(f"pe-{found.group('series')}", int(found.group("number")), path, None,
                           os.path.getmtime(path), path=path)
            return Source((ref,), (), "file")
        raise UsageError(f"{path}: neither a pengine directory, a crm_report archive "
                         "(.tar.bz2/.tar.gz) nor a pe-input file")
    raise UsageError(f"cannot read {path}: No such file or directory")


def _locate_directory(root: str) -> Source:
    inputs: list[InputRef] = []
    logged: dict = {}
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        rel = os.path.relpath(directory, root)
        parts = [] if rel == "." else rel.split(os.sep)
        for name in sorted(files):
            full = os.path.join(directory, name)
            found = PE_FILE.match(name)
            if found:
                inputs.append(InputRef(f"pe-{found.group('series')}", int(found.group("number")),
                                       os.path.join(rel, name) if parts else name,
                                       _host_of(parts + [name]), os.path.getmtime(full),
                                       path=full))
            elif LOG_FILE.search(name) and os.path.getsize(full) <= MAX_LOG_BYTES:
                with open(full, encoding="utf-8", errors="replace") as handle:
                    _scan_log(handle, _host_of(parts + [name]), logged)
    return Source(tuple(_ordered(inputs, logged)), tuple(logged.values()), "directory")


def _locate_archive(path: str) -> Source:
    inputs: list[InputRef] = []
    logged: dict = {}
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                parts = [p for p in member.name.split("/") if p not in ("", ".")]
                name = parts[-1] if parts else ""
                found = PE_FILE.match(name)
                if found and member.size <= MAX_XML_BYTES:
                    data = archive.extractfile(member).read()
                    inputs.append(InputRef(f"pe-{found.group('series')}",
                                           int(found.group("number")), "/".join(parts),
                                           _host_of(parts), float(member.mtime), data=data))
                elif LOG_FILE.search(name) and member.size <= MAX_LOG_BYTES:
                    import io
                    raw = archive.extractfile(member)
                    _scan_log(io.TextIOWrapper(raw, encoding="utf-8", errors="replace"),
                              _host_of(parts), logged)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise UsageError(f"cannot read the archive {path}: {error}") from None
    return Source(tuple(_ordered(inputs, logged)), tuple(logged.values()), "archive")


def _ordered(inputs: list[InputRef], logged: dict | None = None) -> list[InputRef]:
    """By modification time (one second in a tar archive), then by the first
    transition the logs computed from the file, then by number."""
    first: dict = {}
    for entry in (logged or {}).values():
        key = (entry.host, entry.file)
        first[key] = min(first.get(key, entry.transition), entry.transition)
    single = len({ref.host for ref in inputs}) <= 1
    if single:
        for entry in (logged or {}).values():
            first[(None, entry.file)] = min(first.get((None, entry.file), entry.transition),
                                            entry.transition)

    def key(ref):
        name = ref.name.rsplit("/", 1)[-1]
        name = name if name.endswith(".bz2") else name + ".bz2"
        transition = first.get((None if single else ref.host, name), float("inf"))
        return (*_header_stamp(ref), transition, ref.number, ref.series, ref.host or "")
    return sorted(inputs, key=key)


_CIB_TAG = re.compile(rb"<cib\b[^>]*>")
_CIB_ATTRIBUTE = re.compile(rb'\s([\w-]+)="(\d+)"')


def _header_stamp(ref: InputRef) -> tuple[int, int, int, int]:
    """(execution-date, admin_epoch, epoch, num_updates) from the head of the
    file (the ``<cib>`` tag); the date falls back to the modification time.
    Copies and checkouts change modification times, the scheduler's own
    stamp stays, and within one second the CIB's version orders the inputs."""
    try:
        if ref.data is not None:
            data = ref.data[:1 << 20]
        else:
            with open(ref.path, "rb") as handle:
                data = handle.read(1 << 20)
        if data.startswith(b"BZh"):
            data = bz2.BZ2Decompressor().decompress(data, max_length=8192)
        tag = _CIB_TAG.search(data[:8192])
        if tag:
            values = {k.decode(): int(v) for k, v in _CIB_ATTRIBUTE.findall(tag.group(0))}
            return (values.get("execution-date", int(ref.mtime)), values.get("admin_epoch", 0),
                    values.get("epoch", 0), values.get("num_updates", 0))
    except (OSError, EOFError, ValueError):
        pass
    return (int(ref.mtime), 0, 0, 0)


# -------------------------------------------------------------- reading --

def read_input(ref: InputRef) -> m.Cib:
    """One scheduler input, read as every subcommand reads a file (cib.source:
    capped, bz2 by content, a bomb refused)."""
    from pengine.cib.load import parse_config, read_text
    from pengine.cib.source import decode_input
    data = decode_input(ref.data, ref.name) if ref.data is not None else read_text(ref.path)
    if not data.lstrip()[:1] == b"<":
        raise InputError(f"{ref.name}: not a CIB (a scheduler input is CIB XML)")
    return parse_config(data, ref.name)


# ------------------------------------------------------------- versions --

def _property(cib: m.Cib, name: str) -> str | None:
    for attr_set in cib.configuration.crm_config:
        for pair in getattr(attr_set, "nvpairs", ()) or ():
            if getattr(pair, "name", None) == name:
                return pair.value
    return None


def version_of(cib: m.Cib) -> dict:
    """Which Pacemaker wrote the input, and whether pengine schedules as it."""
    feature_set = cib.get("crm_feature_set")
    schema = cib.get("validate-with")
    dc_version = _property(cib, "dc-version")
    written_by = dc_version.split("-", 1)[0] if dc_version else None
    warning = None
    parsed = None
    if feature_set:
        try:
            parsed = tuple(int(x) for x in feature_set.split(".")[:2])
        except ValueError:
            parsed = None
    if written_by and not written_by.startswith("3.0"):
        warning = (f"written by Pacemaker {written_by}; pengine schedules as Pacemaker "
                   f"{SCHEDULES_AS}: the replay shows what {SCHEDULES_AS} would do")
    elif not written_by and parsed and parsed < FEATURE_SET:
        warning = (f"written by a Pacemaker older than 3.0 (feature set {feature_set}); "
                   f"pengine schedules as Pacemaker {SCHEDULES_AS}")
    return {"pacemaker": dc_version, "crm_feature_set": feature_set, "validate_with": schema,
            "warning": warning}


# ------------------------------------------------------------- changes --

@frozen
class Snapshot:
    """What one input says, reduced to what the next one is compared with."""

    nodes: dict            # name -> state word (online, offline, unclean, standby, ...)
    placement: dict        # resource -> text ("Started pk1", "Stopped", "FAILED pk1")
    failures: dict         # (node, op id) -> failure dict
    attributes: dict       # node -> {name: value}
    tickets: dict          # ticket -> {attribute: value}
    configuration: m.Configuration
    sch: object = field(eq=False, repr=False)


def _node_word(node) -> str:
    if node.unclean:
        return "unclean"
    if not node.online:
        return "offline"
    for flag in ("standby", "maintenance", "shutdown", "pending"):
        if getattr(node, flag):
            return flag
    return "online"


def _failures(cib: m.Cib) -> dict:
    out = {}
    for state in cib.status.node_states:
        node = state.uname or state.id
        for lrm in state.lrm_resources:
            for op in lrm.ops:
                failure = _failure(op)
                if failure is not None:
                    # X_last_0 and X_last_failure_0 may record the same result
                    key = (node, lrm.id, failure["operation"], failure["interval_ms"],
                           failure["call_id"])
                    out[key] = {"node": node, "resource": lrm.id, **failure}
    return out


def _failure(op: m.LrmRscOp) -> dict | None:
    """The failure an operation records (rc or execution status), else None."""
    try:
        rc = int(op.get("rc-code", "0"))
        status = int(op.get("op-status", "0"))
    except ValueError:
        return None
    key = op.get("transition-key") or ""
    try:
        expected = int(key.split(":")[2])
    except (IndexError, ValueError):
        expected = 0
    if status in (-1, 0) and (rc == expected or rc == 193):
        return None
    if status == 1:       # cancelled
        return None
    task = op.get("operation") or "?"
    if task == "monitor" and (op.get("interval") or "0") == "0" and status == 0 \
            and rc in (0, 8):
        return None       # a probe that found the resource active: not a failure
    task = op.get("operation") or "?"
    interval = op.get("interval") or "0"
    return {"operation": task, "interval_ms": int(interval) if interval.isdigit() else 0,
            "rc": rc, "rc_text": OCF_RC.get(rc, "unknown"), "expected_rc": expected,
            "status": EXEC_STATUS.get(status, "done" if status == 0 else str(status)),
            "exit_reason": op.get("exit-reason") or None,
            "call_id": op.get("call-id"), "last_rc_change": op.get("last-rc-change")}


def _placement(sch) -> dict:
    out = {}
    for rsc in sch.all_resources.values():
        if rsc.variant != "primitive":
            continue
        where = " ".join(sorted(n.name for n in rsc.running_on))
        role = rsc.role.text if where else "Stopped"
        text = f"{role} {where}".strip()
        if rsc.failed:
            text = f"FAILED {where}".strip()
        out[rsc.clone_name or rsc.id] = text
    return out


def snapshot(cib: m.Cib, sch) -> Snapshot:
    attributes = {}
    for state in cib.status.node_states:
        values = {}
        for attr_set in state.transient:
            for pair in getattr(attr_set, "nvpairs", ()) or ():
                values[pair.name] = pair.value
        attributes[state.uname or state.id] = values
    tickets = {t.id: dict(t.attributes) for t in cib.status.tickets}
    return Snapshot(nodes={n.name: _node_word(n) for n in sch.nodes},
                    placement=_placement(sch), failures=_failures(cib),
                    attributes=attributes, tickets=tickets,
                    configuration=cib.configuration, sch=sch)


_NODE_EVENTS = {("offline", "online"): "joined", ("online", "offline"): "left",
                ("unclean", "offline"): "fenced", ("online", "unclean"): "lost (unclean)"}


def changes_between(before: Snapshot | None, after: Snapshot, old_name: str,
                    new_name: str) -> tuple[list[dict], list[str]]:
    """(events, configuration diff lines) from one input to the next."""
    from pengine.cib.crm_delta import config_delta
    events: list[dict] = []
    if before is None:
        return events, []
    for name, word in after.nodes.items():
        was = before.nodes.get(name)
        if was == word:
            continue
        if was is None:
            events.append({"kind": "node", "node": name, "change": "added",
                           "text": f"node {name} added ({word})"})
            continue
        change = _NODE_EVENTS.get((was, word), f"{was} -> {word}")
        events.append({"kind": "node", "node": name, "change": change,
                       "text": f"node {name} {change}" + ("" if change in _NODE_EVENTS.values()
                                                          else "")})
    for name in before.nodes:
        if name not in after.nodes:
            events.append({"kind": "node", "node": name, "change": "removed",
                           "text": f"node {name} removed"})
    for key, failure in after.failures.items():
        old = before.failures.get(key)
        if old is not None and (old["call_id"], old["last_rc_change"], old["rc"]) == \
                (failure["call_id"], failure["last_rc_change"], failure["rc"]):
            continue
        interval = f" (every {failure['interval_ms'] // 1000} s)" if failure["interval_ms"] \
            else ""
        text = (f"{failure['resource']} {failure['operation']}{interval} failed on "
                f"{failure['node']}: rc={failure['rc']} ({failure['rc_text']})")
        if failure["status"] not in ("done",):
            text += f", {failure['status']}"
        if failure["exit_reason"]:
            text += f", exit reason '{failure['exit_reason']}'"
        events.append({"kind": "failure", **failure, "text": text})
    for rsc, where in after.placement.items():
        was = before.placement.get(rsc)
        if was is not None and was != where:
            events.append({"kind": "resource", "resource": rsc, "from": was, "to": where,
                           "text": f"{rsc}: {was} -> {where}"})
    for node in sorted(set(before.attributes) | set(after.attributes)):
        old, new = before.attributes.get(node, {}), after.attributes.get(node, {})
        for name in sorted(set(old) | set(new)):
            if name.startswith(("#", "last-failure-")):
                continue    # the controller's own bookkeeping; failures are listed above
            if old.get(name) != new.get(name):
                events.append({"kind": "attribute", "node": node, "name": name,
                               "from": old.get(name), "to": new.get(name),
                               "text": f"node attribute {name} on {node}: "
                                       f"{old.get(name, '(unset)')} -> "
                                       f"{new.get(name, '(unset)')}"})
    for ticket in sorted(set(before.tickets) | set(after.tickets)):
        old, new = before.tickets.get(ticket, {}), after.tickets.get(ticket, {})
        for name in sorted(set(old) | set(new)):
            if name in ("last-granted",):
                continue
            if old.get(name) != new.get(name):
                events.append({"kind": "ticket", "ticket": ticket, "name": name,
                               "from": old.get(name), "to": new.get(name),
                               "text": f"ticket {ticket} {name}: {old.get(name, '(unset)')}"
                                       f" -> {new.get(name, '(unset)')}"})
    diff = []
    if before.configuration != after.configuration:
        diff = config_delta(before.configuration, after.configuration, old_name, new_name)
    return events, diff


# ----------------------------------------------------------- the replay --

def replay(cib: m.Cib, now: datetime):
    """Schedule ``cib`` as crm_simulate -R does: (scheduler, summary writer, transition)."""
    from pengine.schedule.driver import PHASES
    from pengine.status.unpack import unpack
    from pengine.transitions.graph import create_graph
    from pengine.schedule.summary import summary_writer
    sch = unpack(cib, now)
    for phase in PHASES:
        phase(sch)
    transition = create_graph(sch)
    return sch, summary_writer(sch), transition


def why(entry: dict, sch, events: list[dict], before: Snapshot | None = None,
        current: Snapshot | None = None) -> str:
    """Why the transition does this (explain's reasons, and what changed)."""
    from pengine.analyses.explain import _primitives, _why_here, _why_not
    change, rsc_id = entry.get("change"), entry.get("resource")
    if rsc_id is None:
        node = entry.get("node")
        for event in events:
            if event["kind"] == "node" and event.get("node") == node:
                return f"node {node} {event['change']}"
        return entry.get("reason") or ""
    reasons = []
    base = rsc_id.split(":")[0]
    failures = [e for e in events if e["kind"] == "failure"]
    if change in ("Recover", "Restart", "Stop") and current is not None:
        failures += list(current.failures.values())
    for event in failures:
        if event["resource"].split(":")[0] == base:
            reasons.append(f"its {event['operation']} failed on {event['node']} "
                           f"(rc={event['rc']} {event['rc_text']})")
    if current is not None:
        where = current.placement.get(rsc_id, "").split()[1:]
        if len(where) > 1:
            reasons.append(f"it is active on {len(where)} nodes at once ({', '.join(where)}): "
                           "multiple-active recovery")
    if before is not None:
        was = before.placement.get(rsc_id, "")
        for event in events:
            if event["kind"] == "node" and event["change"] != "joined" and \
                    event["node"] in was.split()[1:]:
                reasons.append(f"it ran on {event['node']}, which {event['change']}")
    if entry.get("reason"):
        reasons.append(f"due to {entry['reason']}")
    if change in ("Move", "Start", "Recover", "Migrate", "Restart"):
        origin = entry.get("from")
        for event in events:
            if event["kind"] == "node" and event.get("node") == origin and \
                    event["change"] in ("left", "lost (unclean)", "fenced", "offline -> standby"):
                reasons.append(f"{origin} {event['change']}")
    try:
        _, prims = _primitives(sch, rsc_id)
    except Exception:  # noqa: BLE001 - a reason is a help, never a failure
        prims = []
    for prim in prims[:1]:
        if change in ("Stop",) or prim.assigned_node is None:
            reasons += [line.removeprefix("It will not run: ") for line in _why_not(sch, prim)]
        elif change in ("Move", "Start", "Migrate") or not reasons:
            reasons.append(_why_here(prim))
    return "; ".join(dict.fromkeys(r for r in reasons if r))


@frozen
class Range:
    """``--from``/``--to``: input labels (pe-input-42) or epoch seconds."""

    first: str | None = None
    last: str | None = None
    since: int | None = None
    until: int | None = None


def parse_bound(text: str | None, flag: str):
    """An input (``42`` for pe-input-42, or ``pe-warn-3``) or a date: (label, epoch)."""
    if text is None:
        return None, None
    plain = text.strip()
    found = re.fullmatch(r"(pe-(?:input|warn|error)-)?(\d+)(?:\.bz2)?", plain)
    if found and len(found.group(2)) < 8:
        return f"{found.group(1) or 'pe-input-'}{int(found.group(2))}", None
    from pengine.common.dates import DateError, parse_datetime, to_epoch
    try:
        return None, to_epoch(parse_datetime(plain.replace(" ", "T", 1)
                                             if re.match(r"\d{4}-\d\d-\d\d \d", plain)
                                             else plain))
    except DateError as error:
        raise UsageError(f"{flag} {text}: neither an input number nor a date ({error})") from None


def check_window(source: Source, window: Range) -> None:
    labels = {ref.label for ref in source.inputs}
    for bound, flag in ((window.first, "--from"), (window.last, "--to")):
        if bound is not None and bound not in labels:
            raise UsageError(f"{flag}: there is no {bound} here")


def _involves(record: dict, rsc: str) -> bool:
    def same(name):
        return name is not None and (name == rsc or name.split(":")[0] == rsc)
    if any(same(item.get("resource")) for item in record["summary"]):
        return True
    if any(same(event.get("resource")) for event in record["changes"]):
        return True
    return any(re.search(rf"(^|[\s(]){re.escape(rsc)}([\s:)]|$)", line)
               for line in record["configuration_diff"])


def _for_resource(record: dict, rsc: str) -> dict:
    def same(name):
        return name is not None and (name == rsc or name.split(":")[0] == rsc)
    out = dict(record)
    out["summary"] = [item for item in record["summary"] if same(item.get("resource"))]
    out["changes"] = [e for e in record["changes"]
                      if same(e.get("resource")) or e["kind"] == "node"]
    return out


def history(source: Source, *, window: Range = Range(), resource: str | None = None,
            progress=None, keep_for_report: bool = False) -> Iterator[dict]:
    """One record per input, in order (the caller prints as they come)."""
    from pengine.common.dates import format_datetime, from_epoch
    from pengine.status.unpack import unpack
    logged: dict[tuple[str | None, str], list[LoggedTransition]] = {}
    for entry in source.logged:
        logged.setdefault((entry.host, entry.file), []).append(entry)
    hosts_with_inputs = {ref.host for ref in source.inputs}
    previous: Snapshot | None = None
    previous_name = None
    total = len(source.inputs)
    check_window(source, window)
    started = window.first is None
    for index, ref in enumerate(source.inputs):
        if progress is not None:
            progress(index, total, ref.name)
        started = started or ref.label == window.first
        record = {"input": ref.label, "series": ref.series, "number": ref.number,
                  "file": ref.name, "host": ref.host}
        try:
            cib = read_input(ref)
        except (InputError, UsageError) as error:
            record.update({"error": error.render() if isinstance(error, InputError)
                           else error.message})
            if started:
                yield record
            if ref.label == window.last:
                break
            continue
        epoch = cib.get("execution-date")
        epoch = int(epoch) if epoch and epoch.isdigit() else int(ref.mtime)
        now = from_epoch(epoch)
        if window.until is not None and epoch > window.until:
            break
        sch_now = unpack(cib, now)
        current = snapshot(cib, sch_now)
        skip = not started or (window.since is not None and epoch < window.since)
        if not skip:
            events, diff = changes_between(previous, current, previous_name or "", ref.label)
            record.update(_describe(cib, ref, now, format_datetime, logged, hosts_with_inputs))
            record["first"] = previous is None
            record["changes"] = events
            record["configuration_diff"] = diff
            sch, summary, transition = replay(cib, now)
            items = []
            for entry in summary.entries:
                item = {k: v for k, v in entry.items()}
                item["why"] = why(entry, sch, events, previous, current)
                items.append(item)
            record["summary"] = items
            record["summary_text"] = summary.lines
            record["actions"] = sum(1 for _ in transition.synapses)
            if keep_for_report:
                record["_cib"] = cib
                record["_transition"] = transition
                record["_now"] = now
            if resource is None or _involves(record, resource):
                yield _for_resource(record, resource) if resource else record
        previous, previous_name = current, ref.label
        if ref.label == window.last:
            break
    if progress is not None:
        progress(total, total, "")


def _describe(cib: m.Cib, ref: InputRef, now: datetime, format_datetime, logged,
              hosts_with_inputs) -> dict:
    dc_id = cib.get("dc-uuid")
    dc = None
    for node in cib.configuration.nodes:
        if node.id == dc_id:
            dc = node.uname
    for state in cib.status.node_states:
        if dc is None and state.id == dc_id:
            dc = state.uname
    basename = ref.name.rsplit("/", 1)[-1]
    if not basename.endswith(".bz2"):
        basename += ".bz2"
    transitions = logged.get((ref.host, basename), [])
    if not transitions and len(hosts_with_inputs) == 1:
        transitions = [t for (host, name), items in logged.items() if name == basename
                       for t in items]
    return {"time": format_datetime(now), "epoch": int(now.timestamp()),
            "dc": dc or dc_id, "transitions": sorted({t.transition for t in transitions}),
            "quorum": cib.get("have-quorum") in ("1", "true"),
            "version": version_of(cib)}


def unmatched_log_transitions(source: Source, seen: set[tuple[str | None, str]]) -> list:
    """Transitions the logs name whose input is not in the source."""
    single = len({ref.host for ref in source.inputs}) <= 1
    out = []
    for entry in sorted(source.logged, key=lambda e: (e.host or "", e.transition)):
        if (entry.host, entry.file) in seen or (single and any(f == entry.file
                                                               for _, f in seen)):
            continue
        out.append(entry)
    return out


# ---------------------------------------------------------------- text --

def text_lines(record: dict, verbose_versions: set) -> list[str]:
    if "error" in record:
        return [f"== {record['input']}  ({record['file']}): unreadable: {record['error']}", ""]
    head = f"== {record['input']}  {record['time']}  DC {record['dc'] or '?'}"
    if record["transitions"]:
        head += "  transition " + ", ".join(str(t) for t in record["transitions"])
    if record["series"] != "pe-input":
        head += "  (with " + ("warnings" if record["series"] == "pe-warn" else "errors") + ")"
    if not record["quorum"]:
        head += "  NO QUORUM"
    lines = [head, f"   file: {record['file']}"]
    version = record["version"]
    key = (version["pacemaker"], version["crm_feature_set"], version["validate_with"])
    if key not in verbose_versions:
        verbose_versions.add(key)
        lines.append(f"   written by: Pacemaker {version['pacemaker'] or '?'} (crm_feature_set "
                     f"{version['crm_feature_set'] or '?'}, validate-with "
                     f"{version['validate_with'] or '?'})")
        if version["warning"]:
            lines.append(f"   warning: {version['warning']}")
    if record["first"]:
        lines.append("   (first input: nothing to compare with)")
    elif not record["changes"] and not record["configuration_diff"]:
        lines.append("   no change in nodes, failures, attributes or configuration "
                     "(a re-check, or a change the status does not show)")
    else:
        lines.append("   What changed:")
        lines += [f"     - {event['text']}" for event in record["changes"]]
        if record["configuration_diff"]:
            lines.append("     - configuration (crm syntax):")
            lines += [f"         {line}" for line in record["configuration_diff"]]
    if record["summary"]:
        lines.append("   Transition Summary:")
        for item in record["summary"]:
            lines.append(f"    * {item['text']}")
            if item["why"]:
                lines.append(f"        why: {item['why']}")
    else:
        lines.append("   Transition Summary: nothing to do")
    lines.append("")
    return lines
