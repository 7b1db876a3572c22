"""Configuration problems the scheduler meets while it works, collected for
``pengine check`` (Pacemaker's ``pcmk__config_err`` / ``pcmk__config_warn``).

The engine calls :func:`config_err` or :func:`config_warn` where Pacemaker
logs a configuration error or warning and carries on with a default.  Outside
:func:`collecting` the calls do nothing, so simulations pay nothing for them.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from attrs import frozen


@frozen
class ConfigProblem:
    """``severity`` is "error" or "warning"; ``object_id`` names the CIB object
    (a resource, instance, constraint or option) the message is about."""

    severity: str
    message: str
    object_id: str | None = None


_SINK: ContextVar[list | None] = ContextVar("pengine_config_log", default=None)


def config_err(message: str, object_id: str | None = None) -> None:
    sink = _SINK.get()
    if sink is not None:
        sink.append(ConfigProblem("error", message, object_id))


def config_warn(message: str, object_id: str | None = None) -> None:
    sink = _SINK.get()
    if sink is not None:
        sink.append(ConfigProblem("warning", message, object_id))


@contextmanager
def collecting() -> Iterator[list[ConfigProblem]]:
    """Collect the problems reported inside the ``with`` block."""
    sink: list[ConfigProblem] = []
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)
