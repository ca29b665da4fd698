// The decoding work the benchmark times: the library's sampler at batch 1 and its beam search. No timing here.

import type { CharLM } from '../src/model/char-lm.js';
import { beamSearch } from '../src/decode/beam-search.js';
import { sample } from '../src/decode/sampling.js';
import type { Rng } from '../src/tensor/rng.js';
import type { Vocab } from '../src/text/vocab.js';

/**
 * Returns a function that generates n characters at batch 1 and temperature 1 with the library's sampler (what
 * `charlm generate` runs): one CharLM.step and one draw from the softmax per character.
 */
export function generateChars(model: CharLM, vocab: Vocab, rng: Rng): (n: number) => void {
  return (n: number): void => {
    for (const _ of sample(model, vocab, { length: n, temperature: 1 }, rng)) { /* consumed only for the time it takes */ }
  };
}

/**
 * Returns a function that runs one beam search with the library's beamSearch (what `charlm beam` runs): `width` beams
 * advancing as one batch, `length` characters of output.
 */
export function beamSearchChars(model: CharLM, vocab: Vocab, width: number, length: number): () => void {
  return (): void => {
    const [best] = beamSearch(model, vocab, { width, length });
    // Outside line mode nothing ends a hypothesis early, so every search yields exactly `length` characters.
    if (best === undefined || best.length !== length) throw new Error(`beam search returned ${best?.length ?? 0} characters, not ${length}`);
  };
}
