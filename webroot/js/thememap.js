// The theme's map: one dot per trace (a sample above the server's limit, said so), coloured by cluster, Other in grey,
// a legend with names and sizes, tooltips on hover and keyboard focus, and cluster labels kept inside the canvas.
// Keyboard: the map is one tab stop; arrow keys move between dots (roving tabindex), Enter opens the trace.
import { h, s, fmtNumber } from './dom.js';
import { enc } from './api.js';
import { clusterHref } from './cluster.js';

// Colour-blind-safe categorical colours (Okabe-Ito and Tableau), dark enough on white; Other is grey.
const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#7b3294', '#8c6d31', '#1b7837', '#b2182b', '#4e79a7', '#9c755f'];
const OTHER = '#9aa0a6';
const W = 900, H = 520, PAD = 24;

/** Where a label of {@code width} × {@code height} anchored at (x, y) (left, baseline) stays inside the canvas. */
export function clampLabel(x, y, width, height, w = W, ht = H, pad = 4) {
  return {
    x: Math.min(Math.max(pad, x), Math.max(pad, w - pad - width)),
    y: Math.min(Math.max(pad + height, y), ht - pad),
  };
}

export function themeMap(map, clustersResponse, themeId) {
  const clusters = clustersResponse?.results || [];
  const points = map?.points || [];
  if (!points.length) {
    return h('div', { class: 'empty', 'data-testid': 'map-empty' }, map && map.members
      ? 'No trace can be placed yet: the summaries are still being embedded.'
      : 'No traces on the map yet: relevant summaries appear here once they are embedded and clustered.');
  }
  const colour = new Map(clusters.map((c, i) => [c.id, PALETTE[i % PALETTE.length]]));
  const title = new Map(clusters.map((c) => [c.id, c.title || 'Unnamed cluster']));
  const colourOf = (id) => (id && colour.get(id)) || OTHER;
  const nameOf = (id) => (id ? title.get(id) || 'Retired cluster' : 'Other (in no cluster)');
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  // One scale for both axes: distances on the map stay comparable in every direction (and a flat second component
  // is not stretched to the full height).
  const k = Math.min((W - 2 * PAD) / Math.max(x1 - x0, 1e-9), (H - 2 * PAD) / Math.max(y1 - y0, 1e-9));
  const scale = Number.isFinite(k) && x1 - x0 + (y1 - y0) > 1e-9 ? k : 0;
  const sx = (x) => W / 2 + (x - (x0 + x1) / 2) * scale;
  const sy = (y) => H / 2 - (y - (y0 + y1) / 2) * scale;
  // Traces with the same summary share a position: spread them on a small spiral so each keeps a visible dot.
  const seen = new Map();
  const at = points.map((p) => {
    const x = sx(p.x), y = sy(p.y);
    const key = `${Math.round(x / 3)},${Math.round(y / 3)}`;
    const n = seen.get(key) || 0;
    seen.set(key, n + 1);
    const r = 5 * Math.sqrt(n), a = n * 2.39996;
    return [Math.min(W - 5, Math.max(5, x + r * Math.cos(a))), Math.min(H - 5, Math.max(5, y + r * Math.sin(a)))];
  });

  const tip = h('div', { class: 'map-tip', hidden: true, role: 'status', 'data-testid': 'map-tip' });
  const svg = s('svg', {
    class: 'map trace-map', viewBox: `0 0 ${W} ${H}`, 'data-testid': 'cluster-map', role: 'group',
    'aria-label': `Map of ${fmtNumber(points.length)} traces by cluster. Arrow keys move between traces, Enter opens one.`,
  });
  svg.appendChild(s('rect', { x: 0, y: 0, width: W, height: H, class: 'map-bg' }));
  const wrap = h('div', { class: 'map-wrap' }, svg, tip);
  // Other first, so the clusters' dots are drawn over it.
  const order = points.map((p, i) => i).sort((a, b) => (points[a].cluster_id ? 1 : 0) - (points[b].cluster_id ? 1 : 0));
  const dots = [];
  const show = (dot, p) => {
    tip.textContent = `${nameOf(p.cluster_id)} · trace ${p.trace_id}`;
    tip.hidden = false;
    const box = svg.getBoundingClientRect();
    const px = (Number(dot.getAttribute('cx')) / W) * box.width, py = (Number(dot.getAttribute('cy')) / H) * box.height;
    // Kept inside the map: flipped to the left of the dot near the right edge, below it near the top.
    tip.style.left = `${Math.max(0, Math.min(px + 10, box.width - tip.offsetWidth - 4))}px`;
    tip.style.top = `${py < 40 ? py + 12 : py - 34}px`;
  };
  const hide = () => { tip.hidden = true; };
  for (const i of order) {
    const p = points[i];
    const a = s('a', {
      href: `#/traces/${enc(p.trace_id)}?theme=${enc(themeId)}`, tabindex: dots.length === 0 ? 0 : -1, class: 'dot-link',
      'aria-label': `Trace ${p.trace_id}, ${nameOf(p.cluster_id)}`, 'data-cluster': p.cluster_id || '', 'data-testid': 'map-dot',
    });
    const dot = s('circle', { cx: at[i][0].toFixed(1), cy: at[i][1].toFixed(1), r: 4, fill: colourOf(p.cluster_id), class: p.cluster_id ? 'dot' : 'dot other' });
    a.appendChild(dot);
    a.addEventListener('mouseenter', () => show(dot, p));
    a.addEventListener('mouseleave', hide);
    a.addEventListener('focus', () => show(dot, p));
    a.addEventListener('blur', hide);
    dots.push({ a, dot, p });
    svg.appendChild(a);
  }
  // Arrow keys: to the nearest dot in that direction (roving tabindex: only the current dot is in the tab order).
  svg.addEventListener('keydown', (e) => {
    const dirs = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
    const d = dirs[e.key];
    const cur = dots.findIndex((x) => x.a === document.activeElement);
    if (!d || cur < 0) return;
    e.preventDefault();
    const cx = Number(dots[cur].dot.getAttribute('cx')), cy = Number(dots[cur].dot.getAttribute('cy'));
    let best = -1, bestScore = Infinity;
    dots.forEach((x, i) => {
      if (i === cur) return;
      const dx = Number(x.dot.getAttribute('cx')) - cx, dy = Number(x.dot.getAttribute('cy')) - cy;
      const along = dx * d[0] + dy * d[1];
      if (along <= 0) return;
      const score = along + 2 * Math.abs(dx * d[1] + dy * d[0]);
      if (score < bestScore) { bestScore = score; best = i; }
    });
    if (best < 0) return;
    dots[cur].a.setAttribute('tabindex', '-1');
    dots[best].a.setAttribute('tabindex', '0');
    dots[best].a.focus();
  });

  // Labels of the largest clusters at their dots' centre, kept inside the canvas and off each other.
  const placed = [];
  const labels = s('g', { class: 'map-labels', 'aria-hidden': 'true' });
  for (const c of clusters.slice(0, 12)) {
    const own = dots.filter((x) => x.p.cluster_id === c.id);
    if (!own.length) continue;
    const text = (c.title || 'Unnamed cluster').slice(0, 40);
    const width = text.length * 6.4 + 4, height = 12;
    let cx = own.reduce((m, x) => m + Number(x.dot.getAttribute('cx')), 0) / own.length + 6;
    let cy = own.reduce((m, x) => m + Number(x.dot.getAttribute('cy')), 0) / own.length;
    let pos = clampLabel(cx, cy, width, height);
    for (let tries = 0; tries < 8 && placed.some((b) => overlaps(b, pos, width, height)); tries++) {
      cy += height + 2;
      pos = clampLabel(cx, cy > H - 4 ? cy - 8 * (height + 2) : cy, width, height);
    }
    placed.push({ ...pos, width, height });
    labels.appendChild(s('text', { x: pos.x.toFixed(1), y: pos.y.toFixed(1), class: 'map-label', 'data-testid': 'map-label' }, text));
  }
  svg.appendChild(labels);

  const legend = h('ul', { class: 'map-legend', 'data-testid': 'map-legend' },
    clusters.map((c) => legendItem(svg, c.id, colourOf(c.id), title.get(c.id), c.size, dots.filter((x) => x.p.cluster_id === c.id).length,
      clusterHref(themeId, c.id))),
    clustersResponse?.unassigned || dots.some((x) => !x.p.cluster_id)
      ? legendItem(svg, '', OTHER, 'Other (in no cluster)', clustersResponse?.unassigned ?? 0, dots.filter((x) => !x.p.cluster_id).length, null)
      : null);
  const note = h('p', { class: 'muted', 'data-testid': 'map-count' },
    map.sampled
      ? `Showing ${fmtNumber(map.shown)} of ${fmtNumber(map.placed)} traces: an even sample of every cluster (each keeps its share, at least one dot).`
      : `Showing all ${fmtNumber(map.shown)} traces.`,
    map.members > map.placed ? ` ${fmtNumber(map.members - map.placed)} not on the map yet (no embedding).` : '',
    ' Positions: the two main directions of the summaries\' embeddings; near means similar.');
  return h('div', { class: 'map-layout' }, h('div', null, note, wrap), legend);
}

function overlaps(b, pos, width, height) {
  return pos.x < b.x + b.width && b.x < pos.x + width && pos.y - height < b.y && b.y - b.height < pos.y;
}

/** A legend row: swatch, name, size and dots shown; hover or focus highlights the cluster's dots on the map. */
function legendItem(svg, id, fill, name, size, shown, href) {
  const on = () => { svg.dataset.highlight = id || 'other'; svg.classList.add('highlighting'); mark(svg, id); };
  const off = () => { svg.classList.remove('highlighting'); mark(svg, null); };
  const label = [h('span', { class: 'swatch', 'data-fill': fill }), ' ', name || 'Unnamed cluster', ' ',
    h('span', { class: 'muted' }, `${fmtNumber(size)} traces${shown !== size ? `, ${fmtNumber(shown)} shown` : ''}`)];
  const item = href
    ? h('a', { href, onmouseenter: on, onmouseleave: off, onfocus: on, onblur: off, 'data-testid': 'legend-item', dataset: { cluster: id } }, label)
    : h('button', { type: 'button', class: 'link', onmouseenter: on, onmouseleave: off, onfocus: on, onblur: off,
      'data-testid': 'legend-item', dataset: { cluster: 'other' } }, label);
  // The swatch colour through the CSSOM (the Content-Security-Policy blocks style attributes).
  item.querySelector('.swatch').style.background = fill;
  return h('li', null, item);
}

function mark(svg, id) {
  for (const a of svg.querySelectorAll('a.dot-link')) {
    a.classList.toggle('lit', id !== null && (a.dataset.cluster || '') === (id || ''));
  }
}
