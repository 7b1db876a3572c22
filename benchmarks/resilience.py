"""``pengine resilience`` against one ``pengine simulate`` of the same cluster.

The question of issue 23: all single node failures of a settled cluster
(``generate.py --scenario settled``: everything runs, its history recorded,
every node online) planned by ``pengine resilience --what-ifs node-failure``,
against one ``pengine simulate -x FILE -S`` (load, schedule, carry the
transition out, print both statuses).  CPU seconds of each child (as run.py
measures), the ratio, and the figures as JSON.

Usage::

    python benchmarks/resilience.py [--nodes 16] [--sizes 2000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import run as bench  # noqa: E402
from benchmarks.generate import DEFAULT_MIX, generate  # noqa: E402


def resilience_argv(path: str, kinds: str, jobs: int = 1) -> list[str]:
    return [sys.executable, "-m", "pengine.cli", "resilience", "-x", path,
            "--what-ifs", kinds, "--output-as", "json", "--jobs", str(jobs)]


def one_size(nodes: int, size: int, workdir: Path, kinds: str, repeat: int,
             jobs: int = 1) -> dict:
    path = workdir / f"settled-{nodes}x{size}.xml"
    path.write_text(generate(nodes, size, "settled", DEFAULT_MIX, 1))
    simulate = min((bench.measure(bench.pengine_argv(str(path), "S"), keep_output=False)
                    for _ in range(repeat)), key=lambda t: t.cpu)
    runs = [bench.measure(resilience_argv(str(path), kinds, jobs)) for _ in range(repeat)]
    resilience = min(runs, key=lambda t: t.cpu)
    what_ifs = None
    if resilience.rc == 0:
        doc = json.loads(resilience.output)
        what_ifs = len(doc["what_ifs"])
    return {"nodes": nodes, "primitives": size, "what_ifs": what_ifs, "kinds": kinds,
            "jobs": jobs,
            "wall_ratio": round(resilience.wall / simulate.wall, 2) if simulate.wall else None,
            "simulate": bench._timing_dict(simulate),
            "resilience": bench._timing_dict(resilience),
            "ratio": round(resilience.cpu / simulate.cpu, 2) if simulate.cpu else None,
            "per_what_if_cpu": round(resilience.cpu / what_ifs, 2) if what_ifs else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=16)
    parser.add_argument("--sizes", type=bench._ints, default=[2000])
    parser.add_argument("--what-ifs", default="node-failure",
                        help="the what-ifs resilience plans (default: node-failure)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest counts")
    parser.add_argument("--jobs", type=int, default=1,
                        help="resilience --jobs (worker processes); CPU time counts them all")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="pengine-resilience-bench-") as tmp:
        workdir = Path(tmp)
        bench.use_bytecode_cache(workdir / "pycache")
        print("| nodes x primitives | what-ifs | jobs | simulate -S s | resilience s | ratio | "
              "s per what-if | wall ratio | resilience MiB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size in args.sizes:
            row = one_size(args.nodes, size, workdir, args.what_ifs, args.repeat, args.jobs)
            rows.append(row)
            print(f"| {args.nodes}x{size} | {row['what_ifs']} | {args.jobs} | "
                  f"{row['simulate']['cpu']:.2f} | {row['resilience']['cpu']:.2f} | "
                  f"{row['ratio']}x | {row['per_what_if_cpu']} | {row['wall_ratio']}x | "
                  f"{row['resilience']['rss_mib']:.0f} |", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "python": platform.python_version(), "machine": platform.machine(),
            "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
