// Runs one recurrent layer alone on dense random input in float64, for the layer tests in test/nn/: the loss is a fixed
// random linear function of h_1 … h_T, so dLoss/dh is known and backward can be checked against finite differences.

import type { LayerTensors, RecurrentLayer } from '../../src/nn/cell-type.js';
import { cellType, type Cell } from '../../src/nn/cells.js';
import type { LayerInput, LayerState } from '../../src/nn/layer-io.js';
import { RowResets } from '../../src/nn/row-resets.js';
import type { Floats } from '../../src/tensor/floats.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';

export interface LayerHarness {
  T: number; B: number; D: number; H: number;
  /** The width of h: the projection P, or H. */
  O: number;
  weights: LayerTensors; grads: LayerTensors;
  x: Floats; state0: LayerState; layer: RecurrentLayer; input: LayerInput;
  /** dLoss/dh_{1..T} (T, B, output width). */
  R: Floats;
  /** (t, b): row b restarts from the zero start state at step t. */
  restarts: readonly (readonly [number, number])[];
  /** Runs forward from state0 and returns Σ R ⊙ h_{1..T}. */
  loss(): number;
  /** Forward + backward; returns dX. grads are zeroed first. */
  backward(): Floats;
}

export function makeLayerHarness(cell: Cell, T: number, B: number, D: number, H: number, seed = 1, P = 0,
                                 restarts: readonly (readonly [number, number])[] = []): LayerHarness {
  const k = createReferenceKernels('f64');
  const rng = Rng.fromSeed(seed);
  const type = cellType(cell);
  const dims = { input: D, hidden: H, proj: P };
  const rand = (n: number, scale = 0.5): Floats => { const b = k.alloc(n); for (let i = 0; i < n; i++) b[i] = rng.range(-scale, scale); return b; };
  const params = type.params(dims);
  const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
  const weights: LayerTensors = Object.fromEntries(params.map((p) => [p.key, rand(size(p.shape))]));
  const grads: LayerTensors = Object.fromEntries(params.map((p) => [p.key, k.alloc(size(p.shape))]));
  const x = rand(T * B * D, 1);
  const widths = type.state(dims);
  const state0: LayerState = { h: rand(B * widths.h), c: widths.c === null ? null : rand(B * widths.c) };
  const O = type.outputWidth(dims);
  const R = rand(T * B * O, 1);
  const layer = type.createLayer(k, weights, grads, T, B, dims);
  const input: LayerInput = { kind: 'dense', x, xOff: 0, size: D };
  const state: LayerState = { h: k.alloc(B * widths.h), c: widths.c === null ? null : k.alloc(B * widths.c) };
  const marks = new Uint16Array(T * B);
  for (const [t, b] of restarts) marks[t * B + b] = 1;
  const resets = RowResets.where(marks, T, B, 1);
  const forward = (): void => {
    state.h.set(state0.h);
    if (state.c !== null) state.c.set(state0.c!);
    layer.forward(input, state, resets);
  };
  return {
    T, B, D, H, O, weights, grads, x, state0, layer, input, R, restarts,
    loss() {
      forward();
      const hs = layer.activations.hiddens;
      let s = 0;
      for (let i = 0; i < T * B * O; i++) s += R[i] * hs[B * O + i];
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
