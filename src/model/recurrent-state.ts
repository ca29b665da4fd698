// The state each layer carries from one chunk (or one decoding step) to the next: h per layer and, for cells with a cell
// state, c; their widths are the cell type's (src/nn/cell-type.ts). Plain buffers only: truncated BPTT carries the values
// while no gradient ever flows into them.

import { layerDims, type ModelConfig } from '../config/model-config.js';
import { ConfigError } from '../errors.js';
import type { StateWidths } from '../nn/cell-type.js';
import { cellType } from '../nn/cells.js';
import type { LayerState } from '../nn/layer-io.js';
import type { Floats } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';

/** The widths per row of every layer's state tensors, bottom layer first. */
export function stateWidths(config: ModelConfig): StateWidths[] {
  const type = cellType(config.cell);
  return Array.from({ length: config.numLayers }, (_, l) => type.state(layerDims(config, l)));
}

export class RecurrentState {
  readonly batchSize: number;
  /** Per layer, bottom first: the width per row of h and of c (null without a cell state). */
  readonly widths: readonly StateWidths[];
  /** One entry per layer, bottom first: h (B, widths.h) and c (B, widths.c) or null. Row b is stream b. */
  readonly layers: readonly LayerState[];
  private scratch: Floats | null = null;

  constructor(layers: readonly LayerState[], batchSize: number, widths: readonly StateWidths[]) {
    const fits = layers.length === widths.length && layers.every((l, i) => l.h.length === batchSize * widths[i].h
      && (l.c === null ? widths[i].c === null : widths[i].c !== null && l.c.length === batchSize * widths[i].c!));
    if (!fits) throw new ConfigError(`a recurrent state of ${batchSize} rows has a buffer of the wrong size`);
    this.layers = layers;
    this.batchSize = batchSize;
    this.widths = widths;
  }

  /** A zero state for `batchSize` rows, in the kernels' dtype. */
  static zeros(kernels: Kernels, config: ModelConfig, batchSize: number): RecurrentState {
    const widths = stateWidths(config);
    const layers = widths.map((w) => ({ h: kernels.alloc(batchSize * w.h), c: w.c === null ? null : kernels.alloc(batchSize * w.c) }));
    return new RecurrentState(layers, batchSize, widths);
  }

  /** Whether this state has the shape `widths` describe (a model's stateWidths) for `batchSize` rows. */
  fits(widths: readonly StateWidths[], batchSize: number): boolean {
    return batchSize === this.batchSize && sameWidths(widths, this.widths);
  }

  clone(): RecurrentState {
    return new RecurrentState(this.layers.map((l) => ({ h: l.h.slice(), c: l.c === null ? null : l.c.slice() })),
      this.batchSize, this.widths);
  }

  /** Gives the buffers back to the kernels that allocated them (Kernels.release); the state must not be used again. */
  release(kernels: Kernels): void {
    for (const l of this.layers) {
      kernels.release(l.h);
      if (l.c !== null) kernels.release(l.c);
    }
  }

  /** Back to zeros (a new epoch, or a new text). */
  reset(): void {
    for (const l of this.layers) {
      l.h.fill(0);
      l.c?.fill(0);
    }
  }

  /** Row `row` back to zeros: that stream starts again from the start state. */
  resetRow(row: number): void {
    this.checkRow(row);
    for (const l of this.layers) {
      for (const x of l.c === null ? [l.h] : [l.h, l.c]) {
        const W = x.length / this.batchSize;
        x.fill(0, row * W, row * W + W);
      }
    }
  }

  copyFrom(other: RecurrentState): void {
    this.checkSameShape(other);
    this.layers.forEach((l, i) => {
      l.h.set(other.layers[i].h);
      if (l.c !== null) l.c.set(other.layers[i].c!);
    });
  }

  /** In place: row r becomes the old row rows[r] (rows.length = batchSize). Beam search reorders its beams with this. */
  selectRows(rows: ArrayLike<number>): this {
    if (rows.length !== this.batchSize) {
      throw new ConfigError(`selectRows needs ${this.batchSize} row indices (got ${rows.length}); use gatherRows to resize`);
    }
    for (let r = 0; r < rows.length; r++) this.checkRow(rows[r]);
    for (const l of this.layers) {
      for (const x of l.c === null ? [l.h] : [l.h, l.c]) {
        const W = x.length / this.batchSize;
        if (this.scratch === null || this.scratch.length < x.length) this.scratch = x.slice();
        this.scratch.set(x);
        for (let r = 0; r < rows.length; r++) x.set(this.scratch.subarray(rows[r] * W, rows[r] * W + W), r * W);
      }
    }
    return this;
  }

  /** A new state whose row r is this state's row rows[r]; its batch size is rows.length. */
  gatherRows(rows: ArrayLike<number>): RecurrentState {
    for (let r = 0; r < rows.length; r++) this.checkRow(rows[r]);
    const pick = (x: Floats): Floats => {
      const W = x.length / this.batchSize;
      const out = new (x.constructor as new (n: number) => Floats)(rows.length * W);
      for (let r = 0; r < rows.length; r++) out.set(x.subarray(rows[r] * W, rows[r] * W + W), r * W);
      return out;
    };
    return new RecurrentState(this.layers.map((l) => ({ h: pick(l.h), c: l.c === null ? null : pick(l.c) })),
      rows.length, this.widths);
  }

  private checkRow(row: number): void {
    if (!Number.isInteger(row) || row < 0 || row >= this.batchSize) {
      throw new ConfigError(`row ${row} is outside the state's ${this.batchSize} rows`);
    }
  }

  private checkSameShape(other: RecurrentState): void {
    if (!this.fits(other.widths, other.batchSize)) throw new ConfigError('the two recurrent states have different shapes');
  }
}

function sameWidths(a: readonly StateWidths[], b: readonly StateWidths[]): boolean {
  return a.length === b.length && a.every((w, i) => w.h === b[i].h && w.c === b[i].c);
}
