"""``pengine run CONFIG --node NAME [--state-dir DIR] [--cluster]``: run a node
(``--local-nodes A,B,...``: several nodes on this machine, one controller).

The configuration is scheduled, the transition carried out with the
machine's resource agents, the results recorded in the status kept in DIR
(``DIR/cib.xml``, written atomically), and the cluster re-planned whenever
something changes, until SIGINT or SIGTERM: then the running actions
finish, the status is saved and the command exits 0.  Each action and its
result is logged on stderr.

With ``--cluster`` the node joins the others through the local Corosync
(``transitions.execute.cluster``): one coordinator schedules for all, each
node runs its own actions, and SIGINT/SIGTERM first moves the node's
resources away (a second signal stops at once).  The node listens on
DIR/control.sock for its agents' crm_attribute/crm_master/attrd_updater
and for ``pengine configure``, ``resource``, ``node``, ``fencing`` and
``status`` (``transitions.execute.cluster_admin``).
"""

from __future__ import annotations

import os
import signal
import sys

DEFAULT_STATE_DIRS = ("/var/lib/pengine", "~/.local/state/pengine")


def default_state_dir() -> str:
    """/var/lib/pengine for root, else the user's state directory."""
    if os.geteuid() == 0:
        return DEFAULT_STATE_DIRS[0]
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return os.path.join(base, "pengine")


def add_arguments(p) -> None:
    p.add_argument("config", metavar="CONFIG", help="crm file or CIB XML file")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--node", metavar="NAME", help="this node's name")
    who.add_argument("--local-nodes", metavar="A,B,...",
                     help="run these nodes of the configuration on this machine: one "
                          "controller (the first is the DC), one status, each node with its "
                          "own executor and agent state (STATE_DIR/nodes/NAME)")
    p.add_argument("--state-dir", metavar="DIR",
                   help="where the status is kept (default: /var/lib/pengine, or "
                        "~/.local/state/pengine when not root)")
    p.add_argument("--ocf-root", metavar="DIR", default=os.environ.get("OCF_ROOT", "/usr/lib/ocf"),
                   help="OCF agents' root: agents are DIR/resource.d/PROVIDER/TYPE (default: "
                        "$OCF_ROOT or /usr/lib/ocf; samples/ocf has the HAProxy stand-in)")
    p.add_argument("--lsb-dir", metavar="DIR", default="/etc/init.d", help="LSB init scripts")
    p.add_argument("--fence-dir", metavar="DIR", default="/usr/sbin", help="fence agents")
    p.add_argument("--cluster", action="store_true",
                   help="join the other nodes through the local Corosync: membership, quorum "
                        "and messages come from it, the coordinator (lowest node id) schedules "
                        "for all, each node runs its own actions, lost nodes are fenced")
    p.add_argument("--watchdog", metavar="DEVICE",
                   help="with --cluster: the watchdog the node feeds (default: /dev/watchdog "
                        "when present, else pengine's own helper process, which kills pengine "
                        "and stops the node's resources when not fed; 'own': that helper "
                        "whatever devices exist; 'none': no watchdog)")
    p.add_argument("--watchdog-timeout", metavar="SECONDS", type=float, default=5.0,
                   help="with --cluster: how long the watchdog waits for a feed (default 5; "
                        "a member silent for twice this, or stonith-watchdog-timeout, is "
                        "fenced)")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages too")


def configure_logging(verbose: bool) -> None:
    import logging  # here: pengine's parser imports this module for its flags only
    logger = logging.getLogger("pengine.run")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s pengine run: %(message)s",
                                           "%Y-%m-%d %H:%M:%S"))
    logger.handlers[:] = [handler]
    logger.propagate = False


def cluster_controller(args, state, agents):
    from pengine.cib.errors import UsageError
    from pengine.transitions.execute import corosync
    from pengine.transitions.execute.cluster import ClusterController

    if not corosync.available():
        raise UsageError("--cluster needs Corosync's client libraries (libquorum, libcpg, "
                         "libcmap: apt-get install corosync)")

    # the agents' crm_attribute, crm_master and attrd_updater reach this node
    from pengine.cli.agent_commands import export_to_agents
    export_to_agents(state.path)
    controller = ClusterController(args.config, args.node, state, agents)
    controller.watchdog_device = getattr(args, "watchdog", None)
    timeout = getattr(args, "watchdog_timeout", None) or 5.0
    if timeout <= 0:
        raise UsageError("--watchdog-timeout must be positive")
    controller.watchdog_timeout = timeout
    return controller


def local_nodes_controller(args, state, settings):
    from pengine.transitions.execute.local_nodes import (LocalNodesController, local_agents,
                                                         parse_node_list)
    names = parse_node_list(args.local_nodes)
    return LocalNodesController(args.config, local_agents(state, names, settings), state)


def run(args) -> int:
    from pengine.transitions.execute.agents import Agents, AgentSettings
    from pengine.transitions.execute.state_dir import StateDir

    if getattr(args, "cluster", False) and getattr(args, "local_nodes", None):
        from pengine.cib.errors import UsageError
        raise UsageError("--cluster runs this machine's node: give --node, not --local-nodes")
    configure_logging(args.verbose)
    state = StateDir(args.state_dir or default_state_dir())
    state.create()
    state.lock()
    # agents run from /: relative directories are the caller's
    settings = AgentSettings(ocf_root=os.path.abspath(args.ocf_root),
                             lsb_dir=os.path.abspath(args.lsb_dir),
                             fence_dir=os.path.abspath(args.fence_dir))
    if getattr(args, "cluster", False):
        controller = cluster_controller(args, state, Agents(settings))
    elif getattr(args, "local_nodes", None):
        controller = local_nodes_controller(args, state, settings)
    else:
        # the agents' crm_attribute, crm_master and attrd_updater reach this node
        from pengine.cli.agent_commands import export_to_agents
        from pengine.transitions.execute.local_admin import LocalAdminController
        export_to_agents(state.path)
        controller = LocalAdminController(args.config, args.node, state, Agents(settings))
    try:
        controller.start()
    except BaseException:
        state.unlock()
        raise
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, lambda n, _f: controller.request_stop(n))
    try:
        return controller.run()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        state.unlock()
