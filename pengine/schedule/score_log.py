"""Allocation and promotion scores as ``crm_simulate -s`` shows them.

Pacemaker shows a resource's node scores at fixed points of assignment
(``pe__show_node_scores`` in the primitive, group, clone and bundle assign
methods) and each promotable instance's promotion score when roles are set.
The variant code calls these hooks at the same points; when the run was asked
for scores (``sch.record_scores``) the lines go to ``sch.score_log`` in the
order Pacemaker prints them, otherwise nothing is done.
"""

from __future__ import annotations

import functools

from pengine.status.cluster import Node, Resource, Scheduler
from pengine.common.scores import score_text


@functools.cache
def _name_key():
    from pengine.common.names import numeric_strcasecmp
    return functools.cmp_to_key(numeric_strcasecmp)


def show_node_scores(sch: Scheduler, rsc: Resource, comment: str, nodes=None) -> None:
    """pe__show_node_scores: ``COMMENT: RSC allocation score on NODE: SCORE``
    for each of ``nodes`` (default: the resource's allowed nodes) sorted by
    name, then the same for each child with its own allowed nodes.  Removed
    (orphaned) resources are not shown."""
    if not getattr(sch, "record_scores", False) or rsc.removed:
        return
    table = rsc.allowed if nodes is None else nodes
    key = _name_key()
    for weight in sorted(table.values(), key=lambda w: key(w.node.name)):
        sch.score_log.append(f"{comment}: {rsc.id} allocation score on {weight.node.name}: "
                             f"{score_text(weight.score)}")
    for child in rsc.children:
        show_node_scores(sch, child, comment)


def show_promotion_score(sch: Scheduler, instance: Resource, chosen: Node | None,
                         score: int) -> None:
    """The "promotion-score" message of pcmk__set_instance_roles."""
    if not getattr(sch, "record_scores", False):
        return
    if chosen is None:
        sch.score_log.append(f"{instance.id} promotion score (inactive): {score_text(score)}")
    else:
        sch.score_log.append(f"{instance.id} promotion score on {chosen.name}: "
                             f"{score_text(score)}")
