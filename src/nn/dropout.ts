// Inverted dropout between stacked layers and before the decoder: while training, each unit is kept with probability
// 1 − p and scaled by 1/(1 − p), so nothing changes at inference. The mask is drawn from the seeded Rng and kept for backward.

import type { Floats } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';
import type { Rng } from '../tensor/rng.js';

/** mask (n) holds 0 or 1/(1 − p) per unit of the last training forward. */
export interface DropoutCache { mask: Floats }

/** Draws a fresh mask and writes out = x ⊙ mask over n elements (training only; callers skip dropout otherwise). */
export function dropoutForward(k: Kernels, p: number, rng: Rng, x: Floats, xOff: number, out: Floats, outOff: number,
                               n: number, cache: DropoutCache): void {
  const { mask } = cache;
  const keep = 1 / (1 - p);
  // Drawing the mask needs the Rng, so this one loop lives here rather than in the kernels.
  for (let i = 0; i < n; i++) mask[i] = rng.uniform() < p ? 0 : keep;
  k.mul(x, xOff, mask, 0, out, outOff, n);
}

/** dX = dOut ⊙ mask (dX may be dOut). */
export function dropoutBackward(k: Kernels, dOut: Floats, dOutOff: number, dX: Floats, dXOff: number, n: number,
                                cache: DropoutCache): void {
  k.mul(dOut, dOutOff, cache.mask, 0, dX, dXOff, n);
}
