"""``pengine simulate``: what the cluster would do, as crm_simulate shows it.

The phases follow pcmk__simulate: print the current status, apply the
requested injections, schedule, print the transition summary, carry the
transition out (``-S``) and print the revised status.  The whole output is
built before anything is written, and files are written atomically.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from datetime import datetime


from pengine.transitions.events import effective_date, injections_from  # noqa: F401 - also for explain, graph, diff
from pengine.cib import model as m
from pengine.cib.errors import UsageError
from pengine.cli.output_files import write_atomically
from pengine.transitions.inject import Injections, apply_injections


def run(args) -> int:
    if getattr(args, "batch", None):
        return run_batch(args)
    if getattr(args, "profile", None):
        return run_profile(args)
    from pengine.cli.output_files import check_output_paths, write_all
    if getattr(args, "in_place", False):
        _in_place(args)
    output_to = getattr(args, "output_to", None)
    check_output_paths([(flag, getattr(args, name, None)) for name, flag in _BATCH_FILE_FLAGS]
                       + [("--output-to", output_to if output_to != "-" else None)])
    cib = load_input(args)
    now, date_line = effective_date(cib, args.set_datetime)
    injections = injections_from(args)
    text, files, rc = simulate(cib, now, date_line, injections, args)
    if output_to not in (None, "-"):
        files.append((output_to, text))     # --output-to: written with the other files
        text = ""
    write_all(files)        # all of -D -G -I -O --report, or none
    sys.stdout.write(text)
    sys.stdout.flush()
    if getattr(args, "whole_process", False):
        # Everything is written: end the process without the interpreter's
        # teardown, a full collection and deallocation of the whole run's heap
        # (16x4000: 1.6 s of 12 s).  Only for the command line's own run.
        sys.stderr.flush()
        os._exit(rc)
    return rc


def _in_place(args) -> None:
    """--in-place (crm_simulate -X): -S, the result saved over the -x file."""
    if not args.xml_file or args.xml_file == "-":
        raise UsageError("--in-place saves the result over the input: give -x FILE")
    if args.save_output:
        raise UsageError("--in-place saves the result over the input: give no -O")
    if args.run:
        raise UsageError("--in-place simulates the transition: give no -R")
    args.simulate = True
    args.save_output = args.xml_file


# ----------------------------------------------------------------- batch --

_BATCH_FILE_FLAGS = (("save_dotfile", "-D"), ("save_graph", "-G"), ("save_input", "-I"),
                     ("save_output", "-O"), ("report", "--report"))
_BATCH_SUFFIXES = (".xml", ".crm", ".pcs")


def run_batch(args) -> int:
    """``--batch DIR``: simulate every CIB XML (``*.xml``) and crm file
    (``*.crm``) of DIR, in name order, in this one process, each with the
    same flags.  A summary line per case goes to stdout (name, outcome,
    seconds); with ``--batch-output OUTDIR`` each case's output is written to
    ``OUTDIR/NAME.out`` and anything it reports on stderr to ``NAME.err``.
    One bad case does not stop the others.  The exit code is the worst of
    the cases': 0 all simulated, 1 some input invalid (or a transition that
    failed), 70 an internal error.
    """
    from pengine.cib.errors import InputError, PengineError
    directory = args.batch
    if (args.xml_file or args.config or getattr(args, "xml_pipe", False)
            or getattr(args, "live_check", False)):
        raise UsageError("--batch DIR takes its inputs from DIR: give no -x, -X, -L or CONFIG")
    for name, flag in _BATCH_FILE_FLAGS:
        if getattr(args, name, None):
            raise UsageError(f"--batch writes one output per case: {flag} names a single file")
    try:
        names = sorted(entry for entry in os.listdir(directory)
                       if entry.endswith(_BATCH_SUFFIXES)
                       and os.path.isfile(os.path.join(directory, entry)))
    except OSError as error:
        raise UsageError(f"cannot read {directory}: {error.strerror or error}") from None
    outdir = getattr(args, "batch_output", None)
    if outdir:
        try:
            os.makedirs(outdir, exist_ok=True)
        except OSError as error:
            raise UsageError(f"cannot create {outdir}: {error.strerror or error}") from None
    counts = {"ok": 0, "failed": 0, "invalid": 0, "error": 0}
    worst = 0
    started = time.perf_counter()
    for entry in names:
        case_args = _case_args(args, os.path.join(directory, entry))
        stem = entry.rsplit(".", 1)[0]
        text, err, outcome, rc = _run_case(case_args, InputError, PengineError)
        counts[outcome] += 1
        worst = max(worst, rc)
        if outdir:
            write_atomically(os.path.join(outdir, f"{stem}.out"), text)
            err_path = os.path.join(outdir, f"{stem}.err")
            if err:
                write_atomically(err_path, err)
            elif os.path.exists(err_path):
                os.unlink(err_path)
        seconds = time.perf_counter() - case_args._started
        sys.stdout.write(f"{stem}\t{outcome}\t{seconds:.3f}\n")
    total = time.perf_counter() - started
    sys.stdout.write(f"{len(names)} cases in {total:.2f} s: {counts['ok']} ok, "
                     f"{counts['failed']} transition failed, {counts['invalid']} invalid input, "
                     f"{counts['error']} internal errors\n")
    sys.stdout.flush()
    return worst


def _case_args(args, path: str):
    import argparse
    case = argparse.Namespace(**vars(args))
    case.batch = None
    if path.endswith(".xml"):
        case.xml_file, case.config = path, []
    else:
        case.xml_file, case.config = None, [path]
    case._started = time.perf_counter()
    return case


def _run_case(args, InputError, PengineError) -> tuple[str, str, str, int]:
    """(output, stderr text, outcome, exit code) of one case, run in this process."""
    import contextlib
    import io
    err = io.StringIO()
    text = ""
    try:
        with contextlib.redirect_stderr(err):
            cib = load_input(args)
            now, date_line = effective_date(cib, args.set_datetime)
            text, files, rc = simulate(cib, now, date_line, injections_from(args), args)
        outcome = "ok" if rc == 0 else "failed"
    except InputError as error:
        err.write(error.render() + "\n")
        outcome, rc = "invalid", 1
    except PengineError as error:
        err.write(f"pengine: {error.render()}\n")
        outcome, rc = "invalid", 1
    except Exception as error:  # noqa: BLE001 - one case's bug must not stop the batch
        if os.environ.get("PENGINE_TRACEBACK"):
            raise
        err.write(f"pengine: internal error: {type(error).__name__}: {error}\n")
        outcome, rc = "error", 70
    return text, err.getvalue(), outcome, rc


# --------------------------------------------------------------- profile --

def run_profile(args) -> int:
    """``-P DIR [-N N]``: schedule every ``*.xml`` of DIR (name order) N times
    and print the time each file took, as crm_simulate --profile does."""
    from pengine.cib.load import load_cib
    from pengine.schedule.driver import PHASES
    from pengine.status.unpack import unpack
    from pengine.transitions.graph import create_graph
    directory = args.profile
    try:
        names = sorted(n for n in os.listdir(directory)
                       if n.endswith(".xml") and not n.startswith("."))
    except OSError as error:
        raise UsageError(f"cannot read {directory}: {error.strerror or error}") from None
    repeat = max(1, args.repeat or 1)
    timings = []
    for name in names:
        path = os.path.join(directory, name)
        cib = load_cib([path])
        now, _ = effective_date(cib, args.set_datetime)
        started = time.process_time()
        for _ in range(repeat):
            sch = unpack(cib, now)
            for phase in PHASES:
                phase(sch)
            create_graph(sch)
        timings.append((path, time.process_time() - started))
    if getattr(args, "output_as", "text") == "xml":
        from pengine.transitions.simulate_xml import profile_xml
        sys.stdout.write(profile_xml(timings, _request(args)))
    elif getattr(args, "output_as", "text") == "json":
        import json
        sys.stdout.write(json.dumps({"format": "pengine-profile/1", "repeat": repeat,
                                     "timings": [{"file": p, "seconds": round(t, 6)}
                                                 for p, t in timings]}, indent=2) + "\n")
    else:
        sys.stdout.write("Timings:\n" + "".join(f"  * Testing {path} ... {secs:.2f} secs\n"
                                                for path, secs in timings))
    return 0


def _request(args) -> str:
    """The command line, as crm_simulate's XML ``request`` attribute shows it."""
    return " ".join(["pengine"] + sys.argv[1:]) if getattr(args, "whole_process", False) \
        else "pengine simulate"


# ----------------------------------------------------------------- input --

def load_input(args) -> m.Cib:
    from pengine.cib.load import load_cib
    from pengine.cli.inputs import input_paths
    paths = input_paths(args, list(args.config))
    if not paths:
        raise UsageError("nothing to simulate: give -x CIB.xml, -X, -L or crm configuration files")
    cib = load_cib(paths)
    if (cib.get("validate-with") or "").lower() == "none":
        # crm_simulate says so on stderr when it reads such a CIB
        print('Schema validation of configuration is disabled (support for validate-with set '
              'to "none" is deprecated and will be removed in a future release)',
              file=sys.stderr)
    if cib.source is not None and not cib.status.node_states:
        from pengine.transitions.simulate import bring_crm_cluster_up
        cib = bring_crm_cluster_up(cib)
    return cib


# ---------------------------------------------------------------- phases --

def status_lines(sch, args, title: str, show_pending: bool = True) -> list[str]:
    """crm_simulate shows pending operations in the current status only."""
    from pengine.transitions.status_text import cluster_status_lines
    return [f"{title}:"] + cluster_status_lines(
        sch, show_attrs=args.show_attrs, show_failcounts=args.show_failcounts,
        show_utilization=args.show_utilization, show_pending=show_pending)


def preamble_lines(sch) -> list[str]:
    """The notices crm_simulate prints before the current status."""
    try:
        from pengine.transitions.status_text import preamble_lines as impl
    except ImportError:
        return []
    return impl(sch)


def simulate(cib: m.Cib, now: datetime, date_line: str | None, injections: Injections, args):
    """(stdout text, files to write, exit code).  The text is crm_simulate's
    sections, or with ``--output-as json`` the same as one JSON document
    (transitions.json_output)."""
    try:
        return _simulate(cib, now, date_line, injections, args)
    finally:
        gc.unfreeze()   # what the run built may be collected again (--batch, tests)


def _settle() -> None:
    """Each phase leaves objects that live until the run ends: moved out of
    the cyclic collector's generations, later collections stop re-scanning
    them (a full collection of a large run's heap takes seconds; 16x4000:
    1.4 s -> 0.7 s of collection, same peak memory).  simulate() unfreezes."""
    gc.freeze()


def _simulate(cib: m.Cib, now: datetime, date_line: str | None, injections: Injections, args):
    from pengine.schedule.driver import PHASES
    from pengine.status.unpack import unpack
    from pengine.common.dates import to_epoch
    from pengine.transitions import json_output as jo

    out: list[str] = []
    doc: dict = {"format": jo.FORMAT, "execution_date": None}
    files: list[tuple[str, str]] = []
    if date_line:
        out.append(date_line)
        doc["execution_date"] = date_line.split(": ", 1)[1]
    # -VV: where the time goes (benchmarks/run.py reads these lines)
    clock = [time.perf_counter(), time.process_time()]
    sch = unpack(cib, now)
    quiet_lines: list[str] = []
    xml_parts: dict = {"current": sch}
    if getattr(args, "output_as", "text") == "xml":
        from pengine.transitions.simulate_xml import status_xml_lines
        xml_parts["sections"] = tuple(name for name, on in (
            ("attributes", args.show_attrs), ("failcounts", args.show_failcounts)) if on)
        xml_parts["current"] = status_xml_lines(sch, sections=xml_parts["sections"])
    _settle()
    doc["notices"] = preamble_lines(sch)
    out += doc["notices"]
    current = status_lines(sch, args, "Current cluster status")
    out += current
    doc["current_status"] = jo.status(sch, current[1:])

    if injections.any():
        out.append("")
        # crm_simulate stamps injected results and failures with the wall clock
        lines, cib = apply_injections(cib, injections, int(time.time()))
        out += lines
        if date_line:
            out.append(date_line)   # the effective date is set (and said) again
        xml_parts["modifications"] = lines
        doc["modifications"] = [line.strip()[2:] for line in lines
                                if line.strip().startswith("* ")]
        sch = unpack(cib, now)
    report = getattr(args, "report", None)
    before_view = None
    if report:
        # the grid reads fail counts, which may adjust the scheduler: its own copy
        from pengine.transitions.report import cluster_view_of
        before_view = cluster_view_of(cib, now)
    if args.save_input:
        from pengine.cib.cib_xml import write_cib
        from pengine.cib.saved_xml import write_saved_cib
        from pengine.cib.target_version import for_target
        target = getattr(args, "target", None)
        files.append((args.save_input, write_cib(for_target(cib, target)) if target
                      else write_saved_cib(_as_saved(cib))))

    def finish(rc: int = 0):
        if getattr(args, "output_as", "text") == "json":
            return jo.dumps(doc), files, rc
        if getattr(args, "output_as", "text") == "xml":
            from pengine.transitions.simulate_xml import simulate_xml
            return simulate_xml(xml_parts, _request(args), rc), files, rc
        if getattr(args, "quiet", False):
            return _text(_quiet_output(injections.any(), quiet_lines, args)), files, rc
        return _text(out), files, rc

    verbose = getattr(args, "verbose", 0)

    def note(what: str) -> None:
        if verbose:
            wall, cpu = time.perf_counter(), time.process_time()
            print(f"pengine: {what} in {wall - clock[0]:.3f} s (cpu {cpu - clock[1]:.3f} s)",
                  file=sys.stderr)
            clock[:] = [wall, cpu]

    process = (args.run or args.simulate or args.show_scores or args.show_utilization
               or args.save_graph or args.save_dotfile)
    if not process and not report:
        _save_output(args, cib, files)
        return finish()

    sch.optimal = getattr(args, "optimal", False)
    sch.record_scores = bool(args.show_scores)
    sch.record_utilization = bool(args.show_utilization)
    note("read and unpacked the input")
    for phase in PHASES:
        phase(sch)
        _settle()
        if verbose > 1:
            note(f"phase {phase.__name__}")
    from pengine.transitions.graph import create_graph
    transition = create_graph(sch)
    _settle()
    note("created the transition graph" if verbose > 1 else "scheduled the transition")
    xml_parts["scheduled"] = sch
    if args.show_scores or args.show_utilization:
        out.append("")
        out += score_lines(sch, args)
        quiet_lines += list(sch.score_log) or [None]   # None: the section, though empty
        xml_parts["scores"] = list(sch.score_log)
    if args.show_scores:
        doc["scores"] = jo.scores(sch.score_log)
    if args.save_graph:
        from pengine.transitions.graph_xml import render_graph_xml
        files.append((args.save_graph, render_graph_xml(transition, sch)))
    if args.save_dotfile:
        from pengine.transitions.dot import render_dot
        files.append((args.save_dotfile, render_dot(sch, transition,
                                                    getattr(args, "all_actions", False))))

    if sch.placement_report is not None:
        from pengine.schedule.placement import report_json, report_lines
        out += [""] + report_lines(sch.placement_report)
        doc["optimal_placement"] = report_json(sch.placement_report)
    from pengine.schedule.summary import summary_writer
    summary = summary_writer(sch)
    if process:     # --report alone writes its file and prints what it would without
        out += ["", "Transition Summary:"] + summary.lines
        doc["transition_summary"] = jo.summary_items(summary.entries)
        xml_parts["summary"] = summary.entries
    node_order = [node.name for node in sch.nodes]
    if not args.simulate and not report:
        _save_output(args, cib, files)
        return finish()

    # The report shows the cluster after the transition, so it is carried
    # out for the report even where -S did not ask to print it.
    from pengine.transitions.simulate import run as execute
    start_failure_fatal = sch.start_failure_fatal
    fired: list = []
    # crm_simulate stamps results with the wall clock (time(NULL) in
    # pcmk__event_from_graph_action), which orders them after history
    # recorded through another node (pe__is_newer_op); never before the
    # effective date
    stamp = max(to_epoch(now), int(time.time()))
    lines, new_cib, complete = execute(transition, cib, to_epoch(now), list(args.op_fail),
                                       start_failure_fatal, fired, stamp_epoch=stamp,
                                       node_config=bool(injections.node_up))
    _settle()
    if report:
        from pengine.transitions.report import cluster_view_of, simulate_report
        from pengine.cli.graph import default_title
        html = simulate_report(
            title=default_title(args, doc.get("modifications", [])),
            sources=_source_names(args),
            transition=transition, summary=summary.lines, before=before_view,
            after=cluster_view_of(new_cib, now),
            executed=[(action, ok, line) for (action, ok), line in zip(fired, lines)],
            complete=bool(complete), modifications=doc.get("modifications", []),
            notices=doc["notices"], date=date_line, node_order=node_order)
        files.append((report, html))
    if not args.simulate:
        _save_output(args, cib, files)
        return finish()
    out += ["", "Executing Cluster Transition:"]
    out += lines
    xml_parts["executed"] = fired
    note("carried the transition out")
    doc["executed_actions"] = jo.executed_actions(fired, lines)
    doc["transition_complete"] = bool(complete)
    rc = 0
    if not complete:
        print("Transition failed: terminated", file=sys.stderr)
        print("An invalid transition was produced", file=sys.stderr)
        rc = 1
    _save_output(args, new_cib, files)
    if date_line:
        out.append(date_line)
    revised = unpack(new_cib, now)
    note("unpacked the revised status")
    xml_parts["revised"] = revised
    revised_lines = status_lines(revised, args, "Revised Cluster Status", show_pending=False)
    out += [""] + revised_lines
    doc["revised_status"] = jo.status(revised, revised_lines[1:])
    result = finish(rc)
    note("wrote the output")
    return result


def _save_output(args, cib: m.Cib, files: list) -> None:
    """-O: the CIB as the (simulated) cluster leaves it."""
    if args.save_output:
        from pengine.cib.cib_xml import write_cib
        from pengine.cib.target_version import for_target
        target = getattr(args, "target", None)
        from pengine.cib.saved_xml import write_saved_cib
        files.append((args.save_output, write_cib(for_target(cib, target)) if target
                      else write_saved_cib(_as_saved(cib))))


def _as_saved(cib: m.Cib) -> m.Cib:
    """crm_simulate 3.0.2 saves a CIB it read upgraded to its newest schema: a
    pacemaker-3.x input is written as pacemaker-4.0 (older ones, whose upgrade
    rewrites content, are left as they are).  A CIB built from crm or pcs text
    keeps the header of the tools' empty CIB, which Pacemaker 2.1 takes too;
    --target asks for a version's own schema instead."""
    schema = cib.get("validate-with") or ""
    if cib.source is None and schema.startswith("pacemaker-3."):
        attrs = dict(cib.attributes)
        attrs["validate-with"] = "pacemaker-4.0"
        from attrs import evolve
        return evolve(cib, attributes=list(attrs.items()))
    return cib


def _quiet_output(injected: bool, score_log: list, args) -> list[str]:
    """crm_simulate -Q: the score and utilization lines, bare, with the
    spacers pcmk__simulate still prints between the sections it went
    through: one after the modifications, one after the scores, each only
    where a later section (the scores, the transition with -S) follows."""
    lines: list[str] = []
    printed = injected
    if score_log:
        if printed:
            lines.append("")
        lines += [line for line in score_log if line is not None]
        printed = True
    if args.simulate and printed:
        lines.append("")
    return lines


def score_lines(sch, args) -> list[str]:
    if args.show_scores and args.show_utilization:
        title = "Assignment Scores and Utilization Information:"
    elif args.show_scores:
        title = "Assignment Scores:"
    else:
        title = "Utilization Information:"
    return [title] + ["  * " + line for line in sch.score_log]


def _text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _source_names(args) -> list[str]:
    from pengine.cib.source import display_name
    from pengine.cli.inputs import input_paths
    return [display_name(path) for path in input_paths(args, list(args.config))]
