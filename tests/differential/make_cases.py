"""Keep the regression cases of tests/differential/cases/ — minimised
disagreements that were fixed — as input plus the referee's own output.

    python -m tests.differential.make_cases add NAME STEP_DIR   # min-cib.xml, min-args.json
    python -m tests.differential.make_cases regenerate          # re-ask the referee for all

A case is a directory: ``cib.xml`` and ``args.json`` (the input, from the
minimiser), ``referee.out`` and ``referee.rc`` (what Pacemaker 3.0.2's
crm_simulate ``-S -s ARGS`` printed and returned).  The expected files are
written only here, by running the referee: never by hand.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from tests.differential import referee
from tests.differential.compare import run_referee

CASES = Path(__file__).resolve().parent / "cases"


def record(run_script: Path, case: Path) -> None:
    cib_xml = (case / "cib.xml").read_text()
    args = json.loads((case / "args.json").read_text())
    with tempfile.TemporaryDirectory(prefix="pengine-case-") as tmp:
        result = run_referee(run_script, cib_xml, args, Path(tmp))
    if result.crash:
        raise SystemExit(f"{case.name}: the referee crashed: {result.crash}")
    (case / "referee.out").write_text(result.stdout)
    (case / "referee.rc").write_text(f"{result.rc}\n")


def main(argv: list[str]) -> int:
    run_script, why = referee.find()
    if run_script is None:
        print(f"referee unavailable: {why}", file=sys.stderr)
        return 2
    if argv[:1] == ["add"] and len(argv) == 3:
        name, step_dir = argv[1], Path(argv[2])
        case = CASES / name
        case.mkdir(parents=True, exist_ok=True)
        source = "min-" if (step_dir / "min-cib.xml").exists() else ""
        shutil.copy(step_dir / f"{source}cib.xml", case / "cib.xml")
        shutil.copy(step_dir / f"{source}args.json", case / "args.json")
        record(run_script, case)
        print(f"recorded {case}")
        return 0
    if argv == ["regenerate"]:
        for case in sorted(p for p in CASES.iterdir() if (p / "cib.xml").exists()):
            record(run_script, case)
            print(f"recorded {case.name}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
