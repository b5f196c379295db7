// Filters as readable rows, never JSON: "Trace must match all of these conditions" (a list) or "any of these groups"
// (the built-in themes' {"type": "OR", "values": [list, list, …]}), each condition a row of property, operator and
// value. Only a shape the rows cannot say (groups within groups) falls back to JSON, with a sentence saying so.
import { h } from './dom.js';

export const OPERATORS = [
  ['exact', 'equals'], ['is_not', 'is not'], ['icontains', 'contains'], ['not_icontains', 'does not contain'],
  ['regex', 'matches regex'], ['not_regex', 'does not match regex'], ['gt', '>'], ['gte', '≥'], ['lt', '<'], ['lte', '≤'],
  ['is_set', 'is set'], ['is_not_set', 'is not set'],
];
const WORDS = new Map(OPERATORS);
const NUMERIC = new Set(['gt', 'gte', 'lt', 'lte']);
const NO_VALUE = new Set(['is_set', 'is_not_set']);

const isCondition = (f) => f && typeof f === 'object' && !Array.isArray(f) && typeof f.key === 'string';
const isList = (x) => Array.isArray(x) && x.every(isCondition);

/** "trace.latency ≥ 30" */
export function conditionWords(f) {
  const op = WORDS.get(f.operator) || f.operator || 'equals';
  if (NO_VALUE.has(f.operator)) return `${f.key} ${op}`;
  const v = f.value === undefined || f.value === null ? '' : typeof f.value === 'object' ? JSON.stringify(f.value) : String(f.value);
  return `${f.key} ${op} ${v}`;
}

/** The filters in words, for read-only places: "any of: (trace.error_count ≥ 1) or ($ai_http_status ≥ 400)". */
export function filtersWords(filters) {
  const shape = parse(filters);
  if (shape.mode === 'all') return shape.groups[0].length ? shape.groups[0].map(conditionWords).join(' and ') : 'every trace';
  if (shape.mode === 'any') return shape.groups.map((g) => `(${g.map(conditionWords).join(' and ')})`).join(' or ');
  return JSON.stringify(filters);
}

/** {mode: 'all' | 'any' | 'json', groups: [[condition…]…]} */
function parse(filters) {
  if (filters === null || filters === undefined) return { mode: 'all', groups: [[]] };
  if (isList(filters)) return { mode: 'all', groups: [filters] };
  if (filters && typeof filters === 'object' && Array.isArray(filters.values)) {
    const type = filters.type || 'AND';
    const lists = filters.values.map((v) => (isCondition(v) ? [v] : v));
    if (lists.every(isList)) {
      if (type === 'OR') return { mode: 'any', groups: lists.length ? lists : [[]] };
      if (type === 'AND') return { mode: 'all', groups: [lists.flat()] };
    }
  }
  return { mode: 'json' };
}

let uid = 0;

/**
 * An editor for one filter field. {@code label} names it ("Base filters"); {@code suggest(prefix)} fills the
 * datalist {@code listId} with property names. Answers {el, value(), onChange(fn)}; value() throws an Error whose
 * message starts with the field name when the JSON fallback does not parse.
 */
export function filterEditor({ field, label, filters, suggest = () => {}, readOnly = false, listId = 'property-names', testid = field, addTestid = `add-${testid}-filter` }) {
  const listeners = [];
  const fire = () => listeners.forEach((fn) => fn());
  const shape = parse(filters);
  const id = `${field}-${++uid}`;
  if (shape.mode === 'json') {
    const area = h('textarea', {
      rows: 6, disabled: readOnly, 'aria-label': `${label} as JSON`, 'data-testid': `${testid}-json`, oninput: fire,
    }, JSON.stringify(filters, null, 2));
    return {
      el: h('div', null, h('p', { class: 'muted hint' }, 'These filters nest groups within groups, which the rows cannot show; they are edited as JSON.'), area),
      onChange: (fn) => listeners.push(fn),
      value: () => { try { return JSON.parse(area.value); } catch { throw new Error(`${field}: not valid JSON`); } },
    };
  }

  const mode = h('select', { id: `${id}-mode`, disabled: readOnly, 'data-testid': `${testid}-mode` },
    h('option', { value: 'all', selected: shape.mode === 'all' }, 'all of these conditions'),
    h('option', { value: 'any', selected: shape.mode === 'any' }, 'any one of these groups'));
  const groupsEl = h('div', { class: 'filter-groups', 'data-testid': testid });
  const groups = [];

  const renumber = () => {
    const any = mode.value === 'any';
    groups.forEach((g, i) => g.setIndex(i, any, groups.length));
    addGroup.hidden = !any || readOnly;
  };
  const newGroup = (conditions) => {
    const g = conditionGroup(label, addTestid, conditions, suggest, readOnly, listId, fire, () => {
      groups.splice(groups.indexOf(g), 1);
      g.node.remove();
      renumber();
      fire();
      addGroup.focus();
    });
    groups.push(g);
    groupsEl.appendChild(g.node);
    return g;
  };
  shape.groups.forEach(newGroup);
  const addGroup = h('button', {
    type: 'button', 'data-testid': `add-${testid}-group`,
    onclick: () => { const g = newGroup([]); renumber(); g.add(); fire(); },
  }, '+ group');
  mode.addEventListener('change', () => {
    // Going to "all" merges the groups' conditions into one list, so nothing typed is lost.
    if (mode.value === 'all' && groups.length > 1) {
      const rest = groups.splice(1);
      for (const g of rest) { for (const c of g.value()) groups[0].add(c); g.node.remove(); }
    }
    renumber();
    fire();
  });
  renumber();
  return {
    el: h('div', { class: 'filter-editor' },
      h('p', { class: 'filter-mode' }, h('label', { class: 'inline', for: mode.id }, 'A trace must match'), mode),
      groupsEl, addGroup),
    onChange: (fn) => listeners.push(fn),
    value: () => {
      const lists = groups.map((g) => g.value()).filter((l) => l.length);
      if (mode.value === 'all') return lists.flat();
      return lists.length ? { type: 'OR', values: lists } : [];
    },
  };
}

/** One list of conditions (all must hold), with its rows and "+ condition". */
function conditionGroup(label, addTestid, conditions, suggest, readOnly, listId, fire, removeGroup) {
  const rows = h('div', { class: 'filter-rows' });
  const legend = h('legend');
  const empty = h('p', { class: 'muted hint' }, 'No condition: every trace passes.');
  let groupName = label;
  const refresh = () => {
    empty.hidden = rows.childElementCount > 0;
    [...rows.children].forEach((row, i) => row.setName(`${groupName}, condition ${i + 1}`));
  };
  const addRow = (f = { key: '', operator: 'exact', value: '', type: 'event' }) => {
    const key = h('input', { class: 'key', list: listId, value: f.key, placeholder: 'property, e.g. $ai_model', disabled: readOnly, autocomplete: 'off', spellcheck: 'false' });
    const op = h('select', { class: 'op', disabled: readOnly }, OPERATORS.map(([v, words]) => h('option', { value: v, selected: (f.operator || 'exact') === v }, words)));
    const value = h('input', {
      class: 'value', disabled: readOnly || NO_VALUE.has(f.operator), autocomplete: 'off',
      value: f.value === undefined || f.value === null ? '' : (typeof f.value === 'object' ? JSON.stringify(f.value) : String(f.value)),
    });
    const remove = h('button', { type: 'button', class: 'remove', disabled: readOnly, onclick: () => { const next = row.nextElementSibling || row.previousElementSibling; row.remove(); refresh(); fire(); (next?.querySelector('input') || addButton).focus(); } }, '×');
    const row = h('div', { class: 'filter-row', role: 'group' }, key, op, value, remove);
    row.setName = (name) => {
      row.setAttribute('aria-label', name);
      key.setAttribute('aria-label', `${name}: property`);
      op.setAttribute('aria-label', `${name}: operator`);
      value.setAttribute('aria-label', `${name}: value`);
      remove.setAttribute('aria-label', `Remove ${name}`);
    };
    row.filterValue = () => {
      const out = { key: key.value.trim(), operator: op.value, type: key.value.trim().startsWith('trace.') ? 'trace' : (f.type && f.type !== 'trace' ? f.type : 'event') };
      if (!NO_VALUE.has(op.value)) {
        const v = value.value;
        out.value = NUMERIC.has(op.value) && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
      }
      return out;
    };
    key.addEventListener('input', () => { suggest(key.value); fire(); });
    op.addEventListener('change', () => { value.disabled = readOnly || NO_VALUE.has(op.value); fire(); });
    value.addEventListener('input', fire);
    rows.appendChild(row);
    refresh();
    return key;
  };
  (conditions || []).forEach((c) => addRow(c));
  const addButton = h('button', { type: 'button', class: 'add-condition', 'data-testid': addTestid, disabled: readOnly, onclick: () => { addRow().focus(); fire(); } }, '+ condition');
  const removeButton = h('button', { type: 'button', class: 'link', disabled: readOnly, onclick: removeGroup }, 'Remove group');
  const node = h('fieldset', { class: 'filter-group' }, legend, rows, empty, h('p', { class: 'filter-actions' }, addButton, ' ', removeButton));
  refresh();
  return {
    node,
    add: (c) => addRow(c),
    setIndex(i, any, count) {
      groupName = any ? `${label}, group ${i + 1}` : label;
      legend.textContent = any ? `Group ${i + 1}${i > 0 ? ' (or)' : ''}: all of these` : 'Conditions';
      legend.classList.toggle('sr-only', !any);
      node.classList.toggle('plain', !any);
      addButton.setAttribute('aria-label', `Add a condition to ${groupName}`);
      removeButton.setAttribute('aria-label', `Remove ${groupName}`);
      removeButton.hidden = !any || count < 2 || readOnly;
      refresh();
    },
    value: () => [...rows.children].map((r) => r.filterValue()).filter((f) => f.key),
  };
}
