"""Conformance against Pacemaker's scheduler regression corpus.

For each case of ``$PENGINE_CTS_DIR/tests.tsv`` (default ``../shared/pacemaker-cts``
beside the checkout), ``pengine simulate -x xml/NAME.xml -S <extra args>`` is
compared with ``summary/NAME.summary`` section by section, whitespace-normalised
and order-insensitive: ``transition`` (Transition Summary), ``actions``
(Executing Cluster Transition) and ``revised`` (Revised Cluster Status).
The same run also writes the DOT graph (``-D``), the graph XML (``-G``) and
the allocation scores (``-s``), compared with ``dot/NAME.dot`` (``dot``: the
set of nodes and edges with their attributes), ``scores/NAME.scores``
(``scores``: the score lines) and ``exp/NAME.exp`` (``graph``: synapses
keyed by action, not by number; see ``graph_signature``).  ``exact`` is the
strictest: the whole text, byte for byte and in order, as crm_simulate prints
it (what it writes to stderr first, the ``-s`` block left out).

``crm`` checks the crm text route against the XML route: for every case with
a crm twin (``crm/NAME.crm``, crmsh's ``configure show`` of its XML),
``pengine simulate crm/NAME.crm -S -s`` against ``pengine simulate -x FRESH -S
-s``, where FRESH is ``xml/NAME.xml`` with its status replaced by an online
member ``node_state`` for every configured cluster node (quorate, no DC), as
the crm route brings a crm cluster up.  Both take the case's date (its ``-t``,
else the CIB's execution-date).  A twin passes when the Transition Summaries
and the scores are equal; ``tests/crm_known_differences.py`` lists the twins
whose crm text itself has lost what decides (with crmsh's line).

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
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "conformance_baseline.json"
SUMMARY_SECTIONS = ("transition", "actions", "revised")
SECTIONS = SUMMARY_SECTIONS + ("dot", "scores", "graph", "exact", "crm")
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
    """The three summary sections as multisets of normalised lines."""
    found: dict[str, Counter] = {name: Counter() for name in SUMMARY_SECTIONS}
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


def run_case(root: Path, name: str, extra: list[str]) -> dict[str, str]:
    """stdout, error, DOT and graph XML of ``pengine simulate`` run in this process."""
    with tempfile.TemporaryDirectory(prefix="pengine-conf-") as tmp:
        dot, graph = Path(tmp) / "graph.dot", Path(tmp) / "graph.xml"
        run = simulate(["simulate", "-x", str(root / "xml" / f"{name}.xml"), "-S", "-s",
                        "-D", str(dot), "-G", str(graph), *extra])
        return {**run, "dot": dot.read_text() if dot.exists() else "",
                "graph": graph.read_text() if graph.exists() else ""}


def simulate(argv: list[str]) -> dict[str, str]:
    """stdout, stderr and error of one ``pengine`` command run in this process."""
    from pengine.cli import main
    os.environ["PENGINE_TRACEBACK"] = "1"  # engine crashes come back with their traceback
    out, err = io.StringIO(), io.StringIO()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_TIMEOUT_S)
    rc = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(argv)
        error = "" if rc == 0 else f"exit {rc}: {err.getvalue().strip()[-500:]}"
    except BaseException as exc:  # noqa: BLE001 - any crash is a result to record
        import traceback
        error = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:])
    finally:
        signal.alarm(0)
    return {"stdout": out.getvalue(), "stderr": err.getvalue(), "error": error, "rc": rc}


# ------------------------------------------------------------ crm section ---

def fresh_cib(xml_text: bytes) -> tuple[bytes, str | None]:
    """The case's CIB with every configured cluster node an online member and
    nothing run yet (quorate, no DC), as the crm route starts a crm cluster;
    and its execution-date as a ``-t`` date (None without one)."""
    from pengine.common.dates import from_epoch
    root = ET.fromstring(xml_text)
    when = root.attrib.pop("execution-date", None)
    root.attrib.pop("dc-uuid", None)
    root.set("have-quorum", "1")
    for status in root.findall("status"):
        root.remove(status)
    status = ET.SubElement(root, "status")
    for node in root.iterfind("configuration/nodes/node"):
        if (node.get("type") or "member") in ("member", "normal"):
            ET.SubElement(status, "node_state", {
                "id": node.get("id") or node.get("uname"), "uname": node.get("uname"),
                "in_ccm": "true", "crmd": "online", "join": "member", "expected": "member"})
    date = None
    if when is not None and when.lstrip("-").isdigit():
        date = from_epoch(int(when)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ET.tostring(root), date


# configuration sections whose order crmsh's ``configure show`` changes
_ORDERED_SECTIONS = {"nodes": "nodes", "resources": "resources", "constraints": "constraints",
                     "tags": "tags", "alerts": "alerts"}


def in_crm_order(xml_text: bytes, crm_path: Path, only: tuple[str, ...] = tuple(_ORDERED_SECTIONS)) -> bytes:
    """The CIB with its nodes, resources, constraints, tags and alerts (or the
    sections ``only`` names) in the order its crm twin lists them (crmsh shows
    them sorted by kind and id)."""
    from pengine.cib.crm_text import read_crm
    config = read_crm(crm_path.read_text(encoding="utf-8"), str(crm_path), crmsh_ids=False)
    root = ET.fromstring(xml_text)
    for tag, field in _ORDERED_SECTIONS.items():
        if tag not in only:
            continue
        holder = root.find(f"configuration/{tag}")
        if holder is None:
            continue
        rank = {(item.uname if tag == "nodes" else item.id): n
                for n, item in enumerate(getattr(config, field))}
        children = sorted(holder, key=lambda el: rank.get(
            el.get("uname") if tag == "nodes" else el.get("id"), len(rank)))
        holder[:] = children
    return ET.tostring(root)


def crm_runs(root: Path, name: str, extra: list[str], crm_order: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """``simulate -S -s`` of the crm twin and of its FRESH XML, on one date
    (FRESH with the sections ``crm_order`` names in the twin's order)."""
    fresh, date = fresh_cib((root / "xml" / f"{name}.xml").read_bytes())
    if crm_order:
        fresh = in_crm_order(fresh, root / "crm" / f"{name}.crm", crm_order)
    dated = extra if "-t" in extra or date is None else [*extra, "-t", date]
    with tempfile.TemporaryDirectory(prefix="pengine-crm-") as tmp:
        fresh_path = Path(tmp) / f"{name}.fresh.xml"
        fresh_path.write_bytes(fresh)
        xml_run = simulate(["simulate", "-x", str(fresh_path), "-S", "-s", *dated])
    crm_run = simulate(["simulate", str(root / "crm" / f"{name}.crm"), "-S", "-s", *dated])
    return crm_run, xml_run


def crm_compare(root: Path, name: str, extra: list[str],
                crm_order: tuple[str, ...] = ()) -> tuple[bool, str]:
    """Whether the crm twin plans as its FRESH XML does, and an error if either crashed."""
    crm_run, xml_run = crm_runs(root, name, extra, crm_order)
    # a transition that fails as crm_simulate's would (exit 1) is an answer too
    error = next((run["error"] for run in (crm_run, xml_run) if run["rc"] not in (0, 1)), "")
    return not error and same_plan(crm_run, xml_run), error


def same_plan(one: dict, other: dict, normalise=lambda line: line) -> bool:
    """Equal exit codes, Transition Summaries and scores (lines mapped by ``normalise``)."""
    def plan(run):
        return (run["rc"], Counter(normalise(line) for line in sections(run["stdout"])["transition"].elements()),
                score_lines(run["stdout"]))
    return plan(one) == plan(other)


def score_lines(text: str) -> Counter:
    """The allocation and promotion score lines of ``-s`` output (or a scores file)."""
    found: Counter = Counter()
    inside = False
    for raw in text.splitlines():
        if raw.startswith("Assignment Scores"):
            inside = True
            continue
        if raw and not raw[0].isspace():
            inside = False
        if inside and raw.strip().startswith("* "):
            found[" ".join(raw.strip()[2:].split())] += 1
    return found


def expected_score_lines(text: str) -> Counter:
    return Counter(" ".join(line.split()) for line in text.splitlines() if line.strip())


def dot_lines(text: str) -> Counter:
    """A DOT file's nodes and edges, whitespace-normalised, order aside.

    A set (design.md): the corpus files hold each line once, while actions
    of different anonymous instances can render alike ("rsc_start_0 <none>")."""
    return Counter({" ".join(line.split()) for line in text.splitlines()
                    if line.strip() and line.strip() not in ('digraph "g" {', "}")})


# The harness that made exp/ removes these; they say nothing about the graph.
_GRAPH_IGNORED = ("crm_feature_set", "batch-limit")


_ACTION_TAGS = ("rsc_op", "pseudo_event", "crm_event")


def _element_signature(element: ET.Element) -> tuple:
    """An element with its attributes and children; an action's number aside."""
    attrs = tuple(sorted((k, v) for k, v in element.attrib.items()
                         if k not in _GRAPH_IGNORED
                         and not (k == "id" and element.tag in _ACTION_TAGS)))
    return (element.tag, attrs, tuple(_element_signature(child) for child in element))


def _action_key(element: ET.Element) -> tuple:
    return (element.tag, element.get("operation_key"), element.get("on_node"))


def graph_signature(text: str) -> tuple:
    """A graph XML made comparable across implementations: the graph's
    attributes and the multiset of synapses, each as (priority, its action
    with every detail but the action number, the keys of its inputs)."""
    root = ET.fromstring(text)
    attrs = tuple(sorted((k, v) for k, v in root.attrib.items() if k not in _GRAPH_IGNORED))
    synapses: Counter = Counter()
    for synapse in root.findall("synapse"):
        action = synapse.find("action_set")[0]
        inputs = tuple(sorted(_action_key(trigger[0])
                              for trigger in synapse.find("inputs") if len(trigger)))
        synapses[(synapse.get("priority"), _element_signature(action), inputs)] += 1
    return attrs, synapses


def compare(root: Path, name: str, extra: list[str]) -> dict:
    run = run_case(root, name, extra)
    error = run["error"]
    expected = sections((root / "summary" / f"{name}.summary").read_text())
    got = sections(run["stdout"])
    # A crash passes nothing, even where the expected section is empty.
    result = {section: not error and expected[section] == got[section]
              for section in SUMMARY_SECTIONS}
    result["dot"] = not error and \
        dot_lines((root / "dot" / f"{name}.dot").read_text()) == dot_lines(run["dot"])
    result["scores"] = not error and score_lines(run["stdout"]) == \
        expected_score_lines((root / "scores" / f"{name}.scores").read_text())
    try:
        result["graph"] = not error and graph_signature(run["graph"]) == \
            graph_signature((root / "exp" / f"{name}.exp").read_text())
    except ET.ParseError:
        result["graph"] = False
    # the whole text, in order, as crm_simulate prints it (its stderr first)
    result["exact"] = not error and terminal_text(run) == \
        (root / "summary" / f"{name}.summary").read_text().strip()
    if (root / "crm" / f"{name}.crm").exists():
        result["crm"], crm_error = crm_compare(root, name, extra)
        error = error or crm_error
    else:
        result["crm"] = None  # no twin: not counted
    result["error"] = error
    return result


def without_scores(stdout: str) -> str:
    """``-s`` output without its score block (compared on its own)."""
    kept, skipping = [], False
    for line in stdout.splitlines():
        if line.startswith("Assignment Scores"):
            skipping = True
        elif skipping and line and not line[0].isspace():
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


def terminal_text(run: dict) -> str:
    return (run["stderr"] + without_scores(run["stdout"])).strip()


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


def totals(results: dict) -> dict[str, int]:
    """How many cases each section counts (the crm section: those with a twin)."""
    return {section: sum(1 for r in results.values() if r[section] is not None)
            for section in SECTIONS}


def load_baseline() -> dict[str, list[str]]:
    """Per section, the cases that passed when the baseline was recorded."""
    recorded = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    return {section: recorded.get(section, []) for section in SECTIONS}


def baseline_from(results: dict) -> dict[str, list[str]]:
    return {section: sorted(n for n, r in results.items() if r[section]) for section in SECTIONS}


def show_diff(root: Path, name: str, extra: list[str]) -> None:
    """Unified diffs of the summary, the DOT graph, the scores and the graph XML."""
    import difflib
    run = run_case(root, name, extra)

    def diff(title, expected_lines, got_lines):
        lines = list(difflib.unified_diff(expected_lines, got_lines, f"expected {title}",
                                          f"pengine {title}", lineterm=""))
        for line in lines:
            print(line)

    expected = (root / "summary" / f"{name}.summary").read_text()
    summary = terminal_text(run)
    diff("summary", expected.splitlines(), summary.splitlines())
    diff("dot", sorted(dot_lines((root / "dot" / f"{name}.dot").read_text()).elements()),
         sorted(dot_lines(run["dot"]).elements()))
    diff("scores",
         sorted(expected_score_lines((root / "scores" / f"{name}.scores").read_text()).elements()),
         sorted(score_lines(run["stdout"]).elements()))
    diff("graph", _graph_lines((root / "exp" / f"{name}.exp").read_text()),
         _graph_lines(run["graph"]))
    if run["error"]:
        print(run["error"])


def show_crm_diff(root: Path, name: str, extra: list[str]) -> None:
    """Unified diffs of the crm route against the FRESH XML route."""
    import difflib
    crm_run, xml_run = crm_runs(root, name, extra)
    for title, pick in (("transition", lambda run: sorted(sections(run["stdout"])["transition"].elements())),
                        ("scores", lambda run: sorted(score_lines(run["stdout"]).elements()))):
        for line in difflib.unified_diff(pick(xml_run), pick(crm_run), f"FRESH xml {title}",
                                         f"crm {title}", lineterm=""):
            print(line)
    for run in (xml_run, crm_run):
        if run["error"]:
            print(run["error"])


def _graph_lines(text: str) -> list[str]:
    """A graph XML as sorted lines of its normalised synapses (for diffs)."""
    try:
        attrs, synapses = graph_signature(text)
    except ET.ParseError as error:
        return [f"unreadable: {error}"]
    lines = ["graph " + " ".join(f"{k}={v}" for k, v in attrs)]
    for (priority, action, inputs), count in synapses.items():
        lines.append(f"{_describe(action)} priority={priority} x{count}")
        lines += [f"    after {key}" for key in inputs]
    return _group_sorted(lines)


def _group_sorted(lines: list[str]) -> list[str]:
    groups: list[list[str]] = []
    for line in lines:
        if line.startswith("    ") and groups:
            groups[-1].append(line)
        else:
            groups.append([line])
    return [line for group in sorted(groups) for line in group]


def _describe(signature: tuple) -> str:
    tag, attrs, children = signature
    text = f"<{tag} " + " ".join(f"{k}={v}" for k, v in attrs) + ">"
    return text + "".join(" " + _describe(child) for child in children)


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
        if (root / "crm" / f"{args.show}.crm").exists():
            show_crm_diff(root, args.show, extras.get(args.show, []))
        return 0
    results = run_all(root, args.names or None, args.jobs)
    old = load_baseline()
    if args.update and not args.names:  # before any output: `| head` may end us early
        BASELINE.write_text(json.dumps(baseline_from(results), indent=1) + "\n")
    total = len(results)
    c = counts(results)
    of = totals(results)
    print(" / ".join(f"{section} {c[section]}" for section in SECTIONS if section != "crm")
          + f"  (of {total})" + f"  crm {c['crm']} (of {of['crm']})")
    if args.failing == "crm":
        from crm_known_differences import CRM_PLAN_DIFFERENCES
        unexplained = sorted(n for n, r in results.items()
                             if r["crm"] is False and n not in CRM_PLAN_DIFFERENCES)
        print(f"crm: {len(unexplained)} differing twin(s) not in crm_known_differences")
    errors = Counter(r["error"].strip().splitlines()[-1] for r in results.values() if r["error"])
    for message, n in errors.most_common(25):
        print(f"{n:4d}  {message[:160]}")
    if args.failing:
        print(" ".join(sorted(n for n, r in results.items() if not r[args.failing])))
    regressions = {s: sorted(set(old[s]) - {n for n, r in results.items() if r[s]}
                             & set(results)) for s in SECTIONS}
    for section, names in regressions.items():
        if names:
            print(f"REGRESSED {section}: {' '.join(names)}")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` is fine
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main())
