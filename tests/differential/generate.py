"""Seeded random clusters (CIB XML with a status section) and the events of a step.

``cluster(rng)`` returns a CIB whose nodes are online members (some standby,
in maintenance, unclean-to-be, remote or guest) and whose resources have no
history yet: the first step lets Pacemaker settle it.  ``events(rng, cib)``
picks 0-3 of crm_simulate's event flags for the next step, chosen from what
the CIB holds (nodes that are up or down, resources with history, tickets).
Everything depends on the ``random.Random`` given and nothing else.
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

EPOCH0 = int(datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc).timestamp())
SCHEMA = "pacemaker-3.10"
TICKETS = ("ticketA", "ticketB")


class _Ids:
    def __init__(self):
        self.used: set[str] = set()

    def __call__(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.used.add(candidate)
        return candidate


def _sub(parent, tag, **attrs):
    return ET.SubElement(parent, tag, {k.rstrip("_").replace("__", "-"): str(v)
                                       for k, v in attrs.items() if v is not None})


def _nvset(parent, tag, ids, owner, pairs, rule=None):
    if not pairs and rule is None:
        return None
    block = _sub(parent, tag, id=ids(f"{owner}-{tag}"))
    if rule is not None:
        block.append(rule)
    for name, value in pairs:
        safe = name.lstrip("#")  # an XML ID holds no '#'
        _sub(block, "nvpair", id=ids(f"{owner}-{tag}-{safe}"), name=name, value=value)
    return block


class Cluster:
    """What the generator decided, kept to pick sensible events later."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ids = _Ids()
        self.nodes: list[str] = []
        self.remote_nodes: list[str] = []
        self.primitives: list[str] = []     # ids that can carry history
        self.placeable: list[str] = []      # top-level resources usable in constraints
        self.promotable: list[str] = []
        self.utilization = False


def cluster(rng: random.Random) -> ET.Element:
    c = Cluster(rng)
    ids = c.ids
    cib = ET.Element("cib", {
        "validate-with": SCHEMA, "crm_feature_set": "3.20.5", "epoch": "1",
        "num_updates": "0", "admin_epoch": "0",
        "have-quorum": "1" if rng.random() < 0.93 else "0",
        "execution-date": str(EPOCH0 + rng.randrange(0, 86400 * 300)),
    })
    config = _sub(cib, "configuration")
    crm_config = _sub(config, "crm_config")
    nodes_el = _sub(config, "nodes")
    resources = _sub(config, "resources")
    constraints = _sub(config, "constraints")
    status = _sub(cib, "status")

    # ---- cluster options
    stonith = rng.random() < 0.6
    props = [("stonith-enabled", "true" if stonith else "false")]
    choose = rng.random
    if choose() < 0.3:
        props.append(("no-quorum-policy", rng.choice(["stop", "ignore", "freeze", "demote"])))
    if choose() < 0.3:
        props.append(("placement-strategy",
                      rng.choice(["default", "utilization", "minimal", "balanced"])))
        c.utilization = True
    if choose() < 0.15:
        props.append(("symmetric-cluster", "false"))
    if choose() < 0.15:
        props.append(("node-health-strategy",
                      rng.choice(["migrate-on-red", "only-green", "progressive", "custom"])))
        if choose() < 0.5:
            props.append(("node-health-red", "-INFINITY" if choose() < 0.5 else "-500"))
            props.append(("node-health-yellow", str(rng.choice([-100, -10, 0]))))
    if choose() < 0.15:
        props.append(("shutdown-lock", "true"))
    if choose() < 0.15:
        props.append(("start-failure-is-fatal", "false"))
    if choose() < 0.04:
        props.append(("maintenance-mode", "true"))
    if choose() < 0.1:
        props.append(("stop-all-resources", "true" if choose() < 0.3 else "false"))
    if choose() < 0.1:
        props.append(("concurrent-fencing", rng.choice(["true", "false"])))
    _nvset(crm_config, "cluster_property_set", ids, "cib-bootstrap-options", props)

    # ---- cluster nodes
    n_nodes = rng.choice([2, 2, 3, 3, 3, 4, 4, 5, 6, 8, 10, 11, 12])
    for i in range(1, n_nodes + 1):
        name = f"node{i}"
        c.nodes.append(name)
        node = _sub(nodes_el, "node", id=str(i), uname=name)
        attrs = []
        if choose() < 0.12:
            attrs.append(("standby", "on"))
        if choose() < 0.05:
            attrs.append(("maintenance", "true"))
        if choose() < 0.4:
            attrs.append(("site", rng.choice(["a", "b"])))
        if choose() < 0.3:
            attrs.append(("weight", str(rng.choice([0, 5, 50, 100, 1000]))))
        if choose() < 0.12:
            attrs.append((f"#health-{rng.choice(['disk', 'net'])}",
                          rng.choice(["red", "yellow", "green", "-100", "10"])))
        _nvset(node, "instance_attributes", ids, f"nodes-{i}", attrs)
        if c.utilization and choose() < 0.8:
            _nvset(node, "utilization", ids, f"nodes-{i}",
                   [(k, str(rng.choice([1, 2, 4, 8])))
                    for k in ("cpu", "mem") if choose() < 0.85])
        state = _sub(status, "node_state", id=str(i), uname=name, in_ccm="true",
                     crmd="online", crm_debug_origin="do_update_resource", join="member",
                     expected="member")
        if choose() < 0.05:
            # already gone, not yet fenced: unclean at the first step
            state.set("in_ccm", "false")
            state.set("crmd", "offline")
        elif choose() < 0.08:
            state.set("in_ccm", "false")
            state.set("crmd", "offline")
            state.set("join", "down")
            state.set("expected", "down")
    # ---- resources
    if stonith:
        _fencing(c, resources)
    if choose() < 0.25:
        template = _sub(resources, "template", id=ids("tpl-dummy"), class_="ocf",
                        provider="pacemaker", type="Dummy")
        ops = _sub(template, "operations")
        _sub(ops, "op", id=ids("tpl-dummy-monitor"), name="monitor", interval="15s")
        c.template = template.get("id")
    else:
        c.template = None
    if choose() < 0.1:
        _remote(c, resources)
    n_top = rng.randint(2, 12)
    for _ in range(n_top):
        kind = rng.choices(["primitive", "group", "clone", "promotable", "bundle"],
                           weights=[40, 18, 14, 10, 4])[0]
        if kind == "primitive":
            rid = _primitive(c, resources, "rsc")
        elif kind == "group":
            rid = _group(c, resources)
        elif kind == "clone":
            rid = _clone(c, resources, promotable=False)
        elif kind == "promotable":
            rid = _clone(c, resources, promotable=True)
        else:
            rid = _bundle(c, resources)
        c.placeable.append(rid)
    if choose() < 0.5:
        defaults = _sub(config, "rsc_defaults")
        pairs = [("resource-stickiness", str(rng.choice([0, 1, 10, 100, 1000, "INFINITY"])))]
        if choose() < 0.3:
            pairs.append(("migration-threshold", str(rng.choice([1, 2, 3]))))
        _nvset(defaults, "meta_attributes", ids, "rsc-options", pairs)
    if choose() < 0.2:
        op_defaults = _sub(config, "op_defaults")
        _nvset(op_defaults, "meta_attributes", ids, "op-options",
               [("timeout", rng.choice(["20s", "60s"]))])
    _constraints(c, constraints)
    if choose() < 0.3:
        tickets = _sub(status, "tickets")
        for ticket in TICKETS:
            if choose() < 0.7:
                _sub(tickets, "ticket_state", id=ticket,
                     granted="true" if choose() < 0.6 else "false",
                     standby="true" if choose() < 0.1 else None)
    return cib


def _meta(c: Cluster, el, kind: str):
    rng = c.rng
    pairs = []
    if rng.random() < 0.3:
        pairs.append(("resource-stickiness", str(rng.choice([0, 5, 100, "INFINITY"]))))
    if rng.random() < 0.25:
        pairs.append(("migration-threshold", str(rng.choice([1, 2, 3, 5]))))
    if rng.random() < 0.2:
        pairs.append(("failure-timeout", rng.choice(["60s", "10min", "2h"])))
    if kind == "primitive" and rng.random() < 0.15:
        pairs.append(("allow-migrate", "true"))
    if rng.random() < 0.08:
        pairs.append(("target-role", rng.choice(["Stopped", "Started", "Unpromoted"])))
    if rng.random() < 0.05:
        pairs.append(("is-managed", "false"))
    if rng.random() < 0.08:
        pairs.append(("priority", str(rng.choice([1, 10]))))
    if rng.random() < 0.05:
        pairs.append(("requires", rng.choice(["nothing", "quorum", "fencing"])))
    _nvset(el, "meta_attributes", c.ids, el.get("id"), pairs)


def _ops(c: Cluster, el, rid: str, stateful: bool = False):
    rng = c.rng
    ops = _sub(el, "operations")
    on_fail = None
    if rng.random() < 0.2:
        on_fail = rng.choice(["restart", "ignore", "block", "stop", "standby", "fence",
                              "demote"])
    if stateful:
        _sub(ops, "op", id=c.ids(f"{rid}-monitor-11s"), name="monitor", interval="11s",
             role="Promoted", on__fail=on_fail)
        _sub(ops, "op", id=c.ids(f"{rid}-monitor-12s"), name="monitor", interval="12s",
             role="Unpromoted")
    elif rng.random() < 0.85:
        _sub(ops, "op", id=c.ids(f"{rid}-monitor-10s"), name="monitor", interval="10s",
             on__fail=on_fail)
    if rng.random() < 0.1:
        _sub(ops, "op", id=c.ids(f"{rid}-start-0"), name="start", interval="0",
             timeout="30s", on__fail=rng.choice(["restart", "block", "stop"]))
    if rng.random() < 0.1:
        _sub(ops, "op", id=c.ids(f"{rid}-stop-0"), name="stop", interval="0",
             timeout="30s", on__fail=rng.choice(["block", "fence"]))


def _primitive(c: Cluster, parent, base: str, stateful: bool = False,
               meta: bool = True) -> str:
    rng = c.rng
    rid = c.ids(base)
    if c.template and not stateful and rng.random() < 0.3:
        el = _sub(parent, "primitive", id=rid, template=c.template)
    else:
        agent = ("ocf", "pacemaker", "Stateful") if stateful else rng.choice(
            [("ocf", "pacemaker", "Dummy"), ("ocf", "heartbeat", "Dummy"),
             ("ocf", "heartbeat", "IPaddr2"), ("systemd", None, "httpd"),
             ("lsb", None, "nginx")])
        el = _sub(parent, "primitive", id=rid, class_=agent[0], provider=agent[1],
                  type=agent[2])
        if agent[2] == "IPaddr2":
            _nvset(el, "instance_attributes", c.ids, rid,
                   [("ip", f"192.168.1.{rng.randint(2, 250)}")])
        elif rng.random() < 0.3:
            _nvset(el, "instance_attributes", c.ids, rid, [("state", f"/run/{rid}")])
        _ops(c, el, rid, stateful)
    if meta:
        _meta(c, el, "primitive")
    if c.utilization and rng.random() < 0.7:
        _nvset(el, "utilization", c.ids, rid,
               [(k, str(rng.choice([1, 1, 2, 3]))) for k in ("cpu", "mem") if rng.random() < 0.8])
    c.primitives.append(rid)
    return rid


def _fencing(c: Cluster, resources):
    rng = c.rng
    for _ in range(rng.choice([1, 1, 2])):
        rid = c.ids("fence")
        el = _sub(resources, "primitive", id=rid, class_="stonith", type="fence_xvm")
        if rng.random() < 0.4:
            _nvset(el, "instance_attributes", c.ids, rid,
                   [("pcmk_host_list", " ".join(rng.sample(c.nodes, max(1, len(c.nodes) // 2))))])
        ops = _sub(el, "operations")
        _sub(ops, "op", id=c.ids(f"{rid}-monitor"), name="monitor", interval="60s")
        c.primitives.append(rid)
        c.placeable.append(rid)


def _remote(c: Cluster, resources):
    rng = c.rng
    for i in range(1, rng.choice([1, 2]) + 1):
        name = c.ids(f"remote{i}")
        el = _sub(resources, "primitive", id=name, class_="ocf", provider="pacemaker",
                  type="remote")
        ops = _sub(el, "operations")
        _sub(ops, "op", id=c.ids(f"{name}-monitor"), name="monitor", interval="30s")
        if rng.random() < 0.3:
            _nvset(el, "meta_attributes", c.ids, name,
                   [("reconnect_interval", "60s")])
        c.remote_nodes.append(name)
        c.primitives.append(name)
    if rng.random() < 0.4:
        # a guest node: a VM resource that hosts a Pacemaker Remote node
        guest = c.ids("guest1")
        vm = c.ids("vm-guest1")
        el = _sub(resources, "primitive", id=vm, class_="ocf", provider="heartbeat",
                  type="VirtualDomain")
        _nvset(el, "instance_attributes", c.ids, vm, [("config", f"/etc/{vm}.xml")])
        _nvset(el, "meta_attributes", c.ids, vm, [("remote-node", guest)])
        ops = _sub(el, "operations")
        _sub(ops, "op", id=c.ids(f"{vm}-monitor"), name="monitor", interval="30s")
        c.remote_nodes.append(guest)
        c.primitives.append(vm)
        c.placeable.append(vm)


def _group(c: Cluster, resources) -> str:
    gid = c.ids("grp")
    group = _sub(resources, "group", id=gid)
    if c.rng.random() < 0.3:
        _meta(c, group, "group")
    for _ in range(c.rng.randint(1, 3)):
        _primitive(c, group, f"{gid}-m", meta=c.rng.random() < 0.3)
    return gid


def _clone(c: Cluster, resources, promotable: bool) -> str:
    rng = c.rng
    cid = c.ids("ms" if promotable else "cln")
    clone = _sub(resources, "clone", id=cid)
    pairs = []
    if promotable:
        pairs.append(("promotable", "true"))
        if rng.random() < 0.4:
            pairs.append(("promoted-max", str(rng.choice([1, 2]))))
    if rng.random() < 0.35:
        pairs.append(("clone-max", str(rng.choice([1, 2, 3, 4]))))
    if rng.random() < 0.15:
        pairs.append(("clone-node-max", "2"))
    if rng.random() < 0.2:
        pairs.append(("globally-unique", "true"))
    if rng.random() < 0.3:
        pairs.append(("interleave", "true"))
    if rng.random() < 0.25:
        pairs.append(("notify", "true"))
    if rng.random() < 0.2:
        pairs.append(("resource-stickiness", str(rng.choice([0, 1, 100]))))
    if rng.random() < 0.15:
        pairs.append(("migration-threshold", "1"))
    if rng.random() < 0.05:
        pairs.append(("target-role", rng.choice(["Stopped", "Unpromoted"])))
    _nvset(clone, "meta_attributes", c.ids, cid, pairs)
    if not promotable and rng.random() < 0.2:
        gid = c.ids(f"{cid}-grp")
        group = _sub(clone, "group", id=gid)
        for _ in range(rng.randint(1, 2)):
            _primitive(c, group, f"{gid}-m", meta=False)
    else:
        _primitive(c, clone, f"{cid}-child", stateful=promotable, meta=False)
    if promotable:
        c.promotable.append(cid)
    return cid


def _bundle(c: Cluster, resources) -> str:
    rng = c.rng
    bid = c.ids("bnd")
    bundle = _sub(resources, "bundle", id=bid)
    replicas = rng.choice([1, 2, 3])
    _sub(bundle, rng.choice(["docker", "podman"]), image=f"registry/{bid}:latest",
         replicas=replicas, network="host" if rng.random() < 0.5 else None)
    with_primitive = rng.random() < 0.6
    if with_primitive:
        base = 3121 + 10 * len([x for x in c.placeable if x.startswith("bnd")])
        _sub(bundle, "network", control__port=str(base))
        _primitive(c, bundle, f"{bid}-app", meta=False)
    c.primitives.append(f"{bid}-docker-0")
    return bid


def _rule(c: Cluster, owner: str, score_attribute: bool):
    rng = c.rng
    rule = ET.Element("rule", {"id": c.ids(f"{owner}-rule")})
    if score_attribute:
        rule.set("score-attribute", rng.choice(["weight", "missing-attr"]))
    else:
        rule.set("score", str(rng.choice([-1000, -100, 50, 200, "INFINITY", "-INFINITY"])))
    kind = rng.choice(["attr", "attr", "defined", "date", "date_spec", "uname"])
    if kind == "attr":
        _sub(rule, "expression", id=c.ids(f"{owner}-expr"), attribute="site",
             operation=rng.choice(["eq", "ne"]), value=rng.choice(["a", "b"]))
    elif kind == "defined":
        _sub(rule, "expression", id=c.ids(f"{owner}-expr"), attribute="weight",
             operation=rng.choice(["defined", "not_defined"]))
    elif kind == "uname":
        _sub(rule, "expression", id=c.ids(f"{owner}-expr"), attribute="#uname",
             operation="eq", value=rng.choice(c.nodes))
    elif kind == "date":
        when = datetime.fromtimestamp(EPOCH0 + rng.randrange(0, 86400 * 400), timezone.utc)
        op = rng.choice(["gt", "lt", "in_range"])
        attrs = {"id": c.ids(f"{owner}-date"), "operation": op}
        if op in ("gt", "in_range"):
            attrs["start"] = when.strftime("%Y-%m-%d %H:%M:%SZ")
        if op == "lt" or (op == "in_range" and rng.random() < 0.5):
            attrs["end"] = (when + timedelta(days=rng.randint(1, 120))).strftime(
                "%Y-%m-%d %H:%M:%SZ")
        elif op == "in_range":
            dur = _sub(ET.Element("x"), "duration", id=c.ids(f"{owner}-dur"),
                       days=str(rng.randint(1, 90)))
            el = ET.SubElement(rule, "date_expression", attrs)
            el.append(dur)
            return rule
        ET.SubElement(rule, "date_expression", attrs)
    else:
        expr = _sub(rule, "date_expression", id=c.ids(f"{owner}-date"),
                    operation="date_spec")
        _sub(expr, "date_spec", id=c.ids(f"{owner}-spec"),
             **rng.choice([{"hours": "9-17"}, {"weekdays": "1-5"}, {"hours": "0-8"}]))
    return rule


def _resource_set(c: Cluster, parent, owner: str, pool: list[str], ordered: bool):
    """A set of resources not yet named by the constraint's other sets (one
    resource in two sets orders it after itself: Pacemaker aborts)."""
    rng = c.rng
    taken = {ref.get("id") for ref in parent.iter("resource_ref")}
    pool = [rid for rid in pool if rid not in taken]
    if not pool:
        return
    members = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
    rset = _sub(parent, "resource_set", id=c.ids(f"{owner}-set"))
    if rng.random() < 0.3:
        rset.set("sequential", "false")
    if ordered and rng.random() < 0.2:
        rset.set("require-all", "false")
    if rng.random() < 0.15:
        rset.set("role" if not ordered else "action",
                 rng.choice(["Promoted", "Started"]) if not ordered else rng.choice(
                     ["start", "promote"]))
    for rid in members:
        _sub(rset, "resource_ref", id=rid)


def _constraints(c: Cluster, constraints):
    rng = c.rng
    pool = c.placeable
    if not pool:
        return
    for _ in range(rng.randint(0, 2 + len(pool) // 2)):
        rid = rng.choice(pool)
        lid = c.ids(f"loc-{rid}")
        if rng.random() < 0.55:
            _sub(constraints, "rsc_location", id=lid, rsc=rid, node=rng.choice(c.nodes),
                 score=str(rng.choice([-1000, -100, 10, 100, 1000, "INFINITY", "-INFINITY"])),
                 role=rng.choice(["Promoted", "Unpromoted"]) if rid in c.promotable
                 and rng.random() < 0.3 else None)
        else:
            loc = _sub(constraints, "rsc_location", id=lid, rsc=rid)
            loc.append(_rule(c, lid, score_attribute=rng.random() < 0.2))
    if len(pool) < 2:
        return
    for _ in range(rng.randint(0, len(pool) // 2 + 1)):
        a, b = rng.sample(pool, 2)
        cid = c.ids(f"col-{a}-{b}")
        if rng.random() < 0.85:
            _sub(constraints, "rsc_colocation", id=cid, rsc=a, with_rsc=None,
                 score=str(rng.choice(["INFINITY", "-INFINITY", 100, -100, 500])),
                 rsc__role=rng.choice(["Promoted", "Unpromoted", "Started"])
                 if a in c.promotable and rng.random() < 0.4 else None,
                 with__rsc__role="Promoted" if b in c.promotable and rng.random() < 0.6
                 else None).set("with-rsc", b)
        else:
            col = _sub(constraints, "rsc_colocation", id=cid,
                       score=str(rng.choice(["INFINITY", 100, "-INFINITY"])))
            for _ in range(rng.randint(1, 2)):
                _resource_set(c, col, cid, pool, ordered=False)
    for _ in range(rng.randint(0, len(pool) // 2 + 1)):
        a, b = rng.sample(pool, 2)
        oid = c.ids(f"ord-{a}-{b}")
        if rng.random() < 0.85:
            el = _sub(constraints, "rsc_order", id=oid, first=a, then=b,
                      kind=rng.choice([None, None, "Mandatory", "Optional", "Serialize"]),
                      symmetrical="false" if rng.random() < 0.15 else None,
                      first__action="promote" if a in c.promotable and rng.random() < 0.5
                      else None)
        else:
            el = _sub(constraints, "rsc_order", id=oid,
                      kind=rng.choice([None, "Optional"]))
            for _ in range(rng.randint(1, 3)):
                _resource_set(c, el, oid, pool, ordered=True)
    if rng.random() < 0.2:
        rid = rng.choice(pool)
        _sub(constraints, "rsc_ticket", id=c.ids(f"tkt-{rid}"), rsc=rid,
             ticket=rng.choice(TICKETS),
             loss__policy=rng.choice([None, "stop", "demote", "fence", "freeze"]))


# ----------------------------------------------------------------- events --

def _history(cib: ET.Element) -> list[tuple[str, str, str]]:
    """(node, resource, last operation key) of each resource with history on a node."""
    found = []
    for state in cib.iter("node_state"):
        node = state.get("uname")
        for rsc in state.iter("lrm_resource"):
            ops = rsc.findall("lrm_rsc_op")
            if ops:
                found.append((node, rsc.get("id"), ops[-1].get("operation_key") or ""))
    return found


def _member_states(cib: ET.Element) -> tuple[list[str], list[str]]:
    remote = {el.get("id") for el in cib.iter("primitive") if el.get("type") == "remote"}
    up, down = [], []
    for node in cib.iter("node"):
        name = node.get("uname")
        state = next((s for s in cib.iter("node_state") if s.get("uname") == name), None)
        if state is not None and state.get("crmd") == "online" \
                and state.get("in_ccm") == "true":
            up.append(name)
        else:
            down.append(name)
    return up, down + sorted(remote)[:0]


def events(rng: random.Random, cib: ET.Element) -> list[str]:
    """crm_simulate arguments for the next step (0-3 events)."""
    args: list[str] = []
    up, down = _member_states(cib)
    history = _history(cib)
    running = [(n, r) for n, r, key in history if "_stop_" not in key]
    resources = [el.get("id") for el in cib.iter("primitive")]
    n_events = rng.choices([0, 1, 2, 3], weights=[25, 45, 20, 10])[0]
    for _ in range(n_events):
        kind = rng.choices(
            ["fail", "down", "up", "inject", "opfail", "date", "quorum", "ticket",
             "inject_missing"],
            weights=[10, 8, 10, 25, 18, 10, 6, 6, 1])[0]
        if kind == "fail" and up:
            args += ["-f", rng.choice(up)]
        elif kind == "down" and up:
            args += ["-d", rng.choice(up)]
        elif kind == "up" and down:
            args += ["-u", rng.choice(down)]
        elif kind == "inject" and running:
            node, rsc = rng.choice(running)
            op = rng.choice(["monitor_10000", "monitor_10000", "monitor_11000",
                             "monitor_12000", "start_0", "stop_0", "monitor_0",
                             "monitor_60000"])
            rc = rng.choice([1, 1, 7, 7, 0, 2, 5, 8, 9, 6])
            args += ["-i", f"{rsc}_{op}@{node}={rc}"]
        elif kind == "opfail" and resources:
            rsc = rng.choice(resources)
            node = rng.choice(up or ["node1"])
            op = rng.choice(["start_0", "start_0", "stop_0", "promote_0", "demote_0",
                             "monitor_10000", "migrate_to_0"])
            args += ["-F", f"{rsc}_{op}@{node}={rng.choice([1, 1, 7, 2])}"]
        elif kind == "date":
            base = int(cib.get("execution-date") or EPOCH0)
            when = datetime.fromtimestamp(base + rng.choice([30, 600, 3600, 86400 * 3]),
                                          timezone.utc)
            args += ["-t", when.strftime("%Y-%m-%d %H:%M:%S")]
        elif kind == "quorum":
            args += ["-q", rng.choice(["0", "1"])]
        elif kind == "ticket":
            flag = rng.choice(["-g", "-r", "-b", "-e"])
            args += [flag, rng.choice(TICKETS)]
        elif kind == "inject_missing":
            args += ["-i", f"no-such-rsc_monitor_10000@{rng.choice(up or ['node1'])}=1"]
    # "-t" may be given once
    seen_t = False
    cleaned: list[str] = []
    i = 0
    while i < len(args):
        if args[i] == "-t":
            if not seen_t:
                cleaned += args[i:i + 2]
            seen_t = True
        else:
            cleaned += args[i:i + 2]
        i += 2
    return cleaned


def advance_clock(rng: random.Random, cib: ET.Element) -> None:
    """Between steps time passes: the next step's execution-date."""
    base = int(cib.get("execution-date") or EPOCH0)
    cib.set("execution-date", str(base + rng.choice([0, 5, 20, 61, 300, 900, 3600, 7300])))
