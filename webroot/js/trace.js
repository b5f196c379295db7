// Traces: a recent-traces list, and one trace with its text, span tree and every theme's result side by side.
import { h, mount, fmtNumber, fmtUsd, fmtTime } from './dom.js';
import { api, enc } from './api.js';
import { onUpdate } from './live.js';
import { summaryRow } from './results.js';

export async function tracesView(el) {
  let cursor = null;
  const tbody = h('tbody');
  const more = h('button', { 'data-testid': 'more-traces', onclick: () => load() }, 'Older traces');
  mount(el, h('h1', null, 'Recent traces'),
    h('table', { 'data-testid': 'traces-table' }, h('thead', null, h('tr', null,
      ['Trace', 'Status', 'Events', 'Latency (s)', 'Errors', 'Cost', 'Models', 'Last event'].map((c) => h('th', null, c)))), tbody),
    h('p', null, more));
  async function load() {
    const r = await api(`/traces?limit=50${cursor ? `&cursor=${enc(cursor)}` : ''}`);
    for (const t of r.results) {
      const a = t.aggregates || {};
      tbody.appendChild(h('tr', null,
        h('td', null, h('a', { href: `#/traces/${enc(t.trace_id)}` }, t.name || t.trace_id), h('div', { class: 'muted' }, t.trace_id)),
        h('td', null, t.status), h('td', { class: 'num' }, fmtNumber(a.event_count)), h('td', { class: 'num' }, fmtNumber(a.latency_seconds, 2)),
        h('td', { class: 'num' }, fmtNumber(a.error_count)), h('td', { class: 'num', title: a.cost_estimated ? estimatedNote : null }, costText(a)),
        h('td', null, (a.models || []).join(', ')), h('td', null, fmtTime(t.last_seen))));
    }
    cursor = r.next_cursor;
    more.hidden = !cursor;
  }
  await load();
}

// Costs Prism computed from model and tokens (the client sent none) are shown as approximate.
const estimatedNote = 'Estimated by Prism from the model and tokens (the client sent no cost)';
const costText = (a) => (a.cost_estimated ? '≈ ' : '') + fmtUsd(a.cost_usd);

export async function traceView(el, traceId) {
  const [trace, text] = await Promise.all([
    api(`/traces/${enc(traceId)}`),
    api(`/traces/${enc(traceId)}/text`, { text: true }).catch((e) => `(text unavailable: ${e.message})`),
  ]);
  const a = trace.aggregates || {};
  const analyses = h('div', { 'data-testid': 'trace-analyses' });
  const byTheme = new Map();
  for (const s of trace.analyses || []) byTheme.set(s.properties?.$ai_analysis_theme_id, s);
  const paintAnalyses = () => mount(analyses, byTheme.size === 0
    ? h('p', { class: 'empty' }, 'No theme has analysed this trace (yet).')
    : [...byTheme.entries()].sort(([x], [y]) => String(x).localeCompare(String(y))).map(([theme, s]) =>
      h('div', { class: 'panel' }, h('h3', null, h('a', { href: `#/themes/${enc(theme)}` }, theme)), summaryRow(s))));
  paintAnalyses();
  mount(el,
    h('h1', null, trace.name || trace.trace_id, h('span', { class: 'badge' }, trace.status), h('span', { class: 'badge' }, `v${trace.version}`)),
    h('p', { class: 'muted' }, `${trace.trace_id} · ${fmtNumber(a.event_count)} events · ${fmtNumber(a.latency_seconds, 2)} s · `
      + `${fmtNumber((a.input_tokens || 0) + (a.output_tokens || 0))} tokens · ${costText(a)}${a.cost_estimated ? ' (estimated)' : ''} · ${fmtNumber(a.error_count)} errors · ${fmtTime(trace.last_seen)}`),
    h('div', { class: 'trace-grid' },
      h('section', null, h('h2', null, 'Text'), h('pre', { class: 'trace-text', 'data-testid': 'trace-text' }, text)),
      h('section', null, h('h2', null, 'Span tree'), h('ul', { class: 'tree', 'data-testid': 'trace-tree' }, (trace.tree || []).map(node))),
      h('section', null, h('h2', null, 'Themes'), analyses)));
  return onUpdate((m) => {
    if (m.type === 'summary.created' && m.data?.properties?.$ai_trace_id === traceId) {
      byTheme.set(m.theme, m.data);
      paintAnalyses();
    }
  });
}

function node(n) {
  return h('li', null,
    h('span', null, n.name || n.model || n.event || n.id), ' ', h('span', { class: 'ev' }, n.event), n.model ? h('span', { class: 'badge' }, n.model) : null,
    n.children?.length ? h('ul', null, n.children.map(node)) : null);
}
