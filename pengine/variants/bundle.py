"""Bundles (placeholder until the bundle variant lands)."""

from __future__ import annotations


def _unsupported(*_args, **_kwargs):
    raise NotImplementedError("bundle resources are not supported yet")


assign = create_actions = internal_constraints = apply_coloc_score = _unsupported
this_with_colocations = with_this_colocations = add_colocated_node_scores = _unsupported
apply_location = action_flags = update_ordered_actions = output_actions = _unsupported
add_utilization = shutdown_lock = _unsupported
