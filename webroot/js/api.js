// REST client: the API key lives in sessionStorage (gone when the browser session ends), the project in the URL
// (?project=) and sessionStorage. Every failure is an ApiError that says what failed (method and path) and why, so a
// view can show it next to a Retry button (failure.js).

const KEY = 'prism.key';
const PROJECT = 'prism.project';

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  set key(v) { if (v) sessionStorage.setItem(KEY, v); else sessionStorage.removeItem(KEY); },
  get project() { return sessionStorage.getItem(PROJECT) || 'default'; },
  set project(v) { sessionStorage.setItem(PROJECT, v || 'default'); },
};

export class ApiError extends Error {
  /**
   * @param status HTTP status, 0 when the server did not answer
   * @param what   the request that failed, e.g. "GET /api/projects/default/llm"
   */
  constructor(status, error, detail, what) {
    super(detail || error || `HTTP ${status}`);
    this.status = status;
    this.error = error;
    this.detail = detail;
    this.what = what;
  }

  /** Why, in one sentence: "the server failed (500 internal_error): …", "no answer from the server (network)". */
  get reason() {
    if (this.status === 0) return `no answer from the server (${this.detail || 'network error'})`;
    const code = `${this.status}${this.error ? ` ${this.error}` : ''}`;
    const kind = this.status >= 500 ? 'the server failed' : this.status === 404 ? 'not found' : this.status === 403 ? 'not allowed' : 'refused';
    return `${kind} (${code})${this.detail ? `: ${this.detail}` : ''}`;
  }
}

/**
 * A request to /api/projects/{project}{path} (or to {path} itself with root: true); resolves the parsed JSON (or text, or
 * with raw: true the Response itself, for a file to download with the key).
 */
export async function api(path, { method = 'GET', body, text = false, raw = false, project = session.project, signOutOn401 = true, root = false } = {}) {
  const headers = { Authorization: `Bearer ${session.key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const url = root ? path : `/api/projects/${encodeURIComponent(project)}${path}`;
  const what = `${method} ${url.split('?')[0]}`;
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', e?.message || 'network error', what);
  }
  if (!response.ok) {
    let err = {};
    try { err = await response.json(); } catch { /* not JSON */ }
    if (response.status === 401 && signOutOn401) window.dispatchEvent(new CustomEvent('prism:unauthorized'));
    if (response.status === 404 && err.error === 'project_not_found') {
      window.dispatchEvent(new CustomEvent('prism:unknown-project', { detail: project }));
    }
    throw new ApiError(response.status, err.error, err.detail, what);
  }
  if (raw) return response;
  return text ? response.text() : response.json();
}

/** Like api() but resolves null on 404 (endpoints that may not exist yet or objects that are gone). */
export async function apiOptional(path, options) {
  try {
    return await api(path, options);
  } catch (e) {
    if (e instanceof ApiError && e.error !== 'project_not_found' && (e.status === 404 || e.status === 405 || e.status === 501)) return null;
    throw e;
  }
}

export const enc = encodeURIComponent;
