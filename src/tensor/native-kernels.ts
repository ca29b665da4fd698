// Loads the optional C++ kernel (build/Release/charlm_native.node, which `npm install` takes from prebuilds/ or builds from
// source: scripts/build-native.mjs) and presents it as float32 Kernels. The binary holds one kernel variant per instruction
// set (native/dispatch.cc picks the fastest the CPU runs). It does not build anything or choose between kernels:
// create-kernels.ts does that.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Floats, Ids } from './floats.js';
import { gemmInPlace, type Kernels } from './kernels.js';

/**
 * The functions charlm_native.node exports (native/addon.cc). Most take the arguments of Kernels; the cell kernels take
 * theirs positionally (each buffer followed by its offset, then the sizes), unpacked from the named arguments by wrap().
 */
interface NativeAddon {
  gemm: Kernels['gemm'];
  /** A zero-filled Float32Array on a 64-byte boundary, the size packB writes for a k×n op(B). */
  allocPacked(k: number, n: number): Float32Array;
  packB(transB: boolean, k: number, n: number, b: Floats, bOff: number, ldb: number, packed: Floats): void;
  gemmPacked(m: number, n: number, k: number, alpha: number, a: Floats, aOff: number, lda: number, transB: boolean,
             b: Floats, bOff: number, ldb: number, packed: Floats, beta: number, c: Floats, cOff: number, ldc: number): void;
  addRowVector: Kernels['addRowVector'];
  sumRows: Kernels['sumRows'];
  gatherColumns: Kernels['gatherColumns'];
  scatterAddColumns: Kernels['scatterAddColumns'];
  lstmCellForward(gates: Floats, gatesOff: number, cPrev: Floats, cPrevOff: number, c: Floats, cOff: number, h: Floats,
                  hOff: number, B: number, H: number): void;
  lstmCellBackward(gates: Floats, gatesOff: number, cPrev: Floats, cPrevOff: number, c: Floats, cOff: number, dH: Floats,
                   dHOff: number, dC: Floats, dCOff: number, dGates: Floats, dGatesOff: number, B: number, H: number): void;
  gruCellForward(gx: Floats, gxOff: number, gh: Floats, ghOff: number, hPrev: Floats, hPrevOff: number, h: Floats,
                 hOff: number, B: number, H: number): void;
  gruCellBackward(gx: Floats, gxOff: number, gh: Floats, ghOff: number, hPrev: Floats, hPrevOff: number, dH: Floats,
                  dHOff: number, dGx: Floats, dGxOff: number, dGh: Floats, dGhOff: number, dHPrev: Floats, dHPrevOff: number,
                  B: number, H: number): void;
  activationForward(x: Floats, xOff: number, n: number, relu: boolean): void;
  activationBackward(y: Floats, yOff: number, dH: Floats, dHOff: number, dPre: Floats, dPreOff: number, n: number,
                     relu: boolean): void;
  softmaxCrossEntropy: Kernels['softmaxCrossEntropy'];
  mul: Kernels['mul'];
  axpy: Kernels['axpy'];
  scale: Kernels['scale'];
  sumSquares: Kernels['sumSquares'];
  adam(values: Floats, grads: Floats, m: Floats, v: Floats, n: number, lr: number, beta1: number, beta2: number, eps: number,
       l2: number, shrink: number, correction1: number, correction2: number): void;
  /** Threads a large gemm may use (1 or 2); returns the number in effect. */
  setThreads(threads: number): number;
  /** Float lanes per SIMD vector of this variant: 16 = AVX-512, 8 = AVX2, 4 = SSE / portable. */
  vectorWidth(): number;
}

/** The module itself: the default variant's kernels plus what dispatch.cc adds. */
interface NativeModule extends NativeAddon {
  /** The instruction-set variant these kernels were compiled for: 'avx512', 'avx2' or 'portable'. */
  readonly isa: string;
  /** 'prebuilt' (from prebuilds/, made by scripts/prebuild.mjs) or 'source' (compiled at install). */
  readonly origin: string;
  /** Another variant's kernels; throws if the CPU does not run it. */
  variant(isa: string): NativeAddon & { readonly isa: string };
  /** The variants this CPU runs, fastest first. */
  supportedVariants(): string[];
}

/** What `charlm info --kernels` and the benchmarks show about the native kernel. */
export interface NativeKernelInfo {
  /** The instruction set of the variant in use, and every variant this CPU could run, fastest first. */
  isa: string;
  supported: string[];
  vectorWidth: number;
  gemmThreads: number;
  origin: string;
}

// The compiled file is dist/src/tensor/native-kernels.js, so the package root is three directories up.
const addonPath = fileURLToPath(new URL('../../../build/Release/charlm_native.node', import.meta.url));

let loaded: { addon: NativeModule; kernels: Kernels } | null | undefined;
let loadProblem: string | null = null;
const variants = new Map<string, Kernels>();
let gemmThreads = 1;

function loadAddon(): { addon: NativeModule; kernels: Kernels } | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (!existsSync(addonPath)) {
    loadProblem = 'not installed (npm run native:build builds it where a C++ compiler exists)';
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(addonPath) as NativeModule;
    if (typeof addon.variant !== 'function') {
      loadProblem = 'out of date (built before native/dispatch.cc): run npm run native:build';
      return loaded;
    }
    loaded = { addon, kernels: wrap(addon) };
  } catch (err) {
    // A binary for another platform or C library, or CHARLM_NATIVE_ISA naming a variant this CPU lacks, refuses to load;
    // the WebAssembly kernel takes over.
    loadProblem = `does not load: ${String((err as Error).message ?? err).split('\n')[0].slice(0, 200)}`;
  }
  return loaded;
}

/** Why the native kernel is not available (not installed, or the error loading it), or null when it is. */
export function nativeKernelProblem(): string | null {
  return loadAddon() === null ? loadProblem : null;
}

function wrap(addon: NativeAddon): Kernels {
  return {
    name: 'native',
    dtype: 'f32',
    alloc: (length: number) => new Float32Array(length),
    release: () => {},  // the garbage collector reclaims it
    gemm: addon.gemm,
    packB(transB, k, n, b, bOff, ldb, reuse) {
      const fits = reuse?.panels != null && reuse.k === k && reuse.n === n;
      const panels = fits ? reuse.panels! : addon.allocPacked(k, n);
      addon.packB(transB, k, n, b, bOff, ldb, panels);
      return { transB, k, n, b, bOff, ldb, panels };
    },
    gemmPacked: (m, alpha, a, aOff, lda, p, beta, c, cOff, ldc) => {
      if (p.panels === null) gemmInPlace(addon.gemm, m, alpha, a, aOff, lda, p, beta, c, cOff, ldc);
      else addon.gemmPacked(m, p.n, p.k, alpha, a, aOff, lda, p.transB, p.b, p.bOff, p.ldb, p.panels, beta, c, cOff, ldc);
    },
    addRowVector: addon.addRowVector,
    sumRows: addon.sumRows,
    gatherColumns: addon.gatherColumns,
    scatterAddColumns: addon.scatterAddColumns,
    // Unpacking the named arguments here costs a few nanoseconds; reading them by name in C++ (napi_get_named_property)
    // would cost about a microsecond per call, which decoding pays every character.
    lstmCellForward: ({ B, H, gates, gatesOff, cPrev, cPrevOff, c, cOff, h, hOff }) =>
      addon.lstmCellForward(gates, gatesOff, cPrev, cPrevOff, c, cOff, h, hOff, B, H),
    lstmCellBackward: ({ B, H, gates, gatesOff, cPrev, cPrevOff, c, cOff, dH, dHOff, dC, dCOff, dGates, dGatesOff }) =>
      addon.lstmCellBackward(gates, gatesOff, cPrev, cPrevOff, c, cOff, dH, dHOff, dC, dCOff, dGates, dGatesOff, B, H),
    gruCellForward: ({ B, H, gx, gxOff, gh, ghOff, hPrev, hPrevOff, h, hOff }) =>
      addon.gruCellForward(gx, gxOff, gh, ghOff, hPrev, hPrevOff, h, hOff, B, H),
    gruCellBackward: ({ B, H, gx, gxOff, gh, ghOff, hPrev, hPrevOff, dH, dHOff, dGx, dGxOff, dGh, dGhOff, dHPrev, dHPrevOff }) =>
      addon.gruCellBackward(gx, gxOff, gh, ghOff, hPrev, hPrevOff, dH, dHOff, dGx, dGxOff, dGh, dGhOff, dHPrev, dHPrevOff, B, H),
    activationForward: ({ kind, n, x, xOff }) => addon.activationForward(x, xOff, n, kind === 'relu'),
    activationBackward: ({ kind, n, y, yOff, dH, dHOff, dPre, dPreOff }) =>
      addon.activationBackward(y, yOff, dH, dHOff, dPre, dPreOff, n, kind === 'relu'),
    softmaxCrossEntropy: (logits: Floats, lOff: number, rows: number, V: number, targets: Ids, tOff: number,
                          dLogits: Floats | null, dOff: number, gradScale: number) =>
      addon.softmaxCrossEntropy(logits, lOff, rows, V, targets, tOff, dLogits, dOff, gradScale),
    mul: addon.mul,
    axpy: addon.axpy,
    scale: addon.scale,
    sumSquares: addon.sumSquares,
    adam: ({ n, values, grads, m, v, lr, beta1, beta2, eps, l2, shrink, correction1, correction2 }) =>
      addon.adam(values, grads, m, v, n, lr, beta1, beta2, eps, l2, shrink, correction1, correction2),
  };
}

/**
 * The native float32 kernels, or null when the addon was not built or does not load here. Loaded once and cached.
 * They take Float32Array buffers only (a Float64Array throws a TypeError) and check every access against buffer bounds.
 * `isa` asks for one variant (see nativeKernelInfo().supported); by default the fastest this CPU runs, or the one
 * CHARLM_NATIVE_ISA names.
 */
export function loadNativeKernels(isa?: string): Kernels | null {
  const native = loadAddon();
  if (native === null || isa === undefined || isa === native.addon.isa) return native?.kernels ?? null;
  let kernels = variants.get(isa);
  if (kernels === undefined) variants.set(isa, kernels = wrap(native.addon.variant(isa)));
  return kernels;
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
  if (native === null) return null;
  const { addon } = native;
  return { isa: addon.isa, supported: addon.supportedVariants(), vectorWidth: addon.vectorWidth(), gemmThreads,
    origin: addon.origin };
}
