// A theme's Export (a file in one of four formats) and Share (read-only links) controls, for the results header.
// The download goes through api() so it carries the key; the file is saved from a Blob under the server's filename.
// A share link's token is a secret: it is shown once, at creation, and kept nowhere else (not in the URL, not logged).
import { h, mount, fmtTime } from './dom.js';
import { api, enc } from './api.js';
import { failurePanel } from './failure.js';

const FORMATS = [
  { key: 'md', label: 'Markdown report (.md)' },
  { key: 'ipynb', label: 'Jupyter notebook (.ipynb)' },
  { key: 'csv', label: 'Spreadsheet (.csv)' },
  { key: 'json', label: 'JSON (.json)' },
];

let ids = 0;

/** Answers {controls, panel}: the two header buttons, and the panel they open (one at a time) under the header. */
export function exportShare(themeId) {
  const panelId = `export-share-${++ids}`;
  const panel = h('div', { id: panelId, 'data-testid': 'export-share-panel', hidden: true });
  const buttons = {};
  const open = (which) => {
    const opening = buttons[which].getAttribute('aria-expanded') !== 'true';
    for (const b of Object.values(buttons)) b.setAttribute('aria-expanded', 'false');
    panel.hidden = !opening;
    if (!opening) { mount(panel); return; }
    buttons[which].setAttribute('aria-expanded', 'true');
    mount(panel, which === 'export' ? exportPanel(themeId) : sharePanel(themeId));
  };
  for (const which of ['export', 'share']) {
    buttons[which] = h('button', {
      type: 'button', 'data-testid': `${which}-open`, 'aria-expanded': 'false', 'aria-controls': panelId,
      onclick: () => open(which),
    }, which === 'export' ? 'Export' : 'Share');
  }
  return { controls: h('span', { class: 'row' }, buttons.export, buttons.share), panel };
}

function exportPanel(themeId) {
  const status = h('p', { class: 'muted', role: 'status', 'data-testid': 'export-status' });
  const failure = h('div');
  const save = async (f) => {
    await saveExport(themeId, f.key);
    mount(failure);
    status.textContent = `Downloaded the ${f.label}.`;
  };
  const download = async (f, button) => {
    button.disabled = true;
    mount(failure);
    status.textContent = `Preparing the ${f.label}…`;
    try {
      await save(f);
    } catch (e) {
      status.textContent = '';
      mount(failure, failurePanel(`Could not export the theme as ${f.label}`, e, () => save(f)));
    } finally {
      button.disabled = false;
    }
  };
  const list = h('div', { class: 'row', role: 'group', 'aria-labelledby': 'export-h' }, FORMATS.map((f) => {
    const b = h('button', { type: 'button', 'data-testid': `export-${f.key}`, onclick: () => download(f, b) }, f.label);
    return b;
  }));
  return h('section', { class: 'panel', 'aria-labelledby': 'export-h' },
    h('h2', { id: 'export-h' }, 'Export the active clusters'),
    h('p', { class: 'muted' }, 'Each cluster with its figures, trend, representative summaries and members.'),
    list, status, failure);
}

/** Downloads one export with the key and saves it under the server's filename. */
async function saveExport(themeId, format) {
  const response = await api(`/themes/${enc(themeId)}/export?format=${enc(format)}`, { raw: true });
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') || '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] || `prism-${themeId}.${format}`;
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked later: the browser reads the object URL after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function sharePanel(themeId) {
  const expires = h('input', { type: 'datetime-local', id: 'share-expires', 'data-testid': 'share-expires' });
  const created = h('div', { 'data-testid': 'share-created' });
  const failure = h('div');
  const list = h('div', { 'data-testid': 'share-list' });
  const load = async () => {
    const r = await api(`/themes/${enc(themeId)}/shares`);
    const links = r.results || [];
    mount(list, links.length === 0 ? h('p', { class: 'muted' }, 'No share links yet.')
      : h('ul', { class: 'share-links', 'aria-label': 'Share links' }, links.map((l) => shareRow(themeId, l, load))));
  };
  const create = async () => {
    const body = {};
    if (expires.value) body.expires_at = new Date(expires.value).toISOString();
    const link = await api(`/themes/${enc(themeId)}/shares`, { method: 'POST', body });
    mount(failure);
    mount(created, linkOnce(link, () => mount(created)));
    await load();
  };
  const button = h('button', {
    type: 'button', class: 'primary', 'data-testid': 'share-create',
    onclick: async () => {
      button.disabled = true;
      try { await create(); } catch (e) { mount(failure, failurePanel('Could not create the share link', e, create)); } finally { button.disabled = false; }
    },
  }, 'Create a read-only link');
  const section = h('section', { class: 'panel', 'aria-labelledby': 'share-h' },
    h('h2', { id: 'share-h' }, 'Share a read-only link'),
    h('p', { class: 'muted' }, 'Anyone with the link sees this theme’s clusters without a key, until it expires or is revoked.'),
    h('div', { class: 'row' }, h('label', { for: 'share-expires' }, 'Expires (optional) ', expires), button),
    failure, created, h('h3', null, 'Links'), list);
  const loadList = () => load().catch((e) => mount(list, failurePanel('Could not load the share links', e, load)));
  loadList();
  return section;
}

/** The new link, once: a read-only field and Copy; "Done" forgets it. */
function linkOnce(link, done) {
  const full = new URL(link.url, location.origin).href;
  const input = h('input', { readonly: true, value: full, id: 'share-url', class: 'secret', spellcheck: 'false', 'data-testid': 'share-url' });
  const copied = h('span', { class: 'muted', role: 'status' });
  const copy = h('button', {
    type: 'button', 'data-testid': 'share-copy',
    onclick: async () => {
      try { await navigator.clipboard.writeText(full); copied.textContent = 'Copied.'; } catch {
        input.select();
        copied.textContent = 'Select the link and copy it (Ctrl+C or ⌘C).';
      }
    },
  }, 'Copy');
  const finish = h('button', { type: 'button', 'data-testid': 'share-done', onclick: () => { input.value = ''; done(); } }, 'Done');
  return h('div', { class: 'panel notice', role: 'region', 'aria-label': 'New share link' },
    h('p', null, h('strong', null, 'Link created. Copy it now: it is shown only this once.')),
    h('label', { for: 'share-url' }, 'Share link'), ' ', input, ' ', copy, ' ', finish, ' ', copied);
}

function shareRow(themeId, l, reload) {
  const state = l.revoked_at ? `revoked ${fmtTime(l.revoked_at)}`
    : l.expires_at && new Date(l.expires_at) <= new Date() ? `expired ${fmtTime(l.expires_at)}`
      : `expires ${l.expires_at ? fmtTime(l.expires_at) : 'never'}`;
  const actions = h('span');
  const row = h('li', { 'data-testid': 'share-row', dataset: { id: String(l.id) } },
    h('strong', null, l.display || `link ${l.id}`), ' · created ', fmtTime(l.created_at), ' · ', h('span', { 'data-testid': 'share-state' }, state), l.revoked_at ? null : ' · ',
    actions);
  const label = `link ${l.display || l.id}`;
  const ask = () => {
    const yes = h('button', {
      type: 'button', class: 'danger', 'data-testid': 'share-revoke-confirm', 'aria-label': `Yes, revoke ${label}`,
      onclick: async () => {
        yes.disabled = true;
        try {
          await api(`/themes/${enc(themeId)}/shares/${enc(l.id)}`, { method: 'DELETE' });
          await reload();
        } catch (e) {
          mount(actions, failurePanel(`Could not revoke ${label}`, e, async () => {
            await api(`/themes/${enc(themeId)}/shares/${enc(l.id)}`, { method: 'DELETE' });
            await reload();
          }));
        }
      },
    }, 'Yes, revoke');
    const no = h('button', { type: 'button', 'data-testid': 'share-revoke-cancel', onclick: () => { idle(); } }, 'Cancel');
    mount(actions, h('span', null, 'Revoke this link? '), yes, ' ', no);
    yes.focus();
  };
  const idle = () => {
    if (l.revoked_at) { mount(actions); return; }
    mount(actions, h('button', { type: 'button', 'data-testid': 'share-revoke', 'aria-label': `Revoke ${label}`, onclick: ask }, 'Revoke'));
  };
  idle();
  return row;
}
