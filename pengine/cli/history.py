"""``pengine history PATH``: what a real cluster's scheduler did, input by input.

PATH is a pengine directory (``/var/lib/pacemaker/pengine``), a
``crm_report`` archive (``.tar.bz2``/``.tar.gz``) or its unpacked folder.
The analysis lives in :mod:`pengine.analyses.replay_history`; this module prints it
(text as each input is read, or one JSON document) and writes the
``--report`` page.
"""

from __future__ import annotations

import json
import sys

from pengine.analyses import replay_history as rh


def add_arguments(p) -> None:
    p.add_argument("path", metavar="PATH",
                   help="a pengine directory, a crm_report archive (.tar.bz2/.tar.gz) or "
                        "its unpacked folder")
    p.add_argument("--from", dest="from_", metavar="N|DATE",
                   help="start at this input number (42, pe-input-42) or date "
                        "(2026-12-07 19:05:00)")
    p.add_argument("--to", metavar="N|DATE", help="stop after this input number or date")
    p.add_argument("--resource", metavar="RESOURCE",
                   help="only the inputs that concern RESOURCE, and only its lines")
    p.add_argument("--output-as", choices=("text", "json"), default="text",
                   help="text as the inputs are read (default), or one JSON document")
    p.add_argument("--report", metavar="FILE.html",
                   help="also write the timeline as one self-contained HTML page")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (it is drawn only on a terminal anyway)")


class _Progress:
    """A one-line bar on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.last = -1

    def __call__(self, done: int, total: int, name: str) -> None:
        if not self.enabled or total < 2:
            return
        percent = done * 100 // total
        if percent == self.last and done != total:
            return
        self.last = percent
        width = 30
        filled = width * done // total
        end = "\n" if done == total else ""
        from pengine.cli.terminal_safe import terminal_safe, write_own_controls
        write_own_controls(sys.stderr, f"\r[{'#' * filled}{'.' * (width - filled)}] "
                           f"{done}/{total} {terminal_safe(name[-40:]):<40}{end}")
        sys.stderr.flush()


def run(args) -> int:
    source = rh.locate(args.path)
    first, since = rh.parse_bound(args.from_, "--from")
    last, until = rh.parse_bound(args.to, "--to")
    window = rh.Range(first=first, last=last, since=since, until=until)
    json_out = args.output_as == "json"
    progress = _Progress(not args.no_progress)
    records = []
    seen_files = set()
    versions: set = set()
    streaming = not json_out
    if not source.inputs:
        raise rh.UsageError(f"{args.path}: no scheduler inputs (pe-input-N.bz2, pe-warn-N, "
                            "pe-error-N) found")
    rh.check_window(source, window)
    if streaming:
        sys.stdout.write(f"{args.path}: {len(source.inputs)} scheduler inputs"
                         + (f", {len(source.logged)} transitions in the logs" if source.logged
                            else ", no logs") + "\n\n")
    for record in rh.history(source, window=window, resource=args.resource,
                             progress=progress, keep_for_report=bool(args.report)):
        basename = record["file"].rsplit("/", 1)[-1]
        seen_files.add((record["host"], basename if basename.endswith(".bz2")
                        else basename + ".bz2"))
        if streaming:
            if progress.enabled:
                from pengine.cli.terminal_safe import write_own_controls
                write_own_controls(sys.stderr, "\r" + " " * 80 + "\r")
            sys.stdout.write("".join(line + "\n" for line in rh.text_lines(record, versions)))
            sys.stdout.flush()
        records.append(record if args.report else _public(record))
    # every input seen, also those outside the window, for the log cross-check
    seen_all = {(ref.host, ref.name.rsplit("/", 1)[-1] if ref.name.endswith(".bz2")
                 else ref.name.rsplit("/", 1)[-1] + ".bz2") for ref in source.inputs}
    missing = rh.unmatched_log_transitions(source, seen_all)
    if streaming:
        if missing:
            sys.stdout.write("Transitions the logs name whose input is not here:\n")
            for entry in missing:
                sys.stdout.write(f"  transition {entry.transition} ({entry.when}"
                                 f"{', ' + entry.host if entry.host else ''}): {entry.file}\n")
        shown = len(records)
        sys.stdout.write(f"{shown} input{'s' if shown != 1 else ''} shown\n")
    else:
        doc = {"format": "pengine-history/1", "path": args.path,
               "inputs_found": len(source.inputs),
               "logged_transitions": [_logged(e) for e in sorted(
                   source.logged, key=lambda e: (e.host or "", e.transition))],
               "missing_inputs": [_logged(e) for e in missing],
               "transitions": [_public(r) for r in records]}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    if args.report:
        from pengine.analyses.history_report import history_report
        from pengine.cli.output_files import write_atomically
        write_atomically(args.report, history_report(args.path, records, missing))
    return 0


def _logged(entry) -> dict:
    return {"transition": entry.transition, "file": entry.file, "host": entry.host,
            "when": entry.when, "with": entry.kind}


def _public(record: dict) -> dict:
    return {k: v for k, v in record.items() if not k.startswith("_")}
