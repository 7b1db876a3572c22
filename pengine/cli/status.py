"""``pengine status --state-dir DIR``: the cluster's status, as crm_mon shows it.

Live from the running ``pengine run`` (asked through its control socket:
its current copy of the cluster status), else from the file the last run
left in DIR, and then marked as such.  A summary (who is DC, when the
status was written, how many nodes and resources), then the node list, the
resources (inactive ones too, as ``crm_mon -r``), fail counts and failed
actions, as ``crm_mon -1 -f`` prints them.  ``-A`` adds the node
attributes; ``--output-as xml`` writes crm_mon's XML.
"""

from __future__ import annotations

import os
import sys
import time

from pengine.cib.errors import UsageError

# how the state directory's controller ran, from cluster-infrastructure
_STACKS = {None: "pengine run (one node)", "corosync": "corosync (pengine run --cluster)",
           "local": "pengine run --local-nodes"}


def add_arguments(p) -> None:
    p.add_argument("--state-dir", metavar="DIR",
                   help="the directory 'pengine run' keeps its status in")
    p.add_argument("-A", "--show-attrs", action="store_true", help="show node attributes")
    p.add_argument("-1", "--one-shot", action="store_true",
                   help="print once and exit (what pengine status always does; crm_mon's flag)")
    p.add_argument("-f", "--failcounts", action="store_true",
                   help="fail counts (always shown; crm_mon's flag)")
    p.add_argument("-r", "--inactive", action="store_true",
                   help="inactive resources too (always shown; crm_mon's flag)")
    p.add_argument("--output-as", choices=("text", "xml"), default="text",
                   help="text (crm_mon's) or xml (crm_mon --output-as xml)")
    p.add_argument("--file", action="store_true",
                   help="read the status file even when a 'pengine run' is running")


def status_text(cib, written: float | None, now: float, show_attrs: bool = False,
                controller: tuple[bool, int | None, float | None] | None = None,
                live: dict | None = None, source_file: str | None = None) -> str:
    from pengine.common.dates import from_epoch
    from pengine.status.unpack import unpack
    from pengine.transitions.status_text import cluster_status_lines, resource_counts

    sch = unpack(cib, from_epoch(int(now)))
    dc = next((n for n in sch.nodes if n.id == cib.get("dc-uuid")), None)
    quorum = "with" if (cib.get("have-quorum") or "0") in ("1", "true") else "WITHOUT"
    instances, disabled, blocked = resource_counts(sch)
    # the coordinator of a cluster records its stack, as Pacemaker's DC does
    stack = sch.options.get("cluster-infrastructure")
    lines = ["Cluster Summary:", f"  * Stack: {_STACKS.get(stack, stack)}"]
    if dc is not None:
        lines.append(f"  * Current DC: {dc.name} ({dc.id}) - partition {quorum} quorum")
    else:
        lines.append("  * Current DC: NONE")
    if live is not None:
        lines.append(f"  * Live from: pengine run on {live['node']}"
                     + (" (the coordinator)" if live.get("coordinating") else
                        f" (coordinator {live.get('coordinator') or 'none yet'})")
                     + f", configuration version "
                     + ".".join(str(v) for v in live.get("config_version") or ()))
        if live.get("pid"):
            lines.append(f"  * Controller: running (pid {live['pid']})")
    elif source_file is not None:
        lines.append(f"  * From the file: {source_file} (not live: no running "
                     "'pengine run --cluster' answered)")
    if live is None and controller is not None:
        running, pid, since = controller
        if running:
            lines.append("  * Controller: running" + (f" (pid {pid})" if pid else ""))
        else:
            lines.append("  * Controller: NOT RUNNING" + (
                f" since {time.ctime(since)}" if since is not None else "")
                + ": this status is what the last 'pengine run' left")
    lines.append(f"  * Last updated: {time.ctime(now)}")
    if written is not None:
        lines.append(f"  * Last change:  {time.ctime(written)} by pengine run"
                     + (f" on {dc.name}" if dc is not None else ""))
    nodes = len(sch.nodes)
    lines.append(f"  * {nodes} node{'s' if nodes != 1 else ''} configured")
    text = f"  * {instances} resource instance{'s' if instances != 1 else ''} configured"
    if disabled or blocked:
        text += f" ({disabled} DISABLED, {blocked} BLOCKED from further action due to failure)"
    lines.append(text)
    body = cluster_status_lines(sch, show_failcounts=True, show_attrs=show_attrs)
    lines.append("")
    # crm_mon's sections are not nested under a title as crm_simulate's are
    for line in body:
        line = line[2:] if line.startswith("  ") else line
        lines.append(line[2:] if line.startswith("* ") else line)
    return "".join(line + "\n" for line in lines)


def live_status(state_dir: str) -> dict | None:
    """The running node's answer to "status", or None when none answers."""
    from pengine.transitions.execute.control import ControlError, ask, socket_path
    if not os.path.exists(socket_path(state_dir)):
        return None
    try:
        reply = ask(socket_path(state_dir), "status", {}, timeout=10.0)
    except ControlError:
        return None
    return reply.get("data") if reply.get("ok") else None


def run(args) -> int:
    from pengine.transitions.execute.state_dir import StateDir
    from pengine.cli.run import default_state_dir

    state = StateDir(args.state_dir or default_state_dir())
    live = None if args.file else live_status(state.path)
    if live is not None:
        from pengine.cib.cib_xml import read_cib
        cib = read_cib(live["cib"], "<live status>")
        now = time.time()
        if args.output_as == "xml":
            return _xml(cib, now, now, {"live": "true", "node": live["node"]})
        sys.stdout.write(status_text(cib, now, now, args.show_attrs, live=live))
        return 0
    cib = state.load()
    if cib is None:
        raise UsageError(f"no status in {state.path}: give the --state-dir of a 'pengine run'")
    try:
        written = os.stat(state.cib_path).st_mtime
    except OSError:
        written = None
    if args.output_as == "xml":
        return _xml(cib, time.time(), written, {"live": "false", "file": state.cib_path})
    sys.stdout.write(status_text(cib, written, time.time(), args.show_attrs,
                                 controller=state.controller(), source_file=state.cib_path))
    return 0


def _xml(cib, now: float, written: float | None, source: dict) -> int:
    from pengine.common.dates import from_epoch
    from pengine.status.unpack import unpack
    from pengine.transitions.monitor_xml import monitor_xml
    sch = unpack(cib, from_epoch(int(now)))
    stack = sch.options.get("cluster-infrastructure") or "pengine"
    sys.stdout.write(monitor_xml(sch, cib, stack, now, written, source))
    return 0
