"""The HTML report: one self-contained page about a transition, or a scenario.

``pengine simulate ... --report FILE.html`` writes ``simulate_report``: the
cluster before and after (a nodes × resources grid with roles, fail counts
and node states), the Transition Summary, the graph (transitions.picture,
inlined as SVG) whose actions show on hover what they are, where they run,
why they exist and what they wait for, and the actions the simulation
carried out.

``pengine scenario FILE.toml --report FILE.html`` writes ``scenario_report``:
the timeline, then one section per step (time, cause, Transition Summary,
fail counts, placement) with the step's graph when it did anything.

The page needs no network: its CSS, script and pictures are inline.  The
script only adds behaviour (hover details, zoom, links to an action as
``#action=FIGURE:NODE``); without it the page still reads, and the SVG keeps
Graphviz's own tooltips.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

from attrs import field, frozen

from pengine.status.cluster import AF
from pengine.transitions.graph import ActionRecord, Transition

# A picture with more boxes than this is not laid out: Graphviz would take
# minutes (or fail), and nobody reads such a picture in a browser.
MAX_PICTURE_NODES = 1500


# ------------------------------------------------------------ cluster grid --

@frozen
class NodeView:
    name: str
    kind: str                    # cluster | remote | guest
    states: tuple[str, ...]      # "online", "OFFLINE", "UNCLEAN", "standby", ...

    @property
    def up(self) -> bool:
        return "online" in self.states


@frozen
class Cell:
    """What one resource is doing on one node."""

    roles: tuple[str, ...] = ()  # Started, Promoted, Unpromoted (one per active instance)
    failed: bool = False
    unmanaged: bool = False
    failcount: int = 0

    def text(self) -> str:
        parts = list(self.roles)
        if self.failed:
            parts.append("FAILED")
        if self.unmanaged:
            parts.append("unmanaged")
        if self.failcount:
            parts.append(f"fail count {_failcount_text(self.failcount)}")
        return ", ".join(parts)


@frozen
class Row:
    """One resource (a clone's anonymous instances share a row)."""

    id: str
    agent: str                   # class:provider:type
    within: str                  # e.g. "group web", "clone ping-clone"
    disabled: bool = False
    orphaned: bool = False
    cells: tuple[tuple[str, Cell], ...] = field(default=(), converter=tuple)  # by node name

    def cell(self, node: str) -> Cell:
        for name, cell in self.cells:
            if name == node:
                return cell
        return Cell()

    @property
    def active(self) -> bool:
        return any(cell.roles for _, cell in self.cells)


@frozen
class ClusterView:
    nodes: tuple[NodeView, ...] = field(default=(), converter=tuple)
    rows: tuple[Row, ...] = field(default=(), converter=tuple)


def _node_view(node) -> NodeView:
    kind = "guest" if node.is_guest else "remote" if node.is_remote else "cluster"
    states = []
    if node.unclean:
        states.append("UNCLEAN")
    if node.pending:
        states.append("pending")
    states.append("online" if node.online else "OFFLINE")
    if node.standby:
        states.append("standby")
    if node.maintenance:
        states.append("maintenance")
    if node.shutdown:
        states.append("shutting down")
    return NodeView(node.name, kind, tuple(states))


def _within(rsc) -> str:
    """The collections around a primitive, innermost last: "clone c / group g"."""
    parts = []
    parent = rsc.parent
    while parent is not None:
        kind = {"group": "group", "bundle": "bundle"}.get(parent.variant)
        if parent.variant == "clone":
            kind = "promotable clone" if parent.promotable else "clone"
        if kind is not None:
            parts.append(f"{kind} {parent.id}")
        parent = parent.parent
    return " / ".join(reversed(parts))


def _row_key(rsc) -> str:
    """Anonymous clone instances (``ping:0``, ``ping:1``) share the row ``ping``."""
    parent = rsc.parent
    while parent is not None:
        if parent.variant == "clone" and not parent.unique:
            return rsc.id.split(":", 1)[0]
        parent = parent.parent
    return rsc.id


def cluster_view(sch) -> ClusterView:
    """The nodes and where each resource is active, from an unpacked
    scheduler.  Fail counts are read through pe_get_failcount, which may
    adjust the scheduler: give it a scheduler of its own."""
    from pengine.status.failcounts import get_failcount
    nodes = tuple(_node_view(node) for node in sch.nodes)
    rows: dict[str, dict] = {}
    for top in sch.resources:
        for rsc in top.primitives():
            if rsc.meta.get("internal") == "true":
                continue
            key = _row_key(rsc)
            row = rows.setdefault(key, {
                "agent": ":".join(p for p in (rsc.cls, rsc.provider, rsc.type) if p),
                "within": _within(rsc), "cells": {}, "orphaned": True,
                "disabled": (rsc.meta.get("target-role") or "").lower() == "stopped"})
            row["orphaned"] = row["orphaned"] and rsc.removed
            for node in sch.nodes:
                roles: list[str] = []
                if node in rsc.running_on:
                    roles.append(rsc.role.text if rsc.role.text != "Unknown" else "Started")
                count = get_failcount(sch, node, rsc)
                if isinstance(count, tuple):
                    count = count[0]
                if not roles and not count:
                    continue
                cell = row["cells"].setdefault(node.name, {"roles": [], "failed": False,
                                                           "unmanaged": False, "failcount": 0})
                cell["roles"] += roles
                if roles:
                    cell["failed"] = cell["failed"] or rsc.failed
                    cell["unmanaged"] = cell["unmanaged"] or not rsc.managed
                # instances of an anonymous clone share one fail count
                cell["failcount"] = max(cell["failcount"], count)
    result = []
    for key, row in rows.items():
        if row["orphaned"] and not row["cells"]:
            continue                      # an inactive orphan is history, not cluster
        cells = tuple((name, Cell(tuple(sorted(c["roles"], key=_role_order)), c["failed"],
                                  c["unmanaged"], c["failcount"]))
                      for name, c in row["cells"].items())
        result.append(Row(key, row["agent"], row["within"], row["disabled"], row["orphaned"],
                          cells))
    return ClusterView(nodes, tuple(result))


def _role_order(role: str) -> int:
    return {"Promoted": 0, "Unpromoted": 2}.get(role, 1)


def cluster_view_of(cib, when: datetime) -> ClusterView:
    """The view of a CIB at a time (unpacked here, for the view alone)."""
    from pengine.status.unpack import unpack
    return cluster_view(unpack(cib, when))


def _failcount_text(count: int) -> str:
    from pengine.common.scores import INFINITY
    return "INFINITY" if count >= INFINITY else str(count)


# ------------------------------------------------------------- summary lines --

_RSC_LINE = re.compile(r"^\*\s+(?P<change>[A-Z][\w-]*)\s+(?P<rsc>\S+)\s+"
                       r"\(\s*(?P<details>[^)]*?)\s*\)\s*(?P<reason>.*)$")
_FENCE_LINE = re.compile(r"^\*\s+Fence \((?P<op>[^)]*)\) (?P<node>\S+)(?P<rest>.*)$")
_SHUTDOWN_LINE = re.compile(r"^\*\s+Shutdown (?P<node>\S+)(?P<rest>.*)$")


@frozen
class Change:
    """One Transition Summary line, taken apart for display."""

    text: str                    # the line as crm_simulate prints it, without "* "
    change: str                  # Start, Stop, Move, ..., Fence, Shutdown
    subject: str                 # the resource or node
    details: str = ""            # "node1 -> node2"
    reason: str = ""             # "due to node availability", "'peer is no longer ...'"


def parse_summary(lines) -> list[Change]:
    changes = []
    for raw in lines:
        line = raw.strip()
        text = " ".join(line[2:].split()) if line.startswith("* ") else " ".join(line.split())
        if not text:
            continue
        match = _FENCE_LINE.match(line)
        if match:
            changes.append(Change(text, "Fence", match["node"], match["op"],
                                  match["rest"].strip()))
            continue
        match = _SHUTDOWN_LINE.match(line)
        if match:
            changes.append(Change(text, "Shutdown", match["node"], "", match["rest"].strip()))
            continue
        match = _RSC_LINE.match(line)
        if match:
            changes.append(Change(text, match["change"], match["rsc"],
                                  " ".join(match["details"].split()), match["reason"].strip()))
        else:
            changes.append(Change(text, text.split()[0], ""))
    return changes


# ------------------------------------------------------- action explanations --

def _interval_text(action: ActionRecord) -> str:
    from pengine.transitions.picture import _interval, _seconds
    return _seconds(_interval(action))


def describe(action: ActionRecord) -> str:
    """One line: what the action does, and where."""
    from pengine.transitions.picture import label
    text = " ".join(label(action).split("\n"))
    if action.node is not None and action.task != "stonith" and \
            not (action.task == "do_shutdown" and action.rsc_id is None):
        text += f" on {action.node}"
    return text


_COLLECTION_POINTS = {
    "start": "may start now", "running": "have started",
    "stop": "may stop now", "stopped": "have stopped",
    "promote": "may be promoted now", "promoted": "have been promoted",
    "demote": "may be demoted now", "demoted": "have been demoted",
}


def why(action: ActionRecord, changes: dict[str, Change], fenced: set[str],
        in_graph: bool) -> str:
    """Why the scheduler created this action: Pacemaker's own reason where it
    records one, the Transition Summary line of its resource, or what the
    kind of action is for."""
    text = _purpose(action, changes, fenced)
    if not in_graph and not action.has(AF.OPTIONAL):
        return f"Required but cannot run ({action.reason or 'blocked'}). {text}"
    if not in_graph:
        return f"Optional: the transition does not need it. {text}"
    return text


def _change_for(action: ActionRecord, changes: dict[str, Change]) -> Change | None:
    if action.rsc_id is None:
        return None
    return changes.get(action.rsc_id) or changes.get(action.rsc_id.split(":", 1)[0]) or \
        (changes.get(action.history_id) if action.history_id else None)


def _purpose(action: ActionRecord, changes: dict[str, Change], fenced: set[str]) -> str:
    from pengine.transitions.picture import is_probe
    task, rsc, node = action.task, action.rsc_id, action.node
    reason = action.reason
    change = _change_for(action, changes)
    part_of = f" Part of: {change.text}." if change is not None else ""
    if task == "stonith":
        op = action.get("stonith_action") or "reboot"
        summary = changes.get(f"node:{node}")
        because = reason or (summary.reason.strip("'") if summary else "")
        if op == "on":
            return f"{node} is unfenced (fencing device access restored) before resources " \
                   f"that need unfencing start there" + (f": {because}." if because else ".")
        return f"{node} must be fenced ({op})" + (f": {because}." if because else ".")
    if task == "do_shutdown":
        return f"{node} is shutting down: once its resources have stopped, the cluster " \
               f"lets it leave."
    if task == "clear_failcount":
        return f"{rsc}'s fail count on {node} is cleared: " + (
            f"{reason}." if reason else "its failures expired, or what failed changed (the "
                                        "resource's definition, a reconnect interval).")
    if task == "lrm_delete":
        return f"{rsc}'s operation history on {node} is forgotten."
    if task in ("notify", "notified") or (task.startswith("confirmed-") and rsc):
        kind = action.get("notify_key_type")
        op = action.get("notify_key_operation")
        about = f" about the {kind}-{op} phase" if kind and op else ""
        if action.has(AF.PSEUDO):
            return f"Notification point{about} of {rsc} (notify=true): instances are told " \
                   f"what their peers are about to do, or did."
        return f"{rsc} is notified{about} (notify=true): clone instances learn what " \
               f"their peers do.{part_of}"
    if action.has(AF.PSEUDO):
        if rsc is not None and node is not None:
            if node in fenced:
                return f"Implied: {rsc} counts as {_past(task)} once {node} is fenced, " \
                       f"so nothing runs.{part_of}"
            return f"Implied: {rsc}'s {task} on {node} needs nothing to run (a pseudo-" \
                   f"action others can wait for).{part_of}"
        if rsc is not None:
            point = _COLLECTION_POINTS.get(task)
            if point:
                return f"Ordering point (runs nowhere): the members or instances of {rsc} " \
                       f"{point}."
            return f"Ordering point (runs nowhere) for {rsc}'s {task}."
        if task == "stonith" or action.uuid.startswith("stonith"):
            return "Ordering point (runs nowhere): fencing is complete."
        if action.uuid.startswith("load_stopped_"):
            return f"Ordering point (runs nowhere): resources leaving " \
                   f"{action.uuid[len('load_stopped_'):]} have stopped, freeing capacity."
        return f"Ordering point {action.uuid} (runs nowhere): other actions wait for it."
    if is_probe(action):
        return f"{rsc}'s state on {node} is not known: the probe finds out whether it is " \
               f"already active there before the cluster acts on it.{part_of}"
    if task == "monitor":
        return f"Recurring monitor of {rsc} on {node} every {_interval_text(action)}, " \
               f"(re)scheduled since {rsc} starts or changes role there, or the monitor is " \
               f"new.{part_of}"
    if task == "cancel":
        return f"{rsc}'s recurring {action.cancel_task} on {node} stops, since {rsc} stops, " \
               f"moves or changes role there.{part_of}"
    if change is not None:
        text = change.text
        own = f" (due to {reason})" if reason and reason not in text else ""
        return f"Part of: {text}.{own}"
    if reason:
        return f"{task.replace('_', ' ').capitalize()} of {rsc} on {node}, due to {reason}."
    return f"{task.replace('_', ' ').capitalize()} of {rsc} on {node}, required by the " \
           f"orderings of other changes."


def _past(task: str) -> str:
    return {"stop": "stopped", "demote": "demoted", "start": "started",
            "promote": "promoted"}.get(task, f"done ({task})")


def action_details(transition: Transition, summary_lines, all_actions: bool = False
                   ) -> dict[str, dict]:
    """Hover details per drawn action, keyed by its name in the picture (``a<id>``)."""
    from pengine.transitions.dot import action_name, drawn_actions, drawn_orderings
    changes: dict[str, Change] = {}
    for change in parse_summary(summary_lines):
        key = f"node:{change.subject}" if change.change in ("Fence", "Shutdown") else \
            change.subject
        changes.setdefault(key, change)
    drawn = [action for action, _ in drawn_actions(transition, all_actions)]
    by_id = {action.id: action for action in transition.all_actions}
    fenced = {a.node for a in drawn if a.task == "stonith" and a.node is not None
              and (a.get("stonith_action") or "reboot") != "on"}
    in_graph = {s.action.id for s in transition.synapses}
    waits: dict[int, list[int]] = {s.action.id: list(s.inputs) for s in transition.synapses}
    then: dict[int, list[int]] = {}
    for synapse in transition.synapses:
        for before in synapse.inputs:
            then.setdefault(before, []).append(synapse.action.id)
    drawn_ids = {a.id for a in drawn}
    for order, _style in drawn_orderings(transition, all_actions):
        if order.after not in in_graph and order.after in drawn_ids:
            waits.setdefault(order.after, []).append(order.before)
        if order.after not in in_graph and order.before in drawn_ids:
            then.setdefault(order.before, []).append(order.after)

    def names(ids: list[int]) -> list[dict]:
        seen, out = set(), []
        for action_id in ids:
            other = by_id.get(action_id)
            if other is None or action_id in seen:
                continue
            seen.add(action_id)
            out.append({"id": f"a{action_id}", "text": describe(other)})
        return out

    details = {}
    for action in drawn:
        graphed = action.id in in_graph
        state = "in the transition" if graphed else \
            ("optional (not in the transition)" if action.has(AF.OPTIONAL)
             else "blocked: required but cannot run")
        details[f"a{action.id}"] = {
            "action": describe(action),
            "key": action_name(action),
            "node": action.node or "none (a pseudo-action runs nowhere)",
            "state": state,
            "why": why(action, changes, fenced, graphed),
            "waits": names(waits.get(action.id, [])),
            "then": names(then.get(action.id, [])),
        }
    return details


# ------------------------------------------------------------------ graph --

def graph_figure(transition: Transition, *, fig_id: str, title: str, summary_lines,
                 node_order: list[str] | None = None, legend: bool = True) -> str:
    """The picture of a transition as an inline SVG figure with hover details,
    or a note saying why there is none."""
    from pengine.transitions.dot import drawn_actions
    from pengine.transitions.picture import RenderError, picture_dot, render
    drawn = drawn_actions(transition)
    if not drawn:
        return '<p class="pg-note">The transition is empty: nothing to draw.</p>'
    dot_text = picture_dot(transition, title=title, node_order=node_order, legend=legend)
    boxes = len(re.findall(r"^\s+[ap]\d+ \[", dot_text, flags=re.M))
    if boxes > MAX_PICTURE_NODES:
        return (f'<p class="pg-note">The transition has {len(drawn)} actions ({boxes} boxes '
                f'to draw), too many to lay out here; <code>pengine graph</code> draws it '
                f'to a file.</p>')
    try:
        svg = render(dot_text, "svg").decode("utf-8")
    except (RenderError, OSError) as error:     # OSError: dot died (a broken pipe)
        return f'<p class="pg-note">No picture: {_e(str(error))}.</p>'
    svg = _inline_svg(svg, fig_id)
    details = action_details(transition, summary_lines)
    return (f'<figure class="pg-graph" id="{fig_id}">\n'
            f'<div class="pg-controls"><button type="button" data-zoom="fit">fit</button>'
            f'<button type="button" data-zoom="1">100%</button>'
            f'<button type="button" data-zoom="in">+</button>'
            f'<button type="button" data-zoom="out">&#8722;</button>'
            f'<span>Hover over an action for what it is, why it exists and what it waits '
            f'for; click to keep the details.</span></div>\n'
            f'<div class="pg-view">\n{svg}\n</div>\n'
            f'<script type="application/json" class="pg-details">{_json(details)}</script>\n'
            f'</figure>')


def _inline_svg(svg: str, prefix: str) -> str:
    """Graphviz's SVG document as an element of the page: no XML prolog, and
    ids made unique per figure (a page may hold several graphs)."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    svg = re.sub(r'(<[^>]*?\s)id="([^"]*)"', lambda m: f'{m[1]}id="{prefix}-{m[2]}"', svg)
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)


def _json(value) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/").replace(
        "<!--", "<\\!--")


# ------------------------------------------------------------------ pieces --

def _e(text) -> str:
    return html.escape(str(text), quote=True)


_CHANGE_CLASS = {"Start": "start", "Stop": "stop", "Move": "move", "Migrate": "move",
                 "Recover": "recover", "Restart": "recover", "Promote": "promote",
                 "Demote": "demote", "Re-promote": "promote", "Reload": "reload",
                 "Fence": "fence", "Shutdown": "stop"}


def summary_html(lines) -> str:
    changes = parse_summary(lines)
    if not changes:
        return '<p class="pg-nothing">Nothing to do: the cluster is where it should be.</p>'
    items = []
    for change in changes:
        css = _CHANGE_CLASS.get(change.change, "other")
        blocked = " pg-blocked" if "(blocked)" in change.reason or change.reason == "blocked" \
            else ""
        rest = f" <span class=\"pg-details\">( {_e(change.details)} )</span>" \
            if change.details and change.change != "Fence" else ""
        if change.change == "Fence":
            rest = f" <span class=\"pg-details\">({_e(change.details)})</span>"
        reason = f" <span class=\"pg-reason\">{_e(change.reason)}</span>" if change.reason \
            else ""
        subject = f"<b>{_e(change.subject)}</b>" if change.subject else ""
        items.append(f'<li class="pg-change{blocked}" title="{_e(change.text)}">'
                     f'<span class="pg-badge pg-{css}">{_e(change.change)}</span> '
                     f'{subject}{rest}{reason}</li>')
    return '<ul class="pg-summary">\n' + "\n".join(items) + "\n</ul>"


def _counts(lines) -> str:
    counts: dict[str, int] = {}
    for change in parse_summary(lines):
        counts[change.change] = counts.get(change.change, 0) + 1
    if not counts:
        return "no changes"
    return ", ".join(f"{n} {word.lower()}" for word, n in counts.items())


_ROLE_CLASS = {"Started": "started", "Promoted": "promoted", "Unpromoted": "unpromoted"}


def _cell_html(cell: Cell, before: Cell | None) -> str:
    parts = []
    for role in cell.roles:
        parts.append(f'<span class="pg-role pg-{_ROLE_CLASS.get(role, "started")}">'
                     f'{_e(role)}</span>')
    if cell.failed:
        parts.append('<span class="pg-role pg-failed">FAILED</span>')
    if cell.unmanaged:
        parts.append('<span class="pg-flag">unmanaged</span>')
    if cell.failcount:
        parts.append(f'<span class="pg-fails" title="fail count">&#10007; '
                     f'{_e(_failcount_text(cell.failcount))}</span>')
    changed = before is not None and before.text() != cell.text()
    attrs = ' class="pg-changed"' if changed else ""
    if changed:
        attrs += f' title="before: {_e(before.text() or "nothing")}"'
    return f"<td{attrs}>{' '.join(parts)}</td>"


def grid_html(view: ClusterView, caption: str, before: ClusterView | None = None) -> str:
    """Nodes as columns, resources as rows; with ``before``, the cells that
    changed are marked."""
    earlier = {row.id: row for row in before.rows} if before is not None else {}
    head = ['<th class="pg-rsc-head">resource</th>']
    for node in view.nodes:
        states = " ".join(f'<span class="pg-state pg-{_state_class(s)}">{_e(s)}</span>'
                          for s in node.states)
        kind = f' <span class="pg-kind">{_e(node.kind)}</span>' if node.kind != "cluster" \
            else ""
        was = None
        if before is not None:
            was = next((n for n in before.nodes if n.name == node.name), None)
        changed = before is not None and (was is None or was.states != node.states)
        cls = ' class="pg-node pg-changed"' if changed else ' class="pg-node"'
        head.append(f'<th{cls} data-node="{_e(node.name)}"><div class="pg-node-name">'
                    f'{_e(node.name)}{kind}</div>{states}</th>')
    body = []
    for row in view.rows:
        prior = earlier.get(row.id) if before is not None else None
        flags = []
        if row.disabled:
            flags.append('<span class="pg-flag">disabled</span>')
        if row.orphaned:
            flags.append('<span class="pg-flag">orphaned</span>')
        if not row.active:
            flags.append('<span class="pg-flag pg-stopped">stopped</span>')
        within = f'<div class="pg-within">{_e(row.within)}</div>' if row.within else ""
        cells = "".join(_cell_html(row.cell(node.name),
                                   prior.cell(node.name) if prior is not None
                                   else (Cell() if before is not None else None))
                        for node in view.nodes)
        body.append(f'<tr data-resource="{_e(row.id)}"><th class="pg-rsc">'
                    f'<span class="pg-rsc-id">{_e(row.id)}</span> '
                    f'<span class="pg-agent">{_e(row.agent)}</span> {" ".join(flags)}'
                    f'{within}</th>{cells}</tr>')
    if not view.rows:
        body.append(f'<tr><td colspan="{len(view.nodes) + 1}" class="pg-note">'
                    f'no resources</td></tr>')
    return (f'<div class="pg-grid-box"><table class="pg-grid">'
            f'<caption>{_e(caption)}</caption>\n<thead><tr>{"".join(head)}</tr></thead>\n'
            f'<tbody>\n' + "\n".join(body) + '\n</tbody></table></div>')


def _state_class(state: str) -> str:
    return {"online": "online", "OFFLINE": "offline", "UNCLEAN": "unclean"}.get(
        state, "other")


def executed_html(executed) -> str:
    """``executed``: (GraphAction or None, ok, crm_simulate's line) in order."""
    if not executed:
        return '<p class="pg-nothing">Nothing was carried out.</p>'
    items = []
    for action, ok, line in executed:
        text = line.strip()
        text = text[2:] if text.startswith("* ") else text
        attrs = f' data-action="a{action.id}"' if action is not None else ""
        css = "pg-exec" + ("" if ok else " pg-exec-failed") + \
            (" pg-exec-pseudo" if text.startswith("Pseudo action") else "")
        mark = "" if ok else ' <span class="pg-role pg-failed">failed</span>'
        items.append(f'<li class="{css}"{attrs}><code>{_e(text)}</code>{mark}</li>')
    return '<ol class="pg-executed">\n' + "\n".join(items) + "\n</ol>"


# ------------------------------------------------------------------- pages --

def simulate_report(*, title: str, sources: list[str], transition: Transition,
                    summary: list[str], before: ClusterView, after: ClusterView | None,
                    executed: list | None, complete: bool | None = None,
                    modifications: list[str] = (), notices: list[str] = (),
                    date: str | None = None, node_order: list[str] | None = None) -> str:
    """The page for one transition (``pengine simulate --report``)."""
    heading = title.splitlines()[0]
    facts = [f"<dt>input</dt><dd>{_e(', '.join(sources))}</dd>"]
    if date:        # crm_simulate's announcement: "Using the original execution date of: ..."
        facts.append(f"<dt>cluster time</dt><dd>{_e(date.split(': ', 1)[-1])}</dd>")
    if modifications:
        facts.append("<dt>events</dt><dd>" + "<br>".join(_e(m) for m in modifications)
                     + "</dd>")
    facts.append(f"<dt>changes</dt><dd>{_e(_counts(summary))}</dd>")
    real = [s for s in transition.synapses if s.action.kind != "pseudo_event"]
    facts.append(f"<dt>actions</dt><dd>{len(real)} to run, "
                 f"{len(transition.synapses) - len(real)} pseudo-actions</dd>")
    if complete is False:
        facts.append('<dt>result</dt><dd class="pg-bad">the transition could not complete'
                     '</dd>')
    notes = "".join(f'<p class="pg-note">{_e(n)}</p>' for n in notices)
    sections = [
        f'<section id="summary"><h2>Transition summary</h2>\n{summary_html(summary)}'
        f'</section>',
        '<section id="cluster"><h2>The cluster</h2><div class="pg-grids">'
        + grid_html(before, "before the transition" + (" (after the events)"
                                                       if modifications else ""))
        + (grid_html(after, "after the transition", before) if after is not None else "")
        + '</div><p class="pg-legend-line"><span class="pg-role pg-started">Started</span> '
          '<span class="pg-role pg-promoted">Promoted</span> '
          '<span class="pg-role pg-unpromoted">Unpromoted</span> '
          '<span class="pg-role pg-failed">FAILED</span> '
          '<span class="pg-fails">&#10007; fail count</span> '
          '<span class="pg-changed-key">changed by the transition</span></p></section>',
        '<section id="graph"><h2>The transition graph</h2>\n'
        + graph_figure(transition, fig_id="g0", title=title, summary_lines=summary,
                       node_order=node_order) + '</section>',
    ]
    if executed is not None:
        sections.append('<section id="executed"><h2>Executed actions</h2>\n'
                        + executed_html(executed) + '</section>')
    nav = [("summary", "Summary"), ("cluster", "Cluster"), ("graph", "Graph")]
    if executed is not None:
        nav.append(("executed", "Executed actions"))
    body = (f'<header><h1>{_e(heading)}</h1><dl class="pg-facts">{"".join(facts)}</dl>'
            f'{notes}</header>\n' + _nav(nav) + "\n".join(sections))
    return page(heading, body)


def scenario_report(scenario, steps) -> str:
    """The page for a scenario: its timeline, then one section per step."""
    import os
    from pengine.transitions.scenario import _clock
    name = os.path.basename(scenario.path)
    rows = []
    sections = []
    nodes_order: list[str] | None = None
    previous: ClusterView | None = cluster_view_of(scenario.cib, scenario.start)
    legend = True                         # the first graph carries the legend
    for index, step in enumerate(steps):
        anchor = f"step{index}"
        clock = _clock(step.at)
        stamp = step.when.strftime("%Y-%m-%d %H:%M:%SZ")
        fails = ", ".join(f"{rsc}@{node}={_failcount_text(count)}"
                          for rsc, node, count in step.failcounts) or "none"
        placement = ", ".join(f"{rsc} {where}" for rsc, where in step.placement)
        rows.append(f'<tr><td><a href="#{anchor}">{_e(clock)}</a></td>'
                    f'<td>{_e(step.cause)}</td><td>{_e(_counts(step.summary))}</td>'
                    f'<td>{_e(fails)}</td><td>{_e(placement)}</td></tr>')
        view = cluster_view_of(step.cib, step.when) if step.cib is not None else None
        if view is not None and nodes_order is None:
            nodes_order = [n.name for n in view.nodes]
        parts = [f'<section class="pg-step" id="{anchor}">'
                 f'<h2><span class="pg-clock">{_e(clock)}</span> '
                 f'<span class="pg-when">{_e(stamp)}</span> {_e(step.cause)}</h2>',
                 '<h3>Transition summary</h3>', summary_html(step.summary),
                 f'<p class="pg-line"><b>Fail counts:</b> {_e(fails)}</p>',
                 f'<p class="pg-line"><b>Placement:</b> {_e(placement)}</p>']
        if view is not None:
            parts.append(grid_html(view, f"the cluster after {clock}", previous))
            previous = view
        transition = step.transition
        if transition is not None and transition.synapses:
            parts.append("<h3>Transition graph</h3>")
            parts.append(graph_figure(transition, fig_id=f"g{index}",
                                      title=f"{clock} {step.cause}",
                                      summary_lines=step.summary,
                                      node_order=[n.name for n in view.nodes]
                                      if view is not None else nodes_order,
                                      legend=legend))
            legend = False
        if step.executed:
            items = [(None, True, line) for line in step.executed]
            parts.append('<details><summary>Executed actions '
                         f'({len(step.executed)})</summary>{executed_html(items)}</details>')
        parts.append("</section>")
        sections.append("\n".join(parts))
    facts = [f"<dt>scenario</dt><dd>{_e(scenario.path)}</dd>",
             f"<dt>start</dt><dd>{_e(scenario.start.strftime('%Y-%m-%d %H:%M:%SZ'))}</dd>",
             f"<dt>events</dt><dd>{len(scenario.events)}</dd>",
             f"<dt>scheduler runs</dt><dd>{len(steps)}</dd>"]
    timeline = ('<section id="timeline"><h2>Timeline</h2><table class="pg-timeline">'
                '<thead><tr><th>time</th><th>cause</th><th>changes</th><th>fail counts</th>'
                '<th>placement after</th></tr></thead><tbody>\n' + "\n".join(rows)
                + '\n</tbody></table></section>')
    body = (f'<header><h1>Scenario {_e(name)}</h1><dl class="pg-facts">{"".join(facts)}'
            f'</dl></header>\n' + timeline + "\n" + "\n".join(sections))
    return page(f"Scenario {name}", body)


def _nav(entries) -> str:
    return '<nav>' + " ".join(f'<a href="#{a}">{_e(t)}</a>' for a, t in entries) + '</nav>\n'


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="generator" content="pengine">\n'
            f'<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n'
            f'<body>\n{body}\n<div id="pg-tip" hidden></div>\n'
            f'<script>{_SCRIPT}</script>\n</body>\n</html>\n')


_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0 1.5em 2em; color: #263238;
       background: #fff; }
header h1 { font-size: 1.5em; margin: 0.8em 0 0.3em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #cfd8dc; padding-bottom: 0.2em;
     margin-top: 1.4em; }
h3 { font-size: 1em; margin: 0.8em 0 0.3em; }
nav { position: sticky; top: 0; background: #eceff1; padding: 0.4em 0.6em; z-index: 5;
      border-radius: 0 0 4px 4px; }
nav a { margin-right: 1em; color: #1565c0; text-decoration: none; }
dl.pg-facts { display: grid; grid-template-columns: max-content auto; gap: 0.15em 1em;
              margin: 0.4em 0; }
dl.pg-facts dt { color: #607d8b; }
dl.pg-facts dd { margin: 0; }
.pg-bad { color: #c62828; font-weight: bold; }
.pg-note, .pg-nothing { color: #546e7a; font-style: italic; }
ul.pg-summary { list-style: none; padding: 0; margin: 0.3em 0; }
.pg-change { padding: 0.15em 0; font-family: monospace; font-size: 1.02em; }
.pg-change.pg-blocked { opacity: 0.75; }
.pg-badge { display: inline-block; min-width: 6.5em; padding: 0 0.4em; border-radius: 3px;
            font-family: Helvetica, Arial, sans-serif; font-size: 0.85em; text-align: center;
            color: #fff; background: #78909c; }
.pg-start { background: #2e7d32; } .pg-stop { background: #e65100; }
.pg-move { background: #1565c0; } .pg-recover { background: #ad1457; }
.pg-promote { background: #283593; } .pg-demote { background: #6a1b9a; }
.pg-reload { background: #8d6e00; } .pg-fence { background: #b71c1c; }
.pg-reason { color: #78909c; }
.pg-grids { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
.pg-grid-box { overflow-x: auto; max-width: 100%; }
table.pg-grid, table.pg-timeline { border-collapse: collapse; font-size: 0.9em; }
table.pg-grid caption { text-align: left; font-weight: bold; padding: 0.2em 0; }
.pg-grid th, .pg-grid td, .pg-timeline th, .pg-timeline td { border: 1px solid #cfd8dc;
            padding: 0.25em 0.5em; vertical-align: top; }
.pg-grid td { text-align: center; min-width: 5.5em; }
.pg-grid th.pg-rsc { text-align: left; font-weight: normal; white-space: nowrap; }
.pg-rsc-id { font-weight: bold; }
.pg-agent, .pg-within, .pg-kind { color: #78909c; font-size: 0.85em; }
.pg-node-name { font-weight: bold; margin-bottom: 0.2em; }
.pg-state { display: inline-block; font-size: 0.75em; font-weight: normal; padding: 0 0.3em;
            border-radius: 3px; background: #eceff1; }
.pg-state.pg-online { background: #c8e6c9; } .pg-state.pg-offline { background: #cfd8dc; }
.pg-state.pg-unclean { background: #ffcdd2; color: #b71c1c; font-weight: bold; }
.pg-role { display: inline-block; padding: 0 0.35em; border-radius: 3px; font-size: 0.9em; }
.pg-started { background: #c8e6c9; } .pg-promoted { background: #90caf9; font-weight: bold; }
.pg-unpromoted { background: #e3f2fd; } .pg-failed { background: #c62828; color: #fff; }
.pg-flag { font-size: 0.75em; color: #6d4c41; background: #efebe9; padding: 0 0.3em;
           border-radius: 3px; }
.pg-flag.pg-stopped { color: #607d8b; background: #eceff1; }
.pg-fails { color: #e65100; font-size: 0.85em; font-weight: bold; white-space: nowrap; }
td.pg-changed, th.pg-changed, .pg-changed-key { background: #fff8c5; }
.pg-changed-key { padding: 0 0.3em; font-size: 0.85em; border: 1px solid #e0d68a; }
.pg-legend-line { font-size: 0.85em; }
figure.pg-graph { margin: 0.5em 0; }
.pg-controls { margin: 0.3em 0; font-size: 0.9em; color: #546e7a; }
.pg-controls button { margin-right: 0.3em; }
.pg-view { overflow: auto; border: 1px solid #cfd8dc; max-height: 85vh; background: #fff; }
.pg-view svg { display: block; }
.pg-view g.pg-action { cursor: pointer; }
.pg-view g.pg-action:hover > * , .pg-view g.pg-current > * { filter: drop-shadow(0 0 3px #1e88e5); }
.pg-view g.pg-input > * { filter: drop-shadow(0 0 3px #fb8c00); }
.pg-view g.pg-output > * { filter: drop-shadow(0 0 3px #43a047); }
ol.pg-executed { font-size: 0.9em; }
.pg-exec-failed code { color: #c62828; }
.pg-exec-pseudo code { color: #90a4ae; }
li.pg-exec[data-action] { cursor: pointer; }
.pg-timeline td:first-child { white-space: nowrap; font-family: monospace; }
.pg-step h2 .pg-clock { font-family: monospace; background: #eceff1; padding: 0 0.3em; }
.pg-step h2 .pg-when { color: #78909c; font-weight: normal; font-size: 0.85em; }
.pg-line { margin: 0.3em 0; }
#pg-tip { position: absolute; z-index: 10; max-width: 30em; background: #fffde7;
          border: 1px solid #bfa900; border-radius: 4px; padding: 0.5em 0.7em;
          font-size: 0.85em; box-shadow: 0 2px 6px rgba(0,0,0,0.25); }
#pg-tip h4 { margin: 0 0 0.3em; font-size: 1.05em; }
#pg-tip dl { display: grid; grid-template-columns: max-content auto; gap: 0.1em 0.6em;
             margin: 0; }
#pg-tip dt { color: #78909c; } #pg-tip dd { margin: 0; }
#pg-tip ul { margin: 0; padding-left: 1.1em; }
#pg-tip code { font-size: 0.9em; }
"""

_SCRIPT = r"""
(function () {
  'use strict';
  var XLINK = 'http://www.w3.org/1999/xlink';
  var tip = document.getElementById('pg-tip');
  var pinned = null;
  var figures = {};

  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c];
    });
  }
  function list(items) {
    if (!items || !items.length) { return '<i>nothing</i>'; }
    var shown = items.slice(0, 25).map(function (i) { return '<li>' + esc(i.text) + '</li>'; });
    if (items.length > 25) { shown.push('<li>&hellip; and ' + (items.length - 25) + ' more</li>'); }
    return '<ul>' + shown.join('') + '</ul>';
  }
  function content(d) {
    if (!d.key) { return '<h4>' + esc(d.action) + '</h4>'; }
    return '<h4>' + esc(d.action) + '</h4><dl>' +
      '<dt>action</dt><dd><code>' + esc(d.key) + '</code></dd>' +
      '<dt>node</dt><dd>' + esc(d.node) + '</dd>' +
      '<dt>state</dt><dd>' + esc(d.state) + '</dd>' +
      '<dt>why</dt><dd class="pg-why">' + esc(d.why) + '</dd>' +
      '<dt>waits for</dt><dd class="pg-waits">' + list(d.waits) + '</dd>' +
      '<dt>then</dt><dd>' + list(d.then) + '</dd></dl>';
  }
  function mark(fig, d, on) {
    var f = figures[fig.id];
    if (!f || !d.key) { return; }
    (d.waits || []).forEach(function (i) { if (f.nodes[i.id]) { f.nodes[i.id].classList.toggle('pg-input', on); } });
    (d.then || []).forEach(function (i) { if (f.nodes[i.id]) { f.nodes[i.id].classList.toggle('pg-output', on); } });
  }
  function place(x, y) {
    var width = tip.offsetWidth, height = tip.offsetHeight;
    var left = x + 16, top = y + 16;
    if (left + width > window.scrollX + document.documentElement.clientWidth) {
      left = Math.max(window.scrollX, x - width - 16);
    }
    if (top + height > window.scrollY + window.innerHeight) {
      top = Math.max(window.scrollY, y - height - 16);
    }
    tip.style.left = left + 'px'; tip.style.top = top + 'px';
  }
  var shown = null;
  function show(fig, g, d, x, y) {
    if (shown) { mark(shown.fig, shown.d, false); shown.g.classList.remove('pg-current'); }
    shown = {fig: fig, g: g, d: d};
    tip.innerHTML = content(d);
    tip.hidden = false;
    tip.setAttribute('data-action', fig.id + ':' + g.getAttribute('data-action'));
    g.classList.add('pg-current');
    mark(fig, d, true);
    place(x, y);
  }
  function hide() {
    if (pinned || !shown) { return; }
    mark(shown.fig, shown.d, false);
    shown.g.classList.remove('pg-current');
    shown = null;
    tip.hidden = true;
  }
  function showAt(fig, name) {
    var f = figures[fig.id];
    var g = f && f.nodes[name];
    if (!g) { return false; }
    g.scrollIntoView({block: 'center', inline: 'center'});
    var r = g.getBoundingClientRect();
    show(fig, g, f.details[name], r.right + window.scrollX, r.top + window.scrollY);
    return true;
  }
  function pin(fig, name) {
    pinned = fig.id + ':' + name;
    if (history.replaceState) { history.replaceState(null, '', '#action=' + pinned); }
  }

  document.querySelectorAll('figure.pg-graph').forEach(function (fig) {
    var details = {};
    var source = fig.querySelector('script.pg-details');
    if (source) { details = JSON.parse(source.textContent); }
    var f = figures[fig.id] = {details: details, nodes: {}};
    fig.querySelectorAll('g.node').forEach(function (g) {
      var title = g.querySelector('title');
      var name = title ? title.textContent : '';
      var link = g.querySelector('a');
      var native = link ? (link.getAttributeNS(XLINK, 'title') || link.getAttribute('xlink:title')) : null;
      if (title) { title.remove(); }
      if (link) { link.removeAttributeNS(XLINK, 'title'); link.removeAttribute('xlink:title'); }
      var d = details[name] || (native ? {action: native} : null);
      if (!d) { return; }
      details[name] = d;
      f.nodes[name] = g;
      g.setAttribute('data-action', name);
      g.classList.add('pg-action');
      g.addEventListener('mouseenter', function (ev) { if (!pinned) { show(fig, g, d, ev.pageX, ev.pageY); } });
      g.addEventListener('mousemove', function (ev) { if (!pinned) { place(ev.pageX, ev.pageY); } });
      g.addEventListener('mouseleave', hide);
      g.addEventListener('click', function (ev) {
        ev.stopPropagation();
        pinned = null;
        show(fig, g, d, ev.pageX, ev.pageY);
        pin(fig, name);
      });
    });
    var svg = fig.querySelector('svg');
    var view = fig.querySelector('.pg-view');
    var base = svg ? svg.getBoundingClientRect().width : 0;
    var scale = 1;
    function zoom(how) {
      if (!svg || !base) { return; }
      if (how === 'fit') { scale = Math.min(1, (view.clientWidth - 2) / base); }
      else if (how === '1') { scale = 1; }
      else if (how === 'in') { scale *= 1.25; }
      else if (how === 'out') { scale *= 0.8; }
      svg.style.width = (base * scale) + 'px';
      svg.style.height = 'auto';
    }
    fig.querySelectorAll('button[data-zoom]').forEach(function (b) {
      b.addEventListener('click', function () { zoom(b.getAttribute('data-zoom')); });
    });
    zoom('fit');
    if (svg) {
      var r = svg.getBoundingClientRect();
      fig.setAttribute('data-rendered', Math.round(r.width) + 'x' + Math.round(r.height));
      fig.setAttribute('data-actions', String(Object.keys(f.nodes).length));
    }
  });

  // Where the pictures and summaries were laid out (page coordinates), for
  // tools that look at a screenshot of the page.
  function box(element) {
    var r = element.getBoundingClientRect();
    return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height]
      .map(Math.round).join(',');
  }
  document.querySelectorAll('.pg-view svg, ul.pg-summary').forEach(function (element) {
    element.setAttribute('data-box', box(element));
  });

  document.querySelectorAll('li.pg-exec[data-action]').forEach(function (li) {
    var fig = document.querySelector('figure.pg-graph');
    if (!fig) { return; }
    li.addEventListener('click', function () {
      pinned = null;
      if (showAt(fig, li.getAttribute('data-action'))) { pin(fig, li.getAttribute('data-action')); }
    });
  });
  document.addEventListener('click', function (ev) {
    if (pinned && !tip.contains(ev.target)) { pinned = null; hide(); }
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') { pinned = null; hide(); }
  });

  var wanted = /^#action=([^:]+):(.+)$/.exec(location.hash);
  if (wanted) {
    var fig = document.getElementById(decodeURIComponent(wanted[1]));
    var name = decodeURIComponent(wanted[2]);
    if (fig && showAt(fig, name)) { pinned = fig.id + ':' + name; }
  }
  document.body.setAttribute('data-ready', '1');
})();
"""
