// A theme over time (the results view's Trend tab): relevant traces per bucket as bars, the number of clusters as a
// line on its own axis, hour / day / week ranges, a tooltip per bucket, the numbers as a table, and an empty state.
// Everything from the API goes in as text (s()/h() make text nodes).
import { h, s, fmtNumber } from './dom.js';
import { RANGES, niceStep, formatBucket } from './cluster.js';

export { RANGES };

/** The chart of one range of the theme's trend ({hourly|daily|weekly: [{start, relevant, clusters}]}). */
export function themeTrendChart(trend, range) {
  const buckets = trend?.[range.field] || [];
  const relevant = buckets.map((b) => Number(b.relevant) || 0);
  const clusters = buckets.map((b) => Number(b.clusters) || 0);
  const total = relevant.reduce((a, b) => a + b, 0);
  const lastClusters = clusters.length ? clusters[clusters.length - 1] : 0;
  const caption = h('p', { class: 'muted chart-caption', 'data-testid': 'theme-trend-caption' },
    `Relevant traces per bucket, ${range.caption}: ${fmtNumber(total)} in all; ${fmtNumber(lastClusters)} cluster${lastClusters === 1 ? '' : 's'} now.`);
  if (!buckets.length || (total === 0 && clusters.every((c) => c === 0))) {
    return h('div', null, h('div', { class: 'empty', 'data-testid': 'theme-trend-empty' },
      `No relevant traces and no clusters in the ${range.caption.split(',')[0]}. Relevant traces appear here as they are analysed.`), caption);
  }
  const W = 720, H = 260, left = 44, right = 44, top = 14, bottom = 44;
  const plotW = W - left - right, plotH = H - top - bottom;
  const maxR = Math.max(1, ...relevant), stepR = niceStep(maxR), yMaxR = Math.ceil(maxR / stepR) * stepR;
  const maxC = Math.max(1, ...clusters), stepC = niceStep(maxC), yMaxC = Math.ceil(maxC / stepC) * stepC;
  const yR = (v) => top + plotH - (v / yMaxR) * plotH;
  const yC = (v) => top + plotH - (v / yMaxC) * plotH;
  const bw = plotW / buckets.length;
  const label = (b) => formatBucket(b.start, range.key);
  const svg = s('svg', {
    class: 'trend theme-trend', viewBox: `0 0 ${W} ${H}`, role: 'img', 'data-testid': 'theme-trend-svg', 'data-total': total,
    'aria-label': `Theme trend, ${range.caption}: ${fmtNumber(total)} relevant traces, at most ${fmtNumber(Math.max(...relevant))} in one bucket; `
      + `${fmtNumber(lastClusters)} clusters now`,
  });
  for (let v = 0; v <= yMaxR; v += stepR) {
    svg.appendChild(s('line', { x1: left, x2: W - right, y1: yR(v), y2: yR(v), class: v === 0 ? 'axis' : 'grid' }));
    svg.appendChild(s('text', { x: left - 6, y: yR(v) + 4, 'text-anchor': 'end', class: 'tick' }, fmtNumber(v)));
  }
  for (let v = 0; v <= yMaxC; v += stepC) {
    svg.appendChild(s('text', { x: W - right + 6, y: yC(v) + 4, 'text-anchor': 'start', class: 'tick clusters-tick' }, fmtNumber(v)));
  }
  svg.appendChild(s('line', { x1: left, x2: left, y1: top, y2: top + plotH, class: 'axis' }));
  svg.appendChild(s('line', { x1: W - right, x2: W - right, y1: top, y2: top + plotH, class: 'axis' }));
  svg.appendChild(s('text', { x: 12, y: top + plotH / 2, class: 'axis-label', transform: `rotate(-90 12 ${top + plotH / 2})`, 'text-anchor': 'middle' }, 'relevant traces'));
  svg.appendChild(s('text', { x: W - 10, y: top + plotH / 2, class: 'axis-label', transform: `rotate(90 ${W - 10} ${top + plotH / 2})`, 'text-anchor': 'middle' }, 'clusters'));
  relevant.forEach((v, i) => {
    svg.appendChild(s('rect', { x: left + i * bw + bw * 0.15, y: yR(v), width: Math.max(1, bw * 0.7), height: Math.max(0, top + plotH - yR(v)), class: 'bar', 'data-count': v }));
  });
  const pts = clusters.map((c, i) => `${left + (i + 0.5) * bw},${yC(c)}`).join(' ');
  svg.appendChild(s('polyline', { points: pts, class: 'clusters-line' }));
  clusters.forEach((c, i) => svg.appendChild(s('circle', { cx: left + (i + 0.5) * bw, cy: yC(c), r: 3, class: 'clusters-dot' })));
  // One hover target per bucket, full height, so a tooltip names both figures wherever the pointer is in the bucket.
  buckets.forEach((b, i) => svg.appendChild(s('rect', { x: left + i * bw, y: top, width: bw, height: plotH, class: 'hit' },
    s('title', null, `${label(b)}: ${fmtNumber(relevant[i])} relevant trace${relevant[i] === 1 ? '' : 's'}, ${fmtNumber(clusters[i])} cluster${clusters[i] === 1 ? '' : 's'}`))));
  const every = Math.max(1, Math.ceil(buckets.length / 6));
  buckets.forEach((b, i) => {
    if (i % every !== 0 && i !== buckets.length - 1) return;
    if (i !== buckets.length - 1 && buckets.length - 1 - i < every / 2) return;
    svg.appendChild(s('text', { x: left + (i + 0.5) * bw, y: top + plotH + 16, 'text-anchor': 'middle', class: 'tick' }, label(b)));
  });
  svg.appendChild(s('text', { x: left + plotW / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-label' },
    range.key === 'hour' ? 'hour (local time)' : range.key === 'day' ? 'day' : 'week starting'));
  const legend = h('p', { class: 'chart-legend muted' }, h('span', { class: 'swatch bar-swatch', 'aria-hidden': 'true' }), ' relevant traces (left axis) ',
    h('span', { class: 'swatch line-swatch', 'aria-hidden': 'true' }), ' clusters (right axis)');
  const table = h('details', { class: 'chart-data' }, h('summary', null, 'Show the numbers'),
    h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'theme-trend-table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, range.key === 'week' ? 'Week starting' : range.key === 'day' ? 'Day' : 'Hour'),
        h('th', { scope: 'col', class: 'num' }, 'Relevant traces'), h('th', { scope: 'col', class: 'num' }, 'Clusters'))),
      h('tbody', null, buckets.map((b, i) => h('tr', null, h('td', null, label(b)), h('td', { class: 'num' }, fmtNumber(relevant[i])),
        h('td', { class: 'num' }, fmtNumber(clusters[i]))))))));
  return h('div', null, svg, legend, caption, table);
}
