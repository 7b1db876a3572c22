"""``pengine simulate --output-as xml``: the document crm_simulate 3.0.2 prints
with ``--output-as xml`` (``<pacemaker-result api-version="2.42">``).

Sections: ``cluster_status`` (nodes and resources as crm_mon's XML has
them), ``modifications``, ``actions`` (the Transition Summary, one
``rsc_action``/``node_action`` per line, as rsc_action_item_xml writes
them), ``transition`` (the actions carried out: ``rsc_action``,
``pseudo_action``, ``fencing_action``, ``cluster_action``),
``revised_cluster_status`` and ``status``.

Known gaps: bundles are written with their replicas' resources only; node
attributes (-A), fail counts (-c) and scores (-s) have no XML here; with
an injection crm_simulate 3.0.2 itself stops after ``modifications``
(its document ends there), which pengine reproduces.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

API_VERSION = "2.42"
_ROLE_RANK = {"Unknown": 0, "Stopped": 1, "Started": 2, "Unpromoted": 3, "Promoted": 4}


def _attrs(pairs) -> str:
    return "".join(f" {name}={quoteattr(str(value))}" for name, value in pairs
                   if value is not None)


def _bool(value) -> str:
    return "true" if value else "false"


class _Writer:
    def __init__(self):
        self.lines: list[str] = []

    def empty(self, depth: int, tag: str, pairs) -> None:
        self.lines.append(f"{'  ' * depth}<{tag}{_attrs(pairs)}/>")

    def open(self, depth: int, tag: str, pairs=()) -> None:
        self.lines.append(f"{'  ' * depth}<{tag}{_attrs(pairs)}>")

    def close(self, depth: int, tag: str) -> None:
        opened = f"{'  ' * depth}<{tag}"
        if self.lines and self.lines[-1].startswith(opened) and self.lines[-1].endswith(">") \
                and not self.lines[-1].endswith("/>"):
            self.lines[-1] = self.lines[-1][:-1] + "/>"     # nothing inside: <tag/>
            return
        self.lines.append(f"{'  ' * depth}</{tag}>")


# ----------------------------------------------------------------- status --

def _node(w: _Writer, depth: int, node, sch) -> None:
    # get_node_feature_set: for members that are up (the attribute came with 3.15.1)
    feature_set = (node.attrs.get("#feature-set") or "<3.15.1") \
        if node.online and node.expected_up else None
    running = sum(1 for rsc in node.running if rsc.variant == "primitive")
    kind = "remote" if node.is_remote else "member"
    if getattr(node, "remote_rsc", None) is not None and \
            getattr(node.remote_rsc, "parent", None) is not None:
        kind = "remote"
    pairs = [("name", node.name), ("id", node.id), ("online", _bool(node.online)),
             ("standby", _bool(node.standby)), ("standby_onfail", _bool(node.fail_standby)),
             ("maintenance", _bool(node.maintenance)), ("pending", _bool(node.pending)),
             ("unclean", _bool(node.unclean)), ("health", _health(sch, node)),
             ("feature_set", feature_set if not node.is_remote else None),
             ("shutdown", _bool(node.shutdown)), ("expected_up", _bool(node.expected_up)),
             ("is_dc", _bool(node.is_dc)), ("resources_running", running), ("type", kind)]
    launcher = getattr(node.remote_rsc, "launcher", None) if node.remote_rsc else None
    if launcher is not None:
        pairs.append(("id_as_resource", launcher.id))      # a guest node
    w.empty(depth, "node", pairs)


def _health(sch, node) -> str:
    """pe__node_health: a #health attribute "red" (or scoring at most red)
    makes the node red; "yellow" (or scoring at most yellow, where yellow
    differs from green) yellow; green otherwise, and without a strategy."""
    from pengine.common.scores import parse_score
    from pengine.schedule.health import health_colours
    strategy = (sch.options.get("node-health-strategy") or "none").lower()
    if strategy == "none":
        return "green"
    colours = health_colours(sch)
    colour = "green"
    for name, value in node.attrs.items():
        if not name.startswith("#health"):
            continue
        text = (value or "").lower()
        if text == "red":
            return "red"
        if text == "yellow":
            colour = "yellow"
            continue
        score = parse_score(value, 0)
        if score <= colours["red"]:
            return "red"
        if score <= colours["yellow"] and colours["yellow"] != colours["green"]:
            colour = "yellow"
    return colour


def _resource_id(rsc) -> str:
    """Primitives of an anonymous clone are shown without their instance number."""
    if rsc.variant != "primitive":
        return rsc.id
    parent = rsc.parent
    while parent is not None:
        if parent.variant == "clone":
            return rsc.id.split(":", 1)[0] if not parent.unique else rsc.id
        parent = parent.parent
    return rsc.id


def _primitive(w: _Writer, depth: int, rsc, show_pending: bool) -> None:
    from pengine.transitions.status_text import _PENDING_STATE, _displayable_role
    role = _displayable_role(rsc).text
    if show_pending:
        role = _PENDING_STATE.get(rsc.pending_action or "", role)
    agent = ":".join(p for p in (rsc.cls, rsc.provider, rsc.type) if p)
    target = rsc.meta.get("target-role")
    nodes = list(rsc.running_on)
    pairs = [("id", _resource_id(rsc)), ("resource_agent", agent), ("role", role),
             ("target_role", target), ("active", _bool(_active(rsc, nodes))),
             ("orphaned", _bool(rsc.removed)), ("removed", _bool(rsc.removed)),
             ("blocked", _bool(rsc.blocked)), ("maintenance", _bool(rsc.maintenance)),
             ("managed", _bool(rsc.managed)), ("failed", _bool(rsc.failed)),
             ("failure_ignored", _bool(rsc.ignore_failure)),
             ("nodes_running_on", len(nodes))]
    if show_pending and rsc.pending_action == "monitor":
        pairs.append(("pending", "Monitoring"))
    if getattr(rsc, "lock_node", None) is not None:
        pairs.append(("locked_to", rsc.lock_node.name))     # shutdown-lock
    if not nodes:
        w.empty(depth, "resource", pairs)
        return
    w.open(depth, "resource", pairs)
    for node in nodes:
        # "cached": whether the node is online (pe__resource_xml)
        w.empty(depth + 1, "node", [("name", node.name), ("id", node.id),
                                    ("cached", _bool(node.online))])
    w.close(depth, "resource")


def _active(rsc, nodes) -> bool:
    """native_active: active on an unclean node, or on an online one (an
    offline node counts only for an unmanaged resource)."""
    for node in nodes:
        if node.unclean:
            return True
        if not node.online and rsc.managed:
            continue
        return True
    return False


def _configured_role(rsc) -> str | None:
    """A clone's target-role, else any instance's."""
    role = rsc.meta.get("target-role")
    if role is None and rsc.children:
        role = rsc.children[0].meta.get("target-role")
    return role


def _disabled(rsc) -> bool:
    return (rsc.meta.get("target-role") or "").lower() == "stopped"


def _resource(w: _Writer, depth: int, rsc, show_pending: bool) -> None:
    if rsc.removed and not rsc.running_on and rsc.variant == "primitive" \
            and rsc.parent is None:
        return      # crm_mon leaves inactive top-level orphans out
    if rsc.variant == "primitive":
        _primitive(w, depth, rsc, show_pending)
    elif rsc.variant == "group":
        w.open(depth, "group", [("id", _resource_id(rsc)),
                                ("number_resources", len(rsc.children)),
                                ("maintenance", _bool(rsc.maintenance)),
                                ("managed", _bool(rsc.managed)),
                                ("disabled", _bool(_disabled(rsc)))])
        for child in rsc.children:
            _resource(w, depth + 1, child, show_pending)
        w.close(depth, "group")
    elif rsc.variant == "clone":
        w.open(depth, "clone", [("id", rsc.id), ("multi_state", _bool(rsc.promotable)),
                                ("unique", _bool(rsc.unique)),
                                ("maintenance", _bool(rsc.maintenance)),
                                ("managed", _bool(rsc.managed)),
                                ("disabled", _bool(_disabled(rsc))),
                                ("failed", _bool(rsc.failed)),
                                ("failure_ignored", _bool(rsc.ignore_failure)),
                                ("target_role", _configured_role(rsc))])
        for child in rsc.children:
            _resource(w, depth + 1, child, show_pending)
        w.close(depth, "clone")
    else:
        _bundle(w, depth, rsc, show_pending)


def _bundle(w: _Writer, depth: int, rsc, show_pending: bool) -> None:
    """pe__bundle_xml: the bundle, then per replica its IP address, bundled
    resource, container and connection resources."""
    data = getattr(rsc, "bundle", None)
    if data is None or not data.replicas:
        return
    w.open(depth, "bundle", [("id", rsc.id), ("type", data.agent), ("image", data.image),
                             ("unique", _bool(rsc.unique)),
                             ("maintenance", _bool(rsc.maintenance)),
                             ("managed", _bool(rsc.managed)),
                             ("failed", _bool(rsc.failed)),
                             ("description", getattr(rsc.config, "description", None))])
    for replica in data.replicas:
        w.open(depth + 1, "replica", [("id", replica.offset)])
        for member in (replica.ip, replica.child, replica.container, replica.remote):
            if member is not None:
                _primitive(w, depth + 2, member, show_pending)
        w.close(depth + 1, "replica")
    w.close(depth, "bundle")


def _status(w: _Writer, depth: int, tag: str, sch, show_pending: bool = True,
            sections: tuple = ()) -> None:
    w.open(depth, tag)
    w.open(depth + 1, "nodes")
    for node in sch.nodes:
        _node(w, depth + 2, node, sch)
    w.close(depth + 1, "nodes")
    w.open(depth + 1, "resources")
    for rsc in sch.resources:
        _resource(w, depth + 2, rsc, show_pending)
    w.close(depth + 1, "resources")
    if "attributes" in sections:
        _node_attributes(w, depth + 1, sch)
    if "failcounts" in sections:
        _node_history(w, depth + 1, sch)
        if sch.failed_ops:
            _failures(w, depth + 1, sch)
    w.close(depth, tag)


def _rc_change_text(epoch: int) -> str:
    """pcmk__epoch2str with date, time and time zone: local time, Z for UTC."""
    import time
    local = time.localtime(epoch)
    offset = local.tm_gmtoff or 0
    zone = "Z" if offset == 0 else \
        f"{'+' if offset > 0 else '-'}{abs(offset) // 3600:02d}:{abs(offset) % 3600 // 60:02d}"
    return time.strftime("%Y-%m-%d %H:%M:%S", local) + zone


def _failures(w: _Writer, depth: int, sch) -> None:
    """-c: failed-action-list, as the text's Failed Resource Actions."""
    from pengine.transitions.status_text import (_EXEC_STR, _crm_exit_str, _mask_probe_failure,
                                                 _op_key_rsc, _to_int)
    opened = False
    for _rsc, key, node, xml_op in sch.failed_ops:
        if _mask_probe_failure(xml_op) or _op_key_rsc(key) is None:
            continue
        if not opened:
            w.open(depth, "failures")
            opened = True
        rc = _to_int(xml_op.get("rc-code"), 0)
        op_key = xml_op.get("operation_key")
        reason = xml_op.get("exit-reason")
        pairs = [("op_key", op_key) if op_key is not None else ("id", xml_op.id),
                 ("node", node.name if node else None),
                 ("exitstatus", _crm_exit_str(rc)),
                 ("exitreason", reason if reason is not None else "none"),
                 ("exitcode", rc), ("call", xml_op.get("call-id")),
                 ("status", _EXEC_STR.get(_to_int(xml_op.get("op-status"), 0), "UNKNOWN!"))]
        change = _to_int(xml_op.get("last-rc-change"), 0)
        if change > 0:
            pairs += [("last-rc-change", _rc_change_text(change)),
                      ("queued", xml_op.get("queue-time")), ("exec", xml_op.get("exec-time")),
                      ("interval", _to_int(xml_op.get("interval"), 0)),
                      ("task", xml_op.get("operation"))]
        w.empty(depth + 1, "failure", pairs)
    if opened:
        w.close(depth, "failures")


def _node_attributes(w: _Writer, depth: int, sch) -> None:
    """-A: node-attribute-list, as the text's Node Attributes (a ping
    attribute with the score its resource expects)."""
    from pengine.transitions.status_text import _ATTR_FILTER, _node_key, _ping_expected
    opened = False
    for node in sorted(sch.nodes, key=_node_key):
        if not node.online:
            continue
        names = sorted(name for name in node.attrs if not name.startswith(_ATTR_FILTER))
        if not names:
            continue
        if not opened:
            w.open(depth, "node_attributes")
            opened = True
        w.open(depth + 1, "node", [("name", node.name)])
        for name in names:
            w.empty(depth + 2, "attribute", [("name", name), ("value", node.attrs.get(name)),
                                             ("expected", _ping_expected(sch, node, name))])
        w.close(depth + 1, "node")
    if opened:
        w.close(depth, "node_attributes")


def _node_history(w: _Writer, depth: int, sch) -> None:
    """-c: node-history-list with the fail counts, as the text's Migration Summary."""
    from pengine.status.failcounts import get_failcount
    from pengine.transitions.status_text import _epoch_str, _find_history_rsc
    opened = False
    for state in sch.cib.status.node_states:
        node = sch.nodes_by_id.get(state.id) if state.id else None
        if node is None or not node.online:
            continue
        if not opened:
            w.open(depth, "node_history")
            opened = True
        node_open = False
        for entry in state.lrm_resources:
            rsc = _find_history_rsc(sch, entry.id)
            if rsc is None:
                continue
            count, last = get_failcount(sch, node, rsc, effective=False, with_last=True)
            if count <= 0:
                continue
            if not node_open:
                w.open(depth + 1, "node", [("name", node.name)])
                node_open = True
            w.empty(depth + 2, "resource_history", [
                ("id", entry.id), ("orphan", _bool(rsc.removed)), ("removed", _bool(rsc.removed)),
                ("migration-threshold", rsc.migration_threshold), ("fail-count", count),
                ("last-failure", _epoch_str(last) if last > 0 else None)])
        if node_open:
            w.close(depth + 1, "node")
    if opened:
        w.close(depth, "node_history")


# ---------------------------------------------------------------- actions --

def _summary_item(w: _Writer, depth: int, entry: dict) -> None:
    change = entry.get("change") or ""
    if entry.get("resource") is None:
        # node-action: the task and node as the summary line shows them
        # ("Fence (reboot)", a guest node with its launcher)
        task = f"Fence ({entry['fence_action']})" if entry.get("fence_action") else change
        text, reason = entry.get("text") or "", entry.get("reason")
        node = text[len(task) + 1:]
        if reason is not None and node.endswith(f" '{reason}'"):
            node = node[:-len(reason) - 3]
        w.empty(depth, "node_action", [("task", task), ("node", node or entry.get("node")),
                                       ("reason", reason)])
        return
    role, next_role = entry.get("role"), entry.get("next_role")
    origin, destination = entry.get("from"), entry.get("to")
    need_role = _ROLE_RANK.get(role, 0) > 2 or _ROLE_RANK.get(next_role, 0) > 3
    same_host = origin is not None and origin == destination
    same_role = role == next_role
    pairs = [("action", change.lower()), ("resource", entry["resource"])]
    if need_role and origin is None:
        pairs += [("role", role), ("next-role", next_role), ("dest", destination)]
    elif origin is None:
        pairs += [("node", destination)]
    elif need_role and destination is None:
        pairs += [("role", role), ("node", origin)]
    elif destination is None:
        pairs += [("node", origin)]
    elif need_role and same_role and same_host:
        pairs += [("role", role), ("source", origin)]
    elif same_role and same_host:
        pairs += [("source", origin)]
    elif need_role and same_role:
        pairs += [("source", origin), ("dest", destination), ("role", role)]
    elif same_role:
        pairs += [("source", origin), ("dest", destination)]
    elif same_host:
        pairs += [("role", role), ("next-role", next_role), ("source", origin)]
    else:
        pairs += [("role", role), ("source", origin), ("next-role", next_role),
                  ("dest", destination)]
    if entry.get("reason") is not None:
        pairs.append(("reason", entry["reason"]))
        if entry.get("blocked"):
            pairs.append(("blocked", "true"))
    elif entry.get("blocked"):
        pairs.append(("blocked", "true"))
    w.empty(depth, "rsc_action", pairs)


def _executed(w: _Writer, depth: int, action) -> None:
    if action.kind == "pseudo_event":
        w.empty(depth, "pseudo_action", [("task", action.key),
                                         ("node", action.node if action.task == "stonith"
                                          else None)])
    elif action.task == "stonith":
        w.empty(depth, "fencing_action", [("target", action.node),
                                          ("op", action.get("stonith_action") or "reboot")])
    elif action.kind == "crm_event":
        # the id of the graph action's primitive, as the text's "Cluster action" line
        rsc_id = action.rsc_config_id or action.rsc_id
        w.empty(depth, "cluster_action", [("task", action.task), ("node", action.node),
                                          ("id", rsc_id)])
    else:
        pairs = [("resource", action.rsc_id), ("op", action.task), ("node", action.node)]
        if action.interval_ms:
            pairs.append(("interval", action.interval_ms))
        w.empty(depth, "rsc_action", pairs)


def status_xml_lines(sch, tag: str = "cluster_status", show_pending: bool = True,
                     sections: tuple = ()) -> list[str]:
    """The status section as it is now: scheduling later changes the nodes
    (a lost ticket's fencing makes its node unclean), so the current status
    is written before the scheduler runs."""
    w = _Writer()
    _status(w, 1, tag, sch, show_pending, sections)
    return w.lines


_ALLOCATION = re.compile(r"(\S+): (\S+) allocation score on (.+): (\S+)")
_PROMOTION = re.compile(r"(\S+) promotion score on (.+): (\S+)")
_PROMOTION_INACTIVE = re.compile(r"(\S+) promotion score \(inactive\): (\S+)")


def _allocations(w: _Writer, depth: int, score_log: list[str]) -> None:
    """-s: the score lines as pe__node_weight_xml and promotion_score write them."""
    w.open(depth, "allocations")
    for line in score_log:
        found = _ALLOCATION.fullmatch(line)
        if found:
            function, rsc, node, score = found.groups()
            w.empty(depth + 1, "node_weight", [("function", function), ("node", node),
                                               ("score", score), ("id", rsc)])
            continue
        found = _PROMOTION.fullmatch(line)
        if found:
            rsc, node, score = found.groups()
            w.empty(depth + 1, "promotion_score", [("id", rsc), ("score", score),
                                                   ("node", node)])
            continue
        found = _PROMOTION_INACTIVE.fullmatch(line)
        if found:
            w.empty(depth + 1, "promotion_score", [("id", found.group(1)),
                                                   ("score", found.group(2))])
    w.close(depth, "allocations")


def simulate_xml(parts: dict, request: str, rc: int) -> str:
    w = _Writer()
    w.open(0, "pacemaker-result", [("api-version", API_VERSION), ("request", request)])
    current = parts["current"]
    sections = parts.get("sections", ())
    w.lines += current if isinstance(current, list) \
        else status_xml_lines(current, sections=sections)
    modifications = parts.get("modifications")
    if modifications is not None:
        # crm_simulate 3.0.2 writes an empty <modifications/>, each change
        # after it, and its document ends there
        w.empty(1, "modifications", [])
        for line in modifications:
            text = line.strip()
            for prefix, action in (("* Bringing node ", "Online"), ("* Taking node ", "Offline"),
                                   ("* Failing node ", "Failing")):
                if text.startswith(prefix):
                    node = text[len(prefix):].split()[0]
                    w.empty(1, "modify_node", [("action", action), ("node", node)])
        return _finish(w, rc)
    if "scores" in parts:
        _allocations(w, 1, parts["scores"])
    if "summary" in parts:
        w.open(1, "actions")
        for entry in parts["summary"]:
            _summary_item(w, 2, entry)
        w.close(1, "actions")
    if "executed" in parts:
        w.open(1, "transition")
        for action, _ok in parts["executed"]:
            _executed(w, 2, action)
        w.close(1, "transition")
    if "revised" in parts:
        _status(w, 1, "revised_cluster_status", parts["revised"], show_pending=False,
                sections=sections)
    return _finish(w, rc)


def _finish(w: _Writer, rc: int) -> str:
    code, message = (0, "OK") if rc == 0 else (rc, "Error occurred")
    w.empty(1, "status", [("code", code), ("message", message)])
    w.close(0, "pacemaker-result")
    return "\n".join(w.lines) + "\n"


def profile_xml(timings, request: str) -> str:
    w = _Writer()
    w.open(0, "pacemaker-result", [("api-version", API_VERSION), ("request", request)])
    w.open(1, "timings")
    for path, seconds in timings:
        w.empty(2, "timing", [("file", path), ("duration", f"{seconds:.6f}")])
    w.close(1, "timings")
    return _finish(w, 0)
