// Picks the fastest Kernels implementation available for a dtype; the reference kernels are always there.

import type { DType } from './floats.js';
import type { Kernels } from './kernels.js';
import { createReferenceKernels } from './reference-kernels.js';
import { loadNativeKernels, nativeKernelInfo, nativeKernelProblem, type NativeKernelInfo } from './native-kernels.js';
import { loadWasmKernels } from './wasm/wasm-kernels.js';

export const KERNEL_CHOICES = ['auto', 'native', 'wasm', 'reference'] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

/** Which float32 kernel 'auto' runs here and what each candidate is (`charlm info --kernels`). */
export interface KernelReport {
  /** The kernel 'auto' chooses for float32. */
  chosen: 'native' | 'wasm' | 'reference';
  /** The instruction set the chosen kernel runs, e.g. 'avx512' (native), 'simd128' (wasm), 'scalar' (reference). */
  isa: string;
  /** Float32 lanes per vector of the chosen kernel (1 for the reference kernels). */
  vectorWidth: number;
  /** The native kernel's facts, or null when it is not installed or does not load here (nativeProblem says which). */
  native: NativeKernelInfo | null;
  nativeProblem: string | null;
  wasm: boolean;
}

export function kernelReport(): KernelReport {
  const native = loadNativeKernels() === null ? null : nativeKernelInfo();
  const facts = { native, nativeProblem: nativeKernelProblem(), wasm: loadWasmKernels() !== null };
  if (native !== null) return { chosen: 'native', isa: native.isa, vectorWidth: native.vectorWidth, ...facts };
  if (facts.wasm) return { chosen: 'wasm', isa: 'simd128', vectorWidth: 4, ...facts };
  return { chosen: 'reference', isa: 'scalar', vectorWidth: 1, ...facts };
}

/**
 * 'auto' takes, for float32, the native kernel where it was built, else the WebAssembly SIMD kernel where the runtime has
 * SIMD, else the reference kernels; float64 (gradient checks) always runs on the reference kernels. Asking for a kernel
 * that is not available falls back the same way.
 */
export function createKernels(dtype: DType, choice: KernelChoice = 'auto'): Kernels {
  if (dtype === 'f32' && (choice === 'auto' || choice === 'native')) {
    const native = loadNativeKernels();
    if (native !== null) return native;
  }
  if (dtype === 'f32' && (choice === 'auto' || choice === 'wasm')) {
    const wasm = loadWasmKernels();
    if (wasm !== null) return wasm;
  }
  return createReferenceKernels(dtype);
}
