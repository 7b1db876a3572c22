"""Benchmark: failover of the sample namespace cluster, over many kill and
partition cycles (root; corosync and resource-agents installed).

The three-node cluster of samples/cluster (network namespaces, corosync with
``token: 1000``, ``pengine run --cluster``, a floating IP and a web server)
is brought up once.  Each cycle takes a node away, by killing its corosync
and pengine (SIGKILL; the service itself keeps running until the node is
fenced), by cutting it off the network (its bridge port down), or by
stopping its pengine (SIGSTOP: corosync alive, the service running, the
pengine silent until its own watchdog or the others' eviction acts): the
node that serves the web site, or the coordinator, and in the
``*-serving-coordinator`` cycles the coordinator while it serves the site
(a location preference above the group's stickiness, written into the
configuration, moves the site there first, and is taken out again once the site is back).  From the
moment the node is taken away it measures:

- ``fenced``: a survivor reports that it fenced the node (the fence agent
  killed what was left in its namespace and took its interface down);
- ``ip``: the floating IP is on a survivor (and nowhere else);
- ``answers``: the web site answers HTTP 200 again, from the client
  namespace, served by a survivor: the failover time;
- ``outage``: how long the site did not answer in the meantime.

The lost node is then healed, booted and rejoined before the next cycle.
Throughout, a watcher checks several times a second, from outside, that
neither the IP, the web server nor any other resource is ever active on two
nodes.

    sudo python benchmarks/cluster_failover.py              # 24 cycles
    sudo python benchmarks/cluster_failover.py --cycles 4 --token 3000

Times are taken by polling (about every 0.1-0.3 s), so each is an upper bound
within that.  Figures are printed and written to
benchmarks/results/cluster_failover.json.  This is a benchmark, not a test:
nothing here asserts a time (it exits 1 if a cycle did not recover or
something was active twice).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))


def harness():
    path = REPO / "samples" / "cluster" / "netns_cluster.py"
    spec = importlib.util.spec_from_file_location("netns_cluster", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["netns_cluster"] = module
    spec.loader.exec_module(module)
    return module


nc = harness()


def wait(predicate, timeout: float, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def serving(cluster) -> str | None:
    vip, web = cluster.vip_nodes(), cluster.process_nodes("http.server")
    if len(vip) == 1 and vip == web and cluster.http_status(timeout=0.3) == 200:
        return vip[0]
    return None


def coordinator(cluster) -> str:
    """The running node with the lowest id coordinates."""
    return next(n for n in nc.NODES if cluster.pengine_alive(n))


ALL_JOINED = "join complete: " + ", ".join(nc.NODES)


def log_size(cluster, node: str) -> int:
    path = cluster.workdir / node / "pengine.log"
    return path.stat().st_size if path.exists() else 0


def logged_since(cluster, sizes: dict[str, int], line: str) -> str | None:
    """The node whose log has ``line`` after the offsets in ``sizes``."""
    for node, size in sizes.items():
        try:
            with open(cluster.workdir / node / "pengine.log", "rb") as handle:
                handle.seek(size)
                if line.encode() in handle.read():
                    return node
        except OSError:
            continue
    return None


def restore(cluster) -> float:
    """Heal and boot what was lost; wait until a coordinator has every node joined."""
    started = time.monotonic()
    sizes = {n: log_size(cluster, n) for n in nc.NODES}
    booted = cluster.heal_and_boot()
    if booted and not wait(lambda: logged_since(cluster, sizes, ALL_JOINED), 60, 0.2):
        raise RuntimeError("the cluster did not re-form")
    return time.monotonic() - started


PREFERENCE = "\nlocation bench-serve-on-coordinator site 1000: {node}\n"


def serve_on_coordinator(cluster, base: str) -> None:
    """Move the site to the coordinator: a location preference above the
    group's stickiness (100 per member), written into the configuration
    every node watches."""
    target = coordinator(cluster)
    if serving(cluster) == target:
        return
    Path(cluster.config).write_text(base + PREFERENCE.format(node=target))
    if wait(lambda: serving(cluster) == target, 60, 0.1) is None:
        raise RuntimeError(f"the site did not move to the coordinator {target}")


def cycle(cluster, kind: str, timeout: float) -> dict:
    """Take a node away (kill, partition or SIGSTOP; the node serving the
    site, or the coordinator, or the coordinator serving the site) and time
    the recovery."""
    base = Path(cluster.config).read_text()
    if kind.endswith("serving-coordinator"):
        serve_on_coordinator(cluster, base)
    server = wait(lambda: serving(cluster), 60)
    if server is None:
        raise RuntimeError("nothing serves the web site")
    boss = coordinator(cluster)
    victim = boss if kind.endswith("coordinator") else server
    sizes = {n: log_size(cluster, n) for n in nc.NODES if n != victim}
    t0 = time.monotonic()
    if kind.startswith("kill"):
        cluster.kill_node(victim)
    elif kind.startswith("freeze"):
        os.kill(cluster.pengine[victim].pid, signal.SIGSTOP)
    else:
        cluster.partition(victim)
    marks: dict[str, float | None] = {"fenced": None, "ip": None, "answers": None}
    outage, last, deadline = 0.0, t0, t0 + timeout
    while time.monotonic() < deadline:
        now = time.monotonic() - t0
        if marks["fenced"] is None and \
                logged_since(cluster, sizes, f"fencing {victim} (reboot) succeeded"):
            marks["fenced"] = now
        vip = cluster.vip_nodes()
        if victim == server and marks["ip"] is None and len(vip) == 1 and vip[0] != victim:
            marks["ip"] = now
        ok = cluster.http_status(timeout=0.2) == 200
        tick = time.monotonic()
        if not ok:
            outage += tick - last
        last = tick
        if victim == server and ok and marks["ip"] is not None and marks["answers"] is None \
                and cluster.vip_nodes() != [victim]:
            marks["answers"] = tick - t0
        if marks["fenced"] is not None and (victim != server or marks["answers"] is not None):
            break
        time.sleep(0.02)
    result = {"kind": kind, "node": victim, "served": victim == server,
              "coordinator": victim == boss,
              **{k: round(v, 2) if v is not None else None for k, v in marks.items()},
              "outage": round(outage, 2)}
    result["survivor"] = (cluster.vip_nodes() or [None])[0]
    if Path(cluster.config).read_text() != base:
        Path(cluster.config).write_text(base)       # the preference out again
    result["rejoin"] = round(restore(cluster), 2)
    return result


KINDS = ("kill", "partition", "kill-coordinator", "kill-serving-coordinator", "freeze",
         "partition-serving-coordinator", "freeze-serving-coordinator",
         "partition-coordinator")


def summary(values: list[float]) -> dict:
    if not values:
        return {}
    return {"n": len(values), "min": round(min(values), 2),
            "median": round(statistics.median(values), 2), "max": round(max(values), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=24)
    parser.add_argument("--token", type=int, default=1000, help="corosync token (ms)")
    parser.add_argument("--timeout", type=float, default=60, help="per cycle (s)")
    parser.add_argument("--keep", metavar="DIR", help="copy the nodes' logs here afterwards")
    parser.add_argument("--output", default=str(HERE / "results" / "cluster_failover.json"))
    args = parser.parse_args(argv)
    if nc.NetnsCluster.namespaces_in_use():
        print(f"namespaces in use: {nc.NetnsCluster.namespaces_in_use()}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="pengine-failover-"))
    config = work / "cluster.crm"
    shutil.copy(nc.HERE / "cluster.crm", config)     # the serving-coordinator cycles edit it
    cluster = nc.NetnsCluster(work, config, token_ms=args.token)
    watch = nc.standard_watch(cluster, interval=0.1)
    results = []
    started = time.monotonic()
    try:
        cluster.up()
        watch.start()
        first = wait(lambda: serving(cluster), 90)
        print(f"cold start: served by {first} after {time.monotonic() - started:.1f}s",
              flush=True)
        for i in range(args.cycles):
            kind = KINDS[i % len(KINDS)]
            result = cycle(cluster, kind, args.timeout)
            results.append(result)
            times = ", ".join(f"{mark} {result[mark]}s" for mark in ("fenced", "ip", "answers")
                              if result[mark] is not None)
            roles = "+".join(r for r, on in (("serving", result["served"]),
                                              ("coordinator", result["coordinator"])) if on)
            print(f"cycle {i + 1:2d} {kind:29s} {result['node']}"
                  f"{f' ({roles})' if roles else ''} -> {result['survivor']}: "
                  f"{times}, outage {result['outage']}s (rejoin {result['rejoin']}s); "
                  f"active twice so far: {len(watch.violations)}", flush=True)
    finally:
        watch.stop()
        cluster.down()
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("run"))
        shutil.rmtree(work, ignore_errors=True)
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "token_ms": args.token,
        "cycles": results,
        # death of the serving node -> its site answers again from a survivor
        "failover_s": {kind: summary([r["answers"] for r in results if r["served"]
                                      and r["kind"].startswith(kind)
                                      and r["answers"] is not None])
                       for kind in ("kill", "partition", "freeze")},
        # the same, when the node taken away both coordinated and served the site
        "failover_s_coordinator_serving": summary([
            r["answers"] for r in results
            if r["served"] and r["coordinator"] and r["answers"] is not None]),
        "fenced_s": {kind: summary([r["fenced"] for r in results
                                    if r["kind"] == kind and r["fenced"] is not None])
                     for kind in sorted(set(KINDS))},
        # how long the site did not answer, when the node taken away did not serve it
        "outage_s_bystander": summary([r["outage"] for r in results if not r["served"]]),
        "failed_cycles": sum(1 for r in results if r["fenced"] is None
                             or (r["served"] and r["answers"] is None)),
        "watch_samples": watch.samples,
        "active_twice": [{"t": round(t, 2), "resource": r, "nodes": n}
                         for t, r, n in watch.violations],
        "total_s": round(time.monotonic() - started, 1),
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("failover_s", "failover_s_coordinator_serving",
                                             "fenced_s", "outage_s_bystander",
                                             "failed_cycles", "watch_samples", "total_s")},
                     indent=2))
    print(f"active on two nodes: {len(watch.violations)} times in {watch.samples} samples")
    print(f"written to {args.output}")
    return 0 if not watch.violations and not report["failed_cycles"] else 1


if __name__ == "__main__":
    sys.exit(main())
