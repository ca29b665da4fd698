// Small SavedModels built in the test from parameterShapes (no dependency on the model code), and a file writer for them.

import { writeFile } from 'node:fs/promises';
import { parameterShapes, sizeOf, validateModelConfig, type Cell } from '../../src/config/model-config.js';
import type { SavedModel, Tensor, TrainingRecord } from '../../src/model-file/format.js';
import { serializeModel } from '../../src/model-file/write.js';
import { Rng } from '../../src/tensor/rng.js';
import { Vocab } from '../../src/text/vocab.js';

/** Finite float32 values from random bit patterns, plus the awkward ones: -0, denormals, the largest and smallest. */
export function awkwardFloats(n: number, rng: Rng): Float32Array {
  const bits = new Uint32Array(n);
  const special = [0x80000000, 0x00000001, 0x807fffff, 0x7f7fffff, 0xff7fffff, 0x00800000, 0x3f800000, 0x00000000];
  for (let i = 0; i < n; i++) {
    let b = i < special.length ? special[i]! : (rng.int(0x10000) * 0x10000 + rng.int(0x10000)) >>> 0;
    if (((b >>> 23) & 0xff) === 0xff) b &= 0xbfffffff; // exponent all ones is NaN/Infinity: clear one exponent bit
    bits[i] = b;
  }
  return new Float32Array(bits.buffer);
}

export const TRAINING: TrainingRecord = {
  steps: 120, charsSeen: 9600, epochs: 1.5, bestValLoss: 1.25, lastTrainLoss: 1.3, lastValLoss: 1.27, seed: 42,
  startedAt: '2025-01-01T10:00:00.000Z', updatedAt: '2025-01-01T10:05:00.000Z', elapsedMs: 300000,
  corpus: { name: 'tiny.txt', sha256: 'ab'.repeat(32), chars: 6400 }, trainConfig: { batchSize: 4, bpttLength: 16 },
};

export function makeModel(opts: { cell?: Cell; layers?: number; hiddenSize?: number; seed?: number; resume?: boolean } = {}): SavedModel {
  const vocab = Vocab.fromText('hello, wörld 😀\n');
  const config = validateModelConfig({
    cell: opts.cell ?? 'lstm', numLayers: opts.layers ?? 2, hiddenSize: opts.hiddenSize ?? 3, dropout: 0.1, vocabSize: vocab.size,
  });
  const rng = Rng.fromSeed(opts.seed ?? 1);
  const weights = new Map<string, Tensor>();
  for (const spec of parameterShapes(config)) {
    weights.set(spec.name, { shape: [...spec.shape], data: awkwardFloats(sizeOf(spec.shape), rng) });
  }
  const resume = opts.resume === false ? null : {
    state: { kind: 'test-state', step: 120, rng: { c: 1, s0: 0.25 } },
    tensors: new Map<string, Tensor>([
      ['optimizer.m', { shape: [5], data: Float32Array.of(0, -0, 1e-40, Number.NaN, 3) }], // NaN allowed outside weights
      ['state.h_l0', { shape: [2, 3], data: awkwardFloats(6, rng) }],
    ]),
  };
  return { config, vocab, weights, training: { ...TRAINING }, resume };
}

/** The model's file text as a JSON value, for tests that damage one field. */
export function modelJson(model: SavedModel): Record<string, any> {
  return JSON.parse(serializeModel(model).join('')) as Record<string, any>;
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(value));
}

export function base64Floats(values: number[]): string {
  const f = Float32Array.from(values);
  return Buffer.from(f.buffer).toString('base64');
}
