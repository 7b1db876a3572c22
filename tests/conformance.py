"""Conformance against Pacemaker's scheduler regression corpus.

For each case of ``$PENGINE_CTS_DIR/tests.tsv`` (default ``../shared/pacemaker-cts``
beside the checkout), ``pengine simulate -x xml/NAME.xml -S <extra args>`` is
compared with ``summary/NAME.summary`` section by section, whitespace-normalised
and order-insensitive: ``transition`` (Transition Summary), ``actions``
(Executing Cluster Transition) and ``revised`` (Revised Cluster Status).

Run as a script to measure and, with ``--update``, rewrite the baseline::

    python tests/conformance.py [--jobs N] [--update] [--show NAME] [NAME ...]

Only the expected files are read here, in the test harness; the engine never
sees them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shlex
import signal
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "conformance_baseline.json"
SECTIONS = ("transition", "actions", "revised")
_HEADERS = {
    "Transition Summary:": "transition",
    "Executing Cluster Transition:": "actions",
    "Revised Cluster Status:": "revised",
}
_OTHER_HEADERS = ("Current cluster status:", "Performing Requested Modifications:",
                  "Assignment Scores", "Utilization Information")
CASE_TIMEOUT_S = 120


def corpus_dir() -> Path:
    default = HERE.parent.parent / "shared" / "pacemaker-cts"
    return Path(os.environ.get("PENGINE_CTS_DIR", default))


def cases(root: Path) -> list[tuple[str, list[str]]]:
    rows = []
    lines = (root / "tests.tsv").read_text().splitlines()
    for line in lines[1:]:
        fields = line.split("\t")
        if not fields or not fields[0]:
            continue
        extra = fields[3] if len(fields) > 3 else ""
        rows.append((fields[0], _split_args(extra)))
    return rows


def _split_args(extra: str) -> list[str]:
    """tests.tsv writes ``-t 2014-05-07 00:28:00`` unquoted: a date keeps its time."""
    args: list[str] = []
    for token in shlex.split(extra):
        if args and args[-1 if len(args) == 1 else -1] and not token.startswith("-") \
                and len(args) >= 2 and args[-2] == "-t":
            args[-1] += " " + token
        else:
            args.append(token)
    return args


def sections(text: str) -> dict[str, Counter]:
    """The three compared sections as multisets of normalised lines."""
    found: dict[str, Counter] = {name: Counter() for name in SECTIONS}
    current = None
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if raw.strip() in _HEADERS:
            current = _HEADERS[raw.strip()]
            continue
        if raw and not raw[0].isspace() and raw.strip().startswith(_OTHER_HEADERS):
            current = None
            continue
        if current is None or not line or line.startswith("Using the original execution date"):
            continue
        found[current][line] += 1
    return found


def _alarm(signum, frame):
    raise TimeoutError(f"case took longer than {CASE_TIMEOUT_S}s")


def run_case(root: Path, name: str, extra: list[str]) -> tuple[str, str]:
    """(stdout, error) of ``pengine simulate`` run in this process."""
    from pengine.cli import main
    out, err = io.StringIO(), io.StringIO()
    argv = ["simulate", "-x", str(root / "xml" / f"{name}.xml"), "-S", *extra]
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_TIMEOUT_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(argv)
        error = "" if rc == 0 else f"exit {rc}: {err.getvalue().strip()[-500:]}"
    except BaseException as exc:  # noqa: BLE001 - any crash is a result to record
        import traceback
        error = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:])
    finally:
        signal.alarm(0)
    return out.getvalue(), error


def compare(root: Path, name: str, extra: list[str]) -> dict:
    output, error = run_case(root, name, extra)
    expected = sections((root / "summary" / f"{name}.summary").read_text())
    got = sections(output)
    # A crash passes nothing, even where the expected section is empty.
    result = {section: not error and expected[section] == got[section] for section in SECTIONS}
    result["error"] = error
    return result


def _compare_star(item):
    root, name, extra = item
    return name, compare(root, name, extra)


def run_all(root: Path, names: list[str] | None = None, jobs: int | None = None) -> dict:
    todo = [(root, name, extra) for name, extra in cases(root)
            if names is None or name in names]
    jobs = jobs or os.cpu_count() or 1
    results = {}
    if jobs == 1:
        for item in todo:
            name, result = _compare_star(item)
            results[name] = result
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for name, result in pool.map(_compare_star, todo, chunksize=4):
                results[name] = result
    return results


def counts(results: dict) -> dict[str, int]:
    return {section: sum(1 for r in results.values() if r[section]) for section in SECTIONS}


def load_baseline() -> dict[str, list[str]]:
    """Per section, the cases that passed when the baseline was recorded."""
    if not BASELINE.exists():
        return {section: [] for section in SECTIONS}
    return json.loads(BASELINE.read_text())


def baseline_from(results: dict) -> dict[str, list[str]]:
    return {section: sorted(n for n, r in results.items() if r[section]) for section in SECTIONS}


def show_diff(root: Path, name: str, extra: list[str]) -> None:
    import difflib
    output, error = run_case(root, name, extra)
    expected = (root / "summary" / f"{name}.summary").read_text()
    sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), output.splitlines(True),
                                               "expected", "pengine"))
    if error:
        print(error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--jobs", "-j", type=int)
    parser.add_argument("--update", action="store_true", help="rewrite the baseline")
    parser.add_argument("--show", metavar="NAME", help="diff one case")
    parser.add_argument("--failing", metavar="SECTION", choices=SECTIONS,
                        help="list the cases failing SECTION")
    args = parser.parse_args(argv)
    root = corpus_dir()
    extras = dict(cases(root))
    if args.show:
        show_diff(root, args.show, extras.get(args.show, []))
        return 0
    results = run_all(root, args.names or None, args.jobs)
    total = len(results)
    c = counts(results)
    print(" / ".join(f"{section} {c[section]}" for section in SECTIONS) + f"  (of {total})")
    errors = Counter(r["error"].strip().splitlines()[-1] for r in results.values() if r["error"])
    for message, n in errors.most_common(25):
        print(f"{n:4d}  {message[:160]}")
    if args.failing:
        print(" ".join(sorted(n for n, r in results.items() if not r[args.failing])))
    old = load_baseline()
    regressions = {s: sorted(set(old[s]) - {n for n, r in results.items() if r[s]}
                             & set(results)) for s in SECTIONS}
    for section, names in regressions.items():
        if names:
            print(f"REGRESSED {section}: {' '.join(names)}")
    if args.update and not args.names:
        BASELINE.write_text(json.dumps(baseline_from(results), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` is fine
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main())
