// Direct comparisons of an optimised Kernels implementation (native, wasm) with the reference kernels: random inputs,
// the same call on copies for both, every buffer compared afterwards. Shared by native-kernels.test.ts and
// wasm-kernels.test.ts; the naive-loop case table every implementation runs is kernel-cases.ts.

import assert from 'node:assert/strict';
import type { Ids } from '../../src/tensor/floats.js';
import type { Kernels } from '../../src/tensor/kernels.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import type { Rng } from '../../src/tensor/rng.js';

const reference = createReferenceKernels('f32');

export function randomFloats(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.range(lo, hi);
  return x;
}

export function randomIds(rng: Rng, n: number, V: number, kind: 'u16' | 'u32' | 'i32'): Ids {
  const ids = kind === 'u16' ? new Uint16Array(n) : kind === 'u32' ? new Uint32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = rng.int(V);
  return ids;
}

/** Elementwise |a − b| ≤ tol·(1 + |b|); NaN must meet NaN. */
export function assertClose(actual: Float32Array, expected: Float32Array, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) assert.fail(`${what}: element ${i} is ${a}, expected ${e}`);
  }
}

/** Runs `call` with the kernel under test and with the reference kernels, on copies of `inputs`, and compares them. */
export type Same = (inputs: Float32Array[], call: (k: Kernels, bufs: Float32Array[]) => number | void, what: string,
                    tol?: number) => void;

/** Where the kernel under test gets its copy of an input, and a word for the failure message ('' for a plain copy). */
export interface Placement { copy(x: Float32Array): Float32Array; where: string }

const plainCopies = (): Placement => ({ copy: (x) => x.slice(), where: '' });

/** A Same for kernel `k`; `place` chooses, per call, where k's copies of the inputs live. */
export function sameAsReference(k: Kernels, place: () => Placement = plainCopies): Same {
  return (inputs, call, what, tol = 2e-6) => {
    const { copy, where } = place();
    const label = where === '' ? what : `${what} (${where})`;
    const mine = inputs.map(copy);
    const theirs = inputs.map((x) => x.slice());
    const r1 = call(k, mine);
    const r2 = call(reference, theirs);
    if (typeof r2 === 'number') assert.ok(Math.abs((r1 as number) - r2) <= tol * 10 * (1 + Math.abs(r2)), `${label}: ${r1} vs ${r2}`);
    mine.forEach((x, i) => assertClose(x, theirs[i], tol, `${label} buffer ${i}`));
  };
}

/**
 * gemm on random A, B, C with offsets (3, 5, 7) and leading dimensions `pad` past the rows; with beta = 0, C starts as NaN
 * (C must not be read).
 */
export function checkGemm(same: Same, rng: Rng, transA: boolean, transB: boolean, m: number, n: number, kk: number,
                          alpha: number, beta: number, pad: number, tol = 2e-5): void {
  const lda = (transA ? m : kk) + pad, ldb = (transB ? kk : n) + pad, ldc = n + pad;
  const aOff = 3, bOff = 5, cOff = 7;
  const a = randomFloats(rng, aOff + (transA ? kk : m) * lda);
  const b = randomFloats(rng, bOff + (transB ? n : kk) * ldb);
  const c = randomFloats(rng, cOff + m * ldc);
  if (beta === 0) c.fill(NaN);
  same([a, b, c], (kern, [x, y, z]) => kern.gemm(transA, transB, m, n, kk, alpha, x, aOff, lda, y, bOff, ldb, beta, z, cOff, ldc),
    `gemm tA=${transA} tB=${transB} ${m}×${n}×${kk} α=${alpha} β=${beta}`, tol);
}

/** The gemm sweep both optimised kernels run: every transpose, each pair of `sizes`, offsets, pads, alpha and beta. */
export function checkGemmSweep(same: Same, rng: Rng, sizes: readonly number[]): void {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const m of sizes) {
        for (const n of sizes) {
          const kk = sizes[(m + n) % sizes.length];
          const [alpha, beta] = [[1, 0], [1, 1], [0.5, -2], [-1.5, 0]][(m * 3 + n) % 4];
          checkGemm(same, rng, transA, transB, m, n, kk, alpha, beta, (m + n) % 3);
        }
      }
    }
  }
}
