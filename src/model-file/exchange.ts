// A charlm model as a safetensors file and back: the weights under their PyTorch names (parameterShapes), the config and
// vocabulary as JSON strings in "__metadata__", and no training state. The container itself is safetensors.ts.

import { constants as bufferConstants } from 'node:buffer';
import {
  CELLS, gateCount, parameterShapes, recurrentModuleName, sizeOf, validateModelConfig, type Cell, type ModelConfig,
} from '../config/model-config.js';
import { CharlmError, ModelFileError } from '../errors.js';
import { Vocab } from '../text/vocab.js';
import { MAX_MODEL_FILE_BYTES, type SavedModel, type Tensor } from './format.js';
import { quoteUntrusted, serializeSafetensors, toFloat32, type SafetensorsEntry, type SafetensorsSource } from './safetensors.js';

/** "__metadata__" of an export: what the file is, and the model file's "config" and "vocab" fields as JSON text. */
export const EXPORT_FORMAT = 'charlm';
export const EXPORT_VERSION = '1';
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];
const META = { format: 'format', version: 'version', config: 'config', vocab: 'vocab' } as const;

/** The safetensors bytes of a model: weights in parameterShapes order, float32. Training state is left out. */
export function exportSafetensors(model: SavedModel): Uint8Array[] {
  const tensors = parameterShapes(model.config).map((spec) => {
    const t = model.weights.get(spec.name);
    if (t === undefined) throw new ModelFileError(`cannot export: weight "${spec.name}" is missing`);
    return { name: spec.name, shape: [...spec.shape], data: t.data };
  });
  const metadata = new Map<string, string>([
    [META.format, EXPORT_FORMAT],
    [META.version, EXPORT_VERSION],
    [META.config, JSON.stringify(model.config)],
    [META.vocab, JSON.stringify(model.vocab.toJSON())],
  ]);
  return serializeSafetensors(tensors, metadata);
}

export interface ImportOptions {
  /** The vocabulary of a file whose metadata has none. */
  readonly vocab?: Vocab;
  /** For a file without a charlm config: the cell, where the names leave it open (rnn or rnn-relu). */
  readonly cell?: Cell;
}

/** Reads a checked safetensors file into a model (training null, resume null). Throws ModelFileError naming the problem. */
export async function importSafetensors(file: SafetensorsSource, opts: ImportOptions = {}): Promise<SavedModel> {
  const label = file.label;
  const fail = (message: string, hint?: string): never => { throw new ModelFileError(`${label} ${message}`, hint === undefined ? {} : { hint }); };
  const { metadata, entries } = file.header;
  const format = metadata.get(META.format);
  if (format !== undefined && format !== EXPORT_FORMAT) fail(`has metadata "format" ${quoteUntrusted(format)}, not "${EXPORT_FORMAT}"`);
  const version = metadata.get(META.version);
  if (format !== undefined && version !== EXPORT_VERSION) {
    fail(`was exported in charlm's safetensors layout version ${quoteUntrusted(String(version))}; this charlm reads ${EXPORT_VERSION}`,
      'upgrade charlm to read it');
  }
  if (opts.cell !== undefined && metadata.has(META.config)) fail('names its cell in its metadata; --cell is for files without a config');
  const config = metadata.has(META.config) ? configFromMetadata(metadata.get(META.config)!, fail) : inferConfig(entries, opts.cell, fail);
  const vocab = vocabFor(metadata, opts.vocab, fail);
  if (vocab.size !== config.vocabSize) {
    fail(`does not fit its vocabulary: the weights are for ${config.vocabSize} symbols, the vocabulary has ${vocab.size}` +
      `${vocab.lineMode ? ' (line mode adds 2)' : ''}`);
  }
  checkTensors(entries, config, fail);
  return { config, vocab, weights: await readWeights(file, config), training: null, resume: null };
}

/** A message that quotes file contents, cut short. */
const cut = (message: string): string => (message.length > 200 ? `${message.slice(0, 200)}…` : message);

/** JSON.parse of a metadata string, refusing keys that could reach a prototype (as read.ts does for model files). */
function parseJson(text: string, what: string, fail: (m: string) => never): unknown {
  let forbidden: string | null = null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key: string, value: unknown) => {
      if (FORBIDDEN_KEYS.includes(key)) forbidden ??= key;
      return value;
    });
  } catch {
    return fail(`has metadata "${what}" that is not JSON`);
  }
  if (forbidden !== null) fail(`has metadata "${what}" with the key "${forbidden}", which no charlm model has`);
  return parsed;
}

function configFromMetadata(text: string, fail: (m: string) => never): ModelConfig {
  const json = parseJson(text, META.config, fail);
  try {
    return validateModelConfig(json);
  } catch (err) {
    if (err instanceof CharlmError) fail(`has a bad "config" in its metadata: ${cut(err.message)}`);
    throw err;
  }
}

function vocabFor(metadata: ReadonlyMap<string, string>, given: Vocab | undefined, fail: (m: string, hint?: string) => never): Vocab {
  const text = metadata.get(META.vocab);
  if (text === undefined) {
    return given ?? fail('has no vocabulary in its metadata', 'give the training text with --vocab FILE, and --line-mode if the model was trained so');
  }
  if (given !== undefined) fail('has its own vocabulary in its metadata; --vocab is for files without one');
  const json = parseJson(text, META.vocab, fail);
  try {
    return Vocab.fromJSON(json);
  } catch (err) {
    if (err instanceof CharlmError) fail(`has a bad vocabulary in its metadata: ${cut(err.message)}`);
    throw err;
  }
}

/**
 * The config of a file PyTorch wrote without charlm's metadata, from its tensor names and shapes: the module name gives
 * the cell, the highest "_l{k}" the layers, weight_hh_l0 the hidden size (rows = gates × H), weight_hr_l0 (if any) the
 * projection, the decoder the vocabulary.
 * Dropout is not in the weights and is taken as 0. The shapes are then checked against parameterShapes like any file's.
 */
function inferConfig(entries: readonly SafetensorsEntry[], cell: Cell | undefined, fail: (m: string, hint?: string) => never): ModelConfig {
  const modules = [...new Set(CELLS.map(recurrentModuleName))];
  const found = modules.filter((m) => entries.some((e) => e.name.startsWith(`${m}.`)));
  if (found.length !== 1) {
    fail(`has no charlm config in its metadata, and its tensor names do not say the cell (expected names starting with one of ${modules.map((m) => `"${m}."`).join(', ')})`);
  }
  const cells = CELLS.filter((c) => recurrentModuleName(c) === found[0]);
  if (cell !== undefined && !cells.includes(cell)) fail(`holds "${found[0]}." tensors, which --cell ${cell} does not have`);
  const chosen = cell ?? cells[0]!;
  const layerOf = (e: SafetensorsEntry): number => Number(/_l(\d+)$/.exec(e.name)?.[1] ?? -1);
  const numLayers = 1 + entries.filter((e) => e.name.startsWith(`${found[0]}.weight_ih_l`)).reduce((m, e) => Math.max(m, layerOf(e)), -1);
  const hh = entries.find((e) => e.name === `${found[0]}.weight_hh_l0`);
  const bias = entries.find((e) => e.name === 'decoder.bias');
  if (hh === undefined || hh.shape.length !== 2) return fail(`has no 2-dimensional "${found[0]}.weight_hh_l0" to take the hidden size from`);
  if (bias === undefined || bias.shape.length !== 1) return fail('has no 1-dimensional "decoder.bias" to take the vocabulary size from');
  // nn.LSTM(proj_size=P) adds weight_hr_l{k} of shape (P, H).
  const projSize = entries.find((e) => e.name === `${found[0]}.weight_hr_l0`)?.shape[0];
  try {
    return validateModelConfig({ cell: chosen, numLayers, hiddenSize: hh.shape[0]! / gateCount(chosen), dropout: 0,
      vocabSize: bias.shape[0], ...(projSize === undefined ? {} : { projSize }) });
  } catch (err) {
    if (err instanceof CharlmError) fail(`has shapes that make no charlm model: ${err.message}`);
    throw err;
  }
}

/** Exactly the config's tensors, with its shapes, in a dtype charlm reads, small enough for a model file. */
function checkTensors(entries: readonly SafetensorsEntry[], config: ModelConfig, fail: (m: string, hint?: string) => never): void {
  const specs = parameterShapes(config);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const what = `a ${config.numLayers}-layer ${config.cell} of ${config.hiddenSize} units`;
  for (const e of entries) {
    if (!specs.some((s) => s.name === e.name)) fail(`has a tensor ${quoteUntrusted(e.name)} that is not part of ${what}`);
  }
  for (const spec of specs) {
    const e = byName.get(spec.name);
    if (e === undefined) return fail(`lacks the tensor "${spec.name}" of ${what}`);
    if (e.shape.length !== spec.shape.length || e.shape.some((d, i) => d !== spec.shape[i])) {
      fail(`has tensor "${spec.name}" of shape [${e.shape.join(', ')}]; ${what} needs [${spec.shape.join(', ')}]`);
    }
  }
  // A model file holds each weight as base64 text (4/3 of its bytes), and must stay readable (read.ts's limit).
  const limit = Math.min(MAX_MODEL_FILE_BYTES, bufferConstants.MAX_STRING_LENGTH);
  const textBytes = specs.reduce((n, s) => n + Math.ceil((4 * sizeOf(s.shape)) / 3) * 4, 0);
  if (textBytes > limit) fail(`holds a model too large for a charlm model file (about ${textBytes} bytes of weights; at most ${limit})`);
}

async function readWeights(file: SafetensorsSource, config: ModelConfig): Promise<Map<string, Tensor>> {
  const byName = new Map(file.header.entries.map((e) => [e.name, e]));
  const weights = new Map<string, Tensor>();
  for (const spec of parameterShapes(config)) {
    const entry = byName.get(spec.name)!;
    const data = toFloat32(entry, await file.bytes(entry), file.label);
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new ModelFileError(`${file.label} has ${data[bad]} in tensor "${spec.name}" at index ${bad}; a model's weights must be finite`);
    weights.set(spec.name, { shape: [...spec.shape], data });
  }
  return weights;
}
