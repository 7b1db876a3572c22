"""A journal of node-score changes, for ``pengine explain``.

The scheduler calls ``note`` wherever a resource's allowed-node score
changes for a reason worth telling (a location constraint, stickiness, a
fail-count ban, a colocation, the symmetric default...).  Nothing is kept
unless a journal is open: ``with journal.recording() as entries: ...``.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from attrs import frozen

_entries: ContextVar[list | None] = ContextVar("pengine_journal", default=None)


@frozen
class Entry:
    rsc_id: str
    node: str
    before: int | None       # None: the node was not yet in the resource's table
    after: int
    kind: str                # location | colocation | default | stickiness | failure | ...
    source: str              # constraint id or a description


def active() -> bool:
    return _entries.get() is not None


def note(rsc, node, before: int | None, after: int, kind: str, source: str) -> None:
    entries = _entries.get()
    if entries is not None and before != after:
        entries.append(Entry(rsc.id, node.name, before, after, kind, source))


def note_table(rsc, before: dict, kind: str, source: str) -> None:
    """Record every node whose score differs from a snapshot of ``rsc.allowed``."""
    entries = _entries.get()
    if entries is None:
        return
    for node_id, weight in rsc.allowed.items():
        old = before.get(node_id)
        if old != weight.score:
            entries.append(Entry(rsc.id, weight.node.name, old, weight.score, kind, source))


def snapshot(rsc) -> dict | None:
    if _entries.get() is None:
        return None
    return {node_id: weight.score for node_id, weight in rsc.allowed.items()}


@contextlib.contextmanager
def recording():
    entries: list[Entry] = []
    token = _entries.set(entries)
    try:
        yield entries
    finally:
        _entries.reset(token)
