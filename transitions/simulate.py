"""Carry a transition out on a CIB, as crm_simulate does (pcmk_simulate.c).

Each action runs when its inputs have completed; resource actions succeed
unless an ``-F`` spec says otherwise, and their results are recorded in the
status section as the executor would record them.  After a failure nothing
but pseudo-actions starts.  Returns the lines crm_simulate prints under
"Executing Cluster Transition" and the resulting CIB.
"""

from __future__ import annotations

import sys
from attrs import evolve

from pengine.cib import model as m
from pengine.status.history import to_int
from pengine.transitions.graph import GraphAction, Transition

FAKE_TE_ID = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
# Execution statuses that make a result a failure whatever its rc (did_rsc_op_fail)
_FAILED_EXEC = frozenset((2, 3, 4, 8, 9, 10, 11))
FEATURE_SET = "3.20.5"  # Pacemaker 3.0.2's CRM_FEATURE_SET
INFINITY = 1_000_000


class _Status:
    """Mutable working copy of the status section.

    Resource histories being written are kept aside in a mutable form
    (``_History``: one per node, indexed by resource id) and folded into the
    frozen node states whenever ``states`` is read: rebuilding a node state
    for every recorded result made a run quadratic in the actions per node.
    """

    def __init__(self, cib: m.Cib, now_epoch: int, node_config: bool = False):
        self.config = cib.configuration
        # pcmk__simulate_node_config (crm_simulate -u anywhere on the command
        # line): every node injected into also gets a <node> entry, if none
        # has its name (a remote node's name too: it becomes a cluster node)
        self.node_config = node_config
        self._states: list[m.NodeState] = list(cib.status.node_states)
        self.now = now_epoch
        self._histories: dict[int, _History] = {}
        self._changed = False
        self._by_uname: dict[str, int] = {}
        # the CIB updates made, as the fake CIB counts them in num_updates;
        # a change of the configuration counts in epoch and starts num_updates over
        self.updates = 0
        self.epochs = 0

    @property
    def states(self) -> list[m.NodeState]:
        """The node states, every recorded result included."""
        if self._changed:
            for i, history in self._histories.items():
                if history.changed:
                    self._states[i] = evolve(self._states[i], lrm_resources=history.entries,
                                             lrm_id=history.lrm_id)
                    history.base, history.changed = self._states[i].lrm_resources, False
            self._changed = False
        return self._states

    @states.setter
    def states(self, states: list[m.NodeState]) -> None:
        self._states = states
        self._histories.clear()
        self._changed = False

    def history(self, i: int) -> "_History":
        """Node ``i``'s resource history in its mutable working form."""
        history = self._histories.get(i)
        base = self._states[i].lrm_resources
        if history is None or history.base is not base:
            # first use, or the node state was given another history meanwhile
            history = _History(base, self._states[i].lrm_id)
            self._histories[i] = history
        return history

    def _history_changed(self, history: "_History") -> None:
        history.changed = True
        self._changed = True

    def index(self, uname: str) -> int | None:
        states = self._states
        i = self._by_uname.get(uname)
        if i is not None and i < len(states) and states[i].uname == uname:
            return i
        for i, state in enumerate(states):
            if state.uname == uname:
                self._by_uname[uname] = i
                return i
        return None

    def inject_node(self, uname: str, uuid: str | None) -> int:
        """pcmk__inject_node: the node's state entry by name, else by the
        node's id (naming it), else a new one."""
        if self.node_config and not any(node.uname == uname for node in self.config.nodes):
            self.config = evolve(self.config, nodes=(*self.config.nodes,
                                                     m.Node(id=uname, uname=uname)))
            self.config_changed()
        i = self.index(uname)
        if i is not None:
            return i
        node_id = uuid
        if node_id is None:
            for node in self.config.nodes:
                if node.uname == uname:
                    node_id = node.id
        if node_id is not None:
            for i, state in enumerate(self._states):
                if state.id == node_id:
                    attrs = dict(state.attributes)
                    attrs["uname"] = uname
                    self._states[i] = evolve(state, attributes=list(attrs.items()))
                    return i
        state = m.NodeState(id=node_id or uname, attributes=[("uname", uname)])
        self._states.append(state)
        self.updates += 1       # pcmk__inject_node creates the node_state
        return len(self._states) - 1

    def config_changed(self) -> None:
        self.epochs += 1
        self.updates = 0

    def set_attrs(self, i: int, **values) -> None:
        attrs = dict(self._states[i].attributes)
        for key, value in values.items():
            attrs[key.replace("_", "-") if key not in ("in_ccm",) else key] = value
        self._states[i] = evolve(self._states[i], attributes=list(attrs.items()))


class _History:
    """One node's ``<lrm_resources>`` while results are being recorded."""

    __slots__ = ("base", "entries", "positions", "lrm_id", "changed")

    def __init__(self, entries: tuple[m.LrmResource, ...], lrm_id: str | None):
        self.base = entries
        self.entries = list(entries)
        self.positions: dict[str, list[int]] = {}
        for j, entry in enumerate(self.entries):
            self.positions.setdefault(entry.id, []).append(j)
        self.lrm_id = lrm_id
        self.changed = False

    def find(self, rsc_id: str) -> int | None:
        """The entry for ``rsc_id``; like get_xpath_object, none when several
        entries carry the id (a new one is then created)."""
        found = self.positions.get(rsc_id)
        return found[0] if found is not None and len(found) == 1 else None

    def append(self, entry: m.LrmResource) -> int:
        self.entries.append(entry)
        j = len(self.entries) - 1
        self.positions.setdefault(entry.id, []).append(j)
        return j


def node_state_change(status: _Status, uname: str, up: bool, extra: dict | None = None) -> int:
    """pcmk__inject_node_state_change, and ``extra`` attributes in the same update."""
    i = status.inject_node(uname, None)
    state = status.states[i]
    attrs = dict(state.attributes)
    before = dict(attrs)
    if up:
        attrs.update({"in_ccm": "true", "crmd": "online", "join": "member",
                      "expected": "member"})
    else:
        attrs.update({"in_ccm": "false", "crmd": "offline", "join": "down",
                      "expected": "down"})
    attrs["crm-debug-origin"] = "crm_simulate"
    attrs.update(extra or {})
    if attrs != before:     # an update that changes nothing is not counted
        status.updates += 1
    status.states[i] = evolve(state, attributes=list(attrs.items()))
    return i


def inject_resource_history(status: _Status, i: int, display_id: str, config_id: str, cls, rtype,
                            provider) -> int | None:
    history = status.history(i)
    j = history.find(display_id)
    if j is not None:
        return j
    if display_id != config_id:
        j = history.find(config_id)
        if j is not None:
            return j
    if cls is None or rtype is None:
        return None
    history.lrm_id = history.lrm_id or status._states[i].id
    j = history.append(m.LrmResource(id=config_id, cls=cls, provider=provider, type=rtype))
    status._history_changed(history)
    return j


def _op_key(rsc_id: str, task: str, interval: int) -> str:
    return f"{rsc_id}_{task}_{interval}"


def inject_action_result(status: _Status, i: int, j: int, task: str, interval: int, rc: int,
                         target_rc: int, node: str, extra: dict | None = None,
                         notify: tuple[str | None, str | None] | None = None, *,
                         op_status: int = 0, exit_reason: str = "", call_id: int | None = None,
                         transition_key: str | None = None, origin: str = "crm_simulate",
                         exec_time: int = 0, queue_time: int = 0,
                         rc_change: int | None = None, key_id: str | None = None) -> None:
    """pcmk__inject_action_result: record one executor result (a notify result
    under its notification key, from the ``(notify_type, notify_operation)``).

    The keyword arguments let a real executor record what really happened
    (pcmk__create_history_xml): its execution status, exit reason, call id,
    transition key and timings; their defaults are the simulator's.
    ``key_id`` names the resource in the operation keys and ids where it is
    not the history entry's id (the graph names an anonymous clone instance
    by its clone's primitive: "db_last_0" under ``<lrm_resource id="db:0">``)."""
    history = status.history(i)
    entry = history.entries[j]
    if call_id is None:
        call_id = 0
        for op in entry.ops:
            call_id = max(call_id, to_int(op.get("call-id"), 0))
        call_id += 1
    if task in ("reload", "reload-agent"):
        task = "start" if op_status == 0 else "monitor"
    rsc_key = key_id or entry.id
    key = _op_key(rsc_key, task, interval)
    if task == "notify":            # notify errors are ignored
        rc, op_status = target_rc, 0
    failed = op_status in _FAILED_EXEC or (op_status not in (-1, 1) and rc != target_rc)
    ids = []
    if task == "notify":
        if notify is not None and None not in notify:
            ids.append(f"{rsc_key}_{notify[0]}_notify_{notify[1]}_0")
        else:
            ids.append(key)
        rc = 0  # notify errors are ignored
    elif task in ("migrate_to", "migrate_from"):
        ids.append(key)
    elif failed:
        ids.append(_op_key(rsc_key, "last_failure", 0))
        if interval == 0:
            ids.append(_op_key(rsc_key, "last", 0))
    elif interval > 0:
        ids.append(key)
    else:
        ids.append(_op_key(rsc_key, "last", 0))
    if not failed:
        exit_reason = ""
    # pcmk__transition_key(-1, call_id, ...): "action:transition:rc:uuid", transition -1
    user_data = transition_key or f"{call_id}:-1:{target_rc}:{FAKE_TE_ID}"
    changed = status.now if rc_change is None or interval == 0 else rc_change
    attrs = [
        ("operation_key", key), ("operation", task), ("crm-debug-origin", origin),
        ("crm_feature_set", FEATURE_SET), ("transition-key", user_data),
        ("transition-magic", f"{op_status}:{rc};{user_data}"), ("exit-reason", exit_reason),
        ("on_node", node), ("call-id", str(call_id)), ("rc-code", str(rc)),
        ("op-status", str(op_status)), ("interval", str(interval)),
        ("last-rc-change", str(changed)), ("exec-time", str(exec_time)),
        ("queue-time", str(queue_time)),
    ]
    if extra:
        attrs.extend(extra.items())
    ops = list(entry.ops)
    for op_id in ids:
        for k, op in enumerate(ops):
            if op.id == op_id:
                # pcmk__create_history_xml updates the entry in place: what it
                # does not set (a digest, when the result has no parameters) stays
                written = {name for name, _ in attrs}
                kept = [(name, value) for name, value in op.attributes if name not in written]
                ops[k] = m.LrmRscOp(id=op_id, attributes=[*attrs, *kept])
                break
        else:
            ops.append(m.LrmRscOp(id=op_id, attributes=attrs))
    history.entries[j] = evolve(entry, ops=ops)
    status._history_changed(history)
    status.updates += 1


def inject_failcount(status: _Status, i: int, rsc_id: str, task: str, interval: int,
                     infinity: bool, *, count: bool = True) -> list[tuple[str, str]]:
    """pcmk__inject_failcount: bump the fail count, record the last failure
    (only the last failure when ``count`` is false: on-fail=ignore); the
    (name, value) pairs set."""
    state = status.states[i]
    name = f"fail-count-{rsc_id}#{task}_{interval}"
    last = f"last-failure-{rsc_id}#{task}_{interval}"
    sets = list(state.transient)
    if not sets:        # update_attr_delegate names a new set after the node
        sets = [m.AttrSet(id=state.id)]
    first = sets[0]
    pairs = list(first.nvpairs)
    current = None
    for pair in pairs:
        if pair.name == name:
            current = pair.value
    if infinity:
        value = "INFINITY"
    else:
        value = str(to_int(current, 0) + 1) if current not in (None, "INFINITY") else (
            "INFINITY" if current == "INFINITY" else "1")
    pairs = [p for p in pairs if p.name not in ((name, last) if count else (last,))]
    # and each attribute after its set, as crm_xml_sanitize_id makes an id of it
    if count:
        pairs.append(m.NvPair(name, value, id=f"{first.id}-{name}".replace("#", ".")))
    pairs.append(m.NvPair(last, str(status.now), id=f"{first.id}-{last}".replace("#", ".")))
    sets[0] = evolve(first, nvpairs=pairs)
    status.states[i] = evolve(state, transient=sets, transient_id=state.transient_id or state.id)
    return ([(name, value)] if count else []) + [(last, str(status.now))]


def injected_attribute_lines(status: _Status, i: int, injected) -> list[str]:
    """What crm_simulate prints for each transient attribute it injects."""
    node_id = status.states[i].id
    return [f"  * Injecting attribute {name}={value} into /node_state '{node_id}'"
            for name, value in injected]


def _fail_rc(specs: list[str], names: list[str], task: str, interval: int,
             node: str) -> tuple[str, int] | None:
    """The first -F spec that fails this action: (the name it matched, rc).
    A spec whose result code is not an integer is skipped, as crm_simulate
    skips it with an error."""
    for spec in specs:
        for name in names:
            prefix = f"{name}_{task}_{interval}@{node}="
            if spec[:len(prefix)].lower() == prefix.lower():
                try:
                    return name, int(spec.split("=", 1)[1])
                except ValueError:
                    print(f"Invalid failed operation '{spec}' (result code must be integer)",
                          file=sys.stderr)
                    break
    return None


def run(transition: Transition, cib: m.Cib, now_epoch: int, fail_specs: list[str] | None = None,
        start_failure_fatal: bool = True, fired_log: list | None = None,
        stamp_epoch: int | None = None, node_config: bool = False):
    """Execute ``transition`` on ``cib``: (printed lines, new CIB, completed?).

    ``fired_log``, if given, receives (action, succeeded) per action run, in
    the order of the printed lines.  Results are stamped with ``stamp_epoch``
    (default ``now_epoch``): crm_simulate stamps them with the wall clock."""
    fail_specs = fail_specs or []
    status = _Status(cib, now_epoch if stamp_epoch is None else stamp_epoch, node_config)
    lines: list[str] = []
    confirmed: set[int] = set()
    failed: set[int] = set()
    fired: set[int] = set()
    abort_priority = 0
    synapses = list(transition.synapses)
    progress = True
    while progress:
        progress = False
        for syn in synapses:
            if syn.action.id in fired:
                continue
            # pcmk__update_graph: a failed action still confirms its place as
            # an input of the synapses of priority INFINITY (a clone's stopped,
            # promoted... pseudo-actions), never of the others
            if any(i not in confirmed or (i in failed and syn.priority < INFINITY)
                   for i in syn.inputs):
                continue
            action = syn.action
            if action.kind != "pseudo_event" and syn.priority < abort_priority:
                continue
            fired.add(action.id)
            progress = True
            ok = _execute(action, status, lines, fail_specs, start_failure_fatal)
            if fired_log is not None:
                fired_log.append((action, ok))
            confirmed.add(action.id)
            if not ok:
                failed.add(action.id)
                abort_priority = INFINITY
    new_cib = evolve(cib, configuration=status.config,
                     status=evolve(cib.status, node_states=status.states))
    new_cib = with_updates(new_cib, status.updates, status.epochs)
    # Actions left unfired without a failure to explain them mean the graph
    # could never complete (pcmk__graph_terminated).
    complete = abort_priority > 0 or len(fired) == len(synapses)
    return lines, new_cib, complete


def with_updates(cib: m.Cib, count: int, epochs: int = 0) -> m.Cib:
    """``cib`` with ``count`` more updates in its num_updates, as a CIB
    counts each change of its status; after ``epochs`` changes of its
    configuration, epoch counts them and num_updates is ``count``."""
    if not (count or epochs) or not cib.attributes:     # no header yet: the writer's own
        return cib
    attrs = dict(cib.attributes)
    if epochs:
        attrs["epoch"] = str(to_int(attrs.get("epoch"), 0) + epochs)
        attrs["num_updates"] = str(count)
    else:
        attrs["num_updates"] = str(to_int(attrs.get("num_updates"), 0) + count)
    return evolve(cib, attributes=list(attrs.items()))


def _execute(action: GraphAction, status: _Status, lines: list[str], fail_specs: list[str],
             start_failure_fatal: bool) -> bool:
    if action.kind == "pseudo_event":
        node = f" on {action.node}" if (action.task == "stonith" and action.node) else ""
        lines.append(f"  * Pseudo action:   {action.key}{node}")
        return True
    if action.kind == "crm_event":
        if action.task == "stonith":
            op = action.get("stonith_action")
            lines.append(f"  * Fencing {action.node} ({op})")
            if (op or "").lower() != "on":
                i = node_state_change(status, action.node, False,
                                      {"crm-debug-origin": "simulate_fencing_action"})
                state = status.states[i]
                # its history and attributes removed: an update each, where there were some
                status.updates += (state.lrm_id is not None or bool(state.lrm_resources)) \
                    + (state.transient_id is not None or bool(state.transient)
                       or bool(state.transient_utilization))
                status.states[i] = evolve(state, lrm_resources=(), lrm_id=None,
                                          transient=(), transient_id=None, transient_utilization=())
            return True
        if action.rsc_id is not None:
            lines.append(f"  * Cluster action:  {action.task} for {action.rsc_config_id} on "
                         f"{action.node}")
        else:
            lines.append(f"  * Cluster action:  {action.task} on {action.node}")
        return True
    return _simulate_resource_action(action, status, lines, fail_specs, start_failure_fatal)


def _simulate_resource_action(action: GraphAction, status: _Status, lines: list[str],
                              fail_specs: list[str], start_failure_fatal: bool) -> bool:
    task = action.task
    if task == "cancel":
        interval = to_int(action.get("interval"), 0)
        task_name = "cancel"
    else:
        interval = action.interval_ms
        task_name = task
    node = action.node
    display = action.rsc_id
    config_id = action.rsc_config_id or display
    if task_name in ("delete", "meta-data"):
        lines.append(f"  * Resource action: {display:<15} {task_name} on {node}")
        return True
    target_rc = to_int(action.get("op_target_rc"), 0)
    i = status.inject_node(node, action.node_id)
    j = inject_resource_history(status, i, display, config_id, action.rsc_class, action.rsc_type,
                                action.rsc_provider)
    if interval:
        lines.append(f"  * Resource action: {display:<15} {task_name}={interval} on {node}")
    else:
        lines.append(f"  * Resource action: {display:<15} {task_name} on {node}")
    if j is None:
        return True
    rc = target_rc
    ok = True
    names = [display] + ([config_id] if config_id != display else [])
    failure = _fail_rc(fail_specs, names, task_name, interval, node)
    if failure is not None:
        match, rc = failure
        ok = False
        lines.append(f"Pretending action {action.id} failed with rc={rc}")
        offset_infinity = False
        if task_name == "start":
            offset_infinity = start_failure_fatal
        elif task_name == "stop":
            offset_infinity = True
        # pcmk__inject_failcount counts nothing for rc 0, nor for "not
        # running" (7) from a non-recurring action
        if not (rc == 0 or (rc == 7 and interval == 0)):
            injected = inject_failcount(status, i, match, task_name, interval, offset_infinity)
            lines.extend(injected_attribute_lines(status, i, injected))
    extra = {}
    if task_name in ("migrate_to", "migrate_from"):
        extra["migrate_source"] = action.get("migrate_source") or ""
        extra["migrate_target"] = action.get("migrate_target") or ""
    if action.digest is not None:
        extra["op-digest"] = action.digest
    notify = (action.get("notify_type"), action.get("notify_operation")) \
        if task_name == "notify" else None
    inject_action_result(status, i, j, task_name, interval, rc, target_rc, node, extra, notify,
                         exit_reason="User-injected result", key_id=config_id)
    return ok


def bring_crm_cluster_up(cib: m.Cib) -> m.Cib:
    """A crm configuration has no status section: its cluster nodes start
    online members and the cluster quorate, its resources stopped."""
    status = _Status(cib, 0)
    for node in cib.configuration.nodes:
        if (node.type or "member") in ("member", "normal"):
            node_state_change(status, node.uname, True)
    attrs = dict(cib.attributes)
    attrs.setdefault("have-quorum", "1")
    return evolve(cib, status=evolve(cib.status, node_states=status.states),
                  attributes=list(attrs.items()))
