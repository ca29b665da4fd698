// The one-hot input of the first layer: multiplying a one-hot vector by W_ihᵀ picks one column of W_ih, so the "matrix
// product" is a lookup and its backward a scatter-add. Knows nothing of recurrences.

import type { Floats, Ids } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';

// rows = T·B characters, G = rows of the weight (gates × H), V = vocabulary size.

/** out (rows, G) = onehot(ids) · Wᵀ, i.e. out[r, :] = W[:, ids[r]]. W is (G, V). Overwrites out. */
export function embeddingForward(k: Kernels, weight: Floats, G: number, V: number, ids: Ids, rows: number,
                                 out: Floats, outOff: number): void {
  out.fill(0, outOff, outOff + rows * G);
  k.gatherColumns(weight, 0, G, V, ids, 0, rows, out, outOff);
}

/** dW[:, ids[r]] += dOut[r, :]. Adds into dWeight; a character seen twice gets both contributions. */
export function embeddingBackward(k: Kernels, dOut: Floats, dOutOff: number, rows: number, G: number, ids: Ids,
                                  dWeight: Floats, V: number): void {
  k.scatterAddColumns(dWeight, 0, G, V, ids, 0, rows, dOut, dOutOff);
}
