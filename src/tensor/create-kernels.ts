// Picks the fastest Kernels implementation available for a dtype; the reference kernels are always there.

import type { DType } from './floats.js';
import type { Kernels } from './kernels.js';
import { createReferenceKernels } from './reference-kernels.js';
import { loadNativeKernels } from './native-kernels.js';
import { loadWasmKernels } from './wasm/wasm-kernels.js';

export const KERNEL_CHOICES = ['auto', 'native', 'wasm', 'reference'] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

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
