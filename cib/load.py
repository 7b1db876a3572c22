"""Read configuration files of either kind into one :class:`Cib`."""

from __future__ import annotations

import os

from pengine.cib import model as m
from pengine.cib.errors import InputError, UsageError
from pengine.cib.xml_source import MAX_XML_BYTES


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
        from pengine.cib.cib_xml import read_cib
        return read_cib(data, filename)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        from pengine.cib.span import Span
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError("file is neither CIB XML nor crm text (it is not UTF-8 text)",
                         Span(filename, line, column), hint="binary data?") from None
    from pengine.cib.crm_text import CRM_CIB_ATTRIBUTES, read_crm
    return m.Cib(configuration=read_crm(text, filename), source=text, attributes=CRM_CIB_ATTRIBUTES)


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
    files = [(path, read_text(path)) for path in paths]
    if len(files) > 1 and not any(is_xml(data) for _path, data in files):
        return read_crm_files(files)
    return merge([parse_config(data, path) for path, data in files])


def read_crm_files(files: list[tuple[str, bytes]]) -> m.Cib:
    """Several crm files as one configuration, as ``crm configure load update``
    of each in turn makes them: a group, constraint or monitor in one file
    may name a resource of another, property statements add up, crmsh's ids
    are unique across them, and a name two files define is an error naming
    both places."""
    from pengine.cib.crm_text import CRM_CIB_ATTRIBUTES, assemble, read_crm_statements
    texts = {path: _crm_text(data, path) for path, data in files}
    items = [item for path, text in texts.items() for item in read_crm_statements(text, path)]
    return m.Cib(configuration=assemble(items, texts), source=next(iter(texts.values())),
                 attributes=CRM_CIB_ATTRIBUTES)


def _crm_text(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        from pengine.cib.span import Span
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError("file is neither CIB XML nor crm text (it is not UTF-8 text)",
                         Span(filename, line, column), hint="binary data?") from None
