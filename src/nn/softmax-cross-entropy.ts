// The loss: softmax over the decoder's logits and cross-entropy with the next character, averaged per character, in nats.
// Stable (log-sum-exp) and fused with its gradient in the kernels; knows nothing of the network below.

import type { Floats, Ids } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';

// rows = T·B characters, V = vocabulary size.

/** Mean over rows of −log softmax(logits_r)[targets_r], in nats per character. logits (rows, V). */
export function crossEntropyLoss(k: Kernels, logits: Floats, targets: Ids, rows: number, V: number): number {
  return k.softmaxCrossEntropy(logits, 0, rows, V, targets, 0, null, 0, 1) / rows;
}

/** dLogits (rows, V) = (softmax(logits) − onehot(targets)) / rows, the gradient of the mean. Overwrites dLogits. */
export function crossEntropyBackward(k: Kernels, logits: Floats, targets: Ids, rows: number, V: number,
                                     dLogits: Floats): void {
  k.softmaxCrossEntropy(logits, 0, rows, V, targets, 0, dLogits, 0, 1 / rows);
}
