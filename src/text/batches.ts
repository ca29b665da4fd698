// Cuts a sequence of ids into B contiguous streams walked T characters at a time (truncated BPTT batches).
// It only indexes; the trainer owns the cursor (epoch, chunk) and the hidden state carried between chunks.

import type { Ids } from '../tensor/floats.js';

/** Where training is in the text: plain data, saved in the model file for an exact resume. */
export interface BatchCursor {
  epoch: number;
  /** The next chunk of the epoch, 0 … chunksPerEpoch − 1. */
  chunk: number;
}

/**
 * B = streams (batch), T = steps per chunk, N = ids, L = floor((N − 1) / B) = ids per stream.
 * Stream b is ids[b·L, (b+1)·L] (its last target may be the first input of stream b+1), so the streams never overlap and
 * chunk k+1 of a stream starts right where chunk k ended; the hidden state carried from chunk k is the right context.
 */
export class BatchStreams {
  readonly B: number;
  readonly T: number;
  /** Ids per stream. */
  readonly streamLength: number;
  /** Whole chunks of T steps per stream; the ragged tail of each stream is not used. */
  readonly chunksPerEpoch: number;

  constructor(private readonly ids: Ids, B: number, T: number) {
    if (!Number.isInteger(B) || B < 1 || !Number.isInteger(T) || T < 1) {
      throw new RangeError(`batch streams need positive integer B and T (got B=${B}, T=${T})`);
    }
    this.B = B;
    this.T = T;
    this.streamLength = Math.max(0, Math.floor((ids.length - 1) / B));
    this.chunksPerEpoch = Math.floor(this.streamLength / T);
  }

  /** Writes chunk `chunk` time-major: inputs[t·B + b] = ids[b·L + chunk·T + t], targets = the next id of each. (T, B) each. */
  fill(chunk: number, inputs: Ids, targets: Ids): void {
    const { B, T, ids } = this;
    const L = this.streamLength;
    if (!Number.isInteger(chunk) || chunk < 0 || chunk >= this.chunksPerEpoch) {
      throw new RangeError(`chunk ${chunk} is outside 0 … ${this.chunksPerEpoch - 1}`);
    }
    if (inputs.length < T * B || targets.length < T * B) throw new RangeError(`inputs and targets need ${T * B} entries`);
    for (let b = 0; b < B; b++) {
      const start = b * L + chunk * T;
      for (let t = 0; t < T; t++) {
        inputs[t * B + b] = ids[start + t]!;
        targets[t * B + b] = ids[start + t + 1]!;
      }
    }
  }
}
