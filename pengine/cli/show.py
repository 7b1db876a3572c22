"""``pengine show CONFIG [--as crm|xml|pcs]``: convert or pretty-print a configuration.

The whole output is built before anything is written, so bad input leaves
stdout empty (``pengine show bad.xml > out.xml`` writes no partial document).
"""

from __future__ import annotations

import sys

from pengine.cib.errors import UsageError


def render(path: str, as_: str, target: str | None = None) -> str:
    """The configuration at ``path`` as crm text, pcs commands or CIB XML (for the
    Pacemaker version ``target``, when given)."""
    from pengine.cli.check import load_config

    cib, _ = load_config(path)
    if as_ == "pcs":
        from pengine.cib.pcs_writer import untranslatable, write_pcs
        for what in untranslatable(cib.configuration):
            print(f"pengine: warning: not expressible in pcs: {what}", file=sys.stderr)
        return write_pcs(cib.configuration)
    if as_ == "xml":
        from pengine.cib.cib_xml import write_cib
        from pengine.cib.target_version import for_target
        return write_cib(for_target(cib, target))
    try:
        from pengine.cib.crm_text import write_crm
    except ImportError:
        raise UsageError("--as crm is not available yet (no crm writer); use --as xml") from None
    return write_crm(cib.configuration)


def run(args) -> int:
    text = render(args.config, args.as_, getattr(args, "target", None))
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
    return 0
