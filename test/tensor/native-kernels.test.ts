// The native C++ kernel against the reference kernels (the specification) on random inputs with awkward sizes, offsets,
// every transpose, NaN garbage under beta = 0, and the bounds checks at the N-API boundary. Not a speed test.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadNativeKernels, nativeKernelInfo, setNativeGemmThreads } from '../../src/tensor/native-kernels.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import type { Kernels } from '../../src/tensor/kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { checkGemm, checkGemmSweep, randomFloats, randomIds, sameAsReference } from './compare-with-reference.js';
import { runKernelCases } from './kernel-cases.js';

const native = loadNativeKernels();
const reference = createReferenceKernels('f32');
const compilerExists = spawnSync('g++', ['--version']).status === 0;

// Every instruction-set variant this CPU runs (native/dispatch.cc: avx512, avx2, portable on x86-64) is tested: the shared
// case table (naive loops, finite differences) first; then direct comparisons with the reference kernels.
const variantNames = nativeKernelInfo()?.supported ?? [];
for (const isa of variantNames) runKernelCases(`native ${isa}`, () => loadNativeKernels(isa), ['f32']);

describe('native kernel availability', () => {
  const prebuilt = existsSync(`prebuilds/${process.platform}-${process.arch}/charlm_native.node`);
  const expected = compilerExists || prebuilt;
  it(expected ? 'is installed here (a prebuilt binary for this platform, or a C++ compiler)' : 'is absent without a compiler', () => {
    if (expected) assert.notEqual(native, null, 'build/Release/charlm_native.node did not load: run npm install');
    else assert.equal(native, null);
  });
});

for (const isa of variantNames) {
  describe(`native kernels (${isa}) match the reference kernels`, () => {
    const k = loadNativeKernels(isa) as Kernels;
    const same = sameAsReference(k);
    after(() => setNativeGemmThreads(1));

    it('gemm agrees for every transpose, awkward size, offset, alpha and beta', () => {
      checkGemmSweep(same, Rng.fromSeed(11), [1, 7, 33, 65, 129]);
    });

    it('gemm agrees across cache blocks (k past one panel, m past one block, n past one column block)', () => {
      const rng = Rng.fromSeed(12);
      for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        checkGemm(same, rng, transA, transB, 150, 70, 600, 1, 1, 1, 5e-5);
        checkGemm(same, rng, transA, transB, 9, 2100, 20, 1, 0, 0);
        checkGemm(same, rng, transA, transB, 64, 512, 300, 0.7, 0.3, 0, 5e-5);
      }
    });

    it('gemm and the cells give the same answers on two threads', () => {
      assert.equal(setNativeGemmThreads(2), 2);
      const rng = Rng.fromSeed(13);
      for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        checkGemm(same, rng, transA, transB, 64, 515, 200, 1, 1, 2, 5e-5);    // split along columns
        checkGemm(same, rng, transA, transB, 530, 33, 100, 1.5, 0, 1, 5e-5);  // split along rows
      }
      // Decoding's products (one row, or a beam of rows, times a transposed weight) are split along columns too.
      checkGemm(same, rng, false, true, 1, 1030, 300, 1, 1, 0, 5e-5);
      checkGemm(same, rng, false, true, 9, 1030, 257, 1, 0, 3, 5e-5);
      checkCells(rng, 9, 600);  // rows split in two halves (odd B: unequal halves)
      assert.equal(setNativeGemmThreads(1), 1);
    });

    it('gemm gives the same bits on one thread and on two (the threads split C, never the sum along k)', () => {
      const rng = Rng.fromSeed(14);
      // Training's products (split along columns or rows) and decoding's (one row or a beam of rows times Wᵀ).
      for (const [transA, transB, m, n, kk] of [[false, true, 2048, 1024, 256], [true, false, 1024, 256, 2048],
        [false, false, 530, 33, 100], [false, true, 1, 1024, 256], [false, true, 9, 1024, 256],
        // Past the dot-product rows (12), in parts that are not (on AVX2: 12 + 1, 12 + 8): the whole product's rows choose.
        [false, true, 13, 70, 300], [false, true, 20, 1024, 256]] as const) {
        const a = randomFloats(rng, m * kk), b = randomFloats(rng, kk * n), c0 = randomFloats(rng, m * n);
        const results = [1, 2].map((threads) => {
          assert.equal(setNativeGemmThreads(threads), threads);
          const c = c0.slice();
          k.gemm(transA, transB, m, n, kk, 1, a, 0, transA ? m : kk, b, 0, transB ? kk : n, 1, c, 0, n);
          return c;
        });
        assert.deepEqual(Buffer.from(results[1]!.buffer), Buffer.from(results[0]!.buffer), `${m}×${n}×${kk} tA=${transA} tB=${transB}`);
      }
      setNativeGemmThreads(1);
    });

    it('decoding products give each row the same bits whatever rows share the call (beam search against generation)', () => {
      // x·Wᵀ with up to a wide beam of rows: row r of a call with m rows equals the one-row call on row r alone, for every
      // m, every k tail (k not a multiple of the vector width) and the column tail (n not a multiple of 4).
      const rng = Rng.fromSeed(15);
      for (const [n, kk] of [[1030, 256], [65, 257], [7, 19]] as const) {
        const W = randomFloats(rng, n * kk), x = randomFloats(rng, 12 * kk);
        const alone = Array.from({ length: 12 }, (_, r) => {
          const c = new Float32Array(n);
          k.gemm(false, true, 1, n, kk, 1, x, r * kk, kk, W, 0, kk, 0, c, 0, n);
          return c;
        });
        for (let m = 2; m <= 12; m++) {
          const c = new Float32Array(m * n);
          k.gemm(false, true, m, n, kk, 1, x, 0, kk, W, 0, kk, 0, c, 0, n);
          for (let r = 0; r < m; r++) {
            assert.deepEqual(Buffer.from(c.buffer, r * n * 4, n * 4), Buffer.from(alone[r]!.buffer), `row ${r} of ${m}, ${n}×${kk}`);
          }
        }
      }
    });

    it('a product by a packed B (the recurrent weights across a chunk) gives the bits of gemm, on one thread and on two', () => {
      // The per-step products of M and L (forward h·W_hhᵀ, backward dGates·W_hh), shapes that cross a K block (k > 256)
      // and leave partial tiles, and a few rows. Packing changes the memory, not the sums, with one exception: x·Wᵀ with
      // at most 12 rows, which gemm computes from W in place by dot products along k (gemm.cc, dotRows), and which agrees
      // with the packed product only within float32 rounding.
      const rng = Rng.fromSeed(16);
      for (const [transB, m, n, kk] of [[true, 32, 1024, 256], [false, 32, 256, 1024], [true, 64, 2048, 512],
        [false, 64, 512, 2048], [true, 13, 70, 300], [false, 33, 65, 257], [true, 3, 100, 40], [true, 9, 1024, 256],
        [false, 9, 48, 20], [false, 1, 300, 600]] as const) {
        const ldb = (transB ? kk : n) + 3, lda = kk + 1;
        const a = randomFloats(rng, m * lda), b = randomFloats(rng, (transB ? n : kk) * ldb), c0 = randomFloats(rng, m * n);
        let packed = k.packB(transB, kk, n, b, 0, ldb, null);
        packed = k.packB(transB, kk, n, b, 0, ldb, packed);  // reusing the memory of an earlier packing
        for (const threads of [1, 2]) {
          setNativeGemmThreads(threads);
          const plain = c0.slice(), viaPack = c0.slice();
          k.gemm(false, transB, m, n, kk, 0.5, a, 0, lda, b, 0, ldb, 1, plain, 0, n);
          k.gemmPacked(m, 0.5, a, 0, lda, packed, 1, viaPack, 0, n);
          const what = `${m}×${n}×${kk} tB=${transB}, ${threads} threads`;
          if (!transB || m > 12) assert.deepEqual(Buffer.from(viaPack.buffer), Buffer.from(plain.buffer), what);
          else viaPack.forEach((x, i) => assert.ok(Math.abs(x - plain[i]!) <= 1e-5 * (1 + Math.abs(x)), `${what}: ${i}`));
        }
      }
      setNativeGemmThreads(1);
      // A buffer that packB did not allocate may lie anywhere; the packed micro-panels need a 64-byte boundary.
      const p = k.packB(true, 8, 32, randomFloats(rng, 256), 0, 8, null);
      const unaligned = new Float32Array(new ArrayBuffer(4 * (p.panels!.length + 1)), 4, p.panels!.length);
      assert.throws(() => k.gemmPacked(20, 1, new Float32Array(160), 0, 8, { ...p, panels: unaligned }, 0, new Float32Array(640), 0, 32),
        /unaligned|allocPacked/);
    });

    it('a row of a product by a packed B has the same bits whatever rows share it, from one row to a training batch', () => {
      // Decoding with packed weights (a beam's rows against generation's one) and the chunks of a forward (any batch) give a
      // row the same arithmetic: one multiply-add per k in order, whether the few-rows path or the blocked one computes it,
      // on one thread or two, and whether or not it equals another row (the few-rows path multiplies equal rows once).
      const rng = Rng.fromSeed(17);
      for (const [transB, n, kk] of [[true, 1030, 256], [true, 65, 300], [false, 70, 19], [false, 256, 1030]] as const) {
        const rowsMax = 40, ldb = transB ? kk : n;
        const b = randomFloats(rng, (transB ? n : kk) * ldb), x = randomFloats(rng, rowsMax * kk), c0 = randomFloats(rng, rowsMax * n);
        for (let r = 3; r < rowsMax; r += 4) x.copyWithin(r * kk, (r - 2) * kk, (r - 1) * kk);  // row 3 = row 1, 7 = 5, …
        const packed = k.packB(transB, kk, n, b, 0, ldb, null);
        const alpha = 0.75, beta = 0.5;
        const alone = Array.from({ length: rowsMax }, (_, r) => {
          const c = c0.slice(r * n, (r + 1) * n);
          k.gemmPacked(1, alpha, x, r * kk, kk, packed, beta, c, 0, n);
          return c;
        });
        for (const threads of [1, 2]) {
          setNativeGemmThreads(threads);
          for (const m of [2, 3, 5, 8, 9, 12, 13, 17, 33, 40]) {
            const c = c0.slice(0, m * n);
            k.gemmPacked(m, alpha, x, 0, kk, packed, beta, c, 0, n);
            for (let r = 0; r < m; r++) {
              assert.deepEqual(Buffer.from(c.buffer, r * n * 4, n * 4), Buffer.from(alone[r]!.buffer),
                `row ${r} of ${m}, ${n}×${kk} tB=${transB}, ${threads} threads`);
            }
          }
        }
      }
      setNativeGemmThreads(1);
    });

    it('gemm with k = 0 or alpha = 0 scales C by beta without reading A or B', () => {
      const c = new Float32Array([1, 2, 3, 4]);
      k.gemm(false, false, 2, 2, 0, 1, new Float32Array(0), 0, 0, new Float32Array(0), 0, 2, 3, c, 0, 2);
      assert.deepEqual([...c], [3, 6, 9, 12]);
      c.fill(NaN);
      k.gemm(false, false, 2, 2, 1, 0, new Float32Array(2), 0, 1, new Float32Array(2), 0, 2, 0, c, 0, 2);
      assert.deepEqual([...c], [0, 0, 0, 0]);
    });

    it("Adam's update is the reference kernel's bit for bit, on one thread and on two, for Adam and AdamW", () => {
      const rng = Rng.fromSeed(23);
      // 40,000 parameters are split between the two threads; 1 and 37 are not.
      for (const n of [1, 37, 40_000]) {
        for (const threads of [1, 2]) {
          setNativeGemmThreads(threads);
          const start = [randomFloats(rng, n), randomFloats(rng, n, -0.1, 0.1), randomFloats(rng, n, 0, 1e-3)];
          const runs = [k, reference].map((kern) => {
            const [values, m, v] = start.map((x) => x.slice());
            for (let t = 1; t <= 3; t++) {
              const grads = randomFloats(Rng.fromSeed(t), n, -2, 2);
              const adamw = t === 2;
              kern.adam({ n, values, grads, m, v, lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, l2: adamw ? 0 : 1e-2,
                shrink: adamw ? 1 - 3e-3 * 0.1 : 1, correction1: 1 - 0.9 ** t, correction2: 1 - 0.999 ** t });
            }
            return [values, m, v];
          });
          runs[0]!.forEach((x, i) => assert.deepEqual(x, runs[1]![i], `n ${n}, ${threads} thread(s), buffer ${i}`));
        }
      }
    });

    it('row and element-wise kernels agree with offsets and sizes that are not multiples of the vector width', () => {
      const rng = Rng.fromSeed(21);
      for (const [rows, cols] of [[1, 1], [7, 33], [33, 65], [3, 129]]) {
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

    it('gather and scatter-add of one-hot columns agree for each ids type, below and above the transpose threshold', () => {
      const rng = Rng.fromSeed(31);
      for (const kind of ['u16', 'u32', 'i32'] as const) {
        for (const [rows, G, V] of [[3, 7, 5], [40, 33, 65], [9, 129, 17], [70, 33, 65]]) {
          const ids = randomIds(rng, 2 + rows, V, kind);
          const w = randomFloats(rng, 1 + G * V), out = randomFloats(rng, 3 + rows * G);
          same([w, out], (kern, [a, b]) => kern.gatherColumns(a, 1, G, V, ids, 2, rows, b, 3), `gather ${kind} ${rows}`);
          same([out, w], (kern, [a, b]) => kern.scatterAddColumns(b, 1, G, V, ids, 2, rows, a, 3),
            `scatter ${kind} ${rows}`, 1e-5);
        }
      }
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
      for (const [B, H] of [[1, 1], [3, 7], [5, 33], [2, 129]]) checkCells(rng, B, H);
    });

    it('a NaN pre-activation reaches h (the trainer detects divergence from it)', () => {
      const gates = new Float32Array(4).fill(0.5);
      gates[3] = NaN;
      const h = new Float32Array(1);
      k.lstmCellForward({ B: 1, H: 1, gates, gatesOff: 0, cPrev: new Float32Array(1), cPrevOff: 0, c: new Float32Array(1),
        cOff: 0, h, hOff: 0 });
      assert.ok(Number.isNaN(h[0]));
    });

    it('softmax cross-entropy agrees, with and without gradients and for large logits', () => {
      const rng = Rng.fromSeed(51);
      for (const kind of ['u16', 'u32', 'i32'] as const) {
        for (const [rows, V] of [[1, 1], [7, 65], [4, 17], [3, 129]]) {
          const logits = randomFloats(rng, 2 + rows * V, -20, 20);
          logits[2] = 80;  // exp would overflow without the max shift
          const targets = randomIds(rng, 1 + rows, V, kind);
          same([logits, randomFloats(rng, 3 + rows * V)],
            (kern, [l, d]) => kern.softmaxCrossEntropy(l, 2, rows, V, targets, 1, d, 3, 0.25), `softmaxCE ${kind} ${rows}×${V}`);
          same([logits], (kern, [l]) => kern.softmaxCrossEntropy(l, 2, rows, V, targets, 1, null, 0, 1), `softmaxCE no grad`);
        }
      }
    });

    it('rejects Float64Array buffers, accesses past the end, and ids outside the vocabulary', () => {
      assert.throws(() => k.scale(new Float64Array(4), 0, 4, 2), TypeError);
      assert.throws(() => k.scale(new Float32Array(4), 1, 4, 2), RangeError);
      assert.throws(() => k.gemm(false, false, 2, 2, 2, 1, new Float32Array(3), 0, 2, new Float32Array(4), 0, 2, 0,
        new Float32Array(4), 0, 2), RangeError);
      assert.throws(() => k.gatherColumns(new Float32Array(6), 0, 2, 3, new Uint16Array([3]), 0, 1, new Float32Array(2), 0),
        RangeError);
      assert.throws(() => k.softmaxCrossEntropy(new Float32Array(3), 0, 1, 3, new Int32Array([-1]), 0, null, 0, 1), RangeError);
    });

    it('rejects gemm leading dimensions shorter than the rows they step over (rows would overlap)', () => {
      const buf = (): Float32Array => new Float32Array(64);
      const gemm = (tA: boolean, tB: boolean, lda: number, ldb: number, ldc: number): void =>
        k.gemm(tA, tB, 3, 4, 5, 1, buf(), 0, lda, buf(), 0, ldb, 0, buf(), 0, ldc);
      gemm(false, false, 5, 4, 4);  // m = 3, n = 4, k = 5: the tightest valid strides
      gemm(true, true, 3, 5, 4);
      for (const [tA, tB, lda, ldb, ldc] of [[false, false, 4, 4, 4], [true, false, 2, 4, 4], [false, false, 5, 3, 4],
        [false, true, 5, 4, 4], [false, false, 5, 4, 3]] as const) {
        assert.throws(() => gemm(tA, tB, lda, ldb, ldc), /leading dimension/, `tA=${tA} tB=${tB} lda=${lda} ldb=${ldb} ldc=${ldc}`);
      }
    });
  });
}
