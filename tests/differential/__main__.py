"""python -m tests.differential [--cases N] [--seed S] [--save DIR] [--json FILE]
python -m tests.differential --minimise DIR/caseNNNNN-stepK [--section NAME]
python -m tests.differential --only I --seed S        (replay one case, verbose)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.differential import referee
from tests.differential.suite import run_suite


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.differential")
    p.add_argument("--cases", type=int, default=20, help="number of generated clusters")
    p.add_argument("--first", type=int, default=0, help="index of the first case")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--steps", type=int, default=None,
                   help="steps per case (default: 3-8, drawn per case)")
    p.add_argument("--step-budget", type=int, default=None,
                   help="stop after the case that reaches this many steps")
    p.add_argument("--save", type=Path, help="write each differing step under this directory")
    p.add_argument("--json", type=Path, help="write the tally as JSON")
    p.add_argument("--only", type=int, help="run only this case index, printing each step")
    p.add_argument("--minimise", type=Path, metavar="STEP_DIR",
                   help="shrink a saved differing step (a --save directory entry)")
    p.add_argument("--section", help="with --minimise: the section that must keep differing")
    p.add_argument("--recheck", type=Path, metavar="SAVE_DIR",
                   help="re-run the differing steps a --save run kept, bucket what still differs")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)

    run_script, why = referee.find()
    if run_script is None:
        print(f"referee unavailable: {why}", file=sys.stderr)
        return 2
    if args.minimise:
        from tests.differential.minimise import minimise_dir
        return minimise_dir(run_script, args.minimise, args.section)
    if args.recheck:
        return recheck(run_script, args.recheck, args.save)
    if args.only is not None:
        from tests.differential.suite import run_case

        def show(step):
            print(f"case {step.case} step {step.step} args {' '.join(step.args) or '-'}: "
                  f"differs {step.outcome.differs or 'none'}"
                  + (f" CRASH {step.outcome.pengine.crash}" if step.outcome.pengine.crash else ""))
            if args.save and step.outcome.differs:
                from tests.differential.suite import save_step
                print("  saved", save_step(args.save, step))
        run_case(run_script, args.seed, args.only, show, args.steps)
        return 0

    def progress(tally):
        if not args.quiet and tally.cases % 25 == 0:
            print(tally.report().splitlines()[0] + " | " + " ".join(
                f"{n}={tally.equal[n]}" for n in ("transition", "actions", "revised",
                                                  "current", "scores", "exit"))
                  + f" crashes={tally.crashes}", flush=True)
            if args.json:
                args.json.write_text(json.dumps(tally.as_json(), indent=1))

    tally = run_suite(run_script, args.seed, range(args.first, args.first + args.cases),
                      save=args.save, max_steps=args.steps, progress=progress,
                      step_budget=args.step_budget)
    print(tally.report())
    if args.json:
        args.json.write_text(json.dumps(tally.as_json(), indent=1))
    return 0


def recheck(run_script, directory: Path, save: Path | None) -> int:
    """The steps a earlier run saved as differing, run again (after fixes)."""
    from tests.differential.compare import run_step
    from tests.differential.suite import Step, Tally, save_step
    tally = Tally()
    for step_dir in sorted(p for p in directory.iterdir() if (p / "cib.xml").exists()):
        case, _, index = step_dir.name.partition("-step")
        step = Step(int(case[4:]), int(index), (step_dir / "cib.xml").read_text(),
                    json.loads((step_dir / "args.json").read_text()), None)
        step.outcome = run_step(run_script, step.cib_xml, step.args)
        tally.add(step)
        if save is not None and step.outcome.differs:
            save_step(save, step)
    print(f"re-ran {tally.steps} saved steps")
    print(tally.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
