"""crm_simulate's event injections (pcmk_injections.c), as CIB → CIB.

Order matters and is Pacemaker's: quorum and watchdog, nodes up, nodes
down, nodes failing, tickets (grant, revoke, standby, activate), then
injected operation results.  Returns the lines crm_simulate prints under
"Performing Requested Modifications" and the modified CIB.
"""

from __future__ import annotations

import re
import sys

from attrs import evolve, frozen, field
from pengine.common.converters import as_tuple

from pengine.cib import model as m
from pengine.cib.errors import UsageError
from pengine.transitions.simulate import (_Status, inject_action_result, inject_failcount,
                                          inject_resource_history, injected_attribute_lines,
                                          node_state_change, with_updates)


@frozen
class Injections:
    quorum: str | None = None
    watchdog: str | None = None
    node_up: tuple[str, ...] = field(default=(), converter=as_tuple)
    node_down: tuple[str, ...] = field(default=(), converter=as_tuple)
    node_fail: tuple[str, ...] = field(default=(), converter=as_tuple)
    ticket_grant: tuple[str, ...] = field(default=(), converter=as_tuple)
    ticket_revoke: tuple[str, ...] = field(default=(), converter=as_tuple)
    ticket_standby: tuple[str, ...] = field(default=(), converter=as_tuple)
    ticket_activate: tuple[str, ...] = field(default=(), converter=as_tuple)
    op_inject: tuple[str, ...] = field(default=(), converter=as_tuple)

    def any(self) -> bool:
        """Whether crm_simulate applies the modifications at all (pcmk__simulate):
        a node, operation, ticket or watchdog change; ``-q`` alone is ignored."""
        return any((self.watchdog is not None, self.node_up,
                    self.node_down, self.node_fail, self.ticket_grant, self.ticket_revoke,
                    self.ticket_standby, self.ticket_activate, self.op_inject))


# ${resource}_${task}_${interval_ms}@${node}=${rc}
_OPSPEC = re.compile(r"^(?P<key>[^@]+)@(?P<node>[^=]+)=(?P<rc>-?[0-9]{1,9})$")


def parse_op_key(key: str) -> tuple[str, str, int] | None:
    """``rsc_task_interval`` → (rsc, task, interval_ms); resource ids may hold '_'."""
    head, sep, interval = key.rpartition("_")
    if not sep or not (interval.isascii() and interval.isdigit()) or len(interval) > 18:
        return None     # only ASCII digits: '²'.isdigit() is True but int('²') fails
    rsc, sep, task = head.rpartition("_")
    if not sep or not rsc or not task:
        return None
    # Tasks with an underscore (migrate_to, migrate_from) bind tighter.
    for compound in ("migrate_to", "migrate_from"):
        if head.endswith("_" + compound):
            rsc, task = head[: -len(compound) - 1], compound
    return rsc, task, int(interval)


def parse_op_spec(spec: str) -> tuple[str, str, int, str, int]:
    """An OPSPEC → (resource, task, interval_ms, node, rc), or a UsageError."""
    match = _OPSPEC.match(spec)
    parsed = parse_op_key(match.group("key")) if match else None
    if match is None or parsed is None:
        raise UsageError(f"invalid operation spec '{spec}': expected "
                         "${resource}_${task}_${interval_ms}@${node}=${rc}")
    rsc, task, interval = parsed
    return rsc, task, interval, match.group("node"), int(match.group("rc"))


def _find_agent(cib: m.Cib, rsc_id: str):
    """(class, type, provider) of ``rsc_id`` as the scheduler knows it
    (pe_find_resource after unpacking): clone instances, template-based
    primitives and implicit resources (guest and bundle connections,
    bundle containers and IPs) included; None if there is no such resource."""
    from pengine.status.unpack import unpack
    sch = unpack(cib)
    rsc = sch.find_resource(rsc_id)
    if rsc is None:
        # pcmk_rsc_match_history: an instance is also known by the name its
        # history is recorded under (an anonymous clone's "rsc" for "rsc:0"),
        # never by its configured id alone ("rsc" of a unique clone is no name)
        rsc = next((r for r in sch.all_resources.values()
                    if r.variant == "primitive" and r.history_id == rsc_id), None)
    if rsc is None:
        return _NO_SUCH_RESOURCE
    if rsc.variant != "primitive":
        return None
    return rsc.cls, rsc.type, rsc.provider


_NO_SUCH_RESOURCE = "no such resource"


def _set_ticket(status: m.Status, ticket_id: str, name: str, value: bool) -> m.Status:
    text = "true" if value else "false"
    tickets = list(status.tickets)
    for k, ticket in enumerate(tickets):
        if ticket.id == ticket_id:
            attrs = dict(ticket.attributes)
            attrs[name] = text
            tickets[k] = evolve(ticket, attributes=list(attrs.items()))
            break
    else:
        tickets.append(m.TicketState(id=ticket_id, attributes=[(name, text)]))
    return evolve(status, tickets=tickets)


def _set_watchdog(config: m.Configuration, value: str) -> m.Configuration:
    sets = list(config.crm_config)
    name = "have-watchdog"
    for k, attr_set in enumerate(sets):
        for n, pair in enumerate(attr_set.nvpairs):
            if pair.name == name:
                pairs = list(attr_set.nvpairs)
                pairs[n] = evolve(pair, value=value)
                sets[k] = evolve(attr_set, nvpairs=pairs)
                return evolve(config, crm_config=sets)
    # update_attr_delegate: a new attribute goes into the set cib-bootstrap-options,
    # created at the end of crm_config where there is none
    pair = m.NvPair(name, value, id=f"cib-bootstrap-options-{name}")
    for k, attr_set in enumerate(sets):
        if attr_set.id == "cib-bootstrap-options":
            sets[k] = evolve(attr_set, nvpairs=tuple(attr_set.nvpairs) + (pair,))
            break
    else:
        sets.append(m.AttrSet(id="cib-bootstrap-options", nvpairs=(pair,)))
    return evolve(config, crm_config=sets)


def _start_failure_fatal(cib: m.Cib) -> bool:
    from pengine.rules.rules import RuleContext, unpack_nvpair_sets
    values = unpack_nvpair_sets(cib.configuration.crm_config, RuleContext(),
                                first_id="cib-bootstrap-options")
    return (values.get("start-failure-is-fatal") or "true").lower() in ("true", "yes", "on",
                                                                         "y", "1")


def known_node_names(cib: m.Cib) -> list[str]:
    """The names an event may give: configured nodes, nodes the status knows,
    remote nodes (ocf:pacemaker:remote resources) and guest nodes."""
    names = [node.uname for node in cib.configuration.nodes]
    names += [state.uname for state in cib.status.node_states if state.uname]

    def walk(resources):
        for rsc in resources:
            if isinstance(rsc, m.Primitive):
                if (rsc.type or "") == "remote" and (rsc.provider or "") == "pacemaker":
                    names.append(rsc.id)
                for attr_set in rsc.meta:
                    value = attr_set.get("remote-node")
                    if value:
                        names.append(value)
            walk(getattr(rsc, "children", ()) or ())
            for attribute in ("child", "primitive"):
                child = getattr(rsc, attribute, None)
                if child is not None:
                    walk((child,))
    walk(cib.configuration.resources)
    return list(dict.fromkeys(n for n in names if n))


def unknown_node_error(flag: str, name: str, known: list[str]) -> UsageError:
    return UsageError(f"{flag} {name}: there is no node '{name}' (known nodes: "
                      f"{', '.join(known) or 'none'})")


def _add_node_entries(cib: m.Cib, inj: "Injections") -> tuple[m.Cib, set[str]]:
    """crm_simulate -u: every node an injection names that the configuration
    lacks gets a <node id=NAME uname=NAME> (pcmk__simulate_node_config);
    without -u an unknown name is an error naming the known nodes (where
    crm_simulate stops on an assertion)."""
    known = known_node_names(cib)
    named = [("-u", n) for n in inj.node_up] + [("-d", n) for n in inj.node_down] + \
        [("-f", n) for n in inj.node_fail]
    # -i names no node to check: crm_simulate creates the node state it injects into
    # (the differential cases record it), and -u configures such a node as well
    for spec in inj.op_inject if inj.node_up else ():
        try:
            named.append(("-i", parse_op_spec(spec)[3]))
        except UsageError:
            pass
    configured = {node.uname for node in cib.configuration.nodes}
    added = []
    for flag, name in named:
        if inj.node_up:
            if name not in configured:
                configured.add(name)
                added.append(m.Node(id=name, uname=name))
        elif name not in known:
            raise unknown_node_error(flag, name, known)
    if added:
        config = cib.configuration
        cib = evolve(cib, configuration=evolve(config, nodes=tuple(config.nodes) + tuple(added)))
    return cib, {node.uname for node in added}


def apply_injections(cib: m.Cib, inj: Injections, now_epoch: int,
                     find_agent=None) -> tuple[list[str], m.Cib]:
    """``find_agent(cib, rsc_id)``, when given, stands for _find_agent (which
    unpacks the whole CIB): a caller that injects into many copies of one
    configuration knows the agents already."""
    lines = ["Performing Requested Modifications:"]
    cib, added = _add_node_entries(cib, inj)
    item = lines.append
    before = cib    # -i looks its resources up as the cluster was unpacked before any change
    # the CIB updates made, counted into num_updates (a configuration
    # change counts into epoch and starts num_updates over)
    updates = epochs = 0
    if inj.quorum is not None:
        item(f"  * Setting quorum: {inj.quorum}")
        attrs = dict(cib.attributes)
        updates += attrs.get("have-quorum") != inj.quorum   # an update that changes something
        attrs["have-quorum"] = inj.quorum
        cib = evolve(cib, attributes=list(attrs.items()))
    if inj.watchdog is not None:
        item(f"  * Setting watchdog: {inj.watchdog}")
        config = _set_watchdog(cib.configuration, inj.watchdog)
        if config != cib.configuration:
            updates, epochs = 0, epochs + 1
        cib = evolve(cib, configuration=config)

    node_config = bool(inj.node_up)     # crm_simulate: -u makes injected nodes configured
    status = _Status(cib, now_epoch, node_config)
    for node in inj.node_up:
        item(f"  * Bringing node {node} online")
        if node in added:       # the node entry is configured as its state is injected
            added.discard(node)
            status.config_changed()
        node_state_change(status, node, True)
    for node in inj.node_down:
        item(f"  * Taking node {node} offline")
        i = node_state_change(status, node, False)
        state = status.states[i]
        # its history and attributes removed: an update each, where there were some
        updates += (state.lrm_id is not None or bool(state.lrm_resources)) \
            + (state.transient_id is not None or bool(state.transient)
               or bool(state.transient_utilization))
        status.states[i] = evolve(state, lrm_resources=(), lrm_id=None,
                                  transient=(), transient_id=None, transient_utilization=())
    for node in inj.node_fail:
        item(f"  * Failing node {node}")
        node_state_change(status, node, True, {"in_ccm": "false"})
    cib = evolve(cib, configuration=status.config,
                 status=evolve(cib.status, node_states=status.states))
    updates, epochs = _count(updates, epochs, status)

    tickets = cib.status
    updates += len(inj.ticket_grant) + len(inj.ticket_revoke) + len(inj.ticket_standby) \
        + len(inj.ticket_activate)
    for ticket in inj.ticket_grant:
        item(f"  * Granting ticket {ticket}")
        tickets = _set_ticket(tickets, ticket, "granted", True)
    for ticket in inj.ticket_revoke:
        item(f"  * Revoking ticket {ticket}")
        tickets = _set_ticket(tickets, ticket, "granted", False)
    for ticket in inj.ticket_standby:
        item(f"  * Making ticket {ticket} standby")
        tickets = _set_ticket(tickets, ticket, "standby", True)
    for ticket in inj.ticket_activate:
        item(f"  * Activating ticket {ticket}")
        tickets = _set_ticket(tickets, ticket, "standby", False)
    cib = evolve(cib, status=tickets)

    status = _Status(cib, now_epoch, node_config)
    for spec in inj.op_inject:
        item(f"  * Injecting {spec} into the configuration")
        rsc_id, task, interval, node, rc = parse_op_spec(spec)
        agent = (find_agent or _find_agent)(before, rsc_id)
        if agent is _NO_SUCH_RESOURCE:
            # crm_simulate says so and goes on with the other injections
            print(f"Invalid resource name: {rsc_id}", file=sys.stderr)
            continue
        if agent is None:
            raise UsageError(f"invalid resource name in '{spec}': {rsc_id} is not a primitive")
        cls, rtype, provider = agent
        if node in added:
            added.discard(node)
            status.config_changed()
        i = status.inject_node(node, None)
        if not (rc == 0 or (rc == 7 and interval == 0)):
            infinity = task == "stop" or (task == "start" and _start_failure_fatal(cib))
            injected = inject_failcount(status, i, rsc_id, task, interval, infinity)
            lines.extend(injected_attribute_lines(status, i, injected))
        j = inject_resource_history(status, i, rsc_id, rsc_id, cls, rtype, provider)
        if j is None:
            raise UsageError(f"cannot inject '{spec}': {rsc_id} has no resource agent")
        inject_action_result(status, i, j, task, interval, rc, 0, node,
                             exit_reason="Simulated action result")
    cib = evolve(cib, configuration=status.config,
                 status=evolve(cib.status, node_states=status.states))
    return lines, with_updates(cib, *_count(updates, epochs, status))


def _count(updates: int, epochs: int, status: _Status) -> tuple[int, int]:
    """(updates, epochs) after those ``status`` made."""
    if status.epochs:
        return status.updates, epochs + status.epochs
    return updates + status.updates, epochs
