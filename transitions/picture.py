"""Readable pictures of a transition (``pengine graph``).

crm_simulate's DOT (transitions.dot) names every action by its Pacemaker key
and leaves the layout to Graphviz; that is exact but hard to read once a
transition has more than a few dozen actions.  This rendering draws the same
actions and orderings for people:

- time runs left to right; actions are grouped by the node they run on (one
  band per node, in node order); pseudo-actions and other node-less actions
  stand between them;
- the label says what happens (``start`` / ``web-server``, ``monitor 10s``,
  ``probe``, ``fence (reboot)``) and the tooltip gives the exact key;
- shapes and colours tell kinds apart: resource actions are rounded boxes
  coloured by task, probes are notes, fencing is a red octagon, shutdowns
  a house, pseudo-actions small grey ellipses;
- actions outside the transition are dashed: red when required but blocked,
  grey when optional (shown with ``all_actions``);
- an ordering the transition waits on is a solid arrow, any other drawn
  ordering a dashed grey one;
- a legend explains all this.

``picture_dot`` returns the DOT text; ``render`` turns it into SVG or PNG
with Graphviz (the ``graphviz`` package and the ``dot`` program), or into a
self-contained HTML page.
"""

from __future__ import annotations

import html

from pengine.status.cluster import AF
from pengine.transitions.dot import action_name, drawn_actions, drawn_orderings
from pengine.transitions.graph import ActionRecord, Transition

FORMATS = ("dot", "svg", "png", "html")

FONT = "Helvetica"

# Fill colours by task (resource actions).
_TASK_FILL = {
    "start": "#d8f0dc", "stop": "#fbe0cc", "promote": "#d6e6fa", "demote": "#e8dcf5",
    "migrate_to": "#d3f0ef", "migrate_from": "#d3f0ef", "monitor": "#eef1f4",
    "notify": "#f4f4f4", "cancel": "#f4f4f4", "reload": "#fff1c9", "reload-agent": "#fff1c9",
}
_BLOCKED = "#c62828"
PROBE_FOLD = 4          # a node with this many probes shows them as one box
_OPTIONAL = "#8a939c"


# ------------------------------------------------------------------ labels --

def _seconds(ms: int) -> str:
    """10000 -> 10s, 90000 -> 90s, 3600000 -> 1h, 1500 -> 1500ms."""
    if ms % 1000:
        return f"{ms}ms"
    seconds = ms // 1000
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0 and seconds >= 600:
        return f"{seconds // 60}min"
    return f"{seconds}s"


def _interval(action: ActionRecord) -> int:
    try:
        return int(action.get("interval") or 0)
    except ValueError:
        return 0


def is_probe(action: ActionRecord) -> bool:
    return action.task == "monitor" and _interval(action) == 0 and action.rsc_id is not None


def what(action: ActionRecord) -> str:
    """The first label line: what the action does."""
    task = action.task
    if task == "stonith":
        return f"fence ({action.get('stonith_action') or 'reboot'})"
    if task == "do_shutdown":
        return "shutdown"
    if task == "cancel":
        interval = _interval(action)
        inner = f"{action.cancel_task} {_seconds(interval)}" if interval else action.cancel_task
        return f"cancel {inner}"
    if is_probe(action):
        return "probe"
    if task == "monitor":
        return f"monitor {_seconds(_interval(action))}"
    if task in ("notify", "notified"):
        kind = action.get("notify_key_type")
        op = action.get("notify_key_operation")
        if kind and op:
            return f"{'notified' if task == 'notified' else 'notify'} {kind}-{op}"
    if task == "clear_failcount":
        return "clear failcount"
    if task == "lrm_delete":
        return "forget history"
    if action.has(AF.PSEUDO) and action.rsc_id is None:
        return action.uuid
    return task.replace("_", " ")


def label(action: ActionRecord) -> str:
    first = what(action)
    subject = action.rsc_id
    if action.task == "stonith" or (subject is None and action.node is not None
                                    and action.task == "do_shutdown"):
        subject = action.node
    return first if subject is None or subject == first else f"{first}\n{subject}"


# ------------------------------------------------------------------ styles --

def _node_attrs(action: ActionRecord, graphed: set[int]) -> dict[str, str]:
    in_graph = action.id in graphed
    optional = action.has(AF.OPTIONAL)
    attrs: dict[str, str] = {"label": label(action)}
    state = "in the transition" if in_graph else ("optional" if optional else "blocked")
    attrs["tooltip"] = f"{action_name(action)} ({state})"
    style: list[str] = []
    if action.task == "stonith":
        attrs.update(shape="octagon", fillcolor="#f8d0d0", color="#b71c1c", penwidth="2")
        style.append("filled")
    elif action.task == "do_shutdown":
        attrs.update(shape="house", fillcolor="#fde8c8", color="#8d5a00")
        style.append("filled")
    elif action.has(AF.PSEUDO):
        attrs.update(shape="ellipse", fillcolor="#f2f2f2", color="#9e9e9e",
                     fontcolor="#616161", fontsize="9", height="0.3")
        style.append("filled")
    elif is_probe(action):
        attrs.update(shape="note", fillcolor="#fff8d6", color="#a68b00")
        style.append("filled")
    else:
        attrs.update(shape="box", fillcolor=_TASK_FILL.get(action.task, "#ffffff"),
                     color="#546e7a")
        style += ["rounded", "filled"]
    if not in_graph:
        style.append("dashed")
        if optional:
            attrs.update(color=_OPTIONAL, fontcolor=_OPTIONAL, fillcolor="#ffffff")
        else:
            attrs.update(color=_BLOCKED, fontcolor=_BLOCKED, fillcolor="#ffffff",
                         label=attrs["label"] + "\n(blocked)")
    attrs["style"] = ",".join(style)
    return attrs


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attr_list(attrs: dict[str, str]) -> str:
    return ", ".join(f"{key}={_quote(value)}" for key, value in attrs.items())


# ------------------------------------------------------------------ legend --

def _legend() -> str:
    """One plain node holding an HTML table: the key to shapes and lines."""
    def row(sample: str, text: str) -> str:
        return f'<TR><TD ALIGN="LEFT">{sample}</TD><TD ALIGN="LEFT">{text}</TD></TR>'

    def box(text: str, fill: str, border: str = "#546e7a", font: str = "#000000") -> str:
        return (f'<TABLE BORDER="1" CELLBORDER="0" CELLPADDING="2" BGCOLOR="{fill}" '
                f'COLOR="{border}"><TR><TD><FONT COLOR="{font}">{text}</FONT></TD></TR>'
                f'</TABLE>')

    rows = [
        row(box("start", _TASK_FILL["start"]), "resource action (colour by task)"),
        row(box("probe", "#fff8d6", "#a68b00"), "probe: is the resource already active?"),
        row(box("monitor 10s", _TASK_FILL["monitor"]), "recurring monitor"),
        row(box("fence (reboot)", "#f8d0d0", "#b71c1c"), "fencing"),
        row(box("running", "#f2f2f2", "#9e9e9e", "#616161"),
            "pseudo-action (ordering point, runs nowhere)"),
        row(box("start (blocked)", "#ffffff", _BLOCKED, _BLOCKED),
            "required but cannot run (dashed)"),
        row(box("stop", "#ffffff", _OPTIONAL, _OPTIONAL), "optional, not in the transition (dashed)"),
        row("&#8594;", "waits for (solid: in the transition)"),
        row('<FONT COLOR="#8a939c">- - &#8594;</FONT>', "ordering outside the transition"),
    ]
    table = ('<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="4" COLOR="#b0bec5">'
             '<TR><TD COLSPAN="2"><B>Legend</B></TD></TR>' + "".join(rows) + "</TABLE>>")
    return f"  legend [shape=plaintext, margin=0, label={table}];\n  {{ rank=sink; legend; }}"


# ------------------------------------------------------------------- graph --

def picture_dot(transition: Transition, *, title: str | None = None,
                all_actions: bool = False, legend: bool = True,
                node_order: list[str] | None = None, collapse_probes: int = PROBE_FOLD) -> str:
    """The transition as a readable DOT graph (see the module docstring).

    ``node_order`` lists the cluster nodes in the order to draw them (by
    default, the order in which they first appear).  A node with at least
    ``collapse_probes`` probes in the transition shows them as one box (0:
    never).  Time runs left to right, nodes are stacked top to bottom.
    """
    drawn = drawn_actions(transition, all_actions)
    orderings = drawn_orderings(transition, all_actions)
    in_graph = {action.id for action, _ in drawn if action.has(AF.ADDED_TO_GRAPH)}

    by_node: dict[str | None, list[ActionRecord]] = {}
    for action, _style in sorted(drawn, key=lambda item: item[0].id):
        by_node.setdefault(action.node, []).append(action)
    nodes = [n for n in (node_order or []) if n in by_node]
    nodes += [n for n in by_node if n is not None and n not in nodes]

    # Folded probes: every probe of a busy node becomes one box, "p<node index>".
    alias: dict[int, str] = {action.id: f"a{action.id}" for action, _ in drawn}
    folded: dict[str, list[ActionRecord]] = {}
    for index, node in enumerate(nodes):
        probes = [a for a in by_node[node] if is_probe(a) and a.id in in_graph]
        if collapse_probes and len(probes) >= collapse_probes:
            folded[node] = probes
            for probe in probes:
                alias[probe.id] = f"p{index}"

    counts = _counts([a for a, _ in drawn], in_graph)
    heading = (title or "Transition") + f"\n{counts}"
    out = [
        "digraph transition {",
        f"  graph [rankdir=LR, newrank=true, fontname={_quote(FONT)}, fontsize=14, "
        f"labelloc=t, labeljust=l, label={_quote(heading)}, nodesep=0.18, ranksep=0.45, "
        f"pad=0.3, outputorder=edgesfirst];",
        f"  node [fontname={_quote(FONT)}, fontsize=10, margin=\"0.12,0.05\", height=0.35];",
        "  edge [color=\"#455a64\", arrowsize=0.6, penwidth=1.1];",
    ]
    for index, node in enumerate(nodes):
        out.append(f"  subgraph cluster_{index} {{")
        out.append(f"    label={_quote(node)}; fontsize=13; style=\"rounded,filled\"; "
                   f"fillcolor=\"#f7f9fb\"; color=\"#b0bec5\"; margin=12;")
        if node in folded:
            out.append(f"    p{index} [{_attr_list(_folded_probe_attrs(folded[node]))}];")
        for action in by_node[node]:
            if alias[action.id] == f"a{action.id}":
                out.append(f"    a{action.id} [{_attr_list(_node_attrs(action, in_graph))}];")
        out.append("  }")
    for action in by_node.get(None, []):
        out.append(f"  a{action.id} [{_attr_list(_node_attrs(action, in_graph))}];")
    edges: dict[tuple[str, str], str] = {}
    for order, style in orderings:
        before, after = alias.get(order.before), alias.get(order.after)
        if before is None or after is None or before == after:
            continue
        if edges.get((before, after)) != "bold":
            edges[(before, after)] = style
    out += _edge_lines(edges)
    if legend:
        out.append(_legend())
    out.append("}")
    return "\n".join(out) + "\n"


def _edge_lines(edges: dict[tuple[str, str], str]) -> list[str]:
    """Edges as DOT lines; an action waiting for the folded probes of several
    nodes waits for one "probes done" point instead, so that a start does not
    draw one long edge per node."""
    folded_sources: dict[str, set[str]] = {}
    for (before, after), style in edges.items():
        if before.startswith("p") and style == "bold":
            folded_sources.setdefault(after, set()).add(before)
    joined = {after for after, sources in folded_sources.items() if len(sources) > 1}
    lines = []
    if joined:
        lines.append('  probes_done [label="probes done", shape=ellipse, style=filled, '
                     'fillcolor="#fff8d6", color="#a68b00", fontsize=9, height=0.3];')
        for source in sorted(set().union(*(folded_sources[a] for a in joined))):
            lines.append(f"  {source} -> probes_done;")
    for (before, after), style in edges.items():
        if after in joined and before in folded_sources[after]:
            continue
        attrs = "" if style == "bold" else ' [style=dashed, color="#9aa5ae"]'
        lines.append(f"  {before} -> {after}{attrs};")
    for after in sorted(joined, key=lambda name: int(name[1:])):
        lines.append(f"  probes_done -> {after};")
    return lines


def _folded_probe_attrs(probes: list[ActionRecord]) -> dict[str, str]:
    names = [probe.rsc_id or probe.uuid for probe in probes]
    shown = names[:24] + (["..."] if len(names) > 24 else [])
    rows = [", ".join(shown[i:i + 4]) for i in range(0, len(shown), 4)]
    return {"label": f"probes ({len(names)})\n" + "\n".join(rows), "shape": "note",
            "style": "filled", "fillcolor": "#fff8d6", "color": "#a68b00",
            "tooltip": "probes: " + " ".join(action_name(p) for p in probes)}


def _counts(actions: list[ActionRecord], in_graph: set[int]) -> str:
    graphed = [a for a in actions if a.id in in_graph]
    real = [a for a in graphed if not a.has(AF.PSEUDO)]
    fencing = sum(1 for a in real if a.task == "stonith")
    probes = sum(1 for a in real if is_probe(a))
    blocked = sum(1 for a in actions if a.id not in in_graph and not a.has(AF.OPTIONAL))
    parts = [_count(len(real), "action"), _count(len(graphed) - len(real), "pseudo-action")]
    if probes:
        parts.append(_count(probes, "probe"))
    if fencing:
        parts.append(_count(fencing, "fencing action"))
    if blocked:
        parts.append(f"{blocked} blocked")
    return ", ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# ------------------------------------------------------------------ output --

class RenderError(Exception):
    """Graphviz is missing or failed."""


def render(dot_text: str, fmt: str, *, title: str = "Transition",
           summary: list[str] | None = None) -> bytes:
    """DOT text as ``dot``, ``svg``, ``png`` or ``html`` (SVG inside a page)."""
    if fmt == "dot":
        return dot_text.encode()
    if fmt in ("svg", "png"):
        return _graphviz(dot_text, fmt)
    if fmt == "html":
        svg = _graphviz(dot_text, "svg").decode()
        return html_page(svg, title=title, summary=summary or []).encode()
    raise ValueError(f"unknown format {fmt!r}")


def _graphviz(dot_text: str, fmt: str) -> bytes:
    try:
        import graphviz
    except ImportError as error:            # pragma: no cover - a declared dependency
        raise RenderError("the graphviz Python package is not installed") from error
    try:
        return graphviz.Source(dot_text).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise RenderError("Graphviz's 'dot' program is not installed "
                          "(Debian: apt-get install graphviz)") from None
    except graphviz.CalledProcessError as error:
        detail = (error.stderr or b"").decode(errors="replace").strip()
        raise RenderError(f"Graphviz failed: {detail or error}") from None


def html_page(svg: str, *, title: str, summary: list[str]) -> str:
    """A self-contained page: the summary, zoom buttons and the SVG."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    title = " \u2014 ".join(title.splitlines())
    items = "".join(f"<li>{html.escape(line.strip().lstrip('* '))}</li>" for line in summary)
    summary_html = (f"<h2>Transition summary</h2><ul>{items}</ul>" if items
                    else "<p>Nothing to do.</p>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>
 body {{ font-family: {FONT}, Arial, sans-serif; margin: 1.5em; color: #263238; }}
 h1 {{ font-size: 1.4em; margin-bottom: 0.2em; }}
 h2 {{ font-size: 1.1em; }}
 ul {{ font-family: monospace; font-size: 0.95em; }}
 #controls {{ margin: 0.5em 0; }}
 #controls button {{ font-size: 1em; margin-right: 0.3em; }}
 #view {{ overflow: auto; border: 1px solid #cfd8dc; max-height: 85vh; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
{summary_html}
<div id="controls">
 <button type="button" onclick="zoom(1.25)">+</button>
 <button type="button" onclick="zoom(0.8)">&#8722;</button>
 <button type="button" onclick="zoom(0)">fit</button>
 <span>hover over an action for its exact key</span>
</div>
<div id="view">
{svg}
</div>
<script>
 var scale = 1, base = null;
 function zoom(factor) {{
   var svg = document.querySelector('#view svg');
   if (base === null) {{ base = svg.getBoundingClientRect().width; }}
   if (factor === 0) {{
     scale = Math.min(1, document.getElementById('view').clientWidth / base);
   }} else {{
     scale *= factor;
   }}
   svg.style.width = (base * scale) + 'px';
   svg.style.height = 'auto';
 }}
</script>
</body>
</html>
"""
