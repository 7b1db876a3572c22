"""The digests an executed result records besides ``op-digest``.

Pacemaker's controller adds them to each history entry it writes
(``controld_add_resource_history_xml_as``, with ``append_restart_list``
and ``append_secure_list`` in controld_execd.c), from the agent's
meta-data and the parameters the action ran with:

``op-force-restart`` + ``op-restart-digest``
    for one-time actions of an agent that can reload: the parameters whose
    change needs a restart (those not marked ``reloadable`` for an OCF 1.1
    agent advertising ``reload-agent``; those marked ``unique`` for an older
    agent advertising ``reload``) and the digest of their values.  Their
    presence tells the scheduler that a change of any other parameter can be
    carried out by a reload instead of a restart.
``op-secure-params`` + ``op-secure-digest``
    when the agent has private parameters (passwords): their names, and the
    digest of all the other parameters, so that a status whose secrets were
    masked does not look changed.

Pure functions: meta-data and parameters in, history attributes out
(:mod:`pengine.digests` computes what the scheduler compares them with).
"""

from __future__ import annotations

from typing import Mapping

from pengine.status.digests import filter_for_digest, md5_digest
from pengine.transitions.execute.metadata import AgentMetadata

# pcmk_ra_cap_params: the classes whose agents take parameters
CLASSES_WITH_PARAMETERS = ("ocf", "stonith")
# crm_op_needs_metadata: the actions whose history may need the agent's meta-data
ACTIONS_NEEDING_METADATA = ("start", "monitor", "promote", "demote", "reload", "reload-agent",
                            "migrate_to", "migrate_from", "notify")


def needs_metadata(standard: str | None, action: str) -> bool:
    """crm_op_needs_metadata: whether a result of ``action`` records the
    reload and secure digests (only agents with parameters have them)."""
    return (standard or "").lower() in CLASSES_WITH_PARAMETERS \
        and action in ACTIONS_NEEDING_METADATA


def word_list(names: list[str]) -> str:
    """A parameter list as the controller writes it: the scheduler looks for
    " NAME ", so it starts and ends with spaces (pcmk__add_word of " ", the
    names, then " ")."""
    return f"  {' '.join(names)}  " if names else ""


def _declared(metadata: AgentMetadata) -> list:
    # controld_cache_metadata prepends each parameter: the list runs backwards
    return list(reversed(metadata.parameters))


def restart_attributes(metadata: AgentMetadata, params: Mapping[str, str],
                       interval_ms: int) -> list[tuple[str, str]]:
    """append_restart_list: ``op-force-restart`` and ``op-restart-digest``
    for an agent that supports reload (none for recurring actions)."""
    if interval_ms > 0:
        return []                   # monitors are not reloadable
    if metadata.supports_reload_agent:
        restart = [p.name for p in _declared(metadata) if not p.reloadable]
    elif metadata.supports_legacy_reload:
        # before OCF 1.1, "unique" meant "needs a restart"
        restart = [p.name for p in _declared(metadata) if p.unique]
    else:
        return []
    values = {name: params[name] for name in restart if name in params}
    # present even when the list is empty: it says that the agent can reload
    return [("op-force-restart", word_list(restart)),
            ("op-restart-digest", md5_digest(values))]


def secure_attributes(metadata: AgentMetadata, params: Mapping[str, str]
                      ) -> list[tuple[str, str]]:
    """append_secure_list: ``op-secure-params`` and ``op-secure-digest``
    when the agent has private parameters.  The digest covers every other
    parameter the action ran with, filtered as for ``op-digest`` (the
    scheduler's calculate_secure_digest for feature sets from 3.16.0)."""
    private = metadata.private_names()
    names = [p.name for p in _declared(metadata) if p.name in private]
    if not names:
        return []
    values = {k: v for k, v in filter_for_digest(dict(params)).items() if k not in private}
    return [("op-secure-params", word_list(names)), ("op-secure-digest", md5_digest(values))]


def history_digests(metadata: AgentMetadata | None, standard: str | None, action: str,
                    interval_ms: int, params: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The digests a result of ``action`` records besides ``op-digest``."""
    if metadata is None or not needs_metadata(standard, action):
        return ()
    return tuple(restart_attributes(metadata, params, interval_ms)
                 + secure_attributes(metadata, params))
