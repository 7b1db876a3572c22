"""``pengine node standby|online|maintenance|ready NODE``: a node's state on the running cluster.

``standby`` and ``online`` set the node's permanent ``standby`` attribute
(on/off), ``maintenance`` and ``ready`` its ``maintenance`` attribute, as
``crm node`` does; the command answers when the coordinator has made the
change.  Without NODE: the local node.
"""

from __future__ import annotations

from pengine.cli.control_client import add_state_dir, report, request

ATTRIBUTES = {"standby": ("standby", "on"), "online": ("standby", "off"),
              "maintenance": ("maintenance", "on"), "ready": ("maintenance", "off")}


def add_arguments(p) -> None:
    p.add_argument("action", choices=sorted(ATTRIBUTES), help="what the node becomes")
    p.add_argument("node", metavar="NODE", nargs="?", help="default: this node")
    add_state_dir(p)


def run(args) -> int:
    name, value = ATTRIBUTES[args.action]
    code = report("node", request(args, "attribute", {"node": args.node, "name": name,
                                                      "value": value, "lifetime": "forever"}))
    if code == 0:
        print(f"{args.node or 'this node'}: {name}={value}")
    return code
