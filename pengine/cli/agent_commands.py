"""``crm_attribute``, ``crm_master`` and ``attrd_updater`` for the agents ``pengine run`` runs.

``pengine run --cluster`` writes three small scripts into ``STATE_DIR/bin``
and puts that directory first on its agents' ``PATH`` (and in
``HA_SBIN_DIR``, where OCF agents such as ocf:pacemaker:Stateful look for
the tools): each runs ``python -m pengine.cli.agent_commands TOOL ARGS``,
which talks to the node's control socket ($PENGINE_CONTROL_SOCKET).  The
flags are Pacemaker's own; those that make no difference here (``-d``
delay, ``-s`` set name, ``-i`` id, ``-p`` private) are accepted.

Exit codes as Pacemaker's tools: 0 done, 105 no such attribute, 102 the
running pengine cannot be reached, 64 bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys

TOOLS = ("crm_attribute", "crm_master", "attrd_updater")
EXIT_OK, EXIT_USAGE, EXIT_UNAVAILABLE, EXIT_NOSUCH, EXIT_ERROR = 0, 64, 102, 105, 1


def export_to_agents(state_dir: str) -> str:
    """Install the tools and point this process's environment (which the
    agents inherit) at them and at the control socket; the tools' directory."""
    from pengine.transitions.execute.control import ENV_SOCKET, socket_path
    previous = os.environ.get("HA_SBIN_DIR") or "/usr/sbin"
    bin_dir = install(state_dir, other_tools_from=previous)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    os.environ["HA_SBIN_DIR"] = bin_dir
    os.environ[ENV_SOCKET] = socket_path(os.path.abspath(state_dir))
    return bin_dir


def install(state_dir: str, python: str = sys.executable,
            other_tools_from: str | None = None) -> str:
    """Write the tools' scripts into STATE_DIR/bin (with links to the other
    tools of ``other_tools_from``, the agents' former HA_SBIN_DIR); that
    directory."""
    import pengine
    root = os.path.dirname(os.path.dirname(os.path.abspath(pengine.__file__)))
    bin_dir = os.path.join(state_dir, "bin")
    os.makedirs(bin_dir, exist_ok=True)
    for tool in TOOLS:
        path = os.path.join(bin_dir, tool)
        text = (f"#!/bin/sh\n# written by pengine run: {tool} for the agents it runs\n"
                f"PYTHONPATH={_quote(root)}${{PYTHONPATH:+:$PYTHONPATH}} "
                f"exec {_quote(python)} -m pengine.cli.agent_commands {tool} \"$@\"\n")
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)
    if other_tools_from and os.path.isdir(other_tools_from):
        for name in ("cibadmin", "crm_mon", "crm_node", "crm_resource", "stonith_admin"):
            source = os.path.join(other_tools_from, name)
            link = os.path.join(bin_dir, name)
            if os.path.exists(source) and not os.path.lexists(link):
                os.symlink(source, link)
    return bin_dir


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def _socket() -> str:
    path = os.environ.get("PENGINE_CONTROL_SOCKET")
    if path:
        return path
    from pengine.cli.run import default_state_dir
    from pengine.transitions.execute.control import socket_path
    return socket_path(os.environ.get("PENGINE_STATE_DIR") or default_state_dir())


def _ask(prog: str, kind: str, args: dict) -> dict | int:
    from pengine.transitions.execute.control import ControlError, ask
    try:
        return ask(_socket(), kind, args)
    except ControlError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE


def _promotion_name(resource: str | None) -> str | None:
    rsc = resource or os.environ.get("OCF_RESOURCE_INSTANCE")
    return f"master-{rsc}" if rsc else None


def crm_attribute(argv: list[str], prog: str = "crm_attribute", master: bool = False) -> int:
    p = _Parser(prog=prog, description="query or change a node attribute or cluster option")
    p.add_argument("-n", "--name", "--attr-name")
    p.add_argument("-v", "--update", "--attr-value", dest="value")
    p.add_argument("-G", "--query", action="store_true")
    p.add_argument("-D", "--delete", action="store_true")
    p.add_argument("-q", "--quiet", action="store_true")
    p.add_argument("-N", "--node")
    p.add_argument("-U", "--uname", dest="node")
    p.add_argument("-l", "--lifetime")
    p.add_argument("-t", "--type")
    p.add_argument("-p", "--promotion", nargs="?", const="", default=None)
    p.add_argument("-d", "--default")
    p.add_argument("-s", "--set-name")
    p.add_argument("-i", "--id")
    p.add_argument("-z", "--utilization", action="store_true")
    p.add_argument("-W", "--wait")
    args = p.parse_args(argv)
    if master and args.promotion is None:
        args.promotion = ""
    if args.promotion is not None:
        args.name = _promotion_name(args.promotion or None)
        if args.name is None:
            p.error("--promotion needs a resource (or OCF_RESOURCE_INSTANCE)")
        lifetime = args.lifetime or "reboot"
    elif args.lifetime:
        lifetime = args.lifetime
    elif args.type in ("status",):
        lifetime = "reboot"
    elif args.type in ("nodes",) or args.node:
        lifetime = "forever"
    else:
        lifetime = "crm_config"
    if args.type == "crm_config":
        lifetime = "crm_config"
    if not args.name:
        p.error("an attribute name is required (-n)")
    if lifetime == "crm_config":
        if args.node:
            p.error("a cluster option has no node")
        kind_args = {"name": args.name}
    else:
        kind_args = {"name": args.name, "node": args.node or
                     (os.environ.get("OCF_RESKEY_CRM_meta_on_node") if args.promotion is not None
                      else None), "lifetime": lifetime}
    if args.value is not None and not args.delete:
        reply = _ask(prog, "property" if lifetime == "crm_config" else "attribute",
                     {**kind_args, "value": args.value})
    elif args.delete:
        reply = _ask(prog, "property" if lifetime == "crm_config" else "attribute",
                     {**kind_args, "value": None})
    else:
        if lifetime == "crm_config":
            reply = _ask(prog, "property-query", kind_args)
        else:
            reply = _ask(prog, "attribute-query", kind_args)
        if isinstance(reply, int):
            return reply
        value = reply.get("data") if reply["ok"] else args.default
        if value is None:
            if not args.quiet:
                print(f"{prog}: Error performing operation: No such device or address",
                      file=sys.stderr)
            return EXIT_NOSUCH
        scope = {"reboot": "status", "forever": "nodes"}.get(lifetime, "crm_config")
        print(value if args.quiet else f"scope={scope}  name={args.name} value={value}")
        return EXIT_OK
    if isinstance(reply, int):
        return reply
    if not reply["ok"]:
        print(f"{prog}: {reply.get('text')}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def attrd_updater(argv: list[str]) -> int:
    prog = "attrd_updater"
    p = _Parser(prog=prog, description="query or change a transient node attribute")
    p.add_argument("-n", "--name")
    what = p.add_mutually_exclusive_group()
    what.add_argument("-U", "-v", "--update", dest="value")
    what.add_argument("-B", "--update-both", dest="both")
    what.add_argument("-Y", "--update-delay", action="store_true")
    what.add_argument("-D", "--delete", action="store_true")
    what.add_argument("-Q", "--query", action="store_true")
    what.add_argument("-R", "--refresh", action="store_true")
    p.add_argument("-N", "--node")
    p.add_argument("-A", "--all", action="store_true")
    p.add_argument("-d", "--delay")
    p.add_argument("-s", "--set")
    p.add_argument("-p", "--private", action="store_true")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.refresh or args.update_delay:
        return EXIT_OK
    if not args.name:
        p.error("an attribute name is required (-n)")
    base = {"name": args.name, "node": args.node, "lifetime": "reboot"}
    if args.query:
        reply = _ask(prog, "attribute-query", base)
        if isinstance(reply, int):
            return reply
        if not reply["ok"]:
            print(f"{prog}: Could not query value of {args.name}: attribute does not exist",
                  file=sys.stderr)
            return EXIT_NOSUCH
        print(f'name="{args.name}" host="{args.node or ""}" value="{reply.get("data")}"'
              if not args.quiet else reply.get("data"))
        return EXIT_OK
    value = None if args.delete else (args.value if args.value is not None else args.both)
    if value is None and not args.delete:
        p.error("one of -U, -B, -D or -Q is required")
    reply = _ask(prog, "attribute", {**base, "value": value})
    if isinstance(reply, int):
        return reply
    if not reply["ok"]:
        print(f"{prog}: {reply.get('text')}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in TOOLS:
        print(f"usage: python -m pengine.cli.agent_commands {{{','.join(TOOLS)}}} ARGS...",
              file=sys.stderr)
        return EXIT_USAGE
    tool, rest = argv[0], argv[1:]
    if tool == "attrd_updater":
        return attrd_updater(rest)
    return crm_attribute(rest, tool, master=(tool == "crm_master"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
