// How many cores the native matrix products use: the setting behind the CLI's --threads, for library users too.

import { availableParallelism } from 'node:os';
import { setNativeGemmThreads } from './native-kernels.js';

/** The native kernel supports one or two threads. */
export const MAX_THREADS = 2;

/**
 * Sets the threads of the native kernel's matrix products: `requested`, or two where the machine has two cores, at most
 * MAX_THREADS. Results are reproducible for a given value. Returns the number in effect, or null without the native kernel.
 */
export function setThreads(requested?: number): number | null {
  const threads = requested ?? Math.min(MAX_THREADS, availableParallelism());
  return setNativeGemmThreads(Math.min(threads, MAX_THREADS));
}
