// Naive, per-gate recurrent layers written with plain loops over JS numbers, to compare the fused layers against.

import type { Cell } from '../../src/config/model-config.js';
import type { LayerHarness } from './layer-harness.js';

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * h_1 … h_T as (T, B, O) computed one unit at a time from the harness's weights, input, initial state and restarts. With
 * a projection (O = P < H) the LSTM's h_t = W_hr · (o ⊙ tanh c_t), as PyTorch's nn.LSTM(proj_size=P).
 */
export function naiveLayerForward(cell: Cell, hx: LayerHarness): number[] {
  const { T, B, D, H, O, weights: w, x } = hx;
  // row g of (W_ih x + b_ih) and of (W_hh h + b_hh)
  const inRow = (g: number, t: number, b: number): number => {
    let s = w.biasIh[g];
    for (let d = 0; d < D; d++) s += w.weightIh[g * D + d] * x[(t * B + b) * D + d];
    return s;
  };
  const hhRow = (g: number, h: number[]): number => {
    let s = w.biasHh[g];
    for (let j = 0; j < O; j++) s += w.weightHh[g * O + j] * h[j];
    return s;
  };
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    let h = Array.from(hx.state0.h.subarray(b * O, (b + 1) * O));
    let c = hx.state0.c === null ? [] : Array.from(hx.state0.c.subarray(b * H, (b + 1) * H));
    for (let t = 0; t < T; t++) {
      if (hx.restarts.some(([rt, rb]) => rt === t && rb === b)) {
        h = h.map(() => 0);
        c = c.map(() => 0);
      }
      const hNew: number[] = [];
      const cNew: number[] = [];
      for (let j = 0; j < H; j++) {
        if (cell === 'lstm') {
          const gate = (q: number): number => inRow(q * H + j, t, b) + hhRow(q * H + j, h);
          const i = sig(gate(0)), f = sig(gate(1)), g = Math.tanh(gate(2)), o = sig(gate(3));
          cNew.push(f * c[j] + i * g);
          hNew.push(o * Math.tanh(cNew[j]));
        } else if (cell === 'gru') {
          const r = sig(inRow(j, t, b) + hhRow(j, h));
          const z = sig(inRow(H + j, t, b) + hhRow(H + j, h));
          const n = Math.tanh(inRow(2 * H + j, t, b) + r * hhRow(2 * H + j, h));
          hNew.push((1 - z) * n + z * h[j]);
        } else {
          const pre = inRow(j, t, b) + hhRow(j, h);
          hNew.push(cell === 'rnn' ? Math.tanh(pre) : Math.max(0, pre));
        }
      }
      h = O === H ? hNew : Array.from({ length: O }, (_, p) => hNew.reduce((sum, m, j) => sum + w.weightHr[p * H + j] * m, 0));
      c = cNew;
      for (let j = 0; j < O; j++) out[(t * B + b) * O + j] = h[j];
    }
  }
  return out;
}
