// Teaching the model its start state. Truncated BPTT carries each stream's state from chunk to chunk, so without help the
// network would see the zero state only at the start of an epoch, yet every scorer and generator begins from it, reading a
// line break first (eval --per-line, generate without a prime, beam) or line mode's start symbol. At each step a random
// share of the streams restarts from zeros at the first line start of its chunk, so that the network learns to read a
// line from a fresh start (measured in the README). A restart at the chunk's first step, wherever in a line it falls,
// taught a one-layer LSTM to recover mid-line but not to carry a line's first characters to its end (README).

import { RowResets } from '../nn/row-resets.js';
import type { Ids } from '../tensor/floats.js';
import { Rng } from '../tensor/rng.js';

export interface RestartPlan {
  /** Each row is chosen with this probability; it restarts at its first line start in the chunk, else at step 0. */
  readonly share: number;
  readonly seed: number;
  readonly step: number;
  /** The symbol that starts a line: line mode's start symbol, else the line break (null: the text has none). */
  readonly lineStart: number | null;
  /** Line mode: every row whose input is this symbol restarts too (each item is read on its own). */
  readonly everyItemAt: number | null;
}

/**
 * Where the rows of a (T, B) chunk restart from the start state, or null for nowhere. The chosen rows depend only on
 * (seed, step), so a resumed run restarts the same rows as an uninterrupted one.
 */
export function plannedRestarts(inputs: Ids, T: number, B: number, plan: RestartPlan): RowResets | null {
  const at = new Int32Array(B).fill(-1); // the step at which row b restarts by choice, or -1
  if (plan.share > 0) {
    const rng = Rng.fromSeed(`${plan.seed}:stream-resets:${plan.step}`);
    for (let b = 0; b < B; b++) if (rng.uniform() < plan.share) at[b] = firstStepWith(inputs, T, B, b, plan.lineStart);
  }
  return RowResets.of(T, B, (t, b) => at[b] === t || (plan.everyItemAt !== null && inputs[t * B + b] === plan.everyItemAt));
}

/** The first step at which row b reads `symbol`, or 0 when it does not (or symbol is null). */
function firstStepWith(inputs: Ids, T: number, B: number, b: number, symbol: number | null): number {
  if (symbol !== null) for (let t = 0; t < T; t++) if (inputs[t * B + b] === symbol) return t;
  return 0;
}
