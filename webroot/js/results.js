// Results of one theme: cluster cards and the 2-D cluster map (each cluster a link to its own page, cluster.js), and
// the summaries list (paged), all updated live from summary.created / cluster.updated / run.progress.
import { h, s, mount, fmtNumber, fmtUsd, fmtPct, fmtTime, debounce, cleanDescription } from './dom.js';
import { runDone } from './runs.js';
import { queryParams, hashWith } from './search.js';
import { api, apiOptional, enc } from './api.js';
import { onUpdate } from './live.js';
import { clusterHref, lifecycleBadge } from './cluster.js';
import { themeTrendChart, RANGES } from './themetrend.js';
import { themeMap } from './thememap.js';
import { failurePanel, failureText } from './failure.js';
import { exportShare } from './exportshare.js';

const PAGE = 50;
const MAX_FETCH = 1000; // the summaries endpoint answers at most 1,000 per request; older pages follow next_cursor

export async function resultsView(el, themeId, tab, query) {
  const started = performance.now();
  const theme = await api(`/themes/${enc(themeId)}`);
  const params = queryParams(query);
  const state = {
    themeId, clusters: null, summaries: [], cursor: null, exhausted: false, page: 0, selected: null, live: 0,
    // The summaries' filters are in the URL (#/themes/{id}/summaries?relevant=true&severity=high), so a view can be shared.
    range: RANGES.some((r) => r.key === params.range) ? params.range : 'day', map: null,
    relevantOnly: params.relevant === 'true', severity: ['low', 'medium', 'high'].includes(params.severity) ? params.severity : '',
  };

  const share = exportShare(themeId);
  const header = h('div', { class: 'row' },
    h('h1', { class: 'grow' }, theme.name, h('span', { class: 'badge' }, theme.built_in ? 'built-in' : 'custom')),
    h('a', { class: 'button', href: `#/themes/${enc(themeId)}/edit` }, theme.built_in ? 'View / clone' : 'Edit'), ' ',
    runButton(themeId), share.controls);
  const runLine = h('div', { class: 'muted', 'data-testid': 'run-line' });
  const streaming = h('span', { class: 'badge', 'data-testid': 'streaming' }, 'waiting for updates');
  const tabs = h('div', { class: 'tabs' });
  const body = h('div', { 'data-testid': 'results-body' });
  mount(el, header, share.panel, h('p', { class: 'muted' }, theme.description || ''), h('div', null, runLine, ' ', streaming), tabs, body);

  const setTab = (name) => {
    tab = name;
    history.replaceState(null, '', hashWith(`#/themes/${enc(themeId)}/${name}`,
      name === 'summaries' ? { relevant: state.relevantOnly ? 'true' : '', severity: state.severity }
        : name === 'trend' ? { range: state.range === 'day' ? '' : state.range } : {}));
    mount(tabs, [['clusters', 'Clusters'], ['trend', 'Trend'], ['map', 'Map'], ['summaries', 'Summaries']].map(([k, label]) =>
      h('button', { type: 'button', class: k === tab ? 'active' : '', 'aria-pressed': String(k === tab), 'data-tab': k, onclick: () => setTab(k) }, label)));
    paint();
  };

  // A failure is kept apart from "no clustering yet" (null): the cards then say what failed and offer a Retry.
  const loadClusters = async () => {
    try {
      state.clusters = await apiOptional(`/themes/${enc(themeId)}/clusters`);
      state.clustersError = null;
    } catch (e) {
      state.clusters = null;
      state.clustersError = e;
    }
  };
  // Fetches older pages by keyset cursor until `need` summaries are held: page 1,000 costs what page 1 does.
  const loadSummaries = async (need) => {
    while (!state.exhausted && state.summaries.length < need) {
      const limit = Math.min(MAX_FETCH, need - state.summaries.length);
      const r = await api(`/summaries?theme=${enc(themeId)}&limit=${limit}${state.relevantOnly ? '&relevant=true' : ''}`
        + (state.severity ? `&severity=${enc(state.severity)}` : '')
        + (state.cursor ? `&cursor=${enc(state.cursor)}` : ''));
      state.summaries = state.summaries.concat(r.results);
      state.cursor = r.next_cursor;
      state.exhausted = !r.next_cursor;
    }
  };
  // The map's points are asked for only when the map is shown (one projection per view, not per page load).
  const loadMap = async () => {
    state.map = await apiOptional(`/themes/${enc(themeId)}/map`).catch((e) => ({ error: e }));
  };
  const loadRun = async () => {
    const r = await apiOptional(`/runs?theme=${enc(themeId)}&limit=1`).catch(() => null);
    paintRun(r?.results?.[0]);
  };
  const paintRun = (run) => {
    if (!run) { runLine.textContent = 'No run yet: results stream in as traces complete.'; return; }
    const done = runDone(run);
    runLine.textContent = `Last run ${fmtTime(run.started_at)} · ${run.status} · ${fmtNumber(done.analysed)}/${fmtNumber(run.sampled)} analysed`
      + (done.already ? ` (${fmtNumber(done.already)} already by streaming)` : '')
      + ` · ${fmtNumber(run.failed)} failed · ${fmtUsd(run.cost_usd)}`;
  };

  function paint() {
    if (tab === 'clusters') {
      mount(body, state.clustersError
        ? failurePanel('Could not load the clusters', state.clustersError, async () => {
          await loadClusters();
          if (state.clustersError) throw state.clustersError;
          paint();
        })
        : clusterCards(state.clusters, themeId));
    }
    else if (tab === 'map') {
      if (!state.map) {
        mount(body, h('p', { class: 'muted' }, 'Placing the traces…'));
        loadMap().then(() => { if (tab === 'map') paint(); });
      } else if (state.map.error) {
        mount(body, h('div', { class: 'panel error', 'data-testid': 'map-error' }, `Could not load the map: ${state.map.error.detail || state.map.error.message}. `,
          h('button', { type: 'button', onclick: () => { state.map = null; paint(); } }, 'Retry')));
      } else mount(body, themeMap(state.map, state.clusters, themeId));
    } else if (tab === 'trend') mount(body, trendTab(state, () => setTab('trend')));
    else mount(body, summariesList(state, async (page) => {
      state.page = page;
      await loadSummaries((page + 1) * PAGE + 1);
      paint();
    }, async (filters) => {
      Object.assign(state, filters, { summaries: [], cursor: null, exhausted: false, page: 0 });
      await loadSummaries(PAGE + 1);
      setTab('summaries');
    }));
  }

  await Promise.all([loadClusters(), loadSummaries(PAGE + 1), loadRun()]);
  setTab(tab);
  el.dataset.loadedMs = String(Math.round(performance.now() - started));
  document.body.dataset.resultsReady = themeId;

  const refreshClusters = debounce(async () => {
    await loadClusters();
    if (tab === 'map') await loadMap();
    if (tab !== 'summaries') paint();
  }, 500);
  // A relevant summary joins the theme's members once it is embedded (a moment later), then the trend counts it.
  const later = [];
  const refreshSoon = () => { for (const ms of [1500, 5000, 15000]) later.push(setTimeout(refreshClusters, ms)); };
  const unsubscribe = onUpdate((m) => {
    if (m.theme !== themeId && m.theme !== null) return;
    if (m.type === 'summary.created') {
      const p = m.data?.properties || {};
      // A later version's summary replaces the one listed for its trace: a trace is listed once.
      const others = state.summaries.filter((s) => s.properties?.$ai_trace_id !== p.$ai_trace_id);
      if ((state.relevantOnly && !p.$ai_theme_relevant) || (state.severity && p.$ai_summary_severity !== state.severity)) {
        if (others.length !== state.summaries.length) { state.summaries = others; if (tab === 'summaries' && state.page === 0) paint(); }
        return;
      }
      state.summaries = [m.data, ...others];
      if (p.$ai_theme_relevant && tab === 'trend') refreshSoon();
      bump();
      if (tab === 'summaries' && state.page === 0) paint();
    } else if (m.type === 'cluster.updated') {
      // Not a summary: the badge counts only what it says; the clusters just refresh.
      refreshClusters();
    } else if (m.type === 'run.progress' && m.data?.theme_id === themeId) {
      paintRun(m.data);
    }
  });
  function bump() {
    state.live++;
    streaming.textContent = `streaming · ${state.live} new ${state.live === 1 ? 'summary' : 'summaries'}`;
    streaming.classList.remove('flash');
    void streaming.offsetWidth;
    streaming.classList.add('flash');
  }
  return () => { unsubscribe(); later.forEach(clearTimeout); delete document.body.dataset.resultsReady; };
}

/** The Trend tab: the theme's relevant traces and clusters over time, with an hour / day / week picker (in the URL). */
function trendTab(state, sync) {
  const chart = h('div', { class: 'chart', 'data-testid': 'theme-trend' });
  const buttons = RANGES.map((r) => h('button', {
    type: 'button', 'data-range': r.key, 'aria-pressed': String(r.key === state.range), class: r.key === state.range ? 'active' : '',
    onclick: () => { state.range = r.key; sync(); document.querySelector(`[data-testid="theme-trend-range"] [data-range="${r.key}"]`)?.focus(); },
  }, r.label));
  const range = RANGES.find((r) => r.key === state.range);
  chart.appendChild(state.clusters ? themeTrendChart(state.clusters.trend, range)
    : h('div', { class: 'empty', 'data-testid': 'theme-trend-empty' }, 'The trend is not available for this theme yet.'));
  return h('section', { 'aria-labelledby': 'theme-trend-h' },
    h('div', { class: 'row' }, h('h2', { id: 'theme-trend-h', class: 'grow' }, 'Relevant traces and clusters over time'),
      h('div', { class: 'range-picker', role: 'group', 'aria-label': 'Trend range', 'data-testid': 'theme-trend-range' }, buttons)),
    chart);
}

function runButton(themeId) {
  const out = h('span', { class: 'muted' });
  const b = h('button', {
    'data-testid': 'run-now', onclick: async () => {
      b.disabled = true;
      try { await api(`/themes/${enc(themeId)}/runs`, { method: 'POST', body: {} }); out.textContent = ' started'; }
      catch (e) { out.textContent = ' ' + (e.error === 'run_in_progress' ? 'a run is in progress' : failureText('Could not start the run', e)); }
      finally { b.disabled = false; }
    },
  }, 'Run now');
  return h('span', null, b, out);
}

function growthText(g) {
  if (g === undefined || g === null || Number.isNaN(g)) return '–';
  return (g > 0 ? '+' : '') + (g * 100).toFixed(0) + ' %';
}

function clusterList(r) { return r?.results || []; }

function refreshButton(themeId) {
  const out = h('span', { class: 'muted' });
  const b = h('button', {
    'data-testid': 'recluster', onclick: async () => {
      b.disabled = true;
      out.textContent = ' re-clustering…';
      try { await api(`/themes/${enc(themeId)}/clusters/refresh`, { method: 'POST', body: {} }); out.textContent = ' done: updates stream in'; }
      catch (e) { out.textContent = ' ' + failureText('Could not re-cluster', e); }
      finally { b.disabled = false; }
    },
  }, 'Re-cluster now');
  return h('p', null, b, out);
}

/**
 * What the last re-clustering changed, kept on the page (not a message that vanishes): how many clusters it left and
 * which merged, split, formed, ended, came back or were renamed. Each cluster's page has the details (Lineage).
 */
function runNote(run) {
  if (!run) return null;
  const l = run.lineage || {};
  const changes = [['merged', 'merged'], ['split', 'split off'], ['new', 'new'], ['retired', 'ended'], ['returned', 'came back']]
    .filter(([k]) => l[k] > 0).map(([k, label]) => `${fmtNumber(l[k])} ${label}`);
  if (run.renamed > 0) changes.push(`${fmtNumber(run.renamed)} renamed`);
  return h('p', { class: 'muted', 'data-testid': 'recluster-note' },
    `Last re-clustering ${fmtTime(run.at)}: ${fmtNumber(run.clusters)} ${run.clusters === 1 ? 'cluster' : 'clusters'}`
    + (changes.length ? ` · ${changes.join(', ')}` : ' · no merges, splits or renames')
    + '. Each cluster\'s page shows its lineage.');
}

function clusterCards(r, themeId) {
  const list = clusterList(r);
  if (!list.length) {
    return h('div', null, r ? refreshButton(themeId) : null, h('div', { class: 'empty', 'data-testid': 'clusters-empty' },
      r ? 'No clusters yet: they form once enough relevant summaries are embedded.' : 'Clustering is not available for this theme yet.'));
  }
  return h('div', null, refreshButton(themeId), runNote(r.last_run),
    r.theme_summaries !== undefined ? h('p', { class: 'muted' }, `${fmtNumber(r.theme_summaries)} summaries clustered, ${fmtNumber(r.unassigned)} unassigned`) : null,
    // Each card is a real link to the cluster's page: reachable with Tab, opened with Enter, and it has a URL.
    h('div', { class: 'cards', 'data-testid': 'cluster-cards' }, list.map((c) => h('a', {
      class: 'card', dataset: { cluster: c.id }, href: clusterHref(themeId, c.id),
    },
    h('h3', null, c.title || 'Unnamed cluster', ' ', lifecycleBadge(c.lifecycle)),
    h('div', { class: 'desc' }, cleanDescription(c.description)),
    h('div', { class: 'row' }, h('div', { class: 'grow' },
      h('strong', null, fmtNumber(c.size)), ' summaries ',
      h('span', { class: c.growth > 0 ? 'growth-up' : c.growth < 0 ? 'growth-down' : '' }, growthText(c.growth))),
    sparkline((c.trend?.daily?.length ? c.trend.daily : c.trend?.hourly || []).map((b) => b.count ?? b))),
    h('div', { class: 'metrics' },
      h('span', null, `${fmtPct(c.metrics?.share_of_theme)} of theme`),
      h('span', null, `${fmtPct(c.metrics?.error_rate)} with errors`),
      h('span', null, `${fmtNumber(c.metrics?.avg_latency_seconds, 1)} s avg latency`),
      h('span', null, `${fmtUsd(c.metrics?.avg_cost_usd)} avg cost`),
      h('span', null, `${fmtNumber(c.metrics?.distinct_users)} users`))))));
}

function sparkline(values) {
  const w = 100, ht = 24;
  const svg = s('svg', { width: w, height: ht, viewBox: `0 0 ${w} ${ht}`, class: 'spark', 'aria-hidden': 'true' });
  if (values.length < 2) return svg;
  const max = Math.max(1, ...values);
  const pts = values.map((v, i) => `${(i / (values.length - 1)) * (w - 2) + 1},${ht - 2 - (v / max) * (ht - 4)}`).join(' ');
  svg.appendChild(s('polyline', { points: pts, fill: 'none', stroke: '#3b5bdb', 'stroke-width': 1.5 }));
  return svg;
}

function summariesList(state, goTo, setFilters) {
  const from = state.page * PAGE;
  const rows = state.summaries.slice(from, from + PAGE);
  const hasNext = state.summaries.length > from + PAGE || (!state.exhausted && rows.length === PAGE);
  const relevant = h('input', { type: 'checkbox', checked: state.relevantOnly, 'data-testid': 'relevant-only', onchange: () => setFilters({ relevantOnly: relevant.checked }) });
  const severity = h('select', { 'aria-label': 'Severity', 'data-testid': 'severity', onchange: () => setFilters({ severity: severity.value }) },
    [['', 'any severity'], ['high', 'high'], ['medium', 'medium'], ['low', 'low']].map(([v, label]) => h('option', { value: v, selected: v === state.severity }, label)));
  const pager = h('div', { class: 'pager' },
    h('button', { disabled: state.page === 0, 'data-testid': 'prev-page', onclick: () => goTo(state.page - 1) }, '← Newer'),
    h('span', { 'data-testid': 'page-info' }, rows.length ? `${fmtNumber(from + 1)}–${fmtNumber(from + rows.length)}` : '0'),
    h('button', { disabled: !hasNext, 'data-testid': 'next-page', onclick: () => goTo(state.page + 1) }, 'Older →'),
    h('label', { class: 'inline' }, relevant, 'relevant only'),
    severity, clusterPicker(state));
  if (!rows.length) return h('div', null, pager, h('div', { class: 'empty', 'data-testid': 'summaries-empty' }, 'No summaries yet: they appear here live as traces are analysed.'));
  return h('div', null, pager, h('div', { 'data-testid': 'summaries' }, rows.map(summaryRow)));
}

/** One cluster's summaries are its page's members (by title, 25 a page): picking a cluster opens that page. */
function clusterPicker(state) {
  const list = clusterList(state.clusters);
  if (!list.length) return null;
  const pick = h('select', {
    'aria-label': 'Cluster', 'data-testid': 'summary-cluster', onchange: () => { if (pick.value) location.hash = clusterHref(state.themeId, pick.value); },
  }, h('option', { value: '' }, 'all clusters'), list.map((c) => h('option', { value: c.id }, `${c.title || 'Unnamed cluster'} (${c.size})`)));
  return pick;
}

export function summaryRow(e) {
  const p = e.properties || {};
  return h('div', { class: 'summary' + (p.$ai_theme_relevant === false ? ' irrelevant' : ''), dataset: { trace: p.$ai_trace_id } },
    h('div', null, h('span', { class: 'title' }, p.$ai_summary_title || '(untitled)'),
      p.$ai_summary_severity ? h('span', { class: 'badge ' + p.$ai_summary_severity }, p.$ai_summary_severity) : null,
      p.$ai_theme_relevant === false ? h('span', { class: 'badge' }, 'not relevant') : null,
      ' ', h('a', { href: `#/traces/${enc(p.$ai_trace_id)}`, class: 'muted' }, p.$ai_trace_id),
      h('span', { class: 'muted' }, ` · ${fmtTime(e.timestamp)}`)),
    h('div', { class: 'text' }, p.$ai_summary || ''));
}
