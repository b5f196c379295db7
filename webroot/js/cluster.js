// One cluster as a page of its own (#/themes/{theme}/clusters/{id}?range=day&page=1): name, lifecycle, size and
// share, a trend chart with a range picker, labelled figures, representative summaries, members paged with their
// titles, time and cost, and lineage (merged from, split into, renamed). Range and page live in the URL.
import { h, s, mount, fmtNumber, fmtUsd, fmtPct, fmtTime, cleanDescription } from './dom.js';
import { api, apiOptional, enc } from './api.js';
import { onUpdate } from './live.js';

const MEMBERS_PAGE = 25;
export const RANGES = [
  // hour: the last 24 hours by hour; day: the last 14 days by day; week: the last 12 weeks by week (trend.weekly).
  { key: 'hour', label: 'Hour', field: 'hourly', caption: 'last 24 hours, by hour' },
  { key: 'day', label: 'Day', field: 'daily', caption: 'last 14 days, by day' },
  { key: 'week', label: 'Week', field: 'weekly', caption: 'last 12 weeks, by week of 7 days' },
];

export const clusterHref = (themeId, clusterId) => `#/themes/${enc(themeId)}/clusters/${enc(clusterId)}`;

export async function clusterView(el, themeId, clusterId, query) {
  const params = new URLSearchParams(query || '');
  const state = {
    range: RANGES.some((r) => r.key === params.get('range')) ? params.get('range') : 'day',
    page: Math.max(0, (parseInt(params.get('page'), 10) || 1) - 1),
  };
  let [theme, c] = await Promise.all([
    apiOptional(`/themes/${enc(themeId)}`).catch(() => null),
    apiOptional(`/clusters/${enc(clusterId)}?member_titles=true&members_limit=${MEMBERS_PAGE}&members_offset=${state.page * MEMBERS_PAGE}`),
  ]);
  // A link naming the wrong theme still shows the cluster, under the theme it belongs to (and says so in the URL).
  if (c && c.theme_id && c.theme_id !== themeId) {
    themeId = c.theme_id;
    theme = await apiOptional(`/themes/${enc(themeId)}`).catch(() => null);
    history.replaceState(null, '', clusterHref(themeId, clusterId) + (query ? `?${query}` : ''));
  }
  const themeName = theme?.name || themeId;
  const crumbs = h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
    h('a', { href: '#/themes' }, 'Themes'), ' › ', h('a', { href: `#/themes/${enc(themeId)}/clusters` }, themeName), ' › ',
    h('span', { 'aria-current': 'page' }, c ? (c.title || 'Unnamed cluster') : 'Cluster'));
  if (!c) {
    mount(el, crumbs, h('h1', null, 'Cluster not found'),
      h('p', { class: 'empty', 'data-testid': 'cluster-missing' }, 'No cluster with this id in the project. It may belong to another project.'));
    document.body.dataset.clusterReady = clusterId;
    return () => { delete document.body.dataset.clusterReady; };
  }

  const syncUrl = () => {
    const q = new URLSearchParams();
    if (state.range !== 'day') q.set('range', state.range);
    if (state.page > 0) q.set('page', String(state.page + 1));
    const qs = q.toString();
    history.replaceState(null, '', clusterHref(themeId, clusterId) + (qs ? `?${qs}` : ''));
  };

  const chart = h('div', { class: 'chart', 'data-testid': 'trend-chart' });
  // The buttons stay in place when a range is picked, so keyboard focus stays on the one pressed.
  const rangeButtons = RANGES.map((r) => h('button', {
    type: 'button', 'data-range': r.key, onclick: () => { state.range = r.key; syncUrl(); paintTrend(); },
  }, r.label));
  const picker = h('div', { class: 'range-picker', role: 'group', 'aria-label': 'Trend range' }, rangeButtons);
  const paintTrend = () => {
    rangeButtons.forEach((btn, i) => {
      const on = RANGES[i].key === state.range;
      btn.setAttribute('aria-pressed', String(on));
      btn.classList.toggle('active', on);
    });
    const range = RANGES.find((r) => r.key === state.range);
    mount(chart, trendChart(c.trend?.[range.field] || [], range));
  };

  const memberRows = h('div');
  const prev = h('button', { type: 'button', 'data-testid': 'members-prev', onclick: () => goTo(state.page - 1) }, '← Previous');
  const next = h('button', { type: 'button', 'data-testid': 'members-next', onclick: () => goTo(state.page + 1) }, 'Next →');
  const pageInfo = h('span', { 'data-testid': 'members-page', 'aria-live': 'polite' });
  const members = h('div', { 'data-testid': 'cluster-members' }, memberRows, h('div', { class: 'pager' }, prev, pageInfo, next));
  const paintMembers = (list) => {
    const from = state.page * MEMBERS_PAGE;
    prev.disabled = state.page === 0;
    next.disabled = from + list.length >= (c.size || 0);
    pageInfo.textContent = list.length ? `${fmtNumber(from + 1)}–${fmtNumber(from + list.length)} of ${fmtNumber(c.size)}` : 'none';
    mount(memberRows, list.length ? memberTable(list) : h('p', { class: 'empty' }, 'No members on this page.'));
  };
  async function goTo(page) {
    state.page = Math.max(0, page);
    syncUrl();
    const r = await api(`/clusters/${enc(clusterId)}?member_titles=true&members_limit=${MEMBERS_PAGE}&members_offset=${state.page * MEMBERS_PAGE}`);
    paintMembers(r.members || []);
  }

  // "Open in Linear / GitHub" once an alert rule opened an issue for this cluster; the page does not wait for it.
  const tickets = h('p', { class: 'tickets', 'data-testid': 'cluster-tickets' });
  apiOptional(`/clusters/${enc(clusterId)}/tickets`).then((r) => mount(tickets, ticketLinks(r?.results || []))).catch(() => {});

  const m = c.metrics || {};
  mount(el, crumbs,
    h('div', { class: 'row' }, h('h1', { class: 'grow', 'data-testid': 'cluster-title' }, c.title || 'Unnamed cluster', ' ', lifecycleBadge(c.lifecycle),
      c.status === 'retired' ? h('span', { class: 'badge' }, 'retired') : null)),
    cleanDescription(c.description) ? h('p', { 'data-testid': 'cluster-description' }, cleanDescription(c.description)) : null,
    tickets,
    h('dl', { class: 'figures', 'data-testid': 'cluster-figures' },
      figure('Size', `${fmtNumber(c.size)} traces`),
      figure('Share of theme', fmtPct(m.share_of_theme)),
      figure('Last 24 h', `${fmtNumber(c.trend?.last_day)} (day before ${fmtNumber(c.trend?.previous_day)})`),
      figure('Growth', growthText(c.growth)),
      figure('Error rate', fmtPct(m.error_rate)),
      figure('Average latency', m.avg_latency_seconds == null ? '–' : `${fmtNumber(m.avg_latency_seconds, 2)} s`),
      figure('Average cost', fmtUsd(m.avg_cost_usd)),
      figure('Distinct users', fmtNumber(m.distinct_users))),
    h('section', { 'aria-labelledby': 'trend-h' }, h('div', { class: 'row' }, h('h2', { id: 'trend-h', class: 'grow' }, 'Trend'), picker), chart),
    h('section', { 'aria-labelledby': 'reps-h' }, h('h2', { id: 'reps-h' }, 'Representative summaries'),
      representatives(c.representatives || [])),
    h('section', { 'aria-labelledby': 'members-h' }, h('h2', { id: 'members-h' }, 'Members'), members),
    h('section', { 'aria-labelledby': 'lineage-h' }, h('h2', { id: 'lineage-h' }, 'Lineage'), lineage(c, themeId)));
  paintTrend();
  paintMembers(c.members || []);
  document.body.dataset.clusterReady = clusterId;

  // A re-clustering of the theme may rename or resize this cluster: say so instead of silently showing old figures.
  const note = h('p', { class: 'panel notice', role: 'status', hidden: true, 'data-testid': 'cluster-stale' });
  el.insertBefore(note, el.children[2] || null);
  const off = onUpdate((msg) => {
    if (msg.type === 'cluster.updated' && msg.theme === themeId) {
      note.hidden = false;
      mount(note, 'The theme was re-clustered. ', h('a', { href: location.hash, onclick: (e) => { e.preventDefault(); window.dispatchEvent(new HashChangeEvent('hashchange')); } }, 'Reload this cluster'));
    }
  });
  return () => { off(); delete document.body.dataset.clusterReady; };
}

function figure(label, value) {
  return h('div', null, h('dt', null, label), h('dd', null, value));
}

function growthText(g) {
  if (g === undefined || g === null || Number.isNaN(g)) return 'new (nothing the day before)';
  return (g > 0 ? '+' : '') + (g * 100).toFixed(0) + ' % on the day before';
}

/** new, growing, stable, fading or regressed: where the cluster is in its life (the API's lifecycle). */
export function lifecycleBadge(lifecycle) {
  return lifecycle ? h('span', { class: `lifecycle lifecycle-${lifecycle}`, 'data-testid': 'lifecycle', title: 'Lifecycle' }, lifecycle) : null;
}

/** A bar chart of member counts with axes, labels, a tooltip per bar and an empty state; drawn as SVG text-safe. */
export function trendChart(buckets, range) {
  const counts = buckets.map((b) => Number(b.count) || 0);
  const total = counts.reduce((a, b) => a + b, 0);
  const caption = h('p', { class: 'muted chart-caption' }, `Members per bucket, ${range.caption}: ${fmtNumber(total)} in all.`);
  if (!buckets.length || total === 0) {
    return h('div', null, h('div', { class: 'empty', 'data-testid': 'trend-empty' }, `No members in the ${range.caption.split(',')[0]}.`), caption);
  }
  const W = 720, H = 240, left = 44, right = 12, top = 12, bottom = 44;
  const max = Math.max(...counts);
  const step = niceStep(max);
  const yMax = Math.ceil(max / step) * step;
  const plotW = W - left - right, plotH = H - top - bottom;
  const bw = plotW / counts.length;
  const y = (v) => top + plotH - (v / yMax) * plotH;
  const label = (b) => formatBucket(b.start, range.key);
  const svg = s('svg', {
    class: 'trend', viewBox: `0 0 ${W} ${H}`, role: 'img', 'data-testid': 'trend-svg',
    'aria-label': `Trend chart, ${range.caption}: ${fmtNumber(total)} members, at most ${fmtNumber(max)} in one bucket`,
  });
  // y axis with gridlines and tick labels
  for (let v = 0; v <= yMax; v += step) {
    svg.appendChild(s('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'grid' }));
    svg.appendChild(s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, fmtNumber(v)));
  }
  svg.appendChild(s('line', { x1: left, x2: left, y1: top, y2: top + plotH, class: 'axis' }));
  svg.appendChild(s('text', { x: 12, y: top + plotH / 2, class: 'axis-label', transform: `rotate(-90 12 ${top + plotH / 2})`, 'text-anchor': 'middle' }, 'members'));
  // bars with a tooltip each
  counts.forEach((v, i) => {
    const x = left + i * bw + bw * 0.15;
    svg.appendChild(s('rect', { x, y: y(v), width: Math.max(1, bw * 0.7), height: Math.max(0, top + plotH - y(v)), class: 'bar', 'data-count': v },
      s('title', null, `${label(buckets[i])}: ${fmtNumber(v)} member${v === 1 ? '' : 's'}`)));
  });
  // x tick labels: first, a few in between, and last, never overlapping
  const every = Math.max(1, Math.ceil(counts.length / 6));
  counts.forEach((_, i) => {
    if (i % every !== 0 && i !== counts.length - 1) return;
    if (i !== counts.length - 1 && counts.length - 1 - i < every / 2) return;
    svg.appendChild(s('text', { x: left + (i + 0.5) * bw, y: top + plotH + 16, 'text-anchor': 'middle', class: 'tick' }, label(buckets[i])));
  });
  svg.appendChild(s('text', { x: left + plotW / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-label' },
    range.key === 'hour' ? 'hour (local time)' : range.key === 'day' ? 'day' : 'week starting'));
  // The same numbers as a table, for screen readers and keyboard users (the bars' tooltips need a mouse).
  const table = h('details', { class: 'chart-data' }, h('summary', null, 'Show the numbers'),
    h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'trend-table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, range.key === 'week' ? 'Week starting' : range.key === 'day' ? 'Day' : 'Hour'),
        h('th', { scope: 'col', class: 'num' }, 'Members'))),
      h('tbody', null, buckets.map((bk, i) => h('tr', null, h('td', null, label(bk)), h('td', { class: 'num' }, fmtNumber(counts[i]))))))));
  return h('div', null, svg, caption, table);
}

export function niceStep(max) {
  if (max <= 5) return 1;
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((k) => k * p).find((k) => k >= raw);
}

export function formatBucket(iso, key) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  if (key === 'hour') return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

function representatives(list) {
  if (!list.length) return h('p', { class: 'muted' }, 'None yet.');
  return h('ol', { class: 'reps', 'data-testid': 'cluster-representatives' }, list.map((m) => h('li', null,
    h('a', { href: `#/traces/${enc(m.trace_id)}` }, m.title || 'Untitled summary'),
    m.summary ? h('div', { class: 'text' }, m.summary) : null)));
}

function memberTable(list) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'members' },
    h('caption', { class: 'sr-only' }, 'Members of the cluster, nearest to its centre first'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Summary'), h('th', { scope: 'col' }, 'Time'),
      h('th', { scope: 'col', class: 'num' }, 'Cost'), h('th', { scope: 'col', class: 'num' }, 'Latency'), h('th', { scope: 'col', class: 'num' }, 'Errors'))),
    h('tbody', null, list.map((m) => h('tr', { dataset: { trace: m.trace_id } },
      h('td', null, h('a', { href: `#/traces/${enc(m.trace_id)}`, 'data-testid': 'member-link' }, m.title || 'Untitled summary')),
      h('td', null, fmtTime(m.at)),
      h('td', { class: 'num' }, fmtUsd(m.cost_usd)),
      h('td', { class: 'num' }, m.latency_seconds == null ? '–' : `${fmtNumber(m.latency_seconds, 2)} s`),
      h('td', { class: 'num' + (m.error_count > 0 ? ' bad' : '') }, m.error_count == null ? '–' : fmtNumber(m.error_count)))))));
}

const TRACKERS = { linear: 'Linear', github: 'GitHub' };

/** Links to the cluster's issues; only http(s) addresses are linked (the URL is the tracker's, stored as it answered). */
function ticketLinks(tickets) {
  const safe = tickets.filter((t) => /^https?:\/\//i.test(t.url || ''));
  if (!safe.length) return [];
  return [h('span', { class: 'muted' }, 'Tracked in '), ...safe.flatMap((t, i) => [i ? ', ' : '',
    h('a', { href: t.url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'cluster-ticket' },
      `Open in ${TRACKERS[t.destination_type] || t.destination_type} ${t.number ? (t.destination_type === 'github' ? '#' : '') + t.number : ''}`.trim()),
    ` (${t.state})`])];
}

/** What re-clusterings did to this cluster: formed, merged from, split from / into, renamed, retired into. */
function lineage(c, themeId) {
  const rows = [];
  const byRun = [...(c.lineage || [])].sort((a, b) => b.run_id - a.run_id);
  const link = (id) => (id ? h('a', { href: clusterHref(themeId, id), 'data-cluster-ref': id }, id === c.id ? 'this cluster' : 'another cluster') : null);
  for (const l of byRun) {
    const when = h('span', { class: 'muted' }, ` · run #${l.run_id}, ${fmtTime(l.at)}`);
    const mine = l.cluster_id === c.id || l.cluster_id === undefined;
    const others = (l.sources || []).filter((x) => x !== c.id);
    let what = null;
    if (mine) {
      if (l.event === 'MERGED') what = ['Merged from ', join(others.map(link))];
      else if (l.event === 'SPLIT') what = ['Split from ', join(others.map(link))];
      else if (l.event === 'NEW') what = l.title ? ['Formed as ', `“${l.title}”`] : ['Formed'];
      else if (l.event === 'RETIRED') what = l.into ? ['Retired: merged into ', link(l.into)] : ['Retired'];
      else if (l.event === 'GROWN') what = [`Grew to ${fmtNumber(l.size)} traces`];
      else if (l.event === 'SHRUNK') what = [`Shrank to ${fmtNumber(l.size)} traces`];
      else if (l.renamed) what = [`Kept its ${fmtNumber(l.size)} traces`];
      if (l.renamed && l.title && l.event !== 'NEW') (what = what || []).push(what.length ? '; renamed to ' : 'Renamed to ', `“${l.title}”`);
    } else if (l.event === 'SPLIT') {
      what = ['Split into ', link(l.cluster_id), l.title ? [' ', `“${l.title}”`] : null];
    } else if (l.event === 'MERGED') {
      what = ['Merged into ', link(l.cluster_id), l.title ? [' ', `“${l.title}”`] : null];
    }
    if (what) rows.push(h('li', { dataset: { event: mine ? l.event : `${l.event}-other` } }, what, when));
  }
  if (!rows.length) return h('p', { class: 'muted', 'data-testid': 'cluster-lineage' }, 'No merges, splits or renames recorded.');
  const list = h('ul', { class: 'lineage', 'data-testid': 'cluster-lineage' }, rows);
  nameReferences(list);
  return list;
}

function join(nodes) {
  return nodes.flatMap((n, i) => (i ? [', ', n] : [n]));
}

/** Lineage names other clusters by id: show their names instead (at most 10 look-ups; retired clusters still answer). */
async function nameReferences(list) {
  const ids = [...new Set([...list.querySelectorAll('[data-cluster-ref]')].map((a) => a.dataset.clusterRef))].slice(0, 10);
  await Promise.all(ids.map(async (id) => {
    const other = await apiOptional(`/clusters/${enc(id)}?members_limit=1`).catch(() => null);
    if (!other?.title) return;
    for (const a of list.querySelectorAll('[data-cluster-ref]')) {
      if (a.dataset.clusterRef === id && a.textContent !== 'this cluster') a.textContent = other.title;
    }
  }));
}
