// Traces: a recent-traces list, and one trace with its text, span tree (error and latency markers), its cluster in
// every theme and every theme's result side by side.
import { h, mount, fmtNumber, fmtUsd, fmtTime } from './dom.js';
import { api, apiOptional, enc } from './api.js';
import { onUpdate } from './live.js';
import { summaryRow } from './results.js';
import { clusterHref } from './cluster.js';

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
  const [trace, text, themes, clusters] = await Promise.all([
    api(`/traces/${enc(traceId)}`),
    api(`/traces/${enc(traceId)}/text`, { text: true }).catch((e) => `(text unavailable: ${e.message})`),
    api('/themes').catch(() => ({ results: [] })),
    apiOptional(`/traces/${enc(traceId)}/clusters`).catch(() => null),
  ]);
  const names = new Map((themes.results || []).map((t) => [t.theme_id, t.name]));
  const themeName = (id) => names.get(id) || id;
  const a = trace.aggregates || {};
  // The slowest spans get a latency marker: relative to this trace, so a marker means "look here first".
  const slowest = flatten(trace.tree || []).reduce((m, n) => Math.max(m, n.latency_seconds || 0), 0);
  const analyses = h('div', { 'data-testid': 'trace-analyses' });
  const byTheme = new Map();
  for (const s of trace.analyses || []) byTheme.set(s.properties?.$ai_analysis_theme_id, s);
  const paintAnalyses = () => mount(analyses, byTheme.size === 0
    ? h('p', { class: 'empty' }, 'No theme has analysed this trace (yet).')
    : [...byTheme.entries()].sort(([x], [y]) => String(x).localeCompare(String(y))).map(([theme, s]) =>
      h('div', { class: 'panel', dataset: { theme } }, h('h3', null, h('a', { href: `#/themes/${enc(theme)}` }, themeName(theme))), summaryRow(s))));
  paintAnalyses();
  mount(el,
    h('h1', null, trace.name || trace.trace_id, h('span', { class: 'badge' }, trace.status), h('span', { class: 'badge' }, `v${trace.version}`)),
    h('p', { class: 'muted' }, `${trace.trace_id} · ${fmtNumber(a.event_count)} events · ${fmtNumber(a.latency_seconds, 2)} s · `
      + `${fmtNumber((a.input_tokens || 0) + (a.output_tokens || 0))} tokens · ${costText(a)}${a.cost_estimated ? ' (estimated)' : ''} · ${fmtNumber(a.error_count)} errors · ${fmtTime(trace.last_seen)}`),
    h('div', { class: 'trace-grid' },
      h('section', null, h('h2', null, 'Text'), h('pre', { class: 'trace-text', 'data-testid': 'trace-text' }, text)),
      h('section', null, h('h2', null, 'Span tree'), treeLegend(),
        h('ul', { class: 'tree', 'data-testid': 'trace-tree' }, (trace.tree || []).map((n) => node(n, slowest)))),
      h('section', null, h('h2', null, 'Clusters'), clusterList(clusters, themeName), h('h2', null, 'Themes'), analyses)));
  return onUpdate((m) => {
    if (m.type === 'summary.created' && m.data?.properties?.$ai_trace_id === traceId) {
      byTheme.set(m.theme, m.data);
      paintAnalyses();
    }
  });
}

/** Where the trace is in every theme that clustered it, by theme name, each cluster linking to its page. */
function clusterList(r, themeName) {
  const rows = r?.results || [];
  if (!rows.length) return h('p', { class: 'muted', 'data-testid': 'trace-clusters' }, 'In no cluster yet.');
  return h('ul', { class: 'trace-clusters', 'data-testid': 'trace-clusters' }, rows.map((m) => h('li', { dataset: { theme: m.theme_id } },
    h('span', { class: 'theme-name' }, themeName(m.theme_id)), ': ',
    m.cluster_id
      ? [h('a', { href: clusterHref(m.theme_id, m.cluster_id) }, m.title || 'Unnamed cluster'), m.status === 'retired' ? h('span', { class: 'badge' }, 'retired') : null]
      : h('span', { class: 'muted' }, 'Other (in no cluster)'))));
}

function flatten(nodes) {
  const out = [];
  const stack = [...nodes];
  while (stack.length) { const n = stack.pop(); out.push(n); stack.push(...(n.children || [])); }
  return out;
}

function treeLegend() {
  return h('p', { class: 'muted tree-legend' }, h('span', { class: 'marker error' }, 'error'), ' failed span · ',
    h('span', { class: 'marker slow' }, 'slow'), ' the slowest spans of this trace (at least half the slowest span\'s latency)');
}

function node(n, slowest) {
  const latency = n.latency_seconds;
  const slow = latency != null && slowest > 0 && latency >= slowest / 2 && latency > 0;
  return h('li', { class: n.is_error ? 'failed' : null, dataset: { error: n.is_error ? 'true' : 'false' } },
    h('span', null, n.name || n.model || n.event || n.id), ' ', h('span', { class: 'ev' }, n.event), n.model ? h('span', { class: 'badge' }, n.model) : null,
    latency != null ? h('span', { class: 'latency' + (slow ? ' slow' : ''), 'data-testid': 'span-latency' }, ` ${fmtNumber(latency, 2)} s`) : null,
    slow ? h('span', { class: 'marker slow' }, 'slow') : null,
    n.is_error ? h('span', { class: 'marker error', 'data-testid': 'span-error' }, 'error') : null,
    n.is_error && n.error ? h('div', { class: 'span-error' }, n.error) : null,
    n.children?.length ? h('ul', null, n.children.map((c) => node(c, slowest))) : null);
}
