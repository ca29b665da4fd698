// The model's numbers do not drift: a fixed seed gives the same weights, losses and decoding logits as the code of the
// commit that recorded the digests below (before the cell types became descriptors), for every cell, on the reference
// kernels (whose bits do not depend on the machine). A change that is meant to alter the numbers (a new initialisation,
// another order of summation) updates the digests and says why in its commit message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CELLS, type Cell } from '../../src/config/model-config.js';
import { CharLM } from '../../src/model/char-lm.js';
import type { Kernels } from '../../src/tensor/kernels.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';

const DIGESTS: Record<'f64' | 'f32', Record<Cell, string>> = {
  f64: { lstm: '605d51fcad483739', gru: '63c9fd75d4012382', rnn: '6b22289c598079df', 'rnn-relu': '682534d1a1b389b3' },
  f32: { lstm: '5fde83b60ce4777d', gru: '6d41720872902fe1', rnn: '7f774b5bc9f68afa', 'rnn-relu': '0c8e19ed921c2a27' },
};

/** Four SGD steps with dropout on a two-layer model, then five decoding steps; a digest of every number seen. */
function digest(k: Kernels, cell: Cell): string {
  const V = 9, T = 7, B = 3;
  const m = CharLM.create({ cell, numLayers: 2, hiddenSize: 12, dropout: 0.25, vocabSize: V }, k, Rng.fromSeed(7));
  const rng = Rng.fromSeed(11);
  const state = m.createState(B);
  const ids = new Uint16Array(T * B), targets = new Uint16Array(T * B);
  const h = createHash('sha256');
  for (let s = 0; s < 4; s++) {
    for (let i = 0; i < T * B; i++) { ids[i] = (i * 5 + s * 3) % V; targets[i] = (i * 7 + s) % V; }
    m.params.zeroGrads();
    const pass = m.forward(ids, targets, T, B, state, { training: true, rng });
    h.update(String(pass.lossNats));
    m.backward(pass);
    for (let i = 0; i < m.params.count; i++) m.params.values[i] -= 0.5 * m.params.grads[i];
  }
  const decoding = m.createState(2);
  const logits = k.alloc(2 * V);
  for (let s = 0; s < 5; s++) {
    m.step(Uint16Array.of(s % V, (s + 3) % V), decoding, logits);
    h.update(Buffer.from(Float64Array.from(logits).buffer));
  }
  h.update(Buffer.from(Float64Array.from(m.params.values).buffer));
  return h.digest('hex').slice(0, 16);
}

describe('the same seed gives the same model bits as before', () => {
  for (const dtype of ['f64', 'f32'] as const) {
    for (const cell of CELLS) {
      it(`${cell}, reference kernels in ${dtype}`, () => {
        assert.equal(digest(createReferenceKernels(dtype), cell), DIGESTS[dtype][cell]);
      });
    }
  }
});
