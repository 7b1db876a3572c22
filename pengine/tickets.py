"""Ticket constraints (rsc_ticket): what a resource must do when its ticket is lost."""

from __future__ import annotations

from cib import model as m
from pengine.cluster import Scheduler


def unpack_ticket_constraint(sch: Scheduler, cons: m.TicketConstraint) -> None:
    """Record the constraint; `apply_tickets` acts on it (pcmk_sched_tickets.c)."""
    sch.ticket_constraints.append(cons)


def apply_tickets(sch: Scheduler) -> None:
    from pengine.ticket_rules import apply_ticket_constraints
    apply_ticket_constraints(sch)
