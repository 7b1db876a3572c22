"""Optimal placement (pengine.placement): CP-SAT beyond Pacemaker's greedy assignment."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from cib_builder import cib_xml, group, placement, primitive, schedule_xml
from conftest import REPO, SAMPLES, run_pengine

NODES = ["node1", "node2"]
KNAPSACK = SAMPLES / "knapsack.crm"


def _section(stdout: str) -> list[str]:
    if "Optimal Placement:" not in stdout:
        return []
    text = stdout.split("Optimal Placement:\n")[1].split("\n\n")[0]
    return [" ".join(line.split()) for line in text.splitlines()]


def _revised(stdout: str) -> str:
    return stdout.split("Revised Cluster Status:")[1]


# ---------------------------------------------------------- end to end --

def test_knapsack_greedy_leaves_one_stopped():
    result = run_pengine("simulate", KNAPSACK, "-S")
    assert result.returncode == 0, result.stderr
    revised = _revised(result.stdout)
    assert "rsc-large\t(ocf:pacemaker:Dummy):\t Stopped" in revised
    assert "Optimal Placement" not in result.stdout


def test_knapsack_optimal_places_all_three():
    result = run_pengine("simulate", KNAPSACK, "-S", "--optimal")
    assert result.returncode == 0, result.stderr
    revised = _revised(result.stdout)
    assert "rsc-small\t(ocf:pacemaker:Dummy):\t Started node2" in revised
    assert "rsc-medium\t(ocf:pacemaker:Dummy):\t Started node1" in revised
    assert "rsc-large\t(ocf:pacemaker:Dummy):\t Started node2" in revised
    assert _section(result.stdout) == [
        "* Relocate rsc-medium ( node1 instead of node2 ) for a better overall placement "
        "(same score)",
        "* Place rsc-large ( node2 ) Pacemaker's greedy assignment leaves it stopped",
        "* Active primitives: 3 (greedy: 2); total placement score: 0 (greedy: 0); "
        "solution: optimal",
    ]
    # the section comes before the transition summary
    assert result.stdout.index("Optimal Placement:") < result.stdout.index("Transition Summary:")


def test_cluster_property_asks_for_it_too(tmp_path):
    config = KNAPSACK.read_text().replace("\tplacement-strategy=balanced\n",
                                          "\tplacement-strategy=balanced \\\n"
                                          "\tplacement-solver=optimal\n")
    path = tmp_path / "k.crm"
    path.write_text(config)
    result = run_pengine("simulate", path, "-S")
    assert result.returncode == 0, result.stderr
    assert "rsc-large\t(ocf:pacemaker:Dummy):\t Started node2" in _revised(result.stdout)
    assert run_pengine("check", path).returncode == 0


def test_output_is_deterministic():
    first = run_pengine("simulate", KNAPSACK, "-S", "--optimal").stdout
    second = run_pengine("simulate", KNAPSACK, "-S", "--optimal").stdout
    assert first == second


def test_default_run_does_not_import_ortools():
    code = ("import sys; from pengine.cli import main; main(['simulate', sys.argv[1], '-S']); "
            "print('ORTOOLS' if any(m.startswith('ortools') for m in sys.modules) else 'NONE')")
    result = subprocess.run([sys.executable, "-c", code, str(KNAPSACK)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().endswith("NONE"), result.stderr


# ------------------------------------------------------------- the model --

def _cib(resources, constraints=(), util=None, strategy="utilization", **kw):
    util = util if util is not None else {"node1": {"cpu": "2"}, "node2": {"cpu": "2"}}
    return cib_xml(NODES, resources, list(constraints),
                   properties={"placement-strategy": strategy}, node_utilization=util, **kw)


def test_capacity_is_respected_and_better_packed():
    resources = [primitive("a", utilization={"cpu": 1}), primitive("b", utilization={"cpu": 1}),
                 primitive("c", utilization={"cpu": 2})]
    greedy = placement(schedule_xml(_cib(resources)))
    assert greedy == {"a": "node1", "b": "node2", "c": None}
    sch = schedule_xml(_cib(resources), optimal=True)
    best = placement(sch)
    assert None not in best.values()
    assert best["a"] == best["b"] != best["c"]
    assert sch.placement_report.active_optimal == 3
    assert sch.placement_report.active_greedy == 2


def test_default_strategy_ignores_capacity_in_optimal_mode_too():
    resources = [primitive("c", utilization={"cpu": 5})]
    assert placement(schedule_xml(_cib(resources, strategy="default"), optimal=True)) == {
        "c": "node1"}


def test_bans_and_mandatory_colocations_hold():
    resources = [primitive("a", utilization={"cpu": 2}), primitive("b", utilization={"cpu": 1}),
                 primitive("c", utilization={"cpu": 1})]
    constraints = ['<rsc_location id="a-not-1" rsc="a" node="node1" score="-INFINITY"/>',
                   '<rsc_colocation id="c-with-b" rsc="c" with-rsc="b" score="INFINITY"/>',
                   '<rsc_colocation id="c-not-a" rsc="c" with-rsc="a" score="-INFINITY"/>']
    best = placement(schedule_xml(_cib(resources, constraints), optimal=True))
    assert best == {"a": "node2", "b": "node1", "c": "node1"}


def test_negative_scores_are_not_acceptable():
    resources = [primitive("a")]
    constraints = ['<rsc_location id="a1" rsc="a" node="node1" score="-100"/>',
                   '<rsc_location id="a2" rsc="a" node="node2" score="-INFINITY"/>']
    sch = schedule_xml(_cib(resources, constraints), optimal=True)
    assert placement(sch) == {"a": None}
    # finite colocations count in the acceptance rule, as in Pacemaker
    resources = [primitive("p", utilization={"cpu": 1}), primitive("d", utilization={"cpu": 1})]
    constraints = ['<rsc_colocation id="d-p" rsc="d" with-rsc="p" score="-50"/>',
                   '<rsc_location id="d1" rsc="d" node="node2" score="-INFINITY"/>',
                   '<rsc_location id="p1" rsc="p" node="node2" score="-INFINITY"/>']
    assert placement(schedule_xml(_cib(resources, constraints), optimal=True)) == {
        "p": "node1", "d": None}


def test_priority_wins_over_count():
    resources = [primitive("small1", utilization={"cpu": 1}),
                 primitive("small2", utilization={"cpu": 1}),
                 primitive("vip", utilization={"cpu": 2}, meta={"priority": "5"})]
    util = {"node1": {"cpu": "2"}, "node2": {"cpu": "0"}}
    best = placement(schedule_xml(_cib(resources, util=util), optimal=True))
    assert best == {"small1": None, "small2": None, "vip": "node1"}


def test_higher_score_is_preferred():
    resources = [primitive("a", utilization={"cpu": 2}), primitive("b", utilization={"cpu": 2})]
    constraints = ['<rsc_location id="a1" rsc="a" node="node1" score="10"/>',
                   '<rsc_location id="b1" rsc="b" node="node1" score="100"/>']
    sch = schedule_xml(_cib(resources, constraints), optimal=True)
    assert placement(sch) == {"a": "node2", "b": "node1"}
    assert sch.placement_report.score_optimal == 100
    assert sch.placement_report.score_greedy == 100


def test_same_answer_as_greedy_when_greedy_is_optimal():
    resources = [primitive("a"), primitive("b"), primitive("c")]
    greedy = placement(schedule_xml(_cib(resources, strategy="default")))
    sch = schedule_xml(_cib(resources, strategy="default"), optimal=True)
    assert placement(sch) == greedy
    assert sch.placement_report.changes == []


def test_running_resources_stay_when_nothing_is_gained():
    resources = [primitive("a"), primitive("b")]
    sch = schedule_xml(_cib(resources, strategy="default", running={"a": "node2", "b": "node2"}),
                       optimal=True)
    greedy = placement(schedule_xml(_cib(resources, strategy="default",
                                         running={"a": "node2", "b": "node2"})))
    assert placement(sch) == greedy


def test_groups_move_as_a_whole():
    members1 = [primitive("g1a", utilization={"cpu": 1}), primitive("g1b", utilization={"cpu": 1})]
    members2 = [primitive("g2a", utilization={"cpu": 1}), primitive("g2b", utilization={"cpu": 1})]
    single = primitive("big", utilization={"cpu": 2}, meta={"priority": "1"})
    resources = [single, group("g1", *members1), group("g2", *members2)]
    util = {"node1": {"cpu": "4"}, "node2": {"cpu": "2"}}
    sch = schedule_xml(_cib(resources, util=util), optimal=True)
    best = placement(sch)
    assert None not in best.values()
    assert best["g1a"] == best["g1b"] and best["g2a"] == best["g2b"]


def test_stopped_target_role_stays_stopped():
    resources = [primitive("a", meta={"target-role": "Stopped"})]
    assert placement(schedule_xml(_cib(resources), optimal=True)) == {"a": None}


@pytest.mark.parametrize("seed", range(12))
def test_random_bin_packing_never_worse_than_greedy(seed):
    rng = random.Random(seed)
    nodes = [f"n{i}" for i in range(3)]
    util = {n: {"cpu": str(rng.randint(2, 6)), "mem": str(rng.randint(2, 6))} for n in nodes}
    resources = [primitive(f"r{i}", utilization={"cpu": rng.randint(1, 3), "mem": rng.randint(1, 3)},
                           meta={"priority": str(rng.choice([0, 0, 1]))})
                 for i in range(rng.randint(4, 9))]
    strategy = rng.choice(["utilization", "balanced", "minimal"])
    text = cib_xml(nodes, resources, properties={"placement-strategy": strategy},
                   node_utilization=util)
    greedy = placement(schedule_xml(text))
    sch = schedule_xml(text, optimal=True)
    best = placement(sch)
    for node in nodes:
        for key in ("cpu", "mem"):
            used = sum(int(rsc.utilization[key]) for top in sch.resources
                       for rsc in top.primitives() if best[rsc.id] == node)
            assert used <= int(util[node][key])
    prio = {rsc.id: rsc.priority for top in sch.resources for rsc in top.primitives()}

    def active(assignment, level):
        return sum(1 for rsc_id, node in assignment.items() if node and prio[rsc_id] == level)
    # lexicographically at least as good: priority 1 first, then priority 0
    assert (active(best, 1), active(best, 0)) >= (active(greedy, 1), active(greedy, 0))


def test_readme_example_is_current():
    readme = (REPO / "README.md").read_text()
    shown = readme.split("```\nOptimal Placement:\n")[1].split("```")[0]
    result = run_pengine("simulate", KNAPSACK, "-S", "--optimal")
    assert _section(result.stdout) == [" ".join(line.split()) for line in shown.splitlines()]


def test_json_report():
    import json
    result = run_pengine("simulate", KNAPSACK, "-S", "--optimal", "--output-as", "json")
    report = json.loads(result.stdout)["optimal_placement"]
    assert report["computed"] and report["solution"] == "optimal"
    assert report["active"] == {"optimal": 3, "greedy": 2}
    assert {"resource": "rsc-large", "greedy": None, "optimal": "node2", "greedy_score": None,
            "optimal_score": 0} in report["changes"]
    plain = json.loads(run_pengine("simulate", KNAPSACK, "-S", "--output-as", "json").stdout)
    assert "optimal_placement" not in plain
