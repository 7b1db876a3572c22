#!/usr/bin/env python3
"""Rewrite imports of pengine's old module paths to the stage subpackages (issue 17).

    python rewrite_imports.py DIR_OR_FILE...      # rewrite in place, print what changed
    python rewrite_imports.py --check DIR...      # exit 1 if anything would change

What it rewrites, in every ``*.py`` file under the given paths (and ``*.toml``/``*.cfg``
entry points ``"module:function"``):

* ``from OLD import names`` -> ``from NEW import names``;
  ``from PKG import MOD [as X]`` where ``PKG.MOD`` is an old module -> ``from NEWPKG import NEWMOD as X``
  (split into several statements when the names go to different places);
* ``import OLD as X`` -> ``import NEW as X`` (``import OLD`` without ``as`` is rewritten too and
  reported, since the bound name changes);
* string literals that are exactly a dotted old module path, or a dotted old module path followed
  by an attribute (``"cib.crm_text"``, ``"pengine.unpack.unpack"`` in mock.patch/importorskip/
  find_spec/ModuleNotFoundError.name checks); single names (``"cib"``) and non-module dotted
  strings (``"cib.xml"``, ``"pengine.run"``) are left alone;
* the few text patterns in TEXT_RULES (the subcommand dispatch's f-string).

It is idempotent: a dotted name is rewritten only when its longest known prefix is an OLD module
path that is not also a longer NEW path, so running it twice changes nothing.  Files it has never
seen are handled the same way (it parses each file; it keeps no list of files).
Relative imports are left alone (pengine uses none).
"""

from __future__ import annotations

import ast
import io
import json
import re
import sys
import tokenize
from pathlib import Path

# ------------------------------------------------------------------ the map --
# old module path -> new module path.  Also written to module_map.json beside this script.
MODULE_MAP: dict[str, str] = {
    # top-level folders that now install as pengine.*
    "cib": "pengine.cib",
    "cib.cib_xml": "pengine.cib.cib_xml",
    "cib.crm_text": "pengine.cib.crm_text",
    "cib.errors": "pengine.cib.errors",
    "cib.load": "pengine.cib.load",
    "cib.loops": "pengine.cib.loops",
    "cib.model": "pengine.cib.model",
    "cib.normalize": "pengine.cib.normalize",
    "cib.span": "pengine.cib.span",
    "cib.validate": "pengine.cib.validate",
    "cib.xml_source": "pengine.cib.xml_source",
    "grammar": "pengine.grammar",
    "transitions": "pengine.transitions",
    "transitions.dot": "pengine.transitions.dot",
    "transitions.graph": "pengine.transitions.graph",
    "transitions.graph_xml": "pengine.transitions.graph_xml",
    "transitions.inject": "pengine.transitions.inject",
    "transitions.json_output": "pengine.transitions.json_output",
    "transitions.picture": "pengine.transitions.picture",
    "transitions.report": "pengine.transitions.report",
    "transitions.scenario": "pengine.transitions.scenario",
    "transitions.simulate": "pengine.transitions.simulate",
    "transitions.status_text": "pengine.transitions.status_text",
    # the Transition Summary is the scheduler's own log of its actions (a phase)
    "transitions.summary": "pengine.schedule.summary",
    "transitions.execute": "pengine.transitions.execute",
    "transitions.execute.action_specs": "pengine.transitions.execute.action_specs",
    "transitions.execute.agents": "pengine.transitions.execute.agents",
    "transitions.execute.cluster": "pengine.transitions.execute.cluster",
    "transitions.execute.cluster_messages": "pengine.transitions.execute.cluster_messages",
    "transitions.execute.codes": "pengine.transitions.execute.codes",
    "transitions.execute.controller": "pengine.transitions.execute.controller",
    "transitions.execute.corosync": "pengine.transitions.execute.corosync",
    "transitions.execute.events": "pengine.transitions.execute.events",
    "transitions.execute.executor": "pengine.transitions.execute.executor",
    "transitions.execute.fence": "pengine.transitions.execute.fence",
    "transitions.execute.graph_runner": "pengine.transitions.execute.graph_runner",
    "transitions.execute.history_digests": "pengine.transitions.execute.history_digests",
    "transitions.execute.local_nodes": "pengine.transitions.execute.local_nodes",
    "transitions.execute.lsb": "pengine.transitions.execute.lsb",
    "transitions.execute.membership": "pengine.transitions.execute.membership",
    "transitions.execute.metadata": "pengine.transitions.execute.metadata",
    "transitions.execute.nodes": "pengine.transitions.execute.nodes",
    "transitions.execute.ocf": "pengine.transitions.execute.ocf",
    "transitions.execute.process": "pengine.transitions.execute.process",
    "transitions.execute.recording": "pengine.transitions.execute.recording",
    "transitions.execute.state_dir": "pengine.transitions.execute.state_dir",
    "transitions.execute.systemd": "pengine.transitions.execute.systemd",
    # common: the value types every layer reads (Pacemaker's lib/common)
    "pengine.scores": "pengine.common.scores",
    "pengine.dates": "pengine.common.dates",
    "pengine.options": "pengine.common.options",
    "pengine.names": "pengine.common.names",
    "pengine.ghash": "pengine.common.ghash",
    "pengine.journal": "pengine.common.journal",
    # rules (Pacemaker's rules.c)
    "pengine.rules": "pengine.rules.rules",
    # status: the working state of one run (Pacemaker's lib/pengine unpacking)
    "pengine.cluster": "pengine.status.cluster",
    "pengine.unpack": "pengine.status.unpack",
    "pengine.unpack_history": "pengine.status.unpack_history",
    "pengine.unpack_resources": "pengine.status.unpack_resources",
    "pengine.history": "pengine.status.history",
    "pengine.failcounts": "pengine.status.failcounts",
    "pengine.op_config": "pengine.status.op_config",
    "pengine.digests": "pengine.status.digests",
    "pengine.digests_compare": "pengine.status.digests_compare",
    # actions and fencing ops are created while unpacking too (pe_actions.c is lib/pengine)
    "pengine.actions": "pengine.status.actions",
    "pengine.fencing": "pengine.status.fencing",
    # schedule: the driver and its phases (Pacemaker's pcmk_sched_*.c)
    "pengine.schedule": "pengine.schedule.driver",
    "pengine.health": "pengine.schedule.health",
    "pengine.constraints": "pengine.schedule.constraints",
    "pengine.locations": "pengine.schedule.locations",
    "pengine.colocation": "pengine.schedule.colocation",
    "pengine.ordering": "pengine.schedule.ordering",
    "pengine.tickets": "pengine.schedule.tickets",
    "pengine.ticket_rules": "pengine.schedule.ticket_rules",
    "pengine.assign": "pengine.schedule.assign",
    "pengine.placement": "pengine.schedule.placement",
    "pengine.instances": "pengine.schedule.instances",
    "pengine.promotable": "pengine.schedule.promotable",
    "pengine.notifications": "pengine.schedule.notifications",
    "pengine.fencing_schedule": "pengine.schedule.fencing_schedule",
    "pengine.unfencing": "pengine.schedule.unfencing",
    "pengine.probes": "pengine.schedule.probes",
    "pengine.recurring": "pengine.schedule.recurring",
    "pengine.remote": "pengine.schedule.remote",
    "pengine.remote_orderings": "pengine.schedule.remote_orderings",
    "pengine.migration": "pengine.schedule.migration",
    "pengine.update": "pengine.schedule.update",
    "pengine.utilization": "pengine.schedule.utilization",
    "pengine.utilization_strategy": "pengine.schedule.utilization_strategy",
    "pengine.graph_loops": "pengine.schedule.graph_loops",
    "pengine.score_log": "pengine.schedule.score_log",
    "pengine.variants": "pengine.schedule.variants",
    "pengine.variants.bundle": "pengine.schedule.variants.bundle",
    "pengine.variants.clone": "pengine.schedule.variants.clone",
    "pengine.variants.group": "pengine.schedule.variants.group",
    "pengine.variants.primitive": "pengine.schedule.variants.primitive",
    # analyses
    "pengine.explain": "pengine.analyses.explain",
    # cli: one module per subcommand
    "pengine.cmd_check": "pengine.cli.check",
    "pengine.cmd_diff": "pengine.cli.diff",
    "pengine.cmd_explain": "pengine.cli.explain",
    "pengine.cmd_graph": "pengine.cli.graph",
    "pengine.cmd_run": "pengine.cli.run",
    "pengine.cmd_scenario": "pengine.cli.scenario",
    "pengine.cmd_show": "pengine.cli.show",
    "pengine.cmd_simulate": "pengine.cli.simulate",
    "pengine.cmd_status": "pengine.cli.status",
    "pengine.output_files": "pengine.cli.output_files",
}

# Functions and classes that moved to another module (keyed by the NEW path of the module they
# were in): ``from that_module import name`` is pointed at the module that has it now.
NAME_MOVES: dict[tuple[str, str], str] = {
    ("pengine.status.digests_compare", "check_action_config"): "pengine.schedule.config_changes",
    ("pengine.status.digests_compare", "handle_config_changes"): "pengine.schedule.config_changes",
    ("pengine.schedule.unfencing", "fence_digests"): "pengine.status.fencing",
    ("pengine.cli.simulate", "bring_crm_cluster_up"): "pengine.transitions.simulate",
    ("pengine.transitions.graph", "should_add_action_to_graph"): "pengine.schedule.graph_loops",
    ("pengine.transitions.graph", "should_add_input_to_graph"): "pengine.schedule.graph_loops",
    ("pengine.schedule.ticket_rules", "unpack_ticket_states"): "pengine.status.tickets",
    ("pengine.schedule.migration", "find_lrm_op"): "pengine.status.unpack_migration",
    ("pengine.schedule.migration", "unpack_migrate_to_success"): "pengine.status.unpack_migration",
    ("pengine.schedule.migration", "unpack_migrate_to_failure"): "pengine.status.unpack_migration",
    ("pengine.schedule.migration", "unpack_migrate_from_failure"):
        "pengine.status.unpack_migration",
    ("pengine.schedule.variants.primitive", "schedule_cleanup"): "pengine.schedule.cleanup",
    ("pengine.schedule.ordering", "apply_orderings"): "pengine.schedule.apply_orderings",
    ("pengine.schedule.constraints", "unpack_constraints"): "pengine.schedule.driver",
    **{("pengine.schedule.variants.bundle", name): "pengine.status.bundles" for name in (
        "DEFAULT_REMOTE_PORT", "DEFAULT_REMOTE_KEY_LOCATION", "BUNDLE_LOG_DIR", "REMOTED_PATH",
        "AGENTS", "Mount", "Replica", "BundleData", "remote_connection_config",
        "rsc_in_container", "bundled_resource", "max_replicas", "needs_remote_name")},
}

# New packages (folders with __init__.py) that did not exist as modules before, plus the
# packages whose old name was a module (pengine.rules, pengine.schedule).
NEW_PACKAGES = ("pengine.common", "pengine.rules", "pengine.status", "pengine.schedule",
                "pengine.analyses", "pengine.cli")

# Plain text substitutions (old, new), applied only where the old text occurs; each new text
# must not contain its old text, so that a second run changes nothing.
TEXT_RULES: list[tuple[str, str]] = [
    ('f"pengine.cmd_{', 'f"pengine.cli.{'),
]

# ------------------------------------------------------------------ machinery --

_NEW_NAMES = frozenset(MODULE_MAP.values()) | frozenset(NEW_PACKAGES) | {"pengine"}
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def _longest_prefix(name: str, names) -> str:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in names:
            return candidate
    return ""


# Module families: a subcommand module another branch adds (pengine/cmd_NAME.py) belongs in
# pengine/cli/NAME.py (git mv it; `pengine NAME` imports pengine.cli.NAME).
PREFIX_RULES: list[tuple[str, str]] = [("pengine.cmd_", "pengine.cli.")]


def _by_prefix_rule(dotted: str) -> str | None:
    for old_prefix, new_prefix in PREFIX_RULES:
        if dotted.startswith(old_prefix) and _longest_prefix(dotted, MODULE_MAP) in ("", "pengine"):
            return new_prefix + dotted[len(old_prefix):]
    return None


def new_name(dotted: str, module_path: bool = False) -> str | None:
    """The new path for a dotted name, or None if unchanged.  ``module_path``: the name is
    an imported module's path (``import X``, ``from X import``), not ``module.attribute``."""
    if _by_prefix_rule(dotted):
        return _by_prefix_rule(dotted)
    old = _longest_prefix(dotted, MODULE_MAP)
    if not old or MODULE_MAP[old] == old:
        return None
    new = _longest_prefix(dotted, _NEW_NAMES | set(NAME_MOVES.values()))
    if len(new) > len(old):       # already a new path (pengine.rules.rules.X)
        return None
    if dotted != old and old in NEW_PACKAGES and module_path:
        # pengine.schedule was a module: pengine.schedule.x can only be a new submodule,
        # including ones this map has never heard of
        return None
    return MODULE_MAP[old] + dotted[len(old):]


_ROOT: Path | None = None   # the tree being rewritten (the folder holding pengine/)


def _is_new_submodule(package: str, name: str) -> bool:
    if f"{package}.{name}" in _NEW_NAMES:
        return True
    if _ROOT is None:
        return False
    folder = _ROOT.joinpath(*package.split("."))
    return (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()


def _module_of_from(module: str, names: list[ast.alias]) -> str | None:
    """The new module for ``from module import names`` when no name is itself a module."""
    if module in NEW_PACKAGES and all(_is_new_submodule(module, a.name) for a in names):
        return None               # from pengine.rules import rules: already new
    return new_name(module, module_path=True)


def _rewrite_from(node: ast.ImportFrom, segment: str, indent: str) -> str | None:
    module = node.module or ""
    groups: dict[str, list[str]] = {}
    moved_any = False
    for alias in node.names:
        full = f"{module}.{alias.name}"
        by_prefix = None if full in MODULE_MAP else _by_prefix_rule(full)
        if (full in MODULE_MAP or by_prefix) and alias.name != "*":
            target = by_prefix or MODULE_MAP[full]
            package, _, leaf = target.rpartition(".")
            bound = alias.asname or alias.name
            text = leaf if leaf == bound else f"{leaf} as {bound}"
            moved_any |= target != full
        else:
            package = _module_of_from(module, node.names) or module
            package = NAME_MOVES.get((package, alias.name), package)
            moved_any |= package != module
            text = alias.name if not alias.asname else f"{alias.name} as {alias.asname}"
        groups.setdefault(package, []).append(text)
    if not moved_any:
        return None
    if len(groups) == 1 and not any((package, a.name) in NAME_MOVES or
                                    (_module_of_from(module, node.names), a.name) in NAME_MOVES
                                    for package in groups for a in node.names):
        (package,) = groups
        targets = [MODULE_MAP.get(f"{module}.{a.name}") or _by_prefix_rule(f"{module}.{a.name}")
                   for a in node.names]
        if not all(targets) or all(t.rpartition(".")[2] == a.name
                                   for t, a in zip(targets, node.names)):
            # only the module path changes: keep the statement's own layout and comments
            out = re.sub(r"^(\s*from\s+)" + re.escape(module) + r"(\s+import\b)",
                         lambda m: m.group(1) + package + m.group(2), segment, count=1)
            return _realign(out, segment, len(package) - len(module), indent)
    comment = ""
    found = re.search(r"#[^\n]*$", segment)
    if found and "noqa" in found.group(0):
        comment = "  " + found.group(0)
    return ("\n" + indent).join(f"from {package} import {', '.join(names)}{comment}"
                     for package, names in groups.items())


def _realign(out: str, segment: str, delta: int, indent: str) -> str:
    """Keep the continuation lines of ``from m import (a,\n    b)`` under the parenthesis."""
    first, _, rest = segment.partition("\n")
    paren = first.find("(")
    if not rest or paren < 0 or delta == 0:
        return out
    column = len(indent) + paren + 1
    head, _, body = out.partition("\n")
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if len(line) - len(line.lstrip(" ")) == column:
            lines[i] = " " * (column + delta) + line.lstrip(" ")
    return head + "\n" + "\n".join(lines)


def _rewrite_import(node: ast.Import, segment: str, path: Path) -> str | None:
    out = segment
    for alias in node.names:
        target = new_name(alias.name, module_path=True)
        if target is None:
            continue
        if alias.asname is None:
            print(f"{path}:{node.lineno}: note: 'import {alias.name}' now binds "
                  f"'{target.split('.')[0]}'; check the uses", file=sys.stderr)
        out = re.sub(r"(?<![\w.])" + re.escape(alias.name) + r"(?![\w.])", target, out, count=1)
    return out if out != segment else None


def rewrite_python(text: str, path: Path) -> str:
    for old, new in TEXT_RULES:
        text = text.replace(old, new)
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        print(f"{path}: not rewritten (syntax error: {error})", file=sys.stderr)
        return text
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def span(node) -> tuple[int, int]:
        return (offsets[node.lineno - 1] + node.col_offset,
                offsets[node.end_lineno - 1] + node.end_col_offset)

    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            start, end = span(node)
            # include a trailing comment on the statement's last line
            line_end = offsets[node.end_lineno] if node.end_lineno < len(offsets) else len(text)
            tail = text[end:line_end]
            if tail.strip().startswith("#"):
                end += len(tail.rstrip("\n"))
            segment = text[start:end]
            indent = " " * node.col_offset
            new = _rewrite_from(node, segment, indent)
            if new is not None:
                edits.append((start, end, new))
        elif isinstance(node, ast.Import):
            start, end = span(node)
            new = _rewrite_import(node, text[start:end], path)
            if new is not None:
                edits.append((start, end, new))
    # string literals: tokenize, so that comments and docstrings' prose are not touched
    import_spans = [(s, e) for s, e, _ in edits]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = []
    for tok in tokens:
        if tok.type != tokenize.STRING:
            continue
        match = re.fullmatch(r"([rRbBuU]{0,2})(['\"])(.*)\2", tok.string, re.S)
        if not match or match.group(3) != match.group(3).strip() or "\n" in match.group(3):
            continue
        body = match.group(3)
        if not _DOTTED.fullmatch(body):
            continue
        target = new_name(body)
        if target is None or ("." not in _longest_prefix(body, MODULE_MAP)
                              and not _by_prefix_rule(body)):
            continue
        start = offsets[tok.start[0] - 1] + tok.start[1]
        end = offsets[tok.end[0] - 1] + tok.end[1]
        if any(s <= start < e for s, e in import_spans):
            continue
        edits.append((start, end, match.group(1) + match.group(2) + target + match.group(2)))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


_ENTRY_POINT = re.compile(r"""(["'=]\s*)([A-Za-z_][\w.]*)(:[A-Za-z_]\w*)""")


def rewrite_config(text: str) -> str:
    """Entry points "module:function" in pyproject.toml / setup.cfg."""
    def repl(m):
        target = new_name(m.group(2)) if "." in m.group(2) else None
        return m.group(1) + (target or m.group(2)) + m.group(3)
    return _ENTRY_POINT.sub(repl, text)


def _find_root(path: Path) -> Path | None:
    for folder in [path.resolve().parent, *path.resolve().parents]:
        if (folder / "pengine" / "__init__.py").is_file():
            return folder
    return None


def rewrite_file(path: Path) -> bool:
    global _ROOT
    _ROOT = _find_root(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        new = rewrite_python(text, path)
    else:
        new = rewrite_config(text)
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def files_under(paths: list[str]):
    for given in map(Path, paths):
        if given.is_file():
            yield given
            continue
        for path in sorted(given.rglob("*")):
            if any(part in (".git", "__pycache__", "build", "dist", ".venv", "venv")
                   or part.endswith(".egg-info") for part in path.parts):
                continue
            if path.name == Path(__file__).name:
                continue          # this script's own rules would rewrite themselves
            if path.is_file() and (path.suffix == ".py"
                                   or path.name in ("pyproject.toml", "setup.cfg")):
                yield path


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    if "--write-map" in paths:
        paths.remove("--write-map")
        out = Path(__file__).with_name("module_map.json")
        out.write_text(json.dumps(MODULE_MAP, indent=1) + "\n")
        moves = Path(__file__).with_name("name_moves.json")
        moves.write_text(json.dumps([{"module": module, "name": name, "now_in": target}
                                     for (module, name), target in NAME_MOVES.items()],
                                    indent=1) + "\n")
        print(f"wrote {out} and {moves}")
    if not paths:
        return 0 if "--write-map" in argv else (print(__doc__) or 2)
    changed = []
    for path in files_under(paths):
        if check:
            global _ROOT
            _ROOT = _find_root(path)
            text = path.read_text(encoding="utf-8")
            new = rewrite_python(text, path) if path.suffix == ".py" else rewrite_config(text)
            if new != text:
                changed.append(path)
        elif rewrite_file(path):
            changed.append(path)
    for path in changed:
        print(("would rewrite " if check else "rewrote ") + str(path))
    for given in map(Path, paths):
        root = _find_root(given / "x") if given.is_dir() else None
        flat = sorted(p.name for p in (root / "pengine").glob("*.py")
                      if p.name != "__init__.py") if root is not None else []
        if flat:
            print(f"note: modules still flat in {root / 'pengine'} (place them in a stage folder, "
                  f"add them to MODULE_MAP and run again): {', '.join(flat)}", file=sys.stderr)
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
