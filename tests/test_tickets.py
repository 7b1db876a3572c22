"""Ticket constraints (pcmk_sched_tickets.c) and ticket injections (-g/-r/-b/-e)."""

from __future__ import annotations

import pytest

from cib_builder import cib_xml, group, placement, primitive, schedule_xml
from pengine.cib import model as m
from pengine.status.cluster import Role
from pengine.schedule.ticket_rules import Ticket, ticket_from_state

NODES = ["node1", "node2"]
FENCE = primitive("fencing", cls="stonith", provider=None, type_="fence_dummy")


def _ticket(policy: str | None = None, role: str | None = None, rsc: str = "rsc1") -> str:
    extra = f' loss-policy="{policy}"' if policy else ""
    extra += f' rsc-role="{role}"' if role else ""
    return f'<rsc_ticket id="rsc1-needs-T" rsc="{rsc}" ticket="T"{extra}/>'


def _run(policy=None, ticket=None, running=True, fencing=False, role=None,
         resources=None, rsc="rsc1"):
    resources = resources or [primitive("rsc1")]
    props = {}
    if fencing:
        resources = [FENCE] + resources
        props["stonith-enabled"] = "true"
    text = cib_xml(NODES, resources, [_ticket(policy, role, rsc)], properties=props,
                   tickets={"T": ticket} if ticket is not None else None,
                   running={"rsc1": "node2", **({"fencing": "node1"} if fencing else {})}
                   if running else None,
                   rsc_classes={"fencing": ("stonith", None, "fence_dummy")})
    return schedule_xml(text)


def test_ticket_state_parsing():
    state = m.TicketState(id="T", attributes=[("granted", "true"), ("standby", "yes"),
                                              ("last-granted", "1700000000")])
    assert ticket_from_state(state) == Ticket("T", True, True, 1700000000, {
        "granted": "true", "standby": "yes", "last-granted": "1700000000"})
    assert ticket_from_state(m.TicketState(id="U")).granted is False


def test_granted_ticket_changes_nothing():
    sch = _run("stop", {"granted": "true"})
    assert placement(sch) == {"rsc1": "node2"}


def test_unknown_ticket_is_not_granted():
    sch = _run(None, None, running=False)
    assert placement(sch) == {"rsc1": None}
    assert isinstance(sch.tickets["T"], Ticket)


@pytest.mark.parametrize("policy", [None, "stop", "demote"])
def test_revoked_ticket_stops(policy):
    sch = _run(policy, {"granted": "false"})
    assert placement(sch) == {"rsc1": None}
    allowed = sch.find_resource("rsc1").allowed
    assert all(weight.score == -1000000 for weight in allowed.values())


def test_standby_ticket_stops():
    sch = _run("freeze", {"granted": "true", "standby": "true"})
    assert placement(sch) == {"rsc1": None}


def test_freeze_keeps_it_where_it_is():
    sch = _run("freeze", {"granted": "false"})
    rsc = sch.find_resource("rsc1")
    assert not rsc.managed and rsc.blocked
    assert placement(sch) == {"rsc1": "node2"}


def test_freeze_of_inactive_resource_just_keeps_it_stopped():
    sch = _run("freeze", {"granted": "false"}, running=False)
    assert sch.find_resource("rsc1").managed
    assert placement(sch) == {"rsc1": None}


def test_fence_loss_policy_fences_the_node():
    sch = _run("fence", {"granted": "false"}, fencing=True)
    fenced = [a for a in sch.actions if a.task == "stonith"]
    assert [a.node.name for a in fenced] == ["node2"]
    assert fenced[0].reason == "deadman ticket was lost"
    assert placement(sch)["rsc1"] is None


def test_fence_without_fencing_falls_back_to_stop():
    sch = _run("fence", {"granted": "false"})
    assert not any(a.task == "stonith" for a in sch.actions)
    assert sch.ticket_constraints[0].loss_policy == "stop"
    assert placement(sch) == {"rsc1": None}


def test_role_filter_for_fence():
    # the constraint is for the Promoted role only: a started resource is spared
    sch = _run("fence", {"granted": "false"}, fencing=True, role="Promoted")
    assert not any(a.task == "stonith" for a in sch.actions)
    assert sch.ticket_constraints[0].role == Role.PROMOTED


def test_default_loss_policy_for_promoted_role_is_demote():
    sch = _run(None, {"granted": "false"}, role="Promoted")
    assert sch.ticket_constraints[0].loss_policy == "demote"
    # only promotion is lost: the resource itself may keep running
    assert placement(sch) == {"rsc1": "node2"}


def test_ticket_on_group_applies_to_members():
    resources = [group("g", primitive("rsc1"), primitive("rsc2"))]
    sch = _run("stop", {"granted": "false"}, resources=resources, rsc="g")
    assert placement(sch) == {"rsc1": None, "rsc2": None}


def test_ticket_with_resource_set_and_tag():
    text = cib_xml(NODES, [primitive("a"), primitive("b"), primitive("c")], [
        '<rsc_ticket id="t1" ticket="T"><resource_set id="s1">'
        '<resource_ref id="a"/><resource_ref id="b"/></resource_set></rsc_ticket>'],
        tickets={"T": {"granted": "false"}})
    assert placement(schedule_xml(text)) == {"a": None, "b": None, "c": "node1"}
    tagged = text.replace("</constraints>", "</constraints><tags><tag id=\"web\">"
                          "<obj_ref id=\"c\"/></tag></tags>").replace(
        "</rsc_ticket>", "</rsc_ticket><rsc_ticket id=\"t2\" rsc=\"web\" ticket=\"T\"/>")
    assert placement(schedule_xml(tagged)) == {"a": None, "b": None, "c": None}


def test_missing_resource_is_ignored_with_a_warning():
    text = cib_xml(NODES, [primitive("rsc1")], [_ticket("stop", rsc="nosuch")],
                   tickets={"T": {"granted": "false"}})
    sch = schedule_xml(text)
    assert placement(sch) == {"rsc1": "node1"}
    assert any("nosuch" in w for w in sch.warnings)


# -------------------------------------------------------------- injection --

def test_ticket_injections(tmp_path):
    from conftest import run_pengine
    text = cib_xml(NODES, [primitive("rsc1")], [_ticket("stop")],
                   tickets={"T": {"granted": "true"}})
    path = tmp_path / "cib.xml"
    path.write_text(text)
    revoked = run_pengine("simulate", "-x", path, "-S", "-r", "T")
    assert revoked.returncode == 0, revoked.stderr
    assert "  * Revoking ticket T" in revoked.stdout
    assert "rsc1\t(ocf:pacemaker:Dummy):\t Stopped" in revoked.stdout.split("Revised")[1]
    standby = run_pengine("simulate", "-x", path, "-S", "-b", "T", "-e", "T")
    assert "  * Making ticket T standby" in standby.stdout
    assert "  * Activating ticket T" in standby.stdout
    assert "Started node1" in standby.stdout.split("Revised")[1]
    # grants are applied before revocations, as crm_simulate does
    both = run_pengine("simulate", "-x", path, "-S", "-r", "T", "-g", "T")
    assert "Stopped" in both.stdout.split("Revised")[1]
    revoked_cib = tmp_path / "revoked.xml"
    revoked_cib.write_text(text.replace('granted="true"', 'granted="false"'))
    out = tmp_path / "out.xml"
    granted = run_pengine("simulate", "-x", revoked_cib, "-S", "-g", "T", "-O", out)
    assert "  * Granting ticket T" in granted.stdout
    assert "Started node1" in granted.stdout.split("Revised")[1]
    assert 'granted="true"' in out.read_text()
