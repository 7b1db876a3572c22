"""The cluster status block crm_simulate prints twice.

``crm_simulate -S`` shows the cluster before and after the transition, under
"Current cluster status:" and "Revised Cluster Status:".  Both are crm_mon's
text output restricted to the sections crm_simulate asks for (Pacemaker's
``print_cluster_status`` in pcmk_simulate.c and the "cluster-status" message in
pcmk_output.c): the node list, the full list of resources and, on request, the
node attributes (``-A``) and the migration summary with the failed actions
(``-c``).  Formatting follows pe_output.c (nodes), native.c (primitives),
group.c and clone.c; nesting follows the "fancy" text formatter (two spaces a
level, then ``* ``).

Everything here is pure: it reads a ``pengine.cluster.Scheduler`` as
``pengine.unpack.unpack`` leaves it and returns lines without newlines.

Layout of crm_simulate's output around the block (``P`` = preamble_lines(),
``B`` = cluster_status_lines())::

    Using the original execution date of: ...      (the caller's)
    P                                              (empty line)
    P              *** Resource management is DISABLED ***      (maintenance-mode only)
    P   The cluster will not attempt to start, stop or recover services
    P                                              (empty line)
    P 1 of 3 resource instances DISABLED and 0 BLOCKED from further action due to failure
    P                                              (empty line, ends P when P is not empty)
    Current cluster status:                        (the caller's title line)
    B   * Node List:
    B     * Node node3: standby
    B     * Online: [ node1 node2 ]
    B                                              (empty line: spacer between sections)
    B   * Full List of Resources:
    B     * rsc1<TAB>(ocf:heartbeat:Dummy):<TAB> Started node1
    B                                              (-A only: spacer, then "  * Node Attributes:")
                                                   (then the caller's spacer)

The block has no trailing empty line; the Revised block ends the output.
The revised block is the same function on the revised CIB's unpacked state,
with ``show_pending=False`` (crm_simulate shows pending actions only in the
current status).

Bundles are not displayed: ``pengine.unpack`` does not unpack them yet.
"""

from __future__ import annotations

import functools
import re
import time

from pengine.status.cluster import Node, Resource, Role, Scheduler
from pengine.common.names import numeric_strcasecmp
from pengine.common.options import is_true

__all__ = ["cluster_status_lines", "preamble_lines", "status_preface_lines", "resource_counts",
           "numeric_strcasecmp"]


# ------------------------------------------------------------- helpers --

_name_key = functools.cmp_to_key(numeric_strcasecmp)


def _node_key(node: Node):
    return _name_key(node.name or "")


class _TextOut:
    """Pacemaker's "fancy" text formatter: nested lists, two spaces a level."""

    def __init__(self, level: int = 1):
        self.lines: list[str] = []
        self.level = level

    def _indent(self) -> str:
        return "  " * self.level + ("* " if self.level > 0 else "")

    def begin_list(self, title: str) -> None:
        self.lines.append(f"{self._indent()}{title}:")
        self.level += 1

    def list_item(self, text: str, name: str | None = None) -> None:
        if name is not None:
            self.lines.append(f"{self._indent()}{name}: {text}")
        else:
            self.lines.append(f"{self._indent()}{text}")

    def end_list(self) -> None:
        self.level -= 1

    def spacer(self) -> None:
        self.lines.append("")


class _Header:
    """PCMK__OUTPUT_LIST_HEADER / FOOTER: open a list the first time only."""

    def __init__(self, out: _TextOut, title: str, spacer: bool = False):
        self.out = out
        self.title = title
        self.spacer = spacer
        self.open = False

    def __call__(self, title: str | None = None) -> None:
        if not self.open:
            if self.spacer:
                self.out.spacer()
            self.out.begin_list(title if title is not None else self.title)
            self.open = True

    def close(self) -> None:
        if self.open:
            self.out.end_list()



_ROLE_NAMES = {"stopped": Role.STOPPED, "started": Role.STARTED, "unpromoted": Role.UNPROMOTED,
               "slave": Role.UNPROMOTED, "promoted": Role.PROMOTED, "master": Role.PROMOTED}


def _parse_role(text: str | None) -> Role:
    if text is None:
        return Role.UNKNOWN
    return _ROLE_NAMES.get(text.strip().lower(), Role.UNKNOWN)


def _top(rsc: Resource) -> Resource:
    """pe__const_top_resource(rsc, false)."""
    while rsc.parent is not None and rsc.parent.variant != "bundle":
        rsc = rsc.parent
    return rsc


def _top_promotable(rsc: Resource) -> bool:
    return _top(rsc).promotable


def _role(rsc: Resource) -> Role:
    # Pacemaker starts every resource out as Stopped; history only raises it
    return Role.STOPPED if rsc.role == Role.UNKNOWN else rsc.role


def _is_disabled(rsc: Resource) -> bool:
    """pe__resource_is_disabled."""
    role = _parse_role(rsc.meta.get("target-role"))
    return role == Role.STOPPED or (role == Role.UNPROMOTED and _top_promotable(rsc))


def _printable_id(rsc: Resource) -> str:
    """rsc_printable_id: anonymous clone instances go by their configured id."""
    if rsc.unique:
        return rsc.id
    return rsc.config.id if rsc.config is not None and getattr(rsc.config, "id", None) \
        else rsc.id


# ----------------------------------------------------- resource state --

def _active(rsc: Resource, all_: bool) -> bool:
    """The variant "active" methods (native_active, group_active, clone_active)."""
    if rsc.variant == "primitive":
        from pengine.status.actions import rsc_active
        return rsc_active(rsc)
    if rsc.variant == "group":
        any_, every = False, True
        for child in rsc.children:
            if _active(child, all_):
                any_ = True
            else:
                every = False
        if not any_:
            return False
        return not (all_ and not every)
    # clone (bundles are not unpacked yet)
    for child in rsc.children:
        child_active = _active(child, all_)
        if not all_ and child_active:
            return True
        if all_ and not child_active:
            return False
    return all_


def _state(rsc: Resource) -> Role:
    """The current role (the variant "state" methods)."""
    if not rsc.children:
        return _role(rsc) if rsc.variant == "primitive" else Role.UNKNOWN
    best = Role.UNKNOWN
    for child in rsc.children:
        role = _state(child)
        if role > best:
            best = role
    return best


def _location(rsc: Resource) -> Node | None:
    """native_location with the current target: the only node, if only one."""
    nodes: list[Node] = []
    for prim in rsc.primitives():
        for node in prim.running_on:
            if node not in nodes:
                nodes.append(node)
    return nodes[0] if len(nodes) == 1 else None


def _set_recursive(rsc: Resource, attr: str, any_: bool) -> bool:
    """is_set_recursive for a flag attribute."""
    if getattr(rsc, attr):
        if any_:
            return True
    elif not any_:
        return False
    for child in rsc.children:
        if _set_recursive(child, attr, any_):
            if any_:
                return True
        elif not any_:
            return False
    return not any_


def _mask_probe_failure(xml_op) -> bool:
    """pcmk_xe_mask_probe_failure: a probe that found the agent missing or misconfigured."""
    if xml_op.get("operation") != "monitor" or _to_int(xml_op.get("interval"), 0) != 0:
        return False
    rc = _to_int(xml_op.get("rc-code"), 0)
    status = _to_int(xml_op.get("op-status"), -2)
    return rc in (5, 2) or status == 7  # not installed, invalid parameter; exec not installed


def _failed_probe(sch: Scheduler, rsc: Resource, node_name: str | None):
    """pe__failed_probe_for_rsc: a masked failed probe of rsc (on node_name)."""
    from pengine.status import history as h

    top = _top(rsc)
    rsc_id = rsc.id
    if top.variant == "clone":
        rsc_id = top.config.child.id
    for entry in sch.failed_ops:
        xml_op = entry[3]
        if not _mask_probe_failure(xml_op):
            continue
        node = entry[2]
        if node is None:
            continue
        if node_name is not None and node.name.lower() != node_name.lower():
            continue
        key_rsc = _op_key_rsc(h.history_key(xml_op))
        if key_rsc is None or key_rsc != rsc_id:
            continue
        return xml_op
    return None


_NOTIFY_RE = re.compile(r"^(.+)_(pre|post)_notify_([a-z_]+)_0$")


def _op_key_rsc(key: str | None) -> str | None:
    """The resource part of an operation key (parse_op_key)."""
    if not key:
        return None
    match = re.match(r"^(.*)_([^_]+)$", key)
    if match is None or not match.group(2).isdigit():
        return None
    rest = match.group(1)
    notify = _NOTIFY_RE.match(key)
    if notify is not None:
        return notify.group(1)
    for task in ("migrate_to", "migrate_from"):
        if rest.endswith("_" + task):
            return rest[:-len(task) - 1] or None
    pos = rest.rfind("_")
    if pos <= 0:
        return None
    return rest[:pos]


_EXIT_STR = {0: "OK", 1: "Error occurred", 2: "Invalid parameter", 3: "Unimplemented",
             4: "Insufficient privileges", 5: "Not installed", 6: "Not configured",
             7: "Not running", 8: "Promoted", 9: "Failed in promoted role"}


def _exit_str(rc: int) -> str:
    return _EXIT_STR.get(rc, "Unknown exit status")


def _to_int(text: str | None, default: int = 0) -> int:
    from pengine.status import history as h
    return h.to_int(text, default)


# ------------------------------------------------------------- nodes --

def _health(sch: Scheduler, node: Node) -> int:
    """pe__node_health: <0 red, 0 yellow, >0 green (1 when no strategy)."""
    from pengine.schedule.health import health_colours
    from pengine.common.scores import parse_score

    strategy = (sch.options.get("node-health-strategy") or "none").strip().lower()
    if strategy not in ("migrate-on-red", "only-green", "progressive", "custom"):
        return 1
    colours = health_colours(sch)
    red, yellow, green = colours["red"], colours["yellow"], colours["green"]
    result = 1
    for name, value in node.attrs.items():
        if not name.startswith("#health"):
            continue
        text = (value or "").strip().lower()
        if text == "red":
            return -1
        if text == "yellow":
            result = 0
            continue
        if text == "green":
            score = green
        else:
            try:
                score = parse_score(value, 0)
            except Exception:  # noqa: BLE001 -- Pacemaker ignores invalid values
                continue
        if score <= red:
            return -1
        if score <= yellow and yellow != green:
            result = 0
    return result


def _node_status_text(node: Node) -> str:
    """node_text_status."""
    if node.unclean:
        if node.online:
            return "UNCLEAN (online)"
        if node.pending:
            return "UNCLEAN (pending)"
        return "UNCLEAN (offline)"
    if node.pending:
        return "pending"
    if node.fail_standby and node.online:
        return "standby (on-fail)"
    if node.standby:
        if node.online:
            return "standby (with active resources)" if node.running else "standby"
        return "OFFLINE (standby)"
    if node.maintenance:
        return "maintenance" if node.online else "OFFLINE (maintenance)"
    if node.online:
        return "online"
    return "OFFLINE"


def _node_kind(node: Node) -> str:
    if node.is_guest:
        return "GuestNode"
    if node.is_remote:
        return "RemoteNode"
    return "Node"


def _node_list(sch: Scheduler, out: _TextOut, spacer: bool) -> bool:
    header = _Header(out, "Node List", spacer)
    online: list[str] = []
    online_remote: list[str] = []
    online_guest: list[str] = []
    offline: list[str] = []
    offline_remote: list[str] = []
    for node in sorted(sch.nodes, key=_node_key):
        header()
        health = _health(sch, node)
        if node.unclean or node.pending or (node.fail_standby and node.online) \
                or node.standby or node.maintenance or health <= 0:
            text = f"{_node_kind(node)} {node.name}: {_node_status_text(node)}"
            if health < 0:
                text += " (health is RED)"
            elif health == 0:
                text += " (health is YELLOW)"
            out.list_item(text)
        elif node.online:
            if node.is_guest:
                online_guest.append(node.name)
            elif node.is_remote:
                online_remote.append(node.name)
            else:
                online.append(node.name)
        elif node.is_remote and not node.is_guest:
            offline_remote.append(node.name)
        elif node.is_guest:
            pass  # offline guest nodes are not shown
        else:
            offline.append(node.name)
    for title, names in (("Online", online), ("OFFLINE", offline),
                         ("RemoteOnline", online_remote), ("RemoteOFFLINE", offline_remote),
                         ("GuestOnline", online_guest)):
        if names:
            out.list_item(f"[ {' '.join(names)} ]", title)
    header.close()
    return header.open


# --------------------------------------------------------- primitives --

_PENDING_STATE = {"start": "Starting", "stop": "Stopping", "migrate_to": "Migrating",
                  "migrate_from": "Migrating", "promote": "Promoting", "demote": "Demoting"}


def _displayable_role(rsc: Resource) -> Role:
    role = _role(rsc)
    if role == Role.STARTED and _top_promotable(rsc):
        role = Role.UNPROMOTED
    return role


def _primitive_string(sch: Scheduler, rsc: Resource, name: str, node: Node | None,
                      show_pending: bool) -> str:
    """pcmk__native_output_string (show_nodes true, not rsc-only)."""
    cls = rsc.cls or "unknown"
    kind = rsc.type or "unknown"
    provider = rsc.provider if cls.lower() == "ocf" else None
    if node is None and rsc.lock_node is not None:
        node = rsc.lock_node
    multiple = len(rsc.running_on) > 1
    if multiple:
        node = None
    text = f"{name}\t({cls}{':' if provider is not None else ''}{provider or ''}:{kind}):\t"
    if rsc.removed:
        text += " ORPHANED"
    role = _displayable_role(rsc)
    if rsc.failed:
        text += " FAILED"
        if role > Role.UNPROMOTED:
            text += " " + role.text
    else:
        state = _PENDING_STATE.get(rsc.pending_action or "") if show_pending else None
        text += " " + (state or role.text)
    if node is not None:
        text += " " + node.name
    if role == Role.STOPPED:
        probe = _failed_probe(sch, rsc, node.name if node is not None else None)
        if probe is not None:
            text += f" ({_exit_str(_to_int(probe.get('rc-code'), 0))}) "
    flags: list[str] = []
    if node is not None and not node.online and node.unclean:
        flags.append("UNCLEAN")
    if node is not None and node is rsc.lock_node:
        flags.append("LOCKED")
    if show_pending and rsc.pending_action == "monitor":
        flags.append("Monitoring")
    target_role = rsc.meta.get("target-role")
    if target_role is not None:
        parsed = _parse_role(target_role)
        if parsed == Role.STOPPED:
            flags.append("disabled")
        elif parsed == Role.UNPROMOTED and _top_promotable(rsc):
            flags.append("target-role:" + target_role)
    if rsc.blocked:
        flags.append("blocked")
    elif rsc.maintenance:
        flags.append("maintenance")
    elif not rsc.managed:
        flags.append("unmanaged")
    if rsc.ignore_failure:
        flags.append("failure ignored")
    if flags:
        text += " (" + ", ".join(flags) + ")"
    if multiple:
        desc = rsc.meta.get("description")
        if desc:
            text += f" ({desc})"
        text += " [ " + " ".join(n.name for n in rsc.running_on) + " ]"
    return text


def _primitive(sch: Scheduler, out: _TextOut, rsc: Resource, show_pending: bool) -> bool:
    if is_true(rsc.meta.get("internal")):
        return False
    node = rsc.current_node
    if node is None:
        node = rsc.pending_node
    out.list_item(_primitive_string(sch, rsc, _printable_id(rsc), node, show_pending))
    return True


# ------------------------------------------------------------- groups --

def _group(sch: Scheduler, out: _TextOut, rsc: Resource, show_pending: bool) -> bool:
    attrs: list[str] = []
    # "N members inactive" is only shown when inactive resources are hidden
    if _is_disabled(rsc):
        attrs.append("disabled")
    if rsc.maintenance:
        attrs.append("maintenance")
    elif not rsc.managed:
        attrs.append("unmanaged")
    title = f"Resource Group: {rsc.id}" + (f" ({', '.join(attrs)})" if attrs else "")
    header = _Header(out, title)
    for child in rsc.children:
        header()
        _resource(sch, out, child, show_pending)
    header.close()
    return header.open


# ------------------------------------------------------------- clones --

def _configured_role(rsc: Resource) -> Role:
    target = rsc.meta.get("target-role")
    if target is None and rsc.children:
        target = rsc.children[0].meta.get("target-role")
    return _parse_role(target)


def _clone(sch: Scheduler, out: _TextOut, rsc: Resource, show_pending: bool) -> bool:
    attrs: list[str] = []
    if rsc.promotable:
        attrs.append("promotable")
    if rsc.unique:
        attrs.append("unique")
    if _is_disabled(rsc):
        attrs.append("disabled")
    if rsc.maintenance:
        attrs.append("maintenance")
    elif not rsc.managed:
        attrs.append("unmanaged")
    child_id = rsc.config.child.id
    title = f"Clone Set: {rsc.id} [{child_id}]" + (f" ({', '.join(attrs)})" if attrs else "")
    header = _Header(out, title)

    stopped: dict[str, str] | None = None
    promoted: list[Node] = []
    started: list[Node] = []
    for child in rsc.children:
        print_full = False
        partially_active = _active(child, False)
        if rsc.unique:
            if partially_active or not rsc.removed:
                print_full = True
        elif show_pending and child.pending_action is not None \
                and child.pending_action != "probe":
            print_full = True
        elif not partially_active:
            if not child.removed:
                if stopped is None:
                    stopped = {}
                stopped[child.id] = "Stopped"
        elif _set_recursive(child, "removed", True) \
                or not _set_recursive(child, "managed", False) \
                or _set_recursive(child, "failed", True):
            print_full = True
        elif _active(child, True):
            location = _location(child)
            if location is not None:
                if not location.online and location.unclean:
                    print_full = True
                elif _state(child) > Role.UNPROMOTED:
                    promoted.append(location)
                else:
                    started.append(location)
            else:
                print_full = True
        else:
            print_full = True
        if print_full:
            header()
            _resource(sch, out, child, show_pending)

    active_instances = 0
    names = [node.name for node in sorted(promoted, key=_node_key)]
    active_instances += len(names)
    if names:
        header()
        out.list_item(f"Promoted: [ {' '.join(names)} ]")
    names = [node.name for node in sorted(started, key=_node_key)]
    active_instances += len(names)
    if names:
        header()
        if rsc.promotable:
            if _configured_role(rsc) == Role.UNPROMOTED:
                out.list_item(f"Unpromoted (target-role): [ {' '.join(names)} ]")
            else:
                out.list_item(f"Unpromoted: [ {' '.join(names)} ]")
        else:
            out.list_item(f"Started: [ {' '.join(names)} ]")

    if not rsc.unique and rsc.clone_max > active_instances:
        stopped = {}
        candidates = [weight.node for weight in rsc.allowed.values()]
        if not candidates:
            candidates = list(rsc.probed_nodes.values())
        running = {node.name for node in rsc.running_on}
        for node in sorted(candidates, key=_node_key):
            if node.name in running:
                continue
            state = "Stopped (disabled)" if _configured_role(rsc) == Role.STOPPED else "Stopped"
            probe = _failed_probe(sch, rsc, node.name)
            if probe is not None:
                state = f"Stopped ({_exit_str(_to_int(probe.get('rc-code'), 0))})"
            stopped[node.name] = state
    if stopped is not None:
        header()
        for status in sorted(set(stopped.values())):
            nodes = sorted((key for key, value in stopped.items() if value == status),
                           key=_name_key)
            if nodes:
                out.list_item(f"{status}: [ {' '.join(nodes)} ]")
    elif active_instances == 0:
        header()
    header.close()
    return header.open


def _resource(sch: Scheduler, out: _TextOut, rsc: Resource, show_pending: bool) -> bool:
    if rsc.variant == "primitive":
        return _primitive(sch, out, rsc, show_pending)
    if rsc.variant == "group":
        return _group(sch, out, rsc, show_pending)
    if rsc.variant == "clone":
        return _clone(sch, out, rsc, show_pending)
    if rsc.variant == "bundle":
        return _bundle(sch, out, rsc, show_pending)
    return False


# ------------------------------------------------------------ bundles --

def _bundle(sch: Scheduler, out: _TextOut, rsc: Resource, show_pending: bool) -> bool:
    """pe__bundle_text: a header, then one line per replica: the bundled
    resource (or the container) named after its connection, on the node
    where the container runs."""
    data = rsc.bundle
    if data is None or not data.replicas:
        return False
    desc = getattr(rsc.config, "description", None)
    header = (f"Container bundle{' set' if data.nreplicas > 1 else ''}: {rsc.id} "
              f"[{data.image}]{' (unique)' if rsc.unique else ''}"
              f"{f' ({desc})' if desc else ''}"
              f"{' (maintenance)' if rsc.maintenance else ' (unmanaged)' if not rsc.managed else ''}")
    out.begin_list(header)
    for replica in data.replicas:
        shown = replica.child if replica.child is not None else replica.container
        named = replica.remote if replica.remote is not None else replica.container
        name = _printable_id(named)
        if replica.ipaddr is not None:
            name += f" ({replica.ipaddr})"
        out.list_item(_primitive_string(sch, shown, name, replica.container.current_node,
                                        show_pending))
    out.end_list()
    return True


def _resource_list(sch: Scheduler, out: _TextOut, spacer: bool, show_pending: bool) -> bool:
    header = _Header(out, "Full List of Resources", spacer)
    printed = False
    for rsc in sch.resources:
        if rsc.removed and not _active(rsc, True):
            continue  # inactive orphans are not shown
        header()
        if _resource(sch, out, rsc, show_pending):
            printed = True
    if not printed:
        header()
        out.list_item("No resources")
    header.close()
    return True


# ------------------------------------------------- optional sections --

_ATTR_FILTER = ("fail-count", "last-failure", "shutdown", "terminate", "standby", "#")


def _ping_expected(sch: Scheduler, node: Node, attr: str) -> int | None:
    """add_extra_info: the score a ping resource would set for ``attr``."""
    from pengine.status.unpack import rsc_params

    for rsc in node.running:
        if (rsc.type or "").lower() not in ("ping", "pingd"):
            continue
        params = rsc_params(sch, rsc, node)
        name = params.get("name") or "pingd"
        if name.lower() != attr.lower():
            continue
        hosts = params.get("host_list")
        count = len(hosts.split(" ")) if hosts else 0
        multiplier = params.get("multiplier")
        try:
            factor = int(multiplier) if multiplier is not None else 1
        except ValueError:
            factor = 1
        return count * factor
    return None


def _node_attributes(sch: Scheduler, out: _TextOut, spacer: bool) -> bool:
    header = _Header(out, "Node Attributes", spacer)
    for node in sorted(sch.nodes, key=_node_key):
        if not node.online:
            continue
        names = sorted(name for name in node.attrs if not name.startswith(_ATTR_FILTER))
        if not names:
            continue
        header()
        out.begin_list(f"Node: {node.name}")
        for name in names:
            value = node.attrs.get(name)
            text = f"{name:<32}\t: {value if value is not None else '(null)':<10}"
            expected = _ping_expected(sch, node, name)
            if expected is not None:
                number = _to_int(value, 0) if value is not None else 0
                if number <= 0:
                    text += "\t: Connectivity is lost"
                elif number < expected:
                    text += f"\t: Connectivity is degraded (Expected={expected})"
            out.list_item(text)
        out.end_list()
    header.close()
    return header.open


def _epoch_str(when: int) -> str:
    """pcmk__epoch2str(&when, 0): ctime() without the newline, in local time."""
    return time.asctime(time.localtime(when))


def _find_history_rsc(sch: Scheduler, rsc_id: str) -> Resource | None:
    rsc = sch.all_resources.get(rsc_id)
    if rsc is not None:
        return rsc
    for each in sch.all_resources.values():
        if each.history_id == rsc_id:
            return each
    base = re.sub(r":[0-9]+$", "", rsc_id)
    for each in sch.all_resources.values():
        if each.variant == "primitive" and (each.clone_name == base or each.id == base):
            return each
    return None


def _migration_summary(sch: Scheduler, out: _TextOut, spacer: bool) -> bool:
    from pengine.status.failcounts import get_failcount

    header = _Header(out, "Migration Summary", spacer)
    for state in sch.cib.status.node_states:
        node = sch.nodes_by_id.get(state.id) if state.id else None
        if node is None or not node.online:
            continue
        header()
        node_open = False
        for entry in state.lrm_resources:
            rsc = _find_history_rsc(sch, entry.id)
            if rsc is None:
                continue
            count, last = get_failcount(sch, node, rsc, effective=False, with_last=True)
            if count <= 0:
                continue
            if not node_open:
                out.begin_list(f"Node: {node.name}")
                node_open = True
            text = f"{entry.id}: migration-threshold={rsc.migration_threshold}"
            text += f" fail-count={count}"
            if last > 0:
                text += f" last-failure='{_epoch_str(last)}'"
            out.list_item(text)
        if node_open:
            out.end_list()
    header.close()
    return header.open


_EXEC_STR = {-1: "Pending", 0: "Done", 1: "Cancelled", 2: "Timed out", 3: "Unsupported",
             4: "Error", 5: "Hard error", 6: "Fatal error", 7: "Not installed",
             8: "Internal communication failure", 9: "Cannot execute now",
             10: "No fence device", 11: "CIB secrets unavailable"}


_CRM_EXIT_STR = {0: "OK", 1: "Error occurred", 2: "Invalid parameter", 3: "Unimplemented",
             4: "Insufficient privileges", 5: "Not installed", 6: "Not configured",
             7: "Not running", 8: "Promoted", 9: "Failed in promoted role",
             64: "Incorrect usage", 65: "Invalid data given",
             66: "Input file not available", 67: "User does not exist",
             68: "Host does not exist", 69: "Necessary service unavailable",
             70: "Internal software bug", 71: "Operating system error occurred",
             72: "System file not available", 73: "Cannot create output file",
             74: "I/O error occurred", 75: "Temporary failure, try again",
             76: "Protocol violated", 77: "Insufficient privileges",
             78: "Invalid configuration", 124: "Timeout occurred",
             190: "Service is active but might fail soon",
             191: "Service is promoted but might fail soon", 255: "Error occurred"}


def _crm_exit_str(rc: int) -> str:
    """crm_exit_str: what a failed action's exit code is called."""
    if rc in _CRM_EXIT_STR:
        return _CRM_EXIT_STR[rc]
    return "Interrupted by signal" if 128 < rc < 255 else "Unknown exit status"


def _failed_actions(sch: Scheduler, out: _TextOut, spacer: bool) -> bool:
    header = _Header(out, "Failed Resource Actions", spacer)
    for _rsc, key, node, xml_op in sch.failed_ops:
        if _mask_probe_failure(xml_op):
            continue
        if _op_key_rsc(key) is None:
            continue
        header()
        rc = _to_int(xml_op.get("rc-code"), 0)
        status = _to_int(xml_op.get("op-status"), 0)
        text = (f"{key or 'unknown operation'} on {node.name if node else 'unknown node'} "
                f"'{_crm_exit_str(rc)}' ({rc}): "
                f"call={xml_op.get('call-id') or 'unknown'}, "
                f"status='{_EXEC_STR.get(status, 'UNKNOWN!')}'")
        reason = xml_op.get("exit-reason")
        if reason:
            text += f", exitreason='{reason}'"
        change = xml_op.get("last-rc-change")
        if change is not None and _to_int(change, -1) >= 0:
            text += f", last-rc-change='{_epoch_str(_to_int(change, 0))}'"
        queued = xml_op.get("queue-time")
        if queued:
            text += f", queued={queued}ms"
        exec_time = xml_op.get("exec-time")
        if exec_time:
            text += f", exec={exec_time}ms"
        out.list_item(text)
    header.close()
    return header.open


# ------------------------------------------------------------ public --

def cluster_status_lines(sch: Scheduler, *, show_attrs: bool = False,
                         show_failcounts: bool = False, show_utilization: bool = False,
                         show_pending: bool = True) -> list[str]:
    """The lines of crm_simulate's cluster status block (without its title line).

    ``show_pending`` is crm_simulate's default for "Current cluster status";
    pass ``False`` for "Revised Cluster Status", which crm_simulate prints
    without pending-operation states.  ``show_utilization`` (``-U``) does not
    change this block: crm_simulate prints utilization while scheduling.
    """
    del show_utilization
    out = _TextOut(level=1)
    printed = _node_list(sch, out, spacer=False)
    printed = _resource_list(sch, out, spacer=printed, show_pending=show_pending) or printed
    if show_attrs:
        printed = _node_attributes(sch, out, spacer=printed) or printed
    if show_failcounts:
        printed = _migration_summary(sch, out, spacer=printed) or printed
        if sch.failed_ops:
            _failed_actions(sch, out, spacer=printed)
    return out.lines


def resource_counts(sch: Scheduler) -> tuple[int, int, int]:
    """(instances, disabled, blocked), as pe__count_common counts them."""
    counts = [0, 0, 0]

    def count(rsc: Resource) -> None:
        if rsc.children:
            for child in rsc.children:
                count(child)
        elif not rsc.removed or _role(rsc) > Role.STOPPED:
            counts[0] += 1
            if _is_disabled(rsc):
                counts[1] += 1
            if rsc.blocked:
                counts[2] += 1

    for rsc in sch.resources:
        count(rsc)
    return counts[0], counts[1], counts[2]


def preamble_lines(sch: Scheduler) -> list[str]:
    """What crm_simulate prints before "Current cluster status:".

    The maintenance-mode banner and the "N of M resource instances DISABLED"
    line, each followed by the empty line that separates it from what comes
    next; empty when neither applies.
    """
    lines: list[str] = []
    if sch.maintenance_mode:
        lines += ["", "              *** Resource management is DISABLED ***",
                  "  The cluster will not attempt to start, stop or recover services"]
    instances, disabled, blocked = resource_counts(sch)
    if disabled > 0 or blocked > 0:
        if lines:
            lines.append("")
        lines.append(f"{disabled} of {instances} resource instances DISABLED and "
                     f"{blocked} BLOCKED from further action due to failure")
    if lines:
        lines.append("")
    return lines


status_preface_lines = preamble_lines
