"""The input flags every reading subcommand shares, as crm_simulate spells
them: ``-x FILE`` (``-x -`` for standard input), ``-X``/``--xml-pipe``
(the CIB on standard input) and ``-L``/``--live-check`` (the running
cluster's CIB, ``cibadmin -Q``).  They resolve to source paths that
``cib.load`` reads (cib.source: bounded, bz2 by content)."""

from __future__ import annotations

import argparse

from pengine.cib.errors import UsageError
from pengine.cib.source import LIVE_CIB, STDIN


def add_input_flags(parser: argparse.ArgumentParser, xml_file: bool = True,
                    xml_help: str = "a CIB XML file (bz2-compressed too); - for standard input"
                    ) -> None:
    if xml_file:
        parser.add_argument("-x", "--xml-file", metavar="CIB.xml", help=xml_help)
    parser.add_argument("-X", "-p", "--xml-pipe", action="store_true",
                        help="read the CIB from standard input (crm_simulate -p)")
    parser.add_argument("-L", "--live-check", action="store_true",
                        help="read the live CIB (cibadmin -Q) of the cluster this node is part of")


def xml_source(args) -> str | None:
    """The one CIB source given by -x, -X or -L, or None."""
    given = [flag for flag, on in (("-x", getattr(args, "xml_file", None) is not None),
                                   ("-X", getattr(args, "xml_pipe", False)),
                                   ("-L", getattr(args, "live_check", False))) if on]
    if len(given) > 1:
        raise UsageError(f"give only one of {', '.join(given)}: each names the CIB to read")
    if getattr(args, "xml_file", None) is not None:
        if args.xml_file == "":
            raise UsageError("-x: the file name is empty")
        return args.xml_file
    if getattr(args, "xml_pipe", False):
        return STDIN
    if getattr(args, "live_check", False):
        return LIVE_CIB
    return None


def input_paths(args, configs: list[str]) -> list[str]:
    """-x/-X/-L or the CONFIG files, not both; at least one."""
    source = xml_source(args)
    for config in configs:
        if config == "":
            raise UsageError("an empty file name was given")
    if source is not None and configs:
        raise UsageError("give either -x/-X/-L or configuration files, not both")
    if source is not None:
        return [source]
    if configs.count(STDIN) > 1:
        raise UsageError("standard input (-) can be read only once")
    return list(configs)
