"""Read configuration files of either kind into one :class:`Cib`."""

from __future__ import annotations

from pengine.cib import model as m
from pengine.cib.errors import InputError
from pengine.cib.source import display_name, read_input, strip_bom


def read_text(path: str) -> bytes:
    """The bytes of ``path`` (``-`` for stdin, ``cib.source.LIVE_CIB`` for the
    live CIB), bounded and decompressed (cib.source), or a UsageError (exit 2)."""
    return read_input(path)


def is_xml(data: bytes) -> bool:
    return strip_bom(data).lstrip()[:1] == b"<"


def parse_config(data: bytes, filename: str) -> m.Cib:
    """Parse one file's content: CIB XML or crm shell text.  A file that
    holds nothing at all is refused the same way whatever reads it."""
    if not strip_bom(data).strip():
        from pengine.cib.span import Span
        raise InputError("file is empty", Span(filename, 1, 1),
                         hint="give a CIB (<cib>...</cib>) or crm configuration text")
    from pengine.cib.limits import check_instance_limits
    if is_xml(data) or filename.endswith(".xml"):
        # a .xml file is XML even when garbled: its errors are XML errors
        from pengine.cib.cib_xml import read_cib
        cib = read_cib(data, filename)
        check_instance_limits(cib.configuration)
        return cib
    data = strip_bom(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        from pengine.cib.span import Span
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError("file is neither CIB XML nor crm text (it is not UTF-8 text)",
                         Span(filename, line, column), hint="binary data?") from None
    from pengine.cib.crm_text import CRM_CIB_ATTRIBUTES, read_crm
    from pengine.cib.pcs_text import looks_like_pcs
    if filename.endswith(".pcs") or looks_like_pcs(text):
        from pengine.cib.pcs_text import read_pcs, warn_on_stderr
        configuration = read_pcs(text, filename, warn_on_stderr(text))
    else:
        configuration = read_crm(text, filename)
    _check_limits(configuration, text)
    return m.Cib(configuration=configuration, source=text, attributes=CRM_CIB_ATTRIBUTES)


def _check_limits(configuration: m.Configuration, text: str) -> None:
    from pengine.cib.limits import check_instance_limits
    try:
        check_instance_limits(configuration)
    except InputError as error:
        error.source = error.source or text
        raise


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
    files = [(display_name(path), read_text(path)) for path in paths]
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
    configuration = assemble(items, texts)
    source = next(iter(texts.values()))
    _check_limits(configuration, source)
    return m.Cib(configuration=configuration, source=source, attributes=CRM_CIB_ATTRIBUTES)


def _crm_text(data: bytes, filename: str) -> str:
    if not strip_bom(data).strip():
        from pengine.cib.span import Span
        raise InputError("file is empty", Span(filename, 1, 1),
                         hint="give a CIB (<cib>...</cib>) or crm configuration text")
    data = strip_bom(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        from pengine.cib.span import Span
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError("file is neither CIB XML nor crm text (it is not UTF-8 text)",
                         Span(filename, line, column), hint="binary data?") from None
