"""One position type shared by every diagnostic: a place in a source file."""

from __future__ import annotations

from attrs import frozen


@frozen
class Span:
    """A region of a source file (1-based line and column).

    For XML sources ``element`` and ``element_id`` name the element, since a
    line alone is a poor pointer into a machine-written CIB.
    """

    file: str = "<input>"
    line: int = 0
    column: int = 0
    end_line: int | None = None
    end_column: int | None = None
    element: str | None = None
    element_id: str | None = None

    def where(self) -> str:
        """``file:line:col`` as compilers print it."""
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file
