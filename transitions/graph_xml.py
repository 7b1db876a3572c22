"""The transition graph as Pacemaker's XML (``crm_simulate -G``).

A port of pcmk_graph_producer.c's rendering (``create_graph_action``,
``add_resource_details``, ``add_action_attributes``, ``add_downed_nodes``)
over a transition built by :func:`transitions.graph.create_graph`.  The
structure (synapses, their inputs, the graph's attributes) comes from the
transition; the per-action details that only the executor reads (resource
parameters evaluated for the node, parent meta-attributes, the guest's
physical host, the connection a remote action is routed through) are read
from the scheduler that built it, which must not have changed since.

The ``<attributes>`` of an action are, as in Pacemaker, the operation's own
parameters, the resource's parameters, the action's meta-attributes as
``CRM_meta_*``, each ancestor's graph meta-attributes and the guest meta, in
that precedence, sorted by name.
"""

from __future__ import annotations

from pengine.status.cluster import Action, Node, Resource, Scheduler
from pengine.transitions.graph import MAINTENANCE_NODES, Transition, maintenance_changes

CRM_META = "CRM_meta"


def render_graph_xml(transition: Transition, sch: Scheduler) -> str:
    """The XML text ``crm_simulate -G`` writes for ``transition``."""
    # the feature set crm_simulate 3.0.2 writes into the graph's attributes
    from pengine.transitions.graph import FEATURE_SET as CRM_FEATURE_SET
    actions = {action.id: action for action in sch.actions}
    out: list[str] = []
    head = "<transition_graph" + _attrs(transition.attributes)
    if not transition.synapses:
        return head + "/>\n"
    out.append(head + ">")
    for synapse in transition.synapses:
        priority = f' priority="{synapse.priority}"' if synapse.priority > 0 else ""
        out.append(f'  <synapse id="{synapse.id}"{priority}>')
        out.append("    <action_set>")
        out += _action_lines(sch, actions[synapse.action.id], 6, False, CRM_FEATURE_SET)
        out.append("    </action_set>")
        if synapse.inputs:
            out.append("    <inputs>")
            for input_id in synapse.inputs:
                out.append("      <trigger>")
                out += _action_lines(sch, actions[input_id], 8, True, CRM_FEATURE_SET)
                out.append("      </trigger>")
            out.append("    </inputs>")
        else:
            out.append("    <inputs/>")
        out.append("  </synapse>")
    out.append("</transition_graph>")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------- one action --

def element_name(action: Action) -> str:
    """rsc_op, pseudo_event or crm_event, as create_graph_action chooses."""
    if action.task == "stonith":
        return "pseudo_event" if action.pseudo else "crm_event"
    if action.task in ("do_shutdown", "clear_failcount", "lrm_delete"):
        return "crm_event"
    if action.pseudo:
        return "pseudo_event"
    return "rsc_op"


def _needs_node_info(action: Action) -> bool:
    return action.task in ("stonith", "do_shutdown", "clear_failcount", "lrm_delete") \
        or not action.pseudo


def action_identity(action: Action, sch: Scheduler) -> list[tuple[str, str]]:
    """The attributes of an action element (also used for its triggers)."""
    attrs: list[tuple[str, str]] = []
    if action.task == "lrm_delete":
        attrs.append(("mode", "cib"))
    attrs += [("id", str(action.id)), ("operation", action.task)]
    rsc = action.rsc
    if rsc is not None and rsc.history_id is not None:
        attrs.append(("operation_key", _history_key(action)))
        attrs.append(("internal_operation_key", action.uuid))
    else:
        attrs.append(("operation_key", action.uuid))
    if _needs_node_info(action) and action.node is not None:
        attrs.append(("on_node", action.node.name))
        attrs.append(("on_node_uuid", action.node.id))
        router = connection_host_for_action(action)
        if router is not None:
            attrs.append(("router_node", router.name))
    return attrs


def _history_key(action: Action) -> str:
    """clone_op_key: the key under the name the resource's history uses."""
    rsc = action.rsc
    interval = _interval(action.meta.get("interval"))
    if action.task == "notify":
        return (f"{rsc.history_id}_{action.meta.get('notify_type')}_notify_"
                f"{action.meta.get('notify_operation')}_0")
    if action.cancel_task is not None:
        return f"{rsc.history_id}_{action.cancel_task}_{interval}"
    return f"{rsc.history_id}_{action.task}_{interval}"


def _interval(text: str | None) -> int:
    try:
        return int(text) if text is not None else 0
    except ValueError:
        return 0


def _action_lines(sch: Scheduler, action: Action, indent: int, skip_details: bool,
                  feature_set: str) -> list[str]:
    pad = " " * indent
    tag = element_name(action)
    attrs = action_identity(action, sch)
    if skip_details:
        return [f"{pad}<{tag}{_attrs(attrs)}/>"]
    rsc = action.rsc
    if rsc is not None and not action.pseudo and _locks_rsc_to_node(action):
        attrs.append(("shutdown-lock", str(rsc.lock_time)))
    lines = [f"{pad}<{tag}{_attrs(attrs)}>"]
    if rsc is not None and not action.pseudo:
        lines.append(f"{pad}  <primitive{_attrs(resource_details(rsc))}/>")
    params, numbered = action_attributes(sch, action, feature_set)
    if numbered:
        lines.append(f"{pad}  <attributes{_attrs(params)}>")
        for name, value in numbered:
            lines.append(f'{pad}    <param name="{_escape(name)}" value="{_escape(value)}"/>')
        lines.append(f"{pad}  </attributes>")
    else:
        lines.append(f"{pad}  <attributes{_attrs(params)}/>")
    if _needs_node_info(action) and action.node is not None:
        downed = downed_nodes(sch, action)
        if downed:
            lines.append(f"{pad}  <downed>")
            for node_id in downed:
                lines.append(f'{pad}    <node id="{_escape(node_id)}"/>')
            lines.append(f"{pad}  </downed>")
    if action.task == MAINTENANCE_NODES:
        # add_maintenance_nodes: the remote nodes whose maintenance state changes
        lines.append(f"{pad}  <maintenance>")
        for node in maintenance_changes(sch):
            lines.append(f'{pad}    <node id="{_escape(node.id)}" '
                         f'node_in_maintenance="{1 if node.maintenance else 0}"/>')
        lines.append(f"{pad}  </maintenance>")
    lines.append(f"{pad}</{tag}>")
    return lines


def resource_details(rsc: Resource) -> list[tuple[str, str]]:
    """add_resource_details: which resource, under which names."""
    attrs: list[tuple[str, str]] = []
    if rsc.removed and rsc.history_id is not None:
        attrs += [("id", rsc.history_id), ("long-id", rsc.id)]
    elif not rsc.unique:
        xml_id = rsc.config.id if rsc.config is not None else rsc.id
        attrs.append(("id", xml_id))
        if rsc.history_id is not None and rsc.history_id != xml_id:
            attrs.append(("long-id", rsc.history_id))
        else:
            attrs.append(("long-id", rsc.id))
    else:
        attrs.append(("id", rsc.id))
    for name, value in (("class", rsc.cls), ("provider", rsc.provider), ("type", rsc.type)):
        if value is not None:
            attrs.append((name, value))
    return attrs


def _locks_rsc_to_node(action: Action) -> bool:
    """pcmk__action_locks_rsc_to_node: a stop on the node a shutdown locks to."""
    rsc = action.rsc
    if rsc is None or rsc.lock_node is None or action.node is not rsc.lock_node:
        return False
    return not (action.node.shutdown and action.task != "stop")


def meta_name(name: str) -> str:
    """crm_meta_name: ``CRM_meta_`` and the name with dashes as underscores."""
    return f"{CRM_META}_{name}".replace("-", "_")


def action_attributes(sch: Scheduler, action: Action, feature_set: str
                      ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """add_action_attributes: (sorted attributes, numbered parameters)."""
    from pengine.status.unpack import rsc_params
    fields: dict[str, str] = {"crm_feature_set": feature_set}
    numbered: list[tuple[str, str]] = []

    def add_field(name, value):            # hash2field: the first value wins
        if value is not None:
            fields.setdefault(name, value)

    def add_smart(name, value):            # hash2smartfield: numbered names become <param>
        if name[:1].isdigit():
            numbered.append((name, value))
        else:
            add_field(name, value)

    def add_meta(name, value):             # hash2metafield: cluster-made names are skipped
        if value is None or "#" in name or ":" in name:
            return
        add_field(meta_name(name), value)

    for name, value in action.extra.items():
        add_field(name, value)
    rsc = action.rsc
    if rsc is not None and action.node is not None:
        params = dict(rsc_params(sch, rsc, action.node))
        if params.get("addr") == "#uname":   # substitute_remote_addr
            base = _base_params(sch, rsc).get("addr")
            if base is not None:
                params["addr"] = base
        for name, value in params.items():
            add_smart(name, value)
    elif rsc is not None and rsc.variant == "primitive":
        for name, value in _base_params(sch, rsc).items():
            add_smart(name, value)
    for name, value in _action_meta(action).items():
        add_meta(name, value)
    if rsc is not None:
        walker = rsc
        while walker is not None:
            fields.update(graph_meta(walker))
            walker = walker.parent
        for name, value in guest_meta(action):
            add_meta(name, value)
    return sorted(fields.items()), numbered


def _base_params(sch: Scheduler, rsc: Resource) -> dict[str, str]:
    """The resource's parameters evaluated for no node, with a bundle
    connection's ``addr="#uname"`` replaced by its container's host as
    Pacemaker does while adding bundle actions to the graph
    (REMOTE_CONTAINER_HACK, pe__add_bundle_remote_name)."""
    from pengine.status.unpack import rsc_params
    params = rsc_params(sch, rsc, None)
    if params.get("addr") == "#uname" and rsc.is_remote_connection \
            and rsc.launcher is not None and rsc.is_bundled():
        host = rsc.launcher.assigned_node or rsc.launcher.current_node
        if host is not None:
            params = dict(params, addr=host.name)
    return params


def _action_meta(action: Action) -> dict[str, str]:
    """The action's meta-attributes as create_graph_action leaves them."""
    meta = dict(action.meta)
    if _needs_node_info(action) and action.node is not None:
        meta["on_node"] = action.node.name
        meta["on_node_uuid"] = action.node.id
    return meta


def graph_meta(rsc: Resource) -> dict[str, str]:
    """The add_graph_meta method: what each variant passes to the agent."""
    out: dict[str, str] = {}
    if rsc.variant == "primitive":
        if rsc.meta.get("clone") is not None:
            out[meta_name("clone")] = rsc.meta["clone"]
        if rsc.meta.get("remote-node") is not None:
            out[meta_name("remote-node")] = rsc.meta["remote-node"]
        walker = rsc
        while walker is not None:
            if walker.launcher is not None:
                out[meta_name("container")] = walker.launcher.id
            walker = walker.parent
        if rsc.meta.get("external-ip") is not None:
            out["pcmk_external_ip"] = rsc.meta["external-ip"]
    elif rsc.variant == "clone":
        out[meta_name("globally-unique")] = _bool_text(rsc.unique)
        out[meta_name("notify")] = _bool_text(rsc.notify)
        out[meta_name("clone-max")] = str(rsc.clone_max)
        out[meta_name("clone-node-max")] = str(rsc.clone_node_max)
        if rsc.promotable:
            for name, value in (("promoted-max", rsc.promoted_max),
                                ("promoted-node-max", rsc.promoted_node_max),
                                ("master-max", rsc.promoted_max),
                                ("master-node-max", rsc.promoted_node_max)):
                out[meta_name(name)] = str(value)
    return out


def _bool_text(flag: bool) -> str:
    return "true" if flag else "false"


def guest_meta(action: Action) -> list[tuple[str, str]]:
    """pcmk__add_guest_meta_to_xml: where a guest node's action really runs."""
    from pengine.schedule.remote_orderings import guest_meta as impl
    return list(impl(action).items())


def connection_host_for_action(action: Action) -> Node | None:
    """pcmk__connection_host_for_action: the cluster node a remote action goes through."""
    from pengine.schedule.remote_orderings import connection_host_for_action as impl
    return impl(action)


def downed_nodes(sch: Scheduler, action: Action) -> list[str]:
    """add_downed_nodes: the nodes this action is expected to bring down."""
    if action.task == "do_shutdown":
        return [action.node.id]
    if action.task == "stonith":
        if (action.meta.get("stonith_action") or "") not in ("off", "reboot"):
            return []
        downed = [action.node.id]
        # pe_foreach_guest_node: guest connections active on the node, in history order
        if sch.have_remote_nodes:
            for rsc in action.node.running:
                guest = sch.find_node(rsc.id) if rsc.is_remote_connection \
                    and rsc.launcher is not None else None
                if guest is not None:
                    downed.append(guest.id)
        return downed
    rsc = action.rsc
    if rsc is not None and rsc.is_remote_connection and action.task == "stop":
        for rel in action.actions_before:
            first = rel.action
            if first.rsc is not None and first.rsc.id == rsc.id and first.task == "migrate_from":
                return []
        return [rsc.id]
    return []


# ------------------------------------------------------------------- XML --

def _escape(text: str) -> str:
    """Attribute-value escaping as Pacemaker's XML writer does it."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;"))


def _attrs(pairs) -> str:
    return "".join(f' {name}="{_escape(value)}"' for name, value in pairs)

