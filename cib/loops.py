"""Loops in a configuration's orderings and colocations.

An ordering loop (``order a then b`` and ``order b then a``, or an ordering
of a group member before its own group) leaves the actions in it waiting on
each other: Pacemaker builds the transition anyway, and it can never complete.
A colocation loop (``a with b`` and ``b with a``) is accepted, but which
resource's preferences win then depends on the order Pacemaker happens to
place them in.

The action graph here is Pacemaker's, reduced to what a configuration
implies: one node per (resource, task); a collective resource's ``start`` as
the *then* of an ordering and its ``running`` as the *first* (as
``action_for_ordering`` does); the implicit orderings of groups, clones and
bundles (parent before and after children, members in sequence, start
before promote, demote before stop); and the configured orderings, with their
symmetrical inverses.  A strongly connected component holding a configured
ordering is a loop.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from attrs import frozen

from pengine.cib import model as m
from pengine.common.options import is_true

INVERSE = {"start": "stop", "stop": "start", "promote": "demote", "demote": "promote"}
DONE = {"start": "running", "stop": "stopped", "promote": "promoted", "demote": "demoted"}

Node = tuple[str, str]  # (resource id, task)


@frozen
class Loop:
    """A loop through configured constraints, with one cycle to show."""

    constraints: tuple[object, ...]  # the model objects, in source order
    cycle: tuple[str, ...]           # "web start", "db start", "web start"



class _Resources:
    """What the loop analysis needs to know about the configured resources."""

    def __init__(self, config: m.Configuration):
        self.by_id: dict[str, object] = {}
        self.parent: dict[str, object] = {}
        for rsc in m.walk_resources(config.resources):
            self.by_id.setdefault(rsc.id, rsc)
            for child in m.child_resources(rsc):
                self.parent.setdefault(child.id, rsc)
        self.tags = {tag.id: tag.refs for tag in config.tags}
        self.templates: dict[str, list[str]] = defaultdict(list)
        for rsc in m.walk_resources(config.resources):
            if isinstance(rsc, m.Primitive) and rsc.template:
                self.templates[rsc.template].append(rsc.id)

    def resolve(self, name: str | None) -> list[str]:
        """The resources a constraint's reference stands for, a clone's or
        bundle's child standing for the clone or bundle (as Pacemaker reads it)."""
        if name is None:
            return []
        if name in self.by_id:
            return [self.outermost_collective(name)]
        if name in self.tags:
            return [r for ref in self.tags[name] for r in self.resolve(ref) if ref != name]
        if name in self.templates:
            return [self.outermost_collective(r) for r in self.templates[name]]
        base = name.rsplit(":", 1)[0]
        return [self.outermost_collective(base)] if base != name and base in self.by_id else []

    def outermost_collective(self, name: str) -> str:
        """The clone or bundle holding ``name``, if any; else ``name``."""
        found, current = name, self.parent.get(name)
        while current is not None:
            if isinstance(current, (m.Clone, m.Bundle)):
                found = current.id
            current = self.parent.get(current.id)
        return found

    def collective(self, name: str) -> bool:
        return not isinstance(self.by_id.get(name), m.Primitive)



class _Graph:
    def __init__(self):
        self.edges: dict[Node, set[Node]] = defaultdict(set)
        # configured edges: (constraint, is it a symmetrical inverse?)
        self.configured: dict[tuple[Node, Node], list[tuple[object, bool]]] = defaultdict(list)

    def add(self, first: Node, then: Node, constraint: object | None = None,
            inverse: bool = False) -> None:
        if first == then:
            return
        self.edges[first].add(then)
        self.edges.setdefault(then, set())
        if constraint is not None:
            self.configured[(first, then)].append((constraint, inverse))


def _as_first(resources: _Resources, rsc: str, task: str) -> Node:
    if resources.collective(rsc) and task in DONE:
        return rsc, DONE[task]
    return rsc, task


def _implicit(graph: _Graph, resources: _Resources, config: m.Configuration) -> None:
    for rsc in m.walk_resources(config.resources):
        rid = rsc.id
        # Stop before start is left out: it binds only when a resource
        # restarts, and "start A then stop B" setups (SAP's enqueue
        # replication) would otherwise look like loops.
        if isinstance(rsc, m.Primitive):
            graph.add((rid, "start"), (rid, "promote"))
            graph.add((rid, "demote"), (rid, "stop"))
            continue
        graph.add((rid, "running"), (rid, "promote"))
        graph.add((rid, "demoted"), (rid, "stop"))
        children = m.child_resources(rsc)
        for child in children:
            for task in DONE:
                graph.add((rid, task), (child.id, task))
                graph.add(_as_first(resources, child.id, task), (rid, DONE[task]))
        if isinstance(rsc, m.Group) and is_true(m.flat_get(rsc.meta, "ordered") or "true"):
            for before, after in zip(children, children[1:]):
                for task in ("start", "promote"):
                    graph.add(_as_first(resources, before.id, task), (after.id, task))
                    undo = INVERSE[task]
                    graph.add(_as_first(resources, after.id, undo), (before.id, undo))


def _order_kind(c) -> str:
    if c.kind is not None:
        return c.kind
    if c.score is not None:
        return "Mandatory" if c.score.strip().lstrip("+") not in ("0", "") else "Optional"
    return "Mandatory"


def _configured(graph: _Graph, resources: _Resources, config: m.Configuration) -> None:
    for c in config.constraints:
        if not isinstance(c, m.Order):
            continue
        kind = _order_kind(c)
        if kind == "Serialize":
            continue  # no direction: never a loop
        symmetrical = is_true(c.symmetrical) if c.symmetrical is not None else True
        if c.resource_sets:
            _set_orderings(graph, resources, c, symmetrical)
            continue
        first_task = c.first_action or "start"
        then_task = c.then_action or first_task
        for first in resources.resolve(c.first):
            for then in resources.resolve(c.then):
                _order(graph, resources, c, first, first_task, then, then_task, symmetrical)


def _order(graph, resources, c, first, first_task, then, then_task, symmetrical) -> None:
    graph.add(_as_first(resources, first, first_task), (then, then_task), c)
    if symmetrical and first_task in INVERSE and then_task in INVERSE:
        graph.add(_as_first(resources, then, INVERSE[then_task]),
                  (first, INVERSE[first_task]), c, inverse=True)


def _set_orderings(graph, resources, c: m.Order, symmetrical: bool) -> None:
    sets = [(rset, [r for name in rset.resources for r in resources.resolve(name)])
            for rset in c.resource_sets]
    for rset, members in sets:
        if rset.kind == "Serialize" or not is_true(rset.sequential or "true"):
            continue
        task = rset.action or "start"
        for first, then in zip(members, members[1:]):
            _order(graph, resources, c, first, task, then, task, symmetrical)
    for (set1, members1), (set2, members2) in zip(sets, sets[1:]):
        for first in members1:
            for then in members2:
                _order(graph, resources, c, first, set1.action or "start", then,
                       set2.action or "start", symmetrical)


def strongly_connected_components(edges: dict[Node, set[Node]]) -> list[list[Node]]:
    """Strongly connected components (Tarjan, iterative); every node that an
    edge reaches must be a key of ``edges``."""
    index: dict[Node, int] = {}
    low: dict[Node, int] = {}
    on_stack: set[Node] = set()
    stack: list[Node] = []
    found: list[list[Node]] = []
    counter = 0
    for root in list(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(edges[succ]))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found


def _path(edges: dict[Node, set[Node]], start: Node, goal: Node, within: set[Node]) -> list[Node]:
    """A shortest path from start to goal inside one component (BFS)."""
    previous: dict[Node, Node | None] = {start: None}
    queue = [start]
    for node in queue:
        if node == goal:
            break
        for succ in sorted(edges[node]):
            if succ in within and succ not in previous:
                previous[succ] = node
                queue.append(succ)
    path, node = [], goal
    while node is not None:
        path.append(node)
        node = previous.get(node)
    return path[::-1]


def _loops(graph: _Graph, source_order: dict[int, int]) -> list[Loop]:
    """One Loop per set of configured constraints that closes a cycle; where
    they loop both ways (start and, inverted, stop), the cycle shown is the
    one as written."""
    candidates = []
    for component in strongly_connected_components(graph.edges):
        members = set(component)
        inside = [(edge, c, inverse) for edge, cons in graph.configured.items()
                  if edge[0] in members and edge[1] in members for c, inverse in cons]
        if len(members) < 2 or not inside:
            continue
        rank = lambda item: (item[2], source_order.get(id(item[1]), 0))  # noqa: E731
        (first, then), _, inverse = min(inside, key=rank)
        cycle = [first] + _path(graph.edges, then, first, members)
        constraints = {id(c): c for _, c, _ in inside}
        ordered = tuple(sorted(constraints.values(), key=lambda c: source_order.get(id(c), 0)))
        candidates.append((inverse, ordered, cycle))
    loops, seen = [], set()
    for inverse, ordered, cycle in sorted(candidates, key=lambda item: item[0]):
        key = tuple(id(c) for c in ordered)
        if key not in seen:
            seen.add(key)
            loops.append(Loop(ordered, tuple(f"{rsc} {task}" for rsc, task in cycle)))
    return sorted(loops, key=lambda loop: source_order.get(id(loop.constraints[-1]), 0))


def order_loops(config: m.Configuration) -> list[Loop]:
    """Loops that configured orderings make in the action graph."""
    resources = _Resources(config)
    graph = _Graph()
    _implicit(graph, resources, config)
    _configured(graph, resources, config)
    return _loops(graph, {id(c): i for i, c in enumerate(config.constraints)})


def colocation_loops(config: m.Configuration) -> list[Loop]:
    """Cycles of positive colocations between resources (``a with b``,
    ``b with a``).  Anti-colocations and resource sets are left out: a
    mutual ``-INFINITY`` is the usual way to keep two resources apart."""
    from pengine.common.scores import parse_score_checked

    resources = _Resources(config)
    graph = _Graph()
    for c in config.constraints:
        if not isinstance(c, m.Colocation) or c.resource_sets:
            continue
        score, valid = parse_score_checked(c.score or "0", 0)
        if not valid or score <= 0:
            continue
        for dependent in resources.resolve(c.rsc):
            for primary in resources.resolve(c.with_rsc):
                graph.add((dependent, "placed"), (primary, "placed"), c)
    return _loops(graph, {id(c): i for i, c in enumerate(config.constraints)})


def describe(loop: Loop) -> str:
    return " -> ".join(loop.cycle)


def constraint_ids(constraints: Iterable[object]) -> str:
    return ", ".join(f"'{c.id}'" for c in constraints)
