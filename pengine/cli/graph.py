"""``pengine graph CONFIG [events] -o FILE``: a picture of the transition.

The cluster is loaded, the events applied and the transition scheduled as
``pengine simulate`` does; the transition is then drawn for people
(transitions.picture): actions grouped by node, fencing, probes and
pseudo-actions told apart, blocked actions dashed, a legend.  The output
format follows the file's extension (``.dot``, ``.svg``, ``.png``,
``.html``) unless ``--format`` says otherwise; ``-o -`` writes to stdout.
"""

from __future__ import annotations

import os
import sys

from pengine.cib.errors import UsageError
from pengine.cli.output_files import write_atomically


def output_format(path: str, given: str | None) -> str:
    from pengine.transitions.picture import FORMATS
    if given:
        return given
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext == "htm":
        ext = "html"
    if ext not in FORMATS:
        raise UsageError(f"{path}: cannot tell the format from the extension; use .dot, .svg, "
                         f".png or .html, or --format")
    return ext


def run(args) -> int:
    from pengine.cli import simulate as sim
    if args.output == "":
        raise UsageError("-o: the file name is empty")
    fmt = output_format(args.output, args.format)
    if args.output == "-" and fmt == "png" and sys.stdout.isatty():
        raise UsageError("refusing to write PNG to a terminal; use -o FILE.png")
    cib = sim.load_input(args)
    now, _ = sim.effective_date(cib, args.set_datetime)
    injections = sim.injections_from(args)
    transition, summary, modifications, node_order = schedule(cib, now, injections, args)
    title = args.title or default_title(args, modifications)
    from pengine.transitions.picture import PROBE_FOLD, RenderError, picture_dot, render
    dot_text = picture_dot(transition, title=title, all_actions=args.all_actions,
                           legend=not args.no_legend, node_order=node_order,
                           collapse_probes=0 if args.expand_probes else PROBE_FOLD)
    try:
        data = render(dot_text, fmt, title=title, summary=summary)
    except RenderError as error:
        raise UsageError(str(error)) from None
    if args.output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomically(args.output, data)
    return 0


def schedule(cib, now, injections, args):
    """(transition, summary lines, modification lines, node names in order)."""
    from pengine.common.dates import to_epoch
    from pengine.schedule.driver import PHASES
    from pengine.status.unpack import unpack
    from pengine.transitions.graph import create_graph
    from pengine.transitions.inject import apply_injections
    from pengine.schedule.summary import transition_summary
    modifications: list[str] = []
    if injections.any():
        lines, cib = apply_injections(cib, injections, to_epoch(now))
        modifications = [line.strip()[2:] for line in lines if line.strip().startswith("* ")]
    sch = unpack(cib, now)
    sch.optimal = getattr(args, "optimal", False)
    for phase in PHASES:
        phase(sch)
    transition = create_graph(sch)
    return transition, transition_summary(sch), modifications, [n.name for n in sch.nodes]


def default_title(args, modifications: list[str]) -> str:
    """"Transition for FILE", and the events applied on a second line."""
    import re
    from pengine.cib.source import display_name
    from pengine.cli.inputs import input_paths
    paths = [display_name(p) for p in input_paths(args, list(args.config))]
    title = "Transition for " + ", ".join(os.path.basename(p) for p in paths)
    events = [re.sub(r"^Injecting (\S+) into the configuration$", r"inject \1", line)
              for line in modifications]
    if events:
        title += "\n" + "; ".join(events)
    return title
