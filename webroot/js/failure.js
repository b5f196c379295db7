// What failed, why, and a Retry: the one way views show a failed request. The message is text (a server's detail may
// quote user input), the panel is announced (role=alert), and Retry runs the same work again.
import { h, mount } from './dom.js';
import { ApiError } from './api.js';

/** "Could not load the LLM settings: the server failed (500 internal_error): … (GET /api/projects/default/llm)" */
export function failureText(task, e) {
  const why = e instanceof ApiError ? e.reason : String(e?.message || e);
  const where = e instanceof ApiError && e.what ? ` (${e.what})` : '';
  return `${task}: ${why}${where}`;
}

/**
 * A panel saying what failed with a Retry button. {@code retry} may return a promise; while it runs the button is
 * disabled, and a retry that fails again updates the message.
 */
export function failurePanel(task, e, retry) {
  const message = h('p', { class: 'error', 'data-testid': 'failure-message' }, failureText(task, e));
  const button = retry ? h('button', {
    type: 'button', 'data-testid': 'retry',
    onclick: async () => {
      button.disabled = true;
      message.textContent = `${task}: trying again…`;
      try {
        await retry();
      } catch (again) {
        message.textContent = failureText(task, again);
      } finally {
        button.disabled = false;
      }
    },
  }, 'Retry') : null;
  return h('div', { class: 'panel failure', role: 'alert', 'data-testid': 'failure' }, message, button);
}

/**
 * Loads into {@code el}: shows "Loading…", runs {@code load(el)}, and on failure puts a failure panel in its place whose
 * Retry loads again. Answers what load answered (a cleanup function, say), or undefined after a failure.
 */
export async function loadInto(el, task, load) {
  const attempt = async () => {
    mount(el, h('p', { class: 'muted' }, `${task}…`));
    return load(el);
  };
  try {
    return await attempt();
  } catch (e) {
    // Retry loads again from the start; a second failure shows a fresh panel in the same place.
    mount(el, failurePanel(`Could not ${task.charAt(0).toLowerCase()}${task.slice(1)}`, e, () => loadInto(el, task, load)));
    return undefined;
  }
}
