"""The real pcs as a referee: apply a pcs script to an empty CIB.

Independent of pengine's reader on purpose: the script is split like a shell
would (``shlex``), each command runs through the real pcs (``-f`` on a file,
offline) and the resulting CIB XML is returned.  pcs keeps nodes in
corosync.conf, not in the CIB: ``pcs cluster setup``/``cluster node add``
are not run; their nodes are written into ``<nodes>`` as Pacemaker would
(ids 1, 2, ... in order), so that the plan can be compared.

pcs takes about a second to start, so the commands of a script run in one
process that imports pcs once (tests/pcs_driver.py), and results are cached
by script content in $PENGINE_PCS_CACHE (default: a directory under the
system temp dir).
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

SYSTEM_PYTHON = "/usr/bin/python3"
DRIVER = Path(__file__).with_name("pcs_driver.py")
EMPTY_CIB = """<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
"""


def pcs_available() -> str | None:
    """None when the real pcs can run here, else why not."""
    if shutil.which("pcs") is None:
        return "pcs is not installed (Debian package pcs)"
    if not os.path.exists(SYSTEM_PYTHON):
        return f"{SYSTEM_PYTHON} (pcs's interpreter) is missing"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import pcs.app"], capture_output=True)
    if probe.returncode != 0:
        return "pcs's Python package does not import"
    return None


def split_commands(text: str) -> list[list[str]]:
    """The argv of each pcs command of a script, ``pcs`` and ``-f FILE`` removed."""
    logical, pending = [], ""
    for line in text.splitlines():
        if pending == "" and line.lstrip().startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    if pending:
        logical.append(pending)
    commands = []
    for line in logical:
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0] == "pcs":
            words = words[1:]
        while words[:1] == ["-f"]:
            words = words[2:]
        commands.append(words)
    return commands


def _cache_dir() -> Path:
    path = Path(os.environ.get("PENGINE_PCS_CACHE", Path(tempfile.gettempdir()) / "pengine-pcs-cache"))
    path.mkdir(parents=True, exist_ok=True)
    return path


class PcsFailed(Exception):
    pass


def apply_script(text: str) -> str:
    """The CIB XML that the real pcs builds from ``text`` (cached), nodes added."""
    key = hashlib.sha256(("v1\n" + text).encode()).hexdigest()[:32]
    cached = _cache_dir() / f"{key}.xml"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    commands, nodes = [], []
    for argv in split_commands(text):
        if argv[:2] == ["cluster", "setup"]:
            nodes += _setup_nodes(argv[3:])
        elif argv[:3] == ["cluster", "node", "add"]:
            nodes.append(argv[3])
        else:
            commands.append(argv)
    with tempfile.TemporaryDirectory() as work:
        cib = Path(work) / "cib.xml"
        # nodes first, as on a running cluster (ban/move check they exist)
        cib.write_text(_with_nodes(EMPTY_CIB, nodes), encoding="utf-8")
        listing = Path(work) / "commands.json"
        listing.write_text(json.dumps(commands), encoding="utf-8")
        done = subprocess.run([SYSTEM_PYTHON, str(DRIVER), str(cib), str(listing)],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise PcsFailed(done.stderr)
        results = json.loads(done.stdout)
        for argv, result in zip(commands, results):
            if result["rc"] != 0:
                raise PcsFailed(f"pcs {shlex.join(argv)}: {result['stderr']}")
        xml = cib.read_text(encoding="utf-8")
    cached.write_text(xml, encoding="utf-8")
    return xml


def _setup_nodes(words: list[str]) -> list[str]:
    nodes = []
    for word in words:
        if word.startswith("-") or word in ("transport", "totem", "quorum", "compression", "crypto"):
            break
        if "=" not in word:
            nodes.append(word)
    return nodes


def _with_nodes(xml: str, nodes: list[str]) -> str:
    root = ET.fromstring(xml)
    section = root.find("configuration/nodes")
    for number, name in enumerate(nodes, start=1):
        ET.SubElement(section, "node", id=str(number), uname=name)
    return ET.tostring(root, encoding="unicode")
