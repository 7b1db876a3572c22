"""Ticket constraints (rsc_ticket): what a resource must do when its ticket is lost.

The constraints are recorded in ``sch.ticket_constraints`` as they are
unpacked and take effect at once, as in Pacemaker; the rules themselves
live in `pengine.ticket_rules`.
"""

from __future__ import annotations

from pengine.cib import model as m
from pengine.status.cluster import Scheduler


def unpack_ticket_constraint(sch: Scheduler, cons: m.TicketConstraint) -> None:
    """pcmk__unpack_rsc_ticket: record the constraint and apply it."""
    from pengine.schedule.ticket_rules import unpack_rsc_ticket
    unpack_rsc_ticket(sch, cons)


def require_promotion_tickets(sch: Scheduler, rsc) -> None:
    """Ban promotion of ``rsc`` while a promoted-role ticket is not usable."""
    from pengine.schedule.ticket_rules import require_promotion_tickets as impl
    impl(sch, rsc)
