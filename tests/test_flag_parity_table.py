"""docs/flag-parity.md: every row that says "yes" is checked here against the
referee (Pacemaker 3.0.2's crm_simulate) on the samples and a few corpus
cases, with the check its last column names:

``stdout ARGS``  stdout and exit code byte for byte (the XML ``request``
                 attribute, the command line, aside)
``saved ARGS``   the file ``-O`` writes, canonicalised (tests/parity_corpus.py)
``input ARGS``   the file ``-I`` writes, canonicalised
``file ARGS``    the file ARGS name OUT (``-D OUT``, ``--output-to OUT``), byte for byte
``timings ARGS`` the ``-P`` listing: the same files in the same order
``inplace``      crm_simulate -X beside pengine --in-place: the rewritten input, canonicalised

``NODE`` and ``RSC`` in ARGS stand for the input's first node and first primitive.
"""

from __future__ import annotations

import bz2
import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES, cts_dir, run_pengine
from tests.parity_corpus import _without_request, canonical_cib, canonical_stdout
from tests.referee_tools import referee  # noqa: F401 - a fixture

TABLE = REPO / "docs" / "flag-parity.md"
CORPUS_CASES = ("bug-1572-1", "ticket-group-21")


def table_rows() -> list[list[str]]:
    rows = []
    for line in TABLE.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and line.startswith("| `"):
            rows.append(cells)
    return rows


def yes_rows() -> list[tuple[str, str]]:
    """(flag cell, check) of every row whose "same output" cell says yes and
    that names a check here ("-": another test covers it, named in the row)."""
    return [(cells[0], cells[4].strip("`")) for cells in table_rows()
            if cells[2].lower().startswith("yes") and cells[4] != "-"]


def test_the_table_has_yes_rows_with_checks():
    rows = yes_rows()
    assert len(rows) >= 20
    for cells in table_rows():
        if cells[2].lower().startswith("yes") and cells[4] == "-":
            assert "tests/test_" in cells[3], cells     # covered by the test it names
    for flag, check in rows:
        assert check.split()[0] in ("stdout", "saved", "input", "file", "timings", "inplace"), \
            (flag, check)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("parity-inputs")
    real = folder / "pe-input-4.xml"
    real.write_bytes(bz2.decompress(
        (REPO / "tests" / "data" / "history-real" / "vm" / "pengine" / "pe-input-4.bz2")
        .read_bytes()))
    found = [SAMPLES / "webfarm-status.xml", real]
    corpus = cts_dir() / "xml"
    found += [corpus / f"{name}.xml" for name in CORPUS_CASES
              if (corpus / f"{name}.xml").exists()]
    return found


def _args(check: str, path: Path) -> list[str]:
    node, rsc = _first_names(path)
    text = check.split(None, 1)[1] if " " in check else ""
    return shlex.split(text.replace("NODE", node or "node1").replace("RSC", rsc or "rsc1"))


def _first_names(path: Path):
    from tests.parity_corpus import first_names
    return first_names(path)


def _crm_simulate(referee, args, cwd):
    return subprocess.run([*referee, "crm_simulate", *map(str, args)], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def _compare(referee, check: str, path: Path, tmp: Path) -> tuple[str, str]:
    kind = check.split()[0]
    args = ["-x", path, *_args(check, path)]
    if kind == "timings":
        folder = tmp / "profile"
        folder.mkdir(exist_ok=True)
        (folder / path.name).write_bytes(path.read_bytes())
        args = _args(check, path) + ["-P", folder]
    sides = []
    for side in ("referee", "pengine"):
        out = tmp / f"{side}.out"
        side_args = [str(out) if arg == "OUT" else arg for arg in args]
        if kind == "inplace":
            out.write_bytes(path.read_bytes())
            side_args = ["-x", out, "-X" if side == "referee" else "--in-place"]
        extra = {"saved": ["-O", out], "input": ["-I", out]}.get(kind, [])
        started = time.time()
        result = _crm_simulate(referee, [*side_args, *extra], tmp) if side == "referee" \
            else run_pengine("simulate", *side_args, *extra, cwd=tmp)
        ended = time.time()
        if kind == "stdout":
            sides.append(canonical_stdout(result.stdout, started, ended)
                         + f"[exit {result.returncode}]")
        elif kind == "timings":
            sides.append(re.findall(r"  \* Testing (\S+) \.\.\. \d+\.\d\d secs", result.stdout))
        elif kind == "file":
            sides.append(_without_request(out.read_text()) if out.exists() else "")
        else:
            sides.append(canonical_cib(out.read_text() if out.exists() else "", started, ended))
        if out.exists():
            out.unlink()
    return sides[0], sides[1]


@pytest.mark.parametrize("flag,check", yes_rows())
def test_yes_row_is_crm_simulates_output(referee, inputs, tmp_path, flag, check):
    for path in inputs:
        theirs, ours = _compare(referee, check, path, tmp_path)
        assert ours == theirs, f"{flag} ({check}) differs on {path.name}"


def test_p_reads_the_cib_from_standard_input_as_crm_simulate_p():
    import os
    import sys
    env = dict(os.environ, PYTHONPATH=str(REPO))
    sample = SAMPLES / "webfarm-status.xml"
    piped = subprocess.run([sys.executable, "-m", "pengine.cli", "simulate", "-p", "-S"],
                           input=sample.read_text(), capture_output=True, text=True, env=env,
                           cwd=REPO, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == run_pengine("simulate", "-x", sample, "-S").stdout


def test_in_place_and_output_to(tmp_path):
    cib = tmp_path / "cib.xml"
    cib.write_bytes((SAMPLES / "webfarm-status.xml").read_bytes())
    saved = tmp_path / "saved.xml"
    plain = run_pengine("simulate", "-x", cib, "-S", "-O", saved)
    out = tmp_path / "out.txt"
    result = run_pengine("simulate", "-x", cib, "--in-place", "--output-to", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and out.read_text() == plain.stdout
    assert re.sub(r'last-rc-change="\d+"', "", cib.read_text()) == \
        re.sub(r'last-rc-change="\d+"', "", saved.read_text())
    assert run_pengine("simulate", "-x", "-", "--in-place").returncode == 2
