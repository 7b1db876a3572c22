"""How the admin subcommands (``configure``, ``resource``, ``node``,
``fencing``, ``status``) reach the local ``pengine run``: its control socket
in the state directory (``--state-dir``, default as ``pengine run``'s)."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_REFUSED = 0, 1


def add_state_dir(p) -> None:
    p.add_argument("--state-dir", metavar="DIR",
                   help="the state directory of the local 'pengine run --cluster' "
                        "(default: /var/lib/pengine, or ~/.local/state/pengine when not root)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="how long to wait for the cluster's answer (default 60)")


def state_dir(args) -> str:
    from pengine.cli.run import default_state_dir
    return args.state_dir or default_state_dir()


def request(args, kind: str, payload: dict | None = None) -> dict:
    """The running node's answer; a usage error (exit 2) when none runs."""
    from pengine.cib.errors import UsageError
    from pengine.transitions.execute.control import ControlError, ask, socket_path
    try:
        return ask(socket_path(state_dir(args)), kind, payload or {}, args.timeout)
    except ControlError as error:
        raise UsageError(str(error)) from None


def report(command: str, reply: dict) -> int:
    """Print the answer's text; exit 0 when the cluster made the change, 1
    when it refused it (an unknown resource, a bad value...)."""
    text = reply.get("text") or ""
    if reply.get("ok"):
        if text:
            print(text)
        return EXIT_OK
    print(f"pengine {command}: {text or 'refused'}", file=sys.stderr)
    return EXIT_REFUSED
