// Measures the WebAssembly SIMD kernel against the reference kernels: gemm GFLOP/s on the shapes charlm's LSTMs produce,
// then one training step (forward + backward) of a 2×256 LSTM CharLM at T = 64, B = 32 in characters per second.
// Usage: node dist/bench/wasm-gemm-bench.js [--quick]. A measuring script, not a test: it asserts nothing.

import { createReferenceKernels } from '../src/tensor/reference-kernels.js';
import { loadWasmKernels } from '../src/tensor/wasm/wasm-kernels.js';
import type { Kernels } from '../src/tensor/kernels.js';
import { Rng } from '../src/tensor/rng.js';
import { CharLM } from '../src/model/char-lm.js';
import { validateModelConfig } from '../src/config/model-config.js';

interface Shape { label: string; transA: boolean; transB: boolean; m: number; n: number; k: number }

const shapes: Shape[] = [
  { label: 'LSTM step 32×1024×256 (Bᵀ)', transA: false, transB: true, m: 32, n: 1024, k: 256 },
  { label: 'LSTM step back 32×256×1024', transA: false, transB: false, m: 32, n: 256, k: 1024 },
  { label: '2048×1024×256', transA: false, transB: false, m: 2048, n: 1024, k: 256 },
  { label: '2048×1024×256 (Bᵀ)', transA: false, transB: true, m: 2048, n: 1024, k: 256 },
  { label: 'weight grad 1024×256×2048 (Aᵀ)', transA: true, transB: false, m: 1024, n: 256, k: 2048 },
  { label: 'square 512³', transA: false, transB: false, m: 512, n: 512, k: 512 },
  { label: 'generate 1×1024×256 (Bᵀ)', transA: false, transB: true, m: 1, n: 1024, k: 256 },
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
  const run = (): void => k.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, 0, lda, b, 0, ldb, 1, c, 0, s.n);
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

/** Characters per second of forward + backward on one chunk, median of a few timed steps after a warm-up. */
function trainStepSpeed(k: Kernels, steps: number): number {
  const T = 64, B = 32, V = 65;
  const config = validateModelConfig({ cell: 'lstm', numLayers: 2, hiddenSize: 256, dropout: 0, vocabSize: V });
  const rng = Rng.fromSeed(7);
  const model = CharLM.create(config, k, rng);
  const inputs = new Uint16Array(T * B), targets = new Uint16Array(T * B);
  for (let i = 0; i < T * B; i++) { inputs[i] = rng.int(V); targets[i] = rng.int(V); }
  const state = model.createState(B);
  const times: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const start = performance.now();
    model.params.zeroGrads();
    const pass = model.forward(inputs, targets, T, B, state, { training: true, rng });
    model.backward(pass);
    if (s > 0) times.push(performance.now() - start);  // step 0 allocates the workspaces
  }
  times.sort((x, y) => x - y);
  return (T * B) / (times[Math.floor(times.length / 2)] / 1000);
}

const quick = process.argv.includes('--quick');
const wasm = loadWasmKernels();
const reference = createReferenceKernels('f32');
if (wasm === null) console.log('wasm kernel not available: run `npm run build` (needs the wabt devDependency)');
console.log(['shape'.padEnd(36), 'wasm'.padStart(8), 'reference'.padStart(10), '  (GFLOP/s)'].join(''));
for (const s of shapes) {
  const w = wasm === null ? NaN : measure(wasm, s, quick ? 150 : 600);
  // The reference kernel runs near 1 GFLOP/s: only the shapes that finish in well under a second.
  const r = 2 * s.m * s.n * s.k <= 1.1e9 ? measure(reference, s, quick ? 100 : 400) : NaN;
  const fmt = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(1));
  console.log([s.label.padEnd(36), fmt(w).padStart(8), fmt(r).padStart(10)].join(''));
}
console.log('\nCharLM 2×256 LSTM, T = 64, B = 32, forward + backward (chars/s):');
if (wasm !== null) console.log(`  wasm       ${trainStepSpeed(wasm, quick ? 3 : 7).toFixed(0)}`);
console.log(`  reference  ${trainStepSpeed(reference, quick ? 1 : 3).toFixed(0)}`);
