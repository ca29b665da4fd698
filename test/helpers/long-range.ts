// A synthetic long-range corpus: every line is "<k>" + random letters + "</k>" with k one of a few keys, so predicting the
// closing key needs the opening one carried across the letters. Measures how well a model does that in context (the whole
// text as one stream) and from the start state (each line on its own, as eval --per-line reads it).

import { logSoftmax } from '../../src/decode/sampling.js';
import type { CharLM } from '../../src/model/char-lm.js';
import { Rng } from '../../src/tensor/rng.js';
import type { Vocab } from '../../src/text/vocab.js';

export interface LongRangeOptions {
  lines: number;
  /** Keys 0 … keys − 1 (at most 10: one digit each). */
  keys: number;
  /** Random letters between the keys. */
  letters: number;
  /** Letters are drawn from the first `alphabet` lowercase letters. */
  alphabet?: number;
  seed?: number;
}

export function longRangeText(opts: LongRangeOptions): string {
  const rng = Rng.fromSeed(`long-range:${opts.seed ?? 1}`);
  const alphabet = opts.alphabet ?? 26;
  let out = '';
  for (let i = 0; i < opts.lines; i++) {
    const k = rng.int(opts.keys);
    let body = '';
    for (let j = 0; j < opts.letters; j++) body += String.fromCharCode(97 + rng.int(alphabet));
    out += `<${k}>${body}</${k}>\n`;
  }
  return out;
}

/** ln P(ids[i + 1] | ids[0 … i]) for every i, one stream from the start state. */
function logProbsOf(model: CharLM, ids: ArrayLike<number>): Float64Array {
  const V = model.config.vocabSize;
  const out = new Float64Array(ids.length - 1);
  const state = model.createState(1);
  const logits = model.kernels.alloc(V);
  const lp = new Float64Array(V);
  const input = new Uint16Array(1);
  for (let i = 0; i + 1 < ids.length; i++) {
    input[0] = ids[i];
    model.step(input, state, logits);
    logSoftmax(logits, 0, V, lp);
    out[i] = lp[ids[i + 1]];
  }
  return out;
}

export interface KeyScores {
  /** Mean −ln P of the closing key over all lines, the text read as one stream. */
  inContext: number;
  /** The same, each line scored from the start state (after a line break), as eval --per-line does. */
  perLine: number;
}

/** How well the model predicts the closing key of each line of a long-range text (no line mode). */
export function closingKeyScores(model: CharLM, vocab: Vocab, text: string): KeyScores {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const keyAt = (line: string): number => line.lastIndexOf('>') - 1; // index of the closing key's digit
  const ids = vocab.encode('\n' + text);
  const lp = logProbsOf(model, ids);
  let inContext = 0;
  let offset = 1; // ids[offset] is the first character of the current line
  for (const line of lines) {
    inContext -= lp[offset + keyAt(line) - 1];
    offset += line.length + 1;
  }
  let perLine = 0;
  for (const line of lines) perLine -= logProbsOf(model, vocab.encode('\n' + line))[keyAt(line)];
  return { inContext: inContext / lines.length, perLine: perLine / lines.length };
}
