// Global-norm gradient clipping (Pascanu et al., 2013): if ‖g‖₂ over all parameters exceeds maxNorm, g ← g · maxNorm/‖g‖.

import type { Floats } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';

/** Returns the norm BEFORE clipping. maxNorm 0 or Infinity turns clipping off; a non-finite norm is left for the caller. */
export function clipGlobalNorm(kernels: Kernels, grads: Floats, maxNorm: number): number {
  const norm = Math.sqrt(kernels.sumSquares(grads, 0, grads.length));
  if (maxNorm > 0 && Number.isFinite(maxNorm) && Number.isFinite(norm) && norm > maxNorm) {
    kernels.scale(grads, 0, grads.length, maxNorm / norm);
  }
  return norm;
}
