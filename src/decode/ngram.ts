// A smoothed character n-gram model: the classic baseline `charlm eval --ngram N` compares the network with. Not a network;
// it counts, and knows nothing of CharLM.
//
// Smoothing is interpolated (Chen & Goodman, 1998, eqs. 17 and 26). With history h of k symbols and h' = h without its oldest
// symbol, and c(h) = Σ_w c(h w) > 0:
//   P_k(w | h) = max(c(h w) − d, 0) / c(h)  +  d · N1+(h •) / c(h) · P_{k−1}(w | h')
// where N1+(h •) is the number of distinct symbols seen after h; when c(h) = 0, P_k(w | h) = P_{k−1}(w | h').
// The order-0 distribution interpolates with the uniform one over the V symbols, so no symbol ever gets probability 0:
//   P_0(w) = max(c(w) − d, 0) / N  +  d · N1+(•) / N · 1 / V.
// 'absolute' uses the raw counts c at every order. 'kneser-ney' (the default) uses the raw counts at the highest order only;
// every lower order counts continuations instead, c(h w) := N1+(• h w), the number of distinct symbols seen before h w.

import { ConfigError } from '../errors.js';

export type NgramSmoothing = 'kneser-ney' | 'absolute';

export interface NgramOptions {
  /** Symbols the model predicts over (ids 0 … V−1). Default: 1 + the largest id in the training sequence. */
  vocabSize?: number;
  /** The discount d in (0, 1). Default 0.75. */
  discount?: number;
  smoothing?: NgramSmoothing;
}

/** Counts for one history length k: the n-grams of length k + 1, and per history its total and its number of successors. */
interface OrderCounts {
  grams: Map<string, number>;
  historyTotal: Map<string, number>;
  historyTypes: Map<string, number>;
}

export class NgramModel {
  readonly order: number;
  readonly vocabSize: number;
  readonly discount: number;
  readonly smoothing: NgramSmoothing;
  /** counts[k] describes histories of k symbols (k = 0 … order − 1). */
  private readonly counts: OrderCounts[];
  /** Code units per symbol in the keys (1 while every id fits in 16 bits, else 2): keys are fixed-width strings. */
  private readonly width: number;

  private constructor(order: number, vocabSize: number, discount: number, smoothing: NgramSmoothing,
                      counts: OrderCounts[], width: number) {
    this.order = order;
    this.vocabSize = vocabSize;
    this.discount = discount;
    this.smoothing = smoothing;
    this.counts = counts;
    this.width = width;
  }

  /** Counts every n-gram of `sequence` (ids, or a string whose code points are the symbols). */
  static fit(sequence: ArrayLike<number> | string, order: number, opts: NgramOptions = {}): NgramModel {
    if (!Number.isInteger(order) || order < 1 || order > 32) throw new ConfigError(`n-gram order must be from 1 to 32 (got ${order})`);
    const ids = toIds(sequence);
    const discount = opts.discount ?? 0.75;
    if (!(discount > 0 && discount < 1)) throw new ConfigError(`the n-gram discount must be between 0 and 1 (got ${discount})`);
    let maxId = -1;
    for (let i = 0; i < ids.length; i++) if (ids[i] > maxId) maxId = ids[i];
    const vocabSize = opts.vocabSize ?? maxId + 1;
    if (vocabSize < 1 || maxId >= vocabSize) throw new ConfigError(`n-gram vocabulary of ${vocabSize} symbols cannot hold id ${maxId}`);
    const smoothing = opts.smoothing ?? 'kneser-ney';
    const width = vocabSize > 0x10000 ? 2 : 1;
    const key = keyString(ids, width);

    // Raw counts of every n-gram of length 1 … order.
    const raw: Map<string, number>[] = [];
    for (let k = 0; k < order; k++) {
      const grams = new Map<string, number>();
      for (let i = k; i < ids.length; i++) {
        const g = key.slice((i - k) * width, (i + 1) * width);
        grams.set(g, (grams.get(g) ?? 0) + 1);
      }
      raw.push(grams);
    }
    const counts: OrderCounts[] = [];
    for (let k = 0; k < order; k++) {
      let grams = raw[k];
      if (smoothing === 'kneser-ney' && k < order - 1) {
        // Continuation count of h w: how many distinct x precede it, i.e. how many types x h w exist one order up.
        grams = new Map();
        for (const longer of raw[k + 1].keys()) {
          const g = longer.slice(width);
          grams.set(g, (grams.get(g) ?? 0) + 1);
        }
      }
      const historyTotal = new Map<string, number>();
      const historyTypes = new Map<string, number>();
      for (const [g, c] of grams) {
        const h = g.slice(0, k * width);
        historyTotal.set(h, (historyTotal.get(h) ?? 0) + c);
        historyTypes.set(h, (historyTypes.get(h) ?? 0) + 1);
      }
      counts.push({ grams, historyTotal, historyTypes });
    }
    return new NgramModel(order, vocabSize, discount, smoothing, counts, width);
  }

  /** ln P(next | context); only the last order − 1 symbols of the context matter, and fewer are used near the start. */
  logProb(context: ArrayLike<number> | string, next: number | string): number {
    const ctx = toIds(context);
    const w = typeof next === 'string' ? next.codePointAt(0)! : next;
    const k = Math.min(this.order - 1, ctx.length);
    const tail = new Array<number>(k + 1);
    for (let j = 0; j < k; j++) tail[j] = ctx[ctx.length - k + j];
    tail[k] = w;
    return Math.log(this.probability(keyString(tail, this.width), k));
  }

  /**
   * Mean −ln P over every symbol of `sequence` after the first (each given up to order − 1 symbols before it), the same
   * characters the network's scoring counts. Targets equal to `ignoreTarget` (line mode's start symbol) are not scored.
   */
  crossEntropy(sequence: ArrayLike<number> | string, opts: { ignoreTarget?: number | null } = {}): { nats: number; chars: number; natsPerChar: number } {
    const ids = toIds(sequence);
    const key = keyString(ids, this.width);
    const ignore = opts.ignoreTarget ?? null;
    let nats = 0;
    let chars = 0;
    for (let i = 1; i < ids.length; i++) {
      if (ids[i] === ignore) continue;
      const k = Math.min(this.order - 1, i);
      nats -= Math.log(this.probability(key.slice((i - k) * this.width, (i + 1) * this.width), k));
      chars++;
    }
    return { nats, chars, natsPerChar: chars > 0 ? nats / chars : Number.NaN };
  }

  /** P_k(w | h) for the key of h w (k symbols of history then w), by the recursion in the header. */
  private probability(gram: string, k: number): number {
    const d = this.discount;
    const { grams, historyTotal, historyTypes } = this.counts[k];
    const h = gram.slice(0, k * this.width);
    const lower = k === 0 ? 1 / this.vocabSize : this.probability(gram.slice(this.width), k - 1);
    const total = historyTotal.get(h) ?? 0;
    if (total === 0) return lower;
    const c = grams.get(gram) ?? 0;
    return Math.max(c - d, 0) / total + (d * historyTypes.get(h)!) / total * lower;
  }
}

function toIds(sequence: ArrayLike<number> | string): ArrayLike<number> {
  if (typeof sequence !== 'string') return sequence;
  return Array.from(sequence, (ch) => ch.codePointAt(0)!);
}

/** Each id as `width` UTF-16 code units, so the n-gram starting at symbol i is one slice of the string. */
function keyString(ids: ArrayLike<number>, width: number): string {
  const parts: string[] = [];
  const chunk: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (width === 1) chunk.push(ids[i]);
    else chunk.push(ids[i] >>> 16, ids[i] & 0xffff);
    if (chunk.length >= 8192) {
      parts.push(String.fromCharCode(...chunk));
      chunk.length = 0;
    }
  }
  parts.push(String.fromCharCode(...chunk));
  return parts.join('');
}
