"""Every command the README shows is run by a test and does what the README says.

The README's ``sh`` blocks are read; each command line is either run here,
verbatim (``pengine`` is this checkout's ``python -m pengine.cli``), in a
directory holding the files the README names (``samples/`` and the
placeholders ``cib.xml``, ``cluster.crm``), or listed in ELSEWHERE with the
test that runs it (long-running or root-only ones).  A new README command
that is in neither fails ``test_every_readme_command_is_covered``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO

README = (REPO / "README.md").read_text()

# command (as the README writes it, comment stripped) -> the test that runs it
ELSEWHERE = {
    "pip install . && pengine simulate -x samples/webfarm-status.xml -S -f node1":
        "tests/test_wheel.py (the Set-up commands, in a fresh venv)",
    "pip install '.[test]' && python -m pytest": "tests/test_wheel.py, and .ci/run itself",
    "pengine run cluster.crm --node node1 --state-dir /var/lib/pengine &":
        "tests/test_run.py::test_pengine_run_and_status_end_to_end",
    "pengine status --state-dir /var/lib/pengine":
        "tests/test_run.py, tests/test_status_stopped.py",
    "pengine run samples/haproxy-run.crm --local-nodes node1,node2 "
    "--state-dir /tmp/haproxy --ocf-root samples/ocf &": "tests/test_run_haproxy.py",
    "kill $(cat /tmp/haproxy/nodes/node1/rsctmp/haproxy-haproxy.pid)":
        "tests/test_run_haproxy.py",
    "pengine status --state-dir /tmp/haproxy": "tests/test_run_haproxy.py",
    "pengine run cluster.crm --node node1 --cluster --state-dir /var/lib/pengine &":
        "tests/test_cluster.py (-m cluster, root)",
    "sudo samples/cluster/netns_cluster.py up": "tests/test_cluster.py (-m cluster, root)",
    "sudo samples/cluster/netns_cluster.py status": "tests/test_cluster.py (-m cluster, root)",
    "sudo samples/cluster/netns_cluster.py kill n2": "tests/test_cluster.py (-m cluster, root)",
    "sudo samples/cluster/netns_cluster.py start n2": "tests/test_cluster.py (-m cluster, root)",
    "sudo samples/cluster/netns_cluster.py down": "tests/test_cluster.py (-m cluster, root)",
    # admin commands on a running cluster (fake Corosync; -m cluster: the namespace cluster)
    "pengine configure change.crm --state-dir /var/lib/pengine":
        "tests/test_cluster_admin.py, tests/test_cluster_manager.py",
    "pengine configure edit": "tests/test_cluster_manager.py (-m cluster, root)",
    "pengine resource move site node2 --lifetime PT1H":
        "tests/test_cluster_admin.py::test_move_then_clear, tests/test_cluster_manager.py",
    "pengine resource cleanup web --node node2": "tests/test_cluster_admin.py",
    "pengine node standby node3": "tests/test_cluster_admin.py",
    "pengine fencing history": "tests/test_cluster_admin.py, tests/test_cluster_manager.py",
    "pengine status -1 -A --output-as xml": "tests/test_cluster_admin.py",
    # placeholders for files of the reader's own
    "pengine simulate base.crm web.crm -S": "tests/test_crm_multi_file.py",
    "pengine check base.crm web.crm": "tests/test_crm_multi_file.py",
    "pengine diff base.crm,web.crm base.crm,web-new.crm": "tests/test_crm_multi_file.py",
    "pengine resilience -x cib.xml --depth 2 --events what-ifs.txt --fail-on stopped,blocked":
        "tests/test_resilience.py",
    "pengine simulate -x /var/lib/pacemaker/pengine/pe-input-12.bz2 -S":
        "tests/test_input_routes.py (bz2 by content), tests/test_history.py (real pe-inputs)",
    "cibadmin -Q | pengine check -X": "tests/test_input_routes.py (-X, -L with a fake cibadmin)",
    "pengine simulate -L -S -d node1": "tests/test_input_routes.py (-L with a fake cibadmin)",
}

# command -> (exit code, text its stdout must hold) where 0 / nothing is not enough
EXPECT = {
    "pengine check cluster.crm --strict --ignore PE020": (None, ""),
    "pengine diff samples/webfarm.crm new.crm -x samples/webfarm-status.xml "
    "--fail-on restart,move,stop": (1, ""),
    # samples/ holds clusters that are wrong on purpose (fragile, no fencing device)
    "pengine check samples/": (None, ""),
    "pengine check --target 2.1 cib.xml": (None, "cib.xml"),
    "pengine simulate samples/knapsack.crm -S --optimal": (0, "Optimal Placement:"),
    "pengine simulate -x samples/webfarm-status.xml -S -d node1": (0, "Transition Summary:"),
}


def readme_commands() -> list[str]:
    """The command lines of the README's sh blocks (continuations joined)."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            line = re.sub(r"\s+", " ", line)
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def _workdir(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    os.symlink(REPO / "samples", work / "samples")
    os.symlink(REPO / "tests", work / "tests")
    shutil.copy(REPO / "samples" / "webfarm-status.xml", work / "cib.xml")
    shutil.copy(REPO / "samples" / "webfarm.crm", work / "cluster.crm")
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run(["git", "add", "cluster.crm"], cwd=work, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"],
                   cwd=work, check=True)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    shim = bindir / "pengine"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m pengine.cli \"$@\"\n")
    shim.chmod(0o755)
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}",
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return work, env


def _needs(command: str) -> str | None:
    if "jq " in command and shutil.which("jq") is None:
        return "jq"
    if re.search(r"\.(svg|png|html)\b", command) and "graph" in command \
            and shutil.which("dot") is None:
        return "dot (Graphviz)"
    return None


def test_every_readme_command_is_covered():
    runnable = [c for c in readme_commands() if c not in ELSEWHERE]
    for command in runnable:
        assert command.startswith(("pengine ", "sed ", "git show ")), \
            f"README command neither run here nor listed in ELSEWHERE: {command}"
    assert not set(ELSEWHERE) - set(readme_commands()), "ELSEWHERE names a command the " \
        "README no longer shows"


def test_readme_commands_run_and_do_what_it_says(tmp_path):
    work, env = _workdir(tmp_path)
    ran = 0
    for command in readme_commands():
        if command in ELSEWHERE:
            continue
        missing = _needs(command)
        if missing:
            continue
        # a pager is for people: the test reads the output
        shell = command.replace("| less", "| cat")
        result = subprocess.run(["bash", "-o", "pipefail", "-c", shell], cwd=work, env=env,
                                capture_output=True, text=True, timeout=300)
        rc, holds = EXPECT.get(command, (0, ""))
        assert "Traceback" not in result.stderr, (command, result.stderr)
        if rc is not None:
            assert result.returncode == rc, (command, result.stdout[-2000:], result.stderr)
        assert holds in result.stdout, (command, result.stdout[-2000:])
        ran += 1
    assert ran >= 20


def test_the_json_example_prints_what_the_readme_says(tmp_path):
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    work, env = _workdir(tmp_path)
    command = next(c for c in readme_commands() if "jq -r" in c)
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=work, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["fence-node2", "web-ip", "web-server"]


def test_the_diff_example_prints_the_readme_block(tmp_path):
    work, env = _workdir(tmp_path)
    for command in readme_commands():
        if command.startswith("sed "):
            subprocess.run(["bash", "-c", command], cwd=work, env=env, check=True)
    result = subprocess.run(["pengine", "diff", "samples/webfarm.crm", "new.crm", "-x",
                             "samples/webfarm-status.xml"], cwd=work,
                            env=env, capture_output=True, text=True, timeout=120)
    shown = re.search(r"```\n(Configuration changes \(crm syntax\):\n.*?)```", README,
                      flags=re.S).group(1)
    assert result.stdout == shown
    assert "Move       web-ip" in result.stdout


def test_the_knapsack_block_is_what_optimal_prints(tmp_path):
    work, env = _workdir(tmp_path)
    result = subprocess.run(["pengine", "simulate", "samples/knapsack.crm", "-S", "--optimal"],
                            cwd=work, env=env, capture_output=True, text=True, timeout=300)
    shown = re.search(r"```\n(Optimal Placement:\n.*?)```", README, flags=re.S).group(1)
    assert shown in result.stdout
