// Initial weights, drawn from the seeded Rng so the same seed gives the same model. Knows the names of the parameters
// (src/config/model-config.ts) but not how the layers use them.

import type { Cell } from '../config/model-config.js';
import type { Floats } from '../tensor/floats.js';
import type { Rng } from '../tensor/rng.js';

/** One named parameter tensor to fill: its PyTorch name and shape, and its values. */
export interface InitTarget { name: string; shape: readonly number[]; values: Floats }

/** The standard deviation of the input weights of a ReLU RNN (Le et al., 2015, "A Simple Way to Initialize RNNs…"). */
const IRNN_INPUT_STD = 0.001;

function fillUniform(x: Floats, rng: Rng, bound: number): void {
  for (let i = 0; i < x.length; i++) x[i] = rng.range(-bound, bound);
}

/**
 * Fills every tensor, in the given order, with:
 * - uniform(−1/√H, 1/√H) for recurrent weights and biases and for the decoder (PyTorch's defaults for nn.LSTM/GRU/RNN and
 *   for an nn.Linear with H inputs);
 * - LSTM: forget-gate bias b_ih_f = forgetBias and b_hh_f = 0. The usual 1 keeps the cell's memory at first, so early
 *   gradients flow through it (Jozefowicz et al., 2015);
 * - rnn-relu: W_hh = identity, zero biases and small normal W_ih (IRNN, Le et al., 2015), so h is carried unchanged at first.
 */
export function initializeParameters(cell: Cell, hiddenSize: number, targets: readonly InitTarget[], rng: Rng,
                                     forgetBias = 1): void {
  const H = hiddenSize;
  const bound = 1 / Math.sqrt(H);
  for (const { name, values } of targets) {
    fillUniform(values, rng, bound);
    if (name.startsWith('decoder.')) continue;
    const kind = name.slice(name.indexOf('.') + 1).replace(/_l\d+$/, ''); // weight_ih, weight_hh, bias_ih, bias_hh
    if (cell === 'lstm' && kind === 'bias_ih') values.fill(forgetBias, H, 2 * H); // gate order i, f, g, o: f is rows H..2H
    if (cell === 'lstm' && kind === 'bias_hh') values.fill(0, H, 2 * H);
    if (cell === 'rnn-relu') {
      if (kind === 'weight_hh') {
        values.fill(0);
        for (let j = 0; j < H; j++) values[j * H + j] = 1;
      } else if (kind === 'weight_ih') {
        for (let i = 0; i < values.length; i++) values[i] = IRNN_INPUT_STD * rng.normal();
      } else {
        values.fill(0);
      }
    }
  }
}
