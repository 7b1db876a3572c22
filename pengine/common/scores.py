"""Score arithmetic, as Pacemaker 3.0.2 does it (``lib/common/scores.c``).

A score is an ``int`` in ``[-INFINITY, +INFINITY]``.  Parsing follows
``pcmk_parse_score()``: the exact strings ``INFINITY``, ``+INFINITY`` and
``-INFINITY`` (case-sensitive), the node-health colours ``red``, ``yellow`` and
``green`` (case-insensitive, worth whatever the cluster's node-health strategy
says, 0 by default), and otherwise C ``strtoll()``: leading white space, an
optional sign and decimal digits, anything after the digits ignored, the result
clamped to +/-INFINITY.  Text without digits (``inf``, ``abc``, ``""``) is
invalid and yields the default.

Addition saturates, and -INFINITY wins over +INFINITY (``pcmk__add_scores``).

This module also holds the C string-scanning helper (``strtoll``) that the
date and rule modules share, so that every number Pacemaker reads with
``strtoll()`` is read the same way here.
"""

from __future__ import annotations

from typing import Mapping

INFINITY = 1_000_000

LLONG_MAX = 2**63 - 1
LLONG_MIN = -(2**63)

# C isspace() in the "C" locale
C_SPACE = " \t\n\v\f\r"
_DIGITS = "0123456789"


def strtoll(text: str, start: int = 0) -> tuple[int, int, bool]:
    """C ``strtoll(text + start, &end, 10)``.

    Returns ``(value, end, overflow)``: ``end`` is the index just after the
    digits, or ``start`` itself when no digits were found (the C convention
    for "no conversion"); ``overflow`` is true when the value was clamped to
    the ``long long`` range (``errno == ERANGE``).
    """
    pos = start
    n = len(text)
    while pos < n and text[pos] in C_SPACE:
        pos += 1
    negative = False
    if pos < n and text[pos] in "+-":
        negative = text[pos] == "-"
        pos += 1
    digits_start = pos
    while pos < n and text[pos] in _DIGITS:
        pos += 1
    if pos == digits_start:
        return 0, start, False
    value = int(text[digits_start:pos])
    if negative:
        value = -value
    if value > LLONG_MAX:
        return LLONG_MAX, pos, True
    if value < LLONG_MIN:
        return LLONG_MIN, pos, True
    return value, pos, False


def scan_ll(text: str | None) -> int | None:
    """``pcmk__scan_ll()`` success test: the value, or None when Pacemaker
    reports an error (no digits, or out of the ``long long`` range)."""
    if text is None:
        return None
    value, end, overflow = strtoll(text)
    if overflow or end == 0:
        return None
    return value


def _clamp(value: int) -> int:
    return max(-INFINITY, min(INFINITY, value))


def parse_score_checked(text: str | None, default: int = 0,
                        health: Mapping[str, int] | None = None) -> tuple[int, bool]:
    """``pcmk_parse_score()``: ``(score, valid)``.

    ``None`` is valid and yields ``default``; invalid text yields ``default``
    with ``valid`` false.  ``default`` itself is clamped first.  ``health``
    maps ``red``/``yellow``/``green`` to their scores (all 0 unless the
    cluster's node-health strategy sets them).
    """
    default = _clamp(default)
    if text is None:
        return default, True
    if text == "-INFINITY":
        return -INFINITY, True
    if text in ("INFINITY", "+INFINITY"):
        return INFINITY, True
    lowered = text.lower()
    if lowered in ("red", "yellow", "green"):
        return _clamp((health or {}).get(lowered, 0)), True
    value, end, _overflow = strtoll(text)
    if end == 0:
        return default, False
    # Pacemaker accepts ERANGE here: an overflowing number is just clamped.
    return _clamp(value), True


def parse_score(text: str | None, default: int = 0,
                health: Mapping[str, int] | None = None) -> int:
    """``char2score()`` / ``pcmk_parse_score()`` value (see module doc)."""
    return parse_score_checked(text, default, health)[0]


def add_scores(a: int, b: int) -> int:
    """``pcmk__add_scores()``: saturating addition, -INFINITY wins."""
    if a <= -INFINITY or b <= -INFINITY:
        return -INFINITY
    if a >= INFINITY or b >= INFINITY:
        return INFINITY
    return _clamp(a + b)


def score_text(score: int) -> str:
    """``pcmk_readable_score()``: ``INFINITY``, ``-INFINITY`` or decimal."""
    if score >= INFINITY:
        return "INFINITY"
    if score <= -INFINITY:
        return "-INFINITY"
    return str(score)
