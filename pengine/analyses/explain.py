"""Why is a resource where it is, or why is it not running?

``explain(cib, now, rsc_id)`` schedules with the score journal open
(``pengine.journal``), then tells, for each node, the final score and every
term that built it (which constraint, default, stickiness, fail count or
colocation, with its position in the configuration), where the resource goes
and why.  For a resource that will not run it also looks for the smallest
set of constraints and settings whose removal would let it run, by
elimination: the scheduler is run again without each candidate, then
without pairs of them.
"""

from __future__ import annotations

from datetime import datetime
from itertools import combinations

from attrs import evolve, frozen

from pengine.cib import model as m
from pengine.cib.errors import UsageError
from pengine.common.scores import INFINITY, score_text

MAX_PAIRS = 120   # re-runs of the scheduler spent looking for two-blocker causes


@frozen
class Blocker:
    """Something whose removal is tried: a constraint, or a meta-attribute."""

    kind: str            # constraint | meta
    ident: str           # constraint id, or "RSC target-role"
    where: str = ""

    def describe(self) -> str:
        if self.kind == "failcount":
            rsc, node = self.ident.split("@")
            return f"the fail count of {rsc} on {node} (crm resource cleanup {rsc} {node})"
        text = f"{self.kind} {self.ident}" if self.kind == "constraint" else self.ident
        return f"{text} [{self.where}]" if self.where else text


def _score(value: int | None) -> str:
    if value is None:
        return "unset"
    if value >= INFINITY:
        return "+INFINITY"
    if value <= -INFINITY:
        return "-INFINITY"
    return f"{value:+d}"



def _spans(cib: m.Cib) -> dict[str, str]:
    spans = {}
    config = cib.configuration
    for item in list(config.constraints) + list(m.walk_resources(config.resources)):
        span = getattr(item, "span", None)
        if span is not None and getattr(item, "id", None):
            spans[item.id] = f"{span.file}:{span.line}:{span.column}"
    return spans


def _primitives(sch, rsc_id: str):
    rsc = sch.find_resource(rsc_id)
    if rsc is None:
        rsc = next((r for r in sch.all_resources.values()
                    if (r.clone_name or r.id).split(":")[0] == rsc_id), None)
    if rsc is None:
        return None, []
    return rsc, list(rsc.primitives())


def _runs(prim) -> bool:
    """Active after the transition: assigned, and started there or staying."""
    if prim.assigned_node is None:
        return False
    from pengine.status.actions import resource_actions
    if prim.assigned_node in prim.running_on:
        stop = resource_actions(prim, prim.assigned_node, "stop", True)
        if not stop or stop[0].optional or not stop[0].runnable:
            return True
    starts = resource_actions(prim, prim.assigned_node, "start", True)
    return any(start.runnable for start in starts)


def _schedule(cib: m.Cib, now: datetime, record_scores: bool = False):
    from pengine.schedule.driver import schedule
    return schedule(cib, now, record_scores=record_scores)


def _node_states(sch) -> list[str]:
    notes = []
    for node in sch.nodes:
        if node.available():
            continue
        why = ("offline" if not node.online else "unclean" if node.unclean else
               "shutting down" if node.shutdown else "in standby" if node.standby else
               "in maintenance" if node.maintenance else "unavailable")
        notes.append(f"{node.name} is {why}")
    return notes


def _lines_for(prim, entries, spans: dict[str, str], sch=None) -> list[str]:
    lines = []
    by_node: dict[str, list] = {}
    ancestors = {r.id: r for r in _ancestors(prim)}
    for entry in entries:
        if entry.rsc_id == prim.id or entry.rsc_id in ancestors:
            by_node.setdefault(entry.node, []).append(entry)
    weights = sorted(prim.allowed.values(), key=lambda w: (-w.score, w.node.name))
    names = [w.node.name for w in weights] + [n for n in by_node if n not in
                                              {w.node.name for w in weights}]
    width = max([len(n) for n in names] + [4])
    for weight in weights:
        node = weight.node
        state = "" if node.available() else "  (cannot run resources here)"
        lines.append(f"  {node.name:<{width}}  {score_text(weight.score)}{state}")
        reached = None
        own = {(e.kind, e.source) for e in by_node.get(node.name, []) if e.rsc_id == prim.id}
        for entry in by_node.get(node.name, []):
            if entry.rsc_id != prim.id and (entry.kind, entry.source) in own:
                continue        # the collective's term, passed down to this member
            before = 0 if entry.before is None else entry.before
            if entry.after <= -INFINITY or entry.after >= INFINITY or \
                    before <= -INFINITY or before >= INFINITY:
                change = f"-> {score_text(entry.after)}"
            else:
                change = _score(entry.after - before)
            source = entry.source
            where = spans.get(source.split(" ")[0])
            text = {"default": "symmetric cluster: every node allowed",
                    "stickiness": "resource-stickiness: stay where it runs",
                    "failure": "fail count reached migration-threshold"
                    if source == "__fail_limit__" else "a stop failed here",
                    "role": "target-role=Stopped",
                    "unmanaged": "unmanaged: stays where it is",
                    "utilization": "placement-strategy: not enough capacity left",
                    }.get(entry.kind, f"{entry.kind} {source}")
            if entry.kind == "failure" and source == "__fail_limit__" and sch is not None:
                note = fail_count_note(sch, prim, node)
                text = f"{text}: {note}" if note else text
            if entry.rsc_id != prim.id:
                if entry.kind == "default":
                    continue        # the collective's own symmetric default says nothing new
                text += f" (on {entry.rsc_id})"
            if where:
                text += f" [{where}]"
            if entry.rsc_id == prim.id:
                reached = entry.after
            lines.append(f"  {'':<{width}}    {change:>10}  {text}")
        if reached != weight.score and prim.parent is not None:
            lines.append(f"  {'':<{width}}    {_gap(reached, weight.score):>10}  "
                         f"{_instance_term(prim, node, weight.score)}")
    return lines


def _gap(reached, score) -> str:
    if reached is None or score <= -INFINITY or score >= INFINITY or \
            reached <= -INFINITY or reached >= INFINITY:
        return f"-> {score_text(score)}"
    return _score(score - reached)


def _instance_term(prim, node, score) -> str:
    """The term a collective's placement of its instances added, which the
    journal of constraints does not hold."""
    top = prim.parent
    while top.parent is not None and top.variant not in ("clone", "bundle"):
        top = top.parent
    if top.variant not in ("clone", "bundle"):
        return f"from {prim.parent.id}'s placement of its members"
    others = [p for p in top.primitives() if p is not prim and p.assigned_node is node
              and p.id.split(":")[0] == prim.id.split(":")[0]]
    if score <= -INFINITY and others:
        return (f"{top.id} places at most clone-node-max={top.clone_node_max} instance(s) on "
                f"a node: {', '.join(o.id for o in others)} took {node.name}")
    if score <= -INFINITY and prim.assigned_node is not None:
        return (f"closed to this instance while {top.id} placed its instances (it went to "
                f"{prim.assigned_node.name}; per-node limits and the nodes {top.id} may use)")
    if score <= -INFINITY:
        return (f"{top.id} runs at most clone-max={top.clone_max} instances: this one is "
                "left without a node")
    return f"{top.id}'s instance placement (its own scores, colocations and stickiness)"


def _blockers(cib: m.Cib, sch, rsc, entries, spans) -> list[Blocker]:
    """Candidates: constraints that touched the resource's scores or name it
    (or a resource it is colocated with), and its target-role/is-managed."""
    ids = set()
    related = {rsc.id} | {p.id for p in rsc.primitives()}
    top = rsc.top(include_bundle=True)
    related.add(top.id)
    for entry in entries:
        if entry.rsc_id in related and entry.kind in ("location", "colocation"):
            ids.add(entry.source.split(" ")[0])
    config_ids = {(r.config.id if getattr(r.config, "id", None) else r.id) for r in
                  [rsc, top] + list(rsc.primitives())}
    for cons in cib.configuration.constraints:
        names = set()
        for attr in ("rsc", "with_rsc", "first", "then"):
            value = getattr(cons, attr, None)
            if value:
                names.add(value)
        for rset in getattr(cons, "resource_sets", ()):
            names.update(rset.resources)
        if names & config_ids:
            ids.add(cons.id)
    found = [c.id for c in cib.configuration.constraints if c.id in ids]
    blockers = [Blocker("constraint", cid, spans.get(cid, "")) for cid in found]
    for item in m.walk_resources(cib.configuration.resources):
        if getattr(item, "id", None) not in config_ids:
            continue
        for attr_set in getattr(item, "meta", ()):
            for pair in attr_set.nvpairs:
                if pair.name in ("target-role", "is-managed") and pair.value is not None:
                    if (pair.name == "target-role" and pair.value.lower() != "started") or \
                            (pair.name == "is-managed" and pair.value.lower() in
                             ("false", "no", "off", "0")):
                        blockers.append(Blocker("meta", f"{item.id} {pair.name}={pair.value}",
                                                spans.get(item.id, "")))
    for entry in entries:
        if entry.rsc_id in related and entry.kind == "failure" \
                and entry.source == "__fail_limit__":
            base = entry.rsc_id.split(":")[0]
            blocker = Blocker("failcount", f"{base}@{entry.node}")
            if blocker not in blockers:
                blockers.append(blocker)
    return blockers


def _without(cib: m.Cib, removed: tuple[Blocker, ...]) -> m.Cib:
    from pengine.transitions.scenario import _clear_failures
    for blocker in removed:
        if blocker.kind == "failcount":
            rsc, node = blocker.ident.split("@")
            cib = _clear_failures(cib, rsc, node)
    drop = {b.ident for b in removed if b.kind == "constraint"}
    meta = {(b.ident.split(" ")[0], b.ident.split(" ")[1].split("=")[0])
            for b in removed if b.kind == "meta"}
    config = cib.configuration
    constraints = tuple(c for c in config.constraints if c.id not in drop)

    def strip(item):
        if isinstance(item, m.Group):
            item = evolve(item, children=tuple(strip(c) for c in item.children))
        elif isinstance(item, m.Clone):
            item = evolve(item, child=strip(item.child))
        names = {name for rid, name in meta if rid == item.id}
        if names and hasattr(item, "meta"):
            item = evolve(item, meta=tuple(
                evolve(s, nvpairs=tuple(p for p in s.nvpairs if p.name not in names))
                for s in item.meta))
        return item
    resources = tuple(strip(r) for r in config.resources)
    return evolve(cib, configuration=evolve(config, constraints=constraints,
                                            resources=resources))


def smallest_blocking_sets(cib: m.Cib, now: datetime, rsc_id: str,
                           blockers: list[Blocker]) -> tuple[list[tuple[Blocker, ...]], bool]:
    """Removal sets (one blocker, else two) after which the resource runs;
    the flag says whether the search was exhaustive."""
    def runs_without(removed) -> bool:
        sch = _schedule(_without(cib, removed), now)
        _, prims = _primitives(sch, rsc_id)
        return any(_runs(p) for p in prims)

    singles = [(b,) for b in blockers if runs_without((b,))]
    if singles:
        return singles, True
    pairs = []
    tried = 0
    for pair in combinations(blockers, 2):
        if tried >= MAX_PAIRS:
            return pairs, False
        tried += 1
        if runs_without(pair):
            pairs.append(pair)
    return pairs, True


def explain(cib: m.Cib, now: datetime, rsc_id: str) -> list[str]:
    from pengine.common import journal
    from pengine.status.cluster import Role
    with journal.recording() as entries:
        sch = _schedule(cib, now, record_scores=True)   # promotion scores in sch.score_log
    rsc, prims = _primitives(sch, rsc_id)
    if rsc is None:
        known = ", ".join(sorted({(r.clone_name or r.id).split(":")[0]
                                  for r in sch.all_resources.values()}))
        raise UsageError(f"no resource '{rsc_id}' in the configuration (known: {known})")
    spans = _spans(cib)
    lines: list[str] = []
    running = [p for p in prims if _runs(p)]
    for prim in prims:
        now_on = ("runs on " + ", ".join(n.name for n in prim.running_on)) \
            if prim.running_on else "is stopped"
        role = " as Promoted" if prim in running and prim.next_role == Role.PROMOTED else ""
        after = f"runs on {prim.assigned_node.name}{role}" if prim in running else "is stopped"
        lines.append(f"{prim.id} {now_on} now and {after} after the transition.")
        lines.append("  Scores (highest first), and the terms that built them:")
        lines += ["  " + line for line in _lines_for(prim, entries, spans, sch)]
        lines += ["  " + line for line in _promotion_lines(sch, prim, prim in running)]
        if prim in running:
            lines.append("  " + _why_here(prim))
        else:
            lines += ["  " + line for line in _why_not(sch, prim, entries)]
        lines.append("")
    notes = _node_states(sch)
    if notes:
        lines.append("Nodes that cannot run resources: " + "; ".join(notes) + ".")
    if not running:
        blockers = _blockers(cib, sch, rsc, entries, spans)
        sets, complete = smallest_blocking_sets(cib, now, rsc_id, blockers) if blockers \
            else ([], True)
        if sets and len(sets[0]) == 1:
            lines.append(f"{rsc_id} would run if any one of these were removed or cleared:")
            lines += [f"  - {s[0].describe()}" for s in sets]
        elif sets:
            lines.append(f"{rsc_id} would run if both of a pair were removed:")
            lines += [f"  - {a.describe()} and {b.describe()}" for a, b in sets]
        elif blockers:
            lines.append(f"Removing no one or two of its constraints and settings lets {rsc_id} "
                         f"run{'' if complete else ' (search stopped early)'}: what stops it is "
                         "outside them (node states, quorum, failures, other resources).")
    return lines


def _why_here(prim) -> str:
    chosen = prim.assigned_node
    best = prim.allowed.get(chosen.id)
    others = sorted((w for w in prim.allowed.values()
                     if w.node is not chosen and w.node.available()),
                    key=lambda w: -w.score)
    score = best.score if best is not None else 0
    if not others:
        return f"{chosen.name} is the only node that can run it (score {score_text(score)})."
    runner_up = others[0]
    if runner_up.score < score:
        return (f"{chosen.name} has the highest score ({score_text(score)}; next "
                f"{runner_up.node.name} with {score_text(runner_up.score)}).")
    return (f"{chosen.name} ties with {runner_up.node.name} at {score_text(score)}: Pacemaker "
            "prefers the node with fewer resources assigned, then the node it already "
            "runs on, then the node name.")


def _why_not(sch, prim, entries=None) -> list[str]:
    """Why a primitive will not run: the scheduler's own reasons first (the
    cluster's settings, then the resource's), then node by node."""
    from pengine.status.actions import resource_actions
    from pengine.status.cluster import Role
    reasons = _cluster_reasons(sch)
    if prim.target_role == Role.STOPPED or prim.next_role == Role.STOPPED and \
            prim.meta.get("target-role", "").lower() == "stopped":
        reasons.append("its target-role is Stopped.")
    if not prim.managed and not reasons:
        reasons.append(_unmanaged_reason(sch, prim))
    if prim.assigned_node is None:
        usable = [w for w in prim.allowed.values() if w.node.available() and w.score >= 0]
        if not usable:
            per_node = _node_reasons(sch, prim, entries)
            reasons.append("no node can run it: " + ("; ".join(per_node) if per_node else
                           "every node is banned (negative score) or cannot run resources")
                           + ".")
        elif not sch.quorate and sch.no_quorum_policy.name == "STOP":
            reasons.append("the cluster has no quorum (no-quorum-policy=stop).")
    else:
        for start in resource_actions(prim, prim.assigned_node, "start", True):
            if not start.runnable:
                why = start.reason or "a required action cannot run"
                reasons.append(f"it would go to {prim.assigned_node.name}, but its start is "
                               f"blocked: {why}.")
    if not reasons:
        reasons.append("it is not placed anywhere.")
    return ["It will not run: " + reasons[0]] + [f"Also: {r}" for r in reasons[1:]]


def _cluster_reasons(sch) -> list[str]:
    """Settings of the whole cluster that keep every resource where it is."""
    if sch.fencing_enabled and not sch.have_fencing:
        return ["fencing is enabled (stonith-enabled) but no fencing device is configured: "
                "Pacemaker starts no resource until one is (define a stonith resource, or "
                "set stonith-enabled=false)."]
    if sch.maintenance_mode:
        return ["the cluster is in maintenance-mode: it starts and stops nothing."]
    if sch.stop_all:
        return ["stop-all-resources is set: every resource stops."]
    return []


def _unmanaged_reason(sch, prim) -> str:
    if prim.maintenance:
        node = prim.running_on[0] if prim.running_on else None
        if node is not None and node.maintenance:
            return f"its node {node.name} is in maintenance: the cluster leaves it as it is."
        return "it is in maintenance (maintenance=true): the cluster leaves it as it is."
    if prim.blocked:
        return ("it is blocked: it failed in a way the cluster cannot recover from by itself "
                "(on-fail=block, a stop that failed where the node cannot be fenced, "
                "multiple-active=block, or a ticket lost with loss-policy=freeze); "
                f"crm resource cleanup {prim.id.split(':')[0]} clears it.")
    for rsc in [prim] + _ancestors(prim):
        if (rsc.meta.get("is-managed") or "").lower() in ("false", "no", "off", "0", "n"):
            return f"is-managed=false on {rsc.id}: the cluster leaves it as it is."
    return "it is unmanaged: the cluster leaves it as it is."


def _ancestors(rsc) -> list:
    out = []
    while rsc.parent is not None:
        rsc = rsc.parent
        out.append(rsc)
    return out


def _node_reasons(sch, prim, entries) -> list[str]:
    """Node by node, why this node cannot take the primitive."""
    out = []
    for node in sorted(sch.nodes, key=lambda n: n.name):
        weight = prim.allowed.get(node.id)
        if not node.available():
            out.append(f"{node.name} {_node_state(node)}")
        elif weight is None:
            out.append(f"{node.name} is not allowed (symmetric-cluster=false and no location "
                       "constraint allows it)")
        elif weight.score < 0:
            why = _negative_terms(sch, prim, node, entries)
            out.append(f"{node.name} {score_text(weight.score)}"
                       + (f" ({'; '.join(why)})" if why else ""))
    return out


def _node_state(node) -> str:
    if not node.online:
        return "is offline" + (" (unclean: it must be fenced first)" if node.unclean else "")
    if node.unclean:
        return "is unclean (it must be fenced first)"
    if node.shutdown:
        return "is shutting down"
    if node.standby:
        return "is in standby"
    if node.maintenance:
        return "is in maintenance"
    return "cannot run resources"


def _negative_terms(sch, prim, node, entries) -> list[str]:
    """What banned the primitive from the node: the journal's terms when there
    is one, else the location constraints and fail counts the scheduler kept."""
    terms: list[str] = []
    related = {prim.id} | {r.id for r in _ancestors(prim)}
    if entries:
        for entry in entries:
            if entry.rsc_id in related and entry.node == node.name and \
                    (entry.after <= -INFINITY or (entry.before or 0) > entry.after) and \
                    entry.kind != "failure":
                terms.append(f"{entry.kind} {entry.source}")
    else:
        for rsc in [prim] + _ancestors(prim):
            for location in rsc.locations:
                if location.role is not None:
                    continue        # a role's constraint bans the role, not the node
                for item in location.nodes:
                    where, score = (item.node, item.score) if hasattr(item, "node") else item
                    if where is node and score < 0:
                        terms.append(f"location {location.id}")
        weight = prim.allowed.get(node.id)
        if not terms and prim.parent is not None and weight is not None:
            terms.append(_instance_term(prim, node, weight.score))
    expiry = fail_count_note(sch, prim, node)
    if expiry:
        terms.append(expiry)
    return list(dict.fromkeys(terms))


def fail_count_note(sch, prim, node) -> str | None:
    """"fail-count 3 >= migration-threshold 3, expires at 10:08:20, then node1
    is eligible again" for a primitive its fail count bans from the node."""
    from pengine.common.dates import format_datetime, from_epoch
    from pengine.status.failcounts import get_failcount
    threshold = prim.migration_threshold
    if threshold <= 0 or threshold >= INFINITY or prim.ignore_failure:
        return None
    timeout_ms = prim.failure_timeout_ms
    count, last = get_failcount(sch, node, prim, effective=True, launched=True, with_last=True)
    if count < threshold:
        return None
    text = f"fail-count {score_text(count).lstrip('+')} \u2265 migration-threshold {threshold}"
    if timeout_ms > 0 and last > 0:
        expires = format_datetime(from_epoch(last + timeout_ms // 1000))
        return (f"{text}, expires at {expires} (failure-timeout), then {node.name} is "
                "eligible again")
    return (f"{text}, never expires (no failure-timeout): crm resource cleanup "
            f"{prim.id.split(':')[0]} {node.name} clears it")


def _promotable_parent(prim):
    for rsc in _ancestors(prim):
        if rsc.variant in ("clone", "bundle") and rsc.promotable:
            return rsc
    return None


def _promotion_lines(sch, prim, runs: bool) -> list[str]:
    """A promotable instance's promotion scores (as ``simulate -s`` prints
    them) and why it is, or is not, promoted."""
    from pengine.status.cluster import Role
    clone = _promotable_parent(prim)
    if clone is None:
        return []
    head = f"{prim.id} promotion score"
    scores = [line.split(head, 1)[1].strip() for line in sch.score_log
              if line.startswith(head)]
    out = ["  Promotion scores: " + ("; ".join(scores) if scores else "none recorded")]
    promoted = [p for p in clone.primitives() if p.next_role == Role.PROMOTED
                and p.assigned_node is not None and _runs(p)]
    if runs and prim.next_role == Role.PROMOTED:
        out.append(f"  Promoted: it has one of the {clone.promoted_max} highest promotion "
                   f"scores of {clone.id} (promoted-max={clone.promoted_max}).")
    elif not runs:
        out.append("  Not promoted: it does not run.")
    elif prim.promotion_priority < 0 or (scores and scores[-1].endswith("-INFINITY")):
        out.append("  Not promoted: its promotion score is negative (no promotion score set "
                   "by the agent on this node, or a constraint keeps the Promoted role away).")
    elif sum(p.assigned_node is prim.assigned_node for p in promoted) >= \
            clone.promoted_node_max:
        here = [p.id for p in promoted if p.assigned_node is prim.assigned_node]
        out.append(f"  Not promoted: promoted-node-max={clone.promoted_node_max} and "
                   f"{', '.join(here)} is promoted on {prim.assigned_node.name}.")
    elif len(promoted) >= clone.promoted_max:
        out.append(f"  Not promoted: promoted-max={clone.promoted_max} and "
                   f"{', '.join(p.id + ' on ' + p.assigned_node.name for p in promoted)} "
                   "scored higher.")
    else:
        out.append("  Not promoted: the Promoted role is not wanted here (target-role, "
                   "quorum or a dependency on another resource).")
    return out
