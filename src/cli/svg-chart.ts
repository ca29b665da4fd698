// The loss chart as a standalone SVG file (charlm plot --svg): axes with ticks and labels, a legend, and each run's
// training loss (every logged step) and validation loss as polylines. Plain SVG 1.1 that any browser opens.

import type { CurvePoint } from '../train/curves.js';
import type { ChartRun } from './loss-chart.js';

const WIDTH = 900;
const HEIGHT = 500;
const PLOT = { left: 80, right: 870, top: 30, bottom: 440 } as const;
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)
    // XML 1.0 allows no control characters but tab, line feed and carriage return.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\uFFFD');
}

/** About five round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

export function renderSvgChart(runs: readonly ChartRun[], title: string): string {
  const points = runs.flatMap((r) => [...r.curves.train, ...r.curves.validation]);
  const xMin = Math.min(...points.map((p) => p.step), 0);
  const xMax = Math.max(...points.map((p) => p.step), xMin + 1);
  const yLo = Math.min(...points.map((p) => p.loss));
  const yHi = Math.max(...points.map((p) => p.loss));
  const pad = (yHi - yLo) * 0.05 || 0.05;
  const [yMin, yMax] = [yLo - pad, yHi + pad];
  const x = (step: number): number => PLOT.left + ((step - xMin) / (xMax - xMin)) * (PLOT.right - PLOT.left);
  const y = (loss: number): number => PLOT.bottom - ((loss - yMin) / (yMax - yMin)) * (PLOT.bottom - PLOT.top);
  const coords = (pts: readonly CurvePoint[]): string => pts.map((p) => `${x(p.step).toFixed(2)},${y(p.loss).toFixed(2)}`).join(' ');

  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
      `font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    // The data range of the plot area, so a reader (or a test) can map the polylines back to steps and losses.
    `<g id="plot-area" data-left="${PLOT.left}" data-right="${PLOT.right}" data-top="${PLOT.top}" data-bottom="${PLOT.bottom}" ` +
      `data-x-min="${xMin}" data-x-max="${xMax}" data-y-min="${yMin}" data-y-max="${yMax}">`,
    `<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="black"/>`,
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}" stroke="black"/>`,
  ];
  for (const t of ticks(xMin, xMax)) {
    out.push(`<line x1="${x(t).toFixed(2)}" y1="${PLOT.bottom}" x2="${x(t).toFixed(2)}" y2="${PLOT.bottom + 5}" stroke="black"/>`,
      `<text x="${x(t).toFixed(2)}" y="${PLOT.bottom + 18}" text-anchor="middle">${t}</text>`);
  }
  for (const t of ticks(yMin, yMax)) {
    out.push(`<line x1="${PLOT.left - 5}" y1="${y(t).toFixed(2)}" x2="${PLOT.right}" y2="${y(t).toFixed(2)}" stroke="#ddd"/>`,
      `<text x="${PLOT.left - 8}" y="${(y(t) + 4).toFixed(2)}" text-anchor="end">${t}</text>`);
  }
  out.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${HEIGHT - 20}" text-anchor="middle">step</text>`,
    `<text transform="translate(20 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">loss (nats/char)</text>`);
  const legend: string[] = [];
  runs.forEach((run, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    const name = runs.length > 1 ? `${run.name} ` : '';
    const series = [
      { label: `${name}training`, points: run.curves.train, dash: '' },
      { label: `${name}validation`, points: run.curves.validation, dash: ' stroke-dasharray="6 4"' },
    ];
    for (const s of series.filter((s) => s.points.length > 0)) {
      out.push(`<polyline data-series="${escapeXml(s.label)}" fill="none" stroke="${color}" stroke-width="1.5"${s.dash} ` +
        `points="${coords(s.points)}"/>`);
      legend.push(`<g><line x1="0" y1="${legend.length * 18}" x2="30" y2="${legend.length * 18}" stroke="${color}" ` +
        `stroke-width="2"${s.dash}/><text x="36" y="${legend.length * 18 + 4}">${escapeXml(s.label)}</text></g>`);
    }
  });
  out.push('</g>', `<g id="legend" transform="translate(${PLOT.right - 220} ${PLOT.top + 10})">`, ...legend, '</g>', '</svg>', '');
  return out.join('\n');
}
