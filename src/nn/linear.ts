// A fully connected layer y = x · Wᵀ + b over many rows at once (the decoder, and the input projection of stacked layers).
// Knows nothing of what the rows mean.

import type { Floats } from '../tensor/floats.js';
import type { Kernels, PackedB } from '../tensor/kernels.js';

// rows = T·B, D = input size, O = output size.
export interface LinearWeights { weight: Floats; bias: Floats | null } // (O, D) (O)

/** y (rows, O) = x (rows, D) · Wᵀ + b, with Wᵀ read from `packed` when given (packB of w.weight). Overwrites y. */
export function linearForward(k: Kernels, w: LinearWeights, x: Floats, xOff: number, rows: number, D: number, O: number,
                              y: Floats, yOff: number, packed: PackedB | null = null): void {
  if (packed !== null) k.gemmPacked(rows, 1, x, xOff, D, packed, 0, y, yOff, O);
  else k.gemm(false, true, rows, O, D, 1, x, xOff, D, w.weight, 0, D, 0, y, yOff, O);
  if (w.bias !== null) k.addRowVector(y, yOff, rows, O, w.bias, 0);
}

/**
 * grads.weight += dYᵀ · x, grads.bias += Σ_rows dY, and, when dX is given, dX (rows, D) = dY · W (overwritten).
 */
export function linearBackward(k: Kernels, w: LinearWeights, x: Floats, xOff: number, dY: Floats, dYOff: number,
                               rows: number, D: number, O: number, grads: LinearWeights,
                               dX: Floats | null, dXOff: number): void {
  k.gemm(true, false, O, D, rows, 1, dY, dYOff, O, x, xOff, D, 1, grads.weight, 0, D);
  if (grads.bias !== null) k.sumRows(dY, dYOff, rows, O, grads.bias, 0);
  if (dX !== null) k.gemm(false, false, rows, D, O, 1, dY, dYOff, O, w.weight, 0, D, 0, dX, dXOff, D);
}
