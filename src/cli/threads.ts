// The --threads flag: how many cores the native matrix products may use (the native kernel supports 1 or 2).

import { availableParallelism } from 'node:os';
import { Option } from 'commander';
import { setNativeGemmThreads } from '../tensor/native-kernels.js';
import { positiveInt } from './flags.js';

/** Training and scoring gain from a second core; one-row decoding steps do not. */
export function threadsOption(defaultThreads: 'auto' | 1): Option {
  const what = defaultThreads === 'auto' ? 'default: 2 where the machine has two cores' : 'default: 1';
  return new Option('--threads <n>', `threads for the matrix products, 1 or 2 (${what}); results are reproducible for a given value`)
    .argParser(positiveInt);
}

export function applyThreads(requested: number | undefined, defaultThreads: 'auto' | 1): void {
  const threads = requested ?? (defaultThreads === 'auto' ? Math.min(2, availableParallelism()) : 1);
  setNativeGemmThreads(Math.min(threads, 2));
}
