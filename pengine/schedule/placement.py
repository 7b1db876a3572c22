"""Optimal placement: the step beyond Pacemaker's greedy assignment.

Pacemaker assigns resources one at a time and never revisits a choice, so a
resource can stay stopped although a placement exists that runs it (the
knapsack example of Pacemaker Explained, "Utilization and Placement
Strategy / Limitations").  With the cluster property
``placement-solver=optimal`` or ``pengine simulate --optimal``, the
primitives are placed by OR-tools CP-SAT instead:

* one Boolean per (primitive, node) where the primitive may run: the node is
  available and the primitive's score there (locations, stickiness,
  failure bans, health, ...) is not -INFINITY;
* hard constraints: at most one node per primitive; mandatory colocations
  (+INFINITY: only where the primary runs, -INFINITY: never with it); node
  capacities when ``placement-strategy`` is not ``default`` (Pacemaker
  ignores utilization then); and Pacemaker's own acceptance rule: a
  primitive only runs on a node where its score, including finite
  colocation scores with the placement of the others, is not negative;
* objectives, solved lexicographically: the most primitives running, higher
  ``priority`` levels first; then the greatest total score (node scores and
  finite colocation scores); then, among equally good placements, the most
  primitives where Pacemaker's greedy assignment puts them, and then the most
  left where they run now, so the answer differs from Pacemaker's only where
  that serves the objectives.

Solving is deterministic: one worker, a fixed seed, deterministic (not wall
clock) time limits and explicit tie-break objectives, so the output never
flaps.  "optimal" in the report means both objectives were proven optimal,
"feasible" that a time limit stopped the search first.

The solver's answer becomes -INFINITY bans ("__optimal_placement__") on
every other node, and the ordinary assignment then carries it out, so
actions, orderings and the transition are built exactly as usual.  What is
not modelled keeps Pacemaker's greedy answer: clones, bundles and their
instances, unmanaged, removed or stopped resources, remote connections and
resources in containers, and whatever must follow them through colocations.

The report compares the outcome with Pacemaker's greedy assignment
(computed by a separate greedy run of the same input), resource by
resource.  OR-tools is imported only when optimal placement is asked for.
"""

from __future__ import annotations

import time

from attrs import define, field, frozen

from pengine.status.cluster import Resource, Role, Scheduler
from pengine.common.scores import INFINITY

SEED = 20240607
# CP-SAT deterministic time limits (not wall clock, so results never depend on load)
STAGE_DETERMINISTIC_TIME = 30.0   # per objective stage: active resources, score
TIE_BREAK_DETERMINISTIC_TIME = 5.0  # choosing among equally good placements
ROUND_DETERMINISTIC_TIME = 2.0  # per stage of a local repair round (a heuristic)
PIN_TAG = "__optimal_placement__"


def requested(sch: Scheduler) -> bool:
    """Whether this run places optimally (``--optimal`` or the cluster property)."""
    configured = (sch.options.get("placement-solver") or "greedy").strip().lower()
    return bool(sch.optimal) or configured == "optimal"


# ------------------------------------------------------------------ report --

@frozen
class Change:
    """One primitive placed differently from Pacemaker's greedy assignment."""

    rsc_id: str
    greedy: str | None      # node name, None when greedy leaves it stopped
    optimal: str | None
    greedy_score: int | None
    optimal_score: int | None


@define
class PlacementReport:
    status: str                       # optimal | feasible | skipped: <why>
    modelled: int = 0
    changes: list[Change] = field(factory=list)
    active_greedy: int = 0
    active_optimal: int = 0
    score_greedy: int = 0
    score_optimal: int = 0
    solve_seconds: float = 0.0        # wall clock: for benchmarks, never printed


def report_lines(report: PlacementReport) -> list[str]:
    """The "Optimal Placement" section of ``pengine simulate``."""
    lines = ["Optimal Placement:"]
    if report.status.startswith("skipped"):
        lines.append(f"  * Not computed: {report.status[len('skipped: '):]}")
        return lines
    width = max([len(c.rsc_id) for c in report.changes] + [5])
    for change in report.changes:
        lines.append("  * " + _change_text(change, width))
    if not report.changes:
        lines.append("  * Same placement as Pacemaker's greedy assignment")
    lines.append(f"  * Active primitives: {report.active_optimal} "
                 f"(greedy: {report.active_greedy}); total placement score: "
                 f"{report.score_optimal} (greedy: {report.score_greedy}); "
                 f"solution: {report.status}")
    return lines


def report_json(report: PlacementReport) -> dict:
    """The report for ``--output-as json`` (no wall-clock figures: output is stable)."""
    if report.status.startswith("skipped"):
        return {"computed": False, "reason": report.status[len("skipped: "):]}
    return {
        "computed": True,
        "solution": report.status,
        "modelled_primitives": report.modelled,
        "active": {"optimal": report.active_optimal, "greedy": report.active_greedy},
        "score": {"optimal": report.score_optimal, "greedy": report.score_greedy},
        "changes": [{"resource": c.rsc_id, "greedy": c.greedy, "optimal": c.optimal,
                     "greedy_score": c.greedy_score, "optimal_score": c.optimal_score}
                    for c in report.changes],
    }


def _change_text(change: Change, width: int) -> str:
    greedy = change.greedy or "stopped"
    if change.greedy is None:
        verb, where = "Place", change.optimal
        why = "Pacemaker's greedy assignment leaves it stopped"
    elif change.optimal is None:
        verb, where = "Sacrifice", f"stopped instead of {greedy}"
        why = "for a better overall placement"
    else:
        where = f"{change.optimal} instead of {greedy}"
        better = _score_cmp(change.optimal_score, change.greedy_score)
        if better is None:
            # not modelled: it followed what it depends on
            verb, why = "Relocate", "following the resources it depends on"
        elif better > 0:
            verb = "Improve"
            why = f"score {change.optimal_score} instead of {change.greedy_score}"
        elif better == 0:
            verb, why = "Relocate", "for a better overall placement (same score)"
        else:
            verb = "Relocate"
            why = (f"for a better overall placement (score {change.optimal_score} "
                   f"instead of {change.greedy_score})")
    return f"{verb:<9}  {change.rsc_id:<{width}}   ( {where} )  {why}"


def _multiset_minus(items: list, others: list) -> list:
    """``items`` without one occurrence of each of ``others`` (stopped last)."""
    rest = list(others)
    result = []
    for item in items:
        if item in rest:
            rest.remove(item)
        else:
            result.append(item)
    return sorted(result, key=lambda node: (node is None, node or ""))


def _score_cmp(a: int | None, b: int | None) -> int | None:
    if a is None or b is None:
        return None
    return (a > b) - (a < b)


# ------------------------------------------------------- greedy reference --

@frozen
class Outcome:
    node: str | None
    role: Role


def greedy_reference(sch: Scheduler) -> dict[str, Outcome]:
    """Every primitive's node (and role) under Pacemaker's greedy assignment
    of the same input: a separate run through the assignment phase."""
    from pengine.schedule.driver import PHASES, assign_resources
    from pengine.status.unpack import unpack
    ref = unpack(sch.cib, sch.now, quorum=sch.quorate)
    ref.optimal = False
    ref.options["placement-solver"] = "greedy"
    for phase in PHASES:
        phase(ref)
        if phase is assign_resources:
            break
    return {rsc.id: Outcome(rsc.assigned_node.name if rsc.assigned_node else None, rsc.next_role)
            for rsc in _all_primitives(ref)}


def _all_primitives(sch: Scheduler):
    for top in sch.resources:
        yield from top.primitives()


# ---------------------------------------------------------------- model --


def _modellable(sch: Scheduler, rsc: Resource) -> bool:
    if rsc.variant != "primitive" or not rsc.managed or rsc.removed or rsc.blocked:
        return False
    parent = rsc.parent
    while parent is not None:
        if parent.variant != "group":
            return False
        parent = parent.parent
    if rsc.is_remote_connection or rsc.launcher is not None or rsc.launched:
        return False
    if rsc.next_role == Role.STOPPED or not rsc.unassigned:
        return False
    if rsc.next_role > rsc.role and not sch.quorate:
        return False
    return True


def _members(rsc: Resource) -> list[Resource]:
    return list(rsc.primitives())


def _endpoint(rsc: Resource, modelled: set, dependent_side: bool,
              mandatory: bool = False) -> Resource | None:
    """The modelled primitive that stands for ``rsc`` in a colocation, or None.

    A group stands by its first member, whose node is the group's, except as
    the primary of a +INFINITY colocation: then by its last member, since the
    dependent needs every member active (pcmk__group_apply_coloc_score).
    """
    if rsc.variant == "group" and rsc.children and rsc.parent is None:
        use_last = not dependent_side and mandatory
        rsc = rsc.children[-1] if use_last else rsc.children[0]
    if rsc.variant == "primitive" and id(rsc) in modelled:
        return rsc
    return None


def _close_fixed(sch: Scheduler, modelled: set) -> None:
    """Unmodel what a fixed resource depends on, and whole groups together."""
    changed = True
    while changed:
        changed = False
        for top in sch.resources:
            if top.variant == "group":
                members = _members(top)
                if any(id(m) not in modelled for m in members) \
                        and any(id(m) in modelled for m in members):
                    for member in members:
                        modelled.discard(id(member))
                    changed = True
        for colocation in sch.colocations:
            dep_members = _members(colocation.dependent)
            prim_members = _members(colocation.primary)
            dep_fixed = any(id(m) not in modelled for m in dep_members)
            prim_fixed = any(id(m) not in modelled for m in prim_members)
            # a fixed dependent was placed knowing where the primary is
            to_fix = list(prim_members) if dep_fixed else []
            # roles are decided for clones only: keep role-bound ties as they are
            if _has_role(colocation) and (dep_fixed or prim_fixed):
                to_fix = dep_members + prim_members
            if any(id(m) in modelled for m in to_fix):
                for member in to_fix:
                    modelled.discard(id(member))
                changed = True


def _has_role(colocation) -> bool:
    return colocation.dependent_role not in (Role.UNKNOWN, Role.STARTED) \
        or colocation.primary_role not in (Role.UNKNOWN, Role.STARTED)


@define
class Model:
    units: list[Resource]
    nodes: list
    candidates: list[list[int]]          # per unit: node indexes
    score: dict                          # (unit, node) -> base score
    attr_value: dict                     # (attribute, node index) -> value
    couplings: list                      # (dep unit, primary unit, score, attribute)
    capacity: dict                       # (node index, key) -> remaining capacity
    requirement: dict                    # (unit, key) -> amount
    priority: list[int]

    def placement_score(self, placement: dict[int, int | None]) -> int:
        total = 0
        for u, n in placement.items():
            if n is not None:
                total += self.score.get((u, n), 0)
        for dep, prim, score, attr in self.couplings:
            nd, np_ = placement.get(dep), placement.get(prim)
            if nd is not None and np_ is not None \
                    and self.attr_value[(attr, nd)] == self.attr_value[(attr, np_)]:
                total += score
        return total


def build_model(sch: Scheduler, reference: dict[str, Outcome]) -> Model:
    from pengine.schedule.colocation import node_attr
    from pengine.schedule.utilization import utilization_value

    modelled = {id(r) for r in _all_primitives(sch) if _modellable(sch, r)}
    _close_fixed(sch, modelled)
    units = [r for r in _all_primitives(sch) if id(r) in modelled]
    index = {id(r): u for u, r in enumerate(units)}
    nodes = list(sch.nodes)
    node_index = {node.name: n for n, node in enumerate(nodes)}

    score: dict = {}
    candidates: list[list[int]] = []
    for u, rsc in enumerate(units):
        mine = []
        for n, node in enumerate(nodes):
            weight = rsc.allowed.get(node.id)
            if weight is None or weight.score <= -INFINITY or not node.available():
                continue
            score[(u, n)] = weight.score
            mine.append(n)
        candidates.append(mine)

    attr_value: dict = {}

    def value_of(attr: str, n: int, rsc: Resource):
        key = (attr, n)
        if key not in attr_value:
            attr_value[key] = node_attr(nodes[n], attr, rsc)
        return attr_value[key]

    couplings = []
    banned: set = set()
    required: list = []   # (dep unit, primary unit or None, fixed values or None, attr, sign)
    for colocation in reversed(sch.colocations):   # configuration order
        dep = _endpoint(colocation.dependent, modelled, True)
        if dep is None:
            continue
        u = index[id(dep)]
        attr = colocation.node_attribute or "#uname"
        prim = _endpoint(colocation.primary, modelled, False, colocation.score >= INFINITY)
        if prim is not None:
            if prim is dep:
                continue
            if abs(colocation.score) >= INFINITY:
                required.append((u, index[id(prim)], None, attr, colocation.score > 0))
            else:
                couplings.append((u, index[id(prim)], colocation.score, attr))
            for n in range(len(nodes)):
                value_of(attr, n, colocation.primary)
            continue
        # a fixed primary: where Pacemaker's greedy assignment put it
        values = set()
        for member in _members(colocation.primary):
            outcome = reference.get(member.id)
            if outcome is None or outcome.node is None or outcome.node not in node_index:
                continue
            if colocation.primary_role not in (Role.UNKNOWN, Role.STARTED) \
                    and outcome.role != colocation.primary_role:
                continue
            values.add(value_of(attr, node_index[outcome.node], colocation.primary))
        for n in list(candidates[u]):
            matches = value_of(attr, n, colocation.dependent) in values
            if colocation.score >= INFINITY and not matches:
                banned.add((u, n))
            elif colocation.score <= -INFINITY and matches:
                banned.add((u, n))
            elif matches and abs(colocation.score) < INFINITY:
                from pengine.common.scores import add_scores
                score[(u, n)] = add_scores(score[(u, n)], colocation.score)
    for u in range(len(units)):
        candidates[u] = [n for n in candidates[u] if (u, n) not in banned
                         and score[(u, n)] > -INFINITY]
    for (u, p, _values, attr, positive) in required:
        for n in range(len(nodes)):
            value_of(attr, n, units[p])
        couplings.append((u, p, INFINITY if positive else -INFINITY, attr))

    capacity: dict = {}
    requirement: dict = {}
    if sch.placement_strategy != "default":
        keys = sorted({key for rsc in units for key in rsc.utilization})
        for u, rsc in enumerate(units):
            for key in keys:
                amount = utilization_value(rsc.utilization.get(key))
                if amount:
                    requirement[(u, key)] = amount
        for n, node in enumerate(nodes):
            for key in keys:
                capacity[(n, key)] = utilization_value(node.utilization.get(key))
        # fixed primitives not assigned yet will take their greedy node's capacity
        for rsc in _all_primitives(sch):
            if id(rsc) in modelled or not rsc.unassigned:
                continue
            outcome = reference.get(rsc.id)
            if outcome is None or outcome.node not in node_index:
                continue
            n = node_index[outcome.node]
            for key in keys:
                if (n, key) in capacity:
                    capacity[(n, key)] -= utilization_value(rsc.utilization.get(key))
    priority = [rsc.priority for rsc in units]
    return Model(units, nodes, candidates, score, attr_value, couplings, capacity,
                 requirement, priority)


# ---------------------------------------------------------------- solve --

@define
class Solution:
    placement: dict          # unit -> node index or None
    status: str              # optimal | feasible


def solve(model: Model, current: dict[int, int | None],
          greedy: dict[int, int | None]) -> Solution | None:
    """Lexicographic CP-SAT solve; None when no solution was found.

    Pacemaker's placement is first repaired locally: the primitives it leaves
    stopped, and those on a few nodes with the most room, are placed anew with
    the rest kept where Pacemaker put them, on more and more nodes.  When
    that reaches the objectives' upper bounds it is optimal and changes little;
    otherwise it seeds the search over the whole model.
    """
    from ortools.sat.python import cp_model

    cp = cp_model.CpModel()
    x: dict = {}
    for u, cands in enumerate(model.candidates):
        for n in cands:
            x[(u, n)] = cp.NewBoolVar(f"x_{u}_{n}")
        if cands:
            cp.AddAtMostOne(x[(u, n)] for n in cands)

    def on_value(unit: int, attr: str, value) -> list:
        return [x[(unit, n)] for n in model.candidates[unit]
                if model.attr_value[(attr, n)] == value]

    score_terms = [model.score[(u, n)] * var for (u, n), var in x.items()]
    acceptance: dict = {}
    for dep, prim, score, attr in model.couplings:
        for n in model.candidates[dep]:
            here = x[(dep, n)]
            primary_there = on_value(prim, attr, model.attr_value[(attr, n)])
            if score >= INFINITY:
                cp.Add(here <= sum(primary_there))
            elif score <= -INFINITY:
                cp.Add(here + sum(primary_there) <= 1)
            else:
                both = cp.NewBoolVar(f"z_{dep}_{prim}_{n}")
                cp.Add(both <= here)
                cp.Add(both <= sum(primary_there))
                cp.Add(both >= here + sum(primary_there) - 1)
                score_terms.append(score * both)
                acceptance.setdefault((dep, n), []).append((score, primary_there))
    # Pacemaker's rule: never run where the resulting score is negative
    for (u, n), var in x.items():
        terms = acceptance.get((u, n), [])
        base = model.score[(u, n)]
        if base + sum(min(0, s) for s, _ in terms) >= 0:
            continue
        cp.Add(base + sum(s * sum(there) for s, there in terms) >= 0).OnlyEnforceIf(var)

    for (n, key), cap in model.capacity.items():
        load = [model.requirement[(u, key)] * x[(u, n)]
                for u in range(len(model.units))
                if (u, key) in model.requirement and (u, n) in x]
        if load:
            cp.Add(sum(load) <= cap)

    running = {u: sum(x[(u, n)] for n in cands) for u, cands in enumerate(model.candidates)
               if cands}
    # (objective, an upper bound that proves it optimal when reached)
    objectives = []
    for level in sorted({model.priority[u] for u in running}, reverse=True):
        units = [u for u in running if model.priority[u] == level]
        objectives.append((sum(running[u] for u in units), len(units)))
    best_scores: dict = {}
    for (u, n), value in model.score.items():
        if (u, n) in x:
            best_scores[u] = max(best_scores.get(u, 0), value)
    score_bound = sum(best_scores.values()) + sum(
        max(0, coupling[2]) for coupling in model.couplings if abs(coupling[2]) < INFINITY)
    if any(model.score[key] for key in x) or any(
            abs(coupling[2]) < INFINITY for coupling in model.couplings):
        objectives.append((sum(score_terms), score_bound))
    # among equally good placements: Pacemaker's own choice, then staying put
    tie_breaks = [_agreement(x, greedy)]
    if any(node is not None and node != greedy.get(u) for u, node in current.items()):
        tie_breaks.append(_agreement(x, current))

    hint = {key: greedy.get(key[0]) == key[1] for key in x}
    for free_nodes in _neighbourhoods(model, greedy):
        sub = cp.clone()
        for u, n in greedy.items():
            if n is not None and n not in free_nodes and (u, n) in x:
                sub.Add(sub.get_bool_var_from_proto_index(x[(u, n)].index) == 1)
        found = _lexicographic(sub, x, objectives, tie_breaks, hint, ROUND_DETERMINISTIC_TIME,
                               ROUND_DETERMINISTIC_TIME)
        if found is None:
            break  # Pacemaker's placement breaks a rule of the model: search it all
        values, reached, _proven = found
        hint = values
        if reached:
            return Solution(_placement(model, values), "optimal")
    found = _lexicographic(cp, x, objectives, tie_breaks, hint, STAGE_DETERMINISTIC_TIME,
                           TIE_BREAK_DETERMINISTIC_TIME)
    if found is None:
        return None
    values, _reached, proven = found
    return Solution(_placement(model, values), "optimal" if proven else "feasible")


def _placement(model: Model, values: dict) -> dict:
    return {u: next((n for n in cands if values[(u, n)]), None)
            for u, cands in enumerate(model.candidates)}


def _neighbourhoods(model: Model, greedy: dict):
    """Growing sets of nodes whose primitives may move: first those with the
    most room left by Pacemaker's placement, doubling up to all nodes but one
    (all of them is the whole model)."""
    used: dict = {}
    for (u, key), amount in model.requirement.items():
        n = greedy.get(u)
        if n is not None:
            used[(n, key)] = used.get((n, key), 0) + amount

    def room(n: int) -> float:
        total = 0.0
        for (node, key), cap in model.capacity.items():
            if node == n and cap > 0:
                total += (cap - used.get((n, key), 0)) / cap
        return total
    order = sorted(range(len(model.nodes)), key=lambda n: (-room(n), model.nodes[n].name))
    size = 1
    while size < len(order):
        yield set(order[:size])
        size *= 2


def _lexicographic(cp, x: dict, objectives: list, tie_breaks: list, hint: dict,
                   budget: float, tie_break_budget: float):
    """Maximize each objective in turn, then each tie-break, keeping the
    previous ones at their best.  Returns None when nothing was found, else
    (values, whether every objective reached its upper bound, whether every
    objective was proven optimal)."""
    from ortools.sat.python import cp_model
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SEED
    values = None
    proven = reached = True

    def run(objective, limit) -> str | None:
        nonlocal values
        cp.ClearHints()
        for key, var in x.items():
            cp.AddHint(var, bool((values or hint).get(key)))
        solver.parameters.max_deterministic_time = limit
        cp.Maximize(objective)
        result = solver.Solve(cp)
        if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        values = {key: solver.BooleanValue(var) for key, var in x.items()}
        return "OPTIMAL" if result == cp_model.OPTIMAL else "FEASIBLE"

    for objective, bound in objectives:
        if isinstance(objective, int):
            continue  # nothing to choose
        status = run(objective, budget)
        if status is None:
            return None if values is None else (values, False, False)
        value = int(solver.Value(objective))
        reached = reached and value >= bound
        proven = proven and (status == "OPTIMAL" or value >= bound)
        cp.Add(objective >= value)
    for objective in tie_breaks:
        if isinstance(objective, int):
            continue
        if run(objective, tie_break_budget) is None:
            break
        cp.Add(objective >= int(solver.Value(objective)))
    return values, reached, proven


def _agreement(x: dict, wanted: dict):
    """How many primitives are on the node ``wanted`` names for them."""
    return sum(var for (u, n), var in x.items() if wanted.get(u) == n)


# ------------------------------------------------------------- pipeline --

def place_optimally(sch: Scheduler) -> None:
    """Compute the optimal placement and pin it; called before assignment."""
    from pengine.status.unpack_resources import resource_location
    reference = greedy_reference(sch)
    sch.placement_reference = reference
    if sch.stop_all:
        sch.placement_report = PlacementReport("skipped: stop-all-resources is set")
        return
    if not sch.quorate and sch.no_quorum_policy.name != "IGNORE":
        sch.placement_report = PlacementReport("skipped: the cluster has no quorum")
        return
    model = build_model(sch, reference)
    node_index = {node.name: n for n, node in enumerate(model.nodes)}
    greedy = {u: node_index.get(reference[r.id].node) if r.id in reference else None
              for u, r in enumerate(model.units)}
    current = {u: node_index.get(r.current_node.name) if r.current_node is not None else None
               for u, r in enumerate(model.units)}
    started = time.perf_counter()
    solution = solve(model, current, greedy) if model.units else Solution({}, "optimal")
    elapsed = time.perf_counter() - started
    if solution is None:
        sch.placement_report = PlacementReport("skipped: the solver found no placement")
        return
    # Where the best placement is Pacemaker's own, pins would only perturb
    # the order the assignment and its output follow: the greedy run stands.
    if any(solution.placement.get(u) != greedy.get(u) for u in range(len(model.units))):
        for u, rsc in enumerate(model.units):
            chosen = solution.placement.get(u)
            for n, node in enumerate(model.nodes):
                if n != chosen:
                    resource_location(sch, rsc, node, -INFINITY, PIN_TAG)
    sch.placement_model = (model, solution, greedy)
    sch.placement_report = PlacementReport(solution.status, modelled=len(model.units),
                                           solve_seconds=elapsed)


def finish_report(sch: Scheduler) -> None:
    """Compare the assignment made with Pacemaker's greedy one."""
    report = getattr(sch, "placement_report", None)
    if report is None or report.status.startswith("skipped"):
        return
    reference = sch.placement_reference
    model, _solution, greedy = sch.placement_model
    node_index = {node.name: n for n, node in enumerate(model.nodes)}
    unit_of = {r.id: u for u, r in enumerate(model.units)}
    final: dict = {}
    # instances of an anonymous clone are interchangeable: compare where the
    # clone runs, not which instance number runs where
    anonymous: dict[str, tuple[list, list]] = {}
    for rsc in _all_primitives(sch):
        node = rsc.assigned_node.name if rsc.assigned_node is not None else None
        before = reference.get(rsc.id, Outcome(None, Role.UNKNOWN)).node
        if rsc.id in unit_of:
            final[unit_of[rsc.id]] = node_index.get(node)
        report.active_optimal += node is not None
        report.active_greedy += before is not None
        if node == before:
            continue
        top = rsc.top(include_bundle=True)
        if rsc.instance_number is not None or (top.variant == "clone" and not top.unique):
            if top.variant == "clone" and not top.unique:
                name = rsc.id.rsplit(":", 1)[0] if ":" in rsc.id else rsc.id
                befores, afters = anonymous.setdefault(name, ([], []))
                befores.append(before)
                afters.append(node)
                continue
        u = unit_of.get(rsc.id)
        report.changes.append(Change(
            rsc.id, before, node,
            model.score.get((u, node_index.get(before))) if u is not None else None,
            model.score.get((u, node_index.get(node))) if u is not None else None))
    for name, (befores, afters) in anonymous.items():
        gone = _multiset_minus(befores, afters)
        new = _multiset_minus(afters, befores)
        for index in range(max(len(gone), len(new))):
            report.changes.append(Change(name, gone[index] if index < len(gone) else None,
                                         new[index] if index < len(new) else None, None, None))
    order = {rsc_id: k for k, rsc_id in enumerate(sch.all_resources)}
    report.changes.sort(key=lambda change: order.get(change.rsc_id, len(order)))
    report.score_greedy = model.placement_score(greedy)
    report.score_optimal = model.placement_score(final)
