"""``pengine fencing history|cleanup [NODE]``: fencing on the running cluster (stonith_admin).

``history`` lists what the coordinator fenced and how it went, and the
targets it has failed to fence (after ``stonith-max-attempts`` failures it
gives up: transitions are no longer carried out).  ``cleanup`` forgets the
failures (of NODE only, if given), so the coordinator tries again.
"""

from __future__ import annotations

import time

from pengine.cli.control_client import add_state_dir, report, request


def add_arguments(p) -> None:
    p.add_argument("action", choices=("history", "cleanup"),
                   help="history: what was fenced; cleanup: forget the failures")
    p.add_argument("node", metavar="NODE", nargs="?", help="only this target")
    add_state_dir(p)


def run(args) -> int:
    if args.action == "cleanup":
        return report("fencing", request(args, "fencing-cleanup", {"node": args.node}))
    reply = request(args, "fencing-history", {"node": args.node})
    if not reply.get("ok"):
        return report("fencing", reply)
    data = reply.get("data") or {}
    history = [h for h in data.get("history", []) if args.node in (None, h["target"])]
    for entry in history:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry["completed"]))
        line = (f"{entry['action']} of {entry['target']} {entry['state']}: "
                f"delegate={entry['device'] or 'none'}, client=pengine run on "
                f"{entry['delegate']}, completed='{when}'")
        if entry["state"] != "success" and entry.get("reason"):
            line += f" ({entry['reason']})"
        print(line)
    for target, count in sorted((data.get("failures") or {}).items()):
        if args.node in (None, target):
            print(f"{target}: {count} failed fencing attempt{'s' if count != 1 else ''}")
    if not history and not data.get("failures"):
        print("no fencing history")
    return 0
