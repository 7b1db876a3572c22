"""``pengine scenario FILE.toml``: events over time, one scheduler run per
event or due re-check, each transition carried out (see transitions.scenario)."""

from __future__ import annotations

import sys


def run(args) -> int:
    from pengine.transitions.scenario import load_scenario, run_scenario, timeline_lines
    scenario = load_scenario(args.scenario)
    steps = run_scenario(scenario)
    text = "\n".join(timeline_lines(steps)).rstrip("\n") + "\n"
    if getattr(args, "report", None):
        from pengine.cli.output_files import write_atomically
        from pengine.transitions.report import scenario_report
        write_atomically(args.report, scenario_report(scenario, steps))
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0
