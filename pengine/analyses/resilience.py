"""Is this cluster N+1 safe?  Every single failure, planned at once.

``analyse(cib, now, ...)`` schedules the cluster as it is (the base), then
one what-if after another: every node failing (crm_simulate ``-f``), every
node put in standby (a drain), every resource whose fail count reaches its
``migration-threshold`` on its current node (``-i`` its monitor failing that
many times), with ``depth=2`` every pair of node failures, and custom
what-ifs (simulate's event flags).  Each what-if is the very run ``pengine
simulate`` makes with the same event: the event applied to the CIB
(`transitions.inject`), unpacked, scheduled, summarised; so its transition
equals what simulate prints.

For each what-if the outcome of every service (a top-level resource) is
compared with the base outcome (what the cluster would do with no event):
stopped, blocked, promotion lost, moved, restarted, degraded (a clone runs
fewer instances) or unaffected; with the fencing the what-if requires and
the nodes whose utilization would exceed their capacity.  The summary says
whether the cluster survives every single node failure (N+1 safe), which
node's loss hurts most, which services have no second home and how much
capacity each node has left.

The loaded CIB is shared by every what-if (each event only evolves the
status section of the one frozen model).  A what-if schedules only the
components it can reach (`whatif_scope`), merged with the base outcome of
the others; the unpacked working state itself cannot be shared, since every
scheduler phase mutates it (see benchmarks/README.md for what a what-if
costs).
"""

from __future__ import annotations

import gc
from datetime import datetime
from itertools import combinations

from attrs import evolve, field, frozen

from pengine.cib import model as m
from pengine.cib.errors import PengineError
from pengine.analyses import whatif_scope

#: service outcomes, most severe first; ``--fail-on`` names the first three
STATES = ("stopped", "blocked", "promotion-lost", "degraded", "moved", "restarted", "ok")
FAILING = frozenset({"stopped", "blocked", "promotion-lost"})


@frozen
class WhatIf:
    """One event to plan: its kind, a label, and the simulate flags that make it."""

    kind: str                              # node-failure | standby | migration-threshold | events
    label: str
    flags: tuple[str, ...] = field(converter=tuple)   # simulate's event flags (-f NODE ...)
    nodes: tuple[str, ...] = field(default=(), converter=tuple)   # the nodes it takes away
    standby: tuple[str, ...] = field(default=(), converter=tuple)  # nodes put in standby
    resource: str | None = None
    origin: object = field(default=None, eq=False, repr=False)   # (Span, text) of an events line

    def command(self) -> str:
        flags = " ".join(self.flags)
        if self.standby:
            flags = " ".join(f"(standby {n})" for n in self.standby) + (" " + flags if flags
                                                                      else "")
        return flags


@frozen
class Impact:
    """What one what-if does to one service."""

    service: str
    state: str                             # one of STATES
    details: str = ""                      # the summary lines' gist: "web: node1 -> node2"
    why: tuple[str, ...] = field(default=(), converter=tuple)


@frozen
class Overcommit:
    node: str
    dimension: str
    demand: int
    capacity: int


@frozen
class Outcome:
    """One what-if, planned."""

    what_if: WhatIf
    summary: tuple[str, ...] = field(converter=tuple)   # Transition Summary lines
    impacts: tuple[Impact, ...] = field(converter=tuple)   # services it touches
    fencing: tuple[str, ...] = field(converter=tuple)
    overcommit: tuple[Overcommit, ...] = field(converter=tuple)
    headroom: tuple[tuple[str, str, int], ...] = field(default=(), converter=tuple)
    optimal: tuple[str, ...] = field(default=(), converter=tuple)   # --optimal's findings
    transition: object = field(default=None, eq=False, repr=False)   # kept for --report

    def services_in(self, state: str) -> list[str]:
        return [i.service for i in self.impacts if i.state == state]

    @property
    def failing(self) -> bool:
        return bool(self.overcommit) or any(i.state in FAILING for i in self.impacts)


@frozen
class Analysis:
    services: tuple[str, ...] = field(converter=tuple)
    nodes: tuple[str, ...] = field(converter=tuple)
    base_summary: tuple[str, ...] = field(converter=tuple)
    outcomes: tuple[Outcome, ...] = field(converter=tuple)
    headroom: tuple[tuple[str, str, int, int], ...] = field(converter=tuple)  # node, dim, cap, free
    optimal_now: tuple[str, ...] = field(default=(), converter=tuple)

    def node_failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.what_if.kind == "node-failure"
                and len(o.what_if.nodes) == 1]

    @property
    def n_plus_1_safe(self) -> bool:
        return not any(o.failing for o in self.node_failures())

    def pair_failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.what_if.kind == "node-failure"
                and len(o.what_if.nodes) == 2]

    @property
    def n_plus_2_safe(self) -> bool | None:
        """Whether every pair of node failures is survived (None: --depth 1)."""
        pairs = self.pair_failures()
        if not pairs:
            return None
        return self.n_plus_1_safe and not any(o.failing for o in pairs)

    def weakest_node(self) -> str | None:
        """The node whose failure hurts most (failing services, then overcommits,
        then moves); None when no failure touches anything."""
        best, key = None, (0, 0, 0, 0)
        for outcome in self.node_failures():
            count = {s: len(outcome.services_in(s)) for s in STATES}
            score = (count["stopped"] + count["blocked"], count["promotion-lost"],
                     len(outcome.overcommit), count["moved"] + count["restarted"])
            if score > key:
                best, key = outcome.what_if.nodes[0], score
        return best

    def no_second_home(self) -> list[tuple[str, str]]:
        """(service, node): services that stop when the node they run on fails."""
        found = []
        for outcome in self.node_failures():
            for service in outcome.services_in("stopped"):
                found.append((service, outcome.what_if.nodes[0]))
        return found


# ----------------------------------------------------------- what-ifs --

KINDS = ("node-failure", "standby", "migration-threshold")


def standard_what_ifs(sch, depth: int = 1, kinds=KINDS) -> list[WhatIf]:
    """Every node failure and drain, every resource at its migration-threshold
    on its current node, and with depth 2 every pair of node failures."""
    names = [n.name for n in sch.nodes if not n.is_remote and n.online and not n.unclean]
    out = []
    if "node-failure" in kinds:
        out += [WhatIf("node-failure", f"fail {n}", ("-f", n), nodes=(n,)) for n in names]
    if "standby" in kinds:
        out += [WhatIf("standby", f"standby {n}", (), nodes=(n,), standby=(n,))
                for n in names if not _node_standby(sch, n)]
    if "migration-threshold" in kinds:
        out += threshold_what_ifs(sch)
    if depth >= 2 and "node-failure" in kinds:
        out += [WhatIf("node-failure", f"fail {a} + {b}", ("-f", a, "-f", b), nodes=(a, b))
                for a, b in combinations(names, 2)]
    return out


def _node_standby(sch, name: str) -> bool:
    node = next((n for n in sch.nodes if n.name == name), None)
    return node is not None and node.standby


def threshold_what_ifs(sch) -> list[WhatIf]:
    """A resource with a finite migration-threshold, running on one node,
    whose recurring monitor fails there until the fail count reaches it."""
    from pengine.common.scores import INFINITY
    out = []
    for prim in _primitives(sch):
        threshold = prim.migration_threshold
        if not (0 < threshold < INFINITY) or len(prim.running_on) != 1 or not prim.managed:
            continue
        if threshold > 50:      # injections are one failure each
            continue
        node = prim.running_on[0]
        interval = _monitor_interval(prim)
        if interval is None:
            continue
        name = prim.history_id or prim.id     # an anonymous instance's history is "ping"
        spec = f"{name}_monitor_{interval}@{node.name}=1"
        flags = tuple(x for _ in range(threshold) for x in ("-i", spec))
        out.append(WhatIf("migration-threshold",
                          f"{name} fails {threshold}x on {node.name}", flags,
                          resource=name))
    return out


def _monitor_interval(prim) -> int | None:
    from pengine.common.dates import parse_interval_ms
    intervals = []
    for op in prim.ops:
        if getattr(op, "name", None) != "monitor":
            continue
        try:
            ms = parse_interval_ms(op.interval or "0")
        except Exception:       # noqa: BLE001 - an invalid interval is check's to report
            continue
        if ms and ms > 0 and (op.get("role") or "").lower() not in ("promoted", "master"):
            intervals.append(ms)
    return min(intervals) if intervals else None


def _primitives(sch):
    return [r for r in sch.all_resources.values() if r.variant == "primitive"]


def parse_events(path: str, text: str) -> list[WhatIf]:
    """``--events FILE``: one what-if per line, in simulate's event flags
    (``-f node1 -i web_monitor_10000@node2=1``); ``#`` starts a comment."""
    import argparse
    import shlex
    from pengine.cib.errors import InputError
    from pengine.cib.span import Span
    from pengine.transitions.events import add_event_flags as _event_flags

    class _Raise(argparse.ArgumentParser):
        def error(self, message):
            raise ValueError(message)

    parser = _Raise(prog="events", add_help=False)
    _event_flags(parser)
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.split("#", 1)[0].strip()
        if not stripped:
            continue
        column = len(line) - len(line.lstrip()) + 1
        try:
            words = shlex.split(stripped)
            args = parser.parse_args(words)
        except ValueError as error:
            raise InputError(f"not a simulate event: {error}",
                             Span(path, number, column), text,
                             hint="one what-if per line, with simulate's event flags: "
                                  "-f NODE, -d NODE, -u NODE, -i OPSPEC, -t DATE, -q 0|1, "
                                  "-g/-r/-b/-e TICKET") from None
        if args.optimal or args.op_fail:
            raise InputError("--optimal and -F are not events", Span(path, number, column),
                             text)
        nodes = tuple(args.node_fail) + tuple(args.node_down)
        out.append(WhatIf("events", stripped, tuple(words), nodes=nodes,
                          origin=(Span(path, number, column), text)))
    return out


def _injections(flags):
    import argparse
    from pengine.transitions.events import add_event_flags as _event_flags
    from pengine.transitions.events import injections_from
    parser = argparse.ArgumentParser(add_help=False)
    _event_flags(parser)
    args = parser.parse_args(list(flags))
    return injections_from(args), args.set_datetime


def agent_table(sch) -> dict:
    """Every resource's (variant, class, type, provider, clone name), from one
    unpacked state: what transitions.inject's _find_agent looks up, which the
    what-ifs' events (status changes only) leave as they are."""
    return {r.id: (r.variant, r.cls, r.type, r.provider, r.clone_name)
            for r in sch.all_resources.values()}


def _agent_finder(table: dict):
    def find(cib, rsc_id):
        entry = table.get(rsc_id)
        if entry is None:
            base = rsc_id.split(":", 1)[0]
            entry = next((e for rid, e in table.items() if e[0] == "primitive"
                          and (e[4] == base or rid == base)), None)
        if entry is None or entry[0] != "primitive":
            return None
        return entry[1], entry[2], entry[3]
    return find


def apply_what_if(cib: m.Cib, what_if: WhatIf, now: datetime,
                  agents: dict | None = None) -> tuple[m.Cib, datetime]:
    """The CIB (and time) simulate would schedule for this event."""
    from pengine.transitions.events import effective_date
    from pengine.common.dates import to_epoch
    from pengine.transitions.inject import apply_injections
    if what_if.standby:
        cib = with_standby(cib, what_if.standby)
    if what_if.flags:
        injections, date = _injections(what_if.flags)
        if date:
            now, _ = effective_date(cib, date)
        if injections.any():
            finder = _agent_finder(agents) if agents is not None else None
            _, cib = apply_injections(cib, injections, to_epoch(now), find_agent=finder)
    return cib, now


def with_standby(cib: m.Cib, names) -> m.Cib:
    """The CIB with ``standby=on`` on these nodes (``crm node standby NODE``)."""
    nodes = []
    for node in cib.configuration.nodes:
        if node.uname in names:
            pair = m.NvPair("standby", "on", id=f"nodes-{node.id}-standby")
            sets = list(node.attributes)
            if sets:
                sets[0] = evolve(sets[0], nvpairs=tuple(
                    p for p in sets[0].nvpairs if p.name != "standby") + (pair,))
            else:
                sets = [m.AttrSet(id=f"nodes-{node.id}", nvpairs=(pair,))]
            node = evolve(node, attributes=tuple(sets))
        nodes.append(node)
    return evolve(cib, configuration=evolve(cib.configuration, nodes=tuple(nodes)))


# ----------------------------------------------------------- planning --

@frozen
class _Run:
    """One scheduler run, reduced to what the comparison needs."""

    summary: tuple
    entries: tuple
    placed: dict                # service -> {(primitive, node, role)} (non-clones)
    instances: dict             # service -> (active, promoted) (clones and bundles)
    capacity: dict              # node -> {dimension: capacity}
    demand: dict                # node -> {dimension: demand}
    why: dict                   # primitive -> why it does not run (or is blocked)
    blocked: dict               # service -> its failed primitives the cluster leaves alone
    promotion: dict             # promotable service -> why each instance is (not) promoted
    owners: dict                # service -> its primitives' ids (instances without ":N")
    services: tuple
    nodes: tuple
    transition: object = field(eq=False, repr=False)
    placement: object = field(default=None, eq=False, repr=False)
    loads: dict = field(factory=dict, eq=False, repr=False)   # service -> node -> demand


def schedule_once(cib: m.Cib, now: datetime, *, optimal: bool = False,
                  keep_transition: bool = False, on_unpacked=None) -> _Run:
    """What ``pengine simulate -R`` computes: unpack, the phases, the graph and
    its Transition Summary; then the outcome of every service."""
    from pengine.schedule.driver import PHASES
    from pengine.status.unpack import unpack
    from pengine.schedule.summary import summary_writer
    sch = unpack(cib, now)
    if on_unpacked is not None:
        on_unpacked(sch)
    capacity = {n.name: {k: _int(v) for k, v in n.utilization.items()} for n in sch.nodes}
    sch.optimal = optimal
    for phase in PHASES:
        phase(sch)
    transition = None
    if keep_transition:
        from pengine.transitions.graph import create_graph
        transition = create_graph(sch)
    summary = summary_writer(sch)
    return _outcome_of(sch, summary, capacity, transition)


def _int(text) -> int:
    from pengine.schedule.utilization import utilization_value
    return utilization_value(text)


def _service_of(rsc) -> str:
    return rsc.top(include_bundle=True).id


def _outcome_of(sch, summary, capacity, transition) -> _Run:
    from pengine.status.cluster import Role
    from pengine.analyses.explain import _promotion_lines, _runs, _unmanaged_reason, _why_not
    placed: dict = {}
    instances: dict = {}
    demand: dict = {n.name: {} for n in sch.nodes}
    why: dict = {}
    owners: dict = {}
    blocked: dict = {}
    promotion: dict = {}
    loads: dict = {}
    services = []
    for top in sch.resources:
        service = top.top(include_bundle=True)
        if service is not top:
            continue
        services.append(top.id)
        collective = top.variant in ("clone", "bundle")
        active = promoted = 0
        runs_here = set()
        owners[top.id] = frozenset(p.id.split(":")[0] for p in top.primitives())
        for prim in top.primitives():
            if prim.blocked and prim.failed:      # failed and left as it is (on-fail=block...)
                blocked.setdefault(top.id, []).append(prim.id)
                why[prim.id] = (_unmanaged_reason(sch, prim),)
            if _runs(prim):
                node = prim.assigned_node
                role = prim.next_role if prim.next_role != Role.UNKNOWN else Role.STARTED
                active += 1
                promoted += role == Role.PROMOTED
                runs_here.add((prim.id.split(":")[0], node.name, role.text))
                load = demand.setdefault(node.name, {})
                own = loads.setdefault(top.id, {}).setdefault(node.name, {})
                for key, value in prim.utilization.items():
                    load[key] = load.get(key, 0) + _int(value)
                    own[key] = own.get(key, 0) + _int(value)
            else:
                why[prim.id] = tuple(_why_not(sch, prim))
        if collective:
            instances[top.id] = (active, promoted)
            if top.promotable:
                promotion[top.id] = tuple(
                    f"{prim.id} on {prim.assigned_node.name}: {line.strip()}"
                    for prim in top.primitives() if _runs(prim)
                    for line in _promotion_lines(sch, prim, True)[1:])
            placed[top.id] = frozenset(n for _, n, _ in runs_here)
        else:
            placed[top.id] = frozenset(runs_here)
    entries = []
    for entry in summary.entries:
        rsc = sch.find_resource(entry["resource"]) if entry.get("resource") else None
        entries.append({**entry, "service": _service_of(rsc) if rsc is not None else None})
    return _Run(summary=tuple(summary.lines), entries=tuple(entries), placed=placed,
                instances=instances, capacity=capacity, demand=demand, why=why,
                blocked=blocked, promotion=promotion, owners=owners,
                services=tuple(services), nodes=tuple(n.name for n in sch.nodes),
                transition=transition, placement=sch.placement_report, loads=loads)


def _impacts(base: _Run, run: _Run) -> list[Impact]:
    entries_by: dict[str, list[dict]] = {}
    for entry in run.entries:
        if entry.get("service"):
            entries_by.setdefault(entry["service"], []).append(entry)
    impacts = []
    for service in base.services:
        before = base.placed.get(service, frozenset())
        after = run.placed.get(service, frozenset())
        entries = entries_by.get(service, [])
        details = "; ".join(_gist(e) for e in entries)
        blocked = [e for e in entries if e.get("blocked")] + [
            {"text": f"Blocked {p}", "resource": p, "reason": "failed, left as it is"}
            for p in run.blocked.get(service, ())]
        owned = run.owners.get(service, frozenset())
        whys = [line for prim, lines in run.why.items() if prim.split(":")[0] in owned
                for line in lines]
        if service in base.instances:
            (was, was_promoted), (now, now_promoted) = base.instances[service], \
                run.instances.get(service, (0, 0))
            if was and not now:
                state = "stopped"
            elif blocked:
                state = "blocked"
            elif now_promoted < was_promoted:
                state = "promotion-lost"
            elif now < was:
                state = "degraded"
                details = f"{now} of {was} instances run" + (f"; {details}" if details else "")
            elif any(e.get("change") in ("Move", "Migrate") for e in entries):
                state = "moved"
            elif any(e.get("change") in ("Recover", "Restart") for e in entries):
                state = "restarted"
            else:
                state = "ok"
        else:
            lost = {p for p, _, _ in before} - {p for p, _, _ in after}
            if blocked:
                state = "blocked"
            elif lost:
                state = "stopped"
            elif any(r == "Promoted" for _, _, r in before) and not any(
                    r == "Promoted" for _, _, r in after):
                state = "promotion-lost"
            elif {(p, n) for p, n, _ in before} != {(p, n) for p, n, _ in after} or any(
                    e.get("change") in ("Move", "Migrate") for e in entries):
                state = "moved"
            elif entries and any(e.get("change") in ("Recover", "Restart") for e in entries):
                state = "restarted"
            else:
                state = "ok"
        if state == "ok":
            continue
        if state not in FAILING:
            whys = []
        elif state == "promotion-lost":
            whys = list(run.promotion.get(service, ())) or whys
        elif state == "blocked" and not whys:
            whys = [f"{e['text'].split()[0]} {e.get('resource')}: "
                    f"{e.get('reason') or 'blocked'}" for e in blocked]
        impacts.append(Impact(service, state, details, tuple(dict.fromkeys(whys))))
    return impacts


def _gist(entry: dict) -> str:
    change = entry.get("change", "")
    where = entry.get("from") or ""
    if entry.get("to") and entry.get("to") != entry.get("from"):
        where = f"{where} -> {entry['to']}" if where else entry["to"]
    text = f"{change} {entry.get('resource') or entry.get('node')}"
    return f"{text} ({where})" if where else text


def _overcommit(run: _Run) -> list[Overcommit]:
    out = []
    for node in run.nodes:
        capacity = run.capacity.get(node, {})
        for dimension, demand in sorted(run.demand.get(node, {}).items()):
            if dimension in capacity and demand > capacity[dimension]:
                out.append(Overcommit(node, dimension, demand, capacity[dimension]))
    return out


def _headroom(run: _Run) -> list[tuple[str, str, int]]:
    """(node, dimension, capacity left) for every node that declares a capacity."""
    out = []
    for node in run.nodes:
        load = run.demand.get(node, {})
        for dimension, capacity in sorted(run.capacity.get(node, {}).items()):
            out.append((node, dimension, capacity - load.get(dimension, 0)))
    return out


def plan(cib: m.Cib, now: datetime, base: _Run, what_if: WhatIf, *, optimal: bool = False,
         keep_transition: bool = False, agents: dict | None = None, scope=None) -> Outcome:
    """One what-if: the event applied, scheduled as simulate schedules it, and
    compared with the base outcome.  With a ``scope`` (whatif_scope) and no
    transition or optimal placement asked for, only the components the event
    reaches are scheduled, the rest keeping their base outcome."""
    try:
        event_cib, when = apply_what_if(cib, what_if, now, agents)
    except PengineError as error:
        if what_if.origin is None:
            raise
        from pengine.cib.errors import InputError
        span, text = what_if.origin
        raise InputError(error.message, span, text) from None
    run = None
    if scope is not None and not keep_transition and not optimal and when == now:
        run = _schedule_reached(scope, cib, event_cib, when, base)
    if run is None:
        run = schedule_once(event_cib, when, keep_transition=keep_transition)
    impacts = _impacts(base, run)
    fencing = tuple(e["node"] for e in run.entries if e.get("change") == "Fence")
    overcommit = _overcommit(run)
    lost = [i for i in impacts if i.state in FAILING]
    findings: list[str] = []
    if optimal and (lost or overcommit):
        findings = _optimal_findings(event_cib, when, base, run, lost)
    gc.collect()     # one what-if's working state is garbage before the next is built
    return Outcome(what_if, run.summary, impacts, fencing, overcommit, _headroom(run),
                   findings, run.transition)


def _schedule_reached(scope, cib: m.Cib, event_cib: m.Cib, now: datetime,
                      base: _Run) -> _Run | None:
    """The what-if scheduled on the components it reaches, merged with the
    base outcome of the others; None when it must be scheduled whole."""
    from pengine.analyses.whatif_scope import kept_services, reached, sub_cib
    components = reached(scope, cib, event_cib)
    if components is None or len(components) > scope.size:    # ALWAYS counts too
        return None
    filler = whatif_scope.TurnFiller(scope, components)
    run = schedule_once(sub_cib(scope, event_cib, components), now,
                        on_unpacked=lambda sch: setattr(sch, "assign_observer", filler))
    return _merged(base, run, kept_services(scope, components))


def _merged(base: _Run, run: _Run, kept: frozenset) -> _Run:
    """The outcome of a whole run from a run of the ``kept`` services and the
    base run of the others (which a what-if cannot reach: no summary line,
    nothing blocked or stopped, the same placement)."""
    def pick(name):
        out = {k: v for k, v in getattr(base, name).items() if k not in kept}
        out.update(getattr(run, name))
        return out

    loads = pick("loads")
    demand: dict = {node: {} for node in base.nodes}
    for per_node in loads.values():
        for node, load in per_node.items():
            total = demand.setdefault(node, {})
            for key, value in load.items():
                total[key] = total.get(key, 0) + value
    return _Run(summary=run.summary, entries=run.entries, placed=pick("placed"),
                instances=pick("instances"), capacity=run.capacity, demand=demand,
                why=run.why, blocked=run.blocked, promotion=pick("promotion"),
                owners=base.owners, services=base.services, nodes=base.nodes,
                transition=None, loads=loads)


def _optimal_findings(cib: m.Cib, now: datetime, base: _Run, greedy: _Run,
                      lost: list[Impact]) -> list[str]:
    """Would a better placement (CP-SAT, ``--optimal``) keep the lost services
    running, and within the nodes' capacities?  Capacities bind the solver
    only under a placement-strategy other than default: an overcommit is
    tried again with placement-strategy=utilization."""
    overcommitted = bool(_overcommit(greedy))
    strategy = None
    if overcommitted and _option(cib, "placement-strategy") in (None, "default"):
        strategy = "utilization"
        cib = _with_option(cib, "placement-strategy", strategy)
    better = schedule_once(cib, now, optimal=True)
    failing = {i.service for i in _impacts(base, better) if i.state in FAILING}
    saved = [i.service for i in lost if i.service not in failing]
    fits = not _overcommit(better)
    report = better.placement
    moves = [f"{c.rsc_id} on {c.optimal or 'nowhere'} instead of {c.greedy or 'stopped'}"
             for c in (report.changes if report is not None else ())]
    out = []
    if lost:
        out.append(f"a better placement keeps {', '.join(saved)} running" if saved else
                   f"no placement keeps {', '.join(i.service for i in lost)} running after "
                   "this event")
    if overcommitted:
        how = f" (with placement-strategy={strategy})" if strategy else ""
        newly = sorted(failing - {i.service for i in lost})
        if fits and not newly:
            out.append(f"a better placement{how} stays within every node's capacity")
        elif fits:
            out.append(f"within capacity{how} only by stopping {', '.join(newly)}")
        else:
            out.append("no placement stays within the nodes' capacities")
    if moves and (saved or (overcommitted and fits and not (failing - {i.service
                                                                         for i in lost}))):
        out.append("it places " + "; ".join(moves))
    return out


def _option(cib: m.Cib, name: str) -> str | None:
    for attr_set in cib.configuration.crm_config:
        for pair in attr_set.nvpairs:
            if pair.name == name:
                return (pair.value or "").lower()
    return None


def _with_option(cib: m.Cib, name: str, value: str) -> m.Cib:
    """The CIB with a cluster option set (in its first property set)."""
    sets = list(cib.configuration.crm_config)
    pair = m.NvPair(name, value, id=f"cib-bootstrap-options-{name}")
    for k, attr_set in enumerate(sets):
        if any(p.name == name for p in attr_set.nvpairs):
            sets[k] = evolve(attr_set, nvpairs=tuple(p if p.name != name else
                                                     evolve(p, value=value)
                                                     for p in attr_set.nvpairs))
            break
    else:
        if sets:
            sets[0] = evolve(sets[0], nvpairs=tuple(sets[0].nvpairs) + (pair,))
        else:
            sets.append(m.AttrSet(id="cib-bootstrap-options", nvpairs=(pair,)))
    return evolve(cib, configuration=evolve(cib.configuration, crm_config=tuple(sets)))


def analyse(cib: m.Cib, now: datetime, what_ifs: list[WhatIf] | None = None, *,
            depth: int = 1, events: list[WhatIf] = (), kinds=KINDS,
            optimal: bool = False, keep_transitions: bool = False, jobs: int = 1,
            narrow: bool = True) -> Analysis:
    """The base run, then every what-if (standard ones unless told otherwise);
    with ``jobs`` > 1 the what-ifs are planned by that many forked workers,
    which share the loaded CIB and the base run with this process.  With
    ``narrow`` (the default), a what-if schedules only the components it can
    reach (whatif_scope) unless its transition is kept or optimal placement
    asked for; without, every what-if is scheduled whole."""
    gc.freeze()      # the loaded CIB lives through every what-if: out of the collector's way
    try:
        found: list[WhatIf] = []
        agents: dict = {}
        standard = what_ifs is None and kinds
        found.extend(() if standard else (what_ifs or ()))

        separable: list[bool] = []
        turns = whatif_scope.TurnRecorder()

        def collect(sch):
            agents.update(agent_table(sch))
            separable.append(narrow and whatif_scope.separable(cib, sch))
            if separable[0]:
                sch.assign_observer = turns
            if standard:
                found.extend(standard_what_ifs(sch, depth, kinds))
        base = schedule_once(cib, now, on_unpacked=collect)
        what_ifs = found + list(events)
        scope = whatif_scope.build_scope(cib, base, turns) if separable[0] else None
        outcomes = _plan_all(cib, now, base, what_ifs, optimal, keep_transitions, jobs,
                             agents, scope)
        optimal_now: list[str] = []
        if optimal:
            optimal_now = _optimal_now(cib, now)
    finally:
        gc.unfreeze()
    headroom = []
    for node, dimension, free in _headroom(base):
        headroom.append((node, dimension, base.capacity[node][dimension], free))
    return Analysis(base.services, base.nodes, base.summary, outcomes, headroom, optimal_now)


_SHARED: tuple = ()     # what forked workers inherit: cib, now, base, optimal, keep, agents, scope


def _plan_all(cib, now, base, what_ifs, optimal, keep, jobs, agents,
              scope=None) -> list[Outcome]:
    if jobs <= 1 or len(what_ifs) < 2:
        return [plan(cib, now, base, w, optimal=optimal, keep_transition=keep, agents=agents,
                     scope=scope)
                for w in what_ifs]
    import multiprocessing
    global _SHARED
    _SHARED = (cib, now, base, optimal, keep, agents, scope)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(min(jobs, len(what_ifs))) as pool:
            results = pool.map(_plan_in_worker, what_ifs, chunksize=1)
    finally:
        _SHARED = ()
    outcomes = []
    for kind, value in results:
        if kind == "error":
            raise value[0](*value[1], **value[2])
        outcomes.append(value)
    return outcomes


def _plan_in_worker(what_if: WhatIf):
    """One what-if in a worker; an input error comes back as data (an
    exception's span and source would not survive pickling)."""
    cib, now, base, optimal, keep, agents, scope = _SHARED
    try:
        return "ok", plan(cib, now, base, what_if, optimal=optimal, keep_transition=keep,
                          agents=agents, scope=scope)
    except PengineError as error:
        return "error", (type(error), (error.message,),
                         {"span": error.span, "source": error.source, "hint": error.hint,
                          "code": error.code})


def _optimal_now(cib: m.Cib, now: datetime) -> list[str]:
    """What an optimal placement would move now (the base, placed by CP-SAT)."""
    run = schedule_once(cib, now, optimal=True)
    report = run.placement
    if report is None or not report.changes:
        return []
    return [f"{c.rsc_id}: {c.greedy or 'stopped'} -> {c.optimal or 'stopped'}"
            for c in report.changes]


def worst_headroom(analysis) -> dict:
    """Per (node, dimension): the least free capacity any node failure leaves, and which."""
    worst: dict = {}
    for outcome in analysis.node_failures():
        for node, dimension, free in outcome.headroom:
            if node in outcome.what_if.nodes:
                continue
            key = (node, dimension)
            if key not in worst or free < worst[key][0]:
                worst[key] = (free, outcome.what_if.label)
    return worst
