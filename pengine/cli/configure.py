"""``pengine configure FILE [--replace]`` and ``pengine configure edit``:
change the running cluster's configuration.

FILE (crm, pcs or CIB XML) is read and checked here (a positioned error,
exit 1, when it cannot be read), then sent through the local ``pengine run
--cluster`` to the coordinator, which merges it into the configuration (an
object replaces the one with its id, new ones are added) or, with
``--replace``, takes it whole; the command answers once the coordinator has
accepted it, with the configuration's new version (admin_epoch.epoch.num_updates).
``edit`` opens the current configuration (crm text) in $EDITOR and sends it
back, replacing, when it was changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from pengine.cli.control_client import add_state_dir, report, request


def add_arguments(p) -> None:
    p.add_argument("file", metavar="FILE|edit",
                   help="a crm, pcs or CIB XML file; or 'edit' to edit the running "
                        "configuration in $EDITOR")
    p.add_argument("--replace", action="store_true",
                   help="FILE is the whole configuration (default: merge FILE's objects in)")
    add_state_dir(p)


def _send(args, cib, replace: bool) -> int:
    from pengine.cib.cib_xml import write_cib
    reply = request(args, "configure", {"xml": write_cib(cib, with_status=False),
                                        "replace": replace})
    return report("configure", reply)


def run(args) -> int:
    from pengine.cib.load import load_cib
    if args.file != "edit" or os.path.exists(args.file):
        return _send(args, load_cib([args.file]), args.replace)
    return edit(args)


def edit(args) -> int:
    from pengine.cib.cib_xml import read_cib
    from pengine.cib.errors import InputError
    from pengine.cib.load import load_cib
    reply = request(args, "status")
    cib = read_cib(reply["data"]["cib"], "<running configuration>")
    from pengine.cib.crm_text import write_crm
    text = write_crm(cib.configuration)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="pengine-edit-") as tmp:
        path = os.path.join(tmp, "configuration.crm")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        while True:
            code = subprocess.call(f"{editor} {_quote(path)}", shell=True)
            if code != 0:
                print(f"pengine configure: the editor exited {code}: nothing changed",
                      file=sys.stderr)
                return 1
            with open(path, encoding="utf-8") as handle:
                edited = handle.read()
            if edited == text:
                print("configuration unchanged")
                return 0
            try:
                new = load_cib([path])
            except InputError as error:
                print(error.render(), file=sys.stderr)
                if not sys.stdin.isatty():
                    return 1
                answer = input("edit again? [Y/n] ").strip().lower()
                if answer in ("n", "no"):
                    return 1
                continue
            return _send(args, new, replace=True)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
