// Measures gemm speed (GFLOP/s) of the native and reference kernels on the matrix shapes charlm's LSTMs produce.
// Usage: node dist/bench/gemm-bench.js [--threads 1|2] [--quick]. A measuring script, not a test: it asserts nothing.

import { createReferenceKernels } from '../src/tensor/reference-kernels.js';
import { loadNativeKernels, nativeKernelInfo, setNativeGemmThreads } from '../src/tensor/native-kernels.js';
import type { Kernels } from '../src/tensor/kernels.js';
import { Rng } from '../src/tensor/rng.js';

interface Shape { label: string; transA: boolean; transB: boolean; m: number; n: number; k: number }

// B = batch rows, H = hidden size, T·B = rows of a whole chunk, V = 65 symbols.
const shapes: Shape[] = [
  { label: 'square 512³', transA: false, transB: false, m: 512, n: 512, k: 512 },
  { label: 'step fwd S: h·W_hhᵀ B32 4H512 H128', transA: false, transB: true, m: 32, n: 512, k: 128 },
  { label: 'step fwd M: h·W_hhᵀ B32 4H1024 H256', transA: false, transB: true, m: 32, n: 1024, k: 256 },
  { label: 'step fwd ref: B32 4H1024 K512', transA: false, transB: true, m: 32, n: 1024, k: 512 },
  { label: 'step fwd L: h·W_hhᵀ B64 4H2048 H512', transA: false, transB: true, m: 64, n: 2048, k: 512 },
  { label: 'step bwd L: dG·W_hh B64 H512 4H2048', transA: false, transB: false, m: 64, n: 512, k: 2048 },
  { label: 'seq in-proj L: 8192×2048×512 (Bᵀ)', transA: false, transB: true, m: 8192, n: 2048, k: 512 },
  { label: 'seq dW L: dGᵀ·H 2048×512×8192', transA: true, transB: false, m: 2048, n: 512, k: 8192 },
  { label: 'seq dX L: dG·W 8192×512×2048', transA: false, transB: false, m: 8192, n: 512, k: 2048 },
  { label: 'seq dW M: dGᵀ·H 1024×256×2048', transA: true, transB: false, m: 1024, n: 256, k: 2048 },
  { label: 'decoder fwd L: 8192×65×512 (Bᵀ)', transA: false, transB: true, m: 8192, n: 65, k: 512 },
  { label: 'decoder dH L: 8192×512×65', transA: false, transB: false, m: 8192, n: 512, k: 65 },
  { label: 'decoder dW L: 65×512×8192 (Aᵀ)', transA: true, transB: false, m: 65, n: 512, k: 8192 },
  { label: 'generate M: 1×1024×256 (Bᵀ)', transA: false, transB: true, m: 1, n: 1024, k: 256 },
];

function randomFloats(k: Kernels, n: number, rng: Rng): Float32Array {
  const x = k.alloc(n) as Float32Array;
  for (let i = 0; i < n; i++) x[i] = rng.range(-1, 1);
  return x;
}

/** GFLOP/s of one kernel on one shape: repeats for at least `budgetMs` after one warm-up call. */
function measure(k: Kernels, s: Shape, budgetMs: number): number {
  const rng = Rng.fromSeed(1);
  const a = randomFloats(k, s.m * s.k, rng);
  const b = randomFloats(k, s.k * s.n, rng);
  const c = k.alloc(s.m * s.n);
  const lda = s.transA ? s.m : s.k;
  const ldb = s.transB ? s.k : s.n;
  const run = () => k.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, 0, lda, b, 0, ldb, 1, c, 0, s.n);
  run();
  let reps = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    run();
    reps++;
    elapsed = performance.now() - start;
  } while (elapsed < budgetMs);
  return (2 * s.m * s.n * s.k * reps) / (elapsed * 1e6);
}

const args = process.argv.slice(2);
const threadsArg = args.indexOf('--threads');
const quick = args.includes('--quick');
const native = loadNativeKernels();
if (native === null) {
  console.log('native kernel not built: run `npm install` (needs a C++ compiler)');
} else if (threadsArg >= 0) {
  setNativeGemmThreads(Number(args[threadsArg + 1]));
}
const reference = createReferenceKernels('f32');
console.log(`native: ${JSON.stringify(nativeKernelInfo())}`);
console.log(['shape'.padEnd(42), 'native'.padStart(9), 'reference'.padStart(10), '  (GFLOP/s)'].join(''));
for (const s of shapes) {
  const flops = 2 * s.m * s.n * s.k;
  const nat = native === null ? NaN : measure(native, s, quick ? 100 : 400);
  // The reference kernel runs near 1 GFLOP/s: only the shapes that finish in well under a second.
  const ref = flops <= 1.5e8 ? measure(reference, s, quick ? 50 : 200) : NaN;
  const fmt = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(1));
  console.log([s.label.padEnd(42), fmt(nat).padStart(9), fmt(ref).padStart(10)].join(''));
}
