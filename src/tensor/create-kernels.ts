// Picks the fastest Kernels implementation available for a dtype; the reference kernels are always there.

import type { DType } from './floats.js';
import type { Kernels } from './kernels.js';
import { createReferenceKernels } from './reference-kernels.js';
import { loadNativeKernels } from './native-kernels.js';

export type KernelChoice = 'auto' | 'reference' | 'native';

/** 'auto' takes the native kernel where it was built (float32 only) and the reference kernels otherwise. */
export function createKernels(dtype: DType, choice: KernelChoice = 'auto'): Kernels {
  if (dtype === 'f32' && choice !== 'reference') {
    const native = loadNativeKernels();
    if (native !== null) return native;
  }
  return createReferenceKernels(dtype);
}
