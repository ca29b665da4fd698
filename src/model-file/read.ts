// Reading a model file as untrusted input: size limit, safe JSON, then every field checked (format, version, config,
// vocabulary, weight names, shapes, base64, finiteness, training record, resume tensors), each failure with its own message.

import { readFile } from 'node:fs/promises';
import { constants as bufferConstants } from 'node:buffer';
import { parameterShapes, sizeOf, validateModelConfig, type ModelConfig } from '../config/model-config.js';
import { CharlmError, ModelFileError } from '../errors.js';
import { fileSize, readErrorMessage } from '../file-size.js';
import { describeValue, quote, safeText } from '../text/quote.js';
import { Vocab } from '../text/vocab.js';
import {
  FORMAT_VERSION, MAX_MODEL_FILE_BYTES, MODEL_FORMAT, TOP_LEVEL_FIELDS_V1,
  type ResumeState, type SavedModel, type Tensor, type TrainingRecord,
} from './format.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isLossOrNull = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));

/** A model file's contents checked one piece at a time; `fail` names the file in every message. */
class Checker {
  constructor(readonly label: string, readonly fileBytes: number) {}

  fail(message: string, hint?: string): never {
    throw new ModelFileError(`${this.label} ${message}`, hint === undefined ? {} : { hint });
  }

  /** A float32 tensor from its JSON encoding; sizes are checked before anything is allocated. */
  tensor(where: string, value: unknown, expectedShape: readonly number[] | null, requireFinite: boolean): Tensor {
    if (!isObject(value)) this.fail(`is damaged: ${where} is not an object`);
    for (const key of Object.keys(value)) {
      if (!['shape', 'dtype', 'data'].includes(key)) this.fail(`is damaged: ${where} has an unexpected field ${quote(key)}`);
    }
    if (value.dtype !== 'float32') {
      this.fail(`is damaged: ${where} has dtype ${describeValue(value.dtype)}; only "float32" is supported`);
    }
    const shape = value.shape;
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      this.fail(`is damaged: ${where} has an invalid shape ${describeValue(shape)} (expected a list of whole numbers)`);
    }
    const dims = shape as number[];
    if (expectedShape !== null && (dims.length !== expectedShape.length || dims.some((d, i) => d !== expectedShape[i]))) {
      this.fail(`is damaged: ${where} has shape ${describeValue(dims)} but the config implies [${expectedShape.join(', ')}]`);
    }
    const count = sizeOf(dims);
    if (!Number.isSafeInteger(count * 4) || count * 4 > this.fileBytes) {
      this.fail(`is damaged: ${where} declares ${count} values (shape ${describeValue(dims)}), more than the whole file could hold`);
    }
    const data = value.data;
    if (typeof data !== 'string' || data.length % 4 !== 0 || !BASE64.test(data)) {
      this.fail(`is damaged: the data of ${where} is not valid base64`);
    }
    const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
    const byteLength = (data.length / 4) * 3 - padding;
    if (byteLength !== count * 4) {
      this.fail(`is damaged: the data of ${where} holds ${byteLength} bytes but shape ${describeValue(dims)} needs ${count * 4}`);
    }
    const out = new Float32Array(count);
    const bytes = Buffer.from(data, 'base64');
    if (LITTLE_ENDIAN) {
      new Uint8Array(out.buffer).set(bytes);
    } else {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
    }
    if (requireFinite) {
      for (let i = 0; i < count; i++) {
        if (!Number.isFinite(out[i]!)) this.fail(`is damaged: ${where} has ${out[i]} at index ${i}`);
      }
    }
    return { shape: dims, data: out };
  }

  training(value: unknown): TrainingRecord | null {
    if (value === null) return null;
    if (!isObject(value)) this.fail('is damaged: "training" must be an object or null');
    const bad = (field: string, want: string): never =>
      this.fail(`is damaged: "training.${field}" must be ${want} (got ${describeValue(value[field])})`);
    if (!isCount(value.steps)) bad('steps', 'a whole number');
    for (const f of ['charsSeen', 'epochs', 'elapsedMs']) if (!isNonNegative(value[f])) bad(f, 'a non-negative number');
    for (const f of ['bestValLoss', 'lastTrainLoss', 'lastValLoss']) if (!isLossOrNull(value[f])) bad(f, 'a number or null');
    if (typeof value.seed !== 'number' || !Number.isSafeInteger(value.seed)) bad('seed', 'an integer');
    for (const f of ['startedAt', 'updatedAt']) if (typeof value[f] !== 'string') bad(f, 'a date string');
    const corpus = value.corpus;
    if (!isObject(corpus) || typeof corpus.name !== 'string' || typeof corpus.sha256 !== 'string' || !isCount(corpus.chars)) {
      bad('corpus', 'an object {name, sha256, chars}');
    }
    if (!isObject(value.trainConfig)) bad('trainConfig', 'an object');
    const c = corpus as Json;
    return {
      steps: value.steps as number, charsSeen: value.charsSeen as number, epochs: value.epochs as number,
      bestValLoss: value.bestValLoss as number | null, lastTrainLoss: value.lastTrainLoss as number | null,
      lastValLoss: value.lastValLoss as number | null, seed: value.seed as number,
      startedAt: value.startedAt as string, updatedAt: value.updatedAt as string, elapsedMs: value.elapsedMs as number,
      corpus: { name: c.name as string, sha256: c.sha256 as string, chars: c.chars as number },
      trainConfig: value.trainConfig as Record<string, unknown>,
    };
  }

  weights(value: unknown, config: ModelConfig): Map<string, Tensor> {
    if (!isObject(value)) this.fail('is damaged: "weights" must be an object');
    const specs = parameterShapes(config);
    const weights = new Map<string, Tensor>();
    for (const spec of specs) {
      if (!(spec.name in value)) this.fail(`is damaged: weight "${spec.name}" is missing`);
    }
    const expected = new Set(specs.map((s) => s.name));
    for (const name of Object.keys(value)) {
      if (!expected.has(name)) {
        this.fail(`is damaged: unexpected weight ${quote(name)} (not part of a ${config.numLayers}-layer ${config.cell})`);
      }
    }
    for (const spec of specs) weights.set(spec.name, this.tensor(`weight "${spec.name}"`, value[spec.name], spec.shape, true));
    return weights;
  }

  resume(value: unknown): ResumeState | null {
    if (value === null) return null;
    if (!isObject(value)) this.fail('is damaged: "resume" must be an object or null');
    if (!isObject(value.state)) this.fail('is damaged: "resume.state" must be an object');
    if (!isObject(value.tensors)) this.fail('is damaged: "resume.tensors" must be an object');
    const tensors = new Map<string, Tensor>();
    for (const [name, t] of Object.entries(value.tensors)) tensors.set(name, this.tensor(`resume tensor ${quote(name)}`, t, null, false));
    return { state: value.state, tensors };
  }
}

/** JSON.parse that refuses keys which could reach an object's prototype when the data is later merged or copied. */
function parseJsonSafely(text: string, c: Checker): unknown {
  let forbidden: string | null = null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, function reviver(key: string, value: unknown) {
      if (FORBIDDEN_KEYS.has(key)) forbidden ??= key;
      return value;
    });
  } catch (err) {
    // JSON nested thousands of levels deep overflows the stack of the reviver; no charlm model nests more than five.
    if (err instanceof RangeError) c.fail('is refused: its JSON is nested far deeper than any charlm model');
    const reason = (err as Error).message;
    c.fail(`is truncated or not JSON: ${safeText(reason, 120)}`);
  }
  if (forbidden !== null) c.fail(`is refused: it contains the key "${forbidden}", which no charlm model has`);
  return parsed;
}

/** Checks the text of a model file; `label` names it in messages (the path), `bytes` is its size. */
export function parseModel(text: string, label: string, bytes: number = Buffer.byteLength(text)): SavedModel {
  const c: Checker = new Checker(label, bytes);
  if (text.trim().length === 0) c.fail('is empty, not a charlm model file');
  const doc = parseJsonSafely(text, c);
  if (!isObject(doc)) c.fail('is not a charlm model file (it holds JSON, but not an object)');
  if (doc.format !== MODEL_FORMAT) {
    c.fail(`is not a charlm model file (${'format' in doc ? `its "format" is ${describeValue(doc.format)}` : 'it has no "format" field'})`);
  }
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    c.fail(`has an invalid format version ${describeValue(version)}`);
  }
  if (version > FORMAT_VERSION) {
    c.fail(`was written by a newer charlm (format version ${version}; this charlm reads up to ${FORMAT_VERSION})`, 'upgrade charlm to read it');
  }
  for (const field of TOP_LEVEL_FIELDS_V1) if (!(field in doc)) c.fail(`is damaged: it has no "${field}" field`);
  for (const key of Object.keys(doc)) {
    if (!(TOP_LEVEL_FIELDS_V1 as readonly string[]).includes(key)) c.fail(`is damaged: unexpected field ${quote(key)}`);
  }
  if (typeof doc.createdBy !== 'string') c.fail('is damaged: "createdBy" must be a string');
  if (typeof doc.savedAt !== 'string') c.fail('is damaged: "savedAt" must be a string');

  let config: ModelConfig;
  let vocab: Vocab;
  try {
    config = validateModelConfig(doc.config);
  } catch (err) {
    if (err instanceof CharlmError) c.fail(`has a bad "config": ${safeText(err.message, 200)}`);
    throw err;
  }
  try {
    vocab = Vocab.fromJSON(doc.vocab);
  } catch (err) {
    if (err instanceof CharlmError) c.fail(`has a bad vocabulary: ${err.message}`);
    throw err;
  }
  if (vocab.size !== config.vocabSize) {
    c.fail(`is damaged: the vocabulary has ${vocab.size} symbols but "config.vocabSize" is ${config.vocabSize}`);
  }
  const training = c.training(doc.training);
  const weights = c.weights(doc.weights, config);
  const resume = c.resume(doc.resume);
  return { config, vocab, weights, training, resume,
    file: { version, createdBy: doc.createdBy, savedAt: doc.savedAt, bytes } };
}

/** Reads and checks a model file. Throws ModelFileError saying what is wrong and where. */
export async function loadModel(path: string): Promise<SavedModel> {
  const size = await fileSize(path, 'model file', ModelFileError, { what: 'model file', hint: 'train one with: charlm train FILE' });
  const limit = Math.min(MAX_MODEL_FILE_BYTES, bufferConstants.MAX_STRING_LENGTH);
  if (size > limit) {
    throw new ModelFileError(`${path} is ${size} bytes, larger than the ${limit} bytes charlm can read as a model file`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelFileError(readErrorMessage(path, err, 'model file'));
  }
  return parseModel(text, path, size);
}
