// Writing a model file: SavedModel → JSON text (float32 arrays as little-endian base64) → an atomic write
// (temporary file in the same folder, fsync, rename), so a crash or Ctrl-C never leaves a half-written model.

import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parameterShapes, sizeOf } from '../config/model-config.js';
import { ModelFileError } from '../errors.js';
import { FORMAT_VERSION, MODEL_FORMAT, charlmVersion, type SavedModel, type Tensor } from './format.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The raw bytes of `data` as little-endian float32, base64-encoded: exact, including -0, NaN payloads and denormals. */
export function encodeFloat32(data: Float32Array): string {
  if (LITTLE_ENDIAN) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  const bytes = Buffer.alloc(data.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return bytes.toString('base64');
}

function checkTensor(kind: string, name: string, t: Tensor, expected: readonly number[] | null): void {
  if (!(t.data instanceof Float32Array)) throw new ModelFileError(`cannot save: ${kind} "${name}" is not a Float32Array`);
  if (expected !== null && (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i]))) {
    throw new ModelFileError(`cannot save: ${kind} "${name}" has shape [${t.shape.join(', ')}], expected [${expected.join(', ')}]`);
  }
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || sizeOf(t.shape) !== t.data.length) {
    throw new ModelFileError(`cannot save: ${kind} "${name}" has ${t.data.length} values but shape [${t.shape.join(', ')}]`);
  }
}

function tensorLine(name: string, t: Tensor): string {
  return `${JSON.stringify(name)}: {"shape": ${JSON.stringify(t.shape)}, "dtype": "float32", "data": "${encodeFloat32(t.data)}"}`;
}

/**
 * The file's text as a list of pieces (so no single string has to hold a large model). The metadata comes first, one
 * field per line, so `head model.json` shows it; each tensor is one line. Throws ModelFileError for a model that the
 * reader would refuse (wrong weights, non-finite values), so nothing unreadable is ever written.
 */
export function serializeModel(model: SavedModel, savedAt: Date = new Date()): string[] {
  const expected = parameterShapes(model.config);
  if (model.vocab.size !== model.config.vocabSize) {
    throw new ModelFileError(`cannot save: the vocabulary has ${model.vocab.size} symbols but config.vocabSize is ${model.config.vocabSize}`);
  }
  for (const spec of expected) {
    const t = model.weights.get(spec.name);
    if (t === undefined) throw new ModelFileError(`cannot save: weight "${spec.name}" is missing`);
    checkTensor('weight', spec.name, t, spec.shape);
    const bad = t.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new ModelFileError(`cannot save: weight "${spec.name}" has ${t.data[bad]} at index ${bad}`);
  }
  const names = new Set(expected.map((s) => s.name));
  for (const name of model.weights.keys()) {
    if (!names.has(name)) throw new ModelFileError(`cannot save: unexpected weight "${name}"`);
  }
  const pieces: string[] = [
    '{\n',
    `  "format": ${JSON.stringify(MODEL_FORMAT)},\n`,
    `  "version": ${FORMAT_VERSION},\n`,
    `  "createdBy": ${JSON.stringify(`charlm ${charlmVersion()}`)},\n`,
    `  "savedAt": ${JSON.stringify(savedAt.toISOString())},\n`,
    `  "config": ${JSON.stringify(model.config)},\n`,
    `  "vocab": ${JSON.stringify(model.vocab.toJSON())},\n`,
    `  "training": ${JSON.stringify(model.training)},\n`,
    '  "weights": {\n',
  ];
  expected.forEach((spec, i) => {
    pieces.push(`    ${tensorLine(spec.name, model.weights.get(spec.name)!)}${i + 1 < expected.length ? ',' : ''}\n`);
  });
  pieces.push('  },\n');
  if (model.resume === null) {
    pieces.push('  "resume": null\n');
  } else {
    pieces.push(`  "resume": {\n    "state": ${JSON.stringify(model.resume.state)},\n    "tensors": {\n`);
    const tensors = [...model.resume.tensors];
    tensors.forEach(([name, t], i) => {
      checkTensor('resume tensor', name, t, null);
      pieces.push(`      ${tensorLine(name, t)}${i + 1 < tensors.length ? ',' : ''}\n`);
    });
    pieces.push('    }\n  }\n');
  }
  pieces.push('}\n');
  return pieces;
}

/** Temporary files being written right now, so that a forced exit can remove them (removeUnfinishedWrites). */
const unfinished = new Set<string>();

const TEMPORARY = /^\.(.+)\.\d+\.[0-9a-f]{8}\.tmp$/;

/** Where the atomic write of `path` puts its data first: `.NAME.PID.RANDOM.tmp` in the same folder. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** For a file name made by temporaryPathFor: the name of the file it was to become; otherwise null. */
export function isTemporaryFileOf(name: string): string | null {
  return TEMPORARY.exec(name)?.[1] ?? null;
}

/** Deletes the temporary files of writes still in progress; for an exit that cannot wait for them (a second Ctrl-C). */
export function removeUnfinishedWrites(): void {
  for (const tmp of unfinished) {
    try {
      unlinkSync(tmp);
    } catch { /* renamed or removed already */ }
  }
  unfinished.clear();
}

/** Writes `pieces` to `path` atomically: a temporary file beside it, fsync, then rename over the target. */
export async function writeFileAtomic(path: string, pieces: readonly (string | Uint8Array)[]): Promise<void> {
  const tmp = temporaryPathFor(path);
  let handle: FileHandle | null = null;
  unfinished.add(tmp);
  try {
    await mkdir(dirname(path), { recursive: true });
    handle = await open(tmp, 'wx');
    for (const piece of pieces) await (typeof piece === 'string' ? handle.write(piece) : handle.write(piece));
    await handle.sync(); // the data must be on disk before the rename makes it the model
    await handle.close();
    handle = null;
    await rename(tmp, path);
  } catch (err) {
    if (handle !== null) await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ModelFileError(`cannot save the model to ${path}: ${describeWriteError(reason, err)}`,
      { cause: err, hint: `the file that was at ${path}, if any, is unchanged` });
  } finally {
    unfinished.delete(tmp);
  }
}

/** A failed write's errno code in words. */
export function describeWriteError(code: string, err: unknown): string {
  switch (code) {
    case 'EACCES': case 'EPERM': case 'EROFS': return 'permission denied';
    case 'ENOSPC': case 'EDQUOT': return 'no space left on the device';
    case 'EFBIG': return 'the file is larger than this system allows (ulimit -f)';
    case 'EISDIR': case 'ENOTEMPTY': case 'EEXIST': return 'a directory is in the way';
    case 'ENOTDIR': return 'a file is in the way of the folder';
    default: return (err as Error).message;
  }
}

/** Serializes first (a bad model throws before any file is touched), then writes atomically. */
export async function saveModel(path: string, model: SavedModel): Promise<void> {
  await writeFileAtomic(path, serializeModel(model));
}
