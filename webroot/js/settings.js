// Settings (#/settings): the project's LLM provider, model and daily budget; each theme's provider, model and budget; the
// project's base filters as rows; dead-lettered analyses with requeue; API keys (create, shown once; revoke).
// Each section loads on its own, so one failing says what failed with a Retry and the others still work.
// Theme names, errors and raw replies come from users and LLMs: all inserted as text through h().
import { h, mount, fmtUsd, fmtTime, debounce } from './dom.js';
import { api, apiOptional, ApiError, enc } from './api.js';
import { failureText, loadInto } from './failure.js';
import { filterEditor } from './filters.js';

const PROVIDERS = ['offline', 'openai', 'anthropic', 'gemini'];
let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

export async function settingsView(el) {
  const llm = h('section', { class: 'panel', 'aria-labelledby': 'settings-llm-h', 'data-testid': 'settings-llm' });
  const filters = h('section', { class: 'panel', 'aria-labelledby': 'settings-filters-h', 'data-testid': 'settings-filters' });
  const dead = h('section', { class: 'panel', 'aria-labelledby': 'settings-dead-h', 'data-testid': 'settings-dead' });
  const keys = h('section', { class: 'panel', 'aria-labelledby': 'settings-keys-h', 'data-testid': 'settings-keys' });
  const body = (node, heading, id) => { const b = h('div'); mount(node, h('h2', { id }, heading), b); return b; };
  mount(el,
    h('h1', null, 'Settings'),
    h('nav', { class: 'toc', 'aria-label': 'Settings sections' },
      h('a', { href: '#settings-llm-h', onclick: jump }, 'LLM and budget'), ' · ',
      h('a', { href: '#settings-filters-h', onclick: jump }, 'Base filters'), ' · ',
      h('a', { href: '#settings-dead-h', onclick: jump }, 'Dead letters'), ' · ',
      h('a', { href: '#settings-keys-h', onclick: jump }, 'API keys')),
    llm, filters, dead, keys);
  await Promise.all([
    loadInto(body(llm, 'LLM provider, model and budget', 'settings-llm-h'), 'Load the LLM settings', llmSection),
    loadInto(body(filters, 'Base filters', 'settings-filters-h'), 'Load the base filters', filtersSection),
    loadInto(body(dead, 'Dead letters', 'settings-dead-h'), 'Load the dead letters', deadSection),
    loadInto(body(keys, 'API keys', 'settings-keys-h'), 'Load the API keys', keysSection),
  ]);
  document.body.dataset.settingsReady = String(Date.now());
}

/** In-page links must not change the route (the hash is the route): scroll and focus instead. */
function jump(e) {
  e.preventDefault();
  const target = document.getElementById(e.currentTarget.getAttribute('href').slice(1));
  target?.setAttribute('tabindex', '-1');
  target?.focus();
  target?.scrollIntoView({ block: 'start' });
}

/** A labelled control with a hint and a message slot; answers {node, show(text), clear()}. */
function field(label, control, hint) {
  control.id = control.id || nextId('f');
  const msg = h('span', { class: 'field-error', id: nextId('err') });
  const hintEl = hint ? h('span', { class: 'muted hint', id: nextId('hint') }, hint) : null;
  control.setAttribute('aria-describedby', [hintEl?.id, msg.id].filter(Boolean).join(' '));
  return {
    node: h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl, msg),
    show(text) { msg.textContent = text; control.setAttribute('aria-invalid', 'true'); },
    clear() { msg.textContent = ''; control.removeAttribute('aria-invalid'); },
  };
}

/** "budget: …; model: …" → {budget: "…", model: "…"} for the fields the detail names. */
function problemsByField(detail) {
  const out = {};
  for (const p of String(detail || '').split(/;\s+/)) {
    const m = p.match(/^([a-z_.]+): (.*)$/s);
    if (m) out[m[1]] = out[m[1]] ? `${out[m[1]]}; ${m[2]}` : m[2];
    else out._ = out._ ? `${out._}; ${p}` : p;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ LLM

async function llmSection(el) {
  const [s, themes] = await Promise.all([api('/llm'), api('/themes')]);
  const providers = [...new Set([...PROVIDERS.filter((p) => s.providers_available?.includes(p)), s.provider])];
  const status = h('p', { 'data-testid': 'llm-status', role: 'status' });
  const paintStatus = (x) => mount(status,
    h('strong', null, x.status === 'active' ? 'Active' : x.status === 'paused_budget_reached' ? 'Paused: budget reached' : 'Paused: price unknown'),
    ` · ${x.provider} / ${x.model} · spent today ${fmtUsd(x.spent_today_usd)}`,
    x.daily_budget_usd != null ? ` of ${fmtUsd(x.daily_budget_usd)} (${x.budget_source === 'project' ? 'this project’s budget' : 'the server’s default'})` : ' · no daily budget',
    x.status_reason ? h('span', { class: 'muted' }, ` — ${x.status_reason}`) : null);
  paintStatus(s);

  const provider = h('select', { 'data-testid': 'llm-provider' },
    h('option', { value: '' }, 'Server default'),
    providers.map((p) => h('option', { value: p, selected: s.provider_source === 'project' && s.provider === p }, p)));
  const model = h('input', { value: s.provider_source === 'project' ? s.model : '', placeholder: `server default (${s.model})`, autocomplete: 'off', spellcheck: 'false', 'data-testid': 'llm-model' });
  const budget = h('input', {
    type: 'number', min: 0, step: 'any', inputmode: 'decimal', 'data-testid': 'llm-budget',
    value: s.budget_source === 'project' ? s.daily_budget_usd ?? '' : '', placeholder: s.budget_source === 'project' || s.daily_budget_usd == null ? 'none' : `server default ${s.daily_budget_usd}`,
  });
  const fProvider = field('Provider', provider, 'where the project’s analyses go; a theme may choose its own below');
  const fModel = field('Model', model, 'empty: the provider’s default model');
  const fBudget = field('Daily budget (USD)', budget, 'per UTC day for all themes of the project; empty: the server’s default; 0 pauses analysis');
  const summary = h('div', { class: 'errors', role: 'alert', tabindex: '-1', 'data-testid': 'llm-errors' });
  const saved = h('span', { class: 'muted', role: 'status', 'data-testid': 'llm-saved' });
  const save = h('button', { class: 'primary', type: 'submit', 'data-testid': 'llm-save' }, 'Save');
  const form = h('form', {
    class: 'settings-form', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      for (const f of [fProvider, fModel, fBudget]) f.clear();
      summary.replaceChildren();
      saved.textContent = '';
      const b = budget.value.trim();
      if (b !== '' && (Number.isNaN(Number(b)) || Number(b) < 0)) {
        fBudget.show('Enter an amount in USD, 0 or more (or leave it empty for the server’s default).');
        budget.focus();
        return;
      }
      const bodyOut = { provider: provider.value || null, model: model.value.trim() || null, daily_budget_usd: b === '' ? null : Number(b) };
      save.disabled = true;
      try {
        const out = await api('/llm', { method: 'PUT', body: bodyOut });
        paintStatus(out);
        saved.textContent = `Saved at ${new Date().toLocaleTimeString()}.`;
      } catch (e) {
        if (e instanceof ApiError && e.status === 400) {
          const p = problemsByField(e.detail);
          if (p.provider) fProvider.show(p.provider);
          if (p.model) fModel.show(p.model);
          if (p.daily_budget_usd) fBudget.show(p.daily_budget_usd);
          mount(summary, h('p', null, `Not saved: ${e.detail || e.error}`));
        } else {
          mount(summary, h('p', null, failureText('Not saved', e)));
        }
        summary.focus();
      } finally {
        save.disabled = false;
      }
    },
  }, summary, h('div', { class: 'row' }, fProvider.node, fModel.node, fBudget.node), h('p', null, save, ' ', saved));

  const spend = new Map((s.themes || []).map((t) => [t.theme_id, t]));
  const rows = themes.results.map((t) => themeLlmRow(t, spend.get(t.theme_id), providers));
  mount(el, status, form,
    h('h3', { id: 'settings-theme-llm-h' }, 'Per theme'),
    h('p', { class: 'muted' }, 'A theme’s own provider or model overrides the project’s; empty fields follow the project. A theme’s own daily budget (USD per UTC day) pauses only that theme once spent; empty: none of its own. The project’s daily budget above still caps every theme together.'),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'settings-theme-llm-h' },
      h('table', { class: 'theme-llm', 'data-testid': 'theme-llm' },
        h('caption', { class: 'sr-only' }, 'Provider, model and daily budget per theme'),
        h('thead', null, h('tr', null, ['Theme', 'Provider', 'Model', 'Daily budget (USD)', 'Runs with', 'Cost today', ''].map((c, i) =>
          h('th', { scope: 'col', class: i === 5 ? 'num' : null }, c || h('span', { class: 'sr-only' }, 'Save'))))),
        h('tbody', null, rows))));
}

function themeLlmRow(t, spend, providers) {
  const own = t.llm || {};
  const label = t.name || t.theme_id;
  const provider = h('select', { 'aria-label': `Provider for ${label}`, 'data-testid': `theme-provider-${t.theme_id}` },
    h('option', { value: '' }, 'Project’s'),
    [...new Set([...providers, own.provider].filter(Boolean))].map((p) => h('option', { value: p, selected: own.provider === p }, p)));
  const model = h('input', { value: own.model || '', placeholder: 'project’s', size: 16, autocomplete: 'off', spellcheck: 'false', 'aria-label': `Model for ${label}`, 'data-testid': `theme-model-${t.theme_id}` });
  const budget = h('input', {
    type: 'number', min: 0, step: 'any', inputmode: 'decimal', size: 8, value: own.daily_budget_usd ?? '', placeholder: 'none',
    'aria-label': `Daily budget in USD for ${label}`, 'data-testid': `theme-budget-${t.theme_id}`,
  });
  const budgetMsg = h('span', { class: 'field-error', id: nextId('err'), 'data-testid': `theme-budget-error-${t.theme_id}` });
  budget.setAttribute('aria-describedby', budgetMsg.id);
  const budgetError = (text) => {
    budgetMsg.textContent = text || '';
    if (text) budget.setAttribute('aria-invalid', 'true'); else budget.removeAttribute('aria-invalid');
  };
  const effective = h('td', { 'data-testid': `theme-effective-${t.theme_id}` });
  const cost = h('td', { class: 'num', 'data-testid': `theme-cost-${t.theme_id}` });
  const paint = (x) => {
    mount(effective, x ? `${x.provider} / ${x.model}` : '–',
      x?.status && x.status !== 'active' ? h('span', { class: 'badge', title: x.status_reason || '' },
        x.status === 'paused_price_unknown' ? 'price unknown' : 'paused: budget reached') : null);
    const today = fmtUsd(x?.spent_today_usd ?? x?.cost_today_usd ?? 0);
    mount(cost, x?.daily_budget_usd != null ? `${today} of ${fmtUsd(x.daily_budget_usd)}` : today);
  };
  paint(spend);
  const status = h('span', { class: 'muted', role: 'status' });
  const save = h('button', {
    type: 'button', 'aria-label': `Save provider, model and budget of ${label}`, 'data-testid': `theme-llm-save-${t.theme_id}`,
    onclick: async () => {
      status.textContent = '';
      budgetError('');
      const b = budget.value.trim();
      if (b !== '' && !(Number.isFinite(Number(b)) && Number(b) >= 0)) {
        budgetError('Enter an amount in USD, 0 or more (or leave it empty for no budget of its own).');
        budget.focus();
        return;
      }
      save.disabled = true;
      const llm = {};
      if (provider.value) llm.provider = provider.value;
      if (model.value.trim()) llm.model = model.value.trim();
      if (b !== '') llm.daily_budget_usd = Number(b);
      try {
        await api(`/themes/${enc(t.theme_id)}`, { method: 'PATCH', body: { llm } });
        const now = await apiOptional('/llm').catch(() => null);
        paint((now?.themes || []).find((x) => x.theme_id === t.theme_id));
        status.textContent = 'Saved.';
      } catch (e) {
        const p = e instanceof ApiError && e.status === 400 ? problemsByField(e.detail) : {};
        if (p['llm.daily_budget_usd']) budgetError(p['llm.daily_budget_usd']);
        status.textContent = failureText('Not saved', e);
      } finally {
        save.disabled = false;
      }
    },
  }, 'Save');
  return h('tr', { dataset: { theme: t.theme_id } },
    h('th', { scope: 'row' }, label), h('td', null, provider), h('td', null, model), h('td', null, budget, budgetMsg), effective,
    cost, h('td', null, save, ' ', status));
}

// ------------------------------------------------------------------------------------------------ base filters

async function filtersSection(el) {
  const r = await api('/base_filters');
  const datalist = h('datalist', { id: 'settings-property-names' });
  const suggest = debounce(async (prefix) => {
    const p = await apiOptional(`/properties?prefix=${enc(prefix)}`).catch(() => null);
    mount(datalist, (p?.results || []).slice(0, 50).map((n) => h('option', { value: n })));
  }, 150);
  suggest('');
  const editor = filterEditor({ field: 'base_filters', label: 'Base filters', filters: r.base_filters, suggest, listId: 'settings-property-names', testid: 'project-base-filters' });
  const msg = h('div', { class: 'errors', role: 'alert', 'data-testid': 'base-filters-errors' });
  const saved = h('span', { class: 'muted', role: 'status', 'data-testid': 'base-filters-saved' });
  const save = h('button', {
    class: 'primary', type: 'button', 'data-testid': 'base-filters-save',
    onclick: async () => {
      msg.replaceChildren();
      saved.textContent = '';
      let value;
      try { value = editor.value(); } catch (e) { mount(msg, h('p', null, e.message)); return; }
      save.disabled = true;
      try {
        await api('/base_filters', { method: 'PUT', body: { base_filters: value } });
        saved.textContent = `Saved at ${new Date().toLocaleTimeString()}.`;
      } catch (e) {
        mount(msg, e instanceof ApiError && e.status === 400
          ? h('ul', null, String(e.detail || e.error).split(/;\s+/).map((p) => h('li', null, p)))
          : h('p', null, failureText('Not saved', e)));
      } finally {
        save.disabled = false;
      }
    },
  }, 'Save base filters');
  mount(el,
    h('p', { class: 'muted' }, 'Every theme of the project looks only at traces that pass these, before its own filters. Properties are event properties ($ai_model, $ai_http_status, …) or trace figures (trace.latency, trace.cost_usd, trace.error_count, …).'),
    datalist, editor.el, msg, h('p', null, save, ' ', saved));
}

// ------------------------------------------------------------------------------------------------ dead letters

async function deadSection(el) {
  const themes = await api('/themes');
  const names = new Map(themes.results.map((t) => [t.theme_id, t.name || t.theme_id]));
  const tbody = h('tbody');
  const status = h('p', { role: 'status', 'data-testid': 'dead-status' });
  const empty = h('p', { class: 'empty', 'data-testid': 'dead-empty', hidden: true }, 'No dead letters: every analysis either succeeded or is still being tried.');
  let cursor = null;
  const selected = () => [...tbody.querySelectorAll('input[type=checkbox]:checked')].map((c) => Number(c.value));
  const requeue = async (ids, button) => {
    if (!ids.length) { status.textContent = 'Select the dead letters to requeue first.'; return; }
    button.disabled = true;
    try {
      const r = await api('/analyses/requeue', { method: 'POST', body: { ids } });
      for (const id of ids) tbody.querySelector(`tr[data-id="${id}"]`)?.remove();
      status.textContent = `Requeued ${r.requeued} analys${r.requeued === 1 ? 'is' : 'es'}: they are tried again with a fresh attempt count.`;
      paint();
    } catch (e) {
      status.textContent = failureText('Not requeued', e);
    } finally {
      button.disabled = false;
    }
  };
  const all = h('button', { type: 'button', 'data-testid': 'dead-requeue-selected', onclick: () => requeue(selected(), all) }, 'Requeue selected');
  const more = h('button', { type: 'button', hidden: true, 'data-testid': 'dead-more', onclick: () => load(false).catch((e) => { status.textContent = failureText('Could not load more dead letters', e); }) }, 'More');
  const table = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Dead letters' },
    h('table', { class: 'dead', 'data-testid': 'dead-letters' },
      h('caption', { class: 'sr-only' }, 'Dead-lettered analyses, oldest first'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Select')),
        ['Theme', 'Trace', 'Attempts', 'Last error', 'Raw reply', ''].map((c) => h('th', { scope: 'col' }, c || h('span', { class: 'sr-only' }, 'Requeue'))))),
      tbody));
  const actions = h('p', null, all);
  const paint = () => {
    const n = tbody.childElementCount;
    empty.hidden = n > 0;
    table.hidden = n === 0;
    actions.hidden = n === 0;
  };
  const row = (d) => {
    const label = `${names.get(d.theme_id) || d.theme_id}, trace ${d.trace_id}`;
    const one = h('button', { type: 'button', 'aria-label': `Requeue ${label}`, 'data-testid': 'dead-requeue', onclick: () => requeue([d.id], one) }, 'Requeue');
    return h('tr', { dataset: { id: String(d.id) } },
      h('td', null, h('input', { type: 'checkbox', value: String(d.id), 'aria-label': `Select ${label}` })),
      h('td', null, names.get(d.theme_id) || d.theme_id),
      h('td', { class: 'id' }, h('a', { href: `#/traces/${enc(d.trace_id)}` }, d.trace_id), h('span', { class: 'muted' }, ` v${d.trace_version}`)),
      h('td', { class: 'num' }, String(d.attempts)),
      h('td', { class: 'dead-error' }, d.last_error || ''),
      h('td', null, d.raw_reply ? h('details', null, h('summary', null, 'Show'), h('pre', { class: 'raw-reply' }, d.raw_reply)) : h('span', { class: 'muted' }, 'none')),
      h('td', null, one));
  };
  async function load(reset) {
    const page = await api(`/analyses/dead?limit=50${!reset && cursor ? `&cursor=${enc(cursor)}` : ''}`);
    if (reset) tbody.replaceChildren();
    for (const d of page.results) tbody.appendChild(row(d));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    paint();
  }
  await load(true);
  mount(el,
    h('p', { class: 'muted' }, 'Analyses that failed every attempt (the provider kept failing, or its answer never fit the contract). Requeue them once the cause is fixed.'),
    actions, table, empty, more, status);
}

// ------------------------------------------------------------------------------------------------ API keys

const SCOPES = [
  ['read', 'read: the REST and WebSocket APIs, read only'],
  ['ingest', 'ingest: send events, nothing else'],
  ['admin', 'admin: everything on the project, read included'],
];

async function keysSection(el) {
  const tbody = h('tbody');
  const list = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'API keys of the project' },
    h('table', { class: 'keys', 'data-testid': 'api-keys' },
      h('caption', { class: 'sr-only' }, 'API keys of the project'),
      h('thead', null, h('tr', null, ['Name', 'Scopes', 'Key', 'Created', 'Status', ''].map((c) => h('th', { scope: 'col' }, c || h('span', { class: 'sr-only' }, 'Revoke'))))),
      tbody));
  const empty = h('p', { class: 'empty', hidden: true, 'data-testid': 'keys-empty' }, 'No key of this project yet (the admin key of the first start covers every project and is not listed).');
  const reload = async () => {
    const r = await api('/keys');
    mount(tbody, r.results.slice().reverse().map((k) => keyRow(k)));
    empty.hidden = r.results.length > 0;
    list.hidden = r.results.length === 0;
  };
  await reload();

  const name = h('input', { autocomplete: 'off', size: 24, 'data-testid': 'key-name' });
  const fName = field('Name', name, 'who or what uses it, e.g. “ci” or “grafana”');
  const boxes = SCOPES.map(([v, words]) => {
    const box = h('input', { type: 'checkbox', value: v, id: nextId('scope'), checked: v === 'read', 'data-testid': `key-scope-${v}` });
    return { box, node: h('label', { class: 'inline', for: box.id }, box, words) };
  });
  const scopesMsg = h('span', { class: 'field-error', id: nextId('err') });
  const scopes = h('fieldset', { class: 'scopes', 'aria-describedby': scopesMsg.id }, h('legend', null, 'Scopes'), boxes.map((b) => b.node), scopesMsg);
  const created = h('div', { 'data-testid': 'key-created' });
  const summary = h('div', { class: 'errors', role: 'alert' });
  const create = h('button', { class: 'primary', type: 'submit', 'data-testid': 'key-create' }, 'Create key');
  const form = h('form', {
    class: 'settings-form', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      fName.clear();
      scopesMsg.textContent = '';
      summary.replaceChildren();
      const chosen = boxes.filter((b) => b.box.checked).map((b) => b.box.value);
      let bad = false;
      if (!name.value.trim()) { fName.show('A key needs a name.'); bad = true; }
      if (!chosen.length) { scopesMsg.textContent = 'Choose at least one scope.'; bad = true; }
      if (bad) { (name.value.trim() ? boxes[0].box : name).focus(); return; }
      create.disabled = true;
      try {
        const k = await api('/keys', { method: 'POST', body: { name: name.value.trim(), scopes: chosen } });
        name.value = '';
        mount(created, secretOnce(k, () => { created.replaceChildren(); name.focus(); }));
        created.querySelector('input')?.focus();
        created.querySelector('input')?.select();
        await reload().catch(() => {});
      } catch (e) {
        if (e instanceof ApiError && e.error === 'invalid_name') fName.show(e.detail);
        else if (e instanceof ApiError && e.error === 'invalid_scopes') scopesMsg.textContent = e.detail;
        else mount(summary, h('p', null, failureText('The key was not created', e)));
      } finally {
        create.disabled = false;
      }
    },
  }, summary, h('h3', null, 'New key'), h('div', { class: 'row' }, fName.node, scopes), h('p', null, create));

  function keyRow(k) {
    const status = h('td', { 'data-testid': 'key-status' }, k.revoked_at ? `revoked ${fmtTime(k.revoked_at)}` : 'active');
    const msg = h('span', { class: 'muted', role: 'status' });
    const cell = h('td');
    const revoke = h('button', {
      type: 'button', 'aria-label': `Revoke the key ${k.name}`, 'data-testid': 'key-revoke',
      onclick: () => {
        const yes = h('button', {
          type: 'button', class: 'danger', 'data-testid': 'key-revoke-yes',
          onclick: async () => {
            yes.disabled = true;
            try {
              const out = await api(`/keys/${enc(k.id)}`, { method: 'DELETE' });
              status.textContent = `revoked ${fmtTime(out.revoked_at)}`;
              mount(cell, h('span', { class: 'muted', role: 'status' }, 'Revoked: it stops working on the next request.'));
            } catch (e) {
              yes.disabled = false;
              msg.textContent = failureText('Not revoked', e);
            }
          },
        }, 'Revoke');
        const no = h('button', { type: 'button', onclick: () => { mount(cell, revoke); revoke.focus(); } }, 'Cancel');
        mount(cell, h('span', null, `Revoke “${k.name}”? `), yes, ' ', no, ' ', msg);
        no.focus();
      },
    }, 'Revoke…');
    if (!k.revoked_at) cell.appendChild(revoke);
    return h('tr', { dataset: { key: String(k.id) } },
      h('td', null, k.name), h('td', null, (k.scopes || []).join(', ')), h('td', null, h('code', null, k.display || '')),
      h('td', null, fmtTime(k.created_at)), status, cell);
  }

  mount(el,
    h('p', { class: 'muted' }, 'Keys of this project only. A key’s secret is shown once, when it is created; Prism keeps only its hash.'),
    form, created, list, empty);
}

/** The new key, once: a read-only field to copy from, gone for good with "Done" (nothing keeps it). */
function secretOnce(k, done) {
  const input = h('input', { readonly: true, value: k.key, size: 50, spellcheck: 'false', id: nextId('secret'), class: 'secret', 'data-testid': 'key-secret' });
  const copied = h('span', { class: 'muted', role: 'status' });
  const copy = h('button', {
    type: 'button', 'data-testid': 'key-copy',
    onclick: async () => {
      try { await navigator.clipboard.writeText(k.key); copied.textContent = 'Copied.'; } catch {
        input.select();
        copied.textContent = 'Select the key and copy it (Ctrl+C or ⌘C).';
      }
    },
  }, 'Copy');
  const finish = h('button', { type: 'button', class: 'primary', 'data-testid': 'key-done', onclick: () => { input.value = ''; done(); } }, 'Done, I stored it');
  return h('div', { class: 'panel notice', role: 'region', 'aria-label': 'New key' },
    h('p', null, h('strong', null, `Key “${k.name}” created. Copy it now: it is shown only this once.`)),
    h('label', { for: input.id }, 'The key'), input, ' ', copy, ' ', copied,
    h('p', null, finish));
}
