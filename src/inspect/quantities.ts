// What can be shown per character of a trace: a unit's cell state or hidden output, a gate's activation (one unit's or the
// mean over units), or the model's surprise. Names the gates of each cell type; reads values, computes none.

import { cellType } from '../nn/cells.js';
import type { Cell } from '../nn/cells.js';
import { UsageError } from '../errors.js';
import type { Scale } from './colour-scale.js';
import type { Trace } from './trace.js';

export type GateName = 'input' | 'forget' | 'candidate' | 'output' | 'reset' | 'update';

export type Quantity =
  | { readonly kind: 'cell' | 'hidden'; readonly layer: number; readonly unit: number }
  | { readonly kind: 'gate'; readonly layer: number; readonly gate: GateName; readonly unit: number | null }
  | { readonly kind: 'surprise' };

/** What the gate letters of the cell descriptors (src/nn/*: LSTM i f g o, GRU r z n) are called for people. */
const GATE_NAMES: Readonly<Record<string, GateName>> = { i: 'input', f: 'forget', g: 'candidate', o: 'output', r: 'reset', z: 'update', n: 'candidate' };

/** The gates of a cell in the order its gate rows are stored; none for the vanilla RNN (its one row is no gate). */
export function gateNames(cell: Cell): readonly GateName[] {
  const letters = cellType(cell).gates;
  return letters.every((g) => g in GATE_NAMES) ? letters.map((g) => GATE_NAMES[g]) : [];
}

/** Gates squashed by a sigmoid into (0, 1): every gate but the tanh candidate. */
export function isSigmoidGate(gate: GateName): boolean {
  return gate !== 'candidate';
}

/** How a quantity is named in legends, headings and JSON: "layer 1 unit 37 cell", "layer 0 forget gate (mean)". */
export function describeQuantity(q: Quantity): string {
  switch (q.kind) {
    case 'surprise':
      return 'surprise (−ln P of each character, nats)';
    case 'cell':
      return `layer ${q.layer} unit ${q.unit} cell state`;
    case 'hidden':
      return `layer ${q.layer} unit ${q.unit} hidden output`;
    case 'gate':
      return `layer ${q.layer} ${q.gate} gate ${q.unit === null ? '(mean over units)' : `of unit ${q.unit}`}`;
  }
}

/** Units of the quantity's kind in a layer: the output width for hidden, the cell state's width, H per gate. */
export function unitsOf(trace: Trace, layer: number, kind: 'cell' | 'hidden' | 'gate'): number {
  const t = trace.layers[layer];
  return kind === 'hidden' ? t.hiddenWidth : kind === 'cell' ? t.cellWidth : trace.hiddenSize;
}

/** Throws a UsageError when the quantity does not exist in this trace's model. */
export function checkQuantity(trace: Trace, q: Quantity): void {
  if (q.kind === 'surprise') return;
  const L = trace.layers.length;
  if (!Number.isInteger(q.layer) || q.layer < 0 || q.layer >= L) {
    throw new UsageError(`--layer ${q.layer} does not exist: the model has ${L} layer${L === 1 ? '' : 's'} (0 to ${L - 1})`);
  }
  if (q.kind === 'cell' && trace.layers[q.layer].cells === null) throw new UsageError(`a ${trace.cell} has no cell state; use --show hidden`);
  if (q.kind === 'gate' && !gateNames(trace.cell).includes(q.gate)) {
    const names = gateNames(trace.cell);
    throw new UsageError(names.length === 0 ? `a ${trace.cell} has no gates`
      : `a ${trace.cell} has no ${q.gate} gate (its gates: ${names.join(', ')})`);
  }
  const units = unitsOf(trace, q.layer, q.kind);
  if (q.unit !== null && (!Number.isInteger(q.unit) || q.unit < 0 || q.unit >= units)) {
    throw new UsageError(`--unit ${q.unit} does not exist: layer ${q.layer} has ${units} units (0 to ${units - 1})`);
  }
}

/** The quantity at every position (NaN where it is undefined, as the surprise at the first character). */
export function valuesOf(trace: Trace, q: Quantity): Float64Array {
  const N = trace.symbols.length;
  if (q.kind === 'surprise') return Float64Array.from(trace.surprise);
  const layer = trace.layers[q.layer];
  const out = new Float64Array(N);
  if (q.kind !== 'gate') {
    const [src, width] = q.kind === 'cell' ? [layer.cells!, layer.cellWidth] : [layer.hiddens, layer.hiddenWidth];
    for (let n = 0; n < N; n++) out[n] = src[n * width + q.unit];
    return out;
  }
  const H = trace.hiddenSize;
  const G = layer.gateWidth;
  const first = gateNames(trace.cell).indexOf(q.gate) * H;
  for (let n = 0; n < N; n++) {
    if (q.unit !== null) {
      out[n] = layer.gates![n * G + first + q.unit];
    } else {
      let s = 0;
      for (let j = 0; j < H; j++) s += layer.gates![n * G + first + j];
      out[n] = s / H;
    }
  }
  return out;
}

/** The range a colour scale spans: symmetric around 0 for states that change sign, [0, 1] for sigmoid gates, else [0, max]. */
export function scaleOf(q: Quantity, values: ArrayLike<number>): Scale {
  let min = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const absMax = Math.max(-min, max) || 1;
  switch (q.kind) {
    case 'cell':
    case 'hidden':
      return min < 0 ? { min: -absMax, max: absMax, diverging: true } : { min: 0, max: absMax, diverging: false };
    case 'gate':
      return isSigmoidGate(q.gate) ? { min: 0, max: 1, diverging: false } : { min: -1, max: 1, diverging: true };
    case 'surprise':
      return { min: 0, max: max || 1, diverging: false };
  }
}
