"""pengine's import graph: circles, stage layering and folder sizes (issue 17).

    python -m tests.import_graph            # the figures
    python -m tests.import_graph --edges    # ... and every upward import, with its line

Every ``import``/``from ... import`` statement counts, at module level and inside functions
alike (a late import is still a dependency).  Module names are the installed ones: cib/,
grammar/ and transitions/ are read as pengine.cib, pengine.grammar, pengine.transitions
(pyproject's package-dir).  A module's *stage* is its subpackage right under pengine
(pengine.schedule.variants.clone is in stage ``schedule``).
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

from attrs import frozen

REPO = Path(__file__).resolve().parent.parent

# The stages from the bottom up: a module may import its own stage and the ones below.
LAYERS = ("common", "grammar", "cib", "rules", "status", "schedule", "transitions", "analyses",
          "cli")
MAX_CIRCLE_IN_STAGE = 8


@frozen
class Import:
    source: str
    target: str
    line: int
    in_function: bool


def package_dirs(repo: Path = REPO) -> dict[str, Path]:
    """Installed package name -> folder, as pyproject.toml's package-dir says."""
    config = tomllib.loads((repo / "pyproject.toml").read_text())
    dirs = config.get("tool", {}).get("setuptools", {}).get("package-dir", {})
    result = {"pengine": repo / "pengine"}
    result.update({name: repo / folder for name, folder in dirs.items() if name})
    return result


def modules(repo: Path = REPO) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in package_dirs(repo).items():
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def _imports_of(name: str, path: Path, known: dict[str, Path]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    in_function.add(id(inner))
    result = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            # ``from package import module`` depends on the module; else on the package
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                result.append(Import(name, target, node.lineno, id(node) in in_function))
    return result


def imports(repo: Path = REPO) -> list[Import]:
    known = modules(repo)
    return [imp for name, path in known.items() for imp in _imports_of(name, path, known)]


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "pengine"


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module, largest first."""
    from pengine.cib.loops import strongly_connected_components
    found = [sorted(c) for c in strongly_connected_components(edges) if len(c) > 1]
    return sorted(found, key=lambda c: (-len(c), c))


@frozen
class Report:
    module_count: int
    edge_count: int
    late_edge_count: int
    circles: list
    cross_stage_circles: list
    big_stage_circles: list
    upward: list
    biggest_folder: tuple


def analyse(repo: Path = REPO) -> Report:
    known = modules(repo)
    found = imports(repo)
    edges: dict[str, set[str]] = defaultdict(set)
    for name in known:
        edges[name]
    for imp in found:
        edges[imp.source].add(imp.target)
    all_circles = circles(edges)
    cross = [c for c in all_circles if len({stage(m) for m in c}) > 1]
    big = [c for c in all_circles if c not in cross and len(c) > MAX_CIRCLE_IN_STAGE]
    rank = {name: i for i, name in enumerate(LAYERS)}
    upward = sorted({imp for imp in found
                     if rank.get(stage(imp.target), -1) > rank.get(stage(imp.source), 99)},
                    key=lambda i: (i.source, i.line))
    folders: dict[Path, int] = defaultdict(int)
    for path in known.values():
        if path.name != "__init__.py":
            folders[path.parent] += 1
    folder, count = max(folders.items(), key=lambda item: (item[1], str(item[0])))
    late = {(i.source, i.target) for i in found if i.in_function}
    early = {(i.source, i.target) for i in found if not i.in_function}
    return Report(len(known), len(early | late), len(late - early), all_circles, cross, big,
                  upward, (str(folder.relative_to(repo)), count))


def main(argv: list[str]) -> int:
    report = analyse()
    largest = report.circles[0] if report.circles else []
    print(f"modules: {report.module_count}; imported pairs: {report.edge_count} "
          f"({report.late_edge_count} only inside functions)")
    print(f"largest import circle: {len(largest)} modules"
          + (f": {', '.join(largest)}" if largest else ""))
    for circle in report.circles[1:]:
        print(f"  other circle: {len(circle)} modules: {', '.join(circle)}")
    print(f"circles across subpackages: {len(report.cross_stage_circles)}")
    for circle in report.cross_stage_circles:
        print(f"  {sorted({stage(m) for m in circle})}: {', '.join(circle)}")
    print(f"circles inside a subpackage larger than {MAX_CIRCLE_IN_STAGE}: "
          f"{len(report.big_stage_circles)}")
    print(f"imports against the layering ({' < '.join(LAYERS)}): {len(report.upward)}")
    if "--edges" in argv:
        for imp in report.upward:
            late = " (in a function)" if imp.in_function else ""
            print(f"  {imp.source}:{imp.line} -> {imp.target}{late}")
    print(f"biggest folder: {report.biggest_folder[0]}/ with {report.biggest_folder[1]} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
