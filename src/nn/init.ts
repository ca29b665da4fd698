// Initial weights, drawn from the seeded Rng so the same seed gives the same model. Each tensor comes with its rule
// (chosen by its cell type, src/nn/cell-type.ts) and its bound; nothing here knows which tensor is which.

import type { Floats } from '../tensor/floats.js';
import type { Rng } from '../tensor/rng.js';
import type { InitRule } from './cell-type.js';

/** How one tensor is initialised: its rule, the bound of the uniform draws, and the rows per gate (H). */
export interface InitSpec { readonly rule: InitRule; readonly bound: number; readonly gateWidth: number }

/** One tensor to fill: its shape and values, and how. */
export interface InitTarget { readonly shape: readonly number[]; readonly values: Floats; readonly init: InitSpec }

function fillUniform(x: Floats, rng: Rng, bound: number): void {
  for (let i = 0; i < x.length; i++) x[i] = rng.range(-bound, bound);
}

/**
 * Fills every tensor, in the given order: uniform(−bound, bound) first for every tensor (so each tensor's draws start
 * where the previous tensor's ended, whatever the rules), then its rule (see InitRule). `forgetBias` is the value of
 * the 'gate-constant' rules that ask for it.
 */
export function initializeParameters(targets: readonly InitTarget[], rng: Rng, forgetBias = 1): void {
  for (const { shape, values, init } of targets) {
    fillUniform(values, rng, init.bound);
    const rule = init.rule;
    const rowLength = shape.slice(1).reduce((a, b) => a * b, 1);
    switch (rule.kind) {
      case 'uniform':
        break;
      case 'gate-constant': {
        const rows = init.gateWidth * rowLength;
        values.fill(rule.value === 'forget-bias' ? forgetBias : 0, rule.gate * rows, (rule.gate + 1) * rows);
        break;
      }
      case 'identity':
        values.fill(0);
        for (let j = 0; j < Math.min(shape[0], rowLength); j++) values[j * rowLength + j] = 1;
        break;
      case 'normal':
        for (let i = 0; i < values.length; i++) values[i] = rule.std * rng.normal();
        break;
      case 'zero':
        values.fill(0);
        break;
      default:
        rule satisfies never;
    }
  }
}
