"""``pengine resilience CONFIG|-x CIB``: is this cluster N+1 safe?

Plans every single node failure, every node drain (standby), every resource
reaching its migration-threshold on its current node (``--depth 2`` adds
every pair of node failures, ``--events FILE`` custom what-ifs in simulate's
event flags, one per line) and prints, per what-if, what happens to each
service, then whether the cluster survives any one node failure (see
pengine.analyses.resilience).  ``--fail-on stopped,blocked,moved`` exits 1 when a
what-if would do that, for CI.
"""

from __future__ import annotations

import json
import os
import sys

from pengine.cib.errors import UsageError
from pengine.analyses.resilience import worst_headroom

GATES = ("stopped", "blocked", "moved", "promotion-lost", "degraded", "restarted",
         "overcommit")
FORMAT = "pengine-resilience/1"


def add_arguments(p) -> None:
    p.add_argument("config", nargs="*", metavar="CONFIG", help="crm file(s), or a CIB XML file")
    p.add_argument("-x", "--xml-file", metavar="CIB.xml",
                   help="the cluster to examine, with its status (cibadmin -Q)")
    p.add_argument("--depth", type=int, choices=(1, 2), default=1,
                   help="2: also every pair of node failures")
    p.add_argument("--events", metavar="FILE",
                   help="custom what-ifs, one per line, in simulate's event flags "
                        "(-f NODE, -i OPSPEC, ...)")
    p.add_argument("--what-ifs", default="node-failure,standby,migration-threshold",
                   metavar="KINDS",
                   help="the standard what-ifs to plan, comma-separated: node-failure, "
                        "standby, migration-threshold (default: all; '' for none)")
    p.add_argument("--only-events", action="store_true",
                   help="plan only the --events what-ifs (as --what-ifs '')")
    p.add_argument("-t", "--set-datetime", metavar="DATETIME",
                   help="the cluster's date and time (default: the input's execution-date, else now)")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="plan the what-ifs in N worker processes (forked: they share the "
                        "loaded configuration)")
    p.add_argument("--output-as", choices=("text", "json"), default="text",
                   help="text (a table) or one JSON document")
    p.add_argument("--report", metavar="FILE.html",
                   help="a page: heat map what-if x service, each what-if's summary and graph")
    p.add_argument("--fail-on", default="", metavar="KINDS",
                   help="exit 1 if a what-if leaves a service so, comma-separated: "
                        + ", ".join(GATES))
    p.add_argument("--optimal", action="store_true",
                   help="say where a better placement (CP-SAT) would keep lost services running")


def parse_gates(text: str) -> set[str]:
    gates = {g.strip().lower() for g in text.split(",") if g.strip()}
    unknown = gates - set(GATES)
    if unknown:
        raise UsageError(f"--fail-on: unknown kind {', '.join(sorted(unknown))} "
                         f"(choose from {', '.join(GATES)})")
    return gates


def run(args) -> int:
    from pengine.cli.simulate import effective_date, load_input
    from pengine.analyses.resilience import analyse, parse_events
    gates = parse_gates(args.fail_on)
    kinds = {k.strip() for k in args.what_ifs.split(",") if k.strip()}
    unknown = kinds - {"node-failure", "standby", "migration-threshold"}
    if unknown:
        raise UsageError(f"--what-ifs: unknown kind {', '.join(sorted(unknown))} (choose from "
                         "node-failure, standby, migration-threshold)")
    if args.only_events:
        kinds = set()
    events = []
    if args.events:
        try:
            with open(args.events, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"cannot read {args.events}: "
                             f"{getattr(error, 'strerror', None) or error}") from None
        events = parse_events(args.events, text)
    elif args.only_events:
        raise UsageError("--only-events needs --events FILE")
    cib = load_input(args)
    now, _ = effective_date(cib, args.set_datetime)
    analysis = analyse(cib, now, depth=args.depth, events=events,
                       kinds=kinds, optimal=args.optimal, jobs=max(1, args.jobs),
                       keep_transitions=bool(args.report))
    sources = ([args.xml_file] if args.xml_file else []) + list(args.config)
    if args.report:
        from pengine.cli.output_files import write_atomically
        from pengine.analyses.resilience_report import resilience_report
        write_atomically(args.report, resilience_report(analysis, sources))
    if args.output_as == "json":
        text = json.dumps(to_json(analysis), indent=1) + "\n"
    else:
        text = "\n".join(text_lines(analysis, sources)) + "\n"
    sys.stdout.write(text)
    sys.stdout.flush()
    rc = 1 if tripped(analysis, gates) else 0
    if rc:
        print(f"pengine resilience: --fail-on {','.join(sorted(gates))}: "
              f"{'; '.join(tripped(analysis, gates))}", file=sys.stderr)
    if getattr(args, "whole_process", False):
        sys.stderr.flush()
        os._exit(rc)        # as simulate: no teardown of a large heap
    return rc


def tripped(analysis, gates: set[str]) -> list[str]:
    """The what-ifs that set a gate off, as "fail node1: db stopped"."""
    found = []
    for outcome in analysis.outcomes:
        hits = [f"{i.service} {i.state}" for i in outcome.impacts if i.state in gates]
        if "overcommit" in gates:
            hits += [f"{o.node} {o.dimension} overcommitted" for o in outcome.overcommit]
        if hits:
            found.append(f"{outcome.what_if.label}: {', '.join(hits)}")
    return found


# ------------------------------------------------------------------ text --

_COLUMNS = (("stopped", "stopped"), ("blocked", "blocked"), ("promotion-lost", "promo lost"),
            ("degraded", "degraded"), ("moved", "moved"), ("restarted", "restarted"))


def _cell(names: list[str], width: int = 28) -> str:
    if not names:
        return "-"
    text = ", ".join(names)
    if len(text) <= width:
        return text
    return f"{len(names)} services"


def text_lines(analysis, sources: list[str]) -> list[str]:
    out = [f"Resilience of {', '.join(sources)}: {len(analysis.nodes)} nodes, "
           f"{len(analysis.services)} services, {len(analysis.outcomes)} what-ifs"]
    if analysis.base_summary:
        count = len(analysis.base_summary)
        out.append(f"(the cluster has a transition of its own to run: {count} "
                   f"change{'s' if count != 1 else ''}; what-ifs are compared with its "
                   "outcome)")
    out.append("")
    header = ["what-if"] + [title for _, title in _COLUMNS] + ["fencing", "overcommit"]
    rows = []
    for outcome in analysis.outcomes:
        row = [outcome.what_if.label]
        row += [_cell(outcome.services_in(state)) for state, _ in _COLUMNS]
        row.append(", ".join(outcome.fencing) or "-")
        row.append(", ".join(f"{o.node} {o.dimension} {o.demand}>{o.capacity}"
                             for o in outcome.overcommit) or "-")
        rows.append(row)
    widths = [max(len(r[k]) for r in rows + [header]) for k in range(len(header))]
    out.append("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]

    failing = [o for o in analysis.outcomes if o.failing]
    if failing:
        out += ["", "Services lost, and why:"]
        for outcome in failing:
            for impact in outcome.impacts:
                if impact.state not in ("stopped", "blocked", "promotion-lost"):
                    continue
                out.append(f"  {outcome.what_if.label}: {impact.service} {impact.state}"
                           + (f" ({impact.details})" if impact.details else ""))
                out += [f"      {line}" for line in impact.why]
            for over in outcome.overcommit:
                out.append(f"  {outcome.what_if.label}: {over.node} needs {over.demand} "
                           f"{over.dimension}, has {over.capacity}")
            out += [f"    optimal: {line}" for line in outcome.optimal]

    out += ["", "Summary:"]
    failures = analysis.node_failures()
    if analysis.n_plus_1_safe:
        out.append(f"  N+1 safe: yes ({len(failures)} single node failures, every service "
                   "keeps running within capacity)")
    else:
        bad = [o.what_if.label for o in failures if o.failing]
        out.append(f"  N+1 safe: NO ({len(bad)} of {len(failures)} single node failures "
                   f"lose a service or overcommit a node: {', '.join(bad)})")
    pairs = analysis.pair_failures()
    if pairs:
        bad = [o.what_if.label for o in pairs if o.failing]
        out.append("  N+2 safe: " + ("yes" if analysis.n_plus_2_safe else
                                      f"NO ({len(bad)} of {len(pairs)} pairs of node failures "
                                      "lose a service or overcommit a node)"))
    weakest = analysis.weakest_node()
    out.append(f"  Weakest node: {weakest or 'none (no single failure touches a service)'}")
    homeless = analysis.no_second_home()
    out.append("  No second home: " + (", ".join(f"{s} (on {n})" for s, n in homeless)
                                      or "none"))
    if analysis.headroom:
        out.append("  Headroom (capacity left now; worst left after one node failure):")
        worst = worst_headroom(analysis)
        for node, dimension, capacity, free in analysis.headroom:
            low = worst.get((node, dimension))
            tail = f"; worst {low[0]} after {low[1]}" if low is not None else ""
            out.append(f"    {node:<12} {dimension:<10} {free} of {capacity}{tail}")
    if analysis.optimal_now:
        out.append("  An optimal placement now would move: " + "; ".join(analysis.optimal_now))
    return out


# ------------------------------------------------------------------ json --

def to_json(analysis) -> dict:
    worst = worst_headroom(analysis)
    return {
        "format": FORMAT,
        "nodes": list(analysis.nodes),
        "services": list(analysis.services),
        "base_transition": list(analysis.base_summary),
        "what_ifs": [{
            "kind": o.what_if.kind, "label": o.what_if.label, "events": list(o.what_if.flags),
            "standby": list(o.what_if.standby),
            "services": [{"service": i.service, "state": i.state, "details": i.details,
                          "why": list(i.why)} for i in o.impacts],
            "fencing": list(o.fencing),
            "overcommit": [{"node": c.node, "dimension": c.dimension, "demand": c.demand,
                            "capacity": c.capacity} for c in o.overcommit],
            "transition_summary": [line.strip()[2:] for line in o.summary],
            "optimal": list(o.optimal),
            "failing": o.failing,
        } for o in analysis.outcomes],
        "summary": {
            "n_plus_1_safe": analysis.n_plus_1_safe,
            "n_plus_2_safe": analysis.n_plus_2_safe,
            "weakest_node": analysis.weakest_node(),
            "no_second_home": [{"service": s, "node": n} for s, n in analysis.no_second_home()],
            "headroom": [{"node": n, "dimension": d, "capacity": c, "free": f,
                          "worst_after_one_failure": worst.get((n, d), (None,))[0]}
                         for n, d, c, f in analysis.headroom],
            "optimal_now": list(analysis.optimal_now),
        },
    }
