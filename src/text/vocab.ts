// The vocabulary: one symbol per Unicode code point, sorted by code point, and the maps between characters and ids.
// It knows nothing of files or networks; corpus.ts reads the text and the model only ever sees the ids.

import { ModelFileError, VocabularyError } from '../errors.js';
import type { Ids } from '../tensor/floats.js';
import { describeValue } from './quote.js';

export interface VocabJSON {
  /** One code point each, sorted by code point. Line mode's reserved symbols are not listed. */
  symbols: string[];
  lineMode: boolean;
}

export type UnknownPolicy = 'error' | 'skip' | 'replace';
export interface EncodeOptions {
  /** What to do with characters outside the vocabulary (default 'error'). */
  unknown?: UnknownPolicy;
  /** With unknown 'replace': the character (in the vocabulary) that stands in for unknown ones. */
  replacement?: string;
}

/** Line mode's reserved ids: every line is framed as start, characters, end. */
export const BOS_ID = 0;
export const EOS_ID = 1;
const RESERVED = 2;

const LF = 0x0a;
const CR = 0x0d;
const BMP = 0x10000;

/** True for a line break that line mode drops: "\n", and "\r" right before "\n" or at the very end. */
function isLineBreak(text: string, i: number, c: number): boolean {
  if (c === LF) return true;
  return c === CR && (i + 1 === text.length || text.charCodeAt(i + 1) === LF);
}

export interface SymbolCounts {
  /** Occurrences of each code point. */
  counts: Map<number, number>;
  /** Code points counted (in line mode, line breaks are not counted). */
  total: number;
  /** Non-empty lines (line mode only; 0 otherwise). */
  lines: number;
}

/** Counts every code point of `text` without building an array of strings (a 100 MB corpus stays cheap). */
export function countSymbols(text: string, opts: { lineMode?: boolean } = {}): SymbolCounts {
  const lineMode = opts.lineMode === true;
  const bmp = new Float64Array(BMP); // counts of code points below U+10000, the common case
  const astral = new Map<number, number>();
  let total = 0;
  let lines = 0;
  let lineHasChars = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    if (c >= BMP) i++; // a surrogate pair is one symbol
    if (lineMode && isLineBreak(text, i, c)) {
      if (c === LF && lineHasChars) lines++;
      if (c === LF) lineHasChars = false;
      continue;
    }
    lineHasChars = true;
    total++;
    if (c < BMP) bmp[c]! += 1;
    else astral.set(c, (astral.get(c) ?? 0) + 1);
  }
  if (lineMode && lineHasChars) lines++;
  const counts = new Map<number, number>();
  for (let c = 0; c < BMP; c++) if (bmp[c]! > 0) counts.set(c, bmp[c]!);
  for (const c of [...astral.keys()].sort((a, b) => a - b)) counts.set(c, astral.get(c)!);
  return { counts, total, lines };
}

/** The size of a text as training sees it: symbols once encoded (line mode adds a start and an end per line), vocabulary. */
export function measureText(text: string, opts: { lineMode?: boolean } = {}): { symbols: number; vocabSize: number } {
  const counts = countSymbols(text, opts);
  const lineMode = opts.lineMode === true;
  return { symbols: counts.total + (lineMode ? 2 * counts.lines : 0), vocabSize: Vocab.fromCounts(counts, lineMode).size };
}

/** A character as people should see it in a listing: "\n", "\t", "\u200b", "␠" for a space, "◌́" for a combining mark. */
export function escapeChar(ch: string): string {
  const c = ch.codePointAt(0);
  if (c === undefined) return '';
  switch (ch) {
    case '\n': return '\\n';
    case '\t': return '\\t';
    case '\r': return '\\r';
    case ' ': return '␠';
    case '\\': return '\\\\';
  }
  // Controls, invisible formatting, odd spaces, separators, lone surrogates, private use and unassigned code points.
  if (/^[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]$/u.test(ch)) {
    return c < BMP ? `\\u${c.toString(16).padStart(4, '0')}` : `\\u{${c.toString(16)}}`;
  }
  // A combining mark alone would sit on the previous column; the dotted circle is Unicode's convention for showing one.
  if (/^\p{M}$/u.test(ch)) return `◌${ch}`;
  return ch;
}

/** A character quoted for an error message: "é", "\u0007", " ". */
export function quoteChar(ch: string): string {
  if (ch === ' ') return '" "';
  if (ch === '"') return '"\\""';
  return `"${escapeChar(ch)}"`;
}

/** "U+0041" */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

function unknownError(unknown: Map<string, number>): VocabularyError {
  const list = [...unknown.keys()];
  const shown = list.slice(0, 10).map(quoteChar).join(', ') + (list.length > 10 ? `, … (${list.length - 10} more)` : '');
  const noun = list.length === 1 ? 'character' : 'characters';
  return new VocabularyError(`the text has ${list.length} ${noun} not in the vocabulary: ${shown}`,
    { hint: 'use --unknown skip or --unknown replace' });
}

export class Vocab {
  /** Symbols plus line mode's two reserved ids. */
  readonly size: number;
  readonly lineMode: boolean;
  readonly bos: number | null;
  readonly eos: number | null;
  private readonly symbols: readonly string[];
  private readonly offset: number; // id of the first symbol: 2 in line mode, else 0
  private readonly bmpIds: Int32Array; // code point below U+10000 → id, or -1
  private readonly astralIds = new Map<number, number>();

  private constructor(codePoints: readonly number[], lineMode: boolean) {
    this.lineMode = lineMode;
    this.offset = lineMode ? RESERVED : 0;
    this.bos = lineMode ? BOS_ID : null;
    this.eos = lineMode ? EOS_ID : null;
    this.symbols = codePoints.map((c) => String.fromCodePoint(c));
    this.size = codePoints.length + this.offset;
    this.bmpIds = new Int32Array(BMP).fill(-1);
    codePoints.forEach((c, i) => {
      if (c < BMP) this.bmpIds[c] = i + this.offset;
      else this.astralIds.set(c, i + this.offset);
    });
  }

  /** Every distinct code point of `text`, sorted by code point (so the ids never depend on the order of the file). */
  static fromText(text: string, opts: { lineMode?: boolean } = {}): Vocab {
    return Vocab.fromCounts(countSymbols(text, opts), opts.lineMode === true);
  }

  static fromCounts(counts: SymbolCounts, lineMode: boolean): Vocab {
    return new Vocab([...counts.counts.keys()].sort((a, b) => a - b), lineMode);
  }

  /** Reads the "vocab" of a model file. Throws ModelFileError naming what is wrong. */
  static fromJSON(json: unknown): Vocab {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFileError('"vocab" must be an object');
    const v = json as Record<string, unknown>;
    if (typeof v.lineMode !== 'boolean') throw new ModelFileError('"vocab.lineMode" must be true or false');
    if (!Array.isArray(v.symbols)) throw new ModelFileError('"vocab.symbols" must be an array of characters');
    const codePoints: number[] = [];
    v.symbols.forEach((s: unknown, i) => {
      const c = typeof s === 'string' ? s.codePointAt(0) : undefined;
      if (c === undefined || String.fromCodePoint(c) !== s) {
        throw new ModelFileError(`"vocab.symbols[${i}]" must be exactly one character (got ${describeValue(s)})`);
      }
      if (i > 0 && c <= codePoints[i - 1]!) {
        throw new ModelFileError(`"vocab.symbols" must be sorted by code point without repeats (see index ${i}, ${codePointLabel(c)})`);
      }
      codePoints.push(c);
    });
    if (codePoints.length === 0) throw new ModelFileError('"vocab.symbols" is empty');
    return new Vocab(codePoints, v.lineMode);
  }

  toJSON(): VocabJSON {
    return { symbols: [...this.symbols], lineMode: this.lineMode };
  }

  /** The characters in id order, without the reserved symbols. */
  chars(): readonly string[] {
    return this.symbols;
  }

  idOf(char: string): number | undefined {
    const c = char.codePointAt(0);
    if (c === undefined || String.fromCodePoint(c) !== char) return undefined;
    return this.idOfCodePoint(c);
  }

  idOfCodePoint(c: number): number | undefined {
    if (c < BMP) {
      const id = this.bmpIds[c]!;
      return id < 0 ? undefined : id;
    }
    return this.astralIds.get(c);
  }

  symbolOf(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) {
      throw new VocabularyError(`id ${id} is outside the vocabulary (ids 0 to ${this.size - 1})`);
    }
    return id < this.offset ? '' : this.symbols[id - this.offset]!;
  }

  /** Characters of `text` that are not in the vocabulary, with how often each occurs (line breaks ignored in line mode). */
  unknownChars(text: string): Map<string, number> {
    const unknown = new Map<string, number>();
    for (let i = 0; i < text.length; i++) {
      const c = text.codePointAt(i)!;
      if (c >= BMP) i++;
      if (this.lineMode && isLineBreak(text, i, c)) continue;
      if (this.idOfCodePoint(c) === undefined) {
        const ch = String.fromCodePoint(c);
        unknown.set(ch, (unknown.get(ch) ?? 0) + 1);
      }
    }
    return unknown;
  }

  /** A typed array just wide enough for this vocabulary's ids. */
  allocIds(length: number): Ids {
    return this.size <= 65536 ? new Uint16Array(length) : new Uint32Array(length);
  }

  /** The id of every character of `text[start, end)`, written into `out` from `at`; returns the new write position. */
  private encodeRange(text: string, start: number, end: number, out: Ids, at: number, unknownId: number,
                      unknown: Map<string, number>): number {
    for (let i = start; i < end; i++) {
      const c = text.codePointAt(i)!;
      if (c >= BMP) i++;
      const id = c < BMP ? this.bmpIds[c]! : (this.astralIds.get(c) ?? -1);
      if (id >= 0) {
        out[at++] = id;
      } else if (unknownId >= 0) {
        out[at++] = unknownId;
      } else {
        const ch = String.fromCodePoint(c);
        unknown.set(ch, (unknown.get(ch) ?? 0) + 1);
      }
    }
    return at;
  }

  private unknownId(opts: EncodeOptions): number {
    if (opts.unknown !== 'replace') return -1;
    const r = opts.replacement ?? '?';
    const id = this.idOf(r);
    if (id === undefined) {
      throw new VocabularyError(`the replacement character ${quoteChar(r)} is not in the vocabulary`,
        { hint: 'choose a replacement character the model knows' });
    }
    return id;
  }

  /** Each code point's id. The output has at most text.length entries (a surrogate pair is one id). */
  encode(text: string, opts: EncodeOptions = {}): Ids {
    const unknown = new Map<string, number>();
    const out = this.allocIds(text.length);
    const n = this.encodeRange(text, 0, text.length, out, 0, this.unknownId(opts), unknown);
    if (unknown.size > 0 && (opts.unknown ?? 'error') === 'error') throw unknownError(unknown);
    return n === out.length ? out : out.slice(0, n);
  }

  /** Line mode: start, the line's characters, end, for every non-empty line. Line breaks (\n, \r\n) are not symbols. */
  encodeLines(text: string, opts: EncodeOptions = {}): Ids {
    if (!this.lineMode) throw new VocabularyError('encodeLines needs a line-mode vocabulary');
    const unknown = new Map<string, number>();
    const unknownId = this.unknownId(opts);
    // Each non-empty line of k ≥ 1 UTF-16 units gives at most k + 2 ids, so 3 × length is always enough; count first to
    // allocate exactly.
    let bound = 0;
    for (let start = 0; start < text.length;) {
      const [end, next] = lineBounds(text, start);
      if (end > start) bound += end - start + 2;
      start = next;
    }
    const out = this.allocIds(bound);
    let at = 0;
    for (let start = 0; start < text.length;) {
      const [end, next] = lineBounds(text, start);
      if (end > start) {
        out[at++] = BOS_ID;
        at = this.encodeRange(text, start, end, out, at, unknownId, unknown);
        out[at++] = EOS_ID;
      }
      start = next;
    }
    if (unknown.size > 0 && (opts.unknown ?? 'error') === 'error') throw unknownError(unknown);
    return at === out.length ? out : out.slice(0, at);
  }

  /** Reserved ids decode to ''. */
  decode(ids: ArrayLike<number>): string {
    const parts: string[] = [];
    for (let i = 0; i < ids.length; i++) parts.push(this.symbolOf(ids[i]!));
    return parts.join('');
  }

  /** The input vector of symbol `id`: zeros and a single 1. */
  oneHot(id: number): Float32Array {
    this.symbolOf(id); // range check
    const x = new Float32Array(this.size);
    x[id] = 1;
    return x;
  }
}

/** The line starting at `start`: [end without its line break, start of the next line]. */
function lineBounds(text: string, start: number): [number, number] {
  const lf = text.indexOf('\n', start);
  const next = lf < 0 ? text.length : lf + 1;
  let end = lf < 0 ? text.length : lf;
  if (end > start && text.charCodeAt(end - 1) === CR) end--;
  return [end, next];
}
