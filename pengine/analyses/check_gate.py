"""``pengine check`` as a CI gate: the schema, the scheduler's own findings and
the Pacemaker version the cluster runs.

``check`` mirrors ``crm_verify``: ``-x FILE`` (a CIB), ``-V`` (more detail:
the scheduler's notes), and ``--target 2.1|3.0`` for the Pacemaker release
the configuration is meant for.  The default target comes from the file: a
CIB whose ``validate-with`` is pacemaker-3.10 or later, or whose
``crm_feature_set`` is 3.20 or later, is for Pacemaker 3.0; an older one for
Pacemaker 2.1.

Exit codes, next to crm_verify's:

====================================  =========  ==========================
finding                               pengine    crm_verify
====================================  =========  ==========================
nothing                               0          0
warnings only                         0 (1 with  78 (CRM_EX_CONFIG)
                                      --strict)
errors (schema or scheduler)          1          78
file unreadable, usage                2          64/66 (usage / no input)
====================================  =========  ==========================
"""

from __future__ import annotations

import argparse
import os
import re

from pengine.cib.errors import Diagnostic, InputError, PengineError
from pengine.cib.span import Span

TARGETS = ("2.1", "3.0")
#: What each target writes and accepts: (newest schema, feature set).
#: Debian 12 ships Pacemaker 2.1.5: schemas up to pacemaker-3.9, feature set 3.16.2.
TARGET_SCHEMA = {"2.1": ("pacemaker-3.9", "3.16.2"), "3.0": ("pacemaker-4.0", "3.20.1")}
#: Cluster options whose fencing-* names Pacemaker 2.1 does not know: there the
#: stonith-* spelling is the right one.
NEW_IN_3_0 = ("fencing-enabled", "fencing-action", "fencing-timeout", "fencing-max-attempts",
              "fencing-watchdog-timeout", "fencing-reaction", "stop-removed-resources",
              "cancel-removed-actions")
CLASSES_DROPPED_IN_3_0 = ("nagios", "upstart")

CODES = {
    "PE106": "schema or feature set the target Pacemaker version does not accept",
    "PE107": "feature that the target Pacemaker version drops or does not have yet",
    "PE108": "the installed RELAX NG schema (--schema-dir) rejects the file",
}


def all_codes() -> dict[str, str]:
    """Every diagnostic code of ``check``: cib.validate's (PE0xx), the schema's
    (PE100-PE105), the target's (PE106-PE107) and the scheduler's (PE2xx)."""
    from pengine.cib.schema import CODES as SCHEMA_CODES
    from pengine.cib.validate import CODES as VALIDATE_CODES
    from pengine.analyses.verify_checks import CODES as SCHEDULER_CODES
    return {**VALIDATE_CODES, **SCHEMA_CODES, **CODES, **SCHEDULER_CODES}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-V", "--verbose", action="count", default=0,
                   help="more detail: also the notes the scheduler makes while scheduling")
    p.add_argument("--target", choices=TARGETS,
                   help="the Pacemaker version the cluster runs (default: from the file's "
                        "validate-with and crm_feature_set)")
    p.add_argument("--schema-dir", metavar="DIR",
                   help="also validate with the pacemaker-*.rng files in DIR (needs lxml), "
                        "e.g. /usr/share/pacemaker")


def _version_tuple(text: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in (text or "").strip().split("."))
    except ValueError:
        return ()


def default_target(validate_with: str | None, feature_set: str | None) -> str:
    from pengine.cib.schema import schema_version
    schema = schema_version(validate_with)
    if schema is not None and schema >= (3, 10):
        return "3.0"
    if _version_tuple(feature_set) >= (3, 20):
        return "3.0"
    if schema is None and (validate_with or "").strip().lower() in ("", "pacemaker-next"):
        return "3.0"
    return "2.1"


def schema_stage(path: str, target: str | None, schema_dir: str | None):
    """(schema diagnostics, element tree or None) of an XML file."""
    if not path.endswith(".xml") and not _looks_xml(path):
        return [], None
    from pengine.cib.load import read_text
    from pengine.cib.schema import schema_diagnostics
    from pengine.cib.source import display_name
    from pengine.cib.xml_source import parse_xml
    try:
        data = read_text(path)
        path = display_name(path)
        root = parse_xml(data, path)
    except PengineError:
        return [], None           # load_config reports it
    source = data.decode("utf-8", errors="replace")
    out = list(schema_diagnostics(root, path, source))
    if root.tag == "cib" and target is not None:
        # a default target is derived from these very attributes: nothing to compare
        out += _target_schema(root, path, target)
    if schema_dir:
        out += _relaxng(root, path, data, schema_dir)
    return out, root


def _looks_xml(path: str) -> bool:
    """Whether the input is XML, read as every input is (stdin and the live CIB
    included: cib.source keeps what they gave for the second look)."""
    from pengine.cib.load import is_xml, read_text
    try:
        return is_xml(read_text(path))
    except PengineError:
        return False


def _target_schema(root, path: str, target: str | None) -> list[Diagnostic]:
    """A schema or feature set newer than the target accepts."""
    from pengine.cib.schema import schema_version
    declared = root.get("validate-with")
    chosen = target
    newest, feature_set = TARGET_SCHEMA[chosen]
    out = []
    version = schema_version(declared)
    if version is not None and version > schema_version(newest):
        out.append(Diagnostic("error", f"validate-with=\"{declared}\" is newer than Pacemaker "
                              f"{chosen} knows (it reads up to {newest})",
                              root.span(path), "PE106",
                              f"write validate-with=\"{newest}\" (pengine show --as xml "
                              f"--target {chosen} does)"))
    theirs = _version_tuple(root.get("crm_feature_set"))
    if theirs and theirs[:2] > _version_tuple(feature_set)[:2]:
        out.append(Diagnostic("error", f"crm_feature_set=\"{root.get('crm_feature_set')}\" is "
                              f"newer than Pacemaker {chosen} supports ({feature_set})",
                              root.span(path), "PE106",
                              f"write crm_feature_set=\"{feature_set}\""))
    return out


def _relaxng(root, path: str, data: bytes, schema_dir: str) -> list[Diagnostic]:
    """Validation with the installed RELAX NG schema the file names (lxml)."""
    declared = root.get("validate-with") or ""
    rng = os.path.join(schema_dir, f"{declared}.rng")
    if not os.path.exists(rng):
        return [Diagnostic("warning", f"no {declared}.rng in {schema_dir}: only pengine's own "
                           "schema checks ran", Span(path), "PE106")]
    try:
        from lxml import etree
    except ImportError:
        return [Diagnostic("warning", "--schema-dir needs the lxml module (pip install lxml): "
                           "only pengine's own schema checks ran", Span(path), "PE106")]
    try:
        schema = etree.RelaxNG(etree.parse(rng))
        document = etree.fromstring(data, etree.XMLParser(resolve_entities=False,
                                                          no_network=True))
    except (etree.Error, ValueError) as error:
        return [Diagnostic("warning", f"cannot use {rng}: {error}", Span(path), "PE106")]
    if schema.validate(document):
        return []
    return [Diagnostic("error", f"{os.path.basename(rng)}: {entry.message}",
                       Span(path, entry.line, max(entry.column, 1)), "PE108")
            for entry in schema.error_log]


def gate_diagnostics(cib, path: str, root, target: str | None, found: list[Diagnostic],
                     scheduler: bool = True) -> list[Diagnostic]:
    """What the scheduler reports, and the target version's advice; also
    removes from ``found`` what the target version makes right."""
    # crm and pcs text declare no version (their <cib> header is the tools' empty CIB):
    # they are checked for the version pengine schedules as, unless --target says
    chosen = target or (default_target(cib.get("validate-with"), cib.get("crm_feature_set"))
                        if root is not None else "3.0")
    out: list[Diagnostic] = []
    if scheduler:
        from pengine.analyses.verify_checks import scheduler_diagnostics
        known = {(d.span.line if d.span else 0, d.message) for d in found}
        for diagnostic in scheduler_diagnostics(cib, path, root):
            if (diagnostic.span.line if diagnostic.span else 0, diagnostic.message) not in known:
                out.append(diagnostic)
    option_lines = {d.span.line for d in out if d.code in ("PE202", "PE204") and d.span}
    if option_lines:
        # the scheduler's verdict on a cluster option replaces the value check's
        found[:] = [d for d in found if not (d.code in ("PE010", "PE014", "PE015", "PE016",
                                                          "PE022") and d.span
                                              and d.span.line in option_lines)]
    if any(d.code == "PE200" for d in out):
        # the scheduler's own finding says it with a position: drop the older warning
        found[:] = [d for d in found if not (d.code == "PE020" and "no fencing device" in d.message)]
    idref_lines = {d.span.line for d in found if d.code == "PE109" and d.span}
    found[:] = [d for d in found if not (d.code == "PE006" and d.span
                                         and d.span.line in idref_lines)]
    _demote_accepted(found)
    _adjust_for_target(found, chosen)
    out += _version_advice(cib, chosen, path)
    return out


#: pengine's own findings that crm_verify accepts: they stay, as warnings, so
#: that ``check`` fails exactly where Pacemaker would (--strict fails on them).
ACCEPTED_BY_CRM_VERIFY = frozenset({"PE006", "PE007", "PE010", "PE014", "PE015", "PE016",
                                    "PE018", "PE022", "PE024"})


def _demote_accepted(found: list[Diagnostic]) -> None:
    from attrs import evolve
    found[:] = [evolve(d, severity="warning",
                       hint=(d.hint + "; " if d.hint else "") + "Pacemaker accepts this "
                       "configuration (crm_verify passes it), but it does not do what it says")
                if d.severity == "error" and d.code in ACCEPTED_BY_CRM_VERIFY
                and "cannot recur" not in d.message else d
                for d in found]


def _adjust_for_target(found: list[Diagnostic], target: str) -> None:
    """On Pacemaker 2.1 the stonith-* names are the current ones, and nagios
    and upstart agents still run: drop the advice that says otherwise."""
    if target != "2.1":
        return
    keep = []
    for diagnostic in found:
        message = diagnostic.message
        if diagnostic.code == "PE012" and re.search(
                r"'(stonith-[a-z-]+|fence-reaction|stop-orphan-[a-z]+)' is deprecated", message):
            continue
        if diagnostic.code == "PE023" and any(f"'{c}'" in message or f" {c} " in message
                                              for c in CLASSES_DROPPED_IN_3_0):
            continue
        keep.append(diagnostic)
    found[:] = keep


def _version_advice(cib, target: str, path: str) -> list[Diagnostic]:
    from pengine.cib import model as m
    out = []
    config = cib.configuration
    for attr_set in config.crm_config:
        for pair in attr_set.nvpairs:
            if target == "2.1" and pair.name in NEW_IN_3_0:
                old = {"fencing-reaction": "fence-reaction",
                       "stop-removed-resources": "stop-orphan-resources",
                       "cancel-removed-actions": "stop-orphan-actions"}.get(
                    pair.name, pair.name.replace("fencing-", "stonith-"))
                out.append(Diagnostic("warning", f"Pacemaker 2.1 does not know the cluster "
                                      f"option '{pair.name}' and ignores it",
                                      pair.span or Span(path), "PE107", f"write {old}"))
    if target == "3.0":
        for rsc in m.walk_resources(config.resources):
            cls = (getattr(rsc, "cls", None) or "").lower()
            if cls in CLASSES_DROPPED_IN_3_0:
                out.append(Diagnostic("warning", f"Pacemaker 3.0 dropped {cls}-class agents: "
                                      f"'{rsc.id}' is removed when the CIB is upgraded",
                                      rsc.span or Span(path), "PE107",
                                      "use a systemd, lsb or ocf agent"))
    return out
