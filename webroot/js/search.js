// Search (#/search?q=&theme=): semantic search over relevant summaries (GET …/search), or, when the query is a trace
// id, straight to that trace. Every result names its theme, links to the trace (on that theme's summary) and to the
// trace's cluster in that theme. Everything from traces goes in as text through h().
import { h, mount, fmtNumber } from './dom.js';
import { api, apiOptional, enc } from './api.js';
import { clusterHref } from './cluster.js';

/** Reads "a=1&b=2" (the part of the hash after "?") into a plain object. */
export function queryParams(query) {
  return Object.fromEntries(new URLSearchParams(query || ''));
}

/** "#/base?k=v…" without the empty values, so a shared URL carries only the filters that are set. */
export function hashWith(base, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

// Trace ids are opaque strings without spaces; a query like that is tried as an id first.
const looksLikeId = (q) => q.length >= 3 && q.length <= 200 && !/\s/.test(q);

export async function searchView(el, query) {
  const params = queryParams(query);
  const q = (params.q || '').trim();
  const header = document.getElementById('search');
  if (header && header.value !== q) header.value = q;
  const themes = (await api('/themes')).results || [];
  const names = new Map(themes.map((t) => [t.theme_id, t.name]));
  if (q && looksLikeId(q)) {
    const trace = await apiOptional(`/traces/${enc(q)}`).catch(() => null);
    if (trace) { location.replace(`#/traces/${enc(trace.trace_id)}`); return; }
  }
  const theme = h('select', {
    id: 'search-theme', onchange: () => { location.hash = hashWith('#/search', { q, theme: theme.value }); },
  }, h('option', { value: '' }, 'All themes'),
  themes.map((t) => h('option', { value: t.theme_id, selected: t.theme_id === params.theme }, t.name)));
  const out = h('div', { 'data-testid': 'search-results', 'aria-live': 'polite' });
  mount(el, h('h1', null, 'Search'),
    h('p', { class: 'muted' }, 'Semantic search over the relevant summaries: describe a problem ("payment timeout", "rate limit"), or paste a trace id to open that trace.'),
    h('p', null, h('label', { class: 'inline', for: 'search-theme' }, 'Theme'), theme),
    out);
  if (!q) { mount(out, h('p', { class: 'empty' }, 'Type a phrase or a trace id in the search box above.')); return; }
  mount(out, h('p', { class: 'muted' }, 'Searching…'));
  let r;
  try {
    r = await api(`/search?q=${enc(q)}&k=20${params.theme ? `&theme=${enc(params.theme)}` : ''}`);
  } catch (e) {
    mount(out, h('p', { class: 'error', 'data-testid': 'search-error' }, `Search failed: ${e.detail || e.message}`,
      ' ', h('button', { onclick: () => searchView(el, query) }, 'Retry')));
    return;
  }
  const hits = r.results || [];
  if (!hits.length) {
    mount(out, h('p', { class: 'empty', 'data-testid': 'search-empty' }, `No relevant summary matches "${q}".`));
    return;
  }
  // The trace's cluster in the hit's theme, one request per distinct trace (at most 20).
  const clusters = new Map();
  await Promise.all([...new Set(hits.map((x) => x.trace_id))].map(async (id) => {
    const c = await apiOptional(`/traces/${enc(id)}/clusters`).catch(() => null);
    clusters.set(id, c?.results || []);
  }));
  mount(out, h('p', { class: 'muted' }, `${hits.length} result${hits.length === 1 ? '' : 's'} for "${q}", best first.`),
    h('ol', { class: 'search-results' }, hits.map((x) => {
      const cluster = (clusters.get(x.trace_id) || []).find((m) => m.theme_id === x.theme_id);
      return h('li', { class: 'summary', dataset: { trace: x.trace_id, theme: x.theme_id } },
        h('div', null,
          h('a', { class: 'title', href: `#/traces/${enc(x.trace_id)}?theme=${enc(x.theme_id)}`, 'data-testid': 'search-hit' }, x.title || '(untitled)'),
          h('span', { class: 'badge' }, names.get(x.theme_id) || x.theme_id),
          h('span', { class: 'muted' }, ` · match ${fmtNumber(x.score, 2)}`)),
        h('div', { class: 'text' }, x.summary || ''),
        h('div', { class: 'muted' }, 'Trace ', h('a', { href: `#/traces/${enc(x.trace_id)}` }, x.trace_id),
          ' · cluster: ', cluster?.cluster_id
            ? h('a', { href: clusterHref(x.theme_id, cluster.cluster_id), 'data-testid': 'search-cluster' }, cluster.title || 'Unnamed cluster')
            : (cluster ? 'Other (in no cluster)' : 'not clustered yet')));
    })));
}
