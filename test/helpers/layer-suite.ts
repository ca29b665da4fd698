// The tests every recurrent layer file gets: forward against a naive per-unit loop, backward against finite differences.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Cell } from '../../src/config/model-config.js';
import { assertGradientMatches } from './gradcheck.js';
import { makeLayerHarness } from './layer-harness.js';
import { naiveLayerForward } from './naive-layers.js';

/** P > 0: the layer projects h to P units (the LSTM's proj_size). */
export function describeLayer(cell: Cell, P = 0): void {
  describe(`${cell} layer${P > 0 ? ` projected to ${P} units` : ''}`, () => {
    it('forward over T steps equals the naive per-unit recurrence from the carried-in state', () => {
      const hx = makeLayerHarness(cell, 4, 3, 5, 4, 1, P);
      hx.loss();
      const expected = naiveLayerForward(cell, hx);
      const got = hx.layer.activations.hiddens.subarray(hx.B * hx.O);
      assert.equal(got.length, expected.length);
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(got[i] - expected[i]) < 1e-12, `h[${i}]: ${got[i]} vs ${expected[i]}`);
      assert.deepEqual(Array.from(hx.layer.activations.hiddens.subarray(0, hx.B * hx.O)), Array.from(hx.state0.h));
    });

    it('backward gives every weight gradient and dX within 1e-6 of finite differences', () => {
      const hx = makeLayerHarness(cell, 3, 2, 3, 3, 5, P);
      const dX = hx.backward();
      const names = Object.keys(hx.weights);
      assert.equal(names.length, P > 0 ? 5 : 4, `the layer's weight tensors: ${names.join(', ')}`);
      for (const name of names) assertGradientMatches(name, () => hx.loss(), hx.weights[name], hx.grads[name]);
      assertGradientMatches('dX', () => hx.loss(), hx.x, dX);
    });

    // Rows restarting at the first, a middle and the last step; row 1 twice.
    const restarts = [[0, 2], [1, 1], [2, 0], [2, 1], [3, 2]] as const;

    it('forward with rows restarting inside the chunk equals the naive recurrence reset to zeros at those steps', () => {
      const hx = makeLayerHarness(cell, 4, 3, 5, 4, 7, P, restarts);
      hx.loss();
      const expected = naiveLayerForward(cell, hx);
      const got = hx.layer.activations.hiddens.subarray(hx.B * hx.O);
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(got[i] - expected[i]) < 1e-12, `h[${i}]: ${got[i]} vs ${expected[i]}`);
      assert.deepEqual(Array.from(hx.layer.activations.hiddens.subarray(0, hx.B * hx.O)), Array.from(hx.state0.h));
    });

    it('backward with rows restarting inside the chunk matches finite differences, and leaves the activations as they were', () => {
      const hx = makeLayerHarness(cell, 4, 3, 3, 3, 9, P, restarts);
      hx.loss();
      const before = Array.from(hx.layer.activations.hiddens);
      const dX = hx.backward();
      assert.deepEqual(Array.from(hx.layer.activations.hiddens), before);
      for (const name of Object.keys(hx.weights)) assertGradientMatches(name, () => hx.loss(), hx.weights[name], hx.grads[name]);
      assertGradientMatches('dX', () => hx.loss(), hx.x, dX);
    });

    it('a second backward adds the same gradients again (backward adds, it does not overwrite)', () => {
      const hx = makeLayerHarness(cell, 3, 2, 3, 3, 6, P);
      hx.backward();
      const once = Array.from(hx.grads.weightHh);
      assert.ok(once.some((g) => g !== 0));
      hx.layer.backward(hx.input, hx.R.slice(), null);
      hx.grads.weightHh.forEach((g, i) => assert.ok(Math.abs(g - 2 * once[i]) < 1e-12, `weightHh[${i}]`));
    });
  });
}
