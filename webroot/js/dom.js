// DOM helpers. Everything passed as a child is inserted as text (a Text node), never parsed as HTML:
// trace content, summaries and cluster names come from end users and LLMs and must stay inert.

/**
 * h('div', {class: 'card', onclick: fn, dataset: {id: 'x'}}, 'text', otherNode, [more, nodes])
 * Attributes starting with "on" become event listeners; strings and numbers become text nodes.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'class') el.className = v;
      // Through the CSSOM: the Content-Security-Policy (style-src 'self') blocks style attributes.
      else if (k === 'style') el.style.cssText = v;
      else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected' || k === 'hidden') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces the children of {@code el}. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with numeric/string attributes only (no text from data goes through attributes we render). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function fmtNumber(n, digits = 0) {
  if (n === undefined || n === null || Number.isNaN(n)) return '–';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function fmtUsd(n) {
  if (n === undefined || n === null) return '–';
  const v = Number(n);
  return '$' + (v !== 0 && Math.abs(v) < 0.01 ? v.toFixed(4) : v.toFixed(2));
}

export function fmtPct(share) {
  if (share === undefined || share === null || Number.isNaN(share)) return '–';
  return (share * 100).toFixed(share < 0.1 && share > 0 ? 1 : 0) + ' %';
}

export function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/**
 * A cluster description without a leading count ("23 summaries. …"): descriptions written before they stopped carrying
 * one would show a figure frozen at naming time next to the live size.
 */
export function cleanDescription(d) {
  return String(d || '').replace(/^\s*\d[\d,]*\s+summar(?:y|ies)\b(?:\s+without distinctive words)?[.:]?\s*/i, '');
}

/** Calls fn at most once per {@code ms}, with the last arguments. */
export function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}
