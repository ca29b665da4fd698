// The ONE table of kernel cases, run against every Kernels implementation: each case compares a kernel with a naive loop
// written here (per-element gemm, per-gate LSTM/GRU, finite differences for the cell backwards).
// Usage from a test file: runKernelCases('native', (dtype) => loadNativeKernels(), ['f32']).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DType, Floats } from '../../src/tensor/floats.js';
import type { Kernels } from '../../src/tensor/kernels.js';
import { Rng } from '../../src/tensor/rng.js';

const sig = (x: number): number => 1 / (1 + Math.exp(-x));

function randomArray(rng: Rng, n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => rng.range(lo, hi));
}

function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = Object.is(a, e) || Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
    assert.ok(ok, `${what}[${i}]: got ${a}, expected ${e} (tolerance ${tol})`);
  }
}

/** Naive LSTM cell for one row: pre (4H) → activations, c, h. */
function naiveLstm(pre: number[], cPrev: number[], H: number): { acts: number[]; c: number[]; h: number[] } {
  const acts = pre.map((x, j) => (j >= 2 * H && j < 3 * H ? Math.tanh(x) : sig(x)));
  const c = cPrev.map((cp, j) => acts[H + j] * cp + acts[j] * acts[2 * H + j]);
  const h = c.map((cj, j) => acts[3 * H + j] * Math.tanh(cj));
  return { acts, c, h };
}

/** Naive GRU cell for one row (PyTorch): gx, gh (3H) pre-activations → activations [r z n] and h. */
function naiveGru(gx: number[], gh: number[], hPrev: number[], H: number): { acts: number[]; h: number[] } {
  const r = hPrev.map((_, j) => sig(gx[j] + gh[j]));
  const z = hPrev.map((_, j) => sig(gx[H + j] + gh[H + j]));
  const n = hPrev.map((_, j) => Math.tanh(gx[2 * H + j] + r[j] * gh[2 * H + j]));
  return { acts: [...r, ...z, ...n], h: hPrev.map((hp, j) => (1 - z[j]) * n[j] + z[j] * hp) };
}

/** Central-difference gradient of f at x (float64 JS numbers). */
function numericGrad(f: (x: number[]) => number, x: number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const plus = x.slice(); plus[i] += h;
    const minus = x.slice(); minus[i] -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

export function runKernelCases(name: string, makeKernels: (dtype: DType) => Kernels | null,
                               dtypes: readonly DType[] = ['f32', 'f64']): void {
  for (const dtype of dtypes) {
    const k = makeKernels(dtype);
    describe(`${name} kernels (${dtype})`, { skip: k === null ? 'not available' : false }, () => {
      if (k === null) return;
      const tol = dtype === 'f32' ? 2e-5 : 1e-12;
      const gradTol = dtype === 'f32' ? 2e-5 : 1e-7; // against finite differences
      const buf = (values: number[]): Floats => { const b = k.alloc(values.length); b.set(values); return b; };

      it('alloc gives a zero-filled buffer of its dtype', () => {
        const b = k.alloc(7);
        assert.equal(b.length, 7);
        assert.ok(dtype === 'f32' ? b instanceof Float32Array : b instanceof Float64Array);
        assert.ok(b.every((x) => x === 0));
        assert.equal(k.dtype, dtype);
      });

      for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        for (const beta of [0, 1, 0.5]) {
          it(`gemm transA=${transA} transB=${transB} beta=${beta} equals the per-element sum, with offsets and leading dims`, () => {
            const rng = Rng.fromSeed(`gemm${transA}${transB}${beta}`);
            const m = 3, n = 5, kk = 6, alpha = 0.7; // n and k cover an unrolled block of 4 plus a remainder
            const aRows = transA ? kk : m, aCols = transA ? m : kk, lda = aCols + 2, aOff = 3;
            const bRows = transB ? n : kk, bCols = transB ? kk : n, ldb = bCols + 1, bOff = 2;
            const ldc = n + 3, cOff = 4;
            const a = randomArray(rng, aOff + aRows * lda);
            const b = randomArray(rng, bOff + bRows * ldb);
            const c0 = randomArray(rng, cOff + m * ldc + 2);
            const c = buf(c0);
            if (beta === 0) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[cOff + i * ldc + j] = Number.NaN;
            const A = (i: number, p: number): number => (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
            const B = (p: number, j: number): number => (transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]);
            const expected = c0.slice();
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) {
                let sum = 0;
                for (let p = 0; p < kk; p++) sum += A(i, p) * B(p, j);
                const idx = cOff + i * ldc + j;
                expected[idx] = alpha * sum + (beta === 0 ? 0 : beta * c0[idx]);
              }
            }
            k.gemm(transA, transB, m, n, kk, alpha, buf(a), aOff, lda, buf(b), bOff, ldb, beta, c, cOff, ldc);
            closeTo(c, dtype === 'f32' ? Float32Array.from(expected) : expected, tol, 'C'); // padding stays untouched
          });
        }
      }

      it('gemm with large sizes agrees with the per-element sum', () => {
        const rng = Rng.fromSeed('big');
        const m = 37, n = 41, kk = 29;
        const a = randomArray(rng, m * kk), b = randomArray(rng, n * kk);
        const c = k.alloc(m * n);
        k.gemm(false, true, m, n, kk, 1, buf(a), 0, kk, buf(b), 0, kk, 0, c, 0, n);
        const expected = Array.from({ length: m * n }, (_, idx) => {
          const i = Math.floor(idx / n), j = idx % n;
          let s = 0;
          for (let p = 0; p < kk; p++) s += a[i * kk + p] * b[j * kk + p];
          return s;
        });
        closeTo(c, expected, dtype === 'f32' ? 1e-5 : 1e-12, 'C');
      });

      it('addRowVector adds the vector to every row and sumRows adds the column sums', () => {
        const x = buf([9, 1, 2, 3, 4, 5, 6]);
        k.addRowVector(x, 1, 2, 3, buf([0, 10, 20, 30]), 1);
        closeTo(x, [9, 11, 22, 33, 14, 25, 36], 0, 'x');
        const out = buf([100, 1, 1, 1]);
        k.sumRows(x, 1, 2, 3, out, 1);
        closeTo(out, [100, 26, 48, 70], 0, 'out');
      });

      it('gatherColumns adds the looked-up columns and scatterAddColumns adds back into them, repeats included', () => {
        const G = 3, V = 4, wOff = 2;
        const rng = Rng.fromSeed('gather');
        const w = randomArray(rng, wOff + G * V);
        const ids = new Uint16Array([7, 2, 0, 2, 3]); // idsOff 1: rows use 2, 0, 2, 3
        const out0 = randomArray(rng, 1 + 4 * G);
        const out = buf(out0);
        k.gatherColumns(buf(w), wOff, G, V, ids, 1, 4, out, 1);
        const expected = out0.slice();
        for (let r = 0; r < 4; r++) for (let g = 0; g < G; g++) expected[1 + r * G + g] += w[wOff + g * V + ids[1 + r]];
        closeTo(out, expected, tol, 'out');
        const dW0 = randomArray(rng, 1 + G * V);
        const dW = buf(dW0);
        const dOut = randomArray(rng, 4 * G);
        k.scatterAddColumns(dW, 1, G, V, ids, 1, 4, buf(dOut), 0);
        const dExpected = dW0.slice();
        for (let r = 0; r < 4; r++) for (let g = 0; g < G; g++) dExpected[1 + g * V + ids[1 + r]] += dOut[r * G + g];
        closeTo(dW, dExpected, tol, 'dW');
      });

      const B = 2, H = 3;
      it('lstmCellForward equals the per-gate equations and leaves the activations in gates', () => {
        const rng = Rng.fromSeed('lstm');
        const pre = randomArray(rng, B * 4 * H, -2, 2), cPrev = randomArray(rng, B * H);
        const gates = buf([0, ...pre]), c = k.alloc(B * H + 1), h = k.alloc(B * H + 2);
        k.lstmCellForward({ B, H, gates, gatesOff: 1, cPrev: buf(cPrev), cPrevOff: 0, c, cOff: 1, h, hOff: 2 });
        for (let r = 0; r < B; r++) {
          const e = naiveLstm(pre.slice(r * 4 * H, (r + 1) * 4 * H), cPrev.slice(r * H, (r + 1) * H), H);
          closeTo(gates.subarray(1 + r * 4 * H, 1 + (r + 1) * 4 * H), e.acts, tol, `gates row ${r}`);
          closeTo(c.subarray(1 + r * H, 1 + (r + 1) * H), e.c, tol, `c row ${r}`);
          closeTo(h.subarray(2 + r * H, 2 + (r + 1) * H), e.h, tol, `h row ${r}`);
        }
      });

      it('lstmCellBackward equals finite differences of the per-gate equations', () => {
        const rng = Rng.fromSeed('lstm-back');
        const pre = randomArray(rng, B * 4 * H, -2, 2), cPrev = randomArray(rng, B * H);
        const dH = randomArray(rng, B * H), dCNext = randomArray(rng, B * H);
        // A scalar whose gradient the kernel computes: Σ dH ⊙ h + Σ dCNext ⊙ c.
        const lossOf = (p: number[], cp: number[]): number => {
          let s = 0;
          for (let r = 0; r < B; r++) {
            const e = naiveLstm(p.slice(r * 4 * H, (r + 1) * 4 * H), cp.slice(r * H, (r + 1) * H), H);
            for (let j = 0; j < H; j++) s += dH[r * H + j] * e.h[j] + dCNext[r * H + j] * e.c[j];
          }
          return s;
        };
        const gates = buf(pre), c = k.alloc(B * H), h = k.alloc(B * H), cPrevBuf = buf(cPrev);
        k.lstmCellForward({ B, H, gates, gatesOff: 0, cPrev: cPrevBuf, cPrevOff: 0, c, cOff: 0, h, hOff: 0 });
        const dC = buf([5, ...dCNext]), dGates = buf(new Array(B * 4 * H + 1).fill(Number.NaN));
        k.lstmCellBackward({ B, H, gates, gatesOff: 0, cPrev: cPrevBuf, cPrevOff: 0, c, cOff: 0, dH: buf(dH), dHOff: 0,
          dC, dCOff: 1, dGates, dGatesOff: 1 });
        closeTo(dGates.subarray(1), numericGrad((p) => lossOf(p, cPrev), pre), gradTol, 'dGates');
        closeTo(dC.subarray(1), numericGrad((cp) => lossOf(pre, cp), cPrev), gradTol, 'dC (into c_{t-1})');
        assert.equal(dC[0], 5);
      });

      it('gruCellForward equals PyTorch\'s GRU equations and leaves gh unchanged', () => {
        const rng = Rng.fromSeed('gru');
        const gx = randomArray(rng, B * 3 * H, -2, 2), gh = randomArray(rng, B * 3 * H, -2, 2), hPrev = randomArray(rng, B * H);
        const gxBuf = buf(gx), ghBuf = buf(gh), h = k.alloc(B * H + 1);
        k.gruCellForward({ B, H, gx: gxBuf, gxOff: 0, gh: ghBuf, ghOff: 0, hPrev: buf(hPrev), hPrevOff: 0, h, hOff: 1 });
        closeTo(ghBuf, dtype === 'f32' ? Float32Array.from(gh) : gh, 0, 'gh');
        for (let r = 0; r < B; r++) {
          const e = naiveGru(gx.slice(r * 3 * H, (r + 1) * 3 * H), gh.slice(r * 3 * H, (r + 1) * 3 * H), hPrev.slice(r * H, (r + 1) * H), H);
          closeTo(gxBuf.subarray(r * 3 * H, (r + 1) * 3 * H), e.acts, tol, `acts row ${r}`);
          closeTo(h.subarray(1 + r * H, 1 + (r + 1) * H), e.h, tol, `h row ${r}`);
        }
      });

      it('gruCellBackward equals finite differences of the GRU equations', () => {
        const rng = Rng.fromSeed('gru-back');
        const gx = randomArray(rng, B * 3 * H, -2, 2), gh = randomArray(rng, B * 3 * H, -2, 2), hPrev = randomArray(rng, B * H);
        const dH = randomArray(rng, B * H);
        const lossOf = (x: number[], g: number[], hp: number[]): number => {
          let s = 0;
          for (let r = 0; r < B; r++) {
            const e = naiveGru(x.slice(r * 3 * H, (r + 1) * 3 * H), g.slice(r * 3 * H, (r + 1) * 3 * H), hp.slice(r * H, (r + 1) * H), H);
            for (let j = 0; j < H; j++) s += dH[r * H + j] * e.h[j];
          }
          return s;
        };
        const gxBuf = buf(gx), ghBuf = buf(gh), hPrevBuf = buf(hPrev), h = k.alloc(B * H);
        k.gruCellForward({ B, H, gx: gxBuf, gxOff: 0, gh: ghBuf, ghOff: 0, hPrev: hPrevBuf, hPrevOff: 0, h, hOff: 0 });
        const dGx = k.alloc(B * 3 * H).fill(Number.NaN), dGh = k.alloc(B * 3 * H + 2).fill(Number.NaN);
        const dHPrev = k.alloc(B * H).fill(Number.NaN);
        k.gruCellBackward({ B, H, gx: gxBuf, gxOff: 0, gh: ghBuf, ghOff: 0, hPrev: hPrevBuf, hPrevOff: 0, dH: buf(dH), dHOff: 0,
          dGx, dGxOff: 0, dGh, dGhOff: 2, dHPrev, dHPrevOff: 0 });
        closeTo(dGx, numericGrad((x) => lossOf(x, gh, hPrev), gx), gradTol, 'dGx');
        closeTo(dGh.subarray(2), numericGrad((g) => lossOf(gx, g, hPrev), gh), gradTol, 'dGh');
        // dHPrev holds only the direct path z ⊙ dH (the W_hh path is the caller's gemm).
        const z = (r: number, j: number): number => sig(gx[r * 3 * H + H + j] + gh[r * 3 * H + H + j]);
        closeTo(dHPrev, Array.from({ length: B * H }, (_, i) => z(Math.floor(i / H), i % H) * dH[i]), tol, 'dHPrev');
      });

      for (const kind of ['tanh', 'relu'] as const) {
        it(`activationForward and activationBackward (${kind}) match the elementwise formulas`, () => {
          const x0 = [0.3, -1.2, 2.5, -0.1, 0.8];
          const x = buf([7, ...x0]);
          k.activationForward({ kind, n: 5, x, xOff: 1 });
          const act = (v: number): number => (kind === 'tanh' ? Math.tanh(v) : Math.max(v, 0));
          closeTo(x, [7, ...x0.map(act)], tol, 'y');
          const dH = [1, 2, 3, 4, 5];
          const dPre = k.alloc(5);
          k.activationBackward({ kind, n: 5, y: x, yOff: 1, dH: buf(dH), dHOff: 0, dPre, dPreOff: 0 });
          const deriv = (v: number): number => (kind === 'tanh' ? 1 - Math.tanh(v) ** 2 : v > 0 ? 1 : 0);
          closeTo(dPre, x0.map((v, i) => dH[i] * deriv(v)), tol, 'dPre');
        });
      }

      it('softmaxCrossEntropy is stable for huge logits, sums the rows, and scales the gradient', () => {
        const V = 4;
        const logits = [1000, 1001, 999, 1000.5, -3, 0.5, 2, 0.1];
        const targets = new Uint32Array([9, 1, 2]); // tOff 1
        const dL = k.alloc(1 + 2 * V).fill(Number.NaN);
        const loss = k.softmaxCrossEntropy(buf(logits), 0, 2, V, targets, 1, dL, 1, 0.5);
        let expectedLoss = 0;
        const expectedGrad: number[] = [];
        for (let r = 0; r < 2; r++) {
          const row = logits.slice(r * V, (r + 1) * V);
          const max = Math.max(...row);
          const z = row.reduce((s, v) => s + Math.exp(v - max), 0);
          expectedLoss += -(row[targets[1 + r]] - max - Math.log(z));
          row.forEach((v, j) => expectedGrad.push(0.5 * (Math.exp(v - max) / z - (j === targets[1 + r] ? 1 : 0))));
        }
        assert.ok(Math.abs(loss - expectedLoss) < 1e-4 * expectedLoss, `loss ${loss} vs ${expectedLoss}`);
        closeTo(dL.subarray(1), expectedGrad, tol, 'dLogits');
        assert.equal(k.softmaxCrossEntropy(buf(logits), 0, 2, V, targets, 1, null, 0, 1), loss);
      });

      it('mul, axpy, scale and sumSquares honour their offsets', () => {
        const out = k.alloc(4);
        k.mul(buf([9, 1, 2, 3]), 1, buf([4, 5, 6]), 0, out, 1, 3);
        closeTo(out, [0, 4, 10, 18], 0, 'mul');
        const y = buf([1, 1, 1, 1]);
        k.axpy(buf([5, 1, 2]), 1, y, 2, 2, 3);
        closeTo(y, [1, 1, 4, 7], 0, 'axpy');
        k.scale(y, 1, 2, -2);
        closeTo(y, [1, -2, -8, 7], 0, 'scale');
        assert.equal(k.sumSquares(y, 1, 2), 68);
      });
    });
  }
}
