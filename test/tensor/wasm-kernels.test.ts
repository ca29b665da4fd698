// The WebAssembly SIMD kernel against the reference kernels (the specification) on random inputs with awkward sizes,
// offsets, every transpose, NaN garbage under beta = 0, buffers inside and outside its memory. Not a speed test.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadWasmKernels } from '../../src/tensor/wasm/wasm-kernels.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import type { Kernels } from '../../src/tensor/kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { assertClose, checkGemm, checkGemmSweep, randomFloats, randomIds, sameAsReference } from './compare-with-reference.js';
import { runKernelCases } from './kernel-cases.js';
import { CharLM } from '../../src/model/char-lm.js';
import { validateModelConfig } from '../../src/config/model-config.js';

const wasm = loadWasmKernels();
const reference = createReferenceKernels('f32');

runKernelCases('wasm', () => wasm, ['f32']);

describe('wasm kernel availability', () => {
  it('loads here (Node 20 has WebAssembly SIMD and the build writes kernels.wasm) and is cached', () => {
    assert.notEqual(wasm, null, 'dist/src/tensor/wasm/kernels.wasm missing: run npm run build');
    assert.equal(loadWasmKernels(), wasm);
    assert.equal(wasm?.name, 'wasm');
  });
});

describe('wasm kernels match the reference kernels', { skip: wasm === null }, () => {
  const k = wasm as Kernels;

  // Alternate calls put the wasm kernel's copies inside its memory (k.alloc, the fast path) or leave them plain
  // Float32Arrays (copied in and out).
  let inside = false;
  const same = sameAsReference(k, () => {
    inside = !inside;
    const copy = (x: Float32Array): Float32Array => {
      if (!inside) return x.slice();
      const y = k.alloc(x.length) as Float32Array;
      y.set(x);
      return y;
    };
    return { copy, where: inside ? 'inside' : 'outside' };
  });

  it('gemm agrees for every transpose, awkward size, offset, alpha and beta', () => {
    checkGemmSweep(same, Rng.fromSeed(11), [1, 2, 3, 5, 7, 9, 33, 65]);
  });

  it('gemm agrees across cache blocks (k past one panel, m past one block)', () => {
    const rng = Rng.fromSeed(12);
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      checkGemm(same, rng, transA, transB, 70, 37, 600, 1, 1, 1, 5e-5);
      checkGemm(same, rng, transA, transB, 9, 300, 20, 1, 0, 0);
      checkGemm(same, rng, transA, transB, 33, 64, 263, 0.7, 0.3, 0, 5e-5);
    }
  });

  it('gemm with k = 0 or alpha = 0 scales C by beta without reading A or B', () => {
    const c = new Float32Array([1, 2, 3, 4]);
    k.gemm(false, false, 2, 2, 0, 1, new Float32Array(0), 0, 0, new Float32Array(0), 0, 2, 3, c, 0, 2);
    assert.deepEqual([...c], [3, 6, 9, 12]);
    c.fill(NaN);
    k.gemm(false, false, 2, 2, 1, 0, new Float32Array(2), 0, 1, new Float32Array(2), 0, 2, 0, c, 0, 2);
    assert.deepEqual([...c], [0, 0, 0, 0]);
  });

  it('row and element-wise kernels agree with offsets and sizes that are not multiples of four', () => {
    const rng = Rng.fromSeed(21);
    for (const [rows, cols] of [[1, 1], [7, 33], [33, 65], [3, 129], [2, 6]]) {
      const x = randomFloats(rng, 2 + rows * cols), v = randomFloats(rng, 1 + cols), out = randomFloats(rng, 4 + cols);
      same([x, v], (kern, [a, b]) => kern.addRowVector(a, 2, rows, cols, b, 1), `addRowVector ${rows}×${cols}`);
      same([x, out], (kern, [a, b]) => kern.sumRows(a, 2, rows, cols, b, 4), `sumRows ${rows}×${cols}`, 1e-5);
      const n = rows * cols;
      const y = randomFloats(rng, 3 + n);
      same([x, y], (kern, [a, b]) => kern.mul(a, 2, b, 3, a, 2, n), `mul in place ${n}`);
      same([x, y], (kern, [a, b]) => kern.axpy(a, 2, b, 3, n, -0.75), `axpy ${n}`);
      same([x], (kern, [a]) => kern.scale(a, 2, n, 1.25), `scale ${n}`);
      same([x], (kern, [a]) => kern.sumSquares(a, 2, n), `sumSquares ${n}`, 1e-7);
      const pre = randomFloats(rng, 1 + n, -6, 6);
      same([pre], (kern, [a]) => kern.activationForward({ kind: 'tanh', n, x: a, xOff: 1 }), `tanh ${n}`);
      same([pre], (kern, [a]) => kern.activationForward({ kind: 'relu', n, x: a, xOff: 1 }), `relu ${n}`);
      for (const kind of ['tanh', 'relu'] as const) {
        const act = pre.slice();
        reference.activationForward({ kind, n, x: act, xOff: 1 });
        same([act, y, randomFloats(rng, n)], (kern, [a, b, d]) => kern.activationBackward({ kind, n, y: a, yOff: 1, dH: b, dHOff: 3, dPre: d, dPreOff: 0 }),
          `activationBackward ${kind} ${n}`);
      }
    }
  });

  it('tanh and sigmoid stay within float32 rounding over the whole range, tails and NaN included', () => {
    const n = 4001;
    const x = k.alloc(n) as Float32Array;
    for (let i = 0; i < n; i++) x[i] = -20 + (40 * i) / (n - 1);
    x[0] = 1e-6; x[1] = -3e-5; x[2] = 90; x[3] = -95; x[4] = NaN;
    const expected = Float32Array.from(x, Math.tanh);
    k.activationForward({ kind: 'tanh', n, x, xOff: 0 });
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(expected[i])) { assert.ok(Number.isNaN(x[i])); continue; }
      assert.ok(Math.abs(x[i] - expected[i]) <= 2.5e-7 * Math.abs(expected[i]) + 1e-30, `tanh at ${i}: ${x[i]} vs ${expected[i]}`);
    }
  });

  it('gather and scatter-add of one-hot columns agree for each ids type, and ids outside V are refused', () => {
    const rng = Rng.fromSeed(31);
    for (const kind of ['u16', 'u32', 'i32'] as const) {
      for (const [rows, G, V] of [[3, 7, 5], [40, 33, 65], [9, 129, 17]]) {
        const ids = randomIds(rng, 2 + rows, V, kind);
        const w = randomFloats(rng, 1 + G * V), out = randomFloats(rng, 3 + rows * G);
        same([w, out], (kern, [a, b]) => kern.gatherColumns(a, 1, G, V, ids, 2, rows, b, 3), `gather ${kind} ${rows}`);
        same([out, w], (kern, [a, b]) => kern.scatterAddColumns(b, 1, G, V, ids, 2, rows, a, 3), `scatter ${kind} ${rows}`, 1e-5);
      }
    }
    assert.throws(() => k.gatherColumns(new Float32Array(6), 0, 2, 3, new Uint16Array([3]), 0, 1, new Float32Array(2), 0), RangeError);
    assert.throws(() => k.scale(new Float32Array(4), 1, 4, 2), RangeError);
  });

  function checkCells(rng: Rng, B: number, H: number): void {
    const gates = randomFloats(rng, 2 + 4 * B * H, -8, 8), cPrev = randomFloats(rng, 1 + B * H, -2, 2);
    gates[2] = 60; gates[3] = -60;  // σ and tanh far in their tails
    const c = randomFloats(rng, B * H), h = randomFloats(rng, 3 + B * H);
    same([gates, cPrev, c, h], (kern, [g, cp, cc, hh]) => kern.lstmCellForward({ B, H, gates: g, gatesOff: 2, cPrev: cp, cPrevOff: 1, c: cc, cOff: 0, h: hh, hOff: 3 }),
      `lstmCellForward ${B}×${H}`);
    const acts = gates.slice(), cNew = c.slice();
    reference.lstmCellForward({ B, H, gates: acts, gatesOff: 2, cPrev, cPrevOff: 1, c: cNew, cOff: 0, h: h.slice(), hOff: 3 });
    const dH = randomFloats(rng, B * H), dC = randomFloats(rng, 1 + B * H), dG = randomFloats(rng, 4 * B * H);
    same([dH, dC, dG], (kern, [dh, dc, dg]) => kern.lstmCellBackward({ B, H, gates: acts, gatesOff: 2, cPrev, cPrevOff: 1, c: cNew, cOff: 0,
      dH: dh, dHOff: 0, dC: dc, dCOff: 1, dGates: dg, dGatesOff: 0 }),
      `lstmCellBackward ${B}×${H}`);

    const gx = randomFloats(rng, 1 + 3 * B * H, -6, 6), gh = randomFloats(rng, 3 * B * H, -6, 6);
    const hPrev = randomFloats(rng, 2 + B * H);
    same([gx, h], (kern, [x, hh]) => kern.gruCellForward({ B, H, gx: x, gxOff: 1, gh, ghOff: 0, hPrev, hPrevOff: 2, h: hh, hOff: 3 }), `gruCellForward ${B}×${H}`);
    const gxAct = gx.slice();
    reference.gruCellForward({ B, H, gx: gxAct, gxOff: 1, gh, ghOff: 0, hPrev, hPrevOff: 2, h: h.slice(), hOff: 3 });
    same([randomFloats(rng, 3 * B * H), randomFloats(rng, 1 + 3 * B * H), randomFloats(rng, B * H)],
      (kern, [dgx, dgh, dhp]) => kern.gruCellBackward({ B, H, gx: gxAct, gxOff: 1, gh, ghOff: 0, hPrev, hPrevOff: 2,
        dH, dHOff: 0, dGx: dgx, dGxOff: 0, dGh: dgh, dGhOff: 1, dHPrev: dhp, dHPrevOff: 0 }),
      `gruCellBackward ${B}×${H}`);
  }

  it('LSTM and GRU cells agree forward and backward, including saturated gates', () => {
    const rng = Rng.fromSeed(41);
    for (const [B, H] of [[1, 1], [3, 7], [5, 33], [2, 129], [4, 8]]) checkCells(rng, B, H);
  });

  it('a NaN pre-activation reaches h (the trainer detects divergence from it)', () => {
    const gates = new Float32Array(4).fill(0.5);
    gates[3] = NaN;
    const h = new Float32Array(1);
    k.lstmCellForward({ B: 1, H: 1, gates, gatesOff: 0, cPrev: new Float32Array(1), cPrevOff: 0, c: new Float32Array(1), cOff: 0,
      h, hOff: 0 });
    assert.ok(Number.isNaN(h[0]));
  });

  it('softmax cross-entropy agrees, with and without gradients and for large logits', () => {
    const rng = Rng.fromSeed(51);
    for (const kind of ['u16', 'u32', 'i32'] as const) {
      for (const [rows, V] of [[1, 1], [7, 65], [4, 17], [3, 129], [2, 3]]) {
        const logits = randomFloats(rng, 2 + rows * V, -20, 20);
        logits[2] = 80;  // exp would overflow without the max shift
        const targets = randomIds(rng, 1 + rows, V, kind);
        same([logits, randomFloats(rng, 3 + rows * V)],
          (kern, [l, d]) => kern.softmaxCrossEntropy(l, 2, rows, V, targets, 1, d, 3, 0.25), `softmaxCE ${kind} ${rows}×${V}`);
        same([logits], (kern, [l]) => kern.softmaxCrossEntropy(l, 2, rows, V, targets, 1, null, 0, 1), `softmaxCE no grad`);
      }
    }
  });

  it('buffers from alloc stay valid and zeroed after the memory grows', () => {
    const first = k.alloc(1000) as Float32Array;
    first.fill(3);
    const big = k.alloc(8 << 20);  // 32 MiB: forces the shared memory to grow
    assert.equal(big.length, 8 << 20);
    assert.ok(big[0] === 0 && big[big.length - 1] === 0);
    assert.equal(first.length, 1000);
    assert.ok(first.every((v) => v === 3));
    k.scale(first, 0, 1000, 2);   // still recognised as inside the memory: scaled in place
    assert.ok(first.every((v) => v === 6));
  });

  it('a CharLM training step (forward with dropout, backward) gives the reference loss and gradients for each cell', () => {
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      const results = [k, reference].map((kern) => {
        const config = validateModelConfig({ cell, numLayers: 2, hiddenSize: 37, dropout: 0.2, vocabSize: 11 });
        const rng = Rng.fromSeed(3);
        const model = CharLM.create(config, kern, rng);
        const T = 9, B = 5;
        const inputs = new Uint16Array(T * B), targets = new Uint16Array(T * B);
        for (let i = 0; i < T * B; i++) { inputs[i] = rng.int(11); targets[i] = rng.int(11); }
        const pass = model.forward(inputs, targets, T, B, model.createState(B), { training: true, rng });
        model.backward(pass);
        return { loss: pass.lossNats, grads: Float32Array.from(model.params.grads) };
      });
      assert.ok(Math.abs(results[0].loss - results[1].loss) < 1e-6, `${cell} loss ${results[0].loss} vs ${results[1].loss}`);
      assertClose(results[0].grads, results[1].grads, 1e-6, `${cell} gradients`);
    }
  });
});
