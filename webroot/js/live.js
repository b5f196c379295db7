// The WebSocket client (README "WebSocket API"): authenticates with a first message, subscribes to the whole
// project, reconnects by itself with backoff (at once when the browser comes back online or the tab is shown again),
// and hands every update (dotted type) to the listeners. States: connecting, live, reconnecting (with the seconds to
// the next attempt), unauthorized, unknown-project, offline (disconnected on purpose).

import { session } from './api.js';

const listeners = new Set();
const stateListeners = new Set();
let ws = null;
let project = null;
let retry = 0;
let timer = null;
let state = 'offline';
let received = 0;
let retryAt = 0;
/** Whether the connection was lost since it was last live: the next "live" is a recovery, and says so. */
let lost = false;

export function onUpdate(fn) { listeners.add(fn); return () => listeners.delete(fn); }
export function onState(fn) { stateListeners.add(fn); fn(state, received, info()); return () => stateListeners.delete(fn); }

function info() { return { retryAt, recovered: state === 'live' && lost === 'recovered', project }; }

function setState(s) {
  state = s;
  for (const fn of stateListeners) fn(state, received, info());
}

export function connect(projectId) {
  project = projectId;
  disconnect();
  lost = false;
  open();
}

export function disconnect() {
  clearTimeout(timer);
  if (ws) {
    ws.onclose = null;
    ws.close(1000);
    ws = null;
  }
  setState('offline');
}

/** Tries again now (the Reconnect button, the browser coming back online). */
export function reconnectNow() {
  if (state !== 'reconnecting' || !project) return;
  clearTimeout(timer);
  open();
}

function open() {
  if (!session.key) return;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  let socket;
  try {
    socket = new WebSocket(url);
  } catch {
    scheduleRetry();
    return;
  }
  ws = socket;
  setState(lost ? 'reconnecting' : 'connecting');
  socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token: session.key }));
  socket.onmessage = (e) => {
    let m;
    try { m = JSON.parse(e.data); } catch { return; }
    if (m.type === 'authenticated') {
      socket.send(JSON.stringify({ type: 'subscribe', project }));
    } else if (m.type === 'subscribed') {
      retry = 0;
      retryAt = 0;
      if (lost) lost = 'recovered';
      setState('live');
    } else if (m.type === 'error' && m.error === 'project_not_found') {
      // Retrying cannot help: the app shows the project picker.
      stop(socket);
      setState('unknown-project');
    } else if (m.type === 'error' && m.error === 'unauthorized') {
      stop(socket);
      setState('unauthorized');
    } else if (m.type === 'dropped') {
      for (const fn of listeners) fn({ type: 'dropped', data: m });
    } else if (typeof m.type === 'string' && m.type.includes('.')) {
      received++;
      for (const fn of listeners) fn(m);
      setState(state);
    }
  };
  socket.onclose = (e) => {
    if (ws !== socket) return;
    ws = null;
    if (e.code === 4401) { setState('unauthorized'); return; }
    lost = true;
    scheduleRetry();
  };
}

function stop(socket) {
  socket.onclose = null;
  socket.close(1000);
  if (ws === socket) ws = null;
}

function scheduleRetry() {
  retry = Math.min(retry + 1, 5);
  const delay = 250 * 2 ** retry; // 0.5 s, 1 s, 2 s, 4 s, then every 8 s
  retryAt = Date.now() + delay;
  clearTimeout(timer);
  timer = setTimeout(open, delay);
  setState('reconnecting');
}

window.addEventListener('online', reconnectNow);
document.addEventListener('visibilitychange', () => { if (!document.hidden) reconnectNow(); });
