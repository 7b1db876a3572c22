"""Invariants of scheduling on generated clusters (hypothesis).

Whatever the configuration and status, a transition must be a DAG; after it
runs no primitive is active twice; nothing runs on a node that is down but
fencing; nothing starts without quorum under no-quorum-policy=stop; and a lost
node's resources start elsewhere only after the node is fenced.
"""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings

from pengine.cib.cib_xml import read_cib
from cluster_strategies import clusters
from pengine.schedule.driver import schedule
from pengine.status.unpack import unpack
from pengine.transitions.graph import create_graph
from pengine.transitions.simulate import run as execute

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
SETTINGS = settings(max_examples=int(__import__("os").environ.get("PENGINE_HYPOTHESIS_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _plan(cluster):
    cib = read_cib(cluster.xml, "generated.xml")
    sch = schedule(cib, NOW)
    return cib, sch, create_graph(sch)


def _ancestors(transition, action_id: int) -> set[int]:
    inputs = {s.action.id: s.inputs for s in transition.synapses}
    seen: set[int] = set()
    todo = list(inputs.get(action_id, ()))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(inputs.get(current, ()))
    return seen


@SETTINGS
@given(clusters())
def test_transition_is_acyclic(cluster):
    _, _, transition = _plan(cluster)
    inputs = {s.action.id: set(s.inputs) for s in transition.synapses}
    done: set[int] = set()
    while inputs:
        ready = [a for a, deps in inputs.items() if deps <= done]
        assert ready, f"ordering cycle among actions {sorted(inputs)}"
        for action_id in ready:
            done.add(action_id)
            del inputs[action_id]


@SETTINGS
@given(clusters())
def test_no_primitive_active_twice_after_the_transition(cluster):
    cib, _, transition = _plan(cluster)
    _, revised_cib, _ = execute(transition, cib, int(NOW.timestamp()))
    revised = unpack(revised_cib, NOW)
    for rsc in revised.all_resources.values():
        if rsc.variant == "primitive":
            active = [n.name for n in rsc.running_on if n.online and not n.unclean]
            assert len(active) <= 1, f"{rsc.id} active on {active}"


@SETTINGS
@given(clusters())
def test_no_action_on_a_down_node_but_fencing(cluster):
    _, sch, transition = _plan(cluster)
    down = {node.name for node in sch.nodes if not node.online}
    for action in transition.actions():
        if action.node in down:
            assert action.task == "stonith" or action.kind == "pseudo_event", \
                f"{action.uuid} scheduled on down node {action.node}"


@SETTINGS
@given(clusters())
def test_nothing_starts_without_quorum_when_policy_is_stop(cluster):
    if cluster.quorate or cluster.no_quorum_policy != "stop":
        return
    _, _, transition = _plan(cluster)
    for action in transition.actions():
        if action.kind == "rsc_op" and action.task in ("start", "promote") \
                and action.rsc_class != "stonith":
            raise AssertionError(f"{action.uuid} on {action.node} without quorum")


@SETTINGS
@given(clusters())
def test_lost_nodes_resources_recover_only_after_fencing(cluster):
    _, _, transition = _plan(cluster)
    fences = {a.node: a.id for a in transition.actions() if a.task == "stonith"}
    for action in transition.actions():
        if action.kind != "rsc_op" or action.task != "start":
            continue
        previous = cluster.running.get(action.rsc_id)
        if previous is None or previous not in fences or previous == action.node:
            continue
        assert fences[previous] in _ancestors(transition, action.id), \
            f"{action.rsc_id} starts on {action.node} before {previous} is fenced"
