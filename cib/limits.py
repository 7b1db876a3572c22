"""Limits on what a configuration may ask pengine to build.

Pacemaker creates as many clone instances and bundle replicas as the
configuration says; ``clone-max=1000000`` would make pengine build a million
resources (and their actions) before it could say anything.  No cluster has
that many nodes to run them on: a count above MAX_INSTANCES is refused with
the position of the attribute that asks for it.
"""

from __future__ import annotations

import re

from pengine.cib import model as m
from pengine.cib.errors import InputError

MAX_INSTANCES = 10_000

_CLONE_COUNTS = ("clone-max", "incarnation-max")
_BUNDLE_COUNTS = ("replicas", "replicas-per-host")
_INTEGER = re.compile(r"\s*[+-]?[0-9]+")


def _count(value: str | None) -> int | None:
    match = _INTEGER.match(value or "")
    return int(match.group()) if match else None


def _too_many(owner: str, name: str, value: str, span) -> InputError:
    return InputError(f"{owner}: {name}={value.strip()} asks for more instances than pengine "
                      f"schedules ({MAX_INSTANCES} at most)", span,
                      hint="no cluster has the nodes to run that many; use a smaller count")


def check_instance_limits(configuration: m.Configuration) -> None:
    """Raise an InputError for a clone-max or replicas above MAX_INSTANCES."""
    for attr_set in configuration.rsc_defaults:
        for pair in attr_set.nvpairs:
            if pair.name in _CLONE_COUNTS and (_count(pair.value) or 0) > MAX_INSTANCES:
                raise _too_many("rsc_defaults", pair.name, pair.value, pair.span)
    for rsc in m.walk_resources(configuration.resources):
        if isinstance(rsc, m.Clone):
            for attr_set in rsc.meta:
                for pair in attr_set.nvpairs:
                    if pair.name in _CLONE_COUNTS and (_count(pair.value) or 0) > MAX_INSTANCES:
                        raise _too_many(f"clone {rsc.id}", pair.name, pair.value,
                                        pair.span or rsc.span)
        elif isinstance(rsc, m.Bundle):
            for name, value in rsc.runtime_attributes:
                if name in _BUNDLE_COUNTS and (_count(value) or 0) > MAX_INSTANCES:
                    raise _too_many(f"bundle {rsc.id}", name, value, rsc.span)
