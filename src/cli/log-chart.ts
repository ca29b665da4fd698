// A terminal chart of several series on a logarithmic y axis against x = 1 … n: one letter per series (so it reads without
// colour), the y axis labelled in powers of ten. Used by `charlm gradflow`.

import type { ChalkInstance } from 'chalk';

export interface ChartSeries {
  readonly label: string;
  /** values[i] is plotted at x = i + 1; zeros, NaN and infinities are left out (no logarithm). */
  readonly values: readonly number[];
}

export interface ChartOptions {
  readonly height: number;
  /** Columns for the plot area; the x range is sampled to fit. */
  readonly width: number;
  readonly color: ChalkInstance | null;
  readonly xLabel: string;
}

const MARKERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HUES = ['red', 'blue', 'green', 'magenta', 'cyan', 'yellow'] as const;

/** The chart, its x axis and a legend naming each series' letter. */
export function renderLogChart(series: readonly ChartSeries[], opts: ChartOptions): string {
  const logs = series.map((s) => s.values.map((v) => (v > 0 && Number.isFinite(v) ? Math.log10(v) : Number.NaN)));
  const finite = logs.flat().filter(Number.isFinite);
  if (finite.length === 0) return 'nothing to plot: every value is zero\n';
  const top = Math.ceil(Math.max(...finite));
  const bottom = Math.min(Math.floor(Math.min(...finite)), top - 1);
  const n = Math.max(...series.map((s) => s.values.length));
  const cols = Math.max(1, Math.min(n, opts.width));
  const rows = Math.max(4, opts.height);
  const grid = Array.from({ length: rows }, () => new Array<string>(cols).fill(' '));
  const paint = (i: number, ch: string): string =>
    opts.color === null || ch === '*' ? ch : opts.color[HUES[i % HUES.length]](ch);
  logs.forEach((values, i) => {
    for (let c = 0; c < cols; c++) {
      const x = Math.min(n - 1, Math.round((c * (n - 1)) / Math.max(1, cols - 1)));
      const y = values[x];
      if (!Number.isFinite(y)) continue;
      const r = Math.round(((top - y) / (top - bottom)) * (rows - 1));
      grid[r][c] = grid[r][c] === ' ' ? paint(i, MARKERS[i % MARKERS.length]) : '*';
    }
  });
  // Each power of ten labels the row it is plotted in, as a value would be (the higher one where two share a row).
  const powers = new Map<number, number>();
  for (let d = top; d >= bottom; d--) {
    const r = Math.round(((top - d) / (top - bottom)) * (rows - 1));
    if (!powers.has(r)) powers.set(r, d);
  }
  const label = (r: number): string => (powers.has(r) ? `1e${powers.get(r)}` : '');
  const lines = grid.map((row, r) => `${label(r).padStart(6)} ┤${row.join('')}`.trimEnd());
  const last = Math.min(n, Math.max(...series.map((s) => s.values.length)));
  lines.push(`${' '.repeat(6)} └${'─'.repeat(cols)}`);
  lines.push(`${' '.repeat(8)}1${' '.repeat(Math.max(1, cols - String(last).length - 1))}${last}  ${opts.xLabel}`);
  series.forEach((s, i) => lines.push(`  ${paint(i, MARKERS[i % MARKERS.length])}  ${s.label}`));
  lines.push('  *  several series at one point');
  return lines.join('\n') + '\n';
}
