"""model → pcs commands: ``pengine show CONFIG --as pcs``.

The commands build the configuration on an empty CIB with pcs 0.11 (``pcs
-f cib.xml ...`` or on a live cluster).  Ids are kept wherever pcs takes one
(``id=`` of operations, constraints, rules, alerts; ``location add ID``;
clone ids); the ids of attribute sets and nvpairs pcs always generates.
Orders are kept too: pcs sorts what ``resource create`` gets by name, so a
set or an operation list that is not in that order is completed with
``resource update``/``resource meta``/``resource op add``, which append.

What pcs has no command for (rules in attribute sets, templates, id-refs,
ACLs...) is listed as ``# not expressible in pcs:`` comments, and
``untranslatable`` says what was left out.
"""

from __future__ import annotations

import re

from pengine.cib import model as m
from pengine.cib.pcs_rules import rule_words
from pengine.cib.pcs_text import agent_actions

# properties Pacemaker maintains itself; pcs refuses to set them
PACEMAKER_PROPERTIES = frozenset({"dc-version", "cluster-infrastructure", "cluster-name",
                                  "last-lrm-refresh", "have-watchdog"})
_PLAIN = re.compile(r"[A-Za-z0-9_./:%@+,=-]+")


def quote(word: str) -> str:
    """A shell word: bare when safe, else single-quoted."""
    if word and _PLAIN.fullmatch(word) and not word.startswith("-"):
        return word
    if word.startswith("-") and re.fullmatch(r"-[A-Za-z0-9]+", word or ""):
        return word  # a negative score
    return "'" + word.replace("'", "'\\''") + "'"


def pair(name: str, value: str | None) -> str:
    return quote(f"{name}={value if value is not None else ''}")


class _Untranslatable(Exception):
    pass


def write_pcs(config: m.Configuration) -> str:
    writer = _Writer(config)
    lines = writer.lines()
    return "".join(line + "\n" for line in lines)


def untranslatable(config: m.Configuration) -> list[str]:
    writer = _Writer(config)
    writer.lines()
    return writer.skipped


def spelled_out_defaults(config: m.Configuration) -> list[str]:
    """What pcs will write explicitly where ``config`` leaves Pacemaker's default."""
    writer = _Writer(config)
    writer.lines()
    return writer.spelled


class _Writer:
    def __init__(self, config: m.Configuration):
        self.config = config
        self.out: list[str] = []
        self.skipped: list[str] = []
        self.spelled: list[str] = []
        # ids in the CIB so far, as pcs will have made it (what pcs's id choice sees)
        self.used_ids: set[str] = set()
        # (rsc, rsc-pattern, node) of the node locations written so far
        self.node_locations: set[tuple] = set()
        # `clone ID OPTIONS` for the next resource create (see clone)
        self.inline_clone: list[str] | None = None

    def emit(self, *words: str):
        self.out.append("pcs " + " ".join(words))

    def skip(self, what: str):
        self.skipped.append(what)

    def spell(self, what: str):
        """pcs writes a default Pacemaker would take anyway (the configuration means the same)."""
        self.spelled.append(what)

    def lines(self) -> list[str]:
        c = self.config
        self.cluster()
        for kind, sets in (("property", c.crm_config),):
            self.properties(sets)
        self.defaults("", c.rsc_defaults, "rsc_defaults")
        self.defaults("", c.op_defaults, "op_defaults")
        for node in c.nodes:
            self.node(node)
        for rsc in c.resources:
            self.resource(rsc)
        for tag in c.tags:
            self.emit("tag create", quote(tag.id), *map(quote, tag.refs))
        for constraint in c.constraints:
            self.constraint(constraint)
        for level in c.fencing_topology:
            self.level(level)
        for alert in c.alerts:
            self.alert(alert)
        if c.acls:
            self.skip("ACLs (pcs acl commands are not written yet)")
        return self.out + [f"# pcs spells out a default: {what}" for what in self.spelled] \
            + [f"# not expressible in pcs: {what}" for what in self.skipped]

    # ---------------------------------------------------------- cluster
    def cluster(self):
        nodes = self.config.nodes
        if not nodes:
            return
        expected = [str(i) for i in range(1, len(nodes) + 1)]
        if [node.id for node in nodes] != expected:  # corosync numbers nodes; pcs cannot say
            self.out.append("# node ids (" + " ".join(node.id for node in nodes) + ") come from corosync")
        remote = [node for node in nodes if node.type not in (None, "member", "normal")]
        for node in remote:
            self.skip(f"node {node.uname} of type {node.type}")
        self.emit("cluster setup cluster", *[quote(node.uname) for node in nodes])

    def plain_set(self, attr_set: m.AttrSet, where: str) -> list[str] | None:
        if attr_set.rule is not None or attr_set.score is not None or attr_set.id_ref:
            self.skip(f"{where}: a set with a rule, a score or an id-ref ({attr_set.id})")
            return None
        words = []
        for nv in attr_set.nvpairs:
            if nv.id_ref or nv.value is None:
                self.skip(f"{where}: nvpair {nv.name} without a value or by id-ref")
                continue
            words.append(pair(nv.name, nv.value))
        return words

    def properties(self, sets):
        for index, attr_set in enumerate(sets):
            if attr_set.id != "cib-bootstrap-options" or index:
                self.skip(f"cluster property set '{attr_set.id}' (pcs writes cib-bootstrap-options)")
                continue
            kept = [nv for nv in attr_set.nvpairs if nv.name not in PACEMAKER_PROPERTIES]
            for nv in attr_set.nvpairs:
                if nv.name in PACEMAKER_PROPERTIES:
                    self.out.append(f"# set by Pacemaker itself: {nv.name}={nv.value}")
            words = self.plain_set(attr_set.__class__(nvpairs=kept, id=attr_set.id, rule=attr_set.rule,
                                                      score=attr_set.score, id_ref=attr_set.id_ref),
                                   "properties")
            if words:
                self.emit("property set", *words, "--force")

    def defaults(self, command: str, sets, what: str):
        """Each set by `defaults set create`, which keeps its id, score and order."""
        verb = "resource op defaults set create" if what == "op_defaults" else "resource defaults set create"
        for attr_set in sets:
            if attr_set.id_ref or any(nv.id_ref or nv.value is None for nv in attr_set.nvpairs):
                self.skip(f"{what}: a set or nvpair by id-ref ({attr_set.id})")
                continue
            words = [verb, pair("id", attr_set.id)] if attr_set.id else [verb]
            if attr_set.score is not None:
                words.append(pair("score", attr_set.score))
            if attr_set.nvpairs:
                words += ["meta", *[pair(nv.name, nv.value) for nv in attr_set.nvpairs]]
            if attr_set.rule is not None:
                rule = self.defaults_rule_words(attr_set.rule, what)
                if rule is None:
                    self.skip(f"{what}: a rule pcs's defaults rules do not say ({attr_set.id})")
                    continue
                words += ["rule", *rule]
            self.emit(*words)

    def defaults_rule_words(self, rule: m.Rule, what: str) -> list[str] | None:
        if rule.score not in (None, "INFINITY") or rule.score_attribute or rule.role or rule.id_ref:
            return None
        if rule.boolean_op is None or (rule.boolean_op != "and" and len(rule.expressions) == 1):
            # pcs's rules for defaults always write boolean-op (and for one expression)
            self.spell(f"{what}: boolean-op of a rule (pcs writes it always)")
        words: list[str] = []
        for index, item in enumerate(rule.expressions):
            if index:
                words.append(rule.boolean_op or "and")
            if isinstance(item, m.RscExpression):
                words += ["resource", quote(":".join(part or "" for part in (item.cls, item.provider, item.type)))]
            elif isinstance(item, m.OpExpression) and what == "op_defaults":
                words += ["op", quote(item.name)] + ([pair("interval", item.interval)] if item.interval else [])
            else:
                return None
        return words or None

    def node(self, node: m.Node):
        for kind, sets in (("attribute", node.attributes), ("utilization", node.utilization)):
            for index, attr_set in enumerate(sets):
                if index:
                    self.skip(f"node {node.uname}: a second {kind} set")
                    continue
                words = self.plain_set(attr_set, f"node {node.uname}")
                if words:
                    self.emit(f"node {kind}", quote(node.uname), *words)
                elif words == [] and not attr_set.nvpairs:
                    # an empty set (left by removing the last attribute): set and unset a name
                    self.emit(f"node {kind}", quote(node.uname), "pengine-empty=1")
                    self.emit(f"node {kind}", quote(node.uname), "pengine-empty=")
        if node.description or node.score:
            self.skip(f"node {node.uname}: description/score")

    # -------------------------------------------------------- resources
    def resource(self, rsc, group: str | None = None):
        if isinstance(rsc, m.Primitive):
            self.primitive(rsc, group)
        elif isinstance(rsc, m.Group):
            for child in rsc.children:
                self.primitive(child, rsc.id)
            self.container_meta(rsc, "group")
        elif isinstance(rsc, m.Clone):
            self.clone(rsc)
        elif isinstance(rsc, m.Bundle):
            self.bundle(rsc)
        else:
            self.skip(f"{type(rsc).__name__.lower()} {rsc.id}")

    def primitive(self, rsc: m.Primitive, group: str | None, bundle: str | None = None):
        if rsc.template or not rsc.type or not rsc.cls:
            self.skip(f"primitive {rsc.id} built from a template")
            return
        if rsc.description:
            self.skip(f"primitive {rsc.id}: description")
        if rsc.ops_id or rsc.ops_id_ref:
            self.skip(f"primitive {rsc.id}: <operations> id or id-ref")
        agent = ":".join(part for part in (rsc.cls, rsc.provider, rsc.type) if part) \
            if rsc.cls != "stonith" else rsc.type
        params = self.first_set(rsc.params, f"primitive {rsc.id} params")
        meta = self.first_set(rsc.meta, f"primitive {rsc.id} meta")
        params_now, params_later = _sorted_prefix(params)
        meta_now, meta_later = _sorted_prefix(meta)
        ops = [op for op in rsc.ops if self.op_ok(rsc, op)]
        from pengine.cib.pcs_text import _seconds
        seen, unique = set(), []
        for op in ops:  # pcs refuses two operations of one name and interval
            key = (op.name, _seconds(op.interval) if _seconds(op.interval) is not None else op.interval)
            if key in seen:
                self.skip(f"primitive {rsc.id}: a second {op.name} operation every {op.interval}")
                continue
            seen.add(key)
            unique.append(op)
        ops = unique
        names = [op.name for op in ops]
        cut = len(ops)
        for index in range(1, len(ops)):
            if names[index] < names[index - 1]:
                cut = index
                break
        words = ["stonith create" if rsc.cls == "stonith" else "resource create", quote(rsc.id),
                 quote(agent), *[pair(n, v) for n, v in params_now]]
        for op in ops[:cut]:
            words += ["op", *self.op_words(op)]
        if meta_now:
            words += ["meta", *[pair(n, v) for n, v in meta_now]]
        if bundle:
            words += ["bundle", quote(bundle)]
        elif group:
            words += ["--group", quote(group)]
        if self.inline_clone is not None:
            words += self.inline_clone
            self.inline_clone = None
        words += ["--no-default-ops", "--force"]
        self.emit(*words)
        self.used_ids.update([rsc.id, *[op.id for op in ops[:cut] if op.id]])
        if "monitor" not in names[:cut]:
            # pcs adds the agent's monitors (or one every 60s) when none is given: remove them
            from pengine.cib.pcs_text import default_operations, sanitize_id
            from pengine.cib.span import Span
            taken: set[str] = set()
            for monitor in default_operations(rsc.cls, rsc.provider, rsc.type, None, Span(),
                                              necessary_only=True):
                op_id = base = sanitize_id(f"{rsc.id}-monitor-interval-{monitor['interval']}")
                counter = 1
                while op_id in taken or op_id in self.used_ids:
                    op_id, counter = f"{base}-{counter}", counter + 1
                taken.add(op_id)
                self.emit("resource op remove", quote(op_id))
        if params_later:
            self.emit("resource update", quote(rsc.id), *[pair(n, v) for n, v in params_later], "--force")
        if meta_later:
            self.emit("resource meta", quote(rsc.id), *[pair(n, v) for n, v in meta_later], "--force")
        for op in ops[cut:]:
            self.emit("resource op add", quote(rsc.id), *self.op_words(op), "--force")
            self.used_ids.add(op.id)
        self.empty_meta(rsc)
        util = self.first_set(rsc.utilization, f"primitive {rsc.id} utilization")
        if util:
            self.emit("resource utilization", quote(rsc.id), *[pair(n, v) for n, v in util])

    def empty_meta(self, rsc):
        """An empty meta set (left by `pcs resource enable`): set and unset a name."""
        if rsc.meta and not rsc.meta[0].nvpairs and rsc.meta[0].rule is None:
            self.emit("resource meta", quote(rsc.id), "target-role=Stopped")
            self.emit("resource meta", quote(rsc.id), "target-role=")
        if isinstance(rsc, m.Primitive) and rsc.params and not rsc.params[0].nvpairs \
                and rsc.params[0].rule is None:
            self.emit("resource update", quote(rsc.id), "pengine-empty=1", "--force")
            self.emit("resource update", quote(rsc.id), "pengine-empty=", "--force")

    def first_set(self, sets, where: str) -> list[tuple[str, str]]:
        found = []
        for index, attr_set in enumerate(sets):
            if index:
                self.skip(f"{where}: a second set ({attr_set.id})")
                continue
            if attr_set.rule is not None or attr_set.score is not None or attr_set.id_ref:
                self.skip(f"{where}: a set with a rule, a score or an id-ref")
                continue
            for nv in attr_set.nvpairs:
                if nv.id_ref or nv.value is None or nv.value == "":
                    self.skip(f"{where}: nvpair {nv.name} without a value or by id-ref")
                    continue
                if any(name == nv.name for name, _ in found):
                    self.skip(f"{where}: {nv.name} named twice in one set (pcs refuses duplicates)")
                    continue
                found.append((nv.name, nv.value))
        return found

    def op_ok(self, rsc, op: m.Op) -> bool:
        extra = [s for s in op.params for nv in s.nvpairs if nv.name != "OCF_CHECK_LEVEL"]
        if op.meta or extra or op.id_ref or len(op.params) > 1:
            self.skip(f"primitive {rsc.id}: operation {op.id or op.name} with meta or params")
            return False
        return True

    def op_words(self, op: m.Op) -> list[str]:
        words = [quote(op.name), pair("interval", op.interval)]
        words += [pair(n, v) for n, v in op.attributes if n not in ("name", "interval", "id")]
        for attr_set in op.params:
            words += [pair(nv.name, nv.value) for nv in attr_set.nvpairs]
        if op.id:
            words.append(pair("id", op.id))
        return words

    def container_meta(self, rsc, what: str):
        if rsc.params:
            self.skip(f"{what} {rsc.id}: instance attributes")
        meta = self.first_set(rsc.meta, f"{what} {rsc.id} meta")
        if meta:
            self.emit("resource meta", quote(rsc.id), *[pair(n, v) for n, v in meta], "--force")
        self.empty_meta(rsc)
        if getattr(rsc, "description", None):
            self.skip(f"{what} {rsc.id}: description")

    def clone(self, clone: m.Clone):
        if clone.legacy_master:
            self.skip(f"legacy <master> {clone.id} (written as a promotable clone)")
        meta = self.first_set(clone.meta, f"clone {clone.id} meta")
        children = clone.child.children if isinstance(clone.child, m.Group) else [clone.child]
        if any(getattr(child, "cls", None) != "ocf" for child in children):
            # pcs refuses these on a clone of a non-OCF agent, even with --force
            refused = [(n, v) for n, v in meta if n in ("globally-unique", "promotable") and _pcs_true(v)]
            for name, value in refused:
                self.skip(f"clone {clone.id}: {name}={value} on a clone of a non-OCF agent "
                          "(pcs refuses it even with --force)")
            meta = [item for item in meta if item not in refused]
        promotable = any(n == "promotable" and v.lower() in ("true", "1", "yes", "on")
                         for n, v in meta)
        now, later = _sorted_prefix(meta)
        if promotable and not later and ("promotable", "true") in now:
            # `resource promotable` adds promotable=true among the sorted options
            verb, now = "resource promotable", [(n, v) for n, v in now if (n, v) != ("promotable", "true")]
        else:
            verb = "resource clone"
        child = clone.child
        actions = agent_actions(child.cls, child.provider, child.type) \
            if isinstance(child, m.Primitive) and child.cls == "ocf" and not child.template else ()
        if actions is None or (promotable and isinstance(child, m.Primitive)
                               and not any(a.get("name") == "promote" for a in actions)):
            # pcs checks a clone's agent unforced in `resource clone`/`resource meta`
            # (and refuses an agent it cannot find, or promotable=true on an agent
            # that cannot promote): the clone is made by the create
            self.inline_clone = [verb.split()[1], quote(clone.id), *[pair(n, v) for n, v in now]]
            self.resource(child)
            if later or (clone.meta and not clone.meta[0].nvpairs):
                self.skip(f"clone {clone.id}: meta after the create, on a clone of an agent not "
                          "installed or not promotable (pcs refuses resource meta there, even with --force)")
        else:
            self.resource(child)
            self.emit(verb, quote(clone.child.id), quote(clone.id), *[pair(n, v) for n, v in now], "--force")
            if later:
                self.emit("resource meta", quote(clone.id), *[pair(n, v) for n, v in later], "--force")
            self.empty_meta(clone)
        if clone.params:
            self.skip(f"clone {clone.id}: instance attributes")
        if clone.description:
            self.skip(f"clone {clone.id}: description")

    def bundle(self, bundle: m.Bundle):
        words = ["resource bundle create", quote(bundle.id), "container", quote(bundle.runtime),
                 *[pair(n, v) for n, v in bundle.runtime_attributes]]
        if bundle.network is not None:
            words += ["network", *[pair(n, v) for n, v in bundle.network.attributes]]
            for port in bundle.network.port_mappings:
                words += ["port-map", *[pair(n, v) for n, v in port.attributes]]
                if port.id:
                    words.append(pair("id", port.id))
        for storage in bundle.storage:
            words += ["storage-map", *[pair(n, v) for n, v in storage.attributes]]
            if storage.id:
                words.append(pair("id", storage.id))
        meta = self.first_set(bundle.meta, f"bundle {bundle.id} meta")
        if meta:
            words += ["meta", *[pair(n, v) for n, v in sorted(meta)]]
        self.emit(*words, "--force")
        if bundle.primitive is not None:
            self.primitive(bundle.primitive, None, bundle=bundle.id)

    # ------------------------------------------------------ constraints
    def constraint(self, constraint):
        tags = {tag.id for tag in self.config.tags}
        named = {getattr(constraint, name, None) for name in ("rsc", "with_rsc", "first", "then")}
        named.update(rsc for resource_set in getattr(constraint, "resource_sets", ())
                     for rsc in resource_set.resources)
        if named & tags:
            self.skip(f"{type(constraint).__name__.lower()} {constraint.id}: a tag in a constraint "
                      "(pcs 0.11 takes none)")
            return
        if isinstance(constraint, m.Location):
            self.location(constraint)
        elif isinstance(constraint, m.Colocation):
            self.colocation(constraint)
        elif isinstance(constraint, m.Order):
            self.order(constraint)
        elif isinstance(constraint, m.TicketConstraint):
            self.ticket(constraint)

    def rsc_word(self, rsc: str | None, pattern: str | None) -> str:
        return quote(f"regexp%{pattern}") if pattern else quote(rsc or "")

    def location(self, loc: m.Location):
        if loc.resource_sets:
            self.skip(f"location {loc.id}: resource sets")
            return
        rsc = self.rsc_word(loc.rsc, loc.rsc_pattern)
        if loc.node is not None and loc.rsc and not loc.resource_discovery:
            # what `pcs resource ban` / `move-with-constraint` write
            flag = {"Started": [], "Promoted": ["--promoted"]}.get(loc.role or "")
            if flag is not None and loc.id == f"cli-ban-{loc.rsc}-on-{loc.node}" and loc.score == "-INFINITY":
                self.emit("resource ban", quote(loc.rsc), quote(loc.node), *flag)
                self.node_locations.add((loc.rsc, loc.rsc_pattern, loc.node))
                return
            if flag is not None and loc.id == f"cli-prefer-{loc.rsc}" and loc.score == "INFINITY":
                self.emit("resource move-with-constraint", quote(loc.rsc), quote(loc.node), *flag)
                self.node_locations.add((loc.rsc, loc.rsc_pattern, loc.node))
                return
        if loc.node is not None:
            if (loc.rsc, loc.rsc_pattern, loc.node) in self.node_locations:
                self.skip(f"location {loc.id}: a second location of {loc.rsc or loc.rsc_pattern} on "
                          f"{loc.node} (pcs's location add replaces the first)")
                return
            self.node_locations.add((loc.rsc, loc.rsc_pattern, loc.node))
            words = ["constraint location add", quote(loc.id), rsc, quote(loc.node), quote(loc.score or "0")]
            if loc.resource_discovery:
                words.append(pair("resource-discovery", loc.resource_discovery))
            if loc.role:  # an option pcs writes as it is with --force
                words.append(pair("role", loc.role))
            self.emit(*words, "--force")
            return
        if loc.role:
            self.skip(f"location {loc.id}: a role on a rule constraint")
        if not loc.rules:
            self.skip(f"location {loc.id}: neither a node nor a rule")
            return
        bodies = []
        for rule in loc.rules:
            words = self.rule_words(rule, loc.id)
            if words is None:
                return
            bodies.append((rule, words))
        for index, (rule, words) in enumerate(bodies):
            # the first rule creates the constraint; `constraint rule add` appends the others
            if index == 0:
                options = [pair("constraint-id", loc.id)]
                if loc.resource_discovery:
                    options.append(pair("resource-discovery", loc.resource_discovery))
                head = ["constraint location", rsc, "rule"]
            else:
                options, head = [], ["constraint rule add", quote(loc.id)]
            if rule.id:
                options.append(pair("id", rule.id))
            if rule.role:
                options.append(pair("role", rule.role))
            if rule.score_attribute:
                options.append(pair("score-attribute", rule.score_attribute))
            elif rule.score is not None:
                options.append(pair("score", rule.score))
            self.emit(*head, *options, *[quote(word) for word in words], "--force")

    def rule_words(self, rule: m.Rule, where: str) -> list[str] | None:
        """The expression words of a location rule, or None (and why, skipped)."""
        spelled: list[str] = []
        words = rule_words(rule, spelled)
        for what in spelled:
            self.spell(f"{where}: {what}")
        if isinstance(words, str):
            self.skip(f"{where}: {words}")
            return None
        if rule.score_attribute and rule.score is not None:
            self.skip(f"{where}: a rule with both score and score-attribute")
            return None
        if rule.score is None and not rule.score_attribute:
            self.skip(f"{where}: a rule without a score (pcs writes INFINITY)")
            return None
        if rule.role and rule.role not in ("Promoted", "Unpromoted"):
            self.skip(f"{where}: a rule role pcs does not take or renames ({rule.role})")
            return None
        return words

    def colocation(self, col: m.Colocation):
        if col.resource_sets:
            return self.set_constraint("colocation", col, col.resource_sets,
                                       [("score", col.score)])
        # a role word before a resource makes pcs write Started for the other
        # one; a single role goes as an option, which pcs writes as it is
        single_role = (col.rsc_role is None) != (col.with_rsc_role is None)
        words = ["constraint colocation add"]
        if col.rsc_role and not single_role:
            words.append(col.rsc_role)
        words += [quote(col.rsc or ""), "with"]
        if col.with_rsc_role and not single_role:
            words.append(col.with_rsc_role)
        words += [quote(col.with_rsc or ""), quote(col.score or "INFINITY")]
        if single_role:
            words.append(pair("rsc-role", col.rsc_role) if col.rsc_role
                         else pair("with-rsc-role", col.with_rsc_role))
        for name in ("node_attribute", "influence", "rsc_instance", "with_rsc_instance"):
            if getattr(col, name) is not None:
                words.append(pair(name.replace("_", "-"), getattr(col, name)))
        self.emit(*words, pair("id", col.id), "--force")

    def order(self, order: m.Order):
        if order.resource_sets:
            return self.set_constraint("order", order, order.resource_sets,
                                       [("kind", order.kind), ("symmetrical", order.symmetrical),
                                        ("score", order.score), ("require-all", order.require_all)])
        # then-action defaults to first-action, first-action to start; pcs writes both
        first_action = order.first_action or "start"
        words = ["constraint order", first_action, quote(order.first or ""), "then",
                 order.then_action or first_action, quote(order.then or "")]
        for name, value in (("kind", order.kind), ("symmetrical", order.symmetrical),
                            ("score", order.score), ("require-all", order.require_all),
                            ("first-instance", order.first_instance),
                            ("then-instance", order.then_instance)):
            if value is not None:
                words.append(pair(name, value))
        if order.first_action is None or order.then_action is None:
            self.spell(f"order {order.id}: first-action/then-action (pcs always writes both)")
        self.emit(*words, pair("id", order.id), "--force")

    def ticket(self, ticket: m.TicketConstraint):
        if ticket.resource_sets:
            return self.set_constraint("ticket", ticket, ticket.resource_sets,
                                       [("ticket", ticket.ticket), ("loss-policy", ticket.loss_policy)])
        words = ["constraint ticket add", quote(ticket.ticket)]
        if ticket.rsc_role:
            words.append(ticket.rsc_role)
        words.append(quote(ticket.rsc or ""))
        if ticket.loss_policy:
            words.append(pair("loss-policy", ticket.loss_policy))
        self.emit(*words, pair("id", ticket.id), "--force")

    def set_constraint(self, kind: str, constraint, sets, options):
        words = [f"constraint {kind} set"]
        for index, resource_set in enumerate(sets):
            if resource_set.id_ref or not resource_set.resources:
                self.skip(f"{kind} {constraint.id}: a set by id-ref or empty")
                return
            if resource_set.ordering or resource_set.kind or resource_set.score:
                self.skip(f"{kind} {constraint.id}: set attributes pcs does not take")
            if index:
                words.append("set")
            words += [quote(rsc) for rsc in resource_set.resources]
            for name, value in (("sequential", resource_set.sequential),
                                ("require-all", resource_set.require_all),
                                ("action", resource_set.action), ("role", resource_set.role)):
                if value is not None:
                    words.append(pair(name, value))
        words += ["setoptions", *[pair(n, v) for n, v in options if v is not None], pair("id", constraint.id)]
        self.emit(*words, "--force")

    # ------------------------------------------------------------ other
    def level(self, level: m.FencingLevel):
        if level.target_pattern:
            target = f"regexp%{level.target_pattern}"
        elif level.target_attribute:
            target = f"attrib%{level.target_attribute}={level.target_value or ''}"
        else:
            target = level.target or ""
        self.emit("stonith level add", quote(level.index), quote(target),
                  *[quote(device) for device in level.devices.split(",")], "--force")

    def alert(self, alert: m.Alert):
        words = ["alert create", pair("path", alert.path), pair("id", alert.id)]
        if alert.description:
            words.append(pair("description", alert.description))
        words += self.alert_sets(alert, f"alert {alert.id}")
        if alert.select or alert.select_attributes:
            self.skip(f"alert {alert.id}: select")
        self.emit(*words)
        for recipient in alert.recipients:
            words = ["alert recipient add", quote(alert.id), pair("value", recipient.value),
                     pair("id", recipient.id)]
            if recipient.description:
                words.append(pair("description", recipient.description))
            self.emit(*words, *self.alert_sets(recipient, f"recipient {recipient.id}"))

    def alert_sets(self, owner, where: str) -> list[str]:
        words = []
        params = self.first_set(owner.params, where)
        meta = self.first_set(owner.meta, where)
        if params:
            words += ["options", *[pair(n, v) for n, v in params]]
        if meta:
            words += ["meta", *[pair(n, v) for n, v in meta]]
        return words


def _pcs_true(value: str) -> bool:
    return value.lower() in ("true", "on", "yes", "y", "1")


def _sorted_prefix(pairs: list[tuple[str, str]]):
    """The longest prefix pcs's create keeps in place (it sorts by name), and the rest."""
    cut = len(pairs)
    for index in range(1, len(pairs)):
        if pairs[index][0] < pairs[index - 1][0]:
            cut = index
            break
    return pairs[:cut], pairs[cut:]
