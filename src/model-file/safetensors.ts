// The safetensors container (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of JSON header
// (each tensor's dtype, shape and data offsets, plus an optional "__metadata__" of strings), then the raw little-endian
// data. Reading treats the file as hostile: every length and offset is checked against the real file size before
// anything is allocated. Knows nothing of charlm models (exchange.ts maps a model onto it).

import { open, type FileHandle } from 'node:fs/promises';
import { ModelFileError } from '../errors.js';
import { fileSize, readErrorMessage } from '../file-size.js';

/** Every dtype the format defines, with its size in bytes. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
/** The dtypes charlm reads: float32 as is, and the two 16-bit floats widened to float32 exactly. */
export type FloatDtype = 'F32' | 'F16' | 'BF16';
const READABLE: readonly string[] = ['F32', 'F16', 'BF16'] satisfies FloatDtype[];

/** The largest header read (the reference implementation's limit too); a model's header is kilobytes. */
export const MAX_HEADER_BYTES = 100_000_000;
const LENGTH_BYTES = 8;
/** Data starts at a multiple of this (the header is padded with spaces), as the reference writer does. */
const ALIGNMENT = 8;
const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const ENTRY_FIELDS = ['dtype', 'shape', 'data_offsets'];

/** One tensor as the header declares it; begin and end are byte offsets into the data that follows the header. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** The "__metadata__" strings in file order (empty when the file has none). */
  readonly metadata: ReadonlyMap<string, string>;
  /** Tensors in the order of their data. */
  readonly entries: readonly SafetensorsEntry[];
  /** File offset of the first data byte: 8 + N. */
  readonly dataStart: number;
}

/** A float32 tensor to write. */
export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** An untrusted string for an error message: at most 40 characters, controls and invisible characters escaped. */
export function quoteUntrusted(text: string): string {
  const chars = [...text];
  const shown = chars.slice(0, 40).map((ch) => (/^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}"\\]$/u.test(ch)
    ? (ch === '"' || ch === '\\' ? `\\${ch}` : `\\u{${ch.codePointAt(0)!.toString(16)}}`) : ch)).join('');
  return `"${shown}${chars.length > 40 ? '…' : ''}"`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks the header's bytes; `dataBytes` is how many bytes the file really holds after the header. */
export function parseHeader(headerBytes: Uint8Array, dataBytes: number, label: string): SafetensorsHeader {
  const fail = (message: string): never => { throw new ModelFileError(`${label} ${message}`); };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    return fail('is not a safetensors file: its header is not UTF-8 text');
  }
  if (!text.startsWith('{')) fail('is not a safetensors file: its header does not start with "{"');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    fail(`is not a safetensors file: its header is not JSON (${(err as Error).message.slice(0, 80)})`);
  }
  if (!isObject(doc)) return fail('is not a safetensors file: its header is not a JSON object');
  const metadata = new Map<string, string>();
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(doc)) {
    if (name === METADATA_KEY) {
      if (!isObject(value)) fail('is damaged: "__metadata__" must be an object of strings');
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`is damaged: metadata ${quoteUntrusted(key)} is not a string (the format allows only strings)`);
        metadata.set(key, v as string);
      }
    } else {
      entries.push(parseEntry(name, value, fail));
    }
  }
  checkLayout(entries, dataBytes, fail);
  return { metadata, entries, dataStart: LENGTH_BYTES + headerBytes.length };
}

function parseEntry(name: string, value: unknown, fail: (m: string) => never): SafetensorsEntry {
  const where = `tensor ${quoteUntrusted(name)}`;
  if (!isObject(value)) fail(`is damaged: ${where} is not an object`);
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) if (!ENTRY_FIELDS.includes(key)) fail(`is damaged: ${where} has an unexpected field ${quoteUntrusted(key)}`);
  const dtype = v.dtype;
  if (typeof dtype !== 'string' || !(Object.hasOwn(DTYPE_BYTES, dtype))) {
    fail(`is damaged: ${where} has an unknown dtype ${quoteUntrusted(String(JSON.stringify(dtype)))}`);
  }
  const shape = v.shape;
  if (!Array.isArray(shape) || !shape.every(isCount)) fail(`is damaged: ${where} has an invalid shape (expected a list of whole numbers)`);
  const offsets = v.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail(`is damaged: ${where} has invalid data_offsets (expected [begin, end] as whole numbers)`);
  }
  const [begin, end] = offsets as number[];
  if (begin! > end!) fail(`is damaged: ${where} has data_offsets [${begin}, ${end}] that end before they begin`);
  // The byte count must match the shape; computed step by step so that absurd dimensions cannot overflow unnoticed.
  let bytes = (shape as number[]).includes(0) ? 0 : DTYPE_BYTES[dtype as string]!;
  for (const d of shape as number[]) {
    if (bytes > end! - begin!) break;
    bytes *= d;
  }
  if (bytes !== end! - begin!) {
    fail(`is damaged: ${where} has shape [${(shape as number[]).join(', ')}] of ${dtype} but ${end! - begin!} bytes of data`);
  }
  return { name, dtype: dtype as string, shape: shape as number[], begin: begin!, end: end! };
}

/** The tensors must tile the data exactly: no gap, no overlap, nothing past its end, nothing after the last one. */
function checkLayout(entries: SafetensorsEntry[], dataBytes: number, fail: (m: string) => never): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of entries) {
    if (e.end > dataBytes) {
      fail(`is damaged: tensor ${quoteUntrusted(e.name)} has data_offsets [${e.begin}, ${e.end}] past the end of the data (${dataBytes} bytes)`);
    }
    if (e.begin < at) fail(`is damaged: the data of tensor ${quoteUntrusted(e.name)} overlaps another tensor's`);
    if (e.begin > at) fail(`is damaged: bytes ${at} to ${e.begin} of the data belong to no tensor`);
    at = e.end;
  }
  if (at !== dataBytes) fail(`is damaged: it holds ${dataBytes} bytes of data but its tensors account for ${at}`);
}

/** A safetensors file whose header has been checked; its tensors' bytes are read one at a time. */
export interface SafetensorsSource {
  /** How messages name the file (its path). */
  readonly label: string;
  readonly header: SafetensorsHeader;
  bytes(entry: SafetensorsEntry): Promise<Uint8Array>;
}

/** An open safetensors file; close it when done. */
export class SafetensorsReader implements SafetensorsSource {
  private constructor(readonly label: string, readonly header: SafetensorsHeader, private readonly handle: FileHandle) {}

  static async open(path: string): Promise<SafetensorsReader> {
    const size = await fileSize(path, 'safetensors file', ModelFileError);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw new ModelFileError(readErrorMessage(path, err));
    }
    try {
      const lengthBytes = await readExactly(handle, 0, Math.min(LENGTH_BYTES, size));
      const header = parseFile(size, lengthBytes, (n) => readExactly(handle, LENGTH_BYTES, n), path);
      return new SafetensorsReader(path, await header, handle);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** The raw bytes of one tensor's data. */
  async bytes(entry: SafetensorsEntry): Promise<Uint8Array> {
    return readExactly(this.handle, this.header.dataStart + entry.begin, entry.end - entry.begin);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/**
 * The header of a file of `size` bytes, given its first 8 bytes and a way to read the N header bytes after them. N is
 * checked against the real size (and MAX_HEADER_BYTES) before the header is read, so a hostile length allocates nothing.
 */
export async function parseFile(size: number, lengthBytes: Uint8Array, readHeader: (n: number) => Promise<Uint8Array>,
                                label: string): Promise<SafetensorsHeader> {
  if (size < LENGTH_BYTES) throw new ModelFileError(`${label} is not a safetensors file: it has only ${size} bytes`);
  const length = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, LENGTH_BYTES).getBigUint64(0, true);
  if (length > BigInt(size - LENGTH_BYTES)) {
    throw new ModelFileError(`${label} is not a safetensors file (or is truncated): its header length ${length} is beyond the file's ${size} bytes`);
  }
  if (length > BigInt(MAX_HEADER_BYTES)) {
    throw new ModelFileError(`${label} has a header of ${length} bytes, more than the ${MAX_HEADER_BYTES} bytes charlm reads`);
  }
  const n = Number(length);
  return parseHeader(await readHeader(n), size - LENGTH_BYTES - n, label);
}

/** A whole file held in memory, with the same checks as SafetensorsReader.open. */
export async function sourceFromBytes(bytes: Uint8Array, label: string): Promise<SafetensorsSource> {
  const header = await parseFile(bytes.length, bytes.subarray(0, LENGTH_BYTES),
    async (n) => bytes.subarray(LENGTH_BYTES, LENGTH_BYTES + n), label);
  return { label, header, bytes: async (e) => bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end) };
}

async function readExactly(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(out, got, length - got, position + got);
    if (bytesRead === 0) throw new ModelFileError('the file became shorter while it was read');
    got += bytesRead;
  }
  return out;
}

/** The values of a tensor as float32: F32 copied, F16 and BF16 widened exactly; any other dtype refused. */
export function toFloat32(entry: SafetensorsEntry, bytes: Uint8Array, label: string): Float32Array {
  if (!READABLE.includes(entry.dtype)) {
    throw new ModelFileError(`${label}: tensor ${quoteUntrusted(entry.name)} has dtype ${entry.dtype}; charlm imports F32, ` +
      'and F16 or BF16 widened to F32', { hint: 'convert it to float32 in PyTorch first: tensor.float()' });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = DTYPE_BYTES[entry.dtype]!;
  const out = new Float32Array(bytes.byteLength / width);
  for (let i = 0; i < out.length; i++) {
    switch (entry.dtype as FloatDtype) {
      case 'F32': out[i] = view.getFloat32(4 * i, true); break; // a copy of the bits (NaN is refused later)
      case 'F16': out[i] = halfToFloat(view.getUint16(2 * i, true)); break;
      case 'BF16': out[i] = bfloat16ToFloat(view.getUint16(2 * i, true)); break;
    }
  }
  return out;
}

const widen = new DataView(new ArrayBuffer(4));

/** A bfloat16 is the top half of a float32: exact. */
export function bfloat16ToFloat(bits: number): number {
  widen.setUint32(0, bits << 16 >>> 0);
  return widen.getFloat32(0);
}

/** IEEE 754 binary16 → number, exact: sign, 5-bit exponent (bias 15), 10-bit fraction; subnormals, ±Infinity and NaN. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * The file's bytes as pieces: length, header, each tensor's float32 data in the given order. The header is compact
 * JSON ("__metadata__" first, then the tensors in order, each {dtype, shape, data_offsets}) padded with spaces so the
 * data starts 8-byte aligned: the same tensors and metadata always give the same bytes (python/charlm_torch.py writes
 * exactly this layout too).
 */
export function serializeSafetensors(tensors: readonly NamedTensor[], metadata: ReadonlyMap<string, string>): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (metadata.size > 0) header[METADATA_KEY] = Object.fromEntries(metadata);
  let offset = 0;
  for (const t of tensors) {
    if (t.name === METADATA_KEY || Object.hasOwn(header, t.name)) throw new ModelFileError(`cannot export: tensor name "${t.name}" is used twice`);
    const end = offset + 4 * t.data.length;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, end] };
    offset = end;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil((LENGTH_BYTES + json.length) / ALIGNMENT) * ALIGNMENT - LENGTH_BYTES;
  const head = Buffer.alloc(LENGTH_BYTES + padded, 0x20);
  head.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(head, LENGTH_BYTES);
  return [head, ...tensors.map((t) => float32Bytes(t.data))];
}

/** The raw bits, so -0 and every payload survive; byte-swapped on a big-endian machine. */
function float32Bytes(data: Float32Array): Uint8Array {
  const out = Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (!LITTLE_ENDIAN) out.swap32();
  return out;
}
