// Fine-tuning: a new run that starts from a trained model's weights (--init-from). The architecture and the vocabulary
// are the model's; characters of the new text that the model never saw are an error, or, with extendVocab, new symbols
// whose rows and columns start as a fresh model's would.

import type { ModelConfig } from '../config/model-config.js';
import { VocabularyError } from '../errors.js';
import { CharLM } from '../model/char-lm.js';
import type { SavedModel } from '../model-file/format.js';
import type { Kernels } from '../tensor/kernels.js';
import type { Rng } from '../tensor/rng.js';
import { quoteChar, Vocab } from '../text/vocab.js';

export interface InitFrom {
  readonly model: SavedModel;
  /** Add the text's new characters to the vocabulary instead of refusing the text. */
  readonly extendVocab: boolean;
}

/** The vocabulary of the fine-tuning run: the model's, with the text's new characters when extending. */
export function fineTuningVocab(init: InitFrom, text: string): Vocab {
  const old = init.model.vocab;
  const unknown = [...old.unknownChars(text).keys()];
  if (unknown.length === 0) return old;
  if (!init.extendVocab) {
    const shown = unknown.slice(0, 10).map(quoteChar).join(', ') + (unknown.length > 10 ? `, … (${unknown.length - 10} more)` : '');
    throw new VocabularyError(`the text has ${unknown.length} character${unknown.length === 1 ? '' : 's'} the model never saw: ${shown}`,
      { hint: '--extend-vocab adds them to the vocabulary as new, untrained symbols' });
  }
  const symbols = [...old.chars(), ...unknown].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  return Vocab.fromJSON({ symbols, lineMode: old.lineMode });
}

/**
 * The starting model: the saved weights, moved to the new symbols' ids where the vocabulary grew; the rows and columns
 * of new symbols (every tensor whose shape differs holds the vocabulary along the axes that differ) come from a fresh
 * model initialised from `rng`.
 */
export function fineTuningModel(init: InitFrom, vocab: Vocab, config: ModelConfig, kernels: Kernels, rng: Rng,
                                forgetBias: number): CharLM {
  if (vocab === init.model.vocab) return CharLM.fromWeights(config, kernels, init.model.weights);
  const model = CharLM.create(config, kernels, rng, { forgetBias });
  const oldVocab = init.model.vocab;
  const newId = new Int32Array(oldVocab.size);
  for (let id = 0; id < oldVocab.size; id++) {
    const symbol = oldVocab.symbolOf(id); // '' for line mode's reserved ids, which keep their place
    newId[id] = symbol === '' ? id : vocab.idOf(symbol)!;
  }
  for (const spec of model.params.specs) {
    const old = init.model.weights.get(spec.name)!;
    const target = model.params.view(spec.name);
    const [rows, cols] = old.shape.length === 1 ? [old.shape[0]!, 1] : [old.shape[0]!, old.shape[1]!];
    const newCols = spec.shape.length === 1 ? 1 : spec.shape[1]!;
    const mapRow = spec.shape[0] !== old.shape[0];
    const mapCol = spec.shape.length > 1 && spec.shape[1] !== old.shape[1];
    for (let r = 0; r < rows; r++) {
      const nr = mapRow ? newId[r]! : r;
      for (let c = 0; c < cols; c++) target[nr * newCols + (mapCol ? newId[c]! : c)] = old.data[r * cols + c]!;
    }
  }
  return model;
}
