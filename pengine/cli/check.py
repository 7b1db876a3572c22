"""``pengine check CONFIG...``: validate configurations, as crm_verify does.

Each CONFIG is a crm file, a CIB XML file, or a directory searched for
``*.crm`` and ``*.xml``.  A file that cannot be parsed is reported as a
diagnostic of that file (code PE000), like any other finding.

Exit codes: 0 no errors (warnings too with ``--strict``); 1 errors found;
2 a file could not be read, or bad usage.
"""

from __future__ import annotations

import json
import os
import sys
from xml.sax.saxutils import escape, quoteattr

from attrs import evolve, frozen

from pengine.cib.errors import Diagnostic, InputError, PengineError, UsageError
from pengine.cib.span import Span

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
#: Warnings shown only with -V: what the scheduler notes while scheduling
#: (crm_verify too prints most of them only with -V).
QUIET_CODES = frozenset({"PE211"})
SUFFIXES = (".crm", ".xml", ".pcs")


@frozen
class FileReport:
    """What checking one file found; ``problem`` is an I/O or usage failure."""

    path: str
    diagnostics: tuple[Diagnostic, ...] = ()
    source: str | None = None
    problem: str | None = None


def collect(paths: list[str]) -> list[str]:
    """The files to check: files as given, directories searched in name order."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(root, n) for n in names if n.endswith(SUFFIXES))
            files.extend(sorted(found))
        else:
            files.append(path)
    return files


def load_config(path: str):
    """``(cib, source text)`` of one file.  A ``.xml`` file is always read as
    XML (so an empty or garbled one gets an XML error); otherwise the content
    decides.  Raises InputError (exit 1) or UsageError (exit 2), and names the
    file in either."""
    from pengine.cib.load import parse_config, read_text
    from pengine.cib.source import display_name, strip_bom

    name = display_name(path)
    try:
        data = read_text(path)
    except InputError as error:
        raise _with_file(error, name) from None
    source = strip_bom(data).decode("utf-8", errors="replace")
    try:
        return parse_config(data, name), source
    except InputError as error:
        if error.source is None:
            error.source = source
        raise _with_file(error, name) from None
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("pengine.cib.crm_text"):
            raise UsageError(f"cannot read {path}: crm text is not supported yet") from None
        raise


def _with_file(error: InputError, path: str) -> InputError:
    """The same error, with a span naming the file if it had none."""
    if error.span is not None and error.span.file == path:
        return error
    message = error.message.removeprefix(f"{path}: ")
    return type(error)(message, Span(path), error.source, error.hint, error.code)


def check_file(path: str, target: str | None = None, schema_dir: str | None = None,
               scheduler: bool = True) -> FileReport:
    """Read, parse and validate one file; never raises for bad input.

    Besides the cross-reference checks of :mod:`cib.validate`, an XML file is
    checked against the CIB schema (:mod:`cib.schema`) and every file is run
    through the scheduler for what it reports (:mod:`pengine.analyses.verify_checks`),
    as crm_verify does.  ``target`` is the Pacemaker version the cluster runs
    ("2.1" or "3.0"; default: from the file)."""
    from pengine.cib.validate import validate
    from pengine.analyses.check_gate import gate_diagnostics, schema_stage

    from pengine.cib.source import display_name
    name = display_name(path)
    early, root = schema_stage(path, target, schema_dir)
    try:
        cib, source = load_config(path)
    except InputError as error:
        return FileReport(name, tuple(early) + (_input_diagnostic(error),), error.source)
    except UsageError as error:
        return FileReport(name, problem=error.message)
    found = list(early) + list(validate(cib, source))
    found += gate_diagnostics(cib, name, root, target, found, scheduler)
    return FileReport(name, tuple(found), source)


def check_crm_files_together(paths: list[str]) -> dict[str, FileReport]:
    """crm files named on the command line (two or more) are one configuration,
    as ``crm configure load update`` of each makes them: checked together,
    each file's report holds the findings positioned in it.  Empty when there
    are fewer than two, or one is not crm text (each is then checked alone)."""
    from pengine.cib.load import is_xml, read_crm_files, read_text
    from pengine.cib.validate import validate

    if len(paths) < 2:
        return {}
    try:
        files = [(path, read_text(path)) for path in paths]
    except PengineError:
        return {}  # the file's own check says what is wrong with it
    if any(is_xml(data) for _path, data in files):
        return {}
    sources = {path: data.decode("utf-8", errors="replace") for path, data in files}
    try:
        cib = read_crm_files(files)
        diagnostics = tuple(validate(cib, sources[paths[0]]))
    except InputError as error:
        diagnostics = (_input_diagnostic(error),)
    found: dict[str, list[Diagnostic]] = {path: [] for path in paths}
    for diagnostic in diagnostics:
        where = diagnostic.span.file if diagnostic.span is not None else paths[0]
        found.get(where, found[paths[0]]).append(diagnostic)
    return {path: FileReport(path, tuple(found[path]), sources[path]) for path in paths}


def _input_diagnostic(error: PengineError) -> Diagnostic:
    """A parse failure as a diagnostic of its file."""
    return evolve(error.diagnostic, code=error.code or "PE000")


def fails(diagnostic: Diagnostic, strict: bool) -> bool:
    return diagnostic.severity == "error" or strict


# ------------------------------------------------------------------ formats ----

def _location(report: FileReport, diagnostic: Diagnostic) -> tuple[str, int, int]:
    span = diagnostic.span
    return (span.file if span else report.path, span.line if span else 0,
            span.column if span else 0)


def format_text(reports: list[FileReport], strict: bool) -> str:
    blocks = []
    for report in reports:
        if report.problem:
            continue  # said on stderr
        for diagnostic in report.diagnostics:
            blocks.append(diagnostic.render(report.source))
    return "".join(block + "\n" for block in blocks)


def as_records(reports: list[FileReport]) -> list[dict]:
    records = []
    for report in reports:
        for diagnostic in report.diagnostics:
            file, line, column = _location(report, diagnostic)
            span = diagnostic.span
            records.append({
                "file": file, "line": line, "column": column, "severity": diagnostic.severity,
                "code": diagnostic.code, "message": diagnostic.message, "hint": diagnostic.hint,
                "element": span.element if span else None,
                "id": span.element_id if span else None,
            })
    return records


def format_json(reports: list[FileReport], strict: bool) -> str:
    return json.dumps(as_records(reports), indent=2) + "\n"


def _xml_safe(text: str) -> str:
    """What XML 1.0 cannot hold (control characters in a file name or a
    message) as U+FFFD: the JUnit document stays well-formed."""
    from pengine.cib.xml_source import NOT_XML_CHARACTERS
    return NOT_XML_CHARACTERS.sub("\ufffd", text)


def _xml_attr(text: str) -> str:
    return quoteattr(_xml_safe(text))


def format_junit(reports: list[FileReport], strict: bool) -> str:
    cases = []
    failures = errors = 0
    for report in reports:
        name = _xml_attr(report.path)
        if report.problem:
            errors += 1
            cases.append(f'    <testcase classname="pengine.check" name={name}>\n'
                         f'      <error message={_xml_attr(report.problem)}/>\n    </testcase>')
            continue
        failing = [d for d in report.diagnostics if fails(d, strict)]
        others = [d for d in report.diagnostics if not fails(d, strict)]
        body = []
        for diagnostic in failing:
            failures += 1
            body.append(f"      <failure message={_xml_attr(diagnostic.message)} "
                        f"type={_xml_attr(diagnostic.code)}>"
                        f"{escape(_xml_safe(diagnostic.render(report.source)))}</failure>")
        if others:
            text = "\n".join(d.render(report.source) for d in others)
            body.append(f"      <system-out>{escape(_xml_safe(text))}</system-out>")
        inner = ("\n" + "\n".join(body) + "\n    ") if body else ""
        cases.append(f'    <testcase classname="pengine.check" name={name}>{inner}</testcase>')
    head = (f'<testsuite name="pengine check" tests="{len(reports)}" failures="{failures}" '
            f'errors="{errors}" skipped="0">')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  ' + head + "\n"
            + "\n".join(cases) + ("\n" if cases else "") + "  </testsuite>\n</testsuites>\n")


def format_sarif(reports: list[FileReport], strict: bool) -> str:
    from pengine.analyses.check_gate import all_codes
    CODES = all_codes()

    results = []
    used: dict[str, None] = {}
    for report in reports:
        for diagnostic in report.diagnostics:
            file, line, column = _location(report, diagnostic)
            used.setdefault(diagnostic.code or "PE000")
            physical: dict = {"artifactLocation": {"uri": _uri(file)}}
            if line > 0:
                physical["region"] = {"startLine": line, "startColumn": max(column, 1)}
            text = diagnostic.message + (f" (hint: {diagnostic.hint})" if diagnostic.hint else "")
            results.append({
                "ruleId": diagnostic.code or "PE000",
                "level": "error" if diagnostic.severity == "error" else "warning",
                "message": {"text": text},
                "locations": [{"physicalLocation": physical}],
            })
    rules = [{"id": code, "shortDescription": {"text": CODES.get(code, code)}}
             for code in sorted(used)]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "pengine", "version": _version(),
                                "informationUri": "https://clusterlabs.org/",
                                "rules": rules}},
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("pengine")
    except PackageNotFoundError:
        return "0+checkout"


def _uri(path: str) -> str:
    from urllib.parse import quote
    return quote(path.replace(os.sep, "/"))


FORMATS = {"text": format_text, "json": format_json, "junit": format_junit,
           "sarif": format_sarif}


# --------------------------------------------------------------------- main ----

def run(args) -> int:
    ignore = {code.strip().upper() for item in args.ignore for code in item.split(",")
              if code.strip()}
    from pengine.cli.inputs import input_paths
    paths = input_paths(args, list(args.config))
    if not paths:
        raise UsageError("nothing to check: give configuration files, -x CIB.xml, -X or -L")
    target = getattr(args, "target", None)
    reports = []
    together = check_crm_files_together(
        [p for p in paths if os.path.isfile(p) and not p.endswith(".xml")])
    for path in collect(paths):
        report = together.get(path) or check_file(path, target, getattr(args, "schema_dir", None))
        kept = tuple(d for d in report.diagnostics if d.code not in ignore)
        reports.append(evolve(report, diagnostics=kept))
    if not reports:
        raise UsageError("no .crm or .xml files found in " + ", ".join(paths))
    if not getattr(args, "verbose", 0):
        reports = [evolve(r, diagnostics=tuple(d for d in r.diagnostics
                                               if d.code not in QUIET_CODES))
                   for r in reports]
    sys.stdout.write(FORMATS[args.format](reports, args.strict))
    sys.stdout.flush()

    problems = [r for r in reports if r.problem]
    for report in problems:
        print(f"pengine: {report.path}: {report.problem}", file=sys.stderr)
    diagnostics = [d for r in reports for d in r.diagnostics]
    n_errors = sum(d.severity == "error" for d in diagnostics)
    n_warnings = len(diagnostics) - n_errors
    if args.format == "text":
        print(f"{_plural(n_errors, 'error')}, {_plural(n_warnings, 'warning')} in "
              f"{_plural(len(reports), 'file')}", file=sys.stderr)
    if problems:
        return EXIT_USAGE
    if any(fails(d, args.strict) for d in diagnostics):
        return EXIT_INVALID
    return EXIT_OK


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
