// Themes: the list (enabled toggle, last run, analysed, relevant share, cost) and the create/edit form
// (filters with property suggestions, prompt with the server's validation messages, live preview, test).
import { h, mount, fmtNumber, fmtUsd, fmtPct, fmtTime, debounce } from './dom.js';
import { runDone } from './runs.js';
import { api, apiOptional, enc, ApiError } from './api.js';
import { onUpdate } from './live.js';
import { filterEditor } from './filters.js';

export async function themesView(el) {
  mount(el, h('p', { class: 'muted' }, 'Loading themes…'));
  // Every theme's last run in one request (/runs/latest), not one request per theme.
  const [themes, llm, latest] = await Promise.all([api('/themes'), apiOptional('/llm').catch(() => null),
    apiOptional('/runs/latest').catch(() => null)]);
  const spend = new Map((llm?.themes || []).map((t) => [t.theme_id, t]));
  const lastRuns = new Map((latest?.results || []).map((r) => [r.theme_id, r]));

  const rows = new Map();
  const tbody = h('tbody');
  for (const t of themes.results) {
    const row = themeRow(t, spend.get(t.theme_id), lastRuns.get(t.theme_id));
    rows.set(t.theme_id, row);
    tbody.appendChild(row.tr);
  }
  mount(el,
    h('div', { class: 'row' },
      h('h1', { class: 'grow' }, 'Themes'),
      h('a', { class: 'button primary', href: '#/themes/new', 'data-testid': 'new-theme' }, 'New theme')),
    llm ? h('p', { class: 'muted' }, `Provider ${llm.provider} · model ${llm.model} · spent today ${fmtUsd(llm.spent_today_usd)}`
      + (llm.daily_budget_usd != null ? ` of ${fmtUsd(llm.daily_budget_usd)}` : '') + (llm.status !== 'active' ? ` · ${llm.status}` : '')
      + (llm.status_reason ? `: ${llm.status_reason}` : '')) : null,
    h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'themes-table' },
      h('thead', null, h('tr', null, h('th', null, 'Theme'), h('th', null, 'Enabled'), h('th', null, 'Last run'),
        h('th', { class: 'num' }, 'Traces analysed'), h('th', { class: 'num' }, 'Relevant'), h('th', { class: 'num' }, 'Cost so far'), h('th', null, h('span', { class: 'sr-only' }, 'Actions')))),
      tbody)));

  // Live: a finished summary bumps its theme's counters; run progress updates "last run".
  return onUpdate((m) => {
    const row = rows.get(m.theme);
    if (!row) return;
    if (m.type === 'summary.created') row.addSummary(m.data?.properties || {});
    else if (m.type === 'run.progress') row.setRun(m.data);
  });
}

function themeRow(t, spend, run) {
  const stats = { analyses: spend?.analyses || 0, relevant: spend?.relevant || 0, cost: spend?.cost_usd || 0 };
  const analysed = h('td', { class: 'num' });
  const relevant = h('td', { class: 'num' });
  const cost = h('td', { class: 'num' });
  const lastRun = h('td');
  const status = h('span', { class: 'muted' });
  const paint = () => {
    analysed.textContent = fmtNumber(stats.analyses);
    relevant.textContent = stats.analyses ? fmtPct(stats.relevant / stats.analyses) : '–';
    cost.textContent = fmtUsd(stats.cost);
  };
  const setRun = (r) => mount(lastRun, r ? [fmtTime(r.started_at), ' ', h('span', { class: 'badge' }, r.status),
    r.status === 'running' ? ` ${runDone(r).analysed}/${r.sampled}` : ''] : h('span', { class: 'muted' }, 'never'));
  paint();
  setRun(run);
  const toggle = h('input', {
    type: 'checkbox', checked: t.enabled, 'data-testid': `enabled-${t.theme_id}`, 'aria-label': `${t.name || t.theme_id} enabled`, onchange: async () => {
      toggle.disabled = true;
      try {
        const updated = await api(`/themes/${enc(t.theme_id)}`, { method: 'PATCH', body: { enabled: toggle.checked } });
        toggle.checked = updated.enabled;
      } catch (e) {
        toggle.checked = !toggle.checked;
        status.textContent = e.message;
      } finally {
        toggle.disabled = false;
      }
    },
  });
  const runNow = h('button', {
    onclick: async () => {
      runNow.disabled = true;
      try {
        setRun(await api(`/themes/${enc(t.theme_id)}/runs`, { method: 'POST', body: {} }));
        status.textContent = '';
      } catch (e) {
        status.textContent = e.error === 'run_in_progress' ? 'a run is in progress' : e.message;
      } finally {
        runNow.disabled = false;
      }
    },
  }, 'Run now');
  const tr = h('tr', { dataset: { theme: t.theme_id } },
    h('td', null, h('a', { href: `#/themes/${enc(t.theme_id)}`, 'data-testid': `theme-link-${t.theme_id}` }, t.name || t.theme_id),
      t.built_in ? h('span', { class: 'badge' }, 'built-in') : h('span', { class: 'badge' }, 'custom'),
      spend?.status && spend.status !== 'active' ? h('span', { class: 'badge', title: spend.status_reason || '' }, spend.status) : null,
      h('div', { class: 'muted' }, t.description || '')),
    h('td', null, toggle), lastRun, analysed, relevant, cost,
    h('td', null, h('a', { class: 'button', href: `#/themes/${enc(t.theme_id)}/edit` }, t.built_in ? 'View / clone' : 'Edit'), ' ', runNow, ' ', status));
  return {
    tr,
    setRun,
    addSummary(p) {
      stats.analyses++;
      if (p.$ai_theme_relevant) stats.relevant++;
      stats.cost += Number(p.$ai_total_cost_usd || 0);
      paint();
    },
  };
}

// ---------------------------------------------------------------- form

const DEFAULT_PROMPT = `You analyse one trace of an LLM application for the theme "{{theme_name}}": {{theme_description}}

{{trace_text}}

Answer with JSON only: {"theme_relevant": true|false, "title": "short title", "summary": "two or three sentences"}`;

export async function themeFormView(el, themeId) {
  mount(el, h('p', { class: 'muted' }, 'Loading…'));
  const [theme, all, llm] = await Promise.all([themeId ? api(`/themes/${enc(themeId)}`) : null, api('/themes'),
    apiOptional('/llm').catch(() => null)]);
  const t = theme || {
    name: '', description: '', base_filters: [], theme_filters: [], sample_rate: 1, prompt: DEFAULT_PROMPT,
    date_range: { date_from: '-7d', date_to: null }, schedule: { type: 'interval', minutes: 10 },
    clustering_config: { method: 'kmeans', min_cluster_size: 5, min_distinct_users: 2 },
  };
  const readOnly = !!t.built_in;
  const datalist = h('datalist', { id: 'property-names' });
  const suggest = debounce(async (prefix) => {
    const r = await apiOptional(`/properties?prefix=${enc(prefix)}`).catch(() => null);
    mount(datalist, (r?.results || []).slice(0, 50).map((n) => h('option', { value: n })));
  }, 150);
  suggest('');

  const name = h('input', { id: 'theme-name', value: t.name, size: 40, disabled: readOnly });
  const idInput = h('input', { id: 'theme-id', value: t.theme_id || '', size: 30, disabled: !!themeId, placeholder: 'derived from the name' });
  const description = h('textarea', { id: 'theme-description', rows: 2, disabled: readOnly }, t.description || '');
  const baseFilters = filterEditor({ field: 'base_filters', label: 'Base filters', filters: t.base_filters, suggest, readOnly, testid: 'base-filters', addTestid: 'add-base-filter' });
  const themeFilters = filterEditor({ field: 'theme_filters', label: 'Theme filters', filters: t.theme_filters, suggest, readOnly, testid: 'theme-filters', addTestid: 'add-theme-filter' });
  const prompt = h('textarea', { id: 'theme-prompt', rows: 12, disabled: readOnly }, t.prompt || '');
  const templates = h('select', {
    id: 'prompt-template', disabled: readOnly, 'aria-label': 'Start from a built-in prompt', onchange: () => {
      const src = all.results.find((x) => x.theme_id === templates.value);
      if (src) { prompt.value = src.prompt; changed(); }
      templates.value = '';
    },
  }, h('option', { value: '' }, 'Start from a built-in prompt…'),
  all.results.filter((x) => x.built_in).map((x) => h('option', { value: x.theme_id }, x.name)));
  const rate = h('input', { id: 'sample-rate', type: 'range', min: 0, max: 1, step: 0.01, value: t.sample_rate, disabled: readOnly });
  const rateText = h('span', null, fmtPct(t.sample_rate));
  const dateFrom = h('input', { id: 'date-from', value: t.date_range?.date_from || '-7d', size: 12, disabled: readOnly });
  const scheduleType = h('select', { id: 'schedule-type', disabled: readOnly, 'aria-label': 'Schedule' },
    ['manual', 'interval', 'daily', 'weekly'].map((v) => h('option', { value: v, selected: t.schedule?.type === v }, v)));
  const minutes = h('input', { id: 'schedule-minutes', 'aria-label': 'Interval in minutes', type: 'number', min: 1, value: t.schedule?.minutes || 10, size: 5, disabled: readOnly });
  const method = h('select', { id: 'cluster-method', disabled: readOnly, 'aria-label': 'Clustering method' },
    ['kmeans', 'hdbscan'].map((v) => h('option', { value: v, selected: t.clustering_config?.method === v }, v)));
  const minSize = h('input', { id: 'cluster-min-size', 'aria-label': 'Minimum cluster size', type: 'number', min: 1, value: t.clustering_config?.min_cluster_size ?? 5, disabled: readOnly });
  const minUsers = h('input', { id: 'cluster-min-users', 'aria-label': 'Minimum distinct users', type: 'number', min: 1, value: t.clustering_config?.min_distinct_users ?? 2, disabled: readOnly });
  const errors = h('ul', { class: 'errors', 'data-testid': 'form-errors' });
  // One message slot next to each field; the server's messages ("prompt: missing …") go to the field they name.
  const fieldErrors = {};
  const fieldError = (key, input, id) => {
    const p = h('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' });
    fieldErrors[key] = { p, input };
    if (input) input.setAttribute('aria-describedby', `${id}-error`);
    return p;
  };
  const preview = h('div', { class: 'preview', 'data-testid': 'preview', 'aria-live': 'polite' },
    h('span', { class: 'muted' }, themeId ? 'Preview loads…' : 'The preview appears once you start typing.'));
  const testOut = h('div', { 'data-testid': 'test-results' });
  const saved = h('span', { class: 'muted', 'data-testid': 'saved' });

  const draft = () => {
    const d = {
      name: name.value.trim(), description: description.value, base_filters: baseFilters.value(), theme_filters: themeFilters.value(),
      sample_rate: Number(rate.value), prompt: prompt.value,
      date_range: { date_from: dateFrom.value.trim() || '-7d', date_to: null },
      schedule: scheduleType.value === 'interval' ? { type: 'interval', minutes: Number(minutes.value) || 10 } : { type: scheduleType.value },
      clustering_config: { ...(t.clustering_config || {}), method: method.value, min_cluster_size: Number(minSize.value), min_distinct_users: Number(minUsers.value) },
      enabled: t.enabled ?? true,
    };
    if (!themeId && idInput.value.trim()) d.theme_id = idInput.value.trim();
    return d;
  };
  // Priced with the model the theme would run with: its own llm setting, else the project's (GET …/llm). The offline
  // analyzer makes no paid call, so it is "free" whatever a price table says.
  const provider = t.llm?.provider || llm?.provider || null;
  const model = t.llm?.model || (t.llm?.provider && t.llm.provider !== llm?.provider ? null : llm?.model) || null;
  const free = provider === 'offline';
  let previewSeq = 0;
  const runPreview = debounce(async () => {
    const seq = ++previewSeq;
    let d;
    try { d = draft(); } catch (e) { preview.textContent = e.message; return; }
    if (!free && model) d.model = model;
    try {
      const p = await api('/themes/preview', { method: 'POST', body: d });
      if (seq !== previewSeq) return;
      mount(preview,
        h('div', null, 'Over ', h('strong', null, fmtNumber(p.traces_in_range)), ' traces in range: ',
          h('strong', null, fmtNumber(p.matching_base_filters)), ' pass the base filters, ',
          h('strong', { 'data-testid': 'preview-matching' }, fmtNumber(p.matching_theme_filters)), ' the theme filters, ',
          h('strong', { 'data-testid': 'preview-sampled' }, fmtNumber(p.sampled)), ' sampled.'),
        free
          ? h('div', { 'data-testid': 'preview-cost' }, `Estimated ${fmtNumber(p.estimated_llm_calls)} analyses: `, h('strong', null, 'free'),
            ` with the offline analyzer (provider offline, no paid call); naive: ${fmtNumber(p.naive?.llm_calls)} analyses.`)
          : h('div', { 'data-testid': 'preview-cost' }, `Estimated ${fmtNumber(p.estimated_llm_calls)} LLM calls, ${fmtNumber(p.estimated_input_tokens)} + ${fmtNumber(p.estimated_output_tokens)} tokens, `,
            h('strong', null, fmtUsd(p.estimated_cost_usd)), ` with ${p.model}${provider ? ` (${provider})` : ''}; naive: ${fmtNumber(p.naive?.llm_calls)} calls, ${fmtUsd(p.naive?.cost_usd)} `,
            h('span', { class: 'badge' }, `saves ${fmtPct(p.savings_share)}`)));
    } catch (e) {
      if (seq === previewSeq) mount(preview, h('span', { class: 'error' }, e.detail || e.message));
    }
  }, 350);
  const changed = () => { rateText.textContent = fmtPct(Number(rate.value)); runPreview(); };
  for (const input of [name, description, prompt, rate, dateFrom]) input.addEventListener('input', changed);
  baseFilters.onChange(changed);
  themeFilters.onChange(changed);

  const clearProblems = () => {
    mount(errors);
    for (const { p, input } of Object.values(fieldErrors)) { p.textContent = ''; input?.removeAttribute('aria-invalid'); }
  };
  const showProblems = (e) => {
    const detail = e instanceof ApiError ? (e.detail || e.error) : e.message;
    const problems = String(detail).split(/;\s+/);
    // The summary above the buttons lists them all; each also shows next to its field.
    mount(errors, problems.map((p) => h('li', null, p)));
    for (const problem of problems) {
      const key = (problem.match(/^([a-z_]+)/) || [])[1];
      const slot = fieldErrors[key];
      if (!slot) continue;
      slot.p.textContent = slot.p.textContent ? `${slot.p.textContent} ${problem}` : problem;
      slot.input?.setAttribute('aria-invalid', 'true');
    }
  };
  const save = h('button', {
    class: 'primary', id: 'save-theme', hidden: readOnly, onclick: async (ev) => {
      ev.preventDefault();
      clearProblems();
      if (!name.value.trim()) { showProblems(new Error('name: a name is required')); name.focus(); return; }
      try {
        const body = draft();
        const out = themeId ? await api(`/themes/${enc(themeId)}`, { method: 'PUT', body: { ...body, theme_id: themeId } })
          : await api('/themes', { method: 'POST', body });
        saved.textContent = `Saved ${out.theme_id} (prompt v${out.prompt_version}).`;
        // The edit page of the new theme confirms the creation and offers a first run.
        if (!themeId) { sessionStorage.setItem(CREATED, out.theme_id); location.hash = `#/themes/${enc(out.theme_id)}/edit`; }
      } catch (e) { showProblems(e); }
    },
  }, themeId ? 'Save' : 'Create theme');
  const cloneBox = h('div', { class: 'panel', hidden: true });
  const clone = h('button', {
    type: 'button', hidden: !readOnly, 'data-testid': 'clone', onclick: () => {
      // Nothing is created until the copy has a name; it starts disabled, so it analyses nothing before it is edited.
      const cloneName = h('input', { id: 'clone-name', value: `${t.name} (copy)`, size: 36 });
      const cloneError = h('p', { class: 'field-error', id: 'clone-name-error', 'aria-live': 'polite' });
      cloneName.setAttribute('aria-describedby', 'clone-name-error');
      const create = h('button', {
        type: 'button', class: 'primary', 'data-testid': 'clone-create', onclick: async () => {
          const n = cloneName.value.trim();
          if (!n) { cloneError.textContent = 'A name is required.'; return; }
          create.disabled = true;
          try {
            const out = await api('/themes', { method: 'POST', body: { clone_from: themeId, theme_id: slug(n), name: n, enabled: false } });
            location.hash = `#/themes/${enc(out.theme_id)}/edit`;
          } catch (e) {
            cloneError.textContent = e instanceof ApiError ? (e.detail || e.error) : e.message;
          } finally { create.disabled = false; }
        },
      }, 'Create disabled copy');
      cloneBox.hidden = false;
      mount(cloneBox, h('h2', null, 'Clone this theme'), h('label', { for: 'clone-name' }, 'Name of the copy'), cloneName, cloneError,
        h('p', { class: 'muted' }, 'The copy starts disabled: edit it, then enable it in the themes list.'),
        h('p', null, create, ' ', h('button', { type: 'button', onclick: () => { cloneBox.hidden = true; } }, 'Cancel')));
      cloneName.focus();
      cloneName.select();
    },
  }, 'Clone to edit');
  const test = h('button', {
    id: 'test-theme', disabled: !themeId, title: themeId ? '' : 'Save the theme first', onclick: async (ev) => {
      ev.preventDefault();
      mount(testOut, h('p', { class: 'muted' }, 'Running the prompt on the 3 most recent selected traces…'));
      try {
        const r = await api(`/themes/${enc(themeId)}/test`, { method: 'POST', body: { traces: 3 } });
        mount(testOut, r.results.length === 0 ? h('p', { class: 'empty' }, 'No selected traces to test on.')
          : h('table', null, h('thead', null, h('tr', null, ['Trace', 'Relevant', 'Title and summary', 'Model', 'Cost', 'Latency'].map((c) => h('th', null, c)))),
            h('tbody', null, r.results.map((x) => h('tr', null,
              h('td', null, h('a', { href: `#/traces/${enc(x.trace_id)}` }, x.trace_id)),
              h('td', null, x.theme_relevant ? 'yes' : 'no'),
              h('td', null, h('div', { class: 'summary-title' }, x.title || ''), h('div', { class: 'muted' }, x.summary || '')),
              h('td', null, `${x.provider}/${x.model}`), h('td', { class: 'num' }, fmtUsd(x.cost_usd)), h('td', { class: 'num' }, `${x.latency_ms} ms`))))));
      } catch (e) { mount(testOut, h('p', { class: 'error' }, e.detail || e.message)); }
    },
  }, 'Test on sample traces');

  const justCreated = themeId && sessionStorage.getItem(CREATED) === themeId;
  if (justCreated) sessionStorage.removeItem(CREATED);
  mount(el,
    justCreated ? createdPanel(t) : null,
    h('h1', null, themeId ? `${readOnly ? 'Built-in theme' : 'Edit theme'}: ${t.name}` : 'New theme',
      themeId && t.enabled === false ? h('span', { class: 'badge' }, 'disabled') : null),
    themeId && t.enabled === false ? h('p', { class: 'muted' }, 'This theme is disabled: it analyses nothing until it is enabled in the themes list.') : null,
    themeId ? h('p', null, h('a', { href: `#/themes/${enc(themeId)}` }, 'Results →')) : null,
    cloneBox,
    datalist,
    h('div', { class: 'row' },
      h('form', { class: 'panel grow', id: 'theme-form', onsubmit: (e) => e.preventDefault() },
        h('label', { for: 'theme-name' }, 'Name'), name, fieldError('name', name, 'theme-name'),
        h('label', { for: 'theme-id' }, 'Theme id'), idInput, fieldError('theme_id', idInput, 'theme-id'),
        h('label', { for: 'theme-description' }, 'Description'), description, fieldError('description', description, 'theme-description'),
        h('h3', null, 'Base filters'), baseFilters.el, fieldError('base_filters', null, 'base-filters'),
        h('h3', null, 'Theme filters'), themeFilters.el, fieldError('theme_filters', null, 'theme-filters'),
        h('label', { for: 'theme-prompt' }, 'Prompt'), h('div', null, templates), prompt, fieldError('prompt', prompt, 'theme-prompt'),
        h('p', { class: 'muted' }, 'Placeholders: {{trace_text}} (required), {{theme_name}}, {{theme_description}}, {{trace_id}}, {{trace_name}}. Ask for JSON with theme_relevant, title, summary.'),
        h('label', { for: 'sample-rate' }, 'Sample rate ', rateText), rate, fieldError('sample_rate', rate, 'sample-rate'),
        h('label', { for: 'date-from' }, 'Date range from (ISO-8601 or -7d, -12h)'), dateFrom, fieldError('date_range', dateFrom, 'date-from'),
        h('label', null, 'Schedule'), h('div', null, scheduleType, ' every ', minutes, ' minutes (interval)'),
        fieldError('schedule', scheduleType, 'schedule'),
        h('label', null, 'Clustering'), h('div', null, method, ' min cluster size ', minSize, ' min distinct users ', minUsers),
        fieldError('clustering_config', method, 'clustering'),
        errors,
        h('p', null, save, ' ', clone, ' ', test, ' ', saved)),
      h('div', { class: 'grow' },
        h('div', { class: 'panel' }, h('h2', null, 'Live preview'), preview),
        h('div', { class: 'panel' }, h('h2', null, 'Test on sample traces'), testOut))));
  // A new theme previews once something is typed: an empty form would only preview the defaults.
  if (themeId) runPreview();
}

const CREATED = 'prism.createdTheme';

/** A theme id from a name: "My error theme" → "my_error_theme". */
function slug(name) {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || `theme_${Date.now() % 100000}`;
}

/** Shown once on a theme's page after creating it: what happens now, and a first run over the last 7 days. */
function createdPanel(t) {
  const out = h('span', { class: 'muted', 'aria-live': 'polite' });
  const analyse = h('button', {
    type: 'button', class: 'primary', 'data-testid': 'analyse-7d', onclick: async () => {
      analyse.disabled = true;
      try {
        const run = await api(`/themes/${enc(t.theme_id)}/runs`, { method: 'POST', body: { date_from: '-7d' } });
        mount(out, `Run #${run.id} started over the last 7 days: ${fmtNumber(run.sampled)} traces to analyse. `, h('a', { href: '#/runs' }, 'Follow it on Runs'));
      } catch (e) {
        analyse.disabled = false;
        out.textContent = e.error === 'run_in_progress' ? 'A run of this theme is in progress.' : `Could not start the run: ${e.detail || e.message}`;
      }
    },
  }, 'Analyse the last 7 days now');
  return h('div', { class: 'panel notice', role: 'status', 'data-testid': 'created' },
    h('strong', null, `Theme “${t.name}” created`), ` (id ${t.theme_id}${t.enabled === false ? ', disabled' : ''}). `,
    t.enabled === false ? '' : 'New traces are analysed as they complete. ',
    h('p', null, analyse, ' ', h('a', { href: `#/themes/${enc(t.theme_id)}` }, 'Results →'), ' ', out));
}
