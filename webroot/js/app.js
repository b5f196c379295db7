// The dashboard shell: sign-in, project scope, hash routing, the live indicator.
import { h, mount } from './dom.js';
import { api, session, ApiError } from './api.js';
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

export function showError(e) {
  mount(app, h('div', { class: 'panel error', 'data-testid': 'error' },
    e instanceof ApiError ? `${e.error || 'error'} (${e.status}): ${e.detail || ''}` : String(e?.message || e)));
}

function signIn(message) {
  setChrome(false);
  const key = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', placeholder: 'prism_admin_…' });
  const project = h('input', { id: 'signin-project', value: session.project });
  const status = h('p', { class: 'error', 'data-testid': 'signin-error' }, message || '');
  const form = h('form', {
    class: 'panel signin', onsubmit: async (e) => {
      e.preventDefault();
      session.key = key.value.trim();
      session.project = project.value.trim() || 'default';
      try {
        await api('/themes', { signOutOn401: false });
      } catch (err) {
        session.key = null;
        status.textContent = err instanceof ApiError && err.status === 401
          ? 'That API key was not accepted.' : `Could not sign in: ${err.message}`;
        return;
      }
      start();
    },
  },
  h('h1', null, 'Sign in to Prism'),
  h('p', { class: 'muted' }, 'Use an admin API key (printed at first start, or PRISM_ADMIN_TOKEN). It is kept for this browser session only.'),
  h('label', { for: 'api-key' }, 'API key'), key,
  h('label', { for: 'signin-project' }, 'Project'), project,
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
  document.getElementById('project').value = session.project;
}

function start() {
  started = false;
  render();
}

live.onState((state, count) => {
  const el = document.getElementById('live');
  el.dataset.state = state;
  el.className = 'live ' + (state === 'live' ? 'live-on' : state);
  document.getElementById('live-text').textContent =
    state === 'live' ? `live · ${count} update${count === 1 ? '' : 's'}` : state;
});

document.getElementById('signout').addEventListener('click', () => {
  session.key = null;
  live.disconnect();
  started = false;
  render();
});
document.getElementById('project-form').addEventListener('submit', (e) => {
  e.preventDefault();
  session.project = document.getElementById('project').value.trim();
  started = false;
  if (location.hash === '#/themes') render(); else location.hash = '#/themes';
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
  live.disconnect();
  started = false;
  signIn('Your API key is no longer accepted; sign in again.');
});
window.addEventListener('hashchange', render);

render();
