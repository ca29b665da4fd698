// Validation loss on the held-out tail: the model run forward (no dropout, no gradients) over parallel streams with
// carried state, leaving the training state untouched.

import type { CharLM } from '../model/char-lm.js';
import { BatchStreams } from '../text/batches.js';
import type { Ids } from '../tensor/floats.js';

/**
 * Mean cross-entropy in nats per character over `ids`. The text is cut into at most `batchSize` streams walked `bpttLength`
 * characters at a time, each starting from a zero state; the few characters past the last whole chunk are not scored.
 */
export function validationLoss(model: CharLM, ids: Ids, batchSize: number, bpttLength: number): number {
  if (ids.length < 2) return Number.NaN;
  const T = Math.min(bpttLength, ids.length - 1);
  const B = Math.max(1, Math.min(batchSize, Math.floor((ids.length - 1) / T)));
  const streams = new BatchStreams(ids, B, T);
  const inputs = new (ids.constructor as { new (n: number): Ids })(T * B);
  const targets = new (ids.constructor as { new (n: number): Ids })(T * B);
  const state = model.createState(B);
  let nats = 0;
  let chars = 0;
  for (let chunk = 0; chunk < streams.chunksPerEpoch; chunk++) {
    streams.fill(chunk, inputs, targets);
    const pass = model.forward(inputs, targets, T, B, state, { training: false });
    nats += pass.lossNats * T * B;
    chars += T * B;
  }
  return nats / chars;
}
