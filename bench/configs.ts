// The benchmark's standard configurations (S, M, L) and the FLOP count per training character; no timing here.

import { gateCount, type Cell } from '../src/config/model-config.js';

export type BenchConfigName = 'S' | 'M' | 'L';
export const BENCH_CONFIG_NAMES: readonly BenchConfigName[] = ['S', 'M', 'L'];

/** One standard configuration: the model's shape and the chunk trained per step (T characters of B streams). */
export interface BenchConfig {
  readonly name: BenchConfigName;
  readonly cell: Cell;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly bpttLength: number;
  readonly batchSize: number;
}

/** Shared by every configuration (and by bench/torch_ref.py): Adam at 2e-3, global-norm clip 5, state carried. */
export const TRAINING = { learningRate: 2e-3, gradClip: 5, valFrac: 0.1, seed: 1 } as const;

export const BENCH_CONFIGS: Readonly<Record<BenchConfigName, BenchConfig>> = {
  S: { name: 'S', cell: 'lstm', numLayers: 1, hiddenSize: 128, bpttLength: 64, batchSize: 32 },
  M: { name: 'M', cell: 'lstm', numLayers: 2, hiddenSize: 256, bpttLength: 64, batchSize: 32 },
  L: { name: 'L', cell: 'lstm', numLayers: 2, hiddenSize: 512, bpttLength: 128, batchSize: 64 },
};

/** What REFERENCE.md gives for tinyshakespeare (V = 65), to check our count against: S 0.64 M, M 5.2 M, L 19.9 M. */
export const REFERENCE_FLOPS_PER_CHAR: Readonly<Record<BenchConfigName, number>> = { S: 0.64e6, M: 5.2e6, L: 19.9e6 };

/**
 * Floating-point operations per training character (one time step of one stream), forward and backward, counted from the
 * matrix products alone, as PyTorch's profilers and papers count them:
 *   forward, per layer: x·W_ihᵀ is 2·G·D, h·W_hhᵀ is 2·G·H (G = gates·H, D = V for layer 0, else H); decoder 2·V·H.
 *   backward: every product has two (the gradient with respect to its input and to its weight), so twice the forward.
 * Layer 0's one-hot input counts as a full 2·G·V product, as PyTorch's nn.LSTM multiplies it, even though charlm does a
 * column lookup there; elementwise work (gates, softmax, Adam) is left out. So the figure compares like with like.
 */
export function flopsPerChar(config: Pick<BenchConfig, 'cell' | 'numLayers' | 'hiddenSize'>, vocabSize: number): number {
  const H = config.hiddenSize;
  const G = gateCount(config.cell) * H;
  let forward = 0;
  for (let l = 0; l < config.numLayers; l++) {
    const D = l === 0 ? vocabSize : H;
    forward += 2 * G * D + 2 * G * H;
  }
  forward += 2 * vocabSize * H;
  return 3 * forward;
}

/** Parses "S,M" into configuration names; throws on anything else. */
export function parseConfigList(list: string): BenchConfigName[] {
  const names = list.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
  for (const n of names) {
    if (!(BENCH_CONFIG_NAMES as readonly string[]).includes(n)) {
      throw new Error(`unknown configuration "${n}" (choose from ${BENCH_CONFIG_NAMES.join(', ')})`);
    }
  }
  if (names.length === 0) throw new Error('no configuration given');
  return [...new Set(names)] as BenchConfigName[];
}
