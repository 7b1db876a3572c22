"""Run fuzzing jobs against the real ``pengine`` command, in worker
processes, and judge each outcome.

A job is ``{"files": {name: bytes}, "argv": [...], "resources": [ids]}``
(see strategies.py).  A worker writes the files into a fresh directory and
runs ``pengine.cli.main(argv)`` there.  Findings:

- crash: exit 70 (pengine's internal-error exit), any exit code outside
  0/1/2, or a traceback on stderr;
- hang: more than HANG_SECONDS of CPU time, or no answer within
  KILL_SECONDS (the worker is killed and replaced);
- silent drop: the run succeeded but a resource the input defines is gone
  ("No resources", or an id missing from ``show``/``simulate`` output).
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
HANG_SECONDS = 5.0
KILL_SECONDS = 60.0
RECYCLE_AFTER = 300             # jobs per worker before a fresh one (memory)


def _run_job(job: dict) -> dict:
    from pengine.cli import main
    workdir = tempfile.mkdtemp(prefix="pengine-fuzz-")
    previous = os.getcwd()
    try:
        for name, data in job.get("files", {}).items():
            Path(workdir, name).write_bytes(data)
        if job.get("sample"):
            shutil.copy(REPO / "samples" / job["sample"],
                        Path(workdir, job.get("sample_as", job["sample"])))
        os.chdir(workdir)
        out, err = io.StringIO(), io.StringIO()
        started_cpu, started = time.process_time(), time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = main(list(job["argv"]))
            except SystemExit as done:          # argparse usage errors
                rc = done.code if isinstance(done.code, int) else 2
            except BaseException as error:      # noqa: BLE001 - anything escaping is a crash
                import traceback
                err.write("Traceback (escaped main):\n" + traceback.format_exc())
                rc = 70
        result = {"rc": rc, "stdout": out.getvalue()[-20000:],
                  "stderr": err.getvalue()[-4000:],
                  "cpu": time.process_time() - started_cpu,
                  "wall": time.perf_counter() - started}
        if rc == 0 and job["argv"][0] == "simulate" and "No resources" in result["stdout"]:
            # is the loss silent? only if check does not report it either
            inputs = [name for name in job.get("files", {}) if not name.endswith(".toml")]
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                try:
                    result["check_rc"] = main(["check", *inputs]) if inputs else 0
                except SystemExit as done:
                    result["check_rc"] = done.code
        return result
    finally:
        os.chdir(previous)
        shutil.rmtree(workdir, ignore_errors=True)


def _worker(conn) -> None:
    sys.stdin = open(os.devnull)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        conn.send(_run_job(job))


class Worker:
    def __init__(self):
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.jobs = 0
        self.job = None
        self.sent = 0.0

    def send(self, job: dict) -> None:
        self.job = job
        self.sent = time.monotonic()
        self.jobs += 1
        self.conn.send(job)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _defined_primitives(job: dict) -> bool:
    """Whether the (mutated) input visibly defines a resource."""
    import bz2
    for name, data in job.get("files", {}).items():
        if data[:3] == b"BZh":
            try:
                data = bz2.decompress(data)
            except Exception:       # noqa: BLE001
                continue
        if name.endswith(".xml"):
            found = re.search(rb"<resources>(.*?)</resources>", data, re.DOTALL)
            if found and re.search(rb"<primitive\s[^>]*\bid=\"[^\"]+\"", found.group(1)):
                return True
        elif re.search(rb"(?m)^primitive\s+\S+\s+\S", data):
            return True
    return False


def judge(job: dict, result: dict | None) -> list[str]:
    """The findings of one job (empty: all good)."""
    if result is None:
        return [f"hang: no answer in {KILL_SECONDS:.0f} s"]
    found = []
    rc, stderr, stdout = result["rc"], result["stderr"], result["stdout"]
    if rc == 70 or rc not in (0, 1, 2) or "Traceback" in stderr or "internal error" in stderr:
        found.append(f"crash: exit {rc}: " + (stderr.strip().splitlines() or ["?"])[-1][:300])
    if result["cpu"] > HANG_SECONDS:
        found.append(f"hang: {result['cpu']:.1f} s of CPU")
    command = job["argv"][0]
    if rc == 0 and command in ("simulate", "show"):
        if "No resources" in stdout and (job.get("resources") or _defined_primitives(job)) \
                and result.get("check_rc", 0) == 0:
            found.append("silent drop: 'No resources' although the input defines some "
                         "(and check says nothing)")
        for rid in job.get("resources") or ():
            if rid not in stdout:
                found.append(f"silent drop: resource {rid} missing from the output")
                break
    return found


class Pool:
    """Run jobs on N workers; ``run(jobs)`` yields (job, result, findings)."""

    def __init__(self, workers: int = 2):
        self.workers = [Worker() for _ in range(max(1, workers))]

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()

    def run(self, jobs):
        pending = iter(jobs)
        busy: list[Worker] = []
        idle = list(self.workers)
        exhausted = False
        while True:
            while idle and not exhausted:
                job = next(pending, None)
                if job is None:
                    exhausted = True
                    break
                worker = idle.pop()
                try:
                    worker.send(job)
                except OSError:
                    # the worker died between jobs: say so, and carry on with a fresh one
                    print(f"note: a worker ended between jobs (exit code "
                          f"{worker.process.exitcode}) after {worker.jobs - 1} jobs",
                          file=sys.stderr, flush=True)
                    worker.process.join(1)
                    replacement = Worker()
                    self.workers[self.workers.index(worker)] = replacement
                    worker = replacement
                    worker.send(job)
                busy.append(worker)
            if not busy:
                return
            ready = multiprocessing.connection.wait([w.conn for w in busy], timeout=1.0)
            now = time.monotonic()
            for worker in list(busy):
                result = None
                if worker.conn in ready:
                    try:
                        result = worker.conn.recv()
                    except (EOFError, OSError):
                        result = {"rc": -1, "stdout": "", "stderr": "worker died", "cpu": 0,
                                  "wall": 0}
                elif now - worker.sent < KILL_SECONDS:
                    continue
                busy.remove(worker)
                job = worker.job
                yield job, result, judge(job, result)
                if result is None or worker.jobs >= RECYCLE_AFTER or result["rc"] == -1:
                    worker.process.kill()
                    worker.process.join()
                    replacement = Worker()
                    self.workers[self.workers.index(worker)] = replacement
                    worker = replacement
                idle.append(worker)


import multiprocessing.connection  # noqa: E402 - wait() lives there


def save_finding(directory: Path, number: int, job: dict, findings: list[str]) -> Path:
    """A finding as files to turn into a regression test."""
    folder = Path(directory) / f"finding-{number:04d}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in job.get("files", {}).items():
        (folder / name).write_bytes(data)
    (folder / "job.json").write_text(json.dumps(
        {"argv": job["argv"], "sample": job.get("sample"), "findings": findings,
         "origin": job.get("origin")}, indent=2))
    return folder
