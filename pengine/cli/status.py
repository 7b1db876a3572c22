"""``pengine status --state-dir DIR``: the status ``pengine run`` keeps, as crm_mon shows it.

A summary (who is DC, when the status was written, how many nodes and
resources), then the node list, the resources, fail counts and failed
actions, as ``crm_mon -f`` prints them.  ``-A`` adds the node attributes.
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


def status_text(cib, written: float | None, now: float, show_attrs: bool = False,
                controller: tuple[bool, int | None, float | None] | None = None) -> str:
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
    if controller is not None:
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


def run(args) -> int:
    from pengine.transitions.execute.state_dir import StateDir
    from pengine.cli.run import default_state_dir

    state = StateDir(args.state_dir or default_state_dir())
    cib = state.load()
    if cib is None:
        raise UsageError(f"no status in {state.path}: give the --state-dir of a 'pengine run'")
    try:
        written = os.stat(state.cib_path).st_mtime
    except OSError:
        written = None
    sys.stdout.write(status_text(cib, written, time.time(), args.show_attrs,
                                 controller=state.controller()))
    return 0
