// Runs one recurrent layer alone on dense random input in float64, for the layer tests in test/nn/: the loss is a fixed
// random linear function of h_1 … h_T, so dLoss/dh is known and backward can be checked against finite differences.

import type { Cell } from '../../src/config/model-config.js';
import { createRecurrentLayer, type RecurrentLayer, type RecurrentWeights } from '../../src/model/recurrent-layer.js';
import type { LayerInput, LayerState } from '../../src/nn/layer-io.js';
import type { Floats } from '../../src/tensor/floats.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { gateCount } from '../../src/config/model-config.js';

export interface LayerHarness {
  T: number; B: number; D: number; H: number; G: number;
  weights: RecurrentWeights; grads: RecurrentWeights;
  x: Floats; state0: LayerState; layer: RecurrentLayer; input: LayerInput;
  /** dLoss/dh_{1..T} (T, B, H). */
  R: Floats;
  /** Runs forward from state0 and returns Σ R ⊙ h_{1..T}. */
  loss(): number;
  /** Forward + backward; returns dX. grads are zeroed first. */
  backward(): Floats;
}

export function makeLayerHarness(cell: Cell, T: number, B: number, D: number, H: number, seed = 1): LayerHarness {
  const k = createReferenceKernels('f64');
  const rng = Rng.fromSeed(seed);
  const G = gateCount(cell) * H;
  const rand = (n: number, scale = 0.5): Floats => { const b = k.alloc(n); for (let i = 0; i < n; i++) b[i] = rng.range(-scale, scale); return b; };
  const weights = { weightIh: rand(G * D), weightHh: rand(G * H), biasIh: rand(G), biasHh: rand(G) };
  const grads = { weightIh: k.alloc(G * D), weightHh: k.alloc(G * H), biasIh: k.alloc(G), biasHh: k.alloc(G) };
  const x = rand(T * B * D, 1);
  const state0: LayerState = { h: rand(B * H), c: cell === 'lstm' ? rand(B * H) : null };
  const R = rand(T * B * H, 1);
  const layer = createRecurrentLayer(cell, k, weights, grads, T, B, H);
  const input: LayerInput = { kind: 'dense', x, xOff: 0, size: D };
  const state: LayerState = { h: k.alloc(B * H), c: cell === 'lstm' ? k.alloc(B * H) : null };
  const forward = (): void => {
    state.h.set(state0.h);
    if (state.c !== null) state.c.set(state0.c!);
    layer.forward(input, state);
  };
  return {
    T, B, D, H, G, weights, grads, x, state0, layer, input, R,
    loss() {
      forward();
      const hs = layer.activations.hiddens;
      let s = 0;
      for (let i = 0; i < T * B * H; i++) s += R[i] * hs[B * H + i];
      return s;
    },
    backward() {
      for (const g of Object.values(grads)) g.fill(0);
      forward();
      const dX = k.alloc(T * B * D);
      layer.backward(input, R.slice(), dX);
      return dX;
    },
  };
}
