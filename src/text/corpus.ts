// Reading a training text: a file or standard input, checked to be UTF-8 text (not binary, not empty), line mode's item
// order, and the train/validation split. It does not build the vocabulary (vocab.ts) or cut batches (batches.ts).

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { isUtf8, constants as bufferConstants } from 'node:buffer';
import { ConfigError, CorpusError } from '../errors.js';
import { fileSize, readErrorMessage } from '../file-size.js';
import type { Ids } from '../tensor/floats.js';
import type { Rng } from '../tensor/rng.js';
import type { Vocab } from './vocab.js';

export interface Corpus {
  /** The file's base name ("stdin" for standard input), as recorded in the model's training record. */
  name: string;
  text: string;
  /** Size of the input in bytes. */
  bytes: number;
  /** Hex SHA-256 of the input bytes (after CRLF → LF): how a resumed run checks it has the same text. */
  sha256: string;
  /** CRLF line endings read as LF (0 with keepCr). */
  crlfReplaced?: number;
}

export interface Utf8Problem {
  /** Byte offset of the offending byte; for a broken or cut-off sequence, of the lead byte that starts it. */
  offset: number;
  /** The input ends in the middle of a character. */
  cutOff: boolean;
}

/**
 * The first place where `bytes` break UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), or null if
 * all of it is valid.
 */
export function findInvalidUtf8(bytes: Uint8Array): Utf8Problem | null {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) { i++; continue; }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) { need = 2; if (b === 0xe0) lo = 0xa0; if (b === 0xed) hi = 0x9f; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; if (b === 0xf0) lo = 0x90; if (b === 0xf4) hi = 0x8f; }
    else return { offset: i, cutOff: false };
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return { offset: i, cutOff: true };
      const c = bytes[i + k]!;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return { offset: i, cutOff: false }; // the sequence is broken: point at its lead byte
    }
    i += need + 1;
  }
  return null;
}

function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** The most bytes charlm reads as one text: V8's longest string, and memory for the ids, stay well within reach. */
export const MAX_CORPUS_BYTES = 256 * 1024 ** 2;

export interface ReadOptions {
  /** Keep carriage returns: by default each CRLF line ending becomes LF (a bare "\r" would overwrite terminal lines). */
  keepCr?: boolean;
  /** Refuse inputs longer than this (default MAX_CORPUS_BYTES). */
  maxBytes?: number;
}

/** UTF-16 text: a byte-order mark, or NUL bytes in every other position of the first bytes (ASCII in UTF-16). */
function utf16Order(bytes: Uint8Array): 'LE' | 'BE' | null {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'LE';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'BE';
  const n = Math.min(bytes.length, 512) & ~1;
  if (n < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul >= 0.9 * pairs && evenNul === 0) return 'LE';
  if (evenNul >= 0.9 * pairs && oddNul === 0) return 'BE';
  return null;
}

/** Throws for bytes that are not text: UTF-16 (with the conversion to use) or binary (a NUL byte). */
function checkIsText(bytes: Uint8Array, label: string, offset = 0): void {
  const order = offset === 0 ? utf16Order(bytes) : null;
  if (order !== null) {
    throw new CorpusError(`${label} looks like UTF-16 (${order === 'LE' ? 'little' : 'big'}-endian) text, not UTF-8`,
      { hint: `convert it first, e.g. iconv -f utf-16${order.toLowerCase()} -t utf-8 FILE > FILE.utf8.txt` });
  }
  const nul = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(0);
  if (nul >= 0) {
    throw new CorpusError(`${label} looks like a binary file (NUL byte at offset ${offset + nul}), not text`,
      { hint: 'charlm trains on UTF-8 text files' });
  }
}

/** `bytes` with every CRLF replaced by LF, and how many were replaced (the same buffer when there were none). */
export function crlfToLf(bytes: Buffer): { bytes: Buffer; replaced: number } {
  let at = bytes.indexOf('\r\n');
  if (at < 0) return { bytes, replaced: 0 };
  const out = Buffer.allocUnsafe(bytes.length);
  let from = 0;
  let length = 0;
  let replaced = 0;
  while (at >= 0) {
    length += bytes.copy(out, length, from, at);
    from = at + 1; // drop the CR, keep the LF
    replaced++;
    at = bytes.indexOf('\r\n', from);
  }
  length += bytes.copy(out, length, from);
  return { bytes: out.subarray(0, length), replaced };
}

/** Checks raw bytes and turns them into text; `label` is how messages name the input (the path as typed). */
export function decodeCorpus(bytes: Uint8Array, label: string): string {
  checkIsText(bytes, label);
  if (!isUtf8(bytes)) {
    const problem = findInvalidUtf8(bytes) ?? { offset: 0, cutOff: false };
    const at = problem.offset;
    const what = problem.cutOff ? 'a character cut off by the end of the input' : `invalid byte 0x${bytes[at]!.toString(16).padStart(2, '0')}`;
    throw new CorpusError(`${label} is not valid UTF-8 text: ${what} at byte offset ${at} (line ${lineOf(bytes, at)})`,
      { hint: 'convert it first, e.g. iconv -f latin1 -t utf-8' });
  }
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = hasBom ? bytes.subarray(3) : bytes;
  if (body.length > bufferConstants.MAX_STRING_LENGTH) {
    throw new CorpusError(`${label} is too large (${body.length} bytes) to hold as one string`, { hint: 'train on a part of it' });
  }
  const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  if (text.length === 0) throw new CorpusError(`${label} is empty`, { hint: 'give charlm a text file with some characters in it' });
  return text;
}

function tooLong(label: string, maxBytes: number): CorpusError {
  return new CorpusError(`${label} is longer than ${maxBytes.toLocaleString('en-US')} bytes, the most charlm reads as one text`,
    { hint: 'use a part of it, e.g. head -c 100000000 FILE > part.txt' });
}

/**
 * Reads a stream to its end, but no further than `maxBytes`: an endless input (/dev/zero, `yes`) fails as soon as it
 * passes the limit, or at its first chunk when that is already binary, instead of filling memory.
 */
async function readLimited(source: AsyncIterable<Buffer | string>, label: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    checkIsText(chunk, label, total);
    total += chunk.length;
    if (total > maxBytes) throw tooLong(label, maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

async function readBytes(path: string, maxBytes: number): Promise<Buffer> {
  if (await fileSize(path, 'text file', CorpusError) > maxBytes) throw tooLong(path, maxBytes);
  try {
    // A stream, not readFile: a device or a pipe (/dev/zero, <(yes)) declares no size and may never end.
    return await readLimited(createReadStream(path), path, maxBytes);
  } catch (err) {
    if (err instanceof CorpusError) throw err;
    throw new CorpusError(readErrorMessage(path, err));
  }
}

/**
 * Reads a text file, or standard input for '-'. Throws CorpusError for a missing, empty, binary, UTF-16, non-UTF-8 or
 * too long input. CRLF line endings become LF unless `keepCr`; the hash is of the bytes as read after that.
 */
export async function readCorpus(path: string, stdin: AsyncIterable<Buffer | string> = process.stdin,
  options: ReadOptions = {}): Promise<Corpus> {
  const fromStdin = path === '-';
  const label = fromStdin ? 'standard input' : path;
  const maxBytes = options.maxBytes ?? MAX_CORPUS_BYTES;
  const raw = fromStdin ? await readLimited(stdin, label, maxBytes) : await readBytes(path, maxBytes);
  const { bytes, replaced } = options.keepCr === true ? { bytes: raw, replaced: 0 } : crlfToLf(raw);
  const text = decodeCorpus(bytes, label);
  return {
    name: fromStdin ? 'stdin' : basename(path),
    text,
    bytes: raw.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    crlfReplaced: replaced,
  };
}

/**
 * Line mode's items (each a run of ids that starts with `bos`) in a random order drawn from `rng`; the ids of each item are
 * kept as they are. Training shuffles them once: in a sorted list (names, words) each item would otherwise follow its
 * alphabetical neighbour, so the carried state would let the model copy the previous item's prefix (a low training loss
 * that generation, which starts each item afresh, cannot use), and the validation tail would be the end of the alphabet.
 */
export function shuffleItems(ids: Ids, bos: number, rng: Rng): Ids {
  const starts: number[] = [];
  for (let i = 0; i < ids.length; i++) if (ids[i] === bos) starts.push(i);
  if (starts.length < 2 || starts[0] !== 0) return ids;
  const order = starts.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { // Fisher–Yates
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out = new (ids.constructor as new (n: number) => Ids)(ids.length);
  let at = 0;
  for (const item of order) {
    const from = starts[item]!;
    const to = item + 1 < starts.length ? starts[item + 1]! : ids.length;
    out.set(ids.subarray(from, to), at);
    at += to - from;
  }
  return out;
}

/** Contiguous split: the first part trains, the last `valFrac` of the ids validates. Views, not copies. */
export function splitTrainValidation(ids: Ids, valFrac: number): { train: Ids; validation: Ids } {
  if (!(valFrac >= 0 && valFrac <= 1)) throw new ConfigError(`the validation fraction must be between 0 and 1 (got ${valFrac})`);
  const nTrain = ids.length - Math.floor(ids.length * valFrac);
  return { train: ids.subarray(0, nTrain), validation: ids.subarray(nTrain) };
}

/**
 * Throws CorpusError unless the training ids can fill at least one batch of B streams × T steps (B·T + 1 symbols, the +1
 * being the last target) and hold at least two distinct symbols (one symbol leaves nothing to predict).
 */
export function checkTrainable(ids: Ids, vocab: Vocab, B: number, T: number): void {
  const seen = new Uint8Array(vocab.size);
  let distinct = 0;
  for (let i = 0; i < ids.length && distinct < 2; i++) {
    if (seen[ids[i]!] === 0) { seen[ids[i]!] = 1; distinct++; }
  }
  if (distinct < 2) {
    const only = ids.length === 0 ? 'no characters' : `only one distinct symbol (${ids.length} in all)`;
    throw new CorpusError(`the training text has ${only}; a language model needs at least two different characters`,
      { hint: 'use a longer, more varied text' });
  }
  const needed = B * T + 1;
  if (ids.length < needed) {
    throw new CorpusError(`the training text has ${ids.length} symbols, but one batch of ${B} streams × ${T} steps needs at least ${needed}`,
      { hint: 'use a smaller --batch-size or --seq-length, or a longer text' });
  }
}
