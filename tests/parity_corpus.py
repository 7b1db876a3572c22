"""Flag parity over the whole corpus: ``pengine simulate`` beside the referee
(Pacemaker 3.0.2's crm_simulate), one output format at a time.

Modes (each run on every case of the corpus, with the case's own extra
arguments):

``xml-S``    ``-S --output-as xml``, stdout byte for byte
``xml-s``    ``-S -s --output-as xml``
``xml-Ac``   ``-S -A -c --output-as xml``
``xml-R``    ``-R --output-as xml``
``Q``        ``-Q -S -s``, stdout byte for byte
``O``        ``-S -O FILE``: the saved CIB, canonicalised (see ``canonical_cib``)
``O-f`` ``O-d`` ``O-u`` ``O-i`` ``O-F`` ``O-t`` ``O-q``  ``-O`` with one injection
             built from the case (its first node, its first primitive), see ``INJECTIONS``
``Q-f`` ...  ``-Q`` with the same injections

Only the ``request`` attribute of the XML output (the command line) and,
in a saved CIB, the wall clock of the run (``last-rc-change``/``last-run``
values that fall within the run) are normalised.

    python tests/parity_corpus.py MODE [MODE ...] [--every N] [--show NAME] [--list]

The referee's outputs are cached under ``$PENGINE_PARITY_CACHE`` (default
``/tmp/pengine-parity``): a second run only runs pengine.  Only the harness
reads expected outputs; the engine never sees them.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.conformance import cases, corpus_dir, simulate  # noqa: E402

CACHE = Path(os.environ.get("PENGINE_PARITY_CACHE", "/tmp/pengine-parity"))
REFEREE = os.environ.get("PENGINE_REFEREE", "/tmp/pacemaker-3.0.2/run")
CASE_TIMEOUT_S = 120


# ------------------------------------------------------------ injections ---

def first_names(xml_path: Path) -> tuple[str | None, str | None]:
    """The case's first cluster node and first primitive (by document order)."""
    try:
        root = ET.parse(xml_path).getroot()
    except ET.ParseError:
        return None, None
    node = next((n.get("uname") for n in root.iter("node")
                 if n.get("uname") and n.get("type", "member") == "member"), None)
    rsc = next((p.get("id") for p in root.iter("primitive") if p.get("id")), None)
    return node, rsc


def _inject(kind: str):
    def build(xml_path: Path) -> list[str] | None:
        node, rsc = first_names(xml_path)
        if kind == "t":
            return ["-t", "2031-03-04T05:06:07Z"]
        if node is None:
            return None
        if kind in ("f", "d", "u"):
            return [f"-{kind}", node]
        if kind == "q":
            return ["-q", "0", "-w", "1"]
        if rsc is None:
            return None
        if kind == "i":
            return ["-i", f"{rsc}_monitor_0@{node}=7"]
        if kind == "F":
            return ["-F", f"{rsc}_start_0@{node}=1"]
        return None
    return build


INJECTIONS = {kind: _inject(kind) for kind in ("f", "d", "u", "i", "F", "t", "q")}


# ----------------------------------------------------------------- modes ---

def _plain(*flags):
    return lambda xml_path: list(flags)


MODES: dict[str, tuple] = {
    # name: (flags builder, what to compare)
    "S": (_plain("-S"), "stdout"),
    "xml-S": (_plain("-S", "--output-as", "xml"), "stdout"),
    "xml-R": (_plain("-R", "--output-as", "xml"), "stdout"),
    "xml-s": (_plain("-S", "-s", "--output-as", "xml"), "stdout"),
    "xml-Ac": (_plain("-S", "-A", "-c", "--output-as", "xml"), "stdout"),
    "Q": (_plain("-Q", "-S", "-s"), "stdout"),
    "O": (_plain("-S"), "saved"),
    "G": (_plain("-S"), "graph"),
}
for _kind, _build in INJECTIONS.items():
    MODES[f"O-{_kind}"] = ((lambda b: lambda p: (b(p) or None) and ["-S", *b(p)])(_build),
                           "saved")
    MODES[f"Q-{_kind}"] = ((lambda b: lambda p: (b(p) or None) and ["-Q", "-S", *b(p)])(_build),
                           "stdout")
    MODES[f"xml-{_kind}"] = ((lambda b: lambda p: (b(p) or None)
                              and ["-S", "--output-as", "xml", *b(p)])(_build), "stdout")


# ---------------------------------------------------------- canonicalise ---

_WALL_CLOCK_ATTRS = ("last-rc-change", "last-run")


def canonical_cib(text: str, started: float, ended: float) -> str:
    """Attributes sorted, whitespace between elements dropped, ``<a></a>`` as
    ``<a/>``; a last-rc-change/last-run, or a last-failure attribute's value,
    equal to the wall clock of the run (between ``started`` and ``ended``)
    as ``WALLCLOCK``."""
    if not text:
        return ""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        return f"<unparsable {error}>"
    low, high = int(started) - 1, int(ended) + 1
    lines: list[str] = []

    def walk(el: ET.Element, depth: int) -> None:
        attrs = []
        stamped = _WALL_CLOCK_ATTRS + (
            ("value",) if el.tag == "nvpair" and el.get("name", "").startswith("last-failure-")
            else ())
        for name, value in sorted(el.attrib.items()):
            if name in stamped and value.isdigit() and low <= int(value) <= high:
                value = "WALLCLOCK"
            attrs.append(f' {name}="{value}"')
        lines.append("  " * depth + f"<{el.tag}{''.join(attrs)}>"
                     + ((el.text or "").strip()))
        for child in el:
            walk(child, depth + 1)
    walk(root, 0)
    return "\n".join(lines) + "\n"


def _without_request(text: str) -> str:
    return re.sub(r' request="[^"]*"', ' request=""', text, count=1)


def canonical_stdout(text: str, started: float, ended: float) -> str:
    """The XML's request attribute aside; a last-failure time injected with
    the wall clock of the run (-F) as WALLCLOCK."""
    low, high = int(started) - 1, int(ended) + 1

    def clock(found):
        value = int(found.group(2))
        return found.group(1) + ("WALLCLOCK" if low <= value <= high else found.group(2))
    return re.sub(r"(Injecting attribute last-failure-\S+=)(\d+)", clock, _without_request(text))


# ----------------------------------------------------------------- runs ---

def referee_run(argv: list[str], workdir: Path) -> dict:
    started = time.time()
    try:
        done = subprocess.run([REFEREE, "crm_simulate", *argv], capture_output=True, text=True,
                              timeout=CASE_TIMEOUT_S, cwd=workdir)
        rc, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        rc, out, err = -1, "", "timeout"
    return {"rc": rc, "stdout": out, "stderr": err, "started": started, "ended": time.time()}


def pengine_run(argv: list[str]) -> dict:
    started = time.time()
    run = simulate(["simulate", *argv])
    return {**run, "started": started, "ended": time.time()}


def run_both(root: Path, name: str, extra: list[str], mode: str) -> tuple[str, str] | None:
    """(referee's, pengine's) compared text of one case in one mode; None
    where the mode does not apply to the case."""
    build, what = MODES[mode]
    xml_path = root / "xml" / f"{name}.xml"
    flags = build(xml_path)
    if flags is None:
        return None
    cache = CACHE / mode
    cache.mkdir(parents=True, exist_ok=True)
    sides = {}
    with tempfile.TemporaryDirectory(prefix="pengine-parity-") as tmp:
        for side in ("referee", "pengine"):
            out_file = Path(tmp) / f"{side}.xml"
            argv = ["-x", str(xml_path), *flags, *extra]
            if what == "saved":
                argv += ["-O", str(out_file)]
            elif what == "graph":
                argv += ["-G", str(out_file)]
            cached = cache / f"{name}.ref"
            if side == "referee" and cached.exists():
                sides[side] = cached.read_text()
                continue
            run = referee_run(argv, Path(tmp)) if side == "referee" else pengine_run(argv)
            if what == "stdout":
                text = canonical_stdout(run["stdout"], run["started"], run["ended"]) \
                    + f"[exit {run['rc']}]\n"
            else:
                saved = out_file.read_text() if out_file.exists() else ""
                text = canonical_cib(saved, run["started"], run["ended"]) \
                    if what == "saved" else saved
            if side == "referee":
                cached.write_text(text)
            sides[side] = text
    if what == "saved":
        # a cached referee run took place earlier: its wall clock is some hours old
        return _recent_as_wall_clock(sides["referee"]), _recent_as_wall_clock(sides["pengine"])
    return sides["referee"], sides["pengine"]


def _recent_as_wall_clock(text: str, hours: int = 12) -> str:
    """Stamps of the last ``hours`` (a run's wall clock, cached or not) as WALLCLOCK."""
    now = int(time.time())

    def clock(found):
        value = int(found.group(2))
        return found.group(1) + ("WALLCLOCK" if now - hours * 3600 <= value <= now else
                                 found.group(2)) + '"'
    text = re.sub(r'( (?:last-rc-change|last-run)=")(\d+)"', clock, text)
    return re.sub(r'( name="last-failure-[^"]*" value=")(\d+)"', clock, text)


_BUNDLE_CONTAINER = r"[\w.-]+-(?:docker|podman|rkt)-\d+"


def why(root: Path, name: str, theirs: str, ours: str) -> str:
    """Why a case differs, where the cause is known to lie outside the writer:
    ``build``: the referee's build (its prefix, /opt/pcmk302, enters a bundle
    container's parameters, so it restarts or re-digests containers the
    corpus, recorded with the standard prefix, keeps); ``upgrade``: the input's
    schema is older than pacemaker-3.0 and crm_simulate's upgrade rewrites it;
    ``other``: not classified."""
    restarts = re.compile(rf'resource="{_BUNDLE_CONTAINER}"[^>]*reason="resource definition change"')
    if restarts.search(theirs) and not restarts.search(ours):
        return "build"
    digest = re.compile(rf'id="{_BUNDLE_CONTAINER}_\w+" [^\n]*op-digest="([0-9a-f]+)"')
    if sorted(digest.findall(theirs)) != sorted(digest.findall(ours)):
        return "build"
    text = (root / "xml" / f"{name}.xml").read_text()
    schema = re.search(r'validate-with="pacemaker-(\d+)\.', text[:2000])
    if schema and int(schema.group(1)) < 3:
        return "upgrade"
    if "<configuration" in theirs:
        def configuration(saved: str) -> str:
            return saved.split("  <configuration", 1)[-1].split("  <status", 1)[0]
        if configuration(theirs) != configuration(canonical_cib(text, 0, 0)):
            return "upgrade"    # crm_simulate's schema upgrade rewrote the configuration
    return "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modes", nargs="*", metavar="MODE")
    parser.add_argument("--every", type=int, default=1, help="only every Nth case")
    parser.add_argument("--show", metavar="NAME", help="print the difference of one case")
    parser.add_argument("--list", action="store_true", help="list the differing cases")
    args = parser.parse_args(argv)
    root = corpus_dir()
    rows = cases(root)
    if args.show:
        rows = [row for row in rows if row[0] == args.show]
    rows = rows[::args.every]
    for mode in args.modes or ["xml-S"]:
        same, differ, skipped = 0, [], 0
        causes: dict[str, list[str]] = {}
        for name, extra in rows:
            pair = run_both(root, name, extra, mode)
            if pair is None:
                skipped += 1
            elif pair[0] == pair[1]:
                same += 1
            else:
                differ.append(name)
                causes.setdefault(why(root, name, *pair), []).append(name)
                if args.show:
                    sys.stdout.writelines(difflib.unified_diff(
                        pair[0].splitlines(True), pair[1].splitlines(True),
                        "crm_simulate", "pengine", n=2))
        print(f"{mode}: {same} of {same + len(differ)} same"
              + (f" ({skipped} not applicable)" if skipped else ""), flush=True)
        if differ:
            print("  differ: " + ", ".join(f"{cause} {len(names)}"
                                           for cause, names in sorted(causes.items())), flush=True)
        if args.list:
            for cause, names in sorted(causes.items()):
                print(f"  {cause}: " + " ".join(names), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
