"""What changed between two configurations, as crm text: each changed statement
in full, ``-``/``+`` marking its changed lines (``pengine diff``, ``pengine history``)."""

from __future__ import annotations

import difflib
import re

from pengine.cib import model as m


def crm_statements(config: m.Configuration) -> list[tuple[str, list[str]]]:
    """``(key, lines)`` of each statement ``crm configure show`` would print.

    The key names the object (``primitive web``, ``property cib-bootstrap-options``)
    so that the same object is compared with itself whatever its position.
    """
    from pengine.cib.crm_text import write_crm

    statements: list[list[str]] = []
    continued = False
    for line in write_crm(config).splitlines():
        if continued and statements:
            statements[-1].append(line)
        else:
            statements.append([line])
        continued = line.endswith("\\")
    keyed: list[tuple[str, list[str]]] = []
    seen: dict[str, int] = {}
    for lines in statements:
        key = _statement_key(lines[0])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:  # keys must be unique for the comparison
            key = f"{key} #{seen[key]}"
        keyed.append((key, lines))
    return keyed


def _statement_key(first_line: str) -> str:
    if first_line.startswith("xml "):
        found = re.search(r"<([\w-]+)[^>]*?\sid=\"([^\"]*)\"", first_line)
        return f"xml {found.group(1)} {found.group(2)}" if found else first_line
    words = first_line.rstrip("\\").split()
    return " ".join(words[:2]).rstrip(":") if words else ""


def config_delta(old: m.Configuration, new: m.Configuration, old_name: str = "OLD",
                 new_name: str = "NEW") -> list[str]:
    """The changed statements as a unified diff of crm text (empty when equal)."""
    before, after = crm_statements(old), crm_statements(new)
    old_keys, new_keys = [k for k, _ in before], [k for k, _ in after]
    body: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for (_, old_lines), (_, new_lines) in zip(before[i1:i2], after[j1:j2]):
                if old_lines != new_lines:
                    body += _statement_diff(old_lines, new_lines)
            continue
        for key, lines in before[i1:i2]:
            if key not in new_keys:  # else moved: compared where NEW has it
                body += ["-" + line for line in lines]
        for key, lines in after[j1:j2]:
            if key in old_keys:
                old_lines = before[old_keys.index(key)][1]
                if old_lines != lines:
                    body += _statement_diff(old_lines, lines)
            else:
                body += ["+" + line for line in lines]
    if not body:
        return []
    return [f"--- {old_name}", f"+++ {new_name}"] + body


def _statement_diff(old_lines: list[str], new_lines: list[str]) -> list[str]:
    diff = difflib.unified_diff(old_lines, new_lines, n=len(old_lines) + len(new_lines),
                                lineterm="")
    return [line for line in diff if not line.startswith(("---", "+++", "@@"))]
