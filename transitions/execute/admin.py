"""Changes an operator or an agent makes to a running cluster's CIB: pure, CIB to CIB.

What Pacemaker's tools write, done here on the CIB XML (the tools, too, edit
XML through the CIB manager):

- node attributes: ``reboot`` (transient: the status section's
  ``transient_attributes``, gone when the node leaves) or ``forever``
  (the node's ``instance_attributes`` in the configuration), as
  ``crm_attribute``/``attrd_updater`` set them; standby and maintenance
  are permanent node attributes (``crm node standby``);
- ``crm_resource --move/--ban/--clear``: ``cli-prefer-RSC`` and
  ``cli-ban-RSC-on-NODE`` location constraints, with a date rule when they
  have a lifetime;
- ``crm_resource --cleanup``: the resource's fail counts and history;
- a resource's meta attribute (``target-role`` for ``--restart``);
- a whole new configuration (replace), or one merged object by object
  (update: an object replaces the one with its id, new ones are added), with
  the version rules of the CIB (``admin_epoch``, ``epoch``, ``num_updates``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

from attrs import evolve

from pengine.cib import model as m

REBOOT, FOREVER = "reboot", "forever"
LIFETIMES = {"reboot": REBOOT, "status": REBOOT, "transient": REBOOT,
             "forever": FOREVER, "nodes": FOREVER, "permanent": FOREVER}


class AdminError(ValueError):
    """The change cannot be made (an unknown resource or node...)."""


# ------------------------------------------------------------ XML round trip --

def _tree(cib: m.Cib) -> ET.Element:
    from pengine.cib.cib_xml import write_cib
    return ET.fromstring(write_cib(cib))


def _cib(root: ET.Element, what: str) -> m.Cib:
    from pengine.cib.cib_xml import read_cib
    return read_cib(ET.tostring(root, encoding="unicode"), what)


def _child(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    found = parent.find(tag)
    if found is None:
        found = ET.SubElement(parent, tag, attrs)
    return found


def _configuration(root: ET.Element) -> ET.Element:
    return _child(root, "configuration")


# ----------------------------------------------------------------- versions --

def config_version(cib: m.Cib) -> tuple[int, int, int]:
    """(admin_epoch, epoch, num_updates): the newer configuration is the larger."""
    def number(name: str) -> int:
        try:
            return int(cib.get(name) or 0)
        except ValueError:
            return 0
    return number("admin_epoch"), number("epoch"), number("num_updates")


def with_version(cib: m.Cib, version: tuple[int, int, int]) -> m.Cib:
    attrs = dict(cib.attributes)
    attrs["admin_epoch"], attrs["epoch"], attrs["num_updates"] = (str(v) for v in version)
    return evolve(cib, attributes=list(attrs.items()))


def next_epoch(version: tuple[int, int, int]) -> tuple[int, int, int]:
    """A configuration change: epoch + 1, num_updates back to 0."""
    return version[0], version[1] + 1, 0


# ---------------------------------------------------------- node attributes --

def lifetime_of(text: str | None, default: str = FOREVER) -> str:
    if not text:
        return default
    lifetime = LIFETIMES.get(text.lower())
    if lifetime is None:
        raise AdminError(f"unknown lifetime '{text}' (reboot or forever)")
    return lifetime


def node_attribute(cib: m.Cib, node: str, name: str, lifetime: str) -> str | None:
    if lifetime == REBOOT:
        for state in cib.status.node_states:
            if state.uname == node:
                for attr_set in state.transient:
                    value = attr_set.get(name)
                    if value is not None:
                        return value
        return None
    for entry in cib.configuration.nodes:
        if entry.uname == node:
            for attr_set in entry.attributes:
                value = attr_set.get(name)
                if value is not None:
                    return value
    return None


def _node_id(cib: m.Cib, node: str) -> str:
    for entry in cib.configuration.nodes:
        if entry.uname == node:
            return entry.id
    raise AdminError(f"no node named '{node}' in the configuration")


def set_node_attribute(cib: m.Cib, node: str, name: str, value: str | None,
                       lifetime: str) -> m.Cib:
    """Set (value None: delete) one attribute of ``node``."""
    node_id = _node_id(cib, node)
    if node_attribute(cib, node, name, lifetime) == value:
        return cib
    root = _tree(cib)
    if lifetime == REBOOT:
        status = _child(root, "status")
        state = next((s for s in status.findall("node_state")
                      if s.get("uname") == node or s.get("id") == node_id), None)
        if state is None:
            if value is None:
                return cib
            state = ET.SubElement(status, "node_state", {"id": node_id, "uname": node})
        holder = _child(state, "transient_attributes", id=node_id)
        attr_set = _child(holder, "instance_attributes", id=f"status-{node_id}")
        prefix = "status"
    else:
        nodes = _child(_configuration(root), "nodes")
        entry = next((n for n in nodes.findall("node") if n.get("uname") == node), None)
        if entry is None:
            raise AdminError(f"no node named '{node}' in the configuration")
        attr_set = _child(entry, "instance_attributes", id=f"nodes-{node_id}")
        prefix = "nodes"
    _set_nvpair(attr_set, f"{prefix}-{node_id}-{name}", name, value)
    return _cib(root, f"<attribute {name} of {node}>")


def _set_nvpair(attr_set: ET.Element, pair_id: str, name: str, value: str | None) -> None:
    for pair in list(attr_set.findall("nvpair")):
        if pair.get("name") == name:
            attr_set.remove(pair)
    if value is not None:
        ET.SubElement(attr_set, "nvpair", {"id": pair_id, "name": name, "value": value})


def drop_transient(cib: m.Cib, node: str) -> m.Cib:
    """The node left: its transient attributes go (attrd forgets a lost peer's)."""
    states = []
    changed = False
    for state in cib.status.node_states:
        if state.uname == node and state.transient:
            state = evolve(state, transient=(), transient_id=None)
            changed = True
        states.append(state)
    if not changed:
        return cib
    return evolve(cib, status=evolve(cib.status, node_states=states))


def cluster_property(cib: m.Cib, name: str) -> str | None:
    return cib.configuration.property(name)


def set_property(cib: m.Cib, name: str, value: str | None) -> m.Cib:
    """crm_attribute -t crm_config: a cluster option in cib-bootstrap-options."""
    root = _tree(cib)
    crm_config = _child(_configuration(root), "crm_config")
    options = next((s for s in crm_config.findall("cluster_property_set")
                    if s.get("id") == "cib-bootstrap-options"), None)
    if options is None:
        options = ET.Element("cluster_property_set", {"id": "cib-bootstrap-options"})
        crm_config.insert(0, options)
    _set_nvpair(options, f"cib-bootstrap-options-{name}", name, value)
    return _cib(root, f"<cluster option {name}>")


# ---------------------------------------------------------------- resources --

def _resource_ids(cib: m.Cib) -> set[str]:
    return set(cib.configuration.resources_by_id)


def _check_resource(cib: m.Cib, rsc: str) -> None:
    if rsc not in _resource_ids(cib):
        raise AdminError(f"resource '{rsc}' not found")


def lifetime_end(lifetime: str, now: float) -> str:
    """The end of a constraint's ``lifetime`` (an ISO 8601 duration such as
    PT10M) from ``now``, as crm_resource writes it."""
    from pengine.common.dates import duration_seconds, parse_duration
    try:
        seconds = duration_seconds(parse_duration(lifetime))
    except Exception:  # noqa: BLE001 - any unreadable duration is the same error
        seconds = None
    if not seconds or seconds <= 0:
        raise AdminError(f"invalid lifetime '{lifetime}' (an ISO 8601 duration, e.g. PT10M)")
    end = datetime.fromtimestamp(now, timezone.utc) + timedelta(seconds=seconds)
    return end.strftime("%Y-%m-%d %H:%M:%SZ")


def _location(cid: str, rsc: str, node: str, score: str, end: str | None,
              rule_id: str, expr_id: str, date_id: str, role: str | None) -> ET.Element:
    attrs = {"id": cid, "rsc": rsc}
    if role:
        attrs["role"] = role
    if end is None:
        attrs.update(node=node, score=score)
        return ET.Element("rsc_location", attrs)
    location = ET.Element("rsc_location", attrs)
    rule = ET.SubElement(location, "rule", {"id": rule_id, "score": score,
                                            "boolean-op": "and"})
    ET.SubElement(rule, "expression", {"id": expr_id, "attribute": "#uname",
                                       "operation": "eq", "value": node, "type": "string"})
    ET.SubElement(rule, "date_expression", {"id": date_id, "operation": "lt", "end": end})
    return location


def _put_constraint(cib: m.Cib, element: ET.Element) -> m.Cib:
    root = _tree(cib)
    constraints = _child(_configuration(root), "constraints")
    for old in list(constraints):
        if old.get("id") == element.get("id"):
            constraints.remove(old)
    constraints.append(element)
    return _cib(root, f"<constraint {element.get('id')}>")


def prefer(cib: m.Cib, rsc: str, node: str, lifetime: str | None = None,
           now: float = 0.0, promoted: bool = False) -> m.Cib:
    """crm_resource --move RSC --node NODE: cli-prefer-RSC."""
    _check_resource(cib, rsc)
    _node_id(cib, node)
    end = lifetime_end(lifetime, now) if lifetime else None
    return _put_constraint(cib, _location(
        f"cli-prefer-{rsc}", rsc, node, "INFINITY", end, f"cli-prefer-rule-{rsc}",
        f"cli-prefer-expr-{rsc}", f"cli-prefer-lifetime-end-{rsc}",
        "Promoted" if promoted else "Started"))


def ban(cib: m.Cib, rsc: str, node: str, lifetime: str | None = None,
        now: float = 0.0, promoted: bool = False) -> m.Cib:
    """crm_resource --ban RSC --node NODE: cli-ban-RSC-on-NODE."""
    _check_resource(cib, rsc)
    _node_id(cib, node)
    end = lifetime_end(lifetime, now) if lifetime else None
    cid = f"cli-ban-{rsc}-on-{node}"
    return _put_constraint(cib, _location(cid, rsc, node, "-INFINITY", end, f"{cid}-rule",
                                          f"{cid}-expr", f"{cid}-lifetime",
                                          "Promoted" if promoted else None))


def clear(cib: m.Cib, rsc: str, node: str | None = None) -> tuple[m.Cib, list[str]]:
    """crm_resource --clear: the cli- constraints of ``rsc`` (on ``node`` only,
    if given); the new CIB and the ids removed."""
    _check_resource(cib, rsc)
    root = _tree(cib)
    constraints = _child(_configuration(root), "constraints")
    removed = []
    for element in list(constraints):
        cid = element.get("id") or ""
        if element.tag != "rsc_location" or element.get("rsc") != rsc:
            continue
        mine = cid == f"cli-prefer-{rsc}" or cid.startswith(f"cli-ban-{rsc}-on-")
        if node is not None:
            mine = cid == f"cli-ban-{rsc}-on-{node}" or (
                cid == f"cli-prefer-{rsc}" and _location_node(element) == node)
        if mine:
            constraints.remove(element)
            removed.append(cid)
    return (_cib(root, f"<clear {rsc}>") if removed else cib), removed


def _location_node(element: ET.Element) -> str | None:
    if element.get("node"):
        return element.get("node")
    expression = element.find("rule/expression")
    return expression.get("value") if expression is not None else None


def active_nodes(cib: m.Cib, rsc: str, now: float) -> list[str]:
    """Where the scheduler sees ``rsc`` (or any of its instances) active."""
    from pengine.common.dates import from_epoch
    from pengine.status.unpack import unpack
    sch = unpack(cib, from_epoch(int(now)))
    found: list[str] = []

    def visit(resource, inside: bool) -> None:
        inside = inside or resource.id == rsc or resource.id.split(":")[0] == rsc
        if inside:
            for node in resource.running_on:
                if node.name not in found:
                    found.append(node.name)
        for child in resource.children:
            visit(child, inside)
    for resource in sch.resources:
        visit(resource, False)
    return found


def cleanup(cib: m.Cib, rsc: str | None = None, node: str | None = None) -> m.Cib:
    """crm_resource --cleanup: fail counts and history of ``rsc`` (all
    resources when None) on ``node`` (all nodes when None), so that the
    scheduler probes afresh."""
    if rsc is not None:
        _check_resource(cib, rsc)
    if node is not None:
        _node_id(cib, node)

    def of_rsc(rsc_id: str) -> bool:
        return rsc is None or rsc_id == rsc or rsc_id.split(":")[0] == rsc

    def failure_attr(name: str) -> bool:
        for prefix in ("fail-count-", "last-failure-"):
            if name.startswith(prefix):
                return of_rsc(name[len(prefix):].split("#")[0])
        return False

    states = []
    for state in cib.status.node_states:
        if node is None or state.uname == node:
            lrm = tuple(r for r in state.lrm_resources if not of_rsc(r.id))
            transient = tuple(evolve(s, nvpairs=[p for p in s.nvpairs
                                                 if not failure_attr(p.name)])
                              for s in state.transient)
            state = evolve(state, lrm_resources=lrm, transient=transient)
        states.append(state)
    return evolve(cib, status=evolve(cib.status, node_states=states))


def set_meta(cib: m.Cib, rsc: str, name: str, value: str | None) -> m.Cib:
    """Set (value None: delete) a meta attribute of resource ``rsc``."""
    _check_resource(cib, rsc)
    root = _tree(cib)
    resources = _child(_configuration(root), "resources")
    element = next((e for e in resources.iter() if e.get("id") == rsc
                    and e.tag in ("primitive", "group", "clone", "bundle", "master")), None)
    if element is None:
        raise AdminError(f"resource '{rsc}' not found")
    meta = element.find("meta_attributes")
    if meta is None:
        if value is None:
            return cib
        meta = ET.Element("meta_attributes", {"id": f"{rsc}-meta_attributes"})
        element.insert(0, meta)
    _set_nvpair(meta, f"{rsc}-meta_attributes-{name}", name, value)
    return _cib(root, f"<meta {name} of {rsc}>")


# ------------------------------------------------------------ configuration --

def replace_configuration(cib: m.Cib, new: m.Cib) -> m.Cib:
    return evolve(cib, configuration=new.configuration)


def update_configuration(cib: m.Cib, new: m.Cib) -> m.Cib:
    """``new``'s objects merged into ``cib``'s configuration: an object
    replaces the one with the same id (at any depth of its section), new ones
    are added at the end of their section (crm configure load update)."""
    root = _tree(cib)
    configuration = _configuration(root)
    incoming = _configuration(_tree(new))
    for section in incoming:
        mine = configuration.find(section.tag)
        if mine is None:
            configuration.append(section)
            continue
        for element in section:
            eid = element.get("id")
            replaced = False
            if eid:
                for parent in mine.iter():
                    for k, old in enumerate(list(parent)):
                        if old.get("id") == eid and old.tag == element.tag:
                            parent.remove(old)
                            parent.insert(k, element)
                            replaced = True
                            break
                    if replaced:
                        break
            if not replaced:
                mine.append(element)
    return _cib(root, "<configuration update>")


def same_configuration(a: m.Cib, b: m.Cib) -> bool:
    return a.configuration == b.configuration
