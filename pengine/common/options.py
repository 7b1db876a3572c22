"""Cluster options: Pacemaker 3.0 names, their legacy aliases and defaults."""

from __future__ import annotations

import functools

# name -> (legacy aliases, default)
CLUSTER_OPTIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "fencing-enabled": (("stonith-enabled",), "true"),
    "fencing-action": (("stonith-action",), "reboot"),
    "fencing-timeout": (("stonith-timeout",), "60s"),
    "fencing-watchdog-timeout": (("stonith-watchdog-timeout",), "0"),
    "have-watchdog": ((), "false"),
    "no-quorum-policy": ((), "stop"),
    "symmetric-cluster": ((), "true"),
    "maintenance-mode": ((), "false"),
    "start-failure-is-fatal": ((), "true"),
    "enable-startup-probes": ((), "true"),
    "stop-all-resources": ((), "false"),
    "stop-removed-resources": (("stop-orphan-resources",), "true"),
    "cancel-removed-actions": (("stop-orphan-actions",), "true"),
    "startup-fencing": ((), "true"),
    "concurrent-fencing": ((), "true"),
    "priority-fencing-delay": ((), "0"),
    "placement-strategy": ((), "default"),
    "placement-solver": ((), "greedy"),  # pengine's own: greedy (Pacemaker) or optimal
    "shutdown-lock": ((), "false"),
    "shutdown-lock-limit": ((), "0"),
    "node-pending-timeout": ((), "0"),
    "node-health-strategy": ((), "none"),
    "node-health-base": ((), "0"),
    "node-health-red": ((), "-INFINITY"),
    "node-health-yellow": ((), "0"),
    "node-health-green": ((), "0"),
    "cluster-recheck-interval": ((), "15min"),
    "batch-limit": ((), "0"),
    "migration-limit": ((), "-1"),
    "fence-remote-without-quorum": ((), "false"),
    "cluster-name": ((), None),
}


def with_defaults(values: dict[str, str]) -> dict[str, str]:
    """Options as configured, legacy names mapped, defaults filled in."""
    out = dict(values)
    for name, (aliases, default) in CLUSTER_OPTIONS.items():
        if name in out:
            continue
        for alias in aliases:
            if alias in out:
                out[name] = out[alias]
                break
        else:
            if default is not None:
                out[name] = default
    return out


def option(options: dict[str, str], name: str) -> str | None:
    return options.get(name)


def interval_ms(text: str | None) -> int:
    """An interval or timeout spec in milliseconds (0 when absent or invalid)."""
    if text is None:
        return 0
    return _interval_ms(text)


@functools.lru_cache(maxsize=4096)
def _interval_ms(text: str) -> int:
    # A cluster spells its intervals and timeouts a handful of ways, and
    # they are read for every operation of every resource: parse each once.
    from pengine.common.dates import parse_interval_ms
    value = parse_interval_ms(text)
    return value if value is not None and value > 0 else 0


_TRUE = frozenset(("true", "on", "yes", "y", "1"))
_FALSE = frozenset(("false", "off", "no", "n", "0"))


def parse_bool(value: str | None) -> bool | None:
    """crm_str_to_boolean: True, False, or None for no or an unrecognised value."""
    if value is None:
        return None
    text = value.strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def is_true(value: str | None) -> bool:
    """crm_is_true: only a recognised true value counts."""
    return value is not None and value.strip().lower() in _TRUE
