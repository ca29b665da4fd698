// Finite-difference helpers for tests: the five-point centred derivative in float64 and an assertion over whole tensors,
// using the same relative error (with its documented floor) as src/check/gradcheck.ts.

import assert from 'node:assert/strict';
import { GRADCHECK_THRESHOLD, relativeError, type GradCheckResult } from '../../src/check/gradcheck.js';
import type { Floats } from '../../src/tensor/floats.js';

/** d loss / d values[index] by [−L(+2h) + 8L(+h) − 8L(−h) + L(−2h)] / 12h; values[index] is restored afterwards. */
export function numericDerivative(loss: () => number, values: Floats, index: number, h = 1e-3): number {
  const saved = values[index];
  const at = (delta: number): number => {
    values[index] = saved + delta;
    return loss();
  };
  const d = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
  values[index] = saved;
  return d;
}

/** Checks every element of `values` (or of [offset, offset + n)): analytic[i] against the numeric derivative. */
export function assertGradientMatches(what: string, loss: () => number, values: Floats, analytic: ArrayLike<number>,
                                      offset = 0, n = values.length - offset): number {
  let worst = 0;
  for (let j = 0; j < n; j++) {
    const numeric = numericDerivative(loss, values, offset + j);
    const error = relativeError(analytic[j], numeric);
    assert.ok(error < GRADCHECK_THRESHOLD, `${what}[${j}]: analytic ${analytic[j]} vs numeric ${numeric} (relative error ${error})`);
    worst = Math.max(worst, error);
  }
  return worst;
}

/** Fails with the names and errors of every tensor that did not pass. */
export function assertGradCheckPassed(result: GradCheckResult): void {
  const bad = result.results.filter((r) => !(r.maxRelError < GRADCHECK_THRESHOLD));
  assert.ok(result.passed && bad.length === 0,
    `gradient check failed: ${bad.map((r) => `${r.name} ${r.maxRelError} (analytic ${r.analytic}, numeric ${r.numeric})`).join('; ')}`);
  assert.ok(result.results.length > 0);
}
