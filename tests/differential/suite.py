"""Chains of steps: generate a cluster, let both engines run each step, feed
Pacemaker's ``-O`` output into the next step, count agreement per section.

Case ``i`` of seed ``S`` draws everything from ``random.Random(f"{S}:{i}")``,
so one case can be replayed alone (``--only i``).
"""

from __future__ import annotations

import difflib
import json
import random
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.differential import generate
from tests.differential.compare import (HEADLINE, SECTIONS, Outcome, effective_epoch,
                                        normalise_stamps, run_step, split_sections)


@dataclass
class Step:
    case: int
    step: int
    cib_xml: str
    args: list[str]
    outcome: Outcome


@dataclass
class Tally:
    steps: int = 0
    cases: int = 0
    equal: Counter = field(default_factory=Counter)
    crashes: int = 0
    referee_crashes: int = 0
    buckets: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, step: Step) -> None:
        outcome = step.outcome
        if outcome.referee.crash:
            # Pacemaker itself failed (e.g. an assertion on a loop of orders):
            # nothing to compare against; counted apart, and the chain ends
            self.referee_crashes += 1
            key = "referee crash: " + (outcome.referee.crash.strip().splitlines() or [""])[-1][:100]
            self.buckets[key] += 1
            self.examples.setdefault(key, (step.case, step.step))
            return
        self.steps += 1
        for name, same in outcome.equal.items():
            self.equal[name] += bool(same)
        if outcome.pengine.crash:
            self.crashes += 1
        headline = [name for name in HEADLINE if not outcome.equal.get(name, True)]
        if outcome.pengine.crash:
            key = "crash: " + outcome.pengine.crash.strip().splitlines()[-1][:120]
        elif headline:
            key = bucket_key(outcome, headline[0])
        else:
            return
        self.buckets[key] += 1
        self.examples.setdefault(key, (step.case, step.step))

    def report(self) -> str:
        lines = [f"{self.cases} cases, {self.steps} steps, {self.seconds:.0f} s"]
        for name in SECTIONS:
            share = 100.0 * self.equal[name] / self.steps if self.steps else 0.0
            lines.append(f"  {name:14s} {self.equal[name]:6d}/{self.steps}  {share:6.2f}%")
        lines.append(f"  pengine crashes (internal errors): {self.crashes}")
        lines.append(f"  referee crashes (steps not compared, chains cut short): "
                     f"{self.referee_crashes}")
        if self.buckets:
            lines.append("buckets (first differing section: first differing line; count; "
                         "first case:step):")
            for key, count in self.buckets.most_common():
                case, step = self.examples[key]
                lines.append(f"  {count:5d}  {key}   [{case}:{step}]")
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {"cases": self.cases, "steps": self.steps, "equal": dict(self.equal),
                "crashes": self.crashes, "referee_crashes": self.referee_crashes,
                "buckets": [(k, n, self.examples[k]) for k, n in self.buckets.most_common()]}


_NAMES = re.compile(r"\b(node|remote|guest|rsc|grp|cln|ms|bnd|fence|vm)[-\w]*?(\d+)?\b")
_NUMBERS = re.compile(r"-?\b\d+\b")


def _shape(line: str) -> str:
    """A line with its ids and numbers blurred, so alike differences share a bucket."""
    return _NUMBERS.sub("N", _NAMES.sub(lambda m: m.group(1).upper(), line))


def bucket_key(outcome: Outcome, section: str) -> str:
    if section == "exit":
        return f"exit: referee {outcome.referee.rc} pengine {outcome.pengine.rc}"
    source = {"actions_order": "actions", "text": "preamble"}.get(section, section)
    want = split_sections(outcome.referee.stdout)[source]
    got = split_sections(outcome.pengine.stdout)[source]
    if section in ("transition", "actions", "scores"):
        want, got = sorted(want), sorted(got)
    for line in difflib.unified_diff(want, got, lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        return f"{section}: {_shape(line)[:140]}"
    return f"{section}: (order)"


def run_case(run_script: Path, seed: int, case: int, on_step=None,
             max_steps: int | None = None) -> list[Step]:
    rng = random.Random(f"{seed}:{case}")
    cib = generate.cluster(rng)
    n_steps = rng.randint(3, 8) if max_steps is None else max_steps
    steps: list[Step] = []
    for index in range(n_steps):
        args = [] if index == 0 else generate.events(rng, cib)
        cib_xml = ET.tostring(cib, encoding="unicode")
        outcome = run_step(run_script, cib_xml, args)
        step = Step(case, index, cib_xml, args, outcome)
        steps.append(step)
        if on_step:
            on_step(step)
        output = outcome.referee.output_cib
        if outcome.referee.crash or not output:
            break
        following = ET.fromstring(output)
        normalise_stamps(following, effective_epoch(cib, args))
        generate.advance_clock(rng, following)
        cib = following
    return steps


def save_step(directory: Path, step: Step) -> Path:
    """A differing step as files: input, flags, both outputs."""
    stem = directory / f"case{step.case:05d}-step{step.step}"
    stem.mkdir(parents=True, exist_ok=True)
    (stem / "cib.xml").write_text(step.cib_xml)
    (stem / "args.json").write_text(json.dumps(step.args))
    (stem / "referee.out").write_text(step.outcome.referee.stdout)
    (stem / "referee.err").write_text(step.outcome.referee.stderr
                                      + f"\n[exit {step.outcome.referee.rc}]\n")
    (stem / "pengine.out").write_text(step.outcome.pengine.stdout)
    (stem / "pengine.err").write_text(step.outcome.pengine.stderr + step.outcome.pengine.crash
                                      + f"\n[exit {step.outcome.pengine.rc}]\n")
    (stem / "differs.txt").write_text(" ".join(step.outcome.differs) + "\n")
    return stem


def run_suite(run_script: Path, seed: int, cases: range, save: Path | None = None,
              max_steps: int | None = None, progress=None, step_budget: int | None = None
              ) -> Tally:
    tally = Tally()
    started = time.perf_counter()

    def on_step(step: Step) -> None:
        tally.add(step)
        if save is not None and step.outcome.differs:
            save_step(save, step)

    for case in cases:
        run_case(run_script, seed, case, on_step, max_steps)
        tally.cases += 1
        tally.seconds = time.perf_counter() - started
        if progress:
            progress(tally)
        if step_budget is not None and tally.steps >= step_budget:
            break
    tally.seconds = time.perf_counter() - started
    return tally
