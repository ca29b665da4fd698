// The model file format: its name and version, the in-memory SavedModel, and the JSON shape of each version on disk.
// Reading and checking live in read.ts, writing in write.ts; docs/model-format.md describes every field for people.

import { readFileSync } from 'node:fs';
import type { ModelConfig } from '../config/model-config.js';
import type { Vocab, VocabJSON } from '../text/vocab.js';

export const MODEL_FORMAT = 'charlm-model';
/** The version this charlm writes, and the newest it reads. */
export const FORMAT_VERSION = 1;
/**
 * Files above this size are refused before reading. Besides the 2 GiB cap, V8 cannot hold a string longer than
 * about 2^29 characters, and JSON.parse needs the whole file as one string.
 */
export const MAX_MODEL_FILE_BYTES = 2 * 1024 ** 3;

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** What training has done to the model so far; null for a model that never trained (e.g. imported). */
export interface TrainingRecord {
  steps: number;
  charsSeen: number;
  epochs: number;
  /** Mean cross-entropy in nats per character on the validation text; null without validation. */
  bestValLoss: number | null;
  lastTrainLoss: number | null;
  lastValLoss: number | null;
  seed: number;
  /** ISO 8601 dates. */
  startedAt: string;
  updatedAt: string;
  elapsedMs: number;
  corpus: { name: string; sha256: string; chars: number };
  trainConfig: Record<string, unknown>;
}

/** Everything beyond the weights that an exact resume needs: counters as JSON, optimizer moments and hidden state as tensors. */
export interface ResumeState {
  state: Record<string, unknown>;
  tensors: Map<string, Tensor>;
}

/** Facts about the file a model was read from (set by loadModel, ignored by saveModel). */
export interface ModelFileInfo {
  version: number;
  createdBy: string;
  savedAt: string;
  bytes: number;
}

export interface SavedModel {
  config: ModelConfig;
  vocab: Vocab;
  /** Keyed and ordered as parameterShapes(config). */
  weights: Map<string, Tensor>;
  training: TrainingRecord | null;
  resume: ResumeState | null;
  file?: ModelFileInfo;
}

// ---- On disk, version 1 ----

export interface TensorJSONv1 {
  shape: number[];
  dtype: 'float32';
  /** Base64 of the values as little-endian IEEE 754 float32, row-major. */
  data: string;
}

export interface ModelFileJSONv1 {
  format: typeof MODEL_FORMAT;
  version: 1;
  createdBy: string;
  savedAt: string;
  config: ModelConfig;
  vocab: VocabJSON;
  training: TrainingRecord | null;
  weights: Record<string, TensorJSONv1>;
  resume: null | { state: Record<string, unknown>; tensors: Record<string, TensorJSONv1> };
}

export const TOP_LEVEL_FIELDS_V1: readonly (keyof ModelFileJSONv1)[] =
  ['format', 'version', 'createdBy', 'savedAt', 'config', 'vocab', 'training', 'weights', 'resume'];

let cachedVersion: string | undefined;

/** charlm's version from package.json, read at run time (dist/src/model-file/ and src/model-file/ are 3 levels deep). */
export function charlmVersion(): string {
  if (cachedVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      cachedVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}
