// Small deterministic training texts made in the test process, so tests need nothing outside the repository.

import { createHash } from 'node:crypto';
import type { Corpus } from '../../src/text/corpus.js';
import { Rng } from '../../src/tensor/rng.js';

const WORDS = ['the', 'king', 'queen', 'of', 'and', 'my', 'lord', 'good', 'night', 'sweet', 'prince', 'to', 'be', 'or', 'not'];

/** About `chars` characters of pseudo-English: words, spaces, commas and line breaks, the same for the same seed. */
export function pseudoEnglish(chars: number, seed = 7): string {
  const rng = Rng.fromSeed(seed);
  let out = '';
  while (out.length < chars) {
    const n = 3 + rng.int(6);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(WORDS[rng.int(WORDS.length)]!);
    out += words.join(' ') + (rng.uniform() < 0.3 ? ',\n' : '.\n');
  }
  return out.slice(0, chars);
}

export function corpusOf(text: string, name = 'tiny.txt'): Corpus {
  const bytes = Buffer.from(text, 'utf8');
  return { name, text, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}
