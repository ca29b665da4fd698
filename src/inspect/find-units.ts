// Finding interpretable units: rank every unit's cell state, hidden output and gates by how well they track a property
// of the text (Pearson correlation, as Karpathy et al. 2015), or by how cleanly they are on inside a selected span and off
// outside it (a threshold classifier scored by TPR − FPR, LSTMVis's select-and-match).

import { UsageError } from '../errors.js';
import { gateNames, valuesOf, type Quantity } from './quantities.js';
import type { Trace } from './trace.js';

/** Per position n, the property's value once symbol n has been read. */
type PropertyFn = (symbols: readonly string[]) => Float64Array;

const isLetter = (s: string): boolean => /^\p{L}$/u.test(s);
/** s is one of the characters of `chars` (never the empty start symbol). */
const isOneOf = (chars: string, s: string): boolean => s.length > 0 && chars.includes(s);
const depth = (v: number, s: string): number => (isOneOf('([{', s) ? v + 1 : isOneOf(')]}', s) ? Math.max(0, v - 1) : v);

/** Walks the symbols with a running value that each symbol updates. */
function running(step: (prev: number, s: string, n: number, symbols: readonly string[]) => number): PropertyFn {
  return (symbols) => {
    const out = new Float64Array(symbols.length);
    let v = 0;
    symbols.forEach((s, n) => { out[n] = v = step(v, s, n, symbols); });
    return out;
  };
}

const indicator = (test: (s: string) => boolean): PropertyFn => running((_, s) => (test(s) ? 1 : 0));

export const PROPERTIES = {
  'quotes': { describe: 'inside a pair of double quotes', fn: running((v, s) => (s === '"' ? 1 - v : v)) },
  'brackets': { describe: 'nesting depth of ( [ {', fn: running(depth) },
  'line-position': { describe: 'characters since the last line break', fn: running((v, s) => (s === '\n' ? 0 : v + 1)) },
  'after-newline': { describe: 'the first character of a line', fn: running((_, _s, n, sy) => (n > 0 && sy[n - 1] === '\n' ? 1 : 0)) },
  'word-position': { describe: 'letters since the start of the word', fn: running((v, s) => (isLetter(s) ? v + 1 : 0)) },
  'newline': { describe: 'a line break', fn: indicator((s) => s === '\n') },
  'space': { describe: 'a space', fn: indicator((s) => s === ' ') },
  'vowel': { describe: 'a vowel (a e i o u)', fn: indicator((s) => isOneOf('aeiouAEIOU', s)) },
  'uppercase': { describe: 'an upper-case letter', fn: indicator((s) => /^\p{Lu}$/u.test(s)) },
  'punctuation': { describe: 'a punctuation mark', fn: indicator((s) => /^\p{P}$/u.test(s)) },
  'digit': { describe: 'a digit', fn: indicator((s) => /^\p{Nd}$/u.test(s)) },
} as const satisfies Record<string, { describe: string; fn: PropertyFn }>;

export type PropertyName = keyof typeof PROPERTIES;
export const PROPERTY_NAMES = Object.keys(PROPERTIES) as PropertyName[];

export interface RankedUnit {
  readonly quantity: Quantity & { kind: 'cell' | 'hidden' | 'gate' };
  /** Pearson r for --find (signed); TPR − FPR for --match (0 … 1). */
  readonly score: number;
}

export interface MatchedUnit extends RankedUnit {
  /** The unit is "on" where its value is above the threshold (or below it, for direction "below"). */
  readonly threshold: number;
  readonly direction: 'above' | 'below';
  /** Fractions of the positions inside and outside the span where the unit is on. */
  readonly insideOn: number;
  readonly outsideOn: number;
}

/** Every per-unit quantity of the trace: cell state (LSTM), hidden output, and each gate of each unit. */
export function unitQuantities(trace: Trace): (Quantity & { kind: 'cell' | 'hidden' | 'gate' })[] {
  const out: (Quantity & { kind: 'cell' | 'hidden' | 'gate' })[] = [];
  trace.layers.forEach((layer, l) => {
    for (let unit = 0; unit < layer.cellWidth; unit++) out.push({ kind: 'cell', layer: l, unit });
    for (let unit = 0; unit < layer.hiddenWidth; unit++) out.push({ kind: 'hidden', layer: l, unit });
    for (const gate of gateNames(trace.cell)) for (let unit = 0; unit < trace.hiddenSize; unit++) out.push({ kind: 'gate', layer: l, gate, unit });
  });
  return out;
}

/** Pearson correlation of x and y over the positions where both are finite; 0 when either is constant there. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let n = 0, sx = 0, sy = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i])) { n++; sx += x[i]; sy += y[i]; }
  }
  if (n < 2) return 0;
  const mx = sx / n, my = sy / n;
  let cxy = 0, cxx = 0, cyy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    const dx = x[i] - mx, dy = y[i] - my;
    cxy += dx * dy; cxx += dx * dx; cyy += dy * dy;
  }
  return cxx > 0 && cyy > 0 ? cxy / Math.sqrt(cxx * cyy) : 0;
}

/** The property's values over the trace's symbols. */
export function propertyValues(trace: Trace, property: PropertyName): Float64Array {
  return PROPERTIES[property].fn(trace.symbols);
}

/** Units ranked by |Pearson r| with the property, best first. */
export function findUnits(trace: Trace, property: PropertyName, top: number): RankedUnit[] {
  const target = propertyValues(trace, property);
  if (pearson(target, target) === 0) {
    throw new UsageError(`the text never changes "${property}" (${PROPERTIES[property].describe}), so no unit can track it`,
      { hint: 'inspect a longer or different text' });
  }
  const ranked = unitQuantities(trace).map((quantity) => ({ quantity, score: pearson(valuesOf(trace, quantity), target) }));
  return ranked.sort((a, b) => Math.abs(b.score) - Math.abs(a.score)).slice(0, top);
}

/** Units ranked by how well one threshold separates the span [start, end) from the rest (max of TPR − FPR), best first. */
export function matchUnits(trace: Trace, span: { start: number; end: number }, top: number): MatchedUnit[] {
  const N = trace.symbols.length;
  const inside = (n: number): boolean => n >= span.start && n < span.end;
  const nIn = span.end - span.start;
  if (nIn < 1 || nIn >= N) throw new UsageError('the span must hold at least one character and leave at least one outside it');
  const ranked = unitQuantities(trace).map((quantity) => bestThreshold(quantity, valuesOf(trace, quantity), inside, nIn, N - nIn));
  return ranked.sort((a, b) => b.score - a.score).slice(0, top);
}

/** Sweeps the threshold over the sorted values: "on above θ" and "on below θ" are both tried. */
function bestThreshold(quantity: RankedUnit['quantity'], values: Float64Array, inside: (n: number) => boolean,
                       nIn: number, nOut: number): MatchedUnit {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  // Going up the sorted values, after position i the set "value > θ" loses order[0..i]: count what stays on.
  let inAbove = nIn, outAbove = nOut;
  let best: MatchedUnit = { quantity, score: 0, threshold: values[order[0]], direction: 'above', insideOn: 1, outsideOn: 1 };
  for (let i = 0; i < order.length - 1; i++) {
    if (inside(order[i])) inAbove--; else outAbove--;
    if (values[order[i]] === values[order[i + 1]]) continue; // a threshold must fall between different values
    const threshold = (values[order[i]] + values[order[i + 1]]) / 2;
    const tpr = inAbove / nIn, fpr = outAbove / nOut;
    if (tpr - fpr > best.score) best = { quantity, score: tpr - fpr, threshold, direction: 'above', insideOn: tpr, outsideOn: fpr };
    if (fpr - tpr > best.score) {
      best = { quantity, score: fpr - tpr, threshold, direction: 'below', insideOn: 1 - tpr, outsideOn: 1 - fpr };
    }
  }
  return best;
}

/** "START..END" as two position numbers, or as the text from the first START to the end of the next END after it. */
export function parseSpan(raw: string, symbols: readonly string[]): { start: number; end: number } {
  const numbers = /^(\d+)\.\.(\d+)$/.exec(raw);
  if (numbers !== null) {
    const start = Number(numbers[1]), end = Number(numbers[2]);
    if (start >= end || end > symbols.length) {
      throw new UsageError(`--match ${raw}: positions must satisfy START < END ≤ ${symbols.length} (the characters inspected)`);
    }
    return { start, end };
  }
  const cut = raw.indexOf('..');
  if (cut <= 0 || cut + 2 >= raw.length) throw new UsageError(`--match needs "START..END" (text or positions), got "${raw}"`);
  const [from, to] = [raw.slice(0, cut), raw.slice(cut + 2)];
  // Offsets in the joined text map back to positions (line mode's start symbols are empty strings).
  const text = symbols.join('');
  const positionAt: number[] = [];
  symbols.forEach((s, n) => { for (let i = 0; i < s.length; i++) positionAt.push(n); });
  const a = text.indexOf(from);
  const b = a < 0 ? -1 : text.indexOf(to, a + from.length);
  if (a < 0 || b < 0) throw new UsageError(`--match: the text has no "${from}" followed by "${to}"`);
  return { start: positionAt[a], end: positionAt[b + to.length - 1] + 1 };
}
