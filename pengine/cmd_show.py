"""``pengine show CONFIG [--as crm|xml]``: convert or pretty-print a configuration.

The whole output is built before anything is written, so bad input leaves
stdout empty (``pengine show bad.xml > out.xml`` writes no partial document).
"""

from __future__ import annotations

import sys

from cib.errors import InputError, UsageError
from cib.span import Span


def render(path: str, as_: str) -> str:
    """The configuration at ``path`` as crm text or CIB XML."""
    from cib.load import load_cib

    try:
        cib = load_cib(path)
    except InputError as error:
        if error.span is None:  # e.g. the size limit: still name the file
            message = error.message.removeprefix(f"{path}: ")
            raise type(error)(message, Span(path), error.source, error.hint, error.code) from None
        raise
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("cib.crm_text"):
            raise UsageError(f"cannot read {path}: crm text is not supported yet") from None
        raise
    if as_ == "xml":
        from cib.cib_xml import write_cib
        return write_cib(cib)
    try:
        from cib.crm_text import write_crm
    except ImportError:
        raise UsageError("--as crm is not available yet (no crm writer); use --as xml") from None
    return write_crm(cib.configuration)


def run(args) -> int:
    text = render(args.config, args.as_)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
    return 0
