"""Shared constraint plumbing: resource lookup, templates and tags.  The phase that unpacks
the constraints, kind by kind, is ``unpack_constraints`` in pengine.schedule.driver."""

from __future__ import annotations

from attrs import evolve

from pengine.cib import model as m
from pengine.status.cluster import Resource, Scheduler


def constraint_resource(sch: Scheduler, rsc_id: str | None) -> Resource | None:
    """pcmk__find_constraint_resource: the resource a constraint names.

    A name that only a clone instance's history answers to (an anonymous
    instance recorded under its base name) stands for the whole clone; a
    cloned child's configured id alone matches nothing (find_rsc with
    pcmk_rsc_match_history).
    """
    if rsc_id is None:
        return None
    rsc = sch.all_resources.get(rsc_id)
    if rsc is not None and rsc.instance_number is None and not rsc.removed:
        return rsc
    for top in sch.resources:
        found = _find_by_clone_name(top, rsc_id)
        if found is not None:
            return found.top() if found.id != rsc_id else found
    return None


def _find_by_clone_name(rsc: Resource, rsc_id: str) -> Resource | None:
    if rsc.id == rsc_id or rsc.history_id == rsc_id:
        return rsc
    for child in rsc.children:
        found = _find_by_clone_name(child, rsc_id)
        if found is not None:
            return found
    return None


def tag_members(sch: Scheduler, ref: str) -> list[str] | None:
    """Resource ids a template or tag stands for (None when it is neither)."""
    if ref in sch.templates:
        return [cfg.id for cfg in m.walk_resources(sch.cib.configuration.resources)
                if isinstance(cfg, m.Primitive) and cfg.template == ref]
    if ref in sch.tags:
        return [r for r in sch.tags[ref]]
    return None


def expand_tags(sch: Scheduler, cons):
    """Replace template/tag references with equivalent resource sets."""
    if cons.resource_sets:
        new_sets = []
        changed = False
        for rset in cons.resource_sets:
            refs = []
            for rid in rset.resources:
                members = tag_members(sch, rid) if sch.all_resources.get(rid) is None else None
                if members is not None:
                    refs.extend(members)
                    changed = True
                else:
                    refs.append(rid)
            new_sets.append(evolve(rset, resources=tuple(refs)))
        return evolve(cons, resource_sets=tuple(new_sets)) if changed else cons
    if isinstance(cons, m.Order):
        return _expand_pair(sch, cons, "first", "then", "first_action", "then_action", None, None)
    if isinstance(cons, m.Colocation):
        return _expand_pair(sch, cons, "rsc", "with_rsc", None, None, "rsc_role", "with_rsc_role")
    if isinstance(cons, m.TicketConstraint) and cons.rsc is not None:
        members = tag_members(sch, cons.rsc) if sch.all_resources.get(cons.rsc) is None else None
        if members is not None:
            return evolve(cons, rsc=None, rsc_role=None, resource_sets=(
                m.ResourceSet(resources=tuple(members), id=cons.rsc, role=cons.rsc_role),))
    if isinstance(cons, m.Location) and cons.rsc is not None:
        members = tag_members(sch, cons.rsc) if sch.all_resources.get(cons.rsc) is None else None
        if members is not None:
            return evolve(cons, rsc=None, resource_sets=(
                m.ResourceSet(resources=tuple(members), id=cons.rsc),))
    return cons


def _expand_pair(sch: Scheduler, cons, attr1, attr2, act1, act2, role1, role2):
    id1, id2 = getattr(cons, attr1), getattr(cons, attr2)
    if id1 is None or id2 is None:
        return cons
    tag1 = tag_members(sch, id1) if sch.all_resources.get(id1) is None else None
    tag2 = tag_members(sch, id2) if sch.all_resources.get(id2) is None else None
    if tag1 is None and tag2 is None:
        return cons
    if tag1 is not None and tag2 is not None and isinstance(cons, m.Colocation):
        return None  # two templates/tags cannot be colocated

    def make_set(ref, members, action_attr, role_attr):
        return m.ResourceSet(resources=tuple(members if members is not None else [ref]), id=ref,
                             action=getattr(cons, action_attr) if action_attr else None,
                             role=getattr(cons, role_attr) if role_attr else None,
                             # pcmk__tag_to_set: a tag's (or template's) members are unordered
                             sequential="false" if members is not None else None)
    if tag1 is None and tag2 is None:
        return cons
    # a reference to one resource stays a plain attribute in Pacemaker, but a set
    # of one resource behaves the same way
    set1 = make_set(id1, tag1, act1, role1)
    set2 = make_set(id2, tag2, act2, role2)
    fields = {attr1: None, attr2: None, "resource_sets": (set1, set2)}
    if act1:
        fields[act1] = None
        fields[act2] = None
    if role1:
        fields[role1] = None
        fields[role2] = None
    return evolve(cons, **fields)
