// Runs: every run of the project, newest first; running ones advance live from run.progress.
import { h, mount, fmtNumber, fmtUsd, fmtTime, fmtPct } from './dom.js';
import { failureText } from './failure.js';

/** What a run has done: its own analyses plus what streaming had already analysed (queued: nothing to redo). */
export function runDone(r) {
  const already = r.already_analysed || 0;
  return { already, analysed: (r.analysed || 0) + already, share: r.sampled ? ((r.analysed || 0) + already + (r.failed || 0)) / r.sampled : (r.status === 'running' ? 0 : 1) };
}
import { api, enc } from './api.js';
import { onUpdate } from './live.js';

export async function runsView(el) {
  const [runs, themes] = await Promise.all([api('/runs?limit=100'), api('/themes')]);
  const rows = new Map();
  const names = new Map(themes.results.map((t) => [t.theme_id, t.name]));
  const tbody = h('tbody');
  const select = h('select', { 'data-testid': 'run-theme', 'aria-label': 'Theme to run' }, themes.results.map((t) => h('option', { value: t.theme_id }, t.name)));
  const status = h('span', { class: 'muted' });
  const start = h('button', {
    class: 'primary', 'data-testid': 'start-run', onclick: async () => {
      try {
        upsert(await api(`/themes/${enc(select.value)}/runs`, { method: 'POST', body: {} }), true);
        status.textContent = '';
      } catch (e) { status.textContent = e.error === 'run_in_progress' ? 'A run of that theme is in progress.' : failureText('Could not start the run', e); }
    },
  }, 'Run now');
  mount(el, h('h1', null, 'Runs'), h('p', null, select, ' ', start, ' ', status),
    h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'runs-table' }, h('thead', null, h('tr', null,
      ['Run', 'Theme', 'Status', 'Progress', 'Analysed / selected', 'Relevant', 'Failed', 'Cost so far', 'Calls vs naive', 'Started'].map((c) => h('th', null, c)))), tbody)));
  for (const r of runs.results) upsert(r, false);
  if (!runs.results.length) tbody.appendChild(h('tr', { class: 'placeholder' }, h('td', { colspan: 10, class: 'muted' }, 'No runs yet.')));

  function upsert(r, top) {
    tbody.querySelector('.placeholder')?.remove();
    const { already, analysed, share: done } = runDone(r);
    const tr = h('tr', { dataset: { run: r.id, status: r.status } },
      h('td', null, `#${r.id}`), h('td', null, h('a', { href: `#/themes/${enc(r.theme_id)}` }, names.get(r.theme_id) || r.theme_id)),
      h('td', null, r.status, r.error ? h('div', { class: 'error' }, r.error) : null),
      h('td', null, h('div', { class: 'progress', role: 'progressbar', 'aria-label': `Run #${r.id} progress`, 'aria-valuemin': 0, 'aria-valuemax': 100,
        'aria-valuenow': Math.round(Math.min(1, done) * 100), title: fmtPct(done) }, h('div', { style: `width:${+Math.min(100, done * 100).toFixed(1)}%` }))),
      h('td', { class: 'num' }, `${fmtNumber(analysed)} / ${fmtNumber(r.sampled)}`,
        already ? h('div', { class: 'muted' }, `${fmtNumber(already)} by streaming`) : null),
      h('td', { class: 'num' }, fmtNumber(r.relevant)), h('td', { class: 'num' }, fmtNumber(r.failed)),
      h('td', { class: 'num' }, fmtUsd(r.cost_usd)), h('td', { class: 'num' }, fmtPct(r.llm_call_share)), h('td', null, fmtTime(r.started_at)));
    const old = rows.get(r.id);
    if (old) old.replaceWith(tr);
    else if (top) tbody.prepend(tr);
    else tbody.appendChild(tr);
    rows.set(r.id, tr);
  }
  return onUpdate((m) => { if (m.type === 'run.progress' && m.data?.id !== undefined) upsert(m.data, true); });
}
