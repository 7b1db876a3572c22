"""The look-up indexes the scheduler keeps for speed answer exactly what the
scans they replace answered (same actions, same order, same adoption of a
node), including after an action's task changes."""

from __future__ import annotations

from pengine.status.actions import find_actions, find_actions_exact, find_first_action
from pengine.status.cluster import Action, ActionList, Node, Rel
from pengine.schedule.ordering import order_actions


def _scan_find_actions(actions, key, node):
    result = []
    for action in actions:
        if action.uuid != key:
            continue
        if node is None or action.node is None or action.node is node:
            result.append(action)
    return result


def _scan_first(actions, uuid=None, task=None, node=None):
    for action in reversed(actions):
        if uuid is not None and action.uuid != uuid:
            continue
        if task is not None and action.task != task:
            continue
        if node is None:
            return action
        if action.node is not None and action.node is node:
            return action
    return None


def _cluster():
    n1, n2 = Node("1", "node1"), Node("2", "node2")
    actions = ActionList()
    made = [
        Action(0, "r_monitor_0", "monitor", None, n1),
        Action(1, "r_monitor_0", "monitor", None, n2),
        Action(2, "r_start_0", "start", None, None),
        Action(3, "r_monitor_10000", "monitor", None, n1),
        Action(4, "r_start_0", "start", None, n2),
        Action(5, "r_stop_0", "stop", None, n1),
    ]
    for action in made:
        actions.append(action)
    return actions, made, n1, n2


def test_action_list_is_a_list_in_creation_order():
    actions, made, _, _ = _cluster()
    assert list(actions) == made
    assert [a.id for a in actions.by_uuid["r_start_0"]] == [2, 4]
    assert [a.id for a in actions.by_task["monitor"]] == [0, 1, 3]


def test_lookups_match_a_scan():
    for key in ("r_monitor_0", "r_start_0", "r_stop_0", "r_missing_0"):
        for which in (None, 0, 1):
            actions, _, n1, n2 = _cluster()
            plain = list(actions)
            node = (None, n1, n2)[0 if which is None else which + 1]
            assert find_actions_exact(actions, key, node) == \
                [a for a in plain if node is not None and a.node is node and a.uuid == key]
            for task in (None, "monitor", "start", "stop"):
                assert find_first_action(actions, key, task, node) is \
                    _scan_first(plain, key, task, node)
                assert find_first_action(actions, None, task, node) is \
                    _scan_first(plain, None, task, node)
            assert find_actions(actions, key, node) == _scan_find_actions(plain, key, node)


def test_find_actions_adopts_the_node_as_a_scan_did():
    actions, made, n1, _ = _cluster()
    assert find_actions(actions, "r_start_0", n1) == [made[2]]
    assert made[2].node is n1


def test_retask_refiles_the_action_in_creation_order():
    actions, made, n1, _ = _cluster()
    actions.retask(made[3], "cancel")
    assert made[3].task == "cancel"
    assert find_first_action(actions, None, "cancel", n1) is made[3]
    assert find_first_action(actions, None, "monitor", n1) is made[0]
    actions.retask(made[0], "cancel")
    assert [a.id for a in actions.by_task["cancel"]] == [0, 3]


def test_order_actions_skips_only_overlapping_duplicates():
    _, made, _, _ = _cluster()
    first, then, other = made[0], made[2], made[4]
    assert order_actions(first, then, Rel.ORDERED)
    assert not order_actions(first, then, Rel.ORDERED)            # same flags
    assert order_actions(first, then, Rel.FIRST_IMPLIES_THEN)              # no overlap: a new one
    assert not order_actions(first, then, Rel.ORDERED | Rel.FIRST_IMPLIES_THEN)
    assert order_actions(first, other, Rel.ORDERED)                 # another action
    assert [r.action.id for r in first.actions_after] == [4, 2, 2]  # newest first
    assert [r.action.id for r in then.actions_before] == [0, 0]
    # a relation whose flags were cleared no longer counts as a duplicate
    for relation in first.actions_after:
        if relation.action is other:
            relation.flags = Rel.NONE
    assert order_actions(first, other, Rel.ORDERED)
