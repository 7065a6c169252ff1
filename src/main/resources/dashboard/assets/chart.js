// A line chart of invocations per second and errors per second on a <canvas>: no library.

import {h} from './dom.js';
import {rates, WINDOW_MS} from './rates.js';

const COLORS = {invocations: '#2563eb', errors: '#dc2626'};

/** A chart element for one function or (name null) all; call its update() after each poll. */
export function rateChart(name = null) {
  const canvas = h('canvas', {class: 'chart', width: 600, height: 160, 'aria-label': 'Invocations and errors per second'});
  const now = h('span', {class: 'chart-now'});
  const el = h('figure', {class: 'chart-box'},
    h('figcaption', {},
      h('span', {class: 'legend legend-invocations'}, 'invocations/s'),
      h('span', {class: 'legend legend-errors'}, 'errors/s'),
      now),
    canvas);
  const update = () => {
    const points = rates(name);
    const last = points.at(-1);
    now.textContent = last
      ? `now ${last.invocations.toFixed(1)} invocations/s, ${last.errors.toFixed(1)} errors/s`
      : 'collecting…';
    draw(canvas, points);
  };
  update();
  return {el, update};
}

function draw(canvas, points) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 600, height = canvas.clientHeight || 160;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);

  const left = 44, right = 8, top = 8, bottom = 20;
  const plotW = width - left - right, plotH = height - top - bottom;
  const max = niceMax(Math.max(1, ...points.map(p => Math.max(p.invocations, p.errors))));
  const end = points.at(-1)?.t ?? performance.now();
  // Up to the last 3 minutes: a shorter history (the page was just opened) spans the whole width.
  const span = Math.min(WINDOW_MS, Math.max(20000, end - (points[0]?.t ?? end)));
  const x = t => left + plotW * (1 - (end - t) / span);
  const y = v => top + plotH * (1 - v / max);

  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#6b7280';
  g.strokeStyle = '#e5e7eb';
  g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    g.beginPath();
    g.moveTo(left, Math.round(y(v)) + 0.5);
    g.lineTo(width - right, Math.round(y(v)) + 0.5);
    g.stroke();
    g.textAlign = 'right';
    g.fillText(String(Number(v.toFixed(2))), left - 6, y(v) + 4);
  }
  g.textAlign = 'left';
  g.fillText(span >= 120000 ? `-${Math.round(span / 60000)} min` : `-${Math.round(span / 1000)} s`, left, height - 4);
  g.textAlign = 'right';
  g.fillText('now', width - right, height - 4);

  for (const series of ['invocations', 'errors']) {
    g.strokeStyle = COLORS[series];
    g.lineWidth = 2;
    g.beginPath();
    points.forEach((p, i) => (i === 0 ? g.moveTo : g.lineTo).call(g, x(p.t), y(p[series])));
    g.stroke();
    // The latest value as a dot: seen even while there is a single point and so no line yet.
    const last = points.at(-1);
    if (last) {
      g.fillStyle = COLORS[series];
      g.beginPath();
      g.arc(x(last.t), y(last[series]), 3, 0, 2 * Math.PI);
      g.fill();
    }
  }
}

/** 1, 2, 5, 10, 20, 50, ... at or above `v`. */
function niceMax(v) {
  const power = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map(m => m * power).find(m => m >= v);
}
