// Loss curves in the terminal (asciichart), for the end of training and `charlm plot`: each series resampled to the
// chart's width, training loss drawn solid and validation dotted, one colour per run, with a step axis and a legend.

import asciichart from 'asciichart';
import type { CurvePoint, CurveVerdict, LossCurves } from '../train/curves.js';
import { columnsOf } from './fit-line.js';

export interface ChartRun {
  readonly name: string;
  readonly curves: LossCurves;
}

const SOLID: asciichart.PlotConfig['symbols'] = ['┼', '┤', '╶', '╴', '─', '╰', '╭', '╮', '╯', '│'];
const DOTTED: asciichart.PlotConfig['symbols'] = ['┼', '┤', '╶', '╴', '┄', '╰', '╭', '╮', '╯', '┆'];
const RUN_COLORS = [asciichart.blue, asciichart.magenta, asciichart.green, asciichart.yellow, asciichart.cyan, asciichart.red];
const LABEL_WIDTH = 7;

/** The mean of the points within half a column (or half the window) of each x, or the line between the nearest points where there are none. */
export function resample(points: readonly CurvePoint[], xs: readonly number[], window = 0): number[] {
  const half = Math.max(window / 2, xs.length > 1 ? (xs[1]! - xs[0]!) / 2 : Number.POSITIVE_INFINITY);
  let lo = 0;
  return xs.map((x) => {
    while (lo < points.length && points[lo]!.step < x - half) lo++;
    let sum = 0;
    let n = 0;
    for (let i = lo; i < points.length && points[i]!.step <= x + half; i++, n++) sum += points[i]!.loss;
    if (n > 0) return sum / n;
    const after = points.findIndex((p) => p.step >= x);
    if (after <= 0) return points[after === 0 ? 0 : points.length - 1]!.loss;
    const [a, b] = [points[after - 1]!, points[after]!];
    return a.loss + ((b.loss - a.loss) * (x - a.step)) / (b.step - a.step);
  });
}

interface Series {
  readonly values: number[];
  /** The first column with data (validation starts at the first validation); columns before it are left empty. */
  readonly from: number;
  readonly symbols: asciichart.PlotConfig['symbols'];
  readonly color: string;
}

/** The first tenth of the columns is left out of the scale: the first steps' steep fall would flatten the rest. */
const UNSCALED_FRACTION = 0.1;

/** Draws each series alone on the same scale and lays them over each other, so each keeps its own line style. */
function overlay(series: readonly Series[], height: number, colorize: boolean): string[] {
  const skip = (s: Series): number => Math.max(s.from, Math.floor(s.values.length * UNSCALED_FRACTION));
  const scaled = series.flatMap((s) => s.values.slice(skip(s)));
  const min = Math.min(...scaled);
  const max = Math.max(...scaled) > min ? Math.max(...scaled) : min + 1e-3;
  const format = (x: number): string => x.toFixed(x < 10 ? 3 : 1).padStart(LABEL_WIDTH);
  const grids = series.map((s) => asciichart.plot(s.values.map((v) => Math.min(max, Math.max(min, v))),
    { min, max, height, symbols: s.symbols, format, offset: 2 }).split('\n').map((line) => [...line]));
  const rows = grids[0]!.map((row) => row.map((ch) => ({ ch, color: '' })));
  const axisEnd = LABEL_WIDTH + 2;
  grids.forEach((grid, k) => grid.forEach((row, r) => row.forEach((ch, c) => {
    if (c >= axisEnd + series[k]!.from && ch !== ' ') rows[r]![c] = { ch, color: series[k]!.color };
  })));
  return rows.map((row) => row.map((cell) => (colorize && cell.color !== '' ? asciichart.colored(cell.ch, cell.color) : cell.ch))
    .join('').trimEnd());
}

/** The chart's lines for runs drawn over the same steps, `width` columns wide at most. */
export function renderLossChart(runs: readonly ChartRun[], width: number, colorize: boolean, height = 10): string[] {
  const withData = runs.filter((r) => r.curves.train.length + r.curves.validation.length >= 2);
  if (withData.length === 0) return [];
  const firstOf = (c: LossCurves): number => Math.min(c.train[0]?.step ?? Infinity, c.validation[0]?.step ?? Infinity);
  const lastOf = (c: LossCurves): number => Math.max(c.train.at(-1)?.step ?? 0, c.validation.at(-1)?.step ?? 0);
  const x0 = Math.min(...withData.map((r) => firstOf(r.curves)));
  const x1 = Math.max(x0 + 1, ...withData.map((r) => lastOf(r.curves)));
  const columns = Math.max(10, width - (LABEL_WIDTH + 3));
  const xs = Array.from({ length: columns }, (_, i) => x0 + ((x1 - x0) * i) / (columns - 1));
  const columnOf = (step: number): number => Math.max(0, Math.ceil(((step - x0) / (x1 - x0)) * (columns - 1)));
  // The training loss is noisy step to step: averaged over a fortieth of the span (or a column, if wider).
  const smoothing = (x1 - x0) / 40;
  const series: Series[] = [];
  const legend: string[] = [];
  withData.forEach((run, k) => {
    const color = RUN_COLORS[k % RUN_COLORS.length]!;
    const prefix = withData.length > 1 ? `${run.name} ` : '';
    const { train, validation } = run.curves;
    if (train.length > 0) {
      series.push({ values: resample(train, xs, smoothing), from: columnOf(train[0]!.step), symbols: SOLID, color });
      legend.push((colorize ? asciichart.colored('───', color) : '───') + ` ${prefix}training`);
    }
    if (validation.length > 0) {
      series.push({ values: resample(validation, xs), from: columnOf(validation[0]!.step), symbols: DOTTED, color });
      legend.push((colorize ? asciichart.colored('┄┄┄', color) : '┄┄┄') + ` ${prefix}validation`);
    }
  });
  const lines = overlay(series, height, colorize);
  const axisColumn = LABEL_WIDTH + 1;
  const left = `step ${Math.round(x0)}`;
  const right = `step ${Math.round(x1)}`;
  const gap = Math.max(1, axisColumn + columns - left.length - right.length - axisColumn);
  const legendLines: string[] = [];
  for (const item of legend) {
    const lastLine = legendLines.at(-1);
    if (lastLine !== undefined && axisColumn + columnsOf(stripColor(lastLine + '   ' + item)) <= width) {
      legendLines[legendLines.length - 1] = lastLine + '   ' + item;
    } else {
      legendLines.push(item);
    }
  }
  return [
    `${' '.repeat(Math.max(0, LABEL_WIDTH - 'nats/char'.length + 1))}nats/char`,
    ...lines,
    ' '.repeat(axisColumn) + left + ' '.repeat(gap) + right,
    ...legendLines.map((line) => ' '.repeat(axisColumn) + line),
  ];
}

function stripColor(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/** One or two lines on what the curve says, with the command to continue when more steps would help. */
export function adviceLines(verdict: CurveVerdict, context: { continueCommand: string | null; bestModel: string | null }): string[] {
  const kept = (step: number): string => `the best model is the one from step ${step}` +
    (context.bestModel === null ? '' : `, kept in ${context.bestModel}`);
  const f = (x: number): string => x.toFixed(4);
  switch (verdict.kind) {
    case 'improving':
      return [`still improving: the validation loss fell ${f(verdict.fellBy)} at the last validation (step ${verdict.lastStep})`,
        ...(context.continueCommand === null ? [] : [`to train further: ${context.continueCommand}`])];
    case 'overfitting':
      return [`overfitting since step ${verdict.bestStep}: the validation loss rose from ${f(verdict.bestLoss)} to ` +
        `${f(verdict.lastLoss)} while the training loss kept falling`,
      `${kept(verdict.bestStep)}; more dropout or more text would help`];
    case 'stalled':
      return [`no better validation since step ${verdict.bestStep} (best ${f(verdict.bestLoss)}, last ${f(verdict.lastLoss)})`,
        kept(verdict.bestStep)];
    case 'unknown':
      return [];
  }
}
