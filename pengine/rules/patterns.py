"""Regular expressions from the configuration (``rsc-pattern``), matched
safely.

Pacemaker compiles them with POSIX ``regcomp(REG_EXTENDED)``, a matcher
without catastrophic backtracking.  Python's ``re`` backtracks: a pattern
such as ``^(a+)+$`` against a long id takes minutes.  The ``regex`` module
matches with POSIX leftmost-longest semantics (``regex.POSIX``, as
``regexec`` does) and a timeout, so a hostile pattern ends in a clear error
instead of a hang.  Without the module, ``re`` is used as before.
"""

from __future__ import annotations

MATCH_TIMEOUT_SECONDS = 2.0     # for all the ids one pattern is matched against

try:  # pragma: no branch
    import regex as _engine
    _FLAGS = _engine.POSIX
except ImportError:  # pragma: no cover - regex is a dependency
    import re as _engine
    _FLAGS = 0


class PatternError(Exception):
    """The pattern does not compile."""


class PatternTimeout(Exception):
    """Matching took longer than MATCH_TIMEOUT_SECONDS."""


def compile_pattern(pattern: str):
    try:
        return _engine.compile(pattern, _FLAGS)
    except (_engine.error, ValueError, OverflowError, RecursionError) as error:
        raise PatternError(str(error)) from None


def search(compiled, text: str, deadline: float | None = None):
    """``compiled.search(text)``, given up (PatternTimeout) at ``deadline``
    (a time.monotonic() value; MATCH_TIMEOUT_SECONDS from now when None)."""
    import time
    if _FLAGS:
        now = time.monotonic()
        left = MATCH_TIMEOUT_SECONDS if deadline is None else deadline - now
        if left <= 0:
            raise PatternTimeout(compiled.pattern)
        try:
            return compiled.search(text, timeout=left)
        except TimeoutError:
            raise PatternTimeout(compiled.pattern) from None
    return compiled.search(text)


def deadline() -> float:
    import time
    return time.monotonic() + MATCH_TIMEOUT_SECONDS
