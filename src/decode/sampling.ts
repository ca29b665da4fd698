// Sampling text from a CharLM: the pure rule that picks one symbol from a row of logits (temperature, top-k, top-p, greedy)
// and a generator that yields one character at a time. Not beam search (beam-search.ts) and not scoring (scoring.ts).
//
// logProb is always the MODEL's log-probability of the chosen symbol, ln softmax(logits)[id] at temperature 1, whatever the
// sampling rule: it says how likely the model finds the text, so it can be compared with beam search and eval.

import { ConfigError, VocabularyError } from '../errors.js';
import type { CharLM } from '../model/char-lm.js';
import type { RecurrentState } from '../model/recurrent-state.js';
import type { Floats, Ids } from '../tensor/floats.js';
import type { Rng } from '../tensor/rng.js';
import type { UnknownPolicy, Vocab } from '../text/vocab.js';
import { stepsWithin } from './forward-budget.js';

export interface SampleOptions {
  /** Logits are divided by this before the softmax; below 1 sharpens, above 1 flattens. 0 means greedy. Default 1. */
  temperature?: number;
  /** Keep only the K most likely symbols (0 or undefined: all). */
  topK?: number;
  /** Keep the smallest set of most likely symbols whose probability reaches P (nucleus sampling; 1 or undefined: all). */
  topP?: number;
  /** Always take the most likely symbol (ties: the lowest id). */
  greedy?: boolean;
}

export interface GenerateOptions extends SampleOptions {
  /** Most characters to produce, not counting the prime. */
  length: number;
  /** Text the model reads first; the generated characters continue it. */
  prime?: string;
  /** Prime characters outside the vocabulary: 'error' (default), 'skip' or 'replace'. */
  unknown?: UnknownPolicy;
  /** Stop right after producing this string (it is included). */
  stop?: string;
}

export interface SampledChar {
  /** The character ('' for the end of a line). */
  readonly char: string;
  readonly id: number;
  /** ln P(char | everything before), under the model at temperature 1. */
  readonly logProb: number;
  /** Line mode's last item: the end symbol, which ends the line and is no character. */
  readonly end?: true;
}

/** Options checked once, before the hot loop (checkSampleOptions). */
export interface SamplingRule {
  readonly checked: true;
  readonly greedy: boolean;
  readonly temperature: number;
  readonly topK: number; // 0: off
  readonly topP: number; // 1: off
}

export function checkSampleOptions(opts: SampleOptions): SamplingRule {
  const temperature = opts.temperature ?? 1;
  const topK = opts.topK ?? 0;
  const topP = opts.topP ?? 1;
  if (!(temperature >= 0 && Number.isFinite(temperature))) throw new ConfigError(`temperature must be 0 or more (got ${temperature})`);
  if (!Number.isInteger(topK) || topK < 0) throw new ConfigError(`top-k must be a whole number of symbols (got ${topK})`);
  if (!(topP >= 0 && topP <= 1)) throw new ConfigError(`top-p must be between 0 and 1 (got ${topP})`);
  return { checked: true, greedy: opts.greedy === true || temperature === 0 || topK === 1, temperature, topK, topP };
}

/** Buffers for sampleFromLogits, allocated once per vocabulary size so that sampling a symbol allocates nothing. */
export class SamplingScratch {
  readonly size: number;
  /** (V) the model's log-probabilities, ln softmax(logits) at temperature 1. */
  readonly logProbs: Float64Array;
  /** (V) unnormalised sampling weights exp((logit − max) / temperature). */
  readonly weights: Float64Array;
  /** (V) ids sorted by weight, most likely first (ties: lower id first); used by top-k and top-p. */
  readonly order: Uint32Array;
  /** The model's log-probability of the symbol the last call chose. */
  logProb = 0;
  private readonly byWeight = (a: number, b: number): number => this.weights[b] - this.weights[a] || a - b;

  constructor(vocabSize: number) {
    this.size = vocabSize;
    this.logProbs = new Float64Array(vocabSize);
    this.weights = new Float64Array(vocabSize);
    this.order = new Uint32Array(vocabSize);
  }

  sortByWeight(): void {
    for (let v = 0; v < this.size; v++) this.order[v] = v;
    this.order.sort(this.byWeight);
  }
}

/** out[v] = ln softmax(x[xOff …])[v] over V entries, in float64, stably (subtract the max before exp). */
export function logSoftmax(x: Floats, xOff: number, V: number, out: Float64Array): void {
  let max = -Infinity;
  for (let v = 0; v < V; v++) if (x[xOff + v] > max) max = x[xOff + v];
  let sumExp = 0;
  for (let v = 0; v < V; v++) sumExp += Math.exp(x[xOff + v] - max);
  const logSumExp = max + Math.log(sumExp);
  for (let v = 0; v < V; v++) out[v] = x[xOff + v] - logSumExp;
}

/** The most likely id of V logits (the lowest id among equals), `skip` left out. */
export function argmax(x: Floats | Float64Array, xOff: number, V: number, skip: number | null = null): number {
  let best = skip === 0 ? 1 : 0;
  for (let v = best + 1; v < V; v++) if (v !== skip && x[xOff + v] > x[xOff + best]) best = v;
  return best;
}

/**
 * Picks one symbol from logits[0 … V) (V = scratch.size) and returns its id; scratch.logProb is then its model log-probability.
 * Order of the rules (as in common practice): temperature, then top-k, then top-p over what top-k kept, then one draw.
 * Greedy draws no random number, so it never moves the rng. `forbidden` (line mode's start symbol) is never picked; the
 * log-probabilities stay the model's own, so they still add up to what eval reports.
 */
export function sampleFromLogits(logits: Floats, opts: SampleOptions | SamplingRule, rng: Rng, scratch: SamplingScratch,
                                 forbidden: number | null = null): number {
  const rule = 'checked' in opts ? opts : checkSampleOptions(opts);
  const V = scratch.size;
  logSoftmax(logits, 0, V, scratch.logProbs);
  let id: number;
  if (rule.greedy) {
    id = argmax(scratch.logProbs, 0, V, forbidden);
  } else {
    const w = scratch.weights;
    // exp((z − max)/T) = exp(ln p / T) up to a constant factor: the same weights, computed from the stable log-probs.
    const invT = 1 / rule.temperature;
    const maxLogProb = scratch.logProbs[argmax(scratch.logProbs, 0, V, forbidden)];
    for (let v = 0; v < V; v++) w[v] = Math.exp((scratch.logProbs[v] - maxLogProb) * invT);
    if (forbidden !== null) w[forbidden] = 0;
    id = rule.topK > 0 && rule.topK < V || rule.topP < 1 ? drawFromTop(rule, rng, scratch) : drawFromAll(w, V, rng);
  }
  scratch.logProb = scratch.logProbs[id];
  return id;
}

/** One draw proportional to w over all V ids. */
function drawFromAll(w: Float64Array, V: number, rng: Rng): number {
  let total = 0;
  for (let v = 0; v < V; v++) total += w[v];
  let u = rng.uniform() * total;
  for (let v = 0; v < V; v++) {
    u -= w[v];
    if (u < 0) return v;
  }
  // Rounding can leave u a hair above 0: fall back to the last id with any weight.
  for (let v = V - 1; v > 0; v--) if (w[v] > 0) return v;
  return 0;
}

/** Sorts by weight, keeps the top K and then the nucleus of mass P, and draws one of those. */
function drawFromTop(rule: SamplingRule, rng: Rng, scratch: SamplingScratch): number {
  const { weights: w, order } = scratch;
  scratch.sortByWeight();
  let kept = rule.topK > 0 ? Math.min(rule.topK, scratch.size) : scratch.size;
  let total = 0;
  for (let r = 0; r < kept; r++) total += w[order[r]];
  if (rule.topP < 1) {
    // The smallest prefix whose share of the kept mass reaches P (at least one symbol).
    let mass = 0;
    let r = 0;
    while (r < kept) {
      mass += w[order[r++]];
      if (mass >= rule.topP * total) break;
    }
    kept = r;
    total = mass;
  }
  let u = rng.uniform() * total;
  for (let r = 0; r < kept; r++) {
    u -= w[order[r]];
    if (u < 0) return order[r];
  }
  return order[kept - 1];
}

/** Prime characters as ids, honouring the unknown policy (the error names the flag that changes it). */
export function encodePrime(vocab: Vocab, prime: string, unknown: UnknownPolicy = 'error'): Ids {
  try {
    return vocab.encode(prime, { unknown });
  } catch (err) {
    if (err instanceof VocabularyError && unknown === 'error') {
      const chars = [...vocab.unknownChars(prime).keys()].map((c) => JSON.stringify(c)).join(', ');
      throw new VocabularyError(`the prime has characters the model never saw: ${chars}`,
        { hint: 'use --unknown skip to leave them out, or --unknown replace' });
    }
    throw err;
  }
}

/**
 * What the model reads before generating: line mode starts every line with its start symbol; otherwise the prime, or, with
 * no prime, a line break (text naturally begins after one) or a space, or the first symbol, whichever the vocabulary has.
 */
export function decodingContext(vocab: Vocab, primeIds: Ids): number[] {
  const context = vocab.lineMode ? [vocab.bos!] : [];
  for (let i = 0; i < primeIds.length; i++) context.push(primeIds[i]);
  if (context.length === 0) context.push(vocab.idOf('\n') ?? vocab.idOf(' ') ?? 0);
  return context;
}

/** Longest chunk fed through forward at once while priming (bounds the workspace a long prime file needs). */
const PRIME_CHUNK = 256;

/**
 * Runs the model over all of `context` but its last symbol with batched forwards (B = 1), so the returned state has read
 * context[0 … n−2]; the caller's first step() feeds context[n−1] and gets the logits of the first new symbol.
 */
export function primeState(model: CharLM, vocab: Vocab, context: readonly number[]): RecurrentState {
  const state = model.createState(1);
  const n = context.length - 1;
  const chunk = stepsWithin(PRIME_CHUNK, 1, model.config.vocabSize);
  for (let start = 0; start < n; start += chunk) {
    const T = Math.min(chunk, n - start);
    const inputs = vocab.allocIds(T);
    const targets = vocab.allocIds(T);
    for (let t = 0; t < T; t++) {
      inputs[t] = context[start + t];
      targets[t] = context[start + t + 1];
    }
    model.forward(inputs, targets, T, 1, state, { training: false });
  }
  return state;
}

/** The ids of a stop string; it must be something the model can produce. */
export function encodeStop(vocab: Vocab, stop: string | undefined): Ids | null {
  if (stop === undefined || stop === '') return null;
  const unknown = vocab.unknownChars(stop);
  if (unknown.size > 0 || (vocab.lineMode && /[\r\n]/.test(stop))) {
    throw new VocabularyError(`the stop string ${JSON.stringify(stop)} has characters the model never produces`,
      { hint: vocab.lineMode ? 'in line mode every sample already ends with its line' : 'choose a stop string from the training text' });
  }
  return vocab.encode(stop);
}

/** True once the last ids pushed equal `stop`; keeps a ring of the last stop.length ids and allocates nothing per push. */
export class StopMatcher {
  private readonly ring: Int32Array;
  private pushed = 0;
  constructor(private readonly stop: Ids) {
    this.ring = new Int32Array(stop.length);
  }
  push(id: number): boolean {
    const m = this.stop.length;
    this.ring[this.pushed % m] = id;
    this.pushed++;
    if (this.pushed < m) return false;
    for (let j = 0; j < m; j++) if (this.ring[(this.pushed - m + j) % m] !== this.stop[j]) return false;
    return true;
  }
}

/**
 * Samples up to opts.length characters after the prime, one per iteration. Options, prime and stop string are checked
 * here, before the first character (so a bad prime throws at the call). The prime is read once (primeState); every
 * further character costs one step() that carries the state. In line mode the sample is one line: the start symbol is
 * never sampled, and the end symbol ends it as a last item with `end` set (it is no character, but its log-probability
 * belongs to the line's). The same rng state gives the same characters, bit for bit. The weights are read (packed, see
 * CharLM.packWeights) when the first character is asked for: changing them while the generator is open changes nothing.
 */
export function sample(model: CharLM, vocab: Vocab, opts: GenerateOptions, rng: Rng): Generator<SampledChar, void, undefined> {
  const rule = checkSampleOptions(opts);
  if (!Number.isInteger(opts.length) || opts.length < 0) throw new ConfigError(`length must be 0 or more characters (got ${opts.length})`);
  const stopIds = encodeStop(vocab, opts.stop);
  const context = decodingContext(vocab, encodePrime(vocab, opts.prime ?? '', opts.unknown));
  return continueText(model, vocab, context, opts.length, rule, stopIds, rng);
}

function* continueText(model: CharLM, vocab: Vocab, context: readonly number[], length: number, rule: SamplingRule,
                       stopIds: Ids | null, rng: Rng): Generator<SampledChar, void, undefined> {
  const stop = stopIds === null ? null : new StopMatcher(stopIds);
  const state = primeState(model, vocab, context);
  const V = model.config.vocabSize;
  const input = vocab.allocIds(1);            // (B = 1) the symbol fed to the next step
  const logits = model.kernels.alloc(V);      // (1, V)
  const scratch = new SamplingScratch(V);
  const packed = model.packWeights();         // every step reads the same weights
  input[0] = context[context.length - 1];
  for (let produced = 0; produced < length; produced++) {
    model.step(input, state, logits, packed);
    const id = sampleFromLogits(logits, rule, rng, scratch, vocab.bos);
    if (id === vocab.eos) {
      yield { char: '', id, logProb: scratch.logProb, end: true };
      return;
    }
    input[0] = id;
    yield { char: vocab.symbolOf(id), id, logProb: scratch.logProb };
    if (stop?.push(id) === true) return;
  }
}
