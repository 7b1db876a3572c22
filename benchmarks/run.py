"""Time ``pengine simulate`` against Debian's ``crm_simulate``, side by side.

Three suites, all in one run, each tool on the same input files:

``scale``
    generated clusters (``benchmarks/generate.py``) of NODES nodes and each
    of SIZES configured primitives, in each scenario (``fresh``: every node
    just joined, so everything is probed and started; ``failure``:
    everything runs, then the last node fails);
``startup``
    small corpus cases run many times: the per-process cost of a small run;
``corpus``
    every corpus case once: ``pengine simulate --batch DIR`` (one process)
    against one ``pengine`` process per case and one ``crm_simulate``
    process per case.  The batch outputs are checked against the
    per-process ones.

Times are the child's CPU time (user + system, from ``wait4``), which a
loaded machine distorts far less than wall-clock time; wall time is
reported too.  Peak memory is the child's maximum resident set size.
``crm_simulate`` comes from the ``pacemaker-cli-utils`` package, which is
installed with apt-get when missing.  A tool that exceeds its time limit is
stopped and its time shown as a lower bound (``>``).

The table goes to stdout and the figures to a JSON file.  Nothing here
asserts a time: benchmarks report.

Usage::

    python benchmarks/run.py [--suite scale,startup,corpus] [--nodes 16]
        [--sizes 500,1000,2000] [--scenarios fresh,failure] [--mode S|R]
        [--shapes all|SHAPE,...] [--quick] [--crm-cache [DIR]] [--show-phases]
        [--crm-timeout 900] [--json FILE] [--workdir DIR]

``--shapes`` runs the scale suite on each cluster shape of
``generate.py --shape``; each pengine run reports its phase profile (``-VV``:
CPU seconds per stage) in the JSON and, with ``--show-phases``, under its
row.  ``--crm-cache`` reuses crm_simulate's figures for an input measured
before (marked ``*``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import DEFAULT_MIX, SCENARIOS, SHAPES, generate, parse_mix  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "pacemaker-cts"
CRM_CACHE = Path.home() / ".cache" / "pengine-bench" / "crm_simulate"
STARTUP_CASES = ("simple1", "simple7", "coloc-group", "group-dependents", "migrate-1")


# --------------------------------------------------------------- running --

@dataclass
class Timing:
    """One process: CPU and wall seconds, peak RSS in MiB, exit status."""

    cpu: float
    wall: float
    rss_mib: float
    rc: int
    timed_out: bool = False
    output: str = field(default="", repr=False)
    errors: str = field(default="", repr=False)


def measure(argv: list[str], timeout: float | None = None, cwd: Path = ROOT,
            keep_output: bool = True, keep_errors: bool = False) -> Timing:
    """Run ``argv`` and account for exactly that child (os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out,
                                stderr=err if keep_errors else subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, env=CHILD_ENV)
        killed = threading.Event()

        def stop():
            killed.set()
            proc.kill()
        timer = threading.Timer(timeout, stop) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        text = errors = ""
        if keep_output:
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
        if keep_errors:
            err.seek(0)
            errors = err.read().decode("utf-8", "replace")
    return Timing(cpu=usage.ru_utime + usage.ru_stime, wall=wall,
                  rss_mib=usage.ru_maxrss / 1024, rc=proc.returncode,
                  timed_out=killed.is_set(), output=text, errors=errors)


# The children's environment.  An installed package has its modules compiled
# to bytecode once; a checkout run with PYTHONDONTWRITEBYTECODE set (as some
# sandboxes do) would compile every module at every start, which is not what
# a user pays.  use_bytecode_cache() points the children at a cache of their own.
CHILD_ENV: dict[str, str] | None = None


def use_bytecode_cache(directory: Path) -> None:
    global CHILD_ENV
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(directory)
    CHILD_ENV = env
    # warm it: every module pengine simulate loads, compiled once
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-x", r"/(tests|benchmarks)/",
                    str(ROOT / "cib"), str(ROOT / "pengine"), str(ROOT / "transitions")],
                   env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    # and the standard library and attrs as a run loads them (the prefix holds those too)
    tiny = directory / "warm-up.xml"
    tiny.parent.mkdir(parents=True, exist_ok=True)
    tiny.write_text(generate(3, 6, "failure", DEFAULT_MIX, 1))
    for mode in ("S", "R"):
        measure(pengine_argv(str(tiny), mode), 120, keep_output=False)


def pengine_argv(path: str, mode: str, phases: bool = False) -> list[str]:
    return [sys.executable, "-m", "pengine.cli", "simulate", "-x", path, f"-{mode}"] + \
        (["-V", "-V"] if phases else [])


def phase_profile(stderr: str, total_cpu: float) -> dict[str, float]:
    """CPU seconds per stage from ``pengine simulate -VV``'s notes; what the
    notes do not cover (interpreter start, imports, reading the CIB) is
    ``start-up and reading``."""
    phases: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("pengine: ") or "(cpu " not in line:
            continue
        what = line[len("pengine: "):line.rindex(" in ")]
        what = what[len("phase "):] if what.startswith("phase ") else what
        cpu = float(line.rsplit("(cpu ", 1)[1].split()[0])
        phases[what] = phases.get(what, 0.0) + cpu
    if phases:
        phases = {"start-up and reading": max(0.0, total_cpu - sum(phases.values())),
                  **phases}
    return {k: round(v, 3) for k, v in phases.items()}


def crm_argv(path: str, mode: str) -> list[str]:
    return ["crm_simulate", "-x", path, f"-{mode}"]


def ensure_crm_simulate() -> str | None:
    """crm_simulate's version, installing pacemaker-cli-utils if needed; None if unavailable."""
    if shutil.which("crm_simulate") is None:
        sudo = [] if os.geteuid() == 0 else (["sudo"] if shutil.which("sudo") else None)
        if sudo is not None and shutil.which("apt-get"):
            print("installing pacemaker-cli-utils for crm_simulate ...", file=sys.stderr)
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            subprocess.run(sudo + ["apt-get", "update", "-qq"], env=env, check=False)
            subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "pacemaker-cli-utils"],
                           env=env, check=False)
    if shutil.which("crm_simulate") is None:
        return None
    done = subprocess.run(["crm_simulate", "--version"], capture_output=True, text=True)
    return (done.stdout.splitlines() or ["unknown"])[0]


def section_lines(text: str, header: str) -> list[str]:
    """The non-blank lines of one crm_simulate section, whitespace-normalised."""
    lines, inside = [], False
    for raw in text.splitlines():
        if raw.startswith(header):
            inside = True
            continue
        if inside and raw and not raw[0].isspace():
            break
        if inside and raw.strip():
            lines.append(" ".join(raw.split()))
    return lines


def transition_lines(text: str) -> set[str]:
    """The Transition Summary lines, whitespace-normalised."""
    return set(section_lines(text, "Transition Summary:"))


def count_actions(text: str) -> int:
    return sum(line.startswith("* ")
               for line in section_lines(text, "Executing Cluster Transition:"))


# ----------------------------------------------------------------- suites --

def crm_measure(path: Path, args, crm_version: str | None) -> tuple[Timing, bool]:
    """crm_simulate on ``path``, or its figures from ``--crm-cache`` when the same
    input (by content hash), mode, version and time limit were measured before:
    crm_simulate 2.1.5 takes minutes on the big fresh clusters.  (Timing, cached?)"""
    key = None
    if args.crm_cache:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
        key = args.crm_cache / f"{digest}-{args.mode}-{args.crm_timeout:g}.json"
        if key.exists():
            data = json.loads(key.read_text())
            if data.get("version") == crm_version:
                return Timing(**data["timing"]), True
    cs = measure(crm_argv(str(path), args.mode), args.crm_timeout)
    if key is not None:
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_text(json.dumps({"version": crm_version, "file": path.name,
                                   "timing": asdict(cs)}))
    return cs, False


def scale_suite(args, crm: bool, workdir: Path, crm_version: str | None = None) -> list[dict]:
    rows = []
    for shape in args.shapes:
        for nodes in args.nodes:
            for size in args.sizes:
                for scenario in args.scenarios:
                    rows.append(scale_row(args, crm, workdir, crm_version,
                                          shape, nodes, size, scenario))
    return rows


def scale_row(args, crm, workdir, crm_version, shape, nodes, size, scenario) -> dict:
    tag = "" if shape == "standard" else f"{shape}-"
    path = workdir / f"bench-{tag}{nodes}n-{size}r-{scenario}.xml"
    if not path.exists():
        path.write_text(generate(nodes, size, scenario, args.mix, args.seed, shape))
    row = {"shape": shape, "nodes": nodes, "resources": size, "scenario": scenario,
           "mode": args.mode, "file_mib": path.stat().st_size / 2**20}
    pe = measure(pengine_argv(str(path), args.mode, phases=not args.no_phases),
                 args.pengine_timeout, keep_errors=True)
    row["pengine"] = _timing_dict(pe)
    row["phases"] = phase_profile(pe.errors, pe.cpu)
    row["actions"] = count_actions(pe.output) if args.mode == "S" else None
    if crm and not (args.crm_max and size > args.crm_max):
        cs, cached = crm_measure(path, args, crm_version)
        row["crm_simulate"] = _timing_dict(cs)
        row["crm_simulate"]["cached"] = cached
        row["ratio"] = cs.cpu / pe.cpu if pe.cpu > 0 else None
        row["agree"] = (None if cs.timed_out or cs.rc != 0 or pe.rc != 0 else
                        transition_lines(pe.output) == transition_lines(cs.output))
    else:
        row["crm_simulate"] = None
    print_scale_row(row)
    if args.show_phases and row["phases"]:
        print_phases(row["phases"])
    if not args.keep:
        path.unlink()
    return row


def startup_suite(args, crm: bool) -> list[dict]:
    rows = []
    for name in args.startup_cases:
        path = args.corpus / "xml" / f"{name}.xml"
        if not path.exists():
            continue
        row = {"case": name, "repeat": args.repeat}
        for tool, argv in (("pengine", pengine_argv(str(path), "S")),
                           ("crm_simulate", crm_argv(str(path), "S") if crm else None)):
            if argv is None:
                continue
            runs = [measure(argv, 60, keep_output=False) for _ in range(args.repeat)]
            row[tool] = {"cpu": statistics.median(r.cpu for r in runs),
                         "wall": statistics.median(r.wall for r in runs),
                         "rss_mib": max(r.rss_mib for r in runs)}
        if "crm_simulate" in row:
            row["ratio"] = row["pengine"]["cpu"] / row["crm_simulate"]["cpu"] \
                if row["crm_simulate"]["cpu"] > 0 else None
        rows.append(row)
        print_startup_row(row)
    return rows


def corpus_suite(args, crm: bool) -> dict:
    xml_dir = args.corpus / "xml"
    names = sorted(p.stem for p in xml_dir.glob("*.xml"))
    if args.corpus_limit:
        names = names[: args.corpus_limit]
    with tempfile.TemporaryDirectory(prefix="pengine-bench-") as tmp:
        cases = Path(tmp) / "cases"
        cases.mkdir()
        for name in names:
            os.symlink(xml_dir / f"{name}.xml", cases / f"{name}.xml")
        outdir = Path(tmp) / "out"
        batch = measure([sys.executable, "-m", "pengine.cli", "simulate", "--batch", str(cases),
                         "--batch-output", str(outdir), "-S"], None, keep_output=False)
        result = {"cases": len(names), "batch": _timing_dict(batch)}
        per_case = {"cpu": 0.0, "wall": 0.0, "rss_mib": 0.0}
        differ = []
        for name in names:
            run = measure(pengine_argv(str(cases / f"{name}.xml"), "S"), 120)
            per_case["cpu"] += run.cpu
            per_case["wall"] += run.wall
            per_case["rss_mib"] = max(per_case["rss_mib"], run.rss_mib)
            batch_out = outdir / f"{name}.out"
            if not batch_out.exists() or batch_out.read_text() != run.output:
                differ.append(name)
        result["pengine_per_process"] = per_case
        result["batch_differs"] = differ
        if crm:
            crm_total = {"cpu": 0.0, "wall": 0.0, "rss_mib": 0.0, "failed": 0}
            for name in names:
                run = measure(crm_argv(str(cases / f"{name}.xml"), "S"), 120, keep_output=False)
                crm_total["cpu"] += run.cpu
                crm_total["wall"] += run.wall
                crm_total["rss_mib"] = max(crm_total["rss_mib"], run.rss_mib)
                crm_total["failed"] += run.rc != 0
            result["crm_simulate_per_process"] = crm_total
    print_corpus(result)
    return result


def _timing_dict(t: Timing) -> dict:
    d = asdict(t)
    d.pop("output")
    d.pop("errors")
    return d


# ----------------------------------------------------------------- tables --

def _secs(t: dict | None) -> str:
    if t is None:
        return "-"
    mark = ">" if t.get("timed_out") else ""
    return f"{mark}{t['cpu']:.2f}"


def print_scale_header():
    print(f"{'shape':>17} {'size':>9} {'scenario':>8} {'actions':>7} {'pengine s':>10} {'wall':>8} "
          f"{'MiB':>6} {'crm_sim s':>10} {'wall':>8} {'MiB':>6} {'ratio':>7} {'agree':>5}",
          flush=True)


def print_scale_row(row: dict):
    pe, cs = row["pengine"], row["crm_simulate"]
    size = f"{row['nodes']}x{row['resources']}"
    ratio = "-" if not row.get("ratio") else \
        (">" if cs and cs["timed_out"] else "") + f"{row['ratio']:.1f}x"
    if cs and cs.get("cached"):
        ratio += "*"                      # crm_simulate's figures from --crm-cache
    agree = {None: "-", True: "yes", False: "NO"}[row.get("agree")]
    actions = f"rc={pe['rc']}" if pe["rc"] != 0 else \
        (row["actions"] if row["actions"] is not None else "-")
    print(f"{row.get('shape', 'standard'):>17} {size:>9} {row['scenario']:>8} {actions:>7} "
          f"{_secs(pe):>10} {pe['wall']:>8.2f} {pe['rss_mib']:>6.0f} "
          f"{_secs(cs):>10} {cs['wall'] if cs else 0:>8.2f} {cs['rss_mib'] if cs else 0:>6.0f} "
          f"{ratio:>7} {agree:>5}", flush=True)


def print_phases(phases: dict[str, float]):
    """The pengine side's CPU seconds by stage, biggest first."""
    ranked = sorted(phases.items(), key=lambda item: -item[1])
    print("      pengine phases (cpu s): " + ", ".join(f"{name} {secs:.2f}"
                                                      for name, secs in ranked if secs >= 0.005),
          flush=True)


def print_startup_row(row: dict):
    pe, cs = row["pengine"], row.get("crm_simulate")
    ratio = f"{row['ratio']:.2f}" if row.get("ratio") else "-"
    print(f"{row['case']:>24}  pengine {pe['cpu']:.3f} s cpu {pe['wall']:.3f} s wall "
          f"{pe['rss_mib']:.0f} MiB | crm_simulate "
          + (f"{cs['cpu']:.3f} s cpu {cs['wall']:.3f} s wall {cs['rss_mib']:.0f} MiB"
             if cs else "-") + f" | pengine/crm_simulate {ratio}", flush=True)


def print_corpus(result: dict):
    n = result["cases"]
    b, p = result["batch"], result["pengine_per_process"]
    print(f"corpus: {n} cases", flush=True)
    print(f"  pengine --batch (one process): {b['cpu']:.1f} s cpu, {b['wall']:.1f} s wall, "
          f"{b['rss_mib']:.0f} MiB peak", flush=True)
    print(f"  pengine, one process per case: {p['cpu']:.1f} s cpu, {p['wall']:.1f} s wall, "
          f"{p['rss_mib']:.0f} MiB peak", flush=True)
    c = result.get("crm_simulate_per_process")
    if c:
        print(f"  crm_simulate, one per case:    {c['cpu']:.1f} s cpu, {c['wall']:.1f} s wall, "
              f"{c['rss_mib']:.0f} MiB peak ({c['failed']} exited non-zero)", flush=True)
    print(f"  batch output differs from per-process output: {len(result['batch_differs'])}"
          + (f" ({', '.join(result['batch_differs'][:5])} ...)" if result["batch_differs"] else ""),
          flush=True)


# ------------------------------------------------------------------- main --

def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def _shapes(text: str) -> list[str]:
    if text.strip() == "all":
        return list(SHAPES)
    shapes = [x.strip() for x in text.split(",") if x.strip()]
    unknown = [x for x in shapes if x not in SHAPES]
    if unknown or not shapes:
        raise argparse.ArgumentTypeError(f"shapes: choose from {', '.join(SHAPES)} or all")
    return shapes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="scale,startup,corpus",
                        help="comma-separated: scale, startup, corpus")
    parser.add_argument("--nodes", type=_ints, default=[16])
    parser.add_argument("--sizes", type=_ints, default=[500, 1000, 2000])
    parser.add_argument("--scenarios", type=lambda s: [x for x in s.split(",") if x],
                        default=list(SCENARIOS))
    parser.add_argument("--mix", type=parse_mix, default=DEFAULT_MIX,
                        help="the kinds of the standard shape")
    parser.add_argument("--shapes", type=_shapes, default=["standard"],
                        help=f"comma-separated, or 'all': {', '.join(SHAPES)} "
                        "(default: standard)")
    parser.add_argument("--quick", action="store_true",
                        help="every shape, 8 nodes x 200 primitives, fresh and failure, "
                        "crm_simulate stopped at 120 s: a few minutes on a small machine")
    parser.add_argument("--crm-cache", type=Path, nargs="?", const=CRM_CACHE,
                        help="reuse crm_simulate's figures for an input measured before "
                        f"(same content hash, mode, version and time limit; default {CRM_CACHE})")
    parser.add_argument("--no-phases", action="store_true",
                        help="run pengine without -VV (no phase profile)")
    parser.add_argument("--show-phases", action="store_true",
                        help="print the pengine phase profile under each row")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=("S", "R"), default="S",
                        help="S: schedule and simulate the transition (default); R: schedule only")
    parser.add_argument("--no-crm", action="store_true", help="time pengine only")
    parser.add_argument("--crm-timeout", type=float, default=900,
                        help="seconds before crm_simulate is stopped (a lower bound is reported)")
    parser.add_argument("--crm-max", type=int, default=0,
                        help="skip crm_simulate above this many resources (0: never skip)")
    parser.add_argument("--pengine-timeout", type=float, default=3600)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--corpus-limit", type=int, default=0, help="first N corpus cases only")
    parser.add_argument("--startup-cases", type=lambda s: s.split(","), default=list(STARTUP_CASES))
    parser.add_argument("--repeat", type=int, default=10, help="runs per startup case")
    parser.add_argument("--workdir", type=Path, help="where generated CIBs go (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the generated CIBs")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="run pengine with the environment as it is (by default the "
                        "children compile to a bytecode cache in the work directory)")
    parser.add_argument("--json", type=Path, help="write the figures here "
                        "(default: benchmarks/results/run-DATE.json)")
    args = parser.parse_args(argv)
    if args.quick:
        args.shapes, args.nodes, args.sizes = list(SHAPES), [8], [200]
        args.scenarios, args.crm_timeout = ["fresh", "failure"], min(args.crm_timeout, 120)
    suites = {s.strip() for s in args.suite.split(",") if s.strip()}
    unknown = suites - {"scale", "startup", "corpus"}
    if unknown:
        parser.error(f"unknown suite: {', '.join(sorted(unknown))}")
    bad = [s for s in args.scenarios if s not in SCENARIOS]
    if bad:
        parser.error(f"unknown scenario: {', '.join(bad)}")

    crm_version = None if args.no_crm else ensure_crm_simulate()
    crm = crm_version is not None
    if not args.no_crm and not crm:
        print("crm_simulate is not available: timing pengine only", file=sys.stderr)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count(), "load": os.getloadavg()},
        "crm_simulate": crm_version,
        "mode": args.mode, "mix": list(args.mix), "seed": args.seed,
    }
    print(f"pengine (python {platform.python_version()}) vs {crm_version or 'no crm_simulate'}; "
          f"times are CPU seconds (user+system); load average {os.getloadavg()[0]:.1f}",
          flush=True)
    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="pengine-bench-")
        workdir = Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    if not args.no_bytecode_cache:
        use_bytecode_cache(workdir / "pycache")
    report["pengine_bytecode"] = "recompiled at every start" if args.no_bytecode_cache else \
        "cached (PYTHONPYCACHEPREFIX), as an installed package"
    try:
        if "scale" in suites:
            print_scale_header()
            report["scale"] = scale_suite(args, crm, workdir, crm_version)
        if "startup" in suites and args.corpus.exists():
            print(f"startup (median of {args.repeat} runs, -S):", flush=True)
            report["startup"] = startup_suite(args, crm)
        if "corpus" in suites and args.corpus.exists():
            report["corpus"] = corpus_suite(args, crm)
    finally:
        if tmp is not None:
            tmp.cleanup()
    path = args.json or HERE / "results" / f"run-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"figures written to {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
