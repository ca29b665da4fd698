// Beam search: the W most probable continuations so far advance together as ONE batch (one step() per character, B = W
// rows) and are reordered with RecurrentState.selectRows. Not sampling (sampling.ts): nothing here is random.
//
// Scores: logProb is the sum of ln P over the symbols of a hypothesis, including line mode's end symbol when the line ended.
// score = logProb / symbols^A (A = lengthPenalty; symbols counts that end symbol too), so A = 0 ranks by probability and a
// larger A favours longer hypotheses. Plain beam search can lose the greedy path (a prefix that ranks low early can end up
// best), so with W > 1 the greedy path rides along as one extra row of the same batch and competes at the end: the result
// is never worse than greedy decoding.

import { ConfigError } from '../errors.js';
import type { CharLM } from '../model/char-lm.js';
import type { Ids } from '../tensor/floats.js';
import type { UnknownPolicy, Vocab } from '../text/vocab.js';
import { argmax, decodingContext, encodePrime, encodeStop, logSoftmax, primeState } from './sampling.js';

export interface BeamOptions {
  /** Beams kept per step (default 8). Width 1 is greedy decoding. */
  width?: number;
  /** Most characters per hypothesis, not counting the prime (default 100). */
  length?: number;
  /** How many hypotheses to return, best first (default 1). */
  nBest?: number;
  /** A in score = logProb / symbols^A (default 0). */
  lengthPenalty?: number;
  prime?: string;
  unknown?: UnknownPolicy;
  /** A hypothesis that produces this string is finished (the string is included). */
  stop?: string;
}

export type FinishReason = 'end' | 'stop' | 'length';

export interface Hypothesis {
  /** The continuation (the prime not included). */
  readonly text: string;
  readonly logProb: number;
  readonly score: number;
  /** Characters in text. */
  readonly length: number;
  /** 'end': line mode's end symbol; 'stop': the stop string; 'length': ran to --length. */
  readonly finish: FinishReason;
}

interface Partial {
  ids: number[];     // symbols produced so far (characters only)
  logProb: number;
}

/** Returns up to nBest finished hypotheses, best score first (ties: higher logProb, then text order). */
export function beamSearch(model: CharLM, vocab: Vocab, opts: BeamOptions = {}): Hypothesis[] {
  const W = opts.width ?? 8;
  const length = opts.length ?? 100;
  const nBest = opts.nBest ?? 1;
  const A = opts.lengthPenalty ?? 0;
  if (!Number.isInteger(W) || W < 1) throw new ConfigError(`beam width must be a positive integer (got ${W})`);
  if (!Number.isInteger(length) || length < 0) throw new ConfigError(`length must be 0 or more characters (got ${length})`);
  if (!Number.isInteger(nBest) || nBest < 1) throw new ConfigError(`n-best must be a positive integer (got ${nBest})`);
  if (!(A >= 0 && Number.isFinite(A))) throw new ConfigError(`length penalty must be 0 or more (got ${A})`);
  const stopIds = encodeStop(vocab, opts.stop);
  const context = decodingContext(vocab, encodePrime(vocab, opts.prime ?? '', opts.unknown));
  const V = model.config.vocabSize;
  // Line mode: only the end symbol ends a line; the start symbol is never emitted (it would not be text).
  const isEnd = (id: number): boolean => id === vocab.eos;
  const forbidden = vocab.bos;
  const finished: Hypothesis[] = [];
  const finish = (p: Partial, reason: FinishReason): void => {
    const symbols = p.ids.length + (reason === 'end' ? 1 : 0);
    const score = A === 0 ? p.logProb : p.logProb / Math.pow(Math.max(symbols, 1), A);
    finished.push({ text: vocab.decode(p.ids), logProb: p.logProb, score, length: p.ids.length, finish: reason });
  };
  if (length === 0) {
    finish({ ids: [], logProb: 0 }, 'length');
    return finished;
  }

  // Rows 0 … W−1 hold beams (only `live` of them are real), row W the greedy path when W > 1.
  const greedyRow = W > 1 ? W : -1;
  const R = W > 1 ? W + 1 : 1;
  const state = primeState(model, vocab, context).gatherRows(new Array<number>(R).fill(0));
  const inputs: Ids = vocab.allocIds(R).fill(context[context.length - 1]);
  const logits = model.kernels.alloc(R * V);   // (R, V)
  const logProbs = new Float64Array(R * V);    // (R, V) ln softmax of each row
  const rows = new Int32Array(R);              // selectRows: new row r = old row rows[r]
  let beams: Partial[] = [{ ids: [], logProb: 0 }];
  let greedy: Partial | null = greedyRow >= 0 ? { ids: [], logProb: 0 } : null;

  // The best C = 2W (beam, symbol) extensions of this step, sorted by total logProb (descending, earlier first on ties).
  const C = 2 * W;
  const candTotal = new Float64Array(C);
  const candBeam = new Int32Array(C);
  const candId = new Int32Array(C);

  for (let t = 0; t < length && (beams.length > 0 || greedy !== null); t++) {
    model.step(inputs, state, logits);
    for (let b = 0; b < beams.length; b++) logSoftmax(logits, b * V, V, logProbs.subarray(b * V, b * V + V));
    let count = 0;
    for (let b = 0; b < beams.length; b++) {
      for (let v = 0; v < V; v++) {
        if (v === forbidden) continue;
        const total = beams[b].logProb + logProbs[b * V + v];
        if (count === C && !(total > candTotal[C - 1])) continue;
        let at = count < C ? count++ : C - 1;
        while (at > 0 && total > candTotal[at - 1]) {
          candTotal[at] = candTotal[at - 1];
          candBeam[at] = candBeam[at - 1];
          candId[at] = candId[at - 1];
          at--;
        }
        candTotal[at] = total;
        candBeam[at] = b;
        candId[at] = v;
      }
    }
    const last = t === length - 1;
    const next: Partial[] = [];
    for (let r = 0; r < count && next.length < W; r++) {
      const parent = beams[candBeam[r]];
      const id = candId[r];
      // An extension that finishes counts only if it ranks among the W best, as a live beam would have to.
      if (isEnd(id)) {
        if (r < W) finish({ ids: parent.ids, logProb: candTotal[r] }, 'end');
        continue;
      }
      const child = { ids: [...parent.ids, id], logProb: candTotal[r] };
      if (stopIds !== null && endsWith(child.ids, stopIds)) {
        if (r < W) finish(child, 'stop');
        continue;
      }
      if (last) finish(child, 'length');
      else {
        rows[next.length] = candBeam[r];
        inputs[next.length] = id;
        next.push(child);
      }
    }
    beams = next;

    if (greedy !== null) {
      const lp = logProbs.subarray(greedyRow * V, greedyRow * V + V);
      logSoftmax(logits, greedyRow * V, V, lp);
      const id = argmax(lp, 0, V, forbidden);
      greedy.logProb += lp[id];
      if (isEnd(id)) {
        finish(greedy, 'end');
        greedy = null;
      } else {
        greedy.ids.push(id);
        inputs[greedyRow] = id;
        rows[greedyRow] = greedyRow;
        const reason = stopIds !== null && endsWith(greedy.ids, stopIds) ? 'stop' : last ? 'length' : null;
        if (reason !== null) {
          finish(greedy, reason);
          greedy = null;
        }
      }
    }
    for (let r = beams.length; r < W; r++) rows[r] = 0; // rows with no beam: any valid row, their output is ignored
    state.selectRows(rows);
  }

  finished.sort((a, b) => b.score - a.score || b.logProb - a.logProb || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  // The greedy path may equal a beam; list each text once.
  const seen = new Set<string>();
  const best: Hypothesis[] = [];
  for (const h of finished) {
    if (seen.has(h.text + '\u0000' + h.finish)) continue;
    seen.add(h.text + '\u0000' + h.finish);
    best.push(h);
    if (best.length === nBest) break;
  }
  return best;
}

function endsWith(ids: readonly number[], tail: Ids): boolean {
  if (ids.length < tail.length) return false;
  for (let j = 0; j < tail.length; j++) if (ids[ids.length - tail.length + j] !== tail[j]) return false;
  return true;
}
