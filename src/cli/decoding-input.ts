// What the decoding commands (generate, beam, eval, inspect, fill, gradflow) read from their arguments: a model ready to
// run, a prime, and flag text with escapes.

import { CharLM } from '../model/char-lm.js';
import { loadModel } from '../model-file/read.js';
import { createKernels } from '../tensor/create-kernels.js';
import { readCorpus } from '../text/corpus.js';
import type { Vocab } from '../text/vocab.js';

/** Turns the escapes \n, \t, \r and \\ typed on a command line into the characters they name. */
export function unescapeFlag(raw: string): string {
  return raw.replace(/\\([ntr\\])/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c]!);
}

/** A model ready to decode: the network, its vocabulary. */
export async function loadForDecoding(path: string): Promise<{ model: CharLM; vocab: Vocab }> {
  const saved = await loadModel(path);
  return { model: CharLM.fromWeights(saved.config, createKernels('f32'), saved.weights), vocab: saved.vocab };
}

/** The prime from --prime (escapes allowed) or --prime-file (read as is; line mode drops its final line break). */
export async function primeFromFlags(flags: { prime?: string; primeFile?: string }, lineMode: boolean): Promise<string> {
  if (flags.primeFile !== undefined) {
    const text = (await readCorpus(flags.primeFile)).text;
    return lineMode ? text.replace(/\r?\n$/, '') : text;
  }
  return flags.prime === undefined ? '' : unescapeFlag(flags.prime);
}
