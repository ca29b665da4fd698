// How far back gradients reach: the norm of ∂L_T/∂h_{T−k}, the gradient of the loss at the last step of a window with
// respect to the hidden state k steps earlier, averaged over windows of a text; and the largest singular value of each
// recurrent weight matrix (power iteration), which bounds how much one step can grow a gradient.

import { parameterShapes, type ModelConfig } from '../config/model-config.js';
import { CorpusError } from '../errors.js';
import type { CharLM } from '../model/char-lm.js';
import type { Floats, Ids } from '../tensor/floats.js';
import { Rng } from '../tensor/rng.js';

export interface GradFlowOptions {
  /** K: gradients for k = 1 … K steps back. */
  readonly steps: number;
  /** Windows averaged over (rows of one batch), spread evenly over the text. */
  readonly windows: number;
  /** Characters each window runs over first, without gradients, so that its state is one the text leads to. */
  readonly warmup: number;
}

export interface GradFlow {
  /** norms[k − 1]: mean over windows of ‖∂L_T/∂h_{T−k}‖ with h all layers' outputs together, k = 1 … K. */
  readonly norms: number[];
  /** perLayer[l][k − 1]: the same for layer l's output alone. */
  readonly perLayer: number[][];
  /** Windows averaged (fewer than asked when the text is short). */
  readonly windows: number;
}

/** The gradient norms of `model` over windows of `ids` (see the header). */
export function gradientFlow(model: CharLM, ids: Ids, opts: GradFlowOptions): GradFlow {
  const K = opts.steps;
  const T = K + 1; // step T − 1 is the last; its output is h_T, and steps 0 … K − 1 give h_{T−K} … h_{T−1}
  const span = opts.warmup + T + 1;
  const B = Math.min(opts.windows, Math.floor(ids.length / span));
  if (B < 1) {
    throw new CorpusError(`the text is too short: one window of ${K} steps after ${opts.warmup} warm-up characters needs ${span} characters`);
  }
  const stride = Math.floor(ids.length / B);
  const chunk = (from: number, len: number, shift: number): Ids => {
    const out = new (ids.constructor as new (n: number) => Ids)(len * B);
    for (let t = 0; t < len; t++) for (let b = 0; b < B; b++) out[t * B + b] = ids[b * stride + from + t + shift];
    return out;
  };
  const state = model.createState(B);
  if (opts.warmup > 0) model.forward(chunk(0, opts.warmup, 0), chunk(0, opts.warmup, 1), opts.warmup, B, state, { training: false });
  const pass = model.forward(chunk(opts.warmup, T, 0), chunk(opts.warmup, T, 1), T, B, state, { training: false });
  model.params.zeroGrads();
  model.backward(pass, { lastStepOnly: true });
  const grads = model.outputGradients(pass);
  const perLayer = grads.map(() => new Array<number>(K).fill(0));
  const norms = new Array<number>(K).fill(0);
  for (let k = 1; k <= K; k++) {
    const t = T - 1 - k; // the step whose output is h_{T−k}
    for (let b = 0; b < B; b++) {
      let total = 0;
      grads.forEach((g, l) => {
        const width = g.length / (T * B);
        const sq = sumSquares(g, (t * B + b) * width, width);
        total += sq;
        perLayer[l][k - 1] += Math.sqrt(sq) / B;
      });
      norms[k - 1] += Math.sqrt(total) / B;
    }
  }
  return { norms, perLayer, windows: B };
}

function sumSquares(x: Floats, off: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[off + i] * x[off + i];
  return s;
}

/** The largest singular value of a rows × cols matrix (row-major), by power iteration on WᵀW from a seeded start. */
export function largestSingularValue(w: ArrayLike<number>, rows: number, cols: number, iterations = 300): number {
  const rng = Rng.fromSeed(1);
  let v = Float64Array.from({ length: cols }, () => rng.normal());
  const u = new Float64Array(rows);
  let sigma = 0;
  for (let it = 0; it < iterations; it++) {
    normalize(v);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += w[r * cols + c] * v[c];
      u[r] = s;
    }
    const next = Math.sqrt(u.reduce((a, x) => a + x * x, 0)); // ‖W v‖ with ‖v‖ = 1
    const wtU = new Float64Array(cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) wtU[c] += w[r * cols + c] * u[r];
    v = wtU;
    if (Math.abs(next - sigma) <= 1e-12 * next) return next;
    sigma = next;
  }
  return sigma;
}

function normalize(v: Float64Array): void {
  const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= n;
}

/** σ_max of each layer's recurrent matrix W_hh, bottom layer first. */
export function recurrentSpectralNorms(model: CharLM): number[] {
  return recurrentMatrices(model.config).map((spec) =>
    largestSingularValue(model.params.view(spec.name), spec.shape[0], spec.shape[1]));
}

function recurrentMatrices(config: ModelConfig): { name: string; shape: readonly number[] }[] {
  return parameterShapes(config).filter((s) => /\.weight_hh_l\d+$/.test(s.name));
}
