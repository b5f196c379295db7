// The dashboard shell: sign-in, project scope (a picker of the projects the key covers, so an unknown project is never
// used), hash routing, failures with a Retry, the live indicator.
import { h, mount, fmtTime } from './dom.js';
import { api, session, ApiError, enc } from './api.js';
import { failurePanel } from './failure.js';
import { settingsView } from './settings.js';
import * as live from './live.js';
import { themesView, themeFormView } from './themes.js';
import { resultsView } from './results.js';
import { traceView, tracesView } from './trace.js';
import { runsView } from './runs.js';
import { clusterView } from './cluster.js';
import { sharedView } from './shared.js';
import { alertsView, alertView } from './alerts.js';
import { searchView, hashWith } from './search.js';

const app = document.getElementById('app');
let cleanup = null;
let started = false;
let generation = 0;
/** The projects the key covers (GET /api/projects), loaded once per sign-in. */
let projects = null;
/** Why the picker is shown, when it was not asked for ("There is no project “x”"). */
let pickerReason = '';

// ?project= in the address names the project, so a link can share it; the hash stays the view.
const fromUrl = new URLSearchParams(location.search).get('project');
if (fromUrl) session.project = fromUrl;

const routes = [
  [/^#\/themes\/new$/, (m, outlet) => themeFormView(outlet, null)],
  [/^#\/themes\/([^/]+)\/edit$/, (m, outlet) => themeFormView(outlet, decodeURIComponent(m[1]))],
  [/^#\/themes\/([^/]+)\/clusters\/([^/?]+)(?:\?(.*))?$/, (m, outlet) => clusterView(outlet, decodeURIComponent(m[1]), decodeURIComponent(m[2]), m[3])],
  [/^#\/themes\/([^/?]+)(?:\/(clusters|trend|map|summaries))?(?:\?(.*))?$/, (m, outlet) => resultsView(outlet, decodeURIComponent(m[1]), m[2] || 'clusters', m[3])],
  [/^#\/traces\/([^?]+)(?:\?(.*))?$/, (m, outlet) => traceView(outlet, decodeURIComponent(m[1]), m[2])],
  [/^#\/traces(?:\?(.*))?$/, (m, outlet) => tracesView(outlet, m[1])],
  [/^#\/search(?:\?(.*))?$/, (m, outlet) => searchView(outlet, m[1])],
  [/^#\/runs$/, (m, outlet) => runsView(outlet)],
  [/^#\/themes$/, (m, outlet) => themesView(outlet)],
  [/^#\/alerts(?:\?(.*))?$/, (m, outlet) => alertsView(outlet, m[1])],
  [/^#\/alerts\/new(?:\?(.*))?$/, (m, outlet) => alertView(outlet, null, m[1])],
  [/^#\/alerts\/([^/]+)$/, (m, outlet) => alertView(outlet, decodeURIComponent(m[1]))],
  [/^#\/settings$/, (m, outlet) => settingsView(outlet)],
];

function render() {
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  // A share link is read without an API key and shows nothing of the signed-in dashboard.
  const shared = (location.hash || '').match(/^#\/shared\/([^/]+)$/);
  if (shared) {
    if (started) { live.disconnect(); started = false; }
    setChrome(false);
    const outlet = h('div', { class: 'view' });
    mount(app, outlet);
    ++generation;
    sharedView(outlet, decodeURIComponent(shared[1])).catch((e) => showError(e));
    return;
  }
  if (!session.key) {
    started = false;
    signIn();
    return;
  }
  if (!projects) {
    const gen = ++generation;
    const outlet = h('div', { class: 'view' }, h('p', { class: 'muted' }, 'Loading projects…'));
    mount(app, outlet);
    loadProjects().then(() => { if (gen === generation) render(); })
      .catch((e) => { if (gen === generation) mount(outlet, failurePanel('Could not load the projects', e, () => render())); });
    return;
  }
  const hash0 = location.hash || '#/themes';
  if (hash0 === '#/projects' || !projects.some((p) => p.id === session.project)) {
    if (hash0 !== '#/projects' && !pickerReason) {
      pickerReason = `There is no project “${session.project}”, or this API key does not cover it.`;
    }
    showPicker();
    return;
  }
  if (!started) {
    started = true;
    setChrome(true);
    live.connect(session.project);
  }
  const hash = location.hash || '#/themes';
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', hash.startsWith('#/' + a.dataset.nav));
  }
  for (const [re, view] of routes) {
    const m = hash.match(re);
    if (m) {
      // Each render gets its own outlet: a view still loading when the route changes finishes into a detached
      // element instead of overwriting the view that replaced it.
      const gen = ++generation;
      const outlet = h('div', { class: 'view' });
      mount(app, outlet);
      Promise.resolve(view(m, outlet)).then((c) => {
        if (gen === generation) cleanup = c;
        else if (typeof c === 'function') c();
      }).catch((e) => { if (gen === generation) showError(e); });
      return;
    }
  }
  location.hash = '#/themes';
}

/** A view that failed to load: what failed, and a Retry that renders the page again. */
export function showError(e) {
  mount(app, h('div', { class: 'view', 'data-testid': 'error' }, failurePanel('Could not show this page', e, () => render())));
}

async function loadProjects() {
  const r = await api('/api/projects', { root: true });
  projects = r.results;
  const select = document.getElementById('project');
  mount(select, projects.map((p) => h('option', { value: p.id, selected: p.id === session.project }, p.name && p.name !== p.id ? `${p.name} (${p.id})` : p.id)));
}

/** Switches the dashboard to another project: the address says which, and the live connection follows. */
function switchProject(id, hash) {
  session.project = id;
  pickerReason = '';
  const target = hash || (location.hash === '#/projects' || !location.hash ? '#/themes' : location.hash);
  history.replaceState(null, '', `${location.pathname}?project=${enc(id)}${target}`);
  document.getElementById('project').value = id;
  started = false;
  live.disconnect();
  render();
}

/** #/projects, or any page while the project is unknown: the projects this key covers, one click each. */
function showPicker() {
  if (started) { live.disconnect(); started = false; }
  setChrome(true);
  ++generation;
  const known = projects.some((p) => p.id === session.project);
  const reason = pickerReason;
  mount(app, h('div', { class: 'view' },
    h('h1', null, 'Choose a project'),
    reason ? h('p', { class: 'panel notice', role: 'alert', 'data-testid': 'picker-reason' }, reason) : null,
    projects.length === 0
      ? h('p', { class: 'empty' }, 'This API key covers no project.')
      : h('ul', { class: 'project-list', 'data-testid': 'project-picker' }, projects.map((p) => h('li', null,
        h('button', {
          type: 'button', class: p.id === session.project && known ? 'primary' : '', 'data-project': p.id,
          'aria-current': p.id === session.project && known ? 'true' : false,
          onclick: () => switchProject(p.id, '#/themes'),
        }, p.name && p.name !== p.id ? `${p.name} (${p.id})` : p.id),
        h('span', { class: 'muted' }, ` created ${fmtTime(p.created_at)}`))))));
  document.body.dataset.view = 'projects';
}

function signIn(message) {
  setChrome(false);
  const key = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', placeholder: 'prism_admin_…' });
  const status = h('p', { class: 'error', 'data-testid': 'signin-error' }, message || '');
  const form = h('form', {
    class: 'panel signin', onsubmit: async (e) => {
      e.preventDefault();
      session.key = key.value.trim();
      try {
        await api('/api/projects', { root: true, signOutOn401: false });
      } catch (err) {
        session.key = null;
        status.textContent = err instanceof ApiError && err.status === 401
          ? 'That API key was not accepted.' : `Could not sign in: ${err instanceof ApiError ? err.reason : err.message}`;
        return;
      }
      projects = null;
      start();
    },
  },
  h('h1', null, 'Sign in to Prism'),
  h('p', { class: 'muted' }, 'Use an admin API key (printed at first start, or PRISM_ADMIN_TOKEN). It is kept for this browser session only.'),
  h('label', { for: 'api-key' }, 'API key'), key,
  h('p', null, h('button', { class: 'primary', id: 'signin-submit' }, 'Sign in')),
  status);
  mount(app, form);
  key.focus();
}

function setChrome(on) {
  document.getElementById('nav').hidden = !on;
  document.getElementById('project-form').hidden = !on;
  document.getElementById('search-form').hidden = !on;
  document.getElementById('signout').hidden = !on;
  if (projects?.some((p) => p.id === session.project)) document.getElementById('project').value = session.project;
}

function start() {
  started = false;
  render();
}

// The live indicator says what the connection is doing; losing it and getting it back are announced (politely), and
// while it is down "Reconnect now" tries at once.
let liveTick = null;
let lastLiveState = 'offline';
let recoveredUntil = 0;
live.onState((state, count, info) => {
  const el = document.getElementById('live');
  const announce = document.getElementById('live-announce');
  el.dataset.state = state;
  el.className = 'live ' + (state === 'live' ? 'live-on' : state);
  if (state !== lastLiveState) {
    if (state === 'live' && info.recovered) { recoveredUntil = Date.now() + 8000; announce.textContent = 'Live updates reconnected.'; }
    else if (state === 'reconnecting' && lastLiveState === 'live') announce.textContent = 'Live updates lost; reconnecting.';
    else if (state === 'unknown-project') announce.textContent = '';
  }
  lastLiveState = state;
  clearInterval(liveTick);
  const paint = () => {
    let text;
    if (state === 'live') {
      text = `${Date.now() < recoveredUntil ? 'reconnected · ' : ''}live · ${count} update${count === 1 ? '' : 's'}`;
    } else if (state === 'reconnecting') {
      const s = Math.ceil((info.retryAt - Date.now()) / 1000);
      text = s > 0 ? `connection lost · retrying in ${s} s` : 'connection lost · reconnecting…';
    } else if (state === 'unknown-project') {
      text = 'no such project';
    } else {
      text = state;
    }
    document.getElementById('live-text').textContent = text;
  };
  paint();
  if (state === 'reconnecting' || (state === 'live' && Date.now() < recoveredUntil)) liveTick = setInterval(paint, 1000);
  document.getElementById('live-retry').hidden = state !== 'reconnecting';
  if (state === 'unknown-project' && session.key && projects) {
    pickerReason = `There is no project “${session.project}”, or this API key does not cover it.`;
    render();
  }
});
document.getElementById('live-retry').addEventListener('click', () => live.reconnectNow());

document.getElementById('signout').addEventListener('click', () => {
  session.key = null;
  projects = null;
  live.disconnect();
  started = false;
  render();
});
document.getElementById('project-form').addEventListener('submit', (e) => e.preventDefault());
document.getElementById('project').addEventListener('change', (e) => switchProject(e.target.value, '#/themes'));
window.addEventListener('prism:unknown-project', (e) => {
  if (e.detail !== session.project || !projects) return;
  projects = projects.filter((p) => p.id !== session.project);
  pickerReason = `There is no project “${session.project}” any more, or this API key does not cover it.`;
  render();
});
document.getElementById('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = document.getElementById('search').value.trim();
  if (!q) return;
  const target = hashWith('#/search', { q });
  // The same search again (say, after new summaries arrived) runs again.
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
});
window.addEventListener('prism:unauthorized', () => {
  session.key = null;
  projects = null;
  live.disconnect();
  started = false;
  signIn('Your API key is no longer accepted; sign in again.');
});
window.addEventListener('hashchange', render);

render();
