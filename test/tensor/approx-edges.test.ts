// exp, sigmoid and tanh at the edges, on every backend: the reference kernels (Math.exp, Math.tanh), the WebAssembly kernel
// and each native variant (both vectorised ones compute native/approx.h's definition). Each must give the float64 truth
// within a few float32 ulps (or within 1e-37 where the truth is below the smallest normal float), NaN for NaN, and the
// limits for ±Infinity (issue 13).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kernels } from '../../src/tensor/kernels.js';
import { loadNativeKernels, nativeKernelInfo } from '../../src/tensor/native-kernels.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { loadWasmKernels } from '../../src/tensor/wasm/wasm-kernels.js';

const EDGES = [88, -88, 87.5, -87.5, 100, -100, 1e-8, -1e-8, 1e-30, -1e-30, 1e-45, NaN, Infinity, -Infinity, 0,
  0.625, -0.625, 0.6249, -0.6249, 0.3, -0.3, 1, -1, 3, -3, 9.5, -9.5, 20, -20];

const backends: [string, Kernels | null][] = [
  ['reference', createReferenceKernels('f32')],
  ['wasm', loadWasmKernels()],
  ...(nativeKernelInfo()?.supported ?? []).map((isa): [string, Kernels | null] => [`native ${isa}`, loadNativeKernels(isa)]),
];

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * actual[i] against truth[i], which is f(EDGES[i mod EDGES.length]) for the `what` named: relative error 2e-6 (a few
 * float32 ulps), plus an absolute `floor` (1e-37 below the normal floats; a float32 ulp of 1 where the kernel's own
 * arithmetic subtracts from 1, as the softmax's 1 + e^x and p − 1 do).
 */
function assertNear(actual: ArrayLike<number>, truth: readonly number[], what: string, floor = 1e-37): void {
  for (let i = 0; i < truth.length; i++) {
    const a = actual[i], e = truth[i];
    const where = `${what}, element ${i} (input ${EDGES[i % EDGES.length]})`;
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `${where}: ${a}, expected NaN`);
    else assert.ok(Math.abs(a - e) <= 2e-6 * Math.abs(e) + floor, `${where}: ${a}, expected ${e}`);
  }
}

for (const [name, k] of backends) {
  describe(`exp, sigmoid and tanh at the edges: ${name}`, { skip: k === null && `the ${name} kernel is not available here` }, () => {
    const kern = k!;
    const H = EDGES.length;

    it('tanh (the RNN activation)', () => {
      const x = kern.alloc(H);
      x.set(EDGES);
      kern.activationForward({ kind: 'tanh', n: H, x, xOff: 0 });
      assertNear(x, EDGES.map(Math.tanh), 'tanh');
    });

    it('sigmoid and tanh inside the LSTM cell (gates i, f, o and g)', () => {
      const gates = kern.alloc(4 * H);
      for (let g = 0; g < 4; g++) gates.set(EDGES, g * H);
      kern.lstmCellForward({ B: 1, H, gates, gatesOff: 0, cPrev: kern.alloc(H), cPrevOff: 0, c: kern.alloc(H), cOff: 0,
        h: kern.alloc(H), hOff: 0 });
      const truth = [...EDGES.map(sigmoid), ...EDGES.map(sigmoid), ...EDGES.map(Math.tanh), ...EDGES.map(sigmoid)];
      assertNear(gates, truth, 'lstm gate');
    });

    it('exp inside the softmax: each row [x, 0] gives loss log(1 + e^x) and gradient (σ(x), −σ(x))', () => {
      const logits = kern.alloc(2 * H), d = kern.alloc(2 * H);
      EDGES.forEach((x, r) => logits.set([x, 0], 2 * r));
      const targets = new Uint16Array(H).fill(1);
      for (let r = 0; r < H; r++) {
        const x = EDGES[r];
        const loss = kern.softmaxCrossEntropy(logits, 2 * r, 1, 2, targets, r, d, 2 * r, 1);
        // −log softmax[1] = log(1 + e^x); Infinity − Infinity is NaN in every backend's max-shifted form.
        const expected = x === Infinity ? NaN : x > 30 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
        assertNear([loss], [expected], `loss at x = ${x}`, 2.4e-7);
        const s = x === Infinity ? NaN : sigmoid(x);
        assertNear([d[2 * r], d[2 * r + 1]], [s, -s], `gradient at x = ${x}`, 1.2e-7);
      }
    });
  });
}
