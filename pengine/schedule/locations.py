"""Location constraints, from configuration to allowed-node scores.

Follows pcmk_sched_location.c: a constraint with a node and score, or with
rules (one location per rule, matching nodes scored by the rule's score or
``score-attribute``), for one resource, a resource set or an ``rsc-pattern``.
"""

from __future__ import annotations


from pengine.cib import model as m
from pengine.status.cluster import Location, NodeWeight, Resource, Role, Scheduler
from pengine.rules.rules import RuleContext, location_role_filter, location_rule_score, rule_next_change
from pengine.common.scores import add_scores, parse_score_checked

_PROBE_MODES = {"always": 0, "never": 1, "exclusive": 2}


def _role(text: str | None):
    """(ok, Role filter or None)."""
    try:
        name = location_role_filter(text)
    except ValueError:
        return False, None
    if name is None:
        return True, None
    return True, Role.STOPPED if name == "Stopped" else Role.PROMOTED


def new_location(sch: Scheduler, lid: str, rsc: Resource, discover: str | None,
                 nodes: list) -> Location | None:
    mode = (discover or "always").lower()
    if mode not in _PROBE_MODES:
        sch.warnings.append(f"Invalid resource-discovery '{discover}' in {lid}")
        mode = "always"
    if mode == "exclusive":
        rsc.exclusive_discover = True
    location = Location(lid, rsc, None, mode, nodes)
    sch.locations.append(location)
    rsc.locations.append(location)
    return location


def unpack_location(sch: Scheduler, cons: m.Location) -> None:
    cons = expand_tags(sch, cons)
    if cons is None:
        return
    if cons.resource_sets:
        for rset in cons.resource_sets:
            for rid in rset.resources:
                rsc = constraint_resource(sch, rid)
                if rsc is None:
                    return
                _unpack_rsc_location(sch, cons, rsc, rset.role, rset.score, None)
        return
    if cons.rsc is not None:
        rsc = constraint_resource(sch, cons.rsc)
        if rsc is not None:
            _unpack_rsc_location(sch, cons, rsc, None, None, None)
    if cons.rsc_pattern is not None:
        pattern = cons.rsc_pattern
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:]
        from pengine.rules.patterns import PatternError, PatternTimeout, compile_pattern, deadline, search
        try:
            regex = compile_pattern(pattern)
        except PatternError:
            sch.warnings.append(f"Invalid rsc-pattern '{cons.rsc_pattern}' in {cons.id}")
            return
        until = deadline()
        for rsc in list(sch.resources):
            try:
                match = search(regex, rsc.id, until)
            except PatternTimeout:
                from pengine.cib.errors import InputError
                raise InputError(f"rsc-pattern '{cons.rsc_pattern}' of {cons.id} takes too long "
                                 f"to match '{rsc.id}'", cons.span,
                                 hint="simplify the pattern (nested repetition such as "
                                      "(a+)+ backtracks)") from None
            if not invert and match is not None:
                _unpack_rsc_location(sch, cons, rsc, None, None, match)
            elif invert and match is None:
                _unpack_rsc_location(sch, cons, rsc, None, None, None)


def _unpack_rsc_location(sch: Scheduler, cons: m.Location, rsc: Resource, role_spec, score,
                         match) -> None:
    if score is None:
        score = cons.score
    if cons.node is not None and score is not None:
        value, valid = parse_score_checked(score, 0)
        if not valid:
            return
        node = sch.find_node(cons.node)
        if node is None:
            return
        ok, role = _role(role_spec if role_spec is not None else cons.role)
        if not ok:
            return
        location = new_location(sch, cons.id, rsc, cons.resource_discovery, [(node, value)])
        location.role = role
        return
    rules_by_id = _rules_by_id(sch)
    for rule in cons.rules:
        _location_rule(sch, rsc, rule, cons.resource_discovery, match, rules_by_id, cons.id)


def _rules_by_id(sch: Scheduler) -> dict:
    cached = getattr(sch, "_rules_by_id", None)
    if cached is None:
        cached = {}

        def collect(rule):
            if rule.id:
                cached.setdefault(rule.id, rule)
            for item in rule.expressions:
                if isinstance(item, m.Rule):
                    collect(item)
        for cons in sch.cib.configuration.constraints:
            for rule in getattr(cons, "rules", ()):
                collect(rule)
        sch._rules_by_id = cached
    return cached


def _location_rule(sch: Scheduler, rsc: Resource, rule: m.Rule, discover, match,
                   rules_by_id, cons_id: str) -> None:
    from pengine.rules.rules import location_rule_spec, resolve_rule, submatches
    from pengine.status.unpack import rsc_params
    resolved = resolve_rule(rule, rules_by_id)
    if resolved is None:
        return
    ok, role = _role(resolved.role)
    if not ok:
        return
    # a rule means the same with or without an id (crm text may give none)
    location = new_location(sch, resolved.id or f"{cons_id}-rule", rsc, discover, [])
    location.role = role
    nodes = []
    target = rsc.meta.get("container-attribute-target")
    for node in sch.nodes:
        ctx = RuleContext(node_attributes=node.attrs, now=sch.now,
                          rsc_params=rsc_params(sch, rsc, node), rsc_meta=rsc.meta,
                          rsc_id_match=rsc.id if match is not None else None,
                          rsc_id_submatches=submatches(match) if match is not None else ())
        score_attrs = None
        if target == "host" and node.is_guest:
            host = node.remote_rsc.launcher.running_on
            score_attrs = host[0].attrs if host else {}
        score = location_rule_score(resolved, ctx, rules_by_id, score_attrs)
        if score is not None:
            nodes.insert(0, (node, score))
        change = rule_next_change(resolved, ctx, rules_by_id)
        if change is not None:
            when = int(change.timestamp())
            if when > sch.now_epoch and (sch.recheck_by == 0 or when < sch.recheck_by):
                sch.recheck_by = when
    location.nodes = nodes
    _ = location_rule_spec


def apply_location(rsc: Resource, location: Location) -> None:
    """pcmk__apply_location for one resource."""
    if location.role is not None and location.role != rsc.next_role:
        return
    if not location.nodes:
        return
    from pengine.common import journal
    for node, score in location.nodes:
        allowed = rsc.allowed.get(node.id)
        before = None if allowed is None else allowed.score
        if allowed is None:
            # a copy of the node (pe__copy_node), with its own discovery mode:
            # a location never makes a bundle node probe what is not its own
            allowed = NodeWeight(node, score, node.probe_mode)
            rsc.allowed[node.id] = allowed
        else:
            allowed.score = add_scores(allowed.score, score)
        if journal.active():
            journal.note(rsc, node, before, allowed.score, "location", location.id)
        if _PROBE_MODES[allowed.discover] < _PROBE_MODES[location.discover]:
            if location.discover == "exclusive":
                rsc.exclusive_discover = True
            allowed.discover = location.discover


def apply_locations(sch: Scheduler) -> None:
    from pengine.schedule.variants import methods
    for location in reversed(sch.locations):
        methods(location.rsc).apply_location(location.rsc, location)


# Imported here rather than in the functions that use them: a function-level
# ``from a.b import c`` costs about 2 us a call, and these run in the
# scheduler's inner loops.  At the end of the module, after every
# definition, so that the import cycles between the modules resolve.
from pengine.schedule.constraints import constraint_resource, expand_tags  # noqa: E402
