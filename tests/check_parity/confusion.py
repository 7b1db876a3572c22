"""The confusion table of ``pengine check`` against crm_verify 3.0.2.

``python -m tests.check_parity.confusion [--corpus] [--live]``:

* the generated set (``generate.py``) against the stored verdicts
  (``verdicts.json``), or the referee itself with ``--live``;
* ``--corpus``: the 723 inputs of ../shared/pacemaker-cts/xml, read at run
  time, against the referee (needs it; verdicts are cached in a temp file).

pengine's verdict is "error" when ``check`` reports an error (exit 1).
Prints both clean / both error / pengine only / crm_verify only, and the
files in the last two cells.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(os.environ.get("PENGINE_CTS_DIR") or os.path.join(ROOT, "..", "shared",
                      "pacemaker-cts"), "xml")
if not os.path.isdir(CORPUS):
    CORPUS = "/work/shared/pacemaker-cts/xml"


def pengine_verdict(path: str) -> tuple[str, list[str]]:
    sys.path.insert(0, ROOT)
    from pengine.cli.check import check_file
    report = check_file(path)
    errors = [d.render().splitlines()[0] for d in report.diagnostics if d.severity == "error"]
    if report.problem:
        errors.append(report.problem)
    return ("error" if errors else "clean"), errors


def table(pairs: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    cells = {"both clean": [], "both error": [], "pengine only": [], "crm_verify only": []}
    for name, (ours, theirs) in sorted(pairs.items()):
        if ours == theirs:
            cells["both " + ours].append(name)
        elif ours == "error":
            cells["pengine only"].append(name)
        else:
            cells["crm_verify only"].append(name)
    return cells


def render(title: str, cells: dict[str, list[str]], details: dict[str, list[str]]) -> str:
    lines = [f"{title}: {sum(len(v) for v in cells.values())} configurations",
             "                     crm_verify clean   crm_verify error",
             f"  pengine clean      {len(cells['both clean']):>16}   "
             f"{len(cells['crm_verify only']):>16}",
             f"  pengine error      {len(cells['pengine only']):>16}   "
             f"{len(cells['both error']):>16}"]
    for cell in ("pengine only", "crm_verify only"):
        for name in cells[cell]:
            lines.append(f"  {cell}: {name}: " + "; ".join(details.get(name, [])[:2]))
    return "\n".join(lines)


def generated_pairs(live: bool) -> tuple[dict, dict]:
    from tests.check_parity.generate import generate
    from tests.check_parity.referee import referee_command, verdict
    stored = json.load(open(os.path.join(HERE, "verdicts.json")))
    command = referee_command() if live else None
    if live and command is None:
        raise SystemExit("the referee cannot run here")
    pairs, details = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in generate(tmp):
            ours, errors = pengine_verdict(path)
            theirs = verdict(command, path)[0] if command else stored[name]
            pairs[name], details[name] = (ours, theirs), errors
    return pairs, details


def corpus_pairs() -> tuple[dict, dict]:
    from tests.check_parity.referee import referee_command, verdict
    cache_file = os.path.join(tempfile.gettempdir(), "pengine-corpus-crm_verify.json")
    cache = json.load(open(cache_file)) if os.path.exists(cache_file) else {}
    command = None
    pairs, details = {}, {}
    for name in sorted(os.listdir(CORPUS)):
        if not name.endswith(".xml"):
            continue
        path = os.path.join(CORPUS, name)
        if name not in cache:
            command = command or referee_command()
            if command is None:
                raise SystemExit("the referee cannot run here")
            cache[name] = verdict(command, path)[0]
        ours, errors = pengine_verdict(path)
        pairs[name], details[name] = (ours, cache[name]), errors
    with open(cache_file, "w") as handle:
        json.dump(cache, handle)
    return pairs, details


def directory_pairs(directory: str) -> tuple[dict, dict]:
    """Every *.xml in ``directory`` against the live referee."""
    from tests.check_parity.referee import referee_command, verdict
    command = referee_command()
    if command is None:
        raise SystemExit("the referee cannot run here")
    pairs, details = {}, {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".xml"):
            path = os.path.join(directory, name)
            ours, errors = pengine_verdict(path)
            theirs, text = verdict(command, path)
            pairs[name] = (ours, theirs)
            details[name] = errors or [line for line in text.splitlines() if "error" in line][:2]
    return pairs, details


def main(argv: list[str]) -> int:
    sys.path.insert(0, ROOT)
    if "--mutants" in argv:
        directory = argv[argv.index("--mutants") + 1]
        pairs, details = directory_pairs(directory)
        print(render(f"mutants ({directory})", table(pairs), details))
    elif "--corpus" in argv:
        pairs, details = corpus_pairs()
        print(render("corpus (pacemaker-cts/xml)", table(pairs), details))
    else:
        pairs, details = generated_pairs("--live" in argv)
        print(render("generated set", table(pairs), details))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
