"""The ``pengine`` command: one command, one subcommand per job.

Flags follow the Pacemaker tool each subcommand mirrors (crm_simulate,
crm_verify).  Each subcommand lives in its own ``pengine.cli.*`` module and is
imported only when used, so that a small run starts fast.

Exit codes: 0 success; 1 invalid input; 2 usage or I/O error; 70 an internal
error (a bug in pengine: reported in one line; ``PENGINE_TRACEBACK=1`` shows the
traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_SOFTWARE = 0, 1, 2, 70


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2, as the contract says
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def version_text() -> str:
    try:
        from importlib.metadata import version
        mine = version("pengine")
    except Exception:  # noqa: BLE001 - a checkout that is not installed
        mine = "(not installed)"
    return f"pengine {mine} (schedules as Pacemaker 3.0.2)"


class _VersionAction(argparse.Action):
    """--version, its text looked up only when asked for (importlib.metadata
    costs a small run a tenth of its start-up)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0,
                         help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(version_text() + "\n")
        parser.exit()


COMMANDS = ("simulate", "check", "show", "run", "status", "graph", "explain", "scenario",
            "history", "diff", "resilience", "configure", "resource", "node", "fencing")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only``, the top level and that one
    subcommand (what parsing its command line needs: the other subcommands'
    flags import their modules, which a small run would pay for at start-up)."""
    from pengine.transitions.events import add_event_flags as _event_flags
    from pengine.cli.inputs import add_input_flags

    def wanted(name: str) -> bool:
        return only is None or only == name

    parser = _Parser(prog="pengine", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    from pengine.cib.target_version import add_target_argument
    if wanted("simulate"):
        _add_simulate(sub, add_input_flags, add_target_argument, _event_flags)
    if wanted("check"):
        _add_check(sub, add_input_flags)
    if wanted("show"):
        p = sub.add_parser("show", help="convert or pretty-print a configuration")
        p.add_argument("config", metavar="CONFIG", help="a crm, pcs or CIB XML file")
        p.add_argument("--as", dest="as_", choices=("crm", "xml", "pcs"), default="crm",
                       help="print as crm shell text (default), CIB XML or pcs commands")
        add_target_argument(p)
    if wanted("run") or wanted("status"):
        from pengine.cli import run as cmd_run, status as cmd_status  # noqa: E402 - their flags live with them
        if wanted("run"):
            p = sub.add_parser("run", help="run a node with real resource agents: alone, several "
                               "on this machine, or with the others through Corosync (--cluster)")
            cmd_run.add_arguments(p)
        if wanted("status"):
            p = sub.add_parser("status", help="the running cluster's status, or the one "
                                              "'pengine run' kept (crm_mon)")
            cmd_status.add_arguments(p)
    # admin commands on a running 'pengine run --cluster', through its control socket
    if wanted("configure"):
        from pengine.cli import configure as cmd_configure  # noqa: E402 - its flags live with it
        p = sub.add_parser("configure", help="change the running cluster's configuration "
                                             "(FILE, or edit)")
        cmd_configure.add_arguments(p)
    if wanted("resource"):
        from pengine.cli import resource as cmd_resource  # noqa: E402 - its flags live with it
        p = sub.add_parser("resource", help="move, ban, clear, cleanup, restart a resource "
                                            "(crm_resource)")
        cmd_resource.add_arguments(p)
    if wanted("node"):
        from pengine.cli import node as cmd_node  # noqa: E402 - its flags live with it
        p = sub.add_parser("node", help="standby, online, maintenance, ready (crm node)")
        cmd_node.add_arguments(p)
    if wanted("fencing"):
        from pengine.cli import fencing as cmd_fencing  # noqa: E402 - its flags live with it
        p = sub.add_parser("fencing", help="fencing history and cleanup (stonith_admin)")
        cmd_fencing.add_arguments(p)
    if wanted("graph"):
        _add_graph(sub, add_input_flags, _event_flags)
    if wanted("explain"):
        p = sub.add_parser("explain", help="why a resource runs where it does, or not")
        p.add_argument("resource", help="the resource to explain")
        p.add_argument("config", nargs="*", metavar="CONFIG",
                       help="crm file(s), or a CIB XML file")
        add_input_flags(p)
        _event_flags(p)
    if wanted("scenario"):
        p = sub.add_parser("scenario", help="events over time")
        p.add_argument("scenario", metavar="SCENARIO.toml", help="the scenario (TOML)")
        p.add_argument("--report", metavar="FILE.html",
                       help="also write the timeline as one self-contained HTML page")
    if wanted("history"):
        from pengine.cli import history as cmd_history  # noqa: E402 - its flags live with it
        p = sub.add_parser("history", help="replay a real cluster's scheduler inputs "
                                           "(pe-input files, crm_report archives)")
        cmd_history.add_arguments(p)
    if wanted("diff"):
        _add_diff(sub, add_input_flags)
    if wanted("resilience"):
        from pengine.cli import resilience as cmd_resilience  # noqa: E402 - its flags live with it
        p = sub.add_parser("resilience", help="is the cluster N+1 safe? every single failure")
        cmd_resilience.add_arguments(p)
    return parser


def _add_simulate(sub, add_input_flags, add_target_argument, _event_flags) -> None:
    p = sub.add_parser("simulate", help="what the cluster would do (crm_simulate)")
    p.add_argument("config", nargs="*", metavar="CONFIG", help="crm file(s), or a CIB XML file")
    add_input_flags(p)
    p.add_argument("--version", action=_VersionAction, help="print the version and exit")
    p.add_argument("-V", "--verbose", action="count", default=0,
                   help="more detail on stderr (timings of the phases); repeat for more")
    p.add_argument("-Q", "--quiet", action="store_true",
                   help="only essential output, as crm_simulate -Q: the score and "
                        "utilization lines asked for, files, the exit code")
    p.add_argument("-P", "--profile", metavar="DIR",
                   help="schedule every *.xml file of DIR and print how long each took "
                        "(crm_simulate -P)")
    p.add_argument("-N", "--repeat", type=int, default=1, metavar="N",
                   help="with --profile: schedule each file N times")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("-R", "--run", action="store_true", help="compute the transition")
    mode.add_argument("-S", "--simulate", action="store_true", help="compute and simulate it")
    p.add_argument("-s", "--show-scores", action="store_true", help="show allocation scores")
    p.add_argument("-U", "--show-utilization", action="store_true",
                   help="show utilization information")
    p.add_argument("-c", "--show-failcounts", action="store_true",
                   help="show resource fail counts")
    p.add_argument("-A", "--show-attrs", action="store_true", help="show node attributes")
    p.add_argument("-D", "--save-dotfile", metavar="FILE.dot",
                   help="save the transition graph (DOT, as crm_simulate)")
    p.add_argument("-G", "--save-graph", metavar="FILE.xml",
                   help="save the transition graph (XML, as crm_simulate)")
    p.add_argument("-I", "--save-input", metavar="FILE.xml",
                   help="save the input CIB, after any injections")
    p.add_argument("-O", "--save-output", metavar="FILE.xml",
                   help="save the resulting CIB (after the transition, with -S)")
    p.add_argument("--output-as", choices=("text", "json", "xml"), default="text",
                   help="text (crm_simulate's), json (pengine-simulate/1) or xml "
                        "(crm_simulate 3.0.2's --output-as xml)")
    p.add_argument("--batch", metavar="DIR",
                   help="simulate every *.xml and *.crm file in DIR in one process, with the "
                        "same flags; prints one summary line per case")
    p.add_argument("--batch-output", metavar="OUTDIR",
                   help="with --batch: write each case's output to OUTDIR/NAME.out "
                        "(and its errors to NAME.err)")
    p.add_argument("--report", metavar="FILE.html",
                   help="also write the transition as one self-contained HTML page")
    p.add_argument("-a", "--all-actions", action="store_true",
                   help="with -D: also write the optional actions (crm_simulate -a)")
    p.add_argument("--in-place", action="store_true",
                   help="like -S, and save the resulting CIB back to the -x file "
                        "(crm_simulate -X)")
    p.add_argument("--output-to", metavar="DEST",
                   help="write the output to this file instead of stdout (- for stdout)")
    add_target_argument(p)
    _event_flags(p)


def _add_check(sub, add_input_flags) -> None:
    p = sub.add_parser("check", help="validate configurations (crm_verify)")
    p.add_argument("config", nargs="*", metavar="CONFIG",
                   help="crm or CIB XML files, or directories of them")
    from pengine.analyses.check_gate import add_arguments as _check_gate_arguments
    _check_gate_arguments(p)
    add_input_flags(p)
    p.add_argument("--version", action=_VersionAction, help="print the version and exit")
    p.add_argument("--format", choices=("text", "json", "junit", "sarif"), default="text",
                   help="text (compiler-style), json, junit or sarif")
    p.add_argument("--strict", action="store_true", help="warnings fail too")
    p.add_argument("--ignore", action="append", default=[], metavar="CODE",
                   help="drop this diagnostic code (PE020...); may be repeated")


def _add_graph(sub, add_input_flags, _event_flags) -> None:
    p = sub.add_parser("graph", help="draw a transition")
    p.add_argument("config", nargs="*", metavar="CONFIG", help="crm file(s), or a CIB XML file")
    add_input_flags(p)
    p.add_argument("-o", "--output", metavar="FILE", required=True,
                   help="FILE.svg, .png, .dot or .html (- for stdout)")
    p.add_argument("--format", choices=("dot", "svg", "png", "html"),
                   help="output format (default: from the file's extension)")
    p.add_argument("-a", "--all-actions", action="store_true",
                   help="also draw optional actions, dashed (crm_simulate --all-actions)")
    p.add_argument("--title", help="the picture's title")
    p.add_argument("--no-legend", action="store_true", help="leave the legend out")
    p.add_argument("--expand-probes", action="store_true",
                   help="draw every probe (by default a busy node's probes share one box)")
    _event_flags(p)


def _add_diff(sub, add_input_flags) -> None:
    p = sub.add_parser("diff", help="what changing OLD into NEW would do")
    p.add_argument("old", metavar="OLD", help="the configuration now (crm or CIB XML; - for stdin)")
    p.add_argument("new", metavar="NEW", help="the configuration proposed")
    add_input_flags(p, xml_help="the cluster's status (cibadmin -Q; - for standard input); "
                                "default: OLD settled, all nodes online")
    p.add_argument("--fail-on", default="", metavar="KINDS",
                   help="exit 1 if the transition would do any of these, comma-separated: "
                        "start, stop, restart, move, promote, demote, reload, fence, shutdown, any")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default) or one JSON document")


def main(argv: list[str] | None = None) -> int:
    # A run builds a few hundred thousand objects that live until it ends;
    # the cyclic collector's default (a young-generation pass every 700
    # allocations) spends a fifth of a large run re-scanning them.
    import gc
    gc.set_threshold(50_000, 20, 10)
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(words[0] if words and words[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    args.whole_process = argv is None    # the command line's run, not a caller's
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        module = importlib.import_module(f"pengine.cli.{args.command}")
    except ModuleNotFoundError:
        print(f"pengine: '{args.command}' is not available yet", file=sys.stderr)
        return EXIT_USAGE
    from pengine.cib.errors import InputError, PengineError
    from pengine.cli.terminal_safe import guarded_output
    with guarded_output(args):
        return _run_command(module, args, InputError, PengineError)


def _run_command(module, args, InputError, PengineError) -> int:
    try:
        return module.run(args)
    except InputError as error:
        print(error.render(), file=sys.stderr)
        return EXIT_INVALID
    except PengineError as error:
        # a usage or I/O error without a position needs no "<input>:" prefix
        print(f"pengine: {error.render() if error.span else error.message}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - a bug must not look like bad input
        import os
        if os.environ.get("PENGINE_TRACEBACK"):
            raise
        print(f"pengine: internal error in '{args.command}': {type(error).__name__}: {error}\n"
              "pengine: this is a bug in pengine, not in your configuration; "
              "PENGINE_TRACEBACK=1 shows where it happened", file=sys.stderr)
        return EXIT_SOFTWARE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
