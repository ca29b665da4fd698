// Models whose weights a test sets by hand, so that what a unit does (or what the model predicts) is known exactly:
// an LSTM with a planted unit that counts characters since the line break, and an exact bigram model.

import { join } from 'node:path';
import { parameterShapes, validateModelConfig, type Cell } from '../../src/config/model-config.js';
import { CharLM } from '../../src/model/char-lm.js';
import { saveModel } from '../../src/model-file/write.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { Vocab } from '../../src/text/vocab.js';

export interface HandBuilt {
  model: CharLM;
  vocab: Vocab;
}

/** A one-layer model of `cell` with every weight drawn from N(0, scale²), then edited by `edit(name, values, shape)`. */
export function handBuilt(cell: Cell, vocab: Vocab, hiddenSize: number, seed: number, scale: number,
                          edit: (name: string, values: Float64Array, shape: readonly number[]) => void): HandBuilt {
  const config = validateModelConfig({ cell, numLayers: 1, hiddenSize, dropout: 0, vocabSize: vocab.size });
  const rng = Rng.fromSeed(seed);
  const weights = new Map<string, { shape: number[]; data: Float64Array }>();
  for (const spec of parameterShapes(config)) {
    const data = Float64Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal());
    edit(spec.name, data, spec.shape);
    weights.set(spec.name, { shape: [...spec.shape], data });
  }
  return { model: CharLM.fromWeights(config, createReferenceKernels('f64'), weights), vocab };
}

/** The PyTorch prefix of a one-layer model's tensors. */
const layer0 = (name: string): string => name.replace(/^(lstm|gru|rnn)\./, '');

/**
 * An LSTM whose unit `planted` keeps c = 0.05 · (characters since the last line break + 1): input gate open, candidate
 * tanh⁻¹(0.05), forget gate shut by the line break and open otherwise, no recurrent input. The other units are random.
 */
export function lineCounterLstm(vocab: Vocab, hiddenSize: number, planted: number): HandBuilt {
  const H = hiddenSize;
  const V = vocab.size;
  const newline = vocab.idOf('\n')!;
  return handBuilt('lstm', vocab, H, 7, 0.5, (name, w) => {
    const row = (gate: number): number => gate * H + planted; // gate rows i, f, g, o
    switch (layer0(name)) {
      case 'weight_ih_l0':
        for (const g of [0, 1, 2, 3]) for (let v = 0; v < V; v++) w[row(g) * V + v] = 0;
        w[row(1) * V + newline] = -60;
        break;
      case 'weight_hh_l0':
        for (const g of [0, 1, 2, 3]) for (let j = 0; j < H; j++) w[row(g) * H + j] = 0;
        break;
      case 'bias_ih_l0':
        w[row(0)] = 30; w[row(1)] = 30; w[row(2)] = Math.atanh(0.05); w[row(3)] = 0;
        break;
      case 'bias_hh_l0':
        for (const g of [0, 1, 2, 3]) w[row(g)] = 0;
        break;
    }
  });
}

/**
 * An exact bigram model: a ReLU RNN whose hidden state is the one-hot of the last symbol (W_ih = I, W_hh = 0, no bias)
 * and whose decoder row for symbol a is logits[a] = table[a][·]. So ln P(b | …a) = log softmax(table[a])[b].
 */
export function bigramRnn(vocab: Vocab, table: readonly (readonly number[])[]): HandBuilt {
  const V = vocab.size;
  return handBuilt('rnn-relu', vocab, V, 1, 0, (name, w) => {
    if (layer0(name) === 'weight_ih_l0') for (let v = 0; v < V; v++) w[v * V + v] = 1;
    if (name === 'decoder.weight') for (let b = 0; b < V; b++) for (let a = 0; a < V; a++) w[b * V + a] = table[a][b];
  });
}

/** Saves a hand-built model into `dir` for the CLI; returns the path. */
export async function saveHandBuilt(dir: string, name: string, hb: HandBuilt): Promise<string> {
  const path = join(dir, name);
  await saveModel(path, { config: hb.model.config, vocab: hb.vocab, weights: hb.model.exportWeights(), training: null, resume: null });
  return path;
}
