"""``pengine resilience --report FILE.html``: one self-contained page.

A heat map, what-if x service: each cell's colour is what the what-if does
to the service (stopped, blocked, promotion lost, degraded, moved,
restarted), and each cell links to that what-if's section: its Transition
Summary and graph (transitions.report's building blocks, as ``pengine
simulate --report`` draws them).  Then the verdict: N+1 safe or not, the
weakest node, services with no second home, headroom.
"""

from __future__ import annotations

from pengine.transitions.report import _e, graph_figure, page, summary_html

#: services shown as columns at most; beyond, only those some what-if touches
MAX_COLUMNS = 60
_LABEL = {"stopped": "stopped", "blocked": "blocked", "promotion-lost": "promotion lost",
          "degraded": "degraded", "moved": "moved", "restarted": "restarted", "ok": ""}
_CSS = """
table.rs-heat { border-collapse: collapse; font-size: 0.85em; }
.rs-heat th, .rs-heat td { border: 1px solid #cfd8dc; padding: 0.2em 0.4em; }
.rs-heat thead th { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
                    font-weight: normal; vertical-align: bottom; }
.rs-heat th.rs-whatif { text-align: left; white-space: nowrap; font-weight: normal; }
.rs-heat td { min-width: 1.6em; height: 1.4em; text-align: center; padding: 0; }
.rs-heat td a { display: block; width: 100%; height: 100%; min-height: 1.4em;
                text-decoration: none; color: #fff; font-size: 0.8em; }
.rs-ok { background: #e8f5e9; } .rs-restarted { background: #fdd835; }
.rs-moved { background: #42a5f5; } .rs-degraded { background: #ffa726; }
.rs-promotion-lost { background: #8e24aa; } .rs-blocked { background: #6d4c41; }
.rs-stopped { background: #c62828; }
td.rs-overcommit { background: #c62828; } td.rs-overcommit a { padding: 0 0.4em;
                   white-space: nowrap; font-weight: bold; }
td.rs-fits { background: #e8f5e9; } td.rs-fits a { color: #2e7d32; }
.rs-heat th.rs-over a { color: #c62828; font-weight: bold; }
.rs-verdict-bad { color: #c62828; font-weight: bold; }
.rs-verdict-good { color: #2e7d32; font-weight: bold; }
.rs-over { color: #c62828; }
td.rs-fail { color: #c62828; font-weight: bold; }
ul.rs-keys { list-style: none; padding: 0; display: flex; gap: 1em; flex-wrap: wrap; }
ul.rs-keys span { display: inline-block; width: 1em; height: 1em; vertical-align: middle;
                  margin-right: 0.3em; border: 1px solid #cfd8dc; }
"""


def _columns(analysis) -> list[str]:
    services = list(analysis.services)
    if len(services) <= MAX_COLUMNS:
        return services
    touched = {i.service for o in analysis.outcomes for i in o.impacts}
    return [s for s in services if s in touched][:MAX_COLUMNS]


def heat_map(analysis) -> str:
    columns = _columns(analysis)
    head = "".join(f"<th>{_e(s)}</th>" for s in columns) + '<th class="rs-cap">capacity</th>'
    rows = []
    for index, outcome in enumerate(analysis.outcomes):
        states = {i.service: i for i in outcome.impacts}
        cells = []
        for service in columns:
            impact = states.get(service)
            state = impact.state if impact is not None else "ok"
            title = f"{outcome.what_if.label}: {service} {_LABEL[state] or 'unaffected'}"
            if impact is not None and impact.details:
                title += f" ({impact.details})"
            if impact is not None and impact.why:
                title += " - " + " ".join(impact.why)
            mark = {"stopped": "&#10007;", "blocked": "&#9632;", "promotion-lost": "&#8595;"}.get(
                state, "")
            cells.append(f'<td class="rs-{state}"><a href="#w{index}" title="{_e(title)}">'
                         f'{mark}</a></td>')
        over = " rs-over" if outcome.overcommit else ""
        if outcome.overcommit:
            text = ", ".join(f"{o.node} {o.dimension} {o.demand}>{o.capacity}"
                             for o in outcome.overcommit)
            cells.append(f'<td class="rs-overcommit"><a href="#w{index}" title="{_e(text)}">'
                         f'{_e(text)}</a></td>')
        else:
            cells.append(f'<td class="rs-fits"><a href="#w{index}" '
                         f'title="every node within capacity">&#10003;</a></td>')
        rows.append(f'<tr><th class="rs-whatif{over}"><a href="#w{index}">'
                    f'{_e(outcome.what_if.label)}</a></th>{"".join(cells)}</tr>')
    hidden = len(analysis.services) - len(columns)
    note = (f'<p class="pg-note">{hidden} services no what-if touches are left out.</p>'
            if hidden > 0 else "")
    keys = "".join(f'<li><span class="rs-{s}"></span>{_e(_LABEL[s] or "unaffected")}</li>'
                   for s in ("stopped", "blocked", "promotion-lost", "degraded", "moved",
                             "restarted", "ok"))
    return (f'<div class="pg-grid-box"><table class="rs-heat"><thead><tr><th></th>{head}'
            f'</tr></thead><tbody>\n' + "\n".join(rows) + f'\n</tbody></table></div>{note}'
            f'<ul class="rs-keys">{keys}</ul>')


def _verdict(analysis) -> str:
    from pengine.analyses.resilience import worst_headroom
    failures = analysis.node_failures()
    if analysis.n_plus_1_safe:
        verdict = (f'<p class="rs-verdict-good">N+1 safe: every one of {len(failures)} single '
                   'node failures keeps every service running within capacity.</p>')
    else:
        bad = [o.what_if.label for o in failures if o.failing]
        verdict = (f'<p class="rs-verdict-bad">Not N+1 safe: {len(bad)} of {len(failures)} '
                   f'single node failures lose a service or overcommit a node '
                   f'({_e(", ".join(bad))}).</p>')
    facts = [f"<dt>weakest node</dt><dd>{_e(analysis.weakest_node() or 'none')}</dd>",
             "<dt>no second home</dt><dd>" + (_e(", ".join(
                 f"{s} (on {n})" for s, n in analysis.no_second_home())) or "none") + "</dd>"]
    if analysis.optimal_now:
        facts.append("<dt>optimal placement now</dt><dd>"
                     + _e("; ".join(analysis.optimal_now)) + "</dd>")
    parts = [verdict, f'<dl class="pg-facts">{"".join(facts)}</dl>']
    if analysis.headroom:
        worst = worst_headroom(analysis)
        rows = []
        for node, dimension, capacity, free in analysis.headroom:
            low = worst.get((node, dimension))
            low_text = f"{low[0]} after {low[1]}" if low is not None else "-"
            bad = ' class="rs-fail"' if low is not None and low[0] < 0 else ""
            rows.append(f"<tr><td>{_e(node)}</td><td>{_e(dimension)}</td><td>{capacity}</td>"
                        f"<td>{free}</td><td{bad}>{_e(low_text)}</td></tr>")
        parts.append('<table class="pg-timeline"><thead><tr><th>node</th><th>dimension</th>'
                     '<th>capacity</th><th>free now</th><th>least free after one node '
                     'failure</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")
    return "\n".join(parts)


def _section(index: int, outcome, node_order) -> str:
    what_if = outcome.what_if
    parts = [f'<section class="pg-step" id="w{index}"><h2>{_e(what_if.label)}</h2>',
             f'<p class="pg-line"><b>Events:</b> <code>{_e(what_if.command() or "-")}</code>'
             f'</p>']
    lost = [i for i in outcome.impacts if i.state in ("stopped", "blocked", "promotion-lost")]
    if lost:
        items = "".join(f"<li><b>{_e(i.service)}</b> {_e(_LABEL[i.state])}"
                        + (f" ({_e(i.details)})" if i.details else "")
                        + "".join(f"<br><span class=\"pg-reason\">{_e(w)}</span>"
                                  for w in i.why) + "</li>" for i in lost)
        parts.append(f"<h3>Services lost</h3><ul>{items}</ul>")
    if outcome.overcommit:
        items = "".join(f"<li>{_e(o.node)} needs {o.demand} {_e(o.dimension)}, has "
                        f"{o.capacity}</li>" for o in outcome.overcommit)
        parts.append(f'<h3>Overcommitted</h3><ul class="rs-over">{items}</ul>')
    if outcome.optimal:
        parts.append("<h3>A better placement</h3><ul>"
                     + "".join(f"<li>{_e(line)}</li>" for line in outcome.optimal) + "</ul>")
    parts.append("<h3>Transition summary</h3>")
    parts.append(summary_html(outcome.summary))
    if outcome.transition is not None and outcome.transition.synapses:
        parts.append("<h3>Transition graph</h3>")
        parts.append(graph_figure(outcome.transition, fig_id=f"g{index}", title=what_if.label,
                                  summary_lines=outcome.summary, node_order=node_order,
                                  legend=index == 0))
    parts.append('<p><a href="#heat">back to the heat map</a></p></section>')
    return "\n".join(parts)


def resilience_report(analysis, sources: list[str]) -> str:
    title = f"Resilience of {', '.join(sources)}"
    facts = (f'<dl class="pg-facts"><dt>input</dt><dd>{_e(", ".join(sources))}</dd>'
             f'<dt>nodes</dt><dd>{len(analysis.nodes)}</dd>'
             f'<dt>services</dt><dd>{len(analysis.services)}</dd>'
             f'<dt>what-ifs</dt><dd>{len(analysis.outcomes)}</dd></dl>')
    node_order = list(analysis.nodes)
    body = [f"<style>{_CSS}</style>",
            f"<header><h1>{_e(title)}</h1>{facts}</header>",
            '<nav><a href="#verdict">Verdict</a> <a href="#heat">Heat map</a> '
            '<a href="#w0">What-ifs</a></nav>',
            f'<section id="verdict"><h2>Verdict</h2>{_verdict(analysis)}</section>',
            '<section id="heat"><h2>What-if &#215; service</h2>'
            '<p class="pg-note">Each cell links to the what-if\'s transition summary and '
            'graph; hover for what happens to the service and why.</p>'
            + heat_map(analysis) + "</section>"]
    body += [_section(i, o, node_order) for i, o in enumerate(analysis.outcomes)]
    return page(title, "\n".join(body))
