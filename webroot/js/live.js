// The WebSocket client (README "WebSocket API"): authenticates with a first message, subscribes to the whole
// project, reconnects with backoff, and hands every update (dotted type) to the listeners.

import { session } from './api.js';

const listeners = new Set();
const stateListeners = new Set();
let ws = null;
let project = null;
let retry = 0;
let timer = null;
let state = 'offline';
let received = 0;

export function onUpdate(fn) { listeners.add(fn); return () => listeners.delete(fn); }
export function onState(fn) { stateListeners.add(fn); fn(state, received); return () => stateListeners.delete(fn); }

function setState(s) {
  state = s;
  for (const fn of stateListeners) fn(state, received);
}

export function connect(projectId) {
  project = projectId;
  disconnect();
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

function open() {
  if (!session.key) return;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const socket = new WebSocket(url);
  ws = socket;
  setState('connecting');
  socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token: session.key }));
  socket.onmessage = (e) => {
    let m;
    try { m = JSON.parse(e.data); } catch { return; }
    if (m.type === 'authenticated') {
      socket.send(JSON.stringify({ type: 'subscribe', project }));
    } else if (m.type === 'subscribed') {
      retry = 0;
      setState('live');
    } else if (m.type === 'error' && m.error === 'unauthorized') {
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
    setState('reconnecting');
    retry = Math.min(retry + 1, 6);
    timer = setTimeout(open, 250 * 2 ** retry);
  };
}
