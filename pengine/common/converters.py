"""attrs converters as plain Python functions.

attrs reads a converter's signature when it builds a class (for the
generated ``__init__``'s annotations); for a builtin such as ``tuple`` that
means parsing its text signature with ``tokenize``, which was two fifths of
importing the CIB model: a small run's start-up.  A Python function's
signature is read directly.
"""

from __future__ import annotations


def as_tuple(items) -> tuple:
    return tuple(items)


def as_frozenset(items) -> frozenset:
    return frozenset(items)
