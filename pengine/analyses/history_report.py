"""``pengine history --report FILE.html``: the inputs as a timeline page, in
the look of the scenario report (transitions/report.py): a table of the
transitions, then one section per input with what changed, the configuration
diff, the Transition Summary with its reasons, the cluster grid as the input
shows it and the transition graph."""

from __future__ import annotations

import os

from pengine.transitions.report import _e, cluster_view_of, graph_figure, grid_html, page, summary_html

MAX_GRAPHS = 200      # a page of thousands of pictures helps nobody; the rest keep their text


def history_report(path: str, records: list[dict], missing) -> str:
    rows, sections = [], []
    previous_view = None
    graphs = 0
    legend = True
    for index, record in enumerate(records):
        anchor = f"in{index}"
        if "error" in record:
            rows.append(f'<tr><td><a href="#{anchor}">{_e(record["input"])}</a></td>'
                        f'<td colspan="5">unreadable</td></tr>')
            sections.append(f'<section class="pg-step" id="{anchor}"><h2>{_e(record["input"])}'
                            f'</h2><p>{_e(record["error"])}</p></section>')
            continue
        changes = "; ".join(event["text"] for event in record["changes"])
        if record["configuration_diff"]:
            changes = (changes + "; " if changes else "") + "configuration changed"
        summary = [f"  * {item['text']}" for item in record["summary"]]
        transitions = ", ".join(str(t) for t in record["transitions"]) or "?"
        rows.append(f'<tr><td><a href="#{anchor}">{_e(record["input"])}</a></td>'
                    f'<td>{_e(record["time"])}</td><td>{_e(transitions)}</td>'
                    f'<td>{_e(record["dc"] or "?")}</td><td>{_e(changes or "-")}</td>'
                    f'<td>{_e(str(len(summary)) + " change(s)" if summary else "nothing")}</td>'
                    f'</tr>')
        version = record["version"]
        parts = [f'<section class="pg-step" id="{anchor}">'
                 f'<h2><span class="pg-clock">{_e(record["input"])}</span> '
                 f'<span class="pg-when">{_e(record["time"])}</span> transition {_e(transitions)}'
                 f', DC {_e(record["dc"] or "?")}</h2>',
                 f'<p class="pg-line"><b>File:</b> {_e(record["file"])}; written by Pacemaker '
                 f'{_e(version["pacemaker"] or "?")} (crm_feature_set '
                 f'{_e(version["crm_feature_set"] or "?")}, validate-with '
                 f'{_e(version["validate_with"] or "?")})</p>']
        if version["warning"]:
            parts.append(f'<p class="pg-line"><b>Warning:</b> {_e(version["warning"])}</p>')
        parts.append("<h3>What changed</h3>")
        if record["changes"]:
            parts.append("<ul>" + "".join(f"<li>{_e(e['text'])}</li>" for e in record["changes"])
                         + "</ul>")
        elif not record["configuration_diff"]:
            parts.append('<p class="pg-nothing">Nothing visible in the status or the '
                         'configuration.</p>')
        if record["configuration_diff"]:
            parts.append("<pre>" + _e("\n".join(record["configuration_diff"])) + "</pre>")
        parts.append("<h3>Transition summary</h3>")
        parts.append(summary_html(summary))
        reasons = [(item["text"], item["why"]) for item in record["summary"] if item["why"]]
        if reasons:
            parts.append("<ul>" + "".join(f"<li><b>{_e(text.split()[0])} "
                                          f"{_e(text.split()[1] if len(text.split()) > 1 else '')}"
                                          f"</b>: {_e(why)}</li>" for text, why in reasons)
                         + "</ul>")
        cib, when, transition = record.get("_cib"), record.get("_now"), record.get("_transition")
        view = None
        if cib is not None:
            try:
                view = cluster_view_of(cib, when)
            except Exception:  # noqa: BLE001 - the grid is a help; the text stays
                view = None
        if view is not None:
            parts.append(grid_html(view, f"the cluster as {record['input']} shows it",
                                   previous_view))
            previous_view = view
        if transition is not None and transition.synapses and graphs < MAX_GRAPHS:
            graphs += 1
            parts.append("<h3>Transition graph</h3>")
            parts.append(graph_figure(transition, fig_id=f"g{index}", title=record["input"],
                                      summary_lines=summary,
                                      node_order=[n.name for n in view.nodes] if view else None,
                                      legend=legend))
            legend = False
        parts.append("</section>")
        sections.append("\n".join(parts))
    facts = [f"<dt>source</dt><dd>{_e(path)}</dd>",
             f"<dt>inputs shown</dt><dd>{len(records)}</dd>"]
    if missing:
        facts.append("<dt>logged, input missing</dt><dd>" + _e(", ".join(
            f"transition {m.transition} ({m.file})" for m in missing)) + "</dd>")
    timeline = ('<section id="timeline"><h2>Timeline</h2><table class="pg-timeline">'
                '<thead><tr><th>input</th><th>time</th><th>transition</th><th>DC</th>'
                '<th>what changed</th><th>transition summary</th></tr></thead><tbody>\n'
                + "\n".join(rows) + '\n</tbody></table></section>')
    name = os.path.basename(path.rstrip("/")) or path
    body = (f'<header><h1>History of {_e(name)}</h1><dl class="pg-facts">{"".join(facts)}'
            f'</dl></header>\n' + timeline + "\n" + "\n".join(sections))
    return page(f"History {name}", body)
