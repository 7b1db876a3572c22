"""Ticket constraints applied as Pacemaker 3.0 does (pcmk_sched_tickets.c).

A ticket is granted, revoked (not granted) or in standby (status section
``<tickets><ticket_state granted= standby=>``; ``-g/-r/-b/-e`` change it).
A resource that depends on a ticket which is not granted, or in standby,
must not run: it gets a -INFINITY location everywhere, unless the
dependency is only for the promoted role (then promotion is what is lost,
see `require_promotion_tickets`).  When a resource loses a ticket while
active, the constraint's ``loss-policy`` says how: ``stop`` (the default),
``demote`` (the default for a promoted-role dependency), ``fence`` the nodes
running it, or ``freeze`` it in place.
"""

from __future__ import annotations

from attrs import define

from pengine.cib import model as m
from pengine.status.cluster import Resource, Role, Scheduler, parse_role
from pengine.schedule.ordering import resolve_set
from pengine.common.scores import INFINITY
from pengine.status.tickets import Ticket, ticket_from_state

STOP, DEMOTE, FENCE, FREEZE = "stop", "demote", "fence", "freeze"


@define
class TicketRule:
    """rsc_ticket_t: one resource's dependency on one ticket."""

    id: str
    rsc: Resource
    ticket: Ticket
    loss_policy: str
    role: Role  # UNKNOWN: any role


def _get_ticket(sch: Scheduler, ticket_id: str) -> Ticket:
    ticket = sch.tickets.get(ticket_id)
    if not isinstance(ticket, Ticket):
        ticket = Ticket(ticket_id) if ticket is None else _from_dict(ticket_id, ticket)
        sch.tickets[ticket_id] = ticket
    return ticket


def _from_dict(ticket_id: str, attrs: dict) -> Ticket:
    return ticket_from_state(m.TicketState(id=ticket_id, attributes=list(attrs.items())))


# ------------------------------------------------------------- unpacking --

def unpack_rsc_ticket(sch: Scheduler, cons: m.TicketConstraint) -> None:
    """pcmk__unpack_rsc_ticket (templates and tags already expanded)."""
    from pengine.schedule.constraints import constraint_resource
    if not cons.ticket:
        sch.warnings.append(f"Ignoring constraint '{cons.id}' without ticket")
        return
    ticket = _get_ticket(sch, cons.ticket)
    if cons.resource_sets:
        for rset in cons.resource_sets:
            rset = resolve_set(sch, rset)
            if rset is None:
                return
            set_id = rset.id or cons.id  # an id-less set means the same
            for rsc_id in rset.resources:
                rsc = constraint_resource(sch, rsc_id)
                if rsc is None:
                    sch.warnings.append(f"{set_id}: No resource found for {rsc_id}")
                    return
                new_ticket_rule(sch, set_id, rsc, ticket, rset.role, cons.loss_policy)
        return
    if cons.rsc is None:
        sch.warnings.append(f"Ignoring constraint '{cons.id}' without resource")
        return
    rsc = constraint_resource(sch, cons.rsc)
    if rsc is None:
        sch.warnings.append(f"Ignoring constraint '{cons.id}' because resource "
                            f"'{cons.rsc}' does not exist")
        return
    new_ticket_rule(sch, cons.id, rsc, ticket, cons.rsc_role, cons.loss_policy)


def _loss_policy(sch: Scheduler, text: str | None, role: Role, ticket: Ticket) -> str:
    policy = (text or "").lower()
    if policy == FENCE:
        if sch.fencing_enabled:
            return FENCE
        sch.warnings.append(f"Resetting 'loss-policy' for ticket '{ticket.id}' to 'stop' "
                            "because fencing is not configured")
        policy = STOP
    if policy in (FREEZE, DEMOTE, STOP):
        return policy
    return DEMOTE if role == Role.PROMOTED else STOP


def new_ticket_rule(sch: Scheduler, cid: str, rsc: Resource, ticket: Ticket,
                    role_text: str | None, loss_policy: str | None) -> TicketRule:
    """rsc_ticket_new: record the dependency and apply it at once."""
    if role_text is None or role_text.lower() == "started":
        role = Role.UNKNOWN
    else:
        role = parse_role(role_text)
        if role is None:
            role = Role.UNKNOWN
    rule = TicketRule(cid, rsc, ticket, _loss_policy(sch, loss_policy, role, ticket), role)
    sch.ticket_constraints.append(rule)
    if not ticket.granted or ticket.standby:
        constraints_for_ticket(sch, rsc, rule)
    return rule


# -------------------------------------------------------------- effects --

def _role_matches(rsc: Resource, rule: TicketRule) -> bool:
    return rule.role == Role.UNKNOWN or rule.role == rsc.role


def constraints_for_ticket(sch: Scheduler, rsc: Resource, rule: TicketRule) -> None:
    """Bans, fencing or freezing for a resource whose ticket is not usable."""
    from pengine.status.unpack import fence_node
    from pengine.status.unpack_resources import resource_location
    ticket = rule.ticket
    if ticket.granted and not ticket.standby:
        return
    if rsc.children:
        for child in rsc.children:
            constraints_for_ticket(sch, child, rule)
        return
    promoted_only = rule.role == Role.PROMOTED
    if not ticket.granted and rsc.running_on:
        if rule.loss_policy == STOP:
            resource_location(sch, rsc, None, -INFINITY, "__loss_of_ticket__")
        elif rule.loss_policy == DEMOTE:
            # a promoted-role dependency loses promotion (require_promotion_tickets)
            if not promoted_only:
                resource_location(sch, rsc, None, -INFINITY, "__loss_of_ticket__")
        elif rule.loss_policy == FENCE:
            if not _role_matches(rsc, rule):
                return
            resource_location(sch, rsc, None, -INFINITY, "__loss_of_ticket__")
            for node in list(rsc.running_on):
                fence_node(sch, node, "deadman ticket was lost", False)
        elif rule.loss_policy == FREEZE:
            if not _role_matches(rsc, rule):
                return
            rsc.managed = False
            rsc.blocked = True
    elif not ticket.granted:
        if not promoted_only or rule.loss_policy == STOP:
            resource_location(sch, rsc, None, -INFINITY, "__no_ticket__")
    elif ticket.standby:
        if not promoted_only or rule.loss_policy == STOP:
            resource_location(sch, rsc, None, -INFINITY, "__ticket_standby__")


def require_promotion_tickets(sch: Scheduler, rsc: Resource) -> None:
    """pcmk__require_promotion_tickets: no promotion without a usable ticket
    for the promoted role."""
    from pengine.status.unpack_resources import resource_location
    for rule in sch.ticket_constraints:
        if rule.rsc is not rsc:
            continue
        if rule.role == Role.PROMOTED and (not rule.ticket.granted or rule.ticket.standby):
            resource_location(sch, rsc, None, -INFINITY, "__stateful_without_ticket__")
