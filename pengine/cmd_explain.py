"""``pengine explain RESOURCE CONFIG [event flags]``: why a resource is where
it is, or why it does not run (see pengine.explain)."""

from __future__ import annotations

import sys


def run(args) -> int:
    from pengine.cmd_simulate import effective_date, injections_from
    from pengine.explain import explain
    from transitions.inject import apply_injections
    from cib.load import load_cib
    from pengine.cmd_simulate import bring_crm_cluster_up
    from pengine.dates import to_epoch
    from cib.errors import UsageError
    xml_file = getattr(args, "xml_file", None)
    if xml_file and args.config:
        raise UsageError("give either -x CIB.xml or crm files, not both")
    paths = [xml_file] if xml_file else list(args.config)
    if not paths:
        raise UsageError(f"nothing to explain {args.resource} in: give -x CIB.xml or crm files")
    cib = load_cib(paths)
    if cib.source is not None and not cib.status.node_states:
        cib = bring_crm_cluster_up(cib)
    now, _ = effective_date(cib, args.set_datetime)
    injections = injections_from(args)
    if injections.any():
        _, cib = apply_injections(cib, injections, to_epoch(now))
    lines = explain(cib, now, args.resource)
    sys.stdout.write("\n".join(lines).rstrip("\n") + "\n")
    sys.stdout.flush()
    return 0
