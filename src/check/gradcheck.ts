// The gradient check: every parameter's analytic gradient (CharLM.backward) against finite differences of the loss, all in
// float64. Used by the tests and by `charlm gradcheck`. It judges and reports; it never prints.

import { validateModelConfig, type Cell } from '../config/model-config.js';
import { CharLM, type Pass } from '../model/char-lm.js';
import { cellType } from '../nn/cells.js';
import { createReferenceKernels } from '../tensor/reference-kernels.js';
import { Rng } from '../tensor/rng.js';

export interface GradCheckOptions {
  readonly cell: Cell;
  readonly numLayers: number;
  readonly hiddenSize: number;
  /** The LSTM's projection width (proj_size); 0 or absent for none. */
  readonly projSize?: number;
  readonly vocabSize: number;
  /** Steps (T) and rows (B) of the chunk. */
  readonly T: number;
  readonly B: number;
  readonly seed: number;
  /** The finite-difference step h (default 1e-3). */
  readonly eps?: number;
  /** Start from a random carried-in state instead of zeros (default true), as truncated BPTT does after the first chunk. */
  readonly carriedState?: boolean;
}

export interface TensorCheck {
  /** The parameter tensor, e.g. "lstm.weight_hh_l0". */
  readonly name: string;
  /** The largest relative error over the tensor's elements. */
  readonly maxRelError: number;
  /** The element (flat index) where it occurs, with both gradients there. */
  readonly worstIndex: number;
  readonly analytic: number;
  readonly numeric: number;
  /** ReLU only: elements left out because even the smallest step moved a unit across its kink (non-differentiable). */
  readonly skipped: number;
}

export interface GradCheckResult {
  readonly results: TensorCheck[];
  readonly worst: number;
  readonly passed: boolean;
  readonly threshold: number;
}

/** A tensor passes when its largest relative error is below this. */
export const GRADCHECK_THRESHOLD = 1e-6;

/**
 * The denominator's floor. Relative error is |a − b| / max(|a| + |b|, GRADIENT_FLOOR): for gradients far smaller than this,
 * the measure becomes an absolute one (|a − b| / 1e-5), because float64 round-off in the loss (about 1e-16 relative)
 * divided by the step leaves the numeric derivative with an absolute noise of about 1e-12, which would make the relative
 * error of a near-zero gradient meaningless. A wrong gradient is off by far more than 1e-11 in absolute terms.
 */
export const GRADIENT_FLOOR = 1e-5;

export function relativeError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a) + Math.abs(b), GRADIENT_FLOOR);
}

/** Whether `error` replaces `worst` as the largest error so far: a NaN always does, and nothing replaces a NaN. */
export function isWorse(error: number, worst: number): boolean {
  if (Number.isNaN(worst)) return false;
  return Number.isNaN(error) || error > worst;
}

/**
 * Builds a float64 model with dropout 0 and checks every element of every parameter tensor. The weights are drawn
 * uniform(−0.5, 0.5) instead of the training initialisation so that no path is trivially zero (IRNN's identity, zero
 * biases) and the check exercises generic values. The numeric derivative is the centred five-point difference
 * [−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)] / 12h, whose truncation error (O(h⁴)) is negligible at h = 1e-3.
 * A ReLU is not differentiable at 0: when a perturbation flips any unit between active and inactive, the difference
 * would measure the kink, not the derivative, so the step shrinks (h/10, h/100) and the element is skipped (and counted)
 * only if it still flips.
 */
export function gradCheck(options: GradCheckOptions): GradCheckResult {
  const { T, B } = options;
  const h0 = options.eps ?? 1e-3;
  const config = validateModelConfig({
    cell: options.cell, numLayers: options.numLayers, hiddenSize: options.hiddenSize, dropout: 0,
    vocabSize: options.vocabSize, projSize: options.projSize,
  });
  const rng = Rng.fromSeed(options.seed);
  const model = CharLM.create(config, createReferenceKernels('f64'), rng);
  const { values, grads, count } = model.params;
  for (let i = 0; i < count; i++) values[i] = rng.range(-0.5, 0.5);

  const inputs = new Uint32Array(T * B);
  const targets = new Uint32Array(T * B);
  for (let i = 0; i < T * B; i++) {
    inputs[i] = rng.int(config.vocabSize);
    targets[i] = rng.int(config.vocabSize);
  }
  const initial = model.createState(B);
  if (options.carriedState ?? true) {
    for (const layer of initial.layers) {
      for (let i = 0; i < layer.h.length; i++) layer.h[i] = rng.range(-0.5, 0.5);
      if (layer.c !== null) for (let i = 0; i < layer.c.length; i++) layer.c[i] = rng.range(-0.5, 0.5);
    }
  }
  const state = initial.clone();
  const kinked = cellType(config.cell).kinked;
  const activePattern = (pass: Pass): Uint8Array =>
    Uint8Array.from(pass.layers.flatMap((l) => Array.from(l.hiddens.subarray(l.hiddens.length / (T + 1)), (x) => (x > 0 ? 1 : 0))));
  let crossedKink = false;
  let baseline: Uint8Array | null = null;
  const loss = (): number => {
    state.copyFrom(initial); // forward overwrites the state with the final one
    const pass = model.forward(inputs, targets, T, B, state, { training: false });
    if (kinked && baseline !== null) {
      const pattern = activePattern(pass);
      if (pattern.some((a, i) => a !== baseline![i])) crossedKink = true;
    }
    return pass.lossNats;
  };

  model.params.zeroGrads();
  state.copyFrom(initial);
  const pass = model.forward(inputs, targets, T, B, state, { training: true });
  if (kinked) baseline = activePattern(pass);
  model.backward(pass);
  const analytic = grads.slice();

  const results: TensorCheck[] = [];
  for (const spec of model.params.specs) {
    let worst = { name: spec.name, maxRelError: 0, worstIndex: 0, analytic: 0, numeric: 0, skipped: 0 };
    for (let j = 0; j < spec.size; j++) {
      const i = spec.offset + j;
      const saved = values[i];
      const at = (delta: number): number => {
        values[i] = saved + delta;
        return loss();
      };
      let numeric = Number.NaN;
      for (let h = h0; h >= h0 / 100; h /= 10) {
        crossedKink = false;
        numeric = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
        if (!crossedKink) break;
      }
      values[i] = saved;
      if (crossedKink) {
        worst.skipped++;
        continue;
      }
      const error = relativeError(analytic[i], numeric);
      if (isWorse(error, worst.maxRelError)) {
        worst = { ...worst, maxRelError: error, worstIndex: j, analytic: analytic[i], numeric };
      }
    }
    results.push(worst);
  }
  const worst = results.reduce((m, r) => (isWorse(r.maxRelError, m) ? r.maxRelError : m), 0);
  return { results, worst, passed: worst < GRADCHECK_THRESHOLD, threshold: GRADCHECK_THRESHOLD };
}
