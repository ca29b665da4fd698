// Loads the optional C++ kernel (build/Release/charlm_native.node, built by `npm install` where a compiler exists) and
// presents it as float32 Kernels. It does not build anything or choose between kernels: create-kernels.ts does that.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Floats, Ids } from './floats.js';
import type { Kernels } from './kernels.js';

/** The functions charlm_native.node exports (native/addon.cc); argument order follows Kernels except where noted. */
interface NativeAddon {
  gemm: Kernels['gemm'];
  addRowVector: Kernels['addRowVector'];
  sumRows: Kernels['sumRows'];
  gatherColumns: Kernels['gatherColumns'];
  scatterAddColumns: Kernels['scatterAddColumns'];
  lstmCellForward: Kernels['lstmCellForward'];
  lstmCellBackward: Kernels['lstmCellBackward'];
  gruCellForward: Kernels['gruCellForward'];
  gruCellBackward: Kernels['gruCellBackward'];
  activationForward(x: Floats, xOff: number, n: number, relu: boolean): void;
  activationBackward(y: Floats, yOff: number, dH: Floats, dhOff: number, dPre: Floats, dpOff: number, n: number,
                     relu: boolean): void;
  softmaxCrossEntropy: Kernels['softmaxCrossEntropy'];
  logSoftmaxRows: Kernels['logSoftmaxRows'];
  mul: Kernels['mul'];
  axpy: Kernels['axpy'];
  scale: Kernels['scale'];
  sumSquares: Kernels['sumSquares'];
  /** Threads a large gemm may use (1 or 2); returns the number in effect. */
  setThreads(threads: number): number;
  /** Float lanes per SIMD vector of this build: 16 = AVX-512, 8 = AVX2, 4 = SSE / portable. */
  vectorWidth(): number;
}

/** What `charlm info` and the benchmarks show about the native kernel. */
export interface NativeKernelInfo { vectorWidth: number; gemmThreads: number }

// The compiled file is dist/src/tensor/native-kernels.js, so the package root is three directories up.
const addonPath = fileURLToPath(new URL('../../../build/Release/charlm_native.node', import.meta.url));

let loaded: { addon: NativeAddon; kernels: Kernels } | null | undefined;
let gemmThreads = 1;

function loadAddon(): { addon: NativeAddon; kernels: Kernels } | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (!existsSync(addonPath)) return loaded;
  try {
    const addon = createRequire(import.meta.url)(addonPath) as NativeAddon;
    loaded = { addon, kernels: wrap(addon) };
  } catch {
    // A binary built for another CPU or Node ABI refuses to load; the reference kernels take over.
  }
  return loaded;
}

function wrap(addon: NativeAddon): Kernels {
  return {
    name: 'native',
    dtype: 'f32',
    alloc: (length: number) => new Float32Array(length),
    release: () => {},  // the garbage collector reclaims it
    gemm: addon.gemm,
    addRowVector: addon.addRowVector,
    sumRows: addon.sumRows,
    gatherColumns: addon.gatherColumns,
    scatterAddColumns: addon.scatterAddColumns,
    lstmCellForward: addon.lstmCellForward,
    lstmCellBackward: addon.lstmCellBackward,
    gruCellForward: addon.gruCellForward,
    gruCellBackward: addon.gruCellBackward,
    activationForward: (x, xOff, n, kind) => addon.activationForward(x, xOff, n, kind === 'relu'),
    activationBackward: (y, yOff, dH, dhOff, dPre, dpOff, n, kind) =>
      addon.activationBackward(y, yOff, dH, dhOff, dPre, dpOff, n, kind === 'relu'),
    softmaxCrossEntropy: (logits: Floats, lOff: number, rows: number, V: number, targets: Ids, tOff: number,
                          dLogits: Floats | null, dOff: number, gradScale: number) =>
      addon.softmaxCrossEntropy(logits, lOff, rows, V, targets, tOff, dLogits, dOff, gradScale),
    logSoftmaxRows: addon.logSoftmaxRows,
    mul: addon.mul,
    axpy: addon.axpy,
    scale: addon.scale,
    sumSquares: addon.sumSquares,
  };
}

/**
 * The native float32 kernels, or null when the addon was not built or does not load here. Loaded once and cached.
 * They take Float32Array buffers only (a Float64Array throws a TypeError) and check every access against buffer bounds.
 */
export function loadNativeKernels(): Kernels | null {
  return loadAddon()?.kernels ?? null;
}

/**
 * Lets large matrix products use `threads` threads (1 or 2; the machines charlm targets have two cores). Returns the
 * number in effect, or null without the native kernel. Process-wide: it affects every native Kernels object.
 */
export function setNativeGemmThreads(threads: number): number | null {
  const native = loadAddon();
  if (native === null) return null;
  gemmThreads = native.addon.setThreads(threads);
  return gemmThreads;
}

/** Build facts about the native kernel, or null without it. */
export function nativeKernelInfo(): NativeKernelInfo | null {
  const native = loadAddon();
  return native === null ? null : { vectorWidth: native.addon.vectorWidth(), gemmThreads };
}
