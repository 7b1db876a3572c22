"""Operation digests: has a resource's definition changed since an operation ran?

Every ``<lrm_rsc_op>`` in the CIB status records MD5 digests of the parameters
the operation ran with.  The scheduler recomputes them from the current
configuration and compares (Pacemaker 3.0.2: ``lib/pengine/pe_digest.c``,
``lib/common/digest.c``, ``pcmk__check_action_config`` in
``lib/pacemaker/pcmk_sched_actions.c``).  This module is that computation and
that comparison, as pure functions over plain values; the scheduler gathers
the inputs (it evaluates rules, finds the ``<op>``, reads the history).

The recorded digests
--------------------
``op-digest``
    all parameters the agent received (instance attributes, op-level
    instance attributes, and ``CRM_meta_timeout`` for recurring operations).
``op-restart-digest`` + ``op-force-restart``
    written only when the agent supports reload: the digest of just the
    parameters listed in ``op-force-restart`` (a space-delimited list, with
    leading and trailing spaces), i.e. those whose change needs a restart.
``op-secure-digest`` + ``op-secure-params``
    the digest without the agent's private parameters (passwords), so that a
    CIB whose secrets were masked (crm_report) does not look changed.

The serialisation
-----------------
A digest is ``md5`` (lower-case hex) of the UTF-8 text::

    " <parameters a=\\"1\\" b=\\"2\\"/>\\n"

with the attributes sorted by name (byte order), values escaped as XML
attribute text (``< > & "`` as entities, ASCII control characters, including
newline and tab, as ``&#xHH;``; non-ASCII characters unchanged), one leading
space and one trailing newline (Pacemaker's "v1" digest format).  Before
hashing, every ``CRM_meta_*`` entry is dropped except ``CRM_meta_timeout`` for
recurring operations, as are ``id``, ``crm_feature_set``, ``op-digest``,
``on_node``, ``on_node_uuid`` and ``pcmk_external_ip``.

Gathering the parameters (what the caller passes)
-------------------------------------------------
``params``
    the resource's instance attributes evaluated for the node the operation
    ran on (Pacemaker's ``pe_rsc_params``): the primitive's own
    ``instance_attributes`` (template expanded: the template's sets first,
    then the primitive's own), then its parents' (group, clone), then
    ``rsc_defaults`` ``instance_attributes`` (deprecated); for each name the
    first value found wins.  Within one element, Pacemaker takes the sets in
    *reverse* document order, sorted stably by descending ``score``, so on
    equal scores the last set wins; within a set the first nvpair wins; sets
    whose rule fails (against the node's attributes) are skipped; a
    ``#default`` value removes the name found so far.
``op_params``
    the ``instance_attributes`` of the ``<op>`` configured with the recorded
    operation's name and interval (``OCF_CHECK_LEVEL`` and the like),
    evaluated for the node; the first ``<op>`` matching name and interval,
    disabled ones included; ``migrate_to``/``migrate_from`` fall back to an
    ``<op name="migrate" interval="0">``.  Note that the *recorded* task is
    used: a probe (``monitor`` with interval 0) looks for a ``monitor`` op with
    interval 0, not for ``start``.  Pacemaker adds these *after* ``params``
    without overwriting, so an op-level value never replaces a resource value
    in the digest.
``timeout``
    the operation's timeout specification, before normalisation: the
    ``<op timeout=>`` XML attribute, else the op's ``meta_attributes``
    ``timeout``, else ``op_defaults`` ``timeout``; ``None`` for the default
    (20s).  It only matters for recurring operations.  It is normalised as
    Pacemaker does ("30s" -> "30000"; invalid or non-positive -> "20000").
``interval_ms``
    the recorded operation's ``interval`` attribute (milliseconds).
the recorded ``lrm_rsc_op``
    supplies ``op-force-restart``, ``op-secure-params``, whether an
    ``op-restart-digest`` exists (the restart digest is only computed then) and
    ``crm_feature_set`` (secure digests of operations recorded before feature
    set 3.16.0 are computed the old way).  When the operation has no
    ``crm_feature_set``, the CIB's ``crm_feature_set`` is used, then
    Pacemaker's own (:data:`CRM_FEATURE_SET`).

Uses in the scheduler: :func:`config_change` is ``pcmk__check_action_config``
(run for the active resource's history after its last start: recurring
operations, and one-time ``monitor``/``start``/``promote``/``migrate_from``);
the failure-count check of ``last_failure`` entries uses
:func:`compare_digests` alone (anything but MATCH and UNKNOWN clears the
fail count: "resource parameters have changed"); unfencing uses
:func:`fencing_digests`, :func:`compare_fencing_digest` and
:func:`unfencing_meta`.

Caching note for the caller: Pacemaker caches computed digests per node under
the key ``<rsc>_<task>_<interval>``, so when a node's history holds several
entries for the same task and interval (an operation and its
``last_failure``), all are compared against digests computed with the *first*
entry examined (its ``op-force-restart``, ``op-secure-params`` and feature
set).  Per-node caching of ``params`` is the caller's business as well.
"""

from __future__ import annotations

import hashlib
import re
from typing import Iterable, Mapping

from attrs import frozen

from pengine.cib.model import LrmRscOp

__all__ = [
    "CRM_FEATURE_SET", "DEFAULT_SECURE_PARAMS", "Digests",
    "MATCH", "RESTART", "MISMATCH", "UNKNOWN",
    "NO_CHANGE", "RELOAD", "RESCHEDULE", "PRIVATE_ONLY",
    "xml_digest_text", "md5_digest", "filter_for_digest", "normalize_timeout",
    "parse_ms", "compare_versions", "is_fence_param",
    "op_digests", "digests_for_recorded_op", "compare_digests", "only_private_changed",
    "config_change", "fencing_digests", "unfencing_summary", "compare_fencing_digest",
    "unfencing_meta",
]

#: Pacemaker's own feature set, used when neither the operation nor the CIB
#: names one.  Only its comparison with 3.16.0 matters here (any 3.x release
#: is above it); the exact value of 3.0.2's build is not relied upon.
CRM_FEATURE_SET = "3.20.1"

#: Secure parameters assumed when there is no operation history to name them
#: (fence device digests for unfencing).
DEFAULT_SECURE_PARAMS = " passwd password user "

#: Default operation timeout, milliseconds (PCMK_DEFAULT_ACTION_TIMEOUT_MS).
DEFAULT_TIMEOUT_MS = 20000

_INT_MAX = 2**31 - 1
_G_MAXUINT = 2**32 - 1

# Comparison outcomes (Pacemaker's enum pcmk__digest_result).
MATCH = "match"          #: the definition did not change
RESTART = "restart"      #: a change that needs a restart
MISMATCH = "mismatch"    #: only op-digest differs: reloadable (or a reschedule)
UNKNOWN = "unknown"      #: no op-digest recorded: handled like MISMATCH

# What the scheduler does about it (pcmk__check_action_config).
NO_CHANGE = "none"           #: nothing to do
PRIVATE_ONLY = "private-only"  #: only masked (secure) parameters differ: nothing to do
RELOAD = "reload"            #: schedule reload-agent
RESCHEDULE = "reschedule"    #: re-schedule the recurring operation with new parameters


# ------------------------------------------------------------ serialisation ---

def _escape_attr(value: str) -> str:
    """``pcmk__xml_escape(value, pcmk__xml_escape_attr)``."""
    out = []
    for ch in value:
        code = ord(ch)
        if code >= 0x80:
            out.append(ch)
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == "&":
            out.append("&amp;")
        elif ch == '"':
            out.append("&quot;")
        elif code < 0x20 or code == 0x7F:
            out.append("&#x%02X;" % code)
        else:
            out.append(ch)
    return "".join(out)


def _sort_key(name: str) -> bytes:
    # strcmp() on UTF-8 bytes (equal to code point order, spelled out anyway)
    return name.encode("utf-8", "surrogatepass")


def xml_digest_text(params: Mapping[str, str]) -> str:
    """The exact text Pacemaker hashes for an operation digest.

    ``params`` is the final (already filtered) set of attributes of the
    ``<parameters>`` element; they are sorted by name here.
    """
    parts = [" <parameters"]
    for name in sorted(params, key=_sort_key):
        parts.append(f' {name}="{_escape_attr(params[name])}"')
    parts.append("/>\n")
    return "".join(parts)


def md5_digest(params: Mapping[str, str] | str) -> str:
    """MD5 (lower-case hex) of :func:`xml_digest_text` of ``params``
    (or of the given text itself, when a string is passed)."""
    text = params if isinstance(params, str) else xml_digest_text(params)
    return hashlib.md5(text.encode("utf-8", "surrogatepass")).hexdigest()


# ------------------------------------------------------------ number parsing ---

_LL_RE = re.compile(r"\s*([+-]?)(\d+)")


def _scan_ll(text: str | None) -> tuple[int | None, str]:
    """strtoll(text, &end, 10): (value or None if no digits, remainder)."""
    if text is None:
        return None, ""
    match = _LL_RE.match(text)
    if match is None:
        return None, text
    value = int(match.group(2))
    if match.group(1) == "-":
        value = -value
    value = max(min(value, 2**63 - 1), -(2**63))
    return value, text[match.end():]


def parse_ms(text: str | None) -> int | None:
    """``pcmk__parse_ms``: a duration with optional unit (default seconds) in
    milliseconds, or ``None`` when it does not parse."""
    value, rest = _scan_ll(text)
    if value is None:
        return None
    i = 0
    while i < len(rest) and (rest[i].isdigit() or rest[i] == "."):
        i += 1
    while i < len(rest) and rest[i] in " \t\n\v\f\r":
        i += 1
    units = rest[i:].lower()
    if units == "" or units.startswith("s"):
        mult, div = 1000, 1
    elif units.startswith("ms"):
        mult, div = 1, 1
    elif units.startswith("us"):
        mult, div = 1, 1000
    elif units.startswith("m"):
        mult, div = 60000, 1
    elif units.startswith("h"):
        mult, div = 3600000, 1
    else:
        return None
    llong_max = 2**63 - 1
    if value > llong_max // mult:
        return llong_max
    if value < -(2**63) // mult:
        return -(2**63)
    product = value * mult
    quotient = abs(product) // div  # C division truncates toward zero
    return quotient if product >= 0 else -quotient


def normalize_timeout(spec: str | None) -> str:
    """``unpack_timeout``: the timeout in milliseconds as the graph carries it."""
    value = parse_ms(spec) if spec is not None else None
    if value is None or value <= 0:
        value = DEFAULT_TIMEOUT_MS
    return str(min(value, _INT_MAX))


def _interval_value(text: str | None) -> int:
    """``crm_element_value_ms``: a plain millisecond count (0 if absent/bad)."""
    value, _ = _scan_ll(text)
    if value is None or value < 0 or value > _G_MAXUINT:
        return 0
    return value


_VERSION_RE = re.compile(r"\s*(\d+(?:\.\d+)*)")


def compare_versions(version1: str | None, version2: str | None) -> int:
    """``pcmk__compare_versions``: -1, 0 or 1, missing segments counting as 0."""
    if version1 == version2:
        return 0

    def segments(version):
        if not version:
            return []
        match = _VERSION_RE.match(version)
        return [int(s) for s in match.group(1).split(".")] if match else []

    seg1, seg2 = segments(version1), segments(version2)
    for i in range(max(len(seg1), len(seg2))):
        a = seg1[i] if i < len(seg1) else 0
        b = seg2[i] if i < len(seg2) else 0
        if a != b:
            return -1 if a < b else 1
    return 0


# ------------------------------------------------------------------ filters ---

_FILTERED_NAMES = frozenset({
    "id", "crm_feature_set", "op-digest", "on_node", "on_node_uuid", "pcmk_external_ip",
})


def filter_for_digest(params: Mapping[str, str]) -> dict[str, str]:
    """``pcmk__filter_op_for_digest``: drop meta-attributes and bookkeeping,
    keeping ``CRM_meta_timeout`` when ``CRM_meta_interval`` is non-zero."""
    timeout = None
    if _interval_value(params.get("CRM_meta_interval")) != 0:
        timeout = params.get("CRM_meta_timeout")
    result = {name: value for name, value in params.items()
              if not name.startswith("CRM_meta_") and name not in _FILTERED_NAMES}
    if timeout is not None:
        result["CRM_meta_timeout"] = timeout
    return result


def _in_list(name: str, word_list: str) -> bool:
    """Pacemaker's ``strstr(list, " NAME ")`` test."""
    return f" {name} " in word_list


def is_fence_param(name: str) -> bool:
    """``pcmk_stonith_param``: a parameter Pacemaker itself interprets for
    fence devices (``pcmk_host_list``, ``pcmk_reboot_timeout``, ...)."""
    if name in ("provides", "stonith-timeout"):
        return True
    if not name.startswith("pcmk_"):
        return False
    if name in ("pcmk_action_limit", "pcmk_delay_base", "pcmk_delay_max",
                "pcmk_host_argument", "pcmk_host_check", "pcmk_host_list",
                "pcmk_host_map"):
        return True
    underscore = name.find("_", 5)
    return underscore >= 0 and name[underscore:] in ("_action", "_timeout", "_retries")


def _meta_name(name: str) -> str:
    """``crm_meta_name``: ``CRM_meta_`` prefix, dashes to underscores."""
    return "CRM_meta_" + name.replace("-", "_")


# ------------------------------------------------------------------ digests ---

@frozen
class Digests:
    """Digests computed from the current configuration for one operation.

    ``restart`` is ``None`` unless the recorded operation has an
    ``op-restart-digest``; ``secure`` is ``None`` unless requested.
    ``restart_if_changed`` is Pacemaker's preset result for a one-time
    operation with op-level instance attributes: a change of ``op-digest``
    then needs a restart even when the restart digest matches.
    The ``params_*`` fields are the exact attribute sets hashed (for
    diagnostics).
    """

    all: str
    restart: str | None = None
    secure: str | None = None
    restart_if_changed: bool = False
    params_all: tuple[tuple[str, str], ...] = ()
    params_restart: tuple[tuple[str, str], ...] | None = None
    params_secure: tuple[tuple[str, str], ...] | None = None


def _add_first(target: dict[str, str], items: Iterable[tuple[str, str]]) -> None:
    """``hash2field``: add each pair unless the name is already present."""
    for name, value in items:
        if value is not None and name not in target:
            target[name] = value


def _items(mapping: Mapping[str, str] | None) -> list[tuple[str, str]]:
    return list(mapping.items()) if mapping else []


def op_digests(
    params: Mapping[str, str],
    interval_ms: int,
    op_params: Mapping[str, str] | None = None,
    timeout: str | None = None,
    *,
    has_restart_digest: bool = False,
    op_force_restart: str | None = None,
    op_secure_params: str | None = None,
    feature_set: str | None = None,
    fence_device: bool = False,
    overrides: Mapping[str, str] | None = None,
    remote_addr: str | None = None,
    secure: bool = True,
    history: bool = True,
) -> Digests:
    """Compute the digests of one operation (``pe__calculate_digests``).

    :param params: the resource's instance attributes evaluated for the node
        (see the module documentation for how they are gathered).
    :param interval_ms: the operation's interval in milliseconds.
    :param op_params: the matching ``<op>``'s ``instance_attributes``.
    :param timeout: the operation's timeout *specification* (e.g. ``"30s"``)
        after op / op meta / op_defaults precedence, or ``None``.
    :param has_restart_digest: whether the recorded operation has an
        ``op-restart-digest`` (the restart digest is only computed then).
    :param op_force_restart: the recorded ``op-force-restart`` list.
    :param op_secure_params: the recorded ``op-secure-params`` list.
    :param feature_set: the feature set the operation was recorded with (its
        ``crm_feature_set``, else the CIB's); ``None`` means Pacemaker's own.
    :param fence_device: the resource is of class ``stonith`` (its
        ``pcmk_*`` parameters are left out of old-style secure digests).
    :param overrides: parameters that take precedence over the resource's
        (``crm_resource --digests`` style overrides; none in the scheduler).
    :param remote_addr: for the remote connection of a bundle replica whose
        ``addr`` parameter is ``#uname``: the name of the node the replica's
        container is assigned to (else where it runs now).  It becomes the
        ``addr`` of the full digest (and of new-style secure digests), ahead
        of every other value.
    :param secure: compute the secure digest (crm_simulate always does).
    :param history: whether there is a recorded operation; without one the
        secure parameter list defaults to :data:`DEFAULT_SECURE_PARAMS`.
    """
    op_version = feature_set or CRM_FEATURE_SET
    # pcmk__unpack_action_meta: of all the action's meta-attributes only the
    # interval (for recurring operations) and the normalised timeout can
    # survive filter_for_digest, so no others are gathered here.
    meta: dict[str, str] = {}
    if interval_ms > 0:
        meta["interval"] = str(interval_ms)
    meta["timeout"] = normalize_timeout(timeout)

    # calculate_main_digest
    all_params: dict[str, str] = {}
    if remote_addr is not None:
        all_params["addr"] = remote_addr
    _add_first(all_params, _items(overrides))
    _add_first(all_params, _items(params))
    op_items = _items(op_params)
    restart_if_changed = interval_ms == 0 and len(op_items) > 0
    _add_first(all_params, op_items)
    _add_first(all_params, [(_meta_name(k), v) for k, v in meta.items()
                            if "#" not in k and ":" not in k])
    all_params = filter_for_digest(all_params)
    digest_all = md5_digest(all_params)

    # calculate_secure_digest
    digest_secure = None
    secure_params = None
    if secure:
        secure_list = op_secure_params if history else DEFAULT_SECURE_PARAMS
        old_version = compare_versions(op_version, "3.16.0") < 0
        if old_version:
            secure_params = {}
            _add_first(secure_params, _items(overrides))
            _add_first(secure_params, _items(params))
        else:
            secure_params = dict(all_params)
        if secure_list is not None:
            secure_params = {k: v for k, v in secure_params.items()
                             if not _in_list(k, secure_list)}
        if old_version and fence_device:
            secure_params = {k: v for k, v in secure_params.items() if not is_fence_param(k)}
        # Faithful quirk: a second filtering pass.  In the new style the
        # copy of the already-filtered full set has lost CRM_meta_interval,
        # so this pass also drops CRM_meta_timeout: for recurring operations
        # the computed secure digest never equals a recorded one (which
        # includes the timeout).  It matters only once op-digest differs.
        secure_params = filter_for_digest(secure_params)
        if old_version:
            secure_params.pop("CRM_meta_timeout", None)
        digest_secure = md5_digest(secure_params)

    # calculate_restart_digest
    digest_restart = None
    restart_params = None
    if history and has_restart_digest:
        restart_params = dict(all_params)
        if op_force_restart is not None:
            restart_params = {k: v for k, v in restart_params.items()
                              if _in_list(k, op_force_restart)}
        digest_restart = md5_digest(restart_params)

    def frozen_pairs(d):
        return None if d is None else tuple(sorted(d.items()))

    return Digests(
        all=digest_all, restart=digest_restart, secure=digest_secure,
        restart_if_changed=restart_if_changed,
        params_all=frozen_pairs(all_params),
        params_restart=frozen_pairs(restart_params),
        params_secure=frozen_pairs(secure_params),
    )


def digests_for_recorded_op(
    recorded: LrmRscOp,
    params: Mapping[str, str],
    op_params: Mapping[str, str] | None = None,
    timeout: str | None = None,
    *,
    cib_feature_set: str | None = None,
    fence_device: bool = False,
    overrides: Mapping[str, str] | None = None,
    remote_addr: str | None = None,
    secure: bool = True,
) -> Digests:
    """:func:`op_digests` with the history-derived inputs read from ``recorded``.

    ``cib_feature_set`` is the ``<cib crm_feature_set>``, used when the
    operation records none.
    """
    return op_digests(
        params, _interval_value(recorded.get("interval")), op_params, timeout,
        has_restart_digest=recorded.get("op-restart-digest") is not None,
        op_force_restart=recorded.get("op-force-restart"),
        op_secure_params=recorded.get("op-secure-params"),
        feature_set=recorded.get("crm_feature_set") or cib_feature_set,
        fence_device=fence_device, overrides=overrides, remote_addr=remote_addr,
        secure=secure,
    )


# --------------------------------------------------------------- comparison ---

def compare_digests(recorded: LrmRscOp, computed: Digests) -> str:
    """``rsc_action_digest_cmp``: :data:`MATCH`, :data:`RESTART`,
    :data:`MISMATCH` or :data:`UNKNOWN`.

    - a recorded ``op-restart-digest`` that differs from the computed one
      (both present) -> RESTART;
    - else no ``op-digest`` recorded -> UNKNOWN;
    - else ``op-digest`` differs -> MISMATCH (reloadable), except RESTART for a
      one-time operation with op-level instance attributes;
    - else MATCH.
    """
    digest_all = recorded.get("op-digest")
    digest_restart = recorded.get("op-restart-digest")
    if (computed.restart is not None and digest_restart is not None
            and computed.restart != digest_restart):
        return RESTART
    if digest_all is None:
        return UNKNOWN
    if digest_all != computed.all:
        return RESTART if computed.restart_if_changed else MISMATCH
    return MATCH


def only_private_changed(recorded: LrmRscOp, computed: Digests, result: str,
                         sanitized: bool = True) -> bool:
    """``only_sanitized_changed``: in a simulation (crm_simulate always sets
    its "sanitized" flag) a non-matching operation whose recorded
    ``op-secure-digest`` equals the computed secure digest counts as
    unchanged: only masked private parameters differ."""
    if not sanitized or result == MATCH:
        return False
    digest_secure = recorded.get("op-secure-digest")
    return (digest_secure is not None and computed.secure is not None
            and computed.secure == digest_secure)


def config_change(recorded: LrmRscOp, computed: Digests, sanitized: bool = True) -> str:
    """What ``pcmk__check_action_config`` does for a recorded operation whose
    resource is active on the node (orphaned recurring operations aside):

    :data:`NO_CHANGE`, :data:`PRIVATE_ONLY` (nothing to do either),
    :data:`RESTART` (force a restart: stop/start, plus unfencing for fence
    devices), :data:`RELOAD` (``reload-agent``; agent supports reload, as the
    recorded ``op-restart-digest`` shows) or :data:`RESCHEDULE` (a recurring
    operation is re-issued with the new parameters).
    """
    result = compare_digests(recorded, computed)
    if only_private_changed(recorded, computed, result, sanitized):
        return PRIVATE_ONLY
    if result == MATCH:
        return NO_CHANGE
    if result == RESTART:
        return RESTART
    if _interval_value(recorded.get("interval")) > 0:
        return RESCHEDULE
    if recorded.get("op-restart-digest") is not None:
        return RELOAD
    return RESTART


# ------------------------------------------------------------------ fencing ---

def fencing_digests(
    params: Mapping[str, str],
    *,
    cib_feature_set: str | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Digests:
    """Digests of a fence device's definition for unfencing checks
    (``pe__compare_fencing_digest``: the pseudo-task ``stonith-on``, interval
    0, no operation history).

    :param params: the device's instance attributes evaluated for the node
        being unfenced.
    :param cib_feature_set: the ``<cib crm_feature_set>`` (decides old- or
        new-style secure digests); ``None`` means Pacemaker's own.

    The secure digest leaves out ``passwd``, ``password`` and ``user``.
    """
    return op_digests(params, 0, None, None, feature_set=cib_feature_set,
                      fence_device=True, overrides=overrides, secure=True, history=False)


def unfencing_summary(rsc_id: str, agent: str, digest: str) -> str:
    """One entry of ``#digests-all`` / ``#digests-secure`` (and of the fencing
    action's ``CRM_meta_digests_all`` / ``_secure``, where each entry is
    followed by a comma): ``"<device id>:<agent type>:<digest>"``."""
    return f"{rsc_id}:{agent}:{digest}"


def compare_fencing_digest(rsc_id: str, agent: str, computed: Digests,
                           digests_all: str | None, digests_secure: str | None) -> str:
    """Has a node been unfenced by the current definition of a device?

    ``digests_all`` / ``digests_secure`` are the node's ``#digests-all`` and
    ``#digests-secure`` attributes.  Returns :data:`UNKNOWN` (no
    ``#digests-all``), :data:`MATCH` (the full digest, or else the secure one,
    is listed) or :data:`MISMATCH` (the node must be unfenced again).
    """
    if digests_all is None:
        return UNKNOWN
    if unfencing_summary(rsc_id, agent, computed.all) in digests_all:
        return MATCH
    if (computed.secure is not None and digests_secure is not None
            and unfencing_summary(rsc_id, agent, computed.secure) in digests_secure):
        return MATCH
    return MISMATCH


def unfencing_meta(devices: Iterable[tuple[str, str, Digests]]) -> tuple[str, str]:
    """The ``CRM_meta_digests_all`` and ``CRM_meta_digests_secure`` values
    that ``pe_fence_op`` puts on every fencing action when unfencing is
    enabled (``PCMK__META_DIGESTS_ALL`` / ``_SECURE``).

    ``devices`` are ``(resource id, agent type, digests)`` for each fence
    device that needs unfencing (``provides=unfencing``, or whose
    ``requires`` is ``unfencing``), clone instances included, in the CIB's
    depth-first resource order; Pacemaker collects them by prepending, so
    they are listed here in reverse order, each entry followed by a comma.
    """
    devices = list(devices)[::-1]
    digests_all = "".join(unfencing_summary(rsc_id, agent, dg.all) + ","
                          for rsc_id, agent, dg in devices)
    digests_secure = "".join(unfencing_summary(rsc_id, agent, str(dg.secure)) + ","
                             for rsc_id, agent, dg in devices)
    return digests_all, digests_secure
