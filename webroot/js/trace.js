// Traces: a recent-traces list, and one trace with its text, span tree (error and latency markers), its cluster in
// every theme and every theme's result side by side.
import { h, mount, fmtNumber, fmtUsd, fmtTime } from './dom.js';
import { api, apiOptional, enc } from './api.js';
import { onUpdate } from './live.js';
import { summaryRow } from './results.js';
import { clusterHref } from './cluster.js';
import { queryParams, hashWith } from './search.js';

const SINCE = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };
const SORTS = {
  newest: null,
  cost: (a) => a.aggregates?.cost_usd ?? 0,
  latency: (a) => a.aggregates?.latency_seconds ?? 0,
  errors: (a) => a.aggregates?.error_count ?? 0,
};

/**
 * Recent traces with filters (status, time, errors, model, user, minimum cost and latency: server-side, so paging
 * stays exact) and a sort of the loaded traces; every choice is in the URL (#/traces?errors=true&sort=cost…).
 */
export async function tracesView(el, query) {
  const p = queryParams(query);
  let cursor = null;
  const tbody = h('tbody');
  const more = h('button', { 'data-testid': 'more-traces', onclick: () => load() }, 'Older traces');
  const field = (id, label, input) => h('div', { class: 'filter-field' }, h('label', { for: id }, label), input);
  const select = (id, value, options) => h('select', { id, name: id }, options.map(([v, label]) => h('option', { value: v, selected: v === (value || '') }, label)));
  const status = select('f-status', p.status, [['', 'any'], ['completed', 'completed'], ['pending', 'pending']]);
  const since = select('f-since', p.since, [['', 'any time'], ['1h', 'last hour'], ['24h', 'last 24 hours'], ['7d', 'last 7 days'], ['30d', 'last 30 days']]);
  const errors = select('f-errors', p.errors, [['', 'any'], ['true', 'with errors'], ['false', 'without errors']]);
  const model = h('input', { id: 'f-model', name: 'model', value: p.model || '', size: 14, placeholder: 'gpt-4o-mini' });
  const user = h('input', { id: 'f-user', name: 'user', value: p.user || '', size: 12, placeholder: 'distinct id' });
  const minCost = h('input', { id: 'f-min-cost', name: 'min_cost', type: 'number', min: 0, step: 'any', value: p.min_cost || '' });
  const minLatency = h('input', { id: 'f-min-latency', name: 'min_latency', type: 'number', min: 0, step: 'any', value: p.min_latency || '' });
  const sort = select('f-sort', p.sort, [['', 'newest first'], ['cost', 'cost, highest first'], ['latency', 'latency, slowest first'], ['errors', 'errors, most first']]);
  const filters = h('form', {
    class: 'filters panel', 'data-testid': 'trace-filters', onsubmit: (e) => {
      e.preventDefault();
      location.hash = hashWith('#/traces', {
        status: status.value, since: since.value, errors: errors.value, model: model.value.trim(), user: user.value.trim(),
        min_cost: minCost.value, min_latency: minLatency.value, sort: sort.value,
      });
    },
  },
  field('f-status', 'Status', status), field('f-since', 'Last event', since), field('f-errors', 'Errors', errors),
  field('f-model', 'Model', model), field('f-user', 'User', user), field('f-min-cost', 'Cost at least (USD)', minCost),
  field('f-min-latency', 'Latency at least (s)', minLatency), field('f-sort', 'Sort', sort),
  h('div', { class: 'filter-field' }, h('button', { class: 'primary', 'data-testid': 'apply-filters' }, 'Apply'), ' ',
    h('a', { href: '#/traces' }, 'Clear')));
  const note = h('p', { class: 'muted', 'data-testid': 'traces-note' });
  const rows = [];
  mount(el, h('h1', null, 'Recent traces'), filters, note,
    h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'traces-table' }, h('thead', null, h('tr', null,
      ['Trace', 'Status', 'Events', 'Latency (s)', 'Errors', 'Cost', 'Models', 'Last event'].map((c) => h('th', null, c)))), tbody)),
    h('p', null, more));
  const filterQuery = () => {
    const q = new URLSearchParams();
    for (const k of ['status', 'errors', 'model', 'user', 'min_cost', 'min_latency']) if (p[k]) q.set(k, p[k]);
    if (SINCE[p.since]) q.set('since', new Date(Date.now() - SINCE[p.since]).toISOString());
    return q.toString();
  };
  async function load() {
    const r = await api(`/traces?limit=50&${filterQuery()}${cursor ? `&cursor=${enc(cursor)}` : ''}`);
    rows.push(...r.results);
    cursor = r.next_cursor;
    more.hidden = !cursor;
    paint();
  }
  function paint() {
    const key = SORTS[p.sort];
    // Sorting is of what is loaded (newest first from the server); "Older traces" adds to it and sorts again.
    const shown = key ? [...rows].sort((x, y) => key(y) - key(x)) : rows;
    note.textContent = rows.length === 0 ? 'No trace matches these filters.'
      : `${fmtNumber(rows.length)} trace${rows.length === 1 ? '' : 's'} loaded${cursor ? ' (more below)' : ''}${key ? `, sorted by ${p.sort}` : ', newest first'}.`;
    mount(tbody, shown.map((t) => {
      const a = t.aggregates || {};
      return h('tr', { dataset: { trace: t.trace_id } },
        h('td', null, h('a', { href: `#/traces/${enc(t.trace_id)}` }, t.name || t.trace_id), h('div', { class: 'muted id' }, t.trace_id)),
        h('td', null, t.status), h('td', { class: 'num' }, fmtNumber(a.event_count)), h('td', { class: 'num' }, fmtNumber(a.latency_seconds, 2)),
        h('td', { class: 'num' + (a.error_count ? ' bad' : '') }, fmtNumber(a.error_count)), h('td', { class: 'num', title: a.cost_estimated ? estimatedNote : null }, costText(a)),
        h('td', null, (a.models || []).join(', ')), h('td', null, fmtTime(t.last_seen)));
    }));
  }
  try {
    await load();
  } catch (e) {
    note.textContent = '';
    note.appendChild(h('span', { class: 'error' }, `Could not load the traces: ${e.detail || e.message}`));
  }
}

// Costs Prism computed from model and tokens (the client sent none) are shown as approximate.
const estimatedNote = 'Estimated by Prism from the model and tokens (the client sent no cost)';
const costText = (a) => (a.cost_estimated ? '≈ ' : '') + fmtUsd(a.cost_usd);

export async function traceView(el, traceId, query) {
  const target = queryParams(query).theme;
  const [trace, text, themes, clusters] = await Promise.all([
    // The header and tree need no event's properties: they come per span when its details are opened.
    api(`/traces/${enc(traceId)}?events=false`),
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
      h('div', { class: 'panel' + (theme === target ? ' target' : ''), dataset: { theme }, 'data-testid': theme === target ? 'target-summary' : null },
        h('h3', null, h('a', { href: `#/themes/${enc(theme)}` }, themeName(theme))), summaryRow(s))));
  paintAnalyses();
  mount(el,
    h('h1', null, trace.name || trace.trace_id, h('span', { class: 'badge' }, trace.status), h('span', { class: 'badge' }, `v${trace.version}`)),
    h('p', { class: 'muted' }, `${trace.trace_id} · ${fmtNumber(a.event_count)} events · ${fmtNumber(a.latency_seconds, 2)} s · `
      + `${fmtNumber((a.input_tokens || 0) + (a.output_tokens || 0))} tokens · ${costText(a)}${a.cost_estimated ? ' (estimated)' : ''} · ${fmtNumber(a.error_count)} errors · ${fmtTime(trace.last_seen)}`),
    h('div', { class: 'trace-grid' },
      h('section', null, h('h2', null, 'Text'), h('pre', { class: 'trace-text', 'data-testid': 'trace-text' }, text)),
      h('section', null, h('h2', null, 'Span tree'), treeLegend(),
        h('ul', { class: 'tree', 'data-testid': 'trace-tree' }, (trace.tree || []).map((n) => node(n, slowest, traceId)))),
      h('section', null, h('h2', null, 'Clusters'), clusterList(clusters, themeName), h('h2', null, 'Themes'), analyses)));
  // Arriving from a search result: that theme's summary is what was looked for, so it is shown first.
  el.querySelector('.target')?.scrollIntoView({ block: 'center' });
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

/** A span's properties, fetched when its details are first opened (as text: trace content is never HTML). */
function eventDetails(traceId, uuid) {
  // Focusable: a long property list scrolls, and keyboard users must be able to scroll it.
  const body = h('pre', { class: 'event-props', 'data-testid': 'event-props', tabindex: 0, role: 'region', 'aria-label': 'Span properties' }, 'Loading…');
  let loaded = false;
  return h('details', {
    class: 'event-details', ontoggle: async (e) => {
      if (!e.target.open || loaded) return;
      loaded = true;
      try {
        const ev = await api(`/traces/${enc(traceId)}/events/${enc(uuid)}`);
        body.textContent = JSON.stringify(ev.properties || {}, null, 2);
      } catch (err) {
        loaded = false;
        body.textContent = `Could not load this span's properties: ${err.detail || err.message}. Close and open again to retry.`;
      }
    },
  }, h('summary', null, 'Properties'), body);
}

function node(n, slowest, traceId) {
  const latency = n.latency_seconds;
  const slow = latency != null && slowest > 0 && latency >= slowest / 2 && latency > 0;
  return h('li', { class: n.is_error ? 'failed' : null, dataset: { error: n.is_error ? 'true' : 'false' } },
    h('span', null, n.name || n.model || n.event || n.id), ' ', h('span', { class: 'ev' }, n.event), n.model ? h('span', { class: 'badge' }, n.model) : null,
    latency != null ? h('span', { class: 'latency' + (slow ? ' slow' : ''), 'data-testid': 'span-latency' }, ` ${fmtNumber(latency, 2)} s`) : null,
    slow ? h('span', { class: 'marker slow' }, 'slow') : null,
    n.is_error ? h('span', { class: 'marker error', 'data-testid': 'span-error' }, 'error') : null,
    n.is_error && n.error ? h('div', { class: 'span-error' }, n.error) : null,
    n.uuid ? eventDetails(traceId, n.uuid) : null,
    n.children?.length ? h('ul', null, n.children.map((c) => node(c, slowest, traceId))) : null);
}
