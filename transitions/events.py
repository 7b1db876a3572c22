"""The events a simulation applies, as crm_simulate takes them: its event flags
(``-u/-d/-f NODE``, ``-i/-F OPSPEC``, ``-t``, ``-q``, ``-w``, tickets), the
:class:`Injections` they make, and the effective date of the run.  Shared by
every subcommand that takes events (simulate, graph, explain) and by the
analyses that plan many what-ifs (resilience)."""

from __future__ import annotations

import argparse
import time
from datetime import datetime

from pengine.cib import model as m
from pengine.cib.errors import UsageError
from pengine.cib.xml_source import NOT_XML_CHARACTERS
from pengine.transitions.inject import Injections


def add_event_flags(p: argparse.ArgumentParser) -> None:
    """crm_simulate's event-injection flags, shared by several subcommands."""
    g = p.add_argument_group("events (as crm_simulate)")
    g.add_argument("-u", "--node-up", action="append", default=[], metavar="NODE",
                   help="bring a node online (a node the configuration lacks is added, "
                        "as crm_simulate does)")
    g.add_argument("-d", "--node-down", action="append", default=[], metavar="NODE",
                   help="take a node offline cleanly")
    g.add_argument("-f", "--node-fail", action="append", default=[], metavar="NODE",
                   help="fail a node (it is fenced)")
    g.add_argument("-i", "--op-inject", action="append", default=[], metavar="OPSPEC",
                   help="${resource}_${task}_${interval_ms}@${node}=${rc}")
    g.add_argument("-F", "--op-fail", action="append", default=[], metavar="OPSPEC",
                   help="fail this action when the transition runs")
    g.add_argument("-t", "--set-datetime", metavar="DATETIME",
                   help="the cluster's date and time (ISO 8601); default: the input's "
                        "execution-date, else now")
    g.add_argument("-q", "--quorum", metavar="0|1",
                   help="set have-quorum (as crm_simulate: only together with another "
                        "injection, -w for instance)")
    g.add_argument("-w", "--watchdog", metavar="0|1",
                   help="set have-watchdog (the cluster has an active watchdog device)")
    g.add_argument("-g", "--ticket-grant", action="append", default=[], metavar="TICKET",
                   help="grant a ticket")
    g.add_argument("-r", "--ticket-revoke", action="append", default=[], metavar="TICKET",
                   help="revoke a ticket")
    g.add_argument("-b", "--ticket-standby", action="append", default=[], metavar="TICKET",
                   help="make a ticket standby")
    g.add_argument("-e", "--ticket-activate", action="append", default=[], metavar="TICKET",
                   help="activate a standby ticket")
    g.add_argument("--optimal", action="store_true",
                   help="place resources by global optimisation instead of Pacemaker's greedy order")


def effective_date(cib: m.Cib, given: str | None) -> tuple[datetime, str | None]:
    """set_effective_date: ``-t``, else the CIB's execution-date, else now."""
    from pengine.common.dates import DateError, format_datetime, from_epoch, parse_datetime
    if given is not None:
        if not given.strip():
            raise UsageError("-t: the date is empty (give e.g. 2026-12-07T10:00:00Z)")
        try:
            return parse_datetime(given), f"Setting effective cluster time: {given}"
        except DateError as error:
            raise UsageError(f"-t {given}: {error}") from None
    recorded = cib.get("execution-date")
    if recorded is not None:
        try:
            when = from_epoch(int(recorded))
        except (ValueError, OverflowError, OSError):
            when = None     # out of range: cib_xml refuses it with its position
        if when is not None:
            return when, f"Using the original execution date of: {format_datetime(when)}"
    return from_epoch(int(time.time())), None


_TEXT_FLAGS = (("-u", "node_up"), ("-d", "node_down"), ("-f", "node_fail"),
               ("-g", "ticket_grant"), ("-r", "ticket_revoke"), ("-b", "ticket_standby"),
               ("-e", "ticket_activate"), ("-i", "op_inject"), ("-F", "op_fail"),
               ("-q", "quorum"), ("-w", "watchdog"))


def _check_xml_text(args) -> None:
    """A node, ticket or operation named on the command line ends up in the
    CIB (-O, -I must stay XML): a control character there is a usage error,
    not a broken file."""
    for flag, dest in _TEXT_FLAGS:
        given = getattr(args, dest, None)
        for value in ([given] if isinstance(given, str) else given or ()):
            found = NOT_XML_CHARACTERS.search(value)
            if found:
                raise UsageError(f"{flag}: control character U+{ord(found.group()):04X} in "
                                 f"{value!r}: node, ticket and operation names cannot hold one")


def injections_from(args) -> Injections:
    from pengine.transitions.inject import parse_op_spec
    _check_xml_text(args)
    for spec in getattr(args, "op_fail", None) or ():
        parse_op_spec(spec)         # -F garbage is a usage error, not silently ignored
    # crm_simulate writes -q's text into have-quorum as given (and prints it so)
    quorum = args.quorum
    return Injections(quorum=quorum, watchdog=args.watchdog, node_up=args.node_up,
                      node_down=args.node_down, node_fail=args.node_fail,
                      ticket_grant=args.ticket_grant, ticket_revoke=args.ticket_revoke,
                      ticket_standby=args.ticket_standby,
                      ticket_activate=args.ticket_activate, op_inject=args.op_inject)
