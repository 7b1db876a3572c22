"""``pengine diff OLD NEW``: what replacing configuration OLD by NEW changes, and does.

Two parts, as a reviewer reads a change:

1. the configuration delta in crm syntax (``crm configure show`` of both,
   compared object by object);
2. what the cluster would do when NEW replaces OLD, as a Transition Summary.
   The cluster is the one in ``-x STATUS.xml`` (a live CIB saved with
   ``cibadmin -Q``: only its status section is used), or else OLD settled on
   an all-online cluster: OLD is scheduled with every node online and its
   transitions carried out until the cluster is quiet, so that everything runs
   where OLD places it.  NEW's configuration is then put on that status and
   scheduled once.

``--fail-on restart,move,stop`` turns it into a gate: exit 1 when the
transition has such changes, naming them on stderr.  With ``-x``, changes
that OLD would make on the same status too (a pending recovery, say) are not
caused by the change: they are listed apart and never fail the gate.

Exit codes: 0 no gated change; 1 gated changes, or OLD/NEW invalid; 2 usage
or I/O error.
"""

from __future__ import annotations

import os

import re
import sys
from datetime import datetime

from attrs import evolve, frozen

from pengine.cib import model as m
from pengine.cib.crm_delta import config_delta, crm_statements  # noqa: F401 - crm_statements is part of diff's API
from pengine.cib.errors import UsageError

EXIT_OK, EXIT_GATED, EXIT_USAGE = 0, 1, 2

#: Transition Summary verbs (pcmk_output.c's rsc_action_item and node
#: actions), by the category ``--fail-on`` names.
CATEGORIES: dict[str, str] = {
    "Start": "start", "Stop": "stop", "Restart": "restart", "Recover": "restart",
    "Re-promote": "restart", "Reload": "reload", "Move": "move", "Migrate": "move",
    "Promote": "promote", "Demote": "demote", "Fence": "fence", "Shutdown": "shutdown",
}
GATES = tuple(sorted(set(CATEGORIES.values()))) + ("any",)

#: How many transitions settling OLD may take before giving up.
MAX_SETTLE_ROUNDS = 10

_RESOURCE_LINE = re.compile(r"\s*\* (?P<verb>\S+)\s+(?P<subject>\S+)\s+\(\s*(?P<details>.*?)\s*\)"
                            r"(?P<reason>.*)$")
_NODE_LINE = re.compile(r"\s*\* (?P<verb>Fence|Shutdown)(?: \((?P<how>\w+)\))? (?P<subject>\S+)"
                        r"(?P<reason>.*)$")


@frozen
class Change:
    """One Transition Summary line, classified."""

    category: str
    verb: str
    subject: str  # the resource, or the node for Fence and Shutdown
    details: str
    line: str

    def key(self) -> tuple[str, str, str]:
        return self.verb, self.subject, self.details

    def describe(self) -> str:
        return f"{self.verb} {self.subject}" + (f" ({self.details})" if self.details else "")


@frozen
class DiffResult:
    delta: tuple[str, ...]          # unified-diff lines in crm syntax ("" when none)
    summary: tuple[str, ...]        # the Transition Summary lines of NEW
    changes: tuple[Change, ...]     # caused by the change
    pending: tuple[Change, ...]     # what OLD would do on the same status too
    settled: bool = True            # OLD reached a quiet cluster (no -x)


# ------------------------------------------------------------ the delta ----

# ----------------------------------------------------------- the status ----

def all_online(cib: m.Cib) -> m.Cib:
    """``cib`` with no status but its cluster nodes online and quorate."""
    from pengine.transitions.simulate import bring_crm_cluster_up
    bare = evolve(cib, status=m.Status(), attributes=())
    return bring_crm_cluster_up(bare)


def settle(cib: m.Cib, now: datetime) -> tuple[m.Cib, bool]:
    """Schedule and carry out transitions until the cluster has nothing left
    to do: (the resulting CIB, whether it got there)."""
    from pengine.common.dates import to_epoch
    from pengine.schedule.driver import schedule
    from pengine.transitions.graph import create_graph
    from pengine.transitions.simulate import run as execute

    for _ in range(MAX_SETTLE_ROUNDS):
        transition = create_graph(schedule(cib, now))
        if not transition.synapses:
            return cib, True
        _, cib, _ = execute(transition, cib, to_epoch(now))
    return cib, False


def summary_of(cib: m.Cib, now: datetime) -> list[str]:
    from pengine.schedule.driver import schedule
    from pengine.schedule.summary import transition_summary
    return transition_summary(schedule(cib, now))


def classify(line: str) -> Change | None:
    """A Transition Summary line as a Change (None for an unknown verb)."""
    found = _NODE_LINE.match(line)
    if found:
        return Change(CATEGORIES[found.group("verb")], found.group("verb"),
                      found.group("subject"), found.group("how") or "", line)
    found = _RESOURCE_LINE.match(line)
    if found and found.group("verb") in CATEGORIES:
        details = re.sub(r"\s+", " ", found.group("details"))
        return Change(CATEGORIES[found.group("verb")], found.group("verb"),
                      found.group("subject"), details, line)
    return None


def plan(old: m.Cib, new: m.Cib, status: m.Cib | None, now: datetime,
         old_name: str = "OLD", new_name: str = "NEW") -> DiffResult:
    """The delta and the transition of replacing ``old`` by ``new``."""
    delta = config_delta(old.configuration, new.configuration, old_name, new_name)
    settled = True
    if status is None:
        base, settled = settle(all_online(old), now)
        base = evolve(base, configuration=old.configuration)
    else:
        base = evolve(status, configuration=old.configuration)
    before = [c for c in map(classify, summary_of(base, now)) if c is not None]
    summary = summary_of(evolve(base, configuration=new.configuration), now)
    already = {c.key() for c in before}
    changes, pending = [], []
    for line in summary:
        change = classify(line)
        if change is None:
            continue
        (pending if change.key() in already else changes).append(change)
    return DiffResult(tuple(delta), tuple(summary), tuple(changes), tuple(pending), settled)


# --------------------------------------------------------------- command ----

def parse_gates(text: str) -> set[str]:
    gates = {word.strip().lower() for word in (text or "").split(",") if word.strip()}
    unknown = gates - set(GATES)
    if unknown:
        raise UsageError(f"--fail-on: unknown change kind {', '.join(sorted(unknown))} "
                         f"(choose from {', '.join(GATES)})")
    return gates


def gated(changes, gates: set[str]) -> list[Change]:
    return [c for c in changes if "any" in gates or c.category in gates]


def _load(path: str) -> m.Cib:
    from pengine.cib.load import load_cib
    # OLD or NEW may be several crm files that make one configuration: a.crm,b.crm
    return load_cib(path if os.path.exists(path) or "," not in path else path.split(","))


def run(args) -> int:
    from pengine.cli.simulate import effective_date

    gates = parse_gates(args.fail_on)
    from pengine.cib.source import STDIN, display_name
    from pengine.cli.inputs import xml_source
    status_path = xml_source(args)
    if "" in (args.old, args.new):
        raise UsageError("an empty file name was given")
    if [args.old, args.new, status_path].count(STDIN) > 1:
        raise UsageError("standard input (-) can be read only once")
    old, new = _load(args.old), _load(args.new)
    status = None
    if status_path is not None:
        status = _load(status_path)
        if not status.status.node_states:
            raise UsageError(f"{display_name(status_path)} has no status section: give a CIB "
                             "saved from a running cluster (cibadmin -Q), or leave -x out")
    now, _ = effective_date(status if status is not None else old, None)
    result = plan(old, new, status, now, _name(args.old), _name(args.new))

    failing = gated(result.changes, gates)
    render = format_json if getattr(args, "format", "text") == "json" else format_text
    sys.stdout.write(render(result, failing))
    sys.stdout.flush()
    if failing:
        print(f"pengine diff: --fail-on {','.join(sorted(gates))}: "
              + ", ".join(c.describe() for c in failing), file=sys.stderr)
        return EXIT_GATED
    return EXIT_OK


def format_text(result: DiffResult, failing: list[Change]) -> str:
    out = ["Configuration changes (crm syntax):"]
    out += list(result.delta) if result.delta else ["  (none)"]
    if not result.settled:
        out += ["", f"Note: OLD did not settle in {MAX_SETTLE_ROUNDS} transitions; the status "
                "below is where it stood then"]
    out += ["", "Transition Summary:"] + list(result.summary)
    if result.pending:
        out += ["", "Pending without the change too (OLD would do it on this status):"]
        out += [c.line for c in result.pending]
    return "".join(line + "\n" for line in out)


def format_json(result: DiffResult, failing: list[Change]) -> str:
    import json

    def record(change: Change) -> dict:
        return {"kind": change.category, "action": change.verb, "subject": change.subject,
                "details": change.details}
    return json.dumps({
        "configuration_delta": list(result.delta),
        "transition_summary": [line.strip() for line in result.summary],
        "changes": [record(c) for c in result.changes],
        "pending_without_change": [record(c) for c in result.pending],
        "failing": [record(c) for c in failing],
        "settled": result.settled,
    }, indent=2) + "\n"


def _name(path: str) -> str:
    return "<stdin>" if path == "-" else path
