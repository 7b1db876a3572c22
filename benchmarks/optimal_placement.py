"""Benchmark: optimal placement against Pacemaker's greedy assignment on
generated bin-packing clusters.

Each cluster has NODES nodes with cpu/memory capacities and RESOURCES
primitives with cpu/memory requirements (a few large ones among many small
ones), their total at LOAD of the total capacity, under
``placement-strategy=utilization``.  For each generated cluster the benchmark
schedules twice, greedily (Pacemaker's answer) and with
``placement-solver=optimal``, and reports how many resources the greedy
assignment leaves stopped, how many of those the optimal placement runs, and
the times taken.

    python benchmarks/optimal_placement.py                 # 32 nodes x 500 resources, 3 seeds
    python benchmarks/optimal_placement.py --nodes 16 --resources 200 --seeds 5

Figures are printed and written to benchmarks/results/optimal_placement.json.
This is a benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


def generate(nodes: int, resources: int, load: float, seed: int,
             strategy: str = "utilization") -> str:
    """A CIB (XML text): all nodes online, all resources stopped."""
    rng = random.Random(seed)
    demands = []
    for _ in range(resources):
        if rng.random() < 0.15:      # a few large services
            demands.append((rng.randint(6, 12), rng.randint(12, 48)))
        else:
            demands.append((rng.randint(1, 4), rng.randint(1, 12)))
    total_cpu = sum(cpu for cpu, _ in demands)
    total_mem = sum(mem for _, mem in demands)
    weights = [rng.uniform(0.7, 1.3) for _ in range(nodes)]
    scale = sum(weights)
    caps = [(max(1, round(total_cpu / load * w / scale)), max(1, round(total_mem / load * w / scale)))
            for w in weights]

    def nv(owner, name, value):
        return f'<nvpair id="{owner}-{name}" name="{name}" value="{value}"/>'
    node_xml = "".join(
        f'<node id="n{i}" uname="node{i:02d}"><utilization id="n{i}-u">'
        f'{nv(f"n{i}", "cpu", cpu)}{nv(f"n{i}", "memory", mem)}</utilization></node>'
        for i, (cpu, mem) in enumerate(caps))
    rsc_xml = "".join(
        f'<primitive id="rsc{j:04d}" class="ocf" provider="pacemaker" type="Dummy">'
        f'<utilization id="rsc{j}-u">{nv(f"rsc{j}", "cpu", cpu)}{nv(f"rsc{j}", "memory", mem)}'
        f'</utilization></primitive>'
        for j, (cpu, mem) in enumerate(demands))
    states = "".join(
        f'<node_state id="n{i}" uname="node{i:02d}" in_ccm="true" crmd="online" join="member" '
        f'expected="member"/>' for i in range(nodes))
    props = (nv("opt", "stonith-enabled", "false") + nv("opt", "placement-strategy", strategy)
             + nv("opt", "enable-startup-probes", "false"))
    return (f'<cib epoch="1" num_updates="1" admin_epoch="0" validate-with="pacemaker-3.0" '
            f'have-quorum="1"><configuration><crm_config><cluster_property_set id="opt">'
            f'{props}</cluster_property_set></crm_config><nodes>{node_xml}</nodes>'
            f'<resources>{rsc_xml}</resources><constraints/></configuration>'
            f'<status>{states}</status></cib>')


def assignment(sch) -> dict[str, str | None]:
    return {rsc.id: (rsc.assigned_node.name if rsc.assigned_node is not None else None)
            for top in sch.resources for rsc in top.primitives()}


def run_one(nodes: int, resources: int, load: float, seed: int, strategy: str) -> dict:
    from pengine.cib.cib_xml import read_cib
    from pengine.schedule.driver import schedule
    cib = read_cib(generate(nodes, resources, load, seed, strategy))

    started = time.perf_counter()
    greedy = assignment(schedule(cib, NOW))
    greedy_seconds = time.perf_counter() - started

    started = time.perf_counter()
    sch = schedule(cib, NOW, optimal=True)
    optimal_seconds = time.perf_counter() - started
    best = assignment(sch)
    report = sch.placement_report

    stopped = [r for r, n in greedy.items() if n is None]
    rescued = [r for r in stopped if best[r] is not None]
    return {
        "nodes": nodes, "resources": resources, "load": load, "seed": seed,
        "strategy": strategy,
        "greedy_stopped": len(stopped),
        "optimal_stopped": sum(1 for n in best.values() if n is None),
        "placed_by_optimal_not_greedy": len(rescued),
        "moved_to_make_room": sum(1 for r, n in greedy.items()
                                  if n is not None and best[r] is not None and best[r] != n),
        "solution": report.status,
        "solve_seconds": round(report.solve_seconds, 3),
        "greedy_run_seconds": round(greedy_seconds, 3),
        "optimal_run_seconds": round(optimal_seconds, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=32)
    parser.add_argument("--resources", type=int, default=500)
    parser.add_argument("--load", type=float, default=0.97,
                        help="total demand as a fraction of total capacity")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--strategy", default="utilization",
                        choices=("utilization", "balanced", "minimal"))
    parser.add_argument("--output", type=Path, default=HERE / "results" / "optimal_placement.json")
    args = parser.parse_args(argv)

    rows = []
    header = (f"{'seed':>4} {'greedy stopped':>14} {'optimal places':>14} {'optimal stopped':>15} "
              f"{'moved':>5} {'solution':>9} {'solve s':>8} {'greedy run s':>12} "
              f"{'optimal run s':>13}")
    print(f"{args.nodes} nodes x {args.resources} resources, load {args.load:.0%}, "
          f"placement-strategy={args.strategy}")
    print(header)
    for seed in range(args.seeds):
        row = run_one(args.nodes, args.resources, args.load, seed, args.strategy)
        rows.append(row)
        print(f"{seed:>4} {row['greedy_stopped']:>14} {row['placed_by_optimal_not_greedy']:>14} "
              f"{row['optimal_stopped']:>15} {row['moved_to_make_room']:>5} "
              f"{row['solution']:>9} {row['solve_seconds']:>8.2f} "
              f"{row['greedy_run_seconds']:>12.2f} {row['optimal_run_seconds']:>13.2f}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"runs": rows}, indent=1) + "\n")
    print(f"figures written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
