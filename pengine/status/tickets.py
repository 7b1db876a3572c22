"""Tickets' state for one run: the status section's ``<tickets><ticket_state>`` entries
(unpack_tickets_state in Pacemaker's lib/pengine/unpack.c).  What a lost ticket does to the
resources that depend on it is pengine.schedule.ticket_rules."""

from __future__ import annotations

from attrs import define, field

from pengine.cib import model as m
from pengine.common.options import is_true
from pengine.status.cluster import Scheduler


@define
class Ticket:
    """pcmk__ticket_t: a ticket's state for one run."""

    id: str
    granted: bool = False
    standby: bool = False
    last_granted: int = -1
    state: dict = field(factory=dict)


def ticket_from_state(state: m.TicketState) -> Ticket:
    """unpack_ticket_state."""
    attrs = {name: value for name, value in state.attributes if name != "id"}
    ticket = Ticket(state.id, state=attrs)
    ticket.granted = is_true(attrs.get("granted"))
    if attrs.get("last-granted") is not None:
        from pengine.status.history import to_int
        ticket.last_granted = to_int(attrs["last-granted"], 0)
    ticket.standby = is_true(attrs.get("standby"))
    return ticket


def unpack_ticket_states(sch: Scheduler) -> None:
    for state in sch.cib.status.tickets:
        if state.id:
            sch.tickets[state.id] = ticket_from_state(state)
