"""``pengine explain RESOURCE CONFIG [event flags]``: why a resource is where
it is, or why it does not run (see pengine.explain)."""

from __future__ import annotations

import sys


def run(args) -> int:
    from pengine.cli.simulate import effective_date, injections_from
    from pengine.analyses.explain import explain
    from pengine.transitions.inject import apply_injections
    from pengine.cib.load import load_cib
    from pengine.transitions.simulate import bring_crm_cluster_up
    from pengine.common.dates import to_epoch
    from pengine.cib.errors import UsageError
    from pengine.cli.inputs import input_paths
    paths = input_paths(args, list(args.config))
    if not paths:
        raise UsageError("nothing to explain: give -x CIB.xml, -X, -L or crm configuration files")
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
