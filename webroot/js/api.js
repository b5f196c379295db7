// REST client: the API key lives in sessionStorage (gone when the browser session ends), the project in the URL hash.

const KEY = 'prism.key';
const PROJECT = 'prism.project';

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  set key(v) { if (v) sessionStorage.setItem(KEY, v); else sessionStorage.removeItem(KEY); },
  get project() { return sessionStorage.getItem(PROJECT) || 'default'; },
  set project(v) { sessionStorage.setItem(PROJECT, v || 'default'); },
};

export class ApiError extends Error {
  constructor(status, error, detail) {
    super(detail || error || `HTTP ${status}`);
    this.status = status;
    this.error = error;
    this.detail = detail;
  }
}

/** A request to /api/projects/{project}{path}; resolves the parsed JSON (or text), rejects with an ApiError. */
export async function api(path, { method = "GET", body, text = false, project = session.project, signOutOn401 = true } = {}) {
  const headers = { Authorization: `Bearer ${session.key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const url = `/api/projects/${encodeURIComponent(project)}${path}`;
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) {
    let err = {};
    try { err = await response.json(); } catch { /* not JSON */ }
    if (response.status === 401 && signOutOn401) window.dispatchEvent(new CustomEvent('prism:unauthorized'));
    throw new ApiError(response.status, err.error, err.detail);
  }
  return text ? response.text() : response.json();
}

/** Like api() but resolves null on 404 (endpoints that may not exist yet or objects that are gone). */
export async function apiOptional(path, options) {
  try {
    return await api(path, options);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)) return null;
    throw e;
  }
}

export const enc = encodeURIComponent;
