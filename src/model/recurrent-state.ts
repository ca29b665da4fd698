// The state each layer carries from one chunk (or one decoding step) to the next: h (B, H) per layer and c for the LSTM.
// Plain buffers only: truncated BPTT carries the values while no gradient ever flows into them.

import type { ModelConfig } from '../config/model-config.js';
import { ConfigError } from '../errors.js';
import type { Floats } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';
import type { LayerState } from '../nn/layer-io.js';

export class RecurrentState {
  readonly batchSize: number;
  readonly hiddenSize: number;
  /** One entry per layer, bottom first: h (B, H) and, for the LSTM, c (B, H); null otherwise. Row b is stream b. */
  readonly layers: readonly LayerState[];
  private scratch: Floats | null = null;

  constructor(layers: readonly LayerState[], batchSize: number, hiddenSize: number) {
    for (const l of layers) {
      if (l.h.length !== batchSize * hiddenSize || (l.c !== null && l.c.length !== batchSize * hiddenSize)) {
        throw new ConfigError(`a recurrent state of ${batchSize} rows of ${hiddenSize} units has a buffer of the wrong size`);
      }
    }
    this.layers = layers;
    this.batchSize = batchSize;
    this.hiddenSize = hiddenSize;
  }

  /** A zero state for `batchSize` rows, in the kernels' dtype. */
  static zeros(kernels: Kernels, config: ModelConfig, batchSize: number): RecurrentState {
    const n = batchSize * config.hiddenSize;
    const layers: LayerState[] = [];
    for (let l = 0; l < config.numLayers; l++) {
      layers.push({ h: kernels.alloc(n), c: config.cell === 'lstm' ? kernels.alloc(n) : null });
    }
    return new RecurrentState(layers, batchSize, config.hiddenSize);
  }

  clone(): RecurrentState {
    return new RecurrentState(this.layers.map((l) => ({ h: l.h.slice(), c: l.c === null ? null : l.c.slice() })),
      this.batchSize, this.hiddenSize);
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
    const H = this.hiddenSize;
    for (let r = 0; r < rows.length; r++) this.checkRow(rows[r]);
    for (const l of this.layers) {
      for (const x of l.c === null ? [l.h] : [l.h, l.c]) {
        this.scratch ??= x.slice();
        this.scratch.set(x);
        for (let r = 0; r < rows.length; r++) x.set(this.scratch.subarray(rows[r] * H, rows[r] * H + H), r * H);
      }
    }
    return this;
  }

  /** A new state whose row r is this state's row rows[r]; its batch size is rows.length. */
  gatherRows(rows: ArrayLike<number>): RecurrentState {
    const H = this.hiddenSize;
    for (let r = 0; r < rows.length; r++) this.checkRow(rows[r]);
    const pick = (x: Floats): Floats => {
      const out = new (x.constructor as new (n: number) => Floats)(rows.length * H);
      for (let r = 0; r < rows.length; r++) out.set(x.subarray(rows[r] * H, rows[r] * H + H), r * H);
      return out;
    };
    return new RecurrentState(this.layers.map((l) => ({ h: pick(l.h), c: l.c === null ? null : pick(l.c) })),
      rows.length, H);
  }

  private checkRow(row: number): void {
    if (!Number.isInteger(row) || row < 0 || row >= this.batchSize) {
      throw new ConfigError(`row ${row} is outside the state's ${this.batchSize} rows`);
    }
  }

  private checkSameShape(other: RecurrentState): void {
    if (other.batchSize !== this.batchSize || other.hiddenSize !== this.hiddenSize
        || other.layers.length !== this.layers.length
        || other.layers.some((l, i) => (l.c === null) !== (this.layers[i].c === null))) {
      throw new ConfigError('the two recurrent states have different shapes');
    }
  }
}
