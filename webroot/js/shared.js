// Read-only view of a share link (#/shared/{token}): one theme's clusters, as text, without an API key or live updates.
// Everything shown comes from trace data through h(), so it is inserted as text, never parsed as HTML.
import { h, mount, fmtPct, cleanDescription } from './dom.js';

export async function sharedView(el, token) {
  const base = `/api/shared/${encodeURIComponent(token)}`;
  const response = await fetch(base);
  if (!response.ok) {
    mount(el, h('div', { class: 'panel error', 'data-testid': 'shared-error' }, response.status === 404
      ? 'This share link does not exist, was revoked or has expired.' : `The shared results could not be loaded (HTTP ${response.status}).`));
    return;
  }
  const data = await response.json();
  const exports = ['md', 'ipynb', 'csv', 'json'].map((f) =>
    h('a', { class: 'button', href: `${base}/export?format=${f}`, download: '', 'data-testid': `shared-export-${f}` }, f));
  mount(el,
    h('h1', null, data.theme.name, h('span', { class: 'badge' }, 'shared, read-only')),
    h('p', { class: 'muted' }, data.theme.description || ''),
    h('p', { class: 'muted' }, `${data.theme_summaries} summaries, ${data.results.length} clusters, ${data.unassigned} in no cluster`,
      data.share.expires_at ? ` · link expires ${data.share.expires_at}` : ''),
    h('p', null, 'Download: ', exports.flatMap((a) => [a, ' '])),
    h('div', { 'data-testid': 'shared-clusters' }, data.results.map((c) => clusterCard(base, c))));
}

function clusterCard(base, c) {
  const detail = h('div');
  const more = h('button', {
    onclick: async () => {
      more.disabled = true;
      const r = await fetch(`${base}/clusters/${encodeURIComponent(c.id)}`);
      if (!r.ok) { mount(detail, h('p', { class: 'error' }, `Could not load (HTTP ${r.status})`)); return; }
      const d = await r.json();
      mount(detail, h('ol', null, d.representatives.map((m) =>
        h('li', null, m.title ? h('strong', null, m.title) : null, m.title ? ': ' : null, m.summary || ''))));
    },
  }, 'Representative summaries');
  const growth = c.growth === null || c.growth === undefined ? '–' : `${c.growth >= 0 ? '+' : ''}${Math.round(c.growth * 100)} %`;
  return h('div', { class: 'panel', 'data-testid': 'shared-cluster' },
    h('h3', null, c.title),
    h('p', { class: 'muted' }, `${c.size} traces · ${fmtPct(c.metrics.share_of_theme)} of the theme · last 24 h ${c.trend.last_day} · growth ${growth}`),
    h('p', null, cleanDescription(c.description)),
    more, detail);
}
