// The --threads flag: how many cores the native matrix products may use (the native kernel supports 1 or 2).

import { Option } from 'commander';
import { setThreads } from '../tensor/threads.js';
import { positiveInt } from './flags.js';

/**
 * Every command gains from a second core: training and scoring split their large products, and decoding splits each
 * step's weight matrices so that each core streams (and caches) half of them.
 */
export function threadsOption(): Option {
  return new Option('--threads <n>',
    'threads for the matrix products, 1 or 2 (default: 2 where the machine has two cores); results are reproducible for a given value')
    .argParser(positiveInt);
}

export function applyThreads(requested: number | undefined): void {
  setThreads(requested);
}
