"""``python -m tests.fuzz --minutes N``: a long fuzzing run.

Jobs come from the hypothesis strategies and the corpus mutation fuzzer
(tests/fuzz/strategies.py, mutate.py) and run on worker processes; the
closing report gives runs, crashes (internal errors, exit 70, tracebacks),
hangs past 5 s, silent drops and the slowest input.  Findings are saved
(``--save DIR``) to become regression tests.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def generate(count: int) -> list[dict]:
    """``count`` jobs drawn by hypothesis (generation only: no shrinking)."""
    from hypothesis import HealthCheck, Phase, given, settings

    from tests.fuzz.strategies import all_jobs
    jobs: list[dict] = []

    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(all_jobs())
    def collect(job):
        jobs.append(job)

    collect()
    return jobs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=0, help="stop after this many runs too")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--save", default="/tmp/pengine-fuzz-findings",
                        help="where findings are saved")
    args = parser.parse_args(argv)

    from tests.fuzz.runner import HANG_SECONDS, Pool, save_finding
    deadline = time.monotonic() + args.minutes * 60
    pool = Pool(args.workers)
    runs = 0
    counts = collections.Counter()
    by_kind = collections.Counter()
    exits = collections.Counter()
    slowest = (0.0, None)
    findings_saved = 0
    started = time.monotonic()
    try:
        while time.monotonic() < deadline and not (args.runs and runs >= args.runs):
            batch = generate(50)
            for job, result, findings in pool.run(batch):
                runs += 1
                by_kind[job["kind"]] += 1
                exits[result["rc"] if result is not None else "killed"] += 1
                if result is not None and result["cpu"] > slowest[0]:
                    slowest = (result["cpu"], job)
                for finding in findings:
                    counts[finding.split(":")[0]] += 1
                if findings:
                    findings_saved += 1
                    folder = save_finding(Path(args.save), findings_saved, job, findings)
                    print(f"FINDING {folder}: {'; '.join(findings)}", flush=True)
                if runs % 500 == 0:
                    print(f"... {runs} runs, {dict(counts) or 'no findings'}", flush=True)
                if args.runs and runs >= args.runs:
                    break
    finally:
        pool.close()
    elapsed = time.monotonic() - started
    print(f"\nfuzzing: {runs} runs in {elapsed / 60:.1f} min "
          f"({', '.join(f'{k} {v}' for k, v in sorted(by_kind.items()))})")
    print(f"  exit codes: {', '.join(f'{k}: {v}' for k, v in sorted(exits.items(), key=str))}")
    print(f"  crashes (internal errors, exit 70, tracebacks): {counts['crash']}")
    print(f"  hangs past {HANG_SECONDS:.0f} s: {counts['hang']}")
    print(f"  silent drops: {counts['silent drop']}")
    if slowest[1] is not None:
        job = slowest[1]
        print(f"  slowest input: {slowest[0]:.2f} s CPU: {job['kind']} "
              f"{job.get('origin') or ''} pengine {' '.join(map(str, job['argv']))}")
    return 1 if counts else 0


if __name__ == "__main__":
    sys.exit(main())
