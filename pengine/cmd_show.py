"""``pengine show CONFIG [--as crm|xml|pcs]``: convert or pretty-print a configuration.

The whole output is built before anything is written, so bad input leaves
stdout empty (``pengine show bad.xml > out.xml`` writes no partial document).
"""

from __future__ import annotations

import sys

from cib.errors import UsageError


def render(path: str, as_: str) -> str:
    """The configuration at ``path`` as crm text, CIB XML or pcs commands."""
    from pengine.cmd_check import load_config

    cib, _ = load_config(path)
    if as_ == "pcs":
        from cib.pcs_writer import untranslatable, write_pcs
        for what in untranslatable(cib.configuration):
            print(f"pengine: warning: not expressible in pcs: {what}", file=sys.stderr)
        return write_pcs(cib.configuration)
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
