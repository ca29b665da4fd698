// The corpora shipped with the package (corpora/), reachable through the library from any folder.

import { fileURLToPath } from 'node:url';
import { readCorpus, type Corpus } from './corpus.js';

export const BUNDLED_CORPORA = ['tinyshakespeare', 'sotu', 'words'] as const;
export type BundledCorpus = (typeof BUNDLED_CORPORA)[number];

/** The file of a bundled corpus: corpora/NAME.txt in the installed package (this file is dist/src/text/bundled.js). */
export function bundledCorpusPath(name: BundledCorpus): string {
  return fileURLToPath(new URL(`../../../corpora/${name}.txt`, import.meta.url));
}

/** Reads a bundled corpus: `await bundledCorpus('tinyshakespeare')`. */
export function bundledCorpus(name: BundledCorpus): Promise<Corpus> {
  return readCorpus(bundledCorpusPath(name));
}
