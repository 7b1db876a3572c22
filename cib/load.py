"""Read configuration files of either kind into one :class:`Cib`."""

from __future__ import annotations

import os

from cib import model as m
from cib.errors import InputError, UsageError
from cib.xml_source import MAX_XML_BYTES


def read_text(path: str) -> bytes:
    """The bytes of ``path`` (``-`` for stdin), or a UsageError (exit 2)."""
    try:
        if path == "-":
            import sys
            return sys.stdin.buffer.read(MAX_XML_BYTES + 1)
        size = os.path.getsize(path)
        if size > MAX_XML_BYTES:
            raise InputError(f"{path}: file is {size} bytes, larger than any CIB "
                             f"({MAX_XML_BYTES} bytes allowed)")
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None


def is_xml(data: bytes) -> bool:
    return data.lstrip()[:1] == b"<"


def parse_config(data: bytes, filename: str) -> m.Cib:
    """Parse one file's content: CIB XML or crm shell text."""
    if is_xml(data):
        from cib.cib_xml import read_cib
        return read_cib(data, filename)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        from cib.span import Span
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError("file is neither CIB XML nor crm text (it is not UTF-8 text)",
                         Span(filename, line, column), hint="binary data?") from None
    from cib.pcs_text import looks_like_pcs
    if filename.endswith(".pcs") or looks_like_pcs(text):
        from cib.pcs_text import read_pcs, warn_on_stderr
        return m.Cib(configuration=read_pcs(text, filename, warn_on_stderr(text)), source=text)
    from cib.crm_text import read_crm
    return m.Cib(configuration=read_crm(text, filename), source=text)


def merge(cibs: list[m.Cib]) -> m.Cib:
    """Several crm files make one configuration, in the order given."""
    if len(cibs) == 1:
        return cibs[0]
    first = cibs[0]
    fields = {}
    for name in ("crm_config", "rsc_defaults", "op_defaults", "nodes", "resources", "constraints",
                 "fencing_topology", "tags", "alerts", "acls"):
        fields[name] = tuple(item for cib in cibs for item in getattr(cib.configuration, name))
    return m.Cib(configuration=m.Configuration(**fields), status=first.status,
                 attributes=first.attributes)


def load_cib(paths: list[str] | str) -> m.Cib:
    """Load one CIB XML file, or one or more crm files merged."""
    if isinstance(paths, str):
        paths = [paths]
    return merge([parse_config(read_text(path), path) for path in paths])
