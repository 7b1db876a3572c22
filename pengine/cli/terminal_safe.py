"""Output that cannot drive a terminal.

Ids, descriptions, attribute values and exit reasons come from the user's
files or a cluster's agents.  XML 1.0 holds C1 controls (U+0080-U+009F: U+009B
is a terminal's CSI, like ESC [) and bidirectional overrides; printed raw they
would recolour, move or reorder what the user reads.  Diagnostics already show
every control as U+FFFD (pengine.cib.errors); the ordinary output of every
subcommand is passed through the same rule, in the escape of its format: a
JSON string gets \\u escapes and XML character references (the data stays the
same), text gets U+FFFD, one for one.
"""

from __future__ import annotations

import re
import sys

# C0 but tab and newline, DEL, C1, line/paragraph separators, bidi controls
DANGEROUS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                       "\u202a-\u202e\u2066-\u2069]")


def _as_text(match: re.Match) -> str:
    return "\ufffd"


def _as_json(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def _as_xml(match: re.Match) -> str:
    return f"&#x{ord(match.group()):x};"


def terminal_safe(text: str) -> str:
    """``text`` with every terminal-dangerous character as U+FFFD."""
    return DANGEROUS.sub(_as_text, text)


class SafeStream:
    """A text stream whose writes are cleaned; all else is the stream's."""

    def __init__(self, stream, escape) -> None:
        self._stream = stream
        self._escape = escape

    def write(self, text: str) -> int:
        self._stream.write(DANGEROUS.sub(self._escape, text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def write_own_controls(self, text: str) -> int:
        """For the command's own control characters (a progress bar's
        carriage returns): written as they are; clean any data in ``text``
        with ``terminal_safe`` first."""
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def write_own_controls(stream, text: str) -> None:
    """Write ``text`` with its control characters to ``stream`` (cleaned or not)."""
    writer = getattr(stream, "write_own_controls", None)
    (writer or stream.write)(text)


def _escape_for(args) -> object:
    """The escape that keeps the format's meaning (see the module's text)."""
    formats = {getattr(args, name, None) for name in ("format", "output_as", "as_")}
    if formats & {"json", "sarif"}:
        return _as_json
    if formats & {"xml", "junit", "svg", "html"}:
        return _as_xml
    return _as_text


class guarded_output:
    """``with guarded_output(args):`` -- standard output and error cleaned
    while a subcommand runs, restored after."""

    def __init__(self, args) -> None:
        self._args = args

    def __enter__(self):
        self._saved = sys.stdout, sys.stderr
        sys.stdout = SafeStream(sys.stdout, _escape_for(self._args))
        sys.stderr = SafeStream(sys.stderr, _as_text)
        return self

    def __exit__(self, *exc) -> None:
        sys.stdout, sys.stderr = self._saved
