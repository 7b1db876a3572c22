"""The error hierarchy shared by readers, validation and the CLI.

Errors are data: a message, an optional span and the source text, so that a
caller can print ``file:line:col: error: ...`` with the offending line and a
caret, or emit JSON, without parsing strings.
"""

from __future__ import annotations

from attrs import frozen

from pengine.cib.span import Span


@frozen
class Diagnostic:
    """One finding: severity is ``error`` or ``warning``; code is stable (PExxx)."""

    severity: str
    message: str
    span: Span | None = None
    code: str = ""
    hint: str = ""

    def render(self, source: str | None = None) -> str:
        """Compiler-style text: location, message, offending line and caret."""
        where = self.span.where() if self.span else "<input>"
        # a file name or message may hold control characters: never ESC to a terminal
        what = _printable(f"{where}: {self.severity}: {self.message}")
        if self.code:
            what += f" [{self.code}]"
        lines = [what]
        if self.span and self.span.element:
            ident = f' id="{self.span.element_id}"' if self.span.element_id else ""
            lines.append(f"  in <{self.span.element}{ident}>")
        if source is not None and self.span and self.span.line:
            src_lines = source.splitlines()
            if 0 < self.span.line <= len(src_lines):
                raw = src_lines[self.span.line - 1]
                col = max(self.span.column, 1)
                text, caret = _excerpt(raw, col)
                lines.append("  " + text)
                lines.append("  " + " " * caret + "^")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


_EXCERPT_WIDTH = 120


def _printable(text: str) -> str:
    """Control characters (binary input) as U+FFFD, one for one."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def _excerpt(raw: str, column: int) -> tuple[str, int]:
    """The source line as shown (tabs expanded, controls replaced, long lines
    cut around the column) and the caret's offset in it."""
    text = _printable(raw.expandtabs(4))
    caret = len(raw[: column - 1].expandtabs(4))
    if len(text) > _EXCERPT_WIDTH:
        start = max(0, min(caret - _EXCERPT_WIDTH // 2, len(text) - _EXCERPT_WIDTH))
        end = start + _EXCERPT_WIDTH
        shown = ("..." if start else "") + text[start:end] + ("..." if end < len(text) else "")
        return shown, caret - start + (3 if start else 0)
    return text, caret


class PengineError(Exception):
    """Base of every error that reaches a user as a message, not a traceback."""

    def __init__(self, message: str, span: Span | None = None, source: str | None = None,
                 hint: str = "", code: str = ""):
        super().__init__(message)
        self.message = message
        self.span = span
        self.source = source
        self.hint = hint
        self.code = code

    @property
    def diagnostic(self) -> Diagnostic:
        return Diagnostic("error", self.message, self.span, self.code, self.hint)

    def render(self) -> str:
        return self.diagnostic.render(self.source)


class InputError(PengineError):
    """The input is malformed or inconsistent (exit code 1)."""


class CrmSyntaxError(InputError):
    """crm shell text that the grammar rejects."""


class XmlInputError(InputError):
    """CIB XML that is malformed, hostile or not a CIB."""


class UsageError(PengineError):
    """Bad command-line usage or an I/O failure (exit code 2)."""
