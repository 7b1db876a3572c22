"""``pengine resource move|ban|clear|cleanup|restart ...``: crm_resource on the running cluster.

Each change goes through the local ``pengine run --cluster`` to the
coordinator, and the command answers when the coordinator has made it:

- ``move RSC [NODE] [--lifetime PT1H]``: a ``cli-prefer-RSC`` location
  constraint (score INFINITY on NODE); without NODE, a ban from the node it
  runs on, as crm_resource does;
- ``ban RSC [NODE] [--lifetime ...]``: ``cli-ban-RSC-on-NODE`` (-INFINITY);
- ``clear RSC [NODE]``: removes them (only NODE's, if given);
- ``cleanup [RSC] [--node NODE]``: the fail counts and operation history
  (one resource or all, on one node or all), so the cluster probes afresh;
- ``restart RSC``: stops it (target-role=Stopped), waits until it is
  stopped everywhere, and starts it again.
"""

from __future__ import annotations

import sys
import time

from pengine.cli.control_client import add_state_dir, report, request


def add_arguments(p) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True,
                           help="move, ban, clear, cleanup or restart")
    for name, text in (("move", "move RSC to NODE (cli-prefer-RSC)"),
                       ("ban", "keep RSC off NODE (cli-ban-RSC-on-NODE)")):
        q = sub.add_parser(name, help=text)
        q.add_argument("resource", metavar="RSC", help="the resource")
        q.add_argument("node", metavar="NODE", nargs="?",
                       help="the node (default: the one it runs on, for a ban)")
        q.add_argument("--lifetime", "-u", metavar="DURATION",
                       help="how long the constraint lasts (ISO 8601, e.g. PT30M)")
        q.add_argument("--promoted", action="store_true",
                       help="only the promoted role (crm_resource --promoted)")
        add_state_dir(q)
    q = sub.add_parser("clear", help="remove the move/ban constraints of RSC")
    q.add_argument("resource", metavar="RSC", help="the resource")
    q.add_argument("node", metavar="NODE", nargs="?", help="only the constraints about NODE")
    add_state_dir(q)
    q = sub.add_parser("cleanup", help="forget fail counts and history (crm_resource --cleanup)")
    q.add_argument("resource", metavar="RSC", nargs="?", help="default: every resource")
    q.add_argument("--node", "-N", metavar="NODE", help="default: every node")
    add_state_dir(q)
    q = sub.add_parser("restart", help="stop RSC, then start it again")
    q.add_argument("resource", metavar="RSC", help="the resource")
    add_state_dir(q)


def run(args) -> int:
    if args.action in ("move", "ban"):
        return report("resource", request(args, args.action, {
            "resource": args.resource, "node": args.node, "lifetime": args.lifetime,
            "promoted": args.promoted}))
    if args.action == "clear":
        return report("resource", request(args, "clear", {"resource": args.resource,
                                                          "node": args.node}))
    if args.action == "cleanup":
        return report("resource", request(args, "cleanup", {"resource": args.resource,
                                                            "node": args.node}))
    return restart(args)


def active_on(args, rsc: str) -> list[str]:
    from pengine.cib.cib_xml import read_cib
    from pengine.transitions.execute.admin import active_nodes
    reply = request(args, "status")
    return active_nodes(read_cib(reply["data"]["cib"], "<status>"), rsc, time.time())


def restart(args) -> int:
    rsc = args.resource
    code = report("resource", request(args, "meta", {"resource": rsc, "name": "target-role",
                                                     "value": "Stopped"}))
    if code:
        return code
    deadline = time.monotonic() + args.timeout
    while active_on(args, rsc):
        if time.monotonic() > deadline:
            print(f"pengine resource: {rsc} did not stop within {args.timeout:g}s; "
                  "it stays stopped (target-role=Stopped)", file=sys.stderr)
            return 1
        time.sleep(0.5)
    print(f"{rsc} stopped")
    code = report("resource", request(args, "meta", {"resource": rsc, "name": "target-role",
                                                     "value": None}))
    if code == 0:
        print(f"{rsc} starting")
    return code
