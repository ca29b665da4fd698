// Teaching the model its start state. Truncated BPTT carries each stream's state from chunk to chunk, so without help the
// network would see the zero state only at the start of an epoch, yet every scorer and generator begins from it
// (eval --per-line, generate without a prime, beam, each line of line mode). Before each step a random share of the streams
// is set back to zeros, so that the network learns to read from a fresh start (measured in the README).

import type { RecurrentState } from '../model/recurrent-state.js';
import { Rng } from '../tensor/rng.js';

/**
 * Sets each row of `state` back to the start state with probability `share`. The rows depend only on (seed, step), so a
 * resumed run resets the same rows as an uninterrupted one.
 */
export function resetSomeStreams(state: RecurrentState, share: number, seed: number, step: number): void {
  if (share <= 0) return;
  const rng = Rng.fromSeed(`${seed}:stream-resets:${step}`);
  for (let row = 0; row < state.batchSize; row++) if (rng.uniform() < share) state.resetRow(row);
}
