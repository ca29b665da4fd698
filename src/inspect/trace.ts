// Runs a model over a text, one stream from a zero state, and keeps what every layer computed after each symbol (gate
// activations, cell states, hidden states) with the model's surprise at each symbol and its top predictions after it.
// Reads the activations the model exposes (Pass.layers); it computes no cell itself. Not scoring: see decode/scoring.ts.

import type { Cell } from '../nn/cells.js';
import { logSoftmax } from '../decode/sampling.js';
import { encodeForScoring } from '../decode/scoring.js';
import { CorpusError } from '../errors.js';
import type { CharLM } from '../model/char-lm.js';
import type { Floats, Ids } from '../tensor/floats.js';
import type { Vocab } from '../text/vocab.js';

/** One layer's values after each position n (the state once symbol n has been read), float32, with their widths. */
export interface TraceLayer {
  readonly hiddens: Float32Array;        // (N, hiddenWidth): the layer's output h
  readonly cells: Float32Array | null;   // (N, cellWidth), for cells with a cell state
  readonly gates: Float32Array | null;   // (N, gateWidth) after their nonlinearities, in the cell's gate order
  readonly hiddenWidth: number;
  readonly cellWidth: number;
  readonly gateWidth: number;
}

export interface Prediction {
  readonly symbol: string;
  readonly prob: number;
}

export interface Trace {
  readonly cell: Cell;
  /** Units per gate (H). */
  readonly hiddenSize: number;
  /** Per position, the symbol read as text: line mode's start symbol is '' and its end symbol '\n'. */
  readonly symbols: readonly string[];
  readonly ids: Ids;
  /** −ln P(symbol n | everything before it) in nats; NaN where nothing predicts it (the first symbol, line starts). */
  readonly surprise: Float64Array;
  /** Per position, the K most likely next symbols after reading it (empty when K = 0). */
  readonly predictions: readonly (readonly Prediction[])[];
  readonly layers: readonly TraceLayer[];
  /** Symbols cut off the end of the text by maxSymbols, and characters left out because the model does not know them. */
  readonly truncated: number;
  readonly unknownChars: number;
}

export interface TraceOptions {
  /** Top predictions kept per position (default 0). */
  readonly topK?: number;
  /** At most this many symbols are traced (memory grows with layers × units × symbols). */
  readonly maxSymbols?: number;
}

const CHUNK = 128;
export const DEFAULT_MAX_SYMBOLS = 5000;

/** The trace of `text` (characters outside the vocabulary are left out and counted). */
export function traceText(model: CharLM, vocab: Vocab, text: string, opts: TraceOptions = {}): Trace {
  const encoded = encodeForScoring(vocab, text);
  let unknownChars = 0;
  for (const n of encoded.unknown.values()) unknownChars += n;
  const max = opts.maxSymbols ?? DEFAULT_MAX_SYMBOLS;
  const ids = encoded.ids.length > max ? encoded.ids.slice(0, max) : encoded.ids;
  if (ids.length === 0) throw new CorpusError('nothing to inspect: the text has no character the model knows');
  const symbols = Array.from(ids, (id) => (id === vocab.eos ? '\n' : vocab.symbolOf(id)));
  const name = (id: number): string => (id === vocab.bos ? '<start>' : id === vocab.eos ? '<end>' : vocab.symbolOf(id));
  const trace = traceIds(model, ids, opts.topK ?? 0, name, vocab.bos);
  return { ...trace, symbols, truncated: encoded.ids.length - ids.length, unknownChars };
}

/** The trace without its text bookkeeping; `notPredicted` is the start symbol (whose surprise means nothing). */
function traceIds(model: CharLM, ids: Ids, topK: number, name: (id: number) => string, notPredicted: number | null):
    Omit<Trace, 'symbols' | 'truncated' | 'unknownChars'> {
  const { cell, hiddenSize, vocabSize: V, numLayers } = model.config;
  const N = ids.length;
  const state = model.createState(1);
  const layers: TraceLayer[] = [];
  const surprise = new Float64Array(N).fill(Number.NaN);
  const predictions: Prediction[][] = [];
  const logProbs = new Float64Array(V);
  const targets = new (ids.constructor as new (n: number) => Ids)(CHUNK);
  for (let start = 0; start < N; start += CHUNK) {
    const T = Math.min(CHUNK, N - start);
    const inputs = ids.subarray(start, start + T);
    for (let t = 0; t < T; t++) targets[t] = start + t + 1 < N ? ids[start + t + 1] : 0;
    // In line mode every item restarts from the start state, as in training and scoring.
    const pass = model.forward(inputs, targets, T, 1, state, { training: false, restartAt: notPredicted ?? undefined });
    for (let l = 0; l < numLayers; l++) {
      const a = pass.layers[l];
      // Buffers may be longer than this chunk needs (workspaces are reused): widths come from the slots per step.
      const width = (x: Floats | null, slots: number): number => (x === null ? 0 : Math.floor(x.length / slots));
      if (start === 0) {
        const [hw, cw, gw] = [width(a.hiddens, T + 1), width(a.cells, T + 1), width(a.gates, T)];
        layers.push({ hiddens: new Float32Array(N * hw), cells: a.cells === null ? null : new Float32Array(N * cw),
          gates: a.gates === null ? null : new Float32Array(N * gw), hiddenWidth: hw, cellWidth: cw, gateWidth: gw });
      }
      const out = layers[l];
      // hiddens and cells hold the carried-in state in slot 0, so step t's value is slot t + 1.
      copyInto(a.hiddens, out.hiddenWidth, T * out.hiddenWidth, out.hiddens, start * out.hiddenWidth);
      if (a.cells !== null) copyInto(a.cells, out.cellWidth, T * out.cellWidth, out.cells!, start * out.cellWidth);
      if (a.gates !== null) copyInto(a.gates, 0, T * out.gateWidth, out.gates!, start * out.gateWidth);
    }
    for (let t = 0; t < T; t++) {
      logSoftmax(pass.logits, t * V, V, logProbs);
      const n = start + t;
      if (n + 1 < N && ids[n + 1] !== notPredicted) surprise[n + 1] = -logProbs[ids[n + 1]];
      predictions.push(topK > 0 ? topPredictions(logProbs, topK, name) : []);
    }
  }
  return { cell, hiddenSize, ids, surprise, predictions, layers };
}

function copyInto(src: Floats, srcOff: number, n: number, dst: Float32Array, dstOff: number): void {
  for (let i = 0; i < n; i++) dst[dstOff + i] = src[srcOff + i];
}

/** The K most likely next symbols, most likely first (the lower id first among equals); one pass over the V entries. */
function topPredictions(logProbs: Float64Array, K: number, name: (id: number) => string): Prediction[] {
  const top: number[] = [];
  for (let id = 0; id < logProbs.length; id++) {
    let at = top.length;
    while (at > 0 && logProbs[top[at - 1]] < logProbs[id]) at--;
    if (at >= K) continue;
    top.splice(at, 0, id);
    if (top.length > K) top.pop();
  }
  return top.map((id) => ({ symbol: name(id), prob: Math.exp(logProbs[id]) }));
}
