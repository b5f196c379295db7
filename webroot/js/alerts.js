// Alert rules (#/alerts), one rule's form with its test button and delivery log (#/alerts/new, #/alerts/{id}).
// Rule names, theme names, cluster ids and receivers' errors are inserted as text through h(), never parsed as HTML.
// Destination secrets are write-only: the API answers only `<field>_set` (and `<field>_host` for a URL), so the form
// shows "set" and offers to replace; nothing typed into a secret field is ever put back into the page.
import { h, mount, fmtNumber, fmtTime } from './dom.js';
import { api, apiOptional, ApiError, enc } from './api.js';
import { failurePanel } from './failure.js';

const TRIGGERS = [
  ['new_cluster', 'A new cluster appears'],
  ['size_reached', 'A cluster reaches a size'],
  ['growth', 'A cluster grows'],
  ['regressed', 'A cluster comes back (regressed)'],
  ['share_changed', 'The theme’s share changes'],
];

// Per destination type: its fields as the README's "Alert destinations" table names them. `secret`: never shown,
// answered as <name>_set (the server treats every URL, token and key as secret).
const DESTINATIONS = {
  slack: { label: 'Slack', fields: [{ name: 'url', label: 'Incoming webhook URL', secret: true, required: true }] },
  webhook: {
    label: 'Signed webhook', fields: [
      { name: 'url', label: 'Webhook URL', secret: true, required: true },
      { name: 'secret', label: 'Signing secret (16+ characters)', secret: true, required: true },
    ],
  },
  linear: {
    label: 'Linear', fields: [
      { name: 'api_key', label: 'API key', secret: true, required: true },
      { name: 'team_id', label: 'Team id', required: true },
      { name: 'api_url', label: 'API URL (optional)', secret: true },
      { name: 'key', label: 'Ticket key (optional, shared across rules)', secret: true },
    ],
  },
  github: {
    label: 'GitHub', fields: [
      { name: 'token', label: 'Token', secret: true, required: true },
      { name: 'repo', label: 'Repository (owner/name)', required: true },
      { name: 'api_url', label: 'API URL (optional, Enterprise)', secret: true },
      { name: 'key', label: 'Ticket key (optional, shared across rules)', secret: true },
    ],
  },
};

const SEVERITIES = ['low', 'medium', 'high'];

/** "grows 200 % day over day, at least 20 traces" */
export function triggerWords(t, conditions) {
  const per = (w) => (w === 'week' ? 'week over week' : 'day over day');
  let s;
  switch (t?.type) {
    case 'new_cluster': s = 'a new cluster appears'; break;
    case 'size_reached': s = `a cluster reaches ${fmtNumber(t.size)} traces`; break;
    case 'growth': s = `grows ${fmtNumber(t.percent, 1).replace(/\.0$/, '')} % ${per(t.window)}, at least ${fmtNumber(t.min_count)} traces`; break;
    case 'regressed': s = `comes back after ${t.quiet_days ?? 3} quiet days`; break;
    case 'share_changed': s = `theme share moves ${t.points} points ${per(t.window)}, at least ${fmtNumber(t.min_count)} analysed traces`; break;
    default: s = String(t?.type || '–');
  }
  const c = conditions || {};
  const parts = [];
  if (c.title_contains) parts.push(`title contains “${c.title_contains}”`);
  if (c.min_severity) parts.push(`severity ${c.min_severity} or higher`);
  if (c.min_distinct_users) parts.push(`at least ${c.min_distinct_users} distinct users`);
  return parts.length ? `${s}; ${parts.join(', ')}` : s;
}

function destinationWords(d) {
  const type = DESTINATIONS[d.type]?.label || d.type;
  const where = d.url_host || d.repo || d.team_id;
  return where ? `${type} (${where})` : type;
}

// ------------------------------------------------------------------------------------------------ the list

/** #/alerts?theme=error_analysis: one theme's rules (a theme's page can link here), "New rule" preset to it. */
export async function alertsView(el, query) {
  const only = new URLSearchParams(query || '').get('theme') || '';
  const [all, themes] = await Promise.all([api('/alerts'), api('/themes')]);
  const themeNames = new Map(themes.results.map((t) => [t.theme_id, t.name || t.theme_id]));
  const rules = { results: all.results.filter((r) => !only || r.theme_id === only) };
  const filter = h('select', {
    id: 'alerts-theme-filter', 'data-testid': 'alerts-theme-filter',
    onchange: () => { location.hash = filter.value ? `#/alerts?theme=${enc(filter.value)}` : '#/alerts'; },
  }, h('option', { value: '' }, 'All themes'),
  themes.results.map((t) => h('option', { value: t.theme_id, selected: t.theme_id === only }, t.name || t.theme_id)));
  const body = rules.results.length === 0
    ? h('p', { class: 'empty', 'data-testid': 'alerts-empty' }, only ? `No alert rule watches ${themeNames.get(only) || only} yet.` : 'No alert rules yet. A rule watches one theme’s clusters and tells Slack, a webhook, Linear or GitHub when a problem appears, grows or comes back.')
    : h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Alert rules' }, h('table', { class: 'alerts', 'data-testid': 'alert-rules' },
      h('caption', { class: 'sr-only' }, 'Alert rules'),
      h('thead', null, h('tr', null, ['Rule', 'Theme', 'Trigger', 'Destinations', 'Enabled', 'Last fired'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rules.results.map((r) => ruleRow(r, themeNames)))));
  mount(el,
    h('div', { class: 'row' }, h('h1', { class: 'grow' }, 'Alerts'),
      h('a', { class: 'button', href: only ? `#/alerts/new?theme=${enc(only)}` : '#/alerts/new', 'data-testid': 'alert-new' }, 'New rule')),
    h('p', null, h('label', { class: 'inline', for: filter.id }, 'Theme', filter)),
    body);
  document.body.dataset.alertsReady = String(rules.results.length);
}

function ruleRow(r, themeNames) {
  const status = h('span', { class: 'muted', role: 'status' });
  const toggle = h('input', {
    type: 'checkbox', checked: r.enabled, 'aria-label': `Enabled: ${r.name}`, 'data-testid': `alert-enabled-${r.id}`,
    onchange: async () => {
      toggle.disabled = true;
      try {
        const updated = await api(`/alerts/${enc(r.id)}`, { method: 'PATCH', body: { enabled: toggle.checked } });
        toggle.checked = updated.enabled;
        status.textContent = '';
      } catch (e) {
        toggle.checked = !toggle.checked;
        status.textContent = `Not saved: ${e.detail || e.message}`;
      } finally {
        toggle.disabled = false;
      }
    },
  });
  const lastFired = h('td', { 'data-testid': 'alert-last-fired' }, '…');
  // The rule API has no "last fired"; the newest delivery of a real (not test) notice tells it.
  apiOptional(`/alerts/${enc(r.id)}/deliveries?limit=50`).then((d) => {
    const fired = (d?.results || []).find((x) => x.kind !== 'test');
    lastFired.textContent = fired ? fmtTime(fired.created_at) : 'never';
  }).catch(() => { lastFired.textContent = '–'; });
  return h('tr', { dataset: { rule: r.id } },
    h('td', null, h('a', { href: `#/alerts/${enc(r.id)}`, 'data-testid': 'alert-link' }, r.name)),
    h('td', null, themeNames.get(r.theme_id) || r.theme_id),
    h('td', { 'data-testid': 'alert-trigger' }, triggerWords(r.trigger, r.conditions)),
    h('td', { 'data-testid': 'alert-destinations' }, (r.destinations || []).map(destinationWords).join(', ')),
    h('td', null, toggle, ' ', status),
    lastFired);
}

// ------------------------------------------------------------------------------------------------ one rule

export async function alertView(el, ruleId, query) {
  const [rule, themes] = await Promise.all([ruleId ? apiOptional(`/alerts/${enc(ruleId)}`) : null, api('/themes')]);
  if (ruleId && !rule) {
    mount(el, h('p', { class: 'empty', 'data-testid': 'alert-missing' }, 'There is no such alert rule. ', h('a', { href: '#/alerts' }, 'All rules')));
    return;
  }
  const form = ruleForm(rule, themes.results, new URLSearchParams(query || '').get('theme'));
  const log = rule ? deliveryLog(rule) : null;
  mount(el,
    h('p', { class: 'crumbs' }, h('a', { href: '#/alerts' }, 'Alerts'), ' / ', rule ? rule.name : 'New rule'),
    h('h1', { 'data-testid': 'alert-title' }, rule ? rule.name : 'New alert rule'),
    form,
    rule ? testPanel(rule, log.reload) : null,
    log?.node);
  document.body.dataset.alertReady = ruleId || 'new';
}

let flash = '';
let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

/** A labelled control with a place for its server message; `fields` maps the API's path (trigger.percent) to it. */
function field(fields, path, label, control, hint) {
  control.id = control.id || nextId('f');
  const msg = h('span', { class: 'field-error', id: nextId('err'), hidden: true });
  const hintEl = hint ? h('span', { class: 'muted hint', id: nextId('hint') }, hint) : null;
  control.setAttribute('aria-describedby', [hintEl?.id, msg.id].filter(Boolean).join(' '));
  fields.set(path, { control, msg });
  return h('div', { class: 'field', dataset: { field: path } }, h('label', { for: control.id }, label), control, hintEl, msg);
}

function ruleForm(rule, themes, presetTheme) {
  const fields = new Map(); // API path -> {control, msg}
  const t = rule?.trigger || { type: 'growth', percent: 200, window: 'day', min_count: 20 };
  const c = rule?.conditions || {};

  const name = h('input', { value: rule?.name || '', size: 40, required: true, autocomplete: 'off', 'data-testid': 'alert-name' });
  const theme = h('select', { 'data-testid': 'alert-theme' }, themes.map((x) =>
    h('option', { value: x.theme_id, selected: x.theme_id === (rule ? rule.theme_id : presetTheme) }, x.name || x.theme_id)));
  if (rule && !themes.some((x) => x.theme_id === rule.theme_id)) {
    theme.appendChild(h('option', { value: rule.theme_id, selected: true }, `${rule.theme_id} (no longer exists)`));
  }
  const type = h('select', { 'data-testid': 'alert-trigger-type' }, TRIGGERS.map(([v, l]) => h('option', { value: v, selected: v === t.type }, l)));
  const num = (v, attrs) => h('input', { type: 'number', value: v ?? '', inputmode: 'decimal', ...attrs });
  const size = num(t.size ?? 50, { min: 1, 'data-testid': 'alert-size' });
  const percent = num(t.percent ?? 200, { min: 1, step: 'any', 'data-testid': 'alert-percent' });
  const points = num(t.points ?? 10, { min: 0.1, max: 100, step: 'any', 'data-testid': 'alert-points' });
  const minCount = num(t.min_count ?? 20, { min: 1, 'data-testid': 'alert-min-count' });
  const quietDays = num(t.quiet_days ?? 3, { min: 1, max: 11, 'data-testid': 'alert-quiet-days' });
  const windowSel = h('select', { 'data-testid': 'alert-window' },
    h('option', { value: 'day', selected: t.window !== 'week' }, 'day over day'),
    h('option', { value: 'week', selected: t.window === 'week' }, 'week over week'));
  const triggerFields = {
    size: field(fields, 'trigger.size', 'Size (traces)', size),
    percent: field(fields, 'trigger.percent', 'Growth (%)', percent),
    points: field(fields, 'trigger.points', 'Change (percentage points)', points),
    window: field(fields, 'trigger.window', 'Compared', windowSel),
    min_count: field(fields, 'trigger.min_count', 'At least (traces in the window)', minCount),
    quiet_days: field(fields, 'trigger.quiet_days', 'Quiet days before the comeback', quietDays),
  };
  const shown = {
    new_cluster: [], size_reached: ['size'], growth: ['percent', 'window', 'min_count'],
    regressed: ['quiet_days'], share_changed: ['points', 'window', 'min_count'],
  };

  const title = h('input', { value: c.title_contains || '', size: 30, autocomplete: 'off', 'data-testid': 'alert-title-contains' });
  const severity = h('select', { 'data-testid': 'alert-min-severity' }, h('option', { value: '' }, 'any'),
    SEVERITIES.map((s) => h('option', { value: s, selected: s === c.min_severity }, s)));
  const users = num(c.min_distinct_users ?? '', { min: 1, 'data-testid': 'alert-min-users' });
  const conditions = h('fieldset', { class: 'conditions' }, h('legend', null, 'Conditions (optional, all must hold)'),
    h('div', { class: 'row' },
      field(fields, 'conditions.title_contains', 'Cluster name contains', title),
      field(fields, 'conditions.min_severity', 'Minimum severity', severity),
      field(fields, 'conditions.min_distinct_users', 'Minimum distinct users', users)));
  const cooldown = num(rule?.cooldown_seconds ?? 3600, { min: 0, 'data-testid': 'alert-cooldown' });
  const enabled = h('input', { type: 'checkbox', checked: rule ? rule.enabled : true, id: nextId('enabled'), 'data-testid': 'alert-enabled' });

  const showTrigger = () => {
    const on = new Set(shown[type.value] || []);
    for (const [k, node] of Object.entries(triggerFields)) node.hidden = !on.has(k);
    // A share rule is about the theme, not a cluster: the server refuses conditions on it.
    conditions.hidden = type.value === 'share_changed';
  };
  type.addEventListener('change', showTrigger);
  showTrigger();

  // Destinations: existing ones keep their secrets server-side unless the list is changed.
  const list = h('div', { class: 'destinations', 'data-testid': 'alert-destinations-editor' });
  const editors = [];
  let destinationsTouched = false;
  const touch = () => { destinationsTouched = true; };
  const renumber = () => editors.forEach((e, i) => e.setIndex(i));
  const addEditor = (d) => {
    const e = destinationEditor(d, touch, () => {
      touch();
      editors.splice(editors.indexOf(e), 1);
      e.node.remove();
      renumber();
      addType.focus();
    });
    editors.push(e);
    list.appendChild(e.node);
    renumber();
    return e;
  };
  (rule?.destinations || []).forEach(addEditor);
  const addType = h('select', { 'aria-label': 'Destination type to add', 'data-testid': 'alert-add-type' },
    Object.entries(DESTINATIONS).map(([k, v]) => h('option', { value: k }, v.label)));
  const addButton = h('button', {
    type: 'button', 'data-testid': 'alert-add-destination',
    onclick: () => { touch(); addEditor({ type: addType.value }).focus(); },
  }, 'Add destination');
  const destinationsMsg = h('span', { class: 'field-error', id: nextId('err'), hidden: true });
  fields.set('destinations', { control: addType, msg: destinationsMsg });

  const summary = h('div', { class: 'errors', role: 'alert', 'data-testid': 'alert-form-errors', tabindex: '-1' });
  const saved = h('p', { class: 'muted', role: 'status', 'data-testid': 'alert-saved' }, flash);
  flash = '';
  const save = h('button', { class: 'primary', type: 'submit', 'data-testid': 'alert-save' }, rule ? 'Save changes' : 'Create rule');

  const clearMessages = () => {
    summary.replaceChildren();
    for (const { control, msg } of fields.values()) { msg.hidden = true; msg.textContent = ''; control.removeAttribute('aria-invalid'); }
    for (const e of editors) e.clearMessages();
  };
  // A problem's place in words: the field's label, within its destination ("1. Slack (new) › Incoming webhook URL").
  const where = (path) => {
    const target = fields.get(path) || editorField(editors, path);
    const label = target?.control?.id && target.control.ownerDocument.querySelector(`label[for="${target.control.id}"]`);
    const legend = target?.control?.closest('fieldset.destination')?.querySelector('legend');
    const text = label ? label.firstChild.textContent.trim() : path;
    return legend ? `${legend.textContent} › ${text}` : text;
  };
  const showMessages = (problems) => {
    for (const [path, text] of problems) {
      const target = fields.get(path) || editorField(editors, path);
      if (target) {
        target.msg.textContent = text;
        target.msg.hidden = false;
        target.control.setAttribute('aria-invalid', 'true');
      }
    }
    // Every problem is listed at the top too (with its API path), so one not tied to a field is not lost.
    mount(summary, h('p', null, 'The rule was not saved:'),
      h('ul', null, problems.map(([p, m]) => h('li', null, `${where(p)}: ${m}`))));
    summary.focus();
  };

  const del = rule ? deleteControl(rule) : null;
  const form = h('form', {
    class: 'panel alert-form', 'data-testid': 'alert-form', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      clearMessages();
      saved.textContent = '';
      const trigger = { type: type.value };
      const n = (input) => (input.value.trim() === '' ? undefined : Number(input.value));
      if (type.value === 'size_reached') trigger.size = n(size);
      if (type.value === 'growth') Object.assign(trigger, { percent: n(percent), window: windowSel.value, min_count: n(minCount) });
      if (type.value === 'regressed') trigger.quiet_days = n(quietDays);
      if (type.value === 'share_changed') Object.assign(trigger, { points: n(points), window: windowSel.value, min_count: n(minCount) });
      const cond = {};
      if (type.value !== 'share_changed') {
        if (title.value.trim()) cond.title_contains = title.value.trim();
        if (severity.value) cond.min_severity = severity.value;
        if (users.value.trim()) cond.min_distinct_users = Number(users.value);
      }
      const body = {
        name: name.value.trim(), theme_id: theme.value, trigger, conditions: cond,
        cooldown_seconds: n(cooldown), enabled: enabled.checked,
      };
      // Leaving destinations out of a PATCH keeps the stored secrets; a changed list is sent whole, so every
      // destination's secrets must be typed again (the server never answers them).
      if (!rule || destinationsTouched) {
        const problems = [];
        body.destinations = editors.map((e, i) => e.value(problems, i));
        if (problems.length) { showMessages(problems); return; }
      }
      save.disabled = true;
      try {
        const out = rule
          ? await api(`/alerts/${enc(rule.id)}`, { method: 'PATCH', body })
          : await api('/alerts', { method: 'POST', body });
        if (!rule) { location.hash = `#/alerts/${enc(out.id)}`; return; }
        // Show the rule as stored (its destinations as "set" again), with the message on the fresh page.
        flash = `Saved at ${new Date().toLocaleTimeString()}.`;
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      } catch (e) {
        if (e instanceof ApiError && e.status === 400) showMessages(parseProblems(e.detail || e.error || 'invalid'));
        else { mount(summary, h('p', null, `Not saved: ${e.detail || e.message}`)); summary.focus(); }
      } finally {
        save.disabled = false;
      }
    },
  },
  summary,
  h('div', { class: 'row' },
    field(fields, 'name', 'Name', name),
    field(fields, 'theme_id', 'Theme', theme)),
  h('fieldset', null, h('legend', null, 'Trigger'),
    h('div', { class: 'row' }, field(fields, 'trigger.type', 'When', type), Object.values(triggerFields))),
  conditions,
  h('fieldset', null, h('legend', null, 'Destinations'),
    rule ? h('p', { class: 'muted hint' }, 'Secrets are write-only: they show as “set”. Leave the destinations as they are to keep them; changing, adding or removing one sends the list again, so type each secret again.') : null,
    list,
    h('div', { class: 'row add-destination' }, addType, addButton, destinationsMsg)),
  h('div', { class: 'row' },
    field(fields, 'cooldown_seconds', 'Cooldown (seconds)', cooldown, 'quiet about one cluster this long after firing'),
    h('div', { class: 'field' }, h('label', { class: 'inline', for: enabled.id }, enabled, 'Enabled'))),
  h('p', { class: 'actions' }, save, ' ', del?.button), del?.confirm, saved);
  return form;
}

/** "name: required; destinations[0]: secret: required, …" -> [["name", "required"], ["destinations[0].secret", "required, …"]] */
export function parseProblems(detail) {
  return String(detail).split(/; (?=[a-z_]+(?:\[\d+\])?[a-z_.]*: )/).map((p) => {
    const m = p.match(/^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)?): (.*)$/s);
    if (!m) return ['rule', p];
    const d = m[1].match(/^destinations\[\d+\]$/) && m[2].match(/^([a-z_]+): (.*)$/s);
    return d ? [`${m[1]}.${d[1]}`, d[2]] : [m[1], m[2]];
  });
}

function editorField(editors, path) {
  const m = path.match(/^destinations\[(\d+)\](?:\.([a-z_]+))?$/);
  const e = m && editors[Number(m[1])];
  return e ? e.field(m[2] || 'type') : null;
}

function destinationEditor(d, touch, remove) {
  const spec = DESTINATIONS[d.type] || { label: d.type, fields: [] };
  const existing = !!d.id || Object.keys(d).some((k) => k.endsWith('_set'));
  const heading = h('legend');
  const inputs = new Map();
  const msgs = new Map();
  const rows = spec.fields.map((f) => {
    const isSet = f.secret && d[`${f.name}_set`];
    const input = h('input', {
      id: nextId('dest'), autocomplete: f.secret ? 'new-password' : 'off', spellcheck: 'false',
      type: f.secret ? 'password' : 'text', size: 40, value: f.secret ? '' : (d[f.name] ?? ''),
      placeholder: isSet ? 'set — type a new value to replace it' : '',
      'data-testid': `dest-${f.name}`, oninput: touch,
    });
    const msg = h('span', { class: 'field-error', id: nextId('err'), hidden: true });
    const state = isSet ? h('span', { class: 'badge set', id: nextId('set'), 'data-testid': `dest-${f.name}-set` },
      d[`${f.name}_host`] ? `set (${d[`${f.name}_host`]})` : 'set') : null;
    input.setAttribute('aria-describedby', [state?.id, msg.id].filter(Boolean).join(' '));
    inputs.set(f.name, input);
    msgs.set(f.name, msg);
    return h('div', { class: 'field' }, h('label', { for: input.id }, f.label, state ? ' ' : null, state), input, msg);
  });
  const typeMsg = h('span', { class: 'field-error', hidden: true });
  msgs.set('type', typeMsg);
  const removeButton = h('button', { type: 'button', class: 'link', 'data-testid': 'dest-remove', onclick: remove }, 'Remove');
  const node = h('fieldset', { class: 'destination', dataset: { type: d.type } }, heading, h('div', { class: 'row' }, rows), typeMsg,
    h('p', null, removeButton));
  return {
    node,
    setIndex(i) {
      heading.textContent = `${i + 1}. ${spec.label}${existing ? '' : ' (new)'}`;
      removeButton.setAttribute('aria-label', `Remove destination ${i + 1} (${spec.label})`);
    },
    focus() { inputs.values().next().value?.focus(); },
    field(name) { return msgs.has(name) ? { msg: msgs.get(name), control: inputs.get(name) || removeButton } : null; },
    clearMessages() {
      for (const [k, m] of msgs) { m.hidden = true; m.textContent = ''; inputs.get(k)?.removeAttribute('aria-invalid'); }
    },
    value(problems, i) {
      const out = { type: d.type };
      for (const f of spec.fields) {
        const v = inputs.get(f.name).value.trim();
        if (v) out[f.name] = v;
        else if (existing && f.secret && (f.required || d[`${f.name}_set`])) problems.push([`destinations[${i}].${f.name}`, 'type it again: the list of destinations changed and the server never answers stored secrets']);
      }
      return out;
    },
  };
}

function deleteControl(rule) {
  const confirm = h('div', { class: 'panel notice', hidden: true, role: 'group', 'aria-label': 'Confirm deletion', 'data-testid': 'alert-delete-confirm' });
  const button = h('button', {
    type: 'button', 'data-testid': 'alert-delete',
    onclick: () => {
      const yes = h('button', {
        type: 'button', class: 'danger', 'data-testid': 'alert-delete-yes',
        onclick: async () => {
          yes.disabled = true;
          try {
            await api(`/alerts/${enc(rule.id)}`, { method: 'DELETE' });
            location.hash = '#/alerts';
          } catch (e) {
            yes.disabled = false;
            status.textContent = `Not deleted: ${e.detail || e.message}`;
          }
        },
      }, 'Delete');
      const no = h('button', { type: 'button', onclick: () => { confirm.hidden = true; button.focus(); } }, 'Cancel');
      const status = h('span', { class: 'error', role: 'status' });
      mount(confirm, h('p', null, `Delete the rule “${rule.name}”? Its delivery log goes with it. This cannot be undone.`), yes, ' ', no, ' ', status);
      confirm.hidden = false;
      no.focus();
    },
  }, 'Delete rule…');
  return { button, confirm };
}

// ------------------------------------------------------------------------------------------------ test and log

function testPanel(rule, reload) {
  const out = h('p', { role: 'status', 'data-testid': 'alert-test-outcome' });
  const button = h('button', {
    type: 'button', 'data-testid': 'alert-test',
    onclick: async () => {
      button.disabled = true;
      out.textContent = 'Sending…';
      delete out.dataset.state;
      try {
        const r = await api(`/alerts/${enc(rule.id)}/test`, { method: 'POST' });
        out.textContent = `Queued to ${r.deliveries.length} destination${r.deliveries.length === 1 ? '' : 's'}…`;
        // Delivery is asynchronous (the worker retries): follow this firing's rows until none is pending or being sent,
        // at most a minute; a row still retrying then says so, and the log below keeps its attempts.
        const until = Date.now() + 60_000;
        let rows = r.deliveries;
        const open = (d) => d.status === 'pending' || d.status === 'sending';
        for (let i = 0; rows.some(open) && Date.now() < until && out.isConnected; i++) {
          await new Promise((res) => setTimeout(res, i < 10 ? 300 : 1000));
          const page = await api(`/alerts/${enc(rule.id)}/deliveries?limit=50`);
          rows = page.results.filter((d) => d.firing_id === r.firing_id);
        }
        out.textContent = 'Test alert: ' + rows.map((d) => `${DESTINATIONS[d.destination_type]?.label || d.destination_type} ${d.status}`
          + (d.response_code ? ` (${d.response_code})` : '') + (d.status !== 'delivered' && d.error ? `: ${d.error}` : '')).join('; ');
        out.dataset.state = rows.every((d) => d.status === 'delivered') ? 'delivered' : rows.some(open) ? 'pending' : 'failed';
        await reload();
      } catch (e) {
        out.textContent = `The test alert could not be sent: ${e.detail || e.message}`;
        out.dataset.state = 'failed';
      } finally {
        button.disabled = false;
      }
    },
  }, 'Send test alert');
  return h('section', { class: 'panel', 'aria-labelledby': 'alert-test-h' },
    h('h2', { id: 'alert-test-h' }, 'Test'),
    h('p', { class: 'muted' }, 'Sends a notice of kind “test” to every destination of the saved rule now, through the delivery log.'),
    button, out);
}

function deliveryLog(rule) {
  const body = h('tbody');
  // Focusable so a keyboard can scroll it on a phone (axe: scrollable-region-focusable).
  const table = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Delivery log' }, h('table', { class: 'deliveries', 'data-testid': 'alert-deliveries' },
    h('caption', { class: 'sr-only' }, 'Deliveries, newest first'),
    h('thead', null, h('tr', null, ['Time', 'Notice', 'Destination', 'Status', 'Attempts', 'Response', 'Error'].map((c) => h('th', { scope: 'col' }, c)))),
    body));
  const empty = h('p', { class: 'empty', 'data-testid': 'alert-deliveries-empty', hidden: true }, 'Nothing delivered yet.');
  let cursor = null;
  const more = h('button', { type: 'button', hidden: true, 'data-testid': 'alert-deliveries-more', onclick: () => load(false) }, 'Older deliveries');
  const refresh = h('button', { type: 'button', 'data-testid': 'alert-deliveries-refresh', onclick: () => load(true) }, 'Refresh');
  async function load(reset) {
    const page = await api(`/alerts/${enc(rule.id)}/deliveries?limit=25${!reset && cursor ? `&cursor=${enc(cursor)}` : ''}`);
    if (reset) body.replaceChildren();
    for (const d of page.results) body.appendChild(deliveryRow(d));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    empty.hidden = body.childElementCount > 0;
    table.hidden = body.childElementCount === 0;
  }
  const firstLoad = () => load(true).catch((e) => {
    mount(empty, failurePanel('Could not load the delivery log', e, async () => {
      await load(true);
      mount(empty, 'Nothing delivered yet.');
    }));
    empty.hidden = false;
  });
  firstLoad();
  const node = h('section', { class: 'panel', 'aria-labelledby': 'alert-log-h' },
    h('div', { class: 'row' }, h('h2', { id: 'alert-log-h', class: 'grow' }, 'Delivery log'), refresh),
    table, empty, more);
  return { node, reload: () => load(true) };
}

function deliveryRow(d) {
  const attempts = (d.log || []).map((a) => `#${a.attempt} ${fmtTime(a.at)}: ${a.response_code ?? 'no answer'}${a.error ? ` (${a.error})` : ''}, ${a.elapsed_ms} ms`);
  return h('tr', { dataset: { status: d.status, kind: d.kind } },
    h('td', null, fmtTime(d.delivered_at || d.created_at)),
    h('td', null, d.kind, d.cluster_id ? h('span', { class: 'muted' }, ` ${d.cluster_id}`) : null),
    h('td', null, `${d.destination_index + 1}. ${DESTINATIONS[d.destination_type]?.label || d.destination_type}`),
    h('td', { class: `status status-${d.status}`, 'data-testid': 'delivery-status' }, d.status,
      d.status === 'pending' && d.next_attempt_at ? h('span', { class: 'muted' }, ` next ${fmtTime(d.next_attempt_at)}`) : null),
    h('td', { class: 'num' }, attempts.length > 1
      ? h('details', null, h('summary', null, String(d.attempts)), h('ul', { class: 'attempts' }, attempts.map((a) => h('li', null, a))))
      : String(d.attempts)),
    h('td', { class: 'num', 'data-testid': 'delivery-code' }, d.response_code ?? '–'),
    h('td', { class: 'delivery-error' }, d.error || ''));
}
